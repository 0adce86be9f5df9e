/* dispatch.h: the table from request type to handler, the role it needs
 * and whether it writes. Role checks, login state and the write
 * transaction are handled once here, before any handler runs. */
#ifndef PLANBOARD_DISPATCH_H
#define PLANBOARD_DISPATCH_H

#include "server.h"

typedef int (*handler_fn)(struct hctx *h);

/* Role bits. */
#define R_ADMIN (1u << PB__ROLE__ROLE_ADMIN)
#define R_PERF (1u << PB__ROLE__ROLE_PERFORMANCE)
#define R_LOCALITY (1u << PB__ROLE__ROLE_LOCALITY)
#define R_VIEWER (1u << PB__ROLE__ROLE_VIEWER)
#define R_ANY (R_ADMIN | R_PERF | R_LOCALITY | R_VIEWER)

/* Flags. */
#define H_WRITE 1u      /* changes data: runs in the group-commit transaction */
#define H_PRELOGIN 2u   /* allowed before login (Hello, Login) */
/* Not a write, but runs on the writer's connection, not the read-only one
 * (a batch opens its savepoint there and runs its writes). */
#define H_ON_WRITER 4u
/* A write whose every refusal comes before its first change: it runs
 * without a savepoint of its own (the savepoint's statement journal
 * copies every page the request dirties that its group had already
 * dirtied: ~16% of a progress update's work). If it fails after changing
 * something (a database error), its change cannot be undone alone and
 * the whole group transaction is rolled back and reported not saved. */
#define H_CHECKS_FIRST 8u

struct handler {
	Pb__Request__BodyCase body;
	unsigned roles;
	unsigned flags;
	handler_fn fn;
};

const struct handler *dispatch_lookup(Pb__Request__BodyCase body);
/* Run one decoded request on a connection and queue its response; the
 * response's status. */
int dispatch_request(struct conn *c, const Pb__Request *req);

#endif

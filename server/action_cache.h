/* action_cache.h: answers to "action show" (current state, as of a date)
 * kept in memory, packed, so a repeated show is a hash look-up and a copy
 * instead of two queries, the history's diffs and packing the reply.
 *
 * Set-associative: a set per hash of (plan as asked, ref, as_of), a few
 * ways each, the least recently used one replaced (direct-mapped, two
 * popular actions sharing a slot evicted each other on every show). An
 * entry is dropped when its action is written (action_cache_forget) and
 * all are when an action is added (a ref asked without its plan may
 * become ambiguous). Only answers read outside a write transaction are
 * kept: never a change that could still be rolled back. One per server
 * (struct server); loop thread only. */
#ifndef PLANBOARD_ACTION_CACHE_H
#define PLANBOARD_ACTION_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planboard.pb-c.h"

struct action_cache;

/* A kept answer: the ActionReply as the value of a length-delimited field
 * on the wire (its length as a varint, then the packed message), ready to
 * go out as the Response's `action` body without packing it again. */
struct action_cache_hit {
	const uint8_t *field;   /* valid until the next put, forget or clear */
	size_t field_len;
	uint64_t gen;           /* the commit whose state it shows */
};

struct action_cache *action_cache_new(void);
void action_cache_free(struct action_cache *c);   /* NULL is fine */

/* True and *hit filled if an answer is kept for the key. */
bool action_cache_get(struct action_cache *c, const char *plan, const char *ref, const char *as_of,
		      struct action_cache_hit *hit);
/* Keep r packed (r may live in a request's arena), read when commit
 * generation gen was the last. True if kept: *kept (if not NULL) then
 * holds the packed answer, to send instead of packing r again. */
bool action_cache_put(struct action_cache *c, const char *plan, const char *ref, const char *as_of, int64_t action_id,
		      uint64_t gen, const Pb__ActionReply *r, struct action_cache_hit *kept);
/* Its action is written in the open transaction: its answers are dropped,
 * and none is kept for it until that transaction ends. */
void action_cache_forget(struct action_cache *c, int64_t action_id);
/* The write transaction committed or rolled back. */
void action_cache_txn_end(struct action_cache *c);
void action_cache_clear(struct action_cache *c);

#endif

/* action_cache.h: answers to "action show" (current state, as of a date)
 * kept in memory, so a repeated show is a hash look-up instead of two
 * queries and the history's diffs.
 *
 * Direct-mapped: a slot per hash of (plan as asked, ref, as_of); a new
 * answer replaces whatever held its slot. An entry is dropped when its
 * action is written (action_cache_forget) and all are when an action is
 * added (a ref asked without its plan may become ambiguous). Only answers
 * read outside a write transaction are kept: never a change that could
 * still be rolled back. One per server (struct server); loop thread only. */
#ifndef PLANBOARD_ACTION_CACHE_H
#define PLANBOARD_ACTION_CACHE_H

#include <stdint.h>

#include "planboard.pb-c.h"

struct action_cache;

struct action_cache *action_cache_new(void);
void action_cache_free(struct action_cache *c);   /* NULL is fine */

/* The kept answer, or NULL. It stays valid until the next put, forget or
 * clear: use it for this request only. *gen: the commit generation whose
 * state it shows (nothing changed the action since). */
const Pb__ActionReply *action_cache_get(struct action_cache *c, const char *plan, const char *ref, const char *as_of,
					uint64_t *gen);
/* Keep a copy of r (a deep copy: r may live in a request's arena), read
 * when commit generation gen was the last. */
void action_cache_put(struct action_cache *c, const char *plan, const char *ref, const char *as_of, int64_t action_id,
		      uint64_t gen, const Pb__ActionReply *r);
/* Its action is written in the open transaction: its answers are dropped,
 * and none is kept for it until that transaction ends. */
void action_cache_forget(struct action_cache *c, int64_t action_id);
/* The write transaction committed or rolled back. */
void action_cache_txn_end(struct action_cache *c);
void action_cache_clear(struct action_cache *c);

#endif

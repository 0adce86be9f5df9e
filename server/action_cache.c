/* action_cache.c: kept "action show" answers (see action_cache.h). */
#include "action_cache.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SETS 4096                  /* a power of two */
#define WAYS 4                     /* 16,384 answers at most */
#define MAX_PACKED (16u << 10)     /* a longer history is not kept */
#define KEY_MAX 160                /* plan (64) + ref (32) + date + separators */
#define VARINT_MAX 10

/* One malloc: the key, then the answer as a field value. */
struct entry {
	size_t key_len, field_len;
	uint8_t bytes[];               /* key, then field */
};

struct slot {
	struct entry *e;               /* NULL: empty */
	int64_t action_id;
	uint64_t gen;                  /* the commit whose state it shows */
	uint64_t used;                 /* tick of the last get or put */
	uint64_t epoch;                /* of its action's bucket when kept */
	uint64_t cleared;              /* the cache's clear count when kept */
};

/* Forgetting an action bumps the epoch of its bucket: its slots (and
 * those of the few actions sharing the bucket) no longer match, in O(1)
 * instead of a scan of every slot on each write. */
#define EPOCHS 1024                /* a power of two */

struct action_cache {
	uint64_t epoch[EPOCHS];        /* 64 bits: a wrapped count could match an old slot */
	/* Buckets written in the open transaction: reads on the read-only
	 * connection still see their old state, which must not be kept as
	 * if current. Cleared when the transaction ends. */
	uint8_t pending[EPOCHS / 8];
	bool any_pending;
	bool all_pending;              /* cleared (an action added) in it */
	/* Clearing bumps it: every slot kept before no longer matches, in
	 * O(1) (an import adds actions by the thousand, each a clear). */
	uint64_t cleared;
	uint64_t tick;
	struct slot slots[SETS * WAYS];
};

struct action_cache *action_cache_new(void)
{
	return xcalloc(1, sizeof(struct action_cache));
}

void action_cache_free(struct action_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < SETS * WAYS; i++)
		free(c->slots[i].e);
	free(c);
}

/* plan \x1f ref \x1f as_of; 0 if it does not fit (not kept then). */
static size_t make_key(char *out, const char *plan, const char *ref, const char *as_of)
{
	if (ref == NULL || as_of == NULL)
		return 0;   /* (refused by the handler before it asks) */
	size_t lp = plan ? strlen(plan) : 0, lr = strlen(ref), la = strlen(as_of);
	if (lp + lr + la + 3 > KEY_MAX)
		return 0;
	char *p = out;
	*p++ = plan ? 'p' : '-';       /* no plan and an empty one differ */
	memcpy(p, plan ? plan : "", lp);
	p += lp;
	*p++ = '\x1f';
	memcpy(p, ref, lr);
	p += lr;
	*p++ = '\x1f';
	memcpy(p, as_of, la);
	p += la;
	return (size_t)(p - out);
}

static struct slot *set_of(struct action_cache *c, const char *key, size_t len)
{
	return &c->slots[(hash_bytes(key, len) & (SETS - 1)) * WAYS];
}

static bool slot_has(const struct slot *s, const char *key, size_t len)
{
	return s->e != NULL && s->e->key_len == len && memcmp(s->e->bytes, key, len) == 0;
}

/* Written since it was kept, or kept before a clear: never served. */
static bool slot_stale(const struct action_cache *c, const struct slot *s)
{
	return s->epoch != c->epoch[s->action_id & (EPOCHS - 1)] || s->cleared != c->cleared;
}

bool action_cache_get(struct action_cache *c, const char *plan, const char *ref, const char *as_of,
		      struct action_cache_hit *hit)
{
	char key[KEY_MAX];
	size_t len = make_key(key, plan, ref, as_of);
	if (len == 0)
		return false;
	struct slot *set = set_of(c, key, len);
	for (struct slot *s = set; s < set + WAYS; s++) {
		if (!slot_has(s, key, len))
			continue;
		if (slot_stale(c, s))
			return false;   /* its action was written since, or all were dropped */
		s->used = ++c->tick;
		hit->field = s->e->bytes + len;
		hit->field_len = s->e->field_len;
		hit->gen = s->gen;
		return true;
	}
	return false;
}

/* The way for key: the one holding it, else an empty or stale one, else
 * the least recently used. */
static struct slot *way_for(struct action_cache *c, struct slot *set, const char *key, size_t len)
{
	struct slot *victim = set;
	uint64_t oldest = UINT64_MAX;
	for (struct slot *s = set; s < set + WAYS; s++) {
		if (slot_has(s, key, len) || s->e == NULL)
			return s;
		uint64_t age = slot_stale(c, s) ? 0 : s->used;   /* stale: take it first */
		if (age < oldest) {
			oldest = age;
			victim = s;
		}
	}
	return victim;
}

/* The protobuf varint of n: what precedes a length-delimited value. */
static size_t put_varint(uint8_t *out, uint64_t n)
{
	size_t i = 0;
	for (; n >= 0x80; n >>= 7)
		out[i++] = (uint8_t)(n | 0x80);
	out[i++] = (uint8_t)n;
	return i;
}

bool action_cache_put(struct action_cache *c, const char *plan, const char *ref, const char *as_of, int64_t action_id,
		      uint64_t gen, const Pb__ActionReply *r, struct action_cache_hit *kept)
{
	char key[KEY_MAX];
	size_t len = make_key(key, plan, ref, as_of);
	size_t size = pb__action_reply__get_packed_size(r);
	unsigned b = (unsigned)(action_id & (EPOCHS - 1));
	if (len == 0 || size > MAX_PACKED || c->all_pending || (c->pending[b / 8] & (1u << (b % 8))))
		return false;
	struct entry *e = xmalloc(sizeof *e + len + VARINT_MAX + size);
	memcpy(e->bytes, key, len);
	uint8_t *field = e->bytes + len;
	size_t head = put_varint(field, size);
	if (pb__action_reply__pack(r, field + head) != size)
		fatal("protobuf pack of a kept answer: size changed");
	e->key_len = len;
	e->field_len = head + size;
	struct slot *s = way_for(c, set_of(c, key, len), key, len);
	free(s->e);
	s->e = e;
	s->action_id = action_id;
	s->gen = gen;
	s->used = ++c->tick;
	s->epoch = c->epoch[b];
	s->cleared = c->cleared;
	if (kept != NULL) {
		kept->field = field;
		kept->field_len = e->field_len;
		kept->gen = gen;
	}
	return true;
}

void action_cache_forget(struct action_cache *c, int64_t action_id)
{
	unsigned b = (unsigned)(action_id & (EPOCHS - 1));
	c->epoch[b]++;
	c->pending[b / 8] |= (uint8_t)(1u << (b % 8));
	c->any_pending = true;
}

void action_cache_txn_end(struct action_cache *c)
{
	if (c->any_pending)
		memset(c->pending, 0, sizeof c->pending);
	c->any_pending = c->all_pending = false;
}

void action_cache_clear(struct action_cache *c)
{
	c->cleared++;
	c->all_pending = true;
}

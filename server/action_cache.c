/* action_cache.c: kept "action show" answers (see action_cache.h). */
#include "action_cache.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096                 /* a power of two */
#define MAX_PACKED (16u << 10)     /* a longer history is not kept */
#define KEY_MAX 160                /* plan (64) + ref (32) + date + separators */

struct slot {
	char key[KEY_MAX];
	size_t key_len;
	Pb__ActionReply *reply;        /* unpacked by protobuf-c: owned; NULL: empty */
	uint64_t gen;                  /* the commit whose state it shows */
	uint32_t epoch;                /* of its action's bucket when kept */
};

/* Forgetting an action bumps the epoch of its bucket: its slots (and
 * those of the few actions sharing the bucket) no longer match, in O(1)
 * instead of a scan of every slot on each write. */
#define EPOCHS 1024                /* a power of two */

struct action_cache {
	int64_t action_id[SLOTS];      /* of each slot; 0: empty */
	uint32_t epoch[EPOCHS];
	/* Buckets written in the open transaction: reads on the read-only
	 * connection still see their old state, which must not be kept as
	 * if current. Cleared when the transaction ends. */
	uint8_t pending[EPOCHS / 8];
	bool any_pending;
	bool all_pending;              /* cleared (an action added) in it */
	struct slot slots[SLOTS];
};

struct action_cache *action_cache_new(void)
{
	return xcalloc(1, sizeof(struct action_cache));
}

void action_cache_free(struct action_cache *c)
{
	if (c == NULL)
		return;
	action_cache_clear(c);
	free(c);
}

/* plan \x1f ref \x1f as_of; 0 if it does not fit (not kept then). */
static size_t make_key(char *out, const char *plan, const char *ref, const char *as_of)
{
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

static struct slot *slot_of(struct action_cache *c, const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
	return &c->slots[h & (SLOTS - 1)];
}

static void slot_empty(struct action_cache *c, size_t i)
{
	struct slot *s = &c->slots[i];
	if (s->reply)
		pb__action_reply__free_unpacked(s->reply, NULL);
	s->reply = NULL;
	s->key_len = 0;
	c->action_id[i] = 0;
}

const Pb__ActionReply *action_cache_get(struct action_cache *c, const char *plan, const char *ref, const char *as_of,
					uint64_t *gen)
{
	char key[KEY_MAX];
	size_t len = make_key(key, plan, ref, as_of);
	if (len == 0)
		return NULL;
	struct slot *s = slot_of(c, key, len);
	if (s->reply == NULL || s->key_len != len || memcmp(s->key, key, len) != 0)
		return NULL;
	if (s->epoch != c->epoch[c->action_id[s - c->slots] & (EPOCHS - 1)])
		return NULL;   /* its action was written since */
	*gen = s->gen;
	return s->reply;
}

void action_cache_put(struct action_cache *c, const char *plan, const char *ref, const char *as_of, int64_t action_id,
		      uint64_t gen, const Pb__ActionReply *r)
{
	char key[KEY_MAX];
	size_t len = make_key(key, plan, ref, as_of);
	size_t size = pb__action_reply__get_packed_size(r);
	unsigned b = (unsigned)(action_id & (EPOCHS - 1));
	if (len == 0 || size > MAX_PACKED || c->all_pending || (c->pending[b / 8] & (1u << (b % 8))))
		return;
	/* Pack and unpack: one malloc'd tree that owns all its strings. */
	uint8_t *buf = xmalloc(size ? size : 1);
	pb__action_reply__pack(r, buf);
	Pb__ActionReply *copy = pb__action_reply__unpack(NULL, size, buf);
	free(buf);
	if (copy == NULL)
		return;
	struct slot *s = slot_of(c, key, len);
	size_t i = (size_t)(s - c->slots);
	slot_empty(c, i);
	memcpy(s->key, key, len);
	s->key_len = len;
	s->reply = copy;
	s->gen = gen;
	s->epoch = c->epoch[action_id & (EPOCHS - 1)];
	c->action_id[i] = action_id;
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
	for (size_t i = 0; i < SLOTS; i++)
		if (c->action_id[i] != 0)
			slot_empty(c, i);
	c->all_pending = true;
}

/* action_rows.c: current rows of actions kept for the writer (see
 * action_rows.h). */
#include "action_rows.h"
#include "store.h"
#include "util.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SETS 1024                  /* a power of two */
#define WAYS 4                     /* 4,096 rows at most */
#define KEY_MAX 128                /* plan (64) + ref (32) + separators */
#define TEXT_MAX (8u << 10)        /* a row with longer text is not kept */
#define EPOCHS 1024                /* a power of two */

/* The text fields of an Action, copied with the row. */
static const size_t text_fields[] = {
	offsetof(Pb__Action, plan),       offsetof(Pb__Action, ref),        offsetof(Pb__Action, theme),
	offsetof(Pb__Action, title),      offsetof(Pb__Action, description), offsetof(Pb__Action, owner),
	offsetof(Pb__Action, locality),   offsetof(Pb__Action, due_date),   offsetof(Pb__Action, created_at),
	offsetof(Pb__Action, updated_at), offsetof(Pb__Action, updated_by), offsetof(Pb__Action, assigned_to),
};
#define N_TEXT (sizeof text_fields / sizeof text_fields[0])

static char **text_field(Pb__Action *x, size_t i)
{
	return (char **)((char *)x + text_fields[i]);
}

/* One malloc: the row (its strings point into `bytes`), then the key and
 * the strings. */
struct entry {
	struct action_row row;
	Pb__Action action;
	size_t key_len;
	char bytes[];
};

struct slot {
	struct entry *e;               /* NULL: empty */
	uint64_t used;                 /* tick of the last get or put */
	uint64_t epoch;                /* of its action's bucket when kept */
	uint64_t cleared;              /* the table's clear count when kept */
};

/* Forgetting an action bumps the epoch of its bucket: its slot (and
 * those of the few actions sharing the bucket) no longer match, in O(1). */
struct action_rows {
	struct store *st;
	uint64_t rollbacks;            /* store_rollbacks(st) when last looked */
	/* 64 bits: a count that wrapped could match an old slot again. */
	uint64_t epoch[EPOCHS];
	uint64_t cleared;
	uint64_t tick;
	struct slot slots[SETS * WAYS];
};

static void forget(struct action_rows *r, int64_t action_id)
{
	r->epoch[action_id & (EPOCHS - 1)]++;
}

static void clear(struct action_rows *r)
{
	r->cleared++;
}

/* Every row written on the writer, by any statement of any handler. An
 * added action may make a ref asked without its plan ambiguous; codes of
 * plans, themes and localities are joined into every row. */
static void row_written(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	struct action_rows *r = arg;
	(void)db;
	if (strcmp(table, "action") == 0) {
		if (op == SQLITE_INSERT)
			clear(r);
		else
			forget(r, rowid);
	} else if (op != SQLITE_INSERT &&
		   (strcmp(table, "plan") == 0 || strcmp(table, "theme") == 0 || strcmp(table, "locality") == 0)) {
		clear(r);
	}
}

struct action_rows *action_rows_new(struct store *st)
{
	struct action_rows *r = xcalloc(1, sizeof *r);
	r->st = st;
	r->rollbacks = store_rollbacks(st);
	/* SQLite keeps one update hook per connection: another would
	 * silently end the forgetting. */
	if (sqlite3_update_hook(store_db(st), row_written, r) != NULL)
		fatal("action_rows: the writer already has an update hook");
	return r;
}

void action_rows_free(struct action_rows *r)
{
	if (r == NULL)
		return;
	sqlite3_update_hook(store_db(r->st), NULL, NULL);
	for (size_t i = 0; i < SETS * WAYS; i++)
		free(r->slots[i].e);
	free(r);
}

/* plan \x1f ref; 0 if it does not fit (not kept then). */
static size_t make_key(char *out, const char *plan, const char *ref)
{
	if (ref == NULL)
		return 0;
	size_t lp = plan ? strlen(plan) : 0, lr = strlen(ref);
	if (lp + lr + 2 > KEY_MAX)
		return 0;
	out[0] = plan ? 'p' : '-';     /* no plan and an empty one differ */
	memcpy(out + 1, plan ? plan : "", lp);
	out[1 + lp] = '\x1f';
	memcpy(out + 2 + lp, ref, lr);
	return lp + lr + 2;
}

static struct slot *set_of(struct action_rows *r, const char *key, size_t len)
{
	return &r->slots[(hash_bytes(key, len) & (SETS - 1)) * WAYS];
}

static bool slot_has(const struct slot *s, const char *key, size_t len)
{
	return s->e != NULL && s->e->key_len == len && memcmp(s->e->bytes, key, len) == 0;
}

static bool slot_stale(const struct action_rows *r, const struct slot *s)
{
	return s->epoch != r->epoch[s->e->row.id & (EPOCHS - 1)] || s->cleared != r->cleared;
}

/* A rollback since the last look may have undone rows kept since. */
static void notice_rollbacks(struct action_rows *r)
{
	uint64_t n = store_rollbacks(r->st);
	if (n != r->rollbacks) {
		r->rollbacks = n;
		clear(r);
	}
}

bool action_rows_get(struct action_rows *r, const char *plan, const char *ref, struct arena *a,
		     struct action_row *out)
{
	notice_rollbacks(r);
	char key[KEY_MAX];
	size_t len = make_key(key, plan, ref);
	if (len == 0)
		return false;
	struct slot *set = set_of(r, key, len);
	for (struct slot *s = set; s < set + WAYS; s++) {
		if (!slot_has(s, key, len))
			continue;
		if (slot_stale(r, s))
			return false;
		s->used = ++r->tick;
		/* Copied: the caller's update replaces this entry while its
		 * answer still points at the old strings. */
		*out = s->e->row;
		out->x = arena_new(a, Pb__Action);
		*out->x = s->e->action;
		for (size_t i = 0; i < N_TEXT; i++)
			*text_field(out->x, i) = arena_strdup(a, *text_field(out->x, i));
		return true;
	}
	return false;
}

/* The way for key: the one holding it, else an empty or stale one, else
 * the least recently used. */
static struct slot *way_for(struct action_rows *r, struct slot *set, const char *key, size_t len)
{
	struct slot *victim = set;
	uint64_t oldest = UINT64_MAX;
	for (struct slot *s = set; s < set + WAYS; s++) {
		if (s->e == NULL || slot_has(s, key, len))
			return s;
		uint64_t age = slot_stale(r, s) ? 0 : s->used;
		if (age < oldest) {
			oldest = age;
			victim = s;
		}
	}
	return victim;
}

void action_rows_put(struct action_rows *r, const char *plan, const char *ref, const struct action_row *row)
{
	notice_rollbacks(r);
	char key[KEY_MAX];
	size_t len = make_key(key, plan, ref), text = 0;
	if (len == 0)
		return;
	Pb__Action *x = row->x;
	for (size_t i = 0; i < N_TEXT; i++)
		if (*text_field(x, i) != NULL)
			text += strlen(*text_field(x, i)) + 1;
	if (text > TEXT_MAX)
		return;
	struct entry *e = xmalloc(sizeof *e + len + text);
	e->row = *row;
	e->action = *x;
	e->row.x = &e->action;
	e->key_len = len;
	memcpy(e->bytes, key, len);
	char *p = e->bytes + len;
	for (size_t i = 0; i < N_TEXT; i++) {
		const char *t = *text_field(x, i);
		if (t == NULL)
			continue;
		size_t n = strlen(t) + 1;
		memcpy(p, t, n);
		*text_field(&e->action, i) = p;
		p += n;
	}
	struct slot *s = way_for(r, set_of(r, key, len), key, len);
	free(s->e);
	s->e = e;
	s->used = ++r->tick;
	s->epoch = r->epoch[row->id & (EPOCHS - 1)];
	s->cleared = r->cleared;
}

/* ratelimit.c: failed-login throttling (see ratelimit.h). A small table
 * searched linearly: it holds only recent failures and is bounded. */
#include "ratelimit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char key[80];          /* "u:NAME" or "a:ADDRESS" */
	unsigned failures;
	time_t last;           /* last failure */
	time_t blocked_until;
};

struct login_limiter {
	struct entry e[LOGIN_MAX_ENTRIES];
	size_t n;
};

struct login_limiter *login_limiter_new(void)
{
	return xcalloc(1, sizeof(struct login_limiter));
}

void login_limiter_free(struct login_limiter *l)
{
	free(l);
}

static void make_key(char *out, size_t len, char kind, const char *s)
{
	snprintf(out, len, "%c:%s", kind, s);
}

/* The entry for key, or NULL; stale entries are dropped on the way. */
static struct entry *find(struct login_limiter *l, const char *key, time_t now)
{
	for (size_t i = 0; i < l->n; i++) {
		struct entry *e = &l->e[i];
		if (now - e->last > LOGIN_FORGET && now >= e->blocked_until) {
			l->e[i--] = l->e[--l->n];
			continue;
		}
		if (strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

static struct entry *find_or_add(struct login_limiter *l, const char *key, time_t now)
{
	struct entry *e = find(l, key, now);
	if (e != NULL)
		return e;
	if (l->n == LOGIN_MAX_ENTRIES) {
		size_t oldest = 0;
		for (size_t i = 1; i < l->n; i++)
			if (l->e[i].last < l->e[oldest].last)
				oldest = i;
		l->e[oldest] = l->e[--l->n];
	}
	e = &l->e[l->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->key, sizeof e->key, "%s", key);
	return e;
}

static unsigned wait_for(struct login_limiter *l, char kind, const char *s, time_t now)
{
	if (s == NULL)
		return 0;
	char key[80];
	make_key(key, sizeof key, kind, s);
	struct entry *e = find(l, key, now);
	return e && e->blocked_until > now ? (unsigned)(e->blocked_until - now) : 0;
}

unsigned login_wait(struct login_limiter *l, const char *user, const char *addr, time_t now)
{
	unsigned u = wait_for(l, 'u', user, now), a = wait_for(l, 'a', addr, now);
	return u > a ? u : a;
}

static void fail_one(struct login_limiter *l, char kind, const char *s, unsigned free_tries, time_t now)
{
	if (s == NULL)
		return;
	char key[80];
	make_key(key, sizeof key, kind, s);
	struct entry *e = find_or_add(l, key, now);
	e->failures++;
	e->last = now;
	if (e->failures >= free_tries) {
		unsigned excess = e->failures - free_tries;
		unsigned wait = excess >= 10 ? LOGIN_MAX_WAIT : 1u << excess;
		e->blocked_until = now + (wait > LOGIN_MAX_WAIT ? LOGIN_MAX_WAIT : wait);
	}
}

void login_failed(struct login_limiter *l, const char *user, const char *addr, time_t now)
{
	fail_one(l, 'u', user, LOGIN_FREE_PER_USER, now);
	fail_one(l, 'a', addr, LOGIN_FREE_PER_ADDR, now);
}

void login_succeeded(struct login_limiter *l, const char *user)
{
	char key[80];
	make_key(key, sizeof key, 'u', user);
	struct entry *e = find(l, key, 0);
	if (e != NULL)
		*e = l->e[--l->n];
}

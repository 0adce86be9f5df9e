/* ratelimit.h: failed-login throttling per user name and per source
 * address. After a few free attempts every further failure doubles the
 * wait before the next attempt is even checked (1 s, 2 s, 4 s ... up to
 * LOGIN_MAX_WAIT); failures are forgotten after LOGIN_FORGET seconds
 * without one. Kept in memory: a restart forgets, which only helps an
 * attacker who can restart the server. */
#ifndef PLANBOARD_RATELIMIT_H
#define PLANBOARD_RATELIMIT_H

#include <time.h>

#define LOGIN_FREE_PER_USER 5
#define LOGIN_FREE_PER_ADDR 20
#define LOGIN_MAX_WAIT 900
#define LOGIN_FORGET 900
#define LOGIN_MAX_ENTRIES 4096  /* memory bound; the oldest is evicted */

struct login_limiter;

struct login_limiter *login_limiter_new(void);
void login_limiter_free(struct login_limiter *l);
/* Seconds to wait before user (may be NULL) from addr may try again;
 * 0 if an attempt is allowed now. */
unsigned login_wait(struct login_limiter *l, const char *user, const char *addr, time_t now);
void login_failed(struct login_limiter *l, const char *user, const char *addr, time_t now);
/* A successful password login clears the user's failures (not the
 * address's: one good account must not reset a guessing address). */
void login_succeeded(struct login_limiter *l, const char *user);

#endif

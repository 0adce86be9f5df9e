/* log.h: one line per event on stderr, "time level message key=value...". */
#ifndef PLANBOARD_LOG_H
#define PLANBOARD_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERR };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)

/* Events a client (or a load) can cause by the thousand -- TLS handshakes,
 * broken framing, slow operations -- are logged at most every 10 s per
 * kind (one static gate each), with the number left out since. One
 * thread per gate. */
#include <stdbool.h>
#include <time.h>

struct log_gate {
	time_t last;
	unsigned long quiet;
};

/* True if this one may be logged; *quiet: how many were not since. */
bool log_gate_open(struct log_gate *g, unsigned long *quiet);

/* A loop-thread operation (a request, a commit, a wait for the write
 * lock) or a WAL sync taking at least this many ms is logged as slow:
 * every client waits for it. Default 50; set once at start (--slow-ms). */
void log_set_slow_ms(double ms);
double log_slow_ms(void);

#endif

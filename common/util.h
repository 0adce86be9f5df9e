/* util.h: allocation wrappers that abort, time and string helpers. */
#ifndef PLANBOARD_UTIL_H
#define PLANBOARD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
#define ISO_TIME_LEN 21
void time_to_iso(time_t t, char out[ISO_TIME_LEN]);
/* Today's date "YYYY-MM-DD" in UTC. */
void today_date(char out[11]);
/* Parse "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight); -1 on error. */
int iso_to_time(const char *s, time_t *out);
/* Milliseconds on the monotonic clock, for measuring durations. */
double mono_ms(void);
/* FNV-1a of n bytes: the in-memory caches' keys to sets. */
uint64_t hash_bytes(const void *p, size_t n);

/* Growable byte buffer. */
struct buf {
	uint8_t *data;
	size_t len, cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

#endif

/* log.c: timestamped log lines to stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static double slow_ms = 50;

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	if (level < min_level)
		return;
	struct timeval tv;
	struct tm tm;
	char stamp[32];
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line so concurrent writers do not interleave. */
	fprintf(stderr, "%s.%03dZ %s %s\n", stamp, (int)(tv.tv_usec / 1000), names[level], line);
}

bool log_gate_open(struct log_gate *g, unsigned long *quiet)
{
	time_t now = time(NULL);
	if (g->last != 0 && now - g->last < 10) {
		g->quiet++;
		return false;
	}
	*quiet = g->quiet;
	g->quiet = 0;
	g->last = now;
	return true;
}

void log_set_slow_ms(double ms)
{
	slow_ms = ms;
}

double log_slow_ms(void)
{
	return slow_ms;
}

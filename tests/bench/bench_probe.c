/* bench_probe.c: the in-process SQLite probe (what one durable commit costs
 * on this disk, the yardstick for group commit), server RSS from /proc,
 * and the descriptor limit. */
#include "bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
	return -1;
}

double probe_sqlite(const char *dir, double secs, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/planboard-bench-probe-%ld.db", dir, (long)getpid());
	sqlite3 *db = NULL;
	double rate = -1;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s", path);
		goto out;
	}
	/* The server's settings: WAL, synchronous=FULL; one row per commit. */
	if (exec(db, "PRAGMA journal_mode=WAL", err, errlen) || exec(db, "PRAGMA synchronous=FULL", err, errlen) ||
	    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)", err, errlen))
		goto out;
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES ('probe row: a short text like a note')", -1, &s, NULL);
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(secs * 1e9), n = 0, now;
	do {
		/* Autocommit: each INSERT is its own durable transaction. */
		if (sqlite3_step(s) != SQLITE_DONE) {
			snprintf(err, errlen, "insert: %s", sqlite3_errmsg(db));
			sqlite3_finalize(s);
			goto out;
		}
		sqlite3_reset(s);
		n++;
		now = now_ns();
	} while (now < end);
	sqlite3_finalize(s);
	rate = (double)n / ((double)(now - t0) / 1e9);
out:
	sqlite3_close(db);
	char extra[4200];
	unlink(path);
	snprintf(extra, sizeof extra, "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof extra, "%s-shm", path);
	unlink(extra);
	return rate;
}

long rss_kib(long pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	long kib = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

long raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

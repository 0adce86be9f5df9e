/* checkpoint.c: the checkpoint thread (see checkpoint.h). */
#include "checkpoint.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Idle this long (no commit) with frames in the WAL: copy them all and
 * truncate the WAL file, or, if the file is large, start the WAL over
 * (RESTART: the next writes overwrite it from its start) and truncate it
 * only after the longer wait. Truncating a file frees its blocks and page
 * cache while holding the write lock: ~0.3 ms per MB here (38 ms for
 * 142 MB, 200 ms for 512 MB), which a write arriving meanwhile waits
 * for; a RESTART with everything copied takes well under a millisecond. */
#define IDLE_SECONDS 5
#define IDLE_TRUNCATE_LARGE_SECONDS 60
#define LARGE_WAL_BYTES (32LL << 20)

struct checkpointer {
	sqlite3 *db;              /* the thread's own connection */
	sqlite3 *loop_db;
	unsigned wal_pages;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool wanted;              /* under mu: the WAL passed the threshold */
	bool stop;                /* under mu */
	atomic_bool signalled;    /* cheap check on the loop's side */
	atomic_int wal_frames;    /* after the last commit */
	atomic_int mark;          /* WAL frames when the last checkpoint ran */
	atomic_llong last_commit; /* CLOCK_MONOTONIC seconds */
	long long restarted_idle; /* last_commit when an idle RESTART ran */
	atomic_ullong count;
};

static long long mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* Runs on the loop thread after every commit: only a flag and, past the
 * threshold, one signal. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct checkpointer *cp = arg;
	atomic_store(&cp->wal_frames, frames);
	atomic_store(&cp->last_commit, mono_seconds());
	int mark = atomic_load(&cp->mark);
	if (frames < mark)
		mark = 0; /* the WAL was restarted from its beginning */
	if ((unsigned)(frames - mark) >= cp->wal_pages && !atomic_exchange(&cp->signalled, true)) {
		pthread_mutex_lock(&cp->mu);
		cp->wanted = true;
		pthread_cond_signal(&cp->cond);
		pthread_mutex_unlock(&cp->mu);
	}
	return SQLITE_OK;
}

static const char *mode_name(int mode)
{
	return mode == SQLITE_CHECKPOINT_PASSIVE ? "passive" : mode == SQLITE_CHECKPOINT_RESTART ? "restart" : "truncate";
}

/* 0 if done; the WAL's frames in *frames. */
static int checkpoint(struct checkpointer *cp, int mode, int *frames)
{
	int log_frames = 0, done = 0;
	double started = mono_ms();
	int rc = sqlite3_wal_checkpoint_v2(cp->db, NULL, mode, &log_frames, &done);
	double ms = mono_ms() - started;
	*frames = log_frames;
	if (rc == SQLITE_OK) {
		atomic_fetch_add(&cp->count, 1);
		atomic_store(&cp->mark, mode == SQLITE_CHECKPOINT_PASSIVE ? log_frames : 0);
		if (mode == SQLITE_CHECKPOINT_TRUNCATE)
			atomic_store(&cp->wal_frames, 0);
		/* RESTART and TRUNCATE hold the write lock: writes wait. */
		static struct log_gate gate;   /* this thread's own */
		unsigned long quiet;
		if (mode != SQLITE_CHECKPOINT_PASSIVE && ms >= log_slow_ms() && log_gate_open(&gate, &quiet))
			log_warn("slow checkpoint mode=%s ms=%.1f wal_frames=%d (writes waited; %lu more not logged)",
				 mode_name(mode), ms, log_frames, quiet);
		else
			log_debug("checkpoint mode=%s ms=%.1f wal_frames=%d copied=%d", mode_name(mode), ms, log_frames,
				  done);
		return 0;
	}
	if (rc != SQLITE_BUSY)
		log_warn("checkpoint failed mode=%s error=\"%s\"", mode_name(mode), sqlite3_errmsg(cp->db));
	return -1;
}

/* Waiting for the write lock: the loop holds it from the first write of
 * an iteration to its commit, so it is free only in short gaps; poll
 * often (SQLite's own busy timeout sleeps whole milliseconds and more,
 * and would miss them), for at most about 100 ms. */
static int spin_busy(void *arg, int tries)
{
	(void)arg;
	if (tries >= 1000)
		return 0;
	struct timespec ts = { 0, 50 * 1000 };
	nanosleep(&ts, NULL);
	return 1;
}

/* A PASSIVE checkpoint never blocks the loop, but under steady writes the
 * WAL is never found fully copied when a write begins, so SQLite never
 * starts it over and it grows without end (hundreds of MB while seeding).
 * Past 16 thresholds (512 MB of WAL at the default 8,000 pages), RESTART
 * it: that holds the write lock to copy the frames written since the
 * PASSIVE one and to sync the database file (a disk cache flush, a few
 * ms), and writes wait for it. Rare restarts keep that out of all but the
 * slowest 0.1% of updates (measured: p99.9 20 ms at 4 thresholds, 13 ms
 * at 16, durable updates at 50 connections); reads do not wait. */
static void passive_then_restart(struct checkpointer *cp)
{
	int frames;
	if (checkpoint(cp, SQLITE_CHECKPOINT_PASSIVE, &frames) != 0 || (unsigned)frames < 16 * cp->wal_pages)
		return;
	sqlite3_busy_handler(cp->db, spin_busy, NULL);
	checkpoint(cp, SQLITE_CHECKPOINT_RESTART, &frames);
	sqlite3_busy_timeout(cp->db, 100);
}

static long long wal_file_bytes(struct checkpointer *cp)
{
	struct stat sb;
	const char *wal = sqlite3_filename_wal(sqlite3_db_filename(cp->db, "main"));
	return wal != NULL && stat(wal, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* No commit for a while: copy the rest of the WAL and shrink the file
 * (see IDLE_SECONDS). Each waits for the write lock at most briefly
 * (busy timeout), and only now. */
static void when_idle(struct checkpointer *cp)
{
	long long last = atomic_load(&cp->last_commit), idle = mono_seconds() - last;
	int frames;
	if (idle < IDLE_SECONDS)
		return;
	if (wal_file_bytes(cp) <= LARGE_WAL_BYTES || idle >= IDLE_TRUNCATE_LARGE_SECONDS) {
		checkpoint(cp, SQLITE_CHECKPOINT_TRUNCATE, &frames);
	} else if (cp->restarted_idle != last && checkpoint(cp, SQLITE_CHECKPOINT_RESTART, &frames) == 0) {
		cp->restarted_idle = last;
	}
}

/* Checkpoints are background work: on a busy machine they should take
 * the CPU the loop and the sync thread leave, not share it with them
 * (measured: update p99 at 50 connections 3.9-4.7 -> 2.9-3.3 ms on two
 * cores). Linux gives each thread its own nice value. A RESTART holding
 * the write lock still runs: the loop it blocks sleeps meanwhile. */
#define CHECKPOINT_NICE 10

static void *run(void *arg)
{
	struct checkpointer *cp = arg;
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), CHECKPOINT_NICE) != 0)
		log_debug("checkpoint thread: setpriority: %s", strerror(errno));
	pthread_mutex_lock(&cp->mu);
	while (!cp->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		while (!cp->wanted && !cp->stop)
			if (pthread_cond_timedwait(&cp->cond, &cp->mu, &until) == ETIMEDOUT)
				break;
		if (cp->stop)
			break;
		bool wanted = cp->wanted;
		cp->wanted = false;
		pthread_mutex_unlock(&cp->mu);
		if (wanted) {
			atomic_store(&cp->signalled, false);
			passive_then_restart(cp);
		} else if (atomic_load(&cp->wal_frames) > 0) {
			when_idle(cp);
		}
		pthread_mutex_lock(&cp->mu);
	}
	pthread_mutex_unlock(&cp->mu);
	return NULL;
}

struct checkpointer *checkpointer_start(const char *path, sqlite3 *loop_db, unsigned wal_pages, char **err)
{
	*err = NULL;
	if (strcmp(path, ":memory:") == 0 || strstr(path, "mode=memory") != NULL)
		return NULL;
	struct checkpointer *cp = xcalloc(1, sizeof *cp);
	cp->loop_db = loop_db;
	cp->wal_pages = wal_pages ? wal_pages : 1000;
	atomic_store(&cp->last_commit, mono_seconds());
	if (sqlite3_open_v2(path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		*err = xasprintf("checkpoint connection to %s: %s", path,
				 cp->db ? sqlite3_errmsg(cp->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(cp->db, 100);
	/* A connection knows the file is in WAL mode only once it has read
	 * it; until then a checkpoint does nothing. */
	if (sqlite3_exec(cp->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
		*err = xasprintf("checkpoint connection to %s: %s", path, sqlite3_errmsg(cp->db));
		goto fail;
	}
	/* The loop never checkpoints by itself any more. */
	if (sqlite3_exec(loop_db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL) != SQLITE_OK) {
		*err = xasprintf("PRAGMA wal_autocheckpoint: %s", sqlite3_errmsg(loop_db));
		goto fail;
	}
	pthread_mutex_init(&cp->mu, NULL);
	pthread_cond_init(&cp->cond, NULL);
	if (pthread_create(&cp->thread, NULL, run, cp) == 0) {
		/* Named for top -H, perf and /proc/PID/task/TID/comm. */
		pthread_setname_np(cp->thread, "pb-checkpoint");
	} else {
		*err = xstrdup("cannot start the checkpoint thread");
		pthread_mutex_destroy(&cp->mu);
		pthread_cond_destroy(&cp->cond);
		goto fail;
	}
	sqlite3_wal_hook(loop_db, wal_hook, cp);
	return cp;
fail:
	sqlite3_exec(loop_db, "PRAGMA wal_autocheckpoint = 1000", NULL, NULL, NULL);
	sqlite3_close(cp->db);
	free(cp);
	return NULL;
}

void checkpointer_stop(struct checkpointer *cp)
{
	if (cp == NULL)
		return;
	sqlite3_wal_hook(cp->loop_db, NULL, NULL);
	pthread_mutex_lock(&cp->mu);
	cp->stop = true;
	pthread_cond_signal(&cp->cond);
	pthread_mutex_unlock(&cp->mu);
	pthread_join(cp->thread, NULL);
	pthread_mutex_destroy(&cp->mu);
	pthread_cond_destroy(&cp->cond);
	sqlite3_close(cp->db);
	free(cp);
}

uint64_t checkpointer_count(const struct checkpointer *cp)
{
	return cp ? atomic_load(&((struct checkpointer *)cp)->count) : 0;
}

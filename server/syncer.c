/* syncer.c: a thread that runs fdatasync on the WAL file (see syncer.h).
 *
 * fdatasync works on the file, not the descriptor: our own descriptor of
 * the -wal file flushes what SQLite's connection wrote through its own.
 * SQLite never deletes or replaces the WAL file while the loop's
 * connection is open (checkpoints truncate it in place). */
#include "syncer.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct syncer {
	int wal_fd;
	int wake_fd;                 /* eventfd: the thread -> the loop */
	struct event *wake_ev;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	uint64_t wanted, synced;     /* generations, under mu */
	bool stop;
	atomic_bool fresh;           /* synced moved since done last ran */
	void (*done)(void *arg, uint64_t gen);
	void *arg;
	/* Work that waits for a generation to be durable, run by this
	 * thread right after the sync that covers it (under mu; in gen
	 * order). */
	struct after_sync *after, **after_tail;
	void (*run_after)(void *arg, void *work);
	void *after_arg;
};

struct after_sync {
	struct after_sync *next;
	uint64_t gen;
	void *work;
};

/* Hand every piece of work up to gen to run_after (mu held on entry and
 * exit, released while it runs). */
static void run_after_upto(struct syncer *s, uint64_t gen)
{
	while (s->after != NULL && s->after->gen <= gen) {
		struct after_sync *a = s->after;
		s->after = a->next;
		if (s->after == NULL)
			s->after_tail = &s->after;
		pthread_mutex_unlock(&s->mu);
		s->run_after(s->after_arg, a->work);
		free(a);
		pthread_mutex_lock(&s->mu);
	}
}

/* An fdatasync that fails may have dropped the dirty pages (Linux marks
 * them clean): nothing written since the last good sync can be promised
 * any more. Like PostgreSQL, stop; SQLite recovers from the WAL on the
 * next start, and no client was told a lost change was saved. */
static void sync_or_die(int fd)
{
	while (fdatasync(fd) != 0) {
		if (errno != EINTR)
			fatal("fdatasync of the WAL failed: %s; stopping so no unsaved change is reported saved",
			      strerror(errno));
	}
}

/* A sync request wakes this thread, and until it runs the next group's
 * commit waits on disk: the thread asks Linux (EEVDF, 6.12 and later) for
 * a short time slice, 100 us instead of the default 3 ms or so, which
 * lets it preempt the busy loop, sender and clients as soon as it wakes
 * and gives it no more CPU than before (it sleeps most of the time).
 * Measured on the benchmark: from a sync request to the fdatasync 130 ->
 * 20 us on average. Unprivileged; older kernels ignore the slice or
 * refuse it, and then the thread runs as before. */
struct slice_attr {   /* the kernel's struct sched_attr (linux/sched/types.h,
			       * which clashes with glibc's sched.h) */
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

static void ask_short_slice(void)
{
	if (sched_getscheduler(0) != SCHED_OTHER)
		return;   /* an operator's real-time or batch policy stays */
	/* The call sets the nice value too: keep the one the thread has. */
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	if (nice == -1 && errno != 0)
		return;
	struct slice_attr a = { .size = sizeof a, .sched_policy = 0 /* SCHED_OTHER */, .sched_nice = nice,
				.sched_runtime = 100 * 1000 };
	if (syscall(SYS_sched_setattr, 0, &a, 0) != 0)
		log_debug("sync thread: sched_setattr (short slice): %s", strerror(errno));
}

static void *run(void *arg)
{
	struct syncer *s = arg;
	ask_short_slice();
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->wanted == s->synced && !s->stop)
			pthread_cond_wait(&s->cond, &s->mu);
		if (s->wanted == s->synced && s->stop)
			break;
		uint64_t gen = s->wanted;   /* every commit up to it was written */
		pthread_mutex_unlock(&s->mu);
		double started = mono_ms();
		sync_or_die(s->wal_fd);
		double ms = mono_ms() - started;
		static struct log_gate gate;   /* this thread's own */
		unsigned long quiet;
		if (ms >= log_slow_ms() && log_gate_open(&gate, &quiet))
			log_warn("slow fdatasync of the WAL ms=%.1f (%lu more not logged)", ms, quiet);
		pthread_mutex_lock(&s->mu);
		s->synced = gen;
		/* The answers first: the loop's bookkeeping can follow. */
		run_after_upto(s, gen);
		atomic_store(&s->fresh, true);
		uint64_t one = 1;
		if (write(s->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
			fatal("cannot wake the loop: %s", strerror(errno));
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* On the loop: tell done() how far the syncs have got. */
static void report_synced(struct syncer *s)
{
	pthread_mutex_lock(&s->mu);
	uint64_t gen = s->synced;
	pthread_mutex_unlock(&s->mu);
	s->done(s->arg, gen);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct syncer *s = arg;
	uint64_t n;
	if (read(fd, &n, sizeof n) < 0)
		return;
	atomic_store(&s->fresh, false);
	report_synced(s);
}

struct syncer *syncer_start(struct event_base *base, const char *wal_path,
			    void (*done)(void *arg, uint64_t gen), void *arg, char **err)
{
	struct syncer *s = xcalloc(1, sizeof *s);
	s->wal_fd = s->wake_fd = -1;
	s->done = done;
	s->arg = arg;
	s->after_tail = &s->after;
	if ((s->wal_fd = open(wal_path, O_RDWR | O_CLOEXEC)) < 0) {
		*err = xasprintf("cannot open the WAL %s: %s", wal_path, strerror(errno));
		goto fail;
	}
	if ((s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		*err = xasprintf("eventfd: %s", strerror(errno));
		goto fail;
	}
	s->wake_ev = event_new(base, s->wake_fd, EV_READ | EV_PERSIST, wake_cb, s);
	/* Before the reads of the next turn: the answers are ready. */
	event_priority_set(s->wake_ev, 0);
	event_add(s->wake_ev, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, run, s) == 0) {
		/* Named for top -H, perf and /proc/PID/task/TID/comm. */
		pthread_setname_np(s->thread, "pb-sync");
	} else {
		*err = xstrdup("cannot start the sync thread");
		event_free(s->wake_ev);
		goto fail;
	}
	return s;
fail:
	if (s->wal_fd >= 0)
		close(s->wal_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	free(s);
	return NULL;
}

bool syncer_poll(struct syncer *s)
{
	/* The eventfd stays set: wake_cb runs later and finds nothing new. */
	if (!atomic_load_explicit(&s->fresh, memory_order_relaxed) || !atomic_exchange(&s->fresh, false))
		return false;
	report_synced(s);
	return true;
}

void syncer_set_after(struct syncer *s, void (*run_after)(void *arg, void *work), void *arg)
{
	s->run_after = run_after;
	s->after_arg = arg;
}

void syncer_request(struct syncer *s, uint64_t gen, void *work)
{
	struct after_sync *a = NULL;
	if (work != NULL) {
		a = xmalloc(sizeof *a);
		*a = (struct after_sync){ .gen = gen, .work = work };
	}
	pthread_mutex_lock(&s->mu);
	if (a != NULL) {
		*s->after_tail = a;
		s->after_tail = &a->next;
		run_after_upto(s, s->synced);   /* (never the case: a new commit) */
	}
	if (gen > s->wanted) {
		s->wanted = gen;
		pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->mu);
}

int syncer_sync_now(struct syncer *s)
{
	sync_or_die(s->wal_fd);
	return 0;
}

void syncer_stop(struct syncer *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	event_free(s->wake_ev);
	close(s->wal_fd);
	close(s->wake_fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s);
}

/* syncer.h: the WAL's fdatasync off the loop thread.
 *
 * The loop's connection commits with synchronous=NORMAL (the COMMIT writes
 * the WAL frames but does not sync them) and asks this thread to sync;
 * the responses of that commit, and of reads that may have seen it, are
 * held until the sync is done: handed with the request, to be sent by
 * this thread right after it (syncer_set_after), or released by the loop
 * when it hears of it. The loop meanwhile goes on reading
 * and running requests instead of waiting for the disk. One sync covers
 * every commit made before it started. */
#ifndef PLANBOARD_SYNCER_H
#define PLANBOARD_SYNCER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct syncer;

/* done(arg, gen) runs on the loop thread once every commit up to
 * generation `gen` is on disk. NULL with *err (free it) on failure. */
struct syncer *syncer_start(struct event_base *base, const char *wal_path,
			    void (*done)(void *arg, uint64_t gen), void *arg, char **err);
/* The loop's quick look between connections: if a sync ended since done
 * last ran, run done now (true) rather than when the loop gets round to
 * the wake-up event, which waits for every callback already active in
 * the loop's turn: on the benchmark a tenth of a millisecond per sync,
 * with the next group's commit and sync waiting behind it. One atomic
 * load when nothing ended. */
bool syncer_poll(struct syncer *s);
/* run_after(arg, work) runs on the sync thread for the work given with a
 * request, right after the sync that makes its generation durable (in
 * generation order; before the loop is woken for that sync, though the
 * loop may see it sooner through syncer_poll): the loop hands over the
 * answers of a commit with its sync request, and they go out without
 * waiting for the loop to notice the sync. Set it before the first
 * request; work still waiting at syncer_stop runs before it returns. */
void syncer_set_after(struct syncer *s, void (*run_after)(void *arg, void *work), void *arg);
/* Make everything written so far durable; report it as generation gen.
 * work (NULL: none) goes to run_after once it is. */
void syncer_request(struct syncer *s, uint64_t gen, void *work);
/* Sync on the calling (loop) thread, now. 0 or -1 (errno set). */
int syncer_sync_now(struct syncer *s);
void syncer_stop(struct syncer *s);

#endif

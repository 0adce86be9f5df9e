/* sender.h: writing released answers to their sockets off the loop thread.
 *
 * Once a group commit is on disk, its answers (one per connection, ~25 at
 * a time under load) are due at once. Each send to a loopback or LAN peer
 * runs the TCP stack, and on loopback the peer's receive path too: a fifth
 * of the loop's time per durable write. The group comes to this thread in
 * one call, from the sync thread the moment it is synced (the loop made
 * the jobs when it committed) or from the loop for what it releases
 * itself, and the loop goes on reading and running requests; the thread
 * reports what it could not send (a full socket) and the loop finishes
 * that through libevent as usual.
 *
 * sender_submit may be called from any thread. Only plain TCP connections
 * with nothing else queued are handed over; the
 * loop never writes to a socket while a job for it is out, and never closes
 * it (conn.c keeps the connection until the job comes back). */
#ifndef PLANBOARD_SENDER_H
#define PLANBOARD_SENDER_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

struct send_job {
	struct send_job *next;
	void *owner;            /* the loop's (a connection): never touched by the thread */
	int fd;
	const uint8_t *data;
	size_t len;
	size_t sent;            /* bytes the thread wrote */
	int err;                /* errno of a failed send other than EAGAIN; 0 */
	void *storage;          /* freed by the loop once done */
};

struct sender;

/* done(arg, job) runs on the loop thread for each finished job, in the
 * order they were submitted. NULL with *err (free it) on failure. */
struct sender *sender_start(struct event_base *base, void (*done)(void *arg, struct send_job *job), void *arg,
			    char **err);
/* Queue a list of jobs (linked through next) with one wake-up. */
void sender_submit(struct sender *s, struct send_job *jobs);
/* Finish every queued job, report them (on the calling thread) and stop. */
void sender_stop(struct sender *s);

#endif

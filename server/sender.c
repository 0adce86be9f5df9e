/* sender.c: the thread that writes released answers (see sender.h). */
#include "sender.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

struct sender {
	int wake_fd;                 /* eventfd: the thread -> the loop */
	struct event *wake_ev;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct send_job *todo, **todo_tail;   /* under mu */
	struct send_job *done, **done_tail;   /* under mu */
	bool stop;
	void (*report)(void *arg, struct send_job *job);
	void *arg;
};

/* Write as much as the socket takes now; never block (the socket is
 * non-blocking, and MSG_DONTWAIT says so again). What is left goes back
 * to the loop, which waits for the socket like any other output. */
static void send_job_run(struct send_job *j)
{
	while (j->sent < j->len) {
		ssize_t n = send(j->fd, j->data + j->sent, j->len - j->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			j->sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			j->err = errno;
		break;
	}
}

static void *run(void *arg)
{
	struct sender *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->todo == NULL && !s->stop)
			pthread_cond_wait(&s->cond, &s->mu);
		if (s->todo == NULL)
			break;   /* stopping, and nothing left to send */
		struct send_job *list = s->todo, **tail = s->todo_tail;
		s->todo = NULL;
		s->todo_tail = &s->todo;
		pthread_mutex_unlock(&s->mu);
		for (struct send_job *j = list; j != NULL; j = j->next)
			send_job_run(j);
		pthread_mutex_lock(&s->mu);
		bool wake = s->done == NULL;   /* else a wake-up is already owed */
		*s->done_tail = list;
		s->done_tail = tail;
		uint64_t one = 1;
		if (wake && write(s->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
			fatal("cannot wake the loop: %s", strerror(errno));
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Report every finished job, in order, on the calling (loop) thread. */
static void report_done(struct sender *s)
{
	pthread_mutex_lock(&s->mu);
	struct send_job *list = s->done;
	s->done = NULL;
	s->done_tail = &s->done;
	pthread_mutex_unlock(&s->mu);
	while (list != NULL) {
		struct send_job *next = list->next;
		s->report(s->arg, list);
		list = next;
	}
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	uint64_t n;
	if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
		log_warn("reading the sender's wake-up: %s", strerror(errno));
	report_done(arg);
}

struct sender *sender_start(struct event_base *base, void (*done)(void *arg, struct send_job *job), void *arg,
			    char **err)
{
	struct sender *s = xcalloc(1, sizeof *s);
	s->report = done;
	s->arg = arg;
	s->todo_tail = &s->todo;
	s->done_tail = &s->done;
	if ((s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		*err = xasprintf("eventfd: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->wake_ev = event_new(base, s->wake_fd, EV_READ | EV_PERSIST, wake_cb, s);
	if (s->wake_ev == NULL) {
		*err = xstrdup("cannot create the sender's wake-up event");
		close(s->wake_fd);
		free(s);
		return NULL;
	}
	/* With the connections' own events: a finished send lets the
	 * connection's next answers out. */
	event_priority_set(s->wake_ev, 0);
	event_add(s->wake_ev, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		*err = xstrdup("cannot start the sender thread");
		event_free(s->wake_ev);
		close(s->wake_fd);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cond);
		free(s);
		return NULL;
	}
	/* Named for top -H, perf and /proc/PID/task/TID/comm. */
	pthread_setname_np(s->thread, "pb-send");
	return s;
}

void sender_submit(struct sender *s, struct send_job *jobs)
{
	if (jobs == NULL)
		return;
	struct send_job **tail = &jobs;
	while (*tail != NULL)
		tail = &(*tail)->next;
	pthread_mutex_lock(&s->mu);
	bool idle = s->todo == NULL;
	*s->todo_tail = jobs;
	s->todo_tail = tail;
	if (idle)
		pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

void sender_stop(struct sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	report_done(s);
	event_free(s->wake_ev);
	close(s->wake_fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s);
}

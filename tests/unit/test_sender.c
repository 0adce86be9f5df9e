/* test_sender.c: the sender thread writes each job's bytes to its socket
 * and reports the jobs on the loop, in order, with one wake-up for a
 * batch; a socket that fills reports how much went (the rest is the
 * loop's); a peer that has gone reports its errno (no SIGPIPE); stopping
 * finishes and reports the jobs still queued. Real sockets (socketpair)
 * and a real event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <event2/event.h>

#include "sender.h"

#define MAX_DONE 64

static struct send_job *done[MAX_DONE];
static int n_done;

static void on_done(void *arg, struct send_job *j)
{
	(void)arg;
	assert_true(n_done < MAX_DONE);
	done[n_done++] = j;
}

/* Each test: a loop (three priorities, as the server's) and a sender. */
struct fixture {
	struct event_base *base;
	struct sender *s;   /* NULL once the test stopped it */
};

static int setup(void **state)
{
	n_done = 0;
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	event_base_priority_init(f->base, 3);
	char *err = NULL;
	f->s = sender_start(f->base, on_done, NULL, &err);
	assert_non_null(f->s);
	assert_null(err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sender_stop(f->s);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* A connected pair; the first end non-blocking, like a server socket. */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);
}

static struct send_job *job(int fd, const void *data, size_t len, void *owner)
{
	struct send_job *j = calloc(1, sizeof *j);
	assert_non_null(j);
	j->fd = fd;
	j->data = data;
	j->len = len;
	j->owner = owner;
	return j;
}

/* Run the loop until `want` jobs have been reported (5 s at most). */
static void run_until(struct event_base *base, int want)
{
	for (int i = 0; i < 500 && n_done < want; i++) {
		struct timeval tv = { 0, 10000 };
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	assert_int_equal(n_done, want);
}

static void read_exactly(int fd, char *out, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, out + got, len - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
}

static void test_sends_and_reports_in_order(void **state)
{
	struct fixture *f = *state;
	struct event_base *base = f->base;
	struct sender *s = f->s;
	int a[2], b[2];
	pair(a);
	pair(b);
	struct send_job *j1 = job(a[0], "first answer", 12, "A");
	struct send_job *j2 = job(b[0], "second", 6, "B");
	struct send_job *j3 = job(a[0], "+third", 6, "A");
	j1->next = j2;
	j2->next = j3;
	sender_submit(s, j1);
	run_until(base, 3);
	assert_ptr_equal(done[0], j1);
	assert_ptr_equal(done[1], j2);
	assert_ptr_equal(done[2], j3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(done[i]->sent, done[i]->len);
		assert_int_equal(done[i]->err, 0);
	}
	char buf[32] = { 0 };
	read_exactly(a[1], buf, 18);
	assert_string_equal(buf, "first answer+third");
	memset(buf, 0, sizeof buf);
	read_exactly(b[1], buf, 6);
	assert_string_equal(buf, "second");
	/* A second batch after the first is reported. */
	struct send_job *j4 = job(b[0], "again", 5, "B");
	sender_submit(s, j4);
	run_until(base, 4);
	assert_ptr_equal(done[3], j4);
	memset(buf, 0, sizeof buf);
	read_exactly(b[1], buf, 5);
	assert_string_equal(buf, "again");
	sender_submit(s, NULL);   /* nothing: no job, no report */
	sender_stop(s);
	f->s = NULL;
	assert_int_equal(n_done, 4);
	for (int i = 0; i < n_done; i++)
		free(done[i]);
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
}

/* A peer that does not read: the job reports what fit, without blocking,
 * and every byte it reports sent arrives, in order. */
static void test_full_socket_reports_partial(void **state)
{
	struct fixture *f = *state;
	struct event_base *base = f->base;
	struct sender *s = f->s;
	int sv[2];
	pair(sv);
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	size_t len = 4 << 20;
	unsigned char *data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	sender_submit(s, job(sv[0], data, len, NULL));
	run_until(base, 1);
	struct send_job *j = done[0];
	assert_int_equal(j->err, 0);
	assert_true(j->sent > 0);
	assert_true(j->sent < len);
	unsigned char *got = malloc(j->sent);
	assert_non_null(got);
	read_exactly(sv[1], (char *)got, j->sent);
	assert_memory_equal(got, data, j->sent);
	free(got);
	free(j);
	sender_stop(s);
	f->s = NULL;
	free(data);
	close(sv[0]), close(sv[1]);
}

/* A peer that has closed: the error is reported (EPIPE, not a SIGPIPE
 * that would kill the process), and the next job still runs. */
static void test_gone_peer_reports_error(void **state)
{
	struct fixture *f = *state;
	struct event_base *base = f->base;
	struct sender *s = f->s;
	int gone[2], ok[2];
	pair(gone);
	pair(ok);
	close(gone[1]);
	struct send_job *j1 = job(gone[0], "lost", 4, NULL);
	j1->next = job(ok[0], "fine", 4, NULL);
	sender_submit(s, j1);
	run_until(base, 2);
	assert_int_equal(done[0]->err, EPIPE);
	assert_int_equal(done[1]->err, 0);
	assert_int_equal(done[1]->sent, 4);
	char buf[8] = { 0 };
	read_exactly(ok[1], buf, 4);
	assert_string_equal(buf, "fine");
	free(done[0]);
	free(done[1]);
	sender_stop(s);
	f->s = NULL;
	close(gone[0]), close(ok[0]), close(ok[1]);
}

/* Stopping with jobs queued and not yet reported: they are sent and
 * reported on the stopping thread before sender_stop returns. */
static void test_stop_reports_pending(void **state)
{
	struct fixture *f = *state;
	struct sender *s = f->s;
	int sv[2];
	pair(sv);
	struct send_job *list = NULL, **tail = &list;
	for (int i = 0; i < 20; i++) {
		*tail = job(sv[0], "x", 1, NULL);
		tail = &(*tail)->next;
	}
	sender_submit(s, list);
	sender_stop(s);   /* the loop never ran */
	f->s = NULL;
	assert_int_equal(n_done, 20);
	char buf[20];
	read_exactly(sv[1], buf, 20);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(done[i]->sent, 1);
		free(done[i]);
	}
	close(sv[0]), close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sends_and_reports_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_socket_reports_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_peer_reports_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_reports_pending, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

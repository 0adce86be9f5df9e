/* test_batch_watch_protocol.c: the batch and watch frames at the protocol
 * level, for what the planboard client never sends but another client
 * could: BatchEnd without BatchBegin, a nested BatchBegin, a Watch inside
 * a batch, a second Watch, a batch on a watching connection; and that a
 * batch's answers are held until BatchEnd. A real server runs in-process;
 * one end of a socket pair is its connection, the test holds the other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "server.h"

struct fixture {
	struct server srv;
	int fd;                     /* the client's end */
	struct frame_reader rd;
	uint64_t next_id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct server_config cfg;
	server_config_defaults(&cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.db_path = ":memory:";
	char *err = NULL;
	assert_int_equal(server_init(&f->srv, &cfg, &err), 0);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct sockaddr sa = { .sa_family = AF_UNIX };
	conn_accept(&f->srv, sv[0], &sa, sizeof sa);
	/* Logged in without the handshake: not what is tested here. */
	struct conn *c = f->srv.conns;
	c->state = CONN_READY;
	c->who.user_id = 1;
	c->who.name = xstrdup("ann");
	c->who.role = PB__ROLE__ROLE_ADMIN;
	f->fd = sv[1];
	frame_reader_init(&f->rd, FRAME_MAX_DEFAULT);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->fd);
	frame_reader_free(&f->rd);
	server_free(&f->srv);
	free(f);
	return 0;
}

static void turn(struct fixture *f)
{
	for (int i = 0; i < 20; i++)
		event_base_loop(f->srv.base, EVLOOP_NONBLOCK);
}

static uint64_t send_req(struct fixture *f, Pb__Request *req)
{
	req->has_id = 1;
	req->id = ++f->next_id;
	struct buf b = { 0 };
	assert_int_equal(wire_frame_append(&b, &req->base, FRAME_MAX_DEFAULT), 0);
	assert_int_equal(write(f->fd, b.data, b.len), (ssize_t)b.len);
	buf_free(&b);
	turn(f);
	return req->id;
}

#define SEND(f, CASE, field, msg)                                     \
	({                                                            \
		Pb__Request r_ = PB__REQUEST__INIT;                   \
		r_.body_case = PB__REQUEST__BODY_##CASE;              \
		r_.field = (msg);                                     \
		send_req((f), &r_);                                   \
	})

/* The next response, or NULL if none comes within 200 ms. */
static Pb__Response *next_response(struct fixture *f)
{
	for (;;) {
		const uint8_t *p;
		size_t len;
		const char *err;
		if (frame_reader_next(&f->rd, &p, &len, &err) == FRAME_OK) {
			Pb__ServerFrame *sf = wire_unpack_server_frame(p, len);
			assert_non_null(sf);
			if (sf->kind_case != PB__SERVER_FRAME__KIND_RESPONSE) {
				wire_free(sf);
				continue;
			}
			Pb__Response *resp = sf->response;
			sf->response = NULL;
			sf->kind_case = PB__SERVER_FRAME__KIND__NOT_SET;
			wire_free(sf);
			return resp;
		}
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		turn(f);
		if (poll(&pfd, 1, 200) <= 0)
			return NULL;
		uint8_t tmp[4096];
		ssize_t n = read(f->fd, tmp, sizeof tmp);
		assert_true(n > 0);
		frame_reader_feed(&f->rd, tmp, (size_t)n);
	}
}

static void expect_status(struct fixture *f, uint64_t id, int status, const char *text)
{
	Pb__Response *r = next_response(f);
	assert_non_null(r);
	assert_int_equal(r->id, id);
	assert_int_equal(r->status, status);
	if (text)
		assert_non_null(strstr(r->error_message, text));
	wire_free(r);
}

static void test_end_without_begin(void **state)
{
	struct fixture *f = *state;
	Pb__BatchEnd e = PB__BATCH_END__INIT;
	uint64_t id = SEND(f, BATCH_END, batch_end, &e);
	expect_status(f, id, PB__STATUS__BAD_REQUEST, "without BatchBegin");
}

static void test_answers_held_until_end(void **state)
{
	struct fixture *f = *state;
	Pb__BatchBegin b = PB__BATCH_BEGIN__INIT;
	Pb__Ping p = PB__PING__INIT;
	Pb__BatchEnd e = PB__BATCH_END__INIT;
	uint64_t bid = SEND(f, BATCH_BEGIN, batch_begin, &b);
	expect_status(f, bid, PB__STATUS__OK, NULL);
	uint64_t pid = SEND(f, PING, ping, &p);
	assert_null(next_response(f));   /* kept, not answered yet */
	uint64_t eid = SEND(f, BATCH_END, batch_end, &e);
	expect_status(f, pid, PB__STATUS__OK, NULL);
	Pb__Response *r = next_response(f);
	assert_non_null(r);
	assert_int_equal(r->id, eid);
	assert_int_equal(r->body_case, PB__RESPONSE__BODY_BATCH);
	assert_int_equal(r->batch->requests, 1);
	assert_int_equal(r->batch->failed, 0);
	assert_true(r->batch->committed);
	wire_free(r);
}

static void test_nested_begin_refused(void **state)
{
	struct fixture *f = *state;
	Pb__BatchBegin b = PB__BATCH_BEGIN__INIT;
	Pb__BatchEnd e = PB__BATCH_END__INIT;
	uint64_t first = SEND(f, BATCH_BEGIN, batch_begin, &b);
	uint64_t second = SEND(f, BATCH_BEGIN, batch_begin, &b);
	expect_status(f, first, PB__STATUS__OK, NULL);
	expect_status(f, second, PB__STATUS__BAD_REQUEST, "already open");
	uint64_t eid = SEND(f, BATCH_END, batch_end, &e);
	expect_status(f, eid, PB__STATUS__OK, NULL);
}

static void test_watch_in_batch_refused(void **state)
{
	struct fixture *f = *state;
	Pb__BatchBegin b = PB__BATCH_BEGIN__INIT;
	b.has_atomic = b.atomic = 1;
	Pb__Watch w = PB__WATCH__INIT;
	Pb__BatchEnd e = PB__BATCH_END__INIT;
	uint64_t bid = SEND(f, BATCH_BEGIN, batch_begin, &b);
	uint64_t wid = SEND(f, WATCH, watch, &w);
	uint64_t eid = SEND(f, BATCH_END, batch_end, &e);
	expect_status(f, bid, PB__STATUS__OK, NULL);
	expect_status(f, wid, PB__STATUS__BAD_REQUEST, "cannot be part of a batch");
	Pb__Response *r = next_response(f);
	assert_non_null(r);
	assert_int_equal(r->id, eid);
	assert_int_equal(r->batch->failed, 1);
	assert_false(r->batch->committed);   /* atomic: one failure undoes all */
	wire_free(r);
	assert_int_equal(f->srv.n_watchers, 0);
}

static void test_second_watch_and_batch_on_watcher_refused(void **state)
{
	struct fixture *f = *state;
	Pb__Watch w = PB__WATCH__INIT;
	Pb__BatchBegin b = PB__BATCH_BEGIN__INIT;
	uint64_t id1 = SEND(f, WATCH, watch, &w);
	expect_status(f, id1, PB__STATUS__OK, NULL);
	assert_int_equal(f->srv.n_watchers, 1);
	uint64_t id2 = SEND(f, WATCH, watch, &w);
	expect_status(f, id2, PB__STATUS__BAD_REQUEST, "already watching");
	uint64_t id3 = SEND(f, BATCH_BEGIN, batch_begin, &b);
	expect_status(f, id3, PB__STATUS__BAD_REQUEST, "watching connection");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_end_without_begin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers_held_until_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_begin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_in_batch_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_watch_and_batch_on_watcher_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

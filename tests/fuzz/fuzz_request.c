/* fuzz_request.c: libFuzzer target for request decoding and dispatch: the
 * input is a stream of frames sent by one client to a server whose store
 * is an in-memory database with one admin and one locality. The first
 * byte chooses whether the connection is already logged in (as admin or
 * as a viewer) or must do Hello and Login itself. No sockets: responses
 * are built and packed, then dropped (the connection has no bufferevent).
 * Each input's writes are rolled back, so every input starts from the
 * same data and a crash reproduces from its input alone. */
#include "action_cache.h"
#include "action_rows.h"
#include "auth.h"
#include "concurrency.h"
#include "dispatch.h"
#include "frame.h"
#include "ratelimit.h"
#include "server.h"

#include <stdlib.h>
#include <string.h>

static struct server srv;

static void noop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
}

static void add_user(const char *name, int role, const char *locality)
{
	struct arena a = { 0 };
	char *err = NULL;
	store_exec(srv.store, "BEGIN");
	if (auth_create_user(srv.store, &a, name, role, locality, "Fuzz-Password-2017", "2017-10-01T00:00:00Z", &err) !=
	    PB__STATUS__OK)
		abort();
	store_exec(srv.store, "COMMIT");
	arena_free(&a);
}

static void setup(void)
{
	server_config_defaults(&srv.cfg);
	srv.cfg.db_path = ":memory:";
	srv.cfg.max_frame = 65536;
	if (auth_init() != 0)
		abort();
	srv.base = event_base_new();
	event_base_priority_init(srv.base, 3);
	char *err = NULL;
	srv.store = store_open(":memory:", &err);
	if (srv.store == NULL)
		abort();
	srv.commit_ev = event_new(srv.base, -1, 0, noop_cb, NULL);
	srv.reap_ev = event_new(srv.base, -1, 0, noop_cb, NULL);
	srv.limiter = login_limiter_new();
	/* As a real server has them: kept show answers, kept update rows. */
	srv.action_cache = action_cache_new();
	srv.action_rows = action_rows_new(srv.store);
	store_exec(srv.store, "INSERT INTO locality(code, name) VALUES ('north', 'North')");
	add_user("admin", PB__ROLE__ROLE_ADMIN, NULL);
	add_user("viewer", PB__ROLE__ROLE_VIEWER, NULL);
}

static void login_as(struct conn *c, int64_t user_id)
{
	if (auth_load_session(srv.store, user_id, &c->who) != 0)
		abort();
	c->state = CONN_READY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (srv.store == NULL)
		setup();
	if (size == 0)
		return 0;
	struct conn *c = calloc(1, sizeof *c);
	c->srv = &srv;
	snprintf(c->peer, sizeof c->peer, "127.0.0.1:1");
	c->timer = evtimer_new(srv.base, noop_cb, NULL);
	srv.conns = c;
	srv.n_conns = 1;
	if (data[0] % 3 == 1)
		login_as(c, 1);
	else if (data[0] % 3 == 2)
		login_as(c, 2);
	size_t off = 1;
	while (off < size) {
		const uint8_t *payload;
		size_t len, used;
		const char *err;
		uint32_t max = c->state == CONN_READY ? srv.cfg.max_frame : srv.cfg.max_frame_prelogin;
		if (frame_decode(data + off, size - off, max, &payload, &len, &used, &err) != FRAME_OK)
			break;
		off += used;
		Pb__Request *req = wire_unpack_request(payload, len);
		if (req == NULL)
			continue;
		dispatch_request(c, req);
		wire_free(req);
	}
	/* Undo this input's writes, then let the held responses go. */
	srv.conns = NULL;
	srv.n_conns = 0;
	if (store_in_txn(srv.store))
		store_rollback(srv.store);
	server_commit_now(&srv);
	conn_release_upto(c, UINT64_MAX);   /* free every held answer */
	/* What a closing connection frees (conn.c: conn_free): a batch begun
	 * and never ended, a watch. */
	batch_conn_free(c);
	watch_conn_free(c);
	event_free(c->timer);
	free(c->who.name);
	free(c->who.locality);
	free(c);
	return 0;
}

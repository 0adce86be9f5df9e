/* batch.c: a batch is BatchBegin, requests, BatchEnd on one connection.
 * The requests are kept (packed) as they arrive and run together when
 * BatchEnd comes, in one go on the loop thread, so no other client's write
 * can land between them. Each still runs through dispatch_request (its
 * checks, its own savepoint, its idempotency key) and gets its own answer.
 *
 * atomic: the batch runs under one savepoint inside the group-commit
 * transaction and is rolled back as a whole if any request fails.
 * dry_run: the same, and always rolled back: every request is checked
 * against the real data and nothing changes. */
#include "concurrency.h"
#include "dispatch.h"
#include "frame.h"
#include "hutil.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

/* Limits on what one connection may hold back, and on what all the open
 * batches together may: many connections each near their own limit must
 * not exhaust the server's memory. */
#define BATCH_MAX_REQUESTS 10000
#define BATCH_MAX_BYTES (16u << 20)
#define BATCH_SERVER_BYTES (64u << 20)

struct batch {
	bool atomic, dry_run;
	unsigned n;
	struct buf frames;   /* the requests, framed, in arrival order */
};

/* Bytes held in every open batch (loop thread only). */
static size_t queued_bytes;

/* The connection whose batch is running now (one at a time: the loop
 * thread runs a batch from start to end in one callback). */
static const struct conn *running;

bool batch_running(const struct conn *c)
{
	return c == running;
}

static void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	queued_bytes -= b->frames.len;
	buf_free(&b->frames);
	free(b);
}

void batch_conn_free(struct conn *c)
{
	batch_free(c->batch);
	c->batch = NULL;
}

int h_batch_begin(struct hctx *h)
{
	struct conn *c = h->conn;
	if (c->batch != NULL || batch_running(c))
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "a batch is already open on this connection");
	if (c->watch != NULL)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "a watching connection cannot run a batch");
	c->batch = xcalloc(1, sizeof *c->batch);
	c->batch->atomic = h->req->batch_begin->atomic;
	c->batch->dry_run = h->req->batch_begin->dry_run;
	Pb__Empty *e = arena_new(h->arena, Pb__Empty);
	pb__empty__init(e);
	SET_BODY(h, EMPTY, empty, e);
	return OK;
}

/* Over a limit: refuse the request, drop the whole batch and close the
 * connection, so nothing more is stored for it; the client must split
 * the batch. */
static void batch_overflow(struct conn *c, uint64_t id, const char *why)
{
	log_info("batch refused peer=%s user=%s requests=%u bytes=%zu: %s", c->peer, c->who.name, c->batch->n,
		 c->batch->frames.len, why);
	Pb__Response resp = PB__RESPONSE__INIT;
	resp.has_id = 1;
	resp.id = id;
	resp.has_status = 1;
	resp.status = PB__STATUS__RESOURCE_EXHAUSTED;
	resp.error_message = (char *)why;
	conn_send_response(c, &resp, c->held_head != NULL, false);
	batch_conn_free(c);
	conn_close_after_reply(c);
}

bool batch_capture(struct conn *c, const Pb__Request *req)
{
	struct batch *b = c->batch;
	if (b == NULL || req->body_case == PB__REQUEST__BODY_BATCH_END ||
	    req->body_case == PB__REQUEST__BODY_BATCH_BEGIN)
		return false;
	size_t before = b->frames.len;
	if (b->n + 1 > BATCH_MAX_REQUESTS || before > BATCH_MAX_BYTES) {
		batch_overflow(c, req->id, "the batch is too large (at most 10000 requests and 16 MiB); "
					    "it was dropped and the connection closed: split it");
		return true;
	}
	if (queued_bytes > BATCH_SERVER_BYTES) {
		batch_overflow(c, req->id, "the server holds too many queued batch requests; "
					    "the batch was dropped and the connection closed: try again later");
		return true;
	}
	b->n++;
	wire_frame_append(&b->frames, &req->base, UINT32_MAX);
	queued_bytes += b->frames.len - before;
	return true;
}

/* Run every kept request in order; the number that failed. */
static unsigned run_all(struct conn *c, struct batch *b)
{
	unsigned failed = 0;
	size_t off = 0;
	while (off + FRAME_HEADER_LEN <= b->frames.len) {
		uint32_t len;
		const char *err;
		if (frame_peek_header(b->frames.data + off, FRAME_HEADER_LEN, UINT32_MAX, &len, &err) != FRAME_OK)
			fatal("a kept batch request has a bad frame header: %s", err);
		Pb__Request *req = wire_unpack_request(b->frames.data + off + FRAME_HEADER_LEN, len);
		off += FRAME_HEADER_LEN + len;
		if (req == NULL)
			fatal("a kept batch request does not unpack");
		if (dispatch_request(c, req) != PB__STATUS__OK) {
			failed++;
		}
		wire_free(req);
	}
	return failed;
}

int h_batch_end(struct hctx *h)
{
	struct conn *c = h->conn;
	struct batch *b = c->batch;
	if (b == NULL)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "BatchEnd without BatchBegin");
	c->batch = NULL;   /* from here on requests run instead of being kept */
	bool whole = b->atomic || b->dry_run;
	if (whole && (store_begin(h->st) != SQLITE_OK || store_exec(h->st, "SAVEPOINT batch") != SQLITE_OK)) {
		batch_free(b);
		return hctx_db_fail(h, "starting the batch");
	}
	/* Only an all-or-nothing batch holds its commit back; the lines of a
	 * plain batch commit like any other writes. */
	c->in_batch = whole;
	running = c;
	unsigned failed = run_all(c, b);
	running = NULL;
	c->in_batch = false;
	bool keep = !whole || (failed == 0 && !b->dry_run);
	if (whole) {
		if (!keep)
			store_exec(h->st, "ROLLBACK TO batch");
		store_exec(h->st, "RELEASE batch");
	}
	log_info("batch done peer=%s user=%s requests=%u failed=%u atomic=%d dry_run=%d kept=%d", c->peer,
		 c->who.name, b->n, failed, b->atomic, b->dry_run, keep);
	Pb__BatchReply *r = arena_new(h->arena, Pb__BatchReply);
	pb__batch_reply__init(r);
	r->has_requests = r->has_failed = r->has_committed = 1;
	r->requests = b->n;
	r->failed = failed;
	r->committed = keep;   /* not atomic: what succeeded is kept */
	batch_free(b);
	SET_BODY(h, BATCH, batch, r);
	if (store_in_txn(h->st))
		server_schedule_commit(h->srv);
	return OK;
}

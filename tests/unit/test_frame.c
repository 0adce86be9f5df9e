/* test_frame.c: the framing codec (common/frame.c) and the protobuf-c
 * wrapper (common/wire.c).
 *
 * The reader is fed a stream of several frames split at every possible
 * point, byte by byte and in every two-part split, because a TCP read may
 * end anywhere; the decoder must answer "need more", "one frame" or
 * "protocol error" correctly at every one of them. Hostile lengths (0,
 * max + 1, 0xFFFFFFFF) must be refused from the header alone, before
 * anything is allocated for the payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "wire.h"

/* ------------------------------------------------------------ helpers */

/* The payloads of the test stream: lengths 1, 2, 4 (a header's worth),
 * 5, 300 (length needs two bytes) and 1 again, with distinct contents. */
static const size_t stream_lens[] = { 1, 2, 4, 5, 300, 1 };
#define N_FRAMES ARRAY_LEN(stream_lens)

static uint8_t payload_byte(size_t frame, size_t i)
{
	return (uint8_t)(frame * 37 + i * 11 + 1);
}

/* Build the stream; returns its length. */
static size_t build_stream(struct buf *b)
{
	for (size_t f = 0; f < N_FRAMES; f++) {
		uint8_t hdr[FRAME_HEADER_LEN];
		frame_put_header(hdr, (uint32_t)stream_lens[f]);
		buf_append(b, hdr, sizeof hdr);
		for (size_t i = 0; i < stream_lens[f]; i++) {
			uint8_t c = payload_byte(f, i);
			buf_append(b, &c, 1);
		}
	}
	return b->len;
}

static void check_payload(size_t frame, const uint8_t *p, size_t len)
{
	assert_true(frame < N_FRAMES);
	assert_int_equal(len, stream_lens[frame]);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(p[i], payload_byte(frame, i));
}

/* Take every complete frame out of the reader, checking each against the
 * stream; returns the index of the next expected frame. */
static size_t drain(struct frame_reader *r, size_t next)
{
	const uint8_t *p;
	size_t len;
	const char *err = NULL;
	enum frame_result res;
	while ((res = frame_reader_next(r, &p, &len, &err)) == FRAME_OK)
		check_payload(next++, p, len);
	assert_int_equal(res, FRAME_NEED_MORE);
	assert_null(err);
	return next;
}

/* ------------------------------------------------------------ frame_put_header */

static void test_put_header_big_endian(void **state)
{
	(void)state;
	uint8_t h[FRAME_HEADER_LEN];
	frame_put_header(h, 0x01020304u);
	assert_int_equal(h[0], 0x01);
	assert_int_equal(h[1], 0x02);
	assert_int_equal(h[2], 0x03);
	assert_int_equal(h[3], 0x04);
	frame_put_header(h, 0xFFFFFFFFu);
	for (int i = 0; i < 4; i++)
		assert_int_equal(h[i], 0xFF);
}

static void test_peek_header_round_trip(void **state)
{
	(void)state;
	static const uint32_t values[] = { 1, 0x7F, 0x80, 0xFF, 0x100, 0x10000, 0x0ABCDE,
					   FRAME_MAX_DEFAULT - 1, FRAME_MAX_DEFAULT };
	for (size_t i = 0; i < ARRAY_LEN(values); i++) {
		uint8_t h[FRAME_HEADER_LEN];
		uint32_t got = 0;
		const char *err = NULL;
		frame_put_header(h, values[i]);
		assert_int_equal(frame_peek_header(h, sizeof h, FRAME_MAX_DEFAULT, &got, &err), FRAME_OK);
		assert_int_equal(got, values[i]);
		assert_null(err);
	}
}

/* ------------------------------------------------------------ frame_decode */

/* Every prefix of a frame shorter than the frame is "need more"; the whole
 * frame (and the frame plus following bytes) is one frame. */
static void test_decode_every_prefix(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	size_t first = FRAME_HEADER_LEN + stream_lens[0];
	for (size_t avail = 0; avail <= b.len; avail++) {
		const uint8_t *p = NULL;
		size_t len = 0, consumed = 0;
		const char *err = NULL;
		enum frame_result r = frame_decode(b.data, avail, FRAME_MAX_DEFAULT, &p, &len, &consumed, &err);
		if (avail < first) {
			assert_int_equal(r, FRAME_NEED_MORE);
			continue;
		}
		assert_int_equal(r, FRAME_OK);
		assert_int_equal(consumed, first);
		assert_ptr_equal(p, b.data + FRAME_HEADER_LEN);
		check_payload(0, p, len);
	}
	buf_free(&b);
}

/* Walk the whole stream with frame_decode alone. */
static void test_decode_stream(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	size_t off = 0, frame = 0;
	while (off < b.len) {
		const uint8_t *p;
		size_t len, consumed;
		const char *err = NULL;
		assert_int_equal(frame_decode(b.data + off, b.len - off, FRAME_MAX_DEFAULT, &p, &len,
					      &consumed, &err), FRAME_OK);
		check_payload(frame++, p, len);
		off += consumed;
	}
	assert_int_equal(frame, N_FRAMES);
	assert_int_equal(off, b.len);
	buf_free(&b);
}

/* ------------------------------------------------------------ frame_reader */

static void test_reader_byte_by_byte(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_DEFAULT);
	size_t next = drain(&r, 0);
	assert_int_equal(next, 0);
	size_t end_of[N_FRAMES], off = 0;
	for (size_t f = 0; f < N_FRAMES; f++)
		end_of[f] = off += FRAME_HEADER_LEN + stream_lens[f];
	for (size_t i = 0; i < b.len; i++) {
		frame_reader_feed(&r, b.data + i, 1);
		next = drain(&r, next);
		/* A frame comes out exactly when its last byte arrives. */
		size_t complete = 0;
		while (complete < N_FRAMES && end_of[complete] <= i + 1)
			complete++;
		assert_int_equal(next, complete);
	}
	assert_int_equal(next, N_FRAMES);
	frame_reader_free(&r);
	buf_free(&b);
}

static void test_reader_every_two_part_split(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	for (size_t split = 0; split <= b.len; split++) {
		struct frame_reader r;
		frame_reader_init(&r, FRAME_MAX_DEFAULT);
		frame_reader_feed(&r, b.data, split);
		size_t next = drain(&r, 0);
		frame_reader_feed(&r, b.data + split, b.len - split);
		next = drain(&r, next);
		assert_int_equal(next, N_FRAMES);
		frame_reader_free(&r);
	}
	buf_free(&b);
}

/* Every three-part split too: a frame may straddle two boundaries. */
static void test_reader_every_three_part_split(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	for (size_t s1 = 0; s1 <= b.len; s1++) {
		for (size_t s2 = s1; s2 <= b.len; s2++) {
			struct frame_reader r;
			frame_reader_init(&r, FRAME_MAX_DEFAULT);
			frame_reader_feed(&r, b.data, s1);
			size_t next = drain(&r, 0);
			frame_reader_feed(&r, b.data + s1, s2 - s1);
			next = drain(&r, next);
			frame_reader_feed(&r, b.data + s2, b.len - s2);
			next = drain(&r, next);
			assert_int_equal(next, N_FRAMES);
			frame_reader_free(&r);
		}
	}
	buf_free(&b);
}

static void test_reader_several_frames_one_feed(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_DEFAULT);
	frame_reader_feed(&r, b.data, b.len);
	assert_int_equal(drain(&r, 0), N_FRAMES);
	frame_reader_free(&r);
	buf_free(&b);
}

/* Frames taken out are dropped on the next feed: a long-lived connection
 * that reads frame after frame does not grow its buffer. */
static void test_reader_buffer_does_not_grow(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_DEFAULT);
	for (int round = 0; round < 1000; round++) {
		frame_reader_feed(&r, b.data, b.len);
		assert_int_equal(drain(&r, 0), N_FRAMES);
		assert_true(r.in.len <= b.len);
	}
	assert_true(r.in.cap <= 2 * b.len + 256);
	frame_reader_free(&r);
	buf_free(&b);
}

/* Feeding nothing is harmless at every point. */
static void test_reader_empty_feeds(void **state)
{
	(void)state;
	struct buf b = { 0 };
	build_stream(&b);
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_DEFAULT);
	size_t next = 0;
	for (size_t i = 0; i < b.len; i++) {
		frame_reader_feed(&r, NULL, 0);
		next = drain(&r, next);
		frame_reader_feed(&r, b.data + i, 1);
		next = drain(&r, next);
	}
	assert_int_equal(next, N_FRAMES);
	frame_reader_free(&r);
	buf_free(&b);
}

/* ------------------------------------------------------------ hostile lengths */

struct frame_case {
	const char *name;
	uint32_t max;
	size_t len;
	uint8_t bytes[24];
	/* What frame_reader_next answers after the whole input is fed:
	 * `frames` frames, then `last`. */
	size_t frames;
	enum frame_result last;
	size_t first_len;   /* payload length of the first frame, if any */
};

static const struct frame_case cases[] = {
	{ "empty input", 16, 0, { 0 }, 0, FRAME_NEED_MORE, 0 },
	{ "one header byte", 16, 1, { 0 }, 0, FRAME_NEED_MORE, 0 },
	{ "three header bytes", 16, 3, { 0, 0, 0 }, 0, FRAME_NEED_MORE, 0 },
	{ "zero length", 16, 4, { 0, 0, 0, 0 }, 0, FRAME_ERROR, 0 },
	{ "zero length with bytes after", 16, 6, { 0, 0, 0, 0, 1, 2 }, 0, FRAME_ERROR, 0 },
	{ "length 1, no payload yet", 16, 4, { 0, 0, 0, 1 }, 0, FRAME_NEED_MORE, 0 },
	{ "length 1", 16, 5, { 0, 0, 0, 1, 0x08 }, 1, FRAME_NEED_MORE, 1 },
	{ "length max, header only", 16, 4, { 0, 0, 0, 16 }, 0, FRAME_NEED_MORE, 0 },
	{ "length max", 16, 20, { 0, 0, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
	  1, FRAME_NEED_MORE, 16 },
	{ "length max + 1", 16, 4, { 0, 0, 0, 17 }, 0, FRAME_ERROR, 0 },
	{ "length max + 1 with payload", 16, 21,
	  { 0, 0, 0, 17, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 }, 0, FRAME_ERROR, 0 },
	{ "length 0xFFFFFFFF", FRAME_MAX_DEFAULT, 4, { 0xFF, 0xFF, 0xFF, 0xFF }, 0, FRAME_ERROR, 0 },
	{ "length 0x80000000 (sign bit)", FRAME_MAX_DEFAULT, 4, { 0x80, 0, 0, 0 }, 0, FRAME_ERROR, 0 },
	{ "length default max + 1", FRAME_MAX_DEFAULT, 4, { 0x00, 0x10, 0x00, 0x01 }, 0, FRAME_ERROR, 0 },
	{ "little-endian 1 is 16 MiB", FRAME_MAX_DEFAULT, 4, { 0x01, 0, 0, 0 }, 0, FRAME_ERROR, 0 },
	{ "good frame then zero length", 16, 10, { 0, 0, 0, 2, 0xAA, 0xBB, 0, 0, 0, 0 }, 1, FRAME_ERROR, 2 },
	{ "good frame then 0xFFFFFFFF", 16, 10, { 0, 0, 0, 1, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0 },
	  1, FRAME_ERROR, 1 },
	{ "good frame then partial header", 16, 7, { 0, 0, 0, 1, 0xAA, 0, 0 }, 1, FRAME_NEED_MORE, 1 },
	{ "ASCII garbage", FRAME_MAX_DEFAULT, 16, "GET / HTTP/1.1\r\n", 0, FRAME_ERROR, 0 },
};

static void run_case(const struct frame_case *c, size_t chunk)
{
	struct frame_reader r;
	frame_reader_init(&r, c->max);
	size_t frames = 0;
	enum frame_result res = FRAME_NEED_MORE;
	const char *err = NULL;
	size_t off = 0;
	do {
		size_t n = c->len - off < chunk ? c->len - off : chunk;
		frame_reader_feed(&r, c->bytes + off, n);
		off += n;
		const uint8_t *p;
		size_t len;
		while ((res = frame_reader_next(&r, &p, &len, &err)) == FRAME_OK) {
			if (frames == 0)
				assert_int_equal(len, c->first_len);
			frames++;
		}
	} while (res == FRAME_NEED_MORE && off < c->len);
	if (frames != c->frames || res != c->last)
		fail_msg("case '%s' (chunk %zu): %zu frames then %d, expected %zu then %d", c->name, chunk,
			 frames, res, c->frames, c->last);
	if (res == FRAME_ERROR) {
		assert_non_null(err);
		assert_true(strlen(err) > 0);
		/* The error sticks: the stream cannot be resynchronised. */
		const uint8_t *p;
		size_t len;
		assert_int_equal(frame_reader_next(&r, &p, &len, &err), FRAME_ERROR);
	}
	frame_reader_free(&r);
}

static void test_case_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		run_case(&cases[i], SIZE_MAX);
		run_case(&cases[i], 1);
		run_case(&cases[i], 3);
	}
}

/* A hostile length is refused from the header alone: the 4 bytes are
 * enough, no payload has to arrive and none is waited for. */
static void test_peek_refuses_from_header(void **state)
{
	(void)state;
	static const uint32_t bad[] = { 0, FRAME_MAX_DEFAULT + 1, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		uint8_t h[FRAME_HEADER_LEN];
		uint32_t len = 12345;
		const char *err = NULL;
		frame_put_header(h, bad[i]);
		assert_int_equal(frame_peek_header(h, sizeof h, FRAME_MAX_DEFAULT, &len, &err), FRAME_ERROR);
		assert_non_null(err);
		assert_int_equal(len, 12345); /* untouched */
		for (size_t avail = 0; avail < FRAME_HEADER_LEN; avail++)
			assert_int_equal(frame_peek_header(h, avail, FRAME_MAX_DEFAULT, &len, &err),
					 FRAME_NEED_MORE);
	}
}

static void test_zero_and_over_limit_messages_differ(void **state)
{
	(void)state;
	uint8_t h[FRAME_HEADER_LEN];
	uint32_t len;
	const char *zero = NULL, *over = NULL;
	frame_put_header(h, 0);
	assert_int_equal(frame_peek_header(h, 4, 16, &len, &zero), FRAME_ERROR);
	frame_put_header(h, 17);
	assert_int_equal(frame_peek_header(h, 4, 16, &len, &over), FRAME_ERROR);
	assert_non_null(zero);
	assert_non_null(over);
	assert_string_not_equal(zero, over);
	assert_non_null(strstr(zero, "zero"));
	assert_non_null(strstr(over, "maximum"));
}

/* The limit is exactly max: a real 1 MiB frame decodes, one byte more
 * is refused. */
static void test_default_max_exact(void **state)
{
	(void)state;
	size_t total = FRAME_HEADER_LEN + FRAME_MAX_DEFAULT;
	uint8_t *big = calloc(1, total + 1);
	assert_non_null(big);
	frame_put_header(big, FRAME_MAX_DEFAULT);
	const uint8_t *p;
	size_t len, consumed;
	const char *err = NULL;
	assert_int_equal(frame_decode(big, total - 1, FRAME_MAX_DEFAULT, &p, &len, &consumed, &err),
			 FRAME_NEED_MORE);
	assert_int_equal(frame_decode(big, total, FRAME_MAX_DEFAULT, &p, &len, &consumed, &err), FRAME_OK);
	assert_int_equal(len, FRAME_MAX_DEFAULT);
	assert_int_equal(consumed, total);
	frame_put_header(big, FRAME_MAX_DEFAULT + 1);
	assert_int_equal(frame_decode(big, total + 1, FRAME_MAX_DEFAULT, &p, &len, &consumed, &err),
			 FRAME_ERROR);
	free(big);
}

/* ------------------------------------------------------------ wire */

static void test_wire_request_round_trip(void **state)
{
	(void)state;
	Pb__Hello hello = PB__HELLO__INIT;
	hello.has_protocol_version = 1;
	hello.protocol_version = PROTOCOL_VERSION;
	hello.client_name = "test_frame ✓";
	Pb__Request req = PB__REQUEST__INIT;
	req.has_id = 1;
	req.id = UINT64_MAX;
	req.idempotency_key = "key-1";
	req.body_case = PB__REQUEST__BODY_HELLO;
	req.hello = &hello;
	struct buf out = { 0 };
	assert_int_equal(wire_frame_append(&out, &req.base, FRAME_MAX_DEFAULT), 0);

	const uint8_t *p;
	size_t len, consumed;
	const char *err = NULL;
	assert_int_equal(frame_decode(out.data, out.len, FRAME_MAX_DEFAULT, &p, &len, &consumed, &err),
			 FRAME_OK);
	assert_int_equal(consumed, out.len);
	assert_int_equal(len, protobuf_c_message_get_packed_size(&req.base));
	Pb__Request *back = wire_unpack_request(p, len);
	assert_non_null(back);
	assert_true(back->has_id);
	assert_true(back->id == UINT64_MAX);
	assert_string_equal(back->idempotency_key, "key-1");
	assert_int_equal(back->body_case, PB__REQUEST__BODY_HELLO);
	assert_int_equal(back->hello->protocol_version, PROTOCOL_VERSION);
	assert_string_equal(back->hello->client_name, "test_frame ✓");
	wire_free(back);
	buf_free(&out);
}

static void test_wire_server_frame_round_trip(void **state)
{
	(void)state;
	Pb__Action a = PB__ACTION__INIT;
	a.ref = "N-2.3";
	a.has_status = 1;
	a.status = PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS;
	a.has_rag = 1;
	a.rag = PB__RAG__RAG_AMBER;
	Pb__ActionReply ar = PB__ACTION_REPLY__INIT;
	ar.action = &a;
	Pb__Response resp = PB__RESPONSE__INIT;
	resp.has_id = 1;
	resp.id = 42;
	resp.has_status = 1;
	resp.status = PB__STATUS__CONFLICT;
	resp.error_message = "changed meanwhile";
	resp.body_case = PB__RESPONSE__BODY_ACTION;
	resp.action = &ar;
	Pb__ServerFrame f = PB__SERVER_FRAME__INIT;
	f.kind_case = PB__SERVER_FRAME__KIND_RESPONSE;
	f.response = &resp;

	/* Two frames appended to one buffer come back as two frames. */
	struct buf out = { 0 };
	assert_int_equal(wire_frame_append(&out, &f.base, FRAME_MAX_DEFAULT), 0);
	assert_int_equal(wire_frame_append(&out, &f.base, FRAME_MAX_DEFAULT), 0);
	struct frame_reader r;
	frame_reader_init(&r, FRAME_MAX_DEFAULT);
	frame_reader_feed(&r, out.data, out.len);
	for (int i = 0; i < 2; i++) {
		const uint8_t *p;
		size_t len;
		const char *err = NULL;
		assert_int_equal(frame_reader_next(&r, &p, &len, &err), FRAME_OK);
		Pb__ServerFrame *back = wire_unpack_server_frame(p, len);
		assert_non_null(back);
		assert_int_equal(back->kind_case, PB__SERVER_FRAME__KIND_RESPONSE);
		assert_int_equal(back->response->id, 42);
		assert_int_equal(back->response->status, PB__STATUS__CONFLICT);
		assert_string_equal(back->response->error_message, "changed meanwhile");
		assert_int_equal(back->response->body_case, PB__RESPONSE__BODY_ACTION);
		assert_string_equal(back->response->action->action->ref, "N-2.3");
		assert_int_equal(back->response->action->action->rag, PB__RAG__RAG_AMBER);
		wire_free(back);
	}
	frame_reader_free(&r);
	buf_free(&out);
}

/* A message larger than the limit is refused and nothing is appended;
 * one of exactly the limit is accepted. */
static void test_wire_refuses_over_max(void **state)
{
	(void)state;
	char note[100];
	memset(note, 'x', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	Pb__Ping ping = PB__PING__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.idempotency_key = note;
	req.body_case = PB__REQUEST__BODY_PING;
	req.ping = &ping;
	size_t size = protobuf_c_message_get_packed_size(&req.base);
	struct buf out = { 0 };
	buf_append(&out, "pre", 3);
	assert_int_equal(wire_frame_append(&out, &req.base, (uint32_t)size - 1), -1);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, "pre", 3);
	assert_int_equal(wire_frame_append(&out, &req.base, (uint32_t)size), 0);
	assert_int_equal(out.len, 3 + FRAME_HEADER_LEN + size);
	buf_free(&out);
}

/* A message with nothing set packs to zero bytes, which is not a valid
 * frame length: refused rather than sent as a protocol error. */
static void test_wire_refuses_empty(void **state)
{
	(void)state;
	Pb__Request req = PB__REQUEST__INIT;
	struct buf out = { 0 };
	assert_int_equal(protobuf_c_message_get_packed_size(&req.base), 0);
	assert_int_equal(wire_frame_append(&out, &req.base, FRAME_MAX_DEFAULT), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

/* A valid length around bytes that are not a Request: the frame comes
 * out, unpacking it fails, and the frame after it is still found, which
 * is why the server answers BAD_REQUEST and keeps the connection. */
static void test_garbage_payload_keeps_framing(void **state)
{
	(void)state;
	static const uint8_t garbage[] = { 0x08, 0x80, 0x80 }; /* truncated varint */
	Pb__Ping ping = PB__PING__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.has_id = 1;
	req.id = 5;
	req.body_case = PB__REQUEST__BODY_PING;
	req.ping = &ping;
	struct buf stream = { 0 };
	uint8_t h[FRAME_HEADER_LEN];
	frame_put_header(h, sizeof garbage);
	buf_append(&stream, h, sizeof h);
	buf_append(&stream, garbage, sizeof garbage);
	assert_int_equal(wire_frame_append(&stream, &req.base, FRAME_MAX_DEFAULT), 0);
	for (size_t split = 0; split <= stream.len; split++) {
		struct frame_reader r;
		frame_reader_init(&r, FRAME_MAX_DEFAULT);
		frame_reader_feed(&r, stream.data, split);
		frame_reader_feed(&r, stream.data + split, stream.len - split);
		const uint8_t *p;
		size_t len;
		const char *err = NULL;
		assert_int_equal(frame_reader_next(&r, &p, &len, &err), FRAME_OK);
		assert_int_equal(len, sizeof garbage);
		assert_null(wire_unpack_request(p, len));
		assert_int_equal(frame_reader_next(&r, &p, &len, &err), FRAME_OK);
		Pb__Request *back = wire_unpack_request(p, len);
		assert_non_null(back);
		assert_int_equal(back->id, 5);
		assert_int_equal(back->body_case, PB__REQUEST__BODY_PING);
		wire_free(back);
		assert_int_equal(frame_reader_next(&r, &p, &len, &err), FRAME_NEED_MORE);
		frame_reader_free(&r);
	}
	buf_free(&stream);
}

/* Bytes that are not a protobuf message: NULL, never a crash. */
static void test_wire_invalid_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t len;
		uint8_t bytes[12];
		bool request_only; /* an unknown field of ServerFrame, skipped there */
	} bad[] = {
		{ "field number 0", 2, { 0x00, 0x01 }, false },
		{ "truncated varint", 2, { 0x08, 0x80 }, false },
		{ "varint longer than 10 bytes", 12,
		  { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, false },
		{ "string longer than the data", 3, { 0x12, 0x10, 'a' }, false },
		{ "sub-message longer than the data", 3, { 0x52, 0x05, 0x08 }, false },
		{ "wire type 7", 2, { 0x0F, 0x00 }, false },
		{ "truncated fixed64", 4, { 0x09, 1, 2, 3 }, false },
		{ "truncated fixed32", 3, { 0x0D, 1, 2 }, false },
		{ "bad sub-message in hello", 4, { 0x52, 0x02, 0x08, 0x80 }, true },
		{ "all ones", 4, { 0xFF, 0xFF, 0xFF, 0xFF }, false },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		Pb__Request *req = wire_unpack_request(bad[i].bytes, bad[i].len);
		if (req != NULL) {
			wire_free(req);
			fail_msg("'%s' unpacked as a Request", bad[i].name);
		}
		if (bad[i].request_only)
			continue;
		Pb__ServerFrame *f = wire_unpack_server_frame(bad[i].bytes, bad[i].len);
		if (f != NULL) {
			wire_free(f);
			fail_msg("'%s' unpacked as a ServerFrame", bad[i].name);
		}
	}
	wire_free(NULL); /* harmless */
}

/* Unknown fields are skipped (protobuf rules), so a newer client's extra
 * field does not break an older server. */
static void test_wire_unknown_field_ignored(void **state)
{
	(void)state;
	/* id = 7, then field 1000 (varint 5), then ping {}. */
	static const uint8_t bytes[] = { 0x08, 0x07, 0xC0, 0x3E, 0x05, 0x72, 0x00 };
	Pb__Request *req = wire_unpack_request(bytes, sizeof bytes);
	assert_non_null(req);
	assert_int_equal(req->id, 7);
	assert_int_equal(req->body_case, PB__REQUEST__BODY_PING);
	wire_free(req);
}

static void test_wire_request_name(void **state)
{
	(void)state;
	assert_string_equal(wire_request_name(PB__REQUEST__BODY_ACTION_UPDATE), "action_update");
	assert_string_equal(wire_request_name(PB__REQUEST__BODY_HELLO), "hello");
	assert_string_equal(wire_request_name(PB__REQUEST__BODY__NOT_SET), "?");
	assert_string_equal(wire_request_name(9999), "?");
	assert_string_equal(wire_request_name(-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_header_big_endian),
		cmocka_unit_test(test_peek_header_round_trip),
		cmocka_unit_test(test_decode_every_prefix),
		cmocka_unit_test(test_decode_stream),
		cmocka_unit_test(test_reader_byte_by_byte),
		cmocka_unit_test(test_reader_every_two_part_split),
		cmocka_unit_test(test_reader_every_three_part_split),
		cmocka_unit_test(test_reader_several_frames_one_feed),
		cmocka_unit_test(test_reader_buffer_does_not_grow),
		cmocka_unit_test(test_reader_empty_feeds),
		cmocka_unit_test(test_case_table),
		cmocka_unit_test(test_peek_refuses_from_header),
		cmocka_unit_test(test_zero_and_over_limit_messages_differ),
		cmocka_unit_test(test_default_max_exact),
		cmocka_unit_test(test_wire_request_round_trip),
		cmocka_unit_test(test_wire_server_frame_round_trip),
		cmocka_unit_test(test_wire_refuses_over_max),
		cmocka_unit_test(test_wire_refuses_empty),
		cmocka_unit_test(test_garbage_payload_keeps_framing),
		cmocka_unit_test(test_wire_invalid_bytes),
		cmocka_unit_test(test_wire_unknown_field_ignored),
		cmocka_unit_test(test_wire_request_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fuzz_frame.c: libFuzzer target for the framing codec and Request
 * decoding: whole-buffer decoding, the incremental reader fed in pieces
 * whose sizes come from the input, and protobuf-c on every payload. */
#include "frame.h"
#include "wire.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Small enough that the fuzzer reaches the "too long" path often. */
#define FUZZ_MAX_FRAME 4096

static void decode_all(const uint8_t *data, size_t size)
{
	size_t off = 0;
	for (;;) {
		const uint8_t *payload;
		size_t len, used;
		const char *err;
		enum frame_result r = frame_decode(data + off, size - off, FUZZ_MAX_FRAME, &payload, &len, &used, &err);
		if (r != FRAME_OK)
			return;
		if (len == 0 || len > FUZZ_MAX_FRAME || used != FRAME_HEADER_LEN + len || off + used > size)
			__builtin_trap();
		wire_free(wire_unpack_request(payload, len));
		off += used;
	}
}

/* The same bytes through the incremental reader, fed in pieces of 1..16
 * bytes (sizes taken from the data itself). */
static void decode_stream(const uint8_t *data, size_t size)
{
	struct frame_reader rd;
	frame_reader_init(&rd, FUZZ_MAX_FRAME);
	/* Asking before anything was fed (clang's UBSan once caught NULL + 0
	 * here, in the client's first read). */
	const uint8_t *p0;
	size_t n0;
	const char *e0;
	if (frame_reader_next(&rd, &p0, &n0, &e0) != FRAME_NEED_MORE)
		__builtin_trap();
	size_t off = 0;
	while (off < size) {
		size_t piece = (size_t)(data[off] % 16) + 1;
		if (piece > size - off)
			piece = size - off;
		frame_reader_feed(&rd, data + off, piece);
		off += piece;
		const uint8_t *payload;
		size_t len;
		const char *err;
		enum frame_result r;
		while ((r = frame_reader_next(&rd, &payload, &len, &err)) == FRAME_OK)
			wire_free(wire_unpack_server_frame(payload, len));
		if (r == FRAME_ERROR)
			break;
	}
	frame_reader_free(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_all(data, size);
	decode_stream(data, size);
	/* The header encoder round-trips. */
	if (size >= 4) {
		uint32_t n;
		memcpy(&n, data, 4);
		uint8_t hdr[FRAME_HEADER_LEN];
		frame_put_header(hdr, n);
		uint32_t back;
		const char *err;
		if (frame_peek_header(hdr, sizeof hdr, UINT32_MAX, &back, &err) == FRAME_OK && back != n)
			__builtin_trap();
	}
	return 0;
}

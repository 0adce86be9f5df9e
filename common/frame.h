/* frame.h: the framing codec. A frame is a 4-byte big-endian length N with
 * 0 < N <= max, then N bytes of one protobuf message.
 *
 * The decoder answers one of three things, like openssh's process_message:
 * "need more bytes", "one frame" or "protocol error: close". It refuses a
 * length over the limit before anything is allocated for it. */
#ifndef PLANBOARD_FRAME_H
#define PLANBOARD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define FRAME_HEADER_LEN 4
#define FRAME_MAX_DEFAULT (1u << 20)

enum frame_result {
	FRAME_NEED_MORE,
	FRAME_OK,
	FRAME_ERROR,
};

/* Look at the first bytes of a stream. On FRAME_OK *payload_len is the
 * length of the payload that follows the header (the whole frame may not
 * have arrived yet: compare with avail). On FRAME_ERROR *err says why. */
enum frame_result frame_peek_header(const uint8_t *buf, size_t avail, uint32_t max,
				    uint32_t *payload_len, const char **err);

/* Decode one frame from the start of buf. FRAME_OK: *payload points into
 * buf, *consumed is header + payload. */
enum frame_result frame_decode(const uint8_t *buf, size_t avail, uint32_t max,
			       const uint8_t **payload, size_t *payload_len,
			       size_t *consumed, const char **err);

/* Write the 4-byte header for a payload of len bytes. */
void frame_put_header(uint8_t out[FRAME_HEADER_LEN], uint32_t len);

/* An incremental reader over a byte stream: feed what the socket gave,
 * then take frames until FRAME_NEED_MORE. */
struct frame_reader {
	struct buf in;
	size_t taken;   /* bytes of `in` already handed out */
	uint32_t max;
};

void frame_reader_init(struct frame_reader *r, uint32_t max);
void frame_reader_feed(struct frame_reader *r, const void *data, size_t len);
/* The payload stays valid until the next feed or next call. */
enum frame_result frame_reader_next(struct frame_reader *r, const uint8_t **payload,
				    size_t *payload_len, const char **err);
void frame_reader_free(struct frame_reader *r);

#endif

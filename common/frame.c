/* frame.c: length-prefixed framing. */
#include "frame.h"

#include <string.h>

enum frame_result frame_peek_header(const uint8_t *buf, size_t avail, uint32_t max,
				    uint32_t *payload_len, const char **err)
{
	if (avail < FRAME_HEADER_LEN)
		return FRAME_NEED_MORE;
	uint32_t n = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) |
		     ((uint32_t)buf[2] << 8) | (uint32_t)buf[3];
	if (n == 0) {
		*err = "frame length is zero";
		return FRAME_ERROR;
	}
	if (n > max) {
		*err = "frame length exceeds the maximum frame size";
		return FRAME_ERROR;
	}
	*payload_len = n;
	return FRAME_OK;
}

enum frame_result frame_decode(const uint8_t *buf, size_t avail, uint32_t max,
			       const uint8_t **payload, size_t *payload_len,
			       size_t *consumed, const char **err)
{
	uint32_t n;
	enum frame_result r = frame_peek_header(buf, avail, max, &n, err);
	if (r != FRAME_OK)
		return r;
	if (avail - FRAME_HEADER_LEN < n)
		return FRAME_NEED_MORE;
	*payload = buf + FRAME_HEADER_LEN;
	*payload_len = n;
	*consumed = FRAME_HEADER_LEN + (size_t)n;
	return FRAME_OK;
}

void frame_put_header(uint8_t out[FRAME_HEADER_LEN], uint32_t len)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

void frame_reader_init(struct frame_reader *r, uint32_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
}

void frame_reader_feed(struct frame_reader *r, const void *data, size_t len)
{
	/* Drop what was handed out before, so the buffer does not grow. */
	if (r->taken > 0) {
		buf_consume(&r->in, r->taken);
		r->taken = 0;
	}
	buf_append(&r->in, data, len);
}

enum frame_result frame_reader_next(struct frame_reader *r, const uint8_t **payload,
				    size_t *payload_len, const char **err)
{
	size_t consumed;
	if (r->in.data == NULL)
		return FRAME_NEED_MORE;   /* nothing fed yet (NULL + 0 is undefined) */
	enum frame_result res = frame_decode(r->in.data + r->taken, r->in.len - r->taken, r->max,
					     payload, payload_len, &consumed, err);
	if (res == FRAME_OK)
		r->taken += consumed;
	return res;
}

void frame_reader_free(struct frame_reader *r)
{
	buf_free(&r->in);
	r->taken = 0;
}

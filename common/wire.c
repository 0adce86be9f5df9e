/* wire.c: pack and unpack protocol messages with their frame header. */
#include "wire.h"
#include "frame.h"

#include <string.h>

int wire_frame_append(struct buf *out, const ProtobufCMessage *msg, uint32_t max)
{
	size_t size = protobuf_c_message_get_packed_size(msg);
	if (size == 0 || size > max)
		return -1;
	buf_reserve(out, FRAME_HEADER_LEN + size);
	frame_put_header(out->data + out->len, (uint32_t)size);
	size_t packed = protobuf_c_message_pack(msg, out->data + out->len + FRAME_HEADER_LEN);
	if (packed != size)
		fatal("protobuf pack: %zu bytes packed, %zu expected", packed, size);
	out->len += FRAME_HEADER_LEN + size;
	return 0;
}

Pb__Request *wire_unpack_request(const uint8_t *data, size_t len)
{
	return pb__request__unpack(NULL, len, data);
}

Pb__ServerFrame *wire_unpack_server_frame(const uint8_t *data, size_t len)
{
	return pb__server_frame__unpack(NULL, len, data);
}

Pb__Response *wire_unpack_response(const uint8_t *data, size_t len)
{
	return pb__response__unpack(NULL, len, data);
}

void wire_free(void *msg)
{
	if (msg != NULL)
		protobuf_c_message_free_unpacked(msg, NULL);
}

const char *wire_request_name(int body_case)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&pb__request__descriptor, (unsigned)body_case);
	return f ? f->name : "?";
}

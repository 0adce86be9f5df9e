/* wire.h: the one wrapper around protobuf-c (after criu's protobuf.c).
 * Nothing else packs or unpacks messages by hand. */
#ifndef PLANBOARD_WIRE_H
#define PLANBOARD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "planboard.pb-c.h"
#include "util.h"

#define PROTOCOL_VERSION 1

/* Append [u32 length][payload] for msg to out. -1 if the message is larger
 * than max (nothing appended). */
int wire_frame_append(struct buf *out, const ProtobufCMessage *msg, uint32_t max);

/* Unpack; NULL means the bytes are not a valid message. Free with
 * wire_free. */
Pb__Request *wire_unpack_request(const uint8_t *data, size_t len);
Pb__ServerFrame *wire_unpack_server_frame(const uint8_t *data, size_t len);
Pb__Response *wire_unpack_response(const uint8_t *data, size_t len);
void wire_free(void *msg);

/* Name of a request body case, e.g. "action_update" ("?" if unknown). */
const char *wire_request_name(int body_case);

#endif

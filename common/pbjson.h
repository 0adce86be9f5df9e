/* pbjson.h: any protobuf-c message as a JSON object whose keys are the
 * proto field names, walking the generated descriptors. Absent optional
 * fields are left out; enums are their user-facing names (enums.h);
 * bytes are strings when they are UTF-8, else base64. */
#ifndef PLANBOARD_PBJSON_H
#define PLANBOARD_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

json_t *pbjson_from_message(const ProtobufCMessage *msg);

#endif

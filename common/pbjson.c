/* pbjson.c: descriptor-driven protobuf -> JSON. */
#include "pbjson.h"
#include "enums.h"
#include "util.h"
#include "validate.h"

#include <sodium.h>
#include <stdlib.h>

#include <math.h>
#include <string.h>

/* Bytes as a string when they are UTF-8; otherwise base64, because a
 * string that is not UTF-8 makes json_dumps fail and print nothing. */
static json_t *bytes_json(const ProtobufCBinaryData *b)
{
	json_t *s = json_stringn((const char *)b->data, b->len);
	if (s != NULL)
		return s;
	size_t n = sodium_base64_encoded_len(b->len, sodium_base64_VARIANT_ORIGINAL);
	char *enc = xmalloc(n);
	sodium_bin2base64(enc, n, b->data, b->len, sodium_base64_VARIANT_ORIGINAL);
	s = json_string(enc);
	free(enc);
	return s;
}

static json_t *scalar(const ProtobufCFieldDescriptor *f, const void *p)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_integer(*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: {
		/* json_int_t is signed: past INT64_MAX a (rounded) real, not a
		 * negative number. */
		uint64_t v = *(const uint64_t *)p;
		return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
	}
	case PROTOBUF_C_TYPE_FLOAT:
		return isfinite(*(const float *)p) ? json_real(*(const float *)p) : json_null();
	case PROTOBUF_C_TYPE_DOUBLE:
		return isfinite(*(const double *)p) ? json_real(*(const double *)p) : json_null();
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM: {
		const char *name = enum_name(f->descriptor, *(const int *)p);
		return name ? json_string(name) : json_integer(*(const int *)p);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		return s ? json_string(s) : json_null();
	}
	case PROTOBUF_C_TYPE_BYTES:
		return bytes_json(p);
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
		return m ? pbjson_from_message(m) : json_null();
	}
	}
	return json_null();
}

static size_t element_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

/* Is an optional field present? */
static int present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	const char *base = (const char *)msg;
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
	if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
		return *(void *const *)(base + f->offset) != NULL;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
		return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
	return 1;
}

json_t *pbjson_from_message(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	json_t *obj = json_object();
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)msg;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			const char *arr = *(const char *const *)(base + f->offset);
			json_t *a = json_array();
			for (size_t k = 0; k < n; k++)
				json_array_append_new(a, scalar(f, arr + k * element_size(f)));
			json_object_set_new(obj, f->name, a);
			continue;
		}
		if (!present(msg, f))
			continue;
		json_object_set_new(obj, f->name, scalar(f, base + f->offset));
	}
	return obj;
}

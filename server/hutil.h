/* hutil.h: checks and look-ups that many handlers share. Each check sets
 * the response's error and returns its status (PB__STATUS__OK if fine). */
#ifndef PLANBOARD_HUTIL_H
#define PLANBOARD_HUTIL_H

#include "server.h"

#define OK PB__STATUS__OK


/* Two optional strings are equal (both NULL, or the same text). */
bool same_text(const char *a, const char *b);
/* The value of a stored enum name, 0 (unspecified) if unknown. */
int enum_value_or0(const ProtobufCEnumDescriptor *d, const char *name);

/* Required text of at most max characters, valid UTF-8. */
int need_text(struct hctx *h, const char *field, const char *s, size_t max);
/* Optional text: NULL is fine. */
int opt_text(struct hctx *h, const char *field, const char *s, size_t max);
int need_code(struct hctx *h, const char *field, const char *s);
int need_ref(struct hctx *h, const char *field, const char *s);
/* Date "YYYY-MM-DD"; NULL is fine when optional. */
int check_date(struct hctx *h, const char *field, const char *s, bool optional);
int check_period(struct hctx *h, const char *field, const char *s, bool optional);
/* A enum value given on the wire: must be a known, specified value. */
int check_enum(struct hctx *h, const char *field, const ProtobufCEnumDescriptor *d, int value);

/* An action's versions are a chain (schema migration 10): the action row
 * names the row of its current version (version_row), each version row
 * the row of the one before (prev, NULL for version 1). VERSION_CHAIN
 * walks it from START (an expression giving a version row's id) as the
 * CTE c(r) of row ids, newest first, going on past a row while WHILE
 * (on that row, `v`) holds: "1" for the whole history. Each step is a
 * fetch by primary key. */
#define VERSION_CHAIN(START, WHILE)                                                 \
	"WITH RECURSIVE c(r) AS (SELECT " START " UNION ALL SELECT v.prev"          \
	" FROM action_version v JOIN c ON v.id = c.r WHERE " WHILE ") "
/* The id of the newest version of action A recorded by the time ?1, or
 * NULL if it did not exist then: the chain from the current version,
 * past every version recorded later. A scalar subquery. */
#define VERSION_AS_RECORDED(A)                                                      \
	"(" VERSION_CHAIN(A ".version_row", "v.recorded_at > ?1")                   \
	"SELECT v.id FROM c JOIN action_version v ON v.id = c.r"                   \
	" WHERE v.recorded_at <= ?1 LIMIT 1)"

/* Look-ups by code: id or 0 with NOT_FOUND set in the response. */
int64_t find_locality(struct hctx *h, const char *code);
int64_t find_plan(struct hctx *h, const char *code);
int64_t find_theme(struct hctx *h, int64_t plan_id, const char *plan, const char *code);

/* End of a date as a time bound: "2017-10-31" -> "2017-10-31T23:59:59Z".
 * Accepts a full time as is. NULL/invalid -> INVALID_ARGUMENT. */
int as_recorded_bound(struct hctx *h, const char *date, const char **bound);

/* Set the response body: SET_BODY(h, ACTION, action, ptr). */
#define SET_BODY(h, CASE, field, ptr)                                  \
	do {                                                           \
		(h)->resp->body_case = PB__RESPONSE__BODY_##CASE;      \
		(h)->resp->field = (ptr);                              \
	} while (0)

/* Set the response body to a value packed before: `field` is the body's
 * field number (PB__RESPONSE__BODY_ACTION), value the length-delimited
 * value as on the wire (varint length, then the message). It goes out as
 * an unknown field, which protobuf-c packs verbatim: on the wire the same
 * bytes as SET_BODY with the message. value must outlive the packing of
 * the response (the end of the request). */
void set_packed_body(struct hctx *h, unsigned field, const uint8_t *value, size_t len);

#endif

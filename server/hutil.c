/* hutil.c: shared argument checks and look-ups for handlers. */
#include "hutil.h"
#include "enums.h"
#include "validate.h"

#include <string.h>

bool same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int enum_value_or0(const ProtobufCEnumDescriptor *d, const char *name)
{
	int v = enum_value(d, name);
	return v < 0 ? 0 : v;
}

int need_text(struct hctx *h, const char *field, const char *s, size_t max)
{
	if (s == NULL || *s == '\0')
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s is required", field);
	return opt_text(h, field, s, max);
}

int opt_text(struct hctx *h, const char *field, const char *s, size_t max)
{
	if (s == NULL)
		return OK;
	if (!valid_utf8(s, (size_t)-1))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s is not valid UTF-8", field);
	if (utf8_chars(s) > max)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s is longer than %zu characters",
				 field, max);
	return OK;
}

int need_code(struct hctx *h, const char *field, const char *s)
{
	if (s == NULL || *s == '\0')
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s is required", field);
	if (!valid_code(s))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "%s must be 1-64 characters of a-z, 0-9, '_' or '-'", field);
	return OK;
}

int need_ref(struct hctx *h, const char *field, const char *s)
{
	if (s == NULL || *s == '\0')
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s is required", field);
	if (!valid_ref(s))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "%s must be 1-32 characters of letters, digits, '.', '_' or '-'", field);
	return OK;
}

int check_date(struct hctx *h, const char *field, const char *s, bool optional)
{
	if (s == NULL && optional)
		return OK;
	if (!valid_date(s))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s must be a date YYYY-MM-DD", field);
	return OK;
}

int check_period(struct hctx *h, const char *field, const char *s, bool optional)
{
	if (s == NULL && optional)
		return OK;
	if (!valid_period(s))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s must be a month YYYY-MM", field);
	return OK;
}

int check_enum(struct hctx *h, const char *field, const ProtobufCEnumDescriptor *d, int value)
{
	if (value <= 0 || enum_name(d, value) == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s must be one of %s", field,
				 enum_choices(d));
	return OK;
}

static int64_t find_id(struct hctx *h, const char *sql, int64_t parent, const char *code)
{
	sqlite3_stmt *s = store_stmt(h->st, sql);
	int i = 1;
	if (parent)
		stmt_int(s, i++, parent);
	stmt_text(s, i, code);
	int64_t id = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

int64_t find_locality(struct hctx *h, const char *code)
{
	if (need_code(h, "locality", code) != OK)
		return 0;
	int64_t id = find_id(h, "SELECT id FROM locality WHERE code = ?", 0, code);
	if (id == 0)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "no locality '%s'", code);
	return id;
}

int64_t find_plan(struct hctx *h, const char *code)
{
	if (need_code(h, "plan", code) != OK)
		return 0;
	int64_t id = find_id(h, "SELECT id FROM plan WHERE code = ?", 0, code);
	if (id == 0)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "no plan '%s'", code);
	return id;
}

int64_t find_theme(struct hctx *h, int64_t plan_id, const char *plan, const char *code)
{
	if (need_code(h, "theme", code) != OK)
		return 0;
	int64_t id = find_id(h, "SELECT id FROM theme WHERE plan_id = ? AND code = ?", plan_id, code);
	if (id == 0)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "no theme '%s' in plan '%s'", code, plan);
	return id;
}

int as_recorded_bound(struct hctx *h, const char *date, const char **bound)
{
	if (date != NULL && valid_time(date)) {
		*bound = date;
		return OK;
	}
	if (!valid_date(date))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "as_recorded must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ");
	*bound = arena_printf(h->arena, "%sT23:59:59Z", date);
	return OK;
}

void set_packed_body(struct hctx *h, unsigned field, const uint8_t *value, size_t len)
{
	ProtobufCMessageUnknownField *f = arena_new(h->arena, ProtobufCMessageUnknownField);
	f->tag = field;
	f->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
	f->len = len;
	f->data = (uint8_t *)value;
	h->resp->body_case = PB__RESPONSE__BODY__NOT_SET;
	h->resp->base.n_unknown_fields = 1;
	h->resp->base.unknown_fields = f;
}

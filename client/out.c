/* out.c: what the client prints: aligned tables for people, CSV with
 * --csv (libcsv), one JSON value with --json (jansson). */
#include "cli.h"
#include "enums.h"
#include "pbjson.h"
#include "util.h"
#include "validate.h"

#include <csv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct table {
	int ncols;
	const char *const *headers;
	char **cells;       /* rows * ncols */
	size_t rows, cap;
};

struct table *table_new(const char *const *headers, int ncols)
{
	struct table *t = arena_new(&cli.arena, struct table);
	t->ncols = ncols;
	t->headers = headers;
	return t;
}

void table_row(struct table *t, ...)
{
	if (t->rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, t->cap * (size_t)t->ncols * sizeof(char *));
	}
	va_list ap;
	va_start(ap, t);
	for (int i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] = (char *)(s && *s ? s : "-");
	}
	va_end(ap);
	t->rows++;
}

static void print_csv(struct table *t)
{
	for (size_t r = 0; r <= t->rows; r++) {
		for (int i = 0; i < t->ncols; i++) {
			const char *s = r == 0 ? t->headers[i] : t->cells[(r - 1) * (size_t)t->ncols + (size_t)i];
			if (r > 0 && strcmp(s, "-") == 0)
				s = "";
			if (i)
				fputc(',', stdout);
			csv_fwrite(stdout, s, strlen(s));
		}
		fputs("\r\n", stdout);
	}
}

void table_print(struct table *t)
{
	if (cli.csv) {
		print_csv(t);
		free(t->cells);
		return;
	}
	size_t *w = xcalloc((size_t)t->ncols, sizeof *w);
	for (int i = 0; i < t->ncols; i++)
		w[i] = utf8_chars(t->headers[i]);
	for (size_t r = 0; r < t->rows; r++)
		for (int i = 0; i < t->ncols; i++) {
			size_t n = utf8_chars(t->cells[r * (size_t)t->ncols + (size_t)i]);
			if (n > w[i])
				w[i] = n;
		}
	for (size_t r = 0; r <= t->rows; r++) {
		for (int i = 0; i < t->ncols; i++) {
			const char *s = r == 0 ? t->headers[i] : t->cells[(r - 1) * (size_t)t->ncols + (size_t)i];
			bool last = i == t->ncols - 1;
			fputs(s, stdout);
			if (!last)
				for (size_t k = utf8_chars(s); k < w[i] + 2; k++)
					fputc(' ', stdout);
		}
		fputc('\n', stdout);
	}
	free(w);
	free(t->cells);
}

void out_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	json_decref(v);
}

json_t *out_message(const void *msg)
{
	return msg ? pbjson_from_message(msg) : json_null();
}

json_t *out_messages(void *const *msgs, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, pbjson_from_message(msgs[i]));
	return a;
}

const char *out_enum(const void *enum_desc, int value)
{
	const char *s = enum_name(enum_desc, value);
	return s ? s : "?";
}

char *out_fmt(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[4096];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return arena_strdup(&cli.arena, tmp);
}

int parse_enum(const void *enum_desc, const char *what, const char *arg)
{
	int v = enum_value(enum_desc, arg);
	if (v < 0)
		cli_usage_error(NULL, "%s '%s' is not one of %s", what, arg, enum_choices(enum_desc));
	return v;
}

int parse_int64(const char *arg, int64_t *out)
{
	char *end;
	long long v = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

bool out_conflict(const Pb__ConflictDetail *d)
{
	if (d == NULL)
		return false;
	if (cli.json) {
		json_t *o = out_message(d);
		json_dumpf(o, stderr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stderr);
		json_decref(o);
		return false;
	}
	fprintf(stderr, "Current version %lld (you based your change on %lld).\n", (long long)d->current_version,
		(long long)d->based_on_version);
	if (d->n_differences) /* say what the indented lines are */
		fprintf(stderr, "Changed since version %lld:\n", (long long)d->based_on_version);
	for (size_t i = 0; i < d->n_differences; i++)
		fprintf(stderr, "  %s: %s -> %s\n", d->differences[i]->field,
			d->differences[i]->old_value ? d->differences[i]->old_value : "-",
			d->differences[i]->new_value ? d->differences[i]->new_value : "-");
	return true;
}

/* csv_import.c: CSV parsing for imports, on libcsv.
 *
 * libcsv reports fields and row ends but not positions, so the input is
 * fed one physical line at a time: when the parser is between records
 * (pstate 0, libcsv's ROW_NOT_BEGUN) at the start of a line, a record
 * that begins later starts on that line. Blank lines leave it between
 * records, so they are skipped without disturbing the count. */
#include "csv_import.h"
#include "validate.h"

#include <csv.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define ROW_NOT_BEGUN 0   /* libcsv's parser state between records */

struct reader {
	struct arena *a;
	struct csv_doc *doc;
	unsigned line;          /* line being fed */
	unsigned row_line;      /* line the current record started on */
	char **fields;          /* current record */
	size_t n, cap;
	const char *field_error;
	bool have_header;
	bool too_many;
};

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **v = arena_array(r->a, char *, cap);
		if (r->n)
			memcpy(v, r->fields, r->n * sizeof *v);
		r->fields = v;
		r->cap = cap;
	}
	const char *text = s ? s : "";
	char *copy = arena_strndup(r->a, text, len);
	if (r->field_error == NULL && memchr(text, '\0', len) != NULL)
		r->field_error = arena_printf(r->a, "field %zu contains a NUL byte", r->n + 1);
	else if (r->field_error == NULL && !valid_utf8(copy, (size_t)-1))
		r->field_error = arena_printf(r->a, "field %zu is not valid UTF-8", r->n + 1);
	r->fields[r->n++] = copy;
}

static void add_row(struct reader *r)
{
	struct csv_doc *d = r->doc;
	if (d->nrows >= CSV_MAX_ROWS) {
		r->too_many = true;
		return;
	}
	if (d->nrows % 256 == 0) {
		struct csv_row *v = arena_array(r->a, struct csv_row, d->nrows + 256);
		if (d->nrows)
			memcpy(v, d->rows, d->nrows * sizeof *v);
		d->rows = v;
	}
	struct csv_row *row = &d->rows[d->nrows++];
	row->line = r->row_line;
	row->n = r->n;
	row->f = r->fields;
	row->error = r->field_error;
	if (row->error == NULL && r->n != d->ncols)
		row->error = arena_printf(r->a, "has %zu fields, the header has %zu", r->n, d->ncols);
}

static void on_row(int term, void *data)
{
	struct reader *r = data;
	if (!r->have_header) {
		r->doc->header = r->fields;
		r->doc->ncols = r->n;
		r->have_header = true;
	} else {
		add_row(r);
	}
	r->fields = NULL;
	r->n = r->cap = 0;
	r->field_error = NULL;
}

static const char *check_header(struct arena *a, const struct csv_doc *d)
{
	if (d->ncols > CSV_MAX_COLS)
		return arena_printf(a, "line 1: %zu columns; at most %d", d->ncols, CSV_MAX_COLS);
	for (size_t i = 0; i < d->ncols; i++) {
		if (d->header[i][0] == '\0')
			return arena_printf(a, "line 1: column %zu has no name", i + 1);
		if (!valid_utf8(d->header[i], (size_t)-1))
			return arena_printf(a, "line 1: column %zu's name is not valid UTF-8", i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(d->header[i], d->header[j]) == 0)
				return arena_printf(a, "line 1: column '%s' appears twice", d->header[i]);
	}
	return NULL;
}

/* Feed one physical line (with its terminator). */
static int feed_line(struct csv_parser *p, struct reader *r, const char *s, size_t len)
{
	if (p->pstate == ROW_NOT_BEGUN)
		r->row_line = r->line;
	return csv_parse(p, s, len, on_field, on_row, r) == len ? 0 : -1;
}

int csv_read(struct arena *a, const void *data, size_t len, struct csv_doc *doc, const char **err)
{
	const char *s = data;
	memset(doc, 0, sizeof *doc);
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3, len -= 3;
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		*err = "cannot start the CSV parser";
		return -1;
	}
	struct reader r = { .a = a, .doc = doc, .line = 1, .row_line = 1 };
	int rc = 0;
	unsigned err_line = 0;
	for (size_t i = 0; i < len && !r.too_many; r.line++) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (s + i)) + 1 : len - i;
		if ((rc = feed_line(&p, &r, s + i, n)) != 0) {
			err_line = r.line;
			break;
		}
		i += n;
	}
	/* At the end, an unclosed quote: blame the line its record began on. */
	if (rc == 0 && csv_fini(&p, on_field, on_row, &r) != 0) {
		rc = -1;
		err_line = r.row_line;
	}
	if (rc != 0)
		*err = arena_printf(a, "line %u: %s (a quote inside a field must be doubled, and a quoted field closed)",
				    err_line, csv_strerror(csv_error(&p)));
	csv_free(&p);
	if (rc != 0)
		return -1;
	if (r.too_many) {
		*err = arena_printf(a, "more than %d rows", CSV_MAX_ROWS);
		return -1;
	}
	if (!r.have_header) {
		*err = "the file is empty: the first line must name the columns";
		return -1;
	}
	if ((*err = check_header(a, doc)) != NULL)
		return -1;
	return 0;
}

int csv_column(const struct csv_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->ncols; i++)
		if (strcasecmp(doc->header[i], name) == 0)
			return (int)i;
	return -1;
}

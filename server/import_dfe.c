/* import_dfe.c: the DfE "Children's social work workforce" statistics.
 *
 * Each local-authority row becomes figures for the locality named after
 * the authority (created if missing) and the period YYYY-09 (the
 * statistics are at 30 September). The four rates are stored with the
 * counts the DfE computes them from, so that pooling authorities
 * reproduces the published regional and national rows:
 *   caseload      = cases / case_holders_fte                  (ratio)
 *   agency rate   = agency_fte / (agency_fte + inpost_fte)    (pct)
 *   vacancy rate  = vacancy_fte / (vacancy_fte + inpost_fte)  (pct)
 *   turnover rate = leavers_fte / inpost_fte                  (pct)
 * A figure whose published rate or any of whose counts is a statistical
 * marker (x z u c low) is not stored and is counted in markers_skipped;
 * one with a zero denominator is not stored either. */
#include "enums.h"
#include "hutil.h"
#include "import.h"
#include "metrics.h"
#include "validate.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Metrics the import defines if they are missing. They are kept apart
 * from the county's own monthly metrics so that the authorities do not
 * join the county's localities in its comparisons. */
static const struct dfe_metric {
	const char *code, *name, *published, *num, *den_a, *den_b;
	int unit;
} dfe_metrics[] = {
	{ "csww_caseload", "Caseload per case-holding FTE (DfE workforce)", "caseload_fte", "cases",
	  "case_holders_fte", NULL, PB__UNIT__UNIT_RATIO },
	{ "csww_agency_rate_pct", "Agency worker rate, FTE (DfE workforce)", "agency_rate_fte", "agency_fte",
	  "agency_fte", "inpost_fte", PB__UNIT__UNIT_PCT },
	{ "csww_vacancy_rate_pct", "Vacancy rate, FTE (DfE workforce)", "vacancy_rate_fte", "vacancy_fte",
	  "vacancy_fte", "inpost_fte", PB__UNIT__UNIT_PCT },
	{ "csww_turnover_rate_pct", "Turnover rate, FTE (DfE workforce)", "turnover_rate_fte", "leavers_fte",
	  "inpost_fte", NULL, PB__UNIT__UNIT_PCT },
};

static const char *const needed[] = {
	"time_period", "geographic_level", "region_name", "la_name", "inpost_fte", "leavers_fte", "agency_fte",
	"vacancy_fte", "case_holders_fte", "cases", "caseload_fte", "agency_rate_fte", "vacancy_rate_fte",
	"turnover_rate_fte",
};

static int define_metrics(struct hctx *h)
{
	for (size_t i = 0; i < sizeof dfe_metrics / sizeof dfe_metrics[0]; i++) {
		const struct dfe_metric *d = &dfe_metrics[i];
		sqlite3_stmt *s = store_stmt(h->st,
			"INSERT INTO metric(code, name, unit, better, description) VALUES (?,?,?,'lower',"
			" 'Department for Education, Children''s social work workforce statistics, at 30 September')"
			" ON CONFLICT(code) DO NOTHING");
		stmt_text(s, 1, d->code);
		stmt_text(s, 2, d->name);
		stmt_text(s, 3, enum_name(&pb__unit__descriptor, d->unit));
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return hctx_db_fail(h, "defining the DfE metrics");
		if (sqlite3_changes(store_db(h->st)) > 0 &&
		    hctx_event(h, "metric", d->code, "define", NULL, NULL, "metric %s defined by the DfE import", d->code) != OK)
			return h->resp->status;
	}
	return OK;
}

/* "Bristol, City of" -> "bristol-city-of". */
static char *slug(struct arena *a, const char *name)
{
	char *out = arena_alloc(a, CODE_MAX + 1);
	size_t n = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)name; *p && n < CODE_MAX; p++) {
		if (isalnum(*p)) {
			if (dash && n > 0)
				out[n++] = '-';
			if (n < CODE_MAX)
				out[n++] = (char)tolower(*p);
			dash = false;
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
	return out;
}

/* The locality for an authority: found, or created (counted). */
static int64_t authority_locality(struct import *im, const char *code, const char *name)
{
	struct hctx *h = im->h;
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id FROM locality WHERE code = ?");
	stmt_text(s, 1, code);
	int64_t id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (id)
		return id;
	s = store_stmt(h->st, "INSERT INTO locality(code, name) VALUES (?,?)");
	stmt_text(s, 1, code);
	stmt_text(s, 2, name);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		hctx_db_fail(h, "adding the authority's locality");
		return 0;
	}
	if (hctx_event(h, "locality", code, "add", NULL, code, "locality %s added by the DfE import: %s", code, name) != OK)
		return 0;
	im->r->localities_created++;
	return sqlite3_last_insert_rowid(store_db(h->st));
}

struct dfe_row {
	struct import *im;
	const struct csv_row *row;
	const int *col;     /* index of each of needed[] */
	const char *locality, *name, *period;
};

static const char *cell(const struct dfe_row *d, const char *column)
{
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		if (strcmp(needed[i], column) == 0)
			return d->row->f[d->col[i]];
	return "";
}

/* One figure of a row: stored, skipped for a marker or zero denominator,
 * or an error (a cell that is neither a number nor a marker). */
static int dfe_figure(struct hctx *h, const struct dfe_row *d, const struct dfe_metric *m, unsigned *stored)
{
	const char *cells[] = { cell(d, m->published), cell(d, m->num), cell(d, m->den_a),
				m->den_b ? cell(d, m->den_b) : "0" };
	double v[4];
	bool has;
	for (int i = 0; i < 4; i++) {
		if (import_is_marker(cells[i])) {
			d->im->r->markers_skipped++;
			return OK;
		}
		if (import_number(cells[i], &v[i], &has) != 0 || !has)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s is '%s': neither a number nor a marker",
					 i == 0 ? m->published : i == 1 ? m->num : i == 2 ? m->den_a : m->den_b, cells[i]);
	}
	double den = v[2] + v[3];
	if (den <= 0)
		return OK;
	Pb__Measurement x = PB__MEASUREMENT__INIT;
	x.metric = (char *)m->code;
	x.locality = (char *)d->locality;
	x.period = (char *)d->period;
	x.has_numerator = x.has_denominator = 1;
	x.numerator = v[1];
	x.denominator = den;
	Pb__MetricSubmitReply r = PB__METRIC_SUBMIT_REPLY__INIT;
	if (measurement_store(h, &x, &r) != OK)
		return h->resp->status;
	if (r.has_replaced)
		(*stored)++;
	else
		d->im->r->unchanged++;
	return OK;
}

static int dfe_apply(struct hctx *h, const void *arg)
{
	const struct dfe_row *d = arg;
	Pb__ImportReply *r = d->im->r;
	unsigned stored = 0, markers = r->markers_skipped, created = r->localities_created, same = r->unchanged;
	bool ok = authority_locality(d->im, d->locality, d->name) != 0;
	for (size_t i = 0; ok && i < sizeof dfe_metrics / sizeof dfe_metrics[0]; i++)
		ok = dfe_figure(h, d, &dfe_metrics[i], &stored) == OK;
	if (!ok) {
		/* The row is rolled back: so are its counts. */
		r->markers_skipped = markers;
		r->localities_created = created;
		r->unchanged = same;
		return h->resp->status;
	}
	d->im->r->measurements += stored;
	return OK;
}

/* Check a row's identity; sets d's locality, name, period. */
static bool dfe_identify(struct import *im, struct dfe_row *d)
{
	const char *year = cell(d, "time_period"), *name = cell(d, "la_name");
	if (strlen(year) != 4 || !isdigit((unsigned char)year[0]) || !isdigit((unsigned char)year[1]) ||
	    !isdigit((unsigned char)year[2]) || !isdigit((unsigned char)year[3])) {
		import_bad(im, d->row->line, "time_period '%s' is not a year", year);
		return false;
	}
	d->name = name;
	d->locality = slug(im->h->arena, name);
	if (!valid_code(d->locality) || utf8_chars(name) > NAME_MAX_CHARS) {
		import_bad(im, d->row->line, "la_name '%s' cannot name a locality", name);
		return false;
	}
	d->period = arena_printf(im->h->arena, "%s-09", year);
	return true;
}

int import_dfe(struct import *im, const char *region)
{
	struct hctx *h = im->h;
	int col[sizeof needed / sizeof needed[0]];
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		if ((col[i] = csv_column(im->doc, needed[i])) < 0)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
					 "this is not the DfE workforce file: it has no column '%s'", needed[i]);
	if (define_metrics(h) != OK)
		return h->resp->status;
	unsigned in_region = 0;
	for (size_t i = 0; i < im->doc->nrows; i++) {
		const struct csv_row *row = &im->doc->rows[i];
		if (row->error) {
			import_bad(im, row->line, "%s", row->error);
			continue;
		}
		struct dfe_row d = { .im = im, .row = row, .col = col };
		if (strcasecmp(cell(&d, "geographic_level"), "Local authority") != 0 ||
		    (region && strcasecmp(cell(&d, "region_name"), region) != 0)) {
			im->r->skipped++;
			continue;
		}
		in_region++;
		if (dfe_identify(im, &d) && import_row(im, row->line, dfe_apply, &d))
			im->r->applied++;
	}
	if (region && in_region == 0 && im->r->bad == 0)
		return hctx_fail(h, PB__STATUS__NOT_FOUND, "no local authority rows in region '%s'", region);
	return OK;
}

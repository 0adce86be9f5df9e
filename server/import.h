/* import.h: the parts of CSV import shared by its kinds (h_import.c,
 * import_dfe.c). An import runs inside its request's savepoint: each row
 * in a savepoint of its own, so a bad row leaves nothing behind. */
#ifndef PLANBOARD_IMPORT_H
#define PLANBOARD_IMPORT_H

#include "csv_import.h"
#include "server.h"

/* Bytes of bad-row reasons listed in one reply, so that it fits in a
 * 1 MiB frame; past that the rows are counted (errors_omitted), not
 * listed. 10,000 bad rows with ordinary reasons are all listed. */
#define IMPORT_ERROR_BYTES (640 * 1024)

struct import {
	struct hctx *h;
	const struct csv_doc *doc;
	Pb__ImportReply *r;
	size_t errors_cap;
	size_t error_bytes;
};

/* Record a bad row (its line and why). */
void import_bad(struct import *im, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run fn(h, arg) for one row in its own savepoint; a failure becomes a
 * bad row with the handler's message and the response is reset to OK.
 * Returns true if the row applied. */
bool import_row(struct import *im, unsigned line, int (*fn)(struct hctx *, const void *), const void *arg);

/* A field as a number: 0 ok, -1 not a number; absent (empty) sets *has = false. */
int import_number(const char *s, double *v, bool *has);
/* The statistical markers of official statistics: x z u c low. */
bool import_is_marker(const char *s);

int import_dfe(struct import *im, const char *region);

#endif

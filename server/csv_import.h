/* csv_import.h: CSV bytes -> header and rows, with libcsv.
 *
 * Accepts a UTF-8 BOM, CRLF or LF endings, quoted fields with embedded
 * commas, quotes and newlines, blank lines anywhere (skipped). Each row
 * carries the line its record starts on, for error messages. A row whose
 * field count differs from the header's, or that holds invalid UTF-8 or a
 * NUL, is returned with `error` set; problems that make the whole file
 * unreadable (bad quoting, no header, duplicate column, too many rows)
 * make csv_read fail. Everything is allocated from the arena.
 *
 * Pure: no database, no server state (a fuzz target drives it). */
#ifndef PLANBOARD_CSV_IMPORT_H
#define PLANBOARD_CSV_IMPORT_H

#include <stddef.h>

#include "arena.h"

#define CSV_MAX_ROWS 200000
#define CSV_MAX_COLS 256

struct csv_row {
	unsigned line;        /* 1-based line the record starts on */
	size_t n;             /* fields */
	char **f;             /* NUL-terminated fields */
	const char *error;    /* NULL if the row is well formed */
};

struct csv_doc {
	char **header;        /* column names, trimmed */
	size_t ncols;
	struct csv_row *rows; /* data rows (the header excluded) */
	size_t nrows;
};

/* 0, or -1 with *err set to a message (with its line when it has one). */
int csv_read(struct arena *a, const void *data, size_t len, struct csv_doc *doc, const char **err);

/* Index of a column by name (case-insensitive), or -1. */
int csv_column(const struct csv_doc *doc, const char *name);

#endif

/* store_ops.h: operator tasks on the database: an online backup, an
 * offline check of a database file, and a size limit. */
#ifndef PLANBOARD_STORE_OPS_H
#define PLANBOARD_STORE_OPS_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

/* PRAGMA max_page_count: writes past it fail with SQLITE_FULL. */
int store_set_max_pages(struct store *st, unsigned pages);

/* Copy the committed state of st's database file to dest (which must not
 * exist; created 0600) with SQLite's online backup API, reading through a
 * separate read-only connection so writers see no lock. 0 on success with
 * *pages and *bytes set; -1 with *err (free it). */
int store_backup(struct store *st, const char *dest, int64_t *pages, int64_t *bytes, char **err);

/* Check a database file without changing it: integrity_check,
 * foreign_key_check and the schema version. Prints findings to out;
 * 0 if the file is sound. */
int store_check_file(const char *path, FILE *out);

#endif

/* store_ops.c: online backup, offline check and the size limit. */
#include "store_ops.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages copied per backup step: small enough that one step is quick. */
#define BACKUP_STEP_PAGES 256

int store_set_max_pages(struct store *st, unsigned pages)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %u", pages);
	return store_exec(st, sql) == SQLITE_OK ? 0 : -1;
}

/* Create dest empty with mode 0600, refusing to overwrite anything. */
static int create_private(const char *dest, char **err)
{
	int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = errno == EEXIST ? xasprintf("%s already exists; choose a new file", dest)
				       : xasprintf("cannot create %s: %s", dest, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int copy_pages(sqlite3 *src, sqlite3 *dst, int64_t *pages, char **err)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		*err = xasprintf("cannot start the backup: %s", sqlite3_errmsg(dst));
		return -1;
	}
	int rc;
	do {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(5);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		*err = xasprintf("backup failed: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

int store_backup(struct store *st, const char *dest, int64_t *pages, int64_t *bytes, char **err)
{
	const char *path = store_path(st);
	if (path == NULL || strcmp(path, ":memory:") == 0) {
		*err = xstrdup("an in-memory database cannot be backed up");
		return -1;
	}
	if (create_private(dest, err) != 0)
		return -1;
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1;
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		*err = xasprintf("cannot open %s for reading: %s", path, sqlite3_errmsg(src));
		goto out;
	}
	if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		*err = xasprintf("cannot open %s: %s", dest, sqlite3_errmsg(dst));
		goto out;
	}
	if (copy_pages(src, dst, pages, err) != 0)
		goto out;
	/* The copy is a WAL database like its source; leave one file behind. */
	sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	struct stat sb;
	*bytes = stat(dest, &sb) == 0 ? (int64_t)sb.st_size : 0;
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc != 0)
		unlink(dest);
	return rc;
}

/* Run a check pragma; print every row that is not "ok". Rows found, or -1. */
static int pragma_rows(sqlite3 *db, const char *sql, const char *what, FILE *out)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(out, "%s: cannot run: %s\n", what, sqlite3_errmsg(db));
		return -1;
	}
	int bad = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *first = (const char *)sqlite3_column_text(s, 0);
		if (sqlite3_column_count(s) == 1 && first && strcmp(first, "ok") == 0)
			continue;
		fprintf(out, "%s:", what);
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);
			fprintf(out, " %s", v ? v : "NULL");
		}
		fputc('\n', out);
		bad++;
	}
	if (rc != SQLITE_DONE) {
		fprintf(out, "%s: %s\n", what, sqlite3_errmsg(db));
		bad = -1;
	}
	sqlite3_finalize(s);
	return bad;
}

/* Every action's versions must form its chain (schema migration 10):
 * version 1 starts it, each later version points at the row of the one
 * before, no version is there twice, and the action points at the row of
 * its current version. A row per fault, at most 100. */
static const char version_chain_faults[] =
	"SELECT 'version row ' || v.id || ' (action ' || v.action_id || ' version ' || v.version || ')'"
	" || CASE WHEN v.prev IS NULL THEN ' starts a chain but is not version 1'"
	"  WHEN p.id IS NULL THEN ' points at missing row ' || v.prev"
	"  ELSE ' points at row ' || p.id || ' (action ' || p.action_id || ' version ' || p.version || ')' END"
	" FROM action_version v LEFT JOIN action_version p ON p.id = v.prev"
	" WHERE (v.prev IS NULL AND v.version <> 1) OR (v.prev IS NOT NULL AND (p.id IS NULL"
	"  OR p.action_id <> v.action_id OR p.version <> v.version - 1))"
	" UNION ALL SELECT 'action ' || action_id || ' has ' || count(*) || ' rows of version ' || version"
	" FROM action_version GROUP BY action_id, version HAVING count(*) > 1"
	" UNION ALL SELECT 'action ' || a.id || ' (version ' || a.version || ') points at '"
	" || ifnull('row ' || a.version_row, 'no version row')"
	" || ifnull(' (action ' || v.action_id || ' version ' || v.version || ')', '')"
	" FROM action a LEFT JOIN action_version v ON v.id = a.version_row"
	" WHERE v.id IS NULL OR v.action_id <> a.id OR v.version <> a.version"
	" UNION ALL SELECT 'version row ' || v.id || ' (action ' || v.action_id || ' version ' || v.version"
	" || ') is past the action''s version ' || a.version"
	" FROM action_version v JOIN action a ON a.id = v.action_id WHERE v.version > a.version"
	" LIMIT 100";

int store_check_file(const char *path, FILE *out)
{
	if (access(path, R_OK) != 0) {
		fprintf(out, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(out, "%s: cannot open: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	int integrity = pragma_rows(db, "PRAGMA integrity_check", "integrity_check", out);
	int fk = pragma_rows(db, "PRAGMA foreign_key_check", "foreign_key_check", out);
	int version = -1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	/* Before migration 10 the versions are keyed, not chained. */
	int chains = version >= 10 ? pragma_rows(db, version_chain_faults, "version chains", out) : 0;
	sqlite3_close(db);
	bool version_ok = version >= 1 && version <= store_migration_count;
	if (!version_ok)
		fprintf(out, "schema version %d is not one this server knows (1..%d)\n", version,
			store_migration_count);
	fprintf(out, "%s: integrity %s, foreign keys %s, version chains %s, schema version %d of %d%s\n", path,
		integrity == 0 ? "ok" : "FAILED", fk == 0 ? "ok" : "FAILED", chains == 0 ? "ok" : "FAILED", version,
		store_migration_count, version < store_migration_count && version_ok ? " (will migrate on start)" : "");
	return integrity == 0 && fk == 0 && chains == 0 && version_ok ? 0 : -1;
}

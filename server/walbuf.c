/* walbuf.c: the writer's WAL writes gathered into one pwrite per commit
 * (see walbuf.h). */
#include "walbuf.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define VFS_NAME "planboard-walbuf"
#define BUF_MAX (4u << 20)      /* written out when it reaches this */
#define BUF_FIRST (256u << 10)
/* The unix VFS writes at most 128 KiB - 1 per call (it masks the length
 * with 0x1ffff: a write of exactly 128 KiB writes nothing and reports a
 * full disk), so a gathered buffer goes out in pieces below that. */
#define WRITE_MAX (124u << 10)
#define WAL_HEADER 32           /* the file's header, then the frames */
#define FRAME_HEADER 24         /* page number, db size after commit, ... */

struct walbuf_file {
	sqlite3_file base;      /* pMethods = &wal_methods */
	sqlite3_file *real;     /* the default VFS's file, right after this */
	sqlite3_int64 off;      /* where buf[0] goes in the file */
	size_t len, cap;
	unsigned char *buf;
	/* The end of the frames written (gathered or not) since the WAL was
	 * started over: only a write exactly there is gathered. */
	sqlite3_int64 end;
	bool commit_page_next;  /* the last write was a commit frame's header */
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs vfs;
static atomic_ulong flushes;   /* pwrites of gathered data (tests) */

unsigned long walbuf_flushes(void)
{
	return atomic_load(&flushes);
}

static int flush(struct walbuf_file *w)
{
	if (w->len == 0)
		return SQLITE_OK;
	int rc = SQLITE_OK;
	for (size_t done = 0; done < w->len && rc == SQLITE_OK; done += WRITE_MAX) {
		size_t n = w->len - done < WRITE_MAX ? w->len - done : WRITE_MAX;
		rc = w->real->pMethods->xWrite(w->real, w->buf + done, (int)n, w->off + (sqlite3_int64)done);
	}
	/* A failed write keeps the bytes: SQLite may go on with the
	 * transaction (a failed read of a spilled page could fail only the
	 * statement) and commit it later, and its index of the WAL already
	 * points at these frames. Every later flush tries them again, first,
	 * and fails the same way until they are written. (Not the frames of
	 * a failed commit: wb_write drops those.) */
	if (rc != SQLITE_OK)
		return rc;
	w->len = 0;
	atomic_fetch_add(&flushes, 1);
	return rc;
}

static int wb_close(sqlite3_file *f)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = flush(w);
	free(w->buf);
	w->buf = NULL;
	int rc2 = w->real->pMethods ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
	return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = flush(w);
	return rc != SQLITE_OK ? rc : w->real->pMethods->xRead(w->real, out, amt, off);
}

static bool room(struct walbuf_file *w, size_t more)
{
	if (w->len + more <= w->cap)
		return true;
	if (w->len + more > BUF_MAX)
		return false;
	size_t cap = w->cap ? w->cap : BUF_FIRST;
	while (cap < w->len + more)
		cap *= 2;
	unsigned char *b = realloc(w->buf, cap);
	if (b == NULL)
		return false;
	w->buf = b;
	w->cap = cap;
	return true;
}

/* A frame header whose "database size after commit" is not zero: the
 * page written next ends a transaction. */
static bool is_commit_header(const void *data, int amt, sqlite3_int64 off)
{
	const unsigned char *p = data;
	return amt == FRAME_HEADER && off >= WAL_HEADER && (p[4] | p[5] | p[6] | p[7]) != 0;
}

static int wb_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	if (off == 0 && amt == WAL_HEADER)
		w->end = 0;   /* the WAL starts over: frames after it are old */
	bool append = off == w->end;
	bool ends_commit = append && w->commit_page_next;
	w->commit_page_next = append && is_commit_header(data, amt, off);
	/* The WAL started over with bytes still gathered (a rolled-back
	 * transaction's): those go first, where they were meant to. */
	if (append && w->len > 0 && w->off + (sqlite3_int64)w->len != off) {
		int rc = flush(w);
		if (rc != SQLITE_OK)
			return rc;
	}
	/* Anything else is written through, after what is gathered: a frame
	 * SQLite rewrites in place (a page changed again after its cache
	 * spilled it), the checksums it then rewrites over the frames that
	 * follow (up to the commit frame's header, with no page after it to
	 * trigger a write), frames after a rolled-back transaction's. */
	if (!append || !room(w, (size_t)amt)) {
		int rc = flush(w);
		if (rc == SQLITE_OK)
			rc = w->real->pMethods->xWrite(w->real, data, amt, off);
		else if (ends_commit)
			w->len = 0;   /* a failed commit: see below */
		if (rc == SQLITE_OK && off + amt > w->end)
			w->end = off + amt;
		return rc;
	}
	if (w->len == 0)
		w->off = off;
	memcpy(w->buf + w->len, data, (size_t)amt);
	w->len += (size_t)amt;
	w->end += amt;
	/* The commit frame is whole: every frame of the transaction goes to
	 * the file now, before SQLite makes them visible to readers. */
	if (!ends_commit)
		return SQLITE_OK;
	int rc = flush(w);
	/* SQLite rolls a transaction whose commit could not be written back
	 * and reports it failed: its frames, commit frame included, must
	 * never reach the file later, where recovery after a crash would
	 * find a valid commit and bring the transaction back. */
	if (rc != SQLITE_OK)
		w->len = 0;
	return rc;
}

static int wb_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = flush(w);
	return rc != SQLITE_OK ? rc : w->real->pMethods->xTruncate(w->real, size);
}

static int wb_sync(sqlite3_file *f, int flags)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = flush(w);
	return rc != SQLITE_OK ? rc : w->real->pMethods->xSync(w->real, flags);
}

static int wb_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = flush(w);
	return rc != SQLITE_OK ? rc : w->real->pMethods->xFileSize(w->real, size);
}

static int wb_lock(sqlite3_file *f, int level)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	return w->real->pMethods->xLock(w->real, level);
}

static int wb_unlock(sqlite3_file *f, int level)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	return w->real->pMethods->xUnlock(w->real, level);
}

static int wb_check_reserved(sqlite3_file *f, int *out)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	return w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int wb_file_control(sqlite3_file *f, int op, void *arg)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = flush(w);   /* whatever it asks about, the file is as SQLite wrote it */
	return rc != SQLITE_OK ? rc : w->real->pMethods->xFileControl(w->real, op, arg);
}

static int wb_sector_size(sqlite3_file *f)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	return w->real->pMethods->xSectorSize(w->real);
}

static int wb_device_characteristics(sqlite3_file *f)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	return w->real->pMethods->xDeviceCharacteristics(w->real);
}

/* Version 1: SQLite maps and shares memory through the database file,
 * never through its WAL. */
static const sqlite3_io_methods wal_methods = {
	.iVersion = 1,
	.xClose = wb_close,
	.xRead = wb_read,
	.xWrite = wb_write,
	.xTruncate = wb_truncate,
	.xSync = wb_sync,
	.xFileSize = wb_file_size,
	.xLock = wb_lock,
	.xUnlock = wb_unlock,
	.xCheckReservedLock = wb_check_reserved,
	.xFileControl = wb_file_control,
	.xSectorSize = wb_sector_size,
	.xDeviceCharacteristics = wb_device_characteristics,
};

static int wb_open(sqlite3_vfs *self, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)self;
	if (!(flags & SQLITE_OPEN_WAL))   /* the default VFS's file, as is */
		return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
	struct walbuf_file *w = (struct walbuf_file *)f;
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)(w + 1);
	int rc = real_vfs->xOpen(real_vfs, name, w->real, flags, out_flags);
	/* SQLite calls xClose after a failed open only if pMethods is set. */
	w->base.pMethods = rc == SQLITE_OK || w->real->pMethods != NULL ? &wal_methods : NULL;
	return rc;
}

static void setup(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (real_vfs == NULL)
		return;
	/* The default VFS with a larger file and another xOpen; its other
	 * methods do not depend on which sqlite3_vfs they are called with
	 * beyond the fields copied here (pAppData, mxPathname). */
	vfs = *real_vfs;
	vfs.pNext = NULL;
	vfs.zName = VFS_NAME;
	vfs.szOsFile = (int)sizeof(struct walbuf_file) + real_vfs->szOsFile;
	vfs.xOpen = wb_open;
	if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK)
		real_vfs = NULL;
}

const char *walbuf_vfs(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, setup);
	return real_vfs ? VFS_NAME : NULL;
}

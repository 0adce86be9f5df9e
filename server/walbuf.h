/* walbuf.h: an SQLite VFS that gathers the writer's WAL writes.
 *
 * SQLite writes each WAL frame as two pwrite calls (the 24-byte frame
 * header, then the page), so a group commit of 40 pages is 80 system
 * calls, each also paying ext4's per-call work on the pages it touches.
 * This VFS wraps the default one and, for WAL files only, keeps the
 * frames a transaction appends in a buffer and writes them in one pwrite
 * when the transaction's commit frame is complete (its header
 * says so: the "database size after commit" field is non-zero; see the
 * WAL format in https://sqlite.org/fileformat2.html#walformat). So when
 * COMMIT returns every frame is in the file, before SQLite publishes the
 * new frames in the wal-index for other connections to read.
 *
 * Anything else that needs the file as SQLite thinks it is (a read, a
 * sync, the size, a truncate, close) writes the buffer first, and a write
 * anywhere but at the end of the frames (SQLite rewriting a frame or its
 * checksums in place) goes straight through after it. A failed write is returned to SQLite from the write that
 * completed the commit frame, so the COMMIT fails as it would have; the
 * bytes stay gathered and are tried again first by the next write.
 *
 * Only the loop's writer connection opens its database through this VFS
 * (store_open); every other file it opens is the default VFS's own file,
 * untouched. */
#ifndef PLANBOARD_WALBUF_H
#define PLANBOARD_WALBUF_H

/* Register the VFS (once, thread-safe) and return its name for
 * sqlite3_open_v2, or NULL if it could not be registered (the default
 * VFS is used then). */
const char *walbuf_vfs(void);

/* How many gathered writes went to WAL files so far, all connections
 * (for tests: a commit of many frames is one). */
unsigned long walbuf_flushes(void);

#endif

/* checkpoint.h: WAL checkpoints off the event loop. The loop's connection
 * stops checkpointing by itself (wal_autocheckpoint=0); after a commit
 * leaves the WAL past a threshold, a thread with its own connection runs a
 * PASSIVE checkpoint, which never blocks the loop's reads or writes, and
 * a TRUNCATE one when the server has been idle, so the WAL file shrinks
 * back (a large one after a RESTART and a longer wait: truncating it
 * holds the write lock for a while). A checkpoint (and its fsync) thus never stalls every client. */
#ifndef PLANBOARD_CHECKPOINT_H
#define PLANBOARD_CHECKPOINT_H

#include <sqlite3.h>
#include <stdint.h>

struct checkpointer;

/* Start the thread for the database at path, watching loop_db's commits.
 * NULL with *err set on failure; NULL without error for in-memory
 * databases (no WAL). */
struct checkpointer *checkpointer_start(const char *path, sqlite3 *loop_db, unsigned wal_pages, char **err);
/* Stop and join the thread (before the loop's connection closes). */
void checkpointer_stop(struct checkpointer *cp);
/* Checkpoints run so far (any thread may ask). */
uint64_t checkpointer_count(const struct checkpointer *cp);

#endif

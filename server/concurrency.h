/* concurrency.h: exactly-once writes (idempotency.c), batches (batch.c),
 * live updates (watch.c) and the server statistics (h_admin.c). Each is
 * reached through a small hook in dispatch.c, conn.c or server.c. */
#ifndef PLANBOARD_CONCURRENCY_H
#define PLANBOARD_CONCURRENCY_H

#include "server.h"

/* Idempotency keys live at least this long (seconds). */
#define IDEM_TTL (24 * 3600)
/* Longest key accepted. */
#define IDEM_KEY_MAX 128

enum idem_result { IDEM_NEW, IDEM_REPLAY, IDEM_REFUSED };

/* Before a keyed write runs (inside its savepoint): IDEM_NEW to run it,
 * IDEM_REPLAY with *replay set to the stored response (free with
 * wire_free), or IDEM_REFUSED with the error set in h->resp. */
enum idem_result idem_begin(struct hctx *h, Pb__Response **replay);
/* After it ran: keep its response under the key, in the same transaction. */
void idem_record(struct hctx *h);
/* Delete keys older than the TTL (run from a timer, outside requests). */
int idem_purge(struct store *st, time_t now);

/* batch.c: true if the request was taken into the connection's open batch. */
bool batch_capture(struct conn *c, const Pb__Request *req);
/* Free a connection's unfinished batch (it closed before BatchEnd). */
void batch_conn_free(struct conn *c);
/* True while c's batch is running (nothing may commit or nest in it). */
bool batch_running(const struct conn *c);

/* watch.c */
void watch_after_response(struct conn *c);   /* a Watch was answered: replay */
void watch_publish(struct server *srv, int64_t seq); /* events up to seq are on disk: push */
void watch_on_drain(struct conn *c);         /* output drained: continue a replay */
void watch_conn_free(struct conn *c);

/* Timers (heartbeat, key purge) and the committed event position. */
int concurrency_init(struct server *srv, char **err);
void concurrency_free(struct server *srv);

#endif

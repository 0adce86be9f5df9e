/* server.h: the server, its connections and the context a request
 * handler runs in. */
#ifndef PLANBOARD_SERVER_H
#define PLANBOARD_SERVER_H

#include <event2/event.h>
#include <event2/listener.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "store.h"
#include "util.h"
#include "wire.h"

struct server_config {
	const char *listen;            /* HOST:PORT */
	const char *db_path;
	uint32_t max_frame;
	unsigned max_connections;
	unsigned handshake_timeout;    /* seconds to send Hello + Login */
	unsigned idle_timeout;         /* seconds without a request */
	size_t max_output;             /* bytes queued for one client */
	unsigned token_ttl;            /* seconds a login token lives */
	unsigned group_commit_max;     /* commit early past this many writes */
	unsigned heartbeat;            /* seconds between heartbeats to watchers */
	bool no_group_commit;          /* commit after every write (to measure) */
	unsigned checkpoint_pages;     /* WAL frames between checkpoints */
	const char *tls_cert, *tls_key; /* PEM files; both set = serve TLS */
	bool allow_plaintext;          /* plaintext on a non-loopback address */
	uint32_t max_frame_prelogin;   /* frame limit before Login succeeds */
	unsigned max_db_pages;         /* PRAGMA max_page_count; 0 = SQLite's */
};

void server_config_defaults(struct server_config *cfg);

struct server_stats {
	uint64_t commits;
	uint64_t write_requests;
	uint64_t requests;
	uint64_t protocol_errors;
	uint64_t watchers_dropped;
	uint64_t events_pushed;
	uint64_t refused_connections;  /* over max_connections */
	uint64_t paused_reads;         /* clients paused by backpressure */
};

enum conn_state { CONN_HELLO, CONN_LOGIN, CONN_READY };

/* Who a connection is logged in as. */
struct session {
	int64_t user_id;
	char *name;
	int role;              /* Pb__Role */
	int64_t locality_id;   /* for locality users, else 0 */
	char *locality;        /* its code */
	int64_t token_id;      /* token used or issued, 0 if none */
};

struct held;
struct watcher;
struct batch;
struct server;

struct conn {
	struct server *srv;
	struct bufferevent *bev;
	struct conn *prev, *next;
	char peer[72];
	enum conn_state state;
	struct session who;
	/* Responses waiting for the group commit, in request order. */
	struct held *held_head, *held_tail;
	bool in_commit_list;
	struct conn *commit_next;
	bool closing;            /* close once the output is flushed */
	bool dead;               /* freed on the next loop turn */
	struct event *timer;     /* handshake / idle timeout */
	uint64_t requests;
	struct watcher *watch;   /* set once it asked to Watch (watch.c) */
	struct batch *batch;     /* an open batch being collected (batch.c) */
	bool in_batch;           /* its batch is running: no commit between */
	uint64_t write_gen;      /* the commit its last write joins */
	bool paused;             /* reading stopped: its output is not read */
	bool eof;                /* the peer half-closed: answer, then close */
	bool flushing;           /* in a read or release: conn_flush sends at the end */
	bool sending;            /* answers out with the sender thread: no write, no free */
	struct event *read_ev;   /* plain TCP: our own read event (conn.c); NULL with TLS */
	bool reading;            /* read_ev is added */
	uint64_t bad_messages;   /* frames that were not a Request */
	uint64_t pauses;         /* times reading was paused (backpressure) */
	unsigned login_failures; /* failed Logins on this connection */
	bool penalized;          /* reading delayed after a failed Login */
	struct event *penalty_ev;
};

struct server {
	struct event_base *base;
	struct evconnlistener *listener;
	struct store *store;
	struct store *reader;       /* read-only connection for reads; NULL: use store */
	struct server_config cfg;
	struct conn *conns;
	unsigned n_conns;
	struct conn *commit_list;   /* connections with held responses */
	unsigned txn_writes;        /* write requests in the open transaction */
	struct event *commit_ev;    /* lowest priority: runs after the reads */
	struct event *reap_ev;      /* frees dead connections */
	struct event *sig_term, *sig_int;
	struct server_stats stats;
	time_t started;
	int port;                   /* bound port */
	bool stopping;
	struct watcher *watchers;   /* started watchers (watch.c) */
	unsigned n_watchers;
	int64_t committed_seq;      /* last event of the last successful commit */
	struct event *heartbeat_ev, *purge_ev;
	void *tls_ctx;              /* SSL_CTX when serving TLS (tls.c) */
	bool at_conn_limit;         /* logged once until below the limit */
	struct login_limiter *limiter; /* failed-login throttling (ratelimit.c) */
	struct checkpointer *ckpt;  /* WAL checkpoints off the loop (checkpoint.c) */
	struct syncer *syncer;      /* the WAL's fdatasync off the loop (syncer.c) */
	struct sender *sender;      /* released answers written off the loop (sender.c) */
	struct send_job *send_batch, **send_batch_tail; /* for the sender, at the end of a release */
	uint64_t commit_gen;        /* commits made (generations) */
	uint64_t durable_gen;       /* commits known to be on disk */
	bool open_gen_used;         /* a response waits for the next commit */
	bool commit_deferred;       /* the open transaction waits for the sync in flight */
	struct action_cache *action_cache; /* kept action-show answers */
	struct action_rows *action_rows;   /* current rows for updates (writer) */
	uint64_t reply_gen;         /* server_reply_shows: for the next answer only */
	bool reply_gen_set;
	int64_t gen_seq[256];       /* last event seq by generation % 256 */
};

/* Context of one request: everything a handler reads or writes. */
struct hctx {
	struct server *srv;
	struct conn *conn;
	struct store *st;
	struct arena *arena;
	const Pb__Request *req;
	Pb__Response *resp;
	const struct session *who;
	const char *now;   /* time of the change: now, or the admin's recorded_at */
};

/* Set the response's status and message; returns status for `return`. */
int hctx_fail(struct hctx *h, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* INTERNAL with the SQLite error logged. */
int hctx_db_fail(struct hctx *h, const char *what);
/* Append an event for the change being made. */
int hctx_event(struct hctx *h, const char *entity, const char *ref, const char *op,
	       const char *plan, const char *locality, const char *summary_fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* server.c */
int server_init(struct server *srv, const struct server_config *cfg, char **err);
int server_run(struct server *srv);
void server_free(struct server *srv);
void server_schedule_commit(struct server *srv);
void server_commit_now(struct server *srv);
/* Between connections' requests: answers made durable since the loop last
 * looked go out, and the next group commits, now (syncer_poll). */
void server_poll_durable(struct server *srv);
struct store *server_read_store(struct server *srv, const struct conn *c);
void server_read_begin(struct server *srv, struct store *st);
/* The commit generation a response must wait for before it is sent (0:
 * none), and putting its connection on the list released after commits.
 * sees_open: a write, or a read that ran inside the open transaction. */
uint64_t server_hold_gen(struct server *srv, bool sees_open);
void server_hold(struct server *srv, struct conn *c);
/* The next answer (a read) shows only the state of commit gen. */
void server_reply_shows(struct server *srv, uint64_t gen);

/* conn.c */
void conn_accept(struct server *srv, evutil_socket_t fd, struct sockaddr *sa, int salen);
void conn_send_response(struct conn *c, Pb__Response *resp, bool held, bool is_write);
void conn_mark_lost(struct conn *c, uint64_t gen);
bool conn_release_upto(struct conn *c, uint64_t gen);
/* Take the held answers up to generation gen off c as one send job,
 * appended to srv->send_batch, if c can send that way (plain TCP, nothing
 * else queued or out, no lost write among them): true if it did. */
bool conn_hand_over(struct conn *c, uint64_t gen);
/* Start and stop reading a connection's requests (pausing, closing). */
void conn_read_enable(struct conn *c);
void conn_read_disable(struct conn *c);
struct send_job;
/* The sender thread is done with a connection's answers (sender.h). */
void conn_send_done(void *arg, struct send_job *job);
void conn_close(struct conn *c);
void conn_close_after_reply(struct conn *c);
void conn_reap(struct server *srv);
/* Queue a pushed frame (event, heartbeat) and the bytes not yet sent. */
void conn_send_frame(struct conn *c, Pb__ServerFrame *f);
size_t conn_output_len(struct conn *c);
/* Close the user's logged-in connections (but `except`), telling them why:
 * a disabled user or a changed password ends live sessions too. */
void conn_drop_user(struct server *srv, int64_t user_id, const struct conn *except, const char *why);

#endif

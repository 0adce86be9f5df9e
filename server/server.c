/* server.c: the listener, the event loop, group commit and shutdown. */
#include "concurrency.h"
#include "action_cache.h"
#include "action_rows.h"
#include "checkpoint.h"
#include "log.h"
#include "server.h"
#include "ratelimit.h"
#include "sender.h"
#include "store_ops.h"
#include "syncer.h"
#include "tls.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* One priority for everything. The commit event is activated by the first
 * write (or read) of a loop iteration, so it runs after every callback that
 * was already active in that iteration: their writes share one COMMIT. A
 * lower priority for it would let a client that never stops sending starve
 * the commit, the listener, timers and signals. Leftover frames of a busy
 * client are deferred to the next iteration (conn.c), after the commit. */
#define PRIO_IO 0
#define PRIO_COMMIT 0
#define N_PRIOS 1

void server_config_defaults(struct server_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->listen = "127.0.0.1:7420";
	cfg->db_path = "planboard.db";
	cfg->max_frame = 1u << 20;
	cfg->max_connections = 4096;
	cfg->handshake_timeout = 10;
	cfg->idle_timeout = 300;
	cfg->max_output = 4u << 20;
	cfg->token_ttl = 12 * 3600;
	cfg->group_commit_max = 1000;
	cfg->checkpoint_pages = 8000;
	cfg->heartbeat = 15;
	cfg->max_frame_prelogin = 64u << 10;
}

#define GEN_RING ARRAY_LEN(((struct server *)0)->gen_seq)

/* Commit the open transaction, if any, as the next generation. A failed
 * commit marks its held writes lost; a good one notes its last event, to
 * push to watchers once it is on disk. */
static void commit_open(struct server *srv)
{
	unsigned writes = srv->txn_writes;
	srv->txn_writes = 0;
	bool in_txn = store_in_txn(srv->store);
	if (!in_txn && !srv->open_gen_used)
		return;
	srv->open_gen_used = false;
	srv->commit_deferred = false;
	if (srv->action_cache)
		action_cache_txn_end(srv->action_cache);
	uint64_t gen = ++srv->commit_gen;
	int64_t *seq = &srv->gen_seq[gen % GEN_RING];
	*seq = srv->gen_seq[(gen - 1) % GEN_RING];
	if (!in_txn) {
		/* Answers waited for a transaction that never opened (its
		 * BEGIN failed): nothing new to sync. */
		if (srv->durable_gen == gen - 1)
			srv->durable_gen = gen;
		return;
	}
	double started = mono_ms();
	int rc = store_commit(srv->store);
	double ms = mono_ms() - started;
	static struct log_gate gate;
	unsigned long quiet;
	if (ms >= log_slow_ms() && log_gate_open(&gate, &quiet))
		log_warn("slow commit ms=%.1f writes=%u (%lu more not logged)", ms, writes, quiet);
	if (rc == SQLITE_OK) {
		/* The next read must see this commit: a client may read right
		 * after its write, and the reader's snapshot may be older. */
		store_read_end(srv->reader);
		srv->stats.commits++;
		/* Grown past the size worth mapping? (A stat per 1,024 commits.) */
		if (srv->stats.commits % 1024 == 0)
			store_reader_map_if_large(srv->reader);
		*seq = store_last_event_seq(srv->store);
		return;
	}
	log_err("group commit failed writes=%u error=\"%s\"", writes, store_errmsg(srv->store));
	for (struct conn *c = srv->commit_list; c != NULL; c = c->commit_next)
		conn_mark_lost(c, gen);
}

/* Commits up to gen are on disk: send what waited for them. */
static void release_durable(struct server *srv, uint64_t gen)
{
	if (gen > srv->durable_gen)
		srv->durable_gen = gen;
	struct conn **link = &srv->commit_list;
	while (*link != NULL) {
		struct conn *c = *link;
		if (conn_release_upto(c, srv->durable_gen)) {
			*link = c->commit_next;
			c->in_commit_list = false;
			c->commit_next = NULL;
		} else {
			link = &c->commit_next;
		}
	}
	if (srv->send_batch != NULL) {
		sender_submit(srv->sender, srv->send_batch);
		srv->send_batch = NULL;
		srv->send_batch_tail = &srv->send_batch;
	}
	watch_publish(srv, srv->gen_seq[srv->durable_gen % GEN_RING]);
	/* Freed later in the turn, not here: the caller may hold one of the
	 * connections just released (syncer_poll runs from a connection's
	 * read callback, server_commit_now from a request). */
	if (srv->reap_ev != NULL)
		event_active(srv->reap_ev, EV_TIMEOUT, 0);
}

/* The answers that generation gen will release, as send jobs for the
 * sync thread to submit the moment it is on disk (run_after_sync): the
 * loop notices a finished sync tens of microseconds later, and the
 * clients' next writes then miss the next group. Taken from their
 * connections now (conn_hand_over: plain TCP, nothing else queued), so
 * release_durable finds only what could not go this way. */
static struct send_job *hand_over_early(struct server *srv, uint64_t gen)
{
	if (srv->sender == NULL)
		return NULL;
	for (struct conn *c = srv->commit_list; c != NULL; c = c->commit_next)
		conn_hand_over(c, gen);
	struct send_job *jobs = srv->send_batch;
	srv->send_batch = NULL;
	srv->send_batch_tail = &srv->send_batch;
	return jobs;
}

static void run_after_sync(void *arg, void *work)
{
	struct server *srv = arg;
	sender_submit(srv->sender, work);
}

/* Commit the open transaction and send every held response, with the
 * WAL synced here (shutdown, a watch, a lost transaction, a full group). */
void server_commit_now(struct server *srv)
{
	store_read_end(srv->store);
	store_read_end(srv->reader);
	if (!store_in_txn(srv->store) && srv->commit_list == NULL)
		return;
	commit_open(srv);
	if (srv->syncer != NULL && srv->durable_gen < srv->commit_gen)
		syncer_sync_now(srv->syncer);
	release_durable(srv, srv->commit_gen);
}

/* Commit the open transaction and hand it to the sync thread, with its
 * answers (hand_over_early), which the thread sends once it is synced;
 * sync_done releases any that could not go that way. */
static void commit_and_sync(struct server *srv)
{
	commit_open(srv);
	if (srv->durable_gen < srv->commit_gen)
		syncer_request(srv->syncer, srv->commit_gen, hand_over_early(srv, srv->commit_gen));
	else if (srv->commit_list != NULL)
		release_durable(srv, srv->durable_gen);
}

/* The group commit, after the reads of a loop turn: commit now, and let
 * the sync thread make it durable while the loop goes on (and send its
 * answers: commit_and_sync). */
static void commit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	if (srv->syncer == NULL || srv->commit_gen + 1 - srv->durable_gen >= GEN_RING) {
		server_commit_now(srv);
		return;
	}
	store_read_end(srv->store);
	store_read_end(srv->reader);
	/* While a sync is in flight, the writes of this turn could not be
	 * answered before it ends anyway: keep their transaction open and
	 * let the next turns' writes join it, so it commits (and writes its
	 * pages to the WAL) once for the whole group when the sync is done. */
	if (srv->durable_gen < srv->commit_gen && store_in_txn(srv->store) &&
	    srv->txn_writes < srv->cfg.group_commit_max) {
		srv->commit_deferred = true;
		return;
	}
	commit_and_sync(srv);
}

static void sync_done(void *arg, uint64_t gen)
{
	struct server *srv = arg;
	if (gen > srv->durable_gen)
		release_durable(srv, gen);
	if (srv->commit_deferred && srv->durable_gen == srv->commit_gen)
		commit_and_sync(srv);
}

void server_poll_durable(struct server *srv)
{
	if (srv->syncer != NULL)
		syncer_poll(srv->syncer);
}

void server_reply_shows(struct server *srv, uint64_t gen)
{
	srv->reply_gen = gen;
	srv->reply_gen_set = true;
}

uint64_t server_hold_gen(struct server *srv, bool sees_open)
{
	bool known = srv->reply_gen_set && !sees_open;
	srv->reply_gen_set = false;
	/* A read of a kept answer: only its own commit must be on disk. */
	if (known)
		return srv->reply_gen > srv->durable_gen ? srv->reply_gen : 0;
	/* A write, or a read inside the open write transaction: it waits for
	 * the commit of that transaction. */
	if (sees_open) {
		srv->open_gen_used = true;
		/* Whatever happens to the transaction, a commit turn must come
		 * to release this answer. */
		if (srv->commit_ev != NULL)
			event_active(srv->commit_ev, EV_TIMEOUT, 0);
		return srv->commit_gen + 1;
	}
	return srv->commit_gen > srv->durable_gen ? srv->commit_gen : 0;
}

void server_hold(struct server *srv, struct conn *c)
{
	if (c->in_commit_list)
		return;
	c->in_commit_list = true;
	c->commit_next = srv->commit_list;
	srv->commit_list = c;
}

void server_schedule_commit(struct server *srv)
{
	if (srv->cfg.no_group_commit || srv->txn_writes >= srv->cfg.group_commit_max)
		server_commit_now(srv);
	else
		event_active(srv->commit_ev, EV_TIMEOUT, 0);
}

/* The connection a read runs on. Reads use the read-only connection, which
 * sees committed data only, so a read never waits for the commit of the
 * group transaction the writer keeps open (while a sync is in flight it
 * stays open for the next turns' writes). A client's read behind its own
 * write not yet committed (pipelined, or in a batch) runs on the writer,
 * inside that transaction, so it sees that write. */
struct store *server_read_store(struct server *srv, const struct conn *c)
{
	if (srv->reader == NULL || c->in_batch || c->write_gen > srv->commit_gen)
		return srv->store;
	return srv->reader;
}

/* Before a read request: share the iteration's read transaction, which
 * the commit event (activated now, so it runs after this iteration's reads) ends. */
void server_read_begin(struct server *srv, struct store *st)
{
	if (store_read_begin(st))
		event_active(srv->commit_ev, EV_TIMEOUT, 0);
}

static void reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	conn_reap(srv);
	if (srv->stopping && srv->n_conns == 0)
		event_base_loopbreak(srv->base);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	conn_accept(arg, fd, sa, salen);
}

static void accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	if (!srv->stopping)
		evconnlistener_enable(srv->listener);
}

/* EMFILE and friends: the pending connection stays in the backlog, so the
 * listener would fire again at once and spin. Pause accepting for 100 ms
 * (connections already open go on) and log at most every 10 s. */
static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct server *srv = arg;
	static time_t last;
	time_t now = time(NULL);
	if (now - last >= 10) {
		log_warn("accept failed, pausing new connections for 100 ms error=\"%s\" connections=%u",
			 strerror(errno), srv->n_conns);
		last = now;
	}
	evconnlistener_disable(l);
	struct timeval tv = { 0, 100000 };
	event_base_once(srv->base, -1, EV_TIMEOUT, accept_resume_cb, srv, &tv);
}

/* Make room for max_connections descriptors if the hard limit allows. */
static void raise_fd_limit(unsigned max_connections)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rlim_t want = (rlim_t)max_connections + 64;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want)
		log_warn("open file limit %llu is below --max-connections + 64; raise it (LimitNOFILE=)",
			 (unsigned long long)rl.rlim_cur);
}

static void stop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	log_warn("shutdown: closing %u connections that did not drain", srv->n_conns);
	event_base_loopbreak(srv->base);
}

/* SIGTERM/SIGINT: stop accepting, let in-flight requests finish, commit,
 * flush what each client is owed, then leave the loop. */
static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	if (srv->stopping)
		return;
	srv->stopping = true;
	log_info("shutdown requested signal=%d connections=%u", (int)sig, srv->n_conns);
	evconnlistener_disable(srv->listener);
	server_commit_now(srv);
	for (struct conn *c = srv->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		c->closing = true;
		conn_read_disable(c);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 && !c->sending)
			conn_close(c);
	}
	struct timeval tv = { 5, 0 };
	event_base_once(srv->base, -1, EV_TIMEOUT, stop_timeout_cb, srv, &tv);
	event_active(srv->reap_ev, EV_TIMEOUT, 0);
}

/* Parse HOST:PORT or [V6]:PORT; port 0 asks the kernel for a free port. */
static int resolve_listen(const char *spec, struct addrinfo **res, char **err)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (colon == NULL || colon == spec || colon[1] == '\0' || (size_t)(colon - spec) >= sizeof host) {
		*err = xasprintf("cannot parse listen address '%s' (want HOST:PORT)", spec);
		return -1;
	}
	size_t n = (size_t)(colon - spec);
	memcpy(host, spec, n);
	host[n] = '\0';
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535) {
		*err = xasprintf("bad port in listen address '%s'", spec);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	int gai = getaddrinfo(host, colon + 1, &hints, res);
	if (gai != 0) {
		*err = xasprintf("cannot resolve listen address '%s': %s", spec, gai_strerror(gai));
		return -1;
	}
	return 0;
}

static int listen_on(struct server *srv, char **err)
{
	struct addrinfo *res;
	if (resolve_listen(srv->cfg.listen, &res, err) != 0)
		return -1;
	/* Passwords and tokens must not cross a network in clear text. */
	if (srv->tls_ctx == NULL && !srv->cfg.allow_plaintext && !addr_is_loopback(res->ai_addr)) {
		*err = xasprintf("refusing to listen on non-loopback address %s without TLS; "
				 "give --tls-cert and --tls-key (or --allow-plaintext)", srv->cfg.listen);
		freeaddrinfo(res);
		return -1;
	}
	srv->listener = evconnlistener_new_bind(srv->base, accept_cb, srv,
						LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
						1024, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (srv->listener == NULL) {
		*err = xasprintf("cannot listen on %s: %s", srv->cfg.listen, strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(srv->listener, accept_error_cb);
	struct sockaddr_storage bound;
	socklen_t blen = sizeof bound;
	getsockname(evconnlistener_get_fd(srv->listener), (struct sockaddr *)&bound, &blen);
	srv->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						      : ((struct sockaddr_in *)&bound)->sin_port);
	return 0;
}

/* A database in a file syncs its WAL off the loop: commits on the loop
 * use synchronous=NORMAL (SQLite writes the WAL without syncing it; its
 * checkpoints still sync the WAL first) and the sync thread makes each
 * group durable before its answers go out. In memory, or with
 * --no-group-commit, every COMMIT stays synchronous=FULL on the loop. */
static int start_syncer(struct server *srv, char **err)
{
	const char *path = srv->cfg.db_path;
	if (srv->cfg.no_group_commit || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 0;
	char *wal = xasprintf("%s-wal", path);
	srv->syncer = syncer_start(srv->base, wal, sync_done, srv, err);
	free(wal);
	if (srv->syncer == NULL)
		return -1;
	if (store_exec(srv->store, "PRAGMA synchronous = NORMAL") != SQLITE_OK) {
		*err = xasprintf("PRAGMA synchronous = NORMAL: %s", store_errmsg(srv->store));
		return -1;
	}
	/* Group commit releases answers in bursts: write them off the loop.
	 * TLS answers go through OpenSSL on the loop (conn.c). */
	srv->send_batch_tail = &srv->send_batch;
	if (srv->tls_ctx == NULL && (srv->sender = sender_start(srv->base, conn_send_done, srv, err)) == NULL)
		return -1;
	if (srv->sender != NULL)
		syncer_set_after(srv->syncer, run_after_sync, srv);
	return 0;
}

int server_init(struct server *srv, const struct server_config *cfg, char **err)
{
	memset(srv, 0, sizeof *srv);
	srv->cfg = *cfg;
	srv->started = time(NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit(cfg->max_connections);
	srv->base = event_base_new();
	if (srv->base == NULL || event_base_priority_init(srv->base, N_PRIOS) != 0) {
		*err = xstrdup("cannot create the event loop");
		return -1;
	}
	srv->store = store_open(cfg->db_path, err);
	if (srv->store == NULL)
		return -1;
	if (cfg->max_db_pages && store_set_max_pages(srv->store, cfg->max_db_pages) != 0) {
		*err = xasprintf("cannot set the database size limit: %s", store_errmsg(srv->store));
		return -1;
	}
	if (cfg->tls_cert && (srv->tls_ctx = tls_server_ctx_new(cfg->tls_cert, cfg->tls_key, err)) == NULL)
		return -1;
	if (strcmp(cfg->db_path, ":memory:") != 0 && strncmp(cfg->db_path, "file:", 5) != 0 &&
	    (srv->reader = store_open_reader(cfg->db_path, err)) == NULL)
		return -1;
	srv->limiter = login_limiter_new();
	srv->action_cache = action_cache_new();
	srv->action_rows = action_rows_new(srv->store);
	srv->ckpt = checkpointer_start(cfg->db_path, store_db(srv->store), cfg->checkpoint_pages, err);
	if (*err != NULL)
		return -1;
	if (start_syncer(srv, err) != 0)
		return -1;
	srv->commit_ev = event_new(srv->base, -1, 0, commit_cb, srv);
	srv->reap_ev = event_new(srv->base, -1, 0, reap_cb, srv);
	event_priority_set(srv->commit_ev, PRIO_COMMIT);
	event_priority_set(srv->reap_ev, PRIO_COMMIT);
	if (concurrency_init(srv, err) != 0 || listen_on(srv, err) != 0)
		return -1;
	srv->sig_term = evsignal_new(srv->base, SIGTERM, signal_cb, srv);
	srv->sig_int = evsignal_new(srv->base, SIGINT, signal_cb, srv);
	event_add(srv->sig_term, NULL);
	event_add(srv->sig_int, NULL);
	return 0;
}

int server_run(struct server *srv)
{
	log_info("listening address=%s port=%d db=%s tls=%s", srv->cfg.listen, srv->port, srv->cfg.db_path,
		 srv->tls_ctx ? "on" : "off");
	int rc = event_base_dispatch(srv->base);
	server_commit_now(srv);
	return rc < 0 ? -1 : 0;
}

void server_free(struct server *srv)
{
	/* First the sync thread, which may still hand answers to the sender;
	 * then the sender: its last jobs come back to their connections. */
	syncer_stop(srv->syncer);
	srv->syncer = NULL;
	sender_stop(srv->sender);
	srv->sender = NULL;
	for (struct conn *c = srv->conns; c != NULL; c = c->next)
		c->dead = true;
	conn_reap(srv);
	if (srv->listener)
		evconnlistener_free(srv->listener);
	if (srv->commit_ev)
		event_free(srv->commit_ev);
	if (srv->reap_ev)
		event_free(srv->reap_ev);
	srv->reap_ev = NULL;   /* release_durable checks it */
	if (srv->sig_term)
		event_free(srv->sig_term);
	if (srv->sig_int)
		event_free(srv->sig_int);
	concurrency_free(srv);
	checkpointer_stop(srv->ckpt);
	srv->ckpt = NULL;
	store_close(srv->reader);
	srv->reader = NULL;
	action_rows_free(srv->action_rows);   /* before its store: it holds the update hook */
	srv->action_rows = NULL;
	store_close(srv->store);
	srv->store = NULL;
	if (srv->tls_ctx)
		tls_ctx_free(srv->tls_ctx);
	login_limiter_free(srv->limiter);
	action_cache_free(srv->action_cache);
	if (srv->base)
		event_base_free(srv->base);
	memset(srv, 0, sizeof *srv);
}

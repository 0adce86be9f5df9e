/* watch.c: live updates. A watcher first gets the committed events after
 * its --since position (replay), then each group commit's events as they
 * are committed. Everything runs on the loop thread and reads the event
 * table only up to srv->committed_seq, the last event of the last
 * successful commit, so an event is never sent before it is committed,
 * and replay and live delivery meet without a gap or a duplicate: a
 * watcher's last_seq is the one position both continue from.
 *
 * A replay is sent in slices while the client drains its output, so a long
 * history never fills memory. A live watcher gets everything at once; one
 * that lets its unsent output pass cfg.max_output is told where it got to
 * (WatchDropped) and closed, so a stuck client costs nobody else. The
 * check is made before sending more, so one large commit does not drop a
 * watcher that reads. */
#include "concurrency.h"
#include "dispatch.h"
#include "hutil.h"
#include "log.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Rows read from the event table per query. */
#define SLICE 256
/* Kernel send buffer of a watcher: small, so that the output a client has
 * not taken stays visible to the max_output check. */
#define WATCHER_SNDBUF 32768
/* A dropped watcher that does not read its farewell is closed after this. */
#define DROP_GRACE_SECONDS 5
/* A replaying watcher that has taken no byte for this many heartbeats in
 * a row is dropped (one that reads slowly is not: it takes some). */
#define REPLAY_STUCK_BEATS 4

struct watcher {
	struct conn *c;
	struct watcher *prev, *next;
	char *plan, *locality;
	char **kinds;
	size_t n_kinds;
	int64_t last_seq;   /* every event up to here was sent or filtered out */
	bool started;       /* its WatchReply is out; it is in srv->watchers */
	bool live;          /* caught up: gets each commit's events at once */
	size_t queued;      /* bytes it was sent (slices, heartbeats) */
	size_t beat_taken;  /* of them, taken by the client at the last heartbeat */
	unsigned beats_stuck;
};

static void watcher_free(struct watcher *w)
{
	free(w->plan);
	free(w->locality);
	for (size_t i = 0; i < w->n_kinds; i++)
		free(w->kinds[i]);
	free(w->kinds);
	free(w);
}

static bool kind_matches(const struct watcher *w, const char *entity)
{
	if (w->n_kinds == 0)
		return true;
	for (size_t i = 0; i < w->n_kinds; i++)
		if (strcmp(w->kinds[i], entity) == 0)
			return true;
	return false;
}

static void send_event(struct watcher *w, sqlite3_stmt *s)
{
	Pb__Event ev = PB__EVENT__INIT;
	ev.has_seq = 1;
	ev.seq = sqlite3_column_int64(s, 0);
	ev.time = (char *)sqlite3_column_text(s, 1);
	ev.user = (char *)sqlite3_column_text(s, 2);
	ev.entity = (char *)sqlite3_column_text(s, 3);
	ev.ref = (char *)sqlite3_column_text(s, 4);
	ev.op = (char *)sqlite3_column_text(s, 5);
	ev.summary = (char *)sqlite3_column_text(s, 6);
	ev.plan = (char *)sqlite3_column_text(s, 7);
	ev.locality = (char *)sqlite3_column_text(s, 8);
	Pb__ServerFrame f = PB__SERVER_FRAME__INIT;
	f.kind_case = PB__SERVER_FRAME__KIND_EVENT;
	f.event = &ev;
	conn_send_frame(w->c, &f);
	w->c->srv->stats.events_pushed++;
}

/* Send one slice of events after last_seq; the number of rows read. */
static int send_slice(struct watcher *w)
{
	struct server *srv = w->c->srv;
	sqlite3_stmt *s = store_stmt(srv->store,
		"SELECT seq, time, user, entity, ref, op, summary, plan, locality FROM event "
		"WHERE seq > ?1 AND seq <= ?2 AND (?3 IS NULL OR plan = ?3) "
		"AND (?4 IS NULL OR locality = ?4) ORDER BY seq LIMIT ?5");
	stmt_int(s, 1, w->last_seq);
	stmt_int(s, 2, srv->committed_seq);
	stmt_text(s, 3, w->plan);
	stmt_text(s, 4, w->locality);
	stmt_int(s, 5, SLICE);
	int rows = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		rows++;
		if (kind_matches(w, (const char *)sqlite3_column_text(s, 3)))
			send_event(w, s);
		w->last_seq = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rows < SLICE)
		w->last_seq = srv->committed_seq;   /* the rest did not match */
	return rows;
}

static void unregister(struct watcher *w)
{
	struct server *srv = w->c->srv;
	if (!w->started)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		srv->watchers = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->started = false;
	srv->n_watchers--;
}

/* Too far behind: say where it got to, then close. */
static void drop(struct watcher *w, size_t pending)
{
	struct conn *c = w->c;
	struct server *srv = c->srv;
	log_warn("watcher dropped peer=%s user=%s pending=%zu limit=%zu last_seq=%lld", c->peer,
		 c->who.name, pending, srv->cfg.max_output, (long long)w->last_seq);
	srv->stats.watchers_dropped++;
	Pb__WatchDropped d = PB__WATCH_DROPPED__INIT;
	d.has_last_seq = 1;
	d.last_seq = w->last_seq;
	d.reason = "too much unread output: the client is not keeping up";
	Pb__ServerFrame f = PB__SERVER_FRAME__INIT;
	f.kind_case = PB__SERVER_FRAME__KIND_WATCH_DROPPED;
	f.watch_dropped = &d;
	conn_send_frame(c, &f);
	unregister(w);
	c->closing = true;
	conn_read_disable(c);
	struct timeval tv = { DROP_GRACE_SECONDS, 0 };
	evtimer_add(c->timer, &tv);
}

/* Send what is owed. A replaying watcher stops at half the output limit
 * and continues when drained. A live one gets each commit's events at once
 * (a burst is fine); but if what it was sent before is still not taken
 * when more arrives (or at a heartbeat), it is not reading: drop it. */
static void pump(struct watcher *w)
{
	struct conn *c = w->c;
	size_t limit = c->srv->cfg.max_output;
	size_t pending = conn_output_len(c);
	if (w->live && pending > limit) {
		drop(w, pending);
		return;
	}
	while (w->last_seq < c->srv->committed_seq) {
		if (!w->live && conn_output_len(c) > limit / 2)
			return;
		size_t before = conn_output_len(c);
		int rows = send_slice(w);
		w->queued += conn_output_len(c) - before;
		if (rows < SLICE)
			break;
	}
	/* Caught up, but the replay's last slices may still be queued (a
	 * slice of long events is more than half the limit): live, and held
	 * to the limit, only once they have drained (watch_on_drain). Before,
	 * a heartbeat in that moment dropped a client that was reading. */
	if (!w->live && conn_output_len(c) > limit / 2)
		return;
	w->live = true;
}

int h_watch(struct hctx *h)
{
	const Pb__Watch *m = h->req->watch;
	struct conn *c = h->conn;
	if (c->watch != NULL)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "this connection is already watching");
	if (batch_running(c))
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "a watch cannot be part of a batch");
	if (opt_text(h, "plan", m->plan, 64) != OK || opt_text(h, "locality", m->locality, 64) != OK)
		return h->resp->status;
	for (size_t i = 0; i < m->n_kinds; i++)
		if (need_text(h, "kind", m->kinds[i], 32) != OK)
			return h->resp->status;
	/* A misspelt filter would just wait in silence: say so instead. */
	if ((m->plan && find_plan(h, m->plan) == 0) || (m->locality && find_locality(h, m->locality) == 0))
		return h->resp->status;
	/* Answers to this connection's earlier writes go out first, and this
	 * answer must not be held: the events follow it straight into the
	 * output, and would overtake it (the client then waits for ever).
	 * It would be held behind a commit not yet on disk: this
	 * connection's own write (its answer may be out of held_head
	 * already, handed to the sync thread: hand_over_early) or anyone's
	 * commit being synced, which the reply's snapshot may include. */
	struct server *srv = h->srv;
	if (c->held_head != NULL || c->write_gen > srv->durable_gen || srv->commit_gen > srv->durable_gen)
		server_commit_now(srv);
	int64_t since = m->has_since ? m->since : h->srv->committed_seq;
	if (since < 0 || since > h->srv->committed_seq)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "--since %lld is not a committed event (the last is %lld)", (long long)since,
				 (long long)h->srv->committed_seq);
	struct watcher *w = xcalloc(1, sizeof *w);
	w->c = c;
	w->plan = m->plan ? xstrdup(m->plan) : NULL;
	w->locality = m->locality ? xstrdup(m->locality) : NULL;
	w->n_kinds = m->n_kinds;
	w->kinds = xcalloc(m->n_kinds ? m->n_kinds : 1, sizeof *w->kinds);
	for (size_t i = 0; i < m->n_kinds; i++)
		w->kinds[i] = xstrdup(m->kinds[i]);
	w->last_seq = since;
	c->watch = w;
	Pb__WatchReply *r = arena_new(h->arena, Pb__WatchReply);
	pb__watch_reply__init(r);
	r->has_last_seq = 1;
	r->last_seq = h->srv->committed_seq;
	SET_BODY(h, WATCH, watch, r);
	return OK;
}

void watch_after_response(struct conn *c)
{
	struct watcher *w = c->watch;
	if (w == NULL || w->started || c->closing || c->dead)
		return;
	struct server *srv = c->srv;
	w->started = true;
	w->next = srv->watchers;
	if (srv->watchers)
		srv->watchers->prev = w;
	srv->watchers = w;
	srv->n_watchers++;
	evtimer_del(c->timer);   /* watchers are exempt from the idle timeout */
	int sndbuf = WATCHER_SNDBUF;
	if (c->bev != NULL)   /* (none in the request fuzzer's connections) */
		setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	log_info("watch started peer=%s user=%s since=%lld", c->peer, c->who.name, (long long)w->last_seq);
	pump(w);
}

void watch_publish(struct server *srv, int64_t last)
{
	if (last <= srv->committed_seq)
		return;
	srv->committed_seq = last;
	struct watcher *w = srv->watchers;
	while (w != NULL) {
		struct watcher *next = w->next;   /* pump may unregister w */
		if (!w->c->dead && !w->c->closing)
			pump(w);
		w = next;
	}
}

void watch_on_drain(struct conn *c)
{
	struct watcher *w = c->watch;
	if (w && w->started && !w->live && !c->closing && !c->dead)
		pump(w);
}

void watch_conn_free(struct conn *c)
{
	if (c->watch == NULL)
		return;
	unregister(c->watch);
	watcher_free(c->watch);
	c->watch = NULL;
}

/* Has a replaying watcher taken nothing for REPLAY_STUCK_BEATS heartbeats?
 * (What it took: what it was sent less what is still queued; the replay
 * adds a slice whenever it drains, so the queue alone does not tell.) */
static bool replay_stuck(struct watcher *w, size_t pending)
{
	size_t taken = w->queued - pending;
	if (pending > 0 && taken == w->beat_taken)
		w->beats_stuck++;
	else
		w->beats_stuck = 0;
	w->beat_taken = taken;
	return w->beats_stuck >= REPLAY_STUCK_BEATS;
}

/* Each watcher with nothing queued gets a heartbeat (queued bytes show the
 * server is there as well). One that is not reading is dropped: live and
 * over --max-output, or replaying and taking nothing (so a client that
 * stops reading when its replay catches up is not held for ever). */
static void heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	char now[ISO_TIME_LEN];
	time_to_iso(time(NULL), now);
	struct watcher *w = srv->watchers;
	while (w != NULL) {
		struct watcher *next = w->next;
		size_t pending = conn_output_len(w->c);
		if (w->c->dead || w->c->closing) {
			/* gone, or going */
		} else if (w->live ? pending > srv->cfg.max_output : replay_stuck(w, pending)) {
			drop(w, pending);
		} else if (pending == 0) {
			Pb__Heartbeat hb = PB__HEARTBEAT__INIT;
			hb.server_time = now;
			hb.has_last_seq = 1;
			hb.last_seq = w->last_seq;
			Pb__ServerFrame f = PB__SERVER_FRAME__INIT;
			f.kind_case = PB__SERVER_FRAME__KIND_HEARTBEAT;
			f.heartbeat = &hb;
			conn_send_frame(w->c, &f);
			w->queued += conn_output_len(w->c);
		}
		w = next;
	}
}

static void purge_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	/* Never inside a group commit: the next hour will do. */
	if (!store_in_txn(srv->store) && idem_purge(srv->store, time(NULL)) < 0)
		log_err("idempotency purge failed error=\"%s\"", store_errmsg(srv->store));
}

int concurrency_init(struct server *srv, char **err)
{
	srv->committed_seq = store_last_event_seq(srv->store);
	srv->heartbeat_ev = event_new(srv->base, -1, EV_PERSIST, heartbeat_cb, srv);
	srv->purge_ev = event_new(srv->base, -1, EV_PERSIST, purge_cb, srv);
	if (srv->heartbeat_ev == NULL || srv->purge_ev == NULL) {
		*err = xstrdup("cannot create the heartbeat and purge timers");
		return -1;
	}
	struct timeval hb = { (time_t)srv->cfg.heartbeat, 0 };
	struct timeval hour = { 3600, 0 };
	event_add(srv->heartbeat_ev, &hb);
	event_add(srv->purge_ev, &hour);
	purge_cb(-1, 0, srv);
	return 0;
}

void concurrency_free(struct server *srv)
{
	if (srv->heartbeat_ev)
		event_free(srv->heartbeat_ev);
	if (srv->purge_ev)
		event_free(srv->purge_ev);
	srv->heartbeat_ev = srv->purge_ev = NULL;
}

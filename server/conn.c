/* conn.c: one client connection: reading frames, the order of responses,
 * holding write responses until their group commit, backpressure and
 * timeouts. A connection is never freed inside its own callback: it is
 * marked dead and reaped on a later loop turn. */
#include "concurrency.h"
#include "dispatch.h"
#include "frame.h"
#include "log.h"
#include "sender.h"
#include "server.h"
#include "tls.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Frames handled per read callback before returning to the loop
 * (memcached's reqs_per_event); the rest wait for the next iteration, after
 * the group commit and everyone else's callbacks (server.c). */
#define FRAMES_PER_READ 64
/* Seconds a closing connection gets to take its last message. A peer that
 * does not read it (or never finishes a TLS handshake) is cut off then, so
 * it cannot hold a connection slot for ever. */
#define CLOSE_GRACE 5
/* After a failed Login the connection's next request waits this many
 * seconds per failure so far on it, up to LOGIN_PENALTY_MAX: guessing on
 * one connection is slow even before the per-user limits start. */
#define LOGIN_PENALTY_MAX 5

struct held {
	struct held *next;
	uint64_t id;
	bool is_write;
	bool failed;             /* already an error: nothing to lose */
	bool lost;               /* its commit failed: answer an error instead */
	uint64_t gen;            /* the commit it waits for (server_hold_gen) */
	size_t len;
	uint8_t data[];
};

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_sock_read_cb(evutil_socket_t fd, short what, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_timer_cb(evutil_socket_t fd, short what, void *arg);

static void peer_name(struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;
		evutil_inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
		evutil_inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
	}
	snprintf(out, len, "%s:%d", host, port);
}

/* Pack a response into a ServerFrame. */
static int pack_response(struct conn *c, Pb__Response *resp, struct buf *out)
{
	Pb__ServerFrame frame = PB__SERVER_FRAME__INIT;
	frame.kind_case = PB__SERVER_FRAME__KIND_RESPONSE;
	frame.response = resp;
	if (wire_frame_append(out, &frame.base, c->srv->cfg.max_frame) == 0)
		return 0;
	/* Too large for one frame: say so instead. */
	Pb__Response err = PB__RESPONSE__INIT;
	err.has_id = resp->has_id;
	err.id = resp->id;
	err.has_status = 1;
	err.status = PB__STATUS__RESOURCE_EXHAUSTED;
	err.error_message = "the response is larger than the maximum frame size; narrow the request";
	frame.response = &err;
	if (wire_frame_append(out, &frame.base, c->srv->cfg.max_frame) != 0)
		fatal("cannot pack an error response");
	return -1;
}

static void conn_check_output(struct conn *c);

static void conn_write_out(struct conn *c, const void *data, size_t len)
{
	if (c->dead || c->bev == NULL)
		return;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add(out, data, len);
	/* Inside a read callback or a commit release, conn_flush sends it all
	 * at the end; anything else (events, heartbeats, timers) is written by
	 * libevent. While the sender thread writes to the socket, it waits:
	 * conn_send_done flushes it. */
	if (!c->flushing && !c->sending)
		bufferevent_enable(c->bev, EV_WRITE);
	conn_check_output(c);
}

/* Backpressure: stop reading a client that is not reading its output.
 * Never logged per write: the first pause of a connection is a warning,
 * later ones (a slow reader flapping around the limit) are counted and
 * logged at debug level. */
static void conn_check_output(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	if (!c->paused && evbuffer_get_length(out) > c->srv->cfg.max_output) {
		c->paused = true;
		c->srv->stats.paused_reads++;
		conn_read_disable(c);
		if (c->pauses++ == 0)
			log_warn("output limit reached, reading paused peer=%s queued=%zu limit=%zu", c->peer,
				 evbuffer_get_length(out), c->srv->cfg.max_output);
		else
			log_debug("reading paused again peer=%s pauses=%llu", c->peer, (unsigned long long)c->pauses);
	}
}

/* Reading a plain TCP connection uses its own event and recv, not the
 * bufferevent's: libevent 2.1's evbuffer_read asks the kernel how much is
 * waiting (an ioctl) before every read, 3% of the loop's time under load.
 * TLS connections read through the bufferevent (OpenSSL). */
void conn_read_enable(struct conn *c)
{
	if (c->read_ev == NULL) {
		if (c->bev)
			bufferevent_enable(c->bev, EV_READ);
	} else if (!c->reading && !c->eof) {
		/* After EOF the socket stays readable: the event would fire on
		 * every turn (libevent's own reads stop at EOF too). */
		c->reading = true;
		event_add(c->read_ev, NULL);
	}
}

void conn_read_disable(struct conn *c)
{
	if (c->read_ev == NULL) {
		if (c->bev)
			bufferevent_disable(c->bev, EV_READ);
	} else if (c->reading) {
		c->reading = false;
		event_del(c->read_ev);
	}
}

/* Handle the frames already buffered on a later turn of the loop: the
 * bufferevent's deferred read callback (libevent runs at most 32 of those
 * per turn, the rest after the next poll), so a client that keeps sending
 * cannot starve the others (event_active on our read event would run it
 * again in this turn, and again...). */
static void conn_read_later(struct conn *c)
{
	bufferevent_trigger(c->bev, EV_READ, BEV_OPT_DEFER_CALLBACKS);
}

/* Read again, handling the requests that were already buffered (no new
 * bytes may ever arrive to wake the read callback). */
static void conn_read_again(struct conn *c)
{
	conn_read_enable(c);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) >= FRAME_HEADER_LEN)
		conn_read_later(c);
}

/* Resume a paused client once half its queued output has gone. */
static void conn_maybe_resume(struct conn *c, size_t pending)
{
	if (!c->paused || c->closing || pending > c->srv->cfg.max_output / 2)
		return;
	c->paused = false;
	if (c->pauses == 1)
		log_info("output drained, reading resumed peer=%s queued=%zu", c->peer, pending);
	if (!c->penalized)
		conn_read_again(c);
}

static void conn_penalty_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	c->penalized = false;
	if (!c->paused && !c->closing && !c->dead)
		conn_read_again(c);
}

/* A failed Login: stop reading this connection for a while. */
static void conn_penalize(struct conn *c)
{
	unsigned secs = c->login_failures < LOGIN_PENALTY_MAX ? c->login_failures : LOGIN_PENALTY_MAX;
	if (c->penalty_ev == NULL)
		c->penalty_ev = evtimer_new(c->srv->base, conn_penalty_cb, c);
	c->penalized = true;
	conn_read_disable(c);
	struct timeval tv = { (time_t)secs, 0 };
	evtimer_add(c->penalty_ev, &tv);
}

/* Nothing owed to the peer any more: nothing held, out with the sender
 * thread or queued. A closing connection can go then. */
static bool conn_drained(struct conn *c)
{
	return c->held_head == NULL && !c->sending &&
	       (c->bev == NULL || evbuffer_get_length(bufferevent_get_output(c->bev)) == 0);
}

/* Send what is queued now, from the loop's own turn: responses to all the
 * frames of one read go out in one writev, and the write event (an
 * epoll_ctl to add and another to remove per response) is used only when
 * the socket is full. */
static void conn_flush(struct conn *c)
{
	c->flushing = false;
	if (c->dead || c->bev == NULL || c->sending)
		return;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) == 0) {
		/* Its last answers may have gone out with the sender thread. */
		if (c->closing && conn_drained(c))
			conn_close(c);
		return;
	}
	/* TLS must go through the bufferevent: never write the socket directly.
	 * A socket bufferevent keeps its output's start frozen (only its own
	 * write callback drains it, unfreezing around the write, as here);
	 * without the unfreeze evbuffer_write fails and every answer waited
	 * for the write event: an epoll_ctl pair and a loop turn each. */
	if (c->srv->tls_ctx == NULL) {
		evbuffer_unfreeze(out, 1);
		evbuffer_write(out, bufferevent_getfd(c->bev));
		evbuffer_freeze(out, 1);
	}
	/* Left over or failed: libevent finishes it, or reports the error. */
	size_t left = evbuffer_get_length(out);
	if (left > 0) {
		bufferevent_enable(c->bev, EV_WRITE);
		return;
	}
	if (c->closing && conn_drained(c)) {
		conn_close(c);
		return;
	}
	conn_maybe_resume(c, left);
	if (c->watch)
		watch_on_drain(c);   /* no write callback will come: feed the replay */
}

void conn_send_response(struct conn *c, Pb__Response *resp, bool held, bool is_write)
{
	struct buf b = { 0 };
	pack_response(c, resp, &b);
	/* Behind a write awaiting commit, or a read that may have seen a
	 * change not yet on disk: keep request order, wait for that commit. */
	uint64_t gen = server_hold_gen(c->srv, held);
	if (c->held_tail != NULL && c->held_tail->gen > gen)
		gen = c->held_tail->gen;
	if (gen != 0 || c->held_head != NULL) {
		struct held *hd = xmalloc(sizeof *hd + b.len);
		hd->next = NULL;
		hd->id = resp->id;
		hd->is_write = is_write;
		hd->failed = resp->has_status && resp->status != PB__STATUS__OK;
		hd->lost = false;
		hd->gen = gen;
		hd->len = b.len;
		memcpy(hd->data, b.data, b.len);
		if (c->held_tail)
			c->held_tail->next = hd;
		else
			c->held_head = hd;
		c->held_tail = hd;
		server_hold(c->srv, c);
	} else {
		conn_write_out(c, b.data, b.len);
	}
	buf_free(&b);
}

/* The commit of generation gen failed: its writes were not saved. */
void conn_mark_lost(struct conn *c, uint64_t gen)
{
	for (struct held *hd = c->held_head; hd != NULL; hd = hd->next)
		if (hd->gen == gen && hd->is_write && !hd->failed)
			hd->lost = true;
}

/* Hand the answers of generation <= gen to the sender thread, in one job
 * (released ones, or those of a commit being synced: the sync thread
 * submits that job once it is durable, see hand_over_early): only for a
 * plain TCP connection with nothing else queued or out, so the thread's
 * bytes are the next on the wire. A lost write
 * (an error answer to build) goes the usual way. True if handed over. */
bool conn_hand_over(struct conn *c, uint64_t gen)
{
	struct server *srv = c->srv;
	if (srv->sender == NULL || c->sending || c->dead || c->bev == NULL || c->watch != NULL ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) != 0 ||
	    (bufferevent_get_enabled(c->bev) & EV_WRITE))
		return false;
	size_t n = 0, bytes = 0;
	for (struct held *hd = c->held_head; hd != NULL && hd->gen <= gen; hd = hd->next) {
		if (hd->lost)
			return false;
		n++;
		bytes += hd->len;
	}
	if (n == 0)
		return false;
	struct send_job *j;
	struct held *first = c->held_head;
	if (n == 1) {
		/* The usual case: the held answer's own bytes go out. */
		j = xmalloc(sizeof *j);
		j->data = first->data;
		j->len = first->len;
		j->storage = first;
		c->held_head = first->next;
	} else {
		j = xmalloc(sizeof *j + bytes);
		uint8_t *p = (uint8_t *)(j + 1);
		j->data = p;
		j->len = bytes;
		j->storage = NULL;
		for (size_t i = 0; i < n; i++) {
			struct held *next = c->held_head->next;
			memcpy(p, c->held_head->data, c->held_head->len);
			p += c->held_head->len;
			free(c->held_head);
			c->held_head = next;
		}
	}
	if (c->held_head == NULL)
		c->held_tail = NULL;
	j->owner = c;
	j->fd = bufferevent_getfd(c->bev);
	j->sent = 0;
	j->err = 0;
	j->next = NULL;
	*srv->send_batch_tail = j;   /* in release order */
	srv->send_batch_tail = &j->next;
	c->sending = true;
	return true;
}

void conn_send_done(void *arg, struct send_job *j)
{
	(void)arg;
	struct conn *c = j->owner;
	c->sending = false;
	if (j->err != 0 && !c->dead) {
		log_debug("connection error peer=%s error=\"%s\"", c->peer, strerror(j->err));
		conn_close(c);
	} else if (j->sent < j->len && !c->dead && c->bev != NULL) {
		/* The socket was full: the rest goes first, before anything
		 * queued meanwhile, through libevent's write event. A socket
		 * bufferevent keeps its output's start frozen (see conn_flush). */
		struct evbuffer *out = bufferevent_get_output(c->bev);
		evbuffer_unfreeze(out, 1);
		evbuffer_prepend(out, j->data + j->sent, j->len - j->sent);
		evbuffer_freeze(out, 1);
		conn_check_output(c);
	}
	free(j->storage);
	free(j);
	if (c->dead) {
		event_active(c->srv->reap_ev, EV_TIMEOUT, 0);
		return;
	}
	conn_flush(c);
}

/* Send the held responses whose commit (generation <= gen) is on disk; a
 * write whose commit failed is answered with an error instead: nothing
 * was saved. True if none is left held. */
bool conn_release_upto(struct conn *c, uint64_t gen)
{
	if (conn_hand_over(c, gen))
		return c->held_head == NULL;
	struct held *hd = c->held_head;
	c->flushing = true;
	while (hd != NULL && hd->gen <= gen) {
		struct held *next = hd->next;
		if (hd->lost) {
			Pb__Response err = PB__RESPONSE__INIT;
			err.has_id = 1;
			err.id = hd->id;
			err.has_status = 1;
			err.status = PB__STATUS__INTERNAL;
			err.error_message = "the change could not be committed and was not saved";
			struct buf b = { 0 };
			pack_response(c, &err, &b);
			conn_write_out(c, b.data, b.len);
			buf_free(&b);
		} else {
			conn_write_out(c, hd->data, hd->len);
		}
		free(hd);
		hd = next;
	}
	c->held_head = hd;
	if (hd == NULL)
		c->held_tail = NULL;
	conn_flush(c);
	return hd == NULL;
}

void conn_send_frame(struct conn *c, Pb__ServerFrame *f)
{
	struct buf b = { 0 };
	if (wire_frame_append(&b, &f->base, c->srv->cfg.max_frame) == 0)
		conn_write_out(c, b.data, b.len);
	buf_free(&b);
}

size_t conn_output_len(struct conn *c)
{
	return c->bev ? evbuffer_get_length(bufferevent_get_output(c->bev)) : 0;
}

static void send_error_and_close(struct conn *c, int status, const char *msg)
{
	Pb__Response resp = PB__RESPONSE__INIT;
	resp.has_id = 1;
	resp.id = 0;
	resp.has_status = 1;
	resp.status = status;
	resp.error_message = (char *)msg;
	conn_send_response(c, &resp, false, false);
	c->closing = true;
	if (c->timer) {
		struct timeval grace = { CLOSE_GRACE, 0 };
		evtimer_add(c->timer, &grace);
	}
	conn_flush(c);
	conn_read_disable(c);
	if (c->bev && conn_drained(c))
		conn_close(c);
}

void conn_drop_user(struct server *srv, int64_t user_id, const struct conn *except, const char *why)
{
	for (struct conn *c = srv->conns; c != NULL; c = c->next) {
		if (c == except || c->dead || c->closing || c->state != CONN_READY || c->who.user_id != user_id)
			continue;
		log_info("closing session peer=%s user=%s reason=\"%s\"", c->peer, c->who.name, why);
		send_error_and_close(c, PB__STATUS__UNAUTHENTICATED, why);
	}
}

void conn_accept(struct server *srv, evutil_socket_t fd, struct sockaddr *sa, int salen)
{
	(void)salen;
	struct conn *c = xcalloc(1, sizeof *c);
	c->srv = srv;
	peer_name(sa, c->peer, sizeof c->peer);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (srv->tls_ctx)
		c->bev = tls_bufferevent_new(srv->base, srv->tls_ctx, fd);
	else
		c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		if (!srv->tls_ctx)
			evutil_closesocket(fd);
		free(c);
		return;
	}
	bufferevent_priority_set(c->bev, 0);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	c->timer = evtimer_new(srv->base, conn_timer_cb, c);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->n_conns++;
	if (srv->n_conns > srv->cfg.max_connections) {
		/* Logged once per episode: a flood must not flood the log too. */
		srv->stats.refused_connections++;
		if (!srv->at_conn_limit)
			log_warn("connection limit reached, refusing new connections peer=%s limit=%u",
				 c->peer, srv->cfg.max_connections);
		srv->at_conn_limit = true;
		send_error_and_close(c, PB__STATUS__UNAVAILABLE, "server is at its connection limit; try again later");
		return;
	}
	if (srv->at_conn_limit) {
		log_info("below the connection limit again refused=%llu",
			 (unsigned long long)srv->stats.refused_connections);
		srv->at_conn_limit = false;
	}
	/* Resume reading when the output queue is down to half the limit. */
	bufferevent_setwatermark(c->bev, EV_WRITE, srv->cfg.max_output / 2, 0);
	struct timeval tv = { (time_t)srv->cfg.handshake_timeout, 0 };
	evtimer_add(c->timer, &tv);
	if (!srv->tls_ctx) {
		c->read_ev = event_new(srv->base, fd, EV_READ | EV_PERSIST, conn_sock_read_cb, c);
		if (c->read_ev == NULL) {
			conn_close(c);
			return;
		}
		event_priority_set(c->read_ev, 0);
	}
	conn_read_enable(c); /* EV_WRITE only when the socket is full */
	log_debug("connection opened peer=%s", c->peer);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	if (c->closing) {
		log_info("closing connection that did not take its last message peer=%s", c->peer);
		conn_close(c);
	} else if (c->state != CONN_READY) {
		log_info("handshake timeout peer=%s", c->peer);
		send_error_and_close(c, PB__STATUS__UNAUTHENTICATED, "no Hello and Login within the handshake time");
	} else {
		log_info("idle timeout peer=%s user=%s", c->peer, c->who.name);
		send_error_and_close(c, PB__STATUS__UNAVAILABLE, "connection idle for too long");
	}
}

static void conn_touch(struct conn *c)
{
	/* Watchers only listen: no idle timeout (heartbeats find dead ones). */
	if (c->state == CONN_READY && c->timer && c->watch == NULL && !c->closing) {
		struct timeval tv = { (time_t)c->srv->cfg.idle_timeout, 0 };
		evtimer_add(c->timer, &tv);
	}
}

/* Stop reading and close once every answer owed (this request's too) has
 * gone out: conn_flush and the write callback close a drained closing
 * connection; the grace timer cuts off a peer that stops reading. */
void conn_close_after_reply(struct conn *c)
{
	if (c->dead)
		return;
	c->closing = true;
	conn_read_disable(c);
	if (c->timer) {
		struct timeval grace = { CLOSE_GRACE, 0 };
		evtimer_add(c->timer, &grace);
	}
}

/* Is there a whole frame (or a bad header) waiting in the input? */
static bool frame_waiting(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[FRAME_HEADER_LEN];
	uint32_t len;
	const char *err;
	if (evbuffer_copyout(in, hdr, sizeof hdr) < (ev_ssize_t)sizeof hdr)
		return false;
	if (frame_peek_header(hdr, sizeof hdr, c->srv->cfg.max_frame, &len, &err) != FRAME_OK)
		return true;
	return evbuffer_get_length(in) >= FRAME_HEADER_LEN + (size_t)len;
}

/* After EOF: finish the frames already received, then close once every
 * answer (held ones too) has gone out. */
static void conn_end_after_eof(struct conn *c)
{
	if (!c->eof || c->dead || c->bev == NULL)
		return;
	if (!c->closing && frame_waiting(c)) {
		if (!c->paused && !c->penalized)
			conn_read_later(c);
		return;   /* conn_read_cb calls us again when it is done */
	}
	c->closing = true;
	if (conn_drained(c)) {
		conn_close(c);
		return;
	}
	if (c->timer) {
		struct timeval grace = { CLOSE_GRACE, 0 };
		evtimer_add(c->timer, &grace);
	}
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	bool more = true; /* stopped at FRAMES_PER_READ, not for lack of bytes */
	if (!c->dead && !c->closing)
		server_poll_durable(c->srv);
	c->flushing = true;
	for (int n = 0; n < FRAMES_PER_READ && !c->closing && !c->dead && !c->paused && !c->penalized; n++) {
		uint8_t hdr[FRAME_HEADER_LEN];
		uint32_t len;
		const char *err;
		ev_ssize_t got = evbuffer_copyout(in, hdr, sizeof hdr);
		/* Before login only Hello and Login are allowed: small frames. */
		uint32_t max = c->state == CONN_READY ? c->srv->cfg.max_frame : c->srv->cfg.max_frame_prelogin;
		enum frame_result r = frame_peek_header(hdr, got < 0 ? 0 : (size_t)got, max, &len, &err);
		if (r == FRAME_ERROR) {
			static struct log_gate gate;
			unsigned long quiet;
			c->srv->stats.protocol_errors++;
			if (log_gate_open(&gate, &quiet))
				log_warn("protocol error peer=%s reason=\"%s\" (%lu more not logged)", c->peer, err, quiet);
			send_error_and_close(c, PB__STATUS__BAD_REQUEST, err);
			return;
		}
		if (r == FRAME_NEED_MORE || evbuffer_get_length(in) < FRAME_HEADER_LEN + (size_t)len) {
			more = false;
			break;
		}
		const uint8_t *p = evbuffer_pullup(in, FRAME_HEADER_LEN + (ev_ssize_t)len);
		Pb__Request *req = wire_unpack_request(p + FRAME_HEADER_LEN, len);
		evbuffer_drain(in, FRAME_HEADER_LEN + (size_t)len);
		c->srv->stats.requests++;
		c->requests++;
		if (req == NULL) {
			/* The framing is intact, so the connection can go on. */
			c->srv->stats.protocol_errors++;
			/* Once per connection at warning level: a client sending
			 * junk in a loop must not fill the log. */
			if (c->bad_messages++ == 0)
				log_warn("bad message peer=%s len=%u (further ones from this peer at debug level)",
					 c->peer, len);
			else
				log_debug("bad message peer=%s len=%u count=%llu", c->peer, len,
					  (unsigned long long)c->bad_messages);
			Pb__Response resp = PB__RESPONSE__INIT;
			resp.has_id = 1;
			resp.has_status = 1;
			resp.status = PB__STATUS__BAD_REQUEST;
			resp.error_message = "frame is not a valid Request message";
			conn_send_response(c, &resp, false, false);
			continue;
		}
		unsigned failures = c->login_failures;
		dispatch_request(c, req);
		wire_free(req);
		conn_touch(c);
		if (c->login_failures != failures && !c->closing && !c->dead)
			conn_penalize(c);
	}
	conn_flush(c);
	if (c->eof) {
		conn_end_after_eof(c);
		return;
	}
	/* Frames left over: come back on a later loop turn. */
	if (more && !c->closing && !c->dead && !c->paused && !c->penalized &&
	    evbuffer_get_length(in) >= FRAME_HEADER_LEN)
		conn_read_later(c);
}

/* A plain TCP connection is readable (or a read was asked for): one
 * recv into the input, as much as a chunk holds (more waits for the next
 * turn, like libevent's own reads), then the frames. EOF and errors are
 * handled as conn_event_cb does for a bufferevent. */
#define READ_CHUNK 16384
static void conn_sock_read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct conn *c = arg;
	if (c->dead || c->bev == NULL)
		return;
	if (c->eof)
		conn_read_disable(c);   /* nothing more can come */
	if (c->reading) {
		/* A socket bufferevent keeps its input's end frozen (only its
		 * own reads add to it, unfreezing around them, as here). */
		struct evbuffer *in = bufferevent_get_input(c->bev);
		struct evbuffer_iovec v;
		evbuffer_unfreeze(in, 0);
		if (evbuffer_reserve_space(in, READ_CHUNK, &v, 1) < 1)
			fatal("out of memory reading a request");
		if (v.iov_len > READ_CHUNK)
			v.iov_len = READ_CHUNK;   /* a chunk per turn, whatever the buffer has free */
		ssize_t n;
		do
			n = recv(fd, v.iov_base, v.iov_len, 0);
		while (n < 0 && errno == EINTR);
		int err = errno;   /* before the evbuffer calls */
		if (n > 0)
			v.iov_len = (size_t)n;
		evbuffer_commit_space(in, &v, n > 0 ? 1 : 0);
		evbuffer_freeze(in, 0);
		if (n <= 0) {
			if (n == 0) {
				log_debug("connection half-closed peer=%s", c->peer);
				c->eof = true;   /* conn_read_cb answers what came, then closes */
				conn_read_disable(c);
			} else if (err != EAGAIN && err != EWOULDBLOCK) {
				log_debug("connection error peer=%s error=\"%s\"", c->peer, strerror(err));
				conn_close(c);
				return;
			}
		}
	}
	conn_read_cb(c->bev, c);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	size_t pending = evbuffer_get_length(bufferevent_get_output(bev));
	if (c->closing) {
		if (conn_drained(c))
			conn_close(c);
		return;
	}
	if (pending == 0)
		bufferevent_disable(bev, EV_WRITE);
	conn_maybe_resume(c, pending);
	if (c->watch)
		watch_on_drain(c);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	if ((what & BEV_EVENT_ERROR) && c->srv->tls_ctx) {
		static struct log_gate gate;
		unsigned long quiet;
		const char *why = tls_error_string(bev);
		if (*why && c->requests == 0 && log_gate_open(&gate, &quiet))
			log_warn("TLS handshake failed peer=%s error=\"%s\" (a client without --tls?; %lu more not logged)",
				 c->peer, why, quiet);
		else if (*why)
			log_warn("TLS error peer=%s error=\"%s\"", c->peer, why);
	}
	if (what & BEV_EVENT_ERROR) {
		log_debug("connection error peer=%s", c->peer);
		conn_close(c);
	} else if (what & BEV_EVENT_EOF) {
		/* A half-close (a script's `shutdown(SHUT_WR)`, `nc -N`): answer
		 * everything it sent, writes included, then close. */
		log_debug("connection half-closed peer=%s", c->peer);
		c->eof = true;
		conn_end_after_eof(c);
	}
}

void conn_close(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	conn_read_disable(c);
	if (c->bev)
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->timer)
		evtimer_del(c->timer);
	if (c->penalty_ev)
		evtimer_del(c->penalty_ev);
	event_active(c->srv->reap_ev, EV_TIMEOUT, 0);
}

static void conn_free(struct server *srv, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->n_conns--;
	watch_conn_free(c);
	batch_conn_free(c);
	struct held *hd = c->held_head;
	while (hd) {
		struct held *next = hd->next;
		free(hd);
		hd = next;
	}
	if (c->read_ev)
		event_free(c->read_ev);   /* before the bufferevent closes the descriptor */
	if (c->bev)
		bufferevent_free(c->bev);
	if (c->timer)
		event_free(c->timer);
	if (c->penalty_ev)
		event_free(c->penalty_ev);
	free(c->who.name);
	free(c->who.locality);
	free(c);
}

/* Free dead connections that no pending commit still refers to. */
void conn_reap(struct server *srv)
{
	struct conn *c = srv->conns;
	while (c != NULL) {
		struct conn *next = c->next;
		/* Not while the sender thread may still write to its socket:
		 * its descriptor could be reused by a new connection. */
		if (c->dead && !c->in_commit_list && !c->sending)
			conn_free(srv, c);
		c = next;
	}
}

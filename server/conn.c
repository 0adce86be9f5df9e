/* conn.c: one client connection: reading frames, the order of responses,
 * holding write responses until their group commit, backpressure and
 * timeouts. A connection is never freed inside its own callback: it is
 * marked dead and reaped on a later loop turn. */
#include "dispatch.h"
#include "frame.h"
#include "log.h"
#include "server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Frames handled per read callback before returning to the loop
 * (memcached's reqs_per_event), so one busy client cannot starve others. */
#define FRAMES_PER_READ 64

struct held {
	struct held *next;
	uint64_t id;
	bool is_write;
	size_t len;
	uint8_t data[];
};

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_timer_cb(evutil_socket_t fd, short what, void *arg);

static void peer_name(struct sockaddr *sa, char *out, size_t len)
{
	char host[64] = "?";
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

static void conn_write_out(struct conn *c, const void *data, size_t len)
{
	if (c->dead || c->bev == NULL)
		return;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add(out, data, len);
	/* Backpressure: stop reading a client that is not reading its output. */
	if (evbuffer_get_length(out) > c->srv->cfg.max_output)
		bufferevent_disable(c->bev, EV_READ);
}

/* Send what is queued now, from the loop's own turn: responses to all the
 * frames of one read go out in one writev, and the write event (an
 * epoll_ctl to add and another to remove per response) is used only when
 * the socket is full. */
static void conn_flush(struct conn *c)
{
	if (c->dead || c->bev == NULL)
		return;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) == 0)
		return;
	evbuffer_write(out, bufferevent_getfd(c->bev));
	/* Left over or failed: libevent finishes it, or reports the error. */
	size_t left = evbuffer_get_length(out);
	if (left > 0)
		bufferevent_enable(c->bev, EV_WRITE);
	/* Read again if backpressure stopped it and the output drained. */
	if (!c->closing && left <= c->srv->cfg.max_output / 2 && !(bufferevent_get_enabled(c->bev) & EV_READ))
		bufferevent_enable(c->bev, EV_READ);
}

void conn_send_response(struct conn *c, Pb__Response *resp, bool held, bool is_write)
{
	struct buf b = { 0 };
	pack_response(c, resp, &b);
	if (held || c->held_head != NULL) {
		/* Behind a write awaiting commit: keep request order. */
		struct held *hd = xmalloc(sizeof *hd + b.len);
		hd->next = NULL;
		hd->id = resp->id;
		hd->is_write = is_write;
		hd->len = b.len;
		memcpy(hd->data, b.data, b.len);
		if (c->held_tail)
			c->held_tail->next = hd;
		else
			c->held_head = hd;
		c->held_tail = hd;
	} else {
		conn_write_out(c, b.data, b.len);
	}
	buf_free(&b);
}

/* Send the held responses after the group commit. If the commit failed,
 * every held write is answered with an error instead: nothing was saved. */
void conn_release_held(struct conn *c, bool committed)
{
	struct held *hd = c->held_head;
	while (hd != NULL) {
		struct held *next = hd->next;
		if (!committed && hd->is_write) {
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
	c->held_head = c->held_tail = NULL;
	conn_flush(c);
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
	conn_flush(c);
	if (c->bev)
		bufferevent_disable(c->bev, EV_READ);
	if (c->held_head == NULL && c->bev &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_close(c);
}

void conn_accept(struct server *srv, evutil_socket_t fd, struct sockaddr *sa, int salen)
{
	(void)salen;
	struct conn *c = xcalloc(1, sizeof *c);
	c->srv = srv;
	peer_name(sa, c->peer, sizeof c->peer);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	bufferevent_priority_set(c->bev, 0);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->n_conns++;
	if (srv->n_conns > srv->cfg.max_connections) {
		log_warn("connection refused peer=%s reason=max_connections limit=%u", c->peer,
			 srv->cfg.max_connections);
		send_error_and_close(c, PB__STATUS__UNAVAILABLE, "server is at its connection limit; try again later");
		return;
	}
	c->timer = evtimer_new(srv->base, conn_timer_cb, c);
	struct timeval tv = { (time_t)srv->cfg.handshake_timeout, 0 };
	evtimer_add(c->timer, &tv);
	bufferevent_enable(c->bev, EV_READ); /* EV_WRITE only when the socket is full */
	log_debug("connection opened peer=%s", c->peer);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	if (c->state != CONN_READY) {
		log_info("handshake timeout peer=%s", c->peer);
		send_error_and_close(c, PB__STATUS__UNAUTHENTICATED, "no Hello and Login within the handshake time");
	} else {
		log_info("idle timeout peer=%s user=%s", c->peer, c->who.name);
		send_error_and_close(c, PB__STATUS__UNAVAILABLE, "connection idle for too long");
	}
}

static void conn_touch(struct conn *c)
{
	if (c->state == CONN_READY && c->timer) {
		struct timeval tv = { (time_t)c->srv->cfg.idle_timeout, 0 };
		evtimer_add(c->timer, &tv);
	}
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	bool more = true; /* stopped at FRAMES_PER_READ, not for lack of bytes */
	for (int n = 0; n < FRAMES_PER_READ && !c->closing && !c->dead; n++) {
		uint8_t hdr[FRAME_HEADER_LEN];
		uint32_t len;
		const char *err;
		ev_ssize_t got = evbuffer_copyout(in, hdr, sizeof hdr);
		enum frame_result r = frame_peek_header(hdr, got < 0 ? 0 : (size_t)got,
							c->srv->cfg.max_frame, &len, &err);
		if (r == FRAME_ERROR) {
			c->srv->stats.protocol_errors++;
			log_warn("protocol error peer=%s reason=\"%s\"", c->peer, err);
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
			log_warn("bad message peer=%s len=%u", c->peer, len);
			Pb__Response resp = PB__RESPONSE__INIT;
			resp.has_id = 1;
			resp.has_status = 1;
			resp.status = PB__STATUS__BAD_REQUEST;
			resp.error_message = "frame is not a valid Request message";
			conn_send_response(c, &resp, false, false);
			continue;
		}
		dispatch_request(c, req);
		wire_free(req);
		conn_touch(c);
	}
	conn_flush(c);
	/* Frames left over: come back on a later loop turn. */
	if (more && !c->closing && !c->dead && evbuffer_get_length(in) >= FRAME_HEADER_LEN)
		bufferevent_trigger(bev, EV_READ, BEV_OPT_DEFER_CALLBACKS);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	size_t pending = evbuffer_get_length(bufferevent_get_output(bev));
	if (c->closing) {
		if (pending == 0 && c->held_head == NULL)
			conn_close(c);
		return;
	}
	if (pending == 0)
		bufferevent_disable(bev, EV_WRITE);
	if (pending <= c->srv->cfg.max_output / 2 && !(bufferevent_get_enabled(bev) & EV_READ))
		bufferevent_enable(bev, EV_READ);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		log_debug("connection closed peer=%s", c->peer);
		conn_close(c);
	}
}

void conn_close(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	if (c->bev)
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->timer)
		evtimer_del(c->timer);
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
	struct held *hd = c->held_head;
	while (hd) {
		struct held *next = hd->next;
		free(hd);
		hd = next;
	}
	if (c->bev)
		bufferevent_free(c->bev);
	if (c->timer)
		event_free(c->timer);
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
		if (c->dead && !c->in_commit_list)
			conn_free(srv, c);
		c = next;
	}
}

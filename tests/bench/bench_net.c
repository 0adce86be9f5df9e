/* bench_net.c: the load engine: one thread, epoll, non-blocking sockets,
 * N connections each keeping `pipeline` requests in flight. Every answer
 * is checked: its id, its status and the kind of body it carries. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

const struct op_info op_info[N_OPS] = {
	[OP_PING] = { "ping", PB__RESPONSE__BODY_EMPTY, false },
	[OP_ACTION_SHOW] = { "action-show", PB__RESPONSE__BODY_ACTION, false },
	[OP_ACTION_LIST] = { "action-list", PB__RESPONSE__BODY_ACTION_LIST, false },
	[OP_ACTION_UPDATE] = { "action-update", PB__RESPONSE__BODY_ACTION, true },
	[OP_METRIC_SUBMIT] = { "metric-submit", PB__RESPONSE__BODY_METRIC_SUBMIT, true },
	[OP_METRIC_COMPARE] = { "metric-compare", PB__RESPONSE__BODY_METRIC_COMPARE, false },
	[OP_REPORT] = { "report", PB__RESPONSE__BODY_REPORT, false },
};

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Connect (blocking) with TCP_NODELAY; -1 with errno. */
int net_connect(const struct target *t)
{
	char port[16];
	snprintf(port, sizeof port, "%d", t->port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	if (getaddrinfo(t->host, port, &hints, &res) != 0) {
		errno = EINVAL;
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			int e = errno;
			close(fd);
			fd = -1;
			errno = e;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static Pb__ServerFrame *read_frame(int fd, struct frame_reader *rd)
{
	for (;;) {
		const uint8_t *payload;
		size_t len;
		const char *err;
		enum frame_result r = frame_reader_next(rd, &payload, &len, &err);
		if (r == FRAME_ERROR)
			return NULL;
		if (r == FRAME_OK)
			return wire_unpack_server_frame(payload, len);
		uint8_t tmp[65536];
		ssize_t n = recv(fd, tmp, sizeof tmp, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		frame_reader_feed(rd, tmp, (size_t)n);
	}
}

int sync_exchange(int fd, struct frame_reader *rd, Pb__Request **reqs, size_t n, Pb__ServerFrame **out)
{
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		reqs[i]->has_id = 1;
		reqs[i]->id = i + 1;
		if (wire_frame_append(&b, &reqs[i]->base, FRAME_MAX_DEFAULT) != 0)
			fatal("request too large");
	}
	int rc = write_all(fd, b.data, b.len);
	buf_free(&b);
	if (rc != 0)
		return -1;
	size_t got = 0;
	while (got < n) {
		Pb__ServerFrame *f = read_frame(fd, rd);
		if (f == NULL) {
			for (size_t i = 0; i < got; i++)
				wire_free(out[i]);
			return -1;
		}
		if (f->kind_case != PB__SERVER_FRAME__KIND_RESPONSE) {
			wire_free(f);
			continue;
		}
		out[got++] = f;
	}
	return 0;
}

static void fill_hello(Pb__Request *req, Pb__Hello *hello)
{
	pb__hello__init(hello);
	hello->has_protocol_version = 1;
	hello->protocol_version = PROTOCOL_VERSION;
	hello->client_name = "planboard-bench";
	pb__request__init(req);
	req->body_case = PB__REQUEST__BODY_HELLO;
	req->hello = hello;
}

int setup_session(struct target *t, int *fd_out, struct frame_reader *rd, char *err, size_t errlen)
{
	int fd = net_connect(t);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s:%d: %s", t->host, t->port, strerror(errno));
		return -1;
	}
	frame_reader_init(rd, FRAME_MAX_DEFAULT);
	Pb__Hello hello;
	Pb__Request hreq, lreq;
	fill_hello(&hreq, &hello);
	Pb__Login login = PB__LOGIN__INIT;
	pb__request__init(&lreq);
	lreq.body_case = PB__REQUEST__BODY_LOGIN;
	lreq.login = &login;
	login.user = (char *)t->user;
	if (t->token) {
		login.token = t->token;
	} else {
		login.password = (char *)t->password;
		login.has_issue_token = 1;
		login.issue_token = 1;
	}
	Pb__Request *reqs[2] = { &hreq, &lreq };
	Pb__ServerFrame *out[2];
	if (sync_exchange(fd, rd, reqs, 2, out) != 0) {
		snprintf(err, errlen, "the server closed the connection during Hello/Login");
		close(fd);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		Pb__Response *r = out[i]->response;
		if (r->status != PB__STATUS__OK) {
			snprintf(err, errlen, "%s failed: %s: %s", i ? "Login" : "Hello",
				 protobuf_c_enum_descriptor_get_value(&pb__status__descriptor, r->status)->name,
				 r->error_message ? r->error_message : "");
			rc = -1;
		}
	}
	if (rc == 0 && t->token == NULL) {
		Pb__LoginReply *lr = out[1]->response->login;
		if (lr == NULL || lr->token == NULL) {
			snprintf(err, errlen, "Login did not return a token");
			rc = -1;
		} else {
			t->token = xstrdup(lr->token);
		}
	}
	wire_free(out[0]);
	wire_free(out[1]);
	if (rc != 0) {
		close(fd);
		frame_reader_free(rd);
		return -1;
	}
	*fd_out = fd;
	return 0;
}

/* ---------------------------------------------------------------- engine */

enum cstate { C_CONNECTING, C_HANDSHAKE, C_READY, C_DEAD };

struct inflight {
	uint64_t id, t0;
	uint8_t op;
};

struct bconn {
	int fd;
	enum cstate state;
	struct buf out;
	size_t out_off;
	bool want_out;
	struct frame_reader rd;
	uint64_t next_id;
	struct inflight *ring;
	unsigned head, count, cap;
};

struct engine {
	const struct target *t;
	const struct dataset *ds;
	const struct run_spec *spec;
	struct run_result *res;
	int ep;
	struct bconn *conns;
	unsigned n, ready;
	uint64_t rng;
	uint64_t sent;
	uint64_t measure_from, stop_at;
	bool stopping;
	bool loading;             /* false while connecting: no load yet */
	_Alignas(max_align_t) uint8_t scratch[SCRATCH_SIZE];
	unsigned total_weight;
};

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64*: cheap and good enough to spread keys. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static void conn_epoll(struct engine *e, struct bconn *c, bool out)
{
	if (c->want_out == out)
		return;
	c->want_out = out;
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c };
	epoll_ctl(e->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_kill(struct engine *e, struct bconn *c, const char *why)
{
	if (c->state == C_DEAD)
		return;
	if (c->state != C_READY)
		e->res->failed_connects++;
	else
		e->ready--;
	/* What was in flight is lost: count it as errors. */
	e->res->errors += c->count;
	if (why)
		fprintf(stderr, "planboard-bench: connection lost: %s\n", why);
	c->state = C_DEAD;
	epoll_ctl(e->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static void conn_flush(struct engine *e, struct bconn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			conn_epoll(e, c, true);
			return;
		}
		conn_kill(e, c, strerror(errno));
		return;
	}
	c->out.len = c->out_off = 0;
	conn_epoll(e, c, false);
}

static void push_inflight(struct bconn *c, uint64_t id, enum op op)
{
	if (c->count == c->cap) {
		unsigned ncap = c->cap ? c->cap * 2 : 4;
		struct inflight *r = xcalloc(ncap, sizeof *r);
		for (unsigned i = 0; i < c->count; i++)
			r[i] = c->ring[(c->head + i) % c->cap];
		free(c->ring);
		c->ring = r;
		c->head = 0;
		c->cap = ncap;
	}
	struct inflight *f = &c->ring[(c->head + c->count) % c->cap];
	f->id = id;
	f->op = (uint8_t)op;
	f->t0 = now_ns();
	c->count++;
}

static enum op pick_op(struct engine *e)
{
	unsigned r = (unsigned)(next_rand(&e->rng) % e->total_weight);
	for (int op = 0; op < N_OPS; op++) {
		if (r < e->spec->weights[op])
			return (enum op)op;
		r -= e->spec->weights[op];
	}
	return OP_PING;
}

static void queue_request(struct engine *e, struct bconn *c, Pb__Request *req, enum op op)
{
	req->has_id = 1;
	req->id = ++c->next_id;
	if (wire_frame_append(&c->out, &req->base, FRAME_MAX_DEFAULT) != 0)
		fatal("request too large");
	push_inflight(c, req->id, op);
}

static bool may_send(struct engine *e)
{
	if (e->stopping || e->spec->hold || !e->loading)
		return false;
	return e->spec->duration > 0 || e->sent < e->spec->requests;
}

static void fill_pipeline(struct engine *e, struct bconn *c)
{
	if (c->state != C_READY)
		return;
	bool added = false;
	while (c->count < e->spec->pipeline && may_send(e)) {
		enum op op = pick_op(e);
		Pb__Request req;
		build_request(op, e->ds, next_rand(&e->rng), &req, e->scratch);
		queue_request(e, c, &req, op);
		e->sent++;
		added = true;
	}
	if (added)
		conn_flush(e, c);
}

static void start_handshake(struct engine *e, struct bconn *c)
{
	Pb__Hello hello;
	Pb__Request req;
	Pb__Login login = PB__LOGIN__INIT;
	pb__hello__init(&hello);
	hello.has_protocol_version = 1;
	hello.protocol_version = PROTOCOL_VERSION;
	hello.client_name = "planboard-bench";
	pb__request__init(&req);
	req.body_case = PB__REQUEST__BODY_HELLO;
	req.hello = &hello;
	queue_request(e, c, &req, N_OPS);
	pb__request__init(&req);
	req.body_case = PB__REQUEST__BODY_LOGIN;
	req.login = &login;
	login.token = e->t->token;
	queue_request(e, c, &req, N_OPS);
	c->state = C_HANDSHAKE;
	conn_flush(e, c);
}

static void note_error(struct engine *e, enum op op, int status, const char *msg)
{
	e->res->errors++;
	if (op >= N_OPS)
		return;
	struct error_note *n = &e->res->err[op];
	if (n->count++ == 0) {
		n->status = status;
		snprintf(n->first, sizeof n->first, "%s", msg ? msg : "(no message)");
	}
}

static void record_latency(struct run_result *res, uint64_t ns)
{
	if (res->n_lat == res->cap_lat) {
		res->cap_lat = res->cap_lat ? res->cap_lat * 2 : 65536;
		res->lat_ns = xrealloc(res->lat_ns, res->cap_lat * sizeof *res->lat_ns);
	}
	res->lat_ns[res->n_lat++] = ns;
}

/* One answer: it must be the oldest request in flight, with status OK and
 * the body that request type gets. */
static void on_response(struct engine *e, struct bconn *c, const Pb__Response *r, uint64_t now)
{
	if (c->count == 0) {
		note_error(e, N_OPS, 0, NULL);
		conn_kill(e, c, "an answer to no request");
		return;
	}
	struct inflight f = c->ring[c->head];
	c->head = (c->head + 1) % c->cap;
	c->count--;
	if (r->id != f.id) {
		note_error(e, (enum op)f.op, -1, "answer out of order");
		conn_kill(e, c, "an answer out of order");
		return;
	}
	if (f.op >= N_OPS) { /* handshake */
		if (r->status != PB__STATUS__OK) {
			note_error(e, N_OPS, r->status, r->error_message);
			char why[300];
			snprintf(why, sizeof why, "login refused: %s", r->error_message ? r->error_message : "?");
			conn_kill(e, c, why);
			return;
		}
		if (c->count == 0) {
			c->state = C_READY;
			e->ready++;
			e->res->connected++;
		}
		return;
	}
	bool measured = f.t0 >= e->measure_from;
	if (r->status != PB__STATUS__OK || (int)r->body_case != op_info[f.op].resp_body) {
		note_error(e, (enum op)f.op, r->status != PB__STATUS__OK ? (int)r->status : -2,
			   r->status != PB__STATUS__OK ? r->error_message : "answer carries the wrong body");
		return;
	}
	if (measured) {
		e->res->done++;
		e->res->per_op[f.op]++;
		record_latency(e->res, now - f.t0);
	}
}

static void on_readable(struct engine *e, struct bconn *c)
{
	uint8_t tmp[65536];
	for (;;) {
		ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_kill(e, c, n == 0 ? "the server closed the connection" : strerror(errno));
			return;
		}
		frame_reader_feed(&c->rd, tmp, (size_t)n);
		if ((size_t)n < sizeof tmp)
			break;
	}
	uint64_t now = now_ns();
	for (;;) {
		const uint8_t *payload;
		size_t len;
		const char *err;
		enum frame_result r = frame_reader_next(&c->rd, &payload, &len, &err);
		if (r == FRAME_NEED_MORE)
			break;
		if (r == FRAME_ERROR) {
			conn_kill(e, c, err);
			return;
		}
		Pb__ServerFrame *f = wire_unpack_server_frame(payload, len);
		if (f == NULL) {
			note_error(e, N_OPS, -1, "invalid frame");
			conn_kill(e, c, "the server sent an invalid frame");
			return;
		}
		if (f->kind_case == PB__SERVER_FRAME__KIND_RESPONSE)
			on_response(e, c, f->response, now);
		wire_free(f);
		if (c->state == C_DEAD)
			return;
	}
}

static int open_conn(struct engine *e, struct bconn *c, const struct sockaddr *sa, socklen_t salen)
{
	memset(c, 0, sizeof *c);
	frame_reader_init(&c->rd, FRAME_MAX_DEFAULT);
	c->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		c->state = C_DEAD;
		e->res->failed_connects++;
		return -1;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
	c->want_out = true;
	epoll_ctl(e->ep, EPOLL_CTL_ADD, c->fd, &ev);
	if (connect(c->fd, sa, salen) != 0 && errno != EINPROGRESS) {
		conn_kill(e, c, strerror(errno));
		return -1;
	}
	c->state = C_CONNECTING;
	return 0;
}

static void on_event(struct engine *e, struct bconn *c, uint32_t events)
{
	if (c->state == C_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
			conn_kill(e, c, strerror(err ? err : ECONNREFUSED));
			return;
		}
		start_handshake(e, c);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		on_readable(e, c);
	if (c->state != C_DEAD && (events & EPOLLOUT))
		conn_flush(e, c);
	if (c->state == C_READY && c->count < e->spec->pipeline)
		fill_pipeline(e, c);
}

static bool all_answered(struct engine *e)
{
	for (unsigned i = 0; i < e->n; i++)
		if (e->conns[i].state != C_DEAD && e->conns[i].count > 0)
			return false;
	return true;
}

static int resolve(const struct target *t, struct sockaddr_storage *ss, socklen_t *len)
{
	char port[16];
	snprintf(port, sizeof port, "%d", t->port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	if (getaddrinfo(t->host, port, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void sort_latencies(struct run_result *res)
{
	if (res->n_lat == 0)
		return;
	qsort(res->lat_ns, res->n_lat, sizeof *res->lat_ns, cmp_u64);
	double n = (double)res->n_lat;
#define PCT(p) ((double)res->lat_ns[(size_t)((p) * (n - 1))] / 1e6)
	res->p50 = PCT(0.50);
	res->p90 = PCT(0.90);
	res->p99 = PCT(0.99);
	res->p999 = PCT(0.999);
	res->max = (double)res->lat_ns[res->n_lat - 1] / 1e6;
#undef PCT
}

/* Open connections in waves so the listen backlog is not overrun. */
static void connect_wave(struct engine *e, unsigned *opened, const struct sockaddr *sa, socklen_t salen)
{
	unsigned pending = *opened - e->ready - e->res->failed_connects;
	while (*opened < e->n && pending < 256) {
		open_conn(e, &e->conns[(*opened)++], sa, salen);
		pending++;
	}
}

int run_load(const struct target *t, const struct dataset *ds, const struct run_spec *spec,
	     struct run_result *res, int **idle_fds)
{
	struct engine *e = xcalloc(1, sizeof *e);
	memset(res, 0, sizeof *res);
	e->t = t;
	e->ds = ds;
	e->spec = spec;
	e->res = res;
	e->n = spec->connections;
	e->rng = now_ns() | 1;
	for (int i = 0; i < N_OPS; i++)
		e->total_weight += spec->weights[i];
	if (e->total_weight == 0 && !spec->hold)
		fatal("no operation to run");
	struct sockaddr_storage ss;
	socklen_t salen;
	if (resolve(t, &ss, &salen) != 0) {
		fprintf(stderr, "planboard-bench: cannot resolve %s\n", t->host);
		free(e);
		return -1;
	}
	e->ep = epoll_create1(EPOLL_CLOEXEC);
	e->conns = xcalloc(e->n, sizeof *e->conns);
	unsigned opened = 0;
	struct epoll_event evs[512];
	/* Phase 1: every connection connected and logged in. */
	uint64_t deadline = now_ns() + 120ull * 1000000000u;
	while (e->ready + res->failed_connects < e->n && now_ns() < deadline) {
		connect_wave(e, &opened, (struct sockaddr *)&ss, salen);
		int k = epoll_wait(e->ep, evs, 512, 100);
		for (int i = 0; i < k; i++) {
			struct bconn *c = evs[i].data.ptr;
			if (c->state == C_READY)
				continue; /* no load yet */
			on_event(e, c, evs[i].events);
		}
	}
	/* Phase 2: the load. */
	uint64_t start = now_ns();
	e->measure_from = start + (uint64_t)(spec->warmup * 1e9);
	e->stop_at = spec->duration > 0 ? e->measure_from + (uint64_t)(spec->duration * 1e9) : UINT64_MAX;
	e->loading = true;
	if (!spec->hold) {
		for (unsigned i = 0; i < e->n; i++)
			fill_pipeline(e, &e->conns[i]);
		while (e->ready > 0) {
			uint64_t now = now_ns();
			if (!e->stopping && (now >= e->stop_at || (spec->duration <= 0 && e->sent >= spec->requests)))
				e->stopping = true;
			if (e->stopping && all_answered(e))
				break;
			int k = epoll_wait(e->ep, evs, 512, 50);
			for (int i = 0; i < k; i++) {
				struct bconn *c = evs[i].data.ptr;
				if (c->state != C_DEAD)
					on_event(e, c, evs[i].events);
			}
		}
	}
	uint64_t end = now_ns();
	uint64_t from = spec->duration > 0 ? e->measure_from : start;
	uint64_t to = spec->duration > 0 && end > e->stop_at ? e->stop_at : end;
	res->seconds = to > from ? (double)(to - from) / 1e9 : 0;
	sort_latencies(res);
	if (idle_fds) {
		*idle_fds = xcalloc(e->n + 1, sizeof(int));
		unsigned k = 0;
		for (unsigned i = 0; i < e->n; i++)
			if (e->conns[i].state != C_DEAD)
				(*idle_fds)[k++] = e->conns[i].fd;
		(*idle_fds)[k] = -1;
	}
	for (unsigned i = 0; i < e->n; i++) {
		struct bconn *c = &e->conns[i];
		if (c->state != C_DEAD && !idle_fds)
			close(c->fd);
		buf_free(&c->out);
		frame_reader_free(&c->rd);
		free(c->ring);
	}
	close(e->ep);
	free(e->conns);
	free(e);
	return 0;
}

void result_free(struct run_result *res)
{
	free(res->lat_ns);
	res->lat_ns = NULL;
}

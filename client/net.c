/* net.c: the client's connection: connect with a timeout, Hello and Login
 * pipelined in one round trip, requests and their responses. */
#include "cli.h"
#include "enums.h"
#include "tls.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("planboard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

/* A transport failure: quiet during a first try that will be retried. */
static int net_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int net_error(int code, const char *fmt, ...)
{
	if (cli.net_quiet)
		return code;
	va_list ap;
	va_start(ap, fmt);
	fputs("planboard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;
	do
		n = poll(&p, 1, cli.timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

static int connect_addr(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS || wait_fd(fd, POLLOUT) != 0)
			goto fail;
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			errno = err;
			goto fail;
		}
	}
	fcntl(fd, F_SETFL, flags);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int io_write(const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = cli_tls_active() ? cli_tls_write(p, len) : send(cli.fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(cli.fd, POLLOUT) != 0)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t io_read(void *data, size_t len)
{
	if (!cli_tls_pending() && wait_fd(cli.fd, POLLIN) != 0)
		return -1;
	ssize_t n;
	do
		n = cli_tls_active() ? cli_tls_read(data, len) : recv(cli.fd, data, len, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

int cli_send(Pb__Request *req)
{
	req->has_id = 1;
	req->id = ++cli.next_id;
	if (cli.recorded_at && req->body_case != PB__REQUEST__BODY_HELLO &&
	    req->body_case != PB__REQUEST__BODY_LOGIN)
		req->recorded_at = (char *)cli.recorded_at;
	struct buf b = { 0 };
	if (wire_frame_append(&b, &req->base, FRAME_MAX_DEFAULT) != 0) {
		buf_free(&b);
		return cli_error(EXIT_INVALID, "INVALID_ARGUMENT: the request is larger than the 1 MiB frame limit");
	}
	int rc = io_write(b.data, b.len);
	buf_free(&b);
	if (rc != 0) {
		/* A TLS server drops a plaintext client as soon as it reads its Hello. */
		bool reset = errno == ECONNRESET || errno == EPIPE;
		return net_error(EXIT_CONNECT, "cannot send to %s:%d: %s%s", cli.host, cli.port, strerror(errno),
				 reset && !cli.tls && cli.rd.in.len == 0 ? " (if it uses TLS, add --tls)" : "");
	}
	return EXIT_OK;
}

int cli_recv(Pb__ServerFrame **out)
{
	for (;;) {
		const uint8_t *payload;
		size_t len;
		const char *err;
		enum frame_result r = frame_reader_next(&cli.rd, &payload, &len, &err);
		if (r == FRAME_ERROR && !cli.tls && cli.rd.in.len - cli.rd.taken >= 2 &&
		    (cli.rd.in.data[cli.rd.taken] == 0x15 || cli.rd.in.data[cli.rd.taken] == 0x16) &&
		    cli.rd.in.data[cli.rd.taken + 1] == 0x03)
			return cli_error(EXIT_CONNECT, "the server at %s:%d speaks TLS; use --tls (and --ca FILE)",
					 cli.host, cli.port);
		if (r == FRAME_ERROR)
			return cli_error(EXIT_CONNECT, "protocol error from the server: %s", err);
		if (r == FRAME_OK) {
			*out = wire_unpack_server_frame(payload, len);
			if (*out == NULL)
				return cli_error(EXIT_CONNECT, "protocol error: the server sent an invalid frame");
			return EXIT_OK;
		}
		uint8_t tmp[65536];
		ssize_t n = io_read(tmp, sizeof tmp);
		if (n == 0 && !cli.tls && cli.rd.in.len == 0)
			return net_error(EXIT_CONNECT, "the server closed the connection without a reply "
					 "(if it uses TLS, add --tls)");
		if (n == 0)
			return net_error(EXIT_CONNECT, "the server closed the connection");
		if (n < 0 && errno == ECONNRESET && !cli.tls && cli.rd.in.len == 0)
			return net_error(EXIT_CONNECT, "%s:%d reset the connection without a reply "
					 "(if it uses TLS, add --tls)", cli.host, cli.port);
		if (n < 0)
			return net_error(EXIT_CONNECT, "cannot read from %s:%d: %s", cli.host, cli.port,
					 strerror(errno));
		frame_reader_feed(&cli.rd, tmp, (size_t)n);
	}
}

int cli_status_exit(const Pb__Response *resp)
{
	int status = resp->has_status ? (int)resp->status : PB__STATUS__OK;
	if (status == PB__STATUS__OK)
		return EXIT_OK;
	const char *name = enum_name(&pb__status__descriptor, status);
	cli_error(0, "%s: %s", name ? name : "ERROR", resp->error_message ? resp->error_message : "(no message)");
	return cli_status_code(status);
}

/* A Login's answer: a throttled Login (RESOURCE_EXHAUSTED) is refused
 * authentication, exit 3 like a wrong password, and says when to try
 * again, from retry_after_seconds. */
static int login_status_exit(const Pb__Response *resp)
{
	if (!resp->has_status || resp->status != PB__STATUS__RESOURCE_EXHAUSTED)
		return cli_status_exit(resp);
	const char *msg = resp->error_message ? resp->error_message : "too many failed logins";
	if (resp->has_retry_after_seconds && strstr(msg, "try again") == NULL)
		return cli_error(EXIT_AUTH, "RESOURCE_EXHAUSTED: %s; try again in %d s", msg,
				 (int)resp->retry_after_seconds);
	return cli_error(EXIT_AUTH, "RESOURCE_EXHAUSTED: %s", msg);
}

int cli_status_code(int status)
{
	switch (status) {
	case PB__STATUS__OK: return EXIT_OK;
	case PB__STATUS__BAD_REQUEST: return EXIT_CONNECT;
	case PB__STATUS__UNAUTHENTICATED:
	case PB__STATUS__FORBIDDEN: return EXIT_AUTH;
	case PB__STATUS__NOT_FOUND: return EXIT_NOT_FOUND;
	case PB__STATUS__CONFLICT: return EXIT_CONFLICT;
	case PB__STATUS__INVALID_ARGUMENT: return EXIT_INVALID;
	default: return EXIT_SERVER;
	}
}

/* Wait for the response to request `id`, skipping pushed events. */
static int recv_response(uint64_t id, Pb__ServerFrame **out)
{
	for (;;) {
		Pb__ServerFrame *f;
		int rc = cli_recv(&f);
		if (rc != EXIT_OK)
			return rc;
		if (f->kind_case == PB__SERVER_FRAME__KIND_RESPONSE) {
			if (f->response->id == id || f->response->id == 0) {
				*out = f;
				return EXIT_OK;
			}
		}
		wire_free(f);
	}
}

void cli_test_drop(void)
{
	if (!cli.net_quiet || !getenv("PLANBOARD_TEST_DROP_AFTER_SEND"))
		return;
	usleep(200000);   /* the server has the request by now */
	/* An unconnected socket in its place: the answer is lost. */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	dup2(s, cli.fd);
	close(s);
}

static int exchange(Pb__Request *req, Pb__ServerFrame **out, bool first)
{
	int rc = cli_send(req);
	if (rc != EXIT_OK)
		return rc;
	if (first)
		cli_test_drop();
	return recv_response(req->id, out);
}

/* A write is sent with an idempotency key (--idempotency-key or a fresh
 * random one), so when the connection drops before its answer it can be
 * sent again, once, on a new connection: the server applies it at most
 * once and answers the retry with the original result. */
int cli_rpc(Pb__Request *req, Pb__ServerFrame **out)
{
	*out = NULL;
	bool write = cli_is_write(req->body_case);
	/* In a batch line every request but the allowed reads goes to
	 * collect(), which keeps a write and refuses the rest unsent. */
	if (cli.collect && (write || !cli_batch_read_ok(req->body_case)))
		return cli.collect(req);
	int rc = cli_connect(req->body_case != PB__REQUEST__BODY_LOGIN);
	if (rc != EXIT_OK)
		return rc;
	char key[CLI_KEY_LEN];
	if (write && !req->idempotency_key) {
		if (cli.idempotency_key) {
			req->idempotency_key = (char *)cli.idempotency_key;
		} else {
			cli_new_key(key);
			req->idempotency_key = key;
		}
	}
	cli.net_quiet = write;
	rc = exchange(req, out, true);
	cli.net_quiet = false;
	if (rc == EXIT_CONNECT && write) {
		cli_close();
		if ((rc = cli_connect(true)) == EXIT_OK)
			rc = exchange(req, out, false);
	}
	if (rc == EXIT_OK && (*out)->response->replayed)
		fprintf(stderr, "planboard: note: answered before with idempotency key %s; this is the "
				"original result, nothing was applied again\n", req->idempotency_key);
	if (req->idempotency_key == key)
		req->idempotency_key = NULL;   /* it lives on this stack frame */
	if (rc != EXIT_OK)
		return rc;
	if (req->body_case == PB__REQUEST__BODY_LOGIN)
		return login_status_exit((*out)->response);
	return cli_status_exit((*out)->response);
}

static int open_socket(void)
{
	char port[16];
	snprintf(port, sizeof port, "%d", cli.port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	int gai = getaddrinfo(cli.host, port, &hints, &res);
	if (gai != 0)
		return cli_error(EXIT_CONNECT, "cannot resolve %s: %s", cli.host, gai_strerror(gai));
	int err = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		cli.fd = connect_addr(ai);
		if (cli.fd >= 0)
			break;
		err = errno;
	}
	freeaddrinfo(res);
	if (cli.fd < 0)
		return cli_error(EXIT_CONNECT, "cannot connect to %s:%d: %s (is planboardd running?)",
				 cli.host, cli.port, strerror(err));
	frame_reader_init(&cli.rd, FRAME_MAX_DEFAULT);
	if (cli.tls)
		return cli_tls_start(cli.fd, cli.host, cli.ca, cli.timeout_ms);
	return EXIT_OK;
}

int cli_connect(bool need_login)
{
	if (cli.fd >= 0 && (cli.logged_in || !need_login))
		return EXIT_OK;
	int rc;
	if (cli.fd < 0 && (rc = open_socket()) != EXIT_OK)
		return rc;

	Pb__Hello hello = PB__HELLO__INIT;
	hello.has_protocol_version = 1;
	hello.protocol_version = PROTOCOL_VERSION;
	hello.client_name = "planboard-cli/" PLANBOARD_VERSION;
	Pb__Request hreq = PB__REQUEST__INIT;
	hreq.body_case = PB__REQUEST__BODY_HELLO;
	hreq.hello = &hello;

	Pb__Login login = PB__LOGIN__INIT;
	Pb__Request lreq = PB__REQUEST__INIT;
	lreq.body_case = PB__REQUEST__BODY_LOGIN;
	lreq.login = &login;
	char *token = NULL;
	if (need_login) {
		const char *env_token = getenv("PLANBOARD_TOKEN");
		const char *env_pw = getenv("PLANBOARD_PASSWORD");
		token = env_token && *env_token ? xstrdup(env_token) : cli_load_token();
		if (token) {
			login.token = token;
		} else if (env_pw && cli.user) {
			login.user = (char *)cli.user;
			login.password = (char *)env_pw;
		} else {
			return cli_error(EXIT_AUTH, "UNAUTHENTICATED: not logged in to %s:%d; run 'planboard login'",
					 cli.host, cli.port);
		}
	}
	/* Hello and Login in one round trip. */
	if ((rc = cli_send(&hreq)) != EXIT_OK || (need_login && (rc = cli_send(&lreq)) != EXIT_OK))
		goto out;
	Pb__ServerFrame *f;
	if ((rc = recv_response(hreq.id, &f)) != EXIT_OK)
		goto out;
	rc = cli_status_exit(f->response);
	wire_free(f);
	if (rc != EXIT_OK || !need_login)
		goto out;
	if ((rc = recv_response(lreq.id, &f)) != EXIT_OK)
		goto out;
	rc = login_status_exit(f->response);
	wire_free(f);
	if (rc == EXIT_OK)
		cli.logged_in = true;
out:
	free(token);
	return rc;
}

void cli_close(void)
{
	cli_tls_close();
	if (cli.fd >= 0)
		close(cli.fd);
	cli.fd = -1;
	cli.logged_in = false;
	frame_reader_free(&cli.rd);
}

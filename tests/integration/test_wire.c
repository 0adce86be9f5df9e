/* test_wire.c: the wire protocol against a real planboardd, spoken in raw
 * frames with the project codec (common/frame.h, common/wire.h) rather
 * than through the CLI, so that a test can send what no well-behaved
 * client would: pipelined batches, requests out of order, garbage bytes,
 * a 4 GiB length, a zero length, frames that are not protobuf, frames
 * dribbled across many writes, and frames cut off by a close.
 *
 * The server is started once (ephemeral loopback port, temporary
 * database, like tests/integration/lib.sh) from $PLANBOARD_BIN_DIR. After
 * every hostile client, a bystander connected before it still gets
 * answers, a new client still logs in and reads, and the process is alive.
 * At the end the server must stop cleanly on SIGTERM (exit status 0, so
 * no sanitizer report either). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "wire.h"

#define ADMIN "admin"
#define ADMIN_PASSWORD "Board-Secret-2017"
#define IO_TIMEOUT_S 15

/* A planboardd process with its own folder and database. */
struct proc {
	char dir[64];
	char db[128], port_file[128], log[128];
	pid_t pid;
	int port;
	char *token;   /* issued at start; later clients log in with it */
};

/* `srv` runs with the defaults for the whole run; `lim` with short
 * timeouts and few connections for the tests of those limits. Clients
 * connect to `*target`. */
static struct proc srv, lim;
static struct proc *target = &srv;

/* ------------------------------------------------------------ a client */

struct client {
	int fd;
	struct frame_reader r;
	uint64_t next_id;
};

static int client_open(struct client *c)
{
	memset(c, 0, sizeof *c);
	c->next_id = 1;
	frame_reader_init(&c->r, FRAME_MAX_DEFAULT);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)target->port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_reader_free(&c->r);
}

static void send_raw(struct client *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_msg("send: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Append a request as a frame; gives it the next id. */
static uint64_t put_request(struct client *c, struct buf *out, Pb__Request *req)
{
	req->has_id = 1;
	req->id = c->next_id++;
	assert_int_equal(wire_frame_append(out, &req->base, FRAME_MAX_DEFAULT), 0);
	return req->id;
}

/* The next frame from the server as a ServerFrame; NULL on a clean close
 * (fails the test on a timeout or a frame that is not a ServerFrame). */
static Pb__ServerFrame *read_frame(struct client *c)
{
	for (;;) {
		const uint8_t *p;
		size_t len;
		const char *err = NULL;
		enum frame_result r = frame_reader_next(&c->r, &p, &len, &err);
		if (r == FRAME_ERROR)
			fail_msg("the server sent a bad frame: %s", err);
		if (r == FRAME_OK) {
			Pb__ServerFrame *f = wire_unpack_server_frame(p, len);
			if (f == NULL)
				fail_msg("the server sent a frame that is not a ServerFrame");
			return f;
		}
		uint8_t buf[4096];
		ssize_t n = recv(c->fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			fail_msg("no answer from the server within %d s", IO_TIMEOUT_S);
		if (n < 0 && errno == ECONNRESET)
			return NULL;
		if (n < 0)
			fail_msg("recv: %s", strerror(errno));
		if (n == 0)
			return NULL;
		frame_reader_feed(&c->r, buf, (size_t)n);
	}
}

/* The next response; fails if the server closed or sent something else
 * (this test never asks for events). */
static Pb__ServerFrame *read_response(struct client *c)
{
	Pb__ServerFrame *f = read_frame(c);
	if (f == NULL)
		fail_msg("the server closed the connection instead of answering");
	if (f->kind_case != PB__SERVER_FRAME__KIND_RESPONSE || f->response == NULL)
		fail_msg("expected a Response, got frame kind %d", (int)f->kind_case);
	return f;
}

static const char *status_name(int s)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&pb__status__descriptor, s);
	return v ? v->name : "?";
}

/* Read one response and check its id and status (and that an error
 * carries a message containing `text`, if given). Returns the frame. */
static Pb__ServerFrame *expect_response(struct client *c, uint64_t id, int status, const char *text)
{
	Pb__ServerFrame *f = read_response(c);
	Pb__Response *r = f->response;
	if ((int)r->status != status)
		fail_msg("request %llu: expected %s, got %s (%s)", (unsigned long long)id, status_name(status),
			 status_name(r->status), r->error_message ? r->error_message : "");
	if (r->id != id)
		fail_msg("expected the response to request %llu, got %llu", (unsigned long long)id,
			 (unsigned long long)r->id);
	if (status != PB__STATUS__OK) {
		assert_non_null(r->error_message);
		assert_true(strlen(r->error_message) > 0);
	}
	if (text != NULL && (r->error_message == NULL || strstr(r->error_message, text) == NULL))
		fail_msg("error message '%s' lacks '%s'", r->error_message ? r->error_message : "", text);
	return f;
}

/* The server closes the connection (after any frames it still sends,
 * which are returned through *last if given). */
static void expect_closed(struct client *c)
{
	Pb__ServerFrame *f;
	while ((f = read_frame(c)) != NULL)
		wire_free(f);
}

/* ------------------------------------------------------------ requests */

static void req_hello(Pb__Request *req, Pb__Hello *h)
{
	pb__request__init(req);
	pb__hello__init(h);
	h->has_protocol_version = 1;
	h->protocol_version = PROTOCOL_VERSION;
	h->client_name = "test_wire";
	req->body_case = PB__REQUEST__BODY_HELLO;
	req->hello = h;
}

static void req_login_password(Pb__Request *req, Pb__Login *l, bool issue_token)
{
	pb__request__init(req);
	pb__login__init(l);
	l->user = ADMIN;
	l->password = ADMIN_PASSWORD;
	l->has_issue_token = issue_token;
	l->issue_token = issue_token;
	req->body_case = PB__REQUEST__BODY_LOGIN;
	req->login = l;
}

static void req_login_token(Pb__Request *req, Pb__Login *l)
{
	pb__request__init(req);
	pb__login__init(l);
	l->token = target->token;
	req->body_case = PB__REQUEST__BODY_LOGIN;
	req->login = l;
}

static Pb__Whoami whoami_body = PB__WHOAMI__INIT;

static void req_whoami(Pb__Request *req)
{
	pb__request__init(req);
	req->body_case = PB__REQUEST__BODY_WHOAMI;
	req->whoami = &whoami_body;
}

/* Send one request alone and return its id. */
static uint64_t send_request(struct client *c, Pb__Request *req)
{
	struct buf out = { 0 };
	uint64_t id = put_request(c, &out, req);
	send_raw(c, out.data, out.len);
	buf_free(&out);
	return id;
}

static void do_hello(struct client *c)
{
	Pb__Request req;
	Pb__Hello h;
	req_hello(&req, &h);
	uint64_t id = send_request(c, &req);
	Pb__ServerFrame *f = expect_response(c, id, PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_HELLO);
	assert_int_equal(f->response->hello->protocol_version, PROTOCOL_VERSION);
	wire_free(f);
}

static void do_token_login(struct client *c)
{
	Pb__Request req;
	Pb__Login l;
	req_login_token(&req, &l);
	uint64_t id = send_request(c, &req);
	wire_free(expect_response(c, id, PB__STATUS__OK, NULL));
}

/* Whoami answers "admin" on this connection. */
static void check_reads(struct client *c)
{
	Pb__Request req;
	req_whoami(&req);
	uint64_t id = send_request(c, &req);
	Pb__ServerFrame *f = expect_response(c, id, PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_WHOAMI);
	assert_string_equal(f->response->whoami->user->name, ADMIN);
	wire_free(f);
}

static void open_logged_in(struct client *c)
{
	assert_int_equal(client_open(c), 0);
	do_hello(c);
	do_token_login(c);
}

/* ------------------------------------------------------------ the server */

static bool proc_alive(const struct proc *p)
{
	int status;
	return p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == 0;
}

static void show_log(const struct proc *p)
{
	FILE *f = fopen(p->log, "r");
	if (f == NULL)
		return;
	char line[512];
	fprintf(stderr, "---- planboardd log (%s)\n", p->log);
	while (fgets(line, sizeof line, f))
		fputs(line, stderr);
	fclose(f);
}

/* Run planboardd with args, its stderr to p's log; returns its pid. */
static pid_t spawn(const struct proc *p, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		/* Not our stdout: a server left behind must not hold a pipe open. */
		int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		setenv("PLANBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* After a hostile client: the bystander (connected before it) still gets
 * answers, a new client logs in and reads, and the process is alive. */
static void check_server_healthy(struct client *bystander)
{
	if (!proc_alive(target)) {
		show_log(target);
		fail_msg("planboardd died");
	}
	if (bystander != NULL)
		check_reads(bystander);
	struct client c;
	open_logged_in(&c);
	check_reads(&c);
	client_close(&c);
	assert_true(proc_alive(target));
}

/* Hello and a password Login that issues the token for p. */
static int fetch_token(struct proc *p)
{
	struct proc *saved = target;
	target = p;
	struct client c;
	int rc = client_open(&c);
	if (rc == 0) {
		Pb__Request req;
		Pb__Hello h;
		Pb__Login l;
		struct buf out = { 0 };
		req_hello(&req, &h);
		put_request(&c, &out, &req);
		req_login_password(&req, &l, true);
		put_request(&c, &out, &req);
		send_raw(&c, out.data, out.len);
		buf_free(&out);
		Pb__ServerFrame *f1 = read_frame(&c), *f2 = read_frame(&c);
		if (f2 != NULL && f2->response != NULL && f2->response->body_case == PB__RESPONSE__BODY_LOGIN &&
		    f2->response->login->token != NULL)
			p->token = strdup(f2->response->login->token);
		wire_free(f1);
		wire_free(f2);
	}
	client_close(&c);
	target = saved;
	return p->token != NULL ? 0 : -1;
}

/* Create a database with the admin, start planboardd on 127.0.0.1:0 with
 * the extra options (NULL-terminated), read its port, fetch a token. */
static int proc_start(struct proc *p, const char *name, char *const extra[])
{
	const char *bin = getenv("PLANBOARD_BIN_DIR");
	if (bin == NULL) {
		fprintf(stderr, "set PLANBOARD_BIN_DIR to the build folder\n");
		return -1;
	}
	memset(p, 0, sizeof *p);
	char exe[512];
	snprintf(exe, sizeof exe, "%s/planboardd", bin);
	snprintf(p->dir, sizeof p->dir, "/tmp/planboard-%s.XXXXXX", name);
	if (mkdtemp(p->dir) == NULL)
		return -1;
	snprintf(p->db, sizeof p->db, "%s/planboard.db", p->dir);
	snprintf(p->port_file, sizeof p->port_file, "%s/port", p->dir);
	snprintf(p->log, sizeof p->log, "%s/server.log", p->dir);

	char *init[] = { exe, "--db", p->db, "--init-admin", ADMIN, NULL };
	int status;
	pid_t pid = spawn(p, init);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		show_log(p);
		return -1;
	}
	char *run[32] = { exe, "--db", p->db, "--listen", "127.0.0.1:0", "--port-file", p->port_file };
	size_t n = 7;
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < ARRAY_LEN(run) - 1; i++)
		run[n++] = extra[i];
	run[n] = NULL;
	p->pid = spawn(p, run);
	if (p->pid < 0)
		return -1;
	for (int i = 0; i < 400 && p->port == 0; i++) {
		FILE *f = fopen(p->port_file, "r");
		if (f != NULL) {
			if (fscanf(f, "%d", &p->port) != 1)
				p->port = 0;
			fclose(f);
		}
		if (p->port == 0) {
			if (!proc_alive(p)) {
				show_log(p);
				return -1;
			}
			usleep(25000);
		}
	}
	if (p->port <= 0) {
		show_log(p);
		return -1;
	}
	return fetch_token(p);
}

/* SIGTERM and wait: 0 if it stopped cleanly (exit 0, so no sanitizer
 * report either); its files are removed then, kept otherwise. */
static int proc_stop(struct proc *p)
{
	free(p->token);
	p->token = NULL;
	if (p->pid <= 0)
		return 0;
	int status = 0;
	kill(p->pid, SIGTERM);
	/* Wait up to 20 s for a clean stop. */
	for (int i = 0; i < 400; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			break;
		usleep(50000);
		if (i == 399) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
	}
	p->pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "planboardd did not stop cleanly (status 0x%x)\n", status);
		show_log(p);
		fprintf(stderr, "test files kept in %s\n", p->dir);
		return -1;
	}
	static const char *const files[] = { "planboard.db", "planboard.db-wal", "planboard.db-shm", "port",
					     "server.log" };
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char path[160];
		snprintf(path, sizeof path, "%s/%s", p->dir, files[i]);
		unlink(path);
	}
	rmdir(p->dir);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (proc_start(&srv, "wire", NULL) == 0)
		return 0;
	proc_stop(&srv);
	return -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return proc_stop(&srv);
}

/* ------------------------------------------------------------ well-behaved */

/* Hello, Login with a password and requests, all in one write: the
 * responses come back in request order with matching ids, a read queued
 * behind a write waits for the write's commit and sees it. */
static void test_pipelined_batch(void **state)
{
	(void)state;
	struct client c;
	assert_int_equal(client_open(&c), 0);
	Pb__Request req;
	Pb__Hello h;
	Pb__Login l;
	Pb__Ping ping = PB__PING__INIT;
	Pb__LocalityList ll = PB__LOCALITY_LIST__INIT;
	Pb__Locality loc = PB__LOCALITY__INIT;
	Pb__LocalityAdd la = PB__LOCALITY_ADD__INIT;
	loc.code = "north";
	loc.name = "North";
	la.locality = &loc;
	struct buf out = { 0 };
	uint64_t ids[7];
	req_hello(&req, &h);
	ids[0] = put_request(&c, &out, &req);
	req_login_password(&req, &l, false);
	ids[1] = put_request(&c, &out, &req);
	req_whoami(&req);
	ids[2] = put_request(&c, &out, &req);
	pb__request__init(&req);
	req.body_case = PB__REQUEST__BODY_LOCALITY_ADD;
	req.locality_add = &la;
	ids[3] = put_request(&c, &out, &req);
	pb__request__init(&req);
	req.body_case = PB__REQUEST__BODY_PING;
	req.ping = &ping;
	ids[4] = put_request(&c, &out, &req);
	pb__request__init(&req);
	req.body_case = PB__REQUEST__BODY_LOCALITY_LIST;
	req.locality_list = &ll;
	ids[5] = put_request(&c, &out, &req);
	/* The same locality again: a conflict, answered in its place. */
	pb__request__init(&req);
	req.body_case = PB__REQUEST__BODY_LOCALITY_ADD;
	req.locality_add = &la;
	ids[6] = put_request(&c, &out, &req);
	send_raw(&c, out.data, out.len);
	buf_free(&out);

	Pb__ServerFrame *f;
	f = expect_response(&c, ids[0], PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_HELLO);
	wire_free(f);
	f = expect_response(&c, ids[1], PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_LOGIN);
	assert_string_equal(f->response->login->user->name, ADMIN);
	assert_null(f->response->login->token); /* not asked for */
	wire_free(f);
	f = expect_response(&c, ids[2], PB__STATUS__OK, NULL);
	assert_string_equal(f->response->whoami->user->name, ADMIN);
	wire_free(f);
	f = expect_response(&c, ids[3], PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_LOCALITY);
	wire_free(f);
	wire_free(expect_response(&c, ids[4], PB__STATUS__OK, NULL));
	f = expect_response(&c, ids[5], PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_LOCALITY_LIST);
	bool found = false;
	for (size_t i = 0; i < f->response->locality_list->n_localities; i++)
		found |= strcmp(f->response->locality_list->localities[i]->code, "north") == 0;
	assert_true(found);
	wire_free(f);
	wire_free(expect_response(&c, ids[6], PB__STATUS__CONFLICT, NULL));
	client_close(&c);
	check_server_healthy(NULL);
}

/* Many small requests in one write, more than the server handles per
 * read callback: all answered, in order. */
static void test_pipelined_many(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	enum { N = 2000 };
	struct buf out = { 0 };
	uint64_t first = 0;
	for (int i = 0; i < N; i++) {
		Pb__Request req;
		req_whoami(&req);
		uint64_t id = put_request(&c, &out, &req);
		if (i == 0)
			first = id;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	send_raw(&c, out.data, out.len);
	buf_free(&out);
	for (int i = 0; i < N; i++)
		wire_free(expect_response(&c, first + (uint64_t)i, PB__STATUS__OK, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("%d pipelined Whoami answered in %.1f ms\n", N, ms);
	client_close(&c);
}

/* Only Hello opens a connection, only Hello and Login come before login;
 * these errors leave the connection open for the right request. */
static void test_order_of_handshake(void **state)
{
	(void)state;
	struct client by;
	open_logged_in(&by);
	struct client c;
	assert_int_equal(client_open(&c), 0);
	Pb__Request req;
	Pb__Login l;
	req_whoami(&req);
	uint64_t id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, "Hello"));
	req_login_token(&req, &l);
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, "Hello"));

	/* A protocol version this server does not speak, or none. */
	Pb__Hello h;
	req_hello(&req, &h);
	h.protocol_version = PROTOCOL_VERSION + 98;
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, "protocol version"));
	h.has_protocol_version = 0;
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, "protocol version"));

	do_hello(&c);
	req_whoami(&req);
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__UNAUTHENTICATED, "log in"));
	/* A second Hello is refused. */
	req_hello(&req, &h);
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, NULL));
	/* A token that was never issued. */
	pb__request__init(&req);
	pb__login__init(&l);
	l.token = "not-a-token-that-was-ever-issued";
	req.body_case = PB__REQUEST__BODY_LOGIN;
	req.login = &l;
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__UNAUTHENTICATED, NULL));
	/* A wrong password, then a Login with neither token nor password. */
	req_login_password(&req, &l, false);
	l.password = "Not-The-Password-1";
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__UNAUTHENTICATED, NULL));
	pb__request__init(&req);
	pb__login__init(&l);
	req.body_case = PB__REQUEST__BODY_LOGIN;
	req.login = &l;
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, NULL));
	/* Still usable. */
	do_token_login(&c);
	check_reads(&c);
	client_close(&c);
	check_server_healthy(&by);
	client_close(&by);
}

/* A request with no body, and one whose body is a field this server does
 * not know (a newer client's request type): BAD_REQUEST, connection open. */
static void test_unknown_request_type(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	Pb__Request req = PB__REQUEST__INIT;
	uint64_t id = send_request(&c, &req); /* only an id */
	wire_free(expect_response(&c, id, PB__STATUS__BAD_REQUEST, "request type"));

	/* id = 77, then field 999 (length-delimited, empty). */
	static const uint8_t unknown[] = { 0, 0, 0, 5, 0x08, 77, 0xBA, 0x3E, 0x00 };
	send_raw(&c, unknown, sizeof unknown);
	wire_free(expect_response(&c, 77, PB__STATUS__BAD_REQUEST, "request type"));
	check_reads(&c);
	client_close(&c);
}

/* A frame whose length is right but whose bytes are not a Request: the
 * framing is intact, so the connection stays usable (and logged in). */
static void test_invalid_protobuf_payload(void **state)
{
	(void)state;
	struct client by;
	open_logged_in(&by);
	struct client c;
	open_logged_in(&c);
	static const uint8_t bad[][8] = {
		{ 0, 0, 0, 3, 0x08, 0x80, 0x80 },       /* truncated varint */
		{ 0, 0, 0, 2, 0x0F, 0x00 },             /* wire type 7 */
		{ 0, 0, 0, 3, 0x52, 0x10, 0x00 },       /* sub-message longer than the frame */
		{ 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		send_raw(&c, bad[i], 4 + bad[i][3]);
		wire_free(expect_response(&c, 0, PB__STATUS__BAD_REQUEST, "not a valid Request"));
		check_reads(&c);
	}
	/* Before Hello too. */
	struct client d;
	assert_int_equal(client_open(&d), 0);
	send_raw(&d, bad[0], 7);
	wire_free(expect_response(&d, 0, PB__STATUS__BAD_REQUEST, "not a valid Request"));
	do_hello(&d);
	client_close(&d);
	client_close(&c);
	check_server_healthy(&by);
	client_close(&by);
}

/* recorded_at (for loading history) must be a time, and is checked
 * before the handler runs. */
static void test_recorded_at(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	Pb__Locality loc = PB__LOCALITY__INIT;
	Pb__LocalityAdd la = PB__LOCALITY_ADD__INIT;
	loc.code = "west";
	loc.name = "West";
	la.locality = &loc;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOCALITY_ADD;
	req.locality_add = &la;
	static const char *const bad[] = { "yesterday", "2017-09-30", "2017-02-30T12:00:00Z", "" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		req.recorded_at = (char *)bad[i];
		uint64_t id = send_request(&c, &req);
		wire_free(expect_response(&c, id, PB__STATUS__INVALID_ARGUMENT, "recorded_at"));
	}
	req.recorded_at = "2017-09-30T12:00:00Z";
	uint64_t id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__OK, NULL));
	client_close(&c);
}

/* ------------------------------------------------------------ hostile framing */

/* Send bytes that break the framing: the server answers one error and
 * closes that connection only. */
static void hostile(const void *bytes, size_t len, bool logged_in, const char *text)
{
	struct client by;
	open_logged_in(&by);
	struct client c;
	if (logged_in)
		open_logged_in(&c);
	else
		assert_int_equal(client_open(&c), 0);
	send_raw(&c, bytes, len);
	Pb__ServerFrame *f = read_frame(&c);
	if (f == NULL)
		fail_msg("the server closed without saying why");
	assert_int_equal(f->kind_case, PB__SERVER_FRAME__KIND_RESPONSE);
	assert_int_equal(f->response->status, PB__STATUS__BAD_REQUEST);
	if (text != NULL && strstr(f->response->error_message, text) == NULL)
		fail_msg("error '%s' lacks '%s'", f->response->error_message, text);
	wire_free(f);
	expect_closed(&c);
	client_close(&c);
	check_server_healthy(&by);
	client_close(&by);
}

static void test_garbage_bytes(void **state)
{
	(void)state;
	static const char http[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	hostile(http, sizeof http - 1, false, "maximum");
	hostile(http, sizeof http - 1, true, "maximum");
}

static void test_length_4gib(void **state)
{
	(void)state;
	static const uint8_t ff[] = { 0xFF, 0xFF, 0xFF, 0xFF };
	hostile(ff, sizeof ff, false, "maximum");
	hostile(ff, sizeof ff, true, "maximum");
	/* With bytes after it, as if the payload were on its way. */
	uint8_t more[4 + 1000];
	memset(more, 0xFF, sizeof more);
	hostile(more, sizeof more, true, "maximum");
}

static void test_length_over_max(void **state)
{
	(void)state;
	uint8_t h[FRAME_HEADER_LEN];
	frame_put_header(h, FRAME_MAX_DEFAULT + 1);
	hostile(h, sizeof h, true, "maximum");
}

static void test_length_zero(void **state)
{
	(void)state;
	static const uint8_t zero[] = { 0, 0, 0, 0 };
	hostile(zero, sizeof zero, false, "zero");
	hostile(zero, sizeof zero, true, "zero");
}

/* A good request, then a bad length in the same write: the good one is
 * answered first, then the error, then the close. */
static void test_good_then_bad_in_one_write(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	Pb__Request req;
	req_whoami(&req);
	struct buf out = { 0 };
	uint64_t id = put_request(&c, &out, &req);
	buf_append(&out, "\0\0\0\0", 4);
	send_raw(&c, out.data, out.len);
	buf_free(&out);
	wire_free(expect_response(&c, id, PB__STATUS__OK, NULL));
	wire_free(expect_response(&c, 0, PB__STATUS__BAD_REQUEST, "zero"));
	expect_closed(&c);
	client_close(&c);
	check_server_healthy(NULL);
}

/* A write (its response held for the group commit) followed by a bad
 * length: the write is committed and answered, then the error. */
static void test_write_then_bad_in_one_write(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	Pb__Locality loc = PB__LOCALITY__INIT;
	Pb__LocalityAdd la = PB__LOCALITY_ADD__INIT;
	loc.code = "east";
	loc.name = "East";
	la.locality = &loc;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOCALITY_ADD;
	req.locality_add = &la;
	struct buf out = { 0 };
	uint64_t id = put_request(&c, &out, &req);
	buf_append(&out, "\xFF\xFF\xFF\xFF", 4);
	send_raw(&c, out.data, out.len);
	buf_free(&out);
	wire_free(expect_response(&c, id, PB__STATUS__OK, NULL));
	wire_free(expect_response(&c, 0, PB__STATUS__BAD_REQUEST, "maximum"));
	expect_closed(&c);
	client_close(&c);
	/* It was saved: adding it again conflicts. */
	open_logged_in(&c);
	id = send_request(&c, &req);
	wire_free(expect_response(&c, id, PB__STATUS__CONFLICT, NULL));
	client_close(&c);
	check_server_healthy(NULL);
}

/* A frame of exactly the maximum size is a frame like any other (the
 * padding is an unknown field, which the server skips). */
static void test_frame_at_max(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	/* id = 9, whoami {}, field 999 with P bytes: 2 + 2 + 2 + 3 + P. */
	const size_t pad = FRAME_MAX_DEFAULT - 9;
	assert_true(pad >= (1u << 14) && pad < (1u << 21)); /* a 3-byte varint */
	struct buf out = { 0 };
	uint8_t h[FRAME_HEADER_LEN];
	frame_put_header(h, FRAME_MAX_DEFAULT);
	buf_append(&out, h, sizeof h);
	const uint8_t head[] = { 0x08, 9, 0x6A, 0x00, 0xBA, 0x3E, (uint8_t)(0x80 | (pad & 0x7F)),
				 (uint8_t)(0x80 | ((pad >> 7) & 0x7F)), (uint8_t)(pad >> 14) };
	buf_append(&out, head, sizeof head);
	buf_reserve(&out, pad);
	memset(out.data + out.len, 'p', pad);
	out.len += pad;
	assert_int_equal(out.len, FRAME_HEADER_LEN + FRAME_MAX_DEFAULT);
	send_raw(&c, out.data, out.len);
	Pb__ServerFrame *f = expect_response(&c, 9, PB__STATUS__OK, NULL);
	assert_int_equal(f->response->body_case, PB__RESPONSE__BODY_WHOAMI);
	wire_free(f);
	check_reads(&c);
	client_close(&c);

	/* One byte more is refused from its header. */
	open_logged_in(&c);
	frame_put_header(out.data, FRAME_MAX_DEFAULT + 1);
	send_raw(&c, out.data, FRAME_HEADER_LEN);
	wire_free(expect_response(&c, 0, PB__STATUS__BAD_REQUEST, "maximum"));
	expect_closed(&c);
	client_close(&c);
	buf_free(&out);
	check_server_healthy(NULL);
}

/* ------------------------------------------------------------ slow and cut-off frames */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Hello and Login sent one byte per write, then a Whoami in three pieces
 * split inside the header and inside the payload, with pauses: each
 * request is answered once its last byte arrives. */
static void test_split_across_writes(void **state)
{
	(void)state;
	struct client by;
	open_logged_in(&by);
	struct client c;
	assert_int_equal(client_open(&c), 0);
	Pb__Request req;
	Pb__Hello h;
	Pb__Login l;
	struct buf out = { 0 };
	req_hello(&req, &h);
	uint64_t id1 = put_request(&c, &out, &req);
	req_login_token(&req, &l);
	uint64_t id2 = put_request(&c, &out, &req);
	for (size_t i = 0; i < out.len; i++) {
		send_raw(&c, out.data + i, 1);
		sleep_ms(1);
	}
	buf_free(&out);
	wire_free(expect_response(&c, id1, PB__STATUS__OK, NULL));
	wire_free(expect_response(&c, id2, PB__STATUS__OK, NULL));

	req_whoami(&req);
	out = (struct buf){ 0 };
	uint64_t id3 = put_request(&c, &out, &req);
	assert_true(out.len > 5);
	send_raw(&c, out.data, 2);
	sleep_ms(100);
	send_raw(&c, out.data + 2, 3);
	sleep_ms(100);
	/* Nothing may be answered before the frame is complete. */
	uint8_t peek;
	assert_int_equal(recv(c.fd, &peek, 1, MSG_DONTWAIT | MSG_PEEK), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	/* Meanwhile the bystander is served. */
	check_reads(&by);
	send_raw(&c, out.data + 5, out.len - 5);
	buf_free(&out);
	Pb__ServerFrame *f = expect_response(&c, id3, PB__STATUS__OK, NULL);
	assert_string_equal(f->response->whoami->user->name, ADMIN);
	wire_free(f);
	client_close(&c);
	check_server_healthy(&by);
	client_close(&by);
}

/* A frame cut off by the client closing: the server drops the
 * connection quietly and goes on. */
static void test_truncated_then_close(void **state)
{
	(void)state;
	struct client by;
	open_logged_in(&by);
	static const uint8_t partial_header[] = { 0, 0 };
	static const uint8_t partial_payload[] = { 0, 0, 0, 100, 0x08, 0x01, 0x72 };
	const struct {
		const uint8_t *bytes;
		size_t len;
		bool logged_in;
	} cases[] = {
		{ partial_header, sizeof partial_header, false },
		{ partial_payload, sizeof partial_payload, false },
		{ partial_header, sizeof partial_header, true },
		{ partial_payload, sizeof partial_payload, true },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct client c;
		if (cases[i].logged_in)
			open_logged_in(&c);
		else
			assert_int_equal(client_open(&c), 0);
		send_raw(&c, cases[i].bytes, cases[i].len);
		sleep_ms(50);
		client_close(&c);
		check_server_healthy(&by);
	}
	/* Half-close: the server answers every whole request it received
	 * (a script that sends and then shuts down its side), and does not
	 * wait forever for the rest of a cut-off frame. */
	struct client c;
	open_logged_in(&c);
	Pb__Request req;
	struct buf out = { 0 };
	uint64_t ids[3];
	for (int k = 0; k < 3; k++) {
		req_whoami(&req);
		ids[k] = put_request(&c, &out, &req);
	}
	send_raw(&c, out.data, out.len);
	send_raw(&c, partial_payload, sizeof partial_payload);
	buf_free(&out);
	shutdown(c.fd, SHUT_WR);
	for (int k = 0; k < 3; k++) {
		Pb__ServerFrame *f = read_frame(&c);
		assert_non_null(f);
		assert_int_equal(f->response->id, ids[k]);
		assert_int_equal(f->response->status, PB__STATUS__OK);
		wire_free(f);
	}
	expect_closed(&c);
	client_close(&c);
	check_server_healthy(&by);
	client_close(&by);
}

/* ------------------------------------------------------------ limits */

/* A fresh server with a 2 s handshake, 3 s idle time, 3 connections and
 * 64 KiB of output per client for each of these tests. */
static int limits_setup(void **state)
{
	(void)state;
	char *extra[] = { "--handshake-timeout", "2", "--idle-timeout", "3", "--max-connections", "3",
			  "--max-output", "65536", NULL };
	if (proc_start(&lim, "limits", extra) != 0) {
		proc_stop(&lim);
		return -1;
	}
	target = &lim;
	return 0;
}

static int limits_teardown(void **state)
{
	(void)state;
	target = &srv;
	return proc_stop(&lim);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the one frame a server sends before closing on its own, checking
 * its status and message; returns the seconds waited for it. */
static double expect_goodbye(struct client *c, int status, const char *text)
{
	double t0 = now_s();
	Pb__ServerFrame *f = read_frame(c);
	double waited = now_s() - t0;
	if (f == NULL)
		fail_msg("the server closed without saying why");
	assert_int_equal(f->kind_case, PB__SERVER_FRAME__KIND_RESPONSE);
	if ((int)f->response->status != status)
		fail_msg("expected %s, got %s (%s)", status_name(status), status_name(f->response->status),
			 f->response->error_message ? f->response->error_message : "");
	assert_non_null(strstr(f->response->error_message, text));
	wire_free(f);
	expect_closed(c);
	return waited;
}

/* A client that never finishes Hello + Login is told so and closed. */
static void test_handshake_timeout(void **state)
{
	(void)state;
	struct client c;
	assert_int_equal(client_open(&c), 0);
	double waited = expect_goodbye(&c, PB__STATUS__UNAUTHENTICATED, "Hello and Login");
	assert_true(waited > 1.5);
	client_close(&c);
	/* Hello alone is not enough. */
	assert_int_equal(client_open(&c), 0);
	do_hello(&c);
	waited = expect_goodbye(&c, PB__STATUS__UNAUTHENTICATED, "Hello and Login");
	assert_true(waited > 1.0);
	client_close(&c);
	check_server_healthy(NULL);
}

/* A logged-in client is closed after the idle time, but every request
 * starts the idle time again. */
static void test_idle_timeout(void **state)
{
	(void)state;
	struct client c;
	open_logged_in(&c);
	for (int i = 0; i < 4; i++) { /* 4.8 s in all, longer than the idle time */
		sleep_ms(1200);
		check_reads(&c);
	}
	double waited = expect_goodbye(&c, PB__STATUS__UNAVAILABLE, "idle");
	assert_true(waited > 2.5);
	client_close(&c);
	check_server_healthy(NULL);
}

/* Send a Hello without failing if the server has already closed; the
 * status of the answer, or -1 if the connection was closed. */
static int try_hello(struct client *c)
{
	Pb__Request req;
	Pb__Hello h;
	req_hello(&req, &h);
	struct buf out = { 0 };
	uint64_t id = put_request(c, &out, &req);
	ssize_t n = send(c->fd, out.data, out.len, MSG_NOSIGNAL);
	bool sent = n == (ssize_t)out.len;
	buf_free(&out);
	if (!sent)
		return -1;
	Pb__ServerFrame *f = read_frame(c);
	if (f == NULL)
		return -1;
	int status = (int)f->response->status;
	if (status == PB__STATUS__OK)
		assert_int_equal(f->response->id, id);
	wire_free(f);
	return status;
}

/* Past the connection limit a client is told to come back later and
 * closed; the others go on, and a place that frees up is taken again. */
static void test_max_connections(void **state)
{
	(void)state;
	struct client a, b, c, d;
	open_logged_in(&a);
	open_logged_in(&b);
	open_logged_in(&c);
	assert_int_equal(client_open(&d), 0);
	expect_goodbye(&d, PB__STATUS__UNAVAILABLE, "connection limit");
	client_close(&d);
	check_reads(&a);
	check_reads(&b);
	check_reads(&c);
	client_close(&c);
	/* The server notices the close on a later loop turn. */
	int status = -1;
	for (int i = 0; i < 100 && status != PB__STATUS__OK; i++) {
		assert_int_equal(client_open(&d), 0);
		status = try_hello(&d);
		if (status != PB__STATUS__OK) {
			client_close(&d);
			sleep_ms(20);
		}
	}
	assert_int_equal(status, PB__STATUS__OK);
	do_token_login(&d);
	check_reads(&d);
	client_close(&d);
	client_close(&b);
	client_close(&a);
}

/* A client that pipelines far more answers than its output allowance
 * (64 KiB here) and reads nothing for a while: others are served
 * meanwhile, and once it reads, every request is answered in order.
 * (Whether the server had to pause reading it depends on how much the
 * kernel's socket buffers absorbed; this test cannot see that, only that
 * nothing is lost, reordered or stuck either way.) */
static void test_flood_without_reading(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct client by, c;
	open_logged_in(&by);
	open_logged_in(&c);
	struct buf out = { 0 };
	uint64_t first = 0;
	for (int i = 0; i < N; i++) {
		Pb__Request req;
		req_whoami(&req);
		uint64_t id = put_request(&c, &out, &req);
		if (i == 0)
			first = id;
	}
	send_raw(&c, out.data, out.len);
	buf_free(&out);
	sleep_ms(300);
	check_reads(&by);
	for (int i = 0; i < N; i++) {
		Pb__ServerFrame *f = read_response(&c);
		if (f->response->id != first + (uint64_t)i || f->response->status != PB__STATUS__OK)
			fail_msg("response %d: id %llu status %s", i, (unsigned long long)f->response->id,
				 status_name(f->response->status));
		wire_free(f);
	}
	check_reads(&c);
	client_close(&c);
	client_close(&by);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined_batch),
		cmocka_unit_test(test_pipelined_many),
		cmocka_unit_test(test_order_of_handshake),
		cmocka_unit_test(test_unknown_request_type),
		cmocka_unit_test(test_invalid_protobuf_payload),
		cmocka_unit_test(test_recorded_at),
		cmocka_unit_test(test_garbage_bytes),
		cmocka_unit_test(test_length_4gib),
		cmocka_unit_test(test_length_over_max),
		cmocka_unit_test(test_length_zero),
		cmocka_unit_test(test_good_then_bad_in_one_write),
		cmocka_unit_test(test_write_then_bad_in_one_write),
		cmocka_unit_test(test_frame_at_max),
		cmocka_unit_test(test_split_across_writes),
		cmocka_unit_test(test_truncated_then_close),
		cmocka_unit_test_setup_teardown(test_handshake_timeout, limits_setup, limits_teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, limits_setup, limits_teardown),
		cmocka_unit_test_setup_teardown(test_max_connections, limits_setup, limits_teardown),
		cmocka_unit_test_setup_teardown(test_flood_without_reading, limits_setup, limits_teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

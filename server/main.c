/* main.c: planboardd's command line. */
#include "auth.h"
#include "log.h"
#include "server.h"
#include "store_ops.h"

#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: planboardd [OPTIONS]\n"
		"       planboardd --init-admin NAME [--db PATH]\n"
		"\n"
		"The planboard server: owns the SQLite database of an improvement plan and\n"
		"serves planboard clients over TCP.\n"
		"\n"
		"Options:\n"
		"  -l, --listen HOST:PORT      address to listen on (default 127.0.0.1:7420;\n"
		"                              port 0 picks a free port)\n"
		"  -d, --db PATH               database file (default planboard.db)\n"
		"      --init-admin NAME       create the first admin user and exit; the password\n"
		"                              comes from PLANBOARD_ADMIN_PASSWORD or one line of stdin\n"
		"      --port-file FILE        write the bound port to FILE once listening\n"
		"      --max-frame BYTES       largest frame accepted (default 1048576)\n"
		"      --max-connections N     connections served at once (default 4096)\n"
		"      --handshake-timeout S   seconds to send Hello and Login (default 10)\n"
		"      --idle-timeout S        seconds a connection may sit idle (default 300)\n"
		"      --max-output BYTES      output queued per client before it is paused\n"
		"                              (default 4194304)\n"
		"      --token-ttl S           lifetime of a login token (default 43200 = 12 h)\n"
		"      --heartbeat S           seconds between heartbeats to watchers (default 15)\n"
		"      --no-group-commit       commit after every write instead of sharing commits\n"
		"                              (slower; for measuring)\n"
		"      --max-frame-prelogin BYTES  largest frame before login (default 65536)\n"
		"      --max-db-pages N        database size limit in pages (PRAGMA\n"
		"                              max_page_count); writes past it get\n"
		"                              RESOURCE_EXHAUSTED (default: SQLite's)\n"
		"      --checkpoint-pages N    WAL pages written between checkpoints (default\n"
		"                              8000; the checkpoint thread copies them)\n"
		"      --slow-ms MS            log a request, commit, wait for the write lock\n"
		"                              or WAL sync that takes MS ms or more (default 50;\n"
		"                              at most one line per kind every 10 s)\n"
		"      --tls-cert FILE         PEM certificate chain: serve TLS 1.2+\n"
		"      --tls-key FILE          PEM private key for --tls-cert\n"
		"      --allow-plaintext       allow a non-loopback --listen address without TLS\n"
		"      --check                 check the --db file (integrity, foreign keys,\n"
		"                              schema version) and exit: 0 sound, 1 not\n"
		"  -v, --verbose               log every failed request (debug level)\n"
		"  -h, --help                  show this help\n"
		"  -V, --version               show the version\n"
		"\n"
		"Logs go to stderr. SIGTERM or SIGINT stops the server cleanly.\n");
}

static int parse_uint(const char *opt, const char *arg, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v > max || arg[0] == '-') {
		fprintf(stderr, "planboardd: %s: '%s' is not a number up to %lu\n", opt, arg, max);
		return -1;
	}
	*out = v;
	return 0;
}

static char *read_password(void)
{
	const char *env = getenv("PLANBOARD_ADMIN_PASSWORD");
	if (env && *env)
		return xstrdup(env);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Password for the new admin: ");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int init_admin(const char *db_path, const char *name)
{
	char *err = NULL;
	struct store *st = store_open(db_path, &err);
	if (st == NULL) {
		fprintf(stderr, "planboardd: %s\n", err);
		free(err);
		return 1;
	}
	char *pw = read_password();
	if (pw == NULL) {
		fprintf(stderr, "planboardd: no password given (set PLANBOARD_ADMIN_PASSWORD or pipe it on stdin)\n");
		store_close(st);
		return 1;
	}
	struct arena a = { 0 };
	char now[ISO_TIME_LEN];
	time_to_iso(time(NULL), now);
	store_exec(st, "BEGIN IMMEDIATE");
	int rc = auth_create_user(st, &a, name, PB__ROLE__ROLE_ADMIN, NULL, pw, now, &err);
	if (rc == PB__STATUS__OK) {
		struct event_row ev = { .time = now, .user = name, .entity = "user", .ref = name,
					.op = "add", .summary = "first admin created" };
		store_event_add(st, &ev);
		store_exec(st, "COMMIT");
		fprintf(stderr, "planboardd: admin '%s' created in %s\n", name, db_path);
	} else {
		store_exec(st, "ROLLBACK");
		fprintf(stderr, "planboardd: cannot create admin '%s': %s\n", name, err);
	}
	sodium_memzero(pw, strlen(pw));
	free(pw);
	arena_free(&a);
	store_close(st);
	return rc == PB__STATUS__OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	/* Before SQLite initialises: its memory statistics take a global
	 * mutex on every allocation, and nothing here reads them. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	struct server_config cfg;
	server_config_defaults(&cfg);
	const char *init_name = NULL, *port_file = NULL;
	enum { O_INIT = 256, O_PORTFILE, O_FRAME, O_CONNS, O_HANDSHAKE, O_IDLE, O_OUTPUT, O_TTL, O_HEARTBEAT, O_NO_GROUP };
	enum { O_PREFRAME = 300, O_DBPAGES, O_CERT, O_KEY, O_PLAIN, O_CHECK, O_CKPT, O_SLOW };
	bool check = false;
	static const struct option opts[] = {
		{ "listen", required_argument, 0, 'l' },
		{ "db", required_argument, 0, 'd' },
		{ "init-admin", required_argument, 0, O_INIT },
		{ "port-file", required_argument, 0, O_PORTFILE },
		{ "max-frame", required_argument, 0, O_FRAME },
		{ "max-connections", required_argument, 0, O_CONNS },
		{ "handshake-timeout", required_argument, 0, O_HANDSHAKE },
		{ "idle-timeout", required_argument, 0, O_IDLE },
		{ "max-output", required_argument, 0, O_OUTPUT },
		{ "token-ttl", required_argument, 0, O_TTL },
		{ "heartbeat", required_argument, 0, O_HEARTBEAT },
		{ "no-group-commit", no_argument, 0, O_NO_GROUP },
		{ "max-frame-prelogin", required_argument, 0, O_PREFRAME },
		{ "max-db-pages", required_argument, 0, O_DBPAGES },
		{ "tls-cert", required_argument, 0, O_CERT },
		{ "tls-key", required_argument, 0, O_KEY },
		{ "allow-plaintext", no_argument, 0, O_PLAIN },
		{ "check", no_argument, 0, O_CHECK },
		{ "checkpoint-pages", required_argument, 0, O_CKPT },
		{ "slow-ms", required_argument, 0, O_SLOW },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	int c;
	unsigned long v;
	while ((c = getopt_long(argc, argv, "l:d:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'l': cfg.listen = optarg; break;
		case 'd': cfg.db_path = optarg; break;
		case O_INIT: init_name = optarg; break;
		case O_PORTFILE: port_file = optarg; break;
		case O_FRAME:
			if (parse_uint("--max-frame", optarg, 64u << 20, &v) || v < 1024) {
				fprintf(stderr, "planboardd: --max-frame must be 1024..67108864\n");
				return 1;
			}
			cfg.max_frame = (uint32_t)v;
			break;
		case O_CONNS:
			if (parse_uint("--max-connections", optarg, 1000000, &v) || v < 1)
				return 1;
			cfg.max_connections = (unsigned)v;
			break;
		case O_HANDSHAKE:
			if (parse_uint("--handshake-timeout", optarg, 3600, &v) || v < 1)
				return 1;
			cfg.handshake_timeout = (unsigned)v;
			break;
		case O_IDLE:
			if (parse_uint("--idle-timeout", optarg, 86400 * 7, &v) || v < 1)
				return 1;
			cfg.idle_timeout = (unsigned)v;
			break;
		case O_OUTPUT:
			if (parse_uint("--max-output", optarg, 1ul << 32, &v) || v < 65536) {
				fprintf(stderr, "planboardd: --max-output must be at least 65536\n");
				return 1;
			}
			cfg.max_output = v;
			break;
		case O_TTL:
			if (parse_uint("--token-ttl", optarg, 86400 * 365, &v) || v < 1)
				return 1;
			cfg.token_ttl = (unsigned)v;
			break;
		case O_HEARTBEAT:
			if (parse_uint("--heartbeat", optarg, 3600, &v) || v < 1)
				return 1;
			cfg.heartbeat = (unsigned)v;
			break;
		case O_NO_GROUP: cfg.no_group_commit = true; break;
		case O_PREFRAME:
			if (parse_uint("--max-frame-prelogin", optarg, 64u << 20, &v) || v < 1024) {
				fprintf(stderr, "planboardd: --max-frame-prelogin must be 1024..67108864\n");
				return 1;
			}
			cfg.max_frame_prelogin = (uint32_t)v;
			break;
		case O_DBPAGES:
			if (parse_uint("--max-db-pages", optarg, 0x7fffffff, &v) || v < 1)
				return 1;
			cfg.max_db_pages = (unsigned)v;
			break;
		case O_CERT: cfg.tls_cert = optarg; break;
		case O_KEY: cfg.tls_key = optarg; break;
		case O_PLAIN: cfg.allow_plaintext = true; break;
		case O_CHECK: check = true; break;
		case O_CKPT:
			if (parse_uint("--checkpoint-pages", optarg, 1000000, &v) || v < 100) {
				fprintf(stderr, "planboardd: --checkpoint-pages must be 100..1000000\n");
				return 1;
			}
			cfg.checkpoint_pages = (unsigned)v;
			break;
		case O_SLOW:
			if (parse_uint("--slow-ms", optarg, 3600000, &v))
				return 1;
			log_set_slow_ms((double)v);
			break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("planboardd %s\n", PLANBOARD_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "planboardd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	if (!cfg.tls_cert != !cfg.tls_key) {
		fprintf(stderr, "planboardd: --tls-cert and --tls-key go together\n");
		return 1;
	}
	if (cfg.max_frame_prelogin > cfg.max_frame)
		cfg.max_frame_prelogin = cfg.max_frame;
	if (check)
		return store_check_file(cfg.db_path, stdout) == 0 ? 0 : 1;
	if (auth_init() != 0) {
		fprintf(stderr, "planboardd: libsodium failed to initialise\n");
		return 1;
	}
	if (init_name)
		return init_admin(cfg.db_path, init_name);

	struct server srv;
	char *err = NULL;
	if (server_init(&srv, &cfg, &err) != 0) {
		log_err("cannot start: %s", err ? err : "unknown error");
		free(err);
		server_free(&srv);
		return 1;
	}
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (f == NULL || fprintf(f, "%d\n", srv.port) < 0 || fclose(f) != 0) {
			log_err("cannot write port file %s", port_file);
			server_free(&srv);
			return 1;
		}
	}
	int rc = server_run(&srv);
	server_free(&srv);
	log_info("stopped");
	return rc == 0 ? 0 : 1;
}

/* cli.h: the planboard client: global options, the connection, output and
 * the command table. Every command lives in cmd_<group>.c. */
#ifndef PLANBOARD_CLI_H
#define PLANBOARD_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "frame.h"
#include "wire.h"

/* Exit codes (the design's contract). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_CONNECT = 2,
	EXIT_AUTH = 3,
	EXIT_NOT_FOUND = 4,
	EXIT_CONFLICT = 5,
	EXIT_INVALID = 6,
	EXIT_SERVER = 7,
};

struct cli {
	const char *host;
	int port;
	bool tls;
	const char *ca;
	bool json, csv;
	const char *user;            /* PLANBOARD_USER or --user */
	const char *idempotency_key;
	const char *recorded_at;     /* admin: historical recording time */
	int timeout_ms;
	/* connection */
	int fd;
	struct frame_reader rd;
	uint64_t next_id;
	bool logged_in;
	struct arena arena;          /* lives for the whole run */
	bool net_quiet;              /* a first try that may be retried: no errors */
	/* Batch collection (cmd_batch.c): writes go here instead of the server. */
	int (*collect)(Pb__Request *req);
};
extern struct cli cli;

/* A command or subcommand: argv[0] is its own name. */
typedef int (*cmd_fn)(int argc, char **argv);
struct cmd {
	const char *name;
	cmd_fn fn;
	const char *summary;
};

/* Run a subcommand from a table, or print the table's help. */
int cli_subcommand(const char *group, const struct cmd *table, int argc, char **argv,
		   const char *group_help);
/* getopt_long for a (sub)command, with --help handled: returns the option
 * character, -1 at the end, or '?' (usage already printed). */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       const char *usage);
/* Usage error: prints "planboard: message" and a hint, returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* net.c: connect (Hello + Login with the saved token or env password). */
int cli_connect(bool need_login);
/* Send one request and wait for its response. Returns the exit code for
 * its status (printing the error unless it is OK); *out holds the frame
 * to read the body from; free it with wire_free. */
int cli_rpc(Pb__Request *req, Pb__ServerFrame **out);
/* Send without waiting (pipelining) and receive in order. */
int cli_send(Pb__Request *req);
int cli_recv(Pb__ServerFrame **out);
void cli_close(void);
/* Tests only (PLANBOARD_TEST_DROP_AFTER_SEND=1): lose the connection after
 * a first try was sent, to exercise the retry. */
void cli_test_drop(void);
/* Map a status to an exit code; print "planboard: CODE: message". */
int cli_status_exit(const Pb__Response *resp);
/* The same mapping without printing. */
int cli_status_code(int status);
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* writes.c: requests that change data; a fresh idempotency key. */
#define CLI_KEY_LEN 33
bool cli_is_write(int body_case);
bool cli_batch_read_ok(int body_case);
void cli_new_key(char out[CLI_KEY_LEN]);
/* Exit code of a write taken by cli.collect instead of sent. */
#define EXIT_COLLECTED 100
/* main.c: a top-level command by name, or NULL. */
cmd_fn cli_find_command(const char *name);

/* session.c: where tokens are kept. */
char *cli_token_path(void);
char *cli_load_token(void);
int cli_save_token(const char *token);
int cli_forget_token(void);
/* Read a password: no echo on a terminal, one line from a pipe. */
char *cli_read_password(const char *prompt, bool confirm);

/* out.c: tables, JSON, CSV. */
struct table;
struct table *table_new(const char *const *headers, int ncols);
void table_row(struct table *t, ...);   /* ncols strings (NULL prints "-") */
void table_print(struct table *t);      /* aligned, or CSV with --csv */
void out_json(json_t *v);               /* prints and frees */
json_t *out_message(const void *msg);   /* any protobuf message */
json_t *out_messages(void *const *msgs, size_t n);
const char *out_enum(const void *enum_desc, int value);
/* A CONFLICT's detail on stderr (JSON with --json); true when the caller
 * should add its record's current state in words. */
bool out_conflict(const Pb__ConflictDetail *d);
char *out_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* arena string */

/* Parse an enum argument: value or -1 with a usage message printed. */
int parse_enum(const void *enum_desc, const char *what, const char *arg);
int parse_int64(const char *arg, int64_t *out);

/* Command groups. */
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_locality(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_theme(int argc, char **argv);
int cmd_action(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_metric(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* cmd_metric.c: a finite number, or -1 with a usage message printed. */
int parse_number(const char *what, const char *arg, double *out);
int cmd_risk(int argc, char **argv);
int cmd_board(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_admin(int argc, char **argv);

#endif

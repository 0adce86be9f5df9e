/* cmd_batch.c: planboard batch FILE: one command a line, sent as one
 * batch over one connection.
 *
 * Each line is split like a shell would (quotes, backslashes, # comments)
 * and run through the ordinary command code with cli.collect set: the
 * command parses its options and builds its request exactly as on the
 * command line, but cli_rpc hands the write to collect() instead of
 * sending it. Reads a command needs first (the version an update is based
 * on) still go to the server. Then BatchBegin, every request and BatchEnd
 * are sent pipelined and the answers read in order, one result a line.
 *
 * Every request has the idempotency key BASE-LINE (BASE from
 * --idempotency-key or random), so the batch is sent again once if the
 * connection drops, and a return submitted twice with the same key is
 * applied once. */
#include "cli.h"
#include "enums.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 128
#define BASE_KEY_MAX 100

static const char batch_usage[] =
	"Usage: planboard batch FILE|- [--atomic] [--dry-run]\n"
	"\n"
	"Run one command a line (as on the command line, without 'planboard'; blank\n"
	"lines and # comments are skipped; quote with '...' or \"...\") over one\n"
	"connection, and print one result a line: its line number, then OK or the\n"
	"error. Only commands that change data belong in a batch. Exits non-zero if\n"
	"any line failed (with the exit code of the first failure).\n"
	"\n"
	"  --atomic    apply all lines or none, in one transaction\n"
	"  --dry-run   check every line against the data and change nothing\n"
	"\n"
	"With the global --idempotency-key K, submitting the same file again with\n"
	"the same K within 24 hours applies nothing twice.\n";

struct item {
	unsigned line;
	struct buf packed;       /* the request, framed; empty if it failed here */
	int local_rc;            /* exit code of a line that failed before sending */
	uint64_t id;
	Pb__ServerFrame *answer;
};

static struct {
	struct item *items;
	size_t n, cap;
	struct item *current;    /* the line being collected */
	char command[64];        /* its command ("action list"), for errors */
	char base_key[BASE_KEY_MAX + 1];
} bt;

/* cli.collect: keep a write instead of sending it; refuse anything else
 * before it is sent (cli_rpc lets through only the reads an update needs). */
static int collect(Pb__Request *req)
{
	struct item *it = bt.current;
	if (!cli_is_write(req->body_case))
		return cli_error(EXIT_USAGE, "line %u: '%s' changes nothing; only changes belong in a batch", it->line,
				 bt.command);
	if (it->packed.len > 0)
		return cli_error(EXIT_USAGE, "line %u: one change a line", it->line);
	char key[BASE_KEY_MAX + 16];
	snprintf(key, sizeof key, "%s-%u", bt.base_key, it->line);
	req->idempotency_key = key;
	if (cli.recorded_at)
		req->recorded_at = (char *)cli.recorded_at;
	int rc = wire_frame_append(&it->packed, &req->base, FRAME_MAX_DEFAULT);
	req->idempotency_key = NULL;
	if (rc != 0)
		return cli_error(EXIT_INVALID, "line %u: the request is larger than the 1 MiB frame limit", it->line);
	return EXIT_COLLECTED;
}

/* Split in place like a shell: words, '...', "..." with \ escapes, \x,
 * # starting a word begins a comment. NULL on success, else the error. */
static const char *split(char *s, char **argv, int *argc)
{
	char *out = s;
	*argc = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			return NULL;
		if (*argc == MAX_ARGS)
			return "too many words";
		argv[(*argc)++] = out;
		while (*s && !isspace((unsigned char)*s)) {
			if (*s == '\'') {
				char *end = strchr(s + 1, '\'');
				if (end == NULL)
					return "unterminated ' quote";
				memmove(out, s + 1, (size_t)(end - s - 1));
				out += end - s - 1;
				s = end + 1;
			} else if (*s == '"') {
				for (s++; *s != '"'; s++) {
					if (*s == '\0')
						return "unterminated \" quote";
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '$' || s[1] == '`'))
						s++;
					*out++ = *s;
				}
				s++;
			} else if (*s == '\\' && s[1]) {
				*out++ = s[1];
				s += 2;
			} else {
				*out++ = *s++;
			}
		}
		bool end = *s == '\0';
		*out++ = '\0';
		if (end)
			return NULL;
		s++;
	}
}

static struct item *new_item(unsigned line)
{
	if (bt.n == bt.cap) {
		bt.cap = bt.cap ? bt.cap * 2 : 64;
		bt.items = xrealloc(bt.items, bt.cap * sizeof *bt.items);
	}
	struct item *it = &bt.items[bt.n++];
	memset(it, 0, sizeof *it);
	it->line = line;
	return it;
}

/* Build one line's request; its exit code if it fails here. */
static int prepare_line(struct item *it, char *text)
{
	char *argv[MAX_ARGS + 1];
	int argc;
	const char *err = split(text, argv, &argc);
	if (err)
		return cli_error(EXIT_USAGE, "line %u: %s", it->line, err);
	int skip = argc > 0 && strcmp(argv[0], "planboard") == 0;
	argc -= skip;
	if (argc == 0)
		return cli_error(EXIT_USAGE, "line %u: no command", it->line);
	argv[argc + skip] = NULL;
	cmd_fn fn = cli_find_command(argv[skip]);
	if (fn == NULL || fn == cmd_batch || fn == cmd_watch)
		return cli_error(EXIT_USAGE, "line %u: '%s' cannot be used in a batch", it->line, argv[skip]);
	bt.current = it;
	bool sub = argc > 1 && argv[skip + 1][0] != '-';
	snprintf(bt.command, sizeof bt.command, "%s%s%s", argv[skip], sub ? " " : "", sub ? argv[skip + 1] : "");
	cli.collect = collect;
	optind = 0;
	int rc = fn(argc, argv + skip);
	cli.collect = NULL;
	if (rc == EXIT_COLLECTED)
		return EXIT_OK;
	if (rc == EXIT_OK)
		return cli_error(EXIT_USAGE, "line %u: '%s' changes nothing; only changes belong in a batch",
				 it->line, bt.command);
	return rc;
}

static int read_file(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL)
		return cli_error(EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	buf_append(b, "", 1);
	if (bad)
		return cli_error(EXIT_USAGE, "cannot read %s", path);
	return EXIT_OK;
}

/* Parse every line; the number that failed here. */
static unsigned prepare_all(char *text)
{
	unsigned failed = 0, line = 0;
	for (char *next, *s = text; s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		line++;
		char *p = s;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		struct item *it = new_item(line);
		it->local_rc = prepare_line(it, p);
		failed += it->local_rc != EXIT_OK;
	}
	return failed;
}

static int send_one(Pb__Request *req)
{
	return cli_send(req);
}

/* Send the batch pipelined and read every answer; *reply is BatchEnd's. */
static int exchange(bool atomic, bool dry_run, Pb__ServerFrame **reply, bool first)
{
	Pb__BatchBegin begin = PB__BATCH_BEGIN__INIT;
	begin.has_atomic = begin.has_dry_run = 1;
	begin.atomic = atomic;
	begin.dry_run = dry_run;
	Pb__Request breq = PB__REQUEST__INIT;
	breq.body_case = PB__REQUEST__BODY_BATCH_BEGIN;
	breq.batch_begin = &begin;
	int rc = send_one(&breq);
	for (size_t i = 0; i < bt.n && rc == EXIT_OK; i++) {
		struct item *it = &bt.items[i];
		if (it->packed.len == 0)
			continue;
		Pb__Request *req = wire_unpack_request(it->packed.data + FRAME_HEADER_LEN,
						       it->packed.len - FRAME_HEADER_LEN);
		rc = send_one(req);
		it->id = req->id;
		wire_free(req);
	}
	Pb__BatchEnd end = PB__BATCH_END__INIT;
	Pb__Request ereq = PB__REQUEST__INIT;
	ereq.body_case = PB__REQUEST__BODY_BATCH_END;
	ereq.batch_end = &end;
	if (rc != EXIT_OK || (rc = send_one(&ereq)) != EXIT_OK)
		return rc;
	if (first)
		cli_test_drop();
	Pb__ServerFrame *f;
	if ((rc = cli_recv(&f)) != EXIT_OK)
		return rc;
	rc = f->kind_case == PB__SERVER_FRAME__KIND_RESPONSE ? cli_status_exit(f->response) : EXIT_CONNECT;
	wire_free(f);
	if (rc != EXIT_OK)
		return rc == EXIT_CONNECT ? EXIT_SERVER : rc;   /* refused: not a dropped line */
	for (size_t i = 0; i < bt.n; i++) {
		struct item *it = &bt.items[i];
		if (it->packed.len == 0)
			continue;
		wire_free(it->answer);
		it->answer = NULL;
		if ((rc = cli_recv(&it->answer)) != EXIT_OK)
			return rc;
	}
	return cli_recv(reply);
}

static const char *status_name(const Pb__Response *r)
{
	const char *n = enum_name(&pb__status__descriptor, (int)r->status);
	return n ? n : "ERROR";
}

/* What an answer says, for its result line. */
static void describe(const Pb__Response *r, struct buf *b)
{
	if (r->body_case == PB__RESPONSE__BODY_ACTION && r->action->action)
		buf_printf(b, " %s version %lld", r->action->action->ref, (long long)r->action->action->version);
	if (r->replayed)
		buf_printf(b, " (answered before with this key: original result)");
	const Pb__ConflictDetail *d = r->conflict;
	if (d) {
		buf_printf(b, " [current version %lld, based on %lld", (long long)d->current_version,
			   (long long)d->based_on_version);
		for (size_t i = 0; i < d->n_differences; i++)
			buf_printf(b, "; %s: %s -> %s", d->differences[i]->field,
				   d->differences[i]->old_value ? d->differences[i]->old_value : "-",
				   d->differences[i]->new_value ? d->differences[i]->new_value : "-");
		buf_printf(b, "]");
	}
}

static json_t *result_json(const struct item *it, const char *note)
{
	json_t *o = json_object();
	json_object_set_new(o, "line", json_integer(it->line));
	if (it->answer == NULL) {
		json_object_set_new(o, "status", json_string("NOT_SENT"));
		json_object_set_new(o, "exit_code", json_integer(it->local_rc));
	} else {
		json_object_set_new(o, "status", json_string(status_name(it->answer->response)));
		json_object_set_new(o, "response", out_message(it->answer->response));
	}
	if (note)
		json_object_set_new(o, "note", json_string(note));
	return o;
}

/* One result a line; the exit code of the first failure, or 0. */
static int report(const Pb__BatchReply *r, bool atomic, bool dry_run, bool sent)
{
	int first = EXIT_OK;
	json_t *results = json_array();
	for (size_t i = 0; i < bt.n; i++) {
		struct item *it = &bt.items[i];
		const Pb__Response *resp = it->answer ? it->answer->response : NULL;
		int rc = resp ? cli_status_code((int)resp->status) : it->local_rc;
		const char *note = NULL;
		if (rc == EXIT_OK && dry_run)
			note = "dry run: valid, nothing changed";
		else if (rc == EXIT_OK && !sent)
			note = "another line is invalid, so nothing was sent";
		else if (rc == EXIT_OK && atomic && r && !r->committed)
			note = "not applied: the batch was rolled back";
		if (first == EXIT_OK)
			first = rc;
		if (cli.json) {
			json_array_append_new(results, result_json(it, note));
			continue;
		}
		struct buf b = { 0 };
		if (resp == NULL)
			buf_printf(&b, "line %u: %s", it->line,
				   it->local_rc ? "NOT SENT: failed before sending (see above)" : "not sent");
		else if (rc == EXIT_OK)
			buf_printf(&b, "line %u: OK", it->line);
		else
			buf_printf(&b, "line %u: %s: %s", it->line, status_name(resp),
				   resp->error_message ? resp->error_message : "");
		if (resp)
			describe(resp, &b);
		if (note)
			buf_printf(&b, " (%s)", note);
		buf_append(&b, "", 1);
		puts((char *)b.data);
		buf_free(&b);
	}
	if (cli.json) {
		json_t *o = json_object();
		json_object_set_new(o, "results", results);
		json_object_set_new(o, "batch", r ? out_message(r) : json_null());
		out_json(o);
	} else {
		json_decref(results);
		if (r)
			printf("batch: %u requests, %u failed, %s\n", r->requests, r->failed,
			       r->committed ? (dry_run ? "checked" : "applied") : "nothing applied");
	}
	return first;
}

static void free_items(void)
{
	for (size_t i = 0; i < bt.n; i++) {
		buf_free(&bt.items[i].packed);
		wire_free(bt.items[i].answer);
	}
	free(bt.items);
	memset(&bt, 0, sizeof bt);
}

/* Send, and once more on a new connection if this one drops: the keys
 * make the second attempt safe. */
static int send_batch(bool atomic, bool dry_run, Pb__ServerFrame **reply)
{
	int rc = cli_connect(true);
	if (rc != EXIT_OK)
		return rc;
	cli.net_quiet = true;
	rc = exchange(atomic, dry_run, reply, true);
	cli.net_quiet = false;
	if (rc == EXIT_CONNECT) {
		cli_close();
		if ((rc = cli_connect(true)) == EXIT_OK)
			rc = exchange(atomic, dry_run, reply, false);
	}
	return rc;
}

int cmd_batch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "atomic", no_argument, 0, 'a' }, { "dry-run", no_argument, 0, 'n' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	bool atomic = false, dry_run = false;
	int c;
	while ((c = cli_getopt(argc, argv, "an", opts, batch_usage)) != -1) {
		switch (c) {
		case 'a': atomic = true; break;
		case 'n': dry_run = true; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(batch_usage, "give one file of commands (or - for stdin)");
	if (cli.idempotency_key && strlen(cli.idempotency_key) > BASE_KEY_MAX)
		return cli_usage_error(batch_usage, "--idempotency-key is longer than %d characters", BASE_KEY_MAX);
	if (cli.idempotency_key)
		snprintf(bt.base_key, sizeof bt.base_key, "%s", cli.idempotency_key);
	else
		cli_new_key(bt.base_key);
	struct buf text = { 0 };
	int rc = read_file(argv[optind], &text);
	if (rc != EXIT_OK) {
		buf_free(&text);
		return rc;
	}
	unsigned bad = prepare_all((char *)text.data);
	Pb__ServerFrame *reply = NULL;
	if (bt.n == 0) {
		rc = cli_usage_error(batch_usage, "%s has no commands", argv[optind]);
	} else if (bad > 0 && (atomic || dry_run)) {
		/* All or nothing: a line that cannot even be built stops it all. */
		rc = report(NULL, atomic, dry_run, false);
	} else if ((rc = send_batch(atomic, dry_run, &reply)) == EXIT_OK) {
		int first = report(reply->response->batch, atomic, dry_run, true);
		rc = first;
	}
	wire_free(reply);
	free_items();
	buf_free(&text);
	return rc;
}

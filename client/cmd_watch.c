/* cmd_watch.c: planboard watch: print each change as it is committed.
 * The server replays what came after --since and then pushes live, so a
 * watcher that resumes with the last sequence number it printed misses
 * nothing and sees nothing twice. Whenever the watch ends early the last
 * position is printed as a ready-made --since. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char watch_usage[] =
	"Usage: planboard watch [--plan P] [--locality L] [--kind K]... [--since SEQ]\n"
	"                       [--count N] [--silence S]\n"
	"\n"
	"Print each change as it is committed, one line each (with --json, one JSON\n"
	"object per line): sequence number, time, user, kind, operation, reference,\n"
	"summary.\n"
	"\n"
	"  -P, --plan P      only changes to plan P\n"
	"  -L, --locality L  only changes in locality L\n"
	"  -k, --kind K      only changes of kind K (action, measurement, risk, user, ...);\n"
	"                    repeat for several\n"
	"  -s, --since SEQ   first the changes after SEQ, then live (resume after a\n"
	"                    disconnect with the last number printed)\n"
	"  -n, --count N     stop after N changes\n"
	"      --silence S   give up when the server sends nothing, not even a\n"
	"                    heartbeat, for S seconds (default 60)\n";

static void print_event(const Pb__Event *e)
{
	if (cli.json) {
		json_t *o = out_message(e);
		char *s = json_dumps(o, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("%lld %s %s %s %s %s %s\n", (long long)e->seq, e->time ? e->time : "-",
		       e->user ? e->user : "-", e->entity ? e->entity : "-", e->op ? e->op : "-",
		       e->ref ? e->ref : "-", e->summary ? e->summary : "");
	}
	fflush(stdout);
}

static int resume_hint(int code, int64_t last)
{
	fprintf(stderr, "planboard: resume with: planboard watch --since %lld\n", (long long)last);
	return code;
}

/* Print pushed frames until --count, a drop, or the connection ends. */
static int follow(int64_t last, long count)
{
	long seen = 0;
	for (;;) {
		Pb__ServerFrame *f;
		if (cli_recv(&f) != EXIT_OK)
			return resume_hint(EXIT_CONNECT, last);
		int rc = -1;
		switch (f->kind_case) {
		case PB__SERVER_FRAME__KIND_EVENT:
			print_event(f->event);
			last = f->event->seq;
			seen++;
			break;
		case PB__SERVER_FRAME__KIND_HEARTBEAT:
			/* Its last_seq also covers events the filters skipped. */
			if (f->heartbeat->last_seq > last)
				last = f->heartbeat->last_seq;
			break;
		case PB__SERVER_FRAME__KIND_WATCH_DROPPED:
			cli_error(0, "UNAVAILABLE: the server stopped this watch: %s",
				  f->watch_dropped->reason ? f->watch_dropped->reason : "no reason given");
			last = f->watch_dropped->last_seq;
			rc = EXIT_CONNECT;
			break;
		case PB__SERVER_FRAME__KIND_RESPONSE:
			/* Unsolicited: the server is closing the connection. */
			rc = cli_status_exit(f->response);
			if (rc == EXIT_OK)
				rc = EXIT_CONNECT;
			break;
		default:
			break;
		}
		wire_free(f);
		if (rc >= 0)
			return resume_hint(rc, last);
		if (count > 0 && seen >= count)
			return EXIT_OK;
	}
}

int cmd_watch(int argc, char **argv)
{
	enum { O_SILENCE = 256 };
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "locality", required_argument, 0, 'L' },
		{ "kind", required_argument, 0, 'k' }, { "since", required_argument, 0, 's' },
		{ "count", required_argument, 0, 'n' }, { "silence", required_argument, 0, O_SILENCE },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Watch m = PB__WATCH__INIT;
	char *kinds[32];
	int64_t count = 0, silence = 60;
	int c;
	while ((c = cli_getopt(argc, argv, "P:L:k:s:n:", opts, watch_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 'L': m.locality = optarg; break;
		case 'k':
			if (m.n_kinds == sizeof kinds / sizeof kinds[0])
				return cli_usage_error(watch_usage, "at most 32 --kind options");
			kinds[m.n_kinds++] = optarg;
			break;
		case 's':
			if (parse_int64(optarg, &m.since) != 0 || m.since < 0)
				return cli_usage_error(watch_usage, "--since '%s' is not an event number", optarg);
			m.has_since = 1;
			break;
		case 'n':
			if (parse_int64(optarg, &count) != 0 || count < 1)
				return cli_usage_error(watch_usage, "--count '%s' is not a positive number", optarg);
			break;
		case O_SILENCE:
			if (parse_int64(optarg, &silence) != 0 || silence < 1 || silence > 86400)
				return cli_usage_error(watch_usage, "--silence '%s' is not 1..86400 seconds", optarg);
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(watch_usage, "unexpected argument '%s'", argv[optind]);
	m.kinds = kinds;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_WATCH;
	req.watch = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	int64_t last = rc == EXIT_OK ? (m.has_since ? m.since : f->response->watch->last_seq) : 0;
	wire_free(f);
	if (rc != EXIT_OK)
		return rc;
	cli.timeout_ms = (int)silence * 1000;
	return follow(last, (long)count);
}

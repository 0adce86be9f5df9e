/* planboard-bench: load generator and benchmark for planboardd.
 *
 * It speaks the real protocol (common/frame.h + common/wire.h) from one
 * thread over non-blocking sockets, checks every answer, and prints
 * requests/s and latency percentiles per scenario, the ratios the targets
 * are stated in, and with --json one JSON object for scripts. */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 1
#define EXIT_SETUP 2
#define EXIT_ERRORS 9
#define EXIT_TARGETS 10

struct options {
	struct target t;
	struct run_spec spec;
	const char *mix;
	bool suite, json, check_targets, seed_metrics_given;
	unsigned seed_actions, seed_updates, seed_localities, seed_months, seed_metrics, use_actions;
	const char *report_plan, *report_as_of;
	double probe_secs;
	unsigned idle;
	long server_pid;
};

struct scenario {
	char name[64];
	struct run_spec spec;
	struct run_result res;
	bool skipped;
	char skip_reason[320];
};

static void usage(FILE *f)
{
	fputs("usage: planboard-bench [OPTIONS]\n"
	      "Load generator for planboardd: N connections, each keeping P requests in\n"
	      "flight, every answer checked. Prints requests/s and latency percentiles.\n\n"
	      "  -H, --host HOST          server host (PLANBOARD_HOST, default 127.0.0.1)\n"
	      "  -p, --port PORT          server port (PLANBOARD_PORT, default 7420)\n"
	      "  -u, --user NAME          an admin user (PLANBOARD_USER, default admin)\n"
	      "      --password PW        its password (default: $PLANBOARD_PASSWORD)\n"
	      "  -c, --connections N      connections (default 50)\n"
	      "  -P, --pipeline N         requests in flight per connection (default 1)\n"
	      "  -d, --duration SECS      measured seconds per scenario (default 5)\n"
	      "  -n, --requests N         a number of requests instead of a duration\n"
	      "  -w, --warmup SECS        unmeasured seconds first (default 1; 0 with -n)\n"
	      "  -o, --op MIX             ping, action-show, action-list, action-update,\n"
	      "                           metric-submit, metric-compare, report, or\n"
	      "                           weights such as read=90,write=10 (read:\n"
	      "                           action-show, write: action-update) or\n"
	      "                           action-show=3,action-list=1\n"
	      "      --suite              run ping, action-show, action-list,\n"
	      "                           read=90,write=10, action-update (and the metric ops\n"
	      "                           if the server has them) and print the ratios of\n"
	      "                           the targets\n"
	      "      --seed-actions N     create N actions (50 per theme) first, as admin\n"
	      "      --seed-updates N     and N progress updates spread over them\n"
	      "      --seed-localities N  localities for measurements (default 10)\n"
	      "      --seed-months N      months of measurements per locality (default 24,\n"
	      "                           from 2008-01)\n"
	      "      --seed-metrics N     metrics with measurements (default 1: bench_metric,\n"
	      "                           then bench_m002..); seeds N x localities x months\n"
	      "                           measurements, with or without --seed-actions\n"
	      "      --actions N          use N actions seeded earlier, without seeding\n"
	      "      --report-plan P      the plan of the report op (default north-2017,\n"
	      "                           the demo plan: deploy/demo-load.sh)\n"
	      "      --report-as-of DATE  its as-of date (default 2017-09-30)\n"
	      "      --probe-sqlite SECS  measure one-row-per-commit SQLite (WAL,\n"
	      "                           synchronous=FULL) in $TMPDIR for SECS\n"
	      "      --idle N             open N idle authenticated connections and, with\n"
	      "                           --server-pid, report server RSS per connection\n"
	      "      --server-pid PID     the server process, for RSS from /proc\n"
	      "      --check-targets      exit 10 if a target is missed\n"
	      "      --json               one JSON object on stdout\n"
	      "  -h, --help               this help\n\n"
	      "Exit: 0 ok, 1 usage, 2 cannot connect/log in/seed, 9 some answers were\n"
	      "errors (the report says which), 10 a target was missed (--check-targets).\n",
	      f);
}

static const struct { const char *alias; enum op op; } aliases[] = {
	{ "read", OP_ACTION_SHOW },
	{ "write", OP_ACTION_UPDATE },
};

static int op_by_name(const char *name, size_t len)
{
	for (int i = 0; i < N_OPS; i++)
		if (strlen(op_info[i].name) == len && strncmp(op_info[i].name, name, len) == 0)
			return i;
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (strlen(aliases[i].alias) == len && strncmp(aliases[i].alias, name, len) == 0)
			return (int)aliases[i].op;
	return -1;
}

/* "op" or "op=W,op=W,...". */
static int parse_mix(const char *mix, unsigned weights[N_OPS])
{
	memset(weights, 0, N_OPS * sizeof weights[0]);
	const char *p = mix;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;
		int op = op_by_name(p, nlen);
		if (op < 0) {
			fprintf(stderr, "planboard-bench: unknown operation '%.*s' in '%s'\n", (int)nlen, p, mix);
			return -1;
		}
		unsigned w = 1;
		if (eq) {
			char *e;
			unsigned long v = strtoul(eq + 1, &e, 10);
			if (e != p + len || v == 0 || v > 1000000) {
				fprintf(stderr, "planboard-bench: bad weight in '%.*s'\n", (int)len, p);
				return -1;
			}
			w = (unsigned)v;
		}
		weights[op] += w;
		p += len;
		if (*p == ',')
			p++;
	}
	unsigned total = 0;
	for (int i = 0; i < N_OPS; i++)
		total += weights[i];
	if (total == 0) {
		fprintf(stderr, "planboard-bench: empty operation mix\n");
		return -1;
	}
	return 0;
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *e;
	errno = 0;
	double v = strtod(s, &e);
	if (errno || e == s || *e || v < lo || v > hi) {
		fprintf(stderr, "planboard-bench: %s must be a number from %g to %g\n", opt, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	O_PASSWORD = 256, O_SUITE, O_SEED_ACTIONS, O_SEED_UPDATES, O_SEED_LOCS, O_SEED_MONTHS, O_SEED_METRICS,
	O_ACTIONS, O_REPORT_PLAN, O_REPORT_AS_OF,
	O_PROBE, O_IDLE, O_PID, O_CHECK, O_JSON,
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "host", required_argument, 0, 'H' }, { "port", required_argument, 0, 'p' },
		{ "user", required_argument, 0, 'u' }, { "password", required_argument, 0, O_PASSWORD },
		{ "connections", required_argument, 0, 'c' }, { "pipeline", required_argument, 0, 'P' },
		{ "duration", required_argument, 0, 'd' }, { "requests", required_argument, 0, 'n' },
		{ "warmup", required_argument, 0, 'w' }, { "op", required_argument, 0, 'o' },
		{ "suite", no_argument, 0, O_SUITE }, { "seed-actions", required_argument, 0, O_SEED_ACTIONS },
		{ "seed-updates", required_argument, 0, O_SEED_UPDATES },
		{ "seed-localities", required_argument, 0, O_SEED_LOCS },
		{ "seed-months", required_argument, 0, O_SEED_MONTHS }, { "actions", required_argument, 0, O_ACTIONS },
		{ "seed-metrics", required_argument, 0, O_SEED_METRICS },
		{ "report-plan", required_argument, 0, O_REPORT_PLAN },
		{ "report-as-of", required_argument, 0, O_REPORT_AS_OF },
		{ "probe-sqlite", required_argument, 0, O_PROBE }, { "idle", required_argument, 0, O_IDLE },
		{ "server-pid", required_argument, 0, O_PID }, { "check-targets", no_argument, 0, O_CHECK },
		{ "json", no_argument, 0, O_JSON }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *env;
	o->t.host = (env = getenv("PLANBOARD_HOST")) && *env ? env : "127.0.0.1";
	o->t.port = (env = getenv("PLANBOARD_PORT")) && *env ? atoi(env) : 7420;
	o->t.user = (env = getenv("PLANBOARD_USER")) && *env ? env : "admin";
	o->t.password = getenv("PLANBOARD_PASSWORD");
	o->spec.connections = 50;
	o->spec.pipeline = 1;
	o->spec.duration = 5;
	o->spec.warmup = -1;
	o->seed_localities = 10;
	o->seed_months = 24;
	o->seed_metrics = 1;
	o->report_plan = "north-2017";
	o->report_as_of = "2017-09-30";
	int ch;
	double v;
	while ((ch = getopt_long(argc, argv, "H:p:u:c:P:d:n:w:o:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'H': o->t.host = optarg; break;
		case 'p':
			if (parse_num("--port", optarg, 1, 65535, &v)) return -1;
			o->t.port = (int)v;
			break;
		case 'u': o->t.user = optarg; break;
		case O_PASSWORD: o->t.password = optarg; break;
		case 'c':
			if (parse_num("--connections", optarg, 1, 1000000, &v)) return -1;
			o->spec.connections = (unsigned)v;
			break;
		case 'P':
			if (parse_num("--pipeline", optarg, 1, 100000, &v)) return -1;
			o->spec.pipeline = (unsigned)v;
			break;
		case 'd':
			if (parse_num("--duration", optarg, 0.01, 86400, &o->spec.duration)) return -1;
			break;
		case 'n':
			if (parse_num("--requests", optarg, 1, 1e12, &v)) return -1;
			o->spec.requests = (uint64_t)v;
			o->spec.duration = 0;
			break;
		case 'w':
			if (parse_num("--warmup", optarg, 0, 3600, &o->spec.warmup)) return -1;
			break;
		case 'o': o->mix = optarg; break;
		case O_SUITE: o->suite = true; break;
		case O_SEED_ACTIONS:
			if (parse_num("--seed-actions", optarg, 0, 10000000, &v)) return -1;
			o->seed_actions = (unsigned)v;
			break;
		case O_SEED_UPDATES:
			if (parse_num("--seed-updates", optarg, 0, 100000000, &v)) return -1;
			o->seed_updates = (unsigned)v;
			break;
		case O_SEED_LOCS:
			if (parse_num("--seed-localities", optarg, 1, 999, &v)) return -1;
			o->seed_localities = (unsigned)v;
			break;
		case O_SEED_MONTHS:
			if (parse_num("--seed-months", optarg, 0, 1200, &v)) return -1;
			o->seed_months = (unsigned)v;
			break;
		case O_SEED_METRICS:
			if (parse_num("--seed-metrics", optarg, 1, 9999, &v)) return -1;
			o->seed_metrics = (unsigned)v;
			o->seed_metrics_given = true;
			break;
		case O_REPORT_PLAN: o->report_plan = optarg; break;
		case O_REPORT_AS_OF: o->report_as_of = optarg; break;
		case O_ACTIONS:
			if (parse_num("--actions", optarg, 1, 10000000, &v)) return -1;
			o->use_actions = (unsigned)v;
			break;
		case O_PROBE:
			if (parse_num("--probe-sqlite", optarg, 0.1, 3600, &o->probe_secs)) return -1;
			break;
		case O_IDLE:
			if (parse_num("--idle", optarg, 1, 1000000, &v)) return -1;
			o->idle = (unsigned)v;
			break;
		case O_PID:
			if (parse_num("--server-pid", optarg, 1, 1e9, &v)) return -1;
			o->server_pid = (long)v;
			break;
		case O_CHECK: o->check_targets = true; break;
		case O_JSON: o->json = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "planboard-bench: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if ((double)o->seed_metrics * o->seed_localities * o->seed_months > 1e8) {
		fprintf(stderr, "planboard-bench: --seed-metrics x --seed-localities x --seed-months is over 100,000,000\n");
		return -1;
	}
	if (o->spec.warmup < 0)
		o->spec.warmup = o->spec.duration > 0 ? 1 : 0;
	if (o->t.password == NULL) {
		fprintf(stderr, "planboard-bench: give the password of %s with --password or PLANBOARD_PASSWORD\n",
			o->t.user);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- report */

static const char *status_name(int status)
{
	if (status == -1)
		return "PROTOCOL";
	if (status == -2)
		return "WRONG_BODY";
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&pb__status__descriptor, status);
	return v ? v->name : "?";
}

static bool unsupported(const struct error_note *n)
{
	return n->status == PB__STATUS__BAD_REQUEST && strstr(n->first, "unknown or missing request type");
}

static double rps(const struct run_result *r)
{
	return r->seconds > 0 ? (double)r->done / r->seconds : 0;
}

static void print_errors(const struct run_result *r)
{
	for (int op = 0; op < N_OPS; op++) {
		const struct error_note *n = &r->err[op];
		if (n->count == 0)
			continue;
		printf("    ERRORS %s: %llu answers were %s, first: \"%s\"%s\n", op_info[op].name,
		       (unsigned long long)n->count, status_name(n->status), n->first,
		       unsupported(n) ? "\n    -> this server does not implement the request yet" : "");
	}
	uint64_t listed = 0;
	for (int op = 0; op < N_OPS; op++)
		listed += r->err[op].count;
	if (r->errors > listed)
		printf("    ERRORS: %llu requests lost with their connection\n", (unsigned long long)(r->errors - listed));
	if (r->failed_connects)
		printf("    ERRORS: %u connections failed to connect or log in\n", r->failed_connects);
}

static void print_scenario(const struct scenario *s)
{
	if (s->skipped) {
		printf("%-22s SKIPPED: %s\n", s->name, s->skip_reason);
		return;
	}
	const struct run_result *r = &s->res;
	printf("%-22s c=%-4u P=%-3u %9.0f req/s  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (%llu in %.1f s, errors %llu)\n",
	       s->name, s->spec.connections, s->spec.pipeline, rps(r), r->p50, r->p90, r->p99, r->p999, r->max,
	       (unsigned long long)r->done, r->seconds, (unsigned long long)r->errors);
	if (r->errors || r->failed_connects)
		print_errors(r);
}

static json_t *scenario_json(const struct scenario *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", json_string(s->name));
	json_object_set_new(j, "connections", json_integer(s->spec.connections));
	json_object_set_new(j, "pipeline", json_integer(s->spec.pipeline));
	if (s->skipped) {
		json_object_set_new(j, "skipped", json_string(s->skip_reason));
		return j;
	}
	const struct run_result *r = &s->res;
	json_object_set_new(j, "seconds", json_real(r->seconds));
	json_object_set_new(j, "requests", json_integer((json_int_t)r->done));
	json_object_set_new(j, "requests_per_s", json_real(rps(r)));
	json_object_set_new(j, "p50_ms", json_real(r->p50));
	json_object_set_new(j, "p90_ms", json_real(r->p90));
	json_object_set_new(j, "p99_ms", json_real(r->p99));
	json_object_set_new(j, "p999_ms", json_real(r->p999));
	json_object_set_new(j, "max_ms", json_real(r->max));
	json_object_set_new(j, "errors", json_integer((json_int_t)r->errors));
	json_object_set_new(j, "failed_connections", json_integer(r->failed_connects));
	json_t *errs = json_object();
	for (int op = 0; op < N_OPS; op++) {
		const struct error_note *n = &r->err[op];
		if (n->count == 0)
			continue;
		json_t *e = json_object();
		json_object_set_new(e, "count", json_integer((json_int_t)n->count));
		json_object_set_new(e, "status", json_string(status_name(n->status)));
		json_object_set_new(e, "first_message", json_string(n->first));
		json_object_set_new(e, "unsupported", json_boolean(unsupported(n)));
		json_object_set_new(errs, op_info[op].name, e);
	}
	json_object_set_new(j, "error_detail", errs);
	return j;
}

/* ---------------------------------------------------------------- main */

/* Does the server implement MetricCompare? (asked once, on a set-up
 * connection, so the suite can skip the metric scenarios clearly). */
static bool has_metrics(struct target *t, const struct dataset *ds, char *why, size_t len)
{
	int fd;
	struct frame_reader rd;
	char err[300];
	if (setup_session(t, &fd, &rd, err, sizeof err) != 0) {
		snprintf(why, len, "%s", err);
		return false;
	}
	_Alignas(max_align_t) uint8_t scratch[SCRATCH_SIZE];
	Pb__Request req, *reqs[1] = { &req };
	Pb__ServerFrame *out[1];
	build_request(OP_METRIC_COMPARE, ds, 0, &req, scratch);
	bool ok = false;
	if (sync_exchange(fd, &rd, reqs, 1, out) == 0) {
		Pb__Response *r = out[0]->response;
		ok = !(r->status == PB__STATUS__BAD_REQUEST && r->error_message &&
		       strstr(r->error_message, "unknown or missing request type"));
		if (!ok)
			snprintf(why, len, "the server does not implement MetricCompare/MetricSubmit yet (BAD_REQUEST: %s)",
				 r->error_message);
		wire_free(out[0]);
	}
	close(fd);
	frame_reader_free(&rd);
	return ok;
}

static void add_scenario(struct scenario *list, int *n, const struct options *o, const char *mix)
{
	struct scenario *s = &list[(*n)++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", mix);
	s->spec = o->spec;
	if (parse_mix(mix, s->spec.weights) != 0)
		exit(EXIT_USAGE);
}

struct targets {
	int n, missed;
	json_t *json;
};

static void target(struct targets *tg, const char *name, double value, double limit, bool at_least,
		   const char *unit)
{
	bool ok = at_least ? value >= limit : value < limit;
	tg->n++;
	tg->missed += !ok;
	printf("  %-44s %10.2f %s (target %s %g) %s\n", name, value, unit, at_least ? ">=" : "<", limit,
	       ok ? "MET" : "MISSED");
	json_t *j = json_object();
	json_object_set_new(j, "value", json_real(value));
	json_object_set_new(j, "limit", json_real(limit));
	json_object_set_new(j, "at_least", json_boolean(at_least));
	json_object_set_new(j, "met", json_boolean(ok));
	json_object_set_new(tg->json, name, j);
}

static const struct scenario *find_scn(const struct scenario *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0 && !list[i].skipped && list[i].res.done > 0)
			return &list[i];
	return NULL;
}

static void print_targets(const struct scenario *list, int n, double probe, double idle_kib, struct targets *tg)
{
	printf("ratios and targets:\n");
	const struct scenario *ping = find_scn(list, n, "ping"), *show = find_scn(list, n, "action-show"),
			      *upd = find_scn(list, n, "action-update"),
			      *mixed = find_scn(list, n, "read=90,write=10");
	if (ping)
		target(tg, "ping requests/s", rps(&ping->res), 100000, true, "req/s");
	if (ping && show)
		target(tg, "action-show / ping throughput", rps(&show->res) / rps(&ping->res), 0.60, true, "x");
	if (upd && probe > 0)
		target(tg, "durable action-update / sqlite 1-row commits", rps(&upd->res) / probe, 5, true, "x");
	if (upd)
		target(tg, "action-update p99", upd->res.p99, 5, false, "ms");
	if (mixed)
		target(tg, "read=90,write=10 p99.9", mixed->res.p999, 10, false, "ms");
	if (idle_kib >= 0)
		target(tg, "server RSS per idle connection", idle_kib, 10, false, "KiB");
}

/* Idle connections: RSS before and after opening them. */
static double run_idle(const struct options *o, struct scenario *s)
{
	long limit = raise_nofile();
	if (limit > 0 && (long)o->idle + 64 > limit)
		fprintf(stderr, "planboard-bench: descriptor limit %ld is too low for %u connections\n", limit, o->idle);
	long before = o->server_pid ? rss_kib(o->server_pid) : -1;
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "idle");
	s->spec = o->spec;
	s->spec.connections = o->idle;
	s->spec.hold = true;
	int *fds = NULL;
	struct dataset ds = { 0 };
	run_load(&o->t, &ds, &s->spec, &s->res, &fds);
	usleep(300000); /* let the server settle */
	long after = o->server_pid ? rss_kib(o->server_pid) : -1;
	unsigned open = s->res.connected;
	for (int *p = fds; p && *p >= 0; p++)
		close(*p);
	free(fds);
	printf("idle connections: %u open and logged in (%u failed)", open, s->res.failed_connects);
	if (before < 0 || after < 0 || open == 0) {
		printf("; give --server-pid for the server's RSS\n");
		return -1;
	}
	double per = (double)(after - before) / open;
	printf("; server RSS %ld KiB -> %ld KiB: %.2f KiB per connection\n", before, after, per);
	return per;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	if (parse_options(argc, argv, &o) != 0)
		return EXIT_USAGE;
	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_nofile();
	struct dataset ds = { .actions = o.use_actions, .localities = o.seed_localities, .months = o.seed_months,
			      .metrics = o.seed_metrics, .report_plan = o.report_plan,
			      .report_as_of = o.report_as_of };
	/* Log in once with the password; every load connection uses the token
	 * (no password hashing per connection). */
	int fd;
	struct frame_reader rd;
	char err[300];
	if (setup_session(&o.t, &fd, &rd, err, sizeof err) != 0) {
		fprintf(stderr, "planboard-bench: %s\n", err);
		return EXIT_SETUP;
	}
	close(fd);
	frame_reader_free(&rd);
	struct seed_spec sp = { o.seed_actions, o.seed_updates, o.seed_localities, o.seed_months, o.seed_metrics };
	if ((o.seed_actions > 0 || o.seed_metrics_given) && seed(&o.t, &ds, &sp, o.json) != 0)
		return EXIT_SETUP;
	if (ds.actions == 0)
		ds.actions = 1;

	FILE *real_stdout = stdout;
	if (o.json)
		stdout = stderr; /* the human report goes to stderr; stdout gets the JSON */
	struct scenario list[16];
	int n = 0;
	if (o.suite) {
		char why[300];
		bool metrics = has_metrics(&o.t, &ds, why, sizeof why);
		/* Reads before writes: the updates of a write scenario lengthen
		 * every action's history (tens of versions each after a few
		 * seconds at 50 connections), which every later action show
		 * returns; reads measured after them would measure the order. */
		const char *const suite[] = { "ping", "action-show", "action-list", "read=90,write=10", "action-update" };
		for (size_t i = 0; i < ARRAY_LEN(suite); i++)
			add_scenario(list, &n, &o, suite[i]);
		add_scenario(list, &n, &o, "metric-compare");
		add_scenario(list, &n, &o, "metric-submit");
		if (!metrics)
			for (int i = n - 2; i < n; i++) {
				list[i].skipped = true;
				snprintf(list[i].skip_reason, sizeof list[i].skip_reason, "%s", why);
			}
	} else if (o.mix != NULL || (o.idle == 0 && o.probe_secs == 0)) {
		add_scenario(list, &n, &o, o.mix ? o.mix : "ping");
	}
	double probe = -1;
	if (o.probe_secs > 0) {
		const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		probe = probe_sqlite(dir, o.probe_secs, err, sizeof err);
		if (probe < 0)
			fprintf(stderr, "planboard-bench: sqlite probe failed: %s\n", err);
		else
			printf("%-22s %9.0f commits/s (one row per commit, WAL, synchronous=FULL, in-process)\n",
			       "probe-sqlite", probe);
	}
	uint64_t errors = 0;
	for (int i = 0; i < n; i++) {
		if (!list[i].skipped) {
			run_load(&o.t, &ds, &list[i].spec, &list[i].res, NULL);
			errors += list[i].res.errors + list[i].res.failed_connects;
		}
		print_scenario(&list[i]);
	}
	struct scenario idle;
	double idle_kib = -1;
	if (o.idle > 0) {
		idle_kib = run_idle(&o, &idle);
		errors += idle.res.failed_connects;
	}
	struct targets tg = { .json = json_object() };
	print_targets(list, n, probe, idle_kib, &tg);
	if (errors)
		printf("RESULT: %llu ERRORS: some answers were not OK (see above)\n", (unsigned long long)errors);
	else
		printf("RESULT: every answer checked and OK\n");
	if (o.json) {
		stdout = real_stdout;
		json_t *j = json_object();
		json_t *arr = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, scenario_json(&list[i]));
		json_object_set_new(j, "scenarios", arr);
		json_object_set_new(j, "probe_sqlite_commits_per_s", probe >= 0 ? json_real(probe) : json_null());
		json_object_set_new(j, "idle_connections", json_integer(o.idle ? idle.res.connected : 0));
		json_object_set_new(j, "idle_kib_per_connection", idle_kib >= 0 ? json_real(idle_kib) : json_null());
		json_object_set_new(j, "targets", tg.json);
		json_object_set_new(j, "errors", json_integer((json_int_t)errors));
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		json_decref(tg.json);
	}
	for (int i = 0; i < n; i++)
		result_free(&list[i].res);
	free(o.t.token);
	if (errors)
		return EXIT_ERRORS;
	if (o.check_targets && tg.missed)
		return EXIT_TARGETS;
	return 0;
}

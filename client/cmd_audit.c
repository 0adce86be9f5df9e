/* cmd_audit.c: audit submit, list. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* A count 0..1,000,000, or -1 with a usage message. */
static int parse_count(const char *what, const char *arg, uint32_t *out)
{
	int64_t v;
	if (parse_int64(arg, &v) < 0 || v < 0 || v > 1000000) {
		cli_usage_error(NULL, "%s '%s' is not a count (0 to 1000000)", what, arg);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "o,g,ri,i": outstanding, good, requires improvement, inadequate. */
static int parse_grades(const char *arg, Pb__AuditRound *a)
{
	uint32_t *slot[] = { &a->outstanding, &a->good, &a->requires_improvement, &a->inadequate };
	char *copy = arena_strdup(&cli.arena, arg), *save = NULL;
	size_t i = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++)
		if (i >= 4 || parse_count("--grades", tok, slot[i]) < 0)
			break;
	if (i != 4) {
		cli_usage_error(NULL, "--grades must be four counts: outstanding,good,requires_improvement,inadequate");
		return -1;
	}
	a->has_outstanding = a->has_good = a->has_requires_improvement = a->has_inadequate = 1;
	return 0;
}

static const char submit_usage[] =
	"Usage: planboard audit submit --locality L --period YYYY-MM --required N --completed N\n"
	"                              --on-time N [--grades O,G,RI,I] [--moderated]\n"
	"\n"
	"Record a locality's case-audit round for a month (admin, performance; locality\n"
	"users for their own locality). --grades: how many completed audits were graded\n"
	"outstanding, good, requires improvement and inadequate. Submitting the same\n"
	"locality and month again replaces the round; every version is kept.\n";

static int audit_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "locality", required_argument, 0, 'l' }, { "period", required_argument, 0, 'P' },
		{ "required", required_argument, 0, 'r' }, { "completed", required_argument, 0, 'c' },
		{ "on-time", required_argument, 0, 'o' }, { "grades", required_argument, 0, 'g' },
		{ "moderated", no_argument, 0, 'm' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__AuditRound a = PB__AUDIT_ROUND__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "l:P:r:c:o:g:m", opts, submit_usage)) != -1) {
		switch (c) {
		case 'l': a.locality = optarg; break;
		case 'P': a.period = optarg; break;
		case 'r':
			if (parse_count("--required", optarg, &a.required) < 0)
				return EXIT_USAGE;
			a.has_required = 1;
			break;
		case 'c':
			if (parse_count("--completed", optarg, &a.completed) < 0)
				return EXIT_USAGE;
			a.has_completed = 1;
			break;
		case 'o':
			if (parse_count("--on-time", optarg, &a.on_time) < 0)
				return EXIT_USAGE;
			a.has_on_time = 1;
			break;
		case 'g':
			if (parse_grades(optarg, &a) < 0)
				return EXIT_USAGE;
			break;
		case 'm': a.has_moderated = a.moderated = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(submit_usage, "unexpected argument '%s'", argv[optind]);
	if (!a.locality || !a.period || !a.has_required || !a.has_completed || !a.has_on_time)
		return cli_usage_error(submit_usage, "--locality, --period, --required, --completed and --on-time are required");
	Pb__AuditSubmit s = PB__AUDIT_SUBMIT__INIT;
	s.round = &a;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_AUDIT_SUBMIT;
	req.audit_submit = &s;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__AuditRound *r = f->response->audit->round;
		if (cli.json)
			out_json(out_message(r));
		else
			printf("Recorded audits %s %s: %u of %u completed (%.1f%%), %u on time\n", r->locality, r->period,
			       r->completed, r->required, r->compliance_pct, r->on_time);
	}
	wire_free(f);
	return rc;
}

static const char list_usage[] =
	"Usage: planboard audit list [--locality L] [--from YYYY-MM] [--to YYYY-MM]\n"
	"                            [--as-recorded YYYY-MM-DD]\n"
	"\n"
	"Audit rounds with compliance (completed / required), on time (on time /\n"
	"completed) and good or better (outstanding + good / graded), in percent.\n";

static const char *pct(protobuf_c_boolean has, double v)
{
	return has ? out_fmt("%.1f", v) : NULL;
}

static int audit_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "locality", required_argument, 0, 'l' }, { "from", required_argument, 0, 'f' },
		{ "to", required_argument, 0, 't' }, { "as-recorded", required_argument, 0, 'R' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__AuditList m = PB__AUDIT_LIST__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "l:f:t:R:", opts, list_usage)) != -1) {
		switch (c) {
		case 'l': m.locality = optarg; break;
		case 'f': m.from = optarg; break;
		case 't': m.to = optarg; break;
		case 'R': m.as_recorded = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(list_usage, "unexpected argument '%s'", argv[optind]);
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_AUDIT_LIST;
	req.audit_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__AuditListReply *r = f->response->audit_list;
		if (cli.json) {
			out_json(out_messages((void *const *)r->rounds, r->n_rounds));
		} else {
			static const char *const h[] = { "LOCALITY", "PERIOD", "REQUIRED", "DONE", "ON TIME", "COMPLIANCE%",
							 "ON TIME%", "O/G/RI/I", "GOOD+%", "MODERATED" };
			struct table *t = table_new(h, 10);
			for (size_t i = 0; i < r->n_rounds; i++) {
				Pb__AuditRound *a = r->rounds[i];
				table_row(t, a->locality, a->period, out_fmt("%u", a->required), out_fmt("%u", a->completed),
					  out_fmt("%u", a->on_time), pct(a->has_compliance_pct, a->compliance_pct),
					  pct(a->has_on_time_pct, a->on_time_pct),
					  out_fmt("%u/%u/%u/%u", a->outstanding, a->good, a->requires_improvement, a->inadequate),
					  pct(a->has_good_or_better_pct, a->good_or_better_pct), a->moderated ? "yes" : "no");
			}
			table_print(t);
		}
	}
	wire_free(f);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "submit", audit_submit, "record a locality's audit round for a month" },
		{ "list", audit_list, "list audit rounds with compliance and grades" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("audit", sub, argc, argv, "Case-audit rounds per locality and month.\n");
}

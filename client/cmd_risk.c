/* cmd_risk.c: the risk and issue register: risk list, show, add, update. */
#include "cli.h"
#include "util.h"
#include "validate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define KIND_D (&pb__risk_kind__descriptor)
#define RSTATUS_D (&pb__risk_status__descriptor)
#define BAND_D (&pb__band__descriptor)

static const char *joined(char **v, size_t n)
{
	if (n == 0)
		return NULL;
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", v[i]);
	buf_append(&b, "", 1);
	char *s = arena_strdup(&cli.arena, (char *)b.data);
	buf_free(&b);
	return s;
}

static void print_risk_table(Pb__Risk **v, size_t n)
{
	static const char *const h[] = { "PLAN", "REF", "KIND", "TITLE", "OWNER", "L", "I", "SCORE", "BAND", "STATUS", "ESC", "ACTIONS", "VER" };
	struct table *t = table_new(h, 13);
	for (size_t i = 0; i < n; i++) {
		Pb__Risk *r = v[i];
		table_row(t, r->plan, r->ref, out_enum(KIND_D, r->kind), r->title, r->owner,
			  out_fmt("%u", r->likelihood), out_fmt("%u", r->impact), out_fmt("%u", r->score),
			  out_enum(BAND_D, r->band), out_enum(RSTATUS_D, r->status), r->escalated ? "yes" : "no",
			  joined(r->actions, r->n_actions), out_fmt("%lld", (long long)r->version));
	}
	table_print(t);
}

static void print_risk(const Pb__Risk *r)
{
	printf("Risk         %s (plan %s, %s)\n", r->ref, r->plan, out_enum(KIND_D, r->kind));
	printf("Title        %s\n", r->title);
	if (r->description)
		printf("Description  %s\n", r->description);
	printf("Owner        %s\n", r->owner ? r->owner : "-");
	printf("Score        %u (likelihood %u x impact %u), %s\n", r->score, r->likelihood, r->impact,
	       out_enum(BAND_D, r->band));
	printf("Mitigation   %s\n", r->mitigation ? r->mitigation : "-");
	printf("Status       %s%s\n", out_enum(RSTATUS_D, r->status), r->escalated ? ", escalated to the committee" : "");
	printf("Actions      %s\n", r->n_actions ? joined(r->actions, r->n_actions) : "-");
	printf("Version      %lld, recorded %s by %s\n", (long long)r->version, r->updated_at,
	       r->updated_by ? r->updated_by : "-");
}

static void print_changes(Pb__RiskChange **c, size_t n)
{
	static const char *const h[] = { "VER", "TIME", "USER", "CHANGES" };
	struct table *t = table_new(h, 4);
	for (size_t i = 0; i < n; i++) {
		struct buf b = { 0 };
		for (size_t j = 0; j < c[i]->n_changes; j++) {
			Pb__FieldChange *f = c[i]->changes[j];
			if (f->old_value || strcmp(f->field, "note") != 0)
				buf_printf(&b, "%s%s: %s -> %s", j ? "; " : "", f->field, f->old_value ? f->old_value : "-",
					   f->new_value ? f->new_value : "-");
			else
				buf_printf(&b, "%snote: %s", j ? "; " : "", f->new_value);
		}
		if (c[i]->forced)
			buf_printf(&b, " (forced)");
		buf_append(&b, "", 1);
		table_row(t, out_fmt("%lld", (long long)c[i]->version), c[i]->time, c[i]->user,
			  arena_strdup(&cli.arena, (char *)b.data));
		buf_free(&b);
	}
	table_print(t);
}

/* ---------------------------------------------------------------- list */

static const char list_usage[] =
	"Usage: planboard risk list [--plan P] [--status open|mitigating|closed] [--band low|medium|high]\n"
	"                           [--escalated] [--as-recorded YYYY-MM-DD]\n"
	"\nList risks and issues, highest score first. Score = likelihood x impact;\n"
	"bands: low up to 4, medium 5-12, high 15 and above. --as-recorded: as\n"
	"planboard knew them at the end of that date.\n";

static int risk_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "status", required_argument, 0, 's' },
		{ "band", required_argument, 0, 'b' }, { "escalated", no_argument, 0, 'e' },
		{ "as-recorded", required_argument, 0, 'R' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__RiskList m = PB__RISK_LIST__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "P:s:b:eR:", opts, list_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 's':
			if ((v = parse_enum(RSTATUS_D, "status", optarg)) < 0)
				return EXIT_USAGE;
			m.has_status = 1;
			m.status = v;
			break;
		case 'b':
			if ((v = parse_enum(BAND_D, "band", optarg)) < 0)
				return EXIT_USAGE;
			m.has_band = 1;
			m.band = v;
			break;
		case 'e': m.has_escalated_only = m.escalated_only = 1; break;
		case 'R': m.as_recorded = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(list_usage, "unexpected argument '%s'", argv[optind]);
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_RISK_LIST;
	req.risk_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__RiskListReply *r = f->response->risk_list;
		if (cli.json)
			out_json(out_messages((void *const *)r->risks, r->n_risks));
		else
			print_risk_table(r->risks, r->n_risks);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- show */

static const char show_usage[] =
	"Usage: planboard risk show REF --plan P [--as-recorded YYYY-MM-DD]\n"
	"\nShow a risk and every change to it.\n";

static int risk_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "as-recorded", required_argument, 0, 'R' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__RiskShow m = PB__RISK_SHOW__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:R:", opts, show_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 'R': m.as_recorded = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(show_usage, "give one risk reference");
	if (m.plan == NULL)
		return cli_usage_error(show_usage, "--plan is required");
	m.ref = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_RISK_SHOW;
	req.risk_show = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__RiskReply *r = f->response->risk;
		if (cli.json) {
			json_t *o = out_message(r->risk);
			json_object_set_new(o, "history", out_messages((void *const *)r->history, r->n_history));
			out_json(o);
		} else {
			print_risk(r->risk);
			printf("\nHistory:\n");
			print_changes(r->history, r->n_history);
		}
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- add, update */

/* Options shared by add and update; returns 0, or EXIT_USAGE. */
static int risk_option(int c, Pb__Risk *r, const char *usage)
{
	int v;
	int64_t n;
	switch (c) {
	case 'P': r->plan = optarg; return 0;
	case 'T': r->title = optarg; return 0;
	case 'D': r->description = optarg; return 0;
	case 'o': r->owner = optarg; return 0;
	case 'm': r->mitigation = optarg; return 0;
	case 'L':
	case 'I':
		if (parse_int64(optarg, &n) != 0 || n < 1 || n > 5)
			return cli_usage_error(usage, "--%s '%s' must be 1 to 5", c == 'L' ? "likelihood" : "impact", optarg);
		if (c == 'L')
			r->has_likelihood = 1, r->likelihood = (uint32_t)n;
		else
			r->has_impact = 1, r->impact = (uint32_t)n;
		return 0;
	case 'k':
		if ((v = parse_enum(KIND_D, "kind", optarg)) < 0)
			return EXIT_USAGE;
		r->has_kind = 1;
		r->kind = v;
		return 0;
	case 's':
		if ((v = parse_enum(RSTATUS_D, "status", optarg)) < 0)
			return EXIT_USAGE;
		r->has_status = 1;
		r->status = v;
		return 0;
	case 'e': r->has_escalated = 1; r->escalated = 1; return 0;
	case 'E': r->has_escalated = 1; r->escalated = 0; return 0;
	default: return EXIT_USAGE;
	}
}

#define RISK_OPTS                                                                                      \
	{ "plan", required_argument, 0, 'P' }, { "title", required_argument, 0, 'T' },                   \
	{ "description", required_argument, 0, 'D' }, { "owner", required_argument, 0, 'o' },            \
	{ "mitigation", required_argument, 0, 'm' }, { "likelihood", required_argument, 0, 'L' },        \
	{ "impact", required_argument, 0, 'I' }, { "kind", required_argument, 0, 'k' },                  \
	{ "status", required_argument, 0, 's' }, { "escalate", no_argument, 0, 'e' },                    \
	{ "no-escalate", no_argument, 0, 'E' }, { "help", no_argument, 0, 'h' }
#define RISK_SHORT "P:T:D:o:m:L:I:k:s:eE"

static const char add_usage[] =
	"Usage: planboard risk add --plan P REF TITLE --likelihood 1-5 --impact 1-5\n"
	"                          [--kind risk|issue] [--owner O] [--description TEXT]\n"
	"                          [--mitigation TEXT] [--status open|mitigating|closed]\n"
	"                          [--escalate] [--action REF]...\n"
	"\nAdd a risk or issue to a plan's register (admin, performance). --action links\n"
	"an action of the plan that mitigates it; repeat for several.\n";

static int risk_add(int argc, char **argv)
{
	static const struct option opts[] = { RISK_OPTS, { "action", required_argument, 0, 'a' }, { 0, 0, 0, 0 } };
	Pb__Risk r = PB__RISK__INIT;
	char **links = arena_array(&cli.arena, char *, (size_t)argc + 1);
	int c;
	while ((c = cli_getopt(argc, argv, RISK_SHORT "a:", opts, add_usage)) != -1) {
		if (c == 'a')
			links[r.n_actions++] = optarg;
		else if (c == 'T' || risk_option(c, &r, add_usage) != 0)
			return c == 'T' ? cli_usage_error(add_usage, "give the title as the second argument") : EXIT_USAGE;
	}
	if (r.plan == NULL)
		return cli_usage_error(add_usage, "--plan is required");
	if (argc - optind != 2)
		return cli_usage_error(add_usage, "give REF and TITLE");
	if (!r.has_likelihood || !r.has_impact)
		return cli_usage_error(add_usage, "--likelihood and --impact are required");
	r.ref = argv[optind];
	r.title = argv[optind + 1];
	r.actions = links;
	Pb__RiskAdd m = PB__RISK_ADD__INIT;
	m.risk = &r;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_RISK_ADD;
	req.risk_add = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__Risk *x = f->response->risk->risk;
		if (cli.json)
			out_json(out_message(x));
		else
			printf("Added %s %s to %s: score %u (%s)\n", out_enum(KIND_D, x->kind), x->ref, x->plan, x->score,
			       out_enum(BAND_D, x->band));
	}
	wire_free(f);
	return rc;
}

static const char update_usage[] =
	"Usage: planboard risk update REF --plan P [--likelihood N] [--impact N] [--title TEXT]\n"
	"                             [--description TEXT] [--owner O] [--mitigation TEXT]\n"
	"                             [--kind risk|issue] [--status open|mitigating|closed]\n"
	"                             [--escalate | --no-escalate] [--link REF]... [--unlink REF]...\n"
	"                             [--note TEXT] [--if-version N] [--force]\n"
	"\nChange a risk (admin, performance). The change is based on a version: --if-version N,\n"
	"or else the version this command reads just before it sends the change. If the\n"
	"risk has changed since, the update is refused with CONFLICT (exit 5) and the\n"
	"current state is printed; --force applies it anyway, recorded as forced.\n";

static void print_conflict(const Pb__Response *resp)
{
	const Pb__ConflictDetail *d = resp->conflict;
	if (!out_conflict(d))
		return;
	if (d->risk)
		fprintf(stderr, "Now: score %u (%ux%u), status %s%s; recorded %s by %s.\n", d->risk->score,
			d->risk->likelihood, d->risk->impact, out_enum(RSTATUS_D, d->risk->status),
			d->risk->escalated ? ", escalated" : "", d->risk->updated_at,
			d->risk->updated_by ? d->risk->updated_by : "-");
}

static int current_version(const char *plan, const char *ref, int64_t *version)
{
	Pb__RiskShow m = PB__RISK_SHOW__INIT;
	m.plan = (char *)plan;
	m.ref = (char *)ref;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_RISK_SHOW;
	req.risk_show = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK)
		*version = f->response->risk->risk->version;
	wire_free(f);
	return rc;
}

static int risk_update(int argc, char **argv)
{
	static const struct option opts[] = {
		RISK_OPTS, { "link", required_argument, 0, 'a' }, { "unlink", required_argument, 0, 'u' },
		{ "note", required_argument, 0, 'n' }, { "if-version", required_argument, 0, 'V' },
		{ "force", no_argument, 0, 'F' }, { 0, 0, 0, 0 },
	};
	Pb__Risk r = PB__RISK__INIT;
	Pb__RiskUpdate m = PB__RISK_UPDATE__INIT;
	m.link_actions = arena_array(&cli.arena, char *, (size_t)argc + 1);
	m.unlink_actions = arena_array(&cli.arena, char *, (size_t)argc + 1);
	int c;
	while ((c = cli_getopt(argc, argv, RISK_SHORT "a:u:n:V:F", opts, update_usage)) != -1) {
		switch (c) {
		case 'a': m.link_actions[m.n_link_actions++] = optarg; break;
		case 'u': m.unlink_actions[m.n_unlink_actions++] = optarg; break;
		case 'n': m.note = optarg; break;
		case 'V':
			if (parse_int64(optarg, &m.if_version) != 0 || m.if_version < 1)
				return cli_usage_error(update_usage, "--if-version '%s' is not a version number", optarg);
			m.has_if_version = 1;
			break;
		case 'F': m.has_force = m.force = 1; break;
		default:
			if (risk_option(c, &r, update_usage) != 0)
				return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(update_usage, "give one risk reference");
	if (r.plan == NULL)
		return cli_usage_error(update_usage, "--plan is required");
	r.ref = argv[optind];
	if (!r.title && !r.description && !r.owner && !r.mitigation && !r.has_kind && !r.has_likelihood &&
	    !r.has_impact && !r.has_status && !r.has_escalated && !m.note && !m.n_link_actions && !m.n_unlink_actions)
		return cli_usage_error(update_usage, "nothing to update: give a change or --note");
	if (!m.has_if_version && !m.force) {
		/* Never a silent overwrite: base the change on what we read. */
		int rc = current_version(r.plan, r.ref, &m.if_version);
		if (rc != EXIT_OK)
			return rc;
		m.has_if_version = 1;
	}
	m.risk = &r;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_RISK_UPDATE;
	req.risk_update = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_CONFLICT) {
		print_conflict(f->response);
	} else if (rc == EXIT_OK) {
		Pb__Risk *x = f->response->risk->risk;
		if (cli.json)
			out_json(out_message(x));
		else
			printf("Updated %s to version %lld: score %u (%s), status %s%s\n", x->ref, (long long)x->version,
			       x->score, out_enum(BAND_D, x->band), out_enum(RSTATUS_D, x->status),
			       x->escalated ? ", escalated" : "");
	}
	wire_free(f);
	return rc;
}

int cmd_risk(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "list", risk_list, "list risks and issues, highest score first" },
		{ "show", risk_show, "show one risk and its history" },
		{ "add", risk_add, "add a risk or issue (admin, performance)" },
		{ "update", risk_update, "change a risk: score, mitigation, status, escalation, links" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("risk", sub, argc, argv,
			      "The plan's risk and issue register. Score = likelihood x impact (1-25).\n");
}

/* cmd_plan.c: locality, plan and theme commands. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct option help_only[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };

/* Parse options that are only --help; check the positional count. */
static int plain_args(int argc, char **argv, const char *usage, int want)
{
	if (cli_getopt(argc, argv, "", help_only, usage) != -1)
		return -1;
	if (argc - optind != want) {
		cli_usage_error(usage, argc - optind < want ? "missing argument" : "unexpected argument '%s'",
				argv[argc - 1]);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- locality */

static const char locality_list_usage[] = "Usage: planboard locality list\n\nList the localities.\n";

static int locality_list(int argc, char **argv)
{
	if (plain_args(argc, argv, locality_list_usage, 0) != 0)
		return EXIT_USAGE;
	Pb__LocalityList m = PB__LOCALITY_LIST__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOCALITY_LIST;
	req.locality_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__LocalityListReply *r = f->response->locality_list;
		if (cli.json) {
			out_json(out_messages((void *const *)r->localities, r->n_localities));
		} else {
			static const char *const h[] = { "CODE", "NAME" };
			struct table *t = table_new(h, 2);
			for (size_t i = 0; i < r->n_localities; i++)
				table_row(t, r->localities[i]->code, r->localities[i]->name);
			table_print(t);
		}
	}
	wire_free(f);
	return rc;
}

static const char locality_add_usage[] =
	"Usage: planboard locality add CODE NAME\n\nAdd a locality (admin). CODE is a-z, 0-9, '_' or '-'.\n";

static int locality_add(int argc, char **argv)
{
	if (plain_args(argc, argv, locality_add_usage, 2) != 0)
		return EXIT_USAGE;
	Pb__Locality l = PB__LOCALITY__INIT;
	l.code = argv[optind];
	l.name = argv[optind + 1];
	Pb__LocalityAdd m = PB__LOCALITY_ADD__INIT;
	m.locality = &l;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOCALITY_ADD;
	req.locality_add = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->locality->locality));
		else
			printf("Added locality %s (%s)\n", l.code, l.name);
	}
	wire_free(f);
	return rc;
}

int cmd_locality(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "list", locality_list, "list the localities" },
		{ "add", locality_add, "add a locality (admin)" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("locality", sub, argc, argv, "Localities: the county's areas (north, south, ...).\n");
}

/* ---------------------------------------------------------------- plan */

static const char plan_list_usage[] = "Usage: planboard plan list\n\nList the improvement plans.\n";

static void print_plans(Pb__Plan **plans, size_t n)
{
	static const char *const h[] = { "CODE", "TITLE", "LOCALITY", "START", "END", "THEMES", "ACTIONS" };
	struct table *t = table_new(h, 7);
	for (size_t i = 0; i < n; i++) {
		Pb__Plan *p = plans[i];
		table_row(t, p->code, p->title, p->locality, p->start_date, p->end_date, out_fmt("%u", p->themes),
			  out_fmt("%u", p->actions));
	}
	table_print(t);
}

static int plan_list(int argc, char **argv)
{
	if (plain_args(argc, argv, plan_list_usage, 0) != 0)
		return EXIT_USAGE;
	Pb__PlanList m = PB__PLAN_LIST__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_PLAN_LIST;
	req.plan_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__PlanListReply *r = f->response->plan_list;
		if (cli.json)
			out_json(out_messages((void *const *)r->plans, r->n_plans));
		else
			print_plans(r->plans, r->n_plans);
	}
	wire_free(f);
	return rc;
}

static void print_themes(Pb__Theme **themes, size_t n)
{
	static const char *const h[] = { "POS", "CODE", "TITLE", "ACTIONS" };
	struct table *t = table_new(h, 4);
	for (size_t i = 0; i < n; i++)
		table_row(t, out_fmt("%u", themes[i]->position), themes[i]->code, themes[i]->title,
			  out_fmt("%u", themes[i]->actions));
	table_print(t);
}

static const char plan_show_usage[] = "Usage: planboard plan show PLAN\n\nShow a plan and its themes.\n";

static int plan_show(int argc, char **argv)
{
	if (plain_args(argc, argv, plan_show_usage, 1) != 0)
		return EXIT_USAGE;
	Pb__PlanShow m = PB__PLAN_SHOW__INIT;
	m.code = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_PLAN_SHOW;
	req.plan_show = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__PlanReply *r = f->response->plan;
		if (cli.json) {
			out_json(out_message(r));
		} else {
			Pb__Plan *p = r->plan;
			printf("Plan      %s\nTitle     %s\nLocality  %s\nPeriod    %s to %s\nActions   %u\n\nThemes:\n",
			       p->code, p->title, p->locality ? p->locality : "-", p->start_date ? p->start_date : "-",
			       p->end_date ? p->end_date : "-", p->actions);
			print_themes(r->themes, r->n_themes);
		}
	}
	wire_free(f);
	return rc;
}

static const char plan_add_usage[] =
	"Usage: planboard plan add CODE TITLE [--locality L] [--start YYYY-MM-DD --end YYYY-MM-DD]\n"
	"\nAdd an improvement plan (admin).\n";

static int plan_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "locality", required_argument, 0, 'l' }, { "start", required_argument, 0, 's' },
		{ "end", required_argument, 0, 'e' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Plan p = PB__PLAN__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "l:s:e:", opts, plan_add_usage)) != -1) {
		switch (c) {
		case 'l': p.locality = optarg; break;
		case 's': p.start_date = optarg; break;
		case 'e': p.end_date = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(plan_add_usage, "give CODE and TITLE");
	p.code = argv[optind];
	p.title = argv[optind + 1];
	Pb__PlanAdd m = PB__PLAN_ADD__INIT;
	m.plan = &p;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_PLAN_ADD;
	req.plan_add = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->plan->plan));
		else
			printf("Added plan %s: %s\n", p.code, p.title);
	}
	wire_free(f);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "list", plan_list, "list the plans" },
		{ "show", plan_show, "show a plan and its themes" },
		{ "add", plan_add, "add a plan (admin)" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("plan", sub, argc, argv, "Improvement plans.\n");
}

/* ---------------------------------------------------------------- theme */

static const char theme_list_usage[] = "Usage: planboard theme list --plan PLAN\n\nList a plan's themes (its core issues).\n";

static int theme_list(int argc, char **argv)
{
	static const struct option opts[] = { { "plan", required_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	Pb__ThemeList m = PB__THEME_LIST__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:", opts, theme_list_usage)) != -1) {
		if (c == 'P')
			m.plan = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage_error(theme_list_usage, "unexpected argument '%s'", argv[optind]);
	if (m.plan == NULL)
		return cli_usage_error(theme_list_usage, "--plan is required");
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_THEME_LIST;
	req.theme_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__ThemeListReply *r = f->response->theme_list;
		if (cli.json)
			out_json(out_messages((void *const *)r->themes, r->n_themes));
		else
			print_themes(r->themes, r->n_themes);
	}
	wire_free(f);
	return rc;
}

static const char theme_add_usage[] =
	"Usage: planboard theme add --plan PLAN CODE TITLE [--position N]\n\nAdd a theme to a plan (admin).\n";

static int theme_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "position", required_argument, 0, 'n' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Theme t = PB__THEME__INIT;
	int c;
	int64_t pos;
	while ((c = cli_getopt(argc, argv, "P:n:", opts, theme_add_usage)) != -1) {
		switch (c) {
		case 'P': t.plan = optarg; break;
		case 'n':
			if (parse_int64(optarg, &pos) != 0 || pos < 0 || pos > 1000000)
				return cli_usage_error(theme_add_usage, "--position '%s' is not a number", optarg);
			t.has_position = 1;
			t.position = (uint32_t)pos;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (t.plan == NULL)
		return cli_usage_error(theme_add_usage, "--plan is required");
	if (argc - optind != 2)
		return cli_usage_error(theme_add_usage, "give CODE and TITLE");
	t.code = argv[optind];
	t.title = argv[optind + 1];
	Pb__ThemeAdd m = PB__THEME_ADD__INIT;
	m.theme = &t;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_THEME_ADD;
	req.theme_add = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->theme->theme));
		else
			printf("Added theme %s to %s: %s\n", t.code, t.plan, t.title);
	}
	wire_free(f);
	return rc;
}

int cmd_theme(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "list", theme_list, "list a plan's themes" },
		{ "add", theme_add, "add a theme (admin)" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("theme", sub, argc, argv, "Themes: the core issues a plan is organised by.\n");
}

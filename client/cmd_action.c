/* cmd_action.c: action list, show, add, update, history. */
#include "cli.h"
#include "util.h"
#include "validate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_D (&pb__action_status__descriptor)
#define RAG_D (&pb__rag__descriptor)
#define SOURCE_D (&pb__source__descriptor)

/* Shorten long text for a table cell (UTF-8 safe). */
static const char *cell(const char *s, size_t max)
{
	if (s == NULL || utf8_chars(s) <= max)
		return s;
	size_t chars = 0, i = 0;
	while (s[i] && chars < max - 1) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	return out_fmt("%.*s…", (int)i, s);
}

static void print_action_table(Pb__Action **v, size_t n)
{
	static const char *const h[] = { "PLAN", "REF", "THEME", "TITLE", "OWNER", "LOCALITY", "DUE", "STATUS", "RAG", "VER" };
	struct table *t = table_new(h, 10);
	for (size_t i = 0; i < n; i++) {
		Pb__Action *a = v[i];
		/* '!' marks an overdue date for people; CSV keeps the date a date */
		const char *due = a->due_date && a->overdue && !cli.csv ? out_fmt("%s!", a->due_date) : a->due_date;
		table_row(t, a->plan, a->ref, a->theme, cli.csv ? a->title : cell(a->title, 48), a->owner,
			  a->locality ? a->locality : a->assigned_to ? out_fmt("(%s)", a->assigned_to) : NULL, due,
			  out_enum(STATUS_D, a->status), out_enum(RAG_D, a->rag), out_fmt("%lld", (long long)a->version));
	}
	table_print(t);
}

static const char *changes_text(Pb__FieldChange **c, size_t n)
{
	if (n == 0)
		return NULL;
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s: %s -> %s", i ? "; " : "", c[i]->field, c[i]->old_value ? c[i]->old_value : "-",
			   c[i]->new_value ? c[i]->new_value : "-");
	buf_append(&b, "", 1);
	char *s = arena_strdup(&cli.arena, (char *)b.data);
	buf_free(&b);
	return s;
}

static void print_history(Pb__ProgressUpdate **u, size_t n)
{
	static const char *const h[] = { "VER", "TIME", "USER", "CHANGES", "NOTE" };
	struct table *t = table_new(h, 5);
	for (size_t i = 0; i < n; i++) {
		const char *changes = changes_text(u[i]->changes, u[i]->n_changes);
		if (u[i]->forced)
			changes = out_fmt("%s (forced)", changes ? changes : "");
		const char *note = u[i]->note;
		if (u[i]->evidence)
			note = out_fmt("%s [evidence: %s]", note ? note : "", u[i]->evidence);
		table_row(t, out_fmt("%lld", (long long)u[i]->version), u[i]->time, u[i]->user, changes, note);
	}
	table_print(t);
}

static void print_action(const Pb__Action *a)
{
	printf("Action       %s (plan %s, theme %s)\n", a->ref, a->plan, a->theme);
	printf("Title        %s\n", a->title);
	if (a->description)
		printf("Description  %s\n", a->description);
	printf("Owner        %s\n", a->owner ? a->owner : "-");
	printf("Locality     %s%s%s\n", a->locality ? a->locality : "county-wide",
	       a->assigned_to ? ", assigned to " : "", a->assigned_to ? a->assigned_to : "");
	printf("Source       %s\n", out_enum(SOURCE_D, a->source));
	printf("Due          %s%s\n", a->due_date ? a->due_date : "-", a->overdue ? " (overdue)" : "");
	printf("Status       %s\n", out_enum(STATUS_D, a->status));
	printf("RAG          %s\n", out_enum(RAG_D, a->rag));
	printf("Version      %lld, updated %s by %s\n", (long long)a->version, a->updated_at,
	       a->updated_by ? a->updated_by : "-");
}

/* ---------------------------------------------------------------- list */

static const char list_usage[] =
	"Usage: planboard action list [--plan P] [--theme T] [--locality L] [--status S]\n"
	"                             [--rag R] [--owner O] [--overdue [--as-of YYYY-MM-DD]]\n"
	"                             [--as-recorded YYYY-MM-DD]\n"
	"\n"
	"List actions matching every filter given. --overdue: due before the as-of date\n"
	"(default today) and not completed; overdue due dates are marked '!'.\n"
	"--as-recorded: as planboard knew them at the end of that date.\n"
	"Status: not_started|in_progress|completed|blocked. RAG: red|amber|green|blue.\n";

static int action_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "theme", required_argument, 0, 't' },
		{ "locality", required_argument, 0, 'l' }, { "status", required_argument, 0, 's' },
		{ "rag", required_argument, 0, 'r' }, { "owner", required_argument, 0, 'o' },
		{ "overdue", no_argument, 0, 'O' }, { "as-of", required_argument, 0, 'a' },
		{ "as-recorded", required_argument, 0, 'R' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ActionList m = PB__ACTION_LIST__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "P:t:l:s:r:o:Oa:R:", opts, list_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 't': m.theme = optarg; break;
		case 'l': m.locality = optarg; break;
		case 's':
			if ((v = parse_enum(STATUS_D, "status", optarg)) < 0)
				return EXIT_USAGE;
			m.has_status = 1;
			m.status = v;
			break;
		case 'r':
			if ((v = parse_enum(RAG_D, "rag", optarg)) < 0)
				return EXIT_USAGE;
			m.has_rag = 1;
			m.rag = v;
			break;
		case 'o': m.owner = optarg; break;
		case 'O': m.has_overdue = m.overdue = 1; break;
		case 'a': m.as_of = optarg; break;
		case 'R': m.as_recorded = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(list_usage, "unexpected argument '%s'", argv[optind]);
	if (m.as_of && !valid_date(m.as_of))
		return cli_usage_error(list_usage, "--as-of '%s' is not a date YYYY-MM-DD", m.as_of);
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ACTION_LIST;
	req.action_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__ActionListReply *r = f->response->action_list;
		if (cli.json)
			out_json(out_messages((void *const *)r->actions, r->n_actions));
		else
			print_action_table(r->actions, r->n_actions);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- show */

static const char show_usage[] =
	"Usage: planboard action show REF [--plan P] [--as-recorded YYYY-MM-DD] [--as-of YYYY-MM-DD]\n"
	"\nShow an action and every update to it. --plan is needed only when the\n"
	"reference is used by more than one plan.\n";

static int action_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "as-recorded", required_argument, 0, 'R' },
		{ "as-of", required_argument, 0, 'a' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ActionShow m = PB__ACTION_SHOW__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:R:a:", opts, show_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 'R': m.as_recorded = optarg; break;
		case 'a': m.as_of = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(show_usage, "give one action reference");
	m.ref = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ACTION_SHOW;
	req.action_show = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__ActionReply *r = f->response->action;
		if (cli.json) {
			json_t *o = out_message(r->action);
			json_object_set_new(o, "updates", out_messages((void *const *)r->updates, r->n_updates));
			out_json(o);
		} else {
			print_action(r->action);
			printf("\nUpdates:\n");
			print_history(r->updates, r->n_updates);
		}
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- add */

static const char add_usage[] =
	"Usage: planboard action add --plan P --theme T REF TITLE [--owner O] [--due YYYY-MM-DD]\n"
	"                            [--locality L] [--assign-to L] [--source service_wide|locality]\n"
	"                            [--status S] [--rag R] [--description TEXT]\n"
	"\nAdd an action to a plan (admin). Without --locality the action is county-wide;\n"
	"--assign-to gives a county-wide action to a locality to update.\n";

static int action_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "theme", required_argument, 0, 't' },
		{ "owner", required_argument, 0, 'o' }, { "due", required_argument, 0, 'd' },
		{ "locality", required_argument, 0, 'l' }, { "assign-to", required_argument, 0, 'A' },
		{ "source", required_argument, 0, 'S' }, { "status", required_argument, 0, 's' },
		{ "rag", required_argument, 0, 'r' }, { "description", required_argument, 0, 'D' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Action a = PB__ACTION__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "P:t:o:d:l:A:S:s:r:D:", opts, add_usage)) != -1) {
		switch (c) {
		case 'P': a.plan = optarg; break;
		case 't': a.theme = optarg; break;
		case 'o': a.owner = optarg; break;
		case 'd': a.due_date = optarg; break;
		case 'l': a.locality = optarg; break;
		case 'A': a.assigned_to = optarg; break;
		case 'D': a.description = optarg; break;
		case 'S':
			if ((v = parse_enum(SOURCE_D, "source", optarg)) < 0)
				return EXIT_USAGE;
			a.has_source = 1;
			a.source = v;
			break;
		case 's':
			if ((v = parse_enum(STATUS_D, "status", optarg)) < 0)
				return EXIT_USAGE;
			a.has_status = 1;
			a.status = v;
			break;
		case 'r':
			if ((v = parse_enum(RAG_D, "rag", optarg)) < 0)
				return EXIT_USAGE;
			a.has_rag = 1;
			a.rag = v;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (a.plan == NULL || a.theme == NULL)
		return cli_usage_error(add_usage, "--plan and --theme are required");
	if (argc - optind != 2)
		return cli_usage_error(add_usage, "give REF and TITLE");
	a.ref = argv[optind];
	a.title = argv[optind + 1];
	Pb__ActionAdd m = PB__ACTION_ADD__INIT;
	m.action = &a;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ACTION_ADD;
	req.action_add = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->action->action));
		else
			printf("Added action %s to %s: %s\n", a.ref, a.plan, a.title);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- update */

static const char update_usage[] =
	"Usage: planboard action update REF [--plan P] [--status S] [--rag R] [--note TEXT]\n"
	"                               [--evidence TEXT] [--owner O] [--due YYYY-MM-DD]\n"
	"                               [--title TEXT] [--assign-to L] [--if-version N] [--force]\n"
	"\n"
	"Record progress on an action. The change is based on a version of the action:\n"
	"--if-version N, or else the version this command reads just before it sends\n"
	"the change. If the action has changed since, the update is refused with\n"
	"CONFLICT (exit 5) and the current state is printed; --force applies it anyway\n"
	"and is recorded as forced in the history.\n";

static void print_conflict(const Pb__Response *resp)
{
	const Pb__ConflictDetail *d = resp->conflict;
	if (!out_conflict(d))
		return;
	if (d->action) {
		const Pb__Action *a = d->action;
		fprintf(stderr, "Now: status %s, RAG %s, owner %s, due %s; updated %s by %s.\n",
			out_enum(STATUS_D, a->status), out_enum(RAG_D, a->rag), a->owner ? a->owner : "-",
			a->due_date ? a->due_date : "-", a->updated_at, a->updated_by ? a->updated_by : "-");
	}
}

/* Read the version the change is based on. */
static int current_version(const char *plan, const char *ref, int64_t *version)
{
	Pb__ActionShow m = PB__ACTION_SHOW__INIT;
	m.plan = (char *)plan;
	m.ref = (char *)ref;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ACTION_SHOW;
	req.action_show = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK)
		*version = f->response->action->action->version;
	wire_free(f);
	return rc;
}

static int action_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "status", required_argument, 0, 's' },
		{ "rag", required_argument, 0, 'r' }, { "note", required_argument, 0, 'n' },
		{ "evidence", required_argument, 0, 'e' }, { "owner", required_argument, 0, 'o' },
		{ "due", required_argument, 0, 'd' }, { "title", required_argument, 0, 'T' },
		{ "assign-to", required_argument, 0, 'A' }, { "if-version", required_argument, 0, 'V' },
		{ "force", no_argument, 0, 'F' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ActionUpdate m = PB__ACTION_UPDATE__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "P:s:r:n:e:o:d:T:A:V:F", opts, update_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 's':
			if ((v = parse_enum(STATUS_D, "status", optarg)) < 0)
				return EXIT_USAGE;
			m.has_status = 1;
			m.status = v;
			break;
		case 'r':
			if ((v = parse_enum(RAG_D, "rag", optarg)) < 0)
				return EXIT_USAGE;
			m.has_rag = 1;
			m.rag = v;
			break;
		case 'n': m.note = optarg; break;
		case 'e': m.evidence = optarg; break;
		case 'o': m.owner = optarg; break;
		case 'd': m.due_date = optarg; break;
		case 'T': m.title = optarg; break;
		case 'A': m.assigned_to = optarg; break;
		case 'V':
			if (parse_int64(optarg, &m.if_version) != 0 || m.if_version < 1)
				return cli_usage_error(update_usage, "--if-version '%s' is not a version number", optarg);
			m.has_if_version = 1;
			break;
		case 'F': m.has_force = m.force = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(update_usage, "give one action reference");
	m.ref = argv[optind];
	if (!m.has_status && !m.has_rag && !m.note && !m.evidence && !m.owner && !m.due_date && !m.title &&
	    !m.assigned_to)
		return cli_usage_error(update_usage, "nothing to update: give a change or --note");
	if (!m.has_if_version && !m.force) {
		/* Never a silent overwrite: base the change on what we read. */
		int rc = current_version(m.plan, m.ref, &m.if_version);
		if (rc != EXIT_OK)
			return rc;
		m.has_if_version = 1;
	}
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ACTION_UPDATE;
	req.action_update = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_CONFLICT) {
		print_conflict(f->response);
	} else if (rc == EXIT_OK) {
		Pb__Action *a = f->response->action->action;
		if (cli.json)
			out_json(out_message(a));
		else
			printf("Updated %s to version %lld: status %s, RAG %s\n", a->ref, (long long)a->version,
			       out_enum(STATUS_D, a->status), out_enum(RAG_D, a->rag));
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- history */

static const char history_usage[] =
	"Usage: planboard action history REF [--plan P]\n\nEvery update of an action: who, when, what changed, the note.\n";

static int action_history(int argc, char **argv)
{
	static const struct option opts[] = { { "plan", required_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	Pb__ActionHistory m = PB__ACTION_HISTORY__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:", opts, history_usage)) != -1) {
		if (c == 'P')
			m.plan = optarg;
		else
			return EXIT_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage_error(history_usage, "give one action reference");
	m.ref = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ACTION_HISTORY;
	req.action_history = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__ActionHistoryReply *r = f->response->action_history;
		if (cli.json)
			out_json(out_messages((void *const *)r->updates, r->n_updates));
		else
			print_history(r->updates, r->n_updates);
	}
	wire_free(f);
	return rc;
}

int cmd_action(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "list", action_list, "list actions, with filters" },
		{ "show", action_show, "show one action and its updates" },
		{ "add", action_add, "add an action (admin)" },
		{ "update", action_update, "record progress: status, RAG, note, evidence" },
		{ "history", action_history, "every update of an action" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("action", sub, argc, argv, "The plan's actions and their progress.\n");
}

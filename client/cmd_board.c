/* cmd_board.c: the improvement board: board show | set, member add,
 * meeting add | list, review add | list, criterion add | judge. */
#include "cli.h"
#include "util.h"
#include "validate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define VERDICT_D (&pb__verdict__descriptor)
#define CKIND_D (&pb__criterion_kind__descriptor)

/* Send a request and print its reply with fn (or as JSON). */
static int call(Pb__Request *req, void (*print)(const Pb__Response *), json_t *(*to_json)(const Pb__Response *))
{
	Pb__ServerFrame *f;
	int rc = cli_rpc(req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(to_json(f->response));
		else
			print(f->response);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- board */

static void print_board(const Pb__Response *resp)
{
	const Pb__Board *b = resp->board->board;
	printf("Board        %s (plan %s)\n", b->name ? b->name : "-", b->plan);
	const char *chair = NULL;
	for (size_t i = 0; i < b->n_members; i++)
		if (b->members[i]->chair)
			chair = b->members[i]->name;
	printf("Chair        %s\n", chair ? chair : "-");
	printf("Terms        %s\n\nMembers:\n", b->terms_of_reference ? b->terms_of_reference : "-");
	static const char *const h[] = { "NAME", "ROLE", "CHAIR" };
	struct table *t = table_new(h, 3);
	for (size_t i = 0; i < b->n_members; i++)
		table_row(t, b->members[i]->name, b->members[i]->role, b->members[i]->chair ? "yes" : "");
	table_print(t);
}

static json_t *board_json(const Pb__Response *resp) { return out_message(resp->board->board); }

static const char show_usage[] = "Usage: planboard board show --plan P\n\nThe plan's board: name, chair, members and roles, terms of reference.\n";

static int board_show(int argc, char **argv)
{
	static const struct option opts[] = { { "plan", required_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	Pb__BoardShow m = PB__BOARD_SHOW__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:", opts, show_usage)) != -1) {
		if (c != 'P')
			return EXIT_USAGE;
		m.plan = optarg;
	}
	if (optind < argc)
		return cli_usage_error(show_usage, "unexpected argument '%s'", argv[optind]);
	if (m.plan == NULL)
		return cli_usage_error(show_usage, "--plan is required");
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_BOARD_SHOW;
	req.board_show = &m;
	return call(&req, print_board, board_json);
}

static const char set_usage[] =
	"Usage: planboard board set --plan P [--name TEXT] [--terms TEXT | --terms-file FILE]\n"
	"\nName the plan's board and set its terms of reference (admin, performance).\n";

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	buf_append(&b, "", 1);
	char *s = arena_strdup(&cli.arena, (char *)b.data);
	buf_free(&b);
	return s;
}

static int board_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "name", required_argument, 0, 'n' },
		{ "terms", required_argument, 0, 't' }, { "terms-file", required_argument, 0, 'f' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Board b = PB__BOARD__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:n:t:f:", opts, set_usage)) != -1) {
		switch (c) {
		case 'P': b.plan = optarg; break;
		case 'n': b.name = optarg; break;
		case 't': b.terms_of_reference = optarg; break;
		case 'f':
			if ((b.terms_of_reference = read_file(optarg)) == NULL)
				return cli_usage_error(set_usage, "cannot read '%s'", optarg);
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(set_usage, "unexpected argument '%s'", argv[optind]);
	if (b.plan == NULL)
		return cli_usage_error(set_usage, "--plan is required");
	if (b.name == NULL && b.terms_of_reference == NULL)
		return cli_usage_error(set_usage, "give --name or --terms");
	Pb__BoardSet m = PB__BOARD_SET__INIT;
	m.board = &b;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_BOARD_SET;
	req.board_set = &m;
	return call(&req, print_board, board_json);
}

/* ---------------------------------------------------------------- members */

static const char member_add_usage[] =
	"Usage: planboard board member add --plan P NAME [--role ROLE] [--chair]\n"
	"\nAdd a member to the plan's board (admin, performance). --chair makes them\n"
	"the chair (replacing any other).\n";

static int member_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "role", required_argument, 0, 'r' },
		{ "chair", no_argument, 0, 'c' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__BoardMemberAdd m = PB__BOARD_MEMBER_ADD__INIT;
	Pb__BoardMember bm = PB__BOARD_MEMBER__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:r:c", opts, member_add_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 'r': bm.role = optarg; break;
		case 'c': bm.has_chair = bm.chair = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (m.plan == NULL)
		return cli_usage_error(member_add_usage, "--plan is required");
	if (argc - optind != 1)
		return cli_usage_error(member_add_usage, "give the member's NAME (quote it)");
	bm.name = argv[optind];
	m.member = &bm;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_BOARD_MEMBER_ADD;
	req.board_member_add = &m;
	return call(&req, print_board, board_json);
}

static int cmd_member(int argc, char **argv)
{
	static const struct cmd sub[] = { { "add", member_add, "add a board member" }, { 0, 0, 0 } };
	return cli_subcommand("board member", sub, argc, argv, "Members of the plan's board.\n");
}

/* ---------------------------------------------------------------- meetings */

static void print_meeting(const Pb__Meeting *m)
{
	printf("%s  %s (meeting %lld)\n", m->date, m->title ? m->title : "Board meeting", (long long)m->id);
	if (m->n_attendees) {
		printf("  Attendees: ");
		for (size_t i = 0; i < m->n_attendees; i++)
			printf("%s%s", i ? ", " : "", m->attendees[i]);
		printf("\n");
	}
	if (m->notes)
		printf("  Notes: %s\n", m->notes);
	for (size_t i = 0; i < m->n_decisions; i++)
		printf("  Decision: %s%s%s%s\n", m->decisions[i]->text, m->decisions[i]->action_ref ? " (action " : "",
		       m->decisions[i]->action_ref ? m->decisions[i]->action_ref : "", m->decisions[i]->action_ref ? ")" : "");
}

static void print_meeting_reply(const Pb__Response *r) { print_meeting(r->meeting->meeting); }
static json_t *meeting_json(const Pb__Response *r) { return out_message(r->meeting->meeting); }

static const char meeting_add_usage[] =
	"Usage: planboard board meeting add --plan P --date YYYY-MM-DD [--title TEXT]\n"
	"                                   [--attendee NAME]... [--notes TEXT]\n"
	"                                   [--decision TEXT [--action REF |\n"
	"                                    --new-action REF --theme T [--owner O] [--due D]]]...\n"
	"\nRecord a board meeting (admin, performance). Each --decision may be followed\n"
	"by --action REF, an existing action of the plan it links to, or (admins) by\n"
	"--new-action REF --theme T: a new action it creates, titled with the decision's\n"
	"text, with --owner and --due if given.\n";

static int meeting_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "date", required_argument, 0, 'd' },
		{ "title", required_argument, 0, 'T' }, { "attendee", required_argument, 0, 'a' },
		{ "notes", required_argument, 0, 'n' }, { "decision", required_argument, 0, 'D' },
		{ "action", required_argument, 0, 'A' }, { "new-action", required_argument, 0, 'N' },
		{ "theme", required_argument, 0, 't' }, { "owner", required_argument, 0, 'o' },
		{ "due", required_argument, 0, 'u' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Meeting mt = PB__MEETING__INIT;
	mt.attendees = arena_array(&cli.arena, char *, (size_t)argc + 1);
	mt.decisions = arena_array(&cli.arena, Pb__Decision *, (size_t)argc + 1);
	int c;
	Pb__Action *na = NULL; /* the last decision's new action */
	while ((c = cli_getopt(argc, argv, "P:d:T:a:n:D:A:N:t:o:u:", opts, meeting_add_usage)) != -1) {
		switch (c) {
		case 'P': mt.plan = optarg; break;
		case 'd': mt.date = optarg; break;
		case 'T': mt.title = optarg; break;
		case 'a': mt.attendees[mt.n_attendees++] = optarg; break;
		case 'n': mt.notes = optarg; break;
		case 'D': {
			Pb__Decision *d = arena_new(&cli.arena, Pb__Decision);
			pb__decision__init(d);
			d->text = optarg;
			mt.decisions[mt.n_decisions++] = d;
			break;
		}
		case 'A':
		case 'N': {
			Pb__Decision *d = mt.n_decisions ? mt.decisions[mt.n_decisions - 1] : NULL;
			if (d == NULL || d->action_ref || d->create_action)
				return cli_usage_error(meeting_add_usage, "--action or --new-action must follow its --decision");
			if (c == 'A') {
				d->action_ref = optarg;
				break;
			}
			na = d->create_action = arena_new(&cli.arena, Pb__Action);
			pb__action__init(na);
			na->ref = optarg;
			break;
		}
		case 't':
		case 'o':
		case 'u':
			if (na == NULL || mt.decisions[mt.n_decisions - 1]->create_action != na)
				return cli_usage_error(meeting_add_usage, "--theme, --owner and --due follow --new-action");
			if (c == 't')
				na->theme = optarg;
			else if (c == 'o')
				na->owner = optarg;
			else
				na->due_date = optarg;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(meeting_add_usage, "unexpected argument '%s'", argv[optind]);
	if (mt.plan == NULL || mt.date == NULL)
		return cli_usage_error(meeting_add_usage, "--plan and --date are required");
	for (size_t i = 0; i < mt.n_decisions; i++)
		if (mt.decisions[i]->create_action && mt.decisions[i]->create_action->theme == NULL)
			return cli_usage_error(meeting_add_usage, "--new-action %s needs --theme",
					       mt.decisions[i]->create_action->ref);
	if (!valid_date(mt.date))
		return cli_usage_error(meeting_add_usage, "--date '%s' is not a date YYYY-MM-DD", mt.date);
	Pb__MeetingAdd m = PB__MEETING_ADD__INIT;
	m.meeting = &mt;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_MEETING_ADD;
	req.meeting_add = &m;
	return call(&req, print_meeting_reply, meeting_json);
}

static void print_meetings(const Pb__Response *r)
{
	const Pb__MeetingListReply *l = r->meeting_list;
	if (l->n_meetings == 0)
		printf("No meetings recorded.\n");
	for (size_t i = 0; i < l->n_meetings; i++)
		print_meeting(l->meetings[i]);
}

static json_t *meetings_json(const Pb__Response *r)
{
	return out_messages((void *const *)r->meeting_list->meetings, r->meeting_list->n_meetings);
}

static const char meeting_list_usage[] = "Usage: planboard board meeting list --plan P\n\nThe board's meetings, oldest first, with attendees, notes and decisions.\n";

static int plan_only(int argc, char **argv, const char *usage, const char **plan)
{
	static const struct option opts[] = { { "plan", required_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int c;
	while ((c = cli_getopt(argc, argv, "P:", opts, usage)) != -1) {
		if (c != 'P')
			return EXIT_USAGE;
		*plan = optarg;
	}
	if (optind < argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (*plan == NULL)
		return cli_usage_error(usage, "--plan is required");
	return EXIT_OK;
}

static int meeting_list(int argc, char **argv)
{
	Pb__MeetingList m = PB__MEETING_LIST__INIT;
	const char *plan = NULL;
	int rc = plan_only(argc, argv, meeting_list_usage, &plan);
	if (rc != EXIT_OK)
		return rc;
	m.plan = (char *)plan;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_MEETING_LIST;
	req.meeting_list = &m;
	return call(&req, print_meetings, meetings_json);
}

static int cmd_meeting(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "add", meeting_add, "record a meeting: attendees, notes, decisions" },
		{ "list", meeting_list, "list the board's meetings" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("board meeting", sub, argc, argv, "The board's meetings.\n");
}

/* ---------------------------------------------------------------- reviews */

static void print_criterion(const Pb__Criterion *c)
{
	printf("  [%lld] %s\n", (long long)c->id, c->text);
	if (c->metric)
		printf("       %s of %s in %s, threshold %.1f, %u month%s\n", out_enum(CKIND_D, c->kind), c->metric,
		       c->locality ? c->locality : "-", c->threshold, c->months, c->months == 1 ? "" : "s");
	printf("       state: %s", out_enum(VERDICT_D, c->verdict));
	if (c->judged_by)
		printf(" (judged by %s at %s)", c->judged_by, c->judged_at);
	printf("\n");
	if (c->evidence)
		printf("       evidence: %s\n", c->evidence);
}

static void print_review(const Pb__Review *r)
{
	printf("%s  %s (review %lld)\n", r->date, r->title, (long long)r->id);
	if (r->outcome)
		printf("  Outcome: %s\n", r->outcome);
	for (size_t i = 0; i < r->n_criteria; i++)
		print_criterion(r->criteria[i]);
}

static void print_review_reply(const Pb__Response *r) { print_review(r->review->review); }
static json_t *review_json(const Pb__Response *r) { return out_message(r->review->review); }

static const char review_add_usage[] =
	"Usage: planboard board review add --plan P --date YYYY-MM-DD TITLE [--outcome TEXT]\n"
	"\nSchedule (or record) a formal review of the plan (admin, performance). Add its\n"
	"success criteria with 'planboard board criterion add'.\n";

static int review_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "date", required_argument, 0, 'd' },
		{ "outcome", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Review r = PB__REVIEW__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:d:o:", opts, review_add_usage)) != -1) {
		switch (c) {
		case 'P': r.plan = optarg; break;
		case 'd': r.date = optarg; break;
		case 'o': r.outcome = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (r.plan == NULL || r.date == NULL)
		return cli_usage_error(review_add_usage, "--plan and --date are required");
	if (!valid_date(r.date))
		return cli_usage_error(review_add_usage, "--date '%s' is not a date YYYY-MM-DD", r.date);
	if (argc - optind != 1)
		return cli_usage_error(review_add_usage, "give the review's TITLE");
	r.title = argv[optind];
	Pb__ReviewAdd m = PB__REVIEW_ADD__INIT;
	m.review = &r;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_REVIEW_ADD;
	req.review_add = &m;
	return call(&req, print_review_reply, review_json);
}

static void print_reviews(const Pb__Response *r)
{
	const Pb__ReviewListReply *l = r->review_list;
	if (l->n_reviews == 0)
		printf("No reviews recorded.\n");
	for (size_t i = 0; i < l->n_reviews; i++)
		print_review(l->reviews[i]);
}

static json_t *reviews_json(const Pb__Response *r)
{
	return out_messages((void *const *)r->review_list->reviews, r->review_list->n_reviews);
}

static const char review_list_usage[] =
	"Usage: planboard board review list --plan P [--as-of YYYY-MM-DD]\n"
	"\nThe plan's reviews with each success criterion and its state: metric-bound\n"
	"criteria are evaluated on the figures up to the as-of date (default today);\n"
	"manual ones show the latest judgement and who made it.\n";

static int review_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "as-of", required_argument, 0, 'a' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ReviewList m = PB__REVIEW_LIST__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "P:a:", opts, review_list_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 'a': m.as_of = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(review_list_usage, "unexpected argument '%s'", argv[optind]);
	if (m.plan == NULL)
		return cli_usage_error(review_list_usage, "--plan is required");
	if (m.as_of && !valid_date(m.as_of))
		return cli_usage_error(review_list_usage, "--as-of '%s' is not a date YYYY-MM-DD", m.as_of);
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_REVIEW_LIST;
	req.review_list = &m;
	return call(&req, print_reviews, reviews_json);
}

static int cmd_review(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "add", review_add, "schedule a review of the plan" },
		{ "list", review_list, "list reviews and the state of their criteria" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("board review", sub, argc, argv, "Formal reviews of the plan and their success criteria.\n");
}

/* ---------------------------------------------------------------- criteria */

static void print_criterion_reply(const Pb__Response *r) { print_criterion(r->criterion->criterion); }
static json_t *criterion_json(const Pb__Response *r) { return out_message(r->criterion->criterion); }

static const char criterion_add_usage[] =
	"Usage: planboard board criterion add --review ID TEXT\n"
	"           [--metric M (--gap-within X | --at-least X | --at-most X) [--months N] [--locality L]]\n"
	"\nAdd a success criterion to a review (admin, performance). Without --metric it\n"
	"is judged by a person ('criterion judge'). With --metric it is evaluated from\n"
	"the figures: --gap-within X: the locality no more than X worse than the rest\n"
	"of the county; --at-least/--at-most X: the locality's value; for N consecutive\n"
	"months (default 1). The locality defaults to the plan's.\n";

static int threshold(const char *arg, double *out)
{
	char *end;
	*out = strtod(arg, &end);
	return *arg && !*end ? 0 : -1;
}

static int criterion_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "review", required_argument, 0, 'r' }, { "metric", required_argument, 0, 'm' },
		{ "gap-within", required_argument, 0, 'g' }, { "at-least", required_argument, 0, 'l' },
		{ "at-most", required_argument, 0, 'u' }, { "months", required_argument, 0, 'n' },
		{ "locality", required_argument, 0, 'L' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__CriterionAdd m = PB__CRITERION_ADD__INIT;
	Pb__Criterion cr = PB__CRITERION__INIT;
	int c;
	int64_t v;
	while ((c = cli_getopt(argc, argv, "r:m:g:l:u:n:L:", opts, criterion_add_usage)) != -1) {
		switch (c) {
		case 'r':
			if (parse_int64(optarg, &m.review_id) != 0 || m.review_id < 1)
				return cli_usage_error(criterion_add_usage, "--review '%s' is not a review id", optarg);
			m.has_review_id = 1;
			break;
		case 'm': cr.metric = optarg; break;
		case 'g':
		case 'l':
		case 'u':
			if (cr.has_kind)
				return cli_usage_error(criterion_add_usage, "give one of --gap-within, --at-least, --at-most");
			if (threshold(optarg, &cr.threshold) != 0)
				return cli_usage_error(criterion_add_usage, "'%s' is not a number", optarg);
			cr.has_threshold = cr.has_kind = 1;
			cr.kind = c == 'g' ? PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN
				: c == 'l' ? PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_LEAST
					   : PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_MOST;
			break;
		case 'n':
			if (parse_int64(optarg, &v) != 0 || v < 1 || v > 120)
				return cli_usage_error(criterion_add_usage, "--months '%s' must be 1 to 120", optarg);
			cr.has_months = 1;
			cr.months = (uint32_t)v;
			break;
		case 'L': cr.locality = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (!m.has_review_id)
		return cli_usage_error(criterion_add_usage, "--review is required");
	if (argc - optind != 1)
		return cli_usage_error(criterion_add_usage, "give the criterion's TEXT");
	if ((cr.metric != NULL) != (cr.has_kind != 0))
		return cli_usage_error(criterion_add_usage,
				       "--metric goes with one of --gap-within, --at-least, --at-most");
	if (!cr.metric && (cr.has_months || cr.locality))
		return cli_usage_error(criterion_add_usage, "--months and --locality need --metric");
	cr.text = argv[optind];
	if (!cr.has_kind) {
		cr.has_kind = 1;
		cr.kind = PB__CRITERION_KIND__CRITERION_KIND_MANUAL;
	}
	m.criterion = &cr;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_CRITERION_ADD;
	req.criterion_add = &m;
	return call(&req, print_criterion_reply, criterion_json);
}

static const char criterion_judge_usage[] =
	"Usage: planboard board criterion judge ID --verdict met|not_met|not_enough_data|not_judged\n"
	"                                       [--evidence TEXT]\n"
	"\nRecord a judgement on a manual criterion (admin, performance): the verdict, what\n"
	"it rests on, and (recorded for you) who made it and when.\n";

static int criterion_judge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verdict", required_argument, 0, 'v' }, { "evidence", required_argument, 0, 'e' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__CriterionJudge m = PB__CRITERION_JUDGE__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "v:e:", opts, criterion_judge_usage)) != -1) {
		switch (c) {
		case 'v':
			if ((v = parse_enum(VERDICT_D, "verdict", optarg)) < 0)
				return EXIT_USAGE;
			m.has_verdict = 1;
			m.verdict = v;
			break;
		case 'e': m.evidence = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || parse_int64(argv[optind], &m.criterion_id) != 0 || m.criterion_id < 1)
		return cli_usage_error(criterion_judge_usage, "give one criterion ID");
	m.has_criterion_id = 1;
	if (!m.has_verdict)
		return cli_usage_error(criterion_judge_usage, "--verdict is required");
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_CRITERION_JUDGE;
	req.criterion_judge = &m;
	return call(&req, print_criterion_reply, criterion_json);
}

static int cmd_criterion(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "add", criterion_add, "add a success criterion to a review" },
		{ "judge", criterion_judge, "judge a manual criterion" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("board criterion", sub, argc, argv, "Success criteria of the plan's reviews.\n");
}

int cmd_board(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "show", board_show, "the board: chair, members, terms of reference" },
		{ "set", board_set, "name the board, set its terms of reference" },
		{ "member", cmd_member, "member add" },
		{ "meeting", cmd_meeting, "meeting add | list" },
		{ "review", cmd_review, "review add | list" },
		{ "criterion", cmd_criterion, "criterion add | judge" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("board", sub, argc, argv, "The plan's improvement board, its meetings and reviews.\n");
}

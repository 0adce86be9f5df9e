/* test_query_plans.c: no request reads a large table from end to end.
 *
 * How the statements are collected: store_stmt reports the SQL of every
 * statement it prepares to a hook (store_set_prepare_hook), and this test
 * runs a representative set of requests straight through the handlers, so
 * the list cannot go stale as handlers change: a new query is checked as
 * soon as a request here reaches it (add requests for new handlers below).
 * Each statement then goes through EXPLAIN QUERY PLAN; a "SCAN" of a table
 * that grows with use (anything but the small reference tables) without an
 * index fails the test. The exception is a list with no selective filter (see
 * unselective_list), whose answer is most of the table anyway. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "auth.h"
#include "handlers.h"
#include "ratelimit.h"

/* Tables small by nature (tens of rows): a scan costs nothing. */
static const char *const small_tables[] = { "locality", "plan", "theme", "user", "metric", "board" };

struct collected {
	char *sql[512];
	int n;
};

static void collect(void *arg, const char *sql)
{
	struct collected *c = arg;
	if (c->n < 512)
		c->sql[c->n++] = strdup(sql);
}

struct fixture {
	struct server srv;
	struct conn conn;
	struct store *st;
	struct collected col;
	char path[64];
};

static struct fixture F;

/* Run one handler as admin; the status it answered. */
static int call(int (*fn)(struct hctx *), Pb__Request *req)
{
	struct arena arena = { 0 };
	Pb__Response resp = PB__RESPONSE__INIT;
	char now[ISO_TIME_LEN];
	time_to_iso(time(NULL), now);
	struct hctx h = { .srv = &F.srv, .conn = &F.conn, .st = F.st, .arena = &arena, .req = req,
			  .resp = &resp, .who = F.conn.state == CONN_READY ? &F.conn.who : NULL, .now = now };
	fn(&h);
	arena_free(&arena);
	return resp.has_status ? (int)resp.status : 0;
}

static void timer_cb(evutil_socket_t fd, short what, void *arg) { }

static void login_admin(void)
{
	/* Password login issuing a token, then a token login: both paths. */
	Pb__Login login = PB__LOGIN__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOGIN;
	req.login = &login;
	login.user = "admin";
	login.password = "Board-Secret-2017";
	login.has_issue_token = login.issue_token = 1;
	assert_int_equal(call(h_login, &req), 0);
	F.conn.state = CONN_LOGIN;
	free(F.conn.who.name);
	free(F.conn.who.locality);
	memset(&F.conn.who, 0, sizeof F.conn.who);
	login.password = NULL;
	login.token = "not-a-token";
	assert_int_equal(call(h_login, &req), PB__STATUS__UNAUTHENTICATED);
	login.token = NULL;
	login.password = "Board-Secret-2017";
	assert_int_equal(call(h_login, &req), 0);
}

static void add_data(void)
{
	Pb__Request req = PB__REQUEST__INIT;
	Pb__Locality loc = PB__LOCALITY__INIT;
	Pb__LocalityAdd la = PB__LOCALITY_ADD__INIT;
	loc.code = "north";
	loc.name = "North";
	la.locality = &loc;
	req.body_case = PB__REQUEST__BODY_LOCALITY_ADD;
	req.locality_add = &la;
	assert_int_equal(call(h_locality_add, &req), 0);

	Pb__Plan plan = PB__PLAN__INIT;
	Pb__PlanAdd pa = PB__PLAN_ADD__INIT;
	plan.code = "p1";
	plan.title = "Plan";
	pa.plan = &plan;
	req.body_case = PB__REQUEST__BODY_PLAN_ADD;
	req.plan_add = &pa;
	assert_int_equal(call(h_plan_add, &req), 0);

	Pb__Theme th = PB__THEME__INIT;
	Pb__ThemeAdd ta = PB__THEME_ADD__INIT;
	th.plan = "p1";
	th.code = "t1";
	th.title = "Theme";
	ta.theme = &th;
	req.body_case = PB__REQUEST__BODY_THEME_ADD;
	req.theme_add = &ta;
	assert_int_equal(call(h_theme_add, &req), 0);

	Pb__Action a = PB__ACTION__INIT;
	Pb__ActionAdd aa = PB__ACTION_ADD__INIT;
	a.plan = "p1";
	a.theme = "t1";
	a.title = "Do it";
	a.owner = "Head";
	a.locality = "north";
	a.due_date = "2020-01-01";
	aa.action = &a;
	req.body_case = PB__REQUEST__BODY_ACTION_ADD;
	req.action_add = &aa;
	const char *refs[] = { "1.1", "1.2", "1.3" };
	for (int i = 0; i < 3; i++) {
		a.ref = (char *)refs[i];
		assert_int_equal(call(h_action_add, &req), 0);
	}

	Pb__ActionUpdate up = PB__ACTION_UPDATE__INIT;
	up.plan = "p1";
	up.ref = "1.1";
	up.note = "progress";
	up.has_rag = 1;
	up.rag = PB__RAG__RAG_AMBER;
	req.body_case = PB__REQUEST__BODY_ACTION_UPDATE;
	req.action_update = &up;
	assert_int_equal(call(h_action_update, &req), 0);
	up.plan = NULL; /* by ref alone */
	up.has_if_version = 1;
	up.if_version = 1; /* stale: the conflict path */
	assert_int_equal(call(h_action_update, &req), PB__STATUS__CONFLICT);
}

static void read_requests(void)
{
	Pb__Request req = PB__REQUEST__INIT;
	Pb__ActionShow show = PB__ACTION_SHOW__INIT;
	show.ref = "1.1";
	req.body_case = PB__REQUEST__BODY_ACTION_SHOW;
	req.action_show = &show;
	assert_int_equal(call(h_action_show, &req), 0);
	show.plan = "p1";
	show.as_recorded = "2999-01-01";
	assert_int_equal(call(h_action_show, &req), 0);

	Pb__ActionHistory hist = PB__ACTION_HISTORY__INIT;
	hist.plan = "p1";
	hist.ref = "1.1";
	req.body_case = PB__REQUEST__BODY_ACTION_HISTORY;
	req.action_history = &hist;
	assert_int_equal(call(h_action_history, &req), 0);

	/* Every filter of action list, alone, and as recorded. */
	req.body_case = PB__REQUEST__BODY_ACTION_LIST;
	for (int variant = 0; variant < 8; variant++) {
		for (int recorded = 0; recorded < 2; recorded++) {
			Pb__ActionList l = PB__ACTION_LIST__INIT;
			switch (variant) {
			case 0: l.plan = "p1"; break;
			case 1: l.plan = "p1"; l.theme = "t1"; break;
			case 2: l.locality = "north"; break;
			case 3: l.has_status = 1; l.status = PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS; break;
			case 4: l.has_rag = 1; l.rag = PB__RAG__RAG_RED; break;
			case 5: l.has_overdue = l.overdue = 1; break;
			case 6: l.owner = "Head"; break;
			case 7: break; /* no filter: every action */
			}
			l.as_recorded = recorded ? "2999-01-01" : NULL;
			req.action_list = &l;
			assert_int_equal(call(h_action_list, &req), 0);
		}
	}

	static int (*const simple[])(struct hctx *) = { h_locality_list, h_plan_list, h_user_list,
							 h_whoami, h_ping, h_server_status };
	static const int cases[] = { PB__REQUEST__BODY_LOCALITY_LIST, PB__REQUEST__BODY_PLAN_LIST,
				     PB__REQUEST__BODY_USER_LIST, PB__REQUEST__BODY_WHOAMI, PB__REQUEST__BODY_PING,
				     PB__REQUEST__BODY_SERVER_STATUS };
	Pb__LocalityList ll = PB__LOCALITY_LIST__INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Pb__Request r = PB__REQUEST__INIT;
		r.body_case = cases[i];
		r.locality_list = &ll; /* every one of these bodies is empty */
		assert_int_equal(call(simple[i], &r), 0);
	}
	Pb__PlanShow ps = PB__PLAN_SHOW__INIT;
	ps.code = "p1";
	req.body_case = PB__REQUEST__BODY_PLAN_SHOW;
	req.plan_show = &ps;
	assert_int_equal(call(h_plan_show, &req), 0);
	Pb__ThemeList tl = PB__THEME_LIST__INIT;
	tl.plan = "p1";
	req.body_case = PB__REQUEST__BODY_THEME_LIST;
	req.theme_list = &tl;
	assert_int_equal(call(h_theme_list, &req), 0);
}

/* Metrics, figures, audits and the governance records the report reads,
 * written as a plan's history would be (p1 becomes north's plan). The
 * figures go through the submit handler; the rest is inserted directly,
 * since only the statements that read it are checked here. */
static void add_metric_data(void)
{
	sqlite3 *db = store_db(F.st);
	assert_int_equal(sqlite3_exec(db,
		"INSERT INTO locality(code, name) VALUES ('south', 'South');"
		"UPDATE plan SET locality_id = (SELECT id FROM locality WHERE code = 'north'),"
		" start_date = '2017-01-01', end_date = '2017-12-31' WHERE code = 'p1';"
		"INSERT INTO metric(code, name, unit, better, target, tolerance) VALUES"
		" ('cp', 'CP visits', 'pct', 'higher', 80, 5), ('unused', 'Not reported', 'count', 'higher', NULL, NULL);"
		"INSERT INTO audit_round(locality_id, period, version) SELECT id, '2017-06', 1 FROM locality;"
		"INSERT INTO audit_version(audit_id, version, required, completed, on_time, recorded_at, recorded_by)"
		" SELECT id, 1, 10, 9, 8, '2017-07-01T00:00:00Z', 'admin' FROM audit_round;"
		"INSERT INTO risk(plan_id, ref, created_at) SELECT id, 'R1', '2017-01-01T00:00:00Z' FROM plan;"
		"INSERT INTO risk_version(risk_id, version, recorded_at, recorded_by, kind, title, likelihood, impact, status)"
		" SELECT id, 1, '2017-01-01T00:00:00Z', 'admin', 'risk', 'Staffing', 4, 5, 'open' FROM risk;"
		"INSERT INTO board(plan_id, name, updated_at) SELECT id, 'Board', '2017-01-01T00:00:00Z' FROM plan;"
		"INSERT INTO board_member(plan_id, name, chair, recorded_at) SELECT id, 'Chair', 1, '2017-01-01' FROM plan;"
		"INSERT INTO meeting(plan_id, date, title, recorded_at, recorded_by)"
		" SELECT id, '2017-06-20', 'June', '2017-06-20T00:00:00Z', 'admin' FROM plan;"
		"INSERT INTO decision(meeting_id, position, text, action_ref) SELECT id, 1, 'Do it', '1.1' FROM meeting;"
		"INSERT INTO review(plan_id, date, title, recorded_at) SELECT id, '2017-12-01', 'Review', '2017-01-01' FROM plan;"
		"INSERT INTO criterion(review_id, text, kind, metric, locality, threshold, months, recorded_at)"
		" SELECT id, 'Gap within 5', 'gap_within', 'cp', 'north', 5, 3, '2017-01-01' FROM review;"
		"INSERT INTO criterion(review_id, text, kind, recorded_at) SELECT id, 'Judged', 'manual', '2017-01-01'"
		" FROM review;"
		"INSERT INTO judgement(criterion_id, verdict, judged_by, judged_at)"
		" SELECT id, 'met', 'admin', '2017-02-01' FROM criterion WHERE kind = 'manual';",
		NULL, NULL, NULL), SQLITE_OK);
	Pb__Request req = PB__REQUEST__INIT;
	Pb__Measurement m = PB__MEASUREMENT__INIT;
	Pb__MetricSubmit ms = PB__METRIC_SUBMIT__INIT;
	ms.measurement = &m;
	req.body_case = PB__REQUEST__BODY_METRIC_SUBMIT;
	req.metric_submit = &ms;
	m.metric = "cp";
	m.has_value = 1;
	const char *periods[] = { "2016-12", "2017-05", "2017-06" };
	for (int i = 0; i < 3; i++) {
		m.period = (char *)periods[i];
		m.locality = "north";
		m.value = 60 + i;
		assert_int_equal(call(h_metric_submit, &req), 0);
		m.locality = "south";
		assert_int_equal(call(h_metric_submit, &req), 0);
	}
	m.value = 70; /* a correction: a second version */
	assert_int_equal(call(h_metric_submit, &req), 0);
}

/* The governance and audit writes (and a metric redefinition): their
 * look-ups run on request paths too. */
static void governance_writes(void)
{
	Pb__Request req = PB__REQUEST__INIT;
	Pb__Risk risk = PB__RISK__INIT;
	Pb__RiskAdd ra = PB__RISK_ADD__INIT;
	risk.plan = "p1";
	risk.ref = "R2";
	risk.title = "Recruitment";
	risk.has_kind = risk.has_likelihood = risk.has_impact = 1;
	risk.kind = PB__RISK_KIND__RISK_KIND_RISK;
	risk.likelihood = 3;
	risk.impact = 4;
	ra.risk = &risk;
	req.body_case = PB__REQUEST__BODY_RISK_ADD;
	req.risk_add = &ra;
	assert_int_equal(call(h_risk_add, &req), 0);
	Pb__Risk change = PB__RISK__INIT;
	Pb__RiskUpdate ru = PB__RISK_UPDATE__INIT;
	char *links[] = { "1.1" };
	change.plan = "p1";
	change.ref = "R2";
	change.has_impact = 1;
	change.impact = 5;
	ru.risk = &change;
	ru.n_link_actions = 1;
	ru.link_actions = links;
	req.body_case = PB__REQUEST__BODY_RISK_UPDATE;
	req.risk_update = &ru;
	assert_int_equal(call(h_risk_update, &req), 0);

	Pb__AuditRound a = PB__AUDIT_ROUND__INIT;
	Pb__AuditSubmit as = PB__AUDIT_SUBMIT__INIT;
	a.locality = "north";
	a.period = "2017-07";
	a.has_required = a.has_completed = a.has_on_time = 1;
	a.required = 10;
	a.completed = 9;
	a.on_time = 8;
	as.round = &a;
	req.body_case = PB__REQUEST__BODY_AUDIT_SUBMIT;
	req.audit_submit = &as;
	assert_int_equal(call(h_audit_submit, &req), 0);
	a.completed = 10; /* a new version of the same round */
	assert_int_equal(call(h_audit_submit, &req), 0);

	Pb__Metric m = PB__METRIC__INIT;
	Pb__MetricDefine md = PB__METRIC_DEFINE__INIT;
	m.code = "cp";
	m.name = "CP visits on time";
	m.has_unit = m.has_better = 1;
	m.unit = PB__UNIT__UNIT_COUNT; /* refused: it has figures (the look-up runs) */
	m.better = PB__BETTER__BETTER_HIGHER;
	md.metric = &m;
	req.body_case = PB__REQUEST__BODY_METRIC_DEFINE;
	req.metric_define = &md;
	assert_int_equal(call(h_metric_define, &req), PB__STATUS__CONFLICT);

	Pb__Board b = PB__BOARD__INIT;
	Pb__BoardSet bset = PB__BOARD_SET__INIT;
	b.plan = "p1";
	b.name = "Improvement board";
	bset.board = &b;
	req.body_case = PB__REQUEST__BODY_BOARD_SET;
	req.board_set = &bset;
	assert_int_equal(call(h_board_set, &req), 0);
	Pb__BoardMember bm = PB__BOARD_MEMBER__INIT;
	Pb__BoardMemberAdd bma = PB__BOARD_MEMBER_ADD__INIT;
	bm.name = "Member";
	bm.has_chair = bm.chair = 1;
	bma.plan = "p1";
	bma.member = &bm;
	req.body_case = PB__REQUEST__BODY_BOARD_MEMBER_ADD;
	req.board_member_add = &bma;
	assert_int_equal(call(h_board_member_add, &req), 0);
	Pb__Decision d = PB__DECISION__INIT;
	Pb__Decision *ds[] = { &d };
	Pb__Meeting mt = PB__MEETING__INIT;
	Pb__MeetingAdd mta = PB__MEETING_ADD__INIT;
	d.text = "Review 1.2";
	d.action_ref = "1.2";
	mt.plan = "p1";
	mt.date = "2017-07-20";
	mt.n_decisions = 1;
	mt.decisions = ds;
	mta.meeting = &mt;
	req.body_case = PB__REQUEST__BODY_MEETING_ADD;
	req.meeting_add = &mta;
	assert_int_equal(call(h_meeting_add, &req), 0);
	Pb__Review rv = PB__REVIEW__INIT;
	Pb__ReviewAdd rva = PB__REVIEW_ADD__INIT;
	rv.plan = "p1";
	rv.date = "2017-11-01";
	rv.title = "Autumn review";
	rva.review = &rv;
	req.body_case = PB__REQUEST__BODY_REVIEW_ADD;
	req.review_add = &rva;
	assert_int_equal(call(h_review_add, &req), 0);
	Pb__Criterion c = PB__CRITERION__INIT;
	Pb__CriterionAdd ca = PB__CRITERION_ADD__INIT;
	c.text = "At least 60 for 2 months";
	c.has_kind = c.has_threshold = c.has_months = 1;
	c.kind = PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_LEAST;
	c.metric = "cp";
	c.threshold = 60;
	c.months = 2;
	ca.has_review_id = 1;
	ca.review_id = 1;
	ca.criterion = &c;
	req.body_case = PB__REQUEST__BODY_CRITERION_ADD;
	req.criterion_add = &ca;
	assert_int_equal(call(h_criterion_add, &req), 0);
	Pb__CriterionJudge cj = PB__CRITERION_JUDGE__INIT;
	cj.has_criterion_id = cj.has_verdict = 1;
	cj.criterion_id = 2; /* the manual one */
	cj.verdict = PB__VERDICT__VERDICT_NOT_MET;
	req.body_case = PB__REQUEST__BODY_CRITERION_JUDGE;
	req.criterion_judge = &cj;
	assert_int_equal(call(h_criterion_judge, &req), 0);
}

/* Every metric read, the audits, the governance reads and the report in
 * each format, now and as recorded. */
static void metric_requests(void)
{
	Pb__Request req = PB__REQUEST__INIT;
	Pb__MetricList ml = PB__METRIC_LIST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_LIST;
	req.metric_list = &ml;
	assert_int_equal(call(h_metric_list, &req), 0);
	for (int recorded = 0; recorded < 2; recorded++) {
		const char *bound = recorded ? "2999-01-01" : NULL;
		Pb__MetricCompare mc = PB__METRIC_COMPARE__INIT;
		mc.metric = "cp";
		mc.locality = "north";
		mc.from = "2017-06";
		mc.to = "2017-12";
		mc.as_recorded = (char *)bound;
		req.body_case = PB__REQUEST__BODY_METRIC_COMPARE;
		req.metric_compare = &mc;
		assert_int_equal(call(h_metric_compare, &req), 0);
		Pb__MetricSeries se = PB__METRIC_SERIES__INIT;
		se.metric = "cp";
		se.locality = "north";
		se.from = "2017-01";
		se.as_recorded = (char *)bound;
		req.body_case = PB__REQUEST__BODY_METRIC_SERIES;
		req.metric_series = &se;
		assert_int_equal(call(h_metric_series, &req), 0);
		Pb__AuditList al = PB__AUDIT_LIST__INIT;
		al.from = "2017-01";
		al.to = "2017-12";
		al.as_recorded = (char *)bound;
		req.body_case = PB__REQUEST__BODY_AUDIT_LIST;
		req.audit_list = &al;
		assert_int_equal(call(h_audit_list, &req), 0);
		al.locality = "north";
		assert_int_equal(call(h_audit_list, &req), 0);
		Pb__RiskList rl = PB__RISK_LIST__INIT;
		rl.plan = "p1";
		rl.as_recorded = (char *)bound;
		req.body_case = PB__REQUEST__BODY_RISK_LIST;
		req.risk_list = &rl;
		assert_int_equal(call(h_risk_list, &req), 0);
		Pb__RiskShow rs = PB__RISK_SHOW__INIT;
		rs.plan = "p1";
		rs.ref = "R1";
		rs.as_recorded = (char *)bound;
		req.body_case = PB__REQUEST__BODY_RISK_SHOW;
		req.risk_show = &rs;
		assert_int_equal(call(h_risk_show, &req), 0);
		for (int format = PB__REPORT_FORMAT__REPORT_FORMAT_MD; format <= PB__REPORT_FORMAT__REPORT_FORMAT_JSON;
		     format++) {
			Pb__ReportRequest rr = PB__REPORT_REQUEST__INIT;
			rr.plan = "p1";
			rr.as_of = "2017-09-30";
			rr.as_recorded = (char *)bound;
			rr.has_format = 1;
			rr.format = format;
			req.body_case = PB__REQUEST__BODY_REPORT;
			req.report = &rr;
			assert_int_equal(call(h_report, &req), 0);
		}
	}
	Pb__MetricHistory mh = PB__METRIC_HISTORY__INIT;
	mh.metric = "cp";
	mh.locality = "south";
	mh.period = "2017-06";
	req.body_case = PB__REQUEST__BODY_METRIC_HISTORY;
	req.metric_history = &mh;
	assert_int_equal(call(h_metric_history, &req), 0);
	Pb__BoardShow bs = PB__BOARD_SHOW__INIT;
	bs.plan = "p1";
	req.body_case = PB__REQUEST__BODY_BOARD_SHOW;
	req.board_show = &bs;
	assert_int_equal(call(h_board_show, &req), 0);
	Pb__MeetingList mt = PB__MEETING_LIST__INIT;
	mt.plan = "p1";
	req.body_case = PB__REQUEST__BODY_MEETING_LIST;
	req.meeting_list = &mt;
	assert_int_equal(call(h_meeting_list, &req), 0);
	Pb__ReviewList rv = PB__REVIEW_LIST__INIT;
	rv.plan = "p1";
	rv.as_of = "2017-09-30";
	req.body_case = PB__REQUEST__BODY_REVIEW_LIST;
	req.review_list = &rv;
	assert_int_equal(call(h_review_list, &req), 0);
}

static bool is_small(const char *table)
{
	for (size_t i = 0; i < sizeof small_tables / sizeof small_tables[0]; i++)
		if (strcmp(small_tables[i], table) == 0)
			return true;
	return false;
}

/* An action list whose only filters are status, RAG or overdue: these
 * match a large share of all actions (a handful of values each), so the
 * answer itself is proportional to the table and an index would not make
 * it cheaper. So is a list with no filter at all. */
static bool unselective_list(const char *sql)
{
	/* (A list as recorded at a past date, filtered by locality or owner
	 * without a plan, visits every action: through each plan, a small
	 * table, then the action's version chain. It used to scan
	 * action_version and was an exception here; since the chains of
	 * schema migration 10 its plan passes as it is.) */
	const char *where = strstr(sql, "WHERE 1=1");
	if (where == NULL)
		return false;
	static const char *const selective[] = { "plan_id = ?2", "theme_id = ?3", "locality_id = ?4",
						 "owner = ?8" };
	for (size_t i = 0; i < sizeof selective / sizeof selective[0]; i++)
		if (strstr(where, selective[i]) != NULL)
			return false;
	return true;
}

/* "SCAN a" / "SCAN action AS a" / "SCAN action USING INDEX ..." */
static const char *scanned_table(const char *detail, char *out, size_t len)
{
	/* SCAN is a walk over every row, through an index or not; SEARCH
	 * is a look-up. */
	if (strncmp(detail, "SCAN ", 5) != 0)
		return NULL;
	if (strncmp(detail + 5, "CONSTANT", 8) == 0)
		return NULL;
	snprintf(out, len, "%s", detail + 5);
	out[strcspn(out, " ")] = '\0';
	return out;
}

/* An alias ("a") back to its table: the SQL names it "<table> <alias>". */
static void resolve_alias(sqlite3 *db, const char *sql, char *name, size_t len)
{
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'", -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		char pat[160];
		snprintf(pat, sizeof pat, "%s %s", t, name);
		const char *hit = strstr(sql, pat);
		size_t plen = strlen(pat);
		if (strcmp(t, name) == 0 ||
		    (hit && (hit[plen] == ' ' || hit[plen] == ',' || hit[plen] == '\0'))) {
			snprintf(name, len, "%s", t);
			break;
		}
	}
	sqlite3_finalize(s);
}

/* A version chain's walk (VERSION_CHAIN in server/hutil.h) reads its own
 * queue of row ids: "SCAN c" of the recursive CTE c, not of a table. */
static bool is_cte(const char *sql, const char *name)
{
	char pat[160];
	snprintf(pat, sizeof pat, "WITH RECURSIVE %s(", name);
	return strstr(sql, pat) != NULL;
}

static int check_plan(sqlite3 *db, const char *sql)
{
	char eqp[8192];
	snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &s, NULL), SQLITE_OK);
	int bad = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(s, 3);
		char table[128];
		if (scanned_table(detail, table, sizeof table) == NULL || is_cte(sql, table))
			continue;
		resolve_alias(db, sql, table, sizeof table);
		if (is_small(table) || unselective_list(sql))
			continue;
		fprintf(stderr, "FULL SCAN of %s (%s) in:\n  %s\n", table, detail, sql);
		bad++;
	}
	sqlite3_finalize(s);
	return bad;
}

static void test_every_request_query_uses_an_index(void **state)
{
	(void)state;
	login_admin();
	add_data();
	read_requests();
	add_metric_data();
	metric_requests();
	governance_writes();
	assert_true(F.col.n >= 20); /* the hook saw the handlers' statements */
	int bad = 0;
	sqlite3 *db = store_db(F.st);
	for (int i = 0; i < F.col.n; i++)
		bad += check_plan(db, F.col.sql[i]);
	printf("checked the plans of %d statements\n", F.col.n);
	assert_int_equal(bad, 0);
}

static bool plan_mentions(sqlite3 *db, const char *sql, const char *what)
{
	char eqp[8192];
	snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &s, NULL), SQLITE_OK);
	bool found = false;
	while (sqlite3_step(s) == SQLITE_ROW)
		found |= strstr((const char *)sqlite3_column_text(s, 3), what) != NULL;
	sqlite3_finalize(s);
	return found;
}

/* A SEARCH can still read most of a table through an unselective index:
 * the list of one theme (50 actions) must go through the theme index, not
 * the plan's (every action); the planner statistics see to it. */
static void test_theme_list_uses_the_theme_index(void **state)
{
	(void)state;
	sqlite3 *db = store_db(F.st);
	int seen = 0;
	for (int i = 0; i < F.col.n; i++) {
		const char *sql = F.col.sql[i];
		if (strstr(sql, "theme_id = ?3") && strstr(sql, "plan_id = ?2") && !strstr(sql, "action_version x")) {
			seen++;
			if (!plan_mentions(db, sql, "action_theme"))
				fprintf(stderr, "not by theme: %s\n", sql);
			assert_true(plan_mentions(db, sql, "action_theme"));
		}
	}
	assert_int_equal(seen, 1);
	assert_true(plan_mentions(db, "SELECT id FROM action WHERE ref = 'x'", "action_ref"));
}

/* The statements that keep a comparison, a review criterion and the
 * report from reading a metric's whole history (server/metrics.c,
 * report_metrics.c) were run above, and each walks the locality's own
 * figures through measurement_locality: a SEARCH through the unique
 * (metric, period, locality) index instead would read every locality's
 * months. */
static void test_metric_history_reads_use_the_locality_index(void **state)
{
	(void)state;
	sqlite3 *db = store_db(F.st);
	static const char *const marks[] = {
		"ORDER BY m.period DESC LIMIT ?5)",         /* the look-back: previous figure, criterion months */
		"FROM locality l WHERE EXISTS",             /* localities reporting before the window */
		"m.locality_id = ?2 AND m.period >= ?3",    /* the report: has the locality figures at all */
	};
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
		int seen = 0;
		for (int i = 0; i < F.col.n; i++) {
			if (!strstr(F.col.sql[i], marks[k]))
				continue;
			seen++;
			if (!plan_mentions(db, F.col.sql[i], "measurement_locality"))
				fprintf(stderr, "not by locality: %s\n", F.col.sql[i]);
			assert_true(plan_mentions(db, F.col.sql[i], "measurement_locality"));
		}
		if (seen == 0)
			fprintf(stderr, "never run: %s\n", marks[k]);
		assert_true(seen >= 1);
	}
}

/* The checker itself: a query without an index is caught. */
static void test_checker_catches_a_scan(void **state)
{
	(void)state;
	sqlite3 *db = store_db(F.st);
	assert_int_equal(check_plan(db, "SELECT seq FROM event WHERE summary = 'x'"), 1);
	assert_int_equal(check_plan(db, "SELECT a.id FROM action a WHERE a.title = 'x'"), 1);
	/* A walk over a whole index is a scan too. */
	assert_int_equal(check_plan(db, "SELECT plan_id, status FROM action ORDER BY plan_id, status"), 1);
	assert_int_equal(check_plan(db, "SELECT id FROM locality WHERE name = 'x'"), 0);
	assert_int_equal(check_plan(db, "SELECT id FROM action WHERE id = 1"), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(F.path, sizeof F.path, "/tmp/planboard-qp-%d.db", (int)getpid());
	char *err = NULL;
	assert_int_equal(auth_init(), 0);
	F.st = store_open(F.path, &err);
	assert_non_null(F.st);
	server_config_defaults(&F.srv.cfg);
	F.srv.store = F.st;
	F.srv.base = event_base_new();
	F.srv.limiter = login_limiter_new();
	F.conn.srv = &F.srv;
	F.conn.state = CONN_LOGIN;
	F.conn.timer = evtimer_new(F.srv.base, timer_cb, NULL);
	struct arena a = { 0 };
	assert_int_equal(auth_create_user(F.st, &a, "admin", PB__ROLE__ROLE_ADMIN, NULL, "Board-Secret-2017",
					  "2024-01-01T00:00:00Z", &err), 0);
	arena_free(&a);
	store_set_prepare_hook(F.st, collect, &F.col);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(F.st);
	event_free(F.conn.timer);
	event_base_free(F.srv.base);
	login_limiter_free(F.srv.limiter);
	free(F.conn.who.name);
	free(F.conn.who.locality);
	for (int i = 0; i < F.col.n; i++)
		free(F.col.sql[i]);
	char p[128];
	unlink(F.path);
	snprintf(p, sizeof p, "%s-wal", F.path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", F.path);
	unlink(p);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_request_query_uses_an_index),
		cmocka_unit_test(test_theme_list_uses_the_theme_index),
		cmocka_unit_test(test_metric_history_reads_use_the_locality_index),
		cmocka_unit_test(test_checker_catches_a_scan),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* bench_seed.c: the requests of the load, and seeding the database through
 * the protocol as an admin, pipelined in batches (writes share group
 * commits). Whatever exists already (CONFLICT) is kept, so seeding twice
 * is harmless. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct scratch {
	Pb__Ping ping;
	Pb__ActionShow show;
	Pb__ActionList list;
	Pb__ActionUpdate upd;
	Pb__MetricSubmit ms;
	Pb__Measurement m;
	Pb__MetricCompare mc;
	Pb__ReportRequest rep;
	char ref[16], theme[16], loc[24], period[16], from[16], to[16], metric[24];
};
_Static_assert(sizeof(struct scratch) <= SCRATCH_SIZE, "SCRATCH_SIZE too small");

static void ref_name(char *out, size_t len, unsigned i)
{
	snprintf(out, len, "a%06u", i + 1);
}

static void theme_name(char *out, size_t len, unsigned i)
{
	snprintf(out, len, "t%04u", i + 1);
}

static void locality_name(char *out, size_t len, unsigned i)
{
	snprintf(out, len, "bench-l%03u", i + 1);
}

/* Month k of the seeded range: 2008-01 onwards, so that 120 months (the
 * large database) end in 2017-12 and overlap the demo plan's period
 * (north-2017): the report on that plan then has the bulk of the
 * measurements in its own months, not only before them. */
static void period_name(char *out, size_t len, unsigned k)
{
	snprintf(out, len, "%04u-%02u", 2008 + (k / 12) % 7000, k % 12 + 1);
}

/* Metric i: the one the load uses first, then bench_m002... */
static void metric_name(char *out, size_t len, unsigned i)
{
	if (i == 0)
		snprintf(out, len, "%s", BENCH_METRIC);
	else
		snprintf(out, len, "bench_m%03u", i + 1);
}

static const char *const notes[] = { "weekly check-in", "on track, minutes filed",
				     "waiting for the panel", "evidence attached" };

void build_request(enum op op, const struct dataset *ds, uint64_t rnd, Pb__Request *req, void *mem)
{
	struct scratch *s = mem;
	unsigned actions = ds->actions ? ds->actions : 1;
	unsigned locs = ds->localities ? ds->localities : 1;
	unsigned months = ds->months ? ds->months : 12;
	pb__request__init(req);
	switch (op) {
	case OP_PING:
		pb__ping__init(&s->ping);
		req->body_case = PB__REQUEST__BODY_PING;
		req->ping = &s->ping;
		break;
	case OP_ACTION_SHOW:
		pb__action_show__init(&s->show);
		ref_name(s->ref, sizeof s->ref, (unsigned)(rnd % actions));
		s->show.plan = BENCH_PLAN;
		s->show.ref = s->ref;
		req->body_case = PB__REQUEST__BODY_ACTION_SHOW;
		req->action_show = &s->show;
		break;
	case OP_ACTION_LIST:
		/* One theme: ACTIONS_PER_THEME rows. */
		pb__action_list__init(&s->list);
		theme_name(s->theme, sizeof s->theme, (unsigned)(rnd % ((actions + ACTIONS_PER_THEME - 1) / ACTIONS_PER_THEME)));
		s->list.plan = BENCH_PLAN;
		s->list.theme = s->theme;
		req->body_case = PB__REQUEST__BODY_ACTION_LIST;
		req->action_list = &s->list;
		break;
	case OP_ACTION_UPDATE:
		pb__action_update__init(&s->upd);
		ref_name(s->ref, sizeof s->ref, (unsigned)(rnd % actions));
		s->upd.plan = BENCH_PLAN;
		s->upd.ref = s->ref;
		s->upd.has_rag = 1;
		s->upd.rag = (Pb__Rag)(PB__RAG__RAG_RED + (rnd >> 32) % 3);
		s->upd.note = (char *)notes[(rnd >> 40) % ARRAY_LEN(notes)];
		req->body_case = PB__REQUEST__BODY_ACTION_UPDATE;
		req->action_update = &s->upd;
		break;
	case OP_METRIC_SUBMIT:
		pb__metric_submit__init(&s->ms);
		pb__measurement__init(&s->m);
		locality_name(s->loc, sizeof s->loc, (unsigned)(rnd % locs));
		period_name(s->period, sizeof s->period, (unsigned)((rnd >> 20) % months));
		s->m.metric = BENCH_METRIC;
		s->m.locality = s->loc;
		s->m.period = s->period;
		s->m.has_value = 1;
		s->m.value = (double)((rnd >> 32) % 1000) / 10.0;
		s->ms.measurement = &s->m;
		req->body_case = PB__REQUEST__BODY_METRIC_SUBMIT;
		req->metric_submit = &s->ms;
		break;
	case OP_METRIC_COMPARE:
		/* One locality over the last 12 seeded months. */
		pb__metric_compare__init(&s->mc);
		locality_name(s->loc, sizeof s->loc, (unsigned)(rnd % locs));
		period_name(s->from, sizeof s->from, months >= 12 ? months - 12 : 0);
		period_name(s->to, sizeof s->to, months - 1);
		s->mc.metric = BENCH_METRIC;
		s->mc.locality = s->loc;
		s->mc.from = s->from;
		s->mc.to = s->to;
		req->body_case = PB__REQUEST__BODY_METRIC_COMPARE;
		req->metric_compare = &s->mc;
		break;
	case OP_REPORT:
		/* The whole report (Markdown) of one plan, computed by the server. */
		pb__report_request__init(&s->rep);
		s->rep.plan = (char *)(ds->report_plan ? ds->report_plan : "north-2017");
		s->rep.as_of = (char *)ds->report_as_of;
		req->body_case = PB__REQUEST__BODY_REPORT;
		req->report = &s->rep;
		break;
	default:
		fatal("bad op %d", (int)op);
	}
}

/* ---------------------------------------------------------------- seeding */

enum seed_kind { S_LOCALITY, S_PLAN, S_THEME, S_ACTION, S_UPDATE, S_METRIC, S_MEASUREMENT };

struct seed_item {
	Pb__Request req;
	union {
		struct { Pb__LocalityAdd add; Pb__Locality l; } loc;
		struct { Pb__PlanAdd add; Pb__Plan p; } plan;
		struct { Pb__ThemeAdd add; Pb__Theme t; } theme;
		struct { Pb__ActionAdd add; Pb__Action a; } action;
		struct { Pb__MetricDefine def; Pb__Metric m; } metric;
	} u;
	char name[24], ref[16], theme[16], title[64];
	struct scratch sc;
};

#define BATCH 512

struct seeder {
	int fd;
	struct frame_reader rd;
	struct dataset ds;
	struct seed_item items[BATCH];
	Pb__Request *reqs[BATCH];
	Pb__ServerFrame *out[BATCH];
	bool quiet;
};

static void make_item(struct seeder *sd, struct seed_item *it, enum seed_kind kind, unsigned i)
{
	Pb__Request *r = &it->req;
	pb__request__init(r);
	switch (kind) {
	case S_LOCALITY:
		pb__locality_add__init(&it->u.loc.add);
		pb__locality__init(&it->u.loc.l);
		if (i == 0)
			snprintf(it->name, sizeof it->name, "%s", BENCH_LOCALITY);
		else
			locality_name(it->name, sizeof it->name, i - 1);
		snprintf(it->title, sizeof it->title, "Bench locality %u", i);
		it->u.loc.l.code = it->name;
		it->u.loc.l.name = it->title;
		it->u.loc.add.locality = &it->u.loc.l;
		r->body_case = PB__REQUEST__BODY_LOCALITY_ADD;
		r->locality_add = &it->u.loc.add;
		break;
	case S_PLAN:
		pb__plan_add__init(&it->u.plan.add);
		pb__plan__init(&it->u.plan.p);
		it->u.plan.p.code = BENCH_PLAN;
		it->u.plan.p.title = "Benchmark improvement plan";
		it->u.plan.add.plan = &it->u.plan.p;
		r->body_case = PB__REQUEST__BODY_PLAN_ADD;
		r->plan_add = &it->u.plan.add;
		break;
	case S_THEME:
		pb__theme_add__init(&it->u.theme.add);
		pb__theme__init(&it->u.theme.t);
		theme_name(it->theme, sizeof it->theme, i);
		snprintf(it->title, sizeof it->title, "Theme %u", i + 1);
		it->u.theme.t.plan = BENCH_PLAN;
		it->u.theme.t.code = it->theme;
		it->u.theme.t.title = it->title;
		it->u.theme.add.theme = &it->u.theme.t;
		r->body_case = PB__REQUEST__BODY_THEME_ADD;
		r->theme_add = &it->u.theme.add;
		break;
	case S_ACTION:
		pb__action_add__init(&it->u.action.add);
		pb__action__init(&it->u.action.a);
		ref_name(it->ref, sizeof it->ref, i);
		theme_name(it->theme, sizeof it->theme, i / ACTIONS_PER_THEME);
		snprintf(it->title, sizeof it->title, "Benchmark action %u", i + 1);
		it->u.action.a.plan = BENCH_PLAN;
		it->u.action.a.ref = it->ref;
		it->u.action.a.theme = it->theme;
		it->u.action.a.title = it->title;
		it->u.action.a.owner = "Head of Service";
		it->u.action.a.due_date = "2027-03-31";
		it->u.action.add.action = &it->u.action.a;
		r->body_case = PB__REQUEST__BODY_ACTION_ADD;
		r->action_add = &it->u.action.add;
		break;
	case S_UPDATE:
		build_request(OP_ACTION_UPDATE, &sd->ds, (uint64_t)i * 0x9E3779B97F4A7C15ull, r, &it->sc);
		/* Spread over every action, not at random. */
		ref_name(it->sc.ref, sizeof it->sc.ref, i % sd->ds.actions);
		break;
	case S_METRIC:
		pb__metric_define__init(&it->u.metric.def);
		pb__metric__init(&it->u.metric.m);
		metric_name(it->name, sizeof it->name, i);
		snprintf(it->title, sizeof it->title, "Benchmark metric %u", i + 1);
		it->u.metric.m.code = it->name;
		it->u.metric.m.name = it->title;
		it->u.metric.m.has_unit = 1;
		it->u.metric.m.unit = PB__UNIT__UNIT_PCT;
		it->u.metric.m.has_better = 1;
		it->u.metric.m.better = PB__BETTER__BETTER_HIGHER;
		it->u.metric.def.metric = &it->u.metric.m;
		r->body_case = PB__REQUEST__BODY_METRIC_DEFINE;
		r->metric_define = &it->u.metric.def;
		break;
	case S_MEASUREMENT: {
		/* metric by metric, month by month, every locality: the order a
		 * monthly return arrives in */
		unsigned per_metric = sd->ds.localities * sd->ds.months;
		unsigned metric = i / per_metric, loc = i % sd->ds.localities, month = i % per_metric / sd->ds.localities;
		build_request(OP_METRIC_SUBMIT, &sd->ds, 0, r, &it->sc);
		metric_name(it->sc.metric, sizeof it->sc.metric, metric);
		it->sc.m.metric = it->sc.metric;
		locality_name(it->sc.loc, sizeof it->sc.loc, loc);
		period_name(it->sc.period, sizeof it->sc.period, month);
		/* a value that depends only on what it is a figure of, so seeding
		 * again (in any shape) finds the same figure and stores nothing */
		it->sc.m.value = (double)(((metric * 7919u + loc) * 104729u + month) * 2654435761u % 1000) / 10.0;
		break;
	}
	}
}

static const char *status_name(int status)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&pb__status__descriptor, status);
	return v ? v->name : "?";
}

/* Send items [from, from+n) of one kind; 0 if all were created or existed,
 * 1 if the server does not know the request type, -1 on other errors. */
static int seed_kind(struct seeder *sd, enum seed_kind kind, unsigned count, const char *what)
{
	uint64_t t0 = now_ns();
	unsigned made = 0, existed = 0, changed = 0;
	for (unsigned from = 0; from < count; from += BATCH) {
		unsigned n = count - from < BATCH ? count - from : BATCH;
		for (unsigned i = 0; i < n; i++) {
			make_item(sd, &sd->items[i], kind, from + i);
			sd->reqs[i] = &sd->items[i].req;
		}
		if (sync_exchange(sd->fd, &sd->rd, sd->reqs, n, sd->out) != 0) {
			fprintf(stderr, "planboard-bench: seeding %s: connection lost\n", what);
			return -1;
		}
		int rc = 0;
		for (unsigned i = 0; i < n; i++) {
			const Pb__Response *r = sd->out[i]->response;
			if (r->status == PB__STATUS__OK && r->body_case == PB__RESPONSE__BODY_METRIC_SUBMIT &&
			    !r->metric_submit->has_replaced)
				existed++; /* the same figure: nothing stored */
			else if (r->status == PB__STATUS__OK && r->body_case == PB__RESPONSE__BODY_METRIC_SUBMIT &&
				 r->metric_submit->replaced)
				changed++; /* a new version (the load submitted another value) */
			else if (r->status == PB__STATUS__OK)
				made++;
			else if (r->status == PB__STATUS__CONFLICT)
				existed++;
			else if (rc == 0) {
				rc = r->status == PB__STATUS__BAD_REQUEST ? 1 : -1;
				fprintf(stderr, "planboard-bench: seeding %s: %s: %s%s\n", what, status_name(r->status),
					r->error_message ? r->error_message : "",
					rc == 1 ? " (this server does not implement the request yet)" : "");
			}
			wire_free(sd->out[i]);
		}
		if (rc != 0)
			return rc;
	}
	if (!sd->quiet && count > 0)
		fprintf(stderr, "seeded %s: %u new, %u existed%s, %.1f s\n", what, made, existed,
			changed ? " (some with another value: corrected)" : "", (double)(now_ns() - t0) / 1e9);
	return 0;
}

int seed(struct target *t, struct dataset *ds, const struct seed_spec *spec, bool quiet)
{
	struct seeder *sd = xcalloc(1, sizeof *sd);
	char err[300];
	if (setup_session(t, &sd->fd, &sd->rd, err, sizeof err) != 0) {
		fprintf(stderr, "planboard-bench: %s\n", err);
		free(sd);
		return -1;
	}
	sd->quiet = quiet;
	sd->ds = *ds; /* without --seed-actions the load keeps its --actions */
	if (spec->actions > 0)
		sd->ds.actions = spec->actions;
	sd->ds.localities = spec->localities ? spec->localities : 1;
	sd->ds.months = spec->months ? spec->months : 12;
	sd->ds.metrics = spec->metrics ? spec->metrics : 1;
	unsigned actions = spec->actions;
	unsigned themes = (actions + ACTIONS_PER_THEME - 1) / ACTIONS_PER_THEME;
	int rc = 0;
	if (seed_kind(sd, S_LOCALITY, sd->ds.localities + 1, "localities") != 0 ||
	    seed_kind(sd, S_PLAN, 1, "plan") != 0 || seed_kind(sd, S_THEME, themes, "themes") != 0 ||
	    seed_kind(sd, S_ACTION, actions, "actions") != 0 ||
	    (actions > 0 && seed_kind(sd, S_UPDATE, spec->updates, "progress updates") != 0))
		rc = -1;
	/* Metrics are optional: an older server answers BAD_REQUEST. */
	if (rc == 0 && spec->months > 0) {
		int m = seed_kind(sd, S_METRIC, sd->ds.metrics, "metrics");
		if (m == 0)
			m = seed_kind(sd, S_MEASUREMENT, sd->ds.metrics * sd->ds.localities * sd->ds.months,
				      "measurements");
		if (m == 1)
			fprintf(stderr, "planboard-bench: measurements NOT seeded: the server has no metrics yet\n");
		else if (m < 0)
			rc = -1;
	}
	*ds = sd->ds;
	close(sd->fd);
	frame_reader_free(&sd->rd);
	free(sd);
	return rc;
}

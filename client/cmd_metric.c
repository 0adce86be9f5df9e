/* cmd_metric.c: metric list, define, submit, series, compare, history. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_D (&pb__unit__descriptor)
#define BETTER_D (&pb__better__descriptor)

/* A finite number, or -1 with a usage message. Shared with cmd_audit.c. */
int parse_number(const char *what, const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (*arg == '\0' || *end != '\0' || !isfinite(v)) {
		cli_usage_error(NULL, "%s '%s' is not a number", what, arg);
		return -1;
	}
	*out = v;
	return 0;
}

static const char *num(double v)
{
	return out_fmt("%.1f", v);
}

static const char *ratio_text(const Pb__Measurement *m)
{
	return m->has_numerator ? out_fmt("%g/%g", m->numerator, m->denominator) : NULL;
}

/* ---------------------------------------------------------------- list */

static const char list_usage[] = "Usage: planboard metric list\n\nList the metrics with unit, polarity and target.\n";

static void print_metrics(Pb__Metric **v, size_t n)
{
	static const char *const h[] = { "CODE", "NAME", "UNIT", "BETTER", "TARGET", "TOLERANCE" };
	struct table *t = table_new(h, 6);
	for (size_t i = 0; i < n; i++)
		table_row(t, v[i]->code, v[i]->name, out_enum(UNIT_D, v[i]->unit), out_enum(BETTER_D, v[i]->better),
			  v[i]->has_target ? out_fmt("%g", v[i]->target) : NULL,
			  v[i]->has_tolerance ? out_fmt("%g", v[i]->tolerance) : NULL);
	table_print(t);
}

static int metric_list(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, list_usage) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(list_usage, "unexpected argument '%s'", argv[optind]);
	Pb__MetricList m = PB__METRIC_LIST__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_LIST;
	req.metric_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__MetricListReply *r = f->response->metric_list;
		if (cli.json)
			out_json(out_messages((void *const *)r->metrics, r->n_metrics));
		else
			print_metrics(r->metrics, r->n_metrics);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- define */

static const char define_usage[] =
	"Usage: planboard metric define CODE NAME --unit pct|count|ratio|days --better higher|lower\n"
	"                               [--target X [--tolerance T] | --clear-target] [--description TEXT]\n"
	"\n"
	"Define a metric, or redefine one (admin, performance). RAG against the target:\n"
	"green on or beyond it, amber up to TOLERANCE short of it, red further off.\n"
	"The unit and polarity of a metric that has figures cannot change. Redefining\n"
	"keeps the target and tolerance unless new ones are given; --clear-target\n"
	"removes both.\n";

static int metric_define(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unit", required_argument, 0, 'U' }, { "better", required_argument, 0, 'b' },
		{ "target", required_argument, 0, 't' }, { "tolerance", required_argument, 0, 'T' },
		{ "description", required_argument, 0, 'd' }, { "clear-target", no_argument, 0, 'C' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Metric m = PB__METRIC__INIT;
	Pb__MetricDefine d = PB__METRIC_DEFINE__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "U:b:t:T:d:", opts, define_usage)) != -1) {
		switch (c) {
		case 'U':
			if ((v = parse_enum(UNIT_D, "unit", optarg)) < 0)
				return EXIT_USAGE;
			m.has_unit = 1, m.unit = v;
			break;
		case 'b':
			if ((v = parse_enum(BETTER_D, "better", optarg)) < 0)
				return EXIT_USAGE;
			m.has_better = 1, m.better = v;
			break;
		case 't':
			if (parse_number("--target", optarg, &m.target) < 0)
				return EXIT_USAGE;
			m.has_target = 1;
			break;
		case 'T':
			if (parse_number("--tolerance", optarg, &m.tolerance) < 0)
				return EXIT_USAGE;
			m.has_tolerance = 1;
			break;
		case 'd': m.description = optarg; break;
		case 'C': d.has_clear_target = d.clear_target = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(define_usage, "CODE and NAME are required");
	if (!m.has_unit || !m.has_better)
		return cli_usage_error(define_usage, "--unit and --better are required");
	if (d.clear_target && (m.has_target || m.has_tolerance))
		return cli_usage_error(define_usage, "--clear-target goes without --target and --tolerance");
	m.code = argv[optind];
	m.name = argv[optind + 1];
	d.metric = &m;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_DEFINE;
	req.metric_define = &d;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->metric->metric));
		else
			printf("Defined metric %s (%s)\n", m.code, m.name);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- submit */

static const char submit_usage[] =
	"Usage: planboard metric submit CODE --locality L --period YYYY-MM [VALUE] [--num N --den D]\n"
	"\n"
	"Submit a locality's figure for a month (admin, performance; locality users for\n"
	"their own locality). For a rate or ratio give the numerator and denominator\n"
	"(--num 45 --den 60 for 75%): the value is computed from them, and a VALUE given\n"
	"as well must agree to one decimal place. Submitting again replaces the figure;\n"
	"every version is kept ('planboard metric history').\n";

static int metric_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "locality", required_argument, 0, 'l' }, { "period", required_argument, 0, 'P' },
		{ "num", required_argument, 0, 'n' }, { "den", required_argument, 0, 'd' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__Measurement m = PB__MEASUREMENT__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "l:P:n:d:", opts, submit_usage)) != -1) {
		switch (c) {
		case 'l': m.locality = optarg; break;
		case 'P': m.period = optarg; break;
		case 'n':
			if (parse_number("--num", optarg, &m.numerator) < 0)
				return EXIT_USAGE;
			m.has_numerator = 1;
			break;
		case 'd':
			if (parse_number("--den", optarg, &m.denominator) < 0)
				return EXIT_USAGE;
			m.has_denominator = 1;
			break;
		default: return EXIT_USAGE;
		}
	}
	int pos = argc - optind;
	if (pos < 1 || pos > 2)
		return cli_usage_error(submit_usage, pos < 1 ? "CODE is required" : "too many arguments");
	m.metric = argv[optind];
	if (pos == 2) {
		if (parse_number("VALUE", argv[optind + 1], &m.value) < 0)
			return EXIT_USAGE;
		m.has_value = 1;
	}
	if (!m.locality || !m.period)
		return cli_usage_error(submit_usage, "--locality and --period are required");
	if (!m.has_value && !m.has_numerator && !m.has_denominator)
		return cli_usage_error(submit_usage, "give VALUE or --num and --den");
	Pb__MetricSubmit s = PB__METRIC_SUBMIT__INIT;
	s.measurement = &m;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_SUBMIT;
	req.metric_submit = &s;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__MetricSubmitReply *r = f->response->metric_submit;
		if (cli.json) {
			out_json(out_message(r));
		} else if (r->replaced && r->previous) {
			printf("Replaced %s %s %s: %s -> %s (version %lld)\n", m.metric, m.locality, m.period,
			       num(r->previous->value), num(r->measurement->value), (long long)r->measurement->version);
		} else if (r->has_replaced) {
			printf("Recorded %s %s %s: %s\n", m.metric, m.locality, m.period, num(r->measurement->value));
		} else {
			printf("Unchanged %s %s %s: %s (version %lld)\n", m.metric, m.locality, m.period,
			       num(r->measurement->value), (long long)r->measurement->version);
		}
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- series, compare */

/* Options shared by series and compare. */
struct range_args {
	const char *locality, *from, *to, *as_recorded;
};

static int range_opts(int argc, char **argv, const char *usage, struct range_args *a, const char **metric)
{
	static const struct option opts[] = {
		{ "locality", required_argument, 0, 'l' }, { "from", required_argument, 0, 'f' },
		{ "to", required_argument, 0, 't' }, { "as-recorded", required_argument, 0, 'R' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int c;
	while ((c = cli_getopt(argc, argv, "l:f:t:R:", opts, usage)) != -1) {
		switch (c) {
		case 'l': a->locality = optarg; break;
		case 'f': a->from = optarg; break;
		case 't': a->to = optarg; break;
		case 'R': a->as_recorded = optarg; break;
		default: return -1;
		}
	}
	if (argc - optind != 1) {
		cli_usage_error(usage, argc - optind < 1 ? "CODE is required" : "unexpected argument '%s'", argv[argc - 1]);
		return -1;
	}
	if (a->locality == NULL) {
		cli_usage_error(usage, "--locality is required");
		return -1;
	}
	*metric = argv[optind];
	return 0;
}

static const char series_usage[] =
	"Usage: planboard metric series CODE --locality L [--from YYYY-MM] [--to YYYY-MM]\n"
	"                               [--as-recorded YYYY-MM-DD]\n"
	"\n"
	"A locality's monthly figures for a metric. --as-recorded: as planboard knew\n"
	"them at the end of that date.\n";

static int metric_series(int argc, char **argv)
{
	struct range_args a = { 0 };
	Pb__MetricSeries m = PB__METRIC_SERIES__INIT;
	if (range_opts(argc, argv, series_usage, &a, (const char **)&m.metric) < 0)
		return EXIT_USAGE;
	m.locality = (char *)a.locality, m.from = (char *)a.from, m.to = (char *)a.to;
	m.as_recorded = (char *)a.as_recorded;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_SERIES;
	req.metric_series = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__MetricSeriesReply *r = f->response->metric_series;
		if (cli.json) {
			out_json(out_message(r));
		} else {
			if (!cli.csv && r->metric) /* which figures these are, as compare says */
				printf("%s (%s, %s is better) — %s\n", r->metric->name, out_enum(UNIT_D, r->metric->unit),
				       out_enum(BETTER_D, r->metric->better), a.locality);
			static const char *const h[] = { "PERIOD", "VALUE", "NUM/DEN", "VER", "RECORDED", "BY" };
			struct table *t = table_new(h, 6);
			for (size_t i = 0; i < r->n_measurements; i++) {
				Pb__Measurement *x = r->measurements[i];
				table_row(t, x->period, num(x->value), ratio_text(x), out_fmt("%lld", (long long)x->version),
					  x->recorded_at, x->recorded_by);
			}
			table_print(t);
		}
	}
	wire_free(f);
	return rc;
}

static const char compare_usage[] =
	"Usage: planboard metric compare CODE --locality L [--from YYYY-MM] [--to YYYY-MM]\n"
	"                                [--as-recorded YYYY-MM-DD]\n"
	"\n"
	"The locality against the rest of the county, month by month. REST pools the\n"
	"other localities (sum of numerators / sum of denominators), COUNTY pools every\n"
	"locality; a figure marked '*' is a mean of values because some locality gave no\n"
	"denominator. GAP = value - rest in the metric's unit (points for percentages);\n"
	"FAV says whether the gap is favourable given the metric's polarity; TREND is\n"
	"the direction since the locality's previous figure; RAG is against the target;\n"
	"MISSING counts the localities reporting this metric that had no figure.\n";

static const char *agg(protobuf_c_boolean has, double v, int method)
{
	if (!has)
		return NULL;
	return method == PB__METHOD__METHOD_MEAN ? out_fmt("%.1f*", v) : num(v);
}

static void print_compare(const Pb__MetricCompareReply *r)
{
	if (!cli.csv) /* a title line before the header would break the CSV for scripts */
		printf("%s (%s, %s is better) — %s against the rest of the county\n", r->metric->name,
		       out_enum(UNIT_D, r->metric->unit), out_enum(BETTER_D, r->metric->better), r->locality);
	static const char *const h[] = { "PERIOD", "VALUE", "REST", "COUNTY", "GAP", "CHANGE", "FAV", "TREND", "RAG", "MISSING" };
	struct table *t = table_new(h, 10);
	bool any_mean = false;
	for (size_t i = 0; i < r->n_points; i++) {
		const Pb__ComparePoint *p = r->points[i];
		any_mean |= p->rest_method == PB__METHOD__METHOD_MEAN || p->county_method == PB__METHOD__METHOD_MEAN;
		table_row(t, p->period, p->has_value ? num(p->value) : NULL,
			  agg(p->has_rest, p->rest, p->rest_method), agg(p->has_county, p->county, p->county_method),
			  p->has_gap ? out_fmt("%+.1f", p->gap) : NULL,
			  p->has_gap_change ? out_fmt("%+.1f", p->gap_change) : NULL,
			  p->has_favourable ? (p->favourable ? "yes" : "no") : NULL,
			  p->has_trend ? out_enum(&pb__trend__descriptor, p->trend) : NULL,
			  p->has_rag ? out_enum(&pb__rag__descriptor, p->rag) : NULL,
			  out_fmt("%u of %u", p->localities_missing, p->localities_total));
	}
	table_print(t);
	if (any_mean && !cli.csv)
		printf("* mean of the localities' values: not every locality gave a denominator\n");
}

static int metric_compare(int argc, char **argv)
{
	struct range_args a = { 0 };
	Pb__MetricCompare m = PB__METRIC_COMPARE__INIT;
	if (range_opts(argc, argv, compare_usage, &a, (const char **)&m.metric) < 0)
		return EXIT_USAGE;
	m.locality = (char *)a.locality, m.from = (char *)a.from, m.to = (char *)a.to;
	m.as_recorded = (char *)a.as_recorded;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_COMPARE;
	req.metric_compare = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->metric_compare));
		else
			print_compare(f->response->metric_compare);
	}
	wire_free(f);
	return rc;
}

/* ---------------------------------------------------------------- history */

static const char history_usage[] =
	"Usage: planboard metric history CODE --locality L --period YYYY-MM\n"
	"\n"
	"Every version of one figure: who recorded it, when, and the value.\n";

static int metric_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "locality", required_argument, 0, 'l' }, { "period", required_argument, 0, 'P' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__MetricHistory m = PB__METRIC_HISTORY__INIT;
	int c;
	while ((c = cli_getopt(argc, argv, "l:P:", opts, history_usage)) != -1) {
		switch (c) {
		case 'l': m.locality = optarg; break;
		case 'P': m.period = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(history_usage, "CODE is required");
	if (!m.locality || !m.period)
		return cli_usage_error(history_usage, "--locality and --period are required");
	m.metric = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_METRIC_HISTORY;
	req.metric_history = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__MetricHistoryReply *r = f->response->metric_history;
		if (cli.json) {
			out_json(out_messages((void *const *)r->versions, r->n_versions));
		} else {
			static const char *const h[] = { "VER", "RECORDED", "BY", "VALUE", "NUM/DEN" };
			struct table *t = table_new(h, 5);
			for (size_t i = 0; i < r->n_versions; i++) {
				Pb__Measurement *x = r->versions[i];
				table_row(t, out_fmt("%lld", (long long)x->version), x->recorded_at, x->recorded_by,
					  num(x->value), ratio_text(x));
			}
			table_print(t);
		}
	}
	wire_free(f);
	return rc;
}

int cmd_metric(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "list", metric_list, "list the metrics" },
		{ "define", metric_define, "define or redefine a metric (admin, performance)" },
		{ "submit", metric_submit, "submit a locality's figure for a month" },
		{ "series", metric_series, "a locality's monthly figures" },
		{ "compare", metric_compare, "a locality against the rest of the county" },
		{ "history", metric_history, "every version of one figure" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("metric", sub, argc, argv,
			      "Performance metrics and each locality's monthly figures.\n");
}

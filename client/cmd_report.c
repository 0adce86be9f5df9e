/* cmd_report.c: planboard report — the committee's progress report in
 * Markdown, HTML or JSON, to stdout or a file. */
#include "cli.h"
#include "util.h"
#include "validate.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
	"Usage: planboard report --plan P [--as-of YYYY-MM-DD] [--as-recorded YYYY-MM-DD]\n"
	"                        [--format md|html|json] [-o FILE]\n"
	"\n"
	"Write the plan's progress report for the scrutiny committee: summary, progress\n"
	"by theme, each metric against the rest of the county, audits, risks and issues\n"
	"needing attention, the board, meetings and the next review with its criteria.\n"
	"--as-of: the date the report is about (default today). --as-recorded: write it\n"
	"from what planboard knew at the end of that date, so a past report is\n"
	"reproduced exactly after later corrections. HTML is one self-contained file\n"
	"with inline SVG charts; JSON holds every computed figure. -o writes FILE\n"
	"instead of printing.\n";

static int write_out(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	if (f == NULL)
		return cli_error(EXIT_INVALID, "cannot write '%s': %s", path, strerror(errno));
	bool ok = fwrite(data, 1, len, f) == len;
	if (path)
		ok = fclose(f) == 0 && ok;
	if (!ok)
		return cli_error(EXIT_SERVER, "writing the report failed: %s", strerror(errno));
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, 0, 'P' }, { "as-of", required_argument, 0, 'a' },
		{ "as-recorded", required_argument, 0, 'R' }, { "format", required_argument, 0, 'f' },
		{ "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ReportRequest m = PB__REPORT_REQUEST__INIT;
	const char *path = NULL;
	int c, v;
	while ((c = cli_getopt(argc, argv, "P:a:R:f:o:", opts, report_usage)) != -1) {
		switch (c) {
		case 'P': m.plan = optarg; break;
		case 'a': m.as_of = optarg; break;
		case 'R': m.as_recorded = optarg; break;
		case 'f':
			if ((v = parse_enum(&pb__report_format__descriptor, "format", optarg)) < 0)
				return EXIT_USAGE;
			m.has_format = 1;
			m.format = v;
			break;
		case 'o': path = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(report_usage, "unexpected argument '%s'", argv[optind]);
	if (m.plan == NULL)
		return cli_usage_error(report_usage, "--plan is required");
	if (m.as_of && !valid_date(m.as_of))
		return cli_usage_error(report_usage, "--as-of '%s' is not a date YYYY-MM-DD", m.as_of);
	if (cli.json && !m.has_format) { /* --json asks for the JSON report */
		m.has_format = 1;
		m.format = PB__REPORT_FORMAT__REPORT_FORMAT_JSON;
	}
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_REPORT;
	req.report = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__ReportReply *r = f->response->report;
		uint8_t *data = r->content.data;
		size_t len = r->content.len;
		char *pretty = NULL;
		if (r->format == PB__REPORT_FORMAT__REPORT_FORMAT_JSON) { /* sent compact: indent for people */
			json_t *doc = json_loadb((const char *)data, len, 0, NULL);
			pretty = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
			json_decref(doc);
			if (pretty) {
				data = (uint8_t *)pretty;
				len = strlen(pretty);
			}
		}
		rc = write_out(path, data, len);
		if (rc == EXIT_OK && pretty && !path)
			putchar('\n');
		free(pretty);
		/* the size of what was written (pretty JSON is larger than what came) */
		if (rc == EXIT_OK && path && !cli.json)
			fprintf(stderr, "Wrote %s (%zu bytes)\n", path, len);
	}
	wire_free(f);
	return rc;
}

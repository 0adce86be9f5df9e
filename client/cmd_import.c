/* cmd_import.c: import FILE --kind K, export --kind K. The CSV travels
 * whole in one request so the server can apply it in one transaction. */
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define KIND_D (&pb__import_kind__descriptor)
/* What fits in a 1 MiB frame with the request around it. */
#define IMPORT_MAX (1024 * 1024 - 4096)

static const char import_usage[] =
	"Usage: planboard import FILE --kind measurements|audits|actions|dfe-csww\n"
	"                        [--dry-run] [--partial] [--region NAME]\n"
	"\n"
	"Import a CSV file whose first line names the columns ('-' reads stdin):\n"
	"  measurements  metric,locality,period,value[,numerator,denominator]\n"
	"  audits        locality,period,required,completed,on_time[,outstanding,good,\n"
	"                requires_improvement,inadequate,moderated]\n"
	"  actions       plan,ref,theme,title[,description,owner,locality,source,due,\n"
	"                status,rag] (admin; adds new actions or updates existing ones)\n"
	"  dfe-csww      the DfE children's social work workforce statistics: each local\n"
	"                authority becomes a locality, each year the period YYYY-09;\n"
	"                --region keeps one region (e.g. 'South West')\n"
	"Nothing is applied if any row is bad (every bad row is listed with its line),\n"
	"unless --partial, which applies the good rows. --dry-run checks everything and\n"
	"applies nothing. Admins may add --recorded-at to date historical figures.\n";

static int read_file(const char *path, struct buf *b)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL)
		return cli_error(EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 && b->len <= IMPORT_MAX)
		buf_append(b, chunk, n);
	int bad = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	if (bad)
		return cli_error(EXIT_USAGE, "cannot read %s", path);
	if (b->len > IMPORT_MAX)
		return cli_error(EXIT_INVALID, "%s is larger than %d bytes: split it", path, IMPORT_MAX);
	return EXIT_OK;
}

/* "row" or "rows": a one-row import reads "1 row read". */
#define PLURAL(n) ((n) == 1 ? "" : "s")

static void print_import(const Pb__ImportReply *r)
{
	for (size_t i = 0; i < r->n_errors; i++)
		fprintf(stderr, "line %u: %s\n", r->errors[i]->line, r->errors[i]->reason);
	if (r->errors_omitted)
		fprintf(stderr, "... and %u more bad rows (too many to list)\n", r->errors_omitted);
	printf("%s%u row%s read, %u %s, %u bad", r->dry_run ? "Dry run: " : "", r->rows, PLURAL(r->rows),
	       r->applied, r->dry_run ? "would apply" : "applied", r->bad);
	if (r->measurements)
		printf(", %u figure%s %s", r->measurements, PLURAL(r->measurements),
		       r->dry_run ? "to store" : "stored");
	if (r->unchanged)
		printf(", %u unchanged", r->unchanged);
	if (r->markers_skipped)
		printf(", %u statistical marker%s skipped", r->markers_skipped, PLURAL(r->markers_skipped));
	if (r->localities_created)
		printf(", %u localit%s %s", r->localities_created, r->localities_created == 1 ? "y" : "ies",
		       r->dry_run ? "to create" : "created");
	printf("\n");
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, 0, 'k' }, { "dry-run", no_argument, 0, 'n' },
		{ "partial", no_argument, 0, 'P' }, { "region", required_argument, 0, 'r' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ImportRequest m = PB__IMPORT_REQUEST__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "k:nPr:", opts, import_usage)) != -1) {
		switch (c) {
		case 'k':
			if ((v = parse_enum(KIND_D, "--kind", optarg)) < 0)
				return EXIT_USAGE;
			m.has_kind = 1, m.kind = v;
			break;
		case 'n': m.has_dry_run = m.dry_run = 1; break;
		case 'P': m.has_partial = m.partial = 1; break;
		case 'r': m.region = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(import_usage, argc - optind < 1 ? "FILE is required" : "unexpected argument '%s'",
				       argv[argc - 1]);
	if (!m.has_kind)
		return cli_usage_error(import_usage, "--kind is required");
	struct buf b = { 0 };
	int rc = read_file(argv[optind], &b);
	if (rc != EXIT_OK) {
		buf_free(&b);
		return rc;
	}
	m.has_csv = 1;
	m.csv.data = b.data;
	m.csv.len = b.len;
	m.file_name = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_IMPORT;
	req.import = &m;
	Pb__ServerFrame *f;
	rc = cli_rpc(&req, &f);
	buf_free(&b);
	/* A refused import still reports its bad rows. */
	if (f && f->response && f->response->body_case == PB__RESPONSE__BODY_IMPORT) {
		if (cli.json)
			out_json(out_message(f->response->import));
		else
			print_import(f->response->import);
	}
	wire_free(f);
	return rc;
}

static const char exportusage[] =
	"Usage: planboard export --kind measurements|audits|actions [-o FILE]\n"
	"                        [--metric M] [--locality L] [--plan P]\n"
	"\n"
	"Write CSV in the columns 'planboard import' reads (stdout by default), so\n"
	"an export imports back unchanged.\n";

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, 0, 'k' }, { "output", required_argument, 0, 'o' },
		{ "metric", required_argument, 0, 'm' }, { "locality", required_argument, 0, 'l' },
		{ "plan", required_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__ExportRequest m = PB__EXPORT_REQUEST__INIT;
	const char *out = NULL;
	int c, v;
	while ((c = cli_getopt(argc, argv, "k:o:m:l:P:", opts, exportusage)) != -1) {
		switch (c) {
		case 'k':
			if ((v = parse_enum(KIND_D, "--kind", optarg)) < 0)
				return EXIT_USAGE;
			m.has_kind = 1, m.kind = v;
			break;
		case 'o': out = optarg; break;
		case 'm': m.metric = optarg; break;
		case 'l': m.locality = optarg; break;
		case 'P': m.plan = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(exportusage, "unexpected argument '%s'", argv[optind]);
	if (!m.has_kind)
		return cli_usage_error(exportusage, "--kind is required");
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_EXPORT;
	req.export = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		ProtobufCBinaryData *csv = &f->response->export->csv;
		FILE *fp = out ? fopen(out, "wb") : stdout;
		if (fp == NULL) {
			rc = cli_error(EXIT_USAGE, "cannot write %s: %s", out, strerror(errno));
		} else {
			bool ok = fwrite(csv->data, 1, csv->len, fp) == csv->len;
			if (out && fclose(fp) != 0)
				ok = false;
			if (!ok)
				rc = cli_error(EXIT_USAGE, "cannot write %s", out ? out : "stdout");
		}
	}
	wire_free(f);
	return rc;
}

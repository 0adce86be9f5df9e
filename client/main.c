/* main.c: planboard's global options and command table. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cli cli;

static const struct cmd commands[] = {
	{ "login", cmd_login, "log in and save a token for later commands" },
	{ "logout", cmd_logout, "revoke the saved token" },
	{ "whoami", cmd_whoami, "show who you are logged in as" },
	{ "status", cmd_status, "show the server's version and state" },
	{ "locality", cmd_locality, "list or add localities" },
	{ "plan", cmd_plan, "list, show or add improvement plans" },
	{ "theme", cmd_theme, "list or add a plan's themes (core issues)" },
	{ "action", cmd_action, "list, show, add and update actions; their history" },
	{ "user", cmd_user, "add, list, disable users; change passwords" },
	{ "metric", cmd_metric, "metrics, monthly figures, locality-vs-county comparison" },
	{ "audit", cmd_audit, "case-audit rounds: submit and list" },
	{ "import", cmd_import, "import a CSV file (measurements, audits, actions, dfe-csww)" },
	{ "export", cmd_export, "export measurements, audits or actions as CSV" },
	{ "risk", cmd_risk, "the risk and issue register: list, show, add, update" },
	{ "board", cmd_board, "the improvement board, its meetings, reviews and criteria" },
	{ "report", cmd_report, "write the committee's progress report (md, html, json)" },
	{ "watch", cmd_watch, "print each change as it is committed" },
	{ "batch", cmd_batch, "run a file of commands over one connection" },
	{ "admin", cmd_admin, "server administration: stats, backup" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: planboard [GLOBAL OPTIONS] COMMAND [SUBCOMMAND] [OPTIONS]\n"
		"\n"
		"Client of planboardd, the children's social care improvement plan server.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Global options:\n"
		"  -H, --host HOST          server host (default 127.0.0.1; env PLANBOARD_HOST)\n"
		"  -p, --port PORT          server port (default 7420; env PLANBOARD_PORT)\n"
		"      --tls                use TLS\n"
		"      --ca FILE            CA certificate to verify the server with\n"
		"  -u, --user NAME          user for login (env PLANBOARD_USER)\n"
		"      --json               print exactly one JSON value on stdout\n"
		"      --csv                print tables as CSV\n"
		"      --idempotency-key K  key for a write, so a retry applies once\n"
		"      --recorded-at TIME   admins loading history: when the change was\n"
		"                           originally recorded (YYYY-MM-DDTHH:MM:SSZ)\n"
		"      --timeout MS         connect and reply timeout (default 10000)\n"
		"  -h, --help               show this help ('planboard COMMAND --help' for more)\n"
		"  -V, --version            show the version\n"
		"\n"
		"Environment: PLANBOARD_HOST, PLANBOARD_PORT, PLANBOARD_USER, PLANBOARD_PASSWORD\n"
		"(log in without a saved token), PLANBOARD_TOKEN (use this token).\n"
		"\n"
		"Exit codes: 0 ok, 1 usage, 2 cannot connect or protocol error,\n"
		"3 unauthenticated or forbidden, 4 not found, 5 conflict, 6 invalid argument,\n"
		"7 server error.\n");
}

int cli_usage_error(const char *usage_text, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("planboard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (usage_text)
		fprintf(stderr, "%s", usage_text);
	return EXIT_USAGE;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       const char *usage_text)
{
	char opts[128];
	snprintf(opts, sizeof opts, ":h%s", shortopts);
	int c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == 'h') {
		fputs(usage_text, stdout);
		exit(EXIT_OK);
	}
	if (c == '?') {
		if (optopt)
			cli_usage_error(usage_text, "unknown option '-%c'", optopt);
		else
			cli_usage_error(usage_text, "unknown option '%s'", argv[optind - 1]);
	} else if (c == ':') {
		cli_usage_error(usage_text, "option '%s' needs a value", argv[optind - 1]);
		c = '?';
	}
	return c;
}

int cli_subcommand(const char *group, const struct cmd *table, int argc, char **argv,
		   const char *group_help)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, "Usage: planboard %s SUBCOMMAND [OPTIONS]\n\n%s\nSubcommands:\n", group, group_help);
		for (const struct cmd *c = table; c->name; c++)
			fprintf(out, "  %-10s %s\n", c->name, c->summary);
		fprintf(out, "\n'planboard %s SUBCOMMAND --help' describes each.\n", group);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (const struct cmd *c = table; c->name; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			optind = 0;
			return c->fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "planboard: unknown %s subcommand '%s' (see 'planboard %s --help')\n", group,
		argv[1], group);
	return EXIT_USAGE;
}

cmd_fn cli_find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn;
	return NULL;
}

int main(int argc, char **argv)
{
	cli.host = getenv("PLANBOARD_HOST") ? getenv("PLANBOARD_HOST") : "127.0.0.1";
	cli.port = 7420;
	cli.fd = -1;
	cli.timeout_ms = 10000;
	cli.user = getenv("PLANBOARD_USER");
	const char *port_env = getenv("PLANBOARD_PORT");
	if (port_env) {
		char *end;
		long p = strtol(port_env, &end, 10);
		if (*end || p < 1 || p > 65535)
			return cli_usage_error(NULL, "PLANBOARD_PORT '%s' is not a port number", port_env);
		cli.port = (int)p;
	}
	enum { O_TLS = 256, O_CA, O_JSON, O_CSV, O_IDEM, O_RECORDED, O_TIMEOUT };
	static const struct option opts[] = {
		{ "host", required_argument, 0, 'H' },
		{ "port", required_argument, 0, 'p' },
		{ "user", required_argument, 0, 'u' },
		{ "tls", no_argument, 0, O_TLS },
		{ "ca", required_argument, 0, O_CA },
		{ "json", no_argument, 0, O_JSON },
		{ "csv", no_argument, 0, O_CSV },
		{ "idempotency-key", required_argument, 0, O_IDEM },
		{ "recorded-at", required_argument, 0, O_RECORDED },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+H:p:u:hV", opts, NULL)) != -1) {
		char *end;
		long v;
		switch (c) {
		case 'H': cli.host = optarg; break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 65535)
				return cli_usage_error(NULL, "--port '%s' is not a port number", optarg);
			cli.port = (int)v;
			break;
		case 'u': cli.user = optarg; break;
		case O_TLS: cli.tls = true; break;
		case O_CA: cli.ca = optarg; cli.tls = true; break;
		case O_JSON: cli.json = true; break;
		case O_CSV: cli.csv = true; break;
		case O_IDEM: cli.idempotency_key = optarg; break;
		case O_RECORDED: cli.recorded_at = optarg; break;
		case O_TIMEOUT:
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 3600000)
				return cli_usage_error(NULL, "--timeout '%s' is not a number of milliseconds", optarg);
			cli.timeout_ms = (int)v;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("planboard %s\n", PLANBOARD_VERSION); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (cli.json && cli.csv)
		return cli_usage_error(NULL, "--json and --csv cannot be used together");
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		if (strcmp(commands[i].name, name) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0;
			int rc = commands[i].fn(sub_argc, sub_argv);
			cli_close();
			arena_free(&cli.arena);
			return rc;
		}
	}
	fprintf(stderr, "planboard: unknown command '%s' (see 'planboard --help')\n", name);
	return EXIT_USAGE;
}

/* cmd_admin.c: planboard admin SUBCOMMAND: server administration (admins
 * only). Add a subcommand with one function and one line in the table at
 * the end. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char stats_usage[] =
	"Usage: planboard admin stats\n"
	"\n"
	"Show the server's counters (admins only): commits and write requests since\n"
	"start and how many requests shared each commit (group commit), connections,\n"
	"watchers, the last event number, watchers dropped for falling behind.\n";

static int admin_stats(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, stats_usage) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(stats_usage, "unexpected argument '%s'", argv[optind]);
	Pb__AdminStats m = PB__ADMIN_STATS__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ADMIN_STATS;
	req.admin_stats = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		const Pb__AdminStatsReply *r = f->response->admin_stats;
		if (cli.json) {
			out_json(out_message(r));
		} else {
			printf("commits              %llu\n", (unsigned long long)r->commits);
			printf("write requests       %llu\n", (unsigned long long)r->write_requests);
			printf("requests per commit  %.2f\n", r->requests_per_commit);
			printf("checkpoints          %llu\n", (unsigned long long)r->checkpoints);
			printf("requests             %llu\n", (unsigned long long)r->requests);
			printf("connections          %u\n", r->connections);
			printf("watchers             %u\n", r->watchers);
			printf("watchers dropped     %llu\n", (unsigned long long)r->watchers_dropped);
			printf("events               %lld\n", (long long)r->events);
			printf("uptime seconds       %lld\n", (long long)r->uptime_seconds);
		}
	}
	wire_free(f);
	return rc;
}

static const char backup_usage[] =
	"Usage: planboard admin backup PATH\n"
	"\nCopy the live database to PATH on the server's machine (admin), with SQLite's\n"
	"online backup API while clients keep writing. PATH must be absolute, must not\n"
	"exist yet, and the server's user must be able to create it; the copy is made\n"
	"readable by that user only. It holds every write acknowledged before the\n"
	"command. Check a copy with 'planboardd --check --db PATH'; restore by starting\n"
	"planboardd on it (see docs/OPERATIONS.md).\n";

static int admin_backup(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int c;
	while ((c = cli_getopt(argc, argv, "", opts, backup_usage)) != -1)
		return EXIT_USAGE;
	if (argc - optind != 1)
		return cli_usage_error(backup_usage, "give one PATH");
	Pb__AdminBackup m = PB__ADMIN_BACKUP__INIT;
	m.path = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_ADMIN_BACKUP;
	req.admin_backup = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		const Pb__AdminBackupReply *r = f->response->admin_backup;
		if (cli.json)
			out_json(out_message(r));
		else
			printf("Backed up to %s (%lld pages, %lld bytes)\n", r->path, (long long)r->pages,
			       (long long)r->bytes);
	}
	wire_free(f);
	return rc;
}

int cmd_admin(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "stats", admin_stats, "commits, requests per commit, connections, watchers, events" },
		{ "backup", admin_backup, "copy the live database to a file on the server" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("admin", sub, argc, argv, "Server administration (admins only).\n");
}

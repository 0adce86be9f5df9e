/* cmd_session.c: login, logout, whoami, status. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char login_usage[] =
	"Usage: planboard [-u USER] login [--user USER]\n"
	"\n"
	"Log in with a password and save a token for later commands (mode 0600, in\n"
	"$XDG_CONFIG_HOME/planboard or ~/.config/planboard, one per server). The\n"
	"password is asked on the terminal, or read from PLANBOARD_PASSWORD, or as\n"
	"one line of stdin when it is not a terminal.\n";

int cmd_login(int argc, char **argv)
{
	static const struct option opts[] = { { "user", required_argument, 0, 'u' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int c;
	while ((c = cli_getopt(argc, argv, "u:", opts, login_usage)) != -1) {
		if (c == 'u')
			cli.user = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage_error(login_usage, "unexpected argument '%s'", argv[optind]);
	if (cli.user == NULL)
		return cli_usage_error(login_usage, "give the user with --user or PLANBOARD_USER");
	const char *env_pw = getenv("PLANBOARD_PASSWORD");
	char *pw = env_pw && *env_pw ? xstrdup(env_pw) : cli_read_password("Password: ", false);
	if (pw == NULL)
		return cli_error(EXIT_USAGE, "no password given");
	Pb__Login login = PB__LOGIN__INIT;
	login.user = (char *)cli.user;
	login.password = pw;
	login.has_issue_token = 1;
	login.issue_token = 1;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOGIN;
	req.login = &login;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	memset(pw, 0, strlen(pw));
	free(pw);
	if (rc == EXIT_OK) {
		Pb__LoginReply *r = f->response->login;
		if (r == NULL || r->token == NULL) {
			rc = cli_error(EXIT_CONNECT, "the server sent no token");
		} else if (cli_save_token(r->token) != 0) {
			rc = EXIT_SERVER;
		} else if (cli.json) {
			json_t *o = out_message(r->user);
			json_object_set_new(o, "expires_at", json_string(r->expires_at));
			out_json(o);
		} else {
			printf("Logged in to %s:%d as %s (%s%s%s) until %s\n", cli.host, cli.port, r->user->name,
			       out_enum(&pb__role__descriptor, r->user->role), r->user->locality ? ", " : "",
			       r->user->locality ? r->user->locality : "", r->expires_at);
		}
	}
	wire_free(f);
	return rc;
}

static const char logout_usage[] =
	"Usage: planboard logout\n\nRevoke the saved token on the server and delete it here.\n";

int cmd_logout(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, logout_usage) != -1 || optind < argc)
		return optind < argc ? cli_usage_error(logout_usage, "unexpected argument") : EXIT_USAGE;
	char *tok = cli_load_token();
	if (tok == NULL)
		return cli_error(EXIT_OK, "not logged in to %s:%d", cli.host, cli.port);
	free(tok);
	Pb__Logout lo = PB__LOGOUT__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_LOGOUT;
	req.logout = &lo;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	wire_free(f);
	/* Forget the token even if the server had already dropped it. */
	if (rc == EXIT_OK || rc == EXIT_AUTH) {
		cli_forget_token();
		if (!cli.json)
			printf("Logged out of %s:%d\n", cli.host, cli.port);
		else
			out_json(json_object());
		return EXIT_OK;
	}
	return rc;
}

static const char whoami_usage[] = "Usage: planboard whoami\n\nShow the user, role and locality you are logged in as.\n";

int cmd_whoami(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, whoami_usage) != -1 || optind < argc)
		return optind < argc ? cli_usage_error(whoami_usage, "unexpected argument") : EXIT_USAGE;
	Pb__Whoami w = PB__WHOAMI__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_WHOAMI;
	req.whoami = &w;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__User *u = f->response->whoami->user;
		if (cli.json)
			out_json(out_message(u));
		else
			printf("%s (%s%s%s)\n", u->name, out_enum(&pb__role__descriptor, u->role),
			       u->locality ? ", " : "", u->locality ? u->locality : ""); /* as login prints it */
	}
	wire_free(f);
	return rc;
}

static const char status_usage[] = "Usage: planboard status\n\nShow the server's version, uptime, schema and connections.\n";

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, status_usage) != -1 || optind < argc)
		return optind < argc ? cli_usage_error(status_usage, "unexpected argument") : EXIT_USAGE;
	Pb__ServerStatusRequest s = PB__SERVER_STATUS_REQUEST__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_SERVER_STATUS;
	req.server_status = &s;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__ServerStatusReply *r = f->response->server_status;
		if (cli.json) {
			out_json(out_message(r));
		} else {
			printf("server       %s:%d\n", cli.host, cli.port);
			printf("version      %s (protocol %u, schema %u)\n", r->server_version, r->protocol_version,
			       r->schema_version);
			printf("server time  %s\n", r->server_time);
			printf("uptime       %llds\n", (long long)r->uptime_seconds);
			printf("connections  %u\n", r->connections);
			printf("last event   %lld\n", (long long)r->last_event_seq);
		}
	}
	wire_free(f);
	return rc;
}

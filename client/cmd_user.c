/* cmd_user.c: user add, list, disable, passwd. */
#include "cli.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char add_usage[] =
	"Usage: planboard user add NAME --role admin|performance|locality|viewer [--locality L]\n"
	"\nAdd a user (admin). The password is asked twice on the terminal, or read as\n"
	"one line from stdin when it is not a terminal. It needs 10 or more characters\n"
	"mixing at least two of: lower case, upper case, digits, symbols.\n";

static int user_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, 0, 'r' }, { "locality", required_argument, 0, 'l' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	Pb__User u = PB__USER__INIT;
	int c, v;
	while ((c = cli_getopt(argc, argv, "r:l:", opts, add_usage)) != -1) {
		switch (c) {
		case 'r':
			if ((v = parse_enum(&pb__role__descriptor, "role", optarg)) < 0)
				return EXIT_USAGE;
			u.has_role = 1;
			u.role = v;
			break;
		case 'l': u.locality = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(add_usage, "give one user NAME");
	if (!u.has_role)
		return cli_usage_error(add_usage, "--role is required");
	u.name = argv[optind];
	char *pw = cli_read_password("New password: ", true);
	if (pw == NULL)
		return cli_error(EXIT_USAGE, "no password given");
	Pb__UserAdd m = PB__USER_ADD__INIT;
	m.user = &u;
	m.password = pw;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_USER_ADD;
	req.user_add = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	memset(pw, 0, strlen(pw));
	free(pw);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->user->user));
		else
			printf("Added user %s (%s%s%s)\n", u.name, out_enum(&pb__role__descriptor, u.role),
			       u.locality ? ", " : "", u.locality ? u.locality : "");
	}
	wire_free(f);
	return rc;
}

static const char list_usage[] = "Usage: planboard user list\n\nList users (admin).\n";

static int user_list(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, list_usage) != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(list_usage, "unexpected argument '%s'", argv[optind]);
	Pb__UserList m = PB__USER_LIST__INIT;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_USER_LIST;
	req.user_list = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		Pb__UserListReply *r = f->response->user_list;
		if (cli.json) {
			out_json(out_messages((void *const *)r->users, r->n_users));
		} else {
			static const char *const h[] = { "NAME", "ROLE", "LOCALITY", "DISABLED", "CREATED" };
			struct table *t = table_new(h, 5);
			for (size_t i = 0; i < r->n_users; i++)
				table_row(t, r->users[i]->name, out_enum(&pb__role__descriptor, r->users[i]->role),
					  r->users[i]->locality, r->users[i]->disabled ? "yes" : "no", r->users[i]->created_at);
			table_print(t);
		}
	}
	wire_free(f);
	return rc;
}

static const char disable_usage[] =
	"Usage: planboard user disable NAME\n\nDisable a user and revoke all of their tokens at once (admin).\n";

static int user_disable(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, disable_usage) != -1)
		return EXIT_USAGE;
	if (argc - optind != 1)
		return cli_usage_error(disable_usage, "give one user NAME");
	Pb__UserDisable m = PB__USER_DISABLE__INIT;
	m.name = argv[optind];
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_USER_DISABLE;
	req.user_disable = &m;
	Pb__ServerFrame *f;
	int rc = cli_rpc(&req, &f);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->user->user));
		else
			printf("Disabled user %s; their tokens are revoked\n", m.name);
	}
	wire_free(f);
	return rc;
}

static const char passwd_usage[] =
	"Usage: planboard user passwd [NAME]\n"
	"\nChange your own password, or (admin) another user's. The new password is\n"
	"asked twice on the terminal, or read as one line from stdin. Every other\n"
	"login of that user is revoked.\n";

static int user_passwd(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	if (cli_getopt(argc, argv, "", opts, passwd_usage) != -1)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cli_usage_error(passwd_usage, "give at most one user NAME");
	Pb__UserPasswd m = PB__USER_PASSWD__INIT;
	m.name = optind < argc ? argv[optind] : NULL;
	/* Connect first so a login problem is reported before the prompt. */
	int rc = cli_connect(true);
	if (rc != EXIT_OK)
		return rc;
	char *pw = cli_read_password("New password: ", true);
	if (pw == NULL)
		return cli_error(EXIT_USAGE, "no password given");
	m.password = pw;
	Pb__Request req = PB__REQUEST__INIT;
	req.body_case = PB__REQUEST__BODY_USER_PASSWD;
	req.user_passwd = &m;
	Pb__ServerFrame *f;
	rc = cli_rpc(&req, &f);
	memset(pw, 0, strlen(pw));
	free(pw);
	if (rc == EXIT_OK) {
		if (cli.json)
			out_json(out_message(f->response->user->user));
		else
			printf("Password changed for %s\n", f->response->user->user->name);
	}
	wire_free(f);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	static const struct cmd sub[] = {
		{ "add", user_add, "add a user (admin)" },
		{ "list", user_list, "list users (admin)" },
		{ "disable", user_disable, "disable a user, revoking their tokens (admin)" },
		{ "passwd", user_passwd, "change a password" },
		{ 0, 0, 0 },
	};
	return cli_subcommand("user", sub, argc, argv, "User accounts and roles.\n");
}

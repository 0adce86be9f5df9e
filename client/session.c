/* session.c: saved login tokens (one file per server, mode 0600, in the
 * user's config folder) and password prompts. */
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static char *config_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg)
		return xasprintf("%s/planboard", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.config/planboard", home && *home ? home : ".");
}

char *cli_token_path(void)
{
	char *dir = config_dir();
	char *path = xasprintf("%s/token-%s-%d", dir, cli.host, cli.port);
	free(dir);
	/* Host names can hold ':' (IPv6); keep the file name plain. */
	for (char *p = strrchr(path, '/') + 1; *p; p++)
		if (*p == ':' || *p == '/')
			*p = '_';
	return path;
}

char *cli_load_token(void)
{
	char *path = cli_token_path();
	FILE *f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return NULL;
	char line[256];
	char *tok = NULL;
	if (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line)
			tok = xstrdup(line);
	}
	fclose(f);
	return tok;
}

static int mkdir_p(const char *dir)
{
	char *tmp = xstrdup(dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
			free(tmp);
			return -1;
		}
		*p = '/';
	}
	int rc = mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
	free(tmp);
	return rc;
}

int cli_save_token(const char *token)
{
	char *dir = config_dir();
	char *path = cli_token_path();
	char *tmp = xasprintf("%s.tmp", path);
	int rc = -1;
	if (mkdir_p(dir) == 0) {
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			size_t n = strlen(token);
			if (fchmod(fd, 0600) == 0 && write(fd, token, n) == (ssize_t)n &&
			    write(fd, "\n", 1) == 1 && fsync(fd) == 0 && close(fd) == 0 &&
			    rename(tmp, path) == 0)
				rc = 0;
			else
				close(fd);
		}
	}
	if (rc != 0)
		cli_error(0, "cannot save the token to %s: %s", path, strerror(errno));
	free(dir);
	free(path);
	free(tmp);
	return rc;
}

int cli_forget_token(void)
{
	char *path = cli_token_path();
	int rc = unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	free(path);
	return rc;
}

static char *read_line(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, in);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *prompt_noecho(const char *prompt)
{
	struct termios old, quiet;
	/* Echo off (TCSAFLUSH drops anything typed so far) before the prompt
	 * shows, as getpass(3) does: what is typed after the prompt is kept. */
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	char *line = read_line(stdin);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return line;
}

char *cli_read_password(const char *prompt, bool confirm)
{
	if (!isatty(STDIN_FILENO))
		return read_line(stdin);
	char *pw = prompt_noecho(prompt);
	if (pw == NULL || !confirm)
		return pw;
	char *again = prompt_noecho("Again: ");
	if (again == NULL || strcmp(pw, again) != 0) {
		cli_error(0, "the passwords do not match");
		free(pw);
		free(again);
		return NULL;
	}
	free(again);
	return pw;
}

/* writes.c: which requests change data (so they get an idempotency key and
 * may be retried after a dropped connection, and belong in a batch), and
 * the keys themselves. Logout is left out on purpose: its retry would log
 * in with the token it has just revoked. */
#include "cli.h"

#include <sodium.h>

static const int write_cases[] = {
	PB__REQUEST__BODY_LOCALITY_ADD, PB__REQUEST__BODY_PLAN_ADD, PB__REQUEST__BODY_THEME_ADD,
	PB__REQUEST__BODY_ACTION_ADD, PB__REQUEST__BODY_ACTION_UPDATE, PB__REQUEST__BODY_USER_ADD,
	PB__REQUEST__BODY_USER_DISABLE, PB__REQUEST__BODY_USER_PASSWD, PB__REQUEST__BODY_METRIC_DEFINE,
	PB__REQUEST__BODY_METRIC_SUBMIT, PB__REQUEST__BODY_AUDIT_SUBMIT, PB__REQUEST__BODY_IMPORT,
	PB__REQUEST__BODY_RISK_ADD, PB__REQUEST__BODY_RISK_UPDATE, PB__REQUEST__BODY_BOARD_SET,
	PB__REQUEST__BODY_BOARD_MEMBER_ADD, PB__REQUEST__BODY_MEETING_ADD, PB__REQUEST__BODY_REVIEW_ADD,
	PB__REQUEST__BODY_CRITERION_ADD, PB__REQUEST__BODY_CRITERION_JUDGE,
};

bool cli_is_write(int body_case)
{
	for (size_t i = 0; i < sizeof write_cases / sizeof write_cases[0]; i++)
		if (write_cases[i] == body_case)
			return true;
	return false;
}

/* The only reads a command may make while its batch line is parsed: the
 * current version an update is based on. Anything else (a report, a
 * backup, a login) would run for real while the batch is only being
 * prepared, even with --dry-run. */
bool cli_batch_read_ok(int body_case)
{
	return body_case == PB__REQUEST__BODY_ACTION_SHOW || body_case == PB__REQUEST__BODY_RISK_SHOW;
}

void cli_new_key(char out[CLI_KEY_LEN])
{
	uint8_t raw[16];
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, CLI_KEY_LEN, raw, sizeof raw);
}

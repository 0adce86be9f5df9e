/* action_rows.h: the current row of recently written actions, kept in
 * memory for the writer, so that an update finds the action it changes
 * without a query (the look-up by ref joins five tables: a fifth of the
 * loop's work per update). Written through: a successful update keeps the
 * row it wrote, so a busy action is read from the database once.
 *
 * Never stale, as long as the server owns the database (the look-up would
 * see another process's change, a kept row would not): the writer
 * connection's update hook forgets an action whenever its row is written
 * by any statement (and all rows when an action is added, a plan, theme
 * or locality row changes), and every rollback on the writer, whole or to
 * a savepoint, drops everything (store_rollbacks: run SQL through the
 * store's functions). Keyed like the look-up: plan code as asked (or none)
 * and ref. An action's ref and plan never change; a handler that changed
 * them would have to clear all (another action's kept key could then be
 * its). The writer's update hook is this module's. One per server (struct
 * server); loop thread only. */
#ifndef PLANBOARD_ACTION_ROWS_H
#define PLANBOARD_ACTION_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "planboard.pb-c.h"

struct store;

/* An action's current row found by plan code (optional) + ref, with the
 * ids an update writes back into its version row. */
struct action_row {
	Pb__Action *x;
	int64_t id, theme_id, locality_id, assigned_id;
	int64_t version_row;   /* the id of its current version's row */
};

struct action_rows;

/* Kept for the writer store `st`, whose update hook it takes. */
struct action_rows *action_rows_new(struct store *st);
void action_rows_free(struct action_rows *r);   /* NULL is fine */

/* True and *out filled (copied into the arena a; overdue is not set) if
 * the row of (plan, ref) is kept. */
bool action_rows_get(struct action_rows *r, const char *plan, const char *ref, struct arena *a,
		     struct action_row *out);
/* Keep row as the current state of (plan, ref): call only once it is
 * written in the open transaction, after the writes that made it. */
void action_rows_put(struct action_rows *r, const char *plan, const char *ref, const struct action_row *row);

#endif

/* test_action_rows.c: server/action_rows.c on a real database: a kept row
 * comes back field for field, as a copy; it is keyed by the plan as asked
 * and the ref; writing its action row (by any statement) forgets it,
 * adding an action or changing a plan, theme or locality row forgets all;
 * every rollback on the store (whole, automatic or to a savepoint, through
 * the store's functions or SQL) forgets all; a row with very long text is
 * not kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "action_rows.h"
#include "store.h"
#include "util.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct action_rows *rows;
	struct arena arena;
};

static void exec_ok(struct store *st, const char *sql)
{
	assert_int_equal(store_exec(st, sql), SQLITE_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/planboard-rows.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
	char *err = NULL;
	f->st = store_open(f->path, &err);
	if (f->st == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		free(err);
		return -1;
	}
	exec_ok(f->st, "INSERT INTO locality(id, code, name) VALUES (1, 'north', 'North')");
	exec_ok(f->st, "INSERT INTO plan(id, code, title) VALUES (1, 'P1', 'Plan one'), (2, 'P2', 'Plan two')");
	exec_ok(f->st, "INSERT INTO theme(id, plan_id, code, title, position) VALUES (1, 1, 'T', 'Theme', 0)");
	exec_ok(f->st, "INSERT INTO action(id, plan_id, ref, theme_id, title, source, status, rag, version,"
		       " created_at, updated_at) VALUES"
		       " (1, 1, 'A1', 1, 'First', 'locality', 'in_progress', 'amber', 1, 'then', 'then'),"
		       " (2, 1, 'A2', 1, 'Second', 'locality', 'in_progress', 'amber', 1, 'then', 'then')");
	f->rows = action_rows_new(f->st);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	action_rows_free(f->rows);
	store_close(f->st);
	arena_free(&f->arena);
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
		char p[160];
		snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The row of action id as an update would keep it, at `version`. */
static struct action_row make_row(int64_t id, const char *ref, int64_t version, const char *title)
{
	static Pb__Action x[4];
	static int next;
	Pb__Action *a = &x[next++ % 4];
	pb__action__init(a);
	a->plan = "P1";
	a->ref = (char *)ref;
	a->theme = "T";
	a->title = (char *)title;
	a->owner = "Head of Service";
	a->locality = "north";
	a->due_date = "2026-12-31";
	a->created_at = "then";
	a->updated_at = "now";
	a->updated_by = "admin";
	a->has_status = a->has_rag = a->has_version = a->has_source = 1;
	a->status = PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS;
	a->rag = PB__RAG__RAG_GREEN;
	a->source = PB__SOURCE__SOURCE_LOCALITY;
	a->version = version;
	return (struct action_row){ .x = a, .id = id, .theme_id = 1, .locality_id = 1, .assigned_id = 0,
				    .version_row = 100 + version };
}

static bool get(struct fixture *f, const char *plan, const char *ref, struct action_row *out)
{
	return action_rows_get(f->rows, plan, ref, &f->arena, out);
}

static void test_kept_row_comes_back_as_a_copy(void **state)
{
	struct fixture *f = *state;
	struct action_row in = make_row(1, "A1", 2, "First, changed"), out;
	assert_false(get(f, "P1", "A1", &out));   /* nothing kept yet */
	action_rows_put(f->rows, "P1", "A1", &in);
	assert_true(get(f, "P1", "A1", &out));
	assert_int_equal(out.id, 1);
	assert_int_equal(out.theme_id, 1);
	assert_int_equal(out.locality_id, 1);
	assert_int_equal(out.assigned_id, 0);
	assert_int_equal(out.version_row, 102);
	assert_int_equal(out.x->version, 2);
	assert_int_equal(out.x->status, PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS);
	assert_int_equal(out.x->rag, PB__RAG__RAG_GREEN);
	assert_string_equal(out.x->title, "First, changed");
	assert_string_equal(out.x->owner, "Head of Service");
	assert_string_equal(out.x->updated_at, "now");
	assert_null(out.x->description);
	assert_null(out.x->assigned_to);
	/* Copies in the caller's arena: changing one leaves the kept row. */
	assert_ptr_not_equal(out.x, in.x);
	assert_ptr_not_equal(out.x->title, in.x->title);
	out.x->title[0] = 'X';
	out.x->version = 99;
	struct action_row again;
	assert_true(get(f, "P1", "A1", &again));
	assert_string_equal(again.x->title, "First, changed");
	assert_int_equal(again.x->version, 2);
	/* A newer put replaces it. */
	struct action_row v3 = make_row(1, "A1", 3, "Third");
	action_rows_put(f->rows, "P1", "A1", &v3);
	assert_true(get(f, "P1", "A1", &again));
	assert_int_equal(again.x->version, 3);
	assert_string_equal(again.x->title, "Third");
}

static void test_keyed_by_plan_as_asked_and_ref(void **state)
{
	struct fixture *f = *state;
	struct action_row in = make_row(1, "A1", 2, "First"), out;
	action_rows_put(f->rows, "P1", "A1", &in);
	assert_false(get(f, NULL, "A1", &out));   /* no plan: another key */
	assert_false(get(f, "P2", "A1", &out));
	assert_false(get(f, "", "A1", &out));
	assert_false(get(f, "P1", "a1", &out));   /* refs are case-sensitive */
	assert_false(get(f, "P1", "A2", &out));
	action_rows_put(f->rows, NULL, "A1", &in);
	assert_true(get(f, NULL, "A1", &out));
	assert_true(get(f, "P1", "A1", &out));
	/* No ref (refused by the handler before it asks): never kept. */
	action_rows_put(f->rows, "P1", NULL, &in);
	assert_false(get(f, "P1", NULL, &out));
	/* A key too long to keep is never kept (nor an error). */
	char long_ref[200];
	memset(long_ref, 'r', sizeof long_ref - 1);
	long_ref[sizeof long_ref - 1] = '\0';
	action_rows_put(f->rows, "P1", long_ref, &in);
	assert_false(get(f, "P1", long_ref, &out));
}

static void test_writing_the_row_forgets_it(void **state)
{
	struct fixture *f = *state;
	struct action_row a1 = make_row(1, "A1", 2, "First"), a2 = make_row(2, "A2", 2, "Second"), out;
	action_rows_put(f->rows, "P1", "A1", &a1);
	action_rows_put(f->rows, NULL, "A1", &a1);
	action_rows_put(f->rows, "P1", "A2", &a2);
	exec_ok(f->st, "UPDATE action SET owner = 'someone else' WHERE id = 1");
	assert_false(get(f, "P1", "A1", &out));   /* both keys of action 1 */
	assert_false(get(f, NULL, "A1", &out));
	assert_true(get(f, "P1", "A2", &out));    /* another action's row stays */
	/* An UPDATE that matches no row changes nothing: nothing forgotten. */
	exec_ok(f->st, "UPDATE action SET owner = 'x' WHERE id = 999");
	assert_true(get(f, "P1", "A2", &out));
	/* Other tables' rows leave it (the version and event rows an update
	 * writes after its row, a new locality). */
	exec_ok(f->st, "INSERT INTO locality(code, name) VALUES ('south', 'South')");
	assert_true(get(f, "P1", "A2", &out));
	exec_ok(f->st, "DELETE FROM action WHERE id = 2");
	assert_false(get(f, "P1", "A2", &out));
}

static void test_new_action_or_changed_code_forgets_all(void **state)
{
	struct fixture *f = *state;
	struct action_row a1 = make_row(1, "A1", 2, "First"), out;
	action_rows_put(f->rows, NULL, "A1", &a1);
	/* A1 in a second plan: the ref without a plan is now ambiguous. */
	exec_ok(f->st, "INSERT INTO action(plan_id, ref, theme_id, title, source, status, rag, version,"
		       " created_at, updated_at) VALUES"
		       " (2, 'A1', 1, 'Other', 'locality', 'in_progress', 'amber', 1, 'then', 'then')");
	assert_false(get(f, NULL, "A1", &out));
	static const char *const changes[] = {
		"UPDATE plan SET code = 'P9' WHERE id = 1",
		"UPDATE theme SET code = 'T9' WHERE id = 1",
		"UPDATE locality SET code = 'n2' WHERE id = 1",
	};
	for (size_t i = 0; i < ARRAY_LEN(changes); i++) {
		action_rows_put(f->rows, "P1", "A1", &a1);
		assert_true(get(f, "P1", "A1", &out));
		exec_ok(f->st, changes[i]);
		assert_false(get(f, "P1", "A1", &out));
	}
}

/* Keep a row inside what `undo` then rolls back: it must be gone. */
static void kept_then_undone(struct fixture *f, const char *before, const char *undo)
{
	struct action_row a1 = make_row(1, "A1", 2, "First"), out;
	if (before != NULL)
		exec_ok(f->st, before);
	action_rows_put(f->rows, "P1", "A1", &a1);
	assert_true(get(f, "P1", "A1", &out));
	exec_ok(f->st, undo);
	assert_false(get(f, "P1", "A1", &out));
}

static void test_every_rollback_forgets_all(void **state)
{
	struct fixture *f = *state;
	kept_then_undone(f, "BEGIN", "ROLLBACK");
	kept_then_undone(f, "SAVEPOINT batch", "ROLLBACK TO batch");
	exec_ok(f->st, "RELEASE batch");
	kept_then_undone(f, "SAVEPOINT x", "  rollback to x");   /* any case, leading space */
	exec_ok(f->st, "RELEASE x");
	/* A ROLLBACK TO as a cached statement (store_stmt), counted when
	 * fetched. */
	exec_ok(f->st, "SAVEPOINT y");
	struct action_row kept = make_row(1, "A1", 2, "First"), seen;
	action_rows_put(f->rows, "P1", "A1", &kept);
	sqlite3_stmt *undo = store_stmt(f->st, "ROLLBACK TO y");
	assert_int_equal(sqlite3_step(undo), SQLITE_DONE);
	sqlite3_reset(undo);
	assert_false(get(f, "P1", "A1", &seen));
	exec_ok(f->st, "RELEASE y");
	/* Through the group transaction's own functions. */
	struct action_row a1 = make_row(1, "A1", 2, "First"), out;
	assert_int_equal(store_begin(f->st), SQLITE_OK);
	assert_int_equal(store_savepoint(f->st), SQLITE_OK);
	action_rows_put(f->rows, "P1", "A1", &a1);
	store_rollback_savepoint(f->st);
	assert_false(get(f, "P1", "A1", &out));
	action_rows_put(f->rows, "P1", "A1", &a1);
	store_abandon(f->st);
	assert_false(get(f, "P1", "A1", &out));
	store_rollback(f->st);
	/* A kept row survives a commit. */
	assert_int_equal(store_begin(f->st), SQLITE_OK);
	action_rows_put(f->rows, "P1", "A1", &a1);
	assert_int_equal(store_commit(f->st), SQLITE_OK);
	assert_true(get(f, "P1", "A1", &out));
}

/* A statement that fails inside a transaction and takes it with it (an
 * automatic rollback: no ROLLBACK statement is run). */
static void test_automatic_rollback_forgets_all(void **state)
{
	struct fixture *f = *state;
	struct action_row a1 = make_row(1, "A1", 2, "First"), out;
	exec_ok(f->st, "BEGIN");
	action_rows_put(f->rows, "P1", "A1", &a1);
	/* OR ROLLBACK: a constraint failure rolls the transaction back. */
	assert_int_not_equal(store_exec(f->st, "INSERT OR ROLLBACK INTO plan(id, code, title) VALUES (1, 'P1', 'x')"),
			     SQLITE_OK);
	assert_true(sqlite3_get_autocommit(store_db(f->st)));
	assert_false(get(f, "P1", "A1", &out));
}

static void test_long_text_not_kept(void **state)
{
	struct fixture *f = *state;
	struct action_row a1 = make_row(1, "A1", 2, "First"), out;
	char *description = xmalloc(9000);
	memset(description, 'd', 8999);
	description[8999] = '\0';
	a1.x->description = description;
	action_rows_put(f->rows, "P1", "A1", &a1);
	assert_false(get(f, "P1", "A1", &out));
	description[2000] = '\0';   /* a long one that fits */
	action_rows_put(f->rows, "P1", "A1", &a1);
	assert_true(get(f, "P1", "A1", &out));
	assert_int_equal(strlen(out.x->description), 2000);
	free(description);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kept_row_comes_back_as_a_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyed_by_plan_as_asked_and_ref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writing_the_row_forgets_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_action_or_changed_code_forgets_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_rollback_forgets_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_automatic_rollback_forgets_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_text_not_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

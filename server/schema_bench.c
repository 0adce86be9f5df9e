/* schema_bench.c: indexes request paths need so that their cost does not
 * grow with the size of the tables (tests/unit/test_query_plans.c checks
 * the plans). */

/* Looking an action up by its ref alone (plan optional), and lists
 * filtered by the locality an action is assigned to.
 *
 * Deliberately not indexed: action_version by locality, assigned locality
 * or owner (lists "as recorded" at a past date with those filters and no
 * plan). Every progress update inserts a version row at a random place in
 * each such index; measured with planboard-bench, the three indexes
 * halved the durable action-update throughput (3,250/s -> 6,500-7,800/s
 * without them, 50 connections). Those history lists stay a scan of the
 * version table (see the test's known exceptions). */
/* Fixed planner statistics (sqlite_stat1 written by hand, as the SQLite
 * documentation suggests for stable plans): without them every equality
 * on an index looks equally selective, and a list of one theme's 50
 * actions walked all 100,000 actions of the plan through a plan_id index
 * (23 ms instead of 0.2 ms on the large benchmark database). The figures
 * describe a large deployment: "rows, rows per value of the first column,
 * of the first two...". A later ANALYZE replaces them with real ones. */
const char schema_bench[] =
	"CREATE INDEX action_ref ON action(ref);"
	"CREATE INDEX action_assigned ON action(assigned_locality_id);"
	"ANALYZE sqlite_schema;"
	"INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES"
	" ('action', 'sqlite_autoindex_action_1', '100000 10000 1'),"
	" ('action', 'action_theme', '100000 50'),"
	" ('action', 'action_locality', '100000 2000'),"
	" ('action', 'action_plan_due', '100000 10000 20'),"
	" ('action', 'action_plan_status', '100000 10000 3000'),"
	" ('action', 'action_plan_rag', '100000 10000 3000'),"
	" ('action', 'action_owner', '100000 100'),"
	" ('action', 'action_ref', '100000 2'),"
	" ('action', 'action_assigned', '100000 5000'),"
	" ('action_version', 'sqlite_autoindex_action_version_1', '1000000 10 1'),"
	" ('action_version', 'action_version_recorded', '1000000 10 1'),"
	" ('token', 'sqlite_autoindex_token_1', '1000 1'),"
	" ('token', 'token_user', '1000 10'),"
	" ('event', 'event_entity_ref', '1000000 200000 10'),"
	" ('user', 'sqlite_autoindex_user_1', '100 1'),"
	" ('locality', 'sqlite_autoindex_locality_1', '50 1'),"
	" ('plan', 'sqlite_autoindex_plan_1', '10 1'),"
	" ('theme', 'sqlite_autoindex_theme_1', '500 50 1');";

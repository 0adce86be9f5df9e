/* schema_bench.c: indexes every request path needs so that its cost does
 * not grow with the size of the tables (tests/unit/test_query_plans.c
 * checks the plans). */

/* Looking an action up by its ref alone (plan optional); lists filtered by
 * the locality an action is assigned to; lists as recorded at a date,
 * which read action_version, filtered by locality or owner. */
const char schema_bench[] =
	"CREATE INDEX action_ref ON action(ref);"
	"CREATE INDEX action_assigned ON action(assigned_locality_id);"
	"CREATE INDEX action_version_locality ON action_version(locality_id);"
	"CREATE INDEX action_version_assigned ON action_version(assigned_locality_id);"
	"CREATE INDEX action_version_owner ON action_version(owner);";

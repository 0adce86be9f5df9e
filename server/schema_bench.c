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
const char schema_bench[] =
	"CREATE INDEX action_ref ON action(ref);"
	"CREATE INDEX action_assigned ON action(assigned_locality_id);";

/* schema_writes.c: migration 6, fewer index entries per progress update.
 *
 * Every action update inserts a version row and an event row; each index
 * on them costs a B-tree insert at a random place and, at the commit, a
 * WAL page written, checksummed and synced. Two of them served no
 * request well enough to pay for that:
 * - event_entity_ref: no query reads events by entity and ref (watchers
 *   follow the sequence number, the primary key);
 * - action_version_recorded (action_id, recorded_at): "the newest version
 *   recorded by a date" of one action reads that action's few versions
 *   through the primary key (action_id, version) just as well.
 * tests/unit/test_query_plans.c still checks that no request scans a
 * large table. */
const char schema_writes[] =
	"DROP INDEX IF EXISTS event_entity_ref;"
	"DROP INDEX IF EXISTS action_version_recorded;"
	"DELETE FROM sqlite_stat1 WHERE idx IN ('event_entity_ref', 'action_version_recorded');"
	"ANALYZE sqlite_schema;";

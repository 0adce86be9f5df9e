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
#include "store.h"

const char schema_writes[] =
	"DROP INDEX IF EXISTS event_entity_ref;"
	"DROP INDEX IF EXISTS action_version_recorded;"
	"DELETE FROM sqlite_stat1 WHERE idx IN ('event_entity_ref', 'action_version_recorded');"
	"ANALYZE sqlite_schema;";

/* Migration 7: action_version becomes a rowid table, so a progress update
 * appends its version row at the end of the table instead of inserting it
 * into the middle of a B-tree ordered by (action_id, version). Clustered
 * by action, each of a commit's 25-50 version rows landed on a different
 * full leaf page (about 25 rows each), often splitting it: 38 of a
 * commit's 60 WAL pages on the benchmark. Appended, they share the last
 * page or two, and the primary key's index, whose entries are a few
 * bytes, takes the random inserts. Measured (planboard-bench, 50
 * connections, action-update): 22k -> 27.7k updates/s, p99 6.6 -> 4.5 ms.
 * A history is then read through that index, a row fetch per version.
 * The copy keeps the existing rows in (action, version) order, so
 * histories written before the migration stay together. No table refers
 * to action_version, so the rebuild needs no foreign key work. */
const char schema_version_append[] =
	"CREATE TABLE action_version_append ("
	"  action_id INTEGER NOT NULL REFERENCES action(id),"
	"  version INTEGER NOT NULL,"
	"  recorded_at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  theme_id INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  description TEXT,"
	"  owner TEXT,"
	"  locality_id INTEGER,"
	"  assigned_locality_id INTEGER,"
	"  source TEXT NOT NULL,"
	"  due_date TEXT,"
	"  status TEXT NOT NULL,"
	"  rag TEXT NOT NULL,"
	"  note TEXT,"
	"  evidence TEXT,"
	"  forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0,1)),"
	"  PRIMARY KEY (action_id, version));"
	"INSERT INTO action_version_append SELECT * FROM action_version ORDER BY action_id, version;"
	"DROP TABLE action_version;"
	"ALTER TABLE action_version_append RENAME TO action_version;"
	"DELETE FROM sqlite_stat1 WHERE tbl IN ('action_version', 'action_version_append');"
	"INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES"
	" ('action_version', 'sqlite_autoindex_action_version_1', '1000000 10 1');"
	"ANALYZE sqlite_schema;";

/* Migration 8: the event log's sequence without AUTOINCREMENT. With it,
 * every event insert reads and rewrites the table's row in
 * sqlite_sequence: on the benchmark a tenth of the loop's time per action
 * update (34k -> 38k durable updates/s at 50 connections, measured on
 * the same database with and without). AUTOINCREMENT only differs from a
 * plain INTEGER PRIMARY KEY once the newest rows are deleted or renumbered
 * (a plain key would then reuse their numbers, and a watcher resuming
 * after one would miss the new event). The server never does either;
 * two triggers make the log append-only for everyone else too, so the
 * next event always gets max(seq) + 1. The copy keeps every seq. */
const char schema_event_plain_seq[] =
	"CREATE TABLE event_plain_seq ("
	"  seq INTEGER PRIMARY KEY,"
	"  time TEXT NOT NULL,"
	"  user TEXT,"
	"  entity TEXT NOT NULL,"
	"  ref TEXT,"
	"  op TEXT NOT NULL,"
	"  summary TEXT,"
	"  plan TEXT,"
	"  locality TEXT);"
	"INSERT INTO event_plain_seq SELECT * FROM event ORDER BY seq;"
	/* Newest events deleted by hand before the upgrade: AUTOINCREMENT
	 * would not have reused their numbers, so a row at the old high-water
	 * mark keeps the next seq above every one a watcher may have seen. */
	"INSERT INTO event_plain_seq(seq, time, entity, op, summary)"
	" SELECT seq, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'event', 'sequence-kept',"
	"  'events up to this one were deleted before schema version 8'"
	" FROM sqlite_sequence WHERE name = 'event'"
	" AND seq > (SELECT coalesce(max(seq), 0) FROM event);"
	"DROP TABLE event;"
	"ALTER TABLE event_plain_seq RENAME TO event;"
	"DELETE FROM sqlite_sequence WHERE name IN ('event', 'event_plain_seq');"
	"CREATE TRIGGER event_no_delete BEFORE DELETE ON event"
	" BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;"
	"CREATE TRIGGER event_no_update BEFORE UPDATE ON event"
	" BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;";

/* Migration 9: the action table's enumeration CHECKs as comparisons. For
 * `rag IN ('red','amber','green','blue')` SQLite builds a temporary
 * B-tree of the four names each time a statement that sets the column
 * runs (a list of more than two constants is looked up, not compared),
 * and closing it walked the writer's whole page cache at the commit: on
 * the benchmark 9.0 -> 7.1 us per action update (an update that changes
 * the RAG rating, in a C loop over the benchmark database). The OR of
 * equalities accepts and refuses exactly the same values (NULL passes a
 * CHECK either way; NOT NULL refuses it). A CHECK cannot be altered in
 * place, so the table is rebuilt as SQLite's ALTER TABLE documentation
 * prescribes: foreign keys off (other tables refer to action), copy,
 * drop, rename, indexes and planner statistics back, then
 * foreign_key_check before the commit (store.c). Rows keep their ids. */
const char schema_action_checks[] =
	MIGRATION_REBUILDS
	"CREATE TABLE action_checks ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  ref TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 32),"
	"  theme_id INTEGER NOT NULL REFERENCES theme(id),"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  description TEXT,"
	"  owner TEXT,"
	"  locality_id INTEGER REFERENCES locality(id),"
	"  assigned_locality_id INTEGER REFERENCES locality(id),"
	"  source TEXT NOT NULL CHECK (source = 'service_wide' OR source = 'locality'),"
	"  due_date TEXT,"
	"  status TEXT NOT NULL CHECK (status = 'not_started' OR status = 'in_progress'"
	"                              OR status = 'completed' OR status = 'blocked'),"
	"  rag TEXT NOT NULL CHECK (rag = 'red' OR rag = 'amber' OR rag = 'green' OR rag = 'blue'),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT,"
	"  UNIQUE (plan_id, ref));"
	"INSERT INTO action_checks SELECT * FROM action ORDER BY id;"
	"CREATE TEMP TABLE action_stat AS SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = 'action';"
	"DROP TABLE action;"
	"ALTER TABLE action_checks RENAME TO action;"
	"CREATE INDEX action_theme ON action(theme_id);"
	"CREATE INDEX action_locality ON action(locality_id);"
	"CREATE INDEX action_plan_due ON action(plan_id, due_date);"
	"CREATE INDEX action_plan_status ON action(plan_id, status);"
	"CREATE INDEX action_plan_rag ON action(plan_id, rag);"
	"CREATE INDEX action_owner ON action(owner);"
	"CREATE INDEX action_ref ON action(ref);"
	"CREATE INDEX action_assigned ON action(assigned_locality_id);"
	"DELETE FROM sqlite_stat1 WHERE tbl IN ('action', 'action_checks');"
	"INSERT INTO sqlite_stat1(tbl, idx, stat) SELECT tbl, idx, stat FROM temp.action_stat;"
	"DROP TABLE temp.action_stat;"
	"ANALYZE sqlite_schema;";

/* Migration 10: an action's versions as a chain instead of an index.
 * After migration 7 the version rows were appended, but the primary
 * key's index (action_id, version) still took one insert at a random
 * place per update: on the benchmark 23.6 of a commit's 51 WAL pages
 * (one per update, and with a long history one page read as well). Now
 * each version row names the row of the version before it (prev) and the
 * action names the row of its current version (version_row), which the
 * update rewrites anyway; every read of a history starts at version_row
 * and follows prev (VERSION_CHAIN in hutil.h): a row fetch by key per
 * version, as the index gave. (action_id, version) stays unique because
 * only the update writes a version, as the action's version + 1, in the
 * transaction that sets the action's version; `planboardd --check`
 * checks every chain (store_ops.c). prev and version_row are not
 * declared foreign keys: SQLite would then plan a scan of action and of
 * action_version for every multi-row insert into action_version (to
 * settle pending violations), and the chain check covers more than a
 * foreign key would (each version follows the one before it). Measured (planboard-bench, 50 connections, durable
 * action-update): see BENCHMARKS.md. Rows keep their numbers (the old
 * rowids become id), so the copy needs no renumbering. */
const char schema_version_chain[] =
	"CREATE TABLE action_version_chain ("
	"  id INTEGER PRIMARY KEY,"
	"  action_id INTEGER NOT NULL REFERENCES action(id),"
	"  version INTEGER NOT NULL,"
	"  recorded_at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  theme_id INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  description TEXT,"
	"  owner TEXT,"
	"  locality_id INTEGER,"
	"  assigned_locality_id INTEGER,"
	"  source TEXT NOT NULL,"
	"  due_date TEXT,"
	"  status TEXT NOT NULL,"
	"  rag TEXT NOT NULL,"
	"  note TEXT,"
	"  evidence TEXT,"
	"  forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0,1)),"
	"  prev INTEGER);"
	"INSERT INTO action_version_chain SELECT rowid, action_id, version, recorded_at, recorded_by,"
	" theme_id, title, description, owner, locality_id, assigned_locality_id, source, due_date,"
	" status, rag, note, evidence, forced,"
	" lag(rowid) OVER (PARTITION BY action_id ORDER BY version) FROM action_version ORDER BY rowid;"
	"ALTER TABLE action ADD COLUMN version_row INTEGER;"
	"UPDATE action SET version_row = (SELECT v.rowid FROM action_version v"
	" WHERE v.action_id = action.id AND v.version = action.version);"
	/* An action without the row of its current version (a hand edit)
	 * has no chain to start from: refuse, naming the check. */
	"CREATE TEMP TABLE version_row_check (missing INTEGER"
	"  CONSTRAINT every_action_has_the_row_of_its_current_version CHECK (missing = 0));"
	"INSERT INTO version_row_check SELECT count(*) FROM action WHERE version_row IS NULL;"
	"DROP TABLE temp.version_row_check;"
	"DROP TABLE action_version;"
	"ALTER TABLE action_version_chain RENAME TO action_version;"
	"DELETE FROM sqlite_stat1 WHERE tbl IN ('action_version', 'action_version_chain');"
	"ANALYZE sqlite_schema;";

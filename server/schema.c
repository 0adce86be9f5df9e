/* schema.c: the database schema as forward migrations. Migration i takes
 * PRAGMA user_version from i to i+1. Never edit a migration that has
 * shipped: add a new one at the end.
 *
 * Enumerations are stored as their user-facing names (common/enums.h) and
 * guarded by CHECK constraints; times are ISO-8601 UTC text, which sorts
 * chronologically. */
#include "store.h"

extern const char schema_metrics[];   /* schema_metrics.c */
extern const char schema_governance[];
extern const char schema_concurrency[];

/* 1: localities, plans, themes, actions with every version, users,
 * tokens and the event log. */
static const char schema_core[] =
	"CREATE TABLE locality ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200));"

	"CREATE TABLE plan ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  locality_id INTEGER REFERENCES locality(id),"
	"  start_date TEXT, end_date TEXT,"
	"  CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date));"

	"CREATE TABLE theme ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  position INTEGER NOT NULL CHECK (position >= 0),"
	"  UNIQUE (plan_id, code));"

	/* The current state of each action; every state it has had is in
	 * action_version, with the time it was recorded. */
	"CREATE TABLE action ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  ref TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 32),"
	"  theme_id INTEGER NOT NULL REFERENCES theme(id),"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  description TEXT,"
	"  owner TEXT,"
	"  locality_id INTEGER REFERENCES locality(id),"
	"  assigned_locality_id INTEGER REFERENCES locality(id),"
	"  source TEXT NOT NULL CHECK (source IN ('service_wide','locality')),"
	"  due_date TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('not_started','in_progress','completed','blocked')),"
	"  rag TEXT NOT NULL CHECK (rag IN ('red','amber','green','blue')),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT,"
	"  UNIQUE (plan_id, ref));"
	"CREATE INDEX action_theme ON action(theme_id);"
	"CREATE INDEX action_locality ON action(locality_id);"
	"CREATE INDEX action_plan_due ON action(plan_id, due_date);"
	"CREATE INDEX action_plan_status ON action(plan_id, status);"
	"CREATE INDEX action_plan_rag ON action(plan_id, rag);"
	"CREATE INDEX action_owner ON action(owner);"

	"CREATE TABLE action_version ("
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
	"  PRIMARY KEY (action_id, version)) WITHOUT ROWID;"
	"CREATE INDEX action_version_recorded ON action_version(action_id, recorded_at);"

	"CREATE TABLE user ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),"
	"  role TEXT NOT NULL CHECK (role IN ('admin','performance','locality','viewer')),"
	"  locality_id INTEGER REFERENCES locality(id),"
	"  password_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),"
	"  created_at TEXT NOT NULL,"
	"  CHECK ((role = 'locality') = (locality_id IS NOT NULL)));"

	/* Only a hash of each token is kept. */
	"CREATE TABLE token ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES user(id),"
	"  hash BLOB NOT NULL UNIQUE,"
	"  created_at TEXT NOT NULL,"
	"  expires_at TEXT NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0,1)));"
	"CREATE INDEX token_user ON token(user_id);"

	"CREATE TABLE event ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time TEXT NOT NULL,"
	"  user TEXT,"
	"  entity TEXT NOT NULL,"
	"  ref TEXT,"
	"  op TEXT NOT NULL,"
	"  summary TEXT,"
	"  plan TEXT,"
	"  locality TEXT);"
	"CREATE INDEX event_entity_ref ON event(entity, ref);";

extern const char schema_bench[];
extern const char schema_writes[];
extern const char schema_version_append[];
extern const char schema_event_plain_seq[];
extern const char schema_action_checks[];
extern const char schema_version_chain[];

const char *const store_migrations[] = {
	schema_core,
	schema_metrics,
	schema_governance,
	schema_concurrency,
	schema_bench,
	schema_writes,
	schema_version_append,
	schema_event_plain_seq,
	schema_action_checks,
	schema_version_chain,
};
const int store_migration_count = (int)(sizeof store_migrations / sizeof store_migrations[0]);

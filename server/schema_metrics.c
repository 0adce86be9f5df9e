/* schema_metrics.c: migration 2 — metrics, measurements and audit rounds.
 *
 * Measurements and audit rounds keep every version with the time it was
 * recorded, so a report can be reproduced "as recorded on date D": the
 * figure as recorded by then is the newest version with recorded_at <= D.
 * The parent row holds the identity (what, where, which month) and the
 * latest version number. */
#include "store.h"

const char schema_metrics[] =
	"CREATE TABLE metric ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
	"  unit TEXT NOT NULL CHECK (unit IN ('pct','count','ratio','days')),"
	"  better TEXT NOT NULL CHECK (better IN ('higher','lower')),"
	"  target REAL,"
	"  tolerance REAL CHECK (tolerance IS NULL OR tolerance >= 0),"
	"  description TEXT);"

	"CREATE TABLE measurement ("
	"  id INTEGER PRIMARY KEY,"
	"  metric_id INTEGER NOT NULL REFERENCES metric(id),"
	"  locality_id INTEGER NOT NULL REFERENCES locality(id),"
	"  period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  UNIQUE (metric_id, period, locality_id));"
	"CREATE INDEX measurement_locality ON measurement(locality_id, metric_id, period);"

	"CREATE TABLE measurement_version ("
	"  measurement_id INTEGER NOT NULL REFERENCES measurement(id),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  value REAL NOT NULL,"
	"  numerator REAL CHECK (numerator IS NULL OR numerator >= 0),"
	"  denominator REAL CHECK (denominator IS NULL OR denominator > 0),"
	"  recorded_at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  CHECK ((numerator IS NULL) = (denominator IS NULL)),"
	"  PRIMARY KEY (measurement_id, version)) WITHOUT ROWID;"

	"CREATE TABLE audit_round ("
	"  id INTEGER PRIMARY KEY,"
	"  locality_id INTEGER NOT NULL REFERENCES locality(id),"
	"  period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  UNIQUE (locality_id, period));"

	"CREATE TABLE audit_version ("
	"  audit_id INTEGER NOT NULL REFERENCES audit_round(id),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  required INTEGER NOT NULL CHECK (required >= 0),"
	"  completed INTEGER NOT NULL CHECK (completed >= 0),"
	"  on_time INTEGER NOT NULL CHECK (on_time >= 0 AND on_time <= completed),"
	"  outstanding INTEGER NOT NULL DEFAULT 0 CHECK (outstanding >= 0),"
	"  good INTEGER NOT NULL DEFAULT 0 CHECK (good >= 0),"
	"  requires_improvement INTEGER NOT NULL DEFAULT 0 CHECK (requires_improvement >= 0),"
	"  inadequate INTEGER NOT NULL DEFAULT 0 CHECK (inadequate >= 0),"
	"  moderated INTEGER NOT NULL DEFAULT 0 CHECK (moderated IN (0,1)),"
	"  recorded_at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  CHECK (outstanding + good + requires_improvement + inadequate <= completed),"
	"  PRIMARY KEY (audit_id, version)) WITHOUT ROWID;";

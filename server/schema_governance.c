/* schema_governance.c: migration for risks, the improvement board, its
 * meetings and reviews, and review criteria with their judgements.
 *
 * Risks keep every state in risk_version (the risk row is only the
 * identity), so the current state and the state as recorded by a time are
 * the same query with a different bound. Meetings, members, reviews,
 * criteria and judgements carry the time they were recorded so a report
 * as recorded on a date leaves out what was entered later. */

const char schema_governance[] =
	"CREATE TABLE risk ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  ref TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 32),"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (plan_id, ref));"

	"CREATE TABLE risk_version ("
	"  risk_id INTEGER NOT NULL REFERENCES risk(id),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  recorded_at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('risk','issue')),"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  description TEXT,"
	"  owner TEXT,"
	"  likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),"
	"  impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),"
	"  mitigation TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('open','mitigating','closed')),"
	"  escalated INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0,1)),"
	/* linked action refs, sorted, comma-separated: versioned with the rest */
	"  actions TEXT NOT NULL DEFAULT '',"
	"  note TEXT,"
	"  forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0,1)),"
	"  PRIMARY KEY (risk_id, version)) WITHOUT ROWID;"
	"CREATE INDEX risk_version_recorded ON risk_version(risk_id, recorded_at);"

	"CREATE TABLE board ("
	"  plan_id INTEGER PRIMARY KEY REFERENCES plan(id),"
	"  name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 200),"
	"  terms_of_reference TEXT,"
	"  updated_at TEXT NOT NULL);"

	"CREATE TABLE board_member ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),"
	"  role TEXT,"
	"  chair INTEGER NOT NULL DEFAULT 0 CHECK (chair IN (0,1)),"
	"  recorded_at TEXT NOT NULL,"
	"  UNIQUE (plan_id, name));"

	"CREATE TABLE meeting ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  date TEXT NOT NULL,"
	"  title TEXT,"
	"  attendees TEXT NOT NULL DEFAULT '',"   /* one name a line */
	"  notes TEXT,"
	"  recorded_at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL);"
	"CREATE INDEX meeting_plan_date ON meeting(plan_id, date);"

	"CREATE TABLE decision ("
	"  id INTEGER PRIMARY KEY,"
	"  meeting_id INTEGER NOT NULL REFERENCES meeting(id),"
	"  position INTEGER NOT NULL,"
	"  text TEXT NOT NULL CHECK (length(text) >= 1),"
	"  action_ref TEXT);"
	"CREATE INDEX decision_meeting ON decision(meeting_id);"

	"CREATE TABLE review ("
	"  id INTEGER PRIMARY KEY,"
	"  plan_id INTEGER NOT NULL REFERENCES plan(id),"
	"  date TEXT NOT NULL,"
	"  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
	"  outcome TEXT,"
	"  recorded_at TEXT NOT NULL);"
	"CREATE INDEX review_plan_date ON review(plan_id, date);"

	"CREATE TABLE criterion ("
	"  id INTEGER PRIMARY KEY,"
	"  review_id INTEGER NOT NULL REFERENCES review(id),"
	"  text TEXT NOT NULL CHECK (length(text) >= 1),"
	"  kind TEXT NOT NULL CHECK (kind IN ('manual','gap_within','value_at_least','value_at_most')),"
	"  metric TEXT,"
	"  locality TEXT,"
	"  threshold REAL,"
	"  months INTEGER NOT NULL DEFAULT 1 CHECK (months BETWEEN 1 AND 120),"
	"  recorded_at TEXT NOT NULL,"
	"  CHECK ((kind = 'manual') = (metric IS NULL)));"
	"CREATE INDEX criterion_review ON criterion(review_id);"

	/* Manual judgements; the newest recorded by the bound counts. */
	"CREATE TABLE judgement ("
	"  id INTEGER PRIMARY KEY,"
	"  criterion_id INTEGER NOT NULL REFERENCES criterion(id),"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('met','not_met','not_enough_data','not_judged')),"
	"  evidence TEXT,"
	"  judged_by TEXT NOT NULL,"
	"  judged_at TEXT NOT NULL);"
	"CREATE INDEX judgement_criterion ON judgement(criterion_id, judged_at);";

/* schema.c — the business areas' migrations (after the foundation's version 1) and the list of
 * entity descriptors. Append new versions; never edit a released one. */
#include "dj/codes.h"
#include "dj/meeting.h"
#include "dj/develop_case.h"
#include "dj/dues_ledger.h"
#include "dj/member.h"
#include "dj/org.h"
#include "dj/schema.h"
#include "dj/banned.h"

static void ddl_members(struct dj_strbuf *sb)
{
	dj_model_ddl(&dj_member_entity, sb);
	for (int i = 0; dj_member_subrecords[i]; i++)
		dj_model_ddl(dj_member_subrecords[i], sb);
}

static void ddl_meetings(struct dj_strbuf *sb)
{
	dj_model_ddl(&dj_meeting_entity, sb);
	dj_strbuf_adds(sb,
		       "CREATE TABLE meeting_types (meeting_id INTEGER NOT NULL REFERENCES meetings(id), org_id INTEGER NOT NULL,"
		       " org_path TEXT NOT NULL, type TEXT NOT NULL, held_on TEXT) STRICT;"
		       "CREATE INDEX meeting_types_path ON meeting_types(org_path, held_on);"
		       "CREATE INDEX meeting_types_meeting ON meeting_types(meeting_id);"
		       "CREATE TABLE meeting_attendance (meeting_id INTEGER NOT NULL REFERENCES meetings(id),"
		       " member_id INTEGER NOT NULL REFERENCES members(id), status TEXT NOT NULL, late INTEGER NOT NULL DEFAULT 0,"
		       " reason TEXT, checked_in_at TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (meeting_id, member_id)) STRICT;"
		       "CREATE TABLE meeting_votes (id INTEGER PRIMARY KEY, meeting_id INTEGER NOT NULL REFERENCES meetings(id),"
		       " subject TEXT NOT NULL, kind TEXT NOT NULL, eligible INTEGER NOT NULL, present_voting INTEGER NOT NULL,"
		       " yes INTEGER NOT NULL, no INTEGER NOT NULL, abstain INTEGER NOT NULL, written_yes INTEGER NOT NULL,"
		       " quorum INTEGER NOT NULL, passed INTEGER NOT NULL, rule TEXT NOT NULL, explanation TEXT NOT NULL,"
		       " created_at TEXT NOT NULL) STRICT;"
		       "CREATE INDEX meeting_votes_meeting ON meeting_votes(meeting_id);"
		       "CREATE TABLE meeting_attachments (id INTEGER PRIMARY KEY, meeting_id INTEGER NOT NULL REFERENCES meetings(id),"
		       " name TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL,"
		       " created_at TEXT NOT NULL) STRICT;"
		       "CREATE INDEX meeting_attachments_meeting ON meeting_attachments(meeting_id);"
		       "CREATE TABLE meeting_checkins (token_hash TEXT PRIMARY KEY, meeting_id INTEGER NOT NULL REFERENCES meetings(id),"
		       " expires_at INTEGER NOT NULL) STRICT;"
		       /* Local practice (🔶) per subtree, with history: the newest row of the nearest ancestor wins. */
		       "CREATE TABLE rule_params (id INTEGER PRIMARY KEY, org_path TEXT NOT NULL, rule TEXT NOT NULL,"
		       " param TEXT NOT NULL, value TEXT NOT NULL, note TEXT, set_by TEXT, set_at TEXT NOT NULL) STRICT;"
		       "CREATE INDEX rule_params_key ON rule_params(rule, param, org_path, id);");
}

static const struct dj_migration migrations[] = {
	{ 2, "reference code lists", "CREATE TABLE code_lists (name TEXT PRIMARY KEY, title TEXT NOT NULL, version TEXT NOT NULL) STRICT;"
	  "CREATE TABLE code_items (list TEXT NOT NULL, code TEXT NOT NULL, label TEXT NOT NULL, sort INTEGER NOT NULL,"
	  " PRIMARY KEY (list, code)) STRICT;", NULL },
	{ 3, "member register", NULL, ddl_members },
	{ 4, "per-org member counts (subtree-inclusive)",
	  "CREATE TABLE org_stats (org_id INTEGER PRIMARY KEY REFERENCES orgs(id),"
	  " members_full INTEGER NOT NULL DEFAULT 0, members_probationary INTEGER NOT NULL DEFAULT 0) STRICT;", NULL },
	{ 5, "committees (班子) and their members",
	  "CREATE TABLE committee_terms (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),"
	  " term_no INTEGER, started_on TEXT NOT NULL, ends_on TEXT NOT NULL, ended_on TEXT, election_method TEXT,"
	  " extended_to TEXT, remarks TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;"
	  "CREATE INDEX committee_terms_org ON committee_terms(org_id, started_on);"
	  "CREATE TABLE committee_members (id INTEGER PRIMARY KEY, term_id INTEGER NOT NULL REFERENCES committee_terms(id),"
	  " member_id INTEGER REFERENCES members(id), name TEXT NOT NULL, post TEXT NOT NULL, sort_order INTEGER NOT NULL DEFAULT 0)"
	  " STRICT;"
	  "CREATE INDEX committee_members_term ON committee_members(term_id);", NULL },
	{ 6, "import batches (for rollback)",
	  "CREATE TABLE import_batches (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, org_id INTEGER NOT NULL REFERENCES orgs(id),"
	  " org_path TEXT NOT NULL, file_name TEXT, rows_total INTEGER NOT NULL, rows_imported INTEGER NOT NULL,"
	  " created_by INTEGER, created_at TEXT NOT NULL, rolled_back_at TEXT) STRICT;"
	  "ALTER TABLE members ADD COLUMN import_batch_id INTEGER;"
	  "CREATE INDEX members_import_batch ON members(import_batch_id);", NULL },
	{ 7, "organizational life: meetings, types, attendance, votes, attachments, sign-in; rule parameters", NULL,
	  ddl_meetings },
	{ 8, "dues ledger", NULL, dj_dues_ddl },
};

static void ddl_development(struct dj_strbuf *sb)
{
	dj_model_ddl(&dj_dev_case_entity, sb);
	dj_strbuf_adds(sb, "CREATE TABLE dev_steps (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES dev_cases(id),"
			   " step_no INTEGER NOT NULL, done_on TEXT NOT NULL, rule_set TEXT NOT NULL, document TEXT, data_json TEXT,"
			   " override_reason TEXT, actor TEXT, created_at TEXT NOT NULL) STRICT;"
			   "CREATE INDEX dev_steps_case ON dev_steps(case_id, step_no);"
			   "CREATE TABLE dev_plans (org_id INTEGER NOT NULL REFERENCES orgs(id), year INTEGER NOT NULL,"
			   " quota INTEGER NOT NULL, set_by TEXT, set_at TEXT NOT NULL, PRIMARY KEY (org_id, year)) STRICT;");
}

static void ddl_planner_indexes(struct dj_strbuf *sb)
{
	for (int i = 0; dj_schema_entities[i]; i++)
		dj_model_ddl_drop_filter_indexes(dj_schema_entities[i], sb);
	/* The dashboard counts organizations per kind in a subtree: let it read the index alone. */
	dj_strbuf_adds(sb, "CREATE INDEX IF NOT EXISTS orgs_path_kind ON orgs(path, kind);\n");
	/* Member lists count a subtree's active members and pick a page of ids: status and deleted_at in
	 * the path index (after id, so ORDER BY org_path, id still follows it) answer both without
	 * reading a row. */
	dj_strbuf_adds(sb, "DROP INDEX members_org_path;\n"
			   "CREATE INDEX members_org_path ON members(org_path, id, status, deleted_at);\n");
	/* "Has this org (or 党小组) an active member?" — asked for every org of a compliance evaluation —
	 * and the meeting counts per org and month answer from the index alone. */
	dj_strbuf_adds(sb, "DROP INDEX members_org_id;\n"
			   "CREATE INDEX members_org_id ON members(org_id, status, deleted_at);\n"
			   "DROP INDEX members_party_group_id;\n"
			   "CREATE INDEX members_party_group_id ON members(party_group_id, status, deleted_at);\n"
			   "DROP INDEX meeting_types_path;\n"
			   "CREATE INDEX meeting_types_path ON meeting_types(org_path, held_on, org_id, type);\n");
}

static const struct dj_migration dev_migrations[] = {
	{ 9, "member development pipeline (cases, 25 steps, plans)", NULL, ddl_development },
	{ 10, "membership status history and transfers of the organizational relationship",
	  "CREATE TABLE member_status_log (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),"
	  " from_status TEXT, to_status TEXT NOT NULL, on_date TEXT NOT NULL, reason TEXT NOT NULL, evidence TEXT,"
	  " exit_reason TEXT, decision TEXT, actor TEXT, created_at TEXT NOT NULL) STRICT;"
	  "CREATE INDEX member_status_log_member ON member_status_log(member_id, id);"
	  "CREATE TABLE transfers (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),"
	  " from_org_id INTEGER NOT NULL REFERENCES orgs(id), from_path TEXT NOT NULL, to_org_id INTEGER REFERENCES orgs(id),"
	  " to_org_name TEXT, kind TEXT NOT NULL, letter_no TEXT NOT NULL UNIQUE, issued_on TEXT NOT NULL,"
	  " valid_until TEXT NOT NULL, dues_paid_to TEXT, status TEXT NOT NULL, received_on TEXT, reason TEXT,"
	  " created_by TEXT, created_at TEXT NOT NULL) STRICT;"
	  "CREATE INDEX transfers_from ON transfers(from_path, status);"
	  "CREATE INDEX transfers_to ON transfers(to_org_id, status);"
	  "CREATE INDEX transfers_member ON transfers(member_id);", NULL },
	{ 11, "working-day calendar (S-5) and mobile members (流动党员)",
	  "CREATE TABLE work_calendar (day TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('h', 'w')), name TEXT,"
	  " set_by TEXT, set_at TEXT NOT NULL) STRICT;"
	  "CREATE TABLE member_mobility (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),"
	  " direction TEXT NOT NULL CHECK (direction IN ('out', 'in')), place TEXT NOT NULL, reason TEXT, since TEXT NOT NULL,"
	  " last_contact_on TEXT, ended_on TEXT, created_by TEXT, created_at TEXT NOT NULL) STRICT;"
	  "CREATE INDEX member_mobility_member ON member_mobility(member_id);", NULL },
	{ 12, "indexes the planner needs: none on code/flag filters of scoped tables, covering member path index", NULL,
	  ddl_planner_indexes },
	/* Filled by dj_member_recount right after (dj_schema_open): SQL alone would be quadratic. */
	{ 13, "per-org STAT-3 figures of active members (subtree-inclusive)",
	  "CREATE TABLE org_member_facets (org_id INTEGER NOT NULL, dim TEXT NOT NULL, key TEXT NOT NULL,"
	  " n INTEGER NOT NULL, PRIMARY KEY (org_id, dim, key)) STRICT, WITHOUT ROWID;"
	  /* The stats' orgs_by_kind counts each kind's subtree range in the index alone; members
	   * who joined after a past as_of are found by date (org_stats.c). */
	  "CREATE INDEX IF NOT EXISTS orgs_kind_path ON orgs(kind, path);"
	  "CREATE INDEX IF NOT EXISTS members_joined_on ON members(joined_on);"
	  /* The recount that fills it runs after the migrations (dj_schema_open); the marker survives an
	   * interrupted recount, so the next start runs it again. */
	  "INSERT INTO settings(key, value, updated_at) VALUES ('counts.recount', 'pending', '2026-11-23T00:00:00Z');",
	  NULL },
	/* Filled by dj_org_kinds_recount right after, like the member counts (a marker of its own: that
	 * recount is a pass over the orgs only). */
	{ 14, "per-org counts of the organizations in the subtree by kind (orgs_by_kind)",
	  "CREATE TABLE org_kind_counts (org_id INTEGER NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL,"
	  " PRIMARY KEY (org_id, kind)) STRICT, WITHOUT ROWID;"
	  "INSERT INTO settings(key, value, updated_at) VALUES ('org_kinds.recount', 'pending', '2026-11-23T00:00:00Z');",
	  NULL },
};


const char *const dj_schema_path_tables[] = { "members", "meetings", "meeting_types", "import_batches", "dev_cases",
					      "dues_bills", "dues_payments", "dues_cycles", NULL };

const struct dj_entity *const dj_schema_entities[] = {
	&dj_org_entity, &dj_member_entity, &dj_member_reward_entity, &dj_member_position_entity, &dj_member_family_entity,
	&dj_member_abroad_entity, &dj_meeting_entity, &dj_dev_case_entity, &dj_dues_base_entity,
	&dj_dues_exemption_entity, &dj_dues_bill_entity, &dj_dues_payment_entity, &dj_dues_cycle_entity, NULL,
};

/* Whether a migration asked for pre-aggregated counts to be rebuilt (marker key, e.g.
 * 'counts.recount') and no recount has committed since. */
static bool recount_pending(struct dj_db_conn *c, const char *key)
{
	struct dj_stmt *s;
	bool pending = false;
	if (dj_db_prepare(c, "SELECT 1 FROM settings WHERE key = ?", &s) == DJ_OK) {
		dj_stmt_bind_text(s, 1, key);
		pending = dj_stmt_step(s) == DJ_ROW;
		dj_stmt_reset(s);
	}
	return pending;
}

static dj_rc recount_done(struct dj_db_conn *c, const char *key)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, "DELETE FROM settings WHERE key = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, key);
	return dj_stmt_exec(s);
}

dj_rc dj_schema_open(const char *path, int readers, int flags, struct dj_db **out)
{
	struct dj_db_conn *c;
	dj_rc rc = dj_db_open(path, readers, flags, out);
	if (rc || (flags & DJ_DB_NO_MIGRATE))
		return rc;
	rc = dj_db_apply_migrations(*out, migrations, sizeof(migrations) / sizeof(migrations[0]));
	if (!rc)
		rc = dj_db_apply_migrations(*out, dev_migrations, sizeof(dev_migrations) / sizeof(dev_migrations[0]));
	if (!rc && !(rc = dj_db_begin(*out, &c))) {
		rc = dj_codes_sync(c);
		if (!rc && recount_pending(c, "counts.recount") && !(rc = dj_member_recount(c)))
			rc = recount_done(c, "counts.recount");
		if (!rc && recount_pending(c, "org_kinds.recount") && !(rc = dj_org_kinds_recount(c)))
			rc = recount_done(c, "org_kinds.recount");
		if (rc)
			dj_db_rollback(c);
		else
			rc = dj_db_commit(c);
	}
	if (rc) {
		dj_db_close(*out);
		*out = NULL;
	}
	return rc;
}

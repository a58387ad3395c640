/* schema.c — the business areas' migrations (after the foundation's version 1) and the list of
 * entity descriptors. Append new versions; never edit a released one. */
#include "dj/codes.h"
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
};

const struct dj_entity *const dj_schema_entities[] = {
	&dj_org_entity, &dj_member_entity, &dj_member_reward_entity, &dj_member_position_entity, &dj_member_family_entity,
	&dj_member_abroad_entity, NULL,
};

dj_rc dj_schema_open(const char *path, int readers, int flags, struct dj_db **out)
{
	struct dj_db_conn *c;
	dj_rc rc = dj_db_open(path, readers, flags, out);
	if (rc || (flags & DJ_DB_NO_MIGRATE))
		return rc;
	rc = dj_db_apply_migrations(*out, migrations, sizeof(migrations) / sizeof(migrations[0]));
	if (!rc && !(rc = dj_db_begin(*out, &c))) {
		rc = dj_codes_sync(c);
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

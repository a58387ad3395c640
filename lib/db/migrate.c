/* migrate.c — versioned schema migrations, applied in one transaction when a store opens.
 * Append new versions at the end; never edit a released one. */
#include <stdbool.h>
#include <stdio.h>
#include "dj/log.h"
#include "db_int.h"
#include "dj/banned.h"

static const struct dj_migration migrations[] = {
	{ 1, "foundation: orgs, users, sessions, audit, settings",
	  "CREATE TABLE orgs ("
	  " id INTEGER PRIMARY KEY,"
	  " parent_id INTEGER REFERENCES orgs(id),"
	  " path TEXT NOT NULL,"              /* materialized path '/1/5/23/' */
	  " depth INTEGER NOT NULL,"
	  " name TEXT NOT NULL,"
	  " short_name TEXT,"
	  " code TEXT,"
	  " kind TEXT NOT NULL,"
	  " sector TEXT,"
	  " unit_name TEXT,"
	  " founded_on TEXT,"
	  " dissolved_on TEXT,"
	  " contact_name TEXT,"
	  " contact_phone TEXT,"
	  " address TEXT,"
	  " sort_order INTEGER NOT NULL DEFAULT 0,"
	  " created_at TEXT NOT NULL,"
	  " updated_at TEXT NOT NULL"
	  ") STRICT;"
	  "CREATE UNIQUE INDEX orgs_path ON orgs(path);"
	  "CREATE INDEX orgs_parent ON orgs(parent_id, sort_order, id);"
	  "CREATE TABLE users ("
	  " id INTEGER PRIMARY KEY,"
	  " username TEXT NOT NULL UNIQUE,"
	  " password_hash TEXT NOT NULL,"
	  " role TEXT NOT NULL CHECK (role IN ('admin','org_admin','member','secadmin','auditor')),"
	  " org_id INTEGER NOT NULL REFERENCES orgs(id),"
	  " member_id INTEGER,"
	  " display_name TEXT,"
	  " disabled INTEGER NOT NULL DEFAULT 0,"
	  " failed_logins INTEGER NOT NULL DEFAULT 0,"
	  " locked_until INTEGER NOT NULL DEFAULT 0,"
	  " last_login_at TEXT,"
	  " password_changed_at TEXT,"
	  " created_at TEXT NOT NULL,"
	  " updated_at TEXT NOT NULL"
	  ") STRICT;"
	  "CREATE INDEX users_org ON users(org_id);"
	  "CREATE TABLE sessions ("
	  " id INTEGER PRIMARY KEY,"
	  " token_hash TEXT NOT NULL UNIQUE,"  /* SHA-256 of the cookie token; the token is never stored */
	  " user_id INTEGER NOT NULL REFERENCES users(id),"
	  " csrf_token TEXT NOT NULL,"
	  " created_at INTEGER NOT NULL,"
	  " last_seen INTEGER NOT NULL,"
	  " client_ip TEXT"
	  ") STRICT;"
	  "CREATE INDEX sessions_user ON sessions(user_id);"
	  "CREATE TABLE audit_log ("
	  " id INTEGER PRIMARY KEY,"
	  " ts TEXT NOT NULL,"
	  " actor_id INTEGER,"
	  " actor_name TEXT,"
	  " action TEXT NOT NULL,"
	  " object_type TEXT,"
	  " object_id INTEGER,"
	  " org_path TEXT,"
	  " client_ip TEXT,"
	  " before_json TEXT,"
	  " after_json TEXT,"
	  " prev_hash TEXT NOT NULL,"
	  " hash TEXT NOT NULL"
	  ") STRICT;"
	  "CREATE INDEX audit_action ON audit_log(action, id);"
	  "CREATE INDEX audit_actor ON audit_log(actor_id, id);"
	  /* Append-only: the application never updates or deletes audit rows. */
	  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	  "CREATE TABLE settings ("
	  " key TEXT PRIMARY KEY,"
	  " value TEXT NOT NULL,"
	  " updated_at TEXT NOT NULL"
	  ") STRICT;",
	  NULL },
};

dj_rc dj_db_migrate(struct dj_db *db)
{
	return dj_db_apply_migrations(db, migrations, sizeof(migrations) / sizeof(migrations[0]));
}

dj_rc dj_db_apply_migrations(struct dj_db *db, const struct dj_migration *list, size_t n)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	dj_rc rc = dj_db_begin(db, &c);
	if (rc)
		return rc;
	rc = dj_db_exec_sql(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
	if (rc)
		goto fail;
	int current = 0;
	rc = dj_db_prepare(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &s);
	if (rc)
		goto fail;
	if (dj_stmt_step(s) == DJ_ROW)
		current = (int)dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	/* Apply every missing version in ascending order, whatever the order of the table. */
	for (int last = 0;;) {
		const struct dj_migration *m = NULL;
		for (size_t i = 0; i < n; i++)
			if (list[i].version > last && (!m || list[i].version < m->version))
				m = &list[i];
		if (!m)
			break;
		last = m->version;
		rc = dj_db_prepare(c, "SELECT 1 FROM schema_migrations WHERE version = ?", &s);
		if (rc)
			goto fail;
		dj_stmt_bind_int(s, 1, m->version);
		bool applied = dj_stmt_step(s) == DJ_ROW;
		dj_stmt_reset(s);
		if (applied)
			continue;
		if (m->ddl) {
			struct dj_strbuf sb = DJ_STRBUF_INIT;
			m->ddl(&sb);
			rc = dj_db_exec_sql(c, sb.buf);
			dj_strbuf_release(&sb);
		} else {
			rc = dj_db_exec_sql(c, m->sql);
		}
		if (rc) {
			dj_log_error("migration_failed", "version=%d err=\"%s\"", m->version, dj_db_errmsg(c));
			goto fail;
		}
		rc = dj_db_prepare(c, "INSERT INTO schema_migrations(version, name, applied_at)"
				      " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))", &s);
		if (!rc) {
			dj_stmt_bind_int(s, 1, m->version);
			dj_stmt_bind_text(s, 2, m->name);
			rc = dj_stmt_exec(s);
		}
		if (rc)
			goto fail;
		dj_log_info("migration_applied", "version=%d name=\"%s\"", m->version, m->name);
		if (m->version > current)
			current = m->version;
	}
	rc = dj_db_commit(c);
	if (!rc)
		db->schema_version = current;
	return rc;
fail:
	dj_db_rollback(c);
	return rc;
}

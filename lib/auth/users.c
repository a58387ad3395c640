/* users.c — account administration for the secadmin role: list, read, change; scoped and audited. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/banned.h"

#define USER_COLS                                                                                            \
	"u.id, u.username, u.role, u.org_id, o.name, u.disabled, u.locked_until, u.last_login_at, u.created_at," \
	" COALESCE(u.display_name, u.username)"
static const char Q_LIST[] = "SELECT " USER_COLS " FROM users u JOIN orgs o ON o.id = u.org_id"
			     " WHERE o.path >= ? AND o.path < ? AND (? IS NULL OR instr(u.username, ?) > 0)"
			     " ORDER BY u.id LIMIT ? OFFSET ?";
static const char Q_COUNT[] = "SELECT COUNT(*) FROM users u JOIN orgs o ON o.id = u.org_id"
			      " WHERE o.path >= ? AND o.path < ? AND (? IS NULL OR instr(u.username, ?) > 0)";
static const char Q_ONE[] = "SELECT " USER_COLS ", o.path FROM users u JOIN orgs o ON o.id = u.org_id"
			    " WHERE u.id = ? AND o.path >= ? AND o.path < ?";
static const char Q_ORG_PATH[] = "SELECT path FROM orgs WHERE id = ? AND path >= ? AND path < ?";
static const char Q_UPDATE[] =
	"UPDATE users SET disabled = ?, role = ?, org_id = ?, password_hash = COALESCE(?, password_hash),"
	" password_changed_at = CASE WHEN ? IS NULL THEN password_changed_at ELSE ? END,"
	" failed_logins = CASE WHEN ? = 0 THEN 0 ELSE failed_logins END,"
	" locked_until = CASE WHEN ? = 0 THEN 0 ELSE locked_until END, updated_at = ? WHERE id = ?";
static const char Q_KILL_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?";

static void write_row(struct dj_stmt *s, struct dj_jw *w)
{
	char ts[26];
	int64_t locked = dj_stmt_int(s, 6);
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", dj_stmt_int(s, 0));
	dj_jw_kstr(w, "username", dj_stmt_text(s, 1));
	dj_jw_kstr(w, "display_name", dj_stmt_text(s, 9));
	dj_jw_kstr(w, "role", dj_stmt_text(s, 2));
	dj_jw_kstr(w, "role_label", dj_role_label(dj_role_parse(dj_stmt_text(s, 2))));
	dj_jw_kint(w, "org_id", dj_stmt_int(s, 3));
	dj_jw_kstr(w, "org_name", dj_stmt_text(s, 4));
	dj_jw_kbool(w, "disabled", dj_stmt_int(s, 5) != 0);
	dj_jw_key(w, "locked_until");
	if (locked > dj_time_now())
		dj_jw_str(w, dj_time_rfc3339(locked, ts));
	else
		dj_jw_null(w);
	dj_jw_kstr(w, "last_login_at", dj_stmt_text(s, 7));
	dj_jw_kstr(w, "created_at", dj_stmt_text(s, 8));
	dj_jw_obj_end(w);
}

static void bind_filter(struct dj_stmt *s, const struct dj_scope *sc, const char *q)
{
	dj_stmt_bind_text(s, 1, sc->org_path);
	dj_stmt_bind_text(s, 2, sc->path_hi);
	dj_stmt_bind_text(s, 3, q);
	dj_stmt_bind_text(s, 4, q);
}

dj_rc dj_auth_users_list(struct dj_db_conn *c, const struct dj_scope *sc, const char *q, int64_t page,
			 int64_t per_page, struct dj_jw *w, int64_t *total)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, Q_COUNT, &s);
	if (rc)
		return rc;
	bind_filter(s, sc, q && *q ? q : NULL);
	*total = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0;
	dj_stmt_reset(s);
	rc = dj_db_prepare(c, Q_LIST, &s);
	if (rc)
		return rc;
	bind_filter(s, sc, q && *q ? q : NULL);
	dj_stmt_bind_int(s, 5, per_page);
	dj_stmt_bind_int(s, 6, (page - 1) * per_page);
	while ((rc = dj_stmt_step(s)) == DJ_ROW)
		write_row(s, w);
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

dj_rc dj_auth_user_write(struct dj_db_conn *c, const struct dj_scope *sc, int64_t id, struct dj_jw *w)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, Q_ONE, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	dj_stmt_bind_text(s, 3, sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		write_row(s, w);
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

dj_rc dj_auth_user_update(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who, int64_t id,
			  int disabled, const char *password, const char *role, int64_t org_id, const char **field,
			  char *err, size_t errlen)
{
	struct dj_stmt *s;
	char cur_role[16], path[DJ_PATH_MAX], hash[crypto_pwhash_STRBYTES], ts[26];
	int64_t cur_org, cur_disabled;
	struct dj_strbuf before = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_rc rc = dj_db_prepare(c, Q_ONE, &s);
	*field = NULL;
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	dj_stmt_bind_text(s, 3, sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc != DJ_ROW) {
		dj_stmt_reset(s);
		return rc == DJ_DONE ? DJ_ERR_NOTFOUND : rc;
	}
	dj_jw_init(&w, &before);
	write_row(s, &w);
	snprintf(cur_role, sizeof(cur_role), "%s", dj_stmt_text(s, 2));
	cur_org = dj_stmt_int(s, 3);
	cur_disabled = dj_stmt_int(s, 5);
	snprintf(path, sizeof(path), "%s", dj_stmt_text(s, 10));
	dj_stmt_reset(s);

	if (role && dj_role_parse(role) == DJ_ROLE_NONE) {
		*field = "role";
		snprintf(err, errlen, "角色无效：应为 admin、org_admin、member、secadmin 或 auditor");
		rc = DJ_ERR_INVALID;
		goto out;
	}
	if (org_id && org_id != cur_org) {
		rc = dj_db_prepare(c, Q_ORG_PATH, &s);
		if (rc)
			goto out;
		dj_stmt_bind_int(s, 1, org_id);
		dj_stmt_bind_text(s, 2, sc->org_path);
		dj_stmt_bind_text(s, 3, sc->path_hi);
		rc = dj_stmt_step(s);
		dj_stmt_reset(s);
		if (rc != DJ_ROW) {
			*field = "org_id";
			snprintf(err, errlen, "所属组织不存在或不在您的管理范围内：%lld", (long long)org_id);
			rc = DJ_ERR_INVALID;
			goto out;
		}
	}
	if (password) {
		if (dj_auth_password_policy(password, err, errlen)) {
			*field = "password";
			rc = DJ_ERR_INVALID;
			goto out;
		}
		if ((rc = dj_auth_hash_password(password, hash, sizeof(hash))))
			goto out;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	int64_t new_disabled = disabled >= 0 ? disabled : cur_disabled;
	rc = dj_db_prepare(c, Q_UPDATE, &s);
	if (rc)
		goto out;
	dj_stmt_bind_int(s, 1, new_disabled);
	dj_stmt_bind_text(s, 2, role ? role : cur_role);
	dj_stmt_bind_int(s, 3, org_id ? org_id : cur_org);
	dj_stmt_bind_text(s, 4, password ? hash : NULL);
	dj_stmt_bind_text(s, 5, password ? ts : NULL);
	dj_stmt_bind_text(s, 6, ts);
	/* Enabling an account or resetting its password also clears a lockout. */
	dj_stmt_bind_int(s, 7, password || disabled == 0 ? 0 : 1);
	dj_stmt_bind_int(s, 8, password || disabled == 0 ? 0 : 1);
	dj_stmt_bind_text(s, 9, ts);
	dj_stmt_bind_int(s, 10, id);
	rc = dj_stmt_exec(s);
	sodium_memzero(hash, sizeof(hash));
	if (rc)
		goto out;
	if (new_disabled || password || (role && strcmp(role, cur_role)) || (org_id && org_id != cur_org)) {
		/* Rights changed: end the account's sessions so they take effect now. */
		rc = dj_db_prepare(c, Q_KILL_SESSIONS, &s);
		if (rc)
			goto out;
		dj_stmt_bind_int(s, 1, id);
		if ((rc = dj_stmt_exec(s)))
			goto out;
	}
	rc = dj_auth_user_write(c, sc, id, (dj_jw_init(&w, &after), &w));
	if (rc == DJ_ERR_NOTFOUND)
		rc = DJ_OK; /* moved out of the actor's own subtree is impossible (checked above) */
	if (rc)
		goto out;
	{
		/* The password itself never enters the audit log; only the fact that it changed. */
		struct dj_audit_entry e = { password ? "user.update_password" : "user.update", "user", id, path,
					    before.buf, after.buf };
		rc = dj_audit_append(c, who, &e);
	}
out:
	dj_strbuf_release(&before);
	dj_strbuf_release(&after);
	return rc;
}

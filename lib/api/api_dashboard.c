/* api_dashboard.c — the home page's figures: organizations and accounts in the caller's subtree. */
#include "dj/org.h"
#include "api_int.h"
#include "dj/banned.h"

/* Accounts by role in the subtree, walked from whichever side is smaller: the subtree's orgs (each
 * looked up in users_org) or every account (each org looked up by id) — a province root has 267,097
 * organizations and a few hundred accounts; a township the other way round. */
static const char Q_USERS_BY_ROLE_ORGS[] =
	"SELECT u.role, COUNT(*) FROM users u JOIN orgs o ON o.id = u.org_id"
	" WHERE o.path >= ? AND o.path < ? GROUP BY u.role ORDER BY u.role";
static const char Q_USERS_BY_ROLE_USERS[] =
	"SELECT u.role, COUNT(*) FROM users u WHERE EXISTS (SELECT 1 FROM orgs o WHERE o.id = u.org_id"
	" AND o.path >= ? AND o.path < ?) GROUP BY u.role ORDER BY u.role";

/* About how many accounts there are (ids are not reused much: enough to pick a side). */
static int64_t users_estimate(struct dj_db_conn *c)
{
	struct dj_stmt *s;
	int64_t n = 0;
	if (dj_db_prepare(c, "SELECT MAX(id) FROM users", &s) == DJ_OK) {
		if (dj_stmt_step(s) == DJ_ROW)
			n = dj_stmt_int(s, 0);
		dj_stmt_reset(s);
	}
	return n;
}

/* Writes {"k":n,...} for a grouped count and returns the sum. */
static dj_rc grouped(struct dj_req *r, struct dj_db_conn *c, const char *sql, const char *key, int64_t *sum)
{
	struct dj_stmt *s;
	struct dj_jw *w = dj_req_jw(r);
	dj_rc rc = dj_db_prepare(c, sql, &s);
	*sum = 0;
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, r->user->scope.org_path);
	dj_stmt_bind_text(s, 2, r->user->scope.path_hi);
	dj_jw_key(w, key);
	dj_jw_obj_begin(w);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		int64_t n = dj_stmt_int(s, 1);
		dj_jw_kint(w, dj_stmt_text(s, 0), n);
		*sum += n;
	}
	dj_jw_obj_end(w);
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

dj_rc api_dashboard(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_jw *w = dj_req_jw(r);
	int64_t orgs = 0, users = 0, full = 0, prob = 0;
	dj_rc rc = api_reader(r, &c);
	if (rc)
		return rc;
	dj_jw_obj_begin(w);
	dj_jw_key(w, "org");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", r->user->org_id);
	dj_jw_kstr(w, "name", r->user->org_name);
	dj_jw_obj_end(w);
	if (r->user->role == DJ_ROLE_MEMBER) {
		/* A member's scope is their own record: no subtree figures. */
		dj_db_release(c);
		dj_jw_kbool(w, "self_only", true);
		dj_jw_kint(w, "member_id", r->user->member_id);
		dj_jw_obj_end(w);
		return DJ_OK;
	}
	/* pre-aggregated per org (lib/domain/org_kinds.c): one seek, whatever the subtree's size */
	dj_jw_key(w, "orgs_by_kind");
	dj_jw_obj_begin(w);
	rc = dj_org_kinds_write(c, r->user->org_id, w, &orgs);
	dj_jw_obj_end(w);
	if (!rc)
		rc = grouped(r, c, orgs > users_estimate(c) ? Q_USERS_BY_ROLE_USERS : Q_USERS_BY_ROLE_ORGS,
			     "accounts_by_role", &users);
	if (!rc)
		rc = dj_org_counts(c, &r->user->scope, &full, &prob);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_jw_kint(w, "orgs_total", orgs);
	dj_jw_kint(w, "accounts_total", users);
	dj_jw_kint(w, "members_total", full + prob);
	dj_jw_kint(w, "members_full", full);
	dj_jw_kint(w, "members_probationary", prob);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* api_dashboard.c — the home page's figures: organizations and accounts in the caller's subtree. */
#include "dj/org.h"
#include "api_int.h"
#include "dj/banned.h"

static const char Q_ORGS_BY_KIND[] =
	"SELECT kind, COUNT(*) FROM orgs WHERE path >= ? AND path < ? GROUP BY kind ORDER BY kind";
static const char Q_USERS_BY_ROLE[] =
	"SELECT u.role, COUNT(*) FROM users u JOIN orgs o ON o.id = u.org_id"
	" WHERE o.path >= ? AND o.path < ? GROUP BY u.role ORDER BY u.role";

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
	rc = grouped(r, c, Q_ORGS_BY_KIND, "orgs_by_kind", &orgs);
	if (!rc)
		rc = grouped(r, c, Q_USERS_BY_ROLE, "accounts_by_role", &users);
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

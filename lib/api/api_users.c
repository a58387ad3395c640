/* api_users.c — account administration (secadmin only: 三员分立). */
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_users_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	int64_t page, per_page, total = 0;
	dj_rc rc;
	if ((rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	dj_req_list_begin(r);
	rc = dj_auth_users_list(c, &r->user->scope, dj_req_query(r, "q"), page, per_page, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

/* Write the account back after a change, in the same transaction's view. */
static dj_rc respond_user(struct dj_req *r, struct dj_db_conn *c, int64_t id)
{
	return dj_auth_user_write(c, &r->user->scope, id, dj_req_jw(r));
}

dj_rc api_users_create(struct dj_req *r)
{
	static const char *const keys[] = { "username", "password", "role", "org_id", NULL };
	json_t *b;
	const char *username, *password, *role, *field = NULL;
	int64_t org_id, id = 0;
	char err[256] = "";
	struct dj_db_conn *c;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) ||
	    (rc = api_str(r, b, "username", true, 60, &username)) || (rc = api_str(r, b, "password", true, 128, &password)) ||
	    (rc = api_str(r, b, "role", true, 16, &role)) || (rc = api_int(r, b, "org_id", true, 1, INT64_MAX, &org_id, NULL)))
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	struct dj_actor who = dj_req_actor(r);
	rc = dj_auth_user_create(c, &r->user->scope, &who, username, password, role, org_id, &id, &field, err,
				 sizeof(err));
	if (!rc)
		rc = respond_user(r, c, id);
	if (rc) {
		dj_db_rollback(c);
		return dj_req_fail(r, rc, field, err[0] ? "%s" : NULL, err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = 201;
	return DJ_OK;
}

dj_rc api_users_patch(struct dj_req *r)
{
	static const char *const keys[] = { "disabled", "password", "role", "org_id", NULL };
	json_t *b, *dis;
	const char *password, *role, *field = NULL;
	int64_t id, org_id = 0;
	int disabled = -1;
	char err[256] = "";
	struct dj_db_conn *c;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) ||
	    (rc = api_str(r, b, "password", false, 128, &password)) || (rc = api_str(r, b, "role", false, 16, &role)) ||
	    (rc = api_int(r, b, "org_id", false, 1, INT64_MAX, &org_id, NULL)))
		return rc;
	dis = json_object_get(b, "disabled");
	if (dis && !json_is_null(dis)) {
		if (!json_is_boolean(dis))
			return dj_req_fail(r, DJ_ERR_INVALID, "disabled", "字段 disabled 应为 true 或 false");
		disabled = json_is_true(dis) ? 1 : 0;
	}
	if (id == r->user->user_id && (disabled == 1 || role))
		return dj_req_fail(r, DJ_ERR_INVALID, disabled == 1 ? "disabled" : "role", "不能停用自己的账号或修改自己的角色");
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	struct dj_actor who = dj_req_actor(r);
	rc = dj_auth_user_update(c, &r->user->scope, &who, id, disabled, password, role, org_id, &field, err, sizeof(err));
	if (!rc)
		rc = respond_user(r, c, id);
	if (rc) {
		dj_db_rollback(c);
		return dj_req_fail(r, rc, field, err[0] ? "%s" : NULL, err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	return DJ_OK;
}

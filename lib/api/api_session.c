/* api_session.c — login, current session and logout (ARCHITECTURE.md "Sessions"). */
#include <stdio.h>
#include <string.h>
#include "api_int.h"
#include "dj/banned.h"

static void write_session(struct dj_req *r, const struct dj_session_user *u)
{
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_key(w, "user");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", u->user_id);
	dj_jw_kstr(w, "username", u->username);
	dj_jw_kstr(w, "display_name", u->display_name);
	dj_jw_kstr(w, "role", dj_role_name(u->role));
	dj_jw_kstr(w, "role_label", dj_role_label(u->role));
	dj_jw_kint(w, "org_id", u->org_id);
	dj_jw_kstr(w, "org_name", u->org_name);
	dj_jw_kint_or_null(w, "member_id", u->member_id, u->member_id == 0);
	dj_jw_obj_end(w);
	dj_jw_kstr(w, "csrf_token", u->csrf);
	dj_jw_kint(w, "idle_timeout_s", r->app->policy.session_idle_s);
	dj_jw_obj_end(w);
}

dj_rc api_session_create(struct dj_req *r)
{
	static const char *const keys[] = { "username", "password", NULL };
	json_t *b;
	const char *user, *pw;
	char token[DJ_TOKEN_HEX + 1], cookie[160];
	struct dj_session_user u;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) || (rc = api_str(r, b, "username", true, 64, &user)) ||
	    (rc = api_str(r, b, "password", true, 128, &pw)))
		return rc;
	memset(&u, 0, sizeof(u));
	rc = dj_auth_login(r->app->db, &r->app->policy, user, pw, r->client_ip, token, &u);
	if (rc == DJ_ERR_UNAUTH)
		return dj_req_fail_code(r, rc, "bad_credentials", NULL, "用户名或密码错误");
	if (rc == DJ_ERR_LOCKED)
		return dj_req_fail_code(r, rc, "account_locked", NULL,
					"连续登录失败次数过多，账号已临时锁定，请 15 分钟后再试或联系安全管理员");
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	/* A fresh token at every login (no session fixation); the old cookie is simply replaced. */
	snprintf(cookie, sizeof(cookie), "dj_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
		 r->app->cfg->cookie_secure ? "; Secure" : "");
	dj_req_add_header(r, "Set-Cookie", cookie);
	write_session(r, &u);
	return DJ_OK;
}

dj_rc api_session_get(struct dj_req *r)
{
	write_session(r, r->user);
	return DJ_OK;
}

dj_rc api_session_delete(struct dj_req *r)
{
	dj_rc rc = dj_auth_logout(r->app->db, r->user, r->client_ip);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_add_header(r, "Set-Cookie", "dj_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kbool(w, "ok", true);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* common.c — small helpers every API file uses: readers, strict body fields with Chinese errors. */
#include <string.h>
#include "dj/slice.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_reader(struct dj_req *r, struct dj_db_conn **c)
{
	dj_rc rc = dj_db_reader(r->app->db, c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_body(struct dj_req *r, json_t **obj)
{
	if (!r->json)
		return dj_req_fail_code(r, DJ_ERR_BADREQ, "malformed_json", NULL, "缺少请求体，应为 JSON 对象");
	*obj = r->json;
	return DJ_OK;
}

dj_rc api_only_keys(struct dj_req *r, json_t *obj, const char *const *allowed)
{
	const char *bad;
	if (dj_json_only_keys(obj, allowed, &bad))
		return dj_req_fail(r, DJ_ERR_INVALID, bad, "未知字段：%s", bad);
	return DJ_OK;
}

dj_rc api_str(struct dj_req *r, json_t *obj, const char *key, bool required, size_t max_chars, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return dj_req_fail(r, DJ_ERR_INVALID, key, "缺少必填字段：%s", key);
		return DJ_OK;
	}
	if (!json_is_string(v))
		return dj_req_fail(r, DJ_ERR_INVALID, key, "字段 %s 应为字符串", key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (memchr(s, '\0', n))
		return dj_req_fail(r, DJ_ERR_INVALID, key, "字段 %s 含有非法字符", key);
	if (required && n == 0)
		return dj_req_fail(r, DJ_ERR_INVALID, key, "字段 %s 不能为空", key);
	if (max_chars && dj_utf8_len(s, n) > max_chars)
		return dj_req_fail(r, DJ_ERR_INVALID, key, "字段 %s 过长（最多 %zu 个字符）", key, max_chars);
	*out = s;
	return DJ_OK;
}

dj_rc api_int(struct dj_req *r, json_t *obj, const char *key, bool required, int64_t min, int64_t max,
	      int64_t *out, bool *present)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = false;
	if (!v || json_is_null(v)) {
		if (required)
			return dj_req_fail(r, DJ_ERR_INVALID, key, "缺少必填字段：%s", key);
		return DJ_OK;
	}
	if (!json_is_integer(v))
		return dj_req_fail(r, DJ_ERR_INVALID, key, "字段 %s 应为整数", key);
	int64_t x = (int64_t)json_integer_value(v);
	if (x < min || x > max)
		return dj_req_fail(r, DJ_ERR_INVALID, key, "字段 %s 超出范围（%lld 到 %lld）", key, (long long)min,
				   (long long)max);
	*out = x;
	if (present)
		*present = true;
	return DJ_OK;
}

void api_model_ctx(struct dj_req *r, struct dj_db_conn *c, struct dj_actor *who, struct dj_model_ctx *x)
{
	*who = dj_req_actor(r);
	x->c = c;
	x->sc = &r->user->scope;
	x->who = who;
	x->pii = r->app->pii;
	x->a = &r->arena;
}

dj_rc api_model_fail(struct dj_req *r, dj_rc rc, const struct dj_model_err *err)
{
	if (rc == DJ_ERR_INVALID || (rc == DJ_ERR_CONFLICT && err->msg[0]))
		return dj_req_fail(r, rc, err->field, "%s", err->msg[0] ? err->msg : dj_rc_message(rc));
	return dj_req_fail(r, rc, NULL, NULL);
}

const char *api_query_param(const void *req, const char *name)
{
	return dj_req_query(req, name);
}

dj_rc api_rows_of(struct dj_req *r, api_rows_of_fn rows)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id, n = 0;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = rows(&x, id, dj_req_jw(r), &n);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, n, 1, n > 200 ? n : 200);
	return DJ_OK;
}

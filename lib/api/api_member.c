/* api_member.c — the member register API: list/search, CRUD, masked PII with audited reveal,
 * sub-records (奖惩, 职务, 家庭成员, 出国出境), and /api/v1/meta for the UI's forms and tables. */
#include <string.h>
#include "dj/codes.h"
#include "dj/member.h"
#include "dj/schema.h"
#include "dj/slice.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_meta(struct dj_req *r)
{
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_key(w, "entities");
	dj_jw_obj_begin(w);
	for (int i = 0; dj_schema_entities[i]; i++) {
		dj_jw_key(w, dj_schema_entities[i]->name);
		dj_model_meta(dj_schema_entities[i], w);
	}
	dj_jw_obj_end(w);
	dj_jw_key(w, "codes");
	dj_codes_write_json(w);
	dj_jw_obj_end(w);
	return DJ_OK;
}

dj_rc api_members_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_list_query q;
	struct dj_model_err err = { 0 };
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t total = 0;
	dj_rc rc = dj_model_list_query_parse(&dj_member_entity, api_query_param, r, &q, &err);
	if (rc)
		return api_model_fail(r, rc, &err);
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = dj_model_list(&x, &dj_member_entity, &q, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	dj_req_list_end(r, total, q.page, q.per_page);
	return DJ_OK;
}

/* Runs fn in one write transaction and answers with the member (or record) afterwards. */
typedef dj_rc (*write_fn)(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err);

static dj_rc in_tx(struct dj_req *r, write_fn fn, const struct dj_entity *e, int64_t id, int ok_status)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	dj_rc rc = dj_db_begin(r->app->db, &c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = fn(r, &x, &id, &err);
	if (!rc && e)
		rc = dj_model_get(&x, e, id, false, dj_req_jw(r));
	if (rc) {
		dj_db_rollback(c);
		return api_model_fail(r, rc, &err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = ok_status;
	return DJ_OK;
}

static dj_rc do_create(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	json_t *b;
	struct dj_value vals[64];
	dj_rc rc = api_body(r, &b);
	if (rc)
		return rc;
	if ((rc = dj_model_unpack(&dj_member_entity, b, true, x->a, vals, err)))
		return rc;
	return dj_member_create(x, vals, id, err);
}

dj_rc api_members_create(struct dj_req *r)
{
	if (!r->json)
		return api_body(r, &(json_t *){ NULL });
	return in_tx(r, do_create, &dj_member_entity, 0, 201);
}

dj_rc api_member_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id;
	const char *rv = dj_req_query(r, "reveal");
	bool reveal = rv && strcmp(rv, "1") == 0;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (reveal) {
		/* Seeing 身份证号 and phone in clear is a write: it is audited first. */
		if ((rc = dj_db_begin(r->app->db, &c)))
			return dj_req_fail(r, rc, NULL, NULL);
		api_model_ctx(r, c, &who, &x);
		rc = dj_member_audit_reveal(&x, id);
		if (!rc)
			rc = dj_model_get(&x, &dj_member_entity, id, true, dj_req_jw(r));
		if (rc) {
			dj_db_rollback(c);
			return dj_req_fail(r, rc, NULL, NULL);
		}
		rc = dj_db_commit(c);
		return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
	}
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_model_get(&x, &dj_member_entity, id, false, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

static dj_rc do_patch(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	json_t *b;
	struct dj_value vals[64];
	dj_rc rc = api_body(r, &b);
	if (rc)
		return rc;
	if ((rc = dj_model_unpack(&dj_member_entity, b, false, x->a, vals, err)))
		return rc;
	return dj_member_update(x, *id, vals, err);
}

dj_rc api_member_patch(struct dj_req *r)
{
	int64_t id;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (!r->json)
		return api_body(r, &(json_t *){ NULL });
	return in_tx(r, do_patch, &dj_member_entity, id, 200);
}

static dj_rc do_delete(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	const char *reason = dj_req_query(r, "reason");
	json_t *b = r->json;
	if (b) {
		const char *k;
		json_t *v;
		json_object_foreach(b, k, v) {
			if (strcmp(k, "reason") != 0) {
				err->field = k;
				snprintf(err->msg, sizeof(err->msg), "未知字段：%s", k);
				return DJ_ERR_INVALID;
			}
		}
		v = json_object_get(b, "reason");
		if (v && !json_is_string(v)) {
			err->field = "reason";
			snprintf(err->msg, sizeof(err->msg), "字段 reason 应为字符串");
			return DJ_ERR_INVALID;
		}
		reason = json_string_value(v);
		if (reason && strlen(reason) > 600) {
			err->field = "reason";
			snprintf(err->msg, sizeof(err->msg), "删除原因过长（最多 200 个字符）");
			return DJ_ERR_INVALID;
		}
	}
	if (!reason || !*reason) {
		err->field = "reason";
		snprintf(err->msg, sizeof(err->msg), "删除党员记录须填写原因（reason）");
		return DJ_ERR_INVALID;
	}
	return dj_member_delete(x, *id, reason);
}

dj_rc api_member_delete(struct dj_req *r)
{
	int64_t id;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	rc = in_tx(r, do_delete, NULL, id, 200);
	if (!rc) {
		struct dj_jw *w = dj_req_jw(r);
		dj_jw_obj_begin(w);
		dj_jw_kbool(w, "ok", true);
		dj_jw_kint(w, "id", id);
		dj_jw_obj_end(w);
	}
	return rc;
}

/* ---- sub-records ------------------------------------------------------------------------------ */

static const struct {
	const char *kind;
	const struct dj_entity *e;
} record_kinds[] = {
	{ "rewards", &dj_member_reward_entity },
	{ "positions", &dj_member_position_entity },
	{ "family", &dj_member_family_entity },
	{ "abroad", &dj_member_abroad_entity },
};

static const struct dj_entity *record_entity(struct dj_req *r)
{
	for (size_t i = 0; i < sizeof(record_kinds) / sizeof(record_kinds[0]); i++)
		if (r->nparams > 1 && strcmp(r->params[1], record_kinds[i].kind) == 0)
			return record_kinds[i].e;
	return NULL;
}

dj_rc api_member_records_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_list_query q;
	struct dj_model_err err = { 0 };
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id, total = 0;
	const struct dj_entity *e = record_entity(r);
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (!e)
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, "未知的记录类别：%s", r->params[1]);
	if ((rc = dj_model_list_query_parse(e, api_query_param, r, &q, &err)))
		return api_model_fail(r, rc, &err);
	q.parent_id = id;
	q.per_page = q.per_page < 200 ? 200 : q.per_page;
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	/* The parent member must be visible: otherwise 404, not an empty list. */
	const char *path;
	rc = dj_model_row_path(&x, &dj_member_entity, id, &path);
	if (!rc) {
		dj_req_list_begin(r);
		rc = dj_model_list(&x, e, &q, dj_req_jw(r), &total);
	}
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, total, q.page, q.per_page);
	return DJ_OK;
}

static dj_rc do_record_create(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	const struct dj_entity *e = record_entity(r);
	struct dj_value vals[32];
	json_t *b;
	int64_t member_id = *id;
	const char *path;
	dj_rc rc = api_body(r, &b);
	if (rc)
		return rc;
	if ((rc = dj_model_row_path(x, &dj_member_entity, member_id, &path)))
		return rc;
	if ((rc = dj_model_unpack(e, b, true, x->a, vals, err)))
		return rc;
	return dj_model_insert_child(x, e, member_id, vals, id, err);
}

dj_rc api_member_records_create(struct dj_req *r)
{
	int64_t id;
	const struct dj_entity *e = record_entity(r);
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (!e)
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, "未知的记录类别");
	if (!r->json)
		return api_body(r, &(json_t *){ NULL });
	return in_tx(r, do_record_create, e, id, 201);
}

/* The record must belong to the member named in the path. */
static dj_rc owned(struct dj_req *r, const struct dj_model_ctx *x, int64_t rid)
{
	int64_t mid = 0, parent = 0;
	dj_parse_int_str(r->params[0], 1, INT64_MAX, &mid);
	dj_rc rc = dj_model_parent_of(x, record_entity(r), rid, &parent);
	if (rc)
		return rc;
	return parent == mid ? DJ_OK : DJ_ERR_NOTFOUND;
}

static dj_rc do_record_patch(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	const struct dj_entity *e = record_entity(r);
	struct dj_value vals[32];
	json_t *b = r->json;
	dj_rc rc = owned(r, x, *id);
	if (rc)
		return rc;
	if (rc || (rc = dj_model_unpack(e, b, false, x->a, vals, err)))
		return rc;
	return dj_model_update(x, e, *id, vals, err);
}

static dj_rc record_id(struct dj_req *r, int64_t *rid)
{
	int64_t mid;
	dj_rc rc = dj_req_param_id(r, 0, &mid);
	if (rc)
		return rc;
	if (!record_entity(r) || r->nparams < 3 || dj_parse_int_str(r->params[2], 1, INT64_MAX, rid))
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, NULL);
	return DJ_OK;
}

dj_rc api_member_record_patch(struct dj_req *r)
{
	int64_t rid = 0;
	dj_rc rc = record_id(r, &rid);
	if (rc)
		return rc;
	if (!r->json)
		return api_body(r, &(json_t *){ NULL });
	return in_tx(r, do_record_patch, record_entity(r), rid, 200);
}

static dj_rc do_record_delete(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	(void)err;
	dj_rc rc = owned(r, x, *id);
	return rc ? rc : dj_model_delete(x, record_entity(r), *id, "删除记录");
}

dj_rc api_member_record_delete(struct dj_req *r)
{
	int64_t rid = 0;
	dj_rc rc = record_id(r, &rid);
	if (rc)
		return rc;
	rc = in_tx(r, do_record_delete, NULL, rid, 200);
	if (!rc) {
		struct dj_jw *w = dj_req_jw(r);
		dj_jw_obj_begin(w);
		dj_jw_kbool(w, "ok", true);
		dj_jw_obj_end(w);
	}
	return rc;
}

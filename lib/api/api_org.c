/* api_org.c — organization endpoints: one org and its children, always through the caller's scope. */
#include <string.h>
#include "dj/org.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_org_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_org o;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	rc = dj_org_get(c, &r->user->scope, id, &r->arena, &o);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_org_write_json(dj_req_jw(r), &o);
	return DJ_OK;
}

dj_rc api_org_children(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_org *items;
	int64_t id, page, per_page, n, total;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	rc = dj_org_children(c, &r->user->scope, id, page, per_page, &r->arena, &items, &n, &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_begin(r);
	for (int64_t i = 0; i < n; i++)
		dj_org_write_json(dj_req_jw(r), &items[i]);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

/* ---- writes, statistics, findings, committees ------------------------------------------------------ */

static dj_rc org_tx_begin(struct dj_req *r, struct dj_db_conn **c, struct dj_actor *who, struct dj_model_ctx *x)
{
	dj_rc rc = dj_db_begin(r->app->db, c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, *c, who, x);
	return DJ_OK;
}

/* Commit and answer with the org, or roll back and answer the error. */
static dj_rc org_tx_end(struct dj_req *r, struct dj_db_conn *c, const struct dj_model_ctx *x, dj_rc rc, int64_t id,
			const struct dj_model_err *err, int status)
{
	struct dj_org o = { 0 };
	if (!rc)
		rc = dj_org_get(c, x->sc, id, x->a, &o);
	if (rc) {
		dj_db_rollback(c);
		return api_model_fail(r, rc, err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	dj_org_write_json(dj_req_jw(r), &o);
	r->status = status;
	return DJ_OK;
}

dj_rc api_org_create(struct dj_req *r)
{
	json_t *b;
	struct dj_value vals[16];
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_actor who;
	struct dj_model_ctx x;
	int64_t parent_id, id = 0;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_int(r, b, "parent_id", true, 1, INT64_MAX, &parent_id, NULL)))
		return rc;
	json_t *copy = json_copy(b);
	json_object_del(copy, "parent_id");
	rc = dj_model_unpack(&dj_org_entity, copy, true, &r->arena, vals, &err);
	if (rc) {
		/* err.field may point at a key of copy: write the error first. */
		rc = api_model_fail(r, rc, &err);
		json_decref(copy);
		return rc;
	}
	if ((rc = org_tx_begin(r, &c, &who, &x))) {
		json_decref(copy);
		return rc;
	}
	rc = dj_org_create(&x, parent_id, vals, &id, &err);
	rc = org_tx_end(r, c, &x, rc, id, &err, 201);
	json_decref(copy); /* vals point into copy until the response is written */
	return rc;
}

dj_rc api_org_patch(struct dj_req *r)
{
	json_t *b;
	struct dj_value vals[16];
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_actor who;
	struct dj_model_ctx x;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	if ((rc = dj_model_unpack(&dj_org_entity, b, false, &r->arena, vals, &err)))
		return api_model_fail(r, rc, &err);
	if ((rc = org_tx_begin(r, &c, &who, &x)))
		return rc;
	rc = dj_org_update(&x, id, vals, &err);
	return org_tx_end(r, c, &x, rc, id, &err, 200);
}

dj_rc api_org_move(struct dj_req *r)
{
	static const char *const keys[] = { "parent_id", NULL };
	json_t *b;
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_actor who;
	struct dj_model_ctx x;
	int64_t id, parent_id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) ||
	    (rc = api_int(r, b, "parent_id", true, 1, INT64_MAX, &parent_id, NULL)))
		return rc;
	if ((rc = org_tx_begin(r, &c, &who, &x)))
		return rc;
	rc = dj_org_move(&x, id, parent_id, &err);
	return org_tx_end(r, c, &x, rc, id, &err, 200);
}

dj_rc api_org_stats(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_actor who;
	struct dj_model_ctx x;
	struct dj_date as_of = dj_date_today();
	const char *q = dj_req_query(r, "as_of");
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)))
		return rc;
	if (q && *q && dj_date_parse(q, strlen(q), &as_of))
		return dj_req_fail(r, DJ_ERR_INVALID, "as_of", "as_of 应为 YYYY-MM-DD 格式的有效日期");
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_org_stats(&x, id, as_of, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_org_findings(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_actor who;
	struct dj_model_ctx x;
	int64_t id, n = 0;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = dj_org_findings(&x, id, dj_date_today(), dj_req_jw(r), &n);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, n, 1, n > 200 ? n : 200);
	return DJ_OK;
}

dj_rc api_committees_list(struct dj_req *r)
{
	return api_rows_of(r, dj_committee_list);
}

dj_rc api_committees_create(struct dj_req *r)
{
	json_t *b;
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_actor who;
	struct dj_model_ctx x;
	int64_t id, tid = 0, n;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	if ((rc = org_tx_begin(r, &c, &who, &x)))
		return rc;
	rc = dj_committee_create(&x, id, b, &tid, &err);
	if (rc) {
		dj_db_rollback(c);
		return api_model_fail(r, rc, &err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	/* Answer with the org's terms, the new one first. */
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = dj_committee_list(&x, id, dj_req_jw(r), &n);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, n, 1, 200);
	r->status = 201;
	return DJ_OK;
}

/* api_develop.c — the development pipeline API: cases, steps with rule checks and admin override,
 * the pipeline board and annual plans. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "dj/calendar.h"
#include "dj/compliance.h"
#include "dj/develop.h"
#include "dj/develop_case.h"
#include "dj/slice.h"
#include "dj/transfer.h"
#include "api_int.h"
#include "dj/banned.h"

/* R-VER-1: the date from which dev-2026 governs a step, from the caller's subtree settings. */
static struct dj_date switch_date(struct dj_db_conn *c, const char *path)
{
	struct dj_date d;
	char buf[16];
	int64_t v = dj_rule_param_int(c, path, "R-VER-1", "switch_on");
	snprintf(buf, sizeof(buf), "%04lld%02lld%02lld", (long long)(v / 10000 % 10000), (long long)(v / 100 % 100),
		 (long long)(v % 100));
	if (dj_date_parse_compact(buf, &d))
		dj_date_parse(DJ_DEV_SWITCH_DEFAULT, 10, &d);
	return d;
}

dj_rc api_dev_cases_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_list_query q;
	struct dj_model_err err = { 0 };
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t total = 0;
	dj_rc rc = dj_model_list_query_parse(&dj_dev_case_entity, api_query_param, r, &q, &err);
	if (rc)
		return api_model_fail(r, rc, &err);
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = dj_model_list(&x, &dj_dev_case_entity, &q, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	dj_req_list_end(r, total, q.page, q.per_page);
	return DJ_OK;
}

dj_rc api_dev_case_create(struct dj_req *r)
{
	json_t *b;
	struct dj_value vals[32];
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id = 0;
	dj_rc rc;
	if ((rc = api_body(r, &b)))
		return rc;
	if ((rc = dj_model_unpack(&dj_dev_case_entity, b, true, &r->arena, vals, &err)))
		return api_model_fail(r, rc, &err);
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = dj_dev_case_create(&x, vals, &id, &err);
	if (!rc)
		rc = dj_dev_case_write(&x, id, switch_date(c, r->user->scope.org_path), dj_req_jw(r));
	if (rc) {
		dj_db_rollback(c);
		return api_model_fail(r, rc, &err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = 201;
	return DJ_OK;
}

dj_rc api_dev_case_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_dev_case_write(&x, id, switch_date(c, r->user->scope.org_path), dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_dev_step_add(struct dj_req *r)
{
	json_t *b;
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id, sid = 0;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	struct dj_date sw = switch_date(c, r->user->scope.org_path);
	rc = dj_dev_step_add(&x, id, b, sw, r->user->role == DJ_ROLE_ADMIN, &sid, &err);
	if (!rc)
		rc = dj_dev_case_write(&x, id, sw, dj_req_jw(r));
	if (rc) {
		dj_db_rollback(c);
		if ((rc == DJ_ERR_CONFLICT || rc == DJ_ERR_FORBIDDEN) && err.msg[0])
			return dj_req_fail(r, rc, err.field, "%s", err.msg);
		return api_model_fail(r, rc, &err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = 201;
	return DJ_OK;
}

dj_rc api_dev_board(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org = r->user->org_id, year = dj_date_today().y;
	const char *o = dj_req_query(r, "org_id"), *y = dj_req_query(r, "year");
	dj_rc rc;
	if (o && *o && dj_parse_int_str(o, 1, INT64_MAX, &org))
		return dj_req_fail(r, DJ_ERR_INVALID, "org_id", "org_id 应为正整数");
	if (y && *y && dj_parse_int_str(y, 2000, 2999, &year))
		return dj_req_fail(r, DJ_ERR_INVALID, "year", "year 应为年份");
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_dev_board(&x, org, (int)year, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_dev_plan_set(struct dj_req *r)
{
	static const char *const keys[] = { "org_id", "year", "quota", NULL };
	json_t *b;
	int64_t org, year, quota;
	struct dj_model_err err = { 0 };
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) ||
	    (rc = api_int(r, b, "org_id", true, 1, INT64_MAX, &org, NULL)) || (rc = api_int(r, b, "year", true, 2000, 2999, &year, NULL)) ||
	    (rc = api_int(r, b, "quota", true, 0, 100000, &quota, NULL)))
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = dj_dev_plan_set(&x, org, (int)year, quota, &err);
	if (!rc)
		rc = dj_dev_board(&x, org, (int)year, dj_req_jw(r));
	if (rc) {
		dj_db_rollback(c);
		return api_model_fail(r, rc, &err);
	}
	rc = dj_db_commit(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

/* ---- status and transfers ----------------------------------------------------------------------- */

static dj_rc in_write(struct dj_req *r, struct dj_db_conn **c, struct dj_actor *who, struct dj_model_ctx *x)
{
	dj_rc rc = dj_db_begin(r->app->db, c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, *c, who, x);
	return DJ_OK;
}

static dj_rc finish(struct dj_req *r, struct dj_db_conn *c, dj_rc rc, const struct dj_model_err *err, int status)
{
	if (rc) {
		dj_db_rollback(c);
		if ((rc == DJ_ERR_CONFLICT || rc == DJ_ERR_FORBIDDEN) && err->msg[0])
			return dj_req_fail(r, rc, err->field, "%s", err->msg);
		return api_model_fail(r, rc, err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = status;
	return DJ_OK;
}

dj_rc api_member_status(struct dj_req *r)
{
	json_t *b;
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	int64_t id, n;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = in_write(r, &c, &who, &x)))
		return rc;
	rc = dj_member_status_change(&x, id, b, &err);
	if (!rc) {
		dj_req_list_begin(r);
		rc = dj_member_status_history(&x, id, dj_req_jw(r), &n);
		dj_req_list_end(r, n, 1, n > 200 ? n : 200);
	}
	return finish(r, c, rc, &err, 200);
}

dj_rc api_member_status_history(struct dj_req *r)
{
	return api_rows_of(r, dj_member_status_history);
}

dj_rc api_transfers_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t page, per_page, total = 0;
	const char *st = dj_req_query(r, "status");
	dj_rc rc;
	if (st && *st && strcmp(st, "issued") && strcmp(st, "received") && strcmp(st, "cancelled"))
		return dj_req_fail(r, DJ_ERR_INVALID, "status", "status 应为 issued、received 或 cancelled");
	if ((rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = dj_transfer_list(&x, st && *st ? st : NULL, page, per_page, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

dj_rc api_transfer_issue(struct dj_req *r)
{
	json_t *b;
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	int64_t id = 0;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = in_write(r, &c, &who, &x)))
		return rc;
	rc = dj_transfer_issue(&x, b, &id, &err);
	if (!rc)
		rc = dj_transfer_write(&x, id, dj_req_jw(r));
	return finish(r, c, rc, &err, 201);
}

dj_rc api_transfer_receive(struct dj_req *r)
{
	json_t *b;
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = in_write(r, &c, &who, &x)))
		return rc;
	rc = dj_transfer_receive(&x, id, b, &err);
	if (!rc)
		rc = dj_transfer_write(&x, id, dj_req_jw(r));
	return finish(r, c, rc, &err, 200);
}

dj_rc api_transfer_letter(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_strbuf_reset(&r->out);
	rc = dj_transfer_letter_html(&x, id, &r->out);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	r->content_type = "text/html; charset=utf-8";
	return DJ_OK;
}

/* ---- generated documents ------------------------------------------------------------------------ */

static dj_rc load_docs(struct dj_req *r, struct dj_db_conn **c, struct dj_doc **docs, int **stages, size_t *n)
{
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, c)))
		return rc;
	api_model_ctx(r, *c, &who, &x);
	rc = dj_dev_documents(&x, id, docs, stages, n);
	dj_db_release(*c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	/* ?stage=N keeps one stage's documents */
	const char *st = dj_req_query(r, "stage");
	int64_t want = 0;
	if (st && *st && dj_parse_int_str(st, 1, 5, &want))
		return dj_req_fail(r, DJ_ERR_INVALID, "stage", "stage 应为 1 到 5");
	if (want) {
		size_t k = 0;
		for (size_t i = 0; i < *n; i++)
			if ((*stages)[i] == want) {
				(*docs)[k] = (*docs)[i];
				(*stages)[k++] = (*stages)[i];
			}
		*n = k;
	}
	return DJ_OK;
}

dj_rc api_dev_documents(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_doc *docs;
	int *stages;
	size_t n;
	dj_rc rc = load_docs(r, &c, &docs, &stages, &n);
	if (rc)
		return rc;
	dj_req_list_begin(r);
	for (size_t i = 0; i < n; i++) {
		struct dj_jw *w = dj_req_jw(r);
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "index", (int64_t)i);
		dj_jw_kint(w, "stage", stages[i]);
		dj_jw_kstr(w, "stage_name", dj_dev_stage_names[stages[i]]);
		dj_jw_kstr(w, "title", docs[i].title);
		dj_jw_key(w, "paragraphs");
		dj_jw_arr_begin(w);
		for (size_t k = 0; k < docs[i].n; k++)
			dj_jw_str(w, docs[i].paras[k]);
		dj_jw_arr_end(w);
		dj_jw_obj_end(w);
	}
	dj_req_list_end(r, (int64_t)n, 1, 200);
	return DJ_OK;
}

dj_rc api_dev_documents_pdf(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_doc *docs;
	int *stages;
	size_t n;
	char path[256];
	dj_rc rc = load_docs(r, &c, &docs, &stages, &n);
	if (rc)
		return rc;
	if (n == 0)
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, "该阶段还没有可生成的材料（相应步骤尚未登记）");
	const char *dir = getenv("TMPDIR");
	snprintf(path, sizeof(path), "%s/dj-pdf-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return dj_req_fail(r, DJ_ERR_IO, NULL, NULL);
	close(fd);
	if ((rc = dj_pdf_write(path, docs, n))) {
		unlink(path);
		return dj_req_fail(r, rc, NULL, NULL);
	}
	/* "发展党员材料.pdf" */
	rc = api_send_file(r, path, "application/pdf", "%E5%8F%91%E5%B1%95%E5%85%9A%E5%91%98%E6%9D%90%E6%96%99.pdf");
	return rc;
}

/* ---- mobile members and the working-day calendar ------------------------------------------------- */

dj_rc api_member_mobility_add(struct dj_req *r)
{
	json_t *b;
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	int64_t id, mid = 0, n = 0;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	if (r->nparams > 1 && dj_parse_int_str(r->params[1], 1, INT64_MAX, &mid))
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, NULL);
	if ((rc = in_write(r, &c, &who, &x)))
		return rc;
	rc = dj_member_mobility(&x, id, mid, b, &err);
	if (!rc) {
		dj_req_list_begin(r);
		rc = dj_member_mobility_write(&x, id, dj_req_jw(r), &n);
		dj_req_list_end(r, n, 1, 200);
	}
	return finish(r, c, rc, &err, mid ? 200 : 201);
}

dj_rc api_member_mobility_list(struct dj_req *r)
{
	return api_rows_of(r, dj_member_mobility_write);
}

dj_rc api_calendar_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	int64_t year = dj_date_today().y, n = 0;
	const char *y = dj_req_query(r, "year");
	dj_rc rc;
	if (y && *y && dj_parse_int_str(y, 1950, 2149, &year))
		return dj_req_fail(r, DJ_ERR_INVALID, "year", "year 应为 1950 到 2149 的年份");
	if ((rc = api_reader(r, &c)))
		return rc;
	dj_req_list_begin(r);
	rc = dj_calendar_write(c, (int)year, dj_req_jw(r), &n);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, n, 1, 400);
	return DJ_OK;
}

dj_rc api_calendar_set(struct dj_req *r)
{
	static const char *const keys[] = { "day", "kind", "name", NULL };
	json_t *b;
	const char *day, *kind, *name;
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	struct dj_date d;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) || (rc = api_str(r, b, "day", true, 10, &day)) ||
	    (rc = api_str(r, b, "kind", true, 10, &kind)) || (rc = api_str(r, b, "name", false, 40, &name)))
		return rc;
	if (dj_date_parse(day, strlen(day), &d) || d.y < 1950 || d.y > 2149)
		return dj_req_fail(r, DJ_ERR_INVALID, "day", "day 应为 YYYY-MM-DD");
	char k = strcmp(kind, "holiday") == 0 ? 'h' : strcmp(kind, "workday") == 0 ? 'w' : strcmp(kind, "normal") == 0 ? 0 : '?';
	if ((rc = in_write(r, &c, &who, &x)))
		return rc;
	rc = dj_calendar_set(&x, d, k, name, &err);
	if (!rc) {
		int64_t n;
		dj_req_list_begin(r);
		rc = dj_calendar_write(c, d.y, dj_req_jw(r), &n);
		dj_req_list_end(r, n, 1, 400);
	}
	return finish(r, c, rc, &err, 200);
}

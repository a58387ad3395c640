/* api_dues.c — the dues ledger API (党费): member bases, bills and payments, reductions, collection
 * cycles, the branch grid, bulk payment, payment import, reports, arrears findings and exports.
 * Every write is one transaction with its audit entries; every read is scoped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/dues_ledger.h"
#include "dj/slice.h"
#include "api_int.h"
#include "dj/banned.h"

static const char XLSX[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* Bills for months the calendar has reached exist before anything reads or writes them. */
static dj_rc dues_sync(struct dj_req *r)
{
	dj_rc rc = dj_dues_sync(r->app->db);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

static dj_rc fail(struct dj_req *r, dj_rc rc, const struct dj_model_err *err)
{
	if (err->msg[0] && (rc == DJ_ERR_INVALID || rc == DJ_ERR_CONFLICT || rc == DJ_ERR_FORBIDDEN || rc == DJ_ERR_TOOBIG))
		return dj_req_fail(r, rc, err->field, "%s", err->msg);
	return dj_req_fail(r, rc, rc == DJ_ERR_INVALID ? err->field : NULL, NULL);
}

typedef dj_rc (*write_fn)(struct dj_req *r, const struct dj_model_ctx *x, int64_t id, struct dj_model_err *err);

/* One write transaction; fn writes the answer. */
static dj_rc tx(struct dj_req *r, write_fn fn, int64_t id, int status)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	dj_rc rc = dues_sync(r);
	if (rc)
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = fn(r, &x, id, &err);
	if (rc) {
		dj_db_rollback(c);
		return fail(r, rc, &err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = status;
	return DJ_OK;
}

/* A reader for the request (after the sync). */
static dj_rc reader(struct dj_req *r, struct dj_db_conn **c, struct dj_actor *who, struct dj_model_ctx *x)
{
	dj_rc rc = dues_sync(r);
	if (rc || (rc = api_reader(r, c)))
		return rc;
	api_model_ctx(r, *c, who, x);
	return DJ_OK;
}

/* ?org_id= (default: the caller's own org). */
static dj_rc org_param(struct dj_req *r, int64_t *org)
{
	const char *o = dj_req_query(r, "org_id");
	*org = r->user->org_id;
	if (o && *o && dj_parse_int_str(o, 1, INT64_MAX, org))
		return dj_req_fail(r, DJ_ERR_INVALID, "org_id", "org_id 应为正整数");
	return DJ_OK;
}

static dj_rc year_param(struct dj_req *r, int *year)
{
	const char *y = dj_req_query(r, "year");
	int64_t v = dj_date_today().y;
	*year = (int)v;
	if (y && *y && dj_parse_int_str(y, 2000, 2999, &v))
		return dj_req_fail(r, DJ_ERR_INVALID, "year", "year 应为 2000 到 2999 的年份");
	*year = (int)v;
	return DJ_OK;
}

/* ?month=YYYY-MM (default: this month), into buf. */
static dj_rc month_param(struct dj_req *r, const char *name, char *buf)
{
	const char *m = dj_req_query(r, name);
	int mi;
	if (!m || !*m) {
		dj_dues_month_format(dj_dues_month_of(dj_date_today()), buf);
		return DJ_OK;
	}
	if (dj_dues_month_parse(m, &mi))
		return dj_req_fail(r, DJ_ERR_INVALID, name, "%s 应为 YYYY-MM", name);
	dj_dues_month_format(mi, buf);
	return DJ_OK;
}

/* ---- one member ---------------------------------------------------------------------------------------- */

dj_rc api_member_dues(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id;
	const char *from = dj_req_query(r, "from"), *to = dj_req_query(r, "to");
	int f = 0, t = 0;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)))
		return rc;
	if (from && *from && dj_dues_month_parse(from, &f))
		return dj_req_fail(r, DJ_ERR_INVALID, "from", "from 应为 YYYY-MM");
	if (to && *to && dj_dues_month_parse(to, &t))
		return dj_req_fail(r, DJ_ERR_INVALID, "to", "to 应为 YYYY-MM");
	if (from && *from && to && *to && (t < f || t - f > 120))
		return dj_req_fail(r, DJ_ERR_INVALID, "to", "to 不能早于 from，且一次最多查询 10 年");
	if ((rc = reader(r, &c, &who, &x)))
		return rc;
	rc = dj_dues_member_write(&x, id, from && *from ? from : NULL, to && *to ? to : NULL, dj_req_jw(r));
	dj_db_release(c);
	if (rc == DJ_ERR_INVALID)
		return dj_req_fail(r, rc, "from", "查询的月份范围无效（from 不晚于 to，最多 10 年）");
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_member_dues_bases(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id, n = 0;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = reader(r, &c, &who, &x)))
		return rc;
	dj_req_list_begin(r);
	rc = dj_dues_bases_write(&x, id, dj_req_jw(r), &n);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, n, 1, n > 200 ? n : 200);
	return DJ_OK;
}

static dj_rc do_base(struct dj_req *r, const struct dj_model_ctx *x, int64_t id, struct dj_model_err *err)
{
	return dj_dues_base_set(x, id, r->json, dj_req_jw(r), err);
}

dj_rc api_member_dues_base_add(struct dj_req *r)
{
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	return tx(r, do_base, id, 201);
}

static dj_rc do_exempt(struct dj_req *r, const struct dj_model_ctx *x, int64_t id, struct dj_model_err *err)
{
	return dj_dues_exemption_add(x, id, r->json, dj_req_jw(r), err);
}

dj_rc api_member_dues_exempt(struct dj_req *r)
{
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	return tx(r, do_exempt, id, 201);
}

static dj_rc do_pay(struct dj_req *r, const struct dj_model_ctx *x, int64_t id, struct dj_model_err *err)
{
	json_t *b = r->json;
	struct dj_dues_pay p;
	int64_t pid;
	memset(&p, 0, sizeof(p));
	p.month = json_string_value(json_object_get(b, "month"));
	p.paid_on = json_string_value(json_object_get(b, "paid_on"));
	p.amount_fen = (int64_t)json_integer_value(json_object_get(b, "amount_fen"));
	p.method = json_string_value(json_object_get(b, "method"));
	p.kind = json_string_value(json_object_get(b, "kind"));
	p.payer = json_string_value(json_object_get(b, "payer"));
	p.payer_member_id = (int64_t)json_integer_value(json_object_get(b, "payer_member_id"));
	p.consent = json_is_true(json_object_get(b, "consent"));
	p.note = json_string_value(json_object_get(b, "note"));
	p.source = "api";
	return dj_dues_pay(x, id, &p, &pid, dj_req_jw(r), err);
}

dj_rc api_member_dues_pay(struct dj_req *r)
{
	static const char *const keys[] = { "month", "paid_on", "amount_fen", "method", "kind", "payer", "payer_member_id",
					    "payer_org_id", "consent", "note", NULL };
	json_t *b;
	const char *s;
	int64_t id, v;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)))
		return rc;
	/* FEE-14: naming an organization as the payer is refused outright. */
	json_t *org = json_object_get(b, "payer_org_id");
	if (org && !json_is_null(org))
		return dj_req_fail(r, DJ_ERR_INVALID, "payer_org_id",
				   "党组织不得代党员垫交党费（FEE-14：不得垫交、扣缴党费），请由党员本人或经同意的他人交纳");
	if ((rc = api_str(r, b, "month", false, 7, &s)) || (rc = api_str(r, b, "paid_on", false, 10, &s)) ||
	    (rc = api_int(r, b, "amount_fen", true, 1, 1000000000, &v, NULL)) || (rc = api_str(r, b, "method", true, 12, &s)) ||
	    (rc = api_str(r, b, "kind", false, 12, &s)) || (rc = api_str(r, b, "payer", false, 10, &s)) ||
	    (rc = api_int(r, b, "payer_member_id", false, 1, INT64_MAX, &v, NULL)) || (rc = api_str(r, b, "note", false, 200, &s)))
		return rc;
	json_t *consent = json_object_get(b, "consent");
	if (consent && !json_is_boolean(consent) && !json_is_null(consent))
		return dj_req_fail(r, DJ_ERR_INVALID, "consent", "consent 应为 true 或 false");
	return tx(r, do_pay, id, 201);
}

static dj_rc do_void(struct dj_req *r, const struct dj_model_ctx *x, int64_t id, struct dj_model_err *err)
{
	int64_t pid;
	if (r->nparams < 2 || dj_parse_int_str(r->params[1], 1, INT64_MAX, &pid))
		return DJ_ERR_NOTFOUND;
	const char *reason = r->json ? json_string_value(json_object_get(r->json, "reason")) : dj_req_query(r, "reason");
	if (reason && strlen(reason) > 600) {
		err->field = "reason";
		snprintf(err->msg, sizeof(err->msg), "原因过长");
		return DJ_ERR_INVALID;
	}
	dj_rc rc = dj_dues_payment_void(x, id, pid, reason, err);
	if (!rc) {
		struct dj_jw *w = dj_req_jw(r);
		dj_jw_obj_begin(w);
		dj_jw_kbool(w, "ok", true);
		dj_jw_kint(w, "id", pid);
		dj_jw_obj_end(w);
	}
	return rc;
}

dj_rc api_member_dues_payment_void(struct dj_req *r)
{
	int64_t id;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	return rc ? rc : tx(r, do_void, id, 200);
}

/* ---- cycles, grid, bulk payment ------------------------------------------------------------------------- */

dj_rc api_dues_cycles(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org, page, per_page, total = 0;
	char month[8];
	const char *st = dj_req_query(r, "subtree");
	dj_rc rc;
	if ((rc = org_param(r, &org)) || (rc = month_param(r, "month", month)) || (rc = dj_req_paging(r, &page, &per_page)) ||
	    (rc = reader(r, &c, &who, &x)))
		return rc;
	dj_req_list_begin(r);
	rc = dj_dues_cycles_write(&x, org, !(st && strcmp(st, "0") == 0), month, page, per_page, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

static dj_rc do_cycle(struct dj_req *r, const struct dj_model_ctx *x, int64_t org, struct dj_model_err *err)
{
	return dj_dues_cycle_action(x, org, r->params[1], r->params[2], dj_req_jw(r), err);
}

dj_rc api_dues_cycle_action(struct dj_req *r)
{
	int64_t org;
	dj_rc rc = dj_req_param_id(r, 0, &org);
	if (rc)
		return rc;
	if (r->nparams < 3)
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, NULL);
	return tx(r, do_cycle, org, 200);
}

dj_rc api_dues_grid(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org;
	int year = 0;
	dj_rc rc;
	if ((rc = org_param(r, &org)) || (rc = year_param(r, &year)) || (rc = reader(r, &c, &who, &x)))
		return rc;
	rc = dj_dues_grid_write(&x, org, year, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL) : DJ_OK;
}

static dj_rc do_bulk(struct dj_req *r, const struct dj_model_ctx *x, int64_t id, struct dj_model_err *err)
{
	(void)id;
	return dj_dues_bulk_pay(x, r->json, dj_req_jw(r), err);
}

dj_rc api_dues_bulk_pay(struct dj_req *r)
{
	json_t *b;
	dj_rc rc = api_body(r, &b);
	return rc ? rc : tx(r, do_bulk, 0, 200);
}

/* ---- import -------------------------------------------------------------------------------------------- */

/* 422 with the row report as error.details. */
static dj_rc fail_report(struct dj_req *r, dj_rc rc, const char *msg, const struct dj_import_result *res)
{
	struct dj_jw *w = dj_req_jw(r);
	r->status = dj_rc_http_status(rc);
	dj_strbuf_reset(&r->out);
	dj_jw_init(w, &r->out);
	dj_jw_obj_begin(w);
	dj_jw_key(w, "error");
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "code", dj_rc_code(rc));
	dj_jw_kstr(w, "message", msg);
	dj_jw_kstr(w, "field", "file");
	dj_jw_key(w, "details");
	dj_import_result_write(res, w);
	dj_jw_obj_end(w);
	dj_jw_obj_end(w);
	return rc;
}

dj_rc api_dues_import(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_import_result res;
	int64_t org;
	char month[8], msg[400];
	const char *dr = dj_req_query(r, "dry_run"), *m = dj_req_query(r, "month");
	bool dry = !(dr && strcmp(dr, "0") == 0);
	dj_rc rc;
	if ((rc = org_param(r, &org)))
		return rc;
	if (!m || !*m)
		return dj_req_fail(r, DJ_ERR_INVALID, "month", "请指定导入的月份（month=YYYY-MM）");
	if ((rc = month_param(r, "month", month)))
		return rc;
	if (r->body.len == 0)
		return dj_req_fail(r, DJ_ERR_INVALID, "file", "请上传 .xlsx 或 .csv 文件（请求体为文件内容）");
	if ((rc = dues_sync(r)))
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = dj_dues_import(&x, org, month, r->body.buf, r->body.len, dry, &res);
	if (!rc && !dry) {
		char after[200];
		snprintf(after, sizeof(after), "{\"org_id\":%lld,\"month\":\"%s\",\"rows\":%lld}", (long long)org, month,
			 (long long)res.rows_ok);
		struct dj_audit_entry e = { "dues.import", "org", org, r->user->scope.org_path, NULL, after };
		rc = dj_audit_append(c, &who, &e);
	}
	if (rc || dry)
		dj_db_rollback(c);
	else if ((rc = dj_db_commit(c)))
		goto out;
	if (rc == DJ_ERR_NOTFOUND) {
		rc = dj_req_fail(r, rc, "org_id", NULL);
	} else if (rc == DJ_ERR_INVALID || rc == DJ_ERR_TOOBIG) {
		if (res.fatal[0])
			snprintf(msg, sizeof(msg), "%s", res.fatal);
		else
			snprintf(msg, sizeof(msg), "%lld 行中有 %lld 行有误，%s", (long long)res.rows_total, (long long)res.rows_bad,
				 dry ? "请修改后重新检查" : "未导入任何数据，请修改后重新导入");
		if (dry && !res.fatal[0]) {
			rc = DJ_OK; /* a finished check: the report says what is wrong */
			dj_import_result_write(&res, dj_req_jw(r));
		} else {
			fail_report(r, rc, msg, &res);
		}
	} else if (rc) {
		dj_req_fail(r, rc, NULL, NULL);
	} else {
		dj_import_result_write(&res, dj_req_jw(r));
	}
out:
	dj_import_result_release(&res);
	return rc;
}

/* ---- reports ------------------------------------------------------------------------------------------- */

dj_rc api_dues_report(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org;
	int year = 0;
	dj_rc rc;
	if ((rc = org_param(r, &org)) || (rc = year_param(r, &year)) || (rc = reader(r, &c, &who, &x)))
		return rc;
	rc = dj_dues_report_write(&x, org, year, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL) : DJ_OK;
}

struct found {
	struct dj_finding f;
};
struct collect {
	struct found *v;
	size_t n, cap;
	const char *rule;
	struct dj_arena *a;
};

static dj_rc keep(void *arg, const struct dj_finding *f)
{
	struct collect *c = arg;
	if (c->rule && strcmp(c->rule, f->rule) != 0)
		return DJ_OK;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = dj_realloc(c->v, c->cap * sizeof(*c->v));
	}
	struct dj_finding *g = &c->v[c->n++].f;
	*g = *f;
	g->message = dj_arena_strdup(c->a, f->message);
	g->period = dj_arena_strdup(c->a, f->period);
	g->due_on = dj_arena_strdup(c->a, f->due_on);
	return DJ_OK;
}

/* Errors (FEE-12) before warnings, then by org and member. */
static int by_severity(const void *a, const void *b)
{
	const struct dj_finding *x = &((const struct found *)a)->f, *y = &((const struct found *)b)->f;
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	return x->member_id < y->member_id ? -1 : x->member_id > y->member_id;
}

dj_rc api_dues_arrears(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org, page, per_page;
	const char *sev = dj_req_query(r, "severity"), *rule = dj_req_query(r, "rule");
	int min = -1;
	dj_rc rc;
	if ((rc = org_param(r, &org)) || (rc = dj_req_paging(r, &page, &per_page)))
		return rc;
	if (sev && *sev) {
		if (strcmp(sev, "error") == 0)
			min = DJ_SEV_ERROR;
		else if (strcmp(sev, "warning") == 0)
			min = DJ_SEV_WARNING;
		else
			return dj_req_fail(r, DJ_ERR_INVALID, "severity", "severity 应为 error 或 warning");
	}
	if (rule && *rule && strcmp(rule, "FEE-11") != 0 && strcmp(rule, "FEE-12") != 0)
		return dj_req_fail(r, DJ_ERR_INVALID, "rule", "欠交提醒的规则为 FEE-11（提醒）或 FEE-12（自行脱党程序）");
	if ((rc = reader(r, &c, &who, &x)))
		return rc;
	struct collect col = { NULL, 0, 0, rule && *rule ? rule : NULL, &r->arena };
	rc = dj_dues_arrears(&x, org, min, keep, &col);
	dj_db_release(c);
	if (rc) {
		dj_free(col.v);
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	}
	if (col.n)
		qsort(col.v, col.n, sizeof(*col.v), by_severity);
	dj_req_list_begin(r);
	for (size_t i = (size_t)((page - 1) * per_page); i < col.n && i < (size_t)(page * per_page); i++)
		dj_finding_write(dj_req_jw(r), &col.v[i].f);
	dj_req_list_end(r, (int64_t)col.n, page, per_page);
	dj_free(col.v);
	return DJ_OK;
}

/* ---- exports --------------------------------------------------------------------------------------------- */

static dj_rc temp_path(char *buf, size_t n)
{
	const char *dir = getenv("TMPDIR");
	snprintf(buf, n, "%s/dj-dues-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(buf);
	if (fd < 0)
		return DJ_ERR_IO;
	close(fd);
	unlink(buf); /* libxlsxwriter creates it afresh */
	return DJ_OK;
}

typedef dj_rc (*export_fn)(const struct dj_model_ctx *x, int64_t org, const char *month, int year, const char *path,
			   int64_t *rows);

static dj_rc exp_month(const struct dj_model_ctx *x, int64_t org, const char *month, int year, const char *path,
		       int64_t *rows)
{
	(void)year;
	return dj_dues_export_month(x, org, month, path, rows);
}

static dj_rc exp_annual(const struct dj_model_ctx *x, int64_t org, const char *month, int year, const char *path,
			int64_t *rows)
{
	(void)month;
	return dj_dues_export_annual(x, org, year, path, rows);
}

/* Write the file and audit who took it, in one transaction; then send it. */
static dj_rc export_as(struct dj_req *r, export_fn fn, const char *month, int year, const char *what, const char *name,
		       const char *ctype);
static dj_rc export(struct dj_req *r, export_fn fn, const char *month, int year, const char *what, const char *name)
{
	return export_as(r, fn, month, year, what, name, XLSX);
}

static dj_rc export_as(struct dj_req *r, export_fn fn, const char *month, int year, const char *what, const char *name,
		       const char *ctype)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org, rows = 0;
	char path[256], after[200];
	dj_rc rc;
	if ((rc = org_param(r, &org)) || (rc = dues_sync(r)))
		return rc;
	if ((rc = temp_path(path, sizeof(path))) || (rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = fn(&x, org, month, year, path, &rows);
	if (!rc) {
		snprintf(after, sizeof(after), "{\"org_id\":%lld,\"%s\":\"%s\",\"rows\":%lld}", (long long)org, month ? "month" : "year",
			 month ? month : dj_arena_printf(&r->arena, "%d", year), (long long)rows);
		struct dj_audit_entry e = { what, "org", org, r->user->scope.org_path, NULL, after };
		rc = dj_audit_append(c, &who, &e);
	}
	if (rc) {
		dj_db_rollback(c);
		unlink(path);
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	}
	if ((rc = dj_db_commit(c))) {
		unlink(path);
		return dj_req_fail(r, rc, NULL, NULL);
	}
	return api_send_file(r, path, ctype, name);
}

static dj_rc exp_month_pdf(const struct dj_model_ctx *x, int64_t org, const char *month, int year, const char *path,
			   int64_t *rows)
{
	(void)year;
	return dj_dues_detail_pdf(x, org, month, path, rows);
}

dj_rc api_export_dues_pdf(struct dj_req *r)
{
	char month[8];
	dj_rc rc = month_param(r, "month", month);
	/* "党费收缴明细.pdf" */
	return rc ? rc
		  : export_as(r, exp_month_pdf, month, 0, "export.dues",
			      "%E5%85%9A%E8%B4%B9%E6%94%B6%E7%BC%B4%E6%98%8E%E7%BB%86.pdf", "application/pdf");
}

static dj_rc exp_annual_pdf(const struct dj_model_ctx *x, int64_t org, const char *month, int year, const char *path,
			    int64_t *rows)
{
	(void)month;
	return dj_dues_publication_pdf(x, org, year, path, rows);
}

dj_rc api_export_dues_annual_pdf(struct dj_req *r)
{
	int year = 0;
	dj_rc rc = year_param(r, &year);
	/* "党费收缴情况公示.pdf" */
	return rc ? rc
		  : export_as(r, exp_annual_pdf, NULL, year, "export.dues_annual",
			      "%E5%85%9A%E8%B4%B9%E6%94%B6%E7%BC%B4%E6%83%85%E5%86%B5%E5%85%AC%E7%A4%BA.pdf", "application/pdf");
}

dj_rc api_export_dues(struct dj_req *r)
{
	char month[8];
	dj_rc rc = month_param(r, "month", month);
	/* "党费收缴明细.xlsx" */
	return rc ? rc
		  : export(r, exp_month, month, 0, "export.dues",
			   "%E5%85%9A%E8%B4%B9%E6%94%B6%E7%BC%B4%E6%98%8E%E7%BB%86.xlsx");
}

dj_rc api_export_dues_annual(struct dj_req *r)
{
	int year = 0;
	dj_rc rc = year_param(r, &year);
	/* "党费收缴情况公示.xlsx" */
	return rc ? rc
		  : export(r, exp_annual, NULL, year, "export.dues_annual",
			   "%E5%85%9A%E8%B4%B9%E6%94%B6%E7%BC%B4%E6%83%85%E5%86%B5%E5%85%AC%E7%A4%BA.xlsx");
}

/* api_rules.c — the rule registry and parameters, findings over a subtree, the compliance
 * dashboard and the 待办 inbox: one evaluation code path for all of them. */
#include <stdio.h>
#include <string.h>
#include "dj/calendar.h"
#include "dj/compliance.h"
#include "dj/develop.h"
#include "dj/dues.h"
#include "dj/dues_ledger.h"
#include "dj/org.h"
#include "dj/rules.h"
#include "dj/slice.h"
#include "dj/transfer.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_rules_list(struct dj_req *r)
{
	size_t n;
	dj_req_list_begin(r);
	dj_rules_write(dj_req_jw(r), &n);
	dj_req_list_end(r, (int64_t)n, 1, (int64_t)(n > 200 ? n : 200));
	return DJ_OK;
}

dj_rc api_rule_params_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t org = r->user->org_id;
	const char *o = dj_req_query(r, "org_id");
	dj_rc rc;
	if (o && *o && dj_parse_int_str(o, 1, INT64_MAX, &org))
		return dj_req_fail(r, DJ_ERR_INVALID, "org_id", "org_id 应为正整数");
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_rule_params_write(&x, org, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_rule_params_set(struct dj_req *r)
{
	static const char *const keys[] = { "org_id", "rule", "param", "value", "note", NULL };
	json_t *b;
	const char *rule, *param, *note;
	int64_t org, value;
	char vbuf[24];
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) ||
	    (rc = api_int(r, b, "org_id", true, 1, INT64_MAX, &org, NULL)) || (rc = api_str(r, b, "rule", true, 16, &rule)) ||
	    (rc = api_str(r, b, "param", true, 40, &param)) || (rc = api_str(r, b, "note", false, 200, &note)))
		return rc;
	json_t *jv = json_object_get(b, "value");
	if (json_is_boolean(jv))
		value = json_is_true(jv);
	else if (json_is_integer(jv))
		value = (int64_t)json_integer_value(jv);
	else
		return dj_req_fail(r, DJ_ERR_INVALID, "value", "value 应为整数或 true/false");
	snprintf(vbuf, sizeof(vbuf), "%lld", (long long)value);
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = dj_rule_param_set(&x, org, rule, param, vbuf, note, &err);
	if (!rc)
		rc = dj_rule_params_write(&x, org, dj_req_jw(r));
	if (rc) {
		dj_db_rollback(c);
		return api_model_fail(r, rc, &err);
	}
	rc = dj_db_commit(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

/* Findings are collected, then paged: the evaluation itself is cheap at county scale. */
struct collect {
	struct dj_jw *w;
	int64_t seen, from, to;
	const char *before; /* inbox: due on or before this date, or NULL */
};

static dj_rc emit(void *arg, const struct dj_finding *f, const char *org_name)
{
	struct collect *c = arg;
	(void)org_name;
	if (c->before && f->due_on && strcmp(f->due_on, c->before) > 0)
		return DJ_OK;
	if (c->seen >= c->from && c->seen < c->to) {
		struct dj_finding g = *f;
		dj_finding_write(c->w, &g);
	}
	c->seen++;
	return DJ_OK;
}

static dj_rc parse_range(struct dj_req *r, struct dj_compliance_query *q)
{
	const char *from = dj_req_query(r, "from"), *to = dj_req_query(r, "to"), *sev = dj_req_query(r, "severity");
	const char *o = dj_req_query(r, "org_id"), *st = dj_req_query(r, "subtree"), *rule = dj_req_query(r, "rule");
	struct dj_date today = dj_date_today();
	memset(q, 0, sizeof(*q));
	q->subtree = !(st && (strcmp(st, "0") == 0 || strcmp(st, "false") == 0));
	if (st && *st && strcmp(st, "0") && strcmp(st, "1") && strcmp(st, "true") && strcmp(st, "false"))
		return dj_req_fail(r, DJ_ERR_INVALID, "subtree", "subtree 应为 1 或 0");
	q->min_severity = -1;
	q->to = today;
	q->from = dj_date_add_months((struct dj_date){ today.y, today.m, 1 }, -2);
	if (o && *o && dj_parse_int_str(o, 1, INT64_MAX, &q->org_id))
		return dj_req_fail(r, DJ_ERR_INVALID, "org_id", "org_id 应为正整数");
	if (from && *from && dj_date_parse(from, strlen(from), &q->from))
		return dj_req_fail(r, DJ_ERR_INVALID, "from", "from 应为 YYYY-MM-DD");
	if (to && *to && dj_date_parse(to, strlen(to), &q->to))
		return dj_req_fail(r, DJ_ERR_INVALID, "to", "to 应为 YYYY-MM-DD");
	if (dj_date_cmp(q->to, q->from) < 0)
		return dj_req_fail(r, DJ_ERR_INVALID, "to", "结束日期 to 不能早于开始日期 from");
	if (q->to.y - q->from.y > 2)
		return dj_req_fail(r, DJ_ERR_INVALID, "from", "一次最多查询 3 个年度");
	if (sev && *sev) {
		if (strcmp(sev, "error") == 0)
			q->min_severity = DJ_SEV_ERROR;
		else if (strcmp(sev, "warning") == 0)
			q->min_severity = DJ_SEV_WARNING;
		else if (strcmp(sev, "info") == 0)
			q->min_severity = DJ_SEV_INFO;
		else
			return dj_req_fail(r, DJ_ERR_INVALID, "severity", "severity 应为 error、warning 或 info");
	}
	if (rule && *rule) {
		if (!dj_rule_find(rule))
			return dj_req_fail(r, DJ_ERR_INVALID, "rule", "未知的规则编号：%s", rule);
		q->rule = rule;
	}
	return DJ_OK;
}

struct status_filter {
	struct collect *col;
	const struct dj_compliance_query *q;
};

static dj_rc emit_filtered(void *arg, const struct dj_finding *f, const char *org_name)
{
	struct status_filter *sf = arg;
	if (sf->q->rule && strcmp(sf->q->rule, f->rule) != 0)
		return DJ_OK;
	if (sf->q->min_severity >= 0 && (int)f->severity < sf->q->min_severity)
		return DJ_OK;
	return emit(sf->col, f, org_name);
}

/* Dues arrears (FEE-11, FEE-12) join the same list. */
static dj_rc emit_dues(void *arg, const struct dj_finding *f)
{
	return emit_filtered(arg, f, NULL);
}

dj_rc api_findings(struct dj_req *r)
{
	struct dj_compliance_query q;
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t page, per_page;
	dj_rc rc;
	if ((rc = parse_range(r, &q)) || (rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	struct collect col = { dj_req_jw(r), 0, (page - 1) * per_page, page * per_page, NULL };
	rc = dj_compliance_eval(&x, &q, dj_date_today(), emit, &col);
	/* Membership status and transfer reminders (ST-1, ST-2, REL-6) in the same list. */
	if (!rc && (!q.rule || strncmp(q.rule, "ST-", 3) == 0 || strncmp(q.rule, "REL-", 4) == 0 || strncmp(q.rule, "MOB-", 4) == 0) &&
	    q.subtree) {
		struct collect *cp = &col;
		const char *root = r->user->scope.org_path;
		struct dj_org ro;
		if (q.org_id && dj_org_get(c, &r->user->scope, q.org_id, &r->arena, &ro) == DJ_OK)
			root = ro.path;
		rc = dj_status_findings(&x, root, dj_date_today(), emit_filtered, &(struct status_filter){ cp, &q });
	}
	if (!rc && q.subtree && (!q.rule || strncmp(q.rule, "FEE-", 4) == 0)) {
		struct status_filter sf = { &col, &q };
		rc = dj_dues_arrears(&x, q.org_id ? q.org_id : r->user->org_id, q.min_severity, emit_dues, &sf);
	}
	/* Structure findings (ORG-*) of the org itself, when one org is asked for without its subtree. */
	if (!rc && q.org_id && (!q.rule || strncmp(q.rule, "ORG-", 4) == 0)) {
		/* Through the same filters and paging as the rest: written to a scratch buffer first. */
		struct dj_strbuf sb = DJ_STRBUF_INIT;
		struct dj_jw tw;
		int64_t n = 0;
		dj_jw_init(&tw, &sb);
		dj_jw_arr_begin(&tw);
		rc = dj_org_findings(&x, q.org_id, dj_date_today(), &tw, &n);
		dj_jw_arr_end(&tw);
		json_t *arr = rc ? NULL : json_loadb(sb.buf, sb.len, 0, NULL);
		size_t i;
		json_t *f;
		json_array_foreach(arr, i, f) {
			const char *sev = json_string_value(json_object_get(f, "severity"));
			struct dj_finding g = { json_string_value(json_object_get(f, "rule")),
						strcmp(sev, "error") == 0 ? DJ_SEV_ERROR : strcmp(sev, "warning") == 0 ? DJ_SEV_WARNING : DJ_SEV_INFO,
						json_string_value(json_object_get(f, "message")), q.org_id,
						(int64_t)json_integer_value(json_object_get(f, "member_id")), NULL,
						json_string_value(json_object_get(f, "due_on")), json_string_value(json_object_get(f, "source")),
						json_string_value(json_object_get(f, "version")) };
			struct status_filter sf = { &col, &q };
			if ((rc = emit_filtered(&sf, &g, NULL)))
				break;
		}
		json_decref(arr);
		dj_strbuf_release(&sb);
	}
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	dj_req_list_end(r, col.seen, page, per_page);
	return DJ_OK;
}

dj_rc api_compliance(struct dj_req *r)
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
		return dj_req_fail(r, DJ_ERR_INVALID, "year", "year 应为 2000 到 2999 的年份");
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_compliance_dashboard(&x, org, (int)year, dj_date_today(), dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

dj_rc api_inbox(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t page, per_page;
	struct dj_date today = dj_date_today();
	char before[11];
	dj_rc rc;
	if ((rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	/* Needs action: what is overdue in the last three months and what falls due within 30 days. */
	struct dj_compliance_query q = { 0, true, dj_date_add_months((struct dj_date){ today.y, today.m, 1 }, -3), today, NULL,
					 DJ_SEV_WARNING, 30 };
	dj_date_format(dj_date_add_days(today, 30), before);
	dj_req_list_begin(r);
	struct collect col = { dj_req_jw(r), 0, (page - 1) * per_page, page * per_page, before };
	rc = dj_compliance_eval(&x, &q, today, emit, &col);
	if (!rc) {
		struct status_filter sf = { &col, &q };
		rc = dj_status_findings(&x, r->user->scope.org_path, today, emit_filtered, &sf);
		if (!rc)
			rc = dj_dues_arrears(&x, r->user->org_id, DJ_SEV_WARNING, emit_dues, &sf);
	}
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, col.seen, page, per_page);
	return DJ_OK;
}

/* The dues calculator (no storage): settings of the caller's org apply. */
dj_rc api_dues_calc(struct dj_req *r)
{
	static const char *const keys[] = { "category", "base_fen", "month", NULL };
	json_t *b;
	const char *cat, *month;
	int64_t base = 0;
	struct dj_db_conn *c;
	struct dj_dues_result res;
	struct dj_dues_settings st = DJ_DUES_SETTINGS_DEFAULT;
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)) || (rc = api_str(r, b, "category", true, 20, &cat)) ||
	    (rc = api_int(r, b, "base_fen", false, 0, 100000000000LL, &base, NULL)) || (rc = api_str(r, b, "month", false, 7, &month)))
		return rc;
	if (month) {
		struct dj_date d;
		char tmp[11];
		snprintf(tmp, sizeof(tmp), "%s-01", month);
		if (strlen(month) != 7 || dj_date_parse(tmp, 10, &d))
			return dj_req_fail(r, DJ_ERR_INVALID, "month", "month 应为 YYYY-MM");
	}
	if ((rc = api_reader(r, &c)))
		return rc;
	const char *path = r->user->scope.org_path;
	st.farmer_fen = dj_rule_param_int(c, path, "FEE-6", "farmer_fen");
	st.rounding = (int)dj_rule_param_int(c, path, "FEE-16", "rounding");
	st.cap_fen = dj_rule_param_int(c, path, "FEE-16", "cap_fen");
	dj_db_release(c);
	if ((rc = dj_dues_calc(cat, base, &st, &res)))
		return dj_req_fail(r, rc, "category", "%s", res.explanation);
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "amount_fen", res.amount_fen);
	dj_jw_kstr(w, "rule", res.rule);
	dj_jw_kstr(w, "rule_set", "dues-2008");
	dj_jw_kstr(w, "explanation", res.explanation);
	dj_jw_kstr(w, "month", month);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* The development timeline check (时间线审核): nothing is stored. */
dj_rc api_develop_check(struct dj_req *r)
{
	json_t *b;
	struct dj_db_conn *c;
	const char *field = NULL;
	char err[256], sw[16];
	dj_rc rc;
	if ((rc = api_body(r, &b)) || (rc = api_reader(r, &c)))
		return rc;
	int64_t v = dj_rule_param_int(c, r->user->scope.org_path, "R-VER-1", "switch_on");
	dj_db_release(c);
	snprintf(sw, sizeof(sw), "%04lld%02lld%02lld", (long long)(v / 10000 % 10000), (long long)(v / 100 % 100),
		 (long long)(v % 100));
	struct dj_date switch_on;
	if (dj_date_parse_compact(sw, &switch_on))
		dj_date_parse(DJ_DEV_SWITCH_DEFAULT, 10, &switch_on);
	struct dj_calendar cal;
	if ((rc = api_reader(r, &c)))
		return rc;
	rc = dj_calendar_load(c, &r->arena, &cal);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	rc = dj_develop_check_cal(b, switch_on, &cal, dj_req_jw(r), &field, err, sizeof(err));
	if (rc)
		return dj_req_fail(r, rc, field, "%s", err);
	return DJ_OK;
}

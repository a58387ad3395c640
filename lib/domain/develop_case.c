/* develop_case.c — development cases: the 25 steps as dated records, each judged by the rule set
 * in force on its date (R-VER-1), refused when it breaks a DEV rule unless overridden by an admin
 * with a written reason; admission creates the 预备党员 and conversion makes them 正式党员. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/calendar.h"
#include "dj/compliance.h"
#include "dj/date.h"
#include "dj/develop.h"
#include "dj/develop_case.h"
#include "dj/idnum.h"
#include "dj/member.h"
#include "dj/org.h"
#include "dj/banned.h"

#define L DJ_FF_LIST
#define F DJ_FF_FILTER
#define S DJ_FF_SORT
#define Q DJ_FF_SEARCH
#define R DJ_FF_REQUIRED

static const struct dj_field case_fields[] = {
	{ "org_id", "所在党支部", DJ_FT_REF, R | L | F, 0, 0, 0, NULL, "orgs", "向工作、学习所在单位（或居住地）党组织申请（DEV-A2）" },
	{ "name", "姓名", DJ_FT_TEXT, R | L | S | Q, 50, 0, 0, NULL, NULL, NULL },
	{ "id_number", "身份证号", DJ_FT_TEXT, R | L | DJ_FF_PII | DJ_FF_UNIQUE | DJ_FF_FIXED, 18, 0, 0, NULL, NULL, NULL },
	{ "sex", "性别", DJ_FT_CODE, L | F | DJ_FF_SERVER, 0, 0, 0, "sex", NULL, NULL },
	{ "birth_date", "出生日期", DJ_FT_DATE, L | DJ_FF_SERVER, 0, 0, 0, NULL, NULL, NULL },
	{ "education", "学历", DJ_FT_CODE, L | F, 0, 0, 0, "education", NULL, NULL },
	{ "occupation", "职业", DJ_FT_CODE, L | F, 0, 0, 0, "occupation", NULL, NULL },
	{ "work_unit", "工作单位", DJ_FT_TEXT, L | Q, 100, 0, 0, NULL, NULL, NULL },
	{ "phone", "联系电话", DJ_FT_TEXT, DJ_FF_PII, 20, 0, 0, NULL, NULL, NULL },
	{ "applied_on", "递交入党申请书日期", DJ_FT_DATE, R | L | S | DJ_FF_FIXED, 0, 0, 0, NULL, NULL, NULL },
	{ "stage", "当前阶段", DJ_FT_CODE, L | F | DJ_FF_SERVER, 0, 0, 0, "dev_stage", NULL, NULL },
	{ "status", "状态", DJ_FT_CODE, L | F | DJ_FF_SERVER, 0, 0, 0, "dev_status", NULL, NULL },
	{ "member_id", "党员记录", DJ_FT_REF, L | DJ_FF_SERVER, 0, 0, 0, NULL, "members", "支部大会接收后生成" },
	{ "remarks", "备注", DJ_FT_TEXT, 0, 500, 0, 0, NULL, NULL, NULL },
};

const struct dj_entity dj_dev_case_entity = {
	"dev_case", "dev_cases", "发展党员", case_fields, sizeof(case_fields) / sizeof(case_fields[0]), true, true, NULL, NULL,
	NULL, "applied_on",
};

const char *const dj_dev_stage_names[] = { "", "入党申请人", "入党积极分子的确定和培养教育", "发展对象的确定和考察",
					   "预备党员的接收", "预备党员的教育考察和转正" };

/* RULES.md §4.1: the five stages and 25 steps, with what must come first. */
const struct dj_dev_step dj_dev_steps[] = {
	{ 1, 1, "apply", "递交入党申请书", "applied_on", { 0 } },
	{ 2, 1, "talk", "党组织派人谈话", "talked_on", { 1, 0 } },
	{ 3, 2, "activist", "推荐和确定入党积极分子", "activist_on", { 2, 0 } },
	{ 4, 2, "activist_filed", "报上级党委备案", NULL, { 3, 0 } },
	{ 5, 2, "mentors", "指定培养联系人", NULL, { 3, 0 } },
	{ 6, 2, "assessment", "培养教育考察", NULL, { 3, 0 } },
	{ 7, 3, "candidate", "确定发展对象", "target_on", { 3, 5, 0 } },
	{ 8, 3, "candidate_filed", "报上级党委备案（2026：报上级党委同意，公示 5 个工作日）", NULL, { 7, 0 } },
	{ 9, 3, "sponsors", "确定入党介绍人", NULL, { 7, 0 } },
	{ 10, 3, "political_review", "进行政治审查", NULL, { 7, 0 } },
	{ 11, 3, "training", "开展集中培训", NULL, { 7, 0 } },
	{ 12, 4, "committee_review", "支部委员会审查", NULL, { 9, 10, 11, 0 } },
	{ 13, 4, "prereview", "上级党委预审", "prereviewed_on", { 12, 0 } },
	{ 14, 4, "application_form", "填写入党志愿书", NULL, { 13, 0 } },
	{ 15, 4, "admission", "支部大会讨论", "admitted_on", { 13, 14, 0 } },
	{ 16, 4, "upper_talk", "上级党委派人谈话", NULL, { 15, 0 } },
	{ 17, 4, "approval", "上级党委审批", "approved_on", { 15, 16, 0 } },
	{ 18, 4, "approval_filed", "再上一级党委组织部门备案", NULL, { 17, 0 } },
	{ 19, 5, "assigned", "编入党支部和党小组", NULL, { 17, 0 } },
	{ 20, 5, "oath", "入党宣誓", "oath_on", { 17, 0 } },
	{ 21, 5, "education", "继续教育考察", NULL, { 17, 0 } },
	{ 22, 5, "conversion_application", "提出转正申请", NULL, { 17, 0 } },
	{ 23, 5, "conversion_meeting", "支部大会讨论", NULL, { 22, 0 } },
	{ 24, 5, "conversion_approval", "上级党委审批", NULL, { 23, 0 } },
	{ 25, 5, "archive", "材料归档", NULL, { 24, 0 } },
	{ 0, 0, NULL, NULL, NULL, { 0 } },
};

static const struct dj_dev_step *step_def(int no)
{
	return no >= 1 && no <= 25 ? &dj_dev_steps[no - 1] : NULL;
}

static int cf(const char *name)
{
	return dj_model_field(&dj_dev_case_entity, name);
}

static void ferr(struct dj_model_err *err, const char *field, const char *msg)
{
	err->field = field;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

static const char Q_STEPS[] =
	"SELECT id, step_no, done_on, rule_set, document, data_json, override_reason, actor, created_at FROM dev_steps"
	" WHERE case_id = ? ORDER BY step_no, done_on, id";

/* The case's timeline as the develop check's JSON, plus the step being added (if any). */
static dj_rc timeline(const struct dj_model_ctx *x, int64_t id, const char *birth, int extra_no, const char *extra_on,
		      const json_t *extra_data, json_t **out, bool done[26])
{
	struct dj_stmt *s;
	json_t *tl = json_object();
	memset(done, 0, sizeof(bool) * 26);
	if (birth)
		json_object_set_new(tl, "birth_date", json_string(birth));
	dj_rc rc = dj_db_prepare(x->c, Q_STEPS, &s);
	if (rc) {
		json_decref(tl);
		return rc;
	}
	dj_stmt_bind_int(s, 1, id);
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: stored steps; pass 1: the new one */
		for (;;) {
			int no;
			const char *on;
			json_t *data = NULL;
			if (pass == 0) {
				if (dj_stmt_step(s) != DJ_ROW)
					break;
				no = (int)dj_stmt_int(s, 1);
				on = dj_stmt_text(s, 2);
				const char *dj = dj_stmt_text(s, 5);
				if (dj)
					data = json_loads(dj, 0, NULL);
			} else {
				if (!extra_no)
					break;
				no = extra_no;
				on = extra_on;
				data = extra_data ? json_incref((json_t *)(uintptr_t)extra_data) : NULL;
			}
			const struct dj_dev_step *d = step_def(no);
			if (d) {
				done[no] = true;
				if (d->date_key && !json_object_get(tl, d->date_key))
					json_object_set_new(tl, d->date_key, json_string(on));
				static const char *const keys[] = { "training_days", "training_hours", "publicized_from",
								    "publicized_to", "extended_months", NULL };
				for (int k = 0; data && keys[k]; k++) {
					json_t *v = json_object_get(data, keys[k]);
					if (v)
						json_object_set(tl, keys[k], v);
				}
			}
			json_decref(data);
			if (pass == 1)
				break;
		}
	}
	dj_stmt_reset(s);
	*out = tl;
	return DJ_OK;
}

/* Runs the check with the store's S-5 calendar and returns its parsed result. */
static json_t *run_check(const struct dj_model_ctx *x, const json_t *tl, struct dj_date switch_on)
{
	struct dj_calendar cal;
	const struct dj_calendar *cp = dj_calendar_load(x->c, x->a, &cal) == DJ_OK ? &cal : NULL;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	const char *field;
	char err[256];
	dj_jw_init(&w, &sb);
	json_t *res = NULL;
	if (dj_develop_check_cal(tl, switch_on, cp, &w, &field, err, sizeof(err)) == DJ_OK)
		res = json_loadb(sb.buf, sb.len, 0, NULL);
	dj_strbuf_release(&sb);
	return res;
}

static dj_rc case_row(const struct dj_model_ctx *x, int64_t id, char *status, size_t sn, int64_t *org, char *path,
		      size_t pn, char *birth, size_t bn, int64_t *member_id)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "SELECT status, org_id, org_path, COALESCE(birth_date, ''), COALESCE(member_id, 0)"
				       " FROM dev_cases WHERE id = ? AND org_path >= ? AND org_path < ? AND deleted_at IS NULL",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, x->sc->org_path);
	dj_stmt_bind_text(s, 3, x->sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		snprintf(status, sn, "%s", dj_stmt_text(s, 0) ? dj_stmt_text(s, 0) : "");
		*org = dj_stmt_int(s, 1);
		snprintf(path, pn, "%s", dj_stmt_text(s, 2));
		snprintf(birth, bn, "%s", dj_stmt_text(s, 3));
		*member_id = dj_stmt_int(s, 4);
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

static dj_rc set_case(const struct dj_model_ctx *x, int64_t id, const char *stage, const char *status, int64_t member_id)
{
	struct dj_stmt *s;
	char ts[26];
	dj_rc rc = dj_db_prepare(x->c, "UPDATE dev_cases SET stage = COALESCE(?, stage), status = COALESCE(?, status),"
				       " member_id = CASE WHEN ? > 0 THEN ? ELSE member_id END, updated_at = ? WHERE id = ?",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, stage);
	dj_stmt_bind_text(s, 2, status);
	dj_stmt_bind_int(s, 3, member_id);
	dj_stmt_bind_int(s, 4, member_id);
	dj_stmt_bind_text(s, 5, dj_time_rfc3339(dj_time_now(), ts));
	dj_stmt_bind_int(s, 6, id);
	return dj_stmt_exec(s);
}

static dj_rc insert_step(const struct dj_model_ctx *x, int64_t id, int no, const char *on, const char *set, const char *doc,
			 const json_t *data, const char *override, int64_t *step_id)
{
	struct dj_stmt *s;
	char ts[26];
	char *dump = data ? json_dumps(data, JSON_COMPACT) : NULL;
	dj_rc rc = dj_db_prepare(x->c, "INSERT INTO dev_steps(case_id, step_no, done_on, rule_set, document, data_json,"
				       " override_reason, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (!rc) {
		dj_stmt_bind_int(s, 1, id);
		dj_stmt_bind_int(s, 2, no);
		dj_stmt_bind_text(s, 3, on);
		dj_stmt_bind_text(s, 4, set);
		dj_stmt_bind_text(s, 5, doc);
		dj_stmt_bind_text(s, 6, dump);
		dj_stmt_bind_text(s, 7, override);
		dj_stmt_bind_text(s, 8, x->who->username);
		dj_stmt_bind_text(s, 9, dj_time_rfc3339(dj_time_now(), ts));
		rc = dj_stmt_exec(s);
		if (!rc)
			*step_id = dj_db_last_id(x->c);
	}
	free(dump); /* json_dumps allocates with malloc */
	return rc;
}

dj_rc dj_dev_case_create(const struct dj_model_ctx *x, struct dj_value *vals, int64_t *id, struct dj_model_err *err)
{
	struct dj_value *idv = &vals[cf("id_number")];
	struct dj_idnum idn;
	char why[160], birth[11], msg[256];
	int64_t sid;
	if (dj_idnum_parse(idv->s, dj_date_today(), &idn, why, sizeof(why))) {
		ferr(err, "id_number", why);
		return DJ_ERR_INVALID;
	}
	idv->s = dj_arena_strdup(x->a, idn.number);
	vals[cf("birth_date")] = (struct dj_value){ true, false, 0, dj_arena_strdup(x->a, dj_date_format(idn.birth, birth)) };
	vals[cf("sex")] = (struct dj_value){ true, false, 0, idn.sex == 1 ? "1" : "2" };
	vals[cf("stage")] = (struct dj_value){ true, false, 0, "applicant" };
	vals[cf("status")] = (struct dj_value){ true, false, 0, "open" };
	/* DEV-A1: 年满十八岁 when applying (S-7). */
	struct dj_date applied;
	const char *ap = vals[cf("applied_on")].s;
	dj_date_parse(ap, strlen(ap), &applied);
	if (dj_date_cmp(applied, dj_date_today()) > 0) {
		ferr(err, "applied_on", "申请日期不能晚于今天");
		return DJ_ERR_INVALID;
	}
	int age = dj_date_age(idn.birth, applied);
	if (age < 18) {
		snprintf(msg, sizeof(msg), "申请入党须年满十八周岁，申请日 %s 时为 %d 周岁（DEV-A1）", ap, age);
		ferr(err, "applied_on", msg);
		return DJ_ERR_INVALID;
	}
	dj_rc rc = dj_model_insert(x, &dj_dev_case_entity, vals, id, err);
	struct dj_date sw;
	dj_date_parse(DJ_DEV_SWITCH_DEFAULT, 10, &sw);
	int64_t v = dj_rule_param_int(x->c, x->sc->org_path, "R-VER-1", "switch_on");
	struct dj_date cfg = { (int)(v / 10000), (int)(v / 100 % 100), (int)(v % 100) };
	if (dj_date_valid(cfg))
		sw = cfg;
	if (!rc)
		rc = insert_step(x, *id, 1, ap, dj_date_cmp(applied, sw) >= 0 ? "dev-2026" : "dev-2014", NULL, NULL, NULL, &sid);
	return rc;
}

dj_rc dj_dev_case_write(const struct dj_model_ctx *x, int64_t id, struct dj_date switch_on, struct dj_jw *w)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw cw;
	struct dj_stmt *s;
	char status[16], path[DJ_PATH_MAX], birth[11];
	int64_t org, mid;
	bool done[26] = { false };
	dj_rc rc = case_row(x, id, status, sizeof(status), &org, path, sizeof(path), birth, sizeof(birth), &mid);
	if (rc)
		return rc;
	dj_jw_init(&cw, &sb);
	if ((rc = dj_model_get(x, &dj_dev_case_entity, id, false, &cw))) {
		dj_strbuf_release(&sb);
		return rc;
	}
	json_t *o = json_loadb(sb.buf, sb.len, 0, NULL);
	dj_strbuf_release(&sb);
	if (!o)
		return DJ_ERR_INTERNAL;
	json_t *steps = json_array();
	if ((rc = dj_db_prepare(x->c, Q_STEPS, &s)) == DJ_OK) {
		dj_stmt_bind_int(s, 1, id);
		while (dj_stmt_step(s) == DJ_ROW) {
			json_t *st = json_object();
			int no = (int)dj_stmt_int(s, 1);
			const struct dj_dev_step *d = step_def(no);
			json_object_set_new(st, "id", json_integer(dj_stmt_int(s, 0)));
			json_object_set_new(st, "step", json_integer(no));
			json_object_set_new(st, "stage", json_integer(d ? d->stage : 0));
			json_object_set_new(st, "name", json_string(d ? d->name : ""));
			json_object_set_new(st, "done_on", json_string(dj_stmt_text(s, 2)));
			json_object_set_new(st, "rule_set", json_string(dj_stmt_text(s, 3)));
			if (dj_stmt_text(s, 4))
				json_object_set_new(st, "document", json_string(dj_stmt_text(s, 4)));
			json_t *data = dj_stmt_text(s, 5) ? json_loads(dj_stmt_text(s, 5), 0, NULL) : NULL;
			json_object_set_new(st, "data", data ? data : json_null());
			json_object_set_new(st, "override_reason", dj_stmt_text(s, 6) ? json_string(dj_stmt_text(s, 6)) : json_null());
			json_object_set_new(st, "actor", json_string(dj_stmt_text(s, 7)));
			json_array_append_new(steps, st);
		}
		dj_stmt_reset(s);
	}
	json_object_set_new(o, "steps", steps);
	json_t *tl = NULL;
	if ((rc = timeline(x, id, birth[0] ? birth : NULL, 0, NULL, NULL, &tl, done)) == DJ_OK) {
		json_t *chk = run_check(x, tl, switch_on);
		json_object_set_new(o, "timeline", tl);
		json_object_set_new(o, "check", chk ? chk : json_null());
	}
	/* What can be done next: steps not yet done whose requirements are met. */
	json_t *next = json_array();
	for (const struct dj_dev_step *d = dj_dev_steps; d->no; d++) {
		if (done[d->no] && d->no != 6)
			continue;
		bool ok = true;
		for (int k = 0; k < 4 && d->requires[k]; k++)
			ok &= done[d->requires[k]];
		if (ok && strcmp(status, "open") == 0) {
			json_t *n = json_object();
			json_object_set_new(n, "step", json_integer(d->no));
			json_object_set_new(n, "name", json_string(d->name));
			json_array_append_new(next, n);
		}
	}
	json_object_set_new(o, "next_steps", next);
	json_object_set_new(o, "stage_name", json_string(""));
	dj_jw_json(w, o);
	json_decref(o);
	return DJ_OK;
}

/* Full members of an org (mentors and sponsors are chosen only from them: DEV-B3, DEV-C2). */
static dj_rc check_full_members(const struct dj_model_ctx *x, int64_t org, const json_t *ids, size_t min, size_t max,
				const char *what, const char *rule, struct dj_model_err *err)
{
	char msg[256];
	size_t i;
	json_t *v;
	if (!json_is_array(ids) || json_array_size(ids) < min || json_array_size(ids) > max) {
		snprintf(msg, sizeof(msg), "%s须为 %zu%s%zu 名本支部正式党员（%s）", what, min, min == max ? "" : "–", max, rule);
		if (min == max)
			snprintf(msg, sizeof(msg), "%s须为 %zu 名本支部正式党员（%s）", what, min, rule);
		ferr(err, "data", msg);
		return DJ_ERR_INVALID;
	}
	json_array_foreach(ids, i, v) {
		struct dj_stmt *s;
		if (!json_is_integer(v)) {
			ferr(err, "data", "党员 id 应为整数");
			return DJ_ERR_INVALID;
		}
		dj_rc rc = dj_db_prepare(x->c, "SELECT 1 FROM members WHERE id = ? AND org_id = ? AND category = 'full'"
					       " AND status = 'active' AND deleted_at IS NULL", &s);
		if (rc)
			return rc;
		dj_stmt_bind_int(s, 1, (int64_t)json_integer_value(v));
		dj_stmt_bind_int(s, 2, org);
		rc = dj_stmt_step(s);
		dj_stmt_reset(s);
		if (rc != DJ_ROW) {
			snprintf(msg, sizeof(msg), "%s中的党员 %lld 不是本支部的正式党员（%s）", what, (long long)json_integer_value(v), rule);
			ferr(err, "data", msg);
			return DJ_ERR_INVALID;
		}
	}
	return DJ_OK;
}

/* The admission vote must be a passed admission/conversion vote of this org (DEV-D3/D5, DEV-T4). */
static dj_rc check_vote(const struct dj_model_ctx *x, int64_t org, const json_t *vid, const char *kind, struct dj_model_err *err)
{
	struct dj_stmt *s;
	if (!vid)
		return DJ_OK;
	if (!json_is_integer(vid)) {
		ferr(err, "data", "vote_id 应为整数");
		return DJ_ERR_INVALID;
	}
	dj_rc rc = dj_db_prepare(x->c, "SELECT v.passed FROM meeting_votes v JOIN meetings m ON m.id = v.meeting_id"
				       " WHERE v.id = ? AND m.org_id = ? AND v.kind = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, (int64_t)json_integer_value(vid));
	dj_stmt_bind_int(s, 2, org);
	dj_stmt_bind_text(s, 3, kind);
	rc = dj_stmt_step(s);
	bool passed = rc == DJ_ROW && dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	if (rc != DJ_ROW) {
		ferr(err, "data", "vote_id 不是本支部支部大会的相应表决记录");
		return DJ_ERR_INVALID;
	}
	if (!passed) {
		ferr(err, "data", "该表决未通过（赞成票须超过应到会有表决权正式党员的半数，DEV-D5），不能据此接收或转正");
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

/* Error findings of `after` that were not in `before` (same rule and message). */
static const char *new_error(const json_t *before, const json_t *after, const char **rule)
{
	size_t i, k;
	json_t *f, *g;
	json_array_foreach(json_object_get(after, "findings"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "severity")), "error") != 0)
			continue;
		bool seen = false;
		json_array_foreach(json_object_get(before, "findings"), k, g) if (
			json_equal(json_object_get(f, "message"), json_object_get(g, "message"))) seen = true;
		if (!seen) {
			*rule = json_string_value(json_object_get(f, "rule"));
			return json_string_value(json_object_get(f, "message"));
		}
	}
	return NULL;
}

dj_rc dj_dev_step_add(const struct dj_model_ctx *x, int64_t id, const json_t *body, struct dj_date switch_on, bool is_admin,
		      int64_t *step_id, struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX], birth[11], msg[400];
	int64_t org, mid;
	bool done[26] = { false }, done2[26] = { false };
	const char *k;
	json_t *v;
	dj_rc rc = case_row(x, id, status, sizeof(status), &org, path, sizeof(path), birth, sizeof(birth), &mid);
	if (rc)
		return rc;
	json_t *jstep0 = json_object_get(body, "step");
	bool archiving = json_is_integer(jstep0) && json_integer_value(jstep0) == 25 && strcmp(status, "converted") == 0;
	if (strcmp(status, "open") != 0 && !archiving) {
		ferr(err, "step", "该发展案卷已结束（已转正或已终止），不能再登记步骤");
		return DJ_ERR_CONFLICT;
	}
	json_object_foreach((json_t *)(uintptr_t)body, k, v) {
		if (strcmp(k, "step") && strcmp(k, "done_on") && strcmp(k, "document") && strcmp(k, "data") &&
		    strcmp(k, "override_reason")) {
			err->field = k;
			snprintf(err->msg, sizeof(err->msg), "未知字段：%s", k);
			return DJ_ERR_INVALID;
		}
	}
	json_t *jstep = json_object_get(body, "step"), *jon = json_object_get(body, "done_on");
	json_t *jdata = json_object_get(body, "data"), *jdoc = json_object_get(body, "document");
	json_t *jov = json_object_get(body, "override_reason");
	const struct dj_dev_step *d = json_is_integer(jstep) ? step_def((int)json_integer_value(jstep)) : NULL;
	struct dj_date on;
	if (!d) {
		ferr(err, "step", "step 应为 1 到 25 的步骤编号");
		return DJ_ERR_INVALID;
	}
	if (!json_is_string(jon) || dj_date_parse(json_string_value(jon), json_string_length(jon), &on)) {
		ferr(err, "done_on", "done_on 应为 YYYY-MM-DD 格式的有效日期");
		return DJ_ERR_INVALID;
	}
	if (dj_date_cmp(on, dj_date_today()) > 0) {
		ferr(err, "done_on", "完成日期不能晚于今天");
		return DJ_ERR_INVALID;
	}
	if ((jdata && !json_is_null(jdata) && !json_is_object(jdata)) || (jdoc && !json_is_null(jdoc) && !json_is_string(jdoc)) ||
	    (jov && !json_is_null(jov) && !json_is_string(jov))) {
		ferr(err, "data", "data 应为对象，document 和 override_reason 应为字符串");
		return DJ_ERR_INVALID;
	}
	const char *ov = json_is_string(jov) && json_string_length(jov) ? json_string_value(jov) : NULL;
	if (ov && !is_admin) {
		ferr(err, "override_reason", "只有系统管理员可以说明理由后越过规则登记");
		return DJ_ERR_FORBIDDEN;
	}
	json_t *tl0 = NULL, *tl1 = NULL;
	if ((rc = timeline(x, id, birth[0] ? birth : NULL, 0, NULL, NULL, &tl0, done)))
		return rc;
	/* Order of the flow: the steps this one depends on must be recorded first. */
	for (int i = 0; i < 4 && d->requires[i]; i++) {
		if (!done[d->requires[i]]) {
			const struct dj_dev_step *r = step_def(d->requires[i]);
			snprintf(msg, sizeof(msg), "须先完成第 %d 步“%s”，才能登记第 %d 步“%s”%s", r->no, r->name, d->no, d->name,
				 d->requires[i] == 10 ? "（DEV-C3：未经政治审查不得发展）" : d->requires[i] == 11 ? "（DEV-C4）" : "");
			ferr(err, "step", msg);
			json_decref(tl0);
			return DJ_ERR_INVALID;
		}
	}
	if (done[d->no] && d->no != 6 && d->no != 21) {
		snprintf(msg, sizeof(msg), "第 %d 步“%s”已登记", d->no, d->name);
		ferr(err, "step", msg);
		json_decref(tl0);
		return DJ_ERR_CONFLICT;
	}
	/* Step-specific checks. */
	if (d->no == 5)
		rc = check_full_members(x, org, json_object_get(jdata, "mentor_ids"), 1, 2, "培养联系人", "DEV-B3", err);
	else if (d->no == 9)
		rc = check_full_members(x, org, json_object_get(jdata, "sponsor_ids"), 2, 2, "入党介绍人", "DEV-C2", err);
	else if (d->no == 10) {
		const char *c = json_string_value(json_object_get(jdata, "conclusion"));
		if (!c || (strcmp(c, "qualified") && strcmp(c, "unqualified"))) {
			ferr(err, "data", "政治审查须有书面结论：data.conclusion 为 qualified（合格）或 unqualified（不合格）（DEV-C3）");
			rc = DJ_ERR_INVALID;
		}
	} else if (d->no == 12) {
		/* DEV-C3: no admission after a failed political review. */
		struct dj_stmt *s;
		if (!(rc = dj_db_prepare(x->c, "SELECT data_json FROM dev_steps WHERE case_id = ? AND step_no = 10", &s))) {
			dj_stmt_bind_int(s, 1, id);
			bool ok = dj_stmt_step(s) == DJ_ROW && dj_stmt_text(s, 0) && strstr(dj_stmt_text(s, 0), "\"qualified\"");
			dj_stmt_reset(s);
			if (!ok) {
				ferr(err, "step", "政治审查结论不合格，不能提交支部委员会审查（DEV-C3）");
				rc = DJ_ERR_INVALID;
			}
		}
	} else if (d->no == 15)
		rc = check_vote(x, org, json_object_get(jdata, "vote_id"), "admission", err);
	else if (d->no == 23) {
		const char *dec = json_string_value(json_object_get(jdata, "decision"));
		if (!dec || (strcmp(dec, "convert") && strcmp(dec, "extend") && strcmp(dec, "cancel"))) {
			ferr(err, "data", "转正讨论须有决定：data.decision 为 convert（按期转正）、extend（延长预备期）或 cancel（取消预备党员资格）（DEV-T2）");
			rc = DJ_ERR_INVALID;
		} else if (strcmp(dec, "extend") == 0 && !json_is_integer(json_object_get(jdata, "extended_months"))) {
			ferr(err, "data", "延长预备期须填写 data.extended_months（6–12 个月，DEV-T2）");
			rc = DJ_ERR_INVALID;
		}
		if (!rc)
			rc = check_vote(x, org, json_object_get(jdata, "vote_id"), "conversion", err);
	} else if (d->no == 24) {
		struct dj_stmt *s;
		if (!(rc = dj_db_prepare(x->c, "SELECT data_json FROM dev_steps WHERE case_id = ? AND step_no = 23", &s))) {
			dj_stmt_bind_int(s, 1, id);
			bool ok = dj_stmt_step(s) == DJ_ROW && dj_stmt_text(s, 0) && !strstr(dj_stmt_text(s, 0), "\"cancel\"");
			dj_stmt_reset(s);
			if (!ok) {
				ferr(err, "step", "支部大会决定取消预备党员资格，不能审批转正");
				rc = DJ_ERR_INVALID;
			}
		}
	}
	if (rc) {
		json_decref(tl0);
		return rc;
	}
	/* The DEV rules: a step that adds an error finding is refused unless an admin overrides. */
	if ((rc = timeline(x, id, birth[0] ? birth : NULL, d->no, json_string_value(jon), jdata, &tl1, done2))) {
		json_decref(tl0);
		return rc;
	}
	json_t *c0 = run_check(x, tl0, switch_on), *c1 = run_check(x, tl1, switch_on);
	const char *rule_p = NULL, *bad_p = c0 && c1 ? new_error(c0, c1, &rule_p) : NULL;
	/* Copies: the findings die with c1 below. */
	char rule[32] = "", bad_msg[400] = "";
	bool bad = bad_p != NULL;
	if (bad) {
		snprintf(rule, sizeof(rule), "%s", rule_p ? rule_p : "");
		snprintf(bad_msg, sizeof(bad_msg), "%s", bad_p);
	}
	if (bad && !ov) {
		snprintf(msg, sizeof(msg), "%.300s——如确有特殊情况，可由系统管理员填写理由后登记", bad_msg);
		ferr(err, "done_on", msg);
		rc = DJ_ERR_INVALID;
	}
	json_decref(c0);
	json_decref(c1);
	json_decref(tl0);
	if (rc) {
		json_decref(tl1);
		return rc;
	}
	const char *set = dj_date_cmp(on, switch_on) >= 0 ? "dev-2026" : "dev-2014"; /* R-VER-1 */
	rc = insert_step(x, id, d->no, json_string_value(jon), set, json_string_value(jdoc), json_is_object(jdata) ? jdata : NULL, ov,
			 step_id);
	if (rc)
		return rc;
	/* Stage changes and the register. */
	if (d->no == 3)
		rc = set_case(x, id, "activist", NULL, 0);
	else if (d->no == 7)
		rc = set_case(x, id, "candidate", NULL, 0);
	else if (d->no == 15) {
		/* DEV-X2: joined on the 支部大会 date; a 预备党员 record is created in the branch. */
		struct dj_strbuf sb = DJ_STRBUF_INIT;
		struct dj_jw w;
		dj_jw_init(&w, &sb);
		rc = dj_model_get(x, &dj_dev_case_entity, id, true, &w);
		json_t *cj = rc ? NULL : json_loadb(sb.buf, sb.len, 0, NULL);
		dj_strbuf_release(&sb);
		if (!cj) {
			json_decref(tl1);
			return rc ? rc : DJ_ERR_INTERNAL;
		}
		struct dj_value mv[64];
		memset(mv, 0, sizeof(mv));
#define MSET(f, val)                                                                            \
	do {                                                                                        \
		int i_ = dj_model_field(&dj_member_entity, f);                                          \
		mv[i_].set = true;                                                                      \
		mv[i_].s = dj_arena_strdup(x->a, val);                                                  \
	} while (0)
		mv[dj_model_field(&dj_member_entity, "org_id")] = (struct dj_value){ true, false, org, NULL };
		MSET("name", json_string_value(json_object_get(cj, "name")));
		MSET("id_number", json_string_value(json_object_get(cj, "id_number")));
		MSET("category", "probationary");
		MSET("joined_on", json_string_value(jon));
		MSET("applied_on", json_string_value(json_object_get(cj, "applied_on")));
		if (json_is_string(json_object_get(tl1, "activist_on")))
			MSET("activist_on", json_string_value(json_object_get(tl1, "activist_on")));
		if (json_is_string(json_object_get(tl1, "target_on")))
			MSET("candidate_on", json_string_value(json_object_get(tl1, "target_on")));
		if (json_is_string(json_object_get(cj, "education")))
			MSET("education", json_string_value(json_object_get(cj, "education")));
		if (json_is_string(json_object_get(cj, "occupation")))
			MSET("occupation", json_string_value(json_object_get(cj, "occupation")));
		if (json_is_string(json_object_get(cj, "work_unit")))
			MSET("work_unit", json_string_value(json_object_get(cj, "work_unit")));
#undef MSET
		struct dj_model_err merr = { 0 };
		int64_t new_member = 0;
		rc = dj_member_create(x, mv, &new_member, &merr);
		json_decref(cj);
		if (rc == DJ_ERR_CONFLICT || rc == DJ_ERR_INVALID) {
			snprintf(err->msg, sizeof(err->msg), "生成预备党员记录失败：%.300s", merr.msg);
			err->field = "step";
			json_decref(tl1);
			return rc;
		}
		if (!rc)
			rc = set_case(x, id, "probationary", NULL, new_member);
	} else if (d->no == 23 && strcmp(json_string_value(json_object_get(jdata, "decision")), "cancel") == 0 && mid) {
		/* 取消预备党员资格 (ST-5): the member leaves with that reason. */
		struct dj_value mv[64];
		memset(mv, 0, sizeof(mv));
		mv[dj_model_field(&dj_member_entity, "status")] = (struct dj_value){ true, false, 0, "exited" };
		mv[dj_model_field(&dj_member_entity, "exit_reason")] = (struct dj_value){ true, false, 0, "probation_cancelled" };
		mv[dj_model_field(&dj_member_entity, "status_changed_on")] = (struct dj_value){ true, false, 0, json_string_value(jon) };
		struct dj_model_err merr = { 0 };
		rc = dj_member_update(x, mid, mv, &merr);
		if (!rc)
			rc = set_case(x, id, NULL, "closed", 0);
	} else if (d->no == 24 && mid) {
		/* DEV-T6: the conversion date is the end of probation, also when approval comes later. */
		const char *adm = json_string_value(json_object_get(tl1, "admitted_on"));
		json_t *ext = json_object_get(tl1, "extended_months");
		struct dj_date a;
		char conv[11];
		if (adm && dj_date_parse(adm, strlen(adm), &a) == DJ_OK) {
			dj_date_format(dj_date_add_months(a, 12 + (json_is_integer(ext) ? (int)json_integer_value(ext) : 0)), conv);
			struct dj_value mv[64];
			memset(mv, 0, sizeof(mv));
			mv[dj_model_field(&dj_member_entity, "category")] = (struct dj_value){ true, false, 0, "full" };
			mv[dj_model_field(&dj_member_entity, "converted_on")] = (struct dj_value){ true, false, 0, conv };
			struct dj_model_err merr = { 0 };
			rc = dj_member_update(x, mid, mv, &merr);
			if (rc == DJ_ERR_INVALID) {
				snprintf(err->msg, sizeof(err->msg), "更新党员记录失败：%.300s", merr.msg);
				err->field = "step";
			}
		}
		if (!rc)
			rc = set_case(x, id, "full", "converted", 0);
	}
	json_decref(tl1); /* the register updates above read the timeline */
	if (rc)
		return rc;
	char after[700];
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "step", d->no);
	dj_jw_kstr(&w, "name", d->name);
	dj_jw_kstr(&w, "done_on", json_string_value(jon));
	dj_jw_kstr(&w, "rule_set", set);
	dj_jw_kstr(&w, "override_reason", ov);
	if (bad)
		dj_jw_kstr(&w, "overridden_rule", rule);
	dj_jw_obj_end(&w);
	snprintf(after, sizeof(after), "%s", sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { ov && bad ? "dev.step_override" : "dev.step", "dev_case", id, path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_dev_board(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_jw *w)
{
	struct dj_org o, *kids;
	int64_t nk, total;
	struct dj_stmt *s;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc || (rc = dj_org_children(x->c, x->sc, org_id, 1, 200, x->a, &kids, &nk, &total)))
		return rc;
	static const char *const stages[] = { "applicant", "activist", "candidate", "probationary" };
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "org_id", org_id);
	dj_jw_kint(w, "year", year);
	dj_jw_key(w, "rows");
	dj_jw_arr_begin(w);
	for (int64_t i = -1; i < nk; i++) {
		const struct dj_org *r = i < 0 ? &o : &kids[i];
		struct dj_scope sub;
		dj_scope_set_path(&sub, r->path);
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "org_id", r->id);
		dj_jw_kstr(w, "name", r->name);
		dj_jw_kbool(w, "self", i < 0);
		for (int k = 0; k < 4; k++) {
			if ((rc = dj_db_prepare(x->c, "SELECT COUNT(*) FROM dev_cases WHERE org_path >= ? AND org_path < ? AND stage = ?"
						      " AND status = 'open' AND deleted_at IS NULL", &s)))
				return rc;
			dj_stmt_bind_text(s, 1, sub.org_path);
			dj_stmt_bind_text(s, 2, sub.path_hi);
			dj_stmt_bind_text(s, 3, stages[k]);
			dj_jw_kint(w, stages[k], dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0);
			dj_stmt_reset(s);
		}
		/* Annual plan and fulfilment: admissions (step 15) dated in the year. */
		char y0[24], y1[24];
		snprintf(y0, sizeof(y0), "%04d-01-01", year % 10000);
		snprintf(y1, sizeof(y1), "%04d-12-31", year % 10000);
		if ((rc = dj_db_prepare(x->c, "SELECT COUNT(*) FROM dev_steps st JOIN dev_cases c ON c.id = st.case_id"
					      " WHERE c.org_path >= ? AND c.org_path < ? AND st.step_no = 15 AND st.done_on >= ?"
					      " AND st.done_on <= ? AND c.deleted_at IS NULL", &s)))
			return rc;
		dj_stmt_bind_text(s, 1, sub.org_path);
		dj_stmt_bind_text(s, 2, sub.path_hi);
		dj_stmt_bind_text(s, 3, y0);
		dj_stmt_bind_text(s, 4, y1);
		dj_jw_kint(w, "admitted_this_year", dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0);
		dj_stmt_reset(s);
		if ((rc = dj_db_prepare(x->c, "SELECT quota FROM dev_plans WHERE org_id = ? AND year = ?", &s)))
			return rc;
		dj_stmt_bind_int(s, 1, r->id);
		dj_stmt_bind_int(s, 2, year);
		if (dj_stmt_step(s) == DJ_ROW)
			dj_jw_kint(w, "quota", dj_stmt_int(s, 0));
		else
			dj_jw_knull(w, "quota");
		dj_stmt_reset(s);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
	return DJ_OK;
}

dj_rc dj_dev_plan_set(const struct dj_model_ctx *x, int64_t org_id, int year, int64_t quota, struct dj_model_err *err)
{
	struct dj_org o;
	struct dj_stmt *s;
	char ts[26], after[128];
	if (quota < 0 || quota > 100000 || year < 2000 || year > 2999) {
		ferr(err, "quota", "年度发展计划数应为 0 到 100000 的整数");
		return DJ_ERR_INVALID;
	}
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	if ((rc = dj_db_prepare(x->c, "INSERT INTO dev_plans(org_id, year, quota, set_by, set_at) VALUES (?, ?, ?, ?, ?)"
				      " ON CONFLICT(org_id, year) DO UPDATE SET quota = excluded.quota, set_by = excluded.set_by,"
				      " set_at = excluded.set_at", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_int(s, 2, year);
	dj_stmt_bind_int(s, 3, quota);
	dj_stmt_bind_text(s, 4, x->who->username);
	dj_stmt_bind_text(s, 5, dj_time_rfc3339(dj_time_now(), ts));
	if ((rc = dj_stmt_exec(s)))
		return rc;
	snprintf(after, sizeof(after), "{\"org_id\":%lld,\"year\":%d,\"quota\":%lld}", (long long)org_id, year, (long long)quota);
	struct dj_audit_entry e = { "dev.plan", "org", org_id, o.path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

/* ---- documents ------------------------------------------------------------------------------------ */

static const char *step_date(json_t *steps, int no)
{
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s) if (json_integer_value(json_object_get(s, "step")) == no) return json_string_value(
		json_object_get(s, "done_on"));
	return NULL;
}

static const char *cn_date(struct dj_arena *a, const char *iso)
{
	struct dj_date d;
	if (!iso || dj_date_parse(iso, strlen(iso), &d))
		return "　　年　　月　　日";
	return dj_arena_printf(a, "%d年%d月%d日", d.y, d.m, d.d);
}

dj_rc dj_dev_documents(const struct dj_model_ctx *x, int64_t id, struct dj_doc **docs, int **stages, size_t *n)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	struct dj_org o;
	struct dj_date today = dj_date_today(), sw;
	dj_date_parse(DJ_DEV_SWITCH_DEFAULT, 10, &sw);
	dj_jw_init(&w, &sb);
	dj_rc rc = dj_dev_case_write(x, id, sw, &w);
	json_t *c = rc ? NULL : json_loadb(sb.buf, sb.len, 0, NULL);
	dj_strbuf_release(&sb);
	if (!c)
		return rc ? rc : DJ_ERR_INTERNAL;
	rc = dj_org_get(x->c, x->sc, (int64_t)json_integer_value(json_object_get(c, "org_id")), x->a, &o);
	if (rc) {
		json_decref(c);
		return rc;
	}
	struct dj_arena *a = x->a;
	const char *name = dj_arena_strdup(a, json_string_value(json_object_get(c, "name")));
	const char *sex = json_string_value(json_object_get(c, "sex_label"));
	const char *birth = cn_date(a, json_string_value(json_object_get(c, "birth_date")));
	const char *unit = json_string_value(json_object_get(c, "work_unit"));
	json_t *steps = json_object_get(c, "steps");
	json_t *deadlines = json_object_get(json_object_get(c, "check"), "deadlines");
	const char *org = o.name, *todays = cn_date(a, dj_arena_printf(a, "%04d-%02d-%02d", today.y % 10000, today.m % 100, today.d % 100));
	*docs = dj_arena_alloc(a, sizeof(struct dj_doc) * 6);
	*stages = dj_arena_alloc(a, sizeof(int) * 6);
	*n = 0;
#define DOC(stage_, title_, ...)                                                                   \
	do {                                                                                           \
		static const int np_ = sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *);    \
		const char **p_ = dj_arena_alloc(a, sizeof(const char *) * np_);                          \
		const char *src_[] = { __VA_ARGS__ };                                                      \
		memcpy(p_, src_, sizeof(src_));                                                            \
		(*docs)[*n] = (struct dj_doc){ title_, p_, np_ };                                          \
		(*stages)[(*n)++] = stage_;                                                                \
	} while (0)
	const char *who = dj_arena_printf(a, "%s，%s，%s生%s%s。", name, sex ? sex : "", birth, unit ? "，工作单位：" : "",
					  unit ? unit : "");
	if (step_date(steps, 1))
		DOC(1, "入党申请人登记表", dj_arena_printf(a, "申请人：%s", who),
		    dj_arena_printf(a, "于%s向%s递交入党申请书。", cn_date(a, step_date(steps, 1)), org),
		    dj_arena_printf(a, "党组织派人谈话日期：%s（应在%s前，DEV-A3）。", cn_date(a, step_date(steps, 2)),
				    cn_date(a, json_string_value(json_object_get(deadlines, "talk_by")))),
		    dj_arena_printf(a, ">%s（盖章）", org), dj_arena_printf(a, ">%s", todays));
	if (step_date(steps, 3))
		DOC(2, "关于确定入党积极分子的备案报告", "上级党委：",
		    dj_arena_printf(a, "　　经党员推荐、支部委员会研究，%s于%s确定%s为入党积极分子，并指定培养联系人负责培养教育考察（每半年考察一次，DEV-B4）。现报请备案。",
				    org, cn_date(a, step_date(steps, 3)), name),
		    dj_arena_printf(a, "　　附：%s", who), dj_arena_printf(a, ">中共%s", org), dj_arena_printf(a, ">%s", todays));
	if (step_date(steps, 7))
		DOC(3, "发展对象公示", dj_arena_printf(a, "　　经培养教育考察，%s拟将%s同志列为发展对象。", org, name),
		    dj_arena_printf(a, "　　%s确定为入党积极分子，培养期满一年（DEV-C1），现予公示。", cn_date(a, step_date(steps, 3))),
		    "　　公示期间，党员和群众可通过来信、来电、来访等方式向党支部或上级党委反映情况。",
		    dj_arena_printf(a, ">中共%s", org), dj_arena_printf(a, ">%s", cn_date(a, step_date(steps, 7))));
	if (step_date(steps, 14))
		DOC(4, "入党志愿书封面信息", dj_arena_printf(a, "姓名：%s", name), dj_arena_printf(a, "所在党支部：%s", org),
		    dj_arena_printf(a, "上级党委预审日期：%s", cn_date(a, step_date(steps, 13))),
		    dj_arena_printf(a, "填写日期：%s", cn_date(a, step_date(steps, 14))));
	if (step_date(steps, 15))
		DOC(4, "关于接收预备党员的请示", "上级党委：",
		    dj_arena_printf(a, "　　%s于%s召开支部党员大会，讨论%s同志的入党申请，经无记名投票表决，赞成票超过应到会有表决权党员的半数（DEV-D5），同意接收其为中共预备党员。",
				    org, cn_date(a, step_date(steps, 15)), name),
		    dj_arena_printf(a, "　　请上级党委于%s前审批（三个月内，特殊情况不超过%s，DEV-D7）。",
				    cn_date(a, json_string_value(json_object_get(deadlines, "approval_by"))),
				    cn_date(a, json_string_value(json_object_get(deadlines, "approval_max")))),
		    dj_arena_printf(a, ">中共%s", org), dj_arena_printf(a, ">%s", todays));
	if (step_date(steps, 23))
		DOC(5, "关于预备党员转正的请示", "上级党委：",
		    dj_arena_printf(a, "　　%s同志于%s被接收为中共预备党员，预备期至%s满（DEV-T1）。%s召开支部党员大会讨论其转正问题。", name,
				    cn_date(a, step_date(steps, 15)), cn_date(a, json_string_value(json_object_get(deadlines, "probation_end"))),
				    cn_date(a, step_date(steps, 23))),
		    dj_arena_printf(a, "　　转正时间自预备期满之日即%s算起，党龄自该日计算（DEV-T6）。",
				    cn_date(a, json_string_value(json_object_get(deadlines, "conversion_date")))),
		    dj_arena_printf(a, ">中共%s", org), dj_arena_printf(a, ">%s", todays));
#undef DOC
	/* The strings point into c's values copied via dj_arena_printf/cn_date, except these: */
	for (size_t i = 0; i < *n; i++)
		(*docs)[i].title = dj_arena_strdup(a, (*docs)[i].title);
	json_decref(c);
	return DJ_OK;
}

/* member.c — the member register: descriptors, 身份证号 and date rules, and the per-org counts. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/idnum.h"
#include "dj/member.h"
#include "dj/banned.h"

#define L DJ_FF_LIST
#define F DJ_FF_FILTER
#define S DJ_FF_SORT
#define Q DJ_FF_SEARCH
#define R DJ_FF_REQUIRED

static const struct dj_field member_fields[] = {
	{ "org_id", "所属党组织", DJ_FT_REF, R | L | F, 0, 0, 0, NULL, "orgs", "党员组织关系所在的党支部（或党委、党总支）" },
	{ "name", "姓名", DJ_FT_TEXT, R | L | S | Q, 50, 0, 0, NULL, NULL, NULL },
	{ "former_name", "曾用名", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, NULL },
	{ "sex", "性别", DJ_FT_CODE, L | F, 0, 0, 0, "sex", NULL, "可不填，由身份证号推算" },
	{ "ethnicity", "民族", DJ_FT_CODE, L | F, 0, 0, 0, "ethnicity", NULL, NULL },
	{ "native_place", "籍贯", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, NULL },
	{ "birth_date", "出生日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, "可不填，由身份证号推算" },
	{ "id_number", "身份证号", DJ_FT_TEXT, R | L | DJ_FF_PII | DJ_FF_UNIQUE, 18, 0, 0, NULL, NULL,
	  "18 位，末位可为 X；旧版 15 位自动升位" },
	{ "education", "学历", DJ_FT_CODE, L | F, 0, 0, 0, "education", NULL, NULL },
	{ "degree", "学位", DJ_FT_TEXT, 0, 20, 0, 0, NULL, NULL, NULL },
	{ "occupation", "职业", DJ_FT_CODE, L | F, 0, 0, 0, "occupation", NULL, "党内统计职业分类" },
	{ "work_unit", "工作单位", DJ_FT_TEXT, L | Q, 100, 0, 0, NULL, NULL, NULL },
	{ "job_title", "职务", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, NULL },
	{ "phone", "联系电话", DJ_FT_TEXT, L | DJ_FF_PII, 20, 0, 0, NULL, NULL, NULL },
	{ "address", "现居住地", DJ_FT_TEXT, 0, 200, 0, 0, NULL, NULL, NULL },
	{ "party_group_id", "所在党小组", DJ_FT_REF, 0, 0, 0, 0, NULL, "orgs", NULL },
	{ "category", "人员类别", DJ_FT_CODE, R | L | F, 0, 0, 0, "member_category", NULL, "正式党员或预备党员" },
	{ "applied_on", "申请入党日期", DJ_FT_DATE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "activist_on", "确定积极分子日期", DJ_FT_DATE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "candidate_on", "确定发展对象日期", DJ_FT_DATE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "joined_on", "入党日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, "支部大会接收为预备党员的日期" },
	{ "converted_on", "转正日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, "党龄自转正之日起算" },
	{ "sponsors", "入党介绍人", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, NULL },
	{ "status", "党籍状态", DJ_FT_CODE, L | F, 0, 0, 0, "member_status", NULL, "默认为正常" },
	{ "exit_reason", "出党方式", DJ_FT_CODE, 0, 0, 0, 0, "exit_reason", NULL, "党籍状态为出党时必填" },
	{ "status_changed_on", "状态变更日期", DJ_FT_DATE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "is_mobile", "流动党员", DJ_FT_BOOL, F, 0, 0, 0, NULL, NULL, NULL },
	{ "is_hardship", "困难党员", DJ_FT_BOOL, F, 0, 0, 0, NULL, NULL, NULL },
	{ "is_center_household", "党员中心户", DJ_FT_BOOL, F, 0, 0, 0, NULL, NULL, NULL },
	{ "is_veteran", "退役军人", DJ_FT_BOOL, F, 0, 0, 0, NULL, NULL, NULL },
	{ "is_first_secretary", "第一书记", DJ_FT_BOOL, F, 0, 0, 0, NULL, NULL, NULL },
	{ "remarks", "备注", DJ_FT_TEXT, 0, 500, 0, 0, NULL, NULL, NULL },
};

const struct dj_entity dj_member_entity = {
	"member", "members", "党员", member_fields, sizeof(member_fields) / sizeof(member_fields[0]),
	true, true, NULL, NULL, "id",
};

static const struct dj_field reward_fields[] = {
	{ "kind", "类别", DJ_FT_TEXT, R | L, 10, 0, 0, NULL, NULL, "奖励或惩处" },
	{ "title", "名称", DJ_FT_TEXT, R | L, 100, 0, 0, NULL, NULL, NULL },
	{ "decided_on", "日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, NULL },
	{ "issuer", "批准机关", DJ_FT_TEXT, L, 100, 0, 0, NULL, NULL, NULL },
	{ "remarks", "备注", DJ_FT_TEXT, L, 500, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_member_reward_entity = {
	"member_reward", "member_rewards", "奖惩情况", reward_fields, sizeof(reward_fields) / sizeof(reward_fields[0]),
	false, false, "members", "member_id", NULL,
};

static const struct dj_field position_fields[] = {
	{ "title", "职务", DJ_FT_TEXT, R | L, 100, 0, 0, NULL, NULL, NULL },
	{ "unit", "单位", DJ_FT_TEXT, L, 100, 0, 0, NULL, NULL, NULL },
	{ "started_on", "任职日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, NULL },
	{ "ended_on", "免职日期", DJ_FT_DATE, L, 0, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_member_position_entity = {
	"member_position", "member_positions", "职务变动", position_fields,
	sizeof(position_fields) / sizeof(position_fields[0]), false, false, "members", "member_id", NULL,
};

static const struct dj_field family_fields[] = {
	{ "name", "姓名", DJ_FT_TEXT, R | L, 50, 0, 0, NULL, NULL, NULL },
	{ "relation", "称谓", DJ_FT_TEXT, R | L, 20, 0, 0, NULL, NULL, "如 配偶、父亲、女儿" },
	{ "birth_date", "出生日期", DJ_FT_DATE, L, 0, 0, 0, NULL, NULL, NULL },
	{ "political_status", "政治面貌", DJ_FT_TEXT, L, 20, 0, 0, NULL, NULL, NULL },
	{ "work_unit", "工作单位及职务", DJ_FT_TEXT, L, 100, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_member_family_entity = {
	"member_family", "member_family", "家庭成员", family_fields, sizeof(family_fields) / sizeof(family_fields[0]),
	false, false, "members", "member_id", NULL,
};

static const struct dj_field abroad_fields[] = {
	{ "destination", "前往国家（地区）", DJ_FT_TEXT, R | L, 50, 0, 0, NULL, NULL, NULL },
	{ "purpose", "事由", DJ_FT_TEXT, L, 100, 0, 0, NULL, NULL, NULL },
	{ "left_on", "出境日期", DJ_FT_DATE, R | L | S, 0, 0, 0, NULL, NULL, NULL },
	{ "returned_on", "回国日期", DJ_FT_DATE, L, 0, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_member_abroad_entity = {
	"member_abroad", "member_abroad", "出国（境）情况", abroad_fields, sizeof(abroad_fields) / sizeof(abroad_fields[0]),
	false, false, "members", "member_id", NULL,
};

const struct dj_entity *const dj_member_subrecords[] = {
	&dj_member_reward_entity, &dj_member_position_entity, &dj_member_family_entity, &dj_member_abroad_entity, NULL,
};

/* ---- rules ------------------------------------------------------------------------------------------ */

static struct dj_value *fv(struct dj_value *vals, const char *name)
{
	return &vals[dj_model_field(&dj_member_entity, name)];
}

/* The value after this write: the new one if set, else the stored one. */
static const struct dj_value *eff(struct dj_value *vals, const struct dj_value *cur, const char *name)
{
	int i = dj_model_field(&dj_member_entity, name);
	if (vals[i].set || !cur)
		return &vals[i];
	return &cur[i];
}

static bool present(const struct dj_value *v)
{
	return v->set && !v->null;
}

static void errf(struct dj_model_err *err, const char *field, const char *msg)
{
	err->field = field;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

dj_rc dj_member_check(struct dj_value *vals, const struct dj_value *cur, struct dj_arena *a, struct dj_model_err *err)
{
	char msg[256], buf[11];
	struct dj_date today = dj_date_today();
	struct dj_value *idv = fv(vals, "id_number");

	/* §11.1: checksum, birth date, sex; legacy 15-digit numbers are converted. */
	if (present(idv)) {
		struct dj_idnum id;
		char why[160];
		if (dj_idnum_parse(idv->s, today, &id, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "%s", why);
			errf(err, "id_number", msg);
			return DJ_ERR_INVALID;
		}
		idv->s = dj_arena_strdup(a, id.number);
		struct dj_value *bd = fv(vals, "birth_date"), *sex = fv(vals, "sex");
		const char *derived = dj_arena_strdup(a, dj_date_format(id.birth, buf));
		if (present(bd) && strcmp(bd->s, derived) != 0) {
			snprintf(msg, sizeof(msg), "出生日期 %s 与身份证号中的 %s 不一致", bd->s, derived);
			errf(err, "birth_date", msg);
			return DJ_ERR_INVALID;
		}
		bd->set = true;
		bd->null = false;
		bd->s = derived;
		const char *dsex = id.sex == 1 ? "1" : "2";
		if (present(sex) && strcmp(sex->s, dsex) != 0 && strcmp(sex->s, "0") != 0 && strcmp(sex->s, "9") != 0) {
			snprintf(msg, sizeof(msg), "性别与身份证号（第 17 位%s数）不一致", id.sex == 1 ? "奇" : "偶");
			errf(err, "sex", msg);
			return DJ_ERR_INVALID;
		}
		sex->set = true;
		sex->null = false;
		sex->s = dsex;
	}

	if (cur && !present(idv) && (present(fv(vals, "birth_date")) || present(fv(vals, "sex")))) {
		errf(err, present(fv(vals, "birth_date")) ? "birth_date" : "sex",
		     "出生日期和性别由身份证号推算；如需更正，请同时提交正确的身份证号");
		return DJ_ERR_INVALID;
	}

	/* Dates in the order the pipeline runs, none in the future, none before birth. */
	static const char *const order[] = { "birth_date", "applied_on", "activist_on", "candidate_on", "joined_on",
					     "converted_on" };
	const char *prev_name = NULL, *prev = NULL;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct dj_value *v = eff(vals, cur, order[i]);
		if (!present(v))
			continue;
		struct dj_date d;
		dj_date_parse(v->s, strlen(v->s), &d);
		if (dj_date_cmp(d, today) > 0) {
			int fi = dj_model_field(&dj_member_entity, order[i]);
			snprintf(msg, sizeof(msg), "%s %s 晚于今天", dj_member_entity.fields[fi].label, v->s);
			errf(err, order[i], msg);
			return DJ_ERR_INVALID;
		}
		if (prev && strcmp(v->s, prev) < 0) {
			int fi = dj_model_field(&dj_member_entity, order[i]);
			int pi = dj_model_field(&dj_member_entity, prev_name);
			snprintf(msg, sizeof(msg), "%s（%s）不能早于%s（%s）", dj_member_entity.fields[fi].label, v->s,
				 dj_member_entity.fields[pi].label, prev);
			errf(err, order[i], msg);
			return DJ_ERR_INVALID;
		}
		prev = v->s;
		prev_name = order[i];
	}
	/* A 预备党员 has no conversion date yet (DEV-T6: conversion ends probation). */
	const struct dj_value *cat = eff(vals, cur, "category"), *conv = eff(vals, cur, "converted_on");
	if (present(cat) && strcmp(cat->s, "probationary") == 0 && present(conv)) {
		errf(err, "converted_on", "预备党员不应有转正日期；已转正请将人员类别改为正式党员");
		return DJ_ERR_INVALID;
	}
	struct dj_value *st = fv(vals, "status");
	if (!cur && !present(st)) {
		st->set = true;
		st->null = false;
		st->s = "active";
	}
	const struct dj_value *est = eff(vals, cur, "status"), *why = eff(vals, cur, "exit_reason");
	if (present(est) && strcmp(est->s, "exited") == 0 && !present(why)) {
		errf(err, "exit_reason", "党籍状态为“出党”时须填写出党方式");
		return DJ_ERR_INVALID;
	}
	/* DEV-X1: a 预备党员 cannot be persuaded to leave (劝退). */
	if (present(cat) && strcmp(cat->s, "probationary") == 0 && present(why) && strcmp(why->s, "persuaded") == 0) {
		errf(err, "exit_reason", "预备党员不能劝退（DEV-X1），应延长预备期或取消预备党员资格");
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

/* ---- counts (org_stats, subtree-inclusive) --------------------------------------------------------------- */

struct snapshot {
	bool counted;       /* active and not deleted */
	bool full;
	char path[DJ_PATH_MAX];
};

static const char Q_SNAPSHOT[] =
	"SELECT org_path, category, status, deleted_at IS NOT NULL FROM members WHERE id = ?";
static const char Q_STATS_ADJ[] =
	"INSERT INTO org_stats(org_id, members_full, members_probationary) VALUES (?, ?, ?)"
	" ON CONFLICT(org_id) DO UPDATE SET members_full = members_full + excluded.members_full,"
	" members_probationary = members_probationary + excluded.members_probationary";

static dj_rc snapshot(struct dj_db_conn *c, int64_t id, struct snapshot *s)
{
	struct dj_stmt *st;
	memset(s, 0, sizeof(*s));
	dj_rc rc = dj_db_prepare(c, Q_SNAPSHOT, &st);
	if (rc)
		return rc;
	dj_stmt_bind_int(st, 1, id);
	if (dj_stmt_step(st) == DJ_ROW) {
		snprintf(s->path, sizeof(s->path), "%s", dj_stmt_text(st, 0));
		const char *cat = dj_stmt_text(st, 1), *status = dj_stmt_text(st, 2);
		s->full = cat && strcmp(cat, "full") == 0;
		s->counted = status && strcmp(status, "active") == 0 && !dj_stmt_int(st, 3);
	}
	dj_stmt_reset(st);
	return DJ_OK;
}

/* Add sign × the member to every org on its path (the counts include descendants); sign is ±1,
 * or the number of members of one org and category from a bulk writer (dj_member_counts_add). */
static dj_rc adjust(struct dj_db_conn *c, const struct snapshot *s, int64_t sign)
{
	if (!s->counted)
		return DJ_OK;
	const char *p = s->path;
	while (*p == '/') {
		int64_t id = 0;
		p++;
		while (*p >= '0' && *p <= '9')
			id = id * 10 + (*p++ - '0');
		if (!id)
			break;
		struct dj_stmt *st;
		dj_rc rc = dj_db_prepare(c, Q_STATS_ADJ, &st);
		if (rc)
			return rc;
		dj_stmt_bind_int(st, 1, id);
		dj_stmt_bind_int(st, 2, s->full ? sign : 0);
		dj_stmt_bind_int(st, 3, s->full ? 0 : sign);
		if ((rc = dj_stmt_exec(st)))
			return rc;
	}
	return DJ_OK;
}

void dj_member_count_kind(const struct dj_value *vals, bool *counted, bool *full)
{
	const struct dj_value *cat = fv((struct dj_value *)(uintptr_t)vals, "category");
	const struct dj_value *st = fv((struct dj_value *)(uintptr_t)vals, "status");
	/* as snapshot() reads them back from a new row */
	*full = present(cat) && strcmp(cat->s, "full") == 0;
	*counted = present(st) && strcmp(st->s, "active") == 0;
}

dj_rc dj_member_counts_add(struct dj_db_conn *c, const char *org_path, bool full, int64_t n)
{
	struct snapshot s = { true, full, "" };
	if (!n)
		return DJ_OK;
	snprintf(s.path, sizeof(s.path), "%s", org_path);
	return adjust(c, &s, n);
}

/* A member's 党小组 is a group directly under the member's own org (ORG-13). */
static dj_rc check_group(const struct dj_model_ctx *x, const struct dj_value *vals, const struct dj_value *cur,
			 struct dj_model_err *err)
{
	const struct dj_value *g = eff((struct dj_value *)(uintptr_t)vals, cur, "party_group_id");
	const struct dj_value *o = eff((struct dj_value *)(uintptr_t)vals, cur, "org_id");
	struct dj_stmt *s;
	if (!present(g))
		return DJ_OK;
	dj_rc rc = dj_db_prepare(x->c, "SELECT 1 FROM orgs WHERE id = ? AND kind = 'group' AND parent_id = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, g->i);
	dj_stmt_bind_int(s, 2, o->i);
	rc = dj_stmt_step(s);
	dj_stmt_reset(s);
	if (rc != DJ_ROW) {
		errf(err, "party_group_id", "所在党小组须是该党员所在党组织下设的党小组");
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

dj_rc dj_member_create(const struct dj_model_ctx *x, struct dj_value *vals, int64_t *id, struct dj_model_err *err)
{
	struct snapshot after;
	dj_rc rc = dj_member_check(vals, NULL, x->a, err);
	if (!rc)
		rc = check_group(x, vals, NULL, err);
	if (!rc)
		rc = dj_model_insert(x, &dj_member_entity, vals, id, err);
	if (!rc)
		rc = snapshot(x->c, *id, &after);
	if (!rc)
		rc = adjust(x->c, &after, +1);
	return rc;
}

/* Stored values of a member, for the rules of a PATCH. */
static dj_rc load_current(const struct dj_model_ctx *x, int64_t id, struct dj_value *cur)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	json_error_t je;
	dj_jw_init(&w, &sb);
	dj_rc rc = dj_model_get(x, &dj_member_entity, id, false, &w);
	if (rc) {
		dj_strbuf_release(&sb);
		return rc;
	}
	json_t *o = json_loadb(sb.buf, sb.len, 0, &je);
	dj_strbuf_release(&sb);
	memset(cur, 0, sizeof(*cur) * dj_member_entity.nfields);
	for (size_t i = 0; o && i < dj_member_entity.nfields; i++) {
		json_t *v = json_object_get(o, dj_member_entity.fields[i].name);
		if (!v || json_is_null(v))
			continue;
		cur[i].set = true;
		if (json_is_string(v))
			cur[i].s = dj_arena_strdup(x->a, json_string_value(v));
		else if (json_is_integer(v))
			cur[i].i = (int64_t)json_integer_value(v);
		else if (json_is_boolean(v))
			cur[i].i = json_is_true(v);
	}
	json_decref(o);
	return o ? DJ_OK : DJ_ERR_INTERNAL;
}

dj_rc dj_member_update(const struct dj_model_ctx *x, int64_t id, struct dj_value *vals, struct dj_model_err *err)
{
	struct dj_value cur[64];
	struct snapshot before, after;
	dj_rc rc = load_current(x, id, cur);
	if (rc)
		return rc;
	/* The stored 身份证号 is masked in cur; only a new one is checked and re-derived. */
	cur[dj_model_field(&dj_member_entity, "id_number")].set = false;
	if ((rc = dj_member_check(vals, cur, x->a, err)) || (rc = check_group(x, vals, cur, err)))
		return rc;
	if ((rc = snapshot(x->c, id, &before)) || (rc = dj_model_update(x, &dj_member_entity, id, vals, err)) ||
	    (rc = snapshot(x->c, id, &after)))
		return rc;
	if ((rc = adjust(x->c, &before, -1)))
		return rc;
	return adjust(x->c, &after, +1);
}

dj_rc dj_member_delete(const struct dj_model_ctx *x, int64_t id, const char *reason)
{
	struct snapshot before;
	dj_rc rc = snapshot(x->c, id, &before);
	if (!rc)
		rc = dj_model_delete(x, &dj_member_entity, id, reason);
	if (!rc)
		rc = adjust(x->c, &before, -1);
	return rc;
}

dj_rc dj_member_audit_reveal(const struct dj_model_ctx *x, int64_t id)
{
	const char *path = NULL;
	dj_rc rc = dj_model_row_path(x, &dj_member_entity, id, &path);
	if (rc)
		return rc;
	struct dj_audit_entry e = { "member.reveal", "member", id, path, NULL, "{\"fields\":[\"id_number\",\"phone\"]}" };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_member_recount(struct dj_db_conn *c)
{
	/* Each org's count includes its descendants: join members to every ancestor by path prefix. */
	static const char Q_RESET[] = "DELETE FROM org_stats";
	static const char Q_FILL[] =
		"INSERT INTO org_stats(org_id, members_full, members_probationary)"
		" SELECT o.id, COALESCE(SUM(m.category = 'full'), 0), COALESCE(SUM(m.category = 'probationary'), 0)"
		" FROM orgs o JOIN members m ON m.org_path >= o.path AND m.org_path < substr(o.path, 1, length(o.path) - 1) || '0'"
		" WHERE m.status = 'active' AND m.deleted_at IS NULL GROUP BY o.id";
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, Q_RESET, &s);
	if (!rc)
		rc = dj_stmt_exec(s);
	if (!rc)
		rc = dj_db_prepare(c, Q_FILL, &s);
	if (!rc)
		rc = dj_stmt_exec(s);
	return rc;
}

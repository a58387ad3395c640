/* member.c — the member register: descriptors, 身份证号 and date rules, and the per-org counts. */
#include <stdio.h>
#include <stdlib.h>
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

/* ---- counts (org_stats and org_member_facets, subtree-inclusive) ----------------------------------------- */

const char *const dj_member_facet_names[DJ_MF_N] = { "cat", "sex", "bm", "bd", "edu", "occ", "per", "jm" };

/* STAT-3 入党时间 (RULES.md §9 boundaries 🟡). */
const struct dj_member_join_period dj_member_join_periods[DJ_MEMBER_JOIN_PERIODS] = {
	{ "before_1949_10", "新中国成立前", "0000-00-00" },
	{ "to_1978_12", "新中国成立后至十一届三中全会前", "1949-10-01" },
	{ "to_2012_11", "十一届三中全会后至党的十八大前", "1978-12-18" },
	{ "since_2012_11", "党的十八大以来", "2012-11-08" },
};

static const char Q_FACTS[] = "SELECT org_path, status, deleted_at IS NOT NULL, sex, birth_date, category, education,"
			      " occupation, joined_on FROM members WHERE id = ?";
static const char Q_STATS_ADJ[] =
	"INSERT INTO org_stats(org_id, members_full, members_probationary) VALUES (?, ?, ?)"
	" ON CONFLICT(org_id) DO UPDATE SET members_full = members_full + excluded.members_full,"
	" members_probationary = members_probationary + excluded.members_probationary";
static const char Q_FACET_ADJ[] = "INSERT INTO org_member_facets(org_id, dim, key, n) VALUES (?, ?, ?, ?)"
				  " ON CONFLICT(org_id, dim, key) DO UPDATE SET n = n + excluded.n";
static const char Q_FACET_MOVE[] =
	"INSERT INTO org_member_facets(org_id, dim, key, n) SELECT ?, dim, key, ? * n FROM org_member_facets"
	" WHERE org_id = ? AND n <> 0 ON CONFLICT(org_id, dim, key) DO UPDATE SET n = n + excluded.n";
static const char Q_STATS_OF[] = "SELECT members_full, members_probationary FROM org_stats WHERE org_id = ?";

static void setkey(struct dj_member_facts *f, int dim, const char *v)
{
	size_t n = strlen(v);
	if (n < DJ_MF_KEY_MAX)
		memcpy(f->key[dim], v, n + 1);
}

void dj_member_facts_set(struct dj_member_facts *f, const char *org_path, const char *status, bool deleted,
			 const char *sex, const char *birth_date, const char *category, const char *education,
			 const char *occupation, const char *joined_on)
{
	struct dj_date b;
	char day[11];
	memset(f, 0, sizeof(*f));
	f->counted = org_path && status && strcmp(status, "active") == 0 && !deleted;
	if (!f->counted)
		return;
	snprintf(f->path, sizeof(f->path), "%s", org_path);
	setkey(f, DJ_MF_CAT, !category ? "other" : strcmp(category, "full") == 0 ? "full"
				 : strcmp(category, "probationary") == 0 ? "probationary" : "other");
	const char *sx = sex && strcmp(sex, "1") == 0 ? "1" : sex && strcmp(sex, "2") == 0 ? "2" : "0";
	setkey(f, DJ_MF_SEX, sx);
	/* Day granularity: an age in 周岁 turns on the birthday (S-7), so no coarser bucket is exact. */
	if (birth_date && dj_date_parse(birth_date, strlen(birth_date), &b) == DJ_OK) {
		dj_date_format(b, day);
		snprintf(f->key[DJ_MF_BIRTH_DAY], DJ_MF_KEY_MAX, "%s|%s", day, sx);
		snprintf(f->key[DJ_MF_BIRTH_MONTH], DJ_MF_KEY_MAX, "%.7s|%s", day, sx);
	}
	setkey(f, DJ_MF_EDU, education ? education : "unknown");
	setkey(f, DJ_MF_OCC, occupation ? occupation : "unknown");
	/* The band whose first day is the last one not after joined_on (text order, as stored). */
	int p = DJ_MEMBER_JOIN_PERIODS;
	if (joined_on)
		while (p > 0 && strcmp(joined_on, dj_member_join_periods[p - 1].from) < 0)
			p--;
	if (joined_on && p > 0)
		snprintf(f->key[DJ_MF_PERIOD], DJ_MF_KEY_MAX, "%d", p - 1);
	else
		setkey(f, DJ_MF_PERIOD, "u");
	/* A prefix: joined_on > as_of implies its first 7 bytes >= those of as_of (org_stats.c). */
	if (joined_on)
		snprintf(f->key[DJ_MF_JOIN_MONTH], DJ_MF_KEY_MAX, "%.7s", joined_on);
}

dj_rc dj_member_facts_load(struct dj_db_conn *c, int64_t id, struct dj_member_facts *f)
{
	struct dj_stmt *st;
	memset(f, 0, sizeof(*f));
	dj_rc rc = dj_db_prepare(c, Q_FACTS, &st);
	if (rc)
		return rc;
	dj_stmt_bind_int(st, 1, id);
	if (dj_stmt_step(st) == DJ_ROW)
		dj_member_facts_set(f, dj_stmt_text(st, 0), dj_stmt_text(st, 1), dj_stmt_int(st, 2) != 0,
				    dj_stmt_text(st, 3), dj_stmt_text(st, 4), dj_stmt_text(st, 5), dj_stmt_text(st, 6),
				    dj_stmt_text(st, 7), dj_stmt_text(st, 8));
	dj_stmt_reset(st);
	return DJ_OK;
}

struct dj_member_count_ent {
	int64_t org, n;
	int dim; /* -1: free slot */
	char key[DJ_MF_KEY_MAX];
};

static uint64_t ent_hash(int64_t org, int dim, const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)org * 0x9E3779B97F4A7C15ULL ^ (uint64_t)dim;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static void ents_clear(struct dj_member_count_ent *e, size_t cap)
{
	for (size_t i = 0; i < cap; i++)
		e[i].dim = -1;
}

/* The slot of (org, dim, key), created with n = 0; the table stays at most half full. */
static struct dj_member_count_ent *ent_get(struct dj_member_counts *acc, int64_t org, int dim, const char *key)
{
	if ((acc->n + 1) * 2 > acc->cap) {
		struct dj_member_count_ent *old = acc->e;
		size_t ocap = acc->cap;
		acc->cap = ocap ? ocap * 2 : 64;
		acc->e = dj_malloc(acc->cap * sizeof(*acc->e));
		ents_clear(acc->e, acc->cap);
		acc->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].dim >= 0)
				*ent_get(acc, old[i].org, old[i].dim, old[i].key) = old[i];
		dj_free(old);
	}
	size_t mask = acc->cap - 1, i = (size_t)ent_hash(org, dim, key) & mask;
	for (;; i = (i + 1) & mask) {
		struct dj_member_count_ent *e = &acc->e[i];
		if (e->dim < 0) {
			e->org = org;
			e->dim = dim;
			e->n = 0;
			size_t kl = strnlen(key, sizeof(e->key) - 1);
			memcpy(e->key, key, kl);
			e->key[kl] = '\0';
			acc->n++;
			return e;
		}
		if (e->org == org && e->dim == dim && strcmp(e->key, key) == 0)
			return e;
	}
}

/* sign × f for org (0 = the org is implied, as in recount's per-level tables). */
static void add_facts(struct dj_member_counts *acc, int64_t org, const struct dj_member_facts *f, int64_t sign)
{
	for (int d = 0; d < DJ_MF_N; d++)
		if (f->key[d][0])
			ent_get(acc, org, d, f->key[d])->n += sign;
}

struct dj_member_count_leaf {
	int64_t id; /* 0: free slot */
	char path[DJ_PATH_MAX];
};

/* Remember org id's path (the table stays at most half full). */
static void leaf_put(struct dj_member_counts *acc, int64_t id, const char *path)
{
	if ((acc->leaf_n + 1) * 2 > acc->leaf_cap) {
		struct dj_member_count_leaf *old = acc->leaf;
		size_t ocap = acc->leaf_cap;
		acc->leaf_cap = ocap ? ocap * 2 : 16;
		acc->leaf = dj_calloc(acc->leaf_cap, sizeof(*acc->leaf));
		acc->leaf_n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].id)
				leaf_put(acc, old[i].id, old[i].path);
		dj_free(old);
	}
	size_t mask = acc->leaf_cap - 1, i = (size_t)ent_hash(id, 0, "") & mask;
	for (; acc->leaf[i].id; i = (i + 1) & mask)
		if (acc->leaf[i].id == id)
			return;
	acc->leaf[i].id = id;
	snprintf(acc->leaf[i].path, sizeof(acc->leaf[i].path), "%s", path);
	acc->leaf_n++;
}

static const char *leaf_path(const struct dj_member_counts *acc, int64_t id)
{
	size_t mask = acc->leaf_cap - 1, i = (size_t)ent_hash(id, 0, "") & mask;
	for (; acc->leaf_cap && acc->leaf[i].id; i = (i + 1) & mask)
		if (acc->leaf[i].id == id)
			return acc->leaf[i].path;
	return NULL;
}

/* Recorded at the member's own org (the last on its path); the flush carries it up. */
static void add_path(struct dj_member_counts *acc, const struct dj_member_facts *f, int64_t sign)
{
	int64_t ids[DJ_PATH_MAX / 2];
	if (!f || !f->counted)
		return;
	size_t n = dj_path_ids(f->path, ids, sizeof(ids) / sizeof(ids[0]));
	if (!n)
		return;
	leaf_put(acc, ids[n - 1], f->path);
	add_facts(acc, ids[n - 1], f, sign);
}

/* Each org's deltas, as recorded so far, also to every org above it on its path. */
static void carry_up(struct dj_member_counts *acc)
{
	int64_t ids[DJ_PATH_MAX / 2];
	size_t m = 0;
	struct dj_member_count_ent *own = dj_malloc((acc->n ? acc->n : 1) * sizeof(*own));
	for (size_t i = 0; i < acc->cap; i++)
		if (acc->e[i].dim >= 0 && acc->e[i].n)
			own[m++] = acc->e[i];
	for (size_t i = 0; i < m; i++) {
		size_t n = dj_path_ids(leaf_path(acc, own[i].org), ids, sizeof(ids) / sizeof(ids[0]));
		for (size_t k = 0; k + 1 < n; k++)
			ent_get(acc, ids[k], own[i].dim, own[i].key)->n += own[i].n;
	}
	dj_free(own);
}

void dj_member_counts_add(struct dj_member_counts *acc, const struct dj_member_facts *before,
			  const struct dj_member_facts *after)
{
	if (before && after && memcmp(before, after, sizeof(*before)) == 0)
		return; /* nothing counted changed (facts are zero-filled, so memcmp is exact) */
	add_path(acc, before, -1);
	add_path(acc, after, +1);
}

static dj_rc stats_adj(struct dj_db_conn *c, int64_t org, int64_t full, int64_t prob)
{
	struct dj_stmt *st;
	dj_rc rc = dj_db_prepare(c, Q_STATS_ADJ, &st);
	if (rc)
		return rc;
	dj_stmt_bind_int(st, 1, org);
	dj_stmt_bind_int(st, 2, full);
	dj_stmt_bind_int(st, 3, prob);
	return dj_stmt_exec(st);
}

/* The facet table's key order (org_id, dim, key): a flush in that order walks its B-tree once. */
static int ent_cmp(const void *a, const void *b)
{
	const struct dj_member_count_ent *x = *(const struct dj_member_count_ent *const *)a;
	const struct dj_member_count_ent *y = *(const struct dj_member_count_ent *const *)b;
	int d;
	if (x->org != y->org)
		return x->org < y->org ? -1 : 1;
	if (x->dim != y->dim && (d = strcmp(dj_member_facet_names[x->dim], dj_member_facet_names[y->dim])))
		return d;
	return strcmp(x->key, y->key);
}

void dj_member_counts_seal(struct dj_member_counts *acc)
{
	size_t m = 0;
	if (acc->sorted)
		return;
	carry_up(acc);
	acc->sorted = dj_malloc((acc->n ? acc->n : 1) * sizeof(const struct dj_member_count_ent *));
	for (size_t i = 0; i < acc->cap; i++)
		if (acc->e[i].dim >= 0 && acc->e[i].n)
			acc->sorted[m++] = &acc->e[i];
	qsort(acc->sorted, m, sizeof(const struct dj_member_count_ent *), ent_cmp);
	acc->nsorted = m;
}

dj_rc dj_member_counts_flush(struct dj_member_counts *acc, struct dj_db_conn *c)
{
	dj_rc rc = DJ_OK;
	struct dj_stmt *st = NULL;
	dj_member_counts_seal(acc);
	const struct dj_member_count_ent **v = acc->sorted;
	size_t m = acc->nsorted;
	for (size_t i = 0; i < m && !rc; i++) {
		const struct dj_member_count_ent *e = v[i];
		if (!st && (rc = dj_db_prepare(c, Q_FACET_ADJ, &st)))
			break;
		dj_stmt_bind_int(st, 1, e->org);
		dj_stmt_bind_text(st, 2, dj_member_facet_names[e->dim]);
		dj_stmt_bind_text(st, 3, e->key);
		dj_stmt_bind_int(st, 4, e->n);
		rc = dj_stmt_exec(st);
		if (!rc && e->dim == DJ_MF_CAT && strcmp(e->key, "other") != 0) {
			st = NULL; /* stats_adj prepares on the same connection's cache */
			rc = stats_adj(c, e->org, strcmp(e->key, "full") == 0 ? e->n : 0,
				       strcmp(e->key, "full") == 0 ? 0 : e->n);
		}
	}
	dj_free(v);
	acc->sorted = NULL;
	acc->nsorted = 0;
	ents_clear(acc->e, acc->cap);
	acc->n = 0;
	if (acc->leaf)
		memset(acc->leaf, 0, acc->leaf_cap * sizeof(*acc->leaf));
	acc->leaf_n = 0;
	return rc;
}

void dj_member_counts_release(struct dj_member_counts *acc)
{
	dj_free(acc->e);
	dj_free(acc->leaf);
	dj_free(acc->sorted);
	*acc = (struct dj_member_counts)DJ_MEMBER_COUNTS_INIT;
}

/* A single write: its delta applied at once. */
static dj_rc recount_one(struct dj_db_conn *c, const struct dj_member_facts *before,
			 const struct dj_member_facts *after)
{
	struct dj_member_counts acc = DJ_MEMBER_COUNTS_INIT;
	dj_member_counts_add(&acc, before, after);
	dj_rc rc = dj_member_counts_flush(&acc, c);
	dj_member_counts_release(&acc);
	return rc;
}

dj_rc dj_member_counts_move(struct dj_db_conn *c, int64_t org_id, const char *old_parent_path,
			    const char *new_parent_path)
{
	int64_t ids[DJ_PATH_MAX / 2], full = 0, prob = 0;
	struct dj_stmt *st;
	dj_rc rc = dj_db_prepare(c, Q_STATS_OF, &st);
	if (rc)
		return rc;
	dj_stmt_bind_int(st, 1, org_id);
	if (dj_stmt_step(st) == DJ_ROW) {
		full = dj_stmt_int(st, 0);
		prob = dj_stmt_int(st, 1);
	}
	dj_stmt_reset(st);
	for (int pass = 0; pass < 2; pass++) {
		int sign = pass ? +1 : -1;
		size_t n = dj_path_ids(pass ? new_parent_path : old_parent_path, ids, sizeof(ids) / sizeof(ids[0]));
		for (size_t i = 0; i < n; i++) {
			if ((rc = stats_adj(c, ids[i], sign * full, sign * prob)) || (rc = dj_db_prepare(c, Q_FACET_MOVE, &st)))
				return rc;
			dj_stmt_bind_int(st, 1, ids[i]);
			dj_stmt_bind_int(st, 2, sign);
			dj_stmt_bind_int(st, 3, org_id);
			if ((rc = dj_stmt_exec(st)))
				return rc;
		}
	}
	return DJ_OK;
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
	struct dj_member_facts after;
	dj_rc rc = dj_member_check(vals, NULL, x->a, err);
	if (!rc)
		rc = check_group(x, vals, NULL, err);
	if (!rc)
		rc = dj_model_insert(x, &dj_member_entity, vals, id, err);
	if (!rc)
		rc = dj_member_facts_load(x->c, *id, &after);
	if (!rc)
		rc = recount_one(x->c, NULL, &after);
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
	struct dj_member_facts before, after;
	dj_rc rc = load_current(x, id, cur);
	if (rc)
		return rc;
	/* The stored 身份证号 is masked in cur; only a new one is checked and re-derived. */
	cur[dj_model_field(&dj_member_entity, "id_number")].set = false;
	if ((rc = dj_member_check(vals, cur, x->a, err)) || (rc = check_group(x, vals, cur, err)))
		return rc;
	if ((rc = dj_member_facts_load(x->c, id, &before)) || (rc = dj_model_update(x, &dj_member_entity, id, vals, err)) ||
	    (rc = dj_member_facts_load(x->c, id, &after)))
		return rc;
	return recount_one(x->c, &before, &after);
}

dj_rc dj_member_delete_counted(const struct dj_model_ctx *x, int64_t id, const char *reason,
			       struct dj_member_counts *acc)
{
	struct dj_member_facts before;
	dj_rc rc = dj_member_facts_load(x->c, id, &before);
	if (!rc)
		rc = dj_model_delete(x, &dj_member_entity, id, reason);
	if (!rc)
		dj_member_counts_add(acc, &before, NULL);
	return rc;
}

dj_rc dj_member_delete(const struct dj_model_ctx *x, int64_t id, const char *reason)
{
	struct dj_member_counts acc = DJ_MEMBER_COUNTS_INIT;
	dj_rc rc = dj_member_delete_counted(x, id, reason, &acc);
	if (!rc)
		rc = dj_member_counts_flush(&acc, x->c);
	dj_member_counts_release(&acc);
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

/* One open org of the recount's walk: its figures so far (org 0 in its table). */
struct level {
	int64_t id;
	struct dj_member_counts m;
};

/* Write the org's rows, add its figures to its parent's (parent may be NULL), empty it. */
static dj_rc close_level(struct dj_db_conn *c, struct level *l, struct level *parent)
{
	static const char Q_FACET_INS[] = "INSERT INTO org_member_facets(org_id, dim, key, n) VALUES (?, ?, ?, ?)";
	static const char Q_STATS_INS[] = "INSERT INTO org_stats(org_id, members_full, members_probationary) VALUES (?, ?, ?)";
	int64_t full = 0, prob = 0;
	dj_rc rc = DJ_OK;
	for (size_t i = 0; i < l->m.cap && !rc; i++) {
		const struct dj_member_count_ent *e = &l->m.e[i];
		struct dj_stmt *st;
		if (e->dim < 0 || !e->n)
			continue;
		if (e->dim == DJ_MF_CAT && strcmp(e->key, "full") == 0)
			full = e->n;
		if (e->dim == DJ_MF_CAT && strcmp(e->key, "probationary") == 0)
			prob = e->n;
		if (parent)
			ent_get(&parent->m, 0, e->dim, e->key)->n += e->n;
		if (!(rc = dj_db_prepare(c, Q_FACET_INS, &st))) {
			dj_stmt_bind_int(st, 1, l->id);
			dj_stmt_bind_text(st, 2, dj_member_facet_names[e->dim]);
			dj_stmt_bind_text(st, 3, e->key);
			dj_stmt_bind_int(st, 4, e->n);
			rc = dj_stmt_exec(st);
		}
	}
	if (!rc && (full || prob)) {
		struct dj_stmt *st;
		if (!(rc = dj_db_prepare(c, Q_STATS_INS, &st))) {
			dj_stmt_bind_int(st, 1, l->id);
			dj_stmt_bind_int(st, 2, full);
			dj_stmt_bind_int(st, 3, prob);
			rc = dj_stmt_exec(st);
		}
	}
	ents_clear(l->m.e, l->m.cap);
	l->m.n = 0;
	return rc;
}

dj_rc dj_member_recount(struct dj_db_conn *c)
{
	/* Ordered by the org's path, every subtree's members are contiguous and come after the
	 * subtree's root: one pass, each org's figures merged into its parent's when it closes.
	 * Linear in members plus the rows written (the old range join was orgs × members). */
	static const char Q_MEMBERS_BY_PATH[] =
		"SELECT o.path, m.sex, m.birth_date, m.category, m.education, m.occupation, m.joined_on"
		" FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.status = 'active' AND m.deleted_at IS NULL"
		" ORDER BY o.path";
	struct level stack[DJ_PATH_MAX / 2];
	int64_t ids[DJ_PATH_MAX / 2];
	size_t depth = 0, nstack = sizeof(stack) / sizeof(stack[0]);
	struct dj_member_facts f;
	struct dj_stmt *st;
	dj_rc rc;
	for (size_t i = 0; i < nstack; i++)
		stack[i].m = (struct dj_member_counts)DJ_MEMBER_COUNTS_INIT;
	if ((rc = dj_db_exec_sql(c, "DELETE FROM org_stats; DELETE FROM org_member_facets;")) ||
	    (rc = dj_db_prepare(c, Q_MEMBERS_BY_PATH, &st)))
		goto out;
	while ((rc = dj_stmt_step(st)) == DJ_ROW) {
		const char *path = dj_stmt_text(st, 0);
		size_t n = dj_path_ids(path, ids, nstack), keep = 0;
		dj_rc wrc = DJ_OK;
		while (keep < depth && keep < n && stack[keep].id == ids[keep])
			keep++;
		while (depth > keep && !wrc) {
			depth--;
			wrc = close_level(c, &stack[depth], depth ? &stack[depth - 1] : NULL);
		}
		if (wrc) {
			rc = wrc;
			break;
		}
		for (; depth < n; depth++)
			stack[depth].id = ids[depth];
		if (!n)
			continue;
		dj_member_facts_set(&f, path, "active", false, dj_stmt_text(st, 1), dj_stmt_text(st, 2),
				    dj_stmt_text(st, 3), dj_stmt_text(st, 4), dj_stmt_text(st, 5), dj_stmt_text(st, 6));
		add_facts(&stack[n - 1].m, 0, &f, 1);
	}
	dj_stmt_reset(st);
	if (rc != DJ_DONE)
		goto out;
	rc = DJ_OK;
	while (depth > 0 && !rc) {
		depth--;
		rc = close_level(c, &stack[depth], depth ? &stack[depth - 1] : NULL);
	}
out:
	for (size_t i = 0; i < nstack; i++)
		dj_member_counts_release(&stack[i].m);
	return rc;
}

/* demo_members.c — the demo county's people: ~16,565 members with valid 身份证号, plausible names,
 * age, sex, education and occupation by sector, and committees (some terms expired, some missing). */
#include <stdio.h>
#include <string.h>
#include "dj/date.h"
#include "dj/demo.h"
#include "dj/idnum.h"
#include "dj/member.h"
#include "dj/org.h"
#include "dj/banned.h"

struct rng {
	uint64_t s;
};
static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}
static int pick(struct rng *r, int n)
{
	return (int)(next(r) % (uint64_t)n);
}
/* Index into weights (percent-ish integers). */
static int weighted(struct rng *r, const int *w, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	int x = pick(r, total);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
					"朱", "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许",
					"韩", "邓", "冯", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋",
					"余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "姚", "卢",
					"傅", "钟", "姜", "崔", "谭", "廖", "范", "汪", "陆", "金", "石", "戴", "贾" };
static const char *const given_m[] = { "伟", "强", "军", "勇", "杰", "涛", "明", "超", "华", "建国", "建华", "国强",
				       "志强", "志明", "海", "波", "辉", "刚", "平", "斌", "鹏", "宇", "浩", "磊",
				       "德明", "永胜", "红军", "卫东", "新民", "家宝", "文", "林", "峰", "亮" };
static const char *const given_f[] = { "芳", "娟", "敏", "静", "丽", "艳", "娜", "霞", "玲", "秀英", "桂英", "秀兰",
				       "玉兰", "红梅", "小红", "丹", "萍", "慧", "婷", "雪", "琳", "洁", "燕", "春梅",
				       "海燕", "晓燕", "佳", "悦", "欣", "颖" };

/* Members per branch by sector, and that sector's people. */
struct profile {
	const char *sector;
	int min, max;       /* members per branch */
	int male_pct;
	int age_lo, age_hi; /* typical ages */
	const char *occupation;
	int edu_w[11];      /* weights over education codes below */
	const char *unit;
};
static const char *const edu_codes[] = { "11", "14", "21", "31", "41", "44", "47", "61", "71", "81", "90" };
static const struct profile profiles[] = {
	{ "rural", 14, 40, 76, 24, 88, "farmer", { 0, 0, 3, 8, 6, 2, 1, 20, 40, 18, 2 }, NULL },
	{ "community", 14, 32, 48, 25, 85, "other", { 0, 1, 12, 18, 8, 2, 1, 22, 26, 9, 1 }, NULL },
	{ "government", 10, 26, 62, 23, 59, "official", { 1, 8, 55, 28, 4, 0, 0, 3, 1, 0, 0 }, "镇人民政府" },
	{ "school", 9, 28, 45, 23, 59, "professional", { 0, 10, 62, 22, 4, 0, 0, 2, 0, 0, 0 }, "学校" },
	{ "hospital", 9, 30, 42, 23, 59, "professional", { 1, 8, 48, 32, 9, 0, 0, 2, 0, 0, 0 }, "医院" },
	{ "private", 3, 12, 66, 22, 58, "worker", { 0, 1, 14, 24, 10, 5, 4, 26, 14, 2, 0 }, "公司" },
	{ "social_org", 3, 8, 50, 24, 65, "manager", { 0, 2, 30, 30, 8, 2, 0, 18, 8, 2, 0 }, "协会" },
};

static const struct profile *profile_for(const char *sector, const char *name)
{
	if (strstr(name, "离退休"))
		return NULL;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (sector && strcmp(profiles[i].sector, sector) == 0)
			return &profiles[i];
	return &profiles[2];
}
static const struct profile retired = { "retired", 18, 45, 64, 60, 92, "retired", { 0, 2, 30, 30, 12, 0, 0, 16, 8, 2, 0 }, NULL };

struct branch {
	int64_t id;
	char sector[16], name[128];
};

static const char Q_BRANCHES[] =
	"SELECT o.id, COALESCE(o.sector, ''), o.name FROM orgs o WHERE o.kind IN ('branch', 'joint_branch')"
	" OR (o.kind IN ('committee', 'general_branch') AND o.sector IN ('rural', 'community')"
	" AND NOT EXISTS (SELECT 1 FROM orgs c WHERE c.parent_id = o.id AND c.kind <> 'group')) ORDER BY o.id";
static const char Q_FULL_OF[] =
	"SELECT id, name FROM members WHERE org_id = ? AND category = 'full' ORDER BY converted_on, id LIMIT 5";
static const char Q_LINK_USER[] = "UPDATE users SET member_id = ? WHERE username = ?";

static dj_rc add_member(const struct dj_model_ctx *x, struct rng *r, const struct branch *b, const struct profile *p,
			int64_t *seq, struct dj_date today, int64_t *id_out)
{
	struct dj_value vals[64];
	struct dj_model_err err = { 0 };
	char idn[40], name[32], birth[11], joined[11], conv[11], phone[16], unit[200];
	memset(vals, 0, sizeof(vals));
#define SET_S(fname, val)                                              \
	do {                                                               \
		int fi_ = dj_model_field(&dj_member_entity, fname);            \
		vals[fi_].set = true;                                          \
		vals[fi_].s = dj_arena_strdup(x->a, val);                      \
	} while (0)
	int male = pick(r, 100) < p->male_pct;
	int age = p->age_lo + pick(r, p->age_hi - p->age_lo + 1);
	if (pick(r, 5) == 0)
		age = p->age_lo + pick(r, (p->age_hi - p->age_lo) / 2 + 1); /* a younger tail */
	struct dj_date bd = { today.y - age - 1, 1 + pick(r, 12), 1 };
	bd.d = 1 + pick(r, dj_date_mdays(bd.y, bd.m));
	dj_date_format(bd, birth);
	for (int attempt = 0; attempt < 20; attempt++) {
		/* 身份证号: fictional county code 421299 + birth date + sequence (odd male) + check. */
		int s = (int)((*seq)++ % 499) * 2 + (male ? 1 : 0);
		snprintf(idn, sizeof(idn), "421299%04d%02d%02d%03d", bd.y % 10000, bd.m % 100, bd.d % 100, s % 1000);
		idn[17] = dj_idnum_check_char(idn);
		idn[18] = '\0';
		snprintf(name, sizeof(name), "%s%s", surnames[pick(r, sizeof(surnames) / sizeof(surnames[0]))],
			 male ? given_m[pick(r, sizeof(given_m) / sizeof(given_m[0]))]
			      : given_f[pick(r, sizeof(given_f) / sizeof(given_f[0]))]);
		memset(vals, 0, sizeof(vals));
		vals[dj_model_field(&dj_member_entity, "org_id")].set = true;
		vals[dj_model_field(&dj_member_entity, "org_id")].i = b->id;
		SET_S("name", name);
		SET_S("id_number", idn);
		SET_S("ethnicity", pick(r, 100) < 97 ? "01" : pick(r, 2) ? "15" : "06");
		SET_S("education", edu_codes[weighted(r, p->edu_w, 11)]);
		SET_S("occupation", p->occupation);
		/* joined at 20–45, not before 18; ~3% are still probationary (joined within a year). */
		int probationary = age < 45 && pick(r, 100) < 6;
		struct dj_date jd;
		if (probationary) {
			jd = dj_date_add_days(today, -(30 + pick(r, 300)));
		} else {
			int join_age = 19 + pick(r, age > 45 ? 26 : age - 19 > 1 ? age - 19 : 1);
			if (join_age >= age)
				join_age = age - 1;
			jd.y = bd.y + join_age;
			jd.m = 1 + pick(r, 12);
			jd.d = 1 + pick(r, 28);
			if (dj_date_cmp(dj_date_add_months(jd, 13), today) > 0)
				jd = dj_date_add_months(today, -14);
		}
		dj_date_format(jd, joined);
		SET_S("joined_on", joined);
		SET_S("category", probationary ? "probationary" : "full");
		if (!probationary) {
			dj_date_format(dj_date_add_months(jd, 12), conv); /* DEV-T6: probation end */
			SET_S("converted_on", conv);
		}
		snprintf(phone, sizeof(phone), "1%d%09d", 3 + pick(r, 6), pick(r, 1000000000));
		SET_S("phone", phone);
		if (p->unit) {
			/* "第3学校党支部" → "青山县第3学校"; office branches work for the township government. */
			snprintf(unit, sizeof(unit), "%s", b->name);
			char *cut = strstr(unit, "党支部");
			if (cut)
				*cut = '\0';
			if (!strcmp(p->sector, "government"))
				snprintf(unit, sizeof(unit), "%s", "镇人民政府");
			else if (!strstr(unit, p->unit))
				snprintf(unit + strlen(unit), sizeof(unit) - strlen(unit), "%s", p->unit);
			if (strcmp(p->sector, "government")) {
				char tmp[200];
				int k = snprintf(tmp, sizeof(tmp), "青山县%.150s", unit);
				if (k > 0 && (size_t)k < sizeof(tmp))
					memcpy(unit, tmp, (size_t)k + 1);
			}
			SET_S("work_unit", unit);
		}
		if (!strcmp(p->sector, "rural") && pick(r, 100) < 4) {
			vals[dj_model_field(&dj_member_entity, "is_hardship")].set = true;
			vals[dj_model_field(&dj_member_entity, "is_hardship")].i = 1;
		}
		if (pick(r, 100) < 3) {
			vals[dj_model_field(&dj_member_entity, "is_mobile")].set = true;
			vals[dj_model_field(&dj_member_entity, "is_mobile")].i = 1;
		}
		dj_rc rc = dj_member_create(x, vals, id_out, &err);
		if (rc != DJ_ERR_CONFLICT)
			return rc; /* a rare repeated 身份证号: try another sequence */
	}
#undef SET_S
	return DJ_ERR_CONFLICT;
}

/* A committee from the branch's longest-standing full members; some terms already expired. */
static dj_rc add_committee(const struct dj_model_ctx *x, struct rng *r, const struct branch *b, int full)
{
	struct dj_stmt *s;
	json_t *body = json_object(), *members = json_array();
	static const char *const posts[] = { "secretary", "organization_member", "publicity_member", "discipline_member",
					     "deputy_secretary" };
	int size = full >= 7 ? 3 + pick(r, 3) : 1;
	dj_rc rc = dj_db_prepare(x->c, Q_FULL_OF, &s);
	if (rc)
		goto out;
	dj_stmt_bind_int(s, 1, b->id);
	for (int i = 0; i < size && dj_stmt_step(s) == DJ_ROW; i++) {
		json_t *m = json_object();
		json_object_set_new(m, "member_id", json_integer(dj_stmt_int(s, 0)));
		json_object_set_new(m, "name", json_string(dj_stmt_text(s, 1)));
		json_object_set_new(m, "post", json_string(posts[i]));
		json_array_append_new(members, m);
	}
	dj_stmt_reset(s);
	if (json_array_size(members) == 0)
		goto out;
	struct dj_date start = dj_date_today();
	start = dj_date_add_months(start, -(6 + pick(r, 66))); /* 0.5–6 years ago */
	char sd[11];
	json_object_set_new(body, "started_on", json_string(dj_date_format(start, sd)));
	json_object_set_new(body, "term_no", json_integer(1 + pick(r, 9)));
	json_object_set_new(body, "election_method", json_string("党员大会选举"));
	json_object_set(body, "members", members);
	struct dj_model_err err;
	int64_t tid;
	rc = dj_committee_create(x, b->id, body, &tid, &err);
out:
	json_decref(members);
	json_decref(body);
	return rc;
}

dj_rc dj_demo_members(struct dj_db_conn *c, const struct dj_pii *pii, uint64_t seed, int64_t *count)
{
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_scope sc;
	struct dj_actor who = { 0, "demo", "local" };
	struct dj_model_ctx x = { c, &sc, &who, pii, &a };
	struct rng r = { seed ^ 0xD1B54A32D192ED03ULL };
	struct dj_stmt *s;
	struct branch *branches = NULL;
	size_t nb = 0, cap = 0;
	int64_t seq = 0, id, first_member = 0;
	struct dj_date today = dj_date_today();
	dj_rc rc;
	memset(&sc, 0, sizeof(sc));
	sc.role = DJ_ROLE_ADMIN;
	dj_scope_set_path(&sc, "/");
	*count = 0;
	if ((rc = dj_db_prepare(c, Q_BRANCHES, &s)))
		return rc;
	while (dj_stmt_step(s) == DJ_ROW) {
		if (nb == cap) {
			cap = cap ? cap * 2 : 256;
			branches = dj_realloc(branches, cap * sizeof(*branches));
		}
		branches[nb].id = dj_stmt_int(s, 0);
		snprintf(branches[nb].sector, sizeof(branches[nb].sector), "%s", dj_stmt_text(s, 1));
		snprintf(branches[nb].name, sizeof(branches[nb].name), "%s", dj_stmt_text(s, 2));
		nb++;
	}
	dj_stmt_reset(s);
	for (size_t i = 0; i < nb; i++) {
		const struct profile *p = profile_for(branches[i].sector, branches[i].name);
		if (!p)
			p = &retired;
		/* scaled so the county totals about 16,565 members, as in the 崇阳县 report */
		int n = (p->min + pick(&r, p->max - p->min + 1)) * 1762 / 1000;
		int full = 0;
		for (int k = 0; k < n; k++) {
			rc = add_member(&x, &r, &branches[i], p, &seq, today, &id);
			if (rc)
				goto out;
			if (!first_member)
				first_member = id;
			(*count)++;
			dj_arena_release(&a);
		}
		full = n; /* nearly all are full members */
		/* ~8% of branches that need a committee have none: the 软弱涣散 cases (ORG-7). */
		if (pick(&r, 100) >= 8 && (rc = add_committee(&x, &r, &branches[i], full)))
			goto out;
		dj_arena_release(&a);
	}
	/* The demo member account is a real member of the first township's first branch. */
	if ((rc = dj_db_prepare(c, Q_LINK_USER, &s)))
		goto out;
	dj_stmt_bind_int(s, 1, first_member);
	dj_stmt_bind_text(s, 2, "dangyuan");
	rc = dj_stmt_exec(s);
out:
	dj_free(branches);
	dj_arena_release(&a);
	return rc;
}

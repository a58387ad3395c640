/* demo_scale.c — synthetic province-scale data for benchmarks and sizing (`dangjian demo --scale`):
 * province → cities → counties → townships → villages, communities and branches → groups, with
 * members spread over the branches. Deterministic for a seed (dates relative to today). Built on a
 * bulk path: prepared INSERTs in a few big transactions, PII sealed like normal rows, no per-row
 * audit (one summary entry), org_stats and org_member_facets recomputed once at the end
 * (dj_member_recount, dj_org_kinds_recount). */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/demo.h"
#include "dj/idnum.h"
#include "dj/member.h"
#include "dj/org.h"
#include "dj/banned.h"

#define COUNTY_MEMBERS 39000    /* members per county: a province of 5M has ~128 counties */
#define COUNTIES_PER_CITY 8
#define MEMBERS_PER_ORG 20      /* 5M members → ~250k organizations */
#define TX_MEMBERS 1000000      /* members per transaction */
#define SPATH 64                /* paths here are at most "/1/23/456/7890/123456/1234567/" */

/* splitmix64, as in demo.c: small, fast and fully determined by the seed. */
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
	return n > 0 ? (int)(next(r) % (uint64_t)n) : 0;
}

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
					"朱", "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许",
					"韩", "邓", "冯", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋",
					"余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "姚", "卢" };
static const char *const given_m[] = { "伟", "强", "军", "勇", "杰", "涛", "明", "超", "华", "建国", "建华", "国强",
				       "志强", "志明", "海", "波", "辉", "刚", "平", "斌", "鹏", "宇", "浩", "磊" };
static const char *const given_f[] = { "芳", "娟", "敏", "静", "丽", "艳", "娜", "霞", "玲", "秀英", "桂英", "秀兰",
				       "玉兰", "红梅", "小红", "丹", "萍", "慧", "婷", "雪", "琳", "洁", "燕", "春梅" };
static const char *const place_a[] = { "东", "西", "南", "北", "上", "下", "大", "小", "新", "老", "金", "银", "石",
				       "桥", "河", "山", "林", "竹", "松", "柳", "桃", "杏", "梅", "枣" };
static const char *const place_b[] = { "湾", "坪", "岭", "冲", "垸", "畈", "塘", "港", "岗", "园", "庄", "店",
				       "坝", "堰", "沟", "峪", "源", "溪", "口", "桥" };
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The people of a kind of branch (as in demo_members.c): size weights, sex, ages, schooling. */
struct profile {
	const char *sector, *occupation, *unit;
	int min, max, male_pct, age_lo, age_hi;
	int edu_w[11];
};
static const char *const edu_codes[] = { "11", "14", "21", "31", "41", "44", "47", "61", "71", "81", "90" };
enum { P_RURAL, P_COMMUNITY, P_GOV, P_SCHOOL, P_HOSPITAL, P_PRIVATE, P_SOCIAL, P_RETIRED };
static const struct profile profiles[] = {
	[P_RURAL] = { "rural", "farmer", NULL, 14, 40, 76, 24, 88, { 0, 0, 3, 8, 6, 2, 1, 20, 40, 18, 2 } },
	[P_COMMUNITY] = { "community", "other", NULL, 14, 32, 48, 25, 85, { 0, 1, 12, 18, 8, 2, 1, 22, 26, 9, 1 } },
	[P_GOV] = { "government", "official", "人民政府", 10, 26, 62, 23, 59, { 1, 8, 55, 28, 4, 0, 0, 3, 1, 0, 0 } },
	[P_SCHOOL] = { "school", "professional", "学校", 9, 28, 45, 23, 59, { 0, 10, 62, 22, 4, 0, 0, 2, 0, 0, 0 } },
	[P_HOSPITAL] = { "hospital", "professional", "医院", 9, 30, 42, 23, 59, { 1, 8, 48, 32, 9, 0, 0, 2, 0, 0, 0 } },
	[P_PRIVATE] = { "private", "worker", "公司", 3, 12, 66, 22, 58, { 0, 1, 14, 24, 10, 5, 4, 26, 14, 2, 0 } },
	[P_SOCIAL] = { "social_org", "manager", "协会", 3, 8, 50, 24, 65, { 0, 2, 30, 30, 8, 2, 0, 18, 8, 2, 0 } },
	[P_RETIRED] = { "government", "retired", NULL, 18, 45, 64, 60, 92, { 0, 2, 30, 30, 12, 0, 0, 16, 8, 2, 0 } },
};

/* An organization that holds members, filled after the tree is built. */
struct branch {
	int64_t id, group[2]; /* its two 党小组, or 0 */
	int county;           /* index, for the 身份证号 region code */
	int profile;
	int64_t weight, size;
	char path[SPATH];
	char unit[72];        /* 工作单位 for profiles with one */
};

struct gen {
	struct dj_db_conn *c;
	struct rng r;
	char ts[26];
	int64_t next_id, orgs;
	struct branch *b;
	size_t nb, cap;
	int county;            /* current county index */
	int64_t first_township;
	size_t first_office;   /* index in b of the first township's first office branch */
	dj_demo_progress_fn progress;
	void *arg;
};

static const char Q_ORG[] =
	"INSERT INTO orgs(id, parent_id, path, depth, name, kind, sector, sort_order, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char Q_MEMBER[] =
	"INSERT INTO members(org_id, org_path, name, sex, ethnicity, birth_date, id_number_enc, id_number_bidx,"
	" id_number_mask, education, occupation, work_unit, phone_enc, phone_bidx, phone_mask, party_group_id, category,"
	" joined_on, converted_on, status, is_mobile, is_hardship, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char Q_LINK_USER[] = "UPDATE users SET member_id = ? WHERE username = ?";
/* A bulk-load hint for SQLite (the writer's default cache is small); other engines ignore it. */
static const char Q_CACHE[] = "PRAGMA cache_size = -1048576";

/* Insert one org with the next id under parent (0 = root); its path is the parent's + id. */
static dj_rc org(struct gen *g, int64_t parent, const char *ppath, int depth, const char *name, const char *kind,
		 const char *sector, int64_t order, int64_t *id, char path[SPATH])
{
	struct dj_stmt *s;
	int64_t nid = g->next_id++;
	int n = snprintf(path, SPATH, "%s%lld/", ppath, (long long)nid);
	if (n < 0 || n >= SPATH)
		return DJ_ERR_INVALID;
	dj_rc rc = dj_db_prepare(g->c, Q_ORG, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, nid);
	if (parent)
		dj_stmt_bind_int(s, 2, parent);
	dj_stmt_bind_text(s, 3, path);
	dj_stmt_bind_int(s, 4, depth);
	dj_stmt_bind_text(s, 5, name);
	dj_stmt_bind_text(s, 6, kind);
	dj_stmt_bind_text(s, 7, sector);
	dj_stmt_bind_int(s, 8, order);
	dj_stmt_bind_text(s, 9, g->ts);
	dj_stmt_bind_text(s, 10, g->ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	g->orgs++;
	*id = nid;
	return DJ_OK;
}

/* Remember a member-holding org; its share of the members is decided once the tree is known. */
static void hold(struct gen *g, int64_t id, const char *path, int profile, const int64_t *groups, const char *unit)
{
	if (g->nb == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4096;
		g->b = dj_realloc(g->b, g->cap * sizeof(*g->b));
	}
	struct branch *b = &g->b[g->nb++];
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->county = g->county;
	b->profile = profile;
	const struct profile *p = &profiles[profile];
	b->weight = p->min + pick(&g->r, p->max - p->min + 1);
	snprintf(b->path, sizeof(b->path), "%s", path);
	if (groups) {
		b->group[0] = groups[0];
		b->group[1] = groups[1];
	}
	snprintf(b->unit, sizeof(b->unit), "%s", unit ? unit : "");
}

static void place(struct gen *g, char *buf, size_t n, const char *suffix)
{
	snprintf(buf, n, "%s%s%s", place_a[pick(&g->r, NELEM(place_a))], place_b[pick(&g->r, NELEM(place_b))], suffix);
}

/* Two 党小组 under org id. */
static dj_rc groups(struct gen *g, int64_t id, const char *path, int depth, const char *sector, int64_t out[2])
{
	char name[64], gp[SPATH];
	dj_rc rc = DJ_OK;
	for (int k = 0; k < 2 && !rc; k++) {
		snprintf(name, sizeof(name), "第%s党小组", k ? "二" : "一");
		rc = org(g, id, path, depth, name, "group", sector, k + 1, &out[k], gp);
	}
	return rc;
}

/* A township: government office branches, villages (some 总支 with sub-branches, some branches
 * with groups) and, in the county seat, communities with grid branches and building groups. */
static dj_rc township(struct gen *g, int64_t county, const char *cpath, int t, int communities, int villages)
{
	char name[128], tpath[SPATH], vpath[SPATH], spath[SPATH];
	int64_t tid, vid, sid, grp[2];
	dj_rc rc;
	place(g, name, sizeof(name), t % 3 ? "镇党委" : "乡党委");
	if ((rc = org(g, county, cpath, 4, name, "committee", "government", t + 1, &tid, tpath)))
		return rc;
	if (!g->first_township) {
		g->first_township = tid;
		g->first_office = g->nb;
	}
	static const char *const offices[] = { "机关第一党支部", "机关第二党支部", "便民服务中心党支部" };
	for (int k = 0; k < 3; k++) {
		if ((rc = org(g, tid, tpath, 5, offices[k], "branch", "government", k + 1, &sid, spath)))
			return rc;
		hold(g, sid, spath, P_GOV, NULL, "乡镇人民政府");
	}
	for (int c = 0; c < communities; c++) {
		place(g, name, sizeof(name), "社区党委");
		if ((rc = org(g, tid, tpath, 5, name, "committee", "community", 10 + c, &vid, vpath)))
			return rc;
		for (int k = 0; k < 2; k++) {
			snprintf(name, sizeof(name), "第%s网格党支部", k ? "二" : "一");
			if ((rc = org(g, vid, vpath, 6, name, "branch", "community", k + 1, &sid, spath)) ||
			    (rc = groups(g, sid, spath, 7, "community", grp)))
				return rc;
			hold(g, sid, spath, P_COMMUNITY, grp, NULL);
		}
	}
	for (int v = 0; v < villages; v++) {
		int big = pick(&g->r, 100) < 15; /* ~15% of villages have a 总支 with sub-branches */
		place(g, name, sizeof(name), big ? "村党总支" : "村党支部");
		if ((rc = org(g, tid, tpath, 5, name, big ? "general_branch" : "branch", "rural", 100 + v, &vid, vpath)))
			return rc;
		if (big) {
			for (int k = 0; k < 2; k++) {
				snprintf(name, sizeof(name), "第%s党支部", k ? "二" : "一");
				if ((rc = org(g, vid, vpath, 6, name, "branch", "rural", k + 1, &sid, spath)))
					return rc;
				hold(g, sid, spath, P_RURAL, NULL, NULL);
			}
		} else if (pick(&g->r, 100) < 40) {
			if ((rc = groups(g, vid, vpath, 6, "rural", grp)))
				return rc;
			hold(g, vid, vpath, P_RURAL, grp, NULL);
		} else {
			hold(g, vid, vpath, P_RURAL, NULL, NULL);
		}
	}
	return DJ_OK;
}

/* A working committee (党工委) with n branches of one kind. */
static dj_rc working_committee(struct gen *g, int64_t parent, const char *ppath, int depth, const char *name,
			       const char *sector, const char *label, int profile, int n, int64_t order)
{
	char bname[128], wpath[SPATH], bpath[SPATH];
	int64_t wid, bid;
	dj_rc rc = org(g, parent, ppath, depth, name, "working_committee", sector, order, &wid, wpath);
	for (int k = 0; k < n && !rc; k++) {
		int p = profile;
		if (p == P_PRIVATE && k % 6 == 5)
			p = P_SOCIAL;
		snprintf(bname, sizeof(bname), "第%d%s", k + 1, label);
		if (!(rc = org(g, wid, wpath, depth + 1, bname, "branch", profiles[p].sector, k + 1, &bid, bpath))) {
			char unit[72];
			snprintf(unit, sizeof(unit), "第%d%s", k + 1, profiles[p].unit ? profiles[p].unit : "单位");
			hold(g, bid, bpath, p, NULL, p == P_RETIRED ? NULL : unit);
		}
	}
	return rc;
}

/* A county: 县委, its townships and the county-level working committees. Sized for m members. */
static dj_rc county(struct gen *g, int64_t city, const char *ppath, int k, int64_t m)
{
	char name[128], cpath[SPATH];
	int64_t cid, orgs = m / MEMBERS_PER_ORG;
	int64_t wc = orgs * 30 / 100; /* branches of the county-level working committees */
	int towns = (int)((orgs - wc + 24) / 48);
	dj_rc rc;
	if (towns < 1)
		towns = 1;
	snprintf(name, sizeof(name), "中共第%d县委员会", k + 1);
	if ((rc = org(g, city, ppath, 3, name, "committee", "government", k + 1, &cid, cpath)))
		return rc;
	for (int t = 0; t < towns && !rc; t++)
		rc = township(g, cid, cpath, t, t == 0 ? (towns < 12 ? towns : 12) : t == 1 ? (towns / 2 < 6 ? towns / 2 : 6) : 0,
			      14 + pick(&g->r, 17));
	static const struct {
		const char *name, *sector, *label;
		int profile, pct;
	} wcs[] = {
		{ "县直机关工作委员会", "government", "机关党支部", P_GOV, 30 },
		{ "非公有制经济组织和社会组织工作委员会", "private", "非公企业党支部", P_PRIVATE, 38 },
		{ "教育工作委员会", "school", "学校党支部", P_SCHOOL, 16 },
		{ "卫生健康工作委员会", "hospital", "医疗卫生党支部", P_HOSPITAL, 10 },
		{ "离退休干部工作委员会", "government", "离退休干部党支部", P_RETIRED, 6 },
	};
	for (int w = 0; w < NELEM(wcs) && !rc; w++) {
		int n = (int)(wc * wcs[w].pct / 100);
		rc = working_committee(g, cid, cpath, 4, wcs[w].name, wcs[w].sector, wcs[w].label, wcs[w].profile,
				       n < 1 ? 1 : n, 50 + w);
	}
	return rc;
}

/* The whole tree under root: cities with their counties and a 市直机关工委 each. */
static dj_rc tree(struct gen *g, int64_t root, const char *rpath, int64_t members)
{
	int counties = (int)((members + COUNTY_MEMBERS / 2) / COUNTY_MEMBERS);
	if (counties < 1)
		counties = 1;
	int cities = (counties + COUNTIES_PER_CITY - 1) / COUNTIES_PER_CITY;
	/* ~2% of the members work in city-level and ~1% in province-level organs. */
	int64_t per_county = members * 97 / 100 / counties;
	int city_branches = (int)(members * 2 / 100 / MEMBERS_PER_ORG / cities);
	int prov_branches = (int)(members / 100 / MEMBERS_PER_ORG);
	char name[128], cpath[SPATH];
	int64_t cid;
	dj_rc rc = working_committee(g, root, rpath, 2, "省直机关工作委员会", "government", "省直机关党支部", P_GOV,
				     prov_branches < 1 ? 1 : prov_branches, 1000);
	for (int c = 0, k = 0; c < cities && !rc; c++) {
		snprintf(name, sizeof(name), "中共第%d市委员会", c + 1);
		if ((rc = org(g, root, rpath, 2, name, "committee", "government", c + 1, &cid, cpath)))
			break;
		rc = working_committee(g, cid, cpath, 3, "市直机关工作委员会", "government", "市直机关党支部", P_GOV,
				       city_branches < 1 ? 1 : city_branches, 1000);
		for (int j = 0; j < COUNTIES_PER_CITY && k < counties && !rc; j++, k++) {
			g->county = k;
			rc = county(g, cid, cpath, k, per_county);
		}
		if (g->progress)
			g->progress(g->arg, "组织", g->orgs, 0);
	}
	return rc;
}

/* Open-addressing set of 17-digit ID prefixes (as integers) within one county. */
struct idset {
	uint64_t *v;
	size_t cap, n;
};
static bool idset_add(struct idset *s, uint64_t key)
{
	key += 1; /* 0 marks an empty slot */
	if (s->n * 2 >= s->cap) {
		struct idset t = { dj_calloc(s->cap ? s->cap * 2 : 65536, sizeof(uint64_t)), s->cap ? s->cap * 2 : 65536, 0 };
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				idset_add(&t, s->v[i] - 1);
		dj_free(s->v);
		*s = t;
	}
	for (size_t k = (key * 0x9E3779B97F4A7C15ULL) >> 7 & (s->cap - 1);; k = (k + 1) & (s->cap - 1)) {
		if (s->v[k] == key)
			return false;
		if (!s->v[k]) {
			s->v[k] = key;
			s->n++;
			return true;
		}
	}
}
static void idset_clear(struct idset *s)
{
	if (s->v)
		memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
}

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

/* Bind a PII value the way lib/model does: sealed blob, blind index, mask. */
static void bind_pii(struct dj_stmt *s, int col, const struct dj_pii *pii, const char *v, bool phone)
{
	unsigned char *blob;
	size_t bl;
	char bidx[DJ_PII_BIDX_HEX + 1], mask[40];
	dj_pii_seal(pii, v, strlen(v), &blob, &bl);
	dj_stmt_bind_blob(s, col, blob, bl);
	dj_free(blob);
	dj_pii_blind(pii, v, bidx);
	dj_stmt_bind_text(s, col + 1, bidx);
	if (phone)
		dj_pii_mask_phone(v, mask, sizeof(mask));
	else
		dj_pii_mask_idnum(v, mask, sizeof(mask));
	dj_stmt_bind_text(s, col + 2, mask);
}

/* One member of branch b, the k-th; birth, sex and 身份证号 agree (RULES.md §11.1). */
static dj_rc member(struct gen *g, const struct dj_pii *pii, const struct branch *b, int64_t k, struct idset *ids,
		    struct dj_date today)
{
	const struct profile *p = &profiles[b->profile];
	struct rng *r = &g->r;
	struct dj_stmt *s;
	char idn[24], name[32], birth[11], joined[11], conv[11], phone[16];
	int male = pick(r, 100) < p->male_pct;
	int age = p->age_lo + pick(r, p->age_hi - p->age_lo + 1);
	if (pick(r, 5) == 0)
		age = p->age_lo + pick(r, (p->age_hi - p->age_lo) / 2 + 1); /* a younger tail */
	struct dj_date bd = { today.y - age - 1, 1 + pick(r, 12), 1 };
	bd.d = 1 + pick(r, dj_date_mdays(bd.y, bd.m));
	dj_date_format(bd, birth);
	/* 身份证号: region 42CCKK (fictional city CC, county KK) + birth + sequence (odd for men) + check. */
	int city = b->county / COUNTIES_PER_CITY + 1, cty = b->county % COUNTIES_PER_CITY + 1;
	int seq = pick(r, 500);
	for (int tries = 0;; tries++) {
		snprintf(idn, sizeof(idn), "42%02d%02d%04d%02d%02d%03d", city % 100, cty, bd.y % 10000, bd.m % 100,
			 bd.d % 100, ((seq + tries) % 500) * 2 + (male ? 1 : 0));
		uint64_t key = 0;
		for (int i = 0; i < 17; i++)
			key = key * 10 + (uint64_t)(idn[i] - '0');
		if (idset_add(ids, key))
			break;
		if (tries >= 500) {
			bd.d = bd.d % 28 + 1; /* that birthday is full: another day */
			dj_date_format(bd, birth);
			tries = -1;
		}
	}
	idn[17] = dj_idnum_check_char(idn);
	idn[18] = '\0';
	snprintf(name, sizeof(name), "%s%s", surnames[pick(r, NELEM(surnames))],
		 male ? given_m[pick(r, NELEM(given_m))] : given_f[pick(r, NELEM(given_f))]);
	int probationary = age < 45 && pick(r, 100) < 6;
	struct dj_date jd;
	if (probationary) {
		jd = dj_date_add_days(today, -(30 + pick(r, 300)));
	} else {
		int join_age = 19 + pick(r, age > 45 ? 26 : age - 19 > 1 ? age - 19 : 1);
		if (join_age >= age)
			join_age = age - 1;
		jd = (struct dj_date){ bd.y + join_age, 1 + pick(r, 12), 1 + pick(r, 28) };
		if (dj_date_cmp(dj_date_add_months(jd, 13), today) > 0)
			jd = dj_date_add_months(today, -14);
	}
	dj_date_format(jd, joined);
	if (!probationary)
		dj_date_format(dj_date_add_months(jd, 12), conv); /* DEV-T6: probation end */
	snprintf(phone, sizeof(phone), "1%d%09d", 3 + pick(r, 6), pick(r, 1000000000));
	/* ~1% are not counted: stopped, lost contact or deceased, as in a real register. */
	int st = pick(r, 1000);
	const char *status = st < 990 ? "active" : st < 994 ? "lost_contact" : st < 997 ? "suspended" : "deceased";

	dj_rc rc = dj_db_prepare(g->c, Q_MEMBER, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, b->id);
	dj_stmt_bind_text(s, 2, b->path);
	dj_stmt_bind_text(s, 3, name);
	dj_stmt_bind_text(s, 4, male ? "1" : "2");
	dj_stmt_bind_text(s, 5, pick(r, 100) < 94 ? "01" : pick(r, 2) ? "15" : "06");
	dj_stmt_bind_text(s, 6, birth);
	bind_pii(s, 7, pii, idn, false);
	dj_stmt_bind_text(s, 10, edu_codes[weighted(r, p->edu_w, 11)]);
	dj_stmt_bind_text(s, 11, p->occupation);
	dj_stmt_bind_text(s, 12, b->unit[0] ? b->unit : NULL);
	bind_pii(s, 13, pii, phone, true);
	if (b->group[0])
		dj_stmt_bind_int(s, 16, b->group[k & 1]);
	dj_stmt_bind_text(s, 17, probationary ? "probationary" : "full");
	dj_stmt_bind_text(s, 18, joined);
	dj_stmt_bind_text(s, 19, probationary ? NULL : conv);
	dj_stmt_bind_text(s, 20, status);
	if (pick(r, 100) < 3)
		dj_stmt_bind_int(s, 21, 1);
	if (b->profile == P_RURAL && pick(r, 100) < 4)
		dj_stmt_bind_int(s, 22, 1);
	dj_stmt_bind_text(s, 23, g->ts);
	dj_stmt_bind_text(s, 24, g->ts);
	return dj_stmt_exec(s);
}

/* Begin a write transaction with the bulk-load cache hint (dropped if the engine refuses it). */
static dj_rc begin(struct dj_db *db, struct gen *g)
{
	dj_rc rc = dj_db_begin(db, &g->c);
	if (rc)
		return rc;
	if (dj_db_exec_sql(g->c, Q_CACHE)) {
		dj_db_rollback(g->c);
		rc = dj_db_begin(db, &g->c);
	}
	return rc;
}

static dj_rc commit(struct dj_db *db, struct gen *g)
{
	dj_rc rc = dj_db_commit(g->c);
	g->c = NULL;
	return rc ? rc : begin(db, g);
}

dj_rc dj_demo_scale(struct dj_db *db, const struct dj_pii *pii, uint64_t seed, int64_t n_members,
		    dj_demo_progress_fn progress, void *arg, int64_t *root_id, int64_t *orgs)
{
	struct gen g;
	struct dj_scope sc;
	struct dj_actor who = { 0, "demo", "local" };
	struct idset ids = { NULL, 0, 0 };
	struct dj_date today = dj_date_today();
	char rpath[SPATH], err[256];
	const char *field;
	int64_t uid, done = 0, first_member = 0;
	dj_rc rc;
	if (n_members < 1 || !pii)
		return DJ_ERR_INVALID;
	memset(&g, 0, sizeof(g));
	memset(&sc, 0, sizeof(sc));
	g.r.s = seed ^ 0x2545F4914F6CDD1DULL;
	g.progress = progress;
	g.arg = arg;
	dj_time_rfc3339(dj_time_now(), g.ts);
	sc.role = DJ_ROLE_ADMIN;
	dj_scope_set_path(&sc, "/");
	if ((rc = begin(db, &g)))
		return rc;
	/* The root through the normal path (audited); the rest in bulk with ids we choose. */
	if ((rc = dj_org_create_root(g.c, &who, "中共某省委员会", root_id)))
		goto fail;
	snprintf(rpath, sizeof(rpath), "/%lld/", (long long)*root_id);
	g.next_id = *root_id + 1;
	g.orgs = 1;
	if ((rc = tree(&g, *root_id, rpath, n_members)))
		goto fail;
	for (int i = 0; !rc && dj_demo_logins[i].username; i++) {
		const struct dj_demo_login *l = &dj_demo_logins[i];
		bool local = strcmp(l->role, "org_admin") == 0 || strcmp(l->role, "member") == 0;
		rc = dj_auth_user_create(g.c, &sc, &who, l->username, l->password, l->role,
					 local ? g.first_township : *root_id, &uid, &field, err, sizeof(err));
	}
	if (rc)
		goto fail;
	/* Each branch's share: its profile weight, scaled so the total is exactly n_members. */
	int64_t wsum = 0, cum = 0, given = 0;
	for (size_t i = 0; i < g.nb; i++)
		wsum += g.b[i].weight;
	for (size_t i = 0; i < g.nb; i++) {
		cum += g.b[i].weight;
		int64_t upto = (int64_t)((__int128)cum * n_members / wsum);
		g.b[i].size = upto - given;
		given = upto;
	}
	if (progress)
		progress(arg, "党员", 0, n_members);
	for (size_t i = 0; i < g.nb && !rc; i++) {
		if (i == 0 || g.b[i].county != g.b[i - 1].county)
			idset_clear(&ids);
		for (int64_t k = 0; k < g.b[i].size && !rc; k++) {
			rc = member(&g, pii, &g.b[i], k, &ids, today);
			if (!rc && i == g.first_office && k == 0)
				first_member = dj_db_last_id(g.c);
			if (!rc && ++done % TX_MEMBERS == 0)
				rc = commit(db, &g);
			if (!rc && progress && done % 50000 == 0)
				progress(arg, "党员", done, n_members);
		}
	}
	if (rc)
		goto fail;
	if (progress)
		progress(arg, "统计", 0, 0);
	if ((rc = dj_member_recount(g.c)) || (rc = dj_org_kinds_recount(g.c)))
		goto fail;
	/* The demo member account is a real member of the first township's office branch. */
	struct dj_stmt *s;
	if (first_member) {
		if ((rc = dj_db_prepare(g.c, Q_LINK_USER, &s)))
			goto fail;
		dj_stmt_bind_int(s, 1, first_member);
		dj_stmt_bind_text(s, 2, "dangyuan");
		if ((rc = dj_stmt_exec(s)))
			goto fail;
	}
	{
		char after[160];
		snprintf(after, sizeof(after), "{\"seed\":%llu,\"orgs\":%lld,\"members\":%lld}", (unsigned long long)seed,
			 (long long)g.orgs, (long long)n_members);
		struct dj_audit_entry e = { "demo.scale", "org", *root_id, rpath, NULL, after };
		if ((rc = dj_audit_append(g.c, &who, &e)))
			goto fail;
	}
	rc = dj_db_commit(g.c);
	g.c = NULL;
	*orgs = g.orgs;
	goto out;
fail:
	if (g.c)
		dj_db_rollback(g.c);
out:
	dj_free(g.b);
	dj_free(ids.v);
	return rc;
}

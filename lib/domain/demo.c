/* demo.c — the demo county: a fictional 青山县 sized like the 崇阳县 report (seed 003):
 * 12 townships, 203 villages and communities, 4 sector working committees, ~735 organizations. */
#include <stdio.h>
#include <string.h>
#include "dj/auth.h"
#include "dj/demo.h"
#include "dj/dues_ledger.h"
#include "dj/org.h"
#include "dj/banned.h"

const struct dj_demo_login dj_demo_logins[] = {
	{ "admin", "Demo@2026", "admin", "县委组织部（全县业务管理）" },
	{ "chengguan", "Demo@2026", "org_admin", "城关镇党委组织委员（本镇范围）" },
	{ "dangyuan", "Demo@2026", "member", "党员（本人信息）" },
	{ "secadmin", "Demo@2026", "secadmin", "安全管理员（账号与角色）" },
	{ "auditor", "Demo@2026", "auditor", "审计管理员（审计日志）" },
	{ NULL, NULL, NULL, NULL },
};

/* splitmix64: small, fast and fully determined by the seed. */
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

static const char *const townships[] = { "城关镇", "白石镇", "青山镇", "桃源乡", "石门镇", "金塘乡",
					 "龙泉镇", "清溪镇", "高桥乡", "沙坪镇", "枫林乡", "马场镇" };
/* villages per township (sum 185) and communities (18, in 城关镇 and 青山镇) → 203 */
static const int villages_per[] = { 8, 17, 14, 16, 18, 15, 17, 16, 15, 17, 16, 16 };
static const char *const name_a[] = { "东", "西", "南", "北", "上", "下", "大", "小", "新", "老", "金", "银", "石",
				      "桥", "河", "山", "林", "竹", "松", "柳", "桃", "杏", "梅", "枣" };
static const char *const name_b[] = { "湾", "坪", "岭", "冲", "垸", "畈", "塘", "港", "岗", "园", "庄", "店",
				      "坝", "堰", "沟", "峪", "源", "溪", "口", "桥" };

struct builder {
	struct dj_db_conn *c;
	struct dj_scope sc;
	struct dj_actor who;
	struct rng rng;
	int64_t count;
};

static dj_rc add(struct builder *b, int64_t parent, const char *name, const char *kind, const char *sector,
		 int64_t order, int64_t *id)
{
	b->count++;
	return dj_org_create_child(b->c, &b->sc, &b->who, parent, name, kind, sector, order, id);
}

static void village_name(struct builder *b, char *buf, size_t n, const char *suffix, int i)
{
	snprintf(buf, n, "%s%s%s", name_a[(i * 7 + pick(&b->rng, 3)) % 24], name_b[(i * 5 + pick(&b->rng, 5)) % 20],
		 suffix);
}

static dj_rc build_tree(struct builder *b, int64_t root, int64_t *township_ids)
{
	char name[128];
	int64_t id, sub, x;
	dj_rc rc;
	for (int t = 0; t < 12; t++) {
		snprintf(name, sizeof(name), "中共%s委员会", townships[t]);
		if ((rc = add(b, root, name, "committee", "government", t + 1, &township_ids[t])))
			return rc;
		/* 机关 branches of the township government */
		static const char *const offices[] = { "镇机关第一党支部", "镇机关第二党支部", "便民服务中心党支部" };
		for (int k = 0; k < 3; k++)
			if ((rc = add(b, township_ids[t], offices[k], "branch", "government", k + 1, &x)))
				return rc;
		int communities = t == 0 ? 12 : t == 2 ? 6 : 0;
		for (int c = 0; c < communities; c++) {
			village_name(b, name, sizeof(name), "社区党委", c + t * 40);
			if ((rc = add(b, township_ids[t], name, "committee", "community", 10 + c, &id)))
				return rc;
			/* community network: grid branches → building groups (大党委 → 网格党支部 → 楼栋党小组) */
			for (int g = 0; g < 2; g++) {
				snprintf(name, sizeof(name), "第%s网格党支部", g ? "二" : "一");
				if ((rc = add(b, id, name, "branch", "community", g + 1, &sub)))
					return rc;
				for (int k = 0; k < 2; k++) {
					snprintf(name, sizeof(name), "%d栋党小组", k + 1 + g * 2);
					if ((rc = add(b, sub, name, "group", "community", k + 1, &x)))
						return rc;
				}
			}
		}
		for (int v = 0; v < villages_per[t]; v++) {
			int big = pick(&b->rng, 100) < 15; /* ~15% of villages have a 总支 with sub-branches */
			village_name(b, name, sizeof(name), big ? "村党总支" : "村党支部", v + t * 40);
			if ((rc = add(b, township_ids[t], name, big ? "general_branch" : "branch", "rural", 100 + v, &id)))
				return rc;
			if (big) {
				for (int k = 0; k < 2; k++) {
					snprintf(name, sizeof(name), "第%s党支部", k ? "二" : "一");
					if ((rc = add(b, id, name, "branch", "rural", k + 1, &x)))
						return rc;
				}
			} else if (pick(&b->rng, 100) < 40) {
				for (int k = 0; k < 2; k++) {
					snprintf(name, sizeof(name), "第%s党小组", k ? "二" : "一");
					if ((rc = add(b, id, name, "group", "rural", k + 1, &x)))
						return rc;
				}
			}
		}
	}
	return DJ_OK;
}

static dj_rc build_sectors(struct builder *b, int64_t root)
{
	static const struct {
		const char *name, *sector, *branch_label;
		int branches;
	} wc[] = {
		{ "中共青山县非公有制经济组织和社会组织工作委员会", "private", "非公企业党支部", 120 },
		{ "中共青山县教育工作委员会", "school", "学校党支部", 40 },
		{ "中共青山县卫生健康工作委员会", "hospital", "医疗卫生党支部", 22 },
		{ "中共青山县离退休干部工作委员会", "government", "离退休干部党支部", 12 },
	};
	char name[128];
	int64_t id, x;
	dj_rc rc;
	for (int w = 0; w < 4; w++) {
		if ((rc = add(b, root, wc[w].name, "working_committee", wc[w].sector, 20 + w, &id)))
			return rc;
		for (int k = 0; k < wc[w].branches; k++) {
			snprintf(name, sizeof(name), "第%d%s", k + 1, wc[w].branch_label);
			const char *sector = wc[w].sector;
			if (w == 0 && k % 6 == 5)
				sector = "social_org";
			if ((rc = add(b, id, name, "branch", sector, k + 1, &x)))
				return rc;
		}
	}
	return DJ_OK;
}

dj_rc dj_demo_build(struct dj_db *db, const struct dj_pii *pii, uint64_t seed, int64_t *root_id, int64_t *members)
{
	struct builder b;
	int64_t townships_ids[12], uid;
	char err[256];
	const char *field;
	memset(&b, 0, sizeof(b));
	b.rng.s = seed;
	b.who.username = "demo";
	b.who.client_ip = "local";
	b.sc.role = DJ_ROLE_ADMIN;
	dj_scope_set_path(&b.sc, "/");
	dj_rc rc = dj_db_begin(db, &b.c);
	if (rc)
		return rc;
	rc = dj_org_create_root(b.c, &b.who, "中共青山县委员会", root_id);
	if (!rc)
		rc = build_tree(&b, *root_id, townships_ids);
	if (!rc)
		rc = build_sectors(&b, *root_id);
	for (int i = 0; !rc && dj_demo_logins[i].username; i++) {
		const struct dj_demo_login *l = &dj_demo_logins[i];
		int64_t org = strcmp(l->role, "org_admin") == 0 ? townships_ids[0]
			      : strcmp(l->role, "member") == 0 ? townships_ids[0]
							       : *root_id;
		rc = dj_auth_user_create(b.c, &b.sc, &b.who, l->username, l->password, l->role, org, &uid, &field, err,
					 sizeof(err));
	}
	int64_t meetings = 0;
	if (!rc)
		rc = dj_demo_members(b.c, pii, seed, members);
	if (!rc)
		rc = dj_demo_meetings(b.c, seed, &meetings);
	int64_t dues_bills = 0;
	if (!rc)
		rc = dj_demo_dues(b.c, seed, &dues_bills);
	if (rc) {
		dj_db_rollback(b.c);
		return rc;
	}
	return dj_db_commit(b.c);
}

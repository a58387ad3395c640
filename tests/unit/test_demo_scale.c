/* test_demo_scale.c — unit tests for the province-scale generator (lib/domain/demo_scale.c) on a
 * small scale: the tree's paths, members' org paths, org_stats and org_member_facets equal to a direct
 * per-org count, valid
 * and unique 身份证号 behind the PII columns, the demo logins, and the same data for the same seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/db.h"
#include "dj/demo.h"
#include "dj/idnum.h"
#include "dj/log.h"
#include "dj/member.h"
#include "dj/pii.h"
#include "dj/schema.h"
#include "dj/banned.h"

#define MEMBERS 3000

static char tmpdir[256];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Builds a scaled store named name in tmpdir; the caller closes db and frees pii. */
static void build(const char *name, uint64_t seed, struct dj_db **db, struct dj_pii **pii, int64_t *root, int64_t *orgs)
{
	char path[300], key[320];
	snprintf(path, sizeof(path), "%s/%s.db", tmpdir, name);
	snprintf(key, sizeof(key), "%s.key", path);
	assert_int_equal(dj_schema_open(path, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, db), DJ_OK);
	assert_int_equal(dj_pii_open(key, 1, pii), DJ_OK);
	assert_int_equal(dj_demo_scale(*db, *pii, seed, MEMBERS, NULL, NULL, root, orgs), DJ_OK);
}

static int64_t count(struct dj_db *db, const char *sql)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	int64_t n = -1;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, sql, &s), DJ_OK);
	if (dj_stmt_step(s) == DJ_ROW)
		n = dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	dj_db_release(c);
	return n;
}

/* A fingerprint of the data that involves neither nonces nor the store's own PII key. */
static void fingerprint(struct dj_db *db, struct dj_strbuf *out)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, "SELECT o.path, o.name, o.kind, COUNT(m.id), group_concat(m.name || m.birth_date ||"
					  " m.id_number_mask || m.phone_mask || m.category || m.status, ';')"
					  " FROM orgs o LEFT JOIN members m ON m.org_id = o.id GROUP BY o.id ORDER BY o.id", &s),
			 DJ_OK);
	while (dj_stmt_step(s) == DJ_ROW)
		dj_strbuf_addf(out, "%s|%s|%s|%lld|%s\n", dj_stmt_text(s, 0), dj_stmt_text(s, 1), dj_stmt_text(s, 2),
			       (long long)dj_stmt_int(s, 3), dj_stmt_text(s, 4) ? dj_stmt_text(s, 4) : "");
	dj_stmt_reset(s);
	dj_db_release(c);
}

static void test_scale_store(void **state)
{
	struct dj_db *db;
	struct dj_pii *pii;
	int64_t root = 0, orgs = 0;
	(void)state;
	build("a", 7, &db, &pii, &root, &orgs);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM members"), MEMBERS);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM orgs"), orgs);
	assert_true(orgs > MEMBERS / 40 && orgs < MEMBERS / 5);
	/* paths: root "/id/", children parent's path + id */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM orgs c JOIN orgs p ON p.id = c.parent_id"
				   " WHERE c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1"),
			 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM orgs WHERE parent_id IS NULL"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.org_path <> o.path"),
			 0);
	/* groups only hold members through party_group_id, inside the member's own branch */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.kind = 'group'"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM members m JOIN orgs g ON g.id = m.party_group_id"
				   " WHERE g.parent_id <> m.org_id OR g.kind <> 'group'"),
			 0);
	/* the root's count is every active member; then the tables dj_member_recount built (one pass
	 * in path order) equal a direct range join per org (quadratic, fine at this size) */
	assert_int_equal(count(db, "SELECT members_full + members_probationary FROM org_stats WHERE org_id = 1"),
			 count(db, "SELECT COUNT(*) FROM members WHERE status = 'active'"));
	struct dj_strbuf want = DJ_STRBUF_INIT, got = DJ_STRBUF_INIT;
	struct dj_db_conn *c;
	struct dj_stmt *s;
#define SUBTREE_JOIN                                                                                                   \
	" FROM orgs o JOIN members m ON m.org_path >= o.path AND m.org_path < substr(o.path, 1, length(o.path) - 1) || '0'" \
	" WHERE m.status = 'active' AND m.deleted_at IS NULL"
#define SEXKEY "(CASE m.sex WHEN '1' THEN '1' WHEN '2' THEN '2' ELSE '0' END)"
	static const char *const ref[] = {
		"SELECT o.id || ':' || SUM(m.category = 'full') || ':' || SUM(m.category = 'probationary')" SUBTREE_JOIN
		" GROUP BY o.id ORDER BY o.id",
		"SELECT o.id || ':cat:' || m.category || ':' || COUNT(*)" SUBTREE_JOIN " GROUP BY o.id, m.category ORDER BY o.id, m.category",
		"SELECT o.id || ':sex:' || " SEXKEY " || ':' || COUNT(*)" SUBTREE_JOIN " GROUP BY o.id, " SEXKEY " ORDER BY o.id, " SEXKEY,
		"SELECT o.id || ':bd:' || m.birth_date || '|' || " SEXKEY " || ':' || COUNT(*)" SUBTREE_JOIN
		" AND m.birth_date IS NOT NULL GROUP BY o.id, m.birth_date || '|' || " SEXKEY " ORDER BY o.id, m.birth_date || '|' || " SEXKEY,
		"SELECT o.id || ':bm:' || substr(m.birth_date, 1, 7) || '|' || " SEXKEY " || ':' || COUNT(*)" SUBTREE_JOIN
		" AND m.birth_date IS NOT NULL GROUP BY o.id, substr(m.birth_date, 1, 7) || '|' || " SEXKEY " ORDER BY o.id, substr(m.birth_date, 1, 7) || '|' || " SEXKEY,
		"SELECT o.id || ':edu:' || COALESCE(m.education, 'unknown') || ':' || COUNT(*)" SUBTREE_JOIN
		" GROUP BY o.id, COALESCE(m.education, 'unknown') ORDER BY o.id, COALESCE(m.education, 'unknown')",
		"SELECT o.id || ':occ:' || COALESCE(m.occupation, 'unknown') || ':' || COUNT(*)" SUBTREE_JOIN
		" GROUP BY o.id, COALESCE(m.occupation, 'unknown') ORDER BY o.id, COALESCE(m.occupation, 'unknown')",
		"SELECT o.id || ':jm:' || substr(m.joined_on, 1, 7) || ':' || COUNT(*)" SUBTREE_JOIN
		" AND m.joined_on IS NOT NULL GROUP BY o.id, substr(m.joined_on, 1, 7) ORDER BY o.id, substr(m.joined_on, 1, 7)",
	};
	static const char *const built[] = {
		"SELECT org_id || ':' || members_full || ':' || members_probationary FROM org_stats ORDER BY org_id",
		"SELECT org_id || ':cat:' || key || ':' || n FROM org_member_facets WHERE dim = 'cat' ORDER BY org_id, key",
		"SELECT org_id || ':sex:' || key || ':' || n FROM org_member_facets WHERE dim = 'sex' ORDER BY org_id, key",
		"SELECT org_id || ':bd:' || key || ':' || n FROM org_member_facets WHERE dim = 'bd' ORDER BY org_id, key",
		"SELECT org_id || ':bm:' || key || ':' || n FROM org_member_facets WHERE dim = 'bm' ORDER BY org_id, key",
		"SELECT org_id || ':edu:' || key || ':' || n FROM org_member_facets WHERE dim = 'edu' ORDER BY org_id, key",
		"SELECT org_id || ':occ:' || key || ':' || n FROM org_member_facets WHERE dim = 'occ' ORDER BY org_id, key",
		"SELECT org_id || ':jm:' || key || ':' || n FROM org_member_facets WHERE dim = 'jm' ORDER BY org_id, key",
	};
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	for (size_t q = 0; q < sizeof(ref) / sizeof(ref[0]); q++)
		for (int pass = 0; pass < 2; pass++) {
			struct dj_strbuf *sb = pass ? &got : &want;
			assert_int_equal(dj_db_prepare(c, pass ? built[q] : ref[q], &s), DJ_OK);
			while (dj_stmt_step(s) == DJ_ROW)
				dj_strbuf_addf(sb, "%s\n", dj_stmt_text(s, 0));
			dj_stmt_reset(s);
		}
	dj_db_release(c);
	assert_true(want.len > 1000);
	assert_string_equal(want.buf, got.buf);
	dj_strbuf_release(&want);
	dj_strbuf_release(&got);
	/* organizations per kind: the table kept by org create (the generator's root) and rebuilt by
	 * dj_org_kinds_recount equals a range join per org */
	static const char ref_kinds[] =
		"SELECT a.id || ':' || o.kind || ':' || COUNT(*) FROM orgs a JOIN orgs o ON o.path >= a.path"
		" AND o.path < substr(a.path, 1, length(a.path) - 1) || '0' GROUP BY a.id, o.kind ORDER BY a.id, o.kind";
	static const char built_kinds[] =
		"SELECT org_id || ':' || kind || ':' || n FROM org_kind_counts WHERE n <> 0 ORDER BY org_id, kind";
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	for (int pass = 0; pass < 2; pass++) {
		struct dj_strbuf *sb = pass ? &got : &want;
		assert_int_equal(dj_db_prepare(c, pass ? built_kinds : ref_kinds, &s), DJ_OK);
		while (dj_stmt_step(s) == DJ_ROW)
			dj_strbuf_addf(sb, "%s\n", dj_stmt_text(s, 0));
		dj_stmt_reset(s);
	}
	dj_db_release(c);
	assert_true(want.len > 100);
	assert_string_equal(want.buf, got.buf);
	dj_strbuf_release(&want);
	dj_strbuf_release(&got);
	/* recounting again changes nothing */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	int64_t rows = count(db, "SELECT COUNT(*) FROM org_member_facets");
	assert_int_equal(dj_member_recount(c), DJ_OK);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM org_member_facets"), rows);
	/* every 身份证号 opens, is valid, and agrees with birth date and sex; blind indexes are unique */
	struct dj_date today = dj_date_today();
	int64_t n = 0;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, "SELECT id_number_enc, birth_date, sex, id_number_mask FROM members", &s), DJ_OK);
	while (dj_stmt_step(s) == DJ_ROW) {
		size_t bl;
		const void *blob = dj_stmt_blob(s, 0, &bl);
		char *plain = NULL, why[160], birth[11], mask[40];
		struct dj_idnum id;
		assert_int_equal(dj_pii_open_blob(pii, blob, bl, &plain), DJ_OK);
		if (dj_idnum_parse(plain, today, &id, why, sizeof(why)) != DJ_OK)
			fail_msg("%s: %s", plain, why);
		assert_string_equal(dj_date_format(id.birth, birth), dj_stmt_text(s, 1));
		assert_string_equal(id.sex == 1 ? "1" : "2", dj_stmt_text(s, 2));
		dj_pii_mask_idnum(plain, mask, sizeof(mask));
		assert_string_equal(mask, dj_stmt_text(s, 3));
		dj_free(plain);
		n++;
	}
	dj_stmt_reset(s);
	dj_db_release(c);
	assert_int_equal(n, MEMBERS);
	assert_int_equal(count(db, "SELECT COUNT(DISTINCT id_number_bidx) FROM members"), MEMBERS);
	/* the logins: five accounts, the member account linked to a member of the first township */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM users"), 5);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM users u JOIN members m ON m.id = u.member_id"
				   " JOIN orgs o ON o.id = u.org_id WHERE u.username = 'dangyuan' AND m.org_path LIKE o.path || '%'"),
			 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'demo.scale'"), 1);
	/* the same seed gives the same data */
	struct dj_db *db2;
	struct dj_pii *pii2;
	int64_t root2, orgs2;
	struct dj_strbuf f1 = DJ_STRBUF_INIT, f2 = DJ_STRBUF_INIT;
	build("b", 7, &db2, &pii2, &root2, &orgs2);
	assert_int_equal(orgs2, orgs);
	fingerprint(db, &f1);
	fingerprint(db2, &f2);
	assert_true(f1.len > 1000);
	assert_string_equal(f1.buf, f2.buf);
	dj_strbuf_release(&f1);
	dj_strbuf_release(&f2);
	dj_pii_free(pii2);
	dj_db_close(db2);
	dj_pii_free(pii);
	dj_db_close(db);
}

static int setup(void **state)
{
	(void)state;
	dj_log_set_level(DJ_LOG_OFF);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dj-test-demo-scale-XXXXXX");
	return mkdtemp(tmpdir) && dj_auth_init() == DJ_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_store),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

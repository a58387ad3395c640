/* test_planner.c — the query plans the subtree requests depend on (docs/performance.md items 1, 2 and 7):
 * on a migrated store with data, a subtree query bounded by org_path and filtered by a code or flag runs
 * along the path index (no single-column code/flag index steers it away), a member count comes from the
 * covering path index alone, and the dashboard's organizations per kind from one seek in org_kind_counts. */
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
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/demo.h"
#include "dj/log.h"
#include "dj/pii.h"
#include "dj/schema.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

static char tmpdir[256];
static struct dj_db *db;
static struct dj_pii *pii;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The EXPLAIN QUERY PLAN details of sql, one per line. */
static void plan(const char *sql, struct dj_strbuf *out)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	struct dj_strbuf q = DJ_STRBUF_INIT;
	dj_strbuf_addf(&q, "EXPLAIN QUERY PLAN %s", sql);
	dj_strbuf_reset(out);
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, q.buf, &s), DJ_OK);
	while (dj_stmt_step(s) == DJ_ROW)
		dj_strbuf_addf(out, "%s\n", dj_stmt_text(s, 3));
	dj_stmt_reset(s);
	dj_db_release(c);
	dj_strbuf_release(&q);
}

static void assert_plan_has(const char *sql, const char *want)
{
	struct dj_strbuf p = DJ_STRBUF_INIT;
	plan(sql, &p);
	if (!strstr(p.buf, want))
		fail_msg("plan of\n  %s\nis\n%slacking \"%s\"", sql, p.buf, want);
	dj_strbuf_release(&p);
}

static void assert_plan_lacks(const char *sql, const char *bad)
{
	struct dj_strbuf p = DJ_STRBUF_INIT;
	plan(sql, &p);
	if (strstr(p.buf, bad))
		fail_msg("plan of\n  %s\nis\n%swith \"%s\"", sql, p.buf, bad);
	dj_strbuf_release(&p);
}

static void test_no_code_or_flag_indexes(void **state)
{
	(void)state;
	struct dj_db_conn *c;
	struct dj_stmt *s;
	const char *gone[] = { "members_status", "members_sex",      "members_category", "members_is_mobile",
			       "members_education", "meetings_status", "meetings_types", "dev_cases_stage", NULL };
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?", &s), DJ_OK);
	for (int i = 0; gone[i]; i++) {
		dj_stmt_bind_text(s, 1, gone[i]);
		assert_int_equal(dj_stmt_step(s), DJ_ROW);
		if (dj_stmt_int(s, 0) != 0)
			fail_msg("index %s still exists", gone[i]);
		dj_stmt_reset(s);
	}
	/* The ones queries need stay: blind indexes (unique 身份证号) and references. */
	const char *kept[] = { "members_org_path", "members_id_number_bidx", "members_org_id", "members_party_group_id",
			       "orgs_path_kind", NULL };
	for (int i = 0; kept[i]; i++) {
		dj_stmt_bind_text(s, 1, kept[i]);
		assert_int_equal(dj_stmt_step(s), DJ_ROW);
		if (dj_stmt_int(s, 0) != 1)
			fail_msg("index %s is missing", kept[i]);
		dj_stmt_reset(s);
	}
	dj_db_release(c);
}

static void test_subtree_queries_follow_the_path(void **state)
{
	(void)state;
	/* The statistics' read of a subtree's active members. */
	const char *stats = "SELECT sex, birth_date, category FROM members WHERE org_path >= ? AND org_path < ?"
			    " AND status = 'active' AND deleted_at IS NULL";
	assert_plan_has(stats, "members_org_path");
	/* A list with a code filter and a flag filter inside a subtree. */
	const char *filtered = "SELECT t.id FROM members t WHERE 1 = 1 AND t.org_path >= ? AND t.org_path < ?"
			       " AND t.deleted_at IS NULL AND t.sex = ? AND t.is_mobile = ? ORDER BY t.id LIMIT 20";
	assert_plan_has(filtered, "members_org_path");
	/* The list's count and its page of ids: from the index alone. */
	assert_plan_has("SELECT COUNT(*) FROM members t WHERE 1 = 1 AND t.org_path >= ? AND t.org_path < ?"
			" AND t.deleted_at IS NULL AND t.status = ?",
			"COVERING INDEX members_org_path");
	assert_plan_has("SELECT t.id FROM members t WHERE 1 = 1 AND t.org_path >= ? AND t.org_path < ?"
			" AND t.deleted_at IS NULL AND t.status = ? ORDER BY t.id LIMIT ? OFFSET ?",
			"COVERING INDEX members_org_path");
	/* The export still walks the subtree in path order without sorting. */
	assert_plan_lacks("SELECT t.name FROM members t WHERE t.org_path >= ? AND t.org_path < ?"
			  " AND t.deleted_at IS NULL ORDER BY t.org_path, t.id",
			  "TEMP B-TREE");
	/* Meetings of a subtree with a status filter. */
	assert_plan_has("SELECT t.id FROM meetings t WHERE t.org_path >= ? AND t.org_path < ? AND t.status = ?",
			"meetings_org_path");
	/* Compliance: "has this org an active member?" per org, and the meetings of a subtree per month. */
	assert_plan_has("SELECT o.id FROM orgs o WHERE o.path >= ? AND o.path < ? AND EXISTS (SELECT 1 FROM members m"
			" WHERE m.org_id = o.id AND m.status = 'active' AND m.deleted_at IS NULL)",
			"COVERING INDEX members_org_id");
	assert_plan_has("SELECT o.id FROM orgs o WHERE o.path >= ? AND o.path < ? AND EXISTS (SELECT 1 FROM members m"
			" WHERE m.party_group_id = o.id AND m.status = 'active' AND m.deleted_at IS NULL)",
			"COVERING INDEX members_party_group_id");
	assert_plan_has("SELECT org_id, type, held_on FROM meeting_types WHERE org_path >= ? AND org_path < ?"
			" AND held_on >= ? AND held_on <= ?",
			"COVERING INDEX meeting_types_path");
	/* The dashboard's organizations per kind: the subtree root's pre-aggregated rows, one seek. */
	assert_plan_has("SELECT kind, n FROM org_kind_counts WHERE org_id = ? AND n <> 0 ORDER BY kind",
			"SEARCH org_kind_counts USING PRIMARY KEY (org_id=?)");
	assert_plan_lacks("SELECT kind, n FROM org_kind_counts WHERE org_id = ? AND n <> 0 ORDER BY kind", "TEMP B-TREE");
}

static int setup(void **state)
{
	(void)state;
	char path[300], key[320];
	int64_t root, orgs;
	dj_log_set_level(DJ_LOG_OFF);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dj-test-planner-XXXXXX");
	if (!mkdtemp(tmpdir) || dj_auth_init() != DJ_OK)
		return -1;
	snprintf(path, sizeof(path), "%s/p.db", tmpdir);
	snprintf(key, sizeof(key), "%s.key", path);
	if (dj_schema_open(path, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db) || dj_pii_open(key, 1, &pii))
		return -1;
	/* Data, so that the plans are those of a store in use. */
	return dj_demo_scale(db, pii, 7, 2000, NULL, NULL, &root, &orgs) == DJ_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dj_pii_free(pii);
	dj_db_close(db);
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_code_or_flag_indexes),
		cmocka_unit_test(test_subtree_queries_follow_the_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

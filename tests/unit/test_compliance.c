/* test_compliance.c — rule parameters resolved in memory (dj_rule_param_tab, loaded once per
 * compliance evaluation) against the per-path query they replace (dj_rule_param_get): nearest
 * setting by string prefix, newest per path, defaults, odd paths and values, on a real SQLite file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/compliance.h"
#include "dj/db.h"
#include "dj/log.h"
#include "dj/banned.h"

static char dbpath[256];

static int setup(void **state)
{
	(void)state;
	dj_log_set_level(DJ_LOG_OFF);
	snprintf(dbpath, sizeof(dbpath), "/tmp/dj-test-compliance-%ld.db", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[300];
	remove(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	remove(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	remove(p);
	return 0;
}

/* Settings in insertion order (ids ascending): several per path, paths that do not end in '/',
 * the empty path (prefix of everything), values that are not numbers or are too long. */
static const struct {
	const char *path, *rule, *param, *value;
} rows[] = {
	{ "/1/", "MTG-5", "min_per_quarter", "2" },
	{ "/1/50/", "MTG-5", "min_per_quarter", "3" },
	{ "/1/5", "MTG-5", "min_per_quarter", "4" },
	{ "/1/50/", "MTG-5", "min_per_quarter", "5" }, /* newer: replaces the 3 */
	{ "/1/50/7/", "MTG-5", "min_per_quarter", "x" },
	{ "/1/500/", "MTG-5", "min_per_quarter", "123456789012345678901234567890123456" },
	{ "/1/50/7/8/", "MTG-5", "min_per_quarter", "-2" },
	{ "/1/50/7/8/", "MTG-3", "theme_day_counts", "1" }, /* another parameter: ignored */
	{ "/1/6/", "MTG-5", "min_per_quarter", "0" },
	{ "/1/6/", "MTG-5", "min_per_quarter", "07" },
	{ "/2/", "MTG-3", "theme_day_counts", "1" },
	{ "", "MTG-3", "theme_day_counts", "0" },
	{ "/2/9/", "MTG-3", "theme_day_counts", "1" },
	{ "/2/9/", "MTG-3", "theme_day_counts", "0" },
};

static const char *const subtrees[] = { "/1/", "/1/50/", "/1/5/", "/1/50/7/", "/2/", "/2/9/", "/3/", "/1/6/" };
static const char *const paths[] = { "/1/",	   "/1/5/",	   "/1/50/",	  "/1/51/",	 "/1/500/",
				     "/1/500/3/",  "/1/50/7/",	   "/1/50/7/8/",  "/1/50/7/8/9/", "/1/50/70/",
				     "/1/6/",	   "/1/6/1/",	   "/2/",	  "/2/9/",	 "/2/9/10/",
				     "/2/90/",	   "/3/",	   "/3/4/",	  "/1/5/55/" };
static const char *const params[][2] = { { "MTG-5", "min_per_quarter" }, { "MTG-3", "theme_day_counts" } };

static struct dj_db *open_db(void)
{
	struct dj_db *db;
	struct dj_db_conn *c;
	struct dj_stmt *s;
	remove(dbpath);
	assert_int_equal(dj_db_open(dbpath, 1, DJ_DB_CREATE, &db), DJ_OK);
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_db_exec_sql(c, "CREATE TABLE IF NOT EXISTS rule_params (id INTEGER PRIMARY KEY, org_path TEXT NOT NULL,"
					   " rule TEXT NOT NULL, param TEXT NOT NULL, value TEXT NOT NULL, note TEXT, set_by TEXT,"
					   " set_at TEXT NOT NULL) STRICT;"
					   "CREATE INDEX IF NOT EXISTS rule_params_key ON rule_params(rule, param, org_path, id);"),
			 DJ_OK);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(dj_db_prepare(c, "INSERT INTO rule_params(org_path, rule, param, value, set_at)"
						  " VALUES (?, ?, ?, ?, '2026-01-01T00:00:00+08:00')", &s),
				 DJ_OK);
		dj_stmt_bind_text(s, 1, rows[i].path);
		dj_stmt_bind_text(s, 2, rows[i].rule);
		dj_stmt_bind_text(s, 3, rows[i].param);
		dj_stmt_bind_text(s, 4, rows[i].value);
		assert_int_equal(dj_stmt_exec(s), DJ_OK);
	}
	assert_int_equal(dj_db_commit(c), DJ_OK);
	return db;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* For every subtree and every path inside it, the table answers what the per-path query does. */
static void test_tab_matches_query(void **state)
{
	(void)state;
	struct dj_db *db = open_db();
	struct dj_db_conn *c;
	struct dj_arena a = DJ_ARENA_INIT;
	size_t compared = 0;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++) {
		for (size_t t = 0; t < sizeof(subtrees) / sizeof(subtrees[0]); t++) {
			struct dj_rule_param_tab tab;
			assert_int_equal(dj_rule_param_tab_load(c, subtrees[t], params[p][0], params[p][1], &a, &tab), DJ_OK);
			for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
				if (!starts_with(paths[i], subtrees[t]))
					continue;
				char want[64];
				assert_int_equal(dj_rule_param_get(c, paths[i], params[p][0], params[p][1], want, sizeof(want)), DJ_OK);
				if (strcmp(dj_rule_param_tab_get(&tab, paths[i]), want) != 0)
					fail_msg("%s/%s in %s at %s: table %s, query %s", params[p][0], params[p][1], subtrees[t], paths[i],
						 dj_rule_param_tab_get(&tab, paths[i]), want);
				assert_int_equal(dj_rule_param_tab_int(&tab, paths[i]),
						 dj_rule_param_int(c, paths[i], params[p][0], params[p][1]));
				compared++;
			}
		}
	}
	assert_true(compared > 40);
	dj_db_release(c);
	dj_arena_release(&a);
	dj_db_close(db);
}

/* The expected values spelled out, so that both sides being wrong the same way shows too. */
static void test_tab_values(void **state)
{
	(void)state;
	struct dj_db *db = open_db();
	struct dj_db_conn *c;
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_rule_param_tab t5, t3, none;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_rule_param_tab_load(c, "/1/", "MTG-5", "min_per_quarter", &a, &t5), DJ_OK);
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/"), 2);
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/51/"), 4);	 /* "/1/5" is a string prefix of it */
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/50/"), 5);	 /* newest of the path's two */
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/50/70/"), 5);	 /* "/1/50/7/" is not its prefix */
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/50/7/"), 0);	 /* "x" is not a number */
	assert_string_equal(dj_rule_param_tab_get(&t5, "/1/50/7/3/"), "x");
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/50/7/8/9/"), -2); /* nearest wins */
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/500/3/"), 0);	 /* too long to be a number */
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/6/1/"), 7);
	/* A subtree loads its ancestors' settings too, and the default stays when nothing applies. */
	assert_int_equal(dj_rule_param_tab_load(c, "/1/50/7/8/", "MTG-5", "min_per_quarter", &a, &t5), DJ_OK);
	assert_int_equal(dj_rule_param_tab_int(&t5, "/1/50/7/8/"), -2);
	assert_int_equal(dj_rule_param_tab_load(c, "/1/50/7/", "MTG-5", "min_per_quarter", &a, &t5), DJ_OK);
	assert_string_equal(dj_rule_param_tab_get(&t5, "/1/50/7/"), "x");
	assert_int_equal(dj_rule_param_tab_load(c, "/3/", "MTG-5", "min_per_quarter", &a, &t5), DJ_OK);
	assert_int_equal(t5.nrows, 0);
	assert_string_equal(dj_rule_param_tab_get(&t5, "/3/4/"), "1"); /* MTG-5's default */
	assert_int_equal(dj_rule_param_tab_int(&t5, "/3/4/"), 1);
	/* The empty path prefixes every path: the fallback before the default. */
	assert_int_equal(dj_rule_param_tab_load(c, "/3/", "MTG-3", "theme_day_counts", &a, &t3), DJ_OK);
	assert_int_equal(dj_rule_param_tab_int(&t3, "/3/4/"), 0);
	assert_int_equal(dj_rule_param_tab_load(c, "/2/", "MTG-3", "theme_day_counts", &a, &t3), DJ_OK);
	assert_int_equal(dj_rule_param_tab_int(&t3, "/2/"), 1);
	assert_int_equal(dj_rule_param_tab_int(&t3, "/2/9/10/"), 0);
	assert_int_equal(dj_rule_param_tab_int(&t3, "/2/90/"), 1);
	/* An unknown parameter: no default, no settings. */
	assert_int_equal(dj_rule_param_tab_load(c, "/1/", "MTG-9", "nothing", &a, &none), DJ_OK);
	assert_string_equal(dj_rule_param_tab_get(&none, "/1/50/"), "");
	assert_int_equal(dj_rule_param_tab_int(&none, "/1/50/"), 0);
	dj_db_release(c);
	dj_arena_release(&a);
	dj_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tab_matches_query),
		cmocka_unit_test(test_tab_values),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

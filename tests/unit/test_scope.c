/* test_scope.c — unit tests for data scopes: subtree coverage by materialized path, the
 * [org_path, path_hi) range used in SQL agreeing with dj_scope_covers, and role names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dj/scope.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void test_set_path_hi(void **state)
{
	(void)state;
	static const struct {
		const char *path, *hi;
	} t[] = {
		{ "/1/", "/10" },
		{ "/1/5/", "/1/50" },
		{ "/1/5/23/", "/1/5/230" },
		{ "/", "0" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_scope s;
		memset(&s, 0, sizeof(s));
		dj_scope_set_path(&s, t[i].path);
		assert_string_equal(s.org_path, t[i].path);
		assert_string_equal(s.path_hi, t[i].hi);
	}
	/* A path without its final '/' gets one. */
	struct dj_scope s;
	memset(&s, 0, sizeof(s));
	dj_scope_set_path(&s, "/1/5");
	assert_string_equal(s.org_path, "/1/5/");
	assert_string_equal(s.path_hi, "/1/50");
	/* Over-long paths are cut to DJ_PATH_MAX - 1 bytes, as snprintf did (the added '/' first);
	 * the range end is that with its last byte made '0'. */
	char p[DJ_PATH_MAX + 8], want[DJ_PATH_MAX];
	for (size_t n = DJ_PATH_MAX - 3; n <= DJ_PATH_MAX + 2; n++) {
		for (int slash = 0; slash < 2; slash++) {
			memset(p, 'a', n);
			p[0] = '/';
			if (slash)
				p[n - 1] = '/';
			p[n] = '\0';
			size_t full = n + (slash ? 0 : 1), m = full < DJ_PATH_MAX - 1 ? full : DJ_PATH_MAX - 1;
			memcpy(want, p, m <= n ? m : n);
			if (m > n)
				want[n] = '/';
			want[m] = '\0';
			memset(&s, 0xEE, sizeof(s));
			dj_scope_set_path(&s, p);
			assert_string_equal(s.org_path, want);
			want[strlen(want) - 1] = '0';
			assert_string_equal(s.path_hi, want);
		}
	}
}

static void test_covers_table(void **state)
{
	(void)state;
	static const struct {
		const char *scope, *path;
		bool covers;
	} t[] = {
		{ "/1/5/", "/1/5/", true },	  /* itself */
		{ "/1/5/", "/1/5/7/", true },
		{ "/1/5/", "/1/5/7/9/", true },
		{ "/1/5/", "/1/5/70/", true },
		{ "/1/5/", "/1/50/", false },	  /* a sibling whose id starts with 5 */
		{ "/1/5/", "/1/51/7/", false },
		{ "/1/5/", "/1/", false },	  /* the parent */
		{ "/1/5/", "/1/6/", false },
		{ "/1/5/", "/2/1/5/", false },
		{ "/1/5/", "/1/5", false },	  /* not a path of ours (no trailing '/') */
		{ "/1/5/", "", false },
		{ "/1/", "/1/5/", true },
		{ "/1/", "/10/", false },
		{ "/1/", "/1/", true },
		{ "/12/", "/1/2/", false },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_scope s;
		memset(&s, 0, sizeof(s));
		dj_scope_set_path(&s, t[i].scope);
		if (dj_scope_covers(&s, t[i].path) != t[i].covers)
			fail_msg("scope %s covers %s should be %d", t[i].scope, t[i].path, t[i].covers);
	}
	struct dj_scope s;
	memset(&s, 0, sizeof(s));
	dj_scope_set_path(&s, "/1/");
	assert_false(dj_scope_covers(&s, NULL));
	/* An empty scope covers nothing (fail closed). */
	memset(&s, 0, sizeof(s));
	assert_false(dj_scope_covers(&s, "/1/"));
	dj_scope_set_path(&s, "");
	assert_false(dj_scope_covers(&s, "/1/"));
}

static void test_range_agrees_with_covers(void **state)
{
	(void)state;
	/* SQL reads subtrees as path >= org_path AND path < path_hi; that must select exactly the
	 * paths dj_scope_covers accepts, for every pair in a small tree with confusable ids. */
	static const char *paths[] = {
		"/1/",	    "/1/5/",	"/1/5/7/",   "/1/5/70/", "/1/50/",	 "/1/50/5/", "/1/51/",
		"/1/6/",    "/10/",	"/10/5/",    "/2/",	 "/2/1/5/", "/1/5/7/9/", "/1/4/",
		"/1/49/",   "/1/5/0/",	"/100/",     "/19/",	 "/9/",	 "/1/5/99/", "/1/59/",
	};
	for (size_t i = 0; i < N_ELEMS(paths); i++) {
		struct dj_scope s;
		memset(&s, 0, sizeof(s));
		dj_scope_set_path(&s, paths[i]);
		for (size_t k = 0; k < N_ELEMS(paths); k++) {
			bool in_range = strcmp(paths[k], s.org_path) >= 0 && strcmp(paths[k], s.path_hi) < 0;
			bool prefix = strncmp(paths[k], paths[i], strlen(paths[i])) == 0;
			if (dj_scope_covers(&s, paths[k]) != in_range || in_range != prefix)
				fail_msg("scope %s, path %s: covers %d, range %d, prefix %d", paths[i], paths[k],
					 dj_scope_covers(&s, paths[k]), in_range, prefix);
		}
	}
}

static void test_roles(void **state)
{
	(void)state;
	static const struct {
		const char *name, *label;
		enum dj_role role;
	} t[] = {
		{ "admin", "系统管理员", DJ_ROLE_ADMIN },
		{ "org_admin", "组织管理员", DJ_ROLE_ORG_ADMIN },
		{ "member", "党员", DJ_ROLE_MEMBER },
		{ "secadmin", "安全管理员", DJ_ROLE_SECADMIN },
		{ "auditor", "审计管理员", DJ_ROLE_AUDITOR },
	};
	unsigned all = 0;
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		assert_int_equal(dj_role_parse(t[i].name), t[i].role);
		assert_string_equal(dj_role_name(t[i].role), t[i].name);
		assert_string_equal(dj_role_label(t[i].role), t[i].label);
		all |= t[i].role;
	}
	assert_int_equal(all, DJ_ROLES_ALL);
	static const char *bad[] = { "", "Admin", "ADMIN", "admin ", " admin", "none", "root", "org-admin", "审计管理员" };
	for (size_t i = 0; i < N_ELEMS(bad); i++)
		assert_int_equal(dj_role_parse(bad[i]), DJ_ROLE_NONE);
	assert_int_equal(dj_role_parse(NULL), DJ_ROLE_NONE);
	assert_string_equal(dj_role_name(DJ_ROLE_NONE), "none");
	assert_string_equal(dj_role_name((enum dj_role)3), "none"); /* combinations are not roles */
	assert_string_equal(dj_role_label(DJ_ROLE_NONE), "未知");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_path_hi),
		cmocka_unit_test(test_covers_table),
		cmocka_unit_test(test_range_agrees_with_covers),
		cmocka_unit_test(test_roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_router.c — unit tests for route matching (params, no match, wrong method, HEAD as GET,
 * trailing slashes) and query-string parsing (percent-decoding, '+', the limits). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dj/http.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Handlers are never called by the matcher; the table only needs methods and patterns. */
static const struct dj_route table[] = {
	{ "GET", "/api/v1/health", NULL, DJ_RT_PUBLIC, 0, NULL, NULL, NULL },          /* 0 */
	{ "GET", "/api/v1/orgs/{id}", NULL, 0, 0, NULL, NULL, NULL },                  /* 1 */
	{ "GET", "/api/v1/orgs/{id}/children", NULL, 0, 0, NULL, NULL, NULL },         /* 2 */
	{ "PATCH", "/api/v1/users/{id}", NULL, 0, 0, NULL, NULL, NULL },               /* 3 */
	{ "GET", "/api/v1/users", NULL, 0, 0, NULL, NULL, NULL },                      /* 4 */
	{ "POST", "/api/v1/users", NULL, 0, 0, NULL, NULL, NULL },                     /* 5 */
	{ "GET", "/a/{x}/b/{y}", NULL, 0, 0, NULL, NULL, NULL },                       /* 6 */
	{ "GET", "/p/{a}/{b}/{c}/{d}", NULL, 0, 0, NULL, NULL, NULL },                 /* 7: 4 = the max */
	{ "GET", "/q/{a}/{b}/{c}/{d}/{e}", NULL, 0, 0, NULL, NULL, NULL },             /* 8: too many */
	{ "DELETE", "/api/v1/session", NULL, 0, 0, NULL, NULL, NULL },                 /* 9 */
	{ "GET", "/", NULL, 0, 0, NULL, NULL, NULL },                                  /* 10 */
};

static void test_route_table(void **state)
{
	(void)state;
	static const struct {
		const char *method, *path;
		int want;
		const char *p[DJ_MAX_PATH_PARAMS];
	} t[] = {
		{ "GET", "/api/v1/health", 0, { NULL } },
		{ "HEAD", "/api/v1/health", 0, { NULL } },  /* HEAD is served by the GET route */
		{ "POST", "/api/v1/health", -2, { NULL } },
		{ "get", "/api/v1/health", -2, { NULL } },  /* methods are case-sensitive */
		{ "GET", "/api/v1/healthz", -1, { NULL } },
		{ "GET", "/api/v1/healt", -1, { NULL } },
		{ "GET", "/api/v1/health/", -1, { NULL } }, /* no trailing-slash aliasing */
		{ "GET", "/api/v1//health", -1, { NULL } },
		{ "GET", "/API/v1/health", -1, { NULL } },
		{ "GET", "/api/v1/orgs/5", 1, { "5" } },
		{ "HEAD", "/api/v1/orgs/5", 1, { "5" } },
		{ "GET", "/api/v1/orgs/中文", 1, { "中文" } },
		{ "GET", "/api/v1/orgs/5/", -1, { NULL } },
		{ "GET", "/api/v1/orgs/", -1, { NULL } },   /* empty parameter */
		{ "GET", "/api/v1/orgs", -1, { NULL } },
		{ "DELETE", "/api/v1/orgs/5", -2, { NULL } },
		{ "GET", "/api/v1/orgs/5/children", 2, { "5" } },
		{ "GET", "/api/v1/orgs//children", -1, { NULL } },
		{ "GET", "/api/v1/orgs/5/children/", -1, { NULL } },
		{ "GET", "/api/v1/orgs/5/childrenx", -1, { NULL } },
		{ "PATCH", "/api/v1/users/7", 3, { "7" } },
		{ "HEAD", "/api/v1/users/7", -2, { NULL } }, /* no GET route there */
		{ "GET", "/api/v1/users/7", -2, { NULL } },
		{ "GET", "/api/v1/users", 4, { NULL } },
		{ "POST", "/api/v1/users", 5, { NULL } },
		{ "HEAD", "/api/v1/users", 4, { NULL } },
		{ "DELETE", "/api/v1/users", -2, { NULL } },
		{ "GET", "/a/1/b/2", 6, { "1", "2" } },
		{ "GET", "/a/x-y_z/b/%20", 6, { "x-y_z", "%20" } }, /* the matcher does not decode */
		{ "GET", "/a/1/b/", -1, { NULL } },
		{ "GET", "/a/1/c/2", -1, { NULL } },
		{ "GET", "/p/1/2/3/4", 7, { "1", "2", "3", "4" } },
		{ "GET", "/q/1/2/3/4/5", -1, { NULL } }, /* more placeholders than DJ_MAX_PATH_PARAMS */
		{ "DELETE", "/api/v1/session", 9, { NULL } },
		{ "HEAD", "/api/v1/session", -2, { NULL } },
		{ "GET", "/", 10, { NULL } },
		{ "GET", "//", -1, { NULL } },
		{ "GET", "", -1, { NULL } },
		{ "GET", "api/v1/health", -1, { NULL } },
		{ "GET", "/api/v1/health?x=1", -1, { NULL } }, /* the query is split off before routing */
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_arena a = DJ_ARENA_INIT;
		const char *params[DJ_MAX_PATH_PARAMS] = { NULL };
		int np = -1;
		int got = dj_http_route(table, N_ELEMS(table), t[i].method, t[i].path, &a, params, &np);
		if (got != t[i].want)
			fail_msg("%s %s: route %d, want %d", t[i].method, t[i].path, got, t[i].want);
		if (got >= 0) {
			int want_np = 0;
			while (want_np < DJ_MAX_PATH_PARAMS && t[i].p[want_np])
				want_np++;
			assert_int_equal(np, want_np);
			for (int k = 0; k < np; k++)
				assert_string_equal(params[k], t[i].p[k]);
		}
		dj_arena_release(&a);
	}
}

static void test_route_params_are_copies(void **state)
{
	(void)state;
	struct dj_arena a = DJ_ARENA_INIT;
	char path[] = "/a/left/b/right";
	const char *params[DJ_MAX_PATH_PARAMS];
	int np = 0;
	assert_int_equal(dj_http_route(table, N_ELEMS(table), "GET", path, &a, params, &np), 6);
	memset(path, 'z', sizeof(path) - 1);
	assert_string_equal(params[0], "left");
	assert_string_equal(params[1], "right");
	dj_arena_release(&a);
	/* NULL path: no match, nothing written. */
	np = -7;
	assert_int_equal(dj_http_route(table, N_ELEMS(table), "GET", NULL, &a, params, &np), -1);
	assert_int_equal(np, -7);
	/* An empty table matches nothing. */
	assert_int_equal(dj_http_route(table, 0, "GET", "/", &a, params, &np), -1);
	dj_arena_release(&a);
}

static void test_route_first_match_wins(void **state)
{
	(void)state;
	static const struct dj_route t2[] = {
		{ "GET", "/x/new", NULL, 0, 0, NULL, NULL, NULL },
		{ "GET", "/x/{id}", NULL, 0, 0, NULL, NULL, NULL },
		{ "POST", "/y/{id}", NULL, 0, 0, NULL, NULL, NULL },
		{ "GET", "/y/{id}", NULL, 0, 0, NULL, NULL, NULL },
	};
	struct dj_arena a = DJ_ARENA_INIT;
	const char *params[DJ_MAX_PATH_PARAMS];
	int np;
	assert_int_equal(dj_http_route(t2, N_ELEMS(t2), "GET", "/x/new", &a, params, &np), 0);
	assert_int_equal(np, 0);
	assert_int_equal(dj_http_route(t2, N_ELEMS(t2), "GET", "/x/7", &a, params, &np), 1);
	/* A method mismatch on an earlier route does not hide a later route that fits. */
	assert_int_equal(dj_http_route(t2, N_ELEMS(t2), "GET", "/y/3", &a, params, &np), 3);
	assert_string_equal(params[0], "3");
	assert_int_equal(dj_http_route(t2, N_ELEMS(t2), "POST", "/y/3", &a, params, &np), 2);
	assert_int_equal(dj_http_route(t2, N_ELEMS(t2), "PUT", "/y/3", &a, params, &np), -2);
	dj_arena_release(&a);
}

/* ---- query strings ---------------------------------------------------------------------------- */

struct kv {
	const char *k, *v;
};

static void test_query_table(void **state)
{
	(void)state;
	static const struct {
		const char *qs;
		dj_rc rc;
		int n;
		struct kv kv[4];
	} t[] = {
		{ "", DJ_OK, 0, { { NULL, NULL } } },
		{ "a=1", DJ_OK, 1, { { "a", "1" } } },
		{ "a=1&b=%E4%B8%AD", DJ_OK, 2, { { "a", "1" }, { "b", "中" } } },
		{ "b=%e4%b8%ad", DJ_OK, 1, { { "b", "中" } } },
		{ "q=hello+world", DJ_OK, 1, { { "q", "hello world" } } },
		{ "q=a%2Bb", DJ_OK, 1, { { "q", "a+b" } } },
		{ "q=%25", DJ_OK, 1, { { "q", "%" } } },
		{ "q=%26x%3Dy", DJ_OK, 1, { { "q", "&x=y" } } },
		{ "flag", DJ_OK, 1, { { "flag", "" } } },
		{ "a=", DJ_OK, 1, { { "a", "" } } },
		{ "a=1=2", DJ_OK, 1, { { "a", "1=2" } } },
		{ "a=1&&b=2", DJ_OK, 2, { { "a", "1" }, { "b", "2" } } },
		{ "&a=1&", DJ_OK, 1, { { "a", "1" } } },
		{ "a=1&a=2", DJ_OK, 2, { { "a", "1" }, { "a", "2" } } },
		{ "%E5%90%8D=%E5%80%BC", DJ_OK, 1, { { "名", "值" } } },
		{ "k+x=v", DJ_OK, 1, { { "k x", "v" } } },
		{ "a=中文", DJ_OK, 1, { { "a", "中文" } } }, /* raw UTF-8 is accepted */
		{ "=1", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=1&=2", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%4", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%zz", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%4g", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%g4", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%%41", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "%=1", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%00", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "%00=1", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=x%00y", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%FF", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "a=%C0%80", DJ_ERR_BADREQ, 0, { { NULL, NULL } } }, /* overlong NUL */
		{ "a=%ED%A0%80", DJ_ERR_BADREQ, 0, { { NULL, NULL } } }, /* surrogate */
		{ "a=%E4%B8", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },   /* truncated */
		{ "a=\xff", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
		{ "%FF=1", DJ_ERR_BADREQ, 0, { { NULL, NULL } } },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_req r;
		memset(&r, 0, sizeof(r));
		r.nquery = 99;
		dj_rc rc = dj_http_parse_query(&r, t[i].qs);
		if (rc != t[i].rc)
			fail_msg("query [%s]: rc %d, want %d", t[i].qs, rc, t[i].rc);
		if (rc == DJ_OK) {
			assert_int_equal(r.nquery, t[i].n);
			for (int k = 0; k < t[i].n; k++) {
				if (strcmp(r.query[k].key, t[i].kv[k].k) || strcmp(r.query[k].value, t[i].kv[k].v))
					fail_msg("query [%s] #%d: [%s]=[%s], want [%s]=[%s]", t[i].qs, k, r.query[k].key,
						 r.query[k].value, t[i].kv[k].k, t[i].kv[k].v);
			}
		}
		dj_arena_release(&r.arena);
	}
}

static void test_query_lookup(void **state)
{
	(void)state;
	struct dj_req r;
	memset(&r, 0, sizeof(r));
	assert_int_equal(dj_http_parse_query(&r, "page=2&per_page=50&q=%E5%85%9A&page=9"), DJ_OK);
	assert_string_equal(dj_req_query(&r, "page"), "2"); /* the first of duplicates */
	assert_string_equal(dj_req_query(&r, "per_page"), "50");
	assert_string_equal(dj_req_query(&r, "q"), "党");
	assert_null(dj_req_query(&r, "missing"));
	assert_null(dj_req_query(&r, "Page"));
	/* NULL means no query string. */
	assert_int_equal(dj_http_parse_query(&r, NULL), DJ_OK);
	assert_int_equal(r.nquery, 0);
	dj_arena_release(&r.arena);
}

static void test_query_param_limit(void **state)
{
	(void)state;
	char qs[1024];
	size_t n = 0;
	for (int i = 0; i < DJ_MAX_QUERY_PARAMS; i++)
		n += (size_t)snprintf(qs + n, sizeof(qs) - n, "%sk%d=%d", i ? "&" : "", i, i);
	struct dj_req r;
	memset(&r, 0, sizeof(r));
	assert_int_equal(dj_http_parse_query(&r, qs), DJ_OK);
	assert_int_equal(r.nquery, DJ_MAX_QUERY_PARAMS);
	assert_string_equal(r.query[DJ_MAX_QUERY_PARAMS - 1].key, "k31");
	assert_string_equal(r.query[DJ_MAX_QUERY_PARAMS - 1].value, "31");
	/* Empty items do not count... */
	char qs2[1100];
	snprintf(qs2, sizeof(qs2), "&&%s&&", qs);
	assert_int_equal(dj_http_parse_query(&r, qs2), DJ_OK);
	assert_int_equal(r.nquery, DJ_MAX_QUERY_PARAMS);
	/* ...but a 33rd parameter is refused. */
	snprintf(qs2, sizeof(qs2), "%s&x=1", qs);
	assert_int_equal(dj_http_parse_query(&r, qs2), DJ_ERR_BADREQ);
	assert_true(r.nquery <= DJ_MAX_QUERY_PARAMS);
	snprintf(qs2, sizeof(qs2), "%s&x", qs);
	assert_int_equal(dj_http_parse_query(&r, qs2), DJ_ERR_BADREQ);
	dj_arena_release(&r.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_table),
		cmocka_unit_test(test_route_params_are_copies),
		cmocka_unit_test(test_route_first_match_wins),
		cmocka_unit_test(test_query_table),
		cmocka_unit_test(test_query_lookup),
		cmocka_unit_test(test_query_param_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

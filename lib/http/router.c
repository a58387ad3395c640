/* router.c — matching a method and path against the one route table; query-string parsing. */
#include <string.h>
#include "dj/http.h"
#include "dj/slice.h"
#include "dj/banned.h"

int dj_http_route(const struct dj_route *routes, size_t nroutes, const char *method, const char *path,
		  struct dj_arena *a, const char **params, int *nparams)
{
	int path_matched = 0;
	if (!path || path[0] != '/')
		return -1;
	for (size_t i = 0; i < nroutes; i++) {
		const char *p = routes[i].pattern, *u = path;
		int np = 0, ok = 1;
		const char *pv[DJ_MAX_PATH_PARAMS];
		size_t pl[DJ_MAX_PATH_PARAMS];
		while (*p && *u) {
			if (*p == '{') {
				const char *pe = strchr(p, '}');
				size_t ul = strcspn(u, "/");
				if (!pe || ul == 0 || np >= DJ_MAX_PATH_PARAMS) {
					ok = 0;
					break;
				}
				pv[np] = u;
				pl[np] = ul;
				np++;
				p = pe + 1;
				u += ul;
			} else if (*p == *u) {
				p++;
				u++;
			} else {
				ok = 0;
				break;
			}
		}
		if (!ok || *p || *u)
			continue;
		if (strcmp(routes[i].method, method) != 0 &&
		    !(strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			path_matched = 1;
			continue;
		}
		for (int k = 0; k < np; k++)
			params[k] = dj_arena_strndup(a, pv[k], pl[k]);
		*nparams = np;
		return (int)i;
	}
	return path_matched ? -2 : -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX and '+' into a fresh arena string; NULL on bad encoding or invalid UTF-8. */
static char *decode(struct dj_arena *a, const char *s, size_t n)
{
	char *out = dj_arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return NULL;
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return NULL;
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) || !dj_utf8_valid(out, o))
		return NULL;
	return out;
}

dj_rc dj_http_parse_query(struct dj_req *r, const char *qs)
{
	struct dj_slice rest = dj_slice_from(qs), item;
	r->nquery = 0;
	while (rest.len) {
		rest = dj_slice_cut(rest, '&', &item);
		if (item.len == 0)
			continue;
		struct dj_slice k;
		struct dj_slice v = dj_slice_cut(item, '=', &k);
		if (k.len == 0)
			return DJ_ERR_BADREQ;
		if (r->nquery >= DJ_MAX_QUERY_PARAMS)
			return DJ_ERR_BADREQ;
		char *key = decode(&r->arena, k.base, k.len);
		char *val = decode(&r->arena, v.base, v.len);
		if (!key || !val)
			return DJ_ERR_BADREQ;
		r->query[r->nquery].key = key;
		r->query[r->nquery].value = val;
		r->nquery++;
	}
	return DJ_OK;
}

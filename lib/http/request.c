/* request.c — request helpers for handlers: query, headers, cookies, params, errors, paging, lists. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dj/http.h"
#include "dj/slice.h"
#include "dj/banned.h"

struct dj_jw *dj_req_jw(struct dj_req *r)
{
	return &r->jw;
}

const char *dj_req_query(const struct dj_req *r, const char *name)
{
	for (int i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].key, name) == 0)
			return r->query[i].value;
	return NULL;
}

const char *dj_req_header(const struct dj_req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *dj_req_cookie(const struct dj_req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name) : NULL;
}

dj_rc dj_req_param_id(struct dj_req *r, int i, int64_t *out)
{
	if (i >= r->nparams || dj_parse_int_str(r->params[i], 1, INT64_MAX, out))
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, NULL);
	return DJ_OK;
}

void dj_req_add_header(struct dj_req *r, const char *k, const char *v)
{
	if (r->nheaders >= DJ_MAX_RESP_HEADERS)
		return;
	r->headers[r->nheaders].key = dj_arena_strdup(&r->arena, k);
	r->headers[r->nheaders].value = dj_arena_strdup(&r->arena, v);
	r->nheaders++;
}

dj_rc dj_req_fail_code(struct dj_req *r, dj_rc rc, const char *code, const char *field, const char *msg)
{
	r->status = dj_rc_http_status(rc);
	dj_strbuf_reset(&r->out);
	dj_jw_init(&r->jw, &r->out);
	struct dj_jw *w = &r->jw;
	dj_jw_obj_begin(w);
	dj_jw_key(w, "error");
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "code", code ? code : dj_rc_code(rc));
	dj_jw_kstr(w, "message", msg ? msg : dj_rc_message(rc));
	dj_jw_kstr(w, "field", field);
	dj_jw_knull(w, "details");
	dj_jw_obj_end(w);
	dj_jw_obj_end(w);
	return rc;
}

dj_rc dj_req_fail(struct dj_req *r, dj_rc rc, const char *field, const char *fmt, ...)
{
	char msg[512];
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	return dj_req_fail_code(r, rc, NULL, field, fmt ? msg : NULL);
}

struct dj_actor dj_req_actor(const struct dj_req *r)
{
	struct dj_actor a = { 0, NULL, r->client_ip };
	if (r->user) {
		a.user_id = r->user->user_id;
		a.username = r->user->username;
	}
	return a;
}

dj_rc dj_req_paging(struct dj_req *r, int64_t *page, int64_t *per_page)
{
	const char *p = dj_req_query(r, "page"), *pp = dj_req_query(r, "per_page");
	*page = 1;
	*per_page = 20;
	if (p && dj_parse_int_str(p, 1, 1000000, page))
		return dj_req_fail(r, DJ_ERR_INVALID, "page", "page 应为 1 到 1000000 的整数");
	if (pp && dj_parse_int_str(pp, 1, 200, per_page))
		return dj_req_fail(r, DJ_ERR_INVALID, "per_page", "per_page 应为 1 到 200 的整数");
	return DJ_OK;
}

void dj_req_list_begin(struct dj_req *r)
{
	dj_jw_obj_begin(&r->jw);
	dj_jw_key(&r->jw, "items");
	dj_jw_arr_begin(&r->jw);
}

void dj_req_list_end(struct dj_req *r, int64_t total, int64_t page, int64_t per_page)
{
	dj_jw_arr_end(&r->jw);
	dj_jw_kint(&r->jw, "total", total);
	dj_jw_kint(&r->jw, "page", page);
	dj_jw_kint(&r->jw, "per_page", per_page);
	dj_jw_obj_end(&r->jw);
}

/* http.h — the HTTP layer: requests, responses, the route table and the server loop
 * (libmicrohttpd, thread pool + epoll). Handlers never see libmicrohttpd. */
#ifndef DJ_HTTP_H
#define DJ_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "dj/alloc.h"
#include "dj/app.h"
#include "dj/auth.h"
#include "dj/json.h"
#include "dj/rc.h"
#include "dj/strbuf.h"

#define DJ_MAX_BODY_DEFAULT (1024 * 1024)
#define DJ_MAX_PATH_PARAMS 4
#define DJ_MAX_QUERY_PARAMS 32
#define DJ_MAX_RESP_HEADERS 8
#define DJ_MAX_HEADER_BYTES 16384 /* request line + headers: the size of the connection pool they are read into */

struct dj_req;
/** Every handler has this signature. It writes its JSON into r->out via dj_req_jw()
 *  and returns DJ_OK, or returns the result of dj_req_fail(). */
typedef dj_rc (*dj_handler_fn)(struct dj_req *r);

/** Route flags. */
enum {
	DJ_RT_PUBLIC = 1,     /* no session needed */
	DJ_RT_UPLOAD = 2,     /* body may be up to max_upload (imports) */
	DJ_RT_NO_CSRF = 4,    /* state-changing but exempt from CSRF (login: no session yet) */
	DJ_RT_INTERNAL = 8,   /* /metrics: loopback or token, not in OpenAPI */
};

/** One route. Patterns are literal segments and {name} placeholders: "/api/v1/orgs/{id}". */
struct dj_route {
	const char *method;
	const char *pattern;
	dj_handler_fn fn;
	unsigned flags;
	unsigned roles;       /* bitmask of enum dj_role allowed; ignored for public routes */
	const char *tag;      /* OpenAPI tag (Chinese area name) */
	const char *summary;  /* OpenAPI summary (Chinese) */
	const char *body;     /* OpenAPI: request body description or NULL */
};

struct dj_kv {
	const char *key, *value;
};

/** A request and its response under construction. Lives for one request; memory
 *  from r->arena is freed in one call at the end. */
struct dj_req {
	struct dj_app *app;
	struct dj_arena arena;
	const char *method;
	const char *path;
	const char *client_ip;
	bool loopback;
	const struct dj_route *route;
	int route_index;
	const char *params[DJ_MAX_PATH_PARAMS];
	int nparams;
	struct dj_kv query[DJ_MAX_QUERY_PARAMS];
	int nquery;
	struct dj_strbuf body;
	json_t *json;                 /* parsed body for JSON routes (owned; freed at the end) */
	struct dj_session_user *user; /* NULL for public routes without a session */
	void *conn;                   /* the libmicrohttpd connection (lib/http only) */
	/* response */
	int status;
	struct dj_strbuf out;
	struct dj_jw jw;
	const char *content_type;
	const char *content_disposition;
	struct dj_kv headers[DJ_MAX_RESP_HEADERS];
	int nheaders;
	const void *raw_body;         /* static bytes to send instead of out (assets) */
	size_t raw_len;
};

/** The JSON writer for the response body (status defaults to 200). */
struct dj_jw *dj_req_jw(struct dj_req *r);
/** A query parameter's value, or NULL. */
const char *dj_req_query(const struct dj_req *r, const char *name);
/** A request header's value, or NULL. */
const char *dj_req_header(const struct dj_req *r, const char *name);
/** A cookie's value, or NULL. */
const char *dj_req_cookie(const struct dj_req *r, const char *name);
/** Path parameter i parsed as a positive id; on failure fails the request with 404. */
dj_rc dj_req_param_id(struct dj_req *r, int i, int64_t *out);
/** Add a response header (copied into the arena). */
void dj_req_add_header(struct dj_req *r, const char *k, const char *v);
/** Fail the request: status from rc, body {"error":{code,message,field,details:null}}.
 *  fmt may be NULL for the default message of rc. Returns rc. */
dj_rc dj_req_fail(struct dj_req *r, dj_rc rc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/** Fail with an explicit error code string (e.g. "bad_credentials"). */
dj_rc dj_req_fail_code(struct dj_req *r, dj_rc rc, const char *code, const char *field, const char *msg);
/** An actor for audit entries from the request's session. */
struct dj_actor dj_req_actor(const struct dj_req *r);
/** Paging from ?page=&per_page= (per_page ≤ 200, default 20); fails the request on bad values. */
dj_rc dj_req_paging(struct dj_req *r, int64_t *page, int64_t *per_page);
/** Start a list response {"items":[ ... ; close with dj_req_list_end. */
void dj_req_list_begin(struct dj_req *r);
void dj_req_list_end(struct dj_req *r, int64_t total, int64_t page, int64_t per_page);

/** Run the server until SIGTERM/SIGINT: binds cfg->listen:cfg->port (0 = any free port),
 *  prints "listening on http://ADDR:PORT" to stdout, finishes in-flight requests on
 *  shutdown. Returns DJ_OK on a clean stop. */
dj_rc dj_http_serve(struct dj_app *app, const struct dj_route *routes, size_t nroutes);

/** Match method+path against the table (exported for tests and the fuzzer):
 *  returns the route index, -1 if no path matched, -2 if the path matched but not the
 *  method. Params point into a copy in the arena. */
int dj_http_route(const struct dj_route *routes, size_t nroutes, const char *method, const char *path,
		  struct dj_arena *a, const char **params, int *nparams);

/** Parse a query string ("a=1&b=%E4%B8%AD") into r->query (decoded copies in the arena).
 *  DJ_ERR_BADREQ on bad percent-encoding, invalid UTF-8 or too many parameters. */
dj_rc dj_http_parse_query(struct dj_req *r, const char *qs);

/* ---- metrics (lib/http/metrics.c) ---- */
/** Create counters for nroutes routes. */
struct dj_metrics *dj_metrics_new(size_t nroutes);
void dj_metrics_free(struct dj_metrics *m);
/** Record one request: route index (-1 for unmatched), status and duration. */
void dj_metrics_observe(struct dj_metrics *m, int route, int status, int64_t micros);
/** Write the Prometheus text exposition into sb. */
void dj_metrics_render(struct dj_metrics *m, const struct dj_route *routes, size_t nroutes, struct dj_app *app,
		       struct dj_strbuf *sb);

#endif

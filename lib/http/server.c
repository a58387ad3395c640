/* server.c — the libmicrohttpd adapter: limits, sessions and CSRF, dispatch through the route
 * table, security headers, embedded UI assets, metrics, and graceful shutdown. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dj/assets.h"
#include "dj/date.h"
#include "dj/http.h"
#include "dj/log.h"
#include "dj/slice.h"
#include "dj/banned.h"

struct server {
	struct dj_app *app;
	const struct dj_route *routes;
	size_t nroutes;
	atomic_int in_flight;
};

/* Per-request state, allocated in the URI-log callback (the first thing MHD calls). */
struct ctx {
	struct dj_req req;
	char *raw_uri;
	int64_t start_us;
	size_t limit;
	bool too_big;
	bool header_checked;
	bool responded;
	size_t discarded;
	int route_idx; /* dj_http_route's answer, found when the headers came in */
	struct server *srv;
};

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
			  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
			  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct server *srv = cls;
	struct ctx *x = dj_calloc(1, sizeof(*x));
	(void)conn;
	x->srv = srv;
	x->start_us = now_us();
	x->raw_uri = dj_strdup(uri ? uri : "/");
	dj_strbuf_init(&x->req.body, 0);
	dj_strbuf_init(&x->req.out, 0);
	dj_jw_init(&x->req.jw, &x->req.out);
	x->req.status = 200;
	x->req.route_index = -1;
	atomic_fetch_add(&srv->in_flight, 1);
	return x;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct ctx *x = *con_cls;
	(void)conn;
	(void)toe;
	if (!x)
		return;
	int64_t dur = now_us() - x->start_us;
	dj_metrics_observe(srv->app->metrics, x->req.route_index, x->req.status, dur);
	if (x->req.json)
		json_decref(x->req.json);
	dj_strbuf_release(&x->req.body);
	dj_strbuf_release(&x->req.out);
	dj_arena_release(&x->req.arena);
	dj_free(x->req.user);
	dj_free(x->raw_uri);
	dj_free(x);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy", "camera=(self), geolocation=()");
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct ctx *x)
{
	struct dj_req *r = &x->req;
	struct MHD_Response *resp;
	if (r->raw_body) {
		resp = MHD_create_response_from_buffer(r->raw_len, (void *)(uintptr_t)r->raw_body,
						       MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len;
		char *body = dj_strbuf_detach(&r->out, &len);
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			dj_free(body);
	}
	if (!resp)
		return MHD_NO;
	add_common_headers(resp);
	MHD_add_response_header(resp, "Content-Type",
				r->content_type ? r->content_type : "application/json; charset=utf-8");
	if (!r->raw_body && !r->content_type)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->content_disposition)
		MHD_add_response_header(resp, "Content-Disposition", r->content_disposition);
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].key, r->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	x->responded = true;
	return ret;
}

static bool is_loopback(struct MHD_Connection *conn, char *ip, size_t iplen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(ip, iplen, "unknown");
	if (!ci || !ci->client_addr)
		return false;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
		/* Dotted quad by hand: inet_ntop's generic path cost ~1,700 instructions per request. */
		uint32_t a = ntohl(sin->sin_addr.s_addr);
		char buf[16], *o = buf;
		for (int k = 3; k >= 0; k--) {
			unsigned v = (a >> (8 * k)) & 255;
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
			*o++ = k ? '.' : '\0';
		}
		if (iplen >= (size_t)(o - buf))
			memcpy(ip, buf, (size_t)(o - buf));
		return (a >> 24) == 127;
	}
	if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)iplen);
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return false;
}

/* Static UI: exact asset, else the SPA's index.html for page routes. */
static bool serve_asset(struct MHD_Connection *conn, struct dj_req *r, const char *path)
{
	const struct dj_asset *a = dj_assets_find(strcmp(path, "/") == 0 ? "/index.html" : path);
	if (!a) {
		const char *last = strrchr(path, '/');
		if (strncmp(path, "/api/", 5) == 0 || strncmp(path, "/assets/", 8) == 0 || (last && strchr(last, '.')))
			return false;
		a = dj_assets_find("/index.html");
		if (!a)
			return false;
	}
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	r->content_type = a->mime;
	dj_req_add_header(r, "ETag", a->etag);
	dj_req_add_header(r, "Cache-Control", a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	if (inm && strcmp(inm, a->etag) == 0) {
		r->status = 304;
		r->raw_body = "";
		r->raw_len = 0;
	} else {
		r->raw_body = a->data;
		r->raw_len = a->len;
	}
	return true;
}

static bool method_has_body(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
	       strcmp(m, "DELETE") == 0;
}

/* MHD hands the path over percent-decoded as a C string, so a "%00" would silently cut it short
 * ("/index.html%00.js" served as "/index.html"): look for it in the raw request target. */
static bool raw_path_has_nul(const char *raw)
{
	for (const char *p = raw; *p && *p != '?'; p++)
		if (p[0] == '%' && p[1] == '0' && p[2] == '0')
			return true;
	return false;
}

static void dispatch_route(struct MHD_Connection *conn, struct ctx *x, const char *method, const char *url)
{
	struct server *srv = x->srv;
	struct dj_req *r = &x->req;
	const char *q = strchr(x->raw_uri, '?');
	r->method = method;
	r->path = url;

	if (!dj_utf8_valid(url, strlen(url))) {
		dj_req_fail(r, DJ_ERR_BADREQ, NULL, "请求路径不是有效的 UTF-8");
		return;
	}
	if (raw_path_has_nul(x->raw_uri)) {
		dj_req_fail(r, DJ_ERR_BADREQ, NULL, "请求路径含有空字符（%%00）");
		return;
	}
	if (q && dj_http_parse_query(r, q + 1)) {
		dj_req_fail(r, DJ_ERR_BADREQ, NULL, "查询参数格式错误（编码无效或参数过多）");
		return;
	}
	int idx = x->route_idx; /* routed once, on the first call (the body limit depends on the route) */
	if (idx == -2) {
		char allow[64] = "";
		static const char *const methods[] = { "GET", "POST", "PATCH", "PUT", "DELETE" };
		for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			const char *pp[DJ_MAX_PATH_PARAMS];
			int np = 0;
			if (dj_http_route(srv->routes, srv->nroutes, methods[m], url, &r->arena, pp, &np) >= 0) {
				size_t l = strlen(allow);
				snprintf(allow + l, sizeof(allow) - l, "%s%s", l ? ", " : "", methods[m]);
			}
		}
		dj_req_fail(r, DJ_ERR_METHOD, NULL, "该地址不支持 %s 方法", method);
		dj_req_add_header(r, "Allow", allow);
		return;
	}
	if (idx < 0) {
		if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) && serve_asset(conn, r, url))
			return;
		dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, "接口或页面不存在：%s", url);
		return;
	}
	const struct dj_route *rt = &srv->routes[idx];
	r->route = rt;
	r->route_index = idx;

	if (x->too_big) {
		dj_req_fail(r, DJ_ERR_TOOBIG, NULL, "请求体超过上限 %zu 字节", x->limit);
		return;
	}
	if (rt->flags & DJ_RT_INTERNAL) {
		const char *auth = dj_req_header(r, "Authorization");
		const char *tok = srv->app->cfg->metrics_token;
		bool tok_ok = false;
		if (tok && auth && strncmp(auth, "Bearer ", 7) == 0) {
			size_t a = strlen(auth + 7), b = strlen(tok);
			tok_ok = a == b && sodium_memcmp(auth + 7, tok, a) == 0;
		}
		if (!r->loopback && !tok_ok) {
			dj_req_fail(r, DJ_ERR_FORBIDDEN, NULL, "仅允许本机或持有令牌的监控系统访问");
			return;
		}
	}

	/* Session: required unless public; loaded when present either way. */
	const char *cookie = dj_req_cookie(r, "dj_session");
	if (cookie) {
		struct dj_session_user *u = dj_calloc(1, sizeof(*u));
		dj_rc rc = dj_auth_session_check(srv->app->db, &srv->app->policy, cookie, u);
		if (rc == DJ_OK) {
			r->user = u;
		} else {
			dj_free(u);
			if (rc != DJ_ERR_UNAUTH) {
				dj_req_fail(r, rc, NULL, NULL);
				return;
			}
		}
	}
	if (!(rt->flags & DJ_RT_PUBLIC)) {
		if (!r->user) {
			dj_req_fail_code(r, DJ_ERR_UNAUTH, "unauthorized", NULL, "未登录或登录已超时，请重新登录");
			return;
		}
		if (!(rt->roles & (unsigned)r->user->role)) {
			dj_req_fail(r, DJ_ERR_FORBIDDEN, NULL, "您的角色（%s）无权使用此功能", dj_role_label(r->user->role));
			return;
		}
	}
	bool writes = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	if (writes && r->user && !(rt->flags & DJ_RT_NO_CSRF)) {
		const char *h = dj_req_header(r, "X-DJ-CSRF");
		if (!h || strlen(h) != DJ_TOKEN_HEX || sodium_memcmp(h, r->user->csrf, DJ_TOKEN_HEX) != 0) {
			dj_req_fail_code(r, DJ_ERR_FORBIDDEN, "csrf_failed", NULL,
					 "缺少或错误的 X-DJ-CSRF 请求头（防跨站请求伪造校验失败）");
			return;
		}
	}
	if (method_has_body(method) && !(rt->flags & DJ_RT_UPLOAD) && r->body.len > 0) {
		const char *ct = dj_req_header(r, "Content-Type");
		char err[256];
		if (!ct || strncmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
			dj_req_fail_code(r, DJ_ERR_BADREQ, "unsupported_media_type", NULL,
					 "请求体应为 JSON（Content-Type: application/json）");
			return;
		}
		dj_rc rc = dj_json_parse_body(r->body.buf, r->body.len, &r->json, err, sizeof(err));
		if (rc) {
			dj_req_fail_code(r, rc, rc == DJ_ERR_TOOBIG ? "too_large" : "malformed_json", NULL, err);
			return;
		}
	}
	/* One allocation for a typical answer (a member is ~1 KiB) instead of doubling from 64 bytes. */
	dj_strbuf_grow(&r->out, 2047);
	dj_rc rc = rt->fn(r);
	if (rc && r->status < 400)
		dj_req_fail(r, rc, NULL, NULL);
	if (rc && dj_rc_http_status(rc) >= 500)
		dj_log_error("request_failed", "method=%s path=\"%s\" rc=%s", method, url, dj_rc_code(rc));
}

/* A read request's session check and handler share one reader and one snapshot (dj_db_pin). */
static void dispatch(struct MHD_Connection *conn, struct ctx *x, const char *method, const char *url)
{
	struct dj_db *db = x->srv->app->db;
	bool reads = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (reads)
		dj_db_pin(db);
	dispatch_route(conn, x, method, url);
	if (reads)
		dj_db_unpin(db);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct ctx *x = *con_cls;
	(void)version;
	if (!x)
		return MHD_NO; /* uri_log always allocates; this is defensive */
	if (x->responded) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!x->header_checked) {
		/* First call: headers only. Do not queue a response here (MHD would close the connection). */
		x->header_checked = true;
		char ip[INET6_ADDRSTRLEN + 1];
		x->req.app = srv->app;
		x->req.conn = conn;
		x->req.loopback = is_loopback(conn, ip, sizeof(ip));
		x->req.client_ip = dj_arena_strdup(&x->req.arena, ip);
		int idx = dj_http_route(srv->routes, srv->nroutes, method, url, &x->req.arena, x->req.params,
					&x->req.nparams);
		x->route_idx = idx;
		bool upload_route = idx >= 0 && (srv->routes[idx].flags & DJ_RT_UPLOAD);
		x->limit = upload_route ? srv->app->cfg->max_upload : srv->app->cfg->max_body;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		int64_t n;
		if (cl && dj_parse_int_str(cl, 0, INT64_MAX, &n) == DJ_OK && (uint64_t)n > x->limit) {
			x->too_big = true;
			/* Far too big: answer 413 before reading the body (no 100 Continue) and let MHD close.
			 * Moderately too big: drain the body and answer 413 at its end, so a client that
			 * streams its body (browsers, fetch) receives the answer instead of a reset. */
			if ((uint64_t)n > 4 * (uint64_t)x->limit + (1u << 20)) {
				dj_req_fail(&x->req, DJ_ERR_TOOBIG, NULL, "请求体超过上限 %zu 字节", x->limit);
				return send_response(conn, x);
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		size_t got = *upload_size;
		*upload_size = 0;
		if (!x->too_big && x->req.body.len + got <= x->limit &&
		    dj_strbuf_add(&x->req.body, upload, got) == DJ_OK)
			return MHD_YES;
		/* A chunked body grew past the limit: drop what follows (answered 413 at the end),
		 * but cut off a client that keeps sending far beyond it. */
		x->too_big = true;
		x->discarded += got;
		return x->discarded > 4 * x->limit + (1u << 20) ? MHD_NO : MHD_YES;
	}
	dispatch(conn, x, method, url);
	return send_response(conn, x);
}

dj_rc dj_http_serve(struct dj_app *app, const struct dj_route *routes, size_t nroutes)
{
	struct server srv = { app, routes, nroutes, 0 };
	struct sockaddr_in addr;
	sigset_t set;
	int sig = 0;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)app->cfg->port);
	if (inet_pton(AF_INET, app->cfg->listen, &addr.sin_addr) != 1) {
		dj_log_error("bad_listen_address", "listen=\"%s\"", app->cfg->listen);
		return DJ_ERR_INVALID;
	}
	/* Block the stop signals in every thread; the main thread waits for them below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The connection pool holds the request's header block (MHD answers 431 when it does not fit)
	 * and the answer's headers. MHD clears it between the requests of a keep-alive connection, so
	 * its size is paid on every request: 16 KiB instead of 32 KiB halved that cost, and makes the
	 * header limit the documented 16 KiB (it was about 32 KiB). */
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, &srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)app->cfg->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)app->cfg->per_ip_conns, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)app->cfg->conn_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)DJ_MAX_HEADER_BYTES,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, &srv, MHD_OPTION_NOTIFY_COMPLETED, completed, &srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!d) {
		dj_log_error("listen_failed", "listen=%s port=%d", app->cfg->listen, app->cfg->port);
		return DJ_ERR_IO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	int port = di ? di->port : app->cfg->port;
	printf("listening on http://%s:%d\n", app->cfg->listen, port);
	fflush(stdout);
	dj_log_info("server_started", "listen=%s port=%d threads=%d", app->cfg->listen, port, app->cfg->threads);

	while (sigwait(&set, &sig) != 0)
		;
	dj_log_info("server_stopping", "signal=%d in_flight=%d", sig, atomic_load(&srv.in_flight));
	/* Graceful: stop accepting, let in-flight requests finish (up to 10 s), then stop. */
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	int64_t deadline = dj_time_mono_ms() + 10000;
	while (atomic_load(&srv.in_flight) > 0 && dj_time_mono_ms() < deadline)
		usleep(10000);
	MHD_stop_daemon(d);
	dj_log_info("server_stopped", "signal=%d", sig);
	return DJ_OK;
}

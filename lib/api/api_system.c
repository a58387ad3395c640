/* api_system.c — health, Prometheus metrics and the OpenAPI document. */
#include "dj/api.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_health(struct dj_req *r)
{
	struct dj_jw *w = dj_req_jw(r);
	struct dj_db_conn *c;
	struct dj_stmt *s;
	const char *db = "ok";
	if (dj_db_reader(r->app->db, &c)) {
		db = "unavailable";
	} else {
		if (dj_db_prepare(c, "SELECT 1", &s) || dj_stmt_step(s) != DJ_ROW)
			db = "unavailable";
		else
			dj_stmt_reset(s);
		dj_db_release(c);
	}
	if (db[0] != 'o')
		r->status = 503;
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "status", db[0] == 'o' ? "ok" : "degraded");
	dj_jw_kstr(w, "version", r->app->version);
	dj_jw_kstr(w, "db", db);
	dj_jw_kint(w, "schema_version", dj_db_schema_version(r->app->db));
	dj_jw_obj_end(w);
	return DJ_OK;
}

dj_rc dj_api_metrics(struct dj_req *r)
{
	size_t n;
	const struct dj_route *routes = dj_api_routes(&n);
	dj_metrics_render(r->app->metrics, routes, n, r->app, &r->out);
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return DJ_OK;
}

dj_rc api_openapi(struct dj_req *r)
{
	dj_api_openapi(&r->out);
	return DJ_OK;
}

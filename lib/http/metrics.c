/* metrics.c — request counters by route and status, a latency histogram, and the Prometheus text. */
#include <stdatomic.h>
#include <stdio.h>
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/http.h"
#include "dj/banned.h"

/* Status classes kept per route: 2xx, 3xx, 4xx, 5xx, plus a few exact codes people alert on. */
static const int tracked_status[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 422, 423, 500, 503 };
#define NSTATUS (sizeof(tracked_status) / sizeof(tracked_status[0]) + 1) /* +1: other */
static const double bucket_le[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct route_counters {
	atomic_llong by_status[NSTATUS];
	atomic_llong buckets[NBUCKETS];
	atomic_llong count;
	atomic_llong sum_us;
};

struct dj_metrics {
	size_t nroutes;
	struct route_counters *r; /* nroutes + 1; the last is "unmatched" (assets, 404s) */
	int64_t started;
};

struct dj_metrics *dj_metrics_new(size_t nroutes)
{
	struct dj_metrics *m = dj_calloc(1, sizeof(*m));
	m->nroutes = nroutes;
	m->r = dj_calloc(nroutes + 1, sizeof(*m->r));
	return m;
}

void dj_metrics_free(struct dj_metrics *m)
{
	if (!m)
		return;
	dj_free(m->r);
	dj_free(m);
}

void dj_metrics_observe(struct dj_metrics *m, int route, int status, int64_t micros)
{
	if (!m)
		return;
	struct route_counters *c = &m->r[route >= 0 && (size_t)route < m->nroutes ? (size_t)route : m->nroutes];
	size_t si = NSTATUS - 1;
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (tracked_status[i] == status) {
			si = i;
			break;
		}
	atomic_fetch_add(&c->by_status[si], 1);
	atomic_fetch_add(&c->count, 1);
	atomic_fetch_add(&c->sum_us, micros);
	for (size_t b = 0; b < NBUCKETS; b++)
		if ((double)micros / 1e6 <= bucket_le[b])
			atomic_fetch_add(&c->buckets[b], 1);
}

void dj_metrics_render(struct dj_metrics *m, const struct dj_route *routes, size_t nroutes, struct dj_app *app,
		       struct dj_strbuf *sb)
{
	dj_strbuf_adds(sb, "# HELP dj_http_requests_total HTTP requests by route and status.\n"
			   "# TYPE dj_http_requests_total counter\n");
	for (size_t i = 0; i <= nroutes && i <= m->nroutes; i++) {
		const char *method = i < nroutes ? routes[i].method : "ANY";
		const char *pat = i < nroutes ? routes[i].pattern : "unmatched";
		for (size_t s = 0; s < NSTATUS; s++) {
			long long v = atomic_load(&m->r[i].by_status[s]);
			if (!v)
				continue;
			if (s < NSTATUS - 1)
				dj_strbuf_addf(sb, "dj_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lld\n",
					       method, pat, tracked_status[s], v);
			else
				dj_strbuf_addf(sb, "dj_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %lld\n",
					       method, pat, v);
		}
	}
	dj_strbuf_adds(sb, "# HELP dj_http_request_duration_seconds Request latency by route.\n"
			   "# TYPE dj_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= nroutes && i <= m->nroutes; i++) {
		long long count = atomic_load(&m->r[i].count);
		if (!count)
			continue;
		const char *method = i < nroutes ? routes[i].method : "ANY";
		const char *pat = i < nroutes ? routes[i].pattern : "unmatched";
		for (size_t b = 0; b < NBUCKETS; b++)
			dj_strbuf_addf(sb,
				       "dj_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %lld\n",
				       method, pat, bucket_le[b], (long long)atomic_load(&m->r[i].buckets[b]));
		dj_strbuf_addf(sb, "dj_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %lld\n",
			       method, pat, count);
		dj_strbuf_addf(sb, "dj_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method,
			       pat, (double)atomic_load(&m->r[i].sum_us) / 1e6);
		dj_strbuf_addf(sb, "dj_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %lld\n", method,
			       pat, count);
	}
	struct dj_db_stats st;
	dj_db_stats(app->db, &st);
	dj_strbuf_addf(sb,
		       "# TYPE dj_db_transactions_total counter\n"
		       "dj_db_transactions_total{result=\"commit\"} %lld\n"
		       "dj_db_transactions_total{result=\"rollback\"} %lld\n"
		       "# TYPE dj_db_reader_waits_total counter\ndj_db_reader_waits_total %lld\n"
		       "# TYPE dj_db_checkpoints_total counter\ndj_db_checkpoints_total %lld\n"
		       "# TYPE dj_db_readers gauge\ndj_db_readers{state=\"total\"} %d\ndj_db_readers{state=\"busy\"} %d\n"
		       "# TYPE dj_db_size_bytes gauge\ndj_db_size_bytes %lld\n",
		       (long long)st.tx_committed, (long long)st.tx_rolled_back, (long long)st.busy_waits,
		       (long long)st.checkpoints, st.readers_total, st.readers_busy, (long long)(st.page_count * st.page_size));
	dj_strbuf_addf(sb, "# TYPE dj_sessions_active gauge\ndj_sessions_active %lld\n",
		       (long long)dj_auth_active_sessions(app->db, &app->policy));
	dj_strbuf_addf(sb, "# TYPE dj_build_info gauge\ndj_build_info{version=\"%s\"} 1\n", app->version);
}

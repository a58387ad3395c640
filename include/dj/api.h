/* api.h — the JSON API: the one route table and the OpenAPI document generated from it. */
#ifndef DJ_API_H
#define DJ_API_H
#include <stddef.h>
#include "dj/http.h"
#include "dj/strbuf.h"

/** The route table (static storage); *n gets its length. */
const struct dj_route *dj_api_routes(size_t *n);
/** Write the OpenAPI 3 document for the route table into sb. */
void dj_api_openapi(struct dj_strbuf *sb);
/** The Prometheus metrics handler needs the table too; exported for lib/api/api_system.c. */
dj_rc dj_api_metrics(struct dj_req *r);

/** Background jobs (imports) of one server process; dj_jobs_free waits for running ones. */
struct dj_jobs *dj_jobs_new(void);
void dj_jobs_free(struct dj_jobs *j);

#endif

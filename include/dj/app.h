/* app.h — the explicit application context passed to every handler (no globals). */
#ifndef DJ_APP_H
#define DJ_APP_H
#include "dj/auth.h"
#include "dj/config.h"
#include "dj/db.h"

struct dj_metrics;
struct dj_pii;
struct dj_jobs;

/** Everything a request may need. Owned by the serve command; borrowed by handlers. */
struct dj_app {
	const struct dj_config *cfg;
	struct dj_db *db;
	struct dj_pii *pii;           /* PII cipher (NULL until keys are loaded) */
	struct dj_metrics *metrics;
	struct dj_jobs *jobs;         /* background imports (lib/api/jobs.c) */
	struct dj_auth_policy policy;
	const char *version;
};

/** Version string of this build. */
const char *dj_version(void);

#endif

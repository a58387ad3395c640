/* findings.h — rule findings (ARCHITECTURE.md "Rule findings"): what a rule found about an org,
 * member or period, with the rule ID from RULES.md, its source, severity and a Chinese message. */
#ifndef DJ_FINDINGS_H
#define DJ_FINDINGS_H
#include <stdint.h>
#include "dj/json.h"

enum dj_severity { DJ_SEV_INFO, DJ_SEV_WARNING, DJ_SEV_ERROR };

/** One finding; strings borrowed (static or arena). */
struct dj_finding {
	const char *rule;     /* "ORG-7" */
	enum dj_severity severity;
	const char *message;  /* Chinese, with the numbers involved */
	int64_t org_id;       /* 0 = none */
	int64_t member_id;    /* 0 = none */
	const char *period;   /* "2026-Q3" or NULL */
	const char *due_on;   /* YYYY-MM-DD or NULL */
	const char *source;   /* document and article */
	const char *version;  /* rule set version in force, e.g. "branch-2018" */
};

/** "error" / "warning" / "info". */
const char *dj_severity_name(enum dj_severity s);
/** Write a finding as the API's JSON object. */
void dj_finding_write(struct dj_jw *w, const struct dj_finding *f);

#endif

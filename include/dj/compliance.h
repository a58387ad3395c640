/* compliance.h — organizational-life frequency rules (MTG-1 … MTG-9) evaluated per org and period,
 * local-practice parameters per subtree with history, and the compliance dashboard. One code path
 * yields findings for the dashboard, the inbox (reminders) and the findings API. */
#ifndef DJ_COMPLIANCE_H
#define DJ_COMPLIANCE_H
#include <stdbool.h>
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/db.h"
#include "dj/findings.h"
#include "dj/model.h"

/** A configurable parameter of a rule (🔶 local practice or ⚠️ version risk). Static storage. */
struct dj_rule_param_def {
	const char *rule, *param, *label, *def, *kind; /* kind: "int" or "bool" */
	int64_t min, max;
};
extern const struct dj_rule_param_def dj_rule_param_defs[];

/** Effective value of a parameter for an org path: the newest setting of the nearest ancestor
 *  (or the org itself), else the default. out ≥ 32 bytes. */
dj_rc dj_rule_param_get(struct dj_db_conn *c, const char *org_path, const char *rule, const char *param, char *out,
			size_t n);
/** Set a parameter for org_id's subtree (org in scope; admin role); history kept; audited. */
dj_rc dj_rule_param_set(const struct dj_model_ctx *x, int64_t org_id, const char *rule, const char *param,
			const char *value, const char *note, struct dj_model_err *err);
/** Effective parameters for an org plus the change history of its path, as JSON. */
dj_rc dj_rule_params_write(const struct dj_model_ctx *x, int64_t org_id, struct dj_jw *w);

/** An integer parameter's effective value for an org path (default when unset or invalid). */
int64_t dj_rule_param_int(struct dj_db_conn *c, const char *org_path, const char *rule, const char *param);

/** One parameter's settings that can reach the orgs of one subtree — the ones set on the subtree's
 *  root, its ancestors or anywhere below — loaded with one query, so that each org's effective
 *  value is found in memory: for every path inside the subtree dj_rule_param_tab_get() answers what
 *  dj_rule_param_get() would. Filled by dj_rule_param_tab_load(); all memory in its arena. */
struct dj_rule_param_tab {
	const char *def;                /* the default's text ("" for an unknown parameter) */
	int64_t def_int;                /* and as dj_rule_param_tab_int() reads it */
	struct dj_rule_param_row *rows; /* the newest setting per distinct path, sorted by path */
	size_t nrows;
	size_t *lens; /* the distinct lengths of those paths, longest first */
	size_t nlens;
};

/** Load the settings of rule/param that can apply inside subtree_path (an org path) into *out.
 *  Strings and arrays come from a. */
dj_rc dj_rule_param_tab_load(struct dj_db_conn *c, const char *subtree_path, const char *rule, const char *param,
			     struct dj_arena *a, struct dj_rule_param_tab *out);
/** Effective value text for an org path inside the loaded subtree: the newest setting of the
 *  longest path that prefixes org_path, else the default. Borrowed from the table's arena. */
const char *dj_rule_param_tab_get(const struct dj_rule_param_tab *t, const char *org_path);
/** dj_rule_param_tab_get() as an integer, parsed exactly as dj_rule_param_int() does. */
int64_t dj_rule_param_tab_int(const struct dj_rule_param_tab *t, const char *org_path);

struct dj_compliance_query {
	int64_t org_id;          /* 0 = the scope's root */
	bool subtree;            /* the org and its descendants (default) or only the org */
	struct dj_date from, to; /* periods overlapping [from, to] are evaluated */
	const char *rule;        /* only this rule ID, or NULL */
	int min_severity;        /* -1 = all */
	int remind_days;         /* warn about the current period this many days before it ends */
	bool no_message;         /* the callback reads no finding's message (NULL then): skip writing it */
	/* Called with the callback's arg for each evaluated org, before that org's findings; or NULL. */
	dj_rc (*on_org)(void *arg, int64_t org_id, const char *org_path);
};

/** Called for each finding; org_path is the evaluated org's path. */
typedef dj_rc (*dj_finding_fn)(void *arg, const struct dj_finding *f, const char *org_name);

/** Evaluate MTG-1 … MTG-9 for every branch/group in the query's subtree (inside sc). Past
 *  periods that fall short are errors; the current one is a warning near its end. */
dj_rc dj_compliance_eval(const struct dj_model_ctx *x, const struct dj_compliance_query *q, struct dj_date today,
			 dj_finding_fn fn, void *arg);

/** The dashboard for an org's children over a year: per child and month the share of its
 *  branches that met every rule (green ≥ 90 %, amber ≥ 60 %, red below), overall percent and
 *  the worst offenders. */
dj_rc dj_compliance_dashboard(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_date today,
			      struct dj_jw *w);

#endif

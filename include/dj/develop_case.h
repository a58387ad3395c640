/* develop_case.h — the development pipeline (发展党员): one case per person through the 5 stages and
 * 25 steps of RULES.md §4.1, each step dated and judged by the rule set in force on its date
 * (dev-2014 / dev-2026 ⚠️), refused when it breaks a DEV rule unless an admin overrides with a
 * written reason; the admission creates the 预备党员 record and the conversion makes them 正式. */
#ifndef DJ_DEVELOP_CASE_H
#define DJ_DEVELOP_CASE_H
#include "dj/date.h"
#include "dj/model.h"

extern const struct dj_entity dj_dev_case_entity;

/** One of the 25 steps. Static storage. */
struct dj_dev_step {
	int no;              /* 1..25 */
	int stage;           /* 1..5 */
	const char *code, *name;
	const char *date_key; /* the timeline key its date fills (applied_on ...) or NULL */
	int requires[4];     /* steps that must be done first (0-terminated) */
};
extern const struct dj_dev_step dj_dev_steps[];
/** The stage names: index 1..5 (入党申请人 … 预备党员的教育考察和转正). */
extern const char *const dj_dev_stage_names[];

/** Create a case (the 入党申请 step 1 is recorded from applied_on); audited. */
dj_rc dj_dev_case_create(const struct dj_model_ctx *x, struct dj_value *vals, int64_t *id, struct dj_model_err *err);
/** Write a case with its steps, the timeline check (findings, deadlines) and the next steps. */
dj_rc dj_dev_case_write(const struct dj_model_ctx *x, int64_t id, struct dj_date switch_on, struct dj_jw *w);
/** Record a step from JSON {step, done_on, document?, data?, override_reason?}. A step that
 *  would add an error finding is refused (DJ_ERR_INVALID naming the rule) unless admin gives
 *  override_reason. is_admin tells whether the caller may override. Audited. */
dj_rc dj_dev_step_add(const struct dj_model_ctx *x, int64_t id, const json_t *body, struct dj_date switch_on, bool is_admin,
		      int64_t *step_id, struct dj_model_err *err);
/** Counts of open cases by stage for each child of org_id (the pipeline board). */
dj_rc dj_dev_board(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_jw *w);
/** Set the annual development quota of an org (plan); audited. */
dj_rc dj_dev_plan_set(const struct dj_model_ctx *x, int64_t org_id, int year, int64_t quota, struct dj_model_err *err);

#include "dj/io.h"
/** The case's documents (grouped by the five stages), filled from its dates and people:
 *  申请登记, 积极分子备案报告, 发展对象公示, 入党志愿书封面信息, 接收预备党员的请示, 转正的请示.
 *  Only documents whose steps are recorded are produced. *docs and strings are arena memory;
 *  stages[i] gives each document's stage. */
dj_rc dj_dev_documents(const struct dj_model_ctx *x, int64_t id, struct dj_doc **docs, int **stages, size_t *n);

#endif

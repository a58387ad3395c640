/* develop.h — the development timeline check (发展党员 时间线审核, RULES.md §4): the DEV-* time and
 * threshold rules of the dev-2014 and dev-2026 (⚠️) sets, findings and computed deadlines. */
#ifndef DJ_DEVELOP_H
#define DJ_DEVELOP_H
#include <stdbool.h>
#include "dj/date.h"
#include "dj/json.h"
#include "dj/rc.h"

/** Default date from which dev-2026 governs a step (an admin setting; ⚠️ until confirmed). */
#define DJ_DEV_SWITCH_DEFAULT "2026-05-18"

/** Check a timeline given as JSON {rule_set?, birth_date, applied_on, talked_on, activist_on,
 *  target_on, publicized_from, publicized_to, training_days, training_hours, prereviewed_on,
 *  admitted_on, approved_on, oath_on, extended_months, converted_on}. Writes
 *  {"rule_set", "findings":[{rule, severity, message, version}], "deadlines":{...}} into w.
 *  Bad input (wrong types, impossible dates) → DJ_ERR_INVALID with *field and a Chinese err. */
dj_rc dj_develop_check(const json_t *timeline, struct dj_date switch_on, struct dj_jw *w, const char **field, char *err,
		       size_t errlen);
struct dj_calendar;
/** As dj_develop_check, counting 公示 working days with the S-5 calendar (NULL = weekdays only,
 *  flagged provisional). */
dj_rc dj_develop_check_cal(const json_t *timeline, struct dj_date switch_on, const struct dj_calendar *cal,
			   struct dj_jw *w, const char **field, char *err, size_t errlen);

#endif

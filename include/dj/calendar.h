/* calendar.h — the working-day calendar (S-5): national holidays and 调休 working weekends, edited by an
 * admin per year; a year with no entries is counted by weekdays and flagged provisional. */
#ifndef DJ_CALENDAR_H
#define DJ_CALENDAR_H
#include <stdbool.h>
#include <stddef.h>
#include "dj/date.h"
#include "dj/model.h"

struct dj_calendar_day {
	int64_t day;  /* dj_date_to_days */
	char kind;    /* 'h' holiday (not worked), 'w' working day (a 调休 weekend) */
};

/** A loaded calendar (arena memory). */
struct dj_calendar {
	struct dj_calendar_day *days; /* sorted by day */
	size_t n;
	int year_lo, year_hi;         /* years with at least one entry are "known" */
	unsigned char known[200];     /* known[y - 1950] */
};

/** True if d is a working day; *provisional is set when d's year has no calendar entries. */
bool dj_calendar_workday(const struct dj_calendar *cal, struct dj_date d, bool *provisional);
/** Load every entry (small: ~30 a year) into the arena. */
dj_rc dj_calendar_load(struct dj_db_conn *c, struct dj_arena *a, struct dj_calendar *cal);
/** Set (kind 'h' or 'w') or clear (kind 0) one day with a name; admin; audited. */
dj_rc dj_calendar_set(const struct dj_model_ctx *x, struct dj_date d, char kind, const char *name, struct dj_model_err *err);
/** A year's entries as list items. */
dj_rc dj_calendar_write(struct dj_db_conn *c, int year, struct dj_jw *w, int64_t *n);

#endif

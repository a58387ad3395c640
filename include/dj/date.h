/* date.h — calendar dates as day numbers: parsing, calendar-month arithmetic, quarters, 周岁 ages. */
#ifndef DJ_DATE_H
#define DJ_DATE_H
#include <stdbool.h>
#include <stdint.h>
#include "dj/rc.h"

/** A civil date. Valid years are 1800..2999. */
struct dj_date {
	int y, m, d;
};

/** Parse strict "YYYY-MM-DD" (n bytes, no trailing data) into *out; rejects impossible dates. */
dj_rc dj_date_parse(const char *s, size_t n, struct dj_date *out);
/** Parse strict "YYYYMMDD" (as in 身份证号). */
dj_rc dj_date_parse_compact(const char *s, struct dj_date *out);
/** Format as "YYYY-MM-DD" into buf (at least 11 bytes). Returns buf. */
char *dj_date_format(struct dj_date d, char buf[static 11]);
/** True if d is a real calendar date in range. */
bool dj_date_valid(struct dj_date d);
/** True if y is a Gregorian leap year. */
bool dj_date_leap(int y);
/** Days in month m of year y. */
int dj_date_mdays(int y, int m);
/** Days since 1970-01-01 (negative before). */
int64_t dj_date_to_days(struct dj_date d);
/** Inverse of dj_date_to_days. */
struct dj_date dj_date_from_days(int64_t days);
/** Add n days. */
struct dj_date dj_date_add_days(struct dj_date d, int64_t n);
/** Add n calendar months, clamped to month end (RULES.md S-3: 01-31 + 1 = 02-28/29). */
struct dj_date dj_date_add_months(struct dj_date d, int n);
/** <0, 0, >0 as a is before, equal to, after b. */
int dj_date_cmp(struct dj_date a, struct dj_date b);
/** Quarter 1..4 of a date. */
int dj_date_quarter(struct dj_date d);
/** Completed years (周岁) on date `on` for someone born `birth` (RULES.md S-7:
 *  the birthday itself completes the year; a 02-29 birthday completes on 02-28
 *  in common years, by the same month-end clamp as S-3). */
int dj_date_age(struct dj_date birth, struct dj_date on);
/** Today in UTC+8 (China Standard Time). */
struct dj_date dj_date_today(void);
/** Current time as RFC 3339 with +08:00 offset into buf (≥ 26 bytes). */
char *dj_time_rfc3339(int64_t unix_seconds, char buf[static 26]);
/** Seconds since the epoch (wall clock). */
int64_t dj_time_now(void);
/** Monotonic milliseconds, for durations. */
int64_t dj_time_mono_ms(void);

#endif

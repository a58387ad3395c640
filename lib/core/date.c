/* date.c — civil dates as day numbers (Howard Hinnant's algorithms), calendar months, quarters, 周岁. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dj/date.h"
#include "dj/banned.h"

bool dj_date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int dj_date_mdays(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && dj_date_leap(y) ? 29 : md[m - 1];
}

bool dj_date_valid(struct dj_date d)
{
	return d.y >= 1800 && d.y <= 2999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
	       d.d <= dj_date_mdays(d.y, d.m);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

dj_rc dj_date_parse(const char *s, size_t n, struct dj_date *out)
{
	struct dj_date d;
	if (!s || n != 10 || s[4] != '-' || s[7] != '-')
		return DJ_ERR_INVALID;
	if (digits(s, 4, &d.y) || digits(s + 5, 2, &d.m) || digits(s + 8, 2, &d.d))
		return DJ_ERR_INVALID;
	if (!dj_date_valid(d))
		return DJ_ERR_INVALID;
	*out = d;
	return DJ_OK;
}

dj_rc dj_date_parse_compact(const char *s, struct dj_date *out)
{
	struct dj_date d;
	if (!s || digits(s, 4, &d.y) || digits(s + 4, 2, &d.m) || digits(s + 6, 2, &d.d))
		return DJ_ERR_INVALID;
	if (!dj_date_valid(d))
		return DJ_ERR_INVALID;
	*out = d;
	return DJ_OK;
}

char *dj_date_format(struct dj_date d, char buf[static 11])
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", d.y % 10000, d.m % 100, d.d % 100);
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
	return buf;
}

int64_t dj_date_to_days(struct dj_date d)
{
	int64_t y = d.y - (d.m <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (d.m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d.d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct dj_date dj_date_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	struct dj_date r = { (int)(y + (m <= 2)), (int)m, (int)d };
	return r;
}

struct dj_date dj_date_add_days(struct dj_date d, int64_t n)
{
	return dj_date_from_days(dj_date_to_days(d) + n);
}

struct dj_date dj_date_add_months(struct dj_date d, int n)
{
	/* S-3: calendar months, clamped to the target month's last day. */
	int total = d.y * 12 + (d.m - 1) + n;
	struct dj_date r;
	r.y = total / 12;
	r.m = total % 12 + 1;
	int md = dj_date_mdays(r.y, r.m);
	r.d = d.d > md ? md : d.d;
	return r;
}

int dj_date_cmp(struct dj_date a, struct dj_date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

int dj_date_quarter(struct dj_date d)
{
	return (d.m - 1) / 3 + 1;
}

int dj_date_age(struct dj_date birth, struct dj_date on)
{
	/* S-7: completed years; the birthday completes the year. A 02-29 birthday is
	 * reached on 02-28 in common years (month-end clamp, as S-3). */
	int age = on.y - birth.y;
	int bd = birth.d;
	if (birth.m == 2 && birth.d == 29 && !dj_date_leap(on.y))
		bd = 28;
	if (on.m < birth.m || (on.m == birth.m && on.d < bd))
		age--;
	return age < 0 ? 0 : age;
}

int64_t dj_time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t dj_time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct dj_date dj_date_today(void)
{
	int64_t t = dj_time_now() + 8 * 3600; /* China Standard Time, no DST */
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	return dj_date_from_days(days);
}

char *dj_time_rfc3339(int64_t unix_seconds, char buf[static 26])
{
	int64_t t = unix_seconds + 8 * 3600;
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	struct dj_date d = dj_date_from_days(days);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d+08:00", d.y % 10000, d.m % 100, d.d % 100,
		 (int)(secs / 3600) % 100, (int)(secs / 60 % 60), (int)(secs % 60));
	memcpy(buf, tmp, 25);
	buf[25] = '\0';
	return buf;
}

/* test_date.c — unit tests for calendar dates: strict parsing, day numbers, calendar-month
 * arithmetic (RULES.md S-3), quarters, 周岁 ages (RULES.md S-7) and RFC 3339 times in UTC+8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dj/date.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct dj_date D(int y, int m, int d)
{
	struct dj_date r = { y, m, d };
	return r;
}

static void assert_date(struct dj_date got, struct dj_date want, const char *ctx)
{
	if (dj_date_cmp(got, want) != 0)
		fail_msg("%s: got %04d-%02d-%02d, want %04d-%02d-%02d", ctx, got.y, got.m, got.d, want.y, want.m,
			 want.d);
}

static void test_parse_strict(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int n; /* -1 = strlen */
		bool ok;
		int y, m, d;
	} t[] = {
		{ "2024-02-29", -1, true, 2024, 2, 29 },
		{ "2023-02-28", -1, true, 2023, 2, 28 },
		{ "2000-02-29", -1, true, 2000, 2, 29 },
		{ "1800-01-01", -1, true, 1800, 1, 1 },
		{ "2999-12-31", -1, true, 2999, 12, 31 },
		{ "2024-12-31", -1, true, 2024, 12, 31 },
		{ "2023-02-29", -1, false, 0, 0, 0 },
		{ "1900-02-29", -1, false, 0, 0, 0 }, /* 1900 is not a leap year */
		{ "2100-02-29", -1, false, 0, 0, 0 },
		{ "2024-04-31", -1, false, 0, 0, 0 },
		{ "2024-13-01", -1, false, 0, 0, 0 },
		{ "2024-00-10", -1, false, 0, 0, 0 },
		{ "2024-01-00", -1, false, 0, 0, 0 },
		{ "2024-01-32", -1, false, 0, 0, 0 },
		{ "1799-12-31", -1, false, 0, 0, 0 },
		{ "3000-01-01", -1, false, 0, 0, 0 },
		{ "0000-01-01", -1, false, 0, 0, 0 },
		{ "2024-2-1", -1, false, 0, 0, 0 },
		{ "2024-02-1", -1, false, 0, 0, 0 },
		{ "2024-2-01", -1, false, 0, 0, 0 },
		{ "24-02-01", -1, false, 0, 0, 0 },
		{ "2024/02/29", -1, false, 0, 0, 0 },
		{ "20240229", -1, false, 0, 0, 0 },
		{ "2024-02-29x", -1, false, 0, 0, 0 }, /* trailing data */
		{ "2024-02-29 ", -1, false, 0, 0, 0 },
		{ "2024-02-29T00:00:00", -1, false, 0, 0, 0 },
		{ " 2024-02-29", -1, false, 0, 0, 0 },
		{ "2024-02-29", 9, false, 0, 0, 0 },  /* length cuts the day */
		{ "2024-02-2", -1, false, 0, 0, 0 },
		{ "2024-0a-01", -1, false, 0, 0, 0 },
		{ "-024-02-01", -1, false, 0, 0, 0 },
		{ "+024-02-01", -1, false, 0, 0, 0 },
		{ "2024-+2-01", -1, false, 0, 0, 0 },
		{ "2024- 2-01", -1, false, 0, 0, 0 },
		{ "２０２４-02-01", -1, false, 0, 0, 0 },
		{ "", -1, false, 0, 0, 0 },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_date d = { -1, -1, -1 };
		size_t n = t[i].n < 0 ? strlen(t[i].s) : (size_t)t[i].n;
		dj_rc rc = dj_date_parse(t[i].s, n, &d);
		if ((rc == DJ_OK) != t[i].ok)
			fail_msg("dj_date_parse(\"%s\", %zu) = %d", t[i].s, n, rc);
		if (t[i].ok)
			assert_date(d, D(t[i].y, t[i].m, t[i].d), t[i].s);
		else
			assert_int_equal(d.y, -1); /* untouched */
	}
	struct dj_date d;
	assert_int_equal(dj_date_parse(NULL, 10, &d), DJ_ERR_INVALID);
	/* Not NUL-terminated: exactly n bytes are used. */
	assert_int_equal(dj_date_parse("2024-03-15-extra", 10, &d), DJ_OK);
	assert_date(d, D(2024, 3, 15), "prefix");
}

static void test_parse_compact(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool ok;
		int y, m, d;
	} t[] = {
		{ "20240229", true, 2024, 2, 29 },
		{ "19491001", true, 1949, 10, 1 },
		{ "20230229", false, 0, 0, 0 },
		{ "20241301", false, 0, 0, 0 },
		{ "2024022", false, 0, 0, 0 }, /* too short: the NUL is not a digit */
		{ "2024-02-", false, 0, 0, 0 },
		{ "", false, 0, 0, 0 },
		{ "17991231", false, 0, 0, 0 },
		{ "2024 229", false, 0, 0, 0 },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_date d = { -1, -1, -1 };
		dj_rc rc = dj_date_parse_compact(t[i].s, &d);
		if ((rc == DJ_OK) != t[i].ok)
			fail_msg("dj_date_parse_compact(\"%s\") = %d", t[i].s, rc);
		if (t[i].ok)
			assert_date(d, D(t[i].y, t[i].m, t[i].d), t[i].s);
	}
	/* Its use: the birth date inside an 18-digit 身份证号 (offset 6, 8 digits). */
	static const char id[] = "11010119900307123X";
	struct dj_date d;
	assert_int_equal(dj_date_parse_compact(&id[6], &d), DJ_OK);
	assert_date(d, D(1990, 3, 7), "id number");
	assert_int_equal(dj_date_parse_compact(NULL, &d), DJ_ERR_INVALID);
}

static void test_format(void **state)
{
	(void)state;
	char buf[11];
	assert_string_equal(dj_date_format(D(2024, 2, 9), buf), "2024-02-09");
	assert_ptr_equal(dj_date_format(D(1800, 1, 1), buf), buf);
	assert_string_equal(buf, "1800-01-01");
	assert_string_equal(dj_date_format(D(2999, 12, 31), buf), "2999-12-31");
}

static void test_leap_and_mdays(void **state)
{
	(void)state;
	static const struct {
		int y;
		bool leap;
	} t[] = { { 1900, false }, { 2000, true }, { 2023, false }, { 2024, true }, { 2100, false }, { 2400, true },
		  { 1804, true }, { 1800, false } };
	for (size_t i = 0; i < N_ELEMS(t); i++)
		assert_int_equal(dj_date_leap(t[i].y), t[i].leap);
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	for (int m = 1; m <= 12; m++) {
		assert_int_equal(dj_date_mdays(2023, m), md[m - 1]);
		assert_int_equal(dj_date_mdays(2024, m), m == 2 ? 29 : md[m - 1]);
	}
	assert_int_equal(dj_date_mdays(2024, 0), 0);
	assert_int_equal(dj_date_mdays(2024, 13), 0);
	assert_false(dj_date_valid(D(2024, 2, 30)));
	assert_true(dj_date_valid(D(2024, 2, 29)));
	assert_false(dj_date_valid(D(2024, 0, 1)));
}

static void test_days_anchors(void **state)
{
	(void)state;
	static const struct {
		int y, m, d;
		int64_t days;
	} t[] = {
		{ 1970, 1, 1, 0 },	  { 1969, 12, 31, -1 },	   { 1970, 1, 2, 1 },	   { 2000, 3, 1, 11017 },
		{ 2024, 2, 29, 19782 }, { 1800, 1, 1, -62091 }, { 2999, 12, 31, 376199 }, { 1900, 3, 1, -25508 },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		assert_int_equal(dj_date_to_days(D(t[i].y, t[i].m, t[i].d)), t[i].days);
		assert_date(dj_date_from_days(t[i].days), D(t[i].y, t[i].m, t[i].d), "from_days");
	}
}

static void test_days_round_trip_every_date(void **state)
{
	(void)state;
	/* Every day of the valid range: from_days ∘ to_days is the identity, and successive
	 * day numbers walk the calendar one day at a time. */
	int64_t lo = dj_date_to_days(D(1800, 1, 1)), hi = dj_date_to_days(D(2999, 12, 31));
	struct dj_date prev = dj_date_from_days(lo);
	assert_date(prev, D(1800, 1, 1), "lo");
	for (int64_t n = lo + 1; n <= hi; n++) {
		struct dj_date d = dj_date_from_days(n);
		if (!dj_date_valid(d) || dj_date_to_days(d) != n)
			fail_msg("day %lld does not round-trip (%d-%d-%d)", (long long)n, d.y, d.m, d.d);
		bool next_in_month = d.y == prev.y && d.m == prev.m && d.d == prev.d + 1;
		bool first_of_next = d.d == 1 && prev.d == dj_date_mdays(prev.y, prev.m) &&
				     ((d.m == prev.m + 1 && d.y == prev.y) || (d.m == 1 && prev.m == 12 && d.y == prev.y + 1));
		if (!next_in_month && !first_of_next)
			fail_msg("day %lld: %d-%d-%d does not follow %d-%d-%d", (long long)n, d.y, d.m, d.d, prev.y,
				 prev.m, prev.d);
		assert_true(dj_date_cmp(prev, d) < 0);
		prev = d;
	}
	assert_date(prev, D(2999, 12, 31), "hi");
}

static void test_add_days(void **state)
{
	(void)state;
	assert_date(dj_date_add_days(D(2024, 2, 28), 1), D(2024, 2, 29), "leap +1");
	assert_date(dj_date_add_days(D(2024, 2, 28), 2), D(2024, 3, 1), "leap +2");
	assert_date(dj_date_add_days(D(2023, 2, 28), 1), D(2023, 3, 1), "common +1");
	assert_date(dj_date_add_days(D(2024, 12, 31), 1), D(2025, 1, 1), "year end");
	assert_date(dj_date_add_days(D(2024, 3, 1), -1), D(2024, 2, 29), "back over leap day");
	assert_date(dj_date_add_days(D(2024, 1, 1), 366), D(2025, 1, 1), "leap year length");
	assert_date(dj_date_add_days(D(2023, 1, 1), 365), D(2024, 1, 1), "common year length");
	assert_date(dj_date_add_days(D(2024, 5, 5), 0), D(2024, 5, 5), "zero");
}

static void test_add_months_clamp(void **state)
{
	(void)state;
	static const struct {
		struct dj_date from;
		int n;
		struct dj_date want;
	} t[] = {
		/* S-3: 01-31 + 1 month = 02-28 / 02-29 */
		{ { 2025, 1, 31 }, 1, { 2025, 2, 28 } },
		{ { 2024, 1, 31 }, 1, { 2024, 2, 29 } },
		{ { 2024, 1, 30 }, 1, { 2024, 2, 29 } },
		{ { 2024, 1, 29 }, 1, { 2024, 2, 29 } },
		{ { 2024, 1, 28 }, 1, { 2024, 2, 28 } },
		{ { 2025, 3, 31 }, 1, { 2025, 4, 30 } },
		{ { 2025, 5, 31 }, 1, { 2025, 6, 30 } },
		{ { 2025, 8, 31 }, 1, { 2025, 9, 30 } },
		{ { 2025, 1, 31 }, 2, { 2025, 3, 31 } }, /* clamp is per result, not cumulative */
		{ { 2024, 3, 15 }, 0, { 2024, 3, 15 } },
		/* across years */
		{ { 2023, 11, 15 }, 2, { 2024, 1, 15 } },
		{ { 2024, 12, 31 }, 1, { 2025, 1, 31 } },
		{ { 2024, 2, 29 }, 12, { 2025, 2, 28 } },
		{ { 2024, 2, 29 }, 48, { 2028, 2, 29 } },
		{ { 2023, 5, 10 }, 12, { 2024, 5, 10 } },
		{ { 2024, 1, 1 }, 24, { 2026, 1, 1 } },
		{ { 2024, 7, 31 }, 19, { 2026, 2, 28 } },
		{ { 2018, 10, 28 }, 120, { 2028, 10, 28 } },
		/* negative */
		{ { 2024, 1, 15 }, -1, { 2023, 12, 15 } },
		{ { 2024, 3, 31 }, -1, { 2024, 2, 29 } },
		{ { 2025, 3, 31 }, -1, { 2025, 2, 28 } },
		{ { 2024, 8, 31 }, -6, { 2024, 2, 29 } },
		{ { 2024, 1, 31 }, -13, { 2022, 12, 31 } },
		{ { 2024, 1, 1 }, -12, { 2023, 1, 1 } },
		{ { 2025, 2, 28 }, -12, { 2024, 2, 28 } },
		{ { 2024, 12, 1 }, -24, { 2022, 12, 1 } },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "%04d-%02d-%02d %+d months", t[i].from.y, t[i].from.m, t[i].from.d, t[i].n);
		struct dj_date got = dj_date_add_months(t[i].from, t[i].n);
		assert_date(got, t[i].want, ctx);
		assert_true(dj_date_valid(got));
	}
}

static void test_quarter(void **state)
{
	(void)state;
	static const int q[] = { 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4 };
	for (int m = 1; m <= 12; m++) {
		assert_int_equal(dj_date_quarter(D(2024, m, 1)), q[m - 1]);
		assert_int_equal(dj_date_quarter(D(2024, m, dj_date_mdays(2024, m))), q[m - 1]);
	}
}

static void test_age(void **state)
{
	(void)state;
	static const struct {
		struct dj_date birth, on;
		int age;
	} t[] = {
		/* S-7: the birthday itself completes the year */
		{ { 2000, 6, 15 }, { 2018, 6, 14 }, 17 },
		{ { 2000, 6, 15 }, { 2018, 6, 15 }, 18 },
		{ { 2000, 6, 15 }, { 2018, 6, 16 }, 18 },
		{ { 2000, 6, 15 }, { 2018, 5, 31 }, 17 },
		{ { 2000, 6, 15 }, { 2018, 7, 1 }, 18 },
		{ { 2000, 12, 31 }, { 2018, 12, 30 }, 17 },
		{ { 2000, 12, 31 }, { 2018, 12, 31 }, 18 },
		{ { 2000, 1, 1 }, { 2017, 12, 31 }, 17 },
		{ { 2000, 1, 1 }, { 2018, 1, 1 }, 18 },
		/* 02-29 birthdays: completed on 02-28 in common years (header rule) */
		{ { 2008, 2, 29 }, { 2026, 2, 27 }, 17 },
		{ { 2008, 2, 29 }, { 2026, 2, 28 }, 18 },
		{ { 2008, 2, 29 }, { 2026, 3, 1 }, 18 },
		{ { 2008, 2, 29 }, { 2028, 2, 28 }, 19 }, /* leap year: the birthday is 02-29 */
		{ { 2008, 2, 29 }, { 2028, 2, 29 }, 20 },
		/* edges */
		{ { 2000, 6, 15 }, { 2000, 6, 15 }, 0 },
		{ { 2000, 6, 15 }, { 2001, 6, 14 }, 0 },
		{ { 2000, 6, 15 }, { 1999, 1, 1 }, 0 }, /* not yet born */
		{ { 1900, 3, 1 }, { 2024, 2, 29 }, 123 },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		int got = dj_date_age(t[i].birth, t[i].on);
		if (got != t[i].age)
			fail_msg("age of %d-%02d-%02d on %d-%02d-%02d = %d, want %d", t[i].birth.y, t[i].birth.m,
				 t[i].birth.d, t[i].on.y, t[i].on.m, t[i].on.d, got, t[i].age);
	}
}

static void test_cmp(void **state)
{
	(void)state;
	assert_int_equal(dj_date_cmp(D(2024, 1, 1), D(2024, 1, 1)), 0);
	assert_true(dj_date_cmp(D(2023, 12, 31), D(2024, 1, 1)) < 0);
	assert_true(dj_date_cmp(D(2024, 2, 1), D(2024, 1, 31)) > 0);
	assert_true(dj_date_cmp(D(2024, 1, 2), D(2024, 1, 1)) > 0);
}

static void test_rfc3339(void **state)
{
	(void)state;
	static const struct {
		int64_t t;
		const char *want;
	} t[] = {
		{ 0, "1970-01-01T08:00:00+08:00" },
		{ -1, "1970-01-01T07:59:59+08:00" },
		{ -8 * 3600, "1970-01-01T00:00:00+08:00" },
		{ -8 * 3600 - 1, "1969-12-31T23:59:59+08:00" },
		{ 1700000000, "2023-11-15T06:13:20+08:00" },
		{ 1709222399, "2024-02-29T23:59:59+08:00" },
		{ 1735660799, "2024-12-31T23:59:59+08:00" }, /* 15:59:59Z */
		{ 1735660800, "2025-01-01T00:00:00+08:00" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		char buf[26];
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(dj_time_rfc3339(t[i].t, buf), buf);
		assert_string_equal(buf, t[i].want);
	}
}

static void test_today_and_clocks(void **state)
{
	(void)state;
	struct dj_date d = dj_date_today();
	assert_true(dj_date_valid(d));
	assert_true(d.y >= 2024);
	/* Today in CST is the UTC date now or the next day. */
	int64_t utc_days = dj_time_now() / 86400;
	int64_t diff = dj_date_to_days(d) - utc_days;
	assert_true(diff == 0 || diff == 1);
	int64_t a = dj_time_mono_ms(), b = dj_time_mono_ms();
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_parse_compact),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_leap_and_mdays),
		cmocka_unit_test(test_days_anchors),
		cmocka_unit_test(test_days_round_trip_every_date),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_add_months_clamp),
		cmocka_unit_test(test_quarter),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_today_and_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fuzz_date.c — libFuzzer target: dj_date_parse over the raw bytes (no NUL, so over-reads show)
 * and dj_date_parse_compact over a NUL-terminated copy. An accepted date must be valid, format
 * back to the input's digits, parse again to itself and survive the day-number round trip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/date.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(struct dj_date d, const char *want, size_t wantlen, int months)
{
	char buf[11];
	struct dj_date again;
	if (!dj_date_valid(d))
		abort();
	dj_date_format(d, buf);
	if (strlen(buf) != 10 || (want && (wantlen != 10 || memcmp(buf, want, 10) != 0)))
		abort();
	if (dj_date_parse(buf, 10, &again) != DJ_OK || dj_date_cmp(again, d) != 0)
		abort();
	if (dj_date_cmp(dj_date_from_days(dj_date_to_days(d)), d) != 0)
		abort();
	/* Calendar months: the result's day never exceeds its month (S-3 clamp), and the month
	 * count is exact. */
	struct dj_date m = dj_date_add_months(d, months);
	if (m.m < 1 || m.m > 12 || m.d < 1 || m.d > dj_date_mdays(m.y, m.m) || m.d > d.d)
		abort();
	if ((m.y * 12 + m.m) - (d.y * 12 + d.m) != months)
		abort();
	/* S-7: n months after a birth date the completed years are n / 12 — including a 02-29
	 * birthday reached on a clamped 02-28. */
	if (months >= 0 && dj_date_age(d, m) != months / 12)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_date d;
	int months = size ? (int)(int8_t)data[size - 1] : 0;
	if (dj_date_parse((const char *)data, size, &d) == DJ_OK)
		check(d, (const char *)data, size, months);
	char *s = dj_strndup((const char *)data, size);
	if (dj_date_parse_compact(s, &d) == DJ_OK) {
		char want[10] = { s[0], s[1], s[2], s[3], '-', s[4], s[5], '-', s[6], s[7] };
		check(d, want, 10, months);
	}
	dj_free(s);
	return 0;
}

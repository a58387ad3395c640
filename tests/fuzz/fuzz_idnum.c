/* fuzz_idnum.c — libFuzzer target: dj_idnum_parse (公民身份号码, GB 11643-1999) against an
 * independent oracle written here from the standard. The first two bytes choose "today" (a day
 * from 1900-01-01 on, so birth dates fall on both sides of it); the rest, up to a NUL, is the number.
 *
 * Properties: the parser accepts exactly what the oracle accepts (18 characters: 17 digits and a
 * correct ISO 7064 MOD 11-2 check character, 'x' allowed; or 15 legacy digits with a 19YY birth
 * year), with a real birth date in 1800..2999 no later than today. An accepted number is 18
 * characters, its check character is right, its birth date, region and sex agree with its digits,
 * and parsing it again gives the same result. A rejection leaves a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/idnum.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *s)
{
	fprintf(stderr, "fuzz_idnum: %s (input \"%s\")\n", what, s);
	abort();
}

/* Oracle pieces, deliberately not sharing code with lib/domain/idnum.c or lib/core/date.c. */
static int digit(char c) { return c >= '0' && c <= '9'; }

static char oracle_check(const char *s)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int w = 1;
		for (int k = 0; k < 17 - i; k++)
			w = (w * 2) % 11; /* W_i = 2^(17-i) mod 11, i counted from 0 */
		sum += (s[i] - '0') * w;
	}
	return "10X98765432"[sum % 11];
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* YYYYMMDD at s: 1 and the date if it is a real date in 1800..2999. */
static int oracle_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	for (int i = 0; i < 8; i++)
		if (!digit(s[i]))
			return 0;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[4] - '0') * 10 + (s[5] - '0');
	*d = (s[6] - '0') * 10 + (s[7] - '0');
	if (*y < 1800 || *y > 2999 || *m < 1 || *m > 12 || *d < 1)
		return 0;
	return *d <= mdays[*m - 1] + (*m == 2 && leap(*y));
}

static int before_or_on(int y, int m, int d, struct dj_date t)
{
	return y != t.y ? y < t.y : m != t.m ? m < t.m : d <= t.d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64], norm[19], err[256];
	struct dj_idnum id, again;
	if (size < 2)
		return 0;
	/* today: 1900-01-01 plus 0..65535 days (to 2079) */
	int64_t off = data[0] | (data[1] << 8);
	struct dj_date today = dj_date_add_days((struct dj_date){ 1900, 1, 1 }, off);
	size_t n = 0;
	while (n < size - 2 && n < sizeof(s) - 1 && data[2 + n])
		n++;
	memcpy(s, data + 2, n);
	s[n] = '\0';

	/* The oracle's verdict and the normalized number it expects. */
	int ok = 0, y = 0, m = 0, d = 0;
	if (n == 18) {
		memcpy(norm, s, 19);
		if (norm[17] == 'x')
			norm[17] = 'X';
		int body = 1;
		for (int i = 0; i < 17; i++)
			body &= digit(norm[i]);
		ok = body && norm[17] == oracle_check(norm) && oracle_date(norm + 6, &y, &m, &d) &&
		     before_or_on(y, m, d, today);
	} else if (n == 15) {
		int body = 1;
		for (int i = 0; i < 15; i++)
			body &= digit(s[i]);
		if (body) {
			memcpy(norm, s, 6);
			norm[6] = '1';
			norm[7] = '9';
			memcpy(norm + 8, s + 6, 9);
			norm[17] = oracle_check(norm);
			norm[18] = '\0';
			ok = oracle_date(norm + 6, &y, &m, &d) && before_or_on(y, m, d, today);
		}
	}

	err[0] = '\0';
	dj_rc rc = dj_idnum_parse(s, today, &id, err, sizeof(err));
	if (rc != DJ_OK && rc != DJ_ERR_INVALID)
		fail("unexpected result code", s);
	if ((rc == DJ_OK) != ok)
		fail(ok ? "a valid number was rejected" : "an invalid number was accepted", s);
	if (rc) {
		if (!err[0])
			fail("rejected without a reason", s);
		return 0;
	}
	if (strlen(id.number) != 18 || strcmp(id.number, norm) != 0)
		fail("accepted number is not the normalized 18 characters", s);
	if (id.number[17] != oracle_check(id.number))
		fail("accepted number has a wrong check character", s);
	if (id.birth.y != y || id.birth.m != m || id.birth.d != d)
		fail("birth date differs from the digits", s);
	if (strncmp(id.region, id.number, 6) != 0 || strlen(id.region) != 6)
		fail("region is not the first 6 digits", s);
	if (id.sex != ((id.number[16] - '0') % 2 ? 1 : 2))
		fail("sex does not follow the 17th digit", s);
	if (id.converted != (n == 15))
		fail("converted flag is wrong", s);
	/* Parsing the normalized form again is stable. */
	if (dj_idnum_parse(id.number, today, &again, err, sizeof(err)) != DJ_OK || strcmp(again.number, id.number) ||
	    again.converted || again.sex != id.sex || dj_date_cmp(again.birth, id.birth))
		fail("the normalized number does not parse back to itself", s);
	return 0;
}

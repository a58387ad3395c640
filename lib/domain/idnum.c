/* idnum.c — 公民身份号码 validation (GB 11643-1999, RULES.md §11.1). */
#include <stdio.h>
#include <string.h>
#include "dj/idnum.h"
#include "dj/banned.h"

char dj_idnum_check_char(const char *first17)
{
	/* W_i = 2^(18-i) mod 11; R = S mod 11 → "10X98765432"[R] */
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * w[i];
	return check[sum % 11];
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

dj_rc dj_idnum_parse(const char *s, struct dj_date today, struct dj_idnum *out, char *err, size_t errlen)
{
	char buf[19];
	size_t n = s ? strlen(s) : 0;
	memset(out, 0, sizeof(*out));
	if (n == 15) {
		/* Legacy GB 11643-1989: 6 address + YYMMDD + 3 sequence; insert "19", append the check. 🟡 */
		if (!all_digits(s, 15)) {
			snprintf(err, errlen, "15 位身份证号只能由数字组成");
			return DJ_ERR_INVALID;
		}
		memcpy(buf, s, 6);
		buf[6] = '1';
		buf[7] = '9';
		memcpy(buf + 8, s + 6, 9);
		buf[17] = dj_idnum_check_char(buf);
		buf[18] = '\0';
		out->converted = 1;
	} else if (n == 18) {
		memcpy(buf, s, 19);
		if (buf[17] == 'x')
			buf[17] = 'X';
		if (!all_digits(buf, 17) || !((buf[17] >= '0' && buf[17] <= '9') || buf[17] == 'X')) {
			snprintf(err, errlen, "身份证号前 17 位应为数字，最后一位为数字或 X");
			return DJ_ERR_INVALID;
		}
		char want = dj_idnum_check_char(buf);
		if (buf[17] != want) {
			snprintf(err, errlen, "身份证号校验位错误（最后一位应为 %c）", want);
			return DJ_ERR_INVALID;
		}
	} else {
		snprintf(err, errlen, "身份证号应为 18 位（或旧版 15 位），实际 %zu 位", n);
		return DJ_ERR_INVALID;
	}
	if (dj_date_parse_compact(buf + 6, &out->birth)) {
		snprintf(err, errlen, "身份证号中的出生日期 %.8s 不是有效日期", buf + 6);
		return DJ_ERR_INVALID;
	}
	if (dj_date_cmp(out->birth, today) > 0) {
		snprintf(err, errlen, "身份证号中的出生日期 %.8s 晚于今天", buf + 6);
		return DJ_ERR_INVALID;
	}
	memcpy(out->number, buf, 19);
	memcpy(out->region, buf, 6);
	out->region[6] = '\0';
	out->sex = ((buf[16] - '0') % 2) ? 1 : 2;
	return DJ_OK;
}

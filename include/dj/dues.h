/* dues.h — party dues calculation under the dues-2008 rule set (中组发〔2008〕3号, RULES.md §6):
 * money is integer 分 everywhere. */
#ifndef DJ_DUES_H
#define DJ_DUES_H
#include <stdint.h>
#include "dj/rc.h"

/** Settings that are local practice or version risk (FEE-6, FEE-9, FEE-16), per subtree. */
struct dj_dues_settings {
	int64_t farmer_fen;      /* FEE-6: provincially configured, 20..100 (default 20) */
	int rounding;            /* FEE-16: 0 half-up to 1 分 (default), 1 down, 2 up */
	int64_t cap_fen;         /* FEE-16: optional monthly cap, 0 = none */
};
#define DJ_DUES_SETTINGS_DEFAULT { 20, 0, 0 }

/** The result of one calculation. Strings static or in buf. */
struct dj_dues_result {
	int64_t amount_fen;
	const char *rule;        /* "FEE-2" ... */
	char explanation[256];   /* Chinese, with the band and rate */
};

/** Monthly dues for a category (employed, retired, farmer, student, unemployed, subsistence,
 *  annual_salary, self_employed) and a monthly base in 分 (ignored for flat categories).
 *  DJ_ERR_INVALID with a Chinese reason in res->explanation for an unknown category or a
 *  negative base. */
dj_rc dj_dues_calc(const char *category, int64_t base_fen, const struct dj_dues_settings *st, struct dj_dues_result *res);

/** Format 分 as 元 with two decimals ("3000.01"); buf ≥ 24 bytes. */
char *dj_fen_format(int64_t fen, char *buf, size_t n);

#endif

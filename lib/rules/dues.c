/* dues.c — the dues-2008 rule set: percentage bands on the whole base (FEE-2, FEE-3, FEE-4),
 * retirees (FEE-5), flat amounts (FEE-6), rounding and caps (FEE-16). Integer 分 only. */
#include <stdio.h>
#include <string.h>
#include "dj/dues.h"
#include "dj/banned.h"

char *dj_fen_format(int64_t fen, char *buf, size_t n)
{
	int64_t a = fen < 0 ? -fen : fen;
	snprintf(buf, n, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)(a / 100), (long long)(a % 100));
	return buf;
}

/* A band: bases up to and including upto_fen pay permille/1000 of the whole base (S-6: as written). */
struct band {
	int64_t upto_fen; /* -1 = no upper bound */
	int permille_x10; /* rate in 1/10000: 0.5% = 50 */
	const char *label;
};
static const struct band employed[] = {
	{ 300000, 50, "3000元以下（含3000元）交纳0.5%" },
	{ 500000, 100, "3000元以上至5000元（含5000元）交纳1%" },
	{ 1000000, 150, "5000元以上至10000元（含10000元）交纳1.5%" },
	{ -1, 200, "10000元以上交纳2%" },
};
static const struct band retired[] = {
	{ 500000, 50, "5000元以下（含5000元）交纳0.5%" },
	{ -1, 100, "5000元以上交纳1%" },
};

static int64_t apply_rate(int64_t base, int rate_x10000, int rounding)
{
	/* amount = base × rate / 10000, rounded to 1 分 (FEE-16). */
	int64_t num = base * rate_x10000;
	if (rounding == 1)
		return num / 10000;
	if (rounding == 2)
		return (num + 9999) / 10000;
	return (num + 5000) / 10000;
}

static void banded(const struct band *b, size_t nb, int64_t base, const struct dj_dues_settings *st,
		   struct dj_dues_result *res, const char *who)
{
	size_t i = 0;
	while (i + 1 < nb && base > b[i].upto_fen)
		i++;
	res->amount_fen = apply_rate(base, b[i].permille_x10, st->rounding);
	char bs[24], am[24];
	snprintf(res->explanation, sizeof(res->explanation), "%s月交纳党费基数 %s 元，%s（整个基数按同一比例），应交 %s 元", who,
		 dj_fen_format(base, bs, sizeof(bs)), b[i].label, dj_fen_format(res->amount_fen, am, sizeof(am)));
}

dj_rc dj_dues_calc(const char *category, int64_t base_fen, const struct dj_dues_settings *st, struct dj_dues_result *res)
{
	char am[24];
	memset(res, 0, sizeof(*res));
	if (!category) {
		snprintf(res->explanation, sizeof(res->explanation), "缺少党员类别（category）");
		return DJ_ERR_INVALID;
	}
	if (base_fen < 0 || base_fen > 100000000000LL) {
		snprintf(res->explanation, sizeof(res->explanation), "基数（base_fen）应为 0 到 10 亿元之间的分数");
		return DJ_ERR_INVALID;
	}
	if (strcmp(category, "employed") == 0) {
		res->rule = "FEE-2";
		banded(employed, 4, base_fen, st, res, "在职党员每");
	} else if (strcmp(category, "annual_salary") == 0) {
		res->rule = "FEE-3"; /* base = the pay actually received that month, then FEE-2 */
		banded(employed, 4, base_fen, st, res, "年薪制党员当");
	} else if (strcmp(category, "self_employed") == 0) {
		res->rule = "FEE-4"; /* base = average monthly net income of the previous quarter, then FEE-2 */
		banded(employed, 4, base_fen, st, res, "无固定月收入党员按上季度月平均纯收入，每");
	} else if (strcmp(category, "retired") == 0) {
		res->rule = "FEE-5";
		banded(retired, 2, base_fen, st, res, "离退休党员每");
	} else if (strcmp(category, "farmer") == 0) {
		res->rule = "FEE-6"; /* 0.20–1.00 元, the province decides */
		res->amount_fen = st->farmer_fen;
		snprintf(res->explanation, sizeof(res->explanation), "农民党员每月交纳 %s 元（省级规定，0.2–1 元）",
			 dj_fen_format(res->amount_fen, am, sizeof(am)));
	} else if (strcmp(category, "student") == 0 || strcmp(category, "unemployed") == 0 ||
		   strcmp(category, "subsistence") == 0) {
		res->rule = "FEE-6";
		res->amount_fen = 20;
		snprintf(res->explanation, sizeof(res->explanation), "%s每月交纳党费 0.20 元",
			 strcmp(category, "student") == 0 ? "学生党员" : strcmp(category, "unemployed") == 0 ? "下岗失业党员" : "依靠抚恤、救济或领取低保的党员");
	} else {
		snprintf(res->explanation, sizeof(res->explanation),
			 "未知的党员类别：%s（应为 employed、retired、farmer、student、unemployed、subsistence、annual_salary、self_employed）",
			 category);
		return DJ_ERR_INVALID;
	}
	if (st->cap_fen > 0 && res->amount_fen > st->cap_fen) {
		/* FEE-16 🔶: some units cap the monthly amount. */
		size_t l = strlen(res->explanation);
		snprintf(res->explanation + l, sizeof(res->explanation) - l, "；按本单位规定每月最多 %s 元",
			 dj_fen_format(st->cap_fen, am, sizeof(am)));
		res->amount_fen = st->cap_fen;
	}
	return DJ_OK;
}

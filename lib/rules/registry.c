/* registry.c — every rule implemented in code, with its ID, set, title and source (RULES.md). */
#include <string.h>
#include "dj/rules.h"
#include "dj/banned.h"

#define BR "《中国共产党支部工作条例（试行）》（2018-10-28 施行）"
#define TERM "中办《关于党的基层组织任期的意见》（2018）"
#define DEV "《中国共产党发展党员工作细则》（2014）"
#define ID "GB 11643-1999《公民身份号码》"

const struct dj_rule dj_rules[] = {
	{ "ORG-1", "branch-2018", "有正式党员 3 人以上的单位应当成立党支部", BR " 第四条", DJ_SEV_WARNING, "✅", NULL },
	{ "ORG-2", "branch-2018", "党支部党员人数一般不超过 50 人", BR " 第四条", DJ_SEV_WARNING, "✅", NULL },
	{ "ORG-3", "branch-2018", "正式党员不足 3 人的单位成立联合党支部", BR " 第二章", DJ_SEV_INFO, "✅", NULL },
	{ "ORG-7", "branch-2018", "正式党员 7 人以上的党支部设立支部委员会（3–5 人，一般不超过 7 人）", BR " 第六章（≈第二十二条）",
	  DJ_SEV_ERROR, "✅", NULL },
	{ "ORG-8", "branch-2018", "正式党员不足 7 人的党支部不设支部委员会", BR " 第六章", DJ_SEV_INFO, "✅", NULL },
	{ "ORG-9", "branch-2018", "任期：村、社区党组织和基层党委 5 年，其他党总支、党支部 3 年；届满前 6 个月提醒", TERM " 第一条",
	  DJ_SEV_ERROR, "✅", "提醒提前量 6 个月" },
	{ "ORG-10", "branch-2018", "延期或提前换届须经上级批准，一般不超过 1 年", "《中国共产党基层组织选举工作条例》（2020）第三条",
	  DJ_SEV_WARNING, "✅", NULL },
	{ "ORG-11", "branch-2018", "党支部书记一般应具有 1 年以上党龄", BR " 第二十三条", DJ_SEV_WARNING, "✅", NULL },
	{ "S-3", "general", "“N 个月内”按日历月计算，月末对齐（1 月 31 日 + 1 个月 = 2 月 28/29 日）", "通行做法", DJ_SEV_INFO, "🟡",
	  NULL },
	{ "S-7", "general", "年龄按周岁计算，生日当天满岁", "通行做法（可配置）", DJ_SEV_INFO, "🟡", NULL },
	{ "ID-1", "general", "身份证号 18 位校验码（ISO 7064 MOD 11-2），出生日期与性别由号码推算并核对", ID, DJ_SEV_ERROR, "✅",
	  NULL },
	{ "DEV-T6", "dev-2014", "转正日期为预备期满之日，党龄自转正之日起算", "《中国共产党章程》第七条；" DEV, DJ_SEV_ERROR, "✅",
	  NULL },
	{ "DEV-X1", "dev-2014", "预备党员不能劝退", "党章解释", DJ_SEV_ERROR, "✅", NULL },
	{ "STAT-3", "stats-2024", "党员统计口径：年龄段、入党时间段、职业分类", "党内统计公报（2021–2024）", DJ_SEV_INFO, "✅", NULL },
	{ NULL, NULL, NULL, NULL, DJ_SEV_INFO, NULL, NULL },
};

const struct dj_rule *dj_rule_find(const char *id)
{
	for (const struct dj_rule *r = dj_rules; id && r->id; r++)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

void dj_rules_write(struct dj_jw *w, size_t *n)
{
	*n = 0;
	for (const struct dj_rule *r = dj_rules; r->id; r++, (*n)++) {
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "id", r->id);
		dj_jw_kstr(w, "set", r->set);
		dj_jw_kstr(w, "title", r->title);
		dj_jw_kstr(w, "source", r->source);
		dj_jw_kstr(w, "severity", dj_severity_name(r->severity));
		dj_jw_kstr(w, "tag", r->tag);
		dj_jw_kstr(w, "params", r->params);
		dj_jw_obj_end(w);
	}
}

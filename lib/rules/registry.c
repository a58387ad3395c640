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
	{ "MTG-1", "branch-2018", "支部党员大会一般每季度召开 1 次", BR " ≈第十一条", DJ_SEV_ERROR, "✅", NULL },
	{ "MTG-2", "branch-2018", "支委会一般每月召开 1 次；半数以上委员到会方能召开", BR " 第十二条", DJ_SEV_ERROR, "✅", NULL },
	{ "MTG-3", "branch-2018", "党小组会一般每月召开 1 次", BR " 第十三条", DJ_SEV_ERROR, "✅",
	  "主题党日可否计为当月党小组会（🔶 默认否）" },
	{ "MTG-4", "branch-2018", "党员大会、支委会由书记召集并主持，党小组会由组长召集并主持", BR " 第十四条", DJ_SEV_INFO, "✅", NULL },
	{ "DEV-D3", "dev-2014", "讨论接收预备党员的支部大会，有表决权的到会人数须超过应到会有表决权党员的半数", DEV " 第二十条",
	  DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-D5", "dev-2014", "无记名投票，赞成人数超过应到会有表决权正式党员的半数方能通过；书面意见计入",
	  DEV " ≈第二十二条", DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-T4", "dev-2014", "讨论转正的支部大会，法定人数和表决同接收预备党员", DEV " 第三十三条", DJ_SEV_ERROR, "✅", NULL },
	{ "MTG-5", "branch-2018", "党课：按本地规定的频次组织（全国无统一的支部频次规定）", BR " 第十六条", DJ_SEV_ERROR, "🔶",
	  "每季度最少次数（默认 1）" },
	{ "MTG-6", "branch-2018", "每月相对固定 1 天开展主题党日", BR " 第十六条", DJ_SEV_ERROR, "✅", NULL },
	{ "MTG-7", "branch-2018", "组织生活会一般每年召开 1 次", BR " 第十七条", DJ_SEV_ERROR, "✅", NULL },
	{ "MTG-8", "branch-2018", "谈心谈话每年至少 1 次", BR " ≈第十八条", DJ_SEV_ERROR, "✅", NULL },
	{ "MTG-9", "branch-2018", "民主评议党员一般每年 1 次", BR " ≈第十九条", DJ_SEV_ERROR, "✅", NULL },
	{ "VOTE-1", "branch-2018", "预备党员没有表决权、选举权和被选举权", "《中国共产党基层组织选举工作条例》（2020）第五条",
	  DJ_SEV_INFO, "✅", NULL },
	{ "VOTE-2", "branch-2018", "党员大会：有表决权的党员到会超过半数方能召开，赞成票超过应到会有表决权党员的半数方能通过",
	  BR " ≈第十一条", DJ_SEV_ERROR, "✅", NULL },
	{ "VOTE-3", "branch-2018", "因病、出国、服刑等五类情形经批准可不计入应到会人数", "中组部有关规定", DJ_SEV_INFO, "🟡",
	  NULL },
	{ "VOTE-4", "dev-2014", "因故不能到会的有表决权党员，会前正式提出书面意见的，统计票数时计入", DEV " ≈第二十二条",
	  DJ_SEV_INFO, "✅", NULL },
	{ "S-1", "general", "“超过半数”为严格大于：n 人须至少 ⌊n/2⌋+1", "通行口径", DJ_SEV_INFO, "✅", NULL },
	{ "S-2", "general", "“超过应到会人数的 4/5”为严格大于：至少 ⌊4n/5⌋+1（可配置为“不少于”）",
	  "《中国共产党基层组织选举工作暂行条例》（1990）", DJ_SEV_INFO, "✅", "是否严格（默认是）" },
	{ "ELE-4", "branch-2018", "选举时到会有选举权的人数须超过应到会人数的 4/5", "选举工作条例", DJ_SEV_ERROR, "🟡", NULL },
	{ "ELE-5", "branch-2018", "被选举人获得的赞成票超过应到会有选举权人数的半数始得当选", "选举工作条例（2020）", DJ_SEV_ERROR,
	  "✅", NULL },
	{ "FEE-2", "dues-2008", "在职党员按月工资收入（税后）分段比例交纳，整个基数按同一比例：≤3000 元 0.5%，3000–5000 元 1%，5000–10000 元 1.5%，>10000 元 2%",
	  "中组发〔2008〕3号 第二条", DJ_SEV_INFO, "✅", NULL },
	{ "FEE-3", "dues-2008", "年薪制党员按当月实际领取的工资为基数", "中组发〔2008〕3号 第三条", DJ_SEV_INFO, "✅", NULL },
	{ "FEE-4", "dues-2008", "无固定月收入党员以上季度月平均纯收入为基数", "中组发〔2008〕3号 第四条", DJ_SEV_INFO, "✅", NULL },
	{ "FEE-5", "dues-2008", "离退休党员：≤5000 元 0.5%，>5000 元 1%", "中组发〔2008〕3号 第五条", DJ_SEV_INFO, "✅", NULL },
	{ "FEE-6", "dues-2008", "农民党员每月 0.2–1 元（省定）；学生、下岗失业、低保等党员每月 0.2 元", "中组发〔2008〕3号 第六条",
	  DJ_SEV_INFO, "✅", "农民党员金额" },
	{ "FEE-7", "dues-2008", "确有困难的党员，经党支部研究、报上级党委批准，可以少交或免交党费", "中组发〔2008〕3号", DJ_SEV_INFO, "✅",
	  NULL },
	{ "FEE-8", "dues-2008", "自愿多交党费不限；单笔自愿多交 1000 元以上的，全额上缴中央", "中组发〔2008〕3号 第十一条", DJ_SEV_INFO,
	  "✅", NULL },
	{ "FEE-9", "dues-2008", "交纳基数：工资收入变化时自领取新工资当月起按新基数；或每年初核定、年内一般不变（默认）",
	  "中组发〔2008〕3号 第十条；旗帜网（2021）", DJ_SEV_INFO, "⚠️", "按年核定（默认是）" },
	{ "FEE-10", "dues-2008", "预备党员从支部大会通过其为预备党员之日起交纳党费（自当月起）", "旗帜网（2021）", DJ_SEV_INFO, "✅", NULL },
	{ "FEE-11", "dues-2008", "按月交纳党费；特殊情况经党支部同意可按季度交纳、委托他人代缴或补交，补交一般不超过 6 个月",
	  "中组发〔2008〕3号 第十二条；旗帜网", DJ_SEV_WARNING, "✅", NULL },
	{ "FEE-12", "dues-2008", "无正当理由连续 6 个月不交纳党费的，按自行脱党处理（由支部大会决定，ST-4）", "中组发〔2008〕3号 第十三条",
	  DJ_SEV_ERROR, "✅", NULL },
	{ "FEE-13", "dues-2008", "党支部每月相对固定时间收缴党费，每年至少公布一次党费收缴情况", "旗帜网（2021）", DJ_SEV_INFO, "✅",
	  NULL },
	{ "FEE-14", "dues-2008", "党组织不得为党员垫交、扣缴党费，不得收取“特殊党费”", "中组发〔2008〕3号 第十四条", DJ_SEV_ERROR, "✅",
	  NULL },
	{ "FEE-16", "dues-2008", "取整方式未规定：默认四舍五入到分，可设每月上限", "本地规定", DJ_SEV_INFO, "🔶", "取整、上限" },
	{ "DEV-A1", "dev-2014", "年满十八岁方可申请入党", "《中国共产党章程》第一条；" DEV " 第五条", DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-A3", "dev-2014", "收到入党申请书后一个月内派人谈话", DEV " ≈第七条", DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-B4", "dev-2014", "每半年对入党积极分子进行一次考察", DEV " 第十一条", DJ_SEV_WARNING, "✅", NULL },
	{ "DEV-C1", "dev-2014", "经过一年以上培养教育方可列为发展对象（2026：须公示不少于 5 个工作日并报上级党委同意 ⚠️）",
	  DEV " 第十三条", DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-C4", "dev-2014", "发展对象集中培训不少于 3 天或 24 学时", DEV " ≈第十八条", DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-D4", "dev-2026", "预审合格后一个月内提交支部大会讨论", "《中国共产党发展党员工作细则》（2026）第十九条", DJ_SEV_ERROR,
	  "⚠️", NULL },
	{ "DEV-D7", "dev-2014", "上级党委 3 个月内审批，特殊情况最长不超过 6 个月", DEV " ≈第二十六–二十八条", DJ_SEV_ERROR,
	  "✅", NULL },
	{ "DEV-E1", "dev-2026", "审批后一般一个月内组织入党宣誓", "《中国共产党发展党员工作细则》（2026）第二十九条",
	  DJ_SEV_WARNING, "⚠️", NULL },
	{ "DEV-T1", "dev-2014", "预备期一年，自支部大会通过之日起计算", "《中国共产党章程》第七条", DJ_SEV_ERROR, "✅", NULL },
	{ "DEV-T2", "dev-2014", "延长预备期一次，不少于半年、不超过一年", DEV " 第三十二条", DJ_SEV_ERROR, "✅", NULL },
	{ "R-VER-1", "dev-2026", "发展党员工作按各步骤日期适用的细则版本办理（2014 版 / 2026 修订版）", "RULES.md §0",
	  DJ_SEV_INFO, "⚠️", "2026 版启用日期" },
	{ "ST-1", "member-2019", "失联满 6 个月、多方查找仍无联系的，可停止党籍", "《中国共产党党员教育管理工作条例》第二十四条",
	  DJ_SEV_WARNING, "✅", NULL },
	{ "ST-2", "member-2019", "停止党籍满 2 年仍无联系的，按自行脱党予以除名", "《中国共产党党员教育管理工作条例》第二十四条",
	  DJ_SEV_WARNING, "✅", NULL },
	{ "ST-3", "member-2019", "劝退、除名、开除党籍等出党人员原则上不恢复党籍，可重新申请入党",
	  "《中国共产党党员教育管理工作条例》第二十四条", DJ_SEV_ERROR, "✅", NULL },
	{ "ST-4", "member-2019", "连续 6 个月不参加组织生活、不交党费、不做工作的，视为自行脱党，由支部大会决定除名",
	  "《中国共产党章程》第九条；党费规定第十三条", DJ_SEV_ERROR, "✅", NULL },
	{ "REL-5", "member-2019", "转出未接收期间，原党组织仍负管理责任", "《中国共产党党员教育管理工作条例》第二十五条",
	  DJ_SEV_ERROR, "✅", NULL },
	{ "REL-6", "member-2019", "介绍信有效期一般不超过 3 个月；过期未回执的须查明原因", "地方规定", DJ_SEV_ERROR, "🔶",
	  NULL },
	{ "MOB-1", "mobile-2024", "流动党员：流出登记去向和原因，流出地党组织至少每半年联系一次", "中办《关于进一步加强和改进流动党员管理工作的意见》（2024）",
	  DJ_SEV_WARNING, "✅", NULL },
	{ "S-5", "general", "“工作日”按管理员维护的节假日和调休日历计算；未设置日历的年度按周一至周五计，结果为暂定", "通行做法",
	  DJ_SEV_INFO, "🟡", NULL },
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

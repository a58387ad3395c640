/* cmd_rules.c — `dangjian rules list` and `dangjian report`: the rule registry and reports on the shell. */
#include <stdio.h>
#include <string.h>
#include "dj/develop.h"
#include "dj/dues.h"
#include "dj/io.h"
#include "dj/org.h"
#include "dj/rules.h"
#include "dj/schema.h"
#include "dj/slice.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage_rules[] =
	"用法：dangjian rules list\n"
	"       dangjian rules dues --category C --base 元 [--farmer 分]\n"
	"       dangjian rules develop --file F.json [--switch YYYY-MM-DD]\n"
	"\nlist：列出程序实现的全部规则（编号与 RULES.md 一致、规则集版本、标题、依据、可信度标记）。\n"
	"dues：党费计算器（dues-2008），类别 employed、retired、farmer、student、unemployed、subsistence、\n"
	"      annual_salary、self_employed；--base 为月基数（元，最多两位小数）。\n"
	"develop：发展党员时间线审核，文件为 JSON（与接口 /api/v1/rules/develop/check 相同），离线执行不保存。\n";
static const char usage_report[] =
	"用法：dangjian report stats --db PATH --org ORG_ID [--as-of YYYY-MM-DD]\n"
	"       dangjian report findings --db PATH --org ORG_ID\n"
	"\nstats：该组织及下级的党员统计（JSON，口径同接口 /orgs/{id}/stats）；findings：组织设置检查结果。\n";

static int rules_dues(int argc, char **argv)
{
	struct dj_dues_settings st = DJ_DUES_SETTINGS_DEFAULT;
	struct dj_dues_result res;
	int64_t base = 0;
	char yuan[24];
	const char *cat = cli_opt(argc, argv, "--category"), *b = cli_opt(argc, argv, "--base"), *f = cli_opt(argc, argv, "--farmer");
	if (!cat)
		return cli_usage_error(usage_rules, "缺少 --category");
	if (b && dj_parse_yuan(b, &base))
		return cli_usage_error(usage_rules, "--base 应为金额（元，最多两位小数），如 3000.01");
	if (f && dj_parse_int_str(f, 20, 100, &st.farmer_fen))
		return cli_usage_error(usage_rules, "--farmer 应为 20 到 100（分）");
	if (dj_dues_calc(cat, base, &st, &res)) {
		fprintf(stderr, "错误：%s\n", res.explanation);
		return 1;
	}
	printf("%s\n%s（%s，dues-2008）\n", dj_fen_format(res.amount_fen, yuan, sizeof(yuan)), res.explanation, res.rule);
	return 0;
}

static int rules_develop(int argc, char **argv)
{
	const char *file = cli_opt(argc, argv, "--file"), *sw = cli_opt(argc, argv, "--switch"), *field = NULL;
	char *data = NULL, err[256];
	size_t len;
	json_error_t je;
	struct dj_date switch_on;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	if (!file)
		return cli_usage_error(usage_rules, "缺少 --file");
	const char *swv = sw ? sw : DJ_DEV_SWITCH_DEFAULT;
	if (dj_date_parse(swv, strlen(swv), &switch_on))
		return cli_usage_error(usage_rules, "--switch 应为 YYYY-MM-DD");
	if (dj_io_read_file(file, 1 << 20, &data, &len)) {
		fprintf(stderr, "错误：无法读取 %s\n", file);
		return 1;
	}
	json_t *tl = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	dj_free(data);
	if (!json_is_object(tl)) {
		fprintf(stderr, "错误：%s 不是 JSON 对象（第 %d 行：%s）\n", file, je.line, je.text);
		json_decref(tl);
		return 1;
	}
	dj_jw_init(&w, &sb);
	dj_rc rc = dj_develop_check(tl, switch_on, &w, &field, err, sizeof(err));
	json_decref(tl);
	if (rc) {
		fprintf(stderr, "错误：%s\n", err);
		dj_strbuf_release(&sb);
		return 1;
	}
	puts(sb.buf);
	json_t *out = json_loads(sb.buf, 0, NULL);
	int n = (int)json_array_size(json_object_get(out, "findings"));
	json_decref(out);
	dj_strbuf_release(&sb);
	return n ? 1 : 0;
}

int cmd_rules(int argc, char **argv)
{
	if (cli_help(argc, argv, usage_rules))
		return 0;
	if (argc >= 2 && strcmp(argv[1], "dues") == 0)
		return rules_dues(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "develop") == 0)
		return rules_develop(argc, argv);
	if (argc < 2 || strcmp(argv[1], "list") != 0)
		return cli_usage_error(usage_rules, "未知的子命令（应为 rules list、rules dues 或 rules develop）");
	for (const struct dj_rule *r = dj_rules; r->id; r++)
		printf("%-8s %-12s %s %s\n         依据：%s\n", r->id, r->set, r->tag, r->title, r->source);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct dj_db *db = NULL;
	struct dj_db_conn *c = NULL;
	struct dj_scope sc;
	struct dj_actor who = cli_actor();
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	struct dj_date as_of = dj_date_today();
	int64_t org, n = 0;
	int code = 1;
	if (cli_help(argc, argv, usage_report))
		return 0;
	bool stats = argc >= 2 && strcmp(argv[1], "stats") == 0, findings = argc >= 2 && strcmp(argv[1], "findings") == 0;
	const char *path = cli_opt(argc, argv, "--db"), *o = cli_opt(argc, argv, "--org"), *d = cli_opt(argc, argv, "--as-of");
	if (!stats && !findings)
		return cli_usage_error(usage_report, "未知的报表（应为 stats 或 findings）");
	if (!path || !o || dj_parse_int_str(o, 1, INT64_MAX, &org))
		return cli_usage_error(usage_report, "缺少或错误的 --db、--org");
	if (d && dj_date_parse(d, strlen(d), &as_of))
		return cli_usage_error(usage_report, "--as-of 应为 YYYY-MM-DD");
	if (cli_open_db(path, &db))
		return 1;
	cli_root_scope(&sc);
	if (dj_db_reader(db, &c))
		goto out;
	struct dj_model_ctx x = { c, &sc, &who, NULL, &a };
	dj_jw_init(&w, &sb);
	dj_rc rc;
	if (stats) {
		rc = dj_org_stats(&x, org, as_of, &w);
	} else {
		dj_jw_arr_begin(&w);
		rc = dj_org_findings(&x, org, as_of, &w, &n);
		dj_jw_arr_end(&w);
	}
	dj_db_release(c);
	if (rc) {
		fprintf(stderr, "错误：%s\n", dj_rc_message(rc));
		goto out;
	}
	puts(sb.buf);
	code = 0;
out:
	dj_strbuf_release(&sb);
	dj_arena_release(&a);
	dj_db_close(db);
	return code;
}

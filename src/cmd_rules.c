/* cmd_rules.c — `dangjian rules list` and `dangjian report`: the rule registry and reports on the shell. */
#include <stdio.h>
#include <string.h>
#include "dj/org.h"
#include "dj/rules.h"
#include "dj/schema.h"
#include "dj/slice.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage_rules[] =
	"用法：dangjian rules list\n"
	"\n列出程序实现的全部规则：规则编号（与 RULES.md 一致）、规则集版本、标题、依据文件与条款、可信度标记。\n";
static const char usage_report[] =
	"用法：dangjian report stats --db PATH --org ORG_ID [--as-of YYYY-MM-DD]\n"
	"       dangjian report findings --db PATH --org ORG_ID\n"
	"\nstats：该组织及下级的党员统计（JSON，口径同接口 /orgs/{id}/stats）；findings：组织设置检查结果。\n";

int cmd_rules(int argc, char **argv)
{
	if (cli_help(argc, argv, usage_rules))
		return 0;
	if (argc < 2 || strcmp(argv[1], "list") != 0)
		return cli_usage_error(usage_rules, "未知的子命令（应为 rules list）");
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

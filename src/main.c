/* main.c — the dangjian command: dispatches to one cmd_*.c per subcommand from a table. */
#include <stdio.h>
#include <string.h>
#include "dj/app.h"
#include "dj/auth.h"
#include "dj/log.h"
#include "cli.h"
#include "dj/banned.h"

static const struct cli_cmd commands[] = {
	{ "serve", cmd_serve, "启动 HTTP 服务（API 与网页界面）" },
	{ "init", cmd_init, "新建数据库和根党组织" },
	{ "demo", cmd_demo, "生成演示县数据库" },
	{ "user", cmd_user, "账号管理（user add）" },
	{ "import", cmd_import, "导入党员（import members，xlsx/csv）" },
	{ "export", cmd_export, "导出党员花名册（export members，xlsx）" },
	{ "report", cmd_report, "报表（report stats / report findings）" },
	{ "rules", cmd_rules, "规则列表（rules list）" },
	{ "backup", cmd_backup, "在线备份数据库" },
	{ "restore", cmd_restore, "从备份恢复数据库" },
	{ "copy", cmd_copy, "把数据库复制到新的 PostgreSQL 库（省级部署）" },
	{ "audit", cmd_audit, "审计日志（audit verify）" },
	{ "openapi", cmd_openapi, "输出 OpenAPI 文档" },
	{ "version", cmd_version, "显示版本" },
};

static void usage(FILE *f)
{
	fprintf(f, "dangjian %s — 党建工作平台\n\n用法：dangjian <命令> [选项]\n\n命令：\n", dj_version());
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n每个命令都支持 --help。\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	if (dj_auth_init()) {
		fputs("错误：无法初始化加密库\n", stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "错误：未知命令 %s\n\n", argv[1]);
	usage(stderr);
	return 2;
}

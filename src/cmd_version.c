/* cmd_version.c — `dangjian version` and `dangjian openapi`. */
#include <stdio.h>
#include <sqlite3.h>
#include "dj/api.h"
#include "cli.h"
#include "dj/banned.h"

int cmd_version(int argc, char **argv)
{
	if (cli_help(argc, argv, "用法：dangjian version\n\n显示版本号及所用库的版本。\n"))
		return 0;
	printf("dangjian %s (sqlite %s)\n", dj_version(), sqlite3_libversion());
	return 0;
}

int cmd_openapi(int argc, char **argv)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	if (cli_help(argc, argv, "用法：dangjian openapi\n\n输出由路由表生成的 OpenAPI 3 文档（JSON）。\n"))
		return 0;
	dj_api_openapi(&sb);
	puts(sb.buf);
	dj_strbuf_release(&sb);
	return 0;
}

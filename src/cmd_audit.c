/* cmd_audit.c — `dangjian audit verify`: recompute the hash chain of the audit log. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage[] =
	"用法：dangjian audit verify --db PATH\n"
	"\n校验审计日志的哈希链。完整时退出码为 0；若有条目被修改或删除，退出码为 1 并指出第一个异常条目。\n";

int cmd_audit(int argc, char **argv)
{
	struct dj_db *db;
	int64_t bad = 0, count = 0;
	if (cli_help(argc, argv, usage))
		return 0;
	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return cli_usage_error(usage, "未知的子命令（应为 audit verify）");
	const char *path = cli_opt(argc, argv, "--db");
	if (!path)
		return cli_usage_error(usage, "缺少 --db");
	if (dj_db_open(path, 1, DJ_DB_NO_MIGRATE, &db)) {
		char shown[512];
		fprintf(stderr, "错误：无法打开数据库 %s\n", dj_db_url_redact(path, shown, sizeof(shown)));
		return 1;
	}
	dj_rc rc = dj_audit_verify(db, &bad, &count);
	dj_db_close(db);
	if (rc == DJ_ERR_CORRUPT) {
		fprintf(stderr, "审计链校验失败：第一个异常条目 id=%lld（已校验 %lld 条）\n", (long long)bad, (long long)count);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "错误：%s\n", dj_rc_message(rc));
		return 1;
	}
	printf("审计链完整：%lld 条记录\n", (long long)count);
	return 0;
}

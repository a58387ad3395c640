/* cmd_copy.c — `dangjian copy`: move a SQLite store into a new PostgreSQL database (or another new
 * store), rows and audit chain intact (docs/scale-out.md). */
#include <stdio.h>
#include "dj/audit.h"
#include "dj/schema.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage[] =
	"用法：dangjian copy --from FILE --to URL\n"
	"\n把一个 SQLite 数据库的全部数据复制到一个新的空库（如省级 PostgreSQL：postgres://用户@主机/库名），\n"
	"在目标库的一个事务中完成，逐表核对行数，最后校验目标库的审计链。请先停止使用源库的服务。\n"
	"个人信息加密密钥文件不在数据库中，请一并复制到新服务器（key_file / DJ_KEY_FILE）。\n";

static void progress(const char *table, int64_t rows, void *arg)
{
	(void)arg;
	fprintf(stderr, "  %-24s %lld 行\n", table, (long long)rows);
}

int cmd_copy(int argc, char **argv)
{
	struct dj_db *src, *dst;
	int64_t bad, count;
	if (cli_help(argc, argv, usage))
		return 0;
	const char *from = cli_opt(argc, argv, "--from"), *to = cli_opt(argc, argv, "--to");
	if (!from || !to)
		return cli_usage_error(usage, "缺少 --from 或 --to");
	if (dj_schema_open(from, 1, 0, &src)) {
		char shown[512];
		fprintf(stderr, "错误：无法打开源库 %s\n", dj_db_url_redact(from, shown, sizeof(shown)));
		return 1;
	}
	dj_rc rc = dj_schema_open(to, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &dst);
	if (rc) {
		fprintf(stderr, "错误：无法打开目标库（须为新建的空库）：%s\n", dj_rc_message(rc));
		dj_db_close(src);
		return 1;
	}
	char failed[64];
	rc = dj_db_copy(src, dst, progress, NULL, failed, sizeof(failed));
	dj_db_close(src);
	if (rc) {
		if (failed[0])
			fprintf(stderr, "错误：复制表 %s 时失败，目标库未写入任何数据：%s\n", failed, dj_rc_message(rc));
		else
			fprintf(stderr, "错误：复制失败，目标库未写入任何数据：%s\n", dj_rc_message(rc));
		dj_db_close(dst);
		return 1;
	}
	rc = dj_audit_verify(dst, &bad, &count);
	dj_db_close(dst);
	if (rc) {
		fprintf(stderr, "错误：目标库审计链校验失败，第一个异常条目 id=%lld\n", (long long)bad);
		return 1;
	}
	printf("复制完成：%lld 条审计记录校验通过\n", (long long)count);
	return 0;
}

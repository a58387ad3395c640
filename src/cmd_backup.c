/* cmd_backup.c — `dangjian backup` (online, while the server runs) and `dangjian restore`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dj/audit.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage_backup[] =
	"用法：dangjian backup --db PATH --out FILE\n"
	"\n在线备份（服务运行中也可执行，不阻塞写入），并校验备份文件的完整性与审计链。\n"
	"仅适用于 SQLite 数据库文件；PostgreSQL 数据库请用 pg_dump 或 pg_basebackup。\n";
static const char usage_restore[] =
	"用法：dangjian restore --from FILE --db PATH [--force]\n"
	"\n先校验备份（完整性检查与审计链），再替换数据库。请先停止服务。目标已存在时需加 --force。\n"
	"仅适用于 SQLite 数据库文件。\n";

/* Both commands copy a SQLite file; a PostgreSQL store has PostgreSQL's own tools (docs/scale-out.md). */
static int refuse_pg(const char *what)
{
	fprintf(stderr, "错误：%s 是 PostgreSQL 数据库，不能用 dangjian backup/restore：请用 pg_dump 或 pg_basebackup 备份，"
			"用 pg_restore 或 PostgreSQL 的时间点恢复还原\n",
		what);
	return 1;
}

/* Integrity and audit chain of a store file; prints what it found. */
static int verify_file(const char *path)
{
	struct dj_db *db;
	int64_t bad, count;
	if (dj_db_open(path, 1, DJ_DB_NO_MIGRATE, &db)) {
		fprintf(stderr, "错误：无法打开 %s\n", path);
		return 1;
	}
	dj_rc rc = dj_db_integrity(db);
	if (rc) {
		fprintf(stderr, "错误：%s 完整性检查未通过\n", path);
		dj_db_close(db);
		return 1;
	}
	rc = dj_audit_verify(db, &bad, &count);
	dj_db_close(db);
	if (rc) {
		fprintf(stderr, "错误：%s 审计链校验失败，第一个异常条目 id=%lld\n", path, (long long)bad);
		return 1;
	}
	return 0;
}

int cmd_backup(int argc, char **argv)
{
	struct dj_db *db;
	if (cli_help(argc, argv, usage_backup))
		return 0;
	const char *path = cli_opt(argc, argv, "--db"), *out = cli_opt(argc, argv, "--out");
	if (!path || !out)
		return cli_usage_error(usage_backup, "缺少 --db 或 --out");
	if (!dj_db_url_is_file(path))
		return refuse_pg("--db");
	if (cli_open_db(path, &db))
		return 1;
	dj_rc rc = dj_db_backup(db, out);
	dj_db_close(db);
	if (rc == DJ_ERR_CONFLICT) {
		fprintf(stderr, "错误：目标文件已存在：%s\n", out);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "错误：备份失败：%s\n", dj_rc_message(rc));
		unlink(out);
		return 1;
	}
	if (verify_file(out))
		return 1;
	printf("备份完成：%s\n", out);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int rc = 0;
	if (!in || !out) {
		if (in)
			fclose(in);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			rc = 1;
			break;
		}
	if (ferror(in))
		rc = 1;
	fclose(in);
	if (fflush(out) || fsync(fileno(out)))
		rc = 1;
	if (fclose(out))
		rc = 1;
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	char tmp[4096], side[4200];
	if (cli_help(argc, argv, usage_restore))
		return 0;
	const char *from = cli_opt(argc, argv, "--from"), *path = cli_opt(argc, argv, "--db");
	if (!from || !path)
		return cli_usage_error(usage_restore, "缺少 --from 或 --db");
	if (!dj_db_url_is_file(path) || !dj_db_url_is_file(from))
		return refuse_pg(dj_db_url_is_file(path) ? "--from" : "--db");
	if (access(path, F_OK) == 0 && !cli_flag(argc, argv, "--force")) {
		fprintf(stderr, "错误：目标数据库已存在：%s（确认覆盖请加 --force，并先停止服务）\n", path);
		return 1;
	}
	if (verify_file(from))
		return 1;
	/* Copy beside the target, then rename: the target is either old or new, never half. */
	snprintf(tmp, sizeof(tmp), "%s.restore-tmp", path);
	if (copy_file(from, tmp)) {
		fprintf(stderr, "错误：复制备份失败\n");
		unlink(tmp);
		return 1;
	}
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	if (rename(tmp, path)) {
		fprintf(stderr, "错误：替换数据库失败\n");
		unlink(tmp);
		return 1;
	}
	printf("恢复完成：%s\n", path);
	return 0;
}

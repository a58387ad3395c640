/* cmd_demo.c — `dangjian demo`: build the demo county database and print its logins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dj/date.h"
#include "dj/demo.h"
#include "dj/slice.h"
#include "dj/schema.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage[] =
	"用法：dangjian demo --db PATH [--seed N] [--scale county|province|N]\n"
	"       dangjian demo --print-logins\n"
	"\n生成虚构的演示县（青山县：12 个乡镇、203 个村和社区、约 735 个党组织），同一 seed 结果相同。\n"
	"--scale province 生成虚构的省（约 500 万党员、25 万个党组织，用于性能测试，需数分钟）；\n"
	"--scale N 生成 N 名党员、约 N/20 个党组织的同构数据（不含会议和班子）。进度打印在标准错误。\n"
	"打印演示账号，最后一行只打印根组织的 id。数据库已存在时拒绝覆盖。\n";

/* Progress of a scaled build on stderr, at most a few lines a second. */
static void progress(void *arg, const char *phase, int64_t done, int64_t total)
{
	int64_t *t0 = arg;
	double s = (double)(dj_time_mono_ms() - *t0) / 1000.0;
	if (total)
		fprintf(stderr, "%s %lld/%lld（%.0f%%）%.1f 秒\n", phase, (long long)done, (long long)total,
			100.0 * (double)done / (double)total, s);
	else
		fprintf(stderr, "%s %lld %.1f 秒\n", phase, (long long)done, s);
}

static void print_logins(void)
{
	printf("演示账号（用户名 / 密码 / 角色）：\n");
	for (int i = 0; dj_demo_logins[i].username; i++)
		printf("  %-10s %-10s %-10s %s\n", dj_demo_logins[i].username, dj_demo_logins[i].password,
		       dj_demo_logins[i].role, dj_demo_logins[i].what);
}

/* A private SQLite file to build in when the store is PostgreSQL: the generator writes about a million
 * single-row statements, and through PostgreSQL each is a network round trip (~14 minutes for the
 * county); built in SQLite (seconds) and moved by dj_db_copy in multi-row INSERTs, the same path as
 * `dangjian copy` (docs/scale-out.md). dir gets the temp directory, path the file in it. */
static int make_build_file(char *dir, size_t dirlen, char *path, size_t pathlen)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, dirlen, "%s/dj-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "错误：无法创建临时目录 %s\n", dir);
		dir[0] = '\0';
		return 1;
	}
	if (snprintf(path, pathlen, "%s/demo.db", dir) >= (int)pathlen) {
		fprintf(stderr, "错误：临时目录路径过长：%s\n", dir);
		return 1;
	}
	return 0;
}

/* Remove the build file (with its WAL and shared-memory files) and its directory. */
static void remove_build_file(const char *dir, const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[4200];
	if (!dir[0])
		return;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

int cmd_demo(int argc, char **argv)
{
	struct dj_db *db = NULL, *dst = NULL;
	struct dj_pii *pii = NULL;
	char tmpdir[4096] = "", build[4096] = "", failed[64] = "";
	int64_t seed = 1, root = 0, members = 0;
	int code = 1;
	if (cli_help(argc, argv, usage))
		return 0;
	if (cli_flag(argc, argv, "--print-logins")) {
		print_logins();
		return 0;
	}
	const char *path = cli_opt(argc, argv, "--db"), *s = cli_opt(argc, argv, "--seed");
	const char *scale = cli_opt(argc, argv, "--scale");
	int64_t scale_n = 0, orgs = 0, t0 = dj_time_mono_ms();
	if (!path)
		return cli_usage_error(usage, "缺少 --db");
	if (s && dj_parse_int_str(s, 0, INT64_MAX, &seed))
		return cli_usage_error(usage, "--seed 应为非负整数");
	if (scale && strcmp(scale, "province") == 0)
		scale_n = DJ_DEMO_PROVINCE_MEMBERS;
	else if (scale && strcmp(scale, "county") != 0 && dj_parse_int_str(scale, 100, 20000000, &scale_n))
		return cli_usage_error(usage, "--scale 应为 county、province 或 100 到 20000000 之间的党员人数");
	dj_rc rc = dj_schema_open(path, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db);
	if (rc == DJ_ERR_CONFLICT) {
		char shown[512];
		fprintf(stderr, "错误：数据库已存在，拒绝覆盖：%s\n", dj_db_url_redact(path, shown, sizeof(shown)));
		goto out;
	}
	if (rc) {
		char shown[512];
		fprintf(stderr, "错误：无法创建数据库 %s：%s\n", dj_db_url_redact(path, shown, sizeof(shown)),
			dj_rc_message(rc));
		goto out;
	}
	if (!dj_db_url_is_file(path)) {
		dst = db;
		db = NULL;
		if (make_build_file(tmpdir, sizeof(tmpdir), build, sizeof(build)))
			goto out;
		rc = dj_schema_open(build, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db);
		if (rc) {
			fprintf(stderr, "错误：无法创建临时数据库 %s：%s\n", build, dj_rc_message(rc));
			goto out;
		}
	}
	if (cli_open_pii(path, 1, &pii))
		goto out;
	if (scale_n) {
		rc = dj_demo_scale(db, pii, (uint64_t)seed, scale_n, progress, &t0, &root, &orgs);
		members = scale_n;
	} else {
		rc = dj_demo_build(db, pii, (uint64_t)seed, &root, &members);
	}
	if (rc) {
		fprintf(stderr, "错误：生成演示数据失败：%s\n", dj_rc_message(rc));
		goto out;
	}
	if (dst) {
		rc = dj_db_copy(db, dst, NULL, NULL, failed, sizeof(failed));
		if (rc) {
			fprintf(stderr, "错误：演示数据写入 %s 失败（表 %s）：%s\n", path, failed[0] ? failed : "-",
				dj_rc_message(rc));
			goto out;
		}
	}
	if (scale_n)
		fprintf(stderr, "演示数据已生成：%lld 个党组织，%lld 名党员，用时 %.1f 秒\n", (long long)orgs,
			(long long)members, (double)(dj_time_mono_ms() - t0) / 1000.0);
	else
		fprintf(stderr, "演示县已生成：%lld 名党员\n", (long long)members);
	print_logins();
	printf("%lld\n", (long long)root);
	code = 0;
out:
	dj_pii_free(pii);
	dj_db_close(db);
	dj_db_close(dst);
	remove_build_file(tmpdir, build);
	return code;
}

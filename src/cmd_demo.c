/* cmd_demo.c — `dangjian demo`: build the demo county database and print its logins. */
#include <stdio.h>
#include <string.h>
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

int cmd_demo(int argc, char **argv)
{
	struct dj_db *db;
	int64_t seed = 1, root = 0;
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
		fprintf(stderr, "错误：数据库已存在，拒绝覆盖：%s\n", path);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "错误：无法创建数据库 %s：%s\n", path, dj_rc_message(rc));
		return 1;
	}
	struct dj_pii *pii = NULL;
	int64_t members = 0;
	if (cli_open_pii(path, 1, &pii)) {
		dj_db_close(db);
		return 1;
	}
	if (scale_n) {
		rc = dj_demo_scale(db, pii, (uint64_t)seed, scale_n, progress, &t0, &root, &orgs);
		members = scale_n;
	} else {
		rc = dj_demo_build(db, pii, (uint64_t)seed, &root, &members);
	}
	dj_pii_free(pii);
	dj_db_close(db);
	if (rc) {
		fprintf(stderr, "错误：生成演示数据失败：%s\n", dj_rc_message(rc));
		return 1;
	}
	if (scale_n)
		fprintf(stderr, "演示数据已生成：%lld 个党组织，%lld 名党员，用时 %.1f 秒\n", (long long)orgs,
			(long long)members, (double)(dj_time_mono_ms() - t0) / 1000.0);
	else
		fprintf(stderr, "演示县已生成：%lld 名党员\n", (long long)members);
	print_logins();
	printf("%lld\n", (long long)root);
	return 0;
}

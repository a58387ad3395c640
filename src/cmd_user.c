/* cmd_user.c — `dangjian user add`: create an account from the operator's shell. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "dj/slice.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage[] =
	"用法：dangjian user add --db PATH --username U --role ROLE --org ORG_ID --password-stdin\n"
	"\n新建账号。角色：admin（业务管理员）、org_admin（组织管理员）、member（党员）、\n"
	"secadmin（安全管理员）、auditor（审计管理员）。密码从标准输入读取一行，须至少 8 位并含三类字符。\n";

int cmd_user(int argc, char **argv)
{
	struct dj_db *db = NULL;
	struct dj_db_conn *c;
	struct dj_scope sc;
	char pw[256] = "", err[256] = "";
	const char *field = NULL;
	int64_t org_id, id = 0;
	if (cli_help(argc, argv, usage))
		return 0;
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage_error(usage, "未知的子命令（应为 user add）");
	const char *path = cli_opt(argc, argv, "--db"), *username = cli_opt(argc, argv, "--username");
	const char *role = cli_opt(argc, argv, "--role"), *org = cli_opt(argc, argv, "--org");
	if (!path || !username || !role || !org)
		return cli_usage_error(usage, "缺少 --db、--username、--role 或 --org");
	if (dj_parse_int_str(org, 1, INT64_MAX, &org_id))
		return cli_usage_error(usage, "--org 应为组织 id（正整数）");
	if (!cli_flag(argc, argv, "--password-stdin"))
		return cli_usage_error(usage, "请用 --password-stdin 从标准输入提供密码（不在命令行上出现）");
	if (!cli_read_line(pw, sizeof(pw)))
		return cli_usage_error(usage, "标准输入没有密码");
	if (cli_open_db(path, &db))
		return 1;
	cli_root_scope(&sc);
	struct dj_actor who = cli_actor();
	dj_rc rc = dj_db_begin(db, &c);
	if (!rc) {
		rc = dj_auth_user_create(c, &sc, &who, username, pw, role, org_id, &id, &field, err, sizeof(err));
		if (rc)
			dj_db_rollback(c);
		else
			rc = dj_db_commit(c);
	}
	sodium_memzero(pw, sizeof(pw));
	dj_db_close(db);
	if (rc) {
		fprintf(stderr, "错误：%s%s%s\n", field ? field : "", field ? "：" : "", err[0] ? err : dj_rc_message(rc));
		return 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

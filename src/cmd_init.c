/* cmd_init.c — `dangjian init`: a new database with its schema and root organization. */
#include <stdio.h>
#include "dj/org.h"
#include "dj/schema.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage[] =
	"用法：dangjian init --db PATH --org-name NAME\n"
	"\n新建数据库（建立表结构）和根党组织，只打印新根组织的 id。已存在的数据库不会被覆盖。\n";

int cmd_init(int argc, char **argv)
{
	struct dj_db *db = NULL;
	struct dj_db_conn *c;
	int64_t id;
	if (cli_help(argc, argv, usage))
		return 0;
	const char *path = cli_opt(argc, argv, "--db"), *name = cli_opt(argc, argv, "--org-name");
	if (!path || !name || !*name)
		return cli_usage_error(usage, "缺少 --db 或 --org-name");
	dj_rc rc = dj_schema_open(path, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db);
	if (rc == DJ_ERR_CONFLICT) {
		char shown[512];
		fprintf(stderr, "错误：数据库已存在，拒绝覆盖：%s\n", dj_db_url_redact(path, shown, sizeof(shown)));
		return 1;
	}
	if (rc) {
		char shown[512];
		fprintf(stderr, "错误：无法创建数据库 %s：%s\n", dj_db_url_redact(path, shown, sizeof(shown)),
			dj_rc_message(rc));
		return 1;
	}
	struct dj_actor who = cli_actor();
	struct dj_pii *pii = NULL;
	if (cli_open_pii(path, 1, &pii)) { /* the PII key is created with the database */
		dj_db_close(db);
		return 1;
	}
	dj_pii_free(pii);
	rc = dj_db_begin(db, &c);
	if (!rc) {
		rc = dj_org_create_root(c, &who, name, &id);
		if (rc)
			dj_db_rollback(c);
		else
			rc = dj_db_commit(c);
	}
	dj_db_close(db);
	if (rc) {
		fprintf(stderr, "错误：创建根组织失败：%s\n", dj_rc_message(rc));
		return 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

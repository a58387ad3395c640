/* cli.c — option parsing and shared helpers for the subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dj/log.h"
#include "dj/schema.h"
#include "cli.h"
#include "dj/banned.h"

const char *cli_opt(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], name) == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	}
	return NULL;
}

bool cli_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

bool cli_help(int argc, char **argv, const char *usage)
{
	if (cli_flag(argc, argv, "--help") || cli_flag(argc, argv, "-h")) {
		fputs(usage, stdout);
		return true;
	}
	return false;
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	fputs("错误：", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(usage, stderr);
	return 2;
}

bool cli_read_line(char *buf, size_t n)
{
	if (!fgets(buf, (int)n, stdin))
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

void cli_root_scope(struct dj_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->role = DJ_ROLE_ADMIN;
	dj_scope_set_path(sc, "/");
}

struct dj_actor cli_actor(void)
{
	struct dj_actor a = { 0, "cli", "local" };
	return a;
}

int cli_open_db(const char *path, struct dj_db **db)
{
	char shown[512];
	dj_rc rc = dj_schema_open(path, 1, 0, db);
	if (rc == DJ_ERR_NOTFOUND) {
		fprintf(stderr, "错误：数据库不存在：%s（请先运行 dangjian init）\n", dj_db_url_redact(path, shown, sizeof(shown)));
		return 1;
	}
	if (rc) {
		fprintf(stderr, "错误：无法打开数据库 %s：%s\n", dj_db_url_redact(path, shown, sizeof(shown)),
			dj_rc_message(rc));
		return 1;
	}
	return 0;
}

bool cli_has_members(struct dj_db *db)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	bool any = true; /* on error: as if there were members, so no new key is made over a lost one */
	if (dj_db_reader(db, &c))
		return any;
	/* EXISTS, not COUNT(*): a count reads the whole table (~1 s cold at 5,000,000 members). */
	if (!dj_db_prepare(c, "SELECT EXISTS (SELECT 1 FROM members)", &s)) {
		if (dj_stmt_step(s) == DJ_ROW)
			any = dj_stmt_int(s, 0) != 0;
		dj_stmt_reset(s);
	}
	dj_db_release(c);
	return any;
}

int cli_open_pii(const char *db_path, int create, struct dj_pii **pii)
{
	char path[4096];
	dj_pii_default_path(db_path, path, sizeof(path));
	dj_rc rc = dj_pii_open(path, create, pii);
	if (rc) {
		fprintf(stderr, "错误：无法读取个人信息加密密钥 %s：%s\n", path, dj_rc_message(rc));
		return 1;
	}
	return 0;
}

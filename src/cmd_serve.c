/* cmd_serve.c — `dangjian serve`: load configuration, open the store, run the HTTP server. */
#include <stdio.h>
#include "dj/api.h"
#include "dj/log.h"
#include "dj/pii.h"
#include "dj/schema.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage[] =
	"用法：dangjian serve [--config FILE] [--db PATH] [--listen ADDR] [--port N] [--threads N]\n"
	"\n启动 HTTP 服务。配置依次来自：内置默认值、配置文件、DJ_* 环境变量、命令行选项。\n"
	"选项：\n"
	"  --config FILE   INI 配置文件（见 etc/dangjian.ini）\n"
	"  --db PATH       数据库文件（默认 var/dangjian.db）\n"
	"  --listen ADDR   监听地址（默认 127.0.0.1）\n"
	"  --port N        端口（默认 8080；0 表示任选空闲端口）\n"
	"  --threads N     工作线程数（默认 CPU 核数）\n"
	"启动后在标准输出打印一行 \"listening on http://ADDR:PORT\"；收到 SIGTERM/SIGINT 时处理完进行中的请求后退出（退出码 0）。\n";

/* The PII key: required once members exist (a lost key must not be silently replaced). */
static int load_pii_key(const struct dj_config *cfg, struct dj_db *db, struct dj_pii **pii)
{
	char path[4096];
	if (cfg->key_file)
		snprintf(path, sizeof(path), "%s", cfg->key_file);
	else
		dj_pii_default_path(cfg->db_path, path, sizeof(path));
	dj_rc rc = dj_pii_open(path, !cli_has_members(db), pii);
	if (rc) {
		fprintf(stderr, "错误：无法读取个人信息加密密钥 %s（%s）。密钥丢失时已加密的身份证号和电话无法解密，请从备份恢复密钥文件。\n",
			path, dj_rc_message(rc));
		return 1;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct dj_config cfg = DJ_CONFIG_INIT;
	struct dj_app app = { 0 };
	char err[256];
	int code = 1;
	static const char *const flags[] = { "db", "listen", "port", "threads", NULL };
	if (cli_help(argc, argv, usage))
		return 0;
	dj_config_defaults(&cfg);
	const char *file = cli_opt(argc, argv, "--config");
	if (file && dj_config_load_file(&cfg, file, err, sizeof(err))) {
		fprintf(stderr, "错误：%s\n", err);
		goto out;
	}
	if (dj_config_load_env(&cfg, err, sizeof(err))) {
		fprintf(stderr, "错误：%s\n", err);
		goto out;
	}
	for (int i = 0; flags[i]; i++) {
		char name[32];
		snprintf(name, sizeof(name), "--%s", flags[i]);
		const char *v = cli_opt(argc, argv, name);
		if (v && dj_config_set(&cfg, flags[i], v, err, sizeof(err))) {
			code = cli_usage_error(usage, "%s", err);
			goto out;
		}
	}
	int lv = dj_log_level_parse(cfg.log_level);
	if (lv >= 0)
		dj_log_set_level((enum dj_log_level)lv);
	size_t nroutes;
	const struct dj_route *routes = dj_api_routes(&nroutes);
	app.cfg = &cfg;
	app.version = dj_version();
	app.policy.lockout_failures = cfg.lockout_failures;
	app.policy.lockout_s = cfg.lockout_s;
	app.policy.session_idle_s = cfg.session_idle_s;
	if (cli_open_db(cfg.db_path, &app.db))
		goto out;
	dj_db_close(app.db);
	app.db = NULL;
	/* One reader per worker thread, so a request never waits for a connection. */
	if (dj_schema_open(cfg.db_path, cfg.threads, DJ_DB_CHECKPOINTER, &app.db)) {
		char shown[512];
		fprintf(stderr, "错误：无法打开数据库 %s\n", dj_db_url_redact(cfg.db_path, shown, sizeof(shown)));
		goto out;
	}
	if (load_pii_key(&cfg, app.db, &app.pii))
		goto out;
	app.metrics = dj_metrics_new(nroutes);
	app.jobs = dj_jobs_new();
	code = dj_http_serve(&app, routes, nroutes) == DJ_OK ? 0 : 1;
out:
	dj_jobs_free(app.jobs);
	dj_metrics_free(app.metrics);
	dj_pii_free(app.pii);
	dj_db_close(app.db);
	dj_config_release(&cfg);
	return code;
}

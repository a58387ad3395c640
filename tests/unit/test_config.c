/* test_config.c — unit tests for configuration: defaults, dj_config_set with valid and invalid
 * values (Chinese reasons), ini files in a temporary directory, DJ_* environment overrides. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <cmocka.h>
#include "dj/config.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dj-test-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int remove_dir(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Writes text to <tmpdir>/name; returns the path in buf. */
static const char *write_file(const char *name, const char *text, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
	FILE *f = fopen(buf, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return buf;
}

static void test_defaults(void **state)
{
	(void)state;
	struct dj_config c = DJ_CONFIG_INIT;
	dj_config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1");
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.db_path, "var/dangjian.db");
	assert_null(c.key_file);
	assert_true(c.threads >= 2 && c.threads <= 64);
	assert_int_equal(c.max_body, 1024 * 1024);
	assert_int_equal(c.max_upload, 64 * 1024 * 1024);
	assert_int_equal(c.per_ip_conns, 256); /* as in etc/dangjian.ini (the header comment says 64) */
	assert_int_equal(c.conn_timeout_s, 30);
	assert_int_equal(c.session_idle_s, 1800);
	assert_int_equal(c.lockout_failures, 5);
	assert_int_equal(c.lockout_s, 900);
	assert_null(c.metrics_token);
	assert_int_equal(c.cookie_secure, 0);
	assert_string_equal(c.log_level, "info");
	dj_config_release(&c);
	assert_null(c.listen);
	dj_config_release(&c); /* twice is harmless */
}

static void test_set_valid(void **state)
{
	(void)state;
	struct dj_config c;
	char err[256] = "";
	dj_config_defaults(&c);
	static const struct {
		const char *key, *value;
	} t[] = {
		{ "port", "9090" },	     { "threads", "4" },	    { "max_body", "2048" },
		{ "max_upload", "4294967296" }, { "per_ip_conns", "10" },      { "conn_timeout", "60" },
		{ "session_idle", "600" },     { "lockout_failures", "3" },  { "lockout_seconds", "60" },
		{ "cookie_secure", "1" },      { "listen", "0.0.0.0" },	    { "db", "/tmp/x.db" },
		{ "key_file", "/tmp/x.key" },  { "metrics_token", "s3cret" }, { "log_level", "debug" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++)
		if (dj_config_set(&c, t[i].key, t[i].value, err, sizeof(err)) != DJ_OK)
			fail_msg("set %s=%s: %s", t[i].key, t[i].value, err);
	assert_int_equal(c.port, 9090);
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.max_body, 2048);
	assert_int_equal(c.max_upload, (size_t)1 << 32);
	assert_int_equal(c.per_ip_conns, 10);
	assert_int_equal(c.conn_timeout_s, 60);
	assert_int_equal(c.session_idle_s, 600);
	assert_int_equal(c.lockout_failures, 3);
	assert_int_equal(c.lockout_s, 60);
	assert_int_equal(c.cookie_secure, 1);
	assert_string_equal(c.listen, "0.0.0.0");
	assert_string_equal(c.db_path, "/tmp/x.db");
	assert_string_equal(c.key_file, "/tmp/x.key");
	assert_string_equal(c.metrics_token, "s3cret");
	assert_string_equal(c.log_level, "debug");
	/* Port 0 = any free port; the bounds are inclusive. */
	assert_int_equal(dj_config_set(&c, "port", "0", err, sizeof(err)), DJ_OK);
	assert_int_equal(c.port, 0);
	assert_int_equal(dj_config_set(&c, "port", "65535", err, sizeof(err)), DJ_OK);
	assert_int_equal(c.port, 65535);
	/* An empty string clears an optional string setting. */
	assert_int_equal(dj_config_set(&c, "metrics_token", "", err, sizeof(err)), DJ_OK);
	assert_null(c.metrics_token);
	assert_int_equal(dj_config_set(&c, "key_file", "", err, sizeof(err)), DJ_OK);
	assert_null(c.key_file);
	static const char *const levels[] = { "debug", "info", "warn", "error", "off" };
	for (size_t i = 0; i < N_ELEMS(levels); i++) {
		assert_int_equal(dj_config_set(&c, "log_level", levels[i], err, sizeof(err)), DJ_OK);
		assert_string_equal(c.log_level, levels[i]);
	}
	dj_config_release(&c);
}

static void test_set_invalid(void **state)
{
	(void)state;
	static const struct {
		const char *key, *value, *err_has;
	} t[] = {
		{ "port", "65536", "配置项 port 的值无效" },
		{ "port", "-1", "0 到 65535" },
		{ "port", "80a", "的值无效" },
		{ "port", "", "的值无效" },
		{ "port", " 80", "的值无效" },
		{ "port", "+80", "的值无效" },
		{ "threads", "0", "配置项 threads" },
		{ "threads", "257", "1 到 256" },
		{ "max_body", "1023", "配置项 max_body" },
		{ "session_idle", "59", "配置项 session_idle" },
		{ "cookie_secure", "2", "0 到 1" },
		{ "cookie_secure", "yes", "的值无效" },
		{ "lockout_failures", "0", "的值无效" },
		{ "nope", "1", "未知的配置项：nope" },
		{ "Port", "80", "未知的配置项" },
		{ "path", "/x.db", "未知的配置项" },
		/* Required strings cannot be emptied (the server dereferences them). */
		{ "db", "", "配置项 db 不能为空" },
		{ "listen", "", "配置项 listen 不能为空" },
		{ "log_level", "", "不能为空" },
		{ "log_level", "verbose", "配置项 log_level 的值无效" },
		{ "log_level", "INFO", "的值无效" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_config c;
		char err[256] = "";
		dj_config_defaults(&c);
		if (dj_config_set(&c, t[i].key, t[i].value, err, sizeof(err)) != DJ_ERR_INVALID)
			fail_msg("set %s=%s should fail", t[i].key, t[i].value);
		if (!strstr(err, t[i].err_has))
			fail_msg("set %s=%s: reason [%s] lacks [%s]", t[i].key, t[i].value, err, t[i].err_has);
		/* A refused value leaves the setting as it was. */
		assert_int_equal(c.port, 8080);
		assert_int_equal(c.threads >= 2, 1);
		assert_int_equal(c.max_body, 1024 * 1024);
		assert_int_equal(c.cookie_secure, 0);
		assert_string_equal(c.db_path, "var/dangjian.db");
		assert_string_equal(c.listen, "127.0.0.1");
		assert_string_equal(c.log_level, "info");
		dj_config_release(&c);
	}
}

static void test_load_file(void **state)
{
	(void)state;
	struct dj_config c;
	char err[512] = "", path[300];
	dj_config_defaults(&c);
	write_file("a.ini",
		   "; comment line\n"
		   "[server]\n"
		   "listen = 0.0.0.0\n"
		   "port = 9000   ; inline comment\n"
		   "threads = 3\n"
		   "\n"
		   "[db]\n"
		   "db = /srv/dj/党建.db\n"
		   "key_file = /srv/dj/key\n"
		   "[security]\n"
		   "session_idle = 900\n"
		   "lockout_failures = 7\n",
		   path, sizeof(path));
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_OK);
	assert_string_equal(c.listen, "0.0.0.0");
	assert_int_equal(c.port, 9000);
	assert_int_equal(c.threads, 3);
	assert_string_equal(c.db_path, "/srv/dj/党建.db");
	assert_string_equal(c.key_file, "/srv/dj/key");
	assert_int_equal(c.session_idle_s, 900);
	assert_int_equal(c.lockout_failures, 7);
	assert_int_equal(c.lockout_s, 900); /* untouched keys keep their defaults */
	dj_config_release(&c);
}

static void test_load_shipped_sample(void **state)
{
	(void)state;
	/* The sample in etc/ must load as-is (inline "; comments" included). */
	struct dj_config c;
	char err[512] = "";
	if (access("etc/dangjian.ini", R_OK) != 0)
		skip();
	dj_config_defaults(&c);
	if (dj_config_load_file(&c, "etc/dangjian.ini", err, sizeof(err)) != DJ_OK)
		fail_msg("etc/dangjian.ini: %s", err);
	assert_string_equal(c.db_path, "/var/lib/dangjian/dangjian.db");
	assert_int_equal(c.max_body, 1048576);
	assert_int_equal(c.max_upload, 67108864);
	assert_int_equal(c.port, 8080);
	dj_config_release(&c);
}

static void test_load_file_errors(void **state)
{
	(void)state;
	struct dj_config c;
	char err[512] = "", path[300];
	dj_config_defaults(&c);

	snprintf(path, sizeof(path), "%s/missing.ini", tmpdir);
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_ERR_IO);
	assert_non_null(strstr(err, "无法读取配置文件"));

	write_file("badvalue.ini", "[server]\nport = 8081\nthreads = many\nlisten = 1.2.3.4\n", path, sizeof(path));
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_ERR_INVALID);
	assert_non_null(strstr(err, "配置项 threads 的值无效"));
	assert_string_equal(c.listen, "127.0.0.1"); /* parsing stopped at the bad value */

	write_file("badline.ini", "[server]\nport = 8081\nthis is not ini\n", path, sizeof(path));
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_ERR_INVALID);
	assert_non_null(strstr(err, "第 3 行格式错误"));

	write_file("unknown.ini", "[db]\npath = /x.db\n", path, sizeof(path));
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_ERR_INVALID);
	assert_non_null(strstr(err, "未知的配置项：path"));

	write_file("empty.ini", "", path, sizeof(path));
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_OK);
	dj_config_release(&c);
}

static void test_env_overrides(void **state)
{
	(void)state;
	struct dj_config c;
	char err[512] = "", path[300];
	static const char *const vars[] = { "DJ_LISTEN", "DJ_PORT", "DJ_DB", "DJ_KEY_FILE", "DJ_THREADS",
					    "DJ_METRICS_TOKEN", "DJ_LOG_LEVEL" };
	for (size_t i = 0; i < N_ELEMS(vars); i++)
		unsetenv(vars[i]);
	dj_config_defaults(&c);
	write_file("env.ini", "[server]\nport = 9000\nlisten = 10.0.0.1\n", path, sizeof(path));
	assert_int_equal(dj_config_load_file(&c, path, err, sizeof(err)), DJ_OK);
	setenv("DJ_PORT", "9100", 1);
	setenv("DJ_DB", "/tmp/env.db", 1);
	setenv("DJ_KEY_FILE", "/tmp/env.key", 1);
	setenv("DJ_THREADS", "5", 1);
	setenv("DJ_METRICS_TOKEN", "tok", 1);
	setenv("DJ_LOG_LEVEL", "warn", 1);
	assert_int_equal(dj_config_load_env(&c, err, sizeof(err)), DJ_OK);
	assert_int_equal(c.port, 9100);          /* env beats the file */
	assert_string_equal(c.listen, "10.0.0.1"); /* no DJ_LISTEN: the file's value stays */
	assert_string_equal(c.db_path, "/tmp/env.db");
	assert_string_equal(c.key_file, "/tmp/env.key");
	assert_int_equal(c.threads, 5);
	assert_string_equal(c.metrics_token, "tok");
	assert_string_equal(c.log_level, "warn");
	/* Flags (dj_config_set) come last and beat the environment. */
	assert_int_equal(dj_config_set(&c, "port", "9200", err, sizeof(err)), DJ_OK);
	assert_int_equal(c.port, 9200);

	/* Bad values in the environment are refused with the setting's reason. */
	for (size_t i = 0; i < N_ELEMS(vars); i++)
		unsetenv(vars[i]);
	setenv("DJ_DB", "", 1); /* set but empty: refused, the path stays */
	assert_int_equal(dj_config_load_env(&c, err, sizeof(err)), DJ_ERR_INVALID);
	assert_non_null(strstr(err, "配置项 db 不能为空"));
	assert_string_equal(c.db_path, "/tmp/env.db");
	unsetenv("DJ_DB");
	setenv("DJ_PORT", "http", 1);
	assert_int_equal(dj_config_load_env(&c, err, sizeof(err)), DJ_ERR_INVALID);
	assert_non_null(strstr(err, "配置项 port 的值无效"));
	assert_int_equal(c.port, 9200);
	unsetenv("DJ_PORT");
	dj_config_release(&c);

	/* With no DJ_* variables nothing changes. */
	dj_config_defaults(&c);
	assert_int_equal(dj_config_load_env(&c, err, sizeof(err)), DJ_OK);
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.db_path, "var/dangjian.db");
	dj_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_valid),
		cmocka_unit_test(test_set_invalid),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_shipped_sample),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_env_overrides),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}

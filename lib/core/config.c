/* config.c — settings: defaults, then the ini file (libinih), then DJ_* environment, then flags. */
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dj/alloc.h"
#include "dj/config.h"
#include "dj/log.h"
#include "dj/slice.h"
#include "dj/banned.h"

void dj_config_defaults(struct dj_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = dj_strdup("127.0.0.1");
	c->port = 8080;
	c->db_path = dj_strdup("var/dangjian.db");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	c->threads = ncpu < 2 ? 2 : (int)(ncpu > 64 ? 64 : ncpu);
	c->max_body = 1024 * 1024;
	c->max_upload = 64 * 1024 * 1024;
	c->per_ip_conns = 256;
	c->conn_timeout_s = 30;
	c->session_idle_s = 1800;
	c->lockout_failures = 5;
	c->lockout_s = 900;
	c->log_level = dj_strdup("info");
}

static void set_str(char **dst, const char *v)
{
	dj_free(*dst);
	*dst = v && *v ? dj_strdup(v) : NULL;
}

/* Integer settings: name, offset of the int/size_t field, range. */
struct int_key {
	const char *name;
	int is_size;
	size_t off;
	int64_t min, max;
};
static const struct int_key int_keys[] = {
	{ "port", 0, offsetof(struct dj_config, port), 0, 65535 },
	{ "threads", 0, offsetof(struct dj_config, threads), 1, 256 },
	{ "max_body", 1, offsetof(struct dj_config, max_body), 1024, 1 << 30 },
	{ "max_upload", 1, offsetof(struct dj_config, max_upload), 1024, (int64_t)1 << 32 },
	{ "per_ip_conns", 0, offsetof(struct dj_config, per_ip_conns), 1, 100000 },
	{ "conn_timeout", 0, offsetof(struct dj_config, conn_timeout_s), 1, 3600 },
	{ "session_idle", 0, offsetof(struct dj_config, session_idle_s), 60, 86400 * 7 },
	{ "lockout_failures", 0, offsetof(struct dj_config, lockout_failures), 1, 100 },
	{ "lockout_seconds", 0, offsetof(struct dj_config, lockout_s), 1, 86400 },
	{ "cookie_secure", 0, offsetof(struct dj_config, cookie_secure), 0, 1 },
};

/* String settings; an empty value clears an optional one (NULL) but is refused for a required
 * one, which the server dereferences. */
struct str_key {
	const char *name;
	size_t off;
	int required;
};
static const struct str_key str_keys[] = {
	{ "listen", offsetof(struct dj_config, listen), 1 },
	{ "db", offsetof(struct dj_config, db_path), 1 },
	{ "key_file", offsetof(struct dj_config, key_file), 0 },
	{ "metrics_token", offsetof(struct dj_config, metrics_token), 0 },
	{ "log_level", offsetof(struct dj_config, log_level), 1 },
};

dj_rc dj_config_set(struct dj_config *c, const char *key, const char *value, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		const struct int_key *k = &int_keys[i];
		if (strcmp(k->name, key))
			continue;
		int64_t v;
		if (dj_parse_int_str(value, k->min, k->max, &v)) {
			snprintf(err, errlen, "配置项 %s 的值无效：%s（应为 %lld 到 %lld 的整数）", key, value,
				 (long long)k->min, (long long)k->max);
			return DJ_ERR_INVALID;
		}
		if (k->is_size)
			*(size_t *)((char *)c + k->off) = (size_t)v;
		else
			*(int *)((char *)c + k->off) = (int)v;
		return DJ_OK;
	}
	for (size_t i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++) {
		if (strcmp(str_keys[i].name, key) == 0) {
			if (str_keys[i].required && (!value || !*value)) {
				snprintf(err, errlen, "配置项 %s 不能为空", key);
				return DJ_ERR_INVALID;
			}
			if (strcmp(key, "log_level") == 0 && dj_log_level_parse(value) < 0) {
				snprintf(err, errlen, "配置项 log_level 的值无效：%s（应为 debug、info、warn、error 或 off）",
					 value);
				return DJ_ERR_INVALID;
			}
			set_str((char **)((char *)c + str_keys[i].off), value);
			return DJ_OK;
		}
	}
	snprintf(err, errlen, "未知的配置项：%s", key);
	return DJ_ERR_INVALID;
}

struct ini_ctx {
	struct dj_config *c;
	char *err;
	size_t errlen;
	dj_rc rc;
};

static int on_ini_line(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	(void)section; /* keys are unique across sections; sections only group them for people */
	if (x->rc)
		return 0;
	x->rc = dj_config_set(x->c, name, value, x->err, x->errlen);
	return x->rc == DJ_OK;
}

dj_rc dj_config_load_file(struct dj_config *c, const char *path, char *err, size_t errlen)
{
	struct ini_ctx x = { c, err, errlen, DJ_OK };
	int line = ini_parse(path, on_ini_line, &x);
	if (line < 0) {
		snprintf(err, errlen, "无法读取配置文件 %s", path);
		return DJ_ERR_IO;
	}
	if (x.rc)
		return x.rc;
	if (line > 0) {
		snprintf(err, errlen, "配置文件 %s 第 %d 行格式错误", path, line);
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

dj_rc dj_config_load_env(struct dj_config *c, char *err, size_t errlen)
{
	static const struct {
		const char *env, *key;
	} map[] = {
		{ "DJ_LISTEN", "listen" },   { "DJ_PORT", "port" },
		{ "DJ_DB", "db" },	     { "DJ_KEY_FILE", "key_file" },
		{ "DJ_THREADS", "threads" }, { "DJ_METRICS_TOKEN", "metrics_token" },
		{ "DJ_LOG_LEVEL", "log_level" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *v = getenv(map[i].env);
		if (v) {
			dj_rc rc = dj_config_set(c, map[i].key, v, err, errlen);
			if (rc)
				return rc;
		}
	}
	return DJ_OK;
}

void dj_config_release(struct dj_config *c)
{
	dj_free(c->listen);
	dj_free(c->db_path);
	dj_free(c->key_file);
	dj_free(c->metrics_token);
	dj_free(c->log_level);
	memset(c, 0, sizeof(*c));
}

/* config.h — server configuration from an ini file, then DJ_* environment variables, then flags. */
#ifndef DJ_CONFIG_H
#define DJ_CONFIG_H
#include <stddef.h>
#include "dj/rc.h"

/** All settings; strings are owned by the struct (dj_config_release frees them). */
struct dj_config {
	char *listen;          /* address to bind, default "127.0.0.1" */
	int port;              /* default 8080 */
	char *db_path;         /* default "var/dangjian.db" */
	char *key_file;        /* PII key; default "<db_path>.key" */
	int threads;           /* HTTP worker threads, default = cores (min 2) */
	size_t max_body;       /* bytes, default 1 MiB (DJ_MAX_BODY) */
	size_t max_upload;     /* bytes for import uploads, default 64 MiB */
	int per_ip_conns;      /* default 256 */
	int conn_timeout_s;    /* idle connection timeout, default 30 s */
	int session_idle_s;    /* default 1800 */
	int lockout_failures;  /* default 5 */
	int lockout_s;         /* default 900 */
	char *metrics_token;   /* NULL = loopback only */
	int cookie_secure;     /* 1 behind TLS: cookies get the Secure flag */
	char *log_level;       /* default "info" */
};
#define DJ_CONFIG_INIT { 0 }

/** Fill defaults. */
void dj_config_defaults(struct dj_config *c);
/** Apply an ini file (keys as in etc/dangjian.ini: listen, port, threads, db, key_file, ...;
 *  sections only group keys for people).
 *  DJ_ERR_IO if unreadable, DJ_ERR_INVALID naming the bad line in *err (static or NULL). */
dj_rc dj_config_load_file(struct dj_config *c, const char *path, char *err, size_t errlen);
/** Apply DJ_LISTEN, DJ_PORT, DJ_DB, DJ_KEY_FILE, DJ_THREADS, DJ_METRICS_TOKEN, DJ_LOG_LEVEL. */
dj_rc dj_config_load_env(struct dj_config *c, char *err, size_t errlen);
/** Set one key by its ini name ("port", "db", "listen" ...) — used for --flags. */
dj_rc dj_config_set(struct dj_config *c, const char *key, const char *value, char *err, size_t errlen);
/** Free owned strings. */
void dj_config_release(struct dj_config *c);

#endif

/* db_sqlite.c — the SQLite backend: WAL, foreign keys, busy timeout, full durability, online backup. */
#include <sqlite3.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "dj/log.h"
#include "db_int.h"
#include "dj/banned.h"

static dj_rc map_rc(sqlite3 *h, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return DJ_OK;
	case SQLITE_ROW: return DJ_ROW;
	case SQLITE_DONE: return DJ_DONE;
	case SQLITE_CONSTRAINT: return DJ_ERR_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DJ_ERR_BUSY;
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM: return DJ_ERR_READONLY;
	case SQLITE_NOMEM: return DJ_ERR_NOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return DJ_ERR_CORRUPT;
	default:
		(void)h;
		return DJ_ERR_DB;
	}
}

static dj_rc exec_sql(void *conn, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(conn, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		dj_log_warn("sqlite_exec_failed", "err=\"%s\"", err ? err : "");
	sqlite3_free(err);
	return map_rc(conn, rc);
}

/* Before SQLite's first use: no global memory statistics (nothing reads them), whose mutex every
 * allocation of every connection would otherwise take — the import's two threads and the server's
 * workers queued on it (bench/notes.md, item 6). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_setup(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

static dj_rc open_conn(const char *url, int flags, bool writer, void **out)
{
	sqlite3 *h = NULL;
	struct stat st;
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE;
	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	if (writer && (flags & DJ_DB_MUST_NOT_EXIST) && stat(url, &st) == 0 && st.st_size > 0)
		return DJ_ERR_CONFLICT;
	if (flags & DJ_DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(url, &h, oflags, NULL);
	if (rc != SQLITE_OK) {
		dj_log_error("sqlite_open_failed", "path=\"%s\" err=\"%s\"", url, h ? sqlite3_errmsg(h) : "");
		sqlite3_close(h);
		return rc == SQLITE_CANTOPEN ? DJ_ERR_NOTFOUND : map_rc(NULL, rc);
	}
	sqlite3_busy_timeout(h, 5000);
	sqlite3_extended_result_codes(h, 0);
	/* Durability: WAL + synchronous=FULL, so a commit that was answered survives a
	 * process crash and a power loss (docs/operations.md). */
	const char *setup = (flags & DJ_DB_NO_MIGRATE) ? "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
			    : writer ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
				     "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;"
				   : "PRAGMA foreign_keys=ON; PRAGMA query_only=ON; PRAGMA temp_store=MEMORY;"
				     "PRAGMA cache_size=-8000;";
	dj_rc r = exec_sql(h, setup);
	if (r) {
		sqlite3_close(h);
		return r;
	}
	*out = h;
	return DJ_OK;
}

static void close_conn(void *conn) { sqlite3_close(conn); }

static dj_rc prepare(void *conn, const char *sql, void **stmt)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	*stmt = s;
	return map_rc(conn, rc);
}

static void finalize(void *stmt) { sqlite3_finalize(stmt); }
static dj_rc bind_int(void *s, int i, int64_t v) { return map_rc(NULL, sqlite3_bind_int64(s, i, v)); }
static dj_rc bind_text(void *s, int i, const char *v, size_t n)
{
	return map_rc(NULL, sqlite3_bind_text64(s, i, v, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}
static dj_rc bind_blob(void *s, int i, const void *v, size_t n)
{
	return map_rc(NULL, sqlite3_bind_blob64(s, i, v, n, SQLITE_TRANSIENT));
}
static dj_rc bind_null(void *s, int i) { return map_rc(NULL, sqlite3_bind_null(s, i)); }
static dj_rc step(void *s) { return map_rc(NULL, sqlite3_step(s)); }
static int64_t col_int(void *s, int c) { return sqlite3_column_int64(s, c); }
static const char *col_text(void *s, int c) { return (const char *)sqlite3_column_text(s, c); }
static const void *col_blob(void *s, int c, size_t *len)
{
	const void *p = sqlite3_column_blob(s, c);
	*len = (size_t)sqlite3_column_bytes(s, c);
	return p;
}
static bool col_is_null(void *s, int c) { return sqlite3_column_type(s, c) == SQLITE_NULL; }
static void reset(void *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}
static bool stmt_busy(void *s) { return sqlite3_stmt_busy(s) != 0; }
static int64_t changes(void *conn) { return sqlite3_changes64(conn); }
static int64_t last_id(void *conn) { return sqlite3_last_insert_rowid(conn); }
static const char *errmsg(void *conn) { return sqlite3_errmsg(conn); }

static dj_rc backup(void *conn, const char *dest)
{
	sqlite3 *out = NULL;
	struct stat st;
	if (stat(dest, &st) == 0)
		return DJ_ERR_CONFLICT;
	int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(out);
		return DJ_ERR_IO;
	}
	sqlite3_backup *b = sqlite3_backup_init(out, "main", conn, "main");
	if (!b) {
		dj_log_error("sqlite_backup_failed", "err=\"%s\"", sqlite3_errmsg(out));
		sqlite3_close(out);
		return DJ_ERR_IO;
	}
	/* Pin one read snapshot for the whole copy. Without it every commit by another connection
	 * (the running server) between two steps restarts the backup from page 1, so under steady
	 * writes it never finishes. In WAL mode an open read transaction does not block writers. */
	bool pinned = exec_sql(conn, "BEGIN; SELECT count(*) FROM sqlite_schema") == DJ_OK;
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (pinned)
		exec_sql(conn, "COMMIT");
	dj_rc r = rc == SQLITE_DONE ? DJ_OK : DJ_ERR_IO;
	if (!r)
		r = exec_sql(out, "PRAGMA journal_mode=DELETE");
	sqlite3_close(out);
	return r;
}

static int64_t page_count(void *conn, int64_t *page_size)
{
	sqlite3_stmt *s;
	int64_t n = 0;
	*page_size = 0;
	if (sqlite3_prepare_v2(conn, "SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()", -1,
			       &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW) {
			n = sqlite3_column_int64(s, 0);
			*page_size = sqlite3_column_int64(s, 1);
		}
		sqlite3_finalize(s);
	}
	return n;
}

/* The writer's commit hook replaces SQLite's automatic checkpoint (itself a commit hook): the commit
 * only appends to the WAL, and a background thread checkpoints (dj_db_open). */
static int wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	const struct dj_db_commit_hook *hook = arg;
	hook->cb(hook->arg, frames);
	return SQLITE_OK;
}
static void on_commit(void *conn, const struct dj_db_commit_hook *hook)
{
	sqlite3_wal_hook(conn, wal_hook, (void *)(uintptr_t)hook);
}
/* PASSIVE copies the frames no reader still needs and waits for nobody; RESTART waits for the writer
 * of the moment and then, holding the write lock, for readers of the WAL, so the next writer starts
 * it over. It waits 100 ms at most, so a long reader (an export) delays writers by no more than that;
 * the next wake-up tries again. */
static dj_rc checkpoint(void *conn, bool restart, bool *complete)
{
	int log = 0, done = 0;
	sqlite3_busy_timeout(conn, restart ? 100 : 0);
	int rc = sqlite3_wal_checkpoint_v2(conn, NULL, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
					   &log, &done);
	*complete = rc == SQLITE_OK && log == done;
	return map_rc(conn, rc);
}

const struct dj_db_backend dj_db_sqlite_backend = {
	.name = "sqlite",
	.snapshot_reads = true,
	.open_conn = open_conn,
	.close_conn = close_conn,
	.exec_sql = exec_sql,
	.prepare = prepare,
	.finalize = finalize,
	.bind_int = bind_int,
	.bind_text = bind_text,
	.bind_blob = bind_blob,
	.bind_null = bind_null,
	.step = step,
	.col_int = col_int,
	.col_text = col_text,
	.col_blob = col_blob,
	.col_is_null = col_is_null,
	.reset = reset,
	.changes = changes,
	.last_id = last_id,
	.errmsg = errmsg,
	.stmt_busy = stmt_busy,
	.backup = backup,
	.page_count = page_count,
	.on_commit = on_commit,
	.checkpoint = checkpoint,
};

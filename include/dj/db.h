/* db.h — storage: a backend vtable (SQLite first), pooled connections, prepared
 * statements, transactions and versioned migrations. SQL uses '?' placeholders
 * and the subset both SQLite and PostgreSQL run. */
#ifndef DJ_DB_H
#define DJ_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dj/rc.h"
#include "dj/strbuf.h"

struct dj_db;      /* the store: one writer + a pool of readers */
struct dj_db_conn; /* one connection, held by one thread at a time */
struct dj_stmt;    /* a prepared statement, cached on its connection */

/** Open flags. */
enum {
	DJ_DB_CREATE = 1,   /* create the file if missing (init, demo) */
	DJ_DB_MUST_NOT_EXIST = 2, /* refuse an existing non-empty database */
	DJ_DB_NO_MIGRATE = 4,     /* do not apply migrations (backup/verify tools) */
	DJ_DB_CHECKPOINTER = 8,   /* (server) a thread of its own copies the WAL into the database, so no
				     commit waits for it; backends without a WAL ignore it */
};

/** Open a store at url (a file path for SQLite; "postgres://..." later) with
 *  `readers` reader connections; applies pending migrations in one transaction
 *  unless DJ_DB_NO_MIGRATE. Caller owns *out (dj_db_close). */
dj_rc dj_db_open(const char *url, int readers, int flags, struct dj_db **out);
/** True if url names a SQLite file, false for a "postgres://" (or "postgresql://") URL. */
bool dj_db_url_is_file(const char *url);
/** url fit to print or log: a PostgreSQL URL's password (user:PASSWORD@, password=…) as "***"; a file
 *  path unchanged. Returns buf. */
const char *dj_db_url_redact(const char *url, char *buf, size_t len);
/** Close every connection and free the store. NULL is fine. */
void dj_db_close(struct dj_db *db);

/** Borrow a reader connection (blocks until one is free). Return with dj_db_release. */
dj_rc dj_db_reader(struct dj_db *db, struct dj_db_conn **out);
/** Borrow the writer and BEGIN IMMEDIATE. Finish with dj_db_commit or dj_db_rollback. */
dj_rc dj_db_begin(struct dj_db *db, struct dj_db_conn **out);
/** COMMIT and give the writer back. On failure the transaction is rolled back. */
dj_rc dj_db_commit(struct dj_db_conn *c);
/** ROLLBACK and give the writer back. */
void dj_db_rollback(struct dj_db_conn *c);
/** Give a reader back. */
void dj_db_release(struct dj_db_conn *c);
/** Pin a reader to the calling thread for one read request: dj_db_reader then hands the thread this
 *  reader whenever it is not already lent out, so the session check and the handler share one
 *  connection and, where the backend has them (snapshot_reads), one read transaction: one WAL read
 *  lock per request instead of one per statement. A write committed on this thread ends that
 *  transaction (once the reader is back), so the thread's later reads see its own write. Pins do
 *  not nest; dj_db_unpin ends the transaction and gives the reader back. */
void dj_db_pin(struct dj_db *db);
void dj_db_unpin(struct dj_db *db);

/** Prepare (or fetch from the connection's cache) a statement for static SQL text.
 *  The statement is reset and unbound; it stays owned by the connection. */
dj_rc dj_db_prepare(struct dj_db_conn *c, const char *sql, struct dj_stmt **out);
/** Bind parameters, 1-based. Text is copied. */
dj_rc dj_stmt_bind_int(struct dj_stmt *s, int i, int64_t v);
dj_rc dj_stmt_bind_text(struct dj_stmt *s, int i, const char *v); /* NULL binds NULL */
dj_rc dj_stmt_bind_textn(struct dj_stmt *s, int i, const char *v, size_t n);
dj_rc dj_stmt_bind_blob(struct dj_stmt *s, int i, const void *v, size_t n);
dj_rc dj_stmt_bind_null(struct dj_stmt *s, int i);
/** Step: DJ_ROW, DJ_DONE, or an error (DJ_ERR_CONFLICT on a constraint, DJ_ERR_READONLY
 *  on a full or read-only disk, DJ_ERR_BUSY on lock timeout). */
dj_rc dj_stmt_step(struct dj_stmt *s);
/** Step a statement that returns no rows; DJ_OK when done. */
dj_rc dj_stmt_exec(struct dj_stmt *s);
/** Columns, 0-based; valid until the next step/reset. */
int64_t dj_stmt_int(struct dj_stmt *s, int col);
const char *dj_stmt_text(struct dj_stmt *s, int col); /* NULL for SQL NULL */
const void *dj_stmt_blob(struct dj_stmt *s, int col, size_t *len);
bool dj_stmt_is_null(struct dj_stmt *s, int col);
/** Reset for reuse (also done by dj_db_prepare). */
void dj_stmt_reset(struct dj_stmt *s);
/** Rows changed by the last write on this connection. */
int64_t dj_db_changes(struct dj_db_conn *c);
/** Id of the last inserted row on this connection. */
int64_t dj_db_last_id(struct dj_db_conn *c);
/** Run SQL text with no parameters (DDL in migrations). */
dj_rc dj_db_exec_sql(struct dj_db_conn *c, const char *sql);
/** Last backend error text for logs (never shown to users). */
const char *dj_db_errmsg(struct dj_db_conn *c);

/** One schema migration: SQL text, or a function that appends DDL (entity descriptors). */
struct dj_migration {
	int version;
	const char *name;
	const char *sql;
	void (*ddl)(struct dj_strbuf *sb);
};

/** Apply the given migrations above the current version, in one transaction. dj_db_open
 *  applies the foundation's own (version 1); lib/domain/schema.c applies the rest. */
dj_rc dj_db_apply_migrations(struct dj_db *db, const struct dj_migration *m, size_t n);

/** Schema version after migrations. */
int dj_db_schema_version(struct dj_db *db);
/** Online backup of the whole store into a new file at dest (SQLite backup API). */
dj_rc dj_db_backup(struct dj_db *db, const char *dest);
/** Copy every row of a SQLite store into dst, a store of the same schema version whose tables hold no
 *  audit rows (e.g. a new PostgreSQL database), in one transaction on dst; row counts are compared per
 *  table. progress (may be NULL) is called after each table; on failure failed_table names the table. */
dj_rc dj_db_copy(struct dj_db *src, struct dj_db *dst, void (*progress)(const char *table, int64_t rows, void *arg),
		 void *arg, char *failed_table, size_t failed_len);
/** Bulk load, inside the caller's write transaction: drop table's secondary indexes and append their
 *  DDL to ddl, to be rebuilt by dj_db_indexes_rebuild before commit (one sort per index instead of a
 *  B-tree insert per row and index). Other connections keep their snapshot, indexes included. A no-op
 *  (ddl left empty) on backends other than SQLite. */
dj_rc dj_db_indexes_suspend(struct dj_db_conn *c, const char *table, struct dj_strbuf *ddl);
/** Rebuild what dj_db_indexes_suspend dropped; DJ_ERR_CONFLICT if a unique index refuses the rows. */
dj_rc dj_db_indexes_rebuild(struct dj_db_conn *c, const struct dj_strbuf *ddl);
/** Check the store's integrity (PRAGMA integrity_check); DJ_ERR_CORRUPT if not "ok". */
dj_rc dj_db_integrity(struct dj_db *db);
/** Figures for /metrics. */
struct dj_db_stats {
	int64_t tx_committed, tx_rolled_back, busy_waits, checkpoints;
	int64_t wal_frames; /* pages in the WAL after the last commit (background checkpointer only) */
	int readers_total, readers_busy;
	int64_t page_count, page_size;
};
void dj_db_stats(struct dj_db *db, struct dj_db_stats *out);

/** What a backend calls after each commit on a connection (on_commit below); owned by the caller. */
struct dj_db_commit_hook {
	void (*cb)(void *arg, int frames); /* frames: what the WAL holds now */
	void *arg;
};

/** Backend vtable; lib/db/db_sqlite.c implements the first one. */
struct dj_db_backend {
	const char *name;
	bool snapshot_reads; /* BEGIN … COMMIT on a reader is one snapshot, cheaper than one per statement */
	dj_rc (*open_conn)(const char *url, int flags, bool writer, void **out);
	void (*close_conn)(void *conn);
	dj_rc (*exec_sql)(void *conn, const char *sql);
	dj_rc (*prepare)(void *conn, const char *sql, void **stmt);
	void (*finalize)(void *stmt);
	dj_rc (*bind_int)(void *stmt, int i, int64_t v);
	dj_rc (*bind_text)(void *stmt, int i, const char *v, size_t n);
	dj_rc (*bind_blob)(void *stmt, int i, const void *v, size_t n);
	dj_rc (*bind_null)(void *stmt, int i);
	dj_rc (*step)(void *stmt);
	int64_t (*col_int)(void *stmt, int col);
	const char *(*col_text)(void *stmt, int col);
	const void *(*col_blob)(void *stmt, int col, size_t *len);
	bool (*col_is_null)(void *stmt, int col);
	void (*reset)(void *stmt);
	int64_t (*changes)(void *conn);
	int64_t (*last_id)(void *conn);
	const char *(*errmsg)(void *conn);
	bool (*stmt_busy)(void *stmt); /* stepped and not yet reset */
	dj_rc (*backup)(void *conn, const char *dest);
	int64_t (*page_count)(void *conn, int64_t *page_size);
	/* Optional (NULL: no WAL): call hook after each commit on conn, instead of checkpointing in the
	 * commit; and copy what the WAL holds into the database without blocking readers or the writer. */
	void (*on_commit)(void *conn, const struct dj_db_commit_hook *hook);
	/* restart: also wait for the writer, so the WAL starts over (a writer that never pauses would
	 * otherwise keep it growing); *complete: every frame is in the database now. */
	dj_rc (*checkpoint)(void *conn, bool restart, bool *complete);
};

#endif

/* db.c — the backend-neutral store: one writer behind a mutex, a pool of readers, statement caches. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/log.h"
#include "db_int.h"
#include "dj/banned.h"

static const struct dj_db_backend *backend_for(const char *url)
{
	/* A libpq URL selects PostgreSQL (db_pg.c); everything else is a SQLite file. */
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return &dj_db_pg_backend;
	return &dj_db_sqlite_backend;
}

bool dj_db_url_is_file(const char *url) { return backend_for(url) == &dj_db_sqlite_backend; }

const char *dj_db_url_redact(const char *url, char *buf, size_t len)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	const char *p = url;
	if (!len)
		return buf;
	if (dj_db_url_is_file(url)) {
		snprintf(buf, len, "%s", url);
		return buf;
	}
	/* scheme://[user[:password]@]host…: the password is what lies between the first ':' after the
	 * scheme and the last '@' before the path */
	const char *auth = strstr(p, "://");
	auth = auth ? auth + 3 : p;
	const char *end = auth + strcspn(auth, "/?");
	const char *at = NULL;
	for (const char *q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		dj_strbuf_add(&sb, p, (size_t)(colon + 1 - p));
		dj_strbuf_adds(&sb, "***");
		p = at;
	}
	/* password=… among the query parameters */
	for (const char *q; (q = strstr(p, "password=")) != NULL;) {
		bool param = q > url && (q[-1] == '?' || q[-1] == '&' || q[-1] == ' ');
		dj_strbuf_add(&sb, p, (size_t)(q + 9 - p));
		p = q + 9;
		if (param) {
			dj_strbuf_adds(&sb, "***");
			p += strcspn(p, "& ");
		}
	}
	dj_strbuf_adds(&sb, p);
	snprintf(buf, len, "%s", sb.buf);
	dj_strbuf_release(&sb);
	return buf;
}

static void conn_close(struct dj_db_conn *c)
{
	if (!c->h)
		return;
	for (int i = 0; i < c->ncache; i++) {
		c->db->be->finalize(c->cache[i].h);
		dj_free(c->cache[i].sql);
	}
	c->ncache = 0;
	c->db->be->close_conn(c->h);
	c->h = NULL;
}

/* The WAL size at which the checkpointer is woken: SQLite's own automatic checkpoint threshold. */
#define CKPT_FRAMES 1000

/* Runs inside the writer's COMMIT (the backend's commit hook): only wakes the checkpointer. */
static void commit_hook(void *arg, int frames)
{
	struct dj_db *db = arg;
	atomic_store(&db->wal_frames, frames);
	if (frames < CKPT_FRAMES)
		return;
	pthread_mutex_lock(&db->cmu);
	db->ckpt_due = true;
	db->ckpt_frames = frames;
	pthread_cond_signal(&db->ccond);
	pthread_mutex_unlock(&db->cmu);
}

/* Copies the WAL into the database while requests go on, so no commit pays for it (a write request
 * otherwise copied the WAL's ~4 MB every thousand pages, holding the write lock; a large import's
 * commit, 2.5 s for 1,000,000 members). A passive checkpoint never catches up with a writer that
 * never pauses, and the WAL only starts over once it has: when it has grown to four times the
 * threshold, what the passive pass left is copied with the writer held off (a few new frames). */
static void *ckpt_main(void *arg)
{
	struct dj_db *db = arg;
	pthread_mutex_lock(&db->cmu);
	for (;;) {
		while (!db->ckpt_due && !db->ckpt_stop)
			pthread_cond_wait(&db->ccond, &db->cmu);
		if (db->ckpt_stop)
			break;
		db->ckpt_due = false;
		int frames = db->ckpt_frames;
		pthread_mutex_unlock(&db->cmu);
		bool complete = false;
		if (db->be->checkpoint(db->ckpt.h, false, &complete) == DJ_OK)
			atomic_fetch_add(&db->checkpoints, 1);
		if (!complete && frames >= 4 * CKPT_FRAMES && db->be->checkpoint(db->ckpt.h, true, &complete) == DJ_OK)
			atomic_fetch_add(&db->checkpoints, 1);
		pthread_mutex_lock(&db->cmu);
	}
	pthread_mutex_unlock(&db->cmu);
	return NULL;
}

static dj_rc ckpt_start(struct dj_db *db, int flags)
{
	dj_rc rc = db->be->open_conn(db->url, flags & ~(DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST), false, &db->ckpt.h);
	if (rc)
		return rc;
	db->ckpt.db = db;
	/* No signal for this thread: the server waits for SIGTERM on its main thread (sigwait), and a
	 * thread started before it blocked them would take the signal's default action instead. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&db->ckpt_thread, NULL, ckpt_main, db);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return DJ_ERR_INTERNAL;
	db->ckpt_running = true;
	db->commit_hook.cb = commit_hook;
	db->commit_hook.arg = db;
	pthread_mutex_lock(&db->wmu);
	db->be->on_commit(db->writer.h, &db->commit_hook);
	pthread_mutex_unlock(&db->wmu);
	return DJ_OK;
}

static void ckpt_stop(struct dj_db *db)
{
	if (db->ckpt_running) {
		pthread_mutex_lock(&db->cmu);
		db->ckpt_stop = true;
		pthread_cond_signal(&db->ccond);
		pthread_mutex_unlock(&db->cmu);
		pthread_join(db->ckpt_thread, NULL);
		db->ckpt_running = false;
	}
	conn_close(&db->ckpt);
}

dj_rc dj_db_open(const char *url, int readers, int flags, struct dj_db **out)
{
	dj_rc rc;
	struct dj_db *db = dj_calloc(1, sizeof(*db));
	*out = NULL;
	if (readers < 1)
		readers = 1;
	db->be = backend_for(url);
	db->url = dj_strdup(url);
	pthread_mutex_init(&db->wmu, NULL);
	pthread_mutex_init(&db->rmu, NULL);
	pthread_cond_init(&db->rcond, NULL);
	pthread_mutex_init(&db->cmu, NULL);
	pthread_cond_init(&db->ccond, NULL);
	db->writer.db = db;
	db->writer.writer = true;
	rc = db->be->open_conn(url, flags, true, &db->writer.h);
	if (rc)
		goto out;
	if (!(flags & DJ_DB_NO_MIGRATE)) {
		rc = dj_db_migrate(db);
		if (rc)
			goto out;
	}
	db->nreaders = readers;
	db->readers = dj_calloc((size_t)readers, sizeof(*db->readers));
	db->reader_busy = dj_calloc((size_t)readers, sizeof(atomic_bool));
	for (int i = 0; i < readers; i++) {
		db->readers[i].db = db;
		rc = db->be->open_conn(url, flags & ~(DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST), false, &db->readers[i].h);
		if (rc)
			goto out;
	}
	if ((flags & DJ_DB_CHECKPOINTER) && db->be->on_commit && (rc = ckpt_start(db, flags)))
		goto out;
	*out = db;
	return DJ_OK;
out:
	dj_db_close(db);
	return rc;
}

void dj_db_close(struct dj_db *db)
{
	if (!db)
		return;
	ckpt_stop(db);
	for (int i = 0; i < db->nreaders; i++)
		conn_close(&db->readers[i]);
	conn_close(&db->writer);
	dj_free(db->readers);
	dj_free(db->reader_busy);
	dj_free(db->url);
	pthread_mutex_destroy(&db->wmu);
	pthread_mutex_destroy(&db->rmu);
	pthread_cond_destroy(&db->rcond);
	pthread_mutex_destroy(&db->cmu);
	pthread_cond_destroy(&db->ccond);
	dj_free(db);
}

/* A free reader, claimed without a lock; each thread starts from the one it had last (its page
 * cache is warm, and two threads rarely race for the same one). -1: none free. */
static _Thread_local int reader_hint;
static int reader_claim(struct dj_db *db)
{
	for (int k = 0; k < db->nreaders; k++) {
		int i = (reader_hint + k) % db->nreaders;
		bool busy = false;
		if (atomic_compare_exchange_strong(&db->reader_busy[i], &busy, true)) {
			reader_hint = i;
			atomic_fetch_add(&db->readers_busy, 1);
			return i;
		}
	}
	return -1;
}

/* The calling thread's pinned reader (dj_db_pin): lent out or not, and whether its read transaction
 * is open, or must end as soon as the reader comes back (a write committed meanwhile). */
static _Thread_local struct {
	struct dj_db *db;
	struct dj_db_conn *c;
	bool lent, txn, stale;
} pin;

dj_rc dj_db_reader(struct dj_db *db, struct dj_db_conn **out)
{
	if (pin.db == db && !pin.lent) {
		pin.lent = true;
		*out = pin.c;
		return DJ_OK;
	}
	int i = reader_claim(db);
	if (i < 0) {
		/* All busy: wait under the mutex. The waiter count goes up before the claim is retried and
		 * a release frees its reader before it reads the count, so either the retry sees the freed
		 * reader or the release sees the waiter and signals under the mutex (no lost wake-up). */
		pthread_mutex_lock(&db->rmu);
		atomic_fetch_add(&db->reader_waiters, 1);
		while ((i = reader_claim(db)) < 0) {
			atomic_fetch_add(&db->busy_waits, 1);
			pthread_cond_wait(&db->rcond, &db->rmu);
		}
		atomic_fetch_sub(&db->reader_waiters, 1);
		pthread_mutex_unlock(&db->rmu);
	}
	*out = &db->readers[i];
	return DJ_OK;
}

/* BEGIN and COMMIT as cached statements: parsing them on every request cost more than the read
 * lock they save. */
static dj_rc pin_exec(const char *sql)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(pin.c, sql, &s);
	if (!rc) {
		rc = pin.db->be->step(s->h) == DJ_DONE ? DJ_OK : DJ_ERR_DB;
		pin.db->be->reset(s->h);
	}
	return rc;
}

static void pin_end_txn(void)
{
	const struct dj_db_backend *be = pin.db->be;
	for (int i = 0; i < pin.c->ncache; i++)
		if (be->stmt_busy(pin.c->cache[i].h))
			be->reset(pin.c->cache[i].h);
	if (pin_exec("COMMIT"))
		be->exec_sql(pin.c->h, "ROLLBACK");
	pin.txn = pin.stale = false;
}

static void reader_return(struct dj_db_conn *c)
{
	struct dj_db *db = c->db;
	atomic_fetch_sub(&db->readers_busy, 1);
	atomic_store(&db->reader_busy[c - db->readers], false);
	if (atomic_load(&db->reader_waiters) > 0) {
		pthread_mutex_lock(&db->rmu);
		pthread_cond_signal(&db->rcond);
		pthread_mutex_unlock(&db->rmu);
	}
}

void dj_db_release(struct dj_db_conn *c)
{
	if (c->writer)
		return;
	if (c == pin.c && pin.db) {
		pin.lent = false;
		if (pin.stale)
			pin_end_txn();
		return;
	}
	reader_return(c);
}

void dj_db_pin(struct dj_db *db)
{
	if (pin.db)
		return;
	struct dj_db_conn *c;
	dj_db_reader(db, &c);
	pin.db = db;
	pin.c = c;
	pin.lent = pin.stale = false;
	/* Deferred: the snapshot is taken by the first read, not here. */
	pin.txn = db->be->snapshot_reads && pin_exec("BEGIN") == DJ_OK;
}

void dj_db_unpin(struct dj_db *db)
{
	if (pin.db != db)
		return;
	if (pin.txn)
		pin_end_txn();
	reader_return(pin.c);
	pin.db = NULL;
	pin.c = NULL;
	pin.lent = false;
}

dj_rc dj_db_begin(struct dj_db *db, struct dj_db_conn **out)
{
	pthread_mutex_lock(&db->wmu);
	dj_rc rc = db->be->exec_sql(db->writer.h, "BEGIN IMMEDIATE");
	if (rc) {
		pthread_mutex_unlock(&db->wmu);
		return rc;
	}
	*out = &db->writer;
	return DJ_OK;
}

dj_rc dj_db_commit(struct dj_db_conn *c)
{
	struct dj_db *db = c->db;
	for (int i = 0; i < c->ncache; i++)
		db->be->reset(c->cache[i].h);
	dj_rc rc = db->be->exec_sql(c->h, "COMMIT");
	if (rc) {
		dj_log_error("db_commit_failed", "err=\"%s\"", db->be->errmsg(c->h));
		db->be->exec_sql(c->h, "ROLLBACK");
		atomic_fetch_add(&db->tx_rolled_back, 1);
	} else {
		atomic_fetch_add(&db->tx_committed, 1);
	}
	pthread_mutex_unlock(&db->wmu);
	/* Read-your-writes: the thread's pinned snapshot predates this write. */
	if (!rc && pin.db == db && pin.txn) {
		if (pin.lent)
			pin.stale = true;
		else
			pin_end_txn();
	}
	return rc;
}

void dj_db_rollback(struct dj_db_conn *c)
{
	struct dj_db *db = c->db;
	/* Reset cached statements first so none keeps the transaction open. */
	for (int i = 0; i < c->ncache; i++)
		db->be->reset(c->cache[i].h);
	db->be->exec_sql(c->h, "ROLLBACK");
	atomic_fetch_add(&db->tx_rolled_back, 1);
	pthread_mutex_unlock(&db->wmu);
}

/* The statement cache's filter: FNV-1a over the length, the first 32 and the last 128 bytes.
 * Generated SQL runs to a kilobyte and more (every column of an entity) and differs from its
 * neighbours mostly in its WHERE and ORDER BY tails; hashing all of it on every prepare cost more
 * than the lookup it speeds up. Equal hashes are still confirmed with strcmp. */
static uint64_t sql_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ n;
	h *= 1099511628211ULL;
	size_t head = n < 32 ? n : 32, tail = n - head < 128 ? n - head : 128;
	for (size_t i = 0; i < head; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	for (size_t i = n - tail; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

dj_rc dj_db_prepare(struct dj_db_conn *c, const char *sql, struct dj_stmt **out)
{
	const struct dj_db_backend *be = c->db->be;
	uint64_t h = sql_hash(sql, strlen(sql));
	for (int i = 0; i < c->ncache; i++) {
		if (c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0) {
			be->reset(c->cache[i].h);
			*out = &c->cache[i];
			return DJ_OK;
		}
	}
	void *sh;
	dj_rc rc = be->prepare(c->h, sql, &sh);
	if (rc) {
		dj_log_error("db_prepare_failed", "err=\"%s\"", be->errmsg(c->h));
		return rc;
	}
	struct dj_stmt *s;
	if (c->ncache < DJ_STMT_CACHE) {
		s = &c->cache[c->ncache++];
	} else {
		/* Full: reuse a slot whose statement is not being stepped (a caller may still be
		 * reading rows from a busy one), round-robin, skipping the few most recent. */
		int k, tries = 0;
		do {
			k = c->evict_next;
			c->evict_next = (c->evict_next + 1) % DJ_STMT_CACHE;
		} while (be->stmt_busy(c->cache[k].h) && ++tries < DJ_STMT_CACHE);
		if (tries >= DJ_STMT_CACHE) {
			be->finalize(sh);
			dj_log_error("db_stmt_cache_exhausted", "n=%d", DJ_STMT_CACHE);
			return DJ_ERR_INTERNAL;
		}
		s = &c->cache[k];
		be->finalize(s->h);
		dj_free(s->sql);
	}
	s->conn = c;
	s->sql = dj_strdup(sql);
	s->hash = h;
	s->h = sh;
	*out = s;
	return DJ_OK;
}

dj_rc dj_stmt_bind_int(struct dj_stmt *s, int i, int64_t v) { return s->conn->db->be->bind_int(s->h, i, v); }
dj_rc dj_stmt_bind_textn(struct dj_stmt *s, int i, const char *v, size_t n)
{
	if (!v)
		return s->conn->db->be->bind_null(s->h, i);
	return s->conn->db->be->bind_text(s->h, i, v, n);
}
dj_rc dj_stmt_bind_text(struct dj_stmt *s, int i, const char *v)
{
	return dj_stmt_bind_textn(s, i, v, v ? strlen(v) : 0);
}
dj_rc dj_stmt_bind_blob(struct dj_stmt *s, int i, const void *v, size_t n) { return s->conn->db->be->bind_blob(s->h, i, v, n); }
dj_rc dj_stmt_bind_null(struct dj_stmt *s, int i) { return s->conn->db->be->bind_null(s->h, i); }

dj_rc dj_stmt_step(struct dj_stmt *s)
{
	dj_rc rc = s->conn->db->be->step(s->h);
	if (rc != DJ_ROW && rc != DJ_DONE && rc != DJ_ERR_CONFLICT)
		dj_log_warn("db_step_failed", "rc=%s err=\"%s\"", dj_rc_code(rc), s->conn->db->be->errmsg(s->conn->h));
	return rc;
}

dj_rc dj_stmt_exec(struct dj_stmt *s)
{
	dj_rc rc = dj_stmt_step(s);
	if (rc == DJ_ROW || rc == DJ_DONE)
		rc = DJ_OK;
	s->conn->db->be->reset(s->h);
	return rc;
}

int64_t dj_stmt_int(struct dj_stmt *s, int col) { return s->conn->db->be->col_int(s->h, col); }
const char *dj_stmt_text(struct dj_stmt *s, int col) { return s->conn->db->be->col_text(s->h, col); }
const void *dj_stmt_blob(struct dj_stmt *s, int col, size_t *len) { return s->conn->db->be->col_blob(s->h, col, len); }
bool dj_stmt_is_null(struct dj_stmt *s, int col) { return s->conn->db->be->col_is_null(s->h, col); }
void dj_stmt_reset(struct dj_stmt *s) { s->conn->db->be->reset(s->h); }
int64_t dj_db_changes(struct dj_db_conn *c) { return c->db->be->changes(c->h); }
int64_t dj_db_last_id(struct dj_db_conn *c) { return c->db->be->last_id(c->h); }
dj_rc dj_db_exec_sql(struct dj_db_conn *c, const char *sql) { return c->db->be->exec_sql(c->h, sql); }
const char *dj_db_errmsg(struct dj_db_conn *c) { return c->db->be->errmsg(c->h); }
int dj_db_schema_version(struct dj_db *db) { return db->schema_version; }

dj_rc dj_db_backup(struct dj_db *db, const char *dest)
{
	struct dj_db_conn *c;
	dj_rc rc = dj_db_reader(db, &c);
	if (rc)
		return rc;
	rc = db->be->backup(c->h, dest);
	dj_db_release(c);
	return rc;
}

dj_rc dj_db_indexes_suspend(struct dj_db_conn *c, const char *table, struct dj_strbuf *ddl)
{
	struct dj_stmt *s;
	struct dj_strbuf drop = DJ_STRBUF_INIT;
	dj_rc rc;
	if (c->db->be != &dj_db_sqlite_backend)
		return DJ_OK;
	/* sql IS NULL: the automatic indexes of PRIMARY KEY and UNIQUE constraints, which stay */
	if ((rc = dj_db_prepare(c, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
				" AND sql IS NOT NULL ORDER BY name", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, table);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		dj_strbuf_addf(ddl, "%s;\n", dj_stmt_text(s, 1));
		dj_strbuf_addf(&drop, "DROP INDEX \"%s\";\n", dj_stmt_text(s, 0));
	}
	dj_stmt_reset(s);
	if (rc == DJ_DONE)
		rc = drop.len ? dj_db_exec_sql(c, drop.buf) : DJ_OK;
	dj_strbuf_release(&drop);
	if (rc)
		dj_strbuf_reset(ddl);
	return rc;
}

dj_rc dj_db_indexes_rebuild(struct dj_db_conn *c, const struct dj_strbuf *ddl)
{
	return ddl->len ? dj_db_exec_sql(c, ddl->buf) : DJ_OK;
}

dj_rc dj_db_integrity(struct dj_db *db)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	dj_rc rc = dj_db_reader(db, &c);
	if (rc)
		return rc;
	rc = dj_db_prepare(c, "PRAGMA integrity_check", &s);
	if (!rc) {
		rc = dj_stmt_step(s);
		if (rc == DJ_ROW) {
			const char *t = dj_stmt_text(s, 0);
			rc = t && strcmp(t, "ok") == 0 ? DJ_OK : DJ_ERR_CORRUPT;
			if (rc)
				dj_log_error("db_integrity_failed", "detail=\"%s\"", t ? t : "");
		} else {
			rc = DJ_ERR_CORRUPT;
		}
		dj_stmt_reset(s);
	}
	dj_db_release(c);
	return rc;
}

void dj_db_stats(struct dj_db *db, struct dj_db_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->tx_committed = atomic_load(&db->tx_committed);
	out->tx_rolled_back = atomic_load(&db->tx_rolled_back);
	out->busy_waits = atomic_load(&db->busy_waits);
	out->checkpoints = atomic_load(&db->checkpoints);
	out->wal_frames = atomic_load(&db->wal_frames);
	out->readers_total = db->nreaders;
	out->readers_busy = atomic_load(&db->readers_busy);
	pthread_mutex_lock(&db->wmu);
	out->page_count = db->be->page_count(db->writer.h, &out->page_size);
	pthread_mutex_unlock(&db->wmu);
}

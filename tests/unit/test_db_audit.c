/* test_db_audit.c — unit tests for the storage layer on real SQLite files in a temp directory
 * (open flags, migrations, transactions, the statement cache, constraint mapping, backup,
 * integrity) and for the audit hash chain, including tampering done behind its back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "dj/alloc.h"
#include "dj/audit.h"
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/log.h"
#include "dj/banned.h"

static char tmpdir[256];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	dj_log_set_level(DJ_LOG_OFF); /* expected failures would log warnings */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dj-test-db-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return dj_auth_init() == DJ_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *tpath(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
	return buf;
}

static int file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* One integer from a query on a reader. */
static int64_t q_int(struct dj_db *db, const char *sql)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	int64_t v = -1;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, sql, &s), DJ_OK);
	if (dj_stmt_step(s) == DJ_ROW)
		v = dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	dj_db_release(c);
	return v;
}

/* Raw SQL on the file through a separate SQLite connection (the "attacker"). */
static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(h, 5000);
		rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	}
	sqlite3_close(h);
	return rc;
}

/* ---- storage ---------------------------------------------------------------------------------- */

/* A PostgreSQL URL is printed without its password; a file path as it is. */
static void test_url_redact(void **state)
{
	char b[256];
	(void)state;
	assert_string_equal(dj_db_url_redact("/var/lib/dangjian/dj.db", b, sizeof(b)), "/var/lib/dangjian/dj.db");
	assert_string_equal(dj_db_url_redact("postgres://dj:s3cr%40t@db.example:5432/dj", b, sizeof(b)),
			    "postgres://dj:***@db.example:5432/dj");
	assert_string_equal(dj_db_url_redact("postgresql://dj@127.0.0.1:5433/dj", b, sizeof(b)),
			    "postgresql://dj@127.0.0.1:5433/dj");
	assert_string_equal(dj_db_url_redact("postgres://a:b@c@host/db?sslmode=require&password=xyz&x=1", b, sizeof(b)),
			    "postgres://a:***@host/db?sslmode=require&password=***&x=1");
	assert_string_equal(dj_db_url_redact("postgres://host/db?password=only", b, sizeof(b)),
			    "postgres://host/db?password=***");
	assert_string_equal(dj_db_url_redact("postgres://u:p@h/d", b, 12), "postgres://");
}

static void test_open_create_migrates(void **state)
{
	(void)state;
	char p[300];
	struct dj_db *db = NULL;
	tpath("create.db", p, sizeof(p));
	assert_int_equal(dj_db_open(p, 2, DJ_DB_CREATE, &db), DJ_OK);
	assert_non_null(db);
	int v = dj_db_schema_version(db);
	assert_true(v >= 1);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN"
				   " ('orgs','users','sessions','audit_log','settings','schema_migrations')"),
			 6);
	assert_int_equal(q_int(db, "SELECT MAX(version) FROM schema_migrations"), v);
	int64_t applied = q_int(db, "SELECT COUNT(*) FROM schema_migrations");
	assert_true(applied >= 1);
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
	dj_db_close(db);

	/* Reopening applies nothing twice. */
	assert_int_equal(dj_db_open(p, 1, 0, &db), DJ_OK);
	assert_int_equal(dj_db_schema_version(db), v);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM schema_migrations"), applied);
	dj_db_close(db);
	dj_db_close(NULL); /* NULL is fine */
}

static void test_open_flags(void **state)
{
	(void)state;
	char p[300], q[300], g[300];
	struct dj_db *db = (struct dj_db *)1;
	tpath("missing.db", p, sizeof(p));
	/* Without DJ_DB_CREATE a missing file is an error and is not created. */
	assert_int_not_equal(dj_db_open(p, 1, 0, &db), DJ_OK);
	assert_null(db);
	assert_false(file_exists(p));

	tpath("exists.db", q, sizeof(q));
	assert_int_equal(dj_db_open(q, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db), DJ_OK);
	dj_db_close(db);
	/* A second init over the same file is refused. */
	db = (struct dj_db *)1;
	assert_int_equal(dj_db_open(q, 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db), DJ_ERR_CONFLICT);
	assert_null(db);
	/* ...while a plain open still works. */
	assert_int_equal(dj_db_open(q, 1, 0, &db), DJ_OK);
	dj_db_close(db);

	/* A file that is not a database. */
	tpath("garbage.db", g, sizeof(g));
	FILE *f = fopen(g, "w");
	assert_non_null(f);
	for (int i = 0; i < 512; i++)
		fputs("this is not an sqlite database ", f);
	fclose(f);
	db = (struct dj_db *)1;
	dj_rc rc = dj_db_open(g, 1, 0, &db);
	assert_int_not_equal(rc, DJ_OK);
	assert_null(db);
}

/* An open store with a scratch table t(id, name UNIQUE NOT NULL). */
static struct dj_db *open_with_table(const char *name)
{
	char p[300];
	struct dj_db *db;
	struct dj_db_conn *c;
	assert_int_equal(dj_db_open(tpath(name, p, sizeof(p)), 2, DJ_DB_CREATE, &db), DJ_OK);
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_db_exec_sql(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
					   " data BLOB)"),
			 DJ_OK);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	return db;
}

static dj_rc insert_name(struct dj_db_conn *c, const char *name)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, "INSERT INTO t(name) VALUES (?)", &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, name);
	return dj_stmt_exec(s);
}

static void test_transactions(void **state)
{
	(void)state;
	struct dj_db *db = open_with_table("tx.db");
	struct dj_db_conn *c;
	struct dj_db_stats st0, st1;
	dj_db_stats(db, &st0);

	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(insert_name(c, "a"), DJ_OK);
	assert_int_equal(dj_db_changes(c), 1);
	int64_t id_a = dj_db_last_id(c);
	assert_true(id_a > 0);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t WHERE name = 'a'"), 1);

	/* Rolled back: absent. */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(insert_name(c, "b"), DJ_OK);
	dj_db_rollback(c);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t WHERE name = 'b'"), 0);

	/* Readers do not see uncommitted writes. */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(insert_name(c, "pending"), DJ_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t WHERE name = 'pending'"), 0);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t WHERE name = 'pending'"), 1);

	/* Constraints map to DJ_ERR_CONFLICT; the whole transaction can still be rolled back. */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(insert_name(c, "c"), DJ_OK);
	assert_int_equal(insert_name(c, "a"), DJ_ERR_CONFLICT); /* UNIQUE */
	assert_int_equal(insert_name(c, NULL), DJ_ERR_CONFLICT); /* NOT NULL */
	dj_db_rollback(c);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t WHERE name = 'c'"), 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 2);

	/* Foreign keys are enforced (users.org_id REFERENCES orgs). */
	struct dj_stmt *s;
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, "INSERT INTO users(username, password_hash, role, org_id, created_at,"
					  " updated_at) VALUES ('u', 'h', 'admin', 999, 'x', 'x')",
				       &s),
			 DJ_OK);
	assert_int_equal(dj_stmt_exec(s), DJ_ERR_CONFLICT);
	dj_db_rollback(c);

	/* An UPDATE matching nothing changes 0 rows. */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, "UPDATE t SET name = 'zz' WHERE id = -1", &s), DJ_OK);
	assert_int_equal(dj_stmt_exec(s), DJ_OK);
	assert_int_equal(dj_db_changes(c), 0);
	assert_int_equal(dj_db_commit(c), DJ_OK);

	dj_db_stats(db, &st1);
	assert_int_equal(st1.tx_committed - st0.tx_committed, 3);
	assert_int_equal(st1.tx_rolled_back - st0.tx_rolled_back, 3);
	assert_int_equal(st1.readers_total, 2);
	assert_int_equal(st1.readers_busy, 0);
	assert_true(st1.page_count > 0 && st1.page_size > 0);
	dj_db_close(db);
}

/* Another thread's committed insert (the pinned snapshot must not see it until it ends). */
struct other_write {
	struct dj_db *db;
	const char *name;
};
static void *other_write_main(void *arg)
{
	struct other_write *w = arg;
	struct dj_db_conn *c;
	if (dj_db_begin(w->db, &c) == DJ_OK) {
		if (insert_name(c, w->name) == DJ_OK)
			dj_db_commit(c);
		else
			dj_db_rollback(c);
	}
	return NULL;
}
static void write_elsewhere(struct dj_db *db, const char *name)
{
	struct other_write w = { db, name };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, other_write_main, &w), 0);
	pthread_join(th, NULL);
}

/* dj_db_pin: one reader and one snapshot per request; the thread's own writes end the snapshot. */
static void test_pinned_reader(void **state)
{
	(void)state;
	struct dj_db *db = open_with_table("pin.db");
	struct dj_db_conn *c, *c2, *w;
	struct dj_db_stats st;

	dj_db_pin(db);
	dj_db_stats(db, &st);
	assert_int_equal(st.readers_busy, 1); /* the pinned reader is taken for the whole request */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 0);
	/* One snapshot: another thread's commit is not seen while the request lasts ... */
	write_elsewhere(db, "other");
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 0);
	/* ... but this thread's own commit is (read-your-writes). */
	assert_int_equal(dj_db_begin(db, &w), DJ_OK);
	assert_int_equal(insert_name(w, "mine"), DJ_OK);
	assert_int_equal(dj_db_commit(w), DJ_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 2);

	/* Lent out: a nested borrow gets another reader, and the pinned one is the same each time. */
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_reader(db, &c2), DJ_OK);
	assert_ptr_not_equal(c, c2);
	dj_db_release(c2);
	/* A commit while the pinned reader is lent ends its snapshot when it comes back. */
	assert_int_equal(dj_db_begin(db, &w), DJ_OK);
	assert_int_equal(insert_name(w, "while-lent"), DJ_OK);
	assert_int_equal(dj_db_commit(w), DJ_OK);
	dj_db_release(c);
	assert_int_equal(dj_db_reader(db, &c2), DJ_OK);
	assert_ptr_equal(c, c2);
	dj_db_release(c2);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 3);
	/* A pin does not nest; unpin gives the reader back and later reads are fresh. */
	dj_db_pin(db);
	write_elsewhere(db, "after");
	dj_db_unpin(db);
	dj_db_stats(db, &st);
	assert_int_equal(st.readers_busy, 0);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 4);
	dj_db_close(db);
}

/* DJ_DB_CHECKPOINTER: commits only append to the WAL; a thread of the store's own keeps it short. */
static void test_background_checkpoint(void **state)
{
	(void)state;
	char p[300];
	struct dj_db *db;
	struct dj_db_conn *c;
	struct dj_stmt *s;
	struct dj_db_stats st;
	static unsigned char blob[4096];
	memset(blob, 0x5a, sizeof(blob));
	assert_int_equal(dj_db_open(tpath("ckpt.db", p, sizeof(p)), 2, DJ_DB_CREATE | DJ_DB_CHECKPOINTER, &db), DJ_OK);
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_db_exec_sql(c, "CREATE TABLE b (id INTEGER PRIMARY KEY, data BLOB)"), DJ_OK);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	/* 4,000 commits of a page and more each: ~12,000 WAL frames (~48 MB) if nothing checkpointed */
	for (int i = 0; i < 4000; i++) {
		assert_int_equal(dj_db_begin(db, &c), DJ_OK);
		assert_int_equal(dj_db_prepare(c, "INSERT INTO b(data) VALUES (?)", &s), DJ_OK);
		dj_stmt_bind_blob(s, 1, blob, sizeof(blob));
		assert_int_equal(dj_stmt_exec(s), DJ_OK);
		assert_int_equal(dj_db_commit(c), DJ_OK);
	}
	/* The writer pauses: once the checkpointer has caught up, the next commit starts the WAL over
	 * from its first frame (without it, the WAL keeps all ~12,000 frames written). */
	int extra = 0;
	for (int i = 0; i < 100; i++) {
		usleep(100000);
		assert_int_equal(dj_db_begin(db, &c), DJ_OK);
		assert_int_equal(dj_db_prepare(c, "INSERT INTO b(data) VALUES (?)", &s), DJ_OK);
		dj_stmt_bind_blob(s, 1, blob, sizeof(blob));
		assert_int_equal(dj_stmt_exec(s), DJ_OK);
		assert_int_equal(dj_db_commit(c), DJ_OK);
		extra++;
		dj_db_stats(db, &st);
		if (st.wal_frames < 100)
			break;
	}
	assert_true(st.checkpoints > 0);
	assert_true(st.wal_frames > 0 && st.wal_frames < 100);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM b"), 4000 + extra);
	dj_db_close(db); /* stops the thread; the last close checkpoints what is left */
	assert_int_equal(dj_db_open(p, 1, DJ_DB_NO_MIGRATE, &db), DJ_OK);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM b"), 4000 + extra);
	dj_db_stats(db, &st);
	assert_int_equal(st.checkpoints, 0); /* without the flag: SQLite's own checkpoint in the commit */
	dj_db_close(db);
}

static void test_statement_cache(void **state)
{
	(void)state;
	struct dj_db *db = open_with_table("cache.db");
	struct dj_db_conn *c;
	struct dj_stmt *s1, *s2, *s3, *first;
	static const char SQL[] = "SELECT ?, ?";
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, SQL, &s1), DJ_OK);
	first = s1;
	assert_int_equal(dj_db_prepare(c, SQL, &s2), DJ_OK);
	assert_ptr_equal(s1, s2);
	/* Keyed by the text, not the pointer. */
	char *copy = dj_strdup(SQL);
	assert_int_equal(dj_db_prepare(c, copy, &s3), DJ_OK);
	assert_ptr_equal(s1, s3);
	dj_free(copy);
	assert_int_equal(dj_db_prepare(c, "SELECT ?, ? ", &s3), DJ_OK);
	assert_ptr_not_equal(s1, s3);

	/* Bound text is copied; re-preparing resets and unbinds. */
	char buf[] = "hello";
	assert_int_equal(dj_stmt_bind_text(s1, 1, buf), DJ_OK);
	assert_int_equal(dj_stmt_bind_int(s1, 2, 42), DJ_OK);
	buf[0] = 'j';
	assert_int_equal(dj_stmt_step(s1), DJ_ROW);
	assert_string_equal(dj_stmt_text(s1, 0), "hello");
	assert_int_equal(dj_stmt_int(s1, 1), 42);
	assert_int_equal(dj_db_prepare(c, SQL, &s2), DJ_OK);
	assert_int_equal(dj_stmt_step(s2), DJ_ROW);
	assert_true(dj_stmt_is_null(s2, 0));
	assert_null(dj_stmt_text(s2, 0));
	assert_true(dj_stmt_is_null(s2, 1));
	dj_stmt_reset(s2);

	/* Blobs and explicit NULLs; textn binds exactly n bytes. */
	static const unsigned char blob[5] = { 0, 1, 2, 0xff, 0 };
	assert_int_equal(dj_db_prepare(c, SQL, &s1), DJ_OK);
	assert_int_equal(dj_stmt_bind_blob(s1, 1, blob, sizeof(blob)), DJ_OK);
	assert_int_equal(dj_stmt_bind_textn(s1, 2, "abcdef", 3), DJ_OK);
	assert_int_equal(dj_stmt_step(s1), DJ_ROW);
	size_t len = 0;
	const void *b = dj_stmt_blob(s1, 0, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(b, blob, sizeof(blob));
	assert_string_equal(dj_stmt_text(s1, 1), "abc");
	assert_int_equal(dj_stmt_step(s1), DJ_DONE);
	assert_int_equal(dj_db_prepare(c, SQL, &s1), DJ_OK);
	assert_int_equal(dj_stmt_bind_null(s1, 1), DJ_OK);
	assert_int_equal(dj_stmt_bind_text(s1, 2, NULL), DJ_OK);
	assert_int_equal(dj_stmt_step(s1), DJ_ROW);
	assert_true(dj_stmt_is_null(s1, 0));
	assert_true(dj_stmt_is_null(s1, 1));
	dj_stmt_reset(s1);

	/* Bad SQL fails and is not cached. */
	assert_int_not_equal(dj_db_prepare(c, "SELEKT 1", &s3), DJ_OK);
	assert_int_not_equal(dj_db_prepare(c, "SELEKT 1", &s3), DJ_OK);
	assert_int_not_equal(dj_db_prepare(c, "SELECT * FROM no_such_table", &s3), DJ_OK);

	/* Many distinct statements (more than the cache holds) all work. */
	for (int i = 0; i < 600; i++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT %d + ?", i);
		assert_int_equal(dj_db_prepare(c, sql, &s3), DJ_OK);
		dj_stmt_bind_int(s3, 1, 1);
		assert_int_equal(dj_stmt_step(s3), DJ_ROW);
		assert_int_equal(dj_stmt_int(s3, 0), i + 1);
		dj_stmt_reset(s3);
	}
	/* After eviction the first statement is prepared again and still works. */
	assert_int_equal(dj_db_prepare(c, SQL, &s1), DJ_OK);
	(void)first;
	assert_int_equal(dj_stmt_step(s1), DJ_ROW);
	dj_stmt_reset(s1);

	/* A statement being stepped is never evicted, however many others are prepared meanwhile. */
	struct dj_stmt *outer;
	assert_int_equal(dj_db_prepare(c, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3)"
					  " SELECT x FROM n", &outer), DJ_OK);
	assert_int_equal(dj_stmt_step(outer), DJ_ROW);
	assert_int_equal(dj_stmt_int(outer, 0), 1);
	for (int i = 0; i < 600; i++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT %d * 2", i);
		assert_int_equal(dj_db_prepare(c, sql, &s3), DJ_OK);
		assert_int_equal(dj_stmt_step(s3), DJ_ROW);
		assert_int_equal(dj_stmt_int(s3, 0), i * 2);
		dj_stmt_reset(s3);
	}
	assert_int_equal(dj_stmt_step(outer), DJ_ROW);
	assert_int_equal(dj_stmt_int(outer, 0), 2);
	dj_stmt_reset(outer);

	/* Readers are read-only. */
	assert_int_not_equal(dj_db_exec_sql(c, "INSERT INTO t(name) VALUES ('from a reader')"), DJ_OK);
	dj_db_release(c);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM t"), 0);
	dj_db_close(db);
}

/* ---- audit chain ---------------------------------------------------------------------------- */

static const struct dj_audit_entry entries[] = {
	{ "org.create", "org", 1, "/1/", NULL, "{\"name\":\"党委\"}" },
	{ "org.create", "org", 5, "/1/5/", NULL, "{\"name\":\"第一支部\"}" },
	{ "org.update", "org", 5, "/1/5/", "{\"name\":\"第一支部\"}", "{\"name\":\"一支部\"}" },
	{ "login", NULL, 0, NULL, NULL, NULL },
	{ "user.create", "user", 2, "/2/", NULL, "{\"username\":\"b\"}" },
	{ "export.members", NULL, 0, "/1/5/", NULL, "{\"rows\":12}" },
};
#define N_ENTRIES ((int)(sizeof(entries) / sizeof(entries[0])))

/* A fresh store at name holding the first n entries, appended over two transactions. */
static struct dj_db *make_chain(const char *name, int n, char *path, size_t pathlen)
{
	struct dj_db *db;
	struct dj_db_conn *c;
	const struct dj_actor admin = { 1, "admin", "127.0.0.1" };
	const struct dj_actor sys = { 0, NULL, NULL };
	assert_int_equal(dj_db_open(tpath(name, path, pathlen), 1, DJ_DB_CREATE | DJ_DB_MUST_NOT_EXIST, &db), DJ_OK);
	for (int i = 0; i < n;) {
		assert_int_equal(dj_db_begin(db, &c), DJ_OK);
		for (int k = 0; k < 3 && i < n; k++, i++)
			assert_int_equal(dj_audit_append(c, i % 2 ? &sys : &admin, &entries[i]), DJ_OK);
		assert_int_equal(dj_db_commit(c), DJ_OK);
	}
	return db;
}

static void expect_verify(struct dj_db *db, dj_rc want_rc, int64_t want_bad, int64_t want_count)
{
	int64_t bad = -1, count = -1;
	dj_rc rc = dj_audit_verify(db, &bad, &count);
	if (rc != want_rc || bad != want_bad || (want_count >= 0 && count != want_count))
		fail_msg("verify: rc %d bad %lld count %lld; want rc %d bad %lld count %lld", rc, (long long)bad,
			 (long long)count, want_rc, (long long)want_bad, (long long)want_count);
}

static void test_audit_chain_ok(void **state)
{
	(void)state;
	char p[300];
	struct dj_db *db = make_chain("chain0.db", 0, p, sizeof(p));
	expect_verify(db, DJ_OK, 0, 0); /* an empty log is intact */
	dj_db_close(db);

	db = make_chain("chain.db", N_ENTRIES, p, sizeof(p));
	expect_verify(db, DJ_OK, 0, N_ENTRIES);
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM audit_log"), N_ENTRIES);
	assert_int_equal(q_int(db, "SELECT COUNT(DISTINCT hash) FROM audit_log"), N_ENTRIES);
	/* Each entry links to its predecessor's hash; the first to the genesis value. */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.id = a.id + 1"
				   " WHERE b.prev_hash = a.hash"),
			 N_ENTRIES - 1);
	assert_int_equal(q_int(db, "SELECT prev_hash = printf('%064d', 0) FROM audit_log WHERE id = 1"), 1);
	/* Actor 0 is stored as NULL. */
	assert_int_equal(q_int(db, "SELECT COUNT(*) FROM audit_log WHERE actor_id IS NULL"), N_ENTRIES / 2);

	/* Append-only: UPDATE and DELETE are refused by triggers, even inside our own transaction. */
	struct dj_db_conn *c;
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_db_exec_sql(c, "UPDATE audit_log SET action = 'x' WHERE id = 1"), DJ_ERR_CONFLICT);
	assert_int_equal(dj_db_exec_sql(c, "DELETE FROM audit_log WHERE id = 1"), DJ_ERR_CONFLICT);
	dj_db_rollback(c);
	assert_int_not_equal(raw_exec(p, "DELETE FROM audit_log WHERE id = 2"), SQLITE_OK);
	expect_verify(db, DJ_OK, 0, N_ENTRIES);

	/* More entries later continue the chain. */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	const struct dj_actor a = { 3, "审计员", "::1" };
	assert_int_equal(dj_audit_append(c, &a, &entries[0]), DJ_OK);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	expect_verify(db, DJ_OK, 0, N_ENTRIES + 1);

	/* A rolled-back append leaves no trace and no broken head. */
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	assert_int_equal(dj_audit_append(c, &a, &entries[1]), DJ_OK);
	dj_db_rollback(c);
	expect_verify(db, DJ_OK, 0, N_ENTRIES + 1);
	dj_db_close(db);
}

#define UNGUARD "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "

static void test_audit_tamper(void **state)
{
	(void)state;
	static const struct {
		const char *what, *sql;
		int64_t bad;
	} t[] = {
		{ "edit after_json of a middle row", UNGUARD "UPDATE audit_log SET after_json = '{\"name\":\"改\"}' WHERE id = 3", 3 },
		{ "edit the action of the first row", UNGUARD "UPDATE audit_log SET action = 'org.delete' WHERE id = 1", 1 },
		{ "edit the timestamp", UNGUARD "UPDATE audit_log SET ts = '2000-01-01T00:00:00+08:00' WHERE id = 4", 4 },
		{ "null a nullable field", UNGUARD "UPDATE audit_log SET org_path = NULL WHERE id = 2", 2 },
		{ "give a system entry an actor", UNGUARD "UPDATE audit_log SET actor_id = 1 WHERE id = 4", 4 },
		{ "rewrite a stored hash", UNGUARD "UPDATE audit_log SET hash = printf('%064d', 1) WHERE id = 5", 5 },
		{ "relink prev_hash", UNGUARD "UPDATE audit_log SET prev_hash = printf('%064d', 0) WHERE id = 2", 2 },
		{ "delete a middle row", UNGUARD "DELETE FROM audit_log WHERE id = 3", 3 },
		{ "delete the first row", UNGUARD "DELETE FROM audit_log WHERE id = 1", 1 },
		{ "delete the last row", UNGUARD "DELETE FROM audit_log WHERE id = 6", 6 },
		{ "delete the last two rows", UNGUARD "DELETE FROM audit_log WHERE id >= 5", 5 },
		{ "delete every row", UNGUARD "DELETE FROM audit_log", 1 },
		{ "forge the head", "UPDATE settings SET value = '6:' || printf('%064d', 0) WHERE key = 'audit.head'", 7 },
		{ "delete the head", "DELETE FROM settings WHERE key = 'audit.head'", 7 },
		{ "swap two rows' ids", UNGUARD "UPDATE audit_log SET id = 100 WHERE id = 2; UPDATE audit_log SET id = 2 WHERE id = 3;"
					   " UPDATE audit_log SET id = 3 WHERE id = 100", 2 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[32], p[300];
		snprintf(name, sizeof(name), "tamper%zu.db", i);
		struct dj_db *db = make_chain(name, N_ENTRIES, p, sizeof(p));
		expect_verify(db, DJ_OK, 0, N_ENTRIES);
		int rc = raw_exec(p, t[i].sql);
		if (rc != SQLITE_OK)
			fail_msg("%s: tampering SQL failed (%d)", t[i].what, rc);
		int64_t bad = -1, count = -1;
		dj_rc vrc = dj_audit_verify(db, &bad, &count);
		if (vrc != DJ_ERR_CORRUPT || bad != t[i].bad)
			fail_msg("%s: verify rc %d bad_id %lld, want DJ_ERR_CORRUPT at %lld", t[i].what, vrc,
				 (long long)bad, (long long)t[i].bad);
		assert_true(count >= 0 && count < t[i].bad);
		dj_db_close(db);
	}
}

static void test_audit_list_scoped(void **state)
{
	(void)state;
	char p[300];
	struct dj_db *db = make_chain("list.db", N_ENTRIES, p, sizeof(p));
	struct dj_db_conn *c;
	struct dj_scope sc;
	memset(&sc, 0, sizeof(sc));
	dj_scope_set_path(&sc, "/1/5/");
	struct dj_audit_filter f = { NULL, NULL, NULL, NULL, NULL };
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	int64_t total = -1;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	dj_jw_init(&w, &sb);
	dj_jw_arr_begin(&w);
	assert_int_equal(dj_audit_list(c, &sc, &f, 1, 50, &w, &total), DJ_OK);
	dj_jw_arr_end(&w);
	/* Visible under /1/5/: entries 2, 3, 6 (org_path in the subtree) and 4 (no org). */
	assert_int_equal(total, 4);
	json_t *arr = json_loads(sb.buf, 0, NULL);
	assert_non_null(arr);
	assert_int_equal(json_array_size(arr), 4);
	static const int64_t want_ids[] = { 6, 4, 3, 2 }; /* newest first */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, i), "id")), want_ids[i]);
	json_t *e3 = json_array_get(arr, 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e3, "after"), "name")), "一支部");
	json_decref(arr);

	/* A filter and a page. */
	dj_strbuf_reset(&sb);
	dj_jw_init(&w, &sb);
	f.action = "org.update";
	dj_jw_arr_begin(&w);
	assert_int_equal(dj_audit_list(c, &sc, &f, 1, 50, &w, &total), DJ_OK);
	dj_jw_arr_end(&w);
	assert_int_equal(total, 1);
	f.action = NULL;
	f.to = "2024-13-01";
	assert_int_equal(dj_audit_list(c, &sc, &f, 1, 50, &w, &total), DJ_ERR_INVALID);
	dj_db_release(c);
	dj_strbuf_release(&sb);
	dj_db_close(db);
}

static void test_backup_and_integrity(void **state)
{
	(void)state;
	char p[300], dest[300];
	struct dj_db *db = make_chain("src.db", N_ENTRIES, p, sizeof(p));
	int version = dj_db_schema_version(db);
	assert_int_equal(dj_db_integrity(db), DJ_OK);
	tpath("backup.db", dest, sizeof(dest));
	assert_int_equal(dj_db_backup(db, dest), DJ_OK);
	assert_true(file_exists(dest));
	/* Never overwrite an existing file. */
	assert_int_equal(dj_db_backup(db, dest), DJ_ERR_CONFLICT);
	dj_db_close(db);

	/* The backup is a self-contained file (journal_mode DELETE, no -wal beside it). Checked
	 * before dj_db_open, which switches a file it opens to WAL. */
	char wal[320];
	snprintf(wal, sizeof(wal), "%s-wal", dest);
	assert_false(file_exists(wal));
	sqlite3 *h;
	assert_int_equal(sqlite3_open_v2(dest, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "delete");
	sqlite3_finalize(s);
	sqlite3_close(h);

	struct dj_db *bk;
	assert_int_equal(dj_db_open(dest, 1, DJ_DB_NO_MIGRATE, &bk), DJ_OK);
	assert_int_equal(dj_db_integrity(bk), DJ_OK);
	expect_verify(bk, DJ_OK, 0, N_ENTRIES);
	assert_int_equal(q_int(bk, "SELECT COUNT(*) FROM audit_log"), N_ENTRIES);
	assert_int_equal(q_int(bk, "SELECT MAX(version) FROM schema_migrations"), version);
	dj_db_close(bk);

	/* Backing up into a directory that does not exist fails cleanly. */
	assert_int_equal(dj_db_open(p, 1, 0, &db), DJ_OK);
	tpath("no/such/dir/b.db", dest, sizeof(dest));
	assert_int_not_equal(dj_db_backup(db, dest), DJ_OK);
	dj_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_open_create_migrates),
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_statement_cache),
		cmocka_unit_test(test_pinned_reader),
		cmocka_unit_test(test_background_checkpoint),
		cmocka_unit_test(test_audit_chain_ok),
		cmocka_unit_test(test_audit_tamper),
		cmocka_unit_test(test_audit_list_scoped),
		cmocka_unit_test(test_backup_and_integrity),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

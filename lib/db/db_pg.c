/* db_pg.c — the PostgreSQL backend (libpq) behind the same vtable as SQLite, for a province or larger
 * deployment with several app servers (docs/scale-out.md). The application writes one SQL dialect — the
 * subset SQLite and PostgreSQL share, '?' placeholders — and this file bridges what differs:
 *
 *   - placeholders become $1..$n; SQLite's type names (INTEGER, BLOB, STRICT tables, INTEGER PRIMARY
 *     KEY row ids) become BIGINT, BYTEA and BIGSERIAL; the two audit triggers become PL/pgSQL;
 *   - a write transaction takes one cluster-wide advisory lock, so app servers write one at a time
 *     exactly as SQLite's BEGIN IMMEDIATE does (the domain code relies on that serialization);
 *   - a failed write inside a transaction rolls back to a savepoint, so the transaction stays usable
 *     as it does in SQLite (code may try an INSERT and handle the conflict);
 *   - booleans come back as 1/0, bytea as bytes; SUM over a comparison and instr() exist as functions;
 *   - a table filled with explicit ids (audit_log, the province generator's orgs) has its id sequence
 *     moved past them before commit.
 * Results are read whole (PQexecPrepared), so another statement may run on the connection while a
 * SELECT is being stepped, as the domain code does with SQLite. */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dj/alloc.h"
#include "dj/log.h"
#include "db_int.h"
#include "dj/banned.h"

#define PG_BOOLOID 16
#define PG_BYTEAOID 17
#define PG_MAXP 8192       /* parameters per statement (multi-row INSERTs) */
#define PG_WRITE_LOCK 4242 /* pg_advisory_xact_lock key of the one writer */

struct pgc {
	PGconn *h;
	bool writer, in_tx;
	int nstmt;
	int64_t changes;
	char err[512];
	char explicit_ids[128][64]; /* tables written with explicit ids in this transaction */
	int nexplicit;
};

struct pgs {
	struct pgc *c;
	char name[24];
	int nparams;
	bool is_write;
	char table[64];          /* INSERT target, when the column list starts with id */
	char **val;              /* nparams each */
	int *len, *fmt;
	PGresult *res;
	int row, nrows;
	bool stepped;
	unsigned char *blob;     /* last unescaped bytea, freed on the next read or reset */
};

static void set_err(struct pgc *c, const char *msg)
{
	snprintf(c->err, sizeof(c->err), "%s", msg ? msg : "");
	size_t n = strlen(c->err);
	while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
}

static dj_rc map_state(const PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (!st)
		return DJ_ERR_DB;
	if (strncmp(st, "23", 2) == 0 || strcmp(st, "P0001") == 0) /* constraints; the audit triggers' RAISE */
		return DJ_ERR_CONFLICT;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "55P03") == 0)
		return DJ_ERR_BUSY;
	if (strcmp(st, "53100") == 0 || strcmp(st, "25006") == 0)
		return DJ_ERR_READONLY;
	if (strcmp(st, "53200") == 0)
		return DJ_ERR_NOMEM;
	if (strcmp(st, "XX001") == 0 || strcmp(st, "XX002") == 0)
		return DJ_ERR_CORRUPT;
	return DJ_ERR_DB;
}

/* ---- the dialect ------------------------------------------------------------------------------- */

static bool word_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

static bool word_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

/* Next word after p (skipping spaces), for look-ahead. */
static const char *next_word(const char *p, size_t *n)
{
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	*n = 0;
	while (word_char(p[*n]))
		(*n)++;
	return p;
}

/* SQLite's "CREATE TRIGGER t BEFORE UPDATE ON tab BEGIN SELECT RAISE(ABORT, 'msg'); END;" as PL/pgSQL.
 * Returns the length consumed, 0 if p is not such a trigger. */
static size_t trigger(const char *p, struct dj_strbuf *out)
{
	char name[64], op[16], table[64], msg[256];
	int used = 0;
	if (sscanf(p, "CREATE TRIGGER %63s BEFORE %15s ON %63s BEGIN SELECT RAISE(ABORT, '%255[^']'); END;%n", name, op,
		   table, msg, &used) != 4 ||
	    used == 0)
		return 0;
	dj_strbuf_addf(out,
		       "CREATE OR REPLACE FUNCTION %s_fn() RETURNS trigger LANGUAGE plpgsql AS"
		       " $fn$BEGIN RAISE EXCEPTION '%s'; END$fn$;"
		       "CREATE TRIGGER %s BEFORE %s ON %s FOR EACH ROW EXECUTE FUNCTION %s_fn();",
		       name, msg, name, op, table, name);
	return (size_t)used;
}

/* Words that are SQL, not columns, on the right of an upsert's SET. */
static bool keyword(const char *p, size_t n)
{
	static const char *const kw[] = { "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "NULL", "IS",
					  "IN", "TRUE", "FALSE", "CAST", "AS", "TEXT", "BIGINT", "INTEGER", NULL };
	for (int i = 0; kw[i]; i++)
		if (word_is(p, n, kw[i]))
			return true;
	return false;
}

/* The application's SQL in PostgreSQL's dialect; returns the number of placeholders. In an upsert's
 * "DO UPDATE SET col = col + excluded.col", SQLite reads the bare col as the existing row; PostgreSQL
 * calls it ambiguous, so it is qualified with the table. */
static int translate(const char *sql, struct dj_strbuf *out)
{
	static const char now_sqlite[] = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";
	int np = 0;
	char table[64] = "";
	int upsert = 0; /* 1: in DO UPDATE SET, left of '='; 2: right of it */
	int depth = 0;
	const char *p = sql;
	while (*p == ' ' || *p == '\n')
		p++;
	if (strncasecmp(p, "PRAGMA integrity_check", 22) == 0) {
		dj_strbuf_adds(out, "SELECT 'ok'");
		return 0;
	}
	if (strncasecmp(p, "PRAGMA", 6) == 0) { /* SQLite tuning: nothing to do here */
		dj_strbuf_adds(out, "SELECT 1");
		return 0;
	}
	while (*p) {
		if (*p == '\'') { /* a string literal, '' inside */
			const char *q = p + 1;
			while (*q && !(*q == '\'' && q[1] != '\''))
				q += *q == '\'' ? 2 : 1;
			dj_strbuf_add(out, p, (size_t)(q - p) + (*q ? 1 : 0));
			p = *q ? q + 1 : q;
			continue;
		}
		if (*p == '?') {
			size_t m;
			dj_strbuf_addf(out, "$%d", ++np);
			p++;
			/* "? IS NULL" gives PostgreSQL nothing to infer the parameter's type from. */
			const char *w = next_word(p, &m);
			if (word_is(w, m, "IS"))
				dj_strbuf_adds(out, "::text");
			continue;
		}
		if (strncmp(p, now_sqlite, sizeof(now_sqlite) - 1) == 0) {
			dj_strbuf_adds(out, "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
			p += sizeof(now_sqlite) - 1;
			continue;
		}
		if (strncmp(p, "abs(random())", 13) == 0) { /* SQLite: a random 64-bit integer */
			dj_strbuf_adds(out, "floor(random() * 2147483647)::bigint");
			p += 13;
			continue;
		}
		if (strncmp(p, "CREATE TRIGGER", 14) == 0) {
			size_t used = trigger(p, out);
			if (used) {
				p += used;
				continue;
			}
		}
		if (upsert && depth == 0 && (*p == '=' || *p == ',')) {
			upsert = *p == '=' ? 2 : 1;
		}
		if (*p == '(')
			depth++;
		if (*p == ')' && depth > 0)
			depth--;
		if (word_char(*p) && (p == sql || !word_char(p[-1]))) {
			size_t n = 0, m;
			while (word_char(p[n]))
				n++;
			if (word_is(p, n, "INTO") && !table[0]) {
				const char *w = next_word(p + n, &m);
				if (m && m < sizeof(table))
					snprintf(table, sizeof(table), "%.*s", (int)m, w);
			}
			if (word_is(p, n, "SET") && table[0] && out->len >= 10 &&
			    strncasecmp(out->buf + out->len - 10, "DO UPDATE ", 10) == 0)
				upsert = 1;
			if (upsert && word_is(p, n, "WHERE"))
				upsert = 0;
			if (upsert == 2 && !isdigit((unsigned char)*p) && (p == sql || p[-1] != '.') && p[n] != '.' &&
			    p[n] != '(' && !keyword(p, n) && !word_is(p, n, "excluded"))
				dj_strbuf_addf(out, "%s.", table);
			if (word_is(p, n, "WITHOUT")) { /* ", WITHOUT ROWID": a SQLite storage choice */
				const char *w = next_word(p + n, &m);
				if (word_is(w, m, "ROWID")) {
					while (out->len && (out->buf[out->len - 1] == ' ' || out->buf[out->len - 1] == ','))
						out->buf[--out->len] = '\0';
					p = w + m;
					continue;
				}
			}
			if (word_is(p, n, "STRICT")) {
				p += n;
				continue;
			}
			if (word_is(p, n, "IMMEDIATE")) {
				p += n;
				continue;
			}
			if (word_is(p, n, "REFERENCES")) { /* "REFERENCES t(id)" + DEFERRABLE: a store copy defers them */
				const char *close = strchr(p, ')');
				if (close && (size_t)(close - p) < 80) {
					dj_strbuf_add(out, p, (size_t)(close - p) + 1);
					dj_strbuf_adds(out, " DEFERRABLE");
					p = close + 1;
					continue;
				}
			}
			if (word_is(p, n, "BLOB")) {
				dj_strbuf_adds(out, "BYTEA");
				p += n;
				continue;
			}
			if (word_is(p, n, "INTEGER")) {
				const char *w = next_word(p + n, &m);
				dj_strbuf_adds(out, word_is(w, m, "PRIMARY") ? "BIGSERIAL" : "BIGINT");
				p += n;
				continue;
			}
			dj_strbuf_add(out, p, n);
			p += n;
			continue;
		}
		dj_strbuf_add(out, p, 1);
		p++;
	}
	return np;
}

/* Functions the shared dialect uses that PostgreSQL lacks; created once, under the write lock. */
static const char PRELUDE[] =
	"CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT strpos($1, $2)';"
	/* SUM(a = b): the state starts NULL (no rows: NULL, as in SQLite), the first row makes it a number */
	"CREATE OR REPLACE FUNCTION dj_bool_sum(bigint, boolean) RETURNS bigint LANGUAGE sql IMMUTABLE"
	" AS 'SELECT COALESCE($1, 0) + CASE WHEN $2 THEN 1 ELSE 0 END';"
	"DO $do$ BEGIN"
	" IF NOT EXISTS (SELECT 1 FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid"
	"  WHERE p.proname = 'sum' AND a.aggtransfn = 'dj_bool_sum'::regproc) THEN"
	"  CREATE AGGREGATE sum(boolean) (SFUNC = dj_bool_sum, STYPE = bigint);"
	" END IF;"
	" END $do$;";

/* ---- connections --------------------------------------------------------------------------------- */

static dj_rc run(struct pgc *c, const char *sql)
{
	PGresult *r = PQexec(c->h, sql);
	ExecStatusType st = PQresultStatus(r);
	dj_rc rc = DJ_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		set_err(c, PQresultErrorMessage(r));
		rc = map_state(r);
	}
	PQclear(r);
	return rc;
}

/* Before COMMIT: id sequences past the explicit ids this transaction wrote. */
static dj_rc sync_sequences(struct pgc *c)
{
	dj_rc rc = DJ_OK;
	for (int i = 0; i < c->nexplicit && !rc; i++) {
		char sql[300];
		snprintf(sql, sizeof(sql),
			 "SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT MAX(id) FROM %s), 1))",
			 c->explicit_ids[i], c->explicit_ids[i]);
		rc = run(c, sql);
	}
	c->nexplicit = 0;
	return rc;
}

static dj_rc exec_sql(void *conn, const char *sql)
{
	struct pgc *c = conn;
	while (*sql == ' ')
		sql++;
	if (strncasecmp(sql, "BEGIN", 5) == 0) {
		/* One writer across every app server, like SQLite's BEGIN IMMEDIATE. */
		char begin[96];
		snprintf(begin, sizeof(begin), "BEGIN; SELECT pg_advisory_xact_lock(%d)", PG_WRITE_LOCK);
		dj_rc rc = run(c, begin);
		c->in_tx = rc == DJ_OK;
		c->nexplicit = 0;
		return rc;
	}
	if (strncasecmp(sql, "COMMIT", 6) == 0) {
		dj_rc rc = sync_sequences(c);
		if (!rc)
			rc = run(c, "COMMIT");
		c->in_tx = false;
		return rc;
	}
	if (strncasecmp(sql, "ROLLBACK", 8) == 0) {
		c->in_tx = false;
		c->nexplicit = 0;
		return run(c, "ROLLBACK");
	}
	struct dj_strbuf t = DJ_STRBUF_INIT;
	translate(sql, &t);
	dj_rc rc = run(c, t.buf);
	if (rc)
		dj_log_warn("pg_exec_failed", "err=\"%s\"", c->err);
	dj_strbuf_release(&t);
	return rc;
}

static dj_rc open_conn(const char *url, int flags, bool writer, void **out)
{
	struct pgc *c = dj_calloc(1, sizeof(*c));
	*out = NULL;
	c->writer = writer;
	c->h = PQconnectdb(url);
	if (PQstatus(c->h) != CONNECTION_OK) {
		dj_log_error("pg_connect_failed", "err=\"%s\"", PQerrorMessage(c->h));
		PQfinish(c->h);
		dj_free(c);
		return DJ_ERR_NOTFOUND;
	}
	dj_rc rc = run(c, "SET client_min_messages = warning; SET client_encoding = 'UTF8'");
	if (!rc && writer && (flags & DJ_DB_MUST_NOT_EXIST)) {
		PGresult *r = PQexec(c->h, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'");
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			rc = DJ_ERR_DB;
		else if (strtoll(PQgetvalue(r, 0, 0), NULL, 10) > 0)
			rc = DJ_ERR_CONFLICT;
		PQclear(r);
	}
	if (!rc && writer && !(flags & DJ_DB_CREATE)) {
		/* Without CREATE the store must already exist, as a SQLite file must: a database `init` (or
		 * `copy`) never set up is not a store yet, and serve/user/verify must not migrate it silently. */
		PGresult *r = PQexec(c->h, "SELECT to_regclass('public.schema_migrations') IS NOT NULL");
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			set_err(c, PQresultErrorMessage(r));
			rc = map_state(r);
		} else if (PQgetvalue(r, 0, 0)[0] != 't') {
			dj_log_error("pg_store_not_initialized", "db=\"%s\"", PQdb(c->h));
			rc = DJ_ERR_NOTFOUND;
		}
		PQclear(r);
	}
	if (!rc && writer && !(flags & DJ_DB_NO_MIGRATE)) {
		char sql[sizeof(PRELUDE) + 96];
		snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d); %s COMMIT;", PG_WRITE_LOCK, PRELUDE);
		rc = run(c, sql);
		if (rc)
			dj_log_error("pg_prelude_failed", "err=\"%s\"", c->err);
	}
	if (!rc && !writer)
		rc = run(c, "SET default_transaction_read_only = on");
	if (rc) {
		PQfinish(c->h);
		dj_free(c);
		return rc;
	}
	*out = c;
	return DJ_OK;
}

static void close_conn(void *conn)
{
	struct pgc *c = conn;
	PQfinish(c->h);
	dj_free(c);
}

/* ---- statements ---------------------------------------------------------------------------------- */

static void clear_result(struct pgs *s)
{
	if (s->res)
		PQclear(s->res);
	s->res = NULL;
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = NULL;
	s->stepped = false;
	s->row = -1;
	s->nrows = 0;
}

static void free_params(struct pgs *s)
{
	for (int i = 0; s->val && i < s->nparams; i++)
		dj_free(s->val[i]);
	dj_free(s->val);
	dj_free(s->len);
	dj_free(s->fmt);
	s->val = NULL;
	s->len = s->fmt = NULL;
}

static dj_rc prepare(void *conn, const char *sql, void **stmt)
{
	struct pgc *c = conn;
	struct dj_strbuf t = DJ_STRBUF_INIT;
	int np = translate(sql, &t);
	*stmt = NULL;
	if (np > PG_MAXP) {
		dj_strbuf_release(&t);
		set_err(c, "too many parameters");
		return DJ_ERR_DB;
	}
	struct pgs *s = dj_calloc(1, sizeof(*s));
	s->c = c;
	s->nparams = np;
	s->row = -1;
	s->val = dj_calloc((size_t)np + 1, sizeof(*s->val));
	s->len = dj_calloc((size_t)np + 1, sizeof(*s->len));
	s->fmt = dj_calloc((size_t)np + 1, sizeof(*s->fmt));
	snprintf(s->name, sizeof(s->name), "dj%d", ++c->nstmt);
	const char *p = sql;
	while (*p == ' ' || *p == '\n')
		p++;
	s->is_write = strncasecmp(p, "INSERT", 6) == 0 || strncasecmp(p, "UPDATE", 6) == 0 ||
		      strncasecmp(p, "DELETE", 6) == 0;
	/* "INSERT INTO tab(id, ..." writes explicit ids: the sequence follows at commit. */
	char table[64];
	int used = 0;
	if (sscanf(p, "INSERT INTO %63[a-z_](id,%n", table, &used) == 1 && used > 0)
		snprintf(s->table, sizeof(s->table), "%s", table);
	PGresult *r = PQprepare(c->h, s->name, t.buf, np, NULL);
	dj_rc rc = DJ_OK;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_err(c, PQresultErrorMessage(r));
		dj_log_error("pg_prepare_failed", "sql=\"%.300s\" err=\"%s\"", t.buf, c->err);
		rc = map_state(r);
		if (rc == DJ_ERR_CONFLICT)
			rc = DJ_ERR_DB;
	}
	PQclear(r);
	dj_strbuf_release(&t);
	if (rc) {
		free_params(s);
		dj_free(s);
		return rc;
	}
	*stmt = s;
	return DJ_OK;
}

static void finalize(void *stmt)
{
	struct pgs *s = stmt;
	if (!s)
		return;
	clear_result(s);
	free_params(s);
	char sql[48];
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
	if (PQstatus(s->c->h) == CONNECTION_OK)
		PQclear(PQexec(s->c->h, sql));
	dj_free(s);
}

static dj_rc put(struct pgs *s, int i, const void *v, size_t n, int fmt)
{
	if (i < 1 || i > s->nparams)
		return DJ_ERR_INTERNAL;
	dj_free(s->val[i - 1]);
	s->val[i - 1] = NULL;
	if (v) {
		s->val[i - 1] = dj_malloc(n + 1);
		memcpy(s->val[i - 1], v, n);
		s->val[i - 1][n] = '\0';
	}
	s->len[i - 1] = (int)n;
	s->fmt[i - 1] = fmt;
	return DJ_OK;
}

static dj_rc bind_int(void *stmt, int i, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return put(stmt, i, buf, (size_t)n, 0);
}
static dj_rc bind_text(void *stmt, int i, const char *v, size_t n) { return put(stmt, i, v, n, 0); }
static dj_rc bind_blob(void *stmt, int i, const void *v, size_t n) { return put(stmt, i, v ? v : "", n, 1); }
static dj_rc bind_null(void *stmt, int i) { return put(stmt, i, NULL, 0, 0); }

static bool note_explicit(struct pgc *c, const char *table)
{
	for (int i = 0; i < c->nexplicit; i++)
		if (strcmp(c->explicit_ids[i], table) == 0)
			return true;
	if (c->nexplicit >= (int)(sizeof(c->explicit_ids) / sizeof(c->explicit_ids[0])))
		return false;
	snprintf(c->explicit_ids[c->nexplicit++], sizeof(c->explicit_ids[0]), "%s", table);
	return true;
}

/* SAVEPOINT, the statement and RELEASE in one round trip (libpq pipeline mode); returns the statement's
 * result (NULL if the connection failed). After a failure the RELEASE is skipped by the server and the
 * caller rolls back to the savepoint. */
static PGresult *pipelined(struct pgc *c, struct pgs *s)
{
	PGresult *mine = NULL, *r;
	if (!PQenterPipelineMode(c->h))
		return NULL;
	bool sent = PQsendQueryParams(c->h, "SAVEPOINT dj_stmt", 0, NULL, NULL, NULL, NULL, 0) &&
		    PQsendQueryPrepared(c->h, s->name, s->nparams, (const char *const *)s->val, s->len, s->fmt, 0) &&
		    PQsendQueryParams(c->h, "RELEASE SAVEPOINT dj_stmt", 0, NULL, NULL, NULL, NULL, 0) &&
		    PQpipelineSync(c->h);
	if (sent) {
		/* Three queries, each a result and a NULL; then the sync. */
		for (int q = 0; q < 3; q++) {
			while ((r = PQgetResult(c->h)) != NULL) {
				if (q == 1 && !mine)
					mine = r;
				else
					PQclear(r);
			}
		}
		while ((r = PQgetResult(c->h)) != NULL) {
			bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
			PQclear(r);
			if (sync)
				break;
		}
	}
	PQexitPipelineMode(c->h);
	return mine;
}

static dj_rc execute(struct pgs *s)
{
	struct pgc *c = s->c;
	/* A failed write must not poison the transaction (SQLite keeps it usable). */
	bool sp = c->in_tx && s->is_write;
	if (sp) {
		s->res = pipelined(c, s);
	} else {
		s->res = PQexecPrepared(c->h, s->name, s->nparams, (const char *const *)s->val, s->len, s->fmt, 0);
	}
	ExecStatusType st = PQresultStatus(s->res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		set_err(c, s->res ? PQresultErrorMessage(s->res) : PQerrorMessage(c->h));
		dj_rc rc = s->res ? map_state(s->res) : DJ_ERR_DB;
		PQclear(s->res);
		s->res = NULL;
		if (sp)
			run(c, "ROLLBACK TO SAVEPOINT dj_stmt");
		return rc;
	}
	const char *n = PQcmdTuples(s->res);
	c->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	if (s->table[0] && c->in_tx)
		note_explicit(c, s->table);
	s->nrows = st == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
	s->row = -1;
	return DJ_OK;
}

static dj_rc step(void *stmt)
{
	struct pgs *s = stmt;
	if (!s->stepped) {
		s->stepped = true;
		dj_rc rc = execute(s);
		if (rc)
			return rc;
	}
	if (s->blob) {
		PQfreemem(s->blob);
		s->blob = NULL;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DJ_ROW;
	}
	s->row = s->nrows;
	return DJ_DONE;
}

static bool have(struct pgs *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static bool col_is_null(void *stmt, int col)
{
	struct pgs *s = stmt;
	return !have(s, col) || PQgetisnull(s->res, s->row, col);
}

static const char *col_text(void *stmt, int col)
{
	struct pgs *s = stmt;
	if (col_is_null(s, col))
		return NULL;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) == PG_BOOLOID)
		return v[0] == 't' ? "1" : "0";
	return v;
}

static int64_t col_int(void *stmt, int col)
{
	const char *v = col_text(stmt, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

static const void *col_blob(void *stmt, int col, size_t *len)
{
	struct pgs *s = stmt;
	*len = 0;
	if (col_is_null(s, col))
		return NULL;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) != PG_BYTEAOID) {
		*len = (size_t)PQgetlength(s->res, s->row, col);
		return v;
	}
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)v, len);
	return s->blob;
}

static void reset(void *stmt)
{
	struct pgs *s = stmt;
	clear_result(s);
	for (int i = 0; i < s->nparams; i++) {
		dj_free(s->val[i]);
		s->val[i] = NULL;
	}
}

static bool stmt_busy(void *stmt) { return ((struct pgs *)stmt)->stepped; }
static int64_t changes(void *conn) { return ((struct pgc *)conn)->changes; }

static int64_t last_id(void *conn)
{
	struct pgc *c = conn;
	PGresult *r = PQexec(c->h, c->in_tx ? "SAVEPOINT dj_id; SELECT lastval()" : "SELECT lastval()");
	int64_t id = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else if (c->in_tx)
		run(c, "ROLLBACK TO SAVEPOINT dj_id"); /* no sequence used yet in this session */
	PQclear(r);
	if (c->in_tx)
		run(c, "RELEASE SAVEPOINT dj_id");
	return id;
}

static const char *errmsg(void *conn)
{
	struct pgc *c = conn;
	return c->err[0] ? c->err : PQerrorMessage(c->h);
}

/* Backups of a PostgreSQL store are pg_dump / pg_basebackup's job (docs/scale-out.md). */
static dj_rc backup(void *conn, const char *dest)
{
	(void)conn;
	dj_log_error("pg_backup_unsupported", "dest=\"%s\" hint=\"use pg_dump or pg_basebackup\"", dest);
	return DJ_ERR_IO;
}

static int64_t page_count(void *conn, int64_t *page_size)
{
	struct pgc *c = conn;
	PGresult *r = PQexec(c->h, "SELECT pg_database_size(current_database())");
	int64_t n = 0;
	*page_size = 1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

const struct dj_db_backend dj_db_pg_backend = {
	.name = "postgresql",
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
};

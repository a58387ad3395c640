/* copy.c — every row of a SQLite store into another store of the same schema version (PostgreSQL for a
 * move to the province's database, docs/scale-out.md), in one transaction on the destination: a table
 * at a time, many rows per INSERT, foreign keys checked at commit, then each table's row count compared. */
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/log.h"
#include "db_int.h"
#include "dj/banned.h"

#define COPY_MAX_PARAMS 4000 /* per INSERT; PostgreSQL allows 65535, SQLite 32766 */

struct col {
	char *name;
	bool blob, integer;
};

static int64_t count_rows(struct dj_db_conn *c, const char *table)
{
	char sql[160];
	struct dj_stmt *s;
	int64_t n = -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	if (dj_db_prepare(c, sql, &s) == DJ_OK) {
		if (dj_stmt_step(s) == DJ_ROW)
			n = dj_stmt_int(s, 0);
		dj_stmt_reset(s);
	}
	return n;
}

/* A chunk of source rows, copied (the source statement moves on before the chunk is written). */
struct cell {
	bool null;
	int64_t i;
	char *p; /* text or blob bytes (arena) */
	size_t n;
};

/* INSERT k buffered rows with one statement (its text cached per k on the connection). */
static dj_rc flush_rows(struct dj_db_conn *dst, const char *head, const char *one, const struct col *cols, int nc,
			const struct cell *cells, int k)
{
	struct dj_strbuf sql = DJ_STRBUF_INIT;
	struct dj_stmt *ins;
	dj_strbuf_adds(&sql, head);
	for (int r = 0; r < k; r++)
		dj_strbuf_addf(&sql, "%s%s", r ? ", " : "", one);
	dj_rc rc = dj_db_prepare(dst, sql.buf, &ins);
	dj_strbuf_release(&sql);
	if (rc)
		return rc;
	for (int r = 0; r < k; r++) {
		for (int i = 0; i < nc; i++) {
			const struct cell *v = &cells[r * nc + i];
			int p = r * nc + i + 1;
			if (v->null)
				dj_stmt_bind_null(ins, p);
			else if (cols[i].blob)
				dj_stmt_bind_blob(ins, p, v->p, v->n);
			else if (cols[i].integer)
				dj_stmt_bind_int(ins, p, v->i);
			else
				dj_stmt_bind_textn(ins, p, v->p, v->n);
		}
	}
	return dj_stmt_exec(ins);
}

/* One table: SELECT every column from src, INSERT chunks of rows into dst. */
static dj_rc copy_table(struct dj_db_conn *src, struct dj_db_conn *dst, const char *table, int64_t *rows)
{
	struct dj_stmt *s;
	struct col cols[160];
	int nc = 0;
	dj_rc rc;
	char q[200];
	*rows = 0;
	snprintf(q, sizeof(q), "SELECT name, upper(type) FROM pragma_table_info('%s') ORDER BY cid", table);
	if ((rc = dj_db_prepare(src, q, &s)))
		return rc;
	while (dj_stmt_step(s) == DJ_ROW && nc < (int)(sizeof(cols) / sizeof(cols[0]))) {
		const char *type = dj_stmt_text(s, 1) ? dj_stmt_text(s, 1) : "";
		cols[nc].name = dj_strdup(dj_stmt_text(s, 0));
		cols[nc].blob = strcmp(type, "BLOB") == 0;
		cols[nc].integer = strstr(type, "INT") != NULL;
		nc++;
	}
	dj_stmt_reset(s);
	if (nc == 0)
		return DJ_ERR_INTERNAL;
	struct dj_strbuf sel = DJ_STRBUF_INIT, head = DJ_STRBUF_INIT, one = DJ_STRBUF_INIT;
	dj_strbuf_adds(&sel, "SELECT ");
	dj_strbuf_addf(&head, "INSERT INTO %s(", table);
	dj_strbuf_adds(&one, "(");
	for (int i = 0; i < nc; i++) {
		dj_strbuf_addf(&sel, "%s%s", i ? ", " : "", cols[i].name);
		dj_strbuf_addf(&head, "%s%s", i ? ", " : "", cols[i].name);
		dj_strbuf_adds(&one, i ? ", ?" : "?");
	}
	dj_strbuf_addf(&sel, " FROM %s", table);
	dj_strbuf_adds(&head, ") VALUES ");
	dj_strbuf_adds(&one, ")");
	int per = COPY_MAX_PARAMS / nc;
	if (per < 1)
		per = 1;
	if (per > 500)
		per = 500;
	struct cell *cells = dj_calloc((size_t)per * (size_t)nc, sizeof(*cells));
	struct dj_arena a = DJ_ARENA_INIT;
	int k = 0;
	if ((rc = dj_db_prepare(src, sel.buf, &s)))
		goto out;
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		for (int i = 0; i < nc; i++) {
			struct cell *v = &cells[k * nc + i];
			memset(v, 0, sizeof(*v));
			if ((v->null = dj_stmt_is_null(s, i)))
				continue;
			if (cols[i].integer) {
				v->i = dj_stmt_int(s, i);
			} else {
				const void *b = cols[i].blob ? dj_stmt_blob(s, i, &v->n) : dj_stmt_text(s, i);
				if (!cols[i].blob)
					v->n = strlen(b);
				v->p = dj_arena_alloc(&a, v->n + 1);
				memcpy(v->p, b, v->n);
			}
		}
		(*rows)++;
		if (++k == per) {
			if ((rc = flush_rows(dst, head.buf, one.buf, cols, nc, cells, k)))
				break;
			k = 0;
			dj_arena_release(&a);
		}
	}
	dj_stmt_reset(s);
	if (rc == DJ_DONE)
		rc = DJ_OK;
	if (!rc && k > 0)
		rc = flush_rows(dst, head.buf, one.buf, cols, nc, cells, k);
out:
	dj_arena_release(&a);
	dj_free(cells);
	for (int i = 0; i < nc; i++)
		dj_free(cols[i].name);
	dj_strbuf_release(&sel);
	dj_strbuf_release(&head);
	dj_strbuf_release(&one);
	return rc;
}

dj_rc dj_db_copy(struct dj_db *src, struct dj_db *dst, void (*progress)(const char *table, int64_t rows, void *arg),
		 void *arg, char *failed_table, size_t failed_len)
{
	struct dj_db_conn *r, *w;
	struct dj_stmt *s;
	char *tables[256];
	int nt = 0;
	dj_rc rc;
	if (failed_len)
		failed_table[0] = '\0';
	if (dj_db_schema_version(src) != dj_db_schema_version(dst))
		return DJ_ERR_CONFLICT;
	if ((rc = dj_db_reader(src, &r)))
		return rc;
	/* The source is a SQLite file: its tables from the schema, migration bookkeeping excepted. */
	if ((rc = dj_db_prepare(r, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
				   " AND name <> 'schema_migrations' ORDER BY rowid", &s))) {
		dj_db_release(r);
		return rc;
	}
	while (dj_stmt_step(s) == DJ_ROW && nt < 256)
		tables[nt++] = dj_strdup(dj_stmt_text(s, 0));
	dj_stmt_reset(s);
	if ((rc = dj_db_begin(dst, &w)))
		goto out;
	/* Foreign keys are checked at commit (an org may have moved under a parent with a higher id). */
	rc = strncmp(dst->url, "postgres", 8) == 0 ? dj_db_exec_sql(w, "SET CONSTRAINTS ALL DEFERRED")
						   : dj_db_exec_sql(w, "PRAGMA defer_foreign_keys = ON");
	/* The destination's migrations filled the code lists: the source's rows replace them. */
	for (int i = 0; i < nt && !rc; i++) {
		if (strcmp(tables[i], "audit_log") == 0) {
			if (count_rows(w, tables[i]) != 0) {
				rc = DJ_ERR_CONFLICT; /* never delete audit rows */
				snprintf(failed_table, failed_len, "%s", tables[i]);
			}
			continue;
		}
		char del[160];
		snprintf(del, sizeof(del), "DELETE FROM %s", tables[i]);
		rc = dj_db_exec_sql(w, del);
	}
	for (int i = 0; i < nt && !rc; i++) {
		int64_t rows = 0;
		rc = copy_table(r, w, tables[i], &rows);
		if (!rc && count_rows(w, tables[i]) != count_rows(r, tables[i]))
			rc = DJ_ERR_INTERNAL;
		if (rc) {
			dj_log_error("store_copy_failed", "table=%s err=\"%s\"", tables[i], dj_db_errmsg(w));
			snprintf(failed_table, failed_len, "%s", tables[i]);
		} else if (progress) {
			progress(tables[i], rows, arg);
		}
	}
	if (rc)
		dj_db_rollback(w);
	else
		rc = dj_db_commit(w);
out:
	dj_db_release(r);
	for (int i = 0; i < nt; i++)
		dj_free(tables[i]);
	return rc;
}

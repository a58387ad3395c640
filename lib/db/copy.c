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

/* One table: SELECT every column from src, INSERT chunks into dst. */
static dj_rc copy_table(struct dj_db_conn *src, struct dj_db_conn *dst, const char *table, int64_t *rows)
{
	struct dj_stmt *s, *ins = NULL;
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
	struct dj_strbuf sel = DJ_STRBUF_INIT, head = DJ_STRBUF_INIT, one = DJ_STRBUF_INIT, sql = DJ_STRBUF_INIT;
	dj_strbuf_adds(&sel, "SELECT ");
	dj_strbuf_addf(&head, "INSERT INTO %s(", table);
	dj_strbuf_adds(&one, "(");
	for (int i = 0; i < nc; i++) {
		dj_strbuf_addf(&sel, "%s%s", i ? ", " : "", cols[i].name);
		dj_strbuf_addf(&head, "%s%s", i ? ", " : "", cols[i].name);
		dj_strbuf_adds(&one, i ? ", ?" : "?");
	}
	dj_strbuf_addf(&sel, " FROM %s ORDER BY rowid", table);
	dj_strbuf_adds(&head, ") VALUES ");
	dj_strbuf_adds(&one, ")");
	int per = COPY_MAX_PARAMS / nc;
	if (per < 1)
		per = 1;
	if (per > 500)
		per = 500;
	if ((rc = dj_db_prepare(src, sel.buf, &s)))
		goto out;
	/* Rows are bound straight from the source row into the pending INSERT; a full chunk is executed.
	 * The last, shorter chunk gets its own statement text. */
	int k = 0, prepared_for = 0;
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		if (prepared_for != per) {
			dj_strbuf_reset(&sql);
			dj_strbuf_adds(&sql, head.buf);
			for (int r = 0; r < per; r++)
				dj_strbuf_addf(&sql, "%s%s", r ? ", " : "", one.buf);
			if ((rc = dj_db_prepare(dst, sql.buf, &ins)))
				break;
			prepared_for = per;
		}
		for (int i = 0; i < nc; i++) {
			int p = k * nc + i + 1;
			if (dj_stmt_is_null(s, i)) {
				dj_stmt_bind_null(ins, p);
			} else if (cols[i].blob) {
				size_t n;
				const void *b = dj_stmt_blob(s, i, &n);
				dj_stmt_bind_blob(ins, p, b, n);
			} else if (cols[i].integer) {
				dj_stmt_bind_int(ins, p, dj_stmt_int(s, i));
			} else {
				dj_stmt_bind_text(ins, p, dj_stmt_text(s, i));
			}
		}
		(*rows)++;
		if (++k == per) {
			if ((rc = dj_stmt_exec(ins)))
				break;
			k = 0;
		}
	}
	dj_stmt_reset(s);
	if (rc == DJ_DONE)
		rc = DJ_OK;
	if (!rc && k > 0) { /* the rest: a statement for exactly k rows, bound again from the pending values */
		struct dj_stmt *tail;
		dj_stmt_reset(ins);
		dj_strbuf_reset(&sql);
		dj_strbuf_adds(&sql, head.buf);
		for (int r = 0; r < k; r++)
			dj_strbuf_addf(&sql, "%s%s", r ? ", " : "", one.buf);
		/* Re-read the last k rows: simpler than keeping copies of their values. */
		struct dj_strbuf last = DJ_STRBUF_INIT;
		dj_strbuf_addf(&last, "%s LIMIT -1 OFFSET %lld", sel.buf, (long long)(*rows - k));
		if (!(rc = dj_db_prepare(dst, sql.buf, &tail)) && !(rc = dj_db_prepare(src, last.buf, &s))) {
			int r = 0;
			while (dj_stmt_step(s) == DJ_ROW && r < k) {
				for (int i = 0; i < nc; i++) {
					int p = r * nc + i + 1;
					if (dj_stmt_is_null(s, i)) {
						dj_stmt_bind_null(tail, p);
					} else if (cols[i].blob) {
						size_t n;
						const void *b = dj_stmt_blob(s, i, &n);
						dj_stmt_bind_blob(tail, p, b, n);
					} else if (cols[i].integer) {
						dj_stmt_bind_int(tail, p, dj_stmt_int(s, i));
					} else {
						dj_stmt_bind_text(tail, p, dj_stmt_text(s, i));
					}
				}
				r++;
			}
			dj_stmt_reset(s);
			rc = r == k ? dj_stmt_exec(tail) : DJ_ERR_INTERNAL;
		}
		dj_strbuf_release(&last);
	} else if (ins) {
		dj_stmt_reset(ins);
	}
out:
	for (int i = 0; i < nc; i++)
		dj_free(cols[i].name);
	dj_strbuf_release(&sel);
	dj_strbuf_release(&head);
	dj_strbuf_release(&one);
	dj_strbuf_release(&sql);
	return rc;
}

dj_rc dj_db_copy(struct dj_db *src, struct dj_db *dst, void (*progress)(const char *table, int64_t rows, void *arg),
		 void *arg)
{
	struct dj_db_conn *r, *w;
	struct dj_stmt *s;
	char *tables[256];
	int nt = 0;
	dj_rc rc;
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
			if (count_rows(w, tables[i]) != 0)
				rc = DJ_ERR_CONFLICT; /* never delete audit rows */
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
		if (rc)
			dj_log_error("store_copy_failed", "table=%s err=\"%s\"", tables[i], dj_db_errmsg(w));
		else if (progress)
			progress(tables[i], rows, arg);
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

/* import.h — importing the member register from .xlsx/.csv: header mapping by Chinese labels,
 * a validating dry run that reports every bad row, an all-or-nothing commit as one batch, and
 * rolling a batch back. Progress is published for the UI and the CLI. */
#ifndef DJ_IMPORT_H
#define DJ_IMPORT_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/json.h"
#include "dj/pii.h"
#include "dj/scope.h"

#define DJ_IMPORT_MAX_ERRORS 1000 /* rows reported in detail; the count stays exact */

/** Written by the importer, read by other threads. phase: 0 parse, 1 validate, 2 commit, 3 done. */
struct dj_import_progress {
	atomic_int phase;
	atomic_llong processed;
	atomic_llong total;
};

struct dj_import_error {
	int64_t row;          /* spreadsheet row number */
	char column[64];      /* header label, "" for the whole row */
	char field[32];
	char message[256];
};

struct dj_import_result {
	bool dry_run;
	int64_t rows_total, rows_ok, rows_bad, batch_id;
	struct dj_import_error *errors; /* dj_malloc'd; n_errors ≤ DJ_IMPORT_MAX_ERRORS */
	size_t n_errors;
	char fatal[256];                /* a file-level problem (unreadable, no header ...) */
};

/** Import members into org_id's subtree (in sc). With dry_run nothing is written. Without it,
 *  the file is validated first and, only if every row is good, committed in one transaction as
 *  one batch (audited). DJ_ERR_INVALID when the file or rows are bad (see res). */
dj_rc dj_import_members(struct dj_db *db, const struct dj_pii *pii, const struct dj_scope *sc, const struct dj_actor *who,
			int64_t org_id, const char *data, size_t len, const char *file_name, bool dry_run,
			struct dj_import_progress *prog, struct dj_import_result *res);
/** Free res->errors. */
void dj_import_result_release(struct dj_import_result *res);
/** Write the result as JSON {dry_run, rows_total, rows_ok, rows_bad, batch_id, errors:[...], fatal}. */
void dj_import_result_write(const struct dj_import_result *res, struct dj_jw *w);

/** Soft-delete every member of a batch (in scope) and mark it rolled back; audited. */
dj_rc dj_import_rollback(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who, int64_t batch_id);
/** Batches in scope, newest first, as list items. */
dj_rc dj_import_batches(struct dj_db_conn *c, const struct dj_scope *sc, int64_t page, int64_t per_page, struct dj_jw *w,
			int64_t *total);
/** Write the import template (one header row of Chinese labels; required ones marked *) to an .xlsx at path. */
dj_rc dj_import_template(const char *path);

#endif

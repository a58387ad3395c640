/* model.h — entity descriptors and the generic code they drive: DDL, strict JSON unpacking and
 * validation, scoped list/filter/sort/page queries, reads and writes with audit, import/export
 * column mapping, and metadata for the UI (GET /api/v1/meta) and OpenAPI.
 *
 * A record type is a `static const struct dj_entity` plus its rules in lib/domain. */
#ifndef DJ_MODEL_H
#define DJ_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dj/alloc.h"
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/json.h"
#include "dj/pii.h"
#include "dj/scope.h"
#include "dj/strbuf.h"

enum dj_ftype {
	DJ_FT_TEXT,  /* UTF-8 text, max_len characters */
	DJ_FT_INT,   /* integer in [min, max] */
	DJ_FT_BOOL,  /* true/false (stored 0/1) */
	DJ_FT_DATE,  /* YYYY-MM-DD */
	DJ_FT_CODE,  /* a code from the code list `codes` */
	DJ_FT_REF,   /* id of a row of entity `ref` (must lie in the caller's scope) */
	DJ_FT_MONEY, /* integer 分 */
	DJ_FT_CODES, /* a set of codes from `codes`: JSON array, stored ",a,b,"; ?<name minus s>=code filters */
};

enum {
	DJ_FF_REQUIRED = 1 << 0,  /* must be present on create */
	DJ_FF_LIST = 1 << 1,      /* part of list items and exports */
	DJ_FF_FILTER = 1 << 2,    /* ?name=value equality filter */
	DJ_FF_SORT = 1 << 3,      /* ?sort=name / -name */
	DJ_FF_SEARCH = 1 << 4,    /* matched by ?q= (substring; works for 2-character names) */
	DJ_FF_PII = 1 << 5,       /* stored encrypted + blind index + mask; lists show the mask */
	DJ_FF_SERVER = 1 << 6,    /* set by the server (derived); not accepted from clients */
	DJ_FF_NOIMPORT = 1 << 7,  /* not a column of the import template */
	DJ_FF_FIXED = 1 << 8,     /* cannot be changed after create */
	DJ_FF_UNIQUE = 1 << 9,    /* unique (PII: on the blind index) */
};

struct dj_field {
	const char *name;   /* column and API name (GLOSSARY.md) */
	const char *label;  /* Chinese label (UI, import headers, errors) */
	enum dj_ftype type;
	unsigned flags;
	int max_len;        /* TEXT: characters (0 = 200) */
	int64_t min, max;   /* INT/MONEY range */
	const char *codes;  /* CODE: code list name */
	const char *ref;    /* REF: table name ("orgs", "members") */
	const char *hint;   /* UI hint */
};

/** An entity descriptor. Descriptors are static and never change: lib/model caches the SQL text
 * derived from one by its address for the life of the process. */
struct dj_entity {
	const char *name;    /* API name: "member" */
	const char *table;   /* "members" */
	const char *label;   /* "党员" */
	const struct dj_field *fields;
	size_t nfields;
	bool scoped;         /* has org_id + org_path, maintained by the generic code */
	bool soft_delete;    /* deleted_at + delete_reason; deleted rows are hidden */
	const char *parent;  /* child records: the parent table ("members") via parent_col */
	const char *parent_col;
	const char *self_col; /* column equal to the member's own id for the member role ("id" / "member_id") */
	const char *range_col; /* DATE field filtered by ?from=&to= (inclusive), or NULL */
};

/** A value of one field. Strings point into the request's JSON or the arena. */
struct dj_value {
	bool set;     /* present in the input */
	bool null;    /* explicitly null (clears an optional field) */
	int64_t i;    /* INT, BOOL, MONEY, REF */
	const char *s; /* TEXT, DATE, CODE */
};

/** Everything a model operation needs; all borrowed. pii may be NULL for entities without PII. */
struct dj_model_ctx {
	struct dj_db_conn *c;
	const struct dj_scope *sc;
	const struct dj_actor *who;
	const struct dj_pii *pii;
	struct dj_arena *a;
};

/** Validation failure details (Chinese message naming the field). */
struct dj_model_err {
	const char *field;
	char msg[512];
};

/** Index of a field by name, or -1. */
int dj_model_field(const struct dj_entity *e, const char *name);

/** CREATE TABLE + indexes for an entity (used by migrations). */
void dj_model_ddl(const struct dj_entity *e, struct dj_strbuf *sb);
/** DROP INDEX IF EXISTS for the code/flag filter indexes that dj_model_ddl no longer creates (a
 *  migration for databases made before it stopped). */
void dj_model_ddl_drop_filter_indexes(const struct dj_entity *e, struct dj_strbuf *sb);

/** Strict JSON → values (vals has e->nfields entries): unknown keys, wrong types, lengths,
 *  code lists, dates and (on create) required fields are checked. org_id is a REF field of
 *  scoped entities. DJ_ERR_INVALID with err filled. */
dj_rc dj_model_unpack(const struct dj_entity *e, const json_t *obj, bool create, struct dj_arena *a,
		      struct dj_value *vals, struct dj_model_err *err);

/** Text → value for imports: dates as YYYY-MM-DD, YYYY/M/D, YYYYMMDD, YYYY.M.D or an Excel
 *  serial number; codes by code or label; booleans 是/否/1/0/true/false. Empty text = unset. */
dj_rc dj_model_parse_text(const struct dj_field *f, const char *text, struct dj_arena *a, struct dj_value *v,
			  struct dj_model_err *err);

/** Insert a row (scope-checked: for scoped entities org_id must be in scope); PII fields are
 *  sealed, indexed and masked; audited "<entity>.create" with the masked row. */
dj_rc dj_model_insert(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_value *vals,
		      int64_t *id_out, struct dj_model_err *err);
/** Insert a child record (entity with a parent) under parent_id, which must be in scope. */
dj_rc dj_model_insert_child(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t parent_id,
			    const struct dj_value *vals, int64_t *id_out, struct dj_model_err *err);
/** A bulk insert of whole rows of one scoped entity, for imports: the INSERT text (every field,
 *  org_path, one extra integer column, created_at/updated_at) is built once by
 *  dj_model_bulk_init; unset fields are stored as NULL, as dj_model_insert leaves them.
 *  dj_model_bulk_insert does NOT check REF fields against the scope and does NOT audit: the
 *  caller has checked org_id/REFs against data it already holds (the import's org list) and
 *  audits the batch as a whole. Use only on the writer connection inside a transaction. */
#define DJ_MODEL_BULK_CHUNK 32 /* rows per INSERT statement in dj_model_bulk_rows_insert */
struct dj_model_bulk {
	const struct dj_entity *e;
	const char *extra_col; /* static SQL text */
	char *sql;       /* dj_malloc'd INSERT text for one row */
	char *sql_chunk; /* ... and for DJ_MODEL_BULK_CHUNK rows */
	char ts[26];     /* created_at/updated_at of every row of the batch */
};
#define DJ_MODEL_BULK_INIT { NULL, NULL, NULL, NULL, "" }
/** Build the INSERT text for e (scoped, no parent) with extra_col (static SQL text, e.g.
 *  "import_batch_id") as the last value column. */
void dj_model_bulk_init(struct dj_model_bulk *bk, const struct dj_entity *e, const char *extra_col);
/** Insert one row from vals (e->nfields entries; PII sealed, indexed and masked with x->pii)
 *  with org_path and the extra column's value. DJ_ERR_CONFLICT (err names the unique field)
 *  when a unique index refuses the row; other errors from the database. */
dj_rc dj_model_bulk_insert(const struct dj_model_ctx *x, const struct dj_model_bulk *bk, const struct dj_value *vals,
			   const char *org_path, int64_t extra, int64_t *id_out, struct dj_model_err *err);
/** Free the INSERT text; bk can be initialized again. */
void dj_model_bulk_release(struct dj_model_bulk *bk);

/** One row of a bulk insert made ready to bind: values copied, PII already sealed, indexed and
 *  masked. Filling (the CPU work) and inserting can run on different threads. */
#define DJ_MODEL_BULK_COLS 96
#define DJ_MODEL_BULK_ROW_BYTES (1u << 20) /* cap of one row's copied values */
struct dj_model_bulk_row {
	int n;
	struct {
		int kind; /* 0 null, 1 int, 2 text, 3 blob */
		int64_t i;
		size_t off, len; /* text/blob: bytes[off, off + len) */
	} v[DJ_MODEL_BULK_COLS];
	struct dj_strbuf bytes;
};
/** An empty row; release with dj_model_bulk_row_release. */
void dj_model_bulk_row_init(struct dj_model_bulk_row *r);
void dj_model_bulk_row_release(struct dj_model_bulk_row *r);
/** Fill r (its previous contents are dropped) as dj_model_bulk_insert would bind vals, org_path
 *  and extra. Uses x->pii only (no database). DJ_ERR_INTERNAL if PII is set without x->pii,
 *  DJ_ERR_TOOBIG over DJ_MODEL_BULK_COLS columns or DJ_MODEL_BULK_ROW_BYTES bytes. */
dj_rc dj_model_bulk_row_fill(const struct dj_model_ctx *x, const struct dj_model_bulk *bk, const struct dj_value *vals,
			     const char *org_path, int64_t extra, struct dj_model_bulk_row *r);
/** Insert a filled row on c; results as dj_model_bulk_insert. */
dj_rc dj_model_bulk_row_insert(struct dj_db_conn *c, const struct dj_model_bulk *bk, const struct dj_model_bulk_row *r,
			       int64_t *id_out, struct dj_model_err *err);
/** Insert n (1..DJ_MODEL_BULK_CHUNK) filled rows with one multi-row INSERT: one statement's
 *  overhead for n rows. All or none: on DJ_ERR_CONFLICT nothing of the n rows is kept (the
 *  statement is undone) and the caller can insert them one by one to find the refused row. */
dj_rc dj_model_bulk_rows_insert(struct dj_db_conn *c, const struct dj_model_bulk *bk,
				const struct dj_model_bulk_row *const *rows, size_t n, struct dj_model_err *err);
/** Update the set fields of row id in scope; audited with masked before/after. */
dj_rc dj_model_update(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id,
		      const struct dj_value *vals, struct dj_model_err *err);
/** Soft delete with a reason (entities with soft_delete), audited. */
dj_rc dj_model_delete(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, const char *reason);

/** Write one row in scope as JSON. PII fields show their mask unless reveal (then the
 *  clear value, and the caller must audit the reveal). DJ_ERR_NOTFOUND outside scope. */
dj_rc dj_model_get(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, bool reveal, struct dj_jw *w);
/** The parent id (parent_col) of a child row in scope. */
dj_rc dj_model_parent_of(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, int64_t *parent);
/** Read the org_path (scoped entities) of a row in scope, into the arena. */
dj_rc dj_model_row_path(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, const char **path);

/** A list request, parsed from the query string by dj_model_list_query_parse. */
struct dj_list_query {
	int64_t org_id;       /* 0 = whole scope */
	bool subtree;         /* with org_id: the org's subtree (default) or only the org itself */
	int64_t parent_id;    /* child entities: the parent row */
	const char *q;        /* substring search over SEARCH fields */
	const char *filter_val[64]; /* per field index, NULL = no filter */
	int sort_field;       /* -1 = id */
	bool sort_desc;
	int64_t page, per_page;
	bool include_deleted;
	const char *from, *to; /* on e->range_col */
};
/** Looks up a request parameter by name (NULL if absent). */
typedef const char *(*dj_param_fn)(const void *src, const char *name);
/** Fill q from request parameters: org_id, subtree (1/0, default 1), q, sort (name or -name),
 *  page, per_page (≤200) and one equality filter per FILTER field. Bad values →
 *  DJ_ERR_INVALID naming the parameter. */
dj_rc dj_model_list_query_parse(const struct dj_entity *e, dj_param_fn param, const void *src,
				struct dj_list_query *q, struct dj_model_err *err);
/** Scoped list: writes list items (LIST fields + id, org_id) into w inside an open array;
 *  *total gets the match count. An org_id outside the scope answers DJ_ERR_NOTFOUND. */
dj_rc dj_model_list(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_list_query *q,
		    struct dj_jw *w, int64_t *total);
/** Iterate all matching rows (no paging) for exports: calls row(cb_arg, texts) with one
 *  display string per LIST field (codes as labels, PII masked unless reveal). */
typedef dj_rc (*dj_model_row_fn)(void *arg, const char *const *cells, size_t n);
dj_rc dj_model_export(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_list_query *q,
		      bool reveal, dj_model_row_fn row, void *arg);

/** Describe an entity for the UI: {"name","label","fields":[{name,label,type,required,...}]}. */
void dj_model_meta(const struct dj_entity *e, struct dj_jw *w);
/** OpenAPI schema object for an entity. */
void dj_model_schema(const struct dj_entity *e, struct dj_jw *w);

#endif

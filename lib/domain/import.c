/* import.c — member import from .xlsx/.csv: map headers, validate every row (dry run), then
 * commit all rows as one audited batch in one transaction; roll a batch back as a whole. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/log.h"
#include "dj/io.h"
#include "dj/import.h"
#include "dj/member.h"
#include "dj/org.h"
#include "dj/slice.h"
#include "dj/banned.h"

#define MAXF 64

/* One pass over the file: maps headers, turns cells into values, applies the member rules.
 * Without a dry run the same pass also writes each good row (inside the import's transaction)
 * until the first bad row; from there on it only validates, so the report lists every bad row. */
struct pass {
	struct dj_model_ctx *x;
	struct dj_db_conn *reader;  /* for duplicate checks against the database */
	struct dj_table *t;
	int col_field[DJ_MAX_IMPORT_COLS]; /* field index per column, -1 = ignored */
	const char *col_label[DJ_MAX_IMPORT_COLS];
	struct dj_arena labels; /* header labels live for the whole pass (rows use x->a, released per row) */
	size_t ncols;
	int64_t target_org;
	const char *target_path;
	/* orgs of the target subtree, for the 所属党组织/所在党小组 columns (name or id), the
	 * org_path of every row and the 党小组 rule (ORG-13) — no query per row */
	struct org_ref {
		int64_t id, parent_id;
		char *name, *path;
		bool group;
	} *orgs;
	size_t norgs;
	int32_t *by_id, *by_name; /* open addressing: index into orgs + 1, 0 = empty; by_name -1 = ambiguous */
	size_t map_cap;
	int fi_org, fi_group, fi_idn; /* field indexes */
	/* 身份证号 seen in this file (64-bit hashes) */
	uint64_t *seen;
	size_t seen_cap, seen_n;
	/* writing (no dry run, no bad row yet): this thread checks and seals, the writer thread
	 * (the caller's, which holds the transaction) inserts; rows go through the pipe */
	bool write;
	struct dj_model_bulk bulk;
	struct pipe *pipe;
	int64_t batch_id, n_written; /* the writer's */
	int64_t first_id, last_id;   /* of the batch's members, read back at the end */
	char sha[DJ_TOKEN_HEX + 1]; /* of the file, for the batch's audit entry (the checker's) */
	struct dj_member_counts acc; /* the written rows' count deltas (the writer's), flushed once */
	int fi_fact[7];              /* status, sex, birth_date, category, education, occupation, joined_on */
	struct dj_import_progress *prog;
	bool load_decided;      /* the writer looked at the load's size (load_mode) */
	struct dj_strbuf idx_ddl; /* members' indexes dropped for a large load, rebuilt before commit */
};

/* The rows between the two threads: a ring of filled rows, taken in order. A slot with
 * org == NULL means "no more rows" (end of file, or the first bad row: nothing is written). */
#define PIPE_SLOTS 256
struct slot {
	struct org_ref *org;
	int64_t row;
	struct dj_member_facts facts; /* what the row adds to the pre-aggregated counts */
	struct dj_model_bulk_row r;
};
struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t can_put, can_take;
	struct slot slots[PIPE_SLOTS];
	size_t head, count;        /* the writer takes slots[head]; count are filled */
	bool ended;                /* the end marker is in the ring */
	bool bad;                  /* the checker found a bad row (the writer can roll back at once) */
	atomic_bool writer_failed; /* the writer could not insert a row: the checker stops sending */
	dj_rc wrc;                 /* the writer's error ... */
	int64_t wrow;              /* ... at this row */
	struct dj_model_err werr;
};

static uint64_t hash64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* Returns true if h was already present. */
static bool seen_add(struct pass *p, uint64_t h)
{
	if (p->seen_n * 2 >= p->seen_cap) {
		size_t cap = p->seen_cap ? p->seen_cap * 2 : 4096;
		uint64_t *n = dj_calloc(cap, sizeof(*n));
		for (size_t i = 0; i < p->seen_cap; i++)
			if (p->seen[i])
				for (size_t k = p->seen[i] % cap;; k = (k + 1) % cap)
					if (!n[k]) {
						n[k] = p->seen[i];
						break;
					}
		dj_free(p->seen);
		p->seen = n;
		p->seen_cap = cap;
	}
	for (size_t k = h % p->seen_cap;; k = (k + 1) % p->seen_cap) {
		if (p->seen[k] == h)
			return true;
		if (!p->seen[k]) {
			p->seen[k] = h;
			p->seen_n++;
			return false;
		}
	}
}

static void add_error(struct dj_import_result *res, int64_t row, const char *column, const char *field,
		      const char *msg)
{
	res->rows_bad++;
	if (res->n_errors >= DJ_IMPORT_MAX_ERRORS)
		return;
	if (!res->errors)
		res->errors = dj_calloc(DJ_IMPORT_MAX_ERRORS, sizeof(*res->errors));
	struct dj_import_error *e = &res->errors[res->n_errors++];
	e->row = row;
	snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	snprintf(e->message, sizeof(e->message), "%s", msg);
}

static uint64_t hash_id(int64_t id)
{
	return (uint64_t)id * 0x9E3779B97F4A7C15ULL;
}

/* Fill the id and name maps (cap: a power of two ≥ 2 × norgs). */
static void index_orgs(struct pass *p)
{
	size_t cap = 64;
	while (cap < p->norgs * 2)
		cap *= 2;
	p->map_cap = cap;
	p->by_id = dj_calloc(cap, sizeof(*p->by_id));
	p->by_name = dj_calloc(cap, sizeof(*p->by_name));
	for (size_t i = 0; i < p->norgs; i++) {
		size_t k;
		for (k = hash_id(p->orgs[i].id) & (cap - 1); p->by_id[k]; k = (k + 1) & (cap - 1))
			;
		p->by_id[k] = (int32_t)i + 1;
		for (k = hash64(p->orgs[i].name) & (cap - 1); p->by_name[k]; k = (k + 1) & (cap - 1))
			if (p->by_name[k] > 0 && strcmp(p->orgs[p->by_name[k] - 1].name, p->orgs[i].name) == 0)
				break;
		p->by_name[k] = p->by_name[k] ? -1 : (int32_t)i + 1;
	}
}

static const struct org_ref *org_by_id(const struct pass *p, int64_t id)
{
	for (size_t k = hash_id(id) & (p->map_cap - 1); p->by_id[k]; k = (k + 1) & (p->map_cap - 1))
		if (p->orgs[p->by_id[k] - 1].id == id)
			return &p->orgs[p->by_id[k] - 1];
	return NULL;
}

static dj_rc load_orgs(struct pass *p, struct dj_db_conn *c)
{
	struct dj_stmt *s;
	struct dj_scope sub;
	size_t cap = 0;
	dj_scope_set_path(&sub, p->target_path);
	dj_rc rc = dj_db_prepare(c, "SELECT id, name, path, kind = 'group', parent_id FROM orgs WHERE path >= ? AND path < ?",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	while (dj_stmt_step(s) == DJ_ROW) {
		if (p->norgs == cap) {
			cap = cap ? cap * 2 : 256;
			p->orgs = dj_realloc(p->orgs, cap * sizeof(*p->orgs));
		}
		struct org_ref *o = &p->orgs[p->norgs++];
		memset(o, 0, sizeof(*o));
		o->id = dj_stmt_int(s, 0);
		o->name = dj_strdup(dj_stmt_text(s, 1));
		o->path = dj_strdup(dj_stmt_text(s, 2));
		o->group = dj_stmt_int(s, 3) != 0;
		o->parent_id = dj_stmt_is_null(s, 4) ? 0 : dj_stmt_int(s, 4);
	}
	dj_stmt_reset(s);
	index_orgs(p);
	return DJ_OK;
}

/* "所属党组织" cell: an org id or an exact, unique name inside the target subtree. */
static int64_t resolve_org(const struct pass *p, const char *text, const char **why)
{
	int64_t id = 0;
	if (dj_parse_int_str(text, 1, INT64_MAX, &id) == DJ_OK) {
		if (org_by_id(p, id))
			return id;
		*why = "党组织 id 不在导入目标组织的范围内";
		return 0;
	}
	for (size_t k = hash64(text) & (p->map_cap - 1); p->by_name[k]; k = (k + 1) & (p->map_cap - 1)) {
		int32_t i = p->by_name[k];
		if (i < 0) {
			/* a name shared by several orgs: is it this one? */
			size_t same = 0;
			for (size_t j = 0; j < p->norgs; j++)
				same += strcmp(p->orgs[j].name, text) == 0;
			if (same > 1) {
				*why = "党组织名称不唯一，请改填组织 id";
				return 0;
			}
			continue;
		}
		if (strcmp(p->orgs[i - 1].name, text) == 0)
			return p->orgs[i - 1].id;
	}
	*why = "在导入目标组织范围内找不到该党组织";
	return 0;
}

static dj_rc map_header(struct pass *p, const char *const *cells, size_t n, char *err, size_t errlen)
{
	p->ncols = n;
	bool have[MAXF] = { false };
	for (size_t c = 0; c < n; c++) {
		char label[128];
		snprintf(label, sizeof(label), "%s", cells[c]);
		/* The template marks required columns with a trailing "*". */
		size_t l = strlen(label);
		while (l && (label[l - 1] == '*' || label[l - 1] == ' '))
			label[--l] = '\0';
		p->col_field[c] = -1;
		p->col_label[c] = dj_arena_strdup(&p->labels, label);
		for (size_t f = 0; f < dj_member_entity.nfields; f++) {
			const struct dj_field *fd = &dj_member_entity.fields[f];
			if (fd->flags & (DJ_FF_SERVER | DJ_FF_NOIMPORT))
				continue;
			if (strcmp(fd->label, label) == 0 || strcmp(fd->name, label) == 0) {
				if (have[f]) {
					snprintf(err, errlen, "表头第 %zu 列“%s”重复", c + 1, label);
					return DJ_ERR_INVALID;
				}
				p->col_field[c] = (int)f;
				have[f] = true;
			}
		}
	}
	for (size_t f = 0; f < dj_member_entity.nfields; f++) {
		const struct dj_field *fd = &dj_member_entity.fields[f];
		if ((fd->flags & DJ_FF_REQUIRED) && strcmp(fd->name, "org_id") != 0 && !have[f]) {
			snprintf(err, errlen, "表头缺少必填列“%s”（请使用导入模板）", fd->label);
			return DJ_ERR_INVALID;
		}
	}
	return DJ_OK;
}

/* Validate one data row into vals; false (with errors added) if bad. */
static bool check_row(struct pass *p, const char *const *cells, size_t n, int64_t row, struct dj_value *vals,
		      struct dj_import_result *res)
{
	struct dj_model_err err = { 0 };
	bool ok = true;
	memset(vals, 0, sizeof(*vals) * dj_member_entity.nfields);
	for (size_t c = 0; c < n && c < p->ncols; c++) {
		int f = p->col_field[c];
		if (f < 0 || !cells[c][0])
			continue;
		const struct dj_field *fd = &dj_member_entity.fields[f];
		if (f == p->fi_org || f == p->fi_group) {
			const char *why = NULL;
			int64_t id = resolve_org(p, cells[c], &why);
			if (!id) {
				add_error(res, row, p->col_label[c], fd->name, why);
				ok = false;
				continue;
			}
			vals[f].set = true;
			vals[f].i = id;
			continue;
		}
		if (dj_model_parse_text(fd, cells[c], p->x->a, &vals[f], &err)) {
			add_error(res, row, p->col_label[c], fd->name, err.msg);
			ok = false;
		}
	}
	if (!vals[p->fi_org].set) {
		vals[p->fi_org].set = true;
		vals[p->fi_org].i = p->target_org;
	}
	if (!ok)
		return false;
	for (size_t f = 0; f < dj_member_entity.nfields; f++) {
		const struct dj_field *fd = &dj_member_entity.fields[f];
		if ((fd->flags & DJ_FF_REQUIRED) && !vals[f].set) {
			char msg[128];
			snprintf(msg, sizeof(msg), "缺少必填项：%s", fd->label);
			add_error(res, row, fd->label, fd->name, msg);
			return false;
		}
	}
	if (dj_member_check(vals, NULL, p->x->a, &err)) {
		int f = dj_model_field(&dj_member_entity, err.field);
		add_error(res, row, f >= 0 ? dj_member_entity.fields[f].label : "", err.field, err.msg);
		return false;
	}
	/* ORG-13: a member's 党小组 is a group directly under the member's own org (the same rule
	 * dj_member_create checks with a query, here from the org list). */
	if (vals[p->fi_group].set) {
		const struct org_ref *g = org_by_id(p, vals[p->fi_group].i);
		if (!g || !g->group || g->parent_id != vals[p->fi_org].i) {
			add_error(res, row, dj_member_entity.fields[p->fi_group].label, "party_group_id",
				  "所在党小组须是该党员所在党组织下设的党小组");
			return false;
		}
	}
	const char *idn = vals[p->fi_idn].s;
	if (seen_add(p, hash64(idn))) {
		add_error(res, row, "身份证号", "id_number", "身份证号与本文件中前面的行重复");
		return false;
	}
	/* Inside the import's write transaction nobody else commits, so the reader sees what the
	 * writer started from; the unique index on the blind index stays the last word. */
	if (p->x->pii) {
		char bidx[DJ_PII_BIDX_HEX + 1];
		struct dj_stmt *s;
		dj_pii_blind(p->x->pii, idn, bidx);
		if (dj_db_prepare(p->reader, "SELECT 1 FROM members WHERE id_number_bidx = ? AND deleted_at IS NULL", &s) ==
		    DJ_OK) {
			dj_stmt_bind_text(s, 1, bidx);
			bool exists = dj_stmt_step(s) == DJ_ROW;
			dj_stmt_reset(s);
			if (exists) {
				add_error(res, row, "身份证号", "id_number", "该身份证号的党员已在花名册中");
				return false;
			}
		}
	}
	return true;
}

/* A free slot to fill (blocks while the writer is a whole ring behind). */
static struct slot *pipe_claim(struct pipe *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == PIPE_SLOTS)
		pthread_cond_wait(&q->can_put, &q->mu);
	struct slot *sl = &q->slots[(q->head + q->count) % PIPE_SLOTS];
	pthread_mutex_unlock(&q->mu);
	return sl; /* the writer does not look at it until pipe_put */
}

/* The claimed slot is filled (end: with the end marker). The writer waits for a whole chunk. */
static void pipe_put(struct pipe *q, bool end)
{
	pthread_mutex_lock(&q->mu);
	q->count++;
	q->ended |= end;
	if (q->count >= DJ_MODEL_BULK_CHUNK || q->ended)
		pthread_cond_signal(&q->can_take);
	pthread_mutex_unlock(&q->mu);
}

/* No more rows for the writer; bad: because of a bad row (roll back). */
static void stop_writing(struct pass *p, struct dj_import_progress *prog, bool bad)
{
	if (!p->write)
		return;
	struct slot *sl = pipe_claim(p->pipe);
	sl->org = NULL;
	pthread_mutex_lock(&p->pipe->mu);
	p->pipe->bad = bad;
	pthread_mutex_unlock(&p->pipe->mu);
	pipe_put(p->pipe, true);
	p->write = false;
	if (bad)
		atomic_store(&prog->phase, 1);
}

/* Hand a good row to the writer: sealed and bound here, with its org for the counts. */
static dj_rc send_row(struct pass *p, struct dj_value *vals, int64_t row)
{
	struct org_ref *o = (struct org_ref *)(uintptr_t)org_by_id(p, vals[p->fi_org].i);
	if (!o)
		return DJ_ERR_INTERNAL; /* resolve_org only returns orgs of the list */
	struct slot *sl = pipe_claim(p->pipe);
	dj_rc rc = dj_model_bulk_row_fill(p->x, &p->bulk, vals, o->path, p->batch_id, &sl->r);
	if (rc)
		return rc; /* the slot stays free */
	sl->org = o;
	sl->row = row;
	const char *f[7];
	for (int i = 0; i < 7; i++) {
		const struct dj_value *v = &vals[p->fi_fact[i]];
		f[i] = v->set && !v->null ? v->s : NULL;
	}
	dj_member_facts_set(&sl->facts, o->path, f[0], false, f[1], f[2], f[3], f[4], f[5], f[6]);
	pipe_put(p->pipe, false);
	return DJ_OK;
}

/* Insert n rows with one statement; if the register refuses one, find it row by row (the
 * statement was undone as a whole). */
static void write_chunk(struct pass *p, struct dj_db_conn *c, struct slot *const *sl, size_t n)
{
	struct pipe *q = p->pipe;
	const struct dj_model_bulk_row *rows[DJ_MODEL_BULK_CHUNK];
	size_t bad = 0;
	for (size_t j = 0; j < n; j++)
		rows[j] = &sl[j]->r;
	dj_rc rc = dj_model_bulk_rows_insert(c, &p->bulk, rows, n, &q->werr);
	if (rc == DJ_ERR_CONFLICT && n > 1) {
		dj_rc one = DJ_OK;
		for (bad = 0; bad < n && !one; bad++) {
			int64_t id;
			one = dj_model_bulk_row_insert(c, &p->bulk, rows[bad], &id, &q->werr);
		}
		if (one)
			rc = one;
		bad = one ? bad - 1 : 0; /* no single row refused: name the chunk's first */
	}
	if (rc) {
		q->wrc = rc;
		q->wrow = sl[bad]->row;
		atomic_store(&q->writer_failed, true);
		return;
	}
	p->n_written += (int64_t)n;
	/* here, not on the checker's thread, which is the slower one while rows come in */
	for (size_t j = 0; j < n; j++)
		dj_member_counts_add(&p->acc, NULL, &sl[j]->facts);
}

/* A load that is large next to the register — at least LOAD_MIN_ROWS rows and a quarter of the
 * member ids already given — goes in without the members' secondary indexes, which are rebuilt before
 * commit: a sort per index instead of a B-tree insert per row and index (bench/notes.md, item 6;
 * 1,000,000 rows into the county: ~29 s with the indexes, ~5 s without plus ~6 s to rebuild them).
 * The checker's duplicate lookups read the committed register, which keeps its indexes throughout. */
#define LOAD_MIN_ROWS 10000
static void load_mode(struct pass *p, struct dj_db_conn *c, struct slot *first)
{
	struct dj_stmt *s;
	int64_t rows = atomic_load(&p->prog->total), ids = 0;
	dj_rc rc;
	p->load_decided = true;
	if (rows < LOAD_MIN_ROWS)
		return;
	if ((rc = dj_db_prepare(c, "SELECT MAX(id) FROM members", &s)) == DJ_OK) {
		if ((rc = dj_stmt_step(s)) == DJ_ROW)
			ids = dj_stmt_int(s, 0);
		dj_stmt_reset(s);
		rc = rc == DJ_ROW ? DJ_OK : rc;
	}
	if (!rc && rows * 4 >= ids)
		rc = dj_db_indexes_suspend(c, "members", &p->idx_ddl);
	if (rc) {
		p->pipe->wrc = rc;
		p->pipe->wrow = first->row;
		atomic_store(&p->pipe->writer_failed, true);
	}
}

/* The writer: inserts the rows in order, a chunk per statement, until the end marker; counts
 * per org in memory. After a failed insert it only drains the pipe. */
static void write_rows(struct pass *p, struct dj_db_conn *c)
{
	struct pipe *q = p->pipe;
	struct slot *taken[DJ_MODEL_BULK_CHUNK];
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->count < DJ_MODEL_BULK_CHUNK && !q->ended)
			pthread_cond_wait(&q->can_take, &q->mu);
		size_t avail = q->count, head = q->head;
		pthread_mutex_unlock(&q->mu);
		size_t n = 0, used = 0;
		bool end = false;
		while (used < avail && n < DJ_MODEL_BULK_CHUNK && !end) {
			struct slot *sl = &q->slots[(head + used++) % PIPE_SLOTS];
			if (sl->org)
				taken[n++] = sl;
			else
				end = true;
		}
		if (n && !p->load_decided)
			load_mode(p, c, taken[0]);
		if (n && !q->wrc)
			write_chunk(p, c, taken, n);
		pthread_mutex_lock(&q->mu);
		q->head = (q->head + used) % PIPE_SLOTS;
		q->count -= used;
		pthread_cond_signal(&q->can_put);
		pthread_mutex_unlock(&q->mu);
		if (end)
			return;
	}
}

/* The counts of the written rows (org_stats and the statistics' facets), summed in memory while
 * writing: the only place the import maintains counts, one flush at the end of its transaction. */
static dj_rc flush_counts(struct pass *p)
{
	return dj_member_counts_flush(&p->acc, p->x->c);
}

/* Reads the file once: header, then each row through check_row and, while writing, to the writer. */
static dj_rc run_pass(struct pass *p, const char *data, size_t len, struct dj_import_result *res,
		      struct dj_import_progress *prog)
{
	const char *const *cells;
	size_t n;
	char err[256];
	struct dj_value vals[MAXF];
	bool header = false;
	dj_rc rc = dj_table_open(data, len, &p->t, err, sizeof(err));
	if (rc) {
		snprintf(res->fatal, sizeof(res->fatal), "%s", err);
		stop_writing(p, prog, true);
		return DJ_ERR_INVALID;
	}
	atomic_store(&prog->total, dj_table_rows_hint(p->t, data, len));
	for (;;) {
		rc = dj_table_next(p->t, &cells, &n, err, sizeof(err));
		if (rc == DJ_DONE) {
			rc = DJ_OK;
			break;
		}
		if (rc != DJ_ROW) {
			snprintf(res->fatal, sizeof(res->fatal), "%s", err);
			rc = DJ_ERR_INVALID;
			break;
		}
		size_t nonempty = 0;
		for (size_t i = 0; i < n; i++)
			nonempty += cells[i][0] != '\0';
		if (!nonempty)
			continue;
		if (!header) {
			if ((rc = map_header(p, cells, n, res->fatal, sizeof(res->fatal))))
				break;
			header = true;
			continue;
		}
		int64_t row = (int64_t)dj_table_row(p->t);
		res->rows_total++;
		if (res->rows_total > DJ_MAX_IMPORT_ROWS) {
			snprintf(res->fatal, sizeof(res->fatal), "数据行超过上限 %d 行", DJ_MAX_IMPORT_ROWS);
			rc = DJ_ERR_TOOBIG;
			break;
		}
		if (p->write && atomic_load(&p->pipe->writer_failed))
			stop_writing(p, prog, true);
		if (check_row(p, cells, n, row, vals, res)) {
			res->rows_ok++;
			if (p->write && (rc = send_row(p, vals, row)))
				break;
		} else {
			stop_writing(p, prog, true);
		}
		atomic_store(&prog->processed, res->rows_total);
		dj_arena_release(p->x->a);
	}
	if (!rc && !header) {
		snprintf(res->fatal, sizeof(res->fatal), "文件中没有表头和数据行");
		rc = DJ_ERR_INVALID;
	}
	stop_writing(p, prog, rc != DJ_OK);
	dj_table_free(p->t);
	p->t = NULL;
	return rc;
}

/* Keeps the report in row order when the writer's error comes after the checker's. */
static void add_error_in_order(struct dj_import_result *res, int64_t row, const char *column, const char *field,
			       const char *msg)
{
	size_t n0 = res->n_errors;
	add_error(res, row, column, field, msg);
	if (res->n_errors == n0)
		return;
	struct dj_import_error e = res->errors[n0];
	size_t i = n0;
	for (; i > 0 && res->errors[i - 1].row > row; i--)
		res->errors[i] = res->errors[i - 1];
	res->errors[i] = e;
}

struct checker {
	struct pass *p;
	const char *data;
	size_t len;
	struct dj_import_result *res;
	struct dj_import_progress *prog;
	dj_rc rc;
};

static void *checker_main(void *arg)
{
	struct checker *k = arg;
	k->rc = run_pass(k->p, k->data, k->len, k->res, k->prog);
	/* here, not on the writer's thread, which is the slower one */
	dj_auth_sha256_hex(k->data, k->len, k->p->sha);
	return NULL;
}

/* The committing pass on two threads: a checker thread parses, checks and seals each row
 * (run_pass), this thread inserts them (write_rows) on the transaction's connection. */
static dj_rc run_writing(struct pass *p, const char *data, size_t len, struct dj_import_result *res,
			 struct dj_import_progress *prog)
{
	struct pipe *q = dj_calloc(1, sizeof(*q));
	struct checker k = { p, data, len, res, prog, DJ_OK };
	pthread_t th;
	dj_rc rc;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->can_put, NULL);
	pthread_cond_init(&q->can_take, NULL);
	for (size_t i = 0; i < PIPE_SLOTS; i++)
		dj_model_bulk_row_init(&q->slots[i].r);
	p->pipe = q;
	if (pthread_create(&th, NULL, checker_main, &k)) {
		rc = DJ_ERR_INTERNAL;
		goto out;
	}
	write_rows(p, p->x->c);
	/* After a bad row the checker may check on for a while: give the write lock back now. */
	if (q->bad || q->wrc) {
		dj_db_rollback(p->x->c);
		p->x->c = NULL;
	}
	pthread_join(th, NULL);
	rc = k.rc;
	if (q->wrc == DJ_ERR_CONFLICT) {
		/* the unique index refused a row the checker passed: the same report as the check */
		const char *f = q->werr.field;
		int fi = f ? dj_model_field(&dj_member_entity, f) : -1;
		bool idn = fi == p->fi_idn;
		add_error_in_order(res, q->wrow, fi >= 0 ? dj_member_entity.fields[fi].label : "", f,
				   idn ? "该身份证号的党员已在花名册中" : q->werr.msg);
		res->rows_ok--;
	} else if (q->wrc && !rc) {
		rc = q->wrc;
	}
out:
	for (size_t i = 0; i < PIPE_SLOTS; i++)
		dj_model_bulk_row_release(&q->slots[i].r);
	pthread_cond_destroy(&q->can_take);
	pthread_cond_destroy(&q->can_put);
	pthread_mutex_destroy(&q->mu);
	dj_free(q);
	p->pipe = NULL;
	return rc;
}

static void pass_release(struct pass *p)
{
	for (size_t i = 0; i < p->norgs; i++) {
		dj_free(p->orgs[i].name);
		dj_free(p->orgs[i].path);
	}
	dj_free(p->orgs);
	dj_free(p->by_id);
	dj_free(p->by_name);
	dj_free(p->seen);
	dj_arena_release(&p->labels);
	dj_model_bulk_release(&p->bulk);
	dj_member_counts_release(&p->acc);
	dj_strbuf_release(&p->idx_ddl);
	p->orgs = NULL;
	p->by_id = p->by_name = NULL;
	p->seen = NULL;
	p->norgs = p->seen_n = p->seen_cap = p->map_cap = 0;
}

static void *seal_main(void *acc)
{
	dj_member_counts_seal(acc);
	return NULL;
}

/* After a large load: the members' indexes rebuilt (load_mode), and meanwhile on another thread the
 * counts made ready to flush. */
static dj_rc rebuild_indexes(struct pass *p)
{
	pthread_t th;
	if (!p->idx_ddl.len)
		return DJ_OK;
	bool threaded = pthread_create(&th, NULL, seal_main, &p->acc) == 0;
	dj_rc rc = dj_db_indexes_rebuild(p->x->c, &p->idx_ddl);
	if (threaded)
		pthread_join(th, NULL);
	return rc;
}

/* The batch row, before the members that point at it (the counts are set at the end). */
static dj_rc insert_batch(struct pass *p, int64_t org_id, const char *file_name)
{
	struct dj_stmt *s;
	char ts[26];
	const struct dj_actor *who = p->x->who;
	dj_rc rc = dj_db_prepare(p->x->c, "INSERT INTO import_batches(kind, org_id, org_path, file_name, rows_total,"
				 " rows_imported, created_by, created_at) VALUES ('members', ?, ?, ?, 0, 0, ?, ?)", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_text(s, 2, p->target_path);
	dj_stmt_bind_text(s, 3, file_name);
	if (who->user_id)
		dj_stmt_bind_int(s, 4, who->user_id);
	dj_stmt_bind_text(s, 5, dj_time_rfc3339(dj_time_now(), ts));
	if ((rc = dj_stmt_exec(s)))
		return rc;
	p->batch_id = dj_db_last_id(p->x->c);
	return DJ_OK;
}

/* Counts, the batch's row numbers and its audit entry; then commit. The entry names the file
 * (SHA-256) and the members created (count and id range; every one carries import_batch_id),
 * in place of an entry per member. */
static dj_rc finish_batch(struct pass *p, int64_t org_id, const struct dj_import_result *res)
{
	struct dj_stmt *s;
	char after[512];
	dj_rc rc = flush_counts(p);
	if (rc)
		return rc;
	/* the id range, read back (two index seeks on members_import_batch) */
	if ((rc = dj_db_prepare(p->x->c, "SELECT (SELECT MIN(id) FROM members WHERE import_batch_id = ?),"
				 " (SELECT MAX(id) FROM members WHERE import_batch_id = ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, p->batch_id);
	dj_stmt_bind_int(s, 2, p->batch_id);
	if (dj_stmt_step(s) == DJ_ROW) {
		p->first_id = dj_stmt_int(s, 0);
		p->last_id = dj_stmt_int(s, 1);
	}
	dj_stmt_reset(s);
	if ((rc = dj_db_prepare(p->x->c, "UPDATE import_batches SET rows_total = ?, rows_imported = ? WHERE id = ?", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, res->rows_total);
	dj_stmt_bind_int(s, 2, res->rows_ok);
	dj_stmt_bind_int(s, 3, p->batch_id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	snprintf(after, sizeof(after),
		 "{\"batch_id\":%lld,\"org_id\":%lld,\"rows\":%lld,\"file_sha256\":\"%s\",\"members_created\":%lld,"
		 "\"first_member_id\":%lld,\"last_member_id\":%lld}",
		 (long long)p->batch_id, (long long)org_id, (long long)res->rows_ok, p->sha, (long long)p->n_written,
		 (long long)p->first_id, (long long)p->last_id);
	struct dj_audit_entry e = { "import.members", "import_batch", p->batch_id, p->target_path, NULL, after };
	return dj_audit_append(p->x->c, p->x->who, &e);
}

dj_rc dj_import_members(struct dj_db *db, const struct dj_pii *pii, const struct dj_scope *sc, const struct dj_actor *who,
			int64_t org_id, const char *data, size_t len, const char *file_name, bool dry_run,
			struct dj_import_progress *prog, struct dj_import_result *res)
{
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_model_ctx x = { NULL, sc, who, pii, &a };
	struct pass p;
	struct dj_org target;
	dj_rc rc;
	memset(&p, 0, sizeof(p));
	memset(res, 0, sizeof(*res));
	res->dry_run = dry_run;
	p.x = &x;
	p.prog = prog;
	dj_strbuf_init(&p.idx_ddl, 0);
	p.target_org = org_id;
	p.fi_org = dj_model_field(&dj_member_entity, "org_id");
	p.fi_group = dj_model_field(&dj_member_entity, "party_group_id");
	p.fi_idn = dj_model_field(&dj_member_entity, "id_number");
	static const char *const facts[7] = { "status", "sex", "birth_date", "category", "education", "occupation",
					      "joined_on" };
	for (int i = 0; i < 7; i++)
		p.fi_fact[i] = dj_model_field(&dj_member_entity, facts[i]);
	if ((rc = dj_db_reader(db, &p.reader)))
		return rc;
	/* Without a dry run, validate and write in one pass inside one transaction: nothing can
	 * change between the checks and the writes, and the orgs are read inside it too. */
	if (!dry_run) {
		if ((rc = dj_db_begin(db, &x.c)))
			goto out;
		p.write = true;
	}
	rc = dj_org_get(p.write ? x.c : p.reader, sc, org_id, &a, &target);
	if (rc) {
		snprintf(res->fatal, sizeof(res->fatal), "导入目标党组织不存在或不在您的管理范围内");
		goto out;
	}
	p.target_path = dj_strdup(target.path);
	if ((rc = load_orgs(&p, p.write ? x.c : p.reader)))
		goto out;
	if (p.write) {
		if ((rc = insert_batch(&p, org_id, file_name)))
			goto out;
		dj_model_bulk_init(&p.bulk, &dj_member_entity, "import_batch_id");
	}
	atomic_store(&prog->phase, p.write ? 2 : 1);
	int64_t t_rows = dj_time_mono_ms(), t_index = 0, t_counts = 0, t_commit = 0;
	rc = p.write ? run_writing(&p, data, len, res, prog) : run_pass(&p, data, len, res, prog);
	atomic_store(&prog->total, res->rows_total);
	if (rc || res->rows_bad || dry_run) {
		if (!rc && res->rows_bad)
			rc = DJ_ERR_INVALID;
		goto out;
	}
	if (res->rows_total == 0) {
		snprintf(res->fatal, sizeof(res->fatal), "文件中没有数据行");
		rc = DJ_ERR_INVALID;
		goto out;
	}
	t_index = dj_time_mono_ms();
	if ((rc = rebuild_indexes(&p))) {
		/* the checks passed every row, so only a 身份证号 the register already holds can be refused */
		if (rc == DJ_ERR_CONFLICT)
			snprintf(res->fatal, sizeof(res->fatal), "有身份证号与花名册中已有党员重复，整批未导入");
		goto out;
	}
	t_counts = dj_time_mono_ms();
	if ((rc = finish_batch(&p, org_id, res)))
		goto out;
	t_commit = dj_time_mono_ms();
	rc = dj_db_commit(x.c);
	x.c = NULL;
	if (!rc) {
		res->batch_id = p.batch_id;
		/* where a large import's time went (docs/performance.md reads these) */
		dj_log_info("import_committed", "batch=%lld rows=%lld rows_ms=%lld index_ms=%lld counts_ms=%lld commit_ms=%lld",
			    (long long)p.batch_id, (long long)res->rows_ok, (long long)(t_index - t_rows),
			    (long long)(t_counts - t_index), (long long)(t_commit - t_counts),
			    (long long)(dj_time_mono_ms() - t_commit));
	}
out:
	if (x.c)
		dj_db_rollback(x.c);
	atomic_store(&prog->phase, 3);
	if (p.reader)
		dj_db_release(p.reader);
	dj_free((void *)(uintptr_t)p.target_path);
	pass_release(&p);
	dj_arena_release(&a);
	return rc;
}

void dj_import_result_release(struct dj_import_result *res)
{
	dj_free(res->errors);
	res->errors = NULL;
	res->n_errors = 0;
}

void dj_import_result_write(const struct dj_import_result *res, struct dj_jw *w)
{
	dj_jw_obj_begin(w);
	dj_jw_kbool(w, "dry_run", res->dry_run);
	dj_jw_kint(w, "rows_total", res->rows_total);
	dj_jw_kint(w, "rows_ok", res->rows_ok);
	dj_jw_kint(w, "rows_bad", res->rows_bad);
	dj_jw_kint_or_null(w, "batch_id", res->batch_id, res->batch_id == 0);
	dj_jw_kstr(w, "fatal", res->fatal[0] ? res->fatal : NULL);
	dj_jw_key(w, "errors");
	dj_jw_arr_begin(w);
	for (size_t i = 0; i < res->n_errors; i++) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "row", res->errors[i].row);
		dj_jw_kstr(w, "column", res->errors[i].column);
		dj_jw_kstr(w, "field", res->errors[i].field[0] ? res->errors[i].field : NULL);
		dj_jw_kstr(w, "message", res->errors[i].message);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
}

dj_rc dj_import_rollback(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who, int64_t batch_id)
{
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_model_ctx x = { c, sc, who, NULL, &a };
	struct dj_stmt *s;
	char ts[26], reason[64], path[DJ_PATH_MAX];
	int64_t *ids = NULL, n = 0, cap = 0;
	dj_rc rc = dj_db_prepare(c, "SELECT org_path, rolled_back_at FROM import_batches WHERE id = ? AND org_path >= ? AND org_path < ?",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, batch_id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	dj_stmt_bind_text(s, 3, sc->path_hi);
	rc = dj_stmt_step(s);
	bool done = rc == DJ_ROW && !dj_stmt_is_null(s, 1);
	if (rc == DJ_ROW)
		snprintf(path, sizeof(path), "%s", dj_stmt_text(s, 0));
	dj_stmt_reset(s);
	if (rc != DJ_ROW)
		return rc == DJ_DONE ? DJ_ERR_NOTFOUND : rc;
	if (done)
		return DJ_ERR_CONFLICT;
	if ((rc = dj_db_prepare(c, "SELECT id FROM members WHERE import_batch_id = ? AND deleted_at IS NULL", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, batch_id);
	while (dj_stmt_step(s) == DJ_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = dj_realloc(ids, (size_t)cap * sizeof(*ids));
		}
		ids[n++] = dj_stmt_int(s, 0);
	}
	dj_stmt_reset(s);
	snprintf(reason, sizeof(reason), "撤销导入批次 %lld", (long long)batch_id);
	/* each deletion audited as one, the counts summed and written once (as the import wrote them) */
	struct dj_member_counts acc = DJ_MEMBER_COUNTS_INIT;
	for (int64_t i = 0; i < n && !rc; i++) {
		rc = dj_member_delete_counted(&x, ids[i], reason, &acc);
		if (rc == DJ_ERR_NOTFOUND)
			rc = DJ_OK; /* already deleted or moved out of scope */
		dj_arena_release(&a);
	}
	if (!rc)
		rc = dj_member_counts_flush(&acc, c);
	dj_member_counts_release(&acc);
	dj_free(ids);
	if (rc)
		return rc;
	if ((rc = dj_db_prepare(c, "UPDATE import_batches SET rolled_back_at = ? WHERE id = ?", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, dj_time_rfc3339(dj_time_now(), ts));
	dj_stmt_bind_int(s, 2, batch_id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	char after[128];
	snprintf(after, sizeof(after), "{\"batch_id\":%lld,\"members_removed\":%lld}", (long long)batch_id, (long long)n);
	struct dj_audit_entry e = { "import.rollback", "import_batch", batch_id, path, NULL, after };
	return dj_audit_append(c, who, &e);
}

dj_rc dj_import_batches(struct dj_db_conn *c, const struct dj_scope *sc, int64_t page, int64_t per_page, struct dj_jw *w,
			int64_t *total)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, "SELECT COUNT(*) FROM import_batches WHERE org_path >= ? AND org_path < ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, sc->org_path);
	dj_stmt_bind_text(s, 2, sc->path_hi);
	*total = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0;
	dj_stmt_reset(s);
	if ((rc = dj_db_prepare(c, "SELECT b.id, b.kind, b.org_id, o.name, b.file_name, b.rows_total, b.rows_imported,"
				   " b.created_at, b.rolled_back_at, u.username FROM import_batches b JOIN orgs o ON o.id = b.org_id"
				   " LEFT JOIN users u ON u.id = b.created_by WHERE b.org_path >= ? AND b.org_path < ?"
				   " ORDER BY b.id DESC LIMIT ? OFFSET ?", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sc->org_path);
	dj_stmt_bind_text(s, 2, sc->path_hi);
	dj_stmt_bind_int(s, 3, per_page);
	dj_stmt_bind_int(s, 4, (page - 1) * per_page);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kstr(w, "kind", dj_stmt_text(s, 1));
		dj_jw_kint(w, "org_id", dj_stmt_int(s, 2));
		dj_jw_kstr(w, "org_name", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "file_name", dj_stmt_text(s, 4));
		dj_jw_kint(w, "rows_total", dj_stmt_int(s, 5));
		dj_jw_kint(w, "rows_imported", dj_stmt_int(s, 6));
		dj_jw_kstr(w, "created_at", dj_stmt_text(s, 7));
		dj_jw_kstr(w, "rolled_back_at", dj_stmt_text(s, 8));
		dj_jw_kstr(w, "created_by", dj_stmt_text(s, 9));
		dj_jw_obj_end(w);
	}
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

dj_rc dj_import_template(const char *path)
{
	struct dj_xlsx_out *x;
	const char *head[MAXF];
	char labels[MAXF][80];
	size_t n = 0;
	dj_rc rc = dj_xlsx_create(path, "党员信息", &x);
	if (rc)
		return rc;
	for (size_t f = 0; f < dj_member_entity.nfields && n < MAXF; f++) {
		const struct dj_field *fd = &dj_member_entity.fields[f];
		if (fd->flags & (DJ_FF_SERVER | DJ_FF_NOIMPORT))
			continue;
		bool req = (fd->flags & DJ_FF_REQUIRED) && strcmp(fd->name, "org_id") != 0;
		snprintf(labels[n], sizeof(labels[n]), "%s%s", fd->label, req ? "*" : "");
		head[n] = labels[n];
		dj_xlsx_col_width(x, n, fd->type == DJ_FT_TEXT ? 18 : 14);
		n++;
	}
	/* One header row only: the template can be filled in and imported as it is. Dates as
	 * YYYY-MM-DD, codes by code or name, 是/否 for flags; 所属党组织 by name or id. */
	rc = dj_xlsx_row(x, head, n, 1);
	dj_rc rc2 = dj_xlsx_close(x);
	return rc ? rc : rc2;
}

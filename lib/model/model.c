/* model.c — the generic code driven by entity descriptors: DDL, unpacking, scoped SQL, audit. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/codes.h"
#include "dj/date.h"
#include "dj/log.h"
#include "dj/model.h"
#include "dj/slice.h"
#include "dj/banned.h"

#define MAX_BINDS 96

/* Parameters collected while building one statement, bound in order. */
struct binds {
	int n;
	struct {
		int kind; /* 0 null, 1 int, 2 text, 3 blob */
		int64_t i;
		const char *s;
		size_t len;
	} b[MAX_BINDS];
};

static void bind_i(struct binds *b, int64_t v)
{
	if (b->n < MAX_BINDS) {
		b->b[b->n].kind = 1;
		b->b[b->n++].i = v;
	}
}
static void bind_s(struct binds *b, const char *v)
{
	if (b->n < MAX_BINDS) {
		b->b[b->n].kind = v ? 2 : 0;
		b->b[b->n++].s = v;
	}
}
static void bind_blob(struct binds *b, const void *v, size_t n)
{
	if (b->n < MAX_BINDS) {
		b->b[b->n].kind = 3;
		b->b[b->n].s = v;
		b->b[b->n++].len = n;
	}
}
static void apply(struct dj_stmt *s, const struct binds *b)
{
	for (int i = 0; i < b->n; i++) {
		switch (b->b[i].kind) {
		case 1: dj_stmt_bind_int(s, i + 1, b->b[i].i); break;
		case 2: dj_stmt_bind_text(s, i + 1, b->b[i].s); break;
		case 3: dj_stmt_bind_blob(s, i + 1, b->b[i].s, b->b[i].len); break;
		default: dj_stmt_bind_null(s, i + 1); break;
		}
	}
}

static void fail(struct dj_model_err *err, const struct dj_field *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct dj_model_err *err, const struct dj_field *f, const char *fmt, ...)
{
	va_list ap;
	char tmp[200];
	if (!err)
		return;
	err->field = f ? f->name : NULL;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (f)
		snprintf(err->msg, sizeof(err->msg), "%s：%s", f->label, tmp);
	else
		snprintf(err->msg, sizeof(err->msg), "%s", tmp);
}

int dj_model_field(const struct dj_entity *e, const char *name)
{
	/* called per value by the rules (by name); the first byte rules out most fields cheaply */
	for (size_t i = 0; name && i < e->nfields; i++)
		if (e->fields[i].name[0] == name[0] && strcmp(e->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool is_int_type(enum dj_ftype t)
{
	return t == DJ_FT_INT || t == DJ_FT_BOOL || t == DJ_FT_MONEY || t == DJ_FT_REF;
}

/* ---- DDL -------------------------------------------------------------------------------------- */

/* A code or flag filter of a scoped entity gets no index of its own: every query of such a table is
 * bounded by an org_path range, and a single-column index on a column with a handful of values
 * (sex, status, is_mobile ...) makes SQLite walk every matching row of the whole database instead
 * of the subtree, and costs every insert (docs/performance.md, item 1). */
static bool subtree_filtered(const struct dj_entity *e, const struct dj_field *f)
{
	return e->scoped && (f->flags & DJ_FF_FILTER) && !(f->flags & (DJ_FF_UNIQUE | DJ_FF_PII)) &&
	       (f->type == DJ_FT_CODE || f->type == DJ_FT_CODES || f->type == DJ_FT_BOOL);
}

void dj_model_ddl_drop_filter_indexes(const struct dj_entity *e, struct dj_strbuf *sb)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (subtree_filtered(e, &e->fields[i]))
			dj_strbuf_addf(sb, "DROP INDEX IF EXISTS %s_%s;\n", e->table, e->fields[i].name);
}

void dj_model_ddl(const struct dj_entity *e, struct dj_strbuf *sb)
{
	dj_strbuf_addf(sb, "CREATE TABLE %s (id INTEGER PRIMARY KEY", e->table);
	if (e->scoped)
		dj_strbuf_adds(sb, ", org_path TEXT NOT NULL");
	if (e->parent)
		dj_strbuf_addf(sb, ", %s INTEGER NOT NULL REFERENCES %s(id)", e->parent_col, e->parent);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		if (f->flags & DJ_FF_PII)
			dj_strbuf_addf(sb, ", %s_enc BLOB, %s_bidx TEXT, %s_mask TEXT", f->name, f->name, f->name);
		else if (f->type == DJ_FT_REF)
			dj_strbuf_addf(sb, ", %s INTEGER%s REFERENCES %s(id)", f->name,
				       f->flags & DJ_FF_REQUIRED ? " NOT NULL" : "", f->ref);
		else
			dj_strbuf_addf(sb, ", %s %s", f->name, is_int_type(f->type) ? "INTEGER" : "TEXT");
	}
	if (e->soft_delete)
		dj_strbuf_adds(sb, ", deleted_at TEXT, delete_reason TEXT");
	dj_strbuf_adds(sb, ", created_at TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;\n");
	if (e->scoped)
		dj_strbuf_addf(sb, "CREATE INDEX %s_org_path ON %s(org_path, id);\n", e->table, e->table);
	if (e->parent)
		dj_strbuf_addf(sb, "CREATE INDEX %s_%s ON %s(%s);\n", e->table, e->parent_col, e->table, e->parent_col);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		if (f->flags & DJ_FF_PII) {
			dj_strbuf_addf(sb, "CREATE %sINDEX %s_%s_bidx ON %s(%s_bidx)%s;\n",
				       f->flags & DJ_FF_UNIQUE ? "UNIQUE " : "", e->table, f->name, e->table, f->name,
				       f->flags & DJ_FF_UNIQUE && e->soft_delete ? " WHERE deleted_at IS NULL" : "");
		} else if (((f->flags & (DJ_FF_FILTER | DJ_FF_UNIQUE)) || f->type == DJ_FT_REF) && !subtree_filtered(e, f)) {
			if (e->scoped && strcmp(f->name, "org_id") == 0)
				continue; /* covered by org_path queries; a plain index helps equality */
			dj_strbuf_addf(sb, "CREATE %sINDEX %s_%s ON %s(%s);\n", f->flags & DJ_FF_UNIQUE ? "UNIQUE " : "",
				       e->table, f->name, e->table, f->name);
		}
	}
	if (e->scoped)
		dj_strbuf_addf(sb, "CREATE INDEX %s_org_id ON %s(org_id);\n", e->table, e->table);
}

/* ---- unpacking ---------------------------------------------------------------------------------- */

static dj_rc check_text(const struct dj_field *f, const char *s, size_t n, struct dj_model_err *err)
{
	int max = f->max_len ? f->max_len : 200;
	if (!dj_utf8_valid(s, n) || memchr(s, '\0', n)) {
		fail(err, f, "含有无效字符");
		return DJ_ERR_INVALID;
	}
	if (dj_utf8_len(s, n) > (size_t)max) {
		char d[32];
		snprintf(d, sizeof(d), "%d", max);
		fail(err, f, "过长（最多 %s 个字符）", d);
		return DJ_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') {
			fail(err, f, "含有控制字符");
			return DJ_ERR_INVALID;
		}
	return DJ_OK;
}

static dj_rc check_value(const struct dj_field *f, struct dj_value *v, struct dj_model_err *err)
{
	char d[64];
	struct dj_date dt;
	switch (f->type) {
	case DJ_FT_TEXT:
		return check_text(f, v->s, strlen(v->s), err);
	case DJ_FT_DATE:
		if (dj_date_parse(v->s, strlen(v->s), &dt)) {
			fail(err, f, "日期格式应为 YYYY-MM-DD 且为有效日期（收到 %s）", v->s);
			return DJ_ERR_INVALID;
		}
		return DJ_OK;
	case DJ_FT_CODE:
		if (!dj_codes_label(f->codes, v->s)) {
			fail(err, f, "不是有效的代码：%s", v->s);
			return DJ_ERR_INVALID;
		}
		return DJ_OK;
	case DJ_FT_INT:
	case DJ_FT_MONEY:
		if (v->i < f->min || v->i > f->max) {
			snprintf(d, sizeof(d), "%lld 到 %lld", (long long)f->min, (long long)f->max);
			fail(err, f, "超出范围（%s）", d);
			return DJ_ERR_INVALID;
		}
		return DJ_OK;
	case DJ_FT_REF:
		if (v->i < 1) {
			fail(err, f, "应为正整数 id");
			return DJ_ERR_INVALID;
		}
		return DJ_OK;
	default:
		return DJ_OK;
	}
}

dj_rc dj_model_unpack(const struct dj_entity *e, const json_t *obj, bool create, struct dj_arena *a,
		      struct dj_value *vals, struct dj_model_err *err)
{
	const char *k;
	json_t *x;
	memset(vals, 0, sizeof(*vals) * e->nfields);
	json_object_foreach((json_t *)(uintptr_t)obj, k, x) {
		int i = dj_model_field(e, k);
		if (i < 0 || (e->fields[i].flags & DJ_FF_SERVER)) {
			if (err) {
				err->field = k;
				snprintf(err->msg, sizeof(err->msg), i < 0 ? "未知字段：%s" : "字段 %s 由系统生成，不能填写", k);
			}
			return DJ_ERR_INVALID;
		}
		const struct dj_field *f = &e->fields[i];
		struct dj_value *v = &vals[i];
		v->set = true;
		if (json_is_null(x)) {
			if (f->flags & DJ_FF_REQUIRED) {
				fail(err, f, "不能为空");
				return DJ_ERR_INVALID;
			}
			v->null = true;
			continue;
		}
		switch (f->type) {
		case DJ_FT_TEXT:
		case DJ_FT_DATE:
		case DJ_FT_CODE:
			if (!json_is_string(x)) {
				fail(err, f, "应为字符串");
				return DJ_ERR_INVALID;
			}
			v->s = json_string_value(x);
			if (json_string_length(x) != strlen(v->s)) {
				fail(err, f, "含有无效字符");
				return DJ_ERR_INVALID;
			}
			if (*v->s == '\0') {
				if (f->flags & DJ_FF_REQUIRED) {
					fail(err, f, "不能为空");
					return DJ_ERR_INVALID;
				}
				v->null = true;
				continue;
			}
			break;
		case DJ_FT_CODES: {
			const struct dj_codelist *l = dj_codes_get(f->codes);
			size_t ix;
			json_t *item;
			if (!json_is_array(x) || json_array_size(x) == 0 || !l) {
				fail(err, f, "应为非空的代码数组");
				return DJ_ERR_INVALID;
			}
			json_array_foreach(x, ix, item) {
				if (!json_is_string(item) || !dj_codes_label(f->codes, json_string_value(item))) {
					fail(err, f, "含有无效的代码：%s", json_is_string(item) ? json_string_value(item) : "（非字符串）");
					return DJ_ERR_INVALID;
				}
			}
			/* Stored in code-list order, each once, as ",a,b," so membership is a substring test. */
			struct dj_strbuf sb = DJ_STRBUF_INIT;
			dj_strbuf_addch(&sb, ',');
			for (size_t c = 0; c < l->n; c++)
				json_array_foreach(x, ix, item) if (strcmp(json_string_value(item), l->items[c].code) == 0) {
					dj_strbuf_addf(&sb, "%s,", l->items[c].code);
					break;
				}
			v->s = dj_arena_strdup(a, sb.buf);
			dj_strbuf_release(&sb);
			continue;
		}
		case DJ_FT_BOOL:
			if (!json_is_boolean(x)) {
				fail(err, f, "应为 true 或 false");
				return DJ_ERR_INVALID;
			}
			v->i = json_is_true(x);
			break;
		default:
			if (!json_is_integer(x)) {
				fail(err, f, "应为整数");
				return DJ_ERR_INVALID;
			}
			v->i = (int64_t)json_integer_value(x);
			break;
		}
		dj_rc rc = check_value(f, v, err);
		if (rc)
			return rc;
	}
	if (create) {
		for (size_t i = 0; i < e->nfields; i++)
			if ((e->fields[i].flags & DJ_FF_REQUIRED) && !(e->fields[i].flags & DJ_FF_SERVER) && !vals[i].set) {
				fail(err, &e->fields[i], "缺少必填字段");
				return DJ_ERR_INVALID;
			}
	}
	return DJ_OK;
}

/* Excel stores dates as days since 1899-12-30. */
static bool parse_any_date(const char *s, struct dj_date *out)
{
	size_t n = strlen(s);
	int y = 0, m = 0, d = 0, k;
	if (dj_date_parse(s, n, out) == DJ_OK)
		return true;
	if (n == 8 && dj_date_parse_compact(s, out) == DJ_OK)
		return true;
	char sep = 0;
	if (sscanf(s, "%4d%c%2d%*c%2d%n", &y, &sep, &m, &d, &k) == 4 && (size_t)k == n &&
	    (sep == '/' || sep == '.' || sep == '-')) {
		struct dj_date t = { y, m, d };
		if (dj_date_valid(t)) {
			*out = t;
			return true;
		}
	}
	if (sscanf(s, "%4d年%2d月%2d日%n", &y, &m, &d, &k) == 3 && (size_t)k == n) {
		struct dj_date t = { y, m, d };
		if (dj_date_valid(t)) {
			*out = t;
			return true;
		}
	}
	int64_t serial;
	const char *dot = strchr(s, '.');
	if (dj_parse_int(s, dot ? (size_t)(dot - s) : n, 1, 2958465, &serial) == DJ_OK) {
		struct dj_date base = { 1899, 12, 30 };
		*out = dj_date_add_days(base, serial);
		return dj_date_valid(*out);
	}
	return false;
}

dj_rc dj_model_parse_text(const struct dj_field *f, const char *text, struct dj_arena *a, struct dj_value *v,
			  struct dj_model_err *err)
{
	char buf[11];
	struct dj_date d;
	memset(v, 0, sizeof(*v));
	while (*text == ' ')
		text++;
	size_t n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\r'))
		n--;
	if (n == 0)
		return DJ_OK;
	char *t = dj_arena_strndup(a, text, n);
	v->set = true;
	switch (f->type) {
	case DJ_FT_TEXT:
		v->s = t;
		break;
	case DJ_FT_DATE:
		if (!parse_any_date(t, &d)) {
			fail(err, f, "无法识别的日期：%s（应为 YYYY-MM-DD）", t);
			return DJ_ERR_INVALID;
		}
		v->s = dj_arena_strdup(a, dj_date_format(d, buf));
		break;
	case DJ_FT_CODE:
		v->s = dj_codes_find(f->codes, t);
		if (!v->s) {
			fail(err, f, "不在代码表中：%s", t);
			return DJ_ERR_INVALID;
		}
		break;
	case DJ_FT_CODES: {
		/* "支部党员大会、党课" or "branch_congress,lecture" */
		struct dj_strbuf sb = DJ_STRBUF_INIT;
		const struct dj_codelist *l = dj_codes_get(f->codes);
		dj_strbuf_addch(&sb, ',');
		for (size_t c = 0; l && c < l->n; c++)
			if (strstr(t, l->items[c].code) || strstr(t, l->items[c].label))
				dj_strbuf_addf(&sb, "%s,", l->items[c].code);
		if (sb.len <= 1) {
			dj_strbuf_release(&sb);
			fail(err, f, "不在代码表中：%s", t);
			return DJ_ERR_INVALID;
		}
		v->s = dj_arena_strdup(a, sb.buf);
		dj_strbuf_release(&sb);
		return DJ_OK;
	}
	case DJ_FT_BOOL:
		if (!strcmp(t, "是") || !strcmp(t, "1") || !strcmp(t, "true") || !strcmp(t, "TRUE") || !strcmp(t, "Y"))
			v->i = 1;
		else if (!strcmp(t, "否") || !strcmp(t, "0") || !strcmp(t, "false") || !strcmp(t, "FALSE") ||
			 !strcmp(t, "N"))
			v->i = 0;
		else {
			fail(err, f, "应填“是”或“否”（收到 %s）", t);
			return DJ_ERR_INVALID;
		}
		break;
	case DJ_FT_MONEY:
		if (dj_parse_yuan(t, &v->i)) {
			fail(err, f, "金额格式错误：%s（单位元，最多两位小数）", t);
			return DJ_ERR_INVALID;
		}
		break;
	default:
		if (dj_parse_int_str(t, INT64_MIN, INT64_MAX, &v->i)) {
			fail(err, f, "应为整数（收到 %s）", t);
			return DJ_ERR_INVALID;
		}
		break;
	}
	return check_value(f, v, err);
}

/* ---- scope ------------------------------------------------------------------------------------ */

/* Appends " AND <scope condition>" for table alias t, and its parameters to b. With sb NULL only
 * the parameters: the text depends on the entity and on whether the role is member, nothing else,
 * so the read paths keep it with the cached column lists. */
static void scope_where(const struct dj_entity *e, const struct dj_scope *sc, struct dj_strbuf *sb, struct binds *b)
{
	if (e->scoped) {
		if (sb)
			dj_strbuf_adds(sb, " AND t.org_path >= ? AND t.org_path < ?");
		bind_s(b, sc->org_path);
		bind_s(b, sc->path_hi);
	} else if (e->parent) {
		if (sb)
			dj_strbuf_addf(sb, " AND t.%s IN (SELECT p.id FROM %s p WHERE p.org_path >= ? AND p.org_path < ?",
				       e->parent_col, e->parent);
		bind_s(b, sc->org_path);
		bind_s(b, sc->path_hi);
		if (sc->role == DJ_ROLE_MEMBER) {
			if (sb)
				dj_strbuf_adds(sb, " AND p.id = ?");
			bind_i(b, sc->member_id);
		}
		if (sb)
			dj_strbuf_adds(sb, ")");
	}
	if (sc->role == DJ_ROLE_MEMBER && e->self_col && !e->parent) {
		if (sb)
			dj_strbuf_addf(sb, " AND t.%s = ?", e->self_col);
		bind_i(b, sc->member_id);
	}
	if (e->soft_delete && sb)
		dj_strbuf_adds(sb, " AND t.deleted_at IS NULL");
}

/* Path of an org in scope (for REF org_id and org filters). */
static dj_rc org_path_in_scope(struct dj_db_conn *c, const struct dj_scope *sc, int64_t org_id, struct dj_arena *a,
			       const char **path)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, "SELECT path FROM orgs WHERE id = ? AND path >= ? AND path < ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	dj_stmt_bind_text(s, 3, sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		*path = dj_arena_strdup(a, dj_stmt_text(s, 0));
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

/* A REF must point at a row the caller may see. */
static dj_rc check_ref(const struct dj_model_ctx *x, const struct dj_field *f, int64_t id, struct dj_model_err *err)
{
	const char *path;
	dj_rc rc;
	if (strcmp(f->ref, "orgs") == 0) {
		rc = org_path_in_scope(x->c, x->sc, id, x->a, &path);
	} else {
		struct dj_stmt *s;
		struct dj_strbuf sql = DJ_STRBUF_INIT;
		dj_strbuf_addf(&sql, "SELECT 1 FROM %s WHERE id = ? AND org_path >= ? AND org_path < ?", f->ref);
		rc = dj_db_prepare(x->c, sql.buf, &s);
		dj_strbuf_release(&sql);
		if (rc)
			return rc;
		dj_stmt_bind_int(s, 1, id);
		dj_stmt_bind_text(s, 2, x->sc->org_path);
		dj_stmt_bind_text(s, 3, x->sc->path_hi);
		rc = dj_stmt_step(s);
		dj_stmt_reset(s);
		rc = rc == DJ_ROW ? DJ_OK : rc == DJ_DONE ? DJ_ERR_NOTFOUND : rc;
	}
	if (rc == DJ_ERR_NOTFOUND) {
		char d[32];
		snprintf(d, sizeof(d), "%lld", (long long)id);
		fail(err, f, "引用的对象不存在或不在您的管理范围内：%s", d);
		return DJ_ERR_INVALID;
	}
	return rc;
}

/* ---- reading rows ---------------------------------------------------------------------------------- */

/* SELECT column list for alias t: id, org_id-ish, fields (PII: mask, enc), created_at, updated_at.
 * Without enc the sealed PII blobs are not read (NULL in their place): a read that shows only the
 * masks has no use for them, and they are what pushes a member row onto overflow pages. */
static void select_cols(const struct dj_entity *e, struct dj_strbuf *sb, bool list_only, bool enc)
{
	dj_strbuf_adds(sb, "t.id, t.created_at, t.updated_at");
	if (e->parent)
		dj_strbuf_addf(sb, ", t.%s", e->parent_col);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		if (list_only && !(f->flags & DJ_FF_LIST))
			dj_strbuf_adds(sb, ", NULL, NULL");
		else if ((f->flags & DJ_FF_PII) && enc)
			dj_strbuf_addf(sb, ", t.%s_mask, t.%s_enc", f->name, f->name);
		else if (f->flags & DJ_FF_PII)
			dj_strbuf_addf(sb, ", t.%s_mask, NULL", f->name);
		else
			dj_strbuf_addf(sb, ", t.%s, NULL", f->name);
	}
}

/* Writes the key "<name>_label" (without a printf: it ran per field and row). */
static void field_key_name(struct dj_jw *w, const char *name)
{
	static const char suffix[] = "_label";
	char k[80];
	size_t n = strnlen(name, sizeof(k) - sizeof(suffix));
	memcpy(k, name, n);
	memcpy(k + n, suffix, sizeof(suffix));
	dj_jw_key(w, k);
}

/* The read paths' SQL text depends only on the (static, const) descriptor, so it is built once per
 * entity and kept for the life of the process: formatting it on every request was a quarter of a
 * member read's instructions (docs/performance.md, item 5). Readers find an entry without a lock
 * (the descriptor pointer is published with release after the strings are written); builders take
 * cols_mu. The table only grows; a full table (more entities than slots) falls back to building. */
#define COLS_SLOTS 64
struct cols_entry {
	_Atomic(const struct dj_entity *) e;
	/* "SELECT <all columns> FROM <table> t WHERE t.id = ? AND <scope>", [member role][with PII blobs] */
	struct dj_slice get[2][2];
	struct dj_slice list; /* "<list columns>" (non-list fields as NULL, NULL) */
	struct dj_slice *keys; /* per field: [2i] "\"name\":", [2i + 1] "\"name_label\":" as dj_jw_key writes them */
};
static struct cols_entry cols_cache[COLS_SLOTS];
static pthread_mutex_t cols_mu = PTHREAD_MUTEX_INITIALIZER;

static struct dj_slice detach_slice(struct dj_strbuf *sb)
{
	struct dj_slice sl;
	sl.base = dj_strbuf_detach(sb, &sl.len);
	return sl;
}

static const struct cols_entry *cols_of(const struct dj_entity *e)
{
	size_t h = (size_t)(((uintptr_t)e >> 4) % COLS_SLOTS);
	for (size_t k = 0; k < COLS_SLOTS; k++) {
		const struct cols_entry *c = &cols_cache[(h + k) % COLS_SLOTS];
		const struct dj_entity *ce = atomic_load_explicit(&c->e, memory_order_acquire);
		if (ce == e)
			return c;
		if (!ce)
			break;
	}
	const struct cols_entry *found = NULL;
	pthread_mutex_lock(&cols_mu);
	for (size_t k = 0; k < COLS_SLOTS; k++) {
		struct cols_entry *c = &cols_cache[(h + k) % COLS_SLOTS];
		const struct dj_entity *ce = atomic_load_explicit(&c->e, memory_order_relaxed);
		if (ce == e) {
			found = c;
			break;
		}
		if (!ce) {
			struct dj_strbuf sb = DJ_STRBUF_INIT;
			for (int member = 0; member < 2; member++) {
				for (int enc = 0; enc < 2; enc++) {
					struct dj_scope sc = { 0 };
					struct binds unused = { 0 };
					sc.role = member ? DJ_ROLE_MEMBER : DJ_ROLE_ADMIN;
					dj_strbuf_adds(&sb, "SELECT ");
					select_cols(e, &sb, false, enc);
					dj_strbuf_addf(&sb, " FROM %s t WHERE t.id = ?", e->table);
					scope_where(e, &sc, &sb, &unused);
					c->get[member][enc] = detach_slice(&sb);
				}
			}
			select_cols(e, &sb, true, true);
			c->list = detach_slice(&sb);
			c->keys = dj_calloc(2 * e->nfields + 1, sizeof(*c->keys));
			for (size_t i = 0; i < 2 * e->nfields; i++) {
				struct dj_jw jw;
				dj_jw_init(&jw, &sb);
				if (i % 2)
					field_key_name(&jw, e->fields[i / 2].name);
				else
					dj_jw_key(&jw, e->fields[i / 2].name);
				c->keys[i] = detach_slice(&sb);
			}
			atomic_store_explicit(&c->e, e, memory_order_release);
			found = c;
			break;
		}
	}
	pthread_mutex_unlock(&cols_mu);
	return found;
}

/* Appends the list-only column list (the SELECT of lists and exports). */
static void add_list_cols(const struct dj_entity *e, struct dj_strbuf *sb)
{
	const struct cols_entry *c = cols_of(e);
	if (c)
		dj_strbuf_add(sb, c->list.base, c->list.len);
	else
		select_cols(e, sb, true, true);
}
#define COL0(e) ((e)->parent ? 4 : 3) /* first field column */

/* The key of field i, or of its _label companion: pre-written when the entity's cache entry has
 * them (a list writes the same keys on every row). */
static void field_key(struct dj_jw *w, const struct cols_entry *c, const struct dj_field *f, size_t i, bool label)
{
	if (c) {
		const struct dj_slice *k = &c->keys[2 * i + (label ? 1 : 0)];
		dj_jw_key_json(w, k->base, k->len);
	} else if (label) {
		field_key_name(w, f->name);
	} else {
		dj_jw_key(w, f->name);
	}
}

static void write_row(const struct dj_model_ctx *x, const struct dj_entity *e, struct dj_stmt *s, bool list_only,
		      bool reveal, struct dj_jw *w)
{
	const struct cols_entry *c = cols_of(e);
	int col = COL0(e);
	dj_jw_obj_begin(w);
	dj_jw_key_json(w, "\"id\":", 5);
	dj_jw_int(w, dj_stmt_int(s, 0));
	if (e->parent)
		dj_jw_kint(w, e->parent_col, dj_stmt_int(s, 3));
	for (size_t i = 0; i < e->nfields; i++, col += 2) {
		const struct dj_field *f = &e->fields[i];
		if (list_only && !(f->flags & DJ_FF_LIST))
			continue;
		field_key(w, c, f, i, false);
		if (dj_stmt_is_null(s, col)) {
			dj_jw_null(w);
		} else if (f->flags & DJ_FF_PII) {
			char *plain = NULL;
			size_t bl;
			const void *blob = dj_stmt_blob(s, col + 1, &bl);
			if (reveal && x->pii && blob && dj_pii_open_blob(x->pii, blob, bl, &plain) == DJ_OK) {
				dj_jw_str(w, plain);
				dj_free(plain);
			} else {
				dj_jw_str(w, dj_stmt_text(s, col));
			}
		} else if (f->type == DJ_FT_CODES) {
			const char *t = dj_stmt_text(s, col);
			char label[512] = "";
			dj_jw_arr_begin(w);
			for (const char *p = t; p && *p;) {
				const char *e2 = strchr(p + 1, ',');
				if (*p == ',' && e2 && e2 > p + 1) {
					char code[64];
					snprintf(code, sizeof(code), "%.*s", (int)(e2 - p - 1), p + 1);
					dj_jw_str(w, code);
					const char *lb = dj_codes_label(f->codes, code);
					size_t l = strlen(label);
					snprintf(label + l, sizeof(label) - l, "%s%s", l ? "、" : "", lb ? lb : code);
				}
				p = e2 ? e2 : p + strlen(p);
			}
			dj_jw_arr_end(w);
			field_key(w, c, f, i, true);
			dj_jw_str(w, label);
		} else if (f->type == DJ_FT_BOOL) {
			dj_jw_bool(w, dj_stmt_int(s, col) != 0);
		} else if (is_int_type(f->type)) {
			dj_jw_int(w, dj_stmt_int(s, col));
		} else {
			dj_jw_str(w, dj_stmt_text(s, col));
		}
		if (f->type == DJ_FT_CODE) {
			field_key(w, c, f, i, true);
			dj_jw_str(w, dj_stmt_is_null(s, col) ? NULL : dj_codes_label(f->codes, dj_stmt_text(s, col)));
		}
	}
	if (e->scoped && !list_only) {
		/* org_path is internal; its org name helps people */
	}
	dj_jw_key_json(w, "\"created_at\":", 13);
	dj_jw_str(w, dj_stmt_text(s, 1));
	dj_jw_key_json(w, "\"updated_at\":", 13);
	dj_jw_str(w, dj_stmt_text(s, 2));
	dj_jw_obj_end(w);
}

/* The row of id in scope, stepped onto; enc: with the sealed PII blobs (for reveal). */
static dj_rc prepare_get(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, bool enc,
			 struct dj_stmt **out)
{
	struct dj_strbuf sql = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	const struct cols_entry *c = cols_of(e);
	const char *text;
	bind_i(&b, id);
	if (c) {
		text = c->get[x->sc->role == DJ_ROLE_MEMBER][enc].base;
		scope_where(e, x->sc, NULL, &b);
	} else {
		dj_strbuf_adds(&sql, "SELECT ");
		select_cols(e, &sql, false, enc);
		dj_strbuf_addf(&sql, " FROM %s t WHERE t.id = ?", e->table);
		scope_where(e, x->sc, &sql, &b);
		text = sql.buf;
	}
	dj_rc rc = dj_db_prepare(x->c, text, out);
	dj_strbuf_release(&sql);
	if (rc)
		return rc;
	apply(*out, &b);
	rc = dj_stmt_step(*out);
	if (rc == DJ_ROW)
		return DJ_OK;
	dj_stmt_reset(*out);
	return rc == DJ_DONE ? DJ_ERR_NOTFOUND : rc;
}

dj_rc dj_model_get(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, bool reveal, struct dj_jw *w)
{
	struct dj_stmt *s;
	dj_rc rc = prepare_get(x, e, id, reveal && x->pii, &s);
	if (rc)
		return rc;
	write_row(x, e, s, false, reveal, w);
	dj_stmt_reset(s);
	return DJ_OK;
}

dj_rc dj_model_parent_of(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, int64_t *parent)
{
	struct dj_stmt *s;
	struct dj_strbuf sql = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	if (!e->parent)
		return DJ_ERR_INTERNAL;
	dj_strbuf_addf(&sql, "SELECT t.%s FROM %s t WHERE t.id = ?", e->parent_col, e->table);
	bind_i(&b, id);
	scope_where(e, x->sc, &sql, &b);
	dj_rc rc = dj_db_prepare(x->c, sql.buf, &s);
	dj_strbuf_release(&sql);
	if (rc)
		return rc;
	apply(s, &b);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		*parent = dj_stmt_int(s, 0);
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

dj_rc dj_model_row_path(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, const char **path)
{
	struct dj_stmt *s;
	struct dj_strbuf sql = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	if (e->scoped)
		dj_strbuf_addf(&sql, "SELECT t.org_path FROM %s t WHERE t.id = ?", e->table);
	else
		dj_strbuf_addf(&sql, "SELECT p.org_path FROM %s t JOIN %s p ON p.id = t.%s WHERE t.id = ?", e->table,
			       e->parent, e->parent_col);
	bind_i(&b, id);
	scope_where(e, x->sc, &sql, &b);
	dj_rc rc = dj_db_prepare(x->c, sql.buf, &s);
	dj_strbuf_release(&sql);
	if (rc)
		return rc;
	apply(s, &b);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		*path = dj_arena_strdup(x->a, dj_stmt_text(s, 0));
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

/* ---- writing rows ----------------------------------------------------------------------------------- */

static dj_rc row_json(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, struct dj_strbuf *out)
{
	struct dj_jw w;
	dj_jw_init(&w, out);
	return dj_model_get(x, e, id, false, &w);
}

static dj_rc audit(const struct dj_model_ctx *x, const struct dj_entity *e, const char *verb, int64_t id,
		   const char *path, const char *before, const char *after)
{
	char action[64];
	snprintf(action, sizeof(action), "%s.%s", e->name, verb);
	struct dj_audit_entry ae = { action, e->name, id, path, before, after };
	return dj_audit_append(x->c, x->who, &ae);
}

/* Adds "col = ?" (update) or the column name (insert) for field f's value, sealing PII. */
static dj_rc add_value(const struct dj_model_ctx *x, const struct dj_field *f, const struct dj_value *v,
		       struct dj_strbuf *cols, struct binds *b, bool update, int *ncols)
{
	const char *sep = *ncols ? ", " : "";
	if (f->flags & DJ_FF_PII) {
		if (v->null) {
			dj_strbuf_addf(cols, update ? "%s%s_enc = NULL, %s_bidx = NULL, %s_mask = NULL" : "%s%s_enc, %s_bidx, %s_mask",
				       sep, f->name, f->name, f->name);
			if (!update) {
				bind_s(b, NULL);
				bind_s(b, NULL);
				bind_s(b, NULL);
			}
		} else {
			unsigned char *blob;
			size_t bl;
			char bidx[DJ_PII_BIDX_HEX + 1], mask[80];
			if (!x->pii)
				return DJ_ERR_INTERNAL;
			dj_pii_seal(x->pii, v->s, strlen(v->s), &blob, &bl);
			unsigned char *copy = dj_arena_alloc(x->a, bl);
			memcpy(copy, blob, bl);
			dj_free(blob);
			dj_pii_blind(x->pii, v->s, bidx);
			if (strstr(f->name, "phone"))
				dj_pii_mask_phone(v->s, mask, sizeof(mask));
			else
				dj_pii_mask_idnum(v->s, mask, sizeof(mask));
			dj_strbuf_addf(cols, update ? "%s%s_enc = ?, %s_bidx = ?, %s_mask = ?" : "%s%s_enc, %s_bidx, %s_mask", sep,
				       f->name, f->name, f->name);
			bind_blob(b, copy, bl);
			bind_s(b, dj_arena_strdup(x->a, bidx));
			bind_s(b, dj_arena_strdup(x->a, mask));
		}
	} else {
		dj_strbuf_addf(cols, update ? "%s%s = ?" : "%s%s", sep, f->name);
		if (v->null)
			bind_s(b, NULL);
		else if (is_int_type(f->type))
			bind_i(b, v->i);
		else
			bind_s(b, v->s);
	}
	(*ncols)++;
	return DJ_OK;
}

static void conflict_field(const struct dj_entity *e, struct dj_db_conn *c, struct dj_model_err *err)
{
	const char *msg = dj_db_errmsg(c);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		if ((f->flags & DJ_FF_UNIQUE) && msg && strstr(msg, f->name)) {
			fail(err, f, "已存在相同的值");
			return;
		}
	}
	fail(err, NULL, "数据冲突：已存在相同的记录");
}

static dj_rc insert(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t parent_id,
		    const struct dj_value *vals, int64_t *id_out, struct dj_model_err *err)
{
	struct dj_strbuf cols = DJ_STRBUF_INIT, sql = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	const char *org_path = NULL;
	char ts[26];
	int ncols = 0;
	dj_rc rc = DJ_OK;
	dj_time_rfc3339(dj_time_now(), ts);
	for (size_t i = 0; i < e->nfields && !rc; i++) {
		const struct dj_field *f = &e->fields[i];
		const struct dj_value *v = &vals[i];
		if (!v->set)
			continue;
		if (f->type == DJ_FT_REF && !v->null) {
			rc = check_ref(x, f, v->i, err);
			if (!rc && e->scoped && strcmp(f->name, "org_id") == 0)
				rc = org_path_in_scope(x->c, x->sc, v->i, x->a, &org_path);
		}
		if (!rc)
			rc = add_value(x, f, v, &cols, &b, false, &ncols);
	}
	if (!rc && e->scoped && !org_path) {
		fail(err, NULL, "缺少所属党组织（org_id）");
		err->field = "org_id";
		rc = DJ_ERR_INVALID;
	}
	if (rc)
		goto out;
	if (e->scoped) {
		dj_strbuf_addf(&cols, "%sorg_path", ncols++ ? ", " : "");
		bind_s(&b, org_path);
	}
	if (e->parent) {
		dj_strbuf_addf(&cols, "%s%s", ncols++ ? ", " : "", e->parent_col);
		bind_i(&b, parent_id);
	}
	dj_strbuf_addf(&sql, "INSERT INTO %s(%s%screated_at, updated_at) VALUES (", e->table, cols.buf, ncols ? ", " : "");
	for (int i = 0; i < b.n; i++)
		dj_strbuf_adds(&sql, i ? ", ?" : "?");
	if (b.n)
		dj_strbuf_adds(&sql, ", ");
	dj_strbuf_adds(&sql, "?, ?)");
	bind_s(&b, ts);
	bind_s(&b, ts);
	struct dj_stmt *s;
	rc = dj_db_prepare(x->c, sql.buf, &s);
	if (rc)
		goto out;
	apply(s, &b);
	rc = dj_stmt_exec(s);
	if (rc == DJ_ERR_CONFLICT) {
		conflict_field(e, x->c, err);
		goto out;
	}
	if (rc)
		goto out;
	*id_out = dj_db_last_id(x->c);
	rc = row_json(x, e, *id_out, &after);
	if (!rc) {
		const char *path = org_path;
		if (!path)
			dj_model_row_path(x, e, *id_out, &path);
		rc = audit(x, e, "create", *id_out, path, NULL, after.buf);
	}
out:
	dj_strbuf_release(&cols);
	dj_strbuf_release(&sql);
	dj_strbuf_release(&after);
	return rc;
}

dj_rc dj_model_insert(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_value *vals,
		      int64_t *id_out, struct dj_model_err *err)
{
	return insert(x, e, 0, vals, id_out, err);
}

dj_rc dj_model_insert_child(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t parent_id,
			    const struct dj_value *vals, int64_t *id_out, struct dj_model_err *err)
{
	return insert(x, e, parent_id, vals, id_out, err);
}

/* ---- bulk insert (imports) ------------------------------------------------------------------------ */

/* "INSERT INTO t(cols) VALUES (?, ...)" with n rows of values. */
static char *bulk_sql(const struct dj_entity *e, const char *extra_col, size_t n)
{
	struct dj_strbuf cols = DJ_STRBUF_INIT, sql = DJ_STRBUF_INIT;
	int nv = 4; /* org_path, extra, created_at, updated_at */
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		if (f->flags & DJ_FF_PII)
			dj_strbuf_addf(&cols, "%s_enc, %s_bidx, %s_mask, ", f->name, f->name, f->name);
		else
			dj_strbuf_addf(&cols, "%s, ", f->name);
		nv += f->flags & DJ_FF_PII ? 3 : 1;
	}
	dj_strbuf_addf(&sql, "INSERT INTO %s(%sorg_path, %s, created_at, updated_at) VALUES ", e->table, cols.buf,
		       extra_col);
	for (size_t r = 0; r < n; r++) {
		dj_strbuf_adds(&sql, r ? ", (" : "(");
		for (int i = 0; i < nv; i++)
			dj_strbuf_adds(&sql, i ? ", ?" : "?");
		dj_strbuf_adds(&sql, ")");
	}
	dj_strbuf_release(&cols);
	char *out = dj_strdup(sql.buf);
	dj_strbuf_release(&sql);
	return out;
}

void dj_model_bulk_init(struct dj_model_bulk *bk, const struct dj_entity *e, const char *extra_col)
{
	bk->e = e;
	bk->extra_col = extra_col;
	bk->sql = bulk_sql(e, extra_col, 1);
	bk->sql_chunk = bulk_sql(e, extra_col, DJ_MODEL_BULK_CHUNK);
	dj_time_rfc3339(dj_time_now(), bk->ts);
}

void dj_model_bulk_row_init(struct dj_model_bulk_row *r)
{
	r->n = 0;
	dj_strbuf_init(&r->bytes, DJ_MODEL_BULK_ROW_BYTES);
}

void dj_model_bulk_row_release(struct dj_model_bulk_row *r)
{
	dj_strbuf_release(&r->bytes);
	r->n = 0;
}

/* false when the row is full (columns or bytes): the fill fails as a whole */
static bool row_bytes(struct dj_model_bulk_row *r, int kind, const void *p, size_t len)
{
	if (r->n >= DJ_MODEL_BULK_COLS || dj_strbuf_add(&r->bytes, p, len))
		return false;
	r->v[r->n].kind = kind;
	r->v[r->n].off = r->bytes.len - len;
	r->v[r->n++].len = len;
	return true;
}

static bool row_int(struct dj_model_bulk_row *r, int kind, int64_t i)
{
	if (r->n >= DJ_MODEL_BULK_COLS)
		return false;
	r->v[r->n].kind = kind;
	r->v[r->n++].i = i;
	return true;
}

dj_rc dj_model_bulk_row_fill(const struct dj_model_ctx *x, const struct dj_model_bulk *bk, const struct dj_value *vals,
			     const char *org_path, int64_t extra, struct dj_model_bulk_row *r)
{
	const struct dj_entity *e = bk->e;
	bool ok = true;
	r->n = 0;
	dj_strbuf_reset(&r->bytes);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		const struct dj_value *v = &vals[i];
		bool absent = !v->set || v->null;
		if (f->flags & DJ_FF_PII) {
			if (absent) {
				ok &= row_int(r, 0, 0);
				ok &= row_int(r, 0, 0);
				ok &= row_int(r, 0, 0);
				continue;
			}
			unsigned char *blob;
			size_t bl;
			char bidx[DJ_PII_BIDX_HEX + 1], mask[80];
			dj_rc rc;
			if (!x->pii)
				return DJ_ERR_INTERNAL;
			if ((rc = dj_pii_seal(x->pii, v->s, strlen(v->s), &blob, &bl)))
				return rc;
			ok &= row_bytes(r, 3, blob, bl);
			dj_free(blob);
			dj_pii_blind(x->pii, v->s, bidx);
			if (strstr(f->name, "phone"))
				dj_pii_mask_phone(v->s, mask, sizeof(mask));
			else
				dj_pii_mask_idnum(v->s, mask, sizeof(mask));
			ok &= row_bytes(r, 2, bidx, strlen(bidx));
			ok &= row_bytes(r, 2, mask, strlen(mask));
		} else if (absent) {
			ok &= row_int(r, 0, 0);
		} else if (is_int_type(f->type)) {
			ok &= row_int(r, 1, v->i);
		} else {
			ok &= row_bytes(r, 2, v->s, strlen(v->s));
		}
	}
	ok &= row_bytes(r, 2, org_path, strlen(org_path));
	ok &= row_int(r, 1, extra);
	ok &= row_bytes(r, 2, bk->ts, strlen(bk->ts));
	ok &= row_bytes(r, 2, bk->ts, strlen(bk->ts));
	return ok ? DJ_OK : DJ_ERR_TOOBIG;
}

static void bind_row(struct dj_stmt *s, const struct dj_model_bulk_row *r, int base)
{
	for (int k = 0; k < r->n; k++) {
		const char *p = r->bytes.buf + r->v[k].off;
		switch (r->v[k].kind) {
		case 1: dj_stmt_bind_int(s, base + k + 1, r->v[k].i); break;
		case 2: dj_stmt_bind_textn(s, base + k + 1, p, r->v[k].len); break;
		case 3: dj_stmt_bind_blob(s, base + k + 1, p, r->v[k].len); break;
		default: dj_stmt_bind_null(s, base + k + 1); break;
		}
	}
}

dj_rc dj_model_bulk_rows_insert(struct dj_db_conn *c, const struct dj_model_bulk *bk,
				const struct dj_model_bulk_row *const *rows, size_t n, struct dj_model_err *err)
{
	struct dj_stmt *s;
	char *tail = NULL; /* the text for a last, shorter chunk (prepared once per import) */
	dj_rc rc;
	if (n == 0 || n > DJ_MODEL_BULK_CHUNK)
		return DJ_ERR_INTERNAL;
	if (n == 1)
		rc = dj_db_prepare(c, bk->sql, &s);
	else if (n == DJ_MODEL_BULK_CHUNK)
		rc = dj_db_prepare(c, bk->sql_chunk, &s);
	else
		rc = dj_db_prepare(c, tail = bulk_sql(bk->e, bk->extra_col, n), &s);
	dj_free(tail);
	if (rc)
		return rc;
	for (size_t j = 0; j < n; j++)
		bind_row(s, rows[j], (int)j * rows[0]->n);
	rc = dj_stmt_exec(s);
	if (rc == DJ_ERR_CONFLICT)
		conflict_field(bk->e, c, err);
	return rc;
}

dj_rc dj_model_bulk_row_insert(struct dj_db_conn *c, const struct dj_model_bulk *bk, const struct dj_model_bulk_row *r,
			       int64_t *id_out, struct dj_model_err *err)
{
	dj_rc rc = dj_model_bulk_rows_insert(c, bk, &r, 1, err);
	if (!rc)
		*id_out = dj_db_last_id(c);
	return rc;
}

dj_rc dj_model_bulk_insert(const struct dj_model_ctx *x, const struct dj_model_bulk *bk, const struct dj_value *vals,
			   const char *org_path, int64_t extra, int64_t *id_out, struct dj_model_err *err)
{
	struct dj_model_bulk_row r;
	dj_model_bulk_row_init(&r);
	dj_rc rc = dj_model_bulk_row_fill(x, bk, vals, org_path, extra, &r);
	if (!rc)
		rc = dj_model_bulk_row_insert(x->c, bk, &r, id_out, err);
	dj_model_bulk_row_release(&r);
	return rc;
}

void dj_model_bulk_release(struct dj_model_bulk *bk)
{
	dj_free(bk->sql);
	dj_free(bk->sql_chunk);
	bk->sql = bk->sql_chunk = NULL;
}

dj_rc dj_model_update(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id,
		      const struct dj_value *vals, struct dj_model_err *err)
{
	struct dj_strbuf cols = DJ_STRBUF_INIT, sql = DJ_STRBUF_INIT, before = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	const char *org_path = NULL, *path = NULL;
	char ts[26];
	int ncols = 0;
	dj_rc rc = row_json(x, e, id, &before);
	if (rc)
		goto out;
	rc = dj_model_row_path(x, e, id, &path);
	for (size_t i = 0; i < e->nfields && !rc; i++) {
		const struct dj_field *f = &e->fields[i];
		const struct dj_value *v = &vals[i];
		if (!v->set)
			continue;
		if (f->flags & DJ_FF_FIXED) {
			fail(err, f, "创建后不能修改");
			rc = DJ_ERR_INVALID;
			break;
		}
		if (f->type == DJ_FT_REF && !v->null) {
			rc = check_ref(x, f, v->i, err);
			if (!rc && e->scoped && strcmp(f->name, "org_id") == 0)
				rc = org_path_in_scope(x->c, x->sc, v->i, x->a, &org_path);
		}
		if (!rc)
			rc = add_value(x, f, v, &cols, &b, true, &ncols);
	}
	if (rc)
		goto out;
	dj_time_rfc3339(dj_time_now(), ts);
	dj_strbuf_addf(&sql, "UPDATE %s SET %s%s", e->table, cols.buf, ncols ? ", " : "");
	if (org_path) {
		dj_strbuf_adds(&sql, "org_path = ?, ");
		bind_s(&b, org_path);
	}
	dj_strbuf_adds(&sql, "updated_at = ? WHERE id = ?");
	bind_s(&b, ts);
	bind_i(&b, id);
	struct dj_stmt *s;
	rc = dj_db_prepare(x->c, sql.buf, &s);
	if (rc)
		goto out;
	apply(s, &b);
	rc = dj_stmt_exec(s);
	if (rc == DJ_ERR_CONFLICT) {
		conflict_field(e, x->c, err);
		goto out;
	}
	if (rc)
		goto out;
	rc = row_json(x, e, id, &after);
	if (!rc)
		rc = audit(x, e, "update", id, org_path ? org_path : path, before.buf, after.buf);
out:
	dj_strbuf_release(&cols);
	dj_strbuf_release(&sql);
	dj_strbuf_release(&before);
	dj_strbuf_release(&after);
	return rc;
}

dj_rc dj_model_delete(const struct dj_model_ctx *x, const struct dj_entity *e, int64_t id, const char *reason)
{
	struct dj_strbuf sql = DJ_STRBUF_INIT, before = DJ_STRBUF_INIT;
	const char *path = NULL;
	char ts[26];
	struct dj_stmt *s;
	dj_rc rc = row_json(x, e, id, &before);
	if (!rc)
		rc = dj_model_row_path(x, e, id, &path);
	if (rc)
		goto out;
	dj_time_rfc3339(dj_time_now(), ts);
	if (e->soft_delete)
		dj_strbuf_addf(&sql, "UPDATE %s SET deleted_at = ?, delete_reason = ?, updated_at = ? WHERE id = ?", e->table);
	else
		dj_strbuf_addf(&sql, "DELETE FROM %s WHERE id = ? OR id = ? OR id = ? OR id = ?", e->table);
	rc = dj_db_prepare(x->c, sql.buf, &s);
	if (rc)
		goto out;
	if (e->soft_delete) {
		dj_stmt_bind_text(s, 1, ts);
		dj_stmt_bind_text(s, 2, reason);
		dj_stmt_bind_text(s, 3, ts);
		dj_stmt_bind_int(s, 4, id);
	} else {
		for (int i = 1; i <= 4; i++)
			dj_stmt_bind_int(s, i, id);
	}
	rc = dj_stmt_exec(s);
	if (!rc) {
		struct dj_strbuf after = DJ_STRBUF_INIT;
		struct dj_jw w;
		dj_jw_init(&w, &after);
		dj_jw_obj_begin(&w);
		dj_jw_kstr(&w, "deleted_at", ts);
		dj_jw_kstr(&w, "delete_reason", reason);
		dj_jw_obj_end(&w);
		rc = audit(x, e, "delete", id, path, before.buf, after.buf);
		dj_strbuf_release(&after);
	}
out:
	dj_strbuf_release(&sql);
	dj_strbuf_release(&before);
	return rc;
}

/* ---- lists -------------------------------------------------------------------------------------------- */

dj_rc dj_model_list_query_parse(const struct dj_entity *e, dj_param_fn param, const void *src,
				struct dj_list_query *q, struct dj_model_err *err)
{
	const char *v;
	memset(q, 0, sizeof(*q));
	q->subtree = true;
	q->sort_field = -1;
	q->page = 1;
	q->per_page = 20;
	err->field = NULL;
#define BAD(name, text)                                              \
	do {                                                            \
		err->field = name;                                          \
		snprintf(err->msg, sizeof(err->msg), "%s", text);           \
		return DJ_ERR_INVALID;                                      \
	} while (0)
	if ((v = param(src, "org_id")) && *v && dj_parse_int_str(v, 1, INT64_MAX, &q->org_id))
		BAD("org_id", "org_id 应为正整数");
	if ((v = param(src, "subtree")) && *v) {
		if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "true") && strcmp(v, "false"))
			BAD("subtree", "subtree 应为 1 或 0");
		q->subtree = v[0] == '1' || v[0] == 't';
	}
	if (e->parent && (v = param(src, e->parent_col)) && *v && dj_parse_int_str(v, 1, INT64_MAX, &q->parent_id))
		BAD(e->parent_col, "上级记录 id 应为正整数");
	if ((v = param(src, "q")) && *v) {
		if (!dj_utf8_valid(v, strlen(v)) || dj_utf8_len(v, strlen(v)) > 50)
			BAD("q", "搜索词过长（最多 50 个字符）");
		q->q = v;
	}
	if ((v = param(src, "sort")) && *v) {
		bool desc = v[0] == '-';
		int i = dj_model_field(e, v + desc);
		if (strcmp(v + desc, "id") == 0) {
			q->sort_field = -1;
		} else if (i < 0 || !(e->fields[i].flags & DJ_FF_SORT)) {
			BAD("sort", "不支持按该字段排序");
		} else {
			q->sort_field = i;
		}
		q->sort_desc = desc;
	}
	if ((v = param(src, "page")) && *v && dj_parse_int_str(v, 1, 1000000, &q->page))
		BAD("page", "page 应为 1 到 1000000 的整数");
	if ((v = param(src, "per_page")) && *v && dj_parse_int_str(v, 1, 200, &q->per_page))
		BAD("per_page", "per_page 应为 1 到 200 的整数");
	if (e->range_col) {
		struct dj_date d;
		if ((v = param(src, "from")) && *v) {
			if (dj_date_parse(v, strlen(v), &d))
				BAD("from", "from 应为 YYYY-MM-DD");
			q->from = v;
		}
		if ((v = param(src, "to")) && *v) {
			if (dj_date_parse(v, strlen(v), &d))
				BAD("to", "to 应为 YYYY-MM-DD");
			if (q->from && strcmp(v, q->from) < 0)
				BAD("to", "结束日期 to 不能早于开始日期 from");
			q->to = v;
		}
	}
	for (size_t i = 0; i < e->nfields && i < 64; i++) {
		const struct dj_field *f = &e->fields[i];
		if (!(f->flags & DJ_FF_FILTER) || strcmp(f->name, "org_id") == 0)
			continue;
		if (f->type == DJ_FT_CODES) {
			char single[64];
			snprintf(single, sizeof(single), "%s", f->name);
			size_t sl = strlen(single);
			if (sl > 1 && single[sl - 1] == 's')
				single[sl - 1] = '\0';
			if (((v = param(src, single)) && *v) || ((v = param(src, f->name)) && *v)) {
				if (!dj_codes_label(f->codes, v)) {
					err->field = f->name;
					snprintf(err->msg, sizeof(err->msg), "%s：不是有效的代码：%s", f->label, v);
					return DJ_ERR_INVALID;
				}
				q->filter_val[i] = v;
			}
			continue;
		}
		if ((v = param(src, f->name)) && *v) {
			struct dj_value tmp;
			struct dj_arena a = DJ_ARENA_INIT;
			dj_rc rc = dj_model_parse_text(f, v, &a, &tmp, err);
			dj_arena_release(&a);
			if (rc)
				return rc;
			q->filter_val[i] = v;
		}
	}
#undef BAD
	return DJ_OK;
}

/* WHERE clause shared by count and page queries. */
static dj_rc list_where(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_list_query *q,
			struct dj_strbuf *sql, struct binds *b)
{
	/* A subtree filter narrows the scope's own path range instead of adding a second range on the
	 * same column: SQLite bounds an index by the first range it is given and only tests the others
	 * row by row, so scope-then-subtree walked the caller's whole scope (docs/performance.md, item 2).
	 * The copy lives in the arena because the binds point into it until both statements have run. */
	const struct dj_scope *sc = x->sc;
	if (q->org_id && e->scoped) {
		const char *path = "";
		dj_rc rc = org_path_in_scope(x->c, x->sc, q->org_id, x->a, &path);
		if (rc)
			return rc; /* a subtree outside the scope answers 404, like an object */
		if (q->subtree) {
			struct dj_scope *sub = dj_arena_alloc(x->a, sizeof(*sub));
			*sub = *x->sc;
			dj_scope_set_path(sub, path);
			sc = sub;
		}
	}
	dj_strbuf_adds(sql, " WHERE 1 = 1");
	scope_where(e, sc, sql, b);
	if (q->org_id && e->scoped && !q->subtree) {
		dj_strbuf_adds(sql, " AND t.org_id = ?");
		bind_i(b, q->org_id);
	}
	if (e->range_col && q->from) {
		dj_strbuf_addf(sql, " AND t.%s >= ?", e->range_col);
		bind_s(b, q->from);
	}
	if (e->range_col && q->to) {
		dj_strbuf_addf(sql, " AND t.%s <= ?", e->range_col);
		bind_s(b, q->to);
	}
	if (q->parent_id && e->parent) {
		dj_strbuf_addf(sql, " AND t.%s = ?", e->parent_col);
		bind_i(b, q->parent_id);
	}
	for (size_t i = 0; i < e->nfields && i < 64; i++) {
		if (!q->filter_val[i])
			continue;
		const struct dj_field *f = &e->fields[i];
		struct dj_value v;
		if (f->type == DJ_FT_CODES) {
			dj_strbuf_addf(sql, " AND instr(t.%s, ?) > 0", f->name);
			bind_s(b, dj_arena_printf(x->a, ",%s,", q->filter_val[i]));
			continue;
		}
		if (dj_model_parse_text(f, q->filter_val[i], x->a, &v, NULL))
			return DJ_ERR_INVALID;
		dj_strbuf_addf(sql, " AND t.%s = ?", f->name);
		if (is_int_type(f->type))
			bind_i(b, v.i);
		else
			bind_s(b, v.s);
	}
	if (q->q) {
		/* Substring match (LIKE, with % and _ escaped): also finds 2-character names. */
		struct dj_strbuf pat = DJ_STRBUF_INIT;
		dj_strbuf_addch(&pat, '%');
		for (const char *p = q->q; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				dj_strbuf_addch(&pat, '\\');
			dj_strbuf_addch(&pat, *p);
		}
		dj_strbuf_addch(&pat, '%');
		const char *pattern = dj_arena_strdup(x->a, pat.buf);
		dj_strbuf_release(&pat);
		int n = 0;
		dj_strbuf_adds(sql, " AND (");
		for (size_t i = 0; i < e->nfields; i++) {
			if (!(e->fields[i].flags & DJ_FF_SEARCH))
				continue;
			dj_strbuf_addf(sql, "%st.%s LIKE ? ESCAPE '\\'", n++ ? " OR " : "", e->fields[i].name);
			bind_s(b, pattern);
		}
		if (!n)
			dj_strbuf_adds(sql, "1 = 1");
		dj_strbuf_adds(sql, ")");
	}
	return DJ_OK;
}

dj_rc dj_model_list(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_list_query *q,
		    struct dj_jw *w, int64_t *total)
{
	struct dj_strbuf sql = DJ_STRBUF_INIT, where = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	struct dj_stmt *s;
	dj_rc rc = list_where(x, e, q, &where, &b);
	*total = 0;
	if (rc)
		goto out;
	dj_strbuf_addf(&sql, "SELECT COUNT(*) FROM %s t%s", e->table, where.buf);
	if ((rc = dj_db_prepare(x->c, sql.buf, &s)))
		goto out;
	apply(s, &b);
	if (dj_stmt_step(s) == DJ_ROW)
		*total = dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	/* The page: pick the ids first, then read only those rows. Sorting whole rows of a township
	 * (every column, PII included) to keep 20 of them cost more than the rest of the request; the
	 * ids alone come from the covering path index when the order is by id. */
	struct dj_strbuf order = DJ_STRBUF_INIT;
	dj_strbuf_adds(&order, " ORDER BY ");
	if (q->sort_field >= 0)
		dj_strbuf_addf(&order, "t.%s %s, ", e->fields[q->sort_field].name, q->sort_desc ? "DESC" : "ASC");
	dj_strbuf_addf(&order, "t.id %s", q->sort_field < 0 && q->sort_desc ? "DESC" : "ASC");
	dj_strbuf_reset(&sql);
	dj_strbuf_adds(&sql, "SELECT ");
	add_list_cols(e, &sql);
	dj_strbuf_addf(&sql, " FROM %s t WHERE t.id IN (SELECT t.id FROM %s t%s%s LIMIT ? OFFSET ?)%s", e->table,
		       e->table, where.buf, order.buf, order.buf);
	dj_strbuf_release(&order);
	bind_i(&b, q->per_page);
	bind_i(&b, (q->page - 1) * q->per_page);
	if ((rc = dj_db_prepare(x->c, sql.buf, &s)))
		goto out;
	apply(s, &b);
	while ((rc = dj_stmt_step(s)) == DJ_ROW)
		write_row(x, e, s, true, false, w);
	dj_stmt_reset(s);
	rc = rc == DJ_DONE ? DJ_OK : rc;
out:
	dj_strbuf_release(&sql);
	dj_strbuf_release(&where);
	return rc;
}

dj_rc dj_model_export(const struct dj_model_ctx *x, const struct dj_entity *e, const struct dj_list_query *q,
		      bool reveal, dj_model_row_fn row, void *arg)
{
	struct dj_strbuf sql = DJ_STRBUF_INIT, where = DJ_STRBUF_INIT;
	struct binds b = { 0 };
	struct dj_stmt *s;
	const char *cells[128];
	char nums[128][24];
	dj_rc rc = list_where(x, e, q, &where, &b);
	if (rc)
		goto out;
	dj_strbuf_adds(&sql, "SELECT ");
	add_list_cols(e, &sql);
	dj_strbuf_addf(&sql, " FROM %s t%s ORDER BY t.org_path, t.id", e->table, where.buf);
	if (!e->scoped) {
		dj_strbuf_reset(&sql);
		dj_strbuf_adds(&sql, "SELECT ");
		add_list_cols(e, &sql);
		dj_strbuf_addf(&sql, " FROM %s t%s ORDER BY t.id", e->table, where.buf);
	}
	if ((rc = dj_db_prepare(x->c, sql.buf, &s)))
		goto out;
	apply(s, &b);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		size_t n = 0;
		int col = COL0(e);
		char *plain[128] = { 0 };
		for (size_t i = 0; i < e->nfields && n < 128; i++, col += 2) {
			const struct dj_field *f = &e->fields[i];
			if (!(f->flags & DJ_FF_LIST))
				continue;
			const char *t = dj_stmt_is_null(s, col) ? "" : NULL;
			if (!t && (f->flags & DJ_FF_PII)) {
				size_t bl;
				const void *blob = dj_stmt_blob(s, col + 1, &bl);
				if (reveal && x->pii && dj_pii_open_blob(x->pii, blob, bl, &plain[n]) == DJ_OK)
					t = plain[n];
				else
					t = dj_stmt_text(s, col);
			} else if (!t && f->type == DJ_FT_CODE) {
				t = dj_codes_label(f->codes, dj_stmt_text(s, col));
			} else if (!t && f->type == DJ_FT_BOOL) {
				t = dj_stmt_int(s, col) ? "是" : "否";
			} else if (!t && f->type == DJ_FT_MONEY) {
				int64_t v = dj_stmt_int(s, col);
				snprintf(nums[n], sizeof(nums[n]), "%s%lld.%02lld", v < 0 ? "-" : "", (long long)(v < 0 ? -v : v) / 100,
					 (long long)(v < 0 ? -v : v) % 100);
				t = nums[n];
			} else if (!t && is_int_type(f->type)) {
				snprintf(nums[n], sizeof(nums[n]), "%lld", (long long)dj_stmt_int(s, col));
				t = nums[n];
			} else if (!t) {
				t = dj_stmt_text(s, col);
			}
			cells[n++] = t ? t : "";
		}
		rc = row(arg, cells, n);
		for (size_t i = 0; i < n; i++)
			dj_free(plain[i]);
		if (rc)
			break;
	}
	dj_stmt_reset(s);
	rc = rc == DJ_DONE ? DJ_OK : rc;
out:
	dj_strbuf_release(&sql);
	dj_strbuf_release(&where);
	return rc;
}

/* ---- metadata --------------------------------------------------------------------------------------------- */

static const char *type_name(enum dj_ftype t)
{
	static const char *const names[] = { "text", "int", "bool", "date", "code", "ref", "money", "codes" };
	return names[t];
}

void dj_model_meta(const struct dj_entity *e, struct dj_jw *w)
{
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "name", e->name);
	dj_jw_kstr(w, "label", e->label);
	dj_jw_kbool(w, "scoped", e->scoped);
	dj_jw_kstr(w, "parent", e->parent);
	dj_jw_kstr(w, "parent_col", e->parent_col);
	dj_jw_key(w, "fields");
	dj_jw_arr_begin(w);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "name", f->name);
		dj_jw_kstr(w, "label", f->label);
		dj_jw_kstr(w, "type", type_name(f->type));
		dj_jw_kbool(w, "required", (f->flags & DJ_FF_REQUIRED) != 0);
		dj_jw_kbool(w, "list", (f->flags & DJ_FF_LIST) != 0);
		dj_jw_kbool(w, "filter", (f->flags & DJ_FF_FILTER) != 0);
		dj_jw_kbool(w, "sort", (f->flags & DJ_FF_SORT) != 0);
		dj_jw_kbool(w, "search", (f->flags & DJ_FF_SEARCH) != 0);
		dj_jw_kbool(w, "pii", (f->flags & DJ_FF_PII) != 0);
		dj_jw_kbool(w, "readonly", (f->flags & DJ_FF_SERVER) != 0);
		dj_jw_kbool(w, "fixed", (f->flags & DJ_FF_FIXED) != 0);
		if (f->type == DJ_FT_TEXT)
			dj_jw_kint(w, "max_len", f->max_len ? f->max_len : 200);
		if (f->type == DJ_FT_INT || f->type == DJ_FT_MONEY) {
			dj_jw_kint(w, "min", f->min);
			dj_jw_kint(w, "max", f->max);
		}
		dj_jw_kstr(w, "codes", f->codes);
		dj_jw_kstr(w, "ref", f->ref);
		dj_jw_kstr(w, "hint", f->hint);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
}

void dj_model_schema(const struct dj_entity *e, struct dj_jw *w)
{
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "type", "object");
	dj_jw_kstr(w, "description", e->label);
	dj_jw_key(w, "required");
	dj_jw_arr_begin(w);
	for (size_t i = 0; i < e->nfields; i++)
		if ((e->fields[i].flags & DJ_FF_REQUIRED) && !(e->fields[i].flags & DJ_FF_SERVER))
			dj_jw_str(w, e->fields[i].name);
	dj_jw_arr_end(w);
	dj_jw_key(w, "properties");
	dj_jw_obj_begin(w);
	dj_jw_key(w, "id");
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "type", "integer");
	dj_jw_kbool(w, "readOnly", true);
	dj_jw_obj_end(w);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct dj_field *f = &e->fields[i];
		dj_jw_key(w, f->name);
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "description", f->label);
		switch (f->type) {
		case DJ_FT_BOOL: dj_jw_kstr(w, "type", "boolean"); break;
		case DJ_FT_INT:
		case DJ_FT_MONEY:
		case DJ_FT_REF: dj_jw_kstr(w, "type", "integer"); break;
		case DJ_FT_DATE:
			dj_jw_kstr(w, "type", "string");
			dj_jw_kstr(w, "format", "date");
			break;
		case DJ_FT_CODE: {
			const struct dj_codelist *l = dj_codes_get(f->codes);
			dj_jw_kstr(w, "type", "string");
			dj_jw_key(w, "enum");
			dj_jw_arr_begin(w);
			for (size_t k = 0; l && k < l->n; k++)
				dj_jw_str(w, l->items[k].code);
			dj_jw_arr_end(w);
			break;
		}
		default:
			dj_jw_kstr(w, "type", "string");
			dj_jw_kint(w, "maxLength", f->max_len ? f->max_len : 200);
			break;
		}
		if (f->flags & DJ_FF_SERVER)
			dj_jw_kbool(w, "readOnly", true);
		dj_jw_kbool(w, "nullable", !(f->flags & DJ_FF_REQUIRED));
		dj_jw_obj_end(w);
	}
	dj_jw_obj_end(w);
	dj_jw_obj_end(w);
}

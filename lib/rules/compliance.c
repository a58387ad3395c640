/* compliance.c — 三会一课 and other organizational life, checked against RULES.md §3.1: counts of
 * held meetings per org, type and month, compared with each rule's minimum per period. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/codes.h"
#include "dj/compliance.h"
#include "dj/org.h"
#include "dj/rules.h"
#include "dj/slice.h"
#include "dj/banned.h"

const struct dj_rule_param_def dj_rule_param_defs[] = {
	/* MTG-5 🔶: no national branch-level frequency for 党课; local practice is ≥1 per quarter. */
	{ "MTG-5", "min_per_quarter", "党课每季度最少次数", "1", "int", 0, 12 },
	/* MTG-3 🔶: whether the branch's 主题党日 may count as the month's 党小组会. */
	{ "MTG-3", "theme_day_counts", "主题党日可计为当月党小组会", "0", "bool", 0, 1 },
	/* S-2 🟡: ">4/5" (strict, default) or "不少于 4/5". */
	{ "S-2", "strict", "选举到会人数按“超过4/5”计算（否则“不少于4/5”）", "1", "bool", 0, 1 },
	{ "ORG-9", "warn_months", "换届提前提醒月数", "6", "int", 1, 24 },
	{ "MTG-1", "remind_days", "本期截止前提醒天数", "15", "int", 0, 90 },
	/* R-VER-1 ⚠️: the date from which steps follow dev-2026 (YYYYMMDD), until the official text is checked. */
	{ "R-VER-1", "switch_on", "2026 年发展党员工作细则启用日期（YYYYMMDD，⚠️ 待核对官方文本）", "20260518", "int", 20140101,
	  20991231 },
	{ "FEE-6", "farmer_fen", "农民党员每月党费（分，省级规定 20–100）", "20", "int", 20, 100 },
	{ "FEE-16", "rounding", "党费取整方式（0 四舍五入到分，1 舍去，2 进一）", "0", "int", 0, 2 },
	{ "FEE-16", "cap_fen", "每月党费上限（分，0 为不设上限）", "0", "int", 0, 100000000 },
	/* FEE-9 ⚠️: the base is fixed once at the start of the year (newer practice, default) or follows pay changes. */
	{ "FEE-9", "annual", "党费基数每年初核定、年内一般不变（否则自工资变动当月起按新基数）", "1", "bool", 0, 1 },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0 },
};

static const struct dj_rule_param_def *param_def(const char *rule, const char *param)
{
	for (const struct dj_rule_param_def *d = dj_rule_param_defs; rule && param && d->rule; d++)
		if (strcmp(d->rule, rule) == 0 && strcmp(d->param, param) == 0)
			return d;
	return NULL;
}

dj_rc dj_rule_param_get(struct dj_db_conn *c, const char *org_path, const char *rule, const char *param, char *out,
			size_t n)
{
	const struct dj_rule_param_def *d = param_def(rule, param);
	struct dj_stmt *s;
	snprintf(out, n, "%s", d ? d->def : "");
	/* The nearest ancestor's (longest path that prefixes org_path) newest setting. */
	dj_rc rc = dj_db_prepare(c, "SELECT value FROM rule_params WHERE rule = ? AND param = ?"
				    " AND substr(?, 1, length(org_path)) = org_path ORDER BY length(org_path) DESC, id DESC LIMIT 1",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, rule);
	dj_stmt_bind_text(s, 2, param);
	dj_stmt_bind_text(s, 3, org_path);
	if (dj_stmt_step(s) == DJ_ROW)
		snprintf(out, n, "%s", dj_stmt_text(s, 0));
	dj_stmt_reset(s);
	return DJ_OK;
}

/* A parameter's text as an integer: at most 31 bytes of it, 0 when it does not parse. */
static int64_t value_int(const char *value)
{
	char v[32];
	int64_t x = 0;
	snprintf(v, sizeof(v), "%s", value ? value : "");
	dj_parse_int_str(v, INT64_MIN, INT64_MAX, &x);
	return x;
}

int64_t dj_rule_param_int(struct dj_db_conn *c, const char *path, const char *rule, const char *param)
{
	char v[32];
	dj_rule_param_get(c, path, rule, param, v, sizeof(v));
	return value_int(v);
}

struct dj_rule_param_row {
	const char *path, *value;
	size_t len;
	int64_t ival; /* value_int(value), worked out once */
};

dj_rc dj_rule_param_tab_load(struct dj_db_conn *c, const char *subtree_path, const char *rule, const char *param,
			     struct dj_arena *a, struct dj_rule_param_tab *out)
{
	const struct dj_rule_param_def *d = param_def(rule, param);
	struct dj_scope sub;
	struct dj_stmt *s;
	size_t cap = 0;
	memset(out, 0, sizeof(*out));
	out->def = d ? d->def : "";
	out->def_int = value_int(out->def);
	dj_scope_set_path(&sub, subtree_path);
	/* What dj_rule_param_get can pick for a path P inside the subtree: a setting whose path
	 * prefixes P either prefixes the subtree's root too (ancestors, the root itself) or starts
	 * with the root (the subtree's own). Per path only the newest (highest id) counts. */
	dj_rc rc = dj_db_prepare(c, "SELECT org_path, value FROM rule_params WHERE rule = ? AND param = ?"
				    " AND (substr(?, 1, length(org_path)) = org_path OR (org_path >= ? AND org_path < ?))"
				    " ORDER BY org_path, id DESC",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, rule);
	dj_stmt_bind_text(s, 2, param);
	dj_stmt_bind_text(s, 3, sub.org_path);
	dj_stmt_bind_text(s, 4, sub.org_path);
	dj_stmt_bind_text(s, 5, sub.path_hi);
	while (dj_stmt_step(s) == DJ_ROW) {
		const char *path = dj_stmt_text(s, 0);
		if (!path || (out->nrows && strcmp(out->rows[out->nrows - 1].path, path) == 0))
			continue; /* an older setting of the same path */
		if (out->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			struct dj_rule_param_row *r = dj_arena_alloc(a, cap * sizeof(*r));
			if (out->nrows)
				memcpy(r, out->rows, out->nrows * sizeof(*r));
			out->rows = r;
		}
		struct dj_rule_param_row *r = &out->rows[out->nrows++];
		r->path = dj_arena_strdup(a, path);
		r->value = dj_arena_strdup(a, dj_stmt_text(s, 1));
		r->len = strlen(path);
		r->ival = value_int(r->value);
	}
	dj_stmt_reset(s);
	/* The distinct lengths, longest first: a path is looked up once per length. */
	out->lens = dj_arena_alloc(a, (out->nrows ? out->nrows : 1) * sizeof(*out->lens));
	for (size_t i = 0; i < out->nrows; i++) {
		size_t k = 0, n = out->rows[i].len;
		while (k < out->nlens && out->lens[k] > n)
			k++;
		if (k < out->nlens && out->lens[k] == n)
			continue;
		memmove(&out->lens[k + 1], &out->lens[k], (out->nlens - k) * sizeof(*out->lens));
		out->lens[k] = n;
		out->nlens++;
	}
	return DJ_OK;
}

/* Order of a row's path against the first n bytes of key, as the query's ORDER BY (bytewise). */
static int row_cmp(const struct dj_rule_param_row *r, const char *key, size_t n)
{
	int c = memcmp(r->path, key, r->len < n ? r->len : n);
	if (c)
		return c;
	return r->len < n ? -1 : r->len > n;
}

/* The setting that applies to org_path, or NULL for the default. */
static const struct dj_rule_param_row *tab_find(const struct dj_rule_param_tab *t, const char *org_path)
{
	size_t plen = strlen(org_path);
	/* The longest prefix of org_path that has a setting: one binary search per length. */
	for (size_t k = 0; k < t->nlens; k++) {
		size_t n = t->lens[k], lo = 0, hi = t->nrows;
		if (n > plen)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = row_cmp(&t->rows[mid], org_path, n);
			if (c == 0)
				return &t->rows[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

const char *dj_rule_param_tab_get(const struct dj_rule_param_tab *t, const char *org_path)
{
	const struct dj_rule_param_row *r = tab_find(t, org_path);
	return r ? r->value : t->def;
}

int64_t dj_rule_param_tab_int(const struct dj_rule_param_tab *t, const char *org_path)
{
	const struct dj_rule_param_row *r = tab_find(t, org_path);
	return r ? r->ival : t->def_int;
}

dj_rc dj_rule_param_set(const struct dj_model_ctx *x, int64_t org_id, const char *rule, const char *param,
			const char *value, const char *note, struct dj_model_err *err)
{
	struct dj_org o;
	struct dj_stmt *s;
	char ts[26], before[64];
	int64_t v;
	const struct dj_rule_param_def *d = param_def(rule, param);
	if (!d) {
		err->field = "param";
		snprintf(err->msg, sizeof(err->msg), "规则 %s 没有可配置的参数 %s", rule ? rule : "", param ? param : "");
		return DJ_ERR_INVALID;
	}
	if (!value || dj_parse_int_str(value, d->min, d->max, &v)) {
		err->field = "value";
		snprintf(err->msg, sizeof(err->msg), "%s 的取值应为 %lld 到 %lld 的整数", d->label, (long long)d->min,
			 (long long)d->max);
		return DJ_ERR_INVALID;
	}
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_rule_param_get(x->c, o.path, rule, param, before, sizeof(before));
	if ((rc = dj_db_prepare(x->c, "INSERT INTO rule_params(org_path, rule, param, value, note, set_by, set_at)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, o.path);
	dj_stmt_bind_text(s, 2, rule);
	dj_stmt_bind_text(s, 3, param);
	dj_stmt_bind_text(s, 4, value);
	dj_stmt_bind_text(s, 5, note);
	dj_stmt_bind_text(s, 6, x->who->username);
	dj_stmt_bind_text(s, 7, dj_time_rfc3339(dj_time_now(), ts));
	if ((rc = dj_stmt_exec(s)))
		return rc;
	struct dj_strbuf b = DJ_STRBUF_INIT, a = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &b);
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "rule", rule);
	dj_jw_kstr(&w, "param", param);
	dj_jw_kstr(&w, "value", before);
	dj_jw_obj_end(&w);
	dj_jw_init(&w, &a);
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "rule", rule);
	dj_jw_kstr(&w, "param", param);
	dj_jw_kstr(&w, "value", value);
	dj_jw_kstr(&w, "note", note);
	dj_jw_kint(&w, "org_id", org_id);
	dj_jw_obj_end(&w);
	struct dj_audit_entry e = { "rule.param_set", "rule_param", org_id, o.path, b.buf, a.buf };
	rc = dj_audit_append(x->c, x->who, &e);
	dj_strbuf_release(&b);
	dj_strbuf_release(&a);
	return rc;
}

dj_rc dj_rule_params_write(const struct dj_model_ctx *x, int64_t org_id, struct dj_jw *w)
{
	struct dj_org o;
	struct dj_stmt *s;
	char v[64];
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "org_id", org_id);
	dj_jw_key(w, "params");
	dj_jw_arr_begin(w);
	for (const struct dj_rule_param_def *d = dj_rule_param_defs; d->rule; d++) {
		dj_rule_param_get(x->c, o.path, d->rule, d->param, v, sizeof(v));
		const struct dj_rule *r = dj_rule_find(d->rule);
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "rule", d->rule);
		dj_jw_kstr(w, "param", d->param);
		dj_jw_kstr(w, "label", d->label);
		dj_jw_kstr(w, "kind", d->kind);
		dj_jw_kstr(w, "default", d->def);
		dj_jw_kstr(w, "value", v);
		dj_jw_kint(w, "min", d->min);
		dj_jw_kint(w, "max", d->max);
		dj_jw_kstr(w, "tag", r ? r->tag : NULL);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_key(w, "history");
	dj_jw_arr_begin(w);
	if ((rc = dj_db_prepare(x->c, "SELECT p.id, p.rule, p.param, p.value, p.note, p.set_by, p.set_at, o.name FROM rule_params p"
				      " JOIN orgs o ON o.path = p.org_path WHERE substr(?, 1, length(p.org_path)) = p.org_path"
				      " OR (p.org_path >= ? AND p.org_path < ?) ORDER BY p.id DESC LIMIT 200", &s)))
		return rc;
	struct dj_scope sub;
	dj_scope_set_path(&sub, o.path);
	dj_stmt_bind_text(s, 1, o.path);
	dj_stmt_bind_text(s, 2, sub.org_path);
	dj_stmt_bind_text(s, 3, sub.path_hi);
	while (dj_stmt_step(s) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kstr(w, "rule", dj_stmt_text(s, 1));
		dj_jw_kstr(w, "param", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "value", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "note", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "set_by", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "set_at", dj_stmt_text(s, 6));
		dj_jw_kstr(w, "org_name", dj_stmt_text(s, 7));
		dj_jw_obj_end(w);
	}
	dj_stmt_reset(s);
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* ---- evaluation ------------------------------------------------------------------------------------ */

enum { T_CONGRESS, T_COMMITTEE, T_GROUP, T_LECTURE, T_THEME, T_ORGLIFE, T_APPRAISAL, T_TALK, NT };
static const char *const type_codes[NT] = { "branch_congress", "committee", "group", "lecture",
					    "theme_day", "org_life", "appraisal", "talk" };
#define MAXM 48 /* months evaluated at once */

struct eorg {
	int64_t id, parent_id, csize;
	const char *path, *name, *kind, *founded, *term_start;
	int *cnt; /* [NT][nmonths] held meetings, allocated at the org's first one; NULL: none held */
	int lecture_min, theme_counts;
};

/* ---- org id → index ------------------------------------------------------------------------------- */

/* Ids of the orgs loaded for one request, mapped to their index in the caller's array. Org ids
 * are dense (INTEGER PRIMARY KEY, rarely deleted), so a table over [lo, lo + span) is the usual
 * form; a subtree whose ids are scattered uses a sorted copy and binary search instead. */
struct idmap {
	int64_t lo;
	size_t span;
	uint32_t *slot; /* dense: index + 1 per id - lo, 0 = not loaded */
	struct idpair { int64_t id; uint32_t ix; } *pairs; /* sparse: sorted by id */
	size_t n;
};

static int idpair_cmp(const void *a, const void *b)
{
	const struct idpair *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Map ids[0..n) (each id once) to 0..n-1. dj_malloc memory: idmap_release. */
static void idmap_build(struct idmap *m, const int64_t *ids, size_t n)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	memset(m, 0, sizeof(*m));
	m->n = n;
	for (size_t i = 0; i < n; i++) {
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	if (n == 0)
		return;
	/* A dense table costs 4 bytes per id in the span: take it while that stays within ~4× the pairs. */
	if ((uint64_t)hi - (uint64_t)lo < 4 * (uint64_t)n + 4096) {
		m->lo = lo;
		m->span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
		m->slot = dj_calloc(m->span, sizeof(*m->slot));
		for (size_t i = 0; i < n; i++)
			m->slot[ids[i] - lo] = (uint32_t)i + 1;
		return;
	}
	m->pairs = dj_malloc(n * sizeof(*m->pairs));
	for (size_t i = 0; i < n; i++) {
		m->pairs[i].id = ids[i];
		m->pairs[i].ix = (uint32_t)i;
	}
	qsort(m->pairs, n, sizeof(*m->pairs), idpair_cmp);
}

/* The index of id, or -1 when it was not loaded. */
static ptrdiff_t idmap_get(const struct idmap *m, int64_t id)
{
	if (m->slot) {
		if (id < m->lo || (uint64_t)id - (uint64_t)m->lo >= m->span)
			return -1;
		return (ptrdiff_t)m->slot[id - m->lo] - 1;
	}
	struct idpair key = { id, 0 }, *p = m->n ? bsearch(&key, m->pairs, m->n, sizeof(key), idpair_cmp) : NULL;
	return p ? (ptrdiff_t)p->ix : -1;
}

static void idmap_release(struct idmap *m)
{
	dj_free(m->slot);
	dj_free(m->pairs);
	memset(m, 0, sizeof(*m));
}

/* The kinds the evaluation loads, as static strings: one copy for every org of the subtree. */
static const char *kind_name(struct dj_arena *a, const char *kind)
{
	static const char *const kinds[] = { "branch", "joint_branch", "general_branch", "group" };
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i], kind) == 0)
			return kinds[i];
	return dj_arena_strdup(a, kind ? kind : ""); /* the query selects only those kinds: not reached */
}

/* An arena copy of a date column, or the shared "" when it is empty (most orgs). */
static const char *text_or_empty(struct dj_arena *a, const char *s)
{
	return s && s[0] ? dj_arena_strdup(a, s) : "";
}

struct period {
	int kind; /* 0 month, 1 quarter, 2 year */
	struct dj_date from, to;
};

static int type_index(const char *code)
{
	for (int i = 0; i < NT; i++)
		if (strcmp(type_codes[i], code) == 0)
			return i;
	return -1;
}

static int month_index(struct dj_date base, struct dj_date d)
{
	return (d.y - base.y) * 12 + (d.m - base.m);
}

static int sum(const struct eorg *o, int nm, int t, struct dj_date base, struct period p)
{
	int n = 0;
	if (!o->cnt)
		return 0; /* no meeting held in the range */
	for (int m = month_index(base, p.from); m <= month_index(base, p.to); m++)
		if (m >= 0 && m < nm)
			n += o->cnt[t * nm + m];
	return n;
}

static void period_name(struct period p, char *buf, size_t n, char *key, size_t kn)
{
	if (p.kind == 0) {
		snprintf(buf, n, "%d年%d月", p.from.y, p.from.m);
		snprintf(key, kn, "%04d-%02d", p.from.y % 10000, p.from.m % 100);
	} else if (p.kind == 1) {
		static const char *const q[] = { "一", "二", "三", "四" };
		int qi = dj_date_quarter(p.from);
		snprintf(buf, n, "%d年第%s季度", p.from.y, q[(qi - 1) & 3]);
		snprintf(key, kn, "%04d-Q%d", p.from.y % 10000, qi % 10);
	} else {
		snprintf(buf, n, "%d年", p.from.y);
		snprintf(key, kn, "%04d", p.from.y % 10000);
	}
}

struct rule_check {
	const char *rule;
	int type;
	int period; /* 0 month, 1 quarter, 2 year */
	const char *what, *freq;
};
static const struct rule_check checks[] = {
	{ "MTG-1", T_CONGRESS, 1, "支部党员大会", "每季度至少1次" },
	{ "MTG-2", T_COMMITTEE, 0, "支委会", "每月至少1次" },
	{ "MTG-3", T_GROUP, 0, "党小组会", "每月至少1次" },
	{ "MTG-5", T_LECTURE, 1, "党课", NULL },
	{ "MTG-6", T_THEME, 0, "主题党日", "每月1次" },
	{ "MTG-7", T_ORGLIFE, 2, "组织生活会", "每年至少1次" },
	{ "MTG-8", T_TALK, 2, "谈心谈话", "每年至少1次" },
	{ "MTG-9", T_APPRAISAL, 2, "民主评议党员", "每年1次" },
};

static bool applies(const struct rule_check *rc, const struct eorg *o)
{
	bool branch = strcmp(o->kind, "branch") == 0 || strcmp(o->kind, "joint_branch") == 0 ||
		      strcmp(o->kind, "general_branch") == 0;
	if (rc->type == T_GROUP)
		return strcmp(o->kind, "group") == 0;
	if (rc->type == T_COMMITTEE)
		return branch && o->csize >= 3; /* only branches that have a committee (ORG-7) */
	return branch;
}

static const char SRC[] = "《中国共产党支部工作条例（试行）》（2018）";

/* The columns of an evaluated org. CASE evaluates lazily: a 党小组 has no committee (its csize and
 * term_start are never read), and a branch whose own members answer needs no second probe for
 * group members. The last column says whether it has active members at all. */
#define EORG_SELECT                                                                                                  \
	"SELECT o.id, COALESCE(o.parent_id, 0), o.path, o.name, o.kind, COALESCE(o.founded_on, ''),"                    \
	" CASE WHEN o.kind = 'group' THEN 0 ELSE"                                                                       \
	" (SELECT COUNT(*) FROM committee_members cm JOIN committee_terms ct ON ct.id = cm.term_id"                      \
	"  WHERE ct.org_id = o.id AND ct.ended_on IS NULL) END,"                                                        \
	" CASE WHEN o.kind = 'group' THEN '' ELSE"                                                                      \
	" (SELECT COALESCE(MIN(ct.started_on), '') FROM committee_terms ct WHERE ct.org_id = o.id"                      \
	"  AND ct.ended_on IS NULL) END,"                                                                               \
	" CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.org_id = o.id AND m.status = 'active'"                      \
	"  AND m.deleted_at IS NULL) THEN 1"                                                                            \
	" WHEN EXISTS (SELECT 1 FROM members m WHERE m.party_group_id = o.id AND m.status = 'active'"                   \
	"  AND m.deleted_at IS NULL) THEN 1 ELSE 0 END"                                                                 \
	" FROM orgs o WHERE o.kind IN ('branch', 'joint_branch', 'general_branch', 'group')"

/* Append the orgs s yields that have members to *orgs (strings in a). */
static void load_eorgs(struct dj_stmt *s, struct dj_arena *a, struct eorg **orgs, size_t *norgs, size_t *cap)
{
	while (dj_stmt_step(s) == DJ_ROW) {
		if (!dj_stmt_int(s, 8))
			continue; /* no members: nothing to hold */
		if (*norgs == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*orgs = dj_realloc(*orgs, *cap * sizeof(**orgs));
		}
		struct eorg *o = &(*orgs)[(*norgs)++];
		o->id = dj_stmt_int(s, 0);
		o->parent_id = dj_stmt_int(s, 1);
		o->path = dj_arena_strdup(a, dj_stmt_text(s, 2));
		o->name = dj_arena_strdup(a, dj_stmt_text(s, 3));
		o->kind = kind_name(a, dj_stmt_text(s, 4));
		o->founded = text_or_empty(a, dj_stmt_text(s, 5));
		o->csize = dj_stmt_int(s, 6);
		o->term_start = text_or_empty(a, dj_stmt_text(s, 7));
		o->cnt = NULL;
		o->lecture_min = o->theme_counts = 0;
	}
	dj_stmt_reset(s);
}

dj_rc dj_compliance_eval(const struct dj_model_ctx *x, const struct dj_compliance_query *q, struct dj_date today,
			 dj_finding_fn fn, void *arg)
{
	struct dj_scope sub, ev;
	struct dj_stmt *s;
	struct eorg *orgs = NULL;
	int64_t *ids = NULL, parent_id = 0;
	const char *parent_path = NULL;
	struct idmap map;
	struct dj_rule_param_tab lecture_tab, theme_tab;
	size_t norgs = 0, cap = 0;
	dj_rc rc;
	const char *root_path = x->sc->org_path, *eval_prefix = NULL;
	if (q->org_id) {
		struct dj_org o, parent;
		if ((rc = dj_org_get(x->c, x->sc, q->org_id, x->a, &o)))
			return rc;
		root_path = o.path;
		eval_prefix = o.path;
		/* The parent counts too (MTG-3's theme-day option reads a group's parent branch); only
		 * the org (and its subtree) below is evaluated. */
		if (o.parent_id && dj_org_get(x->c, x->sc, o.parent_id, x->a, &parent) == DJ_OK) {
			root_path = parent.path;
			parent_id = parent.id;
			parent_path = parent.path;
		}
	}
	dj_scope_set_path(&sub, root_path);
	/* What is loaded: the evaluated subtree, plus the parent of its root. Every other org's parent
	 * lies inside the subtree, so the rest of the parent's subtree (for a city: the province) is
	 * never read. */
	dj_scope_set_path(&ev, eval_prefix ? eval_prefix : root_path);
	/* Whole years around the range, so quarter and year periods see every month. */
	struct dj_date base = { q->from.y, 1, 1 }, end = { q->to.y, 12, 31 };
	if (month_index(base, end) >= MAXM)
		return DJ_ERR_INVALID;
	const int nm = month_index(base, end) + 1; /* months counted per org and type */
	memset(&map, 0, sizeof(map));
	if ((rc = dj_db_prepare(x->c, EORG_SELECT " AND o.path >= ? AND o.path < ? ORDER BY o.path", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, ev.org_path);
	dj_stmt_bind_text(s, 2, ev.path_hi);
	load_eorgs(s, x->a, &orgs, &norgs, &cap);
	if (parent_id) {
		if ((rc = dj_db_prepare(x->c, EORG_SELECT " AND o.id = ?", &s)))
			goto out;
		dj_stmt_bind_int(s, 1, parent_id);
		load_eorgs(s, x->a, &orgs, &norgs, &cap); /* not evaluated: its place in the list is moot */
	}
	/* One id → index map for the parents, the meeting rows (and nothing quadratic in the subtree). */
	ids = dj_malloc((norgs ? norgs : 1) * sizeof(*ids));
	for (size_t i = 0; i < norgs; i++)
		ids[i] = orgs[i].id;
	idmap_build(&map, ids, norgs);
	/* Counts of held meetings per org, type and month: the subtree's, then the parent's own
	 * (its rows carry its path). Rows are counted for the org they name. */
	char from[11], to[11];
	dj_date_format(base, from);
	dj_date_format(end, to);
	for (int pass = 0; pass < (parent_path ? 2 : 1); pass++) {
		if (pass == 0)
			rc = dj_db_prepare(x->c, "SELECT org_id, type, held_on FROM meeting_types WHERE org_path >= ? AND org_path < ?"
						 " AND held_on >= ? AND held_on <= ?", &s);
		else
			rc = dj_db_prepare(x->c, "SELECT org_id, type, held_on FROM meeting_types WHERE org_path = ?"
						 " AND held_on >= ? AND held_on <= ?", &s);
		if (rc)
			goto out;
		int k = 1;
		if (pass == 0) {
			dj_stmt_bind_text(s, k++, ev.org_path);
			dj_stmt_bind_text(s, k++, ev.path_hi);
		} else {
			dj_stmt_bind_text(s, k++, parent_path);
		}
		dj_stmt_bind_text(s, k++, from);
		dj_stmt_bind_text(s, k, to);
		int64_t last_id = -1;
		struct eorg *last = NULL;
		while (dj_stmt_step(s) == DJ_ROW) {
			int64_t oid = dj_stmt_int(s, 0);
			const char *held = dj_stmt_text(s, 2);
			int t = type_index(dj_stmt_text(s, 1));
			struct dj_date d;
			if (t < 0 || !held || dj_date_parse(held, strlen(held), &d))
				continue;
			if (oid != last_id) {
				ptrdiff_t ix = idmap_get(&map, oid);
				last = ix >= 0 ? &orgs[ix] : NULL;
				last_id = oid;
			}
			int m = month_index(base, d);
			if (last && m >= 0 && m < nm) {
				if (!last->cnt)
					last->cnt = dj_arena_alloc(x->a, sizeof(int) * NT * (size_t)nm);
				last->cnt[t * nm + m]++;
			}
		}
		dj_stmt_reset(s);
	}
	/* MTG-1's reminder horizon is read at the loaded root (the parent), as it always was. */
	int64_t remind = q->remind_days > 0 ? q->remind_days : dj_rule_param_int(x->c, sub.org_path, "MTG-1", "remind_days");
	/* MTG-5 🔶 and MTG-3 🔶 per org: the subtree's settings read once, resolved per path in memory. */
	if ((rc = dj_rule_param_tab_load(x->c, ev.org_path, "MTG-5", "min_per_quarter", x->a, &lecture_tab)) ||
	    (rc = dj_rule_param_tab_load(x->c, ev.org_path, "MTG-3", "theme_day_counts", x->a, &theme_tab)))
		goto out;
	/* The periods of each rule that overlap [from, to] and have begun, with their texts: the same
	 * for every org, so worked out once here rather than per org. */
	struct pinfo {
		struct period p;
		char pend[11], pn[40], key[12];
		bool past;
		int64_t left;
	} *per[sizeof(checks) / sizeof(checks[0])];
	size_t nper[sizeof(checks) / sizeof(checks[0])];
	for (size_t c = 0; c < sizeof(checks) / sizeof(checks[0]); c++) {
		const struct rule_check *ck = &checks[c];
		int step = ck->period == 0 ? 1 : ck->period == 1 ? 3 : 12;
		struct dj_date p0 = { q->from.y, ck->period == 0 ? q->from.m : ck->period == 1 ? (dj_date_quarter(q->from) - 1) * 3 + 1 : 1, 1 };
		per[c] = dj_arena_alloc(x->a, sizeof(*per[c]) * (MAXM + 1));
		nper[c] = 0;
		for (struct dj_date ps = p0; dj_date_cmp(ps, q->to) <= 0 && nper[c] <= MAXM; ps = dj_date_add_months(ps, step)) {
			struct pinfo *pi = &per[c][nper[c]];
			pi->p = (struct period){ ck->period, ps, dj_date_add_days(dj_date_add_months(ps, step), -1) };
			if (dj_date_cmp(pi->p.from, today) > 0)
				break; /* future */
			dj_date_format(pi->p.to, pi->pend);
			period_name(pi->p, pi->pn, sizeof(pi->pn), pi->key, sizeof(pi->key));
			pi->past = dj_date_cmp(pi->p.to, today) < 0;
			pi->left = dj_date_to_days(pi->p.to) - dj_date_to_days(today);
			nper[c]++;
		}
	}
	for (size_t i = 0; i < norgs && !rc; i++) {
		struct eorg *o = &orgs[i];
		if (!q->subtree && o->id != q->org_id)
			continue;
		if (eval_prefix && strncmp(o->path, eval_prefix, strlen(eval_prefix)) != 0)
			continue;
		if (q->on_org && (rc = q->on_org(arg, o->id, o->path)))
			break;
		o->lecture_min = (int)dj_rule_param_tab_int(&lecture_tab, o->path);
		o->theme_counts = (int)dj_rule_param_tab_int(&theme_tab, o->path);
		ptrdiff_t pk = idmap_get(&map, o->parent_id);
		const struct eorg *parent = pk >= 0 ? &orgs[pk] : NULL;
		for (size_t c = 0; c < sizeof(checks) / sizeof(checks[0]) && !rc; c++) {
			const struct rule_check *ck = &checks[c];
			if (q->rule && strcmp(q->rule, ck->rule) != 0)
				continue;
			if (!applies(ck, o))
				continue;
			int need = ck->type == T_LECTURE ? o->lecture_min : 1;
			if (need <= 0)
				continue;
			for (size_t k = 0; k < nper[c]; k++) {
				const struct pinfo *pi = &per[c][k];
				if (o->founded[0] && strcmp(o->founded, pi->pend) > 0)
					continue; /* the org did not exist yet */
				if (ck->type == T_COMMITTEE && o->term_start[0] && strcmp(o->term_start, pi->pend) > 0)
					continue; /* no committee yet in that month */
				int n = sum(o, nm, ck->type, base, pi->p);
				if (ck->type == T_GROUP && o->theme_counts && parent)
					n += sum(parent, nm, T_THEME, base, pi->p); /* MTG-3 🔶 option */
				if (n >= need)
					continue;
				if (!pi->past && pi->left > remind)
					continue;
				enum dj_severity sev = pi->past ? DJ_SEV_ERROR : DJ_SEV_WARNING;
				if (q->min_severity >= 0 && (int)sev < q->min_severity)
					continue;
				char msg[300], freq[64];
				struct dj_finding f = { ck->rule, sev, NULL, o->id, 0, pi->key, pi->pend, SRC, "branch-2018" };
				if (!q->no_message) {
					if (ck->type == T_LECTURE)
						snprintf(freq, sizeof(freq), "本地规定每季度至少%d次", need);
					else
						snprintf(freq, sizeof(freq), "%s", ck->freq);
					if (pi->past && n == 0)
						snprintf(msg, sizeof(msg), "%s未召开%s（%s：%s）", pi->pn, ck->what, ck->rule, freq);
					else if (pi->past)
						snprintf(msg, sizeof(msg), "%s%s %d 次，少于规定（%s：%s）", pi->pn, ck->what, n, ck->rule, freq);
					else
						snprintf(msg, sizeof(msg), "%s尚未召开%s，请于 %s 前完成（%s：%s）", pi->pn, ck->what, pi->pend,
							 ck->rule, freq);
					f.message = msg;
				}
				rc = fn(arg, &f, o->name);
			}
		}
	}
out:
	idmap_release(&map);
	dj_free(ids);
	dj_free(orgs);
	return rc;
}

/* ---- dashboard ------------------------------------------------------------------------------------- */

struct cell_acc {
	const char *path;  /* the dashboard row's org path */
	int64_t id;
	const char *name, *kind;
	int bad[12], warn[12];
	int branches;
	int errors;
};

struct dash {
	struct cell_acc *rows;
	size_t nrows;
	struct { int64_t org_id; const char *name; int errors; } worst[256];
	size_t nworst;
	/* per evaluated org and month: 2 error, 1 warning; worst: its entry there + 1 (0 none) */
	struct { int64_t org_id; const char *path; unsigned char m[12]; int worst; } *marks;
	size_t nmarks, capmarks;
	struct dj_arena *a;
	int year;
};

/* A dashboard row by path, for finding the row of an evaluated org. */
struct row_key {
	const char *path;
	size_t len, row;
};

static int row_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row_key *)a)->path, ((const struct row_key *)b)->path);
}

/* Each evaluated org gets a mark (months with errors and warnings), in the order evaluated. */
static dj_rc on_org(void *arg, int64_t org_id, const char *org_path)
{
	struct dash *d = arg;
	if (d->nmarks == d->capmarks) {
		d->capmarks = d->capmarks ? d->capmarks * 2 : 512;
		d->marks = dj_realloc(d->marks, d->capmarks * sizeof(*d->marks));
	}
	memset(&d->marks[d->nmarks], 0, sizeof(d->marks[0]));
	d->marks[d->nmarks].org_id = org_id;
	d->marks[d->nmarks].path = org_path; /* the evaluation's arena copy */
	d->nmarks++;
	return DJ_OK;
}

static dj_rc on_finding(void *arg, const struct dj_finding *f, const char *org_name)
{
	struct dash *d = arg;
	/* Findings come right after their org's on_org: its mark is the last one. */
	if (d->nmarks == 0 || d->marks[d->nmarks - 1].org_id != f->org_id)
		return DJ_OK; /* not an evaluated org (cannot happen) */
	size_t i = d->nmarks - 1;
	int month = 12;
	if (f->due_on && strlen(f->due_on) >= 7)
		month = (f->due_on[5] - '0') * 10 + (f->due_on[6] - '0');
	if (month < 1 || month > 12)
		return DJ_OK;
	unsigned char v = f->severity == DJ_SEV_ERROR ? 2 : 1;
	if (d->marks[i].m[month - 1] < v)
		d->marks[i].m[month - 1] = v;
	if (f->severity == DJ_SEV_ERROR) {
		/* The first 256 orgs with an error are ranked (the mark remembers each one's entry). */
		size_t k = d->marks[i].worst ? (size_t)d->marks[i].worst - 1 : d->nworst;
		if (k == d->nworst && d->nworst < 256) {
			d->worst[k].org_id = f->org_id;
			d->worst[k].name = dj_arena_strdup(d->a, org_name);
			d->worst[k].errors = 0;
			d->nworst++;
			d->marks[i].worst = (int)k + 1;
		}
		if (k < d->nworst)
			d->worst[k].errors++;
	}
	return DJ_OK;
}

dj_rc dj_compliance_dashboard(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_date today,
			      struct dj_jw *w)
{
	struct dj_org o, *kids;
	int64_t nk, total;
	struct dash d;
	memset(&d, 0, sizeof(d));
	d.a = x->a;
	d.year = year;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	rc = dj_org_children(x->c, x->sc, org_id, 1, 200, x->a, &kids, &nk, &total);
	if (rc)
		return rc;
	/* Rows: the children (each aggregating its subtree), or the org itself when it is a leaf. */
	d.rows = dj_arena_alloc(x->a, sizeof(*d.rows) * (size_t)(nk ? nk : 1));
	if (nk == 0) {
		d.rows[0].path = o.path;
		d.rows[0].id = o.id;
		d.rows[0].name = o.name;
		d.rows[0].kind = o.kind;
		d.nrows = 1;
	}
	for (int64_t i = 0; i < nk; i++) {
		d.rows[i].path = kids[i].path;
		d.rows[i].id = kids[i].id;
		d.rows[i].name = kids[i].name;
		d.rows[i].kind = kids[i].kind;
		d.nrows++;
	}
	/* The evaluation reports the orgs it evaluates (branches and groups with members) as marks. */
	struct dj_compliance_query q = { org_id, true, { year, 1, 1 }, { year, 12, 31 }, NULL, -1, 0, true, on_org };
	rc = dj_compliance_eval(x, &q, today, on_finding, &d);
	if (rc)
		goto out;
	/* Each evaluated org counts for the rows whose path prefixes its own. Rows are siblings (or the
	 * org alone), so none prefixes another and the one row that can match is the greatest path
	 * not after the org's: a binary search over the rows by path instead of a scan. */
	struct row_key *rk = dj_arena_alloc(x->a, sizeof(*rk) * d.nrows);
	for (size_t r = 0; r < d.nrows; r++) {
		rk[r].path = d.rows[r].path;
		rk[r].len = strlen(d.rows[r].path);
		rk[r].row = r;
	}
	qsort(rk, d.nrows, sizeof(*rk), row_key_cmp);
	bool nested = false; /* some row prefixes another (not expected): scan every row then */
	for (size_t r = 1; r < d.nrows; r++)
		nested |= strncmp(rk[r].path, rk[r - 1].path, rk[r - 1].len) == 0;
	int last_month = year < today.y ? 12 : year > today.y ? 0 : today.m;
	int64_t ok_cells = 0, all_cells = 0;
	for (size_t i = 0; i < d.nmarks; i++) {
		size_t lo = 0, hi = d.nrows;
		if (!nested) {
			/* The first row whose path sorts after the mark's; the candidate is just before it. */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (strcmp(rk[mid].path, d.marks[i].path) <= 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			hi = lo;
			lo = lo ? lo - 1 : 0;
		} else {
			lo = 0;
		}
		for (size_t j = lo; j < hi; j++) {
			if (strncmp(d.marks[i].path, rk[j].path, rk[j].len) != 0)
				continue;
			size_t r = rk[j].row;
			d.rows[r].branches++;
			for (int m = 0; m < 12; m++) {
				if (d.marks[i].m[m] == 2) {
					d.rows[r].bad[m]++;
					d.rows[r].errors++;
				} else if (d.marks[i].m[m] == 1) {
					d.rows[r].warn[m]++;
				}
			}
		}
		for (int m = 0; m < last_month; m++) {
			all_cells++;
			ok_cells += d.marks[i].m[m] != 2;
		}
	}
	dj_jw_obj_begin(w);
	dj_jw_key(w, "org");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", o.id);
	dj_jw_kstr(w, "name", o.name);
	dj_jw_kint_or_null(w, "parent_id", o.parent_id, o.parent_id == 0 || strcmp(o.path, x->sc->org_path) == 0);
	dj_jw_obj_end(w);
	dj_jw_kint(w, "year", year);
	dj_jw_kint(w, "orgs_evaluated", (int64_t)d.nmarks);
	dj_jw_kint(w, "percent", all_cells ? ok_cells * 100 / all_cells : 100);
	dj_jw_key(w, "rows");
	dj_jw_arr_begin(w);
	for (size_t r = 0; r < d.nrows; r++) {
		struct cell_acc *row = &d.rows[r];
		int64_t rok = 0, rall = 0;
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "org_id", row->id);
		dj_jw_kstr(w, "name", row->name);
		dj_jw_kstr(w, "kind", row->kind);
		dj_jw_kint(w, "orgs_evaluated", row->branches);
		dj_jw_key(w, "months");
		dj_jw_arr_begin(w);
		for (int m = 0; m < 12; m++) {
			dj_jw_obj_begin(w);
			dj_jw_kint(w, "month", m + 1);
			if (m >= last_month || row->branches == 0) {
				dj_jw_kstr(w, "status", m >= last_month ? "future" : "none");
				dj_jw_knull(w, "percent");
			} else {
				int64_t okn = row->branches - row->bad[m];
				int64_t pct = okn * 100 / row->branches;
				rok += okn;
				rall += row->branches;
				dj_jw_kstr(w, "status", pct >= 90 ? (row->warn[m] ? "amber" : "green") : pct >= 60 ? "amber" : "red");
				dj_jw_kint(w, "percent", pct);
				dj_jw_kint(w, "missing", row->bad[m]);
			}
			dj_jw_obj_end(w);
		}
		dj_jw_arr_end(w);
		dj_jw_kint(w, "percent", rall ? rok * 100 / rall : 100);
		dj_jw_kint(w, "errors", row->errors);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	/* Worst offenders: the most error findings this year. */
	for (size_t i = 0; i < d.nworst; i++)
		for (size_t k = i + 1; k < d.nworst; k++)
			if (d.worst[k].errors > d.worst[i].errors) {
				__typeof__(d.worst[0]) t = d.worst[i];
				d.worst[i] = d.worst[k];
				d.worst[k] = t;
			}
	dj_jw_key(w, "worst");
	dj_jw_arr_begin(w);
	for (size_t i = 0; i < d.nworst && i < 10; i++) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "org_id", d.worst[i].org_id);
		dj_jw_kstr(w, "name", d.worst[i].name);
		dj_jw_kint(w, "errors", d.worst[i].errors);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
out:
	dj_free(d.marks);
	return rc;
}

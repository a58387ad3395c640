/* dues_ledger.c — the party dues ledger (RULES.md §6): descriptors, base history (FEE-9), monthly
 * bills from admission (FEE-10), reductions (FEE-7), payments (FEE-8, FEE-11, FEE-14), collection
 * cycles with closed months guarded, bulk payment and the month-rollover sync. Integer 分 only. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/compliance.h"
#include "dj/dues_ledger.h"
#include "dj/org.h"
#include "dj/slice.h"
#include "dj/banned.h"

#define L DJ_FF_LIST
#define F DJ_FF_FILTER
#define S DJ_FF_SORT
#define R DJ_FF_REQUIRED
#define SV DJ_FF_SERVER
#define MONEY_MAX 100000000000LL /* 10 亿元 */

static const struct dj_field base_fields[] = {
	{ "category", "党费类别", DJ_FT_TEXT, R | L, 20, 0, 0, NULL, NULL,
	  "employed 在职、retired 离退休、farmer 农民、student 学生、unemployed 下岗失业、subsistence 低保或抚恤救济、"
	  "annual_salary 年薪制、self_employed 无固定月收入" },
	{ "base_fen", "交纳基数（分）", DJ_FT_MONEY, L, 0, 0, MONEY_MAX, NULL, NULL,
	  "税后月工资收入或离退休费（FEE-1、FEE-5、FEE-15）；农民、学生等定额类别不填" },
	{ "effective_month", "起用月份", DJ_FT_TEXT, L | S, 7, 0, 0, NULL, NULL, "YYYY-MM；按年核定时自当年 1 月起（FEE-9）" },
	{ "note", "说明", DJ_FT_TEXT, L, 200, 0, 0, NULL, NULL, NULL },
	{ "set_by", "核定人", DJ_FT_TEXT, L | SV, 64, 0, 0, NULL, NULL, NULL },
	{ "set_at", "核定时间", DJ_FT_TEXT, L | SV, 30, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_dues_base_entity = {
	"dues_base", "dues_bases", "党费基数", base_fields, sizeof(base_fields) / sizeof(base_fields[0]),
	false, false, "members", "member_id", NULL, NULL,
};

static const struct dj_field exemption_fields[] = {
	{ "from_month", "起始月份", DJ_FT_TEXT, R | L, 7, 0, 0, NULL, NULL, "YYYY-MM" },
	{ "to_month", "截止月份", DJ_FT_TEXT, R | L, 7, 0, 0, NULL, NULL, "YYYY-MM" },
	{ "amount_fen", "减免后每月应交（分）", DJ_FT_MONEY, R | L, 0, 0, MONEY_MAX, NULL, NULL, "0 为免交（FEE-7）" },
	{ "reason", "减免原因", DJ_FT_TEXT, R | L, 500, 0, 0, NULL, NULL, NULL },
	{ "approved_by", "批准的党组织", DJ_FT_TEXT, R | L, 100, 0, 0, NULL, NULL, "经党支部研究，报上级党委批准" },
	{ "approved_on", "批准日期", DJ_FT_DATE, R | L, 0, 0, 0, NULL, NULL, NULL },
	{ "created_by", "登记人", DJ_FT_TEXT, L | SV, 64, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_dues_exemption_entity = {
	"dues_exemption", "dues_exemptions", "党费减免", exemption_fields,
	sizeof(exemption_fields) / sizeof(exemption_fields[0]), false, false, "members", "member_id", NULL, NULL,
};

static const struct dj_field bill_fields[] = {
	{ "org_id", "收缴党组织", DJ_FT_REF, R | L | SV, 0, 0, 0, NULL, "orgs", NULL },
	{ "member_id", "党员 id", DJ_FT_INT, R | L | SV, 0, 1, INT64_MAX, NULL, NULL, NULL },
	{ "month", "月份", DJ_FT_TEXT, R | L | S | SV, 7, 0, 0, NULL, NULL, NULL },
	{ "category", "党费类别", DJ_FT_TEXT, L | SV, 20, 0, 0, NULL, NULL, NULL },
	{ "base_fen", "交纳基数（分）", DJ_FT_MONEY, L | SV, 0, 0, MONEY_MAX, NULL, NULL, NULL },
	{ "calc_fen", "按标准应交（分）", DJ_FT_MONEY, L | SV, 0, 0, MONEY_MAX, NULL, NULL, NULL },
	{ "amount_fen", "应交（分）", DJ_FT_MONEY, R | L | SV, 0, 0, MONEY_MAX, NULL, NULL, "减免后" },
	{ "paid_fen", "实交（分）", DJ_FT_MONEY, R | L | SV, 0, 0, MONEY_MAX, NULL, NULL, NULL },
	{ "status", "状态", DJ_FT_TEXT, L | SV, 10, 0, 0, NULL, NULL, "unpaid 未交、partial 部分交纳、paid 已交、exempt 免交、none 无需交纳" },
	{ "rule", "依据", DJ_FT_TEXT, L | SV, 10, 0, 0, NULL, NULL, NULL },
	{ "explanation", "计算说明", DJ_FT_TEXT, SV, 400, 0, 0, NULL, NULL, "为空时按类别和基数即时生成" },
	{ "exemption_id", "减免记录", DJ_FT_INT, SV, 0, 0, INT64_MAX, NULL, NULL, NULL },
};
const struct dj_entity dj_dues_bill_entity = {
	"dues_bill", "dues_bills", "党费应交", bill_fields, sizeof(bill_fields) / sizeof(bill_fields[0]),
	true, false, NULL, NULL, NULL, NULL,
};

static const struct dj_field payment_fields[] = {
	{ "org_id", "收缴党组织", DJ_FT_REF, R | L | SV, 0, 0, 0, NULL, "orgs", NULL },
	{ "member_id", "党员 id", DJ_FT_INT, R | L | SV, 0, 1, INT64_MAX, NULL, NULL, NULL },
	{ "month", "所交月份", DJ_FT_TEXT, R | L | S, 7, 0, 0, NULL, NULL, "YYYY-MM" },
	{ "paid_on", "缴费日期", DJ_FT_DATE, R | L | S, 0, 0, 0, NULL, NULL, NULL },
	{ "amount_fen", "金额（分）", DJ_FT_MONEY, R | L, 0, 1, 1000000000, NULL, NULL, NULL },
	{ "method", "缴费方式", DJ_FT_TEXT, R | L, 10, 0, 0, NULL, NULL, "cash 现金、transfer 转账、online 线上" },
	{ "kind", "类型", DJ_FT_TEXT, L | SV, 14, 0, 0, NULL, NULL, "dues 按月交纳、back_payment 补交、voluntary 自愿多交" },
	{ "payer", "交纳人", DJ_FT_TEXT, L, 10, 0, 0, NULL, NULL, "self 本人、member 他人代缴（FEE-11）" },
	{ "payer_member_id", "代缴党员 id", DJ_FT_INT, L, 0, 1, INT64_MAX, NULL, NULL, NULL },
	{ "consent", "经党支部同意", DJ_FT_BOOL, L, 0, 0, 0, NULL, NULL, NULL },
	{ "remit_central", "全额上缴中央", DJ_FT_BOOL, L | SV, 0, 0, 0, NULL, NULL, "单笔自愿多交 1000 元以上（FEE-8）" },
	{ "note", "备注", DJ_FT_TEXT, L, 200, 0, 0, NULL, NULL, NULL },
	{ "source", "登记方式", DJ_FT_TEXT, SV, 10, 0, 0, NULL, NULL, NULL },
	{ "recorded_by", "登记人", DJ_FT_TEXT, L | SV, 64, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_dues_payment_entity = {
	"dues_payment", "dues_payments", "党费交纳记录", payment_fields,
	sizeof(payment_fields) / sizeof(payment_fields[0]), true, true, NULL, NULL, NULL, "paid_on",
};

static const struct dj_field cycle_fields[] = {
	{ "org_id", "党组织", DJ_FT_REF, R | L | SV, 0, 0, 0, NULL, "orgs", NULL },
	{ "month", "月份", DJ_FT_TEXT, R | L | S | SV, 7, 0, 0, NULL, NULL, NULL },
	{ "status", "状态", DJ_FT_TEXT, L | SV, 12, 0, 0, NULL, NULL, "open 已开启、collecting 收缴中、closed 已结账" },
	{ "members", "应交人数", DJ_FT_INT, L | SV, 0, 0, INT64_MAX, NULL, NULL, NULL },
	{ "paid_members", "已交清人数", DJ_FT_INT, L | SV, 0, 0, INT64_MAX, NULL, NULL, NULL },
	{ "due_fen", "应交（分）", DJ_FT_MONEY, L | SV, 0, 0, INT64_MAX, NULL, NULL, NULL },
	{ "paid_fen", "实交（分）", DJ_FT_MONEY, L | SV, 0, 0, INT64_MAX, NULL, NULL, NULL },
	{ "unpaid_fen", "未交（分）", DJ_FT_MONEY, L | SV, 0, 0, INT64_MAX, NULL, NULL, NULL },
	{ "paid_at_close_fen", "结账时实交（分）", DJ_FT_MONEY, L | SV, 0, 0, INT64_MAX, NULL, NULL, "其后的补交不改变此数" },
	{ "closed_at", "结账时间", DJ_FT_TEXT, L | SV, 30, 0, 0, NULL, NULL, NULL },
	{ "closed_by", "结账人", DJ_FT_TEXT, L | SV, 64, 0, 0, NULL, NULL, NULL },
};
const struct dj_entity dj_dues_cycle_entity = {
	"dues_cycle", "dues_cycles", "党费收缴周期", cycle_fields, sizeof(cycle_fields) / sizeof(cycle_fields[0]),
	true, false, NULL, NULL, NULL, NULL,
};

void dj_dues_ddl(struct dj_strbuf *sb)
{
	dj_model_ddl(&dj_dues_base_entity, sb);
	dj_model_ddl(&dj_dues_exemption_entity, sb);
	dj_model_ddl(&dj_dues_bill_entity, sb);
	dj_model_ddl(&dj_dues_payment_entity, sb);
	dj_model_ddl(&dj_dues_cycle_entity, sb);
	dj_strbuf_adds(sb, "CREATE INDEX dues_bases_member_month ON dues_bases(member_id, effective_month, id);"
			   "CREATE UNIQUE INDEX dues_bills_member_month ON dues_bills(member_id, month);"
			   "CREATE INDEX dues_bills_org_month ON dues_bills(org_id, month);"
			   "CREATE INDEX dues_payments_member_month ON dues_payments(member_id, month);"
			   "CREATE UNIQUE INDEX dues_cycles_org_month ON dues_cycles(org_id, month);"
			   "CREATE INDEX dues_cycles_path_month ON dues_cycles(org_path, month);"
			   /* The month through which every member's bills exist (dj_dues_sync). */
			   "CREATE TABLE dues_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;");
}

/* ---- months and categories ------------------------------------------------------------------------ */

dj_rc dj_dues_month_parse(const char *s, int *out)
{
	int64_t y, m;
	if (!s || strlen(s) != 7 || s[4] != '-' || dj_parse_int(s, 4, 1900, 2999, &y) || dj_parse_int(s + 5, 2, 1, 12, &m))
		return DJ_ERR_INVALID;
	*out = (int)(y * 12 + m - 1);
	return DJ_OK;
}

char *dj_dues_month_format(int m, char *buf)
{
	unsigned u = m > 0 ? (unsigned)m : 0;
	snprintf(buf, 8, "%04u-%02u", (u / 12) % 10000, u % 12 + 1);
	return buf;
}

int dj_dues_month_of(struct dj_date d)
{
	return d.y * 12 + d.m - 1;
}

static int current_month(void)
{
	return dj_dues_month_of(dj_date_today());
}

static const struct {
	const char *code, *label;
	bool flat; /* FEE-6: a fixed amount, no base */
} categories[] = {
	{ "employed", "在职党员", false },
	{ "retired", "离退休党员", false },
	{ "farmer", "农民党员", true },
	{ "student", "学生党员", true },
	{ "unemployed", "下岗失业党员", true },
	{ "subsistence", "低保或抚恤救济党员", true },
	{ "annual_salary", "年薪制党员", false },
	{ "self_employed", "无固定月收入党员", false },
};

const char *dj_dues_category_label(const char *code)
{
	for (size_t i = 0; code && i < sizeof(categories) / sizeof(categories[0]); i++)
		if (strcmp(categories[i].code, code) == 0)
			return categories[i].label;
	return NULL;
}

bool dj_dues_category_flat(const char *code)
{
	for (size_t i = 0; code && i < sizeof(categories) / sizeof(categories[0]); i++)
		if (strcmp(categories[i].code, code) == 0)
			return categories[i].flat;
	return false;
}

void dj_dues_settings_for(struct dj_db_conn *c, const char *org_path, struct dj_dues_settings *st)
{
	st->farmer_fen = dj_rule_param_int(c, org_path, "FEE-6", "farmer_fen");
	st->rounding = (int)dj_rule_param_int(c, org_path, "FEE-16", "rounding");
	st->cap_fen = dj_rule_param_int(c, org_path, "FEE-16", "cap_fen");
}

static void ferr(struct dj_model_err *err, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ferr(struct dj_model_err *err, const char *field, const char *fmt, ...)
{
	va_list ap;
	err->field = field;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* "2026年3月" for messages. */
static char *month_cn(int m, char *buf, size_t n)
{
	snprintf(buf, n, "%d年%d月", m / 12, m % 12 + 1);
	return buf;
}

static bool is_admin(const struct dj_model_ctx *x)
{
	return x->sc->role == DJ_ROLE_ADMIN;
}

static dj_rc audit_json(const struct dj_model_ctx *x, const char *action, const char *type, int64_t id,
			const char *path, const char *before, const char *after)
{
	struct dj_audit_entry e = { action, type, id, path, before, after };
	return dj_audit_append(x->c, x->who, &e);
}

/* ---- members ------------------------------------------------------------------------------------------ */

struct mrow {
	int64_t id, org_id;
	char path[DJ_PATH_MAX];
	char name[160];
	int joined; /* month of joined_on (FEE-10), -1 if unknown */
	bool active;
};

/* A member in the caller's scope (the member role: only itself). */
static dj_rc load_member(const struct dj_model_ctx *x, int64_t id, struct mrow *m)
{
	struct dj_stmt *s;
	memset(m, 0, sizeof(*m));
	if (x->sc->role == DJ_ROLE_MEMBER && id != x->sc->member_id)
		return DJ_ERR_NOTFOUND;
	dj_rc rc = dj_db_prepare(x->c, "SELECT id, org_id, org_path, name, COALESCE(joined_on, ''), status FROM members"
				       " WHERE id = ? AND org_path >= ? AND org_path < ? AND deleted_at IS NULL", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, x->sc->org_path);
	dj_stmt_bind_text(s, 3, x->sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		struct dj_date d;
		const char *j = dj_stmt_text(s, 4), *st = dj_stmt_text(s, 5);
		m->id = dj_stmt_int(s, 0);
		m->org_id = dj_stmt_int(s, 1);
		snprintf(m->path, sizeof(m->path), "%s", dj_stmt_text(s, 2));
		snprintf(m->name, sizeof(m->name), "%s", dj_stmt_text(s, 3));
		m->joined = j && dj_date_parse(j, strlen(j), &d) == DJ_OK ? dj_dues_month_of(d) : -1;
		m->active = st && strcmp(st, "active") == 0;
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	} else if (rc == DJ_OK) {
		rc = DJ_ERR_DB; /* a step never answers OK */
	}
	dj_stmt_reset(s);
	return rc;
}

/* ---- cycles ------------------------------------------------------------------------------------------ */

/* (org, month) pairs whose cycle totals must be recomputed before the transaction ends. */
struct touched {
	struct {
		int64_t org;
		int month;
	} *v;
	size_t n, cap;
};

static void touch(struct touched *t, int64_t org, int month)
{
	for (size_t i = t->n; i > 0; i--)
		if (t->v[i - 1].org == org && t->v[i - 1].month == month)
			return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = dj_realloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n].org = org;
	t->v[t->n].month = month;
	t->n++;
}

static const char Q_CYCLE_ENSURE[] =
	"INSERT INTO dues_cycles(org_id, org_path, month, status, members, paid_members, due_fen, paid_fen, unpaid_fen,"
	" created_at, updated_at) VALUES (?, ?, ?, 'open', 0, 0, 0, 0, 0, ?, ?) ON CONFLICT (org_id, month) DO NOTHING";

static dj_rc cycle_ensure(struct dj_db_conn *c, int64_t org, const char *path, int month)
{
	struct dj_stmt *s;
	char mb[8], ts[26];
	dj_rc rc = dj_db_prepare(c, Q_CYCLE_ENSURE, &s);
	if (rc)
		return rc;
	dj_time_rfc3339(dj_time_now(), ts);
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_text(s, 2, path);
	dj_stmt_bind_text(s, 3, dj_dues_month_format(month, mb));
	dj_stmt_bind_text(s, 4, ts);
	dj_stmt_bind_text(s, 5, ts);
	return dj_stmt_exec(s);
}

/* Status of a cycle ("" when there is none). */
static dj_rc cycle_status(struct dj_db_conn *c, int64_t org, int month, char *out, size_t n)
{
	struct dj_stmt *s;
	char mb[8];
	out[0] = '\0';
	dj_rc rc = dj_db_prepare(c, "SELECT status FROM dues_cycles WHERE org_id = ? AND month = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_text(s, 2, dj_dues_month_format(month, mb));
	if (dj_stmt_step(s) == DJ_ROW)
		snprintf(out, n, "%s", dj_stmt_text(s, 0));
	dj_stmt_reset(s);
	return DJ_OK;
}

static dj_rc cycle_closed(struct dj_db_conn *c, int64_t org, int month, bool *closed)
{
	char st[16];
	dj_rc rc = cycle_status(c, org, month, st, sizeof(st));
	*closed = strcmp(st, "closed") == 0;
	return rc;
}

/* Totals of a cycle as JSON text (for audit before/after). */
static void cycle_json(struct dj_db_conn *c, int64_t org, int month, struct dj_strbuf *out)
{
	struct dj_stmt *s;
	char mb[8];
	dj_strbuf_reset(out);
	if (dj_db_prepare(c, "SELECT status, members, paid_members, due_fen, paid_fen, unpaid_fen FROM dues_cycles"
			     " WHERE org_id = ? AND month = ?", &s))
		return;
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_text(s, 2, dj_dues_month_format(month, mb));
	if (dj_stmt_step(s) == DJ_ROW)
		dj_strbuf_addf(out, "{\"org_id\":%lld,\"month\":\"%s\",\"status\":\"%s\",\"members\":%lld,\"paid_members\":%lld,"
				    "\"due_fen\":%lld,\"paid_fen\":%lld,\"unpaid_fen\":%lld}",
			       (long long)org, mb, dj_stmt_text(s, 0), (long long)dj_stmt_int(s, 1), (long long)dj_stmt_int(s, 2),
			       (long long)dj_stmt_int(s, 3), (long long)dj_stmt_int(s, 4), (long long)dj_stmt_int(s, 5));
	dj_stmt_reset(s);
}

static const char Q_CYCLE_REFRESH[] =
	"UPDATE dues_cycles SET"
	" members = (SELECT COUNT(*) FROM dues_bills b WHERE b.org_id = ? AND b.month = ?),"
	" paid_members = (SELECT COUNT(*) FROM dues_bills b WHERE b.org_id = ? AND b.month = ?"
	"  AND b.status IN ('paid', 'exempt', 'none')),"
	" due_fen = (SELECT COALESCE(SUM(b.amount_fen), 0) FROM dues_bills b WHERE b.org_id = ? AND b.month = ?),"
	" paid_fen = (SELECT COALESCE(SUM(b.paid_fen), 0) FROM dues_bills b WHERE b.org_id = ? AND b.month = ?),"
	" unpaid_fen = (SELECT COALESCE(SUM(CASE WHEN b.amount_fen > b.paid_fen THEN b.amount_fen - b.paid_fen ELSE 0 END), 0)"
	"  FROM dues_bills b WHERE b.org_id = ? AND b.month = ?),"
	" updated_at = ? WHERE org_id = ? AND month = ?";

/* Cycle totals are always the sums of their bills. */
static dj_rc cycle_refresh(struct dj_db_conn *c, int64_t org, int month)
{
	struct dj_stmt *s;
	char mb[8], ts[26];
	dj_rc rc = dj_db_prepare(c, Q_CYCLE_REFRESH, &s);
	if (rc)
		return rc;
	dj_dues_month_format(month, mb);
	for (int i = 0; i < 5; i++) {
		dj_stmt_bind_int(s, 2 * i + 1, org);
		dj_stmt_bind_text(s, 2 * i + 2, mb);
	}
	dj_stmt_bind_text(s, 11, dj_time_rfc3339(dj_time_now(), ts));
	dj_stmt_bind_int(s, 12, org);
	dj_stmt_bind_text(s, 13, mb);
	return dj_stmt_exec(s);
}

static dj_rc flush(struct dj_db_conn *c, struct touched *t)
{
	dj_rc rc = DJ_OK;
	for (size_t i = 0; i < t->n && !rc; i++)
		rc = cycle_refresh(c, t->v[i].org, t->v[i].month);
	dj_free(t->v);
	memset(t, 0, sizeof(*t));
	return rc;
}

/* The first payment moves an opened cycle to "collecting". */
static dj_rc cycle_collecting(struct dj_db_conn *c, int64_t org, int month)
{
	struct dj_stmt *s;
	char mb[8];
	dj_rc rc = dj_db_prepare(c, "UPDATE dues_cycles SET status = 'collecting' WHERE org_id = ? AND month = ? AND status = 'open'",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_text(s, 2, dj_dues_month_format(month, mb));
	return dj_stmt_exec(s);
}

static void closed_msg(struct dj_model_err *err, int month)
{
	char mc[24];
	ferr(err, "month", "%s的党费已结账（收缴周期已关闭）；修改已结账月份须由管理员（admin）办理", month_cn(month, mc, sizeof(mc)));
}

/* ---- bills ------------------------------------------------------------------------------------------- */

struct base {
	int month;
	char cat[24];
	int64_t fen;
};
struct exem {
	int64_t id, fen;
	int from, to;
	char by[120];
};
struct calc {
	const char *cat;
	int64_t base, calc, amount, ex_id;
	const char *rule;
	char expl[400];
};

static dj_rc load_bases(struct dj_db_conn *c, int64_t member, struct base **out, size_t *n)
{
	struct dj_stmt *s;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	dj_rc rc = dj_db_prepare(c, "SELECT effective_month, category, COALESCE(base_fen, 0) FROM dues_bases WHERE member_id = ?"
				    " ORDER BY effective_month, id", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, member);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		int m;
		if (dj_dues_month_parse(dj_stmt_text(s, 0), &m))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = dj_realloc(*out, cap * sizeof(**out));
		}
		struct base *b = &(*out)[(*n)++];
		b->month = m;
		snprintf(b->cat, sizeof(b->cat), "%s", dj_stmt_text(s, 1));
		b->fen = dj_stmt_int(s, 2);
	}
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

static dj_rc load_exems(struct dj_db_conn *c, int64_t member, struct exem **out, size_t *n)
{
	struct dj_stmt *s;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	dj_rc rc = dj_db_prepare(c, "SELECT id, from_month, to_month, amount_fen, approved_by FROM dues_exemptions"
				    " WHERE member_id = ? ORDER BY id", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, member);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		struct exem e;
		if (dj_dues_month_parse(dj_stmt_text(s, 1), &e.from) || dj_dues_month_parse(dj_stmt_text(s, 2), &e.to))
			continue;
		e.id = dj_stmt_int(s, 0);
		e.fen = dj_stmt_int(s, 3);
		snprintf(e.by, sizeof(e.by), "%s", dj_stmt_text(s, 4) ? dj_stmt_text(s, 4) : "");
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*out = dj_realloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = e;
	}
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

/* What a member owes for a month: the newest base in force (FEE-9 history), FEE-2…6 through
 * dj_dues_calc with the subtree's settings, then the newest approved reduction (FEE-7). */
static bool compute(int month, const struct base *b, size_t nb, const struct exem *e, size_t ne,
		    const struct dj_dues_settings *st, struct calc *out)
{
	const struct base *in = NULL;
	struct dj_dues_result res;
	for (size_t i = 0; i < nb && b[i].month <= month; i++)
		in = &b[i];
	if (!in)
		return false;
	int64_t base = dj_dues_category_flat(in->cat) ? 0 : in->fen;
	if (dj_dues_calc(in->cat, base, st, &res))
		return false;
	memset(out, 0, sizeof(*out));
	out->cat = in->cat;
	out->base = base;
	out->calc = out->amount = res.amount_fen;
	out->rule = res.rule;
	snprintf(out->expl, sizeof(out->expl), "%s", res.explanation);
	for (size_t i = ne; i > 0; i--) {
		const struct exem *x = &e[i - 1];
		if (x->from <= month && month <= x->to) {
			char am[24];
			if (x->fen < out->amount)
				out->amount = x->fen;
			out->ex_id = x->id;
			out->rule = "FEE-7";
			size_t l = strlen(out->expl);
			if (out->amount == 0)
				snprintf(out->expl + l, sizeof(out->expl) - l, "；经%s批准免交（FEE-7）", x->by);
			else
				snprintf(out->expl + l, sizeof(out->expl) - l, "；经%s批准减为每月 %s 元（FEE-7）", x->by,
					 dj_fen_format(out->amount, am, sizeof(am)));
			break;
		}
	}
	return true;
}

static const char *bill_status(int64_t amount, int64_t paid, int64_t ex_id)
{
	if (amount == 0)
		return ex_id ? "exempt" : "none";
	return paid >= amount ? "paid" : paid > 0 ? "partial" : "unpaid";
}

struct bill {
	int64_t id, org_id, base, calc, amount, paid, ex_id;
	int month;
	char cat[24];
	char path[DJ_PATH_MAX];
};

static const char Q_BILLS_OF[] =
	"SELECT id, org_id, org_path, month, COALESCE(category, ''), COALESCE(base_fen, 0), COALESCE(calc_fen, 0), amount_fen,"
	" paid_fen, COALESCE(exemption_id, 0) FROM dues_bills WHERE member_id = ? AND month >= ? AND month <= ? ORDER BY month";

static void bill_from(struct dj_stmt *s, struct bill *b)
{
	b->id = dj_stmt_int(s, 0);
	b->org_id = dj_stmt_int(s, 1);
	snprintf(b->path, sizeof(b->path), "%s", dj_stmt_text(s, 2));
	if (dj_dues_month_parse(dj_stmt_text(s, 3), &b->month))
		b->month = 0;
	snprintf(b->cat, sizeof(b->cat), "%s", dj_stmt_text(s, 4));
	b->base = dj_stmt_int(s, 5);
	b->calc = dj_stmt_int(s, 6);
	b->amount = dj_stmt_int(s, 7);
	b->paid = dj_stmt_int(s, 8);
	b->ex_id = dj_stmt_int(s, 9);
}

static const char Q_BILL_INSERT[] =
	"INSERT INTO dues_bills(org_path, org_id, member_id, month, category, base_fen, calc_fen, amount_fen, paid_fen, status,"
	" rule, explanation, exemption_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)";
static const char Q_BILL_UPDATE[] =
	"UPDATE dues_bills SET category = ?, base_fen = ?, calc_fen = ?, amount_fen = ?, status = ?, rule = ?, explanation = ?,"
	" exemption_id = ?, updated_at = ? WHERE id = ?";

enum { REGEN_INSERT_ONLY = 1 };

/* Bring a member's bills for months [from, to] (clipped to the member's start and the current
 * month) in line with the bases and reductions. Closed months change only for the admin role,
 * each change traced in the audit log; otherwise DJ_ERR_CONFLICT. *changed counts bills written. */
static dj_rc regen(const struct dj_model_ctx *x, const struct mrow *m, int from, int to, int flags, struct touched *t,
		   int *changed, struct dj_model_err *err)
{
	struct base *bases = NULL;
	struct exem *ex = NULL;
	struct bill *have = NULL;
	size_t nb = 0, ne = 0;
	struct dj_dues_settings st = DJ_DUES_SETTINGS_DEFAULT, st2 = DJ_DUES_SETTINGS_DEFAULT;
	char st2_path[DJ_PATH_MAX] = "", mb[8], ts[26];
	struct dj_stmt *s;
	int cur = current_month();
	dj_rc rc = load_bases(x->c, m->id, &bases, &nb);
	if (rc || nb == 0)
		goto out;
	if ((rc = load_exems(x->c, m->id, &ex, &ne)))
		goto out;
	/* FEE-10: from the month the 支部大会 admitted the member; bills begin with the first base. */
	int start = from;
	if (start < bases[0].month)
		start = bases[0].month;
	if (m->joined >= 0 && start < m->joined)
		start = m->joined;
	if (to > cur)
		to = cur;
	if (start > to)
		goto out;
	size_t span = (size_t)(to - start + 1);
	have = dj_calloc(span, sizeof(*have));
	if ((rc = dj_db_prepare(x->c, Q_BILLS_OF, &s)))
		goto out;
	dj_stmt_bind_int(s, 1, m->id);
	dj_stmt_bind_text(s, 2, dj_dues_month_format(start, mb));
	dj_stmt_bind_text(s, 3, dj_dues_month_format(to, mb));
	while (dj_stmt_step(s) == DJ_ROW) {
		struct bill b;
		bill_from(s, &b);
		if (b.month >= start && b.month <= to)
			have[b.month - start] = b;
	}
	dj_stmt_reset(s);
	dj_dues_settings_for(x->c, m->path, &st);
	dj_time_rfc3339(dj_time_now(), ts);
	for (int month = start; month <= to && !rc; month++) {
		struct bill *h = &have[month - start];
		struct calc c;
		bool closed = false;
		if (h->id && (flags & REGEN_INSERT_ONLY))
			continue;
		if (!h->id && !m->active)
			continue; /* no new bills once a member is no longer active */
		const struct dj_dues_settings *use = &st;
		if (h->id && strcmp(h->path, m->path) != 0) {
			/* A bill stays with the org that collected it; its subtree's settings apply. */
			if (strcmp(st2_path, h->path) != 0) {
				dj_dues_settings_for(x->c, h->path, &st2);
				snprintf(st2_path, sizeof(st2_path), "%s", h->path);
			}
			use = &st2;
		}
		if (!compute(month, bases, nb, ex, ne, use, &c))
			continue;
		if (h->id && strcmp(h->cat, c.cat) == 0 && h->base == c.base && h->calc == c.calc && h->amount == c.amount &&
		    h->ex_id == c.ex_id)
			continue;
		int64_t org = h->id ? h->org_id : m->org_id;
		const char *path = h->id ? h->path : m->path;
		if (!h->id && (rc = cycle_ensure(x->c, org, path, month)))
			break;
		if ((rc = cycle_closed(x->c, org, month, &closed)))
			break;
		if (closed && !is_admin(x)) {
			closed_msg(err, month);
			rc = DJ_ERR_CONFLICT;
			break;
		}
		const char *status = bill_status(c.amount, h->id ? h->paid : 0, c.ex_id);
		if (h->id) {
			if ((rc = dj_db_prepare(x->c, Q_BILL_UPDATE, &s)))
				break;
			dj_stmt_bind_text(s, 1, c.cat);
			dj_stmt_bind_int(s, 2, c.base);
			dj_stmt_bind_int(s, 3, c.calc);
			dj_stmt_bind_int(s, 4, c.amount);
			dj_stmt_bind_text(s, 5, status);
			dj_stmt_bind_text(s, 6, c.rule);
			dj_stmt_bind_text(s, 7, c.expl);
			if (c.ex_id)
				dj_stmt_bind_int(s, 8, c.ex_id);
			else
				dj_stmt_bind_null(s, 8);
			dj_stmt_bind_text(s, 9, ts);
			dj_stmt_bind_int(s, 10, h->id);
		} else {
			if ((rc = dj_db_prepare(x->c, Q_BILL_INSERT, &s)))
				break;
			dj_stmt_bind_text(s, 1, path);
			dj_stmt_bind_int(s, 2, org);
			dj_stmt_bind_int(s, 3, m->id);
			dj_stmt_bind_text(s, 4, dj_dues_month_format(month, mb));
			dj_stmt_bind_text(s, 5, c.cat);
			dj_stmt_bind_int(s, 6, c.base);
			dj_stmt_bind_int(s, 7, c.calc);
			dj_stmt_bind_int(s, 8, c.amount);
			dj_stmt_bind_text(s, 9, status);
			dj_stmt_bind_text(s, 10, c.rule);
			dj_stmt_bind_text(s, 11, c.expl);
			if (c.ex_id)
				dj_stmt_bind_int(s, 12, c.ex_id);
			else
				dj_stmt_bind_null(s, 12);
			dj_stmt_bind_text(s, 13, ts);
			dj_stmt_bind_text(s, 14, ts);
		}
		if ((rc = dj_stmt_exec(s)))
			break;
		if (closed) {
			/* The admin changed a closed month: the trace names the bill before and after. */
			char before[200], after[200];
			snprintf(before, sizeof(before), "{\"member_id\":%lld,\"month\":\"%s\",\"amount_fen\":%lld,\"category\":\"%s\"}",
				 (long long)m->id, dj_dues_month_format(month, mb), (long long)(h->id ? h->amount : 0),
				 h->id ? h->cat : "");
			snprintf(after, sizeof(after), "{\"member_id\":%lld,\"month\":\"%s\",\"amount_fen\":%lld,\"category\":\"%s\"}",
				 (long long)m->id, mb, (long long)c.amount, c.cat);
			if ((rc = audit_json(x, "dues.closed_change", "dues_bill", h->id ? h->id : dj_db_last_id(x->c), path,
					     h->id ? before : NULL, after)))
				break;
		}
		touch(t, org, month);
		(*changed)++;
	}
out:
	dj_free(bases);
	dj_free(ex);
	dj_free(have);
	return rc;
}

/* ---- bases and reductions ------------------------------------------------------------------------------ */

static int fidx(const struct dj_entity *e, const char *name)
{
	return dj_model_field(e, name);
}

dj_rc dj_dues_base_set(const struct dj_model_ctx *x, int64_t member_id, const json_t *body, struct dj_jw *w,
		       struct dj_model_err *err)
{
	const struct dj_entity *e = &dj_dues_base_entity;
	struct dj_value v[8];
	struct mrow m;
	struct touched t = { 0 };
	struct dj_stmt *s;
	char mb[8], ts[26], mc[24];
	int changed = 0, month, cur = current_month();
	bool normalized = false;
	dj_rc rc = load_member(x, member_id, &m);
	if (rc)
		return rc;
	if ((rc = dj_model_unpack(e, body, true, x->a, v, err)))
		return rc;
	const char *cat = v[fidx(e, "category")].s;
	const struct dj_value *bf = &v[fidx(e, "base_fen")], *em = &v[fidx(e, "effective_month")];
	const struct dj_value *note = &v[fidx(e, "note")];
	if (!dj_dues_category_label(cat)) {
		ferr(err, "category", "党费类别应为 employed、retired、farmer、student、unemployed、subsistence、annual_salary 或 "
				      "self_employed（收到 %s）", cat);
		return DJ_ERR_INVALID;
	}
	bool flat = dj_dues_category_flat(cat);
	bool has_base = bf->set && !bf->null;
	if (flat && has_base && bf->i != 0) {
		ferr(err, "base_fen", "%s按定额交纳（FEE-6），不需要填写交纳基数", dj_dues_category_label(cat));
		return DJ_ERR_INVALID;
	}
	if (!flat && !has_base) {
		ferr(err, "base_fen", "%s须填写交纳基数（base_fen，单位：分）", dj_dues_category_label(cat));
		return DJ_ERR_INVALID;
	}
	/* FEE-9 ⚠️: annual fixing (default) or from the month the new pay is first received. */
	bool annual = dj_rule_param_int(x->c, m.path, "FEE-9", "annual") != 0;
	if (em->set && !em->null) {
		if (dj_dues_month_parse(em->s, &month)) {
			ferr(err, "effective_month", "起用月份应为 YYYY-MM（收到 %s）", em->s);
			return DJ_ERR_INVALID;
		}
	} else {
		month = annual ? cur - cur % 12 : cur;
	}
	if (annual && month % 12 != 0) {
		month -= month % 12;
		normalized = true;
	}
	if (month < cur - 36 || month > cur + 12) {
		ferr(err, "effective_month", "起用月份应在近 3 年内或今后 12 个月内（收到 %s）", month_cn(month, mc, sizeof(mc)));
		return DJ_ERR_INVALID;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "INSERT INTO dues_bases(member_id, category, base_fen, effective_month, note, set_by, set_at,"
				      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	dj_stmt_bind_text(s, 2, cat);
	if (flat)
		dj_stmt_bind_null(s, 3);
	else
		dj_stmt_bind_int(s, 3, bf->i);
	dj_stmt_bind_text(s, 4, dj_dues_month_format(month, mb));
	dj_stmt_bind_text(s, 5, note->set && !note->null ? note->s : NULL);
	dj_stmt_bind_text(s, 6, x->who->username);
	dj_stmt_bind_text(s, 7, ts);
	dj_stmt_bind_text(s, 8, ts);
	dj_stmt_bind_text(s, 9, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	int64_t id = dj_db_last_id(x->c);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw aw;
	dj_jw_init(&aw, &sb);
	dj_jw_obj_begin(&aw);
	dj_jw_kint(&aw, "id", id);
	dj_jw_kint(&aw, "member_id", member_id);
	dj_jw_kstr(&aw, "category", cat);
	dj_jw_kint_or_null(&aw, "base_fen", flat ? 0 : bf->i, flat);
	dj_jw_kstr(&aw, "effective_month", mb);
	dj_jw_kstr(&aw, "policy", annual ? "annual" : "monthly");
	dj_jw_kstr(&aw, "note", note->set && !note->null ? note->s : NULL);
	dj_jw_obj_end(&aw);
	rc = audit_json(x, "dues_base.create", "member", member_id, m.path, NULL, sb.buf);
	dj_strbuf_release(&sb);
	if (!rc)
		rc = regen(x, &m, month, cur, 0, &t, &changed, err);
	if (!rc)
		rc = flush(x->c, &t);
	dj_free(t.v);
	if (rc)
		return rc;
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", id);
	dj_jw_kint(w, "member_id", member_id);
	dj_jw_kstr(w, "category", cat);
	dj_jw_kstr(w, "category_label", dj_dues_category_label(cat));
	dj_jw_kint_or_null(w, "base_fen", flat ? 0 : bf->i, flat);
	dj_jw_kstr(w, "effective_month", mb);
	dj_jw_kstr(w, "note", note->set && !note->null ? note->s : NULL);
	dj_jw_kstr(w, "set_by", x->who->username);
	dj_jw_kstr(w, "set_at", ts);
	dj_jw_kstr(w, "policy", annual ? "annual" : "monthly");
	dj_jw_kstr(w, "policy_label", annual ? "每年初核定，年内一般不变（FEE-9）" : "工资变动当月起按新基数（FEE-9）");
	dj_jw_kbool(w, "normalized", normalized);
	dj_jw_kint(w, "bills_changed", changed);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* An exemption as JSON; created_by and bills_changed (≥ 0) only in answers. */
static void exemption_json(struct dj_jw *w, int64_t id, int64_t member_id, const char *fm, const char *tm, int64_t amount,
			   const char *reason, const char *by, const char *on, const char *created_by, int changed)
{
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", id);
	dj_jw_kint(w, "member_id", member_id);
	dj_jw_kstr(w, "from_month", fm);
	dj_jw_kstr(w, "to_month", tm);
	dj_jw_kint(w, "amount_fen", amount);
	dj_jw_kstr(w, "kind", amount ? "reduction" : "exempt");
	dj_jw_kstr(w, "kind_label", amount ? "减交" : "免交");
	dj_jw_kstr(w, "reason", reason);
	dj_jw_kstr(w, "approved_by", by);
	dj_jw_kstr(w, "approved_on", on);
	if (created_by)
		dj_jw_kstr(w, "created_by", created_by);
	if (changed >= 0)
		dj_jw_kint(w, "bills_changed", changed);
	dj_jw_obj_end(w);
}

dj_rc dj_dues_exemption_add(const struct dj_model_ctx *x, int64_t member_id, const json_t *body, struct dj_jw *w,
			    struct dj_model_err *err)
{
	const struct dj_entity *e = &dj_dues_exemption_entity;
	struct dj_value v[8];
	struct mrow m;
	struct touched t = { 0 };
	struct dj_stmt *s;
	struct dj_date ad;
	char ts[26];
	int from, to, changed = 0;
	dj_rc rc = load_member(x, member_id, &m);
	if (rc)
		return rc;
	if ((rc = dj_model_unpack(e, body, true, x->a, v, err)))
		return rc;
	const char *fm = v[fidx(e, "from_month")].s, *tm = v[fidx(e, "to_month")].s;
	const char *reason = v[fidx(e, "reason")].s, *by = v[fidx(e, "approved_by")].s, *on = v[fidx(e, "approved_on")].s;
	int64_t amount = v[fidx(e, "amount_fen")].i;
	if (dj_dues_month_parse(fm, &from)) {
		ferr(err, "from_month", "起始月份应为 YYYY-MM（收到 %s）", fm);
		return DJ_ERR_INVALID;
	}
	if (dj_dues_month_parse(tm, &to) || to < from) {
		ferr(err, "to_month", "截止月份应为 YYYY-MM，且不早于起始月份");
		return DJ_ERR_INVALID;
	}
	if (to - from >= 36) {
		ferr(err, "to_month", "一次减免最长 36 个月，期满后应重新研究审批（FEE-7）");
		return DJ_ERR_INVALID;
	}
	dj_date_parse(on, strlen(on), &ad);
	if (dj_date_cmp(ad, dj_date_today()) > 0) {
		ferr(err, "approved_on", "批准日期不能晚于今天");
		return DJ_ERR_INVALID;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "INSERT INTO dues_exemptions(member_id, from_month, to_month, amount_fen, reason, approved_by,"
				      " approved_on, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	dj_stmt_bind_text(s, 2, fm);
	dj_stmt_bind_text(s, 3, tm);
	dj_stmt_bind_int(s, 4, amount);
	dj_stmt_bind_text(s, 5, reason);
	dj_stmt_bind_text(s, 6, by);
	dj_stmt_bind_text(s, 7, on);
	dj_stmt_bind_text(s, 8, x->who->username);
	dj_stmt_bind_text(s, 9, ts);
	dj_stmt_bind_text(s, 10, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	int64_t id = dj_db_last_id(x->c);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw aw;
	dj_jw_init(&aw, &sb);
	exemption_json(&aw, id, member_id, fm, tm, amount, reason, by, on, NULL, -1);
	rc = audit_json(x, "dues_exemption.create", "member", member_id, m.path, NULL, sb.buf);
	dj_strbuf_release(&sb);
	if (!rc)
		rc = regen(x, &m, from, to, 0, &t, &changed, err);
	if (!rc)
		rc = flush(x->c, &t);
	dj_free(t.v);
	if (!rc)
		exemption_json(w, id, member_id, fm, tm, amount, reason, by, on, x->who->username, changed);
	return rc;
}

/* ---- payments ------------------------------------------------------------------------------------------ */

static const char *const methods[] = { "cash", "transfer", "online", NULL };

static bool in_list(const char *const *l, const char *s)
{
	for (; s && *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

/* The bill of a member for a month, if any. */
static dj_rc load_bill(struct dj_db_conn *c, int64_t member, int month, struct bill *b, bool *found)
{
	struct dj_stmt *s;
	char mb[8];
	*found = false;
	dj_rc rc = dj_db_prepare(c, Q_BILLS_OF, &s);
	if (rc)
		return rc;
	dj_dues_month_format(month, mb);
	dj_stmt_bind_int(s, 1, member);
	dj_stmt_bind_text(s, 2, mb);
	dj_stmt_bind_text(s, 3, mb);
	if (dj_stmt_step(s) == DJ_ROW) {
		bill_from(s, b);
		*found = true;
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

static dj_rc bill_add_paid(struct dj_db_conn *c, const struct bill *b, int64_t delta)
{
	struct dj_stmt *s;
	char ts[26];
	int64_t paid = b->paid + delta;
	dj_rc rc = dj_db_prepare(c, "UPDATE dues_bills SET paid_fen = ?, status = ?, updated_at = ? WHERE id = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, paid);
	dj_stmt_bind_text(s, 2, bill_status(b->amount, paid, b->ex_id));
	dj_stmt_bind_text(s, 3, dj_time_rfc3339(dj_time_now(), ts));
	dj_stmt_bind_int(s, 4, b->id);
	return dj_stmt_exec(s);
}

static const char Q_PAY_INSERT[] =
	"INSERT INTO dues_payments(org_path, org_id, member_id, month, paid_on, amount_fen, method, kind, payer, payer_member_id,"
	" consent, remit_central, note, source, recorded_by, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

struct payrow {
	int64_t org, member, payer_member, amount;
	const char *path, *month, *paid_on, *method, *kind, *payer, *note, *source;
	bool consent, remit;
};

static dj_rc pay_insert(const struct dj_model_ctx *x, const struct payrow *p, int64_t *id)
{
	struct dj_stmt *s;
	char ts[26];
	dj_rc rc = dj_db_prepare(x->c, Q_PAY_INSERT, &s);
	if (rc)
		return rc;
	dj_time_rfc3339(dj_time_now(), ts);
	dj_stmt_bind_text(s, 1, p->path);
	dj_stmt_bind_int(s, 2, p->org);
	dj_stmt_bind_int(s, 3, p->member);
	dj_stmt_bind_text(s, 4, p->month);
	dj_stmt_bind_text(s, 5, p->paid_on);
	dj_stmt_bind_int(s, 6, p->amount);
	dj_stmt_bind_text(s, 7, p->method);
	dj_stmt_bind_text(s, 8, p->kind);
	dj_stmt_bind_text(s, 9, p->payer);
	if (p->payer_member)
		dj_stmt_bind_int(s, 10, p->payer_member);
	else
		dj_stmt_bind_null(s, 10);
	dj_stmt_bind_int(s, 11, p->consent);
	dj_stmt_bind_int(s, 12, p->remit);
	dj_stmt_bind_text(s, 13, p->note);
	dj_stmt_bind_text(s, 14, p->source);
	dj_stmt_bind_text(s, 15, x->who->username);
	dj_stmt_bind_text(s, 16, ts);
	dj_stmt_bind_text(s, 17, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	*id = dj_db_last_id(x->c);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "id", *id);
	dj_jw_kint(&w, "member_id", p->member);
	dj_jw_kint(&w, "org_id", p->org);
	dj_jw_kstr(&w, "month", p->month);
	dj_jw_kstr(&w, "paid_on", p->paid_on);
	dj_jw_kint(&w, "amount_fen", p->amount);
	dj_jw_kstr(&w, "method", p->method);
	dj_jw_kstr(&w, "kind", p->kind);
	dj_jw_kstr(&w, "payer", p->payer);
	dj_jw_kint_or_null(&w, "payer_member_id", p->payer_member, p->payer_member == 0);
	dj_jw_kbool(&w, "consent", p->consent);
	dj_jw_kbool(&w, "remit_central", p->remit);
	dj_jw_kstr(&w, "source", p->source);
	dj_jw_obj_end(&w);
	rc = audit_json(x, "dues_payment.create", "member", p->member, p->path, NULL, sb.buf);
	dj_strbuf_release(&sb);
	return rc;
}

static const char *kind_label(const char *k)
{
	return !k ? NULL : strcmp(k, "voluntary") == 0 ? "自愿多交" : strcmp(k, "back_payment") == 0 ? "补交" : "按月交纳";
}

static void write_bill_json(struct dj_jw *w, const struct bill *b, int64_t member)
{
	char mb[8];
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", b->id);
	dj_jw_kint(w, "member_id", member);
	dj_jw_kint(w, "org_id", b->org_id);
	dj_jw_kstr(w, "month", dj_dues_month_format(b->month, mb));
	dj_jw_kint(w, "amount_fen", b->amount);
	dj_jw_kint(w, "paid_fen", b->paid);
	dj_jw_kint(w, "outstanding_fen", b->amount > b->paid ? b->amount - b->paid : 0);
	dj_jw_kstr(w, "status", bill_status(b->amount, b->paid, b->ex_id));
	dj_jw_obj_end(w);
}

dj_rc dj_dues_pay(const struct dj_model_ctx *x, int64_t member_id, const struct dj_dues_pay *p, int64_t *id,
		  struct dj_jw *w, struct dj_model_err *err)
{
	struct mrow m;
	struct dj_date paid_on;
	struct touched t = { 0 };
	struct bill b;
	char mb[8], pb[11], mc[24];
	int bm, pm, cur = current_month(), changed = 0;
	bool found = false, closed = false;
	int64_t extra_id = 0, extra = 0;
	const char *kind = p->kind ? p->kind : "dues", *payer = p->payer ? p->payer : "self";
	struct dj_strbuf before = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
	dj_rc rc = load_member(x, member_id, &m);
	*id = 0;
	if (rc)
		return rc;
	/* FEE-14: the organization must not pay (垫交) or deduct (扣缴) a member's dues. */
	if (strcmp(payer, "org") == 0) {
		ferr(err, "payer", "党组织不得代党员垫交党费（FEE-14：不得垫交、扣缴党费），请由党员本人或经同意的他人交纳");
		return DJ_ERR_INVALID;
	}
	if (p->method && (strcmp(p->method, "deduction") == 0 || strcmp(p->method, "扣缴") == 0)) {
		ferr(err, "method", "党组织不得从工资中扣缴党费（FEE-14），缴费方式应为 cash、transfer 或 online");
		return DJ_ERR_INVALID;
	}
	if (!in_list(methods, p->method)) {
		ferr(err, "method", "缴费方式（method）应为 cash 现金、transfer 转账或 online 线上");
		return DJ_ERR_INVALID;
	}
	if (strcmp(kind, "dues") != 0 && strcmp(kind, "voluntary") != 0) {
		ferr(err, "kind", "kind 应为 dues（应交党费，含补交）或 voluntary（自愿多交）");
		return DJ_ERR_INVALID;
	}
	if (strcmp(payer, "self") == 0) {
		if (p->payer_member_id) {
			ferr(err, "payer_member_id", "本人交纳时不填代缴党员；他人代缴请将 payer 设为 member");
			return DJ_ERR_INVALID;
		}
	} else if (strcmp(payer, "member") == 0) {
		/* FEE-11: via another member or a relative, with the branch's consent. */
		struct mrow pmr;
		if (!p->payer_member_id || p->payer_member_id == member_id || load_member(x, p->payer_member_id, &pmr) ||
		    !pmr.active) {
			ferr(err, "payer_member_id", "代缴党员（payer_member_id）应为本人以外、在您管理范围内的正常党员");
			return DJ_ERR_INVALID;
		}
		if (!p->consent) {
			ferr(err, "consent", "他人代缴须经党支部同意（FEE-11），请确认 consent 为 true");
			return DJ_ERR_INVALID;
		}
	} else {
		ferr(err, "payer", "交纳人（payer）应为 self 本人或 member 他人代缴");
		return DJ_ERR_INVALID;
	}
	if (p->amount_fen < 1 || p->amount_fen > 1000000000) {
		ferr(err, "amount_fen", "金额（amount_fen，单位：分）应为 1 到 1000000000 的整数");
		return DJ_ERR_INVALID;
	}
	if (p->paid_on) {
		if (dj_date_parse(p->paid_on, strlen(p->paid_on), &paid_on)) {
			ferr(err, "paid_on", "缴费日期应为 YYYY-MM-DD（收到 %s）", p->paid_on);
			return DJ_ERR_INVALID;
		}
		if (dj_date_cmp(paid_on, dj_date_today()) > 0) {
			ferr(err, "paid_on", "缴费日期不能晚于今天");
			return DJ_ERR_INVALID;
		}
	} else {
		paid_on = dj_date_today();
	}
	dj_date_format(paid_on, pb);
	pm = dj_dues_month_of(paid_on);
	bool voluntary = strcmp(kind, "voluntary") == 0;
	if (p->month) {
		if (dj_dues_month_parse(p->month, &bm)) {
			ferr(err, "month", "所交月份（month）应为 YYYY-MM（收到 %s）", p->month);
			return DJ_ERR_INVALID;
		}
	} else if (voluntary) {
		bm = pm;
	} else {
		ferr(err, "month", "请填写所交月份（month，YYYY-MM）");
		return DJ_ERR_INVALID;
	}
	if (bm > pm || bm > cur) {
		ferr(err, "month", "不能预交以后月份的党费（所交月份 %s 晚于缴费日期所在月份）", month_cn(bm, mc, sizeof(mc)));
		return DJ_ERR_INVALID;
	}
	/* FEE-11: 补交 generally no more than 6 months back. */
	if (!voluntary && pm - bm > DJ_DUES_MAX_BACK) {
		ferr(err, "month", "补交一般不超过 %d 个月（FEE-11）：%s的党费已超过补交期限", DJ_DUES_MAX_BACK,
		     month_cn(bm, mc, sizeof(mc)));
		return DJ_ERR_INVALID;
	}
	int64_t org = m.org_id;
	const char *path = m.path;
	if (!voluntary) {
		if ((rc = regen(x, &m, bm, bm, REGEN_INSERT_ONLY, &t, &changed, err)) || (rc = flush(x->c, &t)) ||
		    (rc = load_bill(x->c, member_id, bm, &b, &found)))
			goto out;
		if (!found) {
			ferr(err, "month", "%s没有应交党费记录（尚未核定党费基数，或该月尚未入党）", month_cn(bm, mc, sizeof(mc)));
			rc = DJ_ERR_INVALID;
			goto out;
		}
		org = b.org_id;
		path = dj_arena_strdup(x->a, b.path);
		if (b.amount == 0) {
			ferr(err, "month", "%s无需交纳党费（%s）；自愿多交请将 kind 设为 voluntary", month_cn(bm, mc, sizeof(mc)),
			     b.ex_id ? "已批准免交" : "应交金额为 0");
			rc = DJ_ERR_CONFLICT;
			goto out;
		}
		if (b.paid >= b.amount) {
			ferr(err, "month", "%s的党费已交清；自愿多交请将 kind 设为 voluntary", month_cn(bm, mc, sizeof(mc)));
			rc = DJ_ERR_CONFLICT;
			goto out;
		}
	}
	/* Money received in a closed month's books needs the admin role and leaves a trace. A 补交
	 * recorded now for an earlier, closed month is booked in the month it is received; the
	 * closed cycle keeps its figure at closing (paid_at_close_fen). */
	if ((rc = cycle_closed(x->c, org, pm, &closed)))
		goto out;
	if (closed && !is_admin(x)) {
		closed_msg(err, pm);
		rc = DJ_ERR_CONFLICT;
		goto out;
	}
	if (closed)
		cycle_json(x->c, org, bm, &before);
	dj_dues_month_format(bm, mb);
	struct payrow row = { org, member_id, p->payer_member_id, p->amount_fen, path, mb, pb, p->method, kind, payer,
			      p->note, p->source ? p->source : "api", p->consent, false };
	if (voluntary) {
		row.remit = p->amount_fen >= DJ_DUES_REMIT_FEN; /* FEE-8 */
		rc = pay_insert(x, &row, id);
	} else {
		int64_t outstanding = b.amount - b.paid, part = p->amount_fen < outstanding ? p->amount_fen : outstanding;
		extra = p->amount_fen - part;
		row.amount = part;
		row.kind = pm > bm ? "back_payment" : "dues";
		if (!(rc = pay_insert(x, &row, id)) && !(rc = bill_add_paid(x->c, &b, part))) {
			b.paid += part;
			touch(&t, org, bm);
			if (extra > 0) {
				/* FEE-8: what exceeds the amount due is a voluntary extra; ≥ 1000 元 goes to the Centre. */
				struct payrow xr = row;
				xr.amount = extra;
				xr.kind = "voluntary";
				xr.remit = extra >= DJ_DUES_REMIT_FEN;
				dj_dues_month_format(pm, mb);
				xr.month = mb;
				rc = pay_insert(x, &xr, &extra_id);
				dj_dues_month_format(bm, mb);
			}
		}
	}
	if (!rc)
		rc = cycle_collecting(x->c, org, bm);
	if (!rc && pm != bm)
		rc = cycle_collecting(x->c, org, pm);
	if (!rc)
		rc = flush(x->c, &t);
	if (!rc && closed) {
		cycle_json(x->c, org, bm, &after);
		rc = audit_json(x, "dues.closed_change", "dues_cycle", org, path, before.len ? before.buf : NULL,
				after.len ? after.buf : "{}");
	}
	if (rc || !w)
		goto out;
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", *id);
	dj_jw_kint(w, "member_id", member_id);
	dj_jw_kint(w, "org_id", org);
	dj_jw_kstr(w, "month", mb);
	dj_jw_kstr(w, "paid_on", pb);
	dj_jw_kint(w, "amount_fen", voluntary ? p->amount_fen : p->amount_fen - extra);
	dj_jw_kstr(w, "method", p->method);
	dj_jw_kstr(w, "kind", voluntary ? "voluntary" : row.kind);
	dj_jw_kstr(w, "kind_label", kind_label(voluntary ? "voluntary" : row.kind));
	dj_jw_kstr(w, "payer", payer);
	dj_jw_kint_or_null(w, "payer_member_id", p->payer_member_id, p->payer_member_id == 0);
	dj_jw_kbool(w, "consent", p->consent);
	dj_jw_kbool(w, "remit_central", voluntary && row.remit);
	if (voluntary && row.remit)
		dj_jw_kstr(w, "remit_note", "单笔自愿多交党费 1000 元以上，全额上缴中央（FEE-8）");
	dj_jw_kstr(w, "note", p->note);
	dj_jw_kstr(w, "recorded_by", x->who->username);
	dj_jw_kbool(w, "closed_month", closed);
	dj_jw_key(w, "bill");
	if (voluntary)
		dj_jw_null(w);
	else
		write_bill_json(w, &b, member_id);
	dj_jw_key(w, "extra");
	if (extra_id) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", extra_id);
		dj_jw_kint(w, "amount_fen", extra);
		dj_jw_kstr(w, "kind", "voluntary");
		dj_jw_kbool(w, "remit_central", extra >= DJ_DUES_REMIT_FEN);
		if (extra >= DJ_DUES_REMIT_FEN)
			dj_jw_kstr(w, "remit_note", "单笔自愿多交党费 1000 元以上，全额上缴中央（FEE-8）");
		dj_jw_obj_end(w);
	} else {
		dj_jw_null(w);
	}
	dj_jw_obj_end(w);
out:
	dj_free(t.v);
	dj_strbuf_release(&before);
	dj_strbuf_release(&after);
	return rc;
}

dj_rc dj_dues_payment_void(const struct dj_model_ctx *x, int64_t member_id, int64_t payment_id, const char *reason,
			   struct dj_model_err *err)
{
	struct mrow m;
	struct dj_stmt *s;
	struct bill b;
	struct touched t = { 0 };
	char month[8] = "", paid_on[11] = "", kind[16] = "", path[DJ_PATH_MAX] = "", ts[26], before[300];
	int64_t org = 0, amount = 0;
	int bm, pm;
	bool found = false, closed = false;
	dj_rc rc = load_member(x, member_id, &m);
	if (rc)
		return rc;
	if (!reason || !*reason) {
		ferr(err, "reason", "作废交纳记录须填写原因（reason）");
		return DJ_ERR_INVALID;
	}
	if ((rc = dj_db_prepare(x->c, "SELECT org_id, org_path, month, paid_on, kind, amount_fen FROM dues_payments"
				      " WHERE id = ? AND member_id = ? AND deleted_at IS NULL", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, payment_id);
	dj_stmt_bind_int(s, 2, member_id);
	if (dj_stmt_step(s) == DJ_ROW) {
		org = dj_stmt_int(s, 0);
		snprintf(path, sizeof(path), "%s", dj_stmt_text(s, 1));
		snprintf(month, sizeof(month), "%s", dj_stmt_text(s, 2));
		snprintf(paid_on, sizeof(paid_on), "%s", dj_stmt_text(s, 3));
		snprintf(kind, sizeof(kind), "%s", dj_stmt_text(s, 4));
		amount = dj_stmt_int(s, 5);
		found = true;
	}
	dj_stmt_reset(s);
	if (!found)
		return DJ_ERR_NOTFOUND;
	struct dj_date pd;
	if (dj_dues_month_parse(month, &bm) || dj_date_parse(paid_on, strlen(paid_on), &pd))
		return DJ_ERR_INTERNAL;
	pm = dj_dues_month_of(pd);
	if ((rc = cycle_closed(x->c, org, pm, &closed)))
		return rc;
	if (closed && !is_admin(x)) {
		closed_msg(err, pm);
		return DJ_ERR_CONFLICT;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "UPDATE dues_payments SET deleted_at = ?, delete_reason = ?, updated_at = ? WHERE id = ?", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, ts);
	dj_stmt_bind_text(s, 2, reason);
	dj_stmt_bind_text(s, 3, ts);
	dj_stmt_bind_int(s, 4, payment_id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	if (strcmp(kind, "voluntary") != 0) {
		if ((rc = load_bill(x->c, member_id, bm, &b, &found)))
			return rc;
		if (found && (rc = bill_add_paid(x->c, &b, -(amount < b.paid ? amount : b.paid))))
			return rc;
		if (found)
			touch(&t, b.org_id, bm);
		if ((rc = flush(x->c, &t)))
			return rc;
	}
	snprintf(before, sizeof(before), "{\"id\":%lld,\"month\":\"%s\",\"paid_on\":\"%s\",\"kind\":\"%s\",\"amount_fen\":%lld}",
		 (long long)payment_id, month, paid_on, kind, (long long)amount);
	struct dj_strbuf after = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &after);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "id", payment_id);
	dj_jw_kstr(&w, "deleted_at", ts);
	dj_jw_kstr(&w, "delete_reason", reason);
	dj_jw_kbool(&w, "closed_month", closed);
	dj_jw_obj_end(&w);
	rc = audit_json(x, closed ? "dues.closed_change" : "dues_payment.delete", "member", member_id, path, before, after.buf);
	dj_strbuf_release(&after);
	return rc;
}

/* ---- cycles: open, close, reopen ------------------------------------------------------------------------ */

struct idlist {
	int64_t *v;
	size_t n, cap;
};

static void idlist_add(struct idlist *l, int64_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = dj_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = id;
}

/* Ids from a query with two path binds and an optional extra bind (collected first, so the
 * statement is not stepped while the rows are changed). */
static dj_rc collect_ids(struct dj_db_conn *c, const char *sql, const char *lo, const char *hi, const char *extra,
			 struct idlist *out)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, sql, &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, lo);
	dj_stmt_bind_text(s, 2, hi);
	if (extra)
		dj_stmt_bind_text(s, 3, extra);
	while ((rc = dj_stmt_step(s)) == DJ_ROW)
		idlist_add(out, dj_stmt_int(s, 0));
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

/* Create the month's missing bills for every member of a subtree (or one org) with a base. */
static dj_rc open_month(const struct dj_model_ctx *x, const char *lo, const char *hi, int64_t only_org, int month,
			struct touched *t, int *bills, struct dj_model_err *err)
{
	struct idlist ids = { 0 };
	dj_rc rc = collect_ids(x->c, "SELECT m.id FROM members m WHERE m.org_path >= ? AND m.org_path < ?"
				     " AND m.status = 'active' AND m.deleted_at IS NULL"
				     " AND EXISTS (SELECT 1 FROM dues_bases b WHERE b.member_id = m.id) ORDER BY m.id",
			       lo, hi, NULL, &ids);
	for (size_t i = 0; i < ids.n && !rc; i++) {
		struct mrow m;
		if ((rc = load_member(x, ids.v[i], &m)))
			break;
		if (only_org && m.org_id != only_org)
			continue;
		rc = regen(x, &m, month, month, REGEN_INSERT_ONLY, t, bills, err);
	}
	dj_free(ids.v);
	return rc;
}

static const char Q_ORGS_WITH_MEMBERS[] =
	"SELECT o.id FROM orgs o WHERE o.path >= ? AND o.path < ? AND EXISTS (SELECT 1 FROM members m WHERE m.org_id = o.id"
	" AND m.status = 'active' AND m.deleted_at IS NULL) ORDER BY o.path";
static const char Q_CYCLES_IN[] =
	"SELECT c.id FROM dues_cycles c WHERE c.org_path >= ? AND c.org_path < ? AND c.month = ? ORDER BY c.org_path";

dj_rc dj_dues_cycle_action(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *action,
			   struct dj_jw *w, struct dj_model_err *err)
{
	struct dj_org o;
	struct dj_scope sub;
	struct idlist ids = { 0 };
	struct touched t = { 0 };
	struct dj_stmt *s;
	char ts[26], mc[24], mb[8];
	int mo, changed = 0, bills = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	if (dj_dues_month_parse(month, &mo)) {
		ferr(err, "month", "月份应为 YYYY-MM（收到 %s）", month);
		return DJ_ERR_INVALID;
	}
	if (mo > current_month()) {
		ferr(err, "month", "%s尚未到来，不能开启或结账", month_cn(mo, mc, sizeof(mc)));
		return DJ_ERR_INVALID;
	}
	dj_dues_month_format(mo, mb);
	dj_scope_set_path(&sub, o.path);
	dj_time_rfc3339(dj_time_now(), ts);
	bool open = strcmp(action, "open") == 0, close = strcmp(action, "close") == 0, reopen = strcmp(action, "reopen") == 0;
	if (!open && !close && !reopen) {
		ferr(err, "action", "操作应为 open（开启）、close（结账）或 reopen（重新打开）");
		return DJ_ERR_INVALID;
	}
	if (reopen && !is_admin(x)) {
		ferr(err, "action", "重新打开已结账的月份须由管理员（admin）办理，并记入审计日志");
		return DJ_ERR_FORBIDDEN;
	}
	if (open) {
		/* Bills for members with a base, then a cycle for every org with members of its own. */
		if ((rc = open_month(x, sub.org_path, sub.path_hi, 0, mo, &t, &bills, err)))
			goto out;
		if ((rc = collect_ids(x->c, Q_ORGS_WITH_MEMBERS, sub.org_path, sub.path_hi, NULL, &ids)))
			goto out;
		for (size_t i = 0; i < ids.n && !rc; i++) {
			struct dj_org co;
			if ((rc = dj_org_get(x->c, x->sc, ids.v[i], x->a, &co)))
				break;
			if ((rc = cycle_ensure(x->c, co.id, co.path, mo)))
				break;
			changed += (int)dj_db_changes(x->c);
			touch(&t, co.id, mo);
		}
		if (!rc)
			rc = flush(x->c, &t);
		if (!rc) {
			char after[160];
			snprintf(after, sizeof(after), "{\"org_id\":%lld,\"month\":\"%s\",\"cycles_created\":%d,\"bills_created\":%d}",
				 (long long)org_id, mb, changed, bills);
			rc = audit_json(x, "dues.cycle_open", "org", org_id, o.path, NULL, after);
		}
	} else {
		if ((rc = collect_ids(x->c, Q_CYCLES_IN, sub.org_path, sub.path_hi, mb, &ids)))
			goto out;
		for (size_t i = 0; i < ids.n && !rc; i++) {
			char st[16] = "", path[DJ_PATH_MAX] = "";
			int64_t corg = 0, paid = 0;
			if ((rc = dj_db_prepare(x->c, "SELECT status, org_id, org_path, paid_fen FROM dues_cycles WHERE id = ?", &s)))
				break;
			dj_stmt_bind_int(s, 1, ids.v[i]);
			if (dj_stmt_step(s) == DJ_ROW) {
				snprintf(st, sizeof(st), "%s", dj_stmt_text(s, 0));
				corg = dj_stmt_int(s, 1);
				snprintf(path, sizeof(path), "%s", dj_stmt_text(s, 2));
				paid = dj_stmt_int(s, 3);
			}
			dj_stmt_reset(s);
			if (close == (strcmp(st, "closed") == 0))
				continue; /* already in the wanted state */
			struct dj_strbuf before = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
			cycle_json(x->c, corg, mo, &before);
			if (close)
				rc = dj_db_prepare(x->c, "UPDATE dues_cycles SET status = 'closed', closed_at = ?, closed_by = ?,"
							 " paid_at_close_fen = ?, updated_at = ? WHERE id = ?", &s);
			else
				rc = dj_db_prepare(x->c, "UPDATE dues_cycles SET status = 'collecting', closed_at = ?, closed_by = ?,"
							 " paid_at_close_fen = ?, updated_at = ? WHERE id = ?", &s);
			if (!rc) {
				dj_stmt_bind_text(s, 1, close ? ts : NULL);
				dj_stmt_bind_text(s, 2, close ? x->who->username : NULL);
				if (close)
					dj_stmt_bind_int(s, 3, paid);
				else
					dj_stmt_bind_null(s, 3);
				dj_stmt_bind_text(s, 4, ts);
				dj_stmt_bind_int(s, 5, ids.v[i]);
				rc = dj_stmt_exec(s);
			}
			if (!rc) {
				cycle_json(x->c, corg, mo, &after);
				rc = audit_json(x, close ? "dues_cycle.close" : "dues_cycle.reopen", "dues_cycle", ids.v[i], path,
						before.buf, after.buf);
			}
			dj_strbuf_release(&before);
			dj_strbuf_release(&after);
			changed++;
		}
	}
	if (rc)
		goto out;
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "org_id", org_id);
	dj_jw_kstr(w, "month", mb);
	dj_jw_kstr(w, "action", action);
	dj_jw_kint(w, "changed", changed);
	if (open)
		dj_jw_kint(w, "bills_created", bills);
	dj_jw_obj_end(w);
out:
	dj_free(ids.v);
	dj_free(t.v);
	return rc;
}

/* ---- bulk payment -------------------------------------------------------------------------------------- */

dj_rc dj_dues_bulk_pay(const struct dj_model_ctx *x, const json_t *body, struct dj_jw *w, struct dj_model_err *err)
{
	static const char *const keys[] = { "org_id", "month", "paid_on", "method", "note", NULL };
	struct dj_org o;
	struct touched t = { 0 };
	struct dj_stmt *s;
	struct {
		int64_t member, outstanding;
	} *todo = NULL;
	size_t n = 0, cap = 0;
	const char *bad, *month, *paid_on, *method, *note;
	char mb[8];
	int mo, bills = 0;
	int64_t total = 0, paid = 0;
	json_t *jo = json_object_get(body, "org_id");
	if (dj_json_only_keys(body, keys, &bad)) {
		ferr(err, bad, "未知字段：%s", bad);
		return DJ_ERR_INVALID;
	}
	if (!json_is_integer(jo) || json_integer_value(jo) < 1) {
		ferr(err, "org_id", "请填写党支部（org_id）");
		return DJ_ERR_INVALID;
	}
	month = json_string_value(json_object_get(body, "month"));
	paid_on = json_string_value(json_object_get(body, "paid_on"));
	method = json_string_value(json_object_get(body, "method"));
	note = json_string_value(json_object_get(body, "note"));
	if (!month || dj_dues_month_parse(month, &mo)) {
		ferr(err, "month", "月份（month）应为 YYYY-MM");
		return DJ_ERR_INVALID;
	}
	if (note && strlen(note) > 600) {
		ferr(err, "note", "备注过长");
		return DJ_ERR_INVALID;
	}
	int64_t org_id = (int64_t)json_integer_value(jo);
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	struct dj_scope sub;
	dj_scope_set_path(&sub, o.path);
	if ((rc = open_month(x, sub.org_path, sub.path_hi, org_id, mo, &t, &bills, err)) || (rc = flush(x->c, &t)))
		goto out;
	if ((rc = dj_db_prepare(x->c, "SELECT member_id, amount_fen - paid_fen FROM dues_bills WHERE org_id = ? AND month = ?"
				      " AND amount_fen > paid_fen ORDER BY member_id", &s)))
		goto out;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_text(s, 2, dj_dues_month_format(mo, mb));
	while (dj_stmt_step(s) == DJ_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			todo = dj_realloc(todo, cap * sizeof(*todo));
		}
		todo[n].member = dj_stmt_int(s, 0);
		todo[n].outstanding = dj_stmt_int(s, 1);
		n++;
	}
	dj_stmt_reset(s);
	for (size_t i = 0; i < n && !rc; i++) {
		struct dj_dues_pay p = { mb, paid_on, todo[i].outstanding, method ? method : "cash", "dues", "self", 0, false,
					 note ? note : "整支部批量登记", "bulk" };
		int64_t pid;
		if ((rc = dj_dues_pay(x, todo[i].member, &p, &pid, NULL, err)) == DJ_OK) {
			paid++;
			total += todo[i].outstanding;
		} else if (err->msg[0]) {
			char why[200];
			snprintf(why, sizeof(why), "%.150s", err->msg);
			ferr(err, err->field, "党员 %lld：%.180s", (long long)todo[i].member, why);
		}
	}
	if (rc)
		goto out;
	char after[200];
	snprintf(after, sizeof(after), "{\"org_id\":%lld,\"month\":\"%s\",\"payments\":%lld,\"amount_fen\":%lld}",
		 (long long)org_id, mb, (long long)paid, (long long)total);
	if ((rc = audit_json(x, "dues.bulk_pay", "org", org_id, o.path, NULL, after)))
		goto out;
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "org_id", org_id);
	dj_jw_kstr(w, "month", mb);
	dj_jw_kint(w, "payments", paid);
	dj_jw_kint(w, "amount_fen", total);
	dj_jw_kint(w, "bills_created", bills);
	dj_jw_obj_end(w);
out:
	dj_free(todo);
	dj_free(t.v);
	return rc;
}

/* ---- the month rollover ---------------------------------------------------------------------------------- */

static dj_rc watermark(struct dj_db_conn *c, int *m, bool *present)
{
	struct dj_stmt *s;
	*present = false;
	dj_rc rc = dj_db_prepare(c, "SELECT value FROM dues_state WHERE key = 'synced_through'", &s);
	if (rc)
		return rc;
	if (dj_stmt_step(s) == DJ_ROW && dj_dues_month_parse(dj_stmt_text(s, 0), m) == DJ_OK)
		*present = true;
	dj_stmt_reset(s);
	return DJ_OK;
}

dj_rc dj_dues_sync(struct dj_db *db)
{
	struct dj_db_conn *c;
	int wm = 0, cur = current_month();
	bool present;
	dj_rc rc = dj_db_reader(db, &c);
	if (rc)
		return rc;
	rc = watermark(c, &wm, &present);
	dj_db_release(c);
	if (rc || (present && wm >= cur))
		return rc;
	if ((rc = dj_db_begin(db, &c)))
		return rc;
	/* Re-read under the writer: another request may have done it meanwhile. */
	if ((rc = watermark(c, &wm, &present)) || (present && wm >= cur)) {
		dj_db_rollback(c);
		return rc;
	}
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_scope sc;
	struct dj_actor who = { 0, "system", "local" };
	struct dj_model_ctx x = { c, &sc, &who, NULL, &a };
	struct dj_model_err err = { 0 };
	struct touched t = { 0 };
	struct idlist ids = { 0 };
	struct dj_stmt *s;
	char mb[8], after[120];
	int bills = 0;
	memset(&sc, 0, sizeof(sc));
	sc.role = DJ_ROLE_ADMIN;
	dj_scope_set_path(&sc, "/");
	if (present) {
		rc = collect_ids(c, "SELECT m.id FROM members m WHERE m.org_path >= ? AND m.org_path < ? AND m.status = 'active'"
				    " AND m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM dues_bases b WHERE b.member_id = m.id)"
				    " ORDER BY m.id", sc.org_path, sc.path_hi, NULL, &ids);
		for (size_t i = 0; i < ids.n && !rc; i++) {
			struct mrow m;
			if ((rc = load_member(&x, ids.v[i], &m)))
				break;
			rc = regen(&x, &m, wm + 1, cur, REGEN_INSERT_ONLY, &t, &bills, &err);
			dj_arena_release(&a);
		}
		if (!rc)
			rc = flush(c, &t);
	}
	if (!rc)
		rc = dj_db_prepare(c, "INSERT INTO dues_state(key, value) VALUES ('synced_through', ?)"
				      " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &s);
	if (!rc) {
		dj_stmt_bind_text(s, 1, dj_dues_month_format(cur, mb));
		rc = dj_stmt_exec(s);
	}
	if (!rc && present) {
		snprintf(after, sizeof(after), "{\"through\":\"%s\",\"bills_created\":%d}", mb, bills);
		rc = audit_json(&x, "dues.sync", NULL, 0, "/", NULL, after);
	}
	dj_free(ids.v);
	dj_free(t.v);
	dj_arena_release(&a);
	if (rc) {
		dj_db_rollback(c);
		return rc;
	}
	return dj_db_commit(c);
}

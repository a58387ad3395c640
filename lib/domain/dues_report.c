/* dues_report.c — reading the dues ledger: a member's bills and payments, base history, cycles,
 * the branch grid (members × months), collection rates that add up across the tree, arrears
 * findings (FEE-11 reminder, FEE-12 自行脱党 procedure) and the xlsx exports (收缴明细, FEE-13
 * annual publication). Integer 分 only; rates are whole permille. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/compliance.h"
#include "dj/dues_ledger.h"
#include "dj/io.h"
#include "dj/org.h"
#include "dj/banned.h"

static int current_month(void)
{
	return dj_dues_month_of(dj_date_today());
}

static const char *bill_status_label(const char *s)
{
	if (!s)
		return NULL;
	return strcmp(s, "paid") == 0	     ? "已交"
	       : strcmp(s, "partial") == 0 ? "部分交纳"
	       : strcmp(s, "unpaid") == 0  ? "未交"
	       : strcmp(s, "exempt") == 0  ? "免交"
					   : "无需交纳";
}

static const char *cycle_status_label(const char *s)
{
	if (!s)
		return NULL;
	return strcmp(s, "closed") == 0 ? "已结账" : strcmp(s, "collecting") == 0 ? "收缴中" : "已开启";
}

static const char *kind_label(const char *k)
{
	return !k ? NULL : strcmp(k, "voluntary") == 0 ? "自愿多交" : strcmp(k, "back_payment") == 0 ? "补交" : "按月交纳";
}

static const char *method_label(const char *m)
{
	return !m ? NULL : strcmp(m, "cash") == 0 ? "现金" : strcmp(m, "transfer") == 0 ? "转账" : strcmp(m, "online") == 0 ? "线上" : m;
}

/* The member (scoped; the member role sees only itself): name, org and path. */
static dj_rc member_head(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w, char *path, size_t pn)
{
	struct dj_stmt *s;
	if (x->sc->role == DJ_ROLE_MEMBER && id != x->sc->member_id)
		return DJ_ERR_NOTFOUND;
	dj_rc rc = dj_db_prepare(x->c, "SELECT m.id, m.name, m.org_id, o.name, m.category, m.joined_on, m.status, m.org_path"
				       " FROM members m JOIN orgs o ON o.id = m.org_id"
				       " WHERE m.id = ? AND m.org_path >= ? AND m.org_path < ? AND m.deleted_at IS NULL", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, x->sc->org_path);
	dj_stmt_bind_text(s, 3, x->sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		if (w) {
			dj_jw_key(w, "member");
			dj_jw_obj_begin(w);
			dj_jw_kint(w, "id", dj_stmt_int(s, 0));
			dj_jw_kstr(w, "name", dj_stmt_text(s, 1));
			dj_jw_kint(w, "org_id", dj_stmt_int(s, 2));
			dj_jw_kstr(w, "org_name", dj_stmt_text(s, 3));
			dj_jw_kstr(w, "category", dj_stmt_text(s, 4));
			dj_jw_kstr(w, "joined_on", dj_stmt_text(s, 5));
			dj_jw_kstr(w, "status", dj_stmt_text(s, 6));
			dj_jw_obj_end(w);
		}
		if (path)
			snprintf(path, pn, "%s", dj_stmt_text(s, 7));
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

/* ---- arrears ---------------------------------------------------------------------------------------- */

static const char Q_UNPAID[] =
	"SELECT b.member_id, m.name, b.org_id, b.month, b.amount_fen - b.paid_fen FROM dues_bills b"
	" JOIN members m ON m.id = b.member_id WHERE b.org_path >= ? AND b.org_path < ? AND b.month < ?"
	" AND b.amount_fen > b.paid_fen AND m.status = 'active' AND m.deleted_at IS NULL AND (? = 0 OR b.member_id = ?)"
	" ORDER BY b.member_id, b.month";

struct arrear {
	int64_t member, org, owed;
	char name[160];
	int count, run, run_from, run_to, oldest, latest;
};

static dj_rc emit_arrear(const struct arrear *a, int min_severity, dj_dues_finding_fn fn, void *arg)
{
	char msg[512], period[8], due[11], from[8], to[8], amt[24];
	struct dj_finding f;
	memset(&f, 0, sizeof(f));
	f.org_id = a->org;
	f.member_id = a->member;
	f.version = "dues-2008";
	f.period = dj_dues_month_format(a->latest, period);
	dj_fen_format(a->owed, amt, sizeof(amt));
	if (a->run >= 6) {
		/* FEE-12 / ST-4: only the 支部大会 decides; the system never changes the status itself. */
		f.rule = "FEE-12";
		f.severity = DJ_SEV_ERROR;
		f.source = "中组发〔2008〕3号 第十三条；《中国共产党章程》第九条";
		snprintf(msg, sizeof(msg),
			 "%s 已连续 %d 个月（%s 至 %s）未交纳党费，共欠交 %s 元；如无正当理由，启动自行脱党程序（ST-4/FEE-12，须支部大会决定）",
			 a->name, a->run, dj_dues_month_format(a->run_from, from), dj_dues_month_format(a->run_to, to), amt);
	} else if (a->count >= 3) {
		f.rule = "FEE-11";
		f.severity = DJ_SEV_WARNING;
		f.source = "中组发〔2008〕3号 第十二条";
		/* The oldest unpaid month can be made up (补交) until six months later. */
		int last = a->oldest + 6;
		struct dj_date d = { last / 12, last % 12 + 1, 1 };
		d.d = dj_date_mdays(d.y, d.m);
		f.due_on = dj_date_format(d, due);
		snprintf(msg, sizeof(msg), "%s 有 %d 个月党费未交（最早 %s），共 %s 元，请提醒按月交纳；补交一般不超过 6 个月（FEE-11），连续 6 个月不交纳按 FEE-12 处理",
			 a->name, a->count, dj_dues_month_format(a->oldest, from), amt);
	} else {
		return DJ_OK;
	}
	if (min_severity >= 0 && (int)f.severity < min_severity)
		return DJ_OK;
	f.message = msg;
	return fn(arg, &f);
}

static dj_rc arrears_scan(const struct dj_model_ctx *x, const char *lo, const char *hi, int64_t member, int min_severity,
			  dj_dues_finding_fn fn, void *arg)
{
	struct dj_stmt *s;
	struct arrear a;
	char mb[8];
	int prev = -10;
	bool have = false;
	dj_rc rc = dj_db_prepare(x->c, Q_UNPAID, &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, lo);
	dj_stmt_bind_text(s, 2, hi);
	dj_stmt_bind_text(s, 3, dj_dues_month_format(current_month(), mb));
	dj_stmt_bind_int(s, 4, member);
	dj_stmt_bind_int(s, 5, member);
	/* Rows are collected per member first: the callback may run queries of its own. */
	struct arrear *all = NULL;
	size_t n = 0, cap = 0;
	int run = 0, run_from = 0;
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		int64_t mid = dj_stmt_int(s, 0);
		int m;
		if (dj_dues_month_parse(dj_stmt_text(s, 3), &m))
			continue;
		if (!have || a.member != mid) {
			if (have) {
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					all = dj_realloc(all, cap * sizeof(*all));
				}
				all[n++] = a;
			}
			memset(&a, 0, sizeof(a));
			a.member = mid;
			snprintf(a.name, sizeof(a.name), "%s", dj_stmt_text(s, 1));
			a.oldest = m;
			have = true;
			run = 0;
			prev = -10;
		}
		a.org = dj_stmt_int(s, 2);
		a.owed += dj_stmt_int(s, 4);
		a.count++;
		a.latest = m;
		if (m == prev + 1) {
			run++;
		} else {
			run = 1;
			run_from = m;
		}
		if (run > a.run) {
			a.run = run;
			a.run_from = run_from;
			a.run_to = m;
		}
		prev = m;
	}
	dj_stmt_reset(s);
	if (have) {
		if (n == cap)
			all = dj_realloc(all, (cap + 1) * sizeof(*all));
		all[n++] = a;
	}
	if (rc == DJ_DONE)
		rc = DJ_OK;
	for (size_t i = 0; i < n && !rc; i++)
		rc = emit_arrear(&all[i], min_severity, fn, arg);
	dj_free(all);
	return rc;
}

dj_rc dj_dues_arrears(const struct dj_model_ctx *x, int64_t org_id, int min_severity, dj_dues_finding_fn fn, void *arg)
{
	struct dj_org o;
	struct dj_scope sub;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	return arrears_scan(x, sub.org_path, sub.path_hi, 0, min_severity, fn, arg);
}

/* ---- one member ------------------------------------------------------------------------------------------ */

static dj_rc write_finding(void *arg, const struct dj_finding *f)
{
	dj_finding_write(arg, f);
	return DJ_OK;
}

dj_rc dj_dues_member_write(const struct dj_model_ctx *x, int64_t member_id, const char *from, const char *to,
			   struct dj_jw *w)
{
	struct dj_stmt *s;
	char path[DJ_PATH_MAX], fb[8], tb[8];
	int f, t, cur = current_month();
	int64_t due = 0, paid = 0, outstanding = 0, voluntary = 0;
	dj_rc rc = member_head(x, member_id, NULL, path, sizeof(path));
	if (rc)
		return rc;
	t = cur;
	if (to && dj_dues_month_parse(to, &t))
		return DJ_ERR_INVALID;
	f = t - 23;
	if (from && dj_dues_month_parse(from, &f))
		return DJ_ERR_INVALID;
	if (f > t || t - f > 120)
		return DJ_ERR_INVALID;
	dj_dues_month_format(f, fb);
	dj_dues_month_format(t, tb);
	bool annual = dj_rule_param_int(x->c, path, "FEE-9", "annual") != 0;
	struct dj_dues_settings st;
	dj_dues_settings_for(x->c, path, &st);
	dj_jw_obj_begin(w);
	if ((rc = member_head(x, member_id, w, NULL, 0)))
		return rc;
	dj_jw_kstr(w, "from", fb);
	dj_jw_kstr(w, "to", tb);
	dj_jw_kstr(w, "policy", annual ? "annual" : "monthly");
	/* The base in force this month. */
	dj_jw_key(w, "current_base");
	if ((rc = dj_db_prepare(x->c, "SELECT id, category, base_fen, effective_month, set_by, set_at FROM dues_bases"
				      " WHERE member_id = ? AND effective_month <= ? ORDER BY effective_month DESC, id DESC LIMIT 1", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	dj_stmt_bind_text(s, 2, dj_dues_month_format(cur, fb));
	dj_dues_month_format(f, fb);
	if (dj_stmt_step(s) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kstr(w, "category", dj_stmt_text(s, 1));
		dj_jw_kstr(w, "category_label", dj_dues_category_label(dj_stmt_text(s, 1)));
		dj_jw_kint_or_null(w, "base_fen", dj_stmt_int(s, 2), dj_stmt_is_null(s, 2));
		dj_jw_kstr(w, "effective_month", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "set_by", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "set_at", dj_stmt_text(s, 5));
		dj_jw_obj_end(w);
	} else {
		dj_jw_null(w);
	}
	dj_stmt_reset(s);
	/* Bills, newest first, with their cycle's state. */
	dj_jw_key(w, "bills");
	dj_jw_arr_begin(w);
	if ((rc = dj_db_prepare(x->c, "SELECT b.id, b.org_id, b.month, b.category, b.base_fen, b.calc_fen, b.amount_fen, b.paid_fen,"
				      " b.status, b.rule, b.explanation, b.exemption_id, c.status FROM dues_bills b"
				      " LEFT JOIN dues_cycles c ON c.org_id = b.org_id AND c.month = b.month"
				      " WHERE b.member_id = ? AND b.month >= ? AND b.month <= ? ORDER BY b.month DESC", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	dj_stmt_bind_text(s, 2, fb);
	dj_stmt_bind_text(s, 3, tb);
	while (dj_stmt_step(s) == DJ_ROW) {
		int64_t amount = dj_stmt_int(s, 6), p = dj_stmt_int(s, 7);
		due += amount;
		paid += p;
		outstanding += amount > p ? amount - p : 0;
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kint(w, "org_id", dj_stmt_int(s, 1));
		dj_jw_kstr(w, "month", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "category", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "category_label", dj_dues_category_label(dj_stmt_text(s, 3)));
		dj_jw_kint(w, "base_fen", dj_stmt_int(s, 4));
		dj_jw_kint(w, "calc_fen", dj_stmt_int(s, 5));
		dj_jw_kint(w, "amount_fen", amount);
		dj_jw_kint(w, "paid_fen", p);
		dj_jw_kint(w, "outstanding_fen", amount > p ? amount - p : 0);
		dj_jw_kstr(w, "status", dj_stmt_text(s, 8));
		dj_jw_kstr(w, "status_label", bill_status_label(dj_stmt_text(s, 8)));
		dj_jw_kstr(w, "rule", dj_stmt_text(s, 9));
		if (dj_stmt_text(s, 10)) {
			dj_jw_kstr(w, "explanation", dj_stmt_text(s, 10));
		} else {
			/* Bills written in bulk carry no text: explain from their category and base. */
			struct dj_dues_result res;
			char expl[512], am[24];
			const char *cat = dj_stmt_text(s, 3);
			if (dj_dues_calc(cat, dj_dues_category_flat(cat) ? 0 : dj_stmt_int(s, 4), &st, &res))
				res.explanation[0] = '\0';
			if (dj_stmt_is_null(s, 11))
				snprintf(expl, sizeof(expl), "%s", res.explanation);
			else if (amount == 0)
				snprintf(expl, sizeof(expl), "%s；经批准免交（FEE-7）", res.explanation);
			else
				snprintf(expl, sizeof(expl), "%s；经批准减为每月 %s 元（FEE-7）", res.explanation,
					 dj_fen_format(amount, am, sizeof(am)));
			dj_jw_kstr(w, "explanation", expl);
		}
		dj_jw_kint_or_null(w, "exemption_id", dj_stmt_int(s, 11), dj_stmt_is_null(s, 11));
		dj_jw_kstr(w, "cycle_status", dj_stmt_text(s, 12));
		dj_jw_obj_end(w);
	}
	dj_stmt_reset(s);
	dj_jw_arr_end(w);
	/* Payments for those months (and voluntary ones received in them), newest first. */
	dj_jw_key(w, "payments");
	dj_jw_arr_begin(w);
	if ((rc = dj_db_prepare(x->c, "SELECT p.id, p.org_id, p.month, p.paid_on, p.amount_fen, p.method, p.kind, p.payer,"
				      " p.payer_member_id, pm.name, p.consent, p.remit_central, p.note, p.recorded_by, p.created_at"
				      " FROM dues_payments p LEFT JOIN members pm ON pm.id = p.payer_member_id"
				      " WHERE p.member_id = ? AND p.month >= ? AND p.month <= ? AND p.deleted_at IS NULL"
				      " ORDER BY p.paid_on DESC, p.id DESC", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	dj_stmt_bind_text(s, 2, fb);
	dj_stmt_bind_text(s, 3, tb);
	while (dj_stmt_step(s) == DJ_ROW) {
		const char *kind = dj_stmt_text(s, 6);
		if (kind && strcmp(kind, "voluntary") == 0)
			voluntary += dj_stmt_int(s, 4);
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kint(w, "org_id", dj_stmt_int(s, 1));
		dj_jw_kstr(w, "month", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "paid_on", dj_stmt_text(s, 3));
		dj_jw_kint(w, "amount_fen", dj_stmt_int(s, 4));
		dj_jw_kstr(w, "method", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "method_label", method_label(dj_stmt_text(s, 5)));
		dj_jw_kstr(w, "kind", kind);
		dj_jw_kstr(w, "kind_label", kind_label(kind));
		dj_jw_kstr(w, "payer", dj_stmt_text(s, 7));
		dj_jw_kint_or_null(w, "payer_member_id", dj_stmt_int(s, 8), dj_stmt_is_null(s, 8));
		dj_jw_kstr(w, "payer_name", dj_stmt_text(s, 9));
		dj_jw_kbool(w, "consent", dj_stmt_int(s, 10) != 0);
		dj_jw_kbool(w, "remit_central", dj_stmt_int(s, 11) != 0);
		dj_jw_kstr(w, "note", dj_stmt_text(s, 12));
		dj_jw_kstr(w, "recorded_by", dj_stmt_text(s, 13));
		dj_jw_kstr(w, "created_at", dj_stmt_text(s, 14));
		dj_jw_obj_end(w);
	}
	dj_stmt_reset(s);
	dj_jw_arr_end(w);
	dj_jw_key(w, "exemptions");
	dj_jw_arr_begin(w);
	if ((rc = dj_db_prepare(x->c, "SELECT id, from_month, to_month, amount_fen, reason, approved_by, approved_on, created_by"
				      " FROM dues_exemptions WHERE member_id = ? ORDER BY id DESC", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	while (dj_stmt_step(s) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kstr(w, "from_month", dj_stmt_text(s, 1));
		dj_jw_kstr(w, "to_month", dj_stmt_text(s, 2));
		dj_jw_kint(w, "amount_fen", dj_stmt_int(s, 3));
		dj_jw_kstr(w, "kind", dj_stmt_int(s, 3) ? "reduction" : "exempt");
		dj_jw_kstr(w, "reason", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "approved_by", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "approved_on", dj_stmt_text(s, 6));
		dj_jw_kstr(w, "created_by", dj_stmt_text(s, 7));
		dj_jw_obj_end(w);
	}
	dj_stmt_reset(s);
	dj_jw_arr_end(w);
	dj_jw_key(w, "totals");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "due_fen", due);
	dj_jw_kint(w, "paid_fen", paid);
	dj_jw_kint(w, "outstanding_fen", outstanding);
	dj_jw_kint(w, "voluntary_fen", voluntary);
	dj_jw_obj_end(w);
	dj_jw_key(w, "arrears");
	dj_jw_arr_begin(w);
	rc = arrears_scan(x, x->sc->org_path, x->sc->path_hi, member_id, -1, write_finding, w);
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
	return rc;
}

dj_rc dj_dues_bases_write(const struct dj_model_ctx *x, int64_t member_id, struct dj_jw *w, int64_t *n)
{
	struct dj_stmt *s;
	dj_rc rc = member_head(x, member_id, NULL, NULL, 0);
	*n = 0;
	if (rc)
		return rc;
	if ((rc = dj_db_prepare(x->c, "SELECT id, category, base_fen, effective_month, note, set_by, set_at FROM dues_bases"
				      " WHERE member_id = ? ORDER BY effective_month DESC, id DESC", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	bool first = true;
	char cm[8];
	dj_dues_month_format(current_month(), cm);
	while (dj_stmt_step(s) == DJ_ROW) {
		const char *em = dj_stmt_text(s, 3);
		/* The newest row not in the future is the one in force this month. */
		bool in_force = first && em && strcmp(em, cm) <= 0;
		if (in_force)
			first = false;
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kint(w, "member_id", member_id);
		dj_jw_kstr(w, "category", dj_stmt_text(s, 1));
		dj_jw_kstr(w, "category_label", dj_dues_category_label(dj_stmt_text(s, 1)));
		dj_jw_kint_or_null(w, "base_fen", dj_stmt_int(s, 2), dj_stmt_is_null(s, 2));
		dj_jw_kstr(w, "effective_month", em);
		dj_jw_kstr(w, "note", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "set_by", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "set_at", dj_stmt_text(s, 6));
		dj_jw_kbool(w, "in_force", in_force);
		dj_jw_obj_end(w);
		(*n)++;
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

/* ---- cycles ---------------------------------------------------------------------------------------------- */

static int64_t permille(int64_t paid, int64_t due)
{
	return due > 0 ? paid * 1000 / due : 1000;
}

static const char Q_CYCLES[] =
	"SELECT c.id, c.org_id, o.name, c.month, c.status, c.members, c.paid_members, c.due_fen, c.paid_fen, c.unpaid_fen,"
	" c.paid_at_close_fen, c.closed_at, c.closed_by, c.updated_at FROM dues_cycles c JOIN orgs o ON o.id = c.org_id"
	" WHERE c.org_path >= ? AND c.org_path < ? AND c.month = ? AND (? = 0 OR c.org_id = ?) ORDER BY c.org_path LIMIT ? OFFSET ?";
static const char Q_CYCLES_N[] =
	"SELECT COUNT(*) FROM dues_cycles c WHERE c.org_path >= ? AND c.org_path < ? AND c.month = ? AND (? = 0 OR c.org_id = ?)";

dj_rc dj_dues_cycles_write(const struct dj_model_ctx *x, int64_t org_id, bool subtree, const char *month, int64_t page,
			   int64_t per_page, struct dj_jw *w, int64_t *total)
{
	struct dj_org o;
	struct dj_scope sub;
	struct dj_stmt *s;
	int64_t only = subtree ? 0 : org_id;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	for (int pass = 0; pass < 2; pass++) {
		if ((rc = dj_db_prepare(x->c, pass ? Q_CYCLES : Q_CYCLES_N, &s)))
			return rc;
		dj_stmt_bind_text(s, 1, sub.org_path);
		dj_stmt_bind_text(s, 2, sub.path_hi);
		dj_stmt_bind_text(s, 3, month);
		dj_stmt_bind_int(s, 4, only);
		dj_stmt_bind_int(s, 5, only);
		if (!pass) {
			*total = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0;
			dj_stmt_reset(s);
			continue;
		}
		dj_stmt_bind_int(s, 6, per_page);
		dj_stmt_bind_int(s, 7, (page - 1) * per_page);
		while (dj_stmt_step(s) == DJ_ROW) {
			int64_t due = dj_stmt_int(s, 7), paid = dj_stmt_int(s, 8);
			dj_jw_obj_begin(w);
			dj_jw_kint(w, "id", dj_stmt_int(s, 0));
			dj_jw_kint(w, "org_id", dj_stmt_int(s, 1));
			dj_jw_kstr(w, "org_name", dj_stmt_text(s, 2));
			dj_jw_kstr(w, "month", dj_stmt_text(s, 3));
			dj_jw_kstr(w, "status", dj_stmt_text(s, 4));
			dj_jw_kstr(w, "status_label", cycle_status_label(dj_stmt_text(s, 4)));
			dj_jw_kint(w, "members", dj_stmt_int(s, 5));
			dj_jw_kint(w, "paid_members", dj_stmt_int(s, 6));
			dj_jw_kint(w, "due_fen", due);
			dj_jw_kint(w, "paid_fen", paid);
			dj_jw_kint(w, "unpaid_fen", dj_stmt_int(s, 9));
			dj_jw_kint(w, "rate_permille", permille(paid, due));
			dj_jw_kint_or_null(w, "paid_at_close_fen", dj_stmt_int(s, 10), dj_stmt_is_null(s, 10));
			dj_jw_kstr(w, "closed_at", dj_stmt_text(s, 11));
			dj_jw_kstr(w, "closed_by", dj_stmt_text(s, 12));
			dj_jw_kstr(w, "updated_at", dj_stmt_text(s, 13));
			dj_jw_obj_end(w);
		}
		dj_stmt_reset(s);
	}
	return DJ_OK;
}

/* ---- grid: members × months of one org ------------------------------------------------------------------ */

struct cell {
	int64_t amount, paid;
	char status[10];
	bool set;
};

dj_rc dj_dues_grid_write(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_jw *w)
{
	struct dj_org o;
	struct dj_stmt *s;
	char lo[8], hi[8], mb[8];
	struct gm {
		int64_t id;
		char *name, *status, *category;
		struct cell c[12];
	} *ms = NULL;
	size_t n = 0, cap = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_dues_month_format(year * 12, lo);
	dj_dues_month_format(year * 12 + 11, hi);
	/* Its own active members, and anyone else with a bill here this year (transferred out). */
	if ((rc = dj_db_prepare(x->c, "SELECT m.id, m.name, m.status, (SELECT b.category FROM dues_bases b WHERE b.member_id = m.id"
				      " ORDER BY b.effective_month DESC, b.id DESC LIMIT 1) FROM members m"
				      " WHERE (m.org_id = ? AND m.status = 'active' AND m.deleted_at IS NULL)"
				      " OR m.id IN (SELECT member_id FROM dues_bills WHERE org_id = ? AND month >= ? AND month <= ?)"
				      " ORDER BY m.id", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_int(s, 2, org_id);
	dj_stmt_bind_text(s, 3, lo);
	dj_stmt_bind_text(s, 4, hi);
	while (dj_stmt_step(s) == DJ_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ms = dj_realloc(ms, cap * sizeof(*ms));
		}
		memset(&ms[n], 0, sizeof(ms[n]));
		ms[n].id = dj_stmt_int(s, 0);
		ms[n].name = dj_arena_strdup(x->a, dj_stmt_text(s, 1));
		ms[n].status = dj_arena_strdup(x->a, dj_stmt_text(s, 2));
		ms[n].category = dj_arena_strdup(x->a, dj_stmt_text(s, 3));
		n++;
	}
	dj_stmt_reset(s);
	if ((rc = dj_db_prepare(x->c, "SELECT member_id, month, amount_fen, paid_fen, status FROM dues_bills"
				      " WHERE org_id = ? AND month >= ? AND month <= ? ORDER BY member_id, month", &s)))
		goto out;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_text(s, 2, lo);
	dj_stmt_bind_text(s, 3, hi);
	size_t k = 0;
	while (dj_stmt_step(s) == DJ_ROW) {
		int64_t mid = dj_stmt_int(s, 0);
		int m;
		while (k < n && ms[k].id < mid)
			k++;
		if (k == n || ms[k].id != mid || dj_dues_month_parse(dj_stmt_text(s, 1), &m) || m / 12 != year)
			continue;
		struct cell *c = &ms[k].c[m % 12];
		c->set = true;
		c->amount = dj_stmt_int(s, 2);
		c->paid = dj_stmt_int(s, 3);
		snprintf(c->status, sizeof(c->status), "%s", dj_stmt_text(s, 4));
	}
	dj_stmt_reset(s);
	struct cell tot[12];
	int64_t members[12] = { 0 }, paid_members[12] = { 0 };
	memset(tot, 0, sizeof(tot));
	dj_jw_obj_begin(w);
	dj_jw_key(w, "org");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", o.id);
	dj_jw_kstr(w, "name", o.name);
	dj_jw_obj_end(w);
	dj_jw_kint(w, "year", year);
	dj_jw_key(w, "months");
	dj_jw_arr_begin(w);
	for (int i = 0; i < 12; i++)
		dj_jw_str(w, dj_dues_month_format(year * 12 + i, mb));
	dj_jw_arr_end(w);
	dj_jw_key(w, "items");
	dj_jw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		int64_t due = 0, paid = 0, unpaid = 0;
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "member_id", ms[i].id);
		dj_jw_kstr(w, "name", ms[i].name);
		dj_jw_kstr(w, "member_status", ms[i].status);
		dj_jw_kstr(w, "category", ms[i].category);
		dj_jw_kstr(w, "category_label", dj_dues_category_label(ms[i].category));
		dj_jw_kbool(w, "needs_base", ms[i].category == NULL);
		dj_jw_key(w, "cells");
		dj_jw_arr_begin(w);
		for (int m = 0; m < 12; m++) {
			struct cell *c = &ms[i].c[m];
			if (!c->set) {
				dj_jw_null(w);
				continue;
			}
			due += c->amount;
			paid += c->paid;
			unpaid += c->amount > c->paid ? c->amount - c->paid : 0;
			tot[m].amount += c->amount;
			tot[m].paid += c->paid;
			members[m]++;
			paid_members[m] += strcmp(c->status, "paid") == 0 || strcmp(c->status, "exempt") == 0 ||
					   strcmp(c->status, "none") == 0;
			dj_jw_obj_begin(w);
			dj_jw_kstr(w, "month", dj_dues_month_format(year * 12 + m, mb));
			dj_jw_kint(w, "amount_fen", c->amount);
			dj_jw_kint(w, "paid_fen", c->paid);
			dj_jw_kstr(w, "status", c->status);
			dj_jw_obj_end(w);
		}
		dj_jw_arr_end(w);
		dj_jw_kint(w, "due_fen", due);
		dj_jw_kint(w, "paid_fen", paid);
		dj_jw_kint(w, "unpaid_fen", unpaid);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_kint(w, "total", (int64_t)n);
	dj_jw_key(w, "totals");
	dj_jw_arr_begin(w);
	for (int m = 0; m < 12; m++) {
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "month", dj_dues_month_format(year * 12 + m, mb));
		dj_jw_kint(w, "members", members[m]);
		dj_jw_kint(w, "paid_members", paid_members[m]);
		dj_jw_kint(w, "due_fen", tot[m].amount);
		dj_jw_kint(w, "paid_fen", tot[m].paid);
		dj_jw_kint(w, "rate_permille", permille(tot[m].paid, tot[m].amount));
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_obj_end(w);
out:
	dj_free(ms);
	return rc;
}

/* ---- report: rates by month that add up across the tree ------------------------------------------------ */

struct msum {
	int64_t members, paid_members, due, paid, unpaid;
};

/* Sums of cycles by month for a subtree range, or for one org's own members (org != 0). */
static dj_rc sums(struct dj_db_conn *c, const char *lo, const char *hi, int64_t org, int year, struct msum out[12])
{
	struct dj_stmt *s;
	char a[8], b[8];
	memset(out, 0, sizeof(struct msum) * 12);
	dj_rc rc = dj_db_prepare(c, "SELECT month, SUM(members), SUM(paid_members), SUM(due_fen), SUM(paid_fen), SUM(unpaid_fen)"
				    " FROM dues_cycles WHERE org_path >= ? AND org_path < ? AND (? = 0 OR org_id = ?)"
				    " AND month >= ? AND month <= ? GROUP BY month", &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, lo);
	dj_stmt_bind_text(s, 2, hi);
	dj_stmt_bind_int(s, 3, org);
	dj_stmt_bind_int(s, 4, org);
	dj_stmt_bind_text(s, 5, dj_dues_month_format(year * 12, a));
	dj_stmt_bind_text(s, 6, dj_dues_month_format(year * 12 + 11, b));
	while (dj_stmt_step(s) == DJ_ROW) {
		int m;
		if (dj_dues_month_parse(dj_stmt_text(s, 0), &m) || m / 12 != year)
			continue;
		struct msum *x = &out[m % 12];
		x->members = dj_stmt_int(s, 1);
		x->paid_members = dj_stmt_int(s, 2);
		x->due = dj_stmt_int(s, 3);
		x->paid = dj_stmt_int(s, 4);
		x->unpaid = dj_stmt_int(s, 5);
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

static void write_row(struct dj_jw *w, int year, const struct msum m[12])
{
	struct msum t = { 0, 0, 0, 0, 0 };
	char mb[8];
	dj_jw_key(w, "months");
	dj_jw_arr_begin(w);
	for (int i = 0; i < 12; i++) {
		t.due += m[i].due;
		t.paid += m[i].paid;
		t.unpaid += m[i].unpaid;
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "month", dj_dues_month_format(year * 12 + i, mb));
		dj_jw_kint(w, "members", m[i].members);
		dj_jw_kint(w, "paid_members", m[i].paid_members);
		dj_jw_kint(w, "due_fen", m[i].due);
		dj_jw_kint(w, "paid_fen", m[i].paid);
		dj_jw_kint(w, "unpaid_fen", m[i].unpaid);
		dj_jw_kint_or_null(w, "rate_permille", permille(m[i].paid, m[i].due), m[i].members == 0);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	dj_jw_kint(w, "due_fen", t.due);
	dj_jw_kint(w, "paid_fen", t.paid);
	dj_jw_kint(w, "unpaid_fen", t.unpaid);
	dj_jw_kint(w, "rate_permille", permille(t.paid, t.due));
}

dj_rc dj_dues_report_write(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_jw *w)
{
	struct dj_org o, *kids;
	struct dj_scope sub;
	struct dj_stmt *s;
	struct msum m[12];
	int64_t nk = 0, total = 0, voluntary = 0, remit = 0;
	char a[16], b[16];
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	dj_jw_obj_begin(w);
	dj_jw_key(w, "org");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", o.id);
	dj_jw_kstr(w, "name", o.name);
	dj_jw_kstr(w, "kind", o.kind);
	dj_jw_obj_end(w);
	dj_jw_kint(w, "year", year);
	dj_jw_key(w, "rows");
	dj_jw_arr_begin(w);
	for (int64_t page = 1;; page++) {
		if ((rc = dj_org_children(x->c, x->sc, org_id, page, 200, x->a, &kids, &nk, &total)))
			return rc;
		for (int64_t i = 0; i < nk; i++) {
			struct dj_scope ks;
			dj_scope_set_path(&ks, kids[i].path);
			if ((rc = sums(x->c, ks.org_path, ks.path_hi, 0, year, m)))
				return rc;
			dj_jw_obj_begin(w);
			dj_jw_kint(w, "org_id", kids[i].id);
			dj_jw_kstr(w, "name", kids[i].name);
			dj_jw_kstr(w, "kind", kids[i].kind);
			dj_jw_kbool(w, "own", false);
			dj_jw_kbool(w, "has_children", kids[i].children_count > 0);
			write_row(w, year, m);
			dj_jw_obj_end(w);
		}
		if (page * 200 >= total)
			break;
	}
	/* The org's own members ("本级"), so that the rows add up to the total. */
	if ((rc = sums(x->c, sub.org_path, sub.path_hi, o.id, year, m)))
		return rc;
	bool own = false;
	for (int i = 0; i < 12; i++)
		own = own || m[i].members > 0;
	if (own) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "org_id", o.id);
		dj_jw_kstr(w, "name", "本级党员");
		dj_jw_kstr(w, "kind", o.kind);
		dj_jw_kbool(w, "own", true);
		dj_jw_kbool(w, "has_children", false);
		write_row(w, year, m);
		dj_jw_obj_end(w);
	}
	dj_jw_arr_end(w);
	if ((rc = sums(x->c, sub.org_path, sub.path_hi, 0, year, m)))
		return rc;
	dj_jw_key(w, "total");
	dj_jw_obj_begin(w);
	write_row(w, year, m);
	dj_jw_obj_end(w);
	/* FEE-8: voluntary extra payments, and those (≥ 1000 元 at once) remitted to the Centre. */
	if ((rc = dj_db_prepare(x->c, "SELECT COALESCE(SUM(amount_fen), 0), COALESCE(SUM(CASE WHEN remit_central = 1 THEN amount_fen"
				      " ELSE 0 END), 0) FROM dues_payments WHERE org_path >= ? AND org_path < ? AND kind = 'voluntary'"
				      " AND deleted_at IS NULL AND paid_on >= ? AND paid_on <= ?", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	snprintf(a, sizeof(a), "%04d-01-01", year % 10000);
	snprintf(b, sizeof(b), "%04d-12-31", year % 10000);
	dj_stmt_bind_text(s, 3, a);
	dj_stmt_bind_text(s, 4, b);
	if (dj_stmt_step(s) == DJ_ROW) {
		voluntary = dj_stmt_int(s, 0);
		remit = dj_stmt_int(s, 1);
	}
	dj_stmt_reset(s);
	dj_jw_kint(w, "voluntary_fen", voluntary);
	dj_jw_kint(w, "remit_central_fen", remit);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* ---- exports --------------------------------------------------------------------------------------------- */

static const char *yuan(struct dj_arena *a, int64_t fen)
{
	char buf[24];
	return dj_arena_strdup(a, dj_fen_format(fen, buf, sizeof(buf)));
}

static const char Q_EXPORT_MONTH[] =
	"SELECT o.name, m.name, m.id_number_mask, b.category, b.base_fen, b.amount_fen, b.paid_fen, b.status,"
	" (SELECT MAX(p.paid_on) FROM dues_payments p WHERE p.member_id = b.member_id AND p.month = b.month"
	"  AND p.deleted_at IS NULL AND p.kind <> 'voluntary'),"
	" (SELECT p.method FROM dues_payments p WHERE p.member_id = b.member_id AND p.month = b.month"
	"  AND p.deleted_at IS NULL AND p.kind <> 'voluntary' ORDER BY p.id DESC LIMIT 1)"
	" FROM dues_bills b JOIN members m ON m.id = b.member_id JOIN orgs o ON o.id = b.org_id"
	" WHERE b.org_path >= ? AND b.org_path < ? AND b.month = ? ORDER BY b.org_path, m.id";

dj_rc dj_dues_export_month(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *path,
			   int64_t *rows)
{
	static const char *const head[] = { "序号", "党组织", "姓名", "身份证号", "党费类别", "交纳基数（元）", "应交（元）",
					    "实交（元）", "未交（元）", "状态", "缴费日期", "缴费方式" };
	static const double widths[] = { 6, 28, 10, 20, 14, 14, 12, 12, 12, 10, 12, 10 };
	struct dj_org o;
	struct dj_scope sub;
	struct dj_stmt *s;
	struct dj_xlsx_out *xo = NULL;
	char title[300], seq[24];
	int64_t due = 0, paid = 0, unpaid = 0;
	*rows = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	if ((rc = dj_xlsx_create(path, "党费收缴明细", &xo)))
		return rc;
	for (size_t i = 0; i < 12; i++)
		dj_xlsx_col_width(xo, i, widths[i]);
	snprintf(title, sizeof(title), "%s %s 党费收缴明细", o.name, month);
	const char *t1[] = { title };
	if ((rc = dj_xlsx_row(xo, t1, 1, 0)) || (rc = dj_xlsx_row(xo, head, 12, 1)))
		goto out;
	if ((rc = dj_db_prepare(x->c, Q_EXPORT_MONTH, &s)))
		goto out;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	dj_stmt_bind_text(s, 3, month);
	while (!rc && dj_stmt_step(s) == DJ_ROW) {
		int64_t a = dj_stmt_int(s, 5), p = dj_stmt_int(s, 6), u = a > p ? a - p : 0;
		const char *cat = dj_stmt_text(s, 3);
		due += a;
		paid += p;
		unpaid += u;
		snprintf(seq, sizeof(seq), "%lld", (long long)++*rows);
		const char *cells[12] = { seq,
					  dj_arena_strdup(x->a, dj_stmt_text(s, 0)),
					  dj_arena_strdup(x->a, dj_stmt_text(s, 1)),
					  dj_arena_strdup(x->a, dj_stmt_text(s, 2)),
					  dj_dues_category_label(cat) ? dj_dues_category_label(cat) : "",
					  dj_dues_category_flat(cat) ? "定额" : yuan(x->a, dj_stmt_int(s, 4)),
					  yuan(x->a, a),
					  yuan(x->a, p),
					  yuan(x->a, u),
					  bill_status_label(dj_stmt_text(s, 7)),
					  dj_arena_strdup(x->a, dj_stmt_text(s, 8) ? dj_stmt_text(s, 8) : ""),
					  method_label(dj_stmt_text(s, 9)) ? method_label(dj_stmt_text(s, 9)) : "" };
		rc = dj_xlsx_row(xo, cells, 12, 0);
	}
	dj_stmt_reset(s);
	if (!rc) {
		const char *cells[12] = { "合计", "", "", "", "", "", yuan(x->a, due), yuan(x->a, paid), yuan(x->a, unpaid), "", "", "" };
		rc = dj_xlsx_row(xo, cells, 12, 1);
	}
out: {
	dj_rc rc2 = dj_xlsx_close(xo);
	return rc ? rc : rc2;
}
}

dj_rc dj_dues_export_annual(const struct dj_model_ctx *x, int64_t org_id, int year, const char *path, int64_t *rows)
{
	struct dj_org o;
	struct dj_scope sub;
	struct dj_stmt *s;
	struct dj_xlsx_out *xo = NULL;
	char title[300], lo[8], hi[8], a[16], b[16], seq[24];
	const char *head[17] = { "序号", "党组织", "姓名" };
	static const char *const mnames[] = { "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月" };
	int64_t mon_paid[12] = { 0 }, due_all = 0, paid_all = 0, vol = 0, remit = 0;
	*rows = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	for (int i = 0; i < 12; i++)
		head[3 + i] = mnames[i];
	head[15] = "全年应交（元）";
	head[16] = "全年实交（元）";
	if ((rc = dj_xlsx_create(path, "党费收缴情况公示", &xo)))
		return rc;
	dj_xlsx_col_width(xo, 1, 28);
	dj_xlsx_col_width(xo, 15, 14);
	dj_xlsx_col_width(xo, 16, 14);
	/* FEE-13: the branch publishes collection (and use) at least once a year. */
	snprintf(title, sizeof(title), "%s %d年度党费收缴情况公示（单位：元；各月为实交金额）", o.name, year);
	const char *t1[] = { title };
	if ((rc = dj_xlsx_row(xo, t1, 1, 0)) || (rc = dj_xlsx_row(xo, head, 17, 1)))
		goto out;
	dj_dues_month_format(year * 12, lo);
	dj_dues_month_format(year * 12 + 11, hi);
	if ((rc = dj_db_prepare(x->c, "SELECT b.member_id, o.name, m.name, b.month, b.amount_fen, b.paid_fen FROM dues_bills b"
				      " JOIN members m ON m.id = b.member_id JOIN orgs o ON o.id = b.org_id"
				      " WHERE b.org_path >= ? AND b.org_path < ? AND b.month >= ? AND b.month <= ?"
				      " ORDER BY b.org_path, b.member_id, b.month", &s)))
		goto out;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	dj_stmt_bind_text(s, 3, lo);
	dj_stmt_bind_text(s, 4, hi);
	int64_t cur_member = 0, due = 0, paid = 0, cell[12];
	const char *org_name = NULL, *name = NULL;
	bool any = false;
	for (;;) {
		bool row = !rc && dj_stmt_step(s) == DJ_ROW;
		int64_t mid = row ? dj_stmt_int(s, 0) : -1;
		if (any && mid != cur_member) {
			const char *cells[17];
			snprintf(seq, sizeof(seq), "%lld", (long long)++*rows);
			cells[0] = dj_arena_strdup(x->a, seq);
			cells[1] = org_name;
			cells[2] = name;
			for (int i = 0; i < 12; i++)
				cells[3 + i] = cell[i] < 0 ? "" : yuan(x->a, cell[i]);
			cells[15] = yuan(x->a, due);
			cells[16] = yuan(x->a, paid);
			rc = dj_xlsx_row(xo, cells, 17, 0);
			any = false;
		}
		if (!row)
			break;
		if (!any) {
			any = true;
			cur_member = mid;
			org_name = dj_arena_strdup(x->a, dj_stmt_text(s, 1));
			name = dj_arena_strdup(x->a, dj_stmt_text(s, 2));
			due = paid = 0;
			for (int i = 0; i < 12; i++)
				cell[i] = -1;
		}
		int m;
		if (dj_dues_month_parse(dj_stmt_text(s, 3), &m) || m / 12 != year)
			continue;
		cell[m % 12] = dj_stmt_int(s, 5);
		mon_paid[m % 12] += dj_stmt_int(s, 5);
		due += dj_stmt_int(s, 4);
		paid += dj_stmt_int(s, 5);
		due_all += dj_stmt_int(s, 4);
		paid_all += dj_stmt_int(s, 5);
	}
	dj_stmt_reset(s);
	if (rc)
		goto out;
	{
		const char *cells[17];
		cells[0] = "合计";
		cells[1] = "";
		cells[2] = "";
		for (int i = 0; i < 12; i++)
			cells[3 + i] = yuan(x->a, mon_paid[i]);
		cells[15] = yuan(x->a, due_all);
		cells[16] = yuan(x->a, paid_all);
		if ((rc = dj_xlsx_row(xo, cells, 17, 1)))
			goto out;
	}
	if ((rc = dj_db_prepare(x->c, "SELECT COALESCE(SUM(amount_fen), 0), COALESCE(SUM(CASE WHEN remit_central = 1 THEN amount_fen"
				      " ELSE 0 END), 0) FROM dues_payments WHERE org_path >= ? AND org_path < ? AND kind = 'voluntary'"
				      " AND deleted_at IS NULL AND paid_on >= ? AND paid_on <= ?", &s)))
		goto out;
	snprintf(a, sizeof(a), "%04d-01-01", year % 10000);
	snprintf(b, sizeof(b), "%04d-12-31", year % 10000);
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	dj_stmt_bind_text(s, 3, a);
	dj_stmt_bind_text(s, 4, b);
	if (dj_stmt_step(s) == DJ_ROW) {
		vol = dj_stmt_int(s, 0);
		remit = dj_stmt_int(s, 1);
	}
	dj_stmt_reset(s);
	{
		char line[200], amt[24], r[24];
		snprintf(line, sizeof(line), "自愿多交党费 %s 元，其中单笔 1000 元以上全额上缴中央 %s 元（FEE-8）",
			 dj_fen_format(vol, amt, sizeof(amt)), dj_fen_format(remit, r, sizeof(r)));
		const char *cells[1] = { line };
		rc = dj_xlsx_row(xo, cells, 1, 0);
	}
out: {
	dj_rc rc2 = dj_xlsx_close(xo);
	return rc ? rc : rc2;
}
}

dj_rc dj_dues_publication_pdf(const struct dj_model_ctx *x, int64_t org_id, int year, const char *path, int64_t *rows)
{
	struct dj_org o;
	struct dj_scope sub;
	struct dj_stmt *s;
	char lo[8], hi[8];
	size_t cap = 64, n = 0;
	int64_t due_all = 0, paid_all = 0;
	*rows = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	dj_dues_month_format(year * 12, lo);
	dj_dues_month_format(year * 12 + 11, hi);
	const char **paras = dj_arena_alloc(x->a, sizeof(char *) * cap);
	/* FEE-13: the annual publication, one line per member with the year's due and paid amounts. */
	paras[n++] = dj_arena_printf(x->a, "　　根据《关于中国共产党党费收缴、使用和管理的规定》，现将%s%d年度党费收缴情况公示如下（单位：元）：",
				     o.name, year);
	if ((rc = dj_db_prepare(x->c, "SELECT o.name, m.name, SUM(b.amount_fen), SUM(b.paid_fen) FROM dues_bills b"
				      " JOIN members m ON m.id = b.member_id JOIN orgs o ON o.id = b.org_id"
				      " WHERE b.org_path >= ? AND b.org_path < ? AND b.month >= ? AND b.month <= ?"
				      " GROUP BY b.member_id, o.name, m.name, b.org_path ORDER BY b.org_path, b.member_id", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	dj_stmt_bind_text(s, 3, lo);
	dj_stmt_bind_text(s, 4, hi);
	while (dj_stmt_step(s) == DJ_ROW) {
		int64_t due = dj_stmt_int(s, 2), paid = dj_stmt_int(s, 3);
		if (n + 2 >= cap) {
			const char **more = dj_arena_alloc(x->a, sizeof(char *) * cap * 2);
			memcpy(more, paras, sizeof(char *) * n);
			paras = more;
			cap *= 2;
		}
		paras[n++] = dj_arena_printf(x->a, "%lld．%s　%s　全年应交 %s　实交 %s", (long long)++*rows, dj_stmt_text(s, 0),
					     dj_stmt_text(s, 1), yuan(x->a, due), yuan(x->a, paid));
		due_all += due;
		paid_all += paid;
	}
	dj_stmt_reset(s);
	paras[n++] = dj_arena_printf(x->a, "合计：党员 %lld 人，全年应交 %s 元，实交 %s 元。", (long long)*rows, yuan(x->a, due_all),
				     yuan(x->a, paid_all));
	paras[n++] = dj_arena_printf(x->a, ">中共%s", o.name);
	struct dj_doc doc = { dj_arena_printf(x->a, "%d年度党费收缴情况公示", year), paras, n };
	return dj_pdf_write(path, &doc, 1);
}

dj_rc dj_dues_detail_pdf(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *path, int64_t *rows)
{
	struct dj_org o;
	struct dj_scope sub;
	struct dj_stmt *s;
	size_t cap = 64, n = 0;
	int64_t due = 0, paid = 0;
	*rows = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	const char **paras = dj_arena_alloc(x->a, sizeof(char *) * cap);
	if ((rc = dj_db_prepare(x->c, Q_EXPORT_MONTH, &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	dj_stmt_bind_text(s, 3, month);
	while (dj_stmt_step(s) == DJ_ROW) {
		int64_t a = dj_stmt_int(s, 5), p = dj_stmt_int(s, 6);
		if (n + 3 >= cap) {
			const char **more = dj_arena_alloc(x->a, sizeof(char *) * cap * 2);
			memcpy(more, paras, sizeof(char *) * n);
			paras = more;
			cap *= 2;
		}
		/* the 身份证号 column stays masked in print (dj_stmt_text(s, 2) is the mask) */
		paras[n++] = dj_arena_printf(x->a, "%lld．%s　%s　应交 %s　实交 %s　%s", (long long)++*rows, dj_stmt_text(s, 0),
					     dj_stmt_text(s, 1), yuan(x->a, a), yuan(x->a, p), bill_status_label(dj_stmt_text(s, 7)));
		due += a;
		paid += p;
	}
	dj_stmt_reset(s);
	paras[n++] = dj_arena_printf(x->a, "合计：%lld 人，应交 %s 元，实交 %s 元，未交 %s 元。", (long long)*rows, yuan(x->a, due),
				     yuan(x->a, paid), yuan(x->a, due > paid ? due - paid : 0));
	paras[n++] = dj_arena_printf(x->a, ">中共%s", o.name);
	struct dj_doc doc = { dj_arena_printf(x->a, "%s %s 党费收缴明细", o.name, month), paras, n };
	return dj_pdf_write(path, &doc, 1);
}

/* demo_dues.c — twelve months of party dues for the demo county: bases by category and sector with
 * plausible after-tax pay (fixed each January, FEE-9), farmers at the flat rate (FEE-6), bills
 * from admission (FEE-10) computed with dj_dues_calc, exemptions for some hardship members (FEE-7);
 * most members pay monthly, some quarterly as 补交, some are three or four months behind and a few
 * six or more (FEE-12). Older months are closed. Prepared statements in the demo's transaction. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/demo.h"
#include "dj/dues_ledger.h"
#include "dj/banned.h"

struct rng {
	uint64_t s;
};
static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}
static int pick(struct rng *r, int n)
{
	return (int)(next(r) % (uint64_t)n);
}

/* After-tax monthly pay in 元 by occupation: [lo, hi). */
static const struct {
	const char *occupation, *category;
	int lo, hi;
} pay[] = {
	{ "official", "employed", 4500, 9200 },	   { "professional", "employed", 5000, 12500 },
	{ "worker", "employed", 3000, 6800 },	   { "manager", "employed", 6000, 16500 },
	{ "other", "employed", 2600, 5200 },	   { "retired", "retired", 2800, 6800 },
	{ "farmer", "farmer", 0, 0 },
};

static const char Q_MEMBERS[] =
	"SELECT m.id, m.org_id, m.org_path, COALESCE(m.occupation, ''), COALESCE(m.joined_on, ''), COALESCE(m.is_hardship, 0)"
	" FROM members m WHERE m.status = 'active' AND m.deleted_at IS NULL ORDER BY m.id";
static const char Q_BASE[] =
	"INSERT INTO dues_bases(member_id, category, base_fen, effective_month, note, set_by, set_at, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, 'demo', ?, ?, ?)";
static const char Q_EXEMPT[] =
	"INSERT INTO dues_exemptions(member_id, from_month, to_month, amount_fen, reason, approved_by, approved_on, created_by,"
	" created_at, updated_at) VALUES (?, ?, ?, 0, '家庭生活困难，经党支部研究申请免交', '乡镇党委', ?, 'demo', ?, ?)";
/* Per member: what the C side decided (category, the two January bases with their amounts from
 * dj_dues_calc, the habit); the months are joined to it in SQL. */
static const char Q_TEMP[] =
	"CREATE TEMP TABLE demo_dues_m (member_id INTEGER, org_id INTEGER, org_path TEXT, cat TEXT, first_month INTEGER,"
	" y0 INTEGER, base0 INTEGER, calc0 INTEGER, rule0 TEXT, base1 INTEGER, calc1 INTEGER, rule1 TEXT, ex_id INTEGER,"
	" habit INTEGER, payday TEXT, behind INTEGER, skip1 INTEGER, skip2 INTEGER, method TEXT);"
	"CREATE TEMP TABLE demo_months (mi INTEGER, month TEXT);";
static const char Q_TEMP_DROP[] = "DROP TABLE temp.demo_dues_m; DROP TABLE temp.demo_months;";
static const char Q_M[] =
	"INSERT INTO temp.demo_dues_m VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char Q_MONTH[] = "INSERT INTO temp.demo_months VALUES (?, ?)";

/* One row per member and month from the first billed month (FEE-10), with the month it was paid
 * in (pm, -1 = not paid): 0 monthly, 1 at the quarter's end (补交), 2/3 the last `behind` complete
 * months unpaid, 4 two months skipped; nothing is paid ahead of today. Parameters: last complete
 * month, current month, current month again, today's day. */
#define BILL_ROWS                                                                                                    \
	"(SELECT d.*, mo.mi, mo.month, CASE WHEN d.ex_id IS NOT NULL THEN 0 WHEN mo.mi / 12 = d.y0 THEN d.calc0 ELSE d.calc1"  \
	" END AS amount, CASE WHEN mo.mi / 12 = d.y0 THEN d.base0 ELSE d.base1 END AS base,"                                \
	" CASE WHEN mo.mi / 12 = d.y0 THEN d.calc0 ELSE d.calc1 END AS calc,"                                               \
	" CASE WHEN d.ex_id IS NOT NULL THEN 'FEE-7' WHEN mo.mi / 12 = d.y0 THEN d.rule0 ELSE d.rule1 END AS rule,"        \
	" CASE WHEN d.ex_id IS NOT NULL THEN -1 ELSE (SELECT CASE WHEN q.pm > ? OR (q.pm = ? AND ? <= CAST(d.payday AS INTEGER))" \
	"  THEN -1 ELSE q.pm END FROM (SELECT CASE d.habit WHEN 0 THEN mo.mi WHEN 1 THEN mo.mi + 2 - mo.mi % 3"               \
	"  WHEN 4 THEN CASE WHEN mo.mi = d.skip1 OR mo.mi = d.skip2 THEN -1 ELSE mo.mi END"                                 \
	"  ELSE CASE WHEN mo.mi <= ? - d.behind THEN mo.mi ELSE -1 END END AS pm) q) END AS pm"                               \
	" FROM temp.demo_dues_m d JOIN temp.demo_months mo ON mo.mi >= d.first_month) r"

static const char Q_BILLS[] =
	"INSERT INTO dues_bills(org_path, org_id, member_id, month, category, base_fen, calc_fen, amount_fen, paid_fen, status,"
	" rule, explanation, exemption_id, created_at, updated_at)"
	" SELECT r.org_path, r.org_id, r.member_id, r.month, r.cat, r.base, r.calc, r.amount,"
	" CASE WHEN r.pm >= 0 THEN r.amount ELSE 0 END,"
	" CASE WHEN r.amount = 0 THEN CASE WHEN r.ex_id IS NULL THEN 'none' ELSE 'exempt' END WHEN r.pm >= 0 THEN 'paid'"
	" ELSE 'unpaid' END, r.rule, NULL, r.ex_id, ?, ? FROM " BILL_ROWS " ORDER BY r.member_id, r.mi";
static const char Q_PAYS[] =
	"INSERT INTO dues_payments(org_path, org_id, member_id, month, paid_on, amount_fen, method, kind, payer, consent,"
	" remit_central, source, recorded_by, created_at, updated_at)"
	" SELECT r.org_path, r.org_id, r.member_id, r.month, CAST(r.pm / 12 AS TEXT) || '-' ||"
	" CASE WHEN r.pm % 12 < 9 THEN '0' ELSE '' END || CAST(r.pm % 12 + 1 AS TEXT) || '-' || r.payday, r.amount, r.method,"
	" CASE WHEN r.pm > r.mi THEN 'back_payment' ELSE 'dues' END, 'self', 0, 0, 'demo', 'demo', ?, ? FROM " BILL_ROWS
	" WHERE r.pm >= 0 AND r.amount > 0 ORDER BY r.member_id, r.mi";
/* Cycles from the bills: months before last month are closed. */
static const char Q_CYCLES[] =
	"INSERT INTO dues_cycles(org_id, org_path, month, status, members, paid_members, due_fen, paid_fen, unpaid_fen,"
	" paid_at_close_fen, closed_at, closed_by, created_at, updated_at)"
	" SELECT org_id, org_path, month, CASE WHEN month < ? THEN 'closed' ELSE 'collecting' END, COUNT(*),"
	" SUM(CASE WHEN status IN ('paid', 'exempt', 'none') THEN 1 ELSE 0 END), SUM(amount_fen), SUM(paid_fen),"
	" SUM(CASE WHEN amount_fen > paid_fen THEN amount_fen - paid_fen ELSE 0 END),"
	" CASE WHEN month < ? THEN SUM(paid_fen) END, CASE WHEN month < ? THEN ? END, CASE WHEN month < ? THEN 'demo' END, ?, ?"
	" FROM dues_bills GROUP BY org_id, org_path, month";

struct mem {
	int64_t id, org;
	char path[DJ_PATH_MAX], occ[24];
	int joined;
	bool hardship;
};

static dj_rc exec_bound(struct dj_db_conn *c, const char *sql, const char *const *text, int ntext)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, sql, &s);
	if (rc)
		return rc;
	for (int i = 0; i < ntext; i++)
		dj_stmt_bind_text(s, i + 1, text[i]);
	return dj_stmt_exec(s);
}

/* The BILL_ROWS parameters followed by the two timestamps. */
static dj_rc exec_rows(struct dj_db_conn *c, const char *sql, int cur, int day, const char *ts)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, sql, &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, ts);
	dj_stmt_bind_text(s, 2, ts);
	dj_stmt_bind_int(s, 3, cur);
	dj_stmt_bind_int(s, 4, cur);
	dj_stmt_bind_int(s, 5, day);
	dj_stmt_bind_int(s, 6, cur - 1);
	return dj_stmt_exec(s);
}

dj_rc dj_demo_dues(struct dj_db_conn *c, uint64_t seed, int64_t *bills)
{
	struct rng r = { seed ^ 0x2545F4914F6CDD1DULL };
	struct dj_stmt *s;
	struct mem *ms = NULL;
	size_t n = 0, cap = 0;
	struct dj_date today = dj_date_today();
	int cur = dj_dues_month_of(today), start = cur - 11;
	char ts[26], mb[8], pb[11], eb[8], closed_before[8], closed_at[40], dayb[4];
	int64_t payments = 0, own_member = 0;
	struct dj_dues_settings st;
	dj_rc rc;
	*bills = 0;
	dj_time_rfc3339(dj_time_now(), ts);
	dj_dues_settings_for(c, "/", &st);
	if ((rc = dj_db_exec_sql(c, Q_TEMP)))
		return rc;
	for (int mo = start; mo <= cur && !rc; mo++) {
		if ((rc = dj_db_prepare(c, Q_MONTH, &s)))
			break;
		dj_stmt_bind_int(s, 1, mo);
		dj_stmt_bind_text(s, 2, dj_dues_month_format(mo, mb));
		rc = dj_stmt_exec(s);
	}
	if (!rc && !(rc = dj_db_prepare(c, "SELECT COALESCE(member_id, 0) FROM users WHERE username = 'dangyuan'", &s))) {
		if (dj_stmt_step(s) == DJ_ROW)
			own_member = dj_stmt_int(s, 0);
		dj_stmt_reset(s);
	}
	if (!rc && !(rc = dj_db_prepare(c, Q_MEMBERS, &s))) {
		while (dj_stmt_step(s) == DJ_ROW) {
			struct dj_date d;
			const char *j = dj_stmt_text(s, 4);
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				ms = dj_realloc(ms, cap * sizeof(*ms));
			}
			struct mem *m = &ms[n++];
			m->id = dj_stmt_int(s, 0);
			m->org = dj_stmt_int(s, 1);
			snprintf(m->path, sizeof(m->path), "%s", dj_stmt_text(s, 2));
			snprintf(m->occ, sizeof(m->occ), "%s", dj_stmt_text(s, 3));
			m->joined = j && dj_date_parse(j, strlen(j), &d) == DJ_OK ? dj_dues_month_of(d) : start;
			m->hardship = dj_stmt_int(s, 5) != 0;
		}
		dj_stmt_reset(s);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		struct mem *m = &ms[i];
		size_t k = 0;
		while (k + 1 < sizeof(pay) / sizeof(pay[0]) && strcmp(pay[k].occupation, m->occ) != 0)
			k++;
		const char *cat = pay[k].category;
		int lo = pay[k].lo, hi = pay[k].hi;
		if (strcmp(m->occ, "other") == 0) {
			/* Community members: employed, retired, laid-off or on 低保. */
			int p = pick(&r, 100);
			if (p < 22) {
				cat = "retired";
				lo = 2400;
				hi = 5600;
			} else if (p < 28) {
				cat = "unemployed";
			} else if (p < 31) {
				cat = "subsistence";
			}
		}
		bool flat = dj_dues_category_flat(cat);
		/* The base fixed each January (FEE-9), with a raise in the new year. */
		int64_t base[2];
		base[0] = flat ? 0 : (int64_t)(lo + pick(&r, hi - lo)) * 100 + pick(&r, 4) * 25;
		base[1] = flat ? 0 : base[0] * (1000 + 15 + pick(&r, 35)) / 1000;
		int years[2] = { start / 12, cur / 12 };
		struct dj_dues_result res[2];
		for (int y = 0; y < 2 && !rc; y++) {
			if ((rc = dj_dues_calc(cat, base[y], &st, &res[y])))
				break;
			if (y == 1 && years[1] == years[0])
				break;
			if ((rc = dj_db_prepare(c, Q_BASE, &s)))
				break;
			dj_stmt_bind_int(s, 1, m->id);
			dj_stmt_bind_text(s, 2, cat);
			if (flat)
				dj_stmt_bind_null(s, 3);
			else
				dj_stmt_bind_int(s, 3, base[y]);
			dj_stmt_bind_text(s, 4, dj_dues_month_format(years[y] * 12, mb));
			dj_stmt_bind_text(s, 5, "年初核定");
			dj_stmt_bind_text(s, 6, ts);
			dj_stmt_bind_text(s, 7, ts);
			dj_stmt_bind_text(s, 8, ts);
			rc = dj_stmt_exec(s);
		}
		if (rc)
			break;
		/* FEE-7: half of the hardship members have an approved exemption for the year. */
		int64_t ex_id = 0;
		if (m->hardship && pick(&r, 2) == 0) {
			if ((rc = dj_db_prepare(c, Q_EXEMPT, &s)))
				break;
			struct dj_date ad = { start / 12, start % 12 + 1, 1 };
			dj_stmt_bind_int(s, 1, m->id);
			dj_stmt_bind_text(s, 2, dj_dues_month_format(start, mb));
			dj_stmt_bind_text(s, 3, dj_dues_month_format(cur + 12, eb));
			dj_stmt_bind_text(s, 4, dj_date_format(ad, pb));
			dj_stmt_bind_text(s, 5, ts);
			dj_stmt_bind_text(s, 6, ts);
			if ((rc = dj_stmt_exec(s)))
				break;
			ex_id = dj_db_last_id(c);
		}
		/* How this member pays: 0 monthly (86%), 1 quarterly as 补交, 2 three or four months
		 * behind, 3 six or more months behind (FEE-12), 4 misses the odd month. */
		int p = pick(&r, 1000), habit = p < 860 ? 0 : p < 930 ? 1 : p < 970 ? 2 : p < 985 ? 3 : 4;
		if (m->id == own_member)
			habit = 0;
		int behind = habit == 2 ? 3 + pick(&r, 2) : habit == 3 ? 6 + pick(&r, 3) : 0;
		int skip1 = habit == 4 ? start + pick(&r, 10) : -1, skip2 = habit == 4 ? start + pick(&r, 10) : -1;
		snprintf(dayb, sizeof(dayb), "%02d", 3 + pick(&r, 18));
		if ((rc = dj_db_prepare(c, Q_M, &s)))
			break;
		dj_stmt_bind_int(s, 1, m->id);
		dj_stmt_bind_int(s, 2, m->org);
		dj_stmt_bind_text(s, 3, m->path);
		dj_stmt_bind_text(s, 4, cat);
		dj_stmt_bind_int(s, 5, m->joined > start ? m->joined : start); /* FEE-10 */
		dj_stmt_bind_int(s, 6, years[0]);
		dj_stmt_bind_int(s, 7, base[0]);
		dj_stmt_bind_int(s, 8, res[0].amount_fen);
		dj_stmt_bind_text(s, 9, res[0].rule);
		dj_stmt_bind_int(s, 10, base[1]);
		dj_stmt_bind_int(s, 11, res[1].amount_fen);
		dj_stmt_bind_text(s, 12, res[1].rule);
		if (ex_id)
			dj_stmt_bind_int(s, 13, ex_id);
		else
			dj_stmt_bind_null(s, 13);
		dj_stmt_bind_int(s, 14, habit);
		dj_stmt_bind_text(s, 15, dayb);
		dj_stmt_bind_int(s, 16, behind);
		dj_stmt_bind_int(s, 17, skip1);
		dj_stmt_bind_int(s, 18, skip2);
		dj_stmt_bind_text(s, 19, habit == 1 ? "cash" : pick(&r, 3) ? "online" : "transfer");
		rc = dj_stmt_exec(s);
	}
	dj_free(ms);
	if (!rc && !(rc = exec_rows(c, Q_BILLS, cur, today.d, ts)))
		*bills = dj_db_changes(c);
	if (!rc && !(rc = exec_rows(c, Q_PAYS, cur, today.d, ts)))
		payments = dj_db_changes(c);
	if (!rc) {
		/* Months before last month were closed at the end of the following month. */
		struct dj_date cd = { (cur - 1) / 12, (cur - 1) % 12 + 1, 1 };
		snprintf(closed_at, sizeof(closed_at), "%sT18:00:00+08:00", dj_date_format(cd, pb));
		dj_dues_month_format(cur - 1, closed_before);
		const char *const args[] = { closed_before, closed_before, closed_before, closed_at, closed_before, ts, ts };
		rc = exec_bound(c, Q_CYCLES, args, 7);
	}
	if (!rc) {
		const char *const args[] = { dj_dues_month_format(cur, mb) };
		rc = exec_bound(c, "INSERT INTO dues_state(key, value) VALUES ('synced_through', ?)", args, 1);
	}
	dj_rc rc2 = dj_db_exec_sql(c, Q_TEMP_DROP);
	if (rc || (rc = rc2))
		return rc;
	char after[160];
	snprintf(after, sizeof(after), "{\"members\":%lld,\"bills\":%lld,\"payments\":%lld}", (long long)n, (long long)*bills,
		 (long long)payments);
	struct dj_actor who = { 0, "demo", "local" };
	struct dj_audit_entry e = { "demo.dues", "dues_bill", 0, "/", NULL, after };
	return dj_audit_append(c, &who, &e);
}

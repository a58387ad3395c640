/* dues_ledger.h — the party dues ledger (党费收缴, RULES.md §6): each member's category and base
 * history (FEE-1, FEE-9), monthly bills from the month of admission (FEE-10) computed with
 * dj_dues_calc and the subtree's settings (FEE-6, FEE-16), approved reductions and exemptions
 * (FEE-7), payments with 代缴 and 补交 (FEE-11), voluntary extra payments (FEE-8), the refusal
 * of payments by an organization (FEE-14), per-org monthly collection cycles, arrears findings
 * (FEE-11, FEE-12), reports that add up across the tree, payment imports and exports (FEE-13).
 *
 * Money is integer 分 everywhere. Months are "YYYY-MM" text; internally a month index
 * (year × 12 + month − 1). Bills exist for every month from a member's start (the later of the
 * admission month and the first base) through the current month; dj_dues_sync() adds the new
 * month's bills when the calendar moves on. Cycle totals are always the sums of their bills. */
#ifndef DJ_DUES_LEDGER_H
#define DJ_DUES_LEDGER_H
#include <stdbool.h>
#include <stdint.h>
#include "dj/date.h"
#include "dj/dues.h"
#include "dj/findings.h"
#include "dj/import.h"
#include "dj/model.h"

extern const struct dj_entity dj_dues_base_entity;      /* 党费基数 (child of members) */
extern const struct dj_entity dj_dues_exemption_entity; /* 减免 (child of members) */
extern const struct dj_entity dj_dues_bill_entity;      /* 月度应交 (scoped) */
extern const struct dj_entity dj_dues_payment_entity;   /* 交纳记录 (scoped) */
extern const struct dj_entity dj_dues_cycle_entity;     /* 收缴周期 (scoped) */

/** The migration's DDL (tables, indexes, the sync watermark). */
void dj_dues_ddl(struct dj_strbuf *sb);

#define DJ_DUES_MAX_BACK 6       /* FEE-11: 补交 generally ≤ 6 months */
#define DJ_DUES_REMIT_FEN 100000 /* FEE-8: a single voluntary extra ≥ 1000 元 goes to the Centre */
#define DJ_DUES_IMPORT_MAX_ROWS 20000

/* ---- months ------------------------------------------------------------------------------------ */

/** Parse strict "YYYY-MM" (years 1900..2999) into a month index; DJ_ERR_INVALID otherwise. */
dj_rc dj_dues_month_parse(const char *s, int *out);
/** Format a month index as "YYYY-MM" into buf (≥ 8 bytes). Returns buf. */
char *dj_dues_month_format(int m, char *buf);
/** The month index of a date. */
int dj_dues_month_of(struct dj_date d);

/** Chinese label of a dues category, or NULL if unknown. */
const char *dj_dues_category_label(const char *code);
/** True for the flat-rate categories of FEE-6 (no base needed). */
bool dj_dues_category_flat(const char *code);

/** Effective FEE-6/FEE-16 settings for an org path. */
void dj_dues_settings_for(struct dj_db_conn *c, const char *org_path, struct dj_dues_settings *st);

/* ---- writes (inside the caller's write transaction; every one audited) ---------------------------- */

/** Set a member's category and base (JSON {category, base_fen?, effective_month?, note?}).
 *  FEE-9: under annual fixing (default) the base applies from January of its year. The member's
 *  bills from that month on are recomputed; changing a closed month needs the admin role
 *  (DJ_ERR_CONFLICT with err otherwise). The new row is written to w as a JSON object with
 *  {policy, bills_changed}. */
dj_rc dj_dues_base_set(const struct dj_model_ctx *x, int64_t member_id, const json_t *body, struct dj_jw *w,
		       struct dj_model_err *err);
/** Record an approved reduction or exemption (FEE-7) {from_month, to_month, amount_fen (0 =
 *  exempt), reason, approved_by, approved_on}; the months' bills are recomputed. The row is
 *  written to w. */
dj_rc dj_dues_exemption_add(const struct dj_model_ctx *x, int64_t member_id, const json_t *body, struct dj_jw *w,
			    struct dj_model_err *err);

/** One payment to record. Strings borrowed. */
struct dj_dues_pay {
	const char *month;          /* bill month "YYYY-MM" (voluntary: NULL = the paid_on month) */
	const char *paid_on;        /* YYYY-MM-DD; NULL = today */
	int64_t amount_fen;
	const char *method;         /* cash, transfer, online */
	const char *kind;           /* "dues" (default) or "voluntary" (FEE-8) */
	const char *payer;          /* "self" (default), "member" (代缴, FEE-11) or "org" (refused, FEE-14) */
	int64_t payer_member_id;
	bool consent;               /* 代缴: the branch agreed */
	const char *note;
	const char *source;         /* "api" (default), "bulk" or "import" */
};
/** Record a payment for member_id: checks FEE-11 (≤ 6 months back, no prepaying, 代缴 with
 *  consent), FEE-14 (no payment by an organization or by deduction), closed months (admin only,
 *  traced). An amount above what is outstanding is split: the rest is a voluntary extra (FEE-8,
 *  flagged remit_central when ≥ 1000 元). *id gets the payment id; the payment (with its bill
 *  and any extra) is written to w when w is not NULL. */
dj_rc dj_dues_pay(const struct dj_model_ctx *x, int64_t member_id, const struct dj_dues_pay *p, int64_t *id,
		  struct dj_jw *w, struct dj_model_err *err);
/** Void (soft-delete) a payment of member_id with a reason; closed months need admin. */
dj_rc dj_dues_payment_void(const struct dj_model_ctx *x, int64_t member_id, int64_t payment_id, const char *reason,
			   struct dj_model_err *err);

/** Open, close or reopen (admin only) the collection cycles of org_id's subtree for a month.
 *  Opening creates missing bills; closing is audited per cycle with before/after. The result
 *  {org_id, month, action, changed, cycles:[...]} is written to w. */
dj_rc dj_dues_cycle_action(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *action,
			   struct dj_jw *w, struct dj_model_err *err);
/** Mark every bill of org_id's own members for a month paid at what is outstanding
 *  ({org_id, month, paid_on?, method?}); one summary audit entry. Result written to w. */
dj_rc dj_dues_bulk_pay(const struct dj_model_ctx *x, const json_t *body, struct dj_jw *w, struct dj_model_err *err);

/** Import a month's payments into org_id's subtree from .xlsx/.csv (columns 姓名, 身份证号, 金额,
 *  缴费日期; optional 缴费方式, 备注). Every row goes through dj_dues_pay inside the caller's
 *  transaction; the caller commits only when !dry_run and res->rows_bad == 0. */
dj_rc dj_dues_import(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *data, size_t len,
		     bool dry_run, struct dj_import_result *res);

/** Add the bills of months the calendar has reached since the last run (all members with a
 *  base), in its own write transaction; cheap when nothing is due. */
dj_rc dj_dues_sync(struct dj_db *db);

/* ---- reads ------------------------------------------------------------------------------------- */

/** A member's ledger between two months (NULL = the last 24): member, current base, bills,
 *  payments, exemptions, totals and arrears findings. Member role: own record only. */
dj_rc dj_dues_member_write(const struct dj_model_ctx *x, int64_t member_id, const char *from, const char *to,
			   struct dj_jw *w);
/** A member's base history as list items, newest first; *n gets the count. */
dj_rc dj_dues_bases_write(const struct dj_model_ctx *x, int64_t member_id, struct dj_jw *w, int64_t *n);
/** Collection cycles of org_id's subtree (or only the org) for a month, as list items (paged). */
dj_rc dj_dues_cycles_write(const struct dj_model_ctx *x, int64_t org_id, bool subtree, const char *month, int64_t page,
			   int64_t per_page, struct dj_jw *w, int64_t *total);
/** Members × months of one org's own members for a year: amount, paid, status per cell. */
dj_rc dj_dues_grid_write(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_jw *w);
/** Collection by month for the org's children (each row its whole subtree), the org's own
 *  members ("本级") and the org's total: due, paid, unpaid, members, rate (‰). */
dj_rc dj_dues_report_write(const struct dj_model_ctx *x, int64_t org_id, int year, struct dj_jw *w);

/** Called for each arrears finding (rule FEE-11 warning, FEE-12 error). */
typedef dj_rc (*dj_dues_finding_fn)(void *arg, const struct dj_finding *f);
/** Arrears of active members in org_id's subtree through last month: ≥ 3 unpaid months →
 *  warning (FEE-11 reminder); ≥ 6 consecutive unpaid months without an approved reason → error
 *  (FEE-12: start the 自行脱党 procedure; the 支部大会 decides — never a status change here). */
dj_rc dj_dues_arrears(const struct dj_model_ctx *x, int64_t org_id, int min_severity, dj_dues_finding_fn fn, void *arg);

/** Write the 收缴明细 of org_id's subtree for a month as .xlsx at path; *rows gets the count. */
dj_rc dj_dues_export_month(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *path,
			   int64_t *rows);
/** The month's 收缴明细 as a PDF (one line per member, totals). */
dj_rc dj_dues_detail_pdf(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *path, int64_t *rows);
/** The annual publication (FEE-13) as a PDF: one line per member with the year's due and paid. */
dj_rc dj_dues_publication_pdf(const struct dj_model_ctx *x, int64_t org_id, int year, const char *path, int64_t *rows);
/** Write the annual publication sheet (FEE-13: 党费收缴情况公示) of org_id's subtree for a year. */
dj_rc dj_dues_export_annual(const struct dj_model_ctx *x, int64_t org_id, int year, const char *path, int64_t *rows);

/** Twelve months of dues history for the demo county (lib/domain/demo_dues.c), inside the open
 *  transaction; one summary audit entry. *bills gets the number of bills. */
dj_rc dj_demo_dues(struct dj_db_conn *c, uint64_t seed, int64_t *bills);

#endif

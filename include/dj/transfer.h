/* transfer.h — membership status changes (党籍, RULES.md §5.1 ST-1…ST-6) and transfers of the
 * organizational relationship (组织关系转接, §5.2 REL-*): letters with yearly numbers, validity,
 * 党费交至 month, receipts, and the findings that remind before each threshold. */
#ifndef DJ_TRANSFER_H
#define DJ_TRANSFER_H
#include "dj/compliance.h"
#include "dj/model.h"

/** Change a member's status from JSON {status, on, reason, evidence?, exit_reason?, decision?}
 *  following ST-1…ST-6 (e.g. 停止党籍 only after ≥6 months lost with search evidence; 除名 only
 *  after ≥2 years suspended; no restoration after 出党); history kept; audited. */
dj_rc dj_member_status_change(const struct dj_model_ctx *x, int64_t member_id, const json_t *body, struct dj_model_err *err);
/** The status history of a member as list items. */
dj_rc dj_member_status_history(const struct dj_model_ctx *x, int64_t member_id, struct dj_jw *w, int64_t *n);

/** Issue a transfer letter from JSON {member_id, to_org_id | to_org_name, issued_on, valid_days?,
 *  dues_paid_to?, reason?}; the letter number is "YYYY-NNNN" per year; audited. */
dj_rc dj_transfer_issue(const struct dj_model_ctx *x, const json_t *body, int64_t *id, struct dj_model_err *err);
/** Confirm receipt ({received_on}): within the county the member moves to the receiving org (the
 *  caller must manage that org); to elsewhere the returned 回执 ends the sender's responsibility
 *  and the member leaves the register. Or cancel ({cancel: reason}). Audited. */
dj_rc dj_transfer_receive(const struct dj_model_ctx *x, int64_t id, const json_t *body, struct dj_model_err *err);
/** Write one transfer / a page of transfers visible to the caller (sending or receiving side). */
dj_rc dj_transfer_write(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w);
dj_rc dj_transfer_list(const struct dj_model_ctx *x, const char *status, int64_t page, int64_t per_page, struct dj_jw *w,
		       int64_t *total);
/** The printable three-part letter (存根 / 介绍信 / 回执) as an HTML page into sb. */
dj_rc dj_transfer_letter_html(const struct dj_model_ctx *x, int64_t id, struct dj_strbuf *sb);

/** Register a mobile member record ({direction: out|in, place, reason?, since}) or a contact
 *  ({contact_on}) or its end ({ended_on}) when mobility_id > 0; keeps the member's 流动党员 flag;
 *  audited. */
dj_rc dj_member_mobility(const struct dj_model_ctx *x, int64_t member_id, int64_t mobility_id, const json_t *body,
			 struct dj_model_err *err);
/** A member's mobility records as list items. */
dj_rc dj_member_mobility_write(const struct dj_model_ctx *x, int64_t member_id, struct dj_jw *w, int64_t *n);

/** ST and REL reminders for the subtree at root_path: lost contact ≥6 months (ST-1), suspended
 *  ≥2 years (ST-2), letters past validity without receipt (REL-5/REL-6). */
dj_rc dj_status_findings(const struct dj_model_ctx *x, const char *root_path, struct dj_date today, dj_finding_fn fn,
			 void *arg);

#endif

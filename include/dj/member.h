/* member.h — the member register (党员花名册): descriptors for members and their sub-records,
 * and the rules special to them (身份证号, derived birth date and sex, date order, counts). */
#ifndef DJ_MEMBER_H
#define DJ_MEMBER_H
#include "dj/model.h"

extern const struct dj_entity dj_member_entity;
extern const struct dj_entity dj_member_reward_entity;   /* 奖惩 */
extern const struct dj_entity dj_member_position_entity; /* 职务 history */
extern const struct dj_entity dj_member_family_entity;   /* 家庭成员 */
extern const struct dj_entity dj_member_abroad_entity;   /* 出国出境 */

/** NULL-terminated list of the member sub-record entities. */
extern const struct dj_entity *const dj_member_subrecords[];

/** Apply the member rules to unpacked values before a write: normalize and check the
 *  身份证号 (RULES.md §11.1), derive and cross-check birth_date and sex, check date order and
 *  category/status consistency, default status to active. cur (NULL on create) holds the
 *  stored values for PATCH. DJ_ERR_INVALID with err naming the field. */
dj_rc dj_member_check(struct dj_value *vals, const struct dj_value *cur, struct dj_arena *a, struct dj_model_err *err);

/** Create a member from values (already unpacked): rules, insert, audited, counts kept. */
dj_rc dj_member_create(const struct dj_model_ctx *x, struct dj_value *vals, int64_t *id, struct dj_model_err *err);
/** Update set values of member id: rules (with the stored values), update, counts kept. */
dj_rc dj_member_update(const struct dj_model_ctx *x, int64_t id, struct dj_value *vals, struct dj_model_err *err);
/** Soft delete with a reason; counts kept. */
dj_rc dj_member_delete(const struct dj_model_ctx *x, int64_t id, const char *reason);
/** Audit that field of member id was shown in clear to the caller. */
dj_rc dj_member_audit_reveal(const struct dj_model_ctx *x, int64_t id);

/** How a member with these (checked) values enters the pre-aggregated counts: counted when
 *  status is active, full for 正式党员 (else 预备党员). For bulk writers (the import). */
void dj_member_count_kind(const struct dj_value *vals, bool *counted, bool *full);
/** Add n counted members (negative n removes them) of one category to the counts (org_stats)
 *  of the org at org_path and of every ancestor, the same upsert dj_member_create applies per
 *  member. Bulk writers sum per org and call this once per org and category. */
dj_rc dj_member_counts_add(struct dj_db_conn *c, const char *org_path, bool full, int64_t n);

/** Recompute the pre-aggregated counts (org_stats) of every org from the member rows
 *  (used after bulk loads and by the consistency check). */
dj_rc dj_member_recount(struct dj_db_conn *c);

#endif

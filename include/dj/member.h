/* member.h — the member register (党员花名册): descriptors for members and their sub-records,
 * and the rules special to them (身份证号, derived birth date and sex, date order, counts). */
#ifndef DJ_MEMBER_H
#define DJ_MEMBER_H
#include "dj/model.h"
#include "dj/scope.h"

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
struct dj_member_counts;
/** As dj_member_delete, with the counts' change added to acc for the caller to flush once (many
 *  deletions in one transaction: an import batch's rollback). */
dj_rc dj_member_delete_counted(const struct dj_model_ctx *x, int64_t id, const char *reason,
			       struct dj_member_counts *acc);
/** Audit that field of member id was shown in clear to the caller. */
dj_rc dj_member_audit_reveal(const struct dj_model_ctx *x, int64_t id);

/* ---- pre-aggregated counts ---------------------------------------------------------------------------
 * Two tables hold, for every org, figures over the active, not deleted members of its whole subtree:
 * org_stats (正式/预备 counts, dashboards) and org_member_facets(org_id, dim, key, n) (the STAT-3
 * dimensions of GET /orgs/{id}/stats, see org_stats.c). Every member write changes them in the same
 * transaction through the accumulator below: describe the member before and after the write as
 * facts, add the pair, flush. A bulk writer (import) adds many pairs and flushes once; deltas for
 * the same (org, dim, key) are summed in memory, so the flush writes each row once. */

/** Facet dimensions (org_member_facets.dim). Keys are canonical strings:
 *  DJ_MF_CAT "full" | "probationary" | "other"; DJ_MF_SEX "1" | "2" | "0" (other or none);
 *  DJ_MF_BIRTH_MONTH "YYYY-MM|s" and DJ_MF_BIRTH_DAY "YYYY-MM-DD|s" (s = the sex key; members
 *  with no valid birth date have none); DJ_MF_EDU, DJ_MF_OCC the code or "unknown";
 *  DJ_MF_PERIOD "0".."3" (STAT-3 入党时间 band) or "u"; DJ_MF_JOIN_MONTH "YYYY-MM" of joined_on
 *  (none when unknown). */
enum dj_member_facet {
	DJ_MF_CAT,
	DJ_MF_SEX,
	DJ_MF_BIRTH_MONTH,
	DJ_MF_BIRTH_DAY,
	DJ_MF_EDU,
	DJ_MF_OCC,
	DJ_MF_PERIOD,
	DJ_MF_JOIN_MONTH,
	DJ_MF_N
};
/** The dim column's value of each dimension ("cat", "sex", "bm", "bd", "edu", "occ", "per", "jm"). */
extern const char *const dj_member_facet_names[DJ_MF_N];
/** Longest key plus its NUL (longer codes are not counted: code lists keep codes short). */
#define DJ_MF_KEY_MAX 32

/** What one member row contributes to the counts: counted (active, not deleted), the org path
 *  whose every org is counted, and one key per dimension ("" = no row for that dimension). */
struct dj_member_facts {
	bool counted;
	char path[DJ_PATH_MAX];
	char key[DJ_MF_N][DJ_MF_KEY_MAX];
};

/** STAT-3 入党时间 bands by the 支部大会 admission date (RULES.md §9 boundaries 🟡): key, label
 *  and first day (inclusive; the next band's from is exclusive). */
struct dj_member_join_period {
	const char *key, *label, *from;
};
#define DJ_MEMBER_JOIN_PERIODS 4
extern const struct dj_member_join_period dj_member_join_periods[DJ_MEMBER_JOIN_PERIODS];

/** Fill f from a member's stored values (any may be NULL). deleted: deleted_at is set. */
void dj_member_facts_set(struct dj_member_facts *f, const char *org_path, const char *status, bool deleted,
			 const char *sex, const char *birth_date, const char *category, const char *education,
			 const char *occupation, const char *joined_on);
/** Read member id's facts (not counted if there is no such row). */
dj_rc dj_member_facts_load(struct dj_db_conn *c, int64_t id, struct dj_member_facts *f);

struct dj_member_count_ent;  /* private: one (org, dim, key) delta */
struct dj_member_count_leaf; /* private: an org deltas were recorded at, and its path */
/** Deltas to apply to org_stats and org_member_facets. Zero-initialized is valid. A write is
 *  recorded at the member's own org only; the flush carries it up to every org on the path. */
struct dj_member_counts {
	struct dj_member_count_ent *e;
	size_t cap, n;
	struct dj_member_count_leaf *leaf;
	size_t leaf_cap, leaf_n;
	const struct dj_member_count_ent **sorted; /* dj_member_counts_seal's */
	size_t nsorted;
};
#define DJ_MEMBER_COUNTS_INIT { NULL, 0, 0, NULL, 0, 0, NULL, 0 }
/** Record a write: before (NULL on create) leaves every org on its path, after (NULL on delete)
 *  joins every org on its path. Memory is the accumulator's (dj_member_counts_release). */
void dj_member_counts_add(struct dj_member_counts *acc, const struct dj_member_facts *before,
			  const struct dj_member_facts *after);
/** Optional, before the flush and on any thread: the work of the flush that needs no connection
 *  (carrying deltas up the paths, ordering the rows). No adds after it until the flush. */
void dj_member_counts_seal(struct dj_member_counts *acc);
/** Apply the accumulated deltas on c (inside the caller's write transaction) and empty acc. */
dj_rc dj_member_counts_flush(struct dj_member_counts *acc, struct dj_db_conn *c);
/** Free the accumulator's memory (unflushed deltas are dropped). */
void dj_member_counts_release(struct dj_member_counts *acc);

/** An org moved from under old_parent_path to under new_parent_path: its subtree's counts (its
 *  own rows, org_id) leave the old ancestors and join the new ones. */
dj_rc dj_member_counts_move(struct dj_db_conn *c, int64_t org_id, const char *old_parent_path,
			    const char *new_parent_path);

/** Recompute org_stats and org_member_facets of every org from the member rows, in one pass over
 *  the members ordered by org path (each subtree is contiguous in that order; a stack of open
 *  orgs merges each closed org's figures into its parent's). Used after bulk loads, by the
 *  migration that created the facets, and by the consistency check. */
dj_rc dj_member_recount(struct dj_db_conn *c);

#endif

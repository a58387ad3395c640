/* org.h — organizations (党组织): the tree with materialized paths, read through the caller's scope. */
#ifndef DJ_ORG_H
#define DJ_ORG_H
#include <stdint.h>
#include "dj/alloc.h"
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/json.h"
#include "dj/scope.h"
#include "dj/date.h"
#include "dj/model.h"

/** One organization; strings live in the arena passed to the reading call. */
struct dj_org {
	int64_t id, parent_id; /* parent_id 0 for a root */
	int64_t depth, sort_order, children_count;
	const char *path, *name, *short_name, *code, *kind, *sector, *unit_name, *founded_on, *dissolved_on;
	const char *contact_name, *contact_phone, *address, *created_at, *updated_at;
};

/** Kinds (GLOSSARY.md): API code and Chinese label. NULL-terminated table. */
struct dj_code_label {
	const char *code, *label;
};
extern const struct dj_code_label dj_org_kinds[];
#define DJ_ORG_KINDS_MAX 16 /* at least the entries of dj_org_kinds */
extern const struct dj_code_label dj_org_sectors[];

/** Read one org inside the scope; DJ_ERR_NOTFOUND if missing or outside it. */
dj_rc dj_org_get(struct dj_db_conn *c, const struct dj_scope *sc, int64_t id, struct dj_arena *a, struct dj_org *out);
/** A page of an org's children (scope-checked on the parent). *items is arena memory. */
dj_rc dj_org_children(struct dj_db_conn *c, const struct dj_scope *sc, int64_t id, int64_t page, int64_t per_page,
		      struct dj_arena *a, struct dj_org **items, int64_t *n, int64_t *total);
/** Create the root organization (dangjian init) in the open write transaction, audited. */
dj_rc dj_org_create_root(struct dj_db_conn *c, const struct dj_actor *who, const char *name, int64_t *id_out);
/** Create a child org under parent_id (scope-checked), audited. kind/sector by code. */
dj_rc dj_org_create_child(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who,
			  int64_t parent_id, const char *name, const char *kind, const char *sector, int64_t sort_order,
			  int64_t *id_out);
/** The org descriptor: validation of writable org fields and /api/v1/meta (the table itself is
 *  the foundation's; parent_id and paths are handled by the tree functions below). */
extern const struct dj_entity dj_org_entity;

/** Create an org under parent_id (in scope) from unpacked values of dj_org_entity; audited. */
dj_rc dj_org_create(const struct dj_model_ctx *x, int64_t parent_id, const struct dj_value *vals, int64_t *id,
		    struct dj_model_err *err);
/** Update set fields of an org in scope; audited with before/after. */
dj_rc dj_org_update(const struct dj_model_ctx *x, int64_t id, const struct dj_value *vals, struct dj_model_err *err);
/** Move an org (with its whole subtree, members and counts) under new_parent: one transaction,
 *  audited. The org must be inside the scope and not its root; the new parent must be in scope
 *  and not inside the moved subtree. */
dj_rc dj_org_move(const struct dj_model_ctx *x, int64_t id, int64_t new_parent, struct dj_model_err *err);

/** Organizations by kind in org_id's subtree (itself included), pre-aggregated in org_kind_counts:
 *  writes "kind": n for each kind present, in kind order, inside the caller's open object;
 *  *total gets the sum (may be NULL). */
dj_rc dj_org_kinds_write(struct dj_db_conn *c, int64_t org_id, struct dj_jw *w, int64_t *total);
/** An org of kind joined (sign +1) or left (-1) every org on path (its own included). */
dj_rc dj_org_kinds_add(struct dj_db_conn *c, const char *path, const char *kind, int sign);
/** org_id's subtree moved from under old_parent_path to under new_parent_path: its counts leave the
 *  old ancestors and join the new ones. */
dj_rc dj_org_kinds_move(struct dj_db_conn *c, int64_t org_id, const char *old_parent_path,
			const char *new_parent_path);
/** Rebuild org_kind_counts from the orgs table: one pass in path order. */
dj_rc dj_org_kinds_recount(struct dj_db_conn *c);

/** Subtree statistics of active members as of a date (RULES.md STAT-3 bands), written as JSON. */
dj_rc dj_org_stats(const struct dj_model_ctx *x, int64_t id, struct dj_date as_of, struct dj_jw *w);
/** Pre-aggregated member counts of the scope's subtree (dashboard). */
dj_rc dj_org_counts(struct dj_db_conn *c, const struct dj_scope *sc, int64_t *full, int64_t *probationary);

/** Structure findings of one org (ORG-1, ORG-2, ORG-7, ORG-8, ORG-9, ORG-11), written as list items. */
dj_rc dj_org_findings(const struct dj_model_ctx *x, int64_t id, struct dj_date today, struct dj_jw *w, int64_t *n);

/** Committee terms (班子) of an org, newest first, with their members, as list items. */
dj_rc dj_committee_list(const struct dj_model_ctx *x, int64_t org_id, struct dj_jw *w, int64_t *n);
/** Register a new committee term (换届) from JSON {started_on, term_no?, election_method?,
 *  remarks?, members:[{member_id?, name, post}]}: ends_on derived by ORG-9, the previous
 *  current term is closed on started_on; audited. */
dj_rc dj_committee_create(const struct dj_model_ctx *x, int64_t org_id, const json_t *body, int64_t *id,
			  struct dj_model_err *err);
/** Term length in years for an org by kind and sector (ORG-9). */
int dj_committee_term_years(const char *kind, const char *sector);

/** As dj_org_create_child, without the audit entry: for callers that audit the finished row. */
dj_rc dj_org_create_child_unaudited(struct dj_db_conn *c, const struct dj_scope *sc, int64_t parent_id,
				    const char *name, const char *kind, const char *sector, int64_t sort_order, int64_t *id_out);
/** Write an org as a JSON object. */
void dj_org_write_json(struct dj_jw *w, const struct dj_org *o);

#endif

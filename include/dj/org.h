/* org.h — organizations (党组织): the tree with materialized paths, read through the caller's scope. */
#ifndef DJ_ORG_H
#define DJ_ORG_H
#include <stdint.h>
#include "dj/alloc.h"
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/json.h"
#include "dj/scope.h"

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
/** Write an org as a JSON object. */
void dj_org_write_json(struct dj_jw *w, const struct dj_org *o);

#endif

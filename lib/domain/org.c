/* org.c — organizations: scoped reads of the tree, creating orgs with materialized paths, audited. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/org.h"
#include "dj/banned.h"

const struct dj_code_label dj_org_kinds[] = {
	{ "committee", "党委" },	  { "working_committee", "党工委" }, { "general_branch", "党总支" },
	{ "branch", "党支部" },		  { "joint_branch", "联合党支部" },  { "group", "党小组" },
	{ "temporary", "临时党组织" },	  { "center_household", "党员中心户" }, { NULL, NULL },
};
const struct dj_code_label dj_org_sectors[] = {
	{ "rural", "农村" },	 { "community", "社区" },	  { "government", "机关" },
	{ "institution", "事业单位" }, { "soe", "国有企业" },	  { "private", "非公企业" },
	{ "social_org", "社会组织" }, { "school", "学校" },	  { "hospital", "医院" },
	{ NULL, NULL },
};

#define ORG_COLS                                                                                              \
	"o.id, COALESCE(o.parent_id, 0), o.depth, o.sort_order, o.path, o.name, o.short_name, o.code, o.kind,"  \
	" o.sector, o.unit_name, o.founded_on, o.dissolved_on, o.contact_name, o.contact_phone, o.address,"     \
	" o.created_at, o.updated_at, (SELECT COUNT(*) FROM orgs c WHERE c.parent_id = o.id)"

static const char Q_GET[] = "SELECT " ORG_COLS " FROM orgs o WHERE o.id = ? AND o.path >= ? AND o.path < ?";
static const char Q_CHILDREN[] =
	"SELECT " ORG_COLS " FROM orgs o WHERE o.parent_id = ? ORDER BY o.sort_order, o.id LIMIT ? OFFSET ?";
static const char Q_CHILDREN_COUNT[] = "SELECT COUNT(*) FROM orgs WHERE parent_id = ?";
static const char Q_INSERT[] =
	"INSERT INTO orgs(parent_id, path, depth, name, kind, sector, sort_order, created_at, updated_at)"
	" VALUES (?, '', ?, ?, ?, ?, ?, ?, ?)";
static const char Q_SET_PATH[] = "UPDATE orgs SET path = ? WHERE id = ?";

static const char *dup(struct dj_arena *a, struct dj_stmt *s, int col)
{
	return dj_arena_strdup(a, dj_stmt_text(s, col));
}

static void read_row(struct dj_stmt *s, struct dj_arena *a, struct dj_org *o)
{
	o->id = dj_stmt_int(s, 0);
	o->parent_id = dj_stmt_int(s, 1);
	o->depth = dj_stmt_int(s, 2);
	o->sort_order = dj_stmt_int(s, 3);
	o->path = dup(a, s, 4);
	o->name = dup(a, s, 5);
	o->short_name = dup(a, s, 6);
	o->code = dup(a, s, 7);
	o->kind = dup(a, s, 8);
	o->sector = dup(a, s, 9);
	o->unit_name = dup(a, s, 10);
	o->founded_on = dup(a, s, 11);
	o->dissolved_on = dup(a, s, 12);
	o->contact_name = dup(a, s, 13);
	o->contact_phone = dup(a, s, 14);
	o->address = dup(a, s, 15);
	o->created_at = dup(a, s, 16);
	o->updated_at = dup(a, s, 17);
	o->children_count = dj_stmt_int(s, 18);
}

dj_rc dj_org_get(struct dj_db_conn *c, const struct dj_scope *sc, int64_t id, struct dj_arena *a, struct dj_org *out)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, Q_GET, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	dj_stmt_bind_text(s, 3, sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		read_row(s, a, out);
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

dj_rc dj_org_children(struct dj_db_conn *c, const struct dj_scope *sc, int64_t id, int64_t page, int64_t per_page,
		      struct dj_arena *a, struct dj_org **items, int64_t *n, int64_t *total)
{
	struct dj_org parent;
	struct dj_stmt *s;
	dj_rc rc = dj_org_get(c, sc, id, a, &parent); /* the scope check: children of an in-scope org are in scope */
	if (rc)
		return rc;
	*n = 0;
	*total = 0;
	rc = dj_db_prepare(c, Q_CHILDREN_COUNT, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	if (dj_stmt_step(s) == DJ_ROW)
		*total = dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	*items = dj_arena_alloc(a, sizeof(struct dj_org) * (size_t)per_page);
	rc = dj_db_prepare(c, Q_CHILDREN, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_int(s, 2, per_page);
	dj_stmt_bind_int(s, 3, (page - 1) * per_page);
	while ((rc = dj_stmt_step(s)) == DJ_ROW && *n < per_page)
		read_row(s, a, &(*items)[(*n)++]);
	dj_stmt_reset(s);
	return rc == DJ_DONE || rc == DJ_ROW ? DJ_OK : rc;
}

static const char *code_ok(const struct dj_code_label *t, const char *code)
{
	for (; code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->code;
	return NULL;
}

static dj_rc insert(struct dj_db_conn *c, const struct dj_actor *who, int64_t parent_id, const char *parent_path,
		    int64_t depth, const char *name, const char *kind, const char *sector, int64_t sort_order,
		    int64_t *id_out, bool audited)
{
	struct dj_stmt *s;
	char ts[26], path[DJ_PATH_MAX];
	dj_time_rfc3339(dj_time_now(), ts);
	dj_rc rc = dj_db_prepare(c, Q_INSERT, &s);
	if (rc)
		return rc;
	if (parent_id)
		dj_stmt_bind_int(s, 1, parent_id);
	dj_stmt_bind_int(s, 2, depth);
	dj_stmt_bind_text(s, 3, name);
	dj_stmt_bind_text(s, 4, kind);
	dj_stmt_bind_text(s, 5, sector);
	dj_stmt_bind_int(s, 6, sort_order);
	dj_stmt_bind_text(s, 7, ts);
	dj_stmt_bind_text(s, 8, ts);
	rc = dj_stmt_exec(s);
	if (rc)
		return rc;
	int64_t id = dj_db_last_id(c);
	int n = snprintf(path, sizeof(path), "%s%lld/", parent_path, (long long)id);
	if (n < 0 || (size_t)n >= sizeof(path))
		return DJ_ERR_INVALID;
	rc = dj_db_prepare(c, Q_SET_PATH, &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, path);
	dj_stmt_bind_int(s, 2, id);
	rc = dj_stmt_exec(s);
	if (!rc)
		rc = dj_org_kinds_add(c, path, kind, +1);
	if (rc)
		return rc;
	*id_out = id;
	if (!audited)
		return DJ_OK; /* the caller audits the complete row */
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "id", id);
	dj_jw_kint_or_null(&w, "parent_id", parent_id, parent_id == 0);
	dj_jw_kstr(&w, "path", path);
	dj_jw_kstr(&w, "name", name);
	dj_jw_kstr(&w, "kind", kind);
	dj_jw_kstr(&w, "sector", sector);
	dj_jw_obj_end(&w);
	struct dj_audit_entry e = { "org.create", "org", id, path, NULL, sb.buf };
	rc = dj_audit_append(c, who, &e);
	dj_strbuf_release(&sb);
	*id_out = id;
	return rc;
}

dj_rc dj_org_create_root(struct dj_db_conn *c, const struct dj_actor *who, const char *name, int64_t *id_out)
{
	if (!name || !*name)
		return DJ_ERR_INVALID;
	return insert(c, who, 0, "/", 1, name, "committee", NULL, 0, id_out, true);
}

static dj_rc create_child(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who,
			 int64_t parent_id, const char *name, const char *kind, const char *sector, int64_t sort_order,
			 int64_t *id_out, bool audited)
{
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_org parent = { 0 };
	dj_rc rc = dj_org_get(c, sc, parent_id, &a, &parent);
	if (!rc && (!name || !*name || !code_ok(dj_org_kinds, kind) || (sector && !code_ok(dj_org_sectors, sector))))
		rc = DJ_ERR_INVALID;
	if (!rc)
		rc = insert(c, who, parent_id, parent.path, parent.depth + 1, name, kind, sector, sort_order, id_out, audited);
	dj_arena_release(&a);
	return rc;
}

dj_rc dj_org_create_child(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who,
			  int64_t parent_id, const char *name, const char *kind, const char *sector, int64_t sort_order,
			  int64_t *id_out)
{
	return create_child(c, sc, who, parent_id, name, kind, sector, sort_order, id_out, true);
}

dj_rc dj_org_create_child_unaudited(struct dj_db_conn *c, const struct dj_scope *sc, int64_t parent_id,
				    const char *name, const char *kind, const char *sector, int64_t sort_order, int64_t *id_out)
{
	return create_child(c, sc, NULL, parent_id, name, kind, sector, sort_order, id_out, false);
}

void dj_org_write_json(struct dj_jw *w, const struct dj_org *o)
{
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", o->id);
	dj_jw_kint_or_null(w, "parent_id", o->parent_id, o->parent_id == 0);
	dj_jw_kstr(w, "name", o->name);
	dj_jw_kstr(w, "short_name", o->short_name);
	dj_jw_kstr(w, "code", o->code);
	dj_jw_kstr(w, "kind", o->kind);
	dj_jw_kstr(w, "sector", o->sector);
	dj_jw_kstr(w, "unit_name", o->unit_name);
	dj_jw_kstr(w, "path", o->path);
	dj_jw_kint(w, "depth", o->depth);
	dj_jw_kint(w, "children_count", o->children_count);
	dj_jw_kstr(w, "founded_on", o->founded_on);
	dj_jw_kstr(w, "dissolved_on", o->dissolved_on);
	dj_jw_kstr(w, "contact_name", o->contact_name);
	dj_jw_kstr(w, "contact_phone", o->contact_phone);
	dj_jw_kstr(w, "address", o->address);
	dj_jw_kint(w, "sort_order", o->sort_order);
	dj_jw_kstr(w, "created_at", o->created_at);
	dj_jw_kstr(w, "updated_at", o->updated_at);
	dj_jw_obj_end(w);
}

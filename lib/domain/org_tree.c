/* org_tree.c — writing the organization tree: create, update, move (paths, members and counts
 * kept correct in one transaction), all audited. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/org.h"
#include "dj/member.h"
#include "dj/schema.h"
#include "dj/banned.h"

static const struct dj_field org_fields[] = {
	{ "name", "组织名称", DJ_FT_TEXT, DJ_FF_REQUIRED | DJ_FF_LIST | DJ_FF_SEARCH, 100, 0, 0, NULL, NULL, "全称，如 中共某某村支部委员会" },
	{ "short_name", "简称", DJ_FT_TEXT, DJ_FF_LIST, 50, 0, 0, NULL, NULL, NULL },
	{ "code", "组织代码", DJ_FT_TEXT, DJ_FF_LIST, 40, 0, 0, NULL, NULL, NULL },
	{ "kind", "组织类别", DJ_FT_CODE, DJ_FF_REQUIRED | DJ_FF_LIST | DJ_FF_FILTER, 0, 0, 0, "org_kind", NULL, NULL },
	{ "sector", "领域", DJ_FT_CODE, DJ_FF_LIST | DJ_FF_FILTER, 0, 0, 0, "org_sector", NULL, "村、社区党组织按 5 年换届（ORG-9）" },
	{ "unit_name", "所在单位", DJ_FT_TEXT, DJ_FF_LIST, 100, 0, 0, NULL, NULL, NULL },
	{ "founded_on", "成立日期", DJ_FT_DATE, DJ_FF_LIST, 0, 0, 0, NULL, NULL, NULL },
	{ "dissolved_on", "撤销日期", DJ_FT_DATE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "contact_name", "联系人", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, NULL },
	{ "contact_phone", "联系电话", DJ_FT_TEXT, 0, 20, 0, 0, NULL, NULL, NULL },
	{ "address", "地址", DJ_FT_TEXT, 0, 200, 0, 0, NULL, NULL, NULL },
	{ "sort_order", "排序号", DJ_FT_INT, 0, 0, 0, 1000000, NULL, NULL, NULL },
};
const struct dj_entity dj_org_entity = {
	"org", "orgs", "党组织", org_fields, sizeof(org_fields) / sizeof(org_fields[0]), false, false, NULL, NULL, NULL,
};

static dj_rc org_json(const struct dj_model_ctx *x, int64_t id, struct dj_strbuf *sb, struct dj_org *o)
{
	struct dj_jw w;
	dj_rc rc = dj_org_get(x->c, x->sc, id, x->a, o);
	if (rc)
		return rc;
	dj_jw_init(&w, sb);
	dj_org_write_json(&w, o);
	return DJ_OK;
}

static dj_rc audit(const struct dj_model_ctx *x, const char *action, int64_t id, const char *path, const char *before,
		   const char *after)
{
	struct dj_audit_entry e = { action, "org", id, path, before, after };
	return dj_audit_append(x->c, x->who, &e);
}

/* "UPDATE orgs SET a = ?, b = ?" for the set fields, bound in order after the caller's prefix. */
static dj_rc apply_fields(const struct dj_model_ctx *x, int64_t id, const struct dj_value *vals, bool *any)
{
	struct dj_strbuf sql = DJ_STRBUF_INIT;
	struct dj_stmt *s;
	char ts[26];
	int n = 0;
	dj_strbuf_adds(&sql, "UPDATE orgs SET ");
	for (size_t i = 0; i < dj_org_entity.nfields; i++)
		if (vals[i].set)
			dj_strbuf_addf(&sql, "%s%s = ?", n++ ? ", " : "", dj_org_entity.fields[i].name);
	*any = n > 0;
	dj_strbuf_addf(&sql, "%supdated_at = ? WHERE id = ?", n ? ", " : "");
	dj_rc rc = dj_db_prepare(x->c, sql.buf, &s);
	dj_strbuf_release(&sql);
	if (rc)
		return rc;
	int b = 1;
	for (size_t i = 0; i < dj_org_entity.nfields; i++) {
		const struct dj_value *v = &vals[i];
		if (!v->set)
			continue;
		if (v->null)
			dj_stmt_bind_null(s, b++);
		else if (dj_org_entity.fields[i].type == DJ_FT_INT)
			dj_stmt_bind_int(s, b++, v->i);
		else
			dj_stmt_bind_text(s, b++, v->s);
	}
	dj_stmt_bind_text(s, b++, dj_time_rfc3339(dj_time_now(), ts));
	dj_stmt_bind_int(s, b, id);
	return dj_stmt_exec(s);
}

dj_rc dj_org_create(const struct dj_model_ctx *x, int64_t parent_id, const struct dj_value *vals, int64_t *id,
		    struct dj_model_err *err)
{
	struct dj_org o;
	struct dj_strbuf after = DJ_STRBUF_INIT;
	int ki = dj_model_field(&dj_org_entity, "kind"), si = dj_model_field(&dj_org_entity, "sector");
	int ni = dj_model_field(&dj_org_entity, "name"), oi = dj_model_field(&dj_org_entity, "sort_order");
	bool any;
	dj_rc rc = dj_org_create_child_unaudited(x->c, x->sc, parent_id, vals[ni].s, vals[ki].s,
						 vals[si].set && !vals[si].null ? vals[si].s : NULL,
						 vals[oi].set ? vals[oi].i : 0, id);
	if (rc == DJ_ERR_NOTFOUND) {
		err->field = "parent_id";
		snprintf(err->msg, sizeof(err->msg), "上级党组织不存在或不在您的管理范围内");
		return DJ_ERR_INVALID;
	}
	if (!rc)
		rc = apply_fields(x, *id, vals, &any);
	if (!rc)
		rc = org_json(x, *id, &after, &o);
	if (!rc)
		rc = audit(x, "org.create", *id, o.path, NULL, after.buf);
	dj_strbuf_release(&after);
	return rc;
}

dj_rc dj_org_update(const struct dj_model_ctx *x, int64_t id, const struct dj_value *vals, struct dj_model_err *err)
{
	struct dj_org o;
	struct dj_strbuf before = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
	bool any;
	(void)err;
	char kind[32] = "";
	dj_rc rc = org_json(x, id, &before, &o);
	if (!rc) {
		snprintf(kind, sizeof(kind), "%s", o.kind ? o.kind : "");
		rc = apply_fields(x, id, vals, &any);
	}
	if (!rc)
		rc = org_json(x, id, &after, &o);
	/* a new kind moves the org from one kind's counts to the other's on its whole path */
	if (!rc && o.kind && strcmp(kind, o.kind) != 0 && !(rc = dj_org_kinds_add(x->c, o.path, kind, -1)))
		rc = dj_org_kinds_add(x->c, o.path, o.kind, +1);
	if (!rc)
		rc = audit(x, "org.update", id, o.path, before.buf, after.buf);
	dj_strbuf_release(&before);
	dj_strbuf_release(&after);
	return rc;
}

dj_rc dj_org_move(const struct dj_model_ctx *x, int64_t id, int64_t new_parent, struct dj_model_err *err)
{
	struct dj_org o, np, op;
	struct dj_stmt *s;
	char new_path[DJ_PATH_MAX], ts[26];
	struct dj_strbuf before = DJ_STRBUF_INIT, after = DJ_STRBUF_INIT;
	dj_rc rc = org_json(x, id, &before, &o);
	if (rc)
		goto out;
	if (strcmp(o.path, x->sc->org_path) == 0 || !o.parent_id) {
		err->field = "id";
		snprintf(err->msg, sizeof(err->msg), "不能移动您管理范围的根组织");
		rc = DJ_ERR_INVALID;
		goto out;
	}
	rc = dj_org_get(x->c, x->sc, new_parent, x->a, &np);
	if (rc == DJ_ERR_NOTFOUND) {
		err->field = "parent_id";
		snprintf(err->msg, sizeof(err->msg), "目标上级党组织不存在或不在您的管理范围内");
		rc = DJ_ERR_INVALID;
	}
	if (rc)
		goto out;
	if (strncmp(np.path, o.path, strlen(o.path)) == 0) {
		err->field = "parent_id";
		snprintf(err->msg, sizeof(err->msg), "不能把组织移动到它自己或它的下级组织之下");
		rc = DJ_ERR_INVALID;
		goto out;
	}
	if (new_parent == o.parent_id)
		goto out; /* nothing to do */
	if ((rc = dj_org_get(x->c, x->sc, o.parent_id, x->a, &op)))
		goto out;
	int n = snprintf(new_path, sizeof(new_path), "%s%lld/", np.path, (long long)id);
	if (n < 0 || (size_t)n >= sizeof(new_path) || strlen(new_path) + 64 >= DJ_PATH_MAX) {
		err->field = "parent_id";
		snprintf(err->msg, sizeof(err->msg), "组织层级过深");
		rc = DJ_ERR_INVALID;
		goto out;
	}
	struct dj_scope old;
	dj_scope_set_path(&old, o.path);
	int64_t depth_delta = np.depth + 1 - o.depth;
	/* Paths of the whole subtree: new prefix + the rest. */
	rc = dj_db_prepare(x->c, "UPDATE orgs SET path = ? || substr(path, ?), depth = depth + ?, updated_at = ?"
				 " WHERE path >= ? AND path < ?", &s);
	if (rc)
		goto out;
	dj_stmt_bind_text(s, 1, new_path);
	dj_stmt_bind_int(s, 2, (int64_t)strlen(o.path) + 1);
	dj_stmt_bind_int(s, 3, depth_delta);
	dj_stmt_bind_text(s, 4, dj_time_rfc3339(dj_time_now(), ts));
	dj_stmt_bind_text(s, 5, old.org_path);
	dj_stmt_bind_text(s, 6, old.path_hi);
	if ((rc = dj_stmt_exec(s)))
		goto out;
	rc = dj_db_prepare(x->c, "UPDATE orgs SET parent_id = ? WHERE id = ?", &s);
	if (rc)
		goto out;
	dj_stmt_bind_int(s, 1, new_parent);
	dj_stmt_bind_int(s, 2, id);
	if ((rc = dj_stmt_exec(s)))
		goto out;
	/* Members, meetings ... keep a copy of their org's path for subtree queries. */
	for (int t = 0; dj_schema_path_tables[t]; t++) {
		char sql[200];
		snprintf(sql, sizeof(sql), "UPDATE %s SET org_path = ? || substr(org_path, ?) WHERE org_path >= ? AND org_path < ?",
			 dj_schema_path_tables[t]);
		if ((rc = dj_db_prepare(x->c, sql, &s)))
			goto out;
		dj_stmt_bind_text(s, 1, new_path);
		dj_stmt_bind_int(s, 2, (int64_t)strlen(o.path) + 1);
		dj_stmt_bind_text(s, 3, old.org_path);
		dj_stmt_bind_text(s, 4, old.path_hi);
		if ((rc = dj_stmt_exec(s)))
			goto out;
	}
	/* Counts: the moved subtree's figures leave the old ancestors and join the new ones. */
	if ((rc = dj_member_counts_move(x->c, id, op.path, np.path)) ||
	    (rc = dj_org_kinds_move(x->c, id, op.path, np.path)))
		goto out;
	{
		/* The moved org is now in the new place; read it with the same scope. */
		struct dj_org moved;
		rc = org_json(x, id, &after, &moved);
		if (!rc)
			rc = audit(x, "org.move", id, moved.path, before.buf, after.buf);
	}
out:
	dj_strbuf_release(&before);
	dj_strbuf_release(&after);
	return rc;
}

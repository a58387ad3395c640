/* org_kinds.c — how many organizations of each kind every org's subtree holds (itself included), for
 * the dashboard's and the statistics' orgs_by_kind: kept in org_kind_counts by org create, kind
 * change and move, in the writing transaction, so a province root answers with one index seek
 * instead of counting its 267,097 organizations (bench/notes.md, item 7). */
#include <string.h>
#include "dj/json.h"
#include "dj/org.h"
#include "dj/banned.h"

static const char Q_ADJ[] = "INSERT INTO org_kind_counts(org_id, kind, n) VALUES (?, ?, ?)"
			    " ON CONFLICT(org_id, kind) DO UPDATE SET n = n + excluded.n";
static const char Q_MOVE[] = "INSERT INTO org_kind_counts(org_id, kind, n) SELECT ?, kind, ? * n FROM org_kind_counts"
			     " WHERE org_id = ? AND n <> 0 ON CONFLICT(org_id, kind) DO UPDATE SET n = n + excluded.n";
static const char Q_OF[] = "SELECT kind, n FROM org_kind_counts WHERE org_id = ? AND n <> 0 ORDER BY kind";

static dj_rc adjust(struct dj_db_conn *c, int64_t org, const char *kind, int64_t n)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(c, Q_ADJ, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_text(s, 2, kind);
	dj_stmt_bind_int(s, 3, n);
	return dj_stmt_exec(s);
}

dj_rc dj_org_kinds_add(struct dj_db_conn *c, const char *path, const char *kind, int sign)
{
	int64_t ids[DJ_PATH_MAX / 2];
	size_t n = dj_path_ids(path, ids, sizeof(ids) / sizeof(ids[0]));
	dj_rc rc = DJ_OK;
	for (size_t i = 0; i < n && !rc; i++)
		rc = adjust(c, ids[i], kind, sign);
	return rc;
}

dj_rc dj_org_kinds_move(struct dj_db_conn *c, int64_t org_id, const char *old_parent_path,
			const char *new_parent_path)
{
	int64_t ids[DJ_PATH_MAX / 2];
	for (int pass = 0; pass < 2; pass++) {
		size_t n = dj_path_ids(pass ? new_parent_path : old_parent_path, ids, sizeof(ids) / sizeof(ids[0]));
		for (size_t i = 0; i < n; i++) {
			struct dj_stmt *s;
			dj_rc rc = dj_db_prepare(c, Q_MOVE, &s);
			if (rc)
				return rc;
			dj_stmt_bind_int(s, 1, ids[i]);
			dj_stmt_bind_int(s, 2, pass ? 1 : -1);
			dj_stmt_bind_int(s, 3, org_id);
			if ((rc = dj_stmt_exec(s)))
				return rc;
		}
	}
	return DJ_OK;
}

dj_rc dj_org_kinds_write(struct dj_db_conn *c, int64_t org_id, struct dj_jw *w, int64_t *total)
{
	struct dj_stmt *s;
	int64_t sum = 0;
	dj_rc rc = dj_db_prepare(c, Q_OF, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		int64_t n = dj_stmt_int(s, 1);
		dj_jw_kint(w, dj_stmt_text(s, 0), n);
		sum += n;
	}
	dj_stmt_reset(s);
	if (total)
		*total = sum;
	return rc == DJ_DONE ? DJ_OK : rc;
}

/* One open org of the recount's walk, with its subtree's counts per kind so far. */
struct level {
	int64_t id;
	int64_t n[DJ_ORG_KINDS_MAX];
};

static int kind_index(const char *kind)
{
	for (int k = 0; kind && dj_org_kinds[k].code && k < DJ_ORG_KINDS_MAX; k++)
		if (strcmp(dj_org_kinds[k].code, kind) == 0)
			return k;
	return -1;
}

/* Write the closing org's rows and add them to its parent's (parent may be NULL). */
static dj_rc close_level(struct dj_db_conn *c, struct level *l, struct level *parent)
{
	dj_rc rc = DJ_OK;
	for (int k = 0; k < DJ_ORG_KINDS_MAX && dj_org_kinds[k].code && !rc; k++) {
		if (!l->n[k])
			continue;
		if (parent)
			parent->n[k] += l->n[k];
		rc = adjust(c, l->id, dj_org_kinds[k].code, l->n[k]);
	}
	memset(l->n, 0, sizeof(l->n));
	return rc;
}

dj_rc dj_org_kinds_recount(struct dj_db_conn *c)
{
	/* In path order a subtree is contiguous and follows its root: each org's counts merge into its
	 * parent's when the walk leaves it (the member recount's walk, lib/domain/member.c). */
	struct level stack[DJ_PATH_MAX / 2];
	int64_t ids[DJ_PATH_MAX / 2];
	size_t depth = 0, nstack = sizeof(stack) / sizeof(stack[0]);
	struct dj_stmt *st;
	dj_rc rc;
	memset(stack, 0, sizeof(stack));
	if ((rc = dj_db_exec_sql(c, "DELETE FROM org_kind_counts")) ||
	    (rc = dj_db_prepare(c, "SELECT path, kind FROM orgs ORDER BY path", &st)))
		return rc;
	while ((rc = dj_stmt_step(st)) == DJ_ROW) {
		size_t n = dj_path_ids(dj_stmt_text(st, 0), ids, nstack), keep = 0;
		int k = kind_index(dj_stmt_text(st, 1));
		dj_rc wrc = DJ_OK;
		while (keep < depth && keep < n && stack[keep].id == ids[keep])
			keep++;
		while (depth > keep && !wrc) {
			depth--;
			wrc = close_level(c, &stack[depth], depth ? &stack[depth - 1] : NULL);
		}
		if (wrc) {
			dj_stmt_reset(st);
			return wrc;
		}
		for (; depth < n; depth++)
			stack[depth].id = ids[depth];
		if (n && k >= 0)
			stack[n - 1].n[k]++;
	}
	dj_stmt_reset(st);
	if (rc != DJ_DONE)
		return rc;
	rc = DJ_OK;
	while (depth > 0 && !rc) {
		depth--;
		rc = close_level(c, &stack[depth], depth ? &stack[depth - 1] : NULL);
	}
	return rc;
}

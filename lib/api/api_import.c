/* api_import.c — import template, batches and rollback, and the 花名册 export (xlsx). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dj/audit.h"
#include "dj/io.h"
#include "dj/import.h"
#include "dj/member.h"
#include "dj/slice.h"
#include "api_int.h"
#include "dj/banned.h"

/* A private temp file name; the file itself is created by the writer. */
static dj_rc temp_path(char *buf, size_t n)
{
	const char *dir = getenv("TMPDIR");
	snprintf(buf, n, "%s/dj-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(buf);
	if (fd < 0)
		return DJ_ERR_IO;
	close(fd);
	unlink(buf); /* libxlsxwriter creates it afresh */
	return DJ_OK;
}

dj_rc api_send_file(struct dj_req *r, const char *path, const char *content_type, const char *download_name)
{
	char *data;
	size_t len;
	char disp[256];
	dj_rc rc = dj_io_read_file(path, (size_t)1 << 31, &data, &len);
	unlink(path);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_strbuf_reset(&r->out);
	rc = dj_strbuf_add(&r->out, data, len);
	dj_free(data);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	r->content_type = content_type;
	/* RFC 6266: an ASCII fallback plus the UTF-8 name. */
	snprintf(disp, sizeof(disp), "attachment; filename=\"export.xlsx\"; filename*=UTF-8''%s", download_name);
	r->content_disposition = dj_arena_strdup(&r->arena, disp);
	return DJ_OK;
}

static const char XLSX[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

dj_rc api_import_template(struct dj_req *r)
{
	char path[256];
	dj_rc rc = temp_path(path, sizeof(path));
	if (!rc)
		rc = dj_import_template(path);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	/* "党员信息导入模板.xlsx", percent-encoded */
	return api_send_file(r, path, XLSX,
			     "%E5%85%9A%E5%91%98%E4%BF%A1%E6%81%AF%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx");
}

dj_rc api_import_batches(struct dj_req *r)
{
	struct dj_db_conn *c;
	int64_t page, per_page, total = 0;
	dj_rc rc;
	const char *o = dj_req_query(r, "org_id");
	int64_t org;
	if (o && *o && dj_parse_int_str(o, 1, INT64_MAX, &org))
		return dj_req_fail(r, DJ_ERR_INVALID, "org_id", "org_id 应为正整数");
	if ((rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	dj_req_list_begin(r);
	rc = dj_import_batches(c, &r->user->scope, page, per_page, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

dj_rc api_import_rollback(struct dj_req *r)
{
	struct dj_db_conn *c;
	int64_t id;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	struct dj_actor who = dj_req_actor(r);
	rc = dj_import_rollback(c, &r->user->scope, &who, id);
	if (rc) {
		dj_db_rollback(c);
		if (rc == DJ_ERR_CONFLICT)
			return dj_req_fail(r, rc, NULL, "该导入批次已撤销");
		return dj_req_fail(r, rc, NULL, NULL);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kbool(w, "ok", true);
	dj_jw_kint(w, "batch_id", id);
	dj_jw_obj_end(w);
	return DJ_OK;
}

struct export_ctx {
	struct dj_xlsx_out *x;
	int64_t rows;
};

static dj_rc export_row(void *arg, const char *const *cells, size_t n)
{
	struct export_ctx *e = arg;
	e->rows++;
	return dj_xlsx_row(e->x, cells, n, 0);
}

dj_rc api_export_members(struct dj_req *r)
{
	struct dj_db_conn *c = NULL;
	struct dj_list_query q;
	struct dj_model_err err = { 0 };
	struct dj_model_ctx x;
	struct dj_actor who;
	struct export_ctx ex = { NULL, 0 };
	const char *head[64];
	char path[256], after[256];
	size_t n = 0;
	const char *rv = dj_req_query(r, "reveal");
	bool reveal = rv && strcmp(rv, "1") == 0;
	dj_rc rc = dj_model_list_query_parse(&dj_member_entity, api_query_param, r, &q, &err);
	if (rc)
		return api_model_fail(r, rc, &err);
	if ((rc = temp_path(path, sizeof(path))) || (rc = dj_xlsx_create(path, "党员花名册", &ex.x)))
		return dj_req_fail(r, rc, NULL, NULL);
	for (size_t f = 0; f < dj_member_entity.nfields && n < 64; f++)
		if (dj_member_entity.fields[f].flags & DJ_FF_LIST) {
			dj_xlsx_col_width(ex.x, n, dj_member_entity.fields[f].type == DJ_FT_TEXT ? 20 : 12);
			head[n++] = dj_member_entity.fields[f].label;
		}
	rc = dj_xlsx_row(ex.x, head, n, 1);
	/* The export is a write to the audit log (who took which list), in one transaction with the read. */
	if (!rc)
		rc = dj_db_begin(r->app->db, &c);
	if (!rc) {
		api_model_ctx(r, c, &who, &x);
		rc = dj_model_export(&x, &dj_member_entity, &q, reveal, export_row, &ex);
	}
	if (!rc) {
		snprintf(after, sizeof(after), "{\"rows\":%lld,\"org_id\":%lld,\"subtree\":%s,\"reveal\":%s}", (long long)ex.rows,
			 (long long)q.org_id, q.subtree ? "true" : "false", reveal ? "true" : "false");
		struct dj_audit_entry e = { "export.members", "member", 0, r->user->scope.org_path, NULL, after };
		rc = dj_audit_append(c, &who, &e);
	}
	dj_rc rc2 = dj_xlsx_close(ex.x);
	if (c) {
		if (rc || rc2)
			dj_db_rollback(c);
		else
			rc = dj_db_commit(c);
	}
	if (rc || rc2) {
		unlink(path);
		return dj_req_fail(r, rc ? rc : rc2, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	}
	/* "党员花名册.xlsx" */
	return api_send_file(r, path, XLSX, "%E5%85%9A%E5%91%98%E8%8A%B1%E5%90%8D%E5%86%8C.xlsx");
}

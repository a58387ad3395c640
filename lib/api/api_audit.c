/* api_audit.c — reading the audit log (auditor only). */
#include "dj/audit.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_audit_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	int64_t page, per_page, total = 0;
	struct dj_audit_filter f = { dj_req_query(r, "action"), dj_req_query(r, "actor"), dj_req_query(r, "object_type"),
				     dj_req_query(r, "from"), dj_req_query(r, "to") };
	dj_rc rc;
	if (f.action && !*f.action)
		f.action = NULL;
	if (f.actor && !*f.actor)
		f.actor = NULL;
	if (f.object_type && !*f.object_type)
		f.object_type = NULL;
	if (f.from && !*f.from)
		f.from = NULL;
	if (f.to && !*f.to)
		f.to = NULL;
	if ((rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	dj_req_list_begin(r);
	rc = dj_audit_list(c, &r->user->scope, &f, page, per_page, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc == DJ_ERR_INVALID)
		return dj_req_fail(r, rc, f.from ? "from" : "to", "日期格式应为 YYYY-MM-DD");
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

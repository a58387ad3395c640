/* api_org.c — organization endpoints: one org and its children, always through the caller's scope. */
#include "dj/org.h"
#include "api_int.h"
#include "dj/banned.h"

dj_rc api_org_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_org o;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	rc = dj_org_get(c, &r->user->scope, id, &r->arena, &o);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_org_write_json(dj_req_jw(r), &o);
	return DJ_OK;
}

dj_rc api_org_children(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_org *items;
	int64_t id, page, per_page, n, total;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = dj_req_paging(r, &page, &per_page)) || (rc = api_reader(r, &c)))
		return rc;
	rc = dj_org_children(c, &r->user->scope, id, page, per_page, &r->arena, &items, &n, &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_req_list_begin(r);
	for (int64_t i = 0; i < n; i++)
		dj_org_write_json(dj_req_jw(r), &items[i]);
	dj_req_list_end(r, total, page, per_page);
	return DJ_OK;
}

/* api_int.h — handler declarations shared by lib/api's files and the route table. */
#ifndef DJ_API_INT_H
#define DJ_API_INT_H
#include "dj/http.h"
#include "dj/model.h"

dj_rc api_health(struct dj_req *r);
dj_rc api_openapi(struct dj_req *r);
dj_rc api_session_create(struct dj_req *r);
dj_rc api_session_get(struct dj_req *r);
dj_rc api_session_delete(struct dj_req *r);
dj_rc api_dashboard(struct dj_req *r);
dj_rc api_org_get(struct dj_req *r);
dj_rc api_org_children(struct dj_req *r);
dj_rc api_org_create(struct dj_req *r);
dj_rc api_org_patch(struct dj_req *r);
dj_rc api_org_move(struct dj_req *r);
dj_rc api_org_stats(struct dj_req *r);
dj_rc api_org_findings(struct dj_req *r);
dj_rc api_committees_list(struct dj_req *r);
dj_rc api_committees_create(struct dj_req *r);
dj_rc api_users_list(struct dj_req *r);
dj_rc api_users_create(struct dj_req *r);
dj_rc api_users_patch(struct dj_req *r);
dj_rc api_audit_list(struct dj_req *r);

dj_rc api_meta(struct dj_req *r);
dj_rc api_members_list(struct dj_req *r);
dj_rc api_members_create(struct dj_req *r);
dj_rc api_member_get(struct dj_req *r);
dj_rc api_member_patch(struct dj_req *r);
dj_rc api_member_delete(struct dj_req *r);
dj_rc api_member_records_list(struct dj_req *r);
dj_rc api_member_records_create(struct dj_req *r);
dj_rc api_member_record_patch(struct dj_req *r);
dj_rc api_member_record_delete(struct dj_req *r);

dj_rc api_import_start(struct dj_req *r);
dj_rc api_import_job(struct dj_req *r);
dj_rc api_import_template(struct dj_req *r);
dj_rc api_import_batches(struct dj_req *r);
dj_rc api_import_rollback(struct dj_req *r);
dj_rc api_export_members(struct dj_req *r);

dj_rc api_meetings_list(struct dj_req *r);
dj_rc api_meetings_create(struct dj_req *r);
dj_rc api_meeting_get(struct dj_req *r);
dj_rc api_meeting_patch(struct dj_req *r);
dj_rc api_meeting_delete(struct dj_req *r);
dj_rc api_meeting_attendance_get(struct dj_req *r);
dj_rc api_meeting_attendance_set(struct dj_req *r);
dj_rc api_meeting_vote(struct dj_req *r);
dj_rc api_meeting_review(struct dj_req *r);
dj_rc api_meeting_checkin_token(struct dj_req *r);
dj_rc api_meeting_checkin(struct dj_req *r);
dj_rc api_meeting_attach(struct dj_req *r);
dj_rc api_meeting_attachment(struct dj_req *r);
dj_rc api_rules_list(struct dj_req *r);
dj_rc api_rule_params_get(struct dj_req *r);
dj_rc api_rule_params_set(struct dj_req *r);
dj_rc api_findings(struct dj_req *r);
dj_rc api_compliance(struct dj_req *r);
dj_rc api_inbox(struct dj_req *r);
dj_rc api_dues_calc(struct dj_req *r);
dj_rc api_develop_check(struct dj_req *r);
dj_rc api_dev_cases_list(struct dj_req *r);
dj_rc api_dev_case_create(struct dj_req *r);
dj_rc api_dev_case_get(struct dj_req *r);
dj_rc api_dev_step_add(struct dj_req *r);
dj_rc api_dev_board(struct dj_req *r);
dj_rc api_dev_plan_set(struct dj_req *r);
dj_rc api_member_status(struct dj_req *r);
dj_rc api_member_status_history(struct dj_req *r);
dj_rc api_transfers_list(struct dj_req *r);
dj_rc api_transfer_issue(struct dj_req *r);
dj_rc api_transfer_receive(struct dj_req *r);
dj_rc api_transfer_letter(struct dj_req *r);
dj_rc api_dev_documents(struct dj_req *r);
dj_rc api_dev_documents_pdf(struct dj_req *r);
dj_rc api_export_dues_annual_pdf(struct dj_req *r);
dj_rc api_export_dues_pdf(struct dj_req *r);
dj_rc api_member_mobility_add(struct dj_req *r);
dj_rc api_member_mobility_list(struct dj_req *r);
dj_rc api_calendar_get(struct dj_req *r);
dj_rc api_calendar_set(struct dj_req *r);
dj_rc api_member_dues(struct dj_req *r);
dj_rc api_member_dues_bases(struct dj_req *r);
dj_rc api_member_dues_base_add(struct dj_req *r);
dj_rc api_member_dues_pay(struct dj_req *r);
dj_rc api_member_dues_payment_void(struct dj_req *r);
dj_rc api_member_dues_exempt(struct dj_req *r);
dj_rc api_dues_cycles(struct dj_req *r);
dj_rc api_dues_cycle_action(struct dj_req *r);
dj_rc api_dues_grid(struct dj_req *r);
dj_rc api_dues_bulk_pay(struct dj_req *r);
dj_rc api_dues_import(struct dj_req *r);
dj_rc api_dues_report(struct dj_req *r);
dj_rc api_dues_arrears(struct dj_req *r);
dj_rc api_export_dues(struct dj_req *r);
dj_rc api_export_dues_annual(struct dj_req *r);

/** Send the file at path as the response body (xlsx download named download_name), then delete it. */
dj_rc api_send_file(struct dj_req *r, const char *path, const char *content_type, const char *download_name);

/** A model context for the request on connection c (arena, scope, actor, PII key). */
void api_model_ctx(struct dj_req *r, struct dj_db_conn *c, struct dj_actor *who, struct dj_model_ctx *x);
/** Fail with a model validation error (422 naming the field, 409 for conflicts). */
dj_rc api_model_fail(struct dj_req *r, dj_rc rc, const struct dj_model_err *err);
/** Lookup function over the request's query string, for dj_model_list_query_parse. */
const char *api_query_param(const void *req, const char *name);

/** Borrow a reader for the request or fail it (503). */
dj_rc api_reader(struct dj_req *r, struct dj_db_conn **c);

/** Writes the rows that belong to one record (path parameter 0) as a list body and counts them. */
typedef dj_rc (*api_rows_of_fn)(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w, int64_t *n);
/** GET handler body for "the rows of record :id": one read, every row on one page. */
dj_rc api_rows_of(struct dj_req *r, api_rows_of_fn rows);
/** Require a JSON object body; fails 400 if absent. */
dj_rc api_body(struct dj_req *r, json_t **obj);
/** Reject unknown keys with 422 naming the key. */
dj_rc api_only_keys(struct dj_req *r, json_t *obj, const char *const *allowed);
/** Get an optional string member; wrong type fails 422 naming the field. NULL if absent. */
dj_rc api_str(struct dj_req *r, json_t *obj, const char *key, bool required, size_t max_chars, const char **out);
/** Get an optional integer member; *present tells whether it was there. */
dj_rc api_int(struct dj_req *r, json_t *obj, const char *key, bool required, int64_t min, int64_t max,
	      int64_t *out, bool *present);

#endif

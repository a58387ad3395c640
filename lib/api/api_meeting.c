/* api_meeting.c — organizational life API: meetings, attendance, votes, review, QR sign-in,
 * attachments. */
#include <qrencode.h>
#include <stdio.h>
#include <string.h>
#include "dj/date.h"
#include "dj/meeting.h"
#include "dj/slice.h"
#include "api_int.h"
#include "dj/banned.h"

#define MAX_ATTACHMENT (10u * 1024 * 1024)

dj_rc api_meetings_list(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_list_query q;
	struct dj_model_err err = { 0 };
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t total = 0;
	dj_rc rc = dj_model_list_query_parse(&dj_meeting_entity, api_query_param, r, &q, &err);
	if (rc)
		return api_model_fail(r, rc, &err);
	if (q.sort_field < 0 && !dj_req_query(r, "sort")) {
		q.sort_field = dj_model_field(&dj_meeting_entity, "held_on");
		q.sort_desc = true;
	}
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	dj_req_list_begin(r);
	rc = dj_model_list(&x, &dj_meeting_entity, &q, dj_req_jw(r), &total);
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, rc == DJ_ERR_NOTFOUND ? "org_id" : NULL, NULL);
	dj_req_list_end(r, total, q.page, q.per_page);
	return DJ_OK;
}

typedef dj_rc (*mfn)(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err);

/* One write transaction, answered with the meeting (or nothing when show is false). */
static dj_rc tx(struct dj_req *r, mfn fn, int64_t id, bool show, int status)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	dj_rc rc = dj_db_begin(r->app->db, &c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = fn(r, &x, &id, &err);
	if (!rc && show)
		rc = dj_meeting_write(&x, id, dj_req_jw(r));
	if (rc) {
		dj_db_rollback(c);
		if (rc == DJ_ERR_CONFLICT || rc == DJ_ERR_FORBIDDEN || rc == DJ_ERR_TOOBIG)
			return dj_req_fail(r, rc, err.field, "%s", err.msg[0] ? err.msg : dj_rc_message(rc));
		return api_model_fail(r, rc, &err);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	r->status = status;
	return DJ_OK;
}

static dj_rc do_create(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	struct dj_value vals[32];
	dj_rc rc = dj_model_unpack(&dj_meeting_entity, r->json, true, x->a, vals, err);
	return rc ? rc : dj_meeting_create(x, vals, id, err);
}

dj_rc api_meetings_create(struct dj_req *r)
{
	json_t *b;
	dj_rc rc = api_body(r, &b);
	return rc ? rc : tx(r, do_create, 0, true, 201);
}

dj_rc api_meeting_get(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_meeting_write(&x, id, dj_req_jw(r));
	dj_db_release(c);
	return rc ? dj_req_fail(r, rc, NULL, NULL) : DJ_OK;
}

static dj_rc do_patch(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	struct dj_value vals[32];
	dj_rc rc = dj_model_unpack(&dj_meeting_entity, r->json, false, x->a, vals, err);
	return rc ? rc : dj_meeting_update(x, *id, vals, err);
}

dj_rc api_meeting_patch(struct dj_req *r)
{
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)))
		return rc;
	return tx(r, do_patch, id, true, 200);
}

static dj_rc do_delete(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	const char *reason = r->json ? json_string_value(json_object_get(r->json, "reason")) : dj_req_query(r, "reason");
	if (!reason || !*reason) {
		err->field = "reason";
		snprintf(err->msg, sizeof(err->msg), "删除会议记录须填写原因（reason）");
		return DJ_ERR_INVALID;
	}
	return dj_meeting_delete(x, *id, reason, err);
}

dj_rc api_meeting_delete(struct dj_req *r)
{
	int64_t id;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc || (rc = tx(r, do_delete, id, false, 200)))
		return rc;
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kbool(w, "ok", true);
	dj_jw_obj_end(w);
	return DJ_OK;
}

dj_rc api_meeting_attendance_get(struct dj_req *r)
{
	return api_rows_of(r, dj_meeting_attendance_write);
}

static dj_rc do_attendance(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	json_t *items = json_object_get(r->json, "items");
	return dj_meeting_attendance_set(x, *id, items, err);
}

dj_rc api_meeting_attendance_set(struct dj_req *r)
{
	static const char *const keys[] = { "items", NULL };
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)))
		return rc;
	return tx(r, do_attendance, id, true, 200);
}

static dj_rc do_vote(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	int64_t vid;
	return dj_meeting_vote_add(x, *id, r->json, &vid, err);
}

dj_rc api_meeting_vote(struct dj_req *r)
{
	static const char *const keys[] = { "subject", "kind", "eligible", "present_voting", "yes", "no", "abstain",
					    "written_yes", NULL };
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)))
		return rc;
	return tx(r, do_vote, id, true, 201);
}

static dj_rc do_review(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	const char *action = json_string_value(json_object_get(r->json, "action"));
	const char *comment = json_string_value(json_object_get(r->json, "comment"));
	if (comment && strlen(comment) > 1000) {
		err->field = "comment";
		snprintf(err->msg, sizeof(err->msg), "审核意见过长");
		return DJ_ERR_INVALID;
	}
	return dj_meeting_review(x, *id, action ? action : "", comment, err);
}

dj_rc api_meeting_review(struct dj_req *r)
{
	static const char *const keys[] = { "action", "comment", NULL };
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)))
		return rc;
	return tx(r, do_review, id, true, 200);
}

/* The QR code as SVG: one rect per dark module, crisp at any size, no image library needed. */
static void qr_svg(const char *text, struct dj_strbuf *out)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return;
	int n = qr->width, margin = 4;
	dj_strbuf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
			    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		       n + 2 * margin, n + 2 * margin);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (qr->data[y * n + x] & 1)
				dj_strbuf_addf(out, "M%d %dh1v1h-1z", x + margin, y + margin);
	dj_strbuf_adds(out, "\"/></svg>");
	QRcode_free(qr);
}

dj_rc api_meeting_checkin_token(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	char token[DJ_TOKEN_HEX + 1], url[256], ts[26];
	int64_t id, expires;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = dj_meeting_checkin_token(&x, id, 300, token, &expires); /* valid 5 minutes; the page refreshes it */
	if (rc) {
		dj_db_rollback(c);
		return dj_req_fail(r, rc, NULL, NULL);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	snprintf(url, sizeof(url), "/checkin/%lld?t=%s", (long long)id, token);
	/* A phone's camera opens only absolute URLs: the address the browser used (behind nginx,
	 * X-Forwarded-Proto tells whether it was https). */
	const char *host = dj_req_header(r, "Host"), *proto = dj_req_header(r, "X-Forwarded-Proto");
	char abs[512];
	bool host_ok = host && *host && strlen(host) < 200 && !strpbrk(host, " /\\\"<>");
	snprintf(abs, sizeof(abs), "%s://%s%s", proto && strcmp(proto, "https") == 0 ? "https" : "http",
		 host_ok ? host : "127.0.0.1", url);
	struct dj_strbuf svg = DJ_STRBUF_INIT;
	qr_svg(abs, &svg);
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "token", token);
	dj_jw_kstr(w, "path", url);
	dj_jw_kstr(w, "url", abs);
	dj_jw_kstr(w, "expires_at", dj_time_rfc3339(expires, ts));
	dj_jw_kstr(w, "qr_svg", svg.buf);
	dj_jw_obj_end(w);
	dj_strbuf_release(&svg);
	r->status = 201;
	return DJ_OK;
}

static dj_rc do_checkin(struct dj_req *r, const struct dj_model_ctx *x, int64_t *id, struct dj_model_err *err)
{
	return dj_meeting_checkin(x, *id, json_string_value(json_object_get(r->json, "token")), err);
}

dj_rc api_meeting_checkin(struct dj_req *r)
{
	static const char *const keys[] = { "token", NULL };
	json_t *b;
	int64_t id;
	dj_rc rc;
	if ((rc = dj_req_param_id(r, 0, &id)) || (rc = api_body(r, &b)) || (rc = api_only_keys(r, b, keys)))
		return rc;
	if ((rc = tx(r, do_checkin, id, false, 200)))
		return rc;
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kbool(w, "ok", true);
	dj_jw_kint(w, "meeting_id", id);
	dj_jw_kstr(w, "message", "签到成功");
	dj_jw_obj_end(w);
	return DJ_OK;
}

dj_rc api_meeting_attach(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	struct dj_model_err err = { 0 };
	int64_t id, att = 0;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	const char *name = dj_req_query(r, "filename");
	if ((rc = dj_db_begin(r->app->db, &c)))
		return dj_req_fail(r, rc, NULL, NULL);
	api_model_ctx(r, c, &who, &x);
	rc = dj_meeting_attach(&x, id, name, r->body.buf, r->body.len, MAX_ATTACHMENT, &att, &err);
	if (rc) {
		dj_db_rollback(c);
		if (err.msg[0])
			return dj_req_fail(r, rc, err.field, "%s", err.msg);
		return dj_req_fail(r, rc, NULL, NULL);
	}
	if ((rc = dj_db_commit(c)))
		return dj_req_fail(r, rc, NULL, NULL);
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", att);
	dj_jw_kint(w, "meeting_id", id);
	dj_jw_obj_end(w);
	r->status = 201;
	return DJ_OK;
}

dj_rc api_meeting_attachment(struct dj_req *r)
{
	struct dj_db_conn *c;
	struct dj_model_ctx x;
	struct dj_actor who;
	int64_t id, att;
	char *data = NULL, mime[64], name[256];
	size_t len = 0;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	if (r->nparams < 2 || dj_parse_int_str(r->params[1], 1, INT64_MAX, &att))
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, NULL);
	if ((rc = api_reader(r, &c)))
		return rc;
	api_model_ctx(r, c, &who, &x);
	rc = dj_meeting_attachment(&x, id, att, &data, &len, mime, sizeof(mime), name, sizeof(name));
	dj_db_release(c);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	dj_strbuf_reset(&r->out);
	rc = dj_strbuf_add(&r->out, data, len);
	dj_free(data);
	if (rc)
		return dj_req_fail(r, rc, NULL, NULL);
	r->content_type = dj_arena_strdup(&r->arena, mime);
	/* Served as a download with its sniffed type; never rendered as HTML. */
	r->content_disposition = "attachment; filename=\"attachment\"";
	dj_req_add_header(r, "Cache-Control", "private, no-store");
	return DJ_OK;
}

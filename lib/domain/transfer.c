/* transfer.c — 党籍 status changes with the ST rules, and transfers of the organizational
 * relationship with letters, receipts and overdue reminders (REL rules). */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/member.h"
#include "dj/org.h"
#include "dj/transfer.h"
#include "dj/banned.h"

static void ferr(struct dj_model_err *err, const char *field, const char *msg)
{
	err->field = field;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* Stored status facts of a member in scope. */
struct mrow {
	char status[24], changed[11], name[64], path[DJ_PATH_MAX];
	int64_t org_id;
};

static dj_rc member_row(const struct dj_model_ctx *x, int64_t id, struct mrow *m)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "SELECT status, COALESCE(status_changed_on, ''), name, org_path, org_id FROM members"
				       " WHERE id = ? AND org_path >= ? AND org_path < ? AND deleted_at IS NULL", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, x->sc->org_path);
	dj_stmt_bind_text(s, 3, x->sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		snprintf(m->status, sizeof(m->status), "%s", dj_stmt_text(s, 0) ? dj_stmt_text(s, 0) : "active");
		snprintf(m->changed, sizeof(m->changed), "%s", dj_stmt_text(s, 1));
		snprintf(m->name, sizeof(m->name), "%s", dj_stmt_text(s, 2));
		snprintf(m->path, sizeof(m->path), "%s", dj_stmt_text(s, 3));
		m->org_id = dj_stmt_int(s, 4);
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

dj_rc dj_member_status_change(const struct dj_model_ctx *x, int64_t member_id, const json_t *body, struct dj_model_err *err)
{
	struct mrow m = { 0 };
	struct dj_date on, since;
	char msg[300], ts[26];
	const char *k;
	json_t *v;
	dj_rc rc = member_row(x, member_id, &m);
	if (rc)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)body, k, v) {
		if (strcmp(k, "status") && strcmp(k, "on") && strcmp(k, "reason") && strcmp(k, "evidence") &&
		    strcmp(k, "exit_reason") && strcmp(k, "decision")) {
			err->field = k;
			snprintf(err->msg, sizeof(err->msg), "未知字段：%s", k);
			return DJ_ERR_INVALID;
		}
		if (!json_is_string(v)) {
			err->field = k;
			snprintf(err->msg, sizeof(err->msg), "字段 %s 应为字符串", k);
			return DJ_ERR_INVALID;
		}
	}
	const char *to = json_string_value(json_object_get(body, "status")), *ons = json_string_value(json_object_get(body, "on"));
	const char *reason = json_string_value(json_object_get(body, "reason"));
	const char *evidence = json_string_value(json_object_get(body, "evidence"));
	const char *exit_reason = json_string_value(json_object_get(body, "exit_reason"));
	const char *decision = json_string_value(json_object_get(body, "decision"));
	if (!to || (strcmp(to, "active") && strcmp(to, "lost_contact") && strcmp(to, "suspended") && strcmp(to, "exited") &&
		    strcmp(to, "deceased"))) {
		ferr(err, "status", "status 应为 active、lost_contact、suspended、exited 或 deceased");
		return DJ_ERR_INVALID;
	}
	if (!ons || dj_date_parse(ons, strlen(ons), &on) || dj_date_cmp(on, dj_date_today()) > 0) {
		ferr(err, "on", "on 应为不晚于今天的日期 YYYY-MM-DD");
		return DJ_ERR_INVALID;
	}
	if (!reason || !*reason || strlen(reason) > 1000) {
		ferr(err, "reason", "须填写变更原因（reason）");
		return DJ_ERR_INVALID;
	}
	bool have_since = m.changed[0] && dj_date_parse(m.changed, strlen(m.changed), &since) == DJ_OK;
	if (strcmp(m.status, to) == 0) {
		ferr(err, "status", "党籍状态没有变化");
		return DJ_ERR_CONFLICT;
	}
	/* ST-3: after 出党 or death there is no restoration; the person may apply again. */
	if (strcmp(m.status, "exited") == 0 || strcmp(m.status, "deceased") == 0) {
		ferr(err, "status", "已出党或死亡的党员不能恢复或变更党籍状态；出党人员可重新申请入党（ST-3）");
		return DJ_ERR_CONFLICT;
	}
	if (strcmp(to, "suspended") == 0) {
		/* ST-1: lost contact ≥6 months and a documented search (or abroad, decided by the org). */
		bool abroad = reason && strstr(reason, "出国");
		if (!abroad) {
			if (strcmp(m.status, "lost_contact") != 0 || !have_since) {
				ferr(err, "status", "停止党籍须先登记为失联党员，失联满 6 个月且多方查找仍无联系（ST-1、ST-6）");
				return DJ_ERR_INVALID;
			}
			struct dj_date ok = dj_date_add_months(since, 6);
			if (dj_date_cmp(on, ok) < 0) {
				char a[11];
				snprintf(msg, sizeof(msg), "失联自 %s 起未满 6 个月，最早 %s 可停止党籍（ST-1）", m.changed, dj_date_format(ok, a));
				ferr(err, "on", msg);
				return DJ_ERR_INVALID;
			}
			if (!evidence || strlen(evidence) < 4) {
				ferr(err, "evidence", "须填写查找情况（多方查找仍无联系的记录，ST-1）");
				return DJ_ERR_INVALID;
			}
		}
	}
	if (strcmp(to, "exited") == 0) {
		if (!exit_reason || !*exit_reason) {
			ferr(err, "exit_reason", "出党须选择出党方式（exit_reason，ST-5）");
			return DJ_ERR_INVALID;
		}
		/* ST-2: 停止党籍 2 years with still no contact → 除名 as 自行脱党. */
		if (strcmp(exit_reason, "self_left") == 0 && strcmp(m.status, "suspended") == 0) {
			struct dj_date ok = have_since ? dj_date_add_months(since, 24) : on;
			if (!have_since || dj_date_cmp(on, ok) < 0) {
				char a[11];
				snprintf(msg, sizeof(msg), "停止党籍自 %s 起未满 2 年，最早 %s 可按自行脱党除名（ST-2）", m.changed,
					 dj_date_format(ok, a));
				ferr(err, "on", msg);
				return DJ_ERR_INVALID;
			}
		}
		/* ST-4: 自行脱党 and 除名 are decided by the 支部大会, never automatically. */
		if ((strcmp(exit_reason, "self_left") == 0 || strcmp(exit_reason, "struck_off") == 0) && (!decision || !*decision)) {
			ferr(err, "decision", "除名须经支部大会讨论决定并报上级批准，请填写决定依据（decision，ST-4）");
			return DJ_ERR_INVALID;
		}
	}
	struct dj_value vals[64];
	memset(vals, 0, sizeof(vals));
	vals[dj_model_field(&dj_member_entity, "status")] = (struct dj_value){ true, false, 0, to };
	vals[dj_model_field(&dj_member_entity, "status_changed_on")] = (struct dj_value){ true, false, 0, ons };
	if (strcmp(to, "exited") == 0)
		vals[dj_model_field(&dj_member_entity, "exit_reason")] = (struct dj_value){ true, false, 0, exit_reason };
	else
		vals[dj_model_field(&dj_member_entity, "exit_reason")] = (struct dj_value){ true, true, 0, NULL };
	struct dj_model_err merr = { 0 };
	rc = dj_member_update(x, member_id, vals, &merr);
	if (rc == DJ_ERR_INVALID) {
		*err = merr;
		return rc;
	}
	if (rc)
		return rc;
	struct dj_stmt *s;
	if ((rc = dj_db_prepare(x->c, "INSERT INTO member_status_log(member_id, from_status, to_status, on_date, reason, evidence,"
				      " exit_reason, decision, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	dj_stmt_bind_text(s, 2, m.status);
	dj_stmt_bind_text(s, 3, to);
	dj_stmt_bind_text(s, 4, ons);
	dj_stmt_bind_text(s, 5, reason);
	dj_stmt_bind_text(s, 6, evidence);
	dj_stmt_bind_text(s, 7, exit_reason);
	dj_stmt_bind_text(s, 8, decision);
	dj_stmt_bind_text(s, 9, x->who->username);
	dj_stmt_bind_text(s, 10, dj_time_rfc3339(dj_time_now(), ts));
	return dj_stmt_exec(s);
}

dj_rc dj_member_status_history(const struct dj_model_ctx *x, int64_t member_id, struct dj_jw *w, int64_t *n)
{
	struct mrow m = { 0 };
	struct dj_stmt *s;
	dj_rc rc = member_row(x, member_id, &m);
	if (rc)
		return rc;
	*n = 0;
	if ((rc = dj_db_prepare(x->c, "SELECT from_status, to_status, on_date, reason, evidence, exit_reason, decision, actor,"
				      " created_at FROM member_status_log WHERE member_id = ? ORDER BY id DESC", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	while (dj_stmt_step(s) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "from", dj_stmt_text(s, 0));
		dj_jw_kstr(w, "to", dj_stmt_text(s, 1));
		dj_jw_kstr(w, "on", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "reason", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "evidence", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "exit_reason", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "decision", dj_stmt_text(s, 6));
		dj_jw_kstr(w, "actor", dj_stmt_text(s, 7));
		dj_jw_kstr(w, "created_at", dj_stmt_text(s, 8));
		dj_jw_obj_end(w);
		(*n)++;
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

/* ---- transfers --------------------------------------------------------------------------------- */

#define T_COLS                                                                                                \
	"t.id, t.member_id, m.name, t.from_org_id, fo.name, t.to_org_id, COALESCE(t.to_org_name, too.name), t.kind," \
	" t.letter_no, t.issued_on, t.valid_until, t.dues_paid_to, t.status, t.received_on, t.reason, t.from_path"
/* A transfer is visible from the sending side and from the receiving org. */
#define T_FROM                                                                                               \
	" FROM transfers t JOIN members m ON m.id = t.member_id JOIN orgs fo ON fo.id = t.from_org_id"            \
	" LEFT JOIN orgs too ON too.id = t.to_org_id WHERE ((t.from_path >= ? AND t.from_path < ?)"               \
	" OR (too.path >= ? AND too.path < ?))"

static void bind_scope4(struct dj_stmt *s, const struct dj_scope *sc, int first)
{
	dj_stmt_bind_text(s, first, sc->org_path);
	dj_stmt_bind_text(s, first + 1, sc->path_hi);
	dj_stmt_bind_text(s, first + 2, sc->org_path);
	dj_stmt_bind_text(s, first + 3, sc->path_hi);
}

static void write_transfer(struct dj_stmt *s, struct dj_jw *w)
{
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "id", dj_stmt_int(s, 0));
	dj_jw_kint(w, "member_id", dj_stmt_int(s, 1));
	dj_jw_kstr(w, "member_name", dj_stmt_text(s, 2));
	dj_jw_kint(w, "from_org_id", dj_stmt_int(s, 3));
	dj_jw_kstr(w, "from_org_name", dj_stmt_text(s, 4));
	dj_jw_kint_or_null(w, "to_org_id", dj_stmt_int(s, 5), dj_stmt_is_null(s, 5));
	dj_jw_kstr(w, "to_org_name", dj_stmt_text(s, 6));
	dj_jw_kstr(w, "kind", dj_stmt_text(s, 7));
	dj_jw_kstr(w, "letter_no", dj_stmt_text(s, 8));
	dj_jw_kstr(w, "issued_on", dj_stmt_text(s, 9));
	dj_jw_kstr(w, "valid_until", dj_stmt_text(s, 10));
	dj_jw_kstr(w, "dues_paid_to", dj_stmt_text(s, 11));
	dj_jw_kstr(w, "status", dj_stmt_text(s, 12));
	dj_jw_kstr(w, "received_on", dj_stmt_text(s, 13));
	dj_jw_kstr(w, "reason", dj_stmt_text(s, 14));
	dj_jw_obj_end(w);
}

dj_rc dj_transfer_issue(const struct dj_model_ctx *x, const json_t *body, int64_t *id, struct dj_model_err *err)
{
	struct mrow m = { 0 };
	struct dj_org to = { 0 };
	struct dj_date issued, dues;
	struct dj_stmt *s;
	char until[11], letter[48], ts[26], after[600], tmp[16];
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)(uintptr_t)body, k, v) {
		if (strcmp(k, "member_id") && strcmp(k, "to_org_id") && strcmp(k, "to_org_name") && strcmp(k, "issued_on") &&
		    strcmp(k, "valid_days") && strcmp(k, "dues_paid_to") && strcmp(k, "reason")) {
			err->field = k;
			snprintf(err->msg, sizeof(err->msg), "未知字段：%s", k);
			return DJ_ERR_INVALID;
		}
	}
	json_t *jm = json_object_get(body, "member_id"), *jto = json_object_get(body, "to_org_id");
	const char *to_name = json_string_value(json_object_get(body, "to_org_name"));
	const char *iss = json_string_value(json_object_get(body, "issued_on"));
	const char *paid = json_string_value(json_object_get(body, "dues_paid_to"));
	const char *reason = json_string_value(json_object_get(body, "reason"));
	json_t *jvd = json_object_get(body, "valid_days");
	int64_t valid_days = json_is_integer(jvd) ? (int64_t)json_integer_value(jvd) : 30;
	if (!json_is_integer(jm)) {
		ferr(err, "member_id", "须指定转出的党员（member_id）");
		return DJ_ERR_INVALID;
	}
	dj_rc rc = member_row(x, (int64_t)json_integer_value(jm), &m);
	if (rc == DJ_ERR_NOTFOUND) {
		ferr(err, "member_id", "党员不存在或不在您的管理范围内");
		return DJ_ERR_INVALID;
	}
	if (rc)
		return rc;
	if (strcmp(m.status, "active") != 0 && strcmp(m.status, "lost_contact") != 0) {
		ferr(err, "member_id", "该党员的党籍状态不能办理组织关系转接");
		return DJ_ERR_INVALID;
	}
	if (!iss || dj_date_parse(iss, strlen(iss), &issued) || dj_date_cmp(issued, dj_date_today()) > 0) {
		ferr(err, "issued_on", "开具日期应为不晚于今天的 YYYY-MM-DD");
		return DJ_ERR_INVALID;
	}
	/* REL-6 🔶: validity generally ≤3 months. */
	if (jvd && !json_is_null(jvd) && (!json_is_integer(jvd) || valid_days < 1 || valid_days > 90)) {
		ferr(err, "valid_days", "介绍信有效期应为 1 到 90 天（一般不超过 3 个月，REL-6）");
		return DJ_ERR_INVALID;
	}
	if (paid) {
		snprintf(tmp, sizeof(tmp), "%.7s-01", paid);
		if (strlen(paid) != 7 || dj_date_parse(tmp, 10, &dues)) {
			ferr(err, "dues_paid_to", "党费交至月份应为 YYYY-MM");
			return DJ_ERR_INVALID;
		}
	}
	bool within = json_is_integer(jto);
	if (within) {
		/* Within the county the receiving org must exist (it may be outside the sender's subtree). */
		struct dj_scope all;
		memset(&all, 0, sizeof(all));
		dj_scope_set_path(&all, "/");
		rc = dj_org_get(x->c, &all, (int64_t)json_integer_value(jto), x->a, &to);
		if (rc) {
			ferr(err, "to_org_id", "接收党组织不存在");
			return DJ_ERR_INVALID;
		}
		if (to.id == m.org_id) {
			ferr(err, "to_org_id", "接收党组织与现所在党组织相同");
			return DJ_ERR_INVALID;
		}
	} else if (!to_name || !*to_name || strlen(to_name) > 200) {
		ferr(err, "to_org_name", "转往县外须填写接收党组织名称（to_org_name）");
		return DJ_ERR_INVALID;
	}
	/* One open letter per member at a time. */
	if ((rc = dj_db_prepare(x->c, "SELECT 1 FROM transfers WHERE member_id = ? AND status = 'issued'", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, (int64_t)json_integer_value(jm));
	rc = dj_stmt_step(s);
	dj_stmt_reset(s);
	if (rc == DJ_ROW) {
		ferr(err, "member_id", "该党员已有未办结的介绍信");
		return DJ_ERR_CONFLICT;
	}
	/* Yearly numbering: "2026-0001". */
	if ((rc = dj_db_prepare(x->c, "SELECT COUNT(*) FROM transfers WHERE substr(issued_on, 1, 4) = ?", &s)))
		return rc;
	snprintf(tmp, sizeof(tmp), "%.4s", iss);
	dj_stmt_bind_text(s, 1, tmp);
	int64_t nth = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) + 1 : 1;
	dj_stmt_reset(s);
	snprintf(letter, sizeof(letter), "%s-%04lld", tmp, (long long)nth);
	dj_date_format(dj_date_add_days(issued, valid_days), until);
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "INSERT INTO transfers(member_id, from_org_id, from_path, to_org_id, to_org_name, kind,"
				      " letter_no, issued_on, valid_until, dues_paid_to, status, reason, created_by, created_at)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, (int64_t)json_integer_value(jm));
	dj_stmt_bind_int(s, 2, m.org_id);
	dj_stmt_bind_text(s, 3, m.path);
	if (within)
		dj_stmt_bind_int(s, 4, to.id);
	dj_stmt_bind_text(s, 5, within ? NULL : to_name);
	dj_stmt_bind_text(s, 6, within ? "within_county" : "outside_county");
	dj_stmt_bind_text(s, 7, letter);
	dj_stmt_bind_text(s, 8, iss);
	dj_stmt_bind_text(s, 9, until);
	dj_stmt_bind_text(s, 10, paid);
	dj_stmt_bind_text(s, 11, reason);
	dj_stmt_bind_text(s, 12, x->who->username);
	dj_stmt_bind_text(s, 13, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	*id = dj_db_last_id(x->c);
	snprintf(after, sizeof(after), "{\"transfer_id\":%lld,\"letter_no\":\"%s\",\"member_id\":%lld,\"valid_until\":\"%s\"}",
		 (long long)*id, letter, (long long)json_integer_value(jm), until);
	struct dj_audit_entry e = { "transfer.issue", "transfer", *id, m.path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_transfer_receive(const struct dj_model_ctx *x, int64_t id, const json_t *body, struct dj_model_err *err)
{
	struct dj_stmt *s;
	char status[16], kind[24], from_path[DJ_PATH_MAX], to_path[DJ_PATH_MAX] = "", ts[26], after[256], issued[11];
	int64_t member, to_org = 0;
	struct dj_date on;
	dj_rc rc = dj_db_prepare(x->c, "SELECT t.status, t.kind, t.from_path, COALESCE(o.path, ''), t.member_id, COALESCE(t.to_org_id, 0),"
				       " t.issued_on FROM transfers t LEFT JOIN orgs o ON o.id = t.to_org_id WHERE t.id = ?"
				       " AND ((t.from_path >= ? AND t.from_path < ?) OR (o.path >= ? AND o.path < ?))", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	bind_scope4(s, x->sc, 2);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		snprintf(status, sizeof(status), "%s", dj_stmt_text(s, 0));
		snprintf(kind, sizeof(kind), "%s", dj_stmt_text(s, 1));
		snprintf(from_path, sizeof(from_path), "%s", dj_stmt_text(s, 2));
		snprintf(to_path, sizeof(to_path), "%s", dj_stmt_text(s, 3));
		member = dj_stmt_int(s, 4);
		to_org = dj_stmt_int(s, 5);
		snprintf(issued, sizeof(issued), "%s", dj_stmt_text(s, 6));
	}
	dj_stmt_reset(s);
	if (rc != DJ_ROW)
		return rc == DJ_DONE ? DJ_ERR_NOTFOUND : rc;
	if (strcmp(status, "issued") != 0) {
		ferr(err, "status", "介绍信已办结或已撤销");
		return DJ_ERR_CONFLICT;
	}
	const char *cancel = json_string_value(json_object_get(body, "cancel"));
	const char *rec = json_string_value(json_object_get(body, "received_on"));
	dj_time_rfc3339(dj_time_now(), ts);
	if (cancel) {
		if (!dj_scope_covers(x->sc, from_path)) {
			ferr(err, "cancel", "只有转出方可以撤销介绍信");
			return DJ_ERR_FORBIDDEN;
		}
		if ((rc = dj_db_prepare(x->c, "UPDATE transfers SET status = 'cancelled',"
					      " reason = COALESCE(reason || '；', '') || '撤销：' || ? WHERE id = ?", &s)))
			return rc;
		dj_stmt_bind_text(s, 1, cancel);
		dj_stmt_bind_int(s, 2, id);
		if ((rc = dj_stmt_exec(s)))
			return rc;
		struct dj_audit_entry e = { "transfer.cancel", "transfer", id, from_path, NULL, "{\"status\":\"cancelled\"}" };
		return dj_audit_append(x->c, x->who, &e);
	}
	if (!rec || dj_date_parse(rec, strlen(rec), &on) || dj_date_cmp(on, dj_date_today()) > 0 || strcmp(rec, issued) < 0) {
		ferr(err, "received_on", "接收（回执）日期应为开具日期之后、不晚于今天的 YYYY-MM-DD");
		return DJ_ERR_INVALID;
	}
	/* The sender stays responsible until the receipt (REL-5). Within the county the receiving org
	 * confirms and the member moves there; a returned 回执 from elsewhere closes the letter. */
	struct dj_scope root;
	memset(&root, 0, sizeof(root));
	root.role = DJ_ROLE_ADMIN;
	dj_scope_set_path(&root, "/");
	struct dj_model_ctx rx = *x;
	rx.sc = &root;
	if (strcmp(kind, "within_county") == 0) {
		if (!to_path[0] || !dj_scope_covers(x->sc, to_path)) {
			ferr(err, "received_on", "只有接收党组织（或其上级）可以确认接收");
			return DJ_ERR_FORBIDDEN;
		}
		struct dj_value vals[64];
		struct dj_model_err merr = { 0 };
		memset(vals, 0, sizeof(vals));
		vals[dj_model_field(&dj_member_entity, "org_id")] = (struct dj_value){ true, false, to_org, NULL };
		vals[dj_model_field(&dj_member_entity, "party_group_id")] = (struct dj_value){ true, true, 0, NULL };
		if ((rc = dj_member_update(&rx, member, vals, &merr)))
			return rc;
	} else {
		if (!dj_scope_covers(x->sc, from_path)) {
			ferr(err, "received_on", "县外转出的回执由转出方登记");
			return DJ_ERR_FORBIDDEN;
		}
		char why[120];
		snprintf(why, sizeof(why), "组织关系转出（介绍信回执 %s）", rec);
		if ((rc = dj_member_delete(&rx, member, why)))
			return rc;
	}
	if ((rc = dj_db_prepare(x->c, "UPDATE transfers SET status = 'received', received_on = ? WHERE id = ?", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, rec);
	dj_stmt_bind_int(s, 2, id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	snprintf(after, sizeof(after), "{\"status\":\"received\",\"received_on\":\"%s\"}", rec);
	struct dj_audit_entry e = { "transfer.receive", "transfer", id, from_path, "{\"status\":\"issued\"}", after };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_transfer_write(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "SELECT " T_COLS T_FROM " AND t.id = ?", &s);
	if (rc)
		return rc;
	bind_scope4(s, x->sc, 1);
	dj_stmt_bind_int(s, 5, id);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		write_transfer(s, w);
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

dj_rc dj_transfer_list(const struct dj_model_ctx *x, const char *status, int64_t page, int64_t per_page, struct dj_jw *w,
		       int64_t *total)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "SELECT COUNT(*)" T_FROM " AND (? IS NULL OR t.status = ?)", &s);
	if (rc)
		return rc;
	bind_scope4(s, x->sc, 1);
	dj_stmt_bind_text(s, 5, status);
	dj_stmt_bind_text(s, 6, status);
	*total = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0;
	dj_stmt_reset(s);
	if ((rc = dj_db_prepare(x->c, "SELECT " T_COLS T_FROM " AND (? IS NULL OR t.status = ?) ORDER BY t.id DESC LIMIT ? OFFSET ?",
				&s)))
		return rc;
	bind_scope4(s, x->sc, 1);
	dj_stmt_bind_text(s, 5, status);
	dj_stmt_bind_text(s, 6, status);
	dj_stmt_bind_int(s, 7, per_page);
	dj_stmt_bind_int(s, 8, (page - 1) * per_page);
	while ((rc = dj_stmt_step(s)) == DJ_ROW)
		write_transfer(s, w);
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

/* HTML text, escaped: the letter shows user-entered names. */
static void esc(struct dj_strbuf *sb, const char *t)
{
	for (; t && *t; t++) {
		switch (*t) {
		case '<': dj_strbuf_adds(sb, "&lt;"); break;
		case '>': dj_strbuf_adds(sb, "&gt;"); break;
		case '&': dj_strbuf_adds(sb, "&amp;"); break;
		case '"': dj_strbuf_adds(sb, "&quot;"); break;
		case '\'': dj_strbuf_adds(sb, "&#39;"); break;
		default: dj_strbuf_addch(sb, *t);
		}
	}
}

dj_rc dj_transfer_letter_html(const struct dj_model_ctx *x, int64_t id, struct dj_strbuf *sb)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "SELECT " T_COLS ", m.category, m.sex" T_FROM " AND t.id = ?", &s);
	if (rc)
		return rc;
	bind_scope4(s, x->sc, 1);
	dj_stmt_bind_int(s, 5, id);
	if ((rc = dj_stmt_step(s)) != DJ_ROW) {
		dj_stmt_reset(s);
		return rc == DJ_DONE ? DJ_ERR_NOTFOUND : rc;
	}
	const char *name = dj_stmt_text(s, 2), *from = dj_stmt_text(s, 4), *to = dj_stmt_text(s, 6);
	const char *no = dj_stmt_text(s, 8), *issued = dj_stmt_text(s, 9), *until = dj_stmt_text(s, 10);
	const char *paid = dj_stmt_text(s, 11), *cat = dj_stmt_text(s, 16), *sex = dj_stmt_text(s, 17);
	const char *catl = cat && strcmp(cat, "full") == 0 ? "正式" : "预备";
	const char *sexl = sex && strcmp(sex, "2") == 0 ? "女" : "男";
	dj_strbuf_adds(sb, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>中国共产党党员组织关系介绍信</title>"
			   "<style>body{font-family:\"Noto Serif CJK SC\",serif;max-width:720px;margin:24px auto;color:#000}"
			   "section{border:1px solid #000;padding:16px 24px;margin:0 0 8px}h2{text-align:center;letter-spacing:4px}"
			   ".cut{border-top:1px dashed #000;text-align:center;font-size:12px;margin:8px 0}.r{text-align:right}"
			   "@media print{.cut{page-break-inside:avoid}}</style></head><body>");
	static const char *const parts[] = { "存根", "介绍信", "回执" };
	for (int p = 0; p < 3; p++) {
		dj_strbuf_addf(sb, "<section><h2>中国共产党党员组织关系介绍信（%s）</h2><p class=\"r\">第 ", parts[p]);
		esc(sb, no);
		dj_strbuf_adds(sb, " 号</p><p>");
		if (p == 2) {
			esc(sb, from);
			dj_strbuf_adds(sb, "：</p><p>　　");
			esc(sb, name);
			dj_strbuf_adds(sb, " 同志的党员组织关系已转达我处，特此回复。</p><p class=\"r\">接收党组织（盖章）<br>　　年　　月　　日</p>");
		} else {
			esc(sb, p == 0 ? "（存根）" : to);
			dj_strbuf_adds(sb, "：</p><p>　　");
			esc(sb, name);
			dj_strbuf_addf(sb, " 同志（%s，中共%s党员），系由 ", sexl, catl);
			esc(sb, from);
			dj_strbuf_adds(sb, " 转往 ");
			esc(sb, to);
			dj_strbuf_adds(sb, "，其党员组织关系转去，请接洽。党费已交到 ");
			esc(sb, paid ? paid : "　　");
			dj_strbuf_adds(sb, "。</p><p>有效期至 ");
			esc(sb, until);
			dj_strbuf_adds(sb, "。</p><p class=\"r\">");
			esc(sb, from);
			dj_strbuf_adds(sb, "（盖章）<br>");
			esc(sb, issued);
			dj_strbuf_adds(sb, "</p>");
		}
		dj_strbuf_adds(sb, "</section>");
		if (p < 2)
			dj_strbuf_adds(sb, "<div class=\"cut\">……………… 沿此线剪开 ………………</div>");
	}
	dj_strbuf_adds(sb, "</body></html>");
	dj_stmt_reset(s);
	return DJ_OK;
}

/* ---- reminders ------------------------------------------------------------------------------------ */

dj_rc dj_status_findings(const struct dj_model_ctx *x, const char *root_path, struct dj_date today, dj_finding_fn fn,
			 void *arg)
{
	struct dj_scope sub;
	struct dj_stmt *s;
	char msg[300], due[11], t[11];
	dj_rc rc;
	dj_scope_set_path(&sub, root_path);
	dj_date_format(today, t);
	/* ST-1 / ST-2: lost contact ≥6 months, suspended ≥2 years. */
	if ((rc = dj_db_prepare(x->c, "SELECT id, name, org_id, status, status_changed_on FROM members WHERE org_path >= ?"
				      " AND org_path < ? AND status IN ('lost_contact', 'suspended') AND deleted_at IS NULL"
				      " AND status_changed_on IS NOT NULL ORDER BY id", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	while (!rc && dj_stmt_step(s) == DJ_ROW) {
		struct dj_date since;
		const char *st = dj_stmt_text(s, 3), *ch = dj_stmt_text(s, 4);
		if (dj_date_parse(ch, strlen(ch), &since))
			continue;
		bool lost = strcmp(st, "lost_contact") == 0;
		struct dj_date due_d = dj_date_add_months(since, lost ? 6 : 24);
		if (dj_date_cmp(due_d, dj_date_add_days(today, 30)) > 0)
			continue;
		dj_date_format(due_d, due);
		if (lost)
			snprintf(msg, sizeof(msg), "%s 自 %s 失联，%s满 6 个月：多方查找仍无联系的，可按规定停止党籍（ST-1）",
				 dj_stmt_text(s, 1), ch, strcmp(due, t) <= 0 ? "已" : "将于 " );
		else
			snprintf(msg, sizeof(msg), "%s 自 %s 停止党籍，%s满 2 年：仍无联系的，由支部大会决定按自行脱党除名（ST-2）",
				 dj_stmt_text(s, 1), ch, strcmp(due, t) <= 0 ? "已" : "将");
		struct dj_finding f = { lost ? "ST-1" : "ST-2", strcmp(due, t) <= 0 ? DJ_SEV_ERROR : DJ_SEV_WARNING, msg,
					dj_stmt_int(s, 2), dj_stmt_int(s, 0), NULL, due,
					"《中国共产党党员教育管理工作条例》第二十四条", "member-2019" };
		rc = fn(arg, &f, NULL);
	}
	dj_stmt_reset(s);
	if (rc)
		return rc;
	/* MOB-1 / REL-8: a mobile member is contacted at least every 6 months. */
	if ((rc = dj_db_prepare(x->c, "SELECT m.id, m.name, m.org_id, COALESCE(mm.last_contact_on, mm.since), mm.place"
				      " FROM member_mobility mm JOIN members m ON m.id = mm.member_id WHERE m.org_path >= ?"
				      " AND m.org_path < ? AND mm.ended_on IS NULL AND mm.direction = 'out' AND m.deleted_at IS NULL"
				      " ORDER BY mm.id", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	while (!rc && dj_stmt_step(s) == DJ_ROW) {
		struct dj_date lastc;
		const char *lc = dj_stmt_text(s, 3);
		if (!lc || dj_date_parse(lc, strlen(lc), &lastc))
			continue;
		struct dj_date due_d = dj_date_add_months(lastc, 6);
		if (dj_date_cmp(due_d, dj_date_add_days(today, 30)) > 0)
			continue;
		dj_date_format(due_d, due);
		snprintf(msg, sizeof(msg), "流动党员 %s（流向 %s）最近一次联系为 %s，%s满 6 个月，须至少每半年联系一次（MOB-1）",
			 dj_stmt_text(s, 1), dj_stmt_text(s, 4), lc, strcmp(due, t) <= 0 ? "已" : "将");
		struct dj_finding f = { "MOB-1", strcmp(due, t) <= 0 ? DJ_SEV_ERROR : DJ_SEV_WARNING, msg, dj_stmt_int(s, 2),
					dj_stmt_int(s, 0), NULL, due, "中办《关于进一步加强和改进流动党员管理工作的意见》（2024）",
					"mobile-2024" };
		rc = fn(arg, &f, NULL);
	}
	dj_stmt_reset(s);
	if (rc)
		return rc;
	/* REL-5/REL-6: a letter past its validity with no receipt; the sender is still responsible. */
	if ((rc = dj_db_prepare(x->c, "SELECT t.id, m.name, t.from_org_id, t.member_id, t.letter_no, t.valid_until FROM transfers t"
				      " JOIN members m ON m.id = t.member_id WHERE t.from_path >= ? AND t.from_path < ?"
				      " AND t.status = 'issued' AND t.valid_until < ? ORDER BY t.id", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	dj_stmt_bind_text(s, 3, t);
	while (!rc && dj_stmt_step(s) == DJ_ROW) {
		snprintf(msg, sizeof(msg), "%s 的组织关系介绍信（第 %s 号）已于 %s 过期仍未收到回执，转出党组织仍负管理责任，须查明原因（REL-5、REL-6）",
			 dj_stmt_text(s, 1), dj_stmt_text(s, 4), dj_stmt_text(s, 5));
		struct dj_finding f = { "REL-6", DJ_SEV_ERROR, msg, dj_stmt_int(s, 2), dj_stmt_int(s, 3), NULL, dj_stmt_text(s, 5),
					"《中国共产党党员教育管理工作条例》第二十五条；地方规定", "member-2019" };
		rc = fn(arg, &f, NULL);
	}
	dj_stmt_reset(s);
	return rc;
}

/* ---- mobile members (流动党员, RULES.md §5.3) ------------------------------------------------------ */

dj_rc dj_member_mobility(const struct dj_model_ctx *x, int64_t member_id, int64_t mobility_id, const json_t *body,
			 struct dj_model_err *err)
{
	struct mrow m = { 0 };
	struct dj_stmt *s;
	struct dj_date d;
	char ts[26], after[400];
	dj_rc rc = member_row(x, member_id, &m);
	if (rc)
		return rc;
	dj_time_rfc3339(dj_time_now(), ts);
	const char *contact = json_string_value(json_object_get(body, "contact_on"));
	const char *ended = json_string_value(json_object_get(body, "ended_on"));
	if (mobility_id) {
		const char *day = contact ? contact : ended;
		if (!day || dj_date_parse(day, strlen(day), &d) || dj_date_cmp(d, dj_date_today()) > 0) {
			ferr(err, contact ? "contact_on" : "ended_on", "日期应为不晚于今天的 YYYY-MM-DD（contact_on 或 ended_on）");
			return DJ_ERR_INVALID;
		}
		if ((rc = dj_db_prepare(x->c, contact ? "UPDATE member_mobility SET last_contact_on = ? WHERE id = ? AND member_id = ?"
						      : "UPDATE member_mobility SET ended_on = ? WHERE id = ? AND member_id = ? AND ended_on IS NULL",
					&s)))
			return rc;
		dj_stmt_bind_text(s, 1, day);
		dj_stmt_bind_int(s, 2, mobility_id);
		dj_stmt_bind_int(s, 3, member_id);
		if ((rc = dj_stmt_exec(s)))
			return rc;
		if (dj_db_changes(x->c) == 0)
			return DJ_ERR_NOTFOUND;
	} else {
		const char *dir = json_string_value(json_object_get(body, "direction"));
		const char *place = json_string_value(json_object_get(body, "place"));
		const char *reason = json_string_value(json_object_get(body, "reason"));
		const char *since = json_string_value(json_object_get(body, "since"));
		if (!dir || (strcmp(dir, "out") && strcmp(dir, "in"))) {
			ferr(err, "direction", "direction 应为 out（流出）或 in（流入）");
			return DJ_ERR_INVALID;
		}
		if (!place || !*place || strlen(place) > 200) {
			ferr(err, "place", "须填写流向（流入）地点 place");
			return DJ_ERR_INVALID;
		}
		if (!since || dj_date_parse(since, strlen(since), &d) || dj_date_cmp(d, dj_date_today()) > 0) {
			ferr(err, "since", "since 应为不晚于今天的 YYYY-MM-DD");
			return DJ_ERR_INVALID;
		}
		if (reason && strlen(reason) > 500) {
			ferr(err, "reason", "原因过长");
			return DJ_ERR_INVALID;
		}
		if ((rc = dj_db_prepare(x->c, "INSERT INTO member_mobility(member_id, direction, place, reason, since, created_by, created_at)"
					      " VALUES (?, ?, ?, ?, ?, ?, ?)", &s)))
			return rc;
		dj_stmt_bind_int(s, 1, member_id);
		dj_stmt_bind_text(s, 2, dir);
		dj_stmt_bind_text(s, 3, place);
		dj_stmt_bind_text(s, 4, reason);
		dj_stmt_bind_text(s, 5, since);
		dj_stmt_bind_text(s, 6, x->who->username);
		dj_stmt_bind_text(s, 7, ts);
		if ((rc = dj_stmt_exec(s)))
			return rc;
		mobility_id = dj_db_last_id(x->c);
	}
	/* The 流动党员 flag follows whether an open record exists. */
	if ((rc = dj_db_prepare(x->c, "SELECT COUNT(*) FROM member_mobility WHERE member_id = ? AND ended_on IS NULL", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	int64_t open = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0;
	dj_stmt_reset(s);
	struct dj_value vals[64];
	struct dj_model_err merr = { 0 };
	memset(vals, 0, sizeof(vals));
	vals[dj_model_field(&dj_member_entity, "is_mobile")] = (struct dj_value){ true, false, open > 0, NULL };
	if ((rc = dj_member_update(x, member_id, vals, &merr)))
		return rc;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_json(&w, body);
	snprintf(after, sizeof(after), "%.380s", sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { "member.mobility", "member", member_id, m.path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_member_mobility_write(const struct dj_model_ctx *x, int64_t member_id, struct dj_jw *w, int64_t *n)
{
	struct mrow m = { 0 };
	struct dj_stmt *s;
	dj_rc rc = member_row(x, member_id, &m);
	if (rc)
		return rc;
	*n = 0;
	if ((rc = dj_db_prepare(x->c, "SELECT id, direction, place, reason, since, last_contact_on, ended_on FROM member_mobility"
				      " WHERE member_id = ? ORDER BY id DESC", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, member_id);
	while (dj_stmt_step(s) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kstr(w, "direction", dj_stmt_text(s, 1));
		dj_jw_kstr(w, "place", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "reason", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "since", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "last_contact_on", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "ended_on", dj_stmt_text(s, 6));
		dj_jw_obj_end(w);
		(*n)++;
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

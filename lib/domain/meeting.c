/* meeting.c — organizational life records: types (one meeting may be several, RULES.md §3.1),
 * attendance and 应到 (VOTE-3), quorum and votes (S-1, S-2, VOTE-2, MTG-2), review, QR sign-in,
 * attachments. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/auth.h"
#include "dj/codes.h"
#include "dj/compliance.h"
#include "dj/date.h"
#include "dj/meeting.h"
#include "dj/banned.h"

#define L DJ_FF_LIST
#define F DJ_FF_FILTER
#define S DJ_FF_SORT
#define Q DJ_FF_SEARCH
#define R DJ_FF_REQUIRED

static const struct dj_field meeting_fields[] = {
	{ "org_id", "党组织", DJ_FT_REF, R | L | F | DJ_FF_FIXED, 0, 0, 0, NULL, "orgs", NULL },
	{ "title", "会议名称", DJ_FT_TEXT, R | L | S | Q, 100, 0, 0, NULL, NULL, "如 2026年第三季度支部党员大会" },
	{ "types", "会议类型", DJ_FT_CODES, R | L | F, 0, 0, 0, "meeting_type", NULL,
	  "可多选：如主题党日同时召开支部党员大会、上党课" },
	{ "planned_on", "计划日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, NULL },
	{ "held_on", "召开日期", DJ_FT_DATE, L | S, 0, 0, 0, NULL, NULL, "已召开的会议填写；计入三会一课统计" },
	{ "start_time", "开始时间", DJ_FT_TEXT, 0, 5, 0, 0, NULL, NULL, "HH:MM，用于判断迟到" },
	{ "place", "地点", DJ_FT_TEXT, L, 100, 0, 0, NULL, NULL, NULL },
	{ "host", "主持人", DJ_FT_TEXT, L, 50, 0, 0, NULL, NULL, NULL },
	{ "recorder", "记录人", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, NULL },
	{ "lecturer", "讲课人", DJ_FT_TEXT, 0, 50, 0, 0, NULL, NULL, "党课必填" },
	{ "topics", "议题", DJ_FT_TEXT, 0, 1000, 0, 0, NULL, NULL, NULL },
	{ "minutes", "会议记录", DJ_FT_TEXT, 0, 20000, 0, 0, NULL, NULL, NULL },
	{ "resolutions", "决议事项", DJ_FT_TEXT, 0, 5000, 0, 0, NULL, NULL, NULL },
	{ "status", "状态", DJ_FT_CODE, L | F | DJ_FF_SERVER, 0, 0, 0, "meeting_status", NULL, NULL },
	{ "review_comment", "审核意见", DJ_FT_TEXT, DJ_FF_SERVER, 500, 0, 0, NULL, NULL, NULL },
	{ "reviewed_at", "审核时间", DJ_FT_TEXT, DJ_FF_SERVER, 30, 0, 0, NULL, NULL, NULL },
};

const struct dj_entity dj_meeting_entity = {
	"meeting", "meetings", "组织生活", meeting_fields, sizeof(meeting_fields) / sizeof(meeting_fields[0]),
	true, true, NULL, NULL, NULL, "held_on",
};

int64_t dj_vote_majority_min(int64_t n)
{
	return n / 2 + 1; /* S-1: strictly more than half */
}

int64_t dj_vote_four_fifths_min(int64_t n, bool strict)
{
	return strict ? 4 * n / 5 + 1 : (4 * n + 4) / 5; /* S-2: "超过" vs "不少于" */
}

static int fidx(const char *name)
{
	return dj_model_field(&dj_meeting_entity, name);
}

static void ferr(struct dj_model_err *err, const char *field, const char *msg)
{
	err->field = field;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* Rules on a meeting's values before a write. */
/* cur_types/cur_lecturer: the stored values for a PATCH (NULL on create). */
static dj_rc check(struct dj_value *vals, const char *cur_types, const char *cur_lecturer, struct dj_model_err *err)
{
	struct dj_value *held = &vals[fidx("held_on")], *types = &vals[fidx("types")], *lect = &vals[fidx("lecturer")];
	struct dj_value *st = &vals[fidx("start_time")];
	if (held->set && !held->null) {
		struct dj_date d;
		dj_date_parse(held->s, strlen(held->s), &d);
		if (dj_date_cmp(d, dj_date_today()) > 0) {
			ferr(err, "held_on", "召开日期不能晚于今天；尚未召开的会议请填写计划日期");
			return DJ_ERR_INVALID;
		}
	}
	if (st->set && !st->null) {
		const char *t = st->s;
		if (strlen(t) != 5 || t[2] != ':' || t[0] < '0' || t[0] > '2' || t[1] < '0' || t[1] > '9' || t[3] < '0' ||
		    t[3] > '5' || t[4] < '0' || t[4] > '9' || (t[0] == '2' && t[1] > '3')) {
			ferr(err, "start_time", "开始时间应为 HH:MM（24 小时制）");
			return DJ_ERR_INVALID;
		}
	}
	const char *eff_types = types->set ? (types->null ? NULL : types->s) : cur_types;
	bool has_lecturer = lect->set ? !lect->null : (cur_lecturer && *cur_lecturer);
	if (eff_types && strstr(eff_types, ",lecture,") && !has_lecturer) {
		ferr(err, "lecturer", "党课须填写讲课人");
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

/* meeting_types: one row per type, denormalized for the compliance counts. */
static dj_rc sync_types(const struct dj_model_ctx *x, int64_t id)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "DELETE FROM meeting_types WHERE meeting_id = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	const struct dj_codelist *l = dj_codes_get("meeting_type");
	for (size_t i = 0; l && i < l->n; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), ",%s,", l->items[i].code);
		if ((rc = dj_db_prepare(x->c, "INSERT INTO meeting_types(meeting_id, org_id, org_path, type, held_on)"
					      " SELECT id, org_id, org_path, ?, held_on FROM meetings"
					      " WHERE id = ? AND deleted_at IS NULL AND instr(types, ?) > 0", &s)))
			return rc;
		dj_stmt_bind_text(s, 1, l->items[i].code);
		dj_stmt_bind_int(s, 2, id);
		dj_stmt_bind_text(s, 3, needle);
		if ((rc = dj_stmt_exec(s)))
			return rc;
	}
	return DJ_OK;
}

/* Once submitted or accepted, a record is frozen until it is returned. */
static dj_rc frozen(const char *status, struct dj_model_err *err)
{
	if (strcmp(status, "submitted") == 0 || strcmp(status, "accepted") == 0) {
		err->field = "status";
		snprintf(err->msg, sizeof(err->msg), "%s", strcmp(status, "accepted") == 0 ? "会议记录已审核，不能再修改"
											 : "会议记录已报送，待上级审核或退回后才能修改");
		return DJ_ERR_CONFLICT;
	}
	return DJ_OK;
}

static dj_rc set_status(const struct dj_model_ctx *x, int64_t id, const char *status)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "UPDATE meetings SET status = ? WHERE id = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, status);
	dj_stmt_bind_int(s, 2, id);
	return dj_stmt_exec(s);
}

/* Status and org of a meeting in scope. */
static dj_rc meeting_row(const struct dj_model_ctx *x, int64_t id, char *status, size_t sn, int64_t *org_id,
			 char *path, size_t pn, char *held, size_t hn)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, "SELECT status, org_id, org_path, COALESCE(held_on, ''), COALESCE(start_time, '')"
				       " FROM meetings WHERE id = ? AND org_path >= ? AND org_path < ? AND deleted_at IS NULL",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, x->sc->org_path);
	dj_stmt_bind_text(s, 3, x->sc->path_hi);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		snprintf(status, sn, "%s", dj_stmt_text(s, 0) ? dj_stmt_text(s, 0) : "");
		*org_id = dj_stmt_int(s, 1);
		snprintf(path, pn, "%s", dj_stmt_text(s, 2));
		if (held)
			snprintf(held, hn, "%s %s", dj_stmt_text(s, 3), dj_stmt_text(s, 4));
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

dj_rc dj_meeting_create(const struct dj_model_ctx *x, struct dj_value *vals, int64_t *id, struct dj_model_err *err)
{
	dj_rc rc = check(vals, NULL, NULL, err);
	if (!rc)
		rc = dj_model_insert(x, &dj_meeting_entity, vals, id, err);
	if (!rc) {
		const struct dj_value *held = &vals[fidx("held_on")];
		rc = set_status(x, *id, held->set && !held->null ? "held" : "planned");
	}
	if (!rc)
		rc = sync_types(x, *id);
	return rc;
}

dj_rc dj_meeting_update(const struct dj_model_ctx *x, int64_t id, struct dj_value *vals, struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX];
	int64_t org;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc)
		return rc;
	if (strcmp(status, "submitted") == 0 || strcmp(status, "accepted") == 0) {
		ferr(err, "status", strcmp(status, "accepted") == 0 ? "会议记录已审核，不能再修改"
								  : "会议记录已报送，待上级审核或退回后才能修改");
		return DJ_ERR_CONFLICT;
	}
	char cur_types[256] = "", cur_lect[128] = "";
	struct dj_stmt *s;
	if ((rc = dj_db_prepare(x->c, "SELECT COALESCE(types, ''), COALESCE(lecturer, '') FROM meetings WHERE id = ?", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, id);
	if (dj_stmt_step(s) == DJ_ROW) {
		snprintf(cur_types, sizeof(cur_types), "%s", dj_stmt_text(s, 0));
		snprintf(cur_lect, sizeof(cur_lect), "%s", dj_stmt_text(s, 1));
	}
	dj_stmt_reset(s);
	if ((rc = check(vals, cur_types, cur_lect, err)) || (rc = dj_model_update(x, &dj_meeting_entity, id, vals, err)))
		return rc;
	const struct dj_value *held = &vals[fidx("held_on")];
	if (held->set && strcmp(status, "returned") != 0)
		rc = set_status(x, id, held->null ? "planned" : "held");
	return rc ? rc : sync_types(x, id);
}

dj_rc dj_meeting_delete(const struct dj_model_ctx *x, int64_t id, const char *reason, struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX];
	int64_t org;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc)
		return rc;
	if (strcmp(status, "accepted") == 0) {
		ferr(err, "status", "会议记录已审核，不能删除");
		return DJ_ERR_CONFLICT;
	}
	rc = dj_model_delete(x, &dj_meeting_entity, id, reason);
	return rc ? rc : sync_types(x, id);
}

/* ---- attendance ---------------------------------------------------------------------------------- */

/* Expected attendees: the org's active members, or a group's members (party_group_id). */
static const char Q_EXPECTED[] =
	"SELECT m.id, m.name, m.category, a.status, a.late, a.reason, a.checked_in_at FROM members m"
	" LEFT JOIN meeting_attendance a ON a.meeting_id = ? AND a.member_id = m.id"
	" WHERE (m.org_id = ? OR m.party_group_id = ?) AND m.status = 'active' AND m.deleted_at IS NULL"
	" ORDER BY m.category, m.id";

struct tally {
	int64_t expected, expected_voting, present, present_voting, leave, absent, excluded, late, unrecorded;
	int64_t committee, committee_present;
};

static dj_rc count(const struct dj_model_ctx *x, int64_t id, int64_t org, struct tally *t, struct dj_jw *w)
{
	struct dj_stmt *s;
	memset(t, 0, sizeof(*t));
	dj_rc rc = dj_db_prepare(x->c, Q_EXPECTED, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_int(s, 2, org);
	dj_stmt_bind_int(s, 3, org);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		const char *cat = dj_stmt_text(s, 2), *st = dj_stmt_text(s, 3);
		bool voting = cat && strcmp(cat, "full") == 0; /* VOTE-1: 预备党员 have no vote */
		bool excluded = st && strcmp(st, "excluded") == 0; /* VOTE-3 */
		if (!excluded) {
			t->expected++;
			t->expected_voting += voting;
		} else {
			t->excluded++;
		}
		if (st && strcmp(st, "present") == 0) {
			t->present++;
			t->present_voting += voting;
			t->late += dj_stmt_int(s, 4) != 0;
		} else if (st && strcmp(st, "leave") == 0) {
			t->leave++;
		} else if (!excluded) {
			t->absent++;
			t->unrecorded += st == NULL;
		}
		if (w) {
			dj_jw_obj_begin(w);
			dj_jw_kint(w, "member_id", dj_stmt_int(s, 0));
			dj_jw_kstr(w, "name", dj_stmt_text(s, 1));
			dj_jw_kstr(w, "category", cat);
			dj_jw_kbool(w, "voting", voting);
			dj_jw_kstr(w, "status", st);
			dj_jw_kstr(w, "status_label", st ? dj_codes_label("attendance_status", st) : "未登记");
			dj_jw_kbool(w, "late", dj_stmt_int(s, 4) != 0);
			dj_jw_kstr(w, "reason", dj_stmt_text(s, 5));
			dj_jw_kstr(w, "checked_in_at", dj_stmt_text(s, 6));
			dj_jw_obj_end(w);
		}
	}
	dj_stmt_reset(s);
	if (rc != DJ_DONE)
		return rc;
	/* MTG-2: committee meetings need more than half of the committee present. */
	if ((rc = dj_db_prepare(x->c, "SELECT COUNT(*), COALESCE(SUM(a.status = 'present'), 0) FROM committee_members cm"
				      " JOIN committee_terms ct ON ct.id = cm.term_id AND ct.org_id = ? AND ct.ended_on IS NULL"
				      " LEFT JOIN meeting_attendance a ON a.meeting_id = ? AND a.member_id = cm.member_id", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_int(s, 2, id);
	if (dj_stmt_step(s) == DJ_ROW) {
		t->committee = dj_stmt_int(s, 0);
		t->committee_present = dj_stmt_int(s, 1);
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

dj_rc dj_meeting_attendance_write(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w, int64_t *n)
{
	char status[16], path[DJ_PATH_MAX];
	int64_t org;
	struct tally t = { 0 };
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (!rc)
		rc = count(x, id, org, &t, w);
	*n = t.expected + t.excluded;
	return rc;
}

dj_rc dj_meeting_attendance_set(const struct dj_model_ctx *x, int64_t id, const json_t *items, struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX], ts[26];
	int64_t org;
	size_t i;
	json_t *it;
	struct dj_stmt *s;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc)
		return rc;
	if (strcmp(status, "submitted") == 0 || strcmp(status, "accepted") == 0) {
		ferr(err, "status", "会议记录已报送或已审核，不能修改出席情况");
		return DJ_ERR_CONFLICT;
	}
	if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 2000) {
		ferr(err, "items", "出席情况应为 1 到 2000 项的数组 [{member_id, status, late?, reason?}]");
		return DJ_ERR_INVALID;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	json_array_foreach(items, i, it) {
		json_t *mid = json_object_get(it, "member_id"), *st = json_object_get(it, "status");
		json_t *late = json_object_get(it, "late"), *why = json_object_get(it, "reason");
		char msg[160];
		if (!json_is_object(it) || !json_is_integer(mid) || !json_is_string(st) ||
		    !dj_codes_label("attendance_status", json_string_value(st)) || (late && !json_is_boolean(late)) ||
		    (why && !json_is_null(why) && (!json_is_string(why) || json_string_length(why) > 500))) {
			snprintf(msg, sizeof(msg), "第 %zu 项格式错误：应为 {member_id, status: present|leave|absent|excluded, late?, reason?}",
				 i + 1);
			ferr(err, "items", msg);
			return DJ_ERR_INVALID;
		}
		const char *sv = json_string_value(st);
		if ((strcmp(sv, "leave") == 0 || strcmp(sv, "excluded") == 0) && !json_is_string(why)) {
			snprintf(msg, sizeof(msg), "第 %zu 项：请假或不计入应到须填写原因（reason）", i + 1);
			ferr(err, "items", msg);
			return DJ_ERR_INVALID;
		}
		/* The member must be expected at this meeting. */
		if ((rc = dj_db_prepare(x->c, "SELECT 1 FROM members WHERE id = ? AND (org_id = ? OR party_group_id = ?)"
					      " AND status = 'active' AND deleted_at IS NULL", &s)))
			return rc;
		dj_stmt_bind_int(s, 1, (int64_t)json_integer_value(mid));
		dj_stmt_bind_int(s, 2, org);
		dj_stmt_bind_int(s, 3, org);
		rc = dj_stmt_step(s);
		dj_stmt_reset(s);
		if (rc != DJ_ROW) {
			snprintf(msg, sizeof(msg), "第 %zu 项：党员 %lld 不是本组织的党员", i + 1, (long long)json_integer_value(mid));
			ferr(err, "items", msg);
			return DJ_ERR_INVALID;
		}
		if ((rc = dj_db_prepare(x->c, "INSERT INTO meeting_attendance(meeting_id, member_id, status, late, reason, updated_at)"
					      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(meeting_id, member_id) DO UPDATE SET"
					      " status = excluded.status, late = excluded.late, reason = excluded.reason,"
					      " updated_at = excluded.updated_at", &s)))
			return rc;
		dj_stmt_bind_int(s, 1, id);
		dj_stmt_bind_int(s, 2, (int64_t)json_integer_value(mid));
		dj_stmt_bind_text(s, 3, sv);
		dj_stmt_bind_int(s, 4, json_is_true(late));
		dj_stmt_bind_text(s, 5, json_is_string(why) ? json_string_value(why) : NULL);
		dj_stmt_bind_text(s, 6, ts);
		if ((rc = dj_stmt_exec(s)))
			return rc;
	}
	struct dj_strbuf after = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &after);
	dj_jw_json(&w, items);
	struct dj_audit_entry e = { "meeting.attendance", "meeting", id, path, NULL, after.buf };
	rc = dj_audit_append(x->c, x->who, &e);
	dj_strbuf_release(&after);
	return rc;
}

/* ---- votes --------------------------------------------------------------------------------------- */

static int64_t jint(const json_t *o, const char *k, int64_t def, bool *bad)
{
	json_t *v = json_object_get(o, k);
	if (!v || json_is_null(v))
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000) {
		*bad = true;
		return 0;
	}
	return (int64_t)json_integer_value(v);
}

dj_rc dj_meeting_vote_add(const struct dj_model_ctx *x, int64_t id, const json_t *body, int64_t *vote_id,
			  struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX], ts[26], expl[512];
	int64_t org;
	struct tally t = { 0 };
	bool bad = false;
	struct dj_stmt *s;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc || (rc = frozen(status, err)) || (rc = count(x, id, org, &t, NULL)))
		return rc;
	const char *subject = json_string_value(json_object_get(body, "subject"));
	const char *kind = json_string_value(json_object_get(body, "kind"));
	if (!subject || !*subject || strlen(subject) > 300) {
		ferr(err, "subject", "表决事项（subject）必填，最多 300 字节");
		return DJ_ERR_INVALID;
	}
	if (!kind || (strcmp(kind, "resolution") && strcmp(kind, "admission") && strcmp(kind, "conversion") &&
		      strcmp(kind, "election"))) {
		ferr(err, "kind", "表决类型（kind）应为 resolution、admission、conversion 或 election");
		return DJ_ERR_INVALID;
	}
	int64_t eligible = jint(body, "eligible", t.expected_voting, &bad);
	int64_t present = jint(body, "present_voting", t.present_voting, &bad);
	int64_t yes = jint(body, "yes", -1, &bad), no = jint(body, "no", 0, &bad), abst = jint(body, "abstain", 0, &bad);
	int64_t written = jint(body, "written_yes", 0, &bad);
	if (bad || yes < 0) {
		ferr(err, "yes", "票数（yes、no、abstain、written_yes、present_voting、eligible）应为非负整数，yes 必填");
		return DJ_ERR_INVALID;
	}
	bool election = strcmp(kind, "election") == 0;
	bool counts_written = strcmp(kind, "admission") == 0 || strcmp(kind, "conversion") == 0; /* VOTE-4 */
	/* Ballots in the room come from those present; written opinions (VOTE-4) come from members
	 * who are absent, so present + written never exceeds those who should attend. */
	if (present > eligible || yes + no + abst > present || (written && !counts_written) || present + written > eligible) {
		ferr(err, "yes", "票数不合逻辑：实到不能多于应到；赞成、反对、弃权合计不能多于实到；书面意见只用于接收预备党员和转正，且实到加书面意见不能多于应到");
		return DJ_ERR_INVALID;
	}
	int64_t total_yes = yes + (counts_written ? written : 0);
	bool strict = dj_rule_param_int(x->c, path, "S-2", "strict") != 0; /* S-2 🟡: ">4/5" by default */
	int64_t need_present = election ? dj_vote_four_fifths_min(eligible, strict) : dj_vote_majority_min(eligible);
	int64_t need_yes = dj_vote_majority_min(eligible);
	bool quorum = eligible > 0 && present >= need_present, passed = quorum && total_yes >= need_yes;
	const char *rule = election ? "ELE-4/ELE-5" : counts_written ? "DEV-D3/DEV-D5" : "VOTE-2";
	snprintf(expl, sizeof(expl),
		 "应到会有表决权党员 %lld 人，实到 %lld 人（须%s %lld 人）；赞成 %lld 票%s（须超过应到会有表决权人数的半数，即至少 %lld 票）→ %s（%s）",
		 (long long)eligible, (long long)present, election ? (strict ? "超过 4/5，至少" : "不少于 4/5，至少") : "超过半数，至少", (long long)need_present,
		 (long long)total_yes, counts_written && written ? "（含书面意见）" : "", (long long)need_yes,
		 !quorum ? "未达到法定人数，表决无效" : passed ? "通过" : "未通过", rule);
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "INSERT INTO meeting_votes(meeting_id, subject, kind, eligible, present_voting, yes, no,"
				      " abstain, written_yes, quorum, passed, rule, explanation, created_at)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, subject);
	dj_stmt_bind_text(s, 3, kind);
	dj_stmt_bind_int(s, 4, eligible);
	dj_stmt_bind_int(s, 5, present);
	dj_stmt_bind_int(s, 6, yes);
	dj_stmt_bind_int(s, 7, no);
	dj_stmt_bind_int(s, 8, abst);
	dj_stmt_bind_int(s, 9, written);
	dj_stmt_bind_int(s, 10, quorum);
	dj_stmt_bind_int(s, 11, passed);
	dj_stmt_bind_text(s, 12, rule);
	dj_stmt_bind_text(s, 13, expl);
	dj_stmt_bind_text(s, 14, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	*vote_id = dj_db_last_id(x->c);
	char after[900];
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "vote_id", *vote_id);
	dj_jw_kstr(&w, "subject", subject);
	dj_jw_kbool(&w, "passed", passed);
	dj_jw_kstr(&w, "explanation", expl);
	dj_jw_obj_end(&w);
	snprintf(after, sizeof(after), "%s", sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { "meeting.vote", "meeting", id, path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

/* ---- the record with its summary ------------------------------------------------------------------ */

dj_rc dj_meeting_write(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw mw;
	struct tally t = { 0 };
	char status[16], path[DJ_PATH_MAX];
	int64_t org;
	struct dj_stmt *s;
	json_error_t je;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc || (rc = count(x, id, org, &t, NULL)))
		return rc;
	dj_jw_init(&mw, &sb);
	if ((rc = dj_model_get(x, &dj_meeting_entity, id, false, &mw))) {
		dj_strbuf_release(&sb);
		return rc;
	}
	/* The model's JSON plus derived sections. */
	json_t *o = json_loadb(sb.buf, sb.len, 0, &je);
	dj_strbuf_release(&sb);
	if (!o)
		return DJ_ERR_INTERNAL;
	json_t *sum = json_object();
	json_object_set_new(sum, "expected", json_integer(t.expected));
	json_object_set_new(sum, "expected_voting", json_integer(t.expected_voting));
	json_object_set_new(sum, "present", json_integer(t.present));
	json_object_set_new(sum, "present_voting", json_integer(t.present_voting));
	json_object_set_new(sum, "leave", json_integer(t.leave));
	json_object_set_new(sum, "absent", json_integer(t.absent));
	json_object_set_new(sum, "unrecorded", json_integer(t.unrecorded));
	json_object_set_new(sum, "excluded", json_integer(t.excluded));
	json_object_set_new(sum, "late", json_integer(t.late));
	json_object_set_new(o, "attendance_summary", sum);
	json_t *checks = json_array();
	const char *types = json_string_value(json_object_get(o, "types_label"));
	(void)types;
	json_t *tarr = json_object_get(o, "types");
	size_t i;
	json_t *tv;
	json_array_foreach(tarr, i, tv) {
		char msg[300];
		const char *ty = json_string_value(tv);
		if (strcmp(ty, "committee") == 0 && t.committee > 0) {
			int64_t need = dj_vote_majority_min(t.committee);
			snprintf(msg, sizeof(msg), "支委会委员 %lld 人，到会 %lld 人，须半数以上（至少 %lld 人）", (long long)t.committee,
				 (long long)t.committee_present, (long long)need);
			json_t *c = json_object();
			json_object_set_new(c, "rule", json_string("MTG-2"));
			json_object_set_new(c, "ok", json_boolean(t.committee_present >= need));
			json_object_set_new(c, "message", json_string(msg));
			json_array_append_new(checks, c);
		}
		if (strcmp(ty, "branch_congress") == 0) {
			int64_t need = dj_vote_majority_min(t.expected_voting);
			snprintf(msg, sizeof(msg), "应到会有表决权党员 %lld 人，实到 %lld 人；作出决议须超过半数（至少 %lld 人）到会",
				 (long long)t.expected_voting, (long long)t.present_voting, (long long)need);
			json_t *c = json_object();
			json_object_set_new(c, "rule", json_string("VOTE-2"));
			json_object_set_new(c, "ok", json_boolean(t.expected_voting > 0 && t.present_voting >= need));
			json_object_set_new(c, "message", json_string(msg));
			json_array_append_new(checks, c);
		}
	}
	json_object_set_new(o, "quorum_checks", checks);
	json_t *votes = json_array();
	if ((rc = dj_db_prepare(x->c, "SELECT id, subject, kind, eligible, present_voting, yes, no, abstain, written_yes, quorum,"
				      " passed, rule, explanation FROM meeting_votes WHERE meeting_id = ? ORDER BY id", &s)) == DJ_OK) {
		dj_stmt_bind_int(s, 1, id);
		while (dj_stmt_step(s) == DJ_ROW) {
			json_t *v = json_object();
			json_object_set_new(v, "id", json_integer(dj_stmt_int(s, 0)));
			json_object_set_new(v, "subject", json_string(dj_stmt_text(s, 1)));
			json_object_set_new(v, "kind", json_string(dj_stmt_text(s, 2)));
			json_object_set_new(v, "eligible", json_integer(dj_stmt_int(s, 3)));
			json_object_set_new(v, "present_voting", json_integer(dj_stmt_int(s, 4)));
			json_object_set_new(v, "yes", json_integer(dj_stmt_int(s, 5)));
			json_object_set_new(v, "no", json_integer(dj_stmt_int(s, 6)));
			json_object_set_new(v, "abstain", json_integer(dj_stmt_int(s, 7)));
			json_object_set_new(v, "written_yes", json_integer(dj_stmt_int(s, 8)));
			json_object_set_new(v, "quorum", json_boolean(dj_stmt_int(s, 9)));
			json_object_set_new(v, "passed", json_boolean(dj_stmt_int(s, 10)));
			json_object_set_new(v, "rule", json_string(dj_stmt_text(s, 11)));
			json_object_set_new(v, "explanation", json_string(dj_stmt_text(s, 12)));
			json_array_append_new(votes, v);
		}
		dj_stmt_reset(s);
	}
	json_object_set_new(o, "votes", votes);
	json_t *atts = json_array();
	if ((rc = dj_db_prepare(x->c, "SELECT id, name, mime, size, created_at FROM meeting_attachments WHERE meeting_id = ?"
				      " ORDER BY id", &s)) == DJ_OK) {
		dj_stmt_bind_int(s, 1, id);
		while (dj_stmt_step(s) == DJ_ROW) {
			json_t *v = json_object();
			json_object_set_new(v, "id", json_integer(dj_stmt_int(s, 0)));
			json_object_set_new(v, "name", json_string(dj_stmt_text(s, 1)));
			json_object_set_new(v, "mime", json_string(dj_stmt_text(s, 2)));
			json_object_set_new(v, "size", json_integer(dj_stmt_int(s, 3)));
			json_object_set_new(v, "created_at", json_string(dj_stmt_text(s, 4)));
			json_array_append_new(atts, v);
		}
		dj_stmt_reset(s);
	}
	json_object_set_new(o, "attachments", atts);
	dj_jw_json(w, o);
	json_decref(o);
	return rc;
}

/* ---- review ---------------------------------------------------------------------------------------- */

dj_rc dj_meeting_review(const struct dj_model_ctx *x, int64_t id, const char *action, const char *comment,
			struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX], ts[26], before[64], after[700];
	int64_t org;
	struct dj_stmt *s;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc)
		return rc;
	const char *next = NULL;
	if (strcmp(action, "submit") == 0) {
		if (strcmp(status, "held") && strcmp(status, "returned")) {
			ferr(err, "action", "只有已召开（或被退回）的会议记录可以报送");
			return DJ_ERR_CONFLICT;
		}
		next = "submitted";
	} else if (strcmp(action, "accept") == 0 || strcmp(action, "return") == 0) {
		if (strcmp(status, "submitted")) {
			ferr(err, "action", "只有已报送的会议记录可以审核");
			return DJ_ERR_CONFLICT;
		}
		/* Review is done by an upper organization: the reviewer's own org must be above the meeting's. */
		if (strcmp(x->sc->org_path, path) == 0) {
			ferr(err, "action", "会议记录须由上级党组织审核");
			return DJ_ERR_FORBIDDEN;
		}
		if (strcmp(action, "return") == 0 && (!comment || !*comment)) {
			ferr(err, "comment", "退回须填写审核意见");
			return DJ_ERR_INVALID;
		}
		next = strcmp(action, "accept") == 0 ? "accepted" : "returned";
	} else {
		ferr(err, "action", "action 应为 submit、accept 或 return");
		return DJ_ERR_INVALID;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "UPDATE meetings SET status = ?, review_comment = CASE WHEN ? = 'submit' THEN review_comment"
				      " ELSE ? END, reviewed_at = CASE WHEN ? = 'submit' THEN reviewed_at ELSE ? END, updated_at = ?"
				      " WHERE id = ?", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, next);
	dj_stmt_bind_text(s, 2, action);
	dj_stmt_bind_text(s, 3, comment);
	dj_stmt_bind_text(s, 4, action);
	dj_stmt_bind_text(s, 5, ts);
	dj_stmt_bind_text(s, 6, ts);
	dj_stmt_bind_int(s, 7, id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	snprintf(before, sizeof(before), "{\"status\":\"%s\"}", status);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "status", next);
	dj_jw_kstr(&w, "comment", comment);
	dj_jw_obj_end(&w);
	snprintf(after, sizeof(after), "%s", sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { "meeting.review", "meeting", id, path, before, after };
	return dj_audit_append(x->c, x->who, &e);
}

/* ---- QR sign-in ------------------------------------------------------------------------------------------ */

dj_rc dj_meeting_checkin_token(const struct dj_model_ctx *x, int64_t id, int ttl, char *out, int64_t *expires)
{
	char status[16], path[DJ_PATH_MAX], hash[DJ_TOKEN_HEX + 1];
	int64_t org;
	struct dj_stmt *s;
	struct dj_model_err ignored;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc || (rc = frozen(status, &ignored)))
		return rc;
	dj_auth_random_token(out);
	dj_auth_sha256_hex(out, strlen(out), hash);
	*expires = dj_time_now() + ttl;
	if ((rc = dj_db_prepare(x->c, "INSERT INTO meeting_checkins(token_hash, meeting_id, expires_at) VALUES (?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_text(s, 1, hash);
	dj_stmt_bind_int(s, 2, id);
	dj_stmt_bind_int(s, 3, *expires);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	struct dj_audit_entry e = { "meeting.checkin_token", "meeting", id, path, NULL, "{}" };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_meeting_checkin(const struct dj_model_ctx *x, int64_t id, const char *token, struct dj_model_err *err)
{
	char hash[DJ_TOKEN_HEX + 1], ts[26], path[DJ_PATH_MAX], start[40] = "";
	int64_t org = 0;
	struct dj_stmt *s;
	if (!token || strlen(token) != DJ_TOKEN_HEX) {
		ferr(err, "token", "签到码无效");
		return DJ_ERR_INVALID;
	}
	dj_auth_sha256_hex(token, DJ_TOKEN_HEX, hash);
	/* The token is checked without the caller's scope: the meeting is the member's own org's. */
	dj_rc rc = dj_db_prepare(x->c, "SELECT m.org_id, m.org_path, COALESCE(m.held_on, ''), COALESCE(m.start_time, ''), m.status"
				       " FROM meeting_checkins c JOIN meetings m ON m.id = c.meeting_id"
				       " WHERE c.token_hash = ? AND c.meeting_id = ? AND c.expires_at >= ? AND m.deleted_at IS NULL",
				 &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, hash);
	dj_stmt_bind_int(s, 2, id);
	dj_stmt_bind_int(s, 3, dj_time_now());
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		org = dj_stmt_int(s, 0);
		snprintf(path, sizeof(path), "%s", dj_stmt_text(s, 1));
		snprintf(start, sizeof(start), "%sT%s", dj_stmt_text(s, 2), dj_stmt_text(s, 3));
		if (frozen(dj_stmt_text(s, 4) ? dj_stmt_text(s, 4) : "", err)) {
			dj_stmt_reset(s);
			return DJ_ERR_CONFLICT;
		}
	}
	dj_stmt_reset(s);
	if (rc != DJ_ROW) {
		ferr(err, "token", "签到码无效或已过期，请刷新会议页面上的二维码");
		return DJ_ERR_INVALID;
	}
	if (!x->sc->member_id) {
		ferr(err, "token", "您的账号未关联党员信息，无法签到");
		return DJ_ERR_FORBIDDEN;
	}
	if ((rc = dj_db_prepare(x->c, "SELECT 1 FROM members WHERE id = ? AND (org_id = ? OR party_group_id = ?)"
				      " AND deleted_at IS NULL", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, x->sc->member_id);
	dj_stmt_bind_int(s, 2, org);
	dj_stmt_bind_int(s, 3, org);
	rc = dj_stmt_step(s);
	dj_stmt_reset(s);
	if (rc != DJ_ROW) {
		ferr(err, "token", "您不是本次会议所在党组织的党员");
		return DJ_ERR_FORBIDDEN;
	}
	dj_time_rfc3339(dj_time_now(), ts);
	/* Late if signing in after the start time on the meeting day (both in +08:00). */
	bool late = strlen(start) == 16 && strncmp(ts, start, 16) > 0;
	if ((rc = dj_db_prepare(x->c, "INSERT INTO meeting_attendance(meeting_id, member_id, status, late, checked_in_at, updated_at)"
				      " VALUES (?, ?, 'present', ?, ?, ?) ON CONFLICT(meeting_id, member_id) DO UPDATE SET"
				      " status = 'present', late = excluded.late, checked_in_at = excluded.checked_in_at,"
				      " updated_at = excluded.updated_at", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_int(s, 2, x->sc->member_id);
	dj_stmt_bind_int(s, 3, late);
	dj_stmt_bind_text(s, 4, ts);
	dj_stmt_bind_text(s, 5, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	char after[96];
	snprintf(after, sizeof(after), "{\"member_id\":%lld,\"late\":%s}", (long long)x->sc->member_id, late ? "true" : "false");
	struct dj_audit_entry e = { "meeting.checkin", "meeting", id, path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

/* ---- attachments ------------------------------------------------------------------------------------------ */

/* The type comes from the bytes, never from the name the client sent. */
static const char *sniff(const unsigned char *d, size_t n)
{
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

dj_rc dj_meeting_attach(const struct dj_model_ctx *x, int64_t id, const char *name, const void *data, size_t len,
			size_t max, int64_t *att_id, struct dj_model_err *err)
{
	char status[16], path[DJ_PATH_MAX], ts[26], sha[DJ_TOKEN_HEX + 1], after[512];
	int64_t org;
	struct dj_stmt *s;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc || (rc = frozen(status, err)))
		return rc;
	if (len == 0 || len > max) {
		snprintf(err->msg, sizeof(err->msg), "附件大小应在 1 字节到 %zu 字节之间", max);
		err->field = "file";
		return len ? DJ_ERR_TOOBIG : DJ_ERR_INVALID;
	}
	const char *mime = sniff(data, len);
	if (!mime) {
		ferr(err, "file", "只接受 JPEG、PNG 图片或 PDF 文件");
		return DJ_ERR_INVALID;
	}
	if (!name || !*name || strlen(name) > 200 || strpbrk(name, "/\\") || strstr(name, "..")) {
		ferr(err, "name", "文件名无效");
		return DJ_ERR_INVALID;
	}
	dj_auth_sha256_hex(data, len, sha);
	dj_time_rfc3339(dj_time_now(), ts);
	if ((rc = dj_db_prepare(x->c, "INSERT INTO meeting_attachments(meeting_id, name, mime, size, sha256, data, created_at)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, name);
	dj_stmt_bind_text(s, 3, mime);
	dj_stmt_bind_int(s, 4, (int64_t)len);
	dj_stmt_bind_text(s, 5, sha);
	dj_stmt_bind_blob(s, 6, data, len);
	dj_stmt_bind_text(s, 7, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	*att_id = dj_db_last_id(x->c);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "attachment_id", *att_id);
	dj_jw_kstr(&w, "name", name);
	dj_jw_kstr(&w, "mime", mime);
	dj_jw_kint(&w, "size", (int64_t)len);
	dj_jw_kstr(&w, "sha256", sha);
	dj_jw_obj_end(&w);
	snprintf(after, sizeof(after), "%s", sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { "meeting.attach", "meeting", id, path, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_meeting_attachment(const struct dj_model_ctx *x, int64_t id, int64_t att_id, char **data, size_t *len,
			    char *mime, size_t mime_n, char *name, size_t name_n)
{
	char status[16], path[DJ_PATH_MAX];
	int64_t org;
	struct dj_stmt *s;
	dj_rc rc = meeting_row(x, id, status, sizeof(status), &org, path, sizeof(path), NULL, 0);
	if (rc)
		return rc;
	if ((rc = dj_db_prepare(x->c, "SELECT data, mime, name FROM meeting_attachments WHERE id = ? AND meeting_id = ?", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, att_id);
	dj_stmt_bind_int(s, 2, id);
	rc = dj_stmt_step(s);
	if (rc == DJ_ROW) {
		size_t n;
		const void *b = dj_stmt_blob(s, 0, &n);
		*data = dj_malloc(n ? n : 1);
		memcpy(*data, b, n);
		*len = n;
		snprintf(mime, mime_n, "%s", dj_stmt_text(s, 1));
		snprintf(name, name_n, "%s", dj_stmt_text(s, 2));
		rc = DJ_OK;
	} else if (rc == DJ_DONE) {
		rc = DJ_ERR_NOTFOUND;
	}
	dj_stmt_reset(s);
	return rc;
}

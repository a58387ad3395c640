/* committee.c — committees (班子): terms with derived end dates (ORG-9), their members and posts,
 * and the structure findings of an org (ORG-1, ORG-2, ORG-7, ORG-8, ORG-9, ORG-11). */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/codes.h"
#include "dj/findings.h"
#include "dj/org.h"
#include "dj/banned.h"

#define SRC_BRANCH "《中国共产党支部工作条例（试行）》2018"
#define SRC_TERM "中办《关于党的基层组织任期的意见》2018 第一条"

int dj_committee_term_years(const char *kind, const char *sector)
{
	/* ORG-9: 村/社区 organizations and 基层党委 5 years; other 总支/支部 3 years. */
	if (sector && (strcmp(sector, "rural") == 0 || strcmp(sector, "community") == 0))
		return 5;
	if (kind && (strcmp(kind, "committee") == 0 || strcmp(kind, "working_committee") == 0))
		return 5;
	return 3;
}

static const char Q_TERMS[] =
	"SELECT id, term_no, started_on, ends_on, ended_on, election_method, extended_to, remarks FROM committee_terms"
	" WHERE org_id = ? ORDER BY started_on DESC, id DESC";
static const char Q_TERM_MEMBERS[] =
	"SELECT cm.id, cm.member_id, cm.name, cm.post, m.converted_on FROM committee_members cm"
	" LEFT JOIN members m ON m.id = cm.member_id WHERE cm.term_id = ? ORDER BY cm.sort_order, cm.id";

dj_rc dj_committee_list(const struct dj_model_ctx *x, int64_t org_id, struct dj_jw *w, int64_t *n)
{
	struct dj_org o;
	struct dj_stmt *s, *m;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	*n = 0;
	if ((rc = dj_db_prepare(x->c, Q_TERMS, &s)))
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		int64_t tid = dj_stmt_int(s, 0);
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", tid);
		dj_jw_kint_or_null(w, "term_no", dj_stmt_int(s, 1), dj_stmt_is_null(s, 1));
		dj_jw_kstr(w, "started_on", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "ends_on", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "ended_on", dj_stmt_text(s, 4));
		dj_jw_kbool(w, "current", dj_stmt_is_null(s, 4));
		dj_jw_kstr(w, "election_method", dj_stmt_text(s, 5));
		dj_jw_kstr(w, "extended_to", dj_stmt_text(s, 6));
		dj_jw_kstr(w, "remarks", dj_stmt_text(s, 7));
		dj_jw_key(w, "members");
		dj_jw_arr_begin(w);
		if ((rc = dj_db_prepare(x->c, Q_TERM_MEMBERS, &m)))
			break;
		dj_stmt_bind_int(m, 1, tid);
		while (dj_stmt_step(m) == DJ_ROW) {
			dj_jw_obj_begin(w);
			dj_jw_kint(w, "id", dj_stmt_int(m, 0));
			dj_jw_kint_or_null(w, "member_id", dj_stmt_int(m, 1), dj_stmt_is_null(m, 1));
			dj_jw_kstr(w, "name", dj_stmt_text(m, 2));
			dj_jw_kstr(w, "post", dj_stmt_text(m, 3));
			dj_jw_kstr(w, "post_label", dj_codes_label("committee_post", dj_stmt_text(m, 3)));
			dj_jw_kstr(w, "converted_on", dj_stmt_text(m, 4));
			dj_jw_obj_end(w);
		}
		dj_stmt_reset(m);
		dj_jw_arr_end(w);
		dj_jw_obj_end(w);
		(*n)++;
	}
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

static void ferr(struct dj_model_err *err, const char *field, const char *msg)
{
	err->field = field;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

dj_rc dj_committee_create(const struct dj_model_ctx *x, int64_t org_id, const json_t *body, int64_t *id,
			  struct dj_model_err *err)
{
	struct dj_org o;
	struct dj_stmt *s;
	struct dj_date start;
	char ends[11], ts[26];
	const char *k;
	json_t *v;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	json_object_foreach((json_t *)(uintptr_t)body, k, v) {
		if (strcmp(k, "started_on") && strcmp(k, "term_no") && strcmp(k, "election_method") && strcmp(k, "remarks") &&
		    strcmp(k, "members")) {
			err->field = k;
			snprintf(err->msg, sizeof(err->msg), "未知字段：%s", k);
			return DJ_ERR_INVALID;
		}
	}
	json_t *js = json_object_get(body, "started_on"), *jn = json_object_get(body, "term_no");
	json_t *je = json_object_get(body, "election_method"), *jr = json_object_get(body, "remarks");
	json_t *jm = json_object_get(body, "members");
	if (!json_is_string(js) || dj_date_parse(json_string_value(js), json_string_length(js), &start)) {
		ferr(err, "started_on", "本届起始日期（started_on）应为 YYYY-MM-DD");
		return DJ_ERR_INVALID;
	}
	if (dj_date_cmp(start, dj_date_today()) > 0) {
		ferr(err, "started_on", "本届起始日期不能晚于今天");
		return DJ_ERR_INVALID;
	}
	if (jn && !json_is_null(jn) && (!json_is_integer(jn) || json_integer_value(jn) < 1 || json_integer_value(jn) > 100)) {
		ferr(err, "term_no", "届次（term_no）应为 1 到 100 的整数");
		return DJ_ERR_INVALID;
	}
	if ((je && !json_is_null(je) && (!json_is_string(je) || json_string_length(je) > 100)) ||
	    (jr && !json_is_null(jr) && (!json_is_string(jr) || json_string_length(jr) > 1000))) {
		ferr(err, je && !json_is_string(je) ? "election_method" : "remarks", "应为字符串且不过长");
		return DJ_ERR_INVALID;
	}
	if (!json_is_array(jm) || json_array_size(jm) == 0 || json_array_size(jm) > 15) {
		ferr(err, "members", "班子成员（members）应为 1 到 15 人的数组");
		return DJ_ERR_INVALID;
	}
	/* ORG-9: the term's end is derived, never typed. */
	dj_date_format(dj_date_add_months(start, 12 * dj_committee_term_years(o.kind, o.sector)), ends);
	dj_time_rfc3339(dj_time_now(), ts);
	/* The previous current term ends where this one starts. */
	if ((rc = dj_db_prepare(x->c, "UPDATE committee_terms SET ended_on = ?, updated_at = ? WHERE org_id = ? AND ended_on IS NULL",
				&s)))
		return rc;
	dj_stmt_bind_text(s, 1, json_string_value(js));
	dj_stmt_bind_text(s, 2, ts);
	dj_stmt_bind_int(s, 3, org_id);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	if ((rc = dj_db_prepare(x->c, "INSERT INTO committee_terms(org_id, term_no, started_on, ends_on, election_method,"
				      " remarks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	if (json_is_integer(jn))
		dj_stmt_bind_int(s, 2, (int64_t)json_integer_value(jn));
	dj_stmt_bind_text(s, 3, json_string_value(js));
	dj_stmt_bind_text(s, 4, ends);
	dj_stmt_bind_text(s, 5, json_is_string(je) ? json_string_value(je) : NULL);
	dj_stmt_bind_text(s, 6, json_is_string(jr) ? json_string_value(jr) : NULL);
	dj_stmt_bind_text(s, 7, ts);
	dj_stmt_bind_text(s, 8, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	*id = dj_db_last_id(x->c);
	size_t i;
	json_array_foreach(jm, i, v) {
		json_t *mn = json_object_get(v, "name"), *mp = json_object_get(v, "post"), *mi = json_object_get(v, "member_id");
		const char *name = json_string_value(mn);
		int64_t mid = json_is_integer(mi) ? (int64_t)json_integer_value(mi) : 0;
		if (!json_is_object(v) || !json_is_string(mp) || !dj_codes_label("committee_post", json_string_value(mp))) {
			ferr(err, "members", "班子成员的职务（post）应为 secretary、deputy_secretary、organization_member 等代码");
			return DJ_ERR_INVALID;
		}
		if (mid) {
			/* A committee member who is a registered member must be visible to the caller. */
			if ((rc = dj_db_prepare(x->c, "SELECT name FROM members WHERE id = ? AND org_path >= ? AND org_path < ?"
						      " AND deleted_at IS NULL", &s)))
				return rc;
			dj_stmt_bind_int(s, 1, mid);
			dj_stmt_bind_text(s, 2, x->sc->org_path);
			dj_stmt_bind_text(s, 3, x->sc->path_hi);
			rc = dj_stmt_step(s);
			if (rc == DJ_ROW && !name)
				name = dj_arena_strdup(x->a, dj_stmt_text(s, 0));
			dj_stmt_reset(s);
			if (rc != DJ_ROW) {
				ferr(err, "members", "班子成员引用的党员不存在或不在您的管理范围内");
				return DJ_ERR_INVALID;
			}
		}
		if (!name || !*name || strlen(name) > 150) {
			ferr(err, "members", "班子成员须填写姓名（name）或党员 id（member_id）");
			return DJ_ERR_INVALID;
		}
		if ((rc = dj_db_prepare(x->c, "INSERT INTO committee_members(term_id, member_id, name, post, sort_order)"
					      " VALUES (?, ?, ?, ?, ?)", &s)))
			return rc;
		dj_stmt_bind_int(s, 1, *id);
		if (mid)
			dj_stmt_bind_int(s, 2, mid);
		dj_stmt_bind_text(s, 3, name);
		dj_stmt_bind_text(s, 4, json_string_value(mp));
		dj_stmt_bind_int(s, 5, (int64_t)i);
		if ((rc = dj_stmt_exec(s)))
			return rc;
	}
	struct dj_strbuf after = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &after);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "term_id", *id);
	dj_jw_kint(&w, "org_id", org_id);
	dj_jw_kstr(&w, "started_on", json_string_value(js));
	dj_jw_kstr(&w, "ends_on", ends);
	dj_jw_key(&w, "members");
	dj_jw_json(&w, jm);
	dj_jw_obj_end(&w);
	struct dj_audit_entry e = { "committee.create", "committee_term", *id, o.path, NULL, after.buf };
	rc = dj_audit_append(x->c, x->who, &e);
	dj_strbuf_release(&after);
	return rc;
}

/* ---- findings ------------------------------------------------------------------------------------ */

static void emit(struct dj_jw *w, int64_t *n, const char *rule, enum dj_severity sev, const char *msg, int64_t org_id,
		 int64_t member_id, const char *due, const char *source)
{
	struct dj_finding f = { rule, sev, msg, org_id, member_id, NULL, due, source, "branch-2018" };
	dj_finding_write(w, &f);
	(*n)++;
}

dj_rc dj_org_findings(const struct dj_model_ctx *x, int64_t id, struct dj_date today, struct dj_jw *w, int64_t *n)
{
	struct dj_org o;
	struct dj_stmt *s;
	char msg[400], due[11], todays[11];
	int64_t full = 0, prob = 0, term_id = 0, committee_size = 0;
	const char *ends = NULL;
	dj_rc rc = dj_org_get(x->c, x->sc, id, x->a, &o);
	if (rc)
		return rc;
	*n = 0;
	dj_date_format(today, todays);
	bool branch = strcmp(o.kind, "branch") == 0 || strcmp(o.kind, "joint_branch") == 0;
	/* Direct members (the branch's own register). */
	if ((rc = dj_db_prepare(x->c, "SELECT COALESCE(SUM(category = 'full'), 0), COALESCE(SUM(category = 'probationary'), 0)"
				      " FROM members WHERE org_id = ? AND status = 'active' AND deleted_at IS NULL", &s)))
		return rc;
	dj_stmt_bind_int(s, 1, id);
	if (dj_stmt_step(s) == DJ_ROW) {
		full = dj_stmt_int(s, 0);
		prob = dj_stmt_int(s, 1);
	}
	dj_stmt_reset(s);
	if ((rc = dj_db_prepare(x->c, "SELECT t.id, t.ends_on, COALESCE(t.extended_to, t.ends_on),"
				      " (SELECT COUNT(*) FROM committee_members cm WHERE cm.term_id = t.id)"
				      " FROM committee_terms t WHERE t.org_id = ? AND t.ended_on IS NULL ORDER BY t.started_on DESC LIMIT 1",
				&s)))
		return rc;
	dj_stmt_bind_int(s, 1, id);
	if (dj_stmt_step(s) == DJ_ROW) {
		term_id = dj_stmt_int(s, 0);
		ends = dj_arena_strdup(x->a, dj_stmt_text(s, 2));
		committee_size = dj_stmt_int(s, 3);
	}
	dj_stmt_reset(s);

	if (branch && full < 3) {
		snprintf(msg, sizeof(msg), "本支部正式党员 %lld 名，不足 3 名，不宜单独设立党支部，可与邻近单位组建联合党支部（ORG-1、ORG-3）",
			 (long long)full);
		emit(w, n, "ORG-1", DJ_SEV_WARNING, msg, id, 0, NULL, SRC_BRANCH " 第四条");
	}
	if (branch && full + prob > 50) {
		snprintf(msg, sizeof(msg), "本支部党员 %lld 名，超过 50 名，一般应考虑设立党总支（ORG-2、ORG-5）", (long long)(full + prob));
		emit(w, n, "ORG-2", DJ_SEV_WARNING, msg, id, 0, NULL, SRC_BRANCH " 第四条");
	}
	/* Committee size counts the committee's members (支委), not a 书记-only setup. */
	if (branch && full >= 7 && (!term_id || committee_size < 3)) {
		snprintf(msg, sizeof(msg), "正式党员 %lld 名（≥7 名），应设立支部委员会（3–5 人），目前%s（ORG-7）", (long long)full,
			 term_id ? "委员不足 3 人" : "未登记支部委员会");
		emit(w, n, "ORG-7", DJ_SEV_ERROR, msg, id, 0, NULL, SRC_BRANCH " 第二十二条（≈）");
	}
	if (term_id && committee_size > 7) {
		snprintf(msg, sizeof(msg), "支部委员会共 %lld 人，一般不超过 7 人（ORG-7）", (long long)committee_size);
		emit(w, n, "ORG-7", DJ_SEV_WARNING, msg, id, 0, NULL, SRC_BRANCH " 第二十二条（≈）");
	}
	if (branch && full < 7 && term_id && committee_size > 1) {
		snprintf(msg, sizeof(msg), "正式党员 %lld 名（不足 7 名），一般不设支部委员会，设书记 1 名，必要时设副书记（ORG-8）",
			 (long long)full);
		emit(w, n, "ORG-8", DJ_SEV_INFO, msg, id, 0, NULL, SRC_BRANCH " 第二十二条（≈）");
	}
	if (ends) {
		struct dj_date e;
		dj_date_parse(ends, strlen(ends), &e);
		if (dj_date_cmp(e, today) < 0) {
			snprintf(msg, sizeof(msg), "本届班子任期已于 %s 届满，尚未换届（ORG-9、ORG-10：延期须经上级批准，一般不超过 1 年）", ends);
			emit(w, n, "ORG-9", DJ_SEV_ERROR, msg, id, 0, ends, SRC_TERM);
		} else if (dj_date_cmp(e, dj_date_add_months(today, 6)) <= 0) {
			snprintf(msg, sizeof(msg), "本届班子任期将于 %s 届满，请在 6 个月内做好换届准备（ORG-9）", ends);
			emit(w, n, "ORG-9", DJ_SEV_WARNING, msg, id, 0, dj_date_format(e, due), SRC_TERM);
		}
	}
	/* ORG-11: the secretary generally has ≥1 year of 党龄 (from conversion, DEV-T6). */
	if (term_id) {
		if ((rc = dj_db_prepare(x->c, "SELECT cm.name, cm.member_id, m.converted_on, m.category FROM committee_members cm"
					      " LEFT JOIN members m ON m.id = cm.member_id WHERE cm.term_id = ? AND cm.post = 'secretary'",
					&s)))
			return rc;
		dj_stmt_bind_int(s, 1, term_id);
		while (dj_stmt_step(s) == DJ_ROW) {
			const char *conv = dj_stmt_text(s, 2), *cat = dj_stmt_text(s, 3);
			struct dj_date c;
			int64_t mid = dj_stmt_int(s, 1);
			if (!mid)
				continue; /* not linked to the register: cannot be checked */
			bool young = (cat && strcmp(cat, "probationary") == 0) || !conv ||
				     (dj_date_parse(conv, strlen(conv), &c) == DJ_OK && dj_date_cmp(dj_date_add_months(c, 12), today) > 0);
			if (young) {
				snprintf(msg, sizeof(msg), "书记 %s 党龄不足 1 年（转正日期 %s），一般应有 1 年以上党龄（ORG-11）",
					 dj_stmt_text(s, 0), conv ? conv : "无");
				emit(w, n, "ORG-11", DJ_SEV_WARNING, msg, id, mid, NULL, SRC_BRANCH " 第二十三条");
			}
		}
		dj_stmt_reset(s);
	}
	(void)todays;
	return DJ_OK;
}

/* demo_meetings.c — 12 months of organizational life for the demo county, with realistic gaps:
 * most branches keep up, some miss quarters, a few rarely meet, some groups never meet. */
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/demo.h"
#include "dj/banned.h"

struct rng {
	uint64_t s;
};
static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}
static int pick(struct rng *r, int n)
{
	return (int)(next(r) % (uint64_t)n);
}

static const char Q_ORGS[] =
	"SELECT o.id, o.path, o.kind, (SELECT COUNT(*) FROM committee_members cm JOIN committee_terms ct ON ct.id = cm.term_id"
	" WHERE ct.org_id = o.id AND ct.ended_on IS NULL) FROM orgs o WHERE o.kind IN ('branch', 'joint_branch', 'general_branch', 'group')"
	" ORDER BY o.id";
static const char Q_INSERT[] =
	"INSERT INTO meetings(org_id, org_path, title, types, held_on, start_time, place, host, lecturer, topics, status,"
	" created_at, updated_at) VALUES (?, ?, ?, ?, ?, '19:30', ?, ?, ?, ?, ?, ?, ?)";
static const char Q_TYPE[] = "INSERT INTO meeting_types(meeting_id, org_id, org_path, type, held_on) VALUES (?, ?, ?, ?, ?)";
static const char Q_ATTEND[] =
	"INSERT INTO meeting_attendance(meeting_id, member_id, status, late, reason, updated_at)"
	" SELECT ?, id, CASE WHEN abs(random()) % 100 < 86 THEN 'present' WHEN abs(random()) % 3 = 0 THEN 'absent' ELSE 'leave' END,"
	" 0, NULL, ? FROM members WHERE org_id = ? AND status = 'active' AND deleted_at IS NULL";
static const char Q_LEAVE_REASON[] =
	"UPDATE meeting_attendance SET reason = '外出务工' WHERE meeting_id = ? AND status = 'leave'";

static dj_rc add(struct dj_db_conn *c, struct rng *r, int64_t org, const char *path, const char *title, const char *types,
		 struct dj_date held, bool attendance, int64_t *count)
{
	struct dj_stmt *s;
	char d[11], ts[26];
	dj_date_format(held, d);
	dj_time_rfc3339(dj_time_now(), ts);
	dj_rc rc = dj_db_prepare(c, Q_INSERT, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org);
	dj_stmt_bind_text(s, 2, path);
	dj_stmt_bind_text(s, 3, title);
	dj_stmt_bind_text(s, 4, types);
	dj_stmt_bind_text(s, 5, d);
	dj_stmt_bind_text(s, 6, pick(r, 2) ? "党员活动室" : "村（社区）党群服务中心");
	dj_stmt_bind_text(s, 7, "书记");
	dj_stmt_bind_text(s, 8, strstr(types, ",lecture,") ? "支部书记" : NULL);
	dj_stmt_bind_text(s, 9, "学习贯彻上级精神；研究本月工作");
	/* Older records were reviewed; the last two months are still with the branch. */
	dj_stmt_bind_text(s, 10, pick(r, 10) < 7 ? "accepted" : "held");
	dj_stmt_bind_text(s, 11, ts);
	dj_stmt_bind_text(s, 12, ts);
	if ((rc = dj_stmt_exec(s)))
		return rc;
	int64_t id = dj_db_last_id(c);
	for (const char *p = types; *p;) {
		const char *e = strchr(p + 1, ',');
		if (*p == ',' && e && e > p + 1) {
			char code[32];
			snprintf(code, sizeof(code), "%.*s", (int)(e - p - 1), p + 1);
			if ((rc = dj_db_prepare(c, Q_TYPE, &s)))
				return rc;
			dj_stmt_bind_int(s, 1, id);
			dj_stmt_bind_int(s, 2, org);
			dj_stmt_bind_text(s, 3, path);
			dj_stmt_bind_text(s, 4, code);
			dj_stmt_bind_text(s, 5, d);
			if ((rc = dj_stmt_exec(s)))
				return rc;
		}
		p = e ? e : p + strlen(p);
	}
	if (attendance) {
		if ((rc = dj_db_prepare(c, Q_ATTEND, &s)))
			return rc;
		dj_stmt_bind_int(s, 1, id);
		dj_stmt_bind_text(s, 2, ts);
		dj_stmt_bind_int(s, 3, org);
		if ((rc = dj_stmt_exec(s)))
			return rc;
		if ((rc = dj_db_prepare(c, Q_LEAVE_REASON, &s)))
			return rc;
		dj_stmt_bind_int(s, 1, id);
		if ((rc = dj_stmt_exec(s)))
			return rc;
	}
	(*count)++;
	return DJ_OK;
}

dj_rc dj_demo_meetings(struct dj_db_conn *c, uint64_t seed, int64_t *count)
{
	struct rng r = { seed ^ 0x5851F42D4C957F2DULL };
	struct dj_stmt *s;
	struct org {
		int64_t id, csize;
		char path[128], kind[24];
	} *orgs = NULL;
	size_t n = 0, cap = 0;
	struct dj_date today = dj_date_today();
	struct dj_date start = dj_date_add_months((struct dj_date){ today.y, today.m, 1 }, -11);
	dj_rc rc = dj_db_prepare(c, Q_ORGS, &s);
	*count = 0;
	if (rc)
		return rc;
	while (dj_stmt_step(s) == DJ_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			orgs = dj_realloc(orgs, cap * sizeof(*orgs));
		}
		orgs[n].id = dj_stmt_int(s, 0);
		snprintf(orgs[n].path, sizeof(orgs[n].path), "%s", dj_stmt_text(s, 1));
		snprintf(orgs[n].kind, sizeof(orgs[n].kind), "%s", dj_stmt_text(s, 2));
		orgs[n].csize = dj_stmt_int(s, 3);
		n++;
	}
	dj_stmt_reset(s);
	for (size_t i = 0; i < n && !rc; i++) {
		struct org *o = &orgs[i];
		bool group = strcmp(o->kind, "group") == 0;
		/* diligence: 0 keeps up (70%), 1 patchy (20%), 2 lax (10%); 15% of groups never meet */
		int d = pick(&r, 100);
		int level = d < 70 ? 0 : d < 90 ? 1 : 2;
		if (group && pick(&r, 100) < 15)
			continue;
		int p_month = level == 0 ? 96 : level == 1 ? 75 : 25;
		int p_quarter = level == 0 ? 97 : level == 1 ? 60 : 20;
		for (struct dj_date m = start; dj_date_cmp(m, today) <= 0 && !rc; m = dj_date_add_months(m, 1)) {
			struct dj_date day = { m.y, m.m, 5 + pick(&r, 20) };
			if (dj_date_cmp(day, today) > 0)
				break; /* this month's meetings are still to come */
			char title[64];
			if (group) {
				if (pick(&r, 100) < p_month) {
					snprintf(title, sizeof(title), "%d年%d月党小组会", m.y, m.m);
					rc = add(c, &r, o->id, o->path, title, ",group,", day, false, count);
				}
				continue;
			}
			if (pick(&r, 100) < p_month) {
				/* The month's 主题党日; in a quarter's last month it is also the 支部党员大会 and a 党课. */
				bool quarter_end = m.m % 3 == 0 && pick(&r, 100) < p_quarter;
				snprintf(title, sizeof(title), "%d年%d月主题党日%s", m.y, m.m, quarter_end ? "暨支部党员大会" : "");
				rc = add(c, &r, o->id, o->path, title,
					 quarter_end ? ",branch_congress,lecture,theme_day," : ",theme_day,", day, quarter_end, count);
			}
			if (!rc && o->csize >= 3 && pick(&r, 100) < p_month) {
				snprintf(title, sizeof(title), "%d年%d月支委会", m.y, m.m);
				rc = add(c, &r, o->id, o->path, title, ",committee,", (struct dj_date){ day.y, day.m, day.d > 3 ? day.d - 3 : 1 },
					 false, count);
			}
			/* Year-end 组织生活会 with 民主评议 and 谈心谈话, in January for the past year. */
			if (!rc && m.m == 1 && pick(&r, 100) < p_quarter) {
				snprintf(title, sizeof(title), "%d年度组织生活会暨民主评议党员", m.y - 1);
				struct dj_date dec = { m.y - 1, 12, 20 + pick(&r, 8) };
				rc = add(c, &r, o->id, o->path, title, ",org_life,appraisal,talk,", dec, false, count);
			}
		}
	}
	dj_free(orgs);
	if (!rc) {
		char after[96];
		snprintf(after, sizeof(after), "{\"meetings\":%lld}", (long long)*count);
		struct dj_actor who = { 0, "demo", "local" };
		struct dj_audit_entry e = { "demo.meetings", "meeting", 0, "/", NULL, after };
		rc = dj_audit_append(c, &who, &e);
	}
	return rc;
}

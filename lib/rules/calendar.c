/* calendar.c — working days for 公示 periods (S-5): weekdays, minus holidays, plus 调休 weekends. */
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/calendar.h"
#include "dj/banned.h"

bool dj_calendar_workday(const struct dj_calendar *cal, struct dj_date d, bool *provisional)
{
	int64_t dn = dj_date_to_days(d);
	int dow = (int)(((dn % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
	bool work = dow != 0 && dow != 6;
	if (!cal || d.y < 1950 || d.y >= 2150 || !cal->known[d.y - 1950]) {
		if (provisional)
			*provisional = true;
		return work;
	}
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cal->days[mid].day < dn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cal->n && cal->days[lo].day == dn)
		return cal->days[lo].kind == 'w';
	return work;
}

dj_rc dj_calendar_load(struct dj_db_conn *c, struct dj_arena *a, struct dj_calendar *cal)
{
	struct dj_stmt *s;
	size_t cap = 0;
	memset(cal, 0, sizeof(*cal));
	dj_rc rc = dj_db_prepare(c, "SELECT day, kind FROM work_calendar ORDER BY day", &s);
	if (rc)
		return rc;
	while (dj_stmt_step(s) == DJ_ROW) {
		struct dj_date d;
		const char *t = dj_stmt_text(s, 0), *k = dj_stmt_text(s, 1);
		if (!t || dj_date_parse(t, strlen(t), &d) || !k)
			continue;
		if (cal->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct dj_calendar_day *nd = dj_arena_alloc(a, ncap * sizeof(*nd));
			if (cal->n)
				memcpy(nd, cal->days, cal->n * sizeof(*nd));
			cal->days = nd;
			cap = ncap;
		}
		cal->days[cal->n].day = dj_date_to_days(d);
		cal->days[cal->n].kind = k[0];
		cal->n++;
		if (d.y >= 1950 && d.y < 2150)
			cal->known[d.y - 1950] = 1;
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

dj_rc dj_calendar_set(const struct dj_model_ctx *x, struct dj_date d, char kind, const char *name, struct dj_model_err *err)
{
	struct dj_stmt *s;
	char day[11], ts[26], after[300];
	dj_rc rc;
	dj_date_format(d, day);
	if (kind && kind != 'h' && kind != 'w') {
		err->field = "kind";
		snprintf(err->msg, sizeof(err->msg), "kind 应为 holiday（放假）、workday（调休上班）或 normal（恢复为普通日）");
		return DJ_ERR_INVALID;
	}
	if (!kind) {
		rc = dj_db_prepare(x->c, "DELETE FROM work_calendar WHERE day = ?", &s);
		if (rc)
			return rc;
		dj_stmt_bind_text(s, 1, day);
	} else {
		rc = dj_db_prepare(x->c, "INSERT INTO work_calendar(day, kind, name, set_by, set_at) VALUES (?, ?, ?, ?, ?)"
					 " ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
					 " set_by = excluded.set_by, set_at = excluded.set_at", &s);
		if (rc)
			return rc;
		dj_stmt_bind_text(s, 1, day);
		dj_stmt_bind_text(s, 2, kind == 'h' ? "h" : "w");
		dj_stmt_bind_text(s, 3, name);
		dj_stmt_bind_text(s, 4, x->who->username);
		dj_stmt_bind_text(s, 5, dj_time_rfc3339(dj_time_now(), ts));
	}
	if ((rc = dj_stmt_exec(s)))
		return rc;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "day", day);
	dj_jw_kstr(&w, "kind", kind == 'h' ? "holiday" : kind == 'w' ? "workday" : "normal");
	dj_jw_kstr(&w, "name", name);
	dj_jw_obj_end(&w);
	snprintf(after, sizeof(after), "%s", sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { "calendar.set", "calendar", 0, NULL, NULL, after };
	return dj_audit_append(x->c, x->who, &e);
}

dj_rc dj_calendar_write(struct dj_db_conn *c, int year, struct dj_jw *w, int64_t *n)
{
	struct dj_stmt *s;
	char lo[16], hi[16];
	snprintf(lo, sizeof(lo), "%04d-01-01", year % 10000);
	snprintf(hi, sizeof(hi), "%04d-12-31", year % 10000);
	dj_rc rc = dj_db_prepare(c, "SELECT day, kind, name, set_by, set_at FROM work_calendar WHERE day >= ? AND day <= ?"
				    " ORDER BY day", &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, lo);
	dj_stmt_bind_text(s, 2, hi);
	*n = 0;
	while (dj_stmt_step(s) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "day", dj_stmt_text(s, 0));
		dj_jw_kstr(w, "kind", dj_stmt_text(s, 1)[0] == 'h' ? "holiday" : "workday");
		dj_jw_kstr(w, "name", dj_stmt_text(s, 2));
		dj_jw_kstr(w, "set_by", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "set_at", dj_stmt_text(s, 4));
		dj_jw_obj_end(w);
		(*n)++;
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

/* develop.c — DEV-A1 … DEV-T6 as a timeline check: each step is judged by the rule set in force on
 * its date (dev-2014 before the switch date, dev-2026 ⚠️ from it) unless one set is named. */
#include <stdio.h>
#include <string.h>
#include "dj/calendar.h"
#include "dj/develop.h"
#include "dj/findings.h"
#include "dj/banned.h"

static const char *const date_keys[] = { "birth_date",	   "applied_on",     "talked_on",     "activist_on",
					  "target_on",	   "publicized_from", "publicized_to", "prereviewed_on",
					  "admitted_on",   "approved_on",    "oath_on",	      "converted_on", NULL };
static const char *const int_keys[] = { "training_days", "training_hours", "extended_months", NULL };

struct tl {
	bool has[16];
	struct dj_date d[16];
	int64_t training_days, training_hours, extended_months;
	bool has_days, has_hours, has_ext;
	const char *set; /* forced set or NULL */
	struct dj_date sw;
};

static int key_index(const char *k)
{
	for (int i = 0; date_keys[i]; i++)
		if (strcmp(date_keys[i], k) == 0)
			return i;
	return -1;
}

static bool get(const struct tl *t, const char *k, struct dj_date *out)
{
	int i = key_index(k);
	if (i < 0 || !t->has[i])
		return false;
	*out = t->d[i];
	return true;
}

/* The set governing a step dated d (R-VER-1). */
static const char *set_for(const struct tl *t, struct dj_date d)
{
	if (t->set)
		return t->set;
	return dj_date_cmp(d, t->sw) >= 0 ? "dev-2026" : "dev-2014";
}

struct out {
	struct dj_jw *w;
	int n;
};

static void finding(struct out *o, const char *rule, enum dj_severity sev, const char *version, const char *msg)
{
	struct dj_finding f = { rule, sev, msg, 0, 0, NULL, NULL,
				strcmp(version, "dev-2026") == 0 ? "《中国共产党发展党员工作细则》（2026 修订，⚠️ 待核对官方文本）"
								 : "《中国共产党发展党员工作细则》（2014）",
				version };
	dj_finding_write(o->w, &f);
	o->n++;
}

static char *fmt(struct dj_date d, char buf[static 11])
{
	return dj_date_format(d, buf);
}

dj_rc dj_develop_check(const json_t *timeline, struct dj_date switch_on, struct dj_jw *w, const char **field, char *err,
		       size_t errlen)
{
	return dj_develop_check_cal(timeline, switch_on, NULL, w, field, err, errlen);
}

dj_rc dj_develop_check_cal(const json_t *timeline, struct dj_date switch_on, const struct dj_calendar *cal,
			   struct dj_jw *w, const char **field, char *err, size_t errlen)
{
	struct tl t;
	const char *k;
	json_t *v;
	char a[11], b[11], msg[400];
	memset(&t, 0, sizeof(t));
	t.sw = switch_on;
	*field = NULL;
	json_object_foreach((json_t *)(uintptr_t)timeline, k, v) {
		int i = key_index(k);
		if (i >= 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v) || dj_date_parse(json_string_value(v), json_string_length(v), &t.d[i])) {
				*field = k;
				snprintf(err, errlen, "%s 应为 YYYY-MM-DD 格式的有效日期", k);
				return DJ_ERR_INVALID;
			}
			t.has[i] = true;
			continue;
		}
		int ik = -1;
		for (int j = 0; int_keys[j]; j++)
			if (strcmp(int_keys[j], k) == 0)
				ik = j;
		if (ik >= 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000) {
				*field = k;
				snprintf(err, errlen, "%s 应为 0 到 1000 的整数", k);
				return DJ_ERR_INVALID;
			}
			int64_t x = (int64_t)json_integer_value(v);
			if (ik == 0) {
				t.training_days = x;
				t.has_days = true;
			} else if (ik == 1) {
				t.training_hours = x;
				t.has_hours = true;
			} else {
				t.extended_months = x;
				t.has_ext = true;
			}
			continue;
		}
		if (strcmp(k, "rule_set") == 0) {
			const char *s = json_string_value(v);
			if (!s || (strcmp(s, "dev-2014") && strcmp(s, "dev-2026"))) {
				*field = k;
				snprintf(err, errlen, "rule_set 应为 dev-2014 或 dev-2026");
				return DJ_ERR_INVALID;
			}
			t.set = strcmp(s, "dev-2014") == 0 ? "dev-2014" : "dev-2026";
			continue;
		}
		*field = k;
		snprintf(err, errlen, "未知字段：%s", k);
		return DJ_ERR_INVALID;
	}
	struct out o = { w, 0 };
	struct dj_date birth, applied, talked, activist, target, pub_from, pub_to, pre, admitted, approved, oath, converted;
	bool hb = get(&t, "birth_date", &birth), ha = get(&t, "applied_on", &applied), ht = get(&t, "talked_on", &talked);
	bool hac = get(&t, "activist_on", &activist), htg = get(&t, "target_on", &target);
	bool hpf = get(&t, "publicized_from", &pub_from), hpt = get(&t, "publicized_to", &pub_to);
	bool hpre = get(&t, "prereviewed_on", &pre), had = get(&t, "admitted_on", &admitted);
	bool hap = get(&t, "approved_on", &approved), ho = get(&t, "oath_on", &oath), hc = get(&t, "converted_on", &converted);

	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "rule_set", t.set ? t.set : "by_date");
	dj_jw_kstr(w, "switch_on", fmt(switch_on, a));
	dj_jw_key(w, "findings");
	dj_jw_arr_begin(w);
	/* Steps in the order of the 25-step flow; a later step dated before an earlier one is an error. */
	static const char *const order[] = { "applied_on", "talked_on", "activist_on", "target_on", "prereviewed_on",
					     "admitted_on", "approved_on", NULL };
	static const char *const names[] = { "递交入党申请", "谈话", "确定入党积极分子", "确定发展对象", "上级党委预审",
					     "支部大会讨论接收", "上级党委审批", NULL };
	int prev = -1;
	for (int i = 0; order[i]; i++) {
		struct dj_date d, p;
		if (!get(&t, order[i], &d))
			continue;
		if (prev >= 0 && get(&t, order[prev], &p) && dj_date_cmp(d, p) < 0) {
			snprintf(msg, sizeof(msg), "%s（%s）早于%s（%s），顺序错误", names[i], fmt(d, a), names[prev], fmt(p, b));
			finding(&o, "DEV-ORDER", DJ_SEV_ERROR, set_for(&t, d), msg);
		}
		prev = i;
	}
	/* DEV-A1: 年满十八岁 at application (S-7: the birthday itself counts). */
	if (hb && ha) {
		int age = dj_date_age(birth, applied);
		if (age < 18) {
			snprintf(msg, sizeof(msg), "申请入党时未满十八周岁（%d 周岁，满 18 周岁之日为 %s）（DEV-A1）", age,
				 fmt(dj_date_add_months(birth, 18 * 12), a));
			finding(&o, "DEV-A1", DJ_SEV_ERROR, set_for(&t, applied), msg);
		}
	}
	/* DEV-A3: talk within 1 month of the application (S-3). */
	if (ha && ht) {
		struct dj_date by = dj_date_add_months(applied, 1);
		if (dj_date_cmp(talked, by) > 0) {
			snprintf(msg, sizeof(msg), "收到入党申请后应在一个月内派人谈话：应在 %s 前，实际 %s（DEV-A3）", fmt(by, a),
				 fmt(talked, b));
			finding(&o, "DEV-A3", DJ_SEV_ERROR, set_for(&t, talked), msg);
		}
	}
	/* DEV-C1: ≥1 year as activist before becoming a 发展对象 (S-4). */
	if (hac && htg) {
		struct dj_date earliest = dj_date_add_months(activist, 12);
		if (dj_date_cmp(target, earliest) < 0) {
			snprintf(msg, sizeof(msg), "确定为入党积极分子满一年后才能列为发展对象：最早 %s，实际 %s（DEV-C1）",
				 fmt(earliest, a), fmt(target, b));
			finding(&o, "DEV-C1", DJ_SEV_ERROR, set_for(&t, target), msg);
		}
		/* dev-2026 ⚠️: a 公示 of ≥5 working days before the listing (S-5: working days need the
		 * holiday calendar; weekdays are counted here and the result is flagged provisional). */
		if (strcmp(set_for(&t, target), "dev-2026") == 0) {
			if (!hpf || !hpt) {
				finding(&o, "DEV-C1", DJ_SEV_ERROR, "dev-2026",
					"2026 年细则：确定发展对象前须公示不少于 5 个工作日，缺少公示日期（publicized_from、publicized_to）（DEV-C1 ⚠️）");
			} else {
				int wd = 0;
				bool provisional = false;
				for (struct dj_date d = pub_from; dj_date_cmp(d, pub_to) <= 0 && wd < 400; d = dj_date_add_days(d, 1))
					wd += dj_calendar_workday(cal, d, &provisional);
				if (wd < 5 || dj_date_cmp(pub_to, target) > 0) {
					snprintf(msg, sizeof(msg), "公示 %s 至 %s 共 %d 个工作日%s，须不少于 5 个工作日且在确定发展对象之前（DEV-C1 ⚠️、S-5）",
						 fmt(pub_from, a), fmt(pub_to, b), wd,
						 provisional ? "（该年度未设置节假日日历，按周一至周五计，结果为暂定）" : "（按节假日日历计）");
					finding(&o, "DEV-C1", DJ_SEV_ERROR, "dev-2026", msg);
				}
			}
		}
	}
	/* DEV-C4: concentrated training ≥3 days or ≥24 学时. */
	if (t.has_days || t.has_hours) {
		if (t.training_days < 3 && t.training_hours < 24) {
			snprintf(msg, sizeof(msg), "集中培训 %lld 天、%lld 学时，须不少于 3 天或 24 学时（DEV-C4）",
				 (long long)t.training_days, (long long)t.training_hours);
			finding(&o, "DEV-C4", DJ_SEV_ERROR, htg ? set_for(&t, target) : "dev-2014", msg);
		}
	}
	/* DEV-D4 (dev-2026 ⚠️): the 支部大会 within 1 month after 预审 passes. */
	if (hpre && had && strcmp(set_for(&t, admitted), "dev-2026") == 0) {
		struct dj_date by = dj_date_add_months(pre, 1);
		if (dj_date_cmp(admitted, by) > 0) {
			snprintf(msg, sizeof(msg), "预审合格后应在一个月内提交支部大会讨论：应在 %s 前，实际 %s（DEV-D4 ⚠️）", fmt(by, a),
				 fmt(admitted, b));
			finding(&o, "DEV-D4", DJ_SEV_ERROR, "dev-2026", msg);
		}
	}
	/* DEV-D7: approval within 3 months of the branch resolution; special cases ≤6 months. */
	if (had && hap) {
		struct dj_date by = dj_date_add_months(admitted, 3), max = dj_date_add_months(admitted, 6);
		if (dj_date_cmp(approved, max) > 0) {
			snprintf(msg, sizeof(msg), "上级党委审批超过 6 个月的最长期限：最迟 %s，实际 %s（DEV-D7）", fmt(max, a),
				 fmt(approved, b));
			finding(&o, "DEV-D7", DJ_SEV_ERROR, set_for(&t, approved), msg);
		} else if (dj_date_cmp(approved, by) > 0) {
			snprintf(msg, sizeof(msg), "上级党委应在 3 个月内审批（%s 前），实际 %s，须有特殊情况说明（DEV-D7）", fmt(by, a),
				 fmt(approved, b));
			finding(&o, "DEV-D7", DJ_SEV_WARNING, set_for(&t, approved), msg);
		}
	}
	/* DEV-E1 (dev-2026 ⚠️): the oath generally within 1 month of approval. */
	if (hap && ho && strcmp(set_for(&t, oath), "dev-2026") == 0 && dj_date_cmp(oath, dj_date_add_months(approved, 1)) > 0) {
		snprintf(msg, sizeof(msg), "入党宣誓一般应在审批后一个月内（%s 前）组织，实际 %s（DEV-E1 ⚠️）",
			 fmt(dj_date_add_months(approved, 1), a), fmt(oath, b));
		finding(&o, "DEV-E1", DJ_SEV_WARNING, "dev-2026", msg);
	}
	/* DEV-T2: an extension is once, ≥6 and ≤12 months. */
	if (t.has_ext && t.extended_months != 0 && (t.extended_months < 6 || t.extended_months > 12)) {
		snprintf(msg, sizeof(msg), "延长预备期 %lld 个月不符合规定：延长时间不能少于半年，最长不超过一年（DEV-T2）",
			 (long long)t.extended_months);
		finding(&o, "DEV-T2", DJ_SEV_ERROR, had ? set_for(&t, admitted) : "dev-2014", msg);
	}
	/* DEV-T1/T6: probation 1 year from the 支部大会 (plus any extension); the conversion date is its end. */
	struct dj_date prob_end = { 0, 0, 0 };
	if (had) {
		prob_end = dj_date_add_months(admitted, 12 + (int)(t.has_ext ? t.extended_months : 0));
		if (hc && dj_date_cmp(converted, prob_end) != 0) {
			snprintf(msg, sizeof(msg), "转正日期应为预备期满之日 %s（即使审批在其后），填写的是 %s（DEV-T6）", fmt(prob_end, a),
				 fmt(converted, b));
			finding(&o, "DEV-T6", DJ_SEV_ERROR, set_for(&t, converted), msg);
		}
	}
	dj_jw_arr_end(w);
	/* Deadlines the secretary needs next. */
	dj_jw_key(w, "deadlines");
	dj_jw_obj_begin(w);
	if (hb)
		dj_jw_kstr(w, "eligible_from", fmt(dj_date_add_months(birth, 18 * 12), a));
	if (ha)
		dj_jw_kstr(w, "talk_by", fmt(dj_date_add_months(applied, 1), a));
	if (hac) {
		dj_jw_key(w, "assessments");
		dj_jw_arr_begin(w);
		dj_jw_str(w, fmt(dj_date_add_months(activist, 6), a));  /* DEV-B4: every 6 months */
		dj_jw_str(w, fmt(dj_date_add_months(activist, 12), a));
		dj_jw_arr_end(w);
		dj_jw_kstr(w, "earliest_target_on", fmt(dj_date_add_months(activist, 12), a));
	}
	if (hpre)
		dj_jw_kstr(w, "admission_meeting_by", fmt(dj_date_add_months(pre, 1), a));
	if (had) {
		dj_jw_kstr(w, "approval_by", fmt(dj_date_add_months(admitted, 3), a));
		dj_jw_kstr(w, "approval_max", fmt(dj_date_add_months(admitted, 6), a));
		dj_jw_kstr(w, "probation_end", fmt(prob_end, a));
		dj_jw_kstr(w, "conversion_date", fmt(prob_end, a));
		dj_jw_kstr(w, "party_age_from", fmt(prob_end, a));
		dj_jw_kstr(w, "conversion_approval_by", fmt(dj_date_add_months(prob_end, 3), a)); /* DEV-T5 🟡 */
	}
	if (hap)
		dj_jw_kstr(w, "oath_by", fmt(dj_date_add_months(approved, 1), a));
	dj_jw_obj_end(w);
	dj_jw_kint(w, "errors", o.n);
	dj_jw_obj_end(w);
	return DJ_OK;
}

/* org_stats.c — subtree statistics of active members (RULES.md STAT-3 bands, ages in 周岁 on a
 * date) and the pre-aggregated counts used by dashboards. */
#include <stdio.h>
#include <string.h>
#include "dj/codes.h"
#include "dj/org.h"
#include "dj/banned.h"

/* STAT-3 age bands. */
static const struct {
	const char *key;
	int lo, hi;
} age_bands[] = {
	{ "<=30", 0, 30 },  { "31-35", 31, 35 }, { "36-40", 36, 40 }, { "41-45", 41, 45 },
	{ "46-50", 46, 50 }, { "51-55", 51, 55 }, { "56-60", 56, 60 }, { ">=61", 61, 1000 },
};
#define NBANDS (sizeof(age_bands) / sizeof(age_bands[0]))

/* STAT-3 入党时间 bands by the 支部大会 admission date (RULES.md §9 boundaries 🟡). */
static const struct {
	const char *key, *label, *from; /* from inclusive; the next band's from is exclusive */
} join_periods[] = {
	{ "before_1949_10", "新中国成立前", "0000-00-00" },
	{ "to_1978_12", "新中国成立后至十一届三中全会前", "1949-10-01" },
	{ "to_2012_11", "十一届三中全会后至党的十八大前", "1978-12-18" },
	{ "since_2012_11", "党的十八大以来", "2012-11-08" },
};
#define NPERIODS (sizeof(join_periods) / sizeof(join_periods[0]))

static const char Q_MEMBERS[] =
	"SELECT sex, birth_date, category, education, occupation, joined_on FROM members"
	" WHERE org_path >= ? AND org_path < ? AND status = 'active' AND deleted_at IS NULL";
static const char Q_KINDS[] = "SELECT kind, COUNT(*) FROM orgs WHERE path >= ? AND path < ? GROUP BY kind ORDER BY kind";

struct counter {
	const char *key;
	int64_t n;
};

static void bump(struct counter *c, size_t *nc, size_t cap, struct dj_arena *a, const char *key)
{
	const char *k = key ? key : "unknown";
	for (size_t i = 0; i < *nc; i++)
		if (strcmp(c[i].key, k) == 0) {
			c[i].n++;
			return;
		}
	if (*nc < cap) {
		c[*nc].key = dj_arena_strdup(a, k);
		c[(*nc)++].n = 1;
	}
}

static void write_counter(struct dj_jw *w, const char *name, const struct counter *c, size_t n)
{
	dj_jw_key(w, name);
	dj_jw_obj_begin(w);
	for (size_t i = 0; i < n; i++)
		dj_jw_kint(w, c[i].key, c[i].n);
	dj_jw_obj_end(w);
}

dj_rc dj_org_stats(const struct dj_model_ctx *x, int64_t id, struct dj_date as_of, struct dj_jw *w)
{
	struct dj_org o;
	struct dj_scope sub;
	struct dj_stmt *s;
	char asof[11];
	int64_t total = 0, full = 0, prob = 0, male = 0, female = 0, band[NBANDS][3] = { { 0 } }, period[NPERIODS + 1] = { 0 };
	struct counter edu[32], occ[16];
	size_t nedu = 0, nocc = 0;
	dj_rc rc = dj_org_get(x->c, x->sc, id, x->a, &o);
	if (rc)
		return rc;
	dj_scope_set_path(&sub, o.path);
	dj_date_format(as_of, asof);
	if ((rc = dj_db_prepare(x->c, Q_MEMBERS, &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		const char *sex = dj_stmt_text(s, 0), *birth = dj_stmt_text(s, 1), *cat = dj_stmt_text(s, 2);
		const char *joined = dj_stmt_text(s, 5);
		if (joined && strcmp(joined, asof) > 0)
			continue; /* not yet a member on as_of */
		total++;
		if (cat && strcmp(cat, "full") == 0)
			full++;
		else
			prob++;
		int sx = sex && strcmp(sex, "1") == 0 ? 1 : sex && strcmp(sex, "2") == 0 ? 2 : 0;
		male += sx == 1;
		female += sx == 2;
		struct dj_date b;
		if (birth && dj_date_parse(birth, strlen(birth), &b) == DJ_OK) {
			int age = dj_date_age(b, as_of); /* 周岁 on as_of */
			for (size_t k = 0; k < NBANDS; k++)
				if (age >= age_bands[k].lo && age <= age_bands[k].hi)
					band[k][sx]++;
		}
		size_t p = NPERIODS; /* unknown */
		if (joined)
			for (p = NPERIODS; p > 0 && strcmp(joined, join_periods[p - 1].from) < 0; p--)
				;
		period[p == 0 ? NPERIODS : p - 1]++;
		bump(edu, &nedu, 32, x->a, dj_stmt_text(s, 3));
		bump(occ, &nocc, 16, x->a, dj_stmt_text(s, 4));
	}
	dj_stmt_reset(s);
	if (rc != DJ_DONE)
		return rc;
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "org_id", id);
	dj_jw_kstr(w, "as_of", asof);
	dj_jw_kint(w, "total", total);
	dj_jw_key(w, "by_category");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "full", full);
	dj_jw_kint(w, "probationary", prob);
	dj_jw_obj_end(w);
	dj_jw_key(w, "by_sex");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "male", male);
	dj_jw_kint(w, "female", female);
	dj_jw_obj_end(w);
	dj_jw_key(w, "by_age_band");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NBANDS; k++)
		dj_jw_kint(w, age_bands[k].key, band[k][0] + band[k][1] + band[k][2]);
	dj_jw_obj_end(w);
	dj_jw_key(w, "by_age_sex");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NBANDS; k++) {
		dj_jw_key(w, age_bands[k].key);
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "male", band[k][1]);
		dj_jw_kint(w, "female", band[k][2]);
		dj_jw_obj_end(w);
	}
	dj_jw_obj_end(w);
	write_counter(w, "by_education", edu, nedu);
	write_counter(w, "by_occupation", occ, nocc);
	dj_jw_key(w, "by_join_period");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NPERIODS; k++)
		dj_jw_kint(w, join_periods[k].key, period[k]);
	dj_jw_kint(w, "unknown", period[NPERIODS]);
	dj_jw_obj_end(w);
	dj_jw_key(w, "join_period_labels");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NPERIODS; k++)
		dj_jw_kstr(w, join_periods[k].key, join_periods[k].label);
	dj_jw_obj_end(w);
	dj_jw_key(w, "orgs_by_kind");
	dj_jw_obj_begin(w);
	if ((rc = dj_db_prepare(x->c, Q_KINDS, &s)))
		return rc;
	dj_stmt_bind_text(s, 1, sub.org_path);
	dj_stmt_bind_text(s, 2, sub.path_hi);
	while ((rc = dj_stmt_step(s)) == DJ_ROW)
		dj_jw_kint(w, dj_stmt_text(s, 0), dj_stmt_int(s, 1));
	dj_stmt_reset(s);
	dj_jw_obj_end(w);
	dj_jw_obj_end(w);
	return rc == DJ_DONE ? DJ_OK : rc;
}

dj_rc dj_org_counts(struct dj_db_conn *c, const struct dj_scope *sc, int64_t *full, int64_t *probationary)
{
	struct dj_stmt *s;
	*full = *probationary = 0;
	dj_rc rc = dj_db_prepare(c, "SELECT st.members_full, st.members_probationary FROM org_stats st"
				    " JOIN orgs o ON o.id = st.org_id WHERE o.id = ? AND o.path = ?", &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, sc->org_id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	if (dj_stmt_step(s) == DJ_ROW) {
		*full = dj_stmt_int(s, 0);
		*probationary = dj_stmt_int(s, 1);
	}
	dj_stmt_reset(s);
	return DJ_OK;
}

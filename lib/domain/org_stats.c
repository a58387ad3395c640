/* org_stats.c — subtree statistics of active members (RULES.md STAT-3 bands, ages in 周岁 on a
 * date) from the pre-aggregated figures (org_member_facets), and the counts used by dashboards. */
#include <stdio.h>
#include <string.h>
#include "dj/codes.h"
#include "dj/date.h"
#include "dj/member.h"
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

#define NPERIODS DJ_MEMBER_JOIN_PERIODS

/* The figures come from org_member_facets (kept by every member write, see member.h): counts over
 * all active members of the subtree. STAT-3 counts only those who had joined on as_of, so members
 * with joined_on > as_of are read from the register and taken off; as joined_on is never in the
 * future (member.c), only a past as_of in a month somebody of the subtree joined in or after
 * needs that read, and it reads just the members who joined after as_of. */
static const char Q_FACET[] = "SELECT key, n FROM org_member_facets WHERE org_id = ? AND dim = ? AND n <> 0";
static const char Q_FACET_RANGE[] =
	"SELECT key, n FROM org_member_facets WHERE org_id = ? AND dim = ? AND key >= ? AND key < ? AND n <> 0";
static const char Q_LATE_COUNT[] =
	"SELECT COALESCE(SUM(n), 0) FROM org_member_facets WHERE org_id = ? AND dim = 'jm' AND key >= ?";
/* Only joined_on is constrained, so the planner walks members_joined_on (migration 12) over the
 * late joiners alone; status, deletion and subtree are checked here (a status or path range in
 * the SQL would let it walk a whole subtree or every active member instead). */
static const char Q_LATE[] =
	"SELECT org_path, status, deleted_at IS NOT NULL, sex, birth_date, category, education, occupation, joined_on"
	" FROM members WHERE joined_on > ?";
struct counter {
	const char *key;
	int64_t n;
};

/* The whole answer before it is written. */
struct tally {
	struct dj_date as_of;
	int64_t cat[3]; /* full, probationary, other */
	int64_t sex[3]; /* other, male, female */
	int64_t band[NBANDS][3];
	int64_t period[NPERIODS + 1];
	struct counter edu[32], occ[32];
	size_t nedu, nocc;
};

static void bump(struct counter *c, size_t *nc, size_t cap, struct dj_arena *a, const char *k, int64_t n)
{
	for (size_t i = 0; i < *nc; i++)
		if (strcmp(c[i].key, k) == 0) {
			c[i].n += n;
			return;
		}
	if (*nc < cap) {
		c[*nc].key = dj_arena_strdup(a, k);
		c[(*nc)++].n = n;
	}
}

/* The STAT-3 band of an age (-1: none). */
static int band_of(int age)
{
	for (size_t k = 0; k < NBANDS; k++)
		if (age >= age_bands[k].lo && age <= age_bands[k].hi)
			return (int)k;
	return -1;
}

/* The sex index of a "…|s" birth key. */
static int key_sex(const char *key)
{
	const char *bar = strchr(key, '|');
	return bar && bar[1] == '1' ? 1 : bar && bar[1] == '2' ? 2 : 0;
}

/* n members with this key of dimension dim (not DJ_MF_BIRTH_MONTH: see month_bands). */
static void tally_key(struct tally *t, struct dj_arena *a, int dim, const char *key, int64_t n)
{
	struct dj_date b;
	int k;
	switch (dim) {
	case DJ_MF_CAT:
		t->cat[strcmp(key, "full") == 0 ? 0 : strcmp(key, "probationary") == 0 ? 1 : 2] += n;
		break;
	case DJ_MF_SEX:
		t->sex[key[0] == '1' ? 1 : key[0] == '2' ? 2 : 0] += n;
		break;
	case DJ_MF_BIRTH_DAY:
		if (dj_date_parse(key, 10, &b) == DJ_OK && (k = band_of(dj_date_age(b, t->as_of))) >= 0)
			t->band[k][key_sex(key)] += n; /* 周岁 on as_of (S-7) */
		break;
	case DJ_MF_EDU:
		bump(t->edu, &t->nedu, sizeof(t->edu) / sizeof(t->edu[0]), a, key, n);
		break;
	case DJ_MF_OCC:
		bump(t->occ, &t->nocc, sizeof(t->occ) / sizeof(t->occ[0]), a, key, n);
		break;
	case DJ_MF_PERIOD:
		t->period[key[0] >= '0' && key[0] < '0' + NPERIODS ? key[0] - '0' : NPERIODS] += n;
		break;
	default:
		break;
	}
}
/* Rows of one dimension of org id into t; with lo/hi only keys in [lo, hi). */
static dj_rc read_dim(const struct dj_model_ctx *x, int64_t id, int dim, const char *lo, const char *hi, struct tally *t)
{
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, lo ? Q_FACET_RANGE : Q_FACET, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, dj_member_facet_names[dim]);
	if (lo) {
		dj_stmt_bind_text(s, 3, lo);
		dj_stmt_bind_text(s, 4, hi);
	}
	while ((rc = dj_stmt_step(s)) == DJ_ROW)
		tally_key(t, x->a, dim, dj_stmt_text(s, 0), dj_stmt_int(s, 1));
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

/* The first day of a "YYYY-MM…" key's month (by hand: this runs for every birth-month row). */
static bool month_of(const char *k, struct dj_date *d)
{
	for (int i = 0; i < 7; i++)
		if (i == 4 ? k[i] != '-' : k[i] < '0' || k[i] > '9')
			return false;
	d->y = (k[0] - '0') * 1000 + (k[1] - '0') * 100 + (k[2] - '0') * 10 + (k[3] - '0');
	d->m = (k[5] - '0') * 10 + (k[6] - '0');
	d->d = 1;
	return d->m >= 1 && d->m <= 12;
}

/* Age bands from the birth-month rows. Age is monotone in the birth date, so when a month's
 * first and last day fall in the same band every day between does; only the few months a band
 * boundary crosses (at most one per boundary) are read again by day. Exact for any as_of. */
static dj_rc month_bands(const struct dj_model_ctx *x, int64_t id, struct tally *t)
{
	char split[2 * NBANDS][8], lo[9], hi[9];
	size_t nsplit = 0;
	struct dj_stmt *s;
	dj_rc rc = dj_db_prepare(x->c, Q_FACET, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, dj_member_facet_names[DJ_MF_BIRTH_MONTH]);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		const char *key = dj_stmt_text(s, 0);
		struct dj_date first, last;
		if (!key || !month_of(key, &first))
			continue; /* keys are written from valid dates */
		last = first;
		last.d = dj_date_mdays(first.y, first.m);
		int k1 = band_of(dj_date_age(first, t->as_of)), k2 = band_of(dj_date_age(last, t->as_of));
		if (k1 == k2) {
			if (k1 >= 0)
				t->band[k1][key_sex(key)] += dj_stmt_int(s, 1);
		} else if (nsplit == 0 || strncmp(split[nsplit - 1], key, 7) != 0) {
			if (nsplit == sizeof(split) / sizeof(split[0])) {
				rc = DJ_ERR_INTERNAL; /* cannot happen: one month per band boundary */
				break;
			}
			snprintf(split[nsplit++], sizeof(split[0]), "%.7s", key);
		}
	}
	dj_stmt_reset(s);
	if (rc != DJ_DONE)
		return rc;
	for (size_t i = 0; i < nsplit; i++) {
		snprintf(lo, sizeof(lo), "%s-", split[i]); /* "YYYY-MM-" ≤ "YYYY-MM-DD|s" < "YYYY-MM." */
		snprintf(hi, sizeof(hi), "%s.", split[i]);
		if ((rc = read_dim(x, id, DJ_MF_BIRTH_DAY, lo, hi, t)))
			return rc;
	}
	return DJ_OK;
}

/* Take off the members of the subtree who joined after as_of (see the comment at the top). */
static dj_rc late_joiners(const struct dj_model_ctx *x, int64_t id, const struct dj_scope *sub, const char *asof,
			  struct tally *t)
{
	struct dj_stmt *s;
	char month[8];
	int64_t late = 0;
	snprintf(month, sizeof(month), "%.7s", asof);
	dj_rc rc = dj_db_prepare(x->c, Q_LATE_COUNT, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, month);
	if ((rc = dj_stmt_step(s)) == DJ_ROW)
		late = dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	if (rc != DJ_ROW)
		return rc;
	if (!late)
		return DJ_OK;
	if ((rc = dj_db_prepare(x->c, Q_LATE, &s)))
		return rc;
	dj_stmt_bind_text(s, 1, asof);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		struct dj_member_facts f;
		const char *path = dj_stmt_text(s, 0);
		if (!path || strcmp(path, sub->org_path) < 0 || strcmp(path, sub->path_hi) >= 0)
			continue; /* outside the subtree */
		dj_member_facts_set(&f, path, dj_stmt_text(s, 1), dj_stmt_int(s, 2) != 0, dj_stmt_text(s, 3),
				    dj_stmt_text(s, 4), dj_stmt_text(s, 5), dj_stmt_text(s, 6), dj_stmt_text(s, 7),
				    dj_stmt_text(s, 8));
		if (!f.counted)
			continue; /* not active, or deleted */
		for (int d = 0; d < DJ_MF_N; d++)
			if (d != DJ_MF_BIRTH_MONTH && f.key[d][0])
				tally_key(t, x->a, d, f.key[d], -1);
	}
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

static void write_counter(struct dj_jw *w, const char *name, const struct counter *c, size_t n)
{
	dj_jw_key(w, name);
	dj_jw_obj_begin(w);
	for (size_t i = 0; i < n; i++)
		if (c[i].n > 0)
			dj_jw_kint(w, c[i].key, c[i].n);
	dj_jw_obj_end(w);
}

dj_rc dj_org_stats(const struct dj_model_ctx *x, int64_t id, struct dj_date as_of, struct dj_jw *w)
{
	static const int dims[] = { DJ_MF_CAT, DJ_MF_SEX, DJ_MF_EDU, DJ_MF_OCC, DJ_MF_PERIOD };
	struct dj_org o;
	struct dj_scope sub;
	char asof[11];
	struct tally *t = dj_arena_alloc(x->a, sizeof(*t));
	dj_rc rc = dj_org_get(x->c, x->sc, id, x->a, &o);
	if (rc)
		return rc;
	memset(t, 0, sizeof(*t));
	t->as_of = as_of;
	dj_scope_set_path(&sub, o.path);
	dj_date_format(as_of, asof);
	for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
		if ((rc = read_dim(x, id, dims[i], NULL, NULL, t)))
			return rc;
	if ((rc = month_bands(x, id, t)) || (rc = late_joiners(x, id, &sub, asof, t)))
		return rc;
	int64_t total = t->cat[0] + t->cat[1] + t->cat[2];
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "org_id", id);
	dj_jw_kstr(w, "as_of", asof);
	dj_jw_kint(w, "total", total);
	dj_jw_key(w, "by_category");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "full", t->cat[0]);
	dj_jw_kint(w, "probationary", total - t->cat[0]);
	dj_jw_obj_end(w);
	dj_jw_key(w, "by_sex");
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "male", t->sex[1]);
	dj_jw_kint(w, "female", t->sex[2]);
	dj_jw_obj_end(w);
	dj_jw_key(w, "by_age_band");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NBANDS; k++)
		dj_jw_kint(w, age_bands[k].key, t->band[k][0] + t->band[k][1] + t->band[k][2]);
	dj_jw_obj_end(w);
	dj_jw_key(w, "by_age_sex");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NBANDS; k++) {
		dj_jw_key(w, age_bands[k].key);
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "male", t->band[k][1]);
		dj_jw_kint(w, "female", t->band[k][2]);
		dj_jw_obj_end(w);
	}
	dj_jw_obj_end(w);
	write_counter(w, "by_education", t->edu, t->nedu);
	write_counter(w, "by_occupation", t->occ, t->nocc);
	dj_jw_key(w, "by_join_period");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NPERIODS; k++)
		dj_jw_kint(w, dj_member_join_periods[k].key, t->period[k]);
	dj_jw_kint(w, "unknown", t->period[NPERIODS]);
	dj_jw_obj_end(w);
	dj_jw_key(w, "join_period_labels");
	dj_jw_obj_begin(w);
	for (size_t k = 0; k < NPERIODS; k++)
		dj_jw_kstr(w, dj_member_join_periods[k].key, dj_member_join_periods[k].label);
	dj_jw_obj_end(w);
	dj_jw_key(w, "orgs_by_kind");
	dj_jw_obj_begin(w);
	if ((rc = dj_org_kinds_write(x->c, id, w, NULL)))
		return rc;
	dj_jw_obj_end(w);
	dj_jw_obj_end(w);
	return DJ_OK;
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

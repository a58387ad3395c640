/* test_meeting.c — unit tests for the vote thresholds of RULES.md §1 and §3.2: S-1 "超过半数"
 * (floor(n/2)+1), S-2 "超过 4/5" (floor(4n/5)+1) and its "不少于 4/5" variant (ceil(4n/5)), as
 * table-driven vectors plus a brute-force definition check; then the same thresholds applied by
 * dj_meeting_vote_add on a real store in a temp directory (VOTE-2, VOTE-4, ELE-4/ELE-5, and the
 * tallies it must refuse). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "dj/alloc.h"
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/db.h"
#include "dj/log.h"
#include "dj/meeting.h"
#include "dj/schema.h"
#include "dj/banned.h"

/* ---- pure thresholds ----------------------------------------------------------------------------- */

struct vec {
	int64_t n, want;
};

/* S-1 vectors from RULES.md §1, plus the degenerate sizes. */
static const struct vec majority[] = {
	{ 0, 1 }, { 1, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 5, 3 }, { 6, 4 }, { 7, 4 },
	{ 10, 6 }, { 11, 6 }, { 25, 13 }, { 50, 26 },
};

/* S-2 strict ("超过应到会人数的4/5") vectors from RULES.md §1. */
static const struct vec four_fifths_strict[] = {
	{ 5, 5 }, { 7, 6 }, { 10, 9 }, { 11, 9 }, { 25, 21 }, { 50, 41 },
};

/* S-2 "不少于4/5" (some local 选举办法 templates) vectors from RULES.md §1. */
static const struct vec four_fifths_not_less[] = {
	{ 10, 8 }, { 25, 20 }, { 50, 40 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_majority_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(majority); i++) {
		int64_t got = dj_vote_majority_min(majority[i].n);
		if (got != majority[i].want)
			fail_msg("S-1: n=%lld → want %lld, got %lld", (long long)majority[i].n, (long long)majority[i].want,
				 (long long)got);
	}
}

static void test_four_fifths_strict_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(four_fifths_strict); i++) {
		int64_t got = dj_vote_four_fifths_min(four_fifths_strict[i].n, true);
		if (got != four_fifths_strict[i].want)
			fail_msg("S-2 strict: n=%lld → want %lld, got %lld", (long long)four_fifths_strict[i].n,
				 (long long)four_fifths_strict[i].want, (long long)got);
	}
}

static void test_four_fifths_not_less_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(four_fifths_not_less); i++) {
		int64_t got = dj_vote_four_fifths_min(four_fifths_not_less[i].n, false);
		if (got != four_fifths_not_less[i].want)
			fail_msg("S-2 不少于: n=%lld → want %lld, got %lld", (long long)four_fifths_not_less[i].n,
				 (long long)four_fifths_not_less[i].want, (long long)got);
	}
}

/* The definitions themselves, by brute force over 0..1000: the least k with 2k > n, 5k > 4n and
 * 5k >= 4n (for n ≥ 1; a meeting of nobody is never quorate, so 0 is not checked for 4/5). */
static void test_thresholds_match_definition(void **state)
{
	(void)state;
	for (int64_t n = 0; n <= 1000; n++) {
		int64_t k = 0;
		while (!(2 * k > n))
			k++;
		assert_int_equal(dj_vote_majority_min(n), k);
		if (n == 0)
			continue;
		k = 0;
		while (!(5 * k > 4 * n))
			k++;
		assert_int_equal(dj_vote_four_fifths_min(n, true), k);
		k = 0;
		while (!(5 * k >= 4 * n))
			k++;
		assert_int_equal(dj_vote_four_fifths_min(n, false), k);
		/* The strict threshold never undercuts the lenient one, and exceeds it by at most 1. */
		assert_true(dj_vote_four_fifths_min(n, true) - dj_vote_four_fifths_min(n, false) <= 1);
		assert_true(dj_vote_four_fifths_min(n, true) >= dj_vote_four_fifths_min(n, false));
		/* A threshold never exceeds the number who should attend (a full meeting can always act). */
		assert_true(dj_vote_majority_min(n) <= n);
		assert_true(dj_vote_four_fifths_min(n, true) <= n);
	}
}

/* ---- dj_meeting_vote_add on a real store ------------------------------------------------------- */

static char tmpdir[256];
static struct dj_db *db;
static int64_t meeting_id;
static const struct dj_actor actor = { 0, "unit-test", "local" };

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	char path[300], ts[26], today[11];
	struct dj_db_conn *c;
	struct dj_stmt *s;
	dj_log_set_level(DJ_LOG_OFF);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dj-test-meeting-XXXXXX");
	if (!mkdtemp(tmpdir) || dj_auth_init() != DJ_OK)
		return -1;
	snprintf(path, sizeof(path), "%s/m.db", tmpdir);
	if (dj_schema_open(path, 1, DJ_DB_CREATE, &db) != DJ_OK)
		return -1;
	/* One branch at the root, and one held 支部党员大会 created through the domain function. */
	if (dj_db_begin(db, &c) != DJ_OK)
		return -1;
	dj_time_rfc3339(dj_time_now(), ts);
	if (dj_db_prepare(c, "INSERT INTO orgs(id, parent_id, path, depth, name, kind, created_at, updated_at)"
			     " VALUES (1, NULL, '/1/', 1, '单元测试党支部', 'branch', ?, ?)", &s) != DJ_OK)
		return -1;
	dj_stmt_bind_text(s, 1, ts);
	dj_stmt_bind_text(s, 2, ts);
	if (dj_stmt_exec(s) != DJ_OK)
		return -1;
	struct dj_scope sc;
	memset(&sc, 0, sizeof(sc));
	sc.role = DJ_ROLE_ADMIN;
	sc.org_id = 1;
	dj_scope_set_path(&sc, "/1/");
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_model_ctx x = { c, &sc, &actor, NULL, &a };
	struct dj_value vals[32];
	struct dj_model_err err = { 0 };
	char body[256];
	dj_date_format(dj_date_today(), today);
	snprintf(body, sizeof(body), "{\"org_id\":1,\"title\":\"单元测试支部党员大会\",\"types\":[\"branch_congress\"],"
				     "\"held_on\":\"%s\"}", today);
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	dj_rc rc = j ? dj_model_unpack(&dj_meeting_entity, j, true, &a, vals, &err) : DJ_ERR_INVALID;
	if (!rc)
		rc = dj_meeting_create(&x, vals, &meeting_id, &err);
	json_decref(j);
	dj_arena_release(&a);
	if (rc) {
		fprintf(stderr, "meeting create: %s %s\n", err.field ? err.field : "", err.msg);
		dj_db_rollback(c);
		return -1;
	}
	return dj_db_commit(c) == DJ_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dj_db_close(db);
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

struct vote_case {
	const char *kind;
	int64_t eligible, present, yes, no, abstain, written;
	dj_rc rc;          /* DJ_OK or the refusal */
	const char *field; /* refusal: the field named */
	int quorum, passed;
};

/* Adds one vote in its own transaction; checks the stored decision and explanation. */
static void run_case(const struct vote_case *vc, size_t i)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	char body[300];
	struct dj_scope sc;
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_model_err err = { 0 };
	int64_t vid = 0;
	memset(&sc, 0, sizeof(sc));
	sc.role = DJ_ROLE_ADMIN;
	sc.org_id = 1;
	dj_scope_set_path(&sc, "/1/");
	snprintf(body, sizeof(body),
		 "{\"subject\":\"表决事项 %zu\",\"kind\":\"%s\",\"eligible\":%lld,\"present_voting\":%lld,\"yes\":%lld,"
		 "\"no\":%lld,\"abstain\":%lld,\"written_yes\":%lld}",
		 i, vc->kind, (long long)vc->eligible, (long long)vc->present, (long long)vc->yes, (long long)vc->no,
		 (long long)vc->abstain, (long long)vc->written);
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	assert_non_null(j);
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	struct dj_model_ctx x = { c, &sc, &actor, NULL, &a };
	dj_rc rc = dj_meeting_vote_add(&x, meeting_id, j, &vid, &err);
	json_decref(j);
	if (rc != vc->rc) {
		dj_db_rollback(c);
		dj_arena_release(&a);
		fail_msg("case %zu (%s n=%lld present=%lld yes=%lld written=%lld): want rc %d, got %d (%s)", i, vc->kind,
			 (long long)vc->eligible, (long long)vc->present, (long long)vc->yes, (long long)vc->written, vc->rc,
			 rc, err.msg);
	}
	if (rc) {
		if (vc->field)
			assert_string_equal(err.field, vc->field);
		assert_true(strlen(err.msg) > 0);
		dj_db_rollback(c);
		dj_arena_release(&a);
		return;
	}
	assert_int_equal(dj_db_prepare(c, "SELECT quorum, passed, explanation, eligible, present_voting FROM meeting_votes"
					  " WHERE id = ?", &s),
			 DJ_OK);
	dj_stmt_bind_int(s, 1, vid);
	assert_int_equal(dj_stmt_step(s), DJ_ROW);
	int quorum = (int)dj_stmt_int(s, 0), passed = (int)dj_stmt_int(s, 1);
	char expl[600], want[80];
	snprintf(expl, sizeof(expl), "%s", dj_stmt_text(s, 2));
	assert_int_equal(dj_stmt_int(s, 3), vc->eligible);
	assert_int_equal(dj_stmt_int(s, 4), vc->present);
	dj_stmt_reset(s);
	assert_int_equal(dj_db_commit(c), DJ_OK);
	dj_arena_release(&a);
	if (quorum != vc->quorum || passed != vc->passed)
		fail_msg("case %zu (%s n=%lld present=%lld yes=%lld written=%lld): want quorum=%d passed=%d, got %d %d: %s", i,
			 vc->kind, (long long)vc->eligible, (long long)vc->present, (long long)vc->yes,
			 (long long)vc->written, vc->quorum, vc->passed, quorum, passed, expl);
	/* The explanation carries the numbers the decision was made on. */
	snprintf(want, sizeof(want), "应到会有表决权党员 %lld 人，实到 %lld 人", (long long)vc->eligible,
		 (long long)vc->present);
	if (!strstr(expl, want))
		fail_msg("case %zu: explanation lacks \"%s\": %s", i, want, expl);
	snprintf(want, sizeof(want), "至少 %lld 票", (long long)dj_vote_majority_min(vc->eligible));
	if (!strstr(expl, want))
		fail_msg("case %zu: explanation lacks \"%s\": %s", i, want, expl);
	if (!strstr(expl, !quorum ? "未达到法定人数" : passed ? "通过" : "未通过"))
		fail_msg("case %zu: explanation lacks the verdict: %s", i, expl);
}

/* Resolutions (VOTE-2): quorum at floor(n/2)+1 present, passing at floor(n/2)+1 yes of those
 * who should attend (not of those present), for every S-1 vector size. */
static void test_vote_resolution_thresholds(void **state)
{
	(void)state;
	static const int64_t sizes[] = { 1, 2, 3, 4, 5, 6, 7, 10, 11, 25, 50 };
	size_t k = 0;
	for (size_t i = 0; i < N_OF(sizes); i++) {
		int64_t n = sizes[i], m = dj_vote_majority_min(n);
		struct vote_case cases[] = {
			/* everyone present: m yes passes, m-1 yes does not */
			{ "resolution", n, n, m, n - m, 0, 0, DJ_OK, NULL, 1, 1 },
			{ "resolution", n, n, m - 1, 0, n - m + 1, 0, DJ_OK, NULL, 1, 0 },
			/* exactly the quorum present, all in favour: passes */
			{ "resolution", n, m, m, 0, 0, 0, DJ_OK, NULL, 1, 1 },
			/* one short of the quorum (floor(n/2) present): no valid vote at all */
			{ "resolution", n, m - 1, m - 1, 0, 0, 0, DJ_OK, NULL, 0, 0 },
			/* written opinions are only for admission and conversion (VOTE-4): refused on a resolution */
			{ "resolution", n, m, m - 1, 0, 0, n - m > 0 ? 1 : 0, n - m > 0 ? DJ_ERR_INVALID : DJ_OK, NULL, 1, 0 },
		};
		for (size_t c = 0; c < N_OF(cases); c++)
			run_case(&cases[c], k++);
	}
}

/* 接收预备党员 / 转正 (VOTE-4): written opinions submitted before the meeting count as votes. */
static void test_vote_admission_written(void **state)
{
	(void)state;
	static const struct vote_case cases[] = {
		/* n=10: 6 yes needed; 5 present yes + 1 written yes passes */
		{ "admission", 10, 6, 5, 1, 0, 1, DJ_OK, NULL, 1, 1 },
		{ "conversion", 10, 6, 5, 1, 0, 1, DJ_OK, NULL, 1, 1 },
		/* without the written opinion it fails */
		{ "admission", 10, 6, 5, 1, 0, 0, DJ_OK, NULL, 1, 0 },
		/* n=25: 13 needed; 11 + 2 written passes, 11 + 1 does not */
		{ "admission", 25, 20, 11, 9, 0, 2, DJ_OK, NULL, 1, 1 },
		{ "admission", 25, 20, 11, 9, 0, 1, DJ_OK, NULL, 1, 0 },
		/* written opinions do not make a quorum: 5 of 10 present is not more than half */
		{ "admission", 10, 5, 5, 0, 0, 5, DJ_OK, NULL, 0, 0 },
	};
	for (size_t c = 0; c < N_OF(cases); c++)
		run_case(&cases[c], 100 + c);
}

/* Elections (ELE-4, S-2 strict by default): more than 4/5 present; elected with more than half
 * of those who should attend (ELE-5). */
static void test_vote_election_thresholds(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(four_fifths_strict); i++) {
		int64_t n = four_fifths_strict[i].n, q = four_fifths_strict[i].want, m = dj_vote_majority_min(n);
		struct vote_case cases[] = {
			{ "election", n, q, m, q - m, 0, 0, DJ_OK, NULL, 1, 1 },
			{ "election", n, q, m - 1, q - m + 1, 0, 0, DJ_OK, NULL, 1, 0 },
			{ "election", n, q - 1, q - 1, 0, 0, 0, DJ_OK, NULL, 0, 0 },
		};
		for (size_t c = 0; c < N_OF(cases); c++)
			run_case(&cases[c], 200 + i * 10 + c);
	}
}

/* Tallies that cannot happen are refused, nothing stored. */
static void test_vote_impossible_tallies(void **state)
{
	(void)state;
	static const struct vote_case cases[] = {
		/* more present than should attend */
		{ "resolution", 5, 6, 3, 0, 0, 0, DJ_ERR_INVALID, "yes", 0, 0 },
		/* more ballots than people present */
		{ "resolution", 10, 6, 5, 2, 0, 0, DJ_ERR_INVALID, "yes", 0, 0 },
		{ "election", 10, 9, 9, 1, 0, 0, DJ_ERR_INVALID, "yes", 0, 0 },
		{ "admission", 10, 6, 4, 2, 1, 0, DJ_ERR_INVALID, "yes", 0, 0 },
		/* bad kind */
		{ "acclamation", 10, 6, 6, 0, 0, 0, DJ_ERR_INVALID, "kind", 0, 0 },
	};
	for (size_t c = 0; c < N_OF(cases); c++)
		run_case(&cases[c], 900 + c);
	struct dj_db_conn *c;
	struct dj_stmt *s;
	assert_int_equal(dj_db_reader(db, &c), DJ_OK);
	assert_int_equal(dj_db_prepare(c, "SELECT COUNT(*) FROM meeting_votes WHERE subject LIKE '表决事项 90%'", &s), DJ_OK);
	assert_int_equal(dj_stmt_step(s), DJ_ROW);
	assert_int_equal(dj_stmt_int(s, 0), 0);
	dj_stmt_reset(s);
	dj_db_release(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_majority_vectors),
		cmocka_unit_test(test_four_fifths_strict_vectors),
		cmocka_unit_test(test_four_fifths_not_less_vectors),
		cmocka_unit_test(test_thresholds_match_definition),
		cmocka_unit_test(test_vote_resolution_thresholds),
		cmocka_unit_test(test_vote_admission_written),
		cmocka_unit_test(test_vote_election_thresholds),
		cmocka_unit_test(test_vote_impossible_tallies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

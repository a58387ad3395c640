/* test_rules.c — the dues-2008 vectors of RULES.md §6 and the worked development timeline of §4.2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dj/develop.h"
#include "dj/dues.h"
#include "dj/slice.h"

static void test_dues_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *cat, *base, *amount, *rule;
	} v[] = {
		{ "employed", "0", "0.00", "FEE-2" },	       { "employed", "2999.99", "15.00", "FEE-2" },
		{ "employed", "3000", "15.00", "FEE-2" },      { "employed", "3000.01", "30.00", "FEE-2" },
		{ "employed", "4500", "45.00", "FEE-2" },      { "employed", "5000", "50.00", "FEE-2" },
		{ "employed", "5000.01", "75.00", "FEE-2" },   { "employed", "8000", "120.00", "FEE-2" },
		{ "employed", "10000", "150.00", "FEE-2" },    { "employed", "10000.01", "200.00", "FEE-2" },
		{ "employed", "12345.67", "246.91", "FEE-2" }, { "retired", "3000", "15.00", "FEE-5" },
		{ "retired", "5000", "25.00", "FEE-5" },       { "retired", "5000.01", "50.00", "FEE-5" },
		{ "retired", "6200", "62.00", "FEE-5" },       { "student", "0", "0.20", "FEE-6" },
		{ "unemployed", "9999", "0.20", "FEE-6" },     { "subsistence", "0", "0.20", "FEE-6" },
		{ "annual_salary", "20000", "400.00", "FEE-3" }, { "self_employed", "4000", "40.00", "FEE-4" },
	};
	struct dj_dues_settings st = DJ_DUES_SETTINGS_DEFAULT;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t base;
		char buf[24];
		struct dj_dues_result r;
		assert_int_equal(dj_parse_yuan(v[i].base, &base), DJ_OK);
		assert_int_equal(dj_dues_calc(v[i].cat, base, &st, &r), DJ_OK);
		if (strcmp(dj_fen_format(r.amount_fen, buf, sizeof(buf)), v[i].amount) != 0)
			fail_msg("%s %s: got %s want %s", v[i].cat, v[i].base, buf, v[i].amount);
		assert_string_equal(r.rule, v[i].rule);
		assert_non_null(strstr(r.explanation, "元"));
	}
}

static void test_dues_settings(void **state)
{
	(void)state;
	struct dj_dues_settings st = DJ_DUES_SETTINGS_DEFAULT;
	struct dj_dues_result r;
	/* FEE-6: farmers pay the provincial figure (20..100 分). */
	st.farmer_fen = 50;
	assert_int_equal(dj_dues_calc("farmer", 0, &st, &r), DJ_OK);
	assert_int_equal(r.amount_fen, 50);
	/* FEE-16: rounding down / up and a cap. 2999.99 × 0.5% = 14.99995 元. */
	st.rounding = 1;
	assert_int_equal(dj_dues_calc("employed", 299999, &st, &r), DJ_OK);
	assert_int_equal(r.amount_fen, 1499);
	st.rounding = 2;
	assert_int_equal(dj_dues_calc("employed", 299901, &st, &r), DJ_OK);
	assert_int_equal(r.amount_fen, 1500);
	st.rounding = 0;
	st.cap_fen = 10000;
	assert_int_equal(dj_dues_calc("employed", 1234567, &st, &r), DJ_OK);
	assert_int_equal(r.amount_fen, 10000);
	assert_int_equal(dj_dues_calc("nobody", 0, &st, &r), DJ_ERR_INVALID);
	assert_int_equal(dj_dues_calc("employed", -1, &st, &r), DJ_ERR_INVALID);
}

/* Runs the check on a JSON timeline and returns the parsed result (caller decrefs). */
static json_t *check(const char *timeline, const char *switch_on)
{
	json_error_t je;
	json_t *tl = json_loads(timeline, 0, &je);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	struct dj_date sw;
	const char *field = NULL;
	char err[256];
	assert_non_null(tl);
	assert_int_equal(dj_date_parse(switch_on, 10, &sw), DJ_OK);
	dj_jw_init(&w, &sb);
	assert_int_equal(dj_develop_check(tl, sw, &w, &field, err, sizeof(err)), DJ_OK);
	json_decref(tl);
	json_t *out = json_loads(sb.buf, 0, &je);
	dj_strbuf_release(&sb);
	assert_non_null(out);
	return out;
}

static bool has_rule(json_t *out, const char *rule)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(out, "findings"), i, f) if (strcmp(json_string_value(json_object_get(f, "rule")), rule) ==
								  0) return true;
	return false;
}

static const char *deadline(json_t *out, const char *k)
{
	return json_string_value(json_object_get(json_object_get(out, "deadlines"), k));
}

static void test_worked_timeline(void **state)
{
	(void)state;
	/* RULES.md §4.2, 2014 rules. */
	json_t *o = check("{\"rule_set\":\"dev-2014\",\"applied_on\":\"2025-01-15\",\"talked_on\":\"2025-02-16\","
			  "\"activist_on\":\"2025-03-10\",\"target_on\":\"2026-03-09\",\"admitted_on\":\"2026-06-20\"}",
			  "2026-05-18");
	assert_string_equal(deadline(o, "talk_by"), "2025-02-15");
	assert_true(has_rule(o, "DEV-A3")); /* 2025-02-16 is overdue */
	assert_true(has_rule(o, "DEV-C1")); /* 2026-03-09 is a day early */
	assert_string_equal(deadline(o, "earliest_target_on"), "2026-03-10");
	json_t *as = json_object_get(json_object_get(o, "deadlines"), "assessments");
	assert_string_equal(json_string_value(json_array_get(as, 0)), "2025-09-10");
	assert_string_equal(json_string_value(json_array_get(as, 1)), "2026-03-10");
	assert_string_equal(deadline(o, "approval_by"), "2026-09-20");
	assert_string_equal(deadline(o, "approval_max"), "2026-12-20");
	assert_string_equal(deadline(o, "probation_end"), "2027-06-20");
	assert_string_equal(deadline(o, "conversion_date"), "2027-06-20");
	assert_string_equal(deadline(o, "party_age_from"), "2027-06-20");
	json_decref(o);
	/* On time: talk on the deadline, target exactly one year on. */
	o = check("{\"rule_set\":\"dev-2014\",\"applied_on\":\"2025-01-15\",\"talked_on\":\"2025-02-15\","
		  "\"activist_on\":\"2025-03-10\",\"target_on\":\"2026-03-10\"}",
		  "2026-05-18");
	assert_int_equal(json_array_size(json_object_get(o, "findings")), 0);
	json_decref(o);
	/* Training: 2 days / 16 h error; 3 days / 20 h and 2 days / 24 h pass (DEV-C4). */
	static const struct {
		const char *tl;
		bool bad;
	} tr[] = {
		{ "{\"training_days\":2,\"training_hours\":16}", true },
		{ "{\"training_days\":3,\"training_hours\":20}", false },
		{ "{\"training_days\":2,\"training_hours\":24}", false },
	};
	for (size_t i = 0; i < 3; i++) {
		o = check(tr[i].tl, "2026-05-18");
		assert_int_equal(has_rule(o, "DEV-C4"), tr[i].bad);
		json_decref(o);
	}
	/* Conversion date is the probation end even when approval comes later; extension bounds. */
	o = check("{\"rule_set\":\"dev-2014\",\"admitted_on\":\"2026-06-20\",\"converted_on\":\"2027-08-01\"}", "2026-05-18");
	assert_true(has_rule(o, "DEV-T6"));
	json_decref(o);
	o = check("{\"rule_set\":\"dev-2014\",\"admitted_on\":\"2026-06-20\",\"extended_months\":6,\"converted_on\":\"2027-12-20\"}",
		  "2026-05-18");
	assert_false(has_rule(o, "DEV-T2"));
	assert_false(has_rule(o, "DEV-T6"));
	assert_string_equal(deadline(o, "probation_end"), "2027-12-20");
	json_decref(o);
	o = check("{\"rule_set\":\"dev-2014\",\"admitted_on\":\"2026-06-20\",\"extended_months\":13}", "2026-05-18");
	assert_true(has_rule(o, "DEV-T2"));
	json_decref(o);
}

static void test_versions_and_boundaries(void **state)
{
	(void)state;
	/* Month-end clamp (S-3): applied 01-31 → talk by 02-28, or 02-29 in a leap year. */
	json_t *o = check("{\"applied_on\":\"2025-01-31\",\"talked_on\":\"2025-02-28\"}", "2026-05-18");
	assert_string_equal(deadline(o, "talk_by"), "2025-02-28");
	assert_false(has_rule(o, "DEV-A3"));
	json_decref(o);
	o = check("{\"applied_on\":\"2024-01-31\",\"talked_on\":\"2024-03-01\"}", "2026-05-18");
	assert_string_equal(deadline(o, "talk_by"), "2024-02-29");
	assert_true(has_rule(o, "DEV-A3"));
	json_decref(o);
	/* DEV-A1: 18 on the birthday itself (S-7). */
	o = check("{\"birth_date\":\"2007-06-01\",\"applied_on\":\"2025-06-01\"}", "2026-05-18");
	assert_false(has_rule(o, "DEV-A1"));
	json_decref(o);
	o = check("{\"birth_date\":\"2007-06-01\",\"applied_on\":\"2025-05-31\"}", "2026-05-18");
	assert_true(has_rule(o, "DEV-A1"));
	json_decref(o);
	/* DEV-D4 exists only in dev-2026: 预审 → 支部大会 within one month. Steps after the switch follow it. */
	o = check("{\"prereviewed_on\":\"2026-06-01\",\"admitted_on\":\"2026-07-15\"}", "2026-05-18");
	assert_true(has_rule(o, "DEV-D4"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "findings"), 0), "version")),
			    "dev-2026");
	json_decref(o);
	o = check("{\"prereviewed_on\":\"2025-06-01\",\"admitted_on\":\"2025-07-15\"}", "2026-05-18");
	assert_false(has_rule(o, "DEV-D4"));
	json_decref(o);
	/* dev-2026 公示: at least 5 working days before the listing. */
	o = check("{\"rule_set\":\"dev-2026\",\"activist_on\":\"2025-06-01\",\"target_on\":\"2026-06-15\","
		  "\"publicized_from\":\"2026-06-08\",\"publicized_to\":\"2026-06-12\"}",
		  "2026-05-18");
	assert_false(has_rule(o, "DEV-C1"));
	json_decref(o);
	o = check("{\"rule_set\":\"dev-2026\",\"activist_on\":\"2025-06-01\",\"target_on\":\"2026-06-15\","
		  "\"publicized_from\":\"2026-06-10\",\"publicized_to\":\"2026-06-12\"}",
		  "2026-05-18");
	assert_true(has_rule(o, "DEV-C1"));
	json_decref(o);
	/* DEV-D7: between 3 and 6 months is a warning, beyond 6 an error. */
	o = check("{\"admitted_on\":\"2026-06-20\",\"approved_on\":\"2026-10-01\"}", "2026-05-18");
	assert_true(has_rule(o, "DEV-D7"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "findings"), 0), "severity")),
			    "warning");
	json_decref(o);
	/* DEV-B4: half-year assessments clamp to month ends; DEV-E1 (dev-2026): the oath within a month. */
	o = check("{\"activist_on\":\"2024-08-31\"}", "2026-05-18");
	json_t *asm2 = json_object_get(json_object_get(o, "deadlines"), "assessments");
	assert_string_equal(json_string_value(json_array_get(asm2, 0)), "2025-02-28");
	assert_string_equal(json_string_value(json_array_get(asm2, 1)), "2025-08-31");
	json_decref(o);
	o = check("{\"approved_on\":\"2026-05-31\",\"oath_on\":\"2026-06-30\"}", "2026-05-18");
	assert_false(has_rule(o, "DEV-E1"));
	assert_string_equal(deadline(o, "oath_by"), "2026-06-30");
	json_decref(o);
	o = check("{\"approved_on\":\"2026-05-31\",\"oath_on\":\"2026-07-01\"}", "2026-05-18");
	assert_true(has_rule(o, "DEV-E1"));
	json_decref(o);
	/* Before the switch the 2014 set has no oath deadline. */
	o = check("{\"approved_on\":\"2025-05-31\",\"oath_on\":\"2025-08-01\"}", "2026-05-18");
	assert_false(has_rule(o, "DEV-E1"));
	json_decref(o);
	/* Bad input names the field. */
	json_t *tl = json_loads("{\"applied_on\":\"2025-02-30\"}", 0, NULL);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	struct dj_date sw = { 2026, 5, 18 };
	const char *field = NULL;
	char err[256];
	dj_jw_init(&w, &sb);
	assert_int_equal(dj_develop_check(tl, sw, &w, &field, err, sizeof(err)), DJ_ERR_INVALID);
	assert_string_equal(field, "applied_on");
	json_decref(tl);
	dj_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dues_vectors),
		cmocka_unit_test(test_dues_settings),
		cmocka_unit_test(test_worked_timeline),
		cmocka_unit_test(test_versions_and_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

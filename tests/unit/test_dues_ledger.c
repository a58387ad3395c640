/* test_dues_ledger.c — the dues ledger's pure parts: month indexes and their text form, the
 * category table (flat FEE-6 categories need no base), the FEE-9 parameter, and the DDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dj/compliance.h"
#include "dj/dues_ledger.h"
#include "dj/rules.h"

static void test_months(void **state)
{
	(void)state;
	int m;
	char buf[8];
	assert_int_equal(dj_dues_month_parse("2026-03", &m), DJ_OK);
	assert_int_equal(m, 2026 * 12 + 2);
	assert_string_equal(dj_dues_month_format(m, buf), "2026-03");
	assert_string_equal(dj_dues_month_format(m + 10, buf), "2027-01");
	assert_string_equal(dj_dues_month_format(m - 3, buf), "2025-12");
	struct dj_date d = { 2026, 3, 18 };
	assert_int_equal(dj_dues_month_of(d), m); /* FEE-10: admitted on the 18th, the month counts */
	static const char *const bad[] = { "2026-3", "2026-00", "2026-13", "26-03", "2026/03", "2026-03-01", "abcd-ef", "",
					   "1899-12", "-202-01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dj_dues_month_parse(bad[i], &m), DJ_ERR_INVALID);
	assert_int_equal(dj_dues_month_parse(NULL, &m), DJ_ERR_INVALID);
}

static void test_categories(void **state)
{
	(void)state;
	static const char *const flat[] = { "farmer", "student", "unemployed", "subsistence" };
	static const char *const banded[] = { "employed", "retired", "annual_salary", "self_employed" };
	for (size_t i = 0; i < 4; i++) {
		assert_non_null(dj_dues_category_label(flat[i]));
		assert_true(dj_dues_category_flat(flat[i]));
		assert_non_null(dj_dues_category_label(banded[i]));
		assert_false(dj_dues_category_flat(banded[i]));
	}
	assert_null(dj_dues_category_label("boss"));
	assert_null(dj_dues_category_label(NULL));
	assert_false(dj_dues_category_flat("boss"));
}

static void test_rules_and_params(void **state)
{
	(void)state;
	static const char *const ids[] = { "FEE-7", "FEE-8", "FEE-9", "FEE-10", "FEE-11", "FEE-12", "FEE-13", "FEE-14" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_non_null(dj_rule_find(ids[i]));
	bool found = false;
	for (const struct dj_rule_param_def *d = dj_rule_param_defs; d->rule; d++)
		if (strcmp(d->rule, "FEE-9") == 0 && strcmp(d->param, "annual") == 0) {
			found = true;
			assert_string_equal(d->def, "1"); /* annual fixing is the default */
		}
	assert_true(found);
}

static void test_ddl(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	dj_dues_ddl(&sb);
	static const char *const want[] = { "CREATE TABLE dues_bases", "CREATE TABLE dues_exemptions", "CREATE TABLE dues_bills",
					    "CREATE TABLE dues_payments", "CREATE TABLE dues_cycles", "CREATE TABLE dues_state",
					    "dues_bills_member_month", "dues_cycles_org_month" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(strstr(sb.buf, want[i]));
	/* Money columns are integers (分). */
	assert_non_null(strstr(sb.buf, "amount_fen INTEGER"));
	dj_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_rules_and_params),
		cmocka_unit_test(test_ddl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_slice.c — unit tests for slices and strict parsing: dj_parse_int, dj_parse_yuan,
 * dj_utf8_valid/len and dj_slice_cut, as (input, expected) tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dj/slice.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void test_parse_int_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t min, max;
		dj_rc rc;
		int64_t want;
	} t[] = {
		{ "0", 0, 10, DJ_OK, 0 },
		{ "7", 0, 10, DJ_OK, 7 },
		{ "10", 0, 10, DJ_OK, 10 },
		{ "11", 0, 10, DJ_ERR_INVALID, 0 },
		{ "-1", 0, 10, DJ_ERR_INVALID, 0 },
		{ "-1", -5, 10, DJ_OK, -1 },
		{ "-5", -5, 10, DJ_OK, -5 },
		{ "-6", -5, 10, DJ_ERR_INVALID, 0 },
		{ "-0", -5, 10, DJ_OK, 0 },
		{ "007", 0, 10, DJ_OK, 7 },
		{ "", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "-", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "--1", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "+1", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ " 1", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "1 ", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "1a", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "0x10", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "1.0", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "1e3", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "１", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 }, /* full-width digit */
		{ "9223372036854775807", INT64_MIN, INT64_MAX, DJ_OK, INT64_MAX },
		{ "9223372036854775808", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "-9223372036854775808", INT64_MIN, INT64_MAX, DJ_OK, INT64_MIN },
		{ "-9223372036854775809", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "18446744073709551615", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "18446744073709551616", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "99999999999999999999999", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "-99999999999999999999999", INT64_MIN, INT64_MAX, DJ_ERR_INVALID, 0 },
		{ "00000000000000000000000042", INT64_MIN, INT64_MAX, DJ_OK, 42 },
		{ "2147483648", 0, 2147483647, DJ_ERR_INVALID, 0 },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		int64_t out = 12345;
		dj_rc rc = dj_parse_int(t[i].s, strlen(t[i].s), t[i].min, t[i].max, &out);
		if (rc != t[i].rc)
			fail_msg("dj_parse_int(\"%s\") = %d, want %d", t[i].s, rc, t[i].rc);
		if (rc == DJ_OK && out != t[i].want)
			fail_msg("dj_parse_int(\"%s\") gave %lld, want %lld", t[i].s, (long long)out, (long long)t[i].want);
		if (rc != DJ_OK)
			assert_int_equal(out, 12345); /* untouched on failure */
		/* The NUL-terminated convenience agrees. */
		int64_t out2 = 0;
		assert_int_equal(dj_parse_int_str(t[i].s, t[i].min, t[i].max, &out2), t[i].rc);
	}
}

static void test_parse_int_uses_len(void **state)
{
	(void)state;
	int64_t v = 0;
	/* Only len bytes are read: no NUL needed, and trailing bytes beyond len are ignored. */
	assert_int_equal(dj_parse_int("12345", 2, 0, 100, &v), DJ_OK);
	assert_int_equal(v, 12);
	assert_int_equal(dj_parse_int("-7xyz", 2, -10, 10, &v), DJ_OK);
	assert_int_equal(v, -7);
	assert_int_equal(dj_parse_int("5", 0, 0, 10, &v), DJ_ERR_INVALID);
	assert_int_equal(dj_parse_int(NULL, 3, 0, 10, &v), DJ_ERR_INVALID);
	assert_int_equal(dj_parse_int_str(NULL, 0, 10, &v), DJ_ERR_INVALID);
	/* An embedded NUL inside len is not a digit. */
	assert_int_equal(dj_parse_int("1\0002", 3, 0, 1000, &v), DJ_ERR_INVALID);
}

static void test_parse_yuan_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		dj_rc rc;
		int64_t fen;
	} t[] = {
		{ "3000.01", DJ_OK, 300001 },
		{ "3000", DJ_OK, 300000 },
		{ "3000.1", DJ_OK, 300010 },
		{ "0.2", DJ_OK, 20 },
		{ "0.05", DJ_OK, 5 },
		{ "0", DJ_OK, 0 },
		{ "0.00", DJ_OK, 0 },
		{ "12.34", DJ_OK, 1234 },
		{ "9223372036854775", DJ_OK, 922337203685477500 }, /* the upper bound: INT64_MAX / 1000 元 */
		{ "9223372036854776", DJ_ERR_INVALID, 0 },
		{ "1.234", DJ_ERR_INVALID, 0 },
		{ ".5", DJ_ERR_INVALID, 0 },
		{ "1.", DJ_ERR_INVALID, 0 },
		{ ".", DJ_ERR_INVALID, 0 },
		{ "", DJ_ERR_INVALID, 0 },
		{ "-1", DJ_ERR_INVALID, 0 },
		{ "-0.5", DJ_ERR_INVALID, 0 }, /* was accepted as +50 分 */
		{ "-0", DJ_ERR_INVALID, 0 },
		{ "-0.05", DJ_ERR_INVALID, 0 },
		{ "1.-5", DJ_ERR_INVALID, 0 },
		{ "1.+5", DJ_ERR_INVALID, 0 },
		{ "+1", DJ_ERR_INVALID, 0 },
		{ "1,5", DJ_ERR_INVALID, 0 },
		{ "1.2.3", DJ_ERR_INVALID, 0 },
		{ "1..2", DJ_ERR_INVALID, 0 },
		{ " 1", DJ_ERR_INVALID, 0 },
		{ "1 ", DJ_ERR_INVALID, 0 },
		{ "1.5 ", DJ_ERR_INVALID, 0 },
		{ "1e3", DJ_ERR_INVALID, 0 },
		{ "¥5", DJ_ERR_INVALID, 0 },
		{ "5元", DJ_ERR_INVALID, 0 },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		int64_t fen = -999;
		dj_rc rc = dj_parse_yuan(t[i].s, &fen);
		if (rc != t[i].rc)
			fail_msg("dj_parse_yuan(\"%s\") = %d, want %d", t[i].s, rc, t[i].rc);
		if (rc == DJ_OK && fen != t[i].fen)
			fail_msg("dj_parse_yuan(\"%s\") gave %lld 分, want %lld", t[i].s, (long long)fen, (long long)t[i].fen);
		if (rc != DJ_OK)
			assert_int_equal(fen, -999);
	}
}

static void test_utf8_valid_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t n; /* 0 = strlen */
		bool ok;
		const char *what;
	} t[] = {
		{ "", 0, true, "empty" },
		{ "abc", 0, true, "ascii" },
		{ "党建中文", 0, true, "3-byte CJK" },
		{ "a\0b", 3, true, "embedded NUL is ASCII" },
		{ "\xC2\x80", 0, true, "U+0080, smallest 2-byte" },
		{ "\xDF\xBF", 0, true, "U+07FF" },
		{ "\xE0\xA0\x80", 0, true, "U+0800, smallest 3-byte" },
		{ "\xED\x9F\xBF", 0, true, "U+D7FF, below surrogates" },
		{ "\xEE\x80\x80", 0, true, "U+E000, above surrogates" },
		{ "\xEF\xBF\xBF", 0, true, "U+FFFF" },
		{ "\xF0\x90\x80\x80", 0, true, "U+10000, smallest 4-byte" },
		{ "\xF0\x9F\x98\x80", 0, true, "emoji U+1F600" },
		{ "\xF4\x8F\xBF\xBF", 0, true, "U+10FFFF, the last code point" },
		/* overlongs */
		{ "\xC0\x80", 0, false, "overlong NUL" },
		{ "\xC0\xAF", 0, false, "overlong '/'" },
		{ "\xC1\xBF", 0, false, "overlong 2-byte" },
		{ "\xE0\x80\x80", 0, false, "overlong 3-byte NUL" },
		{ "\xE0\x9F\xBF", 0, false, "overlong U+07FF in 3 bytes" },
		{ "\xF0\x80\x80\x80", 0, false, "overlong 4-byte NUL" },
		{ "\xF0\x8F\xBF\xBF", 0, false, "overlong U+FFFF in 4 bytes" },
		/* surrogates */
		{ "\xED\xA0\x80", 0, false, "U+D800" },
		{ "\xED\xAF\xBF", 0, false, "U+DBFF" },
		{ "\xED\xB0\x80", 0, false, "U+DC00" },
		{ "\xED\xBF\xBF", 0, false, "U+DFFF" },
		{ "\xED\xA0\xBD\xED\xB8\x80", 0, false, "CESU-8 surrogate pair" },
		/* beyond U+10FFFF and bytes that never appear */
		{ "\xF4\x90\x80\x80", 0, false, "U+110000" },
		{ "\xF5\x80\x80\x80", 0, false, "lead byte F5" },
		{ "\xF7\xBF\xBF\xBF", 0, false, "lead byte F7" },
		{ "\xF8\x88\x80\x80\x80", 0, false, "5-byte form" },
		{ "\xFC\x84\x80\x80\x80\x80", 0, false, "6-byte form" },
		{ "\xFE", 0, false, "FE" },
		{ "\xFF", 0, false, "FF" },
		/* truncated and broken sequences */
		{ "\xC2", 0, false, "truncated 2-byte" },
		{ "\xE4\xB8", 0, false, "truncated 3-byte" },
		{ "\xF0\x9F\x98", 0, false, "truncated 4-byte" },
		{ "abc\xE4", 0, false, "truncated at the end" },
		{ "\x80", 0, false, "lone continuation" },
		{ "\xBF", 0, false, "lone continuation BF" },
		{ "a\x80z", 0, false, "continuation between ASCII" },
		{ "\xE4\x41\x80", 0, false, "ASCII inside a sequence" },
		{ "\xE4\xB8\xC2\x80", 0, false, "new lead inside a sequence" },
		{ "\xF0\x9F\x98\x80\x80", 0, false, "extra continuation" },
		{ "中", 2, false, "length cuts a character" },
		{ "中文", 3, true, "length ends on a boundary" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		size_t n = t[i].n ? t[i].n : strlen(t[i].s);
		if (dj_utf8_valid(t[i].s, n) != t[i].ok)
			fail_msg("dj_utf8_valid(%s) should be %s", t[i].what, t[i].ok ? "true" : "false");
	}
}

static void test_utf8_every_2_and_3_byte_sequence(void **state)
{
	(void)state;
	/* Exhaustive over the 2- and 3-byte space against the definition in RFC 3629. */
	for (unsigned a = 0x80; a <= 0xFF; a++) {
		for (unsigned b = 0; b <= 0xFF; b++) {
			char s2[2] = { (char)a, (char)b };
			bool want2 = a >= 0xC2 && a <= 0xDF && (b & 0xC0) == 0x80;
			if (dj_utf8_valid(s2, 2) != want2)
				fail_msg("2-byte %02x %02x", a, b);
			if (a < 0xE0 || a > 0xEF)
				continue;
			for (unsigned c = 0x70; c <= 0xC0; c++) {
				char s3[3] = { (char)a, (char)b, (char)c };
				unsigned cp = ((a & 0x0F) << 12) | ((b & 0x3F) << 6) | (c & 0x3F);
				bool want3 = (b & 0xC0) == 0x80 && (c & 0xC0) == 0x80 && cp >= 0x800 &&
					     !(cp >= 0xD800 && cp <= 0xDFFF);
				if (dj_utf8_valid(s3, 3) != want3)
					fail_msg("3-byte %02x %02x %02x", a, b, c);
			}
		}
	}
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(dj_utf8_len("", 0), 0);
	assert_int_equal(dj_utf8_len("abc", 3), 3);
	assert_int_equal(dj_utf8_len("党建a", strlen("党建a")), 3);
	assert_int_equal(dj_utf8_len("\xF0\x9F\x98\x80!", 5), 2);
}

static void test_slice_cut_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		char sep;
		const char *head, *rest;
	} t[] = {
		{ "a=b", '=', "a", "b" },
		{ "abc", '=', "abc", "" },
		{ "=b", '=', "", "b" },
		{ "a=", '=', "a", "" },
		{ "=", '=', "", "" },
		{ "a=b=c", '=', "a", "b=c" },
		{ "", '=', "", "" },
		{ "k=v&x=y", '&', "k=v", "x=y" },
		{ "中=文", '=', "中", "文" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_slice head = { "junk", 4 };
		struct dj_slice rest = dj_slice_cut(dj_slice_from(t[i].s), t[i].sep, &head);
		assert_true(dj_slice_eq(head, t[i].head));
		assert_true(dj_slice_eq(rest, t[i].rest));
		assert_non_null(rest.base);
	}
	/* A separator past the slice's length is not seen. */
	const char *buf = "ab&cd";
	struct dj_slice s = { buf, 2 }, head;
	struct dj_slice rest = dj_slice_cut(s, '&', &head);
	assert_int_equal(head.len, 2);
	assert_ptr_equal(head.base, buf);
	assert_int_equal(rest.len, 0);
	/* Head and rest point into the original (no copies). */
	s = dj_slice_from(buf);
	rest = dj_slice_cut(s, '&', &head);
	assert_ptr_equal(head.base, buf);
	assert_ptr_equal(rest.base, buf + 3);
}

static void test_slice_helpers(void **state)
{
	(void)state;
	struct dj_slice e = dj_slice_from(NULL);
	assert_non_null(e.base);
	assert_int_equal(e.len, 0);
	assert_true(dj_slice_eq(e, ""));
	assert_false(dj_slice_eq(e, "a"));
	struct dj_slice s = { "abcdef", 3 };
	assert_true(dj_slice_eq(s, "abc"));
	assert_false(dj_slice_eq(s, "abcd"));
	assert_false(dj_slice_eq(s, "ab"));
	assert_true(dj_slice_starts(s, "ab"));
	assert_true(dj_slice_starts(s, ""));
	assert_true(dj_slice_starts(s, "abc"));
	assert_false(dj_slice_starts(s, "abcd")); /* beyond len even though the bytes follow */
	assert_false(dj_slice_starts(s, "b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int_table),
		cmocka_unit_test(test_parse_int_uses_len),
		cmocka_unit_test(test_parse_yuan_table),
		cmocka_unit_test(test_utf8_valid_table),
		cmocka_unit_test(test_utf8_every_2_and_3_byte_sequence),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_slice_cut_table),
		cmocka_unit_test(test_slice_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

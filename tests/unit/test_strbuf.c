/* test_strbuf.c — unit tests for struct dj_strbuf: growth, the cap, detach/reset/release and the
 * written invariants (buf never NULL, always NUL-terminated, len within max). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

/* The invariants of dj/strbuf.h, checked after every operation. */
static void check_invariants(const struct dj_strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
	else
		assert_ptr_equal(sb->buf, dj_strbuf_empty);
	if (sb->max)
		assert_true(sb->len <= sb->max);
}

static void test_init_is_empty(void **state)
{
	(void)state;
	struct dj_strbuf a = DJ_STRBUF_INIT, b;
	check_invariants(&a);
	assert_int_equal(a.len, 0);
	assert_string_equal(a.buf, "");
	dj_strbuf_init(&b, 100);
	check_invariants(&b);
	assert_int_equal(b.max, 100);
	assert_int_equal(b.alloc, 0);
	assert_string_equal(b.buf, "");
}

static void test_add_appends_and_grows(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	char expect[4096];
	size_t n = 0;
	/* Many small appends force several reallocations; content must survive each one. */
	for (int i = 0; i < 500; i++) {
		char piece[8];
		int k = snprintf(piece, sizeof(piece), "%d,", i);
		assert_int_equal(dj_strbuf_add(&sb, piece, (size_t)k), DJ_OK);
		memcpy(expect + n, piece, (size_t)k);
		n += (size_t)k;
		check_invariants(&sb);
	}
	expect[n] = '\0';
	assert_int_equal(sb.len, n);
	assert_string_equal(sb.buf, expect);
	dj_strbuf_release(&sb);
	check_invariants(&sb);
}

static void test_add_binary_and_helpers(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	assert_int_equal(dj_strbuf_add(&sb, "a\0b", 3), DJ_OK);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 4);
	assert_int_equal(dj_strbuf_adds(&sb, "中文"), DJ_OK);
	assert_int_equal(dj_strbuf_addch(&sb, '!'), DJ_OK);
	assert_int_equal(sb.len, 3 + 6 + 1);
	assert_memory_equal(sb.buf, "a\0b中文!", 11);
	/* Adding nothing is fine and keeps the terminator. */
	assert_int_equal(dj_strbuf_add(&sb, "", 0), DJ_OK);
	assert_int_equal(sb.len, 10);
	check_invariants(&sb);
	dj_strbuf_release(&sb);
}

static void test_addf(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	assert_int_equal(dj_strbuf_addf(&sb, "%d-%s-%05.1f", 42, "x", 3.14159), DJ_OK);
	assert_string_equal(sb.buf, "42-x-003.1");
	assert_int_equal(sb.len, strlen("42-x-003.1"));
	/* Output longer than the first allocation (64 bytes). */
	assert_int_equal(dj_strbuf_addf(&sb, "|%300s|", "r"), DJ_OK);
	assert_int_equal(sb.len, 10 + 302);
	assert_int_equal(sb.buf[10], '|');
	assert_int_equal(sb.buf[10 + 300], 'r');
	assert_int_equal(sb.buf[10 + 301], '|');
	check_invariants(&sb);
	/* An empty format still leaves a valid buffer. */
	assert_int_equal(dj_strbuf_addf(&sb, "%s", ""), DJ_OK);
	assert_int_equal(sb.len, 312);
	check_invariants(&sb);
	dj_strbuf_release(&sb);
}

/* Table: a sequence of appends against max = 10 and what each returns. */
static void test_cap_leaves_buffer_unchanged(void **state)
{
	(void)state;
	static const struct {
		const char *add;
		dj_rc rc;
		const char *after;
	} steps[] = {
		{ "12345", DJ_OK, "12345" },
		{ "678901", DJ_ERR_TOOBIG, "12345" }, /* 11 > 10: refused whole */
		{ "6789", DJ_OK, "123456789" },
		{ "ab", DJ_ERR_TOOBIG, "123456789" },
		{ "0", DJ_OK, "1234567890" },          /* exactly max is allowed */
		{ "", DJ_OK, "1234567890" },
		{ "x", DJ_ERR_TOOBIG, "1234567890" },
	};
	struct dj_strbuf sb;
	dj_strbuf_init(&sb, 10);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(dj_strbuf_adds(&sb, steps[i].add), steps[i].rc);
		assert_string_equal(sb.buf, steps[i].after);
		assert_int_equal(sb.len, strlen(steps[i].after));
		check_invariants(&sb);
	}
	assert_int_equal(dj_strbuf_addch(&sb, 'y'), DJ_ERR_TOOBIG);
	assert_int_equal(dj_strbuf_addf(&sb, "%d", 7), DJ_ERR_TOOBIG);
	assert_string_equal(sb.buf, "1234567890");
	dj_strbuf_release(&sb);
	assert_int_equal(sb.max, 10); /* release keeps the cap */
	check_invariants(&sb);
}

static void test_cap_addf_unchanged(void **state)
{
	(void)state;
	struct dj_strbuf sb;
	dj_strbuf_init(&sb, 8);
	assert_int_equal(dj_strbuf_addf(&sb, "%s", "abc"), DJ_OK);
	assert_int_equal(dj_strbuf_addf(&sb, "%d", 123456), DJ_ERR_TOOBIG);
	assert_string_equal(sb.buf, "abc");
	assert_int_equal(sb.len, 3);
	assert_int_equal(dj_strbuf_addf(&sb, "%d", 12345), DJ_OK);
	assert_string_equal(sb.buf, "abc12345");
	check_invariants(&sb);
	dj_strbuf_release(&sb);
}

static void test_grow_overflow_refused(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	assert_int_equal(dj_strbuf_adds(&sb, "keep"), DJ_OK);
	assert_int_equal(dj_strbuf_grow(&sb, SIZE_MAX), DJ_ERR_TOOBIG);
	assert_int_equal(dj_strbuf_grow(&sb, SIZE_MAX - 2), DJ_ERR_TOOBIG);
	assert_string_equal(sb.buf, "keep");
	/* grow() reserves room without changing the content. */
	assert_int_equal(dj_strbuf_grow(&sb, 1000), DJ_OK);
	assert_true(sb.alloc >= sb.len + 1000 + 1);
	assert_string_equal(sb.buf, "keep");
	check_invariants(&sb);
	dj_strbuf_release(&sb);
}

static void test_detach(void **state)
{
	(void)state;
	struct dj_strbuf sb;
	size_t len = 99;
	dj_strbuf_init(&sb, 50);
	dj_strbuf_adds(&sb, "hello");
	char *p = dj_strbuf_detach(&sb, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	/* The buffer is empty again, keeps its cap, and is usable. */
	check_invariants(&sb);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, 0);
	assert_int_equal(sb.max, 50);
	assert_int_equal(dj_strbuf_adds(&sb, "again"), DJ_OK);
	assert_string_equal(sb.buf, "again");
	assert_ptr_not_equal(sb.buf, p);
	dj_free(p);
	dj_strbuf_release(&sb);

	/* Detaching a never-grown buffer still returns owned memory, never NULL. */
	struct dj_strbuf e = DJ_STRBUF_INIT;
	p = dj_strbuf_detach(&e, &len);
	assert_non_null(p);
	assert_ptr_not_equal(p, dj_strbuf_empty);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	dj_free(p);
	p = dj_strbuf_detach(&e, NULL); /* len may be NULL */
	dj_free(p);
}

static void test_reset_keeps_memory(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	dj_strbuf_adds(&sb, "some text that is here");
	size_t alloc = sb.alloc;
	char *mem = sb.buf;
	dj_strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.alloc, alloc);
	assert_ptr_equal(sb.buf, mem);
	check_invariants(&sb);
	dj_strbuf_adds(&sb, "x");
	assert_string_equal(sb.buf, "x");
	dj_strbuf_release(&sb);

	/* Reset of a never-grown buffer keeps the shared empty string empty. */
	struct dj_strbuf e = DJ_STRBUF_INIT;
	dj_strbuf_reset(&e);
	check_invariants(&e);
	assert_int_equal(dj_strbuf_empty[0], '\0');
}

static void test_release_twice(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	dj_strbuf_adds(&sb, "abc");
	dj_strbuf_release(&sb);
	check_invariants(&sb);
	assert_int_equal(sb.len, 0);
	dj_strbuf_release(&sb); /* harmless on an empty buffer */
	check_invariants(&sb);
	assert_int_equal(dj_strbuf_empty[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_add_appends_and_grows),
		cmocka_unit_test(test_add_binary_and_helpers),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_cap_leaves_buffer_unchanged),
		cmocka_unit_test(test_cap_addf_unchanged),
		cmocka_unit_test(test_grow_overflow_refused),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_reset_keeps_memory),
		cmocka_unit_test(test_release_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

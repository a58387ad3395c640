/* test_arena.c — unit tests for the request arena and the allocation wrappers: alignment, zeroing,
 * string helpers, allocations larger than a block, release and reuse, and the abort paths
 * (arena limit, injected allocation failure) checked in a forked child. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/banned.h"

static int aligned16(const void *p)
{
	return ((uintptr_t)p & 15u) == 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_alignment_and_zeroing(void **state)
{
	(void)state;
	static const size_t sizes[] = { 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100, 1000, 4095 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	struct dj_arena a = DJ_ARENA_INIT;
	unsigned char *ptrs[N];
	for (size_t i = 0; i < N; i++) {
		ptrs[i] = dj_arena_alloc(&a, sizes[i]);
		assert_non_null(ptrs[i]);
		assert_true(aligned16(ptrs[i]));
		assert_true(all_zero(ptrs[i], sizes[i]));
		memset(ptrs[i], (int)(i + 1), sizes[i]);
	}
	/* No allocation overlaps another: each still holds its own fill byte. */
	for (size_t i = 0; i < N; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(ptrs[i][k], (unsigned char)(i + 1));
	dj_arena_release(&a);
}

static void test_used_total_rounds_to_16(void **state)
{
	(void)state;
	struct dj_arena a = DJ_ARENA_INIT;
	dj_arena_alloc(&a, 1);
	assert_int_equal(a.used_total, 16);
	dj_arena_alloc(&a, 17);
	assert_int_equal(a.used_total, 16 + 32);
	dj_arena_alloc(&a, 32);
	assert_int_equal(a.used_total, 16 + 32 + 32);
	dj_arena_release(&a);
	assert_int_equal(a.used_total, 0);
	assert_null(a.head);
}

static void test_zero_size_alloc(void **state)
{
	(void)state;
	struct dj_arena a = DJ_ARENA_INIT;
	void *p = dj_arena_alloc(&a, 0);
	void *q = dj_arena_alloc(&a, 1);
	assert_non_null(p);
	assert_true(aligned16(q));
	dj_arena_release(&a);
}

static void test_strdup_strndup_printf(void **state)
{
	(void)state;
	struct dj_arena a = DJ_ARENA_INIT;
	assert_null(dj_arena_strdup(&a, NULL));
	char src[] = "党支部";
	char *s = dj_arena_strdup(&a, src);
	assert_string_equal(s, "党支部");
	assert_ptr_not_equal(s, src);
	src[0] = 'x'; /* a copy, not a view */
	assert_string_equal(s, "党支部");
	/* strndup copies exactly n bytes, even past a NUL-free prefix of a longer buffer. */
	assert_string_equal(dj_arena_strndup(&a, "hello world", 5), "hello");
	assert_string_equal(dj_arena_strndup(&a, "abc", 0), "");
	char *p = dj_arena_printf(&a, "%d-%s-%03d", 7, "中", 5);
	assert_string_equal(p, "7-中-005");
	assert_true(aligned16(p));
	/* printf output longer than a block (8 KiB). */
	char *big = dj_arena_printf(&a, "%20000d|", 1);
	assert_int_equal(strlen(big), 20001);
	assert_int_equal(big[19999], '1');
	assert_int_equal(big[20000], '|');
	assert_string_equal(dj_arena_printf(&a, "%s", ""), "");
	dj_arena_release(&a);
}

static void test_large_allocations(void **state)
{
	(void)state;
	struct dj_arena a = DJ_ARENA_INIT;
	unsigned char *small = dj_arena_alloc(&a, 100);
	memset(small, 0x5a, 100);
	/* Larger than the 8 KiB block size: gets its own block, fully usable and zeroed. */
	size_t n = 100000;
	unsigned char *big = dj_arena_alloc(&a, n);
	assert_true(aligned16(big));
	assert_true(all_zero(big, n));
	memset(big, 0xa5, n); /* ASan would catch any overrun here */
	/* Exactly one block, and just over it. */
	unsigned char *b1 = dj_arena_alloc(&a, 8192);
	unsigned char *b2 = dj_arena_alloc(&a, 8193);
	assert_true(all_zero(b1, 8192));
	assert_true(all_zero(b2, 8193));
	memset(b1, 1, 8192);
	memset(b2, 2, 8193);
	/* Later small allocations still work and earlier memory is intact. */
	unsigned char *after = dj_arena_alloc(&a, 10);
	assert_true(all_zero(after, 10));
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(small[i], 0x5a);
	assert_int_equal(big[n - 1], 0xa5);
	assert_true(a.used_total >= n + 8192 + 8193 + 100 + 10);
	dj_arena_release(&a);
}

static void test_many_blocks_then_release_and_reuse(void **state)
{
	(void)state;
	struct dj_arena a = DJ_ARENA_INIT;
	for (int round = 0; round < 3; round++) {
		char *strs[2000];
		for (int i = 0; i < 2000; i++)
			strs[i] = dj_arena_printf(&a, "row-%d-%d", round, i);
		for (int i = 0; i < 2000; i++) {
			char want[32];
			snprintf(want, sizeof(want), "row-%d-%d", round, i);
			assert_string_equal(strs[i], want);
		}
		/* Fill, release, allocate again: memory handed out after a release is zero. */
		unsigned char *p = dj_arena_alloc(&a, 4000);
		memset(p, 0xff, 4000);
		dj_arena_release(&a);
		assert_null(a.head);
		assert_int_equal(a.used_total, 0);
		p = dj_arena_alloc(&a, 4000);
		assert_true(all_zero(p, 4000));
	}
	dj_arena_release(&a);
	dj_arena_release(&a); /* releasing an empty arena is fine */
}

static void test_wrappers(void **state)
{
	(void)state;
	assert_null(dj_strdup(NULL));
	char *s = dj_strdup("abc");
	assert_string_equal(s, "abc");
	dj_free(s);
	s = dj_strndup("abcdef", 3);
	assert_string_equal(s, "abc");
	dj_free(s);
	s = dj_strndup("ab", 10); /* n beyond the string: stops at its NUL */
	assert_string_equal(s, "ab");
	dj_free(s);
	int *v = dj_calloc(100, sizeof(int));
	assert_true(all_zero((unsigned char *)v, 100 * sizeof(int)));
	v = dj_realloc(v, 1000 * sizeof(int));
	v[999] = 1;
	dj_free(v);
	dj_free(NULL);
	void *z = dj_malloc(0); /* never NULL */
	assert_non_null(z);
	dj_free(z);
}

/* Run fn in a child process with stderr silenced; true if it died of SIGABRT. */
static int aborts(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		FILE *devnull = freopen("/dev/null", "w", stderr);
		(void)devnull;
		fn();
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void over_limit(void)
{
	struct dj_arena a = DJ_ARENA_INIT;
	a.limit = 10000;
	dj_arena_alloc(&a, 5000);
	dj_arena_alloc(&a, 5000); /* needs a second 8 KiB block: 5008 + 8192 > 10000 */
	dj_arena_release(&a);
}

static void under_limit(void)
{
	struct dj_arena a = DJ_ARENA_INIT;
	a.limit = 100000;
	for (int i = 0; i < 10; i++)
		dj_arena_alloc(&a, 1000);
	dj_arena_release(&a);
}

static void arena_size_wraps(void)
{
	/* Rounding SIZE_MAX - 7 up to 16 would wrap to 0: it must abort, not hand out 0 bytes. */
	struct dj_arena a = DJ_ARENA_INIT;
	(void)dj_arena_alloc(&a, SIZE_MAX - 7); /* not touched: an ASan report would also abort */
	dj_arena_release(&a);
}

static void calloc_overflow(void)
{
	void *p = dj_calloc(SIZE_MAX / 2, 4);
	dj_free(p);
}

static void injected_failure(void)
{
	dj_alloc_fail_after(3);
	for (int i = 0; i < 5; i++)
		dj_free(dj_malloc(8)); /* the third one aborts */
}

static void injected_then_disarmed(void)
{
	dj_alloc_fail_after(3);
	dj_alloc_fail_after(0);
	for (int i = 0; i < 5; i++)
		dj_free(dj_malloc(8));
}

static void test_abort_paths(void **state)
{
	(void)state;
	assert_true(aborts(over_limit));
	assert_false(aborts(under_limit));
	assert_true(aborts(arena_size_wraps));
	assert_true(aborts(calloc_overflow));
	assert_true(aborts(injected_failure));
	assert_false(aborts(injected_then_disarmed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_zeroing),
		cmocka_unit_test(test_used_total_rounds_to_16),
		cmocka_unit_test(test_zero_size_alloc),
		cmocka_unit_test(test_strdup_strndup_printf),
		cmocka_unit_test(test_large_allocations),
		cmocka_unit_test(test_many_blocks_then_release_and_reuse),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_abort_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

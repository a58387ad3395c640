/* test_auth.c — unit tests for the credential primitives: the password policy (length in
 * characters, three of four classes), argon2id hash/verify, random tokens and SHA-256. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dj/auth.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int init(void **state)
{
	(void)state;
	return dj_auth_init() == DJ_OK ? 0 : -1;
}

static void test_password_policy(void **state)
{
	(void)state;
	static const struct {
		const char *pw;
		dj_rc rc;
		const char *err_has;
	} t[] = {
		{ "Abcdef1!", DJ_OK, NULL },
		{ "abcdef1!", DJ_OK, NULL },  /* lower + digit + other */
		{ "ABCDEFg1", DJ_OK, NULL },  /* upper + lower + digit */
		{ "Abcdefg!", DJ_OK, NULL },  /* upper + lower + other */
		{ "ABCDEF1!", DJ_OK, NULL },  /* upper + digit + other */
		{ "Abc 12345", DJ_OK, NULL }, /* a space counts as "other" */
		{ "abcdefgh", DJ_ERR_INVALID, "三类" },
		{ "abcdefg1", DJ_ERR_INVALID, "三类" },
		{ "ABCDEFGH", DJ_ERR_INVALID, "三类" },
		{ "12345678", DJ_ERR_INVALID, "三类" },
		{ "!@#$%^&*", DJ_ERR_INVALID, "三类" },
		{ "ABCDEFG1", DJ_ERR_INVALID, "三类" },
		{ "abc!@#$%", DJ_ERR_INVALID, "三类" },
		{ "Abc1!", DJ_ERR_INVALID, "至少 8 位" },
		{ "Abcde1!", DJ_ERR_INVALID, "至少 8 位" }, /* 7 characters */
		{ "", DJ_ERR_INVALID, "至少 8 位" },
		/* Length counts characters, not bytes: 6 characters are 12 bytes here. */
		{ "中文中A1b", DJ_ERR_INVALID, "至少 8 位" },
		{ "党建党建Ab1", DJ_ERR_INVALID, "至少 8 位" },  /* 7 characters, 15 bytes */
		{ "党建党建党Ab1", DJ_OK, NULL },                /* 8 characters */
		{ "中文中文中文Ab", DJ_OK, NULL },                /* Chinese counts as "other" */
		{ "中文中文中文中文", DJ_ERR_INVALID, "三类" },  /* 8 characters, one class */
		{ "Abcdefg\xff", DJ_ERR_INVALID, "无效字符" },
		{ "Abcdef1\xC0\x80", DJ_ERR_INVALID, "无效字符" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		char err[256] = "";
		dj_rc rc = dj_auth_password_policy(t[i].pw, err, sizeof(err));
		if (rc != t[i].rc)
			fail_msg("policy(\"%s\") = %d, want %d (%s)", t[i].pw, rc, t[i].rc, err);
		if (t[i].err_has && !strstr(err, t[i].err_has))
			fail_msg("policy(\"%s\"): reason [%s] lacks [%s]", t[i].pw, err, t[i].err_has);
	}
}

static void test_password_policy_max_len(void **state)
{
	(void)state;
	char pw[200], err[256];
	memset(pw, 'a', sizeof(pw));
	pw[0] = 'A';
	pw[1] = '1';
	pw[128] = '\0';
	assert_int_equal(dj_auth_password_policy(pw, err, sizeof(err)), DJ_OK);
	pw[128] = 'a';
	pw[129] = '\0';
	assert_int_equal(dj_auth_password_policy(pw, err, sizeof(err)), DJ_ERR_INVALID);
	assert_non_null(strstr(err, "128"));
}

static void test_hash_and_verify(void **state)
{
	(void)state;
	char h1[128], h2[128];
	assert_int_equal(dj_auth_hash_password("Correct-Horse1", h1, sizeof(h1)), DJ_OK);
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_int_equal(dj_auth_verify_password(h1, "Correct-Horse1"), DJ_OK);
	assert_int_equal(dj_auth_verify_password(h1, "Correct-Horse2"), DJ_ERR_UNAUTH);
	assert_int_equal(dj_auth_verify_password(h1, "correct-Horse1"), DJ_ERR_UNAUTH);
	assert_int_equal(dj_auth_verify_password(h1, ""), DJ_ERR_UNAUTH);
	assert_int_equal(dj_auth_verify_password(h1, NULL), DJ_ERR_UNAUTH);
	assert_int_equal(dj_auth_verify_password(NULL, "Correct-Horse1"), DJ_ERR_UNAUTH);
	assert_int_equal(dj_auth_verify_password("not a hash", "Correct-Horse1"), DJ_ERR_UNAUTH);
	/* Salted: the same password hashes differently, and both verify. */
	assert_int_equal(dj_auth_hash_password("党建Pass1", h2, sizeof(h2)), DJ_OK);
	assert_int_equal(dj_auth_verify_password(h2, "党建Pass1"), DJ_OK);
	char h3[128];
	assert_int_equal(dj_auth_hash_password("党建Pass1", h3, sizeof(h3)), DJ_OK);
	assert_string_not_equal(h2, h3);
	assert_int_equal(dj_auth_verify_password(h3, "党建Pass1"), DJ_OK);
	/* A tampered hash does not verify. */
	size_t n = strlen(h1);
	h1[n - 2] = h1[n - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(dj_auth_verify_password(h1, "Correct-Horse1"), DJ_ERR_UNAUTH);
	/* Too small an output buffer is refused. */
	char small[16];
	assert_int_equal(dj_auth_hash_password("x", small, sizeof(small)), DJ_ERR_INTERNAL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_random_tokens(void **state)
{
	(void)state;
	enum { N = 2000 };
	static char tok[N][DJ_TOKEN_HEX + 1];
	for (int i = 0; i < N; i++) {
		memset(tok[i], 'X', sizeof(tok[i]));
		dj_auth_random_token(tok[i]);
		assert_int_equal(strlen(tok[i]), DJ_TOKEN_HEX);
		for (int k = 0; k < DJ_TOKEN_HEX; k++)
			if (!strchr("0123456789abcdef", tok[i][k]))
				fail_msg("token %s has a non-hex character", tok[i]);
	}
	qsort(tok, N, sizeof(tok[0]), cmp_str);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(tok[i - 1], tok[i]);
	/* Every hex digit shows up in every position across 2000 tokens (a crude randomness check:
	 * a stuck nibble or a fixed prefix fails it). */
	for (int pos = 0; pos < DJ_TOKEN_HEX; pos++) {
		unsigned seen = 0;
		for (int i = 0; i < N; i++) {
			char c = tok[i][pos];
			seen |= 1u << (c <= '9' ? c - '0' : c - 'a' + 10);
		}
		assert_int_equal(seen, 0xffffu);
	}
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in, *hex;
	} t[] = {
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		char out[DJ_TOKEN_HEX + 1];
		dj_auth_sha256_hex(t[i].in, strlen(t[i].in), out);
		assert_string_equal(out, t[i].hex);
	}
	/* A million 'a's (FIPS 180-2 test vector). */
	static char m[1000000];
	memset(m, 'a', sizeof(m));
	char out[DJ_TOKEN_HEX + 1];
	dj_auth_sha256_hex(m, sizeof(m), out);
	assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_password_policy_max_len),
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_random_tokens),
		cmocka_unit_test(test_sha256_vectors),
	};
	return cmocka_run_group_tests(tests, init, NULL);
}

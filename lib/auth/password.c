/* password.c — argon2id hashing, the password policy, random tokens and SHA-256 (libsodium). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "dj/auth.h"
#include "dj/slice.h"
#include "dj/banned.h"

/* argon2id cost: 3 passes over 32 MiB (~40 ms here). Interactive logins only. */
#define PW_OPS 3
#define PW_MEM (32u * 1024 * 1024)

dj_rc dj_auth_init(void)
{
	return sodium_init() < 0 ? DJ_ERR_INTERNAL : DJ_OK;
}

dj_rc dj_auth_password_policy(const char *pw, char *err, size_t errlen)
{
	size_t n = strlen(pw);
	int lower = 0, upper = 0, digit = 0, other = 0;
	if (!dj_utf8_valid(pw, n)) {
		snprintf(err, errlen, "密码含有无效字符");
		return DJ_ERR_INVALID;
	}
	if (dj_utf8_len(pw, n) < 8) {
		snprintf(err, errlen, "密码长度至少 8 位");
		return DJ_ERR_INVALID;
	}
	if (n > 128) {
		snprintf(err, errlen, "密码长度不能超过 128 字节");
		return DJ_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (lower + upper + digit + other < 3) {
		snprintf(err, errlen, "密码须包含小写字母、大写字母、数字、符号中的至少三类");
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

dj_rc dj_auth_hash_password(const char *pw, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return DJ_ERR_INTERNAL;
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPS, PW_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return DJ_ERR_NOMEM;
	return DJ_OK;
}

dj_rc dj_auth_verify_password(const char *hash, const char *pw)
{
	if (!hash || !pw)
		return DJ_ERR_UNAUTH;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? DJ_OK : DJ_ERR_UNAUTH;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void dj_auth_random_token(char out[static DJ_TOKEN_HEX + 1])
{
	unsigned char b[32];
	randombytes_buf(b, sizeof(b));
	to_hex(b, sizeof(b), out);
	sodium_memzero(b, sizeof(b));
}

void dj_auth_sha256_hex(const void *data, size_t len, char out[static DJ_TOKEN_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	to_hex(h, sizeof(h), out);
}

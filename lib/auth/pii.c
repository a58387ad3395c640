/* pii.c — PII encryption (secretbox), blind indexes (keyed BLAKE2b) and masking. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dj/alloc.h"
#include "dj/log.h"
#include "dj/pii.h"
#include "dj/slice.h"
#include "dj/banned.h"

struct dj_pii {
	unsigned char enc[crypto_secretbox_KEYBYTES];
	unsigned char idx[crypto_generichash_KEYBYTES];
};

void dj_pii_default_path(const char *db_path, char *buf, size_t n)
{
	/* DJ_KEY_FILE (also the serve option key_file) names it; a PostgreSQL store has no file to sit beside. */
	const char *env = getenv("DJ_KEY_FILE");
	if (env && *env)
		snprintf(buf, n, "%s", env);
	else
		snprintf(buf, n, "%s.key", db_path);
}

static dj_rc read_all(int fd, unsigned char *b, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, b + got, n - got);
		if (r <= 0)
			return DJ_ERR_IO;
		got += (size_t)r;
	}
	return DJ_OK;
}

dj_rc dj_pii_open(const char *key_path, int create, struct dj_pii **out)
{
	unsigned char key[64];
	struct dj_pii *p;
	int fd = open(key_path, O_RDONLY | O_CLOEXEC);
	*out = NULL;
	if (fd < 0 && errno == ENOENT && create) {
		randombytes_buf(key, sizeof(key));
		fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd)) {
			if (fd >= 0)
				close(fd);
			dj_log_error("pii_key_create_failed", "path=\"%s\"", key_path);
			return DJ_ERR_IO;
		}
		close(fd);
		dj_log_info("pii_key_created", "path=\"%s\"", key_path);
	} else if (fd < 0) {
		if (errno == ENOENT)
			return DJ_ERR_NOTFOUND; /* the caller decides whether that is an error */
		dj_log_error("pii_key_unreadable", "path=\"%s\"", key_path);
		return DJ_ERR_IO;
	} else {
		struct stat st;
		if (fstat(fd, &st) || st.st_size != (off_t)sizeof(key) || read_all(fd, key, sizeof(key))) {
			close(fd);
			dj_log_error("pii_key_bad", "path=\"%s\"", key_path);
			return DJ_ERR_CORRUPT;
		}
		close(fd);
	}
	p = dj_malloc(sizeof(*p));
	memcpy(p->enc, key, sizeof(p->enc));
	memcpy(p->idx, key + 32, sizeof(p->idx));
	sodium_memzero(key, sizeof(key));
	*out = p;
	return DJ_OK;
}

void dj_pii_free(struct dj_pii *p)
{
	if (!p)
		return;
	sodium_memzero(p, sizeof(*p));
	dj_free(p);
}

dj_rc dj_pii_seal(const struct dj_pii *p, const char *plain, size_t n, unsigned char **blob, size_t *blob_len)
{
	size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *b = dj_malloc(len);
	randombytes_buf(b, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(b + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, b, p->enc);
	*blob = b;
	*blob_len = len;
	return DJ_OK;
}

dj_rc dj_pii_open_blob(const struct dj_pii *p, const unsigned char *blob, size_t blob_len, char **plain)
{
	*plain = NULL;
	if (!blob || blob_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return DJ_ERR_CORRUPT;
	size_t n = blob_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	char *out = dj_malloc(n + 1);
	if (crypto_secretbox_open_easy((unsigned char *)out, blob + crypto_secretbox_NONCEBYTES,
				       blob_len - crypto_secretbox_NONCEBYTES, blob, p->enc) != 0) {
		dj_free(out);
		return DJ_ERR_CORRUPT;
	}
	out[n] = '\0';
	*plain = out;
	return DJ_OK;
}

void dj_pii_blind(const struct dj_pii *p, const char *value, char out[static DJ_PII_BIDX_HEX + 1])
{
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), (const unsigned char *)value, strlen(value), p->idx, sizeof(p->idx));
	sodium_bin2hex(out, DJ_PII_BIDX_HEX + 1, h, sizeof(h));
}

static void mask(const char *s, size_t keep_head, size_t keep_tail, char *out, size_t n)
{
	size_t len = s ? strlen(s) : 0, o = 0;
	if (!s || !dj_utf8_valid(s, len) || len <= keep_head + keep_tail) {
		snprintf(out, n, "%s", len ? "****" : "");
		return;
	}
	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = (i < keep_head || i >= len - keep_tail) ? s[i] : '*';
	out[o] = '\0';
}

void dj_pii_mask_idnum(const char *idnum, char *out, size_t n)
{
	mask(idnum, 4, 4, out, n);
}

void dj_pii_mask_phone(const char *phone, char *out, size_t n)
{
	mask(phone, 3, 4, out, n);
}

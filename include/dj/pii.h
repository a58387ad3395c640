/* pii.h — personal information at rest: libsodium secretbox encryption with a key file outside
 * the database, keyed blind indexes for exact lookups, and masking for lists. */
#ifndef DJ_PII_H
#define DJ_PII_H
#include <stddef.h>
#include "dj/rc.h"

struct dj_pii;

#define DJ_PII_BIDX_HEX 32 /* 128-bit blind index as hex */

/** Load the key file (64 random bytes: encryption key, then blind-index key). With create,
 *  a missing file is created with mode 0600. Caller owns *out (dj_pii_free). */
dj_rc dj_pii_open(const char *key_path, int create, struct dj_pii **out);
void dj_pii_free(struct dj_pii *p);
/** Default key path for a database path: "<db>.key". Writes into buf. */
void dj_pii_default_path(const char *db_path, char *buf, size_t n);
/** Encrypt n bytes into a newly allocated blob (nonce || MAC || ciphertext); free with dj_free. */
dj_rc dj_pii_seal(const struct dj_pii *p, const char *plain, size_t n, unsigned char **blob, size_t *blob_len);
/** Decrypt a blob into a newly allocated NUL-terminated string (dj_free). DJ_ERR_CORRUPT if forged. */
dj_rc dj_pii_open_blob(const struct dj_pii *p, const unsigned char *blob, size_t blob_len, char **plain);
/** Keyed hash of a normalized value (for unique lookups without the clear text). */
void dj_pii_blind(const struct dj_pii *p, const char *value, char out[static DJ_PII_BIDX_HEX + 1]);
/** Mask an ID number: first 4 and last 4 kept ("4201**********123X"). out ≥ 32 bytes. */
void dj_pii_mask_idnum(const char *idnum, char *out, size_t n);
/** Mask a phone number: first 3 and last 4 kept ("138****5678"). */
void dj_pii_mask_phone(const char *phone, char *out, size_t n);

#endif

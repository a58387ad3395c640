/* auth.h — accounts, argon2id passwords, sessions with CSRF tokens, lockout. */
#ifndef DJ_AUTH_H
#define DJ_AUTH_H
#include <stddef.h>
#include <stdint.h>
#include "dj/db.h"
#include "dj/rc.h"
#include "dj/scope.h"

#define DJ_TOKEN_HEX 64 /* 256-bit tokens as hex */

/** Security policy numbers (from dj_config). */
struct dj_auth_policy {
	int lockout_failures; /* failed logins before lockout (5) */
	int lockout_s;        /* lockout duration (900) */
	int session_idle_s;   /* idle timeout (1800) */
};

/** Someone who acts: for audit entries. Strings borrowed. */
struct dj_actor {
	int64_t user_id;  /* 0 for the CLI/system */
	const char *username;
	const char *client_ip;
};

/** A logged-in session's user, filled by dj_auth_session_check. */
struct dj_session_user {
	int64_t session_id;
	int64_t user_id;
	char username[64];
	char display_name[128];
	enum dj_role role;
	int64_t org_id;
	char org_name[256];
	int64_t member_id;
	char csrf[DJ_TOKEN_HEX + 1];
	struct dj_scope scope;
};

/** Initialise libsodium; call once at start. */
dj_rc dj_auth_init(void);
/** Password policy: ≥8 characters with ≥3 of lower/upper/digit/other. Chinese reason in err. */
dj_rc dj_auth_password_policy(const char *pw, char *err, size_t errlen);
/** argon2id hash (libsodium crypto_pwhash_str) into out (≥128 bytes). */
dj_rc dj_auth_hash_password(const char *pw, char *out, size_t outlen);
/** DJ_OK if pw matches the stored hash, DJ_ERR_UNAUTH if not. */
dj_rc dj_auth_verify_password(const char *hash, const char *pw);
/** Random 256-bit token as 64 hex chars. */
void dj_auth_random_token(char out[static DJ_TOKEN_HEX + 1]);
/** SHA-256 of a string as 64 hex chars. */
void dj_auth_sha256_hex(const void *data, size_t len, char out[static DJ_TOKEN_HEX + 1]);

/** Create an account inside the caller's open write transaction, audited (user.create).
 *  The org must lie in sc's subtree; role by name; password checked against the policy.
 *  *id_out gets the new id. DJ_ERR_CONFLICT if the username exists, DJ_ERR_INVALID
 *  (with *field and a Chinese err) for bad input. */
dj_rc dj_auth_user_create(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who,
			  const char *username, const char *password, const char *role, int64_t org_id,
			  int64_t *id_out, const char **field, char *err, size_t errlen);

/** Log in: checks lockout, verifies the password, records failures, creates a session.
 *  Writes audit entries (login / login_failed) in the same transaction.
 *  On success token_out gets the cookie value and *u the user. DJ_ERR_UNAUTH for bad
 *  credentials, DJ_ERR_LOCKED while locked. */
dj_rc dj_auth_login(struct dj_db *db, const struct dj_auth_policy *pol, const char *username, const char *password,
		    const char *client_ip, char token_out[static DJ_TOKEN_HEX + 1], struct dj_session_user *u);

/** Resolve a cookie token into a user; refreshes last_seen (at most once a minute).
 *  DJ_ERR_UNAUTH if unknown, expired or the account is disabled. */
dj_rc dj_auth_session_check(struct dj_db *db, const struct dj_auth_policy *pol, const char *token,
			    struct dj_session_user *u);

/** Delete the session (logout), audited. */
dj_rc dj_auth_logout(struct dj_db *db, const struct dj_session_user *u, const char *client_ip);

/** Count of sessions active within the idle window (for /metrics). */
int64_t dj_auth_active_sessions(struct dj_db *db, const struct dj_auth_policy *pol);

#include "dj/json.h"
/** Write the accounts whose org lies in sc's subtree as JSON objects into w (inside an
 *  open array), filtered by q (username contains) and paged; *total gets the count. */
dj_rc dj_auth_users_list(struct dj_db_conn *c, const struct dj_scope *sc, const char *q, int64_t page,
			 int64_t per_page, struct dj_jw *w, int64_t *total);
/** Write one account (in scope) as JSON; DJ_ERR_NOTFOUND outside the scope. */
dj_rc dj_auth_user_write(struct dj_db_conn *c, const struct dj_scope *sc, int64_t id, struct dj_jw *w);
/** Change an account in the open transaction: any of disabled (0/1, -1 = keep), password
 *  (NULL = keep), role (NULL = keep), org_id (0 = keep). Scope-checked on the account and on
 *  the new org; audited with before/after. Invalid input: DJ_ERR_INVALID with *field, err. */
dj_rc dj_auth_user_update(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who, int64_t id,
			  int disabled, const char *password, const char *role, int64_t org_id, const char **field,
			  char *err, size_t errlen);
#endif

/* account.c — accounts, login with lockout, sessions (hashed tokens) and logout; every change audited. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/auth.h"
#include "dj/date.h"
#include "dj/json.h"
#include "dj/log.h"
#include "dj/slice.h"
#include "dj/banned.h"

/* The account queries, in one place. */
static const char Q_USER_BY_NAME[] =
	"SELECT u.id, u.password_hash, u.role, u.org_id, u.member_id, u.disabled, u.failed_logins, u.locked_until,"
	" COALESCE(u.display_name, u.username), o.name, o.path FROM users u JOIN orgs o ON o.id = u.org_id"
	" WHERE u.username = ?";
static const char Q_USER_INSERT[] =
	"INSERT INTO users(username, password_hash, role, org_id, created_at, updated_at, password_changed_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char Q_ORG_IN_SCOPE[] = "SELECT path FROM orgs WHERE id = ? AND path >= ? AND path < ?";
static const char Q_FAIL[] = "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?";
static const char Q_LOCK[] = "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?";
static const char Q_LOGIN_OK[] = "UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ? WHERE id = ?";
static const char Q_SESSION_INSERT[] =
	"INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen, client_ip) VALUES (?, ?, ?, ?, ?, ?)";
static const char Q_SESSION_PURGE[] = "DELETE FROM sessions WHERE last_seen < ?";
static const char Q_SESSION_GET[] =
	"SELECT s.id, s.user_id, s.csrf_token, s.last_seen, u.username, u.role, u.org_id, COALESCE(u.member_id, 0),"
	" u.disabled, COALESCE(u.display_name, u.username), o.name, o.path"
	" FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id WHERE s.token_hash = ?";
static const char Q_SESSION_TOUCH[] = "UPDATE sessions SET last_seen = ? WHERE id = ?";
static const char Q_SESSION_DELETE[] = "DELETE FROM sessions WHERE id = ?";
static const char Q_SESSION_COUNT[] = "SELECT COUNT(*) FROM sessions WHERE last_seen >= ?";

static void copy(char *dst, size_t n, const char *src)
{
	/* snprintf's truncation without its cost: this runs for every field of every session check */
	size_t len = src ? strnlen(src, n - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

dj_rc dj_auth_user_create(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_actor *who,
			  const char *username, const char *password, const char *role, int64_t org_id,
			  int64_t *id_out, const char **field, char *err, size_t errlen)
{
	char path[DJ_PATH_MAX];
	struct dj_stmt *s;
	char hash[crypto_pwhash_STRBYTES], ts[26];
	dj_rc rc;
	size_t ulen = username ? strlen(username) : 0;
	*field = NULL;
	bool ctl = false;
	for (size_t i = 0; i < ulen; i++)
		ctl |= (unsigned char)username[i] < 0x20 || username[i] == 0x7f;
	if (ulen < 2 || ulen > 60 || ctl || !dj_utf8_valid(username, ulen) || strpbrk(username, " \t\r\n/\\<>\"'")) {
		*field = "username";
		snprintf(err, errlen, "用户名须为 2–60 个字符，且不含空格、引号、斜杠或尖括号");
		return DJ_ERR_INVALID;
	}
	if (dj_role_parse(role) == DJ_ROLE_NONE) {
		*field = "role";
		snprintf(err, errlen, "角色无效：应为 admin、org_admin、member、secadmin 或 auditor");
		return DJ_ERR_INVALID;
	}
	if (!password || dj_auth_password_policy(password, err, errlen)) {
		*field = "password";
		if (!password)
			snprintf(err, errlen, "缺少密码");
		return DJ_ERR_INVALID;
	}
	rc = dj_db_prepare(c, Q_ORG_IN_SCOPE, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, org_id);
	dj_stmt_bind_text(s, 2, sc->org_path);
	dj_stmt_bind_text(s, 3, sc->path_hi);
	rc = dj_stmt_step(s);
	copy(path, sizeof(path), rc == DJ_ROW ? dj_stmt_text(s, 0) : "");
	dj_stmt_reset(s);
	if (rc != DJ_ROW) {
		*field = "org_id";
		snprintf(err, errlen, "所属组织不存在或不在您的管理范围内：%lld", (long long)org_id);
		return DJ_ERR_INVALID;
	}
	rc = dj_auth_hash_password(password, hash, sizeof(hash));
	if (rc)
		return rc;
	dj_time_rfc3339(dj_time_now(), ts);
	rc = dj_db_prepare(c, Q_USER_INSERT, &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, username);
	dj_stmt_bind_text(s, 2, hash);
	dj_stmt_bind_text(s, 3, role);
	dj_stmt_bind_int(s, 4, org_id);
	dj_stmt_bind_text(s, 5, ts);
	dj_stmt_bind_text(s, 6, ts);
	dj_stmt_bind_text(s, 7, ts);
	rc = dj_stmt_exec(s);
	sodium_memzero(hash, sizeof(hash));
	if (rc == DJ_ERR_CONFLICT) {
		*field = "username";
		snprintf(err, errlen, "用户名已存在：%s", username);
		return rc;
	}
	if (rc)
		return rc;
	*id_out = dj_db_last_id(c);
	struct dj_strbuf after = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &after);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "id", *id_out);
	dj_jw_kstr(&w, "username", username);
	dj_jw_kstr(&w, "role", role);
	dj_jw_kint(&w, "org_id", org_id);
	dj_jw_obj_end(&w);
	struct dj_audit_entry e = { "user.create", "user", *id_out, path, NULL, after.buf };
	rc = dj_audit_append(c, who, &e);
	dj_strbuf_release(&after);
	return rc;
}

/* Audit a login event inside the open transaction. */
static dj_rc audit_login(struct dj_db_conn *c, const char *action, int64_t uid, const char *username,
			 const char *ip, const char *org_path, const char *detail)
{
	struct dj_actor who = { uid, username, ip };
	char after[256];
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_strbuf_init(&sb, sizeof(after) - 1);
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "username", username);
	if (detail)
		dj_jw_kstr(&w, "detail", detail);
	dj_jw_obj_end(&w);
	copy(after, sizeof(after), w.rc ? "{}" : sb.buf);
	dj_strbuf_release(&sb);
	struct dj_audit_entry e = { action, "user", uid, org_path, NULL, after };
	return dj_audit_append(c, &who, &e);
}

struct found_user {
	int64_t id, org_id, member_id, locked_until;
	int disabled, failed;
	char hash[crypto_pwhash_STRBYTES];
	char role[16], display[128], org_name[256], org_path[DJ_PATH_MAX];
};

static dj_rc find_user(struct dj_db *db, const char *username, struct found_user *f, bool *found)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	*found = false;
	dj_rc rc = dj_db_reader(db, &c);
	if (rc)
		return rc;
	rc = dj_db_prepare(c, Q_USER_BY_NAME, &s);
	if (!rc) {
		dj_stmt_bind_text(s, 1, username);
		rc = dj_stmt_step(s);
		if (rc == DJ_ROW) {
			*found = true;
			f->id = dj_stmt_int(s, 0);
			copy(f->hash, sizeof(f->hash), dj_stmt_text(s, 1));
			copy(f->role, sizeof(f->role), dj_stmt_text(s, 2));
			f->org_id = dj_stmt_int(s, 3);
			f->member_id = dj_stmt_int(s, 4);
			f->disabled = (int)dj_stmt_int(s, 5);
			f->failed = (int)dj_stmt_int(s, 6);
			f->locked_until = dj_stmt_int(s, 7);
			copy(f->display, sizeof(f->display), dj_stmt_text(s, 8));
			copy(f->org_name, sizeof(f->org_name), dj_stmt_text(s, 9));
			copy(f->org_path, sizeof(f->org_path), dj_stmt_text(s, 10));
			rc = DJ_OK;
		} else if (rc == DJ_DONE) {
			rc = DJ_OK;
		}
		dj_stmt_reset(s);
	}
	dj_db_release(c);
	return rc;
}

static void fill_user(struct dj_session_user *u, int64_t uid, const char *username, const char *role, int64_t org_id,
		      int64_t member_id, const char *display, const char *org_name, const char *org_path)
{
	u->user_id = uid;
	copy(u->username, sizeof(u->username), username);
	copy(u->display_name, sizeof(u->display_name), display);
	u->role = dj_role_parse(role);
	u->org_id = org_id;
	copy(u->org_name, sizeof(u->org_name), org_name);
	u->member_id = member_id;
	memset(&u->scope, 0, sizeof(u->scope));
	u->scope.role = u->role;
	u->scope.user_id = uid;
	u->scope.org_id = org_id;
	u->scope.member_id = member_id;
	dj_scope_set_path(&u->scope, org_path);
}

dj_rc dj_auth_login(struct dj_db *db, const struct dj_auth_policy *pol, const char *username, const char *password,
		    const char *client_ip, char token_out[static DJ_TOKEN_HEX + 1], struct dj_session_user *u)
{
	struct found_user f;
	struct dj_db_conn *c = NULL;
	struct dj_stmt *s;
	bool found;
	char ts[26], token_hash[DJ_TOKEN_HEX + 1];
	int64_t now = dj_time_now();
	dj_rc rc, result;

	memset(&f, 0, sizeof(f));
	rc = find_user(db, username, &f, &found);
	if (rc)
		return rc;
	/* Verify outside the write lock: argon2id takes tens of milliseconds. */
	if (!found || f.disabled) {
		/* Same work for unknown names, so timing does not reveal which names exist. */
		static const char dummy[] =
			"$argon2id$v=19$m=32768,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$3fEw1fPuKpgLeexOr4hWV6Oz0U3d5z9BptgcVYSXL1M";
		dj_auth_verify_password(dummy, password);
		result = DJ_ERR_UNAUTH;
	} else if (f.locked_until > now) {
		result = DJ_ERR_LOCKED;
	} else {
		result = dj_auth_verify_password(f.hash, password);
	}
	sodium_memzero(f.hash, sizeof(f.hash));

	rc = dj_db_begin(db, &c);
	if (rc)
		return rc;
	dj_time_rfc3339(now, ts);
	if (result == DJ_ERR_LOCKED) {
		rc = audit_login(c, "login_failed", f.id, username, client_ip, f.org_path, "account_locked");
	} else if (result) {
		const char *detail = !found ? "unknown_user" : f.disabled ? "disabled" : "bad_password";
		if (found && !f.disabled) {
			if (f.failed + 1 >= pol->lockout_failures) {
				/* Lockout after N failures for lockout_s seconds. */
				rc = dj_db_prepare(c, Q_LOCK, &s);
				if (!rc) {
					dj_stmt_bind_int(s, 1, now + pol->lockout_s);
					dj_stmt_bind_int(s, 2, f.id);
					rc = dj_stmt_exec(s);
				}
				detail = "bad_password_locked";
			} else {
				rc = dj_db_prepare(c, Q_FAIL, &s);
				if (!rc) {
					dj_stmt_bind_int(s, 1, f.id);
					rc = dj_stmt_exec(s);
				}
			}
		}
		if (!rc)
			rc = audit_login(c, "login_failed", found ? f.id : 0, username, client_ip,
					 found ? f.org_path : NULL, detail);
	} else {
		char csrf[DJ_TOKEN_HEX + 1];
		dj_auth_random_token(token_out);
		dj_auth_random_token(csrf);
		dj_auth_sha256_hex(token_out, DJ_TOKEN_HEX, token_hash);
		rc = dj_db_prepare(c, Q_SESSION_PURGE, &s);
		if (!rc) {
			dj_stmt_bind_int(s, 1, now - pol->session_idle_s);
			rc = dj_stmt_exec(s);
		}
		if (!rc)
			rc = dj_db_prepare(c, Q_LOGIN_OK, &s);
		if (!rc) {
			dj_stmt_bind_text(s, 1, ts);
			dj_stmt_bind_int(s, 2, f.id);
			rc = dj_stmt_exec(s);
		}
		if (!rc)
			rc = dj_db_prepare(c, Q_SESSION_INSERT, &s);
		if (!rc) {
			dj_stmt_bind_text(s, 1, token_hash);
			dj_stmt_bind_int(s, 2, f.id);
			dj_stmt_bind_text(s, 3, csrf);
			dj_stmt_bind_int(s, 4, now);
			dj_stmt_bind_int(s, 5, now);
			dj_stmt_bind_text(s, 6, client_ip);
			rc = dj_stmt_exec(s);
		}
		if (!rc) {
			u->session_id = dj_db_last_id(c);
			copy(u->csrf, sizeof(u->csrf), csrf);
			fill_user(u, f.id, username, f.role, f.org_id, f.member_id, f.display, f.org_name, f.org_path);
			rc = audit_login(c, "login", f.id, username, client_ip, f.org_path, NULL);
		}
	}
	if (rc) {
		dj_db_rollback(c);
		return rc;
	}
	rc = dj_db_commit(c);
	return rc ? rc : result;
}

static dj_rc write_session(struct dj_db *db, const char *sql, int64_t a, int64_t b, int nbind)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	dj_rc rc = dj_db_begin(db, &c);
	if (rc)
		return rc;
	rc = dj_db_prepare(c, sql, &s);
	if (!rc) {
		dj_stmt_bind_int(s, 1, a);
		if (nbind > 1)
			dj_stmt_bind_int(s, 2, b);
		rc = dj_stmt_exec(s);
	}
	if (rc) {
		dj_db_rollback(c);
		return rc;
	}
	return dj_db_commit(c);
}

/* SHA-256 of a session token, remembered per thread: the hash is a pure function of the token (nothing
 * to invalidate) and cost ~8,000 instructions of every authenticated request. Direct-mapped on the
 * token's leading random bytes; 64 tokens per thread. */
#define TOKEN_MEMO 64
static _Thread_local struct {
	char token[DJ_TOKEN_HEX + 1], hash[DJ_TOKEN_HEX + 1];
} token_memo[TOKEN_MEMO];

static void memo_token_hash(const char *token, char out[static DJ_TOKEN_HEX + 1])
{
	unsigned slot = ((unsigned)(unsigned char)token[0] * 31u + (unsigned char)token[1]) % TOKEN_MEMO;
	if (memcmp(token_memo[slot].token, token, DJ_TOKEN_HEX) != 0) {
		dj_auth_sha256_hex(token, DJ_TOKEN_HEX, token_memo[slot].hash);
		memcpy(token_memo[slot].token, token, DJ_TOKEN_HEX);
	}
	memcpy(out, token_memo[slot].hash, DJ_TOKEN_HEX + 1);
}

dj_rc dj_auth_session_check(struct dj_db *db, const struct dj_auth_policy *pol, const char *token,
			    struct dj_session_user *u)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	char token_hash[DJ_TOKEN_HEX + 1];
	int64_t now = dj_time_now(), last_seen = 0;
	int disabled = 0;
	if (!token || strlen(token) != DJ_TOKEN_HEX)
		return DJ_ERR_UNAUTH;
	memo_token_hash(token, token_hash);
	dj_rc rc = dj_db_reader(db, &c);
	if (rc)
		return rc;
	rc = dj_db_prepare(c, Q_SESSION_GET, &s);
	if (!rc) {
		dj_stmt_bind_text(s, 1, token_hash);
		rc = dj_stmt_step(s);
		if (rc == DJ_ROW) {
			u->session_id = dj_stmt_int(s, 0);
			copy(u->csrf, sizeof(u->csrf), dj_stmt_text(s, 2));
			last_seen = dj_stmt_int(s, 3);
			disabled = (int)dj_stmt_int(s, 8);
			fill_user(u, dj_stmt_int(s, 1), dj_stmt_text(s, 4), dj_stmt_text(s, 5), dj_stmt_int(s, 6),
				  dj_stmt_int(s, 7), dj_stmt_text(s, 9), dj_stmt_text(s, 10), dj_stmt_text(s, 11));
			rc = DJ_OK;
		} else if (rc == DJ_DONE) {
			rc = DJ_ERR_UNAUTH;
		}
		dj_stmt_reset(s);
	}
	dj_db_release(c);
	if (rc)
		return rc;
	if (disabled || last_seen < now - pol->session_idle_s) {
		write_session(db, Q_SESSION_DELETE, u->session_id, 0, 1);
		return DJ_ERR_UNAUTH;
	}
	/* Refresh the idle clock at most once a minute, so reads stay reads. */
	if (now - last_seen >= 60)
		write_session(db, Q_SESSION_TOUCH, now, u->session_id, 2);
	return DJ_OK;
}

dj_rc dj_auth_logout(struct dj_db *db, const struct dj_session_user *u, const char *client_ip)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	dj_rc rc = dj_db_begin(db, &c);
	if (rc)
		return rc;
	rc = dj_db_prepare(c, Q_SESSION_DELETE, &s);
	if (!rc) {
		dj_stmt_bind_int(s, 1, u->session_id);
		rc = dj_stmt_exec(s);
	}
	if (!rc)
		rc = audit_login(c, "logout", u->user_id, u->username, client_ip, u->scope.org_path, NULL);
	if (rc) {
		dj_db_rollback(c);
		return rc;
	}
	return dj_db_commit(c);
}

int64_t dj_auth_active_sessions(struct dj_db *db, const struct dj_auth_policy *pol)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	int64_t n = 0;
	if (dj_db_reader(db, &c))
		return 0;
	if (!dj_db_prepare(c, Q_SESSION_COUNT, &s)) {
		dj_stmt_bind_int(s, 1, dj_time_now() - pol->session_idle_s);
		if (dj_stmt_step(s) == DJ_ROW)
			n = dj_stmt_int(s, 0);
		dj_stmt_reset(s);
	}
	dj_db_release(c);
	return n;
}

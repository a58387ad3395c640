/* audit.c — append-only audit log: each entry carries the SHA-256 of its content and the previous
 * entry's hash, and the chain head is mirrored in settings so tail deletion is detected too. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "dj/audit.h"
#include "dj/date.h"
#include "dj/log.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

static const char Q_LAST[] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
static const char Q_INSERT[] =
	"INSERT INTO audit_log(id, ts, actor_id, actor_name, action, object_type, object_id, org_path, client_ip,"
	" before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char Q_HEAD_SET[] =
	"INSERT INTO settings(key, value, updated_at) VALUES ('audit.head', ?, ?)"
	" ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
static const char Q_HEAD_GET[] = "SELECT value FROM settings WHERE key = 'audit.head'";
static const char Q_ALL[] =
	"SELECT id, ts, actor_id, actor_name, action, object_type, object_id, org_path, client_ip, before_json,"
	" after_json, prev_hash, hash FROM audit_log ORDER BY id";

/* Fields are length-prefixed so no two different entries serialise to the same bytes. */
static void field(crypto_hash_sha256_state *st, const char *s)
{
	char len[24];
	int n = snprintf(len, sizeof(len), "%zu:", s ? strlen(s) : (size_t)0);
	crypto_hash_sha256_update(st, (const unsigned char *)(s ? len : "-:"), s ? (size_t)n : 2);
	if (s)
		crypto_hash_sha256_update(st, (const unsigned char *)s, strlen(s));
}

static void ifield(crypto_hash_sha256_state *st, int64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "%lld", (long long)v);
	field(st, b);
}

static void entry_hash(int64_t id, const char *ts, int64_t actor_id, const char *actor_name, const char *action,
		       const char *object_type, int64_t object_id, const char *org_path, const char *ip,
		       const char *before, const char *after, const char *prev, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[32];
	static const char hx[] = "0123456789abcdef";
	crypto_hash_sha256_init(&st);
	field(&st, prev);
	ifield(&st, id);
	field(&st, ts);
	ifield(&st, actor_id);
	field(&st, actor_name);
	field(&st, action);
	field(&st, object_type);
	ifield(&st, object_id);
	field(&st, org_path);
	field(&st, ip);
	field(&st, before);
	field(&st, after);
	crypto_hash_sha256_final(&st, h);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[h[i] >> 4];
		out[2 * i + 1] = hx[h[i] & 15];
	}
	out[64] = '\0';
}

dj_rc dj_audit_append(struct dj_db_conn *c, const struct dj_actor *who, const struct dj_audit_entry *e)
{
	struct dj_stmt *s;
	char prev[65], hash[65], ts[26], head[96];
	int64_t id = 1;
	dj_rc rc = dj_db_prepare(c, Q_LAST, &s);
	if (rc)
		return rc;
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	if (dj_stmt_step(s) == DJ_ROW) {
		id = dj_stmt_int(s, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", dj_stmt_text(s, 1));
	}
	dj_stmt_reset(s);
	dj_time_rfc3339(dj_time_now(), ts);
	entry_hash(id, ts, who->user_id, who->username, e->action, e->object_type, e->object_id, e->org_path,
		   who->client_ip, e->before_json, e->after_json, prev, hash);
	rc = dj_db_prepare(c, Q_INSERT, &s);
	if (rc)
		return rc;
	dj_stmt_bind_int(s, 1, id);
	dj_stmt_bind_text(s, 2, ts);
	if (who->user_id)
		dj_stmt_bind_int(s, 3, who->user_id);
	dj_stmt_bind_text(s, 4, who->username);
	dj_stmt_bind_text(s, 5, e->action);
	dj_stmt_bind_text(s, 6, e->object_type);
	if (e->object_id)
		dj_stmt_bind_int(s, 7, e->object_id);
	dj_stmt_bind_text(s, 8, e->org_path);
	dj_stmt_bind_text(s, 9, who->client_ip);
	dj_stmt_bind_text(s, 10, e->before_json);
	dj_stmt_bind_text(s, 11, e->after_json);
	dj_stmt_bind_text(s, 12, prev);
	dj_stmt_bind_text(s, 13, hash);
	rc = dj_stmt_exec(s);
	if (rc)
		return rc;
	snprintf(head, sizeof(head), "%lld:%s", (long long)id, hash);
	rc = dj_db_prepare(c, Q_HEAD_SET, &s);
	if (rc)
		return rc;
	dj_stmt_bind_text(s, 1, head);
	dj_stmt_bind_text(s, 2, ts);
	return dj_stmt_exec(s);
}

dj_rc dj_audit_verify(struct dj_db *db, int64_t *bad_id, int64_t *count)
{
	struct dj_db_conn *c;
	struct dj_stmt *s;
	char prev[65], hash[65], head[96] = "";
	int64_t expect_id = 1;
	dj_rc rc = dj_db_reader(db, &c);
	*bad_id = 0;
	*count = 0;
	if (rc)
		return rc;
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	rc = dj_db_prepare(c, Q_HEAD_GET, &s);
	if (rc)
		goto out;
	if (dj_stmt_step(s) == DJ_ROW)
		snprintf(head, sizeof(head), "%s", dj_stmt_text(s, 0));
	dj_stmt_reset(s);
	rc = dj_db_prepare(c, Q_ALL, &s);
	if (rc)
		goto out;
	for (;;) {
		dj_rc st = dj_stmt_step(s);
		if (st == DJ_DONE)
			break;
		if (st != DJ_ROW) {
			rc = st;
			break;
		}
		int64_t id = dj_stmt_int(s, 0);
		const char *stored_prev = dj_stmt_text(s, 11), *stored = dj_stmt_text(s, 12);
		if (id != expect_id) {
			/* A gap: the entry expect_id was removed. */
			*bad_id = expect_id;
			rc = DJ_ERR_CORRUPT;
			break;
		}
		entry_hash(id, dj_stmt_text(s, 1), dj_stmt_int(s, 2), dj_stmt_text(s, 3), dj_stmt_text(s, 4),
			   dj_stmt_text(s, 5), dj_stmt_int(s, 6), dj_stmt_text(s, 7), dj_stmt_text(s, 8),
			   dj_stmt_text(s, 9), dj_stmt_text(s, 10), prev, hash);
		if (!stored_prev || strcmp(stored_prev, prev) || !stored || strcmp(stored, hash)) {
			*bad_id = id;
			rc = DJ_ERR_CORRUPT;
			break;
		}
		snprintf(prev, sizeof(prev), "%s", hash);
		expect_id = id + 1;
		(*count)++;
	}
	dj_stmt_reset(s);
	if (!rc) {
		char want[96];
		snprintf(want, sizeof(want), "%lld:%s", (long long)(expect_id - 1), prev);
		if (*count == 0 ? head[0] != '\0' : strcmp(head, want) != 0) {
			/* Entries after the last one present were removed (or the head was forged). */
			*bad_id = expect_id;
			rc = DJ_ERR_CORRUPT;
		}
	}
out:
	dj_db_release(c);
	return rc;
}

#define LIST_WHERE                                                                                    \
	" WHERE ((org_path >= ? AND org_path < ?) OR org_path IS NULL) AND (? IS NULL OR action = ?)"   \
	" AND (? IS NULL OR actor_name = ?) AND (? IS NULL OR object_type = ?) AND (? IS NULL OR ts >= ?)" \
	" AND (? IS NULL OR ts < ?)"
static const char Q_LIST[] = "SELECT id, ts, actor_id, actor_name, action, object_type, object_id, org_path,"
			     " client_ip, before_json, after_json, hash FROM audit_log" LIST_WHERE
			     " ORDER BY id DESC LIMIT ? OFFSET ?";
static const char Q_LIST_COUNT[] = "SELECT COUNT(*) FROM audit_log" LIST_WHERE;

static void bind_list(struct dj_stmt *s, const struct dj_scope *sc, const struct dj_audit_filter *f, const char *to_next)
{
	dj_stmt_bind_text(s, 1, sc->org_path);
	dj_stmt_bind_text(s, 2, sc->path_hi);
	dj_stmt_bind_text(s, 3, f->action);
	dj_stmt_bind_text(s, 4, f->action);
	dj_stmt_bind_text(s, 5, f->actor);
	dj_stmt_bind_text(s, 6, f->actor);
	dj_stmt_bind_text(s, 7, f->object_type);
	dj_stmt_bind_text(s, 8, f->object_type);
	dj_stmt_bind_text(s, 9, f->from);
	dj_stmt_bind_text(s, 10, f->from);
	dj_stmt_bind_text(s, 11, to_next);
	dj_stmt_bind_text(s, 12, to_next);
}

dj_rc dj_audit_list(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_audit_filter *f, int64_t page,
		    int64_t per_page, struct dj_jw *w, int64_t *total)
{
	struct dj_stmt *s;
	char next[11];
	const char *to_next = NULL;
	struct dj_date d;
	if (f->to) {
		if (dj_date_parse(f->to, strlen(f->to), &d))
			return DJ_ERR_INVALID;
		to_next = dj_date_format(dj_date_add_days(d, 1), next);
	}
	if (f->from && dj_date_parse(f->from, strlen(f->from), &d))
		return DJ_ERR_INVALID;
	dj_rc rc = dj_db_prepare(c, Q_LIST_COUNT, &s);
	if (rc)
		return rc;
	bind_list(s, sc, f, to_next);
	*total = dj_stmt_step(s) == DJ_ROW ? dj_stmt_int(s, 0) : 0;
	dj_stmt_reset(s);
	rc = dj_db_prepare(c, Q_LIST, &s);
	if (rc)
		return rc;
	bind_list(s, sc, f, to_next);
	dj_stmt_bind_int(s, 13, per_page);
	dj_stmt_bind_int(s, 14, (page - 1) * per_page);
	while ((rc = dj_stmt_step(s)) == DJ_ROW) {
		dj_jw_obj_begin(w);
		dj_jw_kint(w, "id", dj_stmt_int(s, 0));
		dj_jw_kstr(w, "ts", dj_stmt_text(s, 1));
		dj_jw_kint_or_null(w, "actor_id", dj_stmt_int(s, 2), dj_stmt_is_null(s, 2));
		dj_jw_kstr(w, "actor_name", dj_stmt_text(s, 3));
		dj_jw_kstr(w, "action", dj_stmt_text(s, 4));
		dj_jw_kstr(w, "object_type", dj_stmt_text(s, 5));
		dj_jw_kint_or_null(w, "object_id", dj_stmt_int(s, 6), dj_stmt_is_null(s, 6));
		dj_jw_kstr(w, "org_path", dj_stmt_text(s, 7));
		dj_jw_kstr(w, "client_ip", dj_stmt_text(s, 8));
		dj_jw_key(w, "before");
		dj_jw_raw(w, dj_stmt_text(s, 9)); /* stored JSON text, written by us */
		dj_jw_key(w, "after");
		dj_jw_raw(w, dj_stmt_text(s, 10));
		dj_jw_kstr(w, "hash", dj_stmt_text(s, 11));
		dj_jw_obj_end(w);
	}
	dj_stmt_reset(s);
	return rc == DJ_DONE ? DJ_OK : rc;
}

/* audit.h — the append-only, SHA-256 hash-chained audit log. */
#ifndef DJ_AUDIT_H
#define DJ_AUDIT_H
#include <stdint.h>
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/json.h"
#include "dj/rc.h"

/** One entry to append. Strings borrowed; before/after are JSON text or NULL. */
struct dj_audit_entry {
	const char *action;       /* e.g. "org.create", "login", "login_failed", "export.members" */
	const char *object_type;  /* "org", "member", "user" ... or NULL */
	int64_t object_id;        /* 0 if none */
	const char *org_path;     /* subtree the object lives in, for scoped reading; may be NULL */
	const char *before_json;
	const char *after_json;
};

/** Append inside the caller's write transaction c (the chain is linear because
 *  there is one writer). */
dj_rc dj_audit_append(struct dj_db_conn *c, const struct dj_actor *who, const struct dj_audit_entry *e);

/** Recompute the chain. DJ_OK if intact; DJ_ERR_CORRUPT with *bad_id set to the first
 *  entry whose hash or link does not match (or to the id after a gap). *count gets the
 *  number of entries checked. */
dj_rc dj_audit_verify(struct dj_db *db, int64_t *bad_id, int64_t *count);

/** Filters for listing; NULL members are ignored. Dates are YYYY-MM-DD (inclusive). */
struct dj_audit_filter {
	const char *action, *actor, *object_type, *from, *to;
};

/** Write the entries visible to sc (org_path in the subtree, or system-wide entries
 *  without an org) as JSON objects into w (inside an open array), newest first. */
dj_rc dj_audit_list(struct dj_db_conn *c, const struct dj_scope *sc, const struct dj_audit_filter *f, int64_t page,
		    int64_t per_page, struct dj_jw *w, int64_t *total);

#endif

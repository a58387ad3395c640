/* scope.h — the caller's data scope: an org subtree by materialized path, required by every
 * query on business data (ARCHITECTURE.md "Every read and write is scoped"). */
#ifndef DJ_SCOPE_H
#define DJ_SCOPE_H
#include <stdbool.h>
#include <stdint.h>

/** Roles (三员分立: business admins, secadmin for accounts, auditor for the audit log). */
enum dj_role {
	DJ_ROLE_NONE = 0,
	DJ_ROLE_ADMIN = 1,     /* full rights in its subtree, including rule settings */
	DJ_ROLE_ORG_ADMIN = 2, /* manages its subtree's data */
	DJ_ROLE_MEMBER = 4,    /* own record */
	DJ_ROLE_SECADMIN = 8,  /* accounts and roles only */
	DJ_ROLE_AUDITOR = 16,  /* read-only audit log only */
};
#define DJ_ROLES_BUSINESS (DJ_ROLE_ADMIN | DJ_ROLE_ORG_ADMIN)
#define DJ_ROLES_ALL 31u

#define DJ_PATH_MAX 256

/** Who is asking and what subtree they may touch. org_path is like "/1/5/". */
struct dj_scope {
	enum dj_role role;
	int64_t user_id;
	int64_t org_id;
	int64_t member_id;          /* member role: own record id, else 0 */
	char org_path[DJ_PATH_MAX];
	char path_hi[DJ_PATH_MAX];  /* exclusive upper bound of the subtree range */
};

/** Fill path_hi from org_path: the subtree is [org_path, path_hi) as text. */
void dj_scope_set_path(struct dj_scope *s, const char *org_path);
/** The org ids of a materialized path ("/1/5/23/" → 1, 5, 23), at most max; returns how many. */
size_t dj_path_ids(const char *path, int64_t *ids, size_t max);
/** True if path (an org's materialized path) lies in the scope's subtree. */
bool dj_scope_covers(const struct dj_scope *s, const char *path);
/** Role from its API name ("admin", "org_admin", ...); DJ_ROLE_NONE if unknown. */
enum dj_role dj_role_parse(const char *name);
/** API name of a role. */
const char *dj_role_name(enum dj_role r);
/** Chinese name of a role. */
const char *dj_role_label(enum dj_role r);

#endif

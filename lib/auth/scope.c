/* scope.c — subtree ranges over materialized paths, and role names. */
#include <stdio.h>
#include <string.h>
#include "dj/scope.h"
#include "dj/banned.h"

void dj_scope_set_path(struct dj_scope *s, const char *org_path)
{
	size_t n = strlen(org_path);
	if (n == 0) {
		/* No org: an empty range, so nothing is covered (fail closed). */
		s->org_path[0] = s->path_hi[0] = '\0';
		return;
	}
	/* Every path ends in '/': "/1/5" would otherwise also cover "/1/50/". (Copied by hand rather
	 * than with snprintf: this runs for every authenticated request; same truncation.) */
	size_t full = n + (org_path[n - 1] == '/' ? 0 : 1);
	size_t m = full < sizeof(s->org_path) - 1 ? full : sizeof(s->org_path) - 1;
	memcpy(s->org_path, org_path, m <= n ? m : n);
	if (m > n)
		s->org_path[n] = '/';
	s->org_path[m] = '\0';
	memcpy(s->path_hi, s->org_path, m + 1);
	/* '0' follows '/', so [path, path-with-'0') is exactly the subtree. */
	s->path_hi[m - 1] = '0';
}

bool dj_scope_covers(const struct dj_scope *s, const char *path)
{
	size_t n = strlen(s->org_path);
	return n > 0 && path && strncmp(path, s->org_path, n) == 0;
}

static const struct {
	enum dj_role role;
	const char *name, *label;
} roles[] = {
	{ DJ_ROLE_ADMIN, "admin", "系统管理员" },
	{ DJ_ROLE_ORG_ADMIN, "org_admin", "组织管理员" },
	{ DJ_ROLE_MEMBER, "member", "党员" },
	{ DJ_ROLE_SECADMIN, "secadmin", "安全管理员" },
	{ DJ_ROLE_AUDITOR, "auditor", "审计管理员" },
};

enum dj_role dj_role_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].role;
	return DJ_ROLE_NONE;
}

const char *dj_role_name(enum dj_role r)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == r)
			return roles[i].name;
	return "none";
}

const char *dj_role_label(enum dj_role r)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == r)
			return roles[i].label;
	return "未知";
}

size_t dj_path_ids(const char *p, int64_t *ids, size_t max)
{
	size_t n = 0;
	while (p && *p == '/' && n < max) {
		int64_t id = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			id = id * 10 + (*p - '0');
		if (!id)
			break;
		ids[n++] = id;
	}
	return n;
}

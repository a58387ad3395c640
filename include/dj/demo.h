/* demo.h — the deterministic demo county (and, later, province-scale data for benchmarks). */
#ifndef DJ_DEMO_H
#define DJ_DEMO_H
#include <stdint.h>
#include "dj/db.h"
#include "dj/pii.h"
#include "dj/rc.h"

/** A demo login printed for people trying the system. Static storage. */
struct dj_demo_login {
	const char *username, *password, *role, *what;
};

/** The demo accounts, NULL-terminated. */
extern const struct dj_demo_login dj_demo_logins[];

/** Build the demo county into an empty, migrated store: organizations, accounts, members and
 *  committees, in one transaction. Deterministic for a given seed (dates are relative to today).
 *  *root_id gets the root organization's id, *members the number of members. */
dj_rc dj_demo_build(struct dj_db *db, const struct dj_pii *pii, uint64_t seed, int64_t *root_id, int64_t *members);
/** The members and committees part (lib/domain/demo_members.c), inside the open transaction. */
dj_rc dj_demo_members(struct dj_db_conn *c, const struct dj_pii *pii, uint64_t seed, int64_t *count);

/** Twelve months of meetings with realistic gaps (lib/domain/demo_meetings.c), inside the open
 *  transaction; one summary audit entry. */
dj_rc dj_demo_meetings(struct dj_db_conn *c, uint64_t seed, int64_t *count);

/** Members of `dangjian demo --scale province`. */
#define DJ_DEMO_PROVINCE_MEMBERS 5000000
/** Reports a long build's progress: phase name, done of total (total 0 = unknown). */
typedef void (*dj_demo_progress_fn)(void *arg, const char *phase, int64_t done, int64_t total);

/** Build a synthetic province into an empty, migrated store (lib/domain/demo_scale.c):
 *  n_members members in ~n_members/20 organizations (province → cities → counties → townships →
 *  villages, communities and branches → groups), the demo logins (admin at the root, chengguan and
 *  dangyuan in the first township), PII sealed like normal rows, org_stats recomputed at the end.
 *  Bulk path: a few big transactions, one summary audit entry, no meetings or committees.
 *  Deterministic for a seed. progress may be NULL. *root_id gets the root's id, *orgs the number
 *  of organizations. */
dj_rc dj_demo_scale(struct dj_db *db, const struct dj_pii *pii, uint64_t seed, int64_t n_members,
		    dj_demo_progress_fn progress, void *arg, int64_t *root_id, int64_t *orgs);

#endif

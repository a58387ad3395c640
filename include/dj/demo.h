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

#endif

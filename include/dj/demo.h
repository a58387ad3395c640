/* demo.h — the deterministic demo county (and, later, province-scale data for benchmarks). */
#ifndef DJ_DEMO_H
#define DJ_DEMO_H
#include <stdint.h>
#include "dj/db.h"
#include "dj/rc.h"

/** A demo login printed for people trying the system. Static storage. */
struct dj_demo_login {
	const char *username, *password, *role, *what;
};

/** The demo accounts, NULL-terminated. */
extern const struct dj_demo_login dj_demo_logins[];

/** Build the demo county into an empty, migrated store: organizations and accounts.
 *  Deterministic for a given seed. *root_id gets the root organization's id. */
dj_rc dj_demo_build(struct dj_db *db, uint64_t seed, int64_t *root_id);

#endif

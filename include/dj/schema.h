/* schema.h — opening the store with every area's migrations applied and reference data loaded. */
#ifndef DJ_SCHEMA_H
#define DJ_SCHEMA_H
#include "dj/db.h"

/** dj_db_open + the domain migrations (lib/domain/schema.c) + code list sync.
 *  Use this everywhere the application opens its database. */
dj_rc dj_schema_open(const char *path, int readers, int flags, struct dj_db **out);

/** All entity descriptors (NULL-terminated), for /api/v1/meta, OpenAPI and schema checks. */
extern const struct dj_entity *const dj_schema_entities[];

/** Tables whose rows carry a copy of their org's path in org_path (NULL-terminated): an org
 *  move rewrites them all. */
extern const char *const dj_schema_path_tables[];

#endif

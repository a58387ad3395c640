/* assets.h — the web UI's files, embedded into the binary at build time
 * (tools/embed.c turns web/dist into build/gen/assets.c). */
#ifndef DJ_ASSETS_H
#define DJ_ASSETS_H
#include <stddef.h>

/** One embedded file. All fields are static storage. */
struct dj_asset {
	const char *path;         /* URL path, e.g. "/assets/index-3f2a.js", "/index.html" */
	const char *mime;         /* Content-Type with charset where textual */
	const unsigned char *data;
	size_t len;
	const char *etag;         /* quoted strong ETag from a hash of data */
	int immutable;            /* 1 for content-hashed files under /assets/ */
};

/** Find an embedded file by exact URL path; NULL if absent. */
const struct dj_asset *dj_assets_find(const char *path);
/** Number of embedded files (0 when built without the UI). */
size_t dj_assets_count(void);

#endif

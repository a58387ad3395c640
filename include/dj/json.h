/* json.h — the fast JSON response writer (on strbuf) and strict request parsing (jansson).
 *
 * Ownership rule for JSON values across the codebase: a json_t returned by a
 * dj_ function is a new reference owned by the caller (json_decref it); a
 * json_t passed in is borrowed. */
#ifndef DJ_JSON_H
#define DJ_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "dj/rc.h"
#include "dj/strbuf.h"

/** Request limits (STYLE.md §5). */
#define DJ_MAX_JSON_DEPTH 32
#define DJ_MAX_JSON_ARRAY 10000
#define DJ_MAX_JSON_STRING (256 * 1024)

/** Writer state: tracks whether a comma is due at each nesting level. */
struct dj_jw {
	struct dj_strbuf *sb;
	int depth;
	unsigned char need_comma[DJ_MAX_JSON_DEPTH + 2];
	dj_rc rc;  /* first error (e.g. DJ_ERR_TOOBIG); later calls are no-ops */
};

/** Start writing into sb (not owned). */
void dj_jw_init(struct dj_jw *w, struct dj_strbuf *sb);
void dj_jw_obj_begin(struct dj_jw *w);
void dj_jw_obj_end(struct dj_jw *w);
void dj_jw_arr_begin(struct dj_jw *w);
void dj_jw_arr_end(struct dj_jw *w);
/** Object key (must be inside an object; the next call writes its value). */
void dj_jw_key(struct dj_jw *w, const char *k);
/** Object key given as the JSON text dj_jw_key would write for it (quoted, escaped, with the
 *  colon: "\"name\":"), n bytes, borrowed: for keys written once per row of a large answer. */
void dj_jw_key_json(struct dj_jw *w, const char *json, size_t n);
/** String value, escaped; NULL writes null. Invalid UTF-8 bytes become U+FFFD. */
void dj_jw_str(struct dj_jw *w, const char *s);
/** String value of n bytes. */
void dj_jw_strn(struct dj_jw *w, const char *s, size_t n);
void dj_jw_int(struct dj_jw *w, int64_t v);
void dj_jw_bool(struct dj_jw *w, bool v);
void dj_jw_null(struct dj_jw *w);
/** Splice already-valid JSON text (e.g. a stored before/after document). */
void dj_jw_raw(struct dj_jw *w, const char *json);
/** Write a jansson value (borrowed). */
void dj_jw_json(struct dj_jw *w, const json_t *v);
/* key + value shorthands */
void dj_jw_kstr(struct dj_jw *w, const char *k, const char *s);
void dj_jw_kint(struct dj_jw *w, const char *k, int64_t v);
void dj_jw_kbool(struct dj_jw *w, const char *k, bool v);
void dj_jw_knull(struct dj_jw *w, const char *k);
/** Key with an int, or null when is_null. */
void dj_jw_kint_or_null(struct dj_jw *w, const char *k, int64_t v, bool is_null);

/** Parse a request body with the limits above (depth, array length, string
 *  length, valid UTF-8, object at top level). On failure returns DJ_ERR_BADREQ
 *  (malformed, too deep) or DJ_ERR_TOOBIG (array or string over its limit) with a
 *  Chinese reason in err. Result is a new reference. */
dj_rc dj_json_parse_body(const char *body, size_t len, json_t **out, char *err, size_t errlen);

/** Check that obj has no keys outside the NULL-terminated list `allowed`;
 *  on failure returns DJ_ERR_INVALID and sets *bad_key (borrowed from obj). */
dj_rc dj_json_only_keys(const json_t *obj, const char *const *allowed, const char **bad_key);

#endif

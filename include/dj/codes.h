/* codes.h — reference code lists (性别, 民族, 学历, 职业, 行政区划 ...), shipped as data/codelists/NAME.tsv,
 * embedded in the binary, parsed once, and loaded into the code_items table for SQL joins. */
#ifndef DJ_CODES_H
#define DJ_CODES_H
#include <stddef.h>
#include "dj/db.h"
#include "dj/json.h"
#include "dj/rc.h"

struct dj_code_item {
	const char *code, *label;
};

/** One list. All strings static (parsed once at first use, never freed). */
struct dj_codelist {
	const char *name;     /* "sex" */
	const char *title;    /* first-line comment: "性别 GB/T 2261.1-2003" */
	const char *version;  /* from "(version X)" in the comment */
	const struct dj_code_item *items;
	size_t n;
};

/** The list named name, or NULL. Thread-safe. */
const struct dj_codelist *dj_codes_get(const char *name);
/** Label of a code in a list, or NULL. */
const char *dj_codes_label(const char *list, const char *code);
/** The code for text that is either a code or a label in the list, or NULL. */
const char *dj_codes_find(const char *list, const char *text);
/** All lists (NULL-terminated array of pointers). */
const struct dj_codelist *const *dj_codes_all(void);
/** Write {"name":{"title","version","items":[{"code","label"}]}} for all lists. */
void dj_codes_write_json(struct dj_jw *w);
/** Replace the code_items rows with the embedded lists when their versions changed
 *  (inside the caller's write transaction). */
dj_rc dj_codes_sync(struct dj_db_conn *c);

#endif

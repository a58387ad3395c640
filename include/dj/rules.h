/* rules.h — the registry of rules the code implements: IDs from RULES.md, rule set and version,
 * Chinese title, source document and article, default severity and confidence tag. */
#ifndef DJ_RULES_H
#define DJ_RULES_H
#include <stddef.h>
#include "dj/findings.h"
#include "dj/json.h"

struct dj_rule {
	const char *id;        /* "ORG-7" */
	const char *set;       /* "branch-2018" */
	const char *title;     /* Chinese */
	const char *source;    /* document and article */
	enum dj_severity severity;
	const char *tag;       /* ✅ 🟡 🔶 ⚠️ from RULES.md */
	const char *params;    /* parameters and their defaults, as text ("最少 1 次/季度"), or NULL */
};

/** All rules, NULL-id-terminated. */
extern const struct dj_rule dj_rules[];
/** A rule by id, or NULL. */
const struct dj_rule *dj_rule_find(const char *id);
/** Write the registry as list items. */
void dj_rules_write(struct dj_jw *w, size_t *n);

#endif

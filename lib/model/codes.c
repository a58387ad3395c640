/* codes.c — the embedded reference code lists (data/codelists/NAME.tsv via .incbin), parsed once. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/codes.h"
#include "dj/banned.h"

/* Each file is embedded as a NUL-terminated blob by the assembler, so the repo's data files
 * are the single source. Paths are relative to the repository root, where make runs. */
#define EMBED(sym, file)                                                                   \
	__asm__(".section .rodata\n.global " #sym "\n.type " #sym ", @object\n.balign 16\n" #sym \
		":\n.incbin \"" file "\"\n.byte 0\n.previous\n");                                  \
	extern const char sym[]

EMBED(dj_cl_sex, "data/codelists/sex.tsv");
EMBED(dj_cl_ethnicity, "data/codelists/ethnicity.tsv");
EMBED(dj_cl_education, "data/codelists/education.tsv");
EMBED(dj_cl_occupation, "data/codelists/occupation.tsv");
EMBED(dj_cl_member_category, "data/codelists/member_category.tsv");
EMBED(dj_cl_member_status, "data/codelists/member_status.tsv");
EMBED(dj_cl_exit_reason, "data/codelists/exit_reason.tsv");
EMBED(dj_cl_org_kind, "data/codelists/org_kind.tsv");
EMBED(dj_cl_org_sector, "data/codelists/org_sector.tsv");
EMBED(dj_cl_committee_post, "data/codelists/committee_post.tsv");
EMBED(dj_cl_region, "data/codelists/region.tsv");
EMBED(dj_cl_meeting_type, "data/codelists/meeting_type.tsv");
EMBED(dj_cl_attendance_status, "data/codelists/attendance_status.tsv");
EMBED(dj_cl_meeting_status, "data/codelists/meeting_status.tsv");
EMBED(dj_cl_dev_stage, "data/codelists/dev_stage.tsv");
EMBED(dj_cl_dev_status, "data/codelists/dev_status.tsv");

static const struct {
	const char *name;
	const char *text;
} sources[] = {
	{ "sex", dj_cl_sex },
	{ "ethnicity", dj_cl_ethnicity },
	{ "education", dj_cl_education },
	{ "occupation", dj_cl_occupation },
	{ "member_category", dj_cl_member_category },
	{ "member_status", dj_cl_member_status },
	{ "exit_reason", dj_cl_exit_reason },
	{ "org_kind", dj_cl_org_kind },
	{ "org_sector", dj_cl_org_sector },
	{ "committee_post", dj_cl_committee_post },
	{ "region", dj_cl_region },
	{ "meeting_type", dj_cl_meeting_type },
	{ "attendance_status", dj_cl_attendance_status },
	{ "meeting_status", dj_cl_meeting_status },
	{ "dev_stage", dj_cl_dev_stage },
	{ "dev_status", dj_cl_dev_status },
};
#define NLISTS (sizeof(sources) / sizeof(sources[0]))

static struct dj_codelist lists[NLISTS];
static const struct dj_codelist *list_ptrs[NLISTS + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* "# name — title (version V)" then "code<TAB>label" lines. */
static void parse(struct dj_codelist *l, const char *name, const char *text)
{
	size_t cap = 16, n = 0;
	struct dj_code_item *items = dj_calloc(cap, sizeof(*items));
	const char *p = text;
	l->name = name;
	l->title = name;
	l->version = "1";
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len && p[0] == '#') {
			const char *dash = strstr(p, "— ");
			const char *ver = strstr(p, "(version ");
			if (dash && dash < p + len)
				l->title = dj_strndup(dash + 4, (size_t)((ver && ver < p + len ? ver : p + len) - dash - 4));
			if (ver && ver < p + len) {
				const char *close = strchr(ver, ')');
				if (close && close < p + len)
					l->version = dj_strndup(ver + 9, (size_t)(close - ver - 9));
			}
		} else if (len) {
			const char *tab = memchr(p, '\t', len);
			if (tab) {
				if (n == cap) {
					cap *= 2;
					items = dj_realloc(items, cap * sizeof(*items));
				}
				items[n].code = dj_strndup(p, (size_t)(tab - p));
				items[n].label = dj_strndup(tab + 1, len - (size_t)(tab - p) - 1);
				n++;
			}
		}
		p += len + (eol ? 1 : 0);
	}
	l->items = items;
	l->n = n;
}

static void init_lists(void)
{
	for (size_t i = 0; i < NLISTS; i++) {
		parse(&lists[i], sources[i].name, sources[i].text);
		list_ptrs[i] = &lists[i];
	}
	list_ptrs[NLISTS] = NULL;
}

const struct dj_codelist *const *dj_codes_all(void)
{
	pthread_once(&once, init_lists);
	return list_ptrs;
}

const struct dj_codelist *dj_codes_get(const char *name)
{
	pthread_once(&once, init_lists);
	for (size_t i = 0; name && i < NLISTS; i++)
		if (strcmp(lists[i].name, name) == 0)
			return &lists[i];
	return NULL;
}

const char *dj_codes_label(const char *list, const char *code)
{
	const struct dj_codelist *l = dj_codes_get(list);
	for (size_t i = 0; l && code && i < l->n; i++)
		if (strcmp(l->items[i].code, code) == 0)
			return l->items[i].label;
	return NULL;
}

const char *dj_codes_find(const char *list, const char *text)
{
	const struct dj_codelist *l = dj_codes_get(list);
	for (size_t i = 0; l && text && i < l->n; i++)
		if (strcmp(l->items[i].code, text) == 0 || strcmp(l->items[i].label, text) == 0)
			return l->items[i].code;
	return NULL;
}

void dj_codes_write_json(struct dj_jw *w)
{
	const struct dj_codelist *const *all = dj_codes_all();
	dj_jw_obj_begin(w);
	for (size_t i = 0; all[i]; i++) {
		dj_jw_key(w, all[i]->name);
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "title", all[i]->title);
		dj_jw_kstr(w, "version", all[i]->version);
		dj_jw_key(w, "items");
		dj_jw_arr_begin(w);
		for (size_t k = 0; k < all[i]->n; k++) {
			dj_jw_obj_begin(w);
			dj_jw_kstr(w, "code", all[i]->items[k].code);
			dj_jw_kstr(w, "label", all[i]->items[k].label);
			dj_jw_obj_end(w);
		}
		dj_jw_arr_end(w);
		dj_jw_obj_end(w);
	}
	dj_jw_obj_end(w);
}

dj_rc dj_codes_sync(struct dj_db_conn *c)
{
	const struct dj_codelist *const *all = dj_codes_all();
	struct dj_stmt *s;
	dj_rc rc;
	for (size_t i = 0; all[i]; i++) {
		const struct dj_codelist *l = all[i];
		rc = dj_db_prepare(c, "SELECT version FROM code_lists WHERE name = ?", &s);
		if (rc)
			return rc;
		dj_stmt_bind_text(s, 1, l->name);
		int same = dj_stmt_step(s) == DJ_ROW && strcmp(dj_stmt_text(s, 0), l->version) == 0;
		dj_stmt_reset(s);
		if (same)
			continue;
		if ((rc = dj_db_prepare(c, "DELETE FROM code_items WHERE list = ?", &s)))
			return rc;
		dj_stmt_bind_text(s, 1, l->name);
		if ((rc = dj_stmt_exec(s)))
			return rc;
		for (size_t k = 0; k < l->n; k++) {
			if ((rc = dj_db_prepare(c, "INSERT INTO code_items(list, code, label, sort) VALUES (?, ?, ?, ?)", &s)))
				return rc;
			dj_stmt_bind_text(s, 1, l->name);
			dj_stmt_bind_text(s, 2, l->items[k].code);
			dj_stmt_bind_text(s, 3, l->items[k].label);
			dj_stmt_bind_int(s, 4, (int64_t)k);
			if ((rc = dj_stmt_exec(s)))
				return rc;
		}
		if ((rc = dj_db_prepare(c, "INSERT INTO code_lists(name, title, version) VALUES (?, ?, ?)"
					   " ON CONFLICT(name) DO UPDATE SET title = excluded.title, version = excluded.version",
					&s)))
			return rc;
		dj_stmt_bind_text(s, 1, l->name);
		dj_stmt_bind_text(s, 2, l->title);
		dj_stmt_bind_text(s, 3, l->version);
		if ((rc = dj_stmt_exec(s)))
			return rc;
	}
	return DJ_OK;
}

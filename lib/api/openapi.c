/* openapi.c — the OpenAPI 3 document, generated from the route table. */
#include <stdio.h>
#include <string.h>
#include "dj/api.h"
#include "dj/app.h"
#include "dj/banned.h"

/* Writes path parameters of a pattern ("{id}") as OpenAPI parameter objects. */
static void path_params(struct dj_jw *w, const char *pattern)
{
	const char *p = pattern;
	dj_jw_key(w, "parameters");
	dj_jw_arr_begin(w);
	while ((p = strchr(p, '{')) != NULL) {
		const char *e = strchr(p, '}');
		if (!e)
			break;
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
		dj_jw_obj_begin(w);
		dj_jw_kstr(w, "name", name);
		dj_jw_kstr(w, "in", "path");
		dj_jw_kbool(w, "required", true);
		dj_jw_key(w, "schema");
		dj_jw_obj_begin(w);
		size_t nl = strlen(name);
		/* ids are integers ({id}, {rid}); other placeholders ({kind}) are names */
		dj_jw_kstr(w, "type", nl >= 2 && strcmp(name + nl - 2, "id") == 0 ? "integer" : "string");
		dj_jw_obj_end(w);
		dj_jw_obj_end(w);
		p = e;
	}
	dj_jw_arr_end(w);
}

void dj_api_openapi(struct dj_strbuf *sb)
{
	size_t n;
	const struct dj_route *rt = dj_api_routes(&n);
	struct dj_jw w;
	dj_jw_init(&w, sb);
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "openapi", "3.0.3");
	dj_jw_key(&w, "info");
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "title", "dangjian 党建工作平台 API");
	dj_jw_kstr(&w, "version", dj_version());
	dj_jw_kstr(&w, "description",
		   "JSON only, UTF-8. Errors: {\"error\":{\"code\",\"message\",\"field\",\"details\"}}. Lists: "
		   "?page=&per_page= (<=200) -> {\"items\",\"total\",\"page\",\"per_page\"}. State-changing requests "
		   "need the X-DJ-CSRF header from the session.");
	dj_jw_obj_end(&w);
	dj_jw_key(&w, "components");
	dj_jw_obj_begin(&w);
	dj_jw_key(&w, "securitySchemes");
	dj_jw_obj_begin(&w);
	dj_jw_key(&w, "session");
	dj_jw_obj_begin(&w);
	dj_jw_kstr(&w, "type", "apiKey");
	dj_jw_kstr(&w, "in", "cookie");
	dj_jw_kstr(&w, "name", "dj_session");
	dj_jw_obj_end(&w);
	dj_jw_obj_end(&w);
	dj_jw_obj_end(&w);
	dj_jw_key(&w, "paths");
	dj_jw_obj_begin(&w);
	/* Group methods under each distinct pattern, in table order. */
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(rt[j].pattern, rt[i].pattern) == 0)
				seen = 1;
		if (seen || (rt[i].flags & DJ_RT_INTERNAL))
			continue;
		dj_jw_key(&w, rt[i].pattern);
		dj_jw_obj_begin(&w);
		for (size_t j = i; j < n; j++) {
			if (strcmp(rt[j].pattern, rt[i].pattern) != 0)
				continue;
			char m[8];
			size_t k;
			for (k = 0; k < sizeof(m) - 1 && rt[j].method[k]; k++)
				m[k] = (char)(rt[j].method[k] | 0x20);
			m[k] = '\0';
			dj_jw_key(&w, m);
			dj_jw_obj_begin(&w);
			dj_jw_kstr(&w, "summary", rt[j].summary);
			dj_jw_key(&w, "tags");
			dj_jw_arr_begin(&w);
			dj_jw_str(&w, rt[j].tag);
			dj_jw_arr_end(&w);
			path_params(&w, rt[j].pattern);
			if (rt[j].body) {
				dj_jw_key(&w, "requestBody");
				dj_jw_obj_begin(&w);
				dj_jw_kstr(&w, "description", rt[j].body);
				dj_jw_key(&w, "content");
				dj_jw_obj_begin(&w);
				dj_jw_key(&w, "application/json");
				dj_jw_obj_begin(&w);
				dj_jw_obj_end(&w);
				dj_jw_obj_end(&w);
				dj_jw_obj_end(&w);
			}
			if (!(rt[j].flags & DJ_RT_PUBLIC)) {
				dj_jw_key(&w, "security");
				dj_jw_arr_begin(&w);
				dj_jw_obj_begin(&w);
				dj_jw_key(&w, "session");
				dj_jw_arr_begin(&w);
				dj_jw_arr_end(&w);
				dj_jw_obj_end(&w);
				dj_jw_arr_end(&w);
				dj_jw_key(&w, "x-roles");
				dj_jw_arr_begin(&w);
				for (unsigned b = 1; b <= DJ_ROLE_AUDITOR; b <<= 1)
					if (rt[j].roles & b)
						dj_jw_str(&w, dj_role_name((enum dj_role)b));
				dj_jw_arr_end(&w);
			}
			dj_jw_key(&w, "responses");
			dj_jw_obj_begin(&w);
			dj_jw_key(&w, strcmp(rt[j].method, "POST") == 0 && strstr(rt[j].pattern, "session") == NULL ? "201" : "200");
			dj_jw_obj_begin(&w);
			dj_jw_kstr(&w, "description", "成功");
			dj_jw_obj_end(&w);
			dj_jw_key(&w, "default");
			dj_jw_obj_begin(&w);
			dj_jw_kstr(&w, "description", "错误：{\"error\":{\"code\",\"message\",\"field\",\"details\"}}");
			dj_jw_obj_end(&w);
			dj_jw_obj_end(&w);
			dj_jw_obj_end(&w);
		}
		dj_jw_obj_end(&w);
	}
	dj_jw_obj_end(&w);
	dj_jw_obj_end(&w);
}

/* fuzz_router.c — libFuzzer target: dj_http_route on "METHOD\nPATH" (split at the first NUL or
 * newline) against a copy of the API's route table plus a few awkward patterns. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/api.h"
#include "dj/http.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Extra patterns the real table does not have (yet): the parameter maximum, more than the
 * maximum, adjacent placeholders, an unterminated placeholder, the root. */
static const struct dj_route extra[] = {
	{ "GET", "/f/{a}/{b}/{c}/{d}", NULL, 0, 0, NULL, NULL, NULL },
	{ "GET", "/f/{a}/{b}/{c}/{d}/{e}", NULL, 0, 0, NULL, NULL, NULL },
	{ "PUT", "/g/{a}{b}", NULL, 0, 0, NULL, NULL, NULL },
	{ "GET", "/h/{open", NULL, 0, 0, NULL, NULL, NULL },
	{ "GET", "/", NULL, 0, 0, NULL, NULL, NULL },
};

static struct dj_route *table;
static size_t ntable;

static void init_table(void)
{
	size_t n;
	const struct dj_route *api = dj_api_routes(&n);
	ntable = n + sizeof(extra) / sizeof(extra[0]);
	table = dj_calloc(ntable, sizeof(*table));
	memcpy(table, api, n * sizeof(*api));
	memcpy(table + n, extra, sizeof(extra));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dj_arena arena = DJ_ARENA_INIT;
	const char *params[DJ_MAX_PATH_PARAMS] = { NULL };
	int np = -1;
	if (!table)
		init_table();
	size_t cut = 0;
	while (cut < size && data[cut] != '\0' && data[cut] != '\n')
		cut++;
	char *method = dj_strndup((const char *)data, cut);
	char *path = cut < size ? dj_strndup((const char *)data + cut + 1, size - cut - 1) : dj_strdup("");
	int idx = dj_http_route(table, ntable, method, path, &arena, params, &np);
	if (idx < -2 || idx >= (int)ntable)
		abort();
	if (idx >= 0) {
		const struct dj_route *r = &table[idx];
		if (path[0] != '/' || np < 0 || np > DJ_MAX_PATH_PARAMS)
			abort();
		if (strcmp(r->method, method) != 0 && !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
			abort();
		/* Each parameter is one whole, non-empty path segment taken from the path. */
		for (int i = 0; i < np; i++)
			if (!params[i] || !params[i][0] || strchr(params[i], '/') || !strstr(path, params[i]))
				abort();
	} else if (idx == -1 && np != -1) {
		abort(); /* no match writes nothing */
	}
	dj_arena_release(&arena);
	dj_free(method);
	dj_free(path);
	return 0;
}

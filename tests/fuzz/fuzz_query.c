/* fuzz_query.c — libFuzzer target: dj_http_parse_query on a NUL-terminated copy of the input. What
 * it accepts must be within the limits, valid UTF-8 without NULs, and survive a round trip:
 * percent-encoding every decoded pair and parsing that gives the same pairs back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/http.h"
#include "dj/slice.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(struct dj_strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~') {
			dj_strbuf_addch(sb, (char)*p);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			dj_strbuf_add(sb, e, 3);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_req r, r2;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	char *qs = dj_strndup((const char *)data, size); /* stops at an embedded NUL, like a C string */
	memset(&r, 0, sizeof(r));
	memset(&r2, 0, sizeof(r2));
	if (dj_http_parse_query(&r, qs) != DJ_OK)
		goto out;
	if (r.nquery < 0 || r.nquery > DJ_MAX_QUERY_PARAMS)
		abort();
	for (int i = 0; i < r.nquery; i++) {
		const char *k = r.query[i].key, *v = r.query[i].value;
		if (!k || !v || !k[0] || !dj_utf8_valid(k, strlen(k)) || !dj_utf8_valid(v, strlen(v)))
			abort();
		if (i)
			dj_strbuf_addch(&sb, '&');
		encode(&sb, k);
		dj_strbuf_addch(&sb, '=');
		encode(&sb, v);
	}
	if (dj_http_parse_query(&r2, sb.buf) != DJ_OK || r2.nquery != r.nquery)
		abort();
	for (int i = 0; i < r.nquery; i++)
		if (strcmp(r.query[i].key, r2.query[i].key) || strcmp(r.query[i].value, r2.query[i].value))
			abort();
out:
	dj_arena_release(&r.arena);
	dj_arena_release(&r2.arena);
	dj_strbuf_release(&sb);
	dj_free(qs);
	return 0;
}

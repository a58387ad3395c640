/* fuzz_json.c — libFuzzer target: strict body parsing, then the writer must produce JSON that
 * parses again to the same value (numbers compared by value: the writer prints a real that
 * holds an integer, such as 1.0, as "1"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/json.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)(uintptr_t)a, k, x) {
			const json_t *y = json_object_get(b, k);
			if (!y || !same(x, y))
				return 0;
		}
		return 1;
	}
	default:
		return 1; /* true, false, null: the type says it all */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL, *back = NULL;
	char err[256];
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_rc rc = dj_json_parse_body((const char *)data, size, &v, err, sizeof(err));
	if (rc != DJ_OK) {
		if (v || err[0] == '\0')
			abort(); /* a failure leaves *out NULL and gives a reason */
		return 0;
	}
	dj_jw_init(&w, &sb);
	dj_jw_json(&w, v);
	if (w.rc != DJ_OK || w.depth != 0) {
		fprintf(stderr, "writer failed on a parsed body: rc %d depth %d\n", w.rc, w.depth);
		abort();
	}
	rc = dj_json_parse_body(sb.buf, sb.len, &back, err, sizeof(err));
	/* Escaping can lengthen a string ("<" → "\u003c") past DJ_MAX_JSON_STRING on re-reading. */
	if (rc == DJ_ERR_TOOBIG && sb.len > DJ_MAX_JSON_STRING)
		goto out;
	if (rc != DJ_OK) {
		fprintf(stderr, "writer output does not parse: %s\n%s\n", err, sb.buf);
		abort();
	}
	if (!same(v, back)) {
		fprintf(stderr, "round trip changed the value:\n%s\n", sb.buf);
		abort();
	}
out:
	json_decref(back);
	json_decref(v);
	dj_strbuf_release(&sb);
	return 0;
}

/* test_json.c — unit tests for the JSON writer (escaping, commas, raw splices, the depth cap, the
 * buffer cap) and strict request parsing (limits, UTF-8, top-level object, duplicate keys). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/json.h"
#include "dj/slice.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- writer ------------------------------------------------------------------------------- */

static void test_escape_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n; /* 0 = strlen */
		const char *out;
	} t[] = {
		{ "plain", 0, "\"plain\"" },
		{ "", 0, "\"\"" },
		{ "a\"b", 0, "\"a\\\"b\"" },
		{ "back\\slash", 0, "\"back\\\\slash\"" },
		{ "\n\r\t", 0, "\"\\n\\r\\t\"" },
		{ "\x01\x08\x0c\x1f", 0, "\"\\u0001\\u0008\\u000c\\u001f\"" },
		{ "del\x7f", 0, "\"del\\u007f\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "<script>&", 0, "\"\\u003cscript\\u003e\\u0026\"" },
		{ "</", 0, "\"\\u003c/\"" },
		{ "'/", 0, "\"'/\"" },
		{ "党建", 0, "\"党建\"" },
		{ "\xF0\x9F\x98\x80", 0, "\"\xF0\x9F\x98\x80\"" },
		{ "\xF4\x8F\xBF\xBF", 0, "\"\xF4\x8F\xBF\xBF\"" },
		/* invalid UTF-8: each offending byte becomes U+FFFD, valid text around it is kept */
		{ "\xff", 0, "\"\xEF\xBF\xBD\"" },
		{ "a\xfe" "b", 0, "\"a\xEF\xBF\xBD" "b\"" },
		{ "\x80", 0, "\"\xEF\xBF\xBD\"" },
		{ "a\xE4\xB8", 0, "\"a\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xC0\x80", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xED\xA0\x80", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xF4\x90\x80\x80", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xE4\xB8\xAD\xE4\xB8", 0, "\"\xE4\xB8\xAD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xE4\"", 0, "\"\xEF\xBF\xBD\\\"\"" },
		/* U+2028 / U+2029 are valid UTF-8 and go out as they are (as they always have) */
		{ "a\xE2\x80\xA8" "b\xE2\x80\xA9", 0, "\"a\xE2\x80\xA8" "b\xE2\x80\xA9\"" },
		{ "\xC2\xA0\xDF\xBF", 0, "\"\xC2\xA0\xDF\xBF\"" },
		{ "\xE0\xA0\x80\xEF\xBF\xBF", 0, "\"\xE0\xA0\x80\xEF\xBF\xBF\"" },
		{ "\xE0\x9F\xBF", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xED\x9F\xBF", 0, "\"\xED\x9F\xBF\"" },
		{ "\xF0\x8F\xBF\xBF", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xF5\x80\x80\x80", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xC1\xBF", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		{ "\xC2", 0, "\"\xEF\xBF\xBD\"" },
		{ "\xC2" "a", 0, "\"\xEF\xBF\xBD" "a\"" },
		{ "\xF0\x9F\x98", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"" },
		/* escapes at both ends of a run and back to back */
		{ "\"x\"", 0, "\"\\\"x\\\"\"" },
		{ "\x1f\x20\x7e\x7f", 0, "\"\\u001f ~\\u007f\"" },
		{ "党员<张三>&\t", 0, "\"党员\\u003c张三\\u003e\\u0026\\t\"" },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		struct dj_strbuf sb = DJ_STRBUF_INIT;
		struct dj_jw w;
		dj_jw_init(&w, &sb);
		size_t n = t[i].n ? t[i].n : strlen(t[i].in);
		dj_jw_strn(&w, t[i].in, n);
		assert_int_equal(w.rc, DJ_OK);
		if (strcmp(sb.buf, t[i].out) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, sb.buf, t[i].out);
		/* Whatever went in, the output is valid UTF-8 JSON that jansson reads back. */
		json_error_t je;
		json_t *v = json_loads(sb.buf, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!v)
			fail_msg("case %zu: output not valid JSON: %s", i, je.text);
		json_decref(v);
		dj_strbuf_release(&sb);
	}
}

/* The escaper as it was before its fast path, byte by byte: the reference for test_escape_same. */
static void ref_escape(struct dj_strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	dj_strbuf_addch(sb, '"');
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		char u[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
		if (c == '"')
			dj_strbuf_adds(sb, "\\\"");
		else if (c == '\\')
			dj_strbuf_adds(sb, "\\\\");
		else if (c == '\n')
			dj_strbuf_adds(sb, "\\n");
		else if (c == '\r')
			dj_strbuf_adds(sb, "\\r");
		else if (c == '\t')
			dj_strbuf_adds(sb, "\\t");
		else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
			dj_strbuf_adds(sb, u);
		else if (c >= 0x80) {
			size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
			if (len == 0 || i + len > n || !dj_utf8_valid(s + i, len)) {
				dj_strbuf_adds(sb, "\xEF\xBF\xBD");
			} else {
				dj_strbuf_add(sb, s + i, len);
				i += len;
				continue;
			}
		} else
			dj_strbuf_addch(sb, (char)c);
		i++;
	}
	dj_strbuf_addch(sb, '"');
}

static void check_same(const unsigned char *in, size_t n)
{
	struct dj_strbuf got = DJ_STRBUF_INIT, want = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &got);
	dj_jw_strn(&w, (const char *)in, n);
	ref_escape(&want, (const char *)in, n);
	assert_int_equal(w.rc, DJ_OK);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len) != 0) {
		char hexin[64] = "";
		for (size_t i = 0; i < n && i < 16; i++)
			snprintf(hexin + 3 * i, sizeof(hexin) - 3 * i, "%02x ", in[i]);
		fail_msg("input [%s] (%zu bytes): got [%s], want [%s]", hexin, n, got.buf, want.buf);
	}
	dj_strbuf_release(&got);
	dj_strbuf_release(&want);
}

/* The same string as keys and values inside an object and an array: commas and colons around
 * escaped and unescaped strings. */
static void check_same_in_containers(const unsigned char *in, size_t n)
{
	struct dj_strbuf got = DJ_STRBUF_INIT, want = DJ_STRBUF_INIT, k = DJ_STRBUF_INIT;
	struct dj_jw w;
	char *key;
	dj_strbuf_add(&k, in, n);
	key = k.buf; /* keys are NUL-terminated: up to the first NUL */
	dj_jw_init(&w, &got);
	dj_jw_arr_begin(&w);
	dj_jw_obj_begin(&w);
	dj_jw_key(&w, key);
	dj_jw_strn(&w, (const char *)in, n);
	dj_jw_key(&w, key);
	dj_jw_strn(&w, (const char *)in, n);
	dj_jw_obj_end(&w);
	dj_jw_strn(&w, (const char *)in, n);
	dj_jw_int(&w, -(int64_t)n);
	dj_jw_arr_end(&w);
	assert_int_equal(w.rc, DJ_OK);
	dj_strbuf_adds(&want, "[{");
	ref_escape(&want, key, strlen(key));
	dj_strbuf_addch(&want, ':');
	ref_escape(&want, (const char *)in, n);
	dj_strbuf_addch(&want, ',');
	ref_escape(&want, key, strlen(key));
	dj_strbuf_addch(&want, ':');
	ref_escape(&want, (const char *)in, n);
	dj_strbuf_adds(&want, "},");
	ref_escape(&want, (const char *)in, n);
	dj_strbuf_addf(&want, ",%lld]", -(long long)n);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len) != 0)
		fail_msg("containers (%zu bytes): got [%s], want [%s]", n, got.buf, want.buf);
	dj_strbuf_release(&got);
	dj_strbuf_release(&want);
	dj_strbuf_release(&k);
}

/* The fast path writes exactly what the byte-by-byte escaper wrote: every string of one and two
 * bytes, every three-byte string led by a byte >= 0xE0 (each with a tail that ends mid-sequence),
 * and random strings drawn from the bytes that matter around runs and sequences. */
static void test_escape_same(void **state)
{
	(void)state;
	unsigned char b[64];
	for (unsigned x = 0; x < 256; x++) {
		b[0] = (unsigned char)x;
		check_same(b, 1);
		for (unsigned y = 0; y < 256; y++) {
			b[1] = (unsigned char)y;
			check_same(b, 2);
		}
	}
	for (unsigned x = 0xE0; x < 256; x++)
		for (unsigned y = 0x70; y < 0xC8; y++)
			for (unsigned z = 0x70; z < 0xC8; z++) {
				b[0] = (unsigned char)x;
				b[1] = (unsigned char)y;
				b[2] = (unsigned char)z;
				check_same(b, 3);
				b[3] = 0x80;
				check_same(b, 4);
			}
	static const unsigned char alphabet[] = { 'a', ' ', '"', '\\', '<', '&', 0x00, 0x1f, 0x7f, 0x80, 0xBF, 0xC2,
						  0xDF, 0xE0, 0xE4, 0xB8, 0xAD, 0xED, 0xA0, 0xEF, 0xF0, 0x9F, 0xF4,
						  0x8F, 0xF5, 0xFF, 0xE2, 0xA8 };
	uint32_t r = 12345;
	for (int k = 0; k < 200000; k++) {
		size_t n = 0, len = (size_t)(k % 40);
		for (; n < len; n++) {
			r = r * 1103515245u + 12345u;
			b[n] = alphabet[(r >> 16) % sizeof(alphabet)];
		}
		check_same(b, n);
		check_same_in_containers(b, n);
	}
}

/* A pre-written key gives the same text as dj_jw_key, commas included. */
static void test_key_json(void **state)
{
	(void)state;
	static const char *const keys[] = { "id", "name_label", "a\"b", "<x>", "党员", "" };
	struct dj_strbuf a = DJ_STRBUF_INIT, b = DJ_STRBUF_INIT, k = DJ_STRBUF_INIT;
	struct dj_jw wa, wb, wk;
	dj_jw_init(&wa, &a);
	dj_jw_init(&wb, &b);
	dj_jw_obj_begin(&wa);
	dj_jw_obj_begin(&wb);
	for (size_t i = 0; i < N_ELEMS(keys); i++) {
		dj_strbuf_reset(&k);
		dj_jw_init(&wk, &k);
		dj_jw_key(&wk, keys[i]); /* first in its container: no comma */
		dj_jw_key(&wa, keys[i]);
		dj_jw_key_json(&wb, k.buf, k.len);
		dj_jw_int(&wa, (int64_t)i);
		dj_jw_int(&wb, (int64_t)i);
	}
	dj_jw_obj_end(&wa);
	dj_jw_obj_end(&wb);
	assert_int_equal(wb.rc, DJ_OK);
	assert_string_equal(b.buf, a.buf);
	assert_string_equal(a.buf, "{\"id\":0,\"name_label\":1,\"a\\\"b\":2,\"\\u003cx\\u003e\":3,\"党员\":4,\"\":5}");
	dj_strbuf_release(&a);
	dj_strbuf_release(&b);
	dj_strbuf_release(&k);
}

/* Writes a value tree with the writer; returns the JSON text (caller frees). */
static char *write_sample(void)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_kint(&w, "a", 1);
	dj_jw_key(&w, "b");
	dj_jw_arr_begin(&w);
	dj_jw_int(&w, 1);
	dj_jw_int(&w, -2);
	dj_jw_obj_begin(&w);
	dj_jw_obj_end(&w);
	dj_jw_arr_begin(&w);
	dj_jw_arr_end(&w);
	dj_jw_str(&w, NULL);
	dj_jw_arr_end(&w);
	dj_jw_key(&w, "c");
	dj_jw_obj_begin(&w);
	dj_jw_knull(&w, "d");
	dj_jw_kbool(&w, "e", true);
	dj_jw_kint_or_null(&w, "f", 5, true);
	dj_jw_kint_or_null(&w, "g", 5, false);
	dj_jw_obj_end(&w);
	dj_jw_kbool(&w, "h", false);
	dj_jw_kstr(&w, "名称", "党支部");
	dj_jw_kstr(&w, "s", NULL);
	dj_jw_kint(&w, "min", INT64_MIN);
	dj_jw_kint(&w, "max", INT64_MAX);
	dj_jw_obj_end(&w);
	assert_int_equal(w.rc, DJ_OK);
	assert_int_equal(w.depth, 0);
	return dj_strbuf_detach(&sb, NULL);
}

static void test_nesting_and_commas(void **state)
{
	(void)state;
	char *s = write_sample();
	assert_string_equal(s, "{\"a\":1,\"b\":[1,-2,{},[],null],\"c\":{\"d\":null,\"e\":true,\"f\":null,\"g\":5},"
			       "\"h\":false,\"名称\":\"党支部\",\"s\":null,"
			       "\"min\":-9223372036854775808,\"max\":9223372036854775807}");
	dj_free(s);
}

static void test_top_level_values(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_arr_begin(&w);
	dj_jw_arr_begin(&w);
	dj_jw_arr_end(&w);
	dj_jw_arr_begin(&w);
	dj_jw_int(&w, 0);
	dj_jw_arr_end(&w);
	dj_jw_str(&w, "x");
	dj_jw_arr_end(&w);
	assert_string_equal(sb.buf, "[[],[0],\"x\"]");
	dj_strbuf_release(&sb);
}

static void test_raw(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_obj_begin(&w);
	dj_jw_key(&w, "before");
	dj_jw_raw(&w, "{\"x\":1,\"y\":[1,2]}");
	dj_jw_key(&w, "after");
	dj_jw_raw(&w, NULL);
	dj_jw_key(&w, "list");
	dj_jw_arr_begin(&w);
	dj_jw_raw(&w, "1");
	dj_jw_raw(&w, "\"<raw is not escaped>\"");
	dj_jw_arr_end(&w);
	dj_jw_kint(&w, "n", 3);
	dj_jw_obj_end(&w);
	assert_int_equal(w.rc, DJ_OK);
	assert_string_equal(sb.buf, "{\"before\":{\"x\":1,\"y\":[1,2]},\"after\":null,"
				    "\"list\":[1,\"<raw is not escaped>\"],\"n\":3}");
	dj_strbuf_release(&sb);
}

static void test_depth_cap(void **state)
{
	(void)state;
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	/* Exactly DJ_MAX_JSON_DEPTH levels are fine. */
	dj_jw_init(&w, &sb);
	for (int i = 0; i < DJ_MAX_JSON_DEPTH; i++)
		dj_jw_arr_begin(&w);
	assert_int_equal(w.rc, DJ_OK);
	for (int i = 0; i < DJ_MAX_JSON_DEPTH; i++)
		dj_jw_arr_end(&w);
	assert_int_equal(w.rc, DJ_OK);
	assert_int_equal(w.depth, 0);
	assert_int_equal(sb.len, 2 * DJ_MAX_JSON_DEPTH);
	/* One more level fails with DJ_ERR_TOOBIG and the writer stops writing. */
	dj_strbuf_reset(&sb);
	dj_jw_init(&w, &sb);
	for (int i = 0; i < DJ_MAX_JSON_DEPTH; i++)
		dj_jw_obj_begin(&w), dj_jw_key(&w, "k");
	dj_jw_obj_begin(&w);
	assert_int_equal(w.rc, DJ_ERR_TOOBIG);
	size_t len = sb.len;
	for (int i = 0; i < 100; i++) {
		dj_jw_obj_begin(&w);
		dj_jw_kstr(&w, "x", "y");
		dj_jw_obj_end(&w);
	}
	assert_int_equal(sb.len, len);
	assert_int_equal(w.rc, DJ_ERR_TOOBIG);
	assert_true(w.depth <= DJ_MAX_JSON_DEPTH);
	dj_strbuf_release(&sb);
}

static void test_buffer_cap_sticks(void **state)
{
	(void)state;
	struct dj_strbuf sb;
	struct dj_jw w;
	dj_strbuf_init(&sb, 16);
	dj_jw_init(&w, &sb);
	dj_jw_arr_begin(&w);
	dj_jw_str(&w, "0123456789abcdef");
	assert_int_equal(w.rc, DJ_ERR_TOOBIG);
	size_t len = sb.len;
	dj_jw_int(&w, 1);
	dj_jw_arr_end(&w);
	assert_int_equal(sb.len, len);
	assert_true(sb.len <= 16);
	assert_int_equal(w.rc, DJ_ERR_TOOBIG);
	dj_strbuf_release(&sb);
}

static void test_jw_json_round_trip(void **state)
{
	(void)state;
	static const char *docs[] = {
		"{}",
		"{\"a\":[1,2.5,\"x\",true,false,null],\"b\":{}}",
		"{\"中\":\"文\",\"esc\":\"<\\\"\\\\\\n\\u0001>\",\"n\":-9223372036854775808}",
		"{\"deep\":{\"a\":{\"b\":{\"c\":[[[[]]]]}}},\"r\":1e300,\"z\":-0.5,\"t\":1.0000000000000002}",
	};
	for (size_t i = 0; i < N_ELEMS(docs); i++) {
		json_error_t je;
		json_t *v = json_loads(docs[i], 0, &je);
		assert_non_null(v);
		struct dj_strbuf sb = DJ_STRBUF_INIT;
		struct dj_jw w;
		dj_jw_init(&w, &sb);
		dj_jw_json(&w, v);
		assert_int_equal(w.rc, DJ_OK);
		json_t *back = json_loads(sb.buf, 0, &je);
		if (!back)
			fail_msg("doc %zu: writer output [%s] does not parse: %s", i, sb.buf, je.text);
		assert_true(json_equal(v, back));
		json_decref(back);
		json_decref(v);
		dj_strbuf_release(&sb);
	}
	/* Key order is kept (jansson keeps insertion order). */
	json_t *v = json_loads("{\"z\":1,\"a\":2,\"m\":[true]}", 0, NULL);
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	struct dj_jw w;
	dj_jw_init(&w, &sb);
	dj_jw_json(&w, v);
	assert_string_equal(sb.buf, "{\"z\":1,\"a\":2,\"m\":[true]}");
	json_decref(v);
	dj_strbuf_release(&sb);
}

/* ---- parsing --------------------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, int n, const char *mid, const char *unit2, int n2,
		    const char *tail)
{
	struct dj_strbuf sb = DJ_STRBUF_INIT;
	dj_strbuf_adds(&sb, head);
	for (int i = 0; i < n; i++)
		dj_strbuf_adds(&sb, unit);
	dj_strbuf_adds(&sb, mid);
	for (int i = 0; i < n2; i++)
		dj_strbuf_adds(&sb, unit2);
	dj_strbuf_adds(&sb, tail);
	return dj_strbuf_detach(&sb, NULL);
}

static dj_rc parse(const char *s, size_t n, json_t **out, char *err, size_t errlen)
{
	return dj_json_parse_body(s, n ? n : strlen(s), out, err, errlen);
}

static void test_parse_table(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		size_t n; /* 0 = strlen */
		dj_rc rc;
		const char *err_has; /* substring of the Chinese reason, or NULL */
	} t[] = {
		{ "{}", 0, DJ_OK, NULL },
		{ "{\"a\":1,\"b\":\"中文\",\"c\":[1,{\"d\":null}]}", 0, DJ_OK, NULL },
		{ " \n{\"a\":1}\n ", 0, DJ_OK, NULL },
		{ "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 0, DJ_OK, NULL }, /* brackets in strings */
		{ "{\"a\":\"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", 0, DJ_OK, NULL },
		{ "{\"a\":\"\\\\\",\"b\":[]}", 0, DJ_OK, NULL },
		{ "{\"a\":\"\\u4e2d\"}", 0, DJ_OK, NULL },
		{ "", 1, DJ_ERR_BADREQ, NULL }, /* len 1 of "" = a lone NUL byte */
		{ "[]", 0, DJ_ERR_BADREQ, "JSON 对象" },
		{ "[{\"a\":1}]", 0, DJ_ERR_BADREQ, NULL },
		{ "1", 0, DJ_ERR_BADREQ, NULL },
		{ "\"x\"", 0, DJ_ERR_BADREQ, NULL },
		{ "null", 0, DJ_ERR_BADREQ, NULL },
		{ "true", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":1,\"a\":2}", 0, DJ_ERR_BADREQ, "JSON 格式错误" },
		{ "{\"x\":{\"a\":1,\"a\":2}}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":1} x", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":1}{}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":1,}", 0, DJ_ERR_BADREQ, NULL },
		{ "{'a':1}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":01}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":NaN}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":\"\\u0000\"}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":\"\\ud800\"}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":99999999999999999999}", 0, DJ_ERR_BADREQ, NULL },
		{ "{\"a\":\"\xff\"}", 0, DJ_ERR_BADREQ, "UTF-8" },
		{ "{\"a\":\"\xC0\x80\"}", 0, DJ_ERR_BADREQ, "UTF-8" },
		{ "{\"a\":\"\xED\xA0\x80\"}", 0, DJ_ERR_BADREQ, "UTF-8" },
		{ "{\"a\":\"\xE4\xB8\"}", 0, DJ_ERR_BADREQ, "UTF-8" },
		{ "{\"a\":1}\0", 8, DJ_ERR_BADREQ, NULL }, /* a NUL after the object */
		{ "{\"a", 0, DJ_ERR_BADREQ, NULL },
		{ "{", 0, DJ_ERR_BADREQ, NULL },
		{ "}", 0, DJ_ERR_BADREQ, NULL },
		{ "]]]][[[[", 0, DJ_ERR_BADREQ, NULL },
	};
	for (size_t i = 0; i < N_ELEMS(t); i++) {
		json_t *v = (json_t *)1;
		char err[256] = "";
		dj_rc rc = parse(t[i].body, t[i].n, &v, err, sizeof(err));
		if (rc != t[i].rc)
			fail_msg("case %zu [%s]: rc %d, want %d (%s)", i, t[i].body, rc, t[i].rc, err);
		if (rc == DJ_OK) {
			assert_true(json_is_object(v));
			json_decref(v);
		} else {
			assert_null(v);
			assert_true(err[0] != '\0');
			if (t[i].err_has && !strstr(err, t[i].err_has))
				fail_msg("case %zu: reason [%s] lacks [%s]", i, err, t[i].err_has);
		}
	}
	json_t *v = (json_t *)1;
	char err[128] = "";
	assert_int_equal(dj_json_parse_body(NULL, 5, &v, err, sizeof(err)), DJ_ERR_BADREQ);
	assert_null(v);
	assert_int_equal(dj_json_parse_body("{}", 0, &v, err, sizeof(err)), DJ_ERR_BADREQ);
	/* Only len bytes are parsed. */
	assert_int_equal(dj_json_parse_body("{\"a\":1}garbage", 7, &v, err, sizeof(err)), DJ_OK);
	json_decref(v);
}

static void test_parse_depth_limit(void **state)
{
	(void)state;
	json_t *v;
	char err[256];
	/* The top-level object is level 1: 31 nested arrays inside it make 32 levels. */
	char *ok = repeat("{\"a\":", "[", DJ_MAX_JSON_DEPTH - 1, "", "]", DJ_MAX_JSON_DEPTH - 1, "}");
	assert_int_equal(parse(ok, 0, &v, err, sizeof(err)), DJ_OK);
	json_decref(v);
	char *deep = repeat("{\"a\":", "[", DJ_MAX_JSON_DEPTH, "", "]", DJ_MAX_JSON_DEPTH, "}");
	assert_int_equal(parse(deep, 0, &v, err, sizeof(err)), DJ_ERR_BADREQ);
	assert_null(v);
	assert_non_null(strstr(err, "嵌套"));
	/* Objects count the same as arrays. */
	char *objs = repeat("", "{\"k\":", DJ_MAX_JSON_DEPTH + 1, "1", "}", DJ_MAX_JSON_DEPTH + 1, "");
	assert_int_equal(parse(objs, 0, &v, err, sizeof(err)), DJ_ERR_BADREQ);
	/* A huge unbalanced prefix is refused before jansson sees it. */
	char *bomb = repeat("{\"a\":", "[", 100000, "", "", 0, "");
	assert_int_equal(parse(bomb, 0, &v, err, sizeof(err)), DJ_ERR_BADREQ);
	assert_non_null(strstr(err, "嵌套"));
	dj_free(ok);
	dj_free(deep);
	dj_free(objs);
	dj_free(bomb);
}

static void test_parse_array_limit(void **state)
{
	(void)state;
	json_t *v;
	char err[256];
	char *ok = repeat("{\"a\":[0", ",0", DJ_MAX_JSON_ARRAY - 1, "]", "", 0, "}");
	assert_int_equal(parse(ok, 0, &v, err, sizeof(err)), DJ_OK);
	assert_int_equal(json_array_size(json_object_get(v, "a")), DJ_MAX_JSON_ARRAY);
	json_decref(v);
	char *big = repeat("{\"a\":[0", ",0", DJ_MAX_JSON_ARRAY, "]", "", 0, "}");
	dj_rc rc = parse(big, 0, &v, err, sizeof(err));
	assert_int_equal(rc, DJ_ERR_TOOBIG);
	assert_null(v);
	assert_non_null(strstr(err, "数组过长"));
	/* Nested deeper inside objects and arrays too. */
	char *nested = repeat("{\"x\":{\"y\":[[0", ",0", DJ_MAX_JSON_ARRAY, "]]", "", 0, "}}");
	assert_int_equal(parse(nested, 0, &v, err, sizeof(err)), DJ_ERR_TOOBIG);
	assert_null(v);
	dj_free(ok);
	dj_free(big);
	dj_free(nested);
}

static void test_parse_string_limit(void **state)
{
	(void)state;
	json_t *v;
	char err[256];
	char *ok = repeat("{\"a\":\"", "x", DJ_MAX_JSON_STRING, "\"}", "", 0, "");
	assert_int_equal(parse(ok, 0, &v, err, sizeof(err)), DJ_OK);
	assert_int_equal(json_string_length(json_object_get(v, "a")), DJ_MAX_JSON_STRING);
	json_decref(v);
	char *big = repeat("{\"a\":\"", "x", DJ_MAX_JSON_STRING + 1, "\"}", "", 0, "");
	assert_int_equal(parse(big, 0, &v, err, sizeof(err)), DJ_ERR_TOOBIG);
	assert_null(v);
	dj_free(ok);
	dj_free(big);
}

static void test_only_keys(void **state)
{
	(void)state;
	static const char *const ab[] = { "a", "b", NULL };
	static const char *const a[] = { "a", NULL };
	static const char *const none[] = { NULL };
	json_t *o = json_loads("{\"a\":1,\"b\":2}", 0, NULL);
	json_t *e = json_object();
	const char *bad = NULL;
	assert_int_equal(dj_json_only_keys(o, ab, &bad), DJ_OK);
	assert_null(bad);
	assert_int_equal(dj_json_only_keys(o, a, &bad), DJ_ERR_INVALID);
	assert_string_equal(bad, "b");
	bad = NULL;
	assert_int_equal(dj_json_only_keys(o, none, &bad), DJ_ERR_INVALID);
	assert_string_equal(bad, "a");
	assert_int_equal(dj_json_only_keys(e, none, &bad), DJ_OK);
	assert_int_equal(dj_json_only_keys(e, ab, &bad), DJ_OK);
	/* Matching is exact: no prefixes, case-sensitive. */
	json_t *p = json_loads("{\"ab\":1}", 0, NULL);
	assert_int_equal(dj_json_only_keys(p, ab, &bad), DJ_ERR_INVALID);
	assert_string_equal(bad, "ab");
	json_t *q = json_loads("{\"A\":1}", 0, NULL);
	assert_int_equal(dj_json_only_keys(q, ab, &bad), DJ_ERR_INVALID);
	json_decref(o);
	json_decref(e);
	json_decref(p);
	json_decref(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_same),
		cmocka_unit_test(test_key_json),
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_top_level_values),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_buffer_cap_sticks),
		cmocka_unit_test(test_jw_json_round_trip),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_depth_limit),
		cmocka_unit_test(test_parse_array_limit),
		cmocka_unit_test(test_parse_string_limit),
		cmocka_unit_test(test_only_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* jw.c — the JSON response writer: appends straight into a strbuf, no intermediate tree. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dj/json.h"
#include "dj/slice.h"
#include "dj/banned.h"

void dj_jw_init(struct dj_jw *w, struct dj_strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
}

static void put(struct dj_jw *w, const char *s, size_t n)
{
	if (!w->rc)
		w->rc = dj_strbuf_add(w->sb, s, n);
}

/* Before a value: a comma unless it is the first in its container or follows a key. */
static void pre_value(struct dj_jw *w)
{
	if (w->need_comma[w->depth] == 1)
		put(w, ",", 1);
	w->need_comma[w->depth] = 1;
}

static void open(struct dj_jw *w, char c)
{
	pre_value(w);
	put(w, &c, 1);
	if (w->depth >= DJ_MAX_JSON_DEPTH) {
		if (!w->rc)
			w->rc = DJ_ERR_TOOBIG;
		return;
	}
	w->depth++;
	w->need_comma[w->depth] = 0;
}

static void close_(struct dj_jw *w, char c)
{
	put(w, &c, 1);
	if (w->depth > 0)
		w->depth--;
}

void dj_jw_obj_begin(struct dj_jw *w) { open(w, '{'); }
void dj_jw_obj_end(struct dj_jw *w) { close_(w, '}'); }
void dj_jw_arr_begin(struct dj_jw *w) { open(w, '['); }
void dj_jw_arr_end(struct dj_jw *w) { close_(w, ']'); }

/* Bytes copied as they are inside a string: printable ASCII except the quote, backslash, < > &.
 * Everything else is looked at one byte at a time: controls and DEL are escaped, bytes >= 0x80 must
 * start a valid UTF-8 sequence. The table lets long runs (names, dates, codes, Chinese text) go out with one
 * copy instead of a chain of tests per byte. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: " & */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, /* 0x30: < > */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: backslash */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: DEL */
	/* 0x80-0xFF: 0 */
};

/* Length of the valid UTF-8 sequence starting at p (avail bytes left), 0 if it is not one. The
 * two- and three-byte forms (all of Chinese) are checked inline; four-byte ones by dj_utf8_valid. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned c = p[0];
	if (c >= 0xC2 && c <= 0xDF)
		return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
			return 0; /* overlong, or a UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xF0 && avail >= 4 && dj_utf8_valid((const char *)p, 4))
		return 4;
	return 0;
}

/* Length of the prefix of p[0..n) that goes out unchanged. */
static size_t plain_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (plain[p[i]]) {
			i++;
			continue;
		}
		size_t len = p[i] >= 0x80 ? utf8_seq(p + i, n - i) : 0;
		if (!len)
			break;
		i += len;
	}
	return i;
}

/* The common case in one piece: [","] "s" [":"] with one capacity check, when s needs no escape.
 * Returns false, having written nothing, when it does. */
static bool put_plain(struct dj_jw *w, bool comma, const char *s, size_t n, bool colon)
{
	if (plain_prefix((const unsigned char *)s, n) != n)
		return false;
	if (w->rc)
		return true;
	size_t total = n + 2 + (comma ? 1 : 0) + (colon ? 1 : 0);
	w->rc = dj_strbuf_grow(w->sb, total);
	if (w->rc)
		return true;
	char *o = w->sb->buf + w->sb->len;
	if (comma)
		*o++ = ',';
	*o++ = '"';
	memcpy(o, s, n);
	o += n;
	*o++ = '"';
	if (colon)
		*o++ = ':';
	*o = '\0';
	w->sb->len += total;
	return true;
}

static void put_escaped(struct dj_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, i = plain_prefix(p, n);
	put(w, "\"", 1);
	while (i < n) {
		unsigned c = p[i];
		if (plain[c]) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t len = utf8_seq(p + i, n - i);
			if (len) {
				i += len;
				continue;
			}
		}
		const char *esc;
		char ubuf[7];
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c >= 0x80)
			esc = "\xEF\xBF\xBD"; /* U+FFFD for bytes that are not UTF-8 */
		else {
			/* Controls, DEL, and < > & (keeps JSON safe to embed in HTML even if someone does). */
			ubuf[0] = '\\'; ubuf[1] = 'u'; ubuf[2] = '0'; ubuf[3] = '0';
			ubuf[4] = hex[c >> 4]; ubuf[5] = hex[c & 15]; ubuf[6] = 0;
			esc = ubuf;
		}
		put(w, s + start, i - start);
		put(w, esc, strlen(esc));
		i++;
		start = i;
	}
	put(w, s + start, n - start);
	put(w, "\"", 1);
}

void dj_jw_key(struct dj_jw *w, const char *k)
{
	size_t n = strlen(k);
	bool comma = w->need_comma[w->depth] == 1;
	w->need_comma[w->depth] = 2; /* the value follows without a comma */
	if (put_plain(w, comma, k, n, true))
		return;
	if (comma)
		put(w, ",", 1);
	put_escaped(w, k, n);
	put(w, ":", 1);
}

void dj_jw_key_json(struct dj_jw *w, const char *json, size_t n)
{
	bool comma = w->need_comma[w->depth] == 1;
	w->need_comma[w->depth] = 2;
	if (w->rc)
		return;
	w->rc = dj_strbuf_grow(w->sb, n + (comma ? 1 : 0));
	if (w->rc)
		return;
	char *o = w->sb->buf + w->sb->len;
	if (comma)
		*o++ = ',';
	memcpy(o, json, n);
	o[n] = '\0';
	w->sb->len += n + (comma ? 1 : 0);
}

void dj_jw_strn(struct dj_jw *w, const char *s, size_t n)
{
	bool comma = w->need_comma[w->depth] == 1;
	w->need_comma[w->depth] = 1;
	if (put_plain(w, comma, s, n, false))
		return;
	if (comma)
		put(w, ",", 1);
	put_escaped(w, s, n);
}

void dj_jw_str(struct dj_jw *w, const char *s)
{
	if (!s) {
		dj_jw_null(w);
		return;
	}
	dj_jw_strn(w, s, strlen(s));
}

void dj_jw_int(struct dj_jw *w, int64_t v)
{
	char buf[24];
	char *e = buf + sizeof(buf), *d = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--d = '-';
	pre_value(w);
	put(w, d, (size_t)(e - d));
}

void dj_jw_bool(struct dj_jw *w, bool v)
{
	pre_value(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void dj_jw_null(struct dj_jw *w)
{
	pre_value(w);
	put(w, "null", 4);
}

void dj_jw_raw(struct dj_jw *w, const char *json)
{
	if (!json) {
		dj_jw_null(w);
		return;
	}
	pre_value(w);
	put(w, json, strlen(json));
}

void dj_jw_json(struct dj_jw *w, const json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		dj_jw_obj_begin(w);
		json_object_foreach((json_t *)(uintptr_t)v, k, x) {
			dj_jw_key(w, k);
			dj_jw_json(w, x);
		}
		dj_jw_obj_end(w);
		break;
	case JSON_ARRAY:
		dj_jw_arr_begin(w);
		json_array_foreach(v, i, x) dj_jw_json(w, x);
		dj_jw_arr_end(w);
		break;
	case JSON_STRING:
		dj_jw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		dj_jw_int(w, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL: {
		char buf[40];
		int n = snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		pre_value(w);
		put(w, buf, (size_t)n);
		break;
	}
	case JSON_TRUE: dj_jw_bool(w, true); break;
	case JSON_FALSE: dj_jw_bool(w, false); break;
	default: dj_jw_null(w); break;
	}
}

void dj_jw_kstr(struct dj_jw *w, const char *k, const char *s) { dj_jw_key(w, k); dj_jw_str(w, s); }
void dj_jw_kint(struct dj_jw *w, const char *k, int64_t v) { dj_jw_key(w, k); dj_jw_int(w, v); }
void dj_jw_kbool(struct dj_jw *w, const char *k, bool v) { dj_jw_key(w, k); dj_jw_bool(w, v); }
void dj_jw_knull(struct dj_jw *w, const char *k) { dj_jw_key(w, k); dj_jw_null(w); }
void dj_jw_kint_or_null(struct dj_jw *w, const char *k, int64_t v, bool is_null)
{
	dj_jw_key(w, k);
	if (is_null)
		dj_jw_null(w);
	else
		dj_jw_int(w, v);
}

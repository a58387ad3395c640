/* slice.c — non-owning views, strict integer / money parsing and UTF-8 checks. */
#include <string.h>
#include "dj/slice.h"
#include "dj/banned.h"

struct dj_slice dj_slice_from(const char *s)
{
	struct dj_slice sl = { s ? s : "", s ? strlen(s) : 0 };
	return sl;
}

bool dj_slice_eq(struct dj_slice a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && memcmp(a.base, s, n) == 0;
}

bool dj_slice_starts(struct dj_slice a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && memcmp(a.base, prefix, n) == 0;
}

struct dj_slice dj_slice_cut(struct dj_slice s, char sep, struct dj_slice *head)
{
	const char *p = s.len ? memchr(s.base, sep, s.len) : NULL;
	struct dj_slice rest = { "", 0 };
	if (!p) {
		*head = s;
		return rest;
	}
	head->base = s.base;
	head->len = (size_t)(p - s.base);
	rest.base = p + 1;
	rest.len = s.len - head->len - 1;
	return rest;
}

dj_rc dj_parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0;
	if (!s || len == 0)
		return DJ_ERR_INVALID;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return DJ_ERR_INVALID;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return DJ_ERR_INVALID;
		if (v > (UINT64_MAX - 9) / 10)
			return DJ_ERR_INVALID;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > (uint64_t)INT64_MAX + 1)
			return DJ_ERR_INVALID;
	}
	int64_t r;
	if (neg)
		r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else if (v > (uint64_t)INT64_MAX)
		return DJ_ERR_INVALID;
	else
		r = (int64_t)v;
	if (r < min || r > max)
		return DJ_ERR_INVALID;
	*out = r;
	return DJ_OK;
}

dj_rc dj_parse_int_str(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return s ? dj_parse_int(s, strlen(s), min, max, out) : DJ_ERR_INVALID;
}

dj_rc dj_parse_yuan(const char *s, int64_t *fen_out)
{
	int64_t yuan = 0, fen = 0;
	/* Amounts are never negative; without this "-0.5" parsed as 0 元 + 50 分. */
	if (!s || s[0] == '-')
		return DJ_ERR_INVALID;
	const char *dot = strchr(s, '.');
	size_t ilen = dot ? (size_t)(dot - s) : strlen(s);
	if (dj_parse_int(s, ilen, 0, INT64_MAX / 1000, &yuan))
		return DJ_ERR_INVALID;
	if (dot) {
		size_t flen = strlen(dot + 1);
		if (flen == 0 || flen > 2 || dj_parse_int(dot + 1, flen, 0, 99, &fen))
			return DJ_ERR_INVALID;
		if (flen == 1)
			fen *= 10;
	}
	*fen_out = yuan * 100 + fen;
	return DJ_OK;
}

bool dj_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need;
		unsigned cp;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return false;
		i += need + 1;
	}
	return true;
}

size_t dj_utf8_len(const char *str, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)str[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* strbuf.c — capped growable buffer; see the invariants in dj/strbuf.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

char dj_strbuf_empty[1];

void dj_strbuf_init(struct dj_strbuf *sb, size_t max)
{
	sb->buf = dj_strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max;
}

void dj_strbuf_release(struct dj_strbuf *sb)
{
	if (sb->alloc)
		dj_free(sb->buf);
	size_t max = sb->max;
	dj_strbuf_init(sb, max);
}

void dj_strbuf_reset(struct dj_strbuf *sb)
{
	sb->len = 0;
	/* Never store into the shared dj_strbuf_empty: threads reset their buffers concurrently. */
	if (sb->alloc)
		sb->buf[0] = '\0';
	else
		sb->buf = dj_strbuf_empty;
}

dj_rc dj_strbuf_grow(struct dj_strbuf *sb, size_t n)
{
	if (n > SIZE_MAX / 2 - sb->len)
		return DJ_ERR_TOOBIG;
	if (sb->max && sb->len + n > sb->max)
		return DJ_ERR_TOOBIG;
	size_t need = sb->len + n + 1;
	if (need <= sb->alloc)
		return DJ_OK;
	size_t na = sb->alloc ? sb->alloc : 64;
	while (na < need)
		na *= 2;
	if (sb->alloc) {
		sb->buf = dj_realloc(sb->buf, na);
	} else {
		sb->buf = dj_malloc(na);
		sb->buf[0] = '\0';
	}
	sb->alloc = na;
	return DJ_OK;
}

dj_rc dj_strbuf_add(struct dj_strbuf *sb, const void *data, size_t n)
{
	dj_rc rc = dj_strbuf_grow(sb, n);
	if (rc)
		return rc;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return DJ_OK;
}

dj_rc dj_strbuf_adds(struct dj_strbuf *sb, const char *s)
{
	return dj_strbuf_add(sb, s, strlen(s));
}

dj_rc dj_strbuf_addch(struct dj_strbuf *sb, char c)
{
	return dj_strbuf_add(sb, &c, 1);
}

dj_rc dj_strbuf_vaddf(struct dj_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return DJ_ERR_INVALID;
	dj_rc rc = dj_strbuf_grow(sb, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return DJ_OK;
}

dj_rc dj_strbuf_addf(struct dj_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dj_rc rc = dj_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

char *dj_strbuf_detach(struct dj_strbuf *sb, size_t *len)
{
	char *p;
	if (len)
		*len = sb->len;
	if (sb->alloc) {
		p = sb->buf;
	} else {
		p = dj_malloc(1);
		p[0] = '\0';
	}
	size_t max = sb->max;
	dj_strbuf_init(sb, max);
	return p;
}

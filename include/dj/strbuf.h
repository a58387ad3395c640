/* strbuf.h — growable, capped, always NUL-terminated byte buffer. */
#ifndef DJ_STRBUF_H
#define DJ_STRBUF_H
#include <stdarg.h>
#include <stddef.h>
#include "dj/rc.h"

/**
 * Invariants: buf is never NULL (it points at a static "" until the first
 * growth), buf[len] == '\0', len < alloc unless alloc == 0, and len never
 * exceeds max (0 = no cap). An append that would exceed max fails with
 * DJ_ERR_TOOBIG and leaves the buffer unchanged.
 */
struct dj_strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};
extern char dj_strbuf_empty[];
#define DJ_STRBUF_INIT { dj_strbuf_empty, 0, 0, 0 }

/** Prepare with a cap (0 = uncapped). */
void dj_strbuf_init(struct dj_strbuf *sb, size_t max);
/** Free the contents; the struct is DJ_STRBUF_INIT-equivalent afterwards (cap kept). */
void dj_strbuf_release(struct dj_strbuf *sb);
/** Empty the buffer, keep its memory. */
void dj_strbuf_reset(struct dj_strbuf *sb);
/** Make room for n more bytes. */
dj_rc dj_strbuf_grow(struct dj_strbuf *sb, size_t n);
/** Append n bytes. */
dj_rc dj_strbuf_add(struct dj_strbuf *sb, const void *data, size_t n);
/** Append a NUL-terminated string. */
dj_rc dj_strbuf_adds(struct dj_strbuf *sb, const char *s);
/** Append one byte. */
dj_rc dj_strbuf_addch(struct dj_strbuf *sb, char c);
/** Append printf output. */
dj_rc dj_strbuf_addf(struct dj_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Append vprintf output. */
dj_rc dj_strbuf_vaddf(struct dj_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/** Take the buffer (caller frees with dj_free); sb is reset to empty. Never NULL. */
char *dj_strbuf_detach(struct dj_strbuf *sb, size_t *len);

#endif

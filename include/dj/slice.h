/* slice.h — non-owning {base,len} views into request data, and strict number parsing. */
#ifndef DJ_SLICE_H
#define DJ_SLICE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dj/rc.h"

/** A view; never owns base, base need not be NUL-terminated. */
struct dj_slice {
	const char *base;
	size_t len;
};
#define DJ_SLICE_INIT { "", 0 }

/** Slice over a NUL-terminated string (NULL gives the empty slice). */
struct dj_slice dj_slice_from(const char *s);
/** True if the slice equals the NUL-terminated string s. */
bool dj_slice_eq(struct dj_slice a, const char *s);
/** True if a starts with prefix. */
bool dj_slice_starts(struct dj_slice a, const char *prefix);
/** Split at the first sep: head is before, the return value is after (empty if absent). */
struct dj_slice dj_slice_cut(struct dj_slice s, char sep, struct dj_slice *head);

/** Parse a whole decimal integer in [min,max]; no sign except a leading '-',
 *  no spaces, no trailing bytes. DJ_ERR_INVALID otherwise. */
dj_rc dj_parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);
/** Convenience: dj_parse_int over a NUL-terminated string. */
dj_rc dj_parse_int_str(const char *s, int64_t min, int64_t max, int64_t *out);
/** Parse an amount in 元 with up to 2 decimals ("3000.01") into integer 分. */
dj_rc dj_parse_yuan(const char *s, int64_t *fen_out);

/** True if the n bytes are valid UTF-8 (no overlongs, no surrogates). */
bool dj_utf8_valid(const char *s, size_t n);
/** Number of code points in valid UTF-8. */
size_t dj_utf8_len(const char *s, size_t n);

#endif

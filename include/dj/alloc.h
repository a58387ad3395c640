/* alloc.h — allocation wrappers (abort on OOM, fault-injection hook) and the per-request arena. */
#ifndef DJ_ALLOC_H
#define DJ_ALLOC_H
#include <stddef.h>

/** malloc that never returns NULL: it aborts on out-of-memory, or fails on
 *  purpose when a test has armed dj_alloc_fail_after(). Free with dj_free. */
void *dj_malloc(size_t n);
/** calloc counterpart of dj_malloc (overflow-checked). */
void *dj_calloc(size_t nmemb, size_t size);
/** realloc counterpart of dj_malloc. */
void *dj_realloc(void *p, size_t n);
/** strdup through dj_malloc; NULL in gives NULL out. */
char *dj_strdup(const char *s);
/** strndup through dj_malloc: at most n bytes, always NUL-terminated. */
char *dj_strndup(const char *s, size_t n);
/** free(); NULL is fine. */
void dj_free(void *p);

/** Test hook: the n-th allocation from now on aborts as if OOM (0 disarms). */
void dj_alloc_fail_after(long n);

/** A bump arena: memory for one request, freed in one call. Not thread-safe;
 *  one arena belongs to one request thread. */
struct dj_arena {
	struct dj_arena_block *head;
	size_t used_total;  /* bytes handed out, for metrics */
	size_t limit;       /* 0 = unlimited; otherwise allocations beyond abort the request */
};
#define DJ_ARENA_INIT { NULL, 0, 0 }

/** Allocate n bytes, 16-byte aligned, zeroed. Never NULL (aborts on OOM). */
void *dj_arena_alloc(struct dj_arena *a, size_t n);
/** Copy a NUL-terminated string into the arena (NULL gives NULL). */
char *dj_arena_strdup(struct dj_arena *a, const char *s);
/** Copy n bytes of s into the arena and terminate with NUL. */
char *dj_arena_strndup(struct dj_arena *a, const char *s, size_t n);
/** printf into the arena. */
char *dj_arena_printf(struct dj_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Free every block; the arena is reusable afterwards (like DJ_ARENA_INIT). */
void dj_arena_release(struct dj_arena *a);

#endif

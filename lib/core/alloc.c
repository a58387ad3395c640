/* alloc.c — allocation wrappers that abort on OOM, a fault-injection hook, and the request arena. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/banned.h"

static atomic_long fail_countdown;

void dj_alloc_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}

static void check_fault(void)
{
	long n = atomic_load(&fail_countdown);
	if (n > 0 && atomic_fetch_sub(&fail_countdown, 1) == 1) {
		fputs("dj_alloc: injected allocation failure\n", stderr);
		abort();
	}
}

static void *oom(size_t n)
{
	fprintf(stderr, "dj_alloc: out of memory allocating %zu bytes\n", n);
	abort();
}

void *dj_malloc(size_t n)
{
	check_fault();
	void *p = malloc(n ? n : 1);
	return p ? p : oom(n);
}

void *dj_calloc(size_t nmemb, size_t size)
{
	check_fault();
	if (size && nmemb > SIZE_MAX / size)
		return oom(SIZE_MAX);
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	return p ? p : oom(nmemb * size);
}

void *dj_realloc(void *p, size_t n)
{
	check_fault();
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom(n);
}

char *dj_strdup(const char *s)
{
	return s ? dj_strndup(s, strlen(s)) : NULL;
}

char *dj_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = dj_malloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void dj_free(void *p)
{
	free(p);
}

/* Arena blocks are a singly linked list, newest first; a request usually fits in one. */
struct dj_arena_block {
	struct dj_arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 8192

void *dj_arena_alloc(struct dj_arena *a, size_t n)
{
	/* Without this, rounding up wraps a huge n to 0 and hands out a 0-byte block. */
	if (n > SIZE_MAX / 2)
		oom(n);
	n = (n + 15) & ~(size_t)15;
	struct dj_arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		if (a->limit && a->used_total + size > a->limit) {
			fprintf(stderr, "dj_arena: request memory limit %zu exceeded\n", a->limit);
			abort();
		}
		b = dj_malloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	a->used_total += n;
	memset(p, 0, n);
	return p;
}

char *dj_arena_strndup(struct dj_arena *a, const char *s, size_t n)
{
	char *p = dj_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *dj_arena_strdup(struct dj_arena *a, const char *s)
{
	return s ? dj_arena_strndup(a, s, strlen(s)) : NULL;
}

char *dj_arena_printf(struct dj_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = dj_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void dj_arena_release(struct dj_arena *a)
{
	struct dj_arena_block *b = a->head;
	while (b) {
		struct dj_arena_block *next = b->next;
		dj_free(b);
		b = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

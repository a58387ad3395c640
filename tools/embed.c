/* embed.c — build tool: turns a directory (web/dist) into a C file implementing dj/assets.h.
 *
 * Usage: embed DIR OUT.c
 *
 * Walks DIR recursively, sorts the files by URL path ("/index.html", "/assets/x-3f2a.js") and
 * writes one static byte array per file plus a sorted table that dj_assets_find() binary-searches.
 * The output depends only on the files' names and contents, so builds are reproducible. A missing
 * or empty DIR still gives a valid file with zero assets (a server built without the UI).
 * Standalone on purpose: libc + POSIX directory calls only, no project headers.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EMBED_MAX_DEPTH 32                        /* deeper trees are a mistake, not a UI */
#define EMBED_MAX_FILES 100000                    /* ditto for file counts */
#define EMBED_MAX_FILE_SIZE (256u * 1024u * 1024u) /* one asset; the binary would be absurd */

struct entry {
	char *url;  /* "/" + path relative to DIR, '/'-separated */
	char *file; /* path on disk */
	size_t len; /* content size, known once written */
};

struct entry_list {
	struct entry *v;
	size_t n, cap;
};

static const char *prog = "embed";

#ifdef __GNUC__
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void die(const char *fmt, ...);

static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

static char *join(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
	char *s = xrealloc(NULL, la + ls + lb + 1);
	memcpy(s, a, la);
	memcpy(s + la, sep, ls);
	memcpy(s + la + ls, b, lb + 1);
	return s;
}

static void list_push(struct entry_list *l, char *url, char *file)
{
	if (l->n == EMBED_MAX_FILES)
		die("more than %d files", EMBED_MAX_FILES);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].url = url;
	l->v[l->n].file = file;
	l->v[l->n].len = 0;
	l->n++;
}

/* Add every regular file under dir (URL prefix url) to l. Dot-files are skipped: editors and
 * OSes leave them behind (.DS_Store, .swp) and they are never part of a build. */
static void walk(struct entry_list *l, const char *dir, const char *url, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > EMBED_MAX_DEPTH)
		die("directory tree too deep at %s", dir);
	d = opendir(dir);
	if (!d)
		die("cannot open directory %s: %s", dir, strerror(errno));
	for (;;) {
		struct stat st;
		char *file, *sub;

		errno = 0; /* readdir() signals errors only through errno */
		de = readdir(d);
		if (!de)
			break;
		if (de->d_name[0] == '.')
			continue;
		file = join(dir, "/", de->d_name);
		sub = join(url, "/", de->d_name);
		if (stat(file, &st) != 0)
			die("cannot stat %s: %s", file, strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			walk(l, file, sub, depth + 1);
			free(file);
			free(sub);
		} else if (S_ISREG(st.st_mode)) {
			list_push(l, sub, file);
		} else {
			free(file);
			free(sub);
		}
	}
	if (errno != 0)
		die("cannot read directory %s: %s", dir, strerror(errno));
	closedir(d);
}

static int by_url(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return strcmp(x->url, y->url);
}

/* Whole file into memory; *len gets its size. Caller frees. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	for (;;) {
		size_t got;
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)EMBED_MAX_FILE_SIZE + 65536)
				die("%s is larger than the limit", path);
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	*len = n;
	return buf;
}

/* 64-bit FNV-1a: cheap, stable across builds and platforms; good enough for ETags. */
static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static const struct {
	const char *ext;
	const char *mime;
} mime_table[] = {
	{ "css", "text/css; charset=utf-8" },
	{ "gif", "image/gif" },
	{ "htm", "text/html; charset=utf-8" },
	{ "html", "text/html; charset=utf-8" },
	{ "ico", "image/x-icon" },
	{ "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json; charset=utf-8" },
	{ "map", "application/json; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "otf", "font/otf" },
	{ "png", "image/png" },
	{ "svg", "image/svg+xml; charset=utf-8" },
	{ "ttf", "font/ttf" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "wasm", "application/wasm" },
	{ "webmanifest", "application/manifest+json; charset=utf-8" },
	{ "webp", "image/webp" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "xml", "application/xml; charset=utf-8" },
};

static const char *mime_of(const char *url)
{
	const char *slash = strrchr(url, '/');
	const char *dot = strrchr(url, '.');
	char ext[16];
	size_t i, n;

	if (!dot || (slash && dot < slash))
		return "application/octet-stream";
	n = strlen(dot + 1);
	if (n == 0 || n >= sizeof ext)
		return "application/octet-stream";
	for (i = 0; i <= n; i++) {
		char c = dot[1 + i];
		ext[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	for (i = 0; i < sizeof mime_table / sizeof mime_table[0]; i++)
		if (strcmp(ext, mime_table[i].ext) == 0)
			return mime_table[i].mime;
	return "application/octet-stream";
}

/* --- buffered output: the data can be megabytes, so avoid per-byte stdio calls --- */

struct out {
	FILE *f;
	const char *name;
	char buf[1 << 16];
	size_t n;
};

static void out_flush(struct out *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		die("cannot write %s: %s", o->name, strerror(errno));
	o->n = 0;
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof o->buf - o->n, k = n < room ? n : room;
		memcpy(o->buf + o->n, s, k);
		o->n += k;
		s += k;
		n -= k;
		if (o->n == sizeof o->buf)
			out_flush(o);
	}
}

static void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_size(struct out *o, size_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%zu", v);
	out_str(o, tmp);
}

/* A C string literal. Quote, backslash and '?' (trigraphs exist in strict C11) get a backslash;
 * anything outside printable ASCII becomes a 3-digit octal escape, which never swallows the
 * characters after it. */
static void out_cstr(struct out *o, const char *s)
{
	out_mem(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\' || c == '?') {
			char esc[2] = { '\\', (char)c };
			out_mem(o, esc, 2);
		} else if (c < 0x20 || c > 0x7e) {
			char esc[5] = { '\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
				        (char)('0' + (c & 7)), 0 };
			out_mem(o, esc, 4);
		} else {
			out_mem(o, (const char *)&c, 1);
		}
	}
	out_mem(o, "\"", 1);
}

/* Text inside a comment: no control characters, no closing sequence, no '?' (a trigraph such
 * as ??/ could splice the next line into the comment). */
static void out_comment_text(struct out *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '?' || (c == '*' && s[1] == '/'))
			c = '_';
		out_mem(o, (const char *)&c, 1);
	}
}

static void out_bytes(struct out *o, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char line[20 * 5 + 2];
	size_t i = 0;

	while (i < n) {
		size_t k = 0, j;
		line[k++] = '\t';
		for (j = 0; j < 20 && i < n; j++, i++) {
			line[k++] = '0';
			line[k++] = 'x';
			line[k++] = hex[p[i] >> 4];
			line[k++] = hex[p[i] & 15];
			line[k++] = ',';
		}
		line[k++] = '\n';
		out_mem(o, line, k);
	}
}

/* Create the parent directories of path, like mkdir -p $(dirname path). */
static void make_parents(const char *path)
{
	char *p = join(path, "", "");
	char *s;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			die("cannot create directory %s: %s", p, strerror(errno));
		*s = '/';
	}
	free(p);
}

static void write_output(const char *out_path, const char *dir, struct entry_list *l)
{
	static struct out o; /* 64 KiB buffer: keep it off the stack */
	char *tmp = join(out_path, "", ".tmp");
	size_t i;

	make_parents(out_path);
	o.f = fopen(tmp, "wb");
	o.name = tmp;
	o.n = 0;
	if (!o.f)
		die("cannot create %s: %s", tmp, strerror(errno));

	out_str(&o, "/* assets.c — generated by tools/embed.c from the web UI build; do not edit. */\n");
	out_str(&o, "/* Source directory: ");
	out_comment_text(&o, dir);
	out_str(&o, " */\n#include \"dj/assets.h\"\n\n#include <stddef.h>\n#include <string.h>\n\n");

	for (i = 0; i < l->n; i++) {
		size_t len;
		unsigned char *data = read_file(l->v[i].file, &len);
		char etag[24];

		snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)fnv1a64(data, len));
		out_str(&o, "/* ");
		out_comment_text(&o, l->v[i].url);
		out_str(&o, " */\nstatic const char dj_asset_etag_");
		out_size(&o, i);
		out_str(&o, "[] = ");
		out_cstr(&o, etag);
		out_str(&o, ";\nstatic const unsigned char dj_asset_data_");
		out_size(&o, i);
		/* An empty file still needs one byte: C has no zero-length arrays. */
		out_str(&o, len ? "[] = {\n" : "[1] = {\n\t0,\n");
		out_bytes(&o, data, len);
		out_str(&o, "};\n\n");
		free(data);
		l->v[i].len = len;
	}

	if (l->n == 0) {
		out_str(&o, "const struct dj_asset *dj_assets_find(const char *path)\n{\n"
			    "\t(void)path;\n\treturn NULL;\n}\n\n"
			    "size_t dj_assets_count(void)\n{\n\treturn 0;\n}\n");
	} else {
		out_str(&o, "/* Sorted by path (strcmp order) for the binary search below. */\n");
		out_str(&o, "static const struct dj_asset dj_asset_table[");
		out_size(&o, l->n);
		out_str(&o, "] = {\n");
		for (i = 0; i < l->n; i++) {
			const char *url = l->v[i].url;
			out_str(&o, "\t{ ");
			out_cstr(&o, url);
			out_str(&o, ", ");
			out_cstr(&o, mime_of(url));
			out_str(&o, ", dj_asset_data_");
			out_size(&o, i);
			out_str(&o, ", ");
			out_size(&o, l->v[i].len);
			out_str(&o, ", dj_asset_etag_");
			out_size(&o, i);
			out_str(&o, strncmp(url, "/assets/", 8) == 0 ? ", 1 },\n" : ", 0 },\n");
		}
		out_str(&o, "};\n\n");
		out_str(&o, "const struct dj_asset *dj_assets_find(const char *path)\n{\n"
			    "\tsize_t lo = 0, hi = sizeof dj_asset_table / sizeof dj_asset_table[0];\n\n"
			    "\tif (!path)\n\t\treturn NULL;\n"
			    "\twhile (lo < hi) {\n"
			    "\t\tsize_t mid = lo + (hi - lo) / 2;\n"
			    "\t\tint c = strcmp(path, dj_asset_table[mid].path);\n\n"
			    "\t\tif (c == 0)\n\t\t\treturn &dj_asset_table[mid];\n"
			    "\t\tif (c < 0)\n\t\t\thi = mid;\n\t\telse\n\t\t\tlo = mid + 1;\n"
			    "\t}\n\treturn NULL;\n}\n\n"
			    "size_t dj_assets_count(void)\n{\n"
			    "\treturn sizeof dj_asset_table / sizeof dj_asset_table[0];\n}\n");
	}

	out_flush(&o);
	if (fclose(o.f) != 0)
		die("cannot write %s: %s", tmp, strerror(errno));
	/* Rename last, so an interrupted run never leaves a half-written file for make to trust. */
	if (rename(tmp, out_path) != 0)
		die("cannot rename %s: %s", tmp, strerror(errno));
	free(tmp);
}

int main(int argc, char **argv)
{
	struct entry_list l = { NULL, 0, 0 };
	struct stat st;
	size_t i, total = 0;
	const char *dir, *out;

	if (argc > 0 && argv[0] && argv[0][0])
		prog = argv[0];
	if (argc != 3) {
		fprintf(stderr, "usage: %s DIR OUT.c\n", prog);
		return 2;
	}
	dir = argv[1];
	out = argv[2];

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		walk(&l, dir, "", 0);
	else
		fprintf(stderr, "%s: %s is not a directory; embedding no UI assets\n", prog, dir);

	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, by_url);
	for (i = 1; i < l.n; i++)
		if (strcmp(l.v[i - 1].url, l.v[i].url) == 0)
			die("duplicate path %s", l.v[i].url);

	write_output(out, dir, &l);

	for (i = 0; i < l.n; i++) {
		total += l.v[i].len;
		free(l.v[i].url);
		free(l.v[i].file);
	}
	free(l.v);
	fprintf(stderr, "%s: %zu files, %zu bytes -> %s\n", prog, l.n, total, out);
	return 0;
}

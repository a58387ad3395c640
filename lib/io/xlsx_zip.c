/* xlsx_zip.c — the untrusted-zip side of the xlsx reader: opening the archive from memory with
 * libzip, inflating entries under a shared budget (zip-bomb guard: declared sizes are checked
 * before reading and inflated bytes are counted while reading), and feeding expat parsers whose
 * memory is capped (through dj_malloc) and that refuse DOCTYPE declarations. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "xlsx_int.h"
#include "dj/banned.h"

#define BAD "文件不是有效的 xlsx："

/* ---- the archive ---------------------------------------------------------------------------- */

dj_rc dj_xzip_open(struct dj_xzip *z, const void *data, size_t len, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_error_init(&ze);
	z->za = NULL;
	z->inflated = 0;
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		dj_io_errf(err, errlen, BAD "无法读取压缩包");
		return DJ_ERR_INVALID;
	}
	z->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!z->za) {
		zip_source_free(src);
		int code = zip_error_code_zip(&ze);
		dj_io_errf(err, errlen, BAD "%s（%s）",
			   code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS ? "压缩包已损坏或不完整" : "无法打开压缩包",
			   zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return DJ_ERR_INVALID;
	}
	zip_error_fini(&ze);
	return DJ_OK;
}

void dj_xzip_close(struct dj_xzip *z)
{
	if (z->za)
		zip_discard(z->za);
	z->za = NULL;
}

int64_t dj_xzip_find(struct dj_xzip *z, const char *name)
{
	zip_int64_t i = zip_name_locate(z->za, name, 0);
	if (i < 0)
		i = zip_name_locate(z->za, name, ZIP_FL_NOCASE);
	return i;
}

/* ---- entries -------------------------------------------------------------------------------- */

dj_rc dj_xentry_open(struct dj_xzip *z, int64_t idx, const char *name, struct dj_xentry *e, char *err,
		     size_t errlen)
{
	zip_stat_t st;
	e->z = z;
	e->zf = NULL;
	e->name = name;
	e->got = 0;
	if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) != 0) {
		dj_io_errf(err, errlen, BAD "无法读取 %s", name);
		return DJ_ERR_INVALID;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		dj_io_errf(err, errlen, "文件已加密，请在 Excel 中取消密码保护后再导入");
		return DJ_ERR_INVALID;
	}
	if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0)) {
		dj_io_errf(err, errlen, BAD "%s 使用了不支持的压缩方式", name);
		return DJ_ERR_INVALID;
	}
	if (!(st.valid & ZIP_STAT_SIZE) || st.size > DJ_MAX_XLSX_UNCOMPRESSED - z->inflated) {
		dj_io_errf(err, errlen, "文件解压后超过 %u MB，无法导入",
			   (unsigned)(DJ_MAX_XLSX_UNCOMPRESSED >> 20));
		return DJ_ERR_TOOBIG;
	}
	e->declared = st.size;
	e->zf = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
	if (!e->zf) {
		dj_io_errf(err, errlen, BAD "无法打开 %s（%s）", name, zip_strerror(z->za));
		return DJ_ERR_INVALID;
	}
	return DJ_OK;
}

dj_rc dj_xentry_read(struct dj_xentry *e, void *buf, size_t cap, size_t *n, char *err, size_t errlen)
{
	*n = 0;
	zip_int64_t got = zip_fread(e->zf, buf, cap);
	if (got < 0) {
		dj_io_errf(err, errlen, BAD "%s 的压缩数据已损坏（%s）", e->name, zip_file_strerror(e->zf));
		return DJ_ERR_INVALID;
	}
	e->got += (uint64_t)got;
	e->z->inflated += (uint64_t)got;
	if (e->got > e->declared) {
		dj_io_errf(err, errlen, BAD "%s 解压后的大小与声明不符", e->name);
		return DJ_ERR_INVALID;
	}
	if (e->z->inflated > DJ_MAX_XLSX_UNCOMPRESSED) {
		dj_io_errf(err, errlen, "文件解压后超过 %u MB，无法导入",
			   (unsigned)(DJ_MAX_XLSX_UNCOMPRESSED >> 20));
		return DJ_ERR_TOOBIG;
	}
	*n = (size_t)got;
	return DJ_OK;
}

void dj_xentry_close(struct dj_xentry *e)
{
	if (e->zf)
		zip_fclose(e->zf);
	e->zf = NULL;
}

/* ---- expat ---------------------------------------------------------------------------------- */

/* Expat's memory is counted process-wide and capped: a hostile part can make expat hold a huge
 * token (one start tag of hundreds of MB) or a tag stack millions deep, all within the inflate
 * budget. Legitimate parts need a few hundred KB per parser. Each block carries its size. */
union xml_hdr {
	size_t n;
	max_align_t align;
};
static atomic_size_t xml_live;

static int xml_reserve(size_t n)
{
	size_t cur = atomic_load(&xml_live);
	do {
		if (n > DJ_XLSX_MAX_XML_MEM - cur)
			return 0;
	} while (!atomic_compare_exchange_weak(&xml_live, &cur, cur + n));
	return 1;
}

static void *xml_malloc(size_t n)
{
	if (n > DJ_XLSX_MAX_XML_MEM || !xml_reserve(n))
		return NULL; /* expat reports XML_ERROR_NO_MEMORY */
	union xml_hdr *h = dj_malloc(sizeof(*h) + n);
	h->n = n;
	return h + 1;
}

static void xml_free(void *p)
{
	if (!p)
		return;
	union xml_hdr *h = (union xml_hdr *)p - 1;
	atomic_fetch_sub(&xml_live, h->n);
	dj_free(h);
}

static void *xml_realloc(void *p, size_t n)
{
	if (!p)
		return xml_malloc(n);
	union xml_hdr *h = (union xml_hdr *)p - 1;
	size_t old = h->n;
	if (n > DJ_XLSX_MAX_XML_MEM || (n > old && !xml_reserve(n - old)))
		return NULL;
	h = dj_realloc(h, sizeof(*h) + n);
	if (n < old)
		atomic_fetch_sub(&xml_live, old - n);
	h->n = n;
	return h + 1;
}

static const XML_Memory_Handling_Suite xml_mem = { xml_malloc, xml_realloc, xml_free };

/* OOXML parts never declare a DOCTYPE; refusing it rules out entity expansion of any kind. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	dj_xml_fail(ud, DJ_ERR_INVALID, BAD "包含不允许的 DOCTYPE 声明");
}

dj_rc dj_xml_create(struct dj_xml_ctx *ctx, char *err, size_t errlen)
{
	ctx->rc = DJ_OK;
	ctx->msg[0] = '\0';
	ctx->p = XML_ParserCreate_MM(NULL, &xml_mem, NULL);
	if (!ctx->p) {
		dj_io_errf(err, errlen, "服务器正忙（表格解析占用的内存已达上限），请稍后再导入");
		return DJ_ERR_BUSY;
	}
	XML_SetUserData(ctx->p, ctx);
	XML_SetStartDoctypeDeclHandler(ctx->p, on_doctype);
	return DJ_OK;
}

void dj_xml_fail(struct dj_xml_ctx *ctx, dj_rc rc, const char *fmt, ...)
{
	if (ctx->rc)
		return;
	va_list ap;
	va_start(ap, fmt);
	dj_io_verrf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	ctx->rc = rc;
	XML_StopParser(ctx->p, XML_FALSE);
}

dj_rc dj_xml_error(struct dj_xml_ctx *ctx, const char *entry, char *err, size_t errlen)
{
	if (ctx->rc) {
		dj_io_errf(err, errlen, "%s", ctx->msg);
		return ctx->rc;
	}
	if (XML_GetErrorCode(ctx->p) == XML_ERROR_NO_MEMORY) {
		dj_io_errf(err, errlen, "文件中 %s 的 XML 内容过大或嵌套过深，无法导入", entry);
		return DJ_ERR_TOOBIG;
	}
	dj_io_errf(err, errlen, BAD "%s 第 %lu 行 XML 格式错误（%s）", entry,
		   (unsigned long)XML_GetCurrentLineNumber(ctx->p), XML_ErrorString(XML_GetErrorCode(ctx->p)));
	return DJ_ERR_INVALID;
}

dj_rc dj_xml_parse_entry(struct dj_xzip *z, const char *name, struct dj_xml_ctx *ctx, char *err,
			 size_t errlen)
{
	struct dj_xentry e = DJ_XENTRY_INIT;
	dj_rc rc;
	int64_t idx = dj_xzip_find(z, name);
	if (idx < 0) {
		dj_io_errf(err, errlen, BAD "缺少 %s", name);
		rc = DJ_ERR_INVALID;
		goto out;
	}
	rc = dj_xentry_open(z, idx, name, &e, err, errlen);
	if (rc)
		goto out;
	for (;;) {
		void *buf = XML_GetBuffer(ctx->p, DJ_XLSX_CHUNK);
		size_t n = 0;
		if (!buf) {
			rc = dj_xml_error(ctx, name, err, errlen);
			goto out;
		}
		rc = dj_xentry_read(&e, buf, DJ_XLSX_CHUNK, &n, err, errlen);
		if (rc)
			goto out;
		if (XML_ParseBuffer(ctx->p, (int)n, n == 0) != XML_STATUS_OK) {
			rc = dj_xml_error(ctx, name, err, errlen);
			goto out;
		}
		if (n == 0)
			break;
	}
out:
	dj_xentry_close(&e);
	return rc;
}

const char *dj_xml_local(const char *name)
{
	const char *c = strchr(name, ':');
	return c ? c + 1 : name;
}

const char *dj_xml_attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(dj_xml_local(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

/* ---- OOXML string escapes --------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t dj_xlsx_unescape(char *s, size_t len)
{
	if (!memchr(s, '_', len))
		return len;
	size_t r = 0, w = 0;
	while (r < len) {
		unsigned cp = 0;
		int ok = r + 7 <= len && s[r] == '_' && s[r + 1] == 'x' && s[r + 6] == '_';
		for (size_t k = 2; ok && k < 6; k++) {
			int h = hexval(s[r + k]);
			ok = h >= 0;
			cp = cp << 4 | (unsigned)(h < 0 ? 0 : h);
		}
		if (!ok || (cp >= 0xD800 && cp <= 0xDFFF)) {
			s[w++] = s[r++];
			continue;
		}
		r += 7;
		if (cp == 0)
			continue; /* a NUL would end the C string early */
		if (cp < 0x80) {
			s[w++] = (char)cp;
		} else if (cp < 0x800) {
			s[w++] = (char)(0xC0 | cp >> 6);
			s[w++] = (char)(0x80 | (cp & 0x3F));
		} else {
			s[w++] = (char)(0xE0 | cp >> 12);
			s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			s[w++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	s[w] = '\0';
	return w;
}

/* xlsx_sst.c — the shared-strings table of an xlsx (xl/sharedStrings.xml), held in memory under
 * caps: <si> is a plain <t> or rich-text runs <r><t>, concatenated; phonetic hints <rPh> are
 * not part of the text. A string longer than a cell may be is kept as a marker only, so that
 * the cell using it (not the table) is what gets reported. */
#include <string.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "xlsx_int.h"
#include "dj/banned.h"

struct sst_parse {
	struct dj_xml_ctx x; /* first: it is the parser's user data */
	struct dj_sst *s;
	struct dj_strbuf cur; /* text of the <si> being read, capped at a cell */
	int in_si, in_t, rph, too_long;
};

static void sst_push(struct sst_parse *sp)
{
	struct dj_sst *s = sp->s;
	if (s->n >= DJ_XLSX_MAX_SST_COUNT) {
		dj_xml_fail(&sp->x, DJ_ERR_TOOBIG, "文件的共享字符串超过 %u 个，无法导入", DJ_XLSX_MAX_SST_COUNT);
		return;
	}
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 1024;
		s->off = dj_realloc(s->off, s->alloc * sizeof(*s->off));
	}
	uint32_t off = (uint32_t)s->text.len;
	const char *text = sp->cur.buf;
	size_t len = sp->cur.len;
	if (sp->too_long) {
		off |= DJ_SST_LONG;
		len = 0;
	} else {
		len = dj_xlsx_unescape(sp->cur.buf, len);
	}
	if (dj_strbuf_add(&s->text, text, len) || dj_strbuf_addch(&s->text, '\0')) {
		dj_xml_fail(&sp->x, DJ_ERR_TOOBIG, "文件的共享字符串超过 %u MB，无法导入",
			    DJ_XLSX_MAX_SST_BYTES >> 20);
		return;
	}
	s->off[s->n++] = off;
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sst_parse *sp = ud;
	const char *n = dj_xml_local(name);
	(void)atts;
	if (!strcmp(n, "si")) {
		if (sp->in_si) {
			dj_xml_fail(&sp->x, DJ_ERR_INVALID, "文件不是有效的 xlsx：共享字符串嵌套错误");
			return;
		}
		sp->in_si = 1;
		sp->too_long = 0;
		dj_strbuf_reset(&sp->cur);
	} else if (sp->in_si && !strcmp(n, "rPh")) {
		sp->rph++;
	} else if (sp->in_si && !strcmp(n, "t")) {
		sp->in_t++;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	struct sst_parse *sp = ud;
	const char *n = dj_xml_local(name);
	if (!sp->in_si)
		return;
	if (!strcmp(n, "si")) {
		sp->in_si = 0;
		sp->in_t = 0;
		sp->rph = 0;
		sst_push(sp);
	} else if (!strcmp(n, "rPh") && sp->rph) {
		sp->rph--;
	} else if (!strcmp(n, "t") && sp->in_t) {
		sp->in_t--;
	}
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
	struct sst_parse *sp = ud;
	if (!sp->in_t || sp->rph || sp->too_long)
		return;
	if (dj_strbuf_add(&sp->cur, s, (size_t)len))
		sp->too_long = 1;
}

dj_rc dj_sst_load(struct dj_sst *s, struct dj_xzip *z, const char *name, char *err, size_t errlen)
{
	struct sst_parse sp;
	memset(&sp, 0, sizeof(sp));
	sp.s = s;
	dj_strbuf_init(&sp.cur, DJ_MAX_CELL_BYTES);
	dj_strbuf_init(&s->text, DJ_XLSX_MAX_SST_BYTES);
	dj_rc rc = dj_xml_create(&sp.x, err, errlen);
	if (rc)
		goto out;
	XML_SetElementHandler(sp.x.p, sst_start, sst_end);
	XML_SetCharacterDataHandler(sp.x.p, sst_text);
	rc = dj_xml_parse_entry(z, name, &sp.x, err, errlen);
	XML_ParserFree(sp.x.p);
out:
	dj_strbuf_release(&sp.cur);
	return rc;
}

dj_rc dj_sst_get(const struct dj_sst *s, size_t i, const char **str, size_t *len)
{
	*str = "";
	*len = 0;
	if (i >= s->n)
		return DJ_ERR_NOTFOUND;
	if (s->off[i] & DJ_SST_LONG)
		return DJ_ERR_TOOBIG;
	size_t start = s->off[i];
	size_t end = i + 1 < s->n ? (s->off[i + 1] & ~DJ_SST_LONG) : s->text.len;
	*str = s->text.buf + start;
	*len = end - start - 1;
	return DJ_OK;
}

void dj_sst_release(struct dj_sst *s)
{
	dj_strbuf_release(&s->text);
	dj_free(s->off);
	s->off = NULL;
	s->n = 0;
	s->alloc = 0;
}

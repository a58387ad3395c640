/* csv.c — the CSV reader: RFC 4180 records (quoted fields, "" escapes, line breaks inside
 * quotes, CRLF, LF or CR line ends) from UTF-8 text, with or without BOM, or from GB18030/GBK
 * text as Excel writes it on Chinese Windows. Parses the borrowed bytes in place, one record per
 * call; only the current row is copied.
 *
 * The structural bytes , " CR LF never occur inside a GBK or GB18030 multi-byte character
 * (trail bytes are 0x30-0x39 or 0x40-0xFE), so records are split on the raw bytes and only
 * non-ASCII cells are converted, each on its own: a conversion error names its row and column. */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/slice.h"
#include "io_int.h"
#include "dj/banned.h"

enum csv_enc {
	CSV_UTF8,       /* whole file checked valid */
	CSV_UTF8_CHECK, /* BOM says UTF-8 but some bytes are not: check cell by cell to name the bad one */
	CSV_GB18030,    /* not UTF-8: convert non-ASCII cells */
};

/* A GB18030 cell of DJ_MAX_CELL_BYTES bytes grows at most 3/2 when converted. */
#define CSV_CONV_MAX (DJ_MAX_CELL_BYTES * 2)

struct csv_table {
	struct dj_table base; /* first: the table is freed through it */
	const unsigned char *p;
	size_t len, pos;
	size_t record;        /* records consumed so far, empty ones included */
	enum csv_enc enc;
	iconv_t cd;
	char conv[CSV_CONV_MAX];
};

/* Bytes that end an unquoted field. */
static const unsigned char csv_stop[256] = { [','] = 1, ['\r'] = 1, ['\n'] = 1 };

static dj_rc cell_too_long(struct csv_table *c, size_t col, int quoted)
{
	return dj_io_fail(&c->base, DJ_ERR_TOOBIG, "第 %zu 行第 %zu 列内容过长（超过 %d 字节）%s",
			  c->record, col + 1, DJ_MAX_CELL_BYTES, quoted ? "，请检查引号是否成对" : "");
}

/* Append raw bytes of the current cell, which began at start in the row buffer. */
static dj_rc cell_add(struct csv_table *c, size_t col, size_t start, const unsigned char *s, size_t n,
		      int quoted)
{
	struct dj_io_row *r = &c->base.row;
	if (r->text.len - start + n > DJ_MAX_CELL_BYTES)
		return cell_too_long(c, col, quoted);
	if (dj_strbuf_add(&r->text, s, n))
		return dj_io_fail(&c->base, DJ_ERR_TOOBIG, "第 %zu 行内容过长", c->record);
	return DJ_OK;
}

static int has_high_bit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] & 0x80)
			return 1;
	return 0;
}

/* Replace the raw GB18030 bytes of a cell by their UTF-8 conversion. */
static dj_rc cell_convert(struct csv_table *c, size_t col, size_t start)
{
	struct dj_io_row *r = &c->base.row;
	char *in = r->text.buf + start, *outp = c->conv;
	size_t inleft = r->text.len - start, outleft = sizeof(c->conv);
	iconv(c->cd, NULL, NULL, NULL, NULL);
	if (iconv(c->cd, &in, &inleft, &outp, &outleft) == (size_t)-1 ||
	    iconv(c->cd, NULL, NULL, &outp, &outleft) == (size_t)-1) {
		if (errno == E2BIG)
			return cell_too_long(c, col, 0);
		return dj_io_fail(&c->base, DJ_ERR_INVALID,
				  "第 %zu 行第 %zu 列含有无法识别的字符：文件既不是 UTF-8 也不是 GBK 编码，"
				  "请在 Excel 中另存为 CSV（UTF-8）或 .xlsx 后再导入",
				  c->record, col + 1);
	}
	size_t n = sizeof(c->conv) - outleft;
	if (n > DJ_MAX_CELL_BYTES)
		return cell_too_long(c, col, 0);
	dj_io_row_truncate(r, start);
	if (dj_strbuf_add(&r->text, c->conv, n))
		return dj_io_fail(&c->base, DJ_ERR_TOOBIG, "第 %zu 行内容过长", c->record);
	return DJ_OK;
}

/* The cell of column col is complete: check, convert and keep it (empty cells are dropped). */
static dj_rc cell_end(struct csv_table *c, size_t col, size_t start)
{
	struct dj_io_row *r = &c->base.row;
	size_t n = r->text.len - start;
	if (!n)
		return DJ_OK;
	if (col >= DJ_MAX_IMPORT_COLS)
		return dj_io_fail(&c->base, DJ_ERR_TOOBIG, "第 %zu 行超过 %d 列", c->record,
				  DJ_MAX_IMPORT_COLS);
	const char *s = r->text.buf + start;
	if (memchr(s, '\0', n))
		return dj_io_fail(&c->base, DJ_ERR_INVALID,
				  "第 %zu 行第 %zu 列含有空字符，文件可能不是文本格式", c->record, col + 1);
	dj_rc rc = DJ_OK;
	if (c->enc == CSV_GB18030 && has_high_bit(s, n))
		rc = cell_convert(c, col, start);
	else if (c->enc == CSV_UTF8_CHECK && !dj_utf8_valid(s, n))
		rc = dj_io_fail(&c->base, DJ_ERR_INVALID, "第 %zu 行第 %zu 列不是有效的 UTF-8 文本",
				c->record, col + 1);
	if (rc)
		return rc;
	if (dj_io_row_commit(r, col, start))
		return dj_io_fail(&c->base, DJ_ERR_TOOBIG, "第 %zu 行内容过长", c->record);
	return DJ_OK;
}

/* Parse one field starting at c->pos into the row buffer. */
static dj_rc field(struct csv_table *c, size_t col)
{
	const unsigned char *p = c->p;
	size_t len = c->len, pos = c->pos, start = c->base.row.text.len;
	dj_rc rc;
	int quoted = 0;
	if (pos < len && p[pos] == '"') {
		quoted = 1;
		pos++;
		for (;;) {
			const unsigned char *q = memchr(p + pos, '"', len - pos);
			if (!q) {
				rc = cell_add(c, col, start, p + pos, len - pos, 1);
				if (rc)
					return rc;
				return dj_io_fail(&c->base, DJ_ERR_INVALID,
						  "第 %zu 行第 %zu 列的引号没有闭合", c->record, col + 1);
			}
			size_t k = (size_t)(q - p);
			/* Take the closing quote's partner along when it is an escaped "" pair. */
			int esc = k + 1 < len && p[k + 1] == '"';
			rc = cell_add(c, col, start, p + pos, k - pos + (size_t)esc, 1);
			if (rc)
				return rc;
			pos = k + 1 + (size_t)esc;
			if (!esc)
				break;
		}
	}
	/* An unquoted field, or stray text after a closing quote, which Excel keeps as is. */
	size_t from = pos;
	while (pos < len && !csv_stop[p[pos]])
		pos++;
	if (pos > from) {
		rc = cell_add(c, col, start, p + from, pos - from, quoted);
		if (rc)
			return rc;
	}
	c->pos = pos;
	return cell_end(c, col, start);
}

static dj_rc csv_next(struct dj_table *t, size_t *rowno)
{
	struct csv_table *c = (struct csv_table *)t;
	while (c->pos < c->len) {
		c->record++;
		dj_io_row_reset(&t->row);
		for (size_t col = 0;; col++) {
			dj_rc rc = field(c, col);
			if (rc)
				return rc;
			if (c->pos >= c->len)
				break;
			unsigned char ch = c->p[c->pos++];
			if (ch == ',')
				continue;
			if (ch == '\r' && c->pos < c->len && c->p[c->pos] == '\n')
				c->pos++;
			break;
		}
		if (t->row.n) {
			if (c->record > DJ_MAX_IMPORT_ROWS)
				return dj_io_fail(t, DJ_ERR_TOOBIG, "文件超过 %d 行", DJ_MAX_IMPORT_ROWS);
			*rowno = c->record;
			return DJ_ROW;
		}
	}
	return DJ_DONE; /* empty records at the end are not rows */
}

static void csv_free(struct dj_table *t)
{
	struct csv_table *c = (struct csv_table *)t;
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	dj_table_base_release(t);
	dj_free(c);
}

static const struct dj_table_ops csv_ops = { "csv", csv_next, csv_free };

dj_rc dj_csv_open(const void *data, size_t len, struct dj_table **out, char *err, size_t errlen)
{
	const unsigned char *p = data;
	enum csv_enc enc;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
		enc = dj_utf8_valid((const char *)p, len) ? CSV_UTF8 : CSV_UTF8_CHECK;
	} else {
		enc = dj_utf8_valid((const char *)p, len) ? CSV_UTF8 : CSV_GB18030;
	}
	iconv_t cd = (iconv_t)-1;
	if (enc == CSV_GB18030) {
		cd = iconv_open("UTF-8", "GB18030");
		if (cd == (iconv_t)-1) {
			dj_io_errf(err, errlen, "服务器不支持 GBK 编码转换，请将文件另存为 CSV（UTF-8）后再导入");
			return DJ_ERR_INTERNAL;
		}
	}
	struct csv_table *c = dj_malloc(sizeof(*c));
	dj_table_base_init(&c->base, &csv_ops);
	c->p = p;
	c->len = len;
	c->pos = 0;
	c->record = 0;
	c->enc = enc;
	c->cd = cd;
	*out = &c->base;
	return DJ_OK;
}

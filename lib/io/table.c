/* table.c — dj_table: detects the format of an uploaded spreadsheet, dispatches to the csv or
 * xlsx reader, and turns the readers' "next non-empty row" into the caller's row stream with
 * empty rows in the gaps, so row numbers always match what the user sees in Excel. */
#include <stdio.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "io_int.h"
#include "dj/banned.h"

static const char *const no_cells[1] = { "" };

/* ---- errors ----------------------------------------------------------------------------------- */

void dj_io_verrf(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (!err || !errlen)
		return;
	int n = vsnprintf(err, errlen, fmt, ap);
	if (n < 0) {
		err[0] = '\0';
		return;
	}
	if ((size_t)n < errlen)
		return;
	/* Truncated: drop a trailing partial UTF-8 sequence so the message stays valid text. */
	size_t len = errlen - 1, i = len;
	while (i > 0 && ((unsigned char)err[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)err[i - 1] & 0x80)) {
		unsigned char lead = (unsigned char)err[i - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (len - (i - 1) < need)
			err[i - 1] = '\0';
	}
}

void dj_io_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dj_io_verrf(err, errlen, fmt, ap);
	va_end(ap);
}

int dj_io_clip(const char *s, int max)
{
	int n = 0;
	while (n < max && s[n])
		n++;
	if (s[n] == '\0')
		return n;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n] continues a character that began before the cut: cut before it */
	return n;
}

dj_rc dj_io_fail(struct dj_table *t, dj_rc rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dj_io_verrf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- the common part of a table ------------------------------------------------------------- */

void dj_table_base_init(struct dj_table *t, const struct dj_table_ops *ops)
{
	t->ops = ops;
	dj_io_row_init(&t->row);
	t->row_no = 0;
	t->next_no = 0;
	t->failed = DJ_OK;
	t->done = 0;
	t->msg[0] = '\0';
}

void dj_table_base_release(struct dj_table *t)
{
	dj_io_row_release(&t->row);
}

/* ---- format detection ----------------------------------------------------------------------- */

static int has_prefix(const void *data, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(data, magic, n) == 0;
}

dj_rc dj_table_open(const void *data, size_t len, struct dj_table **out, char *err, size_t errlen)
{
	*out = NULL;
	dj_io_errf(err, errlen, "%s", "");
	if (!data || len == 0) {
		dj_io_errf(err, errlen, "文件是空的");
		return DJ_ERR_INVALID;
	}
	/* Local file header, empty archive, spanned archive: all zips, all go to the xlsx reader,
	 * which explains what is wrong when the zip turns out not to be a workbook. */
	if (has_prefix(data, len, "PK\x03\x04", 4) || has_prefix(data, len, "PK\x05\x06", 4) ||
	    has_prefix(data, len, "PK\x07\x08", 4))
		return dj_xlsx_open(data, len, out, err, errlen);
	/* OLE2 compound file: Excel 97-2003 .xls, or any password-protected Office file. */
	if (has_prefix(data, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
		dj_io_errf(err, errlen,
			   "不支持旧版 .xls 文件或加密的 Excel 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再导入");
		return DJ_ERR_INVALID;
	}
	if (has_prefix(data, len, "\xFF\xFE", 2) || has_prefix(data, len, "\xFE\xFF", 2)) {
		dj_io_errf(err, errlen, "不支持 UTF-16 编码的文本文件，请另存为 .xlsx 或 CSV（UTF-8）后再导入");
		return DJ_ERR_INVALID;
	}
	return dj_csv_open(data, len, out, err, errlen);
}

/* ---- the row stream ------------------------------------------------------------------------- */

dj_rc dj_table_next(struct dj_table *t, const char *const **cells, size_t *n, char *err, size_t errlen)
{
	*cells = no_cells;
	*n = 0;
	if (t->failed) {
		dj_io_errf(err, errlen, "%s", t->msg);
		return t->failed;
	}
	if (!t->next_no) {
		if (t->done)
			return DJ_DONE;
		size_t no = 0;
		dj_rc rc = t->ops->next(t, &no);
		if (rc == DJ_DONE) {
			t->done = 1;
			return DJ_DONE;
		}
		if (rc == DJ_ROW && (no <= t->row_no || no > DJ_MAX_IMPORT_ROWS))
			rc = dj_io_fail(t, DJ_ERR_INTERNAL, "读取表格时行号错误（第 %zu 行）", no);
		if (rc != DJ_ROW) {
			t->failed = rc;
			dj_io_errf(err, errlen, "%s", t->msg);
			return rc;
		}
		dj_io_row_finish(&t->row);
		t->next_no = no;
	}
	if (t->next_no > t->row_no + 1) {
		t->row_no++; /* an empty row in the gap before the parsed one */
		return DJ_ROW;
	}
	t->row_no = t->next_no;
	t->next_no = 0;
	*cells = t->row.cells;
	*n = t->row.width;
	return DJ_ROW;
}

size_t dj_table_row(const struct dj_table *t)
{
	return t->row_no;
}

const char *dj_table_format(const struct dj_table *t)
{
	return t->ops->format;
}

int64_t dj_table_rows_hint(const struct dj_table *t, const void *data, size_t len)
{
	size_t n = 0;
	if (strcmp(t->ops->format, "xlsx") == 0) {
		n = dj_xlsx_count_rows(t, data, len);
	} else {
		const char *q = data, *e = q + len;
		for (; (q = memchr(q, '\n', (size_t)(e - q))); q++)
			n++;
		if (len && ((const char *)data)[len - 1] != '\n')
			n++;
	}
	return n > 1 ? (int64_t)n - 1 : 0; /* less the header */
}

void dj_table_free(struct dj_table *t)
{
	if (t)
		t->ops->free(t);
}

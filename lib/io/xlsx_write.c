/* xlsx_write.c — writing .xlsx exports with libxlsxwriter in constant-memory mode (rows go to a
 * temporary file as they are written, so exports of any size use little memory). Every cell is
 * a string in a text-formatted ("@") cell: 身份证号 and other long digit strings are never
 * turned into numbers, neither by us nor when the user edits them in Excel. */
#include <string.h>
#include <xlsxwriter.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "dj/slice.h"
#include "dj/banned.h"

/* Light blue of Excel's header styles. */
#define HEADER_FILL 0xDDEBF7

struct dj_xlsx_out {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head; /* bold, filled, text */
	lxw_format *text; /* text ("@") */
	lxw_row_t row;    /* next row to write */
};

dj_rc dj_xlsx_create(const char *path, const char *sheet, struct dj_xlsx_out **out)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE };
	*out = NULL;
	if (!path || !sheet || !dj_utf8_valid(sheet, strlen(sheet)))
		return DJ_ERR_INVALID;
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (!wb)
		return DJ_ERR_IO;
	/* Checked first: a rejected name would otherwise leave a workbook without sheets. */
	if (workbook_validate_sheet_name(wb, sheet) != LXW_NO_ERROR) {
		lxw_workbook_free(wb);
		return DJ_ERR_INVALID;
	}
	struct dj_xlsx_out *w = dj_calloc(1, sizeof(*w));
	w->wb = wb;
	w->ws = workbook_add_worksheet(wb, sheet);
	w->text = workbook_add_format(wb);
	w->head = workbook_add_format(wb);
	if (!w->ws || !w->text || !w->head) {
		lxw_workbook_free(wb);
		dj_free(w);
		return DJ_ERR_INTERNAL;
	}
	format_set_num_format(w->text, "@");
	format_set_num_format(w->head, "@");
	format_set_bold(w->head);
	format_set_pattern(w->head, LXW_PATTERN_SOLID);
	format_set_bg_color(w->head, HEADER_FILL);
	*out = w;
	return DJ_OK;
}

dj_rc dj_xlsx_row(struct dj_xlsx_out *w, const char *const *cells, size_t n, int header)
{
	if (w->row >= LXW_ROW_MAX || n > LXW_COL_MAX)
		return DJ_ERR_TOOBIG;
	lxw_format *fmt = header ? w->head : w->text;
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";
		lxw_error e;
		if (!*s) {
			if (!header)
				continue; /* nothing to store; the fill of a header row stays unbroken */
			e = worksheet_write_blank(w->ws, w->row, (lxw_col_t)i, fmt);
		} else {
			if (!dj_utf8_valid(s, strlen(s)))
				return DJ_ERR_INVALID;
			e = worksheet_write_string(w->ws, w->row, (lxw_col_t)i, s, fmt);
		}
		if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
			return DJ_ERR_TOOBIG;
		if (e != LXW_NO_ERROR)
			return DJ_ERR_INTERNAL;
	}
	if (header)
		worksheet_freeze_panes(w->ws, w->row + 1, 0);
	w->row++;
	return DJ_OK;
}

void dj_xlsx_col_width(struct dj_xlsx_out *w, size_t col, double width)
{
	if (col < LXW_COL_MAX)
		worksheet_set_column(w->ws, (lxw_col_t)col, (lxw_col_t)col, width, w->text);
}

dj_rc dj_xlsx_close(struct dj_xlsx_out *w)
{
	if (!w)
		return DJ_OK;
	lxw_error e = workbook_close(w->wb);
	dj_free(w);
	return e == LXW_NO_ERROR ? DJ_OK : DJ_ERR_IO;
}

/* io.h — spreadsheet files: reading .xlsx (libzip + expat) and .csv (UTF-8 or GBK) as rows of
 * text cells, and writing .xlsx (libxlsxwriter). Untrusted input: every size is capped. */
#ifndef DJ_IO_H
#define DJ_IO_H
#include <stddef.h>
#include <stdint.h>
#include "dj/rc.h"

#define DJ_MAX_IMPORT_ROWS 2000000            /* rows per file */
#define DJ_MAX_IMPORT_COLS 128                /* columns per row */
#define DJ_MAX_CELL_BYTES 4096                /* bytes per cell */
#define DJ_MAX_XLSX_UNCOMPRESSED (1024u << 20) /* zip-bomb guard: total inflated bytes */

struct dj_table;

/** Open a spreadsheet held in memory (data is borrowed and must outlive the table).
 *  The format is detected from the content (zip magic → xlsx, else csv); csv may be UTF-8
 *  (with or without BOM) or GBK/GB18030 (converted to UTF-8). The first sheet of an xlsx is read.
 *  On failure returns DJ_ERR_INVALID (or DJ_ERR_TOOBIG) with a Chinese reason in err. */
dj_rc dj_table_open(const void *data, size_t len, struct dj_table **out, char *err, size_t errlen);
/** Next row: DJ_ROW with *cells (UTF-8, NUL-terminated, valid until the next call) and *n;
 *  DJ_DONE at the end; DJ_ERR_INVALID/DJ_ERR_TOOBIG with err on a broken file. Empty rows are
 *  returned with n == 0. Missing cells inside a row are "". */
dj_rc dj_table_next(struct dj_table *t, const char *const **cells, size_t *n, char *err, size_t errlen);
/** Spreadsheet row number (1-based) of the row last returned. */
size_t dj_table_row(const struct dj_table *t);
/** "xlsx" or "csv". */
const char *dj_table_format(const struct dj_table *t);
/** For progress before the rows are read: an upper bound of the data rows of t (opened from
 *  data, len), less one header row — line breaks of a csv, <row> elements of an xlsx sheet
 *  (counted in a fraction of the time it takes to read them). 0 if unknown. */
int64_t dj_table_rows_hint(const struct dj_table *t, const void *data, size_t len);
void dj_table_free(struct dj_table *t);

struct dj_xlsx_out;
/** Start an .xlsx file at path with one sheet named sheet. */
dj_rc dj_xlsx_create(const char *path, const char *sheet, struct dj_xlsx_out **out);
/** Append a row of text cells; header rows are bold with a fill and freeze the panes below. */
dj_rc dj_xlsx_row(struct dj_xlsx_out *w, const char *const *cells, size_t n, int header);
/** Set the width (in characters) of column col (0-based). */
void dj_xlsx_col_width(struct dj_xlsx_out *w, size_t col, double width);
/** Finish and close the file (frees w). */
dj_rc dj_xlsx_close(struct dj_xlsx_out *w);

/** A printable document: a title and paragraphs (plain text; a paragraph starting with "#"
 *  is a centered heading, one starting with ">" is right-aligned, e.g. a signature and date). */
struct dj_doc {
	const char *title;
	const char *const *paras;
	size_t n;
};
/** Render documents to one A4 PDF at path (cairo + pango, Noto CJK fonts embedded), each
 *  document starting on a new page and flowing over pages as needed. */
dj_rc dj_pdf_write(const char *path, const struct dj_doc *docs, size_t ndocs);

/** Read a whole file into a new buffer (dj_free), capped at max bytes. */
dj_rc dj_io_read_file(const char *path, size_t max, char **data, size_t *len);

#endif

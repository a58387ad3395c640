/* row.c — struct dj_io_row: one spreadsheet row assembled by a reader, cells stored sparsely
 * and laid out with "" in the gaps when finished. See io_int.h. */
#include <string.h>
#include "io_int.h"
#include "dj/banned.h"

void dj_io_row_init(struct dj_io_row *r)
{
	dj_strbuf_init(&r->text, DJ_IO_ROW_BYTES);
	r->n = 0;
	r->width = 0;
}

void dj_io_row_release(struct dj_io_row *r)
{
	dj_strbuf_release(&r->text);
	r->n = 0;
	r->width = 0;
}

void dj_io_row_reset(struct dj_io_row *r)
{
	dj_strbuf_reset(&r->text);
	r->n = 0;
	r->width = 0;
}

void dj_io_row_truncate(struct dj_io_row *r, size_t len)
{
	if (len < r->text.len) {
		r->text.len = len;
		r->text.buf[len] = '\0';
	}
}

dj_rc dj_io_row_commit(struct dj_io_row *r, size_t col, size_t start)
{
	if (r->text.len == start)
		return DJ_OK;
	if (col >= DJ_MAX_IMPORT_COLS || r->n >= DJ_MAX_IMPORT_COLS ||
	    (r->n && col <= r->col[r->n - 1]))
		return DJ_ERR_INTERNAL; /* the readers check columns before they commit */
	dj_rc rc = dj_strbuf_addch(&r->text, '\0');
	if (rc)
		return rc;
	r->col[r->n] = (unsigned)col;
	r->off[r->n] = start;
	r->n++;
	return DJ_OK;
}

dj_rc dj_io_row_add(struct dj_io_row *r, size_t col, const char *s, size_t len)
{
	if (!len)
		return DJ_OK;
	size_t start = r->text.len;
	dj_rc rc = dj_strbuf_add(&r->text, s, len);
	if (rc)
		return rc;
	rc = dj_io_row_commit(r, col, start);
	if (rc)
		dj_io_row_truncate(r, start);
	return rc;
}

void dj_io_row_finish(struct dj_io_row *r)
{
	size_t w = r->n ? r->col[r->n - 1] + 1 : 0;
	for (size_t c = 0; c < w; c++)
		r->cells[c] = "";
	for (size_t i = 0; i < r->n; i++)
		r->cells[r->col[i]] = r->text.buf + r->off[i];
	r->width = w;
}

/* io_int.h — internals shared by the table readers (csv.c, xlsx_read.c) and table.c: the row
 * under construction, the reader vtable, and error formatting. Not part of the public API. */
#ifndef DJ_IO_INT_H
#define DJ_IO_INT_H
#include <stdarg.h>
#include <stddef.h>
#include "dj/io.h"
#include "dj/rc.h"
#include "dj/strbuf.h"

/* The row buffer holds at most one row: every column once, each NUL-terminated, plus room for
 * one over-long or out-of-range cell so that the reader can name it in its error. */
#define DJ_IO_ROW_BYTES ((size_t)(DJ_MAX_IMPORT_COLS + 2) * (DJ_MAX_CELL_BYTES + 1) * 2)

/* Error messages are short sentences; longer ones are cut at a character boundary. */
#define DJ_IO_MSG 256

/**
 * One row being assembled. Only non-empty cells are stored, in increasing column order;
 * dj_io_row_finish() lays them out as cells[0..width) with "" in the gaps, so trailing empty
 * cells never count and a row of nothing but empty cells has width 0.
 */
struct dj_io_row {
	struct dj_strbuf text;                    /* cell bytes, each followed by NUL */
	size_t n;                                 /* non-empty cells stored */
	size_t width;                             /* length of cells[] after finish */
	unsigned col[DJ_MAX_IMPORT_COLS];         /* 0-based column of stored cell i */
	size_t off[DJ_MAX_IMPORT_COLS];           /* where stored cell i starts in text */
	const char *cells[DJ_MAX_IMPORT_COLS];    /* the finished row, pointing into text */
};

/** Prepare an empty row buffer. */
void dj_io_row_init(struct dj_io_row *r);
/** Free the row buffer's memory. */
void dj_io_row_release(struct dj_io_row *r);
/** Forget the cells of the previous row (memory is kept). */
void dj_io_row_reset(struct dj_io_row *r);
/** The bytes from start to the end of r->text are the cell of column col (0-based, greater
 *  than every column stored so far, below DJ_MAX_IMPORT_COLS): terminate and record them.
 *  An empty cell is dropped. DJ_ERR_TOOBIG if the buffer is full. */
dj_rc dj_io_row_commit(struct dj_io_row *r, size_t col, size_t start);
/** Append s[0..len) as the cell of column col; same rules as dj_io_row_commit. */
dj_rc dj_io_row_add(struct dj_io_row *r, size_t col, const char *s, size_t len);
/** Build cells[] and width from the stored cells. */
void dj_io_row_finish(struct dj_io_row *r);
/** Cut r->text back to len bytes (used to replace a cell's raw bytes by their conversion). */
void dj_io_row_truncate(struct dj_io_row *r, size_t len);

struct dj_table;

/** What a format reader provides. next() parses up to the next row that has at least one
 *  non-empty cell, leaves it in t->row (not finished) and its spreadsheet row number in *rowno
 *  (strictly increasing, at most DJ_MAX_IMPORT_ROWS), and returns DJ_ROW; DJ_DONE at the end;
 *  on a broken file an error with the reason in t->msg (see dj_io_fail). */
struct dj_table_ops {
	const char *format;
	dj_rc (*next)(struct dj_table *t, size_t *rowno);
	void (*free)(struct dj_table *t); /* free the reader and t itself (t is its first member) */
};

/** The reader-independent part of a table; each reader embeds it as its first member. */
struct dj_table {
	const struct dj_table_ops *ops;
	struct dj_io_row row;
	size_t row_no;      /* row last returned to the caller (0 before the first) */
	size_t next_no;     /* number of the parsed row in row, waiting behind empty rows; 0 none */
	dj_rc failed;       /* sticky: once broken, every later call repeats the error */
	int done;
	char msg[DJ_IO_MSG];
};

/** Initialise the common part of a reader's table. */
void dj_table_base_init(struct dj_table *t, const struct dj_table_ops *ops);
/** Release the common part (the row buffer); the reader frees the struct. */
void dj_table_base_release(struct dj_table *t);
/** Record a failure: format the Chinese reason into t->msg and return rc. */
dj_rc dj_io_fail(struct dj_table *t, dj_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** snprintf into err (NULL or errlen 0 is fine) that never cuts a UTF-8 character in half. */
void dj_io_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** va_list form of dj_io_errf. */
void dj_io_verrf(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/** Length of the longest prefix of s of at most max bytes that does not end inside a UTF-8
 *  character, for quoting untrusted text in messages with "%.*s". */
int dj_io_clip(const char *s, int max);

/** Open the csv reader over data (already known not to be a zip). Errors as dj_table_open. */
dj_rc dj_csv_open(const void *data, size_t len, struct dj_table **out, char *err, size_t errlen);
/** Open the xlsx reader over a zip held in data. Errors as dj_table_open. */
dj_rc dj_xlsx_open(const void *data, size_t len, struct dj_table **out, char *err, size_t errlen);
/** Rows of the xlsx table t's worksheet (opened from data), counted by their <row> elements
 *  in a second inflate of the sheet without parsing it; 0 if that fails. */
size_t dj_xlsx_count_rows(const struct dj_table *t, const void *data, size_t len);

#endif

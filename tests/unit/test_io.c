/* test_io.c — unit tests for dj/io.h: CSV parsing (quoting, line ends, BOM, GBK, caps) and xlsx
 * reading (crafted sheets, committed fixtures, broken and hostile zips) as (input, expected rows)
 * cases, plus an xlsx write → read round trip through dj_xlsx_* and dj_table_open.
 * Run from the repository root (the fixtures are read from tests/fixtures/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <iconv.h>
#include <zip.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

/* ---- rendering a table as text ---------------------------------------------------------------
 * Each row is "N:cell|cell|…\n" with N the spreadsheet row number; in cells, a newline is
 * written \n, a CR \r, a | \| and a backslash \\. The final result code and message are
 * returned separately. */

static void render_cell(struct dj_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\n': dj_strbuf_adds(sb, "\\n"); break;
		case '\r': dj_strbuf_adds(sb, "\\r"); break;
		case '|': dj_strbuf_adds(sb, "\\|"); break;
		case '\\': dj_strbuf_adds(sb, "\\\\"); break;
		default: dj_strbuf_addch(sb, *s);
		}
	}
}

/* Open data and render every row into out; returns the final result (DJ_DONE or an error). */
static dj_rc render(const void *data, size_t len, struct dj_strbuf *out, char *err, size_t errlen,
		    const char **format)
{
	struct dj_table *t = NULL;
	dj_rc rc = dj_table_open(data, len, &t, err, errlen);
	if (rc) {
		assert_null(t);
		assert_true(err[0] != '\0');
		return rc;
	}
	if (format)
		*format = dj_table_format(t);
	const char *const *cells;
	size_t n;
	size_t last = 0;
	while ((rc = dj_table_next(t, &cells, &n, err, errlen)) == DJ_ROW) {
		assert_int_equal(dj_table_row(t), last + 1); /* numbers are consecutive */
		last = dj_table_row(t);
		assert_true(n <= DJ_MAX_IMPORT_COLS);
		if (n)
			assert_true(cells[n - 1][0] != '\0'); /* trailing empty cells are trimmed */
		dj_strbuf_addf(out, "%zu:", last);
		for (size_t i = 0; i < n; i++) {
			if (i)
				dj_strbuf_addch(out, '|');
			render_cell(out, cells[i]);
		}
		dj_strbuf_addch(out, '\n');
	}
	if (rc != DJ_DONE) {
		assert_true(err[0] != '\0');
		/* Errors are sticky. */
		char err2[256];
		assert_int_equal(dj_table_next(t, &cells, &n, err2, sizeof(err2)), rc);
		assert_string_equal(err, err2);
	} else {
		assert_int_equal(dj_table_next(t, &cells, &n, err, errlen), DJ_DONE);
	}
	dj_table_free(t);
	return rc;
}

struct io_case {
	const char *name;
	const char *in;
	size_t len;       /* 0: strlen(in) */
	const char *rows; /* rendering of the rows before the end or the error */
	dj_rc rc;         /* DJ_DONE, or the error */
	const char *msg;  /* substring of the error message, or NULL */
};

static void run_case(const struct io_case *c, const void *data, size_t len)
{
	struct dj_strbuf out = DJ_STRBUF_INIT;
	char err[256] = "";
	dj_rc rc = render(data, len, &out, err, sizeof(err), NULL);
	if (strcmp(out.buf, c->rows) != 0 || rc != c->rc || (c->msg && !strstr(err, c->msg))) {
		print_error("case %s:\n got rows:\n%s rc %d err %s\n want rows:\n%s rc %d err ~%s\n", c->name,
			    out.buf, rc, err, c->rows, c->rc, c->msg ? c->msg : "");
		dj_strbuf_release(&out);
		fail();
	}
	dj_strbuf_release(&out);
}

/* ---- CSV -------------------------------------------------------------------------------------- */

static const struct io_case csv_cases[] = {
	{ "simple", "a,b,c\n1,2,3\n", 0, "1:a|b|c\n2:1|2|3\n", DJ_DONE, NULL },
	{ "no final newline", "a,b\n1,2", 0, "1:a|b\n2:1|2\n", DJ_DONE, NULL },
	{ "crlf and trailing empty lines", "a,b\r\n1,2\r\n\r\n\r\n", 0, "1:a|b\n2:1|2\n", DJ_DONE, NULL },
	{ "lone cr", "a\rb\r", 0, "1:a\n2:b\n", DJ_DONE, NULL },
	{ "quoted comma and escapes", "\"a,b\",\"say \"\"hi\"\"\",c\n", 0, "1:a,b|say \"hi\"|c\n", DJ_DONE,
	  NULL },
	{ "only an escaped quote", "\"\"\"\"\n", 0, "1:\"\n", DJ_DONE, NULL },
	{ "newlines inside quotes", "\"line1\nline2\",x\r\n\"a\r\nb\",y\n", 0,
	  "1:line1\\nline2|x\n2:a\\r\\nb|y\n", DJ_DONE, NULL },
	{ "empty quoted fields", "\"\",a,\"\"\n", 0, "1:|a\n", DJ_DONE, NULL },
	{ "empty rows in the middle", "a\n\n,,\nb\n", 0, "1:a\n2:\n3:\n4:b\n", DJ_DONE, NULL },
	{ "leading empty rows", "\n\nx\n", 0, "1:\n2:\n3:x\n", DJ_DONE, NULL },
	{ "only line ends", "\n\r\n\r", 0, "", DJ_DONE, NULL },
	{ "gap in a row", "a,,c\n", 0, "1:a||c\n", DJ_DONE, NULL },
	{ "trailing comma", "a,\n", 0, "1:a\n", DJ_DONE, NULL },
	{ "spaces kept", " a , b \n", 0, "1: a | b \n", DJ_DONE, NULL },
	{ "utf-8 with bom", "\xEF\xBB\xBF姓名,性别\n张三,男\n", 0, "1:姓名|性别\n2:张三|男\n", DJ_DONE, NULL },
	{ "only a bom", "\xEF\xBB\xBF", 0, "", DJ_DONE, NULL },
	{ "quote inside an unquoted field", "ab\"c,d\n", 0, "1:ab\"c|d\n", DJ_DONE, NULL },
	{ "text after the closing quote", "\"ab\"cd,e\n", 0, "1:abcd|e\n", DJ_DONE, NULL },
	{ "18-digit id stays text", "110101199003071234,0012\n", 0, "1:110101199003071234|0012\n", DJ_DONE,
	  NULL },
	{ "unterminated quote", "a\n\"bc,d\n", 0, "1:a\n", DJ_ERR_INVALID, "第 2 行第 1 列的引号没有闭合" },
	{ "nul byte", "a\nb\0c\n", 6, "1:a\n", DJ_ERR_INVALID, "第 2 行第 1 列含有空字符" },
	{ "utf-16", "\xFF\xFE" "a\0", 4, "", DJ_ERR_INVALID, "UTF-16" },
	{ "xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, "", DJ_ERR_INVALID, ".xls" },
	{ "empty file", "", 0, "", DJ_ERR_INVALID, "空" },
	{ "bom but bad utf-8", "\xEF\xBB\xBFok\nx,\xFF\n", 0, "1:ok\n", DJ_ERR_INVALID,
	  "第 2 行第 2 列不是有效的 UTF-8" },
	/* Not UTF-8, so GBK: 张三 in GBK, then a byte pair that is not GB18030. */
	{ "bad gbk", "\xD5\xC5\xC8\xFD\n\x81\x20x\n", 0, "1:张三\n", DJ_ERR_INVALID, "第 2 行第 1 列含有无法识别的字符" },
};

static void test_csv_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(csv_cases) / sizeof(csv_cases[0]); i++) {
		const struct io_case *c = &csv_cases[i];
		run_case(c, c->in, c->len ? c->len : strlen(c->in));
	}
}

/* UTF-8 → GB18030 with iconv, as Excel on Chinese Windows saves "CSV (逗号分隔)". */
static char *to_gbk(const char *utf8, size_t *len)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t inleft = strlen(utf8), outleft = inleft * 2 + 4;
	char *out = dj_malloc(outleft), *o = out;
	char *in = (char *)(uintptr_t)utf8;
	assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(o - out);
	return out;
}

static void test_csv_gbk(void **state)
{
	(void)state;
	/* 𠀀 (U+20000) is a four-byte GB18030 sequence; 鎔 is GBK-only (not GB2312). */
	const char *text = "姓名,身份证号,支部\r\n张三,11010119900307123X,\"第一党支部,机关\"\r\n𠀀鎔,,x\r\n";
	size_t len;
	char *gbk = to_gbk(text, &len);
	struct io_case c = { "gbk", NULL, 0,
			     "1:姓名|身份证号|支部\n2:张三|11010119900307123X|第一党支部,机关\n3:𠀀鎔||x\n",
			     DJ_DONE, NULL };
	run_case(&c, gbk, len);
	dj_free(gbk);
}

static void *read_fixture(const char *name, size_t *len)
{
	char path[256], *data = NULL;
	snprintf(path, sizeof(path), "tests/fixtures/%s", name);
	dj_rc rc = dj_io_read_file(path, 1 << 20, &data, len);
	if (rc)
		print_error("cannot read %s (run the tests from the repository root)\n", path);
	assert_int_equal(rc, DJ_OK);
	return data;
}

static void test_csv_gbk_fixture(void **state)
{
	(void)state;
	size_t len;
	char *data = read_fixture("gbk.csv", &len);
	struct io_case c = { "gbk.csv", NULL, 0,
			     "1:姓名|身份证号|所在支部|备注\n"
			     "2:张三|110101199003071234|第一党支部|含有逗号,和\"引号\"\n"
			     "3:李四|11010119851201567X|机关第二党支部\n",
			     DJ_DONE, NULL };
	run_case(&c, data, len);
	dj_free(data);
}

static void test_csv_cell_cap(void **state)
{
	(void)state;
	struct dj_strbuf in = DJ_STRBUF_INIT;
	char err[256];
	/* Exactly DJ_MAX_CELL_BYTES is fine, one more is not; the message names row and column. */
	for (int extra = 0; extra <= 1; extra++) {
		dj_strbuf_reset(&in);
		dj_strbuf_adds(&in, "a,b,c\nx,y,");
		for (int i = 0; i < DJ_MAX_CELL_BYTES + extra; i++)
			dj_strbuf_addch(&in, 'z');
		dj_strbuf_adds(&in, "\n");
		struct dj_strbuf out = DJ_STRBUF_INIT;
		dj_rc rc = render(in.buf, in.len, &out, err, sizeof(err), NULL);
		if (extra) {
			assert_int_equal(rc, DJ_ERR_TOOBIG);
			assert_string_equal(err, "第 2 行第 3 列内容过长（超过 4096 字节）");
		} else {
			assert_int_equal(rc, DJ_DONE);
			assert_int_equal(out.len, strlen("1:a|b|c\n2:x|y|\n") + DJ_MAX_CELL_BYTES);
		}
		dj_strbuf_release(&out);
	}
	/* A stray quote swallows the rest of the file: the error hints at it. */
	dj_strbuf_reset(&in);
	dj_strbuf_adds(&in, "\"a");
	for (int i = 0; i < 3000; i++)
		dj_strbuf_adds(&in, "\nxx");
	struct dj_strbuf out = DJ_STRBUF_INIT;
	assert_int_equal(render(in.buf, in.len, &out, err, sizeof(err), NULL), DJ_ERR_TOOBIG);
	assert_non_null(strstr(err, "引号"));
	dj_strbuf_release(&out);
	dj_strbuf_release(&in);
}

static void test_csv_column_cap(void **state)
{
	(void)state;
	char err[256];
	for (int cols = DJ_MAX_IMPORT_COLS; cols <= DJ_MAX_IMPORT_COLS + 1; cols++) {
		struct dj_strbuf in = DJ_STRBUF_INIT, out = DJ_STRBUF_INIT;
		for (int i = 0; i < cols; i++)
			dj_strbuf_addf(&in, "%s%d", i ? "," : "", i);
		/* Empty cells past the limit do not count. */
		dj_strbuf_adds(&in, "\nx");
		for (int i = 0; i < 300; i++)
			dj_strbuf_addch(&in, ',');
		dj_rc rc = render(in.buf, in.len, &out, err, sizeof(err), NULL);
		if (cols > DJ_MAX_IMPORT_COLS) {
			assert_int_equal(rc, DJ_ERR_TOOBIG);
			assert_string_equal(err, "第 1 行超过 128 列");
		} else {
			assert_int_equal(rc, DJ_DONE);
		}
		dj_strbuf_release(&in);
		dj_strbuf_release(&out);
	}
}

static void test_csv_row_cap(void **state)
{
	(void)state;
	size_t rows = DJ_MAX_IMPORT_ROWS;
	char *in = dj_malloc(rows * 2 + 16);
	for (size_t i = 0; i < rows; i++) {
		in[2 * i] = 'a';
		in[2 * i + 1] = '\n';
	}
	/* The limit itself, followed by empty lines, is fine. */
	memcpy(in + 2 * rows, "\n\n", 2);
	struct dj_table *t;
	char err[256];
	const char *const *cells;
	size_t n, count = 0;
	dj_rc rc;
	assert_int_equal(dj_table_open(in, 2 * rows + 2, &t, err, sizeof(err)), DJ_OK);
	while ((rc = dj_table_next(t, &cells, &n, err, sizeof(err))) == DJ_ROW)
		count++;
	assert_int_equal(rc, DJ_DONE);
	assert_int_equal(count, rows);
	dj_table_free(t);
	/* One more row is over it. */
	memcpy(in + 2 * rows, "b\n", 2);
	assert_int_equal(dj_table_open(in, 2 * rows + 2, &t, err, sizeof(err)), DJ_OK);
	count = 0;
	while ((rc = dj_table_next(t, &cells, &n, err, sizeof(err))) == DJ_ROW)
		count++;
	assert_int_equal(rc, DJ_ERR_TOOBIG);
	assert_int_equal(count, rows);
	assert_non_null(strstr(err, "2000000 行"));
	dj_table_free(t);
	dj_free(in);
}

/* ---- a tiny zip writer, for archives libzip would refuse to write -----------------------------
 * Stored (uncompressed) entries; the method, flags and declared size can be forced to lie. */

struct zent {
	const char *name;
	const char *data;
	uint16_t method; /* as written; 0 = stored */
	uint16_t flags;  /* general purpose bits; 1 = encrypted */
	uint32_t usize;  /* declared uncompressed size; 0 = the real one */
};

static uint32_t crc32_of(const char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= (unsigned char)p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put16(struct dj_strbuf *sb, unsigned v)
{
	dj_strbuf_addch(sb, (char)(v & 0xFF));
	dj_strbuf_addch(sb, (char)(v >> 8 & 0xFF));
}

static void put32(struct dj_strbuf *sb, uint32_t v)
{
	put16(sb, v & 0xFFFF);
	put16(sb, v >> 16);
}

static void mkzip(struct dj_strbuf *z, const struct zent *e, size_t n)
{
	struct dj_strbuf cd = DJ_STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(e[i].data), nlen = strlen(e[i].name);
		uint32_t crc = crc32_of(e[i].data, len), usize = e[i].usize ? e[i].usize : (uint32_t)len;
		uint32_t off = (uint32_t)z->len;
		put32(z, 0x04034b50);
		put16(z, 20);
		put16(z, e[i].flags);
		put16(z, e[i].method);
		put16(z, 0);
		put16(z, 0x21);
		put32(z, crc);
		put32(z, (uint32_t)len);
		put32(z, usize);
		put16(z, (unsigned)nlen);
		put16(z, 0);
		dj_strbuf_adds(z, e[i].name);
		dj_strbuf_add(z, e[i].data, len);
		put32(&cd, 0x02014b50);
		put16(&cd, 20);
		put16(&cd, 20);
		put16(&cd, e[i].flags);
		put16(&cd, e[i].method);
		put16(&cd, 0);
		put16(&cd, 0x21);
		put32(&cd, crc);
		put32(&cd, (uint32_t)len);
		put32(&cd, usize);
		put16(&cd, (unsigned)nlen);
		put32(&cd, 0); /* extra, comment lengths */
		put32(&cd, 0); /* disk, internal attributes */
		put32(&cd, 0); /* external attributes */
		put32(&cd, off);
		dj_strbuf_adds(&cd, e[i].name);
	}
	uint32_t cdoff = (uint32_t)z->len;
	dj_strbuf_add(z, cd.buf, cd.len);
	put32(z, 0x06054b50);
	put32(z, 0);
	put16(z, (unsigned)n);
	put16(z, (unsigned)n);
	put32(z, (uint32_t)cd.len);
	put32(z, cdoff);
	put16(z, 0);
	dj_strbuf_release(&cd);
}

#define SHEET_HEAD                                                                                 \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                                   \
	"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"
#define SST_HEAD "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"

/* The smallest xlsx the reader accepts: the sheet at the default path, optional shared strings. */
static void mkxlsx(struct dj_strbuf *z, const char *sheet_data, const char *sst)
{
	struct dj_strbuf sheet = DJ_STRBUF_INIT;
	dj_strbuf_addf(&sheet, SHEET_HEAD "%s" SHEET_TAIL, sheet_data);
	struct zent e[2] = { { "xl/worksheets/sheet1.xml", sheet.buf, 0, 0, 0 },
			     { "xl/sharedStrings.xml", sst ? sst : "", 0, 0, 0 } };
	mkzip(z, e, sst ? 2 : 1);
	dj_strbuf_release(&sheet);
}

struct sheet_case {
	const char *name;
	const char *sheet; /* inside <sheetData> */
	const char *sst;   /* whole sharedStrings.xml, or NULL */
	const char *rows;
	dj_rc rc;
	const char *msg;
};

#define IS(r, text) "<c r=\"" r "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"
#define NUM(r, v) "<c r=\"" r "\"><v>" v "</v></c>"

static const struct sheet_case sheet_cases[] = {
	{ "inline strings and gaps", "<row r=\"1\">" IS("A1", "姓名") IS("C1", "备注") "</row>", NULL,
	  "1:姓名||备注\n", DJ_DONE, NULL },
	{ "whole numbers", "<row r=\"1\">" NUM("A1", "18.0") NUM("B1", "1.5E+1") NUM("C1", "1E+3")
	  NUM("D1", "-2.000") NUM("E1", "-0.0") NUM("F1", "43831") NUM("G1", "0.5") NUM("H1", "1.25E-3")
	  NUM("I1", "1.2345678901234567E+17") NUM("J1", "12.50") "</row>",
	  NULL, "1:18|15|1000|-2|0|43831|0.5|1.25E-3|123456789012345670|12.50\n", DJ_DONE, NULL },
	{ "types", "<row r=\"1\"><c r=\"A1\" t=\"b\"><v>1</v></c><c r=\"B1\" t=\"b\"><v>0</v></c>"
	  "<c r=\"C1\" t=\"e\"><v>#DIV/0!</v></c><c r=\"D1\" t=\"str\"><f>A1&amp;\"x\"</f><v>TRUEx</v></c>"
	  "<c r=\"E1\" t=\"d\"><v>2024-01-02T00:00:00</v></c></row>",
	  NULL, "1:TRUE|FALSE|#DIV/0!|TRUEx|2024-01-02T00:00:00\n", DJ_DONE, NULL },
	{ "row gaps, empty rows at the end dropped",
	  "<row r=\"2\">" IS("B2", "x") "</row><row r=\"5\">" IS("A5", "y") "</row><row r=\"6\" s=\"1\"/>"
	  "<row r=\"7\"><c r=\"A7\" s=\"1\"/></row>",
	  NULL, "1:\n2:|x\n3:\n4:\n5:y\n", DJ_DONE, NULL },
	{ "no r attributes", "<row><c t=\"inlineStr\"><is><t>a</t></is></c><c><v>2</v></c></row>"
	  "<row><c r=\"C2\"><v>3</v></c><c><v>4</v></c></row>",
	  NULL, "1:a|2\n2:||3|4\n", DJ_DONE, NULL },
	{ "lower-case refs", "<row r=\"1\"><c r=\"b1\"><v>1</v></c></row>", NULL, "1:|1\n", DJ_DONE, NULL },
	{ "shared strings", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>0</v></c>"
	  "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>",
	  SST_HEAD "<si><t>零</t></si><si><r><t>一</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> 1</t></r>"
	  "</si><si><t>二</t><rPh sb=\"0\" eb=\"1\"><t>に</t></rPh></si><si><t>a_x000D_b_x005F_x0041_c</t></si></sst>",
	  "1:一 1|零|二|a\\rb_x0041_c\n", DJ_DONE, NULL },
	{ "inline rich text and escapes",
	  "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><r><t>甲</t></r><r><t>乙</t></r><rPh><t>x</t></rPh>"
	  "</is></c>" IS("B1", "&lt;&amp;&gt;_x0009_") "</row>",
	  NULL, "1:甲乙|<&>\t\n", DJ_DONE, NULL },
	{ "namespace prefixes",
	  "</sheetData></worksheet>", /* replaced below: the whole sheet is prefixed */
	  NULL, "", DJ_DONE, NULL },
	{ "empty cells past the column limit", "<row r=\"1\">" IS("A1", "a") "<c r=\"XFD1\" s=\"1\"/></row>", NULL,
	  "1:a\n", DJ_DONE, NULL },
	{ "a cell past the column limit", "<row r=\"3\">" IS("A3", "a") IS("DY3", "b") "</row>", NULL, "",
	  DJ_ERR_TOOBIG, "第 3 行超过 128 列" },
	{ "shared string index out of range", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>5</v></c></row>",
	  SST_HEAD "<si><t>a</t></si></sst>", "", DJ_ERR_INVALID, "第 1 行第 1 列引用了不存在的共享字符串" },
	{ "shared string index not a number", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>x</v></c></row>", NULL,
	  "", DJ_ERR_INVALID, "共享字符串编号无效" },
	{ "rows out of order", "<row r=\"2\">" IS("A2", "a") "</row><row r=\"2\">" IS("A2", "b") "</row>", NULL,
	  "1:\n2:a\n", DJ_ERR_INVALID, "第 2 行重复或顺序错误" },
	{ "cells out of order", "<row r=\"1\">" IS("B1", "a") IS("A1", "b") "</row>", NULL, "", DJ_ERR_INVALID,
	  "单元格顺序错误" },
	{ "bad cell reference", "<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>", NULL, "", DJ_ERR_INVALID,
	  "单元格位置“1A”无效" },
	{ "bad row number", "<row r=\"x\"/>", NULL, "", DJ_ERR_INVALID, "行号“x”无效" },
	{ "long reference cut at a character", "<row r=\"1\"><c r=\"一二三四五六七八\"><v>1</v></c></row>", NULL, "",
	  DJ_ERR_INVALID, "位置“一二三四五六”无效" },
	{ "too many rows", "<row r=\"1\">" IS("A1", "a") "</row><row r=\"2000001\">" IS("A2000001", "b") "</row>",
	  NULL, "1:a\n", DJ_ERR_TOOBIG, "超过 2000000 行" },
	{ "broken xml", "<row r=\"1\">" IS("A1", "a") "</row><row r=\"2\"><c></row>", NULL, "1:a\n",
	  DJ_ERR_INVALID, "xl/worksheets/sheet1.xml 第 1 行 XML 格式错误" },
	{ "broken shared strings", "<row r=\"1\"/>", SST_HEAD "<si><t>a</si></sst>", "", DJ_ERR_INVALID,
	  "xl/sharedStrings.xml" },
	{ "empty shared strings part", "<row r=\"1\"/>", "", "", DJ_ERR_INVALID, "xl/sharedStrings.xml" },
	{ "doctype refused", "", /* replaced below */ NULL, "", DJ_ERR_INVALID, "DOCTYPE" },
};

static void test_xlsx_sheet_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sheet_cases) / sizeof(sheet_cases[0]); i++) {
		const struct sheet_case *sc = &sheet_cases[i];
		struct dj_strbuf z = DJ_STRBUF_INIT;
		struct io_case c = { sc->name, NULL, 0, sc->rows, sc->rc, sc->msg };
		if (!strcmp(sc->name, "namespace prefixes")) {
			struct zent e = { "xl/worksheets/sheet1.xml",
					  "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
					  "<x:sheetData><x:row x:r=\"1\"><x:c r=\"B1\" t=\"inlineStr\"><x:is><x:t>甲</x:t></x:is>"
					  "</x:c></x:row></x:sheetData></x:worksheet>",
					  0, 0, 0 };
			c.rows = "1:|甲\n";
			mkzip(&z, &e, 1);
		} else if (!strcmp(sc->name, "doctype refused")) {
			struct zent e = { "xl/worksheets/sheet1.xml",
					  "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
					  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
					  "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row>"
					  "</sheetData></worksheet>",
					  0, 0, 0 };
			mkzip(&z, &e, 1);
		} else {
			mkxlsx(&z, sc->sheet, sc->sst);
		}
		run_case(&c, z.buf, z.len);
		dj_strbuf_release(&z);
	}
}

static void test_xlsx_cell_cap(void **state)
{
	(void)state;
	struct dj_strbuf sheet = DJ_STRBUF_INIT, sst = DJ_STRBUF_INIT, z = DJ_STRBUF_INIT;
	/* A long inline string in C2, and a long shared string that is only an error when used. */
	for (int extra = 0; extra <= 1; extra++) {
		struct dj_strbuf big = DJ_STRBUF_INIT;
		for (int i = 0; i < DJ_MAX_CELL_BYTES + extra; i++)
			dj_strbuf_addch(&big, 'x');
		dj_strbuf_reset(&sheet);
		dj_strbuf_reset(&sst);
		dj_strbuf_reset(&z);
		dj_strbuf_addf(&sheet, "<row r=\"1\">" IS("A1", "a") "</row><row r=\"2\">" IS("C2", "%s") "</row>",
			       big.buf);
		mkxlsx(&z, sheet.buf, NULL);
		struct dj_strbuf out = DJ_STRBUF_INIT;
		char err[256] = "";
		dj_rc rc = render(z.buf, z.len, &out, err, sizeof(err), NULL);
		assert_int_equal(rc, extra ? DJ_ERR_TOOBIG : DJ_DONE);
		if (extra)
			assert_string_equal(err, "第 2 行第 3 列内容过长（超过 4096 字节）");
		dj_strbuf_release(&out);

		dj_strbuf_addf(&sst, SST_HEAD "<si><t>%s</t></si><si><t>ok</t></si></sst>", big.buf);
		dj_strbuf_reset(&z);
		mkxlsx(&z, "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row>", sst.buf);
		assert_int_equal(render(z.buf, z.len, &out, err, sizeof(err), NULL), DJ_DONE);
		assert_string_equal(out.buf, "1:ok\n");
		dj_strbuf_release(&out);
		dj_strbuf_reset(&z);
		mkxlsx(&z, "<row r=\"4\"><c r=\"B4\" t=\"s\"><v>0</v></c></row>", sst.buf);
		rc = render(z.buf, z.len, &out, err, sizeof(err), NULL);
		assert_int_equal(rc, extra ? DJ_ERR_TOOBIG : DJ_DONE);
		if (extra)
			assert_string_equal(err, "第 4 行第 2 列内容过长（超过 4096 字节）");
		dj_strbuf_release(&out);
		dj_strbuf_release(&big);
	}
	dj_strbuf_release(&sheet);
	dj_strbuf_release(&sst);
	dj_strbuf_release(&z);
}

static void test_xlsx_fixtures(void **state)
{
	(void)state;
	static const struct {
		const char *file, *rows;
	} fx[] = {
		/* The first sheet of the workbook is roster.xml (found through the relationships, not
		 * sheet1.xml), with shared strings in xl/strings.xml. */
		{ "rich.xlsx", "1:姓名|身份证号|入党日期|年龄|是否\n"
			       "2:张三 |110101199003071234|43831|18|TRUE\n"
			       "3:李四||44197.5|15|FALSE\n"
			       "4:\n"
			       "5:地址\\r\\n北京|||||公式结果|#N/A\n"
			       "6:\n"
			       "7:a&b <c>\n" },
		/* No workbook: the sheet at the default path; x: prefixes, no r= attributes. */
		{ "inline.xlsx", "1:编号|名称\n2:1|第一支部\n3:||跳到C\n" },
	};
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		size_t len;
		char *data = read_fixture(fx[i].file, &len);
		struct dj_strbuf out = DJ_STRBUF_INIT;
		char err[256] = "";
		const char *format = NULL;
		dj_rc rc = render(data, len, &out, err, sizeof(err), &format);
		if (rc != DJ_DONE)
			print_error("%s: %s\n", fx[i].file, err);
		assert_int_equal(rc, DJ_DONE);
		assert_string_equal(format, "xlsx");
		assert_string_equal(out.buf, fx[i].rows);
		dj_strbuf_release(&out);
		dj_free(data);
	}
}

#define RELS_HEAD "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
#define REL(id, kind, target)                                                                           \
	"<Relationship Id=\"" id "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/" \
	kind "\" Target=\"" target "\"/>"
#define WORKBOOK(sheets)                                                                                 \
	"<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>" \
	sheets "</sheets></workbook>"
#define ONE_CELL(text) SHEET_HEAD "<row r=\"1\">" IS("A1", text) "</row>" SHEET_TAIL

/* The first worksheet is found through the package relationships, whatever its part name. */
static void test_xlsx_workbook_rels(void **state)
{
	(void)state;
	struct dj_strbuf z = DJ_STRBUF_INIT;
	/* A chart sheet comes first; the worksheet's target climbs out of xl/ and back. */
	struct zent a[] = {
		{ "xl/workbook.xml", WORKBOOK("<sheet name=\"图\" r:id=\"rId1\"/><sheet name=\"表\" r:id=\"rId2\"/>"), 0, 0, 0 },
		{ "xl/_rels/workbook.xml.rels",
		  RELS_HEAD REL("rId1", "chartsheet", "chartsheets/sheet1.xml") REL("rId2", "worksheet", "../xl/worksheets/data.xml")
		  "</Relationships>", 0, 0, 0 },
		{ "xl/worksheets/sheet1.xml", ONE_CELL("wrong"), 0, 0, 0 },
		{ "xl/worksheets/data.xml", ONE_CELL("right"), 0, 0, 0 },
	};
	struct io_case c = { "chart sheet first", NULL, 0, "1:right\n", DJ_DONE, NULL };
	mkzip(&z, a, 4);
	run_case(&c, z.buf, z.len);
	/* A target above the package root is ignored: the default sheet is read. */
	struct zent b[] = {
		{ "xl/workbook.xml", WORKBOOK("<sheet name=\"表\" r:id=\"rId1\"/>"), 0, 0, 0 },
		{ "xl/_rels/workbook.xml.rels", RELS_HEAD REL("rId1", "worksheet", "../../data.xml") "</Relationships>", 0, 0, 0 },
		{ "data.xml", ONE_CELL("wrong"), 0, 0, 0 },
		{ "xl/worksheets/sheet1.xml", ONE_CELL("right"), 0, 0, 0 },
	};
	dj_strbuf_reset(&z);
	mkzip(&z, b, 4);
	run_case(&c, z.buf, z.len);
	/* The workbook where _rels/.rels says, its relationships next to it, shared strings too. */
	struct zent d[] = {
		{ "_rels/.rels", RELS_HEAD REL("r1", "officeDocument", "/book/main.xml") "</Relationships>", 0, 0, 0 },
		{ "book/main.xml", WORKBOOK("<sheet name=\"表\" r:id=\"a\"/>"), 0, 0, 0 },
		{ "book/_rels/main.xml.rels",
		  RELS_HEAD REL("a", "worksheet", "s/one.xml") REL("b", "sharedStrings", "strings.xml") "</Relationships>", 0, 0, 0 },
		{ "book/s/one.xml", SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>" SHEET_TAIL, 0, 0, 0 },
		{ "book/strings.xml", SST_HEAD "<si><t>right</t></si></sst>", 0, 0, 0 },
	};
	dj_strbuf_reset(&z);
	mkzip(&z, d, 5);
	run_case(&c, z.buf, z.len);
	dj_strbuf_release(&z);
}

/* ---- hostile and broken zips ------------------------------------------------------------------ */

static void expect_open_or_read_error(const void *data, size_t len, dj_rc want, const char *msg)
{
	struct dj_strbuf out = DJ_STRBUF_INIT;
	char err[256] = "";
	dj_rc rc = render(data, len, &out, err, sizeof(err), NULL);
	if (rc != want || !strstr(err, msg))
		print_error("want %d ~%s, got %d %s\n", want, msg, rc, err);
	assert_int_equal(rc, want);
	assert_non_null(strstr(err, msg));
	dj_strbuf_release(&out);
}

static void test_xlsx_hostile_zips(void **state)
{
	(void)state;
	const char *sheet = SHEET_HEAD "<row r=\"1\">" IS("A1", "a") "</row>" SHEET_TAIL;
	struct dj_strbuf z = DJ_STRBUF_INIT;
	struct zent e = { "xl/worksheets/sheet1.xml", sheet, 0, 0, 0 };

	/* Encrypted entry. */
	e.flags = 1;
	mkzip(&z, &e, 1);
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_INVALID, "文件已加密");
	/* Compression method libzip cannot inflate (6 = implode). */
	dj_strbuf_reset(&z);
	e.flags = 0;
	e.method = 6;
	mkzip(&z, &e, 1);
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_INVALID, "不支持的压缩方式");
	/* A declared size over the budget is refused before inflating anything. */
	dj_strbuf_reset(&z);
	e.method = 0;
	e.usize = DJ_MAX_XLSX_UNCOMPRESSED + 1;
	mkzip(&z, &e, 1);
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_TOOBIG, "超过 1024 MB");
	/* A declared size smaller than what comes out. */
	dj_strbuf_reset(&z);
	e.usize = 10;
	mkzip(&z, &e, 1);
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_INVALID, "xlsx");

	/* Zips that are not workbooks. */
	static const struct {
		const char *name, *msg;
	} other[] = {
		{ "hello.txt", "找不到工作表" },
		{ "word/document.xml", "Word" },
		{ "content.xml", ".ods" },
		{ "xl/workbook.bin", ".xlsb" },
	};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		struct zent o[2] = { { other[i].name, "<x/>", 0, 0, 0 }, { "mimetype", "x", 0, 0, 0 } };
		dj_strbuf_reset(&z);
		mkzip(&z, o, 2);
		expect_open_or_read_error(z.buf, z.len, DJ_ERR_INVALID, other[i].msg);
	}
	/* An empty archive, and garbage after the zip magic. */
	dj_strbuf_reset(&z);
	mkzip(&z, NULL, 0);
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_INVALID, "文件不是有效的 xlsx");
	expect_open_or_read_error("PK\x03\x04garbage", 11, DJ_ERR_INVALID, "文件不是有效的 xlsx");
	dj_strbuf_release(&z);
}

/* A zip of one deflated entry, written by libzip: for huge but very compressible parts. */
static void mkzip_deflated(struct dj_strbuf *out, const char *name, const char *data, size_t len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	assert_true(zip_file_add(za, name, zip_source_buffer(za, data, len, 0), ZIP_FL_ENC_UTF_8) >= 0);
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
	zip_int64_t size = zip_source_tell(src);
	assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
	dj_strbuf_reset(out);
	assert_int_equal(dj_strbuf_grow(out, (size_t)size), DJ_OK);
	assert_int_equal(zip_source_read(src, out->buf, (zip_uint64_t)size), size);
	out->len = (size_t)size;
	out->buf[size] = '\0';
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
}

/* What expat would buffer (one giant start tag, a tag stack millions deep) is capped. */
static void test_xlsx_xml_memory_cap(void **state)
{
	(void)state;
	struct dj_strbuf xml = DJ_STRBUF_INIT, z = DJ_STRBUF_INIT;
	dj_strbuf_adds(&xml, SHEET_HEAD "<row r=\"1\">" IS("A1", "a") "</row><row r=\"2\" x=\"");
	assert_int_equal(dj_strbuf_grow(&xml, 80 << 20), DJ_OK);
	memset(xml.buf + xml.len, 'A', 80 << 20);
	xml.len += 80 << 20;
	xml.buf[xml.len] = '\0';
	dj_strbuf_adds(&xml, "\"/>" SHEET_TAIL);
	mkzip_deflated(&z, "xl/worksheets/sheet1.xml", xml.buf, xml.len);
	assert_true(z.len < (1 << 20));
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_TOOBIG, "XML 内容过大或嵌套过深");

	dj_strbuf_reset(&xml);
	dj_strbuf_adds(&xml, SHEET_HEAD);
	for (int i = 0; i < 3000000; i++)
		dj_strbuf_add(&xml, "<a>", 3);
	mkzip_deflated(&z, "xl/worksheets/sheet1.xml", xml.buf, xml.len);
	expect_open_or_read_error(z.buf, z.len, DJ_ERR_TOOBIG, "XML 内容过大或嵌套过深");
	dj_strbuf_release(&xml);
	dj_strbuf_release(&z);
}

/* ---- write, then read back ------------------------------------------------------------------- */

#define RT_COLS 20
#define RT_ROWS 3000

/* Deterministic content of data row r (1-based within the data), column c. */
static void rt_cell(char *buf, size_t cap, size_t r, size_t c)
{
	static const char *const names[] = { "张三", "李四", "王五", "欧阳娜娜", "司马懿" };
	if ((r + c) % 7 == 3 || (r % 50 == 7)) {
		buf[0] = '\0'; /* empty cells in the middle, and wholly empty rows */
		return;
	}
	switch (c % 6) {
	case 0: snprintf(buf, cap, "%s%zu", names[r % 5], r); break;
	case 1: snprintf(buf, cap, "1101011990%04zu%04zu", r % 10000, (r * 7 + c) % 10000); break;
	case 2: snprintf(buf, cap, "%zu.0", r); break; /* written as text: stays "…​.0" */
	case 3: snprintf(buf, cap, "第%zu党支部 <&>\"' 行\n二", r % 13); break;
	case 4: snprintf(buf, cap, "%05zu", r % 1000); break; /* leading zeros kept */
	default: snprintf(buf, cap, "r%zuc%zu", r, c); break;
	}
}

static char *tmp_path(void)
{
	char *p = dj_strdup("/tmp/dj_test_io_XXXXXX");
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

/* The text of one entry of a zip file, for checking what libxlsxwriter wrote. */
static char *zip_entry_text(const char *path, const char *name)
{
	int ze;
	zip_t *za = zip_open(path, ZIP_RDONLY, &ze);
	assert_non_null(za);
	zip_stat_t st;
	assert_int_equal(zip_stat(za, name, 0, &st), 0);
	char *buf = dj_malloc(st.size + 1);
	zip_file_t *zf = zip_fopen(za, name, 0);
	assert_non_null(zf);
	assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
	buf[st.size] = '\0';
	zip_fclose(zf);
	zip_discard(za);
	return buf;
}

static void test_xlsx_round_trip(void **state)
{
	(void)state;
	char *path = tmp_path();
	struct dj_xlsx_out *w;
	char bufs[RT_COLS][128];
	const char *row[RT_COLS];
	for (size_t c = 0; c < RT_COLS; c++)
		row[c] = bufs[c];

	assert_int_equal(dj_xlsx_create(path, "党员名册", &w), DJ_OK);
	const char *head[RT_COLS];
	char hbufs[RT_COLS][16];
	for (size_t c = 0; c < RT_COLS; c++) {
		snprintf(hbufs[c], sizeof(hbufs[c]), "列%zu", c + 1);
		head[c] = c == 5 ? "" : hbufs[c]; /* an empty header cell too */
	}
	head[1] = "身份证号";
	assert_int_equal(dj_xlsx_row(w, head, RT_COLS, 1), DJ_OK);
	dj_xlsx_col_width(w, 1, 22);
	for (size_t r = 1; r <= RT_ROWS; r++) {
		for (size_t c = 0; c < RT_COLS; c++)
			rt_cell(bufs[c], sizeof(bufs[c]), r, c);
		assert_int_equal(dj_xlsx_row(w, row, RT_COLS, 0), DJ_OK);
	}
	/* Invalid UTF-8 is refused rather than written into a file Excel cannot open. */
	const char *bad[1] = { "\xFF" };
	assert_int_equal(dj_xlsx_row(w, bad, 1, 0), DJ_ERR_INVALID);
	assert_int_equal(dj_xlsx_close(w), DJ_OK);

	/* Header formatting: panes frozen below the header, the column width, a bold fill. */
	char *sheet = zip_entry_text(path, "xl/worksheets/sheet1.xml");
	assert_non_null(strstr(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\""));
	assert_non_null(strstr(sheet, "<col min=\"2\" max=\"2\" width=\"22"));
	dj_free(sheet);
	char *styles = zip_entry_text(path, "xl/styles.xml");
	assert_non_null(strstr(styles, "<b/>"));
	assert_non_null(strstr(styles, "FFDDEBF7"));
	dj_free(styles);
	char *wb = zip_entry_text(path, "xl/workbook.xml");
	assert_non_null(strstr(wb, "name=\"党员名册\""));
	dj_free(wb);

	char *data;
	size_t len;
	assert_int_equal(dj_io_read_file(path, 64 << 20, &data, &len), DJ_OK);
	struct dj_table *t;
	char err[256];
	assert_int_equal(dj_table_open(data, len, &t, err, sizeof(err)), DJ_OK);
	assert_string_equal(dj_table_format(t), "xlsx");
	const char *const *cells;
	size_t n;
	assert_int_equal(dj_table_next(t, &cells, &n, err, sizeof(err)), DJ_ROW);
	assert_int_equal(n, RT_COLS);
	for (size_t c = 0; c < RT_COLS; c++)
		assert_string_equal(cells[c], head[c]);
	for (size_t r = 1; r <= RT_ROWS; r++) {
		assert_int_equal(dj_table_next(t, &cells, &n, err, sizeof(err)), DJ_ROW);
		assert_int_equal(dj_table_row(t), r + 1);
		size_t width = 0;
		for (size_t c = 0; c < RT_COLS; c++) {
			rt_cell(bufs[c], sizeof(bufs[c]), r, c);
			if (bufs[c][0])
				width = c + 1;
		}
		assert_int_equal(n, width);
		for (size_t c = 0; c < width; c++)
			assert_string_equal(cells[c], bufs[c]);
	}
	assert_int_equal(dj_table_next(t, &cells, &n, err, sizeof(err)), DJ_DONE);
	dj_table_free(t);

	/* Truncated: the central directory is gone. */
	expect_open_or_read_error(data, len / 2, DJ_ERR_INVALID, "文件不是有效的 xlsx");
	/* Corrupted deflate data in the middle of the sheet: found while reading rows. */
	char *bad_data = dj_malloc(len);
	memcpy(bad_data, data, len);
	for (size_t i = len / 3; i < len / 3 + 64; i++)
		bad_data[i] = (char)(bad_data[i] ^ 0x5A);
	expect_open_or_read_error(bad_data, len, DJ_ERR_INVALID, "文件不是有效的 xlsx");
	dj_free(bad_data);
	dj_free(data);
	unlink(path);
	dj_free(path);
}

static void test_xlsx_write_errors(void **state)
{
	(void)state;
	struct dj_xlsx_out *w = NULL;
	assert_int_equal(dj_xlsx_create("/tmp/dj_test_io_never.xlsx", "bad[name]", &w), DJ_ERR_INVALID);
	assert_null(w);
	assert_int_equal(dj_xlsx_create("/tmp/dj_test_io_never.xlsx", "a name longer than thirty-one chars",
					&w),
			 DJ_ERR_INVALID);
	/* The file is only written on close: an unwritable path shows up there. */
	assert_int_equal(dj_xlsx_create("/nonexistent-dir/x.xlsx", "s", &w), DJ_OK);
	const char *cells[1] = { "x" };
	assert_int_equal(dj_xlsx_row(w, cells, 1, 0), DJ_OK);
	assert_int_equal(dj_xlsx_close(w), DJ_ERR_IO);
	assert_int_equal(access("/tmp/dj_test_io_never.xlsx", F_OK), -1);
}

/* dj_table_rows_hint: the progress total before reading — data rows less the header. */
static int64_t hint_of(const void *data, size_t len)
{
	struct dj_table *t;
	char err[256];
	assert_int_equal(dj_table_open(data, len, &t, err, sizeof(err)), DJ_OK);
	int64_t n = dj_table_rows_hint(t, data, len);
	dj_table_free(t);
	return n;
}

static void test_rows_hint(void **state)
{
	(void)state;
	static const char c1[] = "姓名,身份证号\n甲,1\n乙,2\n", c2[] = "姓名\n甲\n乙", c3[] = "姓名\n";
	assert_int_equal(hint_of(c1, strlen(c1)), 2);
	assert_int_equal(hint_of(c2, strlen(c2)), 2);
	assert_int_equal(hint_of(c3, strlen(c3)), 0);

	struct dj_strbuf z = DJ_STRBUF_INIT, sheet = DJ_STRBUF_INIT;
	mkxlsx(&z, "<row r=\"1\">" IS("A1", "a") "</row><row r=\"2\">" IS("A2", "&lt;row b") "</row><row r=\"3\"/>", NULL);
	assert_int_equal(hint_of(z.buf, z.len), 2);
	struct zent e = { "xl/worksheets/sheet1.xml",
			  "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:sheetData>"
			  "<x:row x:r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>甲</x:t></x:is></x:c></x:row>"
			  "<x:row x:r=\"2\"><x:c r=\"A2\" t=\"inlineStr\"><x:is><x:t>乙</x:t></x:is></x:c></x:row>"
			  "</x:sheetData></x:worksheet>",
			  0, 0, 0 };
	dj_strbuf_reset(&z);
	mkzip(&z, &e, 1);
	assert_int_equal(hint_of(z.buf, z.len), 1);
	/* deflated, and far over one inflate chunk: matches across chunk boundaries all count */
	dj_strbuf_adds(&sheet, SHEET_HEAD);
	for (int r = 1; r <= 20000; r++)
		dj_strbuf_addf(&sheet, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", r, r, r);
	dj_strbuf_adds(&sheet, SHEET_TAIL);
	mkzip_deflated(&z, "xl/worksheets/sheet1.xml", sheet.buf, sheet.len);
	assert_int_equal(hint_of(z.buf, z.len), 19999);
	dj_strbuf_release(&sheet);
	dj_strbuf_release(&z);
}

static void test_read_file(void **state)
{
	(void)state;
	char *data;
	size_t len;
	assert_int_equal(dj_io_read_file("/nonexistent/file", 100, &data, &len), DJ_ERR_NOTFOUND);
	assert_null(data);
	assert_int_equal(dj_io_read_file("tests/fixtures/gbk.csv", 10, &data, &len), DJ_ERR_TOOBIG);
	assert_int_equal(dj_io_read_file("tests/fixtures", 1000, &data, &len), DJ_ERR_IO);
	assert_int_equal(dj_io_read_file("tests/fixtures/gbk.csv", 1000, &data, &len), DJ_OK);
	assert_true(len > 0 && data[len] == '\0');
	dj_free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_cases),
		cmocka_unit_test(test_csv_gbk),
		cmocka_unit_test(test_csv_gbk_fixture),
		cmocka_unit_test(test_csv_cell_cap),
		cmocka_unit_test(test_csv_column_cap),
		cmocka_unit_test(test_csv_row_cap),
		cmocka_unit_test(test_xlsx_sheet_cases),
		cmocka_unit_test(test_xlsx_cell_cap),
		cmocka_unit_test(test_xlsx_fixtures),
		cmocka_unit_test(test_xlsx_workbook_rels),
		cmocka_unit_test(test_xlsx_hostile_zips),
		cmocka_unit_test(test_xlsx_xml_memory_cap),
		cmocka_unit_test(test_xlsx_round_trip),
		cmocka_unit_test(test_xlsx_write_errors),
		cmocka_unit_test(test_rows_hint),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fuzz_xlsx.c — libFuzzer target for the xlsx reader. Input starting with "PK" is used as the
 * zip itself (exercises libzip and the zip-bomb guards); any other input is split at NUL bytes
 * into sheet1.xml, sharedStrings.xml, workbook.xml and workbook.xml.rels, which are stored in a
 * zip built here, so that mutations reach the XML handlers instead of dying in a CRC check.
 * Every row is read and checked against the promises of dj/io.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "dj/slice.h"
#include "dj/strbuf.h"
#include "dj/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rows of a huge r= gap are cheap but not free: stop early to keep the fuzzer fast. */
#define FUZZ_MAX_ROWS 100000

static const char *const part_names[] = {
	"xl/worksheets/sheet1.xml",
	"xl/sharedStrings.xml",
	"xl/workbook.xml",
	"xl/_rels/workbook.xml.rels",
};

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put16(struct dj_strbuf *sb, unsigned v)
{
	char b[2] = { (char)(v & 0xFF), (char)(v >> 8 & 0xFF) };
	dj_strbuf_add(sb, b, 2);
}

static void put32(struct dj_strbuf *sb, uint32_t v)
{
	put16(sb, v & 0xFFFF);
	put16(sb, v >> 16);
}

/* A zip of stored entries: the parts of the input in the order of part_names. */
static void build_zip(struct dj_strbuf *z, const uint8_t *data, size_t size)
{
	struct dj_strbuf cd = DJ_STRBUF_INIT;
	size_t nparts = 0, pos = 0;
	while (nparts < 4 && pos <= size) {
		const uint8_t *end = memchr(data + pos, 0, size - pos);
		size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
		const char *name = part_names[nparts];
		size_t nlen = strlen(name);
		uint32_t crc = crc32_of(data + pos, len), off = (uint32_t)z->len;
		put32(z, 0x04034b50);
		put16(z, 20);
		put16(z, 0);
		put16(z, 0);
		put32(z, 0);
		put32(z, crc);
		put32(z, (uint32_t)len);
		put32(z, (uint32_t)len);
		put16(z, (unsigned)nlen);
		put16(z, 0);
		dj_strbuf_add(z, name, nlen);
		dj_strbuf_add(z, data + pos, len);
		put32(&cd, 0x02014b50);
		put16(&cd, 20);
		put16(&cd, 20);
		put16(&cd, 0);
		put16(&cd, 0);
		put32(&cd, 0);
		put32(&cd, crc);
		put32(&cd, (uint32_t)len);
		put32(&cd, (uint32_t)len);
		put16(&cd, (unsigned)nlen);
		put32(&cd, 0);
		put32(&cd, 0);
		put32(&cd, 0);
		put32(&cd, off);
		dj_strbuf_add(&cd, name, nlen);
		nparts++;
		pos += len + 1;
	}
	uint32_t cdoff = (uint32_t)z->len;
	dj_strbuf_add(z, cd.buf, cd.len);
	put32(z, 0x06054b50);
	put32(z, 0);
	put16(z, (unsigned)nparts);
	put16(z, (unsigned)nparts);
	put32(z, (uint32_t)cd.len);
	put32(z, cdoff);
	put16(z, 0);
	dj_strbuf_release(&cd);
}

static void check_err(const char *err)
{
	if (!err[0] || !dj_utf8_valid(err, strlen(err)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dj_strbuf z = DJ_STRBUF_INIT;
	const void *in = data;
	size_t len = size;
	struct dj_table *t;
	char err[256];
	if (!(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
		build_zip(&z, data, size);
		in = z.buf;
		len = z.len;
	}
	if (dj_table_open(in, len, &t, err, sizeof(err)) != DJ_OK) {
		check_err(err);
		goto out;
	}
	const char *const *cells;
	size_t n, row = 0;
	dj_rc rc = DJ_DONE;
	while (row < FUZZ_MAX_ROWS && (rc = dj_table_next(t, &cells, &n, err, sizeof(err))) == DJ_ROW) {
		if (dj_table_row(t) != ++row || n > DJ_MAX_IMPORT_COLS || (n && !cells[n - 1][0]))
			abort();
		for (size_t i = 0; i < n; i++) {
			size_t clen = strlen(cells[i]);
			if (clen > DJ_MAX_CELL_BYTES || !dj_utf8_valid(cells[i], clen))
				abort();
		}
	}
	if (row < FUZZ_MAX_ROWS && rc != DJ_DONE)
		check_err(err);
	dj_table_free(t);
out:
	dj_strbuf_release(&z);
	return 0;
}

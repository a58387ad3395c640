/* xlsx_int.h — internals of the xlsx reader: capped access to the zip entries (xlsx_zip.c),
 * expat parsers fed from them, and the shared-strings table (xlsx_sst.c). */
#ifndef DJ_XLSX_INT_H
#define DJ_XLSX_INT_H
#include <expat.h>
#include <stddef.h>
#include <stdint.h>
#include <zip.h>
#include "dj/rc.h"
#include "dj/strbuf.h"
#include "io_int.h"

/* Bytes inflated per expat call: big enough to amortise the calls, small enough for the cache. */
#define DJ_XLSX_CHUNK (64 * 1024)
/* Shared strings live in memory: cap their text and their number. */
#define DJ_XLSX_MAX_SST_BYTES (256u << 20)
#define DJ_XLSX_MAX_SST_COUNT (16u << 20)
/* Memory all expat parsers of the process may hold together (see xlsx_zip.c). */
#define DJ_XLSX_MAX_XML_MEM ((size_t)64 << 20)
/* Relationships per .rels part we keep (a workbook has one per sheet plus a few). */
#define DJ_XLSX_MAX_RELS 4096
/* Part names inside the zip. */
#define DJ_XLSX_PATH 512

/** The opened archive plus the inflated-bytes budget shared by all its entries. */
struct dj_xzip {
	zip_t *za;
	uint64_t inflated; /* over all entries read so far, capped at DJ_MAX_XLSX_UNCOMPRESSED */
};

/** One entry being inflated. */
struct dj_xentry {
	struct dj_xzip *z;
	zip_file_t *zf;
	const char *name;  /* borrowed, for messages */
	uint64_t declared; /* uncompressed size from the central directory */
	uint64_t got;      /* inflated so far */
};
#define DJ_XENTRY_INIT { NULL, NULL, "", 0, 0 }

/** Open the zip in data (borrowed). DJ_ERR_INVALID with a Chinese reason if it is not one. */
dj_rc dj_xzip_open(struct dj_xzip *z, const void *data, size_t len, char *err, size_t errlen);
/** Close the archive (no-op if not open). */
void dj_xzip_close(struct dj_xzip *z);
/** Index of the entry called name (exact, then ignoring case), or -1. */
int64_t dj_xzip_find(struct dj_xzip *z, const char *name);

/** Open entry idx for reading after checking encryption, compression method and declared size
 *  against the remaining budget. */
dj_rc dj_xentry_open(struct dj_xzip *z, int64_t idx, const char *name, struct dj_xentry *e, char *err,
		     size_t errlen);
/** Inflate up to cap bytes into buf; *n == 0 at the end. Counts against the budget. */
dj_rc dj_xentry_read(struct dj_xentry *e, void *buf, size_t cap, size_t *n, char *err, size_t errlen);
/** Close the entry (no-op if not open). */
void dj_xentry_close(struct dj_xentry *e);

/** What every expat handler's user data starts with: the parser and the first failure. */
struct dj_xml_ctx {
	XML_Parser p;
	dj_rc rc;
	char msg[DJ_IO_MSG];
};

/** Create ctx->p: a non-namespace parser whose memory counts against DJ_XLSX_MAX_XML_MEM, that
 *  rejects DOCTYPE (no entity tricks) and has ctx as its user data. DJ_ERR_BUSY if the memory
 *  cap is reached. The caller frees ctx->p with XML_ParserFree. */
dj_rc dj_xml_create(struct dj_xml_ctx *ctx, char *err, size_t errlen);
/** From a handler: record the failure and abort the parse. The first failure wins. */
void dj_xml_fail(struct dj_xml_ctx *ctx, dj_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** After XML_Parse* returned XML_STATUS_ERROR: the handler's failure, or the XML error named
 *  with the entry and line, in err. */
dj_rc dj_xml_error(struct dj_xml_ctx *ctx, const char *entry, char *err, size_t errlen);
/** Parse the whole entry called name with ctx's parser (handlers already set). */
dj_rc dj_xml_parse_entry(struct dj_xzip *z, const char *name, struct dj_xml_ctx *ctx, char *err,
			 size_t errlen);
/** The name without its namespace prefix ("x:row" → "row"). */
const char *dj_xml_local(const char *name);
/** Value of the attribute whose local name is name, or NULL. */
const char *dj_xml_attr(const char **atts, const char *name);

/** Decode the _xHHHH_ escapes of OOXML strings in place; returns the new length. */
size_t dj_xlsx_unescape(char *s, size_t len);

/** The shared strings: NUL-terminated texts back to back, found by offset. */
struct dj_sst {
	struct dj_strbuf text;
	uint32_t *off;     /* start of string i in text; DJ_SST_LONG set: over DJ_MAX_CELL_BYTES */
	size_t n, alloc;
};
#define DJ_SST_LONG 0x80000000u
#define DJ_SST_INIT { DJ_STRBUF_INIT, NULL, 0, 0 }

/** Load the shared strings part called name. */
dj_rc dj_sst_load(struct dj_sst *s, struct dj_xzip *z, const char *name, char *err, size_t errlen);
/** String i: DJ_OK with its text and length (borrowed), DJ_ERR_NOTFOUND if there is no such string,
 *  DJ_ERR_TOOBIG if it is longer than DJ_MAX_CELL_BYTES. */
dj_rc dj_sst_get(const struct dj_sst *s, size_t i, const char **str, size_t *len);
/** Free the table. */
void dj_sst_release(struct dj_sst *s);

#endif

/* xlsx_read.c — the xlsx reader: finds the first worksheet through the package relationships
 * (_rels/.rels → workbook → its .rels), loads the shared strings, then streams the sheet XML
 * through expat a chunk at a time. The parser is suspended at every </row> that has content,
 * so only one row is ever held, whatever the size of the sheet. */
#include <string.h>
#include "dj/alloc.h"
#include "dj/io.h"
#include "dj/slice.h"
#include "xlsx_int.h"
#include "dj/banned.h"

#define BAD "文件不是有效的 xlsx："
#define DJ_CONTAINER_OF(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

/* ---- part names and relationships --------------------------------------------------------- */

enum rel_kind { REL_OTHER, REL_OFFICEDOC, REL_WORKSHEET, REL_SST };

struct rel {
	char id[64];
	char target[DJ_XLSX_PATH]; /* resolved to a part name in the zip */
	enum rel_kind kind;
};

struct rels {
	struct dj_xml_ctx x; /* first: the parser's user data */
	const char *base;    /* folder the targets are relative to, "" or ending in '/' */
	struct rel *v;
	size_t n, alloc;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* Resolve a relationship target against base into a part name: "/x" is from the package root,
 * "." and ".." segments are folded. 0 if it does not fit or climbs above the root. */
static int resolve(const char *base, const char *target, char *out, size_t cap)
{
	char tmp[DJ_XLSX_PATH];
	int n = target[0] == '/' ? snprintf(tmp, sizeof(tmp), "%s", target + 1)
				 : snprintf(tmp, sizeof(tmp), "%s%s", base, target);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return 0;
	size_t w = 0;
	struct dj_slice rest = dj_slice_from(tmp), seg;
	while (rest.len) {
		rest = dj_slice_cut(rest, '/', &seg);
		if (seg.len == 0 || dj_slice_eq(seg, "."))
			continue;
		if (dj_slice_eq(seg, "..")) {
			if (w == 0)
				return 0;
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--; /* the '/' before the dropped segment */
			continue;
		}
		if (w + (w ? 1 : 0) + seg.len + 1 > cap)
			return 0;
		if (w)
			out[w++] = '/';
		memcpy(out + w, seg.base, seg.len);
		w += seg.len;
	}
	out[w] = '\0';
	return w > 0;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rels *r = ud;
	if (strcmp(dj_xml_local(name), "Relationship") != 0)
		return;
	const char *id = dj_xml_attr(atts, "Id"), *type = dj_xml_attr(atts, "Type");
	const char *target = dj_xml_attr(atts, "Target"), *mode = dj_xml_attr(atts, "TargetMode");
	if (!id || !type || !target || (mode && strcmp(mode, "Internal") != 0) || r->n >= DJ_XLSX_MAX_RELS)
		return;
	if (strlen(id) >= sizeof(r->v[0].id))
		return;
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 8;
		r->v = dj_realloc(r->v, r->alloc * sizeof(*r->v));
	}
	struct rel *e = &r->v[r->n];
	if (!resolve(r->base, target, e->target, sizeof(e->target)))
		return;
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->kind = ends_with(type, "/officeDocument") ? REL_OFFICEDOC
		  : ends_with(type, "/worksheet")    ? REL_WORKSHEET
		  : ends_with(type, "/sharedStrings") ? REL_SST
						      : REL_OTHER;
	r->n++;
}

/* Parse the .rels part called name (if it exists) into r; targets are relative to base. */
static dj_rc rels_load(struct rels *r, struct dj_xzip *z, const char *name, const char *base, char *err,
		       size_t errlen)
{
	r->base = base;
	r->n = 0;
	if (dj_xzip_find(z, name) < 0)
		return DJ_OK;
	dj_rc rc = dj_xml_create(&r->x, err, errlen);
	if (rc)
		return rc;
	XML_SetStartElementHandler(r->x.p, rels_start);
	rc = dj_xml_parse_entry(z, name, &r->x, err, errlen);
	XML_ParserFree(r->x.p);
	return rc;
}

static const struct rel *rels_find(const struct rels *r, enum rel_kind kind, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == kind && (!id || !strcmp(r->v[i].id, id)))
			return &r->v[i];
	return NULL;
}

/* The workbook: the first <sheet> whose relationship is a worksheet (not a chart sheet). */
struct wb_parse {
	struct dj_xml_ctx x;
	const struct rels *rels;
	const struct rel *sheet;
};

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct wb_parse *wp = ud;
	if (wp->sheet || strcmp(dj_xml_local(name), "sheet") != 0)
		return;
	const char *id = dj_xml_attr(atts, "id"); /* r:id */
	if (id)
		wp->sheet = rels_find(wp->rels, REL_WORKSHEET, id);
}

/* ---- the reader ------------------------------------------------------------------------------ */

#define ROW_PREFIX_MAX 32 /* namespace prefix of a <row> element, for dj_xlsx_count_rows */
#define ROW_KEEP (ROW_PREFIX_MAX + 8) /* bytes carried from one inflated chunk to the next */

struct xlsx_table {
	struct dj_table base; /* first: the table is freed through it */
	struct dj_xml_ctx x;  /* the sheet parser */
	struct dj_xzip z;
	struct dj_xentry sheet;
	char sheet_name[DJ_XLSX_PATH];
	struct dj_sst sst;
	int suspended, final_fed, finished, row_ready;
	/* where the sheet parser is */
	int in_row, in_c, in_v, in_is, in_t, rph;
	size_t row, last_row;   /* <row r=>, and the previous one (0 before the first) */
	size_t col, last_col;   /* <c r=> column, 0-based, and the previous in this row */
	int have_col;           /* last_col is valid */
	char type;              /* of the cell: s(hared) S(tr) i(nlineStr) b(ool) n(umber) e(lse) */
	struct dj_strbuf val;   /* text of <v> or <is>, capped at a cell */
	int val_long;
	char num[80];
};

static struct xlsx_table *from_ctx(void *ud)
{
	return DJ_CONTAINER_OF(ud, struct xlsx_table, x);
}

static void cell_too_long(struct xlsx_table *x)
{
	dj_xml_fail(&x->x, DJ_ERR_TOOBIG, "第 %zu 行第 %zu 列内容过长（超过 %d 字节）", x->row, x->col + 1,
		    DJ_MAX_CELL_BYTES);
}

/* "18.0" → "18", "1.5E+1" → "15", "1E+3" → "1000": the number's text when its value is whole,
 * as Excel shows it in the General format. NULL when v is to be returned unchanged. */
static const char *whole_number(const char *v, size_t len, char *out, size_t cap, size_t *outlen)
{
	size_t i = 0, d1 = 0, d2 = 0;
	char dig[40];
	size_t nd = 0;
	long exp = 0;
	int dot = 0, has_exp = 0;
	if (i < len && (v[i] == '-' || v[i] == '+'))
		i++;
	int neg = i && v[0] == '-';
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++, d1++)
		if (nd < sizeof(dig))
			dig[nd++] = v[i];
	if (i < len && v[i] == '.') {
		dot = 1;
		for (i++; i < len && v[i] >= '0' && v[i] <= '9'; i++, d2++)
			if (nd < sizeof(dig))
				dig[nd++] = v[i];
	}
	if (i < len && (v[i] == 'e' || v[i] == 'E')) {
		has_exp = 1;
		int eneg = 0;
		size_t ed = 0;
		i++;
		if (i < len && (v[i] == '-' || v[i] == '+'))
			eneg = v[i++] == '-';
		for (; i < len && v[i] >= '0' && v[i] <= '9'; i++, ed++)
			if (exp < 1000)
				exp = exp * 10 + (v[i] - '0');
		if (!ed)
			return NULL;
		if (eneg)
			exp = -exp;
	}
	if (i != len || (!dot && !has_exp) || d1 + d2 == 0 || d1 + d2 > sizeof(dig) || exp > 40 || exp < -40)
		return NULL;
	long point = (long)d1 + exp; /* digits before the decimal point */
	for (long k = point < 0 ? 0 : point; k < (long)nd; k++)
		if (dig[k] != '0')
			return NULL;
	size_t w = 0;
	if (neg)
		out[w++] = '-';
	size_t first = w;
	for (long k = 0; k < point; k++) {
		char c = k < (long)nd ? dig[k] : '0';
		if (w == first && c == '0')
			continue; /* leading zero */
		if (w + 1 >= cap)
			return NULL;
		out[w++] = c;
	}
	if (w == first) { /* the value is zero: no sign */
		w = 0;
		out[w++] = '0';
	}
	out[w] = '\0';
	*outlen = w;
	return out;
}

static void start_row(struct xlsx_table *x, const XML_Char **atts)
{
	const char *r = dj_xml_attr(atts, "r");
	int64_t no = (int64_t)x->last_row + 1;
	if (r && dj_parse_int_str(r, 1, INT64_MAX, &no)) {
		dj_xml_fail(&x->x, DJ_ERR_INVALID, BAD "行号“%.*s”无效", dj_io_clip(r, 20), r);
		return;
	}
	if (no > DJ_MAX_IMPORT_ROWS) {
		dj_xml_fail(&x->x, DJ_ERR_TOOBIG, "文件超过 %d 行", DJ_MAX_IMPORT_ROWS);
		return;
	}
	if ((size_t)no <= x->last_row) {
		dj_xml_fail(&x->x, DJ_ERR_INVALID, BAD "第 %lld 行重复或顺序错误（前一行是第 %zu 行）",
			    (long long)no, x->last_row);
		return;
	}
	x->row = (size_t)no;
	x->in_row = 1;
	x->have_col = 0;
	dj_io_row_reset(&x->base.row);
}

/* Column of a reference like "B3" (0-based); -1 if it is not one. */
static long ref_col(const char *ref)
{
	long col = 0;
	size_t i = 0;
	for (; ref[i]; i++) {
		char c = ref[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			break;
		if (i >= 3)
			return -1;
		col = col * 26 + (c - 'A' + 1);
	}
	if (i == 0 || col > 16384)
		return -1;
	for (; ref[i]; i++)
		if (ref[i] < '0' || ref[i] > '9')
			return -1;
	return col - 1;
}

static void start_cell(struct xlsx_table *x, const XML_Char **atts)
{
	const char *ref = NULL, *t = NULL;
	for (size_t i = 0; atts[i]; i += 2) {
		const char *a = dj_xml_local(atts[i]);
		if (a[0] == 'r' && !a[1])
			ref = atts[i + 1];
		else if (a[0] == 't' && !a[1])
			t = atts[i + 1];
	}
	size_t col = x->have_col ? x->last_col + 1 : 0;
	if (ref) {
		long c = ref_col(ref);
		if (c < 0) {
			dj_xml_fail(&x->x, DJ_ERR_INVALID, BAD "第 %zu 行的单元格位置“%.*s”无效", x->row,
				    dj_io_clip(ref, 20), ref);
			return;
		}
		col = (size_t)c;
	}
	if (x->have_col && col <= x->last_col) {
		dj_xml_fail(&x->x, DJ_ERR_INVALID, BAD "第 %zu 行的单元格顺序错误", x->row);
		return;
	}
	if (!t || !strcmp(t, "n"))
		x->type = 'n';
	else if (!strcmp(t, "s"))
		x->type = 's';
	else if (!strcmp(t, "str"))
		x->type = 'S';
	else if (!strcmp(t, "inlineStr"))
		x->type = 'i';
	else if (!strcmp(t, "b"))
		x->type = 'b';
	else
		x->type = 'e'; /* errors, ISO dates (t="d") and unknown types: the text as written */
	x->col = col;
	x->last_col = col;
	x->have_col = 1;
	x->in_c = 1;
	x->in_v = x->in_is = x->in_t = x->rph = 0;
	x->val_long = 0;
	dj_strbuf_reset(&x->val);
}

static void end_cell(struct xlsx_table *x)
{
	const char *s = x->val.buf;
	size_t len = x->val.len;
	x->in_c = 0;
	if (x->val_long) {
		cell_too_long(x);
		return;
	}
	switch (x->type) {
	case 's': {
		int64_t i;
		if (!len)
			break;
		if (dj_parse_int(s, len, 0, INT64_MAX, &i)) {
			dj_xml_fail(&x->x, DJ_ERR_INVALID, BAD "第 %zu 行第 %zu 列的共享字符串编号无效", x->row,
				    x->col + 1);
			return;
		}
		dj_rc rc = dj_sst_get(&x->sst, (size_t)i, &s, &len);
		if (rc == DJ_ERR_TOOBIG) {
			cell_too_long(x);
			return;
		}
		if (rc) {
			dj_xml_fail(&x->x, DJ_ERR_INVALID, BAD "第 %zu 行第 %zu 列引用了不存在的共享字符串",
				    x->row, x->col + 1);
			return;
		}
		break;
	}
	case 'S':
	case 'i':
		len = dj_xlsx_unescape(x->val.buf, len);
		break;
	case 'b':
		if (len == 1 && (s[0] == '0' || s[0] == '1')) {
			s = s[0] == '1' ? "TRUE" : "FALSE";
			len = strlen(s);
		}
		break;
	case 'n': {
		const char *w = whole_number(s, len, x->num, sizeof(x->num), &len);
		if (w)
			s = w;
		break;
	}
	default:
		break;
	}
	if (!len)
		return;
	if (x->col >= DJ_MAX_IMPORT_COLS) {
		dj_xml_fail(&x->x, DJ_ERR_TOOBIG, "第 %zu 行超过 %d 列", x->row, DJ_MAX_IMPORT_COLS);
		return;
	}
	if (dj_io_row_add(&x->base.row, x->col, s, len))
		dj_xml_fail(&x->x, DJ_ERR_TOOBIG, "第 %zu 行内容过长", x->row);
}

/* The sheet's element names, found without library calls: these handlers run for every element
 * of a sheet that may hold millions of cells. */
enum el { EL_OTHER, EL_ROW, EL_C, EL_V, EL_IS, EL_T, EL_RPH };

static enum el sheet_el(const char *name)
{
	const char *n = name;
	for (const char *p = name; *p; p++)
		if (*p == ':')
			n = p + 1;
	switch (n[0]) {
	case 'c': return n[1] ? EL_OTHER : EL_C;
	case 'v': return n[1] ? EL_OTHER : EL_V;
	case 't': return n[1] ? EL_OTHER : EL_T;
	case 'i': return n[1] == 's' && !n[2] ? EL_IS : EL_OTHER;
	case 'r': return !strcmp(n, "row") ? EL_ROW : !strcmp(n, "rPh") ? EL_RPH : EL_OTHER;
	default: return EL_OTHER;
	}
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_table *x = from_ctx(ud);
	enum el e = sheet_el(name);
	if (!x->in_row) {
		if (e == EL_ROW)
			start_row(x, atts);
	} else if (!x->in_c) {
		if (e == EL_C)
			start_cell(x, atts);
	} else if (e == EL_V) {
		x->in_v = 1;
	} else if (e == EL_IS) {
		x->in_is = 1;
	} else if (x->in_is && e == EL_T) {
		x->in_t++;
	} else if (x->in_is && e == EL_RPH) {
		x->rph++;
	}
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct xlsx_table *x = from_ctx(ud);
	enum el e = sheet_el(name);
	if (x->in_c) {
		if (e == EL_C)
			end_cell(x);
		else if (e == EL_V)
			x->in_v = 0;
		else if (e == EL_IS)
			x->in_is = 0;
		else if (e == EL_T && x->in_t)
			x->in_t--;
		else if (e == EL_RPH && x->rph)
			x->rph--;
	} else if (x->in_row && e == EL_ROW) {
		x->in_row = 0;
		x->last_row = x->row;
		if (x->base.row.n && !x->x.rc) {
			x->row_ready = 1;
			XML_StopParser(x->x.p, XML_TRUE); /* hand this row out before parsing on */
		}
	}
}

static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx_table *x = from_ctx(ud);
	if (!x->in_c || x->val_long || !(x->in_v || (x->in_t && !x->rph)))
		return;
	if (dj_strbuf_add(&x->val, s, (size_t)len))
		x->val_long = 1;
}

static dj_rc xlsx_next(struct dj_table *t, size_t *rowno)
{
	struct xlsx_table *x = (struct xlsx_table *)t;
	for (;;) {
		if (x->row_ready) {
			x->row_ready = 0;
			*rowno = x->row;
			return DJ_ROW;
		}
		if (x->finished)
			return DJ_DONE;
		enum XML_Status st;
		if (x->suspended) {
			x->suspended = 0;
			st = XML_ResumeParser(x->x.p);
		} else {
			void *buf = XML_GetBuffer(x->x.p, DJ_XLSX_CHUNK);
			size_t n = 0;
			if (!buf)
				return dj_xml_error(&x->x, x->sheet_name, t->msg, sizeof(t->msg));
			dj_rc rc = dj_xentry_read(&x->sheet, buf, DJ_XLSX_CHUNK, &n, t->msg, sizeof(t->msg));
			if (rc)
				return rc;
			x->final_fed = n == 0;
			st = XML_ParseBuffer(x->x.p, (int)n, n == 0);
		}
		if (st == XML_STATUS_ERROR)
			return dj_xml_error(&x->x, x->sheet_name, t->msg, sizeof(t->msg));
		if (st == XML_STATUS_SUSPENDED)
			x->suspended = 1;
		else if (x->final_fed)
			x->finished = 1;
	}
}

static void xlsx_free(struct dj_table *t)
{
	struct xlsx_table *x = (struct xlsx_table *)t;
	if (x->x.p)
		XML_ParserFree(x->x.p);
	dj_xentry_close(&x->sheet);
	dj_xzip_close(&x->z);
	dj_sst_release(&x->sst);
	dj_strbuf_release(&x->val);
	dj_table_base_release(t);
	dj_free(x);
}

static const struct dj_table_ops xlsx_ops = { "xlsx", xlsx_next, xlsx_free };

/* Explain a zip without a worksheet: usually another kind of document. */
static dj_rc no_sheet(struct dj_xzip *z, char *err, size_t errlen)
{
	if (dj_xzip_find(z, "xl/workbook.bin") >= 0)
		dj_io_errf(err, errlen, "不支持 .xlsb 文件，请在 Excel 中另存为 .xlsx 后再导入");
	else if (dj_xzip_find(z, "content.xml") >= 0 && dj_xzip_find(z, "mimetype") >= 0)
		dj_io_errf(err, errlen, "不支持 OpenDocument（.ods）文件，请另存为 .xlsx 后再导入");
	else if (dj_xzip_find(z, "word/document.xml") >= 0)
		dj_io_errf(err, errlen, "这是 Word 文档，不是 Excel 表格");
	else
		dj_io_errf(err, errlen, BAD "找不到工作表");
	return DJ_ERR_INVALID;
}

/* Find the first worksheet and the shared strings: sheet and sst get part names ("" for none). */
static dj_rc find_parts(struct dj_xzip *z, char *sheet, char *sst, char *err, size_t errlen)
{
	struct rels root, wbr;
	struct wb_parse wp;
	char wb[DJ_XLSX_PATH] = "xl/workbook.xml", dir[DJ_XLSX_PATH], path[DJ_XLSX_PATH];
	const struct rel *r;
	dj_rc rc;
	memset(&root, 0, sizeof(root));
	memset(&wbr, 0, sizeof(wbr));
	memset(&wp, 0, sizeof(wp));
	sheet[0] = sst[0] = '\0';

	rc = rels_load(&root, z, "_rels/.rels", "", err, errlen);
	if (rc)
		goto out;
	r = rels_find(&root, REL_OFFICEDOC, NULL);
	if (r && dj_xzip_find(z, r->target) >= 0)
		snprintf(wb, sizeof(wb), "%s", r->target);
	/* The workbook's relationships: "xl/workbook.xml" → "xl/_rels/workbook.xml.rels". */
	const char *slash = strrchr(wb, '/');
	size_t dlen = slash ? (size_t)(slash - wb) + 1 : 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)dlen, wb);
	int plen = snprintf(path, sizeof(path), "%s_rels/%s.rels", dir, wb + dlen);
	if (plen > 0 && (size_t)plen < sizeof(path)) {
		rc = rels_load(&wbr, z, path, dir, err, errlen);
		if (rc)
			goto out;
	}
	if (dj_xzip_find(z, wb) >= 0) {
		wp.rels = &wbr;
		rc = dj_xml_create(&wp.x, err, errlen);
		if (rc)
			goto out;
		XML_SetStartElementHandler(wp.x.p, wb_start);
		rc = dj_xml_parse_entry(z, wb, &wp.x, err, errlen);
		XML_ParserFree(wp.x.p);
		if (rc)
			goto out;
	}
	snprintf(sheet, DJ_XLSX_PATH, "%s",
		 wp.sheet && dj_xzip_find(z, wp.sheet->target) >= 0 ? wp.sheet->target : "xl/worksheets/sheet1.xml");
	if (dj_xzip_find(z, sheet) < 0) {
		rc = no_sheet(z, err, errlen);
		goto out;
	}
	r = rels_find(&wbr, REL_SST, NULL);
	if (r && dj_xzip_find(z, r->target) >= 0)
		snprintf(sst, DJ_XLSX_PATH, "%s", r->target);
	else if (dj_xzip_find(z, "xl/sharedStrings.xml") >= 0)
		snprintf(sst, DJ_XLSX_PATH, "%s", "xl/sharedStrings.xml");
out:
	dj_free(root.v);
	dj_free(wbr.v);
	return rc;
}

dj_rc dj_xlsx_open(const void *data, size_t len, struct dj_table **out, char *err, size_t errlen)
{
	char sst[DJ_XLSX_PATH];
	struct xlsx_table *x = dj_calloc(1, sizeof(*x));
	struct dj_xentry e0 = DJ_XENTRY_INIT;
	struct dj_sst s0 = DJ_SST_INIT;
	dj_rc rc;
	dj_table_base_init(&x->base, &xlsx_ops);
	x->sheet = e0;
	x->sst = s0;
	dj_strbuf_init(&x->val, DJ_MAX_CELL_BYTES);

	rc = dj_xzip_open(&x->z, data, len, err, errlen);
	if (rc)
		goto out;
	rc = find_parts(&x->z, x->sheet_name, sst, err, errlen);
	if (rc)
		goto out;
	if (sst[0]) {
		rc = dj_sst_load(&x->sst, &x->z, sst, err, errlen);
		if (rc)
			goto out;
	}
	rc = dj_xentry_open(&x->z, dj_xzip_find(&x->z, x->sheet_name), x->sheet_name, &x->sheet, err, errlen);
	if (rc)
		goto out;
	rc = dj_xml_create(&x->x, err, errlen);
	if (rc)
		goto out;
	XML_SetElementHandler(x->x.p, sheet_start, sheet_end);
	XML_SetCharacterDataHandler(x->x.p, sheet_text);
out:
	if (rc) {
		xlsx_free(&x->base);
		return rc;
	}
	*out = &x->base;
	return DJ_OK;
}

/* An element named row (any prefix) starts with "<row" or "<prefix:row" followed by a space,
 * '>' or '/'; '<' never occurs in text, and closing tags start with "</". */
static int row_tag_at(const char *buf, const char *q)
{
	if (q[1] != 'o' || q[2] != 'w' || (q[3] != ' ' && q[3] != '>' && q[3] != '/'))
		return 0;
	if (q[-1] == '<')
		return 1;
	if (q[-1] != ':')
		return 0;
	for (const char *p = q - 2; p >= buf && q - p <= ROW_PREFIX_MAX; p--) {
		if (*p == '<')
			return p[1] != '/' && p[1] != ':';
		if (*p == ' ' || *p == '>' || *p == '/' || *p == '"')
			return 0;
	}
	return 0;
}

/* A second inflate of the sheet (a zip of its own, so it does not count against the reader's
 * budget) and a memchr walk over it: a few per cent of the time the XML parser takes. */
size_t dj_xlsx_count_rows(const struct dj_table *t, const void *data, size_t len)
{
	const struct xlsx_table *x = (const struct xlsx_table *)(const void *)t;
	struct dj_xzip z;
	struct dj_xentry e = DJ_XENTRY_INIT;
	char *buf = NULL, err[DJ_IO_MSG];
	size_t rows = 0, keep = 0, n = 0;
	if (t->ops != &xlsx_ops)
		return 0;
	memset(&z, 0, sizeof(z));
	if (dj_xzip_open(&z, data, len, err, sizeof(err)))
		return 0;
	if (dj_xentry_open(&z, dj_xzip_find(&z, x->sheet_name), x->sheet_name, &e, err, sizeof(err)))
		goto out;
	buf = dj_malloc(DJ_XLSX_CHUNK + ROW_KEEP);
	for (;;) {
		if (dj_xentry_read(&e, buf + keep, DJ_XLSX_CHUNK, &n, err, sizeof(err)) || n == 0)
			break;
		/* the bytes kept from the previous chunk were searched except for their last 3 */
		size_t have = keep + n, from = keep > 3 ? keep - 3 : 0;
		const char *end = buf + have;
		for (const char *q = buf + from; (q = memchr(q, 'r', (size_t)(end - q))); q++)
			if (q > buf && end - q >= 4)
				rows += (size_t)row_tag_at(buf, q);
		keep = have < ROW_KEEP ? have : ROW_KEEP;
		memmove(buf, buf + have - keep, keep);
	}
out:
	dj_free(buf);
	dj_xentry_close(&e);
	dj_xzip_close(&z);
	return rows;
}

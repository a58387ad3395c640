/* pdf.c — printable documents as PDF: cairo's PDF surface with pango layouts, so Chinese text is
 * shaped by HarfBuzz, embedded as Noto CJK subsets and extractable (pdftotext finds it). */
#include <stdbool.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <string.h>
#include "dj/io.h"
#include "dj/log.h"
#include "dj/banned.h"

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 72.0

/* Lays out one paragraph at y; returns its height. */
static double para(cairo_t *cr, const char *text, double y, const char *font, PangoAlignment align, bool draw)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, (int)((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_spacing(l, 4 * PANGO_SCALE);
	pango_layout_set_text(l, text, -1);
	int w, h;
	pango_layout_get_size(l, &w, &h);
	if (draw) {
		cairo_move_to(cr, MARGIN, y);
		pango_cairo_show_layout(cr, l);
	}
	pango_font_description_free(fd);
	g_object_unref(l);
	return (double)h / PANGO_SCALE;
}

dj_rc dj_pdf_write(const char *path, const struct dj_doc *docs, size_t ndocs)
{
	cairo_surface_t *sf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(sf);
		return DJ_ERR_IO;
	}
	cairo_t *cr = cairo_create(sf);
	for (size_t d = 0; d < ndocs; d++) {
		double y = MARGIN;
		if (d > 0)
			cairo_show_page(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		y += para(cr, docs[d].title, y, "Noto Serif CJK SC Bold 18", PANGO_ALIGN_CENTER, true) + 24;
		for (size_t i = 0; i < docs[d].n; i++) {
			const char *t = docs[d].paras[i];
			PangoAlignment al = PANGO_ALIGN_LEFT;
			const char *font = "Noto Serif CJK SC 12";
			if (t[0] == '#') {
				al = PANGO_ALIGN_CENTER;
				font = "Noto Sans CJK SC Bold 13";
				t++;
			} else if (t[0] == '>') {
				al = PANGO_ALIGN_RIGHT;
				t++;
			}
			double h = para(cr, t, y, font, al, false);
			if (y + h > PAGE_H - MARGIN) {
				cairo_show_page(cr);
				y = MARGIN;
			}
			para(cr, t, y, font, al, true);
			y += h + 10;
		}
	}
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	cairo_status_t st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		dj_log_error("pdf_write_failed", "path=\"%s\" status=%d", path, (int)st);
		return DJ_ERR_IO;
	}
	return DJ_OK;
}

/* pdf: A4 documents with cairo (see pdf.h). */
#include "report/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 56.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define BODY 10.0
#define LINE 13.0
#define MAX_COLS 12

struct pdf {
	struct buf *out;
	int too_big;
	cairo_surface_t *surface;
	cairo_t *cr;
	double y;
	int page;
	char *footer;
	/* The table being written. */
	size_t ncols;
	double widths[MAX_COLS];
	char *header[MAX_COLS];
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
	struct pdf *p = closure;

	if (buf_append(p->out, data, len) != ERR_OK) {
		p->too_big = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void font(struct pdf *p, double size, int bold)
{
	cairo_select_font_face(p->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	                       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size);
}

static void footer(struct pdf *p)
{
	char text[256];

	font(p, 8, 0);
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	snprintf(text, sizeof text, "%s - page %d", p->footer ? p->footer : "", p->page);
	cairo_move_to(p->cr, MARGIN, PAGE_H - MARGIN / 2);
	cairo_show_text(p->cr, text);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
	if (p->page > 0) {
		footer(p);
		cairo_show_page(p->cr);
	}
	p->page++;
	p->y = MARGIN;
}

/* Makes room for h points, starting a page when needed; returns 1 after a break. */
static int room(struct pdf *p, double h)
{
	if (p->y + h <= PAGE_H - MARGIN)
		return 0;
	new_page(p);
	return 1;
}

/* The byte length of the longest prefix of s (up to n bytes) that fits in width, cut
 * after a space when possible; at least one character. */
static size_t fit(struct pdf *p, const char *s, size_t n, double width)
{
	cairo_text_extents_t ext;
	size_t best = 0, last_space = 0, i = 0;
	char tmp[1024];

	while (i < n) {
		size_t next = i + 1;

		while (next < n && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		if (next >= sizeof tmp)
			break;
		memcpy(tmp, s, next);
		tmp[next] = '\0';
		cairo_text_extents(p->cr, tmp, &ext);
		if (ext.x_advance > width)
			break;
		best = next;
		if (s[i] == ' ')
			last_space = i + 1;
		i = next;
	}
	if (best == 0) { /* not even one character: take one */
		best = 1;
		while (best < n && ((unsigned char)s[best] & 0xC0) == 0x80)
			best++;
	}
	if (best < n && last_space > 0)
		return last_space;
	return best;
}

/* Draws s wrapped in width at x from the current y (or measures only when draw is 0);
 * returns the height used. */
static double wrap(struct pdf *p, const char *s, double x, double y, double width, int draw)
{
	size_t n = s ? strlen(s) : 0, off = 0;
	double h = 0;
	char line[1024];

	if (n == 0)
		return LINE;
	while (off < n) {
		size_t k = fit(p, s + off, n - off, width);

		if (k >= sizeof line)
			k = sizeof line - 1;
		if (draw) {
			memcpy(line, s + off, k);
			line[k] = '\0';
			cairo_move_to(p->cr, x, y + h + BODY);
			cairo_show_text(p->cr, line);
		}
		h += LINE;
		off += k;
		while (off < n && s[off] == ' ')
			off++;
	}
	return h;
}

struct pdf *pdf_new(struct buf *out, const char *title, const char *foot)
{
	struct pdf *p = xcalloc(1, sizeof *p);

	p->out = out;
	p->footer = xstrdup(foot);
	p->surface = cairo_pdf_surface_create_for_stream(write_out, p, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "Constat");
	p->cr = cairo_create(p->surface);
	new_page(p);
	return p;
}

void pdf_title(struct pdf *p, const char *text)
{
	font(p, 16, 1);
	room(p, 30);
	p->y += wrap(p, text, MARGIN, p->y, TEXT_W, 1) + 10;
}

void pdf_heading(struct pdf *p, const char *text)
{
	font(p, 12, 1);
	room(p, 40);
	p->y += 6;
	p->y += wrap(p, text, MARGIN, p->y, TEXT_W, 1) + 4;
}

void pdf_paragraph(struct pdf *p, const char *text)
{
	double h;

	font(p, BODY, 0);
	h = wrap(p, text, MARGIN, p->y, TEXT_W, 0);
	room(p, h);
	p->y += wrap(p, text, MARGIN, p->y, TEXT_W, 1) + 4;
}

/* Draws one table row (bold for the header) with a rule under it. */
static void row(struct pdf *p, const char *const *cells, int bold)
{
	double h = LINE, x = MARGIN;

	font(p, 9, bold);
	for (size_t c = 0; c < p->ncols; c++) {
		double ch = wrap(p, cells[c], 0, 0, p->widths[c] * TEXT_W - 4, 0);

		if (ch > h)
			h = ch;
	}
	if (room(p, h + 3) && !bold) {
		row(p, (const char *const *)p->header, 1); /* the header again on a new page */
		font(p, 9, 0);
	}
	for (size_t c = 0; c < p->ncols; c++) {
		wrap(p, cells[c], x, p->y, p->widths[c] * TEXT_W - 4, 1);
		x += p->widths[c] * TEXT_W;
	}
	p->y += h + 2;
	cairo_set_line_width(p->cr, bold ? 0.8 : 0.3);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, MARGIN + TEXT_W, p->y);
	cairo_stroke(p->cr);
	p->y += 2;
}

void pdf_table_begin(struct pdf *p, size_t ncols, const double *widths,
                     const char *const *header)
{
	p->ncols = ncols > MAX_COLS ? MAX_COLS : ncols;
	for (size_t c = 0; c < p->ncols; c++) {
		p->widths[c] = widths[c];
		p->header[c] = xstrdup(header[c]);
	}
	room(p, 3 * LINE);
	row(p, (const char *const *)p->header, 1);
}

void pdf_table_row(struct pdf *p, const char *const *cells)
{
	row(p, cells, 0);
}

void pdf_table_end(struct pdf *p)
{
	for (size_t c = 0; c < p->ncols; c++) {
		free(p->header[c]);
		p->header[c] = NULL;
	}
	p->ncols = 0;
	p->y += 8;
}

enum err_code pdf_finish(struct pdf *p, struct err *e)
{
	cairo_status_t st;
	enum err_code rc = ERR_OK;

	footer(p);
	cairo_show_page(p->cr);
	cairo_destroy(p->cr);
	cairo_surface_finish(p->surface);
	st = cairo_surface_status(p->surface);
	cairo_surface_destroy(p->surface);
	if (p->too_big)
		rc = err_set(e, ERR_TOO_BIG, NULL, "the document passes its size cap");
	else if (st != CAIRO_STATUS_SUCCESS)
		rc = err_set(e, ERR_INTERNAL, NULL, "cairo: %s", cairo_status_to_string(st));
	pdf_table_end(p);
	free(p->footer);
	free(p);
	return rc;
}

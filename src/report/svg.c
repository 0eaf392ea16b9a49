/* svg: server-drawn inline SVG charts (bar and line) for the dashboards (see svg.h). */
#include "report/svg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "web/html.h"

#define LABEL_CHARS 30 /* characters of a bar label drawn; the table has the whole text */

/* A writer that keeps the first error, so that drawing code reads as a sequence. */
struct out {
	struct buf *b;
	enum err_code rc;
};

static void raw(struct out *o, const char *s)
{
	if (o->rc == ERR_OK)
		o->rc = html_raw(o->b, s);
}

static void txt(struct out *o, const char *s)
{
	if (o->rc == ERR_OK)
		o->rc = html_txt(o->b, s ? s : "");
}

static void attr(struct out *o, const char *s)
{
	if (o->rc == ERR_OK)
		o->rc = html_attr(o->b, s ? s : "");
}

/* Numbers and fixed markup only: never data strings. */
static void num(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void num(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->rc != ERR_OK)
		return;
	va_start(ap, fmt);
	o->rc = buf_vprintf(o->b, fmt, ap);
	va_end(ap);
}

static int id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	return n > 0 && n <= 32 && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* label cut to LABEL_CHARS characters (with an ellipsis) into out (size n). */
static const char *short_label(const char *label, char *out, size_t n)
{
	size_t len = 0, chars = 0, k;
	const unsigned char *p = (const unsigned char *)(label ? label : "");
	size_t left = strlen((const char *)p);

	while (left > 0 && chars < LABEL_CHARS) {
		k = html_utf8_seq(p, left);
		if (k == 0)
			k = 1; /* the escaper repairs it */
		if (len + k + 4 >= n)
			break;
		memcpy(out + len, p, k);
		len += k;
		p += k;
		left -= k;
		chars++;
	}
	if (left > 0 && len + 4 < n) {
		memcpy(out + len, "\u2026", 3);
		len += 3;
	}
	out[len] = '\0';
	return out;
}

/* The smallest "nice" bound (1, 2 or 5 times a power of ten, times 4 steps) >= max. */
static int64_t nice_max(int64_t max, int64_t *step)
{
	int64_t pow = 1;

	if (max < 4)
		max = 4;
	for (;;) {
		static const int m[] = {1, 2, 5};

		for (size_t i = 0; i < 3; i++)
			if (pow * m[i] * 4 >= max) {
				*step = pow * m[i];
				return *step * 4;
			}
		if (pow > INT64_MAX / 100)
			break;
		pow *= 10;
	}
	*step = max / 4 + 1;
	return *step * 4;
}

/* 1 when the point has a figure to draw (neither secret, missing nor quarterly). */
static int drawn(const struct svg_point *p)
{
	return !p->secret && !p->missing && !p->quarterly;
}

static void head(struct out *o, const char *id, const char *cls, int w, int h, const char *title,
                 const char *desc)
{
	raw(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"svg-chart ");
	raw(o, cls);
	num(o,
	    "\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "preserveAspectRatio=\"xMinYMin meet\">\n<title>",
	    w, h, w, h);
	txt(o, title);
	raw(o, "</title>\n<desc>");
	txt(o, desc);
	raw(o, "</desc>\n<defs><pattern id=\"");
	attr(o, id);
	raw(o, "-hatch\" class=\"svg-hatch\" width=\"6\" height=\"6\" "
	       "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	       "<rect width=\"6\" height=\"6\" fill=\"#ffffff\"></rect>"
	       "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6b6b6b\" stroke-width=\"3\">"
	       "</line></pattern></defs>\n");
}

enum err_code svg_bar_chart(struct buf *b, const char *id, const char *title, const char *desc,
                            const struct svg_point *p, size_t n, struct err *e)
{
	enum { W = 640, LABEL_W = 262, BAR_X = 268, BAR_MAX = 300, ROW = 26, TOP = 6 };
	struct out o = {b, ERR_OK};
	int64_t max = 0, step, bound;
	int h = TOP * 2 + ROW * (int)(n ? n : 1);
	char lab[160];

	if (!id_ok(id))
		return err_set(e, ERR_INVALID, "id", "expected a chart id of [a-z0-9-]");
	if (n > SVG_MAX_POINTS)
		return err_set(e, ERR_INVALID, "points", "at most %d bars in a chart",
		               SVG_MAX_POINTS);
	for (size_t i = 0; i < n; i++)
		if (drawn(&p[i]) && p[i].value > max)
			max = p[i].value;
	bound = nice_max(max, &step);
	head(&o, id, "svg-bars", W, h, title, desc);
	for (size_t i = 0; i < n; i++) {
		int y = TOP + ROW * (int)i;

		raw(&o, "<g class=\"svg-row\">");
		num(&o, "<text class=\"svg-label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W,
		    y + 17);
		txt(&o, short_label(p[i].label, lab, sizeof lab));
		raw(&o, "</text>");
		if (p[i].quarterly) {
			num(&o,
			    "<text class=\"svg-value svg-quarterly-label\" x=\"%d\" y=\"%d\">"
			    "par trimestre</text>",
			    BAR_X, y + 17);
		} else if (p[i].missing) {
			num(&o, "<text class=\"svg-value\" x=\"%d\" y=\"%d\">n.d.</text>", BAR_X,
			    y + 17);
		} else if (p[i].secret) {
			num(&o,
			    "<rect class=\"svg-secret\" x=\"%d\" y=\"%d\" width=\"36\" "
			    "height=\"18\" fill=\"url(#",
			    BAR_X, y + 4);
			attr(&o, id);
			raw(&o, "-hatch)\" stroke=\"#6b6b6b\"></rect>");
			num(&o,
			    "<text class=\"svg-value svg-secret-label\" x=\"%d\" y=\"%d\">"
			    "secret</text>",
			    BAR_X + 42, y + 17);
		} else {
			int64_t v = p[i].value < 0 ? 0 : p[i].value;
			int w = (int)((double)v / (double)bound * BAR_MAX + 0.5);

			if (v > 0 && w < 1)
				w = 1;
			num(&o,
			    "<rect class=\"svg-bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" "
			    "fill=\"#1f5fa8\"></rect>",
			    BAR_X, y + 4, w);
			num(&o, "<text class=\"svg-value\" x=\"%d\" y=\"%d\">%" PRId64 "</text>",
			    BAR_X + w + 6, y + 17, p[i].value);
		}
		raw(&o, "</g>\n");
	}
	raw(&o, "</svg>\n");
	if (o.rc != ERR_OK)
		return err_set(e, o.rc, NULL, "the chart \"%s\" passes the page's size cap",
		               title ? title : "");
	return ERR_OK;
}

enum err_code svg_line_chart(struct buf *b, const char *id, const char *title, const char *desc,
                             const struct svg_point *p, size_t n, struct err *e)
{
	enum { W = 640, H = 260, LEFT = 56, RIGHT = 20, TOP = 20, BOTTOM = 56 };
	struct out o = {b, ERR_OK};
	int64_t max = 0, step, bound;
	int plot_w = W - LEFT - RIGHT, plot_h = H - TOP - BOTTOM;
	int open = 0;
	char lab[160];

	if (!id_ok(id))
		return err_set(e, ERR_INVALID, "id", "expected a chart id of [a-z0-9-]");
	if (n > SVG_MAX_POINTS)
		return err_set(e, ERR_INVALID, "points", "at most %d points in a chart",
		               SVG_MAX_POINTS);
	for (size_t i = 0; i < n; i++)
		if (drawn(&p[i]) && p[i].value > max)
			max = p[i].value;
	bound = nice_max(max, &step);
	head(&o, id, "svg-line", W, H, title, desc);
	/* grid and y labels */
	for (int k = 0; k <= 4; k++) {
		int y = TOP + plot_h - plot_h * k / 4;

		num(&o,
		    "<line class=\"svg-grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#d0d0d0\"></line>",
		    LEFT, y, W - RIGHT, y);
		num(&o,
		    "<text class=\"svg-axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64
		    "</text>\n",
		    LEFT - 6, y + 4, step * k);
	}
#define XPOS(i)                                                                                    \
	(n > 1 ? LEFT + 12 + (int)((plot_w - 24) * (int)(i) / (int)(n - 1)) : LEFT + plot_w / 2)
#define YPOS(v) (TOP + plot_h - (int)((double)(v) / (double)bound * plot_h + 0.5))
	/* the line, broken at secret, missing and quarterly points */
	for (size_t i = 0; i < n; i++) {
		int here = drawn(&p[i]);

		if (here && !open) {
			int solo = i + 1 >= n || !drawn(&p[i + 1]);

			if (solo)
				continue;
			raw(&o, "<polyline class=\"svg-path\" fill=\"none\" stroke=\"#1f5fa8\" "
			        "stroke-width=\"2\" points=\"");
			open = 1;
		} else if (!here && open) {
			raw(&o, "\"></polyline>\n");
			open = 0;
		}
		if (here && open)
			num(&o, "%d,%d ", XPOS(i), YPOS(p[i].value < 0 ? 0 : p[i].value));
	}
	if (open)
		raw(&o, "\"></polyline>\n");
	/* points, values and x labels */
	for (size_t i = 0; i < n; i++) {
		int x = XPOS(i);

		raw(&o, "<g class=\"svg-point\">");
		if (p[i].quarterly) {
			/* on two lines, so that the labels of neighbouring months do not run
			 * into each other */
			num(&o,
			    "<text class=\"svg-value svg-quarterly-label\" x=\"%d\" y=\"%d\" "
			    "text-anchor=\"middle\"><tspan x=\"%d\">par </tspan>"
			    "<tspan x=\"%d\" dy=\"13\">trimestre</tspan></text>",
			    x, H - BOTTOM + 34, x, x);
		} else if (p[i].secret) {
			num(&o,
			    "<rect class=\"svg-secret\" x=\"%d\" y=\"%d\" width=\"12\" "
			    "height=\"%d\" fill=\"url(#",
			    x - 6, TOP, plot_h);
			attr(&o, id);
			raw(&o, "-hatch)\"></rect>");
			num(&o,
			    "<text class=\"svg-value svg-secret-label\" x=\"%d\" y=\"%d\" "
			    "text-anchor=\"middle\">secret</text>",
			    x, H - BOTTOM + 34);
		} else if (p[i].missing) {
			num(&o,
			    "<text class=\"svg-value\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
			    "n.d.</text>",
			    x, H - BOTTOM + 34);
		} else {
			int y = YPOS(p[i].value < 0 ? 0 : p[i].value);

			num(&o,
			    "<circle class=\"svg-dot\" cx=\"%d\" cy=\"%d\" r=\"4\" "
			    "fill=\"#1f5fa8\"></circle>",
			    x, y);
			num(&o,
			    "<text class=\"svg-value\" x=\"%d\" y=\"%d\" "
			    "text-anchor=\"middle\">%" PRId64 "</text>",
			    x, y - 8, p[i].value);
		}
		num(&o, "<text class=\"svg-axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
		    H - BOTTOM + 18);
		txt(&o, short_label(p[i].label, lab, sizeof lab));
		raw(&o, "</text></g>\n");
	}
#undef XPOS
#undef YPOS
	raw(&o, "</svg>\n");
	if (o.rc != ERR_OK)
		return err_set(e, o.rc, NULL, "the chart \"%s\" passes the page's size cap",
		               title ? title : "");
	return ERR_OK;
}

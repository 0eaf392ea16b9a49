/* svg: small charts drawn by the server as inline SVG (no script, no style attribute):
 * a horizontal bar chart and a line chart over months. Escaped by construction (every
 * label goes through the HTML escapers), accessible (role="img" with <title> and <desc>;
 * the page gives the same data as a table next to it). A secret point is never drawn as
 * 0: a bar is hatched and labelled "secret", a line has a gap there with "secret" under
 * the month. A point published by quarter only (a small unit's breakdown for a month) is
 * no secret: it is drawn like a missing one, nothing but the words "par trimestre".
 * Colours come from classes styled in app.css (svg-* classes). */
#ifndef REPORT_SVG_H
#define REPORT_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SVG_MAX_POINTS 120

struct svg_point {
	const char *label; /* the bar's or the month's label (borrowed) */
	int64_t value;     /* ignored when secret, missing or quarterly */
	int secret;        /* hidden by disclosure control */
	int missing;       /* no figure at all (no release): nothing drawn, "n.d." */
	int quarterly;     /* published for the quarter only: nothing drawn, "par trimestre" */
};

/* Appends an <svg> bar chart of the n points (one bar each, in order) to b. id is a
 * short identifier unique in the page ([a-z0-9-], at most 32 bytes) used for the
 * hatching pattern. ERR_INVALID for a bad id or n past SVG_MAX_POINTS, ERR_TOO_BIG past
 * b's cap. */
enum err_code svg_bar_chart(struct buf *b, const char *id, const char *title, const char *desc,
                            const struct svg_point *p, size_t n, struct err *e);
/* Appends an <svg> line chart of the n points (x: the labels in order, y from 0). */
enum err_code svg_line_chart(struct buf *b, const char *id, const char *title, const char *desc,
                             const struct svg_point *p, size_t n, struct err *e);

#endif

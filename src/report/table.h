/* table: one model of a printed table (a title, a header row, rows of cells that are text,
 * a whole number, a secret, a figure published by quarter only or empty, and notes under
 * it) and its writers, so that a dashboard, its CSV and XLSX exports, the ILO report and
 * the agent's own report print the same cells the same way. A secret cell is never
 * written as 0: CSV and XLSX write the word "secret", HTML and PDF « secret ». A cell
 * published by quarter only (a small unit's breakdown for a month, docs/UI.md) is never a
 * number either: "par trimestre" in CSV and XLSX, « par trimestre » in HTML and PDF. */
#ifndef REPORT_TABLE_H
#define REPORT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

enum rtable_kind {
	RTABLE_EMPTY,
	RTABLE_TEXT,
	RTABLE_INT,
	RTABLE_SECRET,
	RTABLE_REAL,
	RTABLE_QUARTERLY, /* not published for this period by design: see the quarter */
};

struct rtable_cell {
	uint8_t kind; /* enum rtable_kind */
	char *text;   /* owned; RTABLE_TEXT */
	int64_t num;  /* RTABLE_INT */
	double real;  /* RTABLE_REAL (a rate), printed with rtable.decimals digits */
};

#define RTABLE_MAX_COLS 64
#define RTABLE_MAX_ROWS 100000

struct rtable {
	char *title;   /* owned */
	char *sheet;   /* owned; XLSX sheet name (at most 31 characters, no []:*?/\) */
	size_t ncols;  /* fixed by rtable_init, at most RTABLE_MAX_COLS */
	char **header; /* owned; ncols strings */
	struct rtable_cell *cells; /* owned; nrows * ncols, row major */
	size_t nrows;
	size_t cap_rows; /* rows allocated (grown by doubling) */
	char **notes; /* owned; paragraphs printed under the table (definitions, legend) */
	size_t nnotes;
	int decimals; /* digits after the decimal point of RTABLE_REAL cells (default 1) */
};

/* Starts an empty table of ncols columns (1..RTABLE_MAX_COLS); strings are copied. */
void rtable_init(struct rtable *t, const char *title, const char *sheet, size_t ncols,
                 const char *const *header);
void rtable_release(struct rtable *t);
/* Appends a row of empty cells and returns its index; ERR_TOO_BIG past RTABLE_MAX_ROWS. */
enum err_code rtable_row(struct rtable *t, size_t *row, struct err *e);
void rtable_text(struct rtable *t, size_t row, size_t col, const char *s);
void rtable_int(struct rtable *t, size_t row, size_t col, int64_t v);
void rtable_real(struct rtable *t, size_t row, size_t col, double v);
void rtable_secret(struct rtable *t, size_t row, size_t col);
/* The cell is published for the quarter only (never a value, never 0). */
void rtable_quarterly(struct rtable *t, size_t row, size_t col);
void rtable_note(struct rtable *t, const char *s);

/* Writers. Each appends to out and fails with ERR_TOO_BIG past out's cap. */
/* RFC 4180 CSV: the header row then the rows (no title, no notes); a text cell starting
 * with = + - @ is prefixed with ' (formula injection); secret and quarterly cells as the
 * words secret and par trimestre. */
enum err_code rtable_csv(const struct rtable *t, struct buf *out, struct err *e);
/* An HTML <table> with a <caption> (the title), <th scope> headers, numbers right-aligned
 * (class "num"), secret cells as <td class="secret">secret</td>, quarterly ones as
 * <td class="quarterly">par trimestre</td> (the stylesheet adds the « »), notes as
 * paragraphs after it; everything escaped. */
enum err_code rtable_html(const struct rtable *t, struct buf *out, struct err *e);
/* An XLSX workbook of n tables, one sheet each: title in the first row, header, rows
 * (numbers as numbers, secrets as the text "secret", quarterly cells as the text
 * "par trimestre"), notes below. */
enum err_code rtable_xlsx(const struct rtable *const *t, size_t n, struct buf *out,
                          struct err *e);
/* The table into a PDF document (report/pdf.h): a heading (the title), the table with
 * equal column widths except a wider first one, the notes as paragraphs. */
struct pdf;
void rtable_pdf(const struct rtable *t, struct pdf *p);

#endif

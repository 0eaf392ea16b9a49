/* pdf: a small document writer on cairo for the reports Constat prints (the agent's own
 * activity report, the ILO annual report): A4 pages, a title, headings, paragraphs and
 * tables with page breaks, page numbers. Text is UTF-8, set in DejaVu Sans. */
#ifndef REPORT_PDF_H
#define REPORT_PDF_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct pdf;

/* Starts a document whose PDF bytes will be appended to out (borrowed until pdf_finish;
 * its cap bounds the file). footer is printed at the bottom of each page with the page
 * number. Returns a new document, freed by pdf_finish. */
struct pdf *pdf_new(struct buf *out, const char *title, const char *footer);
void pdf_title(struct pdf *p, const char *text);
void pdf_heading(struct pdf *p, const char *text);
/* A paragraph, wrapped at the page width. */
void pdf_paragraph(struct pdf *p, const char *text);
/* A table of ncols columns: widths are shares of the text width (summing to 1); cells
 * are wrapped; the header row is repeated after a page break. */
void pdf_table_begin(struct pdf *p, size_t ncols, const double *widths,
                     const char *const *header);
void pdf_table_row(struct pdf *p, const char *const *cells);
void pdf_table_end(struct pdf *p);
/* Ends the document and frees p: ERR_TOO_BIG when out's cap was passed, ERR_INTERNAL
 * when cairo failed. */
enum err_code pdf_finish(struct pdf *p, struct err *e);

#endif

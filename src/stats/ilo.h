/* ilo: the ILO Convention 81 annual report (Art. 21 items a to g), the ILOSTAT labour
 * inspection indicators and the national report's tables, computed into one struct where
 * every figure carries its definition, its source and its completeness, then written as
 * HTML, PDF, XLSX or CSV through the shared table model (report/table.h).
 *
 * Activity figures (interventions, visits, follow-ups, inquiries) come only from released
 * cells (docs/STATISTICS.md): the year-to-date cells of the newest version of the newest
 * release of the year, national and region level; a secret cell stays secret. Staff and
 * the registry are read directly (they are not activity); legal provisions cited are
 * published only when they pass the threshold and dominance rules on their own. */
#ifndef STATS_ILO_H
#define STATS_ILO_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "stats/stats.h"

struct store;
struct rtable;

enum ilo_kind {
	ILO_NA,     /* not available (no release, table absent): « non disponible » */
	ILO_INT,    /* a count */
	ILO_REAL,   /* a rate or a share */
	ILO_SECRET, /* a released cell that is secret, or a figure computed from one */
	/* a small unit's breakdown published by quarter only, not summed (the release does not
	 * close a quarter, or one quarter is missing), or a figure computed from one */
	ILO_QUARTERLY,
};

struct ilo_value {
	uint8_t kind; /* enum ilo_kind */
	int64_t num;  /* ILO_INT */
	double real;  /* ILO_REAL */
};

/* One headline figure. */
struct ilo_figure {
	const char *item;       /* "a".."g" (Art. 21), "ilostat" or "completude" */
	const char *code;       /* stable: the ILOSTAT indicator where one exists */
	const char *label;      /* French */
	struct ilo_value v;
	int estimated;          /* an estimate (the method is in the definition) */
	const char *definition; /* French */
	char source[256];       /* French: where the figure comes from */
	char completeness[320]; /* French: what is missing from it, "" when nothing */
};

#define ILO_MAX_COLS 12
#define ILO_MAX_NOTES 6
#define ILO_MAX_ROWS 2000
#define ILO_MAX_PROVISIONS 100    /* rows of the provisions table (the most cited) */
#define ILO_MAX_PROVISION_KEYS 200000 /* distinct provisions read from the microdata */

struct ilo_row {
	char *label; /* owned */
	struct ilo_value v[ILO_MAX_COLS];
};

/* A table of the report: a label column and up to ILO_MAX_COLS value columns. */
struct ilo_grid {
	const char *item;            /* as in ilo_figure */
	const char *code;            /* stable ("staff_region", "activity_theme"...) */
	char *title;                 /* owned, French */
	size_t ncols;                /* value columns */
	char *header[ILO_MAX_COLS + 1]; /* owned; [0] heads the label column */
	struct ilo_row *rows;
	size_t nrows, cap;
	char *notes[ILO_MAX_NOTES]; /* owned; definition, source, completeness */
	size_t nnotes;
};

struct ilo_report {
	int year;
	/* The release the activity figures come from (id 0 when the year has none). */
	int64_t release_id;
	char release_month[8]; /* YYYY-MM */
	int release_version;
	char release_date[24];
	int months;            /* months covered, 0..12 */
	char coverage[320];    /* French: which months the activity figures cover */
	struct ilo_figure *figures;
	size_t nfigures, cap_figures;
	struct ilo_grid *grids;
	size_t ngrids, cap_grids;
	/* Item (a), NULL when not written yet (owned). */
	char *text_a, *text_a_author, *text_a_updated;
	size_t provisions_read;      /* distinct provisions cited in the year */
	size_t provisions_published; /* of which passing the rules (at most ILO_MAX_PROVISIONS
	                              * are listed) */
};

/* Computes the report of year from store s with the disclosure rules r (NULL: the
 * defaults). out is filled (release it with ilo_report_release, also on failure).
 * ERR_INVALID (field "annee") when year is not 1900..9999. */
enum err_code ilo_report_build(struct store *s, int year, const struct stats_rules *r,
                               struct ilo_report *out, struct err *e);
void ilo_report_release(struct ilo_report *r);

/* The figure or table of that code, or NULL; borrowed from r. */
const struct ilo_figure *ilo_report_figure(const struct ilo_report *r, const char *code);
const struct ilo_grid *ilo_report_grid(const struct ilo_report *r, const char *code);

/* The report as tables of the shared model: the headline figures (one table per item,
 * with definition, source and completeness columns), then every grid. *out is new memory
 * (n tables) freed with ilo_tables_free. */
enum err_code ilo_report_tables(const struct ilo_report *r, struct rtable **out, size_t *n,
                                struct err *e);
void ilo_tables_free(struct rtable *t, size_t n);

/* Writers: each appends to out (capped). */
/* The report's body as HTML (sections, item (a) as escaped paragraphs, the tables),
 * without the page frame: the web page wraps it. */
enum err_code ilo_report_html_body(const struct ilo_report *r, struct buf *out, struct err *e);
/* A whole HTML document (the command line's --format html). */
enum err_code ilo_report_html(const struct ilo_report *r, struct buf *out, struct err *e);
enum err_code ilo_report_pdf(const struct ilo_report *r, struct buf *out, struct err *e);
/* One sheet per table. */
enum err_code ilo_report_xlsx(const struct ilo_report *r, struct buf *out, struct err *e);
/* One long table: section, row, column, value (a secret is "secret", an unavailable
 * figure "non disponible"). */
enum err_code ilo_report_csv(const struct ilo_report *r, struct buf *out, struct err *e);

#endif

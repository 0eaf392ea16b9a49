/* stats: disclosure-controlled statistics (docs/STATISTICS.md). The catalogue of linked
 * tables, the aggregation of microdata into cells with their contributors, primary and
 * secondary suppression over a linear system of cells and relations, the LP audit
 * (GLPK) that gates a release, and the releases themselves. The protected unit is the
 * agent. Nothing here includes sqlite3.h: the store speaks plain structs
 * (store/store-stats.h). */
#ifndef STATS_STATS_H
#define STATS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct store;

/* ---- Catalogue (catalogue.c) --------------------------------------------------------- */

enum stats_dim {
	STATS_DIM_NONE,     /* the table has one cell per organisation unit */
	STATS_DIM_KIND,     /* intervention kind (exclusive) */
	STATS_DIM_THEME,    /* top-level theme (several per intervention) */
	STATS_DIM_FOLLOWUP, /* follow-up kind */
	STATS_DIM_NAF,      /* NAF section of the establishment (exclusive) */
	STATS_DIM_BAND,     /* headcount band of the establishment (exclusive) */
	STATS_DIM_ACTION,   /* priority action */
	STATS_DIM_COUNT
};

enum stats_measure {
	STATS_M_INTERVENTIONS,
	STATS_M_VISITS,         /* interventions on site (ILO "visits") */
	STATS_M_ESTABLISHMENTS, /* distinct establishments or worksites controlled */
	STATS_M_FOLLOWUPS,      /* follow-ups (not drafts) */
	STATS_M_ACTION_HONEST,  /* interventions with a control point really checked */
	STATS_M_POINTS_CHECKED, /* control points recorded compliant or non-compliant */
	STATS_M_POINTS_NC,      /* control points recorded non-compliant */
	STATS_M_FOLLOWUPS_THEME, /* follow-ups of the interventions having the theme */
	STATS_M_ACTION_UNCHECKED, /* interventions on an action with no control point checked */
};

/* How a table's cells relate to the base table's cell of the same unit and period. */
enum stats_link {
	STATS_LINK_NONE,
	STATS_LINK_MARGIN, /* base = sum of the categories (exclusive breakdown) */
	STATS_LINK_LE,     /* each category <= base */
	/* each category <= the sum of the base's categories of the same unit and period, and
	 * the categories together >= that sum (a multi-valued breakdown of the same measure
	 * where every record has at least one category: follow-ups by theme and suites) */
	STATS_LINK_COVER,
};

struct stats_table {
	const char *name;  /* stable code, used in the API and the release cells */
	const char *title; /* French title */
	enum stats_dim dim;
	enum stats_measure measure;
	int additive; /* unit sums give the department, and so on up */
	enum stats_link link;
	const char *base;       /* table linked to (NULL with STATS_LINK_NONE) */
	const char *definition; /* French: what is counted, for the legend */
	/* published by quarter only in a unit below the size (release.c, "Table design by
	 * size") and preferred to the totals as a secondary: the breakdowns, and a count of
	 * a few records like action_sans_point */
	int by_size;
};

extern const struct stats_table stats_catalogue[];
extern const size_t stats_catalogue_len;
/* The table's index in stats_catalogue, or -1. */
int stats_table_find(const char *name);
/* The dimension's stable name ("kind", "theme"...), "" for STATS_DIM_NONE. */
const char *stats_dim_name(enum stats_dim d);
/* The legend (French), in two paragraphs: what « secret » means, and what « par
 * trimestre » (a small unit's breakdown, STATS_R_DESIGN) means. */
extern const char stats_legend_secret_fr[];
extern const char stats_legend_quarter_fr[];
/* The category code of a table without breakdown. */
#define STATS_CAT_ALL "_"

/* ---- The linear system of cells (system.c) -------------------------------------------- */

enum stats_status {
	STATS_PUBLISHED,  /* value shown */
	STATS_SUPPRESSED, /* shown as secret */
	STATS_VIRTUAL,    /* never shown: a difference between versions (delta) */
};

/* Why a cell is hidden (or sensitive). Stable names in stats_reason_name. */
enum stats_reason {
	STATS_R_NONE,
	STATS_R_THRESHOLD, /* fewer than the threshold of contributing agents */
	STATS_R_DOMINANCE, /* the p% rule: one or two agents make most of it */
	STATS_R_ZERO,      /* a zero in a unit of fewer agents present than the threshold */
	STATS_R_SECONDARY, /* hidden so that a sensitive cell cannot be computed */
	STATS_R_DELTA,     /* a difference between versions, never shown */
	/* a breakdown of a small organisation unit for a month or the year to date: not
	 * published by design (rules.breakdown_agents); its quarter is */
	STATS_R_DESIGN,
};
const char *stats_reason_name(enum stats_reason r);
int stats_reason_parse(const char *s, enum stats_reason *out);

struct stats_cell {
	char *key;                      /* owned; unique in the system */
	int64_t value;                  /* the true value */
	int32_t n_contrib;              /* distinct contributing agents */
	int64_t top1, top2;             /* the two largest contributions */
	int64_t top1_agent, top2_agent; /* their agents (0: unknown); never leave the process */
	int32_t population;             /* agents present in the unit over the period; -1 unknown */
	int64_t floor; /* a lower bound public before this release (a year to date is at least
	                * the earlier one published, with the late entries): the audit wants
	                * the interval to reach value - margin or this floor, the higher one.
	                * Set by stats_link_known; 0 elsewhere */
	uint8_t status;                 /* enum stats_status */
	uint8_t reason;                 /* enum stats_reason */
	uint8_t sensitive;              /* a primary cell: its interval is audited */
	uint8_t frozen;                 /* published in an earlier release: status cannot change */
	uint8_t free_sign;              /* may be negative (a delta): no lower bound in the audit */
	uint8_t known; /* never shown but taken as known (a constant in the audit): the attacker
	                * test sets it on non-sensitive differences (no late entries), and
	                * stats_link_known on the period differences it may */
	uint8_t period_delta; /* enum stats_period_delta: a difference of a year to date or a
	                       * quarter against an earlier release's year to date (not
	                       * between versions of a month) */
	uint8_t level; /* organisation level (enum org_level), for reports and costs */
	uint8_t total; /* a cell of a table without breakdown: a secondary of last resort */
};

/* STATS_TIE: two cells hidden together (no constraint in the audit): a table that is not
 * additive but nearly equals another one (distinct establishments and interventions)
 * follows its pattern, or its inequalities would give the other one away.
 * STATS_DELTA_EQ: an equation between differences between releases (a department's
 * change is the sum of its units' changes), implied by the equations of the two
 * releases: for the secondary suppression of the differences only, not in the audit
 * (which has it through the releases' own equations). */
/* STATS_TIE_SECRET {month, quarter, other months...}: the quarter is hidden when the month
 * is a secret that matters (sensitive, or hidden to protect one; not a month hidden by
 * design alone) and the quarter less the other months published would bound it within
 * its margin: a small unit's quarter carries the secrets of its months (release.c). */
enum stats_op { STATS_EQ, STATS_LE, STATS_TIE, STATS_DELTA_EQ, STATS_TIE_SECRET };

/* What a difference cell stands between (stats_cell.period_delta). */
enum stats_period_delta {
	STATS_PD_NONE,    /* versions of the same figures, or not additive */
	STATS_PD_YTD,     /* C(M) - C(M-1) - month(M) */
	STATS_PD_QUARTER, /* C(M) - Q - C(M-3) */
};

/* 1 when the audit's programs hold the relation (an equation or an inequality). */
#define STATS_REL_AUDITED(rel) ((rel)->op == STATS_EQ || (rel)->op == STATS_LE)

/* sum(coef[i] * cell[i]) == 0 (STATS_EQ) or <= 0 (STATS_LE). */
struct stats_rel {
	uint32_t *cells;
	int32_t *coef;
	uint32_t n;
	uint8_t op;
};

#define STATS_MAX_CELLS 20000000u

struct stats_system {
	struct stats_cell *cells;
	size_t n_cells, cap_cells;
	struct stats_rel *rels;
	size_t n_rels, cap_rels;
	uint32_t *index; /* open addressing: key -> cell + 1 */
	size_t index_cap;
	/* cell -> relations (built by stats_system_finish) */
	uint32_t *by_cell_start;
	uint32_t *by_cell;
};

void stats_system_init(struct stats_system *s);
void stats_system_release(struct stats_system *s);
/* Adds a cell (key copied) and returns its index; an existing key returns the existing
 * index with *created (may be NULL) set to 0. ERR_TOO_BIG past STATS_MAX_CELLS. */
enum err_code stats_system_cell(struct stats_system *s, const char *key, uint32_t *idx,
                                int *created, struct err *e);
/* The index of key, or -1. */
int64_t stats_system_find(const struct stats_system *s, const char *key);
/* Adds a relation (arrays copied). */
void stats_system_rel(struct stats_system *s, enum stats_op op, const uint32_t *cells,
                      const int32_t *coef, uint32_t n);
/* Builds the cell -> relations index; call after the last relation. */
void stats_system_finish(struct stats_system *s);

/* ---- Rules (suppress.c) ---------------------------------------------------------------- */

#define STATS_MIN_THRESHOLD 3

struct stats_rules {
	int threshold;    /* minimum distinct agents of a non-zero cell, >= 3 */
	int p_percent;    /* the p% rule's p */
	int margin_abs;   /* the audit's minimum half-width around the true value */
	int margin_share; /* per cent of the value required above margin_large */
	int margin_large; /* values above this need margin_share per cent */
	int closing_days; /* a month is released this many days after its end */
	int max_rounds;   /* audit / suppression rounds before giving up */
	/* a unit with fewer agents present since January has its breakdowns (the tables with
	 * a dimension) published by quarter only; its month and year to date give totals
	 * (0: no table design by size) */
	int breakdown_agents;
	/* the same for a region, and for a department alone in its region (the same
	 * figures): the larger of the two sizes applies */
	int breakdown_agents_region;
};

void stats_rules_default(struct stats_rules *r);
/* ERR_INVALID naming the rule when out of its range (threshold below 3...). */
enum err_code stats_rules_check(const struct stats_rules *r, struct err *e);
/* The half-width the audit requires around value v. */
int64_t stats_required_margin(const struct stats_rules *r, int64_t v);
/* The breakdown size of an organisation level (enum org_level): breakdown_agents, or for a
 * region the larger of it and breakdown_agents_region. */
int stats_breakdown_size(const struct stats_rules *r, int level);

/* 1 when the audit treats c as unknown (hidden and not known to an attacker). */
static inline int stats_cell_hidden(const struct stats_cell *c)
{
	return c->status != STATS_PUBLISHED && !c->known;
}

/* Marks the primary cells (sensitive, suppressed with their reason) among the cells
 * that are neither frozen nor virtual; virtual cells are only marked sensitive. Returns
 * the number of primary cells. */
size_t stats_primary(struct stats_system *s, const struct stats_rules *r);
/* Secondary suppression to a fixed point: every equation holding exactly one hidden
 * cell that matters gets a second one (the cheapest publishable cell, deterministic).
 * Returns the number of cells added; sets *stuck when some equation could not be
 * completed (all its other cells frozen). */
size_t stats_secondary(struct stats_system *s, const struct stats_rules *r, int *stuck);

/* Sets `known` on each period difference (period_delta) that is not sensitive, where the
 * attacker's assumption of no late entries makes its relation bind, and clears it
 * elsewhere (the audit then drops the relation: docs/STATISTICS.md, "The audit" and
 * Limits). A year to date's difference is known where the new year to date is published,
 * or, in the release being made (not frozen), where the earlier one is (the month and the
 * year to date bound within the release); not where both are hidden (a chain, which the
 * audit does not follow from release to release). A quarter's only where the new year to
 * date is published. Where an earlier year to date was hidden and the new one is
 * published, the relation links the two releases in the audit: the month (or the
 * quarter) that carries the earlier secret is solved with the earlier release's
 * relations. Called before each audit; cells only ever go from published to hidden, so a
 * difference only ever goes from known to unknown (the audit cache relies on it). Also sets
 * each year to date's floor: the earlier year to date (or the one three months before, by
 * the quarter's relation), published in an earlier release, plus the known late entries,
 * when the rest of its relation is hidden. */
void stats_link_known(struct stats_system *s);
/* Hides one more cell in the equations of cell c (after a failed audit). Returns the
 * index of the cell hidden, or -1 when none could be. */
int64_t stats_widen(struct stats_system *s, const struct stats_rules *r, uint32_t c);

/* ---- Audit (audit.c) ---------------------------------------------------------------- */

struct stats_interval {
	uint32_t cell;
	double lo, hi; /* what an attacker can deduce (hi = HUGE_VAL when unbounded) */
	int64_t need;  /* the half-width required */
	int integer;   /* the bounds come from integer programming */
	int pass;
	int earlier;   /* too narrow, but as narrow over the earlier releases alone: passes
	                * (stats_audit_earlier) */
};

struct stats_audit {
	struct stats_interval *iv; /* one per sensitive hidden cell, cell order */
	size_t n;
	size_t n_fail;
	size_t n_lp, n_mip; /* programs solved */
	size_t largest_component;
};

/* Solves, for every sensitive hidden cell, min and max over every relation with the
 * published values fixed, non-negativity (except free_sign cells) and integrality where
 * the LP interval is narrow. out is filled (release with stats_audit_release). */
enum err_code stats_audit_run(const struct stats_system *s, const struct stats_rules *r,
                              struct stats_audit *out, struct err *e);
void stats_audit_release(struct stats_audit *a);
/* The same with a cache of components already solved (kept across the rounds of one
 * protection loop, where relations and published values do not change). */
struct stats_audit_cache;
struct stats_audit_cache *stats_audit_cache_new(void);
void stats_audit_cache_free(struct stats_audit_cache *c);
enum err_code stats_audit_run_cached(const struct stats_system *s, const struct stats_rules *r,
                                     struct stats_audit_cache *cache, struct stats_audit *out,
                                     struct err *e);

/* For each cell of a found too narrow that belongs to an earlier release (frozen), solves
 * it again over the earlier releases alone: their cells and the relations between them,
 * with the same knowledge of the differences. When the interval is the same, the new
 * release adds nothing to what the earlier ones gave away, which nothing can hide any
 * more: the cell passes, marked earlier, and a->n_fail drops. *n_earlier (may be NULL)
 * receives the count so marked (docs/STATISTICS.md, "A leak of earlier releases"). */
enum err_code stats_audit_earlier(const struct stats_system *s, const struct stats_rules *r,
                                  struct stats_audit *a, size_t *n_earlier, struct err *e);

/* Primary, secondary, audit, widen, in a loop until the audit passes or max_rounds.
 * *passed tells the outcome; audit (may be NULL) receives the last audit. */
enum err_code stats_protect(struct stats_system *s, const struct stats_rules *r, int *passed,
                            struct stats_audit *audit, FILE *log, struct err *e);

/* ---- Frames, microdata and blocks of cells (aggregate.c) ---------------------------------- */

/* The dictionaries of a release: organisation units and the categories of each
 * dimension (the cells exist for all of them, zeros included). */
struct stats_frame {
	size_t n_geo;
	char **geo_code;
	int *geo_level;  /* 0 national .. 3 unit */
	int *geo_parent; /* -1 for the root */
	int *geo_region; /* index of the region above (itself for a region), -1 national */
	size_t n_cat[STATS_DIM_COUNT];
	char **cat[STATS_DIM_COUNT];
	int *action_region; /* per action category: geo index of its region, -1 national */
	size_t max_cat;
};

void stats_frame_release(struct stats_frame *f);
/* Reads the organisation, nomenclatures and the actions running from..to. */
enum err_code stats_frame_load(struct store *st, const char *from, const char *to,
                               struct stats_frame *f, struct err *e);
int stats_frame_geo(const struct stats_frame *f, const char *code);
int stats_frame_cat(const struct stats_frame *f, enum stats_dim d, const char *code);

#define STATS_MAX_FOLLOWUP_KINDS 32

/* One intervention with its dimensions as indexes in the frame. */
struct stats_rec {
	int64_t author;
	int64_t target;
	int32_t geo[4];                  /* national, region, department, unit */
	int16_t kind, naf, band, action; /* -1 when not in the frame */
	uint8_t month;                   /* 1..12 */
	uint8_t on_site;
	uint8_t honest;
	int16_t points_checked, points_nc;
	uint32_t themes;                      /* bit i: theme category i */
	uint8_t fu[STATS_MAX_FOLLOWUP_KINDS]; /* follow-ups per kind category */
	char stamp[24];                       /* updated_at */
};

/* Reads the microdata from..to into *recs (new memory, caller frees). */
enum err_code stats_recs_load(struct store *st, const struct stats_frame *f, const char *from,
                              const char *to, struct stats_rec **recs, size_t *n, struct err *e);

/* A block: every cell of every table for one period (or one difference), keyed
 * "TAG|PERIOD|TABLE|GEO|CAT". */
struct stats_block {
	char tag[24];
	char period[24];
	uint32_t *idx; /* [table][geo][cat] -> cell, UINT32_MAX when absent */
};

/* Creates (create = 1) or only looks up (create = 0: cells loaded from an earlier
 * release) the cells of a block. population[g] (may be NULL) is the number of agents
 * present in unit g over the period. */
enum err_code stats_block_init(struct stats_system *s, const struct stats_frame *f,
                               struct stats_block *b, const char *tag, const char *period,
                               const int32_t *population, int create, struct err *e);
void stats_block_release(struct stats_block *b);
/* The cell of (table, geo, cat) in b, or UINT32_MAX. */
uint32_t stats_block_cell(const struct stats_frame *f, const struct stats_block *b, size_t t,
                          size_t g, size_t c);
/* Aggregates the records keep() accepts into b's cells: values, distinct contributing
 * agents and the two largest contributions. */
typedef int (*stats_keep_fn)(void *ctx, const struct stats_rec *r);
enum err_code stats_block_aggregate(struct stats_system *s, const struct stats_frame *f,
                                    const struct stats_block *b, const struct stats_rec *recs,
                                    size_t n, stats_keep_fn keep, void *ctx, struct err *e);
/* Adds the relations inside a block: hierarchy (additive or not) and links to base
 * tables. */
void stats_block_relations(struct stats_system *s, const struct stats_frame *f,
                           const struct stats_block *b);
/* Adds the equations inside a block of differences (hierarchy of the additive tables,
 * exclusive breakdowns summing to their base) as STATS_DELTA_EQ. */
void stats_block_delta_relations(struct stats_system *s, const struct stats_frame *f,
                                 const struct stats_block *b);

/* ---- Releases (release.c) ---------------------------------------------------------------- */

struct stats_release_opts {
	const char *month; /* YYYY-MM */
	struct stats_rules rules;
	FILE *log;         /* progress lines, or NULL */
	int force_version; /* release a new version even when nothing changed */
};

struct stats_release_result {
	int64_t id; /* 0 when nothing was released */
	int version;
	int unchanged; /* the data did not change since the last version */
	int passed;
	size_t n_cells, n_secret;
	/* national, region, department, unit; n_secret counts the design cells too */
	size_t n_cells_level[4], n_secret_level[4], n_design_level[4];
	size_t n_design;
	size_t n_primary;
	size_t n_audited, n_lp, n_mip;
	size_t n_earlier; /* cells of earlier releases too narrow over them alone (passed) */
	double seconds;
};

/* Computes, protects, audits and freezes the release of opts->month. ERR_CONFLICT when
 * the month is not closed yet or the previous month of the year has no release; ERR_DENIED
 * (field "audit") when the audit cannot be passed: nothing is written then. */
enum err_code stats_release_run(struct store *st, const struct stats_release_opts *opts,
                                struct stats_release_result *res, struct err *e);

/* Makes the releases that are due (schedule.c): for each year from first_year (0: last
 * year) to this one, the newest released month again (a new version when late entries
 * changed it) and every closed month after it, in order, each written to the audit trail.
 * Stops at the first refusal (later months wait for it). *made gets the number of releases
 * made; log (may be NULL) one line each. stop (may be NULL) is asked before each month:
 * non-zero ends the work there (what is released stays; the rest waits for the next run). */
enum err_code stats_release_due(struct store *st, const struct stats_rules *r, int first_year,
                                FILE *log, int (*stop)(void), int *made, struct err *e);

/* Builds the linear system of everything published up to release id (its year), all
 * frozen, with the frame it was read with; month (may be NULL, 8 bytes) gets the
 * release's month. s and f are released by the caller. */
enum err_code stats_release_system(struct store *st, int64_t id, struct stats_frame *f,
                                   struct stats_system *s, char month[8], struct err *e);

/* Re-runs the audit of release id over everything published up to it; prints the
 * narrowest intervals (at most show) to out. *passed tells the outcome. */
enum err_code stats_release_audit(struct store *st, int64_t id, const struct stats_rules *r,
                                  size_t show, FILE *out, int *passed, struct err *e);

#endif

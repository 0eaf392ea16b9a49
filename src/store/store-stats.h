/* store-stats: what the statistics read from the store (microdata of interventions,
 * organisation, presence of agents) and the frozen releases they write, as plain C
 * structs. Only src/stats calls it; no SQL leaks above. */
#ifndef STORE_STORE_STATS_H
#define STORE_STORE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define STORE_STATS_MAX_LIST 16

/* One validated intervention, as the statistics see it; strings borrowed for the call. */
struct store_stats_rec {
	int64_t id;
	const char *date;  /* YYYY-MM-DD */
	int64_t author_id; /* the contributing agent (co-agents do not count) */
	const char *unit, *department, *region; /* org chain of the author's section */
	const char *kind;
	int on_site;
	int64_t target;          /* siret, or minus the worksite id */
	const char *naf_section; /* "A".."U", "ZZ" unknown or worksite */
	const char *band;        /* SIRENE headcount band, "NN" unknown or worksite */
	const char *action;      /* priority action code or NULL */
	int points_checked;      /* control points compliant or non-compliant */
	int points_nc;           /* control points non-compliant */
	const char *themes[STORE_STATS_MAX_LIST]; /* distinct top-level themes */
	size_t n_themes;
	const char *followups[STORE_STATS_MAX_LIST]; /* one kind per follow-up (not drafts) */
	size_t n_followups;
	const char *updated_at;
};
typedef int (*store_stats_rec_cb)(void *ctx, const struct store_stats_rec *r);
/* Walks the final interventions dated from..to (inclusive) in id order. */
enum err_code store_stats_interventions(struct store *s, const char *from, const char *to,
                                        store_stats_rec_cb cb, void *ctx, struct err *e);

struct store_stats_geo {
	const char *code, *name, *level, *parent; /* parent NULL for the national root */
};
typedef int (*store_stats_geo_cb)(void *ctx, const struct store_stats_geo *g);
/* Walks the organisation units above sections (national, region, department, unit). */
enum err_code store_stats_geo_each(struct store *s, store_stats_geo_cb cb, void *ctx,
                                   struct err *e);

/* The code of organisation unit id into out (size n); ERR_NOT_FOUND when unknown. */
enum err_code store_stats_unit_code(struct store *s, int64_t id, char *out, size_t n,
                                    struct err *e);

/* Calls cb for each assignment overlapping from..to with the control unit of its
 * section and the days the agent was there and not absent (0 when absent throughout). */
typedef int (*store_stats_presence_cb)(void *ctx, const char *unit, int64_t agent_id, int64_t days);
enum err_code store_stats_presence(struct store *s, const char *from, const char *to,
                                   store_stats_presence_cb cb, void *ctx, struct err *e);

/* Priority actions running some day of from..to: code and region (NULL when national). */
typedef int (*store_stats_action_cb)(void *ctx, const char *code, const char *region);
enum err_code store_stats_actions(struct store *s, const char *from, const char *to,
                                  store_stats_action_cb cb, void *ctx, struct err *e);

/* Number of final or draft interventions dated from..to changed (updated_at) after
 * stamp. */
enum err_code store_stats_changed_since(struct store *s, const char *from, const char *to,
                                        const char *stamp, int64_t *n, struct err *e);

/* ---- Releases ----------------------------------------------------------------------- */

struct store_stats_release {
	int64_t id;
	const char *month;
	int version;
	const char *created_at;
	const char *data_stamp;
	size_t n_cells, n_secret;
};
typedef int (*store_stats_release_cb)(void *ctx, const struct store_stats_release *r);
/* Walks releases in id order: all of them (year NULL) or those of a year ("YYYY"), up to
 * id max_id (0: no limit). */
enum err_code store_stats_release_each(struct store *s, const char *year, int64_t max_id,
                                       store_stats_release_cb cb, void *ctx, struct err *e);

struct store_stats_cell {
	const char *period, *tbl, *geo, *cat;
	int64_t value;
	const char *status; /* "published", "secret", "delta" */
	int sensitive;
	const char *reason;
};
typedef int (*store_stats_cell_cb)(void *ctx, const struct store_stats_cell *c);
/* Walks the cells of a release in key order. */
enum err_code store_stats_cells_each(struct store *s, int64_t release_id, store_stats_cell_cb cb,
                                     void *ctx, struct err *e);

/* Writes a release and its cells in one transaction: next() is called until it returns
 * 0 and fills *c with the next cell (borrowed until the next call). *id gets the id. */
typedef int (*store_stats_next_cell)(void *ctx, struct store_stats_cell *c);
enum err_code store_stats_release_write(struct store *s, const struct store_stats_release *r,
                                        store_stats_next_cell next, void *ctx, int64_t *id,
                                        struct err *e);

#endif

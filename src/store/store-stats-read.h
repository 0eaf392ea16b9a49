/* store-stats-read: the read queries of the statistics dashboards (src/web/ui-stats.c):
 * the releases, the released cells of one release for a period, a table and a list of
 * organisation units, and one cell's month series over the releases. Only released
 * cells are read, and the value of a hidden cell never leaves the store: a secret cell
 * comes up with its reason and no value. Delta cells (D... periods) are never read. */
#ifndef STORE_STORE_STATS_READ_H
#define STORE_STORE_STATS_READ_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/* Most organisation codes bound in one query (longer lists are split). */
#define STORE_STATS_READ_GEO_CHUNK 400

struct store_stats_read_release {
	int64_t id;
	const char *month;      /* YYYY-MM */
	int version;            /* 1, 2... */
	const char *created_at; /* UTC stamp */
	int newest;             /* 1 when no later version of the month exists */
};
typedef int (*store_stats_read_release_cb)(void *ctx, const struct store_stats_read_release *r);
/* Walks every release, newest month first and, within a month, newest version first;
 * strings borrowed for the call; non-zero from cb stops the walk. */
enum err_code store_stats_read_releases(struct store *s, store_stats_read_release_cb cb, void *ctx,
                                        struct err *e);

struct store_stats_read_cell {
	const char *period, *tbl, *geo, *cat;
	int secret;         /* 1: hidden, value is 0 and must not be shown */
	int64_t value;      /* the published value (0 when secret) */
	const char *reason; /* threshold, dominance, zero, secondary ("" when published) */
};
typedef int (*store_stats_read_cell_cb)(void *ctx, const struct store_stats_read_cell *c);
/* Walks the published and secret cells of release_id for period (never a D... delta
 * period: ERR_INVALID) and table tbl, whose unit is one of geo[0..n_geo-1], in the order
 * (geo chunk, geo, cat). Uses the primary key (release_id, period, tbl, geo, cat). */
enum err_code store_stats_read_cells(struct store *s, int64_t release_id, const char *period,
                                     const char *tbl, const char *const *geo, size_t n_geo,
                                     store_stats_read_cell_cb cb, void *ctx, struct err *e);

struct store_stats_read_point {
	const char *month;  /* YYYY-MM */
	int64_t release_id; /* the release the point comes from */
	int version;
	int secret;
	int64_t value; /* 0 when secret */
	const char *reason;
};
typedef int (*store_stats_read_point_cb)(void *ctx, const struct store_stats_read_point *p);
/* The month series of one cell (tbl, geo, cat) over the months of year ("YYYY"): for each
 * month, the cell of period = that month in the newest version released with an id at
 * most max_id (0: no limit), in month order. Months with no release are skipped. */
enum err_code store_stats_read_series(struct store *s, const char *year, int64_t max_id,
                                      const char *tbl, const char *geo, const char *cat,
                                      store_stats_read_point_cb cb, void *ctx, struct err *e);

/* Walks the priority actions (code, French title), by code; borrowed for the call. */
typedef int (*store_stats_read_label_cb)(void *ctx, const char *code, const char *label);
enum err_code store_stats_read_action_titles(struct store *s, store_stats_read_label_cb cb,
                                             void *ctx, struct err *e);

#endif

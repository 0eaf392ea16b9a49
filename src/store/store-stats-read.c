/* store-stats-read: the read queries of the statistics dashboards on SQLite (see
 * store-stats-read.h). The value of a secret cell is not even selected. */
#include "store/store-stats-read.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "store/store-internal.h"

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static enum err_code prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	return store_sqlite_prepare(s, sql, st, "statistics (dashboards)", e);
}

enum err_code store_stats_read_releases(struct store *s, store_stats_read_release_cb cb, void *ctx,
                                        struct err *e)
{
	/* The newest flag: a release is the newest of its month when no later version
	 * exists (UNIQUE (month, version) serves the lookup). */
	static const char sql[] =
	    "SELECT r.id, r.month, r.version, r.created_at,"
	    " NOT EXISTS (SELECT 1 FROM stats_release n WHERE n.month = r.month"
	    " AND n.version > r.version)"
	    " FROM stats_release r ORDER BY r.month DESC, r.version DESC";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_read_release r = {
		    .id = sqlite3_column_int64(st, 0),
		    .month = col_text(st, 1),
		    .version = sqlite3_column_int(st, 2),
		    .created_at = col_text(st, 3),
		    .newest = sqlite3_column_int(st, 4),
		};

		if (cb(ctx, &r) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: releases", e);
}

/* One query over geo[0..n-1] (n >= 1, at most STORE_STATS_READ_GEO_CHUNK). Returns 1 in
 * *stop when cb asked to stop. */
static enum err_code cells_chunk(struct store *s, int64_t release_id, const char *period,
                                 const char *tbl, const char *const *geo, size_t n,
                                 store_stats_read_cell_cb cb, void *ctx, int *stop, struct err *e)
{
	struct buf sql;
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	buf_init(&sql, 16384);
	rc = buf_puts(&sql, "SELECT period, tbl, geo, cat, status = 'secret',"
	                    " CASE WHEN status = 'published' THEN value ELSE 0 END, reason"
	                    " FROM stats_release_cell WHERE release_id = ?1 AND period = ?2"
	                    " AND tbl = ?3 AND status IN ('published', 'secret') AND geo IN (?4");
	for (size_t i = 1; rc == ERR_OK && i < n; i++)
		rc = buf_printf(&sql, ", ?%zu", i + 4);
	if (rc == ERR_OK)
		rc = buf_puts(&sql, ") ORDER BY geo, cat");
	if (rc != ERR_OK) {
		rc = err_set(e, ERR_INTERNAL, NULL, "statistics: too many units in one query");
		goto out;
	}
	if ((rc = prepare(s, buf_str(&sql), &st, e)) != ERR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, release_id);
	sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tbl, -1, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_text(st, (int)i + 4, geo[i], -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_read_cell c = {
		    .period = col_text(st, 0),
		    .tbl = col_text(st, 1),
		    .geo = col_text(st, 2),
		    .cat = col_text(st, 3),
		    .secret = sqlite3_column_int(st, 4),
		    .value = sqlite3_column_int64(st, 5),
		    .reason = col_text(st, 6),
		};

		if (c.secret)
			c.value = 0;
		else
			c.reason = "";
		if (cb(ctx, &c) != 0) {
			*stop = 1;
			step = SQLITE_DONE;
			break;
		}
	}
	rc = step == SQLITE_DONE ? ERR_OK : store_sqlite_error(s, e, "statistics: cells");
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

enum err_code store_stats_read_cells(struct store *s, int64_t release_id, const char *period,
                                     const char *tbl, const char *const *geo, size_t n_geo,
                                     store_stats_read_cell_cb cb, void *ctx, struct err *e)
{
	enum err_code rc = ERR_OK;
	int stop = 0;

	if (period == NULL || period[0] == '\0' || period[0] == 'D' || strchr(period, 'D'))
		return err_set(e, ERR_INVALID, "period",
		               "expected a month, a year to date or a quarter, not a delta");
	if (tbl == NULL || tbl[0] == '\0')
		return err_set(e, ERR_INVALID, "table", "expected the name of a table");
	for (size_t i = 0; rc == ERR_OK && !stop && i < n_geo; i += STORE_STATS_READ_GEO_CHUNK) {
		size_t n =
		    n_geo - i < STORE_STATS_READ_GEO_CHUNK ? n_geo - i : STORE_STATS_READ_GEO_CHUNK;

		rc = cells_chunk(s, release_id, period, tbl, geo + i, n, cb, ctx, &stop, e);
	}
	return rc;
}

enum err_code store_stats_read_series(struct store *s, const char *year, int64_t max_id,
                                      const char *tbl, const char *geo, const char *cat,
                                      store_stats_read_point_cb cb, void *ctx, struct err *e)
{
	/* The month range uses UNIQUE (month, version); each cell is one primary-key
	 * lookup. */
	static const char sql[] =
	    "SELECT r.month, r.id, r.version, c.status = 'secret',"
	    " CASE WHEN c.status = 'published' THEN c.value ELSE 0 END, c.reason"
	    " FROM stats_release r JOIN stats_release_cell c ON c.release_id = r.id"
	    " AND c.period = r.month AND c.tbl = ?3 AND c.geo = ?4 AND c.cat = ?5"
	    " WHERE r.month >= ?1 || '-01' AND r.month <= ?1 || '-12'"
	    " AND (?2 = 0 OR r.id <= ?2)"
	    " AND c.status IN ('published', 'secret')"
	    " AND r.version = (SELECT max(v.version) FROM stats_release v WHERE v.month = r.month"
	    " AND (?2 = 0 OR v.id <= ?2))"
	    " ORDER BY r.month";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if (year == NULL || strlen(year) != 4 || strspn(year, "0123456789") != 4)
		return err_set(e, ERR_INVALID, "year", "expected a year YYYY");
	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, year, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, max_id);
	sqlite3_bind_text(st, 3, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, geo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cat, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_read_point p = {
		    .month = col_text(st, 0),
		    .release_id = sqlite3_column_int64(st, 1),
		    .version = sqlite3_column_int(st, 2),
		    .secret = sqlite3_column_int(st, 3),
		    .value = sqlite3_column_int64(st, 4),
		    .reason = col_text(st, 5),
		};

		if (p.secret)
			p.value = 0;
		else
			p.reason = "";
		if (cb(ctx, &p) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: series", e);
}

enum err_code store_stats_read_action_titles(struct store *s, store_stats_read_label_cb cb,
                                             void *ctx, struct err *e)
{
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, "SELECT code, title FROM priority_action ORDER BY code", &st, e)) !=
	    ERR_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(ctx, col_text(st, 0), col_text(st, 1)) != 0) {
			step = SQLITE_DONE;
			break;
		}
	return store_sqlite_walk_end(s, st, step, "statistics: actions", e);
}

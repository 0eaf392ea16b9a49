/* store-stats: the SQL of the statistics (store-stats.h) on the SQLite backend: the
 * microdata of a period, the organisation, presence of agents, and frozen releases. */
#include "store/store-stats.h"
#include "store/store-internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* The release tables (the same as migrations/0005-stats.sql). */

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static enum err_code prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	return store_sqlite_prepare(s, sql, st, "statistics", e);
}

/* Splits a comma-separated list (group_concat) into at most max borrowed pieces, in buf. */
static size_t split(const char *list, char *buf, size_t bufsz, const char **out, size_t max)
{
	size_t n = 0, len;
	char *p;

	if (list == NULL || *list == '\0')
		return 0;
	len = strlen(list);
	if (len >= bufsz)
		len = bufsz - 1;
	memcpy(buf, list, len);
	buf[len] = '\0';
	p = buf;
	while (p && n < max) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*p)
			out[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return n;
}

enum err_code store_stats_interventions(struct store *s, const char *from, const char *to,
                                        store_stats_rec_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT i.id, i.date, i.author_id, u.code, d.code, r.code, i.kind, i.on_site,"
	    " coalesce(i.siret, -i.worksite_id), coalesce(n.section, 'ZZ'),"
	    " CASE WHEN i.siret IS NULL OR e.headcount_band IS NULL OR e.headcount_band = ''"
	    "  THEN 'NN' ELSE e.headcount_band END, pa.code,"
	    " (SELECT count(*) FROM intervention_checkpoint c WHERE c.intervention_id = i.id"
	    "   AND c.state <> 'not_checked'),"
	    " (SELECT count(*) FROM intervention_checkpoint c WHERE c.intervention_id = i.id"
	    "   AND c.state = 'non_compliant'),"
	    " (SELECT group_concat(DISTINCT coalesce(t.parent, t.code)) FROM intervention_theme it"
	    "   JOIN theme t ON t.code = it.theme WHERE it.intervention_id = i.id),"
	    " (SELECT group_concat(f.kind) FROM followup f WHERE f.intervention_id = i.id"
	    "   AND f.status <> 'draft'),"
	    " i.updated_at"
	    " FROM intervention i"
	    " JOIN org_unit s ON s.id = i.section_id"
	    " JOIN org_unit u ON u.id = s.parent_id"
	    " JOIN org_unit d ON d.id = u.parent_id"
	    " JOIN org_unit r ON r.id = d.parent_id"
	    " LEFT JOIN establishment e ON e.siret = i.siret"
	    " LEFT JOIN naf n ON n.code = e.naf"
	    " LEFT JOIN priority_action pa ON pa.id = i.priority_action_id"
	    " WHERE i.date BETWEEN ?1 AND ?2 AND i.status = 'final' ORDER BY i.id";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_rec r = {0};
		char tbuf[512], fbuf[512];

		r.id = sqlite3_column_int64(st, 0);
		r.date = text(st, 1);
		r.author_id = sqlite3_column_int64(st, 2);
		r.unit = text(st, 3);
		r.department = text(st, 4);
		r.region = text(st, 5);
		r.kind = text(st, 6);
		r.on_site = sqlite3_column_int(st, 7);
		r.target = sqlite3_column_int64(st, 8);
		r.naf_section = text(st, 9);
		r.band = text(st, 10);
		r.action = text(st, 11);
		r.points_checked = sqlite3_column_int(st, 12);
		r.points_nc = sqlite3_column_int(st, 13);
		r.n_themes = split(text(st, 14), tbuf, sizeof tbuf, r.themes, STORE_STATS_MAX_LIST);
		r.n_followups =
		    split(text(st, 15), fbuf, sizeof fbuf, r.followups, STORE_STATS_MAX_LIST);
		r.updated_at = text(st, 16);
		if (r.region == NULL || r.kind == NULL || r.date == NULL)
			continue; /* an organisation chain that is not section > unit > dept >
			             region */
		if (cb(ctx, &r) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: interventions", e);
}

enum err_code store_stats_geo_each(struct store *s, store_stats_geo_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT o.code, o.name, o.level, p.code FROM org_unit o"
	    " LEFT JOIN org_unit p ON p.id = o.parent_id"
	    " WHERE o.level IN ('national', 'region', 'department', 'unit') ORDER BY o.code";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_geo g = {text(st, 0), text(st, 1), text(st, 2), text(st, 3)};

		if (cb(ctx, &g) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: organisation", e);
}

enum err_code store_stats_unit_code(struct store *s, int64_t id, char *out, size_t n, struct err *e)
{
	sqlite3_stmt *st = NULL;
	enum err_code rc;

	out[0] = '\0';
	if ((rc = prepare(s, "SELECT code FROM org_unit WHERE id = ?1", &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, n, "%s", text(st, 0));
	else
		rc = err_set(e, ERR_NOT_FOUND, "scope", "no organisation unit %lld", (long long)id);
	sqlite3_finalize(st);
	return rc;
}

enum err_code store_stats_presence(struct store *s, const char *from, const char *to,
                                   store_stats_presence_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "WITH a AS (SELECT a.agent_id, u.code AS unit, max(a.start_date, ?1) AS f,"
	    "   min(coalesce(a.end_date, ?2), ?2) AS t FROM assignment a"
	    "   JOIN org_unit s ON s.id = a.section_id JOIN org_unit u ON u.id = s.parent_id"
	    "   WHERE a.start_date <= ?2 AND (a.end_date IS NULL OR a.end_date >= ?1))"
	    " SELECT a.unit, a.agent_id, CAST(julianday(a.t) - julianday(a.f) + 1 -"
	    "   coalesce((SELECT sum(julianday(min(b.end_date, a.t)) -"
	    "     julianday(max(b.start_date, a.f)) + 1) FROM absence b"
	    "     WHERE b.agent_id = a.agent_id AND b.start_date <= a.t AND b.end_date >= a.f), 0)"
	    "   AS INTEGER)"
	    " FROM a ORDER BY a.unit, a.agent_id";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb(ctx, text(st, 0), sqlite3_column_int64(st, 1),
		       sqlite3_column_int64(st, 2))) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: presence", e);
}

enum err_code store_stats_actions(struct store *s, const char *from, const char *to,
                                  store_stats_action_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT code, region_code FROM priority_action WHERE start_date <= ?2"
	    " AND end_date >= ?1 ORDER BY code";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(ctx, text(st, 0), text(st, 1))) {
			step = SQLITE_DONE;
			break;
		}
	return store_sqlite_walk_end(s, st, step, "statistics: actions", e);
}

enum err_code store_stats_changed_since(struct store *s, const char *from, const char *to,
                                        const char *stamp, int64_t *n, struct err *e)
{
	static const char sql[] =
	    "SELECT count(*) FROM intervention WHERE date BETWEEN ?1 AND ?2 AND updated_at > ?3";
	sqlite3_stmt *st = NULL;
	enum err_code rc;

	*n = 0;
	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, stamp, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		rc = store_sqlite_error(s, e, "statistics: changes");
	sqlite3_finalize(st);
	return rc;
}

/* ---- Releases ----------------------------------------------------------------------- */

enum err_code store_stats_release_each(struct store *s, const char *year, int64_t max_id,
                                       store_stats_release_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT id, month, version, created_at, data_stamp, n_cells, n_secret"
	    " FROM stats_release WHERE (?1 IS NULL OR substr(month, 1, 4) = ?1)"
	    " AND (?2 = 0 OR id <= ?2) ORDER BY id";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	if (year)
		sqlite3_bind_text(st, 1, year, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, max_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_release r = {
		    .id = sqlite3_column_int64(st, 0),
		    .month = text(st, 1),
		    .version = sqlite3_column_int(st, 2),
		    .created_at = text(st, 3),
		    .data_stamp = text(st, 4),
		    .n_cells = (size_t)sqlite3_column_int64(st, 5),
		    .n_secret = (size_t)sqlite3_column_int64(st, 6),
		};

		if (cb(ctx, &r)) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: releases", e);
}

enum err_code store_stats_cells_each(struct store *s, int64_t release_id, store_stats_cell_cb cb,
                                     void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT period, tbl, geo, cat, value, status, sensitive, reason FROM stats_release_cell"
	    " WHERE release_id = ?1 ORDER BY period, tbl, geo, cat";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, release_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_stats_cell c = {
		    .period = text(st, 0),
		    .tbl = text(st, 1),
		    .geo = text(st, 2),
		    .cat = text(st, 3),
		    .value = sqlite3_column_int64(st, 4),
		    .status = text(st, 5),
		    .sensitive = sqlite3_column_int(st, 6),
		    .reason = text(st, 7),
		};

		if (cb(ctx, &c)) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "statistics: cells", e);
}

enum err_code store_stats_release_write(struct store *s, const struct store_stats_release *r,
                                        store_stats_next_cell next, void *ctx, int64_t *id,
                                        struct err *e)
{
	static const char rel_sql[] =
	    "INSERT INTO stats_release (month, version, created_at, data_stamp, status, n_cells,"
	    " n_secret) VALUES (?1, ?2, ?3, ?4, 'frozen', ?5, ?6)";
	static const char cell_sql[] =
	    "INSERT INTO stats_release_cell (release_id, period, tbl, geo, cat, value, status,"
	    " sensitive, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	sqlite3_stmt *rs = NULL, *cs = NULL;
	struct store_stats_cell c;
	enum err_code rc;
	int64_t rid = 0;

	*id = 0;
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	if ((rc = prepare(s, rel_sql, &rs, e)) != ERR_OK ||
	    (rc = prepare(s, cell_sql, &cs, e)) != ERR_OK)
		goto out;
	sqlite3_bind_text(rs, 1, r->month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(rs, 2, r->version);
	sqlite3_bind_text(rs, 3, r->created_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(rs, 4, r->data_stamp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(rs, 5, (sqlite3_int64)r->n_cells);
	sqlite3_bind_int64(rs, 6, (sqlite3_int64)r->n_secret);
	if (sqlite3_step(rs) != SQLITE_DONE) {
		rc = sqlite3_errcode(store_sqlite_db(s)) == SQLITE_CONSTRAINT
		         ? err_set(e, ERR_CONFLICT, "month", "version %d of %s exists already",
		                   r->version, r->month)
		         : store_sqlite_error(s, e, "statistics: release");
		goto out;
	}
	rid = sqlite3_last_insert_rowid(store_sqlite_db(s));
	while (next(ctx, &c)) {
		sqlite3_reset(cs);
		sqlite3_bind_int64(cs, 1, rid);
		sqlite3_bind_text(cs, 2, c.period, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(cs, 3, c.tbl, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(cs, 4, c.geo, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(cs, 5, c.cat, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(cs, 6, c.value);
		sqlite3_bind_text(cs, 7, c.status, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(cs, 8, c.sensitive);
		sqlite3_bind_text(cs, 9, c.reason ? c.reason : "", -1, SQLITE_TRANSIENT);
		if (sqlite3_step(cs) != SQLITE_DONE) {
			rc = store_sqlite_error(s, e, "statistics: release cell");
			goto out;
		}
	}
	rc = store_commit(s, e);
out:
	sqlite3_finalize(rs);
	sqlite3_finalize(cs);
	if (rc != ERR_OK)
		store_rollback(s);
	else
		*id = rid;
	return rc;
}

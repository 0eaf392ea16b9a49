/* store-ilo: the SQL of the ILO annual report (store-ilo.h) on the SQLite backend: staff
 * from the assignments, active establishments of the registry, provisions cited, released
 * cells of one period, and the editable item (a) with its audit entry. */
#include "store/store-ilo.h"
#include "store/store-internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/xalloc.h"

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static enum err_code prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	return store_sqlite_prepare(s, sql, st, "ILO report", e);
}


enum err_code store_ilo_regions(struct store *s, store_ilo_region_cb cb, void *ctx,
                                struct err *e)
{
	static const char sql[] = "SELECT code, name, region_code FROM org_unit"
	                          " WHERE level = ?1 ORDER BY code";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, "region", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb(ctx, text(st, 0), text(st, 1), text(st, 2)) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "ILO report: regions", e);
}

enum err_code store_ilo_staff(struct store *s, const char *from, const char *to,
                              store_ilo_assignment_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT a.id, a.sex, a.grade, CASE WHEN r.level = ?4 THEN r.code END, asg.fte,"
	    " CAST(julianday(min(coalesce(asg.end_date, ?2), ?2))"
	    "  - julianday(max(asg.start_date, ?1)) AS INTEGER) + 1,"
	    " min(coalesce(asg.end_date, ?2), ?2)"
	    " FROM assignment asg"
	    " JOIN agent a ON a.id = asg.agent_id"
	    " LEFT JOIN org_unit sec ON sec.id = asg.section_id"
	    " LEFT JOIN org_unit u ON u.id = sec.parent_id"
	    " LEFT JOIN org_unit d ON d.id = u.parent_id"
	    " LEFT JOIN org_unit r ON r.id = d.parent_id"
	    " WHERE a.role = ?3 AND asg.start_date <= ?2"
	    " AND (asg.end_date IS NULL OR asg.end_date >= ?1)"
	    " ORDER BY a.id, asg.start_date, asg.id";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, "agent", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, "region", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ilo_assignment a = {
		    .agent_id = sqlite3_column_int64(st, 0),
		    .sex = text(st, 1),
		    .grade = text(st, 2),
		    .region = text(st, 3),
		    .fte = sqlite3_column_double(st, 4),
		    .days = sqlite3_column_int64(st, 5),
		    .until = text(st, 6),
		};

		if (a.days < 1 || a.until == NULL)
			continue;
		if (cb(ctx, &a) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "ILO report: staff", e);
}

enum err_code store_ilo_registry(struct store *s, store_ilo_registry_cb cb, void *ctx,
                                 struct err *e)
{
	/* Grouped by commune first along the covering index establishment_ilo (0006), then
	 * by region: no sort of the whole registry. */
	static const char sql[] =
	    "SELECT d.region, x.band, sum(x.n) FROM"
	    " (SELECT commune_code AS c, headcount_band AS band, count(*) AS n"
	    "  FROM establishment WHERE state = ?1 GROUP BY commune_code, headcount_band) x"
	    " LEFT JOIN commune cm ON cm.code = x.c"
	    " LEFT JOIN department d ON d.code = cm.department"
	    " GROUP BY 1, 2 ORDER BY 1, 2";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, "A", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb(ctx, text(st, 0), text(st, 1), sqlite3_column_int64(st, 2)) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "ILO report: registry", e);
}

/* Walks the rows (key, agent, count) of sql, bound to from..to, final interventions and
 * follow-ups that are not drafts. */
static enum err_code provision_rows(struct store *s, const char *sql, const char *from,
                                    const char *to, store_ilo_provision_cb cb, void *ctx,
                                    struct err *e)
{
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, "final", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, "draft", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *prov = text(st, 0);

		if (prov == NULL)
			continue;
		if (cb(ctx, prov, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "ILO report: provisions", e);
}

enum err_code store_ilo_provisions(struct store *s, const char *from, const char *to,
                                   store_ilo_provision_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT p.provision, i.author_id, count(*) FROM intervention i"
	    " JOIN followup f ON f.intervention_id = i.id"
	    " JOIN followup_provision p ON p.followup_id = f.id"
	    " WHERE i.date BETWEEN ?1 AND ?2 AND i.status = ?3 AND f.status <> ?4"
	    " GROUP BY 1, 2 ORDER BY 1, 2";

	return provision_rows(s, sql, from, to, cb, ctx, e);
}

enum err_code store_ilo_followups_uncited(struct store *s, const char *from, const char *to,
                                          store_ilo_provision_cb cb, void *ctx,
                                          struct err *e)
{
	static const char sql[] =
	    "SELECT CASE WHEN k.all_ THEN 'all' ELSE 'none' END, i.author_id, count(*)"
	    " FROM intervention i JOIN followup f ON f.intervention_id = i.id"
	    " JOIN (SELECT 1 AS all_ UNION ALL SELECT 0) k"
	    " WHERE i.date BETWEEN ?1 AND ?2 AND i.status = ?3 AND f.status <> ?4"
	    " AND (k.all_ OR NOT EXISTS (SELECT 1 FROM followup_provision p"
	    "  WHERE p.followup_id = f.id))"
	    " GROUP BY 1, 2 ORDER BY 1, 2";

	return provision_rows(s, sql, from, to, cb, ctx, e);
}

enum err_code store_ilo_cells(struct store *s, int64_t release_id, const char *period,
                              store_stats_cell_cb cb, void *ctx, struct err *e)
{
	static const char sql[] =
	    "SELECT period, tbl, geo, cat, value, status, sensitive, reason"
	    " FROM stats_release_cell WHERE release_id = ?1 AND period = ?2 AND status <> ?3"
	    " ORDER BY tbl, geo, cat";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_int64(st, 1, release_id);
	sqlite3_bind_text(st, 2, period, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, "delta", -1, SQLITE_STATIC);
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

		if (c.tbl == NULL || c.geo == NULL || c.cat == NULL || c.status == NULL)
			continue;
		if (cb(ctx, &c) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	return store_sqlite_walk_end(s, st, step, "ILO report: released cells", e);
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *t = text(st, i);

	return xstrdup(t ? t : "");
}

enum err_code store_ilo_text_get(struct store *s, int year, char **out_text, char **author,
                                 char **updated_at, struct err *e)
{
	static const char sql[] = "SELECT t.text, coalesce(a.display_name, ''), t.updated_at"
	                          " FROM ilo_text t LEFT JOIN agent a ON a.id = t.author_id"
	                          " WHERE t.year = ?1";
	sqlite3_stmt *st = NULL;
	enum err_code rc;
	int step;

	*out_text = *author = *updated_at = NULL;
	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		return rc;
	sqlite3_bind_int(st, 1, year);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*out_text = dup_col(st, 0);
		*author = dup_col(st, 1);
		*updated_at = dup_col(st, 2);
		rc = ERR_OK;
	} else if (step == SQLITE_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "annee", "no text for item (a) of %d", year);
	} else {
		rc = store_sqlite_error(s, e, "ILO report: item (a)");
	}
	sqlite3_finalize(st);
	return rc;
}

enum err_code store_ilo_text_put(struct store *s, int year, const char *body, int64_t actor_id,
                                 struct err *e)
{
	static const char sql[] =
	    "INSERT INTO ilo_text (year, text, author_id, updated_at) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (year) DO UPDATE SET text = excluded.text,"
	    " author_id = excluded.author_id, updated_at = excluded.updated_at";
	sqlite3_stmt *st = NULL;
	char now[DATE_STAMP_LEN], year_s[16], detail[32];
	size_t len = body ? strlen(body) : 0;
	enum err_code rc;

	if (year < 1900 || year > 9999)
		return err_set(e, ERR_INVALID, "annee", "expected a year of four digits");
	if (body == NULL)
		return err_set(e, ERR_INVALID, "texte", "the text of item (a) is missing");
	if (len > STORE_ILO_TEXT_MAX)
		return err_set(e, ERR_TOO_BIG, "texte",
		               "the text of item (a) is %zu bytes, at most %d are allowed", len,
		               STORE_ILO_TEXT_MAX);
	if (actor_id <= 0)
		return err_set(e, ERR_INVALID, "auteur", "the text needs an author (an account)");
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	if ((rc = prepare(s, sql, &st, e)) != ERR_OK)
		goto out;
	date_now_stamp(now);
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, body, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, actor_id);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = store_sqlite_error(s, e, "ILO report: item (a)");
		goto out;
	}
	snprintf(year_s, sizeof year_s, "%d", year);
	snprintf(detail, sizeof detail, "%zu bytes", len);
	rc = store_audit_append(s, actor_id, "ilo.text", "ilo_report", year_s, 0, detail, e);
out:
	sqlite3_finalize(st);
	if (rc == ERR_OK)
		rc = store_commit(s, e);
	else
		store_rollback(s);
	return rc;
}

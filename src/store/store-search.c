/* store-search: the log of registry changes that keeps a running search index in step
 * with the store (see store-search.h and docs/internals/search.md). */
#include "store/store-search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "domain/siret.h"
#include "store/store-internal.h"

/* The columns a search document is made of, and the legal unit's. */
#define SEARCH_EST_COLUMNS                                                                   \
	"e.siret, e.siren, e.nic, e.diffusion, e.created_on, e.headcount_band, "             \
	"e.head_office, e.street_number, e.street_repeat, e.street_type, e.street_name, "    \
	"e.address_extra, e.postcode, e.commune_name, e.commune_code, e.state, "             \
	"e.enseigne1, e.enseigne2, e.enseigne3, e.usual_name, e.naf, e.naf_nomenclature, "   \
	"u.siren, u.name, u.acronym, u.last_name, u.first_name, u.legal_category, "          \
	"u.company_category, u.state, u.head_nic "                                           \
	"FROM establishment e LEFT JOIN legal_unit u ON u.siren = e.siren "

/* A column of establishment is "searched" when search_docsrc_fill reads it: only a
 * change of one of them is logged. */
static const char log_sql[] =
    "CREATE TABLE IF NOT EXISTS search_change ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  siret INTEGER,"
    "  siren INTEGER);"
    "CREATE TRIGGER IF NOT EXISTS search_change_est_insert AFTER INSERT ON establishment "
    "BEGIN INSERT INTO search_change (siret) VALUES (NEW.siret); END;"
    "CREATE TRIGGER IF NOT EXISTS search_change_est_delete AFTER DELETE ON establishment "
    "BEGIN INSERT INTO search_change (siret) VALUES (OLD.siret); END;"
    "CREATE TRIGGER IF NOT EXISTS search_change_est_update AFTER UPDATE ON establishment "
    "WHEN OLD.siret IS NOT NEW.siret OR OLD.siren IS NOT NEW.siren "
    "  OR OLD.state IS NOT NEW.state OR OLD.head_office IS NOT NEW.head_office "
    "  OR OLD.headcount_band IS NOT NEW.headcount_band "
    "  OR OLD.street_number IS NOT NEW.street_number "
    "  OR OLD.street_repeat IS NOT NEW.street_repeat "
    "  OR OLD.street_type IS NOT NEW.street_type OR OLD.street_name IS NOT NEW.street_name "
    "  OR OLD.address_extra IS NOT NEW.address_extra OR OLD.postcode IS NOT NEW.postcode "
    "  OR OLD.commune_name IS NOT NEW.commune_name "
    "  OR OLD.commune_code IS NOT NEW.commune_code "
    "  OR OLD.enseigne1 IS NOT NEW.enseigne1 OR OLD.enseigne2 IS NOT NEW.enseigne2 "
    "  OR OLD.enseigne3 IS NOT NEW.enseigne3 OR OLD.usual_name IS NOT NEW.usual_name "
    "BEGIN"
    "  INSERT INTO search_change (siret) SELECT OLD.siret WHERE OLD.siret IS NOT NEW.siret;"
    "  INSERT INTO search_change (siret) VALUES (NEW.siret); "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS search_change_unit_insert AFTER INSERT ON legal_unit "
    "WHEN EXISTS (SELECT 1 FROM establishment WHERE siren = NEW.siren) "
    "BEGIN INSERT INTO search_change (siren) VALUES (NEW.siren); END;"
    "CREATE TRIGGER IF NOT EXISTS search_change_unit_delete AFTER DELETE ON legal_unit "
    "BEGIN INSERT INTO search_change (siren) VALUES (OLD.siren); END;"
    "CREATE TRIGGER IF NOT EXISTS search_change_unit_update AFTER UPDATE ON legal_unit "
    "WHEN OLD.name IS NOT NEW.name OR OLD.acronym IS NOT NEW.acronym "
    "  OR OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name "
    "  OR OLD.company_category IS NOT NEW.company_category "
    "BEGIN INSERT INTO search_change (siren) VALUES (NEW.siren); END;";

enum err_code store_search_log_enable(struct store *s, struct err *e)
{
	sqlite3 *db = store_sqlite_db(s);

	if (sqlite3_exec(db, "SAVEPOINT search_log", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, e, "search change log");
	if (sqlite3_exec(db, log_sql, NULL, NULL, NULL) != SQLITE_OK) {
		enum err_code rc = store_sqlite_error(s, e, "search change log");

		sqlite3_exec(db, "ROLLBACK TO search_log; RELEASE search_log", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(db, "RELEASE search_log", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_error(s, e, "search change log");
	return ERR_OK;
}

/* Runs a one-row, one-integer query; *v stays 0 when it returns no row. */
static enum err_code one_int(struct store *s, const char *sql, int64_t *v, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return store_sqlite_error(s, e, "search change log");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK
	                                             : store_sqlite_error(s, e, "search change log");
}

enum err_code store_search_log_head(struct store *s, int64_t *seq, int *enabled, struct err *e)
{
	int64_t has = 0;
	enum err_code rc;

	*seq = 0;
	if (enabled)
		*enabled = 0;
	rc = one_int(s,
	             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
	             "name = 'search_change'",
	             &has, e);
	if (rc != ERR_OK || !has)
		return rc;
	if (enabled)
		*enabled = 1;
	/* AUTOINCREMENT keeps the last number in sqlite_sequence, also once pruned */
	return one_int(s, "SELECT seq FROM sqlite_sequence WHERE name = 'search_change'", seq, e);
}

enum err_code store_search_data_version(struct store *s, int64_t *v, struct err *e)
{
	return one_int(s, "PRAGMA data_version", v, e);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Calls cb for each row of st (SEARCH_EST_COLUMNS); returns the SQLite code of the last
 * step, *stop set when cb asked to stop, *rows the rows seen. */
static int each_row(sqlite3_stmt *st, store_search_change_cb cb, void *ctx, int *stop,
                    size_t *rows)
{
	char siret[15], siren[10], usiren[10];
	int rc;

	*rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *rows < STORE_SEARCH_UNIT_MAX) {
		struct establishment est;
		struct legal_unit u;
		int has_u = sqlite3_column_type(st, 22) != SQLITE_NULL;

		(*rows)++;
		siret_format(sqlite3_column_int64(st, 0), siret);
		siret_siren_format(sqlite3_column_int64(st, 1), siren);
		est = (struct establishment){
		    .siret = siret,
		    .siren = siren,
		    .nic = col_text(st, 2),
		    .diffusion = col_text(st, 3),
		    .created_on = col_text(st, 4),
		    .headcount_band = col_text(st, 5),
		    .head_office = sqlite3_column_int(st, 6),
		    .street_number = col_text(st, 7),
		    .street_repeat = col_text(st, 8),
		    .street_type = col_text(st, 9),
		    .street_name = col_text(st, 10),
		    .address_extra = col_text(st, 11),
		    .postcode = col_text(st, 12),
		    .commune_name = col_text(st, 13),
		    .commune_code = col_text(st, 14),
		    .state = col_text(st, 15),
		    .enseigne1 = col_text(st, 16),
		    .enseigne2 = col_text(st, 17),
		    .enseigne3 = col_text(st, 18),
		    .usual_name = col_text(st, 19),
		    .naf = col_text(st, 20),
		    .naf_nomenclature = col_text(st, 21),
		};
		memset(&u, 0, sizeof u);
		if (has_u) {
			siret_siren_format(sqlite3_column_int64(st, 22), usiren);
			u = (struct legal_unit){
			    .siren = usiren,
			    .name = col_text(st, 23),
			    .acronym = col_text(st, 24),
			    .last_name = col_text(st, 25),
			    .first_name = col_text(st, 26),
			    .legal_category = col_text(st, 27),
			    .company_category = col_text(st, 28),
			    .state = col_text(st, 29),
			    .head_nic = col_text(st, 30),
			};
		}
		if (cb(ctx, siret, &est, has_u ? &u : NULL) != 0) {
			*stop = 1;
			return SQLITE_DONE;
		}
	}
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

struct change_row {
	int64_t seq, siret, siren; /* siret or siren is 0 */
};

enum err_code store_search_changes(struct store *s, int64_t after, size_t max,
                                   store_search_change_cb cb, void *ctx, int64_t *last,
                                   struct err *e)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *q = NULL, *by_siret = NULL, *by_siren = NULL;
	struct change_row *rows = NULL;
	size_t n = 0;
	int rc = SQLITE_OK, stop = 0;
	enum err_code out = ERR_OK;

	*last = after;
	if (max == 0)
		return ERR_OK;
	store_read_begin(s);
	if (sqlite3_prepare_v2(db,
	                       "SELECT seq, coalesce(siret, 0), coalesce(siren, 0) FROM "
	                       "search_change WHERE seq > ?1 ORDER BY seq LIMIT ?2",
	                       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " SEARCH_EST_COLUMNS "WHERE e.siret = ?1", -1,
	                       &by_siret, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " SEARCH_EST_COLUMNS "WHERE e.siren = ?1", -1,
	                       &by_siren, NULL) != SQLITE_OK) {
		out = store_sqlite_error(s, e, "search change log");
		goto out;
	}
	rows = xmalloc(max * sizeof *rows);
	sqlite3_bind_int64(q, 1, after);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
	while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW)
		rows[n++] = (struct change_row){sqlite3_column_int64(q, 0),
		                                sqlite3_column_int64(q, 1),
		                                sqlite3_column_int64(q, 2)};
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		out = store_sqlite_error(s, e, "search change log");
		goto out;
	}
	for (size_t i = 0; i < n && !stop; i++) {
		sqlite3_stmt *st = rows[i].siret ? by_siret : by_siren;
		size_t seen = 0;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rows[i].siret ? rows[i].siret : rows[i].siren);
		rc = each_row(st, cb, ctx, &stop, &seen);
		if (rc != SQLITE_DONE) {
			out = store_sqlite_error(s, e, "establishment");
			goto out;
		}
		if (seen == 0 && rows[i].siret) {
			char siret[15];

			siret_format(rows[i].siret, siret);
			stop = cb(ctx, siret, NULL, NULL) != 0;
		}
		*last = rows[i].seq;
	}
out:
	sqlite3_finalize(q);
	sqlite3_finalize(by_siret);
	sqlite3_finalize(by_siren);
	store_read_end(s);
	free(rows);
	return out;
}

enum err_code store_search_log_prune(struct store *s, int64_t upto, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int64_t was = 0;
	char mark[24];
	enum err_code rc;

	if ((rc = store_search_log_pruned(s, &was, e)) != ERR_OK || upto <= was)
		return rc;
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	if (sqlite3_prepare_v2(store_sqlite_db(s), "DELETE FROM search_change WHERE seq <= ?1", -1,
	                       &st, NULL) != SQLITE_OK) {
		rc = store_sqlite_error(s, e, "search change log");
	} else {
		sqlite3_bind_int64(st, 1, upto);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_sqlite_error(s, e, "search change log");
	}
	sqlite3_finalize(st);
	snprintf(mark, sizeof mark, "%" PRId64, upto);
	if (rc == ERR_OK)
		rc = store_meta_set(s, STORE_SEARCH_PRUNED_KEY, mark, e);
	if (rc == ERR_OK)
		return store_commit(s, e);
	store_rollback(s);
	return rc;
}

enum err_code store_search_log_pruned(struct store *s, int64_t *upto, struct err *e)
{
	return one_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = '"
	                  STORE_SEARCH_PRUNED_KEY "'", upto, e);
}

/* Unit tests for src/gen: the tiny scale generated into a temporary database and checked
 * with SQL (volumes, valid identifiers, geography, sections, dates, closures, the small
 * unit, demo logins), determinism for a seed, and refusal of a non-empty database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "domain/siret.h"
#include "gen/gen.h"
#include "store/store.h"

#define TODAY "2026-06-15"

struct db {
	char path[64];
};

/* Generates the tiny scale with seed into a new temporary file. */
static void generate(struct db *d, uint64_t seed)
{
	struct gen_options o = {.scale = GEN_TINY, .seed = seed, .today = TODAY};
	struct store *s = NULL;
	struct err e = {0};
	int fd;

	snprintf(d->path, sizeof d->path, "/tmp/constat-test-gen-XXXXXX");
	fd = mkstemp(d->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(d->path);
	assert_int_equal(store_open(d->path, STORE_CREATE | STORE_BULK, &s, &e), ERR_OK);
	assert_int_equal(store_refdata_load(s, &e), ERR_OK);
	if (gen_run(s, &o, &e) != ERR_OK)
		fail_msg("gen_run: %s: %s", e.field, e.msg);
	store_close(s);
}

static void drop(struct db *d)
{
	char p[80];

	unlink(d->path);
	snprintf(p, sizeof p, "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", d->path);
	unlink(p);
	snprintf(p, sizeof p, "%s.key", d->path);   /* the store's audit key */
	unlink(p);
}

static sqlite3 *open_ro(const struct db *d)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(d->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return db;
}

/* One integer from a query. */
static int64_t one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* FNV-1a over every value of a query's rows (NULL distinct from ""). */
static uint64_t digest(sqlite3 *db, const char *sql, uint64_t h)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			if (v == NULL)
				v = (const unsigned char *)"\x01NULL";
			for (; *v; v++)
				h = (h ^ *v) * 1099511628211ULL;
			h = (h ^ 0x1f) * 1099511628211ULL;
		}
		h = (h ^ 0x1e) * 1099511628211ULL;
	}
	sqlite3_finalize(st);
	return h;
}

/* A digest of the main tables, leaving out the columns stamped with the wall clock
 * (created_at / updated_at of accounts and worksites). */
static uint64_t db_digest(const struct db *d)
{
	static const char *const queries[] = {
		"SELECT * FROM org_unit ORDER BY id",
		"SELECT id, login, display_name, role, scope_unit_id, sex, grade, disabled "
		"FROM agent ORDER BY id",
		"SELECT * FROM assignment ORDER BY id",
		"SELECT * FROM absence ORDER BY id",
		"SELECT * FROM legal_unit ORDER BY siren",
		"SELECT * FROM establishment ORDER BY siret",
		"SELECT id, name, address, postcode, commune_code, start_date, end_date, created_by "
		"FROM worksite ORDER BY id",
		"SELECT * FROM worksite_establishment ORDER BY 1, 2",
		"SELECT * FROM priority_action ORDER BY id",
		"SELECT * FROM control_point ORDER BY id",
		"SELECT * FROM intervention ORDER BY id",
		"SELECT * FROM intervention_agent ORDER BY 1, 2",
		"SELECT * FROM intervention_theme ORDER BY 1, 2",
		"SELECT * FROM intervention_checkpoint ORDER BY 1, 2",
		"SELECT * FROM followup ORDER BY id",
		"SELECT * FROM followup_provision ORDER BY 1, 2",
		"SELECT * FROM accident ORDER BY id",
		"SELECT * FROM disease ORDER BY id",
		"SELECT * FROM meta ORDER BY key",
	};
	sqlite3 *db = open_ro(d);
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
		h = digest(db, queries[i], h);
	sqlite3_close(db);
	return h;
}

static struct db tiny;

static int setup(void **state)
{
	(void)state;
	generate(&tiny, 42);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drop(&tiny);
	return 0;
}

static void test_volumes(void **state)
{
	sqlite3 *db = open_ro(&tiny);
	int64_t agents = one(db, "SELECT count(DISTINCT agent_id) FROM assignment "
	                         "WHERE end_date IS NULL");

	(void)state;
	assert_int_equal(one(db, "SELECT count(*) FROM establishment"), 20000);
	assert_in_range(one(db, "SELECT count(*) FROM legal_unit"), 12000, 17000);
	assert_in_range(agents, 40, 60);
	assert_in_range(one(db, "SELECT count(*) FROM intervention"), 4000, 6000);
	assert_int_equal(one(db, "SELECT count(*) FROM org_unit WHERE level = 'region'"), 1);
	assert_in_range(one(db, "SELECT count(*) FROM org_unit WHERE level = 'unit'"), 4, 10);
	/* Most interventions without follow-up; letters the most common follow-up. */
	assert_in_range(one(db, "SELECT 100 * count(*) / (SELECT count(*) FROM intervention) "
	                        "FROM intervention i WHERE NOT EXISTS "
	                        "(SELECT 1 FROM followup f WHERE f.intervention_id = i.id)"),
	                51, 85);
	assert_int_equal(one(db, "SELECT kind = 'lettre_observations' FROM followup "
	                         "GROUP BY kind ORDER BY count(*) DESC LIMIT 1"), 1);
	/* Every account has a distinct login; managers exist for every control unit. */
	assert_int_equal(one(db, "SELECT count(*) - count(DISTINCT lower(login)) FROM agent"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM org_unit u WHERE level = 'unit' AND NOT "
	                         "EXISTS (SELECT 1 FROM agent a WHERE a.role = 'manager' AND "
	                         "a.scope_unit_id = u.id)"), 0);
	/* Leave periods, part-time and priority actions with their checkpoints exist. */
	assert_true(one(db, "SELECT count(*) FROM absence") > 50);
	assert_true(one(db, "SELECT count(*) FROM assignment WHERE fte < 1") > 0);
	assert_true(one(db, "SELECT count(*) FROM priority_action WHERE scope = 'regional'") > 0);
	assert_true(one(db, "SELECT count(*) FROM intervention i WHERE priority_action_id IS NOT "
	                    "NULL AND NOT EXISTS (SELECT 1 FROM intervention_checkpoint c WHERE "
	                    "c.intervention_id = i.id AND c.state <> 'not_checked')") > 0);
	assert_true(one(db, "SELECT count(*) FROM intervention_checkpoint "
	                    "WHERE state = 'compliant'") > 0);
	assert_true(one(db, "SELECT count(*) FROM worksite_establishment") >=
	            2 * one(db, "SELECT count(*) FROM worksite"));
	assert_true(one(db, "SELECT count(*) FROM accident") > 0);
	sqlite3_close(db);
}

static void test_sirets_valid(void **state)
{
	sqlite3 *db = open_ro(&tiny);
	sqlite3_stmt *st;
	int64_t n = 0;

	(void)state;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT printf('%014d', siret), "
	                                        "printf('%09d', siren), nic FROM establishment",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *siret = (const char *)sqlite3_column_text(st, 0);
		const char *siren = (const char *)sqlite3_column_text(st, 1);
		const char *nic = (const char *)sqlite3_column_text(st, 2);

		if (!siret_valid(siret) || !siret_siren_valid(siren))
			fail_msg("invalid identifier %s", siret);
		assert_memory_equal(siret, siren, 9);
		assert_string_equal(siret + 9, nic);
		n++;
	}
	sqlite3_finalize(st);
	assert_int_equal(n, 20000);
	/* One head office per legal unit, and its nic is the legal unit's. */
	assert_int_equal(one(db, "SELECT count(*) FROM legal_unit u WHERE (SELECT count(*) FROM "
	                         "establishment e WHERE e.siren = u.siren AND head_office = 1) <> 1"),
	                 0);
	assert_int_equal(one(db, "SELECT count(*) FROM legal_unit u JOIN establishment e ON "
	                         "e.siren = u.siren AND e.head_office = 1 WHERE e.nic <> u.head_nic"),
	                 0);
	/* Several establishments for some companies. */
	assert_true(one(db, "SELECT max(n) FROM (SELECT count(*) AS n FROM establishment "
	                    "GROUP BY siren)") >= 5);
	sqlite3_close(db);
}

static void test_geography(void **state)
{
	sqlite3 *db = open_ro(&tiny);

	(void)state;
	assert_int_equal(one(db, "SELECT count(*) FROM establishment e WHERE NOT EXISTS "
	                         "(SELECT 1 FROM commune c WHERE c.code = e.commune_code)"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM establishment e WHERE NOT EXISTS "
	                         "(SELECT 1 FROM postcode p WHERE p.commune = e.commune_code AND "
	                         "p.postcode = e.postcode)"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM worksite w WHERE NOT EXISTS "
	                         "(SELECT 1 FROM postcode p WHERE p.commune = w.commune_code AND "
	                         "p.postcode = w.postcode)"), 0);
	/* All in the one region (Bretagne). */
	assert_int_equal(one(db, "SELECT count(*) FROM establishment e JOIN commune c ON "
	                         "c.code = e.commune_code JOIN department d ON d.code = c.department "
	                         "WHERE d.region <> '53'"), 0);
	/* The most common sub-class is far above the median one (skew). */
	assert_true(one(db, "SELECT max(n) FROM (SELECT count(*) AS n FROM establishment "
	                    "GROUP BY naf)") > 200);
	assert_true(one(db, "SELECT count(*) FROM establishment WHERE naf = '56.10A'") > 100);
	sqlite3_close(db);
}

static void test_interventions(void **state)
{
	sqlite3 *db = open_ro(&tiny);

	(void)state;
	assert_int_equal(one(db, "SELECT count(*) FROM intervention WHERE section_id IS NULL"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM followup f JOIN intervention i ON "
	                         "i.id = f.intervention_id WHERE f.date < i.date"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM intervention WHERE date > '" TODAY "'"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM followup WHERE date > '" TODAY "'"), 0);
	/* Inquiries on accidents carry the accident, no accident elsewhere. */
	assert_int_equal(one(db, "SELECT count(*) FROM intervention i WHERE kind = 'enquete_at' "
	                         "AND NOT EXISTS (SELECT 1 FROM accident a "
	                         "WHERE a.intervention_id = i.id)"), 0);
	/* Hardly any on weekends; August below an average month. */
	assert_true(one(db, "SELECT count(*) FROM intervention WHERE strftime('%w', date) IN "
	                    "('0', '6')") * 50 < one(db, "SELECT count(*) FROM intervention"));
	assert_true(one(db, "SELECT count(*) FROM intervention WHERE substr(date, 6, 2) = '08'") *
	            12 * 10 < one(db, "SELECT count(*) FROM intervention") * 7);
	/* Interventions were made by control agents while in post in that section. */
	assert_int_equal(one(db, "SELECT count(*) FROM intervention i WHERE NOT EXISTS (SELECT 1 "
	                         "FROM assignment a WHERE a.agent_id = i.author_id AND "
	                         "a.section_id = i.section_id AND a.start_date <= i.date AND "
	                         "(a.end_date IS NULL OR a.end_date >= i.date))"), 0);
	/* Drafts are recent, mostly. */
	assert_true(one(db, "SELECT count(*) FROM intervention WHERE status = 'draft'") > 0);
	assert_true(one(db, "SELECT count(*) FROM intervention WHERE status = 'final'") >
	            one(db, "SELECT count(*) FROM intervention") * 9 / 10);
	sqlite3_close(db);
}

/* Names as varied as SIRENE's: few active establishments share their displayed name
 * and commune with an establishment of another company (the search benchmark's "exact
 * name + commune" is answerable only where they do not). 208 surnames alone gave 27 %
 * at national scale. */
static void test_homonyms_rare(void **state)
{
	sqlite3 *db = open_ro(&tiny);
	const char *shared =
	    "WITH k AS (SELECT e.siren, coalesce(l.name, l.last_name || ' ' || l.first_name) "
	    "AS nm, e.commune_code AS cc FROM establishment e JOIN legal_unit l USING (siren) "
	    "WHERE e.state = 'A'), g AS (SELECT nm, cc, count(*) AS n, count(DISTINCT siren) "
	    "AS ns FROM k GROUP BY nm, cc) "
	    "SELECT 1000 * (SELECT coalesce(sum(n), 0) FROM g WHERE ns > 1) / (SELECT count(*) FROM k)";

	(void)state;
	assert_in_range(one(db, shared), 0, 20);  /* per mille */
	sqlite3_close(db);
}

static void test_closed_and_small_unit(void **state)
{
	sqlite3 *db = open_ro(&tiny);

	(void)state;
	assert_in_range(one(db, "SELECT 100 * count(*) / 20000 FROM establishment "
	                        "WHERE state = 'F'"), 15, 25);
	assert_true(one(db, "SELECT count(*) FROM (SELECT u.id FROM org_unit u "
	                    "JOIN org_unit s ON s.parent_id = u.id "
	                    "JOIN assignment a ON a.section_id = s.id AND a.end_date IS NULL "
	                    "WHERE u.level = 'unit' GROUP BY u.id "
	                    "HAVING count(DISTINCT a.agent_id) BETWEEN 2 AND 3)") >= 1);
	sqlite3_close(db);
}

static void test_demo_logins(void **state)
{
	static const struct {
		const char *key, *role, *level;
	} want[] = {
		{"demo.login.agent", "agent", "unit"},
		{"demo.login.unit_manager", "manager", "unit"},
		{"demo.login.region_manager", "manager", "region"},
		{"demo.login.analyst", "analyst", NULL},
		{"demo.login.admin", "admin", NULL},
	};
	sqlite3 *db = open_ro(&tiny);
	char sql[512];

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM meta m JOIN agent a ON a.login = "
		         "m.value WHERE m.key = '%s' AND a.role = '%s' AND a.disabled = 0 AND %s",
		         want[i].key, want[i].role,
		         want[i].level ? "EXISTS (SELECT 1 FROM org_unit u WHERE u.id = "
		                         "a.scope_unit_id AND u.level = '" : "a.scope_unit_id IS NULL");
		if (want[i].level) {
			size_t n = strlen(sql);

			snprintf(sql + n, sizeof sql - n, "%s')", want[i].level);
		}
		if (one(db, sql) != 1)
			fail_msg("meta %s: no %s account", want[i].key, want[i].role);
	}
	/* The demo agent is in post and busy. */
	assert_true(one(db, "SELECT count(*) FROM intervention i JOIN agent a ON a.id = "
	                    "i.author_id JOIN meta m ON m.value = a.login AND "
	                    "m.key = 'demo.login.agent'") > 100);
	assert_int_equal(one(db, "SELECT count(*) FROM assignment s JOIN agent a ON a.id = "
	                         "s.agent_id JOIN meta m ON m.value = a.login AND "
	                         "m.key = 'demo.login.agent' WHERE s.end_date IS NULL"), 1);
	assert_int_equal(one(db, "SELECT count(*) FROM meta WHERE key IN ('generate.scale', "
	                         "'generate.seed', 'generate.today')"), 3);
	assert_int_equal(one(db, "SELECT value = '" TODAY "' FROM meta "
	                         "WHERE key = 'generate.today'"), 1);
	sqlite3_close(db);
}

static void test_deterministic(void **state)
{
	struct db again, other;
	uint64_t h = db_digest(&tiny);

	(void)state;
	generate(&again, 42);
	generate(&other, 43);
	assert_true(db_digest(&again) == h);
	assert_true(db_digest(&other) != h);
	drop(&again);
	drop(&other);
}

static void test_refuses_non_empty(void **state)
{
	struct gen_options o = {.scale = GEN_TINY, .seed = 1, .today = TODAY};
	struct store *s = NULL;
	struct err e = {0};

	(void)state;
	assert_int_equal(store_open(tiny.path, 0, &s, &e), ERR_OK);
	assert_int_equal(gen_run(s, &o, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "db");
	store_close(s);
}

static void test_options(void **state)
{
	enum gen_scale sc;
	struct gen_options o = {.scale = GEN_TINY, .seed = 1, .today = "2026-02-30"};
	struct store *s = NULL;
	struct err e = {0};
	char path[64];
	int fd;

	(void)state;
	assert_int_equal(gen_scale_parse("small", &sc), 0);
	assert_int_equal(sc, GEN_SMALL);
	assert_int_equal(gen_scale_parse("national", &sc), 0);
	assert_int_equal(sc, GEN_NATIONAL);
	assert_int_equal(gen_scale_parse("huge", &sc), -1);
	assert_int_equal(gen_scale_parse(NULL, &sc), -1);
	snprintf(path, sizeof path, "/tmp/constat-test-gen-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, STORE_CREATE, &s, &e), ERR_OK);
	assert_int_equal(gen_run(s, &o, &e), ERR_INVALID);
	assert_string_equal(e.field, "today");
	store_close(s);
	unlink(path);
	snprintf(path + strlen(path), sizeof path - strlen(path), ".key");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_volumes),
		cmocka_unit_test(test_sirets_valid),
		cmocka_unit_test(test_geography),
		cmocka_unit_test(test_interventions),
		cmocka_unit_test(test_closed_and_small_unit),
		cmocka_unit_test(test_homonyms_rare),
		cmocka_unit_test(test_demo_logins),
		cmocka_unit_test(test_refuses_non_empty),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

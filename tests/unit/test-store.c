/* Unit tests for src/store: schema, reference data, accounts, registry, interventions
 * written all or nothing, the append-only audit table. */
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

#include "store/store.h"

struct fixture {
	char path[64];
	struct store *s;
	int64_t section, agent, other;
};

/* Runs a query returning one integer, on a separate connection (what is committed). */
static int64_t count(const struct fixture *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err e = {0};
	int64_t root, region, dep, unit;
	int fd;

	snprintf(f->path, sizeof f->path, "/tmp/constat-test-store-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->path);
	assert_int_equal(store_open(f->path, STORE_CREATE, &f->s, &e), ERR_OK);
	assert_int_equal(store_refdata_load(f->s, &e), ERR_OK);

	struct org_unit u = {.level = ORG_NATIONAL, .code = "FR", .name = "DGT",
	                     .valid_from = "2020-01-01"};
	assert_int_equal(store_org_unit_insert(f->s, &u, &root, &e), ERR_OK);
	u = (struct org_unit){.parent_id = root, .level = ORG_REGION, .code = "R84",
	                      .name = "Auvergne-Rhône-Alpes", .region_code = "84",
	                      .valid_from = "2020-01-01"};
	assert_int_equal(store_org_unit_insert(f->s, &u, &region, &e), ERR_OK);
	u = (struct org_unit){.parent_id = region, .level = ORG_DEPARTMENT, .code = "D69",
	                      .name = "Rhône", .region_code = "84", .department_code = "69",
	                      .valid_from = "2020-01-01"};
	assert_int_equal(store_org_unit_insert(f->s, &u, &dep, &e), ERR_OK);
	u = (struct org_unit){.parent_id = dep, .level = ORG_UNIT, .code = "UC69-1",
	                      .name = "Lyon 1", .valid_from = "2020-01-01"};
	assert_int_equal(store_org_unit_insert(f->s, &u, &unit, &e), ERR_OK);
	u = (struct org_unit){.parent_id = unit, .level = ORG_SECTION, .code = "S69-1-1",
	                      .name = "Section 1", .valid_from = "2020-01-01"};
	assert_int_equal(store_org_unit_insert(f->s, &u, &f->section, &e), ERR_OK);

	struct agent a = {.login = "marie.durand", .display_name = "Marie Durand",
	                  .role = ROLE_AGENT, .scope_unit_id = unit, .sex = "F",
	                  .grade = "inspecteur"};
	assert_int_equal(store_agent_insert(f->s, &a, &f->agent, &e), ERR_OK);
	a = (struct agent){.login = "paul.martin", .display_name = "Paul Martin",
	                   .role = ROLE_AGENT, .scope_unit_id = unit};
	assert_int_equal(store_agent_insert(f->s, &a, &f->other, &e), ERR_OK);
	struct assignment as = {.agent_id = f->agent, .section_id = f->section,
	                        .start_date = "2021-01-01", .fte = 0.8};
	assert_int_equal(store_assignment_insert(f->s, &as, &e), ERR_OK);

	struct legal_unit lu = {.siren = "012345674", .name = "BOULANGERIE MARTIN",
	                        .legal_category = "5499", .state = "A", .head_nic = "00012"};
	assert_int_equal(store_legal_unit_upsert(f->s, &lu, &e), ERR_OK);
	struct establishment est = {.siret = "01234567400012", .state = "A", .head_office = 1,
	                            .street_number = "3", .street_type = "RUE",
	                            .street_name = "DE LA REPUBLIQUE", .postcode = "69002",
	                            .commune_name = "LYON 2E ARRONDISSEMENT",
	                            .commune_code = "69382", .naf = "10.71C"};
	assert_int_equal(store_establishment_upsert(f->s, &est, &e), ERR_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char side[80];

	store_close(f->s);
	unlink(f->path);
	snprintf(side, sizeof side, "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->path);
	unlink(side);
	snprintf(side, sizeof side, "%s.key", f->path);
	unlink(side);
	free(f);
	return 0;
}

static void test_schema_and_refdata(void **state)
{
	struct fixture *f = *state;
	struct store *again = NULL;
	struct err e = {0};

	assert_int_equal(store_schema_version(f->s), store_schema_latest());
	assert_true(count(f, "SELECT count(*) FROM region") >= 18);
	assert_true(count(f, "SELECT count(*) FROM commune") > 34000);
	assert_int_equal(count(f, "SELECT count(*) FROM naf WHERE level = 'section'"), 21);
	assert_int_equal(count(f, "SELECT count(*) FROM naf WHERE level = 'subclass'"), 732);
	assert_int_equal(count(f, "SELECT count(*) FROM commune WHERE code = '2A004'"), 1);
	/* Reloading and reopening are harmless. */
	assert_int_equal(store_refdata_load(f->s, &e), ERR_OK);
	assert_int_equal(store_open(f->path, 0, &again, &e), ERR_OK);
	assert_int_equal(store_schema_version(again), store_schema_latest());
	store_close(again);
}

static void test_open_errors(void **state)
{
	struct store *s = NULL;
	struct err e = {0};

	(void)state;
	assert_int_equal(store_open("/nonexistent/dir/x.db", STORE_CREATE, &s, &e), ERR_IO);
	assert_null(s);
	assert_string_equal(e.field, "db");
	assert_int_not_equal(store_open("", 0, &s, &e), ERR_OK);
	assert_int_not_equal(store_open("/tmp/constat-surely-missing.db", 0, &s, &e), ERR_OK);
}

static void test_login_unique(void **state)
{
	struct fixture *f = *state;
	struct agent a = {.login = "MARIE.DURAND", .display_name = "Homonyme", .role = ROLE_AGENT};
	struct err e = {0};
	int64_t id = 0;

	assert_int_equal(store_agent_insert(f->s, &a, &id, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "login");
}

static int find_cb(void *ctx, const struct agent *a)
{
	*(int *)ctx = a->role == ROLE_AGENT && strcmp(a->display_name, "Marie Durand") == 0;
	return 0;
}

static void test_agent_find_and_update(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	int ok = 0;

	assert_int_equal(store_agent_find(f->s, "marie.durand", find_cb, &ok, &e), ERR_OK);
	assert_true(ok);
	assert_int_equal(store_agent_find(f->s, "nobody", find_cb, &ok, &e), ERR_NOT_FOUND);
	assert_int_equal(store_agent_set_disabled(f->s, "nobody", 1, &e), ERR_NOT_FOUND);
	assert_int_equal(store_agent_set_disabled(f->s, "paul.martin", 1, &e), ERR_OK);
	assert_int_equal(count(f, "SELECT disabled FROM agent WHERE login = 'paul.martin'"), 1);
}

struct seen {
	int n;
	char siret[15];
	char name[64];
};

static int est_cb(void *ctx, const struct establishment *est, const struct legal_unit *u)
{
	struct seen *s = ctx;

	s->n++;
	snprintf(s->siret, sizeof s->siret, "%s", est->siret);
	snprintf(s->name, sizeof s->name, "%s", u ? u->name : "");
	return 0;
}

static void test_establishment_round_trip(void **state)
{
	struct fixture *f = *state;
	struct seen seen = {0};
	struct err e = {0};
	struct establishment bad = {.siret = "0123456740001X"};

	assert_int_equal(store_establishment_each(f->s, est_cb, &seen, &e), ERR_OK);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.siret, "01234567400012"); /* leading zero kept */
	assert_string_equal(seen.name, "BOULANGERIE MARTIN");
	assert_int_equal(store_establishment_upsert(f->s, &bad, &e), ERR_INVALID);
	assert_string_equal(e.field, "siret");
	/* Upsert replaces in place. */
	struct establishment est = {.siret = "01234567400012", .state = "F"};
	assert_int_equal(store_establishment_upsert(f->s, &est, &e), ERR_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM establishment WHERE state = 'F'"), 1);
	assert_int_equal(count(f, "SELECT siren FROM establishment"), 12345674);
}

static void test_intervention_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	const char *themes[] = {"ss_chutes_hauteur", "duree_salaires"};
	const char *provisions[] = {"R.4323-58", "L.4121-1"};
	struct followup fu = {.kind = "lettre_observations", .date = "2024-03-06",
	                      .status = "issued", .provisions = provisions, .n_provisions = 2};
	struct accident acc = {.date = "2024-03-01", .severity = "serious", .victims = 1};
	int64_t co[] = {0};
	struct intervention iv = {
		.date = "2024-03-05", .kind = "controle_site", .on_site = 1,
		.siret = "01234567400012", .author_id = f->agent, .note = "Échafaudage sans garde-corps.",
		.status = "final", .themes = themes, .n_themes = 2, .followups = &fu, .n_followups = 1,
		.accidents = &acc, .n_accidents = 1, .co_agents = co, .n_co_agents = 1,
	};
	struct err e = {0};
	int64_t id = 0;

	co[0] = f->other;
	assert_int_equal(store_intervention_insert(f->s, &iv, &id, &e), ERR_OK);
	assert_true(id > 0);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention_theme"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM followup_provision"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention_agent"), 1);
	/* The section is the author's at the intervention's date. */
	assert_int_equal(count(f, "SELECT section_id FROM intervention"), f->section);

	/* An unknown theme, after valid children were inserted: nothing stays. */
	const char *bad_themes[] = {"ss_amiante", "no_such_theme"};
	iv.themes = bad_themes;
	assert_int_not_equal(store_intervention_insert(f->s, &iv, &id, &e), ERR_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention_theme"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM followup"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM accident"), 1);

	/* Neither a siret nor a worksite: refused by the schema too. */
	iv.themes = themes;
	iv.siret = NULL;
	assert_int_equal(store_intervention_insert(f->s, &iv, &id, &e), ERR_INVALID);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention"), 1);
}

static void test_nested_transactions(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};

	assert_int_equal(store_begin(f->s, &e), ERR_OK);
	assert_int_equal(store_begin(f->s, &e), ERR_OK);
	assert_int_equal(store_meta_set(f->s, "k", "v1", &e), ERR_OK);
	assert_int_equal(store_commit(f->s, &e), ERR_OK);
	/* The inner commit wrote nothing yet. */
	assert_int_equal(count(f, "SELECT count(*) FROM meta WHERE key = 'k'"), 0);
	assert_int_equal(store_commit(f->s, &e), ERR_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM meta WHERE key = 'k'"), 1);

	assert_int_equal(store_begin(f->s, &e), ERR_OK);
	assert_int_equal(store_meta_set(f->s, "k", "v2", &e), ERR_OK);
	store_rollback(f->s);
	char *v = NULL;
	assert_int_equal(store_meta_get(f->s, "k", &v, &e), ERR_OK);
	assert_string_equal(v, "v1");
	free(v);
	assert_int_equal(store_meta_get(f->s, "missing", &v, &e), ERR_NOT_FOUND);
	assert_null(v);
	assert_int_equal(store_commit(f->s, &e), ERR_INTERNAL);
}

static void test_audit_append_only(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	sqlite3 *db;

	assert_int_equal(store_audit_append(f->s, f->agent, "test", "agent", "x", f->agent, NULL, &e),
	                 ERR_OK);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET action = 'x'", NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'test'"), 1);
}

static void test_audit_chain(void **state)
{
	struct fixture *f = *state;
	struct store_audit_report r;
	struct err e = {0};
	sqlite3 *db;

	for (int i = 0; i < 5; i++)
		assert_int_equal(store_audit_append(f->s, f->agent, "test", "x", "1", 0, NULL, &e), ERR_OK);
	assert_int_equal(store_audit_verify(f->s, &r, &e), ERR_OK);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(r.entries, 5);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	/* Swapping two entries' contents breaks the chain at the first of them. */
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update; UPDATE audit SET "
	                                  "object_id = '2' WHERE id = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_audit_verify(f->s, &r, &e), ERR_OK);
	assert_int_equal(r.first_bad_id, 3);
	assert_non_null(strstr(r.problem, "entry 3"));
}

static int nom_cb(void *ctx, const struct nomenclature_item *it)
{
	int *n = ctx;

	if (it->parent == NULL)
		n[0]++;
	else
		n[1]++;
	return 0;
}

static void test_nomenclatures(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	int themes[2] = {0}, kinds[2] = {0}, fks[2] = {0};

	assert_int_equal(store_nomenclature_each(f->s, STORE_NOM_THEME, nom_cb, themes, &e), ERR_OK);
	assert_int_equal(themes[0], 6); /* the six themes of the national report */
	assert_true(themes[1] > 20);
	assert_int_equal(store_nomenclature_each(f->s, STORE_NOM_INTERVENTION_KIND, nom_cb, kinds,
	                                         &e), ERR_OK);
	assert_int_equal(kinds[0], 7);
	assert_int_equal(store_nomenclature_each(f->s, STORE_NOM_FOLLOWUP_KIND, nom_cb, fks, &e),
	                 ERR_OK);
	assert_int_equal(fks[0], 8);
}

static void test_priority_action(void **state)
{
	struct fixture *f = *state;
	const char *themes[] = {"ss_chutes_hauteur"};
	const char *points[] = {"Garde-corps", "Harnais", "Formation"};
	struct priority_action a = {.code = "PAN-2024-CH", .title = "Chutes de hauteur",
	                            .scope = "national", .start_date = "2024-01-01",
	                            .end_date = "2024-12-31", .themes = themes, .n_themes = 1,
	                            .control_points = points, .n_control_points = 3};
	int64_t id = 0, cps[3] = {0};
	struct err e = {0};

	assert_int_equal(store_priority_action_insert(f->s, &a, &id, cps, &e), ERR_OK);
	assert_true(cps[0] > 0 && cps[1] == cps[0] + 1 && cps[2] == cps[1] + 1);
	/* A regional action without its region is refused, and nothing stays. */
	a.code = "PAR-X";
	a.scope = "regional";
	assert_int_equal(store_priority_action_insert(f->s, &a, &id, cps, &e), ERR_INVALID);
	assert_int_equal(count(f, "SELECT count(*) FROM priority_action"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM control_point"), 3);
}

static void test_sessions(void **state)
{
	struct fixture *f = *state;
	unsigned char h1[STORE_TOKEN_HASH_LEN], h2[STORE_TOKEN_HASH_LEN];
	struct store_principal p;
	struct err e = {0};

	memset(h1, 1, sizeof h1);
	memset(h2, 2, sizeof h2);
	assert_int_equal(store_session_create(f->s, h1, f->agent, "csrf-1", 1000, 1000 + 3600, &e),
	                 ERR_OK);
	assert_int_equal(store_session_find(f->s, h1, 1010, 600, &p, &e), ERR_OK);
	assert_int_equal(p.agent_id, f->agent);
	assert_int_equal(p.role, ROLE_AGENT);
	assert_string_equal(p.login, "marie.durand");
	assert_string_equal(p.csrf, "csrf-1");
	assert_string_equal(p.region_code, ""); /* the unit carries no region code here */
	/* Unknown token, idle too long, past the absolute time-out. */
	assert_int_equal(store_session_find(f->s, h2, 1010, 600, &p, &e), ERR_AUTH);
	assert_int_equal(p.agent_id, 0);
	assert_int_equal(store_session_find(f->s, h1, 1000 + 601, 600, &p, &e), ERR_AUTH);
	assert_int_equal(store_session_find(f->s, h1, 1000 + 500, 600, &p, &e), ERR_OK);
	assert_int_equal(store_session_find(f->s, h1, 1000 + 1000, 600, &p, &e), ERR_OK); /* touched */
	assert_int_equal(store_session_find(f->s, h1, 1000 + 3600, 600, &p, &e), ERR_AUTH);
	/* A disabled account's sessions stop working; logout ends a session. */
	assert_int_equal(store_session_create(f->s, h2, f->other, "csrf-2", 1000, 9000, &e), ERR_OK);
	assert_int_equal(store_agent_set_disabled(f->s, "paul.martin", 1, &e), ERR_OK);
	assert_int_equal(store_session_find(f->s, h2, 1010, 600, &p, &e), ERR_AUTH);
	assert_int_equal(store_session_delete(f->s, h1, &e), ERR_OK);
	assert_int_equal(store_session_find(f->s, h1, 1010, 600, &p, &e), ERR_AUTH);
	assert_int_equal(store_session_delete_agent(f->s, f->other, &e), ERR_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM session"), 0);
}

static int token_cb(void *ctx, const struct store_token *t)
{
	int *n = ctx;

	n[0]++;
	n[1] += t->revoked_at != NULL;
	return 0;
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	unsigned char h[STORE_TOKEN_HASH_LEN];
	struct store_principal p;
	struct err e = {0};
	int64_t id = 0;
	int n[2] = {0};

	memset(h, 7, sizeof h);
	assert_int_equal(store_token_create(f->s, h, f->agent, "export", "cst_abcd", &id, &e), ERR_OK);
	assert_int_equal(store_token_find(f->s, h, &p, &e), ERR_OK);
	assert_int_equal(p.agent_id, f->agent);
	assert_int_equal(count(f, "SELECT count(*) FROM api_token WHERE last_used_at IS NOT NULL"), 1);
	/* Only the owner revokes, once. */
	assert_int_equal(store_token_revoke(f->s, f->other, id, &e), ERR_NOT_FOUND);
	assert_int_equal(store_token_revoke(f->s, f->agent, id, &e), ERR_OK);
	assert_int_equal(store_token_revoke(f->s, f->agent, id, &e), ERR_NOT_FOUND);
	assert_int_equal(store_token_find(f->s, h, &p, &e), ERR_AUTH);
	assert_int_equal(store_token_each(f->s, f->agent, token_cb, n, &e), ERR_OK);
	assert_int_equal(n[0], 1);
	assert_int_equal(n[1], 1);
}

/* Inserts a rich intervention for the reading tests; returns its id. */
static int64_t sample_intervention(struct fixture *f, const char *date)
{
	static const char *themes[] = {"ss_chutes_hauteur", "ss_amiante", "duree_salaires"};
	static const char *provisions[] = {"R.4323-58", "L.4121-1"};
	struct followup fu[] = {
		{.kind = "mise_en_demeure", .date = "2024-03-20", .status = "issued"},
		{.kind = "lettre_observations", .date = "2024-03-06", .status = "issued",
		 .provisions = provisions, .n_provisions = 2},
	};
	struct disease dis = {.date = "2024-02-01", .table_number = "30bis", .victims = 2};
	int64_t co[1] = {f->other};
	struct intervention iv = {
		.date = date, .kind = "controle_site", .on_site = 1, .siret = "01234567400012",
		.author_id = f->agent, .note = "Note <b>confidentielle</b>", .status = "final",
		.themes = themes, .n_themes = 3, .followups = fu, .n_followups = 2,
		.diseases = &dis, .n_diseases = 1, .co_agents = co, .n_co_agents = 1,
	};
	struct err e = {0};
	int64_t id = 0;

	assert_int_equal(store_intervention_insert(f->s, &iv, &id, &e), ERR_OK);
	return id;
}

/* Child lists longer than the first allocation (8) read back whole and in order. */
static void test_read_many_children(void **state)
{
	static const char *themes[] = {
	    "ss_chutes_hauteur", "ss_amiante", "ss_chimique", "ss_machines", "ss_rps",
	    "ss_electrique", "ss_lieux_travail", "ss_vehicules", "rc_cse", "rc_syndical",
	    "ri_contrat", "ds_duree", "ds_salaire", "ef_formation", "ti_detachement",
	    "ti_dissimulation", "ti_etrangers"};
	static const char *prov[] = {"L.1", "L.2", "L.3", "L.4", "L.5", "L.6",
	                             "L.7", "L.8", "L.9", "R.10", "R.11"};
	struct fixture *f = *state;
	struct followup fu = {.kind = "lettre_observations", .date = "2024-03-06",
	                      .status = "issued", .provisions = prov, .n_provisions = 11};
	int64_t co[10];
	struct intervention iv = {
		.date = "2024-03-05", .kind = "controle_site", .on_site = 1,
		.siret = "01234567400012", .author_id = f->agent, .status = "final",
		.themes = themes, .n_themes = 17, .followups = &fu, .n_followups = 1,
		.co_agents = co, .n_co_agents = 10,
	};
	struct intervention_rec r;
	struct arena a;
	struct err e = {0};
	int64_t id = 0;

	for (int i = 0; i < 10; i++) {
		char login[32], name[32];
		struct agent ag = {.login = login, .display_name = name, .role = ROLE_AGENT};

		snprintf(login, sizeof login, "co.agent%02d", i);
		snprintf(name, sizeof name, "Co Agent %02d", i);
		assert_int_equal(store_agent_insert(f->s, &ag, &co[i], &e), ERR_OK);
	}
	assert_int_equal(store_intervention_insert(f->s, &iv, &id, &e), ERR_OK);
	arena_init(&a, 1 << 20);
	assert_int_equal(store_intervention_get(f->s, id, &a, &r, &e), ERR_OK);
	assert_int_equal(r.iv.n_themes, 17);
	assert_string_equal(r.iv.themes[0], "ds_duree"); /* sorted */
	assert_string_equal(r.iv.themes[16], "ti_etrangers");
	assert_int_equal(r.iv.n_co_agents, 10);
	for (int i = 0; i < 10; i++) {
		char name[32];

		snprintf(name, sizeof name, "Co Agent %02d", i);
		assert_int_equal(r.iv.co_agents[i], co[i]);
		assert_string_equal(r.co_agent_names[i], name);
	}
	assert_int_equal(r.iv.n_followups, 1);
	assert_int_equal(r.iv.followups[0].n_provisions, 11);
	assert_string_equal(r.iv.followups[0].provisions[0], "L.1");
	assert_string_equal(r.iv.followups[0].provisions[10], "R.11");
	arena_release(&a);
}

static void test_read_records(void **state)
{
	struct fixture *f = *state;
	struct establishment_rec er;
	struct intervention_rec r;
	struct arena a;
	struct err e = {0};
	int64_t id = sample_intervention(f, "2024-03-05");

	arena_init(&a, 1 << 20);
	assert_int_equal(store_establishment_get(f->s, "01234567400012", &a, &er, &e), ERR_OK);
	assert_string_equal(er.est.siret, "01234567400012");
	assert_string_equal(er.display_name, "BOULANGERIE MARTIN");
	assert_string_equal(er.naf_label, "Boulangerie et boulangerie-pâtisserie");
	assert_string_equal(er.department_code, "69");
	assert_string_equal(er.region_code, "84");
	assert_true(er.has_legal_unit);
	assert_string_equal(er.lu.legal_category, "5499");
	assert_int_equal(store_establishment_get(f->s, "01234567400020", &a, &er, &e), ERR_NOT_FOUND);
	assert_int_equal(store_establishment_get(f->s, "12", &a, &er, &e), ERR_INVALID);

	assert_int_equal(store_intervention_get(f->s, id, &a, &r, &e), ERR_OK);
	assert_string_equal(r.iv.date, "2024-03-05");
	assert_string_equal(r.iv.siret, "01234567400012");
	assert_string_equal(r.iv.note, "Note <b>confidentielle</b>");
	assert_string_equal(r.author_name, "Marie Durand");
	assert_string_equal(r.kind_label, "Contrôle sur site");
	assert_string_equal(r.target_name, "BOULANGERIE MARTIN");
	assert_int_equal(r.section_id, f->section);
	assert_int_equal(r.iv.n_themes, 3);
	assert_string_equal(r.iv.themes[0], "duree_salaires"); /* sorted */
	assert_int_equal(r.iv.n_co_agents, 1);
	assert_int_equal(r.iv.co_agents[0], f->other);
	assert_string_equal(r.co_agent_names[0], "Paul Martin");
	assert_int_equal(r.iv.n_followups, 2);
	assert_string_equal(r.iv.followups[0].kind, "lettre_observations"); /* by date */
	assert_int_equal(r.iv.followups[0].n_provisions, 2);
	assert_string_equal(r.iv.followups[0].provisions[0], "L.4121-1");
	assert_int_equal(r.iv.followups[1].n_provisions, 0);
	assert_int_equal(r.iv.n_diseases, 1);
	assert_string_equal(r.iv.diseases[0].table_number, "30bis");
	assert_int_equal(r.iv.diseases[0].victims, 2);
	assert_int_equal(r.iv.n_accidents, 0);
	assert_int_equal(store_intervention_get(f->s, id + 100, &a, &r, &e), ERR_NOT_FOUND);
	assert_string_equal(e.field, "id");
	arena_release(&a);

	/* A tiny arena refuses to grow rather than overflow. */
	arena_init(&a, 64);
	assert_int_equal(store_intervention_get(f->s, id, &a, &r, &e), ERR_TOO_BIG);
	arena_release(&a);
}

struct listed {
	int n;
	char dates[8][11];
};

static int list_cb(void *ctx, const struct intervention_rec *r)
{
	struct listed *l = ctx;

	if (l->n < 8)
		snprintf(l->dates[l->n], sizeof l->dates[0], "%s", r->iv.date);
	l->n++;
	return 0;
}

struct counted {
	int64_t total, on_site, kind, themes, followups;
};

static int count_cb(void *ctx, const struct store_activity_row *r)
{
	struct counted *c = ctx;

	if (strcmp(r->dimension, "total") == 0)
		c->total = r->n;
	else if (strcmp(r->dimension, "on_site") == 0)
		c->on_site = r->n;
	else if (strcmp(r->dimension, "kind") == 0 && strcmp(r->code, "controle_site") == 0)
		c->kind = r->n;
	else if (strcmp(r->dimension, "theme") == 0)
		c->themes += r->n;
	else if (strcmp(r->dimension, "followup") == 0)
		c->followups += r->n;
	return 0;
}

static void test_lists_and_activity(void **state)
{
	struct fixture *f = *state;
	struct listed l = {0};
	struct counted c = {0};
	struct err e = {0};

	sample_intervention(f, "2024-03-05");
	sample_intervention(f, "2024-04-10");
	sample_intervention(f, "2024-02-01");
	assert_int_equal(store_establishment_history(f->s, "01234567400012", 2, list_cb, &l, &e),
	                 ERR_OK);
	assert_int_equal(l.n, 2); /* limit */
	assert_string_equal(l.dates[0], "2024-04-10"); /* newest first */
	assert_string_equal(l.dates[1], "2024-03-05");

	memset(&l, 0, sizeof l);
	assert_int_equal(store_agent_interventions(f->s, f->agent, "2024-03-01", "2024-04-30",
	                                           list_cb, &l, &e), ERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.dates[0], "2024-03-05"); /* oldest first */
	/* The co-agent sees the interventions they took part in. */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_agent_interventions(f->s, f->other, "2024-01-01", "2024-12-31",
	                                           list_cb, &l, &e), ERR_OK);
	assert_int_equal(l.n, 3);

	assert_int_equal(store_agent_activity_counts(f->s, f->agent, "2024-03-01", "2024-04-30",
	                                             count_cb, &c, &e), ERR_OK);
	assert_int_equal(c.total, 2);
	assert_int_equal(c.on_site, 2);
	assert_int_equal(c.kind, 2);
	assert_int_equal(c.themes, 4);    /* two top-level themes each: santé-sécurité, durée */
	assert_int_equal(c.followups, 4);
}

static void test_update_records(void **state)
{
	struct fixture *f = *state;
	const char *themes[] = {"ss_machines"};
	const char *provisions[] = {"L.8221-1"};
	struct followup fu = {.kind = "proces_verbal", .date = "2024-04-01", .status = "draft",
	                      .provisions = provisions, .n_provisions = 1};
	struct intervention_rec r;
	struct arena a;
	struct err e = {0};
	int64_t id = sample_intervention(f, "2024-03-05"), fid = 0;
	struct intervention iv = {.date = "2024-03-07", .kind = "controle_pieces", .on_site = 0,
	                          .siret = "01234567400012", .note = "Revu.", .status = "final",
	                          .themes = themes, .n_themes = 1};

	assert_int_equal(store_intervention_update(f->s, id, &iv, &e), ERR_OK);
	assert_int_equal(store_followup_insert(f->s, id, &fu, &fid, &e), ERR_OK);
	assert_true(fid > 0);
	fu.status = "under_appeal";
	assert_int_equal(store_followup_update(f->s, id, fid, &fu, &e), ERR_OK);
	assert_int_equal(store_followup_update(f->s, id + 1, fid, &fu, &e), ERR_NOT_FOUND);
	arena_init(&a, 1 << 20);
	assert_int_equal(store_intervention_get(f->s, id, &a, &r, &e), ERR_OK);
	assert_string_equal(r.iv.date, "2024-03-07");
	assert_string_equal(r.iv.kind, "controle_pieces");
	assert_int_equal(r.iv.n_themes, 1);
	assert_int_equal(r.iv.n_co_agents, 0);
	assert_int_equal(r.iv.n_followups, 3); /* follow-ups stay */
	assert_string_equal(r.iv.followups[2].status, "under_appeal");
	assert_int_equal(r.iv.followups[2].n_provisions, 1);
	arena_release(&a);
	/* A bad theme rolls the whole update back. */
	const char *bad[] = {"nope"};
	iv.themes = bad;
	iv.note = "Changed";
	assert_int_not_equal(store_intervention_update(f->s, id, &iv, &e), ERR_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention WHERE note = 'Revu.'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM intervention_theme"), 1);
	assert_int_equal(store_intervention_update(f->s, id + 50, &iv, &e), ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_and_refdata, setup, teardown),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_login_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_find_and_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_establishment_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intervention_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nomenclatures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_action, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_many_children, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists_and_activity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_records, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

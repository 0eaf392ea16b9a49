/* Unit tests for src/stats releases on the tiny synthetic data: refusals, a frozen
 * release whose sensitive cells are all secret, the audit re-run, a late entry that
 * gives a new version protected with what was published, and late edits that do not
 * hide the new version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>

#include "gen/gen.h"
#include "http/request.h"
#include "http/router.h"
#include "stats/api-stats.h"
#include "stats/stats.h"
#include "store/store-stats.h"
#include "store/store.h"

#define TODAY "2026-03-20"

static char db_path[64];
static int64_t first_release;

static int setup(void **state)
{
	struct gen_options o = {.scale = GEN_TINY, .seed = 3, .today = TODAY};
	struct store *s = NULL;
	struct err e = {0};
	int fd;

	(void)state;
	setenv("CONSTAT_TODAY", TODAY, 1);
	snprintf(db_path, sizeof db_path, "/tmp/constat-test-stats-XXXXXX");
	fd = mkstemp(db_path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(db_path);
	if (store_open(db_path, STORE_CREATE | STORE_BULK, &s, &e) != ERR_OK ||
	    store_refdata_load(s, &e) != ERR_OK || gen_run(s, &o, &e) != ERR_OK) {
		store_close(s);
		return -1;
	}
	store_close(s);
	return 0;
}

/* Removes a test database with its WAL companions and the audit key the store made. */
static void remove_db(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", ".key"};
	char p[128];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int teardown(void **state)
{
	(void)state;
	remove_db(db_path);
	return 0;
}

static struct store *open_db(void)
{
	struct store *s = NULL;
	struct err e = {0};

	assert_int_equal(store_open(db_path, 0, &s, &e), ERR_OK);
	return s;
}

static enum err_code release(struct store *s, const char *month, struct stats_release_result *res,
                             struct err *e)
{
	struct stats_release_opts o = {.month = month};

	stats_rules_default(&o.rules);
	return stats_release_run(s, &o, res, e);
}

struct check {
	size_t cells, secret, deltas, bad;
	size_t published_zero_small;
};

static int check_cell(void *ctx, const struct store_stats_cell *c)
{
	struct check *k = ctx;

	k->cells++;
	if (strcmp(c->status, "delta") == 0) {
		k->deltas++;
		return 0;
	}
	if (strcmp(c->status, "secret") == 0) {
		k->secret++;
		if (c->reason[0] == '\0')
			k->bad++; /* a secret cell always says why */
	} else if (c->sensitive) {
		k->bad++; /* a sensitive cell is never published */
	}
	/* never a section: geo codes are FR, R.., D.., UC.. */
	if (c->geo[0] == 'S')
		k->bad++;
	return 0;
}

/* The national January cells of the priority actions: the sum of action_prioritaire's
 * categories and action_sans_point. */
struct action_sums {
	int64_t checked, unchecked;
	int found;
};

static int action_cell(void *ctx, const struct store_stats_cell *c)
{
	struct action_sums *a = ctx;

	if (strcmp(c->geo, "FR") != 0 || strcmp(c->period, "2026-01") != 0)
		return 0;
	if (strcmp(c->tbl, "action_prioritaire") == 0)
		a->checked += c->value;
	else if (strcmp(c->tbl, "action_sans_point") == 0) {
		a->unchecked += c->value;
		a->found++;
	}
	return 0;
}

/* The same counted from the records: final interventions of January on a priority action,
 * with or without a control point recorded compliant or non-compliant. */
static void action_sums_sql(struct action_sums *a)
{
	static const char sql[] =
	    "SELECT coalesce(sum(x), 0), coalesce(sum(1 - x), 0) FROM (SELECT EXISTS (SELECT 1 "
	    "FROM intervention_checkpoint c WHERE c.intervention_id = i.id AND c.state IN "
	    "('compliant', 'non_compliant')) AS x FROM intervention i WHERE i.status = 'final' "
	    "AND i.priority_action_id IS NOT NULL AND i.date BETWEEN '2026-01-01' AND "
	    "'2026-01-31')";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	a->checked = sqlite3_column_int64(st, 0);
	a->unchecked = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_refusals(void **state)
{
	struct store *s = open_db();
	struct stats_release_result res;
	struct err e = {0};

	(void)state;
	assert_int_equal(release(s, "2026-13", &res, &e), ERR_INVALID);
	assert_string_equal(e.field, "month");
	/* March closes on 15 April */
	assert_int_equal(release(s, "2026-03", &res, &e), ERR_CONFLICT);
	/* February before January */
	assert_int_equal(release(s, "2026-02", &res, &e), ERR_CONFLICT);
	{
		struct stats_release_opts o = {.month = "2026-01"};

		stats_rules_default(&o.rules);
		o.rules.threshold = 2;
		assert_int_equal(stats_release_run(s, &o, &res, &e), ERR_INVALID);
		assert_string_equal(e.field, "threshold");
	}
	store_close(s);
}

static int first_est(void *ctx, const struct establishment *est, const struct legal_unit *u)
{
	(void)u;
	if (est->state && strcmp(est->state, "A") == 0) {
		snprintf(ctx, 15, "%s", est->siret);
		return 1;
	}
	return 0;
}

static void test_release_and_late_entry(void **state)
{
	struct store *s = open_db();
	struct stats_release_result res, res2;
	struct check k = {0}, k2 = {0};
	struct err e = {0};
	char *login = NULL, siret[15] = "";
	int64_t agent = 0, id = 0;
	int passed = 0;

	(void)state;
	if (release(s, "2026-01", &res, &e) != ERR_OK)
		fail_msg("release: %s: %s", e.field, e.msg);
	assert_true(res.passed);
	assert_true(res.id > 0);
	assert_int_equal(res.version, 1);
	assert_true(res.n_secret > 0);
	assert_true(res.n_secret < res.n_cells);
	first_release = res.id;
	assert_int_equal(store_stats_cells_each(s, res.id, check_cell, &k, &e), ERR_OK);
	assert_int_equal(k.bad, 0);
	assert_int_equal(k.secret, res.n_secret);
	/* honest counting: an intervention on an action counts for it only with a control
	 * point checked, the others are counted apart (completeness) */
	{
		struct action_sums got = {0}, want = {0};

		assert_int_equal(store_stats_cells_each(s, res.id, action_cell, &got, &e), ERR_OK);
		action_sums_sql(&want);
		assert_int_equal(got.found, 1);
		assert_true(want.unchecked > 0);
		assert_int_equal(got.checked, want.checked);
		assert_int_equal(got.unchecked, want.unchecked);
	}
	/* the audit re-run over what was frozen passes */
	{
		struct stats_rules r;

		stats_rules_default(&r);
		assert_int_equal(stats_release_audit(s, res.id, &r, 0, NULL, &passed, &e), ERR_OK);
		assert_true(passed);
	}
	/* nothing changed: no new version */
	assert_int_equal(release(s, "2026-01", &res2, &e), ERR_OK);
	assert_true(res2.unchanged);
	assert_int_equal(res2.id, res.id);

	/* a late entry in January */
	assert_int_equal(store_meta_get(s, "demo.login.agent", &login, &e), ERR_OK);
	assert_int_equal(store_control_agent_id(s, login, &agent, &e), ERR_OK);
	free(login);
	assert_int_equal(store_establishment_each(s, first_est, siret, &e), ERR_OK);
	assert_true(siret[0] != '\0');
	{
		static const char *const themes[] = {"ss_amiante"};
		struct intervention iv = {
		    .date = "2026-01-20",
		    .kind = "controle_site",
		    .on_site = 1,
		    .siret = siret,
		    .author_id = agent,
		    .note = "",
		    .status = "final",
		    .themes = themes,
		    .n_themes = 1,
		};

		if (store_intervention_insert(s, &iv, &id, &e) != ERR_OK)
			fail_msg("insert: %s: %s", e.field, e.msg);
	}
	if (release(s, "2026-01", &res2, &e) != ERR_OK)
		fail_msg("new version: %s: %s", e.field, e.msg);
	assert_false(res2.unchanged);
	assert_true(res2.passed);
	assert_int_equal(res2.version, 2);
	assert_true(res2.id > res.id);
	assert_int_equal(store_stats_cells_each(s, res2.id, check_cell, &k2, &e), ERR_OK);
	assert_int_equal(k2.bad, 0);
	assert_true(k2.deltas > 0); /* the differences with version 1 are in the system */
	{
		struct stats_rules r;

		stats_rules_default(&r);
		assert_int_equal(stats_release_audit(s, res2.id, &r, 0, NULL, &passed, &e), ERR_OK);
		assert_true(passed);
	}
	store_close(s);
}

/* ---- The API, in process ---------------------------------------------------------------- */

static enum err_code allow_all(void *ctx, struct http_request *req, const struct http_route *r,
                               struct err *e)
{
	(void)ctx;
	(void)req;
	(void)r;
	(void)e;
	return ERR_OK;
}

struct who {
	struct store_principal p;
	int found;
};

static int who_cb(void *ctx, const struct agent *a)
{
	struct who *w = ctx;

	w->p.agent_id = a->id;
	w->p.role = a->role;
	w->p.scope_unit_id = a->scope_unit_id;
	w->found = 1;
	return 0;
}

/* The principal of the account named by meta key (a demo login). */
static struct store_principal principal(struct store *s, const char *meta_key)
{
	struct who w = {0};
	struct err e = {0};
	char *login = NULL;

	assert_int_equal(store_meta_get(s, meta_key, &login, &e), ERR_OK);
	assert_int_equal(store_agent_find(s, login, who_cb, &w, &e), ERR_OK);
	free(login);
	assert_true(w.found);
	return w.p;
}

/* GETs target as p; returns the status and the parsed body (caller decrefs). */
static int get(struct store *s, struct store_principal *p, const char *target, json_t **body)
{
	static const struct http_route *const tables[] = {api_stats_routes, NULL};
	struct http_router r = {tables, allow_all, NULL};
	struct http_request req;
	struct err e = {0};
	json_error_t je;
	int status;

	http_request_init(&req, 1024);
	assert_int_equal(http_request_set_target(&req, "GET", target, &e), ERR_OK);
	req.store = s;
	req.user = p;
	req.user_free = NULL;
	http_router_dispatch(&r, &req);
	status = req.resp.status;
	*body = json_loadb(req.resp.body.data, req.resp.body.len, 0, &je);
	req.user = NULL;
	http_request_release(&req);
	return status;
}

/* Every cell is either {dims, value} or {dims, secret: true}, never both; counts them. */
static size_t check_cells(const json_t *body, size_t *secret, const char *only_org)
{
	const json_t *cells = json_object_get(body, "cells"), *c;
	size_t i, n = 0;

	assert_true(json_is_array(cells));
	json_array_foreach(cells, i, c)
	{
		const json_t *v = json_object_get(c, "value"), *sec = json_object_get(c, "secret");
		const char *org =
		    json_string_value(json_object_get(json_object_get(c, "dims"), "org"));

		assert_non_null(org);
		if (only_org)
			assert_string_equal(org, only_org);
		assert_true((v != NULL) != (sec != NULL));
		if (sec) {
			assert_true(json_is_true(sec));
			(*secret)++;
		}
		n++;
	}
	return n;
}

static void test_api(void **state)
{
	struct store *s = open_db();
	struct store_principal unit_mgr, analyst, agent;
	char target[160], unit_code[64] = "";
	size_t secret = 0, n;
	json_t *body = NULL;
	struct err e = {0};

	(void)state;
	assert_true(first_release > 0);
	unit_mgr = principal(s, "demo.login.unit_manager");
	analyst = principal(s, "demo.login.analyst");
	agent = principal(s, "demo.login.agent");
	assert_int_equal(
	    store_stats_unit_code(s, unit_mgr.scope_unit_id, unit_code, sizeof unit_code, &e),
	    ERR_OK);

	assert_int_equal(get(s, &analyst, "/api/v1/stats/catalogue", &body), 200);
	assert_int_equal(json_array_size(json_object_get(body, "tables")), stats_catalogue_len);
	json_decref(body);
	assert_int_equal(get(s, &agent, "/api/v1/stats/catalogue", &body), 403);
	json_decref(body);
	assert_int_equal(get(s, &unit_mgr, "/api/v1/stats/releases", &body), 200);
	assert_true(json_array_size(json_object_get(body, "releases")) >= 1);
	json_decref(body);

	/* the unit manager: their unit only, by default and when asked */
	snprintf(target, sizeof target, "/api/v1/stats/releases/%lld/tables/activite_nature",
	         (long long)first_release);
	assert_int_equal(get(s, &unit_mgr, target, &body), 200);
	n = check_cells(body, &secret, unit_code);
	assert_true(n > 0);
	json_decref(body);
	snprintf(target, sizeof target,
	         "/api/v1/stats/releases/%lld/tables/activite_nature?scope=FR",
	         (long long)first_release);
	assert_int_equal(get(s, &unit_mgr, target, &body), 403);
	json_decref(body);
	assert_int_equal(get(s, &agent, target, &body), 403);
	json_decref(body);
	/* the analyst: the national tables, every level below */
	secret = 0;
	assert_int_equal(get(s, &analyst, target, &body), 200);
	n = check_cells(body, &secret, NULL);
	assert_true(n > 100);
	assert_true(secret > 0);
	json_decref(body);
	snprintf(target, sizeof target, "/api/v1/stats/releases/%lld/tables/nope",
	         (long long)first_release);
	assert_int_equal(get(s, &analyst, target, &body), 404);
	json_decref(body);
	assert_int_equal(get(s, &analyst, "/api/v1/stats/releases/x/tables/activite", &body), 422);
	json_decref(body);
	store_close(s);
}

struct top_secrets {
	size_t cells[2], secret[2]; /* national, region */
};

static int count_top(void *ctx, const struct store_stats_cell *c)
{
	struct top_secrets *t = ctx;
	int lv = strcmp(c->geo, "FR") == 0 ? 0 : c->geo[0] == 'R' ? 1 : -1;

	if (lv < 0 || strcmp(c->status, "delta") == 0)
		return 0;
	t->cells[lv]++;
	t->secret[lv] += strcmp(c->status, "secret") == 0;
	return 0;
}

/* Five final January interventions of five different agents change kind and become
 * office work, after every stamp so far (the ones of the other tests included). */
static void late_edits(void)
{
	static const char sql[] =
	    "UPDATE intervention SET kind = CASE kind WHEN 'controle_pieces' THEN "
	    "'controle_site' ELSE 'controle_pieces' END, on_site = 0, updated_at = "
	    "(SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(updated_at), '+1 second') FROM "
	    "intervention) WHERE id IN (SELECT min(id) FROM intervention WHERE date LIKE "
	    "'2026-01%' AND status = 'final' GROUP BY author_id ORDER BY author_id LIMIT 5)";
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 5);
	sqlite3_close(db);
}

/* A few late edits must not hide the new version: its national and region cells are
 * secret about as often as in the version before (they were 44 % secret instead of 12 %
 * when every difference an edited record touched was sensitive, zero or not). */
static void test_late_edits_new_version(void **state)
{
	struct store *s = open_db();
	struct stats_release_result before, after;
	struct stats_rules r;
	struct err e = {0};
	int passed = 0;

	(void)state;
	/* the newest version of January (the test before made two) */
	assert_int_equal(release(s, "2026-01", &before, &e), ERR_OK);
	assert_true(before.unchanged);
	store_close(s);
	late_edits();
	s = open_db();
	if (release(s, "2026-01", &after, &e) != ERR_OK)
		fail_msg("new version: %s: %s", e.field, e.msg);
	assert_false(after.unchanged);
	assert_true(after.passed);
	assert_true(after.version == before.version + 1);
	{
		struct top_secrets old = {0}, now = {0};

		assert_int_equal(store_stats_cells_each(s, before.id, count_top, &old, &e), ERR_OK);
		assert_int_equal(store_stats_cells_each(s, after.id, count_top, &now, &e), ERR_OK);
		print_message("late edits: national secret %zu -> %zu of %zu, region %zu -> %zu\n",
		              old.secret[0], now.secret[0], now.cells[0], old.secret[1],
		              now.secret[1]);
		assert_int_equal(now.cells[0], old.cells[0]);
		/* a late edit may hide a few figures it alone changed (one visit fewer in the
		 * nation is one agent's edit): at most 3 tables, month and year to date */
		assert_true(now.secret[0] <= old.secret[0] + 6);
		assert_true(now.secret[1] <= old.secret[1] + 6);
	}
	stats_rules_default(&r);
	assert_int_equal(stats_release_audit(s, after.id, &r, 0, NULL, &passed, &e), ERR_OK);
	assert_true(passed);
	store_close(s);
}

static int count_release(void *ctx, const struct store_stats_release *r)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static int stop_now(void)
{
	return 1;
}

/* The schedule (the server's release job): a stop asked before a month leaves it for
 * the next run; otherwise the closed months not released yet are released. */
static void test_due_and_stop(void **state)
{
	struct store *s = open_db();
	struct stats_rules r;
	struct err e = {0};
	int made = -1, before = 0, after = 0;

	(void)state;
	stats_rules_default(&r);
	assert_int_equal(store_stats_release_each(s, "2026", 0, count_release, &before, &e), ERR_OK);
	assert_int_equal(stats_release_due(s, &r, 2026, NULL, stop_now, &made, &e), ERR_OK);
	assert_int_equal(made, 0);
	assert_int_equal(store_stats_release_each(s, "2026", 0, count_release, &after, &e), ERR_OK);
	assert_int_equal(after, before);
	/* January is released (unchanged now); February closed on March 15 */
	if (stats_release_due(s, &r, 2026, NULL, NULL, &made, &e) != ERR_OK)
		fail_msg("due: %s: %s", e.field, e.msg);
	assert_int_equal(made, 1);
	after = 0;
	assert_int_equal(store_stats_release_each(s, "2026", 0, count_release, &after, &e), ERR_OK);
	assert_int_equal(after, before + 1);
	store_close(s);
}

/* A fresh database of tiny data (seed 5) generated up to TODAY, which is also the
 * releases' date, at a new path in /tmp (removed with remove_db). */
static struct store *tiny_db(char path[64], const char *today)
{
	struct gen_options o = {.scale = GEN_TINY, .seed = 5, .today = today};
	struct store *s = NULL;
	struct err e = {0};
	int fd;

	setenv("CONSTAT_TODAY", today, 1);
	snprintf(path, 64, "/tmp/constat-test-tiny-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(store_open(path, STORE_CREATE | STORE_BULK, &s, &e), ERR_OK);
	assert_int_equal(store_refdata_load(s, &e), ERR_OK);
	assert_int_equal(gen_run(s, &o, &e), ERR_OK);
	return s;
}

/* ---- Table design by size ----------------------------------------------------------------- */

struct design_check {
	size_t design, design_sensitive, bad;
	size_t quarter_published, quarter_design;
	size_t design_geo_cap, n_design_geo;
	char (*design_geo)[24]; /* units whose month breakdowns are by design */
};

static int design_cell(void *ctx, const struct store_stats_cell *c)
{
	struct design_check *k = ctx;
	int t = stats_table_find(c->tbl);
	int is_design = strcmp(c->reason, "design") == 0;

	if (t < 0) {
		k->bad++;
		return 0;
	}
	if (!is_design)
		return 0;
	k->design++;
	k->design_sensitive += c->sensitive != 0;
	/* only breakdowns, only the month and the year to date, always hidden */
	if (!stats_catalogue[t].by_size || strchr(c->period, 'Q') ||
	    strcmp(c->status, "secret") != 0)
		k->bad++;
	if (strcmp(c->period, "2026-03") != 0)
		return 0;
	for (size_t i = 0; i < k->n_design_geo; i++)
		if (strcmp(k->design_geo[i], c->geo) == 0)
			return 0;
	if (k->n_design_geo < k->design_geo_cap)
		snprintf(k->design_geo[k->n_design_geo++], 24, "%s", c->geo);
	return 0;
}

static int quarter_cell(void *ctx, const struct store_stats_cell *c)
{
	struct design_check *k = ctx;
	int t = stats_table_find(c->tbl);

	if (strcmp(c->period, "2026-Q1") != 0 || t < 0 || !stats_catalogue[t].by_size)
		return 0;
	for (size_t i = 0; i < k->n_design_geo; i++)
		if (strcmp(k->design_geo[i], c->geo) == 0) {
			k->quarter_published += strcmp(c->status, "published") == 0;
			k->quarter_design += strcmp(c->reason, "design") == 0;
		}
	return 0;
}

/* The breakdowns of units of fewer than rules.breakdown_agents agents are hidden by design
 * for the month and the year to date (their sensitive cells still audited), published
 * for the quarter; with the rule off there is none. Tiny data: every department and
 * control unit has fewer than 20 agents, the region more. Its own database, released up to
 * March. */
static void test_design_by_size(void **state)
{
	char path[64], geo[64][24];
	struct store *s = tiny_db(path, "2026-04-20");
	struct stats_release_result res[3];
	struct design_check k = {.design_geo = geo, .design_geo_cap = 64};
	struct err e = {0};
	int passed = 0;

	(void)state;
	for (int m = 0; m < 3; m++) {
		struct stats_release_opts ro = {.month = m == 0 ? "2026-01" : m == 1 ? "2026-02"
		                                                                      : "2026-03"};

		stats_rules_default(&ro.rules);
		if (m == 0)
			ro.rules.breakdown_agents = 0; /* off */
		if (stats_release_run(s, &ro, &res[m], &e) != ERR_OK)
			fail_msg("release %s: %s: %s", ro.month, e.field, e.msg);
		assert_true(res[m].passed);
	}
	assert_int_equal(res[0].n_design, 0);
	assert_true(res[1].n_design > 0);
	/* the nation and the region are large enough; every unit is below 20 agents */
	assert_int_equal(res[2].n_design_level[0], 0);
	assert_int_equal(res[2].n_design_level[1], 0);
	assert_true(res[2].n_design_level[3] > 0);
	assert_true(res[2].n_design <= res[2].n_secret);
	assert_int_equal(store_stats_cells_each(s, res[2].id, design_cell, &k, &e), ERR_OK);
	assert_int_equal(k.bad, 0);
	assert_int_equal(k.design, res[2].n_design);
	/* some hidden by design are also sensitive: audited like any secret */
	assert_true(k.design_sensitive > 0);
	assert_true(k.n_design_geo > 0);
	/* the same units' quarter: published (where not secret), never by design */
	assert_int_equal(store_stats_cells_each(s, res[2].id, quarter_cell, &k, &e), ERR_OK);
	assert_int_equal(k.quarter_design, 0);
	assert_true(k.quarter_published > 0);
	/* the audit re-run over the frozen cells passes */
	{
		struct stats_rules r;

		stats_rules_default(&r);
		assert_int_equal(stats_release_audit(s, res[2].id, &r, 0, NULL, &passed, &e),
		                 ERR_OK);
		assert_true(passed);
		/* a bad setting is refused, naming it */
		r.breakdown_agents = -1;
		assert_int_equal(stats_rules_check(&r, &e), ERR_INVALID);
		assert_string_equal(e.field, "breakdown_agents");
		r.breakdown_agents = 20;
		r.breakdown_agents_region = 100001;
		assert_int_equal(stats_rules_check(&r, &e), ERR_INVALID);
		assert_string_equal(e.field, "breakdown_agents_region");
	}
	store_close(s);
	remove_db(path);
	setenv("CONSTAT_TODAY", TODAY, 1);
}

/* A region under rules.breakdown_agents_region has its breakdowns by quarter, and so has
 * every unit of the same figures: in the tiny data the nation holds one region (R53, of
 * more than 40 agents), so a region size above it hides the breakdowns of both, the same
 * tables for each, and leaves the departments (several in the region, each under 20
 * agents: hidden by the unit size as before) as they were. */
static void test_design_region_size(void **state)
{
	char path[64];
	struct store *s = tiny_db(path, "2026-04-20");
	struct stats_release_result res[2];
	struct err e = {0};

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct stats_release_opts ro = {.month = "2026-01", .force_version = k};

		stats_rules_default(&ro.rules);
		if (k == 1)
			ro.rules.breakdown_agents_region = 1000;
		if (stats_release_run(s, &ro, &res[k], &e) != ERR_OK)
			fail_msg("release: %s: %s", e.field, e.msg);
		assert_true(res[k].passed);
	}
	assert_int_equal(res[0].n_design_level[0], 0);
	assert_int_equal(res[0].n_design_level[1], 0);
	assert_true(res[1].n_design_level[1] > 0);
	assert_int_equal(res[1].n_design_level[0], res[1].n_design_level[1]);
	assert_int_equal(res[1].n_design_level[2], res[0].n_design_level[2]);
	assert_int_equal(res[1].n_design_level[3], res[0].n_design_level[3]);
	store_close(s);
	remove_db(path);
	setenv("CONSTAT_TODAY", TODAY, 1);
}

/* ---- A unit grown past the size ------------------------------------------------------- */

struct growth_cell {
	char key[96]; /* table|geo|category */
	char period[12];
	int release; /* 3, 6 or 7: March, June or July */
	int published, sensitive, design;
};

struct growth {
	struct growth_cell *v;
	size_t n, cap;
	int release;
};

static int growth_collect(void *ctx, const struct store_stats_cell *c)
{
	struct growth *g = ctx;
	int t = stats_table_find(c->tbl);

	if (t < 0 || !stats_catalogue[t].by_size || strchr(c->period, 'D'))
		return 0;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 1024;
		g->v = realloc(g->v, g->cap * sizeof *g->v);
		assert_non_null(g->v);
	}
	snprintf(g->v[g->n].key, sizeof g->v[g->n].key, "%s|%s|%s", c->tbl, c->geo, c->cat);
	snprintf(g->v[g->n].period, sizeof g->v[g->n].period, "%s", c->period);
	g->v[g->n].release = g->release;
	g->v[g->n].published = strcmp(c->status, "published") == 0;
	g->v[g->n].sensitive = c->sensitive;
	g->v[g->n].design = strcmp(c->reason, "design") == 0;
	g->n++;
	return 0;
}

static const struct growth_cell *growth_find(const struct growth *g, int release,
                                             const char *period, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].release == release && strcmp(g->v[i].period, period) == 0 &&
		    strcmp(g->v[i].key, key) == 0)
			return &g->v[i];
	return NULL;
}

/* 1 when the cell of KEY for PERIOD in RELEASE was published. */
static int growth_published(const struct growth *g, int release, const char *period,
                            const char *key)
{
	const struct growth_cell *c = growth_find(g, release, period, key);

	return c != NULL && c->published;
}

/* Every unit publishes its breakdowns by quarter only until June, then monthly from July
 * (as a unit that grows past the size does; here the size is turned off). June's year to
 * date is known (published, or the sum of the quarters), so where July's month is
 * sensitive, July's year to date must not be published: it would give the month by
 * difference (by_design keeps a grown unit's year to date by quarter to the year's end).
 * Checked on the cells themselves, not through the audit. */
static void test_design_growth(void **state)
{
	static const char *const months[] = {"2026-01", "2026-02", "2026-03", "2026-04",
	                                     "2026-05", "2026-06", "2026-07"};
	char path[64];
	struct store *s = tiny_db(path, "2026-08-20");
	struct stats_release_result res;
	struct growth g = {0};
	struct err e = {0};
	size_t exposed = 0, leaks = 0, grown = 0;

	(void)state;
	for (int m = 0; m < 7; m++) {
		struct stats_release_opts ro = {.month = months[m]};

		stats_rules_default(&ro.rules);
		if (m == 6)
			ro.rules.breakdown_agents = 0;
		if (stats_release_run(s, &ro, &res, &e) != ERR_OK)
			fail_msg("release %s: %s: %s", ro.month, e.field, e.msg);
		assert_true(res.passed);
		if (m == 2 || m == 5 || m == 6) {
			g.release = m + 1;
			assert_int_equal(store_stats_cells_each(s, res.id, growth_collect, &g, &e),
			                 ERR_OK);
		}
	}
	for (size_t i = 0; i < g.n; i++) {
		const char *k = g.v[i].key;
		const struct growth_cell *before;
		int june;

		/* a month by quarter only in June, published monthly in July */
		if (g.v[i].release == 7 && strcmp(g.v[i].period, "2026-07") == 0 && !g.v[i].design &&
		    (before = growth_find(&g, 6, "2026-06", k)) != NULL && before->design)
			grown++;

		if (g.v[i].release != 7 || strcmp(g.v[i].period, "2026-07") != 0 ||
		    !g.v[i].sensitive)
			continue;
		june = growth_published(&g, 6, "2026-C06", k) ||
		       ((growth_published(&g, 3, "2026-Q1", k) ||
		         growth_published(&g, 3, "2026-C03", k)) &&
		        growth_published(&g, 6, "2026-Q2", k));
		if (!june)
			continue;
		exposed++;
		if (growth_published(&g, 7, "2026-C07", k)) {
			print_message("July's %s given by the year to date\n", k);
			leaks++;
		}
	}
	assert_true(grown > 0);
	assert_true(exposed > 0);
	assert_int_equal(leaks, 0);
	free(g.v);
	store_close(s);
	remove_db(path);
	setenv("CONSTAT_TODAY", TODAY, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_release_and_late_entry),
	    cmocka_unit_test(test_api),
	    cmocka_unit_test(test_late_edits_new_version),
	    cmocka_unit_test(test_due_and_stop),
	    cmocka_unit_test(test_design_by_size),
	    cmocka_unit_test(test_design_region_size),
	    cmocka_unit_test(test_design_growth),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

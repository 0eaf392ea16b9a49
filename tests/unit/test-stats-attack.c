/* The attacker test: with a manager's rights, take every cell the server lets them see
 * (all tables, all periods, all versions of the year), add what a manager plausibly
 * knows (which agents are in each unit of their subtree, who was absent the whole
 * month), and solve with GLPK for each agent's value in each unit-level cell of each
 * month and each agent's monthly total. No agent's value may be pinned within +-1
 * (an interval of width 2 or less), except a proven zero (a published zero of a group of
 * at least three agents present: accepted group information, docs/STATISTICS.md).
 * Tiny scale by default; CONSTAT_STATS_ATTACK_SCALE=small for the small scale. */
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

#include "core/date.h"
#include "gen/gen.h"
#include "stats/stats.h"
#include "store/store-stats.h"
#include "store/store.h"

#define TODAY "2026-07-20"
#define N_MONTHS 6 /* January to June: two quarters */
#define MAX_AGENTS 64

static char db_path[64];
static int64_t last_release;
static int64_t month_release[N_MONTHS + 1]; /* the newest release of each month (1..) */

/* Late entries in March after its release: five final interventions of five different
 * agents change kind and become office work, a draft is validated (a stamp after every
 * generated one). The new version of March is what the attack then sees, with the first
 * version and the differences between them; April to June follow. */
static const char late_sql[] =
    "UPDATE intervention SET kind = CASE kind WHEN 'controle_pieces' THEN 'controle_site' "
    "ELSE 'controle_pieces' END, on_site = 0, updated_at = '2026-07-21T03:00:00Z' WHERE id IN "
    "(SELECT min(id) FROM intervention WHERE date LIKE '2026-03%' AND status = 'final' "
    "GROUP BY author_id ORDER BY author_id LIMIT 5);"
    "UPDATE intervention SET status = 'final', updated_at = '2026-07-21T03:00:00Z' WHERE id IN "
    "(SELECT id FROM intervention WHERE date LIKE '2026-03%' AND status = 'draft' "
    "ORDER BY id LIMIT 1);";

static int late_entries(void)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	if (sqlite3_open(db_path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	rc = sqlite3_exec(db, late_sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "late entries: %s\n", msg ? msg : "?");
	sqlite3_free(msg);
	if (rc == SQLITE_OK && sqlite3_changes(db) != 1)
		rc = SQLITE_ERROR;
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int setup(void **state)
{
	struct gen_options o = {.scale = GEN_TINY, .seed = 1, .today = TODAY};
	const char *scale = getenv("CONSTAT_STATS_ATTACK_SCALE");
	/* March twice: its second version after the late entries */
	static const char *const months[] = {"2026-01", "2026-02", "2026-03", "2026-03",
	                                     "2026-04", "2026-05", "2026-06"};
	struct store *s = NULL;
	struct err e = {0};
	int fd;

	(void)state;
	/* CONSTAT_STATS_ATTACK_SCALE=small runs the same attack on the small scale (minutes,
	 * not part of the default suite) */
	if (scale && gen_scale_parse(scale, &o.scale) != 0)
		return -1;
	setenv("CONSTAT_TODAY", TODAY, 1);
	snprintf(db_path, sizeof db_path, "/tmp/constat-test-attack-XXXXXX");
	fd = mkstemp(db_path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(db_path);
	if (store_open(db_path, STORE_CREATE | STORE_BULK, &s, &e) != ERR_OK ||
	    store_refdata_load(s, &e) != ERR_OK || gen_run(s, &o, &e) != ERR_OK)
		goto fail;
	for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
		struct stats_release_opts ro = {.month = months[i]};
		struct stats_release_result res;
		int m = (int)strtol(months[i] + 5, NULL, 10);

		if (i == 3) {
			/* a new version of March after late entries */
			store_close(s);
			s = NULL;
			if (late_entries() != 0 ||
			    store_open(db_path, STORE_CREATE | STORE_BULK, &s, &e) != ERR_OK)
				goto fail;
		}
		stats_rules_default(&ro.rules);
		if (stats_release_run(s, &ro, &res, &e) != ERR_OK || !res.passed ||
		    res.version != (i == 3 ? 2 : 1))
			goto fail;
		last_release = res.id;
		month_release[m] = res.id;
	}
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "setup: %s: %s\n", e.field, e.msg);
	store_close(s);
	return -1;
}

static int teardown(void **state)
{
	char p[80];

	(void)state;
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
	return 0;
}

/* The fields of a key "TAG|PERIOD|TABLE|GEO|CAT" into buf. */
static int key_fields(const char *key, char *buf, size_t n, char *f[5])
{
	int k = 0;
	char *p;

	snprintf(buf, n, "%s", key);
	for (p = buf; k < 5; k++) {
		char *bar = strchr(p, '|');

		f[k] = p;
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	return k == 4 ? 0 : -1;
}

static int below(const struct stats_frame *f, int g, int root)
{
	for (int depth = 0; g >= 0 && depth < 16; depth++) {
		if (g == root)
			return 1;
		g = f->geo_parent[g];
	}
	return 0;
}

struct present {
	const struct stats_frame *f;
	int64_t agents[256][MAX_AGENTS]; /* per geo (units only; tiny has few) */
	int n[256];
};

static int present_cb(void *ctx, const char *unit, int64_t agent, int64_t days)
{
	struct present *p = ctx;
	int g = stats_frame_geo(p->f, unit);

	if (g < 0 || g >= 256 || days <= 0 || p->n[g] >= MAX_AGENTS)
		return 0;
	for (int i = 0; i < p->n[g]; i++)
		if (p->agents[g][i] == agent)
			return 0;
	p->agents[g][p->n[g]++] = agent;
	return 0;
}

/* Agent-level tables: additive, with margins or bounds per agent. */
static const char *const agent_tables[] = {"activite",     "activite_nature",
                                           "activite_theme", "suites",
                                           "suites_theme", "action_prioritaire"};

/* Per agent: follow-ups by theme each at most the agent's follow-ups, and together at
 * least them (every intervention has a theme or "aucun"). */
static void agent_cover(struct stats_system *s, const struct stats_frame *f, int64_t agent,
                        const char *tag, const char *period, const char *geo)
{
	uint32_t cells[2 * 32 + 1], themes[32];
	int32_t coef[2 * 32 + 1];
	uint32_t n = 0, nt = 0;

	for (size_t c = 0; c < f->n_cat[STATS_DIM_FOLLOWUP] && n < 32; c++) {
		char ak[300];
		int64_t x;

		snprintf(ak, sizeof ak, "agent%lld|%s|%s|suites|%s|%s", (long long)agent, tag,
		         period, geo, f->cat[STATS_DIM_FOLLOWUP][c]);
		if ((x = stats_system_find(s, ak)) >= 0) {
			cells[n] = (uint32_t)x;
			coef[n++] = -1;
		}
	}
	for (size_t c = 0; c < f->n_cat[STATS_DIM_THEME] && nt < 32; c++) {
		char ak[300];
		int64_t x;

		snprintf(ak, sizeof ak, "agent%lld|%s|%s|suites_theme|%s|%s", (long long)agent,
		         tag, period, geo, f->cat[STATS_DIM_THEME][c]);
		if ((x = stats_system_find(s, ak)) >= 0)
			themes[nt++] = (uint32_t)x;
	}
	if (n == 0 || nt == 0)
		return;
	/* theme - sum(kinds) <= 0 */
	for (uint32_t k = 0; k < nt; k++) {
		cells[n] = themes[k];
		coef[n] = 1;
		stats_system_rel(s, STATS_LE, cells, coef, n + 1);
	}
	/* sum(kinds) - sum(themes) <= 0 */
	for (uint32_t k = 0; k < n; k++)
		coef[k] = 1;
	for (uint32_t k = 0; k < nt; k++) {
		cells[n + k] = themes[k];
		coef[n + k] = -1;
	}
	stats_system_rel(s, STATS_LE, cells, coef, n + nt);
}

static int keep_author(void *ctx, const struct stats_rec *r)
{
	return r->author == *(const int64_t *)ctx;
}

/* An inspecting manager knows their own activity: the insider's part of each cell of unit
 * g in month m (from the records of the month, aggregated with the product's code) is
 * published in the attack's system; returns the number of parts fixed. */
static size_t fix_own_parts(struct store *st, const struct stats_frame *f,
                            struct stats_system *s, int64_t insider, int m, size_t g,
                            const char *tag)
{
	struct stats_system x;
	struct stats_block b;
	struct stats_rec *recs = NULL;
	struct err e = {0};
	char from[16], to[16], period[16];
	size_t n_recs = 0, fixed = 0;

	snprintf(from, sizeof from, "2026-%02d-01", m);
	snprintf(to, sizeof to, "2026-%02d-%02d", m, date_days_in_month(2026, m));
	snprintf(period, sizeof period, "2026-%02d", m);
	stats_system_init(&x);
	assert_int_equal(stats_recs_load(st, f, from, to, &recs, &n_recs, &e), ERR_OK);
	assert_int_equal(stats_block_init(&x, f, &b, "own", period, NULL, 1, &e), ERR_OK);
	assert_int_equal(stats_block_aggregate(&x, f, &b, recs, n_recs, keep_author, &insider, &e),
	                 ERR_OK);
	for (size_t ti = 0; ti < sizeof agent_tables / sizeof agent_tables[0]; ti++) {
		int t = stats_table_find(agent_tables[ti]);
		enum stats_dim d = stats_catalogue[t].dim;

		for (size_t c = 0; c < f->n_cat[d]; c++) {
			uint32_t own = stats_block_cell(f, &b, (size_t)t, g, c);
			char ak[300];
			int64_t cell;

			snprintf(ak, sizeof ak, "agent%lld|%s|%s|%s|%s|%s", (long long)insider, tag,
			         period, agent_tables[ti], f->geo_code[g], f->cat[d][c]);
			if ((cell = stats_system_find(s, ak)) < 0)
				continue;
			s->cells[cell].value = own == UINT32_MAX ? 0 : x.cells[own].value;
			s->cells[cell].status = STATS_PUBLISHED;
			s->cells[cell].sensitive = 0;
			fixed++;
		}
	}
	stats_block_release(&b);
	stats_system_release(&x);
	free(recs);
	return fixed;
}

static void add_cell(struct stats_system *s, const char *key, uint32_t *idx)
{
	int created;

	assert_int_equal(stats_system_cell(s, key, idx, &created, NULL), ERR_OK);
	s->cells[*idx].status = STATS_SUPPRESSED;
	s->cells[*idx].sensitive = 1;
	s->cells[*idx].level = 3;
}

/* The attack for a manager scoped at org code scope, on the agents' values of the first
 * `months` months (every release up to June is seen whatever it is); returns the number
 * of agent values pinned, *checked the number solved. publish_all: the attack on the same
 * data with no cell hidden (the control: it must pin some). */
static size_t attack(struct store *st, const char *scope, int publish_all, int months,
                     int64_t insider, size_t *checked)
{
	struct stats_system s;
	struct stats_frame f;
	struct stats_rules r;
	struct stats_audit a = {0};
	struct err e = {0};
	char month[8];
	int root;
	size_t n_agent_cells = 0, pinned = 0, first_agent, n_own = 0;

	stats_rules_default(&r);
	assert_int_equal(stats_release_system(st, last_release, &f, &s, month, &e), ERR_OK);
	root = stats_frame_geo(&f, scope);
	assert_true(root >= 0);
	/* what the manager sees: published cells of their subtree; the rest is unknown */
	for (size_t i = 0; i < s.n_cells; i++) {
		char buf[256], *fl[5];
		struct stats_cell *c = &s.cells[i];

		/* the attacker assumes no late entries where there were too few to matter:
		 * differences that are not sensitive are known (0 in practice) */
		if (c->status == STATS_VIRTUAL && !c->sensitive)
			c->known = 1;
		c->sensitive = 0;
		if (publish_all && c->status == STATS_SUPPRESSED)
			c->status = STATS_PUBLISHED;
		if (key_fields(c->key, buf, sizeof buf, fl) != 0)
			continue;
		if (!below(&f, stats_frame_geo(&f, fl[3]), root) && c->status == STATS_PUBLISHED)
			c->status = STATS_SUPPRESSED;
	}
	first_agent = s.n_cells;
	/* agent-level unknowns for each month, in its newest version (March: version 2) */
	for (int m = 1; m <= months; m++) {
		struct present *p = calloc(1, sizeof *p);
		char from[32], to[32], period[32], tag[32];

		assert_non_null(p);
		p->f = &f;
		snprintf(from, sizeof from, "2026-%02d-01", m);
		snprintf(to, sizeof to, "2026-%02d-%02d", m, date_days_in_month(2026, m));
		snprintf(period, sizeof period, "2026-%02d", m);
		snprintf(tag, sizeof tag, "r%lld", (long long)month_release[m]);
		assert_int_equal(store_stats_presence(st, from, to, present_cb, p, &e), ERR_OK);
		for (size_t g = 0; g < f.n_geo && g < 256; g++) {
			if (f.geo_level[g] != 3 || !below(&f, (int)g, root) || p->n[g] == 0)
				continue;
			for (size_t ti = 0; ti < sizeof agent_tables / sizeof agent_tables[0];
			     ti++) {
				int t = stats_table_find(agent_tables[ti]);
				enum stats_dim d = stats_catalogue[t].dim;

				for (size_t c = 0; c < f.n_cat[d]; c++) {
					char key[256];
					int64_t cell;
					uint32_t cells[MAX_AGENTS + 1];
					int32_t coef[MAX_AGENTS + 1];

					snprintf(key, sizeof key, "%s|%s|%s|%s|%s", tag, period,
					         agent_tables[ti], f.geo_code[g], f.cat[d][c]);
					if ((cell = stats_system_find(&s, key)) < 0)
						continue;
					cells[0] = (uint32_t)cell;
					coef[0] = 1;
					for (int k = 0; k < p->n[g]; k++) {
						char ak[300];

						snprintf(ak, sizeof ak, "agent%lld|%s",
						         (long long)p->agents[g][k], key);
						add_cell(&s, ak, &cells[k + 1]);
						coef[k + 1] = -1;
						n_agent_cells++;
					}
					/* the cell is the sum of its agents' parts */
					stats_system_rel(&s, STATS_EQ, cells, coef,
					                 (uint32_t)p->n[g] + 1);
				}
			}
			/* per agent: kinds sum to the total; themes and actions below it */
			for (int k = 0; k < p->n[g]; k++) {
				char tk[300];
				int64_t total;
				uint32_t cells[64];
				int32_t coef[64];
				uint32_t n = 0;

				snprintf(tk, sizeof tk, "agent%lld|%s|%s|activite|%s|_",
				         (long long)p->agents[g][k], tag, period, f.geo_code[g]);
				if ((total = stats_system_find(&s, tk)) < 0)
					continue;
				cells[n] = (uint32_t)total;
				coef[n++] = 1;
				for (size_t c = 0; c < f.n_cat[STATS_DIM_KIND] && n < 64; c++) {
					char ak[300];
					int64_t x;

					snprintf(ak, sizeof ak,
					         "agent%lld|%s|%s|activite_nature|%s|%s",
					         (long long)p->agents[g][k], tag, period,
					         f.geo_code[g], f.cat[STATS_DIM_KIND][c]);
					if ((x = stats_system_find(&s, ak)) >= 0) {
						cells[n] = (uint32_t)x;
						coef[n++] = -1;
					}
				}
				stats_system_rel(&s, STATS_EQ, cells, coef, n);
				agent_cover(&s, &f, p->agents[g][k], tag, period, f.geo_code[g]);
				for (int dd = 0; dd < 2; dd++) {
					enum stats_dim d = dd ? STATS_DIM_ACTION : STATS_DIM_THEME;
					const char *tn =
					    dd ? "action_prioritaire" : "activite_theme";

					for (size_t c = 0; c < f.n_cat[d]; c++) {
						char ak[300];
						int64_t x;

						snprintf(ak, sizeof ak, "agent%lld|%s|%s|%s|%s|%s",
						         (long long)p->agents[g][k], tag, period,
						         tn, f.geo_code[g], f.cat[d][c]);
						if ((x = stats_system_find(&s, ak)) >= 0) {
							uint32_t le[2] = {(uint32_t)x,
							                  (uint32_t)total};
							int32_t lc[2] = {1, -1};

							stats_system_rel(&s, STATS_LE, le, lc, 2);
						}
					}
				}
			}
			for (int k = 0; insider != 0 && k < p->n[g]; k++)
				if (p->agents[g][k] == insider)
					n_own += fix_own_parts(st, &f, &s, insider, m, g, tag);
		}
		free(p);
	}
	if (insider != 0)
		assert_true(n_own > 0);
	stats_system_finish(&s);
	assert_int_equal(stats_audit_run(&s, &r, &a, &e), ERR_OK);
	for (size_t i = 0; i < a.n; i++) {
		const struct stats_interval *iv = &a.iv[i];

		if (iv->cell < first_agent)
			continue;
		/* pinned within +-1, and not a proven zero */
		if (iv->hi - iv->lo <= 2.0 + 1e-6 && iv->hi > 1e-6) {
			if (pinned < 10)
				print_message("pinned: %s in [%g, %g]\n", s.cells[iv->cell].key,
				              iv->lo, iv->hi);
			pinned++;
		}
	}
	print_message("attack from %s%s%s: %zu agent values solved (%zu LP), %zu pinned\n", scope,
	              insider != 0 ? " by an agent who knows their own" : "",
	              publish_all ? " on unprotected tables" : "", n_agent_cells - n_own, a.n_lp,
	              pinned);
	stats_audit_release(&a);
	stats_frame_release(&f);
	stats_system_release(&s);
	*checked = n_agent_cells - n_own;
	return pinned;
}

static void test_region_manager(void **state)
{
	struct store *s = NULL;
	struct err e = {0};

	(void)state;
	size_t n = 0;

	assert_int_equal(store_open(db_path, STORE_READONLY, &s, &e), ERR_OK);
	/* the first quarter's agents against everything published to June (the months and
	 * the quarter that carry earlier secrets); all six months cost minutes here, and the
	 * small unit's manager below takes them all */
	assert_int_equal(attack(s, "R53", 0, 3, 0, &n), 0);
	assert_true(n > 1000);
	store_close(s);
}

/* The manager of the unit of three sections (the smallest): sees only their unit. */
static void test_small_unit_manager(void **state)
{
	struct store *s = NULL;
	struct stats_frame f;
	struct err e = {0};
	char from[] = "2026-01-01", to[] = "2026-06-30";

	(void)state;
	assert_int_equal(store_open(db_path, STORE_READONLY, &s, &e), ERR_OK);
	assert_int_equal(stats_frame_load(s, from, to, &f, &e), ERR_OK);
	{
		struct present *p = calloc(1, sizeof *p);
		int small = -1;
		size_t n = 0;

		assert_non_null(p);
		p->f = &f;
		assert_int_equal(store_stats_presence(s, from, to, present_cb, p, &e), ERR_OK);
		for (size_t g = 0; g < f.n_geo && g < 256; g++)
			if (f.geo_level[g] == 3 && p->n[g] > 0 &&
			    (small < 0 || p->n[g] < p->n[small]))
				small = (int)g;
		assert_true(small >= 0);
		assert_true(p->n[small] <= 4);
		assert_int_equal(attack(s, f.geo_code[small], 0, N_MONTHS, 0, &n), 0);
		assert_true(n > 0);
		/* the control: without disclosure control the same attack pins agents */
		assert_true(attack(s, f.geo_code[small], 1, N_MONTHS, 0, &n) > 0);
		/* a manager who inspects knows their own activity: each agent of the unit in
		 * turn */
		for (int k = 0; k < p->n[small]; k++) {
			assert_int_equal(attack(s, f.geo_code[small], 0, N_MONTHS,
			                        p->agents[small][k], &n),
			                 0);
			assert_true(n > 0);
		}
		free(p);
	}
	stats_frame_release(&f);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_region_manager),
	    cmocka_unit_test(test_small_unit_manager),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Unit tests for src/stats/ilo (the ILO Convention 81 annual report) on a small database
 * built by hand: staff, registry and provisions checked against values computed by hand
 * in the comments, activity figures taken from hand-written releases (newest version of
 * the newest month, secret cells staying secret), provisions under the threshold or
 * dominated absent, item (a) written with its audit entry, and the writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "stats/ilo.h"
#include "stats/stats.h"
#include "store/store-ilo.h"
#include "store/store-stats.h"
#include "store/store.h"

static char db_path[64];
static int64_t agent_ids[8];

/* ---- The small database ------------------------------------------------------------- */

static int64_t unit(struct store *s, int64_t parent, enum org_level level, const char *code,
                    const char *region, const char *dept)
{
	struct org_unit u = {.parent_id = parent,
	                     .level = level,
	                     .code = code,
	                     .name = code,
	                     .region_code = region,
	                     .department_code = dept,
	                     .valid_from = "2000-01-01"};
	struct err e = {0};
	int64_t id = 0;

	if (store_org_unit_insert(s, &u, &id, &e) != ERR_OK)
		fail_msg("org %s: %s", code, e.msg);
	return id;
}

static int64_t agent(struct store *s, const char *login, enum role role, const char *sex,
                     const char *grade)
{
	struct agent a = {.login = login, .display_name = login, .role = role, .sex = sex,
	                  .grade = grade};
	struct err e = {0};
	int64_t id = 0;

	if (store_agent_insert(s, &a, &id, &e) != ERR_OK)
		fail_msg("agent %s: %s", login, e.msg);
	return id;
}

static void assign(struct store *s, int64_t agent_id, int64_t section, const char *from,
                   const char *to, double fte)
{
	struct assignment a = {.agent_id = agent_id, .section_id = section, .start_date = from,
	                       .end_date = to, .fte = fte};
	struct err e = {0};

	if (store_assignment_insert(s, &a, &e) != ERR_OK)
		fail_msg("assignment: %s", e.msg);
}

static void establishment(struct store *s, const char *siret, const char *commune,
                          const char *band, const char *state)
{
	char siren[10];
	struct establishment est = {.siret = siret, .siren = siren, .nic = siret + 9,
	                            .diffusion = "O", .headcount_band = band,
	                            .commune_code = commune, .state = state, .naf = "56.10A"};
	struct err e = {0};

	memcpy(siren, siret, 9);
	siren[9] = '\0';
	if (store_establishment_upsert(s, &est, &e) != ERR_OK)
		fail_msg("establishment %s: %s", siret, e.msg);
}

/* One intervention of author on date with one follow-up citing provision (none: NULL). */
static void cite(struct store *s, int64_t author, const char *date, const char *provision,
                 const char *iv_status, const char *fu_status)
{
	const char *const provs[] = {provision};
	struct followup fu = {.kind = "mise_en_demeure", .date = date, .status = fu_status,
	                      .provisions = provision ? provs : NULL,
	                      .n_provisions = provision ? 1 : 0};
	struct intervention iv = {.date = date, .kind = "controle_site", .on_site = 1,
	                          .siret = "12345678900011", .author_id = author, .note = "",
	                          .status = iv_status, .followups = &fu, .n_followups = 1};
	struct err e = {0};
	int64_t id = 0;

	if (store_intervention_insert(s, &iv, &id, &e) != ERR_OK)
		fail_msg("intervention: %s: %s", e.field, e.msg);
}

struct cells {
	const struct store_stats_cell *c;
	size_t n, i;
};

static int next_cell(void *ctx, struct store_stats_cell *c)
{
	struct cells *x = ctx;

	if (x->i >= x->n)
		return 0;
	*c = x->c[x->i++];
	return 1;
}

static void release(struct store *s, const char *month, int version,
                    const struct store_stats_cell *c, size_t n)
{
	struct store_stats_release r = {.month = month, .version = version,
	                                .created_at = "2026-04-16T00:00:00Z",
	                                .data_stamp = "2026-04-01T00:00:00Z", .n_cells = n};
	struct cells x = {c, n, 0};
	struct err e = {0};
	int64_t id;

	if (store_stats_release_write(s, &r, next_cell, &x, &id, &e) != ERR_OK)
		fail_msg("release %s: %s", month, e.msg);
}

#define PUB(p, t, g, c, v) {p, t, g, c, v, "published", 0, ""}
#define SEC(p, t, g, c, v) {p, t, g, c, v, "secret", 1, "threshold"}

static int setup(void **state)
{
	struct store *s = NULL;
	struct err e = {0};
	int64_t fr, r84, r11, d69, d75, u69, u75, s69a, s69b, s69c, s69d, s69e, s75a, s75b;
	int fd;

	(void)state;
	snprintf(db_path, sizeof db_path, "/tmp/constat-test-ilo-XXXXXX");
	fd = mkstemp(db_path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(db_path);
	if (store_open(db_path, STORE_CREATE, &s, &e) != ERR_OK ||
	    store_refdata_load(s, &e) != ERR_OK) {
		store_close(s);
		return -1;
	}
	fr = unit(s, 0, ORG_NATIONAL, "FR", NULL, NULL);
	r84 = unit(s, fr, ORG_REGION, "R84", "84", NULL);
	r11 = unit(s, fr, ORG_REGION, "R11", "11", NULL);
	d69 = unit(s, r84, ORG_DEPARTMENT, "D69", "84", "69");
	d75 = unit(s, r11, ORG_DEPARTMENT, "D75", "11", "75");
	u69 = unit(s, d69, ORG_UNIT, "UC69-01", "84", "69");
	u75 = unit(s, d75, ORG_UNIT, "UC75-01", "11", "75");
	s69a = unit(s, u69, ORG_SECTION, "S69-01-1", "84", "69");
	s69b = unit(s, u69, ORG_SECTION, "S69-01-2", "84", "69");
	s69c = unit(s, u69, ORG_SECTION, "S69-01-3", "84", "69");
	s69d = unit(s, u69, ORG_SECTION, "S69-01-4", "84", "69");
	s69e = unit(s, u69, ORG_SECTION, "S69-01-5", "84", "69");
	s75a = unit(s, u75, ORG_SECTION, "S75-01-1", "11", "75");
	s75b = unit(s, u75, ORG_SECTION, "S75-01-2", "11", "75");

	/* Staff in 2026 (a year of 365 days):
	 * a1 F inspecteur  R84 from 2025, FTE 1
	 * a2 F controleur  R84 from 2025-06-01 at 0.8
	 * a3 M inspecteur  R84 from 2025, FTE 1
	 * a4 (no sex, no grade) R84 2026-01-01..2026-06-30 (181 days)
	 * a5 M inspecteur  R11 2026-01-01..2026-03-31 (90 days), then R84 at 0.5 (275 days):
	 *    counted once, in R84 (the latest)
	 * a6 F inspecteur  R11 until 2025-12-31: not counted
	 * a7 a manager: not counted
	 * => 5 agents, F 2, M 2, unknown 1; inspecteurs 3, contrôleurs 1, unknown 1;
	 *    FTE 1 + 0.8 + 1 + 181/365 + 90/365 + 0.5 * 275/365 = 3.919178... */
	agent_ids[1] = agent(s, "a1", ROLE_AGENT, "F", "inspecteur");
	agent_ids[2] = agent(s, "a2", ROLE_AGENT, "F", "controleur");
	agent_ids[3] = agent(s, "a3", ROLE_AGENT, "M", "inspecteur");
	agent_ids[4] = agent(s, "a4", ROLE_AGENT, NULL, NULL);
	agent_ids[5] = agent(s, "a5", ROLE_AGENT, "M", "inspecteur");
	agent_ids[6] = agent(s, "a6", ROLE_AGENT, "F", "inspecteur");
	agent_ids[7] = agent(s, "a7", ROLE_MANAGER, "F", NULL);
	assign(s, agent_ids[1], s69a, "2025-01-01", NULL, 1.0);
	assign(s, agent_ids[2], s69b, "2025-06-01", NULL, 0.8);
	assign(s, agent_ids[3], s69c, "2025-01-01", NULL, 1.0);
	assign(s, agent_ids[4], s69d, "2026-01-01", "2026-06-30", 1.0);
	assign(s, agent_ids[5], s75a, "2026-01-01", "2026-03-31", 1.0);
	assign(s, agent_ids[5], s69e, "2026-04-01", NULL, 0.5);
	assign(s, agent_ids[6], s75b, "2020-01-01", "2025-12-31", 1.0);
	assign(s, agent_ids[7], s69a, "2020-01-01", NULL, 1.0);

	/* Registry: active ones are 5; employers (band 01 and more) 3; band unknown 1;
	 * workers low 0 + 10 + 10000 + 1 = 10011, high 0 + 19 + 10000 + 2 = 10021,
	 * central (0 + 29 + 20000 + 3) / 2 = 10016. R84: 2, R11: 2, commune unknown: 1. */
	establishment(s, "12345678900011", "69123", "00", "A");
	establishment(s, "12345678900029", "69123", "11", "A");
	establishment(s, "22345678900010", "75056", "53", "A");
	establishment(s, "22345678900028", "75056", NULL, "A");
	establishment(s, "32345678900019", "69123", "12", "F");
	establishment(s, "42345678900018", NULL, "01", "A");

	/* Provisions cited in 2026 (final interventions, follow-ups not drafts):
	 * L.4121-1 by a1 2, a2 2, a3 2: 3 agents, 6 citations, no dominance: published
	 * R.4323-58 by a1 1, a2 1: 2 agents: absent
	 * L.8221-1 by a1 10, a2 1, a3 1: 12 - 10 - 1 = 1 < 25 % of 10: dominated, absent
	 * L.3121-1 by a1, a2, a3 in draft follow-ups: absent
	 * L.5555-5 by a1, a2, a3 in draft interventions: absent
	 * L.1111-1 by a1, a2, a3 in 2025: absent from 2026
	 * L.4121-1 again by a1, a2, a3 in May: after the months released, not counted */
	for (int k = 1; k <= 3; k++) {
		cite(s, agent_ids[k], "2026-02-10", "L.4121-1", "final", "issued");
		cite(s, agent_ids[k], "2026-02-11", "L.4121-1", "final", "closed");
		cite(s, agent_ids[k], "2026-02-12", "L.3121-1", "final", "draft");
		cite(s, agent_ids[k], "2026-02-12", "L.5555-5", "draft", "issued");
		cite(s, agent_ids[k], "2025-07-01", "L.1111-1", "final", "issued");
		cite(s, agent_ids[k], "2026-03-01", "L.8221-1", "final", "issued");
		/* after the newest release (March): not counted */
		cite(s, agent_ids[k], "2026-05-05", "L.4121-1", "final", "issued");
	}
	for (int k = 1; k <= 2; k++)
		cite(s, agent_ids[k], "2026-02-13", "R.4323-58", "final", "issued");
	for (int k = 0; k < 9; k++)
		cite(s, agent_ids[1], "2026-03-02", "L.8221-1", "final", "issued");
	/* Two follow-ups citing no provision by each of a1, a2, a3: 6 of the 26 follow-ups
	 * counted (6 + 2 + 12 citations above, one follow-up each, and these 6). One each
	 * would be secret: the agent who wrote one learns that the two others wrote two
	 * together (1 + 1 + 1, docs/STATISTICS.md "The rules") */
	for (int k = 1; k <= 3; k++) {
		cite(s, agent_ids[k], "2026-02-14", NULL, "final", "issued");
		cite(s, agent_ids[k], "2026-02-15", NULL, "final", "issued");
	}

	/* Releases: 2025-12 (for the procès-verbaux over years), 2026-02, 2026-03 v1 and v2:
	 * the report of 2026 uses 2026-03 v2 (activite 100, not v1's 90). */
	{
		static const struct store_stats_cell dec[] = {
		    PUB("2025-C12", "suites", "FR", "proces_verbal", 42),
		    PUB("2025-12", "suites", "FR", "proces_verbal", 4),
		};
		static const struct store_stats_cell feb[] = {
		    PUB("2026-C02", "activite", "FR", "_", 50),
		    PUB("2026-C02", "suites", "FR", "proces_verbal", 3),
		};
		static const struct store_stats_cell mar1[] = {
		    PUB("2026-C03", "activite", "FR", "_", 90),
		    PUB("2026-C03", "suites", "FR", "proces_verbal", 6),
		};
		static const struct store_stats_cell mar2[] = {
		    PUB("2026-03", "activite", "FR", "_", 55),
		    PUB("2026-C03", "activite", "FR", "_", 100),
		    PUB("2026-C03", "activite", "R84", "_", 60),
		    SEC("2026-C03", "activite", "R11", "_", 40),
		    PUB("2026-C03", "activite", "D69", "_", 60),
		    PUB("2026-C03", "visites", "FR", "_", 70),
		    SEC("2026-C03", "visites", "R84", "_", 40),
		    PUB("2026-C03", "visites", "R11", "_", 30),
		    PUB("2026-C03", "etablissements", "FR", "_", 80),
		    PUB("2026-C03", "activite_nature", "FR", "enquete_at", 5),
		    SEC("2026-C03", "activite_nature", "FR", "enquete_mp", 2),
		    PUB("2026-C03", "activite_theme", "FR", "aucun", 10),
		    PUB("2026-C03", "activite_theme", "FR", "sante_securite", 50),
		    PUB("2026-C03", "suites", "FR", "proces_verbal", 7),
		    PUB("2026-C03", "suites", "FR", "lettre_observations", 20),
		    PUB("2026-C03", "suites", "FR", "mise_en_demeure", 3),
		    SEC("2026-C03", "suites", "FR", "arret_travaux", 1),
		    PUB("2026-C03", "suites", "FR", "decision_administrative", 0),
		    PUB("2026-C03", "suites", "FR", "rapport_amende", 2),
		    PUB("2026-C03", "suites", "FR", "signalement_procureur", 1),
		    PUB("2026-C03", "suites", "FR", "transmission", 4),
		    /* priority actions: 10 interventions with no point checked, of 100 */
		    PUB("2026-C03", "action_sans_point", "FR", "_", 10),
		    {"D2026-C03", "activite", "FR", "_", 10, "delta", 0, "delta"},
		    /* small regions: their breakdowns are published by quarter only (reason
		     * design); the year to date is then the sum of the quarters, when
		     * published */
		    {"2026-C03", "activite_theme", "R11", "sante_securite", 9, "secret", 0,
		     "design"},
		    PUB("2026-Q1", "activite_theme", "R11", "sante_securite", 9),
		    {"2026-C03", "activite_theme", "R84", "sante_securite", 2, "secret", 1,
		     "design"},
		    SEC("2026-Q1", "activite_theme", "R84", "sante_securite", 2),
		    /* no quarter cell for this one: « par trimestre » */
		    {"2026-C03", "activite_theme", "R11", "travail_illegal", 3, "secret", 0,
		     "design"},
		};

		release(s, "2025-12", 1, dec, sizeof dec / sizeof dec[0]);
		release(s, "2026-02", 1, feb, sizeof feb / sizeof feb[0]);
		release(s, "2026-03", 1, mar1, sizeof mar1 / sizeof mar1[0]);
		release(s, "2026-03", 2, mar2, sizeof mar2 / sizeof mar2[0]);
	}
	store_close(s);
	return 0;
}

static int teardown(void **state)
{
	char p[96];

	(void)state;
	unlink(db_path);
	snprintf(p, sizeof p, "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db_path);
	unlink(p);
	snprintf(p, sizeof p, "%s.key", db_path);
	unlink(p);
	return 0;
}

static struct store *open_db(void)
{
	struct store *s = NULL;
	struct err e = {0};

	if (store_open(db_path, 0, &s, &e) != ERR_OK)
		fail_msg("open: %s", e.msg);
	return s;
}

static void build(struct store *s, int year, struct ilo_report *r)
{
	struct err e = {0};

	if (ilo_report_build(s, year, NULL, r, &e) != ERR_OK)
		fail_msg("build: %s: %s", e.field, e.msg);
}

static const struct ilo_figure *fig(const struct ilo_report *r, const char *code)
{
	const struct ilo_figure *f = ilo_report_figure(r, code);

	if (f == NULL)
		fail_msg("no figure %s", code);
	return f;
}

static int64_t num(const struct ilo_report *r, const char *code)
{
	const struct ilo_figure *f = fig(r, code);

	if (f->v.kind != ILO_INT)
		fail_msg("figure %s is not a count (kind %d)", code, f->v.kind);
	return f->v.num;
}

static const struct ilo_row *row(const struct ilo_report *r, const char *grid, const char *label)
{
	const struct ilo_grid *g = ilo_report_grid(r, grid);

	if (g == NULL)
		fail_msg("no table %s", grid);
	for (size_t i = 0; i < g->nrows; i++)
		if (strcmp(g->rows[i].label, label) == 0)
			return &g->rows[i];
	return NULL;
}

/* ---- Tests ----------------------------------------------------------------------------- */

static void test_staff(void **state)
{
	struct store *s = open_db();
	struct ilo_report r;
	const struct ilo_row *rw;

	(void)state;
	build(s, 2026, &r);
	assert_int_equal(num(&r, "LAI_INSP_SEX_NB_A"), 5);
	assert_int_equal(num(&r, "LAI_INSP_SEX_NB_A.F"), 2);
	assert_int_equal(num(&r, "LAI_INSP_SEX_NB_A.M"), 2);
	assert_int_equal(num(&r, "staff.inspecteurs"), 3);
	assert_int_equal(num(&r, "staff.controleurs"), 1);
	assert_int_equal(fig(&r, "staff.fte")->v.kind, ILO_REAL);
	assert_float_equal(fig(&r, "staff.fte")->v.real, 2.8 + 408.5 / 365.0, 1e-9);
	assert_non_null(strstr(fig(&r, "LAI_INSP_SEX_NB_A")->completeness,
	                       "Sexe non renseigné : 1"));
	/* by region: a5 counts in R84 (the latest assignment); R11 keeps a5's FTE share */
	rw = row(&r, "staff_region", "R84");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 5);
	assert_int_equal(rw->v[1].num, 2); /* women */
	assert_float_equal(rw->v[5].real, 2.8 + (181 + 137.5) / 365.0, 1e-9);
	rw = row(&r, "staff_region", "R11");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 0);
	assert_float_equal(rw->v[5].real, 90 / 365.0, 1e-9);
	/* by sex and grade: the unknown sex row is there, with its unknown grade */
	rw = row(&r, "staff_sex_grade", "Sexe non renseigné");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 1);
	assert_int_equal(rw->v[3].num, 1);
	/* another year: a6 (until 2025) counts in 2025, a4 and a5 (from 2026) do not */
	ilo_report_release(&r);
	build(s, 2025, &r);
	assert_int_equal(num(&r, "LAI_INSP_SEX_NB_A"), 4);
	ilo_report_release(&r);
	store_close(s);
}

static void test_registry(void **state)
{
	struct store *s = open_db();
	struct ilo_report r;
	const struct ilo_row *rw;

	(void)state;
	build(s, 2026, &r);
	assert_int_equal(num(&r, "LAI_WOPL_NOC_NB_A"), 5);
	assert_int_equal(num(&r, "workplaces.employers"), 3);
	assert_int_equal(num(&r, "workers.low"), 10011);
	assert_int_equal(num(&r, "workers.high"), 10021);
	assert_int_equal(num(&r, "workers.estimate"), 10016);
	assert_true(fig(&r, "workers.estimate")->estimated);
	assert_float_equal(fig(&r, "completeness.band_unknown")->v.real, 20.0, 1e-9);
	assert_float_equal(fig(&r, "LAI_INDE_NOC_RT_A")->v.real, 5 * 10000.0 / 10016, 1e-9);
	rw = row(&r, "registry_region", "R84");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 2);
	assert_int_equal(rw->v[1].num, 1);
	rw = row(&r, "registry_region", "R11");
	assert_int_equal(rw->v[0].num, 2);
	assert_int_equal(rw->v[2].num, 1); /* band unknown */
	rw = row(&r, "registry_region", "Commune inconnue");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 1);
	rw = row(&r, "registry_band", "Non renseignée");
	assert_int_equal(rw->v[0].num, 1);
	ilo_report_release(&r);
	store_close(s);
}

static void test_activity_from_releases(void **state)
{
	struct store *s = open_db();
	struct ilo_report r;
	const struct ilo_row *rw;

	(void)state;
	build(s, 2026, &r);
	/* the newest version of the newest month, its year to date */
	assert_string_equal(r.release_month, "2026-03");
	assert_int_equal(r.release_version, 2);
	assert_int_equal(r.months, 3);
	assert_non_null(strstr(r.coverage, "janvier à mars 2026 seulement"));
	assert_int_equal(num(&r, "activity.interventions"), 100);
	assert_int_equal(num(&r, "LAI_VIST_NOC_NB_A"), 70);
	assert_int_equal(num(&r, "activity.establishments"), 80);
	assert_int_equal(num(&r, "accidents.inquiries"), 5);
	assert_int_equal(num(&r, "followups.proces_verbal"), 7);
	assert_int_equal(num(&r, "completeness.months"), 3);
	assert_float_equal(fig(&r, "LAI_VDIN_NOC_RT_A")->v.real, 70.0 / 5, 1e-9);
	assert_float_equal(fig(&r, "completeness.no_theme")->v.real, 10.0, 1e-9);
	assert_float_equal(fig(&r, "completeness.action_unchecked")->v.real, 10.0, 1e-9);
	assert_non_null(strstr(fig(&r, "LAI_VIST_NOC_NB_A")->source, "2026-03, version 2"));
	/* secrets stay secret, and so does any sum holding one */
	assert_int_equal(fig(&r, "diseases.inquiries")->v.kind, ILO_SECRET);
	assert_int_equal(fig(&r, "followups.sanctions")->v.kind, ILO_SECRET);
	assert_int_equal(fig(&r, "followups.total")->v.kind, ILO_SECRET);
	rw = row(&r, "followups_kind", "Procès-verbal (sanction)");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 7);
	rw = row(&r, "followups_kind", "Décision administrative");
	assert_int_equal(rw->v[0].kind, ILO_INT); /* a published zero is a zero */
	assert_int_equal(rw->v[0].num, 0);
	rw = row(&r, "followups_kind", "Arrêt temporaire de travaux ou d'activité (sanction)");
	assert_int_equal(rw->v[0].kind, ILO_SECRET);
	rw = row(&r, "activity_region", "R11");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].kind, ILO_SECRET);
	assert_int_equal(rw->v[1].kind, ILO_INT);
	assert_int_equal(rw->v[1].num, 30);
	rw = row(&r, "activity_region", "R84");
	assert_int_equal(rw->v[0].num, 60);
	assert_int_equal(rw->v[1].kind, ILO_SECRET);
	rw = row(&r, "activity_region", "France entière");
	assert_int_equal(rw->v[0].num, 100);
	assert_int_equal(rw->v[2].num, 80);
	assert_int_equal(rw->v[3].num, 10);
	/* a cell the release does not hold is unavailable, never 0 */
	rw = row(&r, "activity_region", "R84");
	assert_int_equal(rw->v[2].kind, ILO_NA);
	/* a small region's year-to-date breakdown (by design) is the sum of its quarters
	 * when they are published, secret otherwise; said in a note */
	{
		const struct ilo_grid *g = ilo_report_grid(&r, "activity_theme");
		size_t col = 0, notes = 0;

		assert_non_null(g);
		while (col < g->ncols && strcmp(g->header[col + 1], "Santé et sécurité") != 0)
			col++;
		assert_true(col < g->ncols);
		rw = row(&r, "activity_theme", "R11");
		assert_non_null(rw);
		assert_int_equal(rw->v[col].kind, ILO_INT);
		assert_int_equal(rw->v[col].num, 9);
		rw = row(&r, "activity_theme", "R84");
		assert_int_equal(rw->v[col].kind, ILO_SECRET);
		rw = row(&r, "activity_theme", "R11");
		assert_string_equal(g->header[1], "Travail illégal");
		assert_int_equal(rw->v[0].kind, ILO_QUARTERLY);
		for (size_t i = 0; i < g->nnotes; i++)
			notes += strstr(g->notes[i], "somme des trimestres") != NULL;
		assert_int_equal(notes, 1);
	}
	/* follow-ups by theme: not in these releases */
	rw = row(&r, "followups_theme", "France entière");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].kind, ILO_NA);
	/* procès-verbaux over the years: 2025 from its December, 2026 from March v2 */
	rw = row(&r, "pv_years", "2025");
	assert_non_null(rw);
	assert_int_equal(rw->v[0].num, 42);
	assert_int_equal(rw->v[1].num, 12);
	rw = row(&r, "pv_years", "2026");
	assert_int_equal(rw->v[0].num, 7);
	assert_int_equal(rw->v[1].num, 3);
	ilo_report_release(&r);

	/* a year without any release: activity unavailable, said plainly */
	build(s, 2024, &r);
	assert_int_equal(r.release_id, 0);
	assert_int_equal(fig(&r, "LAI_VIST_NOC_NB_A")->v.kind, ILO_NA);
	assert_int_equal(fig(&r, "LAI_VDIN_NOC_RT_A")->v.kind, ILO_NA);
	assert_non_null(strstr(r.coverage, "Aucune publication"));
	assert_null(row(&r, "pv_years", "2025"));
	ilo_report_release(&r);
	store_close(s);
}

static void test_provisions(void **state)
{
	struct store *s = open_db();
	struct ilo_report r;
	const struct ilo_grid *g;

	(void)state;
	build(s, 2026, &r);
	g = ilo_report_grid(&r, "provisions");
	assert_non_null(g);
	assert_int_equal(g->nrows, 1);
	assert_string_equal(g->rows[0].label, "L.4121-1");
	assert_int_equal(g->rows[0].v[0].num, 6);
	assert_int_equal(r.provisions_read, 3); /* L.4121-1, R.4323-58, L.8221-1 */
	assert_int_equal(r.provisions_published, 1);
	/* completeness: the follow-ups citing no provision */
	assert_int_equal(fig(&r, "completeness.followups_uncited")->v.kind, ILO_REAL);
	assert_float_equal(fig(&r, "completeness.followups_uncited")->v.real, 100.0 * 6 / 26,
	                   1e-9);
	ilo_report_release(&r);
	/* no release in 2024: no provisions either (they follow the months released) */
	build(s, 2024, &r);
	assert_int_equal(ilo_report_grid(&r, "provisions")->nrows, 0);
	assert_int_equal(fig(&r, "completeness.followups_uncited")->v.kind, ILO_NA);
	ilo_report_release(&r);
	/* a higher threshold hides it too */
	{
		struct stats_rules rules;
		struct err e = {0};

		stats_rules_default(&rules);
		rules.threshold = 4;
		assert_int_equal(ilo_report_build(s, 2026, &rules, &r, &e), ERR_OK);
		assert_int_equal(ilo_report_grid(&r, "provisions")->nrows, 0);
		/* three agents cite none: below a threshold of 4, the share is secret */
		assert_int_equal(fig(&r, "completeness.followups_uncited")->v.kind, ILO_SECRET);
		ilo_report_release(&r);
	}
	store_close(s);
}

static void test_text_and_writers(void **state)
{
	struct store *s = open_db();
	struct store_audit_report before = {0}, after = {0};
	struct ilo_report r;
	struct err e = {0};
	struct buf out;
	char *big;

	(void)state;
	assert_int_equal(store_audit_verify(s, &before, &e), ERR_OK);
	assert_int_equal(store_ilo_text_put(s, 2026, "Code du travail <script>x</script>\nDécret "
	                                    "2022-771", agent_ids[1], &e),
	                 ERR_OK);
	assert_int_equal(store_audit_verify(s, &after, &e), ERR_OK);
	assert_int_equal(after.entries, before.entries + 1);
	assert_int_equal(after.first_bad_id, 0);
	/* too long: refused, nothing written (neither text nor audit) */
	big = malloc(STORE_ILO_TEXT_MAX + 2);
	memset(big, 'x', STORE_ILO_TEXT_MAX + 1);
	big[STORE_ILO_TEXT_MAX + 1] = '\0';
	assert_int_equal(store_ilo_text_put(s, 2026, big, agent_ids[1], &e), ERR_TOO_BIG);
	assert_string_equal(e.field, "texte");
	free(big);
	assert_int_equal(ilo_report_build(s, 20260, NULL, &r, &e), ERR_INVALID);
	assert_string_equal(e.field, "annee");
	ilo_report_release(&r);

	build(s, 2026, &r);
	assert_non_null(r.text_a);
	assert_non_null(strstr(r.text_a, "Décret 2022-771"));
	assert_string_equal(r.text_a_author, "a1");

	buf_init(&out, 16u << 20);
	assert_int_equal(ilo_report_html(&r, &out, &e), ERR_OK);
	assert_null(strstr(buf_str(&out), "<script>"));
	assert_non_null(strstr(buf_str(&out), "&lt;script&gt;"));
	assert_non_null(strstr(buf_str(&out), "secret"));
	assert_non_null(strstr(buf_str(&out), "L.4121-1"));
	assert_null(strstr(buf_str(&out), "R.4323-58"));
	assert_null(strstr(buf_str(&out), "L.8221-1"));
	buf_reset(&out);
	assert_int_equal(ilo_report_csv(&r, &out, &e), ERR_OK);
	assert_non_null(strstr(buf_str(&out), "secret"));
	assert_non_null(strstr(buf_str(&out), "LAI_VIST_NOC_NB_A"));
	assert_null(strstr(buf_str(&out), "L.8221-1"));
	buf_reset(&out);
	assert_int_equal(ilo_report_pdf(&r, &out, &e), ERR_OK);
	assert_true(out.len > 1000);
	assert_memory_equal(buf_str(&out), "%PDF", 4);
	buf_reset(&out);
	assert_int_equal(ilo_report_xlsx(&r, &out, &e), ERR_OK);
	assert_true(out.len > 1000);
	assert_memory_equal(buf_str(&out), "PK", 2);
	buf_release(&out);
	ilo_report_release(&r);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_activity_from_releases),
		cmocka_unit_test(test_provisions),
		cmocka_unit_test(test_text_and_writers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

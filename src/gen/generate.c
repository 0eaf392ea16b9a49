/* generate: the deterministic synthetic data generator (organisation, agents and their
 * careers, a SIRENE-shaped registry, priority actions, interventions with follow-ups).
 * The model and its parameters are described in docs/DATA-MODEL.md. */
#include "gen/gen.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/rng.h"
#include "core/xalloc.h"
#include "domain/model.h"
#include "domain/refdata.h"
#include "domain/siret.h"
#include "gen/words.h"
#include "store/store.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define BATCH_ROWS 50000
#define OPEN_END INT32_MAX
#define NAME_MAX_LEN 128

/* ---- Scales ----------------------------------------------------------------------- */

struct scale {
	const char *name;
	const char *region;          /* the one region, or NULL for all of them */
	double sections;             /* sections to create (about one agent each) */
	int64_t establishments;
	double interventions_year;
	int years;                   /* length of the history */
	int small_unit;              /* add a control unit of three sections */
};

static const struct scale scales[] = {
	[GEN_TINY] = {"tiny", "53", 52, 20000, 5000, 1, 1},
	[GEN_SMALL] = {"small", "53", 150, 200000, 20000, 3, 1},
	[GEN_NATIONAL] = {"national", NULL, 2420, 11000000, 270000, 10, 0},
};

int gen_scale_parse(const char *name, enum gen_scale *out)
{
	for (size_t i = 0; name && i < COUNT(scales); i++) {
		if (strcmp(name, scales[i].name) == 0) {
			*out = (enum gen_scale)i;
			return 0;
		}
	}
	return -1;
}

/* ---- State ------------------------------------------------------------------------ */

struct g_region {
	const struct refdata_region *ref;
	int64_t id;
	int manager;                 /* account index */
};

struct g_dept {
	const struct refdata_department *ref;
	int region;
	int64_t id;
	size_t c0, nc;               /* its communes in g->communes */
	double pop;
	int sec0, nsec, unit0, nunit;
	int manager;
};

struct g_unit {
	int dept;
	int64_t id;
	int sec0, nsec;
	int manager;
	char code[24];
};

struct g_section {
	int unit;
	int64_t id;
	int occupant;                /* agent index, -1 when vacant */
	int32_t tenure_end, vacant_until;
	int sticky;                  /* never left vacant (the small unit) */
	uint32_t est0, nest;         /* its active establishments in g->by_section */
	int32_t seen;                /* last day its occupant was seen at work */
	int64_t worksite;            /* last worksite opened in it, 0 if none */
	int32_t worksite_end;
};

struct g_assign {
	int section;
	int32_t start, end;          /* end OPEN_END while current */
	double fte;
};

struct g_absence {
	int32_t start, end;
	const char *reason;
};

struct g_agent {
	char login[96];
	char display[96];
	char sex[2];
	const char *grade;           /* NULL for managers, analysts, administrators */
	enum role role;
	int64_t scope_id;
	int64_t id;
	double activity;
	struct g_assign *as;
	size_t nas, cas, pa;
	struct g_absence *ab;
	size_t nab, cab, pb;
};

struct g_est {
	int64_t siret;
	int32_t created;
	int32_t commune;
	uint16_t section;
	uint8_t band;
	uint8_t div;
};

struct g_action {
	int64_t id;
	int year;
	int region;                  /* -1 national */
	const struct words_campaign *t;
	int64_t cp[WORDS_CAMPAIGN_POINTS];
	size_t ncp;
};

struct g_theme {
	char *code, *parent;
};

struct g_kind {
	char *code;
	int on_site;
	double weight;
};

/* A set of strings (logins), open addressing, grows by doubling. */
struct g_set {
	char **slot;
	size_t cap, n;
};

/* A set of 64-bit hashes (company name and commune), open addressing, 0 never stored. */
struct g_hset {
	uint64_t *slot;
	size_t cap, n;
};

struct gen {
	struct store *s;
	const struct gen_options *o;
	const struct scale *sc;
	const struct refdata *rd;
	struct err *e;
	int32_t today, start;
	int change_year;             /* from this year on, boxes get ticked more often */
	int64_t pending;             /* rows since the last commit */
	struct timespec t0;

	struct g_region *regions;
	size_t nregions;
	struct g_dept *depts;
	size_t ndepts;
	size_t *communes;            /* refdata commune indices, grouped by department */
	double *ccum;                /* cumulative population within each department */
	size_t ncommunes;
	int *cdept;                  /* department of each refdata commune, -1 out of scope */
	size_t **postcodes;          /* per refdata commune: postcode indices */
	size_t *npostcodes;
	double *dcum;                /* cumulative population of the departments */
	struct g_unit *units;
	size_t nunits;
	struct g_section *sections;
	size_t nsections;
	int64_t root_id;

	struct g_agent *agents;
	size_t nagents, cagents;
	struct g_set logins;
	struct g_hset names;         /* company names taken, per commune */
	int demo_agent;

	double *naf_cum;
	const struct refdata_naf **naf;
	size_t nnaf;

	struct g_est *est;
	size_t nest, cest;
	uint32_t *by_section;

	struct g_action *actions;
	size_t nactions;
	struct g_theme *themes;
	size_t nthemes;
	struct g_kind *kinds;
	size_t nkinds;
	size_t leaves[64];           /* fine themes (with a parent), indices in themes */
	size_t nleaves;
	double *theme_cum;           /* per kind and division: cumulative theme weights */
	unsigned char *theme_ready;
	char **fkinds;
	size_t nfkinds;

	int64_t n_legal_units, n_worksites, n_interventions, n_followups, n_absences,
		n_assignments;
};

/* ---- Small helpers ---------------------------------------------------------------- */

static double elapsed(const struct gen *g)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - g->t0.tv_sec) + (double)(t.tv_nsec - g->t0.tv_nsec) / 1e9;
}

static void progress(const struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const struct gen *g, const char *fmt, ...)
{
	va_list ap;

	if (g->o->progress == NULL)
		return;
	fprintf(g->o->progress, "generate: [%7.1f s] ", elapsed(g));
	va_start(ap, fmt);
	vfprintf(g->o->progress, fmt, ap);
	va_end(ap);
	fputc('\n', g->o->progress);
	fflush(g->o->progress);
}

/* Counts n written rows and commits the running transaction every BATCH_ROWS rows. */
static enum err_code tick(struct gen *g, int64_t n)
{
	enum err_code rc;

	g->pending += n;
	if (g->pending < BATCH_ROWS)
		return ERR_OK;
	g->pending = 0;
	if ((rc = store_commit(g->s, g->e)) != ERR_OK)
		return rc;
	return store_begin(g->s, g->e);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Adds s to the set; returns 0 when it was there already. */
static int set_add(struct g_set *set, const char *s)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct g_set bigger = {xcalloc(set->cap ? set->cap * 2 : 1024, sizeof(char *)),
		                       set->cap ? set->cap * 2 : 1024, 0};

		for (i = 0; i < set->cap; i++)
			if (set->slot[i])
				set_add(&bigger, set->slot[i]);
		for (i = 0; i < set->cap; i++)
			free(set->slot[i]);
		free(set->slot);
		*set = bigger;
	}
	for (i = hash_str(s) & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slot[i], s) == 0)
			return 0;
	set->slot[i] = xstrdup(s);
	set->n++;
	return 1;
}

/* Adds h to the set; returns 0 when it was there already. */
static int hset_add(struct g_hset *set, uint64_t h)
{
	size_t i;

	h = h ? h : 1;
	if ((set->n + 1) * 2 > set->cap) {
		struct g_hset bigger = {xcalloc(set->cap ? set->cap * 2 : 1024, sizeof(uint64_t)),
		                        set->cap ? set->cap * 2 : 1024, 0};

		for (i = 0; i < set->cap; i++)
			if (set->slot[i])
				hset_add(&bigger, set->slot[i]);
		free(set->slot);
		*set = bigger;
	}
	for (i = h & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
		if (set->slot[i] == h)
			return 0;
	set->slot[i] = h;
	set->n++;
	return 1;
}

static void set_release(struct g_set *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
}

static int32_t exp_days(struct rng *r, double mean)
{
	double u = rng_double(r);

	return (int32_t)(-log(1.0 - u) * mean);
}

static int year_of(int32_t day)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	return y;
}

/* ---- Reference geography ---------------------------------------------------------- */

static int in_scope_region(const struct gen *g, const char *code)
{
	if (g->sc->region)
		return strcmp(code, g->sc->region) == 0;
	/* Metropolitan and overseas regions (two-digit codes); the overseas collectivities
	 * with their own labour law (9xx codes) are left out. */
	return strlen(code) == 2;
}

static void geography(struct gen *g)
{
	const struct refdata *rd = g->rd;
	size_t *count;
	double total = 0;

	g->regions = xcalloc(rd->n_regions, sizeof *g->regions);
	for (size_t i = 0; i < rd->n_regions; i++)
		if (in_scope_region(g, rd->regions[i].code))
			g->regions[g->nregions++] = (struct g_region){.ref = &rd->regions[i]};
	g->depts = xcalloc(rd->n_departments, sizeof *g->depts);
	for (size_t i = 0; i < rd->n_departments; i++) {
		for (size_t r = 0; r < g->nregions; r++) {
			if (strcmp(rd->departments[i].region, g->regions[r].ref->code) == 0) {
				g->depts[g->ndepts++] = (struct g_dept){.ref = &rd->departments[i],
				                                        .region = (int)r};
				break;
			}
		}
	}
	/* Communes in scope: inhabited, with a postcode (this drops Paris, Lyon and
	 * Marseille as wholes, whose arrondissements are listed), grouped by department. */
	g->cdept = xcalloc(rd->n_communes, sizeof *g->cdept);
	count = xcalloc(g->ndepts + 1, sizeof *count);
	for (size_t i = 0; i < rd->n_communes; i++) {
		const struct refdata_commune *c = &rd->communes[i];

		g->cdept[i] = -1;
		if (c->population <= 0 || c->postcode == NULL)
			continue;
		for (size_t d = 0; d < g->ndepts; d++) {
			if (strcmp(c->department, g->depts[d].ref->code) == 0) {
				g->cdept[i] = (int)d;
				count[d]++;
				g->ncommunes++;
				break;
			}
		}
	}
	g->communes = xcalloc(g->ncommunes, sizeof *g->communes);
	g->ccum = xcalloc(g->ncommunes, sizeof *g->ccum);
	for (size_t d = 0, at = 0; d < g->ndepts; d++) {
		g->depts[d].c0 = at;
		at += count[d];
	}
	for (size_t i = 0; i < rd->n_communes; i++) {
		int d = g->cdept[i];

		if (d < 0)
			continue;
		size_t k = g->depts[d].c0 + g->depts[d].nc++;

		g->communes[k] = i;
		g->depts[d].pop += rd->communes[i].population;
		g->ccum[k] = g->depts[d].pop;
	}
	free(count);
	g->dcum = xcalloc(g->ndepts, sizeof *g->dcum);
	for (size_t d = 0; d < g->ndepts; d++) {
		total += g->depts[d].pop;
		g->dcum[d] = total;
	}
	/* Postcodes of each commune. */
	g->postcodes = xcalloc(rd->n_communes, sizeof *g->postcodes);
	g->npostcodes = xcalloc(rd->n_communes, sizeof *g->npostcodes);
	for (size_t i = 0; i < rd->n_postcodes; i++) {
		const struct refdata_commune *c = refdata_commune_find(rd->postcodes[i].commune);
		size_t ci;

		if (c == NULL)
			continue;
		ci = (size_t)(c - rd->communes);
		if (g->cdept[ci] < 0)
			continue;
		g->postcodes[ci] = xrealloc(g->postcodes[ci],
		                            (g->npostcodes[ci] + 1) * sizeof(size_t));
		g->postcodes[ci][g->npostcodes[ci]++] = i;
	}
}

/* A postcode serving commune ci (refdata index). */
static const char *commune_postcode(const struct gen *g, struct rng *r, size_t ci)
{
	if (g->npostcodes[ci] == 0)
		return g->rd->communes[ci].postcode;
	return g->rd->postcodes[g->postcodes[ci][rng_below(r, g->npostcodes[ci])]].postcode;
}

/* Draws a place weighted by population: a department (or the given one when dept >= 0),
 * a commune, and the section covering that point. Returns the refdata commune index. */
static size_t pick_place(const struct gen *g, struct rng *r, int dept, int *section)
{
	const struct g_dept *d;
	double u;
	size_t lo, hi;

	if (dept < 0)
		dept = (int)rng_pick_cumulative(r, g->dcum, g->ndepts);
	d = &g->depts[dept];
	u = rng_double(r) * d->pop;
	lo = 0;
	hi = d->nc - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->ccum[d->c0 + mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (section) {
		/* Sections cut the department's population line into equal stretches, so a
		 * large city spreads over several sections and villages share one. */
		int k = (int)(u / d->pop * d->nsec);

		*section = d->sec0 + (k < d->nsec ? k : d->nsec - 1);
	}
	return g->communes[d->c0 + lo];
}

/* ---- Organisation ----------------------------------------------------------------- */

static enum err_code org_insert(struct gen *g, int64_t parent, enum org_level level,
                                const char *code, const char *name, const char *region,
                                const char *dept, int64_t *id)
{
	char from[DATE_ISO_LEN];
	struct org_unit u = {
		.parent_id = parent, .level = level, .code = code, .name = name,
		.region_code = region, .department_code = dept,
		.valid_from = date_format(date_from_ymd(year_of(g->start) - 8, 1, 1), from),
	};

	return store_org_unit_insert(g->s, &u, id, g->e);
}

static enum err_code organisation(struct gen *g)
{
	char code[32], name[160];
	enum err_code rc;
	double total = g->dcum[g->ndepts - 1];
	size_t smallest = 0;

	/* Sections by department, proportional to population (at least three). */
	for (size_t d = 0; d < g->ndepts; d++) {
		int n = (int)lround(g->sc->sections * g->depts[d].pop / total);

		g->depts[d].nsec = n < 3 ? 3 : n;
		g->depts[d].nunit = (int)lround(g->depts[d].nsec / 10.0);
		if (g->depts[d].nunit < 1)
			g->depts[d].nunit = 1;
		while (g->depts[d].nsec > 12 * g->depts[d].nunit)
			g->depts[d].nunit++;
		g->nsections += (size_t)g->depts[d].nsec;
		g->nunits += (size_t)g->depts[d].nunit;
		if (g->depts[d].pop < g->depts[smallest].pop)
			smallest = d;
	}
	if (g->sc->small_unit) {
		g->depts[smallest].nsec += 3;
		g->depts[smallest].nunit += 1;
		g->nsections += 3;
		g->nunits += 1;
	}
	g->units = xcalloc(g->nunits, sizeof *g->units);
	g->sections = xcalloc(g->nsections, sizeof *g->sections);

	if ((rc = org_insert(g, 0, ORG_NATIONAL, "FR", "Direction générale du travail", NULL,
	                     NULL, &g->root_id)) != ERR_OK)
		return rc;
	for (size_t r = 0; r < g->nregions; r++) {
		snprintf(code, sizeof code, "R%s", g->regions[r].ref->code);
		snprintf(name, sizeof name, "DREETS %s", g->regions[r].ref->name);
		if ((rc = org_insert(g, g->root_id, ORG_REGION, code, name, g->regions[r].ref->code,
		                     NULL, &g->regions[r].id)) != ERR_OK)
			return rc;
	}
	size_t un = 0, sn = 0;

	for (size_t d = 0; d < g->ndepts; d++) {
		struct g_dept *dp = &g->depts[d];
		const char *rcode = g->regions[dp->region].ref->code;
		int regular = dp->nsec - ((g->sc->small_unit && d == smallest) ? 3 : 0);
		int nreg = dp->nunit - ((g->sc->small_unit && d == smallest) ? 1 : 0);

		snprintf(code, sizeof code, "D%s", dp->ref->code);
		snprintf(name, sizeof name, "Unité départementale %s", dp->ref->name);
		if ((rc = org_insert(g, g->regions[dp->region].id, ORG_DEPARTMENT, code, name, rcode,
		                     dp->ref->code, &dp->id)) != ERR_OK)
			return rc;
		dp->sec0 = (int)sn;
		dp->unit0 = (int)un;
		for (int k = 0; k < dp->nunit; k++) {
			struct g_unit *u = &g->units[un];
			int n = k < nreg ? regular / nreg + (k < regular % nreg) : 3;

			u->dept = (int)d;
			u->sec0 = (int)sn;
			u->nsec = n;
			snprintf(u->code, sizeof u->code, "UC%s-%02d", dp->ref->code, k + 1);
			snprintf(name, sizeof name, "Unité de contrôle %s n° %d", dp->ref->name, k + 1);
			if ((rc = org_insert(g, dp->id, ORG_UNIT, u->code, name, rcode, dp->ref->code,
			                     &u->id)) != ERR_OK)
				return rc;
			for (int j = 0; j < n; j++) {
				struct g_section *sec = &g->sections[sn++];

				sec->unit = (int)un;
				sec->occupant = -1;
				sec->sticky = k >= nreg;
				snprintf(code, sizeof code, "S%s-%02d-%02d", dp->ref->code, k + 1, j + 1);
				snprintf(name, sizeof name, "Section %s-%02d-%02d", dp->ref->code, k + 1,
				         j + 1);
				if ((rc = org_insert(g, u->id, ORG_SECTION, code, name, rcode,
				                     dp->ref->code, &sec->id)) != ERR_OK)
					return rc;
			}
			un++;
		}
	}
	progress(g, "organisation: %zu regions, %zu departments, %zu control units, "
	         "%zu sections", g->nregions, g->ndepts, g->nunits, g->nsections);
	return ERR_OK;
}

/* ---- People ----------------------------------------------------------------------- */

/* A new account with a unique firstname.lastname login; returns its index. */
static int person_new(struct gen *g, struct rng *r, enum role role, const char *grade)
{
	struct g_agent *a;
	const char *first, *lastn;
	char f[32], l[40];

	if (g->nagents == g->cagents) {
		g->cagents = g->cagents ? g->cagents * 2 : 256;
		g->agents = xrealloc(g->agents, g->cagents * sizeof *g->agents);
	}
	a = &g->agents[g->nagents];
	memset(a, 0, sizeof *a);
	a->sex[0] = rng_chance(r, 0.6) ? 'F' : 'M';
	first = words_pick(r, a->sex[0] == 'F' ? WORDS_FIRST_F : WORDS_FIRST_M);
	lastn = words_pick(r, WORDS_LAST);
	snprintf(a->display, sizeof a->display, "%s %s", first, lastn);
	words_login_part(first, f, sizeof f);
	words_login_part(lastn, l, sizeof l);
	snprintf(a->login, sizeof a->login, "%s.%s", f, l);
	for (int n = 2; !set_add(&g->logins, a->login); n++)
		snprintf(a->login, sizeof a->login, "%s.%s%d", f, l, n);
	a->role = role;
	a->grade = grade;
	a->activity = 1.0;
	return (int)g->nagents++;
}

static void assign(struct gen *g, int agent, int section, int32_t start, struct rng *r)
{
	struct g_agent *a = &g->agents[agent];
	struct g_section *sec = &g->sections[section];
	static const double part[] = {0.5, 0.6, 0.8, 0.8, 0.9};

	if (a->nas == a->cas) {
		a->cas = a->cas ? a->cas * 2 : 2;
		a->as = xrealloc(a->as, a->cas * sizeof *a->as);
	}
	a->as[a->nas++] = (struct g_assign){
		.section = section, .start = start, .end = OPEN_END,
		.fte = rng_chance(r, 0.1) ? part[rng_below(r, COUNT(part))] : 1.0,
	};
	sec->occupant = agent;
	/* Tenure on a section: exponential, mean six years. */
	sec->tenure_end = sec->sticky ? OPEN_END : start + 30 + exp_days(r, 6 * 365.25);
}

static int control_agent_new(struct gen *g, struct rng *r, int32_t hired)
{
	/* The contrôleur corps is being merged into the inspecteur one: recent recruits
	 * are inspecteurs. */
	double p_insp = hired < g->start ? 0.6 : 0.85;
	int i = person_new(g, r, ROLE_AGENT, rng_chance(r, p_insp) ? "inspecteur" : "controleur");
	struct g_agent *a = &g->agents[i];
	double u = rng_double(r);

	/* Activity: most agents near the mean, some much more active, some much less. */
	if (u < 0.15)
		a->activity = 1.5 + 0.6 * rng_double(r);
	else if (u < 0.30)
		a->activity = 0.35 + 0.3 * rng_double(r);
	else
		a->activity = exp(rng_normal(r, 0.0, 0.15));
	return i;
}

/* Finds a vacant section for a transfer, preferably in the same region; -1 if none. */
static int vacant_section(const struct gen *g, struct rng *r, int from)
{
	int region = g->depts[g->units[g->sections[from].unit].dept].region;

	for (int tries = 0; tries < 60; tries++) {
		int s = (int)rng_below(r, g->nsections);
		const struct g_section *sec = &g->sections[s];

		if (s == from || sec->occupant >= 0 || sec->sticky)
			continue;
		if (tries < 40 && g->depts[g->units[sec->unit].dept].region != region)
			continue;
		return s;
	}
	return -1;
}

/* Simulates the careers week by week: tenures end, agents leave or transfer to a vacant
 * section, vacancies are filled by recruits after a gap. */
static void careers(struct gen *g, struct rng *r)
{
	for (size_t s = 0; s < g->nsections; s++) {
		struct g_section *sec = &g->sections[s];

		if (sec->sticky || rng_chance(r, 0.94)) {
			int a = control_agent_new(g, r, g->start - 1);

			assign(g, a, (int)s, g->start - (int32_t)rng_range(r, 30, 3000), r);
			if (sec->tenure_end != OPEN_END)
				sec->tenure_end = g->start + exp_days(r, 6 * 365.25);
		} else {
			sec->vacant_until = g->start + (int32_t)rng_range(r, 0, 300);
		}
	}
	for (int32_t day = g->start; day <= g->today; day += 7) {
		for (size_t s = 0; s < g->nsections; s++) {
			struct g_section *sec = &g->sections[s];
			int a = sec->occupant, t;

			if (a < 0 || sec->tenure_end > day)
				continue;
			g->agents[a].as[g->agents[a].nas - 1].end = day;
			sec->occupant = -1;
			sec->vacant_until = day + 30 + exp_days(r, 120);
			if (rng_chance(r, 0.35) && (t = vacant_section(g, r, (int)s)) >= 0)
				assign(g, a, t, day + 1, r);
		}
		for (size_t s = 0; s < g->nsections; s++) {
			struct g_section *sec = &g->sections[s];

			if (sec->occupant < 0 && sec->vacant_until <= day)
				assign(g, control_agent_new(g, r, day), (int)s, day, r);
		}
	}
}

static void absence_add(struct g_agent *a, int32_t start, int32_t end, const char *reason)
{
	if (a->nab == a->cab) {
		a->cab = a->cab ? a->cab * 2 : 16;
		a->ab = xrealloc(a->ab, a->cab * sizeof *a->ab);
	}
	a->ab[a->nab++] = (struct g_absence){start, end, reason};
}

static int cmp_absence(const void *x, const void *y)
{
	const struct g_absence *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
}

/* Leave, sickness and training for each year an agent is in post; sorted and without
 * overlaps, clipped to the assignments. */
static void absences(struct gen *g, struct rng *r, int agent)
{
	struct g_agent *a = &g->agents[agent];
	int32_t first = a->as[0].start > g->start ? a->as[0].start : g->start;
	int32_t last = a->as[a->nas - 1].end < g->today ? a->as[a->nas - 1].end : g->today;
	size_t k = 0;

	for (int y = year_of(first); y <= year_of(last); y++) {
		/* Summer leave, mostly in August; a week at Christmas; a week in spring. */
		int32_t summer = date_from_ymd(y, 7, 10) + (int32_t)rng_range(r, 0, 35);

		absence_add(a, summer, summer + (int32_t)rng_range(r, 13, 22), "conge");
		if (rng_chance(r, 0.75)) {
			int32_t xmas = date_from_ymd(y, 12, 22) + (int32_t)rng_range(r, 0, 3);

			absence_add(a, xmas, xmas + (int32_t)rng_range(r, 6, 10), "conge");
		}
		int32_t spring = date_from_ymd(y, 2, 10) + (int32_t)rng_range(r, 0, 100);

		absence_add(a, spring, spring + (int32_t)rng_range(r, 4, 9), "conge");
		for (int n = (int)rng_range(r, 0, 3); n > 0; n--) {
			int32_t t = date_from_ymd(y, 1, 15) + (int32_t)rng_range(r, 0, 320);

			absence_add(a, t, t + (int32_t)rng_range(r, 0, 4), "formation");
		}
		if (rng_chance(r, 0.3)) {
			int32_t t = date_from_ymd(y, 1, 5) + (int32_t)rng_range(r, 0, 350);

			absence_add(a, t, t + (int32_t)rng_range(r, 2, 14), "maladie");
		}
		if (agent != g->demo_agent && rng_chance(r, 0.03)) {
			int32_t t = date_from_ymd(y, 1, 5) + (int32_t)rng_range(r, 0, 300);

			absence_add(a, t, t + (int32_t)rng_range(r, 30, 180), "maladie");
		}
	}
	qsort(a->ab, a->nab, sizeof *a->ab, cmp_absence);
	for (size_t i = 0; i < a->nab; i++) {
		struct g_absence b = a->ab[i];

		if (b.start < first)
			b.start = first;
		if (b.end > last)
			b.end = last;
		if (k > 0 && b.start <= a->ab[k - 1].end)
			b.start = a->ab[k - 1].end + 1;
		if (b.end < b.start)
			continue;
		a->ab[k++] = b;
	}
	a->nab = k;
}

static enum err_code people(struct gen *g)
{
	struct rng r;
	enum err_code rc;
	char d1[DATE_ISO_LEN], d2[DATE_ISO_LEN];
	size_t ncontrol;

	rng_seed(&r, g->o->seed ^ 0x7065726f706c65ULL);
	careers(g, &r);
	ncontrol = g->nagents;
	/* The demo agent: in post since before the history began, full time, on a regular
	 * unit, and busy. */
	g->demo_agent = -1;
	for (size_t i = 0; i < ncontrol && g->demo_agent < 0; i++) {
		struct g_agent *a = &g->agents[i];
		struct g_assign *last = &a->as[a->nas - 1];

		if (a->nas == 1 && last->end == OPEN_END && last->fte == 1.0 &&
		    !g->sections[last->section].sticky) {
			g->demo_agent = (int)i;
			a->activity = 1.6;
		}
	}
	if (g->demo_agent < 0)
		g->demo_agent = 0;
	for (size_t i = 0; i < ncontrol; i++) {
		struct g_agent *a = &g->agents[i];
		const struct g_assign *last = &a->as[a->nas - 1];

		a->scope_id = g->units[g->sections[last->section].unit].id;
		absences(g, &r, (int)i);
	}
	/* Managers: one per control unit, department and region; then the national roles. */
	for (size_t u = 0; u < g->nunits; u++) {
		g->units[u].manager = person_new(g, &r, ROLE_MANAGER, NULL);
		g->agents[g->units[u].manager].scope_id = g->units[u].id;
	}
	for (size_t d = 0; d < g->ndepts; d++) {
		g->depts[d].manager = person_new(g, &r, ROLE_MANAGER, NULL);
		g->agents[g->depts[d].manager].scope_id = g->depts[d].id;
	}
	for (size_t i = 0; i < g->nregions; i++) {
		g->regions[i].manager = person_new(g, &r, ROLE_MANAGER, NULL);
		g->agents[g->regions[i].manager].scope_id = g->regions[i].id;
	}
	int analyst = person_new(g, &r, ROLE_ANALYST, NULL);
	int admin = person_new(g, &r, ROLE_ADMIN, NULL);

	for (size_t i = 0; i < g->nagents; i++) {
		struct g_agent *a = &g->agents[i];
		struct agent rec = {
			.login = a->login, .display_name = a->display, .role = a->role,
			.scope_unit_id = a->scope_id, .sex = a->sex, .grade = a->grade,
			.disabled = a->nas > 0 && a->as[a->nas - 1].end != OPEN_END,
		};

		if ((rc = store_agent_insert(g->s, &rec, &a->id, g->e)) != ERR_OK)
			return rc;
	}
	for (size_t i = 0; i < ncontrol; i++) {
		struct g_agent *a = &g->agents[i];

		for (size_t j = 0; j < a->nas; j++) {
			struct assignment as = {
				.agent_id = a->id, .section_id = g->sections[a->as[j].section].id,
				.start_date = date_format(a->as[j].start, d1),
				.end_date = a->as[j].end == OPEN_END ? NULL : date_format(a->as[j].end, d2),
				.fte = a->as[j].fte,
			};

			if ((rc = store_assignment_insert(g->s, &as, g->e)) != ERR_OK)
				return rc;
			g->n_assignments++;
		}
		for (size_t j = 0; j < a->nab; j++) {
			struct absence ab = {
				.agent_id = a->id, .start_date = date_format(a->ab[j].start, d1),
				.end_date = date_format(a->ab[j].end, d2), .reason = a->ab[j].reason,
			};

			if ((rc = store_absence_insert(g->s, &ab, g->e)) != ERR_OK)
				return rc;
			g->n_absences++;
		}
		if ((rc = tick(g, (int64_t)(a->nas + a->nab))) != ERR_OK)
			return rc;
	}
	/* The demo logins. */
	const struct g_agent *demo = &g->agents[g->demo_agent];
	const struct g_unit *du = &g->units[g->sections[demo->as[demo->nas - 1].section].unit];
	const struct {
		const char *key;
		int who;
	} meta[] = {
		{"demo.login.agent", g->demo_agent},
		{"demo.login.unit_manager", du->manager},
		{"demo.login.region_manager", g->regions[g->depts[du->dept].region].manager},
		{"demo.login.analyst", analyst},
		{"demo.login.admin", admin},
	};
	for (size_t i = 0; i < COUNT(meta); i++)
		if ((rc = store_meta_set(g->s, meta[i].key, g->agents[meta[i].who].login, g->e)) !=
		    ERR_OK)
			return rc;
	progress(g, "people: %zu control agents over the period, %zu accounts in all, "
	         "%" PRId64 " assignments, %" PRId64 " absences", ncontrol, g->nagents,
	         g->n_assignments, g->n_absences);
	return ERR_OK;
}

/* ---- Registry --------------------------------------------------------------------- */

/* Relative frequency of NAF sub-classes among establishments (a prefix matches all the
 * sub-classes below it; the first match wins). Everything else weighs 1. */
static const struct {
	const char *prefix;
	double w;
} naf_weights[] = {
	{"56.10A", 120}, {"56.10C", 70}, {"56.30Z", 50}, {"56.21Z", 10}, {"55.10Z", 30},
	{"47.11", 15}, {"47.73Z", 25}, {"47.71Z", 40}, {"47.91", 30}, {"47.2", 8},
	{"47.7", 8}, {"47", 3}, {"45.20A", 50}, {"45.11Z", 25}, {"45", 4},
	{"41.20", 30}, {"43.21A", 40}, {"43.22A", 30}, {"43.22B", 25}, {"43.31Z", 20},
	{"43.32A", 25}, {"43.34Z", 40}, {"43.99C", 40}, {"43.91", 15}, {"43", 8},
	{"86.21Z", 80}, {"86.23Z", 40}, {"86.90D", 60}, {"86.90E", 70}, {"86.22", 20},
	{"86.10Z", 10}, {"86", 8}, {"87", 8}, {"88.10", 10}, {"88.91", 10}, {"88.99B", 20},
	{"96.02A", 80}, {"96.02B", 40}, {"96.04Z", 15}, {"96.09Z", 20},
	{"68.20A", 150}, {"68.20B", 150}, {"68.31Z", 30}, {"68.10Z", 20},
	{"70.22Z", 120}, {"70.10Z", 40}, {"62.01Z", 60}, {"62.02A", 40}, {"64.20Z", 80},
	{"69.10Z", 30}, {"69.20Z", 25}, {"71.11Z", 30}, {"71.12B", 30}, {"74.10Z", 40},
	{"74.90B", 30}, {"66.22Z", 30}, {"73.11Z", 25}, {"82.99Z", 25}, {"81.21Z", 30},
	{"81.30Z", 40}, {"85.59A", 40}, {"85.59B", 40}, {"85.51Z", 20}, {"85.20Z", 10},
	{"90.01Z", 40}, {"90.02Z", 20}, {"93.12Z", 40}, {"93.13Z", 10}, {"94.99Z", 200},
	{"94.91Z", 10}, {"84.11Z", 40}, {"01.11Z", 50}, {"01.21Z", 40}, {"01.41Z", 25},
	{"01.50Z", 20}, {"01.13Z", 20}, {"01.47Z", 10}, {"01.61Z", 8}, {"10.71C", 40},
	{"10.71D", 15}, {"10.13B", 8}, {"49.32Z", 40}, {"49.41A", 35}, {"49.41B", 15},
	{"52.29A", 8}, {"53.20Z", 10}, {"46", 2}, {"25", 2}, {"77.11A", 10},
	{"05", 0.2}, {"06", 0.2}, {"07", 0.2}, {"09", 0.2}, {"12", 0.2}, {"99", 0.1},
};

static void naf_table(struct gen *g)
{
	const struct refdata *rd = g->rd;
	double sum = 0;

	g->naf = xcalloc(rd->n_naf, sizeof *g->naf);
	g->naf_cum = xcalloc(rd->n_naf, sizeof *g->naf_cum);
	for (size_t i = 0; i < rd->n_naf; i++) {
		double w = 1.0;

		if (strcmp(rd->naf[i].level, "subclass") != 0)
			continue;
		for (size_t k = 0; k < COUNT(naf_weights); k++) {
			if (strncmp(rd->naf[i].code, naf_weights[k].prefix,
			            strlen(naf_weights[k].prefix)) == 0) {
				w = naf_weights[k].w;
				break;
			}
		}
		sum += w;
		g->naf[g->nnaf] = &rd->naf[i];
		g->naf_cum[g->nnaf++] = sum;
	}
}

static int naf_division(const char *code)
{
	return (code[0] - '0') * 10 + (code[1] - '0');
}

/* Headcount bands (trancheEffectifs) with their share among a company's establishments
 * and among a sole trader's. */
static const struct {
	const char *code;
	double company, sole;
	double inspect;              /* relative chance of being inspected */
} bands[] = {
	{"NN", 0.40, 0.74, 0.04}, {"00", 0.22, 0.17, 0.15}, {"01", 0.15, 0.06, 1.0},
	{"02", 0.09, 0.02, 1.6}, {"03", 0.055, 0.008, 2.2}, {"11", 0.038, 0.002, 3.0},
	{"12", 0.027, 0, 4.0}, {"21", 0.009, 0, 5.0}, {"22", 0.005, 0, 5.5},
	{"31", 0.0012, 0, 6.0}, {"32", 0.0014, 0, 6.0}, {"41", 0.0006, 0, 6.0},
	{"42", 0.00025, 0, 6.0}, {"51", 0.0001, 0, 6.0}, {"52", 0.00003, 0, 6.0},
	{"53", 0.00001, 0, 6.0},
};

static int pick_band(struct rng *r, int sole)
{
	double u = rng_double(r), acc = 0, total = 0;

	for (size_t i = 0; i < COUNT(bands); i++)
		total += sole ? bands[i].sole : bands[i].company;
	u *= total;
	for (size_t i = 0; i < COUNT(bands); i++) {
		acc += sole ? bands[i].sole : bands[i].company;
		if (u < acc)
			return (int)i;
	}
	return 0;
}

/* The legal category (categorieJuridiqueUniteLegale) for a new legal unit. */
static const char *legal_category(struct rng *r, const char *naf, int nest, int *sole)
{
	int div = naf_division(naf);
	double p_sole = 0.42, u;

	*sole = 0;
	if (div == 84)
		return rng_chance(r, 0.75) ? "7210" : rng_chance(r, 0.7) ? "7346" : "7220";
	if (strncmp(naf, "86.10", 5) == 0 && rng_chance(r, 0.5))
		return "7364";
	if (strncmp(naf, "85.31", 5) == 0 && rng_chance(r, 0.6))
		return "7331";
	if (div == 94 && rng_chance(r, 0.92))
		return "9220";
	if ((div == 93 || div == 88 || div == 90 || div == 91) && rng_chance(r, 0.45))
		return "9220";
	if (strncmp(naf, "68.20", 5) == 0 && rng_chance(r, 0.75))
		return "6540";
	if (div == 86 || div == 96 || div == 90 || strncmp(naf, "49.32", 5) == 0)
		p_sole = 0.6;
	else if (div == 64 || div == 68 || div == 46 || div >= 84)
		p_sole = 0.05;
	if (nest == 1 && rng_chance(r, p_sole)) {
		*sole = 1;
		return "1000";
	}
	if (div == 1 && rng_chance(r, 0.5))
		return rng_chance(r, 0.65) ? "6598" : "6533";
	if ((div == 69 || div == 86) && rng_chance(r, 0.5))
		return "5485";
	u = rng_double(r);
	if (nest > 20)
		return u < 0.6 ? "5710" : u < 0.9 ? "5599" : "5499";
	return u < 0.28 ? "5710" : u < 0.48 ? "5720" : u < 0.78 ? "5499" : u < 0.9 ? "5498"
	     : u < 0.96 ? "5599" : "5202";
}

/* A company name ("BOULANGERIE DUPONT", "SCI HORIZON", "MARTIN ET FILS"...). */
/* The name of a new legal unit. attempt > 0: the name drawn before is taken in the
 * commune (a denomination is protected against confusion), so public bodies take the
 * next of their other kinds of body and the others draw again. */
static void company_name(struct rng *r, const char *naf, const char *category, size_t commune,
                         const struct refdata *rd, int attempt, char *out, size_t max)
{
	static const char *const local_bodies[] = {
	    "COMMUNE DE", "CCAS DE", "CAISSE DES ECOLES DE", "SIVOM DE", "REGIE DES EAUX DE",
	    "OFFICE DE TOURISME DE", "SYNDICAT INTERCOMMUNAL DE"};
	static const char *const dept_bodies[] = {"DEPARTEMENT", "SDIS", "CDG", "MDPH", "CAUE"};
	static const char *const health_bodies[] = {
	    "CENTRE HOSPITALIER DE", "HOPITAL LOCAL DE", "EHPAD PUBLIC DE",
	    "CENTRE HOSPITALIER INTERCOMMUNAL DE"};
	const char *act = words_activity(r, naf);
	char sur[48], town[80], buf[48];
	double u = rng_double(r);
	size_t alt = (size_t)attempt;

	words_upper_ascii(words_surname(r, buf, sizeof buf), sur, sizeof sur);
	if (strcmp(category, "7210") == 0 || strcmp(category, "7346") == 0) {
		words_upper_ascii(rd->communes[commune].name, town, sizeof town);
		if (category[1] == '3' && alt == 0)
			snprintf(out, max, "COMMUNAUTE DE COMMUNES DE %s", town);
		else
			snprintf(out, max, "%s %s", local_bodies[alt % COUNT(local_bodies)], town);
		return;
	}
	if (strcmp(category, "7220") == 0) {
		const struct refdata_department *d =
			refdata_department_find(rd->communes[commune].department);

		words_upper_ascii(d ? d->name : rd->communes[commune].name, town, sizeof town);
		snprintf(out, max, "%s %s", dept_bodies[alt % COUNT(dept_bodies)], town);
		return;
	}
	if (strcmp(category, "7364") == 0 || strcmp(category, "7331") == 0) {
		words_upper_ascii(rd->communes[commune].name, town, sizeof town);
		if (category[2] == '6')
			snprintf(out, max, "%s %s", health_bodies[alt % COUNT(health_bodies)], town);
		else
			snprintf(out, max, "%s %s", rng_chance(r, 0.6) ? "COLLEGE" : "LYCEE",
			         rng_chance(r, 0.5) ? sur : words_pick(r, WORDS_STREET));
		return;
	}
	if (strcmp(category, "9220") == 0) {
		static const char *const assoc[] = {"ASSOCIATION", "AMICALE", "CLUB", "COMITE",
		                                    "UNION SPORTIVE", "FOYER RURAL"};
		static const char *const object[] = {
		    "SPORTIVE", "CULTURELLE", "DES PARENTS D ELEVES", "DE CHASSE", "DE PECHE",
		    "DU PATRIMOINE", "DES COMMERCANTS", "DES SAPEURS POMPIERS", "DES ANCIENS",
		    "DES AINES", "FAMILIALE", "DE GYMNASTIQUE", "DE JUDO", "DE TENNIS",
		    "DE FOOTBALL", "DE BASKET", "MUSICALE", "DE THEATRE", "DES JEUNES",
		    "DE QUARTIER", "DE RANDONNEE", "DES DONNEURS DE SANG", "D ENTRAIDE",
		    "DE LOISIRS", "DES FETES", "DES LOCATAIRES", "DE DANSE", "DE PETANQUE"};
		const char *a = assoc[words_zipf(r, COUNT(assoc))];

		words_upper_ascii(rd->communes[commune].name, town, sizeof town);
		if (strcmp(a, "UNION SPORTIVE") == 0 || strcmp(a, "FOYER RURAL") == 0)
			snprintf(out, max, "%s %s %.60s", a, u < 0.5 ? "DE" : sur, town);
		else if (u < 0.6)
			snprintf(out, max, "%s %s DE %s", a, object[rng_below(r, COUNT(object))], town);
		else
			snprintf(out, max, "%s %s %s", a, object[rng_below(r, COUNT(object))],
			         u < 0.8 ? sur : words_pick(r, WORDS_STREET));
		return;
	}
	if (strcmp(category, "6540") == 0) {
		if (u < 0.15)
			snprintf(out, max, "SCI %c%c%c", 'A' + (int)rng_below(r, 26),
			         'A' + (int)rng_below(r, 26), 'A' + (int)rng_below(r, 26));
		else
			snprintf(out, max, "SCI %s", u < 0.8 ? sur : u < 0.9 ? words_pick(r, WORDS_GENERIC)
			                                               : words_brand(r, buf, sizeof buf));
		return;
	}
	if (act && u < 0.35)
		snprintf(out, max, "%s %s", act, sur);
	else if (act && u < 0.55)
		snprintf(out, max, "%s %s", act, words_pick(r, rng_chance(r, 0.5) ? WORDS_PLACE
		                                                                   : WORDS_STREET));
	else if (u < 0.65)
		snprintf(out, max, "%s %s", sur, rng_chance(r, 0.6) ? "ET FILS" : "FRERES");
	else if (act && u < 0.75)
		snprintf(out, max, "%s %s", sur, act);
	else if (u < 0.85)
		snprintf(out, max, "%c%c%c %s", 'A' + (int)rng_below(r, 26),
		         'A' + (int)rng_below(r, 26), 'A' + (int)rng_below(r, 26),
		         act ? act : words_pick(r, WORDS_GENERIC));
	else if (u < 0.92) {
		const char *w1 = words_pick(r, WORDS_GENERIC), *w2 = words_pick(r, WORDS_GENERIC);

		if (strcmp(w1, w2) == 0)
			w2 = words_pick(r, WORDS_PLACE);
		snprintf(out, max, "%s %s", w1, w2);
	} else {
		words_brand(r, buf, sizeof buf);
		if (rng_chance(r, 0.6))
			snprintf(out, max, "%s %s", buf, words_pick(r, WORDS_GENERIC));
		else
			snprintf(out, max, "%s", buf);
	}
}

static int32_t creation_day(struct gen *g, struct rng *r, int32_t not_before)
{
	/* Recent creations dominate (half within about ten years), back to 1950. */
	int32_t floor_day = date_from_ymd(1950, 1, 1), day;

	if (not_before > floor_day)
		floor_day = not_before;
	day = g->today - exp_days(r, 14 * 365.25) - 1;
	if (day < floor_day)
		day = floor_day + (int32_t)rng_below(r, (uint64_t)(g->today - floor_day));
	return day;
}

/* How many establishments a new company has: most one, a few very many. */
static int establishments_per_company(struct rng *r, int cap)
{
	double u = rng_double(r);
	int n;

	if (u < 0.85)
		return 1;
	if (u < 0.94)
		return 2;
	if (u < 0.97)
		return 3;
	n = 3 + (int)pow(1.0 / (1.0 - rng_double(r)), 1.0 / 1.1);
	return n > cap ? cap : n;
}

static enum err_code registry(struct gen *g)
{
	struct rng r;
	enum err_code rc = ERR_OK;
	int64_t target = g->sc->establishments, made = 0, closed = 0;
	uint64_t prefix = 30000000, gap_max;
	int cap = target > 1000000 ? 3000 : target > 100000 ? 600 : 150;

	rng_seed(&r, g->o->seed ^ 0x7265676973747279ULL);
	naf_table(g);
	g->cest = (size_t)(target * 0.85) + 1024;
	g->est = xcalloc(g->cest, sizeof *g->est);
	while (made < target) {
		char siren[10], siret[15], nic[6], name[NAME_MAX_LEN], acronym[8];
		char first_up[48], last_up[48], last_buf[48], head_nic[6];
		int sole, nest = establishments_per_company(&r, cap);
		size_t ni = rng_pick_cumulative(&r, g->naf_cum, g->nnaf);
		const char *naf = g->naf[ni]->code;
		int section, home_dept;
		size_t commune = pick_place(g, &r, -1, &section);
		const char *category;
		int ceased = rng_chance(&r, nest == 1 ? 0.2 : 0.08);
		int32_t founded = creation_day(g, &r, 0);
		const char *first = NULL, *lastn = NULL, *ccat;
		unsigned seq = 0;

		if (nest > target - made)
			nest = (int)(target - made);
		/* SIRENs spread over 30000000x..99000000x: the gap's mean is what is left of
		 * the range over the companies still to come (about 1.4 establishments each). */
		gap_max = (uint64_t)(2.0 * (double)(99000000 - prefix) /
		                     ((double)(target - made) / 1.4 + 1.0));
		gap_max = gap_max < 2 ? 1 : gap_max > 2000 ? 2000 : gap_max - 1;
		prefix += 1 + rng_below(&r, gap_max);
		if (prefix > 99999999)
			return err_set(g->e, ERR_INTERNAL, "siren", "ran out of SIREN numbers");
		if (prefix == 35600000)  /* La Poste's SIREN follows its own rule */
			prefix++;
		snprintf(siren, sizeof siren, "%08" PRIu64 "0", prefix);
		siret_luhn_complete(siren, 9);
		category = legal_category(&r, naf, nest, &sole);
		home_dept = g->cdept[commune];
		if (sole) {
			int f = rng_chance(&r, 0.45);

			first = words_pick(&r, f ? WORDS_FIRST_F : WORDS_FIRST_M);
			lastn = words_surname(&r, last_buf, sizeof last_buf);
			words_upper_ascii(first, first_up, sizeof first_up);
			words_upper_ascii(lastn, last_up, sizeof last_up);
			name[0] = '\0';
		} else {
			/* a name taken in the commune is drawn again (three times at most) */
			for (int attempt = 0; attempt < 4; attempt++) {
				company_name(&r, naf, category, commune, g->rd, attempt, name,
				             sizeof name);
				if (hset_add(&g->names, hash_str(name) ^ (commune + 1) * 0x9e3779b97f4a7c15ULL))
					break;
			}
		}
		acronym[0] = '\0';
		if (!sole && rng_chance(&r, 0.05)) {
			size_t k = 0;

			for (const char *p = name; *p && k < 4; p++)
				if ((p == name || p[-1] == ' ') && *p >= 'A' && *p <= 'Z')
					acronym[k++] = *p;
			acronym[k] = '\0';
		}
		head_nic[0] = '\0';
		int head_band = -1;

		for (int k = 0; k < nest; k++) {
			struct establishment est = {0};
			const struct words_street_type *st = words_street_type(&r);
			char number[16], created[DATE_ISO_LEN], ens[NAME_MAX_LEN], usual[NAME_MAX_LEN];
			char street[80], town[80], extra[48];
			const char *enaf = naf;
			int head = k == 0, band, is_closed;
			int32_t day;

			if (k > 0) {
				/* Branches: most in the head office's department. */
				commune = pick_place(g, &r, rng_chance(&r, 0.65) ? home_dept : -1, &section);
				if (rng_chance(&r, 0.12))
					enaf = g->naf[rng_pick_cumulative(&r, g->naf_cum, g->nnaf)]->code;
			}
			seq += 1 + (k > 0 && rng_chance(&r, 0.3) ? (unsigned)rng_below(&r, 3) : 0);
			snprintf(siret, sizeof siret, "%s%04u0", siren, seq);
			siret_luhn_complete(siret, 14);
			memcpy(nic, siret + 9, 6);
			is_closed = ceased || (!head && rng_chance(&r, 0.2));
			band = pick_band(&r, sole);
			if (head && nest >= 10) {
				int b2 = pick_band(&r, 0);

				band = b2 > band ? b2 : band;
				band += band < 10 ? 2 : 0;
			}
			if (head)
				head_band = band;
			if (is_closed && rng_chance(&r, 0.8))
				band = 0;
			day = head ? founded : creation_day(g, &r, founded);
			if (rng_chance(&r, 0.85))
				snprintf(number, sizeof number, "%d", 1 + (int)words_zipf(&r, 180));
			else
				number[0] = '\0';
			snprintf(street, sizeof street, "%s", words_pick(&r, WORDS_STREET));
			words_upper_ascii(g->rd->communes[commune].name, town, sizeof town);
			extra[0] = '\0';
			if (rng_chance(&r, 0.08))
				snprintf(extra, sizeof extra, "%s", words_pick(&r, WORDS_ADDRESS_EXTRA));
			ens[0] = usual[0] = '\0';
			if (rng_chance(&r, sole ? 0.3 : 0.2)) {
				const char *act = words_activity(&r, enaf);

				double v = rng_double(&r);

				if (act && v < 0.6)
					snprintf(ens, sizeof ens, "%s %s", act,
					         sole ? last_up : rng_chance(&r, 0.5) ? town
					                       : words_pick(&r, WORDS_PLACE));
				else if (v < 0.8)
					snprintf(ens, sizeof ens, "%s", words_pick(&r, WORDS_FANCY));
				else
					snprintf(ens, sizeof ens, "%s %s", words_pick(&r, WORDS_FANCY),
					         rng_chance(&r, 0.5) ? town : words_pick(&r, WORDS_PLACE));
			}
			if (!sole && rng_chance(&r, 0.08))
				snprintf(usual, sizeof usual, "%s", name);
			est = (struct establishment){
				.siret = siret, .siren = siren, .nic = nic,
				.diffusion = rng_chance(&r, sole ? 0.12 : 0.003) ? "P" : "O",
				.created_on = date_format(day, created), .headcount_band = bands[band].code,
				.head_office = head, .street_number = number,
				.street_repeat = number[0] && rng_chance(&r, 0.04)
				                 ? (rng_chance(&r, 0.8) ? "B" : "T") : NULL,
				.street_type = st->code, .street_name = street, .address_extra = extra,
				.postcode = commune_postcode(g, &r, commune), .commune_name = town,
				.commune_code = g->rd->communes[commune].code,
				.state = is_closed ? "F" : "A", .enseigne1 = ens, .usual_name = usual,
				.naf = enaf, .naf_nomenclature = "NAFRev2",
			};
			if ((rc = store_establishment_upsert(g->s, &est, g->e)) != ERR_OK)
				return rc;
			if (head)
				memcpy(head_nic, nic, sizeof head_nic);
			made++;
			if (is_closed) {
				closed++;
			} else {
				if (g->nest == g->cest) {
					g->cest *= 2;
					g->est = xrealloc(g->est, g->cest * sizeof *g->est);
				}
				g->est[g->nest++] = (struct g_est){
					.siret = strtoll(siret, NULL, 10), .created = day,
					.commune = (int32_t)commune, .section = (uint16_t)section,
					.band = (uint8_t)band, .div = (uint8_t)naf_division(enaf),
				};
			}
		}
		ccat = sole ? "PME" : nest >= 200 || head_band >= 13 ? "GE"
		     : nest >= 20 || head_band >= 10 ? "ETI" : "PME";
		struct legal_unit lu = {
			.siren = siren, .name = name, .acronym = acronym, .last_name = sole ? last_up : NULL,
			.first_name = sole ? first_up : NULL, .legal_category = category,
			.company_category = ccat, .state = ceased ? "C" : "A", .head_nic = head_nic,
		};
		if ((rc = store_legal_unit_upsert(g->s, &lu, g->e)) != ERR_OK)
			return rc;
		g->n_legal_units++;
		if ((rc = tick(g, nest + 1)) != ERR_OK)
			return rc;
		if (g->o->progress && made / 1000000 != (made - nest) / 1000000)
			progress(g, "registry: %" PRId64 " establishments...", made);
	}
	/* Every identifier is new: the table holds exactly what was made. */
	struct store_count counts[32];
	size_t n = 0;

	if ((rc = store_summary(g->s, counts, COUNT(counts), &n, g->e)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(counts[i].what, "establishment") == 0 && counts[i].n != made)
			return err_set(g->e, ERR_INTERNAL, "siret", "%" PRId64 " establishments made "
			               "but %" PRId64 " stored: duplicate identifiers", made, counts[i].n);
	progress(g, "registry: %" PRId64 " legal units, %" PRId64 " establishments (%" PRId64
	         " closed)", g->n_legal_units, made, closed);
	return ERR_OK;
}

/* Groups the active establishments by section (counting sort into g->by_section). */
static void index_sections(struct gen *g)
{
	uint32_t *fill = xcalloc(g->nsections + 1, sizeof *fill);

	for (size_t i = 0; i < g->nest; i++)
		g->sections[g->est[i].section].nest++;
	for (size_t s = 0, at = 0; s < g->nsections; s++) {
		g->sections[s].est0 = (uint32_t)at;
		at += g->sections[s].nest;
	}
	g->by_section = xcalloc(g->nest + 1, sizeof *g->by_section);
	for (size_t i = 0; i < g->nest; i++) {
		uint16_t s = g->est[i].section;

		g->by_section[g->sections[s].est0 + fill[s]++] = (uint32_t)i;
	}
	free(fill);
}

/* ---- Nomenclatures and priority actions ------------------------------------------- */

static int theme_cb(void *ctx, const struct nomenclature_item *it)
{
	struct gen *g = ctx;

	g->themes = xrealloc(g->themes, (g->nthemes + 1) * sizeof *g->themes);
	g->themes[g->nthemes].code = xstrdup(it->code);
	g->themes[g->nthemes].parent = it->parent ? xstrdup(it->parent) : NULL;
	g->nthemes++;
	return 0;
}

static int kind_cb(void *ctx, const struct nomenclature_item *it)
{
	/* Shares of the kinds of intervention (about a fifth are inquiries). */
	static const struct {
		const char *code;
		double w;
	} w[] = {
		{"controle_site", 50}, {"controle_pieces", 14}, {"enquete_at", 7},
		{"enquete_mp", 2}, {"enquete_plainte", 13}, {"reunion_irp", 5},
		{"examen_demande", 9},
	};
	struct gen *g = ctx;
	struct g_kind *k;

	g->kinds = xrealloc(g->kinds, (g->nkinds + 1) * sizeof *g->kinds);
	k = &g->kinds[g->nkinds++];
	k->code = xstrdup(it->code);
	k->on_site = it->flag;
	k->weight = 1;
	for (size_t i = 0; i < COUNT(w); i++)
		if (strcmp(w[i].code, it->code) == 0)
			k->weight = w[i].w;
	return 0;
}

static int fkind_cb(void *ctx, const struct nomenclature_item *it)
{
	struct gen *g = ctx;

	g->fkinds = xrealloc(g->fkinds, (g->nfkinds + 1) * sizeof *g->fkinds);
	g->fkinds[g->nfkinds++] = xstrdup(it->code);
	return 0;
}

static const char *theme_known(const struct gen *g, const char *code)
{
	for (size_t i = 0; code && i < g->nthemes; i++)
		if (strcmp(g->themes[i].code, code) == 0)
			return g->themes[i].code;
	return NULL;
}

static const char *fkind_known(const struct gen *g, const char *code)
{
	for (size_t i = 0; i < g->nfkinds; i++)
		if (strcmp(g->fkinds[i], code) == 0)
			return g->fkinds[i];
	return NULL;
}

static enum err_code action_insert(struct gen *g, const struct words_campaign *t, int year,
                                   int region, struct rng *r)
{
	char code[48], title[200], d1[DATE_ISO_LEN], d2[DATE_ISO_LEN];
	const char *themes[WORDS_CAMPAIGN_THEMES], *points[WORDS_CAMPAIGN_POINTS];
	size_t nt = 0, np = 0, keep;
	struct g_action *a;
	enum err_code rc;

	for (size_t i = 0; i < WORDS_CAMPAIGN_THEMES; i++)
		if (theme_known(g, t->themes[i]))
			themes[nt++] = t->themes[i];
	while (np < WORDS_CAMPAIGN_POINTS && t->points[np])
		np++;
	keep = np > 3 ? 3 + rng_below(r, np - 2) : np;   /* 3 to 6 control points */
	for (size_t i = 0; i < keep; i++)
		points[i] = t->points[i];
	if (region < 0) {
		snprintf(code, sizeof code, "PAN-%d-%s", year, t->key);
		snprintf(title, sizeof title, "%s (%d)", t->title, year);
	} else {
		snprintf(code, sizeof code, "PAR-%d-R%s-%s", year, g->regions[region].ref->code,
		         t->key);
		snprintf(title, sizeof title, "%s, %s (%d)", t->title, g->regions[region].ref->name,
		         year);
	}
	g->actions = xrealloc(g->actions, (g->nactions + 1) * sizeof *g->actions);
	a = &g->actions[g->nactions];
	*a = (struct g_action){.year = year, .region = region, .t = t, .ncp = keep};
	struct priority_action pa = {
		.code = code, .title = title, .scope = region < 0 ? "national" : "regional",
		.region_code = region < 0 ? NULL : g->regions[region].ref->code,
		.start_date = date_format(date_from_ymd(year, 1, 1), d1),
		.end_date = date_format(date_from_ymd(year, 12, 31), d2),
		.themes = themes, .n_themes = nt, .control_points = points, .n_control_points = keep,
	};
	if ((rc = store_priority_action_insert(g->s, &pa, &a->id, a->cp, g->e)) != ERR_OK)
		return rc;
	g->nactions++;
	return ERR_OK;
}

static enum err_code campaigns(struct gen *g)
{
	struct rng r;
	enum err_code rc;
	size_t nn, nr;
	const struct words_campaign *nat = words_campaigns(1, &nn), *reg = words_campaigns(0, &nr);

	rng_seed(&r, g->o->seed ^ 0x63616d706169676eULL);
	if ((rc = store_nomenclature_each(g->s, STORE_NOM_THEME, theme_cb, g, g->e)) != ERR_OK ||
	    (rc = store_nomenclature_each(g->s, STORE_NOM_INTERVENTION_KIND, kind_cb, g, g->e)) !=
	        ERR_OK ||
	    (rc = store_nomenclature_each(g->s, STORE_NOM_FOLLOWUP_KIND, fkind_cb, g, g->e)) !=
	        ERR_OK)
		return rc;
	if (g->nkinds == 0 || g->nthemes == 0)
		return err_set(g->e, ERR_INVALID, "nomenclature",
		               "the database has no intervention kinds or themes");
	for (int y = year_of(g->start); y <= year_of(g->today); y++) {
		/* Falls from height and illegal work every year, two or three others. */
		int chosen[16] = {0}, n = 0;

		for (size_t i = 0; i < nn && i < COUNT(chosen); i++) {
			if (nat[i].weight >= 3.0) {
				chosen[i] = 1;
				n++;
			}
		}
		for (int tries = 0; n < 4 + (y % 2) && tries < 100; tries++) {
			size_t i = rng_below(&r, nn);

			if (i < COUNT(chosen) && !chosen[i] && rng_chance(&r, nat[i].weight / 3.0)) {
				chosen[i] = 1;
				n++;
			}
		}
		for (size_t i = 0; i < nn && i < COUNT(chosen); i++)
			if (chosen[i] && (rc = action_insert(g, &nat[i], y, -1, &r)) != ERR_OK)
				return rc;
		for (size_t k = 0; k < g->nregions; k++)
			if ((rc = action_insert(g, &reg[rng_below(&r, nr)], y, (int)k, &r)) != ERR_OK)
				return rc;
	}
	progress(g, "priority actions: %zu over %d years", g->nactions,
	         year_of(g->today) - year_of(g->start) + 1);
	return ERR_OK;
}

/* ---- Interventions ---------------------------------------------------------------- */

static int is_building(int div)
{
	return div == 41 || div == 42 || div == 43;
}

/* Easter Sunday (anonymous Gregorian algorithm), as a day number. */
static int32_t easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
	int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;

	return date_from_ymd(y, month, day);
}

/* The weight of a calendar day: weekends and public holidays nearly empty, August and
 * the end of December low. */
static double day_weight(int32_t day)
{
	int y, m, d, wd = date_weekday(day);
	int32_t e;

	date_to_ymd(day, &y, &m, &d);
	if (wd == 6)
		return 0.003;
	if (wd == 5)
		return 0.02;
	if ((m == 1 && d == 1) || (m == 5 && (d == 1 || d == 8)) || (m == 7 && d == 14) ||
	    (m == 8 && d == 15) || (m == 11 && (d == 1 || d == 11)) || (m == 12 && d == 25))
		return 0.01;
	e = easter(y);
	if (day == e + 1 || day == e + 39 || day == e + 50)
		return 0.01;
	if (m == 8)
		return 0.55;
	if (m == 12 && d >= 20)
		return 0.45;
	if (m == 7)
		return 0.9;
	return 1.0;
}

/* The section an agent holds on day (advancing its cursors), or -1; *fte receives the
 * time share and *absent whether the agent is away. */
static int agent_on(struct g_agent *a, int32_t day, double *fte, int *absent)
{
	while (a->pa < a->nas && a->as[a->pa].end < day)
		a->pa++;
	while (a->pb < a->nab && a->ab[a->pb].end < day)
		a->pb++;
	*absent = a->pb < a->nab && a->ab[a->pb].start <= day;
	if (a->pa >= a->nas || a->as[a->pa].start > day)
		return -1;
	*fte = a->as[a->pa].fte;
	return a->as[a->pa].section;
}

/* An active establishment of the section that existed on day, weighted towards
 * employers; building trades first when building is set. Returns an index in g->est or
 * -1. */
static int64_t pick_target(const struct gen *g, struct rng *r, int section, int32_t day,
                           int building)
{
	const struct g_section *sec = &g->sections[section];

	if (sec->nest == 0)
		return -1;
	for (int tries = 0; tries < 400; tries++) {
		uint32_t i = g->by_section[sec->est0 + rng_below(r, sec->nest)];
		const struct g_est *t = &g->est[i];

		if (t->created > day)
			continue;
		if (building && tries < 200 && !is_building(t->div))
			continue;
		if (!rng_chance(r, bands[t->band].inspect / 6.0))
			continue;
		return i;
	}
	return -1;
}

/* Theme affinities: (theme, kind or NULL, NAF division or 0, factor). */
static const struct {
	const char *theme, *kind;
	int div;
	double f;
} affinity[] = {
	{"ss_chutes_hauteur", NULL, 41, 12}, {"ss_chutes_hauteur", NULL, 43, 12},
	{"ss_amiante", NULL, 43, 5}, {"ss_amiante", NULL, 41, 4},
	{"ti_detachement", NULL, 43, 4}, {"ti_detachement", NULL, 1, 4},
	{"ti_dissimulation", NULL, 56, 6}, {"ti_dissimulation", NULL, 43, 3},
	{"ds_duree", NULL, 56, 4}, {"ds_duree", NULL, 55, 4}, {"ds_duree", NULL, 47, 3},
	{"ss_machines", NULL, 25, 4}, {"ss_machines", NULL, 10, 3}, {"ss_machines", NULL, 1, 3},
	{"ss_vehicules", NULL, 49, 5}, {"ss_vehicules", NULL, 52, 5},
	{"ss_chimique", NULL, 45, 4}, {"ss_chimique", NULL, 20, 5}, {"ss_rps", NULL, 86, 3},
	{"ss_rps", NULL, 87, 3}, {"ss_machines", "enquete_at", 0, 5},
	{"ss_chutes_hauteur", "enquete_at", 0, 5}, {"ss_vehicules", "enquete_at", 0, 4},
	{"ss_chimique", "enquete_mp", 0, 8}, {"ss_amiante", "enquete_mp", 0, 6},
	{"ss_evaluation_risques", "enquete_mp", 0, 6}, {"ri_harcelement", "enquete_plainte", 0, 6},
	{"ds_salaire", "enquete_plainte", 0, 6}, {"ri_discrimination", "enquete_plainte", 0, 3},
	{"ss_rps", "enquete_plainte", 0, 4}, {"ri_contrat", "enquete_plainte", 0, 3},
	{"rc_cse", "reunion_irp", 0, 30}, {"ss_rps", "reunion_irp", 0, 4},
	{"ri_rupture", "examen_demande", 0, 15}, {"ds_duree", "examen_demande", 0, 6},
	{"ef_apprentissage", "examen_demande", 0, 5}, {"ds_decompte", "controle_pieces", 0, 4},
	{"ss_evaluation_risques", "controle_pieces", 0, 4},
	{"ss_evaluation_risques", "controle_site", 0, 2},
};

#define THEME_MAX 64

/* The cumulative weights of the fine themes for a kind (index) and a NAF division, built
 * on first use and kept in g->theme_cum. */
static const double *theme_weights(struct gen *g, size_t kind, int div)
{
	size_t slot = kind * 100 + (size_t)div;
	double *cum, sum = 0;

	if (g->theme_cum == NULL) {
		g->theme_cum = xcalloc(g->nkinds * 100 * THEME_MAX, sizeof *g->theme_cum);
		g->theme_ready = xcalloc(g->nkinds * 100, 1);
		for (size_t i = 0; i < g->nthemes && g->nleaves < THEME_MAX; i++)
			if (g->themes[i].parent != NULL)
				g->leaves[g->nleaves++] = i;
	}
	cum = g->theme_cum + slot * THEME_MAX;
	if (g->theme_ready[slot])
		return cum;
	for (size_t n = 0; n < g->nleaves; n++) {
		const char *code = g->themes[g->leaves[n]].code;
		double w = 1.0;

		for (size_t k = 0; k < COUNT(affinity); k++) {
			if (strcmp(affinity[k].theme, code) != 0)
				continue;
			if ((affinity[k].kind && strcmp(affinity[k].kind, g->kinds[kind].code) == 0) ||
			    (affinity[k].div && affinity[k].div == div))
				w *= affinity[k].f;
		}
		sum += w;
		cum[n] = sum;
	}
	g->theme_ready[slot] = 1;
	return cum;
}

static const char *pick_theme(struct gen *g, struct rng *r, size_t kind, int div)
{
	const double *cum = theme_weights(g, kind, div < 100 ? div : 0);

	if (g->nleaves == 0)
		return g->themes[rng_below(r, g->nthemes)].code;
	return g->themes[g->leaves[rng_pick_cumulative(r, cum, g->nleaves)]].code;
}

/* A current colleague of the agent's unit on day, or -1. */
static int colleague(const struct gen *g, struct rng *r, int section, int self, int32_t day)
{
	const struct g_unit *u = &g->units[g->sections[section].unit];

	for (int tries = 0; tries < 8; tries++) {
		const struct g_section *sec = &g->sections[u->sec0 + (int)rng_below(r, (uint64_t)u->nsec)];

		if (sec->occupant >= 0 && sec->occupant != self && sec->seen >= day - 7)
			return sec->occupant;
	}
	return -1;
}

struct iv_buf {
	struct intervention iv;
	const char *themes[4];
	int64_t co[2];
	struct checkpoint_state cps[WORDS_CAMPAIGN_POINTS];
	struct followup fu[3];
	const char *prov[3][3];
	char fdate[3][DATE_ISO_LEN];
	struct accident acc;
	struct disease dis;
	char date[DATE_ISO_LEN], acc_date[DATE_ISO_LEN], dis_date[DATE_ISO_LEN];
	char created[DATE_STAMP_LEN];
	char siret[15];
	char note[400];
};

/* Draws the follow-ups of an intervention. */
static void followups(const struct gen *g, struct rng *r, struct iv_buf *b, int32_t day,
                      int div, int noncompliant, int serious)
{
	const char *kind = b->iv.kind, *t0 = b->themes[0];
	int site = strcmp(kind, "controle_site") == 0, doc = strcmp(kind, "controle_pieces") == 0;
	int inquiry = strncmp(kind, "enquete", 7) == 0, ti = strncmp(t0, "ti_", 3) == 0;
	const struct {
		const char *code;
		double p;
		int lo, hi;
	} f[] = {
		{"lettre_observations",
		 (site ? 0.27 : doc ? 0.24 : inquiry ? 0.18 : 0.02) + 0.2 * noncompliant, 7, 45},
		{"mise_en_demeure", site || doc ? 0.025 : 0.005, 3, 30},
		{"arret_travaux", site && is_building(div) ? 0.03 : site ? 0.004 : 0.0, 0, 1},
		{"decision_administrative", strcmp(kind, "examen_demande") == 0 ? 0.85 : 0.004, 10,
		 60},
		{"rapport_amende", (site || doc) ? (strncmp(t0, "ds_", 3) == 0 ||
		                                    strcmp(t0, "ti_detachement") == 0 ? 0.05 : 0.01)
		                                 : 0.0, 20, 120},
		{"proces_verbal", ti ? 0.05 : serious ? 0.08 : site || inquiry ? 0.006 : 0.002, 30, 180},
		{"signalement_procureur", ti ? 0.02 : 0.002, 10, 90},
		{"transmission", strcmp(kind, "enquete_plainte") == 0 ? 0.05 : 0.012, 1, 30},
	};

	for (size_t i = 0; i < COUNT(f) && b->iv.n_followups < COUNT(b->fu); i++) {
		struct followup *fu;
		int32_t fd;
		const char *code = fkind_known(g, f[i].code);
		size_t k = b->iv.n_followups;

		if (code == NULL || !rng_chance(r, f[i].p))
			continue;
		fd = day + (int32_t)rng_range(r, f[i].lo, f[i].hi);
		fu = &b->fu[k];
		*fu = (struct followup){.kind = code, .status = "issued"};
		if (fd > g->today) {
			if (rng_chance(r, 0.5))
				continue;
			fd = g->today;
			fu->status = "draft";
		} else if (fd < g->today - 180) {
			fu->status = rng_chance(r, 0.03) ? "under_appeal" : rng_chance(r, 0.6) ? "closed"
			           : "issued";
		}
		fu->date = date_format(fd, b->fdate[k]);
		fu->n_provisions = strcmp(code, "decision_administrative") == 0 ||
		                   strcmp(code, "transmission") == 0 ? 0 : 1 + words_zipf(r, 3);
		for (size_t p = 0; p < fu->n_provisions; p++)
			b->prov[k][p] = words_provision(r, b->themes[p < b->iv.n_themes ? p : 0]);
		/* Distinct provisions only. */
		for (size_t p = 1; p < fu->n_provisions; p++)
			for (size_t q = 0; q < p; q++)
				if (strcmp(b->prov[k][p], b->prov[k][q]) == 0) {
					b->prov[k][p] = b->prov[k][--fu->n_provisions];
					p--;
					break;
				}
		fu->provisions = b->prov[k];
		b->iv.n_followups++;
	}
	b->iv.followups = b->fu;
}

/* Opens (or reuses) a worksite in the section with several building firms present;
 * returns its id, or 0 when the section has too few building firms. */
static enum err_code worksite_for(struct gen *g, struct rng *r, int section, int agent,
                                  int64_t first, int32_t day, int64_t *id)
{
	struct g_section *sec = &g->sections[section];
	char sirets[7][15], addr[160], d1[DATE_ISO_LEN], d2[DATE_ISO_LEN];
	const char *list[7];
	const struct words_street_type *st;
	size_t n = 0, want = 2 + rng_below(r, 5);
	size_t commune = (size_t)g->est[first].commune;
	int32_t end;
	enum err_code rc;

	*id = 0;
	if (sec->worksite && sec->worksite_end >= day && rng_chance(r, 0.35)) {
		*id = sec->worksite;
		return ERR_OK;
	}
	siret_format(g->est[first].siret, sirets[n]);
	list[n] = sirets[n];
	n++;
	for (int tries = 0; n < want && tries < 30; tries++) {
		int64_t o = pick_target(g, r, section, day, 1);
		int dup = 0;

		if (o < 0 || !is_building(g->est[o].div))
			continue;
		siret_format(g->est[o].siret, sirets[n]);
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(sirets[k], sirets[n]) == 0;
		if (!dup) {
			list[n] = sirets[n];
			n++;
		}
	}
	if (n < 2)
		return ERR_OK;
	st = words_street_type(r);
	snprintf(addr, sizeof addr, "%d %s %s", 1 + (int)words_zipf(r, 120), st->label,
	         words_pick(r, WORDS_STREET));
	end = day + (int32_t)rng_range(r, 30, 540);
	struct worksite w = {
		.name = words_pick(r, WORDS_WORKSITE), .address = addr,
		.postcode = commune_postcode(g, r, commune),
		.commune_code = g->rd->communes[commune].code,
		.start_date = date_format(day - (int32_t)rng_range(r, 10, 400), d1),
		.end_date = end < g->today ? date_format(end, d2) : NULL,
		.created_by = g->agents[agent].id, .sirets = list, .n_sirets = n,
	};
	if ((rc = store_worksite_insert(g->s, &w, id, g->e)) != ERR_OK)
		return rc;
	sec->worksite = *id;
	sec->worksite_end = end;
	g->n_worksites++;
	return tick(g, (int64_t)n + 1);
}

/* A priority action for an intervention on day by an agent of region, preferring the
 * campaigns aimed at the establishment's division; NULL when none runs that year. */
static const struct g_action *pick_action(const struct gen *g, struct rng *r, int year,
                                          int region, int div)
{
	double cum[32], sum = 0;
	const struct g_action *c[32];
	size_t n = 0;

	for (size_t i = 0; i < g->nactions && n < COUNT(cum); i++) {
		const struct g_action *a = &g->actions[i];
		double w = a->region < 0 ? 1.0 : 0.8;

		if (a->year != year || (a->region >= 0 && a->region != region))
			continue;
		for (int k = 0; k < WORDS_CAMPAIGN_DIVS; k++)
			if (a->t->divisions[k] == div && div)
				w *= 8;
		sum += w;
		cum[n] = sum;
		c[n++] = a;
	}
	return n ? c[rng_pick_cumulative(r, cum, n)] : NULL;
}

static enum err_code intervention_one(struct gen *g, struct rng *r, int agent, int section,
                                      int32_t day)
{
	struct iv_buf b;
	struct g_agent *a = &g->agents[agent];
	double kc[32], ks = 0;
	const struct g_kind *kind;
	int64_t t;
	int div, target_section = section, noncompliant = 0, serious = 0, year = year_of(day);
	int late = year >= g->change_year;
	const struct g_action *pa = NULL;
	enum err_code rc;

	memset(&b, 0, sizeof b);
	for (size_t i = 0; i < g->nkinds && i < COUNT(kc); i++) {
		ks += g->kinds[i].weight;
		kc[i] = ks;
	}
	kind = &g->kinds[rng_pick_cumulative(r, kc, g->nkinds < COUNT(kc) ? g->nkinds : COUNT(kc))];
	/* Interim: now and then an agent covers another section of the unit. */
	if (rng_chance(r, 0.1)) {
		const struct g_unit *u = &g->units[g->sections[section].unit];

		target_section = u->sec0 + (int)rng_below(r, (uint64_t)u->nsec);
	}
	t = pick_target(g, r, target_section, day,
	                strcmp(kind->code, "enquete_at") == 0 && rng_chance(r, 0.35));
	if (t < 0 && (t = pick_target(g, r, section, day, 0)) < 0)
		return ERR_OK;
	div = g->est[t].div;
	b.iv.kind = kind->code;
	b.iv.on_site = rng_chance(r, 0.93) ? kind->on_site : !kind->on_site;
	b.iv.author_id = a->id;
	b.iv.date = date_format(day, b.date);
	/* Themes: one to three, distinct. */
	b.themes[0] = pick_theme(g, r, (size_t)(kind - g->kinds), div);
	b.iv.n_themes = 1;
	for (int extra = rng_chance(r, 0.45) + rng_chance(r, 0.15); extra > 0; extra--) {
		const char *th = pick_theme(g, r, (size_t)(kind - g->kinds), div);
		int dup = 0;

		for (size_t k = 0; k < b.iv.n_themes; k++)
			dup |= strcmp(b.themes[k], th) == 0;
		if (!dup)
			b.themes[b.iv.n_themes++] = th;
	}
	b.iv.themes = b.themes;
	/* Priority action: honest checks, or a box ticked with nothing checked. */
	if (strcmp(kind->code, "controle_site") == 0 || strcmp(kind->code, "controle_pieces") == 0
	    || strcmp(kind->code, "enquete_plainte") == 0) {
		if (rng_chance(r, late ? 0.72 : 0.55))
			pa = pick_action(g, r, year, g->depts[g->units[g->sections[section].unit].dept].region,
			                 div);
	} else if (late && rng_chance(r, 0.3)) {
		pa = pick_action(g, r, year, g->depts[g->units[g->sections[section].unit].dept].region,
		                 0);
	}
	if (pa) {
		int ghost = strcmp(kind->code, "reunion_irp") == 0 ||
		            strcmp(kind->code, "examen_demande") == 0 ||
		            strcmp(kind->code, "enquete_at") == 0 ||
		            strcmp(kind->code, "enquete_mp") == 0 ||
		            rng_chance(r, late ? 0.15 : 0.04);
		int checked = 0;

		b.iv.priority_action_id = pa->id;
		for (size_t k = 0; k < pa->ncp; k++) {
			double u = rng_double(r);
			const char *state = ghost ? MODEL_CHECKPOINT_NOT_CHECKED
			                  : u < 0.58 ? MODEL_CHECKPOINT_COMPLIANT
			                  : u < 0.82 ? MODEL_CHECKPOINT_NON_COMPLIANT
			                             : MODEL_CHECKPOINT_NOT_CHECKED;

			if (!ghost && k + 1 == pa->ncp && !checked)
				state = MODEL_CHECKPOINT_COMPLIANT;
			checked += strcmp(state, MODEL_CHECKPOINT_NOT_CHECKED) != 0;
			noncompliant |= strcmp(state, MODEL_CHECKPOINT_NON_COMPLIANT) == 0;
			b.cps[k] = (struct checkpoint_state){pa->cp[k], state};
		}
		b.iv.checkpoints = b.cps;
		b.iv.n_checkpoints = pa->ncp;
		if (!ghost && pa->t->themes[0] && theme_known(g, pa->t->themes[0])) {
			int dup = 0;

			for (size_t k = 0; k < b.iv.n_themes; k++)
				dup |= strcmp(b.themes[k], pa->t->themes[0]) == 0;
			if (!dup && b.iv.n_themes < COUNT(b.themes)) {
				b.themes[b.iv.n_themes++] = b.themes[0];
				b.themes[0] = theme_known(g, pa->t->themes[0]);
			}
		}
	}
	/* Accidents and diseases. */
	if (strcmp(kind->code, "enquete_at") == 0) {
		double u = rng_double(r);

		b.acc.severity = u < 0.04 ? "fatal" : u < 0.64 ? "serious" : "other";
		b.acc.date = date_format(day - (int32_t)rng_range(r, 0, 20), b.acc_date);
		b.acc.victims = rng_chance(r, 0.93) ? 1 : 2 + rng_chance(r, 0.3);
		b.iv.accidents = &b.acc;
		b.iv.n_accidents = 1;
		serious = b.acc.severity[0] != 'o';
	} else if (strcmp(kind->code, "enquete_mp") == 0) {
		b.dis.table_number = words_disease_table(r);
		b.dis.date = date_format(day - (int32_t)rng_range(r, 30, 400), b.dis_date);
		b.dis.victims = rng_chance(r, 0.97) ? 1 : 2;
		b.iv.diseases = &b.dis;
		b.iv.n_diseases = 1;
	}
	/* Co-agents: more often on illegal work. */
	if (rng_chance(r, strncmp(b.themes[0], "ti_", 3) == 0 ? 0.3 : 0.06)) {
		int c = colleague(g, r, section, agent, day);

		if (c >= 0)
			b.co[b.iv.n_co_agents++] = g->agents[c].id;
		if (c >= 0 && rng_chance(r, 0.15) && (c = colleague(g, r, section, agent, day)) >= 0 &&
		    g->agents[c].id != b.co[0])
			b.co[b.iv.n_co_agents++] = g->agents[c].id;
		b.iv.co_agents = b.co;
	}
	/* Worksites for building trades. */
	if (is_building(div) && strcmp(kind->code, "controle_site") == 0 && rng_chance(r, 0.45)) {
		if ((rc = worksite_for(g, r, target_section, agent, t, day, &b.iv.worksite_id)) !=
		    ERR_OK)
			return rc;
	}
	if (b.iv.worksite_id == 0) {
		siret_format(g->est[t].siret, b.siret);
		b.iv.siret = b.siret;
	}
	followups(g, r, &b, day, div, noncompliant, serious);
	words_note(r, kind->code, b.themes[0], b.note, sizeof b.note);
	b.iv.note = b.note;
	b.iv.status = (day > g->today - 21 && rng_chance(r, 0.5)) || rng_chance(r, 0.003)
	            ? "draft" : "final";
	{
		int32_t cd = day + (int32_t)words_zipf(r, 8);
		char d[DATE_ISO_LEN];

		if (cd > g->today)
			cd = g->today;
		snprintf(b.created, sizeof b.created, "%sT%02d:%02d:%02dZ", date_format(cd, d),
		         7 + (int)rng_below(r, 11), (int)rng_below(r, 60), (int)rng_below(r, 60));
		b.iv.created_at = b.created;
	}
	if ((rc = store_intervention_insert(g->s, &b.iv, NULL, g->e)) != ERR_OK)
		return rc;
	g->n_interventions++;
	g->n_followups += (int64_t)b.iv.n_followups;
	return tick(g, 2 + (int64_t)(b.iv.n_themes + b.iv.n_checkpoints + b.iv.n_followups +
	                             b.iv.n_co_agents));
}

/* The weight of one agent on one day, 0 when not in post or away. */
static double agent_day_weight(struct gen *g, size_t i, int32_t day, double dw, int *section)
{
	struct g_agent *a = &g->agents[i];
	double fte;
	int absent;

	*section = agent_on(a, day, &fte, &absent);
	if (*section < 0 || absent)
		return 0;
	return dw * fte * a->activity;
}

static enum err_code activity(struct gen *g)
{
	struct rng r;
	double total = 0, lambda;
	double target = g->sc->interventions_year * (g->today - g->start + 1) / 365.25;
	enum err_code rc;
	int section;

	rng_seed(&r, g->o->seed ^ 0x616374697669747aULL);
	index_sections(g);
	for (size_t s = 0; s < g->nsections; s++)
		g->sections[s].occupant = -1;
	/* First pass: the total weight, so that the volume matches the scale. */
	for (int32_t day = g->start; day <= g->today; day++) {
		double dw = day_weight(day);

		for (size_t i = 0; i < g->nagents; i++)
			if (g->agents[i].role == ROLE_AGENT)
				total += agent_day_weight(g, i, day, dw, &section);
	}
	for (size_t i = 0; i < g->nagents; i++)
		g->agents[i].pa = g->agents[i].pb = 0;
	lambda = total > 0 ? target / total : 0;
	for (int32_t day = g->start; day <= g->today; day++) {
		double dw = day_weight(day);

		/* Keep the occupants current for the choice of co-agents. */
		for (size_t i = 0; i < g->nagents; i++) {
			double w;
			unsigned n;

			if (g->agents[i].role != ROLE_AGENT)
				continue;
			if ((w = agent_day_weight(g, i, day, dw, &section)) <= 0)
				continue;
			g->sections[section].occupant = (int)i;
			g->sections[section].seen = day;
			n = rng_poisson(&r, lambda * w);
			for (unsigned k = 0; k < n; k++)
				if ((rc = intervention_one(g, &r, (int)i, section, day)) != ERR_OK)
					return rc;
		}
		if (g->o->progress && year_of(day) != year_of(day + 1))
			progress(g, "interventions: %" PRId64 " up to %d", g->n_interventions,
			         year_of(day));
	}
	progress(g, "interventions: %" PRId64 " interventions, %" PRId64 " follow-ups, %" PRId64
	         " worksites", g->n_interventions, g->n_followups, g->n_worksites);
	return ERR_OK;
}

/* ---- Entry point ------------------------------------------------------------------ */

static void gen_release(struct gen *g)
{
	for (size_t i = 0; i < g->nagents; i++) {
		free(g->agents[i].as);
		free(g->agents[i].ab);
	}
	free(g->agents);
	set_release(&g->logins);
	free(g->names.slot);
	for (size_t i = 0; i < g->rd->n_communes && g->postcodes; i++)
		free(g->postcodes[i]);
	free(g->postcodes);
	free(g->npostcodes);
	free(g->regions);
	free(g->depts);
	free(g->communes);
	free(g->ccum);
	free(g->cdept);
	free(g->dcum);
	free(g->units);
	free(g->sections);
	free(g->naf);
	free(g->naf_cum);
	free(g->est);
	free(g->by_section);
	free(g->actions);
	for (size_t i = 0; i < g->nthemes; i++) {
		free(g->themes[i].code);
		free(g->themes[i].parent);
	}
	free(g->themes);
	free(g->theme_cum);
	free(g->theme_ready);
	for (size_t i = 0; i < g->nkinds; i++)
		free(g->kinds[i].code);
	free(g->kinds);
	for (size_t i = 0; i < g->nfkinds; i++)
		free(g->fkinds[i]);
	free(g->fkinds);
}

/* Refuses a database that already holds a registry or accounts. */
static enum err_code check_empty(struct store *s, struct err *e)
{
	struct store_count counts[32];
	size_t n;
	enum err_code rc = store_summary(s, counts, COUNT(counts), &n, e);

	if (rc != ERR_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((strcmp(counts[i].what, "establishment") == 0 ||
		     strcmp(counts[i].what, "agent") == 0 || strcmp(counts[i].what, "org_unit") == 0) &&
		    counts[i].n > 0)
			return err_set(e, ERR_CONFLICT, "db",
			               "the database is not empty (it holds %" PRId64 " %s rows); "
			               "generate into a new file", counts[i].n, counts[i].what);
	}
	return ERR_OK;
}

enum err_code gen_run(struct store *s, const struct gen_options *o, struct err *e)
{
	struct gen g = {.s = s, .o = o, .e = e, .rd = refdata_get()};
	char today[DATE_ISO_LEN], from[DATE_ISO_LEN], seed[24];
	enum err_code rc;
	int y, m, d;

	clock_gettime(CLOCK_MONOTONIC, &g.t0);
	if ((unsigned)o->scale >= COUNT(scales))
		return err_set(e, ERR_INVALID, "scale", "expected tiny, small or national");
	g.sc = &scales[o->scale];
	if (o->today) {
		if (date_parse(o->today, &g.today) != 0)
			return err_set(e, ERR_INVALID, "today", "expected a date YYYY-MM-DD, got '%s'",
			               o->today);
	} else {
		g.today = date_today();
	}
	date_to_ymd(g.today, &y, &m, &d);
	if (y < 1970 + g.sc->years || y > 2900)
		return err_set(e, ERR_INVALID, "today", "expected a date between %d and 2900",
		               1970 + g.sc->years);
	g.start = date_from_ymd(y - g.sc->years, m, d > 28 ? 28 : d) + 1;
	g.change_year = g.sc->years >= 3 ? y - g.sc->years / 2 : y - g.sc->years;
	if ((rc = check_empty(s, e)) != ERR_OK)
		return rc;
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	geography(&g);
	if (g.ndepts == 0 || g.ncommunes == 0) {
		rc = err_set(e, ERR_INTERNAL, "refdata", "no department or commune in scope");
		goto out;
	}
	if ((rc = organisation(&g)) != ERR_OK || (rc = people(&g)) != ERR_OK ||
	    (rc = registry(&g)) != ERR_OK || (rc = campaigns(&g)) != ERR_OK ||
	    (rc = activity(&g)) != ERR_OK)
		goto out;
	snprintf(seed, sizeof seed, "%" PRIu64, o->seed);
	if ((rc = store_meta_set(s, "generate.scale", g.sc->name, e)) != ERR_OK ||
	    (rc = store_meta_set(s, "generate.seed", seed, e)) != ERR_OK ||
	    (rc = store_meta_set(s, "generate.today", date_format(g.today, today), e)) != ERR_OK)
		goto out;
	rc = store_commit(s, e);
	if (rc == ERR_OK)
		progress(&g, "done: scale %s, seed %s, history from %s to %s", g.sc->name, seed,
		         date_format(g.start, from), today);
out:
	if (rc != ERR_OK)
		store_rollback(s);
	gen_release(&g);
	return rc;
}

/* ilo: the ILO Convention 81 annual report, the ILOSTAT indicators and the national
 * report's tables (see ilo.h and docs/STATISTICS.md, "The ILO annual report"). */
#include "stats/ilo.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/xalloc.h"
#include "report/pdf.h"
#include "report/table.h"
#include "store/store-ilo.h"
#include "store/store-stats.h"
#include "web/html.h"

#define MAX_FIGURES 64
#define MAX_GRIDS 32
#define MAX_REGIONS 64
#define MAX_NOM 64
#define MAX_YEARS 100
#define MAX_CELLS 200000
#define MAX_OUT (64u << 20)

static const char *const month_fr[13] = {"",        "janvier", "février",  "mars",
                                         "avril",   "mai",     "juin",     "juillet",
                                         "août",    "septembre", "octobre", "novembre",
                                         "décembre"};

/* ==== Building blocks: figures and grids ============================================== */

static struct ilo_value v_na(void)
{
	return (struct ilo_value){.kind = ILO_NA};
}

static struct ilo_value v_int(int64_t n)
{
	return (struct ilo_value){.kind = ILO_INT, .num = n};
}

static struct ilo_value v_real(double x)
{
	return (struct ilo_value){.kind = ILO_REAL, .real = x};
}

static struct ilo_value v_secret(void)
{
	return (struct ilo_value){.kind = ILO_SECRET};
}

static struct ilo_value v_quarterly(void)
{
	return (struct ilo_value){.kind = ILO_QUARTERLY};
}

/* The figure list has a fixed capacity: figures are added by this file's code, never
 * by input, so running out is a bug. */
static struct ilo_figure *fig_add(struct ilo_report *r, const char *item, const char *code,
                                  const char *label, const char *definition)
{
	struct ilo_figure *f;

	if (r->nfigures >= r->cap_figures)
		abort();
	f = &r->figures[r->nfigures++];
	memset(f, 0, sizeof *f);
	f->item = item;
	f->code = code;
	f->label = label;
	f->definition = definition;
	f->v = v_na();
	return f;
}

static void fig_source(struct ilo_figure *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fig_source(struct ilo_figure *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->source, sizeof f->source, fmt, ap);
	va_end(ap);
}

static void fig_complete(struct ilo_figure *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fig_complete(struct ilo_figure *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->completeness, sizeof f->completeness, fmt, ap);
	va_end(ap);
}

static struct ilo_grid *grid_add(struct ilo_report *r, const char *item, const char *code,
                                 const char *title, size_t ncols, const char *const *header)
{
	struct ilo_grid *g;

	if (r->ngrids >= r->cap_grids || ncols > ILO_MAX_COLS)
		abort();
	g = &r->grids[r->ngrids++];
	memset(g, 0, sizeof *g);
	g->item = item;
	g->code = code;
	g->title = xstrdup(title);
	g->ncols = ncols;
	for (size_t i = 0; i <= ncols; i++)
		g->header[i] = xstrdup(header[i]);
	return g;
}

/* Appends a row of unavailable values; NULL past ILO_MAX_ROWS (the row is dropped and a
 * note says so once). */
static struct ilo_row *grid_row(struct ilo_grid *g, const char *label)
{
	struct ilo_row *row;

	if (g->nrows >= ILO_MAX_ROWS)
		return NULL;
	if (g->nrows == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->rows = xrealloc(g->rows, g->cap * sizeof *g->rows);
	}
	row = &g->rows[g->nrows++];
	memset(row, 0, sizeof *row);
	row->label = xstrdup(label ? label : "");
	for (size_t i = 0; i < ILO_MAX_COLS; i++)
		row->v[i] = v_na();
	return row;
}

static void grid_note(struct ilo_grid *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void grid_note(struct ilo_grid *g, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (g->nnotes >= ILO_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	g->notes[g->nnotes++] = xstrdup(text);
}

void ilo_report_release(struct ilo_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ngrids; i++) {
		struct ilo_grid *g = &r->grids[i];

		free(g->title);
		for (size_t c = 0; c <= g->ncols; c++)
			free(g->header[c]);
		for (size_t k = 0; k < g->nrows; k++)
			free(g->rows[k].label);
		free(g->rows);
		for (size_t k = 0; k < g->nnotes; k++)
			free(g->notes[k]);
	}
	free(r->grids);
	free(r->figures);
	free(r->text_a);
	free(r->text_a_author);
	free(r->text_a_updated);
	memset(r, 0, sizeof *r);
}

const struct ilo_figure *ilo_report_figure(const struct ilo_report *r, const char *code)
{
	for (size_t i = 0; i < r->nfigures; i++)
		if (strcmp(r->figures[i].code, code) == 0)
			return &r->figures[i];
	return NULL;
}

const struct ilo_grid *ilo_report_grid(const struct ilo_report *r, const char *code)
{
	for (size_t i = 0; i < r->ngrids; i++)
		if (strcmp(r->grids[i].code, code) == 0)
			return &r->grids[i];
	return NULL;
}

/* ==== What the build reads ============================================================ */

struct region {
	char *code, *name, *cog;
};

struct nom {
	char *code, *label;
	int flag; /* follow-up kinds: a sanction */
};

struct noms {
	struct nom item[MAX_NOM];
	size_t n;
	int top_only; /* themes: only the top level */
};

struct cellv {
	char *tbl, *geo, *cat;
	int64_t value;
	int secret;
	int design; /* a breakdown of a small unit, published by quarter only */
};

struct cellset {
	struct cellv *c;
	size_t n, cap;
	const char *national;
	const struct region *regions;
	size_t nregions;
	int too_many;
};

struct rel_pick {
	int64_t id;
	char month[8];
	int version;
	char date[24];
};

struct build {
	struct store *st;
	struct ilo_report *r;
	struct stats_rules rules;
	char from[16], to[16];
	char national[64];
	struct region regions[MAX_REGIONS];
	size_t nregions;
	int too_many_regions;
	struct noms kinds, fukinds, themes;
	struct cellset cells;
	struct rel_pick years[MAX_YEARS]; /* newest release of each year up to r->year */
	size_t nyears;
	size_t n_design; /* year-to-date cells of small regions published by quarter only */
	struct ilo_value uncited; /* share of follow-ups citing no provision (build_provisions) */
};

static int geo_national(void *ctx, const struct store_stats_geo *g)
{
	struct build *b = ctx;

	if (strcmp(g->level, "national") == 0 && b->national[0] == '\0')
		snprintf(b->national, sizeof b->national, "%s", g->code);
	return 0;
}

static int region_row(void *ctx, const char *code, const char *name, const char *cog)
{
	struct build *b = ctx;
	struct region *rg;

	if (b->nregions >= MAX_REGIONS) {
		b->too_many_regions = 1;
		return 1;
	}
	rg = &b->regions[b->nregions++];
	rg->code = xstrdup(code ? code : "");
	rg->name = xstrdup(name && name[0] ? name : rg->code);
	rg->cog = cog ? xstrdup(cog) : NULL;
	return 0;
}

static int nom_row(void *ctx, const struct nomenclature_item *it)
{
	struct noms *n = ctx;

	if (n->top_only && it->parent && it->parent[0])
		return 0;
	if (n->n >= MAX_NOM)
		return 1;
	n->item[n->n].code = xstrdup(it->code);
	n->item[n->n].label = xstrdup(it->label && it->label[0] ? it->label : it->code);
	n->item[n->n].flag = it->flag;
	n->n++;
	return 0;
}

static void noms_free(struct noms *n)
{
	for (size_t i = 0; i < n->n; i++) {
		free(n->item[i].code);
		free(n->item[i].label);
	}
	n->n = 0;
}

static int keep_geo(const struct cellset *cs, const char *geo)
{
	if (strcmp(geo, cs->national) == 0)
		return 1;
	for (size_t i = 0; i < cs->nregions; i++)
		if (strcmp(geo, cs->regions[i].code) == 0)
			return 1;
	return 0;
}

static int cell_row(void *ctx, const struct store_stats_cell *c)
{
	struct cellset *cs = ctx;
	struct cellv *v;

	if (!keep_geo(cs, c->geo))
		return 0;
	if (cs->n >= MAX_CELLS) {
		cs->too_many = 1;
		return 1;
	}
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 1024;
		cs->c = xrealloc(cs->c, cs->cap * sizeof *cs->c);
	}
	v = &cs->c[cs->n++];
	v->tbl = xstrdup(c->tbl);
	v->geo = xstrdup(c->geo);
	v->cat = xstrdup(c->cat);
	v->value = c->value;
	v->secret = strcmp(c->status, "published") != 0;
	v->design = c->reason && strcmp(c->reason, stats_reason_name(STATS_R_DESIGN)) == 0;
	return 0;
}

static void cells_free(struct cellset *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->c[i].tbl);
		free(cs->c[i].geo);
		free(cs->c[i].cat);
	}
	free(cs->c);
	cs->c = NULL;
	cs->n = cs->cap = 0;
}

static int cell_cmp(const void *a, const void *b)
{
	const struct cellv *x = a, *y = b;
	int c = strcmp(x->tbl, y->tbl);

	if (c == 0)
		c = strcmp(x->geo, y->geo);
	if (c == 0)
		c = strcmp(x->cat, y->cat);
	return c;
}

/* The released value of (table, geo, category): unavailable when the release has no such
 * cell (no release, or a table not in it), secret when the cell is not published. */
static struct ilo_value cellval(const struct build *b, const char *tbl, const char *geo,
                                const char *cat)
{
	struct cellv key = {.tbl = (char *)tbl, .geo = (char *)geo, .cat = (char *)cat};
	const struct cellv *v;

	if (b->cells.n == 0 || geo == NULL)
		return v_na();
	v = bsearch(&key, b->cells.c, b->cells.n, sizeof *b->cells.c, cell_cmp);
	if (v == NULL)
		return v_na();
	if (v->secret)
		return v->design ? v_quarterly() : v_secret();
	return v_int(v->value);
}

/* 1 when the release holds some cell of table tbl. */
static int has_table(const struct build *b, const char *tbl)
{
	for (size_t i = 0; i < b->cells.n; i++)
		if (strcmp(b->cells.c[i].tbl, tbl) == 0)
			return 1;
	return 0;
}

/* Sum of values: secret when any part is secret, unavailable when any is. */
static struct ilo_value v_add(struct ilo_value a, struct ilo_value x)
{
	if (a.kind == ILO_NA || x.kind == ILO_NA)
		return v_na();
	if (a.kind == ILO_SECRET || x.kind == ILO_SECRET)
		return v_secret();
	if (a.kind == ILO_QUARTERLY || x.kind == ILO_QUARTERLY)
		return v_quarterly();
	return v_int(a.num + x.num);
}

/* num / den * scale: secret or unavailable as its parts; unavailable when den is 0. */
static struct ilo_value v_ratio(struct ilo_value num, struct ilo_value den, double scale)
{
	if (num.kind == ILO_NA || den.kind == ILO_NA)
		return v_na();
	if (num.kind == ILO_SECRET || den.kind == ILO_SECRET)
		return v_secret();
	if (num.kind == ILO_QUARTERLY || den.kind == ILO_QUARTERLY)
		return v_quarterly();
	{
		double n = num.kind == ILO_REAL ? num.real : (double)num.num;
		double d = den.kind == ILO_REAL ? den.real : (double)den.num;

		if (d <= 0)
			return v_na();
		return v_real(n / d * scale);
	}
}

/* ---- Releases ------------------------------------------------------------------------ */

/* The year of "YYYY-MM", or -1. */
static int year_of(const char *month)
{
	int y = 0;

	for (int i = 0; i < 4; i++) {
		if (month[i] < '0' || month[i] > '9')
			return -1;
		y = 10 * y + (month[i] - '0');
	}
	return y;
}

static int month_of(const char *month)
{
	if (strlen(month) < 7 || month[5] < '0' || month[5] > '1' || month[6] < '0' ||
	    month[6] > '9')
		return -1;
	return 10 * (month[5] - '0') + (month[6] - '0');
}

static int newer(const struct rel_pick *p, const struct store_stats_release *r)
{
	int c = strcmp(r->month, p->month);

	return p->id == 0 || c > 0 || (c == 0 && r->version > p->version);
}

static void pick(struct rel_pick *p, const struct store_stats_release *r)
{
	p->id = r->id;
	snprintf(p->month, sizeof p->month, "%.7s", r->month);
	p->version = r->version;
	snprintf(p->date, sizeof p->date, "%.19s", r->created_at ? r->created_at : "");
}

static int release_row(void *ctx, const struct store_stats_release *rel)
{
	struct build *b = ctx;
	int y;

	if (rel->month == NULL || strlen(rel->month) != 7)
		return 0;
	y = year_of(rel->month);
	if (y <= 0 || y > b->r->year || month_of(rel->month) < 1 || month_of(rel->month) > 12)
		return 0;
	for (size_t i = 0; i < b->nyears; i++) {
		if (strncmp(b->years[i].month, rel->month, 4) == 0) {
			if (newer(&b->years[i], rel))
				pick(&b->years[i], rel);
			return 0;
		}
	}
	if (b->nyears < MAX_YEARS)
		pick(&b->years[b->nyears++], rel);
	return 0;
}

/* ---- Staff ---------------------------------------------------------------------------- */

enum { SX_F, SX_M, SX_NONE, SX_COUNT };
enum { GR_INSP, GR_CTRL, GR_NONE, GR_COUNT };

struct staff_acc {
	/* [region index or nregions for "not attached"][sex][grade] */
	int64_t n[MAX_REGIONS + 1][SX_COUNT][GR_COUNT];
	double fte[MAX_REGIONS + 1];
	double fte_sex[SX_COUNT], fte_grade[GR_COUNT];
	const struct build *b;
	double year_days;
	int64_t agent;
	int sex, grade, region;
	char until[16];
	int64_t agents;
};

static int region_index(const struct build *b, const char *code)
{
	if (code == NULL)
		return (int)b->nregions;
	for (size_t i = 0; i < b->nregions; i++)
		if (strcmp(b->regions[i].code, code) == 0)
			return (int)i;
	return (int)b->nregions;
}

static void staff_flush(struct staff_acc *a)
{
	if (a->agent == 0)
		return;
	a->n[a->region][a->sex][a->grade]++;
	a->agents++;
	a->agent = 0;
}

static int staff_row(void *ctx, const struct store_ilo_assignment *s)
{
	struct staff_acc *a = ctx;
	int rg = region_index(a->b, s->region);
	double f = s->fte * (double)s->days / a->year_days;

	if (s->agent_id != a->agent) {
		staff_flush(a);
		a->agent = s->agent_id;
		a->sex = s->sex && strcmp(s->sex, "F") == 0   ? SX_F
		         : s->sex && strcmp(s->sex, "M") == 0 ? SX_M
		                                              : SX_NONE;
		a->grade = s->grade && strcmp(s->grade, "inspecteur") == 0   ? GR_INSP
		           : s->grade && strcmp(s->grade, "controleur") == 0 ? GR_CTRL
		                                                             : GR_NONE;
		a->region = rg;
		snprintf(a->until, sizeof a->until, "%s", s->until);
	} else if (strcmp(s->until, a->until) >= 0) {
		/* an agent who moved counts once, in the region of the latest assignment */
		a->region = rg;
		snprintf(a->until, sizeof a->until, "%s", s->until);
	}
	a->fte[rg] += f;
	a->fte_sex[a->sex] += f;
	a->fte_grade[a->grade] += f;
	return 0;
}

static const char staff_def[] =
    "Agents de contrôle (inspecteurs et contrôleurs du travail, comptes de rôle « agent ») "
    "affectés à une section au moins un jour de l'année ; un agent affecté successivement "
    "à plusieurs sections compte une fois, dans la région de sa dernière affectation de "
    "l'année. Les responsables d'unité, analystes et administrateurs ne sont pas comptés.";
static const char fte_def[] =
    "Équivalents temps plein moyens sur l'année : somme, sur les affectations, de la "
    "quotité (affectation.fte) multipliée par la part de l'année couverte. Les absences "
    "(congés, maladie, formation) ne sont pas déduites.";

static enum err_code build_staff(struct build *b, struct err *e)
{
	static const char *const h_sex[] = {"Sexe", "Effectif", "Inspecteurs", "Contrôleurs",
	                                    "Grade non renseigné", "ETP"};
	static const char *const h_reg[] = {"Région", "Effectif", "Femmes", "Hommes",
	                                    "Inspecteurs", "Contrôleurs", "ETP"};
	static const char *const sex_label[SX_COUNT] = {"Femmes", "Hommes", "Sexe non renseigné"};
	struct ilo_report *r = b->r;
	struct staff_acc *a = xcalloc(1, sizeof *a);
	int64_t sex_n[SX_COUNT] = {0}, grade_n[GR_COUNT] = {0}, cross[SX_COUNT][GR_COUNT] = {{0}};
	double fte_total = 0;
	struct ilo_figure *f;
	struct ilo_grid *g;
	enum err_code rc;

	a->b = b;
	a->year_days = (r->year % 4 == 0 && (r->year % 100 != 0 || r->year % 400 == 0)) ? 366
	                                                                              : 365;
	if ((rc = store_ilo_staff(b->st, b->from, b->to, staff_row, a, e)) != ERR_OK) {
		free(a);
		return rc;
	}
	staff_flush(a);
	for (size_t rg = 0; rg <= b->nregions; rg++) {
		fte_total += a->fte[rg];
		for (int s = 0; s < SX_COUNT; s++)
			for (int gr = 0; gr < GR_COUNT; gr++) {
				sex_n[s] += a->n[rg][s][gr];
				grade_n[gr] += a->n[rg][s][gr];
				cross[s][gr] += a->n[rg][s][gr];
			}
	}

	f = fig_add(r, "b", "LAI_INSP_SEX_NB_A", "Agents de contrôle (effectif)", staff_def);
	f->v = v_int(a->agents);
	fig_source(f, "Affectations des agents aux sections (%s au %s).", b->from, b->to);
	fig_complete(f, "Sexe non renseigné : %" PRId64 " agent(s) ; grade non renseigné : %" PRId64
	             " agent(s).", sex_n[SX_NONE], grade_n[GR_NONE]);
	f = fig_add(r, "b", "LAI_INSP_SEX_NB_A.F", "dont femmes", staff_def);
	f->v = v_int(sex_n[SX_F]);
	fig_source(f, "Affectations des agents aux sections ; sexe du compte.");
	f = fig_add(r, "b", "LAI_INSP_SEX_NB_A.M", "dont hommes", staff_def);
	f->v = v_int(sex_n[SX_M]);
	fig_source(f, "Affectations des agents aux sections ; sexe du compte.");
	f = fig_add(r, "b", "staff.inspecteurs", "dont inspecteurs du travail", staff_def);
	f->v = v_int(grade_n[GR_INSP]);
	fig_source(f, "Affectations des agents aux sections ; grade du compte.");
	f = fig_add(r, "b", "staff.controleurs", "dont contrôleurs du travail", staff_def);
	f->v = v_int(grade_n[GR_CTRL]);
	fig_source(f, "Affectations des agents aux sections ; grade du compte.");
	f = fig_add(r, "b", "staff.fte", "Équivalents temps plein (moyenne annuelle)", fte_def);
	f->v = v_real(fte_total);
	fig_source(f, "Affectations (quotité et dates).");

	g = grid_add(r, "b", "staff_sex_grade", "Agents de contrôle par sexe et grade", 5, h_sex);
	for (int s = 0; s < SX_COUNT; s++) {
		struct ilo_row *row;

		if (s == SX_NONE && sex_n[s] == 0)
			continue;
		row = grid_row(g, sex_label[s]);
		row->v[0] = v_int(sex_n[s]);
		row->v[1] = v_int(cross[s][GR_INSP]);
		row->v[2] = v_int(cross[s][GR_CTRL]);
		row->v[3] = v_int(cross[s][GR_NONE]);
		row->v[4] = v_real(a->fte_sex[s]);
	}
	{
		struct ilo_row *row = grid_row(g, "Total");

		row->v[0] = v_int(a->agents);
		row->v[1] = v_int(grade_n[GR_INSP]);
		row->v[2] = v_int(grade_n[GR_CTRL]);
		row->v[3] = v_int(grade_n[GR_NONE]);
		row->v[4] = v_real(fte_total);
	}
	grid_note(g, "%s", staff_def);
	grid_note(g, "%s", fte_def);

	g = grid_add(r, "b", "staff_region", "Agents de contrôle par région", 6, h_reg);
	for (size_t rg = 0; rg <= b->nregions; rg++) {
		int64_t n = 0, sx[SX_COUNT] = {0}, gr[GR_COUNT] = {0};
		struct ilo_row *row;

		for (int s = 0; s < SX_COUNT; s++)
			for (int k = 0; k < GR_COUNT; k++) {
				n += a->n[rg][s][k];
				sx[s] += a->n[rg][s][k];
				gr[k] += a->n[rg][s][k];
			}
		if (rg == b->nregions && n == 0 && a->fte[rg] <= 0)
			continue;
		row = grid_row(g, rg < b->nregions ? b->regions[rg].name : "Non rattachés");
		if (row == NULL)
			break;
		row->v[0] = v_int(n);
		row->v[1] = v_int(sx[SX_F]);
		row->v[2] = v_int(sx[SX_M]);
		row->v[3] = v_int(gr[GR_INSP]);
		row->v[4] = v_int(gr[GR_CTRL]);
		row->v[5] = v_real(a->fte[rg]);
	}
	{
		struct ilo_row *row = grid_row(g, "Total");

		row->v[0] = v_int(a->agents);
		row->v[1] = v_int(sex_n[SX_F]);
		row->v[2] = v_int(sex_n[SX_M]);
		row->v[3] = v_int(grade_n[GR_INSP]);
		row->v[4] = v_int(grade_n[GR_CTRL]);
		row->v[5] = v_real(fte_total);
	}
	grid_note(g, "%s", staff_def);
	grid_note(g, "Les ETP d'un agent qui a changé de région sont répartis entre ses régions "
	          "au prorata de la durée de chaque affectation.");
	free(a);
	return ERR_OK;
}

/* x with one decimal and a decimal comma, into out (32 bytes); returns out. */
static const char *pct(double x, char out[32])
{
	char *dot;

	snprintf(out, 32, "%.1f", x);
	if ((dot = strchr(out, '.')) != NULL)
		*dot = ',';
	return out;
}

/* ---- Registry ------------------------------------------------------------------------- */

/* SIRENE headcount bands (trancheEffectifsEtablissement) and the bounds used to estimate
 * the number of employees. */
static const struct band {
	const char *code, *label;
	int64_t lo, hi;
} bands[] = {
    {"00", "0 salarié", 0, 0},
    {"01", "1 ou 2 salariés", 1, 2},
    {"02", "3 à 5 salariés", 3, 5},
    {"03", "6 à 9 salariés", 6, 9},
    {"11", "10 à 19 salariés", 10, 19},
    {"12", "20 à 49 salariés", 20, 49},
    {"21", "50 à 99 salariés", 50, 99},
    {"22", "100 à 199 salariés", 100, 199},
    {"31", "200 à 249 salariés", 200, 249},
    {"32", "250 à 499 salariés", 250, 499},
    {"41", "500 à 999 salariés", 500, 999},
    {"42", "1 000 à 1 999 salariés", 1000, 1999},
    {"51", "2 000 à 4 999 salariés", 2000, 4999},
    {"52", "5 000 à 9 999 salariés", 5000, 9999},
    {"53", "10 000 salariés et plus", 10000, 10000},
};
#define NBANDS (sizeof bands / sizeof bands[0])

struct registry_acc {
	const struct build *b;
	/* [region or nregions for unknown][band or NBANDS for unknown] */
	int64_t n[MAX_REGIONS + 1][NBANDS + 1];
};

static int band_index(const char *code)
{
	for (size_t i = 0; code && i < NBANDS; i++)
		if (strcmp(bands[i].code, code) == 0)
			return (int)i;
	return (int)NBANDS;
}

static int registry_row(void *ctx, const char *cog, const char *band, int64_t n)
{
	struct registry_acc *a = ctx;
	size_t rg = a->b->nregions;

	for (size_t i = 0; cog && i < a->b->nregions; i++)
		if (a->b->regions[i].cog && strcmp(a->b->regions[i].cog, cog) == 0)
			rg = i;
	a->n[rg][band_index(band)] += n;
	return 0;
}

static const char workers_def[] =
    "Estimation : pour chaque tranche d'effectif salarié SIRENE (trancheEffectifsEtablissement)"
    " des établissements actifs, nombre d'établissements multiplié par la borne basse "
    "(estimation basse), le milieu (centrale) ou la borne haute (haute) de la tranche ; la "
    "tranche « 10 000 et plus » compte 10 000. Les établissements sans tranche renseignée "
    "(NN) ne sont pas comptés : l'estimation est un minimum. Les tranches SIRENE portent sur "
    "une année de référence qui peut être antérieure.";
static const char workplaces_def[] =
    "Établissements actifs (état administratif « A ») du répertoire SIRENE importé, "
    "assujettis au contrôle de l'inspection du travail, qu'ils emploient ou non des salariés.";

static enum err_code build_registry(struct build *b, struct ilo_figure **workers_out,
                                    struct err *e)
{
	static const char *const h_band[] = {"Tranche d'effectif", "Établissements actifs",
	                                     "Salariés (estimation basse)",
	                                     "Salariés (estimation centrale)",
	                                     "Salariés (estimation haute)"};
	static const char *const h_reg[] = {"Région", "Établissements actifs",
	                                    "dont employeurs (1 salarié et plus)",
	                                    "Tranche non renseignée",
	                                    "Salariés (estimation centrale)"};
	struct ilo_report *r = b->r;
	struct registry_acc *a = xcalloc(1, sizeof *a);
	int64_t total = 0, employers = 0, unknown = 0, lo = 0, mid2 = 0, hi = 0;
	int64_t by_band[NBANDS + 1] = {0};
	struct ilo_figure *f;
	struct ilo_grid *g;
	char share[32];
	enum err_code rc;

	a->b = b;
	if ((rc = store_ilo_registry(b->st, registry_row, a, e)) != ERR_OK) {
		free(a);
		return rc;
	}
	for (size_t rg = 0; rg <= b->nregions; rg++)
		for (size_t k = 0; k <= NBANDS; k++)
			by_band[k] += a->n[rg][k];
	for (size_t k = 0; k <= NBANDS; k++) {
		total += by_band[k];
		if (k == NBANDS) {
			unknown += by_band[k];
			continue;
		}
		if (bands[k].hi > 0)
			employers += by_band[k];
		lo += by_band[k] * bands[k].lo;
		mid2 += by_band[k] * (bands[k].lo + bands[k].hi);
		hi += by_band[k] * bands[k].hi;
	}

	f = fig_add(r, "c", "LAI_WOPL_NOC_NB_A", "Établissements assujettis (actifs au répertoire)",
	            workplaces_def);
	f->v = v_int(total);
	fig_source(f, "Répertoire SIRENE importé (établissements), état à la date du rapport.");
	fig_complete(f, "Tranche d'effectif non renseignée pour %" PRId64 " établissement(s) "
	             "(%s %%). Les chantiers sans SIRET ne sont pas comptés.", unknown,
	             pct(total ? 100.0 * (double)unknown / (double)total : 0.0, share));
	f = fig_add(r, "c", "workplaces.employers", "dont employeurs (1 salarié et plus)",
	            "Établissements actifs dont la tranche d'effectif SIRENE est d'au moins 1 "
	            "salarié.");
	f->v = v_int(employers);
	fig_source(f, "Répertoire SIRENE importé, tranche d'effectif.");
	fig_complete(f, "%" PRId64 " établissement(s) sans tranche renseignée, dont une part "
	             "emploie des salariés.", unknown);
	f = fig_add(r, "c", "workers.estimate", "Salariés occupés (estimation centrale)",
	            workers_def);
	f->v = v_int((mid2 + 1) / 2);
	f->estimated = 1;
	fig_source(f, "Répertoire SIRENE importé, tranches d'effectif des établissements actifs.");
	fig_complete(f, "Estimation entre %" PRId64 " et %" PRId64 " ; %" PRId64
	             " établissement(s) sans tranche ne sont pas comptés.", lo, hi, unknown);
	*workers_out = f;
	f = fig_add(r, "c", "workers.low", "Salariés occupés (estimation basse)", workers_def);
	f->v = v_int(lo);
	f->estimated = 1;
	fig_source(f, "Répertoire SIRENE importé, tranches d'effectif.");
	f = fig_add(r, "c", "workers.high", "Salariés occupés (estimation haute)", workers_def);
	f->v = v_int(hi);
	f->estimated = 1;
	fig_source(f, "Répertoire SIRENE importé, tranches d'effectif.");

	g = grid_add(r, "c", "registry_band", "Établissements actifs et salariés estimés par "
	             "tranche d'effectif", 4, h_band);
	for (size_t k = 0; k <= NBANDS; k++) {
		struct ilo_row *row = grid_row(g, k < NBANDS ? bands[k].label : "Non renseignée");

		row->v[0] = v_int(by_band[k]);
		if (k < NBANDS) {
			row->v[1] = v_int(by_band[k] * bands[k].lo);
			row->v[2] = v_int((by_band[k] * (bands[k].lo + bands[k].hi) + 1) / 2);
			row->v[3] = v_int(by_band[k] * bands[k].hi);
		}
	}
	{
		struct ilo_row *row = grid_row(g, "Total");

		row->v[0] = v_int(total);
		row->v[1] = v_int(lo);
		row->v[2] = v_int((mid2 + 1) / 2);
		row->v[3] = v_int(hi);
	}
	grid_note(g, "%s", workplaces_def);
	grid_note(g, "%s", workers_def);

	g = grid_add(r, "c", "registry_region", "Établissements actifs par région", 4, h_reg);
	for (size_t rg = 0; rg <= b->nregions; rg++) {
		int64_t n = 0, emp = 0, unk = a->n[rg][NBANDS], m2 = 0;
		struct ilo_row *row;

		for (size_t k = 0; k < NBANDS; k++) {
			n += a->n[rg][k];
			emp += bands[k].hi > 0 ? a->n[rg][k] : 0;
			m2 += a->n[rg][k] * (bands[k].lo + bands[k].hi);
		}
		n += unk;
		if (rg == b->nregions && n == 0)
			continue;
		row = grid_row(g, rg < b->nregions ? b->regions[rg].name : "Commune inconnue");
		if (row == NULL)
			break;
		row->v[0] = v_int(n);
		row->v[1] = v_int(emp);
		row->v[2] = v_int(unk);
		row->v[3] = v_int((m2 + 1) / 2);
	}
	grid_note(g, "Région de la commune de l'établissement (code officiel géographique).");
	grid_note(g, "%s", workers_def);
	free(a);
	return ERR_OK;
}

/* ---- Legal provisions cited ------------------------------------------------------------ */

struct prov_acc {
	struct stats_system sys;
	char cur[256];
	int64_t value, top1, top2, top1_agent, top2_agent;
	int32_t n_contrib;
	int too_many;
	int started;
};

static void prov_flush(struct prov_acc *a)
{
	uint32_t idx;
	int created;

	if (!a->started)
		return;
	a->started = 0;
	if (a->sys.n_cells >= ILO_MAX_PROVISION_KEYS) {
		a->too_many = 1;
		return;
	}
	if (stats_system_cell(&a->sys, a->cur, &idx, &created, NULL) != ERR_OK)
		return;
	a->sys.cells[idx].value = a->value;
	a->sys.cells[idx].n_contrib = a->n_contrib;
	a->sys.cells[idx].top1 = a->top1;
	a->sys.cells[idx].top2 = a->top2;
	a->sys.cells[idx].top1_agent = a->top1_agent;
	a->sys.cells[idx].top2_agent = a->top2_agent;
	a->sys.cells[idx].population = -1;
	a->sys.cells[idx].status = STATS_PUBLISHED;
}

static int prov_row(void *ctx, const char *provision, int64_t agent, int64_t n)
{
	struct prov_acc *a = ctx;

	if (!a->started || strcmp(a->cur, provision) != 0) {
		prov_flush(a);
		if (a->too_many)
			return 1;
		snprintf(a->cur, sizeof a->cur, "%s", provision);
		a->value = a->top1 = a->top2 = a->top1_agent = a->top2_agent = 0;
		a->n_contrib = 0;
		a->started = 1;
	}
	/* rows are grouped by (provision, agent): one row is one agent's contribution */
	a->value += n;
	a->n_contrib++;
	if (n > a->top1) {
		a->top2 = a->top1, a->top2_agent = a->top1_agent;
		a->top1 = n, a->top1_agent = agent;
	} else if (n > a->top2) {
		a->top2 = n, a->top2_agent = agent;
	}
	return 0;
}

static int prov_cmp(const void *x, const void *y)
{
	const struct stats_cell *a = *(const struct stats_cell *const *)x;
	const struct stats_cell *b = *(const struct stats_cell *const *)y;

	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* The share of the follow-ups counted by the provisions' table that cite no provision, at
 * the national level, with the same primary rules on both counts (a secret when either is
 * sensitive). */
static enum err_code uncited_share(struct build *b, const char *to, struct err *e)
{
	struct prov_acc *a = xcalloc(1, sizeof *a);
	int64_t all, none;
	enum err_code rc;

	stats_system_init(&a->sys);
	rc = store_ilo_followups_uncited(b->st, b->from, to, prov_row, a, e);
	if (rc == ERR_OK) {
		prov_flush(a);
		stats_primary(&a->sys, &b->rules);
		all = stats_system_find(&a->sys, "all");
		none = stats_system_find(&a->sys, "none");
		if (all < 0)
			b->uncited = v_na(); /* no follow-up */
		else if (a->sys.cells[all].status != STATS_PUBLISHED ||
		         (none >= 0 && a->sys.cells[none].status != STATS_PUBLISHED))
			b->uncited = v_secret();
		else
			b->uncited = v_ratio(none >= 0 ? v_int(a->sys.cells[none].value) : v_int(0),
			                     v_int(a->sys.cells[all].value), 100.0);
	}
	stats_system_release(&a->sys);
	free(a);
	return rc;
}

static enum err_code build_provisions(struct build *b, struct err *e)
{
	static const char *const head[] = {"Disposition légale citée", "Citations"};
	struct ilo_report *r = b->r;
	struct prov_acc *a = xcalloc(1, sizeof *a);
	const struct stats_cell **pub = NULL;
	size_t npub = 0;
	struct ilo_grid *g;
	char to[16];
	enum err_code rc = ERR_OK;

	stats_system_init(&a->sys);
	/* the months the release covers, like every activity figure */
	if (r->release_id == 0) {
		g = grid_add(r, "e", "provisions", "Dispositions légales citées dans les suites", 1,
		             head);
		grid_note(g, "Non disponible : aucune publication statistique pour %d.", r->year);
		goto out;
	}
	snprintf(to, sizeof to, "%.7s-%02d", r->release_month,
	         date_days_in_month(r->year, r->months));
	rc = store_ilo_provisions(b->st, b->from, to, prov_row, a, e);
	if (rc == ERR_OK)
		prov_flush(a);
	if (rc == ERR_OK)
		rc = uncited_share(b, to, e);
	if (rc == ERR_OK && a->too_many)
		rc = err_set(e, ERR_TOO_BIG, "annee",
		             "more than %d distinct legal provisions cited in %d",
		             ILO_MAX_PROVISION_KEYS, r->year);
	if (rc != ERR_OK)
		goto out;
	stats_primary(&a->sys, &b->rules);
	pub = xcalloc(a->sys.n_cells + 1, sizeof *pub);
	for (size_t i = 0; i < a->sys.n_cells; i++)
		if (a->sys.cells[i].status == STATS_PUBLISHED && a->sys.cells[i].value > 0)
			pub[npub++] = &a->sys.cells[i];
	qsort(pub, npub, sizeof *pub, prov_cmp);
	r->provisions_read = a->sys.n_cells;
	r->provisions_published = npub;

	g = grid_add(r, "e", "provisions", "Dispositions légales citées dans les suites", 1, head);
	for (size_t i = 0; i < npub && i < ILO_MAX_PROVISIONS; i++) {
		struct ilo_row *row = grid_row(g, pub[i]->key);

		row->v[0] = v_int(pub[i]->value);
	}
	grid_note(g, "Citations : nombre de suites (hors brouillons) des interventions validées "
	          "datées du %s au %s (les mois couverts par la publication) qui citent la "
	          "disposition ; une suite peut citer plusieurs dispositions.", b->from, to);
	grid_note(g, "Ne figurent que les dispositions citées par au moins %d agents distincts et "
	          "dont un ou deux agents ne font pas l'essentiel des citations (règle p %% avec "
	          "p = %d) : %zu sur %zu dispositions citées ; au plus %d sont listées, les plus "
	          "citées. Pas de total ni de ligne « autres » : aucune équation ne relie ces "
	          "chiffres entre eux ni aux tableaux publiés.",
	          b->rules.threshold, b->rules.p_percent, npub, a->sys.n_cells,
	          ILO_MAX_PROVISIONS);
	grid_note(g, "Source : suites et dispositions citées des interventions (données "
	          "individuelles, hors tables publiées), lues à la date du rapport.");
out:
	free(pub);
	stats_system_release(&a->sys);
	free(a);
	return rc;
}

/* ---- Activity: released cells only ------------------------------------------------------ */

/* The French source of an activity figure: the release and the table. */
static void act_source(const struct build *b, struct ilo_figure *f, const char *tbl,
                       const char *cat)
{
	const struct ilo_report *r = b->r;

	if (r->release_id == 0) {
		fig_source(f, "Aucune publication statistique pour %d.", r->year);
		return;
	}
	fig_source(f, "Publication statistique %s, version %d (%s) : table « %s »%s%s, cumul "
	           "de l'année (période %.4s-C%.2s), niveau national.", r->release_month,
	           r->release_version, r->release_date, tbl, cat ? ", catégorie " : "",
	           cat ? cat : "", r->release_month, r->release_month + 5);
}

static const char *table_def(const char *tbl)
{
	int t = stats_table_find(tbl);

	return t >= 0 ? stats_catalogue[t].definition : "Table absente du catalogue.";
}

static struct ilo_figure *act_fig(struct build *b, const char *item, const char *code,
                                  const char *label, const char *definition, const char *tbl,
                                  const char *cat)
{
	struct ilo_figure *f = fig_add(b->r, item, code, label, definition ? definition
	                                                                   : table_def(tbl));

	f->v = cellval(b, tbl, b->national, cat ? cat : STATS_CAT_ALL);
	act_source(b, f, tbl, cat);
	fig_complete(f, "%s", b->r->coverage);
	return f;
}

/* A grid of regions (rows, the national level first) by categories (columns) of a
 * released table. */
static struct ilo_grid *region_grid(struct build *b, const char *item, const char *code,
                                    const char *title, const char *tbl, const struct noms *cats,
                                    const char *extra_cat, const char *extra_label)
{
	const char *head[ILO_MAX_COLS + 1] = {"Région"};
	const char *cat[ILO_MAX_COLS];
	size_t nc = 0;
	struct ilo_grid *g;

	for (size_t i = 0; i < cats->n && nc < ILO_MAX_COLS - 1; i++) {
		cat[nc] = cats->item[i].code;
		head[++nc] = cats->item[i].label;
	}
	if (extra_cat && nc < ILO_MAX_COLS) {
		cat[nc] = extra_cat;
		head[++nc] = extra_label;
	}
	g = grid_add(b->r, item, code, title, nc, head);
	for (size_t rg = 0; rg <= b->nregions; rg++) {
		const char *geo = rg == 0 ? b->national : b->regions[rg - 1].code;
		struct ilo_row *row = grid_row(g, rg == 0 ? "France entière" : b->regions[rg - 1].name);

		if (row == NULL)
			break;
		for (size_t c = 0; c < nc; c++)
			row->v[c] = cellval(b, tbl, geo, cat[c]);
	}
	grid_note(g, "%s", table_def(tbl));
	grid_note(g, "%s", b->r->coverage);
	grid_note(g, "« secret » : chiffre masqué par le contrôle de la divulgation (il "
	          "permettrait de connaître l'activité d'un agent) ; ce n'est jamais un zéro. Les "
	          "régions ne sont pas additionnées ici : le total est la case nationale publiée.");
	if (b->n_design > 0)
		grid_note(g, "Régions de moins de %d agents : leurs ventilations ne sont publiées "
		          "que par trimestre ; la valeur de l'année est la somme des trimestres "
		          "publiés (sans les saisies tardives faites après la publication d'un "
		          "trimestre), « secret » quand l'un d'eux l'est, « par trimestre » quand "
		          "la période ne finit pas un trimestre.",
		          stats_breakdown_size(&b->rules, 1));
	return g;
}

/* ---- Small units: the year as the sum of its quarters ---------------------------------- */

struct quarter_pick {
	int year, q_months; /* the quarters' last months wanted: 3, 6... up to q_months */
	int64_t id[4];      /* newest version of each */
	int version[4];
};

static int quarter_row(void *ctx, const struct store_stats_release *r)
{
	struct quarter_pick *p = ctx;
	int m, q;

	if (r->month == NULL || strlen(r->month) != 7 || year_of(r->month) != p->year)
		return 0;
	m = month_of(r->month);
	if (m <= 0 || m % 3 != 0 || m > p->q_months)
		return 0;
	q = m / 3 - 1;
	if (p->id[q] == 0 || r->version > p->version[q]) {
		p->id[q] = r->id;
		p->version[q] = r->version;
	}
	return 0;
}

/* The year-to-date breakdowns of small regions are hidden by design (published by quarter
 * only, docs/STATISTICS.md): in a report whose release closes a quarter, each is given as
 * the sum of its quarters, from the newest version of each quarter's release, when every
 * quarter is published (a sum of published figures reveals nothing more); secret when a
 * quarter is secret; « par trimestre » when the release closes no quarter or a quarter
 * has no release. */
static enum err_code quarter_sums(struct build *b, const struct ilo_report *out, struct err *e)
{
	struct quarter_pick p = {.year = out->year, .q_months = out->months};
	struct cellset q[4] = {{0}};
	size_t nq = (size_t)out->months / 3, n_design = 0;
	enum err_code rc = ERR_OK;

	for (size_t i = 0; i < b->cells.n; i++)
		n_design += b->cells.c[i].design != 0;
	b->n_design = n_design;
	if (n_design == 0 || out->months % 3 != 0)
		return ERR_OK;
	if ((rc = store_stats_release_each(b->st, NULL, out->release_id, quarter_row, &p, e)) !=
	    ERR_OK)
		return rc;
	for (size_t k = 0; k < nq; k++) {
		char period[32];

		if (p.id[k] == 0)
			goto out; /* a quarter without a release: « par trimestre » stays */
		q[k].national = b->cells.national;
		q[k].regions = b->cells.regions;
		q[k].nregions = b->cells.nregions;
		snprintf(period, sizeof period, "%04d-Q%zu", out->year, k + 1);
		if ((rc = store_ilo_cells(b->st, p.id[k], period, cell_row, &q[k], e)) != ERR_OK)
			goto out;
		if (q[k].too_many) {
			rc = err_set(e, ERR_TOO_BIG, NULL, "a quarter holds more than %d cells at "
			             "national and region level", MAX_CELLS);
			goto out;
		}
	}
	for (size_t i = 0; i < b->cells.n; i++) {
		struct cellv *v = &b->cells.c[i];
		int64_t sum = 0;
		size_t k;

		if (!v->design)
			continue;
		for (k = 0; k < nq; k++) {
			const struct cellv *x = bsearch(v, q[k].c, q[k].n, sizeof *q[k].c, cell_cmp);

			if (x == NULL)
				break; /* stays « par trimestre » */
			if (x->secret) {
				v->design = 0; /* a quarter is secret: so is the sum */
				break;
			}
			sum += x->value;
		}
		if (k < nq)
			continue;
		v->value = sum;
		v->secret = 0;
	}
out:
	for (size_t k = 0; k < 4; k++)
		cells_free(&q[k]);
	return rc;
}

static void build_activity(struct build *b)
{
	static const char *const h_kind[] = {"Nature", "Interventions"};
	static const char *const h_fu[] = {"Nature de la suite", "Nombre"};
	static const char *const h_reg[] = {"Région", "Interventions", "Visites",
	                                    "Établissements contrôlés", "Sans thème"};
	static const char *const h_pv[] = {"Année", "Procès-verbaux", "Mois couverts"};
	struct ilo_report *r = b->r;
	struct ilo_value interventions, visits, followups = v_int(0), sanctions = v_int(0);
	struct ilo_figure *f;
	struct ilo_grid *g;
	char buf[512];
	int has_suites_theme;

	/* (d) visits */
	f = act_fig(b, "d", "LAI_VIST_NOC_NB_A", "Visites d'inspection (sur site)", NULL, "visites",
	            NULL);
	visits = f->v;
	f = act_fig(b, "d", "activity.interventions", "Interventions (toutes natures)", NULL,
	            "activite", NULL);
	interventions = f->v;
	act_fig(b, "d", "activity.establishments", "Établissements et chantiers contrôlés", NULL,
	        "etablissements", NULL);

	g = grid_add(r, "d", "activity_kind", "Interventions par nature (France entière)", 1,
	             h_kind);
	for (size_t i = 0; i < b->kinds.n; i++) {
		struct ilo_row *row = grid_row(g, b->kinds.item[i].label);

		row->v[0] = cellval(b, "activite_nature", b->national, b->kinds.item[i].code);
	}
	grid_row(g, "Total")->v[0] = interventions;
	grid_note(g, "%s", table_def("activite_nature"));
	grid_note(g, "%s", r->coverage);

	/* (e) violations and penalties */
	g = grid_add(r, "e", "followups_kind", "Suites par nature (France entière)", 1, h_fu);
	for (size_t i = 0; i < b->fukinds.n; i++) {
		struct ilo_value v = cellval(b, "suites", b->national, b->fukinds.item[i].code);
		struct ilo_row *row;

		snprintf(buf, sizeof buf, "%s%s", b->fukinds.item[i].label,
		         b->fukinds.item[i].flag ? " (sanction)" : "");
		row = grid_row(g, buf);
		row->v[0] = v;
		followups = v_add(followups, v);
		if (b->fukinds.item[i].flag)
			sanctions = v_add(sanctions, v);
	}
	if (b->fukinds.n == 0)
		followups = sanctions = v_na();
	grid_note(g, "%s", table_def("suites"));
	grid_note(g, "Sanctions : arrêt temporaire de travaux ou d'activité, rapport en vue d'une "
	          "amende administrative, procès-verbal, signalement au procureur (nomenclature des "
	          "suites, colonne « sanction »).");
	grid_note(g, "%s", r->coverage);

	f = fig_add(r, "e", "followups.total", "Suites données (toutes natures)",
	            "Somme des suites publiées par nature (table « suites ») ; « secret » dès "
	            "qu'une nature est secrète, car la somme la révélerait.");
	f->v = followups;
	act_source(b, f, "suites", NULL);
	fig_complete(f, "%s", r->coverage);
	f = fig_add(r, "e", "followups.sanctions", "Sanctions (procès-verbaux, amendes, arrêts, "
	            "signalements)",
	            "Somme des suites de nature « sanction » (arrêt de travaux, rapport en vue "
	            "d'amende, procès-verbal, signalement au procureur) ; « secret » dès qu'une "
	            "de ces natures est secrète.");
	f->v = sanctions;
	act_source(b, f, "suites", NULL);
	fig_complete(f, "%s", r->coverage);
	act_fig(b, "e", "followups.proces_verbal", "dont procès-verbaux", NULL, "suites",
	        "proces_verbal");

	/* (f) and (g) */
	act_fig(b, "f", "accidents.inquiries", "Enquêtes sur des accidents du travail",
	        "Interventions de nature « Enquête accident du travail » (table "
	        "« activite_nature », catégorie enquete_at). Le nombre de victimes n'est pas "
	        "publié (il n'est pas au catalogue des tables contrôlées).",
	        "activite_nature", "enquete_at");
	act_fig(b, "g", "diseases.inquiries", "Enquêtes sur des maladies professionnelles",
	        "Interventions de nature « Enquête maladie professionnelle » (table "
	        "« activite_nature », catégorie enquete_mp). Le nombre de victimes n'est pas "
	        "publié.",
	        "activite_nature", "enquete_mp");

	/* national report: by region and theme */
	g = grid_add(r, "n", "activity_region", "Interventions par région", 4, h_reg);
	for (size_t rg = 0; rg <= b->nregions; rg++) {
		const char *geo = rg == 0 ? b->national : b->regions[rg - 1].code;
		struct ilo_row *row = grid_row(g, rg == 0 ? "France entière" : b->regions[rg - 1].name);

		if (row == NULL)
			break;
		row->v[0] = cellval(b, "activite", geo, STATS_CAT_ALL);
		row->v[1] = cellval(b, "visites", geo, STATS_CAT_ALL);
		row->v[2] = cellval(b, "etablissements", geo, STATS_CAT_ALL);
		row->v[3] = cellval(b, "activite_theme", geo, "aucun");
	}
	grid_note(g, "%s", table_def("activite"));
	grid_note(g, "Visites : %s", table_def("visites"));
	grid_note(g, "%s", r->coverage);
	grid_note(g, "« secret » : chiffre masqué par le contrôle de la divulgation ; ce n'est "
	          "jamais un zéro.");

	region_grid(b, "n", "activity_theme", "Interventions par thème et par région",
	            "activite_theme", &b->themes, "aucun", "Sans thème");
	region_grid(b, "n", "followups_region", "Suites par nature et par région", "suites",
	            &b->fukinds, NULL, NULL);
	has_suites_theme = stats_table_find("suites_theme") >= 0 && has_table(b, "suites_theme");
	g = region_grid(b, "n", "followups_theme", "Suites par thème et par région", "suites_theme",
	                &b->themes, "aucun", "Sans thème");
	if (!has_suites_theme)
		grid_note(g, "Non disponible : la table « suites_theme » n'est pas dans la publication "
		          "%s.", r->release_id ? r->release_month : "(aucune publication)");

	/* procès-verbaux over the years */
	g = grid_add(r, "n", "pv_years", "Procès-verbaux par année", 2, h_pv);
	for (size_t i = 0; i < b->nyears; i++) {
		struct ilo_value pv = v_na();
		struct cellset one = {.national = b->national, .regions = NULL, .nregions = 0};
		struct ilo_row *row;
		char period[16], label[8];

		snprintf(period, sizeof period, "%.4s-C%.2s", b->years[i].month,
		         b->years[i].month + 5);
		if (store_ilo_cells(b->st, b->years[i].id, period, cell_row, &one, NULL) == ERR_OK) {
			for (size_t k = 0; k < one.n; k++)
				if (strcmp(one.c[k].tbl, "suites") == 0 &&
				    strcmp(one.c[k].cat, "proces_verbal") == 0)
					pv = one.c[k].secret ? v_secret() : v_int(one.c[k].value);
		}
		cells_free(&one);
		snprintf(label, sizeof label, "%.4s", b->years[i].month);
		row = grid_row(g, label);
		row->v[0] = pv;
		row->v[1] = v_int(month_of(b->years[i].month));
	}
	grid_note(g, "Procès-verbaux (table « suites », catégorie proces_verbal), cumul de "
	          "l'année à la dernière publication de chaque année (dernière version) ; une année "
	          "incomplète l'est aussi dans la colonne « Mois couverts ».");

	/* ILOSTAT rates and completeness need staff and workers: see build_rates */
	(void)visits;
}

static void build_rates(struct build *b, const struct ilo_figure *workers)
{
	struct ilo_report *r = b->r;
	const struct ilo_figure *agents = ilo_report_figure(r, "LAI_INSP_SEX_NB_A");
	const struct ilo_figure *visits = ilo_report_figure(r, "LAI_VIST_NOC_NB_A");
	const struct ilo_figure *interventions = ilo_report_figure(r, "activity.interventions");
	const struct ilo_figure *wp = ilo_report_figure(r, "LAI_WOPL_NOC_NB_A");
	struct ilo_figure *f;

	f = fig_add(r, "ilostat", "LAI_INSP_SEX_NB_A", "Inspecteurs du travail (effectif)",
	            staff_def);
	f->v = agents->v;
	snprintf(f->source, sizeof f->source, "%s", agents->source);
	snprintf(f->completeness, sizeof f->completeness, "%s", agents->completeness);
	f = fig_add(r, "ilostat", "LAI_INDE_NOC_RT_A",
	            "Inspecteurs pour 10 000 salariés (estimation)",
	            "Agents de contrôle pour 10 000 salariés occupés, le dénominateur étant "
	            "l'estimation centrale tirée des tranches d'effectif SIRENE (point c). L'OIT "
	            "rapporte à l'emploi total (enquête Emploi), plus large : ce taux le surestime.");
	f->v = v_ratio(agents->v, workers->v, 10000.0);
	f->estimated = 1;
	fig_source(f, "Affectations ; répertoire SIRENE importé.");
	fig_complete(f, "%s", workers->completeness);
	f = fig_add(r, "ilostat", "LAI_VIST_NOC_NB_A", "Visites d'inspection", visits->definition);
	f->v = visits->v;
	snprintf(f->source, sizeof f->source, "%s", visits->source);
	snprintf(f->completeness, sizeof f->completeness, "%s", visits->completeness);
	f = fig_add(r, "ilostat", "LAI_VDIN_NOC_RT_A", "Visites par inspecteur",
	            "Visites sur site de l'année (publiées) divisées par l'effectif des agents de "
	            "contrôle (point b).");
	f->v = v_ratio(visits->v, agents->v, 1.0);
	snprintf(f->source, sizeof f->source, "%s", visits->source);
	fig_complete(f, "%s", r->coverage);
	f = fig_add(r, "ilostat", "LAI_WOPL_NOC_NB_A", "Établissements enregistrés assujettis",
	            workplaces_def);
	f->v = wp->v;
	snprintf(f->source, sizeof f->source, "%s", wp->source);
	snprintf(f->completeness, sizeof f->completeness, "%s", wp->completeness);

	/* completeness, as shares */
	f = fig_add(r, "completude", "completeness.no_theme", "Interventions sans thème (%)",
	            "Part des interventions de l'année sans thème renseigné : table "
	            "« activite_theme », catégorie « aucun », rapportée à « activite » "
	            "(niveau national).");
	f->v = v_ratio(cellval(b, "activite_theme", b->national, "aucun"), interventions->v, 100.0);
	act_source(b, f, "activite_theme", "aucun");
	fig_complete(f, "%s", r->coverage);
	f = fig_add(r, "completude", "completeness.action_unchecked",
	            "Interventions sur action prioritaire sans point vérifié (%)",
	            "Part des interventions de l'année rattachées à une action prioritaire sans "
	            "qu'aucun point de contrôle ait été renseigné conforme ou non conforme (elles "
	            "ne comptent pour aucune action) : table « action_sans_point », rapportée à "
	            "« activite » (niveau national).");
	f->v = v_ratio(cellval(b, "action_sans_point", b->national, STATS_CAT_ALL),
	               interventions->v, 100.0);
	act_source(b, f, "action_sans_point", NULL);
	fig_complete(f, "%s", r->coverage);
	f = fig_add(r, "completude", "completeness.followups_uncited",
	            "Suites sans disposition légale citée (%)",
	            "Part des suites (hors brouillons) des interventions validées des mois couverts "
	            "par la publication qui ne citent aucune disposition légale (niveau national ; "
	            "les deux comptes soumis aux mêmes règles de secret que les dispositions).");
	f->v = b->uncited;
	fig_source(f, "Suites et dispositions citées des interventions (données individuelles, "
	           "hors tables publiées), lues à la date du rapport.");
	fig_complete(f, "%s", r->coverage);
	f = fig_add(r, "completude", "completeness.months", "Mois couverts par les chiffres "
	            "d'activité",
	            "Nombre de mois de l'année couverts par la publication utilisée (12 quand "
	            "décembre est publié).");
	f->v = v_int(r->months);
	act_source(b, f, "activite", NULL);
	fig_complete(f, "%s", r->coverage);
	f = fig_add(r, "completude", "completeness.band_unknown",
	            "Établissements actifs sans tranche d'effectif (%)",
	            "Part des établissements actifs dont la tranche d'effectif SIRENE n'est pas "
	            "renseignée (ils ne comptent pas dans l'estimation des salariés).");
	{
		const struct ilo_grid *g = ilo_report_grid(r, "registry_band");
		struct ilo_value unknown = v_na();

		for (size_t i = 0; g && i < g->nrows; i++)
			if (strcmp(g->rows[i].label, "Non renseignée") == 0)
				unknown = g->rows[i].v[0];
		f->v = v_ratio(unknown, wp->v, 100.0);
	}
	fig_source(f, "Répertoire SIRENE importé.");
}

/* ==== The build ======================================================================== */

static void coverage(struct ilo_report *r)
{
	if (r->release_id == 0) {
		snprintf(r->coverage, sizeof r->coverage,
		         "Aucune publication statistique pour %d : les chiffres d'activité ne sont "
		         "pas disponibles.", r->year);
		return;
	}
	if (r->months >= 12)
		snprintf(r->coverage, sizeof r->coverage,
		         "Chiffres d'activité : janvier à décembre %d (publication de décembre, "
		         "version %d du %.10s).", r->year, r->release_version, r->release_date);
	else
		snprintf(r->coverage, sizeof r->coverage,
		         "Chiffres d'activité incomplets : janvier à %s %d seulement (%d mois sur "
		         "12, publication de %s, version %d du %.10s) ; décembre n'est pas encore "
		         "publié.", month_fr[r->months], r->year, r->months, month_fr[r->months],
		         r->release_version, r->release_date);
}

enum err_code ilo_report_build(struct store *s, int year, const struct stats_rules *rules,
                               struct ilo_report *out, struct err *e)
{
	struct build *b;
	struct ilo_figure *workers = NULL;
	enum err_code rc;

	memset(out, 0, sizeof *out);
	if (year < 1900 || year > 9999)
		return err_set(e, ERR_INVALID, "annee", "expected a year of four digits (1900-9999)");
	b = xcalloc(1, sizeof *b);
	b->st = s;
	b->r = out;
	if (rules)
		b->rules = *rules;
	else
		stats_rules_default(&b->rules);
	if ((rc = stats_rules_check(&b->rules, e)) != ERR_OK)
		goto out;
	out->year = year;
	out->figures = xcalloc(MAX_FIGURES, sizeof *out->figures);
	out->cap_figures = MAX_FIGURES;
	out->grids = xcalloc(MAX_GRIDS, sizeof *out->grids);
	out->cap_grids = MAX_GRIDS;
	snprintf(b->from, sizeof b->from, "%04d-01-01", year);
	snprintf(b->to, sizeof b->to, "%04d-12-31", year);
	b->themes.top_only = 1;

	store_read_begin(s);
	if ((rc = store_stats_geo_each(s, geo_national, b, e)) != ERR_OK ||
	    (rc = store_ilo_regions(s, region_row, b, e)) != ERR_OK ||
	    (rc = store_nomenclature_each(s, STORE_NOM_INTERVENTION_KIND, nom_row, &b->kinds, e)) !=
	        ERR_OK ||
	    (rc = store_nomenclature_each(s, STORE_NOM_FOLLOWUP_KIND, nom_row, &b->fukinds, e)) !=
	        ERR_OK ||
	    (rc = store_nomenclature_each(s, STORE_NOM_THEME, nom_row, &b->themes, e)) != ERR_OK)
		goto out_read;
	if (b->too_many_regions) {
		rc = err_set(e, ERR_TOO_BIG, NULL, "more than %d regions in the organisation",
		             MAX_REGIONS);
		goto out_read;
	}
	/* the newest release of the year, and of each earlier year */
	if ((rc = store_stats_release_each(s, NULL, 0, release_row, b, e)) != ERR_OK)
		goto out_read;
	for (size_t i = 0; i < b->nyears; i++) {
		if (year_of(b->years[i].month) == year) {
			out->release_id = b->years[i].id;
			snprintf(out->release_month, sizeof out->release_month, "%s",
			         b->years[i].month);
			out->release_version = b->years[i].version;
			snprintf(out->release_date, sizeof out->release_date, "%s", b->years[i].date);
			out->months = month_of(b->years[i].month);
		}
	}
	/* years in order for the procès-verbaux table */
	for (size_t i = 1; i < b->nyears; i++)
		for (size_t j = i; j > 0 && strcmp(b->years[j - 1].month, b->years[j].month) > 0; j--) {
			struct rel_pick t = b->years[j];

			b->years[j] = b->years[j - 1];
			b->years[j - 1] = t;
		}
	coverage(out);
	b->cells.national = b->national;
	b->cells.regions = b->regions;
	b->cells.nregions = b->nregions;
	if (out->release_id) {
		char period[16];

		snprintf(period, sizeof period, "%.4s-C%.2s", out->release_month,
		         out->release_month + 5);
		if ((rc = store_ilo_cells(s, out->release_id, period, cell_row, &b->cells, e)) !=
		    ERR_OK)
			goto out_read;
		if (b->cells.too_many) {
			rc = err_set(e, ERR_TOO_BIG, NULL, "the release holds more than %d cells at "
			             "national and region level", MAX_CELLS);
			goto out_read;
		}
		if ((rc = quarter_sums(b, out, e)) != ERR_OK)
			goto out_read;
	}
	if ((rc = build_staff(b, e)) != ERR_OK || (rc = build_registry(b, &workers, e)) != ERR_OK)
		goto out_read;
	build_activity(b);
	if ((rc = build_provisions(b, e)) != ERR_OK)
		goto out_read;
	build_rates(b, workers);
	rc = store_ilo_text_get(s, year, &out->text_a, &out->text_a_author, &out->text_a_updated,
	                        e);
	if (rc == ERR_NOT_FOUND) {
		rc = ERR_OK;
		if (e)
			err_clear(e);
	}
out_read:
	store_read_end(s);
out:
	cells_free(&b->cells);
	noms_free(&b->kinds);
	noms_free(&b->fukinds);
	noms_free(&b->themes);
	for (size_t i = 0; i < b->nregions; i++) {
		free(b->regions[i].code);
		free(b->regions[i].name);
		free(b->regions[i].cog);
	}
	free(b);
	return rc;
}

/* ==== Tables and writers =============================================================== */

static const struct {
	const char *item, *title, *sheet;
} items[] = {
    {"a", "a) Législation et réglementation", "a Legislation"},
    {"b", "b) Personnel de l'inspection du travail", "b Personnel"},
    {"c", "c) Établissements assujettis et salariés qui y sont occupés", "c Etablissements"},
    {"d", "d) Visites d'inspection", "d Visites"},
    {"e", "e) Infractions et sanctions", "e Infractions"},
    {"f", "f) Accidents du travail", "f Accidents"},
    {"g", "g) Maladies professionnelles", "g Maladies"},
    {"ilostat", "Indicateurs ILOSTAT", "ILOSTAT"},
    {"n", "Tableaux du rapport national", "National"},
    {"completude", "Complétude", "Completude"},
};
#define NITEMS (sizeof items / sizeof items[0])

static void put_value(struct rtable *t, size_t row, size_t col, struct ilo_value v)
{
	switch (v.kind) {
	case ILO_INT:
		rtable_int(t, row, col, v.num);
		break;
	case ILO_REAL:
		rtable_real(t, row, col, v.real);
		break;
	case ILO_SECRET:
		rtable_secret(t, row, col);
		break;
	case ILO_QUARTERLY:
		rtable_quarterly(t, row, col);
		break;
	default:
		rtable_text(t, row, col, "non disponible");
		break;
	}
}

struct tables {
	struct rtable *t;
	const char **item; /* the item of each table */
	size_t n, cap;
};

static struct rtable *tables_new(struct tables *ts, const char *item)
{
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 16;
		ts->t = xrealloc(ts->t, ts->cap * sizeof *ts->t);
		ts->item = xrealloc(ts->item, ts->cap * sizeof *ts->item);
	}
	ts->item[ts->n] = item;
	return &ts->t[ts->n++];
}

/* Item (a) as a table of paragraphs (one a line of the text). */
static enum err_code table_a(const struct ilo_report *r, struct tables *ts, struct err *e)
{
	static const char *const head[] = {"Texte"};
	struct rtable *t = tables_new(ts, "a");
	const char *p = r->text_a;
	size_t row;
	enum err_code rc = ERR_OK;

	rtable_init(t, items[0].title, items[0].sheet, 1, head);
	if (p == NULL || *p == '\0') {
		if ((rc = rtable_row(t, &row, e)) == ERR_OK)
			rtable_text(t, row, 0, "non renseigné");
		return rc;
	}
	while (*p && rc == ERR_OK) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		size_t l = strlen(line);

		while (l > 0 && (line[l - 1] == '\r' || line[l - 1] == ' '))
			line[--l] = '\0';
		if (l > 0 && (rc = rtable_row(t, &row, e)) == ERR_OK)
			rtable_text(t, row, 0, line);
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	if (rc == ERR_OK && r->text_a_author) {
		char note[256];

		snprintf(note, sizeof note, "Rédigé par %s, modifié le %s.", r->text_a_author,
		         r->text_a_updated ? r->text_a_updated : "");
		rtable_note(t, note);
	}
	return rc;
}

/* The headline figures of item as one table: compact (for reading: indicator, value, code;
 * definitions as notes) or full (every text in columns, for spreadsheets). */
static enum err_code table_figures(const struct ilo_report *r, size_t it, int compact,
                                   struct tables *ts, struct err *e)
{
	static const char *const head_full[] = {"Indicateur", "Valeur", "Code", "Définition",
	                                        "Source", "Complétude"};
	static const char *const head_compact[] = {"Indicateur", "Valeur", "Code"};
	struct rtable *t = NULL;
	char note[1400];
	enum err_code rc = ERR_OK;

	for (size_t i = 0; i < r->nfigures && rc == ERR_OK; i++) {
		const struct ilo_figure *f = &r->figures[i];
		int same_def = 0;
		size_t row;

		if (strcmp(f->item, items[it].item) != 0)
			continue;
		if (t == NULL) {
			char title[160];

			snprintf(title, sizeof title, "%s : chiffres clés", items[it].title);
			t = tables_new(ts, items[it].item);
			rtable_init(t, title, items[it].sheet, compact ? 3 : 6,
			            compact ? head_compact : head_full);
			t->decimals = 2;
		}
		if ((rc = rtable_row(t, &row, e)) != ERR_OK)
			break;
		rtable_text(t, row, 0, f->label);
		put_value(t, row, 1, f->v);
		rtable_text(t, row, 2, f->code);
		if (!compact) {
			rtable_text(t, row, 3, f->definition);
			rtable_text(t, row, 4, f->source);
			rtable_text(t, row, 5, f->completeness);
			continue;
		}
		/* a definition already given above in this table is not repeated */
		for (size_t k = 0; k < i && !same_def; k++)
			same_def = strcmp(r->figures[k].item, f->item) == 0 &&
			           strcmp(r->figures[k].definition, f->definition) == 0;
		snprintf(note, sizeof note, "%s%s : %s%sSource : %s%s%s", f->label,
		         f->estimated ? " (estimation)" : "", same_def ? "" : f->definition,
		         same_def ? "" : " ", f->source, f->completeness[0] ? " Complétude : " : "",
		         f->completeness);
		rtable_note(t, note);
	}
	return rc;
}

static enum err_code table_grid(const struct ilo_grid *g, struct tables *ts, struct err *e)
{
	const char *head[ILO_MAX_COLS + 1];
	struct rtable *t = tables_new(ts, g->item);
	char sheet[32];
	enum err_code rc = ERR_OK;

	for (size_t c = 0; c <= g->ncols; c++)
		head[c] = g->header[c];
	snprintf(sheet, sizeof sheet, "%s", g->code);
	rtable_init(t, g->title, sheet, g->ncols + 1, head);
	for (size_t i = 0; i < g->nrows && rc == ERR_OK; i++) {
		size_t row;

		if ((rc = rtable_row(t, &row, e)) != ERR_OK)
			break;
		rtable_text(t, row, 0, g->rows[i].label);
		for (size_t c = 0; c < g->ncols; c++)
			put_value(t, row, c + 1, g->rows[i].v[c]);
	}
	for (size_t i = 0; i < g->nnotes; i++)
		rtable_note(t, g->notes[i]);
	return rc;
}

static void tables_release(struct tables *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		rtable_release(&ts->t[i]);
	free(ts->t);
	free(ts->item);
	memset(ts, 0, sizeof *ts);
}

/* All tables in item order; with_a: item (a) as a table too. */
static enum err_code tables_build(const struct ilo_report *r, int compact, int with_a,
                                  struct tables *ts, struct err *e)
{
	enum err_code rc = ERR_OK;

	memset(ts, 0, sizeof *ts);
	for (size_t it = 0; it < NITEMS && rc == ERR_OK; it++) {
		if (it == 0 && with_a)
			rc = table_a(r, ts, e);
		if (rc == ERR_OK)
			rc = table_figures(r, it, compact, ts, e);
		for (size_t k = 0; k < r->ngrids && rc == ERR_OK; k++)
			if (strcmp(r->grids[k].item, items[it].item) == 0)
				rc = table_grid(&r->grids[k], ts, e);
	}
	if (rc != ERR_OK)
		tables_release(ts);
	return rc;
}

enum err_code ilo_report_tables(const struct ilo_report *r, struct rtable **out, size_t *n,
                                struct err *e)
{
	struct tables ts;
	enum err_code rc = tables_build(r, 0, 1, &ts, e);

	*out = NULL;
	*n = 0;
	if (rc != ERR_OK)
		return rc;
	free(ts.item);
	*out = ts.t;
	*n = ts.n;
	return ERR_OK;
}

void ilo_tables_free(struct rtable *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		rtable_release(&t[i]);
	free(t);
}

static enum err_code too_big(enum err_code rc, struct err *e)
{
	if (rc == ERR_TOO_BIG)
		return err_set(e, ERR_TOO_BIG, NULL, "the report is larger than the output limit");
	return rc;
}

/* Item (a) as escaped paragraphs. */
static enum err_code html_item_a(const struct ilo_report *r, struct buf *out)
{
	const char *p = r->text_a;
	enum err_code rc = ERR_OK;

	if (p == NULL || *p == '\0')
		return html_raw(out, "<p class=\"ilo-empty\">Non renseigné pour cette année.</p>\n");
	while (*p && rc == ERR_OK) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len > 0) {
			rc = html_raw(out, "<p>");
			if (rc == ERR_OK)
				rc = html_ntxt(out, p, len);
			if (rc == ERR_OK)
				rc = html_raw(out, "</p>\n");
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (rc == ERR_OK && r->text_a_author) {
		rc = html_raw(out, "<p class=\"ilo-meta\">Rédigé par ");
		if (rc == ERR_OK)
			rc = html_txt(out, r->text_a_author);
		if (rc == ERR_OK)
			rc = html_raw(out, ", modifié le ");
		if (rc == ERR_OK)
			rc = html_txt(out, r->text_a_updated);
		if (rc == ERR_OK)
			rc = html_raw(out, ".</p>\n");
	}
	return rc;
}

enum err_code ilo_report_html_body(const struct ilo_report *r, struct buf *out, struct err *e)
{
	struct tables ts;
	enum err_code rc = tables_build(r, 1, 0, &ts, e);

	if (rc != ERR_OK)
		return rc;
	rc = html_raw(out, "<p class=\"ilo-coverage\">");
	if (rc == ERR_OK)
		rc = html_txt(out, r->coverage);
	if (rc == ERR_OK)
		rc = html_raw(out, "</p>\n");
	for (size_t it = 0; it < NITEMS && rc == ERR_OK; it++) {
		char id[32];

		snprintf(id, sizeof id, "point-%s", items[it].item);
		rc = html_raw(out, "<section class=\"ilo-item\" id=\"");
		if (rc == ERR_OK)
			rc = html_attr(out, id);
		if (rc == ERR_OK)
			rc = html_raw(out, "\"><h2>");
		if (rc == ERR_OK)
			rc = html_txt(out, items[it].title);
		if (rc == ERR_OK)
			rc = html_raw(out, "</h2>\n");
		if (rc == ERR_OK && it == 0)
			rc = html_item_a(r, out);
		for (size_t k = 0; k < ts.n && rc == ERR_OK; k++)
			if (strcmp(ts.item[k], items[it].item) == 0)
				rc = rtable_html(&ts.t[k], out, e);
		if (rc == ERR_OK)
			rc = html_raw(out, "</section>\n");
	}
	tables_release(&ts);
	return too_big(rc, e);
}

enum err_code ilo_report_html(const struct ilo_report *r, struct buf *out, struct err *e)
{
	char title[96];
	enum err_code rc;

	snprintf(title, sizeof title, "Rapport annuel OIT (convention n° 81) - %d", r->year);
	rc = html_page_begin(out, title);
	if (rc == ERR_OK)
		rc = html_raw(out, "<main>\n<h1>");
	if (rc == ERR_OK)
		rc = html_txt(out, title);
	if (rc == ERR_OK)
		rc = html_raw(out, "</h1>\n");
	if (rc == ERR_OK)
		rc = ilo_report_html_body(r, out, e);
	if (rc == ERR_OK)
		rc = html_raw(out, "</main>\n");
	if (rc == ERR_OK)
		rc = html_page_end(out);
	return too_big(rc, e);
}

enum err_code ilo_report_pdf(const struct ilo_report *r, struct buf *out, struct err *e)
{
	struct tables ts;
	struct pdf *p;
	char title[96];
	enum err_code rc = tables_build(r, 1, 0, &ts, e);

	if (rc != ERR_OK)
		return rc;
	snprintf(title, sizeof title, "Rapport annuel OIT (convention n° 81) - %d", r->year);
	p = pdf_new(out, title, "Constat - statistiques publiées après contrôle de la divulgation");
	pdf_title(p, title);
	pdf_paragraph(p, r->coverage);
	for (size_t it = 0; it < NITEMS; it++) {
		pdf_heading(p, items[it].title);
		if (it == 0) {
			const char *s = r->text_a;

			if (s == NULL || *s == '\0')
				pdf_paragraph(p, "Non renseigné pour cette année.");
			while (s && *s) {
				const char *nl = strchr(s, '\n');
				size_t len = nl ? (size_t)(nl - s) : strlen(s);
				char *line = xstrndup(s, len);

				if (line[0] && strcmp(line, "\r") != 0)
					pdf_paragraph(p, line);
				free(line);
				s = nl ? nl + 1 : s + len;
			}
		}
		for (size_t k = 0; k < ts.n; k++)
			if (strcmp(ts.item[k], items[it].item) == 0)
				rtable_pdf(&ts.t[k], p);
	}
	rc = pdf_finish(p, e);
	tables_release(&ts);
	return rc;
}

enum err_code ilo_report_xlsx(const struct ilo_report *r, struct buf *out, struct err *e)
{
	struct tables ts;
	const struct rtable **ptr;
	enum err_code rc = tables_build(r, 0, 1, &ts, e);

	if (rc != ERR_OK)
		return rc;
	ptr = xcalloc(ts.n + 1, sizeof *ptr);
	for (size_t i = 0; i < ts.n; i++)
		ptr[i] = &ts.t[i];
	rc = rtable_xlsx(ptr, ts.n, out, e);
	free(ptr);
	tables_release(&ts);
	return rc;
}

/* One cell of a table copied into the long table. */
static void copy_cell(struct rtable *dst, size_t row, size_t col, const struct rtable *src,
                      size_t r, size_t c)
{
	const struct rtable_cell *x = &src->cells[r * src->ncols + c];

	switch (x->kind) {
	case RTABLE_TEXT:
		rtable_text(dst, row, col, x->text);
		break;
	case RTABLE_INT:
		rtable_int(dst, row, col, x->num);
		break;
	case RTABLE_REAL:
		rtable_real(dst, row, col, x->real);
		break;
	case RTABLE_SECRET:
		rtable_secret(dst, row, col);
		break;
	case RTABLE_QUARTERLY:
		rtable_quarterly(dst, row, col);
		break;
	case RTABLE_EMPTY:
		break;
	}
}

enum err_code ilo_report_csv(const struct ilo_report *r, struct buf *out, struct err *e)
{
	static const char *const head[] = {"annee", "tableau", "ligne", "colonne", "valeur"};
	struct tables ts;
	struct rtable lt;
	char year[8];
	enum err_code rc = tables_build(r, 0, 1, &ts, e);

	if (rc != ERR_OK)
		return rc;
	snprintf(year, sizeof year, "%d", r->year);
	rtable_init(&lt, "Rapport OIT", "OIT", 5, head);
	lt.decimals = 2;
	for (size_t k = 0; k < ts.n && rc == ERR_OK; k++) {
		const struct rtable *t = &ts.t[k];

		for (size_t i = 0; i < t->nrows && rc == ERR_OK; i++) {
			const struct rtable_cell *label = &t->cells[i * t->ncols];

			for (size_t c = t->ncols == 1 ? 0 : 1; c < t->ncols && rc == ERR_OK; c++) {
				size_t row;

				if ((rc = rtable_row(&lt, &row, e)) != ERR_OK)
					break;
				rtable_text(&lt, row, 0, year);
				rtable_text(&lt, row, 1, t->title);
				rtable_text(&lt, row, 2, t->ncols == 1 ? ""
				                        : label->kind == RTABLE_TEXT ? label->text
				                                                     : "");
				rtable_text(&lt, row, 3, t->header[c]);
				copy_cell(&lt, row, 4, t, i, c);
			}
		}
	}
	if (rc == ERR_OK)
		rc = rtable_csv(&lt, out, e);
	rtable_release(&lt);
	tables_release(&ts);
	return rc;
}

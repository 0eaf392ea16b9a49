/* ui-stats: the statistics dashboards (GET /statistiques), one catalogue table in full
 * (GET /statistiques/tableau) and their CSV / XLSX exports (GET /statistiques/export).
 * Drawn only from frozen release cells, exactly those the JSON API (src/stats/api-stats.c)
 * serves to the same user: managers their own subtree, analysts and administrators the
 * national tables (POLICY_STATS_READ). A secret cell shows as « secret », never as 0; a
 * small unit's breakdown for the month or the year to date (reason "design") is no secret
 * and shows as « par trimestre », with a link to the quarter where it is published. */
#include "web/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "core/xalloc.h"
#include "report/svg.h"
#include "report/table.h"
#include "stats/stats.h"
#include "store/store-stats-read.h"
#include "store/store-stats.h"
#include "web/html.h"

#define GEO_MAX 100000    /* organisation units read (as the JSON API) */
#define RELEASES_MAX 5000 /* releases listed */
#define CATS_MAX 60       /* categories of one table */
#define ACTIONS_MAX 500   /* priority action titles */
#define EXPORT_MAX (24u << 20)
#define SECTIONS_MAX 16

static void legend_notes(struct rtable *t)
{
	rtable_note(t, stats_legend_secret_fr);
	rtable_note(t, stats_legend_quarter_fr);
}

static const char *const level_names[] = {"Nation", "Région", "Département", "Unité de contrôle"};
static const char *const child_titles[] = {"Par région", "Par département", "Par unité de contrôle",
                                           ""};

/* ================================================================ context */

struct geo {
	const char *code, *name;
	int level;  /* 0 national, 1 region, 2 department, 3 unit */
	int parent; /* index, -1 for the root */
	const char *parent_code;
};

struct release {
	int64_t id;
	const char *month, *created_at;
	int version, newest;
};

struct label {
	const char *code, *text;
};

struct ctx {
	struct http_request *req;
	const struct store_principal *who;
	struct geo *geo;
	size_t n_geo;
	int *sorted; /* geo indexes by code, for bsearch */
	int own, root;
	struct release *rel;
	size_t n_rel;
	int cur;  /* selected release, -1 when there is none */
	int qrel; /* the release whose quarter a « par trimestre » note links to, or -1 */
	struct web_noms noms;
	struct label *actions;
	size_t n_actions;
	char year[8], mc[16], quarter[16]; /* "2026", "2026-C03", "2026-Q1" or "" */
};

static int geo_row(void *p, const struct store_stats_geo *g)
{
	struct ctx *c = p;
	struct geo *x;

	if (c->n_geo >= GEO_MAX)
		return 1;
	if (c->n_geo % 256 == 0)
		c->geo = xrealloc(c->geo, (c->n_geo + 256) * sizeof(*c->geo));
	x = &c->geo[c->n_geo++];
	x->code = http_strdup(c->req, g->code);
	x->name = http_strdup(c->req, g->name ? g->name : g->code);
	x->level = strcmp(g->level, "national") == 0     ? 0
	           : strcmp(g->level, "region") == 0     ? 1
	           : strcmp(g->level, "department") == 0 ? 2
	                                                 : 3;
	x->parent_code = g->parent ? http_strdup(c->req, g->parent) : NULL;
	x->parent = -1;
	return 0;
}

static int geo_find(const struct ctx *c, const char *code)
{
	size_t lo = 0, hi = c->n_geo;

	while (code && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(code, c->geo[c->sorted[mid]].code);

		if (cmp == 0)
			return c->sorted[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The store walks units ORDER BY code already: the index is checked, not assumed. */
static void geo_sort(struct ctx *c)
{
	int ordered = 1;

	c->sorted = http_alloc(c->req, (c->n_geo + 1) * sizeof(*c->sorted));
	for (size_t i = 0; i < c->n_geo; i++) {
		c->sorted[i] = (int)i;
		if (i > 0 && strcmp(c->geo[i - 1].code, c->geo[i].code) >= 0)
			ordered = 0;
	}
	if (!ordered) {
		/* qsort has no context argument: an insertion sort (rarely run). */
		for (size_t i = 1; i < c->n_geo; i++) {
			int v = c->sorted[i];
			size_t j = i;

			while (j > 0 && strcmp(c->geo[c->sorted[j - 1]].code, c->geo[v].code) > 0) {
				c->sorted[j] = c->sorted[j - 1];
				j--;
			}
			c->sorted[j] = v;
		}
	}
}

/* 1 when unit g is root or below it. */
static int below(const struct ctx *c, int g, int root)
{
	for (int depth = 0; g >= 0 && depth < 16; depth++) {
		if (g == root)
			return 1;
		g = c->geo[g].parent;
	}
	return 0;
}

static int is_month(const char *s)
{
	return s && strlen(s) == 7 && strspn(s, "0123456789") == 4 && s[4] == '-' &&
	       strspn(s + 5, "0123456789") == 2 && strncmp(s + 5, "01", 2) >= 0 &&
	       strncmp(s + 5, "12", 2) <= 0;
}

static int release_row(void *p, const struct store_stats_read_release *r)
{
	struct ctx *c = p;
	struct release *x;

	if (c->n_rel >= RELEASES_MAX)
		return 1;
	if (!is_month(r->month))
		return 0; /* not a month: never shown (the store's CHECK should prevent it) */
	if (c->n_rel % 64 == 0)
		c->rel = xrealloc(c->rel, (c->n_rel + 64) * sizeof(*c->rel));
	x = &c->rel[c->n_rel++];
	x->id = r->id;
	x->month = http_strdup(c->req, r->month);
	x->created_at = http_strdup(c->req, r->created_at);
	x->version = r->version;
	x->newest = r->newest;
	return 0;
}

static int action_row(void *p, const char *code, const char *label)
{
	struct ctx *c = p;

	if (c->n_actions >= ACTIONS_MAX)
		return 1;
	c->actions[c->n_actions].code = http_strdup(c->req, code);
	c->actions[c->n_actions].text = http_strdup(c->req, label);
	c->n_actions++;
	return 0;
}

static void ctx_free(struct ctx *c)
{
	free(c->geo);
	free(c->rel);
	c->geo = NULL;
	c->rel = NULL;
}

static int month_of(const char *m)
{
	return (m[5] - '0') * 10 + (m[6] - '0');
}

/* The month ending the quarter of month m ("2026-02" -> "2026-03"). */
static void quarter_end(const char *m, char out[24])
{
	snprintf(out, 24, "%.4s-%02d", m, (month_of(m) + 2) / 3 * 3);
}

/* The release a « par trimestre » note links to: the newest version of the month ending
 * the quarter of the month shown when it is released (it holds that quarter), else of the
 * latest quarter released before; -1 when no quarter is released yet. */
static int quarter_release(const struct ctx *c)
{
	const char *m = c->rel[c->cur].month;
	char qend[24];
	int best = -1;

	quarter_end(m, qend);
	for (size_t i = 0; i < c->n_rel; i++) {
		const char *r = c->rel[i].month;

		if (!c->rel[i].newest || month_of(r) % 3 != 0 || strcmp(r, qend) > 0)
			continue;
		if (best < 0 || strcmp(r, c->rel[best].month) > 0)
			best = (int)i;
	}
	return best;
}

/* A 400 page naming the parameter; returns ERR_OK for the router. */
static enum err_code bad_param(struct ctx *c, int status, const char *msg)
{
	web_error_page(c->req, status, msg);
	return ERR_OK;
}

/* Reads the caller's scope, the echelon, mois and version parameters. Returns 0 when the
 * page can go on; otherwise a reply (error page) is set or *rc holds a failure. */
static int ctx_load(struct ctx *c, struct http_request *req, enum err_code *rc, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct policy_object any = {.in_scope = 1, .national_table = 1};
	struct policy_object obj = {0};
	const char *echelon = NULL, *mois = NULL, *version = NULL;
	char own[64] = "", msg[200];
	long v = 0;

	memset(c, 0, sizeof(*c));
	c->req = req;
	c->who = auth_user(req);
	c->cur = -1;
	c->qrel = -1;
	c->own = -1;
	if ((*rc = policy_require(&me, POLICY_STATS_READ, &any, NULL, e)) != ERR_OK)
		return -1;
	if ((*rc = http_query_single(req, "echelon", &echelon, e)) != ERR_OK ||
	    (*rc = http_query_single(req, "mois", &mois, e)) != ERR_OK ||
	    (*rc = http_query_single(req, "version", &version, e)) != ERR_OK) {
		*rc = bad_param(c, 400,
		                "Un paramètre (echelon, mois ou version) est donné deux "
		                "fois : gardez-en un seul.");
		return -1;
	}
	if ((*rc = store_stats_geo_each(req->store, geo_row, c, e)) != ERR_OK)
		return -1;
	geo_sort(c);
	for (size_t i = 0; i < c->n_geo; i++)
		c->geo[i].parent = geo_find(c, c->geo[i].parent_code);
	if (c->who && c->who->scope_unit_id > 0) {
		if ((*rc = store_stats_unit_code(req->store, c->who->scope_unit_id, own, sizeof own,
		                                 e)) != ERR_OK)
			return -1;
		c->own = geo_find(c, own);
	}
	if (c->own < 0 && (c->who == NULL || c->who->scope_unit_id <= 0))
		for (size_t i = 0; i < c->n_geo; i++)
			if (c->geo[i].level == 0)
				c->own = (int)i;
	if (echelon) {
		if (echelon[0] == '\0' || strlen(echelon) > 32 ||
		    strspn(echelon, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen(echelon)) {
			*rc = bad_param(c, 400,
			                "Le paramètre « echelon » doit être le code d'une "
			                "unité (FR, R53, D35, UC35-02...).");
			return -1;
		}
		c->root = geo_find(c, echelon);
		if (c->root < 0) {
			snprintf(msg, sizeof msg,
			         "Le paramètre « echelon » ne désigne aucune unité "
			         "connue (%.40s).",
			         echelon);
			*rc = bad_param(c, 404, msg);
			return -1;
		}
	} else {
		c->root = c->own;
	}
	if (c->root < 0) {
		*rc = bad_param(c, 403,
		                "Votre compte n'est rattaché à aucune unité : les "
		                "statistiques ne peuvent pas être affichées.");
		return -1;
	}
	obj.in_scope = c->own >= 0 && below(c, c->root, c->own);
	obj.national_table = c->geo[c->root].level == 0;
	if ((*rc = policy_require(&me, POLICY_STATS_READ, &obj, NULL, e)) != ERR_OK)
		return -1;

	if (mois && !is_month(mois)) {
		*rc = bad_param(c, 400,
		                "Le paramètre « mois » doit s'écrire AAAA-MM (par exemple "
		                "2026-03).");
		return -1;
	}
	if (version) {
		char *end;

		v = strtol(version, &end, 10);
		if (version[0] == '\0' || *end != '\0' || v < 1 || v > 9999) {
			*rc = bad_param(c, 400,
			                "Le paramètre « version » doit être un numéro de "
			                "version (1, 2...).");
			return -1;
		}
		if (!mois) {
			*rc = bad_param(c, 400,
			                "Le paramètre « version » demande aussi le paramètre "
			                "« mois ».");
			return -1;
		}
	}
	if ((*rc = store_stats_read_releases(req->store, release_row, c, e)) != ERR_OK)
		return -1;
	for (size_t i = 0; i < c->n_rel && c->cur < 0; i++) {
		if (mois && strcmp(c->rel[i].month, mois) != 0)
			continue;
		if (version ? c->rel[i].version == v : c->rel[i].newest)
			c->cur = (int)i;
	}
	if ((mois || version) && c->cur < 0) {
		snprintf(msg, sizeof msg, "Aucune publication pour le mois %s%s%s.", mois,
		         version ? " en version " : "", version ? version : "");
		*rc = bad_param(c, 404, msg);
		return -1;
	}
	if (c->cur >= 0) {
		const char *m = c->rel[c->cur].month;
		int mm = (m[5] - '0') * 10 + (m[6] - '0');

		snprintf(c->year, sizeof c->year, "%.4s", m);
		snprintf(c->mc, sizeof c->mc, "%.4s-C%.2s", m, m + 5);
		if (mm % 3 == 0)
			snprintf(c->quarter, sizeof c->quarter, "%.4s-Q%d", m, mm / 3);
		c->qrel = quarter_release(c);
	}
	if ((*rc = web_noms_load(req, &c->noms, e)) != ERR_OK)
		return -1;
	c->actions = http_alloc(req, ACTIONS_MAX * sizeof(*c->actions));
	if ((*rc = store_stats_read_action_titles(req->store, action_row, c, e)) != ERR_OK)
		return -1;
	return 0;
}

/* ================================================================ cells */

/* The state of a cell of a grid. */
enum cell_state {
	CELL_NONE,      /* not in the release */
	CELL_PUBLISHED, /* val holds the figure */
	CELL_SECRET,    /* hidden by disclosure control */
	CELL_QUARTERLY, /* a small unit's breakdown: published for the quarter only */
};

/* Cells of one table for one period over a list of units: rows follow the list. */
struct grid {
	const struct stats_table *t;
	const int *units; /* geo indexes (borrowed) */
	size_t n_units;
	int *pos; /* geo index -> row, -1 when not listed (n_geo entries) */
	const char *cat[CATS_MAX];
	size_t n_cat;
	uint8_t *state; /* n_units * CATS_MAX: enum cell_state */
	int64_t *val;
	const struct ctx *c;
	int too_many_cats;
};

/* A released cell's state from its secret flag and reason: a secret whose reason is
 * "design" (the unit's size, which is public) is told apart from the other secrets. */
static uint8_t cell_state_of(int secret, const char *reason)
{
	if (!secret)
		return CELL_PUBLISHED;
	return reason && strcmp(reason, stats_reason_name(STATS_R_DESIGN)) == 0 ? CELL_QUARTERLY
	                                                                        : CELL_SECRET;
}

static int grid_cell(void *p, const struct store_stats_read_cell *cell)
{
	struct grid *g = p;
	int gi = geo_find(g->c, cell->geo), row;
	size_t k;

	if (gi < 0 || (row = g->pos[gi]) < 0)
		return 0;
	for (k = 0; k < g->n_cat; k++)
		if (strcmp(g->cat[k], cell->cat) == 0)
			break;
	if (k == g->n_cat) {
		if (g->n_cat >= CATS_MAX) {
			g->too_many_cats = 1;
			return 0;
		}
		g->cat[g->n_cat++] = http_strdup(g->c->req, cell->cat);
	}
	g->state[(size_t)row * CATS_MAX + k] = cell_state_of(cell->secret, cell->reason);
	g->val[(size_t)row * CATS_MAX + k] = cell->secret ? 0 : cell->value;
	return 0;
}

static void grid_free(struct grid *g)
{
	free(g->pos);
	free(g->state);
	free(g->val);
	memset(g, 0, sizeof(*g));
}

/* Reads table t for period over units into g (freed with grid_free). */
static enum err_code grid_load(const struct ctx *c, const struct stats_table *t, const char *period,
                               const int *units, size_t n_units, struct grid *g, struct err *e)
{
	const char **codes = xcalloc(n_units + 1, sizeof(*codes));
	enum err_code rc;

	memset(g, 0, sizeof(*g));
	g->c = c;
	g->t = t;
	g->units = units;
	g->n_units = n_units;
	g->pos = xmalloc((c->n_geo + 1) * sizeof(*g->pos));
	for (size_t i = 0; i < c->n_geo; i++)
		g->pos[i] = -1;
	for (size_t i = 0; i < n_units; i++) {
		g->pos[units[i]] = (int)i;
		codes[i] = c->geo[units[i]].code;
	}
	g->state = xcalloc(n_units * CATS_MAX + 1, 1);
	g->val = xcalloc(n_units * CATS_MAX + 1, sizeof(*g->val));
	rc = store_stats_read_cells(c->req->store, c->rel[c->cur].id, period, t->name, codes,
	                            n_units, grid_cell, g, e);
	free(codes);
	return rc;
}

static void put_state(struct rtable *t, size_t r, size_t col, int st, int64_t v)
{
	if (st == CELL_PUBLISHED)
		rtable_int(t, r, col, v);
	else if (st == CELL_SECRET)
		rtable_secret(t, r, col);
	else if (st == CELL_QUARTERLY)
		rtable_quarterly(t, r, col);
}

/* Puts the cell (row, k) of g into table cell (r, col): value, « secret », « par
 * trimestre » or empty. */
static void put_cell(struct rtable *t, size_t r, size_t col, const struct grid *g, size_t row,
                     size_t k)
{
	uint8_t s = k < g->n_cat ? g->state[row * CATS_MAX + k] : CELL_NONE;

	put_state(t, r, col, s, s == CELL_PUBLISHED ? g->val[row * CATS_MAX + k] : 0);
}

/* 1 when every cell of g is published by quarter only (adding their number to *n), 0 as
 * soon as one is published or secret. */
static int grid_quarterly(const struct grid *g, size_t *n)
{
	for (size_t i = 0; i < g->n_units; i++)
		for (size_t k = 0; k < g->n_cat; k++) {
			uint8_t s = g->state[i * CATS_MAX + k];

			if (s != CELL_NONE && s != CELL_QUARTERLY)
				return 0;
			*n += s == CELL_QUARTERLY;
		}
	return 1;
}

static size_t grid_find_cat(const struct grid *g, const char *cat)
{
	for (size_t k = 0; k < g->n_cat; k++)
		if (strcmp(g->cat[k], cat) == 0)
			return k;
	return CATS_MAX;
}

/* ================================================================ labels */

static const struct label naf_labels[] = {
    {"AZ", "Agriculture, sylviculture et pêche"},
    {"BE", "Industrie manufacturière, extractive et autres"},
    {"FZ", "Construction"},
    {"GI", "Commerce, transports, hébergement et restauration"},
    {"JZ", "Information et communication"},
    {"KZ", "Activités financières et d'assurance"},
    {"LZ", "Activités immobilières"},
    {"MN", "Activités scientifiques et techniques, services administratifs"},
    {"OQ", "Administration publique, enseignement, santé, action sociale"},
    {"RU", "Autres activités de services"},
    {"ZZ", "Chantier ou activité inconnue"},
};
static const struct label band_labels[] = {
    {"0", "0 salarié"},
    {"1-9", "1 à 9 salariés"},
    {"10-49", "10 à 49 salariés"},
    {"50-249", "50 à 249 salariés"},
    {"250+", "250 salariés et plus"},
    {"NN", "Non renseignée ou chantier"},
};

static const char *label_in(const struct label *l, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].code, code) == 0)
			return l[i].text;
	return NULL;
}

/* The French label of category cat of dimension d (borrowed), the code when unknown. */
static const char *cat_label(const struct ctx *c, enum stats_dim d, const char *cat)
{
	const char *s = NULL;

	switch (d) {
	case STATS_DIM_NONE:
		return "Total";
	case STATS_DIM_KIND:
		return web_nom_label(c->noms.kinds, c->noms.n_kinds, cat);
	case STATS_DIM_THEME:
		if (strcmp(cat, "aucun") == 0)
			return "Aucun thème renseigné";
		return web_nom_label(c->noms.themes, c->noms.n_themes, cat);
	case STATS_DIM_FOLLOWUP:
		return web_nom_label(c->noms.fu_kinds, c->noms.n_fu_kinds, cat);
	case STATS_DIM_NAF:
		s = label_in(naf_labels, sizeof naf_labels / sizeof naf_labels[0], cat);
		break;
	case STATS_DIM_BAND:
		s = label_in(band_labels, sizeof band_labels / sizeof band_labels[0], cat);
		break;
	case STATS_DIM_ACTION:
		s = label_in(c->actions, c->n_actions, cat);
		break;
	default:
		break;
	}
	return s ? s : cat;
}

/* Display rank of a category: nomenclature order, the "none" categories last. */
static int cat_rank(const struct ctx *c, enum stats_dim d, const char *cat)
{
	const struct nomenclature_item *items = NULL;
	size_t n = 0;

	if (strcmp(cat, "aucun") == 0 || strcmp(cat, "ZZ") == 0 || strcmp(cat, "NN") == 0)
		return 100000;
	switch (d) {
	case STATS_DIM_KIND:
		items = c->noms.kinds, n = c->noms.n_kinds;
		break;
	case STATS_DIM_THEME:
		items = c->noms.themes, n = c->noms.n_themes;
		break;
	case STATS_DIM_FOLLOWUP:
		items = c->noms.fu_kinds, n = c->noms.n_fu_kinds;
		break;
	case STATS_DIM_BAND:
		for (size_t i = 0; i < sizeof band_labels / sizeof band_labels[0]; i++)
			if (strcmp(band_labels[i].code, cat) == 0)
				return (int)i;
		return 50000;
	default:
		return 50000;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].code, cat) == 0)
			return (int)i;
	return 50000;
}

/* The categories of g in display order, as indexes into g->cat. */
static size_t cat_order(const struct ctx *c, const struct grid *g, size_t *order)
{
	for (size_t i = 0; i < g->n_cat; i++) {
		size_t j = i;
		int ri = cat_rank(c, g->t->dim, g->cat[i]);

		while (j > 0) {
			int rj = cat_rank(c, g->t->dim, g->cat[order[j - 1]]);

			if (rj < ri || (rj == ri && strcmp(g->cat[order[j - 1]], g->cat[i]) <= 0))
				break;
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	return g->n_cat;
}

static void month_label(const char *m, char *out, size_t n)
{
	int mm = (m[5] - '0') * 10 + (m[6] - '0');

	snprintf(out, n, "%s %.4s", web_month_name(mm), m);
}

/* ================================================================ sections */

enum chart_kind { CHART_NONE, CHART_BAR, CHART_LINE };

struct section {
	char id[24];
	char heading[160];
	const char *intro; /* definition (borrowed) */
	const char *table; /* catalogue table for the links, or NULL */
	struct rtable t;
	enum chart_kind chart;
	size_t chart_col; /* the column drawn */
	char chart_title[200];
	int by_quarter; /* a breakdown of the root published by quarter only: a note links
	                 * to the quarter */
};

struct dash {
	struct section s[SECTIONS_MAX];
	size_t n;
	int for_xlsx;
};

static struct section *section_new(struct dash *d, const char *id, const char *heading,
                                   const char *sheet, size_t ncols, const char *const *hdr)
{
	struct section *s = &d->s[d->n++];

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof s->id, "%s", id);
	snprintf(s->heading, sizeof s->heading, "%s", heading);
	rtable_init(&s->t, heading, sheet, ncols, hdr);
	return s;
}

static void dash_free(struct dash *d)
{
	for (size_t i = 0; i < d->n; i++)
		rtable_release(&d->s[i].t);
	d->n = 0;
}

static void add_notes(const struct dash *d, struct rtable *t, const char *definition)
{
	if (definition)
		rtable_note(t, definition);
	if (d->for_xlsx)
		legend_notes(t);
}

/* A by-category table of t for the root: rows = categories, columns = month and year to
 * date. */
static enum err_code section_by_cat(const struct ctx *c, struct dash *d, const char *id,
                                    const struct stats_table *t, const char *sheet, struct err *e)
{
	char mhead[40], cur[40];
	const char *hdr[3];
	struct grid gm = {0}, gc = {0};
	size_t order[CATS_MAX], n, row;
	struct section *s;
	enum err_code rc;

	month_label(c->rel[c->cur].month, cur, sizeof cur);
	snprintf(mhead, sizeof mhead, "%s", cur);
	hdr[0] = "Catégorie";
	hdr[1] = mhead;
	hdr[2] = "Cumul depuis janvier";
	if ((rc = grid_load(c, t, c->rel[c->cur].month, &c->root, 1, &gm, e)) != ERR_OK ||
	    (rc = grid_load(c, t, c->mc, &c->root, 1, &gc, e)) != ERR_OK)
		goto out;
	s = section_new(d, id, t->title, sheet, 3, hdr);
	s->table = t->name;
	s->chart = CHART_BAR;
	s->chart_col = 1;
	snprintf(s->chart_title, sizeof s->chart_title, "%s, %s", t->title, cur);
	{
		size_t nq = 0;

		s->by_quarter = grid_quarterly(&gm, &nq) && grid_quarterly(&gc, &nq) && nq > 0;
	}
	n = cat_order(c, &gm, order);
	for (size_t i = 0; i < n && rc == ERR_OK; i++) {
		const char *cat = gm.cat[order[i]];

		if ((rc = rtable_row(&s->t, &row, e)) != ERR_OK)
			break;
		rtable_text(&s->t, row, 0, cat_label(c, t->dim, cat));
		put_cell(&s->t, row, 1, &gm, 0, order[i]);
		put_cell(&s->t, row, 2, &gc, 0, grid_find_cat(&gc, cat));
	}
	/* categories seen only in the year to date */
	for (size_t k = 0; k < gc.n_cat && rc == ERR_OK; k++) {
		if (grid_find_cat(&gm, gc.cat[k]) != CATS_MAX)
			continue;
		if ((rc = rtable_row(&s->t, &row, e)) != ERR_OK)
			break;
		rtable_text(&s->t, row, 0, cat_label(c, t->dim, gc.cat[k]));
		put_cell(&s->t, row, 2, &gc, 0, k);
	}
	add_notes(d, &s->t, t->definition);
out:
	grid_free(&gm);
	grid_free(&gc);
	return rc;
}

/* The state of a no-breakdown table at the root (*v: its value when published). */
static int root_value(const struct grid *g, int64_t *v)
{
	size_t k = grid_find_cat(g, STATS_CAT_ALL);

	if (k == CATS_MAX || g->n_units == 0)
		return 0;
	*v = g->val[k];
	return g->state[k];
}

/* Sum of every category at the root: published when all are, by quarter only when one
 * is (the breakdown of a small unit), else secret when one is secret. */
static int root_sum(const struct grid *g, int64_t *v)
{
	int st = g->n_cat ? CELL_PUBLISHED : CELL_NONE;

	*v = 0;
	for (size_t k = 0; k < g->n_cat; k++) {
		if (g->state[k] == CELL_QUARTERLY)
			return CELL_QUARTERLY;
		if (g->state[k] == CELL_SECRET)
			st = CELL_SECRET;
		else if (g->state[k] == CELL_PUBLISHED)
			*v += g->val[k];
	}
	return st;
}

/* A share in per cent, num / den, in column col: by quarter only or secret when either
 * figure is, nothing when the denominator is 0 or missing. */
static void put_share(struct rtable *t, size_t row, size_t col, int num_st, int64_t num,
                      int den_st, int64_t den)
{
	if (num_st == CELL_QUARTERLY || den_st == CELL_QUARTERLY)
		rtable_quarterly(t, row, col);
	else if (num_st == CELL_SECRET || den_st == CELL_SECRET)
		rtable_secret(t, row, col);
	else if (num_st == CELL_PUBLISHED && den_st == CELL_PUBLISHED && den > 0)
		rtable_real(t, row, col, 100.0 * (double)num / (double)den);
}

enum { KEY_ACT, KEY_VISITS, KEY_ESTAB, KEY_SUITES, KEY_ACTIONS, KEY_UNCHECKED, KEY_N };

/* Completeness: shares of all the interventions (docs/STATISTICS.md, "Honest counting"),
 * each a category (cat) of a released table, or a key figure already read (key < KEY_N,
 * cat NULL). */
static const struct {
	const char *table, *cat, *label, *note;
	int key;
} key_shares[] = {
    {"activite_theme", "aucun", "Interventions sans thème renseigné (%)",
     "Interventions sans thème renseigné : part des interventions comptées dans la "
     "catégorie « aucun » du tableau par thème ; mesure la complétude de la saisie.",
     KEY_N},
    {"activite_naf", "ZZ", "Interventions sans activité (NAF) connue (%)",
     "Interventions sans activité (NAF) connue : part des interventions de la catégorie "
     "« ZZ » du tableau par activité (établissement non renseigné ou inconnu du "
     "répertoire, ou chantier).",
     KEY_N},
    {"activite_effectif", "NN", "Interventions sans tranche d'effectif connue (%)",
     "Interventions sans tranche d'effectif connue : part des interventions de la "
     "catégorie « NN » du tableau par effectif (établissement non renseigné, chantier, ou "
     "effectif non diffusé par le répertoire).",
     KEY_N},
    /* over every intervention: the sum of the actions is often secret at the national
     * level (a regional action of a small region) */
    {"action_sans_point", NULL, "Interventions sur action sans point vérifié (%)",
     "Interventions sur action sans point vérifié : part, parmi toutes les "
     "interventions, de celles rattachées à une action prioritaire sans aucun point de "
     "contrôle vérifié ; elles ne comptent pour aucune action.",
     KEY_UNCHECKED},
};

static enum err_code section_key(const struct ctx *c, struct dash *d, struct err *e)
{
	static const struct {
		const char *table, *label;
		int sum;
	} rows[KEY_N] = {
	    [KEY_ACT] = {"activite", "Interventions", 0},
	    [KEY_VISITS] = {"visites", "Visites sur site", 0},
	    [KEY_ESTAB] = {"etablissements", "Établissements contrôlés", 0},
	    [KEY_SUITES] = {"suites", "Suites (toutes natures)", 1},
	    [KEY_ACTIONS] = {"action_prioritaire",
	                     "Interventions sur action prioritaire (points vérifiés)", 1},
	    [KEY_UNCHECKED] = {"action_sans_point",
	                       "Interventions sur action prioritaire sans point vérifié", 0},
	};
	const char *periods[2] = {c->rel[c->cur].month, c->mc};
	char cur[40];
	const char *hdr[3];
	struct section *s;
	struct grid g = {0};
	enum err_code rc = ERR_OK;
	int64_t val[KEY_N][2] = {{0}};
	int st[KEY_N][2] = {{0}};
	size_t row;

	month_label(c->rel[c->cur].month, cur, sizeof cur);
	hdr[0] = "Indicateur";
	hdr[1] = cur;
	hdr[2] = "Cumul depuis janvier";
	s = section_new(d, "chiffres-cles", "Chiffres clés", "Chiffres clés", 3, hdr);
	s->t.decimals = 1;
	for (size_t i = 0; i < KEY_N && rc == ERR_OK; i++) {
		int ti = stats_table_find(rows[i].table);

		if (ti < 0)
			continue;
		for (int p = 0; p < 2 && rc == ERR_OK; p++) {
			rc = grid_load(c, &stats_catalogue[ti], periods[p], &c->root, 1, &g, e);
			if (rc == ERR_OK)
				st[i][p] = rows[i].sum ? root_sum(&g, &val[i][p])
				                       : root_value(&g, &val[i][p]);
			grid_free(&g);
		}
		if (rc != ERR_OK)
			continue;
		if ((rc = rtable_row(&s->t, &row, e)) != ERR_OK)
			break;
		rtable_text(&s->t, row, 0, rows[i].label);
		for (int p = 0; p < 2; p++)
			put_state(&s->t, row, (size_t)p + 1, st[i][p], val[i][p]);
		{
			char note[1200];

			snprintf(note, sizeof note, "%s : %s", rows[i].label,
			         stats_catalogue[ti].definition);
			rtable_note(&s->t, note);
		}
	}
	if (rc != ERR_OK)
		return rc;
	rtable_note(&s->t, "Suites (toutes natures) : somme des suites de chaque nature ; "
	                   "elle n'est pas calculable (« secret ») quand une nature est masquée, "
	                   "ni pour le mois (« par trimestre ») quand les suites de l'unité ne "
	                   "sont publiées que pour le trimestre. De même pour les interventions "
	                   "sur action prioritaire, somme des actions.");
	for (size_t i = 0; i < sizeof key_shares / sizeof key_shares[0] && rc == ERR_OK; i++) {
		int ti = stats_table_find(key_shares[i].table);

		if (ti < 0 || (rc = rtable_row(&s->t, &row, e)) != ERR_OK)
			continue;
		rtable_text(&s->t, row, 0, key_shares[i].label);
		for (int p = 0; p < 2 && rc == ERR_OK; p++) {
			int64_t v = 0;
			int vst = CELL_NONE;

			if (key_shares[i].key < KEY_N) {
				put_share(&s->t, row, (size_t)p + 1, st[key_shares[i].key][p],
				          val[key_shares[i].key][p], st[KEY_ACT][p], val[KEY_ACT][p]);
				continue;
			}
			rc = grid_load(c, &stats_catalogue[ti], periods[p], &c->root, 1, &g, e);
			if (rc == ERR_OK) {
				size_t k = grid_find_cat(&g, key_shares[i].cat);

				vst = k == CATS_MAX ? CELL_NONE : g.state[k];
				v = k == CATS_MAX ? 0 : g.val[k];
			}
			grid_free(&g);
			put_share(&s->t, row, (size_t)p + 1, vst, v, st[KEY_ACT][p], val[KEY_ACT][p]);
		}
		rtable_note(&s->t, key_shares[i].note);
	}
	if (rc == ERR_OK && d->for_xlsx)
		legend_notes(&s->t);
	return rc;
}

struct series {
	struct rtable *t;
	int failed;
	struct err *e;
};

static int series_point(void *p, const struct store_stats_read_point *pt)
{
	struct series *sr = p;
	char lab[40];
	size_t row;

	if (rtable_row(sr->t, &row, sr->e) != ERR_OK) {
		sr->failed = 1;
		return 1;
	}
	month_label(pt->month, lab, sizeof lab);
	rtable_text(sr->t, row, 0, lab);
	put_state(sr->t, row, 1, cell_state_of(pt->secret, pt->reason), pt->value);
	rtable_int(sr->t, row, 2, pt->version);
	return 0;
}

static enum err_code section_trend(const struct ctx *c, struct dash *d, struct err *e)
{
	static const char *const hdr[] = {"Mois", "Interventions", "Version publiée"};
	char heading[80];
	struct section *s;
	struct series sr = {0};
	enum err_code rc;

	snprintf(heading, sizeof heading, "Évolution mensuelle des interventions en %s", c->year);
	s = section_new(d, "evolution", heading, "Évolution", 3, hdr);
	s->intro = "Chaque mois est lu dans la dernière version publiée à la date de la "
	           "publication affichée.";
	s->table = "activite";
	s->chart = CHART_LINE;
	s->chart_col = 1;
	snprintf(s->chart_title, sizeof s->chart_title, "Interventions par mois, %s, %s", c->year,
	         c->geo[c->root].name);
	sr.t = &s->t;
	sr.e = e;
	rc = store_stats_read_series(c->req->store, c->year, c->rel[c->cur].id, "activite",
	                             c->geo[c->root].code, STATS_CAT_ALL, series_point, &sr, e);
	if (rc == ERR_OK && sr.failed)
		rc = ERR_TOO_BIG;
	if (stats_table_find("activite") >= 0)
		add_notes(d, &s->t, stats_catalogue[stats_table_find("activite")].definition);
	return rc;
}

static enum err_code section_actions(const struct ctx *c, struct dash *d, struct err *e)
{
	static const char *const names[] = {"action_prioritaire", "points_verifies",
	                                    "points_non_conformes"};
	static const char *const hdr[] = {
	    "Action prioritaire",           "Interventions (mois)",
	    "Interventions (cumul)",        "Points vérifiés (cumul)",
	    "Points non conformes (cumul)", "Part non conforme (cumul, %)"};
	struct grid gm = {0}, gc[3] = {{0}};
	size_t order[CATS_MAX], n, row;
	struct section *s;
	enum err_code rc = ERR_OK;
	int ti[3];

	for (int i = 0; i < 3; i++)
		if ((ti[i] = stats_table_find(names[i])) < 0)
			return ERR_OK;
	if ((rc = grid_load(c, &stats_catalogue[ti[0]], c->rel[c->cur].month, &c->root, 1, &gm,
	                    e)) != ERR_OK)
		goto out;
	for (int i = 0; i < 3 && rc == ERR_OK; i++)
		rc = grid_load(c, &stats_catalogue[ti[i]], c->mc, &c->root, 1, &gc[i], e);
	if (rc != ERR_OK)
		goto out;
	s = section_new(d, "actions", "Avancement des actions prioritaires", "Actions prioritaires",
	                6, hdr);

	s->table = names[0];
	s->chart = CHART_BAR;
	s->chart_col = 2;
	{
		size_t nq = 0;

		s->by_quarter = grid_quarterly(&gm, &nq) && grid_quarterly(&gc[0], &nq) &&
		                grid_quarterly(&gc[1], &nq) && grid_quarterly(&gc[2], &nq) &&
		                nq > 0;
	}
	snprintf(s->chart_title, sizeof s->chart_title,
	         "Interventions sur action prioritaire depuis janvier %s", c->year);
	n = cat_order(c, &gc[0], order);
	for (size_t i = 0; i < n && rc == ERR_OK; i++) {
		const char *cat = gc[0].cat[order[i]];
		size_t kv = grid_find_cat(&gc[1], cat), kn = grid_find_cat(&gc[2], cat);
		int sv = kv == CATS_MAX ? CELL_NONE : gc[1].state[kv],
		    sn = kn == CATS_MAX ? CELL_NONE : gc[2].state[kn];

		if ((rc = rtable_row(&s->t, &row, e)) != ERR_OK)
			break;
		rtable_text(&s->t, row, 0, cat_label(c, STATS_DIM_ACTION, cat));
		put_cell(&s->t, row, 1, &gm, 0, grid_find_cat(&gm, cat));
		put_cell(&s->t, row, 2, &gc[0], 0, order[i]);
		put_cell(&s->t, row, 3, &gc[1], 0, kv);
		put_cell(&s->t, row, 4, &gc[2], 0, kn);
		if (sv == CELL_QUARTERLY || sn == CELL_QUARTERLY)
			rtable_quarterly(&s->t, row, 5);
		else if (sv == CELL_SECRET || sn == CELL_SECRET)
			rtable_secret(&s->t, row, 5);
		else if (sv == CELL_PUBLISHED && sn == CELL_PUBLISHED && gc[1].val[kv] > 0)
			rtable_real(&s->t, row, 5,
			            100.0 * (double)gc[2].val[kn] / (double)gc[1].val[kv]);
	}
	for (int i = 0; i < 3; i++)
		rtable_note(&s->t, stats_catalogue[ti[i]].definition);
	rtable_note(&s->t, "Part non conforme : points non conformes sur points vérifiés, "
	                   "calculée à partir des seuls chiffres publiés. Les interventions "
	                   "rattachées à une action sans aucun point vérifié ne comptent pour "
	                   "aucune action : leur nombre et leur part sont dans les chiffres clés.");
	if (d->for_xlsx)
		legend_notes(&s->t);
out:
	grid_free(&gm);
	for (int i = 0; i < 3; i++)
		grid_free(&gc[i]);
	return rc;
}

static enum err_code section_children(const struct ctx *c, struct dash *d, struct err *e)
{
	static const char *const names[] = {"activite", "visites", "etablissements"};
	static const char *const hdr[] = {"Unité", "Interventions (mois)", "Visites (mois)",
	                                  "Établissements contrôlés (mois)",
	                                  "Interventions (cumul)"};
	int *kids = NULL;
	size_t nk = 0, row;
	struct grid g[4] = {{0}};
	struct section *s;
	enum err_code rc = ERR_OK;
	int lv = c->geo[c->root].level;

	if (lv >= 3)
		return ERR_OK;
	kids = xcalloc(c->n_geo + 1, sizeof(*kids));
	for (size_t i = 0; i < c->n_geo; i++)
		if (c->geo[i].parent == c->root)
			kids[nk++] = (int)i;
	if (nk == 0)
		goto out;
	for (int i = 0; i < 4 && rc == ERR_OK; i++) {
		int ti = stats_table_find(names[i < 3 ? i : 0]);

		if (ti < 0)
			goto out;
		rc = grid_load(c, &stats_catalogue[ti], i < 3 ? c->rel[c->cur].month : c->mc, kids,
		               nk, &g[i], e);
	}
	if (rc != ERR_OK)
		goto out;
	s = section_new(d, "unites", child_titles[lv], child_titles[lv], 5, hdr);
	s->intro = "Les mêmes indicateurs pour chaque unité de l'échelon inférieur.";
	s->table = "activite";
	s->chart = CHART_BAR;
	s->chart_col = 1;
	snprintf(s->chart_title, sizeof s->chart_title, "Interventions du mois, %s",
	         child_titles[lv]);
	for (size_t i = 0; i < nk && rc == ERR_OK; i++) {
		char name[200];

		if ((rc = rtable_row(&s->t, &row, e)) != ERR_OK)
			break;
		snprintf(name, sizeof name, "%s (%s)", c->geo[kids[i]].name, c->geo[kids[i]].code);
		rtable_text(&s->t, row, 0, name);
		for (int j = 0; j < 4; j++)
			put_cell(&s->t, row, (size_t)j + 1, &g[j], i,
			         grid_find_cat(&g[j], STATS_CAT_ALL));
	}
	add_notes(d, &s->t,
	          "Interventions, visites et établissements : définitions du tableau "
	          "des chiffres clés.");
out:
	for (int i = 0; i < 4; i++)
		grid_free(&g[i]);
	free(kids);
	return rc;
}

static enum err_code dash_build(const struct ctx *c, struct dash *d, struct err *e)
{
	static const struct {
		const char *table, *id, *sheet;
	} by_cat[] = {
	    {"activite_nature", "nature", "Par nature"},
	    {"activite_theme", "theme", "Par thème"},
	    {"suites", "suites", "Suites par nature"},
	    {"suites_theme", "suites-theme", "Suites par thème"},
	};
	enum err_code rc;

	if ((rc = section_key(c, d, e)) != ERR_OK || (rc = section_trend(c, d, e)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < sizeof by_cat / sizeof by_cat[0]; i++) {
		int ti = stats_table_find(by_cat[i].table);

		if (ti >= 0 && (rc = section_by_cat(c, d, by_cat[i].id, &stats_catalogue[ti],
		                                    by_cat[i].sheet, e)) != ERR_OK)
			return rc;
	}
	if ((rc = section_actions(c, d, e)) != ERR_OK)
		return rc;
	return section_children(c, d, e);
}

/* ================================================================ HTML parts */

struct page {
	struct buf b;
	enum err_code rc;
};

static void raw(struct page *p, const char *s)
{
	if (p->rc == ERR_OK)
		p->rc = html_raw(&p->b, s);
}

static void txt(struct page *p, const char *s)
{
	if (p->rc == ERR_OK)
		p->rc = html_txt(&p->b, s ? s : "");
}

static void attr(struct page *p, const char *s)
{
	if (p->rc == ERR_OK)
		p->rc = html_attr(&p->b, s ? s : "");
}

static void arg(struct page *p, const char *s)
{
	if (p->rc == ERR_OK)
		p->rc = html_url_arg(&p->b, s ? s : "");
}

/* The query string naming the current scope and release ("echelon=..&mois=..&version=.."),
 * written into an href. */
static void scope_args(struct page *p, const struct ctx *c)
{
	char v[16];

	raw(p, "echelon=");
	arg(p, c->geo[c->root].code);
	if (c->cur >= 0) {
		snprintf(v, sizeof v, "%d", c->rel[c->cur].version);
		raw(p, "&amp;mois=");
		arg(p, c->rel[c->cur].month);
		raw(p, "&amp;version=");
		arg(p, v);
	}
}

static void legend_html(struct page *p)
{
	raw(p, "<aside class=\"stats-legend\" aria-labelledby=\"legende-titre\">"
	       "<h2 id=\"legende-titre\">Lire les tableaux</h2><p>");
	txt(p, stats_legend_secret_fr);
	raw(p, "</p><p>");
	txt(p, stats_legend_quarter_fr);
	raw(p, "</p><p>Les chiffres viennent uniquement des publications mensuelles gelées ; "
	       "ils ne permettent jamais d'identifier un agent.</p></aside>\n");
}

/* The quarter ending month m, in French ("1er trimestre 2026"), into out. */
static void quarter_label(const char *m, char *out, size_t n)
{
	int q = (month_of(m) + 2) / 3;

	snprintf(out, n, "%d%s trimestre %.4s", q, q == 1 ? "er" : "e", m);
}

/* A note beside figures published by quarter only: text, then a link to the catalogue
 * table in full for the root and the quarter of c->qrel; when no quarter is released yet,
 * the month whose release will bring the next one. */
static void quarter_note(struct page *p, const struct ctx *c, const char *table, const char *text)
{
	int ti = stats_table_find(table);
	char lab[48], v[16], end[24];

	raw(p, "<p class=\"stats-quarter\" role=\"note\">");
	txt(p, text);
	if (c->qrel >= 0 && ti >= 0) {
		quarter_label(c->rel[c->qrel].month, lab, sizeof lab);
		snprintf(v, sizeof v, "%d", c->rel[c->qrel].version);
		raw(p, " <a href=\"/statistiques/tableau?table=");
		arg(p, stats_catalogue[ti].name);
		raw(p, "&amp;periode=trimestre&amp;echelon=");
		arg(p, c->geo[c->root].code);
		raw(p, "&amp;mois=");
		arg(p, c->rel[c->qrel].month);
		raw(p, "&amp;version=");
		arg(p, v);
		raw(p, "\">Tableau complet « ");
		txt(p, stats_catalogue[ti].title);
		raw(p, " », ");
		txt(p, lab);
		raw(p, "</a>");
	} else {
		const char *m = c->rel[c->cur].month;

		quarter_end(m, end);
		month_label(end, lab, sizeof lab);
		raw(p, " Aucun trimestre n'est encore publié : le prochain le sera avec la "
		       "publication de ");
		txt(p, lab);
		raw(p, ".");
	}
	raw(p, "</p>\n");
}

/* The scope form: echelon (units the caller may see) and month; versions as links. */
static void selector_html(struct page *p, const struct ctx *c, const char *action,
                          const char *table)
{
	struct policy_subject me = auth_subject(c->req);
	char v[16], lab[80];

	raw(p, "<form class=\"stats-select\" method=\"get\" action=\"");
	attr(p, action);
	raw(p, "\">\n");
	if (table) {
		raw(p, "<input type=\"hidden\" name=\"table\" value=\"");
		attr(p, table);
		raw(p, "\">\n");
	}
	raw(p, "<div class=\"field\"><label for=\"f-echelon\">Échelon</label>"
	       "<select id=\"f-echelon\" name=\"echelon\">\n");
	/* tree order: national, then each region with its departments and units */
	{
		int *stack = xcalloc(c->n_geo + 1, sizeof(*stack));
		size_t top = 0;

		for (size_t i = c->n_geo; i-- > 0;)
			if (c->geo[i].parent < 0)
				stack[top++] = (int)i;
		while (top > 0 && p->rc == ERR_OK) {
			int g = stack[--top];
			/* the units the policy lets the caller read (as ctx_load asks it) */
			struct policy_object obj = {.in_scope = c->own >= 0 && below(c, g, c->own),
			                            .national_table = c->geo[g].level == 0};
			int visible =
			    policy_check(&me, POLICY_STATS_READ, &obj) != POLICY_DENY;
			if (visible) {
				raw(p, "<option value=\"");
				attr(p, c->geo[g].code);
				raw(p, g == c->root ? "\" selected>" : "\">");
				snprintf(lab, sizeof lab, "%s – ", level_names[c->geo[g].level]);
				txt(p, lab);
				txt(p, c->geo[g].name);
				raw(p, " (");
				txt(p, c->geo[g].code);
				raw(p, ")</option>\n");
			}
			for (size_t i = c->n_geo; i-- > 0;)
				if (c->geo[i].parent == g)
					stack[top++] = (int)i;
		}
		free(stack);
	}
	raw(p, "</select></div>\n<div class=\"field\"><label for=\"f-mois\">Mois publié</label>"
	       "<select id=\"f-mois\" name=\"mois\">\n");
	for (size_t i = 0; i < c->n_rel; i++) {
		if (!c->rel[i].newest)
			continue;
		raw(p, "<option value=\"");
		attr(p, c->rel[i].month);
		raw(p, c->cur >= 0 && strcmp(c->rel[i].month, c->rel[c->cur].month) == 0
		           ? "\" selected>"
		           : "\">");
		month_label(c->rel[i].month, lab, sizeof lab);
		txt(p, lab);
		raw(p, "</option>\n");
	}
	raw(p, "</select></div>\n<button type=\"submit\">Afficher</button>\n</form>\n");
	if (c->cur < 0)
		return;
	/* versions of the month */
	raw(p, "<p class=\"stats-versions\">Versions publiées de ce mois : ");
	for (size_t i = 0, first = 1; i < c->n_rel; i++) {
		if (strcmp(c->rel[i].month, c->rel[c->cur].month) != 0)
			continue;
		snprintf(v, sizeof v, "%d", c->rel[i].version);
		if (!first)
			raw(p, ", ");
		first = 0;
		if ((int)i == c->cur) {
			raw(p, "<strong>version ");
			txt(p, v);
			raw(p, " (affichée)</strong>");
		} else {
			raw(p, "<a href=\"");
			attr(p, action);
			raw(p, "?");
			if (table) {
				raw(p, "table=");
				arg(p, table);
				raw(p, "&amp;");
			}
			raw(p, "echelon=");
			arg(p, c->geo[c->root].code);
			raw(p, "&amp;mois=");
			arg(p, c->rel[i].month);
			raw(p, "&amp;version=");
			arg(p, v);
			raw(p, "\">version ");
			txt(p, v);
			raw(p, "</a>");
		}
		raw(p, " (publiée le ");
		{
			char d[11], iso[11];

			snprintf(iso, sizeof iso, "%.10s", c->rel[i].created_at);
			txt(p, web_date_fr(iso, d));
		}
		raw(p, c->rel[i].newest ? ", la plus récente)" : ")");
	}
	raw(p, ".</p>\n");
	if (!c->rel[c->cur].newest)
		raw(p,
		    "<p class=\"notice\" role=\"note\">Vous consultez une version antérieure de ce "
		    "mois : une version plus récente, tenant compte de saisies tardives, a été "
		    "publiée depuis.</p>\n");
}

/* A chart of column col of t: labels from column 0. */
static void chart_html(struct page *p, const struct section *s, struct err *e)
{
	struct svg_point pts[SVG_MAX_POINTS];
	size_t n = 0, quarterly = 0;
	char desc[400];

	for (size_t r = 0; r < s->t.nrows && n < SVG_MAX_POINTS; r++, n++) {
		const struct rtable_cell *lab = &s->t.cells[r * s->t.ncols];
		const struct rtable_cell *v = &s->t.cells[r * s->t.ncols + s->chart_col];

		pts[n].label = lab->kind == RTABLE_TEXT ? lab->text : "";
		pts[n].value = v->kind == RTABLE_INT ? v->num : 0;
		pts[n].secret = v->kind == RTABLE_SECRET;
		pts[n].quarterly = v->kind == RTABLE_QUARTERLY;
		pts[n].missing = v->kind != RTABLE_INT && v->kind != RTABLE_SECRET &&
		                 v->kind != RTABLE_QUARTERLY;
		quarterly += pts[n].quarterly;
	}
	if (n == 0 || p->rc != ERR_OK)
		return;
	snprintf(desc, sizeof desc,
	         "Graphique de la colonne « %s » du tableau qui suit ; les "
	         "chiffres masqués sont marqués « secret »%s.",
	         s->t.header[s->chart_col],
	         quarterly ? ", ceux publiés seulement pour le trimestre « par trimestre »" : "");
	raw(p, "<figure class=\"stats-chart\">\n");
	if (p->rc == ERR_OK)
		p->rc = s->chart == CHART_LINE
		            ? svg_line_chart(&p->b, s->id, s->chart_title, desc, pts, n, e)
		            : svg_bar_chart(&p->b, s->id, s->chart_title, desc, pts, n, e);
	raw(p, "<figcaption>");
	txt(p, s->chart_title);
	raw(p, " (les valeurs sont données dans le tableau)</figcaption>\n</figure>\n");
}

static void section_html(struct page *p, const struct ctx *c, const struct section *s,
                         struct err *e)
{
	raw(p, "<section class=\"stats-section\" aria-labelledby=\"s-");
	attr(p, s->id);
	raw(p, "\">\n<h2 id=\"s-");
	attr(p, s->id);
	raw(p, "\">");
	txt(p, s->heading);
	raw(p, "</h2>\n");
	if (s->intro) {
		raw(p, "<p class=\"stats-def\">");
		txt(p, s->intro);
		raw(p, "</p>\n");
	}
	if (s->by_quarter && s->table)
		quarter_note(p, c, s->table,
		             "Cette unité a trop peu d'agents pour que ce tableau soit publié "
		             "chaque mois : il ne l'est que pour le trimestre.");
	if (s->t.nrows == 0) {
		raw(p, "<p>Aucun chiffre publié pour cette partie.</p>\n</section>\n");
		return;
	}
	if (s->chart != CHART_NONE)
		chart_html(p, s, e);
	if (p->rc == ERR_OK)
		p->rc = rtable_html(&s->t, &p->b, e);
	if (s->table) {
		raw(p, "<p class=\"stats-links\"><a href=\"/statistiques/tableau?table=");
		arg(p, s->table);
		raw(p, "&amp;");
		scope_args(p, c);
		raw(p, "\">Tableau complet « ");
		txt(p, stats_catalogue[stats_table_find(s->table)].title);
		raw(p, " »</a> · <a href=\"/statistiques/export?format=csv&amp;table=");
		arg(p, s->table);
		raw(p, "&amp;");
		scope_args(p, c);
		raw(p, "\">CSV</a> · <a href=\"/statistiques/export?format=xlsx&amp;table=");
		arg(p, s->table);
		raw(p, "&amp;");
		scope_args(p, c);
		raw(p, "\">XLSX</a></p>\n");
	}
	raw(p, "</section>\n");
}

static void no_release_html(struct page *p)
{
	raw(p, "<p class=\"notice\" role=\"status\">Aucune statistique n'a encore été publiée. "
	       "Les tableaux apparaissent ici dès la première publication mensuelle (commande "
	       "« constat release »).</p>\n");
}

static enum err_code page_reply(struct http_request *req, struct page *p, struct err *e)
{
	enum err_code rc;

	if (p->rc != ERR_OK)
		rc = err_set(e, p->rc, NULL, "the statistics page passes its size cap");
	else
		rc = web_page_reply(req, 200, &p->b, e);
	buf_release(&p->b);
	return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
}

/* ================================================================ handlers */

enum err_code web_stats_home(struct http_request *req, struct err *e)
{
	struct ctx c;
	struct dash d = {0};
	struct page p = {.rc = ERR_OK};
	char title[200], lab[40];
	enum err_code rc = ERR_OK;

	if (ctx_load(&c, req, &rc, e) != 0) {
		ctx_free(&c);
		return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
	}
	buf_init(&p.b, WEB_PAGE_MAX);
	snprintf(title, sizeof title, "Statistiques – %s", c.geo[c.root].name);
	if (web_page_begin(req, &p.b, title) != ERR_OK)
		p.rc = ERR_TOO_BIG;
	raw(&p, "<h1>");
	txt(&p, title);
	raw(&p, "</h1>\n");
	if (c.cur >= 0) {
		raw(&p, "<p class=\"lead\">Périmètre : ");
		txt(&p, c.geo[c.root].name);
		raw(&p, " (");
		txt(&p, level_names[c.geo[c.root].level]);
		raw(&p, ", ");
		txt(&p, c.geo[c.root].code);
		raw(&p, "). Publication de ");
		month_label(c.rel[c.cur].month, lab, sizeof lab);
		txt(&p, lab);
		raw(&p, ".</p>\n");
	}
	selector_html(&p, &c, "/statistiques", NULL);
	if (c.cur < 0) {
		no_release_html(&p);
	} else {
		legend_html(&p);
		raw(&p, "<p class=\"stats-links\"><a href=\"/statistiques/export?format=xlsx&amp;");
		scope_args(&p, &c);
		raw(&p, "\">Tout le tableau de bord en XLSX</a> (une feuille par tableau)</p>\n");
		rc = dash_build(&c, &d, e);
		for (size_t i = 0; rc == ERR_OK && i < d.n; i++)
			section_html(&p, &c, &d.s[i], e);
		if (rc == ERR_OK) {
			raw(&p, "<section class=\"stats-section\" aria-labelledby=\"s-catalogue\">"
			        "<h2 id=\"s-catalogue\">Tous les tableaux publiés</h2>\n<ul "
			        "class=\"stats-catalogue\">\n");
			for (size_t i = 0; i < stats_catalogue_len; i++) {
				raw(&p, "<li><a href=\"/statistiques/tableau?table=");
				arg(&p, stats_catalogue[i].name);
				raw(&p, "&amp;");
				scope_args(&p, &c);
				raw(&p, "\">");
				txt(&p, stats_catalogue[i].title);
				raw(&p, "</a> – ");
				txt(&p, stats_catalogue[i].definition);
				raw(&p, "</li>\n");
			}
			raw(&p, "</ul></section>\n");
		}
	}
	dash_free(&d);
	ctx_free(&c);
	if (rc != ERR_OK) {
		buf_release(&p.b);
		return web_fail(req, rc, e);
	}
	return page_reply(req, &p, e);
}

/* ---- One table in full ------------------------------------------------------------- */

/* The units of the subtree of root in tree order (root first); returns new memory. */
static int *subtree(const struct ctx *c, size_t *n)
{
	int *out = xcalloc(c->n_geo + 1, sizeof(*out));
	int *stack = xcalloc(c->n_geo + 1, sizeof(*stack));
	size_t top = 0;

	*n = 0;
	stack[top++] = c->root;
	while (top > 0) {
		int g = stack[--top];

		out[(*n)++] = g;
		for (size_t i = c->n_geo; i-- > 0;)
			if (c->geo[i].parent == g && top < c->n_geo)
				stack[top++] = (int)i;
	}
	free(stack);
	return out;
}

/* Reads periode (mois, cumul, trimestre or the period code itself) into out. */
static int period_param(struct ctx *c, char *out, size_t n, char *label, size_t ln,
                        enum err_code *rc, struct err *e)
{
	const char *s = NULL;
	char m[40];

	if ((*rc = http_query_single(c->req, "periode", &s, e)) != ERR_OK) {
		*rc = bad_param(c, 400, "Le paramètre « periode » est donné deux fois.");
		return -1;
	}
	month_label(c->rel[c->cur].month, m, sizeof m);
	if (s == NULL || strcmp(s, "mois") == 0 || strcmp(s, c->rel[c->cur].month) == 0) {
		snprintf(out, n, "%s", c->rel[c->cur].month);
		snprintf(label, ln, "%s", m);
	} else if (strcmp(s, "cumul") == 0 || strcmp(s, c->mc) == 0) {
		snprintf(out, n, "%s", c->mc);
		snprintf(label, ln, "cumul de janvier à %s", m);
	} else if ((strcmp(s, "trimestre") == 0 || strcmp(s, c->quarter) == 0) && c->quarter[0]) {
		snprintf(out, n, "%s", c->quarter);
		snprintf(label, ln, "trimestre %s", c->quarter);
	} else {
		*rc = bad_param(c, 400,
		                c->quarter[0]
		                    ? "Le paramètre « periode » doit valoir mois, cumul ou "
		                      "trimestre."
		                    : "Le paramètre « periode » doit valoir mois ou cumul (le "
		                      "trimestre n'est publié qu'avec son dernier mois).");
		return -1;
	}
	return 0;
}

/* The full table (rows: the units of the subtree; columns: code, unit, level, categories)
 * into t. */
static enum err_code full_table(const struct ctx *c, const struct stats_table *st,
                                const char *period, const char *plabel, int for_xlsx,
                                struct rtable *t, struct err *e)
{
	const char *hdr[RTABLE_MAX_COLS];
	size_t n_units = 0, order[CATS_MAX], n_cat, row;
	int *units = subtree(c, &n_units);
	struct grid g = {0};
	char title[300];
	enum err_code rc;

	rc = grid_load(c, st, period, units, n_units, &g, e);
	if (rc != ERR_OK)
		goto out;
	n_cat = cat_order(c, &g, order);
	if (n_cat + 3 > RTABLE_MAX_COLS)
		n_cat = RTABLE_MAX_COLS - 3;
	hdr[0] = "Code";
	hdr[1] = "Unité";
	hdr[2] = "Échelon";
	for (size_t k = 0; k < n_cat; k++)
		hdr[k + 3] =
		    st->dim == STATS_DIM_NONE ? st->title : cat_label(c, st->dim, g.cat[order[k]]);
	snprintf(title, sizeof title, "%s – %s – %s", st->title, c->geo[c->root].name, plabel);
	rtable_init(t, title, st->title, n_cat + 3, hdr);
	for (size_t i = 0; i < n_units && rc == ERR_OK; i++) {
		int gi = units[i];

		if ((rc = rtable_row(t, &row, e)) != ERR_OK)
			break;
		rtable_text(t, row, 0, c->geo[gi].code);
		rtable_text(t, row, 1, c->geo[gi].name);
		rtable_text(t, row, 2, level_names[c->geo[gi].level]);
		for (size_t k = 0; k < n_cat; k++)
			put_cell(t, row, k + 3, &g, i, order[k]);
	}
	rtable_note(t, st->definition);
	if (g.too_many_cats)
		rtable_note(t, "Le tableau a plus de catégories que l'affichage n'en montre.");
	if (for_xlsx)
		legend_notes(t);
out:
	grid_free(&g);
	free(units);
	return rc;
}

static int has_quarterly(const struct rtable *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		if (t->cells[i].kind == RTABLE_QUARTERLY)
			return 1;
	return 0;
}

static int table_param(struct ctx *c, int *ti, enum err_code *rc, struct err *e)
{
	const char *name = NULL;

	if ((*rc = http_query_single(c->req, "table", &name, e)) != ERR_OK || name == NULL) {
		*rc = bad_param(c, 400,
		                "Le paramètre « table » doit nommer un tableau du catalogue "
		                "(par exemple activite).");
		return -1;
	}
	if ((*ti = stats_table_find(name)) < 0) {
		*rc = bad_param(c, 404,
		                "Le paramètre « table » ne nomme aucun tableau du catalogue.");
		return -1;
	}
	return 0;
}

enum err_code web_stats_table(struct http_request *req, struct err *e)
{
	struct ctx c;
	struct page p = {.rc = ERR_OK};
	struct rtable t = {0};
	char period[16], plabel[80], title[300];
	enum err_code rc = ERR_OK;
	int ti, have_t = 0;

	if (ctx_load(&c, req, &rc, e) != 0 || table_param(&c, &ti, &rc, e) != 0) {
		ctx_free(&c);
		return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
	}
	buf_init(&p.b, WEB_PAGE_MAX);
	snprintf(title, sizeof title, "%s – %s", stats_catalogue[ti].title, c.geo[c.root].name);
	if (c.cur >= 0 &&
	    period_param(&c, period, sizeof period, plabel, sizeof plabel, &rc, e) != 0) {
		buf_release(&p.b);
		ctx_free(&c);
		return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
	}
	if (web_page_begin(req, &p.b, title) != ERR_OK)
		p.rc = ERR_TOO_BIG;
	raw(&p, "<p class=\"crumbs\"><a href=\"/statistiques?");
	scope_args(&p, &c);
	raw(&p, "\">Tableau de bord</a></p>\n<h1>");
	txt(&p, title);
	raw(&p, "</h1>\n<p class=\"stats-def\">");
	txt(&p, stats_catalogue[ti].definition);
	raw(&p, "</p>\n");
	selector_html(&p, &c, "/statistiques/tableau", stats_catalogue[ti].name);
	if (c.cur < 0) {
		no_release_html(&p);
	} else {
		static const char *const pnames[] = {"mois", "cumul", "trimestre"};
		static const char *const plabels[] = {"Mois", "Cumul depuis janvier", "Trimestre"};

		raw(&p, "<nav class=\"stats-periods\" aria-label=\"Période\"><ul>");
		for (int i = 0; i < 3; i++) {
			const char *code = i == 0 ? c.rel[c.cur].month : i == 1 ? c.mc : c.quarter;

			if (!code[0])
				continue;
			raw(&p, "<li><a href=\"/statistiques/tableau?table=");
			arg(&p, stats_catalogue[ti].name);
			raw(&p, "&amp;periode=");
			arg(&p, pnames[i]);
			raw(&p, "&amp;");
			scope_args(&p, &c);
			raw(&p, strcmp(code, period) == 0 ? "\" aria-current=\"page\">" : "\">");
			txt(&p, plabels[i]);
			raw(&p, "</a></li>");
		}
		raw(&p, "</ul></nav>\n");
		legend_html(&p);
		rc = full_table(&c, &stats_catalogue[ti], period, plabel, 0, &t, e);
		have_t = 1;
		if (rc == ERR_OK && has_quarterly(&t))
			quarter_note(
			    &p, &c, stats_catalogue[ti].name,
			    "Les unités qui ont trop peu d'agents pour que ce tableau soit "
			    "publié chaque mois ne l'ont que pour le trimestre (cases « par "
			    "trimestre »).");
		if (rc == ERR_OK && p.rc == ERR_OK)
			p.rc = rtable_html(&t, &p.b, e);
		raw(&p, "<p class=\"stats-links\">Exporter : <a href=\"/statistiques/export?"
		        "format=csv&amp;table=");
		arg(&p, stats_catalogue[ti].name);
		raw(&p, "&amp;periode=");
		arg(&p, period);
		raw(&p, "&amp;");
		scope_args(&p, &c);
		raw(&p, "\">CSV</a> · <a href=\"/statistiques/export?format=xlsx&amp;table=");
		arg(&p, stats_catalogue[ti].name);
		raw(&p, "&amp;periode=");
		arg(&p, period);
		raw(&p, "&amp;");
		scope_args(&p, &c);
		raw(&p, "\">XLSX</a></p>\n");
	}
	if (have_t)
		rtable_release(&t);
	ctx_free(&c);
	if (rc != ERR_OK) {
		buf_release(&p.b);
		return web_fail(req, rc, e);
	}
	return page_reply(req, &p, e);
}

/* ---- Exports ----------------------------------------------------------------------- */

enum err_code web_stats_export(struct http_request *req, struct err *e)
{
	struct ctx c;
	struct dash d = {.for_xlsx = 1};
	struct rtable t = {0};
	const struct rtable *tabs[SECTIONS_MAX];
	const char *format = NULL, *name = NULL;
	char period[16] = "", plabel[80], disp[200], fname[120];
	struct buf out;
	enum err_code rc = ERR_OK;
	int ti = -1, xlsx, have_t = 0;

	if (ctx_load(&c, req, &rc, e) != 0) {
		ctx_free(&c);
		return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
	}
	if (http_query_single(req, "format", &format, e) != ERR_OK || format == NULL ||
	    (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)) {
		ctx_free(&c);
		return bad_param(&c, 400, "Le paramètre « format » doit valoir csv ou xlsx.");
	}
	xlsx = strcmp(format, "xlsx") == 0;
	if (http_query_single(req, "table", &name, e) != ERR_OK) {
		ctx_free(&c);
		return bad_param(&c, 400, "Le paramètre « table » est donné deux fois.");
	}
	if (name == NULL && !xlsx) {
		ctx_free(&c);
		return bad_param(&c, 400,
		                 "Le paramètre « table » est nécessaire pour un export "
		                 "CSV (le tableau de bord entier s'exporte en xlsx).");
	}
	if (name && table_param(&c, &ti, &rc, e) != 0) {
		ctx_free(&c);
		return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
	}
	if (c.cur < 0) {
		ctx_free(&c);
		return bad_param(&c, 404,
		                 "Aucune statistique n'a encore été publiée : il n'y a "
		                 "rien à exporter.");
	}
	if (ti >= 0 &&
	    period_param(&c, period, sizeof period, plabel, sizeof plabel, &rc, e) != 0) {
		ctx_free(&c);
		return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
	}
	buf_init(&out, EXPORT_MAX);
	if (ti >= 0) {
		rc = full_table(&c, &stats_catalogue[ti], period, plabel, xlsx, &t, e);
		have_t = 1;
		tabs[0] = &t;
		if (rc == ERR_OK)
			rc = xlsx ? rtable_xlsx(tabs, 1, &out, e) : rtable_csv(&t, &out, e);
		snprintf(fname, sizeof fname, "constat-%s-%s-%s.%s", stats_catalogue[ti].name,
		         c.geo[c.root].code, period, format);
	} else {
		rc = dash_build(&c, &d, e);
		for (size_t i = 0; i < d.n; i++)
			tabs[i] = &d.s[i].t;
		if (rc == ERR_OK)
			rc = rtable_xlsx(tabs, d.n, &out, e);
		snprintf(fname, sizeof fname, "constat-tableau-de-bord-%s-%s-v%d.xlsx",
		         c.geo[c.root].code, c.rel[c.cur].month, c.rel[c.cur].version);
	}
	if (rc == ERR_OK)
		rc = store_audit_append(req->store, c.who ? c.who->agent_id : 0, "export.stats",
		                        "table", ti >= 0 ? stats_catalogue[ti].name : "dashboard",
		                        0, c.geo[c.root].code, e);
	if (rc == ERR_OK) {
		/* fname holds codes and digits only ([A-Za-z0-9_.-]): safe in the header */
		for (char *q = fname; *q; q++)
			if (!strchr(
			        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			        *q))
				*q = '_';
		snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", fname);
		rc =
		    http_reply(req, 200,
		               xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml."
		                      "sheet"
		                    : "text/csv; charset=utf-8",
		               buf_str(&out), out.len);
		if (rc == ERR_OK)
			rc = http_set_header(req, "Content-Disposition", disp);
	}
	buf_release(&out);
	if (have_t)
		rtable_release(&t);
	dash_free(&d);
	ctx_free(&c);
	return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
}

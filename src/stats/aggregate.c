/* aggregate: from microdata to cells. The frame (organisation units and categories),
 * the records of a period, and blocks: every cell of every catalogue table for one
 * period, with its value, its distinct contributing agents and the two largest
 * contributions (the agent is the protected unit; an intervention is attributed to its
 * author alone, see docs/STATISTICS.md), and the relations inside a block. */
#include "stats/stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "store/store-stats.h"

#define MAX_GEO 100000
#define MAX_CAT 256
#define MAX_RECS 20000000

/* NAF sections grouped into INSEE's A10 aggregation (the 21 sections make most cells of
 * small regions secret every month); ZZ: worksite or activity unknown. */
static const char *const naf_sections[] = {"AZ", "BE", "FZ", "GI", "JZ", "KZ",
                                           "LZ", "MN", "OQ", "RU", "ZZ"};

static const char *naf_a10(const char *section)
{
	static const char *const map[][2] = {
	    {"A", "AZ"}, {"B", "BE"}, {"C", "BE"}, {"D", "BE"}, {"E", "BE"}, {"F", "FZ"},
	    {"G", "GI"}, {"H", "GI"}, {"I", "GI"}, {"J", "JZ"}, {"K", "KZ"}, {"L", "LZ"},
	    {"M", "MN"}, {"N", "MN"}, {"O", "OQ"}, {"P", "OQ"}, {"Q", "OQ"}, {"R", "RU"},
	    {"S", "RU"}, {"T", "RU"}, {"U", "RU"},
	};

	for (size_t i = 0; section && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(section, map[i][0]) == 0)
			return map[i][1];
	return "ZZ";
}

/* SIRENE headcount bands grouped as in the national report (sparser bands would make
 * most cells of small regions secret): NN unknown, 0, 1-9, 10-49, 50-249, 250+. */
static const char *const bands[] = {"NN", "0", "1-9", "10-49", "50-249", "250+"};

static const char *band_group(const char *b)
{
	static const char *const map[][2] = {
	    {"00", "0"},     {"01", "1-9"},    {"02", "1-9"},    {"03", "1-9"},    {"11", "10-49"},
	    {"12", "10-49"}, {"21", "50-249"}, {"22", "50-249"}, {"31", "50-249"}, {"32", "250+"},
	    {"41", "250+"},  {"42", "250+"},   {"51", "250+"},   {"52", "250+"},   {"53", "250+"},
	};

	for (size_t i = 0; b && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(b, map[i][0]) == 0)
			return map[i][1];
	return "NN";
}

#define THEME_NONE "aucun"

/* ---- Frame ---------------------------------------------------------------------------- */

struct list {
	char **v;
	size_t n, cap;
	char **extra; /* parallel strings (parent, region) */
};

static void list_add(struct list *l, const char *s, const char *extra, size_t max)
{
	if (l->n >= max)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
		l->extra = xrealloc(l->extra, l->cap * sizeof *l->extra);
	}
	l->v[l->n] = xstrdup(s ? s : "");
	l->extra[l->n++] = extra ? xstrdup(extra) : NULL;
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]);
		free(l->extra[i]);
	}
	free(l->v);
	free(l->extra);
}

struct geo_ctx {
	struct list codes;
	struct list levels;
};

static int geo_cb(void *ctx, const struct store_stats_geo *g)
{
	struct geo_ctx *c = ctx;

	list_add(&c->codes, g->code, g->parent, MAX_GEO);
	list_add(&c->levels, g->level, NULL, MAX_GEO);
	return 0;
}

static int nom_cb(void *ctx, const struct nomenclature_item *it)
{
	struct list *l = ctx;

	if (it->parent == NULL || it->parent[0] == '\0')
		list_add(l, it->code, NULL, MAX_CAT);
	return 0;
}

static int action_cb(void *ctx, const char *code, const char *region)
{
	list_add(ctx, code, region, MAX_CAT);
	return 0;
}

static int level_of(const char *s)
{
	if (strcmp(s, "national") == 0)
		return 0;
	if (strcmp(s, "region") == 0)
		return 1;
	if (strcmp(s, "department") == 0)
		return 2;
	return 3;
}

void stats_frame_release(struct stats_frame *f)
{
	for (size_t i = 0; i < f->n_geo; i++)
		free(f->geo_code[i]);
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		for (size_t i = 0; i < f->n_cat[d]; i++)
			free(f->cat[d][i]);
		free(f->cat[d]);
	}
	free(f->geo_code);
	free(f->geo_level);
	free(f->geo_parent);
	free(f->geo_region);
	free(f->action_region);
	memset(f, 0, sizeof *f);
}

int stats_frame_geo(const struct stats_frame *f, const char *code)
{
	if (code == NULL)
		return -1;
	for (size_t i = 0; i < f->n_geo; i++)
		if (strcmp(f->geo_code[i], code) == 0)
			return (int)i;
	return -1;
}

int stats_frame_cat(const struct stats_frame *f, enum stats_dim d, const char *code)
{
	if (code == NULL)
		return -1;
	for (size_t i = 0; i < f->n_cat[d]; i++)
		if (strcmp(f->cat[d][i], code) == 0)
			return (int)i;
	return -1;
}

static void set_cats(struct stats_frame *f, enum stats_dim d, const char *const *v, size_t n)
{
	f->cat[d] = xcalloc(n + 1, sizeof *f->cat[d]);
	for (size_t i = 0; i < n; i++)
		f->cat[d][i] = xstrdup(v[i]);
	f->n_cat[d] = n;
	if (n > f->max_cat)
		f->max_cat = n;
}

enum err_code stats_frame_load(struct store *st, const char *from, const char *to,
                               struct stats_frame *f, struct err *e)
{
	struct geo_ctx g = {0};
	struct list kinds = {0}, themes = {0}, fus = {0}, actions = {0};
	static const char *const all[] = {STATS_CAT_ALL};
	enum err_code rc;

	memset(f, 0, sizeof *f);
	if ((rc = store_stats_geo_each(st, geo_cb, &g, e)) != ERR_OK ||
	    (rc = store_nomenclature_each(st, STORE_NOM_INTERVENTION_KIND, nom_cb, &kinds, e)) !=
	        ERR_OK ||
	    (rc = store_nomenclature_each(st, STORE_NOM_THEME, nom_cb, &themes, e)) != ERR_OK ||
	    (rc = store_nomenclature_each(st, STORE_NOM_FOLLOWUP_KIND, nom_cb, &fus, e)) !=
	        ERR_OK ||
	    (rc = store_stats_actions(st, from, to, action_cb, &actions, e)) != ERR_OK)
		goto out;
	if (g.codes.n == 0) {
		rc = err_set(e, ERR_NOT_FOUND, "db", "the organisation is empty");
		goto out;
	}
	list_add(&themes, THEME_NONE, NULL, MAX_CAT + 1);
	if (themes.n > 32 || fus.n > STATS_MAX_FOLLOWUP_KINDS) {
		rc = err_set(e, ERR_TOO_BIG, "nomenclature",
		             "at most 31 top-level themes and %d "
		             "follow-up kinds",
		             STATS_MAX_FOLLOWUP_KINDS);
		goto out;
	}
	f->n_geo = g.codes.n;
	f->geo_code = xcalloc(f->n_geo, sizeof *f->geo_code);
	f->geo_level = xcalloc(f->n_geo, sizeof *f->geo_level);
	f->geo_parent = xcalloc(f->n_geo, sizeof *f->geo_parent);
	f->geo_region = xcalloc(f->n_geo, sizeof *f->geo_region);
	for (size_t i = 0; i < f->n_geo; i++) {
		f->geo_code[i] = xstrdup(g.codes.v[i]);
		f->geo_level[i] = level_of(g.levels.v[i]);
	}
	for (size_t i = 0; i < f->n_geo; i++)
		f->geo_parent[i] = stats_frame_geo(f, g.codes.extra[i]);
	for (size_t i = 0; i < f->n_geo; i++) {
		int k = (int)i;

		while (k >= 0 && f->geo_level[k] > 1)
			k = f->geo_parent[k];
		f->geo_region[i] = k >= 0 && f->geo_level[k] == 1 ? k : -1;
	}
	set_cats(f, STATS_DIM_NONE, all, 1);
	set_cats(f, STATS_DIM_KIND, (const char *const *)kinds.v, kinds.n);
	set_cats(f, STATS_DIM_THEME, (const char *const *)themes.v, themes.n);
	set_cats(f, STATS_DIM_FOLLOWUP, (const char *const *)fus.v, fus.n);
	set_cats(f, STATS_DIM_NAF, naf_sections, sizeof naf_sections / sizeof naf_sections[0]);
	set_cats(f, STATS_DIM_BAND, bands, sizeof bands / sizeof bands[0]);
	set_cats(f, STATS_DIM_ACTION, (const char *const *)actions.v, actions.n);
	f->action_region = xcalloc(actions.n + 1, sizeof *f->action_region);
	for (size_t i = 0; i < actions.n; i++) {
		char code[8];

		f->action_region[i] = -1;
		if (actions.extra[i]) {
			snprintf(code, sizeof code, "R%s", actions.extra[i]);
			f->action_region[i] = stats_frame_geo(f, code);
		}
	}
out:
	list_free(&g.codes);
	list_free(&g.levels);
	list_free(&kinds);
	list_free(&themes);
	list_free(&fus);
	list_free(&actions);
	if (rc != ERR_OK)
		stats_frame_release(f);
	return rc;
}

/* ---- Records ---------------------------------------------------------------------------- */

struct recs_ctx {
	const struct stats_frame *f;
	struct stats_rec *v;
	size_t n, cap;
	int too_big;
};

static int rec_cb(void *ctx, const struct store_stats_rec *r)
{
	struct recs_ctx *c = ctx;
	const struct stats_frame *f = c->f;
	struct stats_rec *x;
	char code[40];

	if (c->n >= MAX_RECS) {
		c->too_big = 1;
		return 1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4096;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	x = &c->v[c->n];
	memset(x, 0, sizeof *x);
	x->author = r->author_id;
	x->target = r->target;
	x->geo[0] = -1;
	for (size_t i = 0; i < f->n_geo; i++)
		if (f->geo_level[i] == 0) {
			x->geo[0] = (int32_t)i;
			break;
		}
	snprintf(code, sizeof code, "%s", r->region);
	x->geo[1] = stats_frame_geo(f, code);
	x->geo[2] = stats_frame_geo(f, r->department);
	x->geo[3] = stats_frame_geo(f, r->unit);
	if (x->geo[0] < 0 || x->geo[1] < 0 || x->geo[2] < 0 || x->geo[3] < 0)
		return 0; /* outside the current organisation: not counted */
	x->kind = (int16_t)stats_frame_cat(f, STATS_DIM_KIND, r->kind);
	x->naf = (int16_t)stats_frame_cat(f, STATS_DIM_NAF, naf_a10(r->naf_section));
	if (x->naf < 0)
		x->naf = (int16_t)stats_frame_cat(f, STATS_DIM_NAF, "ZZ");
	x->band = (int16_t)stats_frame_cat(f, STATS_DIM_BAND, band_group(r->band));
	if (x->band < 0)
		x->band = 0;
	x->action = (int16_t)stats_frame_cat(f, STATS_DIM_ACTION, r->action);
	x->month = (uint8_t)strtol(r->date + 5, NULL, 10);
	x->on_site = (uint8_t)(r->on_site != 0);
	x->points_checked = (int16_t)r->points_checked;
	x->points_nc = (int16_t)r->points_nc;
	x->honest = x->action >= 0 && r->points_checked > 0;
	for (size_t i = 0; i < r->n_themes; i++) {
		int t = stats_frame_cat(f, STATS_DIM_THEME, r->themes[i]);

		if (t >= 0)
			x->themes |= 1u << t;
	}
	if (x->themes == 0)
		x->themes = 1u << stats_frame_cat(f, STATS_DIM_THEME, THEME_NONE);
	for (size_t i = 0; i < r->n_followups; i++) {
		int k = stats_frame_cat(f, STATS_DIM_FOLLOWUP, r->followups[i]);

		if (k >= 0 && x->fu[k] < 255)
			x->fu[k]++;
	}
	snprintf(x->stamp, sizeof x->stamp, "%s", r->updated_at ? r->updated_at : "");
	if (x->kind < 0 || x->month < 1 || x->month > 12)
		return 0;
	c->n++;
	return 0;
}

enum err_code stats_recs_load(struct store *st, const struct stats_frame *f, const char *from,
                              const char *to, struct stats_rec **recs, size_t *n, struct err *e)
{
	struct recs_ctx c = {.f = f};
	enum err_code rc = store_stats_interventions(st, from, to, rec_cb, &c, e);

	*recs = NULL;
	*n = 0;
	if (rc == ERR_OK && c.too_big)
		rc = err_set(e, ERR_TOO_BIG, "month", "more than %d interventions in the period",
		             MAX_RECS);
	if (rc != ERR_OK) {
		free(c.v);
		return rc;
	}
	*recs = c.v;
	*n = c.n;
	return ERR_OK;
}

/* ---- Blocks ------------------------------------------------------------------------------ */

static size_t slot(const struct stats_frame *f, size_t t, size_t g, size_t c)
{
	return (t * f->n_geo + g) * f->max_cat + c;
}

uint32_t stats_block_cell(const struct stats_frame *f, const struct stats_block *b, size_t t,
                          size_t g, size_t c)
{
	if (t >= stats_catalogue_len || g >= f->n_geo || c >= f->n_cat[stats_catalogue[t].dim])
		return UINT32_MAX;
	return b->idx[slot(f, t, g, c)];
}

/* A regional action's cells exist only in its region and at the national level. */
static int cell_exists(const struct stats_frame *f, size_t t, size_t g, size_t c)
{
	int region;

	if (stats_catalogue[t].dim != STATS_DIM_ACTION)
		return 1;
	region = f->action_region[c];
	return region < 0 || f->geo_level[g] == 0 || f->geo_region[g] == region;
}

enum err_code stats_block_init(struct stats_system *s, const struct stats_frame *f,
                               struct stats_block *b, const char *tag, const char *period,
                               const int32_t *population, int create, struct err *e)
{
	size_t n = stats_catalogue_len * f->n_geo * f->max_cat;
	enum err_code rc;

	memset(b, 0, sizeof *b);
	snprintf(b->tag, sizeof b->tag, "%s", tag);
	snprintf(b->period, sizeof b->period, "%s", period);
	b->idx = xmalloc((n ? n : 1) * sizeof *b->idx);
	for (size_t i = 0; i < n; i++)
		b->idx[i] = UINT32_MAX;
	for (size_t t = 0; t < stats_catalogue_len; t++) {
		enum stats_dim d = stats_catalogue[t].dim;

		for (size_t g = 0; g < f->n_geo; g++)
			for (size_t c = 0; c < f->n_cat[d]; c++) {
				char key[256];
				uint32_t idx;
				int created;

				if (!cell_exists(f, t, g, c))
					continue;
				snprintf(key, sizeof key, "%s|%s|%s|%s|%s", tag, period,
				         stats_catalogue[t].name, f->geo_code[g], f->cat[d][c]);
				if (!create) {
					int64_t found = stats_system_find(s, key);

					if (found >= 0)
						b->idx[slot(f, t, g, c)] = (uint32_t)found;
					continue;
				}
				if ((rc = stats_system_cell(s, key, &idx, &created, e)) != ERR_OK)
					return rc;
				if (created) {
					s->cells[idx].level = (uint8_t)f->geo_level[g];
					s->cells[idx].total = !stats_catalogue[t].by_size;
					if (population)
						s->cells[idx].population = population[g];
				}
				b->idx[slot(f, t, g, c)] = idx;
			}
	}
	return ERR_OK;
}

void stats_block_release(struct stats_block *b)
{
	free(b->idx);
	b->idx = NULL;
}

/* An open-addressing map from two 64-bit words to a count, capped. */
struct map {
	uint64_t *k; /* 2 words per slot */
	int64_t *v;
	uint8_t *used;
	size_t cap, n;
};

#define MAP_MAX ((size_t)1 << 28)

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));

	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	return h ^ (h >> 29);
}

static int map_grow(struct map *m)
{
	struct map o = *m;
	size_t cap = m->cap ? m->cap * 2 : 1 << 16;

	if (cap > MAP_MAX)
		return -1;
	m->k = xmalloc(cap * 2 * sizeof *m->k);
	m->v = xmalloc(cap * sizeof *m->v);
	m->used = xcalloc(cap, 1);
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < o.cap; i++)
		if (o.used[i]) {
			size_t h = (size_t)mix(o.k[2 * i], o.k[2 * i + 1]) & (cap - 1);

			while (m->used[h])
				h = (h + 1) & (cap - 1);
			m->used[h] = 1;
			m->k[2 * h] = o.k[2 * i];
			m->k[2 * h + 1] = o.k[2 * i + 1];
			m->v[h] = o.v[i];
			m->n++;
		}
	free(o.k);
	free(o.v);
	free(o.used);
	return 0;
}

/* Adds d to the entry (a, b); *was_new tells whether it was created. -1 past the cap. */
static int map_add(struct map *m, uint64_t a, uint64_t b, int64_t d, int *was_new)
{
	size_t h;

	if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
		return -1;
	h = (size_t)mix(a, b) & (m->cap - 1);
	while (m->used[h]) {
		if (m->k[2 * h] == a && m->k[2 * h + 1] == b) {
			m->v[h] += d;
			*was_new = 0;
			return 0;
		}
		h = (h + 1) & (m->cap - 1);
	}
	m->used[h] = 1;
	m->k[2 * h] = a;
	m->k[2 * h + 1] = b;
	m->v[h] = d;
	m->n++;
	*was_new = 1;
	return 0;
}

static void map_free(struct map *m)
{
	free(m->k);
	free(m->v);
	free(m->used);
	memset(m, 0, sizeof *m);
}

struct acc {
	struct map contrib;       /* (cell, agent) -> contribution */
	struct map targets;       /* (cell, target) -> 1: distinct establishments */
	struct map agent_targets; /* (cell << 32 | agent, target): an agent's distinct ones */
	int full;
};

static void add(struct acc *a, struct stats_system *s, uint32_t cell, int64_t agent, int64_t amount)
{
	int was_new;

	if (cell == UINT32_MAX || amount == 0)
		return;
	if (map_add(&a->contrib, cell, (uint64_t)agent, amount, &was_new) != 0)
		a->full = 1;
	else
		s->cells[cell].value += amount;
}

static void add_target(struct acc *a, struct stats_system *s, uint32_t cell, int64_t agent,
                       int64_t target)
{
	int was_new;

	if (cell == UINT32_MAX)
		return;
	if (map_add(&a->targets, cell, (uint64_t)target, 1, &was_new) != 0) {
		a->full = 1;
		return;
	}
	if (was_new)
		s->cells[cell].value++;
	if (map_add(&a->agent_targets, ((uint64_t)cell << 32) | ((uint64_t)agent & 0xffffffffu),
	            (uint64_t)target, 1, &was_new) != 0) {
		a->full = 1;
		return;
	}
	if (was_new && map_add(&a->contrib, cell, (uint64_t)agent, 1, &was_new) != 0)
		a->full = 1;
}

enum err_code stats_block_aggregate(struct stats_system *s, const struct stats_frame *f,
                                    const struct stats_block *b, const struct stats_rec *recs,
                                    size_t n, stats_keep_fn keep, void *ctx, struct err *e)
{
	struct acc a = {0};
	enum err_code rc = ERR_OK;

	for (size_t i = 0; i < n && !a.full; i++) {
		const struct stats_rec *r = &recs[i];

		if (keep && !keep(ctx, r))
			continue;
		for (int lv = 0; lv < 4; lv++) {
			size_t g = (size_t)r->geo[lv];

			for (size_t t = 0; t < stats_catalogue_len; t++) {
				const struct stats_table *tb = &stats_catalogue[t];

				switch (tb->measure) {
				case STATS_M_INTERVENTIONS:
					if (tb->dim == STATS_DIM_NONE)
						add(&a, s, stats_block_cell(f, b, t, g, 0),
						    r->author, 1);
					else if (tb->dim == STATS_DIM_KIND)
						add(&a, s,
						    stats_block_cell(f, b, t, g, (size_t)r->kind),
						    r->author, 1);
					else if (tb->dim == STATS_DIM_NAF)
						add(&a, s,
						    stats_block_cell(f, b, t, g, (size_t)r->naf),
						    r->author, 1);
					else if (tb->dim == STATS_DIM_BAND)
						add(&a, s,
						    stats_block_cell(f, b, t, g, (size_t)r->band),
						    r->author, 1);
					else if (tb->dim == STATS_DIM_THEME)
						for (size_t c = 0; c < f->n_cat[STATS_DIM_THEME];
						     c++)
							if (r->themes & (1u << c))
								add(&a, s,
								    stats_block_cell(f, b, t, g, c),
								    r->author, 1);
					break;
				case STATS_M_VISITS:
					if (r->on_site)
						add(&a, s, stats_block_cell(f, b, t, g, 0),
						    r->author, 1);
					break;
				case STATS_M_ESTABLISHMENTS:
					add_target(&a, s, stats_block_cell(f, b, t, g, 0),
					           r->author, r->target);
					break;
				case STATS_M_FOLLOWUPS:
					for (size_t c = 0; c < f->n_cat[STATS_DIM_FOLLOWUP]; c++)
						add(&a, s, stats_block_cell(f, b, t, g, c),
						    r->author, r->fu[c]);
					break;
				case STATS_M_FOLLOWUPS_THEME: {
					int64_t nfu = 0;

					for (size_t c = 0; c < f->n_cat[STATS_DIM_FOLLOWUP]; c++)
						nfu += r->fu[c];
					for (size_t c = 0; nfu > 0 && c < f->n_cat[STATS_DIM_THEME];
					     c++)
						if (r->themes & (1u << c))
							add(&a, s, stats_block_cell(f, b, t, g, c),
							    r->author, nfu);
					break;
				}
				case STATS_M_ACTION_HONEST:
					if (r->honest)
						add(&a, s,
						    stats_block_cell(f, b, t, g, (size_t)r->action),
						    r->author, 1);
					break;
				case STATS_M_ACTION_UNCHECKED:
					if (r->action >= 0 && !r->honest)
						add(&a, s, stats_block_cell(f, b, t, g, 0),
						    r->author, 1);
					break;
				case STATS_M_POINTS_CHECKED:
					if (r->action >= 0)
						add(&a, s,
						    stats_block_cell(f, b, t, g, (size_t)r->action),
						    r->author, r->points_checked);
					break;
				case STATS_M_POINTS_NC:
					if (r->action >= 0)
						add(&a, s,
						    stats_block_cell(f, b, t, g, (size_t)r->action),
						    r->author, r->points_nc);
					break;
				}
			}
		}
	}
	if (a.full) {
		rc = err_set(e, ERR_TOO_BIG, "month", "too many contributions to aggregate");
		goto out;
	}
	/* contributors: count and the two largest of each cell */
	for (size_t i = 0; i < a.contrib.cap; i++) {
		struct stats_cell *c;
		int64_t v;

		if (!a.contrib.used[i])
			continue;
		c = &s->cells[a.contrib.k[2 * i]];
		v = a.contrib.v[i];
		if (v == 0)
			continue;
		c->n_contrib++;
		if (v > c->top1) {
			c->top2 = c->top1;
			c->top2_agent = c->top1_agent;
			c->top1 = v;
			c->top1_agent = (int64_t)a.contrib.k[2 * i + 1];
		} else if (v > c->top2) {
			c->top2 = v;
			c->top2_agent = (int64_t)a.contrib.k[2 * i + 1];
		}
	}
out:
	map_free(&a.contrib);
	map_free(&a.targets);
	map_free(&a.agent_targets);
	return rc;
}

/* ---- Relations inside a block ------------------------------------------------------------ */

/* Appends the cells of table t in unit g of block b to cells[n..] with coefficient k;
 * returns the new count. */
static uint32_t add_categories(const struct stats_frame *f, const struct stats_block *b, size_t t,
                               size_t g, int32_t k, uint32_t *cells, int32_t *coef, uint32_t n)
{
	for (size_t c = 0; c < f->n_cat[stats_catalogue[t].dim]; c++) {
		uint32_t x = stats_block_cell(f, b, t, g, c);

		if (x != UINT32_MAX) {
			cells[n] = x;
			coef[n++] = k;
		}
	}
	return n;
}

/* An exclusive breakdown (table t) sums to its base's total, in every unit of block b:
 * the relation op (STATS_EQ for the values, STATS_DELTA_EQ for their changes). cells and
 * coef: scratch arrays of at least 1 + the table's categories. */
static void margin_relations(struct stats_system *s, const struct stats_frame *f,
                             const struct stats_block *b, size_t t, size_t base,
                             enum stats_op op, uint32_t *cells, int32_t *coef)
{
	for (size_t g = 0; g < f->n_geo; g++) {
		uint32_t total = stats_block_cell(f, b, base, g, 0);

		if (total == UINT32_MAX)
			continue;
		cells[0] = total;
		coef[0] = 1;
		stats_system_rel(s, op, cells, coef, add_categories(f, b, t, g, -1, cells, coef, 1));
	}
}

void stats_block_relations(struct stats_system *s, const struct stats_frame *f,
                           const struct stats_block *b)
{
	uint32_t *cells = xmalloc((f->n_geo + 2 * f->max_cat + 2) * sizeof *cells);
	int32_t *coef = xmalloc((f->n_geo + 2 * f->max_cat + 2) * sizeof *coef);

	for (size_t t = 0; t < stats_catalogue_len; t++) {
		const struct stats_table *tb = &stats_catalogue[t];
		size_t nc = f->n_cat[tb->dim];
		int base = tb->base ? stats_table_find(tb->base) : -1;

		for (size_t c = 0; c < nc; c++)
			for (size_t g = 0; g < f->n_geo; g++) {
				uint32_t top = stats_block_cell(f, b, t, g, c), n = 0;

				if (top == UINT32_MAX)
					continue;
				/* hierarchy: g and its children */
				cells[n] = top;
				coef[n++] = 1;
				for (size_t k = 0; k < f->n_geo; k++)
					if (f->geo_parent[k] == (int)g) {
						uint32_t child = stats_block_cell(f, b, t, k, c);

						if (child == UINT32_MAX)
							continue;
						cells[n] = child;
						coef[n++] = -1;
						if (!tb->additive) {
							uint32_t le[2] = {child, top};
							int32_t lc[2] = {1, -1};

							stats_system_rel(s, STATS_LE, le, lc, 2);
						}
					}
				if (n > 1)
					stats_system_rel(s, tb->additive ? STATS_EQ : STATS_LE,
					                 cells, coef, n);
				/* a category below its base */
				if (tb->link == STATS_LINK_LE && base >= 0) {
					size_t bc =
					    stats_catalogue[base].dim == STATS_DIM_NONE ? 0 : c;
					uint32_t le[2] = {
					    top, stats_block_cell(f, b, (size_t)base, g, bc)};
					int32_t lc[2] = {1, -1};

					if (le[1] != UINT32_MAX)
						stats_system_rel(s, STATS_LE, le, lc, 2);
				}
			}
		/* a non-additive table follows the pattern of its base */
		if (!tb->additive && base >= 0)
			for (size_t g = 0; g < f->n_geo; g++) {
				uint32_t tie[2] = {stats_block_cell(f, b, t, g, 0),
				                   stats_block_cell(f, b, (size_t)base, g, 0)};
				int32_t tc[2] = {0, 0};

				if (tie[0] != UINT32_MAX && tie[1] != UINT32_MAX)
					stats_system_rel(s, STATS_TIE, tie, tc, 2);
			}
		/* a multi-valued breakdown covering its base's total: each category at most the
		 * total, all of them together at least the total */
		if (tb->link == STATS_LINK_COVER && base >= 0)
			for (size_t g = 0; g < f->n_geo; g++) {
				uint32_t n = add_categories(f, b, (size_t)base, g, -1, cells, coef, 0);

				if (n == 0)
					continue;
				/* x - sum(base) <= 0 */
				for (size_t c = 0; c < nc; c++) {
					uint32_t x = stats_block_cell(f, b, t, g, c);

					if (x == UINT32_MAX)
						continue;
					cells[n] = x;
					coef[n] = 1;
					stats_system_rel(s, STATS_LE, cells, coef, n + 1);
				}
				/* sum(base) - sum(categories) <= 0 */
				for (uint32_t k = 0; k < n; k++)
					coef[k] = 1;
				stats_system_rel(s, STATS_LE, cells, coef,
				                 add_categories(f, b, t, g, -1, cells, coef, n));
			}
		/* an exclusive breakdown sums to its base */
		if (tb->link == STATS_LINK_MARGIN && base >= 0)
			margin_relations(s, f, b, t, (size_t)base, STATS_EQ, cells, coef);
	}
	free(cells);
	free(coef);
}

void stats_block_delta_relations(struct stats_system *s, const struct stats_frame *f,
                                 const struct stats_block *b)
{
	uint32_t *cells = xmalloc((f->n_geo + f->max_cat + 2) * sizeof *cells);
	int32_t *coef = xmalloc((f->n_geo + f->max_cat + 2) * sizeof *coef);

	for (size_t t = 0; t < stats_catalogue_len; t++) {
		const struct stats_table *tb = &stats_catalogue[t];
		size_t nc = f->n_cat[tb->dim];
		int base = tb->base ? stats_table_find(tb->base) : -1;

		if (!tb->additive)
			continue;
		for (size_t c = 0; c < nc; c++)
			for (size_t g = 0; g < f->n_geo; g++) {
				uint32_t top = stats_block_cell(f, b, t, g, c), n = 0;

				if (top == UINT32_MAX)
					continue;
				cells[n] = top;
				coef[n++] = 1;
				for (size_t k = 0; k < f->n_geo; k++)
					if (f->geo_parent[k] == (int)g) {
						uint32_t child = stats_block_cell(f, b, t, k, c);

						if (child != UINT32_MAX) {
							cells[n] = child;
							coef[n++] = -1;
						}
					}
				if (n > 1)
					stats_system_rel(s, STATS_DELTA_EQ, cells, coef, n);
			}
		if (tb->link == STATS_LINK_MARGIN && base >= 0)
			margin_relations(s, f, b, t, (size_t)base, STATS_DELTA_EQ, cells, coef);
	}
	free(cells);
	free(coef);
}

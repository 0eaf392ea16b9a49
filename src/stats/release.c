/* release: a month's release from start to frozen cells. Builds one linear system with
 * every release of the year published so far (frozen) and the new one (the month, the
 * year to date, the quarter once complete, and the differences with what was published
 * before), protects it, audits it, and writes it only when the audit passes. */
#include "stats/stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/xalloc.h"
#include "store/store-stats.h"

#define MAX_RELEASES 1000
#define NEW_TAG "new"

struct rinfo {
	int64_t id;
	int month;
	int version;
	char stamp[24];
	char tag[24];
	/* blocks: month, year to date, quarter; differences: to C(M-1), quarter, versions */
	struct stats_block b[3];
	struct stats_block d_c, d_q, d_v[3];
	int has_q;
};

struct rlist {
	struct rinfo *v;
	size_t n;
	int too_many;
};

static int rel_cb(void *ctx, const struct store_stats_release *r)
{
	struct rlist *l = ctx;
	struct rinfo *x;

	if (l->n >= MAX_RELEASES) {
		l->too_many = 1;
		return 1;
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	x = &l->v[l->n++];
	memset(x, 0, sizeof *x);
	x->id = r->id;
	x->month = (int)strtol(r->month + 5, NULL, 10);
	x->version = r->version;
	snprintf(x->stamp, sizeof x->stamp, "%s", r->data_stamp);
	snprintf(x->tag, sizeof x->tag, "r%" PRId64, r->id);
	return 0;
}

static void rlist_free(struct rlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (int k = 0; k < 3; k++) {
			stats_block_release(&l->v[i].b[k]);
			stats_block_release(&l->v[i].d_v[k]);
		}
		stats_block_release(&l->v[i].d_c);
		stats_block_release(&l->v[i].d_q);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static void period_names(int year, int month, char p[3][24])
{
	snprintf(p[0], 24, "%04d-%02d", year, month);
	snprintf(p[1], 24, "%04d-C%02d", year, month);
	snprintf(p[2], 24, "%04d-Q%d", year, (month + 2) / 3);
}

/* The last release before index i of month m, or -1. */
static int last_of(const struct rlist *l, size_t i, int m)
{
	for (size_t j = i; j-- > 0;)
		if (l->v[j].month == m)
			return (int)j;
	return -1;
}

/* ---- Loading earlier releases ----------------------------------------------------------- */

struct load_ctx {
	struct stats_system *s;
	const struct stats_frame *f;
	const char *tag;
	enum err_code rc;
	struct err *e;
};

static int load_cell(void *ctx, const struct store_stats_cell *c)
{
	struct load_ctx *l = ctx;
	char key[256];
	uint32_t idx;
	struct stats_cell *x;
	enum stats_reason why = STATS_R_NONE;
	int g;

	snprintf(key, sizeof key, "%s|%s|%s|%s|%s", l->tag, c->period, c->tbl, c->geo, c->cat);
	if ((l->rc = stats_system_cell(l->s, key, &idx, NULL, l->e)) != ERR_OK)
		return 1;
	x = &l->s->cells[idx];
	x->value = c->value;
	x->frozen = 1;
	x->sensitive = (uint8_t)(c->sensitive != 0);
	if (strcmp(c->status, "secret") == 0)
		x->status = STATS_SUPPRESSED;
	else if (strcmp(c->status, "delta") == 0) {
		x->status = STATS_VIRTUAL;
		x->free_sign = 1; /* period_delta: delta_block marks it */
	} else
		x->status = STATS_PUBLISHED;
	if (c->reason && stats_reason_parse(c->reason, &why) == 0)
		x->reason = (uint8_t)why;
	g = stats_frame_geo(l->f, c->geo);
	x->level = (uint8_t)(g >= 0 ? l->f->geo_level[g] : 0);
	return 0;
}

/* ---- Presence (the zero rule) ----------------------------------------------------------- */

struct pres_ctx {
	const struct stats_frame *f;
	int32_t *pop;
	int last_unit;
	int64_t last_agent;
};

static int pres_cb(void *ctx, const char *unit, int64_t agent, int64_t days)
{
	struct pres_ctx *p = ctx;
	int g = stats_frame_geo(p->f, unit);

	if (g < 0 || days <= 0)
		return 0;
	if (g == p->last_unit && agent == p->last_agent)
		return 0;
	p->last_unit = g;
	p->last_agent = agent;
	p->pop[g]++;
	return 0;
}

/* Agents present (some day not absent) per unit over from..to, summed up the tree. */
static enum err_code population(struct store *st, const struct stats_frame *f, const char *from,
                                const char *to, int32_t **out, struct err *e)
{
	struct pres_ctx p = {
	    .f = f, .pop = xcalloc(f->n_geo + 1, sizeof(int32_t)), .last_unit = -1};
	enum err_code rc = store_stats_presence(st, from, to, pres_cb, &p, e);

	if (rc != ERR_OK) {
		free(p.pop);
		return rc;
	}
	for (int lv = 3; lv >= 1; lv--)
		for (size_t g = 0; g < f->n_geo; g++)
			if (f->geo_level[g] == lv && f->geo_parent[g] >= 0)
				p.pop[f->geo_parent[g]] += p.pop[g];
	*out = p.pop;
	return ERR_OK;
}

/* ---- Relations between blocks ------------------------------------------------------------ */

/* For every cell key: sum(coef[k] * block[k]) == 0, skipped where a block lacks it. */
/* old (or -1): the index of an earlier version's block; its hidden cells carry their
 * secret over to the new version's cell (the first block) of the same relation (a tie):
 * both stand for the same figure, and the new one would give the earlier secret away by
 * difference. Years to date have no tie: their relation gets a partner like any
 * equation (the month can carry an earlier year to date's secret, docs/STATISTICS.md). */
static void cross(struct stats_system *s, const struct stats_frame *f,
                  const struct stats_block *const *blocks, const int32_t *coef, uint32_t n, int old)
{
	for (size_t t = 0; t < stats_catalogue_len; t++)
		for (size_t g = 0; g < f->n_geo; g++)
			for (size_t c = 0; c < f->n_cat[stats_catalogue[t].dim]; c++) {
				uint32_t cells[8];
				uint32_t k;

				for (k = 0; k < n; k++) {
					cells[k] = stats_block_cell(f, blocks[k], t, g, c);
					if (cells[k] == UINT32_MAX)
						break;
				}
				if (k < n)
					continue;
				stats_system_rel(s, STATS_EQ, cells, coef, n);
				for (k = 0; old >= 0 && k < 1; k++)
					if ((int)k != old) {
						uint32_t tie[2] = {cells[old], cells[k]};
						int32_t tc[2] = {0, 0};

						stats_system_rel(s, STATS_TIE, tie, tc, 2);
					}
			}
}

/* The value of a difference cell from the relation's other cells. */
static void delta_values(struct stats_system *s, const struct stats_frame *f,
                         const struct stats_block *d, const struct stats_block *const *blocks,
                         const int32_t *coef, uint32_t n)
{
	for (size_t t = 0; t < stats_catalogue_len; t++)
		for (size_t g = 0; g < f->n_geo; g++)
			for (size_t c = 0; c < f->n_cat[stats_catalogue[t].dim]; c++) {
				uint32_t dc = stats_block_cell(f, d, t, g, c);
				int64_t v = 0;
				uint32_t k;

				if (dc == UINT32_MAX)
					continue;
				for (k = 0; k < n; k++) {
					uint32_t x = stats_block_cell(f, blocks[k], t, g, c);

					if (x == UINT32_MAX)
						break;
					v += coef[k] * s->cells[x].value;
				}
				if (k == n)
					s->cells[dc].value = v;
			}
}

struct keep_ctx {
	int min_month, max_month;
	const char *after; /* stamp, or NULL */
};

static int keep(void *ctx, const struct stats_rec *r)
{
	const struct keep_ctx *k = ctx;

	return r->month >= k->min_month && r->month <= k->max_month &&
	       (k->after == NULL || strcmp(r->stamp, k->after) > 0);
}

struct build {
	struct store *st;
	struct stats_system *s;
	struct stats_frame *f;
	struct rlist *l;
	int year;
	const struct stats_rec *recs; /* current release only */
	size_t n_recs;
	struct err *e;
};

struct geo_agent {
	int32_t geo;
	int64_t agent;
};

static int by_geo_agent(const void *a, const void *b)
{
	const struct geo_agent *x = a, *y = b;

	if (x->geo != y->geo)
		return (x->geo > y->geo) - (x->geo < y->geo);
	return (x->agent > y->agent) - (x->agent < y->agent);
}

/* The number of distinct authors of the records k keeps (the changed ones), per
 * organisation unit and up the tree (new memory, caller frees; n_geo entries). */
static int32_t *changed_authors(const struct stats_frame *f, const struct stats_rec *recs, size_t n,
                                struct keep_ctx *k)
{
	int32_t *count = xcalloc(f->n_geo + 1, sizeof *count);
	struct geo_agent *v = NULL;
	size_t m = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		if (!keep(k, &recs[i]))
			continue;
		for (int lv = 0; lv < 4; lv++) {
			if (recs[i].geo[lv] < 0 || (size_t)recs[i].geo[lv] >= f->n_geo)
				continue;
			if (m == cap) {
				cap = cap ? cap * 2 : 256;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[m++] = (struct geo_agent){recs[i].geo[lv], recs[i].author};
		}
	}
	if (m > 0)
		qsort(v, m, sizeof *v, by_geo_agent);
	for (size_t i = 0; i < m; i++)
		if (i == 0 || by_geo_agent(&v[i - 1], &v[i]) != 0)
			count[v[i].geo]++;
	free(v);
	return count;
}

/* A difference block of release i: created and aggregated from the records changed since
 * stamp in months min..max (current release), or looked up (earlier releases, frozen).
 * Either way its cells are marked with what they stand between (enum
 * stats_period_delta). */
static enum err_code delta_block(struct build *bd, size_t i, struct stats_block *d,
                                 const char *period, int min_m, int max_m, const char *stamp,
                                 enum stats_period_delta between)
{
	int current = i == bd->l->n - 1 && strcmp(bd->l->v[i].tag, NEW_TAG) == 0;
	struct keep_ctx k = {min_m, max_m, stamp};
	int32_t *authors = NULL;
	enum err_code rc;

	if ((rc = stats_block_init(bd->s, bd->f, d, bd->l->v[i].tag, period, NULL, current,
	                           bd->e)) != ERR_OK)
		return rc;
	if (current) {
		if ((rc = stats_block_aggregate(bd->s, bd->f, d, bd->recs, bd->n_recs, keep, &k,
		                                bd->e)) != ERR_OK)
			return rc;
		authors = changed_authors(bd->f, bd->recs, bd->n_recs, &k);
	}
	for (size_t t = 0; t < stats_catalogue_len; t++)
		for (size_t g = 0; g < bd->f->n_geo; g++)
			for (size_t c = 0; c < bd->f->n_cat[stats_catalogue[t].dim]; c++) {
				uint32_t x = stats_block_cell(bd->f, d, t, g, c);
				struct stats_cell *cell;

				if (x == UINT32_MAX)
					continue;
				cell = &bd->s->cells[x];
				/* distinct establishments are not additive: their difference
				 * holds the establishments controlled in both periods, which
				 * nobody outside knows */
				cell->period_delta =
				    (uint8_t)(stats_catalogue[t].additive ? between : STATS_PD_NONE);
				if (!current)
					continue;
				cell->status = STATS_VIRTUAL;
				cell->free_sign = 1;
				cell->reason = STATS_R_DELTA;
				/* a record that left the cell (its kind changed) no longer
				 * contributes to it: its author still counts */
				if (authors[g] > cell->n_contrib)
					cell->n_contrib = authors[g];
			}
	if (!current)
		return ERR_OK;
	free(authors);
	/* the changes obey the tables' equations too: a unit's change is its department's
	 * change minus the other units' (the secondary suppression of differences) */
	stats_block_delta_relations(bd->s, bd->f, d);
	return ERR_OK;
}

/* A quarter carries the secrets of its months. A small unit's months are hidden by design
 * and its quarter published; were a month's secret (one or two agents) in it, the quarter
 * would bound that month: the quarter = the three months, when nothing was entered late
 * (a month of 2 in a quarter of 3 lies in [0, 3], inside the audit's +-2). The relation
 * holds a difference the audit takes as unknown, so the audit does not see it (docs/
 * STATISTICS.md, Limits): a STATS_TIE_SECRET per month of the quarter {month, quarter,
 * other months} lets the secondary suppression hide the quarter when it would bound a
 * month's secret within its margin. Only for the new release: the ties of earlier ones
 * hold frozen cells only, and the audit does not read ties. */
static enum err_code quarter_ties(struct build *bd, size_t i)
{
	struct rinfo *r = &bd->l->v[i];
	struct stats_block pm[2];
	int m = r->month, p;
	enum err_code rc = ERR_OK;
	char per[3][24];

	if (!r->has_q || strcmp(r->tag, NEW_TAG) != 0)
		return ERR_OK;
	memset(pm, 0, sizeof pm);
	for (int k = 0; k < 2 && rc == ERR_OK; k++)
		if ((p = last_of(bd->l, i, m - 2 + k)) >= 0) {
			period_names(bd->year, m - 2 + k, per);
			rc = stats_block_init(bd->s, bd->f, &pm[k], bd->l->v[p].tag, per[0], NULL,
			                      0, bd->e);
		}
	for (size_t t = 0; t < stats_catalogue_len && rc == ERR_OK; t++)
		for (size_t g = 0; g < bd->f->n_geo; g++)
			for (size_t c = 0; c < bd->f->n_cat[stats_catalogue[t].dim]; c++) {
				const struct stats_block *months[3] = {&pm[0], &pm[1], &r->b[0]};
				uint32_t q = stats_block_cell(bd->f, &r->b[2], t, g, c), cell[3];
				int n = 0;

				for (int k = 0; k < 3 && q != UINT32_MAX; k++)
					if (months[k]->idx &&
					    (cell[n] = stats_block_cell(bd->f, months[k], t, g, c)) !=
					        UINT32_MAX)
						n++;
				/* each month first, then the quarter, then the other months */
				for (int k = 0; k < n; k++) {
					uint32_t tie[4] = {cell[k], q}, nt = 2;
					static const int32_t tc[4] = {0, 0, 0, 0};

					for (int o = 0; o < n; o++)
						if (o != k)
							tie[nt++] = cell[o];
					stats_system_rel(bd->s, STATS_TIE_SECRET, tie, tc, nt);
				}
			}
	for (int k = 0; k < 2; k++)
		stats_block_release(&pm[k]);
	return rc;
}

/* The blocks and relations of release i (its own blocks exist already). */
static enum err_code link_release(struct build *bd, size_t i)
{
	struct rinfo *r = &bd->l->v[i];
	int m = r->month, p;
	char per[3][24], name[24];
	enum err_code rc;

	period_names(bd->year, m, per);
	for (int k = 0; k < 3; k++)
		if (k < 2 || r->has_q)
			stats_block_relations(bd->s, bd->f, &r->b[k]);
	/* the year to date against the month */
	if (m == 1) {
		const struct stats_block *bl[2] = {&r->b[1], &r->b[0]};
		static const int32_t co[2] = {1, -1};

		cross(bd->s, bd->f, bl, co, 2, -1);
	} else if ((p = last_of(bd->l, i, m - 1)) >= 0) {
		struct rinfo *pr = &bd->l->v[p];
		struct stats_block pc;
		static const int32_t co[4] = {1, -1, -1, -1};
		char pp[3][24];

		period_names(bd->year, m - 1, pp);
		snprintf(name, sizeof name, "%04d-DC%02d", bd->year, m);
		if ((rc = stats_block_init(bd->s, bd->f, &pc, pr->tag, pp[1], NULL, 0, bd->e)) !=
		    ERR_OK)
			return rc;
		rc = delta_block(bd, i, &r->d_c, name, 1, m - 1, pr->stamp, STATS_PD_YTD);
		if (rc == ERR_OK) {
			const struct stats_block *bl[4] = {&r->b[1], &pc, &r->b[0], &r->d_c};

			if (strcmp(r->tag, NEW_TAG) == 0)
				delta_values(bd->s, bd->f, &r->d_c, bl, co, 3);
			cross(bd->s, bd->f, bl, co, 4, -1);
		}
		stats_block_release(&pc);
		if (rc != ERR_OK)
			return rc;
	}
	/* the quarter against the year to date */
	if (r->has_q) {
		if (m == 3) {
			const struct stats_block *bl[2] = {&r->b[2], &r->b[1]};
			static const int32_t co[2] = {1, -1};

			cross(bd->s, bd->f, bl, co, 2, -1);
		} else if ((p = last_of(bd->l, i, m - 3)) >= 0) {
			struct rinfo *pr = &bd->l->v[p];
			struct stats_block pc;
			/* C(M) - Q - C(M-3)@p - dQ = 0 */
			static const int32_t co[4] = {1, -1, -1, -1};
			char pp[3][24];

			period_names(bd->year, m - 3, pp);
			snprintf(name, sizeof name, "%04d-DQ%d", bd->year, (m + 2) / 3);
			if ((rc = stats_block_init(bd->s, bd->f, &pc, pr->tag, pp[1], NULL, 0,
			                           bd->e)) != ERR_OK)
				return rc;
			rc = delta_block(bd, i, &r->d_q, name, 1, m - 3, pr->stamp,
			                 STATS_PD_QUARTER);
			if (rc == ERR_OK) {
				const struct stats_block *bl[4] = {&r->b[1], &r->b[2], &pc,
				                                   &r->d_q};

				if (strcmp(r->tag, NEW_TAG) == 0)
					delta_values(bd->s, bd->f, &r->d_q, bl, co, 3);
				cross(bd->s, bd->f, bl, co, 4, -1);
			}
			stats_block_release(&pc);
			if (rc != ERR_OK)
				return rc;
		}
	}
	/* a new version against the previous one */
	if ((p = last_of(bd->l, i, m)) >= 0) {
		struct rinfo *pr = &bd->l->v[p];
		static const char *const pre[3] = {"DV", "DVC", "DVQ"};
		static const int32_t co[3] = {1, -1, -1};

		for (int k = 0; k < 3; k++) {
			int lo = k == 0 ? m : k == 1 ? 1 : m - 2;

			if (k == 2 && !(r->has_q && pr->has_q))
				continue;
			if (k == 2)
				snprintf(name, sizeof name, "%04d-%s%d", bd->year, pre[k],
				         (m + 2) / 3);
			else
				snprintf(name, sizeof name, "%04d-%s%02d", bd->year, pre[k], m);
			if ((rc = delta_block(bd, i, &r->d_v[k], name, lo, m, pr->stamp,
			                      STATS_PD_NONE)) != ERR_OK)
				return rc;
			{
				const struct stats_block *bl[3] = {&r->b[k], &pr->b[k], &r->d_v[k]};

				if (strcmp(r->tag, NEW_TAG) == 0)
					delta_values(bd->s, bd->f, &r->d_v[k], bl, co, 2);
				cross(bd->s, bd->f, bl, co, 3, 1);
			}
		}
	}
	return quarter_ties(bd, i);
}

/* ---- The system of a year ----------------------------------------------------------------- */

static enum err_code month_range(int year, int m, int first_month, char from[DATE_ISO_LEN],
                                 char to[DATE_ISO_LEN])
{
	date_format(date_from_ymd(year, first_month, 1), from);
	date_format(date_from_ymd(year, m, date_days_in_month(year, m)), to);
	return ERR_OK;
}

/* Loads the releases of the year (up to max_id) as frozen cells with their blocks. */
static enum err_code load_history(struct build *bd, int64_t max_id)
{
	char ys[8];
	enum err_code rc;

	snprintf(ys, sizeof ys, "%04d", bd->year);
	if ((rc = store_stats_release_each(bd->st, ys, max_id, rel_cb, bd->l, bd->e)) != ERR_OK)
		return rc;
	if (bd->l->too_many)
		return err_set(bd->e, ERR_TOO_BIG, "month", "more than %d releases in one year",
		               MAX_RELEASES);
	for (size_t i = 0; i < bd->l->n; i++) {
		struct rinfo *r = &bd->l->v[i];
		struct load_ctx lc = {bd->s, bd->f, r->tag, ERR_OK, bd->e};
		char per[3][24];

		if ((rc = store_stats_cells_each(bd->st, r->id, load_cell, &lc, bd->e)) != ERR_OK)
			return rc;
		if (lc.rc != ERR_OK)
			return lc.rc;
		period_names(bd->year, r->month, per);
		r->has_q = r->month % 3 == 0;
		for (int k = 0; k < 3; k++)
			if (k < 2 || r->has_q)
				if ((rc = stats_block_init(bd->s, bd->f, &r->b[k], r->tag, per[k],
				                           NULL, 0, bd->e)) != ERR_OK)
					return rc;
	}
	return ERR_OK;
}

/* ---- Table design by size --------------------------------------------------------------- */

/* 1 when the year to date of unit g was hidden by design in release r (some cell of a
 * by_size table). */
static int ytd_by_design(const struct stats_system *s, const struct stats_frame *f,
                         const struct rinfo *r, size_t g)
{
	for (size_t t = 0; t < stats_catalogue_len; t++) {
		enum stats_dim d = stats_catalogue[t].dim;

		for (size_t c = 0; stats_catalogue[t].by_size && c < f->n_cat[d]; c++) {
			uint32_t x = stats_block_cell(f, &r->b[1], t, g, c);

			if (x != UINT32_MAX && s->cells[x].reason == STATS_R_DESIGN)
				return 1;
		}
	}
	return 0;
}

/* The size under which unit g's breakdowns go by quarter: rules->breakdown_agents, and
 * rules->breakdown_agents_region for a region. A unit alone in its parent has its
 * parent's figures: the units of such a chain take the largest size among them (La
 * Réunion's department is its region: the region's size would be for nothing if the
 * department published the same cells monthly). only[g]: g's single child, or < 0. */
static int32_t design_size(const struct stats_frame *f, const int *only, size_t g,
                           const struct stats_rules *r)
{
	int32_t size;
	int x = (int)g;

	if (r->breakdown_agents <= 0)
		return 0;
	/* up to the top of the chain, then down through it */
	for (int depth = 0; depth < 8 && f->geo_parent[x] >= 0 && only[f->geo_parent[x]] == x;
	     depth++)
		x = f->geo_parent[x];
	size = stats_breakdown_size(r, f->geo_level[x]);
	for (int depth = 0; depth < 8 && only[x] >= 0; depth++) {
		x = only[x];
		if (stats_breakdown_size(r, f->geo_level[x]) > size)
			size = stats_breakdown_size(r, f->geo_level[x]);
	}
	return size;
}

/* The breakdowns (the catalogue's by_size tables) of a unit with fewer than
 * design_size agents present since January (pop) are not published for the
 * month nor the year to date, only for the quarter: a month's activity of a few agents
 * spread over ten categories is mostly cells of one or two agents, which suppression
 * would hide anyway, with their partners (docs/STATISTICS.md, "Table design by size"). The
 * cells stay in the system as unknowns, so that the equations of the units above them
 * still protect them, and keep their primary rules: a sensitive one is audited like any
 * secret.
 *
 * A unit that grows past the size publishes its months from then on, but its year to date
 * stays hidden by design to the year's end (it was in prev, the release of the month
 * before): the earlier years to date are sums of published quarters and months, which the
 * secondary rule and the audit take as unknown, so a year to date published beside them
 * would give the month by difference. */
static void by_design(struct stats_system *s, const struct stats_frame *f, const struct rinfo *r,
                      const struct rinfo *prev, const int32_t *pop,
                      const struct stats_rules *rules)
{
	uint8_t *ytd = xcalloc(f->n_geo + 1, 1);
	uint8_t *small = xcalloc(f->n_geo + 1, 1);
	int *only = xmalloc((f->n_geo + 1) * sizeof *only);

	/* -1: no child yet, -2: several */
	for (size_t g = 0; g < f->n_geo; g++)
		only[g] = -1;
	for (size_t g = 0; g < f->n_geo; g++) {
		int p = f->geo_parent[g];

		if (p >= 0)
			only[p] = only[p] == -1 ? (int)g : -2;
	}
	for (size_t g = 0; g < f->n_geo; g++) {
		small[g] = pop[g] < design_size(f, only, g, rules);
		ytd[g] = small[g] || (prev != NULL && ytd_by_design(s, f, prev, g));
	}
	for (int k = 0; k < 2; k++)
		for (size_t t = 0; t < stats_catalogue_len; t++) {
			enum stats_dim d = stats_catalogue[t].dim;

			if (!stats_catalogue[t].by_size)
				continue;
			for (size_t g = 0; g < f->n_geo; g++) {
				if (k == 0 ? !small[g] : !ytd[g])
					continue;
				for (size_t c = 0; c < f->n_cat[d]; c++) {
					uint32_t x = stats_block_cell(f, &r->b[k], t, g, c);

					if (x == UINT32_MAX)
						continue;
					s->cells[x].status = STATS_SUPPRESSED;
					s->cells[x].reason = STATS_R_DESIGN;
				}
			}
		}
	free(ytd);
	free(small);
	free(only);
}

/* ---- Writing ------------------------------------------------------------------------------ */

struct write_ctx {
	const struct stats_system *s;
	size_t next;
	size_t prefix;
	char buf[256];
	char *fields[5];
};

static int next_cell(void *ctx, struct store_stats_cell *out)
{
	struct write_ctx *w = ctx;

	for (; w->next < w->s->n_cells; w->next++) {
		const struct stats_cell *c = &w->s->cells[w->next];
		char *p;
		int n = 0;

		if (strncmp(c->key, NEW_TAG "|", w->prefix) != 0)
			continue;
		snprintf(w->buf, sizeof w->buf, "%s", c->key);
		for (p = w->buf; n < 5; n++) {
			char *bar = strchr(p, '|');

			w->fields[n] = p;
			if (bar == NULL)
				break;
			*bar = '\0';
			p = bar + 1;
		}
		if (n != 4)
			continue;
		out->period = w->fields[1];
		out->tbl = w->fields[2];
		out->geo = w->fields[3];
		out->cat = w->fields[4];
		out->value = c->value;
		out->status = c->status == STATS_PUBLISHED ? "published"
		              : c->status == STATS_VIRTUAL ? "delta"
		                                           : "secret";
		out->sensitive = c->sensitive;
		out->reason = stats_reason_name((enum stats_reason)c->reason);
		w->next++;
		return 1;
	}
	return 0;
}

static int parse_month(const char *month, int *y, int *m)
{
	char *end;
	long yy, mm;

	if (month == NULL || strlen(month) != 7 || month[4] != '-')
		return -1;
	yy = strtol(month, &end, 10);
	if (end != month + 4)
		return -1;
	mm = strtol(month + 5, &end, 10);
	if (*end != '\0' || yy < 1900 || yy > 2999 || mm < 1 || mm > 12)
		return -1;
	*y = (int)yy;
	*m = (int)mm;
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum err_code stats_release_run(struct store *st, const struct stats_release_opts *opts,
                                struct stats_release_result *res, struct err *e)
{
	struct stats_system s;
	struct stats_frame f = {0};
	struct rlist l = {0};
	struct stats_rec *recs = NULL;
	size_t n_recs = 0;
	int32_t *pop[3] = {NULL, NULL, NULL};
	struct build bd = {0};
	struct stats_audit audit = {0};
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN], per[3][24], stamp[24] = "";
	int year, m, prev_same, passed = 0;
	enum err_code rc;
	double t0 = now_seconds();

	memset(res, 0, sizeof *res);
	stats_system_init(&s);
	if (parse_month(opts->month, &year, &m) != 0)
		return err_set(e, ERR_INVALID, "month", "expected a month as YYYY-MM");
	if ((rc = stats_rules_check(&opts->rules, e)) != ERR_OK)
		return rc;
	if (date_today() <
	    date_from_ymd(year, m, date_days_in_month(year, m)) + 1 + opts->rules.closing_days)
		return err_set(e, ERR_CONFLICT, "month",
		               "%s is not closed yet: a month is released %d days after its end",
		               opts->month, opts->rules.closing_days);
	month_range(year, m, 1, from, to);
	if ((rc = stats_frame_load(st, from, to, &f, e)) != ERR_OK)
		goto out;
	bd = (struct build){.st = st, .s = &s, .f = &f, .l = &l, .year = year, .e = e};
	if ((rc = load_history(&bd, 0)) != ERR_OK)
		goto out;
	if (m > 1 && last_of(&l, l.n, m - 1) < 0) {
		rc = err_set(e, ERR_CONFLICT, "month",
		             "release %04d-%02d first: the months of a year "
		             "are released in order",
		             year, m - 1);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].month > m) {
			rc = err_set(e, ERR_CONFLICT, "month",
			             "%04d-%02d is released already: late "
			             "entries of %s go into the next year-to-date tables",
			             year, l.v[i].month, opts->month);
			goto out;
		}
	prev_same = last_of(&l, l.n, m);
	if (prev_same >= 0 && !opts->force_version) {
		int64_t changed = 0;

		if ((rc = store_stats_changed_since(st, from, to, l.v[prev_same].stamp, &changed,
		                                    e)) != ERR_OK)
			goto out;
		if (changed == 0) {
			res->unchanged = 1;
			res->id = l.v[prev_same].id;
			res->version = l.v[prev_same].version;
			res->passed = 1;
			goto out;
		}
	}
	if ((rc = stats_recs_load(st, &f, from, to, &recs, &n_recs, e)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n_recs; i++)
		if (strcmp(recs[i].stamp, stamp) > 0)
			snprintf(stamp, sizeof stamp, "%s", recs[i].stamp);
	if (prev_same >= 0 && strcmp(l.v[prev_same].stamp, stamp) > 0)
		snprintf(stamp, sizeof stamp, "%s", l.v[prev_same].stamp);
	bd.recs = recs;
	bd.n_recs = n_recs;
	/* the new release's blocks */
	l.v = xrealloc(l.v, (l.n + 1) * sizeof *l.v);
	memset(&l.v[l.n], 0, sizeof l.v[l.n]);
	l.v[l.n].month = m;
	l.v[l.n].version = prev_same >= 0 ? l.v[prev_same].version + 1 : 1;
	l.v[l.n].has_q = m % 3 == 0;
	snprintf(l.v[l.n].tag, sizeof l.v[l.n].tag, NEW_TAG);
	snprintf(l.v[l.n].stamp, sizeof l.v[l.n].stamp, "%s", stamp);
	l.n++;
	period_names(year, m, per);
	{
		struct rinfo *r = &l.v[l.n - 1];

		for (int k = 0; k < 3; k++) {
			struct keep_ctx kc;
			char pf[DATE_ISO_LEN], pt[DATE_ISO_LEN];

			if (k == 2 && !r->has_q)
				continue;
			kc.min_month = k == 0 ? m : k == 1 ? 1 : m - 2;
			kc.max_month = m;
			kc.after = NULL;
			month_range(year, m, kc.min_month, pf, pt);
			if ((rc = population(st, &f, pf, pt, &pop[k], e)) != ERR_OK ||
			    (rc = stats_block_init(&s, &f, &r->b[k], NEW_TAG, per[k], pop[k], 1,
			                           e)) != ERR_OK ||
			    (rc = stats_block_aggregate(&s, &f, &r->b[k], recs, n_recs, keep, &kc,
			                                e)) != ERR_OK)
				goto out;
		}
	}
	{
		int p = m > 1 ? last_of(&l, l.n - 1, m - 1) : -1;

		by_design(&s, &f, &l.v[l.n - 1], p >= 0 ? &l.v[p] : NULL, pop[1], &opts->rules);
	}
	for (size_t i = 0; i < l.n; i++)
		if ((rc = link_release(&bd, i)) != ERR_OK)
			goto out;
	stats_system_finish(&s);
	if ((rc = stats_protect(&s, &opts->rules, &passed, &audit, opts->log, e)) != ERR_OK)
		goto out;
	res->passed = passed;
	res->version = l.v[l.n - 1].version;
	res->n_audited = audit.n;
	for (size_t i = 0; i < audit.n; i++)
		res->n_earlier += audit.iv[i].earlier != 0;
	res->n_lp = audit.n_lp;
	res->n_mip = audit.n_mip;
	for (size_t i = 0; i < s.n_cells; i++) {
		const struct stats_cell *c = &s.cells[i];

		if (strncmp(c->key, NEW_TAG "|", 4) != 0 || c->status == STATS_VIRTUAL)
			continue;
		res->n_cells++;
		res->n_cells_level[c->level & 3]++;
		if (c->status == STATS_SUPPRESSED) {
			res->n_secret++;
			res->n_secret_level[c->level & 3]++;
		}
		if (c->reason == STATS_R_DESIGN) {
			res->n_design++;
			res->n_design_level[c->level & 3]++;
		}
		if (c->sensitive)
			res->n_primary++;
	}
	if (!passed) {
		rc = err_set(e, ERR_DENIED, "audit",
		             "the release of %s is refused: %zu sensitive "
		             "cells stay computable within their margin (nothing left to hide, or "
		             "%d rounds)",
		             opts->month, audit.n_fail, opts->rules.max_rounds);
		goto out;
	}
	{
		struct store_stats_release sr = {0};
		struct write_ctx w = {.s = &s, .prefix = 4};
		char created[DATE_STAMP_LEN];

		sr.month = opts->month;
		sr.version = res->version;
		sr.created_at = date_now_stamp(created);
		sr.data_stamp = stamp;
		sr.n_cells = res->n_cells;
		sr.n_secret = res->n_secret;
		rc = store_stats_release_write(st, &sr, next_cell, &w, &res->id, e);
	}
out:
	res->seconds = now_seconds() - t0;
	stats_audit_release(&audit);
	for (int k = 0; k < 3; k++)
		free(pop[k]);
	free(recs);
	rlist_free(&l);
	stats_frame_release(&f);
	stats_system_release(&s);
	return rc;
}

/* ---- Re-running the audit ------------------------------------------------------------------ */

struct find_ctx {
	int64_t id;
	char month[8];
	int found;
};

static int find_cb(void *ctx, const struct store_stats_release *r)
{
	struct find_ctx *c = ctx;

	if (r->id == c->id) {
		snprintf(c->month, sizeof c->month, "%s", r->month);
		c->found = 1;
		return 1;
	}
	return 0;
}

static double slack(const struct stats_system *s, const struct stats_interval *iv)
{
	double v = (double)s->cells[iv->cell].value;
	double up = iv->hi - v, down = v - iv->lo;

	return (up < down ? up : down) - (double)iv->need;
}

static const struct stats_system *sort_sys;

static int by_slack(const void *a, const void *b)
{
	double x = slack(sort_sys, a), y = slack(sort_sys, b);

	return (x > y) - (x < y);
}

enum err_code stats_release_system(struct store *st, int64_t id, struct stats_frame *f,
                                   struct stats_system *s, char month[8], struct err *e)
{
	struct rlist l = {0};
	struct build bd;
	struct find_ctx fc = {.id = id};
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
	int year, m;
	enum err_code rc;

	stats_system_init(s);
	memset(f, 0, sizeof *f);
	if ((rc = store_stats_release_each(st, NULL, 0, find_cb, &fc, e)) != ERR_OK)
		return rc;
	if (!fc.found)
		return err_set(e, ERR_NOT_FOUND, "release", "no release %" PRId64, id);
	if (parse_month(fc.month, &year, &m) != 0)
		return err_set(e, ERR_INTERNAL, "release", "release %" PRId64 " has a bad month",
		               id);
	if (month)
		snprintf(month, 8, "%s", fc.month);
	month_range(year, 12, 1, from, to);
	if ((rc = stats_frame_load(st, from, to, f, e)) != ERR_OK)
		goto out;
	bd = (struct build){.st = st, .s = s, .f = f, .l = &l, .year = year, .e = e};
	if ((rc = load_history(&bd, id)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < l.n; i++)
		if ((rc = link_release(&bd, i)) != ERR_OK)
			goto out;
	stats_system_finish(s);
out:
	rlist_free(&l);
	if (rc != ERR_OK) {
		stats_frame_release(f);
		stats_system_release(s);
	}
	return rc;
}

enum err_code stats_release_audit(struct store *st, int64_t id, const struct stats_rules *r,
                                  size_t show, FILE *out, int *passed, struct err *e)
{
	struct stats_system s;
	struct stats_frame f;
	struct stats_audit a = {0};
	char month[8] = "";
	enum err_code rc;

	*passed = 0;
	if ((rc = stats_release_system(st, id, &f, &s, month, e)) != ERR_OK)
		return rc;
	/* the audited release's cells as when it was made (stats_link_known binds its own
	 * month and year to date) */
	{
		char tag[32];
		size_t n = (size_t)snprintf(tag, sizeof tag, "r%" PRId64 "|", id);

		for (size_t i = 0; i < s.n_cells; i++)
			if (strncmp(s.cells[i].key, tag, n) == 0)
				s.cells[i].frozen = 0;
	}
	stats_link_known(&s);
	if ((rc = stats_audit_run(&s, r, &a, e)) != ERR_OK ||
	    (rc = stats_audit_earlier(&s, r, &a, NULL, e)) != ERR_OK)
		goto out;
	*passed = a.n_fail == 0;
	if (out) {
		fprintf(
		    out,
		    "release %" PRId64 " (%s): %zu cells and %zu relations in the system, "
		    "%zu sensitive hidden cells audited, %zu too narrow, %zu LP and %zu integer "
		    "programs\n",
		    id, month, s.n_cells, s.n_rels, a.n, a.n_fail, a.n_lp, a.n_mip);
		sort_sys = &s;
		qsort(a.iv, a.n, sizeof *a.iv, by_slack);
		for (size_t i = 0; i < a.n && i < show; i++) {
			const struct stats_interval *iv = &a.iv[i];
			const struct stats_cell *c = &s.cells[iv->cell];
			char hi[32];

			if (isinf(iv->hi))
				snprintf(hi, sizeof hi, "inf");
			else
				snprintf(hi, sizeof hi, "%g", iv->hi);
			fprintf(out,
			        "%-4s %-58s value %4" PRId64
			        "  interval [%g, %s]  required +-%" PRId64 "%s\n",
			        iv->earlier ? "old" : iv->pass ? "ok" : "FAIL", c->key, c->value, iv->lo,
			        hi, iv->need,
			        iv->earlier ? " (as narrow over the earlier releases alone)"
			        : iv->integer ? " (integer)"
			                      : "");
		}
	}
out:
	stats_audit_release(&a);
	stats_frame_release(&f);
	stats_system_release(&s);
	return rc;
}

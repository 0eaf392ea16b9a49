/* audit: the release gate. For every sensitive hidden cell, the narrowest interval an
 * attacker can deduce from everything published: min and max linear programs (GLPK)
 * over every relation, published values fixed, non-negativity, and integer programming
 * where the LP interval is narrow (integrality leaks too: 15 = 10 + 3 + 2x gives x = 1).
 * The system splits into independent components (hidden cells linked by relations), so
 * each program stays small. */
#include "stats/stats.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define AUDIT_MAX_COMPONENT 200000 /* hidden cells in one program */
#define AUDIT_MIP_MAX_COLS 20000   /* integer programs only up to this size */
#define AUDIT_MIP_MS 3000          /* time limit of one integer program */
#define AUDIT_CERT_MIPS 6          /* integer programs of a bulk certification, at most */
#define AUDIT_CERT_MIP_CELLS 32    /* ...and only for this many cells left, at least */
#define AUDIT_EPS 1e-6

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

static int hidden(const struct stats_cell *c)
{
	return stats_cell_hidden(c);
}

/* Lower bound of a hidden cell's variable: 0, except for differences between versions,
 * which may go either way (an edit moves an intervention between categories). */
static int nonneg(const struct stats_cell *c)
{
	return !c->free_sign;
}

/* The lowest bound the interval of c must reach: value - need, but not below 0 (a count)
 * nor below what was public before this release (c->floor: a year to date is at least the
 * earlier one published; refusing a release for it would protect nothing). */
static double want_low(const struct stats_cell *c, int64_t need)
{
	double want_lo = (double)(c->value - need);

	if (nonneg(c) && want_lo < 0.0)
		want_lo = 0.0;
	if (want_lo < (double)c->floor)
		want_lo = (double)c->floor;
	return want_lo;
}

static int passes(const struct stats_cell *c, double lo, double hi, int64_t need)
{
	return lo <= want_low(c, need) + AUDIT_EPS &&
	       hi >= (double)(c->value + need) - AUDIT_EPS;
}

/* Results of components already solved, by the set of their hidden cells: the program
 * of a component depends on nothing else (relations and published values are fixed
 * while the protection loop runs), so an unchanged component is not solved again. */
struct cache_entry {
	uint64_t sig;
	size_t n;
	struct stats_interval *iv;
};

struct stats_audit_cache {
	struct cache_entry *v;
	size_t n, cap;
	/* Cells that passed: hiding more cells only frees published values into
	 * non-negative variables, so the programs' feasible sets grow and an interval wide
	 * enough stays wide enough. A passed cell is not solved again in later rounds. */
	struct stats_interval *passed;
	size_t n_passed_cap;
};

struct stats_audit_cache *stats_audit_cache_new(void)
{
	return xcalloc(1, sizeof(struct stats_audit_cache));
}

void stats_audit_cache_free(struct stats_audit_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->cap; i++)
		free(c->v[i].iv);
	free(c->v);
	free(c->passed);
	free(c);
}

#define CACHE_MAX 1000000

static struct cache_entry *cache_slot(struct stats_audit_cache *c, uint64_t sig, int insert)
{
	size_t h;

	if (insert && (c->n + 1) * 2 > c->cap) {
		struct stats_audit_cache o = *c;

		if (o.n >= CACHE_MAX)
			return NULL;
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->v = xcalloc(c->cap, sizeof *c->v);
		c->n = 0;
		for (size_t i = 0; i < o.cap; i++)
			if (o.v[i].iv) {
				struct cache_entry *d = cache_slot(c, o.v[i].sig, 1);

				*d = o.v[i];
				c->n++;
			}
		free(o.v);
	}
	if (c->cap == 0)
		return NULL;
	h = (size_t)(sig ^ (sig >> 29)) & (c->cap - 1);
	while (c->v[h].iv) {
		if (c->v[h].sig == sig)
			return &c->v[h];
		h = (h + 1) & (c->cap - 1);
	}
	return insert ? &c->v[h] : NULL;
}

struct component {
	uint32_t *cols; /* cells, in cell order */
	size_t n_cols;
	uint32_t *rows; /* relations */
	size_t n_rows;
};

/* One optimisation of column j (1-based); *val gets the bound, HUGE_VAL (or -HUGE_VAL)
 * when unbounded. mip: integer programming. Returns 0, or -1 when the solver failed. */
static int optimise(glp_prob *lp, int j, int dir, int mip, double *val)
{
	int ncols = glp_get_num_cols(lp), st;

	for (int k = 1; k <= ncols; k++)
		glp_set_obj_coef(lp, k, k == j ? 1.0 : 0.0);
	glp_set_obj_dir(lp, dir);
	if (!mip) {
		glp_smcp p;

		glp_init_smcp(&p);
		p.msg_lev = GLP_MSG_OFF;
		if (glp_simplex(lp, &p) != 0) {
			/* a stale basis can upset the solver: start again from scratch */
			glp_adv_basis(lp, 0);
			if (glp_simplex(lp, &p) != 0)
				return -1;
		}
		st = glp_get_status(lp);
		if (st == GLP_UNBND) {
			*val = dir == GLP_MAX ? HUGE_VAL : -HUGE_VAL;
			return 0;
		}
		if (st != GLP_OPT)
			return -1;
		*val = glp_get_obj_val(lp);
		return 0;
	} else {
		glp_iocp p;
		int rc;

		glp_init_iocp(&p);
		p.msg_lev = GLP_MSG_OFF;
		p.presolve = GLP_ON;
		p.tm_lim = AUDIT_MIP_MS;
		rc = glp_intopt(lp, &p);
		if (rc == GLP_ENODFS || rc == GLP_ENOPFS)
			return -1;
		if (rc != 0)
			return -1;
		st = glp_mip_status(lp);
		if (st != GLP_OPT)
			return -1;
		*val = glp_mip_obj_val(lp);
		return 0;
	}
}

/* The interval of column j for cell c into iv (LP, then integer programming when the
 * LP interval is narrow). Returns -1 when the LP has no solution. */
static int fractional(double x)
{
	return isfinite(x) && fabs(x - round(x)) > AUDIT_EPS;
}

static int bounds(glp_prob *lp, int j, const struct stats_cell *c, struct stats_interval *iv,
                  size_t n_cols, int *mip_kind, struct stats_audit *out)
{
	double lo, hi, ilo, ihi;

	if (optimise(lp, j, GLP_MIN, 0, &lo) != 0 || optimise(lp, j, GLP_MAX, 0, &hi) != 0)
		return -1;
	out->n_lp += 2;
	iv->lo = lo;
	iv->hi = hi;
	iv->integer = 0;
	iv->pass = passes(c, lo, hi, iv->need);
	if (!iv->pass || hi - lo >= 2.0 * (double)iv->need + 4.0)
		return 0;
	/* With coefficients of +-1 only (sums and differences), an integral LP extreme is
	 * taken as the integer one; otherwise (or with larger coefficients, 15 = 10 + 3 +
	 * 2x) the integer programs decide. */
	if (!(*mip_kind & 2) && !fractional(lo) && !fractional(hi))
		return 0;
	/* Narrow: integrality may narrow it further (15 = 10 + 3 + 2x). */
	if (n_cols > AUDIT_MIP_MAX_COLS) {
		iv->pass = 0; /* cannot certify: treat as too narrow */
		return 0;
	}
	if (!(*mip_kind & 1)) {
		int n = glp_get_num_cols(lp);

		for (int q = 1; q <= n; q++)
			glp_set_col_kind(lp, q, GLP_IV);
		*mip_kind |= 1;
	}
	if (optimise(lp, j, GLP_MIN, 1, &ilo) != 0 || optimise(lp, j, GLP_MAX, 1, &ihi) != 0) {
		iv->pass = 0; /* no certificate within the time limit */
		return 0;
	}
	out->n_mip += 2;
	iv->lo = ilo;
	iv->hi = ihi;
	iv->integer = 1;
	iv->pass = passes(c, ilo, ihi, iv->need);
	return 0;
}

/* Certifies many cells with few programs: optimise the sum of the cells still to
 * certify; a vertex where every variable is integral (or, where it is not, a solution of
 * the integer program with the same objective) is a feasible integer table, so each cell
 * at or beyond its target there is proven to reach it. Fills cert (bit 1: upper side
 * reached, bit 2: lower side) and the values found. Used in the protection loop only:
 * `constat audit` solves every cell on its own. */
static void certify(glp_prob *lp, const struct stats_system *s, const struct stats_rules *r,
                    const struct component *cp, const uint8_t *skip, uint8_t *cert, double *yhi,
                    double *ylo, struct stats_audit *out)
{
	int ncols = (int)cp->n_cols, kinds = 0, mips = 0;

	for (int side = 0; side < 2; side++) {
		uint8_t bit = side == 0 ? 1 : 2;

		for (int iter = 0; iter < 6; iter++) {
			int any = 0, gained = 0, mip = 0;
			glp_smcp p;

			for (int k = 0; k < ncols; k++) {
				int want =
				    s->cells[cp->cols[k]].sensitive && !skip[k] && !(cert[k] & bit);

				glp_set_obj_coef(lp, k + 1, want ? 1.0 : 0.0);
				any += want;
			}
			if (!any)
				break;
			glp_set_obj_dir(lp, side == 0 ? GLP_MAX : GLP_MIN);
			glp_init_smcp(&p);
			p.msg_lev = GLP_MSG_OFF;
			if (glp_simplex(lp, &p) != 0 || glp_get_prim_stat(lp) != GLP_FEAS)
				break;
			out->n_lp++;
			for (int k = 0; k < ncols && !mip; k++)
				if (fractional(glp_get_col_prim(lp, k + 1)))
					mip = 1;
			/* A fractional vertex proves nothing about integer tables: look for one
			 * with the same objective (any integer feasible table found within the
			 * time limit will do, optimal or not), where enough cells are left to
			 * be worth it (each would cost two programs on its own). */
			if (mip) {
				glp_iocp q;
				int st;

				if (mips >= AUDIT_CERT_MIPS || any < AUDIT_CERT_MIP_CELLS ||
				    ncols > AUDIT_MIP_MAX_COLS)
					break;
				mips++;
				if (!kinds)
					for (int k = 1; k <= ncols; k++)
						glp_set_col_kind(lp, k, GLP_IV);
				kinds = 1;
				glp_init_iocp(&q);
				q.msg_lev = GLP_MSG_OFF;
				q.presolve = GLP_ON;
				q.fp_heur = GLP_ON;
				q.tm_lim = AUDIT_MIP_MS;
				glp_intopt(lp, &q);
				out->n_mip++;
				st = glp_mip_status(lp);
				if (st != GLP_OPT && st != GLP_FEAS)
					break;
			}
			for (int k = 0; k < ncols; k++) {
				const struct stats_cell *c = &s->cells[cp->cols[k]];
				double v = mip ? glp_mip_col_val(lp, k + 1) : glp_get_col_prim(lp, k + 1);
				int64_t need;

				if (!c->sensitive || skip[k] || (cert[k] & bit))
					continue;
				need = stats_required_margin(r, c->value);
				if (side == 0 && v >= (double)(c->value + need) - AUDIT_EPS) {
					cert[k] |= bit;
					yhi[k] = v;
					gained = 1;
				} else if (side == 1) {
					if (v <= want_low(c, need) + AUDIT_EPS) {
						cert[k] |= bit;
						ylo[k] = v;
						gained = 1;
					}
				}
			}
			if (!gained)
				break;
		}
	}
}

static enum err_code audit_component(const struct stats_system *s, const struct stats_rules *r,
                                     const struct component *cp, uint32_t *col_of,
                                     struct stats_audit_cache *cache, struct stats_audit *out,
                                     struct err *e)
{
	glp_prob *lp = glp_create_prob();
	int *ia = NULL, *ja = NULL;
	double *ar = NULL;
	size_t ne = 0, cap = 1;
	enum err_code rc = ERR_OK;
	int mip_kind = 0;
	uint8_t *cert = NULL, *skip = NULL;
	double *yhi = NULL, *ylo = NULL;

	glp_add_cols(lp, (int)cp->n_cols);
	for (size_t k = 0; k < cp->n_cols; k++) {
		const struct stats_cell *c = &s->cells[cp->cols[k]];

		col_of[cp->cols[k]] = (uint32_t)k + 1;
		if (nonneg(c))
			glp_set_col_bnds(lp, (int)k + 1, GLP_LO, 0.0, 0.0);
		else
			glp_set_col_bnds(lp, (int)k + 1, GLP_FR, 0.0, 0.0);
	}
	for (size_t q = 0; q < cp->n_rows; q++)
		cap += s->rels[cp->rows[q]].n;
	ia = xmalloc(cap * sizeof *ia);
	ja = xmalloc(cap * sizeof *ja);
	ar = xmalloc(cap * sizeof *ar);
	if (cp->n_rows > 0)
		glp_add_rows(lp, (int)cp->n_rows);
	for (size_t q = 0; q < cp->n_rows; q++) {
		const struct stats_rel *rel = &s->rels[cp->rows[q]];
		double rhs = 0.0;

		for (uint32_t j = 0; j < rel->n; j++) {
			const struct stats_cell *c = &s->cells[rel->cells[j]];

			if (hidden(c)) {
				ne++;
				ia[ne] = (int)q + 1;
				ja[ne] = (int)col_of[rel->cells[j]];
				ar[ne] = rel->coef[j];
			} else {
				rhs -= (double)rel->coef[j] * (double)c->value;
			}
		}
		glp_set_row_bnds(lp, (int)q + 1, rel->op == STATS_EQ ? GLP_FX : GLP_UP, rhs, rhs);
	}
	glp_load_matrix(lp, (int)ne, ia, ja, ar);
	for (size_t k = 1; k <= ne; k++)
		if (ar[k] > 1.0 || ar[k] < -1.0)
			mip_kind = 2; /* integer programs whenever narrow */

	cert = xcalloc(cp->n_cols + 1, 1);
	skip = xcalloc(cp->n_cols + 1, 1);
	yhi = xcalloc(cp->n_cols + 1, sizeof *yhi);
	ylo = xcalloc(cp->n_cols + 1, sizeof *ylo);
	if (cache && !(mip_kind & 2)) {
		for (size_t k = 0; k < cp->n_cols; k++)
			skip[k] = cache->passed && cache->passed[cp->cols[k]].pass;
		certify(lp, s, r, cp, skip, cert, yhi, ylo, out);
	}
	for (size_t k = 0; k < cp->n_cols; k++) {
		const struct stats_cell *c = &s->cells[cp->cols[k]];
		struct stats_interval *iv;
		uint32_t cell = cp->cols[k];

		if (!c->sensitive)
			continue;
		iv = &out->iv[out->n++];
		if (cache && cache->passed && cache->passed[cell].pass) {
			*iv = cache->passed[cell];
			continue;
		}
		memset(iv, 0, sizeof *iv);
		iv->cell = cell;
		iv->need = stats_required_margin(r, c->value);
		if (cert[k] == 3) {
			/* proven by integral feasible tables: at least this wide */
			iv->lo = ylo[k];
			iv->hi = yhi[k];
			iv->integer = 1;
			iv->pass = 1;
		} else if (bounds(lp, (int)k + 1, c, iv, cp->n_cols, &mip_kind, out) != 0) {
			rc = err_set(e, ERR_INTERNAL, "audit",
			             "the linear program of cell %s has no solution: the published "
			             "figures are inconsistent",
			             c->key);
			goto out;
		}
		if (!iv->pass || s->by_cell_start == NULL)
			continue;
		/* The agent alone in a hidden cell of the same equation knows its value: fix
		 * it and look again (two singletons must not protect each other). */
		for (uint32_t q = s->by_cell_start[cell];
		     q < s->by_cell_start[cell + 1] && iv->pass; q++) {
			const struct stats_rel *rel = &s->rels[s->by_cell[q]];
			int32_t own = 0;

			if (rel->op != STATS_EQ)
				continue;
			for (uint32_t j = 0; j < rel->n; j++)
				if (rel->cells[j] == cell)
					own = rel->coef[j];
			for (uint32_t j = 0; j < rel->n && iv->pass; j++) {
				const struct stats_cell *d = &s->cells[rel->cells[j]];
				int col = (int)col_of[rel->cells[j]];
				struct stats_interval alt = *iv;

				if (rel->cells[j] == cell || !hidden(d) ||
				    d->status == STATS_VIRTUAL || d->n_contrib != 1 || col == 0 ||
				    d->frozen)
					continue;
				/* d is the total of the equation (coefficient +1: a parent, a base
				 * table, a year to date, a quarter) and the cell one of its parts:
				 * the agent alone in d is the only one who can have contributed to
				 * the cell, and learns only about themselves (this holds for a cell
				 * of an earlier release too, whose agents are not kept) */
				if (rel->coef[j] > 0 && own < 0)
					continue;
				/* the same agent learns nothing about others from their own cell */
				if (d->top1_agent != 0 && (d->top1_agent == c->top1_agent ||
				                           d->top1_agent == c->top2_agent))
					continue;
				glp_set_col_bnds(lp, col, GLP_FX, (double)d->value,
				                 (double)d->value);
				if (bounds(lp, (int)k + 1, c, &alt, cp->n_cols, &mip_kind, out) !=
				    0)
					alt.pass = 0;
				glp_set_col_bnds(lp, col, nonneg(d) ? GLP_LO : GLP_FR, 0.0, 0.0);
				if (!alt.pass)
					*iv = alt;
			}
		}
		if (cache && cache->passed && iv->pass)
			cache->passed[cell] = *iv;
	}
out:
	for (size_t k = 0; k < cp->n_cols; k++)
		col_of[cp->cols[k]] = 0;
	free(cert);
	free(skip);
	free(yhi);
	free(ylo);
	free(ia);
	free(ja);
	free(ar);
	glp_delete_prob(lp);
	return rc;
}

static int cmp_iv(const void *a, const void *b)
{
	uint32_t x = ((const struct stats_interval *)a)->cell,
	         y = ((const struct stats_interval *)b)->cell;

	return (x > y) - (x < y);
}

/* Only cells of earlier releases, linked by their own relations (a relation of the new
 * release holds a cell of it: a year to date published again after an earlier one was
 * hidden brings new knowledge to an earlier component). */
static int all_frozen(const struct stats_system *s, const struct component *cp)
{
	for (size_t j = 0; j < cp->n_cols; j++)
		if (!s->cells[cp->cols[j]].frozen)
			return 0;
	for (size_t q = 0; q < cp->n_rows; q++) {
		const struct stats_rel *rel = &s->rels[cp->rows[q]];

		for (uint32_t j = 0; j < rel->n; j++)
			if (!s->cells[rel->cells[j]].frozen)
				return 0;
	}
	return 1;
}

static uint64_t signature(const uint32_t *cols, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ n;

	for (size_t i = 0; i < n; i++) {
		h ^= cols[i];
		h *= 1099511628211ULL;
		h ^= h >> 32;
	}
	return h;
}

/* Relations an attacker learns nothing from: one holding a hidden cell without bounds
 * (a difference, free_sign) that appears in no other relation holds whatever the other
 * cells are (that cell absorbs anything), so it is dropped with it, as a presolve would.
 * This is exact: the programs' projections on the other cells do not change. Not for a
 * sensitive difference (late entries by fewer than the threshold of agents): it is
 * audited, and its relation is what bounds it (new version = old + difference). It keeps the
 * programs of a month apart from those of the months before where their differences are
 * unknown. Returns dead[rel] (new memory). */
static uint8_t *vacuous_relations(const struct stats_system *s)
{
	uint8_t *dead = xcalloc(s->n_rels + 1, 1);
	uint32_t *uses = xcalloc(s->n_cells + 1, sizeof *uses);

	for (size_t i = 0; i < s->n_rels; i++) {
		const struct stats_rel *rel = &s->rels[i];

		if (!STATS_REL_AUDITED(rel))
			continue;
		for (uint32_t j = 0; j < rel->n; j++) {
			const struct stats_cell *c = &s->cells[rel->cells[j]];

			if (hidden(c) && !nonneg(c) && !c->sensitive &&
			    uses[rel->cells[j]] < UINT32_MAX)
				uses[rel->cells[j]]++;
		}
	}
	for (size_t i = 0; i < s->n_rels; i++) {
		const struct stats_rel *rel = &s->rels[i];

		if (!STATS_REL_AUDITED(rel))
			continue;
		for (uint32_t j = 0; j < rel->n && !dead[i]; j++) {
			const struct stats_cell *c = &s->cells[rel->cells[j]];

			if (hidden(c) && !nonneg(c) && !c->sensitive && uses[rel->cells[j]] == 1 &&
			    rel->coef[j] != 0)
				dead[i] = 1;
		}
	}
	free(uses);
	return dead;
}

enum err_code stats_audit_run(const struct stats_system *s, const struct stats_rules *r,
                              struct stats_audit *out, struct err *e)
{
	return stats_audit_run_cached(s, r, NULL, out, e);
}

enum err_code stats_audit_run_cached(const struct stats_system *s, const struct stats_rules *r,
                                     struct stats_audit_cache *cache, struct stats_audit *out,
                                     struct err *e)
{
	uint32_t *parent = NULL, *col_of = NULL, *root_comp = NULL;
	uint32_t *rel_comp = NULL;
	uint8_t *dead = NULL;
	struct component *comps = NULL;
	size_t n_comps = 0, n_sensitive = 0;
	enum err_code rc = ERR_OK;

	memset(out, 0, sizeof *out);
	glp_term_out(GLP_OFF);
	dead = vacuous_relations(s);
	parent = xmalloc((s->n_cells + 1) * sizeof *parent);
	for (size_t i = 0; i < s->n_cells; i++)
		parent[i] = (uint32_t)i;
	for (size_t i = 0; i < s->n_rels; i++) {
		const struct stats_rel *rel = &s->rels[i];
		int64_t first = -1;

		if (!STATS_REL_AUDITED(rel) || dead[i])
			continue;
		for (uint32_t j = 0; j < rel->n; j++) {
			if (!hidden(&s->cells[rel->cells[j]]))
				continue;
			if (first < 0)
				first = rel->cells[j];
			else
				parent[uf_find(parent, rel->cells[j])] =
				    uf_find(parent, (uint32_t)first);
		}
	}
	/* Components holding a sensitive hidden cell. */
	root_comp = xmalloc((s->n_cells + 1) * sizeof *root_comp);
	for (size_t i = 0; i < s->n_cells; i++)
		root_comp[i] = UINT32_MAX;
	for (size_t i = 0; i < s->n_cells; i++) {
		const struct stats_cell *c = &s->cells[i];
		uint32_t root;

		if (!hidden(c) || !c->sensitive)
			continue;
		n_sensitive++;
		root = uf_find(parent, (uint32_t)i);
		if (root_comp[root] == UINT32_MAX) {
			root_comp[root] = (uint32_t)n_comps++;
		}
	}
	comps = xcalloc(n_comps + 1, sizeof *comps);
	/* count, then fill */
	for (size_t i = 0; i < s->n_cells; i++) {
		uint32_t rt;

		if (!hidden(&s->cells[i]))
			continue;
		rt = root_comp[uf_find(parent, (uint32_t)i)];
		if (rt != UINT32_MAX)
			comps[rt].n_cols++;
	}
	rel_comp = xmalloc((s->n_rels + 1) * sizeof *rel_comp);
	for (size_t i = 0; i < s->n_rels; i++) {
		const struct stats_rel *rel = &s->rels[i];

		rel_comp[i] = UINT32_MAX;
		for (uint32_t j = 0; j < rel->n && STATS_REL_AUDITED(rel) && !dead[i]; j++)
			if (hidden(&s->cells[rel->cells[j]])) {
				rel_comp[i] = root_comp[uf_find(parent, rel->cells[j])];
				break;
			}
		if (rel_comp[i] != UINT32_MAX)
			comps[rel_comp[i]].n_rows++;
	}
	for (size_t k = 0; k < n_comps; k++) {
		if (comps[k].n_cols > AUDIT_MAX_COMPONENT) {
			rc = err_set(e, ERR_TOO_BIG, "audit",
			             "%zu hidden cells are linked in one program (at most %d)",
			             comps[k].n_cols, AUDIT_MAX_COMPONENT);
			goto out;
		}
		if (comps[k].n_cols > out->largest_component)
			out->largest_component = comps[k].n_cols;
		comps[k].cols = xmalloc((comps[k].n_cols + 1) * sizeof *comps[k].cols);
		comps[k].rows = xmalloc((comps[k].n_rows + 1) * sizeof *comps[k].rows);
		comps[k].n_cols = comps[k].n_rows = 0;
	}
	for (size_t i = 0; i < s->n_cells; i++) {
		uint32_t rt;

		if (!hidden(&s->cells[i]))
			continue;
		rt = root_comp[uf_find(parent, (uint32_t)i)];
		if (rt != UINT32_MAX)
			comps[rt].cols[comps[rt].n_cols++] = (uint32_t)i;
	}
	for (size_t i = 0; i < s->n_rels; i++)
		if (rel_comp[i] != UINT32_MAX)
			comps[rel_comp[i]].rows[comps[rel_comp[i]].n_rows++] = (uint32_t)i;

	out->iv = xcalloc(n_sensitive + 1, sizeof *out->iv);
	if (cache && cache->n_passed_cap < s->n_cells) {
		free(cache->passed);
		cache->passed = xcalloc(s->n_cells + 1, sizeof *cache->passed);
		cache->n_passed_cap = s->n_cells;
	}
	col_of = xcalloc(s->n_cells + 1, sizeof *col_of);
	for (size_t k = 0; k < n_comps && rc == ERR_OK; k++) {
		uint64_t sig = signature(comps[k].cols, comps[k].n_cols);
		struct cache_entry *ce = cache ? cache_slot(cache, sig, 0) : NULL;
		size_t first = out->n;

		if (ce) {
			memcpy(&out->iv[out->n], ce->iv, ce->n * sizeof *ce->iv);
			out->n += ce->n;
			continue;
		}
		if (cache && all_frozen(s, &comps[k])) {
			/* the very programs their own audit solved when they were frozen */
			for (size_t j = 0; j < comps[k].n_cols; j++) {
				const struct stats_cell *c = &s->cells[comps[k].cols[j]];
				struct stats_interval *iv;

				if (!c->sensitive)
					continue;
				iv = &out->iv[out->n++];
				memset(iv, 0, sizeof *iv);
				iv->cell = comps[k].cols[j];
				iv->need = stats_required_margin(r, c->value);
				iv->lo = -HUGE_VAL;
				iv->hi = HUGE_VAL;
				iv->pass = 1;
			}
			continue;
		}
		rc = audit_component(s, r, &comps[k], col_of, cache, out, e);
		if (rc == ERR_OK && cache && (ce = cache_slot(cache, sig, 1)) != NULL) {
			ce->sig = sig;
			ce->n = out->n - first;
			ce->iv = xmalloc((ce->n + 1) * sizeof *ce->iv);
			memcpy(ce->iv, &out->iv[first], ce->n * sizeof *ce->iv);
			cache->n++;
		}
	}
	if (rc == ERR_OK) {
		/* report in cell order, whatever the component order */
		qsort(out->iv, out->n, sizeof *out->iv, cmp_iv);
		for (size_t i = 0; i < out->n; i++)
			out->n_fail += !out->iv[i].pass;
	}
out:
	for (size_t k = 0; k < n_comps; k++) {
		free(comps[k].cols);
		free(comps[k].rows);
	}
	free(comps);
	free(parent);
	free(col_of);
	free(root_comp);
	free(rel_comp);
	free(dead);
	if (rc != ERR_OK)
		stats_audit_release(out);
	return rc;
}

static int same_bound(double x, double y)
{
	return (isinf(x) && isinf(y) && (x > 0) == (y > 0)) || fabs(x - y) < 1e-6;
}

enum err_code stats_audit_earlier(const struct stats_system *s, const struct stats_rules *r,
                                  struct stats_audit *a, size_t *n_earlier, struct err *e)
{
	struct stats_system t;
	struct stats_audit ta = {0};
	uint32_t *map = NULL, *cells = NULL;
	uint8_t *target = NULL;
	size_t n_target = 0, marked = 0;
	enum err_code rc = ERR_OK;

	if (n_earlier)
		*n_earlier = 0;
	for (size_t i = 0; i < a->n; i++)
		n_target += !a->iv[i].pass && s->cells[a->iv[i].cell].frozen;
	if (n_target == 0)
		return ERR_OK;
	target = xcalloc(s->n_cells + 1, 1);
	for (size_t i = 0; i < a->n; i++)
		if (!a->iv[i].pass && s->cells[a->iv[i].cell].frozen)
			target[a->iv[i].cell] = 1;
	/* the earlier releases' cells as they are (their knowledge of differences too, so
	 * that this system holds a subset of the full one's constraints); only the targets
	 * are audited (a sensitive difference stays one: it keeps its relation) */
	stats_system_init(&t);
	map = xmalloc((s->n_cells + 1) * sizeof *map);
	for (size_t i = 0; i < s->n_cells && rc == ERR_OK; i++) {
		const struct stats_cell *c = &s->cells[i];
		uint32_t idx;
		char *key;

		map[i] = UINT32_MAX;
		if (!c->frozen)
			continue;
		if ((rc = stats_system_cell(&t, c->key, &idx, NULL, e)) != ERR_OK)
			break;
		key = t.cells[idx].key;
		t.cells[idx] = *c;
		t.cells[idx].key = key;
		if (c->status != STATS_VIRTUAL)
			t.cells[idx].sensitive = target[i];
		map[i] = idx;
	}
	cells = xmalloc((s->n_cells + 1) * sizeof *cells);
	for (size_t i = 0; i < s->n_rels && rc == ERR_OK; i++) {
		const struct stats_rel *rel = &s->rels[i];
		uint32_t j;

		for (j = 0; j < rel->n && map[rel->cells[j]] != UINT32_MAX; j++)
			cells[j] = map[rel->cells[j]];
		if (j == rel->n)
			stats_system_rel(&t, (enum stats_op)rel->op, cells, rel->coef, rel->n);
	}
	if (rc == ERR_OK) {
		stats_system_finish(&t);
		rc = stats_audit_run(&t, r, &ta, e);
	}
	for (size_t i = 0; rc == ERR_OK && i < a->n; i++) {
		struct stats_interval *iv = &a->iv[i];
		struct stats_interval key = {.cell = map[iv->cell]}, *old;

		if (iv->pass || !target[iv->cell])
			continue;
		old = bsearch(&key, ta.iv, ta.n, sizeof *ta.iv, cmp_iv);
		if (old == NULL || !same_bound(old->lo, iv->lo) || !same_bound(old->hi, iv->hi))
			continue;
		iv->pass = 1;
		iv->earlier = 1;
		a->n_fail--;
		marked++;
	}
	if (n_earlier)
		*n_earlier = marked;
	stats_audit_release(&ta);
	stats_system_release(&t);
	free(map);
	free(cells);
	free(target);
	return rc;
}

void stats_audit_release(struct stats_audit *a)
{
	free(a->iv);
	memset(a, 0, sizeof *a);
}

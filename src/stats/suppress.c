/* suppress: the rules of disclosure control. Primary suppression (threshold, p% rule,
 * zeros of small units), secondary suppression to a fixed point over every equation of
 * the release, and the widening step the audit loop calls (docs/STATISTICS.md). */
#include "stats/stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static const char *const reason_names[] = {
    [STATS_R_NONE] = "",     [STATS_R_THRESHOLD] = "threshold", [STATS_R_DOMINANCE] = "dominance",
    [STATS_R_ZERO] = "zero", [STATS_R_SECONDARY] = "secondary", [STATS_R_DELTA] = "delta",
    [STATS_R_DESIGN] = "design",
};

const char *stats_reason_name(enum stats_reason r)
{
	return (unsigned)r < sizeof reason_names / sizeof reason_names[0] ? reason_names[r] : "";
}

int stats_reason_parse(const char *s, enum stats_reason *out)
{
	for (size_t i = 0; i < sizeof reason_names / sizeof reason_names[0]; i++)
		if (strcmp(s, reason_names[i]) == 0) {
			*out = (enum stats_reason)i;
			return 0;
		}
	return -1;
}

void stats_rules_default(struct stats_rules *r)
{
	*r = (struct stats_rules){
	    .threshold = 3,
	    .p_percent = 25,
	    .margin_abs = 2,
	    .margin_share = 10,
	    .margin_large = 20,
	    .closing_days = 15,
	    .max_rounds = 60,
	    .breakdown_agents = 20,
	    .breakdown_agents_region = 40,
	};
}

enum err_code stats_rules_check(const struct stats_rules *r, struct err *e)
{
	if (r->threshold < STATS_MIN_THRESHOLD || r->threshold > 1000)
		return err_set(e, ERR_INVALID, "threshold", "expected an integer from %d to 1000",
		               STATS_MIN_THRESHOLD);
	if (r->p_percent < 1 || r->p_percent > 100)
		return err_set(e, ERR_INVALID, "p", "expected a percentage from 1 to 100");
	if (r->margin_abs < 2 || r->margin_abs > 1000)
		return err_set(e, ERR_INVALID, "margin", "expected an integer from 2 to 1000");
	if (r->margin_share < 0 || r->margin_share > 100 || r->margin_large < 0)
		return err_set(e, ERR_INVALID, "margin_share",
		               "expected a percentage from 0 to 100");
	if (r->closing_days < 0 || r->closing_days > 366)
		return err_set(e, ERR_INVALID, "closing_days",
		               "expected a number of days from 0 to 366");
	if (r->breakdown_agents < 0 || r->breakdown_agents > 100000)
		return err_set(e, ERR_INVALID, "breakdown_agents",
		               "expected a number of agents from 0 to 100000");
	if (r->breakdown_agents_region < 0 || r->breakdown_agents_region > 100000)
		return err_set(e, ERR_INVALID, "breakdown_agents_region",
		               "expected a number of agents from 0 to 100000");
	if (r->max_rounds < 1 || r->max_rounds > 10000)
		return err_set(e, ERR_INVALID, "max_rounds", "expected an integer from 1 to 10000");
	return ERR_OK;
}

int64_t stats_required_margin(const struct stats_rules *r, int64_t v)
{
	int64_t a = v < 0 ? -v : v, m = r->margin_abs;

	if (a > r->margin_large) {
		int64_t share = (a * r->margin_share + 99) / 100;

		if (share > m)
			m = share;
	}
	return m;
}

int stats_breakdown_size(const struct stats_rules *r, int level)
{
	return level == 1 && r->breakdown_agents_region > r->breakdown_agents
	           ? r->breakdown_agents_region
	           : r->breakdown_agents;
}

/* ---- Primary ---------------------------------------------------------------------- */

/* The p% rule: the second largest contributor, subtracting its own share from the cell,
 * must not learn the largest one within p per cent: sensitive when
 * value - top1 - top2 < p/100 * top1. */
static int dominated(const struct stats_cell *c, int p)
{
	int64_t rest = c->value - c->top1 - c->top2;

	if (c->top1 <= 0)
		return 0;
	return rest * 100 < (int64_t)p * c->top1;
}

/* The p% rule the other way: the largest contributor, subtracting their own share, learns
 * the sum of the others, so the second largest lies between 0 and value - top1 for them;
 * sensitive when that interval stops short of the audit's margin above the second
 * largest (value - top1 - top2 < margin(top2)). The p% rule already gives the largest
 * p per cent of their own share, more than the margin above 2; what this adds are cells of
 * three agents the smallest of whom contributed 1 (1 + 1 + 1: each of the others is then
 * within [0, 2] for an agent who knows their own part, as a manager who inspects does). */
static int insider_learns(const struct stats_cell *c, const struct stats_rules *r)
{
	int64_t rest = c->value - c->top1 - c->top2;

	if (c->top2 <= 0)
		return 0;
	return rest < stats_required_margin(r, c->top2);
}

/* A difference between releases (the late entries of a cell): what an attacker learns
 * from it is the net change of the cell, so it is a cell like any other, counted over the
 * records changed since (docs/STATISTICS.md, "Differences between releases"):
 * - a zero change reveals nothing about anyone (the figure did not move), whoever edited
 *   records that happen to count in it: not sensitive (before, the p% rule ran on the
 *   zero difference with the edited records' contributions and flagged every cell those
 *   records touched: a few late edits hid half of a new version);
 * - a change by fewer than the threshold of agents is sensitive; n_contrib counts the
 *   distinct authors of the changed records of the unit and period (release.c), since a
 *   record that left the cell (a kind changed) no longer contributes to it and its author
 *   must still count;
 * - the p% rule runs on the size of the change against the two largest contributions of
 *   the changed records to the cell (their new state): a change made mostly by one
 *   agent is sensitive. */
static int delta_sensitive(const struct stats_cell *c, const struct stats_rules *r)
{
	struct stats_cell a = *c;

	if (c->value == 0)
		return 0;
	if (c->n_contrib > 0 && c->n_contrib < r->threshold)
		return 1;
	a.value = c->value < 0 ? -c->value : c->value;
	return dominated(&a, r->p_percent);
}

size_t stats_primary(struct stats_system *s, const struct stats_rules *r)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_cells; i++) {
		struct stats_cell *c = &s->cells[i];
		enum stats_reason why = STATS_R_NONE;

		if (c->frozen)
			continue;
		if (c->status == STATS_VIRTUAL) {
			c->sensitive = delta_sensitive(c, r);
			c->reason = STATS_R_DELTA;
			n += c->sensitive;
			continue;
		}
		if (c->value != 0 && c->n_contrib < r->threshold)
			why = STATS_R_THRESHOLD;
		else if (c->value != 0 && (dominated(c, r->p_percent) || insider_learns(c, r)))
			why = STATS_R_DOMINANCE;
		else if (c->value == 0 && c->population >= 0 && c->population < r->threshold)
			why = STATS_R_ZERO;
		if (why != STATS_R_NONE) {
			c->sensitive = 1;
			c->status = STATS_SUPPRESSED;
			if (c->reason != STATS_R_DESIGN)
				c->reason = (uint8_t)why;
			n++;
		}
	}
	return n;
}

/* ---- Secondary -------------------------------------------------------------------- */

/* Lower is cheaper: a cell big enough to protect need, a breakdown before a total (the
 * totals are the figures a unit publishes monthly whatever its size: hiding a
 * department's breakdown cell costs less than a unit's interventions of the month), low
 * in the hierarchy (units before departments before regions; the national level last),
 * small, then by key. */
static int cheaper(const struct stats_cell *a, const struct stats_cell *b, int64_t need)
{
	int a_short = a->value < need, b_short = b->value < need;

	if (a_short != b_short)
		return a_short < b_short;
	if (a->total != b->total)
		return a->total < b->total;
	if (a->level != b->level)
		return a->level > b->level;
	if (a->value != b->value)
		return a_short ? a->value > b->value : a->value < b->value;
	return strcmp(a->key, b->key) < 0;
}

static int publishable(const struct stats_cell *c)
{
	return c->status == STATS_PUBLISHED && !c->frozen;
}

/* The cheapest publishable cell of relation rel other than skip, or -1. */
static int64_t best_in(const struct stats_system *s, const struct stats_rel *rel, int64_t need,
                       int64_t best)
{
	for (uint32_t j = 0; j < rel->n; j++) {
		const struct stats_cell *c = &s->cells[rel->cells[j]];

		if (!publishable(c))
			continue;
		if (best < 0 || cheaper(c, &s->cells[best], need))
			best = rel->cells[j];
	}
	return best;
}

/* Hidden for the count of the secondary suppression: a difference between releases that
 * is not sensitive is taken as known (an attacker may assume no late entries), so an
 * equation holding one month's secret and a YTD difference gets a partner. */
static int counts_hidden(const struct stats_cell *c)
{
	return stats_cell_hidden(c) && !(c->status == STATS_VIRTUAL && !c->sensitive);
}

/* A cell hidden by design that is not sensitive needs no partner of its own: nothing
 * about anyone is learnt from it (when it protects a sensitive cell, the audit says
 * whether it still does). */
static int matters(const struct stats_cell *c)
{
	if (c->status == STATS_SUPPRESSED)
		return c->reason != STATS_R_DESIGN || c->sensitive;
	return c->status == STATS_VIRTUAL && c->sensitive;
}

static void hide(struct stats_cell *c)
{
	c->status = STATS_SUPPRESSED;
	if (c->reason == STATS_R_NONE)
		c->reason = STATS_R_SECONDARY;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* Lower is cheaper, for a difference chosen as a partner: a change at least the margin
 * (an attacker who takes it for 0 is off by that much), low in the hierarchy, small,
 * then by key. */
static int cheaper_delta(const struct stats_cell *a, const struct stats_cell *b, int64_t need)
{
	int a_short = abs64(a->value) < need, b_short = abs64(b->value) < need;

	if (a_short != b_short)
		return a_short < b_short;
	if (a->level != b->level)
		return a->level > b->level;
	if (abs64(a->value) != abs64(b->value))
		return a_short ? abs64(a->value) > abs64(b->value)
		               : abs64(a->value) < abs64(b->value);
	return strcmp(a->key, b->key) < 0;
}

/* An equation between differences (a department's change = its units' changes) holding
 * exactly one sensitive change: the others are taken as known (an attacker may assume no
 * late entries where there were too few to matter, docs/STATISTICS.md), so it would come
 * out by subtraction. A second change of the equation is protected with it: marked
 * sensitive, so that it is audited and its own release relation hides the new cell
 * (new = old + change). A zero change cannot be a partner (taking it for 0 is right).
 * Returns 1 when a partner was marked. */
static int delta_partner(struct stats_system *s, const struct stats_rules *r,
                         const struct stats_rel *rel, int *stuck)
{
	int64_t lone = -1, best = -1, need;
	uint32_t n_sens = 0;

	for (uint32_t j = 0; j < rel->n && n_sens < 2; j++) {
		const struct stats_cell *c = &s->cells[rel->cells[j]];

		if (c->status == STATS_VIRTUAL && c->sensitive && !c->known) {
			if (lone != rel->cells[j])
				n_sens++;
			lone = rel->cells[j];
		}
	}
	if (n_sens != 1)
		return 0;
	need = stats_required_margin(r, s->cells[lone].value);
	for (uint32_t j = 0; j < rel->n; j++) {
		const struct stats_cell *c = &s->cells[rel->cells[j]];

		if (c->status != STATS_VIRTUAL || c->sensitive || c->frozen || c->known ||
		    c->value == 0)
			continue;
		if (best < 0 || cheaper_delta(c, &s->cells[best], need))
			best = rel->cells[j];
	}
	if (best < 0) {
		if (stuck)
			*stuck = 1;
		return 0;
	}
	s->cells[best].sensitive = 1;
	s->cells[best].reason = STATS_R_DELTA;
	return 1;
}

/* The margin a partner of hidden cell c should cover. An earlier release's cell hidden to
 * protect another (a year to date carried forward) needs no margin of its own: what it
 * protects does, at least the smallest margin, and the audit checks it across the two
 * releases. So a month of a few follow-ups can carry a year to date of hundreds, which
 * is then published again. */
static int64_t partner_need(const struct stats_system *s, const struct stats_rules *r,
                            uint32_t c)
{
	const struct stats_cell *x = &s->cells[c];

	return stats_required_margin(r, x->frozen && !x->sensitive ? 0 : x->value);
}

/* 1 when cells a and b belong to the same release (their keys' tag, up to '|'). */
static int same_release(const struct stats_cell *a, const struct stats_cell *b)
{
	size_t n = strcspn(a->key, "|");

	return strncmp(a->key, b->key, n) == 0 && b->key[n] == '|';
}

/* The floor of the year to date rel defines (C(M) = C(M-1) + month(M) + late entries, or
 * C(M) = Q + C(M-3) + late entries): what was public before its release, the earlier
 * releases' published cells and the known differences, when the rest is hidden (a cell of
 * its own release published would add to it); 0 when there is none. */
static int64_t ytd_floor(const struct stats_system *s, const struct stats_rel *rel)
{
	const struct stats_cell *c = &s->cells[rel->cells[0]];
	int64_t f = 0;

	for (uint32_t j = 1; j < rel->n; j++) {
		const struct stats_cell *x = &s->cells[rel->cells[j]];

		if (rel->coef[j] != -1 || (stats_cell_hidden(x) && x->free_sign))
			return 0;
		if (stats_cell_hidden(x))
			continue;
		if (x->status != STATS_VIRTUAL &&
		    (!x->frozen || (c->frozen && same_release(c, x))))
			return 0;
		f += x->value;
	}
	return f > 0 && f <= c->value ? f : 0;
}

void stats_link_known(struct stats_system *s)
{
	for (size_t i = 0; i < s->n_rels; i++) {
		const struct stats_rel *rel = &s->rels[i];
		int new_hidden, earlier_hidden = 0;

		if (rel->op != STATS_EQ || rel->n < 2)
			continue;
		new_hidden = s->cells[rel->cells[0]].status != STATS_PUBLISHED;
		for (uint32_t j = 1; j < rel->n; j++) {
			const struct stats_cell *c = &s->cells[rel->cells[j]];

			earlier_hidden |= c->frozen && c->status == STATS_SUPPRESSED;
		}
		for (uint32_t j = 1; j < rel->n; j++) {
			struct stats_cell *d = &s->cells[rel->cells[j]];

			if (d->status != STATS_VIRTUAL || d->sensitive)
				continue;
			/* within the release being made only: an earlier release's own was
			 * checked when it was made, and binding them all joins the year */
			if (d->period_delta == STATS_PD_YTD)
				d->known = !new_hidden || (!earlier_hidden && !d->frozen);
			else if (d->period_delta == STATS_PD_QUARTER)
				d->known = !new_hidden;
		}
	}
	for (size_t i = 0; i < s->n_cells; i++)
		s->cells[i].floor = 0;
	for (size_t i = 0; i < s->n_rels; i++) {
		const struct stats_rel *rel = &s->rels[i];

		if (rel->op != STATS_EQ || rel->n < 2 || rel->coef[0] != 1)
			continue;
		for (uint32_t j = 1; j < rel->n; j++)
			if (s->cells[rel->cells[j]].period_delta != STATS_PD_NONE) {
				struct stats_cell *c = &s->cells[rel->cells[0]];
				int64_t f = ytd_floor(s, rel);

				if (f > c->floor)
					c->floor = f;
				break;
			}
	}
}

size_t stats_secondary(struct stats_system *s, const struct stats_rules *r, int *stuck)
{
	size_t added = 0;
	int changed = 1;

	if (stuck)
		*stuck = 0;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < s->n_rels; i++) {
			const struct stats_rel *rel = &s->rels[i];
			int64_t hidden = -1, best;
			uint32_t n_hidden = 0;

			if (rel->op == STATS_TIE) {
				struct stats_cell *x = &s->cells[rel->cells[0]],
				                  *y = &s->cells[rel->cells[1]];

				if (x->status == STATS_SUPPRESSED && publishable(y)) {
					hide(y);
					added++;
					changed = 1;
				} else if (y->status == STATS_SUPPRESSED && publishable(x)) {
					hide(x);
					added++;
					changed = 1;
				}
				continue;
			}
			if (rel->op == STATS_TIE_SECRET) {
				const struct stats_cell *x = &s->cells[rel->cells[0]];
				struct stats_cell *y = &s->cells[rel->cells[1]];
				int64_t room = y->value;

				/* the quarter bounds the month from above by itself less the
				 * other months published: harmless when that leaves the month
				 * its margin */
				for (uint32_t j = 2; j < rel->n; j++)
					if (s->cells[rel->cells[j]].status == STATS_PUBLISHED)
						room -= s->cells[rel->cells[j]].value;
				if (matters(x) && publishable(y) &&
				    room < x->value + stats_required_margin(r, x->value)) {
					hide(y);
					added++;
					changed = 1;
				}
				continue;
			}
			if (rel->op == STATS_DELTA_EQ) {
				if (delta_partner(s, r, rel, stuck)) {
					added++;
					changed = 1;
				}
				continue;
			}
			if (rel->op != STATS_EQ)
				continue;
			for (uint32_t j = 0; j < rel->n && n_hidden < 2; j++)
				if (counts_hidden(&s->cells[rel->cells[j]])) {
					if (hidden != rel->cells[j])
						n_hidden++;
					hidden = rel->cells[j];
				}
			if (n_hidden != 1 || !matters(&s->cells[hidden]))
				continue;
			best = best_in(s, rel, partner_need(s, r, (uint32_t)hidden), -1);
			if (best < 0) {
				if (stuck)
					*stuck = 1;
				continue;
			}
			hide(&s->cells[best]);
			added++;
			changed = 1;
		}
	}
	return added;
}

int64_t stats_widen(struct stats_system *s, const struct stats_rules *r, uint32_t c)
{
	int64_t need = stats_required_margin(r, s->cells[c].value), best = -1;
	uint32_t fewest = UINT32_MAX;

	if (s->by_cell_start == NULL)
		return -1;
	/* the equation with the fewest hidden cells first: the likeliest to bind (two
	 * secrets of a row that sum to a published rest), and a cell hidden elsewhere
	 * would not widen the interval */
	for (uint32_t k = s->by_cell_start[c]; k < s->by_cell_start[c + 1]; k++) {
		const struct stats_rel *rel = &s->rels[s->by_cell[k]];
		uint32_t n_hidden = 0;
		int64_t b;

		if (rel->op != STATS_EQ || (b = best_in(s, rel, need, -1)) < 0)
			continue;
		for (uint32_t j = 0; j < rel->n; j++)
			n_hidden += (uint32_t)stats_cell_hidden(&s->cells[rel->cells[j]]);
		if (n_hidden < fewest) {
			fewest = n_hidden;
			best = b;
		} else if (n_hidden == fewest && cheaper(&s->cells[b], &s->cells[best], need))
			best = b;
	}
	if (best < 0) {
		/* No equation of c has a publishable cell left: look one step further, in the
		 * equations of the hidden cells c is linked to. */
		for (uint32_t k = s->by_cell_start[c]; k < s->by_cell_start[c + 1]; k++) {
			const struct stats_rel *rel = &s->rels[s->by_cell[k]];

			for (uint32_t j = 0; j < rel->n; j++) {
				uint32_t d = rel->cells[j];

				if (d == c || !stats_cell_hidden(&s->cells[d]))
					continue;
				for (uint32_t q = s->by_cell_start[d]; q < s->by_cell_start[d + 1];
				     q++)
					if (s->rels[s->by_cell[q]].op == STATS_EQ)
						best =
						    best_in(s, &s->rels[s->by_cell[q]], need, best);
			}
		}
	}
	if (best < 0)
		return -1;
	hide(&s->cells[best]);
	return best;
}

/* Hides the cheapest publishable cell of every equation of c that has one (and, with
 * deep, of every equation of the hidden cells linked to c): the fallback for a cell the
 * one-at-a-time widening has not protected after a few rounds. Returns the count. */
static size_t widen_all(struct stats_system *s, const struct stats_rules *r, uint32_t c, int deep)
{
	int64_t need = stats_required_margin(r, s->cells[c].value);
	size_t added = 0;

	for (uint32_t k = s->by_cell_start[c]; k < s->by_cell_start[c + 1]; k++) {
		const struct stats_rel *rel = &s->rels[s->by_cell[k]];
		int64_t best;

		/* inequalities count here: a published cell below (or above) c bounds it */
		if ((best = best_in(s, rel, need, -1)) >= 0) {
			hide(&s->cells[best]);
			added++;
		}
		if (rel->op != STATS_EQ)
			continue;
		if (!deep)
			continue;
		for (uint32_t j = 0; j < rel->n; j++) {
			uint32_t d = rel->cells[j];

			if (d == c || !stats_cell_hidden(&s->cells[d]))
				continue;
			for (uint32_t q = s->by_cell_start[d]; q < s->by_cell_start[d + 1]; q++) {
				const struct stats_rel *rd = &s->rels[s->by_cell[q]];

				if (rd->op == STATS_EQ && (best = best_in(s, rd, need, -1)) >= 0) {
					hide(&s->cells[best]);
					added++;
				}
			}
		}
	}
	return added;
}

#define FAR_MAX_DEPTH 8
#define FAR_MAX_VISIT 200000

/* The last resort for a cell whose own equations and those one step away have nothing
 * left to hide (a department equal to its region, which the nation's equation pins):
 * walks the equations through hidden cells, breadth first, and hides the cheapest
 * publishable cell of the nearest layer that has one. Returns it, or -1. */
static int64_t widen_far(struct stats_system *s, const struct stats_rules *r, uint32_t c)
{
	int64_t need = stats_required_margin(r, s->cells[c].value), best = -1;
	uint8_t *seen = xcalloc(s->n_cells + 1, 1);
	uint32_t *queue = xmalloc(FAR_MAX_VISIT * sizeof *queue);
	size_t head = 0, tail = 0;

	queue[tail++] = c;
	seen[c] = 1;
	for (int depth = 0; depth < FAR_MAX_DEPTH && head < tail && best < 0; depth++) {
		size_t end = tail;

		for (; head < end; head++) {
			uint32_t x = queue[head];

			for (uint32_t k = s->by_cell_start[x]; k < s->by_cell_start[x + 1]; k++) {
				const struct stats_rel *rel = &s->rels[s->by_cell[k]];

				if (rel->op != STATS_EQ)
					continue;
				best = best_in(s, rel, need, best);
				for (uint32_t j = 0; j < rel->n; j++) {
					uint32_t d = rel->cells[j];

					if (seen[d] || !stats_cell_hidden(&s->cells[d]) ||
					    tail >= FAR_MAX_VISIT)
						continue;
					seen[d] = 1;
					queue[tail++] = d;
				}
			}
		}
	}
	free(seen);
	free(queue);
	if (best >= 0)
		hide(&s->cells[best]);
	return best;
}

/* 1 when a relation of c got a newly hidden cell this round. */
static int touched_near(const struct stats_system *s, const uint8_t *touched, uint32_t c)
{
	for (uint32_t k = s->by_cell_start[c]; k < s->by_cell_start[c + 1]; k++)
		if (touched[s->by_cell[k]])
			return 1;
	return 0;
}

/* ---- The loop --------------------------------------------------------------------- */

enum err_code stats_protect(struct stats_system *s, const struct stats_rules *r, int *passed,
                            struct stats_audit *audit, FILE *log, struct err *e)
{
	struct stats_audit a = {0};
	uint8_t *touched = NULL, *fails = NULL;
	struct stats_audit_cache *cache = stats_audit_cache_new();
	enum err_code rc;
	size_t primary, earlier = 0;
	int stuck;

	*passed = 0;
	if ((rc = stats_rules_check(r, e)) != ERR_OK)
		return rc;
	if (s->by_cell_start == NULL)
		stats_system_finish(s);
	primary = stats_primary(s, r);
	touched = xmalloc(s->n_rels + 1);
	fails = xcalloc(s->n_cells + 1, 1);
	if (log)
		fprintf(log, "protect: %zu cells, %zu relations, %zu primary\n", s->n_cells,
		        s->n_rels, primary);
	for (int round = 1; round <= r->max_rounds; round++) {
		size_t added = stats_secondary(s, r, &stuck), widened = 0;

		stats_audit_release(&a);
		stats_link_known(s);
		if ((rc = stats_audit_run_cached(s, r, cache, &a, e)) != ERR_OK ||
		    (rc = stats_audit_earlier(s, r, &a, &earlier, e)) != ERR_OK) {
			free(touched);
			free(fails);
			stats_audit_cache_free(cache);
			return rc;
		}
		if (log && earlier)
			fprintf(log,
			        "protect: round %d: %zu cells of earlier releases as narrow over "
			        "them alone (given away before, not by this release)\n",
			        round, earlier);
		if (log)
			fprintf(
			    log,
			    "protect: round %d: %zu secondary added, %zu audited, %zu too narrow "
			    "(%zu LP, %zu MIP, largest component %zu)\n",
			    round, added, a.n, a.n_fail, a.n_lp, a.n_mip, a.largest_component);
		if (a.n_fail == 0) {
			*passed = 1;
			break;
		}
		if (log && getenv("CONSTAT_STATS_DEBUG"))
			for (size_t i = 0, shown = 0; i < a.n && shown < 8; i++)
				if (!a.iv[i].pass) {
					const struct stats_cell *c = &s->cells[a.iv[i].cell];

					fprintf(log,
					        "protect:   narrow %s = %lld in [%g, %g] (n=%d)\n",
					        c->key, (long long)c->value, a.iv[i].lo, a.iv[i].hi,
					        c->n_contrib);
					if (shown == 0 && getenv("CONSTAT_STATS_DEBUG")[0] == '2')
						for (uint32_t k = s->by_cell_start[a.iv[i].cell];
						     k < s->by_cell_start[a.iv[i].cell + 1]; k++) {
							const struct stats_rel *rl =
							    &s->rels[s->by_cell[k]];

							fprintf(log,
							        "protect:     rel op %d:", rl->op);
							for (uint32_t j = 0; j < rl->n; j++)
								fprintf(
								    log, " %+d*%s=%lld[%c%s]",
								    rl->coef[j],
								    s->cells[rl->cells[j]].key,
								    (long long)s
								        ->cells[rl->cells[j]]
								        .value,
								    stats_cell_hidden(
								        &s->cells[rl->cells[j]])
								        ? 'H'
								        : 'p',
								    s->cells[rl->cells[j]].frozen
								        ? "f"
								        : "");
							fputc('\n', log);
						}
					shown++;
				}
		/* One more hidden cell near each failing cell, but not twice in the same
		 * neighbourhood in one round: the next audit decides whether it was enough. */
		memset(touched, 0, s->n_rels);
		for (size_t i = 0; i < a.n; i++) {
			uint32_t c = a.iv[i].cell;
			int64_t h;

			if (a.iv[i].pass)
				continue;
			if (fails[c] < 255)
				fails[c]++;
			if (fails[c] <= 3 && !touched_near(s, touched, c) &&
			    (h = stats_widen(s, r, c)) >= 0) {
				widened++;
				for (uint32_t k = s->by_cell_start[h]; k < s->by_cell_start[h + 1];
				     k++)
					touched[s->by_cell[k]] = 1;
				continue;
			}
			if (fails[c] <= 3 && touched_near(s, touched, c))
				continue;
			/* stubborn, or nothing left in its own equations: every equation around it
			 * at once, then one step further */
			{
				size_t n = fails[c] > 6 ? 0 : widen_all(s, r, c, 0);

				if (n == 0)
					n = widen_all(s, r, c, 1);
				if (n == 0 && widen_far(s, r, c) >= 0)
					n = 1;
				widened += n;
			}
		}
		if (widened == 0)
			break;
	}
	free(touched);
	free(fails);
	stats_audit_cache_free(cache);
	if (audit)
		*audit = a;
	else
		stats_audit_release(&a);
	return ERR_OK;
}

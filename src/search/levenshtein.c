/* levenshtein: bounded Damerau (OSA) walk over a sorted dictionary. */
#include "search/levenshtein.h"

#include <string.h>

#define W SEARCH_WORD_MAX

static const char *term(const struct search_lev_dict *d, uint32_t i)
{
	return d->arena + d->off[i];
}

uint32_t search_lev_lower(const struct search_lev_dict *d, const char *p, size_t plen, uint32_t lo,
                          uint32_t hi)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strncmp(term(d, mid), p, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t search_lev_upper(const struct search_lev_dict *d, const char *p, size_t plen, uint32_t lo,
                          uint32_t hi)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strncmp(term(d, mid), p, plen) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

/* Fills row[d] from rows d-1 and d-2 for term character t[d-1], with values saturated
 * at k+1 and only the diagonal band |j - d| <= k computed (Ukkonen's cut-off: nothing
 * outside it can be within k). Returns the row minimum. */
static int fill_row(uint8_t rows[W][W + 1], const char *t, size_t d, const char *w, size_t len,
                    int k)
{
	size_t lo = d > (size_t)k ? d - (size_t)k : 1, hi = d + (size_t)k;
	int m, cap = k + 1;

	rows[d][0] = (uint8_t)((int)d < cap ? (int)d : cap);
	m = rows[d][0];
	if (hi > len)
		hi = len;
	for (size_t j = 1; j < lo && j <= len; j++)
		rows[d][j] = (uint8_t)cap;
	for (size_t j = lo; j <= hi; j++) {
		int v = min3(rows[d - 1][j] + 1, rows[d][j - 1] + 1,
		             rows[d - 1][j - 1] + (t[d - 1] != w[j - 1]));

		if (d >= 2 && j >= 2 && t[d - 1] == w[j - 2] && t[d - 2] == w[j - 1] &&
		    rows[d - 2][j - 2] + 1 < v)
			v = rows[d - 2][j - 2] + 1;
		if (v > cap)
			v = cap;
		rows[d][j] = (uint8_t)v;
		if (v < m)
			m = v;
	}
	for (size_t j = hi + 1; j <= len; j++)
		rows[d][j] = (uint8_t)cap;
	return m;
}

/* The first index after i whose term does not start with the depth bytes of t:
 * galloping, as the next such term is usually close. */
static uint32_t skip_prefix(const struct search_lev_dict *d, const char *t, size_t depth,
                            uint32_t i)
{
	uint32_t lo = i + 1, step = 1, hi;

	while (lo < d->n && strncmp(term(d, lo), t, depth) == 0) {
		hi = lo + step;
		if (hi >= d->n || strncmp(term(d, hi), t, depth) != 0)
			return search_lev_upper(d, t, depth, lo + 1, hi < d->n ? hi : d->n);
		lo = hi;
		step *= 2;
	}
	return lo;
}

size_t search_lev_walk(const struct search_lev_dict *d, const char *word, size_t len, int k,
                       int prefix_mode, search_lev_cb cb, void *ctx)
{
	uint8_t rows[W][W + 1];
	uint8_t pmin[W]; /* smallest rows[x][len] for x <= depth */
	char cur[W];     /* characters of the rows computed */
	size_t depth = 0, reports = 0;
	uint32_t i = 0;

	if (d == NULL || d->n == 0 || len >= W || k < 0)
		return 0;
	for (size_t j = 0; j <= len; j++)
		rows[0][j] = (uint8_t)((int)j <= k ? (int)j : k + 1);
	pmin[0] = rows[0][len];
	while (i < d->n) {
		const char *t = term(d, i);
		size_t tl = strnlen(t, W), lcp = 0;
		int pruned = 0;

		if (tl >= W) {
			i++;
			continue;
		}
		while (lcp < depth && lcp < tl && t[lcp] == cur[lcp])
			lcp++;
		depth = lcp;
		while (depth < tl) {
			int m;

			cur[depth] = t[depth];
			depth++;
			m = fill_row(rows, t, depth, word, len, k);
			pmin[depth] =
			    rows[depth][len] < pmin[depth - 1] ? rows[depth][len] : pmin[depth - 1];
			if (m > k && !(prefix_mode && pmin[depth] <= k)) {
				/* no term under t[0..depth) can come within k: skip them all */
				uint32_t next = skip_prefix(d, t, depth, i);

				i = next > i ? next : i + 1;
				pruned = 1;
				break;
			}
		}
		if (pruned)
			continue;
		if (prefix_mode ? pmin[tl] <= k : rows[tl][len] <= k) {
			int dist = prefix_mode ? pmin[tl] : rows[tl][len];
			int pre = prefix_mode && rows[tl][len] != dist;

			reports++;
			if (cb(ctx, i, dist, pre) != 0)
				break;
		}
		i++;
	}
	return reports;
}

int search_lev_distance(const char *a, const char *b, int prefix)
{
	uint8_t rows[W][W + 1];
	size_t la = strnlen(a, W - 1), lb = strnlen(b, W - 1);
	int best;

	for (size_t j = 0; j <= la; j++)
		rows[0][j] = (uint8_t)j;
	best = (int)la;
	for (size_t dd = 1; dd <= lb; dd++) {
		fill_row(rows, b, dd, a, la, 250);
		if (rows[dd][la] < best)
			best = rows[dd][la];
	}
	return prefix ? best : rows[lb][la];
}

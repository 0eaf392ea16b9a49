/* system: the linear system of a release: cells (by key, hashed) and relations between
 * them, with the cell -> relations index the suppression and the audit walk. */
#include "stats/stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static uint64_t hash_key(const char *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return h;
}

void stats_system_init(struct stats_system *s)
{
	memset(s, 0, sizeof *s);
}

void stats_system_release(struct stats_system *s)
{
	for (size_t i = 0; i < s->n_cells; i++)
		free(s->cells[i].key);
	for (size_t i = 0; i < s->n_rels; i++) {
		free(s->rels[i].cells);
		free(s->rels[i].coef);
	}
	free(s->cells);
	free(s->rels);
	free(s->index);
	free(s->by_cell_start);
	free(s->by_cell);
	memset(s, 0, sizeof *s);
}

static void index_grow(struct stats_system *s)
{
	size_t cap = s->index_cap ? s->index_cap * 2 : 1024;
	uint32_t *ix = xcalloc(cap, sizeof *ix);

	for (size_t i = 0; i < s->n_cells; i++) {
		size_t h = (size_t)hash_key(s->cells[i].key) & (cap - 1);

		while (ix[h])
			h = (h + 1) & (cap - 1);
		ix[h] = (uint32_t)i + 1;
	}
	free(s->index);
	s->index = ix;
	s->index_cap = cap;
}

int64_t stats_system_find(const struct stats_system *s, const char *key)
{
	size_t h;

	if (s->index_cap == 0)
		return -1;
	h = (size_t)hash_key(key) & (s->index_cap - 1);
	while (s->index[h]) {
		uint32_t c = s->index[h] - 1;

		if (strcmp(s->cells[c].key, key) == 0)
			return c;
		h = (h + 1) & (s->index_cap - 1);
	}
	return -1;
}

enum err_code stats_system_cell(struct stats_system *s, const char *key, uint32_t *idx,
                                int *created, struct err *e)
{
	int64_t found = stats_system_find(s, key);
	size_t h;

	if (created)
		*created = 0;
	if (found >= 0) {
		*idx = (uint32_t)found;
		return ERR_OK;
	}
	if (s->n_cells >= STATS_MAX_CELLS)
		return err_set(e, ERR_TOO_BIG, "cells", "more than %u cells in one release",
		               STATS_MAX_CELLS);
	if ((s->n_cells + 1) * 2 > s->index_cap)
		index_grow(s);
	if (s->n_cells == s->cap_cells) {
		s->cap_cells = s->cap_cells ? s->cap_cells * 2 : 1024;
		s->cells = xrealloc(s->cells, s->cap_cells * sizeof *s->cells);
	}
	memset(&s->cells[s->n_cells], 0, sizeof s->cells[0]);
	s->cells[s->n_cells].key = xstrdup(key);
	s->cells[s->n_cells].population = -1;
	h = (size_t)hash_key(key) & (s->index_cap - 1);
	while (s->index[h])
		h = (h + 1) & (s->index_cap - 1);
	s->index[h] = (uint32_t)s->n_cells + 1;
	*idx = (uint32_t)s->n_cells++;
	if (created)
		*created = 1;
	return ERR_OK;
}

void stats_system_rel(struct stats_system *s, enum stats_op op, const uint32_t *cells,
                      const int32_t *coef, uint32_t n)
{
	struct stats_rel *r;

	if (s->n_rels == s->cap_rels) {
		s->cap_rels = s->cap_rels ? s->cap_rels * 2 : 1024;
		s->rels = xrealloc(s->rels, s->cap_rels * sizeof *s->rels);
	}
	r = &s->rels[s->n_rels++];
	r->cells = xmalloc((n ? n : 1) * sizeof *r->cells);
	r->coef = xmalloc((n ? n : 1) * sizeof *r->coef);
	memcpy(r->cells, cells, n * sizeof *cells);
	memcpy(r->coef, coef, n * sizeof *coef);
	r->n = n;
	r->op = (uint8_t)op;
}

void stats_system_finish(struct stats_system *s)
{
	uint32_t *count = xcalloc(s->n_cells + 1, sizeof *count);
	size_t total = 0;

	free(s->by_cell_start);
	free(s->by_cell);
	for (size_t i = 0; i < s->n_rels; i++)
		for (uint32_t j = 0; j < s->rels[i].n; j++)
			count[s->rels[i].cells[j]]++;
	s->by_cell_start = xcalloc(s->n_cells + 1, sizeof *s->by_cell_start);
	for (size_t c = 0; c < s->n_cells; c++) {
		s->by_cell_start[c] = (uint32_t)total;
		total += count[c];
	}
	s->by_cell_start[s->n_cells] = (uint32_t)total;
	s->by_cell = xmalloc((total ? total : 1) * sizeof *s->by_cell);
	memset(count, 0, (s->n_cells + 1) * sizeof *count);
	for (size_t i = 0; i < s->n_rels; i++)
		for (uint32_t j = 0; j < s->rels[i].n; j++) {
			uint32_t c = s->rels[i].cells[j];

			s->by_cell[s->by_cell_start[c] + count[c]++] = (uint32_t)i;
		}
	free(count);
}

/* refdata: parses the embedded TSV tables once (see refdata.h). */
#include "domain/refdata.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

extern const unsigned char refdata_regions[], refdata_departments[], refdata_communes[],
	refdata_postcodes[], refdata_naf[];
extern const size_t refdata_regions_len, refdata_departments_len, refdata_communes_len,
	refdata_postcodes_len, refdata_naf_len;

static struct refdata data;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Splits a copy of an embedded TSV into rows of ncol fields, skipping the header.
 * Returns new memory: an array of n rows x ncol pointers into the copy, which the caller
 * frees; the copy itself lives until the process ends. */
static const char **split(const unsigned char *src, size_t len, int ncol, size_t *n_rows)
{
	char *text = xstrndup((const char *)src, len);
	size_t lines = 0, row = 0;
	const char **cells;
	char *p, *line;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	cells = xcalloc(lines * (size_t)ncol + 1, sizeof *cells);
	line = strchr(text, '\n'); /* skip the header */
	p = line ? line + 1 : text + len;
	while (*p) {
		char *end = strchr(p, '\n');

		if (end)
			*end = '\0';
		for (int c = 0; c < ncol; c++) {
			char *tab = c + 1 < ncol ? strchr(p, '\t') : NULL;

			cells[row * (size_t)ncol + (size_t)c] = p;
			if (tab) {
				*tab = '\0';
				p = tab + 1;
			} else if (c + 1 < ncol) {
				p += strlen(p); /* short row: remaining fields are "" */
			}
		}
		row++;
		if (!end)
			break;
		p = end + 1;
	}
	*n_rows = row;
	return cells;
}

static int cmp_postcode_commune(const void *a, const void *b)
{
	const struct refdata_postcode *x = a, *y = b;

	return strcmp(x->commune, y->commune);
}

/* Each record type starts with its code: one comparison sorts and searches them all. */
static int cmp_first(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void load(void)
{
	const char **c;
	size_t n;

	c = split(refdata_regions, refdata_regions_len, 2, &n);
	struct refdata_region *regions = xcalloc(n, sizeof *regions);
	for (size_t i = 0; i < n; i++)
		regions[i] = (struct refdata_region){c[i * 2], c[i * 2 + 1]};
	qsort(regions, n, sizeof *regions, cmp_first);
	data.regions = regions;
	data.n_regions = n;

	free(c);
	c = split(refdata_departments, refdata_departments_len, 3, &n);
	struct refdata_department *deps = xcalloc(n, sizeof *deps);
	for (size_t i = 0; i < n; i++)
		deps[i] = (struct refdata_department){c[i * 3], c[i * 3 + 1], c[i * 3 + 2]};
	qsort(deps, n, sizeof *deps, cmp_first);
	data.departments = deps;
	data.n_departments = n;

	free(c);
	c = split(refdata_postcodes, refdata_postcodes_len, 3, &n);
	struct refdata_postcode *pcs = xcalloc(n, sizeof *pcs);
	for (size_t i = 0; i < n; i++)
		pcs[i] = (struct refdata_postcode){c[i * 3], c[i * 3 + 1], c[i * 3 + 2]};
	data.postcodes = pcs;
	data.n_postcodes = n;

	/* code, department, region, population, name */
	free(c);
	c = split(refdata_communes, refdata_communes_len, 5, &n);
	struct refdata_commune *communes = xcalloc(n, sizeof *communes);
	struct refdata_postcode *by_commune = xcalloc(data.n_postcodes, sizeof *by_commune);
	memcpy(by_commune, pcs, data.n_postcodes * sizeof *pcs);
	/* Stable choice of "first postcode": postcodes are sorted, and qsort on the commune
	 * alone may reorder equal keys, so pick the smallest postcode explicitly below. */
	qsort(by_commune, data.n_postcodes, sizeof *by_commune, cmp_postcode_commune);
	for (size_t i = 0; i < n; i++) {
		const char *const *r = c + i * 5;
		struct refdata_postcode key = {.commune = r[0]}, *hit;

		communes[i] = (struct refdata_commune){
			.code = r[0], .department = r[1], .region = r[2],
			.population = (int32_t)strtol(r[3], NULL, 10), .name = r[4],
		};
		hit = bsearch(&key, by_commune, data.n_postcodes, sizeof *by_commune,
		              cmp_postcode_commune);
		if (hit) {
			while (hit > by_commune && strcmp(hit[-1].commune, r[0]) == 0)
				hit--;
			communes[i].postcode = hit->postcode;
			for (; hit < by_commune + data.n_postcodes && strcmp(hit->commune, r[0]) == 0;
			     hit++)
				if (strcmp(hit->postcode, communes[i].postcode) < 0)
					communes[i].postcode = hit->postcode;
		}
	}
	free(by_commune);
	qsort(communes, n, sizeof *communes, cmp_first);
	data.communes = communes;
	data.n_communes = n;

	free(c);
	c = split(refdata_naf, refdata_naf_len, 4, &n);
	struct refdata_naf *naf = xcalloc(n, sizeof *naf);
	for (size_t i = 0; i < n; i++)
		naf[i] = (struct refdata_naf){c[i * 4], c[i * 4 + 1], c[i * 4 + 2], c[i * 4 + 3]};
	qsort(naf, n, sizeof *naf, cmp_first);
	data.naf = naf;
	free(c);
	data.n_naf = n;
}

const struct refdata *refdata_get(void)
{
	pthread_once(&once, load);
	return &data;
}

static int cmp_code(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static const void *find(const char *code, const void *base, size_t n, size_t size)
{
	if (code == NULL)
		return NULL;
	return bsearch(code, base, n, size, cmp_code);
}

const struct refdata_commune *refdata_commune_find(const char *code)
{
	const struct refdata *d = refdata_get();

	return find(code, d->communes, d->n_communes, sizeof *d->communes);
}

const struct refdata_department *refdata_department_find(const char *code)
{
	const struct refdata *d = refdata_get();

	return find(code, d->departments, d->n_departments, sizeof *d->departments);
}

const struct refdata_region *refdata_region_find(const char *code)
{
	const struct refdata *d = refdata_get();

	return find(code, d->regions, d->n_regions, sizeof *d->regions);
}

const struct refdata_naf *refdata_naf_find(const char *code)
{
	const struct refdata *d = refdata_get();

	return find(code, d->naf, d->n_naf, sizeof *d->naf);
}

/* refdata: the reference data embedded in the binary (the TSV files of data/, see data/SOURCES.md):
 * regions, departments, communes with population and postcode, NAF rev.2 at all levels.
 * Parsed once on first use; everything returned lives until the process ends. */
#ifndef DOMAIN_REFDATA_H
#define DOMAIN_REFDATA_H

#include <stddef.h>
#include <stdint.h>

struct refdata_region {
	const char *code;
	const char *name;
};

struct refdata_department {
	const char *code;
	const char *region;
	const char *name;
};

struct refdata_commune {
	const char *code;       /* COG, 5 characters (2A/2B for Corsica) */
	const char *department;
	const char *region;
	const char *name;
	const char *postcode;   /* the first postcode serving it, or NULL */
	int32_t population;
};

struct refdata_postcode {
	const char *postcode;
	const char *commune;
	const char *delivery_name;
};

struct refdata_naf {
	const char *code;       /* "A", "56", "56.1", "56.10", "56.10A" */
	const char *level;      /* section, division, group, class, subclass */
	const char *section;    /* "" for a section itself */
	const char *label;
};

struct refdata {
	const struct refdata_region *regions;
	size_t n_regions;
	const struct refdata_department *departments;
	size_t n_departments;
	const struct refdata_commune *communes;       /* all tables sorted by code */
	size_t n_communes;
	const struct refdata_postcode *postcodes;     /* sorted by postcode, commune */
	size_t n_postcodes;
	const struct refdata_naf *naf;
	size_t n_naf;
};

/* The parsed tables; thread-safe. */
const struct refdata *refdata_get(void);
/* Lookups by exact code; NULL when unknown. */
const struct refdata_commune *refdata_commune_find(const char *code);
const struct refdata_department *refdata_department_find(const char *code);
const struct refdata_region *refdata_region_find(const char *code);
const struct refdata_naf *refdata_naf_find(const char *code);

#endif

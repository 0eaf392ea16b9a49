/* gen: deterministic synthetic data for tests, demos and benchmarks (docs/DATA-MODEL.md).
 * The same seed and scale give the same database on every machine. */
#ifndef GEN_GEN_H
#define GEN_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct store;

enum gen_scale { GEN_TINY, GEN_SMALL, GEN_NATIONAL };

struct gen_options {
	enum gen_scale scale;
	uint64_t seed;
	const char *today;     /* YYYY-MM-DD, the end of the generated history; NULL: today */
	FILE *progress;        /* progress lines, or NULL */
};

/* Fills an initialised store (schema and reference data loaded, no organisation yet).
 * Fails with ERR_CONFLICT (field "db") when the store already holds organisation units,
 * accounts or establishments, and with ERR_INVALID (field "today") on a bad date. Writes
 * in transactions of about 50,000 rows: on failure the running batch is rolled back but
 * earlier batches stay, so a caller that created the file should delete it. o and its
 * strings are borrowed for the call. */
enum err_code gen_run(struct store *s, const struct gen_options *o, struct err *e);
/* "tiny", "small" or "national" into *out; returns 0, or -1 for any other name. */
int gen_scale_parse(const char *name, enum gen_scale *out);

#endif

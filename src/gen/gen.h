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

/* Fills an initialised store (schema and reference data loaded, no organisation yet). */
enum err_code gen_run(struct store *s, const struct gen_options *o, struct err *e);
int gen_scale_parse(const char *name, enum gen_scale *out);

#endif

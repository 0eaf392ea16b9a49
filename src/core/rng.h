/* rng: a small deterministic pseudo-random generator (xoshiro256**, seeded by
 * splitmix64) for synthetic data and benchmarks. Same seed, same sequence, on every
 * machine. Not for secrets: use libsodium's randombytes for those. */
#ifndef CORE_RNG_H
#define CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1). */
double rng_double(struct rng *r);
/* True with probability p. */
int rng_chance(struct rng *r, double p);
/* Normal with mean mu and standard deviation sigma. */
double rng_normal(struct rng *r, double mu, double sigma);
/* Poisson with mean lambda (lambda < 500). */
unsigned rng_poisson(struct rng *r, double lambda);
/* Index drawn from cumulative weights cum[0..n-1] (non-decreasing, cum[n-1] > 0). */
size_t rng_pick_cumulative(struct rng *r, const double *cum, size_t n);

#endif

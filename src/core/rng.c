/* rng: xoshiro256** seeded with splitmix64 (public-domain algorithms by Blackman and
 * Vigna). */
#include "core/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* Rejection of the low values that would bias the modulo. */
	uint64_t threshold = -n % n, x;

	do
		x = rng_next(r);
	while (x < threshold);
	return x % n;
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

double rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

int rng_chance(struct rng *r, double p)
{
	return rng_double(r) < p;
}

double rng_normal(struct rng *r, double mu, double sigma)
{
	double u1 = rng_double(r), u2 = rng_double(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return mu + sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

unsigned rng_poisson(struct rng *r, double lambda)
{
	double l = exp(-lambda), p = 1.0;
	unsigned k = 0;

	if (lambda > 30.0) {
		double x = rng_normal(r, lambda, sqrt(lambda));
		return x < 0 ? 0 : (unsigned)(x + 0.5);
	}
	do {
		k++;
		p *= rng_double(r);
	} while (p > l);
	return k - 1;
}

size_t rng_pick_cumulative(struct rng *r, const double *cum, size_t n)
{
	double x = rng_double(r) * cum[n - 1];
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

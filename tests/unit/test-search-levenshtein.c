/* Unit tests for src/search/levenshtein: the dictionary walk against brute force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rng.h"
#include "search/levenshtein.h"

/* Plain optimal-string-alignment distance, the textbook way. */
static int brute(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[40][40];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = a[i - 1] != b[j - 1], v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + c < v)
				v = d[i - 1][j - 1] + c;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

static int brute_prefix(const char *a, const char *b)
{
	char p[40];
	size_t lb = strlen(b);
	int best = 99;

	for (size_t k = 0; k <= lb; k++) {
		int v;

		memcpy(p, b, k);
		p[k] = '\0';
		v = brute(a, p);
		if (v < best)
			best = v;
	}
	return best;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct got {
	int dist[2000];
	int prefix[2000];
	int count;
};

static int collect(void *ctx, uint32_t term, int dist, int prefix)
{
	struct got *g = ctx;

	g->dist[term] = dist;
	g->prefix[term] = prefix;
	g->count++;
	return 0;
}

static void random_word(struct rng *r, char *w, size_t maxlen)
{
	size_t len = 1 + (size_t)rng_below(r, maxlen);

	for (size_t i = 0; i < len; i++)
		w[i] = (char)('a' + rng_below(r, 4)); /* a small alphabet: many near words */
	w[len] = '\0';
}

static void test_walk_matches_brute_force(void **state)
{
	enum { N = 1500 };
	static char words[N][16];
	static char *sorted[N];
	static uint32_t off[N];
	static char arena[N * 16];
	struct search_lev_dict d;
	struct rng r;
	size_t n = 0, a = 0;

	(void)state;
	rng_seed(&r, 20261127);
	for (size_t i = 0; i < N; i++) {
		random_word(&r, words[i], 9);
		sorted[i] = words[i];
	}
	qsort(sorted, N, sizeof sorted[0], cmp_str);
	for (size_t i = 0; i < N; i++) {
		if (n > 0 && strcmp(sorted[i], arena + off[n - 1]) == 0)
			continue; /* a dictionary has each term once */
		off[n++] = (uint32_t)a;
		memcpy(arena + a, sorted[i], strlen(sorted[i]) + 1);
		a += strlen(sorted[i]) + 1;
	}
	d = (struct search_lev_dict){arena, off, (uint32_t)n};
	for (int q = 0; q < 300; q++) {
		char w[16];
		int k = (int)rng_below(&r, 3), pm = q % 2;
		static struct got g;
		int expect = 0;

		random_word(&r, w, 10);
		memset(&g, 0, sizeof g);
		for (size_t i = 0; i < n; i++)
			g.dist[i] = -1;
		search_lev_walk(&d, w, strlen(w), k, pm, collect, &g);
		for (size_t i = 0; i < n; i++) {
			const char *t = arena + off[i];
			int bd = pm ? brute_prefix(w, t) : brute(w, t);

			if (bd <= k) {
				expect++;
				if (g.dist[i] != bd)
					fail_msg(
					    "word %s term %s k %d prefix %d: walk %d, brute %d", w,
					    t, k, pm, g.dist[i], bd);
				if (pm)
					assert_int_equal(g.prefix[i], brute(w, t) != bd);
				assert_int_equal(search_lev_distance(w, t, pm), bd);
			} else if (g.dist[i] != -1) {
				fail_msg("word %s term %s k %d: reported %d, brute %d", w, t, k,
				         g.dist[i], bd);
			}
		}
		assert_int_equal(g.count, expect);
	}
}

static void test_known_distances(void **state)
{
	(void)state;
	assert_int_equal(search_lev_distance("martin", "martin", 0), 0);
	assert_int_equal(search_lev_distance("matrin", "martin", 0), 1); /* a swap is one */
	assert_int_equal(search_lev_distance("martn", "martin", 0), 1);
	assert_int_equal(search_lev_distance("boulangrie", "boulangerie", 0), 1);
	assert_int_equal(search_lev_distance("boulengrie", "boulangerie", 0), 2);
	assert_int_equal(search_lev_distance("boul", "boulangerie", 1), 0);
	assert_int_equal(search_lev_distance("bouk", "boulangerie", 1), 1);
	assert_int_equal(search_lev_distance("", "abc", 0), 3);
}

static int stop_first(void *ctx, uint32_t term, int dist, int prefix)
{
	(void)term;
	(void)dist;
	(void)prefix;
	(*(int *)ctx)++;
	return 1;
}

static void test_walk_edges(void **state)
{
	static const uint32_t off[] = {0, 4, 9};
	static const char arena[] = "abc\0abcd\0abd";
	struct search_lev_dict d = {arena, off, 3};
	int calls = 0;

	(void)state;
	assert_int_equal(search_lev_walk(&d, "abc", 3, 1, 0, stop_first, &calls), 1);
	assert_int_equal(calls, 1);
	calls = 0;
	assert_int_equal(search_lev_walk(NULL, "abc", 3, 1, 0, stop_first, &calls), 0);
	assert_int_equal(search_lev_walk(&d, "abc", SEARCH_WORD_MAX, 1, 0, stop_first, &calls), 0);
	assert_int_equal(calls, 0);
	assert_int_equal(search_lev_lower(&d, "abd", 3, 0, 3), 2);
	assert_int_equal(search_lev_upper(&d, "abc", 3, 0, 3), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_matches_brute_force),
	    cmocka_unit_test(test_known_distances),
	    cmocka_unit_test(test_walk_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

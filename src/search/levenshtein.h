/* levenshtein: typo-tolerant lookup in a sorted term dictionary (a bounded
 * Damerau-Levenshtein walk of the implicit trie, with pruning), and plain distances. */
#ifndef SEARCH_LEVENSHTEIN_H
#define SEARCH_LEVENSHTEIN_H

#include <stddef.h>
#include <stdint.h>

#include "search/normalize.h"

/* A dictionary: n terms, term i is the NUL-terminated string arena + off[i], sorted by
 * strcmp. Borrowed. Terms longer than SEARCH_WORD_MAX-1 bytes are never reported. */
struct search_lev_dict {
	const char *arena;
	const uint32_t *off;
	uint32_t n;
};

/* Called for each term within reach: dist is the optimal-string-alignment distance
 * (a swap of two neighbours counts 1); in prefix mode it is the distance between the
 * word and the closest prefix of the term, and prefix is 1 when the term is longer than
 * that prefix. A non-zero return stops the walk. */
typedef int (*search_lev_cb)(void *ctx, uint32_t term, int dist, int prefix);

/* Reports every term within distance k (0..2) of word (len bytes < SEARCH_WORD_MAX), or
 * in prefix mode every term having a prefix within k. Returns the number of reports. */
size_t search_lev_walk(const struct search_lev_dict *d, const char *word, size_t len, int k,
                       int prefix_mode, search_lev_cb cb, void *ctx);

/* The optimal-string-alignment distance between a and b (each < SEARCH_WORD_MAX bytes);
 * with prefix set, the smallest distance between a and any prefix of b. */
int search_lev_distance(const char *a, const char *b, int prefix);

/* First index i in [lo, hi) whose term does not sort before the first plen bytes of
 * p when compared on plen bytes; for prefix ranges. */
uint32_t search_lev_lower(const struct search_lev_dict *d, const char *p, size_t plen, uint32_t lo,
                          uint32_t hi);
/* First index in [lo, hi) whose first plen bytes sort after p. */
uint32_t search_lev_upper(const struct search_lev_dict *d, const char *p, size_t plen, uint32_t lo,
                          uint32_t hi);

#endif

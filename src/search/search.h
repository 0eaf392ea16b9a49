/* search: the establishment search engine: typo-tolerant matching of a query against the
 * index, identifier lookup and correction, and ranking by an ordered comparison. */
#ifndef SEARCH_SEARCH_H
#define SEARCH_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "search/index.h"
#include "search/query.h"

#define SEARCH_LIMIT_MAX 100
#define SEARCH_SCORE_CAP 50000 /* candidates scored at most, in static-rank order */
#define SEARCH_SECOND_CAP 20000 /* more scored when retrying without the rarest word */
#define SEARCH_FILL_CAP 2000    /* more scored for partial matches filling the top */
/* A query whose rarest word is in more documents than this is "broad": no second pass
 * without that word. */
#define SEARCH_BROAD_DF 50000
/* A word's postings are intersected when they are at most SEARCH_INTERSECT_RATIO times
 * as many as the candidates, or at most SEARCH_INTERSECT_FREE; a more common word is
 * checked on the documents' prefix signatures. */
#define SEARCH_INTERSECT_RATIO 10
#define SEARCH_INTERSECT_FREE 65536
/* Scoring stops once this many documents (in static-rank order) match every word. */
#define SEARCH_ENOUGH 2000
/* When even the rarest word is in more than 1/SEARCH_ALL_FRACTION of the documents,
 * its postings are not decoded: every document is a candidate, checked on signatures
 * (about 3 ns each) until SEARCH_ENOUGH match, at most SEARCH_VISIT_CAP looked at. */
#define SEARCH_ALL_FRACTION 32
/* When every document is a candidate, at most this many are looked at. */
#define SEARCH_VISIT_CAP 500000

enum search_hit_flags {
	SEARCH_HIT_SIRET = 1 << 0,     /* found by its SIRET */
	SEARCH_HIT_SIREN = 1 << 1,     /* found by its SIREN */
	SEARCH_HIT_CORRECTED = 1 << 2, /* ... after correcting the identifier typed */
	SEARCH_HIT_DELTA = 1 << 3,     /* changed since the index was built */
	SEARCH_HIT_ACTIVE = 1 << 4,
	SEARCH_HIT_HEAD_OFFICE = 1 << 5,
};

/* The ordered criteria, best first; hits are sorted on them in this order. */
struct search_score {
	uint8_t matched;   /* required query words found */
	uint8_t typos;     /* total typos over them (fewer is better) */
	uint8_t in_name;   /* words found in the name, an enseigne or the commune (or the
	                    * address, when the query looks like one) */
	uint8_t whole;     /* query words (legal forms included) covered by values of the
	                    * document (a name, an enseigne, a commune, a postcode...)
	                    * typed whole and in order: "SCI BERNARD BERTRY" is SCI BERNARD
	                    * in BERTRY before BERNARD SCI there or ARNAUD in SAINT-QUENTIN
	                    * before ARNAUD in LE FAY-SAINT-QUENTIN */
	uint8_t full_name; /* every word of the name (or of an enseigne) was matched */
	uint8_t exact;     /* words matched whole, not as a prefix */
	uint8_t proximity; /* neighbouring query words found side by side */
	uint8_t place;     /* words found in the commune field (commune, postcode,
	                    * department): the location typed is where it is */
	uint8_t legal;     /* legal forms of the query found */
	uint32_t stat;     /* static score: active, head office, headcount band, size */
};

struct search_hit {
	char siret[15];
	unsigned flags;     /* enum search_hit_flags */
	int corrected_pos;  /* SEARCH_HIT_CORRECTED: digit position, else -1 */
	char corrected_how; /* 'd' digit changed, 's' swap, or 0 */
	struct search_score score;
	/* per query word: the field it matched in (enum search_field) or -1, its typos */
	int8_t word_field[SEARCH_QUERY_WORDS_MAX];
	uint8_t word_typos[SEARCH_QUERY_WORDS_MAX];
	char name[160], enseigne[160], address[200], postcode[8], commune[80];
};

struct search_result {
	struct search_query query; /* as parsed */
	uint32_t dropped;          /* bit i: word i matched nothing, or was dropped */
	size_t candidates;         /* documents scored */
	size_t n;
	struct search_hit hit[SEARCH_LIMIT_MAX];
};

/* Runs a query (any bytes) against ix; returns at most limit (1..SEARCH_LIMIT_MAX)
 * hits, best first. Safe to call from several threads at once, also while another
 * thread updates the index. *out: new memory, caller frees with search_result_free. */
enum err_code search_run(struct search_index *ix, const char *text, size_t limit,
                         struct search_result **out, struct err *e);
void search_result_free(struct search_result *r);

#endif

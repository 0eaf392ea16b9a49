/* query: parsing what an inspector typed into words, postcodes, departments and a SIREN
 * or SIRET, with the candidates a mistyped identifier may have been. */
#ifndef SEARCH_QUERY_H
#define SEARCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "search/normalize.h"

enum search_word_kind {
	SEARCH_WORD_TEXT,
	SEARCH_WORD_NUMBER,     /* digits: a street number, never fuzzy */
	SEARCH_WORD_POSTCODE,   /* 5 digits */
	SEARCH_WORD_DEPARTMENT, /* 2 digits, 2a/2b, 971-976 */
};

struct search_qword {
	char form[SEARCH_FORMS_MAX][SEARCH_WORD_MAX]; /* form[0] as typed, then expansions */
	uint8_t n_forms;
	uint8_t kind;     /* enum search_word_kind */
	uint8_t prefix;   /* the last word, unfinished: matches as a prefix */
	uint8_t optional; /* a legal form: counts only as a tie-break */
	uint8_t budget;   /* typos allowed on form[0] */
};

enum search_id_kind { SEARCH_ID_NONE, SEARCH_ID_SIREN, SEARCH_ID_SIRET };

#define SEARCH_ID_CANDIDATES_MAX (14 * 9 + 13)

struct search_id_candidate {
	char id[15]; /* the corrected identifier */
	int8_t pos;  /* the digit changed, or the first of the two swapped (0-based) */
	char how;    /* 'd' one digit changed, 's' two neighbours swapped */
};

struct search_query {
	struct search_qword w[SEARCH_QUERY_WORDS_MAX];
	size_t n;
	int id_kind;  /* enum search_id_kind */
	char id[15];  /* the digits typed */
	int id_valid; /* its check digit is right */
	struct search_id_candidate cand[SEARCH_ID_CANDIDATES_MAX];
	size_t n_cand; /* when the check digit fails: the valid neighbours */
};

/* Parses text (any bytes; cut at SEARCH_QUERY_BYTES_MAX and SEARCH_QUERY_WORDS_MAX
 * words) into q, owned by the caller. Digit groups that add up to 9 or 14 digits
 * ("552 100 554 00014") are read as a SIREN or SIRET; when its check digit fails, the
 * identifiers one wrong digit or one swap of neighbours away that pass it are listed.
 * Stop words are dropped unless nothing else is left; legal forms are optional unless
 * nothing else is left. Returns ERR_INVALID (field "q") only when text is NULL. */
enum err_code search_query_parse(const char *text, struct search_query *q, struct err *e);

/* Lists in cand (room for SEARCH_ID_CANDIDATES_MAX) the valid identifiers of n digits
 * (9 or 14) one changed digit or one swap of neighbours away from id; returns the count. */
size_t search_id_candidates(const char *id, size_t n, struct search_id_candidate *cand);

#endif

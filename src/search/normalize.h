/* normalize: the one text normaliser shared by indexing and queries (Unicode folding,
 * accents, ligatures, elisions, acronyms, abbreviations, legal forms, stop words). */
#ifndef SEARCH_NORMALIZE_H
#define SEARCH_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#define SEARCH_WORD_MAX 32         /* bytes of a normalised word with its NUL */
#define SEARCH_QUERY_BYTES_MAX 256 /* a query is cut there (at a character boundary) */
#define SEARCH_QUERY_WORDS_MAX 16  /* words kept from a query */
#define SEARCH_TEXT_BYTES_MAX 1024 /* a field value of a document is cut there */
#define SEARCH_FORMS_MAX 3         /* a query word: its own form and up to 2 expansions */

/* Where a text comes from: abbreviations that mean different things in a company name
 * and in an address ("ste": "societe" / "sainte") are expanded by context; a query
 * keeps the typed form and receives every expansion as an alternative form. */
enum search_ctx { SEARCH_CTX_QUERY, SEARCH_CTX_NAME, SEARCH_CTX_PLACE };

enum search_tok_flags {
	SEARCH_TOK_LEGAL = 1 << 0,  /* a legal form ("sarl", "societe"): weighs low */
	SEARCH_TOK_STOP = 1 << 1,   /* a stop word ("de", "la"): not indexed */
	SEARCH_TOK_NUMBER = 1 << 2, /* digits only */
	SEARCH_TOK_ABBREV = 1 << 3, /* expanded from an abbreviation */
};

struct search_token {
	/* form[0] is the word (expanded in NAME and PLACE contexts, as typed in a query);
	 * in a query, form[1..n_forms) are the expansions of an abbreviation. */
	char form[SEARCH_FORMS_MAX][SEARCH_WORD_MAX];
	uint8_t n_forms;
	uint8_t flags; /* enum search_tok_flags */
	uint16_t pos;  /* position among the tokens that are not stop words */
};

/* Folds UTF-8 text: compatibility decomposition, case folding, marks stripped, oe/ae/ss,
 * "&" to " et ", apostrophes to '\'', dots kept, every other non-alphanumeric character
 * to a space. Invalid UTF-8 bytes become spaces. Reads at most n bytes of in (stops at
 * a NUL); writes at most max-1 bytes and a NUL into out; returns the length written. */
size_t search_fold(const char *in, size_t n, char *out, size_t max);

/* Splits text into normalised tokens: search_fold, then elisions removed ("l'", "d'",
 * "qu'"), dotted acronyms joined ("S.N.C.F." -> "sncf"), words cut at
 * SEARCH_WORD_MAX-1 bytes, abbreviations expanded by ctx, legal forms, numbers and stop
 * words flagged. Input past SEARCH_TEXT_BYTES_MAX (SEARCH_QUERY_BYTES_MAX for a query)
 * is ignored. Fills toks[0..max) and returns how many were written; the caller owns
 * toks. Never fails: bad bytes are dropped. */
size_t search_tokenize(const char *in, enum search_ctx ctx, struct search_token *toks, size_t max);

/* The typo budget of a word of len bytes: 0 up to 4, 1 up to 8, 2 beyond. */
int search_typo_budget(size_t len);

/* 1 when w (normalised) is a legal form. */
int search_is_legal_form(const char *w);

#endif

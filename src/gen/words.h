/* words: the French word lists of the synthetic data generator (names, activities,
 * streets, legal provisions, note templates, campaigns) and the text helpers that
 * draw from them with a Zipf-like skew. All tables are static and read-only. */
#ifndef GEN_WORDS_H
#define GEN_WORDS_H

#include <stddef.h>

#include "core/rng.h"

/* Word lists, most frequent first; drawn with words_pick (Zipf-like). */
enum words_list {
	WORDS_FIRST_F,        /* first names, women */
	WORDS_FIRST_M,        /* first names, men */
	WORDS_LAST,           /* surnames */
	WORDS_STREET,         /* street names without type ("DE LA REPUBLIQUE") */
	WORDS_PLACE,          /* "DU CENTRE", "DE LA GARE"... for company names */
	WORDS_GENERIC,        /* generic company words ("HORIZON", "ATLANTIQUE") */
	WORDS_FANCY,          /* shop names ("AU BON ACCUEIL") */
	WORDS_ADDRESS_EXTRA,  /* "ZI DES ..." "BATIMENT A" */
	WORDS_WORKSITE,       /* worksite descriptions, French */
	WORDS_LIST_COUNT
};

/* An entry drawn with a Zipf-like skew fitted to each list; borrowed, static. */
const char *words_pick(struct rng *r, enum words_list which);
/* A surname: 30 % of the time one of the common list (words_pick(WORDS_LAST), static),
 * otherwise one of about 100,000 made of French-sounding parts ("Berthaudin") written
 * into buf (max bytes) and returned. France has over a million surnames; a list of a
 * few hundred alone makes homonyms (the same company name in the same commune) far
 * more common than in SIRENE. */
const char *words_surname(struct rng *r, char *buf, size_t max);
/* An invented brand word ("NEOVIA", "AXELIS"), upper case, into buf; returns buf. */
const char *words_brand(struct rng *r, char *buf, size_t max);
/* Index in [0, n) drawn with P(i) roughly proportional to 1/(i+1.5) (Zipf-like), or
 * with the flatter 1/(i+k+0.5) for words_zipf_k. */
size_t words_zipf(struct rng *r, size_t n);
size_t words_zipf_k(struct rng *r, size_t n, double k);

/* A street type as SIRENE codes it ("RUE", "AV", "BD"...) with its full French word
 * ("rue", "avenue"...); skewed towards RUE. */
struct words_street_type {
	const char *code;
	const char *label;
};
const struct words_street_type *words_street_type(struct rng *r);

/* An activity word for a NAF sub-class ("BOULANGERIE" for 10.71C, "RESTAURANT" for
 * 56.10A), or NULL when none is known; static. */
const char *words_activity(struct rng *r, const char *naf);

/* A Code du travail article fitting a theme code (any theme: a general one); static. */
const char *words_provision(struct rng *r, const char *theme);

/* Writes a short French note for an intervention of this kind on this theme into out
 * (max bytes, truncated, always NUL-terminated). */
void words_note(struct rng *r, const char *kind, const char *theme, char *out, size_t max);

/* Occupational disease table numbers (tableaux des maladies professionnelles), skewed
 * towards 57 (musculoskeletal disorders); static. */
const char *words_disease_table(struct rng *r);

/* Campaign templates for priority actions. */
#define WORDS_CAMPAIGN_POINTS 6
#define WORDS_CAMPAIGN_THEMES 3
#define WORDS_CAMPAIGN_DIVS 6
struct words_campaign {
	const char *key;                 /* short code part, e.g. "CHUTES" */
	const char *title;               /* French */
	const char *themes[WORDS_CAMPAIGN_THEMES];   /* theme codes, NULL-padded */
	const char *points[WORDS_CAMPAIGN_POINTS];   /* control points, NULL-padded */
	int divisions[WORDS_CAMPAIGN_DIVS];          /* NAF divisions it aims at, 0-padded */
	double weight;                   /* how often it is chosen for a year */
};
/* National templates (nat = 1) or regional ones (nat = 0); *n receives the count. */
const struct words_campaign *words_campaigns(int nat, size_t *n);

/* Writes s folded to upper-case ASCII (French accents dropped, œ/æ expanded, other
 * non-ASCII bytes dropped) into out of max bytes; returns the length written. */
size_t words_upper_ascii(const char *s, char *out, size_t max);
/* Writes s folded for a login: lower-case ASCII letters and digits, spaces and
 * apostrophes become '-', other characters dropped. Returns the length. */
size_t words_login_part(const char *s, char *out, size_t max);

#endif

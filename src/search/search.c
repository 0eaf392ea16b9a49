/* search: candidate generation from postings, scoring from the forward index, ranking. */
#include "search/search.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "domain/siret.h"
#include "search/index-impl.h"
#include "search/levenshtein.h"

#define WORD_TERMS_MAX 4096 /* typo and alternative terms kept per query word */
/* words up to this length get a second typo only when nothing matched every word */
#define SEARCH_ESCALATE_LEN_MAX 8
#define NONE 255
#define SEARCH_FILTER_BITS 65536

/* ---- Per-query state --------------------------------------------------------------- */

struct hslot {
	uint32_t term;
	uint8_t word, typos, prefix, used;
};

struct wmatch {
	uint32_t lo, hi; /* exact-prefix range of form[0] (prefix words), else empty */
	uint32_t exact;  /* the term equal to form[0], or UINT32_MAX */
	uint64_t df;     /* documents, summed over the terms (an upper bound) */
	uint32_t *terms; /* the hashed terms of this word */
	size_t n_terms;
	/* the prefix signature bits of its terms (search_sig_bits): m2 the 2-byte bits,
	 * m3[b] the 3-byte bits of the terms whose 2-byte bit is b */
	uint64_t m2, m3[64];
};

struct cand {
	uint64_t k1;
	uint32_t k2;
	uint32_t doc; /* main doc id, or delta index */
	int delta;
	struct search_score score;
	int8_t word_field[SEARCH_QUERY_WORDS_MAX];
	uint8_t word_typos[SEARCH_QUERY_WORDS_MAX];
	unsigned flags;
	int corrected_pos;
	char corrected_how;
};

struct qctx {
	struct search_index *ix;
	const struct search_query *q;
	struct wmatch wm[SEARCH_QUERY_WORDS_MAX];
	struct hslot *h;
	size_t hcap;
	/* a bit per hash of every hashed term: most document terms match no query word,
	 * and this 8 KiB filter rejects them without probing the (larger) hash table */
	uint64_t filter[SEARCH_FILTER_BITS / 64];
	uint64_t *bits; /* the documents of a word */
	uint32_t *set;  /* candidate doc ids, in static-rank order */
	size_t set_cap;
	struct cand top[SEARCH_LIMIT_MAX];
	size_t ntop, limit;
	size_t scored;
	uint32_t dropped;
	uint8_t budget[SEARCH_QUERY_WORDS_MAX]; /* typos allowed per word (may be raised) */
	int cur_word;                           /* while walking the dictionary */
	int broad;    /* candidates came from a walk in static-rank order */
	int addressy; /* the query looks like an address */
};

/* One token of a document, with what it matched. */
struct wm1 {
	uint8_t word, typos, prefix;
};

struct tokm {
	uint8_t field, legal, gap, n;
	uint16_t pos;
	struct wm1 m[SEARCH_QUERY_WORDS_MAX];
};

/* ---- Top list ---------------------------------------------------------------------- */

static int better(const struct cand *a, const struct cand *b)
{
	return a->k1 != b->k1 ? a->k1 > b->k1 : a->k2 > b->k2;
}

static void top_add(struct qctx *c, const struct cand *x)
{
	size_t i;

	for (i = 0; i < c->ntop; i++)
		if (c->top[i].doc == x->doc && c->top[i].delta == x->delta) {
			if (!better(x, &c->top[i]))
				return;
			/* scored again with more typos allowed: the new score replaces it */
			memmove(&c->top[i], &c->top[i + 1], (c->ntop - i - 1) * sizeof *c->top);
			c->ntop--;
			break;
		}
	if (c->ntop == c->limit && !better(x, &c->top[c->ntop - 1]))
		return;
	i = c->ntop < c->limit ? c->ntop++ : c->ntop - 1;
	while (i > 0 && better(x, &c->top[i - 1])) {
		c->top[i] = c->top[i - 1];
		i--;
	}
	c->top[i] = *x;
}

/* ---- Word matching ----------------------------------------------------------------- */

static uint64_t term_df(const struct search_index *ix, uint32_t t)
{
	return ix->cdf[t + 1] - ix->cdf[t];
}

static size_t hslot_of(const struct qctx *c, uint32_t t)
{
	return (t * 2654435761u) & (c->hcap - 1);
}

static uint32_t filter_of(uint32_t t)
{
	return (uint32_t)(((uint64_t)t * 0x9E3779B97F4A7C15ull) >> 48);
}

static void hash_add(struct qctx *c, int word, uint32_t t, int typos, int prefix)
{
	struct wmatch *w = &c->wm[word];
	size_t k;

	if (w->n_terms >= WORD_TERMS_MAX)
		return;
	k = hslot_of(c, t);
	while (c->h[k].used) {
		if (c->h[k].term == t && c->h[k].word == word) {
			if (typos < c->h[k].typos) {
				c->h[k].typos = (uint8_t)typos;
				c->h[k].prefix = (uint8_t)prefix;
			}
			return;
		}
		k = (k + 1) & (c->hcap - 1);
	}
	c->h[k] = (struct hslot){t, (uint8_t)word, (uint8_t)typos, (uint8_t)prefix, 1};
	c->filter[filter_of(t) / 64] |= 1ull << (filter_of(t) % 64);
	w->terms[w->n_terms++] = t;
	w->df += term_df(c->ix, t);
}

static int walk_cb(void *ctx, uint32_t term, int dist, int prefix)
{
	struct qctx *c = ctx;
	struct wmatch *w = &c->wm[c->cur_word];

	if (w->lo <= term && term < w->hi && dist == 0)
		return 0; /* the exact-prefix range covers it */
	hash_add(c, c->cur_word, term, dist, prefix);
	return w->n_terms >= WORD_TERMS_MAX;
}

static uint32_t exact_term(const struct search_index *ix, const char *s)
{
	size_t len = strlen(s);
	uint32_t i = search_lev_lower(&ix->dict, s, len + 1, 0, ix->n_terms);

	return i < ix->n_terms && strcmp(ix->dict.arena + ix->dict.off[i], s) == 0 ? i : UINT32_MAX;
}

static void match_word(struct qctx *c, int i)
{
	const struct search_qword *qw = &c->q->w[i];
	struct wmatch *w = &c->wm[i];
	const char *f0 = qw->form[0];
	size_t len = strlen(f0);

	w->terms = xmalloc(WORD_TERMS_MAX * sizeof *w->terms);
	w->exact = exact_term(c->ix, f0);
	c->cur_word = i;
	if (qw->prefix && len > 0) {
		w->lo = search_lev_lower(&c->ix->dict, f0, len, 0, c->ix->n_terms);
		w->hi = search_lev_upper(&c->ix->dict, f0, len, w->lo, c->ix->n_terms);
		w->df += c->ix->cdf[w->hi] - c->ix->cdf[w->lo];
		if (c->budget[i] > 0)
			search_lev_walk(&c->ix->dict, f0, len, c->budget[i], 1, walk_cb, c);
	} else if (c->budget[i] > 0) {
		search_lev_walk(&c->ix->dict, f0, len, c->budget[i], 0, walk_cb, c);
	} else if (w->exact != UINT32_MAX) {
		hash_add(c, i, w->exact, 0, 0);
	}
	for (int f = 1; f < qw->n_forms; f++) {
		uint32_t t = exact_term(c->ix, qw->form[f]);

		if (t != UINT32_MAX)
			hash_add(c, i, t, 0, 0);
	}
}

/* Fills the matches of term t into m. */
static void match_term(const struct qctx *c, uint32_t t, struct tokm *m)
{
	size_t k;

	m->n = 0;
	for (size_t i = 0; i < c->q->n; i++) {
		const struct wmatch *w = &c->wm[i];

		if (w->lo <= t && t < w->hi)
			m->m[m->n++] = (struct wm1){(uint8_t)i, 0, t != w->exact};
	}
	if (!(c->filter[filter_of(t) / 64] >> (filter_of(t) % 64) & 1))
		return;
	k = hslot_of(c, t);
	while (c->h[k].used) {
		if (c->h[k].term == t) {
			size_t j;

			for (j = 0; j < m->n && m->m[j].word != c->h[k].word; j++)
				;
			if (j == m->n && m->n < SEARCH_QUERY_WORDS_MAX)
				m->m[m->n++] =
				    (struct wm1){c->h[k].word, c->h[k].typos, c->h[k].prefix};
		}
		k = (k + 1) & (c->hcap - 1);
	}
}

/* ---- Scoring ----------------------------------------------------------------------- */

/* Which match of a word to prefer: name or enseigne, then commune, then address. */
static int field_class(int f)
{
	return f == SEARCH_FIELD_NAME || f == SEARCH_FIELD_ENSEIGNE ? 0
	       : f == SEARCH_FIELD_COMMUNE                          ? 1
	                                                            : 2;
}

/* The "field" criterion counts the words found where they are expected: in the name or
 * an enseigne, or in the commune (a commune or postcode typed beside a name). A word
 * found only in an address counts less, unless the query looks like an address (a
 * street type or a house number in it). */
static int well_placed(const struct qctx *c, int f)
{
	return f != SEARCH_FIELD_ADDRESS || c->addressy;
}

static int looks_like_address(const struct search_query *q)
{
	static const char *const types[] = {
	    "allee",   "avenue",      "boulevard", "chemin", "cours", "faubourg",
	    "impasse", "lotissement", "passage",   "place",  "quai",  "route",
	    "rue",     "square",      "voie",      "zone",   "za",    "zi"};

	for (size_t i = 0; i < q->n; i++) {
		if (q->w[i].kind == SEARCH_WORD_NUMBER)
			return 1;
		for (int f = 0; f < q->w[i].n_forms; f++)
			for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
				if (strcmp(q->w[i].form[f], types[t]) == 0)
					return 1;
	}
	return 0;
}

struct best {
	uint8_t typos, field, prefix;
	uint16_t pos;
};

static int best_better(const struct best *a, const struct best *b)
{
	if (a->typos != b->typos)
		return a->typos < b->typos;
	if (field_class(a->field) != field_class(b->field))
		return field_class(a->field) < field_class(b->field);
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix;
	return a->pos < b->pos;
}

/* 1 when token k matched query word w, not as a prefix (typos allowed: they are
 * ranked before). */
static int tok_has(const struct tokm *t, size_t w)
{
	for (size_t j = 0; j < t->n; j++)
		if (t->m[j].word == w && !t->m[j].prefix)
			return 1;
	return 0;
}

/* The query words covered by values typed whole: a value of a field (tokens between two
 * gaps: a name, an acronym, an enseigne, an address, a commune, a postcode) counts when
 * its tokens were matched by consecutive query words in the same order. Returns the
 * count of distinct query words covered (legal forms included). */
static unsigned whole_values(const struct tokm *tk, size_t n, size_t nq)
{
	uint32_t covered = 0;
	size_t s = 0;

	while (s < n) {
		size_t e = s;

		if (tk[s].gap) {
			s++;
			continue;
		}
		while (e < n && !tk[e].gap && tk[e].field == tk[s].field)
			e++;
		for (size_t j = 0; j < tk[s].n; j++) {
			size_t w0 = tk[s].m[j].word, i;

			if (tk[s].m[j].prefix || w0 + (e - s) > nq)
				continue;
			for (i = 1; i < e - s && tok_has(&tk[s + i], w0 + i); i++)
				;
			if (i == e - s)
				covered |= (uint32_t)((1ull << (e - s)) - 1) << w0;
		}
		s = e;
	}
	return (unsigned)__builtin_popcount(covered);
}

/* Scores a document from its tokens; fills x (keys, score, per-word detail). Returns 0
 * when no required word matched. */
static int evaluate(const struct qctx *c, const struct tokm *tk, size_t n, uint32_t stat,
                    struct cand *x)
{
	struct best b[SEARCH_QUERY_WORDS_MAX];
	const struct search_query *q = c->q;
	struct search_score *s = &x->score;
	size_t seg_start = 0;
	int full = 0;

	uint8_t at_place[SEARCH_QUERY_WORDS_MAX] = {0};

	for (size_t i = 0; i < q->n; i++)
		b[i].typos = NONE;
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < tk[k].n; j++) {
			struct best cand = {tk[k].m[j].typos, tk[k].field, tk[k].m[j].prefix,
			                    tk[k].pos};
			uint8_t w = tk[k].m[j].word;

			if (b[w].typos == NONE || best_better(&cand, &b[w]))
				b[w] = cand;
			if (tk[k].field == SEARCH_FIELD_COMMUNE)
				at_place[w] = 1;
		}
	/* a value of the name or an enseigne whose every word was matched */
	for (size_t k = 0; k <= n; k++) {
		if (k < n && !tk[k].gap && (k == seg_start || tk[k].field == tk[seg_start].field))
			continue;
		if (k > seg_start && field_class(tk[seg_start].field) == 0) {
			size_t words = 0, hit = 0;

			for (size_t j = seg_start; j < k; j++)
				if (!tk[j].gap && !tk[j].legal) {
					words++;
					hit += tk[j].n > 0;
				}
			if (words > 0 && hit == words)
				full = 1;
		}
		seg_start = k < n && tk[k].gap ? k + 1 : k;
	}
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < q->n; i++) {
		x->word_field[i] = -1;
		x->word_typos[i] = 0;
		if (b[i].typos == NONE)
			continue;
		x->word_field[i] = (int8_t)b[i].field;
		x->word_typos[i] = b[i].typos;
		if (q->w[i].optional) {
			s->legal++;
			continue;
		}
		s->matched++;
		s->place += at_place[i];
		s->typos = (uint8_t)(s->typos + b[i].typos);
		s->in_name += well_placed(c, b[i].field);
		s->exact += !b[i].prefix;
		if (i + 1 < q->n && b[i + 1].typos != NONE && b[i + 1].field == b[i].field &&
		    b[i + 1].pos == b[i].pos + 1)
			s->proximity++;
	}
	if (s->matched == 0)
		return 0;
	s->full_name = (uint8_t)full;
	s->whole = (uint8_t)whole_values(tk, n, q->n);
	s->stat = stat;
	/* bit 63 is left to identifier hits (id_add), which come first */
	x->k1 = (uint64_t)(s->matched > 15 ? 15 : s->matched) << 59 |
	        (uint64_t)(31 - (s->typos > 31 ? 31 : s->typos)) << 54 |
	        (uint64_t)(s->in_name > 31 ? 31 : s->in_name) << 49 |
	        (uint64_t)(s->whole > 31 ? 31 : s->whole) << 44 | (uint64_t)s->full_name << 43 |
	        (uint64_t)(s->exact > 31 ? 31 : s->exact) << 38 |
	        (uint64_t)(s->proximity > 15 ? 15 : s->proximity) << 34 |
	        (uint64_t)(s->place > 15 ? 15 : s->place) << 30 |
	        (uint64_t)(s->legal > 15 ? 15 : s->legal) << 26 | (stat & 0xFFFFu);
	return 1;
}

/* Decodes doc's forward entry into tk (room for max); returns the count. */
static size_t decode_doc(const struct qctx *c, uint32_t doc, struct tokm *tk, size_t max)
{
	const struct search_index *ix = c->ix;
	size_t i = ix->fwd_off[doc], end = ix->fwd_off[doc + 1], n = 0;
	uint64_t nf[SEARCH_FIELD_COUNT], v;

	for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
		if (!search_varint_get(ix->fwd, end, &i, &nf[f]))
			return 0;
	for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
		for (uint64_t p = 0; p < nf[f] && n < max; p++) {
			struct tokm *t = &tk[n];

			if (!search_varint_get(ix->fwd, end, &i, &v) || v > ix->n_terms)
				return n;
			t->field = (uint8_t)f;
			t->pos = (uint16_t)p;
			t->gap = v == SEARCH_GAP;
			t->legal = 0;
			t->n = 0;
			if (!t->gap) {
				t->legal = (ix->term_flags[v - 1] & SEARCH_TOK_LEGAL) != 0;
				match_term(c, (uint32_t)(v - 1), t);
			}
			n++;
		}
	return n;
}

/* Scores a document of the main index; returns the required words it matched. */
static int score_main(struct qctx *c, uint32_t doc)
{
	struct tokm tk[SEARCH_DOC_TOKENS_MAX * 2];
	struct cand x;
	size_t n;

	if (search_index_hidden(c->ix, doc))
		return 0;
	c->scored++;
	n = decode_doc(c, doc, tk, sizeof tk / sizeof tk[0]);
	memset(&x, 0, sizeof x);
	if (!evaluate(c, tk, n, c->ix->stat[doc], &x))
		return 0;
	x.doc = doc;
	x.k2 = UINT32_MAX - doc;
	x.corrected_pos = -1;
	top_add(c, &x);
	return x.score.matched;
}

/* Matches a delta document term against word i directly (no dictionary). */
static int delta_match(const struct search_qword *qw, int budget, const char *t, int *typos,
                       int *prefix)
{
	size_t len = strlen(qw->form[0]), tl = strlen(t);

	for (int f = 1; f < qw->n_forms; f++)
		if (strcmp(qw->form[f], t) == 0) {
			*typos = 0;
			*prefix = 0;
			return 1;
		}
	if (qw->prefix && len > 0 && strncmp(t, qw->form[0], len) == 0) {
		*typos = 0;
		*prefix = tl != len;
		return 1;
	}
	if (strcmp(t, qw->form[0]) == 0) {
		*typos = 0;
		*prefix = 0;
		return 1;
	}
	if (budget == 0)
		return 0;
	if (!qw->prefix && (tl > len + (size_t)budget || len > tl + (size_t)budget))
		return 0;
	*typos = search_lev_distance(qw->form[0], t, 0);
	*prefix = 0;
	if (qw->prefix) {
		int p = search_lev_distance(qw->form[0], t, 1);

		if (p < *typos) {
			*typos = p;
			*prefix = 1;
		}
	}
	return *typos <= budget;
}

static void score_delta(struct qctx *c, size_t di)
{
	const struct search_delta_doc *dd = &c->ix->delta[di];
	struct tokm tk[SEARCH_DOC_TOKENS_MAX * 2];
	struct cand x;
	size_t n = 0;

	if (dd->removed)
		return;
	for (size_t k = 0; k < dd->n && n < sizeof tk / sizeof tk[0]; k++) {
		struct tokm *t = &tk[n++];

		memset(t, 0, sizeof *t);
		t->field = dd->terms[k].field;
		t->pos = dd->terms[k].pos;
		t->legal = dd->terms[k].legal;
		for (size_t i = 0; i < c->q->n; i++) {
			int ty, pr;

			if (delta_match(&c->q->w[i], c->budget[i], dd->terms[k].text, &ty, &pr))
				t->m[t->n++] = (struct wm1){(uint8_t)i, (uint8_t)ty, (uint8_t)pr};
		}
		/* a gap between two values of a field: positions jump by one */
		if (k + 1 < dd->n && dd->terms[k + 1].field == t->field &&
		    dd->terms[k + 1].pos > t->pos + 1 && n < sizeof tk / sizeof tk[0]) {
			struct tokm *g = &tk[n++];

			memset(g, 0, sizeof *g);
			g->field = t->field;
			g->pos = (uint16_t)(t->pos + 1);
			g->gap = 1;
		}
	}
	c->scored++;
	memset(&x, 0, sizeof x);
	if (!evaluate(c, tk, n, dd->stat, &x))
		return;
	x.doc = (uint32_t)di;
	x.delta = 1;
	x.k2 = 0;
	x.corrected_pos = -1;
	x.flags = SEARCH_HIT_DELTA;
	top_add(c, &x);
}

/* ---- Candidates -------------------------------------------------------------------- */

/* Computes the signature masks of word i from its terms. */
static void word_masks(struct qctx *c, int i)
{
	struct wmatch *w = &c->wm[i];
	uint64_t b2, b3;

	w->m2 = 0;
	memset(w->m3, 0, sizeof w->m3);
	for (uint64_t k = 0; k < (uint64_t)(w->hi - w->lo) + w->n_terms; k++) {
		uint32_t t = k < (uint64_t)(w->hi - w->lo) ? w->lo + (uint32_t)k
		                                           : w->terms[k - (w->hi - w->lo)];

		search_sig_bits(c->ix->dict.arena + c->ix->dict.off[t], &b2, &b3);
		w->m2 |= b2;
		w->m3[__builtin_ctzll(b2)] |= b3;
	}
}

/* 0 when the document signature sg shows that word w is not in the document: no term
 * of w has both its 2-byte and its 3-byte bit there. */
static int sig_may_have(const uint64_t *sg, const struct wmatch *w)
{
	for (uint64_t v = sg[0] & w->m2; v; v &= v - 1)
		if (sg[1] & w->m3[__builtin_ctzll(v)])
			return 1;
	return 0;
}

/* Sets in bits the documents of word i (all its matching terms). */
static void word_bits(struct qctx *c, int i, uint64_t *bits)
{
	const struct search_index *ix = c->ix;
	const struct wmatch *w = &c->wm[i];
	size_t words = ix->n_docs / 64 + 1;

	memset(bits, 0, words * sizeof *bits);
	for (uint64_t k = 0; k < (uint64_t)(w->hi - w->lo) + w->n_terms; k++) {
		uint32_t t = k < (uint64_t)(w->hi - w->lo) ? w->lo + (uint32_t)k
		                                           : w->terms[k - (w->hi - w->lo)];
		size_t p = ix->post_off[t], end = ix->post_off[t + 1];
		int64_t doc = -1;
		uint64_t g;

		while (search_varint_get(ix->post, end, &p, &g)) {
			if (g == 0 || (uint64_t)(doc + 1) + (g - 1) >= ix->n_docs)
				break;
			doc += (int64_t)g;
			bits[doc / 64] |= 1ull << (doc % 64);
		}
	}
}

/* Intersects the words in order[start..no) (rarest first) and scores what is left, in
 * static-rank order, until c->scored reaches cap.
 *
 * The rarest word's postings give the candidate list (doc ids in order). A next word's
 * postings are decoded into a bitmap that filters the list when they are at most
 * SEARCH_INTERSECT_RATIO times as many as the candidates (or few in absolute terms); a
 * more common word (a short prefix, "conseil" in a registry full of them) is checked
 * instead on each candidate's prefix signature, a few nanoseconds against the hundreds a
 * scoring costs. With filter set, the candidates are the documents having every word (a
 * candidate whose signature lacks a word is never scored); without it, they are the
 * documents of the rarest word, whatever else they have (the pass that ranks partial
 * matches). Scoring stops once SEARCH_ENOUGH documents matched every word: documents
 * come in static-rank order, so those are the most important ones. When even the rarest
 * word is in more than 1/SEARCH_ALL_FRACTION of the documents, no postings are decoded:
 * every document is a candidate (checked on signatures), at most SEARCH_VISIT_CAP. */
static void chain(struct qctx *c, const int *order, size_t no, size_t start, size_t cap, int filter)
{
	const struct search_index *ix = c->ix;
	size_t words = ix->n_docs / 64 + 1, full = 0, n_skip = 0, n = 0;
	const struct wmatch *skip[SEARCH_QUERY_WORDS_MAX];
	int all;

	if (start >= no)
		return;
	c->broad = c->wm[order[start]].df > SEARCH_BROAD_DF;
	/* a word in most documents: no postings, every document is a candidate */
	all = c->wm[order[start]].df > ix->n_docs / SEARCH_ALL_FRACTION;
	if (!all) {
		uint64_t bound = c->wm[order[start]].df;

		word_bits(c, order[start], c->bits);
		if (bound > ix->n_docs)
			bound = ix->n_docs;
		if (bound + 1 > c->set_cap) {
			free(c->set);
			c->set_cap = (size_t)bound + 1;
			c->set = xmalloc(c->set_cap * sizeof *c->set);
		}
		for (size_t wd = 0; wd < words; wd++)
			for (uint64_t v = c->bits[wd]; v && n < c->set_cap; v &= v - 1) {
				uint32_t d = (uint32_t)(wd * 64) + (uint32_t)__builtin_ctzll(v);

				if (d < ix->n_docs)
					c->set[n++] = d;
			}
	}
	for (size_t j = all ? start : start + 1; j < no && (all || n > 0) && filter; j++) {
		uint64_t df = c->wm[order[j]].df;
		size_t m = 0;

		if (all ||
		    (df > SEARCH_INTERSECT_RATIO * (uint64_t)n && df > SEARCH_INTERSECT_FREE)) {
			word_masks(c, order[j]);
			skip[n_skip++] = &c->wm[order[j]];
			continue;
		}
		word_bits(c, order[j], c->bits);
		for (size_t k = 0; k < n; k++)
			m += c->bits[c->set[k] / 64] >> (c->set[k] % 64) & 1;
		if (m == 0) {
			/* it would leave nothing: a wrong word, scoring will tell */
			c->dropped |= 1u << order[j];
			continue;
		}
		m = 0;
		for (size_t k = 0; k < n; k++)
			if (c->bits[c->set[k] / 64] >> (c->set[k] % 64) & 1)
				c->set[m++] = c->set[k];
		n = m;
	}
	if (all)
		n = ix->n_docs < SEARCH_VISIT_CAP ? ix->n_docs : SEARCH_VISIT_CAP;
	for (size_t k = 0; k < n && c->scored < cap; k++) {
		uint32_t d = all ? (uint32_t)k : c->set[k];

		if (n_skip > 0) {
			const uint64_t *sg = ix->sig + 2 * (size_t)d;
			size_t i = 0;

			while (i < n_skip && sig_may_have(sg, skip[i]))
				i++;
			if (i < n_skip)
				continue;
		}
		full += (size_t)score_main(c, d) == no;
		if (full >= SEARCH_ENOUGH)
			return;
	}
}

static int by_df_order_cmp(const void *a, const void *b, const struct qctx *c)
{
	uint64_t x = c->wm[*(const int *)a].df, y = c->wm[*(const int *)b].df;

	return x < y ? -1 : x > y;
}

/* Lists in order the required words that match something, rarest first; marks the
 * others dropped. Returns the count. */
static size_t word_order(struct qctx *c, int *order)
{
	const struct search_query *q = c->q;
	size_t no = 0;

	for (size_t i = 0; i < q->n; i++) {
		if (q->w[i].optional)
			continue;
		if (c->wm[i].df == 0)
			c->dropped |= 1u << i;
		else
			order[no++] = (int)i;
	}
	/* insertion sort: at most 16 words */
	for (size_t i = 1; i < no; i++)
		for (size_t j = i; j > 0 && by_df_order_cmp(&order[j], &order[j - 1], c) < 0; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	return no;
}

static size_t count_full(const struct qctx *c, size_t required)
{
	size_t full = 0;

	for (size_t i = 0; i < c->ntop; i++)
		full += c->top[i].score.matched == required;
	return full;
}

/* Runs the candidate chain: the documents matching every word; when there are none,
 * those matching every word but the rarest (a wrong but existing word, or "chantier" in
 * "chantier rue de la republique lyon"); then, when the top is not full, partial matches
 * to fill it (a few when some documents matched every word, more when none did).
 * Returns how many of the top hits match every required word. */
static size_t candidates(struct qctx *c, size_t required, size_t cap, size_t hard)
{
	int order[SEARCH_QUERY_WORDS_MAX];
	size_t no, full;

	c->dropped = 0;
	no = word_order(c, order);
	if (no == 0 || c->ix->n_docs == 0)
		return 0;
	if (c->bits == NULL)
		c->bits = xmalloc((c->ix->n_docs / 64 + 1) * sizeof *c->bits);
	chain(c, order, no, 0, cap < hard ? cap : hard, 1);
	full = count_full(c, no);
	if (full == 0 && no >= 2 && !c->broad) {
		cap = c->scored + SEARCH_SECOND_CAP;
		chain(c, order, no, 1, cap < hard ? cap : hard, 1);
		full = count_full(c, no);
	}
	if (c->ntop < c->limit && no >= 2) {
		cap = c->scored + (full > 0 ? SEARCH_FILL_CAP : SEARCH_SECOND_CAP);
		chain(c, order, no, 0, cap < hard ? cap : hard, 0);
	}
	return count_full(c, required);
}

/* When nothing matches every word, a whole word of 5 to 8 letters that matched no term
 * at all may carry two typos ("mrtain" for "martin"): it gets a budget of 2 and is
 * matched again; one of 4 letters gets one ("davd": a letter of "david" dropped). Doing
 * it only then keeps the many near neighbours of short words out of ordinary queries.
 * Returns 1 when a budget was raised. */
static int escalate(struct qctx *c)
{
	const struct search_query *q = c->q;
	int raised = 0;

	for (size_t i = 0; i < q->n; i++) {
		const struct search_qword *qw = &q->w[i];
		size_t len = strlen(qw->form[0]);

		if (qw->kind != SEARCH_WORD_TEXT || qw->prefix || qw->optional || c->wm[i].df > 0 ||
		    len < 4 || len > SEARCH_ESCALATE_LEN_MAX || c->budget[i] != (len == 4 ? 0 : 1))
			continue;
		c->budget[i]++;
		c->cur_word = (int)i;
		search_lev_walk(&c->ix->dict, qw->form[0], len, c->budget[i], 0, walk_cb, c);
		raised = 1;
	}
	return raised;
}

static void text_search(struct qctx *c)
{
	const struct search_query *q = c->q;
	size_t total = 0, required = 0;

	c->addressy = looks_like_address(q);
	for (size_t i = 0; i < q->n; i++)
		total += WORD_TERMS_MAX;
	c->hcap = 1;
	while (c->hcap < total * 2)
		c->hcap <<= 1;
	c->h = xcalloc(c->hcap, sizeof *c->h);
	for (size_t i = 0; i < q->n; i++) {
		c->budget[i] = q->w[i].budget;
		match_word(c, (int)i);
		required += !q->w[i].optional;
	}
	/* at most SEARCH_SCORE_CAP + 2 * SEARCH_SECOND_CAP scored in all, the second time
	 * SEARCH_SECOND_CAP in all */
	if (candidates(c, required, SEARCH_SCORE_CAP, SIZE_MAX) == 0 && required > 0 &&
	    escalate(c))
		candidates(c, required, c->scored + SEARCH_SECOND_CAP,
		           c->scored + SEARCH_SECOND_CAP);
	/* the delta is small: every document of it is scored */
	for (size_t di = 0; di < c->ix->n_delta; di++)
		score_delta(c, di);
}

/* ---- Identifiers ------------------------------------------------------------------- */

static void id_add(struct qctx *c, int64_t siret, const struct search_id_candidate *cd)
{
	uint32_t doc = search_index_find_siret(c->ix, siret);
	struct cand x;

	memset(&x, 0, sizeof x);
	x.corrected_pos = cd ? cd->pos : -1;
	x.corrected_how = cd ? cd->how : 0;
	x.flags = (c->q->id_kind == SEARCH_ID_SIRET ? SEARCH_HIT_SIRET : SEARCH_HIT_SIREN) |
	          (cd ? SEARCH_HIT_CORRECTED : 0);
	for (size_t i = 0; i < SEARCH_QUERY_WORDS_MAX; i++)
		x.word_field[i] = -1;
	for (size_t di = 0; di < c->ix->n_delta; di++)
		if (c->ix->delta[di].siret == siret && !c->ix->delta[di].removed) {
			x.doc = (uint32_t)di;
			x.delta = 1;
			x.flags |= SEARCH_HIT_DELTA;
			x.score.stat = c->ix->delta[di].stat;
			x.k1 = 1ull << 63 | (uint64_t)!cd << 62 | x.score.stat;
			top_add(c, &x);
			return;
		}
	if (doc == UINT32_MAX || search_index_hidden(c->ix, doc))
		return;
	x.doc = doc;
	x.score.stat = c->ix->stat[doc];
	x.k1 = 1ull << 63 | (uint64_t)!cd << 62 | x.score.stat;
	x.k2 = UINT32_MAX - doc;
	top_add(c, &x);
}

static void siren_add(struct qctx *c, int64_t siren, const struct search_id_candidate *cd)
{
	const struct search_index *ix = c->ix;
	int64_t lo = siren * 100000, hi = lo + 100000;
	uint32_t a = 0, b = ix->n_docs;

	while (a < b) {
		uint32_t mid = a + (b - a) / 2;

		if (ix->siret[ix->by_siret[mid]] < lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (uint32_t k = a; k < ix->n_docs && ix->siret[ix->by_siret[k]] < hi; k++)
		id_add(c, ix->siret[ix->by_siret[k]], cd);
	for (size_t di = 0; di < ix->n_delta; di++)
		if (ix->delta[di].siret >= lo && ix->delta[di].siret < hi &&
		    search_index_find_siret(ix, ix->delta[di].siret) == UINT32_MAX)
			id_add(c, ix->delta[di].siret, cd);
}

/* An identifier whose check digit passes is looked up as typed; when no establishment
 * has it (two swapped digits that still pass, as 09 and 90 do under Luhn), its valid
 * neighbours are tried, as for one whose check digit fails. */
static void id_search(struct qctx *c)
{
	const struct search_query *q = c->q;
	int siret = q->id_kind == SEARCH_ID_SIRET;
	struct search_id_candidate *cand = NULL;
	const struct search_id_candidate *cd = q->cand;
	size_t n = q->n_cand;

	if (q->id_valid) {
		if (siret)
			id_add(c, strtoll(q->id, NULL, 10), NULL);
		else
			siren_add(c, strtoll(q->id, NULL, 10), NULL);
		if (c->ntop > 0)
			return;
		cand = xmalloc(SEARCH_ID_CANDIDATES_MAX * sizeof *cand);
		n = search_id_candidates(q->id, siret ? 14 : 9, cand);
		cd = cand;
	}
	for (size_t i = 0; i < n; i++) {
		if (siret)
			id_add(c, strtoll(cd[i].id, NULL, 10), &cd[i]);
		else
			siren_add(c, strtoll(cd[i].id, NULL, 10), &cd[i]);
	}
	free(cand);
}

/* ---- Results ----------------------------------------------------------------------- */

static void copy_field(char *dst, size_t max, const char *s, size_t n)
{
	if (n >= max) {
		n = max - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void fill_display(struct search_hit *h, const char *p, size_t len)
{
	struct {
		char *dst;
		size_t max;
	} f[DISP_COUNT] = {
	    {h->name, sizeof h->name},       {h->enseigne, sizeof h->enseigne},
	    {h->address, sizeof h->address}, {h->postcode, sizeof h->postcode},
	    {h->commune, sizeof h->commune},
	};
	size_t s = 0, k = 0;

	for (size_t i = 0; i <= len && k < DISP_COUNT; i++) {
		if (i < len && p[i] != SEARCH_DISP_SEP)
			continue;
		copy_field(f[k].dst, f[k].max, p + s, i - s);
		k++;
		s = i + 1;
	}
}

static void make_hit(const struct qctx *c, const struct cand *x, struct search_hit *h)
{
	const struct search_index *ix = c->ix;
	int64_t siret;
	uint32_t stat;

	memset(h, 0, sizeof *h);
	if (x->delta) {
		const struct search_delta_doc *dd = &ix->delta[x->doc];

		siret = dd->siret;
		stat = dd->stat;
		fill_display(h, dd->disp, strlen(dd->disp));
	} else {
		siret = ix->siret[x->doc];
		stat = ix->stat[x->doc];
		fill_display(h, (const char *)ix->disp + ix->disp_off[x->doc],
		             ix->disp_off[x->doc + 1] - ix->disp_off[x->doc]);
	}
	siret_format(siret, h->siret);
	h->flags = x->flags | (stat & SEARCH_STATIC_ACTIVE ? SEARCH_HIT_ACTIVE : 0) |
	           (stat & SEARCH_STATIC_HEAD ? SEARCH_HIT_HEAD_OFFICE : 0);
	h->corrected_pos = x->corrected_pos;
	h->corrected_how = x->corrected_how;
	h->score = x->score;
	h->score.stat = stat;
	memcpy(h->word_field, x->word_field, sizeof h->word_field);
	memcpy(h->word_typos, x->word_typos, sizeof h->word_typos);
}

enum err_code search_run(struct search_index *ix, const char *text, size_t limit,
                         struct search_result **out, struct err *e)
{
	struct qctx *c = NULL;
	struct search_result *r = NULL;
	enum err_code rc;

	*out = NULL;
	if (ix == NULL)
		return err_set(e, ERR_INVALID, "index", "no search index");
	if (limit == 0 || limit > SEARCH_LIMIT_MAX)
		return err_set(e, ERR_INVALID, "limit", "expected a number from 1 to %d",
		               SEARCH_LIMIT_MAX);
	r = xcalloc(1, sizeof *r);
	if ((rc = search_query_parse(text, &r->query, e)) != ERR_OK) {
		free(r);
		return rc;
	}
	c = xcalloc(1, sizeof *c);
	c->ix = ix;
	c->q = &r->query;
	c->limit = limit;
	pthread_rwlock_rdlock(&ix->lock);
	if (r->query.id_kind != SEARCH_ID_NONE)
		id_search(c);
	if (r->query.n > 0)
		text_search(c);
	for (size_t i = 0; i < c->ntop; i++)
		make_hit(c, &c->top[i], &r->hit[i]);
	pthread_rwlock_unlock(&ix->lock);
	r->n = c->ntop;
	r->dropped = c->dropped;
	r->candidates = c->scored;
	for (size_t i = 0; i < SEARCH_QUERY_WORDS_MAX; i++)
		free(c->wm[i].terms);
	free(c->h);
	free(c->bits);
	free(c->set);
	free(c);
	*out = r;
	return ERR_OK;
}

void search_result_free(struct search_result *r)
{
	free(r);
}

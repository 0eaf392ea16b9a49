/* normalize: folding, tokenisation, abbreviations and legal forms for search. */
#include "search/normalize.h"

#include <string.h>

#include <utf8proc.h>

/* ---- Tables ------------------------------------------------------------------------ */

enum { ABBR_ALL, ABBR_PLACE };

/* Abbreviations. ABBR_ALL are expanded in names and places alike; ABBR_PLACE only in
 * addresses and communes (a query receives both as alternatives). "ste" is the one
 * ambiguous entry: "sainte" in places, "societe" in names (see docs/internals/search.md). */
static const struct abbr {
	const char *abbr;
	const char *name;  /* expansion in a name, or NULL */
	const char *place; /* expansion in a place, or NULL */
} abbrs[] = {
    {"all", NULL, "allee"},
    {"av", "avenue", "avenue"},
    {"ave", "avenue", "avenue"},
    {"bd", "boulevard", "boulevard"},
    {"bld", "boulevard", "boulevard"},
    {"blvd", "boulevard", "boulevard"},
    {"bvd", "boulevard", "boulevard"},
    {"che", NULL, "chemin"},
    {"chem", "chemin", "chemin"},
    {"cie", "compagnie", "compagnie"},
    {"crs", NULL, "cours"},
    {"ctre", "centre", "centre"},
    {"dr", "docteur", "docteur"},
    {"etab", "etablissements", "etablissements"},
    {"etabs", "etablissements", "etablissements"},
    {"etbs", "etablissements", "etablissements"},
    {"ets", "etablissements", "etablissements"},
    {"fbg", "faubourg", "faubourg"},
    {"fg", NULL, "faubourg"},
    {"fr", "france", NULL},
    {"gal", "general", "general"},
    {"gd", "grand", "grand"},
    {"gde", "grande", "grande"},
    {"imp", "impasse", "impasse"},
    {"lot", NULL, "lotissement"},
    {"mal", NULL, "marechal"},
    {"mgr", "monseigneur", "monseigneur"},
    {"pdt", "president", "president"},
    {"pl", "place", "place"},
    {"prom", NULL, "promenade"},
    {"qu", NULL, "quai"},
    {"r", NULL, "rue"},
    {"rte", "route", "route"},
    {"sq", NULL, "square"},
    {"st", "saint", "saint"},
    {"ste", "societe", "sainte"},
    {"sts", "saints", "saints"},
};

static const char *const legal_forms[] = {
    "compagnie", "earl",    "ei",    "eirl", "etablissements", "eurl",   "gaec",  "gie",
    "sa",        "sarl",    "sarlu", "sas",  "sasu",           "sca",    "sci",   "scm",
    "scop",      "scp",     "scs",   "sel",  "selafa",         "selarl", "selas", "sem",
    "snc",       "societe",
};

static const char *const stop_words[] = {
    "a", "au", "aux", "de", "des", "du", "en", "et", "la", "le", "les", "sur",
};

static const char *const elisions[] = {
    "c", "d", "j", "jusqu", "l", "lorsqu", "m", "n", "puisqu", "qu", "quoiqu", "s", "t",
};

static int in_list(const char *w, const char *const *list, size_t n)
{
	/* the first byte first: called for every token indexed (11 M establishments) */
	for (size_t i = 0; i < n; i++)
		if (w[0] == list[i][0] && strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

int search_is_legal_form(const char *w)
{
	return in_list(w, legal_forms, sizeof legal_forms / sizeof legal_forms[0]);
}

int search_typo_budget(size_t len)
{
	return len <= 4 ? 0 : len <= 8 ? 1 : 2;
}

/* ---- Folding ----------------------------------------------------------------------- */

static size_t put(char *out, size_t o, size_t max, const char *s, size_t n)
{
	if (o + n >= max)
		return o;
	memcpy(out + o, s, n);
	return o + n;
}

static size_t put_cp(char *out, size_t o, size_t max, utf8proc_int32_t c)
{
	utf8proc_uint8_t tmp[4];
	utf8proc_ssize_t n;

	if (c < 0x80) {
		char ch = (char)c;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '\'')
			return put(out, o, max, &ch, 1);
		return put(out, o, max, " ", 1);
	}
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return o;
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
		n = utf8proc_encode_char(c, tmp);
		return put(out, o, max, (const char *)tmp, (size_t)n);
	default:
		return put(out, o, max, " ", 1);
	}
}

size_t search_fold(const char *in, size_t n, char *out, size_t max)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in;
	size_t i = 0, o = 0;

	if (max == 0)
		return 0;
	while (i < n && p[i] != 0) {
		utf8proc_int32_t c, dec[16];
		utf8proc_ssize_t len = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
		utf8proc_ssize_t nd;
		int last = 0;

		if (len <= 0) {
			o = put(out, o, max, " ", 1);
			i++;
			continue;
		}
		i += (size_t)len;
		switch (c) {
		case 0x152:
		case 0x153: /* Œ œ */
			o = put(out, o, max, "oe", 2);
			continue;
		case 0xC6:
		case 0xE6: /* Æ æ */
			o = put(out, o, max, "ae", 2);
			continue;
		case 0xDF:
		case 0x1E9E: /* ß ẞ */
			o = put(out, o, max, "ss", 2);
			continue;
		case 0xD8:
		case 0xF8: /* Ø ø */
			o = put(out, o, max, "o", 1);
			continue;
		case 0x110:
		case 0x111: /* Đ đ */
			o = put(out, o, max, "d", 1);
			continue;
		case 0x141:
		case 0x142: /* Ł ł */
			o = put(out, o, max, "l", 1);
			continue;
		case '&':
			o = put(out, o, max, " et ", 4);
			continue;
		case '`':
		case 0xB4:
		case 0x2018:
		case 0x2019:
		case 0x02BC:
		case 0x2032:
			o = put(out, o, max, "'", 1);
			continue;
		default:
			break;
		}
		nd = utf8proc_decompose_char(c, dec, 16,
		                             UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
		                                 UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
		                             &last);
		if (nd < 0 || nd > 16) {
			o = put(out, o, max, " ", 1);
			continue;
		}
		for (utf8proc_ssize_t k = 0; k < nd; k++) {
			if (dec[k] == 0x153 || dec[k] == 0xE6)
				o = put(out, o, max, dec[k] == 0x153 ? "oe" : "ae", 2);
			else
				o = put_cp(out, o, max, dec[k]);
		}
	}
	out[o] = '\0';
	return o;
}

/* ---- Tokenisation ------------------------------------------------------------------ */

struct tk {
	struct search_token *toks;
	size_t max, n;
	enum search_ctx ctx;
	uint16_t pos;
};

/* Cuts w (len bytes) at a UTF-8 boundary so that it fits SEARCH_WORD_MAX. */
static size_t cut_word(const char *w, size_t len)
{
	if (len < SEARCH_WORD_MAX)
		return len;
	len = SEARCH_WORD_MAX - 1;
	while (len > 0 && ((unsigned char)w[len] & 0xC0) == 0x80)
		len--;
	return len;
}

static void set_form(char *dst, const char *src, size_t len)
{
	len = cut_word(src, len);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void emit(struct tk *t, const char *w, size_t len)
{
	struct search_token *k;
	int digits = 1;

	if (len == 0 || t->n >= t->max)
		return;
	k = &t->toks[t->n];
	memset(k, 0, sizeof *k);
	set_form(k->form[0], w, len);
	k->n_forms = 1;
	for (const char *c = k->form[0]; *c; c++)
		if (*c < '0' || *c > '9')
			digits = 0;
	if (digits)
		k->flags |= SEARCH_TOK_NUMBER;
	for (size_t i = 0; i < sizeof abbrs / sizeof abbrs[0]; i++) {
		const struct abbr *a = &abbrs[i];

		if (k->form[0][0] != a->abbr[0] || strcmp(k->form[0], a->abbr) != 0)
			continue;
		k->flags |= SEARCH_TOK_ABBREV;
		if (t->ctx == SEARCH_CTX_NAME && a->name) {
			set_form(k->form[0], a->name, strlen(a->name));
		} else if (t->ctx == SEARCH_CTX_PLACE && a->place) {
			set_form(k->form[0], a->place, strlen(a->place));
		} else if (t->ctx == SEARCH_CTX_QUERY) {
			if (a->place)
				set_form(k->form[k->n_forms++], a->place, strlen(a->place));
			if (a->name && (a->place == NULL || strcmp(a->name, a->place) != 0))
				set_form(k->form[k->n_forms++], a->name, strlen(a->name));
		}
		break;
	}
	if (in_list(k->form[0], stop_words, sizeof stop_words / sizeof stop_words[0])) {
		k->flags |= SEARCH_TOK_STOP;
	} else {
		/* legal when the word is, or when every expansion is ("ets"; not "ste") */
		int legal = k->n_forms > 1;

		for (uint8_t f = 1; f < k->n_forms; f++)
			legal = legal && search_is_legal_form(k->form[f]);
		if (legal || search_is_legal_form(k->form[0]))
			k->flags |= SEARCH_TOK_LEGAL;
		k->pos = t->pos++;
	}
	t->n++;
}

/* A piece without apostrophes: split at dots, joining single letters ("s.n.c.f"). */
static void emit_dotted(struct tk *t, const char *w, size_t len)
{
	char joined[SEARCH_WORD_MAX];
	size_t parts = 0, singles = 0, j = 0, s = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || w[i] == '.') {
			if (i > s) {
				parts++;
				if (i - s == 1)
					singles++;
			}
			s = i + 1;
		}
	}
	if (parts >= 2 && singles == parts) {
		for (size_t i = 0; i < len && j < sizeof joined - 1; i++)
			if (w[i] != '.')
				joined[j++] = w[i];
		emit(t, joined, j);
		return;
	}
	s = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || w[i] == '.') {
			emit(t, w + s, i - s);
			s = i + 1;
		}
	}
}

/* A chunk between spaces: elisions dropped, other apostrophes joined ("o'neil"). */
static void emit_chunk(struct tk *t, const char *w, size_t len)
{
	char piece[SEARCH_TEXT_BYTES_MAX];
	size_t pl = 0, s = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && w[i] != '\'')
			continue;
		if (i < len) {
			/* w[s..i) is followed by an apostrophe */
			char part[16];
			size_t n = i - s;

			if (pl == 0 && n < sizeof part) {
				memcpy(part, w + s, n);
				part[n] = '\0';
				if (in_list(part, elisions, sizeof elisions / sizeof elisions[0])) {
					s = i + 1;
					continue;
				}
			}
		}
		{
			size_t take = i - s;

			if (take > sizeof piece - pl)
				take = sizeof piece - pl;
			memcpy(piece + pl, w + s, take);
			pl += take;
		}
		s = i + 1;
	}
	emit_dotted(t, piece, pl);
}

size_t search_tokenize(const char *in, enum search_ctx ctx, struct search_token *toks, size_t max)
{
	char folded[SEARCH_TEXT_BYTES_MAX * 2];
	size_t cap = ctx == SEARCH_CTX_QUERY ? SEARCH_QUERY_BYTES_MAX : SEARCH_TEXT_BYTES_MAX;
	size_t n, len, s = 0;
	struct tk t = {.toks = toks, .max = max, .ctx = ctx};

	if (in == NULL || toks == NULL || max == 0)
		return 0;
	len = strnlen(in, cap);
	/* never cut a character in two: back up to a lead byte */
	if (len == cap)
		while (len > 0 && ((unsigned char)in[len] & 0xC0) == 0x80)
			len--;
	n = search_fold(in, len, folded, sizeof folded);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && folded[i] != ' ')
			continue;
		if (i > s)
			emit_chunk(&t, folded + s, i - s);
		s = i + 1;
	}
	return t.n;
}

/* bench-search: quality and latency of the establishment search against SQLite FTS5
 * baselines, on queries derived from sampled establishments with a fixed seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>
#ifdef BENCH_PG
#include <libpq-fe.h>
#endif

#include "core/rng.h"
#include "domain/siret.h"
#include "search/index-impl.h"
#include "search/search.h"
#include "store/store.h"

#define TARGETS 6000 /* establishments sampled (reservoir, fixed seed) */
#define QUERY_MAX 256
#define K 10
#define ENGINES 4

enum engine { E_CONSTAT, E_FTS5, E_TRIGRAM, E_PG };
static const char *const engine_name[ENGINES] = {"constat", "fts5-unicode61", "fts5-trigram",
                                                 "pg_trgm"};

struct target {
	char siret[15];
	char name[160], enseigne[160], address[200], postcode[8], commune[80];
	char fname[160]; /* the name folded (lowercase, no accents) */
};

static struct target *tg;
static size_t n_tg, n_seen;
static struct rng rs;

/* ---- Helpers ----------------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Splits the display record of d into the fields of t. */
static void split_disp(struct target *t, const char *p, size_t len)
{
	struct {
		char *dst;
		size_t max;
	} f[DISP_COUNT] = {{t->name, sizeof t->name},
	                   {t->enseigne, sizeof t->enseigne},
	                   {t->address, sizeof t->address},
	                   {t->postcode, sizeof t->postcode},
	                   {t->commune, sizeof t->commune}};
	size_t s = 0, k = 0;

	for (size_t i = 0; i <= len && k < DISP_COUNT; i++) {
		size_t n;

		if (i < len && p[i] != SEARCH_DISP_SEP)
			continue;
		n = i - s < f[k].max - 1 ? i - s : f[k].max - 1;
		memcpy(f[k].dst, p + s, n);
		f[k].dst[n] = '\0';
		k++;
		s = i + 1;
	}
}

/* ---- The walk: sampling and the FTS5 baselines ------------------------------------- */

struct walk {
#ifdef BENCH_PG
	PGconn *pg; /* PostgreSQL with pg_trgm: COPY during the walk */
	double ms_pg;
#endif
	sqlite3 *db[ENGINES];
	sqlite3_stmt *ins[ENGINES];
	double ms_insert[ENGINES];
	struct search_docsrc d;
	size_t n_walk;
	int build;
};

/* The normalised text of field f of d, words separated by spaces. */
static void field_text(const struct search_docsrc *d, int f, char *out, size_t max)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->n; i++) {
		size_t l;

		if (d->terms[i].field != f)
			continue;
		l = strlen(d->terms[i].text);
		if (n + l + 2 >= max)
			break;
		if (n)
			out[n++] = ' ';
		memcpy(out + n, d->terms[i].text, l + 1);
		n += l;
	}
}

static int walk_cb(void *ctx, const struct establishment *est, const struct legal_unit *u)
{
	struct walk *w = ctx;
	struct search_docsrc *d = &w->d;

	if (est->siret == NULL || !siret_valid(est->siret))
		return 0;
	if (++w->n_walk % 1000000 == 0)
		fprintf(stderr, "bench-search: %zu establishments walked\n", w->n_walk);
	search_docsrc_fill(d, est, u);
	if (w->build) {
		char txt[SEARCH_FIELD_COUNT][1200];

		for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
			field_text(d, f, txt[f], sizeof txt[f]);
#ifdef BENCH_PG
		if (w->pg) {
			char line[5200];
			size_t n = 0;
			double t0 = now_ms();

			/* COPY text format: tab-separated; the normalised text has no tab,
			 * newline or backslash (anything but letters and digits is a space) */
			n += (size_t)snprintf(line, sizeof line, "%lld", (long long)d->siret);
			for (int f = 0; f < SEARCH_FIELD_COUNT && n < sizeof line; f++)
				n += (size_t)snprintf(line + n, sizeof line - n, "\t%s", txt[f]);
			if (n < sizeof line)
				n += (size_t)snprintf(line + n, sizeof line - n, "\n");
			if (n < sizeof line && PQputCopyData(w->pg, line, (int)n) != 1) {
				fprintf(stderr, "pg copy: %s", PQerrorMessage(w->pg));
				return 1;
			}
			w->ms_pg += now_ms() - t0;
		}
#endif
		for (int e = E_FTS5; e < E_PG; e++) {
			double t0;

			if (w->ins[e] == NULL)
				continue;
			t0 = now_ms();
			sqlite3_bind_int64(w->ins[e], 1, d->siret);
			for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
				sqlite3_bind_text(w->ins[e], f + 2, txt[f], -1, SQLITE_STATIC);
			if (sqlite3_step(w->ins[e]) != SQLITE_DONE) {
				fprintf(stderr, "fts insert: %s\n", sqlite3_errmsg(w->db[e]));
				return 1;
			}
			sqlite3_reset(w->ins[e]);
			w->ms_insert[e] += now_ms() - t0;
		}
	}
	/* reservoir sample of active establishments having a name */
	if (est->state == NULL || strcmp(est->state, "A") != 0 || d->disp[0] == SEARCH_DISP_SEP)
		return 0;
	n_seen++;
	{
		size_t slot = n_tg < TARGETS ? n_tg++ : (size_t)rng_below(&rs, n_seen);
		struct target *t;

		if (slot >= TARGETS)
			return 0;
		t = &tg[slot];
		memset(t, 0, sizeof *t);
		split_disp(t, d->disp, d->disp_len);
		snprintf(t->siret, sizeof t->siret, "%s", est->siret);
		search_fold(t->name, strlen(t->name), t->fname, sizeof t->fname);
	}
	return 0;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sqlite: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return 0;
	}
	return 1;
}

/* Saves or loads the sampled targets (tab-separated), so that a run without baselines
 * to build needs no walk of the store. */
static void targets_save(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	for (size_t i = 0; i < n_tg; i++)
		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", tg[i].siret, tg[i].name, tg[i].enseigne,
		        tg[i].address, tg[i].postcode, tg[i].commune, tg[i].fname);
	fclose(f);
}

static int targets_load(const char *path)
{
	char line[1200];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	n_tg = 0;
	while (n_tg < TARGETS && fgets(line, sizeof line, f)) {
		struct target *t = &tg[n_tg];
		char *fld[7], *p = line;
		size_t k = 0;

		line[strcspn(line, "\n")] = '\0';
		while (k < 7) {
			fld[k++] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (k != 7)
			continue;
		snprintf(t->siret, sizeof t->siret, "%s", fld[0]);
		snprintf(t->name, sizeof t->name, "%s", fld[1]);
		snprintf(t->enseigne, sizeof t->enseigne, "%s", fld[2]);
		snprintf(t->address, sizeof t->address, "%s", fld[3]);
		snprintf(t->postcode, sizeof t->postcode, "%s", fld[4]);
		snprintf(t->commune, sizeof t->commune, "%s", fld[5]);
		snprintf(t->fname, sizeof t->fname, "%s", fld[6]);
		n_tg++;
	}
	fclose(f);
	return n_tg > 0;
}

/* ---- Query generation -------------------------------------------------------------- */

enum cat {
	C_EXACT,
	C_EXACT_COMMUNE,
	C_FOLDED,
	C_TYPO1,
	C_TYPO1_FIRST,
	C_TYPO2_LONG,
	C_TYPO2_MID,
	C_TRUNC,
	C_PREFIX,
	C_DROPPED,
	C_REORDER,
	C_ABBREV,
	C_POSTCODE,
	C_ADDRESS,
	C_SIRET,
	C_SIRET_DIGIT,
	C_SIRET_SWAP,
	C_COUNT
};

static const char *const cat_name[C_COUNT] = {
    "exact name",          "exact name + commune",  "folded name + commune",
    "1 edit + commune",    "1 edit on 1st letter",  "2 edits, word 9+",
    "2 edits, word 5-8",   "truncated last word",   "as you type (prefix)",
    "dropped word",        "reordered words",       "abbreviated",
    "name + postcode",     "address only",          "SIRET exact",
    "SIRET 1 wrong digit", "SIRET 2 digits swapped"};

static const char *const azerty[26] = {
    "zq",     "vngh", "xvdf", "sfercx", "zrds", "dgrtcv", "fhtyvb", "gjyubn", "uokj",
    "hkuin",  "jlio", "kmop", "lp",     "bhj",  "iplk",   "oml",    "asw",    "etfd",
    "qdzexw", "rygf", "yijh", "cbfg",   "qsx",  "wcsd",   "tuhg",   "aes"};

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char neighbour(struct rng *r, char c)
{
	int up = c >= 'A' && c <= 'Z';
	int i = (up ? c - 'A' : c - 'a');
	const char *n = azerty[i];
	char o = n[rng_below(r, strlen(n))];

	return up ? (char)(o - 'a' + 'A') : o;
}

/* Words of q made of ASCII letters only, of length in [lo, hi]: starts and lengths. */
static size_t words_of(const char *q, size_t lo, size_t hi, size_t *st, size_t *ln, size_t max)
{
	size_t n = 0, i = 0, len = strlen(q);

	while (i < len && n < max) {
		size_t s, ok = 1;

		while (i < len && q[i] == ' ')
			i++;
		s = i;
		while (i < len && q[i] != ' ') {
			if (!is_alpha(q[i]))
				ok = 0;
			i++;
		}
		if (ok && i - s >= lo && i - s <= hi) {
			st[n] = s;
			ln[n] = i - s;
			n++;
		}
	}
	return n;
}

/* One edit (AZERTY substitution, insertion, deletion, swap) in the word at q[s..s+l),
 * at position p (or random when p < 0); returns the new length of the word. */
static size_t edit(struct rng *r, char *q, size_t max, size_t s, size_t l, long p)
{
	size_t len = strlen(q), at = p >= 0 ? s + (size_t)p : s + rng_below(r, l);
	int kind = (int)rng_below(r, 4);

	if (kind == 3 && (at + 1 >= s + l || q[at] == q[at + 1]))
		kind = 0;
	if (kind == 1 && len + 2 >= max)
		kind = 0;
	switch (kind) {
	case 0:
		q[at] = neighbour(r, q[at]);
		return l;
	case 1:
		memmove(q + at + 1, q + at, len - at + 1);
		q[at] = neighbour(r, q[at + 1]);
		return l + 1;
	case 2:
		memmove(q + at, q + at + 1, len - at);
		return l - 1;
	default: {
		char c = q[at];

		q[at] = q[at + 1];
		q[at + 1] = c;
		return l;
	}
	}
}

static void append(char *q, size_t max, const char *s)
{
	size_t l = strlen(q);

	if (s[0])
		snprintf(q + l, max - l, "%s%s", l ? " " : "", s);
}

/* Builds the query of category c from target t; returns 0 when t does not fit. */
static int make_query(struct rng *r, int c, const struct target *t, char *q, size_t max)
{
	size_t st[32], ln[32], n;

	q[0] = '\0';
	switch (c) {
	case C_EXACT:
		snprintf(q, max, "%s", t->name);
		return 1;
	case C_EXACT_COMMUNE:
		snprintf(q, max, "%s %s", t->name, t->commune);
		return 1;
	case C_FOLDED: {
		char f[200];

		search_fold(t->commune, strlen(t->commune), f, sizeof f);
		snprintf(q, max, "%s %s", t->fname, f);
		return 1;
	}
	case C_TYPO1:
	case C_TYPO1_FIRST:
		snprintf(q, max, "%s", t->name);
		n = words_of(q, 5, 31, st, ln, 32);
		if (n == 0)
			return 0;
		n = rng_below(r, n);
		edit(r, q, max, st[n], ln[n], c == C_TYPO1_FIRST ? 0 : -1);
		append(q, max, t->commune);
		return 1;
	case C_TYPO2_LONG:
	case C_TYPO2_MID: {
		size_t l;
		long p1, p2;

		snprintf(q, max, "%s", t->name);
		n = c == C_TYPO2_LONG ? words_of(q, 9, 31, st, ln, 32)
		                      : words_of(q, 5, 8, st, ln, 32);
		if (n == 0)
			return 0;
		n = rng_below(r, n);
		/* two edits apart, so that they do not cancel out */
		p1 = (long)rng_below(r, ln[n] / 2);
		p2 = (long)(ln[n] / 2 + rng_below(r, ln[n] - ln[n] / 2 - 1));
		l = edit(r, q, max, st[n], ln[n], p2);
		edit(r, q, max, st[n], l, p1);
		append(q, max, t->commune);
		return 1;
	}
	case C_TRUNC: {
		size_t l;

		snprintf(q, max, "%s %s", t->name, t->commune);
		l = strlen(q);
		while (l > 0 && q[l - 1] == ' ')
			l--;
		n = l;
		while (n > 0 && q[n - 1] != ' ')
			n--;
		if (l - n < 3)
			return 0;
		q[n + 1 + rng_below(r, l - n - 2)] = '\0';
		return 1;
	}
	case C_PREFIX: {
		size_t l = strlen(t->name);

		if (l < 2)
			return 0;
		snprintf(q, max, "%.*s", (int)(1 + rng_below(r, l)), t->name);
		return 1;
	}
	case C_DROPPED: {
		char tmp[200];

		snprintf(tmp, sizeof tmp, "%s", t->name);
		n = words_of(tmp, 1, 31, st, ln, 32);
		if (n < 3) /* dropping one of two words leaves a different name */
			return 0;
		n = rng_below(r, n);
		snprintf(q, max, "%.*s%s %s", (int)st[n], tmp, tmp + st[n] + ln[n], t->commune);
		return 1;
	}
	case C_REORDER: {
		char tmp[200];

		snprintf(tmp, sizeof tmp, "%s", t->name);
		n = words_of(tmp, 1, 31, st, ln, 32);
		if (n < 2)
			return 0;
		snprintf(q, max, "%s", t->commune);
		for (size_t i = n; i-- > 0;) {
			char w[40];

			snprintf(w, sizeof w, "%.*s", (int)ln[i], tmp + st[i]);
			append(q, max, w);
		}
		return 1;
	}
	case C_ABBREV: {
		static const char *const ab[][2] = {{"SOCIETE", "STE"},   {"ETABLISSEMENTS", "ETS"},
		                                    {"SAINT", "ST"},      {"SAINTE", "STE"},
		                                    {"COMPAGNIE", "CIE"}, {"GRAND", "GD"},
		                                    {"CENTRE", "CTRE"}};
		char src[300], w[40];
		int done = 0;

		snprintf(src, sizeof src, "%s %s", t->name, t->commune);
		for (char *p = src; *p; p++)
			if (*p == '-')
				*p = ' ';
		n = words_of(src, 1, 31, st, ln, 32);
		for (size_t i = 0; i < n; i++) {
			const char *out = NULL;

			snprintf(w, sizeof w, "%.*s", (int)ln[i], src + st[i]);
			for (size_t a = 0; a < sizeof ab / sizeof ab[0] && !out; a++)
				if (strcmp(w, ab[a][0]) == 0)
					out = ab[a][1];
			done |= out != NULL;
			append(q, max, out ? out : w);
		}
		return done;
	}
	case C_POSTCODE:
		if (!t->postcode[0])
			return 0;
		snprintf(q, max, "%s %s", t->name, t->postcode);
		return 1;
	case C_ADDRESS:
		if (!t->address[0])
			return 0;
		snprintf(q, max, "%s %s %s", t->address, t->postcode, t->commune);
		return 1;
	case C_SIRET:
		snprintf(q, max, "%s", t->siret);
		return 1;
	case C_SIRET_DIGIT: {
		size_t p = rng_below(r, 14);

		snprintf(q, max, "%s", t->siret);
		q[p] = (char)('0' + (q[p] - '0' + 1 + rng_below(r, 9)) % 10);
		return 1;
	}
	case C_SIRET_SWAP: {
		size_t p = rng_below(r, 13);

		snprintf(q, max, "%s", t->siret);
		if (q[p] == q[p + 1])
			return 0;
		q[p] = t->siret[p + 1];
		q[p + 1] = t->siret[p];
		return 1;
	}
	}
	return 0;
}

/* ---- Engines ----------------------------------------------------------------------- */

struct res {
	int64_t siret[K];
	size_t n;
};

static size_t last_candidates;
#ifdef BENCH_PG
static PGconn *pg_conn; /* the pg_trgm engine's connection, once built */
/* The document as pg_trgm sees it. word_similarity looks for the query in one stretch of
 * the text, so the commune is put both after the name ("name commune" queries) and after
 * the address ("address postcode commune"); the name comes first. */
#define PG_DOC                                                                              \
	"name || ' ' || commune || ' ' || enseigne || ' ' || address || ' ' || commune"
/* word_similarity's threshold for <% (pg_trgm's default is 0.6: most one-typo queries
 * then find nothing) */
#define PG_THRESHOLD "0.5"
#endif

static void run_constat(struct search_index *ix, const char *q, struct res *out)
{
	struct search_result *r = NULL;
	struct err e = {0};

	out->n = 0;
	if (search_run(ix, q, K, &r, &e) != ERR_OK)
		return;
	last_candidates = r->candidates;
	for (size_t i = 0; i < r->n && i < K; i++)
		out->siret[out->n++] = strtoll(r->hit[i].siret, NULL, 10);
	search_result_free(r);
}

/* The FTS5 query of q: its normalised words (stop words out), the last one a prefix
 * (unicode61), words under 3 bytes dropped (trigram). 0 when nothing is left. */
static int fts_query(const char *q, int trigram, char *out, size_t max, int64_t *siret)
{
	struct search_token toks[SEARCH_QUERY_WORDS_MAX];
	size_t n = search_tokenize(q, SEARCH_CTX_QUERY, toks, SEARCH_QUERY_WORDS_MAX), len = 0;
	size_t qlen = strlen(q);
	int ends_space = qlen > 0 && q[qlen - 1] == ' ';
	size_t last = n;

	*siret = 0;
	out[0] = '\0';
	if (n == 1 && strlen(toks[0].form[0]) == 14 && (toks[0].flags & SEARCH_TOK_NUMBER)) {
		*siret = strtoll(toks[0].form[0], NULL, 10);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!(toks[i].flags & SEARCH_TOK_STOP))
			last = i;
	for (size_t i = 0; i < n; i++) {
		const char *w = toks[i].form[0];
		int wrote;

		if ((toks[i].flags & SEARCH_TOK_STOP) || (trigram && strlen(w) < 3))
			continue;
		wrote = snprintf(out + len, max - len, "%s\"%s\"%s", len ? " " : "", w,
		                 !trigram && i == last && !ends_space ? "*" : "");
		if (wrote < 0 || (size_t)wrote >= max - len)
			break;
		len += (size_t)wrote;
	}
	return len > 0;
}

static void run_fts(sqlite3 *db, sqlite3_stmt *st, sqlite3_stmt *byid, int trigram, const char *q,
                    struct res *out)
{
	char m[1024];
	int64_t siret;

	(void)db;
	out->n = 0;
	if (!fts_query(q, trigram, m, sizeof m, &siret))
		return;
	if (siret) {
		sqlite3_bind_int64(byid, 1, siret);
		if (sqlite3_step(byid) == SQLITE_ROW)
			out->siret[out->n++] = sqlite3_column_int64(byid, 0);
		sqlite3_reset(byid);
		return;
	}
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	while (out->n < K && sqlite3_step(st) == SQLITE_ROW)
		out->siret[out->n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
}

#ifdef BENCH_PG
/* pg_trgm: the query's normalised words (as for FTS5, all kept) against the document's
 * normalised text, filtered by word_similarity (<%, GIN index) and ranked by it (<<->). */
static void run_pg(PGconn *pg, const char *q, struct res *out)
{
	char m[1024], id[24];
	const char *params[1];
	int64_t siret;
	PGresult *r;

	out->n = 0;
	if (!fts_query(q, 0, m, sizeof m, &siret))
		return;
	if (siret) {
		snprintf(id, sizeof id, "%lld", (long long)siret);
		params[0] = id;
		r = PQexecPrepared(pg, "byid", 1, params, NULL, NULL, 0);
	} else {
		/* fts_query quoted the words and starred the last: plain words here */
		size_t k = 0;

		for (size_t i = 0; m[i]; i++)
			if (m[i] != '"' && m[i] != '*')
				m[k++] = m[i];
		m[k] = '\0';
		params[0] = m;
		r = PQexecPrepared(pg, "q", 1, params, NULL, NULL, 0);
	}
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		for (int i = 0; i < PQntuples(r) && out->n < K; i++)
			out->siret[out->n++] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	PQclear(r);
}

static int pg_exec(PGconn *pg, const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK ||
	         PQresultStatus(r) == PGRES_COPY_IN;

	if (!ok)
		fprintf(stderr, "pg: %s: %s", sql, PQerrorMessage(pg));
	PQclear(r);
	return ok;
}
#endif

/* ---- Scoring ----------------------------------------------------------------------- */

/* 1 when the result is the target, 2 when it cannot be told from it by what was typed
 * (same name and commune, or same address and commune for an address query). */
static int relevant(struct search_index *ix, const struct target *t, int c, int64_t siret)
{
	struct target o;
	uint32_t doc;

	if (siret == strtoll(t->siret, NULL, 10))
		return 1;
	if (c >= C_SIRET)
		return 0;
	doc = search_index_find_siret(ix, siret);
	if (doc == UINT32_MAX)
		return 0;
	memset(&o, 0, sizeof o);
	split_disp(&o, (const char *)ix->disp + ix->disp_off[doc],
	           ix->disp_off[doc + 1] - ix->disp_off[doc]);
	if (c == C_ADDRESS)
		return strcmp(o.address, t->address) == 0 && strcmp(o.commune, t->commune) == 0 ? 2
		                                                                                : 0;
	if (c == C_EXACT || c == C_PREFIX) /* no place typed: the same name cannot be told */
		return strcmp(o.name, t->name) == 0 ? 2 : 0;
	return strcmp(o.name, t->name) == 0 && strcmp(o.commune, t->commune) == 0 ? 2 : 0;
}

/* Prints a rank-1 miss: the query, the target and the hit ranked first, with their
 * display fields, static scores and ranks (BENCH_SHOW_R1=category). */
static void show_r1_miss(struct search_index *ix, const char *q, const struct target *t,
                         const struct res *res)
{
	int64_t want = strtoll(t->siret, NULL, 10);
	uint32_t dt = search_index_find_siret(ix, want);
	size_t rank = 0;

	for (size_t k = 0; k < res->n; k++)
		if (res->siret[k] == want)
			rank = k + 1;
	printf("R1MISS [%s] target rank %zu\n", q, rank);
	for (int i = 0; i < 2; i++) {
		uint32_t d = i == 0 ? dt : search_index_find_siret(ix, res->siret[0]);
		struct target o;

		if (d == UINT32_MAX)
			continue;
		memset(&o, 0, sizeof o);
		split_disp(&o, (const char *)ix->disp + ix->disp_off[d],
		           ix->disp_off[d + 1] - ix->disp_off[d]);
		printf("  %s %lld doc %u stat %04x | %s | %s | %s | %s %s\n",
		       i == 0 ? "want" : "got ", (long long)ix->siret[d], d, ix->stat[d], o.name,
		       o.enseigne, o.address, o.postcode, o.commune);
	}
}

/* ---- Ambiguity: how many establishments a query cannot tell apart ------------------ */

static uint32_t *homonyms; /* per target: active establishments with its name and commune */

static uint64_t key_hash(const char *name, size_t nl, const char *commune, size_t cl)
{
	uint64_t h = 0xCBF29CE484222325ull;

	for (size_t i = 0; i < nl; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001B3ull;
	h = (h ^ 0x1F) * 0x100000001B3ull;
	for (size_t i = 0; i < cl; i++)
		h = (h ^ (unsigned char)commune[i]) * 0x100000001B3ull;
	return h;
}

/* Counts, for every target, the active establishments of the index having the same name
 * and commune as displayed (the target included): a query made of the name and the
 * commune cannot tell them apart, so the best a ranking can do, over targets sampled
 * uniformly, is the mean of 1/count (BENCH_AMBIGUITY=1; reads every display record). */
static void count_homonyms(const struct search_index *ix)
{
	size_t cap = 16384;
	uint32_t *slot = calloc(cap, sizeof *slot);
	uint64_t *hs = calloc(n_tg, sizeof *hs);

	homonyms = calloc(n_tg, sizeof *homonyms);
	for (size_t t = 0; t < n_tg; t++) {
		size_t k;

		hs[t] = key_hash(tg[t].name, strlen(tg[t].name), tg[t].commune,
		                 strlen(tg[t].commune));
		for (k = hs[t] & (cap - 1); slot[k]; k = (k + 1) & (cap - 1))
			;
		slot[k] = (uint32_t)t + 1;
	}
	for (uint32_t d = 0; d < ix->n_docs; d++) {
		const char *p = (const char *)ix->disp + ix->disp_off[d], *f[DISP_COUNT + 1];
		size_t len = ix->disp_off[d + 1] - ix->disp_off[d], nf = 1;
		uint64_t h;

		if (!(ix->stat[d] & SEARCH_STATIC_ACTIVE))
			continue;
		f[0] = p;
		for (size_t i = 0; i < len && nf < DISP_COUNT; i++)
			if (p[i] == SEARCH_DISP_SEP)
				f[nf++] = p + i + 1;
		if (nf < DISP_COUNT)
			continue;
		f[DISP_COUNT] = p + len + 1;
		h = key_hash(f[DISP_NAME], (size_t)(f[DISP_NAME + 1] - f[DISP_NAME] - 1),
		             f[DISP_COMMUNE], (size_t)(f[DISP_COMMUNE + 1] - f[DISP_COMMUNE] - 1));
		for (size_t k = h & (cap - 1); slot[k]; k = (k + 1) & (cap - 1))
			if (hs[slot[k] - 1] == h)
				homonyms[slot[k] - 1]++;
	}
	free(slot);
	free(hs);
}

struct stats {
	size_t n, r1, r1eq, r3, r10, zero, shared;
	size_t n_unique, r1_unique; /* targets no other active establishment shares name and
	                             * commune with (BENCH_AMBIGUITY): answerable by a ranking */
	double mrr, ceiling;
	double *lat;
};

int main(int argc, char **argv)
{
	const char *db_path = NULL, *ix_path = NULL, *fts_dir = NULL,
	           *engines = "constat,fts5,trigram";
	long per = 1000, seed = 1;
	int build = 0, pg_build = 0, use[ENGINES] = {0};
	struct walk *w = calloc(1, sizeof *w);
	struct store *s = NULL;
	struct search_index *ix = NULL;
	struct err e = {0};
	sqlite3_stmt *q_st[ENGINES] = {0}, *q_id[ENGINES] = {0};
	static struct stats st[ENGINES][C_COUNT];
	char path[ENGINES][512], tpath[600];
	double t0, ms_walk;
	long rss0, rss_ix;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--index") == 0 && i + 1 < argc)
			ix_path = argv[++i];
		else if (strcmp(argv[i], "--fts-dir") == 0 && i + 1 < argc)
			fts_dir = argv[++i];
		else if (strcmp(argv[i], "--build-fts") == 0)
			build = 1;
		else if (strcmp(argv[i], "--engines") == 0 && i + 1 < argc)
			engines = argv[++i];
		else if (strcmp(argv[i], "--per") == 0 && i + 1 < argc)
			per = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: bench-search --db DB --index FILE [--fts-dir DIR "
			                "[--build-fts]] [--engines constat,fts5,trigram] [--per N] "
			                "[--seed N]\n");
			return 2;
		}
	}
	if (db_path == NULL || ix_path == NULL || per < 1 || per > 100000)
		return 2;
	use[E_CONSTAT] = strstr(engines, "constat") != NULL;
	use[E_FTS5] = fts_dir && strstr(engines, "fts5") != NULL;
	use[E_TRIGRAM] = fts_dir && strstr(engines, "trigram") != NULL;
	use[E_PG] = strstr(engines, "pg") != NULL;
#ifndef BENCH_PG
	if (use[E_PG]) {
		printf("pg_trgm: not built in (no libpq when the bench was compiled): skipped\n");
		use[E_PG] = 0;
	}
#else
	if (use[E_PG]) {
		const char *ci = getenv("BENCH_PG");

		w->pg = PQconnectdb(ci ? ci : "");
		if (PQstatus(w->pg) != CONNECTION_OK) {
			printf("pg_trgm: cannot connect (%s): skipped\n", PQerrorMessage(w->pg));
			PQfinish(w->pg);
			w->pg = NULL;
			use[E_PG] = 0;
		} else if (getenv("BENCH_PG_BUILD")) {
			if (!pg_exec(w->pg, "CREATE EXTENSION IF NOT EXISTS pg_trgm") ||
			    !pg_exec(w->pg, "DROP TABLE IF EXISTS d") ||
			    !pg_exec(w->pg, "CREATE TABLE d (siret bigint, name text, enseigne text, "
			                    "address text, commune text)") ||
			    !pg_exec(w->pg, "COPY d FROM STDIN"))
				return 1;
			pg_build = 1; /* the walk feeds it */
		} else {
			PGconn *keep = w->pg;

			w->pg = NULL; /* built already: no COPY during the walk */
			pg_conn = keep;
		}
	}
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	tg = calloc(TARGETS, sizeof *tg);
	rng_seed(&rs, (uint64_t)seed);
	rss0 = status_kb("VmRSS");

	/* FTS5 databases */
	for (int en = E_FTS5; en < E_PG; en++) {
		if (!use[en])
			continue;
		snprintf(path[en], sizeof path[en], "%s/%s.db", fts_dir, engine_name[en]);
		if (build)
			remove(path[en]);
		if (sqlite3_open(path[en], &w->db[en]) != SQLITE_OK)
			return 1;
		exec(w->db[en], "PRAGMA cache_size=-131072"); /* 128 MiB page cache */
		if (build) {
			char sql[300];

			exec(w->db[en], "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF");
			snprintf(
			    sql, sizeof sql,
			    "CREATE VIRTUAL TABLE d USING fts5(name, enseigne, address, commune, "
			    "tokenize='%s'%s)",
			    en == E_TRIGRAM ? "trigram" : "unicode61",
			    en == E_TRIGRAM ? "" : ", prefix='1 2 3'");
			if (!exec(w->db[en], sql) || !exec(w->db[en], "BEGIN"))
				return 1;
			sqlite3_prepare_v2(w->db[en],
			                   "INSERT INTO d(rowid, name, enseigne, address, "
			                   "commune) VALUES (?, ?, ?, ?, ?)",
			                   -1, &w->ins[en], NULL);
		}
	}
	w->build = build || pg_build;

	/* walk: sample targets, feed the baselines */
	t0 = now_ms();
	snprintf(tpath, sizeof tpath, "%s.targets", ix_path);
	if (build || pg_build || !targets_load(tpath)) {
		if (store_open(db_path, STORE_READONLY, &s, &e) != ERR_OK ||
		    store_establishment_each(s, walk_cb, w, &e) != ERR_OK) {
			fprintf(stderr, "store: %s\n", e.msg);
			return 1;
		}
		store_close(s);
		targets_save(tpath);
		ms_walk = now_ms() - t0;
		printf("walk: %.1f s, %zu targets sampled among %zu active establishments\n",
		       ms_walk / 1e3, n_tg, n_seen);
	} else {
		printf("targets: %zu loaded from %s\n", n_tg, tpath);
	}
#ifdef BENCH_PG
	if (w->pg) {
		double t1 = now_ms();

		if (PQputCopyEnd(w->pg, NULL) != 1) {
			fprintf(stderr, "pg copy end: %s", PQerrorMessage(w->pg));
			return 1;
		}
		{
			PGresult *r;

			while ((r = PQgetResult(w->pg)) != NULL)
				PQclear(r);
		}
		/* all the fields in one expression, so that one GIN index serves a query
		 * mixing a name and a commune; the same expression is queried (PG_DOC) */
		if (!pg_exec(w->pg, "SET maintenance_work_mem = '512MB'") ||
		    !pg_exec(w->pg, "ALTER TABLE d ADD PRIMARY KEY (siret)") ||
		    !pg_exec(w->pg, "CREATE INDEX d_trgm ON d USING gin ((" PG_DOC ") "
		                    "gin_trgm_ops)") ||
		    !pg_exec(w->pg, "VACUUM ANALYZE d"))
			return 1;
		w->ms_pg += now_ms() - t1;
		printf("build pg_trgm: %.1f s (COPY, primary key, GIN index, analyze; the store "
		       "walk apart)\n",
		       w->ms_pg / 1e3);
		pg_conn = w->pg;
		w->pg = NULL;
	}
	if (use[E_PG]) {
		PGresult *r;

		pg_exec(pg_conn, "SET pg_trgm.word_similarity_threshold = " PG_THRESHOLD);
		r = PQprepare(pg_conn, "q",
		              "SELECT siret FROM d WHERE $1 <% (" PG_DOC ") ORDER BY $1 <<-> (" PG_DOC
		              ") LIMIT 10",
		              1, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "pg prepare: %s", PQerrorMessage(pg_conn));
			return 1;
		}
		PQclear(r);
		r = PQprepare(pg_conn, "byid", "SELECT siret FROM d WHERE siret = $1::bigint", 1,
		              NULL);
		PQclear(r);
	}
#endif
	for (int en = E_FTS5; en < E_PG; en++) {
		if (!use[en])
			continue;
		if (build) {
			double t1 = now_ms();

			sqlite3_finalize(w->ins[en]);
			exec(w->db[en], "COMMIT");
			exec(w->db[en], "INSERT INTO d(d) VALUES('optimize')");
			w->ms_insert[en] += now_ms() - t1;
			printf("build %s: %.1f s (inserts, commit and optimize; the store walk "
			       "apart)\n",
			       engine_name[en], w->ms_insert[en] / 1e3);
		}
		sqlite3_prepare_v2(w->db[en],
		                   "SELECT rowid FROM d WHERE d MATCH ? ORDER BY rank LIMIT 10", -1,
		                   &q_st[en], NULL);
		sqlite3_prepare_v2(w->db[en], "SELECT rowid FROM d WHERE rowid = ?", -1, &q_id[en],
		                   NULL);
		if (q_st[en] == NULL || q_id[en] == NULL) {
			fprintf(stderr, "%s: %s\n", engine_name[en], sqlite3_errmsg(w->db[en]));
			return 1;
		}
	}

	t0 = now_ms();
	if (search_index_open(ix_path, 0, &ix, &e) != ERR_OK) {
		fprintf(stderr, "index: %s\n", e.msg);
		return 1;
	}
	printf("open %s: %.1f ms\n", ix_path, now_ms() - t0);
	rss_ix = status_kb("VmRSS");

	if (getenv("BENCH_AMBIGUITY")) {
		t0 = now_ms();
		count_homonyms(ix);
		printf("homonyms counted in %.1f s\n", (now_ms() - t0) / 1e3);
	}

	/* queries, engines interleaved on each */
	for (int c = 0; c < C_COUNT; c++) {
		struct rng r;
		size_t made = 0, tries = 0;

		fprintf(stderr, "bench-search: %s\n", cat_name[c]);
		rng_seed(&r, (uint64_t)seed * 1000 + (uint64_t)c);
		if (getenv("BENCH_CATS")) { /* e.g. "14,15,16": only those categories */
			char key[8];

			snprintf(key, sizeof key, ",%d,", c);
			{
				char list[128];

				snprintf(list, sizeof list, ",%s,", getenv("BENCH_CATS"));
				if (strstr(list, key) == NULL)
					continue;
			}
		}
		for (int en = 0; en < ENGINES; en++)
			st[en][c].lat = calloc((size_t)per, sizeof(double));
		while (made < (size_t)per && tries < (size_t)per * 50 && n_tg > 0) {
			const struct target *t = &tg[rng_below(&r, n_tg)];
			char q[QUERY_MAX];

			tries++;
			if (!make_query(&r, c, t, q, sizeof q))
				continue;
			if (homonyms) {
				uint32_t g = homonyms[t - tg] ? homonyms[t - tg] : 1;

				for (int en = 0; en < ENGINES; en++) {
					st[en][c].ceiling += 1.0 / g;
					st[en][c].shared += g > 1;
				}
			}
			for (int en = 0; en < ENGINES; en++) {
				struct stats *x = &st[en][c];
				struct res res;
				double a;
				int found = 0, unique = homonyms && homonyms[t - tg] <= 1;

				if (!use[en])
					continue;
				a = now_ms();
				if (en == E_CONSTAT)
					run_constat(ix, q, &res);
#ifdef BENCH_PG
				else if (en == E_PG)
					run_pg(pg_conn, q, &res);
#endif
				else
					run_fts(w->db[en], q_st[en], q_id[en], en == E_TRIGRAM, q,
					        &res);
				x->lat[x->n++] = now_ms() - a;
				if (en == E_CONSTAT && getenv("BENCH_SLOW_MS") &&
				    x->lat[x->n - 1] > strtod(getenv("BENCH_SLOW_MS"), NULL))
					printf("SLOW %.1f ms, %zu scored [%s]\n", x->lat[x->n - 1],
					       last_candidates, q);
				x->zero += res.n == 0;
				x->n_unique += unique;
				for (size_t k = 0; k < res.n && !found; k++) {
					int rel = relevant(ix, t, c, res.siret[k]);

					if (rel == 0)
						continue;
					if (k == 0) {
						x->r1 += rel == 1;
						x->r1eq++;
						x->r1_unique += unique && rel == 1;
					}
					x->r3 += k < 3;
					x->r10++;
					x->mrr += 1.0 / (double)(k + 1);
					found = 1;
				}
				if (en == E_CONSTAT && getenv("BENCH_SHOW_R1") &&
				    strtol(getenv("BENCH_SHOW_R1"), NULL, 10) == c && res.n > 0 &&
				    relevant(ix, t, c, res.siret[0]) != 1)
					show_r1_miss(ix, q, t, &res);
				if (!found && en == E_CONSTAT && getenv("BENCH_SHOW_MISSES") &&
				    strtol(getenv("BENCH_SHOW_MISSES"), NULL, 10) == c)
					printf("MISS [%s] want %s %s\n", q, t->siret, t->name);
			}
			made++;
		}
	}

	printf("\n%-24s %-15s %6s %6s %6s %6s %6s %6s %6s %8s %8s\n", "category", "engine", "n",
	       "r@1", "r@1eq", "r@3", "r@10", "mrr10", "zero", "p50 ms", "p99 ms");
	for (int c = 0; c < C_COUNT; c++)
		for (int en = 0; en < ENGINES; en++) {
			struct stats *x = &st[en][c];
			double n = (double)x->n;

			if (!use[en] || x->n == 0)
				continue;
			qsort(x->lat, x->n, sizeof(double), cmpd);
			printf("%-24s %-15s %6zu %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %8.2f %8.2f\n",
			       en == 0 ? cat_name[c] : "", engine_name[en], x->n, (double)x->r1 / n,
			       (double)x->r1eq / n, (double)x->r3 / n, (double)x->r10 / n,
			       x->mrr / n, (double)x->zero / n, x->lat[x->n / 2],
			       x->lat[x->n * 99 / 100]);
		}
	if (homonyms) {
		printf("\nambiguity (same name and commune as displayed, active; the ceiling of a "
		       "strict r@1 for\nqueries that give only the name and the commune is the "
		       "mean of 1/count):\n");
		for (int c = C_EXACT_COMMUNE; c <= C_REORDER; c++) {
			const struct stats *x = &st[E_CONSTAT][c];

			if (x->n > 0)
				printf("%-24s shared by another: %.3f  ceiling of r@1: %.3f  "
				       "r@1 when unique: %.3f (%zu)\n",
				       cat_name[c], (double)x->shared / (double)x->n,
				       x->ceiling / (double)x->n,
				       x->n_unique ? (double)x->r1_unique / (double)x->n_unique : 0.0,
				       x->n_unique);
		}
	}
	{
		struct search_index_stats is;

		search_index_stats(ix, &is);
		printf("\nconstat index: %u documents, %u terms, file %.1f MB\n", is.n_docs,
		       is.n_terms, (double)is.image_bytes / 1e6);
	}
	for (int en = E_FTS5; en < E_PG; en++)
		if (use[en])
			printf("%s: file %.1f MB\n", engine_name[en],
			       (double)file_size(path[en]) / 1e6);
#ifdef BENCH_PG
	if (use[E_PG]) {
		PGresult *r = PQexec(pg_conn, "SELECT pg_total_relation_size('d'), "
		                              "pg_relation_size('d_trgm')");

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			printf("pg_trgm: table with its indexes %.1f MB (GIN trigram index %.1f "
			       "MB); the server's memory is its own (shared_buffers)\n",
			       strtod(PQgetvalue(r, 0, 0), NULL) / 1e6,
			       strtod(PQgetvalue(r, 0, 1), NULL) / 1e6);
		PQclear(r);
	}
#endif
	printf("resident memory: start %ld MB, index opened %ld MB, end %ld MB, peak %ld MB "
	       "(SQLite page caches: %lld MB)\n",
	       rss0 / 1024, rss_ix / 1024, status_kb("VmRSS") / 1024, status_kb("VmHWM") / 1024,
	       (long long)sqlite3_memory_used() / 1000000);
#ifdef BENCH_PG
	if (pg_conn)
		PQfinish(pg_conn);
#endif
	for (int en = E_FTS5; en < E_PG; en++) {
		sqlite3_finalize(q_st[en]);
		sqlite3_finalize(q_id[en]);
		if (w->db[en])
			sqlite3_close(w->db[en]);
	}
	search_index_free(ix);
	return 0;
}

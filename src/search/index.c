/* index: building, saving, mapping and updating the establishment search index. */
#include "search/index-impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "domain/refdata.h"
#include "domain/siret.h"
#include "store/store-search.h"
#include "store/store.h"

const char *search_field_name(int field)
{
	static const char *const names[] = {"name", "enseigne", "address", "commune"};

	return field >= 0 && field < SEARCH_FIELD_COUNT ? names[field] : "?";
}

/* ---- Small helpers ----------------------------------------------------------------- */

uint64_t search_checksum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ (w * 0xFF51AFD7ED558CCDull)) * 0xC4CEB9FE1A85EC53ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001B3ull;
	return h ^ (h >> 31);
}

void search_sig_bits(const char *term, uint64_t *b2, uint64_t *b3)
{
	uint64_t h = 0;
	size_t i = 0;

	for (; i < 2 && term[i]; i++)
		h = h * 257 + (unsigned char)term[i] + 1;
	*b2 = 1ull << ((h * 0x9E3779B97F4A7C15ull) >> 58);
	if (i == 2 && term[2])
		h = h * 257 + (unsigned char)term[2] + 1;
	else
		h = h * 257 + 300 + i; /* a shorter term: its own bucket */
	*b3 = 1ull << ((h * 0xC2B2AE3D27D4EB4Full) >> 58);
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int search_varint_get(const uint8_t *p, size_t end, size_t *i, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;
	size_t k = *i;

	while (k < end && shift < 64) {
		uint8_t c = p[k++];

		x |= (uint64_t)(c & 0x7F) << shift;
		if ((c & 0x80) == 0) {
			*i = k;
			*v = x;
			return 1;
		}
		shift += 7;
	}
	return 0;
}

/* Grows *p (of *cap elements of size sz) to hold need elements; aborts past max. */
static int grow(void *pp, size_t *cap, size_t need, size_t sz, size_t max)
{
	void **p = pp;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return 1;
	if (need > max)
		return 0;
	while (c < need)
		c = c > max / 2 ? max : c * 2;
	*p = xrealloc(*p, c * sz);
	*cap = c;
	return 1;
}

/* ---- Documents --------------------------------------------------------------------- */

static int blank(const char *s)
{
	return s == NULL || *s == '\0';
}

static uint32_t band_rank(const char *b)
{
	static const char *const bands[] = {"00", "01", "02", "03", "11", "12", "21", "22",
	                                    "31", "32", "41", "42", "51", "52", "53"};

	if (b)
		for (uint32_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
			if (strcmp(b, bands[i]) == 0)
				return i + 1;
	return 0;
}

static void disp_add(struct search_docsrc *d, const char *s, int last)
{
	size_t n = s ? strlen(s) : 0;
	size_t room = sizeof d->disp - d->disp_len - 2;

	if (n > room)
		n = room;
	/* never leave half a character nor a separator inside a value */
	while (n > 0 && n < (s ? strlen(s) : 0) && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	for (size_t i = 0; i < n; i++)
		d->disp[d->disp_len++] = s[i] == SEARCH_DISP_SEP ? ' ' : s[i];
	if (!last)
		d->disp[d->disp_len++] = SEARCH_DISP_SEP;
	d->disp[d->disp_len] = '\0';
}

/* Tokenises text into field f of d, a gap after it. */
static void add_value(struct search_docsrc *d, int f, const char *text, enum search_ctx ctx,
                      uint16_t *pos)
{
	struct search_token toks[48];
	size_t n;

	if (blank(text))
		return;
	n = search_tokenize(text, ctx, toks, sizeof toks / sizeof toks[0]);
	for (size_t i = 0; i < n && d->n < SEARCH_DOC_TOKENS_MAX; i++) {
		struct search_dterm *t;

		if (toks[i].flags & SEARCH_TOK_STOP)
			continue;
		t = &d->terms[d->n];
		memcpy(t->text, toks[i].form[0], sizeof t->text);
		t->field = (uint8_t)f;
		t->legal = (toks[i].flags & SEARCH_TOK_LEGAL) != 0;
		t->pos = (*pos)++;
		d->gap_after[d->n] = 0;
		d->n++;
	}
	if (d->n > 0 && d->terms[d->n - 1].field == f && !d->gap_after[d->n - 1]) {
		d->gap_after[d->n - 1] = 1;
		(*pos)++;
	}
}

void search_docsrc_fill(struct search_docsrc *d, const struct establishment *est,
                        const struct legal_unit *u)
{
	char name[512], addr[512], dept[4] = "";
	const char *disp_name = NULL;
	uint16_t pos;

	memset(d, 0, offsetof(struct search_docsrc, terms));
	d->n = 0;
	d->siret = est->siret ? strtoll(est->siret, NULL, 10) : 0;
	d->stat = (est->state && strcmp(est->state, "A") == 0 ? SEARCH_STATIC_ACTIVE : 0) |
	          (est->head_office ? SEARCH_STATIC_HEAD : 0) | band_rank(est->headcount_band) << 9;
	if (u && u->company_category)
		d->stat |= (strcmp(u->company_category, "GE") == 0    ? 3u
		            : strcmp(u->company_category, "ETI") == 0 ? 2u
		            : strcmp(u->company_category, "PME") == 0 ? 1u
		                                                      : 0u)
		           << 7;

	/* name: the legal unit's name, or a sole trader's names; acronym; usual name */
	name[0] = '\0';
	if (u && !blank(u->name)) {
		snprintf(name, sizeof name, "%s", u->name);
	} else if (u && (!blank(u->last_name) || !blank(u->first_name))) {
		snprintf(name, sizeof name, "%s%s%s", u->first_name ? u->first_name : "",
		         blank(u->first_name) ? "" : " ", u->last_name ? u->last_name : "");
	}
	disp_name = name[0] ? name : !blank(est->usual_name) ? est->usual_name : est->enseigne1;
	pos = 0;
	add_value(d, SEARCH_FIELD_NAME, name, SEARCH_CTX_NAME, &pos);
	if (u)
		add_value(d, SEARCH_FIELD_NAME, u->acronym, SEARCH_CTX_NAME, &pos);
	add_value(d, SEARCH_FIELD_NAME, est->usual_name, SEARCH_CTX_NAME, &pos);
	pos = 0;
	add_value(d, SEARCH_FIELD_ENSEIGNE, est->enseigne1, SEARCH_CTX_NAME, &pos);
	add_value(d, SEARCH_FIELD_ENSEIGNE, est->enseigne2, SEARCH_CTX_NAME, &pos);
	add_value(d, SEARCH_FIELD_ENSEIGNE, est->enseigne3, SEARCH_CTX_NAME, &pos);

	snprintf(addr, sizeof addr, "%s%s%s%s%s%s%s", est->street_number ? est->street_number : "",
	         blank(est->street_repeat) ? "" : " ", est->street_repeat ? est->street_repeat : "",
	         blank(est->street_type) ? "" : " ", est->street_type ? est->street_type : "",
	         blank(est->street_name) ? "" : " ", est->street_name ? est->street_name : "");
	pos = 0;
	add_value(d, SEARCH_FIELD_ADDRESS, addr[0] == ' ' ? addr + 1 : addr, SEARCH_CTX_PLACE,
	          &pos);
	add_value(d, SEARCH_FIELD_ADDRESS, est->address_extra, SEARCH_CTX_PLACE, &pos);

	pos = 0;
	add_value(d, SEARCH_FIELD_COMMUNE, est->commune_name, SEARCH_CTX_PLACE, &pos);
	add_value(d, SEARCH_FIELD_COMMUNE, est->postcode, SEARCH_CTX_PLACE, &pos);
	if (!blank(est->commune_code)) {
		const struct refdata_commune *c = refdata_commune_find(est->commune_code);

		if (c && c->department)
			snprintf(dept, sizeof dept, "%s", c->department);
		else if (strlen(est->commune_code) == 5)
			snprintf(dept, sizeof dept, "%.*s",
			         strncmp(est->commune_code, "97", 2) == 0 ? 3 : 2,
			         est->commune_code);
		add_value(d, SEARCH_FIELD_COMMUNE, dept, SEARCH_CTX_PLACE, &pos);
	}

	disp_add(d, disp_name, 0);
	disp_add(d, est->enseigne1, 0);
	disp_add(d, addr[0] == ' ' ? addr + 1 : addr, 0);
	disp_add(d, est->postcode, 0);
	disp_add(d, est->commune_name, 1);
}

/* ---- Builder ----------------------------------------------------------------------- */

/* What the builder keeps per establishment (40 bytes: 11 M fit in 440 MB). */
struct bdoc {
	int64_t siret;
	uint32_t stat;
	uint32_t disp_len;
	uint64_t tok;  /* first byte of its tokens in b->tok */
	uint64_t disp; /* first byte of its display record in b->disp or the spill file */
	uint16_t nf[SEARCH_FIELD_COUNT]; /* tokens per field, gaps included */
};

#define SPILL_BUF (1u << 20)

struct search_builder {
	struct bdoc *docs;
	size_t n_docs, cap_docs;
	uint8_t *tok; /* per token varint(temporary term id + 1), or SEARCH_GAP */
	size_t n_tok, cap_tok;
	char *disp; /* display records, or the spill file's write buffer */
	size_t n_disp, cap_disp;
	int spill_fd;        /* display records go to this unlinked file, or -1 */
	uint64_t spill_size; /* bytes in the spill file (buffer apart) */
	char *arena;         /* term strings */
	size_t n_arena, cap_arena;
	uint32_t *term_off; /* by temporary id */
	uint8_t *term_flags;
	size_t n_terms, cap_terms, cap_flags;
	uint32_t *hash; /* temporary id + 1, open addressing */
	size_t hash_cap;
	uint64_t change_seq;      /* the store's change log when the walk began */
	struct search_docsrc src; /* scratch */
};

struct search_builder *search_builder_new(void)
{
	struct search_builder *b = xcalloc(1, sizeof *b);

	b->hash_cap = 1u << 16;
	b->hash = xcalloc(b->hash_cap, sizeof *b->hash);
	b->spill_fd = -1;
	return b;
}

void search_builder_free(struct search_builder *b)
{
	if (b == NULL)
		return;
	if (b->spill_fd >= 0)
		close(b->spill_fd);
	free(b->docs);
	free(b->tok);
	free(b->disp);
	free(b->arena);
	free(b->term_off);
	free(b->term_flags);
	free(b->hash);
	free(b);
}

/* Display records (about 60 bytes an establishment, 650 MB at national scale) go to an
 * unlinked temporary file instead of memory; they are read back one by one when the
 * index is written. */
static enum err_code spill_start(struct search_builder *b, struct err *e)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if (snprintf(path, sizeof path, "%s/constat-search-XXXXXX", dir) >= (int)sizeof path)
		return err_set(e, ERR_INVALID, "TMPDIR", "path too long");
	b->spill_fd = mkstemp(path);
	if (b->spill_fd < 0)
		return err_set(e, ERR_IO, "TMPDIR", "cannot create a temporary file in %s: %s", dir,
		               strerror(errno));
	unlink(path);
	b->disp = xmalloc(SPILL_BUF);
	b->cap_disp = SPILL_BUF;
	return ERR_OK;
}

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		c += w;
		n -= (size_t)w;
	}
	return 1;
}

static int spill_flush(struct search_builder *b)
{
	if (b->n_disp > 0 && !write_all(b->spill_fd, b->disp, b->n_disp))
		return 0;
	b->spill_size += b->n_disp;
	b->n_disp = 0;
	return 1;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
	return h;
}

static void rehash(struct search_builder *b)
{
	size_t cap = b->hash_cap * 2;
	uint32_t *h = xcalloc(cap, sizeof *h);

	for (size_t i = 0; i < b->n_terms; i++) {
		size_t k = str_hash(b->arena + b->term_off[i]) & (cap - 1);

		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = (uint32_t)i + 1;
	}
	free(b->hash);
	b->hash = h;
	b->hash_cap = cap;
}

/* The temporary id of term t, interned on first sight; UINT32_MAX past the caps. */
static uint32_t intern(struct search_builder *b, const struct search_dterm *t)
{
	size_t len = strlen(t->text), k;

	if ((b->n_terms + 1) * 2 > b->hash_cap)
		rehash(b);
	k = str_hash(t->text) & (b->hash_cap - 1);
	while (b->hash[k]) {
		uint32_t id = b->hash[k] - 1;

		if (strcmp(b->arena + b->term_off[id], t->text) == 0) {
			if (t->legal)
				b->term_flags[id] |= SEARCH_TOK_LEGAL;
			return id;
		}
		k = (k + 1) & (b->hash_cap - 1);
	}
	if (!grow(&b->arena, &b->cap_arena, b->n_arena + len + 1, 1, UINT32_MAX) ||
	    !grow(&b->term_off, &b->cap_terms, b->n_terms + 1, sizeof *b->term_off,
	          UINT32_MAX - 2) ||
	    !grow(&b->term_flags, &b->cap_flags, b->n_terms + 1, 1, UINT32_MAX - 2))
		return UINT32_MAX;
	memcpy(b->arena + b->n_arena, t->text, len + 1);
	b->term_off[b->n_terms] = (uint32_t)b->n_arena;
	b->term_flags[b->n_terms] = t->legal ? SEARCH_TOK_LEGAL : 0;
	b->n_arena += len + 1;
	b->hash[k] = (uint32_t)b->n_terms + 1;
	return (uint32_t)b->n_terms++;
}

enum err_code search_builder_add(struct search_builder *b, const struct establishment *est,
                                 const struct legal_unit *u, struct err *e)
{
	struct search_docsrc *d = &b->src;
	struct bdoc *bd;

	if (est == NULL || est->siret == NULL || !siret_valid(est->siret))
		return err_set(e, ERR_INVALID, "siret",
		               "expected 14 digits with a valid check digit");
	if (!grow(&b->docs, &b->cap_docs, b->n_docs + 1, sizeof *b->docs, SEARCH_DOCS_MAX) ||
	    !grow(&b->tok, &b->cap_tok, b->n_tok + SEARCH_DOC_TOKENS_MAX * 2 * 5, 1,
	          SIZE_MAX / 8) ||
	    (b->spill_fd < 0 &&
	     !grow(&b->disp, &b->cap_disp, b->n_disp + sizeof d->disp, 1, SIZE_MAX / 2)))
		return err_set(e, ERR_TOO_BIG, NULL,
		               "the search index is limited to %u "
		               "establishments",
		               SEARCH_DOCS_MAX);
	search_docsrc_fill(d, est, u);
	if (b->spill_fd >= 0 && b->n_disp + d->disp_len > b->cap_disp && !spill_flush(b))
		return err_set(e, ERR_IO, "TMPDIR", "cannot write a temporary file: %s",
		               strerror(errno));
	bd = &b->docs[b->n_docs];
	memset(bd, 0, sizeof *bd);
	bd->siret = d->siret;
	bd->stat = d->stat;
	bd->tok = b->n_tok;
	for (size_t i = 0; i < d->n; i++) {
		uint32_t id = intern(b, &d->terms[i]);

		if (id == UINT32_MAX)
			return err_set(e, ERR_TOO_BIG, NULL, "too many distinct words to index");
		b->n_tok += varint_put(b->tok + b->n_tok, (uint64_t)id + 1);
		bd->nf[d->terms[i].field]++;
		if (d->gap_after[i] && i + 1 < d->n && d->terms[i + 1].field == d->terms[i].field) {
			b->tok[b->n_tok++] = SEARCH_GAP;
			bd->nf[d->terms[i].field]++;
		}
	}
	bd->disp = b->spill_fd >= 0 ? b->spill_size + b->n_disp : b->n_disp;
	bd->disp_len = (uint32_t)d->disp_len;
	memcpy(b->disp + b->n_disp, d->disp, d->disp_len);
	b->n_disp += d->disp_len;
	b->n_docs++;
	return ERR_OK;
}

/* ---- Laying out and writing the image ---------------------------------------------- */

struct term_sort {
	const char *s;
	uint32_t id;
};

static int cmp_term(const void *a, const void *b)
{
	return strcmp(((const struct term_sort *)a)->s, ((const struct term_sort *)b)->s);
}

struct doc_sort {
	uint32_t stat;
	int64_t siret;
	uint32_t idx;
};

static int cmp_doc(const void *a, const void *b)
{
	const struct doc_sort *x = a, *y = b;

	if (x->stat != y->stat)
		return x->stat > y->stat ? -1 : 1;
	return x->siret < y->siret ? -1 : x->siret > y->siret;
}

static const struct bdoc *sort_docs;

static int cmp_by_siret(const void *a, const void *b)
{
	int64_t x = sort_docs[*(const uint32_t *)a].siret, y = sort_docs[*(const uint32_t *)b].siret;

	return x < y ? -1 : x > y;
}

static enum err_code attach(struct search_index *ix, unsigned flags, struct err *e);

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* What the image is made of, computed before a byte of it is written. */
struct plan {
	struct search_image_header h;
	struct term_sort *ts; /* terms in dictionary order */
	uint32_t *remap;      /* temporary term id -> final id */
	uint32_t *order;      /* doc id (static rank) -> builder index */
	uint32_t *by_siret;   /* doc ids by siret */
	uint64_t *psize;      /* bytes of each term's postings */
	uint64_t *cdf;        /* cumulative document frequency, n_terms + 1 */
};

static void plan_release(struct plan *p)
{
	free(p->ts);
	free(p->remap);
	free(p->order);
	free(p->by_siret);
	free(p->psize);
	free(p->cdf);
}

/* Walks the tokens of a builder document: each value is a temporary term id + 1, or
 * SEARCH_GAP. */
struct tok_it {
	const uint8_t *p;
	size_t i, end, left;
};

static void tok_begin(const struct search_builder *b, const struct bdoc *bd, struct tok_it *it)
{
	it->p = b->tok;
	it->i = bd->tok;
	it->end = b->n_tok;
	it->left = (size_t)bd->nf[0] + bd->nf[1] + bd->nf[2] + bd->nf[3];
}

static int tok_next(struct tok_it *it, uint64_t *v)
{
	if (it->left == 0 || !search_varint_get(it->p, it->end, &it->i, v))
		return 0;
	it->left--;
	return 1;
}

static enum err_code plan_make(struct search_builder *b, struct plan *p, struct err *e)
{
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	uint32_t nd = (uint32_t)b->n_docs, nt = (uint32_t)b->n_terms, *tmp;
	struct doc_sort *ds;
	int64_t *last;
	uint64_t fwd_len = 0, post_len = 0, off, v;
	struct search_image_header *h = &p->h;
	struct tok_it it;

	memset(p, 0, sizeof *p);
	p->ts = xmalloc((nt + 1) * sizeof *p->ts);
	for (uint32_t i = 0; i < nt; i++)
		p->ts[i] = (struct term_sort){b->arena + b->term_off[i], i};
	qsort(p->ts, nt, sizeof *p->ts, cmp_term);
	p->remap = xmalloc((nt + 1) * sizeof *p->remap);
	for (uint32_t i = 0; i < nt; i++)
		p->remap[p->ts[i].id] = i;

	/* documents by SIRET (the store gives them in that order: no sort then), to find a
	 * SIRET given twice and to lay out BY_SIRET */
	tmp = xmalloc((nd + 1) * sizeof *tmp);
	{
		int sorted = 1;

		for (uint32_t i = 0; i < nd; i++) {
			tmp[i] = i;
			sorted &= i == 0 || b->docs[i - 1].siret <= b->docs[i].siret;
		}
		if (!sorted) {
			pthread_mutex_lock(&sort_lock);
			sort_docs = b->docs;
			qsort(tmp, nd, sizeof *tmp, cmp_by_siret);
			sort_docs = NULL;
			pthread_mutex_unlock(&sort_lock);
		}
	}
	for (uint32_t i = 1; i < nd; i++)
		if (b->docs[tmp[i]].siret == b->docs[tmp[i - 1]].siret) {
			err_set(e, ERR_CONFLICT, "siret", "establishment %lld given twice",
			        (long long)b->docs[tmp[i]].siret);
			free(tmp);
			return ERR_CONFLICT;
		}

	/* static-rank order */
	ds = xmalloc((nd + 1) * sizeof *ds);
	for (uint32_t i = 0; i < nd; i++)
		ds[i] = (struct doc_sort){b->docs[i].stat, b->docs[i].siret, i};
	qsort(ds, nd, sizeof *ds, cmp_doc);
	p->order = xmalloc((nd + 1) * sizeof *p->order);
	for (uint32_t i = 0; i < nd; i++)
		p->order[i] = ds[i].idx;
	free(ds);
	/* tmp: builder index by siret -> doc id by siret, through the inverse of order */
	{
		uint32_t *doc_of = xmalloc((nd + 1) * sizeof *doc_of);

		for (uint32_t d = 0; d < nd; d++)
			doc_of[p->order[d]] = d;
		for (uint32_t i = 0; i < nd; i++)
			tmp[i] = doc_of[tmp[i]];
		free(doc_of);
		p->by_siret = tmp;
	}

	/* sizes of the forward index and of the postings; document frequencies */
	last = xmalloc((nt + 1) * sizeof *last);
	p->psize = xcalloc(nt + 1, sizeof *p->psize);
	p->cdf = xcalloc(nt + 1, sizeof *p->cdf);
	for (uint32_t t = 0; t < nt; t++)
		last[t] = -1;
	for (uint32_t doc = 0; doc < nd; doc++) {
		const struct bdoc *bd = &b->docs[p->order[doc]];

		for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
			fwd_len += varint_len(bd->nf[f]);
		for (tok_begin(b, bd, &it); tok_next(&it, &v);) {
			uint32_t t;

			if (v == SEARCH_GAP || v > nt) {
				fwd_len++;
				continue;
			}
			t = p->remap[v - 1];
			fwd_len += varint_len((uint64_t)t + 1);
			if (last[t] != (int64_t)doc) {
				p->psize[t] += varint_len((uint64_t)((int64_t)doc - last[t]));
				last[t] = doc;
				p->cdf[t + 1]++;
			}
		}
	}
	free(last);
	for (uint32_t t = 0; t < nt; t++) {
		post_len += p->psize[t];
		p->cdf[t + 1] += p->cdf[t];
	}

	memset(h, 0, sizeof *h);
	memcpy(h->magic, SEARCH_MAGIC, 8);
	h->version = SEARCH_FORMAT_VERSION;
	h->endian = SEARCH_ENDIAN_MARK;
	h->n_docs = nd;
	h->n_terms = nt;
	h->change_seq = b->change_seq;
	h->sec_len[SEC_SIRET] = (uint64_t)nd * 8;
	h->sec_len[SEC_STATIC] = (uint64_t)nd * 4;
	h->sec_len[SEC_FWD_OFF] = ((uint64_t)nd + 1) * 8;
	h->sec_len[SEC_FWD] = fwd_len;
	h->sec_len[SEC_DISP_OFF] = ((uint64_t)nd + 1) * 8;
	h->sec_len[SEC_DISP] = b->spill_fd >= 0 ? b->spill_size + b->n_disp : b->n_disp;
	h->sec_len[SEC_BY_SIRET] = (uint64_t)nd * 4;
	h->sec_len[SEC_TERM_OFF] = ((uint64_t)nt + 1) * 4;
	h->sec_len[SEC_TERM_STR] = b->n_arena;
	h->sec_len[SEC_POST_OFF] = ((uint64_t)nt + 1) * 8;
	h->sec_len[SEC_POST] = post_len;
	h->sec_len[SEC_TERM_CDF] = ((uint64_t)nt + 1) * 8;
	h->sec_len[SEC_TERM_FLAGS] = nt;
	h->sec_len[SEC_SIG] = (uint64_t)nd * 16;
	off = align8(sizeof *h);
	for (int s = 0; s < SEC_COUNT; s++) {
		h->sec_off[s] = off;
		off = align8(off + h->sec_len[s]);
	}
	h->file_size = off;
	return ERR_OK;
}

/* Where the image goes: a buffer in memory, or a file through a buffer. The payload
 * checksum (search_checksum of everything after the header) is computed on the way. */
struct sink {
	unsigned char *img; /* memory: the whole image */
	int fd;             /* file: the descriptor, else -1 */
	unsigned char *buf; /* file: bytes not written yet */
	size_t n_buf;
	uint64_t pos; /* bytes emitted, header included */
	uint64_t sum; /* checksum state */
	unsigned char word[8];
	size_t n_word;
	int err; /* errno of a failed write, or 0 */
};

static void sum_word(uint64_t *h, uint64_t w)
{
	*h = (*h ^ (w * 0xFF51AFD7ED558CCDull)) * 0xC4CEB9FE1A85EC53ull;
	*h ^= *h >> 29;
}

static void sink_flush(struct sink *k)
{
	if (k->fd >= 0 && k->n_buf > 0 && k->err == 0 && !write_all(k->fd, k->buf, k->n_buf))
		k->err = errno ? errno : EIO;
	k->n_buf = 0;
}

static void sink_put(struct sink *k, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i = 0;

	/* the checksum: 8-byte words, as search_checksum reads them */
	while (i < n && k->n_word > 0 && k->n_word < 8)
		k->word[k->n_word++] = c[i++];
	if (k->n_word == 8) {
		uint64_t w;

		memcpy(&w, k->word, 8);
		sum_word(&k->sum, w);
		k->n_word = 0;
	}
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, c + i, 8);
		sum_word(&k->sum, w);
	}
	while (i < n)
		k->word[k->n_word++] = c[i++];
	/* the bytes */
	if (k->img) {
		memcpy(k->img + k->pos, p, n);
	} else {
		for (i = 0; i < n;) {
			size_t room = SPILL_BUF - k->n_buf, m = n - i < room ? n - i : room;

			memcpy(k->buf + k->n_buf, c + i, m);
			k->n_buf += m;
			i += m;
			if (k->n_buf == SPILL_BUF)
				sink_flush(k);
		}
	}
	k->pos += n;
}

static void sink_pad(struct sink *k)
{
	static const unsigned char zero[8];

	if (k->pos % 8)
		sink_put(k, zero, 8 - k->pos % 8);
}

static void sink_u64(struct sink *k, uint64_t v)
{
	sink_put(k, &v, 8);
}

static uint64_t sink_sum(const struct sink *k)
{
	uint64_t h = k->sum;

	for (size_t i = 0; i < k->n_word; i++)
		h = (h ^ k->word[i]) * 0x100000001B3ull;
	return h ^ (h >> 31);
}

/* Emits every section after the header, in file order. */
static enum err_code emit(struct search_builder *b, struct plan *p, struct sink *k,
                          struct err *e)
{
	const struct search_image_header *h = &p->h;
	uint32_t nd = h->n_docs, nt = h->n_terms;
	uint64_t acc, v;
	struct tok_it it;
	uint8_t *post = NULL;
	uint64_t *cursor = NULL;
	int64_t *last = NULL;
	char *rec = NULL;
	enum err_code rc = ERR_OK;

	k->sum = 0x9E3779B97F4A7C15ull ^ (h->file_size - sizeof *h);
	for (uint32_t d = 0; d < nd; d++)
		sink_put(k, &b->docs[p->order[d]].siret, 8);
	sink_pad(k);
	for (uint32_t d = 0; d < nd; d++)
		sink_put(k, &b->docs[p->order[d]].stat, 4);
	sink_pad(k);
	/* FWD_OFF, then FWD */
	acc = 0;
	for (uint32_t d = 0; d < nd; d++) {
		const struct bdoc *bd = &b->docs[p->order[d]];

		sink_u64(k, acc);
		for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
			acc += varint_len(bd->nf[f]);
		for (tok_begin(b, bd, &it); tok_next(&it, &v);) {
			acc += v == SEARCH_GAP || v > nt ? 1 : varint_len((uint64_t)p->remap[v - 1] + 1);
		}
	}
	sink_u64(k, acc);
	sink_pad(k);
	for (uint32_t d = 0; d < nd; d++) {
		const struct bdoc *bd = &b->docs[p->order[d]];
		uint8_t tmp[SEARCH_DOC_TOKENS_MAX * 2 * 5 + 64];
		size_t n = 0;

		for (int f = 0; f < SEARCH_FIELD_COUNT; f++)
			n += varint_put(tmp + n, bd->nf[f]);
		for (tok_begin(b, bd, &it); tok_next(&it, &v);) {
			if (v == SEARCH_GAP || v > nt)
				tmp[n++] = SEARCH_GAP;
			else
				n += varint_put(tmp + n, (uint64_t)p->remap[v - 1] + 1);
		}
		sink_put(k, tmp, n);
	}
	sink_pad(k);
	/* DISP_OFF, then DISP */
	acc = 0;
	for (uint32_t d = 0; d < nd; d++) {
		sink_u64(k, acc);
		acc += b->docs[p->order[d]].disp_len;
	}
	sink_u64(k, acc);
	sink_pad(k);
	if (b->spill_fd >= 0 && !spill_flush(b)) {
		rc = err_set(e, ERR_IO, "TMPDIR", "cannot write a temporary file: %s",
		             strerror(errno));
		goto out;
	}
	rec = xmalloc(sizeof b->src.disp);
	for (uint32_t d = 0; d < nd; d++) {
		const struct bdoc *bd = &b->docs[p->order[d]];

		if (b->spill_fd < 0) {
			sink_put(k, b->disp + bd->disp, bd->disp_len);
		} else {
			ssize_t r = pread(b->spill_fd, rec, bd->disp_len, (off_t)bd->disp);

			if (r != (ssize_t)bd->disp_len) {
				rc = err_set(e, ERR_IO, "TMPDIR", "cannot read a temporary file: %s",
				             r < 0 ? strerror(errno) : "short read");
				goto out;
			}
			sink_put(k, rec, bd->disp_len);
		}
	}
	sink_pad(k);
	sink_put(k, p->by_siret, (size_t)nd * 4);
	sink_pad(k);
	/* the dictionary */
	acc = 0;
	for (uint32_t t = 0; t < nt; t++) {
		uint32_t o = (uint32_t)acc;

		sink_put(k, &o, 4);
		acc += strlen(p->ts[t].s) + 1;
	}
	{
		uint32_t o = (uint32_t)acc;

		sink_put(k, &o, 4);
	}
	sink_pad(k);
	for (uint32_t t = 0; t < nt; t++)
		sink_put(k, p->ts[t].s, strlen(p->ts[t].s) + 1);
	sink_pad(k);
	/* POST_OFF, then POST (filled in memory: 150 MB at national scale) */
	cursor = xmalloc((nt + 1) * sizeof *cursor);
	acc = 0;
	for (uint32_t t = 0; t < nt; t++) {
		sink_u64(k, acc);
		cursor[t] = acc;
		acc += p->psize[t];
	}
	sink_u64(k, acc);
	sink_pad(k);
	post = xmalloc(acc + 1);
	last = xmalloc((nt + 1) * sizeof *last);
	for (uint32_t t = 0; t < nt; t++)
		last[t] = -1;
	for (uint32_t d = 0; d < nd; d++) {
		const struct bdoc *bd = &b->docs[p->order[d]];

		for (tok_begin(b, bd, &it); tok_next(&it, &v);) {
			uint32_t t;

			if (v == SEARCH_GAP || v > nt)
				continue;
			t = p->remap[v - 1];
			if (last[t] != (int64_t)d) {
				cursor[t] += varint_put(post + cursor[t], (uint64_t)((int64_t)d - last[t]));
				last[t] = d;
			}
		}
	}
	sink_put(k, post, acc);
	free(post);
	post = NULL;
	sink_pad(k);
	sink_put(k, p->cdf, ((size_t)nt + 1) * 8);
	sink_pad(k);
	for (uint32_t t = 0; t < nt; t++)
		sink_put(k, &b->term_flags[p->ts[t].id], 1);
	sink_pad(k);
	/* SIG */
	for (uint32_t d = 0; d < nd; d++) {
		const struct bdoc *bd = &b->docs[p->order[d]];
		uint64_t sg[2] = {0, 0};

		for (tok_begin(b, bd, &it); tok_next(&it, &v);) {
			uint64_t b2, b3;

			if (v == SEARCH_GAP || v > nt)
				continue;
			search_sig_bits(b->arena + b->term_off[v - 1], &b2, &b3);
			sg[0] |= b2;
			sg[1] |= b3;
		}
		sink_put(k, sg, 16);
	}
	sink_pad(k);
	sink_flush(k);
	if (k->err)
		rc = err_set(e, ERR_IO, "index", "cannot write the index: %s", strerror(k->err));
	else if (k->pos != h->file_size)
		rc = err_set(e, ERR_INTERNAL, "index", "index layout: %llu bytes written, %llu planned",
		             (unsigned long long)k->pos, (unsigned long long)h->file_size);
out:
	free(post);
	free(cursor);
	free(last);
	free(rec);
	return rc;
}

/* The builder is emptied once its index is made. */
static void builder_reset(struct search_builder *b)
{
	b->n_docs = b->n_tok = b->n_disp = 0;
	b->spill_size = 0;
	if (b->spill_fd >= 0 && ftruncate(b->spill_fd, 0) != 0)
		b->spill_size = 0; /* the space is reclaimed at close anyway */
}

enum err_code search_builder_finish(struct search_builder *b, struct search_index **out,
                                    struct err *e)
{
	struct plan p;
	struct sink k;
	struct search_index *ix = NULL;
	enum err_code rc;

	*out = NULL;
	if ((rc = plan_make(b, &p, e)) != ERR_OK)
		goto out;
	memset(&k, 0, sizeof k);
	k.fd = -1;
	k.img = xcalloc(1, p.h.file_size);
	k.pos = align8(sizeof p.h);
	if ((rc = emit(b, &p, &k, e)) != ERR_OK) {
		free(k.img);
		goto out;
	}
	p.h.payload_sum = sink_sum(&k);
	p.h.header_sum = search_checksum(&p.h, offsetof(struct search_image_header, header_sum));
	memcpy(k.img, &p.h, sizeof p.h);
	ix = xcalloc(1, sizeof *ix);
	ix->image = k.img;
	ix->size = p.h.file_size;
	if ((rc = attach(ix, SEARCH_OPEN_VERIFY, e)) != ERR_OK)
		goto out;
	*out = ix;
	ix = NULL;
	builder_reset(b);
out:
	search_index_free(ix);
	plan_release(&p);
	return rc;
}

enum err_code search_builder_write(struct search_builder *b, const char *path, struct err *e)
{
	char tmp[4096];
	struct plan p;
	struct sink k;
	enum err_code rc;

	memset(&p, 0, sizeof p);
	memset(&k, 0, sizeof k);
	k.fd = -1;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, ERR_INVALID, "index", "path too long");
	if ((rc = plan_make(b, &p, e)) != ERR_OK)
		goto out;
	k.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (k.fd < 0) {
		rc = err_set(e, ERR_IO, "index", "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	k.buf = xmalloc(SPILL_BUF);
	{
		/* the header is written last; room for it now */
		static const unsigned char zero[512];
		size_t hl = align8(sizeof p.h);

		if (!write_all(k.fd, zero, hl)) {
			rc = err_set(e, ERR_IO, "index", "cannot write %s: %s", tmp, strerror(errno));
			goto out;
		}
		k.pos = hl;
	}
	if ((rc = emit(b, &p, &k, e)) != ERR_OK)
		goto out;
	p.h.payload_sum = sink_sum(&k);
	p.h.header_sum = search_checksum(&p.h, offsetof(struct search_image_header, header_sum));
	if (pwrite(k.fd, &p.h, sizeof p.h, 0) != (ssize_t)sizeof p.h || fsync(k.fd) != 0) {
		rc = err_set(e, ERR_IO, "index", "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(k.fd) != 0 || rename(tmp, path) != 0) {
		k.fd = -1;
		rc = err_set(e, ERR_IO, "index", "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	k.fd = -1;
	builder_reset(b);
out:
	if (k.fd >= 0)
		close(k.fd);
	if (rc != ERR_OK)
		unlink(tmp);
	free(k.buf);
	plan_release(&p);
	return rc;
}

/* What the walk of a build carries to each row. */
struct walk_ctx {
	struct search_builder *b;
	struct err err;
	int (*stop)(void *);
	void *stop_ctx;
	unsigned rows;
};

static int build_cb(void *ctx, const struct establishment *est, const struct legal_unit *u)
{
	struct walk_ctx *w = ctx;
	struct search_builder *b = w->b;
	struct err *e = &w->err;

	if (w->stop && (++w->rows & 4095) == 0 && w->stop(w->stop_ctx)) {
		err_set(e, ERR_BUSY, "index", "the index build was stopped");
		return 1;
	}
	/* a registry row with a bad SIRET is skipped, not fatal */
	if (est->siret == NULL || !siret_valid(est->siret))
		return 0;
	return search_builder_add(b, est, u, e) != ERR_OK;
}

/* Walks the store into b, after noting where the store's change log stands (what changes
 * during the walk is replayed later: replaying is idempotent). */
static enum err_code build_walk(struct store *s, struct search_builder *b,
                                int (*stop)(void *), void *stop_ctx, struct err *e)
{
	struct walk_ctx w = {.b = b, .stop = stop, .stop_ctx = stop_ctx};
	int64_t seq = 0;
	enum err_code rc;

	if ((rc = store_search_log_head(s, &seq, NULL, e)) != ERR_OK)
		return rc;
	b->change_seq = (uint64_t)seq;
	rc = store_establishment_each(s, build_cb, &w, e);
	if (rc == ERR_OK && w.err.code != ERR_OK) {
		if (e)
			*e = w.err;
		rc = w.err.code;
	}
	return rc;
}

/* Builds into an unlinked temporary file under $TMPDIR and maps it: a server building its
 * index at start holds the little the file writer needs, then mapped pages the kernel may
 * drop, instead of the whole image on its heap. When no temporary file can be made, the
 * image is laid out in memory. */
enum err_code search_index_build(struct store *s, struct search_index **out, struct err *e)
{
	return search_index_build_until(s, NULL, NULL, out, e);
}

enum err_code search_index_build_until(struct store *s, int (*stop)(void *ctx), void *ctx,
                                       struct search_index **out, struct err *e)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	struct search_builder *b = search_builder_new();
	enum err_code rc;
	int fd = -1;

	*out = NULL;
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if (snprintf(path, sizeof path, "%s/constat-search-index-XXXXXX", dir) < (int)sizeof path)
		fd = mkstemp(path);
	if (fd < 0 || spill_start(b, NULL) != ERR_OK) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		search_builder_free(b);
		b = search_builder_new();
		rc = build_walk(s, b, stop, ctx, e);
		if (rc == ERR_OK)
			rc = search_builder_finish(b, out, e);
		search_builder_free(b);
		return rc;
	}
	close(fd);
	rc = build_walk(s, b, stop, ctx, e);
	if (rc == ERR_OK)
		rc = search_builder_write(b, path, e);
	if (rc == ERR_OK)
		rc = search_index_open(path, 0, out, e);
	unlink(path);
	search_builder_free(b);
	return rc;
}

enum err_code search_index_build_file(struct store *s, const char *path, struct err *e)
{
	struct search_builder *b = search_builder_new();
	enum err_code rc;

	if ((rc = spill_start(b, e)) == ERR_OK && (rc = build_walk(s, b, NULL, NULL, e)) == ERR_OK)
		rc = search_builder_write(b, path, e);
	search_builder_free(b);
	return rc;
}

/* ---- Attaching an image (built or mapped) ------------------------------------------ */

static enum err_code corrupt(struct err *e, const char *what)
{
	return err_set(e, ERR_INVALID, "index",
	               "the search index file is damaged (%s): "
	               "rebuild it with 'constat search --build-index'",
	               what);
}

static int offsets_ok64(const uint64_t *o, uint64_t n, uint64_t end)
{
	if (o[0] != 0 || o[n] != end)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		if (o[i + 1] < o[i])
			return 0;
	return 1;
}

static enum err_code attach(struct search_index *ix, unsigned flags, struct err *e)
{
	struct search_image_header h;
	uint64_t need[SEC_COUNT];

	if (ix->size < sizeof h)
		return corrupt(e, "too short");
	memcpy(&h, ix->image, sizeof h);
	if (memcmp(h.magic, SEARCH_MAGIC, 8) != 0)
		return corrupt(e, "not a search index");
	if (h.version != SEARCH_FORMAT_VERSION)
		return err_set(e, ERR_INVALID, "index",
		               "search index format %u, expected %u: "
		               "rebuild it",
		               h.version, SEARCH_FORMAT_VERSION);
	if (h.endian != SEARCH_ENDIAN_MARK)
		return corrupt(e, "built on a machine of another byte order");
	if (h.header_sum != search_checksum(&h, offsetof(struct search_image_header, header_sum)))
		return corrupt(e, "header checksum");
	if (h.file_size != ix->size || h.n_docs > SEARCH_DOCS_MAX)
		return corrupt(e, "size");
	need[SEC_SIRET] = (uint64_t)h.n_docs * 8;
	need[SEC_STATIC] = (uint64_t)h.n_docs * 4;
	need[SEC_FWD_OFF] = ((uint64_t)h.n_docs + 1) * 8;
	need[SEC_DISP_OFF] = need[SEC_FWD_OFF];
	need[SEC_BY_SIRET] = (uint64_t)h.n_docs * 4;
	need[SEC_TERM_OFF] = ((uint64_t)h.n_terms + 1) * 4;
	need[SEC_POST_OFF] = ((uint64_t)h.n_terms + 1) * 8;
	need[SEC_TERM_CDF] = need[SEC_POST_OFF];
	need[SEC_TERM_FLAGS] = h.n_terms;
	need[SEC_SIG] = (uint64_t)h.n_docs * 16;
	for (int s = 0; s < SEC_COUNT; s++) {
		if (h.sec_off[s] % 8 != 0 || h.sec_off[s] < sizeof h || h.sec_off[s] > ix->size ||
		    h.sec_len[s] > ix->size - h.sec_off[s])
			return corrupt(e, "section bounds");
		if (s != SEC_FWD && s != SEC_DISP && s != SEC_TERM_STR && s != SEC_POST &&
		    h.sec_len[s] != need[s])
			return corrupt(e, "section size");
	}
	if ((flags & SEARCH_OPEN_VERIFY) &&
	    h.payload_sum != search_checksum(ix->image + sizeof h, ix->size - sizeof h))
		return corrupt(e, "checksum");
	ix->n_docs = h.n_docs;
	ix->n_terms = h.n_terms;
	ix->change_seq = h.change_seq;
#define SEC(T, s) ((const T *)(const void *)(ix->image + h.sec_off[s]))
	ix->siret = SEC(int64_t, SEC_SIRET);
	ix->stat = SEC(uint32_t, SEC_STATIC);
	ix->fwd_off = SEC(uint64_t, SEC_FWD_OFF);
	ix->fwd = SEC(uint8_t, SEC_FWD);
	ix->disp_off = SEC(uint64_t, SEC_DISP_OFF);
	ix->disp = SEC(uint8_t, SEC_DISP);
	ix->by_siret = SEC(uint32_t, SEC_BY_SIRET);
	ix->term_off = SEC(uint32_t, SEC_TERM_OFF);
	ix->post_off = SEC(uint64_t, SEC_POST_OFF);
	ix->post = SEC(uint8_t, SEC_POST);
	ix->cdf = SEC(uint64_t, SEC_TERM_CDF);
	ix->term_flags = SEC(uint8_t, SEC_TERM_FLAGS);
	ix->sig = SEC(uint64_t, SEC_SIG);
#undef SEC
	if (!offsets_ok64(ix->fwd_off, h.n_docs, h.sec_len[SEC_FWD]) ||
	    !offsets_ok64(ix->disp_off, h.n_docs, h.sec_len[SEC_DISP]) ||
	    !offsets_ok64(ix->post_off, h.n_terms, h.sec_len[SEC_POST]) || ix->cdf[0] != 0)
		return corrupt(e, "offset table");
	for (uint32_t t = 0; t < h.n_terms; t++)
		if (ix->cdf[t + 1] < ix->cdf[t] || ix->term_off[t + 1] <= ix->term_off[t])
			return corrupt(e, "dictionary");
	if (ix->term_off[0] != 0 || ix->term_off[h.n_terms] != h.sec_len[SEC_TERM_STR])
		return corrupt(e, "dictionary");
	for (uint32_t t = 0; t < h.n_terms; t++)
		if (ix->image[h.sec_off[SEC_TERM_STR] + ix->term_off[t + 1] - 1] != '\0')
			return corrupt(e, "dictionary");
	for (uint32_t d = 0; d < h.n_docs; d++)
		if (ix->by_siret[d] >= h.n_docs)
			return corrupt(e, "siret table");
	ix->dict.arena = (const char *)ix->image + h.sec_off[SEC_TERM_STR];
	ix->dict.off = ix->term_off;
	ix->dict.n = h.n_terms;
	pthread_rwlock_init(&ix->lock, NULL);
	return ERR_OK;
}

/* ---- Files ------------------------------------------------------------------------- */

enum err_code search_index_save(const struct search_index *ix, const char *path, struct err *e)
{
	char tmp[4096];
	size_t done = 0;
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, ERR_INVALID, "index", "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return err_set(e, ERR_IO, "index", "cannot create %s: %s", tmp, strerror(errno));
	while (done < ix->size) {
		ssize_t w = write(fd, ix->image + done, ix->size - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_set(e, ERR_IO, "index", "cannot write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return ERR_IO;
		}
		done += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		err_set(e, ERR_IO, "index", "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return ERR_IO;
	}
	return ERR_OK;
}

enum err_code search_index_open(const char *path, unsigned flags, struct search_index **out,
                                struct err *e)
{
	struct search_index *ix;
	struct stat stt;
	enum err_code rc;
	void *map;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "index",
		               "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &stt) != 0 || stt.st_size < (off_t)sizeof(struct search_image_header)) {
		close(fd);
		return corrupt(e, "too short");
	}
	map = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return err_set(e, ERR_IO, "index", "cannot map %s: %s", path, strerror(errno));
	ix = xcalloc(1, sizeof *ix);
	ix->image = map;
	ix->size = (size_t)stt.st_size;
	ix->mapped = 1;
	if ((rc = attach(ix, flags, e)) != ERR_OK) {
		munmap(map, ix->size);
		free(ix);
		return rc;
	}
	{
		/* ask the kernel to read the sections every search touches (postings, forward
		 * index, signatures) ahead, in the background: the first queries then take
		 * minor page faults instead of disk reads. The display section is left alone. */
		const struct search_image_header *h = (const void *)ix->image;
		static const int hot[] = {SEC_FWD_OFF, SEC_FWD, SEC_POST_OFF, SEC_POST, SEC_SIG};
		long page = sysconf(_SC_PAGESIZE);

		for (size_t k = 0; page > 0 && k < sizeof hot / sizeof hot[0]; k++) {
			uint64_t lo = h->sec_off[hot[k]] / (uint64_t)page * (uint64_t)page;

			(void)madvise(ix->image + lo, h->sec_off[hot[k]] + h->sec_len[hot[k]] - lo,
			              MADV_WILLNEED);
		}
	}
	*out = ix;
	return ERR_OK;
}

void search_index_free(struct search_index *ix)
{
	if (ix == NULL)
		return;
	if (ix->dict.arena)
		pthread_rwlock_destroy(&ix->lock);
	if (ix->mapped)
		munmap(ix->image, ix->size);
	else
		free(ix->image);
	for (size_t i = 0; i < ix->n_delta; i++) {
		free(ix->delta[i].disp);
		free(ix->delta[i].terms);
	}
	free(ix->delta);
	free(ix->hidden);
	free(ix);
}

/* ---- Lookups and the delta --------------------------------------------------------- */

uint32_t search_index_find_siret(const struct search_index *ix, int64_t siret)
{
	uint32_t lo = 0, hi = ix->n_docs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ix->siret[ix->by_siret[mid]] < siret)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n_docs && ix->siret[ix->by_siret[lo]] == siret ? ix->by_siret[lo]
	                                                               : UINT32_MAX;
}

int search_index_hidden(const struct search_index *ix, uint32_t doc)
{
	return ix->hidden && (ix->hidden[doc / 64] >> (doc % 64) & 1);
}

static void hide(struct search_index *ix, int64_t siret)
{
	uint32_t doc = search_index_find_siret(ix, siret);

	if (doc == UINT32_MAX)
		return;
	if (ix->hidden == NULL)
		ix->hidden = xcalloc(ix->n_docs / 64 + 1, sizeof *ix->hidden);
	ix->hidden[doc / 64] |= 1ull << (doc % 64);
}

static struct search_delta_doc *delta_find(struct search_index *ix, int64_t siret)
{
	for (size_t i = 0; i < ix->n_delta; i++)
		if (ix->delta[i].siret == siret)
			return &ix->delta[i];
	return NULL;
}

enum err_code search_index_update(struct search_index *ix, const struct establishment *est,
                                  const struct legal_unit *u, struct err *e)
{
	struct search_docsrc *d;
	struct search_delta_doc *dd;
	enum err_code rc = ERR_OK;

	if (est == NULL || est->siret == NULL || !siret_valid(est->siret))
		return err_set(e, ERR_INVALID, "siret",
		               "expected 14 digits with a valid check digit");
	d = xmalloc(sizeof *d);
	search_docsrc_fill(d, est, u);
	pthread_rwlock_wrlock(&ix->lock);
	dd = delta_find(ix, d->siret);
	if (dd == NULL) {
		if (ix->n_delta >= SEARCH_DELTA_MAX) {
			rc = err_set(e, ERR_TOO_BIG, NULL,
			             "%u establishments changed since the "
			             "search index was built: rebuild it",
			             SEARCH_DELTA_MAX);
			goto out;
		}
		grow(&ix->delta, &ix->cap_delta, ix->n_delta + 1, sizeof *ix->delta,
		     SEARCH_DELTA_MAX);
		dd = &ix->delta[ix->n_delta++];
		memset(dd, 0, sizeof *dd);
		hide(ix, d->siret);
	}
	free(dd->disp);
	free(dd->terms);
	dd->siret = d->siret;
	dd->stat = d->stat;
	dd->removed = 0;
	dd->disp = xstrndup(d->disp, d->disp_len);
	dd->terms = xmalloc((d->n + 1) * sizeof *dd->terms);
	memcpy(dd->terms, d->terms, d->n * sizeof *dd->terms);
	dd->n = d->n;
out:
	pthread_rwlock_unlock(&ix->lock);
	free(d);
	return rc;
}

enum err_code search_index_remove(struct search_index *ix, const char *siret, struct err *e)
{
	struct search_delta_doc *dd;
	int64_t v;

	if (siret == NULL || !siret_valid(siret))
		return err_set(e, ERR_INVALID, "siret",
		               "expected 14 digits with a valid check digit");
	v = strtoll(siret, NULL, 10);
	pthread_rwlock_wrlock(&ix->lock);
	hide(ix, v);
	if ((dd = delta_find(ix, v)) != NULL)
		dd->removed = 1;
	pthread_rwlock_unlock(&ix->lock);
	return ERR_OK;
}

void search_index_stats(struct search_index *ix, struct search_index_stats *st)
{
	const struct search_image_header *h = (const void *)ix->image;

	memset(st, 0, sizeof *st);
	st->n_docs = ix->n_docs;
	st->n_terms = ix->n_terms;
	st->image_bytes = ix->size;
	st->postings_bytes = h->sec_len[SEC_POST] + h->sec_len[SEC_POST_OFF];
	st->forward_bytes = h->sec_len[SEC_FWD] + h->sec_len[SEC_FWD_OFF];
	st->display_bytes = h->sec_len[SEC_DISP] + h->sec_len[SEC_DISP_OFF];
	st->dictionary_bytes = h->sec_len[SEC_TERM_STR] + h->sec_len[SEC_TERM_OFF] +
	                       h->sec_len[SEC_TERM_CDF] + h->sec_len[SEC_TERM_FLAGS];
	st->mapped = ix->mapped;
	pthread_rwlock_rdlock(&ix->lock);
	st->delta_docs = ix->n_delta;
	pthread_rwlock_unlock(&ix->lock);
}

uint64_t search_index_change_seq(struct search_index *ix)
{
	uint64_t v;

	pthread_rwlock_rdlock(&ix->lock);
	v = ix->change_seq;
	pthread_rwlock_unlock(&ix->lock);
	return v;
}

void search_index_set_change_seq(struct search_index *ix, uint64_t seq)
{
	pthread_rwlock_wrlock(&ix->lock);
	ix->change_seq = seq;
	pthread_rwlock_unlock(&ix->lock);
}

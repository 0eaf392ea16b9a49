/* index-impl: the layout of the search index, shared by index.c and search.c only. */
#ifndef SEARCH_INDEX_IMPL_H
#define SEARCH_INDEX_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "search/index.h"
#include "search/levenshtein.h"
#include "search/normalize.h"

#define SEARCH_MAGIC "CSTSRCH" /* 8 bytes with the NUL */
#define SEARCH_FORMAT_VERSION 3u
#define SEARCH_ENDIAN_MARK 0x01020304u
#define SEARCH_GAP 0u            /* in the forward index: a break between two values */
#define SEARCH_DOC_TOKENS_MAX 96 /* tokens kept per establishment */
#define SEARCH_DISP_SEP '\x1f'   /* between display fields */

enum search_disp {
	DISP_NAME,
	DISP_ENSEIGNE,
	DISP_ADDRESS,
	DISP_POSTCODE,
	DISP_COMMUNE,
	DISP_COUNT
};

/* Static score bits (bigger is better). */
#define SEARCH_STATIC_ACTIVE (1u << 15)
#define SEARCH_STATIC_HEAD (1u << 14)

enum search_sec {
	SEC_SIRET,      /* int64_t[n_docs], doc order (static rank) */
	SEC_STATIC,     /* uint32_t[n_docs] */
	SEC_FWD_OFF,    /* uint64_t[n_docs + 1] into SEC_FWD */
	SEC_FWD,        /* per doc: 4 varint counts, then per token varint(term + 1) or 0 */
	SEC_DISP_OFF,   /* uint64_t[n_docs + 1] into SEC_DISP */
	SEC_DISP,       /* per doc: name US enseigne US address US postcode US commune */
	SEC_BY_SIRET,   /* uint32_t[n_docs]: doc ids sorted by siret */
	SEC_TERM_OFF,   /* uint32_t[n_terms + 1] into SEC_TERM_STR */
	SEC_TERM_STR,   /* NUL-terminated terms, sorted by strcmp */
	SEC_POST_OFF,   /* uint64_t[n_terms + 1] into SEC_POST */
	SEC_POST,       /* per term: varint gaps between doc ids (first gap from -1) */
	SEC_TERM_CDF,   /* uint64_t[n_terms + 1]: cumulative document frequency */
	SEC_TERM_FLAGS, /* uint8_t[n_terms]: SEARCH_TOK_LEGAL */
	SEC_SIG,        /* uint64_t[2 * n_docs]: per doc, the prefix signature of its terms */
	SEC_COUNT,
};

struct search_image_header {
	char magic[8];
	uint32_t version, endian;
	uint32_t n_docs, n_terms;
	uint64_t file_size;
	uint64_t payload_sum; /* search_checksum of bytes [header end, file_size) */
	uint64_t sec_off[SEC_COUNT];
	uint64_t sec_len[SEC_COUNT];
	uint64_t change_seq; /* the store's change log stood here when the walk began */
	uint64_t header_sum; /* search_checksum of the bytes before this field */
};

/* A term of a document being indexed or held in the delta. */
struct search_dterm {
	char text[SEARCH_WORD_MAX];
	uint8_t field, legal;
	uint16_t pos; /* index within its field; gaps take one position */
};

/* One establishment as the indexer sees it. */
struct search_docsrc {
	int64_t siret;
	uint32_t stat;
	char disp[1024];
	size_t disp_len;
	struct search_dterm terms[SEARCH_DOC_TOKENS_MAX];
	uint8_t gap_after[SEARCH_DOC_TOKENS_MAX]; /* a value of the same field ends here */
	size_t n;
};

struct search_delta_doc {
	int64_t siret;
	uint32_t stat;
	int removed;
	char *disp;                 /* owned */
	struct search_dterm *terms; /* owned */
	size_t n;
};

struct search_index {
	unsigned char *image;
	size_t size;
	int mapped; /* munmap, else free */
	uint32_t n_docs, n_terms;
	uint64_t change_seq; /* from the header; see search_index_change_seq */
	const int64_t *siret;
	const uint32_t *stat;
	const uint64_t *fwd_off, *disp_off, *post_off, *cdf;
	const uint8_t *fwd, *disp, *post, *term_flags;
	const uint32_t *by_siret, *term_off;
	const uint64_t *sig; /* 2 per doc: see search_sig_bits */
	struct search_lev_dict dict;

	pthread_rwlock_t lock; /* guards what follows */
	uint64_t *hidden;      /* bitmap of docs replaced or removed; NULL when none */
	struct search_delta_doc *delta;
	size_t n_delta, cap_delta;
};

/* Fills d from an establishment and its legal unit (u may be NULL). */
void search_docsrc_fill(struct search_docsrc *d, const struct establishment *est,
                        const struct legal_unit *u);
/* The prefix signature of a term: one bit (of 64) for its first 2 bytes, one (of 64)
 * for its first 3. A document's signature is the OR of its terms'; a word whose terms'
 * bits are missing from it cannot be in the document (no false negative), which lets a
 * search skip documents without decoding them. */
void search_sig_bits(const char *term, uint64_t *b2, uint64_t *b3);
/* A 64-bit checksum of n bytes. */
uint64_t search_checksum(const void *p, size_t n);
/* Reads a varint from p[*i..end); returns 0 (and leaves *v) when it would pass end. */
int search_varint_get(const uint8_t *p, size_t end, size_t *i, uint64_t *v);
/* The doc with this siret, or UINT32_MAX. */
uint32_t search_index_find_siret(const struct search_index *ix, int64_t siret);
/* 1 when doc is hidden by the delta (caller holds the read lock). */
int search_index_hidden(const struct search_index *ix, uint32_t doc);

#endif

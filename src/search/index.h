/* index: the establishment search index: built from the store, saved to a file and
 * memory-mapped, with an in-memory delta for establishments changed since the build. */
#ifndef SEARCH_INDEX_H
#define SEARCH_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/model.h"

struct store;
struct search_index;
struct search_builder;

enum search_field {
	SEARCH_FIELD_NAME,     /* legal unit's name, sole trader's names, acronym, usual name */
	SEARCH_FIELD_ENSEIGNE, /* enseignes 1-3 */
	SEARCH_FIELD_ADDRESS,  /* number, repeat, street type and name, complement */
	SEARCH_FIELD_COMMUNE,  /* commune name, postcode, department code */
	SEARCH_FIELD_COUNT,
};

#define SEARCH_DOCS_MAX 60000000u /* establishments an index may hold */
#define SEARCH_DELTA_MAX 200000u  /* changes held in memory before a rebuild is due */

/* A name for a field ("name", "enseigne", "address", "commune"). */
const char *search_field_name(int field);

/* A builder collects establishments, then produces an index. new returns a builder the
 * caller frees with search_builder_free (NULL is a no-op). add copies what it needs;
 * u may be NULL. */
struct search_builder *search_builder_new(void);
void search_builder_free(struct search_builder *b);
enum err_code search_builder_add(struct search_builder *b, const struct establishment *est,
                                 const struct legal_unit *u, struct err *e);
/* Produces the index (new memory, caller frees with search_index_free) and empties b. */
enum err_code search_builder_finish(struct search_builder *b, struct search_index **out,
                                    struct err *e);

/* Writes the index to path (through a temporary file and a rename) without laying the
 * image out in memory, and empties b. Then open it with search_index_open. */
enum err_code search_builder_write(struct search_builder *b, const char *path,
                                   struct err *e);

/* Builds the index of every establishment in the store. *out: new, caller frees. */
enum err_code search_index_build(struct store *s, struct search_index **out, struct err *e);
/* The same, asking stop(ctx) every few thousand establishments of the walk: non-zero
 * abandons the build (ERR_BUSY, nothing kept). */
enum err_code search_index_build_until(struct store *s, int (*stop)(void *ctx), void *ctx,
                                       struct search_index **out, struct err *e);
/* Builds the index of every establishment in the store into the file at path, keeping
 * about a third of what search_index_build holds in memory (display records go to a
 * temporary file under $TMPDIR, the image is written section by section). */
enum err_code search_index_build_file(struct store *s, const char *path, struct err *e);
/* Where the store's change log stood when the index's walk began, plus the changes
 * applied since by search_follow (0 when the store had no log). */
uint64_t search_index_change_seq(struct search_index *ix);
/* Records that the changes of the log up to seq were applied (search_follow). */
void search_index_set_change_seq(struct search_index *ix, uint64_t seq);

/* Writes the index (without its delta) to path, through a temporary file and a rename. */
enum err_code search_index_save(const struct search_index *ix, const char *path, struct err *e);

enum search_open_flags {
	SEARCH_OPEN_VERIFY = 1 << 0, /* also check the checksum of the whole payload */
};
/* Maps the index file at path read-only and validates its header and every offset
 * table, so that a corrupt file is refused (ERR_INVALID) instead of crashing a search.
 * *out: new, caller frees with search_index_free. */
enum err_code search_index_open(const char *path, unsigned flags, struct search_index **out,
                                struct err *e);
void search_index_free(struct search_index *ix);

/* Makes an establishment inserted or changed after the build searchable at once (it goes
 * to the delta and hides the older version); remove hides a SIRET. Thread-safe against
 * concurrent searches. ERR_TOO_BIG past SEARCH_DELTA_MAX: rebuild the index. */
enum err_code search_index_update(struct search_index *ix, const struct establishment *est,
                                  const struct legal_unit *u, struct err *e);
enum err_code search_index_remove(struct search_index *ix, const char *siret, struct err *e);

struct search_index_stats {
	uint32_t n_docs, n_terms;
	uint64_t image_bytes; /* the file */
	uint64_t postings_bytes, forward_bytes, display_bytes, dictionary_bytes;
	size_t delta_docs;
	int mapped; /* 1 when the image is a mapped file */
};
void search_index_stats(struct search_index *ix, struct search_index_stats *st);

#endif

/* store-search: what the search index reads from the store beside the registry walk: a
 * log of registry changes (a table filled by triggers), so that a server's index picks up
 * establishments written by another process (constat import-sirene) while it runs. Only
 * src/search calls it; no SQL leaks above. */
#ifndef STORE_STORE_SEARCH_H
#define STORE_STORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "domain/model.h"
#include "store/store.h"

/* Creates the change log when missing (idempotent): the table search_change and
 * triggers on establishment (insert, delete, and an update of a searched column) and on
 * legal_unit (insert, and an update of a searched column). Needs a writable handle.
 * Re-importing an unchanged row logs nothing. */
enum err_code store_search_log_enable(struct store *s, struct err *e);

/* The last sequence number of the log (0 when empty); *enabled is 0 when the log does
 * not exist (then *seq is 0). enabled may be NULL. */
enum err_code store_search_log_head(struct store *s, int64_t *seq, int *enabled,
                                    struct err *e);

/* A number that changes whenever another connection commits to the database (PRAGMA
 * data_version): polling it costs no read of the file. */
enum err_code store_search_data_version(struct store *s, int64_t *v, struct err *e);

/* One changed establishment: est and u borrowed for the call (u NULL when the legal unit
 * is unknown); est NULL when the establishment was deleted (siret says which). A non-zero
 * return stops the walk. */
typedef int (*store_search_change_cb)(void *ctx, const char *siret,
                                      const struct establishment *est,
                                      const struct legal_unit *u);

/* Calls cb for what changed after sequence number after, in log order, reading at most
 * max log rows (a change of a legal unit calls cb for each of its establishments, at
 * most STORE_SEARCH_UNIT_MAX). *last: the sequence number of the last row read (after
 * when none). The reads share one snapshot. */
#define STORE_SEARCH_UNIT_MAX 100000
enum err_code store_search_changes(struct store *s, int64_t after, size_t max,
                                   store_search_change_cb cb, void *ctx, int64_t *last,
                                   struct err *e);

/* Deletes the log rows up to and including upto and records upto as the pruned mark
 * (in meta, one transaction); a no-op when the mark is already there or past it. An
 * index whose sequence number is below the mark has missed changes for good. */
#define STORE_SEARCH_PRUNED_KEY "search.change_pruned"
enum err_code store_search_log_prune(struct store *s, int64_t upto, struct err *e);
/* The pruned mark: every change up to it is gone from the log (0: none pruned). */
enum err_code store_search_log_pruned(struct store *s, int64_t *upto, struct err *e);

#endif

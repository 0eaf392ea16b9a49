/* follow: keeps a server's search index in step with the store while it runs: changes
 * written by any process (constat import-sirene, another server) reach the index's delta
 * within a poll interval, through the store's change log (store/store-search.h). */
#ifndef SEARCH_FOLLOW_H
#define SEARCH_FOLLOW_H

#include <stddef.h>

#include "core/err.h"
#include "search/index.h"

struct store;
struct search_follow;

#define SEARCH_FOLLOW_BATCH 10000     /* log rows read per round trip */
#define SEARCH_FOLLOW_INTERVAL_MS 200 /* default poll interval */
/* The follower prunes the change log to keep this many rows behind what it applied
 * (about 40 MB): an index saved earlier than that (a file on disk, another server) can
 * no longer be brought up to date and must be rebuilt (ERR_CONFLICT below). */
#define SEARCH_FOLLOW_KEEP 1000000

/* Applies to ix what the store's change log holds past search_index_change_seq(ix), at
 * most max_rows log rows (0: until the log is exhausted), and advances the index's
 * sequence number. *applied (may be NULL): establishments updated or removed.
 * ERR_TOO_BIG when the delta is full: rebuild the index (what was applied stays).
 * ERR_CONFLICT (field "index") when changes the index has not seen were pruned from the
 * log: the index is stale for good, rebuild it. */
enum err_code search_follow_apply(struct search_index *ix, struct store *s, size_t max_rows,
                                  size_t *applied, struct err *e);

/* Every search scans the delta (about 1 us per changed establishment): past this many
 * changes the follower rebuilds the index instead (when it may swap it, below). */
#define SEARCH_FOLLOW_REBUILD_AT 10000

/* Called on the follower's thread with an index rebuilt from the store and brought up
 * to date (owned by the callee from then on): put it in service in place of the one
 * given before, and free that one once no search uses it. */
typedef void (*search_follow_swap_fn)(void *ctx, struct search_index *fresh);

struct search_follow_opts {
	unsigned interval_ms;       /* poll interval; 0: SEARCH_FOLLOW_INTERVAL_MS */
	size_t rebuild_at;          /* delta size that starts a rebuild; 0: SEARCH_FOLLOW_REBUILD_AT */
	search_follow_swap_fn swap; /* NULL: never rebuild (the delta fills, then the follower
	                             * stops and logs "rebuild it") */
	void *swap_ctx;
	const char *save_path;      /* a rebuilt index is also saved there (NULL: not) */
};

/* Opens db_path (its own connection), creates the change log when missing, applies what
 * changed since the index was built (ERR_CONFLICT as above when it cannot), then starts
 * a thread that polls the database (o may be NULL: defaults), applies new changes,
 * rebuilds the index when the delta grows past o->rebuild_at or the log was pruned past
 * it (the old index serves during the rebuild, without the changes made meanwhile,
 * which the new one has), and
 * prunes the log (SEARCH_FOLLOW_KEEP). ix is borrowed and must outlive the follower or
 * its swap. *out: new, stop and free it with search_follow_stop. */
enum err_code search_follow_start(struct search_index *ix, const char *db_path,
                                  const struct search_follow_opts *o,
                                  struct search_follow **out, struct err *e);
/* Stops the thread, closes the connection and frees f; NULL is a no-op. */
void search_follow_stop(struct search_follow *f);

struct search_follow_stats {
	unsigned long rounds;    /* polls that found the database changed */
	unsigned long applied;   /* establishments updated or removed */
	unsigned long rebuilds;  /* indexes rebuilt and swapped in */
	int stopped;             /* 1 after an error (logged): the index needs a rebuild */
};
void search_follow_stats(struct search_follow *f, struct search_follow_stats *st);

#endif

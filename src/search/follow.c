/* follow: a thread that applies the store's change log to a running search index. */
#include "search/follow.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "store/store-search.h"
#include "store/store.h"

struct search_follow {
	struct search_index *ix; /* borrowed; replaced by each swap */
	struct store *s;         /* owned: the follower's own connection */
	char *db_path;           /* owned: the builder opens its own connection */
	struct search_follow_opts o;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	struct search_follow_stats st; /* under mu */
	/* A rebuild runs on its own thread while the follower keeps the index in service
	 * up to date; the follower swaps the new one in once built. */
	pthread_t builder;
	int building;                  /* the follower's own: a builder thread to join */
	int built;                     /* under mu: the builder is done */
	struct search_index *fresh;    /* under mu: what it built (NULL on error) */
	struct err build_err;          /* under mu */
};

struct apply_ctx {
	struct search_index *ix;
	size_t applied;
	struct err err;
};

static int apply_cb(void *ctx, const char *siret, const struct establishment *est,
                    const struct legal_unit *u)
{
	struct apply_ctx *a = ctx;
	enum err_code rc = est ? search_index_update(a->ix, est, u, &a->err)
	                       : search_index_remove(a->ix, siret, &a->err);

	if (rc == ERR_INVALID) {
		err_clear(&a->err); /* a registry row with a bad SIRET is not indexed */
		return 0;
	}
	a->applied += rc == ERR_OK;
	return rc != ERR_OK;
}

enum err_code search_follow_apply(struct search_index *ix, struct store *s, size_t max_rows,
                                  size_t *applied, struct err *e)
{
	struct apply_ctx a = {.ix = ix};
	size_t rows = 0;
	enum err_code rc = ERR_OK;

	if (applied)
		*applied = 0;
	int64_t pruned = 0;

	if ((rc = store_search_log_pruned(s, &pruned, e)) != ERR_OK)
		return rc;
	if ((int64_t)search_index_change_seq(ix) < pruned)
		return err_set(e, ERR_CONFLICT, "index",
		               "the search index is older than the registry's change log (changes "
		               "up to %" PRId64 " were pruned, the index has %" PRIu64 "): rebuild it",
		               pruned, search_index_change_seq(ix));
	for (;;) {
		int64_t from = (int64_t)search_index_change_seq(ix), last = from;
		size_t batch = SEARCH_FOLLOW_BATCH;

		if (max_rows > 0 && max_rows - rows < batch)
			batch = max_rows - rows;
		rc = store_search_changes(s, from, batch, apply_cb, &a, &last, e);
		if (last > from)
			search_index_set_change_seq(ix, (uint64_t)last);
		if (rc == ERR_OK && a.err.code != ERR_OK) {
			if (e)
				*e = a.err;
			rc = a.err.code;
		}
		if (rc != ERR_OK || last == from)
			break;
		rows += (size_t)(last - from); /* an upper bound: pruned numbers are skipped */
		if (max_rows > 0 && rows >= max_rows)
			break;
	}
	if (applied)
		*applied = a.applied;
	return rc;
}

static int build_stop(void *ctx)
{
	struct search_follow *f = ctx;
	int q;

	pthread_mutex_lock(&f->mu);
	q = f->quit;
	pthread_mutex_unlock(&f->mu);
	return q;
}

/* The builder thread: a new index from the store on a connection of its own, saved
 * when asked (the file holds the build's sequence number: a restart replays the rest). */
static void *builder_main(void *arg)
{
	struct search_follow *f = arg;
	struct search_index *fresh = NULL;
	struct store *s = NULL;
	struct err e = {0};
	enum err_code rc = store_open(f->db_path, STORE_READONLY, &s, &e);

	if (rc == ERR_OK)
		rc = search_index_build_until(s, build_stop, f, &fresh, &e);
	store_close(s);
	if (rc == ERR_OK && f->o.save_path) {
		struct err se = {0};

		if (search_index_save(fresh, f->o.save_path, &se) != ERR_OK)
			log_warn("search: the rebuilt index is not saved: %s", se.msg);
	}
	pthread_mutex_lock(&f->mu);
	f->fresh = fresh;
	f->build_err = e;
	f->built = 1;
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* When the builder is done: brings its index up to date and swaps it in. */
static enum err_code finish_rebuild(struct search_follow *f, struct err *e)
{
	struct search_index *fresh;
	enum err_code rc;
	size_t n = 0;
	int done;

	pthread_mutex_lock(&f->mu);
	done = f->built;
	pthread_mutex_unlock(&f->mu);
	if (!done)
		return ERR_OK;
	pthread_join(f->builder, NULL);
	f->building = f->built = 0;
	fresh = f->fresh;
	f->fresh = NULL;
	if (fresh == NULL) {
		if (e)
			*e = f->build_err;
		return f->build_err.code != ERR_OK ? f->build_err.code : ERR_INTERNAL;
	}
	/* what changed during the build; a delta already full (a large import meanwhile)
	 * still makes this index the better one, and the next round rebuilds again */
	if ((rc = search_follow_apply(fresh, f->s, 0, &n, e)) != ERR_OK && rc != ERR_TOO_BIG) {
		search_index_free(fresh);
		return rc;
	}
	err_clear(e);
	f->o.swap(f->o.swap_ctx, fresh);
	f->ix = fresh;
	pthread_mutex_lock(&f->mu);
	f->st.rebuilds++;
	pthread_mutex_unlock(&f->mu);
	log_info("search: the rebuilt index is in service");
	return ERR_OK;
}

/* One round. Applies at most rebuild_at log rows to the index in service; starts a
 * rebuild when its delta is past the mark, full, when more rows wait than the delta
 * should take, or when the log was pruned past it (another server's follower pruned
 * while this one lagged). During a rebuild the index in service keeps following, up to
 * twice the mark (past that, searches would slow down more than the new index is
 * away: the rest waits for it). */
static enum err_code follow_round(struct search_follow *f, size_t *applied, struct err *e)
{
	struct search_index_stats st;
	enum err_code rc;
	int64_t head = 0;

	*applied = 0;
	if (f->building && (rc = finish_rebuild(f, e)) != ERR_OK)
		return rc;
	search_index_stats(f->ix, &st);
	if (f->building && st.delta_docs >= 2 * f->o.rebuild_at)
		return ERR_OK;
	rc = search_follow_apply(f->ix, f->s, f->o.swap ? f->o.rebuild_at : 0, applied, e);
	if (f->o.swap == NULL || (rc != ERR_OK && rc != ERR_TOO_BIG && rc != ERR_CONFLICT))
		return rc;
	if (f->building) {
		err_clear(e);
		return ERR_OK; /* the new index will have what did not fit */
	}
	search_index_stats(f->ix, &st);
	if (rc == ERR_OK && st.delta_docs < f->o.rebuild_at) {
		if ((rc = store_search_log_head(f->s, &head, NULL, e)) != ERR_OK ||
		    head <= (int64_t)search_index_change_seq(f->ix))
			return rc;
	}
	err_clear(e);
	log_info("search: %zu changes held beside the index: rebuilding it", st.delta_docs);
	if (pthread_create(&f->builder, NULL, builder_main, f) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot start the index builder thread");
	f->building = 1;
	return ERR_OK;
}

static void *follow_main(void *arg)
{
	struct search_follow *f = arg;
	int64_t seen = -1;

	pthread_mutex_lock(&f->mu);
	while (!f->quit) {
		struct timespec until;
		int64_t v = 0;
		struct err e = {0};

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += f->o.interval_ms / 1000;
		until.tv_nsec += (long)(f->o.interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!f->quit && pthread_cond_timedwait(&f->cv, &f->mu, &until) != ETIMEDOUT)
			;
		if (f->quit)
			break;
		pthread_mutex_unlock(&f->mu);
		/* data_version moves when another connection commits: nothing to read else */
		if (store_search_data_version(f->s, &v, &e) == ERR_OK && (v != seen || f->building)) {
			size_t n = 0;
			enum err_code rc = follow_round(f, &n, &e);

			pthread_mutex_lock(&f->mu);
			f->st.rounds++;
			f->st.applied += n;
			if (rc != ERR_OK) {
				f->st.stopped = 1;
				f->quit = 1;
			}
			pthread_mutex_unlock(&f->mu);
			if (rc != ERR_OK)
				log_error("search: the index stops following the registry: %s "
				          "(rebuild it with 'constat search --build-index')",
				          e.msg);
			else if (n > 0)
				log_info("search: %zu establishment(s) changed in the registry "
				         "applied to the index",
				         n);
			int64_t keep_from = (int64_t)search_index_change_seq(f->ix) - SEARCH_FOLLOW_KEEP;

			if (rc == ERR_OK && keep_from > 0 &&
			    store_search_log_prune(f->s, keep_from, &e) != ERR_OK)
				log_warn("search: cannot prune the registry's change log: %s", e.msg);
			seen = v;
		} else if (e.code != ERR_OK) {
			log_warn("search: cannot poll the registry: %s", e.msg);
		}
		pthread_mutex_lock(&f->mu);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

enum err_code search_follow_start(struct search_index *ix, const char *db_path,
                                  const struct search_follow_opts *o,
                                  struct search_follow **out, struct err *e)
{
	struct search_follow *f;
	enum err_code rc;
	size_t n = 0;
	int64_t head = 0;
	int had_log = 0;

	*out = NULL;
	if (ix == NULL || db_path == NULL)
		return err_set(e, ERR_INVALID, "index", "no search index to keep up to date");
	f = xcalloc(1, sizeof *f);
	f->ix = ix;
	f->db_path = xstrdup(db_path);
	if (o)
		f->o = *o;
	if (f->o.interval_ms == 0)
		f->o.interval_ms = SEARCH_FOLLOW_INTERVAL_MS;
	if (f->o.rebuild_at == 0)
		f->o.rebuild_at = SEARCH_FOLLOW_REBUILD_AT;
	if ((rc = store_open(db_path, 0, &f->s, e)) != ERR_OK ||
	    (rc = store_search_log_head(f->s, &head, &had_log, e)) != ERR_OK ||
	    (rc = store_search_log_enable(f->s, e)) != ERR_OK ||
	    (rc = search_follow_apply(ix, f->s, f->o.swap ? f->o.rebuild_at : 0, &n, e)) != ERR_OK) {
		store_close(f->s);
		free(f->db_path);
		free(f);
		return rc;
	}
	if (!had_log)
		log_warn("search: the registry had no change log; it has one now, but what "
		         "changed between the index's build and now is not in the index: "
		         "rebuild it once with 'constat search --build-index'");
	f->st.applied = n;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->thread, NULL, follow_main, f) != 0) {
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		store_close(f->s);
		free(f->db_path);
		free(f);
		return err_set(e, ERR_INTERNAL, NULL, "cannot start the search follower thread");
	}
	*out = f;
	return ERR_OK;
}

void search_follow_stop(struct search_follow *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	f->quit = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	if (f->building) { /* the builder sees quit within a few thousand rows */
		pthread_join(f->builder, NULL);
		search_index_free(f->fresh);
	}
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	store_close(f->s);
	free(f->db_path);
	free(f);
}

void search_follow_stats(struct search_follow *f, struct search_follow_stats *st)
{
	pthread_mutex_lock(&f->mu);
	*st = f->st;
	pthread_mutex_unlock(&f->mu);
}

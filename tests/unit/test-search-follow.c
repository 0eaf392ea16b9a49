/* Unit tests for src/search/follow.c and src/store/store-search.c: the store's change log
 * (what is logged, what is not), applying it to an index, and the polling thread picking
 * up a change written by another connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "api/api.h"
#include "domain/siret.h"
#include "search/follow.h"
#include "search/search.h"
#include "store/store-search.h"
#include "store/store.h"

struct fixture {
	char db[64];
	struct store *s;  /* the writer (another process, as far as the index knows) */
	struct store *s2; /* the follower's connection */
	struct search_index *ix;
};

struct ids {
	char siren[10], siret[15], nic[6];
};

static void make_ids(struct ids *id, unsigned n)
{
	snprintf(id->siren, sizeof id->siren, "%08u0", 40000000u + n * 7907u);
	siret_luhn_complete(id->siren, 9);
	snprintf(id->siret, sizeof id->siret, "%s%04u0", id->siren, 1 + n % 1000);
	siret_luhn_complete(id->siret, 14);
	memcpy(id->nic, id->siret + 9, 6);
}

static void put(struct store *s, unsigned n, const char *name, const char *enseigne,
                const char *commune, const char *state)
{
	struct ids id;
	struct err e = {0};
	struct legal_unit u = {.name = name, .state = "A"};
	struct establishment est = {.head_office = 1,
	                            .street_number = "1",
	                            .street_type = "RUE",
	                            .street_name = "DE LA GARE",
	                            .postcode = "69003",
	                            .commune_name = commune,
	                            .commune_code = "69383",
	                            .state = state,
	                            .enseigne1 = enseigne,
	                            .diffusion = "O"};

	make_ids(&id, n);
	u.siren = id.siren;
	est.siret = id.siret;
	est.siren = id.siren;
	est.nic = id.nic;
	if (store_legal_unit_upsert(s, &u, &e) != ERR_OK ||
	    store_establishment_upsert(s, &est, &e) != ERR_OK)
		fail_msg("upsert %u: %s %s", n, e.field, e.msg);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err e = {0};
	int fd;

	snprintf(f->db, sizeof f->db, "/tmp/constat-test-follow-XXXXXX");
	fd = mkstemp(f->db);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->db);
	assert_int_equal(store_open(f->db, STORE_CREATE, &f->s, &e), ERR_OK);
	assert_int_equal(store_refdata_load(f->s, &e), ERR_OK);
	/* the log exists before the build, as it does once the server ran once */
	assert_int_equal(store_search_log_enable(f->s, &e), ERR_OK);
	put(f->s, 1, "BOULANGERIE ARNAUD", NULL, "LYON 3E ARRONDISSEMENT", "A");
	put(f->s, 2, "GARAGE DU RHONE", NULL, "LYON 3E ARRONDISSEMENT", "A");
	put(f->s, 3, "PHARMACIE CENTRALE", NULL, "LYON 3E ARRONDISSEMENT", "A");
	if (search_index_build(f->s, &f->ix, &e) != ERR_OK)
		fail_msg("build: %s", e.msg);
	assert_int_equal(store_open(f->db, 0, &f->s2, &e), ERR_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char side[100];

	search_index_free(f->ix);
	store_close(f->s2);
	store_close(f->s);
	unlink(f->db);
	snprintf(side, sizeof side, "%s-wal", f->db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->db);
	unlink(side);
	snprintf(side, sizeof side, "%s.key", f->db); /* the audit key beside it */
	unlink(side);
	free(f);
	return 0;
}

/* The SIRET of the first hit of q, or "" (static buffer: one call at a time). */
static const char *first(struct search_index *ix, const char *q)
{
	static char out[15];
	struct search_result *r = NULL;
	struct err e = {0};

	if (search_run(ix, q, 10, &r, &e) != ERR_OK)
		fail_msg("search \"%s\": %s", q, e.msg);
	snprintf(out, sizeof out, "%s", r->n > 0 ? r->hit[0].siret : "");
	search_result_free(r);
	return out;
}

static void test_log(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	int64_t head = 0, again = 0;
	int enabled = 0;

	assert_int_equal(store_search_log_head(f->s2, &head, &enabled, &e), ERR_OK);
	assert_int_equal(enabled, 1);
	assert_true(head >= 3); /* three establishments inserted */
	assert_int_equal((int64_t)search_index_change_seq(f->ix), head);
	/* idempotent */
	assert_int_equal(store_search_log_enable(f->s, &e), ERR_OK);
	/* writing the same rows again logs nothing */
	put(f->s, 1, "BOULANGERIE ARNAUD", NULL, "LYON 3E ARRONDISSEMENT", "A");
	assert_int_equal(store_search_log_head(f->s2, &again, NULL, &e), ERR_OK);
	assert_int_equal(again, head);
}

static void test_apply(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	struct ids id2, id4;
	size_t n = 0;
	int64_t head = 0;

	make_ids(&id2, 2);
	make_ids(&id4, 4);
	assert_string_equal(first(f->ix, "garage du rhone"), id2.siret);
	/* another connection: a new establishment, a renamed legal unit, a closure */
	put(f->s, 4, "FROMAGERIE ZEPHYRIN", NULL, "LYON 3E ARRONDISSEMENT", "A");
	put(f->s, 2, "CARROSSERIE DU RHONE", NULL, "LYON 3E ARRONDISSEMENT", "A");
	put(f->s, 3, "PHARMACIE CENTRALE", NULL, "LYON 3E ARRONDISSEMENT", "F");
	/* not applied yet */
	assert_string_equal(first(f->ix, "fromagerie zephyrin"), "");
	assert_int_equal(search_follow_apply(f->ix, f->s2, 0, &n, &e), ERR_OK);
	assert_true(n >= 3);
	assert_string_equal(first(f->ix, "fromagerie zephyrin"), id4.siret);
	assert_string_equal(first(f->ix, "fromagerie zefirin lyon"), id4.siret); /* typos */
	assert_string_equal(first(f->ix, id4.siret), id4.siret);
	assert_string_equal(first(f->ix, "carrosserie rhone"), id2.siret);
	{
		/* the old name is gone: "garage" matches nothing any more */
		struct search_result *r = NULL;

		assert_int_equal(search_run(f->ix, "garage du rhone", 10, &r, &e), ERR_OK);
		for (size_t i = 0; i < r->n; i++)
			assert_int_equal(r->hit[i].word_field[0], -1);
		assert_true(r->n >= 1);
		assert_string_equal(r->hit[0].name, "CARROSSERIE DU RHONE");
		search_result_free(r);
	}
	assert_int_equal(store_search_log_head(f->s2, &head, NULL, &e), ERR_OK);
	assert_int_equal((int64_t)search_index_change_seq(f->ix), head);
	/* nothing new: nothing applied */
	assert_int_equal(search_follow_apply(f->ix, f->s2, 0, &n, &e), ERR_OK);
	assert_int_equal(n, 0);
	{
		struct search_result *r = NULL;

		assert_int_equal(search_run(f->ix, "pharmacie centrale", 10, &r, &e), ERR_OK);
		assert_true(r->n >= 1);
		assert_false(r->hit[0].flags & SEARCH_HIT_ACTIVE); /* closed now */
		assert_true(r->hit[0].flags & SEARCH_HIT_DELTA);
		search_result_free(r);
	}
	/* a batch bound: one row at a time still gets everything, in order */
	put(f->s, 5, "EBENISTERIE MOREAU", NULL, "LYON 3E ARRONDISSEMENT", "A");
	put(f->s, 6, "EBENISTERIE GIRAUD", NULL, "LYON 3E ARRONDISSEMENT", "A");
	assert_int_equal(search_follow_apply(f->ix, f->s2, 1, &n, &e), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(search_follow_apply(f->ix, f->s2, 0, &n, &e), ERR_OK);
	assert_true(n >= 1);
	{
		struct ids id6;

		make_ids(&id6, 6);
		assert_string_equal(first(f->ix, "ebenisterie giraud"), id6.siret);
	}
}

/* The thread: a change committed by another connection is searchable within a few poll
 * intervals (the test waits up to 5 s, polling every 20 ms). */
static void test_thread(void **state)
{
	struct fixture *f = *state;
	struct search_follow *fl = NULL;
	struct search_follow_stats st = {0};
	struct err e = {0};
	struct ids id;
	int found = 0;

	make_ids(&id, 7);
	assert_int_equal(search_follow_start(f->ix, f->db, &(struct search_follow_opts){.interval_ms = 20}, &fl, &e), ERR_OK);
	put(f->s, 7, "TONNELLERIE QUENTIN", "AU TONNEAU D OR", "LYON 3E ARRONDISSEMENT", "A");
	/* the index is searchable first, the follower's counters move just after */
	for (int i = 0; i < 500 && !(found && st.applied >= 1); i++) {
		struct timespec ts = {0, 10 * 1000000L};

		found = strcmp(first(f->ix, "au tonneau d'or"), id.siret) == 0;
		search_follow_stats(fl, &st);
		if (!(found && st.applied >= 1))
			nanosleep(&ts, NULL);
	}
	search_follow_stop(fl);
	assert_true(found);
	assert_true(st.applied >= 1);
	assert_int_equal(st.stopped, 0);
	search_follow_stop(NULL);
	assert_int_equal(search_follow_start(f->ix, "/nonexistent/dir/x.db", NULL, &fl, &e) != ERR_OK,
	                 1);
	assert_null(fl);
}

static void swap_cb(void *ctx, struct search_index *fresh)
{
	struct fixture *f = ctx;

	search_index_free(f->ix);
	f->ix = fresh;
}

/* Waits (5 s at most) until the follower has rebuilt its index, stops it, and checks
 * that it rebuilt without stopping on an error. */
static void wait_rebuild_and_stop(struct search_follow *fl)
{
	struct search_follow_stats st = {0};

	for (int i = 0; i < 500 && st.rebuilds == 0; i++) {
		struct timespec ts = {0, 10 * 1000000L};

		nanosleep(&ts, NULL);
		search_follow_stats(fl, &st);
	}
	search_follow_stop(fl);
	assert_true(st.rebuilds >= 1);
	assert_int_equal(st.stopped, 0);
}

/* Past rebuild_at changes the follower rebuilds the index and swaps it in: the new one
 * holds the changes in its image (an empty delta) and is saved where asked. */
static void test_rebuild(void **state)
{
	struct fixture *f = *state;
	struct search_follow *fl = NULL;
	struct search_index_stats ixs;
	struct search_index *saved = NULL;
	struct err e = {0};
	char path[sizeof f->db + 8];
	struct ids id;

	snprintf(path, sizeof path, "%s.idx", f->db);
	/* the changes before the follower starts: its first poll finds them all, so exactly
	 * one rebuild holds them (written while it runs, the last ones could start a second
	 * rebuild that the stop abandons, leaving them in the delta) */
	for (unsigned k = 20; k < 25; k++)
		put(f->s, k, k == 24 ? "CORDONNERIE XAVIER" : "VITRERIE DU PARC", NULL,
		    "LYON 3E ARRONDISSEMENT", "A");
	assert_int_equal(search_follow_start(f->ix, f->db,
	                                     &(struct search_follow_opts){.interval_ms = 20,
	                                                                  .rebuild_at = 3,
	                                                                  .swap = swap_cb,
	                                                                  .swap_ctx = f,
	                                                                  .save_path = path},
	                                     &fl, &e),
	                 ERR_OK);
	wait_rebuild_and_stop(fl);
	make_ids(&id, 24);
	assert_string_equal(first(f->ix, "cordonnerie xavier"), id.siret);
	search_index_stats(f->ix, &ixs);
	assert_true(ixs.delta_docs < 3);
	assert_true(ixs.n_docs >= 12);
	/* the saved file is the rebuilt index */
	assert_int_equal(search_index_open(path, SEARCH_OPEN_VERIFY, &saved, &e), ERR_OK);
	assert_string_equal(first(saved, "cordonnerie xavier"), id.siret);
	search_index_free(saved);
	unlink(path);
}

struct searcher {
	volatile int *stop;
	unsigned runs, failures;
};

static void *search_loop(void *arg)
{
	struct searcher *w = arg;

	while (!*w->stop) {
		struct search_result *r = NULL;
		struct err e = {0};

		if (api_search_run("pharmacie centrale lyon", 10, &r, &e) != ERR_OK || r->n == 0)
			w->failures++;
		search_result_free(r);
		w->runs++;
	}
	return NULL;
}

/* The server's swap: searches keep running on two threads while the index they use is
 * replaced and the old one freed, five times over (under ASan a search still on a
 * freed index would be a use after free); none fails. */
static void test_swap_under_load(void **state)
{
	struct fixture *f = *state;
	volatile int stop = 0;
	struct searcher w[2] = {{&stop, 0, 0}, {&stop, 0, 0}};
	pthread_t t[2];
	struct err e = {0};

	api_set_search_index(f->ix);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, search_loop, &w[i]), 0);
	for (int k = 0; k < 5; k++) {
		struct search_index *fresh = NULL;
		struct timespec ts = {0, 5 * 1000000L};

		nanosleep(&ts, NULL);
		assert_int_equal(search_index_build(f->s, &fresh, &e), ERR_OK);
		assert_ptr_equal(api_swap_search_index(fresh), f->ix);
		search_index_free(f->ix);
		f->ix = fresh;
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_ptr_equal(api_swap_search_index(NULL), f->ix);
	assert_true(w[0].runs + w[1].runs > 5);
	assert_int_equal(w[0].failures + w[1].failures, 0);
	{
		struct search_result *r = NULL;

		assert_int_equal(api_search_run("x", 10, &r, &e), ERR_BUSY);
		assert_null(r);
	}
}

static int count_cb(void *ctx, const char *siret, const struct establishment *est,
                    const struct legal_unit *u)
{
	(void)siret, (void)est, (void)u;
	++*(int *)ctx;
	return 0;
}

/* Pruning: the log keeps no row at or below the mark, an index at the mark still
 * follows, an index behind it is refused (it missed changes for good). */
static void test_pruned(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	int64_t head = 0, mark = 0, last = 0;
	size_t n = 0;

	assert_int_equal(search_follow_apply(f->ix, f->s2, 0, &n, &e), ERR_OK);
	assert_int_equal(store_search_log_head(f->s2, &head, NULL, &e), ERR_OK);
	assert_true(head > 3);
	assert_int_equal(store_search_log_pruned(f->s2, &mark, &e), ERR_OK);
	assert_int_equal(mark, 0);
	assert_int_equal(store_search_log_prune(f->s2, head - 1, &e), ERR_OK);
	assert_int_equal(store_search_log_pruned(f->s2, &mark, &e), ERR_OK);
	assert_int_equal(mark, head - 1);
	/* a lower mark changes nothing */
	assert_int_equal(store_search_log_prune(f->s2, 2, &e), ERR_OK);
	assert_int_equal(store_search_log_pruned(f->s2, &mark, &e), ERR_OK);
	assert_int_equal(mark, head - 1);
	/* only the last row is left */
	int rows = 0;

	assert_int_equal(store_search_changes(f->s2, 0, 100, count_cb, &rows, &last, &e), ERR_OK);
	assert_int_equal(last, head);
	assert_int_equal(rows, 1);
	/* the index is at head: it follows; new changes still reach it */
	put(f->s, 8, "VANNERIE ZACHARIE", NULL, "LYON 3E ARRONDISSEMENT", "A");
	assert_int_equal(search_follow_apply(f->ix, f->s2, 0, &n, &e), ERR_OK);
	assert_true(n >= 1);
	{
		struct ids id8;

		make_ids(&id8, 8);
		assert_string_equal(first(f->ix, "vannerie zacharie"), id8.siret);
	}
	/* an index saved before the mark cannot be brought up to date */
	search_index_set_change_seq(f->ix, (uint64_t)(head - 2));
	assert_int_equal(search_follow_apply(f->ix, f->s2, 0, &n, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "index");
	assert_non_null(strstr(e.msg, "rebuild"));
	assert_int_equal(n, 0);

	/* a running follower that finds the log pruned past its index rebuilds it */
	struct search_follow *fl = NULL;
	struct ids id9;

	assert_int_equal(store_search_log_head(f->s2, &head, NULL, &e), ERR_OK);
	search_index_set_change_seq(f->ix, (uint64_t)head);
	assert_int_equal(search_follow_start(f->ix, f->db,
	                                     &(struct search_follow_opts){.interval_ms = 20,
	                                                                  .swap = swap_cb,
	                                                                  .swap_ctx = f},
	                                     &fl, &e),
	                 ERR_OK);
	search_index_set_change_seq(f->ix, (uint64_t)(mark - 1));
	put(f->s, 9, "MIROITERIE YVONNET", NULL, "LYON 3E ARRONDISSEMENT", "A");
	wait_rebuild_and_stop(fl);
	make_ids(&id9, 9);
	assert_string_equal(first(f->ix, "miroiterie yvonnet"), id9.siret);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_log),
	    cmocka_unit_test(test_apply),
	    cmocka_unit_test(test_thread),
	    cmocka_unit_test(test_rebuild),
	    cmocka_unit_test(test_swap_under_load),
	    cmocka_unit_test(test_pruned),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Unit tests for src/search/query: words, postcodes, identifiers and their correction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/siret.h"
#include "search/query.h"

static int has_candidate(const struct search_query *q, const char *id, char how, int pos)
{
	for (size_t i = 0; i < q->n_cand; i++)
		if (strcmp(q->cand[i].id, id) == 0 && q->cand[i].how == how &&
		    q->cand[i].pos == pos)
			return 1;
	return 0;
}

static void test_words(void **state)
{
	static struct search_query q;

	(void)state;
	assert_int_equal(search_query_parse("SARL Boulangerie de la Gare 69003", &q, NULL), ERR_OK);
	assert_int_equal(q.id_kind, SEARCH_ID_NONE);
	assert_int_equal(q.n, 4); /* "de" and "la" are dropped */
	assert_string_equal(q.w[0].form[0], "sarl");
	assert_true(q.w[0].optional);
	assert_string_equal(q.w[1].form[0], "boulangerie");
	assert_int_equal(q.w[1].budget, 2);
	assert_int_equal(q.w[2].budget, 0); /* "gare": 4 letters, no typo */
	assert_int_equal(q.w[3].kind, SEARCH_WORD_POSTCODE);
	assert_true(q.w[3].prefix); /* the last word may be unfinished */
	assert_false(q.w[1].prefix);

	assert_int_equal(search_query_parse("martin 69 ", &q, NULL), ERR_OK);
	assert_int_equal(q.n, 2);
	assert_int_equal(q.w[1].kind, SEARCH_WORD_DEPARTMENT);
	assert_false(q.w[1].prefix); /* a space after it: finished */
	assert_int_equal(search_query_parse("garage 2A", &q, NULL), ERR_OK);
	assert_int_equal(q.w[1].kind, SEARCH_WORD_DEPARTMENT);
	assert_int_equal(search_query_parse("pharmacie 974", &q, NULL), ERR_OK);
	assert_int_equal(q.w[1].kind, SEARCH_WORD_DEPARTMENT);
	assert_int_equal(search_query_parse("123 rue", &q, NULL), ERR_OK);
	assert_int_equal(q.w[0].kind, SEARCH_WORD_NUMBER);

	/* only legal forms or only stop words: they are what was asked for */
	assert_int_equal(search_query_parse("sas", &q, NULL), ERR_OK);
	assert_int_equal(q.n, 1);
	assert_false(q.w[0].optional);
	assert_int_equal(search_query_parse("de la", &q, NULL), ERR_OK);
	assert_int_equal(q.n, 2);

	assert_int_equal(search_query_parse("st etienne", &q, NULL), ERR_OK);
	assert_int_equal(q.w[0].n_forms, 2);
	assert_string_equal(q.w[0].form[1], "saint");

	assert_int_equal(search_query_parse(NULL, &q, NULL), ERR_INVALID);
	assert_int_equal(search_query_parse("", &q, NULL), ERR_OK);
	assert_int_equal(q.n, 0);
}

static void test_caps(void **state)
{
	static struct search_query q;
	char big[2000];

	(void)state;
	for (size_t i = 0; i + 3 < sizeof big; i += 3)
		memcpy(big + i, "ab ", 3);
	big[sizeof big - 1] = '\0';
	assert_int_equal(search_query_parse(big, &q, NULL), ERR_OK);
	assert_int_equal(q.n, SEARCH_QUERY_WORDS_MAX);
	memset(big, '\xff', sizeof big - 1);
	assert_int_equal(search_query_parse(big, &q, NULL), ERR_OK);
	assert_int_equal(q.n, 0);
}

static void test_siret(void **state)
{
	static struct search_query q;
	char good[15] = "55210055400010", typed[40], bad[15];

	(void)state;
	siret_luhn_complete(good, 14);
	assert_true(siret_valid(good));

	snprintf(typed, sizeof typed, "%.3s %.3s %.3s %.5s", good, good + 3, good + 6, good + 9);
	assert_int_equal(search_query_parse(typed, &q, NULL), ERR_OK);
	assert_int_equal(q.id_kind, SEARCH_ID_SIRET);
	assert_string_equal(q.id, good);
	assert_true(q.id_valid);
	assert_int_equal(q.n_cand, 0);
	assert_int_equal(q.n, 0);

	/* one wrong digit: the right SIRET is among the candidates, at that position */
	memcpy(bad, good, 15);
	bad[4] = bad[4] == '9' ? '0' : (char)(bad[4] + 1);
	assert_false(siret_valid(bad));
	assert_int_equal(search_query_parse(bad, &q, NULL), ERR_OK);
	assert_false(q.id_valid);
	assert_true(has_candidate(&q, good, 'd', 4));
	for (size_t i = 0; i < q.n_cand; i++)
		assert_true(siret_valid(q.cand[i].id));

	/* two neighbours swapped */
	memcpy(bad, good, 15);
	for (int i = 0; i < 13; i++) {
		if (bad[i] == bad[i + 1])
			continue;
		bad[i] = good[i + 1];
		bad[i + 1] = good[i];
		if (!siret_valid(bad)) {
			assert_int_equal(search_query_parse(bad, &q, NULL), ERR_OK);
			assert_true(has_candidate(&q, good, 's', i));
			break;
		}
		memcpy(bad, good, 15);
	}
}

static void test_siren_and_mixed(void **state)
{
	static struct search_query q;
	char siren[10] = "55210055", typed[64];

	(void)state;
	siren[8] = '0';
	siren[9] = '\0';
	siret_luhn_complete(siren, 9);
	assert_true(siret_siren_valid(siren));
	snprintf(typed, sizeof typed, "%.3s %.3s %.3s", siren, siren + 3, siren + 6);
	assert_int_equal(search_query_parse(typed, &q, NULL), ERR_OK);
	assert_int_equal(q.id_kind, SEARCH_ID_SIREN);
	assert_string_equal(q.id, siren);

	/* a SIREN then a postcode: 14 digits, but the SIREN passes and the whole does not */
	snprintf(typed, sizeof typed, "%s 69003", siren);
	assert_int_equal(search_query_parse(typed, &q, NULL), ERR_OK);
	if (q.id_kind == SEARCH_ID_SIREN) {
		assert_int_equal(q.n, 1);
		assert_int_equal(q.w[0].kind, SEARCH_WORD_POSTCODE);
	} else {
		/* only when siren+69003 happens to pass the check too */
		assert_true(q.id_valid);
	}

	snprintf(typed, sizeof typed, "boulangerie %s", siren);
	assert_int_equal(search_query_parse(typed, &q, NULL), ERR_OK);
	assert_int_equal(q.id_kind, SEARCH_ID_SIREN);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.w[0].form[0], "boulangerie");

	/* 12 digits: neither, plain numbers */
	assert_int_equal(search_query_parse("123456 123456", &q, NULL), ERR_OK);
	assert_int_equal(q.id_kind, SEARCH_ID_NONE);
	assert_int_equal(q.n, 2);
}

static void test_candidates_bounds(void **state)
{
	struct search_id_candidate c[SEARCH_ID_CANDIDATES_MAX];

	(void)state;
	/* every neighbour of 00000000000000 (valid itself) */
	assert_true(search_id_candidates("00000000000000", 14, c) <= SEARCH_ID_CANDIDATES_MAX);
	assert_int_equal(search_id_candidates("123", 3, c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_siret),
	    cmocka_unit_test(test_siren_and_mixed),
	    cmocka_unit_test(test_candidates_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

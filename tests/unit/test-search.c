/* Unit tests for src/search: index building from a store, ranking on a hand-made set of
 * establishments, identifiers, the index file (save, load, corruption) and the delta. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/siret.h"
#include "search/search.h"
#include "store/store.h"

struct row {
	const char *name, *acronym, *last, *first, *category; /* legal unit */
	const char *enseigne, *number, *type, *street, *postcode, *commune, *code, *state;
	int head;
	const char *band;
};

/* The hand-made registry; ids below are indexes in this table. */
static const struct row rows[] = {
    /* 0 */ {"BOULANGERIE MARTIN", NULL, NULL, NULL, "PME", NULL, "3", "RUE", "DE LA REPUBLIQUE",
             "69003", "LYON 3E ARRONDISSEMENT", "69383", "A", 1, "03"},
    /* 1 */
    {"BOULANGERIE MARTIN", NULL, NULL, NULL, "PME", NULL, "18", "BD", "VOLTAIRE", "75011",
     "PARIS 11E ARRONDISSEMENT", "75111", "A", 0, "11"},
    /* 2 */
    {"MARTIN ET FILS SARL", NULL, NULL, NULL, "PME", NULL, "1", "PL", "DU GAL DE GAULLE", "13001",
     "MARSEILLE 1ER ARRONDISSEMENT", "13201", "A", 1, "12"},
    /* 3 */
    {"SOCIETE GENERALE", "SG", NULL, NULL, "GE", "SOCIETE GENERALE AGENCE", "12", "BD",
     "DE LA LIBERTE", "42000", "SAINT-ETIENNE", "42218", "A", 0, "11"},
    /* 4 */
    {"CRÊPERIE DU PORT", NULL, NULL, NULL, NULL, "Chez Hélène", "4", "QUAI", "DE LA DOUANE",
     "29200", "BREST", "29019", "A", 1, "01"},
    /* 5 */
    {"ETS DURAND", NULL, NULL, NULL, NULL, NULL, "45", "AV", "JEAN JAURES", "31000", "TOULOUSE",
     "31555", "A", 1, "02"},
    /* 6 */
    {NULL, NULL, "LEFEBVRE", "JEANNE", NULL, "COIFFURE JEANNE", "7", "RUE", "NATIONALE", "59000",
     "LILLE", "59350", "A", 1, "00"},
    /* 7 */
    {"BOULANGERIE DU CENTRE", NULL, NULL, NULL, NULL, NULL, "9", "RUE", "DE LA PAIX", "69003",
     "LYON 3E ARRONDISSEMENT", "69383", "A", 1, "02"},
    /* 8 */
    {"GARAGE DES ALPES", NULL, NULL, NULL, NULL, NULL, "2", "RUE", "DES ALPES", "38000", "GRENOBLE",
     "38185", "F", 1, "11"},
    /* 9 */
    {"GARAGE DES ALPES", NULL, NULL, NULL, NULL, NULL, "60", "AV", "ALSACE LORRAINE", "38000",
     "GRENOBLE", "38185", "A", 1, "01"},
    /* 10 */
    {"MAISON SAINTE MARIE", NULL, NULL, NULL, NULL, NULL, "5", "CHE", "DES CHENES", "69110",
     "STE FOY LES LYON", "69202", "A", 1, "11"},
    /* 11 */
    {"MARTINEZ TRANSPORTS", NULL, NULL, NULL, "PME", NULL, "80", "RUE", "GARIBALDI", "69003",
     "LYON 3E ARRONDISSEMENT", "69383", "A", 1, "21"},
    /* 12 */
    {"BOULANGERIE MARTIN", NULL, NULL, NULL, "PME", "PAIN DE PARIS", "40", "RUE", "DUGUESCLIN",
     "69003", "LYON 3E ARRONDISSEMENT", "69383", "A", 1, "00"},
    /* 13-18: names and communes typed whole and in order beat a bigger establishment
     * (head office, more staff) whose name or commune only contains the words */
    /* 13 */
    {"SCI BERNARD", NULL, NULL, NULL, NULL, NULL, "25", "RUE", "JEAN JAURES", "59980", "BERTRY",
     "59074", "A", 0, "00"},
    /* 14 */
    {"BERNARD SCI", NULL, NULL, NULL, "PME", NULL, "26", "RUE", "DU MOULIN", "59980", "BERTRY",
     "59074", "A", 1, "21"},
    /* 15 */
    {"ARNAUD FRERES", NULL, NULL, NULL, NULL, NULL, "4", "RUE", "DE LA FORET", "02100",
     "SAINT-QUENTIN", "02691", "A", 0, "00"},
    /* 16 */
    {"ARNAUD FRERES", NULL, NULL, NULL, "PME", NULL, "12", "RUE", "ROBERT SCHUMAN", "60510",
     "LE FAY-SAINT-QUENTIN", "60226", "A", 1, "21"},
    /* 17 */
    {"SCI MOULIN", NULL, NULL, NULL, NULL, NULL, "1", "RUE", "VICTOR HUGO", "95150", "TAVERNY",
     "95607", "A", 0, "00"},
    /* 18 */
    {"EARL PETIT", NULL, NULL, NULL, "PME", "LE MOULIN TAVERNY", "3", "RUE", "DE LA PAIX",
     "95150", "TAVERNY", "95607", "A", 1, "21"},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

struct fixture {
	char db[64], file[80];
	struct store *s;
	struct search_index *ix;
	char siret[N_ROWS][15];
	char siren[N_ROWS][10];
};

static struct fixture *fx;

static void make_ids(struct fixture *f, size_t i)
{
	snprintf(f->siren[i], sizeof f->siren[i], "%08zu0", 31415926 + i * 7919);
	siret_luhn_complete(f->siren[i], 9);
	snprintf(f->siret[i], sizeof f->siret[i], "%s%04zu0", f->siren[i], 1 + i);
	siret_luhn_complete(f->siret[i], 14);
}

static void upsert_row(struct store *s, struct fixture *f, size_t i)
{
	const struct row *r = &rows[i];
	char nic[6];
	struct err e = {0};
	struct legal_unit u = {.siren = f->siren[i],
	                       .name = r->name,
	                       .acronym = r->acronym,
	                       .last_name = r->last,
	                       .first_name = r->first,
	                       .company_category = r->category,
	                       .state = "A"};
	struct establishment est = {.siret = f->siret[i],
	                            .siren = f->siren[i],
	                            .nic = nic,
	                            .headcount_band = r->band,
	                            .head_office = r->head,
	                            .street_number = r->number,
	                            .street_type = r->type,
	                            .street_name = r->street,
	                            .postcode = r->postcode,
	                            .commune_name = r->commune,
	                            .commune_code = r->code,
	                            .state = r->state,
	                            .enseigne1 = r->enseigne,
	                            .diffusion = "O"};

	memcpy(nic, f->siret[i] + 9, 6);
	if (store_legal_unit_upsert(s, &u, &e) != ERR_OK ||
	    store_establishment_upsert(s, &est, &e) != ERR_OK)
		fail_msg("upsert %zu: %s %s", i, e.field, e.msg);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err e = {0};
	int fd;

	snprintf(f->db, sizeof f->db, "/tmp/constat-test-search-XXXXXX");
	fd = mkstemp(f->db);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->db);
	snprintf(f->file, sizeof f->file, "%s.idx", f->db);
	assert_int_equal(store_open(f->db, STORE_CREATE, &f->s, &e), ERR_OK);
	assert_int_equal(store_refdata_load(f->s, &e), ERR_OK);
	for (size_t i = 0; i < N_ROWS; i++) {
		make_ids(f, i);
		upsert_row(f->s, f, i);
	}
	if (search_index_build(f->s, &f->ix, &e) != ERR_OK)
		fail_msg("build: %s", e.msg);
	fx = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char side[100];

	search_index_free(f->ix);
	store_close(f->s);
	unlink(f->db);
	unlink(f->file);
	snprintf(side, sizeof side, "%s-wal", f->db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->db);
	unlink(side);
	snprintf(side, sizeof side, "%s.key", f->db); /* the audit key beside it */
	unlink(side);
	free(f);
	return 0;
}

/* The row index of a hit, or -1. */
static int row_of(const struct fixture *f, const struct search_hit *h)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (strcmp(f->siret[i], h->siret) == 0)
			return (int)i;
	return -1;
}

static struct search_result *run(struct search_index *ix, const char *q)
{
	struct search_result *r = NULL;
	struct err e = {0};

	if (search_run(ix, q, 10, &r, &e) != ERR_OK)
		fail_msg("search \"%s\": %s", q, e.msg);
	return r;
}

/* Asserts that the first hit of q is row want. */
static void expect_first(struct search_index *ix, const char *q, int want)
{
	struct search_result *r = run(ix, q);
	int got = r->n > 0 ? row_of(fx, &r->hit[0]) : -1;

	if (got != want)
		fail_msg("\"%s\": first is row %d (%s), expected row %d (%s)", q, got,
		         r->n ? r->hit[0].name : "nothing", want,
		         rows[want].name ? rows[want].name : rows[want].last);
	search_result_free(r);
}

static void test_ranking(void **state)
{
	struct fixture *f = *state;

	expect_first(f->ix, "boulangerie martin", 0);       /* head office first */
	expect_first(f->ix, "BOULANGERIE MARTIN 75011", 1); /* the postcode decides */
	expect_first(f->ix, "boulangerie martin paris", 1); /* the commune decides, not an
	                                                     * enseigne naming it (row 12) */
	expect_first(f->ix, "martin boulangerie lyon", 0);  /* words in another order */
	expect_first(f->ix, "boulangeri martn paris", 1);   /* typos */
	expect_first(f->ix, "bolangerie du centre", 7);
	expect_first(f->ix, "boulangerie mar", 0);       /* unfinished last word */
	expect_first(f->ix, "boulangerie martin 75", 1); /* department */
	expect_first(f->ix, "creperie du port", 4);      /* missing accent */
	expect_first(f->ix, "chez helene", 4);           /* enseigne */
	expect_first(f->ix, "CHEZ HÉLÈNE BREST", 4);
	expect_first(f->ix, "societe generale st etienne", 3); /* abbreviation */
	expect_first(f->ix, "ste generale", 3);                /* "ste": societe or sainte */
	expect_first(f->ix, "ets durand", 5);
	expect_first(f->ix, "etablissements durand toulouse", 5);
	expect_first(f->ix, "durand", 5);
	expect_first(f->ix, "jeanne lefebvre", 6); /* sole trader */
	expect_first(f->ix, "coiffure jeane", 6);
	expect_first(f->ix, "garage des alpes grenoble", 9); /* the active one */
	expect_first(f->ix, "sarl martin et fils marseille", 2);
	expect_first(f->ix, "martin 13001", 2);
	expect_first(f->ix, "place du general de gaulle marseille", 2); /* address */
	expect_first(f->ix, "pl gal de gaulle", 2);
	expect_first(f->ix, "maison sainte marie sainte foy", 10);
	expect_first(f->ix, "sainte foy les lyon", 10);
	expect_first(f->ix, "martinez", 11);
	expect_first(f->ix, "transports martines lyon", 11);
	expect_first(f->ix, "rue de la republique lyon", 0);
	expect_first(f->ix, "chantier rue de la république lyon", 0); /* a word dropped */
}

/* The "whole" criterion: values of the document (a name, an enseigne, a commune) typed
 * whole and in order rank before a bigger establishment that only contains the words. */
static void test_whole_values(void **state)
{
	struct fixture *f = *state;
	struct search_result *r;

	expect_first(f->ix, "sci bernard bertry", 13);
	expect_first(f->ix, "SCI BERNARD BERTRY", 13);
	expect_first(f->ix, "bernard sci bertry", 14);
	expect_first(f->ix, "bernard bertry", 14); /* no order typed: the bigger one */
	expect_first(f->ix, "arnaud freres saint-quentin", 15);
	expect_first(f->ix, "arnaud freres st quentin", 15);
	expect_first(f->ix, "arnaud freres le fay saint quentin", 16);
	expect_first(f->ix, "sci moulin taverny", 17);
	expect_first(f->ix, "le moulin taverny", 18);
	r = run(f->ix, "sci bernard bertry");
	assert_int_equal(r->hit[0].score.whole, 3);
	assert_true(r->n >= 2);
	assert_int_equal(row_of(f, &r->hit[1]), 14);
	assert_int_equal(r->hit[1].score.whole, 1); /* the commune only */
	search_result_free(r);
}

/* An index written section by section to a file is the very image built in memory. */
static void test_write_same_bytes(void **state)
{
	struct fixture *f = *state;
	char other[100];
	struct err e = {0};
	struct search_index *ix = NULL;
	unsigned char *a, *b;
	long na, nb;
	FILE *fp;

	snprintf(other, sizeof other, "%s.2", f->file);
	assert_int_equal(search_index_save(f->ix, f->file, &e), ERR_OK);
	if (search_index_build_file(f->s, other, &e) != ERR_OK)
		fail_msg("build_file: %s", e.msg);
	fp = fopen(f->file, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	na = ftell(fp);
	rewind(fp);
	a = malloc((size_t)na);
	assert_int_equal(fread(a, 1, (size_t)na, fp), (size_t)na);
	fclose(fp);
	fp = fopen(other, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	nb = ftell(fp);
	rewind(fp);
	b = malloc((size_t)nb);
	assert_int_equal(fread(b, 1, (size_t)nb, fp), (size_t)nb);
	fclose(fp);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, (size_t)na);
	assert_int_equal(search_index_open(other, SEARCH_OPEN_VERIFY, &ix, &e), ERR_OK);
	expect_first(ix, "sci bernard bertry", 13);
	search_index_free(ix);
	free(a);
	free(b);
	unlink(other);
}

static void test_match_details(void **state)
{
	struct fixture *f = *state;
	struct search_result *r = run(f->ix, "boulangeri martn 69003");

	assert_true(r->n >= 1);
	assert_int_equal(row_of(f, &r->hit[0]), 0);
	assert_int_equal(r->query.n, 3);
	assert_int_equal(r->hit[0].word_field[0], SEARCH_FIELD_NAME);
	assert_int_equal(r->hit[0].word_typos[0], 1); /* not the last word: not a prefix */
	assert_int_equal(r->hit[0].word_field[1], SEARCH_FIELD_NAME);
	assert_int_equal(r->hit[0].word_typos[1], 1);
	assert_int_equal(r->hit[0].word_field[2], SEARCH_FIELD_COMMUNE);
	assert_int_equal(r->hit[0].score.matched, 3);
	assert_true(r->hit[0].flags & SEARCH_HIT_ACTIVE);
	assert_true(r->hit[0].flags & SEARCH_HIT_HEAD_OFFICE);
	assert_string_equal(r->hit[0].name, "BOULANGERIE MARTIN");
	assert_string_equal(r->hit[0].postcode, "69003");
	assert_string_equal(r->hit[0].address, "3 RUE DE LA REPUBLIQUE");
	/* the hits are in order of the criteria */
	for (size_t i = 1; i < r->n; i++)
		assert_true(r->hit[i].score.matched <= r->hit[i - 1].score.matched);
	search_result_free(r);

	r = run(f->ix, "xyzzyq");
	assert_int_equal(r->n, 0);
	assert_int_equal(r->dropped, 1);
	search_result_free(r);
	r = run(f->ix, "");
	assert_int_equal(r->n, 0);
	search_result_free(r);
	assert_int_equal(search_run(f->ix, "x", 0, &r, NULL), ERR_INVALID);
	assert_null(r);
	assert_int_equal(search_run(f->ix, "x", SEARCH_LIMIT_MAX + 1, &r, NULL), ERR_INVALID);
}

/* Two typos in a word of 5 to 8 letters are tried only when nothing matches every word
 * with the ordinary budget (one typo up to 8 letters). */
static void test_two_typos_short_word(void **state)
{
	struct fixture *f = *state;
	struct search_result *r;

	r = run(f->ix, "drunad toulouse"); /* durand: two swaps */
	assert_true(r->n >= 1);
	assert_int_equal(row_of(f, &r->hit[0]), 5);
	assert_int_equal(r->hit[0].word_typos[0], 2);
	assert_int_equal(r->hit[0].word_field[0], SEARCH_FIELD_NAME);
	assert_int_equal(r->hit[0].score.matched, 2);
	search_result_free(r);

	r = run(f->ix, "drunad "); /* alone, not a prefix */
	assert_true(r->n >= 1);
	assert_int_equal(row_of(f, &r->hit[0]), 5);
	assert_int_equal(r->hit[0].word_typos[0], 2);
	search_result_free(r);

	/* one typo matches: the budget stays at one, no hit carries two */
	r = run(f->ix, "durnad toulouse");
	assert_true(r->n >= 1);
	assert_int_equal(row_of(f, &r->hit[0]), 5);
	assert_int_equal(r->hit[0].word_typos[0], 1);
	for (size_t i = 0; i < r->n; i++)
		assert_true(r->hit[i].word_typos[0] <= 1);
	search_result_free(r);

	/* four letters left by a deletion: one typo, only when nothing else matched */
	r = run(f->ix, "lile coiffure");
	assert_true(r->n >= 1);
	assert_int_equal(row_of(f, &r->hit[0]), 6);
	assert_int_equal(r->hit[0].word_typos[0], 1);
	assert_int_equal(r->hit[0].word_field[0], SEARCH_FIELD_COMMUNE);
	search_result_free(r);

	/* the last word, typed as a prefix, keeps its budget (too many near prefixes) */
	r = run(f->ix, "toulouse drunad");
	for (size_t i = 0; i < r->n; i++)
		assert_true(r->hit[i].word_typos[1] <= 1);
	search_result_free(r);
}

static void test_identifiers(void **state)
{
	struct fixture *f = *state;
	struct search_result *r;
	char typed[40], bad[15];
	const char *s = f->siret[3];
	int found = 0;

	r = run(f->ix, s);
	assert_int_equal(r->n, 1);
	assert_int_equal(row_of(f, &r->hit[0]), 3);
	assert_true(r->hit[0].flags & SEARCH_HIT_SIRET);
	assert_false(r->hit[0].flags & SEARCH_HIT_CORRECTED);
	search_result_free(r);

	snprintf(typed, sizeof typed, "%.3s %.3s %.3s %.5s", s, s + 3, s + 6, s + 9);
	expect_first(f->ix, typed, 3);

	/* each single wrong digit: the right establishment in the top 3, said corrected */
	for (int pos = 0; pos < 14; pos++) {
		memcpy(bad, s, 15);
		bad[pos] = bad[pos] == '7' ? '2' : '7';
		if (siret_valid(bad))
			continue;
		r = run(f->ix, bad);
		found = 0;
		for (size_t i = 0; i < r->n && i < 3; i++)
			if (row_of(f, &r->hit[i]) == 3) {
				found = 1;
				assert_true(r->hit[i].flags & SEARCH_HIT_CORRECTED);
				assert_int_equal(r->hit[i].corrected_pos, pos);
				assert_int_equal(r->hit[i].corrected_how, 'd');
			}
		if (!found)
			fail_msg("%s (digit %d wrong) did not find %s", bad, pos, s);
		search_result_free(r);
	}

	/* SIREN: its establishments */
	r = run(f->ix, f->siren[0]);
	assert_int_equal(r->n, 1);
	assert_int_equal(row_of(f, &r->hit[0]), 0);
	assert_true(r->hit[0].flags & SEARCH_HIT_SIREN);
	search_result_free(r);
}

static void test_file(void **state)
{
	struct fixture *f = *state;
	struct search_index *ix = NULL;
	struct search_result *r;
	struct err e = {0};
	FILE *fp;
	long size;
	unsigned char *img;

	assert_int_equal(search_index_save(f->ix, f->file, &e), ERR_OK);
	assert_int_equal(search_index_open(f->file, SEARCH_OPEN_VERIFY, &ix, &e), ERR_OK);
	expect_first(ix, "boulangerie martin 75011", 1);
	expect_first(ix, "coiffure jeane", 6);
	expect_first(ix, f->siret[5], 5);
	search_index_free(ix);
	ix = NULL;

	fp = fopen(f->file, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	img = malloc((size_t)size);
	assert_int_equal(fread(img, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);

	/* every single byte flipped in the header is refused */
	for (long i = 0; i < 280 && i < size; i++) {
		img[i] ^= 0x40;
		fp = fopen(f->file, "wb");
		fwrite(img, 1, (size_t)size, fp);
		fclose(fp);
		if (search_index_open(f->file, 0, &ix, &e) == ERR_OK)
			fail_msg("a flipped byte at %ld was not noticed", i);
		assert_int_equal(e.code, ERR_INVALID);
		assert_null(ix);
		img[i] ^= 0x40;
	}
	/* a flipped byte in the payload: refused with VERIFY; without it, never a crash */
	for (long i = 280; i < size; i += 37) {
		img[i] ^= 0xA5;
		fp = fopen(f->file, "wb");
		fwrite(img, 1, (size_t)size, fp);
		fclose(fp);
		assert_int_equal(search_index_open(f->file, SEARCH_OPEN_VERIFY, &ix, &e),
		                 ERR_INVALID);
		if (search_index_open(f->file, 0, &ix, &e) == ERR_OK) {
			r = run(ix, "boulangerie martin lyon");
			search_result_free(r);
			r = run(ix, "garage alp");
			search_result_free(r);
			r = run(ix, f->siret[2]);
			search_result_free(r);
			search_index_free(ix);
			ix = NULL;
		}
		img[i] ^= 0xA5;
	}
	/* truncated */
	fp = fopen(f->file, "wb");
	fwrite(img, 1, (size_t)size / 2, fp);
	fclose(fp);
	assert_int_equal(search_index_open(f->file, 0, &ix, &e), ERR_INVALID);
	assert_int_equal(search_index_open("/nonexistent/x.idx", 0, &ix, &e), ERR_NOT_FOUND);
	free(img);
}

static void test_delta(void **state)
{
	struct fixture *f = *state;
	struct search_result *r;
	struct err e = {0};
	char siren[10] = "27182818", siret[15], nic[6];
	struct legal_unit u = {.siren = siren, .name = "PATISSERIE ZÉPHYR", .state = "A"};
	struct establishment est = {.siret = siret,
	                            .siren = siren,
	                            .nic = nic,
	                            .state = "A",
	                            .head_office = 1,
	                            .street_number = "2",
	                            .street_type = "RUE",
	                            .street_name = "DES ROSES",
	                            .postcode = "69003",
	                            .commune_name = "LYON 3E ARRONDISSEMENT",
	                            .commune_code = "69383",
	                            .diffusion = "O"};

	siren[8] = '0';
	siren[9] = '\0';
	siret_luhn_complete(siren, 9);
	snprintf(siret, sizeof siret, "%s00010", siren);
	siret_luhn_complete(siret, 14);
	memcpy(nic, siret + 9, 6);

	/* inserted after the build: found at once, by name, typo and SIRET */
	assert_int_equal(store_legal_unit_upsert(f->s, &u, &e), ERR_OK);
	assert_int_equal(store_establishment_upsert(f->s, &est, &e), ERR_OK);
	assert_int_equal(search_index_update(f->ix, &est, &u, &e), ERR_OK);
	r = run(f->ix, "patisserie zephir lyon");
	assert_true(r->n >= 1);
	assert_string_equal(r->hit[0].siret, siret);
	assert_true(r->hit[0].flags & SEARCH_HIT_DELTA);
	assert_string_equal(r->hit[0].name, "PATISSERIE ZÉPHYR");
	search_result_free(r);
	r = run(f->ix, siret);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->hit[0].siret, siret);
	search_result_free(r);

	/* a changed establishment: the new name finds it, the old one no longer does */
	{
		struct legal_unit u2 = {
		    .siren = f->siren[8], .name = "CARROSSERIE DU VERCORS", .state = "A"};
		struct establishment e2 = {.siret = f->siret[8],
		                           .siren = f->siren[8],
		                           .state = "A",
		                           .head_office = 1,
		                           .postcode = "38000",
		                           .commune_name = "GRENOBLE",
		                           .commune_code = "38185"};

		assert_int_equal(search_index_update(f->ix, &e2, &u2, &e), ERR_OK);
		expect_first(f->ix, "carrosserie vercors", 8);
		r = run(f->ix, "garage des alpes");
		for (size_t i = 0; i < r->n; i++)
			assert_int_not_equal(row_of(f, &r->hit[i]), 8);
		search_result_free(r);
	}

	/* removed */
	assert_int_equal(search_index_remove(f->ix, f->siret[5], &e), ERR_OK);
	r = run(f->ix, "ets durand");
	for (size_t i = 0; i < r->n; i++)
		assert_int_not_equal(row_of(f, &r->hit[i]), 5);
	search_result_free(r);
	r = run(f->ix, f->siret[5]);
	assert_int_equal(r->n, 0);
	search_result_free(r);
	assert_int_equal(search_index_remove(f->ix, "123", &e), ERR_INVALID);

	/* a rebuild folds the change in */
	{
		struct search_index *ix2 = NULL;

		assert_int_equal(search_index_build(f->s, &ix2, &e), ERR_OK);
		r = run(ix2, "patisserie zephyr");
		assert_true(r->n >= 1);
		assert_string_equal(r->hit[0].siret, siret);
		assert_false(r->hit[0].flags & SEARCH_HIT_DELTA);
		search_result_free(r);
		search_index_free(ix2);
	}
}

static void *reader(void *arg)
{
	struct search_index *ix = arg;

	for (int i = 0; i < 200; i++) {
		struct search_result *r = NULL;

		if (search_run(ix, i % 2 ? "boulangerie martin" : "garage alpes", 5, &r, NULL) !=
		        ERR_OK ||
		    r->n == 0)
			return (void *)1;
		search_result_free(r);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	pthread_t t[3];
	void *res;

	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, f->ix), 0);
	for (unsigned i = 0; i < 100; i++) {
		char siret[32];

		snprintf(siret, sizeof siret, "98765432%05u0", i % 100000);
		siret_luhn_complete(siret, 14);
		{
			struct legal_unit u = {.name = "BOULANGERIE CONCURRENTE"};
			struct establishment est = {
			    .siret = siret, .state = "A", .postcode = "69003"};

			assert_int_equal(search_index_update(f->ix, &est, &u, NULL), ERR_OK);
		}
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(t[i], &res), 0);
		assert_null(res);
	}
}

static void test_empty_and_builder(void **state)
{
	struct fixture *f = *state;
	struct search_builder *b = search_builder_new();
	struct search_index *ix = NULL, *ix2 = NULL;
	struct search_result *r;
	struct err e = {0};
	struct establishment bad = {.siret = "12345678901234"};
	struct legal_unit u = {.name = "X"};

	/* an empty registry gives an empty index that saves, opens and answers nothing */
	assert_int_equal(search_builder_add(b, &bad, &u, &e), ERR_INVALID);
	assert_string_equal(e.field, "siret");
	assert_int_equal(search_builder_finish(b, &ix, &e), ERR_OK);
	r = run(ix, "boulangerie martin");
	assert_int_equal(r->n, 0);
	search_result_free(r);
	r = run(ix, f->siret[0]);
	assert_int_equal(r->n, 0);
	search_result_free(r);
	assert_int_equal(search_index_save(ix, f->file, &e), ERR_OK);
	assert_int_equal(search_index_open(f->file, SEARCH_OPEN_VERIFY, &ix2, &e), ERR_OK);
	r = run(ix2, "b");
	assert_int_equal(r->n, 0);
	search_result_free(r);
	/* the delta works on an empty index too */
	{
		struct establishment est = {.siret = f->siret[4], .state = "A"};
		struct legal_unit lu = {.name = "CREPERIE NOUVELLE"};

		assert_int_equal(search_index_update(ix2, &est, &lu, &e), ERR_OK);
		expect_first(ix2, "creperie nouv", 4);
	}
	search_index_free(ix);
	search_index_free(ix2);
	search_builder_free(b);
	search_builder_free(NULL);
	search_index_free(NULL);
}

/* A registry where one word is everywhere ("conseil", "lyon"): such a word is checked
 * on the documents' prefix signatures instead of its postings; unique words find their
 * establishment whatever the common words typed beside them, and a wrong common word
 * still leaves the partial matches. */
#define BIG_DOCS 80000

static void big_word(size_t i, char *w)
{
	/* a distinct 5-letter word per document: "qa" then three letters */
	w[0] = 'q';
	w[1] = 'a';
	w[2] = (char)('a' + i / 676 % 26);
	w[3] = (char)('a' + i / 26 % 26);
	w[4] = (char)('a' + i % 26);
	w[5] = '\0';
	if (i >= 17576)
		w[1] = (char)('b' + i / 17576);
}

static void big_siret(size_t i, char siret[15])
{
	char siren[10];

	snprintf(siren, sizeof siren, "%08zu0", 10000000 + i);
	siret_luhn_complete(siren, 9);
	snprintf(siret, 15, "%s00010", siren);
	siret_luhn_complete(siret, 14);
}

/* Asserts that the first hit of q is big document i, matching `matched` words. */
static void expect_big(struct search_index *ix, const char *q, size_t i, int matched)
{
	struct search_result *r = run(ix, q);
	char siret[15];

	big_siret(i, siret);
	if (r->n == 0 || strcmp(r->hit[0].siret, siret) != 0)
		fail_msg("\"%s\": first is %s (%s, %s: %d words, %d typos), expected %s", q,
		         r->n ? r->hit[0].siret : "nothing", r->n ? r->hit[0].name : "",
		         r->n ? r->hit[0].commune : "", r->n ? r->hit[0].score.matched : 0,
		         r->n ? r->hit[0].score.typos : 0, siret);
	if (matched >= 0)
		assert_int_equal(r->hit[0].score.matched, matched);
	search_result_free(r);
}

static void test_common_words(void **state)
{
	struct search_builder *b = search_builder_new();
	struct search_index *ix = NULL;
	struct search_result *r;
	struct err e = {0};
	static const size_t probe[] = {0, 1, 777, 17576, 40000, BIG_DOCS - 1};

	(void)state;
	for (size_t i = 0; i < BIG_DOCS; i++) {
		char siret[15], name[64], w[8];
		struct legal_unit u = {.name = name};
		struct establishment est = {.siret = siret,
		                            .state = "A",
		                            .postcode = "69003",
		                            .commune_name = i % 2 ? "LYON" : "VILLEURBANNE",
		                            .street_type = "RUE",
		                            .street_name = "DE LA PAIX"};

		big_siret(i, siret);
		big_word(i, w);
		snprintf(name, sizeof name, "CONSEIL %s%s", w, i % 3 ? " DISTRIBUTION" : "");
		if (search_builder_add(b, &est, &u, &e) != ERR_OK)
			fail_msg("add %zu: %s", i, e.msg);
	}
	assert_int_equal(search_builder_finish(b, &ix, &e), ERR_OK);
	for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
		char q[128], w[8];
		size_t i = probe[k];
		const char *place = i % 2 ? "lyon" : "villeurbanne";

		big_word(i, w);
		/* "conseil", "distribution" and the commune are in tens of thousands */
		snprintf(q, sizeof q, "conseil %s %s", w, place);
		expect_big(ix, q, i, 3);
		/* a short prefix typed last: checked on signatures */
		snprintf(q, sizeof q, "%s c", w);
		expect_big(ix, q, i, 2);
		snprintf(q, sizeof q, "%s %s co", w, place);
		expect_big(ix, q, i, 3);
		/* the wrong commune is in half of the documents: the establishment is still
		 * found, matching the two other words (after the unique word's neighbours that
		 * match all three with a typo) */
		snprintf(q, sizeof q, "conseil %s %s ", w, i % 2 ? "villeurbanne" : "lyon");
		{
			struct search_result *rr = NULL;
			char siret[15];
			int found = 0;

			big_siret(i, siret);
			assert_int_equal(search_run(ix, q, SEARCH_LIMIT_MAX, &rr, &e), ERR_OK);
			for (size_t h = 0; h < rr->n; h++)
				if (strcmp(rr->hit[h].siret, siret) == 0) {
					found = 1;
					assert_int_equal(rr->hit[h].score.matched, 2);
					assert_int_equal(rr->hit[h].score.typos, 0);
				}
			if (!found)
				fail_msg("\"%s\" did not find %s", q, siret);
			search_result_free(rr);
		}
	}
	/* common words only: the top is full, every hit matches both */
	r = run(ix, "conseil distribution lyon");
	assert_int_equal(r->n, 10);
	for (size_t k = 0; k < r->n; k++)
		assert_int_equal(r->hit[k].score.matched, 3);
	search_result_free(r);
	/* a typo in the common word: still first */
	expect_big(ix, "consiel qaaab lyon", 1, 3);
	search_index_free(ix);
	search_builder_free(b);
}

/* Two neighbouring digits 0 and 9 swapped keep a valid Luhn sum: a valid SIRET that no
 * establishment has is corrected like one whose check digit fails. */
static void test_valid_swapped_siret(void **state)
{
	struct search_builder *b = search_builder_new();
	struct search_index *ix = NULL;
	struct search_result *r;
	struct err e = {0};
	char siret[15], swapped[15];
	struct legal_unit u = {.name = "ENTREPRISE NEUF ZERO"};
	struct establishment est = {.siret = siret, .state = "A"};

	(void)state;
	snprintf(siret, sizeof siret, "90314159265000"); /* 14 digits; the last completed */
	siret_luhn_complete(siret, 14);
	assert_true(siret_valid(siret));
	memcpy(swapped, siret, sizeof swapped);
	swapped[0] = '0';
	swapped[1] = '9';
	assert_true(siret_valid(swapped));
	assert_int_equal(search_builder_add(b, &est, &u, &e), ERR_OK);
	assert_int_equal(search_builder_finish(b, &ix, &e), ERR_OK);
	r = run(ix, swapped);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->hit[0].siret, siret);
	assert_true(r->hit[0].flags & SEARCH_HIT_CORRECTED);
	assert_int_equal(r->hit[0].corrected_how, 's');
	assert_int_equal(r->hit[0].corrected_pos, 0);
	search_result_free(r);
	r = run(ix, siret); /* as typed: not corrected */
	assert_int_equal(r->n, 1);
	assert_false(r->hit[0].flags & SEARCH_HIT_CORRECTED);
	search_result_free(r);
	search_index_free(ix);
	search_builder_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ranking),
	    cmocka_unit_test(test_whole_values),
	    cmocka_unit_test(test_write_same_bytes),
	    cmocka_unit_test(test_match_details),
	    cmocka_unit_test(test_two_typos_short_word),
	    cmocka_unit_test(test_identifiers),
	    cmocka_unit_test(test_file),
	    cmocka_unit_test(test_delta),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_empty_and_builder),
	    cmocka_unit_test(test_common_words),
	    cmocka_unit_test(test_valid_swapped_siret),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

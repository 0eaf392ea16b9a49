/* Unit tests for src/sirene: import by column name (any order, extra columns, "[ND]"),
 * rejected rows with their line, a missing column, and the export / re-import round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "sirene/sirene.h"
#include "store/store.h"

#define DATA TEST_DATA_DIR "/sirene/"

struct tmp_db {
	char path[64];
	struct store *s;
};

static void db_open(struct tmp_db *d)
{
	struct err e = {0};
	int fd;

	snprintf(d->path, sizeof d->path, "/tmp/constat-test-sirene-XXXXXX");
	fd = mkstemp(d->path);
	assert_true(fd >= 0);
	close(fd);
	d->s = NULL;
	assert_int_equal(store_open(d->path, STORE_CREATE, &d->s, &e), ERR_OK);
	assert_int_equal(store_refdata_load(d->s, &e), ERR_OK);
}

static void db_close(struct tmp_db *d)
{
	char p[80];

	store_close(d->s);
	d->s = NULL;
	unlink(d->path);
	snprintf(p, sizeof p, "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", d->path);
	unlink(p);
}

/* ---- Dump of the registry, one line per establishment ----------------------------- */

static void put(struct buf *b, const char *v)
{
	assert_int_equal(buf_printf(b, "%s|", v ? v : "<null>"), ERR_OK);
}

static int dump_cb(void *ctx, const struct establishment *est, const struct legal_unit *u)
{
	struct buf *b = ctx;

	put(b, est->siret);
	put(b, est->siren);
	put(b, est->nic);
	put(b, est->diffusion);
	put(b, est->created_on);
	put(b, est->headcount_band);
	put(b, est->head_office ? "true" : "false");
	put(b, est->street_number);
	put(b, est->street_repeat);
	put(b, est->street_type);
	put(b, est->street_name);
	put(b, est->address_extra);
	put(b, est->postcode);
	put(b, est->commune_name);
	put(b, est->commune_code);
	put(b, est->state);
	put(b, est->enseigne1);
	put(b, est->enseigne2);
	put(b, est->enseigne3);
	put(b, est->usual_name);
	put(b, est->naf);
	put(b, est->naf_nomenclature);
	if (u) {
		put(b, u->siren);
		put(b, u->name);
		put(b, u->acronym);
		put(b, u->last_name);
		put(b, u->first_name);
		put(b, u->legal_category);
		put(b, u->company_category);
		put(b, u->state);
		put(b, u->head_nic);
	} else {
		put(b, "<no legal unit>");
	}
	assert_int_equal(buf_putc(b, '\n'), ERR_OK);
	return 0;
}

/* The registry as text; caller frees. */
static char *dump(struct store *s)
{
	struct buf b;
	struct err e = {0};

	buf_init(&b, 1 << 20);
	assert_int_equal(store_establishment_each(s, dump_cb, &b, &e), ERR_OK);
	return buf_steal(&b);
}

/* The line of the dump for siret (a copy; caller frees), or NULL. */
static char *dump_line(const char *d, const char *siret)
{
	const char *p = d;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (strncmp(p, siret, 14) == 0 && p[14] == '|') {
			char *out = malloc(n + 1);

			assert_non_null(out);
			memcpy(out, p, n);
			out[n] = '\0';
			return out;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Imports both mixed files; rejects (new memory) receives what was reported. */
static void import_mixed(struct store *s, char **rejects, struct sirene_report *est_rep,
                         struct sirene_report *lu_rep)
{
	size_t len = 0;
	FILE *rj = open_memstream(rejects, &len);
	struct err e = {0};

	assert_non_null(rj);
	assert_int_equal(sirene_import(s, SIRENE_LEGAL_UNITS, DATA "StockUniteLegale-mixed.csv", rj,
	                               lu_rep, &e),
	                 ERR_OK);
	assert_int_equal(sirene_import(s, SIRENE_ESTABLISHMENTS, DATA "StockEtablissement-mixed.csv",
	                               rj, est_rep, &e),
	                 ERR_OK);
	fclose(rj);
}

/* ---- Tests ------------------------------------------------------------------------ */

static void test_import_by_column_name(void **state)
{
	struct tmp_db d;
	struct sirene_report er, lr;
	char *rejects = NULL, *all, *line;

	(void)state;
	db_open(&d);
	import_mixed(d.s, &rejects, &er, &lr);
	assert_int_equal(lr.rows, 5);
	assert_int_equal(lr.imported, 4);
	assert_int_equal(lr.rejected, 1);
	assert_int_equal(er.rows, 11);
	assert_int_equal(er.imported, 6);
	assert_int_equal(er.rejected, 5);

	all = dump(d.s);
	/* Columns found by name whatever their order; extra columns ignored. */
	line = dump_line(all, "55203253400018");
	assert_non_null(line);
	assert_string_equal(line, "55203253400018|552032534|00018|O|1955-01-01|42|true|17|<null>|"
	                          "BD|DE LA VILLE L'EVEQUE|<null>|75008|PARIS|75056|A|<null>|<null>|"
	                          "<null>|<null>|62.01Z|NAFv2|552032534|DANONE|<null>|<null>|<null>|"
	                          "5599|GE|A|00018|");
	free(line);
	/* Quoted values with commas and quotes; the record spanning two lines. */
	line = dump_line(all, "55203253400026");
	assert_non_null(line);
	assert_string_equal(line, "55203253400026|552032534|00026|O|2001-06-15|11|false|3|<null>|"
	                          "PL|DE LA REPUBLIQUE|BATIMENT A, 2E ETAGE|69002|LYON|69123|A|"
	                          "CAFE \"LE ZINC\", LYON|LE ZINC|<null>|ZINC LYON|56.10A|NAFv2|"
	                          "552032534|DANONE|<null>|<null>|<null>|5599|GE|A|00018|");
	free(line);
	/* "[ND]" is absent. */
	line = dump_line(all, "54205118000033");
	assert_non_null(line);
	assert_string_equal(line, "54205118000033|542051180|00033|P|1924-03-28|NN|true|<null>|"
	                          "<null>|<null>|<null>|<null>|<null>|<null>|13055|A|<null>|<null>|"
	                          "<null>|<null>|47.11D|NAFv2|542051180|TOTALENERGIES SE|TTE|<null>|"
	                          "<null>|5599|GE|A|00033|");
	free(line);
	line = dump_line(all, "77567227200017");
	assert_non_null(line);
	assert_non_null(strstr(line, "|12|B|AV|NAPOLEON|<null>|20000|AJACCIO|2A004|A|  ESPACES  |"));
	assert_non_null(strstr(line, "|775672272|<null>|<null>|<null>|<null>|1000|PME|A|00017|"));
	free(line);
	line = dump_line(all, "54205118000041");
	assert_non_null(line);
	assert_non_null(strstr(line, "|false|"));
	assert_non_null(strstr(line, "|RENNES|35238|F|"));
	free(line);
	assert_null(dump_line(all, "13000548100010")); /* rejected by the store's check */
	line = dump_line(all, "35600000000001"); /* La Poste */
	assert_non_null(line);
	free(line);
	free(all);
	free(rejects);
	db_close(&d);
}

static void test_rejects_name_their_line(void **state)
{
	static const char *const expected[] = {
		DATA "StockUniteLegale-mixed.csv:4: siren",
		DATA "StockEtablissement-mixed.csv:6: etablissementSiege: expected true or false",
		DATA "StockEtablissement-mixed.csv:8: siret",
		DATA "StockEtablissement-mixed.csv:9: record: expected 25 fields as in the header, "
		     "found 4",
		DATA "StockEtablissement-mixed.csv:10: nic",
		DATA "StockEtablissement-mixed.csv:12: ",
	};
	struct tmp_db d;
	struct sirene_report er, lr;
	char *rejects = NULL;
	const char *p;
	size_t n_lines = 0;

	(void)state;
	db_open(&d);
	import_mixed(d.s, &rejects, &er, &lr);
	assert_non_null(rejects);
	p = rejects;
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		if (strncmp(p, expected[i], strlen(expected[i])) != 0)
			fail_msg("reject %zu: expected '%s...', got '%.*s'", i, expected[i],
			         (int)(nl - p), p);
		p = nl + 1;
		n_lines++;
	}
	assert_string_equal(p, ""); /* nothing else reported */
	assert_int_equal(n_lines, (size_t)(er.rejected + lr.rejected));
	free(rejects);
	db_close(&d);
}

static void test_missing_column_is_an_error(void **state)
{
	struct tmp_db d;
	struct sirene_report rep;
	struct err e = {0};
	char *all;

	(void)state;
	db_open(&d);
	assert_int_equal(sirene_import(d.s, SIRENE_ESTABLISHMENTS,
	                               DATA "StockEtablissement-missing.csv", NULL, &rep, &e),
	                 ERR_INVALID);
	assert_non_null(strstr(e.msg, "siren"));
	assert_non_null(strstr(e.msg, "etatAdministratifEtablissement"));
	assert_null(strstr(e.msg, "siret,"));
	assert_int_equal(rep.imported, 0);
	all = dump(d.s);
	assert_string_equal(all ? all : "", ""); /* nothing written */
	free(all);
	/* A legal-unit file read as establishments names what is missing too. */
	err_clear(&e);
	assert_int_equal(sirene_import(d.s, SIRENE_ESTABLISHMENTS, DATA "StockUniteLegale-mixed.csv",
	                               NULL, &rep, &e),
	                 ERR_INVALID);
	assert_non_null(strstr(e.msg, "siret"));
	/* And a file that does not exist is an I/O error. */
	assert_int_equal(sirene_import(d.s, SIRENE_LEGAL_UNITS, DATA "no-such-file.csv", NULL, &rep,
	                               &e),
	                 ERR_IO);
	db_close(&d);
}

/* A database error stops the import: here the database is read-only. */
static void test_store_error_stops(void **state)
{
	struct tmp_db d;
	struct store *ro = NULL;
	struct sirene_report rep;
	struct err e = {0};

	(void)state;
	db_open(&d);
	assert_int_equal(store_open(d.path, STORE_READONLY, &ro, &e), ERR_OK);
	assert_int_equal(sirene_import(ro, SIRENE_LEGAL_UNITS, DATA "StockUniteLegale-mixed.csv",
	                               NULL, &rep, &e),
	                 ERR_STORE);
	assert_non_null(strstr(e.msg, "0 rows committed"));
	assert_int_equal(rep.imported, 0);
	store_close(ro);
	db_close(&d);
}

static void test_export_round_trip(void **state)
{
	struct tmp_db a, b;
	struct sirene_report er, lr;
	char dir[] = "/tmp/constat-test-export-XXXXXX";
	char est_path[96], lu_path[96], *rejects = NULL, *before, *after;
	size_t len = 0;
	FILE *rj;
	struct err e = {0};

	(void)state;
	db_open(&a);
	import_mixed(a.s, &rejects, &er, &lr);
	free(rejects);
	rejects = NULL;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sirene_export(a.s, dir, &e), ERR_OK);
	snprintf(est_path, sizeof est_path, "%s/StockEtablissement.csv", dir);
	snprintf(lu_path, sizeof lu_path, "%s/StockUniteLegale.csv", dir);

	db_open(&b);
	rj = open_memstream(&rejects, &len);
	assert_int_equal(sirene_import(b.s, SIRENE_LEGAL_UNITS, lu_path, rj, &lr, &e), ERR_OK);
	assert_int_equal(sirene_import(b.s, SIRENE_ESTABLISHMENTS, est_path, rj, &er, &e), ERR_OK);
	fclose(rj);
	assert_string_equal(rejects, "");
	assert_int_equal(lr.imported, 4);
	assert_int_equal(lr.rejected, 0);
	assert_int_equal(er.imported, 6);
	assert_int_equal(er.rejected, 0);
	before = dump(a.s);
	after = dump(b.s);
	assert_non_null(before);
	assert_string_equal(after, before);

	/* Exporting again over the files replaces them whole, and leaves no temporary. */
	assert_int_equal(sirene_export(b.s, dir, &e), ERR_OK);
	unlink(est_path);
	unlink(lu_path);
	assert_int_equal(rmdir(dir), 0); /* fails if a temporary file was left behind */
	free(before);
	free(after);
	free(rejects);
	db_close(&a);
	db_close(&b);
}

static void test_export_to_missing_dir(void **state)
{
	struct tmp_db d;
	struct err e = {0};

	(void)state;
	db_open(&d);
	assert_int_equal(sirene_export(d.s, "/tmp/constat-no-such-dir/sub", &e), ERR_IO);
	assert_string_equal(e.field, "dir");
	db_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_by_column_name),
		cmocka_unit_test(test_rejects_name_their_line),
		cmocka_unit_test(test_missing_column_is_an_error),
		cmocka_unit_test(test_store_error_stops),
		cmocka_unit_test(test_export_round_trip),
		cmocka_unit_test(test_export_to_missing_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cmd-import-sirene: imports INSEE's SIRENE stock files (StockEtablissement.csv,
 * StockUniteLegale.csv) into a database, telling which file is which from its header. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/csv.h"
#include "sirene/sirene.h"
#include "store/store.h"

/* Tells the kind of a SIRENE file from its header: a siret column makes it a
 * StockEtablissement, else a siren column a StockUniteLegale. */
static enum err_code detect_kind(const char *path, enum sirene_kind *kind, struct err *e)
{
	struct csv_limits lim = {.max_field = 4096, .max_fields = 256, .max_record = 256 * 1024};
	struct csv_reader *r = NULL;
	struct csv_row row;
	struct err ce = {0};
	int has_siret = 0, has_siren = 0;
	enum err_code rc;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return err_set(e, ERR_IO, "file", "cannot open %s: %s", path, strerror(errno));
	if ((rc = csv_open(f, &lim, &r, e)) != ERR_OK)
		goto out;
	if ((rc = csv_next(r, &row, &ce)) != ERR_OK) {
		rc = err_set(e, rc, "file", "%s: %s", path, ce.msg);
		goto out;
	}
	for (size_t i = 0; i < row.n; i++) {
		has_siret |= strcasecmp(row.fields[i], "siret") == 0;
		has_siren |= strcasecmp(row.fields[i], "siren") == 0;
	}
	if (has_siret)
		*kind = SIRENE_ESTABLISHMENTS;
	else if (has_siren)
		*kind = SIRENE_LEGAL_UNITS;
	else
		rc = err_set(e, ERR_INVALID, "file",
		             "%s: neither a StockEtablissement file (no siret column) nor a "
		             "StockUniteLegale file (no siren column)", path);
out:
	csv_free(r);
	fclose(f);
	return rc;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Imports one file and prints its summary line. */
static enum err_code import_one(struct store *s, enum sirene_kind kind, const char *path,
                                FILE *rejects, int64_t *rejected, struct err *e)
{
	struct sirene_report rep = {0};
	struct timespec t0;
	enum err_code rc;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sirene_import(s, kind, path, rejects, &rep, e);
	secs = seconds_since(&t0);
	printf("%s: %s, %lld rows, %lld imported, %lld rejected, %.1f s, %.0f rows/s%s\n", path,
	       kind == SIRENE_ESTABLISHMENTS ? "establishments" : "legal units",
	       (long long)rep.rows, (long long)rep.imported, (long long)rep.rejected, secs,
	       secs > 0 ? (double)rep.rows / secs : 0.0, rc == ERR_OK ? "" : " (stopped)");
	fflush(stdout);
	*rejected += rep.rejected;
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"rejects", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *rejects_path = NULL;
	const char *files[2] = {NULL, NULL};  /* by kind: establishments, legal units */
	struct store *s = NULL;
	FILE *rejects = stderr;
	struct err e = {0};
	int64_t rejected = 0;
	int c, status = CLI_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'r')
			rejects_path = optarg;
		else
			return cli_usage_error(&cmd_import_sirene, "unknown option '%s'", argv[optind - 1]);
	}
	if (db == NULL)
		return cli_usage_error(&cmd_import_sirene, "--db FILE is required");
	if (optind == argc)
		return cli_usage_error(&cmd_import_sirene, "a StockEtablissement.csv or "
		                       "StockUniteLegale.csv file is required");
	if (argc - optind > 2)
		return cli_usage_error(&cmd_import_sirene, "at most two files (one of each kind)");
	for (int i = optind; i < argc; i++) {
		enum sirene_kind kind = SIRENE_ESTABLISHMENTS;

		if (detect_kind(argv[i], &kind, &e) != ERR_OK)
			return cli_fail("import-sirene", &e);
		if (files[kind] != NULL)
			return cli_usage_error(&cmd_import_sirene, "%s and %s are both %s files",
			                       files[kind], argv[i],
			                       kind == SIRENE_ESTABLISHMENTS ? "StockEtablissement"
			                                                     : "StockUniteLegale");
		files[kind] = argv[i];
	}
	if (rejects_path != NULL && (rejects = fopen(rejects_path, "w")) == NULL) {
		err_set(&e, ERR_IO, "rejects", "cannot write %s: %s", rejects_path, strerror(errno));
		return cli_fail("import-sirene", &e);
	}
	if (access(db, F_OK) != 0) {
		err_set(&e, ERR_NOT_FOUND, "db", "%s does not exist (create it with 'constat init --db "
		        "%s')", db, db);
		status = cli_fail("import-sirene", &e);
		goto out;
	}
	if (store_open(db, STORE_BULK, &s, &e) != ERR_OK) {
		status = cli_fail("import-sirene", &e);
		goto out;
	}
	/* Legal units first, so that the establishments find theirs. */
	if ((files[SIRENE_LEGAL_UNITS] &&
	     import_one(s, SIRENE_LEGAL_UNITS, files[SIRENE_LEGAL_UNITS], rejects, &rejected, &e) !=
	         ERR_OK) ||
	    (files[SIRENE_ESTABLISHMENTS] &&
	     import_one(s, SIRENE_ESTABLISHMENTS, files[SIRENE_ESTABLISHMENTS], rejects, &rejected,
	                &e) != ERR_OK)) {
		cli_fail("import-sirene", &e);
		status = CLI_EXIT_FAIL; /* a stopped import is a failure, even on bad data */
		goto out;
	}
	if (rejected > 0)
		status = CLI_EXIT_DATA;
out:
	store_close(s);
	if (rejects != stderr && rejects != NULL && fclose(rejects) != 0 && status == CLI_EXIT_OK) {
		err_set(&e, ERR_IO, "rejects", "cannot write %s", rejects_path);
		status = cli_fail("import-sirene", &e);
	}
	return status;
}

const struct cli_cmd cmd_import_sirene = {
	.name = "import-sirene",
	.summary = "import INSEE's SIRENE stock files (establishments, legal units)",
	.usage =
		"Usage: constat import-sirene --db FILE [--rejects FILE] STOCK.csv [STOCK.csv]\n"
		"\n"
		"Imports INSEE's SIRENE stock files into the database FILE (made by 'constat init'):\n"
		"StockEtablissement.csv (establishments) and/or StockUniteLegale.csv (legal units).\n"
		"Which file is which is told from its header (a siret column: establishments; a\n"
		"siren column without siret: legal units), so they may come in any order; legal\n"
		"units are imported first. Columns are found by their INSEE names in any order;\n"
		"other columns are ignored; a file missing one of the columns Constat keeps is\n"
		"refused. \"[ND]\" (not diffusible) and empty values are stored as absent. Each\n"
		"record is inserted or replaced by its siret / siren, in transactions of 20,000\n"
		"rows, so the import can be run again with a newer stock file.\n"
		"\n"
		"A row that fails validation is skipped and reported as FILE:LINE: field: reason,\n"
		"and the import goes on. A database error stops it: the transaction under way is\n"
		"rolled back and the message says how many rows were committed before.\n"
		"\n"
		"Options:\n"
		"  --db FILE        the database (required)\n"
		"  --rejects FILE   where to write the rejected rows (default: standard error)\n"
		"  -h, --help       this text\n"
		"\n"
		"Prints one line per file: rows read, imported, rejected, time and rows per second.\n"
		"\n"
		"Exit status: 0 every row imported; 3 some rows rejected; 1 failure (cannot read a\n"
		"file, a missing column, a database error); 2 bad command line.\n",
	.run = run,
};

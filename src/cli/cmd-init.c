/* cmd-init: creates a database (schema, reference data, nomenclatures). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct store *s = NULL;
	struct err e = {0};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else
			return cli_usage_error(&cmd_init, "unknown option '%s'", argv[optind - 1]);
	}
	if (db == NULL)
		return cli_usage_error(&cmd_init, "--db FILE is required");
	if (optind < argc)
		return cli_usage_error(&cmd_init, "unexpected argument '%s'", argv[optind]);
	if (store_open(db, STORE_CREATE, &s, &e) != ERR_OK ||
	    store_refdata_load(s, &e) != ERR_OK) {
		store_close(s);
		return cli_fail("init", &e);
	}
	printf("initialised %s (schema %d)\n", db, store_schema_version(s));
	store_close(s);
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_init = {
	.name = "init",
	.summary = "create a database with its schema and reference data",
	.usage = "Usage: constat init --db FILE\n\n"
	         "Creates FILE when missing, brings its schema up to date and loads the\n"
	         "reference data (regions, departments, communes, postcodes, NAF rev.2) and\n"
	         "the default nomenclatures. Running it again is harmless.\n",
	.run = run,
};

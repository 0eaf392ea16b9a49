/* cmd-version: prints the version and the schema version this binary brings. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

#ifndef CONSTAT_VERSION
#define CONSTAT_VERSION "0.1.0"
#endif

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("constat %s (schema %d)\n", CONSTAT_VERSION, store_schema_latest());
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_version = {
	.name = "version",
	.summary = "print the version",
	.usage = "Usage: constat version\n\nPrints the program's version and the database "
	         "schema version it brings.\n",
	.run = run,
};

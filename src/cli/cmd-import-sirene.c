/* cmd-import-sirene: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat import-sirene: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_import_sirene = {
	.name = "import-sirene",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat import-sirene\n",
	.run = run,
};

/* cmd-serve: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat serve: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_serve = {
	.name = "serve",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat serve\n",
	.run = run,
};

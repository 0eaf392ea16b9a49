/* cmd-search: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat search: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_search = {
	.name = "search",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat search\n",
	.run = run,
};

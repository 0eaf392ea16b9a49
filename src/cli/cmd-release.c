/* cmd-release: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat release: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_release = {
	.name = "release",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat release\n",
	.run = run,
};

/* cmd-user: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat user: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_user = {
	.name = "user",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat user\n",
	.run = run,
};

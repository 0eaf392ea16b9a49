/* cmd-generate: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat generate: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_generate = {
	.name = "generate",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat generate\n",
	.run = run,
};

/* cmd-demo: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat demo: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat demo\n",
	.run = run,
};

/* cmd-audit: placeholder, being written. */
#include <stdio.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("constat audit: not implemented yet\n", stderr);
	return CLI_EXIT_FAIL;
}

const struct cli_cmd cmd_audit = {
	.name = "audit",
	.summary = "(not implemented yet)",
	.usage = "Usage: constat audit\n",
	.run = run,
};

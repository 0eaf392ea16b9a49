/* cmd-ilo: PLACEHOLDER, replaced by the ILO report command. */
#include "cli/cli.h"

static int run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return CLI_EXIT_USAGE;
}

const struct cli_cmd cmd_ilo = {
    .name = "ilo-report",
    .usage = "ilo-report --db FILE --year YYYY [--format html|pdf|xlsx] --out FILE",
    .summary = "the ILO Convention 81 annual report",
    .run = run,
};

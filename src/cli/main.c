/* constat: the command-line entry point. Dispatches to the subcommands from a table. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const struct cli_cmd *const cli_commands[] = {
	&cmd_init,
	&cmd_generate,
	&cmd_import_sirene,
	&cmd_user,
	&cmd_token,
	&cmd_backup,
	&cmd_restore,
	&cmd_purge,
	&cmd_audit_verify,
	&cmd_serve,
	&cmd_search,
	&cmd_release,
	&cmd_audit,
	&cmd_ilo,
	&cmd_demo,
	&cmd_version,
	&cmd_help,
	NULL,
};

static int run_help(int argc, char **argv)
{
	if (argc > 1) {
		for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
			if (strcmp((*c)->name, argv[1]) == 0) {
				fputs((*c)->usage, stdout);
				return CLI_EXIT_OK;
			}
		}
		fprintf(stderr, "constat help: unknown command '%s'\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	fputs("Usage: constat COMMAND [OPTIONS]\n\n"
	      "Constat records labour inspection activity, finds workplaces, and publishes\n"
	      "figures that identify no one.\n\nCommands:\n", stdout);
	for (const struct cli_cmd *const *c = cli_commands; *c; c++)
		printf("  %-14s %s\n", (*c)->name, (*c)->summary);
	fputs("\n'constat COMMAND --help' describes one command.\n\n"
	      "Exit codes: 0 success, 1 the operation failed, 2 bad command line,\n"
	      "3 input data rejected, 4 not allowed.\n", stdout);
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_help = {
	.name = "help",
	.summary = "list the commands, or describe one",
	.usage = "Usage: constat help [COMMAND]\n",
	.run = run_help,
};

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2)
		return run_help(1, argv), CLI_EXIT_USAGE;
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	if (strcmp(name, "--version") == 0)
		name = "version";
	for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
		if (strcmp((*c)->name, name) != 0)
			continue;
		if (cli_wants_help(*c, argc - 1, argv + 1))
			return CLI_EXIT_OK;
		return (*c)->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "constat: unknown command '%s' (see 'constat help')\n", name);
	return CLI_EXIT_USAGE;
}

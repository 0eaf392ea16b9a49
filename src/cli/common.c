/* cli/common: error printing and help shared by the subcommands. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_fail(const char *name, const struct err *e)
{
	char text[ERR_FIELD_MAX + ERR_MSG_MAX + 8];

	fprintf(stderr, "constat %s: %s\n", name, err_text(e, text, sizeof text));
	switch (e->code) {
	case ERR_INVALID:
	case ERR_TOO_BIG:
		return CLI_EXIT_DATA;
	case ERR_DENIED:
	case ERR_AUTH:
		return CLI_EXIT_DENIED;
	default:
		return CLI_EXIT_FAIL;
	}
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "constat %s: %s (see 'constat %s --help')\n", cmd->name, msg, cmd->name);
	return CLI_EXIT_USAGE;
}

int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(cmd->usage, stdout);
			return 1;
		}
	}
	return 0;
}

/* cli: the command-line tool. Each subcommand lives in cmd-NAME.c and exports one
 * struct cli_cmd; main.c dispatches from a table of them. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include "core/err.h"

/* Documented exit codes (docs/CLI.md and `constat help`). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,     /* the operation failed (I/O, database, not found...) */
	CLI_EXIT_USAGE = 2,    /* bad command line */
	CLI_EXIT_DATA = 3,     /* input data rejected (invalid value, some rows rejected) */
	CLI_EXIT_DENIED = 4,   /* not allowed */
};

struct cli_cmd {
	const char *name;
	const char *summary;   /* one line, for `constat help` */
	const char *usage;     /* full help text, for `constat NAME --help` */
	/* argv[0] is the subcommand's name; returns an enum cli_exit. */
	int (*run)(int argc, char **argv);
};

extern const struct cli_cmd cmd_init, cmd_generate, cmd_import_sirene, cmd_user, cmd_token, cmd_backup,
	cmd_restore, cmd_purge, cmd_audit_verify, cmd_serve,
	cmd_search, cmd_release, cmd_audit, cmd_ilo, cmd_demo, cmd_version, cmd_help;

/* The table main.c dispatches from (NULL-terminated), for help listings. */
extern const struct cli_cmd *const cli_commands[];

/* Prints "constat NAME: MESSAGE" on stderr (one line) and returns the exit code that
 * fits e->code. */
int cli_fail(const char *name, const struct err *e);
/* Prints "constat NAME: MESSAGE" and a hint to use --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* 1 when argv holds -h or --help (then the usage has been printed on stdout). */
int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv);

#endif

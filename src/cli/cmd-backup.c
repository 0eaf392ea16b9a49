/* cmd-backup: a consistent online copy of the database while the server runs. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"out", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *out = NULL;
	struct store *s = NULL;
	struct err e = {0};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return cli_usage_error(&cmd_backup, "unknown option '%s'", argv[optind - 1]);
	}
	if (db == NULL || out == NULL || optind < argc)
		return cli_usage_error(&cmd_backup, "--db FILE and --out FILE are required");
	if (store_open(db, STORE_READONLY, &s, &e) != ERR_OK || store_backup(s, out, &e) != ERR_OK) {
		store_close(s);
		return cli_fail("backup", &e);
	}
	store_close(s);
	printf("backup of %s written to %s (audit key in %s.key)\n", db, out, out);
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_backup = {
	.name = "backup",
	.summary = "copy the live database consistently (online)",
	.usage = "Usage: constat backup --db FILE --out BACKUP\n\n"
	         "Writes a consistent copy of FILE to BACKUP (which must not exist) while the\n"
	         "server goes on serving and writing, with the SQLite online backup API; the\n"
	         "audit key is copied to BACKUP.key. Keep both: the key is what proves the audit\n"
	         "trail intact ('constat audit-verify').\n",
	.run = run,
};

/* cmd-restore: checks a backup and restores it as the database. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"from", required_argument, NULL, 'f'},
		{"force", no_argument, NULL, 'F'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *from = NULL;
	struct store *s = NULL;
	struct store_audit_report r;
	struct err e = {0};
	int c, force = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'f')
			from = optarg;
		else if (c == 'F')
			force = 1;
		else
			return cli_usage_error(&cmd_restore, "unknown option '%s'", argv[optind - 1]);
	}
	if (db == NULL || from == NULL || optind < argc)
		return cli_usage_error(&cmd_restore, "--from BACKUP and --db FILE are required");
	if (store_restore(from, db, force, &e) != ERR_OK)
		return cli_fail("restore", &e);
	/* Opening brings the schema up to date; the audit chain is checked at once. */
	if (store_open(db, 0, &s, &e) != ERR_OK || store_audit_verify(s, &r, &e) != ERR_OK) {
		store_close(s);
		return cli_fail("restore", &e);
	}
	store_close(s);
	printf("restored %s from %s; audit trail: %lld entries, %s\n", db, from,
	       (long long)r.entries, r.first_bad_id ? r.problem : "intact");
	return r.first_bad_id ? CLI_EXIT_DATA : CLI_EXIT_OK;
}

const struct cli_cmd cmd_restore = {
	.name = "restore",
	.summary = "check a backup and restore it",
	.usage = "Usage: constat restore --from BACKUP --db FILE [--force]\n\n"
	         "Checks BACKUP (integrity, schema version) and copies it to FILE, with its\n"
	         "audit key; FILE must not exist unless --force is given. Stop the server\n"
	         "before restoring over its database. Then verifies the audit trail; exits 3\n"
	         "when the trail of the backup is not intact.\n",
	.run = run,
};

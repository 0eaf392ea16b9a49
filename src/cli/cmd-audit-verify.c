/* cmd-audit-verify: checks the audit trail's hash chain. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct store *s = NULL;
	struct store_audit_report r;
	struct err e = {0};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else
			return cli_usage_error(&cmd_audit_verify, "unknown option '%s'", argv[optind - 1]);
	}
	if (db == NULL || optind < argc)
		return cli_usage_error(&cmd_audit_verify, "--db FILE is required");
	if (store_open(db, STORE_READONLY, &s, &e) != ERR_OK || store_audit_verify(s, &r, &e) != ERR_OK) {
		store_close(s);
		return cli_fail("audit-verify", &e);
	}
	store_close(s);
	if (r.first_bad_id) {
		fprintf(stderr, "constat audit-verify: the audit trail was tampered with: %s\n",
		        r.problem);
		return CLI_EXIT_DATA;
	}
	printf("audit trail intact: %lld entries", (long long)r.entries);
	if (r.unsealed)
		printf(" (%lld written before the chain existed)", (long long)r.unsealed);
	printf("\n");
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_audit_verify = {
	.name = "audit-verify",
	.summary = "check that the audit trail was not changed",
	.usage = "Usage: constat audit-verify --db FILE\n\n"
	         "Recomputes the keyed hash chain of the audit trail with the key in FILE.key\n"
	         "and reports the first entry changed, removed or moved. Exits 0 when the\n"
	         "trail is intact, 3 when it was tampered with.\n",
	.run = run,
};

/* cmd-audit: re-runs the disclosure audit of a frozen release and prints the narrowest
 * intervals an attacker can deduce. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "stats/stats.h"
#include "store/store.h"

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"release", required_argument, NULL, 'r'},
	    {"show", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct stats_rules rules;
	const char *db = NULL, *rel = NULL;
	long long id = 0, show = 20;
	struct store *s = NULL;
	struct err e = {0};
	int c, passed = 0;
	char *end;
	enum err_code rc;

	if (cli_wants_help(&cmd_audit, argc, argv))
		return CLI_EXIT_OK;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'r')
			rel = optarg;
		else if (c == 's') {
			show = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || show < 0 || show > 100000)
				return cli_usage_error(&cmd_audit, "--show: expected 0 to 100000");
		} else
			return cli_usage_error(&cmd_audit, "unknown option '%s'", argv[optind - 1]);
	}
	if (db == NULL || rel == NULL)
		return cli_usage_error(&cmd_audit, "--db FILE and --release ID are required");
	id = strtoll(rel, &end, 10);
	if (*rel == '\0' || *end != '\0' || id < 1)
		return cli_usage_error(&cmd_audit, "--release: expected a release id (a number)");
	if (optind < argc)
		return cli_usage_error(&cmd_audit, "unexpected argument '%s'", argv[optind]);
	stats_rules_default(&rules);
	if (store_open(db, STORE_READONLY, &s, &e) != ERR_OK)
		return cli_fail("audit", &e);
	rc = stats_release_audit(s, (int64_t)id, &rules, (size_t)show, stdout, &passed, &e);
	store_close(s);
	if (rc != ERR_OK)
		return cli_fail("audit", &e);
	printf("audit: %s\n", passed ? "passed" : "FAILED: some sensitive cells are too narrow");
	return passed ? CLI_EXIT_OK : CLI_EXIT_DENIED;
}

const struct cli_cmd cmd_audit = {
    .name = "audit",
    .summary = "re-run the disclosure audit of a release",
    .usage = "Usage: constat audit --db FILE --release ID [--show N]\n\n"
             "Rebuilds the linear system of everything published up to release ID (its\n"
             "year), solves min and max programs for each sensitive hidden cell, and prints\n"
             "the N narrowest intervals (default 20). Exit 0 when every interval is wide\n"
             "enough, 4 otherwise. A cell of an earlier release as narrow over the earlier\n"
             "releases alone is listed as \"old\" and passes: this release adds nothing to\n"
             "what they gave away.\n",
    .run = run,
};

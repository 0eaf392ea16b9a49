/* cmd-release: computes, protects, audits and freezes a month's statistical release. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "stats/stats.h"
#include "store/store.h"

static int int_opt(const char *s, int min, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"month", required_argument, NULL, 'm'},
	    {"closing-days", required_argument, NULL, 'c'},
	    {"threshold", required_argument, NULL, 't'},
	    {"p", required_argument, NULL, 'p'},
	    {"breakdown-agents", required_argument, NULL, 'b'},
	    {"breakdown-agents-region", required_argument, NULL, 'r'},
	    {"new-version", no_argument, NULL, 'n'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const levels[4] = {"national", "region", "department", "unit"};
	struct stats_release_opts o = {0};
	struct stats_release_result res;
	const char *db = NULL;
	struct store *s = NULL;
	struct err e = {0};
	int c, quiet = 0;
	enum err_code rc;

	if (cli_wants_help(&cmd_release, argc, argv))
		return CLI_EXIT_OK;
	stats_rules_default(&o.rules);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'm':
			o.month = optarg;
			break;
		case 'c':
			if (int_opt(optarg, 0, 366, &o.rules.closing_days) != 0)
				return cli_usage_error(&cmd_release,
				                       "--closing-days: expected 0 to 366");
			break;
		case 't':
			if (int_opt(optarg, STATS_MIN_THRESHOLD, 1000, &o.rules.threshold) != 0)
				return cli_usage_error(&cmd_release,
				                       "--threshold: expected %d to 1000",
				                       STATS_MIN_THRESHOLD);
			break;
		case 'p':
			if (int_opt(optarg, 1, 100, &o.rules.p_percent) != 0)
				return cli_usage_error(&cmd_release, "--p: expected 1 to 100");
			break;
		case 'b':
			if (int_opt(optarg, 0, 100000, &o.rules.breakdown_agents) != 0)
				return cli_usage_error(&cmd_release,
				                       "--breakdown-agents: expected 0 to 100000");
			break;
		case 'r':
			if (int_opt(optarg, 0, 100000, &o.rules.breakdown_agents_region) != 0)
				return cli_usage_error(&cmd_release,
				                       "--breakdown-agents-region: expected 0 to 100000");
			break;
		case 'n':
			o.force_version = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return cli_usage_error(&cmd_release, "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (db == NULL || o.month == NULL)
		return cli_usage_error(&cmd_release, "--db FILE and --month YYYY-MM are required");
	if (optind < argc)
		return cli_usage_error(&cmd_release, "unexpected argument '%s'", argv[optind]);
	o.log = quiet ? NULL : stderr;
	if (store_open(db, 0, &s, &e) != ERR_OK)
		return cli_fail("release", &e);
	rc = stats_release_run(s, &o, &res, &e);
	if (rc == ERR_OK && !res.unchanged) {
		char id[24];

		snprintf(id, sizeof id, "%lld", (long long)res.id);
		rc = store_audit_append(s, 0, "stats.release", "release", id, 0, o.month, &e);
	}
	store_close(s);
	if (rc != ERR_OK)
		return cli_fail("release", &e);
	if (res.unchanged) {
		printf("%s: nothing changed since version %d (release %lld)\n", o.month,
		       res.version, (long long)res.id);
		return CLI_EXIT_OK;
	}
	printf("release %lld: %s version %d, %zu cells, %zu secret (%zu primary), %zu audited "
	       "(%zu LP, %zu integer programs), %.1f s\n",
	       (long long)res.id, o.month, res.version, res.n_cells, res.n_secret, res.n_primary,
	       res.n_audited, res.n_lp, res.n_mip, res.seconds);
	if (res.n_earlier)
		printf("  warning: %zu cells of earlier releases are given away by them alone (this "
		       "one adds nothing): constat audit --release %lld lists them as \"old\"\n",
		       res.n_earlier, (long long)res.id);
	/* the share of secrets among the cells the design publishes, as docs/STATISTICS.md
	 * reports it; the breakdowns of small units (published by quarter) apart */
	for (int l = 0; l < 4; l++) {
		size_t shown = res.n_cells_level[l] - res.n_design_level[l];
		size_t secret = res.n_secret_level[l] - res.n_design_level[l];

		printf("  %-10s %7zu cells %6zu secret (%.1f %%), %6zu more by quarter only\n",
		       levels[l], shown, secret, shown ? 100.0 * (double)secret / (double)shown : 0.0,
		       res.n_design_level[l]);
	}
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_release = {
    .name = "release",
    .summary = "compute, protect, audit and freeze a month's statistics",
    .usage = "Usage: constat release --db FILE --month YYYY-MM [--closing-days N]\n"
             "                       [--threshold N] [--p N] [--breakdown-agents N]\n"
             "                       [--breakdown-agents-region N]\n"
             "                       [--new-version] [--quiet]\n\n"
             "Builds every table of the catalogue (docs/STATISTICS.md) for the month, the\n"
             "year to date and the quarter when complete, at the national, region,\n"
             "department and control-unit levels; hides the cells that could identify an\n"
             "agent and enough others that none can be computed from what is published\n"
             "(this release and the earlier ones of the year); audits it with linear and\n"
             "integer programs; freezes it only when the audit passes (exit 4 otherwise).\n"
             "A month is released --closing-days (default 15) after its end, months of a\n"
             "year in order; releasing a month again gives a new version when late entries\n"
             "changed it. --threshold (default 3, never below) is the minimum number of\n"
             "agents in a non-zero cell, --p (default 25) the p% dominance rule.\n"
             "--breakdown-agents (default 20; 0: none) is the size under which a unit's\n"
             "breakdowns are published by quarter only (its month and year to date give\n"
             "totals); --breakdown-agents-region (default 40) the same for a region and a\n"
             "department alone in its region. Prints the secret cells per level among the\n"
             "cells published.\n",
    .run = run,
};

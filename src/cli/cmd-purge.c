/* cmd-purge: applies the retention rules (décret 2022-771 by default; per country through
 * the settings retention.case_years, retention.case_years_pv, retention.staff_years). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/date.h"
#include "store/store.h"

/* Parses a number of years (1 to 100); -1 when it is not one. */
static int parse_years(const char *v)
{
	char *end;
	long n = v ? strtol(v, &end, 10) : -1;

	return v && *v && *end == '\0' && n >= 1 && n <= 100 ? (int)n : -1;
}

/* The years from the option when given, else from the setting key, else dflt. */
static int years(struct store *s, const char *opt, const char *key, int dflt)
{
	char *v = NULL;
	int n = dflt;

	if (opt)
		return parse_years(opt);
	if (store_meta_get(s, key, &v, NULL) == ERR_OK) {
		n = parse_years(v);
		free(v);
	}
	return n;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"dry-run", no_argument, NULL, 'n'},
		{"case-years", required_argument, NULL, 'c'},
		{"case-years-pv", required_argument, NULL, 'p'},
		{"staff-years", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *oc = NULL, *op = NULL, *os = NULL;
	struct store_retention r = {0};
	struct store_purge_report rep;
	char today[DATE_ISO_LEN];
	struct store *s = NULL;
	struct err e = {0};
	int c, dry = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': dry = 1; break;
		case 'c': oc = optarg; break;
		case 'p': op = optarg; break;
		case 's': os = optarg; break;
		default:
			return cli_usage_error(&cmd_purge, "unknown option or missing value in '%s'",
			                       argv[optind - 1]);
		}
	}
	if (db == NULL || optind < argc)
		return cli_usage_error(&cmd_purge, "--db FILE is required");
	if (store_open(db, 0, &s, &e) != ERR_OK)
		return cli_fail("purge", &e);
	r.case_years = years(s, oc, "retention.case_years", 6);
	r.case_years_pv = years(s, op, "retention.case_years_pv", 10);
	r.staff_years = years(s, os, "retention.staff_years", 10);
	r.today = date_format(date_today(), today);
	if (r.case_years < 0 || r.case_years_pv < 0 || r.staff_years < 0) {
		store_close(s);
		return cli_usage_error(&cmd_purge, "years: expected whole numbers from 1 to 100");
	}
	if (store_purge(s, &r, dry, &rep, &e) != ERR_OK ||
	    (!dry && store_audit_append(s, 0, "purge", NULL, NULL, 0, NULL, &e) != ERR_OK)) {
		store_close(s);
		return cli_fail("purge", &e);
	}
	store_close(s);
	printf("%s (as of %s; kept %d years, %d with a procès-verbal, staff %d years):\n",
	       dry ? "would remove" : "removed", today, r.case_years, r.case_years_pv,
	       r.staff_years);
	printf("  interventions        %lld (with %lld follow-ups)\n", (long long)rep.interventions,
	       (long long)rep.followups);
	printf("  worksites            %lld\n", (long long)rep.worksites);
	printf("  staff made anonymous %lld\n", (long long)rep.agents);
	printf("  kept while under appeal: %lld interventions past their time\n",
	       (long long)rep.kept_for_appeal);
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_purge = {
	.name = "purge",
	.summary = "apply the retention rules (what the decree says to delete)",
	.usage = "Usage: constat purge --db FILE [--dry-run] [--case-years N]\n"
	         "                     [--case-years-pv N] [--staff-years N]\n\n"
	         "Removes the case records past their retention time: by default 6 years after\n"
	         "the intervention, 10 where a procès-verbal was drawn up, and never while a\n"
	         "follow-up is under appeal; staff data 10 years after the agent's last\n"
	         "assignment ended (the account becomes anonymous). Released statistics and the\n"
	         "audit trail stay. The defaults come from the settings retention.case_years,\n"
	         "retention.case_years_pv and retention.staff_years when they are set (per\n"
	         "country), then from the options. --dry-run reports without removing.\n",
	.run = run,
};

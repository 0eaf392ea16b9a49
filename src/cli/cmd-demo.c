/* cmd-demo: prepares the demonstration database (synthetic data, demo-only passwords,
 * the statistics of every closed month released) and prints what it holds and how to log
 * in. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "domain/password.h"
#include "gen/gen.h"
#include "stats/stats.h"
#include "store/store.h"

/* A password for demonstrations only: printed by this command, never for real use. */
#define DEMO_PASSWORD "demo-constat"

static const struct {
	const char *key;
	const char *what;
} demo_accounts[] = {
	{"demo.login.agent", "control agent"},
	{"demo.login.unit_manager", "control-unit manager"},
	{"demo.login.region_manager", "regional manager"},
	{"demo.login.analyst", "analyst"},
	{"demo.login.admin", "administrator"},
};

static enum err_code create(const char *db, enum gen_scale scale, uint64_t seed, struct err *e)
{
	struct gen_options o = {.scale = scale, .seed = seed, .progress = stderr};
	struct store *s = NULL;
	enum err_code rc;

	if ((rc = store_open(db, STORE_CREATE | STORE_BULK, &s, e)) == ERR_OK &&
	    (rc = store_refdata_load(s, e)) == ERR_OK)
		rc = gen_run(s, &o, e);
	store_close(s);
	if (rc != ERR_OK)
		unlink(db);
	return rc;
}

/* Sets the demo password on each demo account and prints the logins. */
static enum err_code accounts(struct store *s, struct err *e)
{
	char hash[PASSWORD_HASH_MAX];
	enum err_code rc = password_hash(DEMO_PASSWORD, hash, e);

	if (rc != ERR_OK)
		return rc;
	puts("Demo accounts (demo-only password: " DEMO_PASSWORD "):");
	for (size_t i = 0; i < sizeof demo_accounts / sizeof demo_accounts[0]; i++) {
		char *login = NULL;

		if ((rc = store_meta_get(s, demo_accounts[i].key, &login, e)) != ERR_OK)
			return rc;
		rc = store_agent_set_password(s, login, hash, e);
		if (rc == ERR_OK)
			printf("  %-22s %s\n", demo_accounts[i].what, login);
		free(login);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* ---- Statistical releases -------------------------------------------------------------- */

/* Releases, as the server's release job does (stats_release_due: the same library call
 * and audit entry as `constat release`), every closed month of the current year (of the
 * previous year while no month of this one is closed) not released yet, and prints one
 * line each. A refusal or a failure is printed and the demo goes on: later months wait
 * (the months of a year are released in order). */
static void release_closed(struct store *s)
{
	struct stats_rules rules;
	struct err e = {0};
	int y, m, d, made = 0;
	int32_t today = date_today();

	stats_rules_default(&rules);
	date_to_ymd(today, &y, &m, &d);
	/* the first month of the year closes closing_days after January 31 */
	if (today < date_from_ymd(y, 1, 31) + 1 + rules.closing_days)
		y--;
	printf("\nStatistics of %d (a month is released %d days after its end):\n", y,
	       rules.closing_days);
	fflush(stdout);
	if (stats_release_due(s, &rules, y, stdout, NULL, &made, &e) != ERR_OK)
		printf("  stopped: %s%s%s (later months wait for this one)\n", e.field,
		       e.field[0] ? ": " : "", e.msg);
	else if (made == 0)
		printf("  nothing new to release: the closed months are released already\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"scale", required_argument, NULL, 'S'},
		{"seed", required_argument, NULL, 's'},
		{"no-release", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	enum gen_scale scale = GEN_SMALL;
	uint64_t seed = 1;
	struct store_count counts[32];
	struct store *s = NULL;
	struct err e = {0};
	size_t n = 0;
	char *end;
	int c, release = 1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'S':
			if (gen_scale_parse(optarg, &scale) != 0)
				return cli_usage_error(&cmd_demo, "--scale: expected tiny, small or national");
			break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || optarg[0] == '-')
				return cli_usage_error(&cmd_demo, "--seed: expected a whole number");
			break;
		case 'n':
			release = 0;
			break;
		default:
			return cli_usage_error(&cmd_demo, "unknown option or missing value in '%s'",
			                       argv[optind - 1]);
		}
	}
	if (db == NULL)
		return cli_usage_error(&cmd_demo, "--db FILE is required");
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "constat demo: generating the demonstration database %s\n", db);
		if (create(db, scale, seed, &e) != ERR_OK)
			return cli_fail("demo", &e);
	}
	if (store_open(db, 0, &s, &e) != ERR_OK || store_begin(s, &e) != ERR_OK ||
	    accounts(s, &e) != ERR_OK || store_commit(s, &e) != ERR_OK) {
		store_close(s);
		return cli_fail("demo", &e);
	}
	if (release)
		release_closed(s);
	if (store_summary(s, counts, 32, &n, &e) != ERR_OK) {
		store_close(s);
		return cli_fail("demo", &e);
	}
	printf("\nThe database %s holds:\n", db);
	for (size_t i = 0; i < n; i++)
		printf("  %-20s %12" PRId64 "\n", counts[i].what, counts[i].n);
	store_close(s);
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.summary = "prepare the demonstration database and print its logins",
	.usage = "Usage: constat demo --db FILE [--scale tiny|small|national] [--seed N]\n"
	         "                    [--no-release]\n\n"
	         "Generates FILE with synthetic data when it does not exist (scale small by\n"
	         "default), sets the demo-only password on the demo accounts, releases the\n"
	         "statistics of every closed month of the current year not released yet (in\n"
	         "order, as `constat release` does; --no-release skips it; the clock is\n"
	         "CONSTAT_TODAY when set), and prints the logins, the months released and what\n"
	         "the database holds. Never use it on real data.\n",
	.run = run,
};

/* cmd-demo: prepares the demonstration database (synthetic data, demo-only passwords,
 * the statistics of every closed month released) and prints what it holds and how to log
 * in. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "domain/password.h"
#include "gen/gen.h"
#include "stats/stats.h"
#include "store/store-stats.h"
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

/* How a month's release ended, as the child process's exit status. */
enum { REL_DONE = 0, REL_REFUSED = 3, REL_FAILED = 4 };

/* Store callback: the highest month of the year released so far (1..12) into *ctx. */
static int last_month_cb(void *ctx, const struct store_stats_release *r)
{
	int *last = ctx;
	long m;

	if (r->month == NULL || strlen(r->month) != 7)
		return 0;
	m = strtol(r->month + 5, NULL, 10);
	if (m > *last && m <= 12)
		*last = (int)m;
	return 0;
}

/* The last month of year already released (0: none) into *last. */
static enum err_code last_released(const char *db, int year, int *last, struct err *e)
{
	struct store *s = NULL;
	char y[8];
	enum err_code rc;

	*last = 0;
	snprintf(y, sizeof y, "%04d", year);
	if ((rc = store_open(db, 0, &s, e)) == ERR_OK)
		rc = store_stats_release_each(s, y, 0, last_month_cb, last, e);
	store_close(s);
	return rc;
}

/* Runs in the child process: releases month as `constat release` does (the same library
 * call and audit entry) and prints one line. Returns the exit status (REL_*). */
static int release_child(const char *db, const char *month)
{
	struct stats_release_opts o = {.month = month};
	struct stats_release_result res;
	struct store *s = NULL;
	struct err e = {0};
	enum err_code rc;

	stats_rules_default(&o.rules);
	if ((rc = store_open(db, 0, &s, &e)) == ERR_OK)
		rc = stats_release_run(s, &o, &res, &e);
	if (rc == ERR_OK && !res.unchanged) {
		char id[24];

		snprintf(id, sizeof id, "%lld", (long long)res.id);
		rc = store_audit_append(s, 0, "stats.release", "release", id, 0, month, &e);
	}
	store_close(s);
	if (rc == ERR_DENIED) {
		printf("  %s  refused by the audit (%s): not released\n", month, e.msg);
		return REL_REFUSED;
	}
	if (rc != ERR_OK) {
		printf("  %s  not released: %s%s%s\n", month, e.field, e.field[0] ? ": " : "",
		       e.msg);
		return REL_FAILED;
	}
	if (res.unchanged)
		printf("  %s  version %d already released, unchanged\n", month, res.version);
	else
		printf("  %s  release %lld, version %d: %zu cells, %zu secret (%.1f %%), %.1f s\n",
		       month, (long long)res.id, res.version, res.n_cells, res.n_secret,
		       res.n_cells ? 100.0 * (double)res.n_secret / (double)res.n_cells : 0.0,
		       res.seconds);
	return REL_DONE;
}

/* Releases month in a child process, so that an abort inside the audit's solver (GLPK
 * aborts on internal errors) is reported and the demo goes on. Returns REL_* (REL_FAILED
 * when the child died). */
static int release_month(const char *db, const char *month)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("  %s  not released: cannot start a process\n", month);
		return REL_FAILED;
	}
	if (pid == 0) {
		int rc = release_child(db, month);

		fflush(stdout);
		_exit(rc);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			printf("  %s  not released: the release process was lost\n", month);
			return REL_FAILED;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == REL_DONE || WEXITSTATUS(status) == REL_REFUSED
		           ? WEXITSTATUS(status)
		           : REL_FAILED;
	printf("  %s  not released: the release stopped on signal %d (%s); please report it "
	       "with: constat release --db %s --month %s\n",
	       month, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
	       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "unknown", db, month);
	return REL_FAILED;
}

/* Releases, in order, every closed month of the current year (of the previous year while
 * no month of this one is closed) that is not released yet. A refused or failed month
 * is reported; the later ones cannot follow it (the months of a year are released in
 * order). Returns the number of months released. */
static int release_closed(const char *db, struct err *e)
{
	struct stats_rules rules;
	int y, m, d, last, n = 0;
	int32_t today = date_today();

	stats_rules_default(&rules);
	date_to_ymd(today, &y, &m, &d);
	/* the first month of the year closes closing_days after January 31 */
	if (today < date_from_ymd(y, 1, 31) + 1 + rules.closing_days)
		y--;
	if (last_released(db, y, &last, e) != ERR_OK)
		return -1;
	printf("\nStatistics of %d (a month is released %d days after its end):\n", y,
	       rules.closing_days);
	if (last > 0)
		printf("  up to %04d-%02d  released already\n", y, last);
	for (int k = last + 1; k <= 12; k++) {
		char month[24];

		if (today < date_from_ymd(y, k, date_days_in_month(y, k)) + 1 + rules.closing_days)
			break;
		snprintf(month, sizeof month, "%04d-%02d", y, k);
		if (release_month(db, month) != REL_DONE) {
			if (k < 12)
				printf("  later months are not released: the months of a year are "
				       "released in order\n");
			break;
		}
		n++;
	}
	if (n == 0 && last == 0)
		printf("  no month released\n");
	return n;
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
	/* the releases run in child processes: no connection open across fork() */
	store_close(s);
	s = NULL;
	if (release && release_closed(db, &e) < 0)
		return cli_fail("demo", &e);
	if (store_open(db, 0, &s, &e) != ERR_OK ||
	    store_summary(s, counts, 32, &n, &e) != ERR_OK) {
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

/* cmd-generate: fills a new database with deterministic synthetic data (gen/gen.h), and
 * optionally exports its registry as SIRENE stock files. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/date.h"
#include "gen/gen.h"
#include "sirene/sirene.h"
#include "store/store.h"

/* Removes a database file this command created, with its WAL companions and key. */
static void remove_db(const char *db)
{
	char path[4096];

	unlink(db);
	if (snprintf(path, sizeof path, "%s-wal", db) < (int)sizeof path)
		unlink(path);
	if (snprintf(path, sizeof path, "%s-shm", db) < (int)sizeof path)
		unlink(path);
	if (snprintf(path, sizeof path, "%s.key", db) < (int)sizeof path)
		unlink(path);  /* the audit key the store creates beside a new database */
}

static int parse_seed(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"scale", required_argument, NULL, 'S'},
		{"seed", required_argument, NULL, 's'},
		{"today", required_argument, NULL, 't'},
		{"sirene-out", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *scale = NULL, *seed = NULL, *today = NULL, *out_dir = NULL;
	struct gen_options o = {.progress = stderr};
	struct store_count counts[32];
	struct store *s = NULL;
	struct err e = {0};
	struct stat st;
	enum err_code rc;
	size_t n = 0;
	int32_t day;
	int existed, c;

	if (cli_wants_help(&cmd_generate, argc, argv))
		return CLI_EXIT_OK;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'S': scale = optarg; break;
		case 's': seed = optarg; break;
		case 't': today = optarg; break;
		case 'o': out_dir = optarg; break;
		default:
			return cli_usage_error(&cmd_generate, "unknown option or missing value '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_generate, "unexpected argument '%s'", argv[optind]);
	if (db == NULL)
		return cli_usage_error(&cmd_generate, "--db FILE is required");
	if (scale == NULL || gen_scale_parse(scale, &o.scale) != 0)
		return cli_usage_error(&cmd_generate, "--scale: expected tiny, small or national");
	if (seed == NULL || parse_seed(seed, &o.seed) != 0)
		return cli_usage_error(&cmd_generate, "--seed: expected a non-negative integer");
	if (today && date_parse(today, &day) != 0)
		return cli_usage_error(&cmd_generate, "--today: expected a date YYYY-MM-DD, got '%s'",
		                       today);
	o.today = today;
	existed = stat(db, &st) == 0;
	if ((rc = store_open(db, STORE_CREATE | STORE_BULK, &s, &e)) != ERR_OK ||
	    (rc = store_refdata_load(s, &e)) != ERR_OK)
		goto out;
	if ((rc = gen_run(s, &o, &e)) != ERR_OK)
		goto out;
	if (out_dir) {
		if ((rc = sirene_export(s, out_dir, &e)) != ERR_OK)
			goto out;
		fprintf(stderr, "generate: SIRENE stock files written to %s\n", out_dir);
	}
	if ((rc = store_summary(s, counts, sizeof counts / sizeof counts[0], &n, &e)) != ERR_OK)
		goto out;
	printf("generated %s (scale %s, seed %" PRIu64 ")\n", db, scale, o.seed);
	for (size_t i = 0; i < n; i++)
		if (strcmp(counts[i].what, "audit") != 0)
			printf("  %-20s %12" PRId64 "\n", counts[i].what, counts[i].n);
out:
	store_close(s);
	if (rc != ERR_OK) {
		/* Nothing half-written is left behind: a file this command created goes. */
		if (!existed && rc != ERR_CONFLICT)
			remove_db(db);
		return cli_fail("generate", &e);
	}
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_generate = {
	.name = "generate",
	.summary = "fill a new database with deterministic synthetic data",
	.usage = "Usage: constat generate --db FILE --scale tiny|small|national --seed N\n"
	         "                        [--today YYYY-MM-DD] [--sirene-out DIR]\n\n"
	         "Creates FILE (or uses an initialised, empty one) and fills it with a\n"
	         "synthetic inspectorate: organisation, agents and their careers, a registry\n"
	         "shaped like SIRENE, priority actions and interventions with their\n"
	         "follow-ups. The same seed, scale and date give the same database.\n\n"
	         "  --scale tiny      one region, about 50 agents, 20,000 establishments,\n"
	         "                    5,000 interventions (one year): for tests\n"
	         "  --scale small     one region, 4 departments, about 150 agents, 200,000\n"
	         "                    establishments, 60,000 interventions over 3 years\n"
	         "  --scale national  all regions, about 2,300 agents, 11 million\n"
	         "                    establishments, 270,000 interventions a year for 10 years\n"
	         "  --today DATE      the end of the generated history (default: today, or\n"
	         "                    the CONSTAT_TODAY environment variable)\n"
	         "  --sirene-out DIR  also write DIR/StockEtablissement.csv and\n"
	         "                    DIR/StockUniteLegale.csv\n\n"
	         "Refuses a database that already holds accounts or establishments. No\n"
	         "account gets a password ('constat demo' sets demo passwords).\n"
	         "See docs/DATA-MODEL.md.\n",
	.run = run,
};

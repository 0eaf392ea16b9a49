/* cmd-ilo: writes the ILO Convention 81 annual report of a year (HTML, PDF, XLSX or CSV). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "stats/ilo.h"
#include "store/store.h"

#define OUT_MAX (64u << 20) /* bytes of one report */

/* Writes n bytes to path through a temporary file renamed into place: a failure leaves
 * no partial file. */
static enum err_code write_file(const char *path, const char *data, size_t n, struct err *e)
{
	char tmp[4096];
	FILE *f;
	int fail;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, n, stdout) != n || fflush(stdout) != 0)
			return err_set(e, ERR_IO, "out", "cannot write to the standard output");
		return ERR_OK;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
		return err_set(e, ERR_INVALID, "out", "the output path is too long");
	if ((f = fopen(tmp, "wb")) == NULL)
		return err_set(e, ERR_IO, "out", "cannot create %s: %s", tmp, strerror(errno));
	fail = fwrite(data, 1, n, f) != n;
	fail |= fclose(f) != 0;
	if (fail || rename(tmp, path) != 0) {
		int err = errno;

		unlink(tmp);
		return err_set(e, ERR_IO, "out", "cannot write %s: %s", path, strerror(err));
	}
	return ERR_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"year", required_argument, NULL, 'y'},
	    {"format", required_argument, NULL, 'f'},
	    {"out", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *format = "html", *out_path = NULL;
	struct ilo_report rep = {0};
	struct store *s = NULL;
	struct err e = {0};
	struct buf out;
	struct timespec t0, t1;
	long year = 0;
	char *end;
	int c, quiet = 0;
	enum err_code rc;

	if (cli_wants_help(&cmd_ilo, argc, argv))
		return CLI_EXIT_OK;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'y':
			year = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || year < 1900 || year > 9999)
				return cli_usage_error(&cmd_ilo, "--year: expected a year YYYY");
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return cli_usage_error(&cmd_ilo, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (db == NULL || year == 0 || out_path == NULL)
		return cli_usage_error(&cmd_ilo, "--db FILE, --year YYYY and --out FILE are required");
	if (optind < argc)
		return cli_usage_error(&cmd_ilo, "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0 &&
	    strcmp(format, "xlsx") != 0 && strcmp(format, "csv") != 0)
		return cli_usage_error(&cmd_ilo, "--format: expected html, pdf, xlsx or csv");
	if (store_open(db, 0, &s, &e) != ERR_OK)
		return cli_fail("ilo-report", &e);
	buf_init(&out, OUT_MAX);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ilo_report_build(s, (int)year, NULL, &rep, &e);
	if (rc == ERR_OK) {
		if (strcmp(format, "pdf") == 0)
			rc = ilo_report_pdf(&rep, &out, &e);
		else if (strcmp(format, "xlsx") == 0)
			rc = ilo_report_xlsx(&rep, &out, &e);
		else if (strcmp(format, "csv") == 0)
			rc = ilo_report_csv(&rep, &out, &e);
		else
			rc = ilo_report_html(&rep, &out, &e);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == ERR_OK)
		rc = write_file(out_path, buf_str(&out), out.len, &e);
	if (rc == ERR_OK && !quiet && strcmp(out_path, "-") != 0)
		fprintf(stderr, "ilo-report %ld: %s, %zu bytes, %.2f s; %s\n", year, format, out.len,
		        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		        rep.coverage);
	ilo_report_release(&rep);
	buf_release(&out);
	store_close(s);
	return rc == ERR_OK ? CLI_EXIT_OK : cli_fail("ilo-report", &e);
}

const struct cli_cmd cmd_ilo = {
    .name = "ilo-report",
    .summary = "write the ILO Convention 81 annual report of a year",
    .usage = "Usage: constat ilo-report --db FILE --year YYYY [--format html|pdf|xlsx|csv]\n"
             "                          --out FILE [--quiet]\n\n"
             "Writes the annual report of Article 21 of ILO Convention 81 (items a to g),\n"
             "the ILOSTAT labour inspection indicators and the national report's tables\n"
             "(docs/STATISTICS.md, \"The ILO annual report\"). Activity figures come only\n"
             "from released statistics: the year to date of the newest release of the year\n"
             "(December when released, otherwise the report says which months it covers);\n"
             "a secret cell stays secret. Staff comes from the assignments, workplaces and\n"
             "the estimated number of workers from the registry. --format defaults to html;\n"
             "--out - writes to the standard output. The file is written whole or not at\n"
             "all. The time taken is printed on stderr unless --quiet.\n",
    .run = run,
};

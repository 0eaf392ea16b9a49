/* schedule: which monthly releases are due, and making them (the server's release job and
 * `constat release --due`). A month is due once closed (rules.closing_days after its end)
 * and not released yet, the months of a year in order; the newest released month of the
 * year gets a new version when late entries changed it (stats_release_run finds out). */
#include "stats/stats.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "store/store-stats.h"
#include "store/store.h"

struct seen {
	unsigned char released[13]; /* released[m]: month m of the year has a release */
};

static int note_release(void *ctx, const struct store_stats_release *r)
{
	struct seen *s = ctx;
	int m;

	if (strlen(r->month) != 7)
		return 0;
	m = (r->month[5] - '0') * 10 + (r->month[6] - '0');
	if (m >= 1 && m <= 12)
		s->released[m] = 1;
	return 0;
}

/* Releases what is due in year y up to month last (the newest closed one). */
static enum err_code due_in_year(struct store *st, const struct stats_rules *r, int y, int last,
                                 FILE *log, int (*stop)(void), int *made, struct err *e)
{
	struct seen seen = {{0}};
	char year[8];
	int newest = 0;
	enum err_code rc;

	snprintf(year, sizeof year, "%04d", y);
	if ((rc = store_stats_release_each(st, year, 0, note_release, &seen, e)) != ERR_OK)
		return rc;
	for (int m = 1; m <= 12; m++)
		if (seen.released[m])
			newest = m;
	/* the newest released month again (a new version if late entries changed it), then
	 * every closed month after it, in order */
	for (int m = newest ? newest : 1; m <= last && !(stop && stop()); m++) {
		struct stats_release_opts o = {.rules = *r, .log = NULL};
		struct stats_release_result res;
		char month[16];

		snprintf(month, sizeof month, "%04d-%02d", y, m);
		o.month = month;
		if ((rc = stats_release_run(st, &o, &res, e)) != ERR_OK)
			return rc; /* a refused audit stops the year: later months wait for it */
		if (res.unchanged)
			continue;
		(*made)++;
		if (log) {
			fprintf(log,
			        "  %s  release %lld, version %d: %zu cells, %zu secret (%.1f %%), "
			        "%.1f s\n",
			        month, (long long)res.id, res.version, res.n_cells, res.n_secret,
			        res.n_cells ? 100.0 * (double)res.n_secret / (double)res.n_cells : 0.0,
			        res.seconds);
			fflush(log);
		}
		{
			char id[24];

			snprintf(id, sizeof id, "%lld", (long long)res.id);
			if ((rc = store_audit_append(st, 0, "stats.release", "release", id, 0, month,
			                             e)) != ERR_OK)
				return rc;
		}
	}
	return ERR_OK;
}

enum err_code stats_release_due(struct store *st, const struct stats_rules *r, int first_year,
                                FILE *log, int (*stop)(void), int *made, struct err *e)
{
	int32_t today = date_today();
	int y, m, d;
	enum err_code rc;

	*made = 0;
	date_to_ymd(today, &y, &m, &d);
	/* December of last year closes in January */
	for (int year = first_year > 0 ? first_year : y - 1; year <= y; year++) {
		int last = 0;

		for (int mm = 1; mm <= 12; mm++)
			if (today >= date_from_ymd(year, mm, date_days_in_month(year, mm)) + 1 +
			                 r->closing_days)
				last = mm;
		if (last == 0)
			continue;
		if ((rc = due_in_year(st, r, year, last, log, stop, made, e)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* jobs: periodic background tasks of the server (see jobs.h). */
#include "api/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/date.h"
#include "core/log.h"
#include "stats/stats.h"
#include "store/store.h"

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int running, stopping;
static const char *db_path;
static const struct job *const *job_list;

/* Non-zero once jobs_stop was called: long jobs ask between their steps. */
static int stop_asked(void)
{
	int v;

	pthread_mutex_lock(&lock);
	v = stopping;
	pthread_mutex_unlock(&lock);
	return v;
}

/* Runs each job whose period has passed since its last run (kept in the meta table). */
static void run_due(struct store *s)
{
	for (const struct job *const *j = job_list; *j && !stop_asked(); j++) {
		char key[96], *last = NULL, stamp[32];
		long long then = 0, now = (long long)time(NULL);
		struct err e = {0};

		snprintf(key, sizeof key, "jobs.%s.last", (*j)->name);
		if (store_meta_get(s, key, &last, NULL) == ERR_OK)
			then = strtoll(last, NULL, 10);
		free(last);
		if (now - then < (*j)->period)
			continue;
		if ((*j)->run(s, &e) != ERR_OK) {
			log_error("jobs: %s failed: %s", (*j)->name, e.msg);
			continue;
		}
		if (stop_asked())
			break; /* perhaps cut short: run again at the next start */
		snprintf(stamp, sizeof stamp, "%lld", now);
		if (store_meta_set(s, key, stamp, &e) != ERR_OK)
			log_error("jobs: cannot note the run of %s: %s", (*j)->name, e.msg);
		else
			log_info("jobs: %s done", (*j)->name);
	}
}

static void *loop(void *arg)
{
	struct store *s = NULL;
	struct err e = {0};

	(void)arg;
	if (store_open(db_path, 0, &s, &e) != ERR_OK) {
		log_error("jobs: cannot open the database: %s", e.msg);
		return NULL;
	}
	pthread_mutex_lock(&lock);
	while (!stopping) {
		struct timespec until;

		pthread_mutex_unlock(&lock);
		run_due(s);
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 600; /* look again every ten minutes */
		while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&lock);
	store_close(s);
	return NULL;
}

enum err_code jobs_start(const char *db, const struct job *const *jobs, struct err *e)
{
	db_path = db;
	job_list = jobs;
	stopping = 0;
	if (pthread_create(&thread, NULL, loop, NULL) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot start the jobs thread");
	running = 1;
	return ERR_OK;
}

void jobs_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
}


/* The integer setting key in lo..hi, or dflt. */
static int setting_int(struct store *s, const char *key, int lo, int hi, int dflt)
{
	char *v = NULL, *end;
	long n = dflt;

	if (store_meta_get(s, key, &v, NULL) == ERR_OK) {
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < lo || n > hi)
			n = dflt;
	}
	free(v);
	return (int)n;
}

static enum err_code purge(struct store *s, struct err *e)
{
	char today[DATE_ISO_LEN];
	struct store_retention r = {
		.case_years = setting_int(s, "retention.case_years", 1, 100, 6),
		.case_years_pv = setting_int(s, "retention.case_years_pv", 1, 100, 10),
		.staff_years = setting_int(s, "retention.staff_years", 1, 100, 10),
		.today = date_format(date_today(), today),
	};
	struct store_purge_report rep;
	enum err_code rc = store_purge(s, &r, 0, &rep, e);

	if (rc == ERR_OK)
		log_info("jobs: purge removed %lld interventions, %lld worksites; %lld staff records "
		         "made anonymous; %lld kept while under appeal", (long long)rep.interventions,
		         (long long)rep.worksites, (long long)rep.agents,
		         (long long)rep.kept_for_appeal);
	if (rc == ERR_OK && (rep.interventions || rep.agents || rep.worksites))
		rc = store_audit_append(s, 0, "purge", NULL, NULL, 0, NULL, e);
	return rc;
}

const struct job jobs_purge = {.name = "purge", .period = 86400, .run = purge};


/* The monthly statistical releases that are due (stats_release_due), with the default
 * rules or the settings stats.threshold, stats.p_percent, stats.breakdown_agents,
 * stats.breakdown_agents_region and stats.closing_days. */
static enum err_code release(struct store *s, struct err *e)
{
	struct stats_rules r;
	int made = 0;
	enum err_code rc;

	stats_rules_default(&r);
	r.threshold = setting_int(s, "stats.threshold", STATS_MIN_THRESHOLD, 1000, r.threshold);
	r.p_percent = setting_int(s, "stats.p_percent", 1, 100, r.p_percent);
	r.breakdown_agents =
	    setting_int(s, "stats.breakdown_agents", 0, 100000, r.breakdown_agents);
	r.breakdown_agents_region = setting_int(s, "stats.breakdown_agents_region", 0, 100000,
	                                        r.breakdown_agents_region);
	r.closing_days = setting_int(s, "stats.closing_days", 0, 366, r.closing_days);
	rc = stats_release_due(s, &r, 0, NULL, stop_asked, &made, e);
	if (made > 0)
		log_info("jobs: %d statistical release(s) made", made);
	return rc;
}

const struct job jobs_release = {.name = "release", .period = 6 * 3600, .run = release};

/* jobs: the server's background work, on one thread: the daily retention purge (and,
 * through jobs_add, other periodic tasks such as the monthly statistical releases). Each
 * job runs at start-up when due, then at its period; its last run is kept in the meta
 * table, so that restarts do not repeat it. */
#ifndef API_JOBS_H
#define API_JOBS_H

#include <stdint.h>

#include "core/err.h"

struct store;

/* A periodic task: run is called on the jobs thread with its own database handle. */
struct job {
	const char *name;                 /* also the meta key "jobs.NAME.last" */
	int64_t period;                   /* seconds between runs */
	enum err_code (*run)(struct store *s, struct err *e);
};

/* Starts the jobs thread for the database at db (borrowed: must outlive jobs_stop) with
 * the given NULL-terminated list of jobs (borrowed as well). */
enum err_code jobs_start(const char *db, const struct job *const *jobs, struct err *e);
/* Stops the thread (waits for a running job to finish). */
void jobs_stop(void);

/* The retention purge as a job (rules from the settings, defaults of the decree). */
extern const struct job jobs_purge;
/* The monthly statistical releases as a job (every six hours: closed months released in
 * order, late entries as new versions). */
extern const struct job jobs_release;

#endif

/* date: civil dates as day numbers (days since 1970-01-01, proleptic Gregorian), ISO
 * 8601 parsing and formatting, and UTC timestamps. */
#ifndef CORE_DATE_H
#define CORE_DATE_H

#include <stdint.h>
#include <time.h>

#define DATE_ISO_LEN 11      /* "YYYY-MM-DD" and NUL */
#define DATE_STAMP_LEN 21    /* "YYYY-MM-DDTHH:MM:SSZ" and NUL */

/* Days since 1970-01-01 for a valid y-m-d (no range check). */
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t days, int *y, int *m, int *d);
/* 1 when y-m-d is a real calendar date with 1900 <= y <= 2999. */
int date_valid_ymd(int y, int m, int d);
/* Parses exactly "YYYY-MM-DD"; returns 0 and sets *days, or -1. */
int date_parse(const char *s, int32_t *days);
/* Writes "YYYY-MM-DD" into out (DATE_ISO_LEN bytes); returns out. */
char *date_format(int32_t days, char *out);
/* Day of week, 0 = Monday .. 6 = Sunday. */
int date_weekday(int32_t days);
int date_days_in_month(int y, int m);
/* Today in UTC as a day number. The environment variable CONSTAT_TODAY=YYYY-MM-DD
 * overrides it (for tests that move dates in time). */
int32_t date_today(void);
/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (DATE_STAMP_LEN bytes). */
char *date_now_stamp(char *out);

#endif

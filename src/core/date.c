/* date: civil-from-days and days-from-civil after Howard Hinnant's public algorithms. */
#include "core/date.h"

#include <stdlib.h>
#include <string.h>

int32_t date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int date_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

int date_valid_ymd(int y, int m, int d)
{
	return y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= date_days_in_month(y, m);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int date_parse(const char *s, int32_t *days)
{
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (!date_valid_ymd(y, m, d))
		return -1;
	*days = date_from_ymd(y, m, d);
	return 0;
}

char *date_format(int32_t days, char *out)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	y = y < 0 ? 0 : y % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return out;
}

int date_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int w = (days + 3) % 7;

	return w < 0 ? w + 7 : w;
}

int32_t date_today(void)
{
	const char *fake = getenv("CONSTAT_TODAY");
	int32_t days;

	if (fake && date_parse(fake, &days) == 0)
		return days;
	return (int32_t)(time(NULL) / 86400);
}

char *date_now_stamp(char *out)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, DATE_STAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

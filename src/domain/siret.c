/* siret: check digits of SIREN and SIRET numbers. */
#include "domain/siret.h"

#include <stdio.h>
#include <string.h>

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int siret_luhn_ok(const char *s, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int d = s[n - 1 - i] - '0';

		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

void siret_luhn_complete(char *s, size_t n)
{
	s[n - 1] = '0';
	for (int d = 0; d <= 9; d++) {
		s[n - 1] = (char)('0' + d);
		if (siret_luhn_ok(s, n))
			return;
	}
}

int siret_siren_valid(const char *s)
{
	return s && strlen(s) == 9 && all_digits(s, 9) && siret_luhn_ok(s, 9);
}

int siret_valid(const char *s)
{
	int sum = 0;

	if (s == NULL || strlen(s) != 14 || !all_digits(s, 14))
		return 0;
	if (siret_luhn_ok(s, 14))
		return 1;
	/* La Poste's establishments are numbered so that the digit sum is a multiple of 5
	 * rather than by Luhn; its head office, 356 000 000 00048, is Luhn-valid (digit sum
	 * 26): python-stdnum special-cases that one number; accepting either rule under
	 * La Poste's SIREN is the lenient superset, so no row of the registry is refused. */
	if (memcmp(s, SIREN_LA_POSTE, 9) != 0)
		return 0;
	for (int i = 0; i < 14; i++)
		sum += s[i] - '0';
	return sum % 5 == 0;
}

int siret_digits(const char *s, char *out, size_t max)
{
	size_t n = 0;

	if (max == 0)
		return -1;
	for (; *s; s++) {
		if (*s == ' ' || *s == '.' || *s == '-')
			continue;
		if (*s < '0' || *s > '9' || n + 1 >= max)
			return -1;
		out[n++] = *s;
	}
	out[n] = '\0';
	return (int)n;
}

void siret_format(int64_t siret, char out[15])
{
	snprintf(out, 15, "%014lld", (long long)siret);
}

void siret_siren_format(int64_t siren, char out[10])
{
	snprintf(out, 10, "%09lld", (long long)siren);
}

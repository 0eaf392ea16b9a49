/* siret: SIREN (9 digits) and SIRET (14 digits) identifiers and their check digit
 * (Luhn; La Poste's SIRETs instead have a digit sum that is a multiple of 5). */
#ifndef DOMAIN_SIRET_H
#define DOMAIN_SIRET_H

#include <stddef.h>
#include <stdint.h>

#define SIREN_LA_POSTE "356000000"

/* 1 when s is exactly 9 digits with a valid check digit. */
int siret_siren_valid(const char *s);
/* 1 when s is exactly 14 digits, valid by Luhn or by La Poste's rule. */
int siret_valid(const char *s);
/* 1 when the n digits of s pass the Luhn check. */
int siret_luhn_ok(const char *s, size_t n);
/* Replaces the last of the n digits of s so that they pass the Luhn check. */
void siret_luhn_complete(char *s, size_t n);
/* Copies the digits of s into out (at most max-1, NUL-terminated), dropping spaces,
 * dots and dashes; returns the digit count, or -1 on any other character or overflow. */
int siret_digits(const char *s, char *out, size_t max);
/* Formats the 14-digit integer form with its leading zeros into out (15 bytes). */
void siret_format(int64_t siret, char out[15]);
void siret_siren_format(int64_t siren, char out[10]);

#endif

/* validate: the rules every value must pass before it is written. Each function checks
 * one value (or one record), and on failure returns ERR_INVALID with the field's name
 * and what was expected in e, e.g. field "siret", message "expected 14 digits with a
 * valid check digit". NULL counts as absent: required values say "is required". */
#ifndef DOMAIN_VALIDATE_H
#define DOMAIN_VALIDATE_H

#include <stddef.h>

#include "core/err.h"
#include "domain/model.h"

/* Text: valid UTF-8, no control characters (tab and newline allowed when multiline),
 * between min and max characters (code points). */
enum err_code validate_text(const char *field, const char *v, size_t min, size_t max,
                            int multiline, struct err *e);
/* 1 when the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int validate_utf8(const char *s, size_t n);

enum err_code validate_siren(const char *field, const char *v, struct err *e);
enum err_code validate_siret(const char *field, const char *v, struct err *e);
/* NAF rev.2 sub-class "NN.NNL" that exists in the reference data. */
enum err_code validate_naf(const char *field, const char *v, struct err *e);
/* COG commune code (5 characters, 2A/2B for Corsica) that exists in the reference data. */
enum err_code validate_commune(const char *field, const char *v, struct err *e);
/* Five-digit postcode. */
enum err_code validate_postcode(const char *field, const char *v, struct err *e);
/* ISO date YYYY-MM-DD that exists in the calendar. */
enum err_code validate_date(const char *field, const char *v, struct err *e);
/* later_field's date is not before earlier's (both already valid dates). */
enum err_code validate_date_order(const char *later_field, const char *earlier,
                                  const char *later, struct err *e);
/* v is one of the NULL-terminated allowed values. */
enum err_code validate_enum(const char *field, const char *v, const char *const *allowed,
                            struct err *e);
/* An account login: 1 to 64 lower-case ASCII letters, digits, '.', '-' or '_'. */
enum err_code validate_login(const char *field, const char *v, struct err *e);
/* SIRENE headcount band: NN, 00, 01, 02, 03, 11, 12, 21, 22, 31, 32, 41, 42, 51, 52, 53. */
enum err_code validate_headcount_band(const char *field, const char *v, struct err *e);

/* Whole records, as written by the store's callers (the API, the importer, the
 * generator). They check formats, lengths, enumerations and dates, and the existence of
 * reference codes (NAF, communes); whether a nomenclature code or a record exists is
 * checked against the store by the callers (src/api/case.c). */
enum err_code validate_establishment(const struct establishment *est, struct err *e);
enum err_code validate_legal_unit(const struct legal_unit *u, struct err *e);
/* today: the current date (YYYY-MM-DD), since an intervention cannot be in the future. */
enum err_code validate_intervention(const struct intervention *iv, const char *today,
                                    struct err *e);

#endif

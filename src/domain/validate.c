/* validate: the rules every value and record must pass before it is written (see validate.h). */
#include "domain/validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "domain/refdata.h"
#include "domain/siret.h"

/* ---- Limits ---------------------------------------------------------------------------
 *
 * Text caps, in characters (code points). Where SIRENE declares a field size, the cap is
 * that size or a little above it, so that every row of the stock files fits:
 *   establishment: street_number 10 (SIRENE 4), street_repeat 10 (1), street_type 20 (4),
 *     street_name 100 (100), address_extra 100 (38), commune_name 100 (100),
 *     enseigne1..3 50 (50), usual_name 120 (100), naf in an old nomenclature 10 (6),
 *     naf_nomenclature 20 (8);
 *   legal unit: name 120 (120), acronym 30 (20), last_name 100 (100), first_name 50 (20).
 * Intervention: note 20,000 characters (multi-line); codes (kinds, themes) 40 ASCII
 * characters; at most 20 themes, 20 co-agents, 200 checkpoints, 50 follow-ups of at most
 * 30 provisions each (a provision at most 40 characters), 100 accidents, 100 diseases;
 * 1 to 10,000 victims per accident or disease. */
#define CODE_MAX 40
#define NOTE_MAX 20000
#define THEMES_MAX 20
#define CO_AGENTS_MAX 20
#define CHECKPOINTS_MAX 200
#define FOLLOWUPS_MAX 50
#define PROVISIONS_MAX 30
#define PROVISION_LEN_MAX 40
#define ACCIDENTS_MAX 100
#define DISEASES_MAX 100
#define VICTIMS_MAX 10000
#define TABLE_NUMBER_MAX 8

/* ---- Small helpers -------------------------------------------------------------------- */

static int present(const char *v)
{
	return v != NULL && v[0] != '\0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* Formats a field name such as "followups[1].provisions[0]" into buf; returns buf. */
static const char *fname(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static const char *fname(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return buf;
}

static enum err_code required(const char *field, struct err *e)
{
	return err_set(e, ERR_INVALID, field, "is required");
}

/* ---- UTF-8 and text ---------------------------------------------------------------------
 *
 * The decoder is written here rather than taken from utf8proc_iterate: it is twenty lines
 * that follow the well-formedness table of the Unicode standard (chapter 3, table 3-7)
 * exactly, it must behave the same whatever utf8proc version is installed, and
 * validate_text needs each code point anyway to count characters and refuse controls in
 * the same pass. */

/* Decodes one code point from the n > 0 bytes at s; returns its length in bytes and sets
 * *cp, or returns 0 on an ill-formed sequence (overlong, surrogate, above U+10FFFF,
 * truncated, stray continuation byte). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;      /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;      /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;      /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;      /* above U+10FFFF */
	} else {
		return 0;               /* 0x80..0xC1 (continuation, overlong lead), 0xF5.. */
	}
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3F);
	for (size_t i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

int validate_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	if (s == NULL)
		return n == 0;
	while (i < n) {
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

static int is_control(uint32_t cp, int multiline)
{
	if (multiline && (cp == '\t' || cp == '\n' || cp == '\r'))
		return 0;
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

static enum err_code length_error(const char *field, size_t min, size_t max, struct err *e)
{
	if (min == 0)
		return err_set(e, ERR_INVALID, field, "expected at most %zu characters", max);
	if (min == max)
		return err_set(e, ERR_INVALID, field, "expected exactly %zu characters", max);
	return err_set(e, ERR_INVALID, field, "expected between %zu and %zu characters", min,
	               max);
}

/* Scans v once: stops at the first ill-formed byte, control character, or as soon as the
 * text is known to be too long, so that a huge input costs no more than max characters. */
enum err_code validate_text(const char *field, const char *v, size_t min, size_t max,
                            int multiline, struct err *e)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n, i = 0, count = 0;
	uint32_t cp;

	if (!present(v))
		return min > 0 ? required(field, e) : ERR_OK;
	n = strlen(v);
	while (i < n) {
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len == 0)
			return err_set(e, ERR_INVALID, field,
			               "expected valid UTF-8 text (bad byte at offset %zu)", i);
		if (is_control(cp, multiline) && multiline)
			return err_set(e, ERR_INVALID, field,
			               "must not contain control characters other than tab and "
			               "line breaks (U+%04X at offset %zu)", (unsigned)cp, i);
		if (is_control(cp, multiline))
			return err_set(e, ERR_INVALID, field,
			               "must be a single line without control characters "
			               "(U+%04X at offset %zu)", (unsigned)cp, i);
		if (++count > max)
			return length_error(field, min, max, e);
		i += len;
	}
	if (count < min)
		return length_error(field, min, max, e);
	return ERR_OK;
}

/* ---- Identifiers and codes -------------------------------------------------------------- */

enum err_code validate_siren(const char *field, const char *v, struct err *e)
{
	if (!present(v))
		return required(field, e);
	if (strlen(v) != 9 || !all_digits(v, 9))
		return err_set(e, ERR_INVALID, field, "expected 9 digits");
	if (!siret_siren_valid(v))
		return err_set(e, ERR_INVALID, field,
		               "check digit is wrong: not a valid SIREN");
	return ERR_OK;
}

/* A SIRET is valid when its 14 digits pass the check (Luhn, or La Poste's digit sum) and
 * its first 9 digits are themselves a valid SIREN, as every SIREN carries its own key. */
enum err_code validate_siret(const char *field, const char *v, struct err *e)
{
	if (!present(v))
		return required(field, e);
	if (strlen(v) != 14 || !all_digits(v, 14))
		return err_set(e, ERR_INVALID, field, "expected 14 digits");
	if (!siret_valid(v))
		return err_set(e, ERR_INVALID, field,
		               "check digit is wrong: not a valid SIRET");
	if (!siret_luhn_ok(v, 9))
		return err_set(e, ERR_INVALID, field,
		               "check digit is wrong: its first 9 digits are not a valid SIREN");
	return ERR_OK;
}

/* "NN.NNL": two digits, a dot, two digits, an upper-case letter. */
static int naf_shape_ok(const char *v)
{
	return strlen(v) == 6 && is_digit(v[0]) && is_digit(v[1]) && v[2] == '.' &&
	       is_digit(v[3]) && is_digit(v[4]) && v[5] >= 'A' && v[5] <= 'Z';
}

enum err_code validate_naf(const char *field, const char *v, struct err *e)
{
	const struct refdata_naf *naf;

	if (!present(v))
		return required(field, e);
	if (!naf_shape_ok(v))
		return err_set(e, ERR_INVALID, field,
		               "expected a NAF rev.2 sub-class as NN.NNL, e.g. 56.10A");
	naf = refdata_naf_find(v);
	if (naf == NULL || strcmp(naf->level, "subclass") != 0)
		return err_set(e, ERR_INVALID, field, "unknown NAF rev.2 sub-class %s", v);
	return ERR_OK;
}

/* 5 digits, or 2A/2B (Corsica) and 3 digits. */
static int commune_shape_ok(const char *v)
{
	if (strlen(v) != 5 || !all_digits(v + 2, 3))
		return 0;
	if (v[0] == '2' && (v[1] == 'A' || v[1] == 'B'))
		return 1;
	return is_digit(v[0]) && is_digit(v[1]);
}

static enum err_code commune_shape(const char *field, const char *v, struct err *e)
{
	if (!present(v))
		return required(field, e);
	if (!commune_shape_ok(v))
		return err_set(e, ERR_INVALID, field,
		               "expected a commune code of 5 characters: 5 digits, or 2A/2B "
		               "and 3 digits");
	return ERR_OK;
}

enum err_code validate_commune(const char *field, const char *v, struct err *e)
{
	if (commune_shape(field, v, e) != ERR_OK)
		return ERR_INVALID;
	if (refdata_commune_find(v) == NULL)
		return err_set(e, ERR_INVALID, field, "unknown commune code %s", v);
	return ERR_OK;
}

enum err_code validate_postcode(const char *field, const char *v, struct err *e)
{
	if (!present(v))
		return required(field, e);
	if (strlen(v) != 5 || !all_digits(v, 5))
		return err_set(e, ERR_INVALID, field, "expected a postcode of 5 digits");
	return ERR_OK;
}

/* ---- Dates and enumerations --------------------------------------------------------------- */

enum err_code validate_date(const char *field, const char *v, struct err *e)
{
	int32_t days;

	if (!present(v))
		return required(field, e);
	if (date_parse(v, &days) != 0)
		return err_set(e, ERR_INVALID, field,
		               "expected a date as YYYY-MM-DD (a real calendar date, 1900-2999)");
	return ERR_OK;
}

enum err_code validate_date_order(const char *later_field, const char *earlier,
                                  const char *later, struct err *e)
{
	int32_t a, b;

	if (validate_date(later_field, later, e) != ERR_OK)
		return ERR_INVALID;
	if (date_parse(earlier, &a) != 0)
		return err_set(e, ERR_INVALID, later_field,
		               "cannot be compared: the earlier date is not a valid date");
	date_parse(later, &b);
	if (b < a)
		return err_set(e, ERR_INVALID, later_field, "must not be before %s", earlier);
	return ERR_OK;
}

/* Writes "a, b, c" into out (truncated with "..." if it does not fit). */
static void join_allowed(const char *const *allowed, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; allowed[i] != NULL; i++) {
		int w = snprintf(out + len, n - len, "%s%s", i ? ", " : "", allowed[i]);

		if (w < 0 || (size_t)w >= n - len) {
			if (n > 4)
				memcpy(out + n - 4, "...", 4);
			return;
		}
		len += (size_t)w;
	}
}

enum err_code validate_enum(const char *field, const char *v, const char *const *allowed,
                            struct err *e)
{
	char list[ERR_MSG_MAX - 32];

	for (size_t i = 0; present(v) && allowed[i] != NULL; i++)
		if (strcmp(v, allowed[i]) == 0)
			return ERR_OK;
	join_allowed(allowed, list, sizeof list);
	if (!present(v))
		return err_set(e, ERR_INVALID, field, "is required: one of %s", list);
	return err_set(e, ERR_INVALID, field, "expected one of %s", list);
}

static const char *const headcount_bands[] = {
	"NN", "00", "01", "02", "03", "11", "12", "21", "22",
	"31", "32", "41", "42", "51", "52", "53", NULL,
};

enum err_code validate_headcount_band(const char *field, const char *v, struct err *e)
{
	return validate_enum(field, v, headcount_bands, e);
}

/* ---- Registry records --------------------------------------------------------------------- */

static const char *const establishment_states[] = {"A", "F", NULL};
static const char *const diffusions[] = {"O", "P", NULL};
static const char *const unit_states[] = {"A", "C", NULL};
static const char *const company_categories[] = {"PME", "ETI", "GE", NULL};

/* A single-line optional text of at most max characters. */
static enum err_code opt_line(const char *field, const char *v, size_t max, struct err *e)
{
	return validate_text(field, v, 0, max, 0, e);
}

/* Optional digits-only value of exactly n digits. */
static enum err_code opt_digits(const char *field, const char *v, size_t n, struct err *e)
{
	if (!present(v))
		return ERR_OK;
	if (strlen(v) != n || !all_digits(v, n))
		return err_set(e, ERR_INVALID, field, "expected %zu digits", n);
	return ERR_OK;
}

/* SIRENE's nomenclatureActivitePrincipale is "NAFRev2" for NAF rev.2 ("NAFv2", an older
 * spelling of ours, is accepted too), and absent means rev.2. Older nomenclatures
 * (NAFRev1, NAF1993, NAP) are kept as text without checking their codes. */
static int naf_is_rev2(const char *nomenclature)
{
	return !present(nomenclature) || strcmp(nomenclature, "NAFRev2") == 0 ||
	       strcmp(nomenclature, "NAFv2") == 0;
}

enum err_code validate_establishment(const struct establishment *est, struct err *e)
{
	if (est == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "no establishment given");
	if (validate_siret("siret", est->siret, e) != ERR_OK)
		return ERR_INVALID;
	if (opt_digits("siren", est->siren, 9, e) != ERR_OK)
		return ERR_INVALID;
	if (present(est->siren) && memcmp(est->siren, est->siret, 9) != 0)
		return err_set(e, ERR_INVALID, "siren", "must be the siret's first 9 digits (%.9s)",
		               est->siret);
	if (opt_digits("nic", est->nic, 5, e) != ERR_OK)
		return ERR_INVALID;
	if (present(est->nic) && memcmp(est->nic, est->siret + 9, 5) != 0)
		return err_set(e, ERR_INVALID, "nic", "must be the siret's last 5 digits (%s)",
		               est->siret + 9);
	if (present(est->diffusion) && validate_enum("diffusion", est->diffusion, diffusions, e))
		return ERR_INVALID;
	if (present(est->created_on) && validate_date("created_on", est->created_on, e))
		return ERR_INVALID;
	if (present(est->headcount_band) &&
	    validate_headcount_band("headcount_band", est->headcount_band, e))
		return ERR_INVALID;
	if (est->head_office != 0 && est->head_office != 1)
		return err_set(e, ERR_INVALID, "head_office", "expected 0 or 1");
	if (opt_line("street_number", est->street_number, 10, e) ||
	    opt_line("street_repeat", est->street_repeat, 10, e) ||
	    opt_line("street_type", est->street_type, 20, e) ||
	    opt_line("street_name", est->street_name, 100, e) ||
	    opt_line("address_extra", est->address_extra, 100, e))
		return ERR_INVALID;
	if (present(est->postcode) && validate_postcode("postcode", est->postcode, e))
		return ERR_INVALID;
	if (opt_line("commune_name", est->commune_name, 100, e))
		return ERR_INVALID;
	/* Well-formed only: SIRENE also holds codes that are not in the COG of communes
	 * (foreign countries as 99xxx, former communes). */
	if (present(est->commune_code) && commune_shape("commune_code", est->commune_code, e))
		return ERR_INVALID;
	if (present(est->state) && validate_enum("state", est->state, establishment_states, e))
		return ERR_INVALID;
	if (opt_line("enseigne1", est->enseigne1, 50, e) ||
	    opt_line("enseigne2", est->enseigne2, 50, e) ||
	    opt_line("enseigne3", est->enseigne3, 50, e) ||
	    opt_line("usual_name", est->usual_name, 120, e))
		return ERR_INVALID;
	if (present(est->naf)) {
		if (naf_is_rev2(est->naf_nomenclature)) {
			if (validate_naf("naf", est->naf, e) != ERR_OK)
				return ERR_INVALID;
		} else if (opt_line("naf", est->naf, 10, e) != ERR_OK) {
			return ERR_INVALID;
		}
	}
	if (opt_line("naf_nomenclature", est->naf_nomenclature, 20, e))
		return ERR_INVALID;
	return ERR_OK;
}

enum err_code validate_legal_unit(const struct legal_unit *u, struct err *e)
{
	if (u == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "no legal unit given");
	if (validate_siren("siren", u->siren, e) != ERR_OK)
		return ERR_INVALID;
	if (opt_line("name", u->name, 120, e) || opt_line("acronym", u->acronym, 30, e) ||
	    opt_line("last_name", u->last_name, 100, e) ||
	    opt_line("first_name", u->first_name, 50, e))
		return ERR_INVALID;
	if (opt_digits("legal_category", u->legal_category, 4, e) != ERR_OK)
		return ERR_INVALID;
	if (present(u->company_category) &&
	    validate_enum("company_category", u->company_category, company_categories, e))
		return ERR_INVALID;
	if (present(u->state) && validate_enum("state", u->state, unit_states, e))
		return ERR_INVALID;
	if (opt_digits("head_nic", u->head_nic, 5, e) != ERR_OK)
		return ERR_INVALID;
	return ERR_OK;
}

/* ---- Interventions ------------------------------------------------------------------------ */

static const char *const intervention_statuses[] = {"draft", "final", NULL};
static const char *const checkpoint_states[] = {
	MODEL_CHECKPOINT_COMPLIANT, MODEL_CHECKPOINT_NON_COMPLIANT, MODEL_CHECKPOINT_NOT_CHECKED,
	NULL,
};
static const char *const followup_statuses[] = {
	"draft", "issued", "closed", "under_appeal", NULL,
};
static const char *const severities[] = {"fatal", "serious", "other", NULL};

/* A nomenclature code: 1 to CODE_MAX of a-z, 0-9 and '_'. */
static enum err_code code(const char *field, const char *v, struct err *e)
{
	size_t n = 0;

	if (!present(v))
		return required(field, e);
	while (n < CODE_MAX && ((v[n] >= 'a' && v[n] <= 'z') || is_digit(v[n]) || v[n] == '_'))
		n++;
	if (v[n] != '\0')
		return err_set(e, ERR_INVALID, field,
		               "expected a code of lower-case letters, digits and underscores, "
		               "at most %d characters", CODE_MAX);
	return ERR_OK;
}

/* A date that is valid and not after today. */
static enum err_code past_date(const char *field, const char *v, int32_t today,
                               struct err *e)
{
	int32_t d;
	char buf[DATE_ISO_LEN];

	if (validate_date(field, v, e) != ERR_OK)
		return ERR_INVALID;
	date_parse(v, &d);
	if (d > today)
		return err_set(e, ERR_INVALID, field, "must not be after today (%s)",
		               date_format(today, buf));
	return ERR_OK;
}

/* "YYYY-MM-DDTHH:MM:SSZ" with a valid date and time. */
static int stamp_ok(const char *v)
{
	char day[DATE_ISO_LEN];
	int32_t d;

	if (strlen(v) != 20 || v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[19] != 'Z')
		return 0;
	if (!all_digits(v + 11, 2) || !all_digits(v + 14, 2) || !all_digits(v + 17, 2))
		return 0;
	memcpy(day, v, 10);
	day[10] = '\0';
	return date_parse(day, &d) == 0 && (v[11] - '0') * 10 + (v[12] - '0') < 24 &&
	       v[14] < '6' && v[17] < '6';
}

/* A provision of the Labour Code: L, R or D, an optional dot, then groups of digits joined
 * by single dashes or dots ("L.4121-1", "R4323-58", "D.4153-15", "L.1221-10-1").
 * Citations of other codes ("article 40" of the code of criminal procedure) are refused:
 * the report to the prosecutor is itself a follow-up kind, and provisions are counted in
 * the statistics as Labour Code articles. */
static int provision_ok(const char *v)
{
	size_t i = 1;
	int digit_seen = 0;

	if (v[0] != 'L' && v[0] != 'R' && v[0] != 'D')
		return 0;
	if (v[i] == '.')
		i++;
	for (; v[i] != '\0'; i++) {
		if (is_digit(v[i])) {
			digit_seen = 1;
		} else if ((v[i] == '-' || v[i] == '.') && digit_seen) {
			digit_seen = 0;
		} else {
			return 0;
		}
	}
	return digit_seen;
}

/* Two provisions cite the same article when equal once the dot after the letter is
 * dropped ("L4121-1" is "L.4121-1"). */
static int provision_same(const char *a, const char *b)
{
	if (a[0] != b[0])
		return 0;
	a += a[1] == '.' ? 2 : 1;
	b += b[1] == '.' ? 2 : 1;
	return strcmp(a, b) == 0;
}

/* A table of occupational diseases: 1 to 3 digits, then nothing, "bis", "ter", or one
 * upper-case letter ("57", "30bis", "4A"). */
static int table_number_ok(const char *v)
{
	size_t i = 0;

	while (i < 3 && is_digit(v[i]))
		i++;
	if (i == 0)
		return 0;
	v += i;
	return v[0] == '\0' || strcmp(v, "bis") == 0 || strcmp(v, "ter") == 0 ||
	       (v[0] >= 'A' && v[0] <= 'Z' && v[1] == '\0');
}

static enum err_code count_cap(const char *field, size_t n, const void *array, size_t max,
                               const char *what, struct err *e)
{
	if (n > max)
		return err_set(e, ERR_INVALID, field, "at most %zu %s", max, what);
	if (n > 0 && array == NULL)
		return err_set(e, ERR_INTERNAL, field, "%zu %s announced but none given", n, what);
	return ERR_OK;
}

static enum err_code victims_ok(const char *field, int victims, struct err *e)
{
	if (victims < 1 || victims > VICTIMS_MAX)
		return err_set(e, ERR_INVALID, field, "expected between 1 and %d victims",
		               VICTIMS_MAX);
	return ERR_OK;
}

static enum err_code check_target(const struct intervention *iv, struct err *e)
{
	if (present(iv->siret)) {
		if (validate_siret("siret", iv->siret, e) != ERR_OK)
			return ERR_INVALID;
		if (iv->worksite_id != 0)
			return err_set(e, ERR_INVALID, "worksite_id",
			               "must be absent when a siret is given (one target only)");
		return ERR_OK;
	}
	if (iv->worksite_id < 0)
		return err_set(e, ERR_INVALID, "worksite_id", "expected a positive id");
	if (iv->worksite_id == 0)
		return err_set(e, ERR_INVALID, "siret",
		               "is required (or a worksite_id): the establishment or worksite "
		               "controlled");
	return ERR_OK;
}

static enum err_code check_co_agents(const struct intervention *iv, struct err *e)
{
	char f[ERR_FIELD_MAX];
	enum err_code rc;

	rc = count_cap("co_agents", iv->n_co_agents, iv->co_agents, CO_AGENTS_MAX, "co-agents", e);
	if (rc != ERR_OK)
		return rc;
	for (size_t i = 0; i < iv->n_co_agents; i++) {
		int64_t id = iv->co_agents[i];

		fname(f, sizeof f, "co_agents[%zu]", i);
		if (id <= 0)
			return err_set(e, ERR_INVALID, f, "expected a positive id");
		if (id == iv->author_id)
			return err_set(e, ERR_INVALID, f, "must not be the author");
		for (size_t j = 0; j < i; j++)
			if (iv->co_agents[j] == id)
				return err_set(e, ERR_INVALID, f, "duplicate of co_agents[%zu]", j);
	}
	return ERR_OK;
}

static enum err_code check_themes(const struct intervention *iv, struct err *e)
{
	char f[ERR_FIELD_MAX];
	enum err_code rc;

	rc = count_cap("themes", iv->n_themes, iv->themes, THEMES_MAX, "themes", e);
	if (rc != ERR_OK)
		return rc;
	for (size_t i = 0; i < iv->n_themes; i++) {
		fname(f, sizeof f, "themes[%zu]", i);
		if (code(f, iv->themes[i], e) != ERR_OK)
			return ERR_INVALID;
		for (size_t j = 0; j < i; j++)
			if (strcmp(iv->themes[j], iv->themes[i]) == 0)
				return err_set(e, ERR_INVALID, f, "duplicate of themes[%zu]", j);
	}
	return ERR_OK;
}

static enum err_code check_checkpoints(const struct intervention *iv, struct err *e)
{
	char f[ERR_FIELD_MAX];
	enum err_code rc;

	rc = count_cap("checkpoints", iv->n_checkpoints, iv->checkpoints, CHECKPOINTS_MAX,
	               "checkpoints", e);
	if (rc != ERR_OK)
		return rc;
	if (iv->n_checkpoints > 0 && iv->priority_action_id == 0)
		return err_set(e, ERR_INVALID, "checkpoints",
		               "only allowed with a priority_action_id");
	for (size_t i = 0; i < iv->n_checkpoints; i++) {
		const struct checkpoint_state *c = &iv->checkpoints[i];

		fname(f, sizeof f, "checkpoints[%zu].control_point_id", i);
		if (c->control_point_id <= 0)
			return err_set(e, ERR_INVALID, f, "expected a positive id");
		for (size_t j = 0; j < i; j++)
			if (iv->checkpoints[j].control_point_id == c->control_point_id)
				return err_set(e, ERR_INVALID, f,
				               "duplicate of checkpoints[%zu].control_point_id", j);
		fname(f, sizeof f, "checkpoints[%zu].state", i);
		if (validate_enum(f, c->state, checkpoint_states, e) != ERR_OK)
			return ERR_INVALID;
	}
	return ERR_OK;
}

/* iv->date is already known valid. */
static enum err_code check_followup(const struct intervention *iv, size_t i, int32_t today,
                                    struct err *e)
{
	const struct followup *fu = &iv->followups[i];
	char f[ERR_FIELD_MAX];
	int32_t start, d;
	enum err_code rc;

	if (code(fname(f, sizeof f, "followups[%zu].kind", i), fu->kind, e) != ERR_OK)
		return ERR_INVALID;
	fname(f, sizeof f, "followups[%zu].date", i);
	if (past_date(f, fu->date, today, e) != ERR_OK)
		return ERR_INVALID;
	date_parse(iv->date, &start);
	date_parse(fu->date, &d);
	if (d < start)
		return err_set(e, ERR_INVALID, f, "must not be before the intervention's date (%s)",
		               iv->date);
	fname(f, sizeof f, "followups[%zu].status", i);
	if (validate_enum(f, fu->status, followup_statuses, e) != ERR_OK)
		return ERR_INVALID;
	fname(f, sizeof f, "followups[%zu].provisions", i);
	rc = count_cap(f, fu->n_provisions, fu->provisions, PROVISIONS_MAX, "provisions", e);
	if (rc != ERR_OK)
		return rc;
	for (size_t j = 0; j < fu->n_provisions; j++) {
		const char *p = fu->provisions[j];

		fname(f, sizeof f, "followups[%zu].provisions[%zu]", i, j);
		if (!present(p))
			return required(f, e);
		if (strlen(p) > PROVISION_LEN_MAX || !provision_ok(p))
			return err_set(e, ERR_INVALID, f,
			               "expected a Labour Code article such as L.4121-1, R.4323-58 "
			               "or D.4153-15 (at most %d characters)", PROVISION_LEN_MAX);
		for (size_t k = 0; k < j; k++)
			if (provision_same(fu->provisions[k], p))
				return err_set(e, ERR_INVALID, f,
				               "duplicate of followups[%zu].provisions[%zu]", i, k);
	}
	return ERR_OK;
}

static enum err_code check_followups(const struct intervention *iv, int32_t today,
                                     struct err *e)
{
	enum err_code rc;

	rc = count_cap("followups", iv->n_followups, iv->followups, FOLLOWUPS_MAX, "follow-ups",
	               e);
	for (size_t i = 0; rc == ERR_OK && i < iv->n_followups; i++)
		rc = check_followup(iv, i, today, e);
	return rc;
}

static enum err_code check_accidents(const struct intervention *iv, int32_t today,
                                     struct err *e)
{
	char f[ERR_FIELD_MAX];
	enum err_code rc;

	rc = count_cap("accidents", iv->n_accidents, iv->accidents, ACCIDENTS_MAX, "accidents", e);
	if (rc != ERR_OK)
		return rc;
	for (size_t i = 0; i < iv->n_accidents; i++) {
		const struct accident *a = &iv->accidents[i];

		if (past_date(fname(f, sizeof f, "accidents[%zu].date", i), a->date, today, e) ||
		    validate_enum(fname(f, sizeof f, "accidents[%zu].severity", i), a->severity,
		                  severities, e) ||
		    victims_ok(fname(f, sizeof f, "accidents[%zu].victims", i), a->victims, e))
			return ERR_INVALID;
	}
	return ERR_OK;
}

static enum err_code check_diseases(const struct intervention *iv, int32_t today,
                                    struct err *e)
{
	char f[ERR_FIELD_MAX];
	enum err_code rc;

	rc = count_cap("diseases", iv->n_diseases, iv->diseases, DISEASES_MAX, "diseases", e);
	if (rc != ERR_OK)
		return rc;
	for (size_t i = 0; i < iv->n_diseases; i++) {
		const struct disease *d = &iv->diseases[i];

		/* Not after today either: a disease recorded in the future is a typing error. */
		if (past_date(fname(f, sizeof f, "diseases[%zu].date", i), d->date, today, e))
			return ERR_INVALID;
		fname(f, sizeof f, "diseases[%zu].table_number", i);
		if (!present(d->table_number))
			return required(f, e);
		if (strlen(d->table_number) > TABLE_NUMBER_MAX || !table_number_ok(d->table_number))
			return err_set(e, ERR_INVALID, f,
			               "expected a table number such as 57, 30bis or 4A");
		if (victims_ok(fname(f, sizeof f, "diseases[%zu].victims", i), d->victims, e))
			return ERR_INVALID;
	}
	return ERR_OK;
}

/* Checks in the order of the struct's fields; the first error is reported. today may be
 * NULL for the current UTC date (date_today()); an invalid today is the caller's bug
 * (ERR_INTERNAL), as is a count with a NULL array. iv->id and on_site are not checked
 * (the store sets the one and stores the other as a boolean). */
enum err_code validate_intervention(const struct intervention *iv, const char *today,
                                    struct err *e)
{
	int32_t now;
	enum err_code rc;

	if (iv == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "no intervention given");
	if (today == NULL)
		now = date_today();
	else if (date_parse(today, &now) != 0)
		return err_set(e, ERR_INTERNAL, "today", "expected a date as YYYY-MM-DD");
	if (past_date("date", iv->date, now, e) != ERR_OK || code("kind", iv->kind, e) != ERR_OK ||
	    check_target(iv, e) != ERR_OK)
		return ERR_INVALID;
	if (iv->author_id <= 0)
		return err_set(e, ERR_INVALID, "author_id", "expected a positive id");
	if (iv->priority_action_id < 0)
		return err_set(e, ERR_INVALID, "priority_action_id",
		               "expected a positive id, or 0 for none");
	if (validate_text("note", iv->note, 0, NOTE_MAX, 1, e) != ERR_OK ||
	    validate_enum("status", iv->status, intervention_statuses, e) != ERR_OK)
		return ERR_INVALID;
	if (present(iv->created_at) && !stamp_ok(iv->created_at))
		return err_set(e, ERR_INVALID, "created_at",
		               "expected a UTC time as YYYY-MM-DDTHH:MM:SSZ");
	if ((rc = check_co_agents(iv, e)) != ERR_OK || (rc = check_themes(iv, e)) != ERR_OK ||
	    (rc = check_checkpoints(iv, e)) != ERR_OK || (rc = check_followups(iv, now, e)) ||
	    (rc = check_accidents(iv, now, e)) || (rc = check_diseases(iv, now, e)))
		return rc;
	return ERR_OK;
}

enum err_code validate_login(const char *field, const char *v, struct err *e)
{
	if (v == NULL || v[0] == '\0')
		return err_set(e, ERR_INVALID, field, "is required");
	if (strlen(v) > 64)
		return err_set(e, ERR_INVALID, field, "expected at most 64 characters");
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '-' || *p == '_'))
			return err_set(e, ERR_INVALID, field,
			               "expected lower-case letters, digits, '.', '-' or '_'");
	return ERR_OK;
}

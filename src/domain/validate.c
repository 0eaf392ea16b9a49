/* validate: TEMPORARY stub that accepts everything; being replaced by the real rules. */
#include "domain/validate.h"

enum err_code validate_text(const char *field, const char *v, size_t min, size_t max, int multiline, struct err *e)
{
	(void)field;
	(void)v;
	(void)min;
	(void)max;
	(void)multiline;
	(void)e;
	return ERR_OK;
}

int validate_utf8(const char *s, size_t n)
{
	(void)s;
	(void)n;
	return 1;
}

enum err_code validate_siren(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_siret(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_naf(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_commune(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_postcode(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_date(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_date_order(const char *later_field, const char *earlier, const char *later, struct err *e)
{
	(void)later_field;
	(void)earlier;
	(void)later;
	(void)e;
	return ERR_OK;
}

enum err_code validate_enum(const char *field, const char *v, const char *const *allowed, struct err *e)
{
	(void)field;
	(void)v;
	(void)allowed;
	(void)e;
	return ERR_OK;
}

enum err_code validate_headcount_band(const char *field, const char *v, struct err *e)
{
	(void)field;
	(void)v;
	(void)e;
	return ERR_OK;
}

enum err_code validate_establishment(const struct establishment *est, struct err *e)
{
	(void)est;
	(void)e;
	return ERR_OK;
}

enum err_code validate_legal_unit(const struct legal_unit *u, struct err *e)
{
	(void)u;
	(void)e;
	return ERR_OK;
}

enum err_code validate_intervention(const struct intervention *iv, const char *today, struct err *e)
{
	(void)iv;
	(void)today;
	(void)e;
	return ERR_OK;
}

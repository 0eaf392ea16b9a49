/* form: a bounded parser for application/x-www-form-urlencoded request bodies. */
#include "web/web.h"

#include <string.h>
#include <strings.h>

enum err_code web_form_parse(struct http_request *req, const char *body, size_t len,
                             struct web_form *form, struct err *e)
{
	const char *p = body, *end = body + len;
	struct http_param *pairs;
	size_t n = 0;

	form->f = NULL;
	form->n = 0;
	if (len == 0)
		return ERR_OK;
	/* Counts the separators first, so that the array is allocated once and bounded. */
	for (const char *q = body; q < end; q++)
		if (*q == '&')
			n++;
	if (n + 1 > WEB_FORM_MAX_FIELDS)
		n = WEB_FORM_MAX_FIELDS - 1;
	pairs = http_alloc(req, (n + 2) * sizeof *pairs);
	n = 0;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		const char *name_end = eq ? eq : stop;
		const char *val = eq ? eq + 1 : stop;
		char *name = NULL, *value = NULL;

		if (stop == p) {
			p = stop + 1;
			continue;
		}
		if (n == WEB_FORM_MAX_FIELDS)
			return err_set(e, ERR_TOO_BIG, "body", "the form holds more than %d fields",
			               WEB_FORM_MAX_FIELDS);
		/* A decoded string is never longer than its encoding: cap on the encoded
		 * length only when it is large, then on the decoded length. */
		if ((size_t)(name_end - p) > WEB_FORM_MAX_NAME * 3 ||
		    (size_t)(stop - val) > WEB_FORM_MAX_VALUE * 3)
			return err_set(e, ERR_TOO_BIG, "body", "a form field is too long");
		if (http_percent_decode(req, p, (size_t)(name_end - p), 1, &name) != ERR_OK ||
		    http_percent_decode(req, val, (size_t)(stop - val), 1, &value) != ERR_OK)
			return err_set(e, ERR_INVALID, "body",
			               "the form is malformed (bad escape or invalid UTF-8)");
		if (strlen(name) > WEB_FORM_MAX_NAME)
			return err_set(e, ERR_TOO_BIG, "body", "a form field name is too long");
		if (strlen(value) > WEB_FORM_MAX_VALUE)
			return err_set(e, ERR_TOO_BIG, name, "expected at most %d bytes",
			               WEB_FORM_MAX_VALUE);
		pairs[n].name = name;
		pairs[n].value = value;
		n++;
		p = stop + 1;
	}
	form->f = pairs;
	form->n = n;
	return ERR_OK;
}

const char *web_form_get(const struct web_form *form, const char *name)
{
	return web_form_nth(form, name, 0);
}

size_t web_form_count(const struct web_form *form, const char *name)
{
	size_t k = 0;

	for (size_t i = 0; i < form->n; i++)
		k += strcmp(form->f[i].name, name) == 0;
	return k;
}

const char *web_form_nth(const struct web_form *form, const char *name, size_t i)
{
	for (size_t j = 0; j < form->n; j++)
		if (strcmp(form->f[j].name, name) == 0 && i-- == 0)
			return form->f[j].value;
	return NULL;
}

int web_form_has(const struct web_form *form, const char *name, const char *value)
{
	for (size_t j = 0; j < form->n; j++)
		if (strcmp(form->f[j].name, name) == 0 && strcmp(form->f[j].value, value) == 0)
			return 1;
	return 0;
}

enum err_code web_form_read(struct http_request *req, struct web_form *form, struct err *e)
{
	const char *ct = http_header(req, "Content-Type");

	form->f = NULL;
	form->n = 0;
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
	    (ct[33] != '\0' && ct[33] != ';' && ct[33] != ' '))
		return err_set(e, ERR_INVALID, "body", "expected a form");
	if (req->body_too_big)
		return err_set(e, ERR_TOO_BIG, "body", "the form is too big");
	return web_form_parse(req, buf_str(&req->body), req->body.len, form, e);
}

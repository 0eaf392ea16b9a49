/* api-json: strict reading of JSON request bodies, and small JSON helpers. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "domain/validate.h"

enum err_code api_body_object(struct http_request *req, json_t **out, struct err *e)
{
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (http_require_content_type(req, "application/json") != ERR_OK)
		return err_set(e, ERR_INVALID, "body", "expected Content-Type: application/json");
	j = json_loadb(buf_str(&req->body), req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL || !json_is_object(j)) {
		if (j)
			err_set(e, ERR_INVALID, "body", "expected a JSON object");
		else
			err_set(e, ERR_INVALID, "body", "malformed JSON at line %d, column %d: %s",
			        jerr.line, jerr.column, jerr.text);
		json_decref(j);
		http_reply_error_flags(req, e, HTTP_ERR_SYNTAX);
		return ERR_INVALID;
	}
	*out = j;
	return ERR_OK;
}

const char *api_field(struct http_request *req, const char *prefix, const char *name)
{
	size_t n;
	char *f;

	if (prefix == NULL || prefix[0] == '\0')
		return name;
	n = strlen(prefix) + strlen(name) + 2;
	f = http_alloc(req, n);
	snprintf(f, n, "%s.%s", prefix, name);
	return f;
}

enum err_code api_only_fields(struct http_request *req, const json_t *obj, const char *prefix,
                              const char *const *allowed, struct err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;

		(void)v;
		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (allowed[i] == NULL)
			return err_set(e, ERR_INVALID, key[0] ? api_field(req, prefix, key) : "body",
			               key[0] ? "unknown field" : "a member with an empty name");
	}
	return ERR_OK;
}

enum err_code api_get_string(struct http_request *req, const json_t *obj, const char *prefix,
                             const char *name, int required, const char **out, struct err *e)
{
	const json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return err_set(e, ERR_INVALID, api_field(req, prefix, name), "is required");
		return ERR_OK;
	}
	if (!json_is_string(v))
		return err_set(e, ERR_INVALID, api_field(req, prefix, name), "expected a string");
	/* jansson validates UTF-8 on input; a NUL inside the string is refused here. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_set(e, ERR_INVALID, api_field(req, prefix, name),
		               "expected text without NUL characters");
	*out = http_strndup(req, json_string_value(v), json_string_length(v));
	return ERR_OK;
}

enum err_code api_get_bool(struct http_request *req, const json_t *obj, const char *prefix,
                           const char *name, int *out, struct err *e)
{
	const json_t *v = json_object_get(obj, name);

	if (v == NULL)
		return ERR_OK;
	if (!json_is_boolean(v))
		return err_set(e, ERR_INVALID, api_field(req, prefix, name), "expected true or false");
	*out = json_is_true(v);
	return ERR_OK;
}

enum err_code api_get_int(struct http_request *req, const json_t *obj, const char *prefix,
                          const char *name, int64_t min, int64_t max, int64_t *out,
                          struct err *e)
{
	const json_t *v = json_object_get(obj, name);
	json_int_t x;

	if (v == NULL || json_is_null(v))
		return ERR_OK;
	if (!json_is_integer(v))
		return err_set(e, ERR_INVALID, api_field(req, prefix, name), "expected a whole number");
	x = json_integer_value(v);
	if (x < min || x > max)
		return err_set(e, ERR_INVALID, api_field(req, prefix, name),
		               "expected a number between %lld and %lld", (long long)min,
		               (long long)max);
	*out = x;
	return ERR_OK;
}

enum err_code api_get_strings(struct http_request *req, const json_t *obj, const char *prefix,
                              const char *name, size_t max, const char *const **out, size_t *n,
                              struct err *e)
{
	const json_t *v = json_object_get(obj, name);
	const char **items;
	char sub[64];

	*out = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return ERR_OK;
	if (!json_is_array(v))
		return err_set(e, ERR_INVALID, api_field(req, prefix, name), "expected a list");
	if (json_array_size(v) > max)
		return err_set(e, ERR_INVALID, api_field(req, prefix, name),
		               "expected at most %zu items", max);
	items = http_alloc(req, (json_array_size(v) + 1) * sizeof *items);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *it = json_array_get(v, i);

		snprintf(sub, sizeof sub, "%s[%zu]", name, i);
		if (!json_is_string(it) || strlen(json_string_value(it)) != json_string_length(it))
			return err_set(e, ERR_INVALID, api_field(req, prefix, sub), "expected a string");
		items[i] = http_strdup(req, json_string_value(it));
	}
	*out = items;
	*n = json_array_size(v);
	return ERR_OK;
}

enum err_code api_reply(struct http_request *req, int status, json_t *j, struct err *e)
{
	enum err_code rc;

	if (j == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "cannot build the response");
	rc = http_reply_json(req, status, j);
	json_decref(j);
	if (rc != ERR_OK)
		return err_set(e, rc, NULL, "the response is too large");
	return ERR_OK;
}

json_t *api_str(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	return j ? j : json_string("\xEF\xBF\xBD"); /* stored text is validated: never here */
}

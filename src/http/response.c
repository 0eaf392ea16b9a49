/* response: headers, bodies and the mapping of enum err_code to HTTP statuses. The only
 * place in Constat where an error becomes a status. */
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "web/html.h"

/* ---- Headers ---------------------------------------------------------------------- */

/* RFC 9110 token characters. */
static int is_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int valid_name(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (!is_tchar(*p))
			return 0;
	return 1;
}

/* No CR, LF or other control byte (tab is allowed); bytes >= 0x80 pass (opaque). */
static int valid_value(const char *value)
{
	if (value == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
			return 0;
	return 1;
}

enum err_code http_set_header(struct http_request *req, const char *name, const char *value)
{
	struct http_response *r = &req->resp;
	size_t i = r->n_headers;

	if (!valid_name(name) || !valid_value(value)) {
		log_warn("http: refused a response header with a bad name or a control byte");
		return ERR_INVALID;
	}
	if (strcasecmp(name, "Set-Cookie") != 0)
		for (i = 0; i < r->n_headers; i++)
			if (strcasecmp(r->headers[i].name, name) == 0)
				break;
	if (i == HTTP_MAX_RESP_HEADERS)
		return ERR_TOO_BIG;
	r->headers[i].name = http_strdup(req, name);
	r->headers[i].value = http_strdup(req, value);
	if (i == r->n_headers)
		r->n_headers++;
	return ERR_OK;
}

const char *http_resp_header(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->resp.n_headers; i++)
		if (strcasecmp(req->resp.headers[i].name, name) == 0)
			return req->resp.headers[i].value;
	return NULL;
}

/* ---- Bodies ----------------------------------------------------------------------- */

enum err_code http_reply(struct http_request *req, int status, const char *content_type,
                         const void *body, size_t len)
{
	buf_reset(&req->resp.body);
	if (buf_append(&req->resp.body, body, len) != ERR_OK) {
		log_error("http: a %zu-byte response body passes the cap", len);
		http_reply_error(req, NULL);
		return ERR_TOO_BIG;
	}
	req->resp.status = status;
	if (content_type)
		http_set_header(req, "Content-Type", content_type);
	return ERR_OK;
}

enum err_code http_reply_json(struct http_request *req, int status, const json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	enum err_code rc;

	if (text == NULL) {
		log_error("http: cannot serialise a JSON reply");
		http_reply_error(req, NULL);
		return ERR_INTERNAL;
	}
	rc = http_reply(req, status, "application/json; charset=utf-8", text, strlen(text));
	free(text);
	return rc;
}

enum err_code http_reply_html(struct http_request *req, int status, const struct buf *html)
{
	return http_reply(req, status, "text/html; charset=utf-8", buf_str(html), html->len);
}

/* ---- Errors ----------------------------------------------------------------------- */

int http_status_for_err(enum err_code code, unsigned flags)
{
	switch (code) {
	case ERR_INVALID:
		return (flags & HTTP_ERR_SYNTAX) ? 400 : 422;
	case ERR_NOT_FOUND:
		return 404;
	case ERR_CONFLICT:
		return 409;
	case ERR_TOO_BIG:
		return 413;
	case ERR_DENIED:
		return 403;
	case ERR_AUTH:
		return 401;
	case ERR_BUSY:
	case ERR_STORE:
		return 503;
	case ERR_OK:
	case ERR_IO:
	case ERR_INTERNAL:
	default:
		return 500;
	}
}

/* Writes the error document; field may be NULL or "". Never fails: when even this
 * cannot be built, the reply is a bare status. */
static void reply_error_doc(struct http_request *req, int status, const char *code,
                            const char *message, const char *field)
{
	json_t *doc = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message",
	                        message, "field",
	                        field && field[0] ? json_string(field) : json_null());

	if (doc == NULL || http_reply_json(req, status, doc) != ERR_OK) {
		buf_reset(&req->resp.body);
		req->resp.status = status;
	}
	json_decref(doc);
}

void http_reply_error_flags(struct http_request *req, const struct err *e, unsigned flags)
{
	enum err_code code = e ? e->code : ERR_INTERNAL;
	int status;
	const char *msg, *field;

	if (code == ERR_OK)
		code = ERR_INTERNAL; /* a handler failed without saying how: a bug */
	status = http_status_for_err(code, flags);
	msg = e && e->msg[0] ? e->msg : err_code_name(code);
	if (status >= 500) {
		char text[ERR_FIELD_MAX + ERR_MSG_MAX + 8];

		if (e)
			log_error("http: %s (%s)", err_text(e, text, sizeof text),
			          err_code_name(code));
		msg = status == 503 ? "the service is unavailable, try again later"
		                    : "internal error";
		reply_error_doc(req, status, err_code_name(code), msg, NULL);
		if (code == ERR_BUSY)
			http_set_header(req, "Retry-After", "1");
		return;
	}
	/* JSON strings must be UTF-8 (jansson refuses anything else): a message that is not
	 * falls back to the bare code name. */
	if (!html_utf8_valid(msg, strlen(msg)))
		msg = err_code_name(code);
	field = e ? e->field : NULL;
	if (field && !html_utf8_valid(field, strlen(field)))
		field = NULL;
	reply_error_doc(req, status, err_code_name(code), msg, field);
}

void http_reply_error(struct http_request *req, const struct err *e)
{
	http_reply_error_flags(req, e, 0);
}

void http_reply_status(struct http_request *req, int status, const char *code,
                       const char *message)
{
	reply_error_doc(req, status, code, message, NULL);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "";
	}
}

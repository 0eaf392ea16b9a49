/* request: the request context, its arena, target parsing, lookups and cookies. */
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "core/xalloc.h"
#include "web/html.h"

/* One arena allocation: a header followed by the caller's bytes. */
struct http_chunk {
	struct http_chunk *next;
	max_align_t data[];
};

void http_request_init(struct http_request *req, size_t max_body)
{
	memset(req, 0, sizeof *req);
	buf_init(&req->body, max_body);
	buf_init(&req->resp.body, HTTP_MAX_RESP_BODY);
}

void http_request_release(struct http_request *req)
{
	struct http_chunk *c = req->arena, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	req->arena = NULL;
	if (req->user && req->user_free)
		req->user_free(req->user);
	req->user = NULL;
	buf_release(&req->body);
	buf_release(&req->resp.body);
}

void *http_alloc(struct http_request *req, size_t n)
{
	struct http_chunk *c;

	if (n > SIZE_MAX - sizeof *c)
		abort();
	c = xcalloc(1, sizeof *c + n);
	c->next = req->arena;
	req->arena = c;
	return c->data;
}

char *http_strndup(struct http_request *req, const char *s, size_t n)
{
	char *p = http_alloc(req, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *http_strdup(struct http_request *req, const char *s)
{
	return http_strndup(req, s, strlen(s));
}

/* ---- Target parsing --------------------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum err_code http_percent_decode(struct http_request *req, const char *s, size_t n,
                                  int plus_is_space, char **out)
{
	char *d = http_alloc(req, n + 1);
	size_t i, k = 0;

	*out = NULL;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return ERR_INVALID;
			hi = hex_value(s[i + 1]);
			lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return ERR_INVALID;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		d[k++] = c;
	}
	d[k] = '\0';
	if (!html_utf8_valid(d, k))
		return ERR_INVALID; /* also catches a decoded NUL */
	*out = d;
	return ERR_OK;
}

static enum err_code parse_path(struct http_request *req, const char *path, size_t len,
                                struct err *e)
{
	size_t i = 1, start;

	req->n_segments = 0;
	if (len == 1)
		return ERR_OK; /* "/": no segment */
	while (i <= len) {
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (req->n_segments == HTTP_MAX_SEGMENTS)
			return err_set(e, ERR_INVALID, "path", "the path has more than %d segments",
			               HTTP_MAX_SEGMENTS);
		if (http_percent_decode(req, path + start, i - start, 0,
		                        &req->segments[req->n_segments]) != ERR_OK)
			return err_set(e, ERR_INVALID, "path",
			               "the path holds a bad percent-encoding or invalid UTF-8");
		req->n_segments++;
		i++; /* past the '/' (or past the end) */
	}
	return ERR_OK;
}

static enum err_code parse_query(struct http_request *req, const char *q, struct err *e)
{
	size_t n = strlen(q), i = 0, count = 1;

	for (size_t k = 0; k < n; k++)
		count += q[k] == '&';
	if (count > HTTP_MAX_QUERY_PARAMS) /* counts empty pairs too: a cheap upper bound */
		return err_set(e, ERR_INVALID, "query", "more than %d query parameters",
		               HTTP_MAX_QUERY_PARAMS);
	req->query = http_alloc(req, count * sizeof *req->query);
	req->n_query = 0;
	while (i < n) {
		size_t start = i, eq, nlen, vlen;
		char *name, *value;

		while (i < n && q[i] != '&')
			i++;
		if (i == start) { /* "a=1&&b=2": an empty pair is skipped */
			i++;
			continue;
		}
		for (eq = start; eq < i && q[eq] != '='; eq++)
			;
		nlen = eq - start;
		vlen = eq < i ? i - eq - 1 : 0;
		if (nlen > HTTP_MAX_PARAM_LEN * 3 || vlen > HTTP_MAX_PARAM_LEN * 3)
			return err_set(e, ERR_INVALID, "query",
			               "a query parameter is longer than %d bytes",
			               HTTP_MAX_PARAM_LEN);
		if (http_percent_decode(req, q + start, nlen, 1, &name) != ERR_OK ||
		    http_percent_decode(req, q + (eq < i ? eq + 1 : i), vlen, 1, &value) != ERR_OK)
			return err_set(e, ERR_INVALID, "query", "the query string holds a bad "
			               "percent-encoding or invalid UTF-8");
		if (name[0] == '\0')
			return err_set(e, ERR_INVALID, "query", "a query parameter has no name");
		if (strlen(name) > HTTP_MAX_PARAM_LEN || strlen(value) > HTTP_MAX_PARAM_LEN)
			return err_set(e, ERR_INVALID, strlen(name) <= 60 ? name : "query",
			               "longer than %d bytes", HTTP_MAX_PARAM_LEN);
		req->query[req->n_query].name = name;
		req->query[req->n_query].value = value;
		req->n_query++;
		i++;
	}
	return ERR_OK;
}

enum err_code http_request_set_target(struct http_request *req, const char *method,
                                      const char *target, struct err *e)
{
	const char *q;
	size_t plen;
	enum err_code rc;

	req->method = http_strdup(req, method ? method : "");
	req->target = http_strdup(req, target ? target : "");
	q = strchr(req->target, '?');
	plen = q ? (size_t)(q - req->target) : strlen(req->target);
	req->path = http_strndup(req, req->target, plen);
	if (req->path[0] != '/')
		return err_set(e, ERR_INVALID, "path", "the request target must start with '/'");
	rc = parse_path(req, req->path, plen, e);
	if (rc == ERR_OK && q != NULL)
		rc = parse_query(req, q + 1, e);
	if (rc != ERR_OK) {
		req->n_segments = 0;
		req->n_query = 0;
	}
	return rc;
}

/* ---- Lookups ---------------------------------------------------------------------- */

const char *http_query(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_query; i++)
		if (strcmp(req->query[i].name, name) == 0)
			return req->query[i].value;
	return NULL;
}

size_t http_query_count(const struct http_request *req, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < req->n_query; i++)
		n += strcmp(req->query[i].name, name) == 0;
	return n;
}

enum err_code http_query_single(const struct http_request *req, const char *name,
                                const char **value, struct err *e)
{
	*value = NULL;
	if (http_query_count(req, name) > 1)
		return err_set(e, ERR_INVALID, name, "this parameter may appear only once");
	*value = http_query(req, name);
	return ERR_OK;
}

const char *http_param(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

const char *http_header(struct http_request *req, const char *name)
{
	if (req->conn)
		return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
	for (size_t i = 0; i < req->n_test_headers; i++)
		if (strcasecmp(req->test_headers[i].name, name) == 0)
			return req->test_headers[i].value;
	return NULL;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

void http_cookies_parse(struct http_request *req, const char *header)
{
	const char *p = header;

	req->cookies_parsed = 1;
	req->n_cookies = 0;
	while (p && *p && req->n_cookies < HTTP_MAX_COOKIES) {
		const char *end = strchr(p, ';'), *eq, *ns, *ne, *vs, *ve;

		if (end == NULL)
			end = p + strlen(p);
		ns = p;
		while (ns < end && is_ows(*ns))
			ns++;
		eq = memchr(ns, '=', (size_t)(end - ns));
		if (eq != NULL && eq > ns) {
			ne = eq;
			while (ne > ns && is_ows(ne[-1]))
				ne--;
			vs = eq + 1;
			ve = end;
			while (vs < ve && is_ows(*vs))
				vs++;
			while (ve > vs && is_ows(ve[-1]))
				ve--;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			if ((size_t)(ve - vs) <= HTTP_MAX_COOKIE_LEN && ne > ns) {
				struct http_param *c = &req->cookies[req->n_cookies++];

				c->name = http_strndup(req, ns, (size_t)(ne - ns));
				c->value = http_strndup(req, vs, (size_t)(ve - vs));
			}
		}
		p = *end ? end + 1 : end;
	}
}

const char *http_cookie(struct http_request *req, const char *name)
{
	if (!req->cookies_parsed)
		http_cookies_parse(req, http_header(req, "Cookie"));
	for (size_t i = 0; i < req->n_cookies; i++)
		if (strcmp(req->cookies[i].name, name) == 0)
			return req->cookies[i].value;
	return NULL;
}

enum err_code http_require_content_type(struct http_request *req, const char *want)
{
	const char *ct = http_header(req, "Content-Type");
	size_t n, wn = strlen(want);
	char msg[160];

	if (ct != NULL) {
		while (is_ows(*ct))
			ct++;
		n = strcspn(ct, "; \t");
		if (n == wn && strncasecmp(ct, want, n) == 0)
			return ERR_OK;
	}
	snprintf(msg, sizeof msg, "the request body must be sent as %s", want);
	http_reply_status(req, 415, "unsupported_media_type", msg);
	return ERR_INVALID;
}

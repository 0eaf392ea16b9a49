/* router: matching request paths against the route tables, and dispatch. */
#include "http/router.h"

#include <string.h>

#include "core/log.h"

/* Matches pattern against the request's segments; fills req->params (names and values
 * copied into the arena) only when fill is set. Returns 1 on a match. */
static int match_pattern(const char *pattern, struct http_request *req, int fill)
{
	const char *p = pattern;
	size_t seg = 0, n_params = 0;

	if (p[0] != '/')
		return 0;
	if (p[1] == '\0')
		return req->n_segments == 0;
	while (*p == '/') {
		const char *start = ++p, *end;
		size_t len;

		end = strchr(start, '/');
		if (end == NULL)
			end = start + strlen(start);
		len = (size_t)(end - start);
		if (seg == req->n_segments)
			return 0;
		if (len >= 2 && start[0] == '{' && end[-1] == '}') {
			if (req->segments[seg][0] == '\0' || n_params == HTTP_MAX_PATH_PARAMS)
				return 0;
			if (fill) {
				req->params[n_params].name = http_strndup(req, start + 1, len - 2);
				req->params[n_params].value = req->segments[seg];
			}
			n_params++;
		} else if (strlen(req->segments[seg]) != len ||
		           memcmp(req->segments[seg], start, len) != 0) {
			return 0;
		}
		seg++;
		p = end;
	}
	if (seg != req->n_segments)
		return 0;
	if (fill)
		req->n_params = n_params;
	return 1;
}

static void allow_add(struct buf *allow, const char *method)
{
	const char *s = buf_str(allow);
	size_t n = strlen(method);

	/* Skip a method already listed. */
	for (const char *p = s; (p = strstr(p, method)) != NULL; p += n)
		if ((p == s || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return;
	if (allow->len)
		buf_puts(allow, ", ");
	buf_puts(allow, method);
}

enum http_match http_router_match(const struct http_route *const *tables,
                                  struct http_request *req, struct buf *allow)
{
	const char *method = req->method;
	int path_seen = 0;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	req->route = NULL;
	req->n_params = 0;
	for (const struct http_route *const *t = tables; *t; t++) {
		for (const struct http_route *r = *t; r->method; r++) {
			if (!match_pattern(r->pattern, req, 0))
				continue;
			if (strcmp(r->method, method) == 0) {
				match_pattern(r->pattern, req, 1);
				req->route = r;
				return HTTP_MATCH_OK;
			}
			path_seen = 1;
			if (allow) {
				allow_add(allow, r->method);
				if (strcmp(r->method, "GET") == 0)
					allow_add(allow, "HEAD");
			}
		}
	}
	return path_seen ? HTTP_MATCH_NO_METHOD : HTTP_MATCH_NO_PATH;
}

/* 1 when the router's error reply for req should be an HTML page (see http_page_error). */
static int page_error(const struct http_request *req)
{
	return http_page_error && req->path && strncmp(req->path, "/api/", 5) != 0 &&
	       strcmp(req->path, "/api") != 0;
}

void http_router_dispatch(const struct http_router *r, struct http_request *req)
{
	struct buf allow;
	struct err e = {0};
	enum err_code rc;

	buf_init(&allow, 256);
	switch (http_router_match(r->tables, req, &allow)) {
	case HTTP_MATCH_NO_PATH:
		http_reply_status(req, 404, "not_found", "no such page or resource");
		if (page_error(req))
			http_page_error(req, 404, NULL);
		goto out;
	case HTTP_MATCH_NO_METHOD:
		http_reply_status(req, 405, "method_not_allowed",
		                  "this method is not allowed here (see the Allow header)");
		http_set_header(req, "Allow", buf_str(&allow));
		if (page_error(req))
			http_page_error(req, 405, NULL);
		goto out;
	case HTTP_MATCH_OK:
		break;
	}
	if (r->before) {
		rc = r->before(r->before_ctx, req, req->route, &e);
	} else if (req->route->flags & (HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF)) {
		rc = err_set(&e, ERR_AUTH, NULL, "authentication is not available");
	} else {
		rc = ERR_OK;
	}
	if (rc == ERR_OK)
		rc = req->route->handler(req, &e);
	if (rc != ERR_OK && req->resp.status == 0) {
		if (e.code == ERR_OK)
			err_set(&e, rc, NULL, "%s", err_code_name(rc));
		http_reply_error(req, &e);
		if (page_error(req))
			http_page_error(req, req->resp.status, &e);
	} else if (rc == ERR_OK && req->resp.status == 0) {
		log_error("http: the handler of %s %s set no reply", req->route->method,
		          req->route->pattern);
		http_reply_error(req, NULL);
	}
out:
	buf_release(&allow);
}

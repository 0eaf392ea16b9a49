/* router: table-driven dispatch. Each module exports a const array of routes ending with
 * an entry whose method is NULL; src/http/routes.c lists those arrays (NULL-terminated)
 * in http_route_tables. Patterns are literal segments and {name} captures, e.g.
 * "/api/v1/interventions/{id}/followups"; a capture matches one non-empty decoded
 * segment. No path match gives 404; a path matched with other methods gives 405 with an
 * Allow header; HEAD is served by the GET route (the server sends no body). */
#ifndef HTTP_ROUTER_H
#define HTTP_ROUTER_H

#include "core/buf.h"
#include "core/err.h"
#include "http/request.h"

/* Route flags: declared here, enforced by the before hook (the auth layer). When no hook
 * is installed, routes with HTTP_ROUTE_AUTH or HTTP_ROUTE_CSRF are refused (401): the
 * layer fails closed. */
enum http_route_flags {
	HTTP_ROUTE_AUTH = 1 << 0,     /* needs an authenticated user */
	HTTP_ROUTE_CSRF = 1 << 1,     /* a state-changing form or call: needs a CSRF check */
	HTTP_ROUTE_LOG_PATTERN = 1 << 2, /* the path holds a secret: log the pattern instead */
};

/* A handler fills req->resp through the reply helpers and returns ERR_OK; or returns an
 * error code with e filled, and the router replies with http_reply_error (unless the
 * handler already set a reply, e.g. through http_require_content_type). */
typedef enum err_code (*http_handler_fn)(struct http_request *req, struct err *e);

struct http_route {
	const char *method;         /* "GET", "POST"...; NULL ends a table */
	const char *pattern;
	http_handler_fn handler;
	unsigned flags;             /* enum http_route_flags */
};

/* Called after a route matched and before its handler: opens the database handle,
 * authenticates, checks the route's flags. A non-OK return stops the request with that
 * error (or with the reply the hook set). */
typedef enum err_code (*http_before_fn)(void *ctx, struct http_request *req,
                                        const struct http_route *route, struct err *e);

struct http_router {
	const struct http_route *const *tables; /* NULL-terminated list of route arrays */
	http_before_fn before;      /* may be NULL */
	void *before_ctx;
};

enum http_match {
	HTTP_MATCH_OK,
	HTTP_MATCH_NO_PATH,         /* 404 */
	HTTP_MATCH_NO_METHOD,       /* 405 */
};

/* Looks req's method and segments up in tables. On HTTP_MATCH_OK sets req->route and
 * req->params; on HTTP_MATCH_NO_METHOD writes the allowed methods ("GET, HEAD, POST")
 * into allow (may be NULL). The first matching route in table order wins. */
enum http_match http_router_match(const struct http_route *const *tables,
                                  struct http_request *req, struct buf *allow);

/* Matches and runs the route, leaving the reply in req->resp (404, 405 with Allow, the
 * hook's or the handler's error, or the handler's reply). */
void http_router_dispatch(const struct http_router *r, struct http_request *req);

/* The route tables of the program, NULL-terminated (src/http/routes.c). */
extern const struct http_route *const http_route_tables[];

/* Error pages for browser paths: when not NULL (set in src/http/routes.c), the error
 * replies the router writes itself (404, 405, and a hook's or handler's error that set no
 * reply) for paths outside /api/ are rendered by this function (an HTML page) instead of
 * the JSON error document; e is NULL for 404 and 405. Headers already set (Allow) stay. */
typedef void (*http_page_error_fn)(struct http_request *req, int status, const struct err *e);
extern const http_page_error_fn http_page_error;

#endif

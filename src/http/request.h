/* request: the request-scoped context handed to every handler (method, path, decoded
 * segments, query parameters, headers, cookies, body, the authenticated user, the
 * thread's database handle) and the response being built, with the reply helpers.
 * Everything a request allocates hangs off its arena and is freed by
 * http_request_release, in one place, when the request completes. */
#ifndef HTTP_REQUEST_H
#define HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "store/store.h"
#include "core/err.h"

struct store;
struct http_route;

/* Caps on what one request may carry (the URL length, header memory and body size are
 * configured per server: see server.h). */
#define HTTP_MAX_SEGMENTS 32        /* path segments */
#define HTTP_MAX_PATH_PARAMS 8      /* {captures} in one route pattern */
#define HTTP_MAX_QUERY_PARAMS 64    /* name=value pairs in the query string */
#define HTTP_MAX_PARAM_LEN 2048     /* bytes of one query name or value, decoded */
#define HTTP_MAX_COOKIES 32         /* cookies kept from the Cookie header; more are ignored */
#define HTTP_MAX_COOKIE_LEN 4096    /* bytes of one cookie value */
#define HTTP_MAX_RESP_HEADERS 24    /* headers a handler may set */
#define HTTP_MAX_RESP_BODY (32u * 1024 * 1024) /* bytes of one response body */

/* A name and a value, both NUL-terminated, owned by the request's arena. */
struct http_param {
	const char *name;
	const char *value;
};

struct http_response {
	int status;                 /* 0 until a reply has been set */
	struct http_param headers[HTTP_MAX_RESP_HEADERS];
	size_t n_headers;
	struct buf body;            /* capped at HTTP_MAX_RESP_BODY */
};

struct http_chunk;

struct http_request {
	/* ---- Filled by the server before dispatch (or by a test) ---- */
	const char *method;         /* "GET", "POST"... (arena) */
	const char *target;         /* the raw request target, query included: never log it */
	const char *path;           /* the raw path, without the query string (arena) */
	char *segments[HTTP_MAX_SEGMENTS]; /* percent-decoded path segments (arena) */
	size_t n_segments;
	struct http_param *query;   /* decoded query parameters, in order (arena) */
	size_t n_query;
	char client[64];            /* the client's address, "" when unknown */
	struct buf body;            /* the request body, capped at the server's max_body */
	struct store *store;        /* this thread's database handle; borrowed, never closed
	                             * by a handler. Set just before the handler runs. */

	/* ---- Filled by the router ---- */
	const struct http_route *route;
	struct http_param params[HTTP_MAX_PATH_PARAMS]; /* {captures}, decoded (arena) */
	size_t n_params;

	/* ---- The authenticated user: filled by the auth layer's hook, 0/NULL when
	 * anonymous. user is the auth layer's own record, freed by it (user_free). ---- */
	int64_t user_id;
	void *user;
	void (*user_free)(void *user);

	/* ---- Header source: the MHD connection, or an array for unit tests ---- */
	void *conn;                 /* struct MHD_Connection * */
	const struct http_param *test_headers;
	size_t n_test_headers;

	/* ---- Cookies, parsed on first use ---- */
	struct http_param cookies[HTTP_MAX_COOKIES];
	size_t n_cookies;
	int cookies_parsed;

	/* ---- The response being built ---- */
	struct http_response resp;

	/* ---- Bookkeeping ---- */
	struct http_chunk *arena;   /* allocations freed by http_request_release */
	uint64_t start_ns;          /* monotonic clock when the request line arrived */
	int started;                /* the access handler has seen the request */
	int target_too_long;        /* the target passed max_url: reply 414 */
	int body_too_big;           /* the body passed max_body: the rest was dropped */
	struct store_ticket ticket; /* read audits and syncs awaited by the reply (server) */
	int held;                   /* the reply waits for ticket (the connection is suspended) */
};

/* Prepares an empty request whose body may hold max_body bytes. */
void http_request_init(struct http_request *req, size_t max_body);
/* Frees everything the request holds (arena, body, response, user). */
void http_request_release(struct http_request *req);

/* Returns new zeroed memory of n bytes owned by the request (freed at release). */
void *http_alloc(struct http_request *req, size_t n);
/* Copies n bytes (or the string) into the request's arena, NUL-terminated. */
char *http_strndup(struct http_request *req, const char *s, size_t n);
char *http_strdup(struct http_request *req, const char *s);

/* Records the method and parses the raw target "/path?query": splits the path into
 * percent-decoded segments, then decodes the query parameters ('+' is a space). Fails
 * with ERR_INVALID (a malformed request: reply 400) for a target not starting with '/',
 * bad percent-encoding, a decoded NUL or invalid UTF-8, or past a cap (field "path" or
 * "query"); the request then holds no segment and no parameter. */
enum err_code http_request_set_target(struct http_request *req, const char *method,
                                      const char *target, struct err *e);
/* Percent-decodes n bytes at s into new arena memory (*out), '+' as a space when
 * plus_is_space. ERR_INVALID on a bad escape, a NUL or invalid UTF-8. */
enum err_code http_percent_decode(struct http_request *req, const char *s, size_t n,
                                  int plus_is_space, char **out);

/* ---- Lookups (results borrowed, valid until the request is released) ---- */

/* The first value of query parameter name, or NULL. */
const char *http_query(const struct http_request *req, const char *name);
/* How many times name appears in the query (repeated parameters are kept in order). */
size_t http_query_count(const struct http_request *req, const char *name);
/* The value of a parameter that must appear at most once: *value is NULL when absent;
 * ERR_INVALID naming the parameter when it is repeated. */
enum err_code http_query_single(const struct http_request *req, const char *name,
                                const char **value, struct err *e);
/* The value of path capture {name}, or NULL. */
const char *http_param(const struct http_request *req, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *http_header(struct http_request *req, const char *name);
/* A cookie by exact name, or NULL. The Cookie header is parsed on the first call: at most
 * HTTP_MAX_COOKIES are kept, malformed pairs and over-long values are skipped; the first
 * of several cookies with one name wins. */
const char *http_cookie(struct http_request *req, const char *name);
/* Parses a Cookie header value into req->cookies (what http_cookie does on first use). */
void http_cookies_parse(struct http_request *req, const char *header);

/* Checks that the request's Content-Type is the media type want (case-insensitive,
 * parameters such as charset ignored). On a mismatch it replies 415 and returns
 * ERR_INVALID: the handler just returns that code. */
enum err_code http_require_content_type(struct http_request *req, const char *want);

/* ---- Response ---- */

/* Sets header name to value, replacing an earlier value of the same name (Set-Cookie is
 * appended instead). Refuses (ERR_INVALID, nothing set) a name that is not an HTTP token,
 * a value holding CR, LF or another control byte but tab, and ERR_TOO_BIG past
 * HTTP_MAX_RESP_HEADERS. Both strings are copied. */
enum err_code http_set_header(struct http_request *req, const char *name, const char *value);
/* The value of response header name, or NULL. */
const char *http_resp_header(const struct http_request *req, const char *name);

/* Sets the status, the Content-Type and a copy of the body (len bytes), replacing any
 * earlier reply. A body past HTTP_MAX_RESP_BODY becomes a 500 error reply; returns
 * ERR_TOO_BIG then. */
enum err_code http_reply(struct http_request *req, int status, const char *content_type,
                         const void *body, size_t len);
/* The JSON document j (borrowed: the caller keeps its reference) as
 * application/json; charset=utf-8. */
enum err_code http_reply_json(struct http_request *req, int status, const json_t *j);
/* An HTML page from html (borrowed) as text/html; charset=utf-8. */
enum err_code http_reply_html(struct http_request *req, int status, const struct buf *html);

/* Flags for the error mapping. */
enum http_err_flags {
	HTTP_ERR_SYNTAX = 1 << 0, /* ERR_INVALID means a malformed request: 400, not 422 */
};
/* The status for an error code (see docs/internals/http.md):
 * ERR_INVALID 422 (400 with HTTP_ERR_SYNTAX), ERR_NOT_FOUND 404, ERR_CONFLICT 409,
 * ERR_TOO_BIG 413, ERR_DENIED 403, ERR_AUTH 401, ERR_BUSY 503, ERR_STORE 503,
 * everything else 500. */
int http_status_for_err(enum err_code code, unsigned flags);
/* Replies {"error": {"code": NAME, "message": TEXT, "field": FIELD or null}} with the
 * mapped status. For 5xx statuses the message is replaced by a generic one (the detail is
 * logged, never sent: it may hold file names). e may be NULL (internal error). */
void http_reply_error(struct http_request *req, const struct err *e);
void http_reply_error_flags(struct http_request *req, const struct err *e, unsigned flags);
/* An error reply with an explicit status and code name, for the statuses that have no
 * enum err_code (405, 414, 415); message is sent as is. */
void http_reply_status(struct http_request *req, int status, const char *code,
                       const char *message);

/* The reason phrase of a status ("Not Found"), "" when unknown. */
const char *http_status_text(int status);

#endif

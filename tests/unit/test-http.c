/* Unit tests for src/http: routing (404, 405 and Allow, HEAD, captures), target and
 * query parsing, caps, repeated parameters, cookies, header CR/LF refusal, the error to
 * status mapping and the error document, listen addresses. No socket is opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <netinet/in.h>

#include "core/buf.h"
#include "http/request.h"
#include "http/router.h"
#include "http/server.h"

/* ---- Routes used by the tests ------------------------------------------------------ */

static enum err_code h_list(struct http_request *req, struct err *e)
{
	(void)e;
	return http_reply(req, 200, "text/plain", "list", 4);
}

static enum err_code h_item(struct http_request *req, struct err *e)
{
	(void)e;
	return http_reply(req, 200, "text/plain", http_param(req, "id"),
	                  strlen(http_param(req, "id")));
}

static enum err_code h_create(struct http_request *req, struct err *e)
{
	(void)req;
	return err_set(e, ERR_CONFLICT, "siret", "this intervention exists already");
}

static enum err_code h_followups(struct http_request *req, struct err *e)
{
	char text[128];

	(void)e;
	snprintf(text, sizeof text, "%s/%s", http_param(req, "id"), http_param(req, "fid"));
	return http_reply(req, 200, "text/plain", text, strlen(text));
}

static enum err_code h_silent(struct http_request *req, struct err *e)
{
	(void)req;
	(void)e;
	return ERR_OK; /* a buggy handler: no reply */
}

static const struct http_route table_a[] = {
	{"GET", "/api/v1/interventions", h_list, 0},
	{"POST", "/api/v1/interventions", h_create, 0},
	{"GET", "/api/v1/interventions/{id}", h_item, 0},
	{NULL, NULL, NULL, 0},
};

static const struct http_route table_b[] = {
	{"GET", "/api/v1/interventions/{id}/followups/{fid}", h_followups, 0},
	{"DELETE", "/api/v1/interventions/{id}", h_item, 0},
	{"GET", "/private", h_list, HTTP_ROUTE_AUTH},
	{"GET", "/silent", h_silent, 0},
	{"GET", "/", h_list, 0},
	{NULL, NULL, NULL, 0},
};

static const struct http_route *const tables[] = {table_a, table_b, NULL};

/* Builds a request for method and target, dispatches it, and returns the status. */
static int run(struct http_request *req, const char *method, const char *target)
{
	struct http_router r = {tables, NULL, NULL};
	struct err e = {0};

	http_request_init(req, 1024);
	assert_int_equal(http_request_set_target(req, method, target, &e), ERR_OK);
	http_router_dispatch(&r, req);
	return req->resp.status;
}

/* The "error" object of the reply's JSON body; the caller decrefs root. */
static json_t *error_of(struct http_request *req, json_t **root)
{
	json_error_t je;

	*root = json_loadb(req->resp.body.data, req->resp.body.len, 0, &je);
	assert_non_null(*root);
	return json_object_get(*root, "error");
}

/* ---- Router ---------------------------------------------------------------------- */

static void test_router_match(void **state)
{
	struct http_request req;
	json_t *root;

	(void)state;
	assert_int_equal(run(&req, "GET", "/api/v1/interventions"), 200);
	assert_string_equal(buf_str(&req.resp.body), "list");
	http_request_release(&req);

	assert_int_equal(run(&req, "GET", "/api/v1/interventions/42"), 200);
	assert_string_equal(buf_str(&req.resp.body), "42");
	http_request_release(&req);

	/* Captures are decoded; an encoded slash stays inside its segment. */
	assert_int_equal(run(&req, "GET", "/api/v1/interventions/a%2Fb"), 200);
	assert_string_equal(buf_str(&req.resp.body), "a/b");
	http_request_release(&req);

	assert_int_equal(run(&req, "GET", "/api/v1/interventions/7/followups/9"), 200);
	assert_string_equal(buf_str(&req.resp.body), "7/9");
	http_request_release(&req);

	assert_int_equal(run(&req, "GET", "/"), 200);
	http_request_release(&req);

	/* HEAD is served by the GET route. */
	assert_int_equal(run(&req, "HEAD", "/api/v1/interventions"), 200);
	assert_non_null(req.route);
	assert_string_equal(req.route->method, "GET");
	http_request_release(&req);

	/* A handler's error becomes the mapped status and the error document. */
	assert_int_equal(run(&req, "POST", "/api/v1/interventions"), 409);
	{
		json_t *err = error_of(&req, &root);

		assert_string_equal(json_string_value(json_object_get(err, "code")), "conflict");
		assert_string_equal(json_string_value(json_object_get(err, "field")), "siret");
		assert_string_equal(json_string_value(json_object_get(err, "message")),
		                    "this intervention exists already");
		json_decref(root);
	}
	http_request_release(&req);
}

static void test_router_404_405(void **state)
{
	struct http_request req;
	json_t *root;

	(void)state;
	assert_int_equal(run(&req, "GET", "/api/v1/nothing"), 404);
	assert_string_equal(json_string_value(json_object_get(error_of(&req, &root), "code")),
	                    "not_found");
	json_decref(root);
	http_request_release(&req);

	/* Empty captures and trailing or doubled slashes do not match. */
	assert_int_equal(run(&req, "GET", "/api/v1/interventions/"), 404);
	http_request_release(&req);
	assert_int_equal(run(&req, "GET", "/api/v1//interventions"), 404);
	http_request_release(&req);
	assert_int_equal(run(&req, "GET", "/api/v1/interventions/1/followups"), 404);
	http_request_release(&req);

	assert_int_equal(run(&req, "PUT", "/api/v1/interventions"), 405);
	assert_string_equal(http_resp_header(&req, "Allow"), "GET, HEAD, POST");
	http_request_release(&req);

	/* The Allow header gathers methods from every table. */
	assert_int_equal(run(&req, "POST", "/api/v1/interventions/3"), 405);
	assert_string_equal(http_resp_header(&req, "Allow"), "GET, HEAD, DELETE");
	http_request_release(&req);
}

static void test_router_fail_closed(void **state)
{
	struct http_request req;

	(void)state;
	/* No auth hook installed: a route that needs a user is refused. */
	assert_int_equal(run(&req, "GET", "/private"), 401);
	http_request_release(&req);
	/* A handler that sets no reply gives a 500, not an empty 200. */
	assert_int_equal(run(&req, "GET", "/silent"), 500);
	http_request_release(&req);
}

/* ---- Target and query parsing ----------------------------------------------------- */

static void test_query_parsing(void **state)
{
	struct http_request req;
	struct err e = {0};
	const char *v;

	(void)state;
	http_request_init(&req, 16);
	assert_int_equal(http_request_set_target(&req, "GET",
	                 "/search?q=caf%C3%A9+cr%C3%A8me&dep=75&dep=92&empty=&flag&&x=a%2Bb%26c",
	                 &e), ERR_OK);
	assert_string_equal(req.path, "/search");
	assert_int_equal(req.n_segments, 1);
	assert_string_equal(req.segments[0], "search");
	assert_int_equal(req.n_query, 6);
	assert_string_equal(http_query(&req, "q"), "café crème");
	assert_string_equal(http_query(&req, "dep"), "75");
	assert_int_equal(http_query_count(&req, "dep"), 2);
	assert_string_equal(req.query[2].value, "92");
	assert_string_equal(http_query(&req, "empty"), "");
	assert_string_equal(http_query(&req, "flag"), "");
	assert_string_equal(http_query(&req, "x"), "a+b&c");
	assert_null(http_query(&req, "absent"));

	assert_int_equal(http_query_single(&req, "q", &v, &e), ERR_OK);
	assert_string_equal(v, "café crème");
	assert_int_equal(http_query_single(&req, "absent", &v, &e), ERR_OK);
	assert_null(v);
	assert_int_equal(http_query_single(&req, "dep", &v, &e), ERR_INVALID);
	assert_null(v);
	assert_string_equal(e.field, "dep");
	http_request_release(&req);

	/* '+' is a space in the query only, never in the path. */
	http_request_init(&req, 16);
	assert_int_equal(http_request_set_target(&req, "GET", "/a+b/c%20d?k=a+b", &e), ERR_OK);
	assert_string_equal(req.segments[0], "a+b");
	assert_string_equal(req.segments[1], "c d");
	assert_string_equal(http_query(&req, "k"), "a b");
	http_request_release(&req);
}

static void expect_bad_target(const char *target, const char *field)
{
	struct http_request req;
	struct err e = {0};

	http_request_init(&req, 16);
	assert_int_equal(http_request_set_target(&req, "GET", target, &e), ERR_INVALID);
	assert_string_equal(e.field, field);
	assert_int_equal(req.n_query, 0);
	assert_int_equal(req.n_segments, 0);
	http_request_release(&req);
}

static void test_query_malformed_and_caps(void **state)
{
	char target[8192];
	size_t n;

	(void)state;
	expect_bad_target("/x?q=%", "query");
	expect_bad_target("/x?q=%4", "query");
	expect_bad_target("/x?q=%zz", "query");
	expect_bad_target("/x?q=%00", "query");      /* a decoded NUL */
	expect_bad_target("/x?q=%C3", "query");      /* invalid UTF-8 once decoded */
	expect_bad_target("/x?=v", "query");         /* no name */
	expect_bad_target("/x%ff", "path");
	expect_bad_target("/x%2", "path");
	expect_bad_target("x", "path");              /* not origin-form */
	expect_bad_target("*", "path");

	/* Exactly the cap of parameters passes; one more fails. */
	n = (size_t)snprintf(target, sizeof target, "/x?p0=0");
	for (int i = 1; i < HTTP_MAX_QUERY_PARAMS; i++)
		n += (size_t)snprintf(target + n, sizeof target - n, "&p%d=%d", i, i);
	{
		struct http_request req;
		struct err e = {0};

		http_request_init(&req, 16);
		assert_int_equal(http_request_set_target(&req, "GET", target, &e), ERR_OK);
		assert_int_equal(req.n_query, HTTP_MAX_QUERY_PARAMS);
		http_request_release(&req);
	}
	snprintf(target + n, sizeof target - n, "&one=more");
	expect_bad_target(target, "query");

	/* A value longer than HTTP_MAX_PARAM_LEN once decoded fails. */
	n = (size_t)snprintf(target, sizeof target, "/x?q=");
	memset(target + n, 'a', HTTP_MAX_PARAM_LEN + 1);
	target[n + HTTP_MAX_PARAM_LEN + 1] = '\0';
	expect_bad_target(target, "q");

	/* Too many segments. */
	n = 0;
	for (int i = 0; i <= HTTP_MAX_SEGMENTS; i++)
		n += (size_t)snprintf(target + n, sizeof target - n, "/s");
	expect_bad_target(target, "path");
}

/* ---- Headers and cookies ---------------------------------------------------------- */

static void test_cookies(void **state)
{
	struct http_request req;
	char header[8192];
	size_t n = 0;

	(void)state;
	http_request_init(&req, 16);
	http_cookies_parse(&req, "sid=abc123; theme = \"dark\" ;novalue; =orphan; lang=fr; sid=2");
	assert_string_equal(http_cookie(&req, "sid"), "abc123"); /* the first one wins */
	assert_string_equal(http_cookie(&req, "theme"), "dark");
	assert_string_equal(http_cookie(&req, "lang"), "fr");
	assert_null(http_cookie(&req, "novalue"));
	assert_null(http_cookie(&req, ""));
	assert_null(http_cookie(&req, "Sid")); /* names are case-sensitive */
	http_request_release(&req);

	/* The cap: only the first HTTP_MAX_COOKIES are kept. */
	for (int i = 0; i < HTTP_MAX_COOKIES + 10; i++)
		n += (size_t)snprintf(header + n, sizeof header - n, "c%d=%d; ", i, i);
	http_request_init(&req, 16);
	http_cookies_parse(&req, header);
	assert_int_equal(req.n_cookies, HTTP_MAX_COOKIES);
	assert_string_equal(http_cookie(&req, "c0"), "0");
	assert_null(http_cookie(&req, "c40"));
	http_request_release(&req);

	/* Through the header lookup, parsed on first use. */
	{
		static const struct http_param headers[] = {
			{"Cookie", "session=xyz"},
			{"Content-Type", "application/json; charset=utf-8"},
		};

		http_request_init(&req, 16);
		req.test_headers = headers;
		req.n_test_headers = 2;
		assert_string_equal(http_header(&req, "content-type"),
		                    "application/json; charset=utf-8");
		assert_string_equal(http_cookie(&req, "session"), "xyz");
		assert_int_equal(http_require_content_type(&req, "application/json"), ERR_OK);
		assert_int_equal(req.resp.status, 0);
		assert_int_equal(http_require_content_type(&req, "text/csv"), ERR_INVALID);
		assert_int_equal(req.resp.status, 415);
		http_request_release(&req);
	}
}

static void test_header_crlf(void **state)
{
	struct http_request req;

	(void)state;
	http_request_init(&req, 16);
	assert_int_equal(http_set_header(&req, "X-Test", "fine\tvalue"), ERR_OK);
	assert_int_equal(http_set_header(&req, "X-Evil", "a\r\nSet-Cookie: x=1"), ERR_INVALID);
	assert_int_equal(http_set_header(&req, "X-Evil", "a\nb"), ERR_INVALID);
	assert_int_equal(http_set_header(&req, "X-Evil", "a\rb"), ERR_INVALID);
	assert_int_equal(http_set_header(&req, "X-Evil\r\nA", "b"), ERR_INVALID);
	assert_int_equal(http_set_header(&req, "Bad Name", "b"), ERR_INVALID);
	assert_int_equal(http_set_header(&req, "", "b"), ERR_INVALID);
	assert_int_equal(http_set_header(&req, "X-Nul", "\x01"), ERR_INVALID);
	assert_null(http_resp_header(&req, "X-Evil"));
	assert_int_equal(req.resp.n_headers, 1);

	/* Replaced by name, case-insensitively; Set-Cookie is appended. */
	assert_int_equal(http_set_header(&req, "x-test", "second"), ERR_OK);
	assert_string_equal(http_resp_header(&req, "X-Test"), "second");
	assert_int_equal(http_set_header(&req, "Set-Cookie", "a=1"), ERR_OK);
	assert_int_equal(http_set_header(&req, "Set-Cookie", "b=2"), ERR_OK);
	assert_int_equal(req.resp.n_headers, 3);
	/* The cap on headers. */
	for (int i = 0; i < HTTP_MAX_RESP_HEADERS; i++) {
		char name[16];

		snprintf(name, sizeof name, "X-H%d", i);
		http_set_header(&req, name, "v");
	}
	assert_int_equal(req.resp.n_headers, HTTP_MAX_RESP_HEADERS);
	assert_int_equal(http_set_header(&req, "X-One-More", "v"), ERR_TOO_BIG);
	http_request_release(&req);
}

/* ---- Errors ----------------------------------------------------------------------- */

static void test_err_status(void **state)
{
	(void)state;
	assert_int_equal(http_status_for_err(ERR_INVALID, 0), 422);
	assert_int_equal(http_status_for_err(ERR_INVALID, HTTP_ERR_SYNTAX), 400);
	assert_int_equal(http_status_for_err(ERR_NOT_FOUND, 0), 404);
	assert_int_equal(http_status_for_err(ERR_CONFLICT, 0), 409);
	assert_int_equal(http_status_for_err(ERR_TOO_BIG, 0), 413);
	assert_int_equal(http_status_for_err(ERR_DENIED, 0), 403);
	assert_int_equal(http_status_for_err(ERR_AUTH, 0), 401);
	assert_int_equal(http_status_for_err(ERR_BUSY, 0), 503);
	assert_int_equal(http_status_for_err(ERR_STORE, 0), 503);
	assert_int_equal(http_status_for_err(ERR_IO, 0), 500);
	assert_int_equal(http_status_for_err(ERR_INTERNAL, 0), 500);
	assert_int_equal(http_status_for_err(ERR_OK, 0), 500);
}

static void test_err_document(void **state)
{
	struct http_request req;
	struct err e = {0};
	json_t *root, *err;

	(void)state;
	http_request_init(&req, 16);
	err_set(&e, ERR_INVALID, "date", "expected YYYY-MM-DD");
	http_reply_error(&req, &e);
	assert_int_equal(req.resp.status, 422);
	assert_string_equal(http_resp_header(&req, "Content-Type"),
	                    "application/json; charset=utf-8");
	err = error_of(&req, &root);
	assert_string_equal(json_string_value(json_object_get(err, "code")), "invalid");
	assert_string_equal(json_string_value(json_object_get(err, "message")),
	                    "expected YYYY-MM-DD");
	assert_string_equal(json_string_value(json_object_get(err, "field")), "date");
	json_decref(root);

	/* No field: null. 5xx: a generic message, never the detail (it may name files). */
	err_set(&e, ERR_STORE, NULL, "/var/lib/constat/db: disk full");
	http_reply_error(&req, &e);
	assert_int_equal(req.resp.status, 503);
	err = error_of(&req, &root);
	assert_true(json_is_null(json_object_get(err, "field")));
	assert_null(strstr(json_string_value(json_object_get(err, "message")), "/var/lib"));
	json_decref(root);

	/* Invalid UTF-8 in a message never makes an invalid document. */
	err_set(&e, ERR_NOT_FOUND, "x\xff", "no \xff such");
	http_reply_error(&req, &e);
	assert_int_equal(req.resp.status, 404);
	err = error_of(&req, &root);
	assert_string_equal(json_string_value(json_object_get(err, "message")), "not_found");
	json_decref(root);

	/* NULL error: an internal error. */
	http_reply_error(&req, NULL);
	assert_int_equal(req.resp.status, 500);
	http_request_release(&req);
}

static void test_listen_parse(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	assert_int_equal(http_listen_parse("127.0.0.1:8080", &ss, &len, NULL), ERR_OK);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	assert_int_equal(http_listen_parse("[::1]:0", &ss, &len, NULL), ERR_OK);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(http_listen_parse("127.0.0.1", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("127.0.0.1:65536", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("127.0.0.1:-1", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("127.0.0.1:80x", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("localhost:80", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("::1:80", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("[::1]80", &ss, &len, NULL), ERR_INVALID);
	assert_int_equal(http_listen_parse("", &ss, &len, NULL), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_match),
		cmocka_unit_test(test_router_404_405),
		cmocka_unit_test(test_router_fail_closed),
		cmocka_unit_test(test_query_parsing),
		cmocka_unit_test(test_query_malformed_and_caps),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_header_crlf),
		cmocka_unit_test(test_err_status),
		cmocka_unit_test(test_err_document),
		cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

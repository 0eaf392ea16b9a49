/* fuzz-api-json: libFuzzer target for the JSON request bodies of the API, on the path the
 * server runs: api_body_object (Content-Type check, strict parse), then the intervention
 * reader of src/api/api-interventions.c (api_only_fields, api_get_*: included here to
 * reach its static parse_intervention) and validate_intervention, and the session
 * reader (login, password). The request is built without a server, as in
 * tests/unit/test-http.c; co-agent logins are looked up in an empty in-memory store. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api-interventions.c"
#include "domain/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *fuzz_store(void)
{
	static struct store *s;

	if (s == NULL && store_open(":memory:", STORE_CREATE, &s, NULL) != ERR_OK)
		abort();
	return s;
}

static const char *const login_fields[] = {"login", "password", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_param hdr[] = {
		{"Content-Type", "application/json; charset=utf-8"},
	};
	struct http_request req;
	struct err e = {0};
	json_t *body = NULL;

	http_request_init(&req, 1u << 20);
	req.test_headers = hdr;
	req.n_test_headers = 1;
	req.store = fuzz_store();
	if (buf_append(&req.body, data, size) != ERR_OK)
		goto out;
	if (api_body_object(&req, &body, &e) == ERR_OK) {
		struct intervention iv = {.status = "final", .note = "", .date = "2026-06-30"};
		const char *login = NULL, *password = NULL;

		memset(&e, 0, sizeof e);
		if (parse_intervention(&req, body, &iv, &e) == ERR_OK) {
			if (iv.n_themes > 20 || iv.n_followups > 20 || iv.n_checkpoints > 50)
				abort();
			(void)validate_intervention(&iv, "2026-06-30", &e);
		} else if (e.msg[0] == '\0') {
			abort(); /* every refusal says why */
		}
		memset(&e, 0, sizeof e);
		if (api_only_fields(&req, body, NULL, login_fields, &e) == ERR_OK &&
		    api_get_string(&req, body, NULL, "login", 1, &login, &e) == ERR_OK &&
		    api_get_string(&req, body, NULL, "password", 1, &password, &e) == ERR_OK) {
			if (login == NULL || password == NULL)
				abort();
		}
		json_decref(body);
	} else if (req.resp.status != 400) {
		abort(); /* a body that is not a JSON object is a 400 */
	}
out:
	http_request_release(&req);
	return 0;
}

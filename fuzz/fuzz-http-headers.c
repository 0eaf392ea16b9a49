/* fuzz-http-headers: libFuzzer target for the header handling of our own code: the Cookie
 * header parser (http_cookies_parse, http_cookie), response headers (http_set_header must
 * refuse CR, LF and other controls) and the Content-Type check. The input is split on its
 * first two NUL bytes: cookie header, header name, header value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct http_param hdr[1];
	char *copy = malloc(size + 3);
	const char *cookie, *name, *value;
	size_t n;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = copy[size + 2] = '\0';
	/* Three NULs after the data: name and value always point inside the copy. */
	cookie = copy;
	n = strlen(cookie);
	name = cookie + n + 1;
	value = name + strlen(name) + 1;

	http_request_init(&req, 1024);
	http_cookies_parse(&req, cookie);
	if (req.n_cookies > HTTP_MAX_COOKIES)
		abort();
	for (size_t i = 0; i < req.n_cookies; i++) {
		if (req.cookies[i].name[0] == '\0' ||
		    strlen(req.cookies[i].value) > HTTP_MAX_COOKIE_LEN)
			abort();
		if (http_cookie(&req, req.cookies[i].name) == NULL)
			abort();
	}
	if (http_set_header(&req, name, value) == ERR_OK) {
		const char *got = http_resp_header(&req, name);

		if (got == NULL || strcmp(got, value) != 0 || strpbrk(got, "\r\n") != NULL)
			abort();
	}
	hdr[0].name = "Content-Type";
	hdr[0].value = value;
	req.test_headers = hdr;
	req.n_test_headers = 1;
	(void)http_require_content_type(&req, "application/json");
	http_request_release(&req);
	free(copy);
	return 0;
}

/* fuzz-http-target: libFuzzer target for the request target parser (path segments,
 * percent-decoding, query parameters) and the lookups handlers run on its result. The
 * first byte picks the method; the rest is the raw target. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct err e = {0};
	const char *v;
	char *target;

	if (size == 0)
		return 0;
	target = malloc(size);
	if (target == NULL)
		return 0;
	memcpy(target, data + 1, size - 1);
	target[size - 1] = '\0';
	http_request_init(&req, 1024);
	if (http_request_set_target(&req, methods[data[0] % 6], target, &e) == ERR_OK) {
		if (req.n_segments > HTTP_MAX_SEGMENTS || req.n_query > HTTP_MAX_QUERY_PARAMS)
			abort();
		for (size_t i = 0; i < req.n_segments; i++)
			if (req.segments[i] == NULL)
				abort();
		for (size_t i = 0; i < req.n_query; i++) {
			if (strlen(req.query[i].name) > HTTP_MAX_PARAM_LEN ||
			    strlen(req.query[i].value) > HTTP_MAX_PARAM_LEN)
				abort();
			if (http_query(&req, req.query[i].name) == NULL ||
			    http_query_count(&req, req.query[i].name) == 0)
				abort();
		}
		(void)http_query_single(&req, "q", &v, &e);
		(void)http_query_single(&req, "limit", &v, &e);
	} else if (req.n_segments != 0 || req.n_query != 0) {
		abort(); /* documented: a refused target leaves no segment and no parameter */
	}
	http_request_release(&req);
	free(target);
	return 0;
}

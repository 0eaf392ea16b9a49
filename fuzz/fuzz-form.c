/* fuzz-form: libFuzzer target for the application/x-www-form-urlencoded body parser of
 * the web pages (src/web/form.c) and its lookups. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct web_form form;
	struct err e = {0};
	/* An exact-size copy without a terminating NUL, so that ASan sees any read past len. */
	char *body = malloc(size ? size : 1);

	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	http_request_init(&req, 1024);
	if (web_form_parse(&req, body, size, &form, &e) == ERR_OK) {
		if (form.n > WEB_FORM_MAX_FIELDS)
			abort();
		for (size_t i = 0; i < form.n; i++) {
			const char *name = form.f[i].name;

			if (strlen(name) > WEB_FORM_MAX_NAME ||
			    strlen(form.f[i].value) > WEB_FORM_MAX_VALUE)
				abort();
			if (web_form_get(&form, name) == NULL || web_form_count(&form, name) == 0 ||
			    web_form_nth(&form, name, 0) == NULL ||
			    !web_form_has(&form, name, web_form_get(&form, name)))
				abort();
		}
	} else if (form.n != 0 || e.field[0] == '\0') {
		abort(); /* documented: on failure the form is empty and the error names a field */
	}
	http_request_release(&req);
	free(body);
	return 0;
}

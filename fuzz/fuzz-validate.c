/* fuzz-validate: libFuzzer target for the value validators every write goes through:
 * validate_utf8 and validate_text (checked against each other), and the format checks
 * of identifiers, codes and dates on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	int utf8;
	/* An exact-size copy first: validate_utf8 takes a length and must not read past it. */
	char *exact = malloc(size ? size : 1);
	char *text = malloc(size + 1);

	if (exact == NULL || text == NULL)
		goto out;
	memcpy(exact, data, size);
	utf8 = validate_utf8(exact, size);
	memcpy(text, data, size);
	text[size] = '\0';
	if (validate_text("note", text, 0, 20000, 1, &e) == ERR_OK) {
		/* Accepted text (up to its first NUL, as C strings go) is valid UTF-8. */
		if (!validate_utf8(text, strlen(text)) || (strlen(text) == size && !utf8))
			abort();
	} else if (e.field[0] == '\0' || e.msg[0] == '\0') {
		abort();
	}
	(void)validate_text("name", text, 1, 100, 0, &e);
	(void)validate_siret("siret", text, &e);
	(void)validate_siren("siren", text, &e);
	(void)validate_naf("naf", text, &e);
	(void)validate_commune("commune_code", text, &e);
	(void)validate_postcode("postcode", text, &e);
	(void)validate_date("date", text, &e);
	(void)validate_headcount_band("headcount_band", text, &e);
out:
	free(exact);
	free(text);
	return 0;
}

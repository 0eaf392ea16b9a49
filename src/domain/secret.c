/* secret: random tokens and their hashes (libsodium). */
#include "domain/secret.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void init(void)
{
	if (sodium_init() < 0) {
		fputs("constat: libsodium failed to initialise\n", stderr);
		abort();
	}
}

void secret_token_new(const char *prefix, char out[SECRET_TOKEN_MAX])
{
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	init();
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, SECRET_TOKEN_MAX, "%.8s%s", prefix ? prefix : "", b64);
	sodium_memzero(raw, sizeof raw);
}

void secret_token_hash(const char *token, size_t len, unsigned char out[SECRET_HASH_LEN])
{
	init();
	crypto_generichash(out, SECRET_HASH_LEN, (const unsigned char *)token, len, NULL, 0);
}

int secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

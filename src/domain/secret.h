/* secret: random tokens (sessions, API tokens, CSRF) and their hashes. A token is 256
 * random bits in URL-safe base64 behind a short prefix; only its BLAKE2b-256 hash is
 * stored, so that a copy of the database opens no session. */
#ifndef DOMAIN_SECRET_H
#define DOMAIN_SECRET_H

#include <stddef.h>

#define SECRET_HASH_LEN 32
#define SECRET_TOKEN_MAX 64  /* prefix + 43 characters + NUL, rounded up */
#define SECRET_PREFIX_SHOWN 12 /* characters of an API token shown in a list */

/* Writes a new random token "PREFIXxxxxxxxx..." (prefix may be "") into out. */
void secret_token_new(const char *prefix, char out[SECRET_TOKEN_MAX]);
/* Hashes a token as presented by a client (any length; bounded by the caller). */
void secret_token_hash(const char *token, size_t len, unsigned char out[SECRET_HASH_LEN]);
/* 1 when the two NUL-terminated strings are equal, in time independent of where they
 * differ (lengths are not secret). */
int secret_equal(const char *a, const char *b);

#endif

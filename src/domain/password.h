/* password: account passwords, hashed with argon2id (libsodium). Plain passwords are
 * never stored, logged or kept longer than the call that checks them. */
#ifndef DOMAIN_PASSWORD_H
#define DOMAIN_PASSWORD_H

#include <stddef.h>

#include "core/err.h"

#define PASSWORD_MIN 10      /* characters */
#define PASSWORD_MAX 256     /* bytes */
#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

/* Checks the policy: valid UTF-8, PASSWORD_MIN characters to PASSWORD_MAX bytes. */
enum err_code password_check_policy(const char *pw, struct err *e);
/* Writes the argon2id hash string of pw into out (PASSWORD_HASH_MAX bytes). */
enum err_code password_hash(const char *pw, char out[PASSWORD_HASH_MAX], struct err *e);
/* 1 when pw matches hash (in constant time for a given hash), else 0. */
int password_verify(const char *hash, const char *pw);
/* Reads one line (the password) from f into out (size n) without its newline; refuses
 * an empty input or one longer than n - 1 bytes. Wipes the temporary buffer. */
enum err_code password_read(void *f, char *out, size_t n, struct err *e);

#endif

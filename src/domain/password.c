/* password: argon2id hashing and the password policy. */
#include "domain/password.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/validate.h"

enum err_code password_check_policy(const char *pw, struct err *e)
{
	size_t n = pw ? strlen(pw) : 0, chars = 0;

	if (n == 0)
		return err_set(e, ERR_INVALID, "password", "is required");
	if (n > PASSWORD_MAX)
		return err_set(e, ERR_INVALID, "password", "expected at most %d bytes", PASSWORD_MAX);
	if (!validate_utf8(pw, n))
		return err_set(e, ERR_INVALID, "password", "expected valid UTF-8 text");
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)pw[i] & 0xC0) != 0x80;
	if (chars < PASSWORD_MIN)
		return err_set(e, ERR_INVALID, "password", "expected at least %d characters",
		               PASSWORD_MIN);
	return ERR_OK;
}

enum err_code password_hash(const char *pw, char out[PASSWORD_HASH_MAX], struct err *e)
{
	enum err_code rc = password_check_policy(pw, e);

	if (rc != ERR_OK)
		return rc;
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to initialise");
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "hashing the password failed (out of memory)");
	return ERR_OK;
}

int password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || pw == NULL || sodium_init() < 0)
		return 0;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

enum err_code password_read(void *f, char *out, size_t n, struct err *e)
{
	char line[PASSWORD_MAX + 4];
	size_t len;

	if (fgets(line, sizeof line, (FILE *)f) == NULL)
		return err_set(e, ERR_INVALID, "password", "expected a password on standard input");
	len = strcspn(line, "\r\n");
	if (line[len] == '\0' && len == sizeof line - 1) {
		sodium_memzero(line, sizeof line);
		return err_set(e, ERR_INVALID, "password", "expected at most %d bytes", PASSWORD_MAX);
	}
	line[len] = '\0';
	if (len == 0 || len >= n) {
		sodium_memzero(line, sizeof line);
		return err_set(e, ERR_INVALID, "password", len ? "is too long" : "is required");
	}
	memcpy(out, line, len + 1);
	sodium_memzero(line, sizeof line);
	return ERR_OK;
}

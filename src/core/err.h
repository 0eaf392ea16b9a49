/* err: the one error convention. Functions return an enum err_code and, when given a
 * struct err, fill it with the field concerned and a message a person can act on. */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_INVALID,   /* bad input: names the field and what was expected */
	ERR_NOT_FOUND, /* the thing named does not exist */
	ERR_CONFLICT,  /* exists already, or conflicts with the current state */
	ERR_TOO_BIG,   /* past a size bound */
	ERR_DENIED,    /* not allowed for this caller */
	ERR_AUTH,      /* not authenticated */
	ERR_IO,        /* file or network trouble */
	ERR_STORE,     /* the database failed (disk full, read-only, corrupt...) */
	ERR_BUSY,      /* try again later */
	ERR_INTERNAL,  /* a bug */
};

#define ERR_FIELD_MAX 64
#define ERR_MSG_MAX 256

struct err {
	enum err_code code;
	char field[ERR_FIELD_MAX]; /* "" when no single field is concerned */
	char msg[ERR_MSG_MAX];
};

/* Records code, field (may be NULL) and a printf-style message in e (may be NULL).
 * Returns code, so that callers can write `return err_set(e, ERR_INVALID, ...)`. */
enum err_code err_set(struct err *e, enum err_code code, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Resets e to ERR_OK with empty field and message. */
void err_clear(struct err *e);

/* The stable, lower-case name of a code ("invalid", "not_found"...). */
const char *err_code_name(enum err_code code);

/* Writes "field: message" (or just the message) to buf of size n; returns buf. */
const char *err_text(const struct err *e, char *buf, size_t n);

#endif

/* err: error records (see err.h). */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_names[] = {
	[ERR_OK] = "ok",
	[ERR_INVALID] = "invalid",
	[ERR_NOT_FOUND] = "not_found",
	[ERR_CONFLICT] = "conflict",
	[ERR_TOO_BIG] = "too_big",
	[ERR_DENIED] = "denied",
	[ERR_AUTH] = "unauthenticated",
	[ERR_IO] = "io",
	[ERR_STORE] = "store",
	[ERR_BUSY] = "busy",
	[ERR_INTERNAL] = "internal",
};

enum err_code err_set(struct err *e, enum err_code code, const char *field,
                      const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_OK;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}

const char *err_code_name(enum err_code code)
{
	if ((size_t)code >= sizeof code_names / sizeof code_names[0])
		return "unknown";
	return code_names[code];
}

const char *err_text(const struct err *e, char *buf, size_t n)
{
	if (e->field[0] != '\0')
		snprintf(buf, n, "%s: %s", e->field, e->msg);
	else
		snprintf(buf, n, "%s", e->msg[0] ? e->msg : err_code_name(e->code));
	return buf;
}

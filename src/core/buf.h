/* buf: a growable byte buffer with a hard size cap (in the spirit of curl's dynbuf), so
 * that no input can make it grow without bound. Always NUL-terminated. */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct buf {
	char *data;  /* NULL until the first append; owned by the buf */
	size_t len;  /* bytes used, without the terminating NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* the cap: appends that would pass it fail with ERR_TOO_BIG */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Empties the buffer but keeps its memory. */
void buf_reset(struct buf *b);
enum err_code buf_append(struct buf *b, const void *p, size_t n);
enum err_code buf_puts(struct buf *b, const char *s);
enum err_code buf_putc(struct buf *b, char c);
enum err_code buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum err_code buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* The contents ("" when empty); borrowed, valid until the next change. */
const char *buf_str(const struct buf *b);
/* Hands the memory to the caller (who frees it) and leaves the buf empty. */
char *buf_steal(struct buf *b);

#endif

/* buf: a growable byte buffer with a hard size cap. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum err_code reserve(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > b->max || b->len > b->max - extra)
		return ERR_TOO_BIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return ERR_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return ERR_OK;
}

enum err_code buf_append(struct buf *b, const void *p, size_t n)
{
	if (reserve(b, n) != ERR_OK)
		return ERR_TOO_BIG;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err_code buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum err_code buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

enum err_code buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return ERR_INTERNAL;
	if (reserve(b, (size_t)n) != ERR_OK)
		return ERR_TOO_BIG;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return ERR_OK;
}

enum err_code buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum err_code rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;

	buf_init(b, b->max);
	return p;
}

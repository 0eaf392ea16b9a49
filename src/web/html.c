/* html: the escapers (see html.h). */
#include "web/html.h"

#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* ---- UTF-8 ------------------------------------------------------------------------ */

/* Looks at the sequence at s (n > 0 bytes). Returns 1 when it is well-formed, with *len
 * its length; 0 otherwise, with *len the length of the maximal ill-formed subpart (at
 * least 1), which is what a single U+FFFD replaces (Unicode's recommended practice). */
static int utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	*len = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n)
			break;
		if (s[i] < lo || s[i] > hi)
			break;
		lo = 0x80;
		hi = 0xBF;
	}
	*len = i;
	return i == need;
}

size_t html_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;

	if (n == 0)
		return 0;
	return utf8_next(s, n, &len) ? len : 0;
}

int html_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if (p[i] == 0 || !utf8_next(p + i, n - i, &len))
			return 0;
		i += len;
	}
	return 1;
}

/* ---- Escaping --------------------------------------------------------------------- */

enum mode { MODE_TEXT, MODE_ATTR };

/* 1 for the bytes never written as they are: NUL, C0 controls but tab, LF, CR; DEL. */
static int is_banned_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
}

static const char *entity(unsigned char c, enum mode m)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\n': return m == MODE_ATTR ? "&#10;" : NULL;
	case '\r': return m == MODE_ATTR ? "&#13;" : NULL;
	case '\t': return m == MODE_ATTR ? "&#9;" : NULL;
	default: return NULL;
	}
}

/* Writes the escaped form of n bytes at s. On ERR_TOO_BIG, b keeps what fitted before:
 * the caller's page is abandoned anyway (it becomes an error reply). */
static enum err_code escape(struct buf *b, const char *s, size_t n, enum mode m)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len;

	/* Copies runs of plain bytes in one append, flushing before each special byte. */
	while (i < n) {
		const unsigned char c = p[i];
		const char *ent = NULL;
		int bad = 0;

		if (c < 0x80) {
			ent = entity(c, m);
			bad = is_banned_control(c);
			len = 1;
		} else {
			bad = !utf8_next(p + i, n - i, &len);
		}
		if (ent == NULL && !bad) {
			run += len;
			i += len;
			continue;
		}
		if (run && buf_append(b, p + i - run, run) != ERR_OK)
			return ERR_TOO_BIG;
		run = 0;
		if (buf_puts(b, bad ? REPLACEMENT : ent) != ERR_OK)
			return ERR_TOO_BIG;
		i += len;
	}
	if (run && buf_append(b, p + i - run, run) != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

enum err_code html_raw(struct buf *b, const char *markup)
{
	return markup ? buf_puts(b, markup) : ERR_OK;
}

enum err_code html_txt(struct buf *b, const char *text)
{
	return text ? escape(b, text, strlen(text), MODE_TEXT) : ERR_OK;
}

enum err_code html_ntxt(struct buf *b, const char *text, size_t n)
{
	return text ? escape(b, text, n, MODE_TEXT) : ERR_OK;
}

enum err_code html_attr(struct buf *b, const char *value)
{
	return value ? escape(b, value, strlen(value), MODE_ATTR) : ERR_OK;
}

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static enum err_code put_pct(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char out[12];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		out[k++] = '%';
		out[k++] = hex[p[i] >> 4];
		out[k++] = hex[p[i] & 15];
	}
	return buf_append(b, out, k);
}

enum err_code html_url_arg(struct buf *b, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t i = 0, n, len;

	if (value == NULL)
		return ERR_OK;
	n = strlen(value);
	while (i < n) {
		enum err_code rc;

		if (is_unreserved(p[i])) {
			rc = buf_putc(b, (char)p[i]);
			len = 1;
		} else if (utf8_next(p + i, n - i, &len)) {
			rc = put_pct(b, p + i, len);
		} else {
			rc = put_pct(b, (const unsigned char *)REPLACEMENT, 3);
		}
		if (rc != ERR_OK)
			return ERR_TOO_BIG;
		i += len;
	}
	return ERR_OK;
}

/* ---- Page frame ------------------------------------------------------------------- */

enum err_code html_page_begin(struct buf *b, const char *title)
{
	if (html_raw(b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n"
	                "<meta charset=\"utf-8\">\n"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	                "<title>") != ERR_OK ||
	    html_txt(b, title) != ERR_OK ||
	    html_raw(b, "</title>\n</head>\n<body>\n") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

enum err_code html_page_end(struct buf *b)
{
	return html_raw(b, "</body>\n</html>\n");
}

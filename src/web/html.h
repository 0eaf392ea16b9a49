/* html: output escaped by construction (cgit's model). Fixed markup goes through
 * html_raw; every variable goes through the escaper of its context. All functions write
 * into a capped struct buf and return ERR_TOO_BIG (buf unchanged past what was already
 * written) when the cap is reached. Invalid UTF-8 is never passed through: each
 * ill-formed subsequence becomes U+FFFD. In text and attributes, so do the C0 controls
 * other than tab, newline and carriage return, and DEL (html_url_arg percent-encodes
 * them instead, since they are legitimate data in a URL component). */
#ifndef WEB_HTML_H
#define WEB_HTML_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Fixed markup written by the program itself, never data: copied as is. */
enum err_code html_raw(struct buf *b, const char *markup);
/* Text content: & < > " ' escaped as entities. NULL writes nothing. */
enum err_code html_txt(struct buf *b, const char *text);
/* The same for exactly n bytes of text (may hold NUL bytes, which become U+FFFD). */
enum err_code html_ntxt(struct buf *b, const char *text, size_t n);
/* A value inside a double-quoted attribute: the caller writes the quotes,
 * e.g. html_raw(b, "<a title=\""); html_attr(b, v); html_raw(b, "\">"). Escapes as
 * html_txt, plus newlines and tabs as character references. */
enum err_code html_attr(struct buf *b, const char *value);
/* One URL component (a path segment or a query name or value): every byte other than
 * ALPHA DIGIT - . _ ~ is percent-encoded (%XX, upper case) after UTF-8 repair, so the
 * output is safe in a URL, in an attribute and in text. */
enum err_code html_url_arg(struct buf *b, const char *value);

/* Length of the well-formed UTF-8 sequence at s (at most n bytes): 1 to 4, or 0 when
 * the bytes there are not well-formed (overlong, surrogate, past U+10FFFF, truncated). */
size_t html_utf8_seq(const unsigned char *s, size_t n);
/* 1 when the n bytes at s are entirely well-formed UTF-8 without NUL. */
int html_utf8_valid(const char *s, size_t n);

/* The start of a French page: doctype, <html lang="fr">, head with charset, title
 * (escaped) and the stylesheet link, then <body>. html_page_end closes it. */
enum err_code html_page_begin(struct buf *b, const char *title);
enum err_code html_page_end(struct buf *b);

#endif

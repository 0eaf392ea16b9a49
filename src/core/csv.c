/* csv: streaming RFC 4180 reader parsing in place, and a minimal quoting writer. */
#include "core/csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define CSV_CHUNK ((size_t)1024 * 1024) /* bytes asked of each read */

/* How the scan of one record ended. */
enum scan_result {
	SCAN_OK,        /* a whole record, boundaries in r->start/r->len/r->dq */
	SCAN_MORE,      /* the record runs past the data in the buffer: read more */
	SCAN_END,       /* no record left */
	SCAN_SKIP,      /* a whole record with a recoverable error (r->bad, r->bad_msg) */
	SCAN_FATAL,     /* an error the reader cannot go past */
};

struct csv_reader {
	FILE *f;
	struct csv_limits lim;
	char *buf;          /* cap bytes; data in [0, len), the next record starts at pos */
	size_t cap;
	size_t len;
	size_t pos;
	int eof;            /* the FILE has no more bytes */
	int started;        /* the BOM check is done */
	long line;          /* the line where the record at pos starts */
	/* Field boundaries of the record being scanned (max_fields entries each). */
	size_t *start;
	size_t *flen;
	unsigned char *dq;  /* the field holds doubled quotes to undouble */
	const char **fields;
	size_t *lens;
	/* Errors. */
	enum err_code fatal;       /* ERR_OK until the reader cannot go on */
	struct err fatal_err;
	enum err_code bad;         /* recoverable error of the scanned record */
	char bad_msg[160];
};

/* Bytes that end an unquoted field. */
static const unsigned char field_end[256] = {[','] = 1, ['\r'] = 1, ['\n'] = 1};

/* Records the first recoverable error of the record being scanned. */
static void set_bad(struct csv_reader *r, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_bad(struct csv_reader *r, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (r->bad != ERR_OK)
		return;
	r->bad = code;
	va_start(ap, fmt);
	vsnprintf(r->bad_msg, sizeof r->bad_msg, fmt, ap);
	va_end(ap);
}

enum err_code csv_open(FILE *f, const struct csv_limits *lim, struct csv_reader **out,
                       struct err *e)
{
	struct csv_reader *r;

	*out = NULL;
	if (f == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "csv_open: no input stream");
	r = xcalloc(1, sizeof *r);
	r->f = f;
	r->lim.max_field = (lim && lim->max_field) ? lim->max_field : CSV_MAX_FIELD_DEFAULT;
	r->lim.max_fields = (lim && lim->max_fields) ? lim->max_fields : CSV_MAX_FIELDS_DEFAULT;
	r->lim.max_record = (lim && lim->max_record) ? lim->max_record : CSV_MAX_RECORD_DEFAULT;
	r->cap = r->lim.max_record + CSV_CHUNK + 1; /* + 1: room for the last NUL */
	r->buf = xmalloc(r->cap);
	r->start = xcalloc(r->lim.max_fields, sizeof *r->start);
	r->flen = xcalloc(r->lim.max_fields, sizeof *r->flen);
	r->dq = xcalloc(r->lim.max_fields, sizeof *r->dq);
	r->fields = xcalloc(r->lim.max_fields, sizeof *r->fields);
	r->lens = xcalloc(r->lim.max_fields, sizeof *r->lens);
	r->line = 1;
	*out = r;
	return ERR_OK;
}

void csv_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->start);
	free(r->flen);
	free(r->dq);
	free(r->fields);
	free(r->lens);
	free(r);
}

int csv_failed(const struct csv_reader *r)
{
	return r->fatal != ERR_OK;
}

static enum err_code fail(struct csv_reader *r, enum err_code code, long line, const char *msg,
                          struct err *e)
{
	r->fatal = code;
	err_set(&r->fatal_err, code, NULL, "line %ld: %s", line, msg);
	if (e)
		*e = r->fatal_err;
	return code;
}

/* Moves the unread bytes to the front and reads more. Returns ERR_OK (r->eof set when
 * nothing more came) or ERR_IO / ERR_TOO_BIG. */
static enum err_code fill(struct csv_reader *r, struct err *e)
{
	size_t n;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->len >= r->lim.max_record) {
		char msg[96];

		snprintf(msg, sizeof msg, "record longer than %zu bytes", r->lim.max_record);
		return fail(r, ERR_TOO_BIG, r->line, msg, e);
	}
	n = fread(r->buf + r->len, 1, r->cap - 1 - r->len, r->f);
	if (n == 0) {
		if (ferror(r->f))
			return fail(r, ERR_IO, r->line, "read error", e);
		r->eof = 1;
	}
	r->len += n;
	if (!r->started && (r->len >= 3 || r->eof)) {
		r->started = 1;
		if (r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
			r->pos = 3;
	}
	return ERR_OK;
}

/* Scans the record at r->pos without changing the buffer: field boundaries go to
 * r->start/flen/dq, the field count to *nf, where the next record starts to *next and
 * the lines it spans to *lines. */
static enum scan_result scan(struct csv_reader *r, size_t *nf, size_t *next, long *lines)
{
	const char *b = r->buf;
	const size_t end = r->len;
	size_t p = r->pos, n = 0;
	long nl = 0;

	r->bad = ERR_OK;
	if (!r->started)
		return SCAN_MORE;
	if (p == end)
		return r->eof ? SCAN_END : SCAN_MORE;
	for (;;) {
		size_t fstart, flen, q;
		int doubled = 0;
		char t;

		if (p < end && b[p] == '"') {
			/* Quoted field: runs to a quote not followed by another quote. */
			q = p + 1;
			for (;;) {
				const char *x = memchr(b + q, '"', end - q);
				size_t xi;

				if (x == NULL) {
					if (!r->eof)
						return SCAN_MORE;
					return SCAN_FATAL;
				}
				xi = (size_t)(x - b);
				for (const char *c = b + q; (c = memchr(c, '\n', (size_t)(x - c))) != NULL;
				     c++)
					nl++;
				if (xi + 1 == end && !r->eof)
					return SCAN_MORE;
				if (xi + 1 < end && b[xi + 1] == '"') {
					doubled = 1;
					q = xi + 2;
					continue;
				}
				q = xi;
				break;
			}
			fstart = p + 1;
			flen = q - fstart;
			p = q + 1;
			if (p < end && !field_end[(unsigned char)b[p]]) {
				set_bad(r, ERR_INVALID,
				        "field %zu: text after the closing quote (expected a comma or "
				        "the end of the line)", n + 1);
				while (p < end && !field_end[(unsigned char)b[p]])
					p++;
				if (p == end && !r->eof)
					return SCAN_MORE;
			}
		} else {
			q = p;
			while (q < end && !field_end[(unsigned char)b[q]])
				q++;
			if (q == end && !r->eof)
				return SCAN_MORE;
			fstart = p;
			flen = q - p;
			p = q;
		}
		if (flen > r->lim.max_field)
			set_bad(r, ERR_TOO_BIG, "field %zu is longer than %zu bytes", n + 1,
			        r->lim.max_field);
		if (n < r->lim.max_fields) {
			r->start[n] = fstart;
			r->flen[n] = flen;
			r->dq[n] = (unsigned char)doubled;
		} else {
			set_bad(r, ERR_TOO_BIG, "more than %zu fields", r->lim.max_fields);
		}
		n++;
		/* p is at the byte after the field: a comma, a line end or the end of data. */
		if (p == end) {
			break; /* the end of the input (eof is set, else we returned above) */
		}
		t = b[p];
		if (t == ',') {
			p++;
			if (p == end && !r->eof)
				return SCAN_MORE;
			continue;
		}
		if (t == '\r') {
			if (p + 1 == end && !r->eof)
				return SCAN_MORE;
			p += (p + 1 < end && b[p + 1] == '\n') ? 2 : 1;
		} else {
			p++;
		}
		nl++;
		break;
	}
	*nf = n;
	*next = p;
	*lines = nl;
	return r->bad != ERR_OK ? SCAN_SKIP : SCAN_OK;
}

enum err_code csv_next(struct csv_reader *r, struct csv_row *row, struct err *e)
{
	size_t nf = 0, next = 0;
	long lines = 0;
	enum scan_result sr;
	enum err_code rc;

	row->fields = r->fields;
	row->lens = r->lens;
	row->n = 0;
	row->line = r->line;
	if (r->fatal != ERR_OK) {
		if (e)
			*e = r->fatal_err;
		return r->fatal;
	}
	while ((sr = scan(r, &nf, &next, &lines)) == SCAN_MORE) {
		if (r->eof) /* cannot happen: scan only asks for more before the end */
			return fail(r, ERR_INTERNAL, r->line, "scanner asked past the end", e);
		if ((rc = fill(r, e)) != ERR_OK)
			return rc;
	}
	switch (sr) {
	case SCAN_END:
		return ERR_OK;
	case SCAN_FATAL:
		return fail(r, ERR_INVALID, r->line,
		            "a quoted field is not closed at the end of the input", e);
	case SCAN_SKIP:
		r->pos = next;
		r->line += lines;
		return err_set(e, r->bad, NULL, "line %ld: %s", row->line, r->bad_msg);
	default:
		break;
	}
	/* Materialise the fields in place: NUL-terminate, undouble quotes. The byte after
	 * each field (separator, closing quote, line end, or the spare byte at the end of
	 * the buffer) is no longer needed. */
	for (size_t i = 0; i < nf; i++) {
		char *s = r->buf + r->start[i];
		size_t n = r->flen[i];

		if (r->dq[i]) {
			size_t w = 0;

			for (size_t k = 0; k < n; k++) {
				s[w++] = s[k];
				if (s[k] == '"')
					k++; /* skip the second quote of the pair */
			}
			n = w;
		}
		s[n] = '\0';
		r->fields[i] = s;
		r->lens[i] = n;
	}
	row->n = nf;
	r->pos = next;
	r->line += lines;
	return ERR_OK;
}

/* ---- Writer ----------------------------------------------------------------------- */

enum err_code csv_write_field(FILE *f, const char *s, size_t n)
{
	int quote = 0;

	if (s == NULL || n == 0)
		return ferror(f) ? ERR_IO : ERR_OK;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == ',' || c == '"' || c == '\r' || c == '\n') {
			quote = 1;
			break;
		}
	}
	if (!quote) {
		if (fwrite(s, 1, n, f) != n)
			return ERR_IO;
		return ERR_OK;
	}
	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', f);
		putc(s[i], f);
	}
	if (putc('"', f) == EOF)
		return ERR_IO;
	return ERR_OK;
}

enum err_code csv_write_row(FILE *f, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putc(',', f);
		if (csv_write_field(f, fields[i], fields[i] ? strlen(fields[i]) : 0) != ERR_OK)
			return ERR_IO;
	}
	if (putc('\n', f) == EOF || ferror(f))
		return ERR_IO;
	return ERR_OK;
}

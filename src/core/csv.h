/* csv: a streaming RFC 4180 reader that parses in place in one large read buffer (no
 * allocation per row), and a small writer that quotes a field only when it must. */
#ifndef CORE_CSV_H
#define CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

/* Limits: a record past any of them is an error naming its line. Zero means the default. */
#define CSV_MAX_FIELD_DEFAULT ((size_t)64 * 1024)    /* bytes in one field, as read */
#define CSV_MAX_FIELDS_DEFAULT ((size_t)1024)        /* fields in one record */
#define CSV_MAX_RECORD_DEFAULT ((size_t)1024 * 1024) /* bytes in one record, as read */

struct csv_limits {
	size_t max_field;
	size_t max_fields;
	size_t max_record;
};

/* One record. fields[i] (NUL-terminated, quotes removed, doubled quotes undoubled) and
 * lens[i] are borrowed from the reader and valid until its next csv_next or csv_free. */
struct csv_row {
	const char *const *fields;
	const size_t *lens;
	size_t n;    /* number of fields; 0 only at the end of the input */
	long line;   /* the physical line (1-based) where the record started */
};

struct csv_reader;

/* Creates a reader over f (borrowed: the caller keeps it open while reading and closes
 * it after csv_free). lim may be NULL (defaults). A UTF-8 byte order mark at the start
 * of the input is skipped. Returns a new reader in *out; the caller frees it. */
enum err_code csv_open(FILE *f, const struct csv_limits *lim, struct csv_reader **out,
                       struct err *e);
/* Frees the reader (NULL is a no-op); does not close the FILE. */
void csv_free(struct csv_reader *r);

/* Reads the next record into *row. Fields are separated by commas; a field that starts
 * with a double quote runs to the matching closing quote and may hold commas, doubled
 * quotes and line breaks; records end with LF, CRLF or CR, or at the end of the input.
 * A blank line is a record of one empty field. At the end of the input, returns ERR_OK
 * with row->n == 0.
 * Errors (the message starts with "line N: ", N the record's first line, also in
 * row->line):
 *  - ERR_TOO_BIG for a field longer than max_field or more than max_fields fields, and
 *    ERR_INVALID for text after a closing quote: the bad record is skipped and the next
 *    call goes on with the next record;
 *  - ERR_TOO_BIG for a record longer than max_record, ERR_INVALID for a quoted field not
 *    closed at the end of the input, ERR_IO on a read error: the reader cannot go on
 *    (csv_failed returns 1) and every later call returns the same error. */
enum err_code csv_next(struct csv_reader *r, struct csv_row *row, struct err *e);
/* 1 once the reader has met an error it cannot go past. */
int csv_failed(const struct csv_reader *r);

/* Writes the n bytes of s as one field: as is, or between double quotes (with quotes
 * doubled) when it holds a comma, a double quote, CR or LF. s may be NULL (empty field).
 * Returns ERR_IO when the stream reports an error. */
enum err_code csv_write_field(FILE *f, const char *s, size_t n);
/* Writes n fields (NULL ones empty) separated by commas and ends the line with LF. */
enum err_code csv_write_row(FILE *f, const char *const *fields, size_t n);

#endif

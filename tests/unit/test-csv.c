/* Unit tests for src/core/csv: the streaming reader (quoting, line ends, BOM, limits,
 * errors with their line) and the quoting writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/err.h"

/* A reader over a copy of text (len bytes); *f receives the stream to close. */
static struct csv_reader *reader_over(const char *text, size_t len, const struct csv_limits *lim,
                                      FILE **f)
{
	struct csv_reader *r = NULL;
	struct err e = {0};

	*f = fmemopen((void *)text, len, "r");
	assert_non_null(*f);
	assert_int_equal(csv_open(*f, lim, &r, &e), ERR_OK);
	return r;
}

/* Reads the next record and checks it has the n expected fields and starts at line. */
static void expect_row(struct csv_reader *r, long line, size_t n, ...)
{
	struct csv_row row;
	struct err e = {0};
	va_list ap;

	assert_int_equal(csv_next(r, &row, &e), ERR_OK);
	assert_int_equal(row.n, n);
	assert_int_equal(row.line, line);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		assert_string_equal(row.fields[i], want);
		assert_int_equal(row.lens[i], strlen(want));
	}
	va_end(ap);
}

static void expect_end(struct csv_reader *r)
{
	struct csv_row row;
	struct err e = {0};

	assert_int_equal(csv_next(r, &row, &e), ERR_OK);
	assert_int_equal(row.n, 0);
	/* and it stays at the end */
	assert_int_equal(csv_next(r, &row, &e), ERR_OK);
	assert_int_equal(row.n, 0);
}

static void test_plain_and_quoted(void **state)
{
	static const char text[] = "a,b,c\n"
	                           "\"x,y\",\"say \"\"hi\"\"\",plain\n"
	                           "\"\",,\"\"\"\"\n"
	                           "un\"quoted,\"q\"\n";
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, NULL, &f);

	(void)state;
	expect_row(r, 1, 3, "a", "b", "c");
	expect_row(r, 2, 3, "x,y", "say \"hi\"", "plain");
	expect_row(r, 3, 3, "", "", "\"");
	expect_row(r, 4, 2, "un\"quoted", "q"); /* a quote inside an unquoted field is text */
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_embedded_newlines_and_line_numbers(void **state)
{
	static const char text[] = "h1,h2\n"
	                           "\"two\nlines\",x\n"
	                           "\"three\r\nphysical\nlines\",y\n"
	                           "last,z\n";
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, NULL, &f);

	(void)state;
	expect_row(r, 1, 2, "h1", "h2");
	expect_row(r, 2, 2, "two\nlines", "x");
	expect_row(r, 4, 2, "three\r\nphysical\nlines", "y");
	expect_row(r, 7, 2, "last", "z");
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_crlf_bom_no_trailing_newline(void **state)
{
	static const char text[] = "\xef\xbb\xbf" "siret,nom\r\n"
	                           "1,\"a\"\r\n"
	                           "\r\n"           /* a blank line: one empty field */
	                           "2,b";           /* no line end at the end */
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, NULL, &f);

	(void)state;
	expect_row(r, 1, 2, "siret", "nom"); /* the BOM is not part of the first name */
	expect_row(r, 2, 2, "1", "a");
	expect_row(r, 3, 1, "");
	expect_row(r, 4, 2, "2", "b");
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_empty_fields_and_input(void **state)
{
	static const char text[] = ",\n,,\na,\n";
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, NULL, &f);

	(void)state;
	expect_row(r, 1, 2, "", "");
	expect_row(r, 2, 3, "", "", "");
	expect_row(r, 3, 2, "a", "");
	expect_end(r);
	csv_free(r);
	fclose(f);

	r = reader_over("", 0, NULL, &f);
	expect_end(r);
	csv_free(r);
	fclose(f);

	r = reader_over("\xef\xbb\xbf", 3, NULL, &f);
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_field_too_long(void **state)
{
	static const char text[] = "a,b\n"
	                           "ok,fine\n"
	                           "12345678901,x\n"   /* 11 bytes: over the cap of 10 */
	                           "after,\"0123456789\"\n";
	struct csv_limits lim = {.max_field = 10};
	struct csv_row row;
	struct err e = {0};
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, &lim, &f);

	(void)state;
	expect_row(r, 1, 2, "a", "b");
	expect_row(r, 2, 2, "ok", "fine");
	assert_int_equal(csv_next(r, &row, &e), ERR_TOO_BIG);
	assert_int_equal(row.line, 3);
	assert_non_null(strstr(e.msg, "line 3:"));
	assert_non_null(strstr(e.msg, "field 1"));
	assert_int_equal(csv_failed(r), 0);
	expect_row(r, 4, 2, "after", "0123456789"); /* exactly at the cap is fine */
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_too_many_fields(void **state)
{
	static const char text[] = "a,b,c\n"
	                           "1,2,3,4\n"
	                           "\"multi\nline\",2,3\n";
	struct csv_limits lim = {.max_fields = 3};
	struct csv_row row;
	struct err e = {0};
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, &lim, &f);

	(void)state;
	expect_row(r, 1, 3, "a", "b", "c");
	assert_int_equal(csv_next(r, &row, &e), ERR_TOO_BIG);
	assert_int_equal(row.line, 2);
	assert_non_null(strstr(e.msg, "line 2:"));
	assert_non_null(strstr(e.msg, "more than 3 fields"));
	expect_row(r, 3, 3, "multi\nline", "2", "3");
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_truncated_quoted_field(void **state)
{
	static const char text[] = "a,b\n"
	                           "1,2\n"
	                           "3,\"never\nclosed\n";
	struct csv_row row;
	struct err e = {0};
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, NULL, &f);

	(void)state;
	expect_row(r, 1, 2, "a", "b");
	expect_row(r, 2, 2, "1", "2");
	assert_int_equal(csv_next(r, &row, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "line 3:"));
	assert_non_null(strstr(e.msg, "not closed"));
	assert_int_equal(csv_failed(r), 1);
	err_clear(&e);
	assert_int_equal(csv_next(r, &row, &e), ERR_INVALID); /* and it stays failed */
	assert_non_null(strstr(e.msg, "line 3:"));
	csv_free(r);
	fclose(f);
}

static void test_text_after_closing_quote(void **state)
{
	static const char text[] = "\"ab\"c,d\nx,y\n";
	struct csv_row row;
	struct err e = {0};
	FILE *f;
	struct csv_reader *r = reader_over(text, sizeof text - 1, NULL, &f);

	(void)state;
	assert_int_equal(csv_next(r, &row, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "line 1:"));
	assert_non_null(strstr(e.msg, "closing quote"));
	expect_row(r, 2, 2, "x", "y");
	expect_end(r);
	csv_free(r);
	fclose(f);
}

static void test_record_too_long_is_fatal(void **state)
{
	struct csv_limits lim = {.max_field = 4 << 20, .max_record = 1000};
	size_t n = 3 * 1024 * 1024;
	char *text = malloc(n);
	struct csv_row row;
	struct err e = {0};
	FILE *f;
	struct csv_reader *r;

	(void)state;
	assert_non_null(text);
	memcpy(text, "a\nb\n", 4);
	memset(text + 4, 'x', n - 4); /* one record of 3 MiB, past the 1000-byte cap */
	r = reader_over(text, n, &lim, &f);
	expect_row(r, 1, 1, "a");
	expect_row(r, 2, 1, "b");
	assert_int_equal(csv_next(r, &row, &e), ERR_TOO_BIG);
	assert_non_null(strstr(e.msg, "line 3:"));
	assert_int_equal(csv_failed(r), 1);
	csv_free(r);
	fclose(f);
	free(text);
}

/* Many records spanning several reads of the buffer: records cut across a read
 * boundary, quoted fields and CRLF included, all come back whole and in order. */
static void test_across_buffer_refills(void **state)
{
	size_t rows = 60000, cap = rows * 64, len = 0;
	char *text = malloc(cap);
	struct csv_row row;
	struct err e = {0};
	FILE *f;
	struct csv_reader *r;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < rows; i++)
		len += (size_t)snprintf(text + len, cap - len, "%zu,\"q,%zu\"\"\",%s\r\n", i, i,
		                        (i % 7) ? "plain text here" : "");
	r = reader_over(text, len, NULL, &f);
	for (size_t i = 0; i < rows; i++) {
		char want[32];

		assert_int_equal(csv_next(r, &row, &e), ERR_OK);
		assert_int_equal(row.n, 3);
		assert_int_equal(row.line, (long)i + 1);
		assert_int_equal(strtol(row.fields[0], NULL, 10), (long)i);
		snprintf(want, sizeof want, "q,%zu\"", i);
		assert_string_equal(row.fields[1], want);
		assert_string_equal(row.fields[2], (i % 7) ? "plain text here" : "");
	}
	expect_end(r);
	csv_free(r);
	fclose(f);
	free(text);
}

static void test_writer_round_trip(void **state)
{
	const char *in[] = {"plain", "with,comma", "with \"quotes\"", "two\nlines", "",
	                    NULL, "cr\r", " spaced "};
	size_t n = sizeof in / sizeof in[0];
	char *out = NULL;
	size_t out_len = 0;
	FILE *w = open_memstream(&out, &out_len);
	FILE *f;
	struct csv_reader *r;
	struct csv_row row;
	struct err e = {0};

	(void)state;
	assert_non_null(w);
	assert_int_equal(csv_write_row(w, in, n), ERR_OK);
	assert_int_equal(csv_write_row(w, in, 1), ERR_OK);
	fclose(w);
	assert_string_equal(out, "plain,\"with,comma\",\"with \"\"quotes\"\"\",\"two\nlines\",,,"
	                         "\"cr\r\", spaced \nplain\n");
	r = reader_over(out, out_len, NULL, &f);
	assert_int_equal(csv_next(r, &row, &e), ERR_OK);
	assert_int_equal(row.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(row.fields[i], in[i] ? in[i] : "");
	expect_row(r, 3, 1, "plain");
	expect_end(r);
	csv_free(r);
	fclose(f);
	free(out);
}

/* Every file under tests/data/csv/NAME.csv is read and dumped as one line per record,
 * fields joined by '|', and compared with NAME.expected. */
static void test_data_files(void **state)
{
	static const char *const cases[] = {"mixed", "quoted-crlf"};

	(void)state;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char path[512], dump[8192], want[8192];
		size_t dl = 0, wl;
		FILE *f, *x;
		struct csv_reader *r = NULL;
		struct csv_row row;
		struct err e = {0};

		snprintf(path, sizeof path, "%s/csv/%s.csv", TEST_DATA_DIR, cases[c]);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(csv_open(f, NULL, &r, &e), ERR_OK);
		while (csv_next(r, &row, &e) == ERR_OK && row.n > 0) {
			dl += (size_t)snprintf(dump + dl, sizeof dump - dl, "%ld:", row.line);
			for (size_t i = 0; i < row.n; i++)
				dl += (size_t)snprintf(dump + dl, sizeof dump - dl, "%s[%s]",
				                       i ? "|" : "", row.fields[i]);
			dl += (size_t)snprintf(dump + dl, sizeof dump - dl, "\n");
			assert_true(dl < sizeof dump);
		}
		assert_int_equal(csv_failed(r), 0);
		csv_free(r);
		fclose(f);
		snprintf(path, sizeof path, "%s/csv/%s.expected", TEST_DATA_DIR, cases[c]);
		x = fopen(path, "rb");
		assert_non_null(x);
		wl = fread(want, 1, sizeof want - 1, x);
		want[wl] = '\0';
		fclose(x);
		assert_string_equal(dump, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quoted),
		cmocka_unit_test(test_embedded_newlines_and_line_numbers),
		cmocka_unit_test(test_crlf_bom_no_trailing_newline),
		cmocka_unit_test(test_empty_fields_and_input),
		cmocka_unit_test(test_field_too_long),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_truncated_quoted_field),
		cmocka_unit_test(test_text_after_closing_quote),
		cmocka_unit_test(test_record_too_long_is_fatal),
		cmocka_unit_test(test_across_buffer_refills),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_data_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

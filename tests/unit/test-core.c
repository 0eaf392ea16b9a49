/* Unit tests for src/core: capped buffers, dates, the deterministic generator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/num.h"
#include "core/rng.h"

static void test_buf_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "abcd"), ERR_OK);
	assert_int_equal(buf_printf(&b, "%d", 123), ERR_OK);
	assert_string_equal(buf_str(&b), "abcd123");
	assert_int_equal(buf_puts(&b, "xy"), ERR_TOO_BIG);
	assert_string_equal(buf_str(&b), "abcd123"); /* unchanged on failure */
	assert_int_equal(buf_putc(&b, 'z'), ERR_OK);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_putc(&b, 'z'), ERR_TOO_BIG);
	buf_release(&b);
	assert_string_equal(buf_str(&b), "");
}

static void test_dates(void **state)
{
	char out[DATE_ISO_LEN];
	int32_t d;

	(void)state;
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_string_equal(date_format(d, out), "2024-02-29");
	assert_int_equal(date_parse("2023-02-29", &d), -1);
	assert_int_equal(date_parse("2023-13-01", &d), -1);
	assert_int_equal(date_parse("2023-1-01", &d), -1);
	assert_int_equal(date_parse("2023-01-01x", &d), -1);
	assert_int_equal(date_parse("", &d), -1);
	assert_int_equal(date_parse(NULL, &d), -1);
	assert_int_equal(date_parse("2026-11-27", &d), 0);
	assert_int_equal(date_weekday(d), 4); /* a Friday */
	for (int32_t x = -1000; x < 30000; x += 7) {
		int y, m, dd;

		date_to_ymd(x, &y, &m, &dd);
		assert_int_equal(date_from_ymd(y, m, dd), x);
	}
}

static void test_rng_deterministic(void **state)
{
	struct rng a, b;
	double cum[] = {1.0, 1.0, 3.0};
	int hits[3] = {0};

	(void)state;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++)
		assert_true(rng_next(&a) == rng_next(&b));
	for (int i = 0; i < 10000; i++) {
		uint64_t x = rng_below(&a, 7);
		int64_t y = rng_range(&a, -3, 3);

		assert_true(x < 7);
		assert_true(y >= -3 && y <= 3);
		hits[rng_pick_cumulative(&a, cum, 3)]++;
	}
	assert_int_equal(hits[1], 0); /* zero weight is never drawn */
	assert_true(hits[2] > hits[0]);
}

static void test_num_parse(void **state)
{
	int64_t v = -1;

	(void)state;
	assert_int_equal(num_parse("42", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(num_parse("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(num_parse("9223372036854775807", 0, INT64_MAX, &v), 0);
	v = 7;
	const char *bad[] = {"", "+1", " 1", "1 ", "01", "-1", "1x", "0x10", "1e3",
	                     "9223372036854775808", "99999999999999999999", NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(num_parse(bad[i], 0, INT64_MAX, &v), -1);
	assert_int_equal(v, 7);
	assert_int_equal(num_parse(NULL, 0, 10, &v), -1);
	assert_int_equal(num_parse("101", 1, 100, &v), -1);
	assert_int_equal(num_parse("0", 1, 100, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_rng_deterministic),
		cmocka_unit_test(test_num_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for csv: PLACEHOLDER, being written (fails until then). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void test_placeholder(void **state)
{
	(void)state;
	fail_msg("tests for csv are not written yet");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_placeholder)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/web/html: every escaper, caps, invalid UTF-8 replaced by U+FFFD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "web/html.h"

#define FFFD "\xEF\xBF\xBD"

/* Runs fn on in and compares the output with want. */
static void check(enum err_code (*fn)(struct buf *, const char *), const char *in,
                  const char *want)
{
	struct buf b;

	buf_init(&b, 4096);
	assert_int_equal(fn(&b, in), ERR_OK);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_raw(void **state)
{
	(void)state;
	check(html_raw, "<p class=\"x\">", "<p class=\"x\">");
	check(html_raw, NULL, "");
}

static void test_txt(void **state)
{
	(void)state;
	check(html_txt, "plain text", "plain text");
	check(html_txt, "a & b < c > d \" e ' f", "a &amp; b &lt; c &gt; d &quot; e &#39; f");
	check(html_txt, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	check(html_txt, "&amp;", "&amp;amp;"); /* already escaped text is escaped again */
	check(html_txt, "Établissement à Besançon", "Établissement à Besançon");
	check(html_txt, "line\nnext\ttab", "line\nnext\ttab");
	check(html_txt, "bell\x07 del\x7f", "bell" FFFD " del" FFFD);
	check(html_txt, "", "");
	check(html_txt, NULL, "");
}

static void test_attr(void **state)
{
	(void)state;
	check(html_attr, "x\" onmouseover=\"alert(1)", "x&quot; onmouseover=&quot;alert(1)");
	check(html_attr, "it's <b>", "it&#39;s &lt;b&gt;");
	check(html_attr, "a\nb\tc\rd", "a&#10;b&#9;c&#13;d");
	check(html_attr, "é", "é");
}

static void test_url_arg(void **state)
{
	(void)state;
	check(html_url_arg, "AZaz09-._~", "AZaz09-._~");
	check(html_url_arg, "a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g");
	check(html_url_arg, "\"><script>", "%22%3E%3Cscript%3E");
	check(html_url_arg, "é", "%C3%A9");
	check(html_url_arg, "tab\there", "tab%09here");
	check(html_url_arg, "bad\xff", "bad%EF%BF%BD");
	check(html_url_arg, "%", "%25");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	check(html_txt, "a\xff" "b", "a" FFFD "b");                 /* never a lead byte */
	check(html_txt, "\xc0\xaf", FFFD FFFD);                       /* overlong '/' */
	check(html_txt, "\xe0\x80\xaf", FFFD FFFD FFFD);              /* overlong, 3 bytes */
	check(html_txt, "\xed\xa0\x80", FFFD FFFD FFFD);              /* surrogate D800 */
	check(html_txt, "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);     /* past U+10FFFF */
	check(html_txt, "\xe2\x82", FFFD);                            /* truncated at the end */
	check(html_txt, "\xe2\x82x", FFFD "x");                       /* truncated, one U+FFFD */
	check(html_txt, "\x80\x80", FFFD FFFD);                       /* lone continuations */
	check(html_txt, "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");      /* U+1F600 passes */
	check(html_txt, "\xef\xbf\xbf", "\xef\xbf\xbf");              /* U+FFFF is well-formed */
	check(html_attr, "\xc3<", FFFD "&lt;");                       /* no byte is swallowed */

	{
		struct buf b;

		buf_init(&b, 64);
		assert_int_equal(html_ntxt(&b, "a\0b", 3), ERR_OK);
		assert_int_equal(b.len, 5);
		assert_memory_equal(b.data, "a" FFFD "b", 5);
		buf_release(&b);
	}
	assert_true(html_utf8_valid("Besançon", strlen("Besançon")));
	assert_false(html_utf8_valid("a\0b", 3));
	assert_false(html_utf8_valid("\xc3", 1));
	assert_int_equal(html_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(html_utf8_seq((const unsigned char *)"\xe2\x82\xac", 2), 0);
}

static void test_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(html_txt(&b, "abc"), ERR_OK);
	assert_int_equal(html_txt(&b, "<<"), ERR_TOO_BIG); /* 8 bytes would be needed */
	assert_true(b.len <= 8);
	assert_int_equal(html_url_arg(&b, "\xff\xff"), ERR_TOO_BIG);
	buf_release(&b);
}

static void test_page(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(html_page_begin(&b, "A <b>"), ERR_OK);
	assert_int_equal(html_page_end(&b), ERR_OK);
	assert_non_null(strstr(buf_str(&b), "<html lang=\"fr\">"));
	assert_non_null(strstr(buf_str(&b), "<title>A &lt;b&gt;</title>"));
	assert_non_null(strstr(buf_str(&b), "<meta charset=\"utf-8\">"));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_url_arg),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

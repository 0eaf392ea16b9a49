/* Unit tests for src/web: the form parser (repeats, caps, bad escapes), the mapping of
 * error fields to form controls, the highlighting of search words (accents, case, typos,
 * escaping) and the headcount band labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/request.h"
#include "search/query.h"
#include "web/web.h"

/* ---- Form parser ------------------------------------------------------------------- */

static enum err_code parse(struct http_request *req, const char *body, struct web_form *f,
                           struct err *e)
{
	return web_form_parse(req, body, strlen(body), f, e);
}

static void test_form_basic(void **state)
{
	struct http_request req;
	struct web_form f;
	struct err e = {0};

	(void)state;
	http_request_init(&req, 1024);
	assert_int_equal(parse(&req, "a=1&b=h%C3%A9+llo&&c&themes=x&themes=y&themes=z", &f, &e),
	                 ERR_OK);
	assert_int_equal(f.n, 6);
	assert_string_equal(web_form_get(&f, "a"), "1");
	assert_string_equal(web_form_get(&f, "b"), "hé llo");
	assert_string_equal(web_form_get(&f, "c"), ""); /* a pair without '=' */
	assert_null(web_form_get(&f, "missing"));
	assert_int_equal(web_form_count(&f, "themes"), 3);
	assert_string_equal(web_form_nth(&f, "themes", 0), "x");
	assert_string_equal(web_form_nth(&f, "themes", 2), "z");
	assert_null(web_form_nth(&f, "themes", 3));
	assert_true(web_form_has(&f, "themes", "y"));
	assert_false(web_form_has(&f, "themes", "w"));
	/* Encoded separators stay inside their value. */
	assert_int_equal(parse(&req, "note=a%26b%3Dc%0Ad&k=%2B", &f, &e), ERR_OK);
	assert_string_equal(web_form_get(&f, "note"), "a&b=c\nd");
	assert_string_equal(web_form_get(&f, "k"), "+");
	/* An empty body is an empty form. */
	assert_int_equal(parse(&req, "", &f, &e), ERR_OK);
	assert_int_equal(f.n, 0);
	http_request_release(&req);
}

static void test_form_bad(void **state)
{
	static const char *const bad[] = {"a=%",   "a=%4",  "a=%zz",   "a=%00",
	                                  "a=%C3", "%ff=1", "a=%C0%AF"};
	struct http_request req;
	struct web_form f;
	struct err e = {0};

	(void)state;
	http_request_init(&req, 1024);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(parse(&req, bad[i], &f, &e), ERR_INVALID);
		assert_string_equal(e.field, "body");
		assert_int_equal(f.n, 0);
	}
	http_request_release(&req);
}

static void test_form_caps(void **state)
{
	struct http_request req;
	struct web_form f;
	struct err e = {0};
	struct buf b;

	(void)state;
	http_request_init(&req, 1024);
	/* Exactly the cap of fields passes, one more is refused. */
	buf_init(&b, 1u << 20);
	for (int i = 0; i < WEB_FORM_MAX_FIELDS; i++)
		buf_printf(&b, "%sf%d=%d", i ? "&" : "", i, i);
	assert_int_equal(web_form_parse(&req, buf_str(&b), b.len, &f, &e), ERR_OK);
	assert_int_equal(f.n, WEB_FORM_MAX_FIELDS);
	buf_puts(&b, "&one=more");
	assert_int_equal(web_form_parse(&req, buf_str(&b), b.len, &f, &e), ERR_TOO_BIG);
	assert_int_equal(f.n, 0);
	/* Empty pairs do not count. */
	buf_reset(&b);
	for (int i = 0; i < WEB_FORM_MAX_FIELDS * 3; i++)
		buf_puts(&b, "&");
	buf_puts(&b, "a=1");
	assert_int_equal(web_form_parse(&req, buf_str(&b), b.len, &f, &e), ERR_OK);
	assert_int_equal(f.n, 1);
	/* A value past its cap, a name past its cap. */
	buf_reset(&b);
	buf_puts(&b, "note=");
	for (int i = 0; i <= WEB_FORM_MAX_VALUE; i++)
		buf_putc(&b, 'x');
	assert_int_equal(web_form_parse(&req, buf_str(&b), b.len, &f, &e), ERR_TOO_BIG);
	buf_reset(&b);
	for (int i = 0; i <= WEB_FORM_MAX_NAME; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "=1");
	assert_int_equal(web_form_parse(&req, buf_str(&b), b.len, &f, &e), ERR_TOO_BIG);
	/* A value at the cap passes. */
	buf_reset(&b);
	buf_puts(&b, "note=");
	for (int i = 0; i < WEB_FORM_MAX_VALUE; i++)
		buf_putc(&b, 'x');
	assert_int_equal(web_form_parse(&req, buf_str(&b), b.len, &f, &e), ERR_OK);
	assert_int_equal(strlen(web_form_get(&f, "note")), WEB_FORM_MAX_VALUE);
	buf_release(&b);
	http_request_release(&req);
}

/* ---- Error fields to controls ------------------------------------------------------ */

static void test_error_control(void **state)
{
	static const struct {
		const char *field, *control;
	} cases[] = {
	    {"siret", "f-siret"},
	    {"worksite_id", "f-siret"},
	    {"date", "f-date"},
	    {"kind", "f-kind"},
	    {"note", "f-note"},
	    {"themes", "f-themes"},
	    {"themes[0]", "f-themes"},
	    {"co_agents[3]", "f-co_agents"},
	    {"priority_action_id", "f-action"},
	    {"checkpoints[2].control_point_id", "f-action"},
	    {"followups", "f-fu-0-kind"},
	    {"followups[0].kind", "f-fu-0-kind"},
	    {"followups[1].date", "f-fu-4-date"}, /* sent follow-up 1 is form row 4 */
	    {"followups[1].provisions[2]", "f-fu-4-prov"},
	    {"followups[1].status", "f-fu-4-kind"},
	    {"followups[1]", "f-fu-4-kind"},
	    {"followups[7].date", "f-fu-7-date"}, /* past the rows given: the index */
	};
	static const char *const none[] = {"",
	                                   "author_id",
	                                   "created_at",
	                                   "status",
	                                   "accidents[0].date",
	                                   "followups[x].date",
	                                   "followups[1].nothing",
	                                   "dates",
	                                   "kinds",
	                                   NULL};
	const size_t rows[] = {0, 4};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(web_error_control(cases[i].field, rows, 2, out, sizeof out), 1);
		assert_string_equal(out, cases[i].control);
	}
	for (size_t i = 0; none[i]; i++) {
		assert_int_equal(web_error_control(none[i], rows, 2, out, sizeof out), 0);
		assert_string_equal(out, "");
	}
	assert_int_equal(web_error_control(NULL, NULL, 0, out, sizeof out), 0);
	/* A small output buffer is cut, never overrun. */
	assert_int_equal(web_error_control("followups[1].date", rows, 2, out, 5), 1);
	assert_string_equal(out, "f-fu");
}

/* ---- Highlighting ------------------------------------------------------------------ */

static void hl(const char *query, const char *text, const char *want)
{
	struct search_query q;
	struct buf b;

	assert_int_equal(search_query_parse(query, &q, NULL), ERR_OK);
	buf_init(&b, 4096);
	assert_int_equal(web_highlight(&b, text, &q, 0xFFFFFFFFu, NULL), ERR_OK);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_highlight(void **state)
{
	struct search_query q;
	struct buf b;

	(void)state;
	/* Accents and case are folded for the comparison; the text shows as it was. */
	hl("besancon", "Boulangerie de BESANÇON", "Boulangerie de <mark>BESANÇON</mark>");
	hl("ÉCOLE", "ecole des Écoles", "<mark>ecole</mark> des <mark>Écoles</mark>");
	hl("oeuvre", "Main-d'Œuvre", "Main-d&#39;<mark>Œuvre</mark>");
	/* A typo within the word's budget; a prefix for the last word. */
	hl("boulangrie", "LA BOULANGERIE", "LA <mark>BOULANGERIE</mark>");
	hl("boul", "BOULANGERIE DUPONT", "<mark>BOULANGERIE</mark> DUPONT");
	/* Nothing matching: escaped only. */
	hl("garage", "Tom & Jerry <b>", "Tom &amp; Jerry &lt;b&gt;");
	/* A matched word holding markup characters is escaped inside the mark. */
	hl("dupont", "DUPONT<script>", "<mark>DUPONT</mark>&lt;script&gt;");
	/* The mask selects the words: word 0 only. */
	assert_int_equal(search_query_parse("dupont lyon", &q, NULL), ERR_OK);
	buf_init(&b, 4096);
	assert_int_equal(web_highlight(&b, "DUPONT LYON", &q, 1u, NULL), ERR_OK);
	assert_string_equal(buf_str(&b), "<mark>DUPONT</mark> LYON");
	buf_reset(&b);
	assert_int_equal(web_highlight(&b, "DUPONT LYON", &q, 0, NULL), ERR_OK);
	assert_string_equal(buf_str(&b), "DUPONT LYON");
	buf_reset(&b);
	/* The typos the search reported widen the budget of a short word. */
	assert_int_equal(search_query_parse("lyno", &q, NULL), ERR_OK);
	assert_int_equal(web_highlight(&b, "LYON", &q, 1u, NULL), ERR_OK);
	assert_string_equal(buf_str(&b), "LYON");
	buf_reset(&b);
	{
		uint8_t typos[SEARCH_QUERY_WORDS_MAX] = {1};

		assert_int_equal(web_highlight(&b, "LYON", &q, 1u, typos), ERR_OK);
		assert_string_equal(buf_str(&b), "<mark>LYON</mark>");
	}
	buf_release(&b);
	/* NULL text writes nothing; a full buffer is reported. */
	buf_init(&b, 8);
	assert_int_equal(web_highlight(&b, NULL, &q, 1u, NULL), ERR_OK);
	assert_int_equal(web_highlight(&b, "LYON LYON LYON", &q, 1u, NULL), ERR_TOO_BIG);
	buf_release(&b);
}

/* ---- Formatters -------------------------------------------------------------------- */

static void test_headcount(void **state)
{
	static const struct {
		const char *code, *label;
	} bands[] = {
	    {"NN", "Non renseigné"},          {"00", "0 salarié"},
	    {"01", "1 ou 2 salariés"},        {"02", "3 à 5 salariés"},
	    {"03", "6 à 9 salariés"},         {"11", "10 à 19 salariés"},
	    {"12", "20 à 49 salariés"},       {"21", "50 à 99 salariés"},
	    {"22", "100 à 199 salariés"},     {"31", "200 à 249 salariés"},
	    {"32", "250 à 499 salariés"},     {"41", "500 à 999 salariés"},
	    {"42", "1 000 à 1 999 salariés"}, {"51", "2 000 à 4 999 salariés"},
	    {"52", "5 000 à 9 999 salariés"}, {"53", "10 000 salariés et plus"},
	};
	char d[11];

	(void)state;
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		assert_string_equal(web_headcount_label(bands[i].code), bands[i].label);
	assert_string_equal(web_headcount_label(NULL), "Non renseigné");
	assert_string_equal(web_headcount_label(""), "Non renseigné");
	assert_null(web_headcount_label("99"));
	assert_null(web_headcount_label("1"));
	assert_string_equal(web_date_fr("2025-03-07", d), "07/03/2025");
	assert_string_equal(web_date_fr("2025-03-07T10:00:00Z", d), "07/03/2025");
	assert_string_equal(web_date_fr("bientôt", d), "bientôt");
	assert_string_equal(web_date_fr(NULL, d), "");
	assert_string_equal(web_month_name(8), "août");
	assert_string_equal(web_month_name(13), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form_basic), cmocka_unit_test(test_form_bad),
	    cmocka_unit_test(test_form_caps),  cmocka_unit_test(test_error_control),
	    cmocka_unit_test(test_highlight),  cmocka_unit_test(test_headcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

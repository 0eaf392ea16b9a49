/* Unit tests for src/search/normalize: data-driven cases from tests/data/search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "search/normalize.h"

/* Decodes \xNN escapes of s in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = {s[2], s[3], 0};

			*o++ = (char)strtol(hex, NULL, 16);
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void render(const struct search_token *t, size_t n, char *out, size_t max)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (t[i].flags & SEARCH_TOK_STOP)
			continue;
		for (int f = 0; f < t[i].n_forms; f++)
			o += (size_t)snprintf(out + o, max - o, "%s%s", f ? "/" : (o ? " " : ""),
			                      t[i].form[f]);
		if (t[i].flags & SEARCH_TOK_LEGAL)
			o += (size_t)snprintf(out + o, max - o, "!");
	}
}

static void test_cases(void **state)
{
	char line[2048], got[2048];
	FILE *f = fopen(TEST_DATA_DIR "/search/normalize.txt", "r");
	int cases = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		struct search_token toks[64];
		char *ctx = line, *in, *want;
		enum search_ctx c;
		size_t n;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		in = strchr(ctx, '\t');
		assert_non_null(in);
		*in++ = '\0';
		want = strchr(in, '\t');
		assert_non_null(want);
		*want++ = '\0';
		unescape(in);
		c = strcmp(ctx, "query") == 0   ? SEARCH_CTX_QUERY
		    : strcmp(ctx, "place") == 0 ? SEARCH_CTX_PLACE
		                                : SEARCH_CTX_NAME;
		n = search_tokenize(in, c, toks, 64);
		render(toks, n, got, sizeof got);
		if (strcmp(got, want) != 0)
			fail_msg("%s \"%s\": got \"%s\", expected \"%s\"", ctx, in, got, want);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 40);
}

static void test_positions_and_flags(void **state)
{
	struct search_token t[16];
	size_t n;

	(void)state;
	n = search_tokenize("SARL Boulangerie de la Gare 42", SEARCH_CTX_NAME, t, 16);
	assert_int_equal(n, 6);
	assert_true(t[0].flags & SEARCH_TOK_LEGAL);
	assert_int_equal(t[1].pos, 1);
	assert_true(t[2].flags & SEARCH_TOK_STOP);
	assert_true(t[3].flags & SEARCH_TOK_STOP);
	assert_string_equal(t[4].form[0], "gare");
	assert_int_equal(t[4].pos, 2); /* stop words take no position */
	assert_true(t[5].flags & SEARCH_TOK_NUMBER);
}

static void test_bounds(void **state)
{
	char big[5000];
	static struct search_token t[200];
	size_t n;

	(void)state;
	/* long words are cut below SEARCH_WORD_MAX, long texts and token lists are capped */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	n = search_tokenize(big, SEARCH_CTX_NAME, t, 64);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(t[0].form[0]), SEARCH_WORD_MAX - 1);
	for (size_t i = 0; i + 2 < sizeof big; i += 2) {
		big[i] = 'x';
		big[i + 1] = ' ';
	}
	assert_int_equal(search_tokenize(big, SEARCH_CTX_QUERY, t, 200),
	                 SEARCH_QUERY_BYTES_MAX / 2);
	assert_int_equal(search_tokenize(big, SEARCH_CTX_NAME, t, 8), 8);
	/* a multi-byte character is never cut in two */
	for (size_t i = 0; i + 2 < sizeof big; i += 2) {
		big[i] = (char)0xC3;
		big[i + 1] = (char)0xA9;
	}
	n = search_tokenize(big, SEARCH_CTX_NAME, t, 64);
	assert_int_equal(n, 1);
	assert_int_equal(strspn(t[0].form[0], "e"), strlen(t[0].form[0]));
	assert_int_equal(search_tokenize(NULL, SEARCH_CTX_NAME, t, 64), 0);
	assert_int_equal(search_tokenize("", SEARCH_CTX_NAME, t, 64), 0);
}

static void test_budget(void **state)
{
	(void)state;
	assert_int_equal(search_typo_budget(4), 0);
	assert_int_equal(search_typo_budget(5), 1);
	assert_int_equal(search_typo_budget(8), 1);
	assert_int_equal(search_typo_budget(9), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_positions_and_flags),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

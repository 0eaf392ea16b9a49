/* Unit tests for src/report: the shared table model and its CSV, HTML and XLSX writers
 * (escaping, formula injection, secrets and quarterly cells never written as 0, caps), and
 * the SVG charts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/err.h"
#include "report/svg.h"
#include "report/table.h"

static const char *const hdr3[] = {"Unité", "Valeur", "Note"};

/* A table: a text row, a number row, a secret row, an empty cell. */
static void sample(struct rtable *t)
{
	size_t r;

	rtable_init(t, "Titre <b>&", "Feuille", 3, hdr3);
	assert_int_equal(rtable_row(t, &r, NULL), ERR_OK);
	rtable_text(t, r, 0, "Côtes-d'Armor, \"nord\"");
	rtable_int(t, r, 1, 42);
	rtable_text(t, r, 2, "=HYPERLINK(\"http://x\")");
	assert_int_equal(rtable_row(t, &r, NULL), ERR_OK);
	rtable_text(t, r, 0, "ligne\nsuivante");
	rtable_secret(t, r, 1);
	rtable_text(t, r, 2, "+33 1 23");
	assert_int_equal(rtable_row(t, &r, NULL), ERR_OK);
	rtable_text(t, r, 0, "@SUM(A1)");
	rtable_real(t, r, 1, 12.345);
	rtable_text(t, r, 2, "-2");
	rtable_note(t, "Définition <i>");
}

static void test_csv(void **state)
{
	struct rtable t;
	struct buf b;

	(void)state;
	sample(&t);
	buf_init(&b, 1 << 20);
	assert_int_equal(rtable_csv(&t, &b, NULL), ERR_OK);
	assert_string_equal(
	    buf_str(&b), "Unité,Valeur,Note\r\n"
	                 "\"Côtes-d'Armor, \"\"nord\"\"\",42,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
	                 "\"ligne\nsuivante\",secret,'+33 1 23\r\n"
	                 "'@SUM(A1),12.3,'-2\r\n");
	/* the cap is honoured */
	buf_release(&b);
	buf_init(&b, 20);
	assert_int_equal(rtable_csv(&t, &b, NULL), ERR_TOO_BIG);
	buf_release(&b);
	rtable_release(&t);
}

static void test_html(void **state)
{
	struct rtable t;
	struct buf b;
	const char *s;

	(void)state;
	sample(&t);
	buf_init(&b, 1 << 20);
	assert_int_equal(rtable_html(&t, &b, NULL), ERR_OK);
	s = buf_str(&b);
	assert_non_null(strstr(s, "<caption>Titre &lt;b&gt;&amp;</caption>"));
	assert_non_null(strstr(s, "<th scope=\"col\">Unité</th>"));
	assert_non_null(strstr(s, "<th scope=\"row\">Côtes-d&#39;Armor, &quot;nord&quot;</th>"));
	assert_non_null(strstr(s, "<td class=\"num\">42</td>"));
	assert_non_null(strstr(s, "<td class=\"secret\">secret</td>"));
	assert_non_null(strstr(s, "<td class=\"num\">12,3</td>"));
	assert_non_null(strstr(s, "<p class=\"table-note\">Définition &lt;i&gt;</p>"));
	assert_null(strstr(s, "<i>"));
	assert_null(strstr(s, "<b>"));
	buf_release(&b);
	rtable_release(&t);
}

/* People read 12 345 (narrow no-break space) in HTML; 1234 stays whole; CSV keeps plain
 * digits for machines. */
static void test_digit_grouping(void **state)
{
	static const char *const hdr[] = {"Nom", "Nombre"};
	static const int64_t v[] = {1234, 12345, -1234567, 100000000};
	static const char *const want[] = {">1234<", ">12\xE2\x80\xAF" "345<",
	                                   ">-1\xE2\x80\xAF" "234\xE2\x80\xAF" "567<",
	                                   ">100\xE2\x80\xAF" "000\xE2\x80\xAF" "000<"};
	struct rtable t;
	struct buf b;
	size_t r;

	(void)state;
	rtable_init(&t, "T", "T", 2, hdr);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(rtable_row(&t, &r, NULL), ERR_OK);
		rtable_text(&t, r, 0, "x");
		rtable_int(&t, r, 1, v[i]);
	}
	buf_init(&b, 1 << 20);
	assert_int_equal(rtable_html(&t, &b, NULL), ERR_OK);
	for (size_t i = 0; i < 4; i++)
		assert_non_null(strstr(buf_str(&b), want[i]));
	buf_reset(&b);
	assert_int_equal(rtable_csv(&t, &b, NULL), ERR_OK);
	assert_non_null(strstr(buf_str(&b), "x,-1234567\r\n"));
	assert_non_null(strstr(buf_str(&b), "x,100000000\r\n"));
	buf_release(&b);
	rtable_release(&t);
}

/* Every writer: a table whose only number is secret never prints a 0 or a digit. */
static void test_secret_never_zero(void **state)
{
	static const char *const hdr[] = {"Nom", "Nombre"};
	struct rtable t;
	struct buf b;
	size_t r;

	(void)state;
	rtable_init(&t, "T", "T", 2, hdr);
	assert_int_equal(rtable_row(&t, &r, NULL), ERR_OK);
	rtable_text(&t, r, 0, "x");
	rtable_int(&t, r, 1, 0);
	rtable_secret(&t, r, 1); /* replaces the 0 */
	buf_init(&b, 1 << 20);
	assert_int_equal(rtable_csv(&t, &b, NULL), ERR_OK);
	assert_string_equal(buf_str(&b), "Nom,Nombre\r\nx,secret\r\n");
	buf_reset(&b);
	assert_int_equal(rtable_html(&t, &b, NULL), ERR_OK);
	assert_null(strstr(buf_str(&b), "<td class=\"num\""));
	assert_null(strstr(buf_str(&b), ">0<"));
	assert_non_null(strstr(buf_str(&b), ">secret<"));
	buf_release(&b);
	rtable_release(&t);
}

static void test_row_cap(void **state)
{
	static const char *const hdr[] = {"a"};
	struct rtable t;
	struct err e;
	size_t r = 0;

	(void)state;
	rtable_init(&t, "T", "T", 1, hdr);
	for (size_t i = 0; i < RTABLE_MAX_ROWS; i++)
		assert_int_equal(rtable_row(&t, &r, NULL), ERR_OK);
	assert_int_equal(r, RTABLE_MAX_ROWS - 1);
	assert_int_equal(rtable_row(&t, &r, &e), ERR_TOO_BIG);
	assert_int_equal(t.nrows, RTABLE_MAX_ROWS);
	/* out of range writes are ignored, not a crash */
	rtable_int(&t, RTABLE_MAX_ROWS, 0, 1);
	rtable_text(&t, 0, 5, "x");
	rtable_release(&t);
	/* columns are clamped to 1..RTABLE_MAX_COLS */
	rtable_init(&t, NULL, NULL, 1000, NULL);
	assert_int_equal(t.ncols, RTABLE_MAX_COLS);
	rtable_release(&t);
}

/* ---- A minimal ZIP reader: finds an entry through the central directory, inflates it. */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The inflated entry name of the zip (new memory, caller frees), or NULL. */
static char *zip_entry(const unsigned char *z, size_t n, const char *name)
{
	size_t eocd = n >= 22 ? n - 22 : 0, off;
	uint16_t count;

	while (eocd > 0 && le32(z + eocd) != 0x06054b50)
		eocd--;
	if (le32(z + eocd) != 0x06054b50)
		return NULL;
	count = le16(z + eocd + 10);
	off = le32(z + eocd + 16);
	for (uint16_t i = 0; i < count && off + 46 <= n; i++) {
		uint16_t method = le16(z + off + 10), nl = le16(z + off + 28),
		         xl = le16(z + off + 30), cl = le16(z + off + 32);
		uint32_t csize = le32(z + off + 20), usize = le32(z + off + 24),
		         local = le32(z + off + 42);

		if (nl == strlen(name) && memcmp(z + off + 46, name, nl) == 0) {
			size_t data = local + 30 + le16(z + local + 26) + le16(z + local + 28);
			char *out = calloc(usize + 1, 1);
			z_stream s = {0};

			if (method == 0) {
				memcpy(out, z + data, usize);
				return out;
			}
			assert_int_equal(inflateInit2(&s, -15), Z_OK);
			s.next_in = (unsigned char *)(z + data);
			s.avail_in = csize;
			s.next_out = (unsigned char *)out;
			s.avail_out = usize;
			assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
			inflateEnd(&s);
			return out;
		}
		off += 46u + nl + xl + cl;
	}
	return NULL;
}

static void test_xlsx(void **state)
{
	static const char *const hdr[] = {"Nom", "Nombre"};
	struct rtable a, b2, c;
	const struct rtable *tabs[3] = {&a, &b2, &c};
	struct buf b;
	char *wb, *sheet, *strings;
	size_t r;

	(void)state;
	sample(&a);
	rtable_init(&b2, "Deux", "Chiffres clés", 2, hdr);
	assert_int_equal(rtable_row(&b2, &r, NULL), ERR_OK);
	rtable_text(&b2, r, 0, "y");
	rtable_secret(&b2, r, 1);
	/* a name with forbidden characters, then one equal to another (case ignored) */
	rtable_init(&c, "Trois", "feuille", 2, hdr);
	buf_init(&b, 8u << 20);
	assert_int_equal(rtable_xlsx(tabs, 3, &b, NULL), ERR_OK);
	assert_true(b.len > 4);
	assert_memory_equal(b.data, "PK\x03\x04", 4);
	wb = zip_entry((const unsigned char *)b.data, b.len, "xl/workbook.xml");
	assert_non_null(wb);
	assert_non_null(strstr(wb, "name=\"Feuille\""));
	assert_non_null(strstr(wb, "name=\"Chiffres clés\""));
	assert_non_null(strstr(wb, "name=\"feuille~2\""));
	/* numbers are numbers, secrets the text "secret" */
	sheet = zip_entry((const unsigned char *)b.data, b.len, "xl/worksheets/sheet1.xml");
	assert_non_null(sheet);
	assert_non_null(strstr(sheet, "<v>42</v>"));
	strings = zip_entry((const unsigned char *)b.data, b.len, "xl/sharedStrings.xml");
	assert_non_null(strings);
	assert_non_null(strstr(strings, "<t>secret</t>"));
	/* the text is stored as text: no formula anywhere */
	assert_null(strstr(sheet, "<f>"));
	free(wb);
	free(sheet);
	free(strings);
	/* the output cap */
	buf_release(&b);
	buf_init(&b, 100);
	assert_int_equal(rtable_xlsx(tabs, 3, &b, NULL), ERR_TOO_BIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(rtable_xlsx(tabs, 0, &b, NULL), ERR_INVALID);
	buf_release(&b);
	rtable_release(&a);
	rtable_release(&b2);
	rtable_release(&c);
}

static void test_sheet_name_sanitised(void **state)
{
	static const char *const hdr[] = {"a"};
	struct rtable t;
	const struct rtable *tabs[1] = {&t};
	struct buf b;
	char *wb;

	(void)state;
	rtable_init(&t, "x", "a/b:c[d]*e?f\\g'h and a very long name past thirty-one", 1, hdr);
	buf_init(&b, 8u << 20);
	assert_int_equal(rtable_xlsx(tabs, 1, &b, NULL), ERR_OK);
	wb = zip_entry((const unsigned char *)b.data, b.len, "xl/workbook.xml");
	assert_non_null(wb);
	/* forbidden characters replaced, cut to 28 characters */
	assert_non_null(strstr(wb, "name=\"a-b-c-d--e-f-g'h and a very \""));
	free(wb);
	buf_release(&b);
	rtable_release(&t);
}

/* The text of the shared-string cell ref ("B4") of a worksheet, "" when it is not one
 * (static storage: one call at a time). */
static const char *cell_string(const char *sheet, const char *strings, const char *ref)
{
	static char out[256];
	char open[32];
	const char *p, *end;
	long n;

	out[0] = '\0';
	snprintf(open, sizeof open, "<c r=\"%s\" t=\"s\"><v>", ref);
	if ((p = strstr(sheet, open)) == NULL)
		return out;
	n = strtol(p + strlen(open), NULL, 10);
	for (p = strings; n >= 0 && p; n--)
		if ((p = strstr(p, "<si><t>")) != NULL && n > 0)
			p++;
	if (p == NULL || (end = strstr(p, "</t></si>")) == NULL)
		return out;
	p += strlen("<si><t>");
	snprintf(out, sizeof out, "%.*s", (int)(end - p), p);
	return out;
}

/* A cell published by quarter only: its own words in every writer (« par trimestre »,
 * class "quarterly", not "secret"), never a number, even over a 0 written first. */
static void test_quarterly(void **state)
{
	static const char *const hdr[] = {"Nom", "Mois", "Cumul"};
	struct rtable t;
	const struct rtable *tabs[1] = {&t};
	struct buf b;
	char *sheet, *strings;
	size_t r;

	(void)state;
	rtable_init(&t, "T", "T", 3, hdr);
	assert_int_equal(rtable_row(&t, &r, NULL), ERR_OK);
	rtable_text(&t, r, 0, "x");
	rtable_int(&t, r, 1, 0);
	rtable_quarterly(&t, r, 1); /* replaces the 0 */
	rtable_secret(&t, r, 2);
	assert_int_equal(t.cells[1].kind, RTABLE_QUARTERLY);
	buf_init(&b, 8u << 20);
	assert_int_equal(rtable_csv(&t, &b, NULL), ERR_OK);
	assert_string_equal(buf_str(&b), "Nom,Mois,Cumul\r\nx,par trimestre,secret\r\n");
	buf_reset(&b);
	assert_int_equal(rtable_html(&t, &b, NULL), ERR_OK);
	assert_non_null(strstr(buf_str(&b), "<td class=\"quarterly\">par trimestre</td>"
	                                    "<td class=\"secret\">secret</td></tr>"));
	assert_null(strstr(buf_str(&b), "<td class=\"num\""));
	assert_null(strstr(buf_str(&b), ">0<"));
	buf_reset(&b);
	/* XLSX: the text "par trimestre" in B4 (title, blank, header, then the row) */
	assert_int_equal(rtable_xlsx(tabs, 1, &b, NULL), ERR_OK);
	sheet = zip_entry((const unsigned char *)b.data, b.len, "xl/worksheets/sheet1.xml");
	strings = zip_entry((const unsigned char *)b.data, b.len, "xl/sharedStrings.xml");
	assert_non_null(sheet);
	assert_non_null(strings);
	assert_string_equal(cell_string(sheet, strings, "B4"), "par trimestre");
	assert_string_equal(cell_string(sheet, strings, "C4"), "secret");
	free(sheet);
	free(strings);
	/* out of range: ignored */
	rtable_quarterly(&t, 5, 0);
	rtable_quarterly(&t, 0, 3);
	buf_release(&b);
	rtable_release(&t);
}

/* ---- SVG charts ---- */

static void test_svg_bars(void **state)
{
	struct svg_point p[3] = {
	    {"<script>alert(1)</script>", 10, 0, 0, 0},
	    {"Caché", 0, 1, 0, 0},
	    {"Absent", 0, 0, 1, 0},
	};
	struct buf b;
	const char *s;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_bar_chart(&b, "c1", "Titre & co", "Desc", p, 3, NULL), ERR_OK);
	s = buf_str(&b);
	assert_non_null(strstr(s, "role=\"img\""));
	assert_non_null(strstr(s, "<title>Titre &amp; co</title>"));
	assert_non_null(strstr(s, "<desc>Desc</desc>"));
	assert_null(strstr(s, "<script>"));
	assert_non_null(strstr(s, "&lt;script&gt;"));
	assert_non_null(strstr(s, "fill=\"url(#c1-hatch)\""));
	assert_non_null(strstr(s, ">secret</text>"));
	assert_non_null(strstr(s, ">n.d.</text>"));
	/* one value label only: 10 (the secret and missing rows carry no number) */
	assert_non_null(strstr(s, ">10</text>"));
	assert_null(strstr(s, ">0</text>"));
	assert_int_equal(svg_bar_chart(&b, "Bad id\"", "t", "d", p, 3, NULL), ERR_INVALID);
	assert_int_equal(svg_bar_chart(&b, "c2", "t", "d", p, SVG_MAX_POINTS + 1, NULL),
	                 ERR_INVALID);
	buf_release(&b);
}

static void test_svg_line_gap(void **state)
{
	struct svg_point p[4] = {
	    {"janv.", 5, 0, 0, 0},
	    {"févr.", 7, 0, 0, 0},
	    {"mars", 0, 1, 0, 0},
	    {"avr.", 9, 0, 0, 0},
	};
	struct buf b;
	const char *s, *q;
	int lines = 0;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_line_chart(&b, "l1", "T", "D", p, 4, NULL), ERR_OK);
	s = buf_str(&b);
	/* janv.-févr. is one segment; avr. alone is a dot: the secret month is a gap */
	for (q = s; (q = strstr(q, "<polyline")) != NULL; q++)
		lines++;
	assert_int_equal(lines, 1);
	assert_non_null(strstr(s, ">secret</text>"));
	assert_int_equal(svg_line_chart(&b, "l2", "T", "D", p, 0, NULL), ERR_OK);
	buf_release(&b);
	/* the cap */
	buf_init(&b, 50);
	assert_int_equal(svg_line_chart(&b, "l3", "T", "D", p, 4, NULL), ERR_TOO_BIG);
	buf_release(&b);
}

/* A point published by quarter only is no secret: no hatching, no "secret", no bar and no
 * 0, the words "par trimestre"; a line is broken there. */
static void test_svg_quarterly(void **state)
{
	struct svg_point bars[2] = {
	    {"Contrôle", 5, 0, 0, 0},
	    {"Enquête", 0, 0, 0, 1},
	};
	struct svg_point line[5] = {
	    {"janv.", 5, 0, 0, 0}, {"févr.", 7, 0, 0, 0}, {"mars", 0, 0, 0, 1},
	    {"avr.", 9, 0, 0, 0},  {"mai", 11, 0, 0, 0},
	};
	struct buf b;
	const char *s, *q;
	int n = 0;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_bar_chart(&b, "q1", "T", "D", bars, 2, NULL), ERR_OK);
	s = buf_str(&b);
	assert_non_null(strstr(s, "svg-quarterly-label\" x=\"268\" y=\"49\">par trimestre</text>"));
	assert_null(strstr(s, "class=\"svg-secret"));
	assert_null(strstr(s, "secret</text>"));
	assert_null(strstr(s, ">0</text>"));
	for (q = s; (q = strstr(q, "class=\"svg-bar\"")) != NULL; q++)
		n++;
	assert_int_equal(n, 1);
	buf_reset(&b);
	assert_int_equal(svg_line_chart(&b, "q2", "T", "D", line, 5, NULL), ERR_OK);
	s = buf_str(&b);
	/* janv.-févr. and avr.-mai: two segments, broken at mars */
	for (n = 0, q = s; (q = strstr(q, "<polyline")) != NULL; q++)
		n++;
	assert_int_equal(n, 2);
	for (n = 0, q = s; (q = strstr(q, "<circle")) != NULL; q++)
		n++;
	assert_int_equal(n, 4);
	assert_non_null(strstr(s, ">par </tspan>"));
	assert_non_null(strstr(s, ">trimestre</tspan>"));
	assert_null(strstr(s, "class=\"svg-secret"));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_digit_grouping),
	    cmocka_unit_test(test_secret_never_zero),
	    cmocka_unit_test(test_quarterly),
	    cmocka_unit_test(test_row_cap),
	    cmocka_unit_test(test_xlsx),
	    cmocka_unit_test(test_sheet_name_sanitised),
	    cmocka_unit_test(test_svg_bars),
	    cmocka_unit_test(test_svg_line_gap),
	    cmocka_unit_test(test_svg_quarterly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

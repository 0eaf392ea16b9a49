/* table: the shared table model and its CSV, HTML, XLSX and PDF writers (see table.h). */
#include "report/table.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/xalloc.h"
#include "report/pdf.h"
#include "web/html.h"

/* Longest text written into one XLSX cell (Excel's own limit is 32767 characters). */
#define XLSX_TEXT_MAX 32000
/* Largest XLSX file read back into out (further bounded by out's own cap). */
#define XLSX_FILE_MAX (64u * 1024u * 1024u)

/* ---------------------------------------------------------------- model */

void rtable_init(struct rtable *t, const char *title, const char *sheet, size_t ncols,
                 const char *const *header)
{
	memset(t, 0, sizeof(*t));
	if (ncols < 1)
		ncols = 1;
	if (ncols > RTABLE_MAX_COLS)
		ncols = RTABLE_MAX_COLS;
	t->title = xstrdup(title ? title : "");
	t->sheet = xstrdup(sheet ? sheet : "");
	t->ncols = ncols;
	t->header = xcalloc(ncols, sizeof(*t->header));
	for (size_t i = 0; i < ncols; i++)
		t->header[i] = xstrdup(header && header[i] ? header[i] : "");
	t->decimals = 1;
}

void rtable_release(struct rtable *t)
{
	if (t->header)
		for (size_t i = 0; i < t->ncols; i++)
			free(t->header[i]);
	free(t->header);
	if (t->cells)
		for (size_t i = 0; i < t->nrows * t->ncols; i++)
			free(t->cells[i].text);
	free(t->cells);
	for (size_t i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->notes);
	free(t->title);
	free(t->sheet);
	memset(t, 0, sizeof(*t));
}

enum err_code rtable_row(struct rtable *t, size_t *row, struct err *e)
{
	size_t n = t->nrows;

	if (n >= RTABLE_MAX_ROWS)
		return err_set(e, ERR_TOO_BIG, NULL, "table \"%s\" has more than %d rows",
		               t->title ? t->title : "", RTABLE_MAX_ROWS);
	if (n == t->cap_rows) {
		t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 16;
		if (t->cap_rows > RTABLE_MAX_ROWS)
			t->cap_rows = RTABLE_MAX_ROWS;
		t->cells = xrealloc(t->cells, t->cap_rows * t->ncols * sizeof(*t->cells));
	}
	memset(t->cells + n * t->ncols, 0, t->ncols * sizeof(*t->cells));
	t->nrows = n + 1;
	if (row)
		*row = n;
	return ERR_OK;
}

/* The cell at (row, col) emptied, or NULL when out of range. */
static struct rtable_cell *cell_at(struct rtable *t, size_t row, size_t col)
{
	struct rtable_cell *c;

	if (row >= t->nrows || col >= t->ncols)
		return NULL;
	c = &t->cells[row * t->ncols + col];
	free(c->text);
	memset(c, 0, sizeof(*c));
	return c;
}

void rtable_text(struct rtable *t, size_t row, size_t col, const char *s)
{
	struct rtable_cell *c = cell_at(t, row, col);

	if (!c)
		return;
	c->kind = RTABLE_TEXT;
	c->text = xstrdup(s ? s : "");
}

void rtable_int(struct rtable *t, size_t row, size_t col, int64_t v)
{
	struct rtable_cell *c = cell_at(t, row, col);

	if (!c)
		return;
	c->kind = RTABLE_INT;
	c->num = v;
}

void rtable_real(struct rtable *t, size_t row, size_t col, double v)
{
	struct rtable_cell *c = cell_at(t, row, col);

	if (!c)
		return;
	c->kind = RTABLE_REAL;
	c->real = v;
}

void rtable_secret(struct rtable *t, size_t row, size_t col)
{
	struct rtable_cell *c = cell_at(t, row, col);

	if (c)
		c->kind = RTABLE_SECRET;
}

void rtable_quarterly(struct rtable *t, size_t row, size_t col)
{
	struct rtable_cell *c = cell_at(t, row, col);

	if (c)
		c->kind = RTABLE_QUARTERLY;
}

void rtable_note(struct rtable *t, const char *s)
{
	t->notes = xrealloc(t->notes, (t->nnotes + 1) * sizeof(*t->notes));
	t->notes[t->nnotes++] = xstrdup(s ? s : "");
}

static const struct rtable_cell *cell_get(const struct rtable *t, size_t row, size_t col)
{
	return &t->cells[row * t->ncols + col];
}

static int decimals_of(const struct rtable *t)
{
	return t->decimals < 0 ? 0 : t->decimals > 6 ? 6 : t->decimals;
}

/* Groups the digits of the integer part of the number in s (size n) by three with a
 * narrow no-break space, as French typography writes 12 345 (left as is when it would
 * not fit). */
static void group_digits(char *s, size_t n)
{
	static const char sep[] = "\xE2\x80\xAF"; /* U+202F */
	char tmp[96];
	size_t start = (s[0] == '-') ? 1 : 0, digits = 0, k = 0;

	while (s[start + digits] >= '0' && s[start + digits] <= '9')
		digits++;
	if (digits <= 4 || strlen(s) + (digits - 1) / 3 * 3 >= sizeof tmp)
		return; /* 1234 stays whole, as usual in French tables */
	memcpy(tmp, s, start);
	k = start;
	for (size_t i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0) {
			memcpy(tmp + k, sep, 3);
			k += 3;
		}
		tmp[k++] = s[start + i];
	}
	snprintf(tmp + k, sizeof tmp - k, "%s", s + start + digits);
	if (strlen(tmp) < n)
		memcpy(s, tmp, strlen(tmp) + 1);
}

/* A number cell as text into out (size n): for people (french: HTML, PDF) the decimal
 * separator is a comma and the digits of large numbers are grouped; for machines (CSV)
 * plain digits and a point. */
static void number_text(const struct rtable *t, const struct rtable_cell *c, int french, char *out,
                        size_t n)
{
	if (c->kind == RTABLE_INT) {
		snprintf(out, n, "%" PRId64, c->num);
	} else if (!isfinite(c->real)) {
		snprintf(out, n, "%s", "");
		return;
	} else {
		snprintf(out, n, "%.*f", decimals_of(t), c->real);
		if (french) {
			char *dot = strchr(out, '.');
			if (dot)
				*dot = ',';
		}
	}
	if (french)
		group_digits(out, n);
}

/* ---------------------------------------------------------------- CSV */

static enum err_code csv_field(struct buf *out, const char *s, int guard)
{
	enum err_code rc;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int prefix = guard && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	                       s[0] == '\t' || s[0] == '\r');

	if (quote && (rc = buf_putc(out, '"')) != ERR_OK)
		return rc;
	if (prefix && (rc = buf_putc(out, '\'')) != ERR_OK)
		return rc;
	for (const char *p = s; *p; p++) {
		if (*p == '"' && (rc = buf_putc(out, '"')) != ERR_OK)
			return rc;
		if ((rc = buf_putc(out, *p)) != ERR_OK)
			return rc;
	}
	if (quote && (rc = buf_putc(out, '"')) != ERR_OK)
		return rc;
	return ERR_OK;
}

enum err_code rtable_csv(const struct rtable *t, struct buf *out, struct err *e)
{
	enum err_code rc = ERR_OK;
	char num[64];

	for (size_t c = 0; c < t->ncols && rc == ERR_OK; c++) {
		if (c > 0)
			rc = buf_putc(out, ',');
		if (rc == ERR_OK)
			rc = csv_field(out, t->header[c], 1);
	}
	if (rc == ERR_OK)
		rc = buf_puts(out, "\r\n");
	for (size_t r = 0; r < t->nrows && rc == ERR_OK; r++) {
		for (size_t c = 0; c < t->ncols && rc == ERR_OK; c++) {
			const struct rtable_cell *cell = cell_get(t, r, c);

			if (c > 0 && (rc = buf_putc(out, ',')) != ERR_OK)
				break;
			switch (cell->kind) {
			case RTABLE_TEXT:
				rc = csv_field(out, cell->text, 1);
				break;
			case RTABLE_INT:
			case RTABLE_REAL:
				number_text(t, cell, 0, num, sizeof(num));
				rc = buf_puts(out, num);
				break;
			case RTABLE_SECRET:
				rc = buf_puts(out, "secret");
				break;
			case RTABLE_QUARTERLY:
				rc = buf_puts(out, "par trimestre");
				break;
			default:
				break;
			}
		}
		if (rc == ERR_OK)
			rc = buf_puts(out, "\r\n");
	}
	if (rc != ERR_OK)
		return err_set(e, rc, NULL, "the CSV of table \"%s\" is larger than the limit",
		               t->title);
	return ERR_OK;
}

/* ---------------------------------------------------------------- HTML */

enum err_code rtable_html(const struct rtable *t, struct buf *out, struct err *e)
{
	enum err_code rc;
	char num[64];

	/* a wide table scrolls in its wrapper: focusable and named, so that the keyboard
	 * can scroll it (WCAG 2.1.1) */
	rc =
	    html_raw(out, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"");
	if (rc == ERR_OK)
		rc = html_attr(out, t->title);
	if (rc == ERR_OK)
		rc = html_raw(out, "\"><table class=\"rtable\"><caption>");
	if (rc == ERR_OK)
		rc = html_txt(out, t->title);
	if (rc == ERR_OK)
		rc = html_raw(out, "</caption>\n<thead><tr>");
	for (size_t c = 0; c < t->ncols && rc == ERR_OK; c++) {
		rc = html_raw(out,
		              c > 0 ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">");
		if (rc == ERR_OK)
			rc = html_txt(out, t->header[c]);
		if (rc == ERR_OK)
			rc = html_raw(out, "</th>");
	}
	if (rc == ERR_OK)
		rc = html_raw(out, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < t->nrows && rc == ERR_OK; r++) {
		rc = html_raw(out, "<tr>");
		for (size_t c = 0; c < t->ncols && rc == ERR_OK; c++) {
			const struct rtable_cell *cell = cell_get(t, r, c);

			switch (cell->kind) {
			case RTABLE_TEXT:
				rc = html_raw(out, c == 0 ? "<th scope=\"row\">" : "<td>");
				if (rc == ERR_OK)
					rc = html_txt(out, cell->text);
				if (rc == ERR_OK)
					rc = html_raw(out, c == 0 ? "</th>" : "</td>");
				break;
			case RTABLE_INT:
			case RTABLE_REAL:
				number_text(t, cell, 1, num, sizeof(num));
				rc = html_raw(out, "<td class=\"num\">");
				if (rc == ERR_OK)
					rc = html_txt(out, num);
				if (rc == ERR_OK)
					rc = html_raw(out, "</td>");
				break;
			case RTABLE_SECRET:
				rc = html_raw(out, "<td class=\"secret\">secret</td>");
				break;
			case RTABLE_QUARTERLY:
				rc = html_raw(out, "<td class=\"quarterly\">par trimestre</td>");
				break;
			default:
				rc = html_raw(out, "<td></td>");
				break;
			}
		}
		if (rc == ERR_OK)
			rc = html_raw(out, "</tr>\n");
	}
	if (rc == ERR_OK)
		rc = html_raw(out, "</tbody></table></div>\n");
	for (size_t i = 0; i < t->nnotes && rc == ERR_OK; i++) {
		rc = html_raw(out, "<p class=\"table-note\">");
		if (rc == ERR_OK)
			rc = html_txt(out, t->notes[i]);
		if (rc == ERR_OK)
			rc = html_raw(out, "</p>\n");
	}
	if (rc != ERR_OK)
		return err_set(e, rc, NULL,
		               "the page holding table \"%s\" is larger than the limit", t->title);
	return ERR_OK;
}

/* ---------------------------------------------------------------- XLSX */

/* A valid, unique sheet name for table i into out (size LXW_MAX_SHEETNAME_LENGTH):
 * forbidden characters become '-', at most 28 characters kept (room for "~NN"),
 * "Feuille N" when empty. */
static void sheet_name(const struct rtable *const *t, size_t i, char *out, size_t n)
{
	const char *s = t[i]->sheet && t[i]->sheet[0] ? t[i]->sheet : t[i]->title;
	size_t len = 0, chars = 0;

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && chars < 28;) {
		size_t k = html_utf8_seq(p, strlen((const char *)p));

		if (k == 0) {
			p++;
			continue;
		}
		if (len + k + 1 >= n)
			break;
		if (k == 1 && (strchr("[]:*?/\\", *p) || *p < 0x20)) {
			out[len++] = '-';
		} else {
			memcpy(out + len, p, k);
			len += k;
		}
		p += k;
		chars++;
	}
	out[len] = '\0';
	/* Excel refuses a name starting or ending with an apostrophe. */
	if (len > 0 && out[0] == '\'')
		out[0] = '-';
	if (len > 0 && out[len - 1] == '\'')
		out[len - 1] = '-';
	if (len == 0)
		snprintf(out, n, "Feuille %zu", i + 1);
}

static enum err_code sheet_write(lxw_workbook *wb, const struct rtable *t, const char *name,
                                 lxw_format *bold)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, name);
	lxw_format *real_fmt = workbook_add_format(wb);
	lxw_row_t row = 0;
	char text[XLSX_TEXT_MAX + 1];
	char numfmt[16];
	int d = decimals_of(t);

	if (!ws || !real_fmt)
		return ERR_INTERNAL;
	snprintf(numfmt, sizeof(numfmt), "0%s%.*s", d > 0 ? "." : "", d, "000000");
	format_set_num_format(real_fmt, numfmt);
	worksheet_set_column(ws, 0, 0, 36, NULL);
	if (t->ncols > 1)
		worksheet_set_column(ws, 1, (lxw_col_t)(t->ncols - 1), 14, NULL);
	if (worksheet_write_string(ws, row++, 0, t->title, bold) != LXW_NO_ERROR)
		return ERR_INTERNAL;
	row++;
	for (size_t c = 0; c < t->ncols; c++)
		if (worksheet_write_string(ws, row, (lxw_col_t)c, t->header[c], bold) !=
		    LXW_NO_ERROR)
			return ERR_INTERNAL;
	row++;
	for (size_t r = 0; r < t->nrows; r++, row++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const struct rtable_cell *cell = cell_get(t, r, c);
			lxw_error le = LXW_NO_ERROR;

			switch (cell->kind) {
			case RTABLE_TEXT:
				snprintf(text, sizeof(text), "%s", cell->text);
				le = worksheet_write_string(ws, row, (lxw_col_t)c, text, NULL);
				break;
			case RTABLE_INT:
				le = worksheet_write_number(ws, row, (lxw_col_t)c,
				                            (double)cell->num, NULL);
				break;
			case RTABLE_REAL:
				if (isfinite(cell->real))
					le = worksheet_write_number(ws, row, (lxw_col_t)c,
					                            cell->real, real_fmt);
				break;
			case RTABLE_SECRET:
				le = worksheet_write_string(ws, row, (lxw_col_t)c, "secret", NULL);
				break;
			case RTABLE_QUARTERLY:
				le = worksheet_write_string(ws, row, (lxw_col_t)c, "par trimestre",
				                            NULL);
				break;
			default:
				break;
			}
			if (le != LXW_NO_ERROR)
				return ERR_INTERNAL;
		}
	}
	row++;
	for (size_t i = 0; i < t->nnotes; i++) {
		snprintf(text, sizeof(text), "%s", t->notes[i]);
		if (worksheet_write_string(ws, row++, 0, text, NULL) != LXW_NO_ERROR)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Appends the whole file at path to out. */
static enum err_code file_read_into(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[16384];
	size_t n, total = 0;
	enum err_code rc = ERR_OK;

	if (!f)
		return ERR_IO;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		total += n;
		if (total > XLSX_FILE_MAX) {
			rc = ERR_TOO_BIG;
			break;
		}
		if ((rc = buf_append(out, chunk, n)) != ERR_OK)
			break;
	}
	if (rc == ERR_OK && ferror(f))
		rc = ERR_IO;
	fclose(f);
	return rc;
}

enum err_code rtable_xlsx(const struct rtable *const *t, size_t n, struct buf *out, struct err *e)
{
	const char *tmp = getenv("TMPDIR");
	char path[1100], dir[1025];
	char(*names)[LXW_MAX_SHEETNAME_LENGTH] = NULL;
	lxw_workbook *wb = NULL;
	lxw_workbook_options opt = {0};
	lxw_format *bold;
	size_t mark = out->len;
	enum err_code rc = ERR_OK;
	int fd = -1;

	if (n == 0)
		return err_set(e, ERR_INVALID, "tables", "a workbook needs at least one table");
	if (n > 255)
		return err_set(e, ERR_TOO_BIG, "tables", "a workbook holds at most 255 tables");
	if (!tmp || !tmp[0] || strlen(tmp) >= sizeof(dir))
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s", tmp);
	snprintf(path, sizeof(path), "%s/constat-xlsx-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return err_set(e, ERR_IO, NULL, "cannot create a temporary file in %s: %s", dir,
		               strerror(errno));
	close(fd);

	names = xcalloc(n, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		sheet_name(t, i, names[i], sizeof(names[i]));
		for (size_t j = 0, k = 2; j < i; j++) {
			if (strcasecmp(names[i], names[j]) != 0)
				continue;
			/* A duplicate (Excel compares case-insensitively): a suffix, then
			 * start over. */
			size_t len = strlen(names[i]);
			char suffix[8];
			int sl = snprintf(suffix, sizeof(suffix), "~%zu", k++);

			while (len > 0 && len + (size_t)sl >= LXW_MAX_SHEETNAME_LENGTH)
				len--;
			memcpy(names[i] + len, suffix, (size_t)sl + 1);
			j = (size_t)-1;
		}
	}

	opt.tmpdir = dir;
	wb = workbook_new_opt(path, &opt);
	if (!wb) {
		rc = err_set(e, ERR_IO, NULL, "cannot start an XLSX workbook in %s", dir);
		goto out;
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (size_t i = 0; i < n && rc == ERR_OK; i++)
		if (sheet_write(wb, t[i], names[i], bold) != ERR_OK)
			rc = err_set(e, ERR_INTERNAL, NULL,
			             "cannot write the sheet of table \"%s\"", t[i]->title);
	{
		lxw_error le = workbook_close(wb);

		wb = NULL;
		if (rc == ERR_OK && le != LXW_NO_ERROR)
			rc = err_set(e, ERR_IO, NULL, "cannot write the XLSX workbook: %s",
			             lxw_strerror(le));
	}
	if (rc == ERR_OK) {
		rc = file_read_into(path, out);
		if (rc != ERR_OK) {
			out->len = mark;
			if (out->data)
				out->data[mark] = '\0';
			rc =
			    err_set(e, rc, NULL,
			            rc == ERR_TOO_BIG ? "the XLSX workbook is larger than the limit"
			                              : "cannot read the XLSX workbook back");
		}
	}
out:
	if (wb)
		workbook_close(wb);
	unlink(path);
	free(names);
	return rc;
}

/* ---------------------------------------------------------------- PDF */

void rtable_pdf(const struct rtable *t, struct pdf *p)
{
	double widths[RTABLE_MAX_COLS];
	const char *row[RTABLE_MAX_COLS];
	char nums[RTABLE_MAX_COLS][64];
	double share = 1.0 / (double)(t->ncols + 1);

	for (size_t c = 0; c < t->ncols; c++)
		widths[c] = c == 0 ? 2 * share : share;
	if (t->ncols == 1)
		widths[0] = 1.0;
	pdf_heading(p, t->title);
	pdf_table_begin(p, t->ncols, widths, (const char *const *)t->header);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const struct rtable_cell *cell = cell_get(t, r, c);

			switch (cell->kind) {
			case RTABLE_TEXT:
				row[c] = cell->text;
				break;
			case RTABLE_INT:
			case RTABLE_REAL:
				number_text(t, cell, 1, nums[c], sizeof(nums[c]));
				row[c] = nums[c];
				break;
			case RTABLE_SECRET:
				row[c] = "\u00ab secret \u00bb";
				break;
			case RTABLE_QUARTERLY:
				row[c] = "\u00ab par trimestre \u00bb";
				break;
			default:
				row[c] = "";
				break;
			}
		}
		pdf_table_row(p, row);
	}
	pdf_table_end(p);
	for (size_t i = 0; i < t->nnotes; i++)
		pdf_paragraph(p, t->notes[i]);
}

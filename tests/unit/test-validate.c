/* Unit tests for src/domain/validate.c and siret.c: explicit edge cases here, and the bulk as
 * data files under tests/data/validate/ (one case a line; see the header of each file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "core/err.h"
#include "core/rng.h"
#include "domain/model.h"
#include "domain/siret.h"
#include "domain/validate.h"

#define DATA_DIR TEST_DATA_DIR "/validate/"
#define MAX_COLS 8

/* ---- Reading the case files --------------------------------------------------------------
 *
 * A case file is UTF-8 text, one case a line, columns separated by tabs; empty lines and
 * lines starting with '#' are skipped. In a column, \t \n \r \\ and \xHH stand for the
 * byte, "(null)" for a NULL pointer and "(empty)" for "". */

struct tsv {
	const char *name;
	FILE *f;
	char *line;
	size_t cap;
	int lineno;
	int cases;
	int failures;
	char *col[MAX_COLS];
	size_t len[MAX_COLS];  /* byte length of each column once unescaped */
	int ncols;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes s in place; returns the resulting length (it may hold NUL bytes). */
static size_t unescape(char *s)
{
	size_t r = 0, w = 0;

	while (s[r] != '\0') {
		if (s[r] == '\\' && s[r + 1] != '\0') {
			char c = s[r + 1];

			r += 2;
			if (c == 't')
				s[w++] = '\t';
			else if (c == 'n')
				s[w++] = '\n';
			else if (c == 'r')
				s[w++] = '\r';
			else if (c == 'x' && hexval(s[r]) >= 0 && hexval(s[r + 1]) >= 0) {
				s[w++] = (char)(hexval(s[r]) * 16 + hexval(s[r + 1]));
				r += 2;
			} else
				s[w++] = c;
		} else {
			s[w++] = s[r++];
		}
	}
	s[w] = '\0';
	return w;
}

static void tsv_open(struct tsv *t, const char *name)
{
	char path[512];

	memset(t, 0, sizeof *t);
	t->name = name;
	snprintf(path, sizeof path, "%s%s", DATA_DIR, name);
	t->f = fopen(path, "r");
	if (t->f == NULL)
		fail_msg("cannot open %s", path);
}

/* Reads the next case; returns 0 at the end. Columns are unescaped unless raw. */
static int tsv_next(struct tsv *t, int raw)
{
	ssize_t n;

	while ((n = getline(&t->line, &t->cap, t->f)) >= 0) {
		char *p = t->line;

		t->lineno++;
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			p[--n] = '\0';
		if (n == 0 || p[0] == '#')
			continue;
		t->ncols = 0;
		for (;;) {
			char *tab = strchr(p, '\t');

			if (t->ncols < MAX_COLS) {
				t->col[t->ncols] = p;
				t->len[t->ncols] = 0;
				t->ncols++;
			}
			if (tab == NULL)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		for (int i = 0; i < t->ncols; i++)
			t->len[i] = raw ? strlen(t->col[i]) : unescape(t->col[i]);
		for (int i = t->ncols; i < MAX_COLS; i++) {
			t->col[i] = NULL;
			t->len[i] = 0;
		}
		t->cases++;
		return 1;
	}
	return 0;
}

/* Column i as a value: NULL for "(null)" or a missing column, "" for "(empty)". */
static const char *tsv_val(const struct tsv *t, int i)
{
	const char *c = i < t->ncols ? t->col[i] : NULL;

	if (c == NULL || strcmp(c, "(null)") == 0)
		return NULL;
	if (strcmp(c, "(empty)") == 0)
		return "";
	return c;
}

/* Column i as an optional expectation: NULL when missing or empty. */
static const char *tsv_opt(const struct tsv *t, int i)
{
	const char *c = i < t->ncols ? t->col[i] : NULL;

	return c && c[0] ? c : NULL;
}

static void tsv_fail(struct tsv *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tsv_fail(struct tsv *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	print_error("%s:%d: %s\n", t->name, t->lineno, msg);
	t->failures++;
}

/* Checks a result against the expectation: want is "ok", "invalid" or "internal"; field
 * (when not NULL) must equal e->field; msg (when not NULL) must occur in e->msg. */
static void expect(struct tsv *t, enum err_code got, const struct err *e, const char *want,
                   const char *field, const char *msg)
{
	enum err_code code;

	if (want == NULL) {
		tsv_fail(t, "no expected result");
		return;
	}
	if (strcmp(want, "ok") == 0)
		code = ERR_OK;
	else if (strcmp(want, "invalid") == 0)
		code = ERR_INVALID;
	else if (strcmp(want, "internal") == 0)
		code = ERR_INTERNAL;
	else {
		tsv_fail(t, "unknown expected result '%s'", want);
		return;
	}
	if (got != code) {
		tsv_fail(t, "expected %s, got %s (field '%s': %s)", want, err_code_name(got),
		         e->field, e->msg);
		return;
	}
	if (got != e->code)
		tsv_fail(t, "returned %s but e->code is %s", err_code_name(got),
		         err_code_name(e->code));
	if (code == ERR_OK)
		return;
	if (field && strcmp(field, e->field) != 0)
		tsv_fail(t, "expected field '%s', got '%s' (%s)", field, e->field, e->msg);
	if (msg && strstr(e->msg, msg) == NULL)
		tsv_fail(t, "expected a message containing '%s', got '%s'", msg, e->msg);
	if (e->msg[0] == '\0')
		tsv_fail(t, "empty message");
}

static void tsv_close(struct tsv *t, int min_cases)
{
	int failures = t->failures, cases = t->cases;

	free(t->line);
	fclose(t->f);
	if (cases < min_cases)
		fail_msg("%s: only %d cases, expected at least %d", t->name, cases, min_cases);
	if (failures > 0)
		fail_msg("%s: %d of %d cases failed (see above)", t->name, failures, cases);
}

/* ---- Single values ------------------------------------------------------------------------ */

typedef enum err_code (*value_fn)(const char *field, const char *v, struct err *e);

/* Lines: input <TAB> ok|invalid [<TAB> message substring]. The field echoed must be the
 * one given, here the validator's name. */
static void run_values(const char *file, const char *field, value_fn fn, int min_cases)
{
	struct tsv t;

	tsv_open(&t, file);
	while (tsv_next(&t, 0)) {
		struct err e;

		err_clear(&e);
		expect(&t, fn(field, tsv_val(&t, 0), &e), &e, tsv_opt(&t, 1), field,
		       tsv_opt(&t, 2));
	}
	tsv_close(&t, min_cases);
}

static void test_siren_file(void **state)
{
	(void)state;
	run_values("siren.tsv", "siren", validate_siren, 10);
}

static void test_siret_file(void **state)
{
	(void)state;
	run_values("siret.tsv", "siret", validate_siret, 15);
}

static void test_naf_file(void **state)
{
	(void)state;
	run_values("naf.tsv", "naf", validate_naf, 10);
}

static void test_commune_file(void **state)
{
	(void)state;
	run_values("commune.tsv", "commune_code", validate_commune, 10);
}

static void test_postcode_file(void **state)
{
	(void)state;
	run_values("postcode.tsv", "postcode", validate_postcode, 6);
}

static void test_date_file(void **state)
{
	(void)state;
	run_values("date.tsv", "date", validate_date, 15);
}

static void test_headcount_file(void **state)
{
	(void)state;
	run_values("headcount_band.tsv", "headcount_band", validate_headcount_band, 20);
}

/* Lines: bytes <TAB> valid|invalid (the length is that of the unescaped bytes, which may
 * hold NULs). */
static void test_utf8_file(void **state)
{
	struct tsv t;

	(void)state;
	tsv_open(&t, "utf8.tsv");
	while (tsv_next(&t, 0)) {
		const char *want = tsv_opt(&t, 1);
		int got = validate_utf8(t.col[0], t.len[0]);

		if (want == NULL || (strcmp(want, "valid") != 0 && strcmp(want, "invalid") != 0))
			tsv_fail(&t, "expected 'valid' or 'invalid'");
		else if (got != (strcmp(want, "valid") == 0))
			tsv_fail(&t, "expected %s, got %s", want, got ? "valid" : "invalid");
	}
	tsv_close(&t, 20);
}

/* Lines: min <TAB> max <TAB> multiline <TAB> input <TAB> ok|invalid [<TAB> message]. */
static void test_text_file(void **state)
{
	struct tsv t;

	(void)state;
	tsv_open(&t, "text.tsv");
	while (tsv_next(&t, 0)) {
		struct err e;
		size_t min, max;
		int ml;

		if (t.ncols < 5) {
			tsv_fail(&t, "expected min, max, multiline, input and result");
			continue;
		}
		min = strtoul(t.col[0], NULL, 10);
		max = strtoul(t.col[1], NULL, 10);
		ml = (int)strtol(t.col[2], NULL, 10);
		err_clear(&e);
		expect(&t, validate_text("name", tsv_val(&t, 3), min, max, ml, &e), &e,
		       tsv_opt(&t, 4), "name", tsv_opt(&t, 5));
	}
	tsv_close(&t, 15);
}

/* Lines: earlier <TAB> later <TAB> ok|invalid [<TAB> message]. */
static void test_date_order_file(void **state)
{
	struct tsv t;

	(void)state;
	tsv_open(&t, "date_order.tsv");
	while (tsv_next(&t, 0)) {
		struct err e;

		err_clear(&e);
		expect(&t, validate_date_order("end_date", tsv_val(&t, 0), tsv_val(&t, 1), &e), &e,
		       tsv_opt(&t, 2), "end_date", tsv_opt(&t, 3));
	}
	tsv_close(&t, 5);
}

/* ---- Records: a valid base record, and each line changes some of its fields ------------
 *
 * Lines: changes <TAB> ok|invalid|internal <TAB> field <TAB> message substring, where
 * changes is "-" (none) or "key=value" pairs separated by ';'. */

struct str_field {
	const char *name;
	size_t off;
};

#define EST_FIELD(f) {#f, offsetof(struct establishment, f)}
static const struct str_field est_fields[] = {
	EST_FIELD(siret), EST_FIELD(siren), EST_FIELD(nic), EST_FIELD(diffusion),
	EST_FIELD(created_on), EST_FIELD(headcount_band), EST_FIELD(street_number),
	EST_FIELD(street_repeat), EST_FIELD(street_type), EST_FIELD(street_name),
	EST_FIELD(address_extra), EST_FIELD(postcode), EST_FIELD(commune_name),
	EST_FIELD(commune_code), EST_FIELD(state), EST_FIELD(enseigne1), EST_FIELD(enseigne2),
	EST_FIELD(enseigne3), EST_FIELD(usual_name), EST_FIELD(naf), EST_FIELD(naf_nomenclature),
	{NULL, 0},
};

#define LU_FIELD(f) {#f, offsetof(struct legal_unit, f)}
static const struct str_field lu_fields[] = {
	LU_FIELD(siren), LU_FIELD(name), LU_FIELD(acronym), LU_FIELD(last_name),
	LU_FIELD(first_name), LU_FIELD(legal_category), LU_FIELD(company_category),
	LU_FIELD(state), LU_FIELD(head_nic), {NULL, 0},
};

/* Sets the text field key of the struct at base; returns 0 when key is unknown. */
static int set_str_field(const struct str_field *fields, void *base, const char *key,
                         const char *v)
{
	for (size_t i = 0; fields[i].name != NULL; i++) {
		if (strcmp(fields[i].name, key) == 0) {
			const char **p = (const char **)(void *)((char *)base + fields[i].off);

			*p = v;
			return 1;
		}
	}
	return 0;
}

/* Splits "k=v;k=v" in place and calls fn for each pair (value unescaped); returns 0 when
 * fn refused one. */
static int each_change(char *changes, int (*fn)(void *ctx, const char *key, char *v),
                       void *ctx, struct tsv *t)
{
	char *p = changes;

	if (strcmp(changes, "-") == 0)
		return 1;
	while (p != NULL && *p != '\0') {
		char *semi = strchr(p, ';'), *eq;

		if (semi)
			*semi = '\0';
		eq = strchr(p, '=');
		if (eq == NULL) {
			tsv_fail(t, "change '%s' has no '='", p);
			return 0;
		}
		*eq = '\0';
		unescape(eq + 1);
		if (!fn(ctx, p, eq + 1)) {
			tsv_fail(t, "cannot apply change '%s'", p);
			return 0;
		}
		p = semi ? semi + 1 : NULL;
	}
	return 1;
}

static const char *value_of(char *v)
{
	if (strcmp(v, "(null)") == 0)
		return NULL;
	if (strcmp(v, "(empty)") == 0)
		return "";
	return v;
}

static int est_change(void *ctx, const char *key, char *v)
{
	struct establishment *est = ctx;

	if (strcmp(key, "head_office") == 0) {
		est->head_office = (int)strtol(v, NULL, 10);
		return 1;
	}
	return set_str_field(est_fields, est, key, value_of(v));
}

static int lu_change(void *ctx, const char *key, char *v)
{
	return set_str_field(lu_fields, ctx, key, value_of(v));
}

static void test_establishment_file(void **state)
{
	struct tsv t;

	(void)state;
	tsv_open(&t, "establishment.tsv");
	while (tsv_next(&t, 1)) {
		/* La Tour Eiffel's operator in SIRENE-like shape; valid as is. */
		struct establishment est = {
			.siret = "73282932000074", .siren = "732829320", .nic = "00074",
			.diffusion = "O", .created_on = "1966-03-01", .headcount_band = "42",
			.head_office = 1, .street_number = "5", .street_repeat = "B",
			.street_type = "AV", .street_name = "ANATOLE FRANCE",
			.address_extra = "CHAMP DE MARS", .postcode = "75007",
			.commune_name = "PARIS 7", .commune_code = "75107", .state = "A",
			.enseigne1 = "TOUR EIFFEL", .usual_name = "SETE", .naf = "93.21Z",
			.naf_nomenclature = "NAFRev2",
		};
		struct err e;

		err_clear(&e);
		if (!each_change(t.col[0], est_change, &est, &t))
			continue;
		expect(&t, validate_establishment(&est, &e), &e, tsv_opt(&t, 1), tsv_opt(&t, 2),
		       tsv_opt(&t, 3));
	}
	tsv_close(&t, 30);
}

static void test_legal_unit_file(void **state)
{
	struct tsv t;

	(void)state;
	tsv_open(&t, "legal_unit.tsv");
	while (tsv_next(&t, 1)) {
		struct legal_unit u = {
			.siren = "732829320", .name = "SOCIETE D'EXPLOITATION DE LA TOUR EIFFEL",
			.acronym = "SETE", .legal_category = "5710", .company_category = "PME",
			.state = "A", .head_nic = "00074",
		};
		struct err e;

		err_clear(&e);
		if (!each_change(t.col[0], lu_change, &u, &t))
			continue;
		expect(&t, validate_legal_unit(&u, &e), &e, tsv_opt(&t, 1), tsv_opt(&t, 2),
		       tsv_opt(&t, 3));
	}
	tsv_close(&t, 12);
}

/* The intervention fixture: arrays large enough for every cap plus one. */
#define FIX_ARRAY 64
#define FIX_SUB 4

struct iv_fix {
	struct intervention iv;
	const char *today;
	int64_t co[FIX_ARRAY];
	const char *themes[FIX_ARRAY];
	struct checkpoint_state cps[FIX_ARRAY];
	struct followup fus[FIX_SUB];
	const char *prov[FIX_SUB][FIX_ARRAY];
	struct accident acc[FIX_SUB];
	struct disease dis[FIX_SUB];
	char gen[FIX_ARRAY][32];
	char *note;             /* generated note, freed by fix_release */
};

/* The base case, valid on 2025-06-30: an on-site control with a priority action, two
 * co-agents, two themes, two checkpoints, one follow-up citing two provisions, one
 * accident and one disease. */
static void fix_init(struct iv_fix *x)
{
	memset(x, 0, sizeof *x);
	x->today = "2025-06-30";
	x->co[0] = 8;
	x->co[1] = 9;
	x->themes[0] = "ss_chutes_hauteur";
	x->themes[1] = "ss_amiante";
	x->cps[0] = (struct checkpoint_state){1, MODEL_CHECKPOINT_COMPLIANT};
	x->cps[1] = (struct checkpoint_state){2, MODEL_CHECKPOINT_NOT_CHECKED};
	x->prov[0][0] = "L.4121-1";
	x->prov[0][1] = "R.4323-58";
	for (size_t i = 0; i < FIX_SUB; i++)
		x->fus[i] = (struct followup){
			.kind = "mise_en_demeure", .date = "2025-06-12", .status = "issued",
			.provisions = x->prov[i], .n_provisions = i == 0 ? 2 : 0,
		};
	for (size_t i = 0; i < FIX_SUB; i++) {
		x->acc[i] = (struct accident){"2025-06-01", "serious", 1};
		x->dis[i] = (struct disease){"2025-05-01", "30bis", 2};
	}
	x->iv = (struct intervention){
		.date = "2025-06-10", .kind = "controle_site", .on_site = 1,
		.siret = "73282932000074", .author_id = 7, .priority_action_id = 3,
		.note = "Visite du chantier.\n\tGarde-corps absents au 3e étage.\r\n",
		.status = "final", .created_at = "2025-06-10T16:30:00Z",
		.co_agents = x->co, .n_co_agents = 2, .themes = x->themes, .n_themes = 2,
		.checkpoints = x->cps, .n_checkpoints = 2, .followups = x->fus, .n_followups = 1,
		.accidents = x->acc, .n_accidents = 1, .diseases = x->dis, .n_diseases = 1,
	};
}

static void fix_release(struct iv_fix *x)
{
	free(x->note);
	x->note = NULL;
}

/* Parses "name", "name[i]", "name[i].sub", "name[i].sub[j]" or "name[i].sub*"; returns 0
 * on a malformed key. A trailing '*' (on name or sub) sets *star. */
struct key {
	char name[32];
	char sub[32];
	long i, j;              /* -1 when absent */
	int star;
};

static int parse_key(const char *s, struct key *k)
{
	size_t n;

	memset(k, 0, sizeof *k);
	k->i = k->j = -1;
	n = strcspn(s, "[.*");
	if (n == 0 || n >= sizeof k->name)
		return 0;
	memcpy(k->name, s, n);
	s += n;
	if (*s == '[') {
		char *end;

		k->i = strtol(s + 1, &end, 10);
		if (*end != ']' || k->i < 0 || k->i >= FIX_ARRAY)
			return 0;
		s = end + 1;
	}
	if (*s == '.') {
		s++;
		n = strcspn(s, "[*");
		if (n == 0 || n >= sizeof k->sub)
			return 0;
		memcpy(k->sub, s, n);
		s += n;
		if (*s == '[') {
			char *end;

			k->j = strtol(s + 1, &end, 10);
			if (*end != ']' || k->j < 0 || k->j >= FIX_ARRAY)
				return 0;
			s = end + 1;
		}
	}
	if (*s == '*') {
		k->star = 1;
		s++;
	}
	return *s == '\0';
}

static void grow(size_t *n, long i)
{
	if (*n < (size_t)i + 1)
		*n = (size_t)i + 1;
}

static int64_t num(const char *v)
{
	return strtoll(v, NULL, 10);
}

/* Keys: today, the scalar fields of struct intervention by name, n_NAME for a count,
 * NAME=(null) for a NULL array, NAME[i] for an element (the count grows to include it),
 * NAME[i].field, followups[i].provisions[j], followups[i].provisions=(null);
 * themes*=N, co_agents*=N, followups[i].provisions*=N fill N distinct valid elements,
 * note*=N makes a note of N "é". */
static int iv_change(void *ctx, const char *key_s, char *raw)
{
	struct iv_fix *x = ctx;
	struct intervention *iv = &x->iv;
	const char *v = value_of(raw);
	struct key k;

	if (!parse_key(key_s, &k))
		return 0;
	if (k.star) {
		size_t n = (size_t)num(raw);

		if (n > FIX_ARRAY && strcmp(k.name, "note") != 0)
			return 0;
		if (strcmp(k.name, "note") == 0) {
			free(x->note);
			x->note = malloc(2 * n + 1);
			assert_non_null(x->note);
			for (size_t i = 0; i < n; i++)
				memcpy(x->note + 2 * i, "\xc3\xa9", 2);
			x->note[2 * n] = '\0';
			iv->note = x->note;
		} else if (strcmp(k.name, "themes") == 0) {
			for (size_t i = 0; i < n; i++) {
				snprintf(x->gen[i], sizeof x->gen[i], "theme_%zu", i);
				x->themes[i] = x->gen[i];
			}
			iv->n_themes = n;
		} else if (strcmp(k.name, "co_agents") == 0) {
			for (size_t i = 0; i < n; i++)
				x->co[i] = 100 + (int64_t)i;
			iv->n_co_agents = n;
		} else if (strcmp(k.name, "followups") == 0 && k.i >= 0 && k.i < FIX_SUB &&
		           strcmp(k.sub, "provisions") == 0) {
			for (size_t i = 0; i < n; i++) {
				snprintf(x->gen[i], sizeof x->gen[i], "L.%zu-1", 1000 + i);
				x->prov[k.i][i] = x->gen[i];
			}
			x->fus[k.i].n_provisions = n;
		} else {
			return 0;
		}
		return 1;
	}
	if (k.i < 0 && k.sub[0] == '\0') {
		/* Scalars and whole arrays. */
		if (strcmp(k.name, "today") == 0)
			x->today = v;
		else if (strcmp(k.name, "date") == 0)
			iv->date = v;
		else if (strcmp(k.name, "kind") == 0)
			iv->kind = v;
		else if (strcmp(k.name, "siret") == 0)
			iv->siret = v;
		else if (strcmp(k.name, "note") == 0)
			iv->note = v;
		else if (strcmp(k.name, "status") == 0)
			iv->status = v;
		else if (strcmp(k.name, "created_at") == 0)
			iv->created_at = v;
		else if (strcmp(k.name, "worksite_id") == 0)
			iv->worksite_id = num(raw);
		else if (strcmp(k.name, "author_id") == 0)
			iv->author_id = num(raw);
		else if (strcmp(k.name, "priority_action_id") == 0)
			iv->priority_action_id = num(raw);
		else if (strcmp(k.name, "n_co_agents") == 0)
			iv->n_co_agents = (size_t)num(raw);
		else if (strcmp(k.name, "n_themes") == 0)
			iv->n_themes = (size_t)num(raw);
		else if (strcmp(k.name, "n_checkpoints") == 0)
			iv->n_checkpoints = (size_t)num(raw);
		else if (strcmp(k.name, "n_followups") == 0)
			iv->n_followups = (size_t)num(raw);
		else if (strcmp(k.name, "n_accidents") == 0)
			iv->n_accidents = (size_t)num(raw);
		else if (strcmp(k.name, "n_diseases") == 0)
			iv->n_diseases = (size_t)num(raw);
		else if (strcmp(k.name, "co_agents") == 0 && v == NULL)
			iv->co_agents = NULL;
		else if (strcmp(k.name, "themes") == 0 && v == NULL)
			iv->themes = NULL;
		else if (strcmp(k.name, "checkpoints") == 0 && v == NULL)
			iv->checkpoints = NULL;
		else if (strcmp(k.name, "followups") == 0 && v == NULL)
			iv->followups = NULL;
		else if (strcmp(k.name, "accidents") == 0 && v == NULL)
			iv->accidents = NULL;
		else if (strcmp(k.name, "diseases") == 0 && v == NULL)
			iv->diseases = NULL;
		else
			return 0;
		return 1;
	}
	if (k.i < 0)
		return 0;
	if (strcmp(k.name, "co_agents") == 0 && k.sub[0] == '\0') {
		x->co[k.i] = num(raw);
		grow(&iv->n_co_agents, k.i);
	} else if (strcmp(k.name, "themes") == 0 && k.sub[0] == '\0') {
		x->themes[k.i] = v;
		grow(&iv->n_themes, k.i);
	} else if (strcmp(k.name, "checkpoints") == 0) {
		if (strcmp(k.sub, "control_point_id") == 0)
			x->cps[k.i].control_point_id = num(raw);
		else if (strcmp(k.sub, "state") == 0)
			x->cps[k.i].state = v;
		else
			return 0;
		grow(&iv->n_checkpoints, k.i);
	} else if (k.i < FIX_SUB && strcmp(k.name, "followups") == 0) {
		struct followup *fu = &x->fus[k.i];

		if (strcmp(k.sub, "kind") == 0)
			fu->kind = v;
		else if (strcmp(k.sub, "date") == 0)
			fu->date = v;
		else if (strcmp(k.sub, "status") == 0)
			fu->status = v;
		else if (strcmp(k.sub, "provisions") == 0 && k.j >= 0) {
			x->prov[k.i][k.j] = v;
			grow(&fu->n_provisions, k.j);
		} else if (strcmp(k.sub, "provisions") == 0 && v == NULL)
			fu->provisions = NULL;
		else if (strcmp(k.sub, "n_provisions") == 0)
			fu->n_provisions = (size_t)num(raw);
		else
			return 0;
		grow(&iv->n_followups, k.i);
	} else if (k.i < FIX_SUB && strcmp(k.name, "accidents") == 0) {
		if (strcmp(k.sub, "date") == 0)
			x->acc[k.i].date = v;
		else if (strcmp(k.sub, "severity") == 0)
			x->acc[k.i].severity = v;
		else if (strcmp(k.sub, "victims") == 0)
			x->acc[k.i].victims = (int)num(raw);
		else
			return 0;
		grow(&iv->n_accidents, k.i);
	} else if (k.i < FIX_SUB && strcmp(k.name, "diseases") == 0) {
		if (strcmp(k.sub, "date") == 0)
			x->dis[k.i].date = v;
		else if (strcmp(k.sub, "table_number") == 0)
			x->dis[k.i].table_number = v;
		else if (strcmp(k.sub, "victims") == 0)
			x->dis[k.i].victims = (int)num(raw);
		else
			return 0;
		grow(&iv->n_diseases, k.i);
	} else {
		return 0;
	}
	return 1;
}

static void test_intervention_file(void **state)
{
	struct tsv t;
	struct iv_fix *x = malloc(sizeof *x);

	(void)state;
	assert_non_null(x);
	tsv_open(&t, "intervention.tsv");
	while (tsv_next(&t, 1)) {
		struct err e;

		fix_init(x);
		err_clear(&e);
		if (each_change(t.col[0], iv_change, x, &t))
			expect(&t, validate_intervention(&x->iv, x->today, &e), &e, tsv_opt(&t, 1),
			       tsv_opt(&t, 2), tsv_opt(&t, 3));
		fix_release(x);
	}
	free(x);
	tsv_close(&t, 80);
}

/* ---- Explicit cases --------------------------------------------------------------------- */

/* A whole-buffer check built on utf8proc, as an independent oracle. */
static int utf8proc_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t r = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);

		if (r <= 0)
			return 0;
		i += (size_t)r;
	}
	return 1;
}

static void test_utf8_edges(void **state)
{
	(void)state;
	assert_true(validate_utf8("", 0));
	assert_true(validate_utf8(NULL, 0));
	assert_true(validate_utf8("a\0b", 3));                      /* NUL is U+0000 */
	assert_false(validate_utf8("\xc0\xaf", 2));                 /* overlong '/' */
	assert_false(validate_utf8("\xe0\x80\xaf", 3));             /* overlong '/', 3 bytes */
	assert_false(validate_utf8("\xf0\x80\x80\xaf", 4));         /* overlong '/', 4 bytes */
	assert_false(validate_utf8("\xed\xa0\x80", 3));             /* U+D800 */
	assert_false(validate_utf8("\xed\xbf\xbf", 3));             /* U+DFFF */
	assert_true(validate_utf8("\xed\x9f\xbf", 3));              /* U+D7FF */
	assert_true(validate_utf8("\xee\x80\x80", 3));              /* U+E000 */
	assert_true(validate_utf8("\xf4\x8f\xbf\xbf", 4));          /* U+10FFFF, the last */
	assert_false(validate_utf8("\xf4\x90\x80\x80", 4));         /* U+110000 */
	assert_false(validate_utf8("\xf5\x80\x80\x80", 4));
	assert_false(validate_utf8("\xc3", 1));                     /* truncated */
	assert_false(validate_utf8("\xc3\xa9", 1));                 /* truncated by n */
	assert_false(validate_utf8("\xe2\x82", 2));
	assert_false(validate_utf8("\xf0\x9f\x98", 3));
	assert_true(validate_utf8("\xf0\x9f\x98\x80", 4));          /* U+1F600 */
	assert_false(validate_utf8("\x80", 1));                     /* stray continuation */
	assert_false(validate_utf8("\xfe\xff", 2));
	assert_true(validate_utf8("\xc3\xa9t\xc3\xa9", 6));         /* "été" */
}

/* Every 1- and 2-byte input, every 3-byte input, and every 4-byte input whose first two
 * bytes are in the interesting ranges, agree with utf8proc. */
static void test_utf8_against_utf8proc(void **state)
{
	unsigned char b[4];

	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		b[0] = (unsigned char)a;
		assert_int_equal(validate_utf8((char *)b, 1), utf8proc_valid(b, 1));
		for (unsigned c = 0; c < 256; c++) {
			b[1] = (unsigned char)c;
			assert_int_equal(validate_utf8((char *)b, 2), utf8proc_valid(b, 2));
		}
	}
	for (unsigned a = 0xC0; a < 256; a++)
		for (unsigned c = 0x70; c < 0xD0; c++)
			for (unsigned d = 0x70; d < 0xD0; d++) {
				b[0] = (unsigned char)a;
				b[1] = (unsigned char)c;
				b[2] = (unsigned char)d;
				if (validate_utf8((char *)b, 3) != utf8proc_valid(b, 3))
					fail_msg("disagree on %02x %02x %02x", a, c, d);
			}
	for (unsigned a = 0xEF; a < 0xF8; a++)
		for (unsigned c = 0x7F; c < 0xC1; c++)
			for (unsigned d = 0x7F; d < 0xC1; d += 0x20)
				for (unsigned f = 0x7F; f < 0xC1; f++) {
					b[0] = (unsigned char)a;
					b[1] = (unsigned char)c;
					b[2] = (unsigned char)d;
					b[3] = (unsigned char)f;
					if (validate_utf8((char *)b, 4) != utf8proc_valid(b, 4))
						fail_msg("disagree on %02x %02x %02x %02x", a, c, d,
						         f);
				}
}

/* Random multi-character strings (deterministic seed), bytes drawn mostly from the lead
 * and continuation ranges, agree with utf8proc too. */
static void test_utf8_random(void **state)
{
	static const unsigned char pool[] = {
		'a', 0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
		0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
	};
	unsigned char b[12];
	struct rng r;

	(void)state;
	rng_seed(&r, 20261127);
	for (int k = 0; k < 200000; k++) {
		size_t n = (size_t)rng_below(&r, sizeof b + 1);

		for (size_t i = 0; i < n; i++)
			b[i] = pool[rng_below(&r, sizeof pool)];
		if (validate_utf8((char *)b, n) != utf8proc_valid(b, n))
			fail_msg("disagree on a string of %zu bytes starting %02x", n, b[0]);
	}
}

static void test_siret_check_digits(void **state)
{
	(void)state;
	/* 732829320: from the right, 0 + 2*2 + 3 + 9->9 + 2 + 2*8=16->7 + 2 + 2*3=6 + 7
	 * = 0+4+3+9+2+7+2+6+7 = 40, a multiple of 10. */
	assert_true(siret_siren_valid("732829320"));
	assert_false(siret_siren_valid("732829321"));
	assert_true(siret_valid("73282932000074"));
	assert_false(siret_valid("73282932000079"));
	/* La Poste's SIREN 356000000 is Luhn-valid: from the right the digits are
	 * 0,0,0,0,0,0,6,5,3; 6 is kept, 5 doubled = 10 -> 1, 3 kept: 6 + 1 + 3 = 10. */
	assert_true(siret_siren_valid(SIREN_LA_POSTE));
	/* 35600000012346: digit sum 3+5+6+1+2+3+4+6 = 30, a multiple of 5; fails Luhn. */
	assert_true(siret_valid("35600000012346"));
	assert_false(siret_luhn_ok("35600000012346", 14));
	/* 35600000000056: digit sum 3+5+6+5+6 = 25. */
	assert_true(siret_valid("35600000000056"));
	/* 35600000012345: digit sum 29 and Luhn fails: invalid. */
	assert_false(siret_valid("35600000012345"));
	/* The head office 35600000000048: digit sum 3+5+6+4+8 = 26, not a multiple of 5, but
	 * Luhn-valid: from the right 8 kept, 4 doubled = 8, zeros, 6 doubled = 12 -> 3, 5
	 * kept, 3 doubled = 6: 8 + 8 + 3 + 5 + 6 = 30. */
	assert_true(siret_luhn_ok("35600000000048", 14));
	assert_true(siret_valid("35600000000048"));
	/* The digit-sum rule is La Poste's only: 12345678900000 has digit sum 45. */
	assert_false(siret_valid("12345678900000"));
	assert_false(siret_valid("7328293200007"));
	assert_false(siret_valid("7328293200007a"));
	assert_false(siret_valid(NULL));
	assert_false(siret_siren_valid(NULL));
}

static void test_siret_helpers(void **state)
{
	char out[15], small[4];

	(void)state;
	assert_int_equal(siret_digits("732 829 320 00074", out, sizeof out), 14);
	assert_string_equal(out, "73282932000074");
	assert_int_equal(siret_digits("732.829-320", out, sizeof out), 9);
	assert_int_equal(siret_digits("732x", out, sizeof out), -1);
	assert_int_equal(siret_digits("12345", small, sizeof small), -1);   /* overflow */
	assert_int_equal(siret_digits("123", small, sizeof small), 3);
	assert_int_equal(siret_digits("", small, 0), -1);
	memcpy(out, "7328293200007X", 15);
	siret_luhn_complete(out, 14);
	assert_string_equal(out, "73282932000074");
	siret_format(73282932000074LL, out);
	assert_string_equal(out, "73282932000074");
	siret_format(1234567800013LL, out);
	assert_string_equal(out, "01234567800013");
	siret_siren_format(12345678, out);
	assert_string_equal(out, "012345678");
}

static void test_messages(void **state)
{
	static const char *const allowed[] = {"draft", "final", NULL};
	struct err e;

	(void)state;
	assert_int_equal(validate_siret("siret", "7328293200007", &e), ERR_INVALID);
	assert_string_equal(e.field, "siret");
	assert_string_equal(e.msg, "expected 14 digits");
	assert_int_equal(validate_siret("siret", "73282932000079", &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "check digit is wrong"));
	assert_int_equal(validate_siren("siren", NULL, &e), ERR_INVALID);
	assert_string_equal(e.msg, "is required");
	assert_int_equal(validate_text("name", "", 1, 200, 0, &e), ERR_INVALID);
	assert_string_equal(e.msg, "is required");
	assert_int_equal(validate_text("name", "abc", 4, 200, 0, &e), ERR_INVALID);
	assert_string_equal(e.msg, "expected between 4 and 200 characters");
	assert_int_equal(validate_enum("status", "done", allowed, &e), ERR_INVALID);
	assert_string_equal(e.field, "status");
	assert_string_equal(e.msg, "expected one of draft, final");
	assert_int_equal(validate_date("date", "2023-02-29", &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "expected a date as YYYY-MM-DD"));
	/* A NULL struct err is allowed everywhere. */
	assert_int_equal(validate_siret("siret", "1", NULL), ERR_INVALID);
	assert_int_equal(validate_text("t", "\x01", 0, 5, 0, NULL), ERR_INVALID);
	assert_int_equal(validate_intervention(NULL, "2025-01-01", NULL), ERR_INTERNAL);
	assert_int_equal(validate_establishment(NULL, NULL), ERR_INTERNAL);
	assert_int_equal(validate_legal_unit(NULL, NULL), ERR_INTERNAL);
}

/* validate_enum truncates a long list of allowed values instead of overflowing. */
static void test_enum_long_list(void **state)
{
	const char *allowed[80];
	struct err e;

	(void)state;
	for (size_t i = 0; i < 79; i++)
		allowed[i] = "a_rather_long_allowed_value";
	allowed[79] = NULL;
	assert_int_equal(validate_enum("f", "x", allowed, &e), ERR_INVALID);
	assert_true(strlen(e.msg) < ERR_MSG_MAX);
	assert_non_null(strstr(e.msg, "..."));
	assert_int_equal(validate_enum("f", "a_rather_long_allowed_value", allowed, &e), ERR_OK);
}

/* With today NULL, the current date is used; CONSTAT_TODAY pins it for the test. */
static void test_intervention_today_default(void **state)
{
	struct iv_fix *x = malloc(sizeof *x);
	struct err e;

	(void)state;
	assert_non_null(x);
	assert_int_equal(setenv("CONSTAT_TODAY", "2025-06-30", 1), 0);
	fix_init(x);
	assert_int_equal(validate_intervention(&x->iv, NULL, &e), ERR_OK);
	x->iv.date = "2025-07-01";
	assert_int_equal(validate_intervention(&x->iv, NULL, &e), ERR_INVALID);
	assert_string_equal(e.field, "date");
	assert_string_equal(e.msg, "must not be after today (2025-06-30)");
	unsetenv("CONSTAT_TODAY");
	fix_release(x);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_edges),
		cmocka_unit_test(test_utf8_against_utf8proc),
		cmocka_unit_test(test_utf8_random),
		cmocka_unit_test(test_utf8_file),
		cmocka_unit_test(test_text_file),
		cmocka_unit_test(test_siret_check_digits),
		cmocka_unit_test(test_siret_helpers),
		cmocka_unit_test(test_siren_file),
		cmocka_unit_test(test_siret_file),
		cmocka_unit_test(test_naf_file),
		cmocka_unit_test(test_commune_file),
		cmocka_unit_test(test_postcode_file),
		cmocka_unit_test(test_date_file),
		cmocka_unit_test(test_date_order_file),
		cmocka_unit_test(test_headcount_file),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_enum_long_list),
		cmocka_unit_test(test_establishment_file),
		cmocka_unit_test(test_legal_unit_file),
		cmocka_unit_test(test_intervention_file),
		cmocka_unit_test(test_intervention_today_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

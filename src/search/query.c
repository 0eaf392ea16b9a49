/* query: query parsing and identifier correction. */
#include "search/query.h"

#include <string.h>

#include "domain/siret.h"

static int id_ok(const char *id, size_t n)
{
	return n == 14 ? siret_valid(id) : siret_siren_valid(id);
}

size_t search_id_candidates(const char *id, size_t n, struct search_id_candidate *cand)
{
	char t[15];
	size_t k = 0;

	if (n != 9 && n != 14)
		return 0;
	memcpy(t, id, n);
	t[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		char orig = t[i];

		for (char c = '0'; c <= '9'; c++) {
			if (c == orig)
				continue;
			t[i] = c;
			if (id_ok(t, n) && k < SEARCH_ID_CANDIDATES_MAX) {
				memcpy(cand[k].id, t, n + 1);
				cand[k].pos = (int8_t)i;
				cand[k].how = 'd';
				k++;
			}
		}
		t[i] = orig;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		char a = t[i], b = t[i + 1];

		if (a == b)
			continue;
		t[i] = b;
		t[i + 1] = a;
		if (id_ok(t, n) && k < SEARCH_ID_CANDIDATES_MAX) {
			memcpy(cand[k].id, t, n + 1);
			cand[k].pos = (int8_t)i;
			cand[k].how = 's';
			k++;
		}
		t[i] = a;
		t[i + 1] = b;
	}
	return k;
}

static int is_department(const char *w, size_t len)
{
	if (len == 2 && ((w[0] >= '0' && w[0] <= '9' && w[1] >= '0' && w[1] <= '9' &&
	                  strcmp(w, "00") != 0 && strcmp(w, "20") != 0) ||
	                 strcmp(w, "2a") == 0 || strcmp(w, "2b") == 0))
		return 1;
	return len == 3 && strncmp(w, "97", 2) == 0 && w[2] >= '1' && w[2] <= '6';
}

enum err_code search_query_parse(const char *text, struct search_query *q, struct err *e)
{
	struct search_token toks[SEARCH_QUERY_WORDS_MAX * 2];
	uint8_t used[SEARCH_QUERY_WORDS_MAX * 2] = {0};
	size_t n, len, real = 0, nonlegal = 0;
	int ends_open;

	memset(q, 0, sizeof *q);
	if (text == NULL)
		return err_set(e, ERR_INVALID, "q", "a query is required");
	n = search_tokenize(text, SEARCH_CTX_QUERY, toks, sizeof toks / sizeof toks[0]);
	len = strnlen(text, SEARCH_QUERY_BYTES_MAX);
	/* the last word is unfinished unless the text ends with a separator */
	ends_open = len > 0 && len < SEARCH_QUERY_BYTES_MAX &&
	            ((text[len - 1] >= '0' && text[len - 1] <= '9') ||
	             (text[len - 1] >= 'a' && text[len - 1] <= 'z') ||
	             (text[len - 1] >= 'A' && text[len - 1] <= 'Z') ||
	             ((unsigned char)text[len - 1] & 0x80));

	/* a run of digit groups making 9 or 14 digits is an identifier; when a run holds
	 * both (a SIREN then a postcode), the one whose check digit passes wins, else 14 */
	for (size_t i = 0; i < n && q->id_kind == SEARCH_ID_NONE; i++) {
		char digits[32];
		size_t nd = 0, j9 = 0, j14 = 0, pick = 0;

		if (!(toks[i].flags & SEARCH_TOK_NUMBER))
			continue;
		for (size_t j = i; j < n && (toks[j].flags & SEARCH_TOK_NUMBER); j++) {
			size_t l = strlen(toks[j].form[0]);

			if (nd + l >= sizeof digits)
				break;
			memcpy(digits + nd, toks[j].form[0], l);
			nd += l;
			if (nd == 9)
				j9 = j + 1;
			if (nd == 14)
				j14 = j + 1;
			if (nd >= 14)
				break;
		}
		if (j14) {
			digits[14] = '\0';
			pick = j14;
			if (j9 && !siret_valid(digits)) {
				digits[9] = '\0';
				if (siret_siren_valid(digits))
					pick = j9;
				else
					pick = j14;
			}
		} else if (j9) {
			pick = j9;
		}
		if (pick == 0)
			continue;
		nd = 0;
		for (size_t x = i; x < pick; x++) {
			size_t l = strlen(toks[x].form[0]);

			memcpy(digits + nd, toks[x].form[0], l);
			nd += l;
			used[x] = 1;
		}
		digits[nd] = '\0';
		q->id_kind = nd == 14 ? SEARCH_ID_SIRET : SEARCH_ID_SIREN;
		memcpy(q->id, digits, nd + 1);
	}
	if (q->id_kind != SEARCH_ID_NONE) {
		size_t nd = strlen(q->id);

		q->id_valid = id_ok(q->id, nd);
		if (!q->id_valid)
			q->n_cand = search_id_candidates(q->id, nd, q->cand);
	}

	for (size_t i = 0; i < n; i++)
		if (!used[i] && !(toks[i].flags & SEARCH_TOK_STOP)) {
			real++;
			if (!(toks[i].flags & SEARCH_TOK_LEGAL))
				nonlegal++;
		}
	for (size_t i = 0; i < n && q->n < SEARCH_QUERY_WORDS_MAX; i++) {
		struct search_qword *w;
		size_t l;

		if (used[i] || (real > 0 && (toks[i].flags & SEARCH_TOK_STOP)))
			continue;
		w = &q->w[q->n++];
		memcpy(w->form, toks[i].form, sizeof w->form);
		w->n_forms = toks[i].n_forms;
		l = strlen(w->form[0]);
		w->optional = nonlegal > 0 && (toks[i].flags & SEARCH_TOK_LEGAL);
		if (toks[i].flags & SEARCH_TOK_NUMBER)
			w->kind = l == 5                         ? SEARCH_WORD_POSTCODE
			          : is_department(w->form[0], l) ? SEARCH_WORD_DEPARTMENT
			                                         : SEARCH_WORD_NUMBER;
		else if (is_department(w->form[0], l))
			w->kind = SEARCH_WORD_DEPARTMENT;
		w->budget = w->kind == SEARCH_WORD_TEXT ? (uint8_t)search_typo_budget(l) : 0;
		w->prefix = ends_open && i == n - 1;
	}
	return ERR_OK;
}

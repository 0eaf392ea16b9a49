/* fuzz-search-query: libFuzzer target for the search query parser, the normaliser and a
 * whole search against a small index. How to build and run it: docs/internals/search.md,
 * section "Fuzzing" (clang -fsanitize=fuzzer,address,undefined, with the dictionary and
 * seed corpus of fuzz/search-query/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/query.h"
#include "search/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct search_index *fuzz_index(void)
{
	static struct search_index *ix;
	static const struct {
		const char *siret, *name, *ens, *street, *pc, *commune, *code;
	} rows[] = {
	    {"73282932000074", "BOULANGERIE MARTIN", "Au Bon Pain", "RUE DE LA REPUBLIQUE", "69003",
	     "LYON 3E ARRONDISSEMENT", "69383"},
	    {"55210055400013", "SOCIETE GENERALE", NULL, "BD HAUSSMANN", "75009", "PARIS 9E",
	     "75109"},
	    {"35600000000001", "LA POSTE", "Bureau de poste", "AV DE FRANCE", "75013", "PARIS 13E",
	     "75113"},
	    {"40483304800022", "SARL CRÊPERIE DU PORT", "Chez Hélène", "QUAI DE LA DOUANE", "29200",
	     "BREST", "29019"},
	};

	if (ix == NULL) {
		struct search_builder *b = search_builder_new();

		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			char siren[10];
			struct legal_unit u = {.siren = siren, .name = rows[i].name, .state = "A"};
			struct establishment e = {.siret = rows[i].siret,
			                          .siren = siren,
			                          .nic = rows[i].siret + 9,
			                          .state = "A",
			                          .head_office = 1,
			                          .enseigne1 = rows[i].ens,
			                          .street_name = rows[i].street,
			                          .postcode = rows[i].pc,
			                          .commune_name = rows[i].commune,
			                          .commune_code = rows[i].code};

			memcpy(siren, rows[i].siret, 9);
			siren[9] = '\0';
			search_builder_add(b, &e, &u, NULL);
		}
		if (search_builder_finish(b, &ix, NULL) != ERR_OK)
			abort();
		search_builder_free(b);
	}
	return ix;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct search_query q;
	struct search_token toks[64];
	struct search_result *r = NULL;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	search_query_parse(text, &q, NULL);
	if (q.n > SEARCH_QUERY_WORDS_MAX || q.n_cand > SEARCH_ID_CANDIDATES_MAX)
		abort();
	for (size_t i = 0; i < q.n; i++)
		if (strnlen(q.w[i].form[0], SEARCH_WORD_MAX) >= SEARCH_WORD_MAX)
			abort();
	search_tokenize(text, SEARCH_CTX_NAME, toks, 64);
	search_tokenize(text, SEARCH_CTX_PLACE, toks, 64);
	if (search_run(fuzz_index(), text, 10, &r, NULL) == ERR_OK) {
		if (r->n > 10)
			abort();
		search_result_free(r);
	}
	free(text);
	return 0;
}

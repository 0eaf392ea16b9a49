/* cmd-search: searches the establishment registry from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "search/search.h"
#include "store/store.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *how_text(char how)
{
	return how == 's' ? "swap" : "digit";
}

static void print_text(const struct search_result *r)
{
	const struct search_query *q = &r->query;

	if (r->n == 0)
		puts("no establishment found");
	for (size_t i = 0; i < r->n; i++) {
		const struct search_hit *h = &r->hit[i];

		printf("%2zu. %s  %s", i + 1, h->siret, h->name);
		if (h->enseigne[0])
			printf("  [%s]", h->enseigne);
		printf("\n    %s%s%s %s  %s%s\n", h->address, h->address[0] ? ", " : "",
		       h->postcode, h->commune, h->flags & SEARCH_HIT_ACTIVE ? "active" : "closed",
		       h->flags & SEARCH_HIT_HEAD_OFFICE ? ", head office" : "");
		if (h->flags & SEARCH_HIT_CORRECTED)
			printf("    identifier corrected: %s at position %d\n",
			       h->corrected_how == 's' ? "two digits swapped" : "one digit changed",
			       h->corrected_pos + 1);
		else if (h->flags & (SEARCH_HIT_SIRET | SEARCH_HIT_SIREN))
			printf("    found by its %s\n",
			       h->flags & SEARCH_HIT_SIRET ? "SIRET" : "SIREN");
		if (q->n > 0 && !(h->flags & (SEARCH_HIT_SIRET | SEARCH_HIT_SIREN))) {
			fputs("    matched:", stdout);
			for (size_t w = 0; w < q->n; w++) {
				if (h->word_field[w] < 0)
					printf(" %s=-", q->w[w].form[0]);
				else
					printf(
					    " %s=%s%s", q->w[w].form[0],
					    search_field_name(h->word_field[w]),
					    h->word_typos[w]
					        ? (h->word_typos[w] > 1 ? "(2 typos)" : "(1 typo)")
					        : "");
			}
			putchar('\n');
		}
	}
}

static int print_json(const struct search_result *r, const char *text, double ms)
{
	const struct search_query *q = &r->query;
	json_t *root = json_object(), *words = json_array(), *hits = json_array(), *q_json;
	char *s;

	for (size_t w = 0; w < q->n; w++)
		json_array_append_new(words, json_pack("{s:s, s:b, s:b, s:b}", "word",
		                                       q->w[w].form[0], "prefix", q->w[w].prefix,
		                                       "optional", q->w[w].optional, "dropped",
		                                       (r->dropped >> w) & 1));
	for (size_t i = 0; i < r->n; i++) {
		const struct search_hit *h = &r->hit[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "siret", h->siret,
		                      "name", h->name, "enseigne", h->enseigne, "address",
		                      h->address, "postcode", h->postcode, "commune", h->commune,
		                      "active", (h->flags & SEARCH_HIT_ACTIVE) != 0, "head_office",
		                      (h->flags & SEARCH_HIT_HEAD_OFFICE) != 0);
		json_t *m;

		if (o == NULL)
			continue; /* a display field that is not UTF-8 */
		m = json_array();
		if (h->flags & (SEARCH_HIT_SIRET | SEARCH_HIT_SIREN))
			json_object_set_new(
			    o, "found_by",
			    json_string(h->flags & SEARCH_HIT_SIRET ? "siret" : "siren"));
		if (h->flags & SEARCH_HIT_CORRECTED)
			json_object_set_new(o, "corrected",
			                    json_pack("{s:i, s:s}", "position", h->corrected_pos,
			                              "kind", how_text(h->corrected_how)));
		for (size_t w = 0; w < q->n; w++)
			if (h->word_field[w] >= 0)
				json_array_append_new(
				    m, json_pack("{s:s, s:s, s:i}", "word", q->w[w].form[0],
				                 "field", search_field_name(h->word_field[w]),
				                 "typos", h->word_typos[w]));
		json_object_set_new(o, "matched", m);
		json_object_set_new(o, "score",
		                    json_pack("{s:i, s:i, s:i, s:i, s:b, s:i, s:i, s:i, s:i, s:i}",
		                              "words", h->score.matched, "typos", h->score.typos,
		                              "in_name", h->score.in_name, "whole",
		                              h->score.whole, "full_name",
		                              h->score.full_name, "exact", h->score.exact,
		                              "proximity", h->score.proximity, "place",
		                              h->score.place, "legal", h->score.legal, "static",
		                              (int)h->score.stat));
		json_array_append_new(hits, o);
	}
	q_json = json_stringn(text, strlen(text)); /* NULL when text is not UTF-8 */
	json_object_set_new(root, "query", q_json ? q_json : json_string(""));
	json_object_set_new(root, "words", words);
	json_object_set_new(root, "results", hits);
	json_object_set_new(root, "candidates", json_integer((json_int_t)r->candidates));
	json_object_set_new(root, "ms", json_real(ms));
	s = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (s == NULL)
		return CLI_EXIT_FAIL;
	puts(s);
	free(s);
	return CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},          {"index", required_argument, NULL, 'i'},
	    {"build-index", required_argument, NULL, 'b'}, {"json", no_argument, NULL, 'j'},
	    {"limit", required_argument, NULL, 'l'},       {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *index = NULL, *build = NULL;
	struct search_index *ix = NULL;
	struct search_result *r = NULL;
	struct store *s = NULL;
	struct err e = {0};
	struct buf q;
	int c, json = 0, rc = CLI_EXIT_OK;
	long limit = 10;
	char *end;
	double t0, ms;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'i':
			index = optarg;
			break;
		case 'b':
			build = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit < 1 ||
			    limit > SEARCH_LIMIT_MAX)
				return cli_usage_error(&cmd_search,
				                       "--limit: expected a number from 1 "
				                       "to %d",
				                       SEARCH_LIMIT_MAX);
			break;
		default:
			return cli_usage_error(&cmd_search, "unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind >= argc && build == NULL)
		return cli_usage_error(&cmd_search, "a QUERY is required");
	if (build == NULL && index != NULL) {
		if (search_index_open(index, 0, &ix, &e) != ERR_OK && e.code != ERR_NOT_FOUND)
			return cli_fail("search", &e);
	}
	if (ix == NULL) {
		if (db == NULL)
			return cli_usage_error(&cmd_search,
			                       "--db FILE is required to build the index");
		t0 = now_ms();
		if (store_open(db, STORE_READONLY, &s, &e) != ERR_OK) {
			store_close(s);
			return cli_fail("search", &e);
		}
		if (build) {
			/* written section by section, then mapped: a third of the memory of an
			 * index laid out in memory */
			struct search_index_stats st;

			if (search_index_build_file(s, build, &e) != ERR_OK ||
			    search_index_open(build, 0, &ix, &e) != ERR_OK) {
				store_close(s);
				return cli_fail("search", &e);
			}
			search_index_stats(ix, &st);
			fprintf(stderr,
			        "constat search: wrote %s: %u establishments, %u terms, "
			        "%.1f MB, in %.1f s\n",
			        build, st.n_docs, st.n_terms, (double)st.image_bytes / 1e6,
			        (now_ms() - t0) / 1e3);
		} else if (search_index_build(s, &ix, &e) != ERR_OK) {
			store_close(s);
			return cli_fail("search", &e);
		}
		store_close(s);
	}
	if (optind >= argc) {
		search_index_free(ix);
		return CLI_EXIT_OK;
	}
	buf_init(&q, SEARCH_QUERY_BYTES_MAX * 4);
	for (int i = optind; i < argc; i++)
		if ((i > optind && buf_putc(&q, ' ') != ERR_OK) || buf_puts(&q, argv[i]) != ERR_OK)
			break; /* the engine cuts long queries anyway */
	t0 = now_ms();
	if (search_run(ix, buf_str(&q), (size_t)limit, &r, &e) != ERR_OK) {
		rc = cli_fail("search", &e);
		goto out;
	}
	ms = now_ms() - t0;
	if (json)
		rc = print_json(r, buf_str(&q), ms);
	else
		print_text(r);
out:
	search_result_free(r);
	search_index_free(ix);
	buf_release(&q);
	return rc;
}

const struct cli_cmd cmd_search = {
    .name = "search",
    .summary = "find establishments by name, address, SIREN or SIRET, typos allowed",
    .usage = "Usage: constat search --db FILE [--index FILE] [--json] [--limit N] QUERY...\n"
             "       constat search --db FILE --build-index FILE [QUERY...]\n\n"
             "Finds establishments whatever was typed: a name or enseigne with typos,\n"
             "without accents, with or without its legal form, words in any order, the\n"
             "last word unfinished; an address, commune, postcode or department; a SIREN\n"
             "or SIRET with or without spaces (a wrong check digit is corrected and said).\n\n"
             "  --db FILE           the database to index\n"
             "  --index FILE        use this saved index when it exists (else build one)\n"
             "  --build-index FILE  build the index from --db and save it to FILE\n"
             "  --json              print the results as JSON\n"
             "  --limit N           at most N results (1-100, default 10)\n",
    .run = run,
};

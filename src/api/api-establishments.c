/* api-establishments: GET /api/v1/establishments?q= (the search) and
 * GET /api/v1/establishments/{siret} (identity and, for control agents, the shared
 * history of interventions). */
#include "api/api.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "api/auth.h"
#include "api/case.h"
#include "domain/siret.h"
#include "search/search.h"

/* The index searches run on. A rebuilt index replaces it while the server runs
 * (api_swap_search_index): each search counts itself on the index it started with, new
 * searches go to the new index at once, and the swap waits only for the searches still
 * running on the old one (search_run's results are copies), so the old one is
 * unreachable once the swap returns. */
static struct search_index *index_ptr;
static unsigned index_users;           /* searches running on index_ptr */
static unsigned old_users;             /* searches running on the index being swapped out */
static pthread_mutex_t index_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t index_drained = PTHREAD_COND_INITIALIZER;

struct search_index *api_swap_search_index(struct search_index *ix)
{
	struct search_index *old;

	pthread_mutex_lock(&index_mu);
	while (old_users > 0) /* another swap still draining (only one swapper: the follower) */
		pthread_cond_wait(&index_drained, &index_mu);
	old = index_ptr;
	old_users = index_users;
	index_users = 0;
	index_ptr = ix;
	while (old_users > 0)
		pthread_cond_wait(&index_drained, &index_mu);
	pthread_mutex_unlock(&index_mu);
	return old;
}

void api_set_search_index(struct search_index *ix)
{
	(void)api_swap_search_index(ix);
}

enum err_code api_search_run(const char *q, size_t limit, struct search_result **out,
                             struct err *e)
{
	struct search_index *ix;
	enum err_code rc;

	*out = NULL;
	pthread_mutex_lock(&index_mu);
	ix = index_ptr;
	index_users += ix != NULL;
	pthread_mutex_unlock(&index_mu);
	if (ix == NULL)
		return err_set(e, ERR_BUSY, NULL, "the search index is not ready yet");
	rc = search_run(ix, q, limit, out, e);
	pthread_mutex_lock(&index_mu);
	if (ix == index_ptr) {
		index_users--;
	} else if (--old_users == 0) {
		pthread_cond_broadcast(&index_drained);
	}
	pthread_mutex_unlock(&index_mu);
	return rc;
}

/* The address as one line: "3 B RUE DE LA REPUBLIQUE". */
static json_t *address_json(const struct establishment *est)
{
	const char *parts[] = {est->street_number, est->street_repeat, est->street_type,
	                       est->street_name};
	struct buf b;
	json_t *j;

	buf_init(&b, 512);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (parts[i] && parts[i][0]) {
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, parts[i]);
		}
	}
	j = api_str(buf_str(&b));
	buf_release(&b);
	return j;
}

static enum err_code search(struct http_request *req, struct err *e)
{
	const char *q = NULL, *lim = NULL;
	struct search_result *res = NULL;
	enum err_code rc;
	json_t *list;
	int64_t limit = 10;

	if ((rc = http_query_single(req, "q", &q, e)) != ERR_OK ||
	    (rc = http_query_single(req, "limit", &lim, e)) != ERR_OK)
		return rc;
	if (q == NULL || q[0] == '\0')
		return err_set(e, ERR_INVALID, "q", "expected a search text");
	if (strlen(q) > 256)
		return err_set(e, ERR_INVALID, "q", "expected at most 256 characters");
	if (lim && num_parse(lim, 1, SEARCH_LIMIT_MAX, &limit) != 0)
		return err_set(e, ERR_INVALID, "limit", "expected a number between 1 and %d",
		               SEARCH_LIMIT_MAX);
	if ((rc = api_search_run(q, (size_t)limit, &res, e)) != ERR_OK)
		return rc;
	list = json_array();
	for (size_t i = 0; i < res->n; i++) {
		const struct search_hit *h = &res->hit[i];
		struct establishment_rec er;
		struct arena a;
		json_t *item;

		arena_init(&a, 1u << 16);
		item = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b}", "siret", h->siret,
		                 "name", api_str(h->name), "enseigne", api_str(h->enseigne[0] ? h->enseigne : NULL),
		                 "address", api_str(h->address), "postcode", api_str(h->postcode),
		                 "commune", api_str(h->commune),
		                 "active", (h->flags & SEARCH_HIT_ACTIVE) != 0,
		                 "head_office", (h->flags & SEARCH_HIT_HEAD_OFFICE) != 0,
		                 "siret_corrected", (h->flags & SEARCH_HIT_CORRECTED) != 0);
		if (item && store_establishment_get(req->store, h->siret, &a, &er, NULL) == ERR_OK) {
			json_object_set_new(item, "naf", api_str(er.est.naf));
			json_object_set_new(item, "naf_label", api_str(er.naf_label));
		}
		arena_release(&a);
		if (item)
			json_array_append_new(list, item);
	}
	search_result_free(res);
	return api_reply(req, 200, json_pack("{s:o}", "results", list), e);
}

static int history_row(void *ctx, const struct intervention_rec *r)
{
	json_array_append_new(ctx, api_intervention_json(r));
	return 0;
}

static enum err_code get_one(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	const char *siret = http_param(req, "siret");
	struct establishment_rec er;
	struct arena a;
	enum err_code rc;
	json_t *j;

	if (siret == NULL || !siret_valid(siret))
		return err_set(e, ERR_INVALID, "siret", "expected 14 digits with a valid check digit");
	arena_init(&a, 1u << 20);
	if ((rc = store_establishment_get(req->store, siret, &a, &er, e)) != ERR_OK) {
		arena_release(&a);
		return rc;
	}
	j = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, "
	              "s:o, s:o}",
	              "siret", api_str(er.est.siret), "siren", api_str(er.est.siren),
	              "name", api_str(er.display_name), "legal_name", api_str(er.lu.name),
	              "enseigne", api_str(er.est.enseigne1), "address", address_json(&er.est),
	              "postcode", api_str(er.est.postcode), "commune", api_str(er.est.commune_name),
	              "commune_code", api_str(er.est.commune_code), "naf", api_str(er.est.naf),
	              "naf_label", api_str(er.naf_label),
	              "headcount_band", api_str(er.est.headcount_band),
	              "legal_category", api_str(er.lu.legal_category),
	              "active", er.est.state && strcmp(er.est.state, "A") == 0,
	              "head_office", er.est.head_office, "created_on", api_str(er.est.created_on),
	              "region", api_str(er.region_code));
	arena_release(&a);
	if (j == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "cannot build the response");
	/* The shared history: case records, for control agents only (policy.c). */
	if (policy_may(&me, POLICY_CASE_READ)) {
		json_t *list = json_array();

		rc = case_history(req->store, &me, siret, 200, history_row, list, e);
		if (rc != ERR_OK) {
			json_decref(list);
			json_decref(j);
			return rc;
		}
		json_object_set_new(j, "interventions", list);
	}
	return api_reply(req, 200, j, e);
}

const struct http_route api_establishment_routes[] = {
	{"GET", "/api/v1/establishments", search, HTTP_ROUTE_AUTH},
	{"GET", "/api/v1/establishments/{siret}", get_one, HTTP_ROUTE_AUTH},
	{NULL, NULL, NULL, 0},
};

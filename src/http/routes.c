/* routes: the list of route tables the server dispatches from, the layer's own route
 * (health check) and the error pages of browser paths (the web interface's). A module
 * adds its routes by exporting a const array ending with {NULL} and adding it to
 * http_route_tables below. */
#include "http/router.h"

#include "api/api.h"
#include "stats/api-stats.h"
#include <jansson.h>

#include "store/store.h"
#include "web/web.h"

/* GET /healthz: 200 {"status":"ok"} when this thread's database handle answers at the
 * schema this binary expects, 503 {"status":"unavailable"} otherwise. */
static enum err_code healthz(struct http_request *req, struct err *e)
{
	int ok = store_schema_version(req->store) == store_schema_latest();
	json_t *doc = json_pack("{s:s}", "status", ok ? "ok" : "unavailable");
	enum err_code rc;

	if (doc == NULL)
		return err_set(e, ERR_INTERNAL, NULL, "cannot build the health document");
	rc = http_reply_json(req, ok ? 200 : 503, doc);
	json_decref(doc);
	return rc;
}

static const struct http_route core_routes[] = {
	{"GET", "/healthz", healthz, 0},
	{NULL, NULL, NULL, 0},
};

/* Add a module's table here (declared extern in its header), before core_routes. */
const struct http_route *const http_route_tables[] = {
	api_session_routes,
	api_establishment_routes,
	api_intervention_routes,
	api_me_routes,
	api_nomenclature_routes,
	api_stats_routes,
	web_routes,
	core_routes,
	NULL,
};

/* Browser paths (outside /api/) get the web interface's French error pages. */
const http_page_error_fn http_page_error = web_router_error;

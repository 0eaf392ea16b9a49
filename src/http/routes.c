/* routes: the list of route tables the server dispatches from, and the layer's own
 * routes (health check, placeholder home page). A module adds its routes by exporting a
 * const array ending with {NULL} and adding it to http_route_tables below. */
#include "http/router.h"

#include "api/api.h"
#include <jansson.h>

#include "store/store.h"
#include "web/html.h"

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

/* GET /: a placeholder home page until the web interface arrives. */
static enum err_code home(struct http_request *req, struct err *e)
{
	struct buf b;
	enum err_code rc;

	buf_init(&b, 64 * 1024);
	if (html_page_begin(&b, "Constat") != ERR_OK ||
	    html_raw(&b, "<main>\n<h1>Constat</h1>\n<p>") != ERR_OK ||
	    html_txt(&b, "Le service fonctionne. L'interface web arrive bientôt.") != ERR_OK ||
	    html_raw(&b, "</p>\n</main>\n") != ERR_OK ||
	    html_page_end(&b) != ERR_OK) {
		buf_release(&b);
		return err_set(e, ERR_INTERNAL, NULL, "the home page passes its size cap");
	}
	rc = http_reply_html(req, 200, &b);
	buf_release(&b);
	return rc;
}

static const struct http_route core_routes[] = {
	{"GET", "/healthz", healthz, 0},
	{"GET", "/", home, 0},
	{NULL, NULL, NULL, 0},
};

/* Add a module's table here (declared extern in its header), before core_routes. */
const struct http_route *const http_route_tables[] = {
	api_session_routes,
	api_establishment_routes,
	api_intervention_routes,
	api_me_routes,
	api_nomenclature_routes,
	core_routes,
	NULL,
};

/* api-stats: the released statistics as JSON (docs/STATISTICS.md). Only frozen release
 * cells are served; a hidden cell is {"dims": {...}, "secret": true}, never a value, and
 * one hidden by design (a small unit's breakdown for a month or the year to date,
 * published for the quarter only) also says "by_quarter": true, which depends only on
 * the unit's size, a public fact; the other reasons are never told per cell.
 * Managers see their own subtree, analysts and administrators everything (national
 * tables); the policy decides (POLICY_STATS_READ). */
#include "stats/api-stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/auth.h"
#include "core/xalloc.h"
#include "store/store-stats.h"

#define MAX_GEO 100000

static json_t *legend(void)
{
	/* the two paragraphs of the dashboards' legend, joined by a space */
	return json_pack("{s:s++, s:{s:s, s:s, s:s, s:s, s:s}}", "secret", stats_legend_secret_fr,
	                 " ", stats_legend_quarter_fr, "reasons", "threshold", "moins de 3 agents",
	                 "dominance", "un ou deux agents prépondérants", "zero",
	                 "zéro dans une unité de moins de 3 agents présents", "secondary",
	                 "masqué pour protéger un autre chiffre", "design",
	                 "ventilation d'une unité de moins de 20 agents présents depuis janvier "
	                 "(d'une région de moins de 40), publiée pour le trimestre seulement");
}

/* Allowed to read statistics at all (scope checked per table). */
static enum err_code require_stats(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct policy_object any = {.in_scope = 1, .national_table = 1};

	return policy_require(&me, POLICY_STATS_READ, &any, NULL, e);
}

static enum err_code catalogue(struct http_request *req, struct err *e)
{
	static const char *const levels[] = {"national", "region", "department", "unit"};
	json_t *tables, *lv;
	enum err_code rc;

	if ((rc = require_stats(req, e)) != ERR_OK)
		return rc;
	tables = json_array();
	lv = json_array();
	for (size_t i = 0; i < 4; i++)
		json_array_append_new(lv, json_string(levels[i]));
	for (size_t i = 0; i < stats_catalogue_len; i++) {
		const struct stats_table *t = &stats_catalogue[i];
		json_t *dims = json_pack("[s, s]", "org", "period");

		if (t->dim != STATS_DIM_NONE)
			json_array_append_new(dims, json_string(stats_dim_name(t->dim)));
		json_array_append_new(tables,
		                      json_pack("{s:s, s:s, s:s, s:o, s:O}", "name", t->name,
		                                "title", t->title, "definition", t->definition,
		                                "dimensions", dims, "levels", lv));
	}
	json_decref(lv);
	return api_reply(req, 200,
	                 json_pack("{s:o, s:[s, s, s], s:o}", "tables", tables, "periods",
	                           "YYYY-MM (mois)", "YYYY-CMM (cumul depuis janvier)",
	                           "YYYY-QN (trimestre)", "legend", legend()),
	                 e);
}

static int release_row(void *ctx, const struct store_stats_release *r)
{
	json_array_append_new(ctx,
	                      json_pack("{s:I, s:s, s:i, s:s}", "id", (json_int_t)r->id, "month",
	                                r->month, "version", r->version, "date", r->created_at));
	return 0;
}

static enum err_code releases(struct http_request *req, struct err *e)
{
	json_t *list;
	enum err_code rc;

	if ((rc = require_stats(req, e)) != ERR_OK)
		return rc;
	list = json_array();
	if ((rc = store_stats_release_each(req->store, NULL, 0, release_row, list, e)) != ERR_OK) {
		json_decref(list);
		return rc;
	}
	return api_reply(req, 200, json_pack("{s:o}", "releases", list), e);
}

/* ---- One table of one release ---------------------------------------------------------- */

struct geo_list {
	char **code;
	int *parent;
	char **parent_code;
	int *level;
	size_t n;
	int too_many;
};

static int geo_row(void *ctx, const struct store_stats_geo *g)
{
	struct geo_list *l = ctx;

	if (l->n >= MAX_GEO) {
		l->too_many = 1;
		return 1;
	}
	l->code = xrealloc(l->code, (l->n + 1) * sizeof *l->code);
	l->parent_code = xrealloc(l->parent_code, (l->n + 1) * sizeof *l->parent_code);
	l->level = xrealloc(l->level, (l->n + 1) * sizeof *l->level);
	l->code[l->n] = xstrdup(g->code);
	l->parent_code[l->n] = g->parent ? xstrdup(g->parent) : NULL;
	l->level[l->n] = strcmp(g->level, "national") == 0 ? 0 : 1;
	l->n++;
	return 0;
}

static void geo_free(struct geo_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->code[i]);
		free(l->parent_code[i]);
	}
	free(l->code);
	free(l->parent_code);
	free(l->level);
	free(l->parent);
}

static int geo_find(const struct geo_list *l, const char *code)
{
	if (code == NULL)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->code[i], code) == 0)
			return (int)i;
	return -1;
}

/* 1 when unit g is root or below it. */
static int below(const struct geo_list *l, int g, int root)
{
	for (int depth = 0; g >= 0 && depth < 16; depth++) {
		if (g == root)
			return 1;
		g = l->parent[g];
	}
	return 0;
}

struct cells_ctx {
	const char *table;
	const char *dim;    /* breakdown name or "" */
	const char *period; /* filter, or NULL */
	const struct geo_list *geo;
	int root;
	json_t *cells;
	size_t n;
};

static int cell_row(void *ctx, const struct store_stats_cell *c)
{
	struct cells_ctx *x = ctx;
	json_t *dims, *cell;

	if (strcmp(c->tbl, x->table) != 0 || strcmp(c->status, "delta") == 0)
		return 0;
	if (x->period && strcmp(c->period, x->period) != 0)
		return 0;
	if (!below(x->geo, geo_find(x->geo, c->geo), x->root))
		return 0;
	dims = json_pack("{s:s, s:s}", "org", c->geo, "period", c->period);
	if (x->dim[0])
		json_object_set_new(dims, x->dim, json_string(c->cat));
	if (strcmp(c->status, "published") == 0)
		cell = json_pack("{s:o, s:I}", "dims", dims, "value", (json_int_t)c->value);
	else if (c->reason && strcmp(c->reason, stats_reason_name(STATS_R_DESIGN)) == 0)
		cell = json_pack("{s:o, s:b, s:b}", "dims", dims, "secret", 1, "by_quarter", 1);
	else
		cell = json_pack("{s:o, s:b}", "dims", dims, "secret", 1);
	json_array_append_new(x->cells, cell);
	x->n++;
	return 0;
}

struct find_ctx {
	int64_t id;
	json_t *release;
};

static int find_release(void *ctx, const struct store_stats_release *r)
{
	struct find_ctx *f = ctx;

	if (r->id != f->id)
		return 0;
	f->release = json_pack("{s:I, s:s, s:i, s:s}", "id", (json_int_t)r->id, "month", r->month,
	                       "version", r->version, "date", r->created_at);
	return 1;
}

static enum err_code table_cells(struct http_request *req, struct err *e)
{
	const struct store_principal *p = auth_user(req);
	struct policy_subject me = auth_subject(req);
	struct policy_object obj = {0};
	const char *id_s = http_param(req, "id"), *name = http_param(req, "table");
	const char *scope = NULL, *period = NULL;
	struct geo_list geo = {0};
	struct find_ctx fc = {0};
	struct cells_ctx cc = {0};
	char own[64] = "";
	int t, own_g = -1, root;
	char *end;
	enum err_code rc;

	if ((rc = require_stats(req, e)) != ERR_OK)
		return rc;
	fc.id = id_s ? strtoll(id_s, &end, 10) : 0;
	if (id_s == NULL || *id_s == '\0' || *end != '\0' || fc.id < 1)
		return err_set(e, ERR_INVALID, "id", "expected a release id (a number)");
	if ((t = stats_table_find(name ? name : "")) < 0)
		return err_set(e, ERR_NOT_FOUND, "table", "no table named \"%s\" in the catalogue",
		               name ? name : "");
	if ((rc = http_query_single(req, "scope", &scope, e)) != ERR_OK ||
	    (rc = http_query_single(req, "period", &period, e)) != ERR_OK)
		return rc;
	if ((rc = store_stats_geo_each(req->store, geo_row, &geo, e)) != ERR_OK)
		goto out;
	if (geo.too_many) {
		rc = err_set(e, ERR_TOO_BIG, "scope", "the organisation is too large");
		goto out;
	}
	geo.parent = xcalloc(geo.n + 1, sizeof *geo.parent);
	for (size_t i = 0; i < geo.n; i++)
		geo.parent[i] = geo_find(&geo, geo.parent_code[i]);
	/* the subject's own unit (national when none) */
	if (p && p->scope_unit_id > 0) {
		if ((rc = store_stats_unit_code(req->store, p->scope_unit_id, own, sizeof own,
		                                e)) != ERR_OK)
			goto out;
		own_g = geo_find(&geo, own);
	}
	if (own_g < 0)
		for (size_t i = 0; i < geo.n; i++)
			if (geo.level[i] == 0 && (p == NULL || p->scope_unit_id <= 0))
				own_g = (int)i;
	root = scope ? geo_find(&geo, scope) : own_g;
	if (root < 0) {
		rc = err_set(e, ERR_INVALID, "scope",
		             "expected the code of an organisation unit "
		             "(FR, R53, D35, UC35-02...)");
		goto out;
	}
	obj.in_scope = own_g >= 0 && below(&geo, root, own_g);
	obj.national_table = geo.level[root] == 0;
	if ((rc = policy_require(&me, POLICY_STATS_READ, &obj, NULL, e)) != ERR_OK)
		goto out;
	if ((rc = store_stats_release_each(req->store, NULL, 0, find_release, &fc, e)) != ERR_OK)
		goto out;
	if (fc.release == NULL) {
		rc = err_set(e, ERR_NOT_FOUND, "id", "no release %" PRId64, fc.id);
		goto out;
	}
	cc = (struct cells_ctx){.table = stats_catalogue[t].name,
	                        .dim = stats_dim_name(stats_catalogue[t].dim),
	                        .period = period,
	                        .geo = &geo,
	                        .root = root,
	                        .cells = json_array()};
	rc = store_stats_cells_each(req->store, fc.id, cell_row, &cc, e);
	if (rc != ERR_OK) {
		json_decref(cc.cells);
		json_decref(fc.release);
		goto out;
	}
	rc = api_reply(req, 200,
	               json_pack("{s:o, s:{s:s, s:s, s:s}, s:s, s:o, s:o}", "release", fc.release,
	                         "table", "name", stats_catalogue[t].name, "title",
	                         stats_catalogue[t].title, "definition",
	                         stats_catalogue[t].definition, "scope", geo.code[root], "cells",
	                         cc.cells, "legend", legend()),
	               e);
out:
	geo_free(&geo);
	return rc;
}

const struct http_route api_stats_routes[] = {
    {"GET", "/api/v1/stats/catalogue", catalogue, HTTP_ROUTE_AUTH},
    {"GET", "/api/v1/stats/releases", releases, HTTP_ROUTE_AUTH},
    {"GET", "/api/v1/stats/releases/{id}/tables/{table}", table_cells, HTTP_ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};

/* api-nomenclatures: GET /api/v1/nomenclatures: themes (two levels), intervention kinds,
 * follow-up kinds, and the priority actions running today in the caller's region with
 * their control points: what a form or a script needs to fill an intervention. */
#include "api/api.h"
#include "api/auth.h"

#include "core/date.h"

static int nom_row(void *ctx, const struct nomenclature_item *it)
{
	json_t *arr = ctx;
	json_t *o = json_pack("{s:o, s:o}", "code", api_str(it->code), "label", api_str(it->label));

	if (o && it->parent)
		json_object_set_new(o, "parent", api_str(it->parent));
	if (o)
		json_array_append_new(arr, o);
	return 0;
}

static int kind_row(void *ctx, const struct nomenclature_item *it)
{
	json_array_append_new(ctx, json_pack("{s:o, s:o, s:b}", "code", api_str(it->code), "label",
	                                     api_str(it->label), "flag", it->flag));
	return 0;
}

static int action_row(void *ctx, const struct priority_action *a, const int64_t *cp_ids)
{
	json_t *cps = json_array(), *themes = json_array();

	for (size_t i = 0; i < a->n_control_points; i++)
		json_array_append_new(cps, json_pack("{s:I, s:o}", "id", (json_int_t)cp_ids[i], "label",
		                                     api_str(a->control_points[i])));
	for (size_t i = 0; i < a->n_themes; i++)
		json_array_append_new(themes, api_str(a->themes[i]));
	json_array_append_new(ctx, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
	                                     (json_int_t)a->id, "code", api_str(a->code), "title",
	                                     api_str(a->title), "scope", api_str(a->scope),
	                                     "start_date", api_str(a->start_date), "end_date",
	                                     api_str(a->end_date), "themes", themes,
	                                     "control_points", cps));
	return 0;
}

static enum err_code nomenclatures(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	json_t *themes = json_array(), *kinds = json_array(), *fks = json_array();
	json_t *actions = json_array();
	char today[DATE_ISO_LEN];
	enum err_code rc;

	date_format(date_today(), today);
	rc = store_nomenclature_each(req->store, STORE_NOM_THEME, nom_row, themes, e);
	if (rc == ERR_OK)
		rc = store_nomenclature_each(req->store, STORE_NOM_INTERVENTION_KIND, kind_row, kinds,
		                             e);
	if (rc == ERR_OK)
		rc = store_nomenclature_each(req->store, STORE_NOM_FOLLOWUP_KIND, kind_row, fks, e);
	if (rc == ERR_OK)
		rc = store_priority_actions_running(req->store, today,
		                                    me.region_code ? me.region_code : "", action_row,
		                                    actions, e);
	if (rc != ERR_OK) {
		json_decref(themes);
		json_decref(kinds);
		json_decref(fks);
		json_decref(actions);
		return rc;
	}
	return api_reply(req, 200,
	                 json_pack("{s:o, s:o, s:o, s:o}", "themes", themes, "intervention_kinds",
	                           kinds, "followup_kinds", fks, "priority_actions", actions),
	                 e);
}

const struct http_route api_nomenclature_routes[] = {
	{"GET", "/api/v1/nomenclatures", nomenclatures, HTTP_ROUTE_AUTH},
	{NULL, NULL, NULL, 0},
};

/* api-interventions: POST, GET, PATCH /api/v1/interventions and their follow-ups. Every
 * value is validated (domain/validate.h) and every reference checked before anything is
 * written, so that an error names its field and nothing is written in part. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/num.h"
#include "api/auth.h"
#include "api/case.h"
#include "core/date.h"

static struct api_config config = {.edit_window_days = 7};

void api_configure(const struct api_config *c)
{
	config = *c;
	case_set_edit_window(c->edit_window_days);
}

const struct api_config *api_config(void)
{
	return &config;
}

/* ---- JSON out ---------------------------------------------------------------------- */

static json_t *followup_json(const struct followup *f)
{
	json_t *prov = json_array();

	for (size_t i = 0; i < f->n_provisions; i++)
		json_array_append_new(prov, api_str(f->provisions[i]));
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)f->id, "kind",
	                 api_str(f->kind), "date", api_str(f->date), "status", api_str(f->status),
	                 "provisions", prov);
}

json_t *api_intervention_json(const struct intervention_rec *r)
{
	const struct intervention *iv = &r->iv;
	json_t *themes = json_array(), *co = json_array(), *cps = json_array();
	json_t *fus = json_array(), *acc = json_array(), *dis = json_array(), *j;

	for (size_t i = 0; i < iv->n_themes; i++)
		json_array_append_new(themes, api_str(iv->themes[i]));
	for (size_t i = 0; i < iv->n_co_agents; i++)
		json_array_append_new(co, json_pack("{s:I, s:o}", "id", (json_int_t)iv->co_agents[i],
		                                    "name", api_str(r->co_agent_names[i])));
	for (size_t i = 0; i < iv->n_checkpoints; i++)
		json_array_append_new(cps, json_pack("{s:I, s:o}", "control_point_id",
		                                     (json_int_t)iv->checkpoints[i].control_point_id,
		                                     "state", api_str(iv->checkpoints[i].state)));
	for (size_t i = 0; i < iv->n_followups; i++)
		json_array_append_new(fus, followup_json(&iv->followups[i]));
	for (size_t i = 0; i < iv->n_accidents; i++)
		json_array_append_new(acc, json_pack("{s:o, s:o, s:i}", "date",
		                                     api_str(iv->accidents[i].date), "severity",
		                                     api_str(iv->accidents[i].severity), "victims",
		                                     iv->accidents[i].victims));
	for (size_t i = 0; i < iv->n_diseases; i++)
		json_array_append_new(dis, json_pack("{s:o, s:o, s:i}", "date",
		                                     api_str(iv->diseases[i].date), "table_number",
		                                     api_str(iv->diseases[i].table_number), "victims",
		                                     iv->diseases[i].victims));
	j = json_pack("{s:I, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:{s:I, s:o, s:o}, s:o, s:o, "
	              "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	              "id", (json_int_t)iv->id, "date", api_str(iv->date), "kind", api_str(iv->kind),
	              "kind_label", api_str(r->kind_label), "on_site", iv->on_site,
	              "siret", api_str(iv->siret),
	              "worksite_id", iv->worksite_id ? json_integer(iv->worksite_id) : json_null(),
	              "target_name", api_str(r->target_name),
	              "author", "id", (json_int_t)iv->author_id, "login", api_str(r->author_login),
	              "name", api_str(r->author_name),
	              "co_agents", co, "themes", themes,
	              "priority_action_id",
	              iv->priority_action_id ? json_integer(iv->priority_action_id) : json_null(),
	              "priority_action_code", api_str(r->priority_action_code),
	              "checkpoints", cps, "note", api_str(iv->note), "status", api_str(iv->status),
	              "followups", fus, "accidents", acc, "diseases", dis);
	if (j) {
		json_object_set_new(j, "created_at", api_str(iv->created_at));
		json_object_set_new(j, "updated_at", api_str(r->updated_at));
	}
	return j;
}

/* ---- JSON in ----------------------------------------------------------------------- */

static const char *const intervention_fields[] = {
	"date", "kind", "on_site", "siret", "worksite_id", "co_agents", "themes",
	"priority_action_id", "checkpoints", "note", "status", "followups", "accidents",
	"diseases", NULL,
};
static const char *const followup_fields[] = {"kind", "date", "status", "provisions", NULL};
static const char *const checkpoint_fields[] = {"control_point_id", "state", NULL};
static const char *const accident_fields[] = {"date", "severity", "victims", NULL};
static const char *const disease_fields[] = {"date", "table_number", "victims", NULL};

/* The name "list[i]" in the arena. */
static const char *item_name(struct http_request *req, const char *list, size_t i)
{
	char *s = http_alloc(req, 48);

	snprintf(s, 48, "%s[%zu]", list, i);
	return s;
}

/* The array member name of obj (NULL when absent), at most max items, each an object. */
static enum err_code get_objects(struct http_request *req, const json_t *obj, const char *name,
                                 size_t max, const json_t **arr, struct err *e)
{
	const json_t *v = json_object_get(obj, name);

	*arr = NULL;
	if (v == NULL || json_is_null(v))
		return ERR_OK;
	if (!json_is_array(v))
		return err_set(e, ERR_INVALID, name, "expected a list");
	if (json_array_size(v) > max)
		return err_set(e, ERR_INVALID, name, "expected at most %zu items", max);
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_object(json_array_get(v, i)))
			return err_set(e, ERR_INVALID, item_name(req, name, i), "expected an object");
	*arr = v;
	return ERR_OK;
}

static enum err_code parse_followup(struct http_request *req, const json_t *o, const char *prefix,
                                    struct followup *f, struct err *e)
{
	enum err_code rc;

	memset(f, 0, sizeof *f);
	f->status = "draft";
	if ((rc = api_only_fields(req, o, prefix, followup_fields, e)) != ERR_OK ||
	    (rc = api_get_string(req, o, prefix, "kind", 1, &f->kind, e)) != ERR_OK ||
	    (rc = api_get_string(req, o, prefix, "date", 1, &f->date, e)) != ERR_OK ||
	    (rc = api_get_string(req, o, prefix, "status", 0, &f->status, e)) != ERR_OK ||
	    (rc = api_get_strings(req, o, prefix, "provisions", 30, &f->provisions,
	                          &f->n_provisions, e)) != ERR_OK)
		return rc;
	if (f->status == NULL)
		f->status = "draft";
	return ERR_OK;
}

/* Reads the members present in obj into iv (a PATCH keeps what is absent). Co-agents
 * are logins, turned into ids. */
static enum err_code parse_intervention(struct http_request *req, const json_t *obj,
                                        struct intervention *iv, struct err *e)
{
	const json_t *arr;
	enum err_code rc;
	const char *s;

	if ((rc = api_only_fields(req, obj, NULL, intervention_fields, e)) != ERR_OK)
		return rc;
	if ((rc = api_get_string(req, obj, NULL, "date", 0, &s, e)) != ERR_OK)
		return rc;
	iv->date = s ? s : iv->date;
	if ((rc = api_get_string(req, obj, NULL, "kind", 0, &s, e)) != ERR_OK)
		return rc;
	iv->kind = s ? s : iv->kind;
	if ((rc = api_get_bool(req, obj, NULL, "on_site", &iv->on_site, e)) != ERR_OK)
		return rc;
	if (json_object_get(obj, "siret")) {
		if ((rc = api_get_string(req, obj, NULL, "siret", 0, &iv->siret, e)) != ERR_OK)
			return rc;
		if (iv->siret)
			iv->worksite_id = 0;
	}
	if (json_object_get(obj, "worksite_id")) {
		int64_t w = 0;

		if ((rc = api_get_int(req, obj, NULL, "worksite_id", 1, INT64_MAX, &w, e)) != ERR_OK)
			return rc;
		iv->worksite_id = w;
		if (w)
			iv->siret = NULL;
	}
	if (json_object_get(obj, "priority_action_id")) {
		iv->priority_action_id = 0;
		if ((rc = api_get_int(req, obj, NULL, "priority_action_id", 1, INT64_MAX,
		                      &iv->priority_action_id, e)) != ERR_OK)
			return rc;
	}
	if ((rc = api_get_string(req, obj, NULL, "note", 0, &s, e)) != ERR_OK)
		return rc;
	iv->note = s ? s : iv->note;
	if ((rc = api_get_string(req, obj, NULL, "status", 0, &s, e)) != ERR_OK)
		return rc;
	iv->status = s ? s : iv->status;
	if (json_object_get(obj, "themes") &&
	    (rc = api_get_strings(req, obj, NULL, "themes", 20, &iv->themes, &iv->n_themes, e)) !=
	        ERR_OK)
		return rc;
	if (json_object_get(obj, "co_agents")) {
		const char *const *logins;
		size_t n;
		int64_t *ids;

		if ((rc = api_get_strings(req, obj, NULL, "co_agents", 20, &logins, &n, e)) != ERR_OK)
			return rc;
		ids = http_alloc(req, (n + 1) * sizeof *ids);
		for (size_t i = 0; i < n; i++) {
			if (store_control_agent_id(req->store, logins[i], &ids[i], NULL) != ERR_OK)
				return err_set(e, ERR_INVALID, item_name(req, "co_agents", i),
				               "no control agent with this login");
		}
		iv->co_agents = ids;
		iv->n_co_agents = n;
	}
	if ((rc = get_objects(req, obj, "checkpoints", 50, &arr, e)) != ERR_OK)
		return rc;
	if (arr) {
		struct checkpoint_state *cps = http_alloc(req, (json_array_size(arr) + 1) * sizeof *cps);

		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *o = json_array_get(arr, i);
			const char *p = item_name(req, "checkpoints", i);

			if ((rc = api_only_fields(req, o, p, checkpoint_fields, e)) != ERR_OK ||
			    (rc = api_get_int(req, o, p, "control_point_id", 1, INT64_MAX,
			                      &cps[i].control_point_id, e)) != ERR_OK ||
			    (rc = api_get_string(req, o, p, "state", 1, &cps[i].state, e)) != ERR_OK)
				return rc;
			if (cps[i].control_point_id == 0)
				return err_set(e, ERR_INVALID, api_field(req, p, "control_point_id"),
				               "is required");
		}
		iv->checkpoints = cps;
		iv->n_checkpoints = json_array_size(arr);
	}
	if ((rc = get_objects(req, obj, "followups", 20, &arr, e)) != ERR_OK)
		return rc;
	if (arr) {
		struct followup *fus = http_alloc(req, (json_array_size(arr) + 1) * sizeof *fus);

		for (size_t i = 0; i < json_array_size(arr); i++)
			if ((rc = parse_followup(req, json_array_get(arr, i), item_name(req, "followups", i),
			                         &fus[i], e)) != ERR_OK)
				return rc;
		iv->followups = fus;
		iv->n_followups = json_array_size(arr);
	}
	if ((rc = get_objects(req, obj, "accidents", 20, &arr, e)) != ERR_OK)
		return rc;
	if (arr) {
		struct accident *acc = http_alloc(req, (json_array_size(arr) + 1) * sizeof *acc);

		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *o = json_array_get(arr, i);
			const char *p = item_name(req, "accidents", i);
			int64_t v = 1;

			if ((rc = api_only_fields(req, o, p, accident_fields, e)) != ERR_OK ||
			    (rc = api_get_string(req, o, p, "date", 1, &acc[i].date, e)) != ERR_OK ||
			    (rc = api_get_string(req, o, p, "severity", 1, &acc[i].severity, e)) != ERR_OK ||
			    (rc = api_get_int(req, o, p, "victims", 1, 10000, &v, e)) != ERR_OK)
				return rc;
			acc[i].victims = (int)v;
		}
		iv->accidents = acc;
		iv->n_accidents = json_array_size(arr);
	}
	if ((rc = get_objects(req, obj, "diseases", 20, &arr, e)) != ERR_OK)
		return rc;
	if (arr) {
		struct disease *dis = http_alloc(req, (json_array_size(arr) + 1) * sizeof *dis);

		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *o = json_array_get(arr, i);
			const char *p = item_name(req, "diseases", i);
			int64_t v = 1;

			if ((rc = api_only_fields(req, o, p, disease_fields, e)) != ERR_OK ||
			    (rc = api_get_string(req, o, p, "date", 1, &dis[i].date, e)) != ERR_OK ||
			    (rc = api_get_string(req, o, p, "table_number", 1, &dis[i].table_number, e)) !=
			        ERR_OK ||
			    (rc = api_get_int(req, o, p, "victims", 1, 10000, &v, e)) != ERR_OK)
				return rc;
			dis[i].victims = (int)v;
		}
		iv->diseases = dis;
		iv->n_diseases = json_array_size(arr);
	}
	return ERR_OK;
}

/* ---- Handlers ---------------------------------------------------------------------- */

static enum err_code create(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention iv = {.status = "final", .note = ""};
	char day[DATE_ISO_LEN], location[64];
	enum err_code rc;
	json_t *body;
	int64_t iid = 0;
	int on_site_given;

	if ((rc = policy_require(&me, POLICY_CASE_CREATE, NULL, NULL, e)) != ERR_OK)
		return rc;
	if ((rc = api_body_object(req, &body, e)) != ERR_OK)
		return rc;
	iv.date = date_format(date_today(), day);
	on_site_given = json_object_get(body, "on_site") != NULL;
	rc = parse_intervention(req, body, &iv, e);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	/* Without an explicit on_site, the kind's usual answer: a control on site and an
	 * accident inquiry are visits. */
	if (!on_site_given && iv.kind)
		iv.on_site = strcmp(iv.kind, "controle_site") == 0 || strcmp(iv.kind, "enquete_at") == 0;
	if ((rc = case_create(req->store, &me, &iv, &iid, e)) != ERR_OK)
		return rc;
	snprintf(location, sizeof location, "/api/v1/interventions/%lld", (long long)iid);
	http_set_header(req, "Location", location);
	return api_reply(req, 201, json_pack("{s:I}", "id", (json_int_t)iid), e);
}

/* The {name} capture as a positive number, or ERR_NOT_FOUND naming field. */
static enum err_code id_param(struct http_request *req, const char *name, const char *field,
                              int64_t *id, struct err *e)
{
	*id = 0;
	if (num_parse(http_param(req, name), 1, INT64_MAX, id) != 0)
		return err_set(e, ERR_NOT_FOUND, field, "expected a positive number");
	return ERR_OK;
}

static enum err_code get_one(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r;
	struct arena a;
	enum err_code rc;
	int64_t id;

	if ((rc = id_param(req, "id", "id", &id, e)) != ERR_OK)
		return rc;
	arena_init(&a, 4u << 20);
	rc = case_read(req->store, &me, id, &a, &r, e);
	if (rc == ERR_OK)
		rc = api_reply(req, 200, api_intervention_json(&r), e);
	arena_release(&a);
	return rc;
}

static enum err_code patch(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r, after;
	struct intervention iv;
	struct arena a;
	json_t *body = NULL;
	enum err_code rc;
	int64_t id;
	int late = 0;

	if ((rc = id_param(req, "id", "id", &id, e)) != ERR_OK)
		return rc;
	arena_init(&a, 4u << 20);
	if ((rc = case_read_for_edit(req->store, &me, id, &a, &r, &late, e)) != ERR_OK ||
	    (rc = api_body_object(req, &body, e)) != ERR_OK)
		goto out;
	if (json_object_get(body, "followups") || json_object_get(body, "accidents") ||
	    json_object_get(body, "diseases")) {
		rc = err_set(e, ERR_INVALID, json_object_get(body, "followups") ? "followups"
		                             : json_object_get(body, "accidents") ? "accidents"
		                                                                  : "diseases",
		             "change follow-ups through /api/v1/interventions/{id}/followups");
		goto out;
	}
	iv = r.iv;
	if ((rc = parse_intervention(req, body, &iv, e)) != ERR_OK ||
	    (rc = case_update(req->store, &me, &r, late, &iv, e)) != ERR_OK)
		goto out;
	if ((rc = store_intervention_get(req->store, id, &a, &after, e)) == ERR_OK)
		rc = api_reply(req, 200, api_intervention_json(&after), e);
out:
	json_decref(body);
	arena_release(&a);
	return rc;
}

static enum err_code followups_list(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r;
	struct arena a;
	enum err_code rc;
	json_t *list;
	int64_t id;

	if ((rc = id_param(req, "id", "id", &id, e)) != ERR_OK)
		return rc;
	arena_init(&a, 4u << 20);
	rc = case_read(req->store, &me, id, &a, &r, e);
	if (rc == ERR_OK) {
		list = json_array();
		for (size_t i = 0; i < r.iv.n_followups; i++)
			json_array_append_new(list, followup_json(&r.iv.followups[i]));
		rc = api_reply(req, 200, json_pack("{s:o}", "followups", list), e);
	}
	arena_release(&a);
	return rc;
}

/* POST (new follow-up, fid 0) and PATCH (follow-up {fid}) share this. */
static enum err_code followup_write(struct http_request *req, int64_t fid, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r;
	struct followup f;
	struct arena a;
	json_t *body = NULL;
	enum err_code rc;
	int64_t id, new_id = 0;
	int late = 0;

	if ((rc = id_param(req, "id", "id", &id, e)) != ERR_OK)
		return rc;
	arena_init(&a, 4u << 20);
	if ((rc = case_read_for_edit(req->store, &me, id, &a, &r, &late, e)) != ERR_OK ||
	    (rc = api_body_object(req, &body, e)) != ERR_OK ||
	    (rc = parse_followup(req, body, NULL, &f, e)) != ERR_OK ||
	    (rc = case_followup_write(req->store, &me, &r, late, &f, fid, &new_id, e)) != ERR_OK)
		goto out;
	rc = api_reply(req, fid ? 200 : 201,
	               json_pack("{s:I}", "id", (json_int_t)(fid ? fid : new_id)), e);
out:
	json_decref(body);
	arena_release(&a);
	return rc;
}

static enum err_code followup_create(struct http_request *req, struct err *e)
{
	return followup_write(req, 0, e);
}

static enum err_code followup_patch(struct http_request *req, struct err *e)
{
	enum err_code rc;
	int64_t fid;

	if ((rc = id_param(req, "fid", "followup_id", &fid, e)) != ERR_OK)
		return rc;
	return followup_write(req, fid, e);
}

const struct http_route api_intervention_routes[] = {
	{"POST", "/api/v1/interventions", create, HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF},
	{"GET", "/api/v1/interventions/{id}", get_one, HTTP_ROUTE_AUTH},
	{"PATCH", "/api/v1/interventions/{id}", patch, HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF},
	{"GET", "/api/v1/interventions/{id}/followups", followups_list, HTTP_ROUTE_AUTH},
	{"POST", "/api/v1/interventions/{id}/followups", followup_create,
	 HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF},
	{"PATCH", "/api/v1/interventions/{id}/followups/{fid}", followup_patch,
	 HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF},
	{NULL, NULL, NULL, 0},
};

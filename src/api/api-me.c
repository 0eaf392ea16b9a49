/* api-me: GET /api/v1/me/activity?month=YYYY-MM|year=YYYY[&format=csv]: the caller's own
 * activity (the CREMA) for a month or a year. Readable by that agent alone (policy.c);
 * there is deliberately no way to ask for another agent's. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "api/auth.h"
#include "core/csv.h"
#include "core/date.h"

/* Parses "YYYY-MM" into the first and last day of that month. */
static enum err_code month_bounds(const char *m, char from[DATE_ISO_LEN], char to[DATE_ISO_LEN],
                                  struct err *e)
{
	char first[DATE_ISO_LEN + 3];
	int32_t d;
	int y, mo, dd;

	if (strlen(m) != 7 || m[4] != '-')
		return err_set(e, ERR_INVALID, "month", "expected a month as YYYY-MM");
	snprintf(first, sizeof first, "%s-01", m);
	if (date_parse(first, &d) != 0)
		return err_set(e, ERR_INVALID, "month", "expected a month as YYYY-MM");
	date_format(d, from);
	date_to_ymd(d, &y, &mo, &dd);
	date_format(d + date_days_in_month(y, mo) - 1, to);
	return ERR_OK;
}

/* Parses "YYYY" into its first and last day. */
static enum err_code year_bounds(const char *y, char from[DATE_ISO_LEN], char to[DATE_ISO_LEN],
                                 struct err *e)
{
	char first[DATE_ISO_LEN + 6];
	int32_t d;
	int yy, mo, dd;

	snprintf(first, sizeof first, "%s-01-01", y);
	if (strlen(y) != 4 || date_parse(first, &d) != 0)
		return err_set(e, ERR_INVALID, "year", "expected a year as YYYY (1900 to 2999)");
	date_format(d, from);
	date_to_ymd(d, &yy, &mo, &dd);
	date_format(date_from_ymd(yy, 12, 31), to);
	return ERR_OK;
}

/* The period asked: exactly one of month=YYYY-MM and year=YYYY, each at most once. *name
 * gets "month" or "year", *value its value (borrowed from the request). */
static enum err_code period_bounds(struct http_request *req, const char **name,
                                   const char **value, char from[DATE_ISO_LEN],
                                   char to[DATE_ISO_LEN], struct err *e)
{
	const char *month = NULL, *year = NULL;
	enum err_code rc;

	if ((rc = http_query_single(req, "month", &month, e)) != ERR_OK ||
	    (rc = http_query_single(req, "year", &year, e)) != ERR_OK)
		return rc;
	if (month && year)
		return err_set(e, ERR_INVALID, "year", "give month=YYYY-MM or year=YYYY, not both");
	if (month == NULL && year == NULL)
		return err_set(e, ERR_INVALID, "month", "expected month=YYYY-MM or year=YYYY");
	*name = month ? "month" : "year";
	*value = month ? month : year;
	return month ? month_bounds(month, from, to, e) : year_bounds(year, from, to, e);
}

struct activity {
	json_t *counts;      /* {dimension: [{code, label, n}]} */
	json_t *list;
	FILE *csv;
	enum err_code rc;
};

static int count_row(void *ctx, const struct store_activity_row *r)
{
	struct activity *a = ctx;
	json_t *arr = json_object_get(a->counts, r->dimension);

	if (strcmp(r->dimension, "total") == 0 || strcmp(r->dimension, "on_site") == 0 ||
	    strcmp(r->dimension, "action_unchecked") == 0) {
		json_object_set_new(a->counts, r->dimension, json_integer(r->n));
		return 0;
	}
	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(a->counts, r->dimension, arr);
	}
	json_array_append_new(arr, json_pack("{s:o, s:o, s:I}", "code", api_str(r->code), "label",
	                                     api_str(r->label), "n", (json_int_t)r->n));
	return 0;
}

/* One CSV line per intervention: themes and follow-up kinds joined with "|". */
static int csv_row(void *ctx, const struct intervention_rec *r)
{
	struct activity *a = ctx;
	char ws[24], fu_buf[1024] = "", th_buf[1024] = "";
	size_t fl = 0, tl = 0;
	const char *f[10];

	for (size_t i = 0; i < r->iv.n_themes && tl < sizeof th_buf; i++)
		tl += (size_t)snprintf(th_buf + tl, sizeof th_buf - tl, "%s%s", i ? "|" : "",
		                       r->iv.themes[i]);
	for (size_t i = 0; i < r->iv.n_followups && fl < sizeof fu_buf; i++)
		fl += (size_t)snprintf(fu_buf + fl, sizeof fu_buf - fl, "%s%s", i ? "|" : "",
		                       r->iv.followups[i].kind);
	snprintf(ws, sizeof ws, "%lld", (long long)r->iv.worksite_id);
	f[0] = r->iv.date;
	f[1] = r->iv.kind;
	f[2] = r->iv.on_site ? "1" : "0";
	f[3] = r->iv.siret;
	f[4] = r->iv.worksite_id ? ws : NULL;
	f[5] = r->target_name;
	f[6] = th_buf;
	f[7] = r->priority_action_code;
	f[8] = fu_buf;
	f[9] = r->iv.status;
	if (csv_write_row(a->csv, f, 10) != ERR_OK) {
		a->rc = ERR_IO;
		return 1;
	}
	return 0;
}

static int list_row(void *ctx, const struct intervention_rec *r)
{
	struct activity *a = ctx;

	json_array_append_new(a->list, api_intervention_json(r));
	return 0;
}

static enum err_code activity(struct http_request *req, struct err *e)
{
	static const char *const header[] = {"date", "kind", "on_site", "siret", "worksite",
	                                     "target", "themes", "priority_action", "followups",
	                                     "status"};
	struct policy_subject me = auth_subject(req);
	struct policy_object mine = {.owner_id = me.agent_id};
	const char *pname = NULL, *pvalue = NULL, *format = NULL;
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
	struct activity a = {0};
	enum err_code rc;

	if ((rc = policy_require(&me, POLICY_OWN_ACTIVITY, &mine, NULL, e)) != ERR_OK ||
	    (rc = period_bounds(req, &pname, &pvalue, from, to, e)) != ERR_OK ||
	    (rc = http_query_single(req, "format", &format, e)) != ERR_OK)
		return rc;
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return err_set(e, ERR_INVALID, "format", "expected json or csv");
	if (format && strcmp(format, "csv") == 0) {
		char *data = NULL, disp[96];
		size_t len = 0;

		if ((a.csv = open_memstream(&data, &len)) == NULL)
			return err_set(e, ERR_INTERNAL, NULL, "cannot build the CSV");
		a.rc = csv_write_row(a.csv, header, 10);
		if (a.rc == ERR_OK)
			rc = store_agent_interventions(req->store, me.agent_id, from, to, csv_row, &a, e);
		fclose(a.csv);
		if (rc == ERR_OK && a.rc != ERR_OK)
			rc = err_set(e, ERR_INTERNAL, NULL, "cannot build the CSV");
		if (rc == ERR_OK)
			rc = store_audit_append(req->store, me.agent_id, "export.activity", pname,
			                        pvalue, me.agent_id, "csv", e);
		if (rc == ERR_OK) {
			snprintf(disp, sizeof disp, "attachment; filename=\"activite-%s.csv\"", pvalue);
			rc = http_reply(req, 200, "text/csv; charset=utf-8", data, len);
			http_set_header(req, "Content-Disposition", disp);
		}
		free(data);
		return rc;
	}
	a.counts = json_object();
	a.list = json_array();
	rc = store_agent_activity_counts(req->store, me.agent_id, from, to, count_row, &a, e);
	if (rc == ERR_OK)
		rc = store_agent_interventions(req->store, me.agent_id, from, to, list_row, &a, e);
	if (rc != ERR_OK) {
		json_decref(a.counts);
		json_decref(a.list);
		return rc;
	}
	return api_reply(req, 200,
	                 json_pack("{s:s, s:s, s:s, s:o, s:o}", pname, pvalue, "from", from, "to",
	                           to, "counts", a.counts, "interventions", a.list),
	                 e);
}

static int access_row(void *ctx, const struct store_access *a)
{
	json_array_append_new(ctx, json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o}}", "at",
	                                     api_str(a->at), "intervention_id",
	                                     api_str(a->intervention_id), "intervention_date",
	                                     api_str(a->intervention_date), "siret", api_str(a->siret),
	                                     "reader", "name", api_str(a->reader_name), "unit",
	                                     api_str(a->reader_unit)));
	return 0;
}

/* GET /api/v1/me/reads: "qui a consulté mes dossiers", the caller's alone. */
static enum err_code reads(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct policy_object mine = {.owner_id = me.agent_id};
	const char *lim = NULL;
	enum err_code rc;
	json_t *list;
	int64_t limit = 100;

	if ((rc = policy_require(&me, POLICY_OWN_ACCESS_LOG, &mine, NULL, e)) != ERR_OK ||
	    (rc = http_query_single(req, "limit", &lim, e)) != ERR_OK)
		return rc;
	if (lim && num_parse(lim, 1, 1000, &limit) != 0)
		return err_set(e, ERR_INVALID, "limit", "expected a number between 1 and 1000");
	list = json_array();
	if ((rc = store_access_log(req->store, me.agent_id, (int)limit, access_row, list, e)) !=
	    ERR_OK) {
		json_decref(list);
		return rc;
	}
	return api_reply(req, 200, json_pack("{s:o}", "reads", list), e);
}

const struct http_route api_me_routes[] = {
	{"GET", "/api/v1/me/activity", activity, HTTP_ROUTE_AUTH},
	{"GET", "/api/v1/me/reads", reads, HTTP_ROUTE_AUTH},
	{NULL, NULL, NULL, 0},
};

/* ui-activity: GET /mon-activite?mois=YYYY-MM: the caller's own monthly activity (the
 * CREMA), for that agent alone (POLICY_OWN_ACTIVITY). There is deliberately no parameter
 * naming an agent: the page always shows the caller's own. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "core/date.h"
#include "store/store.h"
#include "web/html.h"

#define COUNT_ROWS_MAX 200

struct counts {
	struct http_request *req;
	int64_t total, on_site;
	struct {
		const char *dimension, *label;
		int64_t n;
	} row[COUNT_ROWS_MAX];
	size_t n;
};

static int count_row(void *ctx, const struct store_activity_row *r)
{
	struct counts *c = ctx;

	if (strcmp(r->dimension, "total") == 0) {
		c->total = r->n;
	} else if (strcmp(r->dimension, "on_site") == 0) {
		c->on_site = r->n;
	} else if (c->n < COUNT_ROWS_MAX) {
		c->row[c->n].dimension = http_strdup(c->req, r->dimension);
		c->row[c->n].label = http_strdup(c->req, r->label  ? r->label
		                                         : r->code ? r->code
		                                                   : "");
		c->row[c->n].n = r->n;
		c->n++;
	}
	return 0;
}

/* The row with the highest count in dimension (the first on ties), or -1. */
static int top(const struct counts *c, const char *dimension)
{
	int best = -1;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->row[i].dimension, dimension) == 0 &&
		    (best < 0 || c->row[i].n > c->row[best].n))
			best = (int)i;
	return best;
}

struct list {
	struct buf *b;
	size_t n;
	int failed;
};

static int list_row(void *ctx, const struct intervention_rec *r)
{
	struct list *l = ctx;
	struct buf *b = l->b;
	char d[11], id[24];

	snprintf(id, sizeof id, "%lld", (long long)r->iv.id);
	if (html_raw(b, "<tr><td>") != ERR_OK ||
	    html_txt(b, web_date_fr(r->iv.date, d)) != ERR_OK ||
	    html_raw(b, "</td><td><a href=\"/interventions/") != ERR_OK ||
	    html_url_arg(b, id) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
	    html_txt(b, r->target_name) != ERR_OK || html_raw(b, "</a></td><td>") != ERR_OK ||
	    html_txt(b, r->kind_label ? r->kind_label : r->iv.kind) != ERR_OK ||
	    html_raw(b, r->iv.on_site ? "</td><td>Oui</td>" : "</td><td>Non</td>") != ERR_OK ||
	    buf_printf(b, "<td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
	               r->iv.n_themes, r->iv.n_followups) != ERR_OK) {
		l->failed = 1;
		return 1;
	}
	l->n++;
	return 0;
}

static enum err_code summary_item(struct buf *b, const struct counts *c, const char *label,
                                  const char *dimension)
{
	int i = top(c, dimension);

	if (html_raw(b, "<div class=\"stat\"><p class=\"label\">") != ERR_OK ||
	    html_txt(b, label) != ERR_OK || html_raw(b, "</p><p class=\"value\">") != ERR_OK)
		return ERR_TOO_BIG;
	if (i < 0)
		return html_raw(b, "–</p></div>\n");
	if (html_txt(b, c->row[i].label) != ERR_OK ||
	    buf_printf(b, " <span class=\"meta\">(%lld)</span></p></div>\n",
	               (long long)c->row[i].n) != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

enum err_code web_activity(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct policy_object mine = {.owner_id = me.agent_id};
	const char *mois = http_query(req, "mois");
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN], first[16], month[32], prev[32], next[32];
	char title[64];
	struct counts c = {.req = req};
	struct list l = {0};
	int32_t d;
	int y, m, dd, ty, tm;
	struct buf b;
	enum err_code rc;

	if ((rc = policy_require(&me, POLICY_OWN_ACTIVITY, &mine, NULL, e)) != ERR_OK)
		return web_fail(req, rc, e);
	date_to_ymd(date_today(), &ty, &tm, &dd);
	y = ty;
	m = tm;
	if (mois && mois[0]) {
		snprintf(first, sizeof first, "%.7s-01", mois);
		if (strlen(mois) != 7 || mois[4] != '-' || date_parse(first, &d) != 0) {
			web_error_page(req, 422,
			               "Le mois demandé doit s'écrire AAAA-MM, par exemple "
			               "2025-03.");
			return ERR_OK;
		}
		date_to_ymd(d, &y, &m, &dd);
	}
	d = date_from_ymd(y, m, 1);
	date_format(d, from);
	date_format(d + date_days_in_month(y, m) - 1, to);
	snprintf(month, sizeof month, "%04d-%02d", y, m);
	snprintf(prev, sizeof prev, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
	snprintf(next, sizeof next, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
	if ((rc = store_agent_activity_counts(req->store, me.agent_id, from, to, count_row, &c,
	                                      e)) != ERR_OK)
		return web_fail(req, rc, e);
	snprintf(title, sizeof title, "Mon activité – %s %d", web_month_name(m), y);
	buf_init(&b, WEB_PAGE_MAX);
	l.b = &b;
	if (web_page_begin(req, &b, title) != ERR_OK || html_raw(&b, "<h1>") != ERR_OK ||
	    html_txt(&b, title) != ERR_OK || html_raw(&b, "</h1>\n") != ERR_OK ||
	    html_raw(&b, "<p class=\"hint\">Ce relevé est le vôtre : personne d'autre ne peut le "
	                 "consulter.</p>\n<nav class=\"pager\" aria-label=\"Mois\">"
	                 "<a href=\"/mon-activite?mois=") != ERR_OK ||
	    html_url_arg(&b, prev) != ERR_OK ||
	    html_raw(&b, "\" rel=\"prev\">← Mois précédent</a>") != ERR_OK)
		goto too_big;
	if ((y < ty || (y == ty && m < tm)) &&
	    (html_raw(&b, " <a href=\"/mon-activite?mois=") != ERR_OK ||
	     html_url_arg(&b, next) != ERR_OK ||
	     html_raw(&b, "\" rel=\"next\">Mois suivant →</a>") != ERR_OK))
		goto too_big;
	if (html_raw(&b, " <a href=\"/api/v1/me/activity?month=") != ERR_OK ||
	    html_url_arg(&b, month) != ERR_OK ||
	    html_raw(&b, "&amp;format=csv\" download>Exporter en CSV</a> "
	                 "<a href=\"/mon-activite.pdf?mois=") != ERR_OK ||
	    html_url_arg(&b, month) != ERR_OK ||
	    html_raw(&b, "\" download>Relevé PDF du mois</a> <a href=\"/mon-activite.pdf?annee=") !=
	        ERR_OK ||
	    buf_printf(&b, "%04d", y) != ERR_OK ||
	    html_raw(&b, "\" download>Relevé PDF de l'année</a></nav>\n") != ERR_OK ||
	    html_raw(&b, "<section aria-labelledby=\"tot-h\"><h2 id=\"tot-h\">En bref</h2>\n"
	                 "<div class=\"stats\">\n") != ERR_OK ||
	    buf_printf(&b,
	               "<div class=\"stat\"><p class=\"label\">Interventions</p>"
	               "<p class=\"value big\">%lld</p></div>\n<div class=\"stat\">"
	               "<p class=\"label\">Visites sur site</p><p class=\"value big\">%lld</p>"
	               "</div>\n",
	               (long long)c.total, (long long)c.on_site) != ERR_OK ||
	    summary_item(&b, &c, "Thème le plus fréquent", "theme") != ERR_OK ||
	    summary_item(&b, &c, "Suite la plus fréquente", "followup") != ERR_OK ||
	    summary_item(&b, &c, "Action prioritaire principale", "priority_action") != ERR_OK ||
	    html_raw(&b, "</div>\n</section>\n") != ERR_OK)
		goto too_big;
	if (top(&c, "kind") >= 0) {
		if (html_raw(&b,
		             "<section aria-labelledby=\"kind-h\"><h2 id=\"kind-h\">Par type "
		             "d'intervention</h2>\n<table><thead><tr><th scope=\"col\">Type</th>"
		             "<th scope=\"col\" class=\"num\">Nombre</th></tr></thead><tbody>\n") !=
		    ERR_OK)
			goto too_big;
		for (size_t i = 0; i < c.n; i++)
			if (strcmp(c.row[i].dimension, "kind") == 0 &&
			    (html_raw(&b, "<tr><td>") != ERR_OK ||
			     html_txt(&b, c.row[i].label) != ERR_OK ||
			     buf_printf(&b, "</td><td class=\"num\">%lld</td></tr>\n",
			                (long long)c.row[i].n) != ERR_OK))
				goto too_big;
		if (html_raw(&b, "</tbody></table>\n</section>\n") != ERR_OK)
			goto too_big;
	}
	if (html_raw(&b,
	             "<section aria-labelledby=\"list-h\"><h2 id=\"list-h\">Interventions du "
	             "mois</h2>\n<div class=\"table-wrap\"><table><thead><tr>"
	             "<th scope=\"col\">Date</th><th scope=\"col\">Établissement</th>"
	             "<th scope=\"col\">Type</th><th scope=\"col\">Sur site</th>"
	             "<th scope=\"col\" class=\"num\">Thèmes</th>"
	             "<th scope=\"col\" class=\"num\">Suites</th></tr></thead><tbody>\n") != ERR_OK)
		goto too_big;
	if ((rc = store_agent_interventions(req->store, me.agent_id, from, to, list_row, &l, e)) !=
	    ERR_OK) {
		buf_release(&b);
		return web_fail(req, rc, e);
	}
	if (l.failed ||
	    (l.n == 0 && html_raw(&b, "<tr><td colspan=\"6\">Aucune intervention ce mois-ci.</td>"
	                              "</tr>\n") != ERR_OK) ||
	    html_raw(&b, "</tbody></table></div>\n</section>\n") != ERR_OK)
		goto too_big;
	rc = web_page_reply(req, 200, &b, e);
	buf_release(&b);
	return rc;
too_big:
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the activity page passes its size cap");
}

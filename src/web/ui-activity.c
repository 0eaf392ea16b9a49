/* ui-activity: GET /mon-activite?mois=YYYY-MM or ?annee=YYYY: the caller's own activity
 * (the CREMA) for a month or a year, for that agent alone (POLICY_OWN_ACTIVITY). There is
 * deliberately no parameter naming an agent: the page always shows the caller's own. */
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
	int64_t unchecked; /* on a priority action, no control point checked */
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
	} else if (strcmp(r->dimension, "action_unchecked") == 0) {
		c->unchecked = r->n;
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
	    html_txt(b, r->target_name) != ERR_OK || html_raw(b, "</a>") != ERR_OK ||
	    (model_intervention_action_unchecked(&r->iv) &&
	     html_raw(b, " <span class=\"tag warn\">action sans point vérifié</span>") !=
	         ERR_OK) ||
	    html_raw(b, "</td><td>") != ERR_OK ||
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

/* The period shown: a month, or a whole year (month 0). */
struct period {
	int year, month;
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
};

/* Reads mois=YYYY-MM or annee=YYYY (at most one of them, each at most once; neither: the
 * current month) into *p. Returns NULL, or the French message of the error page. */
static const char *read_period(struct http_request *req, int ty, int tm, struct period *p)
{
	const char *mois = NULL, *annee = NULL;
	char first[16];
	int32_t d;
	int dd;

	if (http_query_single(req, "mois", &mois, NULL) != ERR_OK)
		return "Le paramètre « mois » est donné plusieurs fois : indiquez un seul mois.";
	if (http_query_single(req, "annee", &annee, NULL) != ERR_OK)
		return "Le paramètre « annee » est donné plusieurs fois : indiquez une seule année.";
	if (mois && mois[0] && annee && annee[0])
		return "Indiquez soit le mois (mois=AAAA-MM), soit l'année (annee=AAAA), pas les deux.";
	p->year = ty;
	p->month = tm;
	if (annee && annee[0]) {
		snprintf(first, sizeof first, "%.4s-01-01", annee);
		if (strlen(annee) != 4 || date_parse(first, &d) != 0)
			return "L'année demandée (« annee ») doit s'écrire AAAA, par exemple 2025.";
		date_to_ymd(d, &p->year, &dd, &dd);
		p->month = 0;
		d = date_from_ymd(p->year, 1, 1);
		date_format(d, p->from);
		date_format(date_from_ymd(p->year, 12, 31), p->to);
		return NULL;
	}
	if (mois && mois[0]) {
		snprintf(first, sizeof first, "%.7s-01", mois);
		if (strlen(mois) != 7 || mois[4] != '-' || date_parse(first, &d) != 0)
			return "Le mois demandé (« mois ») doit s'écrire AAAA-MM, par exemple 2025-03.";
		date_to_ymd(d, &p->year, &p->month, &dd);
	}
	d = date_from_ymd(p->year, p->month, 1);
	date_format(d, p->from);
	date_format(d + date_days_in_month(p->year, p->month) - 1, p->to);
	return NULL;
}

struct month_counts {
	int64_t total, on_site;
};

static int month_row(void *ctx, const struct store_activity_row *r)
{
	struct month_counts *mc = ctx;

	if (strcmp(r->dimension, "total") == 0)
		mc->total = r->n;
	else if (strcmp(r->dimension, "on_site") == 0)
		mc->on_site = r->n;
	return 0;
}

/* The year's table "Par mois": each month up to the current one, linked to its page. */
static enum err_code by_month(struct http_request *req, struct buf *b, int year, int ty,
                              int tm, struct err *e)
{
	enum err_code rc;

	if (html_raw(b, "<section aria-labelledby=\"month-h\"><h2 id=\"month-h\">Par mois</h2>\n"
	                "<table><thead><tr><th scope=\"col\">Mois</th>"
	                "<th scope=\"col\" class=\"num\">Interventions</th>"
	                "<th scope=\"col\" class=\"num\">Visites sur site</th></tr></thead>"
	                "<tbody>\n") != ERR_OK)
		return ERR_TOO_BIG;
	for (int m = 1; m <= 12 && (year < ty || (year == ty && m <= tm)); m++) {
		struct month_counts mc = {0};
		char from[DATE_ISO_LEN], to[DATE_ISO_LEN], month[32];
		int32_t d = date_from_ymd(year, m, 1);

		date_format(d, from);
		date_format(d + date_days_in_month(year, m) - 1, to);
		if ((rc = store_agent_activity_counts(req->store, auth_subject(req).agent_id, from,
		                                      to, month_row, &mc, e)) != ERR_OK)
			return rc;
		snprintf(month, sizeof month, "%04d-%02d", year, m);
		if (html_raw(b, "<tr><th scope=\"row\"><a href=\"/mon-activite?mois=") != ERR_OK ||
		    html_url_arg(b, month) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
		    html_txt(b, web_month_name(m)) != ERR_OK ||
		    buf_printf(b, "</a></th><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
		                  "</tr>\n",
		               (long long)mc.total, (long long)mc.on_site) != ERR_OK)
			return ERR_TOO_BIG;
	}
	return html_raw(b, "</tbody></table>\n</section>\n") == ERR_OK ? ERR_OK : ERR_TOO_BIG;
}

/* The pager and the exports: previous and next month (or year), the other view, the CSV
 * and the PDF of the period. */
static enum err_code pager(struct buf *b, const struct period *p, int ty, int tm)
{
	char cur[32], prev[32], next[32], year[16];
	int y = p->year, m = p->month;

	snprintf(year, sizeof year, "%04d", y);
	if (m == 0) {
		snprintf(cur, sizeof cur, "%04d", y);
		snprintf(prev, sizeof prev, "%04d", y - 1);
		snprintf(next, sizeof next, "%04d", y + 1);
	} else {
		snprintf(cur, sizeof cur, "%04d-%02d", y, m);
		snprintf(prev, sizeof prev, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1);
		snprintf(next, sizeof next, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
	}
	if (html_raw(b, m ? "<nav class=\"pager\" aria-label=\"Mois\">"
	                    "<a href=\"/mon-activite?mois="
	                  : "<nav class=\"pager\" aria-label=\"Années\">"
	                    "<a href=\"/mon-activite?annee=") != ERR_OK ||
	    html_url_arg(b, prev) != ERR_OK ||
	    html_raw(b, m ? "\" rel=\"prev\">← Mois précédent</a>"
	                  : "\" rel=\"prev\">← Année précédente</a>") != ERR_OK)
		return ERR_TOO_BIG;
	if ((y < ty || (m && y == ty && m < tm)) &&
	    (html_raw(b, m ? " <a href=\"/mon-activite?mois=" : " <a href=\"/mon-activite?annee=") !=
	         ERR_OK ||
	     html_url_arg(b, next) != ERR_OK ||
	     html_raw(b, m ? "\" rel=\"next\">Mois suivant →</a>"
	                   : "\" rel=\"next\">Année suivante →</a>") != ERR_OK))
		return ERR_TOO_BIG;
	if (m && (html_raw(b, " <a href=\"/mon-activite?annee=") != ERR_OK ||
	          html_url_arg(b, year) != ERR_OK || html_raw(b, "\">Toute l'année ") != ERR_OK ||
	          html_txt(b, year) != ERR_OK || html_raw(b, "</a>") != ERR_OK))
		return ERR_TOO_BIG;
	if (html_raw(b, m ? " <a href=\"/api/v1/me/activity?month="
	                  : " <a href=\"/api/v1/me/activity?year=") != ERR_OK ||
	    html_url_arg(b, cur) != ERR_OK ||
	    html_raw(b, "&amp;format=csv\" download>Exporter en CSV</a>") != ERR_OK)
		return ERR_TOO_BIG;
	if (m && (html_raw(b, " <a href=\"/mon-activite.pdf?mois=") != ERR_OK ||
	          html_url_arg(b, cur) != ERR_OK ||
	          html_raw(b, "\" download>Relevé PDF du mois</a>") != ERR_OK))
		return ERR_TOO_BIG;
	if (html_raw(b, " <a href=\"/mon-activite.pdf?annee=") != ERR_OK ||
	    html_url_arg(b, year) != ERR_OK ||
	    html_raw(b, "\" download>Relevé PDF de l'année</a></nav>\n") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

enum err_code web_activity(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct policy_object mine = {.owner_id = me.agent_id};
	const char *bad;
	char title[64];
	struct counts c = {.req = req};
	struct list l = {0};
	struct period p;
	int dd, ty, tm;
	struct buf b;
	enum err_code rc;

	if ((rc = policy_require(&me, POLICY_OWN_ACTIVITY, &mine, NULL, e)) != ERR_OK)
		return web_fail(req, rc, e);
	date_to_ymd(date_today(), &ty, &tm, &dd);
	if ((bad = read_period(req, ty, tm, &p)) != NULL) {
		web_error_page(req, 422, bad);
		return ERR_OK;
	}
	if ((rc = store_agent_activity_counts(req->store, me.agent_id, p.from, p.to, count_row,
	                                      &c, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if (p.month)
		snprintf(title, sizeof title, "Mon activité – %s %d", web_month_name(p.month),
		         p.year);
	else
		snprintf(title, sizeof title, "Mon activité – année %d", p.year);
	buf_init(&b, WEB_PAGE_MAX);
	l.b = &b;
	if (web_page_begin(req, &b, title) != ERR_OK || html_raw(&b, "<h1>") != ERR_OK ||
	    html_txt(&b, title) != ERR_OK || html_raw(&b, "</h1>\n") != ERR_OK ||
	    html_raw(&b, "<p class=\"hint\">Ce relevé est le vôtre : personne d'autre ne peut le "
	                 "consulter.</p>\n") != ERR_OK ||
	    pager(&b, &p, ty, tm) != ERR_OK)
		goto too_big;
	if (html_raw(&b, "<section aria-labelledby=\"tot-h\"><h2 id=\"tot-h\">En bref</h2>\n"
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
	    buf_printf(&b,
	               "<div class=\"stat\"><p class=\"label\">Sur action prioritaire sans "
	               "point vérifié</p><p class=\"value\">%lld</p></div>\n",
	               (long long)c.unchecked) != ERR_OK ||
	    html_raw(&b, "</div>\n") != ERR_OK ||
	    (c.unchecked > 0 &&
	     html_raw(&b, "<p class=\"hint\">Les interventions rattachées à une action "
	                  "prioritaire sans aucun point de contrôle renseigné conforme ou non "
	                  "conforme ne comptent pour aucune action : elles sont signalées dans "
	                  "la liste ci-dessous.</p>\n") != ERR_OK) ||
	    html_raw(&b, "</section>\n") != ERR_OK)
		goto too_big;
	if (p.month == 0 && (rc = by_month(req, &b, p.year, ty, tm, e)) != ERR_OK) {
		buf_release(&b);
		if (rc == ERR_TOO_BIG)
			return err_set(e, ERR_INTERNAL, NULL, "the activity page passes its size cap");
		return web_fail(req, rc, e);
	}
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
	if (html_raw(&b, "<section aria-labelledby=\"list-h\"><h2 id=\"list-h\">") != ERR_OK ||
	    html_raw(&b, p.month ? "Interventions du mois" : "Interventions de l'année") !=
	        ERR_OK ||
	    html_raw(&b, "</h2>\n<div class=\"table-wrap\"><table><thead><tr>"
	                 "<th scope=\"col\">Date</th><th scope=\"col\">Établissement</th>"
	                 "<th scope=\"col\">Type</th><th scope=\"col\">Sur site</th>"
	                 "<th scope=\"col\" class=\"num\">Thèmes</th>"
	                 "<th scope=\"col\" class=\"num\">Suites</th></tr></thead><tbody>\n") !=
	        ERR_OK)
		goto too_big;
	if ((rc = store_agent_interventions(req->store, me.agent_id, p.from, p.to, list_row, &l,
	                                    e)) != ERR_OK) {
		buf_release(&b);
		return web_fail(req, rc, e);
	}
	if (l.failed ||
	    (l.n == 0 &&
	     html_raw(&b, p.month ? "<tr><td colspan=\"6\">Aucune intervention ce mois-ci.</td>"
	                            "</tr>\n"
	                          : "<tr><td colspan=\"6\">Aucune intervention cette année.</td>"
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

/* ui-ilo: the ILO Convention 81 annual report. GET /rapport-oit?annee=YYYY (the page),
 * POST /rapport-oit (saves item (a), the laws and regulations text; CSRF checked by the
 * route), GET /rapport-oit/export?annee=YYYY&format=pdf|xlsx|csv. National figures: for
 * analysts and administrators (POLICY_ILO_READ); item (a) is written by the same roles
 * (POLICY_ILO_EDIT). See docs/STATISTICS.md, "The ILO annual report". */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "core/date.h"
#include "stats/ilo.h"
#include "store/store-ilo.h"
#include "store/store-stats.h"
#include "web/html.h"

#define EXPORT_MAX (24u << 20) /* bytes of one exported file */

static int newest_year(void *ctx, const struct store_stats_release *r)
{
	int *y = ctx;
	int v = 0;

	for (int i = 0; i < 4 && r->month && r->month[i] >= '0' && r->month[i] <= '9'; i++)
		v = 10 * v + (r->month[i] - '0');
	if (v > *y)
		*y = v;
	return 0;
}

/* The year asked (annee=YYYY), or by default the year of the newest release (the current
 * year when there is none). -1 when annee is not a year. */
static int year_param(struct http_request *req, const char *value)
{
	int y = 0, m, dd;

	if (value == NULL) {
		if (store_stats_release_each(req->store, NULL, 0, newest_year, &y, NULL) != ERR_OK ||
		    y == 0) {
			date_to_ymd(date_today(), &y, &m, &dd);
		}
		return y;
	}
	if (strlen(value) != 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (value[i] < '0' || value[i] > '9')
			return -1;
		y = 10 * y + (value[i] - '0');
	}
	return y >= 1900 ? y : -1;
}

static enum err_code require(struct http_request *req, enum policy_action a, struct err *e)
{
	struct policy_subject me = auth_subject(req);

	return policy_require(&me, a, NULL, NULL, e);
}

static enum err_code edit_form(struct http_request *req, struct buf *b,
                               const struct ilo_report *r)
{
	char year[16];

	snprintf(year, sizeof year, "%d", r->year);
	if (html_raw(b, "<details class=\"ilo-edit\"><summary>Modifier le point a) "
	                "(législation et réglementation)</summary>\n"
	                "<form method=\"post\" action=\"/rapport-oit\">") != ERR_OK ||
	    web_csrf_field(req, b) != ERR_OK ||
	    html_raw(b, "<input type=\"hidden\" name=\"annee\" value=\"") != ERR_OK ||
	    html_attr(b, year) != ERR_OK || html_raw(b, "\">\n<label for=\"texte\">Texte du "
	                                             "point a) pour ") != ERR_OK ||
	    html_txt(b, year) != ERR_OK ||
	    buf_printf(b, " (au plus %d caractères ; une ligne par paragraphe)</label>\n",
	               STORE_ILO_TEXT_MAX) != ERR_OK ||
	    buf_printf(b, "<textarea id=\"texte\" name=\"texte\" rows=\"10\" cols=\"80\" "
	                  "maxlength=\"%d\">",
	               STORE_ILO_TEXT_MAX) != ERR_OK ||
	    html_txt(b, r->text_a ? r->text_a : "") != ERR_OK ||
	    html_raw(b, "</textarea>\n<p><button type=\"submit\">Enregistrer</button></p>\n"
	                "</form></details>\n") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

enum err_code web_ilo_report(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct ilo_report rep = {0};
	const char *annee = NULL;
	char title[96], year[16];
	struct buf b;
	enum err_code rc;
	int y;

	if ((rc = require(req, POLICY_ILO_READ, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if ((rc = http_query_single(req, "annee", &annee, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if ((y = year_param(req, annee)) < 0) {
		web_error_page(req, 422, "L'année doit s'écrire annee=AAAA (par exemple "
		                         "annee=2026).");
		return ERR_OK;
	}
	if ((rc = ilo_report_build(req->store, y, NULL, &rep, e)) != ERR_OK) {
		ilo_report_release(&rep);
		return web_fail(req, rc, e);
	}
	snprintf(title, sizeof title, "Rapport annuel OIT %d", y);
	snprintf(year, sizeof year, "%d", y);
	buf_init(&b, WEB_PAGE_MAX);
	if (web_page_begin(req, &b, title) != ERR_OK ||
	    html_raw(&b, "<h1>Rapport annuel à l'OIT (convention n° 81, article 21) : ") !=
	        ERR_OK ||
	    html_txt(&b, year) != ERR_OK || html_raw(&b, "</h1>\n") != ERR_OK)
		goto too_big;
	if (http_query(req, "enregistre") &&
	    html_raw(&b, "<p class=\"notice\" role=\"status\">Le point a) est enregistré.</p>\n") !=
	        ERR_OK)
		goto too_big;
	if (html_raw(&b, "<form method=\"get\" action=\"/rapport-oit\" class=\"inline\">"
	                 "<label for=\"annee\">Année</label> <input id=\"annee\" name=\"annee\" "
	                 "inputmode=\"numeric\" pattern=\"[0-9]{4}\" size=\"4\" value=\"") !=
	        ERR_OK ||
	    html_attr(&b, year) != ERR_OK ||
	    html_raw(&b, "\"> <button type=\"submit\">Afficher</button></form>\n"
	                 "<nav aria-label=\"Exports\" class=\"exports\">"
	                 "<a href=\"/rapport-oit/export?annee=") != ERR_OK ||
	    html_url_arg(&b, year) != ERR_OK ||
	    html_raw(&b, "&amp;format=pdf\" download>PDF</a> <a href=\"/rapport-oit/export?"
	                 "annee=") != ERR_OK ||
	    html_url_arg(&b, year) != ERR_OK ||
	    html_raw(&b, "&amp;format=xlsx\" download>Classeur XLSX</a> "
	                 "<a href=\"/rapport-oit/export?annee=") != ERR_OK ||
	    html_url_arg(&b, year) != ERR_OK ||
	    html_raw(&b, "&amp;format=csv\" download>CSV</a></nav>\n") != ERR_OK)
		goto too_big;
	if (ilo_report_html_body(&rep, &b, e) != ERR_OK)
		goto too_big;
	if (policy_check(&me, POLICY_ILO_EDIT, NULL) != POLICY_DENY &&
	    edit_form(req, &b, &rep) != ERR_OK)
		goto too_big;
	ilo_report_release(&rep);
	rc = web_page_reply(req, 200, &b, e);
	buf_release(&b);
	return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
too_big:
	ilo_report_release(&rep);
	buf_release(&b);
	return web_fail(req, err_set(e, ERR_INTERNAL, NULL, "the ILO report page passes its cap"),
	                e);
}

enum err_code web_ilo_text_save(struct http_request *req, struct err *e)
{
	struct web_form form;
	const char *annee, *texte;
	char where[64];
	struct err fe = {0};
	enum err_code rc;
	int y;

	if ((rc = require(req, POLICY_ILO_EDIT, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if ((rc = web_form_read(req, &form, &fe)) != ERR_OK)
		return web_fail(req, rc, &fe);
	annee = web_form_get(&form, "annee");
	texte = web_form_get(&form, "texte");
	if (annee == NULL || (y = year_param(req, annee)) < 0) {
		web_error_page(req, 422, "Champ « annee » : une année sur quatre chiffres est "
		                         "attendue.");
		return ERR_OK;
	}
	if (texte == NULL || web_form_count(&form, "texte") != 1) {
		web_error_page(req, 422, "Champ « texte » : le texte du point a) est attendu, une "
		                         "seule fois.");
		return ERR_OK;
	}
	if (strlen(texte) > STORE_ILO_TEXT_MAX) {
		char msg[160];

		snprintf(msg, sizeof msg, "Champ « texte » : au plus %d caractères (octets) sont "
		         "acceptés ; rien n'a été enregistré.", STORE_ILO_TEXT_MAX);
		web_error_page(req, 422, msg);
		return ERR_OK;
	}
	if ((rc = store_ilo_text_put(req->store, y, texte, req->user_id, &fe)) != ERR_OK)
		return web_fail(req, rc, &fe);
	snprintf(where, sizeof where, "/rapport-oit?annee=%04d&enregistre=1", y);
	return web_redirect(req, where);
}

enum err_code web_ilo_export(struct http_request *req, struct err *e)
{
	struct ilo_report rep = {0};
	const char *annee = NULL, *format = NULL, *type;
	char disp[96];
	struct buf out;
	enum err_code rc;
	int y;

	if ((rc = require(req, POLICY_ILO_READ, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if ((rc = http_query_single(req, "annee", &annee, e)) != ERR_OK ||
	    (rc = http_query_single(req, "format", &format, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if ((y = year_param(req, annee)) < 0) {
		web_error_page(req, 422, "L'année doit s'écrire annee=AAAA.");
		return ERR_OK;
	}
	if (format == NULL || (strcmp(format, "pdf") != 0 && strcmp(format, "xlsx") != 0 &&
	                       strcmp(format, "csv") != 0)) {
		web_error_page(req, 422, "Le format doit être format=pdf, format=xlsx ou format=csv.");
		return ERR_OK;
	}
	if ((rc = ilo_report_build(req->store, y, NULL, &rep, e)) != ERR_OK) {
		ilo_report_release(&rep);
		return web_fail(req, rc, e);
	}
	buf_init(&out, EXPORT_MAX);
	if (strcmp(format, "pdf") == 0) {
		type = "application/pdf";
		rc = ilo_report_pdf(&rep, &out, e);
	} else if (strcmp(format, "xlsx") == 0) {
		type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		rc = ilo_report_xlsx(&rep, &out, e);
	} else {
		type = "text/csv; charset=utf-8";
		rc = ilo_report_csv(&rep, &out, e);
	}
	ilo_report_release(&rep);
	if (rc == ERR_OK)
		rc = http_reply(req, 200, type, buf_str(&out), out.len);
	if (rc == ERR_OK) {
		snprintf(disp, sizeof disp, "attachment; filename=\"rapport-oit-%04d.%s\"", y, format);
		rc = http_set_header(req, "Content-Disposition", disp);
	}
	buf_release(&out);
	return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
}

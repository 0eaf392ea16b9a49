/* ui-report: the agent's own activity report (CREMA) as a PDF, for a month or a year,
 * generated when the agent asks for it. For that agent alone (POLICY_OWN_ACTIVITY): the
 * period is the only parameter, there is none naming an agent. */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "core/date.h"
#include "report/pdf.h"

#define REPORT_MAX (16u << 20) /* bytes of one PDF */

/* Reads mois=YYYY-MM or annee=YYYY (at most one of them, each at most once; neither: the
 * current month) into [from, to] and a French label. Returns NULL, or the French message
 * of the error page. */
static const char *period(struct http_request *req, char from[DATE_ISO_LEN],
                          char to[DATE_ISO_LEN], char *label, size_t n)
{
	const char *mois = NULL, *annee = NULL;
	char first[16];
	int32_t d;
	int y, m, dd;

	if (http_query_single(req, "mois", &mois, NULL) != ERR_OK)
		return "Le paramètre « mois » est donné plusieurs fois : indiquez un seul mois.";
	if (http_query_single(req, "annee", &annee, NULL) != ERR_OK)
		return "Le paramètre « annee » est donné plusieurs fois : indiquez une seule année.";
	if (mois && annee)
		return "Indiquez soit le mois (mois=AAAA-MM), soit l'année (annee=AAAA), pas les deux.";
	if (annee) {
		snprintf(first, sizeof first, "%.4s-01-01", annee);
		if (strlen(annee) != 4 || date_parse(first, &d) != 0)
			return "L'année demandée (« annee ») doit s'écrire AAAA, par exemple 2025.";
		date_format(d, from);
		snprintf(to, DATE_ISO_LEN, "%.4s-12-31", annee);
		snprintf(label, n, "année %.4s", annee);
		return NULL;
	}
	if (mois == NULL) {
		date_to_ymd(date_today(), &y, &m, &dd);
	} else {
		snprintf(first, sizeof first, "%.7s-01", mois);
		if (strlen(mois) != 7 || mois[4] != '-' || date_parse(first, &d) != 0)
			return "Le mois demandé (« mois ») doit s'écrire AAAA-MM, par exemple 2025-03.";
		date_to_ymd(d, &y, &m, &dd);
	}
	d = date_from_ymd(y, m, 1);
	date_format(d, from);
	date_format(d + date_days_in_month(y, m) - 1, to);
	snprintf(label, n, "%s %d", web_month_name(m), y);
	return NULL;
}

struct report {
	struct pdf *pdf;
	const char *dimension;        /* the table being written */
	int64_t total, on_site;
	int64_t unchecked; /* on a priority action, no control point checked */
	int open;
};

static const struct {
	const char *dimension;
	const char *title;
} sections[] = {
	{"kind", "Par type d'intervention"},
	{"theme", "Par thème"},
	{"followup", "Suites données"},
	{"priority_action", "Actions prioritaires"},
};

static int totals(void *ctx, const struct store_activity_row *r)
{
	struct report *rp = ctx;

	if (strcmp(r->dimension, "total") == 0)
		rp->total = r->n;
	else if (strcmp(r->dimension, "on_site") == 0)
		rp->on_site = r->n;
	else if (strcmp(r->dimension, "action_unchecked") == 0)
		rp->unchecked = r->n;
	return 0;
}

static int count_row(void *ctx, const struct store_activity_row *r)
{
	static const double widths[] = {0.8, 0.2};
	static const char *const header[] = {"", "Nombre"};
	struct report *rp = ctx;
	char n[32];
	const char *cells[2];

	if (strcmp(r->dimension, rp->dimension) != 0)
		return 0;
	if (!rp->open) {
		pdf_table_begin(rp->pdf, 2, widths, header);
		rp->open = 1;
	}
	snprintf(n, sizeof n, "%lld", (long long)r->n);
	cells[0] = r->label ? r->label : r->code;
	cells[1] = n;
	pdf_table_row(rp->pdf, cells);
	return 0;
}

static int list_row(void *ctx, const struct intervention_rec *r)
{
	struct report *rp = ctx;
	char themes[512] = "", fus[512] = "";
	size_t tl = 0, fl = 0;
	const char *cells[5];

	for (size_t i = 0; i < r->iv.n_themes && tl < sizeof themes; i++)
		tl += (size_t)snprintf(themes + tl, sizeof themes - tl, "%s%s", i ? ", " : "",
		                       r->iv.themes[i]);
	for (size_t i = 0; i < r->iv.n_followups && fl < sizeof fus; i++)
		fl += (size_t)snprintf(fus + fl, sizeof fus - fl, "%s%s", i ? ", " : "",
		                       r->iv.followups[i].kind);
	cells[0] = r->iv.date;
	cells[1] = r->kind_label ? r->kind_label : r->iv.kind;
	cells[2] = r->target_name ? r->target_name : "";
	cells[3] = themes;
	cells[4] = fus;
	pdf_table_row(rp->pdf, cells);
	return 0;
}

enum err_code web_activity_pdf(struct http_request *req, struct err *e)
{
	static const double widths[] = {0.13, 0.2, 0.27, 0.22, 0.18};
	static const char *const header[] = {"Date", "Type", "Établissement ou chantier", "Thèmes",
	                                     "Suites"};
	struct policy_subject me = auth_subject(req);
	struct policy_object mine = {.owner_id = me.agent_id};
	const struct store_principal *who = auth_user(req);
	const char *bad;
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN], label[48], title[256], text[256], disp[96];
	struct report rp = {0};
	struct buf out;
	enum err_code rc;

	if ((rc = policy_require(&me, POLICY_OWN_ACTIVITY, &mine, NULL, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if ((bad = period(req, from, to, label, sizeof label)) != NULL) {
		web_error_page(req, 422, bad);
		return ERR_OK;
	}
	if ((rc = store_agent_activity_counts(req->store, me.agent_id, from, to, totals, &rp, e)) !=
	    ERR_OK)
		return web_fail(req, rc, e);
	buf_init(&out, REPORT_MAX);
	snprintf(title, sizeof title, "Relevé d'activité - %s - %s", who->display_name, label);
	rp.pdf = pdf_new(&out, title, "Constat - relevé personnel, pour son seul titulaire");
	pdf_title(rp.pdf, title);
	snprintf(text, sizeof text, "Du %s au %s. Ce relevé est établi à votre demande ; "
	         "personne d'autre ne peut le produire ni le consulter.", from, to);
	pdf_paragraph(rp.pdf, text);
	snprintf(text, sizeof text, "Interventions : %lld, dont %lld sur site (visites).",
	         (long long)rp.total, (long long)rp.on_site);
	pdf_heading(rp.pdf, "En bref");
	pdf_paragraph(rp.pdf, text);
	if (rp.unchecked > 0) {
		snprintf(text, sizeof text, "Sur action prioritaire sans aucun point de contrôle "
		         "vérifié : %lld (elles ne comptent pour aucune action).",
		         (long long)rp.unchecked);
		pdf_paragraph(rp.pdf, text);
	}
	for (size_t i = 0; rc == ERR_OK && i < sizeof sections / sizeof sections[0]; i++) {
		rp.dimension = sections[i].dimension;
		rp.open = 0;
		pdf_heading(rp.pdf, sections[i].title);
		rc = store_agent_activity_counts(req->store, me.agent_id, from, to, count_row, &rp, e);
		if (rp.open)
			pdf_table_end(rp.pdf);
		else
			pdf_paragraph(rp.pdf, "Aucune.");
	}
	if (rc == ERR_OK) {
		pdf_heading(rp.pdf, "Interventions de la période");
		pdf_table_begin(rp.pdf, 5, widths, header);
		rc = store_agent_interventions(req->store, me.agent_id, from, to, list_row, &rp, e);
		pdf_table_end(rp.pdf);
	}
	if (rc == ERR_OK)
		rc = pdf_finish(rp.pdf, e);
	else
		pdf_finish(rp.pdf, NULL);
	if (rc == ERR_OK)
		rc = store_audit_append(req->store, me.agent_id, "export.activity", "period", from,
		                        me.agent_id, "pdf", e);
	if (rc == ERR_OK) {
		snprintf(disp, sizeof disp, "attachment; filename=\"releve-activite-%s.pdf\"", from);
		rc = http_reply(req, 200, "application/pdf", buf_str(&out), out.len);
		if (rc == ERR_OK)
			http_set_header(req, "Content-Disposition", disp);
	}
	buf_release(&out);
	return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
}

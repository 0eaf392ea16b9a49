/* ui-shared: the parts every page shares (frame, header, error pages, redirects), the
 * small formatters (roles, headcount bands, dates), the highlighting of search words, the
 * mapping of error fields to form controls, and the route table of the web interface. */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "core/log.h"
#include "search/levenshtein.h"
#include "search/normalize.h"
#include "store/store.h"
#include "web/html.h"

/* ---- Formatters -------------------------------------------------------------------- */

const char *web_role_label(int role)
{
	switch (role) {
	case ROLE_AGENT:
		return "Agent de contrôle";
	case ROLE_MANAGER:
		return "Responsable";
	case ROLE_ANALYST:
		return "Analyste";
	case ROLE_ADMIN:
		return "Administrateur";
	default:
		return "Rôle inconnu";
	}
}

const char *web_headcount_label(const char *band)
{
	static const struct {
		const char *code, *label;
	} bands[] = {
	    {"NN", "Non renseigné"},          {"00", "0 salarié"},
	    {"01", "1 ou 2 salariés"},        {"02", "3 à 5 salariés"},
	    {"03", "6 à 9 salariés"},         {"11", "10 à 19 salariés"},
	    {"12", "20 à 49 salariés"},       {"21", "50 à 99 salariés"},
	    {"22", "100 à 199 salariés"},     {"31", "200 à 249 salariés"},
	    {"32", "250 à 499 salariés"},     {"41", "500 à 999 salariés"},
	    {"42", "1 000 à 1 999 salariés"}, {"51", "2 000 à 4 999 salariés"},
	    {"52", "5 000 à 9 999 salariés"}, {"53", "10 000 salariés et plus"},
	};

	if (band == NULL || band[0] == '\0')
		return "Non renseigné";
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		if (strcmp(bands[i].code, band) == 0)
			return bands[i].label;
	return NULL;
}

const char *web_date_fr(const char *iso, char out[11])
{
	if (iso == NULL) {
		out[0] = '\0';
		return out;
	}
	if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
		memcpy(out, iso + 8, 2);
		out[2] = '/';
		memcpy(out + 3, iso + 5, 2);
		out[5] = '/';
		memcpy(out + 6, iso, 4);
		out[10] = '\0';
		return out;
	}
	snprintf(out, 11, "%s", iso);
	return out;
}

const char *web_month_name(int month)
{
	static const char *const names[] = {"janvier",   "février", "mars",     "avril",
	                                    "mai",       "juin",    "juillet",  "août",
	                                    "septembre", "octobre", "novembre", "décembre"};

	return month >= 1 && month <= 12 ? names[month - 1] : "";
}

/* ---- Nomenclatures ---------------------------------------------------------------- */

struct nom_ctx {
	struct http_request *req;
	struct nomenclature_item *items;
	size_t n, cap;
};

static int nom_item(void *ctx, const struct nomenclature_item *it)
{
	struct nom_ctx *c = ctx;

	if (c->n == c->cap)
		return 1; /* more than the cap: the rest is not shown */
	c->items[c->n].code = http_strdup(c->req, it->code ? it->code : "");
	c->items[c->n].parent = it->parent ? http_strdup(c->req, it->parent) : NULL;
	c->items[c->n].label = http_strdup(c->req, it->label ? it->label : "");
	c->items[c->n].flag = it->flag;
	c->n++;
	return 0;
}

static enum err_code nom_load(struct http_request *req, enum store_nomenclature which,
                              struct nomenclature_item **items, size_t *n, struct err *e)
{
	struct nom_ctx c = {.req = req, .cap = 500};
	enum err_code rc;

	c.items = http_alloc(req, c.cap * sizeof *c.items);
	rc = store_nomenclature_each(req->store, which, nom_item, &c, e);
	*items = c.items;
	*n = c.n;
	return rc;
}

enum err_code web_noms_load(struct http_request *req, struct web_noms *n, struct err *e)
{
	enum err_code rc;

	if ((rc = nom_load(req, STORE_NOM_THEME, &n->themes, &n->n_themes, e)) != ERR_OK ||
	    (rc = nom_load(req, STORE_NOM_INTERVENTION_KIND, &n->kinds, &n->n_kinds, e)) != ERR_OK)
		return rc;
	return nom_load(req, STORE_NOM_FOLLOWUP_KIND, &n->fu_kinds, &n->n_fu_kinds, e);
}

const char *web_nom_label(const struct nomenclature_item *items, size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(items[i].code, code) == 0)
			return items[i].label;
	return code;
}

/* ---- Highlighting ------------------------------------------------------------------ */

static int word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* 1 when the folded word w matches query word qw. */
static int word_matches(const char *w, const struct search_qword *qw, int typos)
{
	int budget = qw->budget > typos ? qw->budget : typos;

	size_t wl = strlen(w);

	if (wl == 0 || wl >= SEARCH_WORD_MAX)
		return 0;
	for (size_t f = 0; f < qw->n_forms && f < SEARCH_FORMS_MAX; f++) {
		const char *form = qw->form[f];
		size_t fl = strnlen(form, SEARCH_WORD_MAX);

		if (fl == 0 || fl >= SEARCH_WORD_MAX)
			continue;
		if (strcmp(w, form) == 0)
			return 1;
		if (wl > fl && memcmp(w, form, fl) == 0 && (qw->prefix || fl >= 3))
			return 1;
		if (f == 0 && budget > 0 && qw->kind == SEARCH_WORD_TEXT &&
		    (search_lev_distance(form, w, 0) <= budget ||
		     (qw->prefix && search_lev_distance(form, w, 1) <= budget)))
			return 1;
	}
	return 0;
}

enum err_code web_highlight(struct buf *b, const char *text, const struct search_query *q,
                            uint32_t mask, const uint8_t *typos)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, n;

	if (text == NULL)
		return ERR_OK;
	n = strlen(text);
	while (i < n) {
		size_t start = i;
		char folded[SEARCH_WORD_MAX * 2], *w;
		int hit = 0;

		if (!word_byte(p[i])) {
			while (i < n && !word_byte(p[i]))
				i++;
			if (html_ntxt(b, text + start, i - start) != ERR_OK)
				return ERR_TOO_BIG;
			continue;
		}
		while (i < n && word_byte(p[i]))
			i++;
		search_fold(text + start, i - start, folded, sizeof folded);
		/* Folding may turn a symbol into a space: compare the first folded word. */
		w = folded;
		while (*w == ' ')
			w++;
		w[strcspn(w, " ")] = '\0';
		for (size_t k = 0; q && k < q->n && k < 32 && !hit; k++)
			if ((mask >> k) & 1u)
				hit = word_matches(w, &q->w[k], typos ? typos[k] : 0);
		if ((hit && html_raw(b, "<mark>") != ERR_OK) ||
		    html_ntxt(b, text + start, i - start) != ERR_OK ||
		    (hit && html_raw(b, "</mark>") != ERR_OK))
			return ERR_TOO_BIG;
	}
	return ERR_OK;
}

/* ---- Error fields to form controls ------------------------------------------------- */

/* Reads "[N]" at *s; advances past it. */
static int read_index(const char **s, size_t *out)
{
	const char *p = *s;
	char *end;
	unsigned long v;

	if (*p != '[' || p[1] < '0' || p[1] > '9')
		return 0;
	v = strtoul(p + 1, &end, 10);
	if (*end != ']' || v > 1000)
		return 0;
	*out = (size_t)v;
	*s = end + 1;
	return 1;
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* 1 when s is exactly name, or name followed by "[" or ".". */
static int is_field(const char *s, const char *name)
{
	size_t n = strlen(name);

	return strncmp(s, name, n) == 0 && (s[n] == '\0' || s[n] == '[' || s[n] == '.');
}

int web_error_control(const char *field, const size_t *fu_rows, size_t n_rows, char *out, size_t n)
{
	static const struct {
		const char *field, *control;
	} simple[] = {
	    {"siret", "f-siret"},
	    {"worksite_id", "f-siret"},
	    {"date", "f-date"},
	    {"kind", "f-kind"},
	    {"on_site", "f-on_site"},
	    {"note", "f-note"},
	    {"themes", "f-themes"},
	    {"co_agents", "f-co_agents"},
	    {"priority_action_id", "f-action"},
	    {"checkpoints", "f-action"},
	};
	const char *p;
	size_t i, row;

	if (n)
		out[0] = '\0';
	if (field == NULL || n == 0)
		return 0;
	for (i = 0; i < sizeof simple / sizeof simple[0]; i++) {
		if (is_field(field, simple[i].field)) {
			snprintf(out, n, "%s", simple[i].control);
			return 1;
		}
	}
	if (!is_field(field, "followups"))
		return 0;
	p = field + strlen("followups");
	if (*p == '\0') {
		snprintf(out, n, "f-fu-0-kind");
		return 1;
	}
	if (!read_index(&p, &i))
		return 0;
	row = fu_rows && i < n_rows ? fu_rows[i] : i;
	if (*p == '\0' || strcmp(p, ".kind") == 0 || strcmp(p, ".status") == 0)
		snprintf(out, n, "f-fu-%zu-kind", row);
	else if (strcmp(p, ".date") == 0)
		snprintf(out, n, "f-fu-%zu-date", row);
	else if (starts(p, ".provisions"))
		snprintf(out, n, "f-fu-%zu-prov", row);
	else
		return 0;
	return 1;
}

/* ---- Page frame -------------------------------------------------------------------- */

enum err_code web_csrf_field(struct http_request *req, struct buf *b)
{
	const struct store_principal *p = auth_user(req);

	if (p == NULL)
		return ERR_OK;
	if (html_raw(b, "<input type=\"hidden\" name=\"" AUTH_CSRF_FIELD "\" value=\"") != ERR_OK ||
	    html_attr(b, p->csrf) != ERR_OK || html_raw(b, "\">") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

/* A navigation link, marked as the current page when path is the request's. */
static enum err_code nav_link(struct http_request *req, struct buf *b, const char *href,
                              const char *label)
{
	int current = req->path && strcmp(req->path, href) == 0;

	if (html_raw(b, "<li><a href=\"") != ERR_OK || html_attr(b, href) != ERR_OK ||
	    html_raw(b, current ? "\" aria-current=\"page\">" : "\">") != ERR_OK ||
	    html_txt(b, label) != ERR_OK || html_raw(b, "</a></li>") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

enum err_code web_page_begin(struct http_request *req, struct buf *b, const char *title)
{
	const struct store_principal *p = auth_user(req);

	if (html_raw(b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	                "<title>") != ERR_OK ||
	    html_txt(b, title) != ERR_OK || html_raw(b, " – Constat</title>\n") != ERR_OK ||
	    html_raw(b, "<link rel=\"stylesheet\" href=\"") != ERR_OK ||
	    html_attr(b, web_asset_url("app.css")) != ERR_OK ||
	    html_raw(b, "\">\n<link rel=\"icon\" type=\"image/svg+xml\" href=\"") != ERR_OK ||
	    html_attr(b, web_asset_url("favicon.svg")) != ERR_OK ||
	    html_raw(b, "\">\n<script src=\"") != ERR_OK ||
	    html_attr(b, web_asset_url("app.js")) != ERR_OK ||
	    html_raw(b, "\" defer></script>\n</head>\n<body>\n"
	                "<a class=\"skip\" href=\"#contenu\">Aller au contenu</a>\n"
	                "<header class=\"site\">\n<div class=\"bar\">\n"
	                "<a class=\"brand\" href=\"/\">Constat</a>\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (p) {
		if (html_raw(b, "<nav aria-label=\"Navigation principale\"><ul>") != ERR_OK ||
		    nav_link(req, b, "/", "Accueil") != ERR_OK)
			return ERR_TOO_BIG;
		if (p->role == ROLE_AGENT &&
		    (nav_link(req, b, "/interventions/nouvelle", "Nouvelle intervention") !=
		         ERR_OK ||
		     nav_link(req, b, "/mon-activite", "Mon activité") != ERR_OK ||
		     nav_link(req, b, "/mes-consultations", "Qui a consulté mes dossiers") != ERR_OK))
			return ERR_TOO_BIG;
		if (p->role != ROLE_AGENT &&
		    nav_link(req, b, "/statistiques", "Statistiques") != ERR_OK)
			return ERR_TOO_BIG;
		if ((p->role == ROLE_ANALYST || p->role == ROLE_ADMIN) &&
		    nav_link(req, b, "/rapport-oit", "Rapport OIT") != ERR_OK)
			return ERR_TOO_BIG;
		if (p->role == ROLE_ADMIN &&
		    nav_link(req, b, "/admin/comptes", "Comptes") != ERR_OK)
			return ERR_TOO_BIG;
		if (html_raw(b, "</ul></nav>\n<div class=\"who\"><span class=\"name\">") !=
		        ERR_OK ||
		    html_txt(b, p->display_name) != ERR_OK ||
		    html_raw(b, "</span> <span class=\"role\">") != ERR_OK ||
		    html_txt(b, web_role_label((int)p->role)) != ERR_OK ||
		    html_raw(b, "</span>\n<form method=\"post\" action=\"/deconnexion\" "
		                "class=\"logout\">") != ERR_OK ||
		    web_csrf_field(req, b) != ERR_OK ||
		    html_raw(b,
		             "<button type=\"submit\" class=\"secondary\">Se déconnecter</button>"
		             "</form></div>\n") != ERR_OK)
			return ERR_TOO_BIG;
	}
	return html_raw(b, "</div>\n</header>\n<main id=\"contenu\" tabindex=\"-1\">\n");
}

enum err_code web_page_end(struct buf *b)
{
	return html_raw(b, "</main>\n<footer class=\"site\"><p>Constat – suivi de l'activité de "
	                   "l'inspection du travail. Les notes sont confidentielles.</p></footer>\n"
	                   "</body>\n</html>\n");
}

enum err_code web_page_reply(struct http_request *req, int status, struct buf *b, struct err *e)
{
	if (web_page_end(b) != ERR_OK)
		return err_set(e, ERR_INTERNAL, NULL, "the page passes its size cap");
	return http_reply_html(req, status, b);
}

static const char *status_title(int status)
{
	switch (status) {
	case 400:
		return "Requête mal formée";
	case 401:
		return "Connexion nécessaire";
	case 403:
		return "Accès refusé";
	case 404:
		return "Page introuvable";
	case 405:
		return "Méthode non permise";
	case 409:
		return "Conflit";
	case 413:
		return "Envoi trop volumineux";
	case 415:
		return "Format non pris en charge";
	case 422:
		return "Données invalides";
	case 429:
		return "Trop de tentatives";
	case 503:
		return "Service momentanément indisponible";
	default:
		return status >= 500 ? "Erreur interne" : "Erreur";
	}
}

static const char *status_text(int status)
{
	switch (status) {
	case 403:
		return "Vous n'avez pas accès à cette page.";
	case 404:
		return "Cette page n'existe pas ou a été déplacée.";
	case 405:
		return "Cette adresse n'accepte pas cette méthode.";
	case 413:
		return "Les données envoyées sont trop volumineuses.";
	case 503:
		return "Le service est momentanément indisponible : réessayez dans un instant.";
	default:
		return status >= 500 ? "Une erreur interne est survenue. Elle a été consignée ; "
		                       "réessayez plus tard."
		                     : "La demande n'a pas pu aboutir.";
	}
}

void web_error_page(struct http_request *req, int status, const char *message)
{
	struct buf b;
	char code[8];

	snprintf(code, sizeof code, "%d", status);
	buf_init(&b, 64 * 1024);
	if (web_page_begin(req, &b, status_title(status)) != ERR_OK ||
	    html_raw(&b, "<h1>") != ERR_OK || html_txt(&b, status_title(status)) != ERR_OK ||
	    html_raw(&b, "</h1>\n<p class=\"error-text\">") != ERR_OK ||
	    html_txt(&b, message ? message : status_text(status)) != ERR_OK ||
	    html_raw(&b, "</p>\n<p>Code d'erreur : ") != ERR_OK || html_txt(&b, code) != ERR_OK ||
	    html_raw(&b, ". <a href=\"/\">Retour à l'accueil</a></p>\n") != ERR_OK ||
	    web_page_end(&b) != ERR_OK || http_reply_html(req, status, &b) != ERR_OK) {
		buf_reset(&req->resp.body);
		req->resp.status = status;
	}
	buf_release(&b);
}

/* French messages for the policy and auth errors a page may meet. */
static const char *denied_text(const struct err *e)
{
	if (e && strcmp(e->field, AUTH_CSRF_FIELD) == 0)
		return "Le jeton de sécurité du formulaire est absent ou périmé : rechargez la "
		       "page "
		       "puis recommencez.";
	return "Vous n'avez pas accès à cette page : votre rôle ne le permet pas.";
}

void web_router_error(struct http_request *req, int status, const struct err *e)
{
	web_error_page(req, status, status == 403 ? denied_text(e) : NULL);
}

enum err_code web_fail(struct http_request *req, enum err_code rc, const struct err *e)
{
	int status = http_status_for_err(rc, 0);

	if (req->resp.status != 0)
		return rc;
	if (status >= 500)
		log_error("web: %s %s: %s: %s", req->method, req->route ? req->route->pattern : "?",
		          err_code_name(rc), e && e->msg[0] ? e->msg : "(no detail)");
	web_error_page(req, status, status == 403 ? denied_text(e) : NULL);
	return ERR_OK;
}

enum err_code web_redirect(struct http_request *req, const char *location)
{
	enum err_code rc = http_reply(req, 303, "text/plain; charset=utf-8", "", 0);

	if (rc == ERR_OK)
		rc = http_set_header(req, "Location", location);
	return rc;
}

/* ---- Routes ------------------------------------------------------------------------ */

#define AUTH HTTP_ROUTE_AUTH
#define FORM (HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF)

const struct http_route web_routes[] = {
    {"GET", "/static/{file}", web_static, 0},
    {"GET", "/favicon.ico", web_favicon, 0},
    {"GET", "/connexion", web_login_form, 0},
    {"POST", "/connexion", web_login_post, 0},
    {"POST", "/deconnexion", web_logout, FORM},
    {"GET", "/", web_home, AUTH},
    {"GET", "/recherche", web_search, AUTH},
    {"GET", "/etablissements/{siret}", web_establishment, AUTH},
    {"GET", "/interventions/nouvelle", web_intervention_new, AUTH},
    {"POST", "/interventions", web_intervention_create, FORM},
    {"GET", "/interventions/{id}", web_intervention_view, AUTH},
    {"POST", "/interventions/{id}", web_intervention_update, FORM},
    {"GET", "/interventions/{id}/modifier", web_intervention_edit, AUTH},
    {"GET", "/mon-activite", web_activity, AUTH},
    {"GET", "/mes-consultations", web_reads, AUTH},
    {"GET", "/mon-activite.pdf", web_activity_pdf, AUTH},
    {"GET", "/admin/comptes", web_accounts, AUTH},
    {"POST", "/admin/comptes", web_account_create, FORM},
    {"POST", "/admin/comptes/{login}/desactiver", web_account_disable, FORM},
    {"POST", "/admin/comptes/{login}/activer", web_account_enable, FORM},
    /* statistics dashboards (ui-stats.c) */
    {"GET", "/statistiques", web_stats_home, AUTH},
    {"GET", "/statistiques/tableau", web_stats_table, AUTH},
    {"GET", "/statistiques/export", web_stats_export, AUTH},
    /* ILO annual report (ui-ilo.c) */
    {"GET", "/rapport-oit", web_ilo_report, AUTH},
    {"POST", "/rapport-oit", web_ilo_text_save, FORM},
    {"GET", "/rapport-oit/export", web_ilo_export, AUTH},
    {NULL, NULL, NULL, 0},
};

/* ui-establishment: GET /etablissements/{siret}: the establishment's identity and, for
 * control agents, the shared history of interventions there (case_history). */
#include "web/web.h"

#include <string.h>

#include "api/auth.h"
#include "api/case.h"
#include "domain/siret.h"
#include "web/html.h"

#define HISTORY_MAX 200

/* One <dt>/<dd> pair; value NULL or "" is shown as "–". */
static enum err_code row(struct buf *b, const char *term, const char *value)
{
	if (html_raw(b, "<dt>") != ERR_OK || html_txt(b, term) != ERR_OK ||
	    html_raw(b, "</dt><dd>") != ERR_OK ||
	    html_txt(b, value && value[0] ? value : "–") != ERR_OK ||
	    html_raw(b, "</dd>\n") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

static enum err_code address(struct buf *b, const struct establishment *est)
{
	const char *parts[] = {est->street_number, est->street_repeat, est->street_type,
	                       est->street_name};
	int any = 0;

	if (html_raw(b, "<dt>Adresse</dt><dd>") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (parts[i] && parts[i][0]) {
			if ((any && html_raw(b, " ") != ERR_OK) || html_txt(b, parts[i]) != ERR_OK)
				return ERR_TOO_BIG;
			any = 1;
		}
	}
	if (est->address_extra && est->address_extra[0] &&
	    ((any && html_raw(b, "<br>") != ERR_OK) || html_txt(b, est->address_extra) != ERR_OK))
		return ERR_TOO_BIG;
	if (html_raw(b, any ? "<br>" : "") != ERR_OK || html_txt(b, est->postcode) != ERR_OK ||
	    html_raw(b, " ") != ERR_OK || html_txt(b, est->commune_name) != ERR_OK ||
	    html_raw(b, "</dd>\n") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

struct history {
	struct http_request *req;
	struct buf *b;
	const struct web_noms *noms;
	size_t n;
	int failed;
};

static int history_row(void *ctx, const struct intervention_rec *r)
{
	struct history *h = ctx;

	if (web_render_record(h->req, h->b, h->noms, r, 0) != ERR_OK) {
		h->failed = 1;
		return 1;
	}
	h->n++;
	return 0;
}

enum err_code web_establishment(struct http_request *req, struct err *e)
{
	const char *siret = http_param(req, "siret");
	struct policy_subject me = auth_subject(req);
	struct establishment_rec er;
	struct history h = {.req = req};
	struct web_noms noms;
	char title[200], d[11], enseignes[400];
	const char *band;
	struct arena a;
	struct buf b;
	enum err_code rc;

	if (siret == NULL || !siret_valid(siret)) {
		web_error_page(req, 404,
		               "Ce numéro n'est pas un SIRET valide (14 chiffres avec une "
		               "clé de contrôle correcte).");
		return ERR_OK;
	}
	arena_init(&a, 1u << 20);
	buf_init(&b, WEB_PAGE_MAX);
	if ((rc = store_establishment_get(req->store, siret, &a, &er, e)) != ERR_OK) {
		arena_release(&a);
		buf_release(&b);
		if (rc == ERR_NOT_FOUND) {
			web_error_page(req, 404,
			               "Aucun établissement avec ce SIRET dans le répertoire.");
			return ERR_OK;
		}
		return web_fail(req, rc, e);
	}
	snprintf(title, sizeof title, "%s", er.display_name ? er.display_name : siret);
	snprintf(enseignes, sizeof enseignes, "%s%s%s%s%s",
	         er.est.enseigne1 ? er.est.enseigne1 : "",
	         er.est.enseigne2 && er.est.enseigne2[0] ? ", " : "",
	         er.est.enseigne2 ? er.est.enseigne2 : "",
	         er.est.enseigne3 && er.est.enseigne3[0] ? ", " : "",
	         er.est.enseigne3 ? er.est.enseigne3 : "");
	band = web_headcount_label(er.est.headcount_band);
	rc = ERR_TOO_BIG;
	if (web_page_begin(req, &b, title) != ERR_OK || html_raw(&b, "<h1>") != ERR_OK ||
	    html_txt(&b, title) != ERR_OK || html_raw(&b, "</h1>\n<p class=\"tags\">") != ERR_OK ||
	    html_raw(&b, er.est.state && strcmp(er.est.state, "A") == 0
	                     ? "<span class=\"tag ok\">Actif</span>"
	                     : "<span class=\"tag off\">Fermé</span>") != ERR_OK ||
	    (er.est.head_office && html_raw(&b, " <span class=\"tag\">Siège</span>") != ERR_OK) ||
	    html_raw(&b, "</p>\n") != ERR_OK)
		goto out;
	if (policy_may(&me, POLICY_CASE_CREATE) &&
	    (html_raw(&b, "<p><a class=\"button primary\" href=\"/interventions/nouvelle?siret=") !=
	         ERR_OK ||
	     html_url_arg(&b, siret) != ERR_OK ||
	     html_raw(&b, "\">Nouvelle intervention ici</a></p>\n") != ERR_OK))
		goto out;
	if (html_raw(&b, "<section aria-labelledby=\"id-h\">\n<h2 id=\"id-h\">Identité</h2>\n"
	                 "<dl class=\"facts\">\n") != ERR_OK ||
	    row(&b, "Nom", er.display_name) != ERR_OK ||
	    row(&b, "Raison sociale", er.has_legal_unit ? er.lu.name : NULL) != ERR_OK ||
	    row(&b, "Enseignes", enseignes) != ERR_OK || row(&b, "SIRET", er.est.siret) != ERR_OK ||
	    row(&b, "SIREN", er.est.siren) != ERR_OK || address(&b, &er.est) != ERR_OK ||
	    html_raw(&b, "<dt>Activité (NAF)</dt><dd>") != ERR_OK ||
	    html_txt(&b, er.est.naf ? er.est.naf : "–") != ERR_OK ||
	    (er.naf_label &&
	     (html_raw(&b, " – ") != ERR_OK || html_txt(&b, er.naf_label) != ERR_OK)) ||
	    html_raw(&b, "</dd>\n") != ERR_OK ||
	    row(&b, "Effectif", band ? band : er.est.headcount_band) != ERR_OK ||
	    row(&b, "État", er.est.state && strcmp(er.est.state, "A") == 0 ? "Actif" : "Fermé") !=
	        ERR_OK ||
	    row(&b, "Siège", er.est.head_office ? "Oui" : "Non") != ERR_OK ||
	    row(&b, "Créé le", web_date_fr(er.est.created_on, d)) != ERR_OK ||
	    html_raw(&b, "</dl>\n</section>\n") != ERR_OK)
		goto out;
	if (policy_may(&me, POLICY_CASE_READ)) {
		if ((rc = web_noms_load(req, &noms, e)) != ERR_OK)
			goto fail;
		rc = ERR_TOO_BIG;
		h.b = &b;
		h.noms = &noms;
		if (html_raw(
		        &b, "<section aria-labelledby=\"hist-h\">\n<h2 id=\"hist-h\">Interventions "
		            "dans cet établissement</h2>\n<p class=\"hint\">Historique partagé "
		            "entre agents de contrôle, pour la coordination. Chaque consultation "
		            "du dossier d'un collègue est journalisée.</p>\n") != ERR_OK)
			goto out;
		if ((rc = case_history(req->store, &me, siret, HISTORY_MAX, history_row, &h, e)) !=
		    ERR_OK)
			goto fail;
		rc = ERR_TOO_BIG;
		if (h.failed ||
		    (h.n == 0 &&
		     html_raw(&b, "<p>Aucune intervention enregistrée.</p>\n") != ERR_OK) ||
		    html_raw(&b, "</section>\n") != ERR_OK)
			goto out;
	}
	rc = web_page_reply(req, 200, &b, e);
	arena_release(&a);
	buf_release(&b);
	return rc;
fail:
	arena_release(&a);
	buf_release(&b);
	return web_fail(req, rc, e);
out:
	arena_release(&a);
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the establishment page passes its size cap");
}

/* ui-home: GET / (the search box, and an agent's recent work) and GET /recherche (the
 * establishment search with the words that matched highlighted). */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/auth.h"
#include "core/date.h"
#include "store/store.h"
#include "web/html.h"

#define RECENT_MAX 10
#define RECENT_DAYS 90
#define SEARCH_PAGE_LIMIT 20

/* The search form; autofocus on the home page. */
static enum err_code search_form(struct buf *b, const char *q, int autofocus)
{
	if (html_raw(b, "<form method=\"get\" action=\"/recherche\" role=\"search\" "
	                "class=\"search\">\n<label for=\"q\">Rechercher un établissement</label>\n"
	                "<p class=\"hint\" id=\"q-hint\">Nom, enseigne, adresse, commune, code "
	                "postal, SIREN ou SIRET. Les fautes de frappe sont tolérées.</p>\n"
	                "<div class=\"inline\"><input id=\"q\" name=\"q\" type=\"search\" "
	                "maxlength=\"256\" aria-describedby=\"q-hint\" value=\"") != ERR_OK ||
	    html_attr(b, q) != ERR_OK ||
	    html_raw(b, autofocus ? "\" autofocus>" : "\">") != ERR_OK ||
	    html_raw(b, "<button type=\"submit\" class=\"primary\">Rechercher</button></div>\n"
	                "</form>\n") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

/* ---- Home -------------------------------------------------------------------------- */

struct recent {
	struct http_request *req;
	struct {
		int64_t id;
		const char *date, *kind, *target, *siret;
		size_t n_followups;
	} row[RECENT_MAX];
	size_t n, next; /* a ring of the last RECENT_MAX rows seen */
};

static int recent_row(void *ctx, const struct intervention_rec *r)
{
	struct recent *c = ctx;
	size_t i = c->next;

	c->row[i].id = r->iv.id;
	c->row[i].date = http_strdup(c->req, r->iv.date ? r->iv.date : "");
	c->row[i].kind = http_strdup(c->req, r->kind_label ? r->kind_label : r->iv.kind);
	c->row[i].target = http_strdup(c->req, r->target_name ? r->target_name : "");
	c->row[i].siret = r->iv.siret ? http_strdup(c->req, r->iv.siret) : NULL;
	c->row[i].n_followups = r->iv.n_followups;
	c->next = (i + 1) % RECENT_MAX;
	if (c->n < RECENT_MAX)
		c->n++;
	return 0;
}

static enum err_code recent_list(struct http_request *req, struct buf *b, struct err *e)
{
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN], d[11], id[24];
	struct recent c = {.req = req};
	int32_t today = date_today();
	enum err_code rc;

	date_format(today - RECENT_DAYS, from);
	date_format(today, to);
	if ((rc = store_agent_interventions(req->store, req->user_id, from, to, recent_row, &c,
	                                    e)) != ERR_OK)
		return rc;
	if (html_raw(b, "<section aria-labelledby=\"recent-h\">\n<h2 id=\"recent-h\">Mes "
	                "dernières interventions</h2>\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (c.n == 0)
		return html_raw(b, "<p>Aucune intervention enregistrée ces 90 derniers jours.</p>\n"
		                   "</section>\n");
	if (html_raw(b, "<ol class=\"cards\">\n") != ERR_OK)
		return ERR_TOO_BIG;
	/* Newest first: walk the ring backwards from the last row written. */
	for (size_t k = 0; k < c.n; k++) {
		size_t i = (c.next + RECENT_MAX - 1 - k) % RECENT_MAX;

		snprintf(id, sizeof id, "%lld", (long long)c.row[i].id);
		if (html_raw(b, "<li><a href=\"/interventions/") != ERR_OK ||
		    html_url_arg(b, id) != ERR_OK || html_raw(b, "\"><strong>") != ERR_OK ||
		    html_txt(b, c.row[i].target) != ERR_OK ||
		    html_raw(b, "</strong></a>") != ERR_OK ||
		    html_raw(b, "<span class=\"meta\">") != ERR_OK ||
		    html_txt(b, web_date_fr(c.row[i].date, d)) != ERR_OK ||
		    html_raw(b, " · ") != ERR_OK || html_txt(b, c.row[i].kind) != ERR_OK)
			return ERR_TOO_BIG;
		if (c.row[i].n_followups &&
		    (buf_printf(b, " · %zu suite%s", c.row[i].n_followups,
		                c.row[i].n_followups > 1 ? "s" : "") != ERR_OK))
			return ERR_TOO_BIG;
		if (html_raw(b, "</span></li>\n") != ERR_OK)
			return ERR_TOO_BIG;
	}
	return html_raw(b, "</ol>\n<p><a href=\"/mon-activite\">Toute mon activité du mois"
	                   "</a></p>\n</section>\n");
}

enum err_code web_home(struct http_request *req, struct err *e)
{
	const struct store_principal *me = auth_user(req);
	struct buf b;
	enum err_code rc = ERR_TOO_BIG;

	buf_init(&b, WEB_PAGE_MAX);
	if (web_page_begin(req, &b, "Accueil") != ERR_OK || html_raw(&b, "<h1>") != ERR_OK ||
	    html_txt(&b, "Bonjour ") != ERR_OK || html_txt(&b, me->display_name) != ERR_OK ||
	    html_raw(&b, "</h1>\n") != ERR_OK || search_form(&b, NULL, 1) != ERR_OK)
		goto out;
	switch (me->role) {
	case ROLE_AGENT:
		if (html_raw(&b,
		             "<p><a class=\"button primary big\" href=\"/interventions/nouvelle\">"
		             "Nouvelle intervention</a></p>\n") != ERR_OK)
			goto out;
		if ((rc = recent_list(req, &b, e)) != ERR_OK) {
			if (rc != ERR_TOO_BIG) {
				buf_release(&b);
				return web_fail(req, rc, e);
			}
			goto out;
		}
		break;
	case ROLE_MANAGER:
	case ROLE_ANALYST:
		if (html_raw(&b,
		             "<section class=\"panel\">\n<h2>Vos chiffres</h2>\n<p>Vos chiffres "
		             "viendront des statistiques publiées : des tableaux agrégés qui ne "
		             "permettent d'identifier aucun agent. Ils arrivent dans une prochaine "
		             "version.</p>\n<p>Les dossiers d'intervention (notes, suites) sont "
		             "réservés aux agents de contrôle : vous ne pouvez pas les consulter."
		             "</p>\n</section>\n") != ERR_OK)
			goto out;
		break;
	case ROLE_ADMIN:
		if (html_raw(&b, "<section class=\"panel\">\n<h2>Administration</h2>\n<p><a "
		                 "href=\"/admin/comptes\">Gérer les comptes</a> : créer un compte, "
		                 "désactiver ou réactiver un compte.</p>\n<p>Les dossiers "
		                 "d'intervention sont réservés aux agents de contrôle.</p>\n"
		                 "</section>\n") != ERR_OK)
			goto out;
		break;
	default:
		break;
	}
	rc = web_page_reply(req, 200, &b, e);
	buf_release(&b);
	return rc;
out:
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the home page passes its size cap");
}

/* ---- Search ------------------------------------------------------------------------ */

/* The bits of the query words that matched in field. */
static uint32_t field_mask(const struct search_result *res, const struct search_hit *h, int field)
{
	uint32_t m = 0;

	for (size_t i = 0; i < res->query.n && i < 32; i++)
		if (h->word_field[i] == field)
			m |= 1u << i;
	return m;
}

/* text with the query words that matched in field highlighted. */
static enum err_code hl(struct buf *b, const struct search_result *res, const struct search_hit *h,
                        const char *text, int field)
{
	return web_highlight(b, text, &res->query, field_mask(res, h, field), h->word_typos);
}

static enum err_code result_item(struct http_request *req, struct buf *b,
                                 const struct search_result *res, const struct search_hit *h,
                                 int agent)
{
	struct establishment_rec er;
	struct arena a;
	int have = 0;
	enum err_code rc = ERR_TOO_BIG;

	arena_init(&a, 1u << 16);
	have = store_establishment_get(req->store, h->siret, &a, &er, NULL) == ERR_OK;
	if (html_raw(b, "<li class=\"result\">\n<h2><a href=\"/etablissements/") != ERR_OK ||
	    html_url_arg(b, h->siret) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
	    hl(b, res, h, h->name, SEARCH_FIELD_NAME) != ERR_OK ||
	    html_raw(b, "</a></h2>\n") != ERR_OK)
		goto out;
	if (h->enseigne[0] && (html_raw(b, "<p class=\"enseigne\">Enseigne : ") != ERR_OK ||
	                       hl(b, res, h, h->enseigne, SEARCH_FIELD_ENSEIGNE) != ERR_OK ||
	                       html_raw(b, "</p>\n") != ERR_OK))
		goto out;
	if (html_raw(b, "<p class=\"address\">") != ERR_OK ||
	    hl(b, res, h, h->address, SEARCH_FIELD_ADDRESS) != ERR_OK ||
	    html_raw(b, h->address[0] ? ", " : "") != ERR_OK ||
	    hl(b, res, h, h->postcode, SEARCH_FIELD_COMMUNE) != ERR_OK ||
	    html_raw(b, " ") != ERR_OK ||
	    hl(b, res, h, h->commune, SEARCH_FIELD_COMMUNE) != ERR_OK ||
	    html_raw(b, "</p>\n<p class=\"meta\">SIRET <span class=\"mono\">") != ERR_OK ||
	    html_txt(b, h->siret) != ERR_OK || html_raw(b, "</span>") != ERR_OK)
		goto out;
	if (have && er.est.naf &&
	    (html_raw(b, " · NAF ") != ERR_OK || html_txt(b, er.est.naf) != ERR_OK ||
	     (er.naf_label && (html_raw(b, " ") != ERR_OK || html_txt(b, er.naf_label) != ERR_OK))))
		goto out;
	if (html_raw(b, "</p>\n<p class=\"tags\">") != ERR_OK ||
	    html_raw(b, (h->flags & SEARCH_HIT_ACTIVE)
	                    ? "<span class=\"tag ok\">Actif</span>"
	                    : "<span class=\"tag off\">Fermé</span>") != ERR_OK ||
	    ((h->flags & SEARCH_HIT_HEAD_OFFICE) &&
	     html_raw(b, " <span class=\"tag\">Siège</span>") != ERR_OK) ||
	    ((h->flags & (SEARCH_HIT_SIRET | SEARCH_HIT_SIREN)) &&
	     !(h->flags & SEARCH_HIT_CORRECTED) &&
	     html_raw(b, (h->flags & SEARCH_HIT_SIRET)
	                     ? " <span class=\"tag\">SIRET exact</span>"
	                     : " <span class=\"tag\">SIREN exact</span>") != ERR_OK))
		goto out;
	if ((h->flags & SEARCH_HIT_CORRECTED)) {
		char note[160];

		if (h->corrected_how == 's')
			snprintf(note, sizeof note,
			         "SIRET corrigé : chiffres %d et %d inversés dans la "
			         "saisie",
			         h->corrected_pos + 1, h->corrected_pos + 2);
		else if (h->corrected_pos >= 0)
			snprintf(note, sizeof note,
			         "SIRET corrigé : chiffre %d différent de la saisie",
			         h->corrected_pos + 1);
		else
			snprintf(note, sizeof note, "SIRET corrigé");
		if (html_raw(b, " <span class=\"tag warn\">") != ERR_OK ||
		    html_txt(b, note) != ERR_OK || html_raw(b, "</span>") != ERR_OK)
			goto out;
	}
	if (html_raw(b, "</p>\n") != ERR_OK)
		goto out;
	if (agent &&
	    (html_raw(b, "<p><a class=\"button\" href=\"/interventions/nouvelle?siret=") !=
	         ERR_OK ||
	     html_url_arg(b, h->siret) != ERR_OK ||
	     html_raw(b, "\">Nouvelle intervention<span class=\"visually-hidden\"> : ") != ERR_OK ||
	     html_txt(b, h->name) != ERR_OK || html_raw(b, "</span></a></p>\n") != ERR_OK))
		goto out;
	rc = html_raw(b, "</li>\n");
out:
	arena_release(&a);
	return rc;
}

enum err_code web_search(struct http_request *req, struct err *e)
{
	const struct store_principal *me = auth_user(req);
	struct search_result *res = NULL;
	const char *q = http_query(req, "q");
	char title[96];
	struct buf b;
	enum err_code rc;

	if (q && strlen(q) > 256)
		q = http_strndup(req, q, 256);
	if (q && q[0] && (rc = api_search_run(q, SEARCH_PAGE_LIMIT, &res, e)) != ERR_OK) {
		if (rc != ERR_BUSY)
			return web_fail(req, rc, e);
		web_error_page(req, 503,
		               "La recherche n'est pas encore prête : réessayez dans un "
		               "instant.");
		return ERR_OK;
	}
	snprintf(title, sizeof title, "Recherche%s", res ? " : résultats" : "");
	buf_init(&b, WEB_PAGE_MAX);
	if (web_page_begin(req, &b, title) != ERR_OK ||
	    html_raw(&b, "<h1>Rechercher un établissement</h1>\n") != ERR_OK ||
	    search_form(&b, q, res == NULL) != ERR_OK)
		goto too_big;
	if (res) {
		if (html_raw(&b, "<section aria-labelledby=\"res-h\">\n<h2 id=\"res-h\" "
		                 "role=\"status\">") != ERR_OK)
			goto too_big;
		if (res->n == 0) {
			if (html_txt(&b, "Aucun établissement ne correspond à « ") != ERR_OK ||
			    html_txt(&b, q) != ERR_OK || html_txt(&b, " ».") != ERR_OK)
				goto too_big;
		} else if (buf_printf(&b, "%zu résultat%s", res->n, res->n > 1 ? "s" : "") !=
		               ERR_OK ||
		           html_raw(&b, " pour « ") != ERR_OK || html_txt(&b, q) != ERR_OK ||
		           html_raw(&b, " »") != ERR_OK) {
			goto too_big;
		}
		if (html_raw(&b, "</h2>\n") != ERR_OK)
			goto too_big;
		if (res->n && html_raw(&b, "<ol class=\"results\">\n") != ERR_OK)
			goto too_big;
		for (size_t i = 0; i < res->n; i++)
			if (result_item(req, &b, res, &res->hit[i], me->role == ROLE_AGENT) !=
			    ERR_OK)
				goto too_big;
		if (html_raw(&b, res->n ? "</ol>\n</section>\n" : "</section>\n") != ERR_OK)
			goto too_big;
	}
	search_result_free(res);
	rc = web_page_reply(req, 200, &b, e);
	buf_release(&b);
	return rc;
too_big:
	search_result_free(res);
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the search page passes its size cap");
}

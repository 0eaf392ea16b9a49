/* ui-reads: "Qui a consulté mes dossiers" — every read of the agent's case records by
 * someone else, newest first. For the agent alone (POLICY_OWN_ACCESS_LOG). */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "web/html.h"

#define READS_SHOWN 500

struct rows {
	struct buf *b;
	size_t n;
	int failed;
};

static int row(void *ctx, const struct store_access *a)
{
	struct rows *r = ctx;
	struct buf *b = r->b;

	r->n++;
	r->failed |= html_raw(b, "<tr><td>") != ERR_OK || html_txt(b, a->at ? a->at : "") != ERR_OK ||
	             html_raw(b, "</td><td>") != ERR_OK ||
	             html_txt(b, a->reader_name ? a->reader_name : "") != ERR_OK ||
	             html_raw(b, "</td><td>") != ERR_OK ||
	             html_txt(b, a->reader_unit ? a->reader_unit : "") != ERR_OK ||
	             html_raw(b, "</td><td><a href=\"/interventions/") != ERR_OK ||
	             html_url_arg(b, a->intervention_id ? a->intervention_id : "") != ERR_OK ||
	             html_raw(b, "\">Intervention du ") != ERR_OK ||
	             html_txt(b, a->intervention_date ? a->intervention_date : "(supprimée)") !=
	                     ERR_OK ||
	             html_raw(b, "</a>") != ERR_OK;
	if (a->siret)
		r->failed |= html_raw(b, " — SIRET ") != ERR_OK || html_txt(b, a->siret) != ERR_OK;
	r->failed |= html_raw(b, "</td></tr>\n") != ERR_OK;
	return r->failed;
}

enum err_code web_reads(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct policy_object mine = {.owner_id = me.agent_id};
	struct buf b;
	struct rows r = {.b = &b};
	enum err_code rc;

	if ((rc = policy_require(&me, POLICY_OWN_ACCESS_LOG, &mine, NULL, e)) != ERR_OK)
		return web_fail(req, rc, e);
	buf_init(&b, WEB_PAGE_MAX);
	if (web_page_begin(req, &b, "Qui a consulté mes dossiers") != ERR_OK ||
	    html_raw(&b, "<h1>Qui a consulté mes dossiers</h1>\n"
	                 "<p class=\"hint\">Chaque lecture d'une de vos interventions par un ou une "
	                 "collègue est enregistrée, et vous seul pouvez en voir la liste. Les "
	                 "responsables, analystes et administrateurs ne lisent aucun dossier.</p>\n"
	                 "<table><caption>Les consultations les plus récentes d'abord</caption>\n"
	                 "<thead><tr><th scope=\"col\">Quand (UTC)</th><th scope=\"col\">Qui</th>"
	                 "<th scope=\"col\">Service</th><th scope=\"col\">Dossier</th></tr></thead>"
	                 "\n<tbody>\n") != ERR_OK) {
		buf_release(&b);
		return err_set(e, ERR_INTERNAL, NULL, "the page passes its size cap");
	}
	rc = store_access_log(req->store, me.agent_id, READS_SHOWN, row, &r, e);
	if (rc == ERR_OK && !r.failed &&
	    (html_raw(&b, "</tbody></table>\n") != ERR_OK ||
	     (r.n == 0 && html_raw(&b, "<p>Personne n'a encore consulté vos dossiers.</p>\n") !=
	                      ERR_OK)))
		r.failed = 1;
	if (rc == ERR_OK && r.failed)
		rc = err_set(e, ERR_INTERNAL, NULL, "the page passes its size cap");
	if (rc == ERR_OK)
		rc = web_page_reply(req, 200, &b, e);
	buf_release(&b);
	return rc == ERR_OK ? ERR_OK : web_fail(req, rc, e);
}

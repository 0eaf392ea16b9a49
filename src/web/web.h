/* web: the French web interface (server-rendered HTML). One file per page (ui-*.c),
 * shared page parts in ui-shared.c, the form parser in form.c, the escapers in html.c,
 * the static assets in ui-static.c. See docs/UI.md. */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "domain/policy.h"
#include "http/request.h"
#include "http/router.h"
#include "search/search.h"
#include "store/store.h"

/* The routes of the web interface (listed in src/http/routes.c before core_routes). */
extern const struct http_route web_routes[];

/* ---- Form bodies (form.c) ---------------------------------------------------------- */

#define WEB_FORM_MAX_FIELDS 400  /* name=value pairs in one body */
#define WEB_FORM_MAX_NAME 64     /* bytes of one decoded name */
#define WEB_FORM_MAX_VALUE 20480 /* bytes of one decoded value (a note is up to 20000) */

struct web_form {
	struct http_param *f; /* decoded pairs in body order (request arena) */
	size_t n;
};

/* Parses an application/x-www-form-urlencoded body of len bytes into form: pairs split
 * on '&', empty pairs skipped, '+' is a space, percent-escapes decoded (a pair without
 * '=' has the value ""). ERR_INVALID (field "body") on a bad escape, a NUL or invalid
 * UTF-8; ERR_TOO_BIG past WEB_FORM_MAX_FIELDS pairs or a name or value past its cap.
 * On failure form is empty. Everything lives in req's arena. */
enum err_code web_form_parse(struct http_request *req, const char *body, size_t len,
                             struct web_form *form, struct err *e);
/* The first value of name, or NULL. */
const char *web_form_get(const struct web_form *form, const char *name);
/* How many pairs are named name. */
size_t web_form_count(const struct web_form *form, const char *name);
/* The value of the i-th pair named name (0-based), or NULL. */
const char *web_form_nth(const struct web_form *form, const char *name, size_t i);
/* 1 when a pair name=value is present. */
int web_form_has(const struct web_form *form, const char *name, const char *value);
/* Parses the request body as a form: ERR_INVALID (field "body") unless the request's
 * Content-Type is application/x-www-form-urlencoded. */
enum err_code web_form_read(struct http_request *req, struct web_form *form, struct err *e);

/* ---- Page frame and shared parts (ui-shared.c) ------------------------------------- */

#define WEB_PAGE_MAX (4u << 20) /* bytes of one page */

/* Starts a page titled "TITLE - Constat": head (stylesheet, script, icon), skip link,
 * header with the product name, the user's name and role, the navigation and the
 * logout button (when logged in), then <main id="contenu">. */
enum err_code web_page_begin(struct http_request *req, struct buf *b, const char *title);
/* Closes <main> and the page. */
enum err_code web_page_end(struct buf *b);
/* Ends the page in b and replies it with status; releases nothing (the caller owns b). */
enum err_code web_page_reply(struct http_request *req, int status, struct buf *b, struct err *e);
/* Replies a French error page for status with a message (NULL: the status's usual
 * text). Never fails visibly: a page that cannot be built becomes a bare status. */
void web_error_page(struct http_request *req, int status, const char *message);
/* The router's page-error hook (src/http/router.h http_page_error): the status's French
 * page, with e's message for 4xx statuses other than 404. */
void web_router_error(struct http_request *req, int status, const struct err *e);
/* Handles a handler failure: a French error page for rc (403, 404, 503, 500...) unless
 * a reply is set already. Returns ERR_OK so that the router keeps the page. */
enum err_code web_fail(struct http_request *req, enum err_code rc, const struct err *e);
/* A 303 redirect to location (a local path). */
enum err_code web_redirect(struct http_request *req, const char *location);
/* The hidden CSRF field of the logged-in user's session. */
enum err_code web_csrf_field(struct http_request *req, struct buf *b);

/* The French label of a role ("Agent de contrôle"...). */
const char *web_role_label(int role);
/* The SIRENE headcount band in words ("10 à 19 salariés"); NULL for an unknown code,
 * "Non renseigné" for NULL, "" or "NN". */
const char *web_headcount_label(const char *band);
/* A date YYYY-MM-DD as DD/MM/YYYY into out (11 bytes); other text is copied as is. */
const char *web_date_fr(const char *iso, char out[11]);
/* The French month name (1-12) or "". */
const char *web_month_name(int month);

/* Writes text escaped, with the words of query q whose bit is set in mask (bit i: word
 * i) wrapped in <mark>: comparison on folded text (case, accents, ligatures), a word
 * matching when its folded form equals a query form, starts with it (the query's
 * unfinished last word, or a word of at least 3 letters), or lies within the query word's
 * typo budget, or within typos[i] when the search reported more (typos may be NULL);
 * the original text is displayed. */
enum err_code web_highlight(struct buf *b, const char *text, const struct search_query *q,
                            uint32_t mask, const uint8_t *typos);

/* Maps an error field of case.h ("siret", "followups[1].date", "themes[0]") to the id of
 * the form control it concerns, written to out (size n). fu_rows[i] is the form row of
 * the i-th follow-up sent (n_rows of them; the row index is used when i is past them).
 * Returns 0 when no control fits (the error then shows in the summary only). */
int web_error_control(const char *field, const size_t *fu_rows, size_t n_rows, char *out, size_t n);

/* The active items of the nomenclatures, in display order, copied into the request's
 * arena (web_noms_load in ui-shared.c). */
struct web_noms {
	struct nomenclature_item *themes, *kinds, *fu_kinds;
	size_t n_themes, n_kinds, n_fu_kinds;
};
enum err_code web_noms_load(struct http_request *req, struct web_noms *n, struct err *e);
/* The label of code among items, else code itself. */
const char *web_nom_label(const struct nomenclature_item *items, size_t n, const char *code);

/* Writes an intervention record as an <article>: date, kind, author, themes, priority
 * action, follow-ups and the note (line breaks kept); with full, also the co-agents, the
 * on-site flag and the control points (ui-intervention.c). */
struct intervention_rec;
enum err_code web_render_record(struct http_request *req, struct buf *b,
                                const struct web_noms *noms, const struct intervention_rec *r,
                                int full);

/* The URL of an embedded asset with its version ("/static/app.css?v=..."), "/" when
 * unknown (ui-static.c). */
const char *web_asset_url(const char *file);

/* ---- Handlers (one file each) ------------------------------------------------------ */

enum err_code web_login_form(struct http_request *req, struct err *e);
enum err_code web_login_post(struct http_request *req, struct err *e);
enum err_code web_logout(struct http_request *req, struct err *e);
enum err_code web_home(struct http_request *req, struct err *e);
enum err_code web_search(struct http_request *req, struct err *e);
enum err_code web_establishment(struct http_request *req, struct err *e);
enum err_code web_intervention_view(struct http_request *req, struct err *e);
enum err_code web_intervention_new(struct http_request *req, struct err *e);
enum err_code web_intervention_create(struct http_request *req, struct err *e);
enum err_code web_intervention_edit(struct http_request *req, struct err *e);
enum err_code web_intervention_update(struct http_request *req, struct err *e);
enum err_code web_activity(struct http_request *req, struct err *e);
enum err_code web_reads(struct http_request *req, struct err *e);
enum err_code web_activity_pdf(struct http_request *req, struct err *e);
/* ui-stats.c: dashboards of released statistics (managers: their subtree; analysts and
 * administrators: national) and their CSV / XLSX exports. */
enum err_code web_stats_home(struct http_request *req, struct err *e);
enum err_code web_stats_table(struct http_request *req, struct err *e);
enum err_code web_stats_export(struct http_request *req, struct err *e);
/* ui-ilo.c: the ILO Convention 81 annual report (HTML, PDF, XLSX) and its editable
 * item (a). */
enum err_code web_ilo_report(struct http_request *req, struct err *e);
enum err_code web_ilo_text_save(struct http_request *req, struct err *e);
enum err_code web_ilo_export(struct http_request *req, struct err *e);
enum err_code web_accounts(struct http_request *req, struct err *e);
enum err_code web_account_create(struct http_request *req, struct err *e);
enum err_code web_account_disable(struct http_request *req, struct err *e);
enum err_code web_account_enable(struct http_request *req, struct err *e);
enum err_code web_static(struct http_request *req, struct err *e);
enum err_code web_favicon(struct http_request *req, struct err *e);

#endif

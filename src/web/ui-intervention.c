/* ui-intervention: an intervention's page (GET /interventions/{id}) and the one-screen
 * form that records or changes one with its follow-ups (GET /interventions/nouvelle,
 * POST /interventions, GET /interventions/{id}/modifier, POST /interventions/{id}).
 * Every rule (policy, validation, references, audit) lives in api/case.c: this file only
 * turns the form into a record and back, and errors into messages beside their fields. */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "api/auth.h"
#include "api/case.h"
#include "core/date.h"
#include "domain/siret.h"
#include "web/html.h"

#define FU_ROWS_MAX 50  /* follow-up rows read from one form */
#define FU_ROWS_EMPTY 3 /* rows offered on a new form (JS shows the first only) */
#define ACTIONS_MAX 50  /* priority actions offered */
#define CO_AGENTS_MAX 20

/* ---- Priority actions running ------------------------------------------------------ */

struct action {
	int64_t id;
	const char *code, *title;
	const int64_t *cp_ids;
	const char *const *cp_labels;
	size_t n_cps;
};

struct actions {
	struct http_request *req;
	struct action a[ACTIONS_MAX];
	size_t n;
};

static int action_row(void *ctx, const struct priority_action *pa, const int64_t *cp_ids)
{
	struct actions *c = ctx;
	struct action *a;
	int64_t *ids;
	const char **labels;

	if (c->n == ACTIONS_MAX)
		return 1;
	a = &c->a[c->n++];
	a->id = pa->id;
	a->code = http_strdup(c->req, pa->code ? pa->code : "");
	a->title = http_strdup(c->req, pa->title ? pa->title : "");
	ids = http_alloc(c->req, (pa->n_control_points + 1) * sizeof *ids);
	labels = http_alloc(c->req, (pa->n_control_points + 1) * sizeof *labels);
	for (size_t i = 0; i < pa->n_control_points; i++) {
		ids[i] = cp_ids[i];
		labels[i] = http_strdup(c->req, pa->control_points[i] ? pa->control_points[i] : "");
	}
	a->cp_ids = ids;
	a->cp_labels = labels;
	a->n_cps = pa->n_control_points;
	return 0;
}

/* The actions running on date (today when date is not a valid past date) for the caller. */
static enum err_code actions_load(struct http_request *req, const char *date, struct actions *out,
                                  struct err *e)
{
	const struct store_principal *me = auth_user(req);
	char today[DATE_ISO_LEN];
	int32_t d;

	out->req = req;
	out->n = 0;
	if (date == NULL || date_parse(date, &d) != 0 || d > date_today())
		date = date_format(date_today(), today);
	return store_priority_actions_running(req->store, date, me ? me->region_code : "",
	                                      action_row, out, e);
}

static const struct action *action_find(const struct actions *as, int64_t id)
{
	for (size_t i = 0; i < as->n; i++)
		if (as->a[i].id == id)
			return &as->a[i];
	return NULL;
}

/* ---- The record, read only --------------------------------------------------------- */

static enum err_code dt(struct buf *b, const char *term)
{
	if (html_raw(b, "<dt>") != ERR_OK || html_txt(b, term) != ERR_OK ||
	    html_raw(b, "</dt><dd>") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

static const char *state_label(const char *state)
{
	if (state && strcmp(state, MODEL_CHECKPOINT_COMPLIANT) == 0)
		return "Conforme";
	if (state && strcmp(state, MODEL_CHECKPOINT_NON_COMPLIANT) == 0)
		return "Non conforme";
	return "Non vérifié";
}

static enum err_code followups_list(struct buf *b, const struct web_noms *noms,
                                    const struct intervention *iv)
{
	char d[11];

	if (iv->n_followups == 0)
		return html_raw(b, "Aucune");
	if (html_raw(b, "<ul class=\"plain\">") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t i = 0; i < iv->n_followups; i++) {
		const struct followup *f = &iv->followups[i];

		if (html_raw(b, "<li>") != ERR_OK ||
		    html_txt(b, web_nom_label(noms->fu_kinds, noms->n_fu_kinds, f->kind)) !=
		        ERR_OK ||
		    html_raw(b, " du ") != ERR_OK || html_txt(b, web_date_fr(f->date, d)) != ERR_OK)
			return ERR_TOO_BIG;
		for (size_t k = 0; k < f->n_provisions; k++)
			if (html_raw(b, k ? ", " : " – articles ") != ERR_OK ||
			    html_txt(b, f->provisions[k]) != ERR_OK)
				return ERR_TOO_BIG;
		if (html_raw(b, "</li>") != ERR_OK)
			return ERR_TOO_BIG;
	}
	return html_raw(b, "</ul>");
}

enum err_code web_render_record(struct http_request *req, struct buf *b,
                                const struct web_noms *noms, const struct intervention_rec *r,
                                int full)
{
	const struct intervention *iv = &r->iv;
	char id[24], d[11];
	struct actions as;

	snprintf(id, sizeof id, "%lld", (long long)iv->id);
	if (html_raw(b, "<article class=\"record\">\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (!full &&
	    (html_raw(b, "<h3><a href=\"/interventions/") != ERR_OK ||
	     html_url_arg(b, id) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
	     html_txt(b, web_date_fr(iv->date, d)) != ERR_OK || html_raw(b, " – ") != ERR_OK ||
	     html_txt(b, r->kind_label ? r->kind_label : iv->kind) != ERR_OK ||
	     html_raw(b, "</a></h3>\n") != ERR_OK))
		return ERR_TOO_BIG;
	if (html_raw(b, "<dl class=\"facts\">\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (full &&
	    (dt(b, "Date") != ERR_OK || html_txt(b, web_date_fr(iv->date, d)) != ERR_OK ||
	     html_raw(b, "</dd>\n") != ERR_OK || dt(b, "Type") != ERR_OK ||
	     html_txt(b, r->kind_label ? r->kind_label : iv->kind) != ERR_OK ||
	     html_raw(b, iv->on_site ? " (sur site)</dd>\n" : " (hors site)</dd>\n") != ERR_OK ||
	     dt(b, "Établissement") != ERR_OK))
		return ERR_TOO_BIG;
	if (full && iv->siret &&
	    (html_raw(b, "<a href=\"/etablissements/") != ERR_OK ||
	     html_url_arg(b, iv->siret) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
	     html_txt(b, r->target_name) != ERR_OK ||
	     html_raw(b, "</a> <span class=\"mono\">") != ERR_OK ||
	     html_txt(b, iv->siret) != ERR_OK || html_raw(b, "</span>") != ERR_OK))
		return ERR_TOO_BIG;
	if (full && !iv->siret && html_txt(b, r->target_name) != ERR_OK)
		return ERR_TOO_BIG;
	if ((full && html_raw(b, "</dd>\n") != ERR_OK) || dt(b, "Auteur") != ERR_OK ||
	    html_txt(b, r->author_name) != ERR_OK || html_raw(b, "</dd>\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (full && iv->n_co_agents) {
		if (dt(b, "Co-agents") != ERR_OK)
			return ERR_TOO_BIG;
		for (size_t i = 0; i < iv->n_co_agents; i++)
			if (html_raw(b, i ? ", " : "") != ERR_OK ||
			    html_txt(b, r->co_agent_names ? r->co_agent_names[i] : "") != ERR_OK)
				return ERR_TOO_BIG;
		if (html_raw(b, "</dd>\n") != ERR_OK)
			return ERR_TOO_BIG;
	}
	if (dt(b, "Thèmes") != ERR_OK || html_raw(b, iv->n_themes ? "" : "Aucun") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t i = 0; i < iv->n_themes; i++)
		if (html_raw(b, i ? ", " : "") != ERR_OK ||
		    html_txt(b, web_nom_label(noms->themes, noms->n_themes, iv->themes[i])) !=
		        ERR_OK)
			return ERR_TOO_BIG;
	if (html_raw(b, "</dd>\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (iv->priority_action_id) {
		const struct action *a = NULL;

		if (full && actions_load(req, iv->date, &as, NULL) == ERR_OK)
			a = action_find(&as, iv->priority_action_id);
		if (dt(b, "Action prioritaire") != ERR_OK ||
		    html_txt(b, a ? a->title : r->priority_action_code) != ERR_OK)
			return ERR_TOO_BIG;
		if (full && iv->n_checkpoints) {
			if (html_raw(b, "<ul class=\"plain\">") != ERR_OK)
				return ERR_TOO_BIG;
			for (size_t i = 0; i < iv->n_checkpoints; i++) {
				const char *label = NULL;
				char num[40];

				for (size_t k = 0; a && k < a->n_cps; k++)
					if (a->cp_ids[k] == iv->checkpoints[i].control_point_id)
						label = a->cp_labels[k];
				snprintf(num, sizeof num, "Point n° %lld",
				         (long long)iv->checkpoints[i].control_point_id);
				if (html_raw(b, "<li>") != ERR_OK ||
				    html_txt(b, label ? label : num) != ERR_OK ||
				    html_raw(b, " : <strong>") != ERR_OK ||
				    html_txt(b, state_label(iv->checkpoints[i].state)) != ERR_OK ||
				    html_raw(b, "</strong></li>") != ERR_OK)
					return ERR_TOO_BIG;
			}
			if (html_raw(b, "</ul>") != ERR_OK)
				return ERR_TOO_BIG;
		}
		if (html_raw(b, "</dd>\n") != ERR_OK)
			return ERR_TOO_BIG;
	}
	if (dt(b, "Suites") != ERR_OK || followups_list(b, noms, iv) != ERR_OK ||
	    html_raw(b, "</dd>\n</dl>\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (iv->note && iv->note[0] &&
	    (html_raw(b, "<div class=\"note\"><p class=\"note-h\">Note</p><p>") != ERR_OK ||
	     html_txt(b, iv->note) != ERR_OK || html_raw(b, "</p></div>\n") != ERR_OK))
		return ERR_TOO_BIG;
	return html_raw(b, "</article>\n");
}

/* The {id} capture as a positive number, or 0. */
static int64_t path_id(struct http_request *req)
{
	int64_t v = 0;

	return num_parse(http_param(req, "id"), 1, INT64_MAX, &v) == 0 ? v : 0;
}

enum err_code web_intervention_view(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r;
	struct web_noms noms;
	char title[160], d[11], id[24];
	struct arena a;
	struct buf b;
	enum err_code rc;
	int64_t iid = path_id(req);

	if (iid == 0) {
		web_error_page(req, 404, NULL);
		return ERR_OK;
	}
	arena_init(&a, 4u << 20);
	if ((rc = case_read(req->store, &me, iid, &a, &r, e)) != ERR_OK ||
	    (rc = web_noms_load(req, &noms, e)) != ERR_OK) {
		arena_release(&a);
		if (rc == ERR_NOT_FOUND) {
			web_error_page(req, 404, "Cette intervention n'existe pas.");
			return ERR_OK;
		}
		return web_fail(req, rc, e);
	}
	snprintf(title, sizeof title, "Intervention du %s", web_date_fr(r.iv.date, d));
	snprintf(id, sizeof id, "%lld", (long long)iid);
	buf_init(&b, WEB_PAGE_MAX);
	rc = ERR_TOO_BIG;
	if (web_page_begin(req, &b, title) != ERR_OK || html_raw(&b, "<h1>") != ERR_OK ||
	    html_txt(&b, title) != ERR_OK || html_raw(&b, "<span class=\"sub\">") != ERR_OK ||
	    html_txt(&b, r.target_name) != ERR_OK || html_raw(&b, "</span></h1>\n") != ERR_OK)
		goto out;
	if ((http_query(req, "enregistree") || http_query(req, "modifiee")) &&
	    html_raw(&b, http_query(req, "enregistree")
	                     ? "<p class=\"notice\" role=\"status\">Intervention enregistrée.</p>\n"
	                     : "<p class=\"notice\" role=\"status\">Modifications enregistrées."
	                       "</p>\n") != ERR_OK)
		goto out;
	if (web_render_record(req, &b, &noms, &r, 1) != ERR_OK)
		goto out;
	if (r.iv.author_id == me.agent_id &&
	    (html_raw(&b, "<p class=\"actions\"><a class=\"button\" href=\"/interventions/") !=
	         ERR_OK ||
	     html_url_arg(&b, id) != ERR_OK || html_raw(&b, "/modifier\">Modifier</a>") != ERR_OK ||
	     (r.iv.siret && (html_raw(&b, " <a class=\"button\" href=\"/interventions/nouvelle"
	                                  "?siret=") != ERR_OK ||
	                     html_url_arg(&b, r.iv.siret) != ERR_OK ||
	                     html_raw(&b, "\">Nouvelle intervention ici</a>") != ERR_OK)) ||
	     html_raw(&b, "</p>\n") != ERR_OK))
		goto out;
	rc = web_page_reply(req, 200, &b, e);
	arena_release(&a);
	buf_release(&b);
	return rc;
out:
	arena_release(&a);
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the intervention page passes its size cap");
}

/* ---- The form's state -------------------------------------------------------------- */

struct fu_row {
	const char *id, *kind, *date, *prov;
};

/* What the form shows: typed values (strings as typed) or a record's. */
struct form_state {
	int64_t id; /* 0 for a new intervention */
	const char *siret, *date, *kind, *co_agents, *note, *action;
	int on_site;
	const char *const *themes;
	size_t n_themes;
	struct fu_row rows[FU_ROWS_MAX];
	size_t n_rows;
	const struct web_form *form;        /* the checkpoint states typed ("cp-ID"), or NULL */
	const struct checkpoint_state *cps; /* a record's checkpoint states, or NULL */
	size_t n_cps;
	const struct err *error; /* the error to show, or NULL */
	const size_t *fu_rows;   /* form row of each follow-up sent */
	size_t n_fu_sent;
	const char **logins; /* the co-agents' logins as split from the form */
};

static int has_theme(const struct form_state *s, const char *code)
{
	for (size_t i = 0; i < s->n_themes; i++)
		if (strcmp(s->themes[i], code) == 0)
			return 1;
	return 0;
}

/* The state of control point cp in s: typed, the record's, or not checked. */
static const char *cp_state(struct http_request *req, const struct form_state *s, int64_t cp)
{
	char name[40];
	const char *v;

	if (s->form) {
		snprintf(name, sizeof name, "cp-%lld", (long long)cp);
		v = web_form_get(s->form, name);
		(void)req;
		return v ? v : MODEL_CHECKPOINT_NOT_CHECKED;
	}
	for (size_t i = 0; i < s->n_cps; i++)
		if (s->cps[i].control_point_id == cp)
			return s->cps[i].state;
	return MODEL_CHECKPOINT_NOT_CHECKED;
}

/* ---- Error messages ---------------------------------------------------------------- */

/* A French message for an error of the domain layer (whose messages are English). */
static void french_message(const struct err *e, char *out, size_t n)
{
	static const struct {
		const char *en, *fr;
	} table[] = {
	    {"is required", "Ce champ est obligatoire."},
	    {"must not be after today", "La date ne peut pas être postérieure à aujourd'hui."},
	    {"must not be before the intervention's date",
	     "La date de la suite ne peut pas précéder celle de l'intervention."},
	    {"expected a date", "Saisissez une date valide."},
	    {"duplicate of", "Cette valeur figure deux fois."},
	    {"must not be the author", "Vous ne pouvez pas vous désigner comme co-agent."},
	    {"no establishment with this SIRET",
	     "Aucun établissement avec ce SIRET dans le répertoire."},
	    {"check digit is wrong", "Ce SIRET n'a pas une clé de contrôle valide."},
	    {"expected 14 digits", "Un SIRET compte 14 chiffres."},
	    {"unknown theme", "Thème inconnu."},
	    {"unknown intervention kind", "Type d'intervention inconnu."},
	    {"unknown follow-up kind", "Type de suite inconnu."},
	    {"no priority action",
	     "Cette action prioritaire ne s'applique pas à cette date dans votre région."},
	    {"not a control point", "Ce point de contrôle n'appartient pas à l'action choisie."},
	    {"no such control agent", "Aucun agent de contrôle actif avec cet identifiant."},
	};
	const char *msg = e->msg;

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (strstr(msg, table[i].en)) {
			snprintf(out, n, "%s", table[i].fr);
			return;
		}
	}
	/* Messages written in French by this file, or an untranslated detail. */
	if (strncmp(msg, "FR:", 3) == 0)
		snprintf(out, n, "%s", msg + 3);
	else
		snprintf(out, n, "Valeur refusée (%s).", msg);
}

/* A label for the summary: "Date", "Suite 2 : date"... */
static void field_label(const char *field, const size_t *fu_rows, size_t n_sent, char *out,
                        size_t n)
{
	static const struct {
		const char *field, *label;
	} labels[] = {
	    {"siret", "Établissement (SIRET)"},
	    {"worksite_id", "Établissement"},
	    {"date", "Date"},
	    {"kind", "Type d'intervention"},
	    {"on_site", "Sur site"},
	    {"note", "Note"},
	    {"themes", "Thèmes"},
	    {"co_agents", "Co-agents"},
	    {"priority_action_id", "Action prioritaire"},
	    {"checkpoints", "Points de contrôle"},
	    {"status", "Statut"},
	};
	size_t k;

	for (k = 0; k < sizeof labels / sizeof labels[0]; k++) {
		size_t l = strlen(labels[k].field);

		if (strncmp(field, labels[k].field, l) == 0 &&
		    (field[l] == '\0' || field[l] == '[' || field[l] == '.')) {
			snprintf(out, n, "%s", labels[k].label);
			return;
		}
	}
	if (strncmp(field, "followups[", 10) == 0) {
		size_t i = strtoul(field + 10, NULL, 10),
		       row = i < n_sent && fu_rows ? fu_rows[i] : i;
		const char *dot = strchr(field, '.');
		const char *what = dot == NULL                 ? ""
		                   : strcmp(dot, ".date") == 0 ? " : date"
		                   : strcmp(dot, ".kind") == 0 ? " : type"
		                                               : " : articles";

		snprintf(out, n, "Suite %zu%s", row + 1, what);
		return;
	}
	snprintf(out, n, "Formulaire");
}

/* ---- The form ---------------------------------------------------------------------- */

struct form_ctx {
	struct http_request *req;
	struct buf *b;
	const struct form_state *s;
	char control[64]; /* the control the error concerns, "" when none */
	char message[300];
};

/* aria attributes and the message for a control with id (after the control). */
static enum err_code err_attrs(struct form_ctx *c, const char *id)
{
	if (c->control[0] == '\0' || strcmp(c->control, id) != 0)
		return ERR_OK;
	if (html_raw(c->b, " aria-invalid=\"true\" aria-describedby=\"") != ERR_OK ||
	    html_attr(c->b, id) != ERR_OK || html_raw(c->b, "-err\"") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

static enum err_code field_err_text(struct form_ctx *c, const char *id)
{
	if (c->control[0] == '\0' || strcmp(c->control, id) != 0)
		return ERR_OK;
	if (html_raw(c->b, "<p class=\"field-error\" id=\"") != ERR_OK ||
	    html_attr(c->b, id) != ERR_OK || html_raw(c->b, "-err\">") != ERR_OK ||
	    html_txt(c->b, c->message) != ERR_OK || html_raw(c->b, "</p>") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

static enum err_code option(struct buf *b, const char *value, const char *label, int selected,
                            const char *extra)
{
	if (html_raw(b, "<option value=\"") != ERR_OK || html_attr(b, value) != ERR_OK ||
	    html_raw(b, "\"") != ERR_OK || html_raw(b, extra) != ERR_OK ||
	    html_raw(b, selected ? " selected>" : ">") != ERR_OK || html_txt(b, label) != ERR_OK ||
	    html_raw(b, "</option>") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

static enum err_code text_field(struct form_ctx *c, const char *id, const char *name,
                                const char *label, const char *type, const char *value,
                                const char *hint, const char *extra)
{
	struct buf *b = c->b;
	int invalid = c->control[0] && strcmp(c->control, id) == 0;

	if (html_raw(b, "<div class=\"field") != ERR_OK ||
	    html_raw(b, invalid ? " invalid\">" : "\">") != ERR_OK ||
	    html_raw(b, "<label for=\"") != ERR_OK || html_attr(b, id) != ERR_OK ||
	    html_raw(b, "\">") != ERR_OK || html_txt(b, label) != ERR_OK ||
	    html_raw(b, "</label>") != ERR_OK)
		return ERR_TOO_BIG;
	if (hint && (html_raw(b, "<p class=\"hint\" id=\"") != ERR_OK ||
	             html_attr(b, id) != ERR_OK || html_raw(b, "-hint\">") != ERR_OK ||
	             html_txt(b, hint) != ERR_OK || html_raw(b, "</p>") != ERR_OK))
		return ERR_TOO_BIG;
	if (field_err_text(c, id) != ERR_OK)
		return ERR_TOO_BIG;
	if (html_raw(b, "<input id=\"") != ERR_OK || html_attr(b, id) != ERR_OK ||
	    html_raw(b, "\" name=\"") != ERR_OK || html_attr(b, name) != ERR_OK ||
	    html_raw(b, "\" type=\"") != ERR_OK || html_attr(b, type) != ERR_OK ||
	    html_raw(b, "\" value=\"") != ERR_OK || html_attr(b, value) != ERR_OK ||
	    html_raw(b, "\"") != ERR_OK || html_raw(b, extra) != ERR_OK)
		return ERR_TOO_BIG;
	if (invalid) {
		if (err_attrs(c, id) != ERR_OK)
			return ERR_TOO_BIG;
	} else if (hint && (html_raw(b, " aria-describedby=\"") != ERR_OK ||
	                    html_attr(b, id) != ERR_OK || html_raw(b, "-hint\"") != ERR_OK)) {
		return ERR_TOO_BIG;
	}
	return html_raw(b, "></div>\n");
}

static enum err_code themes_field(struct form_ctx *c, const struct web_noms *noms)
{
	struct buf *b = c->b;

	if (html_raw(b, "<fieldset class=\"themes\" id=\"f-themes\" tabindex=\"-1\"") != ERR_OK ||
	    err_attrs(c, "f-themes") != ERR_OK ||
	    html_raw(b, "><legend>Thèmes contrôlés</legend>") != ERR_OK ||
	    field_err_text(c, "f-themes") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t t = 0; t < noms->n_themes; t++) {
		const struct nomenclature_item *top = &noms->themes[t];

		if (top->parent)
			continue;
		if (html_raw(b, "\n<fieldset class=\"theme-group\"><legend>") != ERR_OK ||
		    html_txt(b, top->label) != ERR_OK ||
		    html_raw(b, "</legend><div class=\"chips\">") != ERR_OK)
			return ERR_TOO_BIG;
		for (size_t k = 0; k < noms->n_themes; k++) {
			const struct nomenclature_item *it = &noms->themes[k];

			if (k != t && (it->parent == NULL || strcmp(it->parent, top->code) != 0))
				continue;
			if (html_raw(
			        b, "<input type=\"checkbox\" class=\"chip-input\" name=\"themes\" "
			           "id=\"t-") != ERR_OK ||
			    html_attr(b, it->code) != ERR_OK ||
			    html_raw(b, "\" value=\"") != ERR_OK ||
			    html_attr(b, it->code) != ERR_OK ||
			    html_raw(b, has_theme(c->s, it->code) ? "\" checked>" : "\">") !=
			        ERR_OK ||
			    html_raw(b, "<label class=\"chip\" for=\"t-") != ERR_OK ||
			    html_attr(b, it->code) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
			    html_txt(b, k == t ? "Général" : it->label) != ERR_OK ||
			    html_raw(b, "</label>") != ERR_OK)
				return ERR_TOO_BIG;
		}
		if (html_raw(b, "</div></fieldset>") != ERR_OK)
			return ERR_TOO_BIG;
	}
	return html_raw(b, "\n</fieldset>\n");
}

static enum err_code action_field(struct form_ctx *c, const struct actions *as)
{
	static const char *const states[] = {MODEL_CHECKPOINT_COMPLIANT,
	                                     MODEL_CHECKPOINT_NON_COMPLIANT,
	                                     MODEL_CHECKPOINT_NOT_CHECKED};
	struct buf *b = c->b;
	char v[24];

	if (html_raw(b,
	             "<div class=\"field\"><label for=\"f-action\">Action prioritaire</label>") !=
	        ERR_OK ||
	    field_err_text(c, "f-action") != ERR_OK ||
	    html_raw(b, "<select id=\"f-action\" name=\"action\"") != ERR_OK ||
	    err_attrs(c, "f-action") != ERR_OK || html_raw(b, ">") != ERR_OK ||
	    option(b, "", "Aucune", c->s->action == NULL || c->s->action[0] == '\0', "") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t i = 0; i < as->n; i++) {
		snprintf(v, sizeof v, "%lld", (long long)as->a[i].id);
		if (option(b, v, as->a[i].title, c->s->action && strcmp(c->s->action, v) == 0,
		           "") != ERR_OK)
			return ERR_TOO_BIG;
	}
	if (html_raw(b, "</select></div>\n") != ERR_OK)
		return ERR_TOO_BIG;
	if (as->n && html_raw(b, "<p class=\"hint nojs-only\">Ne remplissez que les points de "
	                         "l'action choisie ; les autres sont ignorés.</p>\n") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t i = 0; i < as->n; i++) {
		const struct action *a = &as->a[i];

		if (a->n_cps == 0)
			continue;
		snprintf(v, sizeof v, "%lld", (long long)a->id);
		if (html_raw(b, "<fieldset class=\"checklist\" data-action=\"") != ERR_OK ||
		    html_attr(b, v) != ERR_OK ||
		    html_raw(b, "\"><legend>Points de contrôle : ") != ERR_OK ||
		    html_txt(b, a->title) != ERR_OK || html_raw(b, "</legend>\n") != ERR_OK)
			return ERR_TOO_BIG;
		for (size_t k = 0; k < a->n_cps; k++) {
			const char *st = cp_state(c->req, c->s, a->cp_ids[k]);
			char name[40];

			snprintf(name, sizeof name, "cp-%lld", (long long)a->cp_ids[k]);
			if (html_raw(b, "<fieldset class=\"cp\"><legend>") != ERR_OK ||
			    html_txt(b, a->cp_labels[k]) != ERR_OK ||
			    html_raw(b, "</legend><div class=\"states\">") != ERR_OK)
				return ERR_TOO_BIG;
			for (size_t j = 0; j < 3; j++) {
				char id[64];

				snprintf(id, sizeof id, "%s-%zu", name, j);
				if (html_raw(b, "<input type=\"radio\" name=\"") != ERR_OK ||
				    html_attr(b, name) != ERR_OK ||
				    html_raw(b, "\" id=\"") != ERR_OK ||
				    html_attr(b, id) != ERR_OK ||
				    html_raw(b, "\" value=\"") != ERR_OK ||
				    html_attr(b, states[j]) != ERR_OK ||
				    html_raw(b, strcmp(st, states[j]) == 0 ? "\" checked>"
				                                           : "\">") != ERR_OK ||
				    html_raw(b, "<label for=\"") != ERR_OK ||
				    html_attr(b, id) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
				    html_txt(b, state_label(states[j])) != ERR_OK ||
				    html_raw(b, "</label>") != ERR_OK)
					return ERR_TOO_BIG;
			}
			if (html_raw(b, "</div></fieldset>\n") != ERR_OK)
				return ERR_TOO_BIG;
		}
		if (html_raw(b, "</fieldset>\n") != ERR_OK)
			return ERR_TOO_BIG;
	}
	return ERR_OK;
}

static enum err_code followup_row(struct form_ctx *c, const struct web_noms *noms, size_t i,
                                  const struct fu_row *r, int extra)
{
	struct buf *b = c->b;
	char id[48], label[48];

	if (buf_printf(b,
	               "<fieldset class=\"fu-row%s\" data-row=\"%zu\"><legend>Suite %zu</legend>",
	               extra ? " fu-extra" : "", i, i + 1) != ERR_OK ||
	    html_raw(b, "<input type=\"hidden\" name=\"fu_id\" value=\"") != ERR_OK ||
	    html_attr(b, r->id) != ERR_OK || html_raw(b, "\">") != ERR_OK)
		return ERR_TOO_BIG;
	snprintf(id, sizeof id, "f-fu-%zu-kind", i);
	if (html_raw(b, "<div class=\"field\"><label for=\"") != ERR_OK ||
	    html_attr(b, id) != ERR_OK || html_raw(b, "\">Type</label>") != ERR_OK ||
	    field_err_text(c, id) != ERR_OK ||
	    html_raw(b, "<select name=\"fu_kind\" id=\"") != ERR_OK || html_attr(b, id) != ERR_OK ||
	    html_raw(b, "\"") != ERR_OK || err_attrs(c, id) != ERR_OK ||
	    html_raw(b, ">") != ERR_OK ||
	    option(b, "", "Aucune", r->kind == NULL || r->kind[0] == '\0', "") != ERR_OK)
		return ERR_TOO_BIG;
	for (size_t k = 0; k < noms->n_fu_kinds; k++)
		if (option(b, noms->fu_kinds[k].code, noms->fu_kinds[k].label,
		           r->kind && strcmp(r->kind, noms->fu_kinds[k].code) == 0, "") != ERR_OK)
			return ERR_TOO_BIG;
	if (html_raw(b, "</select></div>") != ERR_OK)
		return ERR_TOO_BIG;
	snprintf(id, sizeof id, "f-fu-%zu-date", i);
	snprintf(label, sizeof label, "Date");
	if (text_field(c, id, "fu_date", label, "date", r->date, NULL, "") != ERR_OK)
		return ERR_TOO_BIG;
	snprintf(id, sizeof id, "f-fu-%zu-prov", i);
	if (text_field(c, id, "fu_prov", "Articles visés", "text", r->prov,
	               "Séparés par des virgules, par ex. L.4121-1, R.4323-58", "") != ERR_OK)
		return ERR_TOO_BIG;
	return html_raw(b, "</fieldset>\n");
}

static enum err_code summary(struct form_ctx *c)
{
	const struct form_state *s = c->s;
	char label[96];

	if (s->error == NULL)
		return ERR_OK;
	field_label(s->error->field, s->fu_rows, s->n_fu_sent, label, sizeof label);
	if (html_raw(c->b,
	             "<div class=\"error-summary\" role=\"alert\" id=\"erreurs\" "
	             "tabindex=\"-1\"><h2>L'intervention n'est pas enregistrée</h2><ul><li>") !=
	    ERR_OK)
		return ERR_TOO_BIG;
	if (c->control[0] &&
	    (html_raw(c->b, "<a href=\"#") != ERR_OK || html_attr(c->b, c->control) != ERR_OK ||
	     html_raw(c->b, "\">") != ERR_OK))
		return ERR_TOO_BIG;
	if (html_txt(c->b, label) != ERR_OK || html_raw(c->b, " : ") != ERR_OK ||
	    html_txt(c->b, c->message) != ERR_OK ||
	    html_raw(c->b, c->control[0] ? "</a></li></ul></div>\n" : "</li></ul></div>\n") !=
	        ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

/* The name and town of the establishment whose SIRET is in the field (when known), in the
 * element the autocomplete of app.js updates. */
static enum err_code siret_name(struct http_request *req, struct buf *b, const char *siret)
{
	struct establishment_rec er;
	struct arena a;
	enum err_code rc = ERR_OK;

	if (html_raw(b, "<p class=\"ac-name\" id=\"f-siret-name\" aria-live=\"polite\">") != ERR_OK)
		return ERR_TOO_BIG;
	arena_init(&a, 1u << 16);
	if (siret && siret_valid(siret) &&
	    store_establishment_get(req->store, siret, &a, &er, NULL) == ERR_OK &&
	    (html_txt(b, er.display_name) != ERR_OK || html_raw(b, " – ") != ERR_OK ||
	     html_txt(b, er.est.postcode) != ERR_OK || html_raw(b, " ") != ERR_OK ||
	     html_txt(b, er.est.commune_name) != ERR_OK))
		rc = ERR_TOO_BIG;
	arena_release(&a);
	if (rc == ERR_OK && html_raw(b, "</p>\n") != ERR_OK)
		rc = ERR_TOO_BIG;
	return rc;
}

/* Renders the whole form page for s with status. */
static enum err_code form_page(struct http_request *req, const struct form_state *s, int status,
                               struct err *e)
{
	struct form_ctx c = {.req = req, .s = s};
	struct web_noms noms;
	struct actions as;
	char title[96], action[64], today[DATE_ISO_LEN];
	struct buf b;
	enum err_code rc;

	if ((rc = web_noms_load(req, &noms, e)) != ERR_OK ||
	    (rc = actions_load(req, s->date, &as, e)) != ERR_OK)
		return web_fail(req, rc, e);
	if (s->error) {
		web_error_control(s->error->field, s->fu_rows, s->n_fu_sent, c.control,
		                  sizeof c.control);
		french_message(s->error, c.message, sizeof c.message);
	}
	if (s->id)
		snprintf(title, sizeof title, "%sModifier l'intervention n° %lld",
		         s->error ? "Erreur – " : "", (long long)s->id);
	else
		snprintf(title, sizeof title, "%sNouvelle intervention",
		         s->error ? "Erreur – " : "");
	if (s->id)
		snprintf(action, sizeof action, "/interventions/%lld", (long long)s->id);
	else
		snprintf(action, sizeof action, "/interventions");
	date_format(date_today(), today);
	buf_init(&b, WEB_PAGE_MAX);
	c.b = &b;
	if (web_page_begin(req, &b, title) != ERR_OK || html_raw(&b, "<h1>") != ERR_OK ||
	    html_txt(&b, s->id ? "Modifier l'intervention" : "Nouvelle intervention") != ERR_OK ||
	    html_raw(&b, "</h1>\n") != ERR_OK || summary(&c) != ERR_OK ||
	    html_raw(&b, "<form method=\"post\" class=\"intervention\" action=\"") != ERR_OK ||
	    html_attr(&b, action) != ERR_OK || html_raw(&b, "\">\n") != ERR_OK ||
	    web_csrf_field(req, &b) != ERR_OK || html_raw(&b, "\n<div class=\"grid\">\n") != ERR_OK)
		goto too_big;
	/* The establishment: JS adds the search-as-you-type list below the field. */
	if (text_field(
	        &c, "f-siret", "siret", "Établissement (SIRET)", "text", s->siret,
	        "14 chiffres. Vous pouvez aussi taper un nom : des propositions s'affichent.",
	        s->siret && s->siret[0]
	            ? " required autocomplete=\"off\" spellcheck=\"false\" maxlength=\"256\" "
	              "data-autocomplete=\"/api/v1/establishments\""
	            : " required autocomplete=\"off\" spellcheck=\"false\" maxlength=\"256\" "
	              "data-autocomplete=\"/api/v1/establishments\" autofocus") != ERR_OK)
		goto too_big;
	if (siret_name(req, &b, s->siret) != ERR_OK)
		goto too_big;
	{
		char max[64];

		snprintf(max, sizeof max, " required max=\"%s\"", today);
		if (text_field(&c, "f-date", "date", "Date", "date", s->date, NULL, max) != ERR_OK)
			goto too_big;
	}
	if (html_raw(&b,
	             "<div class=\"field\"><label for=\"f-kind\">Type d'intervention</label>") !=
	        ERR_OK ||
	    field_err_text(&c, "f-kind") != ERR_OK ||
	    html_raw(&b, "<select id=\"f-kind\" name=\"kind\" required") != ERR_OK ||
	    html_raw(&b, s->siret && s->siret[0] ? " autofocus" : "") != ERR_OK ||
	    err_attrs(&c, "f-kind") != ERR_OK || html_raw(&b, ">") != ERR_OK ||
	    option(&b, "", "Choisir…", s->kind == NULL || s->kind[0] == '\0', "") != ERR_OK)
		goto too_big;
	for (size_t k = 0; k < noms.n_kinds; k++)
		if (option(&b, noms.kinds[k].code, noms.kinds[k].label,
		           s->kind && strcmp(s->kind, noms.kinds[k].code) == 0,
		           noms.kinds[k].flag ? " data-onsite=\"1\"" : " data-onsite=\"0\"") !=
		    ERR_OK)
			goto too_big;
	if (html_raw(&b, "</select></div>\n<div class=\"field check\"><input type=\"checkbox\" "
	                 "id=\"f-on_site\" name=\"on_site\" value=\"1\"") != ERR_OK ||
	    html_raw(&b, s->on_site ? " checked" : "") != ERR_OK ||
	    html_raw(&b,
	             "><label for=\"f-on_site\">Sur site (visite de l'établissement)</label>") !=
	        ERR_OK ||
	    field_err_text(&c, "f-on_site") != ERR_OK ||
	    html_raw(&b, "</div>\n</div>\n") != ERR_OK || themes_field(&c, &noms) != ERR_OK ||
	    action_field(&c, &as) != ERR_OK ||
	    text_field(&c, "f-co_agents", "co_agents", "Co-agents", "text", s->co_agents,
	               "Identifiants des collègues présents, séparés par des virgules.",
	               " autocomplete=\"off\" spellcheck=\"false\"") != ERR_OK ||
	    html_raw(&b, "<fieldset id=\"f-followups\" class=\"followups\"><legend>Suites données"
	                 "</legend>\n") != ERR_OK)
		goto too_big;
	for (size_t i = 0; i < s->n_rows; i++) {
		/* Rows after the first that are still empty are hidden by JS until asked for. */
		const struct fu_row *r = &s->rows[i];
		int empty = !(r->id && r->id[0]) && !(r->kind && r->kind[0]) &&
		            !(r->date && r->date[0]) && !(r->prov && r->prov[0]);

		if (followup_row(&c, &noms, i, r, empty && i > 0) != ERR_OK)
			goto too_big;
	}
	if (html_raw(&b, "<button type=\"button\" class=\"secondary js-only\" id=\"fu-add\" hidden>"
	                 "Ajouter une suite</button>\n</fieldset>\n") != ERR_OK)
		goto too_big;
	if (html_raw(&b, "<div class=\"field") != ERR_OK ||
	    html_raw(&b, strcmp(c.control, "f-note") == 0 ? " invalid\">" : "\">") != ERR_OK ||
	    html_raw(&b, "<label for=\"f-note\">Note (confidentielle, partagée entre agents de "
	                 "contrôle)</label>") != ERR_OK ||
	    field_err_text(&c, "f-note") != ERR_OK ||
	    html_raw(&b, "<textarea id=\"f-note\" name=\"note\" rows=\"6\" maxlength=\"20000\"") !=
	        ERR_OK ||
	    err_attrs(&c, "f-note") != ERR_OK || html_raw(&b, ">") != ERR_OK ||
	    html_txt(&b, s->note) != ERR_OK ||
	    html_raw(&b,
	             "</textarea></div>\n<div class=\"actions sticky\"><button type=\"submit\" "
	             "class=\"primary\">Enregistrer l'intervention</button> <a href=\"") != ERR_OK)
		goto too_big;
	if (s->id) {
		if (html_attr(&b, action) != ERR_OK)
			goto too_big;
	} else if (html_raw(&b, "/") != ERR_OK) {
		goto too_big;
	}
	if (html_raw(&b, "\">Annuler</a></div>\n</form>\n") != ERR_OK)
		goto too_big;
	rc = web_page_reply(req, status, &b, e);
	buf_release(&b);
	return rc;
too_big:
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the intervention form passes its size cap");
}

/* ---- From the form to a record ----------------------------------------------------- */

static const char *trim(struct http_request *req, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return http_strndup(req, s, n);
}

/* Splits "a, b ,c" into trimmed non-empty items (at most max; *n receives the count,
 * and is max + 1 when there were more). */
static const char **split_list(struct http_request *req, const char *s, size_t max, size_t *n)
{
	const char **out = http_alloc(req, (max + 2) * sizeof *out);

	*n = 0;
	while (s && *s) {
		size_t len = strcspn(s, ",;");
		const char *item = trim(req, s, len);

		if (item[0]) {
			if (*n == max) {
				(*n)++;
				break;
			}
			out[(*n)++] = item;
		}
		s += len;
		if (*s)
			s++;
	}
	return out;
}

/* Reads the form into the state s (everything as typed). */
static void state_from_form(struct http_request *req, const struct web_form *f,
                            struct form_state *s)
{
	size_t nt = web_form_count(f, "themes"), nk = web_form_count(f, "fu_kind");
	const char **themes = http_alloc(req, (nt + 1) * sizeof *themes);

	s->siret = web_form_get(f, "siret");
	s->date = web_form_get(f, "date");
	s->kind = web_form_get(f, "kind");
	s->on_site = web_form_get(f, "on_site") != NULL;
	s->co_agents = web_form_get(f, "co_agents");
	s->note = web_form_get(f, "note");
	s->action = web_form_get(f, "action");
	for (size_t i = 0; i < nt; i++)
		themes[i] = web_form_nth(f, "themes", i);
	s->themes = themes;
	s->n_themes = nt;
	s->n_rows = 0;
	for (size_t i = 0; i < nk && s->n_rows < FU_ROWS_MAX; i++) {
		struct fu_row *r = &s->rows[s->n_rows++];

		r->id = web_form_nth(f, "fu_id", i);
		r->kind = web_form_nth(f, "fu_kind", i);
		r->date = web_form_nth(f, "fu_date", i);
		r->prov = web_form_nth(f, "fu_prov", i);
	}
	if (s->n_rows == 0) {
		s->rows[0] = (struct fu_row){0};
		s->n_rows = 1;
	}
	s->form = f;
}

static int row_empty(const struct fu_row *r)
{
	return !(r->kind && r->kind[0]) && !(r->date && r->date[0]) && !(r->prov && r->prov[0]);
}

/* A French error of this file (french_message shows it as is). */
static enum err_code form_err(struct err *e, const char *field, const char *msg)
{
	return err_set(e, ERR_INVALID, field, "FR:%s", msg);
}

/* Builds the record iv from the state s: the follow-ups of the non-empty rows (their
 * row numbers into fu_rows), the co-agents' ids, the chosen action's checkpoints. Only
 * the form's own syntax is checked here (a number, a known login); every rule is
 * case.c's. */
static enum err_code record_from_state(struct http_request *req, struct form_state *s,
                                       const struct actions *as, struct intervention *iv,
                                       struct followup *fus, size_t *fu_rows, size_t *n_fu,
                                       struct err *e)
{
	const char **logins;
	size_t n;
	int64_t *ids;

	iv->siret = s->siret && s->siret[0] ? trim(req, s->siret, strlen(s->siret)) : NULL;
	if (iv->siret) {
		/* "552 100 554 00014" as printed on documents. */
		char *compact = http_alloc(req, strlen(iv->siret) + 1);
		size_t k = 0;

		for (const char *p = iv->siret; *p; p++)
			if (*p != ' ')
				compact[k++] = *p;
		iv->siret = compact;
	}
	iv->date = s->date && s->date[0] ? s->date : NULL;
	iv->kind = s->kind && s->kind[0] ? s->kind : NULL;
	iv->on_site = s->on_site;
	iv->note = s->note ? s->note : "";
	iv->themes = s->themes;
	iv->n_themes = s->n_themes;
	logins = split_list(req, s->co_agents, CO_AGENTS_MAX, &n);
	if (n > CO_AGENTS_MAX)
		return form_err(e, "co_agents", "Vingt co-agents au plus.");
	/* An unknown login becomes id 0, which case.c refuses in its own order of checks;
	 * the message then names the login (see unknown_login). */
	ids = http_alloc(req, (n + 1) * sizeof *ids);
	for (size_t i = 0; i < n; i++)
		if (store_control_agent_id(req->store, logins[i], &ids[i], NULL) != ERR_OK)
			ids[i] = 0;
	s->logins = logins;
	iv->co_agents = ids;
	iv->n_co_agents = n;
	iv->priority_action_id = 0;
	iv->checkpoints = NULL;
	iv->n_checkpoints = 0;
	if (s->action && s->action[0]) {
		const struct action *a;
		struct checkpoint_state *cps;
		int64_t v = 0;

		if (num_parse(s->action, 1, INT64_MAX, &v) != 0)
			return form_err(e, "priority_action_id",
			                "Choisissez une action dans la liste.");
		iv->priority_action_id = v;
		a = action_find(as, v);
		if (a) {
			cps = http_alloc(req, (a->n_cps + 1) * sizeof *cps);
			for (size_t k = 0; k < a->n_cps; k++) {
				cps[k].control_point_id = a->cp_ids[k];
				cps[k].state = cp_state(req, s, a->cp_ids[k]);
			}
			iv->checkpoints = cps;
			iv->n_checkpoints = a->n_cps;
		}
	}
	*n_fu = 0;
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct fu_row *r = &s->rows[i];
		struct followup *f = &fus[*n_fu];

		if (row_empty(r)) {
			if (r->id && r->id[0]) {
				char field[40];

				snprintf(field, sizeof field, "followups[%zu]", *n_fu);
				fu_rows[*n_fu] = i;
				return form_err(e, field,
				                "Une suite enregistrée ne peut pas être effacée "
				                "ici : laissez-la telle quelle.");
			}
			continue;
		}
		memset(f, 0, sizeof *f);
		f->kind = r->kind && r->kind[0] ? r->kind : NULL;
		/* An empty date means the intervention's date. */
		f->date = r->date && r->date[0] ? r->date : iv->date;
		f->status = "draft";
		f->provisions = split_list(req, r->prov, 30, &f->n_provisions);
		if (f->n_provisions > 30) {
			char field[40];

			snprintf(field, sizeof field, "followups[%zu].provisions", *n_fu);
			fu_rows[*n_fu] = i;
			return form_err(e, field, "Trente articles au plus.");
		}
		if (r->id && r->id[0])
			f->id = strtoll(r->id, NULL, 10);
		fu_rows[*n_fu] = i;
		(*n_fu)++;
	}
	iv->followups = fus;
	iv->n_followups = *n_fu;
	return ERR_OK;
}

/* ---- Handlers ---------------------------------------------------------------------- */

enum err_code web_intervention_new(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct form_state s = {0};
	char today[DATE_ISO_LEN];
	enum err_code rc;

	if ((rc = policy_require(&me, POLICY_CASE_CREATE, NULL, NULL, e)) != ERR_OK)
		return web_fail(req, rc, e);
	s.siret = http_query(req, "siret");
	s.date = http_strdup(req, date_format(date_today(), today));
	s.kind = "controle_site";
	s.on_site = 1;
	s.n_rows = FU_ROWS_EMPTY;
	return form_page(req, &s, 200, e);
}

/* Re-renders the form with everything typed and the error beside its field: 422. */
static enum err_code form_error(struct http_request *req, struct form_state *s, struct err *fe,
                                const size_t *fu_rows, size_t n_fu, struct err *e)
{
	struct err *te = fe;
	size_t i;

	/* co_agents[i] refused as id 0: the login typed matches no active control agent. */
	if (strncmp(fe->field, "co_agents[", 10) == 0 && s->logins) {
		char field[ERR_FIELD_MAX];

		memcpy(field, fe->field, sizeof field);
		i = strtoul(fe->field + 10, NULL, 10);
		if (i < CO_AGENTS_MAX && s->logins[i] && strstr(fe->msg, "positive id"))
			err_set(te, ERR_INVALID, field,
			        "FR:Aucun agent de contrôle actif avec l'identifiant « %.60s ».",
			        s->logins[i]);
	}
	s->error = fe;
	s->fu_rows = fu_rows;
	s->n_fu_sent = n_fu;
	return form_page(req, s, 422, e);
}

enum err_code web_intervention_create(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct form_state s = {0};
	struct intervention iv = {.status = "final", .note = ""};
	struct followup fus[FU_ROWS_MAX];
	size_t fu_rows[FU_ROWS_MAX], n_fu = 0;
	struct web_form f;
	struct actions as;
	struct err fe = {0};
	char location[64];
	enum err_code rc;
	int64_t id = 0;

	if ((rc = policy_require(&me, POLICY_CASE_CREATE, NULL, NULL, e)) != ERR_OK ||
	    (rc = web_form_read(req, &f, e)) != ERR_OK)
		return web_fail(req, rc, e);
	state_from_form(req, &f, &s);
	if ((rc = actions_load(req, s.date, &as, e)) != ERR_OK)
		return web_fail(req, rc, e);
	rc = record_from_state(req, &s, &as, &iv, fus, fu_rows, &n_fu, &fe);
	if (rc == ERR_OK)
		rc = case_create(req->store, &me, &iv, &id, &fe);
	if (rc == ERR_INVALID)
		return form_error(req, &s, &fe, fu_rows, n_fu, e);
	if (rc != ERR_OK)
		return web_fail(req, rc, &fe);
	snprintf(location, sizeof location, "/interventions/%lld?enregistree=1", (long long)id);
	return web_redirect(req, location);
}

struct logins {
	const int64_t *ids;
	size_t n;
	struct buf *out;
};

static int login_of(void *ctx, const struct agent *a)
{
	struct logins *l = ctx;

	for (size_t i = 0; i < l->n; i++) {
		if (l->ids[i] == a->id) {
			if (l->out->len)
				buf_puts(l->out, ", ");
			buf_puts(l->out, a->login);
		}
	}
	return 0;
}

enum err_code web_intervention_edit(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r;
	struct form_state s = {0};
	struct buf co;
	struct arena a;
	enum err_code rc;
	int late = 0;
	int64_t iid = path_id(req);

	if (iid == 0) {
		web_error_page(req, 404, NULL);
		return ERR_OK;
	}
	arena_init(&a, 4u << 20);
	if ((rc = case_read_for_edit(req->store, &me, iid, &a, &r, &late, e)) != ERR_OK) {
		arena_release(&a);
		if (rc == ERR_NOT_FOUND) {
			web_error_page(req, 404, "Cette intervention n'existe pas.");
			return ERR_OK;
		}
		return web_fail(req, rc, e);
	}
	/* The state borrows the record: copy what it shows into the request's arena. */
	s.id = iid;
	s.siret = http_strdup(req, r.iv.siret ? r.iv.siret : "");
	s.date = http_strdup(req, r.iv.date ? r.iv.date : "");
	s.kind = http_strdup(req, r.iv.kind ? r.iv.kind : "");
	s.on_site = r.iv.on_site;
	s.note = http_strdup(req, r.iv.note ? r.iv.note : "");
	if (r.iv.priority_action_id) {
		char v[24];

		snprintf(v, sizeof v, "%lld", (long long)r.iv.priority_action_id);
		s.action = http_strdup(req, v);
	}
	{
		const char **t = http_alloc(req, (r.iv.n_themes + 1) * sizeof *t);
		struct checkpoint_state *cps =
		    http_alloc(req, (r.iv.n_checkpoints + 1) * sizeof *cps);

		for (size_t i = 0; i < r.iv.n_themes; i++)
			t[i] = http_strdup(req, r.iv.themes[i]);
		s.themes = t;
		s.n_themes = r.iv.n_themes;
		for (size_t i = 0; i < r.iv.n_checkpoints; i++) {
			cps[i].control_point_id = r.iv.checkpoints[i].control_point_id;
			cps[i].state = http_strdup(req, r.iv.checkpoints[i].state);
		}
		s.cps = cps;
		s.n_cps = r.iv.n_checkpoints;
	}
	/* Co-agents are typed and shown by login; the record holds their ids. */
	buf_init(&co, 4096);
	if (r.iv.n_co_agents) {
		struct logins l = {.ids = r.iv.co_agents, .n = r.iv.n_co_agents, .out = &co};

		store_agent_each(req->store, login_of, &l, NULL);
	}
	s.co_agents = http_strdup(req, buf_str(&co));
	buf_release(&co);
	for (size_t i = 0; i < r.iv.n_followups && s.n_rows < FU_ROWS_MAX - 2; i++) {
		const struct followup *f = &r.iv.followups[i];
		struct fu_row *row = &s.rows[s.n_rows++];
		struct buf p;
		char id[24];

		snprintf(id, sizeof id, "%lld", (long long)f->id);
		buf_init(&p, 4096);
		for (size_t k = 0; k < f->n_provisions; k++)
			if ((k && buf_puts(&p, ", ") != ERR_OK) ||
			    buf_puts(&p, f->provisions[k]) != ERR_OK)
				break;
		row->id = http_strdup(req, id);
		row->kind = http_strdup(req, f->kind ? f->kind : "");
		row->date = http_strdup(req, f->date ? f->date : "");
		row->prov = http_strdup(req, buf_str(&p));
		buf_release(&p);
	}
	s.n_rows += 2; /* two empty rows (zeroed) for new follow-ups */
	arena_release(&a);
	return form_page(req, &s, 200, e);
}

enum err_code web_intervention_update(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);
	struct intervention_rec r;
	struct intervention iv;
	struct form_state s = {0};
	struct followup fus[FU_ROWS_MAX];
	size_t fu_rows[FU_ROWS_MAX], n_fu = 0;
	struct web_form f;
	struct actions as;
	struct err fe = {0};
	char location[64];
	struct arena a;
	enum err_code rc;
	int late = 0;
	int64_t iid = path_id(req);

	if (iid == 0) {
		web_error_page(req, 404, NULL);
		return ERR_OK;
	}
	arena_init(&a, 4u << 20);
	if ((rc = case_read_for_edit(req->store, &me, iid, &a, &r, &late, e)) != ERR_OK ||
	    (rc = web_form_read(req, &f, e)) != ERR_OK) {
		arena_release(&a);
		if (rc == ERR_NOT_FOUND) {
			web_error_page(req, 404, "Cette intervention n'existe pas.");
			return ERR_OK;
		}
		return web_fail(req, rc, e);
	}
	state_from_form(req, &f, &s);
	s.id = iid;
	if ((rc = actions_load(req, s.date, &as, e)) != ERR_OK) {
		arena_release(&a);
		return web_fail(req, rc, e);
	}
	iv = r.iv;
	rc = record_from_state(req, &s, &as, &iv, fus, fu_rows, &n_fu, &fe);
	if (rc == ERR_OK && iv.siret == NULL && r.iv.worksite_id)
		iv.worksite_id = r.iv.worksite_id; /* a worksite record keeps its worksite */
	else if (rc == ERR_OK)
		iv.worksite_id = 0;
	if (rc == ERR_OK)
		rc = store_begin(req->store, &fe);
	if (rc == ERR_OK) {
		rc = case_update(req->store, &me, &r, late, &iv, &fe);
		for (size_t i = 0; rc == ERR_OK && i < n_fu; i++) {
			rc = case_followup_write(req->store, &me, &r, late, &fus[i], fus[i].id,
			                         NULL, &fe);
			if (rc != ERR_OK && fe.field[0] && strncmp(fe.field, "followups", 9) != 0) {
				char field[ERR_FIELD_MAX];
				int n = snprintf(field, sizeof field, "followups[%zu].", i);
				size_t len = strlen(fe.field), room;

				/* Prefix the follow-up's own field name (cut to what fits). */
				if (n > 0 && (size_t)n < sizeof field) {
					room = sizeof field - (size_t)n - 1;
					memcpy(field + n, fe.field, len < room ? len : room);
					field[(size_t)n + (len < room ? len : room)] = '\0';
					memcpy(fe.field, field, sizeof field);
				}
			} else if (rc != ERR_OK && fe.field[0] == '\0') {
				snprintf(fe.field, sizeof fe.field, "followups[%zu]", i);
			}
		}
		if (rc == ERR_OK)
			rc = store_commit(req->store, &fe);
		else
			store_rollback(req->store);
	}
	arena_release(&a);
	if (rc == ERR_INVALID || (rc == ERR_NOT_FOUND && strncmp(fe.field, "followup", 8) == 0))
		return form_error(req, &s, &fe, fu_rows, n_fu, e);
	if (rc != ERR_OK)
		return web_fail(req, rc, &fe);
	snprintf(location, sizeof location, "/interventions/%lld?modifiee=1", (long long)iid);
	return web_redirect(req, location);
}

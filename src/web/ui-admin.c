/* ui-admin: account administration, for administrators only (POLICY_ACCOUNTS_ADMIN):
 * GET /admin/comptes (the list and the creation form), POST /admin/comptes (create),
 * POST /admin/comptes/{login}/desactiver and /activer. */
#include "web/web.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "domain/password.h"
#include "domain/validate.h"
#include "store/store.h"
#include "web/html.h"

struct typed {
	const char *login, *name, *role, *unit;
};

struct list {
	struct http_request *req;
	struct buf *b;
	int failed;
};

static int account_row(void *ctx, const struct agent *a)
{
	struct list *l = ctx;
	struct buf *b = l->b;

	if (html_raw(b, "<tr><td class=\"mono\">") != ERR_OK || html_txt(b, a->login) != ERR_OK ||
	    html_raw(b, "</td><td>") != ERR_OK || html_txt(b, a->display_name) != ERR_OK ||
	    html_raw(b, "</td><td>") != ERR_OK ||
	    html_txt(b, web_role_label((int)a->role)) != ERR_OK ||
	    html_raw(b, a->disabled
	                    ? "</td><td><span class=\"tag off\">Désactivé</span></td><td>"
	                    : "</td><td><span class=\"tag ok\">Actif</span></td><td>") != ERR_OK ||
	    html_raw(b, "<form method=\"post\" class=\"inline-form\" action=\"/admin/comptes/") !=
	        ERR_OK ||
	    html_url_arg(b, a->login) != ERR_OK ||
	    html_raw(b, a->disabled ? "/activer\">" : "/desactiver\">") != ERR_OK ||
	    web_csrf_field(l->req, b) != ERR_OK ||
	    html_raw(b, "<button type=\"submit\" class=\"secondary\">") != ERR_OK ||
	    html_raw(b, a->disabled ? "Réactiver" : "Désactiver") != ERR_OK ||
	    html_raw(b, "<span class=\"visually-hidden\"> ") != ERR_OK ||
	    html_txt(b, a->login) != ERR_OK ||
	    html_raw(b, "</span></button></form></td></tr>\n") != ERR_OK) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

static enum err_code role_option(struct buf *b, const char *value, const char *label,
                                 const char *typed)
{
	if (html_raw(b, "<option value=\"") != ERR_OK || html_attr(b, value) != ERR_OK ||
	    html_raw(b, typed && strcmp(typed, value) == 0 ? "\" selected>" : "\">") != ERR_OK ||
	    html_txt(b, label) != ERR_OK || html_raw(b, "</option>") != ERR_OK)
		return ERR_TOO_BIG;
	return ERR_OK;
}

/* A labelled input of the creation form; invalid when the error names it. */
static enum err_code input(struct buf *b, const char *name, const char *label, const char *type,
                           const char *value, const struct err *fe, const char *extra)
{
	int invalid = fe && strcmp(fe->field, name) == 0;

	if (html_raw(b, "<div class=\"field\"><label for=\"a-") != ERR_OK ||
	    html_attr(b, name) != ERR_OK || html_raw(b, "\">") != ERR_OK ||
	    html_txt(b, label) != ERR_OK || html_raw(b, "</label>") != ERR_OK)
		return ERR_TOO_BIG;
	if (invalid && (html_raw(b, "<p class=\"field-error\" id=\"a-") != ERR_OK ||
	                html_attr(b, name) != ERR_OK || html_raw(b, "-err\">") != ERR_OK ||
	                html_txt(b, fe->msg) != ERR_OK || html_raw(b, "</p>") != ERR_OK))
		return ERR_TOO_BIG;
	if (html_raw(b, "<input id=\"a-") != ERR_OK || html_attr(b, name) != ERR_OK ||
	    html_raw(b, "\" name=\"") != ERR_OK || html_attr(b, name) != ERR_OK ||
	    html_raw(b, "\" type=\"") != ERR_OK || html_attr(b, type) != ERR_OK ||
	    html_raw(b, "\" value=\"") != ERR_OK || html_attr(b, value) != ERR_OK ||
	    html_raw(b, "\"") != ERR_OK || html_raw(b, extra) != ERR_OK)
		return ERR_TOO_BIG;
	if (invalid && (html_raw(b, " aria-invalid=\"true\" aria-describedby=\"a-") != ERR_OK ||
	                html_attr(b, name) != ERR_OK || html_raw(b, "-err\"") != ERR_OK))
		return ERR_TOO_BIG;
	return html_raw(b, "></div>\n");
}

static enum err_code page(struct http_request *req, int status, const char *notice,
                          const struct typed *t, const struct err *fe, struct err *e)
{
	struct list l = {.req = req};
	struct buf b;
	enum err_code rc;

	buf_init(&b, WEB_PAGE_MAX);
	l.b = &b;
	if (web_page_begin(req, &b, fe ? "Erreur – Comptes" : "Comptes") != ERR_OK ||
	    html_raw(&b, "<h1>Comptes</h1>\n") != ERR_OK)
		goto too_big;
	if (notice && (html_raw(&b, "<p class=\"notice\" role=\"status\">") != ERR_OK ||
	               html_txt(&b, notice) != ERR_OK || html_raw(&b, "</p>\n") != ERR_OK))
		goto too_big;
	if (fe && (html_raw(&b, "<div class=\"error-summary\" role=\"alert\"><h2>Le compte n'est "
	                        "pas créé</h2><p>") != ERR_OK ||
	           html_txt(&b, fe->msg) != ERR_OK || html_raw(&b, "</p></div>\n") != ERR_OK))
		goto too_big;
	if (html_raw(&b,
	             "<section aria-labelledby=\"new-h\"><h2 id=\"new-h\">Créer un compte</h2>\n"
	             "<form method=\"post\" action=\"/admin/comptes\" class=\"grid\">\n") !=
	        ERR_OK ||
	    web_csrf_field(req, &b) != ERR_OK ||
	    input(&b, "login", "Identifiant", "text", t ? t->login : NULL, fe,
	          " required maxlength=\"64\" autocomplete=\"off\" spellcheck=\"false\"") !=
	        ERR_OK ||
	    input(&b, "name", "Nom affiché", "text", t ? t->name : NULL, fe,
	          " required maxlength=\"120\"") != ERR_OK ||
	    html_raw(&b,
	             "<div class=\"field\"><label for=\"a-role\">Rôle</label><select id=\"a-role\" "
	             "name=\"role\">") != ERR_OK ||
	    role_option(&b, "agent", "Agent de contrôle", t ? t->role : "agent") != ERR_OK ||
	    role_option(&b, "manager", "Responsable", t ? t->role : NULL) != ERR_OK ||
	    role_option(&b, "analyst", "Analyste", t ? t->role : NULL) != ERR_OK ||
	    role_option(&b, "admin", "Administrateur", t ? t->role : NULL) != ERR_OK ||
	    html_raw(&b, "</select></div>\n") != ERR_OK ||
	    input(&b, "unit", "Code de l'unité (agents et responsables)", "text",
	          t ? t->unit : NULL, fe, " maxlength=\"40\" spellcheck=\"false\"") != ERR_OK ||
	    input(&b, "password", "Mot de passe initial", "password", NULL, fe,
	          " required autocomplete=\"new-password\"") != ERR_OK ||
	    html_raw(&b,
	             "<div class=\"actions\"><button type=\"submit\" class=\"primary\">Créer le "
	             "compte</button></div>\n</form>\n</section>\n") != ERR_OK ||
	    html_raw(&b,
	             "<section aria-labelledby=\"list-h\"><h2 id=\"list-h\">Tous les comptes</h2>\n"
	             "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Identifiant"
	             "</th><th scope=\"col\">Nom</th><th scope=\"col\">Rôle</th>"
	             "<th scope=\"col\">État</th><th scope=\"col\">Action</th></tr></thead>"
	             "<tbody>\n") != ERR_OK)
		goto too_big;
	if ((rc = store_agent_each(req->store, account_row, &l, e)) != ERR_OK) {
		buf_release(&b);
		return web_fail(req, rc, e);
	}
	if (l.failed || html_raw(&b, "</tbody></table></div>\n</section>\n") != ERR_OK)
		goto too_big;
	rc = web_page_reply(req, status, &b, e);
	buf_release(&b);
	return rc;
too_big:
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the accounts page passes its size cap");
}

static enum err_code require_admin(struct http_request *req, struct err *e)
{
	struct policy_subject me = auth_subject(req);

	return policy_require(&me, POLICY_ACCOUNTS_ADMIN, NULL, NULL, e);
}

enum err_code web_accounts(struct http_request *req, struct err *e)
{
	enum err_code rc = require_admin(req, e);
	const char *ok = http_query(req, "fait");

	if (rc != ERR_OK)
		return web_fail(req, rc, e);
	return page(req, 200, ok ? "Modification enregistrée." : NULL, NULL, NULL, e);
}

/* The rule of src/domain/validate.c, with a French message. */
static enum err_code check_login(const char *login, struct err *e)
{
	if (validate_login("login", login, NULL) == ERR_OK)
		return ERR_OK;
	if (login == NULL || login[0] == '\0')
		return err_set(e, ERR_INVALID, "login", "L'identifiant est obligatoire.");
	if (strlen(login) > 64)
		return err_set(e, ERR_INVALID, "login",
		               "L'identifiant compte 64 caractères au plus.");
	return err_set(e, ERR_INVALID, "login",
	               "L'identifiant ne peut contenir que des minuscules sans accent, "
	               "des chiffres, « . », « - » ou « _ ».");
}

enum err_code web_account_create(struct http_request *req, struct err *e)
{
	struct typed t;
	struct web_form f;
	struct agent a = {0};
	struct err fe = {0};
	char hash[PASSWORD_HASH_MAX];
	const char *password;
	enum err_code rc = require_admin(req, e);

	if (rc != ERR_OK || (rc = web_form_read(req, &f, e)) != ERR_OK)
		return web_fail(req, rc, e);
	t.login = web_form_get(&f, "login");
	t.name = web_form_get(&f, "name");
	t.role = web_form_get(&f, "role");
	t.unit = web_form_get(&f, "unit");
	password = web_form_get(&f, "password");
	if ((rc = check_login(t.login, &fe)) != ERR_OK)
		goto invalid;
	if (validate_text("name", t.name, 1, 120, 0, NULL) != ERR_OK) {
		rc = err_set(&fe, ERR_INVALID, "name", "Le nom affiché compte 1 à 120 caractères.");
		goto invalid;
	}
	if (t.role == NULL || model_role_parse(t.role, &a.role) != 0) {
		rc = err_set(&fe, ERR_INVALID, "role", "Choisissez un rôle dans la liste.");
		goto invalid;
	}
	if (t.unit && t.unit[0]) {
		if (store_org_unit_find(req->store, t.unit, &a.scope_unit_id, NULL) != ERR_OK) {
			rc = err_set(&fe, ERR_INVALID, "unit", "Aucune unité avec ce code.");
			goto invalid;
		}
	} else if (a.role == ROLE_AGENT || a.role == ROLE_MANAGER) {
		rc = err_set(&fe, ERR_INVALID, "unit",
		             "Un agent ou un responsable doit être rattaché à une unité.");
		goto invalid;
	}
	if (password == NULL || password_check_policy(password, &fe) != ERR_OK) {
		rc = err_set(&fe, ERR_INVALID, "password", "Mot de passe trop faible : %s",
		             fe.msg[0] ? fe.msg : "obligatoire");
		goto invalid;
	}
	if ((rc = password_hash(password, hash, &fe)) != ERR_OK)
		return web_fail(req, rc, &fe);
	a.login = t.login;
	a.display_name = t.name;
	a.password_hash = hash;
	if ((rc = store_begin(req->store, &fe)) != ERR_OK)
		return web_fail(req, rc, &fe);
	rc = store_agent_insert(req->store, &a, &a.id, &fe);
	if (rc == ERR_OK)
		rc = store_audit_append(req->store, req->user_id, "account.create", "agent",
		                        t.login, a.id, t.role, &fe);
	if (rc == ERR_OK)
		rc = store_commit(req->store, &fe);
	else
		store_rollback(req->store);
	sodium_memzero(hash, sizeof hash);
	if (rc == ERR_CONFLICT) {
		rc = err_set(&fe, ERR_INVALID, "login",
		             "Un compte existe déjà avec cet identifiant.");
		goto invalid;
	}
	if (rc != ERR_OK)
		return web_fail(req, rc, &fe);
	return web_redirect(req, "/admin/comptes?fait=1");
invalid:
	return page(req, 422, NULL, &t, &fe, e);
}

static int keep_id(void *ctx, const struct agent *a)
{
	*(int64_t *)ctx = a->id;
	return 0;
}

/* Disables (and logs out everywhere) or enables the account {login}, with its audit entry,
 * in one transaction. An administrator cannot disable their own account. */
static enum err_code set_disabled(struct http_request *req, int disabled, struct err *e)
{
	const struct store_principal *me = auth_user(req);
	const char *login = http_param(req, "login");
	struct err fe = {0};
	int64_t id = 0;
	enum err_code rc = require_admin(req, e);

	if (rc != ERR_OK)
		return web_fail(req, rc, e);
	if (disabled && strcmp(login, me->login) == 0) {
		web_error_page(req, 409, "Vous ne pouvez pas désactiver votre propre compte.");
		return ERR_OK;
	}
	if ((rc = store_agent_find(req->store, login, keep_id, &id, &fe)) == ERR_OK && id == 0)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND) {
		web_error_page(req, 404, "Aucun compte avec cet identifiant.");
		return ERR_OK;
	}
	if (rc != ERR_OK || (rc = store_begin(req->store, &fe)) != ERR_OK)
		return web_fail(req, rc, &fe);
	rc = store_agent_set_disabled(req->store, login, disabled, &fe);
	if (rc == ERR_OK && disabled)
		rc = store_session_delete_agent(req->store, id, &fe);
	if (rc == ERR_OK)
		rc = store_audit_append(req->store, req->user_id,
		                        disabled ? "account.disable" : "account.enable", "agent",
		                        login, id, NULL, &fe);
	if (rc == ERR_OK)
		rc = store_commit(req->store, &fe);
	else
		store_rollback(req->store);
	if (rc != ERR_OK)
		return web_fail(req, rc, &fe);
	return web_redirect(req, "/admin/comptes?fait=1");
}

enum err_code web_account_disable(struct http_request *req, struct err *e)
{
	return set_disabled(req, 1, e);
}

enum err_code web_account_enable(struct http_request *req, struct err *e)
{
	return set_disabled(req, 0, e);
}

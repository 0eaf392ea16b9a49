/* ui-login: GET/POST /connexion (the login form) and POST /deconnexion. */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "web/html.h"

/* The page to go to after login: suite when it is a local path ("/x", not "//x" nor
 * "/\x"), of printable ASCII, else "/". */
static const char *safe_next(const char *suite)
{
	if (suite == NULL || suite[0] != '/' || suite[1] == '/' || suite[1] == '\\')
		return "/";
	if (strlen(suite) > 1024)
		return "/";
	for (const unsigned char *p = (const unsigned char *)suite; *p; p++)
		if (*p <= 0x20 || *p >= 0x7F || *p == '\\')
			return "/";
	return suite;
}

/* The form, with an error message (NULL: none), the login typed and the page to go to. */
static enum err_code render(struct http_request *req, int status, const char *error,
                            const char *login, const char *suite, struct err *e)
{
	const char *notice = http_query(req, "fin") ? "Vous êtes déconnecté." : NULL;
	struct buf b;
	enum err_code rc;

	buf_init(&b, WEB_PAGE_MAX);
	if (web_page_begin(req, &b, "Connexion") != ERR_OK ||
	    html_raw(&b, "<div class=\"narrow\">\n<h1>Connexion</h1>\n") != ERR_OK)
		goto too_big;
	if (notice && error == NULL &&
	    (html_raw(&b, "<p class=\"notice\" role=\"status\">") != ERR_OK ||
	     html_txt(&b, notice) != ERR_OK || html_raw(&b, "</p>\n") != ERR_OK))
		goto too_big;
	if (error && (html_raw(&b, "<div class=\"error-summary\" role=\"alert\" id=\"login-error\">"
	                           "<p>") != ERR_OK ||
	              html_txt(&b, error) != ERR_OK || html_raw(&b, "</p></div>\n") != ERR_OK))
		goto too_big;
	if (html_raw(&b, "<form method=\"post\" action=\"/connexion\" class=\"stack\">\n"
	                 "<input type=\"hidden\" name=\"suite\" value=\"") != ERR_OK ||
	    html_attr(&b, safe_next(suite)) != ERR_OK ||
	    html_raw(&b, "\">\n<div class=\"field\"><label for=\"f-login\">Identifiant</label>\n"
	                 "<input id=\"f-login\" name=\"login\" autocomplete=\"username\" required "
	                 "spellcheck=\"false\" maxlength=\"64\"") != ERR_OK ||
	    html_raw(&b, error ? " aria-describedby=\"login-error\"" : "") != ERR_OK ||
	    html_raw(&b, login && login[0] ? " value=\"" : " autofocus value=\"") != ERR_OK ||
	    html_attr(&b, login) != ERR_OK ||
	    html_raw(&b, "\"></div>\n<div class=\"field\"><label for=\"f-password\">Mot de passe"
	                 "</label>\n<input id=\"f-password\" name=\"password\" type=\"password\" "
	                 "autocomplete=\"current-password\" required") != ERR_OK ||
	    html_raw(&b, login && login[0] ? " autofocus" : "") != ERR_OK ||
	    html_raw(&b, error ? " aria-describedby=\"login-error\"" : "") != ERR_OK ||
	    html_raw(&b,
	             "></div>\n<div class=\"actions\"><button type=\"submit\" "
	             "class=\"primary\">Se connecter</button></div>\n</form>\n</div>\n") != ERR_OK)
		goto too_big;
	rc = web_page_reply(req, status, &b, e);
	buf_release(&b);
	return rc;
too_big:
	buf_release(&b);
	return err_set(e, ERR_INTERNAL, NULL, "the login page passes its size cap");
}

enum err_code web_login_form(struct http_request *req, struct err *e)
{
	const char *suite = http_query(req, "suite");

	if (auth_user(req))
		return web_redirect(req, safe_next(suite));
	return render(req, 200, NULL, NULL, suite, e);
}

/* The minutes of "... try again in N minute(s)", or 15. */
static long wait_minutes(const struct err *e)
{
	const char *p = strstr(e->msg, " in ");
	long m = p ? strtol(p + 4, NULL, 10) : 0;

	return m > 0 && m < 10000 ? m : 15;
}

enum err_code web_login_post(struct http_request *req, struct err *e)
{
	struct web_form f;
	const char *login, *password, *suite;
	char csrf[48], msg[160];
	struct err le = {0};
	enum err_code rc;

	if ((rc = web_form_read(req, &f, e)) != ERR_OK)
		return web_fail(req, rc == ERR_INVALID ? ERR_INVALID : rc, e);
	login = web_form_get(&f, "login");
	password = web_form_get(&f, "password");
	suite = web_form_get(&f, "suite");
	if (login == NULL || login[0] == '\0' || password == NULL || password[0] == '\0')
		return render(req, 422, "Saisissez votre identifiant et votre mot de passe.", login,
		              suite, e);
	rc = auth_login(req, login, password, csrf, &le);
	if (rc == ERR_OK)
		return web_redirect(req, safe_next(suite));
	if (rc == ERR_BUSY) {
		snprintf(msg, sizeof msg,
		         "Trop de tentatives de connexion échouées : réessayez dans %ld minute%s.",
		         wait_minutes(&le), wait_minutes(&le) > 1 ? "s" : "");
		return render(req, 429, msg, login, suite, e);
	}
	if (rc == ERR_AUTH || rc == ERR_INVALID)
		return render(req, 422, "Identifiant ou mot de passe incorrect.", login, suite, e);
	return web_fail(req, rc, &le);
}

enum err_code web_logout(struct http_request *req, struct err *e)
{
	enum err_code rc = auth_logout(req, e);

	if (rc != ERR_OK)
		return web_fail(req, rc, e);
	return web_redirect(req, "/connexion?fin=1");
}

/* api-session: POST /api/v1/session (log in) and DELETE /api/v1/session (log out), and
 * GET /api/v1/me (who am I). */
#include "api/api.h"

#include <string.h>

#include "api/auth.h"

static const char *const login_fields[] = {"login", "password", NULL};

static enum err_code login(struct http_request *req, struct err *e)
{
	const char *user = NULL, *password = NULL;
	char csrf[48];
	enum err_code rc;
	json_t *body;

	if ((rc = api_body_object(req, &body, e)) != ERR_OK)
		return rc;
	if ((rc = api_only_fields(req, body, NULL, login_fields, e)) == ERR_OK &&
	    (rc = api_get_string(req, body, NULL, "login", 1, &user, e)) == ERR_OK)
		rc = api_get_string(req, body, NULL, "password", 1, &password, e);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	if ((rc = auth_login(req, user, password, csrf, e)) != ERR_OK)
		return rc;
	return api_reply(req, 200, json_pack("{s:s, s:s}", "csrf", csrf, "login", user), e);
}

static enum err_code logout(struct http_request *req, struct err *e)
{
	enum err_code rc = auth_logout(req, e);

	if (rc != ERR_OK)
		return rc;
	return http_reply(req, 204, "text/plain; charset=utf-8", "", 0);
}

static enum err_code whoami(struct http_request *req, struct err *e)
{
	const struct store_principal *me = auth_user(req);

	return api_reply(req, 200,
	                 json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)me->agent_id,
	                           "login", me->login, "name", me->display_name, "role",
	                           model_role_name(me->role), "csrf", me->csrf),
	                 e);
}

const struct http_route api_session_routes[] = {
	{"POST", "/api/v1/session", login, 0},
	{"DELETE", "/api/v1/session", logout, HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF},
	{"GET", "/api/v1/me", whoami, HTTP_ROUTE_AUTH},
	{NULL, NULL, NULL, 0},
};

/* auth: who is calling. The server's before-hook authenticates each request that needs
 * it (a session cookie from the browser, or "Authorization: Bearer TOKEN" from a
 * script), enforces CSRF on state-changing browser requests, and throttles logins per
 * account and per client address. Sessions and tokens are stored hashed (store.h). */
#ifndef API_AUTH_H
#define API_AUTH_H

#include <stdint.h>

#include "core/err.h"
#include "domain/policy.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

#define AUTH_COOKIE "constat_session"
#define AUTH_CSRF_HEADER "X-CSRF-Token"
#define AUTH_CSRF_FIELD "csrf"

struct auth_config {
	int64_t idle_timeout;     /* seconds without a request before a session ends */
	int64_t absolute_timeout; /* seconds after login when a session ends regardless */
	int secure_cookie;        /* add Secure to the cookie (served over TLS) */
	int max_account_failures; /* failed logins per account per window before refusal */
	int max_client_failures;  /* failed logins per client address per window */
	int64_t failure_window;   /* seconds */
};

void auth_config_defaults(struct auth_config *c);
/* Installs the configuration (once, before the server starts). */
void auth_configure(const struct auth_config *c);

/* The router's before hook (http_config.auth_hook): ctx is unused. */
enum err_code auth_before(void *ctx, struct http_request *req, const struct http_route *route,
                          struct err *e);

/* The authenticated caller of req, or NULL when anonymous. Borrowed from the request. */
const struct store_principal *auth_user(const struct http_request *req);
/* The caller as the policy's subject (anonymous: agent_id 0); its region is borrowed
 * from the request. */
struct policy_subject auth_subject(const struct http_request *req);

/* Checks login and password (throttled), opens a session, sets the session cookie on
 * the response and copies the new CSRF token into csrf. ERR_AUTH with one message for a
 * wrong login or password alike; ERR_BUSY when throttled. The attempt is audited. */
enum err_code auth_login(struct http_request *req, const char *login, const char *password,
                         char csrf[48], struct err *e);
/* Ends the caller's session (if any) and clears the cookie. */
enum err_code auth_logout(struct http_request *req, struct err *e);

/* Forgets every throttling counter (tests). */
void auth_throttle_reset(void);

#endif

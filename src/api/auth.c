/* auth: sessions, API tokens, CSRF and login throttling (see auth.h). */
#include "api/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "domain/password.h"
#include "domain/secret.h"

static struct auth_config config = {
	.idle_timeout = 2 * 3600,
	.absolute_timeout = 12 * 3600,
	.max_account_failures = 5,
	.max_client_failures = 20,
	.failure_window = 15 * 60,
};

void auth_config_defaults(struct auth_config *c)
{
	*c = (struct auth_config){
		.idle_timeout = 2 * 3600,
		.absolute_timeout = 12 * 3600,
		.max_account_failures = 5,
		.max_client_failures = 20,
		.failure_window = 15 * 60,
	};
}

void auth_configure(const struct auth_config *c)
{
	config = *c;
}

/* ---- Throttling: failed logins per key (account or client) in a fixed window ---------- */

#define THROTTLE_SLOTS 4096
#define THROTTLE_PROBE 8

struct throttle_slot {
	char key[96];
	int64_t window_start;
	int failures;
};

static struct throttle_slot slots[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot for key, claimed (oldest of the probe run) when absent; lock held. */
static struct throttle_slot *slot_for(const char *key, int64_t now)
{
	uint32_t h = hash_key(key);
	struct throttle_slot *oldest = NULL;

	for (int i = 0; i < THROTTLE_PROBE; i++) {
		struct throttle_slot *s = &slots[(h + (uint32_t)i) % THROTTLE_SLOTS];

		if (strcmp(s->key, key) == 0) {
			if (now - s->window_start >= config.failure_window) {
				s->window_start = now;
				s->failures = 0;
			}
			return s;
		}
		if (oldest == NULL || s->window_start < oldest->window_start)
			oldest = s;
	}
	snprintf(oldest->key, sizeof oldest->key, "%s", key);
	oldest->window_start = now;
	oldest->failures = 0;
	return oldest;
}

/* Seconds until key may try again (0: it may now). */
static int64_t throttle_wait(const char *key, int max, int64_t now)
{
	struct throttle_slot *s;
	int64_t wait = 0;

	pthread_mutex_lock(&throttle_lock);
	s = slot_for(key, now);
	if (s->failures >= max)
		wait = s->window_start + config.failure_window - now;
	pthread_mutex_unlock(&throttle_lock);
	return wait;
}

static void throttle_note(const char *key, int failed, int64_t now)
{
	struct throttle_slot *s;

	pthread_mutex_lock(&throttle_lock);
	s = slot_for(key, now);
	if (failed)
		s->failures++;
	else
		s->failures = 0;
	pthread_mutex_unlock(&throttle_lock);
}

void auth_throttle_reset(void)
{
	pthread_mutex_lock(&throttle_lock);
	memset(slots, 0, sizeof slots);
	pthread_mutex_unlock(&throttle_lock);
}

/* ---- Authentication --------------------------------------------------------------- */

const struct store_principal *auth_user(const struct http_request *req)
{
	return req->user;
}

struct policy_subject auth_subject(const struct http_request *req)
{
	const struct store_principal *p = auth_user(req);
	struct policy_subject s = {0};

	if (p) {
		s.agent_id = p->agent_id;
		s.role = p->role;
		s.region_code = p->region_code;
	}
	return s;
}

static int is_api(const struct http_request *req)
{
	return req->path && strncmp(req->path, "/api/", 5) == 0;
}

/* The bearer token of the Authorization header, or NULL. */
static const char *bearer(struct http_request *req)
{
	const char *h = http_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

/* Looks the credentials of req up; *via_session tells which kind was used. ERR_AUTH when
 * credentials were given but are not valid; ERR_OK with *p->agent_id == 0 when none. */
static enum err_code identify(struct http_request *req, struct store_principal *p,
                              int *via_session, struct err *e)
{
	unsigned char hash[SECRET_HASH_LEN];
	const char *token = bearer(req);

	memset(p, 0, sizeof *p);
	*via_session = 0;
	if (token) {
		if (strlen(token) >= SECRET_TOKEN_MAX)
			return err_set(e, ERR_AUTH, NULL, "the API token is unknown or revoked");
		secret_token_hash(token, strlen(token), hash);
		return store_token_find(req->store, hash, p, e);
	}
	token = http_cookie(req, AUTH_COOKIE);
	if (token == NULL)
		return ERR_OK;
	if (strlen(token) >= SECRET_TOKEN_MAX)
		return err_set(e, ERR_AUTH, NULL, "the session has expired: log in again");
	secret_token_hash(token, strlen(token), hash);
	*via_session = 1;
	return store_session_find(req->store, hash, (int64_t)time(NULL), config.idle_timeout, p, e);
}

/* The CSRF token the browser sent: the header, else the form field of a urlencoded
 * body. Returns arena memory or NULL. */
static const char *sent_csrf(struct http_request *req)
{
	const char *h = http_header(req, AUTH_CSRF_HEADER);
	const char *ct = http_header(req, "Content-Type");
	const char *p, *end;

	if (h)
		return h;
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return NULL;
	p = buf_str(&req->body);
	end = p + req->body.len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		char *v = NULL;

		if ((size_t)(stop - p) > 5 && memcmp(p, AUTH_CSRF_FIELD "=", 5) == 0 &&
		    http_percent_decode(req, p + 5, (size_t)(stop - p - 5), 1, &v) == ERR_OK)
			return v;
		p = stop + 1;
	}
	return NULL;
}

/* Replies to an anonymous browser request for a page by sending it to the login page. */
static void to_login(struct http_request *req)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_puts(&b, "/connexion");
	if (req->path && strcmp(req->path, "/") != 0) {
		buf_puts(&b, "?suite=");
		for (const char *c = req->path; *c; c++) {
			unsigned char u = (unsigned char)*c;

			if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
			    u == '/' || u == '-' || u == '_' || u == '.')
				buf_putc(&b, (char)u);
			else
				buf_printf(&b, "%%%02X", u);
		}
	}
	http_reply(req, 303, "text/plain; charset=utf-8", "", 0);
	http_set_header(req, "Location", buf_str(&b));
	buf_release(&b);
}

enum err_code auth_before(void *ctx, struct http_request *req, const struct http_route *route,
                          struct err *e)
{
	struct store_principal p, *copy;
	int via_session = 0;
	enum err_code rc;
	const char *csrf;

	(void)ctx;
	rc = identify(req, &p, &via_session, e);
	if (rc == ERR_AUTH && !(route->flags & HTTP_ROUTE_AUTH)) {
		rc = ERR_OK; /* a stale cookie on a public page: anonymous */
		p.agent_id = 0;
	}
	if (rc != ERR_OK) {
		if (rc == ERR_AUTH && !is_api(req))
			to_login(req);
		return rc;
	}
	if (p.agent_id == 0) {
		if (route->flags & (HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF)) {
			if (!is_api(req))
				to_login(req);
			return err_set(e, ERR_AUTH, NULL, "log in first (session cookie or API token)");
		}
		return ERR_OK;
	}
	if ((route->flags & HTTP_ROUTE_CSRF) && via_session) {
		csrf = sent_csrf(req);
		if (csrf == NULL || !secret_equal(csrf, p.csrf))
			return err_set(e, ERR_DENIED, AUTH_CSRF_FIELD,
			               "missing or wrong CSRF token: reload the page");
	}
	copy = http_alloc(req, sizeof *copy);
	*copy = p;
	req->user = copy;
	req->user_free = NULL; /* arena memory */
	req->user_id = p.agent_id;
	return ERR_OK;
}

/* ---- Login and logout -------------------------------------------------------------- */

struct account {
	int64_t id;
	int disabled;
	char hash[PASSWORD_HASH_MAX];
};

static int keep_account(void *ctx, const struct agent *a)
{
	struct account *acc = ctx;

	acc->id = a->id;
	acc->disabled = a->disabled;
	snprintf(acc->hash, sizeof acc->hash, "%s", a->password_hash ? a->password_hash : "");
	return 0;
}

/* A valid argon2id hash of a random password, verified against when the login is
 * unknown, so that the answer takes as long either way. */
static char dummy[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[SECRET_TOKEN_MAX];

	secret_token_new("", pw);
	if (password_hash(pw, dummy, NULL) != ERR_OK)
		dummy[0] = '\0';
}

static void set_cookie(struct http_request *req, const char *value, int64_t max_age)
{
	char cookie[SECRET_TOKEN_MAX + 128];

	snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
	         AUTH_COOKIE, value, (long long)max_age, config.secure_cookie ? "; Secure" : "");
	http_set_header(req, "Set-Cookie", cookie);
}

enum err_code auth_login(struct http_request *req, const char *login, const char *password,
                         char csrf[48], struct err *e)
{
	char akey[96], ckey[96], token[SECRET_TOKEN_MAX], csrf_new[SECRET_TOKEN_MAX];
	unsigned char hash[SECRET_HASH_LEN];
	struct account acc = {0};
	int64_t now = (int64_t)time(NULL), wait;
	enum err_code rc;
	int ok;

	csrf[0] = '\0';
	if (login == NULL || login[0] == '\0' || strlen(login) > 64)
		return err_set(e, ERR_INVALID, "login", "expected a login of 1 to 64 characters");
	if (password == NULL || password[0] == '\0' || strlen(password) > PASSWORD_MAX)
		return err_set(e, ERR_INVALID, "password", "expected a password");
	snprintf(akey, sizeof akey, "a:%s", login);
	snprintf(ckey, sizeof ckey, "c:%s", req->client);
	wait = throttle_wait(akey, config.max_account_failures, now);
	if (wait == 0)
		wait = throttle_wait(ckey, config.max_client_failures, now);
	if (wait > 0) {
		char msg[128];

		snprintf(msg, sizeof msg,
		         "too many failed logins: try again in %lld minute(s)",
		         (long long)(wait + 59) / 60);
		http_reply_status(req, 429, "too_many_attempts", msg);
		return err_set(e, ERR_BUSY, NULL, "%s", msg);
	}
	rc = store_agent_find(req->store, login, keep_account, &acc, NULL);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return err_set(e, rc, NULL, "the accounts cannot be read now");
	pthread_once(&dummy_once, make_dummy);
	if (acc.id > 0 && acc.hash[0])
		ok = password_verify(acc.hash, password) && !acc.disabled;
	else
		ok = (password_verify(dummy, password), 0);
	throttle_note(akey, !ok, now);
	throttle_note(ckey, !ok, now);
	if (!ok) {
		store_audit_append(req->store, 0, "login.failure", "agent", login, acc.id, NULL, NULL);
		return err_set(e, ERR_AUTH, NULL, "wrong login or password");
	}
	/* A new token at every login: a session id planted before login is worthless. */
	secret_token_new("", token);
	secret_token_new("", csrf_new);
	csrf_new[47] = '\0';
	secret_token_hash(token, strlen(token), hash);
	if ((rc = store_begin(req->store, e)) != ERR_OK)
		return rc;
	rc = store_session_create(req->store, hash, acc.id, csrf_new, now,
	                          now + config.absolute_timeout, e);
	if (rc == ERR_OK)
		rc = store_audit_append(req->store, acc.id, "login.success", "agent", login, acc.id,
		                        NULL, e);
	if (rc == ERR_OK)
		rc = store_commit(req->store, e);
	else
		store_rollback(req->store);
	if (rc != ERR_OK)
		return rc;
	set_cookie(req, token, config.absolute_timeout);
	memcpy(csrf, csrf_new, 48);
	return ERR_OK;
}

enum err_code auth_logout(struct http_request *req, struct err *e)
{
	const char *token = http_cookie(req, AUTH_COOKIE);
	unsigned char hash[SECRET_HASH_LEN];
	enum err_code rc = ERR_OK;

	if (token && strlen(token) < SECRET_TOKEN_MAX) {
		secret_token_hash(token, strlen(token), hash);
		rc = store_session_delete(req->store, hash, e);
		if (rc == ERR_OK && req->user_id > 0)
			store_audit_append(req->store, req->user_id, "logout", "agent", NULL,
			                   req->user_id, NULL, NULL);
	}
	set_cookie(req, "", 0);
	return rc;
}

/* server: libmicrohttpd glue: daemon options and bounds, per-thread database handles,
 * the request lifecycle (context, body, dispatch, reply, access log), shutdown. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "store/store.h"

/* A connection as the watchdog sees it: its socket and the time by which the request it
 * is receiving must have fully arrived (0 while a request is being handled or its reply
 * sent: MHD's idle time-out bounds that). Lives from MHD's connection start to its close
 * notification, which MHD sends before it closes the socket. */
struct conn_watch {
	struct conn_watch *prev, *next;
	int fd;
	uint64_t deadline_ns;
	int cut;
};

/* A database handle opened by one worker thread. */
struct store_slot {
	struct store_slot *next;
	struct store *store;
};

struct http_server {
	struct http_config cfg;
	struct MHD_Daemon *daemon;
	uint16_t port;
	struct http_router router;
	unsigned long gen;          /* tells this server's thread-local handles apart */
	pthread_mutex_t lock;       /* guards stores */
	struct store_slot *stores;
	atomic_uint inflight;       /* requests between their request line and completion */
	atomic_int stopping;
	atomic_int warned_ro;       /* the read-only database was logged */
	/* The watchdog (see "Request deadline" below). */
	pthread_mutex_t watch_lock; /* guards the list, the deadlines and watch_stop */
	pthread_cond_t watch_cond;
	pthread_t watch_thread;
	int watch_started, watch_stop;
	struct conn_watch *watched;
	/* Held replies: grouped read audits and disk syncs (see "Held replies" below). */
	struct store_readq *readq;
	struct store *audit_store;  /* the auditor thread's handle */
	pthread_t audit_thread;
	int audit_started;
	atomic_int audit_stop;
	pthread_mutex_t held_lock;  /* guards held and audit_running */
	struct held *held;          /* replies waiting for their read audits */
	size_t n_held, cap_held;
	int audit_running;          /* the auditor resumes held replies */
	/* The checkpointer (see "Checkpoints" below). */
	struct store *ckpt_store;
	pthread_t ckpt_thread;
	int ckpt_started;
};

/* A reply held back (its connection suspended) until its read audits are committed and
 * its writes on the disk. */
struct held {
	struct MHD_Connection *conn;
	struct store_ticket ticket;
};

/* The calling worker thread's handle. MHD's workers belong to one daemon and die with
 * it; gen guards against a thread-local left by another server in the same process. */
static _Thread_local struct {
	unsigned long gen;
	struct store *store;
} tls;

static atomic_ulong next_gen = 1;

/* ---- Configuration ---------------------------------------------------------------- */

void http_config_defaults(struct http_config *c)
{
	memset(c, 0, sizeof *c);
	c->listen = HTTP_DEFAULT_LISTEN;
	c->max_body = HTTP_DEFAULT_MAX_BODY;
	c->header_memory = HTTP_DEFAULT_HEADER_MEMORY;
	c->max_url = HTTP_DEFAULT_MAX_URL;
	c->max_connections = HTTP_DEFAULT_MAX_CONNECTIONS;
	c->max_per_ip = HTTP_DEFAULT_MAX_PER_IP;
	c->timeout = HTTP_DEFAULT_TIMEOUT;
	c->grace = HTTP_DEFAULT_GRACE;
	c->deadline = HTTP_DEFAULT_DEADLINE;
}

enum err_code http_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                                struct err *e)
{
	char host[64];
	const char *colon, *hs, *he;
	char *end;
	long port;

	memset(ss, 0, sizeof *ss);
	*len = 0;
	if (s == NULL || s[0] == '\0')
		return err_set(e, ERR_INVALID, "listen", "expected HOST:PORT, e.g. 127.0.0.1:8080");
	if (s[0] == '[') {
		hs = s + 1;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return err_set(e, ERR_INVALID, "listen",
			               "expected [IPV6]:PORT, e.g. [::1]:8080");
		colon = he + 1;
	} else {
		hs = s;
		colon = strrchr(s, ':');
		if (colon == NULL)
			return err_set(e, ERR_INVALID, "listen", "expected HOST:PORT, "
			               "e.g. 127.0.0.1:8080 (the port is missing)");
		he = colon;
	}
	if ((size_t)(he - hs) >= sizeof host || he == hs)
		return err_set(e, ERR_INVALID, "listen", "the host part is empty or too long");
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535 ||
	    colon[1] == '-' || colon[1] == '+' || colon[1] == ' ')
		return err_set(e, ERR_INVALID, "listen",
		               "the port must be a number from 0 to 65535");
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return err_set(e, ERR_INVALID, "listen", "'%s' is not an IPv6 address",
			               host);
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return err_set(e, ERR_INVALID, "listen", "'%s' is not an IPv4 address "
			               "(use [ADDRESS]:PORT for IPv6)", host);
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof *a;
	}
	return ERR_OK;
}

/* ---- Database handles ------------------------------------------------------------- */

/* Sets *out to the calling thread's handle, opening it on first use. Borrowed: the
 * server closes it at shutdown. */
static enum err_code thread_store(struct http_server *srv, struct store **out, struct err *e)
{
	struct store_slot *slot;
	struct store *s = NULL;
	struct err oe = {0};

	if (tls.gen == srv->gen && tls.store) {
		*out = tls.store;
		return ERR_OK;
	}
	if (store_open(srv->cfg.db_path, 0, &s, &oe) != ERR_OK) {
		char text[ERR_FIELD_MAX + ERR_MSG_MAX + 8];

		log_error("http: cannot open the database: %s", err_text(&oe, text, sizeof text));
		return err_set(e, ERR_STORE, NULL, "the database cannot be opened");
	}
	if (srv->readq) /* the checkpointer's job */
		store_manual_checkpoints(s);
	if (store_read_only(s) && !atomic_exchange(&srv->warned_ro, 1))
		log_warn("http: the database is on a read-only filesystem: serving reads only; "
		         "writes, logins and audited reads answer 503");
	if (srv->readq)
		store_set_readq(s, srv->readq);
	slot = xmalloc(sizeof *slot);
	slot->store = s;
	pthread_mutex_lock(&srv->lock);
	slot->next = srv->stores;
	srv->stores = slot;
	pthread_mutex_unlock(&srv->lock);
	tls.gen = srv->gen;
	tls.store = s;
	*out = s;
	return ERR_OK;
}

/* The router's before hook: the handle first, then the auth layer. */
static enum err_code before_handler(void *ctx, struct http_request *req,
                                    const struct http_route *route, struct err *e)
{
	struct http_server *srv = ctx;
	enum err_code rc = thread_store(srv, &req->store, e);

	if (rc != ERR_OK)
		return rc;
	/* The request's reads share one snapshot (one set of file locks instead of one per
	 * statement); a write ends it first (store.h). Ended when the request is answered. */
	store_read_begin(req->store);
	if (srv->cfg.auth_hook)
		return srv->cfg.auth_hook(srv->cfg.auth_ctx, req, route, e);
	if (route->flags & (HTTP_ROUTE_AUTH | HTTP_ROUTE_CSRF))
		return err_set(e, ERR_AUTH, NULL, "authentication is not available");
	return ERR_OK;
}

/* ---- Request lifecycle ------------------------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called by MHD with the raw request line target, before it parses anything: creates the
 * request context (freed in on_completed, which MHD then always calls). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	struct http_request *req = xmalloc(sizeof *req);
	const union MHD_ConnectionInfo *ci;

	http_request_init(req, srv->cfg.max_body);
	req->start_ns = now_ns();
	req->conn = conn;
	if (uri == NULL || strnlen(uri, srv->cfg.max_url + 1) > srv->cfg.max_url)
		req->target_too_long = 1;
	else
		req->target = http_strdup(req, uri);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;

		const void *addr = NULL;

		if (sa->sa_family == AF_INET)
			addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		else if (sa->sa_family == AF_INET6)
			addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (addr)
			inet_ntop(sa->sa_family, addr, req->client, sizeof req->client);
	}
	atomic_fetch_add(&srv->inflight, 1);
	return req;
}

static int has_token(const char *s, const char *token)
{
	size_t n = strlen(token);

	for (; *s; s++)
		if (strncasecmp(s, token, n) == 0)
			return 1;
	return 0;
}

/* Adds name: value to resp unless the handler set that header itself. */
static void add_default(struct MHD_Response *resp, const struct http_request *req,
                        const char *name, const char *value)
{
	if (http_resp_header(req, name) == NULL)
		MHD_add_response_header(resp, name, value);
}

/* Turns req->resp into an MHD response and queues it. */
static enum MHD_Result send_reply(struct http_server *srv, struct MHD_Connection *conn,
                                  struct http_request *req)
{
	struct http_response *r = &req->resp;
	struct MHD_Response *resp;
	size_t len = r->body.len;
	char *body = buf_steal(&r->body);
	enum MHD_Result ret;

	if (r->status < 100 || r->status > 599) {
		log_error("http: bad status %d in a reply", r->status);
		free(body);
		http_reply_error(req, NULL);
		len = r->body.len;
		body = buf_steal(&r->body);
	}
	if (body == NULL)
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	for (size_t i = 0; i < r->n_headers; i++) {
		const char *name = r->headers[i].name, *value = r->headers[i].value;
		char ct[512];

		if (strcasecmp(name, "Content-Type") == 0 && strncasecmp(value, "text/", 5) == 0 &&
		    !has_token(value, "charset")) {
			snprintf(ct, sizeof ct, "%s; charset=utf-8", value);
			value = ct;
		}
		MHD_add_response_header(resp, name, value);
	}
	add_default(resp, req, "Content-Security-Policy",
	            "default-src 'self'; script-src 'self'; style-src 'self'; "
	            "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
	            "form-action 'self'");
	add_default(resp, req, "X-Content-Type-Options", "nosniff");
	add_default(resp, req, "Referrer-Policy", "no-referrer");
	add_default(resp, req, "X-Frame-Options", "DENY");
	if (srv->cfg.tls_cert_pem)
		add_default(resp, req, "Strict-Transport-Security", "max-age=31536000");
	add_default(resp, req, "Cache-Control", "no-store");
	if (atomic_load(&srv->stopping))
		MHD_add_response_header(resp, "Connection", "close");
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Writes s into out (size n) for the log: bytes outside printable ASCII become %XX (so a
 * path cannot forge log lines), and a long value is cut with "...". */
static void log_safe(char *out, size_t n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (k + 4 >= n - 3) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
		if (c > 0x20 && c < 0x7F) {
			out[k++] = (char)c;
		} else {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	out[k] = '\0';
}

static void access_log(struct http_request *req, int completed)
{
	char method[24], path[300];
	uint64_t ms = (now_ns() - req->start_ns) / 1000000u;

	log_safe(method, sizeof method, req->method ? req->method : "-");
	if (req->route && (req->route->flags & HTTP_ROUTE_LOG_PATTERN))
		log_safe(path, sizeof path, req->route->pattern);
	else if (req->path)
		log_safe(path, sizeof path, req->path);
	else if (req->target) /* MHD refused the request before the handler saw it */
		log_safe(path, sizeof path, http_strndup(req, req->target,
		                                         strcspn(req->target, "?")));
	else
		snprintf(path, sizeof path, "%s", req->target_too_long ? "(too long)" : "-");
	log_info("http %s %s %d %llums user=%lld%s", method, path, req->resp.status,
	         (unsigned long long)ms, (long long)req->user_id,
	         completed ? "" : " (connection closed early)");
}

/* ---- Request deadline ----------------------------------------------------------------
 * MHD's time-out is an idle time-out: a client sending a byte every few seconds keeps a
 * connection (and its memory) forever (slowloris). The watchdog thread gives each request
 * a deadline to arrive whole; past it, it shuts the socket down, MHD sees the connection
 * end and closes it. Shutting down (not closing) under watch_lock is safe: MHD tells us
 * a connection is closed (on_connection) before it closes its socket, and we unlink it
 * under the same lock, so the descriptor cannot have been reused. */

static void watch_set(struct http_server *srv, struct MHD_Connection *conn, int arm)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_watch *w = ci ? ci->socket_context : NULL;

	if (w == NULL)
		return;
	pthread_mutex_lock(&srv->watch_lock);
	w->deadline_ns = arm ? now_ns() + (uint64_t)srv->cfg.deadline * 1000000000u : 0;
	pthread_mutex_unlock(&srv->watch_lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	struct conn_watch *w;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		w = xcalloc(1, sizeof *w);
		w->fd = ci ? ci->connect_fd : -1;
		pthread_mutex_lock(&srv->watch_lock);
		w->deadline_ns = now_ns() + (uint64_t)srv->cfg.deadline * 1000000000u;
		w->next = srv->watched;
		if (srv->watched)
			srv->watched->prev = w;
		srv->watched = w;
		pthread_mutex_unlock(&srv->watch_lock);
		*socket_context = w;
		return;
	}
	if ((w = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&srv->watch_lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		srv->watched = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&srv->watch_lock);
	free(w);
	*socket_context = NULL;
}

static void *watchdog(void *arg)
{
	struct http_server *srv = arg;

	pthread_mutex_lock(&srv->watch_lock);
	while (!srv->watch_stop) {
		struct timespec ts;
		uint64_t now = now_ns();
		unsigned cut = 0;

		for (struct conn_watch *w = srv->watched; w; w = w->next)
			if (w->deadline_ns && now > w->deadline_ns && !w->cut && w->fd >= 0) {
				shutdown(w->fd, SHUT_RDWR);
				w->cut = 1;
				cut++;
			}
		if (cut)
			log_warn("http: %u connection(s) cut: a request did not arrive whole "
			         "within %u s", cut, srv->cfg.deadline);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&srv->watch_cond, &srv->watch_lock, &ts);
	}
	pthread_mutex_unlock(&srv->watch_lock);
	return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;

	if (req == NULL)
		return;
	watch_set(srv, conn, 1); /* the next request on this connection has its deadline */
	access_log(req, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	http_request_release(req);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* The first call, once the headers are in: checks what can be checked before the body.
 * Returns 1 when a reply is ready to send now. */
static int on_headers(struct http_server *srv, struct http_request *req, const char *method)
{
	struct err e = {0};
	const char *cl;

	req->method = http_strdup(req, method);
	if (req->target_too_long) {
		http_reply_status(req, 414, "uri_too_long", "the address is too long");
		return 1;
	}
	if (http_request_set_target(req, method, req->target, &e) != ERR_OK) {
		http_reply_error_flags(req, &e, HTTP_ERR_SYNTAX);
		return 1;
	}
	cl = http_header(req, "Content-Length");
	if (cl != NULL) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && n > srv->cfg.max_body) {
			req->body_too_big = 1;
			err_set(&e, ERR_TOO_BIG, "body",
			        "the request body is larger than %zu bytes", srv->cfg.max_body);
			http_reply_error(req, &e);
			return 1;
		}
	}
	return 0;
}

/* ---- Held replies: read audits and disk syncs ------------------------------------------
 * A request that read colleagues' records has queued its audit entries, and a request
 * that wrote has left its commit's disk sync to the syncer (store.h, store_readq). Its
 * reply is held, the connection suspended so that the worker serves others meanwhile,
 * until the auditor thread has committed the entries and synced the WAL once for every
 * commit made so far; then it resumes the connection and MHD calls on_access again, which
 * sends the reply, or a 503 when a commit or the sync failed. Nothing is acknowledged
 * before it is on the disk, but one sync serves every writer of the moment instead of
 * one each with a worker blocked on it. Audits gather for AUDIT_GROUP_MS when no write
 * waits: fewer commits, fewer page caches dropped by the other connections. */

#define AUDIT_GROUP_MS 4

/* Suspends req's connection until its ticket is committed. Returns 0 when there is no
 * need (already committed or failed, or the auditor is gone: then the request commits
 * the queue itself). */
static int hold(struct http_server *srv, struct MHD_Connection *conn, struct http_request *req)
{
	int held = 0;

	pthread_mutex_lock(&srv->held_lock);
	if (srv->audit_running && store_readq_state(srv->readq, &req->ticket) == 0) {
		if (srv->n_held == srv->cap_held) {
			srv->cap_held = srv->cap_held ? 2 * srv->cap_held : 64;
			srv->held = xrealloc(srv->held, srv->cap_held * sizeof *srv->held);
		}
		srv->held[srv->n_held++] = (struct held){conn, req->ticket};
		req->held = 1;
		MHD_suspend_connection(conn);
		held = 1;
	}
	pthread_mutex_unlock(&srv->held_lock);
	return held;
}

/* Sends req's reply, or a 503 when its read audits could not be committed or its writes
 * synced. */
static enum MHD_Result release_held(struct http_server *srv, struct MHD_Connection *conn,
                                    struct http_request *req)
{
	struct store_ticket t = req->ticket;
	int waiting = t.audit || t.sync;

	req->ticket = (struct store_ticket){0, 0};
	req->held = 0;
	if (waiting && store_readq_state(srv->readq, &t) == 0) {
		struct err e = {0};
		char text[ERR_FIELD_MAX + ERR_MSG_MAX + 8];

		/* the auditor is gone: do its work from this worker */
		if (store_readq_flush(req->store, srv->readq, &e) != ERR_OK)
			log_error("http: read audits not written: %s", err_text(&e, text, sizeof text));
		if (store_readq_sync(req->store, srv->readq, &e) != ERR_OK)
			log_error("http: writes not synced: %s", err_text(&e, text, sizeof text));
	}
	if (waiting && store_readq_state(srv->readq, &t) < 0) {
		struct err e = {0};

		req->resp.n_headers = 0; /* drop what the page set (cookies, file names) */
		buf_reset(&req->resp.body);
		err_set(&e, ERR_STORE, NULL, "the access could not be logged, try again");
		http_reply_error(req, &e);
	}
	return send_reply(srv, conn, req);
}

/* Resumes the held replies whose tickets are settled (all of them when all is set). */
static void resume_settled(struct http_server *srv, int all)
{
	size_t k = 0;

	pthread_mutex_lock(&srv->held_lock);
	for (size_t i = 0; i < srv->n_held; i++) {
		if (all || store_readq_state(srv->readq, &srv->held[i].ticket) != 0)
			MHD_resume_connection(srv->held[i].conn);
		else
			srv->held[k++] = srv->held[i];
	}
	srv->n_held = k;
	pthread_mutex_unlock(&srv->held_lock);
}

static void *auditor(void *arg)
{
	struct http_server *srv = arg;
	char text[ERR_FIELD_MAX + ERR_MSG_MAX + 8];

	for (;;) {
		int stop = atomic_load(&srv->audit_stop);
		struct err e = {0};

		if (store_readq_wait(srv->readq, 200) > 0 && !stop &&
		    !store_readq_commits_waiting(srv->readq)) {
			struct timespec ts = {0, AUDIT_GROUP_MS * 1000000L};

			nanosleep(&ts, NULL); /* let more audits gather */
		}
		if (stop) {
			/* no more holds: later requests do this work themselves */
			pthread_mutex_lock(&srv->held_lock);
			srv->audit_running = 0;
			pthread_mutex_unlock(&srv->held_lock);
		}
		if (store_readq_flush(srv->audit_store, srv->readq, &e) != ERR_OK)
			log_error("http: read audits not written: %s",
			          err_text(&e, text, sizeof text));
		if (store_readq_sync(srv->audit_store, srv->readq, &e) != ERR_OK)
			log_error("http: writes not synced to the disk: %s",
			          err_text(&e, text, sizeof text));
		resume_settled(srv, stop);
		if (stop)
			return NULL;
	}
}

/* ---- Checkpoints ------------------------------------------------------------------------
 * SQLite copies the WAL back into the database file (a checkpoint) from whichever commit
 * finds the WAL past 1,000 pages: that commit, holding the write lock, then takes tens to
 * hundreds of milliseconds, and every writer and held reply waits behind it. The server
 * turns that off on its handles and checkpoints from this thread instead, passively
 * (never waiting for readers or writers), every CKPT_PERIOD_MS (20 ms to 1 s measured:
 * no difference beyond the noise, write p99 40-65 ms at 64 connections either way). */

#define CKPT_PERIOD_MS 200

static void *checkpointer(void *arg)
{
	struct http_server *srv = arg;

	while (!atomic_load(&srv->audit_stop)) {
		struct timespec ts = {CKPT_PERIOD_MS / 1000, (CKPT_PERIOD_MS % 1000) * 1000000L};
		struct err e = {0};
		char text[ERR_FIELD_MAX + ERR_MSG_MAX + 8];

		nanosleep(&ts, NULL);
		if (store_checkpoint(srv->ckpt_store, NULL, &e) != ERR_OK)
			log_warn("http: checkpoint: %s", err_text(&e, text, sizeof text));
	}
	return NULL;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;

	(void)url;
	(void)version;
	if (req == NULL)
		return MHD_NO; /* cannot happen: on_uri made it */
	if (!req->started) {
		req->started = 1;
		if (on_headers(srv, req, method)) {
			watch_set(srv, conn, 0);
			return send_reply(srv, conn, req);
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		/* Past the cap the rest of the body is read and dropped, never kept. */
		if (!req->body_too_big &&
		    buf_append(&req->body, upload_data, *upload_data_size) != ERR_OK) {
			req->body_too_big = 1;
			buf_release(&req->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->resp.status != 0) {
		if (!req->held)
			return MHD_YES; /* already replied (MHD should not call again) */
		return release_held(srv, conn, req); /* resumed: what it waited for is done */
	}
	watch_set(srv, conn, 0); /* the request is in: no deadline while it is handled */
	if (req->body_too_big) {
		struct err e = {0};

		err_set(&e, ERR_TOO_BIG, "body", "the request body is larger than %zu bytes",
		        srv->cfg.max_body);
		http_reply_error(req, &e);
	} else {
		http_router_dispatch(&srv->router, req);
		if (req->store) {
			store_read_end(req->store);
			store_readq_take(req->store, &req->ticket);
		}
	}
	if ((req->ticket.audit || req->ticket.sync) && hold(srv, conn, req))
		return MHD_YES;
	return release_held(srv, conn, req);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warn("mhd: %s", line);
}

/* ---- Start and stop --------------------------------------------------------------- */

/* Four workers per core: a worker waiting for the disk to confirm a write (or for the
 * write lock) holds up the connections of its event loop, so more workers than cores
 * keep the cores busy. Measured in docs/BENCHMARKS.md. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	n *= 4;
	return n > HTTP_MAX_THREADS ? HTTP_MAX_THREADS : (unsigned)n;
}

enum err_code http_server_start(const struct http_config *c, struct http_server **out,
                                struct err *e)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	unsigned threads;
	struct MHD_OptionItem tls_opts[4] = {{MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL},
	                                {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
	const union MHD_DaemonInfo *info;
	enum err_code rc;

	*out = NULL;
	if (c->db_path == NULL)
		return err_set(e, ERR_INVALID, "db", "no database given");
	if (c->max_url < 16 || c->max_url >= c->header_memory)
		return err_set(e, ERR_INVALID, "max_url",
		               "the URL limit must be at least 16 and below the header "
		               "memory (%zu)", c->header_memory);
	if (c->max_body == 0 || c->max_connections == 0 || c->max_per_ip == 0 || c->timeout == 0 ||
	    c->deadline == 0)
		return err_set(e, ERR_INVALID, "config", "limits must be positive");
	threads = c->threads ? c->threads : default_threads();
	if (threads > HTTP_MAX_THREADS)
		return err_set(e, ERR_INVALID, "threads", "at most %d threads", HTTP_MAX_THREADS);
	rc = http_listen_parse(c->listen, &ss, &sslen, e);
	if (rc != ERR_OK)
		return rc;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((c->tls_cert_pem == NULL) != (c->tls_key_pem == NULL))
		return err_set(e, ERR_INVALID, "tls", "give both the certificate and the key");
	if (c->tls_cert_pem) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return err_set(e, ERR_INVALID, "tls",
			               "this libmicrohttpd was built without TLS support");
		flags |= MHD_USE_TLS;
		tls_opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
		                                 (void *)(uintptr_t)c->tls_cert_pem};
		tls_opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
		                                 (void *)(uintptr_t)c->tls_key_pem};
		tls_opts[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
		                                 (void *)(uintptr_t)"NORMAL:-VERS-TLS1.1:-VERS-TLS1.0"};
	}

	srv = xcalloc(1, sizeof *srv);
	srv->cfg = *c;
	srv->cfg.threads = threads;
	srv->gen = atomic_fetch_add(&next_gen, 1);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->watch_lock, NULL);
	pthread_cond_init(&srv->watch_cond, NULL);
	pthread_mutex_init(&srv->held_lock, NULL);
	atomic_init(&srv->audit_stop, 0);
	/* The auditor's handle; without it (tests without a database) each request writes
	 * its own read audits. */
	if (store_open(c->db_path, 0, &srv->audit_store, NULL) == ERR_OK) {
		srv->readq = store_readq_new();
		srv->audit_running = 1;
	}
	atomic_init(&srv->inflight, 0);
	atomic_init(&srv->stopping, 0);
	srv->router.tables = c->routes ? c->routes : http_route_tables;
	srv->router.before = before_handler;
	srv->router.before_ctx = srv;

	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_access, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, (void *)NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(threads > 1 ? threads : 0),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->header_memory,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)c->max_per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->timeout,
		MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, (void *)srv,
		MHD_OPTION_ARRAY, tls_opts,
		MHD_OPTION_END);
	if (srv->daemon == NULL) {
		store_close(srv->audit_store);
		store_readq_free(srv->readq);
		pthread_mutex_destroy(&srv->held_lock);
		pthread_mutex_destroy(&srv->lock);
		pthread_mutex_destroy(&srv->watch_lock);
		pthread_cond_destroy(&srv->watch_cond);
		free(srv);
		return err_set(e, ERR_IO, "listen",
		               "cannot listen on %s (address in use, or not an address of this "
		               "machine?)", c->listen);
	}
	if (srv->readq && store_open(c->db_path, 0, &srv->ckpt_store, NULL) == ERR_OK) {
		if (pthread_create(&srv->ckpt_thread, NULL, checkpointer, srv) == 0) {
			srv->ckpt_started = 1;
		} else {
			store_close(srv->ckpt_store);
			srv->ckpt_store = NULL;
		}
	}
	if (srv->readq && !srv->ckpt_started)
		log_error("http: cannot start the checkpointer: the WAL is copied back only at "
		          "shutdown");
	if (srv->readq)
		store_manual_checkpoints(srv->audit_store);
	if (srv->readq) {
		if (pthread_create(&srv->audit_thread, NULL, auditor, srv) == 0)
			srv->audit_started = 1;
		else
			srv->audit_running = 0;
	}
	if (pthread_create(&srv->watch_thread, NULL, watchdog, srv) == 0)
		srv->watch_started = 1;
	else
		log_warn("http: cannot start the request-deadline watchdog; slow clients are "
		         "cut by the idle time-out only");
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	log_info("http: port %u, %u threads, body <= %zu B, URL <= %zu B, header memory %zu B, "
	         "%u connections (%u per address), idle time-out %u s, request deadline %u s",
	         (unsigned)srv->port, threads, c->max_body, c->max_url, c->header_memory,
	         c->max_connections, c->max_per_ip, c->timeout, c->deadline);
	*out = srv;
	return ERR_OK;
}

uint16_t http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void http_server_stop(struct http_server *srv)
{
	struct store_slot *slot, *next;
	MHD_socket fd;
	uint64_t deadline;
	unsigned left;

	if (srv == NULL)
		return;
	atomic_store(&srv->stopping, 1);
	fd = MHD_quiesce_daemon(srv->daemon);
	deadline = now_ns() + (uint64_t)srv->cfg.grace * 1000000000u;
	while ((left = atomic_load(&srv->inflight)) > 0 && now_ns() < deadline) {
		struct timespec ts = {0, 20 * 1000000};

		nanosleep(&ts, NULL);
	}
	if (left > 0)
		log_warn("http: %u request(s) still running after %u s, closing them", left,
		         srv->cfg.grace);
	/* The auditor commits what is queued and resumes every held reply before MHD stops
	 * (MHD must not stop with suspended connections). */
	if (srv->audit_started) {
		atomic_store(&srv->audit_stop, 1);
		pthread_join(srv->audit_thread, NULL);
	}
	if (srv->ckpt_started) {
		atomic_store(&srv->audit_stop, 1);
		pthread_join(srv->ckpt_thread, NULL);
	}
	MHD_stop_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	if (srv->readq) {
		struct err e = {0};

		if (store_readq_flush(srv->audit_store, srv->readq, &e) != ERR_OK)
			log_error("http: read audits not written at shutdown");
	}
	if (srv->watch_started) {
		pthread_mutex_lock(&srv->watch_lock);
		srv->watch_stop = 1;
		pthread_cond_signal(&srv->watch_cond);
		pthread_mutex_unlock(&srv->watch_lock);
		pthread_join(srv->watch_thread, NULL);
	}
	pthread_mutex_destroy(&srv->watch_lock);
	pthread_cond_destroy(&srv->watch_cond);
	for (slot = srv->stores; slot; slot = next) {
		next = slot->next;
		store_close(slot->store);
		free(slot);
	}
	store_close(srv->audit_store);
	store_close(srv->ckpt_store);
	store_readq_free(srv->readq);
	free(srv->held);
	pthread_mutex_destroy(&srv->held_lock);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

/* server: the HTTP server (libmicrohttpd, a pool of worker threads each running its own
 * epoll loop), with bounds on every input, one database handle per worker thread, an
 * access log line per request and a draining shutdown. See docs/internals/http.md. */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/err.h"
#include "http/router.h"

/* Defaults (documented in docs/internals/http.md). */
#define HTTP_DEFAULT_LISTEN "127.0.0.1:8080"
#define HTTP_DEFAULT_MAX_BODY (1024u * 1024)      /* bytes */
#define HTTP_DEFAULT_HEADER_MEMORY (64u * 1024)   /* per connection, request line included */
#define HTTP_DEFAULT_MAX_URL 4096                 /* bytes of the request target */
#define HTTP_DEFAULT_MAX_CONNECTIONS 512
#define HTTP_DEFAULT_MAX_PER_IP 64
#define HTTP_DEFAULT_TIMEOUT 30                   /* seconds a connection may stay idle */
#define HTTP_DEFAULT_DEADLINE 30                  /* seconds for a whole request to arrive */
#define HTTP_DEFAULT_GRACE 10                     /* seconds given to in-flight requests */
#define HTTP_MAX_THREADS 64

struct http_config {
	const char *db_path;        /* the database each worker opens (required) */
	const char *listen;         /* "HOST:PORT", "[V6]:PORT"; numeric host; port 0 = any */
	unsigned threads;           /* worker threads; 0 = number of online cores */
	size_t max_body;            /* bytes; a larger body gets 413 */
	size_t header_memory;       /* MHD_OPTION_CONNECTION_MEMORY_LIMIT */
	size_t max_url;             /* bytes of the request target; longer gets 414 */
	unsigned max_connections;   /* in total */
	unsigned max_per_ip;        /* concurrent connections from one address */
	unsigned timeout;           /* idle seconds before a connection is closed */
	unsigned deadline;          /* seconds for a request (headers and body) to arrive,
	                             * counted from the connection's start or the previous
	                             * reply; a client trickling bytes is cut past it */
	unsigned grace;             /* seconds to wait for in-flight requests at shutdown */
	/* Routes: NULL means http_route_tables. */
	const struct http_route *const *routes;
	/* TLS: the certificate chain and private key in PEM (contents, not file names;
	 * borrowed), both NULL for plain HTTP (e.g. behind a reverse proxy). */
	const char *tls_cert_pem;
	const char *tls_key_pem;
	/* The auth layer's hook, run after the database handle is set (may be NULL). */
	http_before_fn auth_hook;
	void *auth_ctx;
};

struct http_server;

/* Fills c with the defaults (db_path NULL, listen HTTP_DEFAULT_LISTEN). */
void http_config_defaults(struct http_config *c);

/* Parses "A.B.C.D:PORT" or "[V6]:PORT" into ss (numeric hosts only, port 0-65535). */
enum err_code http_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                                struct err *e);

/* Starts the server; on success *out is a new server the caller stops with
 * http_server_stop. c is copied (its strings are borrowed: they must outlive the
 * server). */
enum err_code http_server_start(const struct http_config *c, struct http_server **out,
                                struct err *e);
/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *srv);
/* Stops accepting, waits up to the grace period for in-flight requests, stops the
 * workers, closes every database handle (store_close checkpoints) and frees srv. NULL is
 * a no-op. */
void http_server_stop(struct http_server *srv);

#endif

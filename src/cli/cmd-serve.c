/* cmd-serve: runs the HTTP server on a database until SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include <sodium.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/jobs.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/server.h"
#include "search/follow.h"
#include "search/index.h"
#include "store/store.h"

/* Parses a decimal number in [lo, hi] into *out; 0 on success, -1 otherwise. */
static int parse_number(const char *s, unsigned long long lo, unsigned long long hi,
                        unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Parses optarg for option opt; on failure prints a usage error and returns -1. */
static int number_opt(const char *opt, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
	if (parse_number(optarg, lo, hi, out) == 0)
		return 0;
	cli_usage_error(&cmd_serve, "%s expects a number from %llu to %llu", opt, lo, hi);
	return -1;
}

/* Refuses a database that is missing or not at this binary's schema (serve never
 * creates nor migrates: that is `constat init`'s job). */
static int check_database(const char *db)
{
	struct store *s = NULL;
	struct err e = {0};

	if (access(db, F_OK) != 0) {
		err_set(&e, ERR_NOT_FOUND, "db", "%s does not exist (create it with 'constat init "
		        "--db %s')", db, db);
		return cli_fail("serve", &e);
	}
	if (store_open(db, STORE_READONLY, &s, &e) != ERR_OK) {
		int rc = cli_fail("serve", &e);

		if (strstr(e.msg, "schema") != NULL)
			fprintf(stderr, "constat serve: upgrade it with 'constat init --db %s'\n",
			        db);
		return rc;
	}
	store_close(s);
	return CLI_EXIT_OK;
}

/* The background jobs of the server: the daily retention purge and the statistical
 * releases (unless --no-releases: tests that make their own). */
static const struct job *const jobs[] = {&jobs_purge, &jobs_release, NULL};
static const struct job *const jobs_no_releases[] = {&jobs_purge, NULL};

/* Reads a PEM file (at most 1 MiB) into new memory *out, NUL-terminated. */
static enum err_code read_pem(const char *path, const char *field, char **out, struct err *e)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	char *buf;

	*out = NULL;
	if (f == NULL)
		return err_set(e, ERR_IO, field, "cannot read %s: %s", path, strerror(errno));
	buf = xmalloc((1u << 20) + 1);
	n = fread(buf, 1, 1u << 20, f);
	if (!feof(f) || ferror(f) || n == 0) {
		fclose(f);
		free(buf);
		return err_set(e, ERR_INVALID, field, "%s: expected a PEM file of at most 1 MiB", path);
	}
	fclose(f);
	buf[n] = '\0';
	if (strstr(buf, "-----BEGIN ") == NULL) {
		free(buf);
		return err_set(e, ERR_INVALID, field, "%s is not a PEM file", path);
	}
	*out = buf;
	return ERR_OK;
}

/* Wipes and frees the TLS material. */
static void secret_free(char *cert, char *key)
{
	if (key)
		sodium_memzero(key, strlen(key));
	free(key);
	free(cert);
}

/* Loads the search index from path when given and present (and rebuild is 0), else
 * builds it from the database (and saves it to path when given). */
static enum err_code open_search_index(const char *db, const char *path, int rebuild,
                                       struct search_index **ix, struct err *e)
{
	struct store *s = NULL;
	enum err_code rc;
	struct timespec t0, t1;

	*ix = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (path && !rebuild && access(path, R_OK) == 0) {
		rc = search_index_open(path, 0, ix, e);
	} else {
		if ((rc = store_open(db, STORE_READONLY, &s, e)) == ERR_OK)
			rc = search_index_build(s, ix, e);
		store_close(s);
		if (rc == ERR_OK && path)
			rc = search_index_save(*ix, path, e);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == ERR_OK)
		log_info("serve: search index ready in %.1f s",
		         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return rc;
}

/* The follower rebuilt the index: searches move to it, the old one is freed. */
static void swap_index(void *ctx, struct search_index *fresh)
{
	struct search_index **ix = ctx;

	search_index_free(api_swap_search_index(fresh));
	*ix = fresh;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"threads", required_argument, NULL, 't'},
		{"max-body", required_argument, NULL, 'b'},
		{"max-connections", required_argument, NULL, 'c'},
		{"max-per-ip", required_argument, NULL, 'p'},
		{"timeout", required_argument, NULL, 'o'},
		{"request-deadline", required_argument, NULL, 'R'},
		{"no-releases", no_argument, NULL, 'N'},
		{"index", required_argument, NULL, 'i'},
		{"tls-cert", required_argument, NULL, 'C'},
		{"tls-key", required_argument, NULL, 'K'},
		{"edit-window-days", required_argument, NULL, 'w'},
		{"session-idle", required_argument, NULL, 'I'},
		{NULL, 0, NULL, 0},
	};
	struct api_config api = {.edit_window_days = 7};
	struct auth_config auth;
	struct search_index *ix = NULL;
	const char *index_path = NULL, *cert_path = NULL, *key_path = NULL;
	char *cert = NULL, *key = NULL;
	struct http_config cfg;
	struct http_server *srv = NULL;
	struct err e = {0};
	unsigned long long v;
	int no_releases = 0;
	struct search_follow *follow = NULL;
	struct search_follow_opts follow_opts = {.swap = swap_index};
	sigset_t sigs;
	const char *colon;
	int c, sig = 0, rc;

	http_config_defaults(&cfg);
	auth_config_defaults(&auth);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.db_path = optarg;
			break;
		case 'l':
			cfg.listen = optarg;
			break;
		case 't':
			if (number_opt("--threads", 1, HTTP_MAX_THREADS, &v) != 0)
				return CLI_EXIT_USAGE;
			cfg.threads = (unsigned)v;
			break;
		case 'b':
			if (number_opt("--max-body", 1, 1024ull * 1024 * 1024, &v) != 0)
				return CLI_EXIT_USAGE;
			cfg.max_body = (size_t)v;
			break;
		case 'c':
			if (number_opt("--max-connections", 1, 100000, &v) != 0)
				return CLI_EXIT_USAGE;
			cfg.max_connections = (unsigned)v;
			break;
		case 'p':
			if (number_opt("--max-per-ip", 1, 100000, &v) != 0)
				return CLI_EXIT_USAGE;
			cfg.max_per_ip = (unsigned)v;
			break;
		case 'o':
			if (number_opt("--timeout", 1, 3600, &v) != 0)
				return CLI_EXIT_USAGE;
			cfg.timeout = (unsigned)v;
			break;
		case 'N':
			no_releases = 1;
			break;
		case 'R':
			if (number_opt("--request-deadline", 1, 3600, &v) != 0)
				return CLI_EXIT_USAGE;
			cfg.deadline = (unsigned)v;
			break;
		case 'i':
			index_path = optarg;
			break;
		case 'C':
			cert_path = optarg;
			break;
		case 'K':
			key_path = optarg;
			break;
		case 'w':
			if (number_opt("--edit-window-days", 0, 3650, &v) != 0)
				return CLI_EXIT_USAGE;
			api.edit_window_days = (int64_t)v;
			break;
		case 'I':
			if (number_opt("--session-idle", 60, 7 * 86400, &v) != 0)
				return CLI_EXIT_USAGE;
			auth.idle_timeout = (int64_t)v;
			break;
		default:
			return cli_usage_error(&cmd_serve, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (cfg.db_path == NULL)
		return cli_usage_error(&cmd_serve, "--db FILE is required");
	if (optind < argc)
		return cli_usage_error(&cmd_serve, "unexpected argument '%s'", argv[optind]);
	{
		struct sockaddr_storage ss;
		socklen_t len;

		if (http_listen_parse(cfg.listen, &ss, &len, &e) != ERR_OK)
			return cli_usage_error(&cmd_serve, "--listen: %s", e.msg);
	}
	rc = check_database(cfg.db_path);
	if (rc != CLI_EXIT_OK)
		return rc;
	if ((cert_path == NULL) != (key_path == NULL))
		return cli_usage_error(&cmd_serve, "--tls-cert and --tls-key go together");
	if (cert_path) {
		if (read_pem(cert_path, "tls-cert", &cert, &e) != ERR_OK ||
		    read_pem(key_path, "tls-key", &key, &e) != ERR_OK) {
			free(cert);
			return cli_fail("serve", &e);
		}
		cfg.tls_cert_pem = cert;
		cfg.tls_key_pem = key;
		auth.secure_cookie = 1;
	}

	/* Block the stop signals before any thread starts, so that MHD's workers inherit the
	 * mask and only sigwait below receives them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (open_search_index(cfg.db_path, index_path, 0, &ix, &e) != ERR_OK)
		return cli_fail("serve", &e);
	/* registry changes made by other processes (import-sirene) reach the index; a saved
	 * index too old for the change log is rebuilt */
	follow_opts.swap_ctx = &ix;
	follow_opts.save_path = index_path;
	api_set_search_index(ix); /* before the follower, which may swap it */
	if (search_follow_start(ix, cfg.db_path, &follow_opts, &follow, &e) != ERR_OK &&
	    e.code == ERR_CONFLICT) {
		log_warn("serve: %s: rebuilding the search index", e.msg);
		api_set_search_index(NULL);
		search_index_free(ix);
		err_clear(&e);
		if (open_search_index(cfg.db_path, index_path, 1, &ix, &e) != ERR_OK)
			return cli_fail("serve", &e);
		api_set_search_index(ix);
		search_follow_start(ix, cfg.db_path, &follow_opts, &follow, &e);
	}
	if (follow == NULL)
		log_error("serve: %s (registry changes reach the search only at restart)", e.msg);
	auth_configure(&auth);
	api_configure(&api);
	cfg.auth_hook = auth_before;
	cfg.auth_ctx = NULL;
	if (http_server_start(&cfg, &srv, &e) != ERR_OK) {
		search_follow_stop(follow);
		api_set_search_index(NULL);
		search_index_free(ix);
		secret_free(cert, key);
		return cli_fail("serve", &e);
	}
	if (jobs_start(cfg.db_path, no_releases ? jobs_no_releases : jobs, &e) != ERR_OK)
		log_error("serve: %s (retention and releases will not run by themselves)", e.msg);
	colon = strrchr(cfg.listen, ':');
	printf("listening on %s://%.*s:%u\n", cert ? "https" : "http", (int)(colon - cfg.listen),
	       cfg.listen,
	       (unsigned)http_server_port(srv));
	fflush(stdout);

	while (sigwait(&sigs, &sig) != 0)
		;
	log_info("serve: %s received, finishing the requests in flight",
	         sig == SIGINT ? "SIGINT" : "SIGTERM");
	jobs_stop();
	http_server_stop(srv);
	search_follow_stop(follow);
	api_set_search_index(NULL);
	search_index_free(ix);
	secret_free(cert, key);
	log_info("serve: stopped");
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_serve = {
	.name = "serve",
	.summary = "run the web server and the JSON API",
	.usage = "Usage: constat serve --db FILE [--listen HOST:PORT] [--threads N]\n"
	         "                     [--max-body BYTES] [--max-connections N] [--max-per-ip N]\n"
	         "                     [--timeout SECONDS] [--request-deadline SECONDS]\n"
	         "                     [--index FILE] [--edit-window-days N] [--no-releases]\n"
	         "                     [--session-idle SECONDS] [--tls-cert FILE --tls-key FILE]\n\n"
	         "Serves the database FILE over HTTP until SIGTERM or SIGINT, then stops\n"
	         "accepting connections, lets the requests in flight finish (10 s at most) and\n"
	         "closes the database cleanly. FILE must exist at the current schema (see\n"
	         "'constat init').\n\n"
	         "  --listen HOST:PORT     numeric address and port (default 127.0.0.1:8080);\n"
	         "                         [ADDRESS]:PORT for IPv6; port 0 picks a free port,\n"
	         "                         printed as 'listening on http://HOST:PORT'\n"
	         "  --threads N            worker threads (default: four per core)\n"
	         "  --max-body BYTES       largest request body accepted (default 1048576)\n"
	         "  --max-connections N    concurrent connections in total (default 512)\n"
	         "  --max-per-ip N         concurrent connections from one address (default 64)\n"
	         "  --timeout SECONDS      idle time before a connection is closed (default 30)\n"
	         "  --request-deadline SECONDS\n"
	         "                         time for a request (headers and body) to arrive whole,\n"
	         "                         from the connection's start or the previous reply;\n"
	         "                         a client trickling bytes is cut past it (default 30)\n"
	         "  --index FILE           the search index file: loaded when present, else\n"
	         "                         built from the database and saved there; rebuilt\n"
	         "                         and saved again when the registry changed a lot\n"
	         "  --edit-window-days N   days during which an author edits an intervention\n"
	         "                         without a trace in the audit trail (default 7)\n"
	         "  --session-idle SECONDS idle time before a session ends (default 7200)\n"
	         "  --no-releases          do not make the monthly statistical releases (by\n"
	         "                         default a background job releases each closed month,\n"
	         "                         15 days after its end, and new versions after late\n"
	         "                         entries; settings stats.threshold, stats.p_percent,\n"
	         "                         stats.breakdown_agents, stats.closing_days in the\n"
	         "                         meta table)\n"
	         "  --tls-cert FILE, --tls-key FILE\n"
	         "                         serve HTTPS (PEM files; TLS 1.2 and later), with HSTS\n"
	         "                         and Secure cookies; without them, plain HTTP for a\n"
	         "                         reverse proxy that terminates TLS (docs/SECURITY.md)\n\n"
	         "One access-log line per request goes to stderr: method, path (never the query\n"
	         "string), status, duration, user id.\n",
	.run = run,
};

/* api: the JSON API under /api/v1 (docs/API.md, docs/openapi.json). One file per
 * resource, each exporting its route table; shared helpers to read request bodies
 * strictly and to turn records into JSON. */
#ifndef API_API_H
#define API_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/policy.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

extern const struct http_route api_session_routes[], api_establishment_routes[],
	api_intervention_routes[], api_me_routes[], api_nomenclature_routes[];

/* The search index the establishment search uses (set by the server once built;
 * borrowed). api_swap_search_index puts a rebuilt one in its place and returns the old
 * one, which no search uses any more once it returns (the caller frees it).
 * api_search_run runs one search on the current index: ERR_BUSY when there is none. */
struct search_index;
struct search_result;
void api_set_search_index(struct search_index *ix);
struct search_index *api_swap_search_index(struct search_index *ix);
enum err_code api_search_run(const char *q, size_t limit, struct search_result **out,
                             struct err *e);

/* Settings of the API, set once before the server starts. */
struct api_config {
	int64_t edit_window_days;   /* the author edits freely for this long, then with a trace */
};
void api_configure(const struct api_config *c);
const struct api_config *api_config(void);

/* ---- Reading request bodies (api-json.c) ---- */

/* Parses the body as a JSON object. Replies 415 unless the type is application/json, and
 * 400 (field "body") when it is not well-formed JSON or not an object; then returns the
 * error with the reply set. *out is a new reference the caller releases. */
enum err_code api_body_object(struct http_request *req, json_t **out, struct err *e);
/* ERR_INVALID naming the first member of obj not listed in allowed (NULL-terminated). */
enum err_code api_only_fields(struct http_request *req, const json_t *obj, const char *prefix,
                              const char *const *allowed, struct err *e);
/* The full name of a member for error messages: "name", or "prefix.name" (arena). */
const char *api_field(struct http_request *req, const char *prefix, const char *name);
/* A string member copied into the request's arena (*out stays NULL when absent and not
 * required). Wrong types are ERR_INVALID naming the member. */
enum err_code api_get_string(struct http_request *req, const json_t *obj, const char *prefix,
                             const char *name, int required, const char **out, struct err *e);
/* A boolean member; *out keeps its value when absent. */
enum err_code api_get_bool(struct http_request *req, const json_t *obj, const char *prefix,
                           const char *name, int *out, struct err *e);
/* An integer member within [min, max]; *out keeps its value when absent. */
enum err_code api_get_int(struct http_request *req, const json_t *obj, const char *prefix,
                          const char *name, int64_t min, int64_t max, int64_t *out,
                          struct err *e);
/* An array of at most max strings (arena); absent gives n = 0. */
enum err_code api_get_strings(struct http_request *req, const json_t *obj, const char *prefix,
                              const char *name, size_t max, const char *const **out, size_t *n,
                              struct err *e);

/* ---- Shared pieces ---- */

/* Replies the JSON document j (stolen: released here) with status. */
enum err_code api_reply(struct http_request *req, int status, json_t *j, struct err *e);
/* JSON for a string that may be NULL (null). */
json_t *api_str(const char *s);
/* The intervention record as JSON (new reference). */
json_t *api_intervention_json(const struct intervention_rec *r);

#endif

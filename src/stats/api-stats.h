/* api-stats: the JSON API of released statistics (GET /api/v1/stats/...). The lead adds
 * api_stats_routes to http_route_tables in src/http/routes.c. */
#ifndef STATS_API_STATS_H
#define STATS_API_STATS_H

#include "http/router.h"
#include "stats/stats.h"

extern const struct http_route api_stats_routes[];

#endif

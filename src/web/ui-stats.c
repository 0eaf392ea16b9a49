/* ui-stats: PLACEHOLDER, replaced by the dashboards. */
#include "web/web.h"

enum err_code web_stats_home(struct http_request *req, struct err *e)
{
	(void)req;
	return err_set(e, ERR_NOT_FOUND, NULL, "not yet");
}

enum err_code web_stats_table(struct http_request *req, struct err *e)
{
	return web_stats_home(req, e);
}

enum err_code web_stats_export(struct http_request *req, struct err *e)
{
	return web_stats_home(req, e);
}

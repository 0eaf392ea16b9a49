/* ui-ilo: PLACEHOLDER, replaced by the ILO report pages. */
#include "web/web.h"

enum err_code web_ilo_report(struct http_request *req, struct err *e)
{
	(void)req;
	return err_set(e, ERR_NOT_FOUND, NULL, "not yet");
}

enum err_code web_ilo_text_save(struct http_request *req, struct err *e)
{
	return web_ilo_report(req, e);
}

enum err_code web_ilo_export(struct http_request *req, struct err *e)
{
	return web_ilo_report(req, e);
}

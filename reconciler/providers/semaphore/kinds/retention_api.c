/*
 * retention: artifact retention policies, one per project. There is no
 * delete; a POST replaces the whole policy, so sending it again is harmless.
 */
#include "reconciler/providers/semaphore/api.h"

#include <stdlib.h>

int cf_sem_retention_get(cJSON **out, cf_http_client *c, const char *project_id, cf_error *err)
{
	char *e = cf_http_escape(project_id);
	char *p = cf_xasprintf("/artifacts_retention_policies/%s", e);
	int rc = cf_http_request(out, c, "GET", CF_HTTP_IDEMPOTENT, NULL, p, err);
	free(p);
	free(e);
	return rc;
}

int cf_sem_retention_set(cJSON **out, cf_http_client *c, const cJSON *body, cf_error *err)
{
	char *text = cJSON_PrintUnformatted(body);
	int rc = cf_http_request(out, c, "POST", CF_HTTP_IDEMPOTENT, text, "/artifacts_retention_policies", err);
	free(text);
	return rc;
}

/*
 * targets: deployment targets, addressed by UUID within a project. Secrets
 * are only ever read as MD5s (include_secrets=true); every mutation but
 * activate and deactivate carries the caller's unique_token.
 */
#include "reconciler/providers/semaphore/api.h"

#include <stdlib.h>
#include <string.h>

static char *target_path(const char *id, const char *suffix)
{
	char *e = cf_http_escape(id);
	char *p = cf_xasprintf("/deployment_targets/%s%s", e, suffix);
	free(e);
	return p;
}

int cf_sem_target_list(cJSON **out, cf_http_client *c, const char *project_id, cf_error *err)
{
	char *e = cf_http_escape(project_id);
	char *p = cf_xasprintf("/deployment_targets?project_id=%s", e);
	int rc = cf_http_get_list(out, c, p, NULL, err);
	free(p);
	free(e);
	return rc;
}

int cf_sem_target_describe(cJSON **out, cf_http_client *c, const char *id, bool include_secrets,
			   cf_error *err)
{
	char *p = target_path(id, include_secrets ? "?include_secrets=true" : "");
	int rc = cf_http_request(out, c, "GET", CF_HTTP_IDEMPOTENT, NULL, p, err);
	free(p);
	return rc;
}

static bool has_token(const cJSON *body)
{
	return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "unique_token"));
}

static int send(cJSON **out, cf_http_client *c, const char *method, const char *path,
		const cJSON *body, cf_error *err)
{
	char *text = cJSON_PrintUnformatted(body);
	int rc = cf_http_request(out, c, method, has_token(body) ? CF_HTTP_IDEMPOTENT : 0, text, path, err);
	free(text);
	return rc;
}

int cf_sem_target_create(cJSON **out, cf_http_client *c, const char *project_id, const cJSON *body,
			 cf_error *err)
{
	if (!has_token(body))
		return cf_error_set(err, CF_EUSAGE, "a target create needs a unique_token");
	char *e = cf_http_escape(project_id);
	char *p = cf_xasprintf("/deployment_targets?project_id=%s", e);
	int rc = send(out, c, "POST", p, body, err);
	free(p);
	free(e);
	return rc;
}

int cf_sem_target_update(cJSON **out, cf_http_client *c, const char *id, const cJSON *body, cf_error *err)
{
	char *p = target_path(id, "");
	int rc = send(out, c, "PATCH", p, body, err);
	free(p);
	return rc;
}

int cf_sem_target_delete(cf_http_client *c, const char *id, const char *unique_token, cf_error *err)
{
	char *t = cf_http_escape(unique_token);
	char *q = cf_xasprintf("?unique_token=%s", t);
	char *p = target_path(id, q);
	int rc = cf_http_delete(c, p, err);
	free(p);
	free(q);
	free(t);
	return rc;
}

static int set_active(cf_http_client *c, const char *id, const char *verb, cf_error *err)
{
	char *p = target_path(id, verb);
	int rc = cf_http_request(NULL, c, "PATCH", CF_HTTP_IDEMPOTENT, NULL, p, err);
	free(p);
	return rc;
}

int cf_sem_target_activate(cf_http_client *c, const char *id, cf_error *err)
{
	return set_active(c, id, "/activate", err);
}

int cf_sem_target_deactivate(cf_http_client *c, const char *id, cf_error *err)
{
	return set_active(c, id, "/deactivate", err);
}

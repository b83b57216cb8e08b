/*
 * agent_types: self-hosted agent types, addressed by name.
 *
 * Create is the one mutation with no idempotency token, and its answer
 * holds the only copy of the registration token: after a failure the agent
 * type is looked up, and created again only if it is not there.
 */
#include "reconciler/providers/semaphore/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *name_path(const char *name, const char *suffix)
{
	char *e = cf_http_escape(name);
	char *p = cf_xasprintf("/self_hosted_agent_types/%s%s", e, suffix);
	free(e);
	return p;
}

int cf_sem_agent_type_list(cJSON **out, cf_http_client *c, cf_error *err)
{
	return cf_http_get_list(out, c, "/self_hosted_agent_types", "agent_types", err);
}

int cf_sem_agent_type_get(cJSON **out, cf_http_client *c, const char *name, cf_error *err)
{
	char *p = name_path(name, "");
	int rc = cf_http_request(out, c, "GET", CF_HTTP_IDEMPOTENT, NULL, p, err);
	free(p);
	return rc;
}

static const char *body_name(const cJSON *body)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(body, "metadata"), "name"));
}

int cf_sem_agent_type_create(cJSON **out, char **token, cf_http_client *c, const cJSON *body,
			     cf_error *err)
{
	*out = NULL;
	*token = NULL;
	const char *name = body_name(body);
	if (!name)
		return cf_error_set(err, CF_EUSAGE, "an agent type needs metadata.name");
	char *text = cJSON_PrintUnformatted(body);
	int rc = CF_OK;
	for (int attempt = 1;; attempt++) {
		cf_http_call call;
		cf_http_call_init(&call, "POST", 0, text, "/self_hosted_agent_types");
		rc = cf_http_run(c, &call, 1, err);
		bool retryable = call.retryable;
		if (rc == CF_OK) {
			*out = call.json;
			call.json = NULL;
			cJSON *t = cJSON_DetachItemFromObjectCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(*out, "status"), "registration_token");
			*token = cJSON_IsString(t) ? cf_xstrdup(t->valuestring) : NULL;
			cJSON_Delete(t);
		}
		cf_http_call_clear(&call);
		if (rc == CF_OK || !retryable || attempt >= 5)
			break;
		cf_error lookup = {0};
		int found = cf_sem_agent_type_get(out, c, name, &lookup);
		cf_error_clear(&lookup);
		if (found == CF_OK) { /* it was created; only the answer was lost */
			cf_error_clear(err);
			rc = CF_OK;
			break;
		}
		nanosleep(&(struct timespec){0, 200000000L * attempt}, NULL);
	}
	free(text);
	return rc;
}

int cf_sem_agent_type_update(cJSON **out, cf_http_client *c, const cJSON *body, cf_error *err)
{
	const char *name = body_name(body);
	if (!name)
		return cf_error_set(err, CF_EUSAGE, "an agent type needs metadata.name");
	char *p = name_path(name, "");
	char *text = cJSON_PrintUnformatted(body);
	int rc = cf_http_request(out, c, "PATCH", CF_HTTP_IDEMPOTENT, text, p, err);
	free(text);
	free(p);
	return rc;
}

int cf_sem_agent_type_delete(cf_http_client *c, const char *name, cf_error *err)
{
	char *p = name_path(name, "");
	int rc = cf_http_delete(c, p, err);
	free(p);
	return rc;
}

int cf_sem_agent_type_disable_all(cf_http_client *c, const char *name, bool only_idle, cf_error *err)
{
	char *p = name_path(name, "/disable_all");
	int rc = cf_http_request(NULL, c, "POST", CF_HTTP_IDEMPOTENT,
				only_idle ? "{\"only_idle\":true}" : "{\"only_idle\":false}", p, err);
	free(p);
	return rc;
}

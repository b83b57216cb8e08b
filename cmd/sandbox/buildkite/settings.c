/*
 * settings: the sandbox's /v2/organizations/ORG/pipeline-settings routes,
 * as buildkite/docs pages/apis/rest_api/organizations/pipeline_settings.md
 * describes them.
 *
 * State: "pipeline_settings": {"default_branch", "default_cluster_id",
 * "default_timeout_in_minutes", "maximum_timeout_in_minutes",
 * "scheduled_job_expiry_in_minutes"}; missing fields are null. "admin": false
 * (next to it, under "buildkite") makes the token's user no organisation
 * administrator: every route here is then 403.
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[] = {"default_branch", "default_cluster_id", "default_timeout_in_minutes",
				   "maximum_timeout_in_minutes", "scheduled_job_expiry_in_minutes", NULL};

static cJSON *settings(bkx_call *c)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(c->bk, "pipeline_settings");
	if (!cJSON_IsObject(s)) {
		cJSON_DeleteItemFromObjectCaseSensitive(c->bk, "pipeline_settings");
		s = cJSON_AddObjectToObject(c->bk, "pipeline_settings");
	}
	for (size_t i = 0; keys[i]; i++)
		if (!cJSON_HasObjectItem(s, keys[i]))
			cJSON_AddNullToObject(s, keys[i]);
	return s;
}

/* docs "Get pipeline settings": the fields, and the groups other endpoints manage */
static cJSON *shown(bkx_call *c, const cJSON *s)
{
	cJSON *out = cJSON_Duplicate(s, 1);
	char url[256];
	snprintf(url, sizeof(url), "https://api.buildkite.com/v2/organizations/%s/pipeline-settings",
		 sbx_str(c->bk, "organization"));
	cJSON_AddStringToObject(out, "url", url);
	cJSON *p = cJSON_AddObjectToObject(out, "public_pipeline_creation");
	cJSON_AddFalseToObject(p, "enabled");
	return out;
}

/* docs "Update pipeline settings": only the fields in the body change; a
 * default_cluster_id that is no cluster of the organisation, or a field of
 * the wrong type, is 422 */
static void update(bkx_call *c, cJSON *s)
{
	const cJSON *v;
	for (size_t i = 0; keys[i]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]);
		bool number = i >= 2, ok = !v || cJSON_IsNull(v) || (number ? cJSON_IsNumber(v) && v->valuedouble >= 1
										   : cJSON_IsString(v));
		if (ok && i == 1 && cJSON_IsString(v))
			ok = sbx_find(cJSON_GetObjectItemCaseSensitive(c->bk, "clusters"), "id", v->valuestring) != NULL;
		if (!ok)
			return bkx_fail(c, 422, "Validation failed: a field value failed validation");
	}
	for (size_t i = 0; keys[i]; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]))) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, keys[i]);
			cJSON_AddItemToObject(s, keys[i], cJSON_Duplicate(v, 1));
		}
	bkx_answer(c, 200, shown(c, s));
}

void bkx_settings(bkx_call *c, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	/* docs: read_organization_settings / write_organization_settings (and an admin) */
	if (!bkx_scope(c, get ? "read_organization_settings" : "write_organization_settings"))
		return;
	/* docs: "Both read and write operations require organization
	 * administrator privileges"; a user who is none is 403 (the body as
	 * docs pipelines.md's 403: { "message": "Forbidden" }) */
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c->bk, "admin")))
		return bkx_fail(c, 403, "Forbidden");
	cJSON *s = settings(c);
	if (!*rest && get)
		return bkx_answer(c, 200, shown(c, s));
	if (!*rest && !strcmp(c->method, "PATCH"))
		return update(c, s);
	bkx_fail(c, 404, "Not Found");
}

/*
 * schedules: the sandbox's /v2/organizations/ORG/pipelines/SLUG/schedules
 * routes (gob = go-buildkite pipeline_schedules.go; docs = buildkite/docs
 * pages/apis/rest_api/pipeline_schedules.md).
 *
 * A schedule in the state ("schedules"): {"id", "pipeline_slug", "label",
 * "cronline", "branch", "commit", "message", "env": {NAME: VALUE},
 * "enabled", "failed_message"}; missing fields take the API's defaults.
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *all(bkx_call *c)
{
	return cJSON_GetObjectItemCaseSensitive(c->bk, "schedules");
}

/* gob PipelineSchedule: what a GET answers with */
static cJSON *shown(const cJSON *s)
{
	cJSON *out = cJSON_Duplicate(s, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(out, "pipeline_slug");
	static const char *const nullable[] = {"branch", "commit", "message", "failed_message", "failed_at"};
	for (size_t i = 0; i < 5; i++)
		if (!cJSON_HasObjectItem(out, nullable[i]))
			cJSON_AddNullToObject(out, nullable[i]);
	if (!cJSON_HasObjectItem(out, "env"))
		cJSON_AddObjectToObject(out, "env");
	if (!cJSON_HasObjectItem(out, "enabled"))
		cJSON_AddTrueToObject(out, "enabled");
	return out;
}

/* The body's fields onto s (gob CreatePipelineSchedule / Update): strings,
 * env an object of strings, enabled a boolean; false (answered 422) else.
 * Re-enabling clears failed_message and failed_at (docs "Update a
 * pipeline schedule", enabled: "Re-enabling a previously failed schedule
 * clears its failed_message and failed_at values"). */
static bool take(bkx_call *c, cJSON *s)
{
	static const char *const keys[] = {"label", "cronline", "branch", "commit", "message"};
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(c->body, "env"), *v;
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(c->body, "enabled");
	bool ok = (!env || cJSON_IsObject(env)) && (!en || cJSON_IsBool(en));
	cJSON_ArrayForEach(v, env)
		ok = ok && cJSON_IsString(v);
	for (size_t i = 0; i < 5; i++) {
		v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]);
		ok = ok && (!v || cJSON_IsString(v));
	}
	if (!ok) {
		bkx_fail(c, 422, "Validation failed: a field has the wrong type");
		return false;
	}
	for (size_t i = 0; i < 5; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]))) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, keys[i]);
			cJSON_AddStringToObject(s, keys[i], v->valuestring);
		}
	if (env) {
		cJSON_DeleteItemFromObjectCaseSensitive(s, "env");
		cJSON_AddItemToObject(s, "env", cJSON_Duplicate(env, 1));
	}
	if (en) {
		if (cJSON_IsTrue(en)) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, "failed_message");
			cJSON_DeleteItemFromObjectCaseSensitive(s, "failed_at");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(s, "enabled");
		cJSON_AddBoolToObject(s, "enabled", cJSON_IsTrue(en));
	}
	return true;
}

static void create(bkx_call *c, const char *slug)
{
	const char *cron = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "cronline"));
	if (!cron || !*cron) /* gob CreatePipelineSchedule: cronline is always sent */
		return bkx_fail(c, 422, "Validation failed: Cronline can't be blank");
	cJSON *s = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(s, "id", id);
	cJSON_AddStringToObject(s, "pipeline_slug", slug);
	if (!take(c, s))
		return cJSON_Delete(s);
	cJSON_AddItemToArray(all(c), s);
	bkx_answer(c, 201, shown(s));
}

/* rest: what follows /pipelines/SLUG/schedules; scopes were checked by
 * pipelines.c */
void bkx_schedules(bkx_call *c, const char *slug, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	cJSON *s;
	if (!*rest && get) { /* gob List: paged */
		cJSON *mine = cJSON_CreateArray();
		cJSON_ArrayForEach(s, all(c))
			if (!strcmp(sbx_str(s, "pipeline_slug"), slug))
				cJSON_AddItemToArray(mine, shown(s));
		bkx_page(c, mine, c->url);
		return cJSON_Delete(mine);
	}
	if (!*rest && !strcmp(c->method, "POST"))
		return create(c, slug);
	char id[64];
	if (sscanf(rest, "/%63[^/?]", id) != 1 || !(s = sbx_find(all(c), "id", id)) ||
	    strcmp(sbx_str(s, "pipeline_slug"), slug) != 0 || strchr(rest + 1, '/'))
		return bkx_fail(c, 404, "Not Found");
	if (get)
		return bkx_answer(c, 200, shown(s));
	if (!strcmp(c->method, "PATCH") || !strcmp(c->method, "PUT")) { /* gob Update: PATCH; docs: PUT */
		if (take(c, s))
			bkx_answer(c, 200, shown(s));
		return;
	}
	if (!strcmp(c->method, "DELETE")) { /* 204 */
		cJSON_Delete(cJSON_DetachItemViaPointer(all(c), s));
		c->rs->status = 204;
		c->rs->text = strdup("");
		return;
	}
	bkx_fail(c, 404, "Not Found");
}

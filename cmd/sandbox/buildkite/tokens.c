/*
 * tokens: the sandbox's /v2/organizations/ORG/clusters/ID/tokens routes, as
 * buildkite/docs pages/apis/rest_api/clusters/agent_tokens.md describes
 * them (docs below; gob = go-buildkite cluster_tokens.go).
 *
 * A token in the state ("agent_tokens"): {"id", "cluster_id",
 * "description", "allowed_ip_addresses" (one space-separated string),
 * "expires_at", "created_at"}. The value is made on create, answered once
 * and never kept.
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *all(bkx_call *c)
{
	return cJSON_GetObjectItemCaseSensitive(c->bk, "agent_tokens");
}

/* docs "Token data model" */
static void fill(bkx_call *c, cJSON *t)
{
	static const char *const nullable[] = {"description", "allowed_ip_addresses", "expires_at"};
	for (size_t i = 0; i < 3; i++)
		if (!cJSON_HasObjectItem(t, nullable[i]))
			cJSON_AddNullToObject(t, nullable[i]);
	if (!cJSON_HasObjectItem(t, "created_at"))
		cJSON_AddStringToObject(t, "created_at", "2023-05-26T04:21:41.350Z");
	if (!cJSON_HasObjectItem(t, "url")) {
		char url[512];
		snprintf(url, sizeof(url), "http://api.buildkite.com/v2/organizations/%s/clusters/%s/tokens/%s",
			 sbx_str(c->bk, "organization"), sbx_str(t, "cluster_id"), sbx_str(t, "id"));
		cJSON_AddStringToObject(t, "url", url);
	}
}

/* The writable fields onto t: description and allowed_ip_addresses (gob
 * ClusterTokenCreate/Update: strings), expires_at on create only (docs
 * Create's optional properties; gob's update has none). */
static bool take(bkx_call *c, cJSON *t, bool update)
{
	static const char *const keys[] = {"description", "allowed_ip_addresses", "expires_at"};
	for (size_t i = 0; i < (update ? 2u : 3u); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]);
		if (v && !cJSON_IsString(v)) {
			bkx_fail(c, 422, "Validation failed: a field is not a string");
			return false;
		}
		if (v) {
			cJSON_DeleteItemFromObjectCaseSensitive(t, keys[i]);
			cJSON_AddItemToObject(t, keys[i], cJSON_Duplicate(v, 1));
		}
	}
	if (!*sbx_str(t, "description")) { /* docs Create: description is required */
		bkx_fail(c, 422, "Validation failed: Description can't be blank");
		return false;
	}
	return true;
}

/* docs "Create a token": 201; the answer alone carries "token" ("Token
 * visibility") */
static void create(bkx_call *c, const cJSON *cl)
{
	cJSON *t = cJSON_CreateObject();
	char id[37], value[37];
	sbx_uuid(id);
	sbx_uuid(value);
	cJSON_AddStringToObject(t, "id", id);
	cJSON_AddStringToObject(t, "cluster_id", sbx_str(cl, "id"));
	if (!take(c, t, false))
		return cJSON_Delete(t);
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(t, "created_at", now);
	free(now);
	fill(c, t);
	cJSON_AddItemToArray(all(c), t);
	cJSON *answer = cJSON_Duplicate(t, 1);
	cJSON_AddStringToObject(answer, "token", value);
	bkx_answer(c, 201, answer);
}

/* rest: what follows /clusters/ID/tokens; scopes were checked by clusters.c */
void bkx_tokens(bkx_call *c, const cJSON *cl, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	cJSON *t;
	if (!*rest && get) { /* docs "List tokens": paged */
		cJSON *mine = cJSON_CreateArray();
		cJSON_ArrayForEach(t, all(c))
			if (!strcmp(sbx_str(t, "cluster_id"), sbx_str(cl, "id"))) {
				fill(c, t);
				cJSON_AddItemToArray(mine, cJSON_Duplicate(t, 1));
			}
		bkx_page(c, mine, c->url);
		return cJSON_Delete(mine);
	}
	if (!*rest && !strcmp(c->method, "POST"))
		return create(c, cl);
	char id[64];
	if (sscanf(rest, "/%63[^/?]", id) != 1 || !(t = sbx_find(all(c), "id", id)) ||
	    strcmp(sbx_str(t, "cluster_id"), sbx_str(cl, "id")) != 0 || strchr(rest + 1, '/'))
		return bkx_fail(c, 404, "No token found");
	fill(c, t);
	if (get) /* docs "Get a token": never the value */
		return bkx_answer(c, 200, cJSON_Duplicate(t, 1));
	/* docs "Update a token": PUT; gob Update sends PATCH */
	if (!strcmp(c->method, "PUT") || !strcmp(c->method, "PATCH")) {
		if (take(c, t, true))
			bkx_answer(c, 200, cJSON_Duplicate(t, 1));
		return;
	}
	if (!strcmp(c->method, "DELETE")) { /* docs "Revoke a token": 204 */
		cJSON_Delete(cJSON_DetachItemViaPointer(all(c), t));
		c->rs->status = 204;
		c->rs->text = strdup("");
		return;
	}
	bkx_fail(c, 404, "Not Found");
}

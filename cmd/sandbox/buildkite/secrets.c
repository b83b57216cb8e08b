/*
 * secrets: the sandbox's /v2/organizations/ORG/clusters/ID/secrets routes,
 * as buildkite/docs pages/apis/rest_api/clusters/secrets.md describes them
 * (docs below; tf = terraform-provider-buildkite
 * buildkite/resource_cluster_secret.go).
 *
 * A secret in the state ("secrets"): {"id", "cluster_id", "key", "value",
 * "description", "policy", "created_at", "updated_at"}; the value is kept
 * (tests read the state) and never answered.
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cJSON *all(bkx_call *c)
{
	return cJSON_GetObjectItemCaseSensitive(c->bk, "secrets");
}

/* docs "Secret data model": "value ... is never returned by the API" */
static cJSON *shown(bkx_call *c, const cJSON *s)
{
	cJSON *out = cJSON_Duplicate(s, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(out, "value");
	static const char *const nullable[] = {"description", "policy", "last_read_at", "updated_by"};
	for (size_t i = 0; i < 4; i++)
		if (!cJSON_HasObjectItem(out, nullable[i]))
			cJSON_AddNullToObject(out, nullable[i]);
	char url[512];
	snprintf(url, sizeof(url), "http://api.buildkite.com/v2/organizations/%s/clusters/%s/secrets/%s",
		 sbx_str(c->bk, "organization"), sbx_str(s, "cluster_id"), sbx_str(s, "id"));
	cJSON_AddStringToObject(out, "url", url);
	return out;
}

/* docs Create / Update a secret's value: "Must be less than 8 kilobytes.
 * Cannot be blank." */
static bool value_ok(bkx_call *c, const cJSON *v)
{
	const char *s = cJSON_GetStringValue(v);
	bool blank = true;
	for (const char *p = s; p && *p; p++)
		blank = blank && strchr(" \t\r\n", *p);
	if (!s || blank || strlen(s) >= 8192) {
		bkx_fail(c, 422, "Validation failed: Value can't be blank and must be less than 8 kilobytes");
		return false;
	}
	return true;
}

static void touch(cJSON *s)
{
	char *now = sbx_iso_time(); /* docs: every PUT moves updated_at */
	cJSON_DeleteItemFromObjectCaseSensitive(s, "updated_at");
	cJSON_AddStringToObject(s, "updated_at", now);
	free(now);
}

static void take(cJSON *s, const cJSON *body)
{
	static const char *const keys[] = {"description", "policy"};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, keys[i]);
		if (cJSON_IsString(v)) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, keys[i]);
			cJSON_AddStringToObject(s, keys[i], v->valuestring);
		}
	}
}

/* docs "Create a secret": key rules (tf reservedSecretKeyPrefixValidator
 * too), unique within the cluster; 201 */
static void create(bkx_call *c, const cJSON *cl)
{
	const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "key"));
	bool ok = key && ((*key >= 'A' && *key <= 'Z') || (*key >= 'a' && *key <= 'z')) && strlen(key) <= 255 &&
		  strncasecmp(key, "bk", 2) && strncasecmp(key, "buildkite", 9);
	for (const char *p = key; ok && *p; p++)
		ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (!ok)
		return bkx_fail(c, 422, "Validation failed: Key is invalid");
	const cJSON *o;
	cJSON_ArrayForEach(o, all(c))
		if (!strcmp(sbx_str(o, "cluster_id"), sbx_str(cl, "id")) && !strcmp(sbx_str(o, "key"), key))
			return bkx_fail(c, 422, "Validation failed: Key has already been taken");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, "value");
	if (v && !value_ok(c, v))
		return;
	cJSON *s = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(s, "id", id);
	cJSON_AddStringToObject(s, "cluster_id", sbx_str(cl, "id"));
	cJSON_AddStringToObject(s, "key", key);
	if (v)
		cJSON_AddStringToObject(s, "value", v->valuestring);
	take(s, c->body);
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(s, "created_at", now);
	free(now);
	touch(s);
	cJSON_AddItemToArray(all(c), s);
	bkx_answer(c, 201, shown(c, s));
}

/* rest: what follows /clusters/ID/secrets; docs: read_secret_details to
 * read, write_secrets to change */
void bkx_secrets(bkx_call *c, const cJSON *cl, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	if (!bkx_scope(c, get ? "read_secret_details" : "write_secrets"))
		return;
	cJSON *s;
	if (!*rest && get) { /* docs "List secrets": paged */
		cJSON *mine = cJSON_CreateArray();
		cJSON_ArrayForEach(s, all(c))
			if (!strcmp(sbx_str(s, "cluster_id"), sbx_str(cl, "id")))
				cJSON_AddItemToArray(mine, shown(c, s));
		bkx_page(c, mine, c->url);
		return cJSON_Delete(mine);
	}
	if (!*rest && !strcmp(c->method, "POST"))
		return create(c, cl);
	char id[64], sub[16] = "";
	if (sscanf(rest, "/%63[^/?]/%15[^/?]", id, sub) < 1 || !(s = sbx_find(all(c), "id", id)) ||
	    strcmp(sbx_str(s, "cluster_id"), sbx_str(cl, "id")) != 0)
		return bkx_fail(c, 404, "No secret found");
	if (!*sub && get) /* docs "Get a secret" */
		return bkx_answer(c, 200, shown(c, s));
	if (!strcmp(sub, "value") && !strcmp(c->method, "PUT")) { /* docs "Update a secret's value" */
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, "value");
		if (!value_ok(c, v))
			return;
		cJSON_DeleteItemFromObjectCaseSensitive(s, "value");
		cJSON_AddStringToObject(s, "value", v->valuestring);
		touch(s);
		return bkx_answer(c, 200, shown(c, s));
	}
	if (!*sub && !strcmp(c->method, "PUT")) { /* docs "Update a secret's description and access policy" */
		if (cJSON_HasObjectItem(c->body, "key"))
			return bkx_fail(c, 422, "The key parameter cannot be updated.");
		if (cJSON_HasObjectItem(c->body, "value"))
			return bkx_fail(c, 422, "The value parameter cannot be updated on this endpoint.");
		take(s, c->body);
		touch(s);
		return bkx_answer(c, 200, shown(c, s));
	}
	if (!*sub && !strcmp(c->method, "DELETE")) { /* docs "Delete a secret": 204 */
		cJSON_Delete(cJSON_DetachItemViaPointer(all(c), s));
		c->rs->status = 204;
		c->rs->text = strdup("");
		return;
	}
	bkx_fail(c, 404, "Not Found");
}

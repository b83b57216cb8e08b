/*
 * clusters: the sandbox's /v2/organizations/ORG/clusters routes, as
 * buildkite/docs pages/apis/rest_api/clusters.md describes them (docs
 * below; gob = go-buildkite clusters.go); a cluster's queues are in
 * queues.c, its agent tokens in tokens.c, its secrets in secrets.c.
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *all(bkx_call *c, const char *what)
{
	return cJSON_GetObjectItemCaseSensitive(c->bk, what);
}

/* docs "Cluster data model": the fields a GET answers with */
static void fill(bkx_call *c, cJSON *cl)
{
	static const char *const nullable[] = {"description", "emoji", "color", "default_queue_id"};
	for (size_t i = 0; i < sizeof(nullable) / sizeof(nullable[0]); i++)
		if (!cJSON_HasObjectItem(cl, nullable[i]))
			cJSON_AddNullToObject(cl, nullable[i]);
	if (!cJSON_HasObjectItem(cl, "url")) {
		char url[512];
		snprintf(url, sizeof(url), "http://api.buildkite.com/v2/organizations/%s/clusters/%s",
			 sbx_str(c->bk, "organization"), sbx_str(cl, "id"));
		cJSON_AddStringToObject(cl, "url", url);
	}
	if (!cJSON_HasObjectItem(cl, "maintainers")) {
		cJSON *m = cJSON_AddObjectToObject(cl, "maintainers");
		cJSON_AddArrayToObject(m, "users");
		cJSON_AddArrayToObject(m, "teams");
	}
}

static bool string_or_null(const cJSON *v)
{
	return !v || cJSON_IsString(v) || cJSON_IsNull(v);
}

/* The writable fields of the body onto cl (docs Create / Update request
 * body properties); false (answered 422, docs: {"message": "Validation
 * failed: ..."}) on a bad value. */
static bool take(bkx_call *c, cJSON *cl, bool update)
{
	static const char *const keys[] = {"name", "description", "emoji", "color", "default_queue_id"};
	for (size_t i = 0; i < 5; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]);
		if (!string_or_null(v)) {
			bkx_fail(c, 422, "Validation failed: a field is not a string");
			return false;
		}
	}
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(c->body, "name");
	if ((name || !update) && (!cJSON_IsString(name) || !*name->valuestring)) {
		bkx_fail(c, 422, "Validation failed: Name can't be blank");
		return false;
	}
	const char *qid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "default_queue_id"));
	const cJSON *q = qid ? sbx_find(all(c, "queues"), "id", qid) : NULL;
	if (qid && (!q || strcmp(sbx_str(q, "cluster_id"), sbx_str(cl, "id")) != 0)) {
		bkx_fail(c, 422, "Validation failed: Default queue must belong to this cluster");
		return false;
	}
	/* docs Create: the default queue is set by an update only */
	for (size_t i = 0; i < (update ? 5u : 4u); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]);
		if (!v)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(cl, keys[i]);
		cJSON_AddItemToObject(cl, keys[i], cJSON_Duplicate(v, 1));
	}
	return true;
}

static void create(bkx_call *c)
{
	cJSON *cl = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(cl, "id", id);
	if (!take(c, cl, false))
		return cJSON_Delete(cl);
	fill(c, cl); /* docs Create's answer: default_queue_id null, no queue made */
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(cl, "created_at", now);
	free(now);
	cJSON_AddItemToArray(all(c, "clusters"), cl);
	bkx_answer(c, 201, cJSON_Duplicate(cl, 1)); /* docs Create: 201 Created */
}

/* docs "Delete a cluster": 204; the cluster's queues and agent tokens go
 * with it (docs clusters.md, open question in docs/buildkite.md). */
static void destroy(bkx_call *c, cJSON *cl)
{
	char id[64];
	snprintf(id, sizeof(id), "%s", sbx_str(cl, "id"));
	static const char *const owned[] = {"queues", "agent_tokens"};
	for (size_t i = 0; i < 2; i++) {
		cJSON *list = all(c, owned[i]), *it = list ? list->child : NULL;
		while (it) {
			cJSON *next = it->next;
			if (!strcmp(sbx_str(it, "cluster_id"), id))
				cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
			it = next;
		}
	}
	cJSON_Delete(cJSON_DetachItemViaPointer(all(c, "clusters"), cl));
	c->rs->status = 204;
	c->rs->text = strdup("");
}

void bkx_clusters(bkx_call *c, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	char id[64], sub[32] = "";
	bool secrets = sscanf(rest, "/%63[^/?]/%31[^/?]", id, sub) == 2 && !strcmp(sub, "secrets");
	/* docs: read_clusters to read, write_clusters to change; secrets have
	 * scopes of their own (secrets.c) */
	if (!secrets && !bkx_scope(c, get ? "read_clusters" : "write_clusters"))
		return;
	cJSON *cl;
	cJSON_ArrayForEach(cl, all(c, "clusters"))
		fill(c, cl);
	if (!*rest && get) /* docs "List clusters" */
		return bkx_page(c, all(c, "clusters"), c->url);
	if (!*rest && !strcmp(c->method, "POST"))
		return create(c);
	if (sscanf(rest, "/%63[^/?]/%31[^/?]", id, sub) < 1 || !(cl = sbx_find(all(c, "clusters"), "id", id)))
		return bkx_fail(c, 404, "No cluster found");
	if (!*sub && get) /* docs "Get a cluster" */
		return bkx_answer(c, 200, cJSON_Duplicate(cl, 1));
	/* docs "Update a cluster": PUT; gob clusters.go Update sends PATCH */
	if (!*sub && (!strcmp(c->method, "PUT") || !strcmp(c->method, "PATCH"))) {
		if (take(c, cl, true))
			bkx_answer(c, 200, cJSON_Duplicate(cl, 1));
		return;
	}
	if (!*sub && !strcmp(c->method, "DELETE"))
		return destroy(c, cl);
	if (!strcmp(sub, "queues")) /* queues.c */
		return bkx_queues(c, cl, rest + 1 + strlen(id) + strlen("/queues"));
	if (secrets) /* secrets.c */
		return bkx_secrets(c, cl, rest + 1 + strlen(id) + strlen("/secrets"));
	if (!strcmp(sub, "tokens")) /* tokens.c */
		return bkx_tokens(c, cl, rest + 1 + strlen(id) + strlen("/tokens"));
	bkx_fail(c, 404, "Not Found");
}

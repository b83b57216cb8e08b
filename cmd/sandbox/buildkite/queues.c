/*
 * queues: the sandbox's /v2/organizations/ORG/clusters/ID/queues routes, as
 * buildkite/docs pages/apis/rest_api/clusters/queues.md describes them
 * (docs below; gob = go-buildkite cluster_queues.go; tf =
 * terraform-provider-buildkite buildkite/resource_cluster_queue.go).
 *
 * A queue in the state: {"id", "cluster_id", "key", "description",
 * "retry_agent_affinity", "dispatch_paused", "dispatch_paused_note",
 * "dispatch_paused_at", "hosted", "hosted_agents": {"instance_shape":
 * {"name"}}}; missing fields take the API's defaults.
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *all(bkx_call *c)
{
	return cJSON_GetObjectItemCaseSensitive(c->bk, "queues");
}

/* docs "Queue data model": what a GET answers with */
static void fill(bkx_call *c, cJSON *q)
{
	static const char *const nullable[] = {"description", "dispatch_paused_by", "dispatch_paused_at",
					       "dispatch_paused_note"};
	for (size_t i = 0; i < 4; i++)
		if (!cJSON_HasObjectItem(q, nullable[i]))
			cJSON_AddNullToObject(q, nullable[i]);
	if (!cJSON_HasObjectItem(q, "dispatch_paused"))
		cJSON_AddFalseToObject(q, "dispatch_paused");
	/* docs Create: "If this property is omitted, then the value prefer-warmest is used" */
	if (!cJSON_HasObjectItem(q, "retry_agent_affinity"))
		cJSON_AddStringToObject(q, "retry_agent_affinity", "prefer-warmest");
	if (!cJSON_HasObjectItem(q, "url")) {
		char url[512];
		snprintf(url, sizeof(url), "http://api.buildkite.com/v2/organizations/%s/clusters/%s/queues/%s",
			 sbx_str(c->bk, "organization"), sbx_str(q, "cluster_id"), sbx_str(q, "id"));
		cJSON_AddStringToObject(q, "url", url);
	}
}

/* The shape's family: LINUX_AMD64 of LINUX_AMD64_2X4; docs Update: "only
 * possible to change the size of the current instance shape". */
static size_t family(const char *shape)
{
	const char *u = strrchr(shape, '_');
	return u ? (size_t)(u - shape) : strlen(shape);
}

/* The writable fields of the body onto q (docs Create / Update request body
 * properties); false (answered 422 "Validation failed: ...") on a bad value. */
static bool take(bkx_call *c, cJSON *q, bool update)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(c->body, "description");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->body, "retry_agent_affinity");
	const char *shape = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(c->body, "hostedAgents"), "instanceShape"));
	if ((d && !cJSON_IsString(d) && !cJSON_IsNull(d)) ||
	    (a && (!cJSON_IsString(a) || (strcmp(a->valuestring, "prefer-warmest") && strcmp(a->valuestring, "prefer-different"))))) {
		bkx_fail(c, 422, "Validation failed: Retry agent affinity is not included in the list");
		return false;
	}
	const char *now = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(q, "hosted_agents"), "instance_shape"), "name"));
	if (shape && update && (!now || family(now) != family(shape) || strncmp(now, shape, family(shape)) != 0)) {
		bkx_fail(c, 422, "Validation failed: Instance shape can only change in size"); /* docs Update */
		return false;
	}
	static const char *const keys[] = {"description", "retry_agent_affinity"};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, keys[i]);
		if (v) {
			cJSON_DeleteItemFromObjectCaseSensitive(q, keys[i]);
			cJSON_AddItemToObject(q, keys[i], cJSON_Duplicate(v, 1));
		}
	}
	if (shape) { /* docs "Create a Buildkite hosted queue": hosted, hosted_agents.instance_shape.name */
		cJSON_DeleteItemFromObjectCaseSensitive(q, "hosted");
		cJSON_DeleteItemFromObjectCaseSensitive(q, "hosted_agents");
		cJSON_AddTrueToObject(q, "hosted");
		cJSON *is = cJSON_AddObjectToObject(cJSON_AddObjectToObject(q, "hosted_agents"), "instance_shape");
		cJSON_AddStringToObject(is, "name", shape);
	}
	return true;
}

static void create(bkx_call *c, const cJSON *cl)
{
	const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "key"));
	if (!key || !*key) /* docs Create: key is required */
		return bkx_fail(c, 422, "Validation failed: Key can't be blank");
	const cJSON *o;
	cJSON_ArrayForEach(o, all(c))
		if (!strcmp(sbx_str(o, "cluster_id"), sbx_str(cl, "id")) && !strcmp(sbx_str(o, "key"), key))
			return bkx_fail(c, 422, "Validation failed: Key has already been taken");
	cJSON *q = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(q, "id", id);
	cJSON_AddStringToObject(q, "cluster_id", sbx_str(cl, "id"));
	cJSON_AddStringToObject(q, "key", key);
	if (!take(c, q, false))
		return cJSON_Delete(q);
	fill(c, q);
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(q, "created_at", now);
	free(now);
	cJSON_AddItemToArray(all(c), q);
	bkx_answer(c, 201, cJSON_Duplicate(q, 1)); /* docs Create: 201 Created */
}

/* docs "Pause a queue" / "Resume a paused queue": 200 with the queue, or
 * 422 when it already is in that state. The note comes as
 * dispatch_paused_note (docs example, gob ClusterQueuePause) or note (docs
 * table); both are taken. */
static void pause(bkx_call *c, cJSON *q, bool on)
{
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "dispatch_paused")) == on)
		return bkx_fail(c, 422, on ? "Cluster queue is already paused" : "Cluster queue is not paused");
	const cJSON *note = cJSON_GetObjectItemCaseSensitive(c->body, "dispatch_paused_note");
	if (!note)
		note = cJSON_GetObjectItemCaseSensitive(c->body, "note");
	static const char *const keys[] = {"dispatch_paused", "dispatch_paused_note", "dispatch_paused_at"};
	for (size_t i = 0; i < 3; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(q, keys[i]);
	cJSON_AddBoolToObject(q, "dispatch_paused", on);
	cJSON_AddItemToObject(q, "dispatch_paused_note",
			      on && cJSON_IsString(note) ? cJSON_Duplicate(note, 1) : cJSON_CreateNull());
	char *now = sbx_iso_time();
	cJSON_AddItemToObject(q, "dispatch_paused_at", on ? cJSON_CreateString(now) : cJSON_CreateNull());
	free(now);
	bkx_answer(c, 200, cJSON_Duplicate(q, 1));
}

static cJSON *mine(bkx_call *c, const cJSON *cl)
{
	cJSON *out = cJSON_CreateArray(), *q;
	cJSON_ArrayForEach(q, all(c))
		if (!strcmp(sbx_str(q, "cluster_id"), sbx_str(cl, "id"))) {
			fill(c, q);
			cJSON_AddItemToArray(out, cJSON_Duplicate(q, 1));
		}
	return out;
}

/* rest: what follows /clusters/ID/queues; scopes were checked by clusters.c */
void bkx_queues(bkx_call *c, const cJSON *cl, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	if ((!*rest || *rest == '?') && get) { /* docs "List queues": paged */
		cJSON *list = mine(c, cl);
		bkx_page(c, list, c->url);
		return cJSON_Delete(list);
	}
	if (!*rest && !strcmp(c->method, "POST"))
		return create(c, cl);
	char id[64], sub[32] = "";
	cJSON *q = NULL;
	if (sscanf(rest, "/%63[^/?]/%31[^/?]", id, sub) < 1 || !(q = sbx_find(all(c), "id", id)) ||
	    strcmp(sbx_str(q, "cluster_id"), sbx_str(cl, "id")) != 0)
		return bkx_fail(c, 404, "No queue found");
	fill(c, q);
	if (!*sub && get) /* docs "Get a queue" */
		return bkx_answer(c, 200, cJSON_Duplicate(q, 1));
	/* docs "Update a queue": PUT; gob Update and tf send PATCH */
	if (!*sub && (!strcmp(c->method, "PUT") || !strcmp(c->method, "PATCH"))) {
		if (take(c, q, true))
			bkx_answer(c, 200, cJSON_Duplicate(q, 1));
		return;
	}
	if (!*sub && !strcmp(c->method, "DELETE")) { /* docs "Delete a queue": 204 */
		cJSON_Delete(cJSON_DetachItemViaPointer(all(c), q));
		c->rs->status = 204;
		c->rs->text = strdup("");
		return;
	}
	if (!strcmp(c->method, "POST") && (!strcmp(sub, "pause_dispatch") || !strcmp(sub, "resume_dispatch")))
		return pause(c, q, !strcmp(sub, "pause_dispatch"));
	bkx_fail(c, 404, "Not Found");
}

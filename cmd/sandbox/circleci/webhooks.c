/*
 * webhooks: outbound webhooks in ciform-sandbox --api circleci
 * (/api/v2/webhook[/{id}]).
 *
 * Routes (LABS ic/webhook.go; PUB internal/circleci/webhook/webhook.go):
 * GET /webhook?scope-id=PROJECT&scope-type=project ({items,
 * next_page_token}: null today, LABS ListWebhooks), POST /webhook, GET|PUT|
 * DELETE /webhook/{id}. The service reads verify_tls and signing_secret and
 * ignores keys it does not know, so PUB's verify-tls/signing-secret are
 * dropped (LABS DESIGN.md, "Seventh bug"). The secret reads back as "****"
 * or "" (LABS WebhookSigningSecretMask). 5 per project
 * (circleci.com/docs/guides/integration/outbound-webhooks).
 * State: "webhooks" at the top of "circleci": [{"id", "name", "url",
 * "events", "verify_tls", "signing_secret", "scope": {"id", "type"},
 * "created_at", "updated_at"}].
 * Switches in "circleci": "webhook_admin": false, the token's user is no
 * organisation admin: every write is 403 (only admins set up webhooks:
 * circleci.com/docs/guides/integration/outbound-webhooks); and
 * "webhook_ignores_secret": true, the signing secret is not taken from a
 * write, as when it came under a key the service does not read (PUB's
 * signing-secret: LABS DESIGN.md, "Seventh bug").
 */
#include "cmd/sandbox/circleci/cci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PER_PROJECT 5

static cJSON *webhook_json(const cJSON *w)
{
	cJSON *o = cJSON_Duplicate(w, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "signing_secret");
	cJSON_AddStringToObject(o, "signing_secret", *sbx_str(w, "signing_secret") ? "****" : "");
	return o;
}

static bool known_events(const cJSON *events)
{
	/* workflow-completed, job-completed (LABS ic/webhook.go WebhookEvents) */
	const cJSON *e;
	if (!cJSON_IsArray(events) || !events->child)
		return false;
	cJSON_ArrayForEach(e, events)
		if (!cJSON_IsString(e) || (strcmp(e->valuestring, "workflow-completed") &&
					   strcmp(e->valuestring, "job-completed")))
			return false;
	return true;
}

/* The fields a write sets, snake_case only; a key the body leaves out keeps
 * its value (LABS always sends all of them, so a partial write is not
 * observed); verify_tls of a new webhook without one is false (the service's
 * default is undocumented: LABS DESIGN.md says only that it "fell to the
 * server-side default"). */
static const char *write_fields(cJSON *w, const cJSON *b, bool ignore_secret)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(b, "events");
	if (cJSON_HasObjectItem(b, "name") && !*sbx_str(b, "name"))
		return "name must not be empty";
	if (cJSON_HasObjectItem(b, "url") && strncmp(sbx_str(b, "url"), "https://", 8) != 0)
		return "url must be an https URL"; /* PUB webhook_resource.go */
	if (events && !known_events(events))
		return "events must be workflow-completed and/or job-completed";
	static const char *const texts[] = {"name", "url", "signing_secret"};
	for (size_t i = 0; i < (ignore_secret ? 2 : 3); i++)
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, texts[i]))) {
			cJSON_DeleteItemFromObjectCaseSensitive(w, texts[i]);
			cJSON_AddStringToObject(w, texts[i], sbx_str(b, texts[i]));
		}
	if (events) {
		cJSON_DeleteItemFromObjectCaseSensitive(w, "events");
		cJSON_AddItemToObject(w, "events", cJSON_Duplicate(events, 1));
	}
	const cJSON *tls = cJSON_GetObjectItemCaseSensitive(b, "verify_tls");
	if (cJSON_IsBool(tls) || !cJSON_HasObjectItem(w, "verify_tls")) {
		cJSON_DeleteItemFromObjectCaseSensitive(w, "verify_tls");
		cJSON_AddBoolToObject(w, "verify_tls", cJSON_IsTrue(tls));
	}
	if (!cJSON_HasObjectItem(w, "signing_secret"))
		cJSON_AddStringToObject(w, "signing_secret", "");
	cci_touch(w, "updated_at");
	return NULL;
}

static bool ignores_secret(const cci_req *q)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q->root, "webhook_ignores_secret"));
}

static int count_in(cJSON *all, const char *project)
{
	int n = 0;
	const cJSON *w;
	cJSON_ArrayForEach(w, all)
		n += !strcasecmp(sbx_str(cJSON_GetObjectItemCaseSensitive(w, "scope"), "id"), project);
	return n;
}

static void webhook_create(cci_req *q, cJSON *all, sbx_resp *rs)
{
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(q->body, "scope");
	const char *pid = sbx_str(scope, "id");
	if (strcmp(sbx_str(scope, "type"), "project") != 0 || !cci_by_id(cci_list_of(q->root, "projects"), pid)) {
		cci_fail(rs, 400, "scope must be {id: a project id, type: project}");
		return;
	}
	if (!*sbx_str(q->body, "name") || !*sbx_str(q->body, "url") || !cJSON_HasObjectItem(q->body, "events")) {
		cci_fail(rs, 400, "name, url and events are required");
		return;
	}
	if (count_in(all, pid) >= MAX_PER_PROJECT) {
		cci_fail(rs, 400, "A project can have at most %d webhooks", MAX_PER_PROJECT);
		return;
	}
	cJSON *w = cJSON_CreateObject();
	cci_id_of(w);
	cci_touch(w, "created_at");
	cJSON *sc = cJSON_AddObjectToObject(w, "scope");
	cJSON_AddStringToObject(sc, "id", pid);
	cJSON_AddStringToObject(sc, "type", "project");
	const char *why = write_fields(w, q->body, ignores_secret(q));
	if (why) {
		cJSON_Delete(w);
		cci_fail(rs, 400, "%s", why);
		return;
	}
	cJSON_AddItemToArray(all, w);
	cci_ok(rs, 201, webhook_json(w));
}

static void webhook_list(cci_req *q, cJSON *all, sbx_resp *rs)
{
	/* scope-type must be project: anything else is 400 (LABS ic/webhook.go
	 * WebhookScopeTypeProject) */
	const char *type = cci_query(q, "scope-type"), *pid = cci_query(q, "scope-id");
	if (!type || strcmp(type, "project") != 0 || !pid || !*pid) {
		cci_fail(rs, 400, "scope-id and scope-type=project are required");
		return;
	}
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items");
	const cJSON *w;
	cJSON_ArrayForEach(w, all)
		if (!strcasecmp(sbx_str(cJSON_GetObjectItemCaseSensitive(w, "scope"), "id"), pid))
			cJSON_AddItemToArray(items, webhook_json(w));
	cJSON_AddNullToObject(out, "next_page_token");
	cci_ok(rs, 200, out);
}

void cci_webhook_routes(cci_req *q, sbx_resp *rs)
{
	cJSON *all = cci_list_of(q->root, "webhooks");
	const char *m = q->method;
	if (strcmp(m, "GET") != 0 && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(q->root, "webhook_admin"))) {
		/* webhooks are set up by organisation admins only (circleci.com/docs/
		 * guides/integration/outbound-webhooks); the words are not documented */
		cci_fail(rs, 403, "Permission denied");
	} else if (q->nseg == 1 && !strcmp(m, "GET")) {
		webhook_list(q, all, rs);
	} else if (q->nseg == 1 && !strcmp(m, "POST")) {
		webhook_create(q, all, rs);
	} else if (q->nseg == 2) {
		cJSON *w = cci_by_id(all, q->seg[1]);
		const char *why = NULL;
		if (!w) {
			cci_fail(rs, 404, "Webhook not found"); /* LABS GetWebhook: IsNotFound */
		} else if (!strcmp(m, "GET")) {
			cci_ok(rs, 200, webhook_json(w));
		} else if (!strcmp(m, "DELETE")) {
			cci_remove_item(all, w);
			cci_ok(rs, 200, cJSON_CreateObject());
		} else if (!strcmp(m, "PUT") && (why = write_fields(w, q->body, ignores_secret(q))) != NULL) {
			cci_fail(rs, 400, "%s", why);
		} else if (!strcmp(m, "PUT")) {
			cci_ok(rs, 200, webhook_json(w)); /* scope left as it was (LABS UpdateWebhook) */
		} else {
			cci_fail(rs, 405, "Method not allowed");
		}
	} else {
		cci_fail(rs, 404, "Not found");
	}
}

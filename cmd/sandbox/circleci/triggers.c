/*
 * triggers: pipeline definitions and schedule triggers in ciform-sandbox
 * --api circleci (/api/v2/projects/{project_id}/...).
 *
 * Routes (PUB internal/circleci/trigger/trigger.go, pipeline/pipeline.go;
 * LABS ic/trigger.go): GET /projects/{id}/pipeline-definitions {items};
 * GET|POST .../pipeline-definitions/{def}/triggers (all items, no page
 * token); GET|PATCH|DELETE /projects/{id}/triggers/{id}. Only schedule
 * triggers are emulated (the GitHub and webhook providers need repositories
 * the sandbox does not have): another provider is 400, said so.
 * State (projects[] of circleci.c):
 *   "pipeline_definitions": [{"id", "name"}]
 *   "triggers": [{"id", "definition_id", "event_name", "event_source":
 *                 {"provider": "schedule", "schedule": {"cron_expression",
 *                 "attribution_actor": {"id"}}}, "checkout_ref", "config_ref",
 *                 "parameters", "disabled", "created_at"}]
 * and at the top of "circleci": "server": true plays CircleCI Server, which
 * does not route these (LABS ic/trigger.go: "CircleCI Server does not route
 * them there"): every /projects/... route answers 404. "actor_ids":
 * {"system": UUID, "current": UUID} name the actors (defaults below).
 */
#include "cmd/sandbox/circleci/cci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cJSON *project_by_id(cci_req *q, const char *id)
{
	return cci_by_id(cci_list_of(q->root, "projects"), id);
}

/* The actor a word names: a create takes "system" or "current", a read
 * shows {id} (LABS ic/trigger.go TriggerScheduleInput, TriggerSchedule). */
static const char *actor_id(cci_req *q, const char *word)
{
	const char *own = sbx_str(cJSON_GetObjectItemCaseSensitive(q->root, "actor_ids"), word);
	if (*own)
		return own;
	return !strcmp(word, "system") ? "5e5e5e5e-0000-4000-8000-000000000001" : "c0c0c0c0-0000-4000-8000-000000000001";
}

/* The answer: the stored trigger without the sandbox's definition_id, and
 * disabled only when true (LABS ic/trigger.go Trigger.Disabled: "the API
 * omits the field rather than sending false"). */
static cJSON *trigger_json(const cJSON *t)
{
	cJSON *o = cJSON_Duplicate(t, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "definition_id");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "disabled")))
		cJSON_DeleteItemFromObjectCaseSensitive(o, "disabled");
	return o;
}

/* parameters: names to strings, numbers or booleans (PUB trigger_resource.go
 * triggerParameterValueFromNative refuses anything else). */
static bool scalars_only(const cJSON *p)
{
	const cJSON *x;
	if (!cJSON_IsObject(p))
		return false;
	cJSON_ArrayForEach(x, p)
		if (!cJSON_IsString(x) && !cJSON_IsNumber(x) && !cJSON_IsBool(x))
			return false;
	return true;
}

/* The schedule's checks, shared by create and update; NULL when fine. */
static const char *schedule_problem(const cJSON *b, bool create)
{
	const cJSON *es = cJSON_GetObjectItemCaseSensitive(b, "event_source");
	const cJSON *sch = cJSON_GetObjectItemCaseSensitive(es, "schedule");
	const char *actor = sbx_str(sch, "attribution_actor");
	if ((create || es) && strcmp(sbx_str(es, "provider"), "schedule") != 0)
		return "event_source.provider: the sandbox emulates schedule triggers only";
	if ((create || sch) && !*sbx_str(sch, "cron_expression"))
		return "event_source.schedule.cron_expression is required";
	/* "system" or "current" (PUB trigger_resource.go OneOf) */
	if ((create || *actor) && strcmp(actor, "system") && strcmp(actor, "current"))
		return "event_source.schedule.attribution_actor must be system or current";
	/* PUB trigger_resource.go: event_name, checkout_ref and config_ref are
	 * "Always required when event_source_provider is ... schedule" */
	static const char *const required[] = {"event_name", "checkout_ref", "config_ref"};
	for (size_t i = 0; i < 3; i++)
		if ((create || cJSON_HasObjectItem(b, required[i])) && !*sbx_str(b, required[i]))
			return create ? "event_name, checkout_ref and config_ref are required" : "a ref cannot be empty";
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(b, "parameters");
	if (params && !scalars_only(params))
		return "parameters must map names to strings, numbers or booleans";
	const cJSON *dis = cJSON_GetObjectItemCaseSensitive(b, "disabled");
	if (dis && !cJSON_IsBool(dis))
		return "disabled must be a boolean";
	return NULL;
}

/* Writes b's fields into t: present ones only (a PATCH is partial); an
 * empty or absent parameters map keeps the old one, as clearing needs a
 * replacement (PUB trigger_resource.go triggerParametersRequiresReplaceIfCleared;
 * LABS UpdateTriggerInput parameters omitempty). */
static void write_fields(cci_req *q, cJSON *t, const cJSON *b)
{
	const cJSON *sch = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "event_source"), "schedule");
	if (sch) {
		cJSON *es = cJSON_GetObjectItemCaseSensitive(t, "event_source");
		if (!es) {
			es = cJSON_AddObjectToObject(t, "event_source");
			cJSON_AddStringToObject(es, "provider", "schedule");
			cJSON_AddItemToObject(es, "schedule", cJSON_CreateObject());
		}
		cJSON *have = cJSON_GetObjectItemCaseSensitive(es, "schedule");
		if (*sbx_str(sch, "cron_expression")) {
			cJSON_DeleteItemFromObjectCaseSensitive(have, "cron_expression");
			cJSON_AddStringToObject(have, "cron_expression", sbx_str(sch, "cron_expression"));
		}
		if (*sbx_str(sch, "attribution_actor")) {
			cJSON_DeleteItemFromObjectCaseSensitive(have, "attribution_actor");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(have, "attribution_actor"), "id",
						actor_id(q, sbx_str(sch, "attribution_actor")));
		}
	}
	static const char *const words[] = {"event_name", "checkout_ref", "config_ref"};
	for (size_t i = 0; i < 3; i++)
		if (cJSON_HasObjectItem(b, words[i])) {
			cJSON_DeleteItemFromObjectCaseSensitive(t, words[i]);
			cJSON_AddStringToObject(t, words[i], sbx_str(b, words[i]));
		}
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(b, "parameters");
	if (params && params->child) {
		cJSON_DeleteItemFromObjectCaseSensitive(t, "parameters");
		cJSON_AddItemToObject(t, "parameters", cJSON_Duplicate(params, 1));
	}
	const cJSON *dis = cJSON_GetObjectItemCaseSensitive(b, "disabled");
	if (cJSON_IsBool(dis)) {
		cJSON_DeleteItemFromObjectCaseSensitive(t, "disabled");
		cJSON_AddBoolToObject(t, "disabled", cJSON_IsTrue(dis));
	}
}

static void triggers_of_definition(cci_req *q, cJSON *project, const char *def, sbx_resp *rs)
{
	if (!cci_by_id(cci_list_of(project, "pipeline_definitions"), def)) {
		cci_fail(rs, 404, "Pipeline definition not found");
		return;
	}
	if (!strcmp(q->method, "GET")) {
		/* every item at once, no next_page_token (LABS ListTriggers) */
		cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items"), *t;
		cJSON_ArrayForEach(t, cci_list_of(project, "triggers"))
			if (!strcasecmp(sbx_str(t, "definition_id"), def))
				cJSON_AddItemToArray(items, trigger_json(t));
		cci_ok(rs, 200, out);
		return;
	}
	const char *why = schedule_problem(q->body, true);
	if (why) {
		cci_fail(rs, 400, "%s", why);
		return;
	}
	cJSON *t = cJSON_CreateObject();
	cci_id_of(t);
	cJSON_AddStringToObject(t, "definition_id", def);
	cci_touch(t, "created_at");
	write_fields(q, t, q->body);
	cJSON_AddItemToArray(cci_list_of(project, "triggers"), t);
	cci_ok(rs, 201, trigger_json(t));
}

static void one_trigger(cci_req *q, cJSON *project, const char *id, sbx_resp *rs)
{
	cJSON *all = cci_list_of(project, "triggers"), *t = cci_by_id(all, id);
	const char *m = q->method, *why = NULL;
	if (!t) {
		cci_fail(rs, 404, "Trigger not found"); /* LABS GetTrigger: IsNotFound */
	} else if (!strcmp(m, "GET")) {
		cci_ok(rs, 200, trigger_json(t));
	} else if (!strcmp(m, "DELETE")) {
		cci_remove_item(all, t);
		cci_ok(rs, 200, cJSON_CreateObject());
	} else if (!strcmp(m, "PATCH") && (why = schedule_problem(q->body, false)) != NULL) {
		cci_fail(rs, 400, "%s", why);
	} else if (!strcmp(m, "PATCH")) {
		write_fields(q, t, q->body); /* no definition: a trigger cannot move */
		cci_ok(rs, 200, trigger_json(t));
	} else {
		cci_fail(rs, 405, "Method not allowed");
	}
}

void cci_trigger_routes(cci_req *q, sbx_resp *rs)
{
	cJSON *project = project_by_id(q, q->seg[1]);
	const char *m = q->method;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q->root, "server")) || !project) {
		cci_fail(rs, 404, "Not found");
	} else if (q->nseg == 3 && !strcmp(q->seg[2], "pipeline-definitions") && !strcmp(m, "GET")) {
		/* {items} (PUB pipeline/pipeline.go List) */
		cJSON *out = cJSON_CreateObject();
		cJSON_AddItemToObject(out, "items", cJSON_Duplicate(cci_list_of(project, "pipeline_definitions"), 1));
		cci_ok(rs, 200, out);
	} else if (q->nseg == 5 && !strcmp(q->seg[2], "pipeline-definitions") && !strcmp(q->seg[4], "triggers") &&
		   (!strcmp(m, "GET") || !strcmp(m, "POST"))) {
		triggers_of_definition(q, project, q->seg[3], rs);
	} else if (q->nseg == 4 && !strcmp(q->seg[2], "triggers")) {
		one_trigger(q, project, q->seg[3], rs);
	} else {
		cci_fail(rs, 404, "Not found");
	}
}

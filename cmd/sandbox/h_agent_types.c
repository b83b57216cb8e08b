/*
 * h_agent_types: self-hosted agent types as public-api and self_hosted_hub handle them
 * (semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/self_hosted_hub_client/,
 * self_hosted_hub/pkg/internalapi/self_hosted_service.go, self_hosted_hub/pkg/models/agent_type.go).
 * Not paginated. PATCH takes the name from the body and resets omitted settings to
 * their defaults; the registration token is shown once, in the create answer; an
 * agent type with registered agents cannot be deleted until disable_all removes them.
 */
#include "cmd/sandbox/sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NAME_PATTERN "^s1-[a-zA-Z0-9-_]+$"

/* self_hosted_service.go agentTypeNameRegex */
static bool valid_name(const char *n)
{
	if (strncmp(n, "s1-", 3) != 0 || !n[3])
		return false;
	for (const char *c = n + 3; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			return false;
	return true;
}

void sbx_normalize_agent_type(cJSON *a)
{
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "assignment_origin")))
		cJSON_AddStringToObject(a, "assignment_origin", "assignment_origin_agent");
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(a, "release_after")))
		cJSON_AddNumberToObject(a, "release_after", 0);
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(a, "agents")))
		cJSON_AddArrayToObject(a, "agents");
	double now = (double)time(NULL);
	if (!cJSON_GetObjectItemCaseSensitive(a, "create_time"))
		cJSON_AddNumberToObject(a, "create_time", now);
	if (!cJSON_GetObjectItemCaseSensitive(a, "update_time"))
		cJSON_AddNumberToObject(a, "update_time", now);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/self_hosted_hub_client/response_formatter.ex
 * serialize: "aws" is the settings' aws message, null for assignment_origin_agent */
static cJSON *agent_type_json(const cJSON *a, int agent_count)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", sbx_str(a, "name"));
	cJSON_AddItemToObject(m, "create_time", cJSON_Duplicate(cJSON_GetObjectItem(a, "create_time"), 1));
	cJSON_AddItemToObject(m, "update_time", cJSON_Duplicate(cJSON_GetObjectItem(a, "update_time"), 1));
	cJSON *ns = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "agent_name_settings");
	cJSON_AddStringToObject(ns, "assignment_origin", sbx_str(a, "assignment_origin"));
	cJSON_AddItemToObject(ns, "release_after", cJSON_Duplicate(cJSON_GetObjectItem(a, "release_after"), 1));
	cJSON *aws = cJSON_GetObjectItemCaseSensitive(a, "aws");
	if (!strcmp(sbx_str(a, "assignment_origin"), "assignment_origin_aws_sts") && cJSON_IsObject(aws)) {
		cJSON *x = cJSON_AddObjectToObject(ns, "aws");
		cJSON_AddStringToObject(x, "account_id", sbx_str(aws, "account_id"));
		cJSON_AddStringToObject(x, "role_name_patterns", sbx_str(aws, "role_name_patterns"));
	} else {
		cJSON_AddNullToObject(ns, "aws");
	}
	cJSON *st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddNumberToObject(st, "total_agent_count", agent_count < 0 ? cJSON_GetArraySize(cJSON_GetObjectItem(a, "agents"))
									 : agent_count);
	return o;
}

/* Settings from a create or update body, every omitted one at its default:
 * public-api's request_formatter.ex agent_name_settings, then the hub's
 * models/agent_type.go NewAgentNameSettings (release_after first, then origin).
 * Returns NULL with rs filled in when the body is invalid. */
static cJSON *settings_from(sbx_req *rq, sbx_resp *rs)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(sbx_param(rq, "spec"), "agent_name_settings");
	cJSON *out = cJSON_CreateObject();
	if (!cJSON_IsObject(spec)) { /* nil settings: the hub's defaults */
		cJSON_AddStringToObject(out, "assignment_origin", "assignment_origin_agent");
		cJSON_AddNumberToObject(out, "release_after", 0);
		return out;
	}
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(spec, "assignment_origin");
	const char *origin = o ? cJSON_GetStringValue(o) : "assignment_origin_agent";
	bool agent = origin && !strcasecmp(origin, "assignment_origin_agent");
	bool sts = origin && !strcasecmp(origin, "assignment_origin_aws_sts");
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(spec, "release_after");
	double release = cJSON_IsNumber(rel) ? rel->valuedouble : 0;
	const cJSON *aws = cJSON_GetObjectItemCaseSensitive(spec, "aws");
	const char *err = NULL;
	char buf[160];
	if (!agent && !sts) {
		snprintf(buf, sizeof(buf), "invalid assignment_origin '%s'", origin ? origin : "");
		err = buf;
	} else if (release < 0) {
		err = "name release hold must be 0 or greater than 60";
	} else if (release > 0 && release < 60) {
		err = "name release hold must be greater than 60";
	} else if (agent && cJSON_IsObject(aws) && *sbx_str(aws, "account_id")) {
		err = "AWS account ID is not allowed for ASSIGNMENT_ORIGIN_AGENT";
	} else if (agent && cJSON_IsObject(aws) && *sbx_str(aws, "role_name_patterns")) {
		err = "AWS role name patterns are not allowed for ASSIGNMENT_ORIGIN_AGENT";
	} else if (sts && !cJSON_IsObject(aws)) {
		err = "AWS information missing";
	} else if (sts && !*sbx_str(aws, "account_id")) {
		err = "AWS account cannot be empty";
	} else if (sts && !*sbx_str(aws, "role_name_patterns")) {
		err = "AWS role name patterns cannot be empty";
	}
	if (err) {
		cJSON_Delete(out);
		sbx_fail(rs, 400, "%s", err);
		return NULL;
	}
	cJSON_AddStringToObject(out, "assignment_origin", sts ? "assignment_origin_aws_sts" : "assignment_origin_agent");
	cJSON_AddNumberToObject(out, "release_after", release);
	if (sts) {
		cJSON *a = cJSON_AddObjectToObject(out, "aws");
		cJSON_AddStringToObject(a, "account_id", sbx_str(aws, "account_id"));
		cJSON_AddStringToObject(a, "role_name_patterns", sbx_str(aws, "role_name_patterns"));
	}
	return out;
}

static void apply_settings(cJSON *a, cJSON *settings)
{
	static const char *const keys[] = {"assignment_origin", "release_after", "aws"};
	for (size_t i = 0; i < 3; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(a, keys[i]);
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(settings, keys[i]);
		if (v)
			cJSON_AddItemToObject(a, keys[i], v);
	}
	cJSON_Delete(settings);
	cJSON_DeleteItemFromObjectCaseSensitive(a, "update_time");
	cJSON_AddNumberToObject(a, "update_time", (double)time(NULL));
}

/* request_formatter.ex form_create_request / form_update_request: metadata.name, or 400 */
static const char *body_name(sbx_req *rq, sbx_resp *rs)
{
	const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sbx_param(rq, "metadata"), "name"));
	if (!n)
		sbx_fail(rs, 400, "Name must be provided");
	return n;
}

void h_agent_types_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	(void)rq;
	rs->body = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(rs->body, "agent_types");
	cJSON *a;
	cJSON_ArrayForEach(a, sbx_list(s, "agent_types"))
		cJSON_AddItemToArray(arr, agent_type_json(a, -1));
}

void h_agent_type_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *a = sbx_find(sbx_list(s, "agent_types"), "name", rq->params[0]);
	if (!a) /* self_hosted_service.go Describe */
		return sbx_fail(rs, 404, "agent type not found");
	rs->body = agent_type_json(a, -1);
}

/* self_hosted_service.go Create */
void h_agent_type_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *given = body_name(rq, rs);
	if (!given)
		return;
	char name[256];
	size_t lead = strspn(given, " ");
	snprintf(name, sizeof(name), "%s", given + lead);
	for (size_t n = strlen(name); n > 0 && name[n - 1] == ' '; n--)
		name[n - 1] = '\0'; /* strings.Trim(request.Name, " ") */
	if (!valid_name(name))
		return sbx_fail(rs, 400, "The agent type name '%s' is invalid: must follow the pattern " NAME_PATTERN, given);
	cJSON *settings = settings_from(rq, rs);
	if (!settings)
		return;
	if (sbx_find(sbx_list(s, "agent_types"), "name", name)) {
		cJSON_Delete(settings);
		return sbx_fail(rs, 400, "agent type name must by unique in the organization");
	}
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "name", name);
	apply_settings(a, settings);
	sbx_normalize_agent_type(a);
	cJSON_AddItemToArray(sbx_list(s, "agent_types"), a);
	rs->body = agent_type_json(a, 0);
	char token[129];
	sbx_random_hex(token, 64);
	cJSON_AddStringToObject(cJSON_GetObjectItem(rs->body, "status"), "registration_token", token);
}

/* self_hosted_service.go Update: the name in the body wins over the one in the
 * path, the settings are replaced whole, and the answer counts 0 agents. */
void h_agent_type_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *name = body_name(rq, rs);
	if (!name)
		return;
	cJSON *a = sbx_find(sbx_list(s, "agent_types"), "name", name);
	if (!a) /* gorm.ErrRecordNotFound's text */
		return sbx_fail(rs, 404, "record not found");
	cJSON *settings = settings_from(rq, rs);
	if (!settings)
		return;
	apply_settings(a, settings);
	rs->body = agent_type_json(a, 0);
}

/* self_hosted_service.go DeleteAgentType, models/agent_type.go Delete */
void h_agent_type_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *list = sbx_list(s, "agent_types");
	cJSON *a = sbx_find(list, "name", rq->params[0]);
	if (!a)
		return sbx_fail(rs, 404, "agent type not found");
	if (cJSON_GetArraySize(cJSON_GetObjectItem(a, "agents")) > 0)
		return sbx_fail(rs, 400, "can't delete agent type with existing agents");
	cJSON_Delete(cJSON_DetachItemViaPointer(list, a));
	rs->body = cJSON_CreateObject();
}

/* request_formatter.ex form_disable_all_request to_boolean: default true */
void h_agent_type_disable_all(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const cJSON *v = sbx_param(rq, "only_idle");
	bool idle_only = true;
	if (v && (cJSON_IsFalse(v) || (cJSON_IsString(v) && !strcmp(v->valuestring, "false"))))
		idle_only = false;
	else if (v && !cJSON_IsTrue(v) && !(cJSON_IsString(v) && !strcmp(v->valuestring, "true"))) {
		char *shown = cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
		sbx_fail(rs, 400, "Invalid 'only_idle': '%s' is not a boolean.", shown);
		free(shown);
		return;
	}
	/* the hub disables matching agents and reports no error for an unknown type */
	cJSON *a = sbx_find(sbx_list(s, "agent_types"), "name", rq->params[0]);
	cJSON *agents = cJSON_GetObjectItem(a, "agents");
	for (cJSON *ag = agents ? agents->child : NULL, *next; ag; ag = next) {
		next = ag->next;
		if (!idle_only || !cJSON_IsTrue(cJSON_GetObjectItem(ag, "busy")))
			cJSON_Delete(cJSON_DetachItemViaPointer(agents, ag));
	}
	rs->body = cJSON_CreateObject();
}

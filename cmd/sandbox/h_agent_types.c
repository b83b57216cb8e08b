/*
 * h_agent_types: self-hosted agent types. Not paginated. PATCH takes the
 * name from the body and resets omitted settings to their defaults; the
 * registration token is shown once, in the create response; an agent type
 * with connected agents cannot be deleted until disable_all removes them.
 */
#include "cmd/sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool valid_name(const char *n)
{
	if (strncmp(n, "s1-", 3) != 0 || !n[3])
		return false;
	for (const char *c = n + 3; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '-'))
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

static cJSON *agent_type_json(const cJSON *a)
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
	if (aws)
		cJSON_AddItemToObject(ns, "aws", cJSON_Duplicate(aws, 1));
	cJSON *st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddNumberToObject(st, "total_agent_count", cJSON_GetArraySize(cJSON_GetObjectItem(a, "agents")));
	return o;
}

/* Settings from a create or update body, every omitted one at its default.
 * Returns NULL with rs filled in when the body is invalid. */
static cJSON *settings_from(const cJSON *body, sbx_resp *rs)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "spec"),
							   "agent_name_settings");
	const char *origin = sbx_str(ns, "assignment_origin");
	if (!*origin)
		origin = "assignment_origin_agent";
	bool sts = strcmp(origin, "assignment_origin_aws_sts") == 0;
	if (!sts && strcmp(origin, "assignment_origin_agent") != 0)
		return sbx_error(rs, 400, "invalid assignment origin"), NULL;
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(ns, "release_after");
	double release = cJSON_IsNumber(rel) ? rel->valuedouble : 0;
	if (release < 0 || (release > 0 && release < 60))
		return sbx_error(rs, 400, "release_after must be 0 or at least 60"), NULL;
	const cJSON *aws = cJSON_GetObjectItemCaseSensitive(ns, "aws");
	if (sts && (!*sbx_str(aws, "account_id") || !*sbx_str(aws, "role_name_patterns")))
		return sbx_error(rs, 400, "aws account_id and role_name_patterns are required"), NULL;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "assignment_origin", origin);
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

static const char *body_name(const sbx_req *rq)
{
	return sbx_str(cJSON_GetObjectItemCaseSensitive(rq->body, "metadata"), "name");
}

void h_agent_types_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	(void)rq;
	rs->body = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(rs->body, "agent_types");
	cJSON *a;
	cJSON_ArrayForEach(a, sbx_list(s, "agent_types"))
		cJSON_AddItemToArray(arr, agent_type_json(a));
}

void h_agent_type_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *a = sbx_find(sbx_list(s, "agent_types"), "name", rq->params[0]);
	if (!a)
		return sbx_error(rs, 404, "agent type not found");
	rs->body = agent_type_json(a);
}

void h_agent_type_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *name = body_name(rq);
	if (!valid_name(name))
		return sbx_error(rs, 400, "name must start with s1- and contain only letters, digits, _ and -");
	if (sbx_find(sbx_list(s, "agent_types"), "name", name))
		return sbx_error(rs, 400, "agent type name is already taken");
	cJSON *settings = settings_from(rq->body, rs);
	if (!settings)
		return;
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "name", name);
	apply_settings(a, settings);
	sbx_normalize_agent_type(a);
	cJSON_AddItemToArray(sbx_list(s, "agent_types"), a);
	rs->body = agent_type_json(a);
	char token[129];
	sbx_random_hex(token, 64);
	cJSON_AddStringToObject(cJSON_GetObjectItem(rs->body, "status"), "registration_token", token);
}

void h_agent_type_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *name = body_name(rq);
	if (!*name)
		return sbx_error(rs, 400, "metadata.name is required");
	cJSON *a = sbx_find(sbx_list(s, "agent_types"), "name", name);
	if (!a)
		return sbx_error(rs, 404, "agent type not found");
	cJSON *settings = settings_from(rq->body, rs);
	if (!settings)
		return;
	apply_settings(a, settings);
	rs->body = agent_type_json(a);
}

void h_agent_type_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *list = sbx_list(s, "agent_types");
	cJSON *a = sbx_find(list, "name", rq->params[0]);
	if (!a)
		return sbx_error(rs, 404, "agent type not found");
	if (cJSON_GetArraySize(cJSON_GetObjectItem(a, "agents")) > 0)
		return sbx_error(rs, 400, "agent type has connected agents");
	cJSON_Delete(cJSON_DetachItemViaPointer(list, a));
	rs->body = cJSON_CreateObject();
}

static bool only_idle(sbx_req *rq)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rq->body, "only_idle");
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	const char *q = sbx_query(rq, "only_idle");
	if (q)
		return strcmp(q, "false") != 0;
	return strstr(rq->raw_body, "only_idle=false") == NULL; /* curl -d 'only_idle=false' */
}

void h_agent_type_disable_all(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *a = sbx_find(sbx_list(s, "agent_types"), "name", rq->params[0]);
	if (!a)
		return sbx_error(rs, 404, "agent type not found");
	bool idle_only = only_idle(rq);
	cJSON *agents = cJSON_GetObjectItem(a, "agents");
	for (cJSON *ag = agents->child, *next; ag; ag = next) {
		next = ag->next;
		if (!idle_only || !cJSON_IsTrue(cJSON_GetObjectItem(ag, "busy")))
			cJSON_Delete(cJSON_DetachItemViaPointer(agents, ag));
	}
	rs->body = cJSON_CreateObject();
}

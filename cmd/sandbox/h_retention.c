/*
 * h_retention: artifact retention policies. POST replaces the whole policy
 * (omitted levels become empty) and needs at least one rule; ages are stored
 * normalised ("7 days" -> "1 week"); there is no DELETE; a project without a
 * policy reads as three empty lists.
 */
#include "cmd/sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = {"project_level_retention_policies",
				     "workflow_level_retention_policies",
				     "job_level_retention_policies", NULL};

/* Writes the normalised form of age into out; false when it is invalid. */
static bool normalize_age(const char *age, char *out, size_t len)
{
	int n = 0, used = 0;
	char unit[16] = "";
	if (sscanf(age, "%d %15s%n", &n, unit, &used) != 2 || age[used] != '\0' || n < 1 || n > 12)
		return false;
	size_t ul = strlen(unit);
	if (ul > 1 && unit[ul - 1] == 's')
		unit[ul - 1] = '\0';
	if (strcmp(unit, "day") && strcmp(unit, "week") && strcmp(unit, "month") && strcmp(unit, "year"))
		return false;
	if (!strcmp(unit, "day") && n % 7 == 0) {
		n /= 7;
		strcpy(unit, "week");
	} else if (!strcmp(unit, "month") && n == 12) {
		n = 1;
		strcpy(unit, "year");
	}
	snprintf(out, len, "%d %s%s", n, unit, n > 1 ? "s" : "");
	return true;
}

/* Checks and normalises the three levels in place; 0 or -1 with err. */
int sbx_normalize_policy(cJSON *policy, char *err, size_t errlen)
{
	int total = 0;
	for (size_t l = 0; levels[l]; l++) {
		cJSON *rules = cJSON_GetObjectItemCaseSensitive(policy, levels[l]);
		if (!rules) {
			cJSON_AddItemToObject(policy, levels[l], cJSON_CreateArray());
			continue;
		}
		if (!cJSON_IsArray(rules) || cJSON_GetArraySize(rules) > 10)
			return snprintf(err, errlen, "%s: at most 10 rules", levels[l]), -1;
		cJSON *r;
		cJSON_ArrayForEach(r, rules) {
			const char *sel = sbx_str(r, "selector");
			char age[32];
			if (!*sel || strlen(sel) > 100)
				return snprintf(err, errlen, "invalid selector"), -1;
			if (!normalize_age(sbx_str(r, "age"), age, sizeof(age)))
				return snprintf(err, errlen, "invalid age"), -1;
			cJSON_DeleteItemFromObjectCaseSensitive(r, "age");
			cJSON_AddStringToObject(r, "age", age);
			total++;
		}
	}
	if (total == 0)
		return snprintf(err, errlen, "at least one retention rule is required"), -1;
	return 0;
}

static cJSON *policy_json(const cJSON *p)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t l = 0; levels[l]; l++) {
		cJSON *rules = cJSON_AddArrayToObject(o, levels[l]);
		const cJSON *r;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(p, levels[l])) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "selector", sbx_str(r, "selector"));
			cJSON_AddStringToObject(x, "age", sbx_str(r, "age"));
			cJSON_AddItemToArray(rules, x);
		}
	}
	return o;
}

void h_retention_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	if (!sbx_project_by_id(s, rq->params[0])) {
		sbx_error(rs, 404, "project not found");
		return;
	}
	rs->body = policy_json(sbx_find(sbx_list(s, "retention_policies"), "project_id", rq->params[0]));
}

void h_retention_set(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = sbx_str(rq->body, "project_id");
	if (!sbx_project_by_id(s, pid)) {
		sbx_error(rs, 400, "project not found");
		return;
	}
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "project_id", pid);
	for (size_t l = 0; levels[l]; l++) {
		cJSON *given = cJSON_GetObjectItemCaseSensitive(rq->body, levels[l]);
		if (given)
			cJSON_AddItemToObject(p, levels[l], cJSON_Duplicate(given, 1));
	}
	char err[128];
	if (sbx_normalize_policy(p, err, sizeof(err)) != 0) {
		cJSON_Delete(p);
		sbx_error(rs, 400, "%s", err);
		return;
	}
	cJSON *list = sbx_list(s, "retention_policies");
	cJSON *old = sbx_find(list, "project_id", pid);
	if (old)
		cJSON_ReplaceItemViaPointer(list, old, p);
	else
		cJSON_AddItemToArray(list, p);
	rs->body = policy_json(p);
}

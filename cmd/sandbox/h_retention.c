/*
 * h_retention: artifact retention policies as public-api and artifacthub
 * handle them (semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/
 * artifacts_retention_policies/update.ex, artifacthub_client.ex,
 * artifacthub/pkg/models/retention_policy.go). POST replaces the whole policy
 * (omitted levels become empty) and needs at least one rule; ages are stored
 * in seconds and shown in the largest unit that divides them; there is no
 * DELETE; a project without a policy reads as three empty lists.
 */
#include "cmd/sandbox/sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = {"project_level_retention_policies",
				     "workflow_level_retention_policies",
				     "job_level_retention_policies", NULL};

#define DAY 86400L
/* artifacthub_client.ex @one_day .. @one_year, largest first for age_field_to_string */
static const struct {
	const char *one, *many;
	long seconds;
} units[] = {
	{"year", "years", 365 * DAY},
	{"month", "months", 30 * DAY},
	{"week", "weeks", 7 * DAY},
	{"day", "days", DAY},
};

#define AGE_EXAMPLES "valid examples: 5 days, 1 week, 2 weeks, 3 months, 4 years"

/* update.ex verify_rules' regex ^(1[0-2]|[1-9])\s(?:day|days|...)$, then
 * artifacthub_client.ex age_string_to_seconds; 0 when it does not match. */
static long age_seconds(const char *age)
{
	int n = 0, used = 0;
	if (!isdigit((unsigned char)age[0]) || age[0] == '0')
		return 0;
	if (sscanf(age, "%2d%n", &n, &used) != 1 || n < 1 || n > 12 || !isspace((unsigned char)age[used]))
		return 0;
	const char *unit = age + used + 1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].one) || !strcmp(unit, units[i].many))
			return n * units[i].seconds;
	return 0;
}

/* A seed's "N unit", any N: requests were checked by age_seconds before. */
static long any_age_seconds(const char *age)
{
	long n = 0;
	char unit[16] = "";
	int used = 0;
	if (sscanf(age, "%ld %15s%n", &n, unit, &used) != 2 || age[used] || n < 1)
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].one) || !strcmp(unit, units[i].many))
			return n * units[i].seconds;
	return 0;
}

/* artifacthub_client.ex age_field_to_string */
static void age_text(long seconds, char *out, size_t len)
{
	size_t i = 0;
	while (i + 1 < sizeof(units) / sizeof(units[0]) && seconds % units[i].seconds != 0)
		i++;
	long n = seconds / units[i].seconds;
	snprintf(out, len, "%ld %s", n, n == 1 ? units[i].one : units[i].many);
}

/* The rules of a seed or a request, ages as seconds; a seed's age may already be a number. */
static cJSON *rules_in_seconds(const cJSON *given)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, given) {
		const cJSON *age = cJSON_GetObjectItem(r, "age");
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "selector", sbx_str(r, "selector"));
		cJSON_AddNumberToObject(x, "age", cJSON_IsNumber(age) ? age->valuedouble
								      : (double)any_age_seconds(sbx_str(r, "age")));
		cJSON_AddItemToArray(out, x);
	}
	return out;
}

/* Puts the three levels in stored form; 0, or -1 with err for what artifacthub refuses
 * (retention_policy.go Validate, answered through marshalRetentionPolicyUpdateError). */
int sbx_normalize_policy(cJSON *policy, char *err, size_t errlen)
{
	for (size_t l = 0; levels[l]; l++) {
		cJSON *rules = rules_in_seconds(cJSON_GetObjectItemCaseSensitive(policy, levels[l]));
		cJSON_DeleteItemFromObjectCaseSensitive(policy, levels[l]);
		cJSON_AddItemToObject(policy, levels[l], rules);
		if (cJSON_GetArraySize(rules) > 10)
			return snprintf(err, errlen, "retention policy must have less than 10 rules"), -1;
		const cJSON *r;
		cJSON_ArrayForEach(r, rules) {
			if (strlen(sbx_str(r, "selector")) > 100) /* bytes: len() in Go */
				return snprintf(err, errlen, "retention policy selector length must be less than 100 long"), -1;
			if (sbx_num(r, "age") < DAY)
				return snprintf(err, errlen, "retention policy age can't be shorter than a day"), -1;
		}
	}
	return 0;
}

static cJSON *policy_json(const cJSON *p)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t l = 0; levels[l]; l++) {
		cJSON *rules = cJSON_AddArrayToObject(o, levels[l]);
		const cJSON *r;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(p, levels[l])) {
			char age[32];
			age_text((long)sbx_num(r, "age"), age, sizeof(age));
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "selector", sbx_str(r, "selector"));
			cJSON_AddStringToObject(x, "age", age);
			cJSON_AddItemToArray(rules, x);
		}
	}
	return o;
}

static bool project_id_ok(const char *pid, sbx_resp *rs)
{
	if (!pid || !*pid)
		sbx_fail_plain(rs, 400, "project_id must be present");
	else if (!sbx_is_uuid(pid))
		sbx_fail_plain(rs, 400, "project id must be a valid UUID");
	else
		return true;
	return false;
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/artifacts_retention_policies/describe.ex */
void h_retention_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = sbx_param_str(rq, "project_id");
	if (!project_id_ok(pid, rs) || !sbx_authorize_project(s, pid, rs))
		return;
	rs->body = policy_json(sbx_find(sbx_list(s, "retention_policies"), "project_id", pid));
}

static bool non_empty_list(const cJSON *v)
{
	return cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0;
}

/* update.ex verify_rules: the first bad rule of a level, as plain text; a level that is
 * not a list makes Enum.map raise (500). */
static bool rules_ok(const cJSON *list, sbx_resp *rs)
{
	if (!list || cJSON_IsNull(list))
		return true;
	if (!cJSON_IsArray(list)) {
		sbx_fail_plain(rs, 500, "Something went wrong");
		return false;
	}
	const cJSON *r;
	cJSON_ArrayForEach(r, list) {
		const char *sel = sbx_str(r, "selector");
		const cJSON *age = cJSON_GetObjectItem(r, "age");
		if (!*sel)
			sbx_fail_plain(rs, 400, "the 'selector' filed must be a non-empty string");
		else if (!cJSON_IsString(age) || !*age->valuestring)
			sbx_fail_plain(rs, 400, "the 'age' fields must be a string, " AGE_EXAMPLES);
		else if (!age_seconds(age->valuestring))
			sbx_fail_plain(rs, 400, "invalid 'age' value: '%s' - " AGE_EXAMPLES, age->valuestring);
		else
			continue;
		return false;
	}
	return true;
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/artifacts_retention_policies/update.ex */
void h_retention_set(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = sbx_param_str(rq, "project_id");
	if (!project_id_ok(pid, rs))
		return;
	bool any = false;
	for (size_t l = 0; levels[l]; l++)
		any = any || non_empty_list(sbx_param(rq, levels[l]));
	if (!any)
		return sbx_fail_plain(rs, 400, "at least one retention policy configuration must be defined");
	for (size_t l = 0; levels[l]; l++)
		if (!rules_ok(sbx_param(rq, levels[l]), rs))
			return;
	if (!sbx_authorize_project(s, pid, rs))
		return;
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "project_id", pid);
	for (size_t l = 0; levels[l]; l++) {
		const cJSON *given = sbx_param(rq, levels[l]);
		cJSON_AddItemToObject(p, levels[l], cJSON_IsArray(given) ? cJSON_Duplicate(given, 1) : cJSON_CreateArray());
	}
	char err[128];
	if (sbx_normalize_policy(p, err, sizeof(err)) != 0) {
		cJSON_Delete(p);
		return sbx_fail(rs, 400, "%s", err);
	}
	cJSON *list = sbx_list(s, "retention_policies");
	cJSON *old = sbx_find(list, "project_id", pid);
	if (old)
		cJSON_ReplaceItemViaPointer(list, old, p);
	else
		cJSON_AddItemToArray(list, p);
	rs->body = policy_json(p);
}

/*
 * settings: a project's advanced settings in ciform-sandbox --api circleci
 * (GET|PATCH /api/v2/project/{vcs}/{org}/{repo}/settings).
 *
 * Both answer the whole record under one "advanced" key; the PATCH is
 * partial, writing exactly the keys its body holds, and the overrides list
 * it carries replaces the old one (LABS ic/project_settings.go,
 * project_settings_test.go; PUB ic/project/project.go). oss is returned but
 * read-only: a PATCH holding it is 400 "Unexpected field 'advanced.oss'."
 * (LABS, measured against the live API); unknown keys are refused ("Unknown
 * advanced setting", LABS) and so is an empty body ("No JSON fields
 * found.", LABS IsEmpty). State: projects[].settings.advanced; keys the seed
 * leaves out read as the defaults below (the values are the sandbox's own:
 * no source lists CircleCI's defaults).
 */
#include "cmd/sandbox/circleci/cci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERRIDES "pr_only_branch_overrides"

static const struct {
	const char *key;
	bool on;
} toggles[] = {
	{"autocancel_builds", false}, {"build_fork_prs", false}, {"build_prs_only", false},
	{"disable_ssh", false}, {"forks_receive_secret_env_vars", false}, {"oss", false},
	{"set_github_status", true}, {"setup_workflows", false}, {"write_settings_requires_admin", false},
};
#define NTOGGLES (sizeof(toggles) / sizeof(toggles[0]))

/* The stored record, with every key present. */
static cJSON *advanced_of(cJSON *project)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(project, "settings");
	if (!cJSON_IsObject(s)) {
		cJSON_DeleteItemFromObjectCaseSensitive(project, "settings");
		s = cJSON_AddObjectToObject(project, "settings");
	}
	cJSON *adv = cJSON_GetObjectItemCaseSensitive(s, "advanced");
	if (!cJSON_IsObject(adv)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s, "advanced");
		adv = cJSON_AddObjectToObject(s, "advanced");
	}
	for (size_t i = 0; i < NTOGGLES; i++)
		if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(adv, toggles[i].key)))
			cJSON_AddBoolToObject(adv, toggles[i].key, toggles[i].on);
	cci_list_of(adv, OVERRIDES);
	return adv;
}

static bool is_toggle(const char *key)
{
	for (size_t i = 0; i < NTOGGLES; i++)
		if (!strcmp(toggles[i].key, key))
			return true;
	return false;
}

static bool strings_only(const cJSON *list)
{
	const cJSON *e;
	if (!cJSON_IsArray(list))
		return false;
	cJSON_ArrayForEach(e, list)
		if (!cJSON_IsString(e))
			return false;
	return true;
}

/* Why the PATCH body is refused, written into rs; false when it is fine. */
static bool refused(const cJSON *body, sbx_resp *rs)
{
	const cJSON *adv = cJSON_GetObjectItemCaseSensitive(body, "advanced"), *k;
	cJSON_ArrayForEach(k, body)
		if (strcmp(k->string, "advanced") != 0) { /* only "advanced" at the root (LABS envelope) */
			cci_fail(rs, 400, "Unexpected field '%s'.", k->string);
			return true;
		}
	if (!cJSON_IsObject(adv) || !adv->child) {
		cci_fail(rs, 400, "No JSON fields found.");
		return true;
	}
	cJSON_ArrayForEach(k, adv) {
		bool toggle = is_toggle(k->string), list = !strcmp(k->string, OVERRIDES);
		if (!strcmp(k->string, "oss"))
			cci_fail(rs, 400, "Unexpected field 'advanced.oss'.");
		else if (!toggle && !list)
			cci_fail(rs, 400, "Unknown advanced setting '%s'.", k->string);
		else if (toggle ? !cJSON_IsBool(k) : !strings_only(k))
			cci_fail(rs, 400, "Invalid value for 'advanced.%s'.", k->string);
		else
			continue;
		return true;
	}
	return false;
}

void cci_settings_route(cci_req *q, cJSON *project, sbx_resp *rs)
{
	cJSON *adv = advanced_of(project);
	if (!strcmp(q->method, "PATCH")) {
		if (refused(q->body, rs))
			return;
		const cJSON *k;
		cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(q->body, "advanced")) {
			cJSON_DeleteItemFromObjectCaseSensitive(adv, k->string);
			cJSON_AddItemToObject(adv, k->string, cJSON_Duplicate(k, 1));
		}
	} else if (strcmp(q->method, "GET") != 0) {
		cci_fail(rs, 404, "Not found");
		return;
	}
	/* the documented order (LABS projectSettingsResponse), whatever the state's */
	cJSON *out = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(out, "advanced");
	for (size_t i = 0; i < NTOGGLES; i++)
		cJSON_AddItemToObject(o, toggles[i].key,
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(adv, toggles[i].key), 1));
	cJSON_AddItemToObject(o, OVERRIDES, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(adv, OVERRIDES), 1));
	cci_ok(rs, 200, out);
}

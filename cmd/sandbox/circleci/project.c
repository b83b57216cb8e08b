/*
 * project: a project's variables and settings in ciform-sandbox --api
 * circleci (/api/v2/project/{vcs}/{org}/{repo}/envvar[/{name}] and
 * .../settings).
 *
 * Values are write-only: every answer, the create's too, shows "xxxx" and
 * the last min(4, floor(len/2)) characters (LABS ic/environment_variable.go
 * ProjectEnvironmentVariable, measured; circleci/circleci-docs
 * _environment_vars.md). There is no update route (PUB
 * project_environment_variable_resource.go: value RequiresReplace), and a
 * POST of a name that exists is 400 (PUB fakecircle/project.go addEnv).
 * State: projects[].env, a list of {name, value, created_at};
 * projects[].settings, {"advanced": {KEY: VALUE}} (settings.c).
 */
#include "cmd/sandbox/circleci/cci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *env_named(cJSON *project, const char *name)
{
	cJSON *v;
	cJSON_ArrayForEach(v, cci_list_of(project, "env"))
		if (!strcmp(sbx_str(v, "name"), name))
			return v;
	return NULL;
}

/* {name, value: "xxxx" + tail, created_at} (LABS ProjectEnvironmentVariable) */
static cJSON *env_json(const cJSON *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", sbx_str(v, "name"));
	char *t = cci_tail_of(sbx_str(v, "value"));
	char *masked = malloc(strlen(t) + 5);
	sprintf(masked, "xxxx%s", t);
	cJSON_AddStringToObject(o, "value", masked);
	free(masked);
	free(t);
	cJSON_AddStringToObject(o, "created_at", sbx_str(v, "created_at"));
	return o;
}

static void env_list(cci_req *q, cJSON *project, sbx_resp *rs)
{
	/* {items, next_page_token}, paged at ?page-token= (PUB envproject/env.go
	 * List; LABS ListProjectEnvironmentVariables drains every page) */
	const char *tok = cci_query(q, "page-token");
	double size = sbx_num(q->root, "envvar_page_size");
	int per = size >= 1 ? (int)size : 100, from = tok && *tok ? atoi(tok) : 0, i = 0, n = 0;
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items"), *v;
	bool more = false;
	cJSON_ArrayForEach(v, cci_list_of(project, "env")) {
		if (i++ < from)
			continue;
		if (n == per) {
			more = true;
			break;
		}
		cJSON_AddItemToArray(items, env_json(v));
		n++;
	}
	if (more) {
		char next[16];
		snprintf(next, sizeof(next), "%d", from + per);
		cJSON_AddStringToObject(out, "next_page_token", next);
	} else {
		cJSON_AddNullToObject(out, "next_page_token");
	}
	cci_ok(rs, 200, out);
}

static void env_create(cci_req *q, cJSON *project, sbx_resp *rs)
{
	/* {name, value} (PUB envproject/env.go Create); a name that exists is
	 * 400 "env var already exists" (PUB fakecircle/project.go addEnv) */
	const char *name = sbx_str(q->body, "name"), *value = sbx_str(q->body, "value");
	if (!*name) {
		cci_fail(rs, 400, "name is required");
		return;
	}
	if (env_named(project, name)) {
		cci_fail(rs, 400, "env var already exists");
		return;
	}
	cJSON *v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "name", name);
	cJSON_AddStringToObject(v, "value", value);
	cci_touch(v, "created_at");
	cJSON_AddItemToArray(cci_list_of(project, "env"), v);
	cci_ok(rs, 201, env_json(v)); /* masked, even here (LABS CreateProjectEnvironmentVariable) */
}

void cci_project_routes(cci_req *q, sbx_resp *rs)
{
	cJSON *project = cci_project_at(q);
	const char *m = q->method, *what = q->seg[4];
	if (!project) {
		cci_fail(rs, 404, "Project not found");
	} else if (q->nseg == 5 && !strcmp(what, "envvar") && !strcmp(m, "GET")) {
		env_list(q, project, rs);
	} else if (q->nseg == 5 && !strcmp(what, "envvar") && !strcmp(m, "POST")) {
		env_create(q, project, rs);
	} else if (q->nseg == 5 && !strcmp(what, "settings")) {
		cci_settings_route(q, project, rs);
	} else if (q->nseg == 6 && !strcmp(what, "envvar") && (!strcmp(m, "GET") || !strcmp(m, "DELETE"))) {
		/* one by name; missing is 404 (LABS GetProjectEnvironmentVariable:
		 * IsNotFound) */
		cJSON *v = env_named(project, q->seg[5]);
		if (!v)
			cci_fail(rs, 404, "Environment variable not found.");
		else if (!strcmp(m, "GET"))
			cci_ok(rs, 200, env_json(v));
		else {
			cci_remove_item(cci_list_of(project, "env"), v);
			cci_fail(rs, 200, "Environment variable deleted.");
		}
	} else {
		cci_fail(rs, 404, "Not found");
	}
}

/*
 * pipelines: the sandbox's /v2/organizations/ORG/pipelines routes, as
 * buildkite/docs pages/apis/rest_api/pipelines.md describes them (docs
 * below), with what the Terraform provider relies on (tf = buildkite/
 * terraform-provider-buildkite buildkite/resource_pipeline.go).
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* docs "Create a YAML pipeline", Optional properties: their defaults */
static const char *const defaults[][2] = {
	{"description", "null"}, {"default_branch", "null"}, {"branch_configuration", "null"},
	{"skip_queued_branch_builds", "false"}, {"skip_queued_branch_builds_filter", "null"},
	{"cancel_running_branch_builds", "false"}, {"cancel_running_branch_builds_filter", "null"},
	{"allow_rebuilds", "true"}, {"clone_mirror_url", "null"}, {"default_command_step_timeout", "null"},
	{"maximum_command_step_timeout", "null"}, {"visibility", "\"private\""}, {"tags", "null"},
	{"pipeline_template_uuid", "null"}, {"archived_at", "null"}, {"cluster_id", "null"},
	{"configuration", "null"},
};
/* what a create or an update may set */
static const char *const writable[] = {
	"name", "repository", "cluster_id", "configuration", "description", "default_branch",
	"branch_configuration", "skip_queued_branch_builds", "skip_queued_branch_builds_filter",
	"cancel_running_branch_builds", "cancel_running_branch_builds_filter", "allow_rebuilds",
	"clone_mirror_url", "default_command_step_timeout", "maximum_command_step_timeout", "visibility", "tags",
	"pipeline_template_uuid", "slug", NULL,
};

static cJSON *list(bkx_call *c)
{
	return cJSON_GetObjectItemCaseSensitive(c->bk, "pipelines");
}

static void fill(cJSON *p)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!cJSON_HasObjectItem(p, defaults[i][0]))
			cJSON_AddItemToObject(p, defaults[i][0], cJSON_Parse(defaults[i][1]));
	cJSON *prov = cJSON_GetObjectItemCaseSensitive(p, "provider");
	if (!cJSON_IsObject(prov)) { /* docs "Get a pipeline": provider {id, settings} */
		cJSON_DeleteItemFromObjectCaseSensitive(p, "provider");
		prov = cJSON_AddObjectToObject(p, "provider");
		cJSON_AddStringToObject(prov, "id", "github");
	}
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(prov, "settings"))) {
		cJSON *s = cJSON_AddObjectToObject(prov, "settings");
		cJSON_AddBoolToObject(s, "build_pull_requests", true);
		cJSON_AddBoolToObject(s, "build_tags", false);
		cJSON_AddStringToObject(s, "trigger_mode", "code");
	}
}

/* docs platform/_deriving_a_pipeline_slug_from_the_pipelines_name.md:
 * lower case, spaces (and other non-alphanumerics) to dashes, at most 100. */
static void derive_slug(const char *name, char out[101])
{
	size_t n = 0;
	for (const char *p = name; *p && n < 100; p++) {
		char ch = (char)tolower((unsigned char)*p);
		if (isalnum((unsigned char)ch))
			out[n++] = ch;
		else if (n && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

static cJSON *find(bkx_call *c, const char *key, const char *value)
{
	return sbx_find(list(c), key, value);
}

/* docs: a 422 is {"message": "Validation Failed", "errors": [{field, code}]} */
static void invalid(bkx_call *c, const char *field, const char *code)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "message", "Validation Failed");
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(b, "errors"), e);
	bkx_answer(c, 422, b);
}

static bool blank(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return !v || !*v;
}

/* The writable keys of the body onto p; false (answered) on a bad value. */
static bool take(bkx_call *c, cJSON *p, const cJSON *self)
{
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c->body, "cluster_id");
	if (cJSON_IsString(cid) && !sbx_find(cJSON_GetObjectItemCaseSensitive(c->bk, "clusters"), "id", cid->valuestring)) {
		invalid(c, "cluster_id", "not found");
		return false;
	}
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "name"));
	const cJSON *other = name ? find(c, "name", name) : NULL;
	if (other && other != self) { /* docs "Create": a duplicate name is an error */
		invalid(c, "name", "has already been taken");
		return false;
	}
	for (size_t i = 0; writable[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, writable[i]);
		if (!v)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(p, writable[i]);
		cJSON_AddItemToObject(p, writable[i], cJSON_Duplicate(v, 1));
	}
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(c->body, "provider_settings");
	cJSON *settings = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "provider"), "settings");
	const cJSON *k;
	cJSON_ArrayForEach(k, ps) { /* merged key by key: see docs/buildkite.md, open question 5 */
		cJSON_DeleteItemFromObjectCaseSensitive(settings, k->string);
		cJSON_AddItemToObject(settings, k->string, cJSON_Duplicate(k, 1));
	}
	return true;
}

static bool slug_ok(bkx_call *c, const char *slug, const cJSON *self)
{
	const cJSON *other = find(c, "slug", slug);
	if (!*slug || (other && other != self)) {
		invalid(c, "slug", *slug ? "has already been taken" : "is invalid");
		return false;
	}
	return true;
}

/* docs "Create a YAML pipeline": teams {team UUID: access level}; each
 * becomes a team pipeline (teams.c). False (answered) on a bad one. */
static bool teams_ok(bkx_call *c)
{
	const cJSON *teams = cJSON_GetObjectItemCaseSensitive(c->body, "teams"), *t;
	if (teams && !cJSON_IsObject(teams)) {
		invalid(c, "teams", "invalid");
		return false;
	}
	cJSON_ArrayForEach(t, teams)
		if (!sbx_find(bkx_list(c, "teams"), "id", t->string) || !bkx_team_level(cJSON_GetStringValue(t))) {
			invalid(c, "teams", "invalid");
			return false;
		}
	return true;
}

static void create(bkx_call *c)
{
	/* docs "Create a YAML pipeline": name, repository, cluster_id and a
	 * non-blank configuration (unless a template gives the steps) */
	static const char *const required[] = {"name", "repository", "cluster_id"};
	for (size_t i = 0; i < 3; i++)
		if (blank(c->body, required[i]))
			return invalid(c, required[i], "missing_field");
	if (blank(c->body, "configuration") && blank(c->body, "pipeline_template_uuid"))
		return invalid(c, "configuration", "Step configuration is missing, expected `steps: { yaml: \"...\" }`");
	char derived[101];
	const char *slug = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "slug"));
	if (!slug) {
		derive_slug(sbx_str(c->body, "name"), derived);
		slug = derived;
	}
	cJSON *p = cJSON_CreateObject();
	fill(p);
	if (!slug_ok(c, slug, NULL) || !teams_ok(c) || !take(c, p, NULL))
		return cJSON_Delete(p);
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(p, "id", id);
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(c->body, "teams"))
		bkx_team_pipeline_add(c, t->string, id, t->valuestring);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "slug");
	cJSON_AddStringToObject(p, "slug", slug);
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(p, "created_at", now);
	free(now);
	cJSON_AddItemToArray(list(c), p);
	bkx_answer(c, 201, cJSON_Duplicate(p, 1));
}

/* A schedule belongs to its pipeline, not to the slug (docs
 * pipeline_schedules.md addresses it under the pipeline's current slug). */
static void move_schedules(bkx_call *c, const char *from, const char *to)
{
	cJSON *s;
	cJSON_ArrayForEach(s, bkx_list(c, "schedules"))
		if (!strcmp(sbx_str(s, "pipeline_slug"), from))
			cJSON_ReplaceItemInObjectCaseSensitive(s, "pipeline_slug", cJSON_CreateString(to));
}

/* docs "Delete a pipeline": 204. While builds run the API refuses it: the
 * status is undocumented, 422 being the API's refusal of a pipeline action
 * (docs "Archive a pipeline" error responses), and the words are those tf
 * retries on (tf util.go activeJobsRegex; util_test.go "Cannot delete
 * pipeline with active builds"). The seed's running_builds_count (docs
 * "Pipeline data model") says how many deletes are refused; each refusal
 * stands for time passing, one build ending. */
static void delete_pipeline(bkx_call *c, cJSON *p)
{
	const cJSON *running = cJSON_GetObjectItemCaseSensitive(p, "running_builds_count");
	if (cJSON_IsNumber(running) && running->valuedouble >= 1) {
		cJSON_SetNumberValue((cJSON *)running, running->valuedouble - 1);
		char *err = NULL;
		sbx_save(c->s, &err); /* the count survives a restart, as builds would */
		free(err);
		return bkx_fail(c, 422, "Cannot delete pipeline with active builds");
	}
	bkx_team_pipelines_drop(c, sbx_str(p, "id"));
	cJSON *s = bkx_list(c, "schedules")->child;
	while (s) {
		cJSON *next = s->next;
		if (!strcmp(sbx_str(s, "pipeline_slug"), sbx_str(p, "slug")))
			cJSON_Delete(cJSON_DetachItemViaPointer(bkx_list(c, "schedules"), s));
		s = next;
	}
	cJSON_Delete(cJSON_DetachItemViaPointer(list(c), p));
	c->rs->status = 204;
	c->rs->text = strdup("");
}

static void update(bkx_call *c, cJSON *p)
{
	/* tf resource_pipeline.go Update ("the API rejects updates to archived
	 * pipelines"; resource_pipeline_test.go "archives pipeline ...") */
	if (bkx_archived(p))
		return bkx_fail(c, 422, "Cannot update an archived pipeline");
	/* docs "Update a pipeline": steps without configuration is a 422 */
	if (cJSON_HasObjectItem(c->body, "steps") && !cJSON_HasObjectItem(c->body, "configuration"))
		return invalid(c, "steps", "cannot be updated for a YAML pipeline");
	if (cJSON_HasObjectItem(c->body, "configuration") && blank(c->body, "configuration"))
		return invalid(c, "configuration", "Step configuration is missing, expected `steps: { yaml: \"...\" }`");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "name"));
	const char *slug = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "slug"));
	char derived[101];
	if (name && !slug) { /* docs Update: a new name without slug regenerates it */
		derive_slug(name, derived);
		slug = derived;
	}
	if (slug && !slug_ok(c, slug, p))
		return;
	cJSON *copy = cJSON_Duplicate(p, 1);
	if (!take(c, copy, p))
		return cJSON_Delete(copy);
	if (slug) {
		move_schedules(c, sbx_str(p, "slug"), slug);
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "slug");
		cJSON_AddStringToObject(copy, "slug", slug);
	}
	cJSON_ReplaceItemViaPointer(list(c), p, copy);
	bkx_answer(c, 200, cJSON_Duplicate(copy, 1));
}

/* docs "Archive a pipeline" / "Unarchive a pipeline": 200 with the
 * pipeline; their 422s, { "message": "Pipeline could not be archived." }
 * and "... unarchived.", are answered where the pipeline is already so
 * (the docs give no other cause) */
static void set_archived(bkx_call *c, cJSON *p, bool archived)
{
	if (bkx_archived(p) == archived)
		return bkx_fail(c, 422, archived ? "Pipeline could not be archived." : "Pipeline could not be unarchived.");
	cJSON_DeleteItemFromObjectCaseSensitive(p, "archived_at");
	if (archived) {
		char *now = sbx_iso_time();
		cJSON_AddStringToObject(p, "archived_at", now);
		free(now);
	} else {
		cJSON_AddNullToObject(p, "archived_at");
	}
	bkx_answer(c, 200, cJSON_Duplicate(p, 1));
}

bool bkx_archived(const cJSON *p)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "archived_at");
	return a && !cJSON_IsNull(a);
}

void bkx_pipelines(bkx_call *c, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	if (!bkx_scope(c, get ? "read_pipelines" : "write_pipelines"))
		return;
	cJSON *p;
	cJSON_ArrayForEach(p, list(c))
		fill(p);
	if (!*rest && get)
		return bkx_page(c, list(c), c->url);
	if (!*rest && !strcmp(c->method, "POST"))
		return create(c);
	char slug[128], action[32] = "";
	if (sscanf(rest, "/%127[^/]/%31s", slug, action) < 1)
		return bkx_fail(c, 404, "Not Found");
	if (!(p = find(c, "slug", slug)))
		return bkx_fail(c, 404, "Not Found");
	if (!strncmp(action, "schedules", 9) && (!action[9] || action[9] == '/')) /* schedules.c */
		return bkx_schedules(c, slug, rest + 1 + strlen(slug) + strlen("/schedules"));
	if (!*action && get)
		return bkx_answer(c, 200, cJSON_Duplicate(p, 1));
	if (!*action && !strcmp(c->method, "PATCH"))
		return update(c, p);
	if (!*action && !strcmp(c->method, "DELETE"))
		return delete_pipeline(c, p);
	if (!strcmp(c->method, "POST") && (!strcmp(action, "archive") || !strcmp(action, "unarchive")))
		return set_archived(c, p, !strcmp(action, "archive"));
	bkx_fail(c, 404, "Not Found");
}

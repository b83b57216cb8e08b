/*
 * h_projects: projects (projecthub-rest-api: paged, x-has-more, filtered per
 * caller) and roles (public-api over RBAC), as the server shows them.
 * Projects, roles and users are read-only here: a seed defines them.
 */
#include "cmd/sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

/* semaphoreio/semaphore projecthub-rest-api/config/config.exs projects_page_size */
#define DEFAULT_PAGE_SIZE 500

static cJSON *str_list(const cJSON *from)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *it;
	cJSON_ArrayForEach(it, from)
		if (cJSON_IsString(it))
			cJSON_AddItemToArray(out, cJSON_CreateString(it->valuestring));
	return out;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A project's repository with the seed's gaps filled: what a project created
 * from a GitHub repository looks like. */
static cJSON *repository_json(const cJSON *p)
{
	const cJSON *r = get(p, "repository");
	cJSON *o = cJSON_CreateObject();
	const char *name = get(r, "name") ? sbx_str(r, "name") : sbx_str(p, "name");
	const char *owner = get(r, "owner") ? sbx_str(r, "owner") : "example";
	char url[600];
	snprintf(url, sizeof(url), "git@github.com:%s/%s.git", owner, name);
	const char *pf = get(r, "pipeline_file") ? sbx_str(r, "pipeline_file") : ".semaphore/semaphore.yml";
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "owner", owner);
	cJSON_AddStringToObject(o, "url", get(r, "url") ? sbx_str(r, "url") : url);
	const cJSON *fpr = get(r, "forked_pull_requests");
	cJSON *f = cJSON_AddObjectToObject(o, "forked_pull_requests");
	cJSON_AddItemToObject(f, "allowed_secrets", str_list(get(fpr, "allowed_secrets")));
	cJSON_AddItemToObject(f, "allowed_contributors", str_list(get(fpr, "allowed_contributors")));
	const cJSON *run_on = get(r, "run_on");
	if (cJSON_IsArray(run_on)) {
		cJSON_AddItemToObject(o, "run_on", str_list(run_on));
	} else {
		cJSON *ro = cJSON_AddArrayToObject(o, "run_on");
		cJSON_AddItemToArray(ro, cJSON_CreateString("branches"));
		cJSON_AddItemToArray(ro, cJSON_CreateString("tags"));
	}
	cJSON_AddStringToObject(o, "pipeline_file", pf);
	const cJSON *files = get(get(r, "status"), "pipeline_files");
	cJSON *st = cJSON_AddObjectToObject(o, "status");
	if (cJSON_IsArray(files)) {
		cJSON_AddItemToObject(st, "pipeline_files", cJSON_Duplicate(files, 1));
	} else { /* repository_hub/lib/repository_hub/adapters/universal_adapter.ex: one pipeline entry */
		cJSON *a = cJSON_AddArrayToObject(st, "pipeline_files"), *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "path", pf);
		cJSON_AddStringToObject(e, "level", "pipeline");
		cJSON_AddItemToArray(a, e);
	}
	const cJSON *wl = get(r, "whitelist");
	cJSON *w = cJSON_AddObjectToObject(o, "whitelist");
	cJSON_AddItemToObject(w, "branches", str_list(get(wl, "branches")));
	cJSON_AddItemToObject(w, "tags", str_list(get(wl, "tags")));
	cJSON_AddStringToObject(o, "integration_type",
				get(r, "integration_type") ? sbx_str(r, "integration_type") : "github_app");
	return o;
}

/* semaphoreio/semaphore projecthub-rest-api/lib/projecthub/http_api.ex encode_project;
 * full: the whole spec, as GET /projects/:name and PATCH answer it (tasks while
 * feature just_run is on, its default), else the short form the list keeps */
static cJSON *project_json(sbx *s, const cJSON *p, bool full)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "description", sbx_str(p, "description"));
	cJSON_AddStringToObject(m, "id", sbx_str(p, "id"));
	cJSON_AddStringToObject(m, "name", sbx_str(p, "name"));
	cJSON_AddStringToObject(m, "org_id", sbx_str(s->state, "org_id"));
	cJSON_AddStringToObject(m, "owner_id", "");
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	if (full) {
		cJSON_AddItemToObject(spec, "repository", repository_json(p));
		/* tasks while feature just_run is on (its default), schedulers while it is
		 * off (projecthub grpc_server.ex serialize) */
		cJSON_AddItemToObject(spec, "schedulers", sbx_project_schedulers_json(s, sbx_str(p, "id")));
		cJSON_AddItemToObject(spec, "tasks", sbx_project_tasks_json(s, sbx_str(p, "id")));
	}
	cJSON_AddStringToObject(spec, "visibility", *sbx_str(p, "visibility") ? sbx_str(p, "visibility") : "private");
	if (full) {
		cJSON_AddBoolToObject(spec, "custom_permissions", cJSON_IsTrue(get(p, "custom_permissions")));
		cJSON_AddItemToObject(spec, "debug_permissions", str_list(get(p, "debug_permissions")));
		cJSON_AddItemToObject(spec, "attach_permissions", str_list(get(p, "attach_permissions")));
		cJSON_AddStringToObject(o, "apiVersion", "v1alpha");
		cJSON_AddStringToObject(o, "kind", "Project");
	}
	return o;
}

cJSON *sbx_project_by_id(sbx *s, const char *id)
{
	return id ? sbx_find(sbx_list(s, "projects"), "id", id) : NULL;
}

cJSON *sbx_authorize_project(sbx *s, const char *project_id, sbx_resp *rs)
{
	cJSON *p = sbx_project_by_id(s, project_id);
	if (!p) /* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/authorize.ex authorization_failed(:user) */
		sbx_fail_plain(rs, 404, "Not found");
	else if (sbx_project_hidden(p)) /* same file, authorize_or_halt */
		sbx_fail_plain(rs, 401, "Permission denied");
	else
		return p;
	return NULL;
}

/* semaphoreio/semaphore projecthub-rest-api/lib/projecthub/http_api.ex parse_int */
static int page_of(sbx_req *rq, sbx_resp *rs)
{
	const char *arg = sbx_param_str(rq, "page");
	if (!arg)
		return 1;
	char *end = NULL;
	long n = strtol(arg, &end, 10);
	if (!*arg || *end || end == arg) {
		sbx_fail_message(rs, 400, "page must be a number");
		return 0;
	}
	if (n < 1 || n > 100) {
		sbx_fail_message(rs, 400, n < 1 ? "page must be at least 1" : "page must be at most 100");
		return 0;
	}
	return (int)n;
}

/* semaphoreio/semaphore projecthub-rest-api/lib/projecthub/http_api.ex do_list_projects:
 * the page is cut first and filtered by the caller's permissions afterwards, so a page
 * may be empty while x-has-more is true. */
void h_projects_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	int page = page_of(rq, rs);
	if (!page)
		return;
	const cJSON *size_item = cJSON_GetObjectItemCaseSensitive(s->state, "projects_page_size");
	long size = cJSON_IsNumber(size_item) && size_item->valuedouble >= 1 ? (long)size_item->valuedouble
									 : DEFAULT_PAGE_SIZE;
	cJSON *all = sbx_list(s, "projects");
	long total = cJSON_GetArraySize(all), first = (page - 1) * size;
	rs->body = cJSON_CreateArray();
	rs->page = page;
	long on_page = 0;
	for (long i = first; i < total && i < first + size; i++, on_page++) {
		cJSON *p = cJSON_GetArrayItem(all, (int)i);
		if (sbx_project_hidden(p))
			continue;
		cJSON *o = project_json(s, p, false);
		cJSON_AddStringToObject(o, "apiVersion", "v1alpha");
		cJSON_AddStringToObject(o, "kind", "Project");
		cJSON_AddItemToArray(rs->body, o);
	}
	rs->has_more = first + on_page < total;
}

void h_project_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *p = sbx_find(sbx_list(s, "projects"), "name", rq->params[0]);
	if (!p) /* semaphoreio/semaphore projecthub-rest-api/lib/projecthub/http_api.ex get "/projects/:name" */
		return sbx_fail_message(rs, 404, "Not found");
	if (sbx_project_hidden(p)) /* same route: Auth.has_permissions? "project.view" */
		return sbx_fail_message(rs, 401, "Unauthorized");
	rs->body = project_json(s, p, true);
}

/* http_api.ex run_on_map / permissions_map, then projecthub/lib/projecthub/api/grpc_server.ex
 * run_settings, debug_settings, attach_settings: words the enum knows (any case), stored
 * as flags and read back in the enum's order; the rest dropped without a word */
static cJSON *known_words(const cJSON *given, const char *const *words)
{
	cJSON *out = cJSON_CreateArray();
	for (size_t i = 0; words[i]; i++) {
		const cJSON *it;
		bool on = false;
		cJSON_ArrayForEach(it, given)
			on = on || (cJSON_IsString(it) && !strcasecmp(it->valuestring, words[i]));
		if (on)
			cJSON_AddItemToArray(out, cJSON_CreateString(words[i]));
	}
	return out;
}

static void put(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

static const cJSON *obj(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);
	return cJSON_IsObject(v) ? v : NULL;
}

static bool valid_project_name(const char *n)
{
	if (!*n)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '-' && *n != '.')
			return false;
	return true;
}

/* PATCH /projects/:id (projecthub-rest-api/lib/projecthub/http_api.ex patch, then
 * projecthub/lib/projecthub/api/grpc_server.ex update / attempt_update and
 * models/project.ex update_with_tasks): the body replaces the project whole, in three
 * steps that are not one transaction: the record, the tasks, the repository. */
void h_project_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *p = sbx_project_by_id(s, rq->params[0]);
	if (!p || sbx_project_hidden(p)) /* Auth.has_permissions? @update_permissions */
		return sbx_fail_message(rs, 401, "Unauthorized");
	const cJSON *body = cJSON_IsObject(rq->body) ? rq->body : NULL;
	const cJSON *meta = obj(body, "metadata"), *spec = obj(body, "spec");
	const cJSON *repo = obj(spec, "repository");
	const char *name = cJSON_GetStringValue(get(meta, "name"));
	const cJSON *files = get(obj(repo, "status"), "pipeline_files");
	const cJSON *f;
	cJSON_ArrayForEach(f, files) /* pipeline_files_map: String.upcase(nil) raises */
		if (!cJSON_IsString(get(f, "level")))
			return sbx_fail_plain(rs, 500, "Internal Server Error");
	/* models/project.ex changeset: validate_required, validate_format */
	if (!name || !*name)
		return sbx_fail_message(rs, 422, "can't be blank");
	if (!valid_project_name(name))
		return sbx_fail_message(rs, 422, "Project name can have only alphanumeric characters, underscore and dash");
	cJSON *r = cJSON_GetObjectItemCaseSensitive(p, "repository");
	if (!cJSON_IsObject(r)) {
		r = repository_json(p); /* the seed's defaults, made explicit */
		put(p, "repository", r);
	}
	/* 1. the record: name, description, visibility, permissions, run_on, forked-PR lists */
	const char *desc = cJSON_GetStringValue(get(meta, "description"));
	put(p, "name", cJSON_CreateString(name));
	put(p, "description", cJSON_CreateString(desc ? desc : ""));
	const char *vis = cJSON_GetStringValue(get(spec, "visibility"));
	put(p, "visibility", cJSON_CreateString(vis && !strcmp(vis, "public") ? "public" : "private"));
	const cJSON *cp = get(spec, "custom_permissions");
	bool custom = cJSON_IsTrue(cp) || (cJSON_IsString(cp) && !strcmp(cp->valuestring, "true"));
	put(p, "custom_permissions", cJSON_CreateBool(custom));
	static const char *const debug_words[] = {"empty", "default_branch", "non_default_branch", "pull_request",
						  "forked_pull_request", "tag", NULL};
	static const char *const run_words[] = {"branches", "tags", "pull_requests", "forked_pull_requests",
						"draft_pull_requests", NULL};
	put(p, "debug_permissions", custom ? known_words(get(spec, "debug_permissions"), debug_words) : cJSON_CreateArray());
	put(p, "attach_permissions", /* attach_settings has no "empty" */
	    custom ? known_words(get(spec, "attach_permissions"), debug_words + 1) : cJSON_CreateArray());
	put(r, "run_on", known_words(get(repo, "run_on"), run_words));
	const cJSON *fpr = obj(repo, "forked_pull_requests");
	cJSON *nf = cJSON_CreateObject();
	cJSON_AddItemToObject(nf, "allowed_secrets", str_list(get(fpr, "allowed_secrets")));
	cJSON_AddItemToObject(nf, "allowed_contributors", str_list(get(fpr, "allowed_contributors")));
	put(r, "forked_pull_requests", nf);
	/* 2. the tasks (http_api.ex construct_schedulers_and_tasks: no tasks takes the
	 * schedulers path, which prunes the same way) */
	const cJSON *tasks = get(spec, "tasks");
	if (!cJSON_IsArray(tasks) || cJSON_GetArraySize(tasks) == 0)
		tasks = cJSON_IsArray(get(spec, "schedulers")) ? get(spec, "schedulers") : NULL;
	cJSON *none = cJSON_CreateArray();
	char err[1024];
	int rc = sbx_tasks_bulk_upsert(s, p, tasks ? tasks : none, err, sizeof(err));
	cJSON_Delete(none);
	if (rc != 0) {
		char *save_err = NULL; /* the record stays changed: keep it in --state too */
		if (sbx_save(s, &save_err) != 0)
			fprintf(stderr, "ciform-sandbox: cannot save state: %s\n", save_err ? save_err : "?");
		free(save_err);
		return sbx_fail_message(rs, 422, err);
	}
	/* 3. the repository: url and pipeline_file keep when omitted or ""
	 * (grpc_server.ex reject_empty_strings); status and whitelist replaced */
	const char *url = cJSON_GetStringValue(get(repo, "url"));
	if (url && *url)
		put(r, "url", cJSON_CreateString(url));
	const char *pf = cJSON_GetStringValue(get(repo, "pipeline_file"));
	if (pf && *pf)
		put(r, "pipeline_file", cJSON_CreateString(pf));
	cJSON *nfiles = cJSON_CreateArray();
	if (cJSON_IsArray(files)) {
		cJSON_ArrayForEach(f, files) {
			const char *level = cJSON_GetStringValue(get(f, "level"));
			if (strcasecmp(level, "block") && strcasecmp(level, "pipeline"))
				continue;
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "path", cJSON_GetStringValue(get(f, "path")) ? cJSON_GetStringValue(get(f, "path")) : "");
			cJSON_AddStringToObject(e, "level", strcasecmp(level, "block") ? "pipeline" : "block");
			cJSON_AddItemToArray(nfiles, e);
		}
		cJSON *st = cJSON_CreateObject();
		cJSON_AddItemToObject(st, "pipeline_files", nfiles);
		put(r, "status", st);
	} else {
		cJSON_Delete(nfiles);
		cJSON_DeleteItemFromObjectCaseSensitive(r, "status"); /* the default: one pipeline entry */
	}
	const cJSON *wl = obj(repo, "whitelist");
	cJSON *nw = cJSON_CreateObject();
	cJSON_AddItemToObject(nw, "branches", str_list(get(wl, "branches")));
	cJSON_AddItemToObject(nw, "tags", str_list(get(wl, "tags")));
	put(r, "whitelist", nw);
	rs->body = project_json(s, p, true);
}

static bool is_org_scope(const cJSON *r)
{
	const char *scope = sbx_str(r, "scope");
	return !strcmp(scope, "org_scope") || !strcmp(scope, "org");
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/roles/list.ex and
 * rbac_client/request_formatter.ex form_list_org_roles_request: the RBAC Role
 * messages of the organisation scope, encoded as they are (no permissions here) */
void h_roles_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	(void)rq;
	rs->body = cJSON_CreateArray();
	cJSON *r;
	cJSON_ArrayForEach(r, sbx_list(s, "roles")) {
		if (!is_org_scope(r))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", sbx_str(r, "id"));
		cJSON_AddStringToObject(o, "name", sbx_str(r, "name"));
		cJSON_AddStringToObject(o, "org_id", sbx_str(s->state, "org_id"));
		cJSON_AddStringToObject(o, "scope", "SCOPE_ORG");
		cJSON_AddStringToObject(o, "description", sbx_str(r, "description"));
		cJSON_AddItemToObject(o, "permissions", cJSON_CreateArray());
		cJSON_AddItemToObject(o, "rbac_permissions", cJSON_CreateArray());
		cJSON_AddNullToObject(o, "inherited_role");
		cJSON_AddNullToObject(o, "maps_to");
		cJSON_AddBoolToObject(o, "readonly", cJSON_IsTrue(cJSON_GetObjectItem(r, "readonly")));
		cJSON_AddItemToArray(rs->body, o);
	}
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/roles/describe.ex,
 * rbac_client/response_formatter.ex serialize_role; any scope */
void h_role_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *id = rq->params[0];
	if (!sbx_is_uuid(id)) /* semaphoreio/semaphore ee/rbac/lib/rbac/utils/grpc.ex validate_uuid! */
		return sbx_fail(rs, 400, "Invalid uuid passed as an argument where uuid v4 was expected.");
	cJSON *r = NULL, *it;
	cJSON_ArrayForEach(it, sbx_list(s, "roles"))
		if (!strcasecmp(sbx_str(it, "id"), id))
			r = it;
	if (!r) /* semaphoreio/semaphore ee/rbac/lib/rbac/grpc_servers/rbac_server.ex describe_role */
		return sbx_fail(rs, 404, "Role with id %s not found", id);
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "id", sbx_str(r, "id"));
	cJSON_AddStringToObject(rs->body, "name", sbx_str(r, "name"));
	cJSON_AddStringToObject(rs->body, "org_id", sbx_str(s->state, "org_id"));
	cJSON_AddStringToObject(rs->body, "scope", is_org_scope(r) ? "org" : "project");
	cJSON_AddStringToObject(rs->body, "description", sbx_str(r, "description"));
	cJSON *perms = cJSON_GetObjectItemCaseSensitive(r, "permissions");
	cJSON_AddItemToObject(rs->body, "permissions",
			      cJSON_IsArray(perms) ? cJSON_Duplicate(perms, 1) : cJSON_CreateArray());
	cJSON_AddBoolToObject(rs->body, "readonly", cJSON_IsTrue(cJSON_GetObjectItem(r, "readonly")));
}

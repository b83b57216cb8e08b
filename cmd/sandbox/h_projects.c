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

/* semaphoreio/semaphore projecthub-rest-api/config/config.exs projects_page_size */
#define DEFAULT_PAGE_SIZE 500

/* semaphoreio/semaphore projecthub-rest-api/lib/projecthub/http_api.ex encode_project */
static cJSON *project_json(sbx *s, const cJSON *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "description", sbx_str(p, "description"));
	cJSON_AddStringToObject(m, "id", sbx_str(p, "id"));
	cJSON_AddStringToObject(m, "name", sbx_str(p, "name"));
	cJSON_AddStringToObject(m, "org_id", sbx_str(s->state, "org_id"));
	cJSON_AddStringToObject(m, "owner_id", "");
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "visibility", "private");
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
		cJSON *o = project_json(s, p);
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
	rs->body = project_json(s, p);
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

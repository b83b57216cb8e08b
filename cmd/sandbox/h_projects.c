/*
 * h_projects: projects (paged, x-has-more) and roles, as the API shows them.
 * Projects and roles are read-only here: a seed defines them.
 */
#include "cmd/sandbox/sandbox.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 30

static cJSON *project_json(sbx *s, const cJSON *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", sbx_str(p, "name"));
	cJSON_AddStringToObject(m, "id", sbx_str(p, "id"));
	cJSON_AddStringToObject(m, "org_id", sbx_str(s->state, "org_id"));
	cJSON_AddStringToObject(m, "description", sbx_str(p, "description"));
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "visibility", "private");
	return o;
}

cJSON *sbx_project_by_id(sbx *s, const char *id)
{
	return id ? sbx_find(sbx_list(s, "projects"), "id", id) : NULL;
}

void h_projects_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *page_arg = sbx_query(rq, "page");
	long page = page_arg ? strtol(page_arg, NULL, 10) : 1;
	if (page < 1)
		page = 1;
	cJSON *all = sbx_list(s, "projects");
	int total = cJSON_GetArraySize(all);
	rs->body = cJSON_CreateArray();
	for (int i = (int)(page - 1) * PAGE_SIZE; i < total && i < (int)page * PAGE_SIZE; i++)
		cJSON_AddItemToArray(rs->body, project_json(s, cJSON_GetArrayItem(all, i)));
	rs->has_more = (long)total > page * PAGE_SIZE;
}

void h_project_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *p = sbx_find(sbx_list(s, "projects"), "name", rq->params[0]);
	if (!p)
		return sbx_error(rs, 404, "project not found");
	rs->body = project_json(s, p);
}

void h_roles_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	(void)rq;
	rs->body = cJSON_CreateObject();
	cJSON *roles = cJSON_AddArrayToObject(rs->body, "roles");
	cJSON *r;
	cJSON_ArrayForEach(r, sbx_list(s, "roles")) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", sbx_str(r, "id"));
		cJSON_AddStringToObject(o, "name", sbx_str(r, "name"));
		cJSON_AddStringToObject(o, "org_id", sbx_str(s->state, "org_id"));
		cJSON_AddStringToObject(o, "scope", sbx_str(r, "scope"));
		cJSON_AddStringToObject(o, "description", sbx_str(r, "description"));
		cJSON_AddItemToArray(roles, o);
	}
}

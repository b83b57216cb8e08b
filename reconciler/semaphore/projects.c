/*
 * projects: projects by name (cached for the client's life: a plan resolves
 * the same project for every target of it) or all of them page by page, and
 * the organisation's roles.
 */
#include "reconciler/semaphore/api.h"

#include <stdio.h>
#include <stdlib.h>

int cf_sem_project_get(cJSON **out, cf_sem_client *c, const char *name, cf_error *err)
{
	*out = NULL;
	cJSON *cache = cJSON_GetObjectItemCaseSensitive(cf_sem_client_cache(c), "projects");
	if (!cache)
		cache = cJSON_AddObjectToObject(cf_sem_client_cache(c), "projects");
	cJSON *hit = cJSON_GetObjectItemCaseSensitive(cache, name);
	if (hit) {
		*out = cJSON_Duplicate(hit, 1);
		return CF_OK;
	}
	char *e = cf_sem_escape(name);
	char *path = cf_xasprintf("/projects/%s", e);
	int rc = cf_sem_request(out, c, "GET", CF_SEM_IDEMPOTENT, NULL, path, err);
	free(path);
	free(e);
	if (rc == CF_OK)
		cJSON_AddItemToObject(cache, name, cJSON_Duplicate(*out, 1));
	return rc;
}

int cf_sem_project_list(cJSON **out, cf_sem_client *c, cf_error *err)
{
	cJSON *all = cJSON_CreateArray();
	for (int page = 1;; page++) {
		cf_sem_call call;
		cf_sem_call_init(&call, "GET", CF_SEM_IDEMPOTENT, NULL, "/projects?page=%d", page);
		int rc = cf_sem_run(c, &call, 1, err);
		if (rc == CF_OK && !cJSON_IsArray(call.json))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer is not a list of projects", call.path);
		if (rc != CF_OK) {
			cf_sem_call_clear(&call);
			cJSON_Delete(all);
			*out = NULL;
			return rc;
		}
		bool more = call.has_more == 1 && cJSON_GetArraySize(call.json) > 0;
		for (cJSON *p = call.json->child, *next; p; p = next) {
			next = p->next;
			cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(call.json, p));
		}
		cf_sem_call_clear(&call);
		if (!more)
			break;
	}
	*out = all;
	return CF_OK;
}

int cf_sem_roles_list(cJSON **out, cf_sem_client *c, cf_error *err)
{
	return cf_sem_get_list(out, c, "/roles", "roles", err);
}

/*
 * projects: projects by name (cached for the client's life: a plan resolves
 * the same project for every target of it) or all of them page by page, and
 * the names of the roles that deployment targets' rules hold by id.
 */
#include "reconciler/providers/semaphore/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server serves pages 1 to 100 (http_api.ex). */
#define CF_SEM_MAX_PROJECT_PAGES 100

int cf_sem_project_get(cJSON **out, cf_http_client *c, const char *name, cf_error *err)
{
	*out = NULL;
	cJSON *cache = cJSON_GetObjectItemCaseSensitive(cf_http_cache(c), "projects");
	if (!cache)
		cache = cJSON_AddObjectToObject(cf_http_cache(c), "projects");
	cJSON *hit = cJSON_GetObjectItemCaseSensitive(cache, name);
	if (hit) {
		*out = cJSON_Duplicate(hit, 1);
		return CF_OK;
	}
	char *e = cf_http_escape(name);
	char *path = cf_xasprintf("/projects/%s", e);
	int rc = cf_http_request(out, c, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	free(path);
	free(e);
	if (rc == CF_OK)
		cJSON_AddItemToObject(cache, name, cJSON_Duplicate(*out, 1));
	return rc;
}

/* Pages read at once once the first says more come: a few extra requests
 * past the end at most, against one round trip per page. */
#define READ_AHEAD 4

int cf_sem_project_list(cJSON **out, cf_http_client *c, cf_error *err)
{
	cJSON *all = cJSON_CreateArray();
	*out = NULL;
	/* Each page is filtered by the caller's permissions, so an empty page can
	 * still say x-has-more: true: follow the header, never the emptiness
	 * (projecthub-rest-api lib/projecthub/http_api.ex). */
	bool more = true;
	for (int page = 1; more;) {
		if (page > CF_SEM_MAX_PROJECT_PAGES) {
			cJSON_Delete(all);
			return cf_error_set(err, CF_EAPI, "GET /projects: still x-has-more after %d pages; "
					    "giving up", CF_SEM_MAX_PROJECT_PAGES);
		}
		int n = page == 1 ? 1 : READ_AHEAD;
		if (page + n - 1 > CF_SEM_MAX_PROJECT_PAGES)
			n = CF_SEM_MAX_PROJECT_PAGES - page + 1;
		cf_http_call calls[READ_AHEAD];
		for (int k = 0; k < n; k++)
			cf_http_call_init(&calls[k], "GET", CF_HTTP_IDEMPOTENT, NULL, "/projects?page=%d", page + k);
		int rc = cf_http_run(c, calls, (size_t)n, err);
		for (int k = 0; k < n && more; k++) { /* in page order, up to the page that says it is the last */
			if (rc == CF_OK && !cJSON_IsArray(calls[k].json))
				rc = cf_error_set(err, CF_EAPI, "GET %s: the answer is not a list of projects", calls[k].path);
			if (rc != CF_OK)
				break;
			more = calls[k].has_more == 1;
			for (cJSON *p = calls[k].json->child, *next; p; p = next) {
				next = p->next;
				cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(calls[k].json, p));
			}
		}
		for (int k = 0; k < n; k++)
			cf_http_call_clear(&calls[k]);
		if (rc != CF_OK) {
			cJSON_Delete(all);
			return rc;
		}
		page += n;
	}
	*out = all;
	return CF_OK;
}

/* ROLE rules come back as role ids (public-api/v1alpha/lib/pipelines_api/
 * deployments_client/request_formatter.ex normalize_roles); GET /roles/:id
 * (pipelines_api/roles/describe.ex) names each. */
int cf_sem_role_names(cJSON **out, cf_http_client *c, const char *const *ids, size_t n, cf_error *err)
{
	cJSON *cache = cJSON_GetObjectItemCaseSensitive(cf_http_cache(c), "roles");
	if (!cache)
		cache = cJSON_AddObjectToObject(cf_http_cache(c), "roles");
	char **paths = cf_xcalloc(n + 1, sizeof(char *));
	const char **asked = cf_xcalloc(n + 1, sizeof(char *));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = cJSON_HasObjectItem(cache, ids[i]);
		for (size_t k = 0; k < m && !dup; k++)
			dup = !strcmp(asked[k], ids[i]);
		if (dup)
			continue;
		char *e = cf_http_escape(ids[i]);
		paths[m] = cf_xasprintf("/roles/%s", e);
		asked[m++] = ids[i];
		free(e);
	}
	cf_http_call *calls = cf_xcalloc(m + 1, sizeof(*calls));
	for (size_t k = 0; k < m; k++)
		cf_http_call_init(&calls[k], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", paths[k]);
	int rc = cf_http_run(c, calls, m, err);
	if (rc == CF_ENOTFOUND || rc == CF_OK) {
		rc = CF_OK;
		cf_error_clear(err);
		for (size_t k = 0; k < m && rc == CF_OK; k++) {
			const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(calls[k].json, "name"));
			if (calls[k].rc == CF_ENOTFOUND)
				cJSON_AddNullToObject(cache, asked[k]); /* no such role: asked once */
			else if (calls[k].rc != CF_OK)
				rc = cf_error_set(err, calls[k].rc, "%s", calls[k].error);
			else if (!name)
				rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no role name)",
						  paths[k]);
			else
				cJSON_AddStringToObject(cache, asked[k], name);
		}
	}
	for (size_t k = 0; k < m; k++) {
		cf_http_call_clear(&calls[k]);
		free(paths[k]);
	}
	free(calls);
	free(paths);
	free(asked);
	cJSON *names = cJSON_CreateObject();
	for (size_t i = 0; i < n && rc == CF_OK; i++) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cache, ids[i]));
		if (name && !cJSON_HasObjectItem(names, ids[i]))
			cJSON_AddStringToObject(names, ids[i], name);
	}
	*out = names;
	return rc;
}

/* ---- tasks (periodic schedules) and the project update ---- */

/* GET /tasks?project_id=&page=&page_size= answers a bare array, ordered by
 * name, id, and says in its link header whether a next page comes
 * (public-api/v1alpha/lib/pipelines_api/pipelines/common.ex, scrivener_headers).
 * The client does not expose that header, so pages are read until one comes
 * back short: one request more than the header would need at most. */
int cf_sem_task_lists(cJSON **outs, cf_http_client *c, const char *const *project_ids, size_t n, cf_error *err)
{
	char **bases = cf_xcalloc(n + 1, sizeof(*bases));
	for (size_t i = 0; i < n; i++) {
		char *e = cf_http_escape(project_ids[i]);
		bases[i] = cf_xasprintf("/tasks?project_id=%s", e);
		free(e);
	}
	const cf_sem_pager pg = {.by_number = true, .page_size = 100, .max_pages = 1000, .key = NULL, .shape = NULL};
	int rc = cf_sem_list_many(outs, c, &pg, (const char *const *)bases, n, err);
	for (size_t i = 0; i < n; i++)
		free(bases[i]);
	free(bases);
	return rc;
}

int cf_sem_task_list(cJSON **out, cf_http_client *c, const char *project_id, cf_error *err)
{
	return cf_sem_task_lists(out, c, &project_id, 1, err);
}

/* POST /tasks {"yml_definition"} answers the task's id as a JSON string
 * (public-api/v1alpha/lib/pipelines_api/periodic_scheduler_client/
 * response_formatter.ex). Not idempotent: without metadata.id it inserts. */
int cf_sem_task_apply(char **id, cf_http_client *c, const char *yml, cf_error *err)
{
	*id = NULL;
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "yml_definition", yml);
	char *text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	cJSON *out = NULL;
	/* Safe to send again: with metadata.id it is an upsert of that task;
	 * without, a second insert meets its own name ("Periodic with name 'X'
	 * already exists": periodic_scheduler apply_impl.ex), which the caller
	 * takes as the lost answer of the first (task.c create). */
	int rc = cf_http_request(&out, c, "POST", CF_HTTP_IDEMPOTENT, text, "/tasks", err);
	free(text);
	if (rc == CF_OK && !cJSON_IsString(out))
		rc = cf_error_set(err, CF_EAPI, "POST /tasks: the answer has an unexpected shape (not the task's id)");
	if (rc == CF_OK)
		*id = cf_xstrdup(out->valuestring);
	cJSON_Delete(out);
	return rc;
}

/* DELETE /tasks/ID: an id the server no longer knows is 400 "Periodic with
 * id: 'ID' not found." (periodic_scheduler/scheduler/lib/scheduler/actions/
 * get_project_id_impl.ex): deleted already. A 404 is the authorisation
 * failure (public-api/v1alpha/lib/pipelines_api/schedules/authorize.ex). */
int cf_sem_task_delete(cf_http_client *c, const char *id, cf_error *err)
{
	char *e = cf_http_escape(id);
	char *path = cf_xasprintf("/tasks/%s", e);
	cJSON *out = NULL;
	int rc = cf_http_request(&out, c, "DELETE", CF_HTTP_IDEMPOTENT, NULL, path, err);
	cJSON_Delete(out);
	if (rc == CF_EAPI && err->message && strstr(err->message, "HTTP 400") && strstr(err->message, "not found")) {
		cf_error_clear(err);
		rc = CF_OK;
	}
	free(path);
	free(e);
	return rc;
}

/* PATCH /projects/UUID replaces the whole project, its tasks included
 * (projecthub-rest-api/lib/projecthub/http_api.ex update): sending the same
 * body twice is that body once. */
int cf_sem_project_update(cJSON **out, cf_http_client *c, const char *id, const cJSON *body, cf_error *err)
{
	char *e = cf_http_escape(id);
	char *path = cf_xasprintf("/projects/%s", e);
	char *text = cJSON_PrintUnformatted(body);
	int rc = cf_http_request(out, c, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	free(text);
	free(path);
	free(e);
	return rc;
}

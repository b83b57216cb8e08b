/*
 * refresh: the live state a plan needs, in as few requests as the API allows.
 * Projects are resolved from one paged listing (not one call each), roles
 * are read once, and then each kind reads its own resources in parallel
 * batches. A project a manifest names but the organisation lacks is a spec
 * problem, reported at the manifest.
 */
#include "reconciler/semaphore/refresh.h"
#include "reconciler/diff.h"
#include "reconciler/semaphore/api.h"

#include <stdlib.h>
#include <string.h>

static bool any(const cf_resource_set *set, bool (*pred)(const cf_resource *r))
{
	for (size_t i = 0; i < set->count; i++)
		if (pred(&set->items[i]))
			return true;
	return false;
}

static bool has_project(const cf_resource *r)
{
	return r->project != NULL;
}

static bool is_target(const cf_resource *r)
{
	return r->kind == &cf_sem_target_kind;
}

static int resolve_projects(cf_live *live, const cf_resource_set *set, cf_sem_client *c,
			    cf_diags *diags, cf_error *err)
{
	cJSON *all = NULL;
	int rc = cf_sem_project_list(&all, c, err);
	if (rc != CF_OK)
		return rc;
	size_t before = diags->count;
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (!r->project || cJSON_HasObjectItem(live->projects, r->project))
			continue;
		const cJSON *p, *hit = NULL;
		cJSON_ArrayForEach(p, all) {
			const char *v = cJSON_GetStringValue(cf_json_path(p, r->project_is_id ? "metadata.id" : "metadata.name"));
			if (v && !strcmp(v, r->project))
				hit = p;
		}
		if (!hit) {
			const char *key = r->project_is_id ? "metadata.project_id" : "metadata.project";
			cf_resource_diag(diags, r, key, "%s: project '%s' does not exist in the organisation",
					 key, r->project);
			continue;
		}
		cJSON *ref = cJSON_AddObjectToObject(live->projects, r->project);
		cJSON_AddStringToObject(ref, "id", cJSON_GetStringValue(cf_json_path(hit, "metadata.id")));
		cJSON_AddStringToObject(ref, "name", cJSON_GetStringValue(cf_json_path(hit, "metadata.name")));
	}
	cJSON_Delete(all);
	return diags->count > before ? CF_EINVALID : CF_OK;
}

int cf_sem_refresh(cf_live **out, const cf_resource_set *set, cf_sem_client *c, cf_diags *diags,
		   cf_error *err)
{
	cf_live *live = cf_xcalloc(1, sizeof(*live));
	live->projects = cJSON_CreateObject();
	int rc = CF_OK;
	if (any(set, has_project))
		rc = resolve_projects(live, set, c, diags, err);
	if (rc == CF_OK && any(set, is_target))
		rc = cf_sem_roles_list(&live->roles, c, err);
	for (size_t k = 0; cf_kinds[k] && rc == CF_OK; k++) {
		bool used = false;
		for (size_t i = 0; i < set->count && !used; i++)
			used = set->items[i].kind == cf_kinds[k];
		if (used)
			rc = cf_kinds[k]->read_live(live, set, c, err);
	}
	if (rc != CF_OK) {
		cf_live_free(live);
		live = NULL;
	}
	*out = live;
	return rc;
}

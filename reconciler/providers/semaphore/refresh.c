/*
 * refresh: the live state a plan needs, in as few requests as the API allows.
 * Projects are resolved from one paged listing (not one call each), then
 * each kind reads its own resources in parallel batches. A project a manifest names but the organisation lacks is a spec
 * problem, reported at the manifest.
 */
#include "reconciler/providers/semaphore/refresh.h"
#include "reconciler/diff.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/strmap.h"

#include <stdlib.h>
#include <string.h>

static bool any(const cf_resource_set *set, bool (*pred)(const cf_resource *r))
{
	for (size_t i = 0; i < set->count; i++)
		if (pred(&set->items[i]))
			return true;
	return false;
}

/* A manifest of one of Semaphore's kinds (a set may hold other vendors'). */
static bool ours(const cf_resource *r)
{
	return cf_provider_of(r->kind) == &cf_semaphore_provider;
}

static bool has_project(const cf_resource *r)
{
	return r->project != NULL && ours(r);
}

/* A project written by name in one manifest and by UUID in another is one
 * project: two manifests of one kind that name the same resource that way
 * are duplicates, reported at both places (not planned as two creates). */
static int same_resource_twice(const cf_live *live, const cf_resource_set *set, cf_diags *diags)
{
	size_t before = diags->count;
	cf_strmap *seen = cf_strmap_new();
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *b = &set->items[i];
		const char *pid = has_project(b) ? cf_live_project_id(live, b->project) : NULL;
		if (!pid)
			continue;
		char *key = cf_xasprintf("%s %s %s", b->kind->name, pid, b->name ? b->name : "");
		const cf_resource *a = cf_strmap_get(seen, key);
		if (a)
			cf_diags_add(diags, b->file, b->line, b->column, "%s is the same resource as %s (%s:%d:%d): "
				     "project '%s' and '%s' are one project", b->address, a->address, a->file, a->line,
				     a->column, b->project, a->project);
		else
			cf_strmap_put(seen, key, (void *)b);
		free(key);
	}
	cf_strmap_free(seen);
	return diags->count > before ? CF_EINVALID : CF_OK;
}

static int resolve_projects(cf_live *live, const cf_resource_set *set, cf_http_client *c,
			    cf_diags *diags, cf_error *err)
{
	cJSON *all = NULL;
	int rc = cf_sem_project_list(&all, c, err);
	if (rc != CF_OK)
		return rc;
	cf_strmap *by_name = cf_strmap_new(), *by_id = cf_strmap_new();
	const cJSON *p;
	cJSON_ArrayForEach(p, all) {
		const char *name = cJSON_GetStringValue(cf_json_path(p, "metadata.name"));
		const char *id = cJSON_GetStringValue(cf_json_path(p, "metadata.id"));
		if (name && id) {
			cf_strmap_put(by_name, name, (void *)p);
			cf_strmap_put(by_id, id, (void *)p);
		}
	}
	size_t before = diags->count;
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (!has_project(r) || cf_live_project_id(live, r->project))
			continue;
		const cJSON *hit = cf_strmap_get(r->project_is_id ? by_id : by_name, r->project);
		if (!hit) {
			const char *key = cf_json_path(r->doc, "metadata.project_id_or_name") ? "metadata.project_id_or_name"
			  : r->project_is_id ? "metadata.project_id" : "metadata.project";
			cf_resource_diag(diags, r, key, "%s: project '%s' does not exist in the organisation",
					 key, r->project);
			continue;
		}
		cf_live_add_project(live, r->project, cJSON_GetStringValue(cf_json_path(hit, "metadata.id")),
				    cJSON_GetStringValue(cf_json_path(hit, "metadata.name")));
	}
	cf_strmap_free(by_name);
	cf_strmap_free(by_id);
	cJSON_Delete(all);
	return diags->count > before ? CF_EINVALID : CF_OK;
}

int cf_sem_refresh(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_http_client *c = cf_sem_of(conn);
	int rc = CF_OK;
	if (any(set, has_project))
		rc = resolve_projects(live, set, c, diags, err);
	if (rc == CF_OK)
		rc = same_resource_twice(live, set, diags);
	const cf_kind *const *kinds = cf_semaphore_provider.kinds;
	for (size_t k = 0; kinds[k] && rc == CF_OK; k++) {
		bool used = false;
		for (size_t i = 0; i < set->count && !used; i++)
			used = set->items[i].kind == kinds[k];
		if (used)
			rc = kinds[k]->read_live(live, set, conn, diags, err);
	}
	return rc;
}

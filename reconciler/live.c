/*
 * live: the container for live state; filling it is the vendor's job.
 */
#include "reconciler/live.h"
#include "reconciler/diff.h"
#include "reconciler/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The set's addresses, and (once projects are resolved) its resources by
 * kind, project UUID and name: built once per set. */
static void index_set(cf_live *live, const cf_resource_set *set)
{
	if (live->set == set && live->spec_address)
		return;
	cf_strmap_free(live->spec_address);
	cf_strmap_free(live->spec_key);
	live->set = set;
	live->spec_address = cf_strmap_new();
	live->spec_key = cf_strmap_new();
	for (size_t i = 0; set && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (!cf_strmap_get(live->spec_address, r->address))
			cf_strmap_put(live->spec_address, r->address, (void *)r);
		const char *pid = r->project ? cf_live_project_id(live, r->project) : NULL;
		if (pid) {
			char *key = cf_xasprintf("%s %s %s", r->kind->name, pid, r->name ? r->name : "");
			if (!cf_strmap_get(live->spec_key, key))
				cf_strmap_put(live->spec_key, key, (void *)r);
			free(key);
		}
	}
}

cf_live_item *cf_live_add(cf_live *live, const cf_resource_set *set, const cf_kind *kind,
			  const char *address, const char *id, const char *project_id,
			  const char *name, cJSON *api)
{
	live->items = cf_xrealloc(live->items, (live->count + 1) * sizeof(*live->items));
	cf_live_item *it = &live->items[live->count++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->address = cf_xstrdup(address);
	it->id = id ? cf_xstrdup(id) : NULL;
	it->project_id = project_id ? cf_xstrdup(project_id) : NULL;
	it->name = name ? cf_xstrdup(name) : NULL;
	cf_live_set_api(it, api);
	if (set) {
		index_set(live, set);
		it->res = cf_strmap_get(live->spec_address, address);
	}
	if (!live->by_address)
		live->by_address = cf_strmap_new();
	if (!cf_strmap_get(live->by_address, address)) /* the first of two twins is the one found */
		cf_strmap_put(live->by_address, address, (void *)(uintptr_t)live->count);
	return it;
}

cJSON *cf_live_api(const cf_live_item *it)
{
	return it && it->api_json ? cJSON_Parse(it->api_json) : NULL;
}

void cf_live_set_api(cf_live_item *it, cJSON *api)
{
	free(it->api_json);
	it->api_json = api ? cJSON_PrintUnformatted(api) : NULL;
	cJSON_Delete(api);
}

cf_live_item *cf_live_find(const cf_live *live, const char *address)
{
	uintptr_t at = live->by_address ? (uintptr_t)cf_strmap_get(live->by_address, address) : 0;
	return at ? &live->items[at - 1] : NULL;
}

const char *cf_live_spec_address(cf_live *live, const cf_resource_set *set, const cf_kind *kind,
				 const char *project_id, const char *name)
{
	index_set(live, set);
	char *key = cf_xasprintf("%s %s %s", kind->name, project_id, name ? name : "");
	const cf_resource *r = cf_strmap_get(live->spec_key, key);
	free(key);
	return r ? r->address : NULL;
}

typedef struct project_ref {
	char *id, *name;
} project_ref;

void cf_live_add_project(cf_live *live, const char *ref, const char *id, const char *name)
{
	if (!live->projects)
		live->projects = cf_strmap_new();
	project_ref *p = cf_xcalloc(1, sizeof(*p));
	p->id = cf_xstrdup(id ? id : "");
	p->name = cf_xstrdup(name ? name : "");
	live->nprojects_owned = live->nprojects_owned + 1;
	live->projects_owned = cf_xrealloc(live->projects_owned, live->nprojects_owned * sizeof(void *));
	live->projects_owned[live->nprojects_owned - 1] = p;
	cf_strmap_put(live->projects, ref, p);
}

const char *cf_live_project_id(const cf_live *live, const char *ref)
{
	const project_ref *p = live->projects && ref ? cf_strmap_get(live->projects, ref) : NULL;
	return p ? p->id : NULL;
}

const char *cf_live_project_name(const cf_live *live, const char *ref)
{
	const project_ref *p = live->projects && ref ? cf_strmap_get(live->projects, ref) : NULL;
	return p ? p->name : NULL;
}

void cf_live_free(cf_live *live)
{
	if (!live)
		return;
	for (size_t i = 0; i < live->count; i++) {
		cf_live_item *it = &live->items[i];
		free(it->address);
		free(it->id);
		free(it->project_id);
		free(it->name);
		free(it->api_json);
	}
	free(live->items);
	cf_strmap_free(live->by_address);
	cf_strmap_free(live->spec_address);
	cf_strmap_free(live->spec_key);
	cJSON_Delete(live->roles);
	for (size_t i = 0; i < live->nprojects_owned; i++) {
		project_ref *p = live->projects_owned[i];
		free(p->id);
		free(p->name);
		free(p);
	}
	free(live->projects_owned);
	cf_strmap_free(live->projects);
	free(live);
}

static bool kept(const char *key, const cf_diff_field *diff, const char *const *extra)
{
	for (const char *const *e = extra; e && *e; e++)
		if (!strcmp(*e, key))
			return true;
	size_t kl = strlen(key);
	for (const cf_diff_field *f = diff; f && f->name; f++)
		if (!strncmp(f->live, key, kl) && (f->live[kl] == '\0' || f->live[kl] == '.'))
			return true;
	return false;
}

void cf_live_trim(cJSON *api, const cf_diff_field *diff, const char *const *extra)
{
	if (!cJSON_IsObject(api))
		return;
	for (cJSON *k = api->child, *next; k; k = next) {
		next = k->next;
		if (!k->string || !kept(k->string, diff, extra))
			cJSON_Delete(cJSON_DetachItemViaPointer(api, k));
	}
}

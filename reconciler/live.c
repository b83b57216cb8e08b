/*
 * live: the container for live state; filling it is the vendor's job.
 */
#include "reconciler/live.h"

#include <stdlib.h>
#include <string.h>

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
	it->api = api;
	for (size_t i = 0; set && i < set->count; i++)
		if (!strcmp(set->items[i].address, address))
			it->res = &set->items[i];
	return it;
}

cf_live_item *cf_live_find(const cf_live *live, const char *address)
{
	for (size_t i = 0; i < live->count; i++)
		if (!strcmp(live->items[i].address, address))
			return &live->items[i];
	return NULL;
}

static const char *project_field(const cf_live *live, const char *ref, const char *field)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(live->projects, ref);
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, field));
}

const char *cf_live_project_id(const cf_live *live, const char *ref)
{
	return project_field(live, ref, "id");
}

const char *cf_live_project_name(const cf_live *live, const char *ref)
{
	return project_field(live, ref, "name");
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
		cJSON_Delete(it->api);
	}
	free(live->items);
	cJSON_Delete(live->roles);
	cJSON_Delete(live->projects);
	free(live);
}

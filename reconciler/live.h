/*
 * live: what the organisation holds, as read for one plan.
 *
 * Each item is one live resource under the address the specs would give it,
 * with the API's own object; an item no manifest names is unmanaged. The
 * vendor's refresh fills it in (see semaphore/refresh.c); diff and plan only
 * read it.
 */
#ifndef CF_LIVE_H
#define CF_LIVE_H

#include <cjson/cJSON.h>
#include "reconciler/manifest.h"

typedef struct cf_live_item {
	const cf_kind *kind;
	char *address;
	char *id;         /* how the API addresses it: target UUID, agent type name, project UUID */
	char *project_id; /* NULL for kinds without a project */
	char *name;
	cJSON *api;       /* the API's object (targets: with secret MD5s when managed) */
	const cf_resource *res; /* the manifest naming it, or NULL: unmanaged */
} cf_live_item;

typedef struct cf_live {
	cf_live_item *items;
	size_t count;
	cJSON *roles;    /* [{"id","name",...}], or NULL when no spec needs them */
	cJSON *projects; /* project reference as written -> {"id","name"} */
} cf_live;

/* Adds an item (api is taken over); res is looked up by address in set. */
cf_live_item *cf_live_add(cf_live *live, const cf_resource_set *set, const cf_kind *kind,
			  const char *address, const char *id, const char *project_id,
			  const char *name, cJSON *api);
cf_live_item *cf_live_find(const cf_live *live, const char *address);
/* The project UUID and name for a reference as written in a manifest. */
const char *cf_live_project_id(const cf_live *live, const char *ref);
const char *cf_live_project_name(const cf_live *live, const char *ref);
void cf_live_free(cf_live *live);

#endif

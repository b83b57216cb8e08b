/*
 * live: what the organisation holds, as read for one plan.
 *
 * Each item is one live resource under the address the specs would give it,
 * with the API's own object; an item no manifest names is unmanaged. The
 * provider's read_live fills it in (provider.h); diff and plan only
 * read it.
 */
#ifndef CF_LIVE_H
#define CF_LIVE_H

#include <cjson/cJSON.h>
#include "reconciler/manifest.h"

struct cf_strmap;
struct cf_diff_field;

typedef struct cf_live_item {
	const cf_kind *kind;
	char *address;
	char *id;         /* how the API addresses it: target UUID, agent type name, project UUID */
	char *project_id; /* NULL for kinds without a project */
	char *name;
	/* The API's object (targets: with secret MD5s when managed), kept as
	 * compact JSON text: a third of the memory of a parsed one, for a plan
	 * that holds 30,000 of them. cf_live_api parses it. */
	char *api_json;
	const cf_resource *res; /* the manifest naming it, or NULL: unmanaged */
} cf_live_item;

typedef struct cf_live {
	cf_live_item *items;
	size_t count;
	cJSON *roles;    /* {"role id": "name"} for the ROLE rules in play, or NULL */
	struct cf_strmap *projects; /* project reference as written -> {id, name} */
	/* indexes, built as items come (strmap.h) */
	struct cf_strmap *by_address;   /* address -> item index + 1 */
	struct cf_strmap *spec_address; /* the set's addresses -> resource */
	struct cf_strmap *spec_key;     /* "kind project-UUID name" -> resource */
	const cf_resource_set *set;     /* the set the spec indexes were built from */
	void **projects_owned;          /* the project references, for freeing */
	size_t nprojects_owned;
} cf_live;

/* Adds an item (api is taken over, kept as text); res is looked up by
 * address in set. */
cf_live_item *cf_live_add(cf_live *live, const cf_resource_set *set, const cf_kind *kind,
			  const char *address, const char *id, const char *project_id,
			  const char *name, cJSON *api);
cf_live_item *cf_live_find(const cf_live *live, const char *address);
/* The item's API object, parsed anew: the caller frees it. */
cJSON *cf_live_api(const cf_live_item *it);
/* Replaces the item's API object (taken over). */
void cf_live_set_api(cf_live_item *it, cJSON *api);
/* The address the specs give a live resource of kind in the project with
 * that UUID (written by name or by UUID, either way), or NULL. */
const char *cf_live_spec_address(cf_live *live, const cf_resource_set *set, const cf_kind *kind,
				 const char *project_id, const char *name);
/* Records what a project reference as written in a manifest names. */
void cf_live_add_project(cf_live *live, const char *ref, const char *id, const char *name);
/* The project UUID and name for a reference as written in a manifest. */
const char *cf_live_project_id(const cf_live *live, const char *ref);
const char *cf_live_project_name(const cf_live *live, const char *ref);
void cf_live_free(cf_live *live);

/* Drops the keys of an API object that nothing reads: only the first
 * segments of the diff table's live paths and the extra keys stay (a plan of
 * 30,000 resources should not keep every timestamp the API sends). */
void cf_live_trim(cJSON *api, const struct cf_diff_field *diff, const char *const *extra);

#endif

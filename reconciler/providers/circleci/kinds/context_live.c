/*
 * context_live: reading and writing contexts (context.h).
 *
 * Contexts are listed by owner-id (owner-slug is not supported on Server:
 * circleci.com/docs/api/v2); every context of an organisation with a Context
 * manifest is in scope. No request carries an idempotency key, so a create
 * first looks the context up by name (names are unique per organisation), a
 * POST whose answer was lost is never sent again blindly (re-listed, adopted
 * if there), and restrictions are written before variables: no secret ever
 * sits in a new context that every project may use.
 */
#include "reconciler/providers/circleci/kinds/context.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

int cf_cci_context_list(cJSON **out, cf_conn *c, const char *org_id, cf_error *err)
{
	char *e = cf_http_escape(org_id), *path = cf_xasprintf("/context?owner-id=%s&owner-type=organization", e);
	int rc = cf_cci_list(out, c, path, err);
	free(path);
	free(e);
	return rc;
}

int cf_cci_context_restrictions(cJSON **out, cf_conn *c, const char *id, cf_error *err)
{
	/* {items}, all of them, no page token (LABS ic/items.go) */
	char *e = cf_http_escape(id), *path = cf_xasprintf("/context/%s/restrictions", e);
	int rc = cf_cci_list(out, c, path, err);
	free(path);
	free(e);
	return rc;
}

int cf_cci_context_vars(cJSON **out, bool *truncated, cf_conn *c, const char *id, cf_error *err)
{
	/* at most 100 by name; a non-null next_page_token says more exist, but
	 * nothing fetches them (LABS ic/environment_variable.go): not followed */
	char *e = cf_http_escape(id), *path = cf_xasprintf("/context/%s/environment-variable", e);
	cJSON *answer = cf_cci_prefetched(c, path); /* read_org reads them ahead */
	int rc = answer ? CF_OK : cf_http_request(&answer, cf_cci_http(c), "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(answer, "items");
	if (rc == CF_OK && !cJSON_IsArray(items))
		rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no items list)", path);
	const char *next = str(answer, "next_page_token");
	*truncated = next && *next;
	*out = rc == CF_OK ? items : NULL;
	if (rc != CF_OK)
		cJSON_Delete(items);
	cJSON_Delete(answer);
	free(path);
	free(e);
	return rc;
}

/* ---- reading ---- */

static const cf_resource *manifest_for(const cf_resource_set *set, const char *org, const char *name)
{
	char *want = cf_cci_slug_normalize(org);
	const cf_resource *found = NULL;
	for (size_t i = 0; set && i < set->count && !found; i++) {
		const cf_resource *r = &set->items[i];
		char *o = r->kind == &cf_cci_context_kind
				  ? cf_cci_slug_normalize(cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization")))
				  : NULL;
		if (o && !strcasecmp(o, want) && !strcmp(r->name, name))
			found = r;
		free(o);
	}
	free(want);
	return found;
}

/* The slugs the spec's project restrictions name, resolved; live project
 * restrictions then carry project_slug for the diff. Unknown slugs are
 * problems of the spec. */
static int resolve_restriction_projects(cJSON *live_rs, const cf_resource *r, cf_conn *c, cf_diags *diags,
					cf_error *err)
{
	int rc = CF_OK, i = -1;
	const cJSON *x;
	cJSON_ArrayForEach(x, cf_json_path(r->doc, "spec.restrictions")) {
		i++;
		const char *slug = str(x, "project");
		const cJSON *p = NULL;
		if (!slug)
			continue;
		int got = cf_cci_project(&p, c, slug, err);
		if (got == CF_ENOTFOUND) {
			char at[64];
			snprintf(at, sizeof(at), "spec.restrictions[%d].project", i);
			cf_resource_diag(diags, r, at, "%s: no project %s (GET /project/%s answered 404)", at, slug, slug);
			cf_error_clear(err);
			rc = CF_EINVALID;
			continue;
		} else if (got != CF_OK) {
			return got;
		}
		cJSON *lr;
		cJSON_ArrayForEach(lr, live_rs)
			if (str(lr, "restriction_value") && !strcasecmp(str(lr, "restriction_value"), str(p, "id")))
				cJSON_AddStringToObject(lr, "project_slug", slug);
	}
	return rc;
}

static const cJSON *desired_var(const cf_resource *r, const char *name)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cf_json_path(r->doc, "spec.envVars"))
		if (str(e, "name") && !strcmp(str(e, "name"), name))
			return e;
	return NULL;
}

/* A truncated list (more than 100 variables: LABS
 * internal/circleci/environment_variable.go ContextEnvVarsTruncatedError):
 * the spec's variables it does not show, for the plan's note. Not seeing one
 * is no evidence it is missing, so none of the context's variables is
 * pruned (read_managed) and these are written by an upsert. */
static void add_unseen(cJSON *api, const cf_resource *r, const cJSON *vars)
{
	cJSON *unseen = cJSON_AddArrayToObject(api, "unseen");
	const cJSON *e, *v;
	cJSON_ArrayForEach(e, cf_json_path(r->doc, "spec.envVars")) {
		const char *name = str(e, "name");
		bool seen = false;
		cJSON_ArrayForEach(v, vars)
			seen = seen || (name && str(v, "variable") && !strcmp(str(v, "variable"), name));
		if (name && !seen)
			cJSON_AddItemToArray(unseen, cJSON_CreateString(name));
	}
}

/* A managed context: its restrictions, and the variables the spec lists
 * (compared by tail); the others become items of their own, unmanaged. */
static int read_managed(cf_live *live, const cf_resource_set *set, const cf_resource *r, cJSON *api, cf_conn *c,
			cf_diags *diags, cf_error *err)
{
	const char *id = str(api, "id");
	cJSON *rs = NULL, *vars = NULL;
	bool truncated = false;
	int rc = cf_cci_context_restrictions(&rs, c, id, err);
	if (rc == CF_OK)
		rc = cf_cci_context_vars(&vars, &truncated, c, id, err);
	if (rc == CF_OK)
		rc = resolve_restriction_projects(rs, r, c, diags, err);
	if (rc != CF_OK && rc != CF_EINVALID) {
		cJSON_Delete(rs);
		cJSON_Delete(vars);
		return rc;
	}
	cJSON_AddItemToObject(api, "restrictions", rs);
	cJSON *mine = cJSON_AddArrayToObject(api, "envVars");
	cJSON *unverified = cJSON_AddArrayToObject(api, "unverified");
	cJSON_AddBoolToObject(api, "truncated", truncated);
	const cJSON *v;
	cJSON_ArrayForEach(v, vars) {
		const char *name = str(v, "variable");
		const cJSON *want = name ? desired_var(r, name) : NULL;
		if (name && want) {
			bool unv = false;
			char *cmp = cf_cci_live_cmp(want, str(v, "truncated_value"), cf_cci_of(c)->rewrite_write_only, &unv);
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", name);
			cJSON_AddStringToObject(e, "cmp", cmp);
			cJSON_AddItemToArray(mine, e);
			if (unv)
				cJSON_AddItemToArray(unverified, cJSON_CreateString(name));
			free(cmp);
		} else if (name && !truncated) { /* a truncated list is never pruned */
			char *addr = cf_xasprintf("%s#%s", r->address, name);
			cJSON *one = cJSON_CreateObject();
			cJSON_AddStringToObject(one, "context_id", id);
			cJSON_AddStringToObject(one, "variable", name);
			cf_live_add(live, set, &cf_cci_context_kind, addr, id, NULL, name, one);
			free(addr);
		}
	}
	if (truncated) /* the spec's variables the list did not show: written as new (a PUT upserts) */
		add_unseen(api, r, vars);
	cJSON_Delete(vars);
	return rc;
}

/* The restrictions and variables of every managed context of the list, in
 * one batch ahead of read_managed's reads (client.h cf_cci_prefetch). */
static void read_ahead(const cf_resource_set *set, const char *org, const cJSON *list, cf_conn *c)
{
	char **paths = NULL;
	size_t n = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, list) {
		const cf_resource *r = str(x, "name") && str(x, "id") ? manifest_for(set, org, str(x, "name")) : NULL;
		if (!r || r->absent)
			continue;
		char *e = cf_http_escape(str(x, "id"));
		paths = cf_xrealloc(paths, (n + 2) * sizeof(*paths));
		paths[n++] = cf_xasprintf("/context/%s/restrictions", e);
		paths[n++] = cf_xasprintf("/context/%s/environment-variable", e);
		free(e);
	}
	cf_cci_prefetch(c, paths, n);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static int read_org(cf_live *live, const cf_resource_set *set, const char *org, cf_conn *c, cf_diags *diags,
		    cf_error *err)
{
	const char *org_id = NULL;
	cJSON *list = NULL;
	char *norm = cf_cci_slug_normalize(org); /* as the addresses write it */
	int rc = cf_cci_org_id(&org_id, c, org, err);
	if (rc == CF_OK)
		rc = cf_cci_context_list(&list, c, org_id, err);
	read_ahead(set, org, list, c);
	int problems = CF_OK;
	for (cJSON *x = rc == CF_OK ? list->child : NULL, *next; x; x = next) {
		next = x->next;
		const char *name = str(x, "name"), *id = str(x, "id");
		if (!name || !id)
			continue;
		const cf_resource *r = manifest_for(set, org, name);
		/* the manifest's address, or one made the same way (ORG normalised) */
		char *addr = r ? cf_xstrdup(r->address) : cf_xasprintf("Context/%s/%s", norm, name);
		cJSON *api = cJSON_DetachItemViaPointer(list, x);
		cJSON_AddStringToObject(api, "organization_id", org_id);
		if (r && !r->absent)
			rc = read_managed(live, set, r, api, c, diags, err);
		if (rc == CF_EINVALID) {
			problems = CF_EINVALID;
			rc = CF_OK;
		}
		char *idc = cf_xstrdup(id), *namec = cf_xstrdup(name);
		if (rc == CF_OK)
			cf_live_add(live, set, &cf_cci_context_kind, addr, idc, NULL, namec, api);
		else
			cJSON_Delete(api);
		free(idc);
		free(namec);
		free(addr);
		if (rc != CF_OK)
			break;
	}
	cJSON_Delete(list);
	free(norm);
	return rc == CF_OK ? problems : rc;
}

int cf_cci_context_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	cJSON *seen = cJSON_CreateObject();
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_context_kind)
			continue;
		const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
		char *norm = cf_cci_slug_normalize(org);
		if (!cJSON_HasObjectItem(seen, norm)) {
			cJSON_AddTrueToObject(seen, norm);
			rc = read_org(live, set, org, c, diags, err);
			if (rc == CF_ENOTFOUND) { /* an organisation the token cannot see: the spec's problem */
				cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: %s", err->message);
				cf_error_clear(err);
				rc = CF_OK;
				problems = CF_EINVALID;
			}
			if (rc == CF_EINVALID) {
				problems = CF_EINVALID;
				rc = CF_OK;
			}
		}
		free(norm);
	}
	cJSON_Delete(seen);
	return rc == CF_OK ? problems : rc;
}

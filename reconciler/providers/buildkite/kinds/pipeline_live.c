/*
 * pipeline_live: how a plan reads the live pipelines, and the problems
 * only the live state shows.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/pipelines.md):
 * - each managed pipeline is read with GET /pipelines/SLUG (404: absent),
 *   and, for metadata.renamed_from, each old slug too: a pipeline whose
 *   slug is not live but an old one is, is that one, and the plan shows
 *   `metadata.slug: OLD -> NEW` (apply PATCHes the old slug). Both live is
 *   a plan error: ciform will not guess which to keep;
 * - names are unique in an organization (docs "Create a YAML pipeline": a
 *   duplicate name is an error), so a create or a name change to a name
 *   another live pipeline holds is a plan error at spec.name, found in
 *   GET /pipelines, read only when some manifest needs it. A pipeline this
 *   run renames away counts too: the PATCHes of one phase run in parallel,
 *   so no order between them is safe;
 * - teams: pipeline_teams.c, read only when a manifest gives `teams`
 *   (the scope read_teams checked first);
 * - the prune scope: the other pipelines of clusters that have a present
 *   Cluster manifest (docs/buildkite.md), from the same list.
 */
#include "reconciler/providers/buildkite/kinds/pipeline.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static const char *cluster_ref(const cf_resource *r)
{
	return cJSON_GetStringValue(cf_json_path(r->doc, "spec.cluster"));
}

/* Every manifest's cluster name must name a live cluster, and an
 * organization written in a manifest must be this one (docs/buildkite.md). */
static void check_refs(cf_bk_conn *c, const cf_resource_set *set, const cJSON *clusters, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_bk_pipeline_kind)
			continue;
		const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
		if (org && strcmp(org, c->cfg.org) != 0)
			cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run "
					 "is connected to organization '%s'", org, c->cfg.org);
		const char *ref = r->absent ? NULL : cluster_ref(r);
		if (ref && !cf_bk_cluster_id(clusters, ref) && !cf_bk_cluster_declared(set, ref))
			cf_resource_diag(diags, r, "spec.cluster", "spec.cluster: the organization has no cluster '%s'",
					 ref);
	}
}

/* Adds the live pipeline p (taken over) under address (NULL: its own
 * slug's), with the cluster's name beside its id, `active` for the
 * archive state and, when the plan reads teams, its teams. */
static void add_live(cf_live *live, const cf_resource_set *set, cJSON *p, const cJSON *clusters,
		     const char *address, const cJSON *team_map)
{
	const char *cid = str(p, "cluster_id");
	const char *cname = *cid ? cf_bk_cluster_name(clusters, cid) : NULL;
	cname = cname ? cf_bk_cluster_alias(set, cname) : NULL; /* a cluster renamed in this run */
	cJSON_DeleteItemFromObjectCaseSensitive(p, "cluster");
	cJSON_AddItemToObject(p, "cluster", cname ? cJSON_CreateString(cname) : cJSON_CreateNull());
	cJSON_AddBoolToObject(p, "active", !cf_bk_set(p, "archived_at"));
	if (team_map) {
		const cJSON *teams = cJSON_GetObjectItemCaseSensitive(team_map, str(p, "id"));
		cJSON_DeleteItemFromObjectCaseSensitive(p, "teams");
		cJSON_AddItemToObject(p, "teams", teams ? cJSON_Duplicate(teams, 1) : cJSON_CreateObject());
	}
	char *slug = cf_xstrdup(str(p, "slug"));
	char *addr = address ? cf_xstrdup(address) : cf_xasprintf("Pipeline/%s", slug);
	cf_live_add(live, set, &cf_bk_pipeline_kind, addr, slug, NULL, slug, p);
	free(addr);
	free(slug);
}

/* Whether a present Cluster manifest is about the live cluster id. */
static bool managed_cluster(const cf_live *live, const cf_resource_set *set, const char *id)
{
	for (size_t i = 0; *id && i < set->count; i++) {
		const cf_live_item *li = set->items[i].kind == &cf_bk_cluster_kind && !set->items[i].absent ?
			cf_live_find(live, set->items[i].address) : NULL;
		if (li && li->id && !strcmp(li->id, id))
			return true;
	}
	return false;
}

/* Whether a Pipeline manifest is about the slug: its own, or an old one. */
static bool has_manifest(const cf_resource_set *set, const char *slug)
{
	for (size_t i = 0; i < set->count; i++) {
		const cJSON *o;
		if (set->items[i].kind != &cf_bk_pipeline_kind)
			continue;
		if (!strcmp(set->items[i].name, slug))
			return true;
		cJSON_ArrayForEach(o, cf_json_path(set->items[i].doc, "metadata.renamed_from"))
			if (!strcmp(o->valuestring, slug))
				return true;
	}
	return false;
}

const cJSON *cf_bk_pipeline_renamed_from(const cf_resource_set *set, const char *slug)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (set->items[i].kind == &cf_bk_pipeline_kind && !set->items[i].absent && !strcmp(set->items[i].name, slug))
			return cf_json_path(set->items[i].doc, "metadata.renamed_from");
	return NULL;
}

static bool any_managed_cluster(const cf_live *live, const cf_resource_set *set, const cJSON *clusters)
{
	const cJSON *cl;
	cJSON_ArrayForEach(cl, clusters)
		if (managed_cluster(live, set, str(cl, "id")))
			return true;
	return false;
}

/* The live name of the pipeline the manifest is about, or NULL. */
static char *live_name(const cf_live *live, const cf_resource *r, char **slug)
{
	const cf_live_item *li = cf_live_find(live, r->address);
	cJSON *api = li ? cf_live_api(li) : NULL;
	char *name = api ? cf_xstrdup(str(api, "name")) : NULL;
	*slug = li ? cf_xstrdup(li->name) : NULL;
	cJSON_Delete(api);
	return name;
}

/* Whether a present manifest creates a pipeline or gives it a new name. */
static bool names_change(const cf_live *live, const cf_resource_set *set)
{
	bool any = false;
	for (size_t i = 0; i < set->count && !any; i++) {
		const cf_resource *r = &set->items[i];
		const char *want = cJSON_GetStringValue(cf_json_path(r->doc, "spec.name"));
		if (r->kind != &cf_bk_pipeline_kind || r->absent || !want)
			continue;
		char *slug = NULL, *name = live_name(live, r, &slug);
		any = !name || strcmp(name, want) != 0;
		free(name);
		free(slug);
	}
	return any;
}

/* docs "Create a YAML pipeline": names are unique in the organization. */
static void check_names(const cf_live *live, const cf_resource_set *set, const cJSON *all, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *want = cJSON_GetStringValue(cf_json_path(r->doc, "spec.name"));
		if (r->kind != &cf_bk_pipeline_kind || r->absent || !want)
			continue;
		char *slug = NULL, *name = live_name(live, r, &slug);
		const cJSON *p;
		const cJSON *others = !name || strcmp(name, want) != 0 ? all : NULL;
		cJSON_ArrayForEach(p, others)
			if (!strcmp(str(p, "name"), want) && (!slug || strcmp(str(p, "slug"), slug) != 0)) {
				cf_resource_diag(diags, r, "spec.name", "spec.name: pipeline '%s' is already named '%s'; "
						 "names are unique in an organization", str(p, "slug"), want);
				break;
			}
		free(name);
		free(slug);
	}
}

/* The prune scope (docs/buildkite.md): the other pipelines of clusters that
 * have a present Cluster manifest, archived ones left out (a prune archives,
 * so they are pruned already). */
static void add_unmanaged(cf_live *live, const cf_resource_set *set, const cJSON *all, const cJSON *clusters)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, all)
		if (managed_cluster(live, set, str(p, "cluster_id")) && !cf_bk_set(p, "archived_at") &&
		    !has_manifest(set, str(p, "slug")) && cf_schema_matches(CF_BK_PIPELINE_SLUG, str(p, "slug")))
			add_live(live, set, cJSON_Duplicate(p, 1), clusters, NULL, NULL);
}

/* GET /pipelines/SLUG for each manifest's slug and old slugs, in one
 * batch; calls[k] answers slugs[k]. */
static size_t read_slugs(cf_http_call **calls, const char ***slugs, cf_bk_conn *c, const cf_resource_set *set)
{
	size_t n = 0, cap = 0;
	*calls = NULL;
	*slugs = NULL;
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_bk_pipeline_kind)
			continue;
		const cJSON *olds = cf_json_path(r->doc, "metadata.renamed_from"), *o = olds ? olds->child : NULL;
		for (const char *slug = r->name; slug; slug = o ? o->valuestring : NULL, o = o ? o->next : NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				*calls = cf_xrealloc(*calls, cap * sizeof(**calls));
				*slugs = cf_xrealloc(*slugs, cap * sizeof(**slugs));
			}
			char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s", e);
			cf_http_call_init(&(*calls)[n], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
			(*slugs)[n++] = slug;
			free(path);
			free(e);
		}
	}
	cf_error first = {0};
	cf_http_run(c->base.impl, *calls, n, &first);
	cf_error_clear(&first);
	return n;
}

static cJSON *answer_for(cf_http_call *calls, const char **slugs, size_t n, const char *slug)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(slugs[k], slug) && calls[k].rc == CF_OK && cJSON_IsObject(calls[k].json))
			return calls[k].json;
	return NULL;
}

/* Each manifest's live pipeline: by its slug, else by an old one. */
static void match_all(cf_live *live, const cf_resource_set *set, cf_http_call *calls, const char **slugs, size_t n,
		      const cJSON *clusters, const cJSON *team_map, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_bk_pipeline_kind)
			continue;
		cJSON *hit = answer_for(calls, slugs, n, r->name), *old = NULL;
		const cJSON *o;
		cJSON_ArrayForEach(o, cf_json_path(r->doc, "metadata.renamed_from")) {
			cJSON *h = answer_for(calls, slugs, n, o->valuestring);
			if (h && hit)
				cf_resource_diag(diags, r, "metadata.renamed_from", "metadata.renamed_from: pipelines '%s' "
						 "and '%s' are both live; delete or rename one first", r->name, o->valuestring);
			old = old ? old : h;
		}
		if (hit || old)
			add_live(live, set, cJSON_Duplicate(hit ? hit : old, 1), clusters, r->address, team_map);
	}
}

/* Teams, when a manifest gives them: the scope, the slugs, the map. */
static int read_teams(cJSON **team_map, cf_bk_conn *c, const cf_resource_set *set, cf_diags *diags, cf_error *err)
{
	static const char *const need[] = {"read_teams", NULL};
	const cJSON *teams = NULL;
	*team_map = NULL;
	if (!cf_bk_pipeline_wants_teams(set))
		return CF_OK;
	int rc = cf_bk_require_scopes(c, need, "reading pipeline teams", err);
	if (rc == CF_OK)
		rc = cf_bk_teams(&teams, c, err);
	if (rc == CF_OK)
		cf_bk_pipeline_check_teams(set, teams, diags);
	return rc == CF_OK ? cf_bk_pipeline_team_map(team_map, c, err) : rc;
}

int cf_bk_pipeline_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags,
			     cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cJSON *clusters = NULL;
	cJSON *team_map = NULL, *all = NULL;
	int rc = cf_bk_clusters(&clusters, c, err);
	if (rc != CF_OK)
		return rc;
	size_t before = diags->count;
	check_refs(c, set, clusters, diags);
	rc = read_teams(&team_map, c, set, diags, err);
	cf_http_call *calls = NULL;
	const char **slugs = NULL;
	size_t n = rc == CF_OK ? read_slugs(&calls, &slugs, c, set) : 0;
	for (size_t k = 0; k < n && rc == CF_OK; k++)
		if (calls[k].rc != CF_OK && calls[k].status != 404)
			rc = cf_error_set(err, calls[k].rc, "%s", calls[k].error ? calls[k].error : "GET of a pipeline failed");
	if (rc == CF_OK)
		match_all(live, set, calls, slugs, n, clusters, team_map, diags);
	for (size_t k = 0; k < n; k++)
		cf_http_call_clear(&calls[k]);
	free(calls);
	free(slugs);
	bool scope = rc == CF_OK && any_managed_cluster(live, set, clusters);
	if (rc == CF_OK && (scope || names_change(live, set))) {
		char *path = cf_bk_path(c, "/pipelines");
		rc = cf_bk_list(&all, c, path, err);
		free(path);
	}
	if (rc == CF_OK && all)
		check_names(live, set, all, diags);
	if (rc == CF_OK && scope)
		add_unmanaged(live, set, all, clusters);
	cJSON_Delete(all);
	cJSON_Delete(team_map);
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

/*
 * pipeline_api: the Pipeline kind against the REST API: what a plan
 * compares, how the live pipelines are read, how a change is carried out,
 * and export.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/pipelines.md, tf =
 * terraform-provider-buildkite buildkite/resource_pipeline.go):
 * - each managed pipeline is read with GET /pipelines/SLUG; 404 is "absent";
 * - create is POST /pipelines with name, repository, cluster_id,
 *   configuration, and the explicit slug, so the derived slug never applies;
 * - update is PATCH /pipelines/SLUG with the changed fields only, slug sent
 *   with every name change (docs Update: a name without slug regenerates
 *   it), visibility only when it changes (tf Update);
 * - an archived pipeline refuses updates, so an update unarchives first
 *   and archives again when it should stay archived (tf Update);
 * - archive and unarchive are POST .../archive and .../unarchive, each after
 *   a fresh read (already in that state: done);
 * - DELETE answers 204, and 404 counts as done.
 */
#include "reconciler/providers/buildkite/kinds/pipeline.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

/* ---- comparing ---- */

static cJSON *norm_config(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	const char *why;
	size_t line;
	cJSON *t = cJSON_IsString(v) ? cf_bk_yaml_tree(v->valuestring, &why, &line) : NULL;
	return t ? t : cJSON_IsString(v) ? cJSON_CreateString(v->valuestring) : cJSON_CreateNull();
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A set: sorted, duplicates dropped; null is the empty set. */
static cJSON *norm_tags(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	int n = cJSON_GetArraySize(v);
	const char **list = cf_xcalloc((size_t)n + 1, sizeof(*list));
	int m = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, v)
		if (cJSON_IsString(t))
			list[m++] = t->valuestring;
	qsort(list, (size_t)m, sizeof(*list), cmp_str);
	cJSON *out = cJSON_CreateArray();
	for (int i = 0; i < m; i++)
		if (!i || strcmp(list[i], list[i - 1]))
			cJSON_AddItemToArray(out, cJSON_CreateString(list[i]));
	free(list);
	return out;
}

/* Only the keys the spec gives are compared (docs/buildkite.md), against the
 * live provider.settings. */
static cJSON *norm_provider(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	if (desired)
		return cJSON_IsObject(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateObject();
	const cJSON *want = cf_json_path(ctx->desired_doc, "spec.provider_settings");
	cJSON *out = cJSON_CreateObject();
	const cJSON *k;
	cJSON_ArrayForEach(k, want) {
		const cJSON *have = cJSON_GetObjectItemCaseSensitive(v, k->string);
		cJSON_AddItemToObject(out, k->string, have ? cJSON_Duplicate(have, 1) : cJSON_CreateNull());
	}
	return out;
}

#define KEEP(field, fb) \
	{.name = "spec." field, .desired = "spec." field, .live = field, .fallback = fb, .type = CF_D_VALUE, \
	 .omitted_keeps_live = true}

static const cf_diff_field pipeline_diff[] = {
	{.name = "spec.name", .desired = "spec.name", .live = "name", .fallback = "\"\"", .type = CF_D_VALUE},
	{.name = "spec.repository", .desired = "spec.repository", .live = "repository", .fallback = "\"\"",
	 .type = CF_D_VALUE},
	KEEP("cluster", "null"), /* the live side: the name read_live put beside cluster_id */
	KEEP("cluster_id", "null"),
	{.name = "spec.configuration", .desired = "spec.configuration", .live = "configuration",
	 .fallback = "null", .type = CF_D_VALUE, .normalize = norm_config, .omitted_keeps_live = true,
	 .omitted_note = "the template's steps"},
	KEEP("pipeline_template_uuid", "null"),
	KEEP("description", "null"),
	KEEP("default_branch", "null"),
	KEEP("branch_configuration", "null"),
	KEEP("skip_queued_branch_builds", "false"),
	KEEP("skip_queued_branch_builds_filter", "null"),
	KEEP("cancel_running_branch_builds", "false"),
	KEEP("cancel_running_branch_builds_filter", "null"),
	KEEP("allow_rebuilds", "true"),
	KEEP("clone_mirror_url", "null"),
	KEEP("default_command_step_timeout", "null"),
	KEEP("maximum_command_step_timeout", "null"),
	KEEP("visibility", "\"private\""),
	{.name = "spec.tags", .desired = "spec.tags", .live = "tags", .fallback = "[]", .type = CF_D_VALUE,
	 .normalize = norm_tags, .omitted_keeps_live = true, .omitted_note = "none"},
	{.name = "spec.provider_settings", .desired = "spec.provider_settings", .live = "provider.settings",
	 .fallback = "{}", .type = CF_D_VALUE, .normalize = norm_provider, .omitted_keeps_live = true,
	 .omitted_note = "the API's defaults"},
	{.name = NULL},
};

/* ---- reading ---- */

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

static void add_live(cf_live *live, const cf_resource_set *set, cJSON *p, const cJSON *clusters)
{
	const char *cid = str(p, "cluster_id");
	const char *cname = *cid ? cf_bk_cluster_name(clusters, cid) : NULL;
	cname = cname ? cf_bk_cluster_alias(set, cname) : NULL; /* a cluster renamed in this run */
	cJSON_DeleteItemFromObjectCaseSensitive(p, "cluster");
	cJSON_AddItemToObject(p, "cluster", cname ? cJSON_CreateString(cname) : cJSON_CreateNull());
	cJSON_AddBoolToObject(p, "active", !cf_bk_set(p, "archived_at"));
	char *slug = cf_xstrdup(str(p, "slug")), *addr = cf_xasprintf("Pipeline/%s", slug);
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

static bool has_manifest(const cf_resource_set *set, const char *slug)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].kind == &cf_bk_pipeline_kind && !strcmp(set->items[i].name, slug))
			return true;
	return false;
}

/* The prune scope (docs/buildkite.md): the other pipelines of clusters that
 * have a present Cluster manifest, archived ones left out (a prune archives,
 * so they are pruned already). Read from the list only when such a cluster
 * is live. */
static int read_unmanaged(cf_live *live, const cf_resource_set *set, cf_bk_conn *c, const cJSON *clusters,
			  cf_error *err)
{
	bool any = false;
	const cJSON *cl;
	cJSON_ArrayForEach(cl, clusters)
		any = any || managed_cluster(live, set, str(cl, "id"));
	if (!any)
		return CF_OK;
	cJSON *all = NULL;
	char *path = cf_bk_path(c, "/pipelines");
	int rc = cf_bk_list(&all, c, path, err);
	free(path);
	cJSON *p;
	cJSON *list = rc == CF_OK ? all : NULL;
	cJSON_ArrayForEach(p, list)
		if (managed_cluster(live, set, str(p, "cluster_id")) && !cf_bk_set(p, "archived_at") &&
		    !has_manifest(set, str(p, "slug")) && cf_schema_matches("[a-z0-9][a-z0-9-]{0,99}", str(p, "slug")))
			add_live(live, set, cJSON_Duplicate(p, 1), clusters);
	cJSON_Delete(all);
	return rc;
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cJSON *clusters = NULL;
	int rc = cf_bk_clusters(&clusters, c, err);
	if (rc != CF_OK)
		return rc;
	size_t before = diags->count;
	check_refs(c, set, clusters, diags);
	size_t n = 0;
	cf_http_call *calls = cf_xcalloc(set->count + 1, sizeof(*calls));
	for (size_t i = 0; i < set->count; i++) {
		if (set->items[i].kind != &cf_bk_pipeline_kind)
			continue;
		char *e = cf_http_escape(set->items[i].name), *path = cf_bk_path(c, "/pipelines/%s", e);
		cf_http_call_init(&calls[n++], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
		free(path);
		free(e);
	}
	cf_error first = {0};
	cf_http_run(conn->impl, calls, n, &first);
	cf_error_clear(&first);
	for (size_t i = 0; i < n; i++) {
		if (rc == CF_OK && calls[i].rc == CF_OK && cJSON_IsObject(calls[i].json)) {
			add_live(live, set, calls[i].json, clusters);
			calls[i].json = NULL;
		} else if (rc == CF_OK && calls[i].status != 404) {
			rc = cf_error_set(err, calls[i].rc ? calls[i].rc : CF_EAPI, "%s",
					  calls[i].error ? calls[i].error : "GET of a pipeline failed");
		}
		cf_http_call_clear(&calls[i]);
	}
	free(calls);
	if (rc == CF_OK)
		rc = read_unmanaged(live, set, c, clusters, err);
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

/* ---- writing ---- */

static int resolve_cluster(cf_bk_conn *c, const cf_resource *r, const char **id, cf_error *err)
{
	const cJSON *clusters = NULL;
	int rc = cf_bk_clusters(&clusters, c, err);
	if (rc == CF_OK && !cf_bk_cluster_id(clusters, cluster_ref(r))) {
		cf_bk_clusters_forget(c); /* created or renamed by this apply's Cluster phase */
		rc = cf_bk_clusters(&clusters, c, err);
	}
	if (rc == CF_OK && !(*id = cf_bk_cluster_id(clusters, cluster_ref(r))))
		rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no cluster '%s'", r->address, cluster_ref(r));
	return rc;
}

/* The body's value for a spec field: cluster becomes cluster_id. */
static int put_field(cJSON *b, cf_bk_conn *c, const cf_resource *r, const char *key, cf_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->doc, "spec"), key);
	if (!v)
		return CF_OK;
	if (!strcmp(key, "cluster")) {
		const char *id = NULL;
		int rc = resolve_cluster(c, r, &id, err);
		if (rc == CF_OK)
			cJSON_AddStringToObject(b, "cluster_id", id);
		return rc;
	}
	cJSON_AddItemToObject(b, key, cJSON_Duplicate(v, 1));
	return CF_OK;
}

static const char *const body_keys[] = {
	"name", "repository", "cluster", "cluster_id", "configuration", "pipeline_template_uuid", "description",
	"default_branch", "branch_configuration", "skip_queued_branch_builds", "skip_queued_branch_builds_filter",
	"cancel_running_branch_builds", "cancel_running_branch_builds_filter", "allow_rebuilds",
	"clone_mirror_url", "default_command_step_timeout", "maximum_command_step_timeout", "visibility", "tags",
	"provider_settings", NULL,
};

static int create_body(cJSON **out, cf_bk_conn *c, const cf_resource *r, cf_error *err)
{
	cJSON *b = cJSON_CreateObject();
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && body_keys[i]; i++)
		rc = put_field(b, c, r, body_keys[i], err);
	cJSON_AddStringToObject(b, "slug", r->name);
	*out = b;
	return rc;
}

/* The changed fields only; the slug with every name change. */
static int update_body(cJSON **out, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *b = cJSON_CreateObject();
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && i < ch->fields.count; i++) {
		const char *path = ch->fields.items[i].path;
		if (!strncmp(path, "spec.", 5))
			rc = put_field(b, c, ch->res, path + 5, err);
	}
	if (cJSON_HasObjectItem(b, "name"))
		cJSON_AddStringToObject(b, "slug", ch->res->name);
	*out = b;
	return rc;
}

static int lookup(cJSON **found, cf_bk_conn *c, const void *key, cf_error *err)
{
	char *e = cf_http_escape(key), *path = cf_bk_path(c, "/pipelines/%s", e);
	int rc = cf_http_request(found, c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	free(path);
	free(e);
	if (rc == CF_ENOTFOUND) {
		*found = NULL;
		return CF_OK;
	}
	return rc;
}

/* archive or unarchive, after a fresh read: already there is done. */
static int set_archived(cf_bk_conn *c, const char *slug, bool archived, cf_error *err)
{
	cJSON *now = NULL;
	int rc = lookup(&now, c, slug, err);
	bool there = now && cf_bk_set(now, "archived_at") == archived;
	cJSON_Delete(now);
	if (rc != CF_OK || there)
		return rc;
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s/%s", e, archived ? "archive" : "unarchive");
	cJSON *answer = NULL;
	rc = cf_http_request(&answer, c->base.impl, "POST", CF_HTTP_IDEMPOTENT, NULL, path, err);
	cJSON_Delete(answer);
	free(path);
	free(e);
	return rc;
}

static int send_update(cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *body = NULL, *answer = NULL;
	int rc = update_body(&body, c, ch, err);
	bool frozen = cJSON_IsTrue(cf_json_path(ch->res->doc, "spec.archived"));
	bool was = ch->live && ch->live->api_json && strstr(ch->live->api_json, "\"active\":false");
	if (rc == CF_OK && was) /* tf Update: the API refuses updates to an archived pipeline */
		rc = set_archived(c, ch->name, false, err);
	char *e = cf_http_escape(ch->name), *path = cf_bk_path(c, "/pipelines/%s", e);
	char *text = cJSON_PrintUnformatted(body);
	if (rc == CF_OK)
		rc = cf_http_request(&answer, c->base.impl, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	if (rc == CF_OK && was && frozen) /* it stays archived: no activation change is planned */
		rc = set_archived(c, ch->name, true, err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	free(text);
	free(path);
	free(e);
	return rc;
}

static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	if (ch->action == CF_ACTIVATE || ch->action == CF_DEACTIVATE)
		return set_archived(c, ch->name, ch->action == CF_DEACTIVATE, err);
	if (ch->action == CF_UPDATE)
		return send_update(c, ch, err);
	char *e = cf_http_escape(ch->name), *path = cf_bk_path(c, "/pipelines/%s", e);
	int rc = CF_OK;
	if (ch->action == CF_DELETE && !ch->res) {
		rc = set_archived(c, ch->name, true, err); /* pruned pipelines are archived, never deleted */
	} else if (ch->action == CF_DELETE) {
		rc = cf_http_delete(c->base.impl, path, err);
	} else {
		cJSON *body = NULL, *answer = NULL;
		rc = create_body(&body, c, ch->res, err);
		char *text = cJSON_PrintUnformatted(body), *coll = cf_bk_path(c, "/pipelines");
		if (rc == CF_OK)
			rc = cf_bk_create(&answer, c, coll, text, lookup, ch->name, err);
		if (rc == CF_OK)
			cf_apply_created(ctx, ch->address, str(answer, "slug"));
		cJSON_Delete(answer);
		cJSON_Delete(body);
		free(text);
		free(coll);
	}
	free(path);
	free(e);
	return rc;
}

static int preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	(void)ch;
	static const char *const need[] = {"write_pipelines", NULL};
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing pipelines", err);
}

/* ---- export ---- */

static void export_value(cJSON *spec, const cJSON *p, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);
	if (!v || cJSON_IsNull(v))
		return;
	char *text = cJSON_PrintUnformatted(v);
	bool is_default = dflt && !strcmp(text, dflt);
	free(text);
	if (!is_default)
		cJSON_AddItemToObject(spec, key, cJSON_Duplicate(v, 1));
}

static cJSON *pipeline_doc(const cJSON *p, const cJSON *clusters)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
	cJSON_AddStringToObject(doc, "kind", "Pipeline");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "metadata"), "slug", str(p, "slug"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	cJSON_AddStringToObject(spec, "name", str(p, "name"));
	cJSON_AddStringToObject(spec, "repository", str(p, "repository"));
	const char *cname = cf_bk_cluster_name(clusters, str(p, "cluster_id"));
	if (cname)
		cJSON_AddStringToObject(spec, "cluster", cname);
	else
		export_value(spec, p, "cluster_id", NULL);
	static const char *const keys[][2] = {
		{"configuration", NULL}, {"pipeline_template_uuid", NULL}, {"description", NULL},
		{"default_branch", NULL}, {"branch_configuration", NULL}, {"skip_queued_branch_builds", "false"},
		{"skip_queued_branch_builds_filter", NULL}, {"cancel_running_branch_builds", "false"},
		{"cancel_running_branch_builds_filter", NULL}, {"allow_rebuilds", "true"}, {"clone_mirror_url", NULL},
		{"default_command_step_timeout", NULL}, {"maximum_command_step_timeout", NULL},
		{"visibility", "\"private\""}, {"tags", "[]"},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		export_value(spec, p, keys[i][0], keys[i][1]);
	if (cf_bk_set(p, "archived_at"))
		cJSON_AddTrueToObject(spec, "archived");
	return doc;
}

/* export --pipeline SLUG (scope.projects; docs/buildkite.md): each read with
 * GET /pipelines/SLUG, a slug the organisation lacks is CF_ENOTFOUND; the
 * scope's "all" reads the whole list. */
static int export_pipelines(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_bk_export_ctx *ctx = vctx;
	if (!ctx->scope->all && !ctx->scope->nprojects)
		return CF_OK;
	const cJSON *clusters = NULL;
	cJSON *all = NULL;
	int rc = cf_bk_clusters(&clusters, ctx->c, err);
	if (rc == CF_OK && ctx->scope->all) {
		char *path = cf_bk_path(ctx->c, "/pipelines");
		rc = cf_bk_list(&all, ctx->c, path, err);
		free(path);
	}
	for (size_t i = 0; rc == CF_OK && !ctx->scope->all && i < ctx->scope->nprojects; i++) {
		cJSON *one = NULL;
		const char *slug = ctx->scope->projects[i];
		rc = lookup(&one, ctx->c, slug, err);
		if (rc == CF_OK && !one)
			rc = cf_error_set(err, CF_ENOTFOUND, "the organization has no pipeline '%s'", slug);
		if (!all)
			all = cJSON_CreateArray();
		if (one)
			cJSON_AddItemToArray(all, one);
	}
	const cJSON *p;
	const cJSON *list = rc == CF_OK ? all : NULL;
	cJSON_ArrayForEach(p, list) {
		if (!cf_schema_matches("[a-z0-9][a-z0-9-]{0,99}", str(p, "slug")))
			continue; /* not a slug this API makes: no file name can hold it safely */
		char *file = cf_xasprintf("pipeline-%s.yaml", str(p, "slug"));
		cf_export_add(out, "pipelines", file, pipeline_doc(p, clusters));
		free(file);
	}
	cJSON_Delete(all);
	return rc;
}

const cf_kind cf_bk_pipeline_kind = {
	.name = "Pipeline",
	.api_version = "buildkite/v1",
	.noun = "pipeline",
	.fields = cf_bk_pipeline_fields,
	.has_project = false,
	.has_name = true,
	.name_key = "slug",
	.address = NULL,
	.absent_refusal = NULL,
	.check = cf_bk_pipeline_check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = pipeline_diff,
	.has_active = true,
	.read_live = read_live,
	.apply = apply,
	.live_problem = NULL,
	.preflight = preflight,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL, /* ensure: absent deletes */
	.prune_note = "archived, not deleted: a pruned pipeline is archived (its builds kept), as the "
		      "Buildkite UI does",
	.export = export_pipelines,
};

/*
 * settings: the OrganizationPipelineSettings kind (apiVersion
 * buildkite/v1): the organisation's pipeline settings, a singleton
 * addressed OrganizationPipelineSettings.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/organizations/
 * pipeline_settings.md):
 * - GET /pipeline-settings (read_organization_settings) and PATCH with the
 *   fields to change only ("Only the fields you include in the request body
 *   are changed"; write_organization_settings); both need an organisation
 *   administrator, else 403;
 * - the fields: default_branch, default_cluster_id (null clears it),
 *   default_timeout_in_minutes, maximum_timeout_in_minutes,
 *   scheduled_job_expiry_in_minutes (null when not set); the rest of the
 *   answer (terminal access, public pipelines, queue metrics, build
 *   exports) has endpoints of its own and is not managed here;
 * - there is nothing to create or delete: ensure: absent is refused.
 */
#include "reconciler/providers/buildkite/kinds/queue.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDRESS "OrganizationPipelineSettings"

static const cf_field spec_fields[] = {
	{.key = "default_branch", .type = CF_T_STR},
	{.key = "default_cluster", .type = CF_T_STR, .match = "[^/]{1,255}", .match_words = "a cluster name or UUID"},
	{.key = "default_timeout_in_minutes", .type = CF_T_INT},
	{.key = "maximum_timeout_in_minutes", .type = CF_T_INT},
	{.key = "scheduled_job_expiry_in_minutes", .type = CF_T_INT},
	/* output-only, or managed by endpoints of their own (docs "Response fields") */
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "default_cluster_id", .type = CF_T_IGNORE},
	{.key = "hosted_agents_terminal_access", .type = CF_T_IGNORE},
	{.key = "public_pipeline_creation", .type = CF_T_IGNORE},
	{.key = "advanced_queue_metrics", .type = CF_T_IGNORE},
	{.key = "build_exports", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "organization", .type = CF_T_STR},
	CF_ENSURE_FIELD,
	CF_FIELDS_END,
};

static const cf_field fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *const nullable[] = {"default_cluster", "scheduled_job_expiry_in_minutes", NULL};
static const char *const minutes[] = {"default_timeout_in_minutes", "maximum_timeout_in_minutes",
				      "scheduled_job_expiry_in_minutes", NULL};

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	if (!cJSON_IsObject(spec))
		spec = cJSON_AddObjectToObject(doc, "spec");
	for (size_t i = 0; nullable[i]; i++) { /* docs: null clears the default cluster; expiry null is unset */
		char path[80];
		snprintf(path, sizeof(path), "spec.%s", nullable[i]);
		yaml_node_t *n = cf_ypath(kc->y, kc->root, path);
		if (n && cf_yis_null(n))
			cJSON_AddNullToObject(spec, nullable[i]);
	}
	for (size_t i = 0; minutes[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, minutes[i]);
		char path[80];
		snprintf(path, sizeof(path), "spec.%s", minutes[i]);
		if (cJSON_IsNumber(v) && v->valuedouble < 1)
			cf_kerr(kc, path, "%s: must be at least 1 minute", path);
	}
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(spec, "default_timeout_in_minutes");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(spec, "maximum_timeout_in_minutes");
	if (cJSON_IsNumber(d) && cJSON_IsNumber(m) && d->valuedouble > m->valuedouble)
		cf_kerr(kc, "spec.default_timeout_in_minutes", "spec.default_timeout_in_minutes: must not exceed "
			"maximum_timeout_in_minutes");
	(void)absent;
}

/* ---- reading ---- */

static const cf_resource *the_manifest(const cf_resource_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].kind == &cf_bk_settings_kind)
			return &set->items[i];
	return NULL;
}

/* The live settings, default_cluster spelled as the manifest spells it:
 * by UUID when it gives one, else by name. */
static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cf_resource *r = the_manifest(set);
	const cJSON *clusters = NULL;
	cJSON *api = NULL;
	char *path = cf_bk_path(c, "/pipeline-settings");
	int rc = cf_bk_clusters(&clusters, c, err);
	if (rc == CF_OK)
		rc = cf_http_request(&api, c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	free(path);
	if (rc != CF_OK || !r)
		return cJSON_Delete(api), rc;
	size_t before = diags->count;
	const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
	if (org && strcmp(org, c->cfg.org) != 0)
		cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run is "
				 "connected to organization '%s'", org, c->cfg.org);
	const char *want = cJSON_GetStringValue(cf_json_path(r->doc, "spec.default_cluster"));
	if (want && !cf_bk_queue_cluster_id(set, clusters, want) && !cf_bk_cluster_declared(set, want))
		cf_resource_diag(diags, r, "spec.default_cluster", "spec.default_cluster: the organization has no "
				 "cluster '%s' and no Cluster manifest names it", want);
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(api, "default_cluster_id"));
	const char *name = id ? cf_bk_cluster_name(clusters, id) : NULL;
	bool by_id = want && cf_schema_matches(CF_UUID_PATTERN, want);
	const char *shown = !id ? NULL : by_id || !name ? id : cf_bk_cluster_alias(set, name);
	cJSON_AddItemToObject(api, "default_cluster", shown ? cJSON_CreateString(shown) : cJSON_CreateNull());
	cf_live_add(live, set, &cf_bk_settings_kind, ADDRESS, "pipeline-settings", NULL, NULL, api);
	return diags->count > before ? CF_EINVALID : CF_OK;
}

/* ---- comparing ---- */

#define KEEP(field) \
	{.name = "spec." field, .desired = "spec." field, .live = field, .fallback = "null", .type = CF_D_VALUE, \
	 .omitted_keeps_live = true}

static const cf_diff_field diff[] = {
	KEEP("default_branch"),
	KEEP("default_cluster"),
	KEEP("default_timeout_in_minutes"),
	KEEP("maximum_timeout_in_minutes"),
	KEEP("scheduled_job_expiry_in_minutes"),
	{.name = NULL},
};

/* ---- writing ---- */

/* PATCH the changed fields; default_cluster becomes default_cluster_id,
 * looked up afresh (a Cluster manifest may have created it in this run). */
static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ch->res->doc, "spec");
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && i < ch->fields.count; i++) {
		const char *key = ch->fields.items[i].path + strlen("spec.");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, key);
		if (strcmp(key, "default_cluster") != 0) {
			cJSON_AddItemToObject(b, key, cJSON_Duplicate(v, 1));
			continue;
		}
		const cJSON *clusters = NULL;
		cf_bk_clusters_forget(c);
		rc = cJSON_IsString(v) ? cf_bk_clusters(&clusters, c, err) : CF_OK;
		const char *id = cJSON_IsString(v) && rc == CF_OK ? cf_bk_queue_cluster_id(ctx->live->set, clusters, v->valuestring) : NULL;
		if (rc == CF_OK && cJSON_IsString(v) && !id)
			rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no cluster '%s'", ch->address, v->valuestring);
		cJSON_AddItemToObject(b, "default_cluster_id", id ? cJSON_CreateString(id) : cJSON_CreateNull());
	}
	char *text = cJSON_PrintUnformatted(b), *path = cf_bk_path(c, "/pipeline-settings");
	if (rc == CF_OK && ch->action == CF_UPDATE) /* docs "Update pipeline settings": PATCH, partial */
		rc = cf_http_request(&answer, c->base.impl, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	return rc;
}

static int preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	(void)ch;
	static const char *const need[] = {"write_organization_settings", NULL};
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing the organization's pipeline settings", err);
}

/* ---- export ---- */

/* export --org-settings (scope.extra "org-settings=1"): every managed field,
 * default_cluster by name. */
static int export_settings(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_bk_export_ctx *ctx = vctx;
	bool wanted = false;
	for (size_t i = 0; ctx->scope->extra && ctx->scope->extra[i]; i++)
		wanted = wanted || !strncmp(ctx->scope->extra[i], "org-settings", 12);
	if (!wanted)
		return CF_OK;
	const cJSON *clusters = NULL;
	cJSON *api = NULL;
	char *path = cf_bk_path(ctx->c, "/pipeline-settings");
	int rc = cf_bk_clusters(&clusters, ctx->c, err);
	if (rc == CF_OK)
		rc = cf_http_request(&api, ctx->c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	free(path);
	if (rc != CF_OK)
		return rc;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
	cJSON_AddStringToObject(doc, "kind", ADDRESS);
	cJSON_AddObjectToObject(doc, "metadata");
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	if (cf_bk_set(api, "default_branch"))
		cJSON_AddStringToObject(spec, "default_branch", str(api, "default_branch"));
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(api, "default_cluster_id"));
	const char *name = id ? cf_bk_cluster_name(clusters, id) : NULL;
	cJSON_AddItemToObject(spec, "default_cluster", id ? cJSON_CreateString(name ? name : id) : cJSON_CreateNull());
	for (size_t i = 0; minutes[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(api, minutes[i]);
		if (cJSON_IsNumber(v))
			cJSON_AddNumberToObject(spec, minutes[i], v->valuedouble);
	}
	cf_export_add(out, "organization", "pipeline-settings.yaml", doc);
	cJSON_Delete(api);
	return CF_OK;
}

const cf_kind cf_bk_settings_kind = {
	.name = ADDRESS,
	.api_version = "buildkite/v1",
	.noun = "pipeline settings",
	.fields = fields,
	.has_project = false,
	.has_name = false,
	.name_key = NULL,
	.address = NULL,
	.absent_refusal = "the organization's pipeline settings cannot be deleted; leave the manifest out to stop "
			  "managing them",
	.check = check,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.check_set = NULL,
	.apply = apply,
	.live_problem = NULL,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL,
	.prune_note = NULL,
	.preflight = preflight,
	.export = export_settings,
};

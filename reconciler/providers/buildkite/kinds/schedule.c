/*
 * schedule: the PipelineSchedule kind (apiVersion buildkite/v1): a
 * scheduled build of a pipeline, addressed PipelineSchedule/SLUG/LABEL.
 * Checks, reading and comparing here (the cronline's check in cronline.c);
 * writing and export in schedule_api.c.
 *
 * Evidence (gob = go-buildkite pipeline_schedules.go; docs = buildkite/docs
 * pages/apis/rest_api/pipeline_schedules.md and, for the cron syntax,
 * pages/pipelines/configure/workflows/scheduled_builds.md):
 * - GET /pipelines/SLUG/schedules lists them: label, cronline, branch,
 *   commit, message, enabled, env as a JSON object of strings (gob
 *   PipelineSchedule), in clear;
 * - the label is the natural key here (unique per pipeline, docs/buildkite.md);
 *   a changed label is another schedule: a delete plus a create;
 * - env entries given with valueFrom are secrets in git's eyes: the API
 *   returns them in clear, so they are compared directly but shown as
 *   (sensitive); plainly written ones are shown beside it.
 */
#include "reconciler/providers/buildkite/kinds/schedule.h"
#include "reconciler/apply.h"
#include "reconciler/codec.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLUG_PATTERN "[a-z0-9][a-z0-9-]{0,99}"
#define ENV_NAME "[A-Za-z_][A-Za-z0-9_]*"

static const cf_field from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field env_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = ENV_NAME,
	 .match_words = "an environment variable name"},
	{.key = "value", .type = CF_T_STR},
	{.key = "valueFrom", .type = CF_T_MAP, .fields = from_fields},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "cronline", .type = CF_T_STR},
	{.key = "branch", .type = CF_T_STR},
	{.key = "commit", .type = CF_T_STR},
	{.key = "message", .type = CF_T_STR},
	{.key = "enabled", .type = CF_T_BOOL},
	{.key = "env", .type = CF_T_LIST, .fields = env_fields},
	/* output-only fields of a GET answer (gob PipelineSchedule) */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "graphql_id", .type = CF_T_IGNORE},
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "label", .type = CF_T_IGNORE},
	{.key = "next_build_at", .type = CF_T_IGNORE},
	{.key = "failed_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "pipeline", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "pipeline", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = SLUG_PATTERN,
	 .match_words = "a pipeline slug"},
	{.key = "label", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[^/]{1,255}",
	 .match_words = "a label without '/'"},
	{.key = "organization", .type = CF_T_STR},
	CF_ENSURE_FIELD,
	CF_FIELDS_END,
};

static const cf_field fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static char *address(const cJSON *doc)
{
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.pipeline"));
	const char *l = cJSON_GetStringValue(cf_json_path(doc, "metadata.label"));
	if (!p || !l || !*l || strchr(l, '/') || !cf_schema_matches(SLUG_PATTERN, p))
		return NULL; /* the field table reported it */
	return cf_xasprintf("%s/%s", p, l);
}

static void resolve_env(cf_kctx *kc, cJSON *spec)
{
	cJSON *e;
	int i = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "env")) {
		char at[96];
		snprintf(at, sizeof(at), "spec.env[%d]", i++);
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "valueFrom");
		const char *env = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, "env"));
		const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, "file"));
		if ((from != NULL) == cJSON_HasObjectItem(e, "value")) {
			cf_kerr(kc, at, "%s: give exactly one of value and valueFrom", at);
			continue;
		}
		if (from && (!env) == (!file)) {
			cf_kerr(kc, at, "%s.valueFrom: give exactly one of env and file", at);
			continue;
		}
		char *v = NULL;
		size_t len = 0;
		if (env && !getenv(env))
			cf_kmissing_secret(kc, at, "%s.valueFrom.env: environment variable %s is not set", at, env);
		else if (env)
			v = cf_xstrdup(getenv(env));
		else if (file)
			v = cf_kread(kc, at, file, 1 << 16, &len);
		if (v) {
			cJSON_DeleteItemFromObjectCaseSensitive(e, "valueFrom");
			cJSON_AddStringToObject(e, "value", v);
			memset(v, 0, strlen(v));
			free(v);
		}
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	if (!cJSON_IsObject(spec))
		spec = cJSON_AddObjectToObject(doc, "spec");
	const char *cron = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "cronline"));
	if (cron)
		cf_bk_check_cronline(kc, "spec.cronline", cron);
	if (!absent)
		resolve_env(kc, spec);
}

/* ---- reading ---- */

/* The live schedule as the diff reads it: env as a list of {name, MD5 of
 * the value}. */
static cJSON *live_api(const cJSON *s, const char *slug)
{
	cJSON *api = cJSON_Duplicate(s, 1), *list = cJSON_CreateArray();
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(s, "env")) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", v->string);
		char md5[33]; /* the core compares secret sets by MD5 (diff.c secret_set) */
		const char *text = cJSON_IsString(v) ? v->valuestring : "";
		cf_md5_hex(text, strlen(text), md5);
		cJSON_AddStringToObject(e, "value", md5);
		cJSON_AddItemToArray(list, e);
	}
	cJSON_AddItemToObject(api, "env_list", list);
	cJSON_AddStringToObject(api, "pipeline_slug", slug);
	return api;
}

/* The first page of every scheduled pipeline's schedules, in one batch
 * ahead of read_pipeline's reads (bk.h cf_bk_prefetch). */
static void read_ahead(const cf_resource_set *set, cf_bk_conn *c)
{
	char **paths = cf_xcalloc(set->count + 1, sizeof(*paths));
	size_t n = 0;
	for (size_t i = 0; i < set->count; i++) {
		const char *slug = cJSON_GetStringValue(cf_json_path(set->items[i].doc, "metadata.pipeline"));
		if (set->items[i].kind != &cf_bk_schedule_kind || !slug)
			continue;
		char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s/schedules", e);
		bool again = false;
		for (size_t j = 0; j < n && !again; j++)
			again = !strcmp(paths[j], path);
		if (again)
			free(path);
		else
			paths[n++] = path;
		free(e);
	}
	cf_bk_prefetch(c, paths, n);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Scope (docs/buildkite.md): the schedules of pipelines that have a
 * PipelineSchedule manifest; a pipeline neither live nor in the manifests
 * is a plan error at metadata.pipeline. */
static int read_pipeline(cf_live *live, const cf_resource_set *set, cf_bk_conn *c, const cf_resource *first,
			 cf_diags *diags, cf_error *err)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(first->doc, "metadata.pipeline"));
	cJSON *all = NULL;
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s/schedules", e);
	int rc = cf_bk_list(&all, c, path, err);
	free(path);
	free(e);
	/* a pipeline renamed in this run keeps its schedules under an old slug
	 * until apply's PATCH moves them (docs/buildkite.md "Pipeline renames") */
	const cJSON *o, *olds = rc == CF_ENOTFOUND ? cf_bk_pipeline_renamed_from(set, slug) : NULL;
	cJSON_ArrayForEach(o, olds) {
		if (rc != CF_ENOTFOUND)
			break;
		cf_error_clear(err);
		cJSON_Delete(all);
		all = NULL;
		char *oe = cf_http_escape(o->valuestring), *op = cf_bk_path(c, "/pipelines/%s/schedules", oe);
		rc = cf_bk_list(&all, c, op, err);
		free(op);
		free(oe);
	}
	bool declared = false;
	for (size_t i = 0; i < set->count; i++)
		declared = declared || (!strcmp(set->items[i].kind->name, "Pipeline") && !set->items[i].absent &&
					!strcmp(set->items[i].name, slug));
	if (rc == CF_ENOTFOUND) {
		cf_error_clear(err);
		if (!first->absent && !declared)
			cf_resource_diag(diags, first, "metadata.pipeline", "metadata.pipeline: the organization has no "
					 "pipeline '%s' and no Pipeline manifest names it", slug);
		return CF_OK;
	}
	const cJSON *s;
	cJSON_ArrayForEach(s, (rc == CF_OK ? all : NULL)) {
		int same = 0;
		const cJSON *t, *first_of = NULL;
		cJSON_ArrayForEach(t, all)
			if (!strcmp(str(t, "label"), str(s, "label")) && same++ == 0)
				first_of = t;
		char *addr = cf_xasprintf("PipelineSchedule/%s/%s", slug, str(s, "label"));
		const cf_resource *named = NULL;
		for (size_t i = 0; i < set->count; i++)
			named = named ? named : !strcmp(set->items[i].address, addr) ? &set->items[i] : NULL;
		if (same > 1 && named && first_of == s) /* labels are unique per pipeline: never guess */
			cf_resource_diag(diags, named, "metadata.label", "metadata.label: pipeline '%s' has more than one "
					 "schedule labelled '%s'; relabel one first", slug, str(s, "label"));
		else if (same == 1)
			cf_live_add(live, set, &cf_bk_schedule_kind, addr, str(s, "id"), NULL, str(s, "label"), live_api(s, slug));
		free(addr);
	}
	cJSON_Delete(all);
	return rc;
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	size_t before = diags->count;
	int rc = CF_OK;
	read_ahead(set, c);
	for (size_t i = 0; rc == CF_OK && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_bk_schedule_kind)
			continue;
		const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
		if (org && strcmp(org, c->cfg.org) != 0)
			cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run "
					 "is connected to organization '%s'", org, c->cfg.org);
		const char *slug = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.pipeline"));
		bool seen = false; /* one read per pipeline */
		for (size_t j = 0; j < i; j++)
			seen = seen || (set->items[j].kind == &cf_bk_schedule_kind &&
					!strcmp(cJSON_GetStringValue(cf_json_path(set->items[j].doc, "metadata.pipeline")), slug));
		if (!seen)
			rc = read_pipeline(live, set, c, r, diags, err);
	}
	for (size_t i = 0; rc == CF_OK && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind == &cf_bk_schedule_kind && !r->absent && !cf_json_path(r->doc, "spec.cronline") &&
		    !cf_live_find(live, r->address)) /* gob CreatePipelineSchedule: cronline is always sent */
			cf_resource_diag(diags, r, "spec", "spec: a new schedule needs a cronline; add spec.cronline");
	}
	cf_bk_prefetch_clear(c); /* what was not taken must not answer apply's re-reads */
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

/* ---- comparing ---- */

#define KEEP(field) \
	{.name = "spec." field, .desired = "spec." field, .live = field, .fallback = "null", .type = CF_D_VALUE, \
	 .omitted_keeps_live = true}

static const cf_diff_field diff[] = {
	KEEP("cronline"),
	KEEP("branch"),
	KEEP("commit"),
	KEEP("message"),
	{.name = "spec.enabled", .desired = "spec.enabled", .live = "enabled", .fallback = "true", .type = CF_D_VALUE,
	 .omitted_keeps_live = true, .omitted_note = "true"},
	{.name = "spec.env", .desired = "spec.env", .live = "env_list", .fallback = "[]", .type = CF_D_SECRETS,
	 .key = "name", .value = "value", .omitted_keeps_live = true, .show_plain = true},
	{.name = NULL},
};

const cf_kind cf_bk_schedule_kind = {
	.name = "PipelineSchedule",
	.api_version = "buildkite/v1",
	.noun = "schedule",
	.fields = fields,
	.has_project = false,
	.has_name = true,
	.name_key = "label",
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.check_set = NULL,
	.apply = cf_bk_schedule_apply,
	.live_problem = NULL,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL,
	.prune_note = NULL,
	.preflight = cf_bk_schedule_preflight,
	.export = cf_bk_schedule_export,
};

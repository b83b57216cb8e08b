/*
 * kind ProjectEnvironment: the variables of one CircleCI project.
 *
 *   apiVersion: circleci/v1
 *   kind: ProjectEnvironment
 *   metadata: {project: gh/acme/web}          # one per project
 *   spec:
 *     envVars: [{name: NPM_TOKEN, valueFrom: {file: secrets/npm}}, {name: X, keepLive: true}]
 *
 * The address is ProjectEnvironment/PROJECT, the slug normalised (gh/, bb/). Values are
 * write-only: the API shows "xxxx" and a tail (envvars.c compares the tail).
 * There is no update route, so a changed value is a DELETE then a POST, and
 * the plan says so (PUB project_environment_variable_resource.go: value
 * RequiresReplace). Variables the spec does not list are unmanaged
 * (ProjectEnvironment/PROJECT#VAR), deleted only with --prune; ensure:
 * absent deletes every variable of the project.
 */
#include "reconciler/providers/circleci/kinds/project_env.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cf_field spec_fields[] = {
	{.key = "envVars", .type = CF_T_LIST, .fields = cf_cci_envvar_fields},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "project", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	if (p && !cf_cci_slug_shaped(p, 3))
		cf_kerr(kc, "metadata.project", "metadata.project: '%s' is not a project slug (vcs/org/project, "
			"like gh/acme/web)", p);
	cf_cci_check_envvars(kc, doc, absent, 0); /* no documented limit for projects */
}

/* The project slug normalised (github/acme/web is gh/acme/web): one
 * project, one address, so the loader refuses a second manifest of it. */
static char *address(const cJSON *doc)
{
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	return p && cf_cci_slug_shaped(p, 3) ? cf_cci_slug_normalize(p) : NULL;
}

/* Says, for each variable read_live found changed ("replaced"), that it is
 * deleted and created again; compares as nothing (always equal). */
static cJSON *replaced_note(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	const cJSON *name, *names = desired ? NULL : v;
	cJSON_ArrayForEach(name, names)
		if (cJSON_IsString(name)) {
			char *n = cf_xasprintf("spec.envVars.%s: replaced: CircleCI has no update route for a project "
					       "variable, so it is deleted, then created (absent in between)",
					       name->valuestring);
			cJSON_AddItemToArray(ctx->notes, cJSON_CreateString(n));
			free(n);
		}
	return cJSON_CreateNull();
}

static const cf_diff_field diff[] = {
	{
		.name = "spec.envVars", .desired = "spec.envVars", .live = "envVars", .fallback = "[]",
		.type = CF_D_SECRETS, .key = "name", .value = "cmp",
		.show_plain = true, .plain_value = "value", /* written plainly: in git already */
		.comparison = "tail", /* xxxx and the last characters (envvars.c) */
	},
	{
		.name = "spec.envVars#replaced", .desired = "spec.envVars", .live = "replaced", .fallback = "[]",
		.type = CF_D_VALUE, .normalize = replaced_note, .note_only = true,
	},
	{.name = NULL},
};

/* ---- export ---- */

static int export_project(cf_export *out, cf_conn *c, const char *slug, cf_error *err)
{
	const cJSON *p = NULL;
	int rc = cf_cci_project(&p, c, slug, err);
	cJSON *vars = NULL;
	if (rc == CF_OK)
		rc = cf_cci_project_env_list(&vars, c, slug, err);
	if (rc != CF_OK || !cJSON_GetArraySize(vars)) {
		cJSON_Delete(vars); /* no variables: nothing live to manage */
		return rc;
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "ProjectEnvironment");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "metadata"), "project", slug);
	cJSON *ev = cJSON_AddArrayToObject(cJSON_AddObjectToObject(doc, "spec"), "envVars");
	const cJSON *v;
	cJSON_ArrayForEach(v, vars) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "name")));
		cJSON_AddTrueToObject(e, "keepLive"); /* values are write-only */
		cJSON_AddItemToArray(ev, e);
	}
	cJSON_Delete(vars);
	char *folder = cf_cci_slug_normalize(slug);
	for (char *q = folder; *q; q++)
		*q = *q == '/' ? '-' : *q;
	cf_export_add(out, folder, "project-environment.yaml", doc);
	free(folder);
	return CF_OK;
}

static int export_envs(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_cci_export_each(out, vctx, false, export_project, err);
}

const cf_kind cf_cci_project_env_kind = {
	.name = "ProjectEnvironment",
	.api_version = CF_CCI_API_VERSION,
	.noun = "project environment",
	.fields = document_fields,
	.has_project = false, /* metadata.project is a slug: the address hook makes it */
	.has_name = false,
	.name_key = NULL,
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = cf_cci_project_env_read_live,
	.apply = cf_cci_project_env_apply,
	.live_problem = NULL,
	.values_hidden = NULL, /* tails are compared instead: envvars.c */
	.unverified = cf_cci_vars_unverified,
	.delete_note = NULL, /* a delete of the whole environment says what it deletes: apply */
	.prune_note = NULL,
	.preflight = NULL,
	.export = export_envs,
};

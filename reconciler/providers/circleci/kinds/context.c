/*
 * kind Context: a CircleCI context, its restrictions and its variables.
 *
 *   apiVersion: circleci/v1
 *   kind: Context
 *   metadata: {organization: gh/acme, name: deploy-prod}
 *   spec:
 *     restrictions: [{project: gh/acme/web}, {expression: '...'}]  # omitted: left as live
 *     envVars: [{name: AWS_REGION, value: eu-west-1}, {name: X, valueFrom: {env: X}}, {name: Y, keepLive: true}]
 *
 * Names are unique per organisation (circleci.com/docs/contexts) and there is
 * no rename route (PUB context_resource.go: name RequiresReplace), so a new
 * name is a new context. A present restrictions list is exact: it is access
 * control, applied without --prune. Variables the spec does not list are
 * unmanaged (Context/ORG/NAME#VAR), deleted only with --prune. The address
 * is Context/ORG/NAME (a name is unique only per organisation), ORG
 * normalised (github/ -> gh/, bitbucket/ -> bb/), on the spec side and the
 * live side alike. docs/circleci.md has the rest.
 */
#include "reconciler/providers/circleci/kinds/context.h"
#include "reconciler/codec.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const cf_field restriction_fields[] = {
	{.key = "project", .type = CF_T_STR},
	{.key = "projectId", .type = CF_T_STR, .match = CF_UUID_PATTERN, .match_words = "a UUID"},
	{.key = "expression", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "restrictions", .type = CF_T_LIST, .fields = restriction_fields},
	{.key = "envVars", .type = CF_T_LIST, .fields = cf_cci_envvar_fields},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "organization", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void check_restrictions(cf_kctx *kc, const cJSON *list)
{
	if (cJSON_IsArray(list) && !list->child)
		cf_kwarn(kc, "spec.restrictions", "spec.restrictions: [] leaves the context UNRESTRICTED: "
			 "every project of the organization may use it");
	int i = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, list) {
		char at[64];
		snprintf(at, sizeof(at), "spec.restrictions[%d]", i++);
		int n = cJSON_HasObjectItem(r, "project") + cJSON_HasObjectItem(r, "projectId") +
			cJSON_HasObjectItem(r, "expression");
		const char *p = str(r, "project"), *e = str(r, "expression");
		if (n != 1)
			cf_kerr(kc, at, "%s: give exactly one of project, projectId and expression", at);
		else if (p && !cf_cci_slug_shaped(p, 3))
			cf_kerr(kc, at, "%s.project: '%s' is not a project slug (vcs/org/project, like gh/acme/web)",
				at, p);
		else if (e && !*e)
			cf_kerr(kc, at, "%s.expression: empty", at);
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	const char *org = cJSON_GetStringValue(cf_json_path(doc, "metadata.organization"));
	if (org && !cf_is_uuid(org) && !cf_cci_slug_shaped(org, 2))
		cf_kerr(kc, "metadata.organization", "metadata.organization: '%s' is neither an organization "
			"slug (gh/acme, bb/acme, circleci/ID) nor its UUID", org);
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && !*name)
		cf_kerr(kc, "metadata.name", "metadata.name: empty");
	check_restrictions(kc, cf_json_path(doc, "spec.restrictions"));
	cf_cci_check_envvars(kc, doc, absent, CF_CCI_CONTEXT_MAX_VARS);
}

/* ---- comparing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->valuestring, (*(cJSON *const *)b)->valuestring);
}

static cJSON *sorted(cJSON *arr)
{
	int n = cJSON_GetArraySize(arr);
	cJSON **v = cf_xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++)
		v[i] = cJSON_DetachItemFromArray(arr, 0);
	qsort(v, (size_t)n, sizeof(*v), cmp_str);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, v[i]);
	free(v);
	return arr;
}

/* Whether the spec names this project by UUID (then live shows the UUID). */
static bool spec_names_id(const cJSON *doc, const char *id)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cf_json_path(doc, "spec.restrictions"))
		if (str(r, "projectId") && !strcasecmp(str(r, "projectId"), id))
			return true;
	return false;
}

/* Restrictions as a sorted set of "project:REF" and "expression:TEXT":
 * project restrictions carry the project's UUID (LABS
 * ic/context_restriction.go), shown as the slug the spec wrote for it
 * (read_live adds project_slug). Live group restrictions, which the API
 * cannot write (circleci.com/changelog/context-restriction-apis-marked-ga),
 * are left out on both sides: shown by export, never changed. */
static cJSON *norm_restrictions(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, v) {
		char *item = NULL;
		if (desired && str(r, "project")) {
			char *slug = cf_cci_slug_normalize(str(r, "project"));
			item = cf_xasprintf("project:%s", slug);
			free(slug);
		} else if (desired && str(r, "projectId")) {
			item = cf_xasprintf("project:%s", str(r, "projectId"));
			for (char *p = item; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		} else if (desired && str(r, "expression")) {
			item = cf_xasprintf("expression:%s", str(r, "expression"));
		} else if (!desired) {
			const char *type = str(r, "restriction_type"), *val = str(r, "restriction_value");
			const char *slug = str(r, "project_slug");
			if (type && val && !strcmp(type, "group") && ctx->notes) {
				char *n = cf_xasprintf("spec.restrictions: the live group restriction %s is left as it is "
						       "(the API cannot write group restrictions)", val);
				cJSON_AddItemToArray(ctx->notes, cJSON_CreateString(n));
				free(n);
			}
			if (!type || !val || !strcmp(type, "group"))
				continue;
			bool by_slug = !strcmp(type, "project") && slug && !spec_names_id(ctx->desired_doc, val);
			item = cf_xasprintf("%s:%s", type, by_slug ? slug : val);
		}
		if (item)
			cJSON_AddItemToArray(out, cJSON_CreateString(item));
		free(item);
	}
	return sorted(out);
}

const cf_diff_field cf_cci_context_diff[] = {
	{
		.name = "spec.restrictions", .desired = "spec.restrictions", .live = "restrictions", .fallback = "[]",
		.type = CF_D_VALUE, .normalize = norm_restrictions, .omitted_keeps_live = true,
		.omitted_note = "no restrictions given: a new context is open to every project of the organization",
		.empty_note = "UNRESTRICTED: every project of the organization may use this context",
		.list_items = true,
	},
	{
		.name = "spec.envVars", .desired = "spec.envVars", .live = "envVars", .fallback = "[]",
		.type = CF_D_SECRETS, .key = "name", .value = "cmp",
		.show_plain = true, .plain_value = "value", /* written plainly: in git already */
		.comparison = "tail", /* truncated_value: the last characters (envvars.c) */
	},
	{.name = NULL},
};

/* ---- export ---- */

static bool file_safe(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static cJSON *context_doc(cf_conn *c, const char *org, const cJSON *x, cf_error *err, int *rc)
{
	const char *id = str(x, "id");
	cJSON *rs = NULL, *vars = NULL;
	bool truncated = false;
	*rc = cf_cci_context_restrictions(&rs, c, id, err);
	if (*rc == CF_OK)
		*rc = cf_cci_context_vars(&vars, &truncated, c, id, err);
	cJSON *doc = NULL;
	if (*rc == CF_OK) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
		cJSON_AddStringToObject(doc, "kind", "Context");
		cJSON *m = cJSON_AddObjectToObject(doc, "metadata");
		cJSON_AddStringToObject(m, "organization", org);
		cJSON_AddStringToObject(m, "name", str(x, "name"));
		cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
		cJSON *rl = cJSON_AddArrayToObject(spec, "restrictions");
		const cJSON *r;
		cJSON_ArrayForEach(r, rs) {
			const char *type = str(r, "restriction_type"), *val = str(r, "restriction_value");
			if (!type || !val || strcmp(type, "group") == 0)
				continue; /* group restrictions: not writable through the API */
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, !strcmp(type, "project") ? "projectId" : "expression", val);
			cJSON_AddItemToArray(rl, e);
		}
		cJSON *ev = cJSON_AddArrayToObject(spec, "envVars");
		cJSON_ArrayForEach(r, vars) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", str(r, "variable"));
			cJSON_AddTrueToObject(e, "keepLive"); /* values are write-only */
			cJSON_AddItemToArray(ev, e);
		}
	}
	cJSON_Delete(rs);
	cJSON_Delete(vars);
	return doc;
}

static int export_org(cf_export *out, cf_conn *c, const char *org, cf_error *err)
{
	const char *org_id = NULL;
	int rc = cf_cci_org_id(&org_id, c, org, err);
	cJSON *list = NULL;
	if (rc == CF_OK)
		rc = cf_cci_context_list(&list, c, org_id, err);
	char *folder = cf_cci_slug_normalize(org);
	for (char *p = folder; *p; p++)
		*p = *p == '/' ? '-' : *p;
	const cJSON *x;
	cJSON_ArrayForEach(x, (rc == CF_OK ? list : (cJSON *)NULL)) {
		cJSON *doc = context_doc(c, org, x, err, &rc);
		if (rc != CF_OK)
			break;
		const char *name = str(x, "name");
		char *file = cf_xasprintf("context-%s.yaml", file_safe(name) ? name : str(x, "id"));
		cf_export_add(out, folder, file, doc);
		free(file);
	}
	free(folder);
	cJSON_Delete(list);
	return rc;
}

/* "gh/acme/deploy-prod": the organisation normalised (github/acme is
 * gh/acme: one organisation, so one address, and the loader refuses a
 * second manifest of it as a duplicate), then the name. */
static char *context_address(const cJSON *doc)
{
	const char *org = cJSON_GetStringValue(cf_json_path(doc, "metadata.organization"));
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (!org || !name || !*name)
		return NULL;
	char *norm = cf_cci_slug_normalize(org), *out = cf_xasprintf("%s/%s", norm, name);
	free(norm);
	return out;
}

static int export_contexts(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_cci_export_each(out, vctx, true, export_org, err);
}

const cf_kind cf_cci_context_kind = {
	.name = "Context",
	.api_version = CF_CCI_API_VERSION,
	.noun = "context",
	.fields = document_fields,
	.has_project = false,
	.has_name = true, /* ch->name: the context's name */
	.name_key = NULL,
	.address = context_address,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = cf_cci_context_diff,
	.has_active = false,
	.read_live = cf_cci_context_read_live,
	.apply = cf_cci_context_apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL, /* tails are compared instead: envvars.c */
	.unverified = cf_cci_vars_unverified,
	.delete_note = NULL,
	.prune_note = NULL,
	.export = export_contexts,
};

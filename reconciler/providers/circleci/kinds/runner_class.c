/*
 * kind RunnerResourceClass: a self-hosted runner resource class.
 *
 *   apiVersion: circleci/v1
 *   kind: RunnerResourceClass
 *   metadata: {name: acme/linux-large}        # namespace/name
 *   spec: {description: Large Linux hosts, forceDelete: false}
 *
 * Addressed RunnerResourceClass/NS/NAME. The runner API can create and
 * delete a class, never change one ("The runner API has no update
 * endpoint": PUB internal/provider/runner_resource_class_resource.go
 * Update), so the description is written at creation only: a live one that
 * differs is a note, not a change. Every class of a namespace with a
 * RunnerResourceClass manifest is in scope (unmanaged, pruned with
 * --prune). Creating and deleting: runner_class_apply.c.
 */
#include "reconciler/providers/circleci/kinds/runner_class.h"
#include "reconciler/providers/circleci/runner.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cf_field spec_fields[] = {
	{.key = "description", .type = CF_T_STR},
	{.key = "forceDelete", .type = CF_T_BOOL},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
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

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	(void)absent;
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && !cf_cci_runner_class_shaped(name))
		cf_kerr(kc, "metadata.name", "metadata.name: '%s' is not a resource class: write namespace/name "
			"(like acme/linux-large), without spaces", name);
}

static char *address(const cJSON *doc)
{
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	return name && cf_cci_runner_class_shaped(name) ? cf_xstrdup(name) : NULL;
}

char *cf_cci_runner_file_safe(const char *s)
{
	char *out = cf_xstrdup(*s ? s : "_");
	for (char *p = out; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
			*p = '_';
	if (!strcmp(out, ".") || !strcmp(out, ".."))
		memset(out, '_', strlen(out));
	return out;
}

const cf_resource *cf_cci_runner_class_manifest(const cf_resource_set *set, const char *cls)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (set->items[i].kind == &cf_cci_runner_class_kind && !strcmp(set->items[i].name, cls))
			return &set->items[i];
	return NULL;
}

/* ---- reading ---- */

/* The live class as the plan reads it; for a managed one, the spec's
 * description beside it, for the note (unverified below). */
static cJSON *class_api(const cJSON *x, const cf_resource *r)
{
	cJSON *api = cJSON_Duplicate(x, 1);
	const char *want = r && !r->absent ? cJSON_GetStringValue(cf_json_path(r->doc, "spec.description")) : NULL;
	if (want)
		cJSON_AddStringToObject(api, "spec_description", want);
	return api;
}

static int read_namespace(cf_live *live, const cf_resource_set *set, const cf_resource *first, cf_conn *c,
			  cf_diags *diags, cf_error *err)
{
	char *ns = cf_cci_runner_namespace(first->name);
	cJSON *list = NULL;
	int rc = cf_cci_runner_classes(&list, c, ns, err);
	if (rc == CF_ENOTFOUND) { /* missing or not the token's: the same 404 (LABS DeleteResourceClass) */
		cf_resource_diag(diags, first, "metadata.name", "metadata.name: the runner namespace '%s' is not one "
				 "the token can see (%s)", ns, err->message);
		cf_error_clear(err);
		free(ns);
		return CF_EINVALID;
	}
	const cJSON *x;
	cJSON_ArrayForEach(x, (rc == CF_OK ? list : NULL)) {
		const char *cls = str(x, "resource_class");
		const cf_resource *r = cf_cci_runner_class_manifest(set, cls);
		char *addr = cf_xasprintf("RunnerResourceClass/%s", cls);
		cf_live_add(live, set, &cf_cci_runner_class_kind, addr, str(x, "id"), NULL, cls, class_api(x, r));
		free(addr);
	}
	cJSON_Delete(list);
	free(ns);
	return rc;
}

/* Scope: every class of a namespace with a RunnerResourceClass manifest. */
static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	cJSON *seen = cJSON_CreateObject();
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_cci_runner_class_kind)
			continue;
		char *ns = cf_cci_runner_namespace(r->name);
		if (!cJSON_HasObjectItem(seen, ns)) {
			cJSON_AddTrueToObject(seen, ns);
			rc = read_namespace(live, set, r, c, diags, err);
			if (rc == CF_EINVALID) {
				problems = rc;
				rc = CF_OK;
			}
		}
		free(ns);
	}
	cJSON_Delete(seen);
	return rc == CF_OK ? problems : rc;
}

/* ---- comparing ---- */

/* The description is never a change (no update route): an existing class
 * compares equal on both sides; a create shows it, and says it is written
 * once. */
static cJSON *norm_description(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	if (!desired || !cJSON_IsString(v) || ctx->live_norm)
		return cJSON_CreateNull();
	if (ctx->notes)
		cJSON_AddItemToArray(ctx->notes, cJSON_CreateString("spec.description is written at creation only: "
								     "the runner API cannot change it later"));
	return cJSON_CreateString(v->valuestring);
}

static const cf_diff_field diff[] = {
	{.name = "spec.description", .desired = "spec.description", .live = "description", .fallback = "null",
	 .type = CF_D_VALUE, .normalize = norm_description, .omitted_note = "no description"},
	{.name = NULL},
};

/* A live description other than the spec's: a note (not drift). */
static char *unverified(const cJSON *api)
{
	const char *want = str(api, "spec_description"), *have = str(api, "description");
	if (!want || (have && !strcmp(want, have)))
		return NULL;
	return cf_xasprintf("its description is \"%s\", not the spec's \"%s\": the runner API cannot change a "
			    "class's description (delete and create the class to change it)", have ? have : "", want);
}

/* ---- export ---- */

const char **cf_cci_runner_export_namespaces(const cf_export_scope *scope)
{
	size_t n = 0;
	for (size_t i = 0; scope->extra && scope->extra[i]; i++)
		n++;
	const char **out = cf_xcalloc(n + 1, sizeof(*out));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!strncmp(scope->extra[i], "runner-namespace=", 17))
			out[m++] = scope->extra[i] + 17;
	return out;
}

static cJSON *class_doc(const cJSON *x)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "RunnerResourceClass");
	cJSON *m = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(m, "name", str(x, "resource_class"));
	const char *d = str(x, "description");
	if (d && *d)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "spec"), "description", d);
	return doc;
}

static int export_classes(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_cci_export_ctx *ctx = vctx;
	const char **nss = cf_cci_runner_export_namespaces(ctx->scope);
	int rc = CF_OK;
	for (size_t i = 0; nss[i] && rc == CF_OK; i++) {
		cJSON *list = NULL;
		rc = cf_cci_runner_classes(&list, ctx->conn, nss[i], err);
		if (rc == CF_ENOTFOUND)
			rc = cf_error_set(err, CF_ENOTFOUND, "runner namespace '%s' is not one the token can see", nss[i]);
		char *folder = cf_xasprintf("runner-%s", nss[i]), *fsafe = cf_cci_runner_file_safe(folder);
		const cJSON *x;
		cJSON_ArrayForEach(x, (rc == CF_OK ? list : NULL)) {
			if (!cf_cci_runner_class_shaped(str(x, "resource_class")))
				continue; /* a name no manifest could carry */
			char *safe = cf_cci_runner_file_safe(strchr(str(x, "resource_class"), '/') + 1);
			char *file = cf_xasprintf("class-%s.yaml", safe);
			cf_export_add(out, fsafe, file, class_doc(x));
			free(file);
			free(safe);
		}
		free(fsafe);
		free(folder);
		cJSON_Delete(list);
	}
	free(nss);
	return rc;
}

const cf_kind cf_cci_runner_class_kind = {
	.name = "RunnerResourceClass",
	.api_version = CF_CCI_API_VERSION,
	.noun = "runner resource class",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.name_key = NULL,
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.apply = cf_cci_runner_class_apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL,
	.unverified = unverified,
	.delete_note = "waits while tasks run on it; CircleCI refuses it while tokens remain, unless spec.forceDelete: true",
	.prune_note = NULL,
	.export = export_classes,
};

/*
 * kind ProjectSettings: the advanced settings of one CircleCI project.
 *
 *   apiVersion: circleci/v1
 *   kind: ProjectSettings
 *   metadata: {project: gh/acme/web}          # one per project; no delete
 *   spec:
 *     advanced: {autocancel_builds: true, build_prs_only: true, pr_only_branch_overrides: [main]}
 *
 * The settings always exist and cannot be deleted, so ensure: absent is
 * refused and there is nothing to prune. Only the keys a spec gives are
 * managed: GET|PATCH /project/{slug}/settings carry {"advanced": {...}} and
 * the PATCH is partial, writing exactly the keys its body holds (LABS
 * ic/project_settings.go, whose tests check that only set fields are sent),
 * so ciform sends the changed managed keys and nothing else. oss is
 * returned by the GET but read-only: a PATCH holding it is 400 "Unexpected
 * field 'advanced.oss'." (LABS, measured), so a spec giving it is refused.
 * The overrides list is a set, replaced whole by the PATCH; [] clears it.
 */
#include "reconciler/providers/circleci/kinds.h"
#include "reconciler/apply.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/schema_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERRIDES "pr_only_branch_overrides"

/* The documented toggles (LABS ProjectSettings; PUB project.go AdvanceSettings,
 * which lacks build_prs_only). */
static const char *const toggles[] = {
	"autocancel_builds", "build_fork_prs", "build_prs_only", "disable_ssh", "forks_receive_secret_env_vars",
	"set_github_status", "setup_workflows", "write_settings_requires_admin", NULL,
};

static const cf_field advanced_fields[] = {
	{.key = "autocancel_builds", .type = CF_T_BOOL},
	{.key = "build_fork_prs", .type = CF_T_BOOL},
	{.key = "build_prs_only", .type = CF_T_BOOL},
	{.key = "disable_ssh", .type = CF_T_BOOL},
	{.key = "forks_receive_secret_env_vars", .type = CF_T_BOOL},
	{.key = "set_github_status", .type = CF_T_BOOL},
	{.key = "setup_workflows", .type = CF_T_BOOL},
	{.key = "write_settings_requires_admin", .type = CF_T_BOOL},
	{.key = "oss", .type = CF_T_BOOL},       /* refused by check(), with the reason */
	{.key = OVERRIDES, .type = CF_T_IGNORE, .note = "A set of branch names; [] clears it."}, /* check() */
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "advanced", .type = CF_T_MAP, .fields = advanced_fields},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "project", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const cf_schema_rule schema_rules[] = {
	{.path = "spec.advanced." OVERRIDES, .description = "branches that always build; a set, [] clears it",
	 .rule = "{\"type\": \"array\", \"items\": {\"type\": \"string\", \"minLength\": 1}, \"uniqueItems\": true}"},
	{.path = "spec.advanced.oss", .description = "read-only: the API refuses it", .rule = "{\"not\": {}}"},
	{.path = NULL},
};

/* spec.advanced.pr_only_branch_overrides: a list of distinct, non-empty
 * branch names, put into the document (the table only accepts it). */
static void read_overrides(cf_kctx *kc, cJSON *doc)
{
	const char *at = "spec.advanced." OVERRIDES;
	yaml_node_t *n = cf_ypath(kc->y, kc->root, at);
	cJSON *adv = (cJSON *)cf_json_path(doc, "spec.advanced");
	if (!n || !adv)
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cf_kerr(kc, at, "%s: must be a list of branch names", at);
		return;
	}
	cJSON *list = cJSON_AddArrayToObject(adv, OVERRIDES);
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *v = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		char path[96];
		snprintf(path, sizeof(path), "%s[%d]", at, i);
		const cJSON *seen;
		bool dup = false;
		cJSON_ArrayForEach(seen, list)
			dup = dup || (v && !strcmp(seen->valuestring, v));
		if (!v || !*v)
			cf_kerr(kc, path, "%s: must be a branch name", path);
		else if (dup)
			cf_kerr(kc, path, "%s: '%s' is listed twice (the list is a set)", path, v);
		else
			cJSON_AddItemToArray(list, cJSON_CreateString(v));
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	(void)absent; /* refused by the loader (absent_refusal) */
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	if (p && !cf_cci_slug_shaped(p, 3))
		cf_kerr(kc, "metadata.project", "metadata.project: '%s' is not a project slug (vcs/org/project, "
			"like gh/acme/web)", p);
	if (cf_json_path(doc, "spec.advanced.oss"))
		cf_kerr(kc, "spec.advanced.oss", "spec.advanced.oss: read-only: CircleCI answers a settings "
			"update holding it with 400 \"Unexpected field 'advanced.oss'.\"");
	read_overrides(kc, doc);
}

/* The project slug normalised (github/acme/web is gh/acme/web): one
 * project, one address, so the loader refuses a second manifest of it. */
static char *address(const cJSON *doc)
{
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	return p && cf_cci_slug_shaped(p, 3) ? cf_cci_slug_normalize(p) : NULL;
}

static int by_string(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->valuestring, (*(cJSON *const *)b)->valuestring);
}

/* The overrides as a sorted list: a set, whatever order either side lists. */
static cJSON *sorted_set(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	if (!cJSON_IsArray(v))
		return cJSON_Duplicate(v, 1);
	int n = cJSON_GetArraySize(v), k = 0;
	cJSON **items = cf_xcalloc((size_t)n + 1, sizeof(*items));
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
		if (cJSON_IsString(e))
			items[k++] = (cJSON *)e;
	qsort(items, (size_t)k, sizeof(*items), by_string);
	cJSON *out = cJSON_CreateArray();
	for (int i = 0; i < k; i++)
		cJSON_AddItemToArray(out, cJSON_CreateString(items[i]->valuestring));
	free(items);
	return out;
}

#define TOGGLE(k)                                                                                              \
	{                                                                                                      \
		.name = "spec.advanced." k, .desired = "spec.advanced." k, .live = "advanced." k,             \
		.fallback = "null", .type = CF_D_VALUE, .omitted_keeps_live = true,                           \
	}

static const cf_diff_field diff[] = {
	TOGGLE("autocancel_builds"),
	TOGGLE("build_fork_prs"),
	TOGGLE("build_prs_only"),
	TOGGLE("disable_ssh"),
	TOGGLE("forks_receive_secret_env_vars"),
	TOGGLE("set_github_status"),
	TOGGLE("setup_workflows"),
	TOGGLE("write_settings_requires_admin"),
	{
		.name = "spec.advanced." OVERRIDES, .desired = "spec.advanced." OVERRIDES,
		.live = "advanced." OVERRIDES, .fallback = "[]", .type = CF_D_VALUE, .normalize = sorted_set,
		.omitted_keeps_live = true, .list_items = true,
	},
	{.name = NULL},
};

/* ---- the API ---- */

static char *settings_path(const char *slug)
{
	char *p = cf_cci_slug_path(slug), *out = cf_xasprintf("/project/%s/settings", p);
	free(p);
	return out;
}

/* GET /project/{slug}/settings: {"advanced": {...}} (LABS GetProjectSettings). */
static int get_settings(cJSON **out, long *status, cf_conn *c, const char *slug, cf_error *err)
{
	char *path = settings_path(slug);
	cf_http_call call;
	cf_http_call_init(&call, "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	call.json = cf_cci_prefetched(c, path); /* read ahead with the plan's other reads */
	int rc = call.json ? CF_OK : cf_http_run(cf_cci_http(c), &call, 1, err);
	*status = call.json && rc == CF_OK && !call.status ? 200 : call.status;
	*out = rc == CF_OK ? call.json : NULL;
	if (rc == CF_OK)
		call.json = NULL;
	cf_http_call_clear(&call);
	free(path);
	return rc;
}

/* A project that does not exist, or whose settings cannot be read (LABS:
 * IsNotFound for both), is the spec's problem, at metadata.project. */
static int read_one(cf_live *live, const cf_resource_set *set, const cf_resource *r, cf_conn *c, cf_diags *diags,
		    cf_error *err)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.project"));
	const cJSON *p = NULL;
	int rc = cf_cci_project(&p, c, slug, err);
	cJSON *api = NULL;
	long status = 0;
	if (rc == CF_OK)
		rc = get_settings(&api, &status, c, slug, err);
	if (rc == CF_ENOTFOUND || (rc != CF_OK && status == 404)) {
		cf_resource_diag(diags, r, "metadata.project", "metadata.project: no project %s (GET /project/%s%s "
				 "answered 404)", slug, slug, p ? "/settings" : "");
		cf_error_clear(err);
		return CF_EINVALID;
	}
	if (rc == CF_OK)
		cf_live_add(live, set, &cf_cci_project_settings_kind, r->address, slug, NULL, NULL, api);
	return rc;
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK, problems = CF_OK;
	for (size_t i = 0; set && i < set->count && rc == CF_OK; i++) {
		if (set->items[i].kind != &cf_cci_project_settings_kind)
			continue;
		rc = read_one(live, set, &set->items[i], c, diags, err);
		if (rc == CF_EINVALID) {
			problems = CF_EINVALID;
			rc = CF_OK;
		}
	}
	return rc == CF_OK ? problems : rc;
}

/* One PATCH of the changed managed keys only: the PATCH writes every key it
 * carries (LABS UpdateProjectSettings), and an empty body is 400 "No JSON
 * fields found." (LABS IsEmpty), so nothing is sent when nothing changed.
 * Sending the same values again changes nothing: retried like a read. */
static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	if (ch->action == CF_DELETE)
		return cf_error_set(err, CF_EINVALID, "%s: project settings cannot be deleted", ch->address);
	const char *slug = cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.project"));
	cJSON *body = cJSON_CreateObject(), *adv = cJSON_AddObjectToObject(body, "advanced");
	for (size_t i = 0; i < ch->fields.count; i++) {
		const char *path = ch->fields.items[i].path;
		const cJSON *want = cf_json_path(ch->res->doc, path);
		if (!strncmp(path, "spec.advanced.", 14) && want)
			cJSON_AddItemToObject(adv, path + 14, cJSON_Duplicate(want, 1));
	}
	int rc = CF_OK;
	if (adv->child) {
		char *path = settings_path(slug), *text = cJSON_PrintUnformatted(body);
		rc = cf_http_request(NULL, cf_cci_http(ctx->conn), "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
		free(text);
		free(path);
	}
	cJSON_Delete(body);
	return rc;
}

/* ---- export ---- */

/* Every writable setting the API shows (oss left out: read-only). */
static int export_project(cf_export *out, cf_conn *c, const char *slug, cf_error *err)
{
	cJSON *api = NULL;
	long status = 0;
	int rc = get_settings(&api, &status, c, slug, err);
	if (rc != CF_OK)
		return rc;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", CF_CCI_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", "ProjectSettings");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "metadata"), "project", slug);
	cJSON *adv = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "spec"), "advanced");
	const cJSON *live = cJSON_GetObjectItemCaseSensitive(api, "advanced");
	for (const char *const *k = toggles; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(live, *k);
		if (cJSON_IsBool(v))
			cJSON_AddBoolToObject(adv, *k, cJSON_IsTrue(v));
	}
	const cJSON *ov = cJSON_GetObjectItemCaseSensitive(live, OVERRIDES);
	if (cJSON_IsArray(ov))
		cJSON_AddItemToObject(adv, OVERRIDES, cJSON_Duplicate(ov, 1));
	cJSON_Delete(api);
	char *folder = cf_cci_slug_normalize(slug);
	for (char *q = folder; *q; q++)
		*q = *q == '/' ? '-' : *q;
	cf_export_add(out, folder, "project-settings.yaml", doc);
	free(folder);
	return CF_OK;
}

static int export_settings(cf_export *out, const void *vctx, cf_error *err)
{
	return cf_cci_export_each(out, vctx, false, export_project, err);
}

const cf_kind cf_cci_project_settings_kind = {
	.name = "ProjectSettings",
	.api_version = CF_CCI_API_VERSION,
	.noun = "project settings",
	.fields = document_fields,
	.has_project = false, /* metadata.project is a slug: the address hook makes it */
	.has_name = false,
	.name_key = NULL,
	.address = address,
	.absent_refusal = "absent is not possible for project settings: CircleCI has no route that deletes "
			  "them; leave out the keys ciform should not manage",
	.check = check,
	.check_set = NULL,
	.schema_rules = schema_rules,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.apply = apply,
	.live_problem = NULL,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL,
	.prune_note = NULL,
	.preflight = NULL,
	.export = export_settings,
};

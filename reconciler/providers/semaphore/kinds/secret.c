/*
 * secret: the organisation Secret (apiVersion v1beta, /api/v1beta/secrets),
 * the document `sem get secret NAME -o yaml` prints (semaphoreci/cli
 * api/models/secret_v1_beta.go), with values that may come from the
 * environment, files or the live secret (secret_data.h).
 *
 * Server behaviour, semaphoreio/semaphore secrethub/lib/secrethub/:
 * - the name matches ^[@: -._a-zA-Z0-9]+$ (" -." is a range) and holds no
 *   lowercase-hex UUID anywhere (secret.ex @valid_name_regex, uuid?);
 * - org_config is kept only with the feature secrets_access_policy and the
 *   permission organization.secrets_policy_settings.manage, else dropped
 *   without a word (public_grpc_api.ex filter_on_feature_flag,
 *   filter_on_user_permissions), answered null with the feature off;
 * - given, it replaces all four fields, omitted ones taking ALL,
 *   JOB_DEBUG_YES, JOB_ATTACH_YES (utils.ex consolidate_org_configs); read
 *   back, ALLOWED without ids is NONE, NONE has no ids, ALL keeps them
 *   (utils.ex to_org_config_params). Plans compare after that, and every
 *   write is read back to catch a policy the server dropped.
 */
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/providers/semaphore/kinds/secret_data.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/manifest.h"
#include "reconciler/schema.h"
#include "reconciler/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLLECTION "/api/v1beta/secrets"

static const char *const projects_access_words[] = {"ALL", "ALLOWED", "NONE", NULL};
static const char *const debug_words[] = {"JOB_DEBUG_YES", "JOB_DEBUG_NO", NULL};
static const char *const attach_words[] = {"JOB_ATTACH_YES", "JOB_ATTACH_NO", NULL};

static const cf_field org_config_fields[] = {
	{.key = "projects_access", .type = CF_T_STR, .one_of = projects_access_words},
	/* a list of scalars: checked item by item in check() */
	{.key = "project_ids", .type = CF_T_IGNORE},
	{.key = "debug_access", .type = CF_T_STR, .one_of = debug_words},
	{.key = "attach_access", .type = CF_T_STR, .one_of = attach_words},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[@: -._a-zA-Z0-9]+",
	 .match_words = "letters, digits and @ : _ and the characters from space to . (the server's "
			"^[@: -._a-zA-Z0-9]+$)"},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	{.key = "checkout_at", .type = CF_T_IGNORE},
	{.key = "content_included", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {
	{.key = "apiVersion", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "kind", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "metadata", .type = CF_T_MAP, .flags = CF_F_REQUIRED, .fields = metadata_fields},
	{.key = "data", .type = CF_T_MAP, .fields = cf_sem_secret_data_fields},
	{.key = "org_config", .type = CF_T_MAP, .fields = org_config_fields},
	CF_FIELDS_END,
};

#define UUID_LOWER "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

/* project_ids: a list of UUIDs, read from the YAML (the table takes it as is). */
static void check_project_ids(cf_kctx *kc, cJSON *doc)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, "org_config.project_ids");
	cJSON *oc = cJSON_GetObjectItemCaseSensitive(doc, "org_config");
	cJSON_DeleteItemFromObjectCaseSensitive(oc, "project_ids");
	if (!n || cf_yis_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cf_kerr(kc, "org_config.project_ids", "org_config.project_ids: must be a list of project UUIDs");
		return;
	}
	cJSON *ids = cJSON_AddArrayToObject(oc, "project_ids");
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *v = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		char path[64];
		snprintf(path, sizeof(path), "org_config.project_ids[%d]", i);
		if (!v || !cf_is_uuid(v))
			cf_kerr(kc, path, "%s: must be a project UUID", path);
		else
			cJSON_AddItemToArray(ids, cJSON_CreateString(v));
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && cf_schema_matches(".*" UUID_LOWER ".*", name))
		cf_kerr(kc, "metadata.name", "metadata.name: must not hold a UUID (the server refuses it: \"name "
			"should not be in uuid format\")");
	if (cJSON_GetObjectItemCaseSensitive(doc, "org_config"))
		check_project_ids(kc, doc);
	cf_sem_secret_check_data(kc, doc, absent);
}

/* ---- plan ---- */

static const char *get_str(const cJSON *o, const char *key, const char *fallback)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v && *v ? v : fallback;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* org_config as the server reads it back (see the top), ids sorted; null
 * stays null. */
static cJSON *org_config_canon(const cJSON *v)
{
	if (!cJSON_IsObject(v))
		return cJSON_CreateNull();
	const char *pa = get_str(v, "projects_access", "ALL");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(v, "project_ids");
	int n = cJSON_GetArraySize(ids), k = 0;
	const char **sorted = cf_xcalloc((size_t)n + 1, sizeof(char *));
	const cJSON *id;
	cJSON_ArrayForEach(id, ids)
		if (cJSON_IsString(id))
			sorted[k++] = id->valuestring;
	qsort(sorted, (size_t)k, sizeof(char *), by_text);
	if (!strcmp(pa, "ALLOWED") && k == 0)
		pa = "NONE";
	if (!strcmp(pa, "NONE"))
		k = 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "projects_access", pa);
	cJSON *list = cJSON_AddArrayToObject(o, "project_ids");
	for (int i = 0; i < k; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(sorted[i]));
	cJSON_AddStringToObject(o, "debug_access", get_str(v, "debug_access", "JOB_DEBUG_YES"));
	cJSON_AddStringToObject(o, "attach_access", get_str(v, "attach_access", "JOB_ATTACH_YES"));
	free(sorted);
	return o;
}

#define POLICY_DROPPED "the feature secrets_access_policy is off, or the token lacks " \
		       "organization.secrets_policy_settings.manage"

static cJSON *norm_org_config(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	const cJSON *live = ctx->live_norm ? cJSON_GetObjectItemCaseSensitive(ctx->live_norm, "org_config") : NULL;
	if (desired && cJSON_IsObject(v) && cJSON_IsNull(live)) {
		free(ctx->error);
		free(ctx->error_path);
		ctx->error_path = cf_xstrdup("org_config");
		ctx->error = cf_xstrdup("org_config: the live secret has none (org_config: null): the server "
					"would drop this one (" POLICY_DROPPED ")");
		return NULL;
	}
	return org_config_canon(v);
}

static const cf_diff_field cf_sem_secret_diff[] = {
	CF_SEM_SECRET_DATA_DIFF,
	{
		.name = "org_config", .desired = "org_config", .live = "org_config", .fallback = "null",
		.type = CF_D_VALUE, .normalize = norm_org_config, .omitted_keeps_live = true,
		.omitted_note = "org_config: not in the manifest: the server's default, every project may use "
				"it, and jobs may be debugged and attached to",
	},
	{.name = NULL},
};

/* ---- reading ---- */

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	(void)diags;
	cJSON *list = NULL;
	int rc = cf_sem_secret_list(&list, cf_sem_of(conn), COLLECTION, err);
	for (cJSON *s = list ? list->child : NULL, *next; s && rc == CF_OK; s = next) {
		next = s->next;
		const char *name = cJSON_GetStringValue(cf_json_path(s, "metadata.name"));
		const char *id = cJSON_GetStringValue(cf_json_path(s, "metadata.id"));
		if (!name || !id || !*id) {
			rc = cf_error_set(err, CF_EAPI, "GET " COLLECTION ": the answer has an unexpected shape (a "
					  "secret without a name or an id)");
			break;
		}
		char *addr = cf_xasprintf("Secret/%s", name);
		char *n = cf_xstrdup(name), *i = cf_xstrdup(id);
		cf_live_add(live, set, &cf_sem_secret_kind, addr, i, NULL, n, cJSON_DetachItemViaPointer(list, s));
		free(addr);
		free(n);
		free(i);
	}
	cJSON_Delete(list);
	return rc;
}

/* ---- writing ---- */

/* After a write: a written org_config the server did not keep is an error
 * (it drops one it may not store without a word). */
static int check_policy(const cf_change *ch, const cJSON *after, cf_error *err)
{
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(ch->res->doc, "org_config");
	if (!want)
		return CF_OK;
	cJSON *w = org_config_canon(want), *got = org_config_canon(cJSON_GetObjectItemCaseSensitive(after, "org_config"));
	bool same = cJSON_Compare(w, got, true);
	cJSON_Delete(w);
	cJSON_Delete(got);
	if (same)
		return CF_OK;
	return cf_error_set(err, CF_EAPI, "%s: written, but the server ignored org_config: " POLICY_DROPPED,
			    ch->address);
}

static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cJSON *meta = NULL, *policy = NULL, *after = NULL;
	if (ch->res && ch->action != CF_DELETE) {
		meta = cJSON_CreateObject();
		cJSON_AddStringToObject(meta, "name", ch->res->name);
		const cJSON *oc = cJSON_GetObjectItemCaseSensitive(ch->res->doc, "org_config");
		policy = oc ? org_config_canon(oc) : NULL; /* sent only when written */
	}
	/* read back only to check a written org_config */
	int rc = cf_sem_secret_apply(ctx, ch, COLLECTION, meta, policy, policy ? &after : NULL, err);
	if (rc == CF_OK && after)
		rc = check_policy(ch, after, err);
	cJSON_Delete(after);
	return rc;
}

/* ---- export ---- */

static bool default_policy(const cJSON *canon)
{
	cJSON *none = cJSON_CreateObject(), *d = org_config_canon(none);
	bool same = cJSON_Compare(d, canon, true);
	cJSON_Delete(d);
	cJSON_Delete(none);
	return same;
}

static cJSON *export_doc(const cJSON *api)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1beta");
	cJSON_AddStringToObject(d, "kind", "Secret");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "metadata"), "name",
				cJSON_GetStringValue(cf_json_path(api, "metadata.name")));
	cJSON_AddItemToObject(d, "data", cf_sem_secret_export_data(api));
	cJSON *oc = org_config_canon(cJSON_GetObjectItemCaseSensitive(api, "org_config"));
	if (cJSON_IsObject(oc) && !default_policy(oc))
		cJSON_AddItemToObject(d, "org_config", oc);
	else
		cJSON_Delete(oc);
	return d;
}

static int export(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_sem_export_ctx *x = vctx;
	if (!cf_export_wants(x->scope, "Secret"))
		return CF_OK;
	cJSON *list = NULL;
	int rc = cf_sem_secret_list(&list, x->c, COLLECTION, err);
	const cJSON *s;
	cJSON_ArrayForEach(s, list) {
		const char *name = cJSON_GetStringValue(cf_json_path(s, "metadata.name"));
		const char *id = cJSON_GetStringValue(cf_json_path(s, "metadata.id"));
		const char *seg = name ? cf_sem_export_segment(name) : NULL;
		if (!name || !(seg ? seg : id ? cf_sem_export_segment(id) : NULL))
			continue;
		char *file = cf_xasprintf("secret-%s.yaml", seg ? seg : id);
		cf_export_add(out, "secrets", file, export_doc(s));
		free(file);
	}
	cJSON_Delete(list);
	return rc;
}

const cf_kind cf_sem_secret_kind = {
	.name = "Secret",
	.api_version = "v1beta",
	.noun = "secret",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = cf_sem_secret_diff,
	.has_active = false,
	.read_live = read_live,
	.apply = apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = cf_sem_secret_values_hidden,
	.export = export,
};

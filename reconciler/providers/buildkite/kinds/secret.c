/*
 * secret: the ClusterSecret kind (apiVersion buildkite/v1): a Buildkite
 * secret of a cluster, addressed ClusterSecret/CLUSTER/KEY. Checks,
 * reading and comparing here; writing and export in secret_api.c.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters/secrets.md,
 * tf = terraform-provider-buildkite buildkite/resource_cluster_secret.go):
 * - key: starts with a letter, letters, digits and '_', at most 255, and
 *   never starts with "buildkite" or "bk", any case (docs Create; tf
 *   reservedSecretKeyPrefixValidator); it cannot be updated (docs Update:
 *   "The key parameter cannot be updated."), so another key is another
 *   secret;
 * - value: never returned; under 8 KB and not blank (docs); it changes
 *   only through PUT .../value, and every PUT moves updated_at. Without
 *   state, value_set_after says when the value last changed in git: the
 *   value is sent when that is after the live updated_at (tf's stateless
 *   equivalent is value_wo_version);
 * - policy: a YAML list of mappings (docs "YAML policy"), compared parsed.
 */
#include "reconciler/providers/buildkite/kinds/token.h"
#include "reconciler/providers/buildkite/kinds/queue.h"
#include "reconciler/providers/buildkite/kinds/secret.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEY_PATTERN "[A-Za-z][A-Za-z0-9_]{0,254}"
#define VALUE_MAX 8191 /* docs: "Must be less than 8 kilobytes" */
#define FUTURE_SLACK 300 /* value_set_after may run 5 min ahead of this clock (docs/buildkite.md) */

static const cf_field from_fields[] = {
	{.key = "env", .type = CF_T_STR},
	{.key = "file", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "description", .type = CF_T_STR},
	{.key = "policy", .type = CF_T_STR},
	{.key = "value", .type = CF_T_STR},
	{.key = "valueFrom", .type = CF_T_MAP, .fields = from_fields},
	{.key = "value_set_after", .type = CF_T_STR},
	/* output-only fields of a GET answer (docs "Secret data model") */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "graphql_id", .type = CF_T_IGNORE},
	{.key = "key", .type = CF_T_IGNORE},
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "cluster_url", .type = CF_T_IGNORE},
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "updated_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "last_read_at", .type = CF_T_IGNORE},
	{.key = "organization", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "cluster", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[^/]{1,255}",
	 .match_words = "a cluster name or UUID"},
	{.key = "key", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = KEY_PATTERN,
	 .match_words = "a key that starts with a letter, of letters, digits and '_', at most 255"},
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
	const char *cl = cJSON_GetStringValue(cf_json_path(doc, "metadata.cluster"));
	const char *key = cJSON_GetStringValue(cf_json_path(doc, "metadata.key"));
	if (!cl || !key || !*cl || strchr(cl, '/') || !cf_schema_matches(KEY_PATTERN, key))
		return NULL; /* the field table reported it */
	return cf_xasprintf("%s/%s", cl, key);
}

static bool blank(const char *v)
{
	for (; v && *v; v++)
		if (!strchr(" \t\r\n", *v))
			return false;
	return true;
}

/* The value, from value, valueFrom.env or valueFrom.file, put in place at
 * spec.value; problems reported at their paths. */
static void resolve_value(cf_kctx *kc, cJSON *spec)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(spec, "valueFrom");
	const char *env = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, "env"));
	const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, "file"));
	if (from && cJSON_HasObjectItem(spec, "value"))
		return cf_kerr(kc, "spec.valueFrom", "spec.valueFrom: give at most one of value and valueFrom");
	if (from && (!env) == (!file))
		return cf_kerr(kc, "spec.valueFrom", "spec.valueFrom: give exactly one of env and file");
	char *v = NULL;
	size_t len = 0;
	const char *at = env ? "spec.valueFrom.env" : file ? "spec.valueFrom.file" : "spec.value";
	if (env && !getenv(env))
		return cf_kmissing_secret(kc, at, "%s: environment variable %s is not set", at, env);
	if (env)
		v = cf_xstrdup(getenv(env));
	else if (file)
		v = cf_kread(kc, at, file, VALUE_MAX + 1, &len);
	else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(spec, "value")))
		v = cf_xstrdup(str(spec, "value"));
	if (!v)
		return;
	if (blank(v) || strlen(v) > VALUE_MAX || (file && strlen(v) != len))
		cf_kerr(kc, at, "%s: the value must be text, not blank, and under 8 KB", at); /* docs secrets.md */
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "valueFrom");
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "value");
	cJSON_AddStringToObject(spec, "value", v);
	memset(v, 0, strlen(v));
	free(v);
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	if (!cJSON_IsObject(spec))
		spec = cJSON_AddObjectToObject(doc, "spec");
	const char *key = cJSON_GetStringValue(cf_json_path(doc, "metadata.key"));
	if (key && (!strncasecmp(key, "bk", 2) || !strncasecmp(key, "buildkite", 9)))
		/* docs secrets.md; tf reservedSecretKeyPrefixValidator */
		cf_kerr(kc, "metadata.key", "metadata.key: must not start with 'bk' or 'buildkite', in any case; "
			"choose another key");
	const char *policy = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "policy"));
	const char *why = NULL;
	size_t line = 0;
	cJSON *tree = policy ? cf_bk_yaml_tree(policy, &why, &line) : NULL;
	const cJSON *rule;
	bool rules = cJSON_IsArray(tree) && cJSON_GetArraySize(tree) > 0;
	cJSON_ArrayForEach(rule, (rules ? tree : NULL))
		rules = rules && cJSON_IsObject(rule);
	if (policy && !tree)
		cf_kerr(kc, "spec.policy", "spec.policy: not YAML (line %zu: %s)", line, why);
	else if (policy && !rules)
		cf_kerr(kc, "spec.policy", "spec.policy: must be a YAML list of mappings, such as "
			"'- {pipeline_slug: web-app, build_branch: main}'");
	cJSON_Delete(tree);
	time_t t;
	const char *after = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "value_set_after"));
	if (after && !cf_bk_time(after, &t))
		cf_kerr(kc, "spec.value_set_after", "spec.value_set_after: must be an RFC 3339 time such as "
			"2026-05-01T00:00:00Z, not '%s'", after);
	if (!absent)
		resolve_value(kc, spec);
}

/* ---- reading ---- */

static bool names_cluster(const cf_resource_set *set, const char *ref, const cJSON *cl)
{
	return ref && (!strcmp(ref, str(cl, "id")) || !strcmp(ref, str(cl, "name")) ||
		       !strcmp(ref, cf_bk_cluster_alias(set, str(cl, "name"))));
}

/* The live secret as the diff reads it, with what the value's rule needs:
 * the manifest's value_set_after and whether it gives a value. */
static cJSON *live_api(const cJSON *s, const char *cluster_id, const cf_resource *r)
{
	cJSON *api = cJSON_Duplicate(s, 1);
	cJSON_AddStringToObject(api, "cluster_id", cluster_id);
	const char *after = r ? cJSON_GetStringValue(cf_json_path(r->doc, "spec.value_set_after")) : NULL;
	if (after)
		cJSON_AddStringToObject(api, "value_set_after", after);
	if (r && cf_json_path(r->doc, "spec.value"))
		cJSON_AddTrueToObject(api, "value_given");
	return api;
}

static int read_cluster(cf_live *live, const cf_resource_set *set, cf_bk_conn *c, const cJSON *cl, cf_error *err)
{
	cJSON *secrets = NULL;
	char *e = cf_http_escape(str(cl, "id")), *path = cf_bk_path(c, "/clusters/%s/secrets", e);
	int rc = cf_bk_list(&secrets, c, path, err);
	free(path);
	free(e);
	const cJSON *s;
	cJSON_ArrayForEach(s, (rc == CF_OK ? secrets : NULL)) {
		const cf_resource *r = NULL;
		for (size_t i = 0; !r && i < set->count; i++)
			if (set->items[i].kind == &cf_bk_secret_kind && !strcmp(set->items[i].name, str(s, "key")) &&
			    names_cluster(set, cJSON_GetStringValue(cf_json_path(set->items[i].doc, "metadata.cluster")), cl))
				r = &set->items[i];
		char *addr = r ? cf_xstrdup(r->address)
			       : cf_xasprintf("ClusterSecret/%s/%s", cf_bk_cluster_alias(set, str(cl, "name")), str(s, "key"));
		cf_live_add(live, set, &cf_bk_secret_kind, addr, str(s, "id"), NULL, str(s, "key"),
			    live_api(s, str(cl, "id"), r));
		free(addr);
	}
	cJSON_Delete(secrets);
	return rc;
}

/* Spec problems only the live state (or this clock) shows. */
static void live_checks(const cf_live *live, const cf_resource *r, const cJSON *clusters, const cf_resource_set *set,
			cf_bk_conn *c, cf_diags *diags)
{
	const char *ref = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster"));
	const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
	if (org && strcmp(org, c->cfg.org) != 0)
		cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run "
				 "is connected to organization '%s'", org, c->cfg.org);
	if (r->absent)
		return;
	if (!cf_bk_queue_cluster_id(set, clusters, ref) && !cf_bk_cluster_declared(set, ref))
		cf_resource_diag(diags, r, "metadata.cluster", "metadata.cluster: the organization has no cluster "
				 "'%s' and no Cluster manifest names it", ref);
	else if (!cf_live_find(live, r->address) && !cf_json_path(r->doc, "spec.value"))
		cf_resource_diag(diags, r, "spec", "spec: a new secret needs a value (value or valueFrom)");
	time_t t;
	const char *after = cJSON_GetStringValue(cf_json_path(r->doc, "spec.value_set_after"));
	if (after && cf_bk_time(after, &t) && t > time(NULL) + FUTURE_SLACK)
		cf_resource_diag(diags, r, "spec.value_set_after", "spec.value_set_after: '%s' is more than 5 minutes "
				 "in the future; the value would be sent on every run until then", after);
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cJSON *clusters = NULL, *cl;
	int rc = cf_bk_clusters(&clusters, c, err);
	size_t before = diags->count;
	/* scope (docs/buildkite.md): the secrets of a cluster that has a ClusterSecret manifest */
	cJSON_ArrayForEach(cl, (rc == CF_OK ? clusters : NULL)) {
		bool in = false;
		for (size_t i = 0; !in && i < set->count; i++)
			in = set->items[i].kind == &cf_bk_secret_kind &&
			     names_cluster(set, cJSON_GetStringValue(cf_json_path(set->items[i].doc, "metadata.cluster")), cl);
		if (rc == CF_OK && in)
			rc = read_cluster(live, set, c, cl, err);
	}
	for (size_t i = 0; rc == CF_OK && i < set->count; i++)
		if (set->items[i].kind == &cf_bk_secret_kind)
			live_checks(live, &set->items[i], clusters, set, c, diags);
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

/* ---- the value ---- */

/* value_set_after later than the live updated_at: the value is sent. */
static char *live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field, const char **after)
{
	(void)opts;
	time_t want, updated;
	*field = "spec.value";
	*after = "(sensitive) the manifest's value";
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(api, "value_given")) ||
	    !cf_bk_time(str(api, "value_set_after"), &want) || !cf_bk_time(str(api, "updated_at"), &updated) ||
	    want <= updated)
		return NULL;
	return cf_xasprintf("(sensitive) set before value_set_after %s (last update %s)", str(api, "value_set_after"),
			    str(api, "updated_at"));
}

static char *unverified(const cJSON *api)
{
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(api, "value_given")) || cf_bk_set(api, "value_set_after"))
		return NULL;
	return cf_xstrdup("value not compared: the API never returns it; set spec.value_set_after to send a new one");
}

/* ---- comparing ---- */

/* The policy as a parsed tree: a server reformatting it is no drift. */
static cJSON *norm_policy(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	const char *why = NULL;
	size_t line = 0;
	cJSON *tree = cJSON_IsString(v) ? cf_bk_yaml_tree(v->valuestring, &why, &line) : NULL;
	return tree ? tree : v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

static const cf_diff_field diff[] = {
	{.name = "spec.description", .desired = "spec.description", .live = "description", .fallback = "null",
	 .type = CF_D_VALUE, .omitted_keeps_live = true},
	{.name = "spec.policy", .desired = "spec.policy", .live = "policy", .fallback = "null", .type = CF_D_VALUE,
	 .normalize = norm_policy, .omitted_keeps_live = true, .omitted_note = "none"},
	{.name = NULL},
};

const cf_kind cf_bk_secret_kind = {
	.name = "ClusterSecret",
	.api_version = "buildkite/v1",
	.noun = "secret",
	.fields = fields,
	.has_project = false,
	.has_name = true,
	.name_key = "key",
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = false,
	.read_live = read_live,
	.check_set = NULL,
	.apply = cf_bk_secret_apply,
	.live_problem = live_problem,
	.values_hidden = NULL,
	.unverified = unverified,
	.delete_note = NULL,
	.prune_note = NULL,
	.preflight = cf_bk_secret_preflight,
	.export = cf_bk_secret_export,
};

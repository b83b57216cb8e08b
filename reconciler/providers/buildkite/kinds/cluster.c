/*
 * cluster: the Cluster kind (apiVersion buildkite/v1): a cluster of the
 * organisation, addressed by its name (Cluster/NAME).
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters.md, gob =
 * go-buildkite clusters.go, tf = terraform-provider-buildkite buildkite/):
 * - GET /clusters lists them (paged); POST /clusters takes name,
 *   description, emoji and color and answers 201; an API create makes no
 *   default queue (docs Create: default_queue_id null in the answer);
 * - PUT /clusters/ID (docs; gob sends PATCH, the sandbox takes both) takes
 *   the same fields and default_queue_id, the UUID of one of its queues;
 * - DELETE /clusters/ID answers 204, and removes the cluster's queues and
 *   agent tokens too, so clusters are never pruned; ensure: absent deletes;
 * - names: tf allows letters and digits only, the docs' own example is
 *   "Open Source"; any name without "/" (the address separator) is taken,
 *   and two live clusters of one name are refused as ambiguous (uniqueness
 *   is undocumented);
 * - renames: metadata.renamed_from [OLD] finds the cluster by its old name
 *   when the new one is not live, and the update sends the new name.
 */
#include "reconciler/providers/buildkite/bk.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_PATTERN "[^/]{1,255}"

static const cf_field spec_fields[] = {
	{.key = "description", .type = CF_T_STR},
	{.key = "emoji", .type = CF_T_STR},
	{.key = "color", .type = CF_T_STR, .match = "#[0-9A-Fa-f]{6}", .match_words = "a hex colour such as #BADA55"},
	{.key = "default_queue", .type = CF_T_STR, .match = "[A-Za-z0-9_-]+", .match_words = "a queue key"},
	/* output-only fields of a GET answer (gob clusters.go Cluster) */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "graphql_id", .type = CF_T_IGNORE},
	{.key = "default_queue_id", .type = CF_T_IGNORE},
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "web_url", .type = CF_T_IGNORE},
	{.key = "queues_url", .type = CF_T_IGNORE},
	{.key = "default_queue_url", .type = CF_T_IGNORE},
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "maintainers", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = NAME_PATTERN,
	 .match_words = "a cluster name without '/'"},
	{.key = "organization", .type = CF_T_STR},
	{.key = "renamed_from", .type = CF_T_IGNORE, /* read by check() */
	 .note = "The names this resource had before: a list of strings."},
	CF_ENSURE_FIELD,
	CF_FIELDS_END,
};

static const cf_field fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	const cJSON *old = cf_bk_string_list(kc, "metadata.renamed_from", meta, "renamed_from");
	const cJSON *o;
	cJSON_ArrayForEach(o, old)
		if (!cf_schema_matches(NAME_PATTERN, o->valuestring) || !strcmp(o->valuestring, str(meta, "name")))
			cf_kerr(kc, "metadata.renamed_from", "metadata.renamed_from: '%s' is not another cluster "
				"name", o->valuestring);
	(void)absent;
}

/* ---- reading ---- */

static const cJSON *named(const cJSON *clusters, const char *name, int *count)
{
	const cJSON *hit = NULL, *cl;
	*count = 0;
	cJSON_ArrayForEach(cl, clusters)
		if (!strcmp(str(cl, "name"), name) && ++*count == 1)
			hit = cl;
	return hit;
}

/* The live cluster a manifest is about: by name, else by an old name. */
static const cJSON *match(const cf_resource *r, const cJSON *clusters, cf_diags *diags)
{
	int n = 0, m = 0;
	const cJSON *hit = named(clusters, r->name, &n), *old = NULL, *o;
	cJSON_ArrayForEach(o, cf_json_path(r->doc, "metadata.renamed_from")) {
		const cJSON *h = named(clusters, o->valuestring, &m);
		if (h && hit) {
			cf_resource_diag(diags, r, "metadata.renamed_from", "metadata.renamed_from: clusters '%s' and "
					 "'%s' are both live; delete or rename one first", r->name, o->valuestring);
			return NULL;
		}
		old = old ? old : h;
	}
	if (n > 1 || m > 1) { /* docs: uniqueness undocumented; never guess */
		cf_resource_diag(diags, r, "metadata.name", "metadata.name: more than one live cluster is named "
				 "'%s'; rename one in Buildkite first", n > 1 ? r->name : cf_bk_str(old, "name"));
		return NULL;
	}
	return hit ? hit : old;
}

static const cJSON *find_id(const cJSON *clusters, const char *id)
{
	const cJSON *cl;
	cJSON_ArrayForEach(cl, clusters)
		if (!strcmp(str(cl, "id"), id))
			return cl;
	return NULL;
}

static int queues_of(cJSON **out, cf_bk_conn *c, const char *cluster_id, cf_error *err)
{
	char *e = cf_http_escape(cluster_id), *path = cf_bk_path(c, "/clusters/%s/queues", e);
	int rc = cf_bk_list(out, c, path, err);
	free(path);
	free(e);
	return rc;
}

static const char *queue_field(const cJSON *queues, const char *key, const char *value, const char *want)
{
	const cJSON *q;
	cJSON_ArrayForEach(q, queues)
		if (!strcmp(str(q, key), value))
			return str(q, want);
	return NULL;
}

/* Whether a ClusterQueue manifest creates the queue key in the cluster of
 * r (written by its name, or by the live UUID). */
static bool queue_declared(const cf_resource_set *set, const cf_resource *r, const cJSON *api, const char *key)
{
	return cf_bk_queue_declared(set, r->name, key) || (api && cf_bk_queue_declared(set, str(api, "id"), key));
}

/* The live default queue's key beside its id; a desired key the cluster
 * lacks, and no ClusterQueue manifest creates, is a plan error (an API
 * create makes no queue: docs Create). */
static int default_queue(cJSON *api, cf_bk_conn *c, const cf_resource_set *set, const cf_resource *r,
			 cf_diags *diags, cf_error *err)
{
	const char *want = cJSON_GetStringValue(cf_json_path(r->doc, "spec.default_queue"));
	cJSON *queues = NULL;
	int rc = api && (want || cf_bk_set(api, "default_queue_id")) ? queues_of(&queues, c, str(api, "id"), err) : CF_OK;
	if (rc != CF_OK)
		return rc;
	const char *key = api ? queue_field(queues, "id", str(api, "default_queue_id"), "key") : NULL;
	if (api)
		cJSON_AddItemToObject(api, "default_queue", key ? cJSON_CreateString(key) : cJSON_CreateNull());
	if (want && !queue_field(queues, "key", want, "id") && !queue_declared(set, r, api, want))
		cf_resource_diag(diags, r, "spec.default_queue", "spec.default_queue: cluster '%s' has no queue '%s'",
				 r->name, want);
	cJSON_Delete(queues);
	return CF_OK;
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cJSON *clusters = NULL;
	int rc = cf_bk_clusters(&clusters, c, err);
	size_t before = diags->count;
	for (size_t i = 0; rc == CF_OK && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_bk_cluster_kind)
			continue;
		const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
		if (org && strcmp(org, c->cfg.org) != 0)
			cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run "
					 "is connected to organization '%s'", org, c->cfg.org);
		const cJSON *hit = match(r, clusters, diags);
		cJSON *api = hit ? cJSON_Duplicate(hit, 1) : NULL;
		if (!r->absent)
			rc = default_queue(api, c, set, r, diags, err);
		if (api) /* clusters never pruned: only the managed ones are added */
			cf_live_add(live, set, &cf_bk_cluster_kind, r->address, str(hit, "id"), NULL, str(hit, "name"), api);
	}
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

const char *cf_bk_cluster_alias(const cf_resource_set *set, const char *live_name)
{
	for (size_t i = 0; set && i < set->count; i++) {
		const cJSON *o;
		if (set->items[i].kind == &cf_bk_cluster_kind && !set->items[i].absent)
			cJSON_ArrayForEach(o, cf_json_path(set->items[i].doc, "metadata.renamed_from"))
				if (!strcmp(o->valuestring, live_name))
					return set->items[i].name;
	}
	return live_name;
}

bool cf_bk_cluster_declared(const cf_resource_set *set, const char *name)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (set->items[i].kind == &cf_bk_cluster_kind && !set->items[i].absent &&
		    !strcmp(set->items[i].name, name))
			return true;
	return false;
}

/* ---- comparing ---- */

#define KEEP(field) \
	{.name = "spec." field, .desired = "spec." field, .live = field, .fallback = "null", .type = CF_D_VALUE, \
	 .omitted_keeps_live = true}

static const cf_diff_field diff[] = {
	{.name = "metadata.name", .desired = "metadata.name", .live = "name", .fallback = "\"\"", .type = CF_D_VALUE},
	KEEP("description"),
	KEEP("emoji"),
	KEEP("color"),
	{.name = "spec.default_queue", .desired = "spec.default_queue", .live = "default_queue", .fallback = "null",
	 .type = CF_D_VALUE, .omitted_keeps_live = true, .omitted_note = "none (an API create makes no queue)"},
	{.name = NULL},
};

/* ---- writing ---- */

static int lookup(cJSON **found, cf_bk_conn *c, const void *key, cf_error *err)
{
	cJSON *all = NULL;
	char *path = cf_bk_path(c, "/clusters");
	int rc = cf_bk_list(&all, c, path, err);
	free(path);
	int n = 0;
	const cJSON *hit = rc == CF_OK ? named(all, key, &n) : NULL;
	*found = hit ? cJSON_Duplicate(hit, 1) : NULL;
	cJSON_Delete(all);
	return rc;
}

static void put_spec(cJSON *b, const cf_resource *r, const char *key)
{
	const cJSON *v = cf_json_path(cJSON_GetObjectItemCaseSensitive(r->doc, "spec"), key);
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(b, key, v->valuestring);
}

static int create(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	cJSON_AddStringToObject(b, "name", ch->res->name);
	static const char *const keys[] = {"description", "emoji", "color", NULL};
	for (size_t i = 0; keys[i]; i++)
		put_spec(b, ch->res, keys[i]);
	char *text = cJSON_PrintUnformatted(b), *path = cf_bk_path(c, "/clusters");
	int rc = cf_bk_create(&answer, c, path, text, lookup, ch->res->name, err);
	if (rc == CF_OK)
		cf_apply_created(ctx, ch->address, str(answer, "id"));
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	return rc;
}

/* The changed fields; default_queue becomes the queue's UUID, or waits
 * for the queue's create (queue_api.c make_default) when a ClusterQueue
 * manifest creates it later in this run. Nothing left: no request. */
static int update(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && i < ch->fields.count; i++) {
		const char *path = ch->fields.items[i].path;
		if (!strcmp(path, "metadata.name")) {
			cJSON_AddStringToObject(b, "name", ch->res->name);
		} else if (!strcmp(path, "spec.default_queue")) {
			cJSON *queues = NULL;
			const char *want = cJSON_GetStringValue(cf_json_path(ch->res->doc, "spec.default_queue"));
			rc = queues_of(&queues, c, ch->id, err);
			const char *qid = rc == CF_OK ? queue_field(queues, "key", want, "id") : NULL;
			/* a queue a ClusterQueue manifest creates is made the default by its create */
			if (rc == CF_OK && !qid && !queue_declared(ctx->live->set, ch->res, NULL, want))
				rc = cf_error_set(err, CF_ENOTFOUND, "%s: the cluster has no queue '%s'", ch->address, want);
			else if (qid)
				cJSON_AddStringToObject(b, "default_queue_id", qid);
			cJSON_Delete(queues);
		} else if (!strncmp(path, "spec.", 5)) {
			put_spec(b, ch->res, path + 5);
		}
	}
	char *text = cJSON_PrintUnformatted(b), *e = cf_http_escape(ch->id), *p = cf_bk_path(c, "/clusters/%s", e);
	if (rc == CF_OK && b->child) /* docs Update: PUT */
		rc = cf_http_request(&answer, c->base.impl, "PUT", CF_HTTP_IDEMPOTENT, text, p, err);
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(e);
	free(p);
	return rc;
}

static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	cf_bk_clusters_forget(c); /* names and ids change below: the cache must not outlive them */
	if (ch->action == CF_CREATE)
		return create(ctx, c, ch, err);
	if (ch->action == CF_UPDATE)
		return update(ctx, c, ch, err);
	char *e = cf_http_escape(ch->id), *path = cf_bk_path(c, "/clusters/%s", e);
	int rc = cf_http_delete(c->base.impl, path, err); /* docs Delete: 204; 404 is done */
	free(path);
	free(e);
	return rc;
}

static int preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	(void)ch;
	static const char *const need[] = {"write_clusters", NULL};
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing clusters", err);
}

/* ---- export ---- */

static cJSON *cluster_doc(cf_bk_conn *c, const cJSON *cl, cf_error *err, int *rc)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
	cJSON_AddStringToObject(doc, "kind", "Cluster");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "metadata"), "name", str(cl, "name"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	static const char *const keys[] = {"description", "emoji", "color", NULL};
	for (size_t i = 0; keys[i]; i++)
		if (cf_bk_set(cl, keys[i]))
			cJSON_AddItemToObject(spec, keys[i], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cl, keys[i]), 1));
	if (cf_bk_set(cl, "default_queue_id")) {
		cJSON *queues = NULL;
		*rc = queues_of(&queues, c, str(cl, "id"), err);
		const char *key = queue_field(queues, "id", str(cl, "default_queue_id"), "key");
		if (key)
			cJSON_AddStringToObject(spec, "default_queue", key);
		cJSON_Delete(queues);
	}
	return doc;
}

/* export --cluster NAME|UUID (scope.extra "cluster=REF"; docs/buildkite.md);
 * a cluster the organisation lacks, or a name two clusters share, is an
 * error; the scope's "all" exports every cluster with a safe file name. */
static int export_one(cf_export *out, cf_bk_conn *c, const cJSON *clusters, const cJSON *cl, cf_error *err)
{
	int rc = CF_OK;
	cJSON *doc = cluster_doc(c, cl, err, &rc);
	char *file = cf_xasprintf("cluster-%s.yaml", str(cl, "id"));
	int n = 0;
	named(clusters, str(cl, "name"), &n);
	if (n == 1 && cf_schema_matches("[A-Za-z0-9._-]{1,100}", str(cl, "name"))) {
		free(file);
		file = cf_xasprintf("cluster-%s.yaml", str(cl, "name"));
	}
	cf_export_add(out, "clusters", file, doc);
	free(file);
	return rc;
}

static int export_clusters(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_bk_export_ctx *ctx = vctx;
	const cJSON *clusters = NULL;
	int rc = cf_bk_clusters(&clusters, ctx->c, err);
	const cJSON *cl;
	const cJSON *list = rc == CF_OK && ctx->scope->all ? clusters : NULL;
	cJSON_ArrayForEach(cl, list) {
		int n = 0;
		named(clusters, str(cl, "name"), &n);
		if (rc == CF_OK && n == 1) /* ambiguous names are left out rather than guessed */
			rc = export_one(out, ctx->c, clusters, cl, err);
	}
	for (size_t i = 0; rc == CF_OK && ctx->scope->extra && ctx->scope->extra[i]; i++) {
		const char *ref = ctx->scope->extra[i];
		if (strncmp(ref, "cluster=", 8) != 0)
			continue;
		ref += 8;
		int n = 0;
		const cJSON *hit = named(clusters, ref, &n);
		if (!hit)
			hit = find_id(clusters, ref);
		if (n > 1)
			rc = cf_error_set(err, CF_EUSAGE, "more than one cluster is named '%s': export it by UUID", ref);
		else if (!hit)
			rc = cf_error_set(err, CF_ENOTFOUND, "the organization has no cluster '%s'", ref);
		else
			rc = export_one(out, ctx->c, clusters, hit, err);
	}
	return rc;
}

const cf_kind cf_bk_cluster_kind = {
	.name = "Cluster",
	.api_version = "buildkite/v1",
	.noun = "cluster",
	.fields = fields,
	.has_project = false,
	.has_name = true,
	.name_key = NULL,
	.address = NULL,
	.absent_refusal = NULL,
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
	.delete_note = "deleting a cluster deletes its queues and agent tokens too",
	.preflight = preflight,
	.export = export_clusters,
};

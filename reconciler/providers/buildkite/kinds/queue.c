/*
 * queue: the ClusterQueue kind (apiVersion buildkite/v1): a queue of a
 * cluster, addressed ClusterQueue/CLUSTER/KEY (CLUSTER: a name or UUID as
 * the manifest writes it). Reading, comparing and checks here; writing and
 * export in queue_api.c.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/clusters/queues.md,
 * gob = go-buildkite cluster_queues.go, tf = terraform-provider-buildkite
 * buildkite/resource_cluster_queue.go):
 * - GET /clusters/ID/queues lists a cluster's queues (paged); a queue has
 *   key, description, retry_agent_affinity, dispatch_paused(+_note/_at/_by),
 *   and, when hosted, hosted: true and hosted_agents.instance_shape.name;
 * - key and cluster are immutable (tf RequiresReplace), so a changed key is
 *   another queue: a delete plus a create;
 * - a self-hosted queue cannot become hosted nor the reverse in place (tf
 *   RequiresReplace on hosted_agents); ciform refuses the plan rather than
 *   replacing a queue agents are attached to (docs/buildkite.md);
 * - dispatch_paused is the desired state: the core's activate (resume) and
 *   deactivate (pause), after every update.
 */
#include "reconciler/providers/buildkite/kinds/queue.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PATTERN "[A-Za-z0-9_-]+"

static const char *const affinities[] = {"prefer-warmest", "prefer-different", NULL};

static const cf_field hosted_fields[] = {
	{.key = "instance_shape", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[A-Z0-9_]+",
	 .match_words = "an instance shape such as LINUX_AMD64_2X4"},
	{.key = "agent_image_ref", .type = CF_T_IGNORE}, /* docs: write-only, sent with the shape; not managed */
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "description", .type = CF_T_STR},
	{.key = "retry_agent_affinity", .type = CF_T_STR, .one_of = affinities},
	{.key = "dispatch_paused", .type = CF_T_BOOL},
	{.key = "dispatch_paused_note", .type = CF_T_STR},
	{.key = "hosted_agents", .type = CF_T_MAP, .fields = hosted_fields},
	/* output-only fields of a GET answer (docs "Queue data model") */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "graphql_id", .type = CF_T_IGNORE},
	{.key = "key", .type = CF_T_IGNORE},
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "web_url", .type = CF_T_IGNORE},
	{.key = "cluster_url", .type = CF_T_IGNORE},
	{.key = "hosted", .type = CF_T_IGNORE},
	{.key = "dispatch_paused_by", .type = CF_T_IGNORE},
	{.key = "dispatch_paused_at", .type = CF_T_IGNORE},
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "cluster", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "[^/]{1,255}",
	 .match_words = "a cluster name or UUID"},
	{.key = "key", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = KEY_PATTERN,
	 .match_words = "a queue key of letters, digits, '_' and '-'"},
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
	if (!cl || !key || strchr(cl, '/') || !cf_schema_matches(KEY_PATTERN, key))
		return NULL; /* the field table reported it */
	return cf_xasprintf("%s/%s", cl, key);
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	if (!cJSON_IsObject(spec))
		spec = cJSON_AddObjectToObject(doc, "spec");
	bool paused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "dispatch_paused"));
	if (!paused && cJSON_HasObjectItem(spec, "dispatch_paused_note") && kc->opts && kc->opts->warnings)
		cf_kwarn(kc, "spec.dispatch_paused_note", "spec.dispatch_paused_note: sent with a pause only "
			 "(dispatch_paused: true); ignored here");
	/* dispatch_paused is the desired state: the core's activate/deactivate */
	cJSON_AddBoolToObject(spec, "active", !paused);
	(void)absent;
}

/* ---- reading ---- */

const char *cf_bk_queue_cluster_id(const cf_resource_set *set, const cJSON *clusters, const char *ref)
{
	const char *id = cf_bk_cluster_id(clusters, ref);
	for (size_t i = 0; !id && set && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const cJSON *o;
		if (r->kind == &cf_bk_cluster_kind && !r->absent && !strcmp(r->name, ref))
			cJSON_ArrayForEach(o, cf_json_path(r->doc, "metadata.renamed_from"))
				if (!id)
					id = cf_bk_cluster_id(clusters, o->valuestring);
	}
	return id;
}

/* The present Cluster manifest of the live cluster with this id, or NULL. */
const cf_resource *cf_bk_queue_cluster_manifest(const cf_resource_set *set, const cJSON *clusters, const char *id)
{
	for (size_t i = 0; set && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *rid = r->kind == &cf_bk_cluster_kind && !r->absent
					  ? cf_bk_queue_cluster_id(set, clusters, r->name) : NULL;
		if (rid && !strcmp(rid, id))
			return r;
	}
	return NULL;
}

bool cf_bk_queue_declared(const cf_resource_set *set, const char *cluster, const char *key)
{
	for (size_t i = 0; set && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind == &cf_bk_queue_kind && !r->absent && !strcmp(r->name, key) &&
		    !strcmp(cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster")), cluster))
			return true;
	}
	return false;
}

/* The manifest about the live queue key of the cluster id, or NULL. */
static const cf_resource *manifest_of(const cf_resource_set *set, const cJSON *clusters, const char *id,
				      const char *key)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		if (r->kind != &cf_bk_queue_kind || strcmp(r->name, key) != 0)
			continue;
		const char *rid = cf_bk_queue_cluster_id(set, clusters,
							 cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster")));
		if (rid && !strcmp(rid, id))
			return r;
	}
	return NULL;
}

/* Whether a Cluster manifest moves the cluster's default queue away from
 * key before deletes run (the Cluster phase comes first). */
static bool default_moves(const cf_resource *cluster, const char *key)
{
	const char *want = cluster ? cJSON_GetStringValue(cf_json_path(cluster->doc, "spec.default_queue")) : NULL;
	return want && strcmp(want, key) != 0;
}

/* The live queue as the diff reads it: active (not paused), and the hosted
 * shape's name at instance_shape. */
static cJSON *live_api(const cJSON *q, const char *cluster_id)
{
	cJSON *api = cJSON_Duplicate(q, 1);
	cJSON_AddBoolToObject(api, "active", !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "dispatch_paused")));
	const char *shape = cJSON_GetStringValue(cf_json_path(q, "hosted_agents.instance_shape.name"));
	cJSON_AddItemToObject(api, "instance_shape", shape ? cJSON_CreateString(shape) : cJSON_CreateNull());
	cJSON_DeleteItemFromObjectCaseSensitive(api, "cluster_id");
	cJSON_AddStringToObject(api, "cluster_id", cluster_id);
	return api;
}

/* Spec problems only the live queue shows. */
static void live_checks(const cf_resource *r, const cJSON *q, const cJSON *cl, const cf_resource *cluster,
			cf_diags *diags)
{
	bool hosted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "hosted"));
	if (!r->absent && cf_json_path(r->doc, "spec.hosted_agents") && !hosted)
		/* tf resource_cluster_queue.go: hosted_agents RequiresReplace */
		cf_resource_diag(diags, r, "spec.hosted_agents", "spec.hosted_agents: queue '%s' is self-hosted "
				 "and cannot become hosted; create the hosted queue under another key", r->name);
	if (r->absent && !strcmp(str(cl, "default_queue_id"), str(q, "id")) && !default_moves(cluster, r->name))
		cf_resource_diag(diags, r, "metadata.ensure", "metadata.ensure: queue '%s' is the default queue of "
				 "cluster '%s'; set the Cluster's default_queue to another queue first", r->name,
				 str(cl, "name"));
}

/* The queues of one live cluster in scope: each managed one at its
 * manifest's address, the others (but a default queue no manifest moves
 * away from) as unmanaged at ClusterQueue/NAME/KEY. */
static int read_cluster(cf_live *live, const cf_resource_set *set, cf_bk_conn *c, const cJSON *clusters,
			const cJSON *cl, cf_diags *diags, cf_error *err)
{
	cJSON *queues = NULL;
	char *e = cf_http_escape(str(cl, "id")), *path = cf_bk_path(c, "/clusters/%s/queues", e);
	int rc = cf_bk_list(&queues, c, path, err);
	free(path);
	free(e);
	const cf_resource *cluster = cf_bk_queue_cluster_manifest(set, clusters, str(cl, "id"));
	const cJSON *q;
	cJSON_ArrayForEach(q, (rc == CF_OK ? queues : NULL)) {
		const cf_resource *r = manifest_of(set, clusters, str(cl, "id"), str(q, "key"));
		if (r)
			live_checks(r, q, cl, cluster, diags);
		bool is_default = !strcmp(str(cl, "default_queue_id"), str(q, "id"));
		if (!r && is_default && !default_moves(cluster, str(q, "key")))
			continue; /* never pruned while it is the default (docs/buildkite.md) */
		char *addr = r ? cf_xstrdup(r->address)
			       : cf_xasprintf("ClusterQueue/%s/%s", cf_bk_cluster_alias(set, str(cl, "name")), str(q, "key"));
		cf_live_add(live, set, &cf_bk_queue_kind, addr, str(q, "id"), NULL, str(q, "key"),
			    live_api(q, str(cl, "id")));
		free(addr);
	}
	cJSON_Delete(queues);
	return rc;
}

/* Scope (docs/buildkite.md "Unmanaged scope"): the queues of clusters that
 * have a present Cluster manifest or any ClusterQueue manifest. */
static bool in_scope(const cf_resource_set *set, const cJSON *clusters, const char *id)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *ref = r->kind == &cf_bk_queue_kind ? cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster"))
				  : r->kind == &cf_bk_cluster_kind && !r->absent ? r->name : NULL;
		const char *rid = ref ? cf_bk_queue_cluster_id(set, clusters, ref) : NULL;
		if (rid && !strcmp(rid, id))
			return true;
	}
	return false;
}

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(conn);
	const cJSON *clusters = NULL, *cl;
	int rc = cf_bk_clusters(&clusters, c, err);
	size_t before = diags->count;
	/* binds set to live even when nothing is live: apply finds the Cluster
	 * manifests through ctx->live->set (queue_api.c make_default) */
	(void)cf_live_spec_address(live, set, &cf_bk_queue_kind, "", NULL);
	for (size_t i = 0; rc == CF_OK && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *ref = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.cluster"));
		if (r->kind != &cf_bk_queue_kind)
			continue;
		const char *org = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.organization"));
		if (org && strcmp(org, c->cfg.org) != 0)
			cf_resource_diag(diags, r, "metadata.organization", "metadata.organization: '%s', but this run "
					 "is connected to organization '%s'", org, c->cfg.org);
		if (!r->absent && !cf_bk_queue_cluster_id(set, clusters, ref) && !cf_bk_cluster_declared(set, ref))
			cf_resource_diag(diags, r, "metadata.cluster", "metadata.cluster: the organization has no "
					 "cluster '%s' and no Cluster manifest names it", ref);
	}
	cJSON_ArrayForEach(cl, (rc == CF_OK ? clusters : NULL))
		if (rc == CF_OK && in_scope(set, clusters, str(cl, "id")))
			rc = read_cluster(live, set, c, clusters, cl, diags, err);
	return rc == CF_OK && diags->count > before ? CF_EINVALID : rc;
}

/* ---- comparing ---- */

#define KEEP(field, lv) \
	{.name = "spec." field, .desired = "spec." field, .live = lv, .fallback = "null", .type = CF_D_VALUE, \
	 .omitted_keeps_live = true}

static const cf_diff_field diff[] = {
	KEEP("description", "description"),
	KEEP("retry_agent_affinity", "retry_agent_affinity"),
	KEEP("hosted_agents.instance_shape", "instance_shape"),
	{.name = NULL},
};

const cf_kind cf_bk_queue_kind = {
	.name = "ClusterQueue",
	.api_version = "buildkite/v1",
	.noun = "queue",
	.fields = fields,
	.has_project = false,
	.has_name = true,
	.name_key = "key",
	.address = address,
	.absent_refusal = NULL,
	.check = check,
	.schema_rules = NULL,
	.diff = diff,
	.has_active = true,
	.read_live = read_live,
	.check_set = NULL,
	.apply = cf_bk_queue_apply,
	.live_problem = NULL,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL,
	.prune_note = NULL,
	.activate_op = "resume", /* POST .../resume_dispatch (docs clusters/queues.md) */
	.deactivate_op = "pause", /* POST .../pause_dispatch */
	.prune_op = NULL,
	.preflight = cf_bk_queue_preflight,
	.export = cf_bk_queue_export,
};

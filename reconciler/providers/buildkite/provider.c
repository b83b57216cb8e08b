/*
 * provider: Buildkite behind the core's provider table (provider.h): the
 * apiVersion buildkite/v1, its kinds, the order their changes run in, and a
 * connection that is one REST v2 client bound to one organisation slug.
 *
 * Order (docs/buildkite.md): clusters, their queues (a queue made a
 * cluster's default after it exists), agent tokens and secrets, the
 * organisation's pipeline settings (a default cluster may be new), then
 * pipelines (a pipeline names its cluster, which may be created in the
 * same run), then their schedules; archive and unarchive, pause and resume (the activations)
 * after the updates, because the API refuses updates to an archived
 * pipeline (tf resource_pipeline.go Update: "Archive last").
 * Deletes run the other way round.
 */
#include "reconciler/providers/buildkite/bk.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/token_file.h"

#include <stdlib.h>
#include <string.h>

static const char *const api_versions[] = {"buildkite/v1", NULL};

static const cf_kind *const kinds[] = {
	&cf_bk_cluster_kind,
	&cf_bk_queue_kind,
	&cf_bk_token_kind,
	&cf_bk_secret_kind,
	&cf_bk_settings_kind,
	&cf_bk_pipeline_kind,
	&cf_bk_schedule_kind,
	NULL,
};

static const char *const write_phases[] = {"Cluster", "ClusterQueue", "ClusterAgentToken", "ClusterSecret",
					   "OrganizationPipelineSettings", "Pipeline", "PipelineSchedule",
					   CF_PHASE_ACTIVATIONS, NULL};
static const char *const delete_phases[] = {"PipelineSchedule", "Pipeline", "OrganizationPipelineSettings",
					    "ClusterSecret", "ClusterAgentToken", "ClusterQueue", "Cluster", NULL};

static void bk_close(cf_conn *c)
{
	cf_bk_conn *b = cf_bk_of(c);
	cf_http_client_free(c->impl);
	cf_bk_config_clear(&b->cfg);
	cJSON_Delete(b->scopes);
	cJSON_Delete(b->clusters);
	cJSON_Delete(b->prefetched);
	free(b->token_dir);
	free(b->where);
	free(b);
}

static int open_client(cf_conn **out, cf_bk_conn *b, cf_error *err)
{
	b->base.provider = &cf_buildkite_provider;
	int rc = cf_http_client_new((cf_http_client **)&b->base.impl, &b->cfg.http, err);
	if (rc != CF_OK) {
		bk_close(&b->base);
		return rc;
	}
	b->where = b->cfg.source ? cf_xasprintf("Buildkite organization %s (%s)", b->cfg.org, b->cfg.source)
				 : cf_xasprintf("Buildkite organization %s", b->cfg.org);
	*out = &b->base;
	return CF_OK;
}

static int bk_connect(cf_conn **out, const cf_conn_settings *in, const cf_limits *l, cf_error *err)
{
	*out = NULL;
	cf_bk_conn *b = cf_xcalloc(1, sizeof(*b));
	int rc = cf_bk_config_resolve(&b->cfg, in, err);
	if (rc != CF_OK) {
		free(b);
		return rc;
	}
	b->token_dir = cf_token_dir(cf_conn_option(in, "registration-token-dir"));
	if (l && l->parallelism > 0)
		b->cfg.http.parallelism = l->parallelism;
	if (l && l->timeout_ms > 0)
		b->cfg.http.timeout_ms = l->timeout_ms;
	if (l && l->max_answer_bytes > 0)
		b->cfg.http.max_answer_bytes = l->max_answer_bytes;
	if (l && l->max_requests > 0)
		b->cfg.http.max_requests = l->max_requests;
	return open_client(out, b, err);
}

static char *dup_or_null(const char *v)
{
	return v ? cf_xstrdup(v) : NULL;
}

static int bk_clone(cf_conn **out, const cf_conn *c, cf_error *err)
{
	const cf_bk_conn *from = (const cf_bk_conn *)c;
	cf_bk_conn *b = cf_xcalloc(1, sizeof(*b));
	b->cfg = from->cfg;
	b->cfg.http.base_url = dup_or_null(from->cfg.http.base_url);
	b->cfg.http.token = dup_or_null(from->cfg.http.token);
	b->cfg.http.context = dup_or_null(from->cfg.http.context);
	b->cfg.org = dup_or_null(from->cfg.org);
	b->cfg.source = dup_or_null(from->cfg.source);
	b->scopes = from->scopes ? cJSON_Duplicate(from->scopes, 1) : NULL;
	b->token_dir = dup_or_null(from->token_dir);
	return open_client(out, b, err);
}

static const char *bk_where(const cf_conn *c)
{
	return ((const cf_bk_conn *)c)->where;
}

static const char *bk_org(const cf_conn *c)
{
	return ((const cf_bk_conn *)c)->cfg.http.base_url;
}

static unsigned long bk_requests(const cf_conn *c)
{
	return cf_http_client_requests(c->impl);
}

static void bk_on_progress(cf_conn *c, void (*fn)(void *ud, unsigned long done), void *ud)
{
	cf_http_client_on_progress(c->impl, fn, ud);
}

static void bk_on_trace(cf_conn *c, void (*fn)(void *ud, const cf_trace *t), void *ud)
{
	cf_http_client_on_trace(c->impl, fn, ud);
}

static bool kind_in_set(const cf_kind *k, const cf_resource_set *set)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (set->items[i].kind == k)
			return true;
	return false;
}

/* The read scopes the manifests need (docs/buildkite.md: Pipeline and
 * PipelineSchedule need read_pipelines; every kind that names a cluster,
 * and Pipeline for its cluster's name, read_clusters; ClusterSecret
 * read_secret_details; OrganizationPipelineSettings
 * read_organization_settings), checked before anything is read: a missing
 * scope is named, not met as a 403 halfway. */
static int bk_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	const char *need[5] = {NULL};
	size_t n = 0;
	/* a cluster's manifest puts its pipelines and queues in the prune scope */
	bool pipelines = kind_in_set(&cf_bk_pipeline_kind, set) || kind_in_set(&cf_bk_cluster_kind, set);
	bool queues = kind_in_set(&cf_bk_queue_kind, set) || kind_in_set(&cf_bk_cluster_kind, set);
	bool secrets = kind_in_set(&cf_bk_secret_kind, set), settings = kind_in_set(&cf_bk_settings_kind, set);
	if (pipelines || kind_in_set(&cf_bk_schedule_kind, set))
		need[n++] = "read_pipelines";
	if (pipelines || queues || secrets || settings || kind_in_set(&cf_bk_token_kind, set))
		need[n++] = "read_clusters";
	if (secrets) /* docs clusters/secrets.md: List secrets */
		need[n++] = "read_secret_details";
	if (settings) /* docs organizations/pipeline_settings.md */
		need[n++] = "read_organization_settings";
	int rc = cf_bk_require_scopes(cf_bk_of(c), need, "reading the live state", err);
	/* a kind's spec problems (CF_EINVALID, in diags) do not stop the next
	 * kind's reads: every problem is reported in one run */
	int problems = CF_OK;
	for (size_t i = 0; rc == CF_OK && kinds[i]; i++)
		if (kind_in_set(kinds[i], set) || (kinds[i] == &cf_bk_pipeline_kind && pipelines) ||
		    (kinds[i] == &cf_bk_queue_kind && queues)) {
			rc = kinds[i]->read_live(live, set, c, diags, err);
			if (rc == CF_EINVALID) {
				problems = CF_EINVALID;
				rc = CF_OK;
			}
		}
	return rc == CF_OK ? problems : rc;
}

static int bk_export(cf_export *out, cf_conn *c, const cf_export_scope *scope, cf_error *err)
{
	cf_bk_export_ctx ctx = {.c = cf_bk_of(c), .scope = scope};
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && kinds[i]; i++)
		rc = kinds[i]->export(out, &ctx, err);
	return rc;
}

const cf_provider cf_buildkite_provider = {
	.name = "buildkite",
	.api_versions = api_versions,
	.kinds = kinds,
	.write_phases = write_phases,
	.delete_phases = delete_phases,
	.connect = bk_connect,
	.clone = bk_clone,
	.close = bk_close,
	.where = bk_where,
	.org = bk_org,
	.requests = bk_requests,
	.on_progress = bk_on_progress,
	.on_trace = bk_on_trace,
	.read_live = bk_read_live,
	.export = bk_export,
};

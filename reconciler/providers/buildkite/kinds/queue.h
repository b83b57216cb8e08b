/*
 * queue: what the ClusterQueue kind's two files (queue.c: checks, reading,
 * comparing; queue_api.c: writing, export) share.
 */
#ifndef CF_BK_QUEUE_H
#define CF_BK_QUEUE_H

#include "reconciler/providers/buildkite/bk.h"

struct cf_apply_ctx;
struct cf_change;
struct cf_export;

/* The live cluster UUID a manifest's cluster reference names: a live name
 * or UUID, or a Cluster manifest's name whose renamed_from is live; NULL. */
const char *cf_bk_queue_cluster_id(const struct cf_resource_set *set, const cJSON *clusters, const char *ref);
/* The present Cluster manifest of the live cluster id, or NULL. */
const struct cf_resource *cf_bk_queue_cluster_manifest(const struct cf_resource_set *set, const cJSON *clusters,
							 const char *id);

int cf_bk_queue_apply(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_queue_preflight(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_queue_export(struct cf_export *out, const void *ctx, cf_error *err);

#endif

/*
 * export: what the Buildkite kinds' export hooks get (kind.h export's ctx):
 * the connection and the scope. Scope: all, or kinds by name ("Pipeline",
 * "Cluster"); see docs/buildkite.md for the flags still to come.
 */
#ifndef CF_BK_EXPORT_H
#define CF_BK_EXPORT_H

#include "reconciler/export.h"
#include "reconciler/providers/buildkite/bk.h"

typedef struct cf_bk_export_ctx {
	cf_bk_conn *c;
	const cf_export_scope *scope;
} cf_bk_export_ctx;

/* How many of clusters (the organisation's) are called name. */
int cf_bk_clusters_named(const cJSON *clusters, const char *name);

/* Calls one for each cluster the export covers: every cluster with a unique
 * name for --all, and each --cluster NAME|UUID (scope extra "cluster=...");
 * unknown or ambiguous references were refused by the Cluster kind's export,
 * which runs first. */
int cf_bk_export_each_cluster(cf_export *out, const void *vctx,
			      int (*one)(cf_export *out, cf_bk_conn *c, const cJSON *clusters, const cJSON *cl,
					 cf_error *err),
			      cf_error *err);

#endif

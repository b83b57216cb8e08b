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

#endif

/*
 * secret: what the ClusterSecret kind's two files (secret.c: checks,
 * reading, comparing; secret_api.c: writing, export) share.
 */
#ifndef CF_BK_SECRET_H
#define CF_BK_SECRET_H

#include "reconciler/providers/buildkite/bk.h"

struct cf_apply_ctx;
struct cf_change;
struct cf_export;

int cf_bk_secret_apply(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_secret_preflight(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_secret_export(struct cf_export *out, const void *ctx, cf_error *err);

#endif

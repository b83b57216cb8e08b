/*
 * token: what the ClusterAgentToken kind's two files (token.c: checks,
 * reading, comparing; token_api.c: writing, export) share: where a token's
 * value is kept (token_file.h's scheme, DIR/CLUSTER/DESCRIPTION.token).
 */
#ifndef CF_BK_TOKEN_H
#define CF_BK_TOKEN_H

#include <time.h>
#include "reconciler/providers/buildkite/bk.h"

struct cf_apply_ctx;
struct cf_change;
struct cf_export;

/* "CLUSTER/DESCRIPTION" with every character outside [A-Za-z0-9._-]
 * turned into '_': the token's name under the token directory (caller
 * frees). */
char *cf_bk_token_name(const char *cluster, const char *description);
/* An RFC 3339 time ("2027-01-01T00:00:00Z", "...+02:00", fractions
 * allowed) as seconds since the epoch; false when it is none. */
bool cf_bk_time(const char *text, time_t *out);

int cf_bk_token_apply(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_token_preflight(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_token_export(struct cf_export *out, const void *ctx, cf_error *err);

#endif

/*
 * runner_token: what the RunnerToken kind's two files share
 * (runner_token.c: the manifest, reading, the value's file, export;
 * runner_token_apply.c: create and delete). A token's value is kept in
 * DIR/circleci/NS/NAME/NICK.token (token_file.h's scheme, its pending
 * marker NICK.token.pending beside it), never printed.
 */
#ifndef CF_CCI_RUNNER_TOKEN_H
#define CF_CCI_RUNNER_TOKEN_H

#include "reconciler/apply.h"
#include "reconciler/providers/circleci/kinds.h"

/* "circleci/NS/NAME/NICK", each part file-safe: the token's name under the
 * token directory; caller frees. */
char *cf_cci_runner_token_name(const char *cls, const char *nickname);

int cf_cci_runner_token_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
int cf_cci_runner_token_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);

#endif

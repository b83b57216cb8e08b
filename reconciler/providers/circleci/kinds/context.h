/*
 * context: what the Context kind's files share (context.c: the manifest,
 * comparing, export; context_live.c: reading and writing).
 */
#ifndef CF_CCI_CONTEXT_H
#define CF_CCI_CONTEXT_H

#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/providers/circleci/kinds.h"

/* CircleCI keeps at most 100 variables in a context, and lists 100 (LABS
 * ic/environment_variable.go). */
#define CF_CCI_CONTEXT_MAX_VARS 100

extern const cf_diff_field cf_cci_context_diff[];

int cf_cci_context_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags,
			     cf_error *err);
int cf_cci_context_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
/* GET /context?owner-id=ORG&owner-type=organization, every page. */
int cf_cci_context_list(cJSON **out, cf_conn *c, const char *org_id, cf_error *err);
/* GET /context/{id}/restrictions and /environment-variable. *truncated:
 * more variables exist than the list shows (a non-null next_page_token). */
int cf_cci_context_restrictions(cJSON **out, cf_conn *c, const char *id, cf_error *err);
int cf_cci_context_vars(cJSON **out, bool *truncated, cf_conn *c, const char *id, cf_error *err);

#endif

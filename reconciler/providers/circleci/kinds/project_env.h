/*
 * project_env: what the ProjectEnvironment kind's files share
 * (project_env.c: the manifest, comparing, export; project_env_live.c:
 * reading and writing).
 */
#ifndef CF_CCI_PROJECT_ENV_H
#define CF_CCI_PROJECT_ENV_H

#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/providers/circleci/kinds.h"

int cf_cci_project_env_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags,
				 cf_error *err);
int cf_cci_project_env_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
/* GET /project/{slug}/envvar, every page: [{name, value: "xxxx" + tail, created_at}]. */
int cf_cci_project_env_list(cJSON **out, cf_conn *c, const char *slug, cf_error *err);

#endif

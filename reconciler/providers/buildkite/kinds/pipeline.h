/*
 * pipeline: what the Pipeline kind's two files share: the manifest side
 * (pipeline.c: schema and offline checks) and the API side
 * (pipeline_api.c: diff, read, apply, export).
 */
#ifndef CF_BK_PIPELINE_H
#define CF_BK_PIPELINE_H

#include "reconciler/providers/buildkite/bk.h"

extern const cf_field cf_bk_pipeline_fields[];
extern const char *const cf_bk_pipeline_nullable[];
void cf_bk_pipeline_check(cf_kctx *kc, cJSON *doc, bool absent);

#endif

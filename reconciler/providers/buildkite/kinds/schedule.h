/*
 * schedule: what the PipelineSchedule kind's two files (schedule.c:
 * checks, reading, comparing; schedule_api.c: writing, export) share.
 */
#ifndef CF_BK_SCHEDULE_H
#define CF_BK_SCHEDULE_H

#include "reconciler/providers/buildkite/bk.h"

struct cf_apply_ctx;
struct cf_change;
struct cf_export;

/* Why cron is no cronline Buildkite takes, or NULL (static text). */
const char *cf_bk_cronline_problem(const char *cron);

int cf_bk_schedule_apply(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_schedule_preflight(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_schedule_export(struct cf_export *out, const void *ctx, cf_error *err);

#endif

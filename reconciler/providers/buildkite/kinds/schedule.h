/*
 * schedule: what the PipelineSchedule kind's two files (schedule.c:
 * checks, reading, comparing; schedule_api.c: writing, export; cronline.c:
 * the cron check) share.
 */
#ifndef CF_BK_SCHEDULE_H
#define CF_BK_SCHEDULE_H

#include "reconciler/providers/buildkite/bk.h"

struct cf_apply_ctx;
struct cf_change;
struct cf_export;

/* Reports at `at` each reason cron is no cronline Buildkite takes
 * (cronline.c). */
void cf_bk_check_cronline(cf_kctx *kc, const char *at, const char *cron);

int cf_bk_schedule_apply(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_schedule_preflight(struct cf_apply_ctx *ctx, const struct cf_change *ch, cf_error *err);
int cf_bk_schedule_export(struct cf_export *out, const void *ctx, cf_error *err);

#endif

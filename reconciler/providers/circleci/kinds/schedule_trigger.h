/*
 * schedule_trigger: what the ScheduleTrigger kind's files share
 * (schedule_trigger.c: the manifest, cron, comparing, export;
 * schedule_trigger_live.c: reading and writing through the trigger API).
 */
#ifndef CF_CCI_SCHEDULE_TRIGGER_H
#define CF_CCI_SCHEDULE_TRIGGER_H

#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/providers/circleci/kinds.h"

/* NULL when expr is a 5-field cron expression with numbers in range
 * (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-7; * , - /),
 * else why not (caller frees). PUB internal/provider/cron_expression_validator.go. */
char *cf_cci_cron_problem(const char *expr);

int cf_cci_trigger_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags,
			     cf_error *err);
int cf_cci_trigger_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);

/* GET /projects/{id}/pipeline-definitions: *out the {items}; *missing set
 * (CF_OK) when the host answers 404: no trigger API there (CircleCI Server). */
int cf_cci_definitions(cJSON **out, bool *missing, cf_conn *c, const char *project_id, cf_error *err);
/* Every schedule trigger of the project, each with "definition_id" added
 * (one GET per definition: the list is nested under it). */
int cf_cci_schedule_triggers(cJSON **out, cf_conn *c, const char *project_id, const cJSON *defs, cf_error *err);

#endif

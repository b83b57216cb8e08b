/*
 * kinds: the Semaphore kinds, one cf_kind table each (kinds/X.c), and the
 * hooks of the kinds that span two files (kinds/X_live.c).
 */
#ifndef CF_SEM_KINDS_H
#define CF_SEM_KINDS_H

#include "reconciler/apply.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"
#include "reconciler/provider.h"

extern const cf_provider cf_semaphore_provider;

extern const cf_kind cf_sem_agent_type_kind;
extern const cf_kind cf_sem_target_kind;
extern const cf_kind cf_sem_retention_kind;
extern const cf_kind cf_sem_secret_kind;
extern const cf_kind cf_sem_project_secret_kind;
extern const cf_kind cf_sem_project_kind;
extern const cf_kind cf_sem_task_kind;
extern const cf_kind cf_sem_notification_kind;
extern const cf_kind cf_sem_dashboard_kind;

/* kinds/project_tasks.c: what Task and Project (spec.tasks) share. A cron
 * expression as the scheduler takes it (5 fields, or why not in why); a
 * task's full ref from branch: / reference: (a branch name, refs/tags/X,
 * {type, name}); a parameter list in the server's complete shape. */
bool cf_sem_cron_ok(const char *expr, char *why, size_t n);
char *cf_sem_task_ref(const cJSON *branch, const cJSON *reference);
cJSON *cf_sem_task_params(const cJSON *params);
/* The list of strings under key of the mapping at path (obj is its JSON),
 * put in obj (the schema has no list-of-strings type yet). */
void cf_sem_str_list(cf_kctx *kc, cJSON *obj, const char *path, const char *key);
/* The Project kind's read_live and export hooks (kinds/project_tasks.c). */
int cf_sem_project_read_live(cf_live *live, const cf_resource_set *set, struct cf_conn *c, cf_diags *diags,
			     cf_error *err);
int cf_sem_project_export(struct cf_export *out, const void *ctx, cf_error *err);

extern const cf_diff_field cf_sem_agent_type_diff[];
extern const cf_diff_field cf_sem_target_diff[];
extern const cf_diff_field cf_sem_retention_diff[];

int cf_sem_agent_type_read_live(cf_live *live, const cf_resource_set *set, struct cf_conn *c,
				cf_diags *diags, cf_error *err);
int cf_sem_target_read_live(cf_live *live, const cf_resource_set *set, struct cf_conn *c,
			    cf_diags *diags, cf_error *err);
int cf_sem_retention_read_live(cf_live *live, const cf_resource_set *set, struct cf_conn *c,
			       cf_diags *diags, cf_error *err);

int cf_sem_agent_type_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
int cf_sem_agent_type_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
char *cf_sem_agent_type_live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field,
				     const char **after);
char *cf_sem_target_live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field,
				 const char **after);
int cf_sem_target_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);
int cf_sem_retention_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err);

#endif

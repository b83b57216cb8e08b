/*
 * bk_sandbox: what the Buildkite sandbox's files share: one request in
 * flight (bkx_call), answers, errors, paging and scope checks.
 */
#ifndef SBX_BK_SANDBOX_H
#define SBX_BK_SANDBOX_H

#include <stdarg.h>
#include "cmd/sandbox/sandbox.h"

typedef struct bkx_call {
	sbx *s;
	void *conn;
	const char *url, *method;
	cJSON *body; /* parsed JSON body, or NULL */
	cJSON *bk;   /* the state's "buildkite" object */
	sbx_resp *rs;
} bkx_call;

cJSON *bkx_state(sbx *s);
void bkx_answer(bkx_call *c, int status, cJSON *body);
void bkx_fail(bkx_call *c, int status, const char *msg);
void bkx_header(bkx_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bkx_page(bkx_call *c, const cJSON *all, const char *path);
bool bkx_scope(bkx_call *c, const char *scope);
/* clusters.c: rest is what follows /clusters */
void bkx_clusters(bkx_call *c, const char *rest);
/* queues.c: rest is what follows /clusters/ID/queues */
void bkx_queues(bkx_call *c, const cJSON *cl, const char *rest);
/* tokens.c: rest is what follows /clusters/ID/tokens */
void bkx_tokens(bkx_call *c, const cJSON *cl, const char *rest);
/* secrets.c: rest is what follows /clusters/ID/secrets */
void bkx_secrets(bkx_call *c, const cJSON *cl, const char *rest);
/* schedules.c: rest is what follows /pipelines/SLUG/schedules */
void bkx_schedules(bkx_call *c, const char *slug, const char *rest);
/* settings.c: rest is what follows /pipeline-settings */
void bkx_settings(bkx_call *c, const char *rest);
/* pipelines.c: rest is what follows /pipelines */
void bkx_pipelines(bkx_call *c, const char *rest);
bool bkx_archived(const cJSON *p);
/* teams.c: rest is what follows /teams */
void bkx_teams(bkx_call *c, const char *rest);
cJSON *bkx_list(bkx_call *c, const char *name); /* a list of the state, made when missing */
bool bkx_team_level(const char *v);
void bkx_team_pipeline_add(bkx_call *c, const char *team_id, const char *pipeline_id, const char *level);
void bkx_team_pipelines_drop(bkx_call *c, const char *pipeline_id);

#endif

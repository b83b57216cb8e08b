/*
 * cci: what the CircleCI sandbox's files share (circleci.c: the token
 * check, routing, organisations and contexts; project.c: a project's
 * variables and settings). Answers follow the v2 API's shapes; each rule
 * names its evidence where it is emulated.
 */
#ifndef SBX_CCI_H
#define SBX_CCI_H

#include "cmd/sandbox/sandbox.h"

typedef struct cci_req {
	sbx *s;
	void *conn;
	const char *method;
	char *seg[8]; /* the path after /api/v2, split at / and unescaped */
	int nseg;
	cJSON *body;
	cJSON *root; /* the state's "circleci" object */
} cci_req;

/* v2 errors are {"message": ...} (LABS ic/error.go; PUB fakecircle/response.go msg) */
void cci_fail(sbx_resp *rs, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cci_ok(sbx_resp *rs, int status, cJSON *body);
/* root[key] as an array, made empty when it is not one. */
cJSON *cci_list_of(cJSON *root, const char *key);
/* o's "id", made up at first use. */
const char *cci_id_of(cJSON *o);
cJSON *cci_by_id(cJSON *list, const char *id);
const char *cci_query(const cci_req *q, const char *key);
/* o[key] = now, ISO 8601. */
void cci_touch(cJSON *o, const char *key);
/* The last min(4, floor(len/2)) characters of v; caller frees. */
char *cci_tail_of(const char *v);
void cci_remove_item(cJSON *list, cJSON *item);
/* The project whose slug is seg[1]/seg[2]/seg[3], or NULL. */
cJSON *cci_project_at(cci_req *q);

/* project.c: /project/{vcs}/{org}/{repo}/envvar[/{name}] and /settings. */
void cci_project_routes(cci_req *q, sbx_resp *rs);
/* settings.c: GET|PATCH /project/{vcs}/{org}/{repo}/settings. */
void cci_settings_route(cci_req *q, cJSON *project, sbx_resp *rs);
/* triggers.c: /projects/{id}/pipeline-definitions[/{def}/triggers], /projects/{id}/triggers/{id}. */
void cci_trigger_routes(cci_req *q, sbx_resp *rs);
/* webhooks.c: /webhook[/{id}]. */
void cci_webhook_routes(cci_req *q, sbx_resp *rs);
/* runner.c: /api/v3/runner/... (after the token check). */
void cci_runner_answer(sbx *s, void *conn, const char *url, const char *method, const char *body, size_t len,
		       sbx_resp *rs);

#endif

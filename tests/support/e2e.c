/*
 * e2e: the scene every end-to-end test of plan, apply, drift and export uses.
 */
#include "tests/support/e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void e2e_up(e2e *e, const char *seed, const char *const *args, const char *const *env)
{
	memset(e, 0, sizeof(*e));
	const char *dir = fx_enter_tmpdir();
	snprintf(e->state_env, sizeof(e->state_env), "XDG_STATE_HOME=%s/state", dir);
	fx_write("seed.json", seed);
	const char *a[24] = {"--seed", "seed.json", "--sync-ms", "50"};
	size_t n = 4;
	for (size_t i = 0; args && args[i] && n < 23; i++)
		a[n++] = args[i];
	fx_sandbox_start(&e->sb, a);
	snprintf(e->url_env, sizeof(e->url_env), "SEMAPHORE_ORG_URL=%s", e->sb.url);
	size_t k = 0;
	e->env[k++] = e->url_env;
	e->env[k++] = "SEMAPHORE_API_TOKEN=" TEST_TOKEN;
	e->env[k++] = e->state_env;
	for (size_t i = 0; env && env[i] && k < 15; i++)
		e->env[k++] = env[i];
	e->api = fx_client(&e->sb, 3);
}

void e2e_down(e2e *e)
{
	cf_http_client_free(e->api);
	fx_sandbox_stop(&e->sb);
	fx_leave_tmpdir();
}

fx_result e2e_ciform(e2e *e, const char *const *args)
{
	return fx_ciform(args, e->env, NULL);
}

cJSON *e2e_get(e2e *e, const char *path)
{
	cJSON *out = NULL;
	cf_error err = {0};
	cf_http_request(&out, e->api, "GET", CF_HTTP_IDEMPOTENT, NULL, path, &err);
	cf_error_clear(&err);
	return out;
}

char *e2e_target_id(e2e *e, const char *project_id, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "/deployment_targets?project_id=%s", project_id);
	cJSON *list = e2e_get(e, path), *t;
	char *id = cf_xstrdup("");
	cJSON_ArrayForEach(t, list)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(t, "name")), name)) {
			free(id);
			id = cf_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(t, "id")));
		}
	cJSON_Delete(list);
	return id;
}

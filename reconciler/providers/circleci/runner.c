/*
 * runner: the runner API client (runner.h). Evidence: PUB =
 * CircleCI-Public/terraform-provider-circleci internal/circleci/runner/
 * runner.go, LABS = CircleCI-Labs/terraform-provider-circleci
 * internal/circleci/runner.go; docs/circleci.md "Runner" lists each rule.
 */
#include "reconciler/providers/circleci/runner.h"
#include "reconciler/token_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOUD_HOST "https://circleci.com"
#define CLOUD_RUNNER_HOST "https://runner.circleci.com" /* PUB NewService; LABS DefaultRunnerHost */

static const char *env(const char *a, const char *b)
{
	const char *v = getenv(a);
	if (v && *v)
		return v;
	v = getenv(b);
	return v && *v ? v : NULL;
}

int cf_cci_runner_origin(char **out, const char *host, const char *flag, cf_error *err)
{
	const char *set = flag ? flag : env("CIRCLECI_RUNNER_HOST", "CIRCLE_RUNNER_HOST");
	/* Server serves the runner API itself (LABS runner.go DefaultRunnerHost) */
	const char *h = set ? set : !strcmp(host, CLOUD_HOST) ? CLOUD_RUNNER_HOST : host;
	int rc = cf_cci_host_normalize(out, h, err);
	if (rc != CF_OK && set) {
		char *why = cf_xstrdup(err->message);
		rc = cf_error_set(err, rc, "%s: %s", flag ? "--circleci-runner-host" : "CIRCLECI_RUNNER_HOST", why);
		free(why);
	}
	return rc;
}

char *cf_cci_runner_token_dir(cf_conn *c)
{
	return cf_token_dir(cf_cci_of(c)->token_dir); /* --registration-token-dir, else the default */
}

int cf_cci_runner_of(cf_cci_runner **out, cf_conn *c, cf_error *err)
{
	cf_cci_conn *k = cf_cci_of(c);
	if (k->runner) {
		*out = k->runner;
		return CF_OK;
	}
	cf_cci_runner *r = cf_xcalloc(1, sizeof(*r));
	int rc = cf_cci_runner_origin(&r->host, k->host, k->runner_host, err);
	if (rc == CF_OK) {
		r->cfg = k->cfg; /* the same token, limits and hints */
		r->cfg.base_url = cf_xasprintf("%s/api/v3", r->host);
		r->cfg.token = cf_xstrdup(k->cfg.token);
		r->cfg.context = NULL;
		r->token_dir = cf_cci_runner_token_dir(c);
		rc = cf_http_client_new(&r->http, &r->cfg, err);
		if (rc == CF_OK)
			cf_http_client_on_trace(r->http, k->trace, k->trace_ud); /* --debug sees the runner API too */
	}
	if (rc != CF_OK) {
		cf_cci_runner_free(r);
		return rc;
	}
	k->runner = r;
	*out = r;
	return CF_OK;
}

void cf_cci_runner_free(cf_cci_runner *r)
{
	if (!r)
		return;
	cf_http_client_free(r->http);
	cf_http_config_clear(&r->cfg);
	free(r->host);
	free(r->token_dir);
	free(r);
}

bool cf_cci_runner_class_shaped(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

char *cf_cci_runner_namespace(const char *cls)
{
	const char *slash = strchr(cls, '/');
	return slash ? cf_xasprintf("%.*s", (int)(slash - cls), cls) : cf_xstrdup(cls);
}

static int get_list(cJSON **out, cf_conn *c, const char *path, cf_error *err)
{
	cf_cci_runner *r = NULL;
	int rc = cf_cci_runner_of(&r, c, err);
	/* {"items": [...]}, no page token (LABS runner.go resourceClassItems,
	 * tokenItems: "the API answers {"items": [...]}, not a bare array") */
	return rc == CF_OK ? cf_http_get_list(out, r->http, path, "items", err) : rc;
}

int cf_cci_runner_classes(cJSON **out, cf_conn *c, const char *ns, cf_error *err)
{
	/* namespace only: with org-id too the server ignores the namespace
	 * (LABS ListResourceClasses), and ciform knows no organisation here:
	 * the namespace decides the owner */
	char *e = cf_http_escape(ns), *path = cf_xasprintf("/api/v3/runner/resource?namespace=%s", e);
	int rc = get_list(out, c, path, err);
	const char *prefix_ns = ns;
	size_t n = strlen(prefix_ns);
	for (cJSON *x = rc == CF_OK ? (*out)->child : NULL, *next; x; x = next) {
		next = x->next; /* keep only NS/... (an answer scoped wider would be pruned wrongly) */
		const char *cls = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "resource_class"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "id"));
		if (!cls || !id || strncmp(cls, prefix_ns, n) != 0 || cls[n] != '/')
			cJSON_Delete(cJSON_DetachItemViaPointer(*out, x));
	}
	free(path);
	free(e);
	return rc;
}

int cf_cci_runner_tokens(cJSON **out, cf_conn *c, const char *cls, cf_error *err)
{
	/* resource-class is required (400 without: LABS ListTokens); a class
	 * that cannot be resolved is 404, as for every runner route (LABS
	 * DeleteToken, UnclaimedTaskCount: middleware.AccessDeniedMsg) */
	char *e = cf_http_escape(cls), *path = cf_xasprintf("/api/v3/runner/token?resource-class=%s", e);
	int rc = get_list(out, c, path, err);
	for (cJSON *x = rc == CF_OK ? (*out)->child : NULL, *next; x; x = next) {
		next = x->next;
		cJSON_DeleteItemFromObjectCaseSensitive(x, "token"); /* never there (LABS Token); never kept */
		if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "id")) ||
		    !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "nickname")))
			cJSON_Delete(cJSON_DetachItemViaPointer(*out, x));
	}
	free(path);
	free(e);
	return rc;
}

int cf_cci_runner_running(long *n, cf_conn *c, const char *cls, cf_error *err)
{
	cf_cci_runner *r = NULL;
	int rc = cf_cci_runner_of(&r, c, err);
	char *e = cf_http_escape(cls), *path = cf_xasprintf("/api/v3/runner/tasks/running?resource-class=%s", e);
	cJSON *answer = NULL;
	if (rc == CF_OK)
		rc = cf_http_request(&answer, r->http, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	/* {"running_runner_tasks": N} (PUB RunningTaskCount; LABS RunningTaskCount) */
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(answer, "running_runner_tasks");
	if (rc == CF_OK && !cJSON_IsNumber(v))
		rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has no running_runner_tasks count", path);
	*n = rc == CF_OK ? (long)v->valuedouble : 0;
	cJSON_Delete(answer);
	free(path);
	free(e);
	return rc;
}

int cf_cci_runner_send(cJSON **out, long *status, bool *lost, cf_conn *c, const char *method, const char *path,
		       const cJSON *body, cf_error *err)
{
	cf_cci_runner *r = NULL;
	int rc = cf_cci_runner_of(&r, c, err);
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	*lost = false;
	*status = 0;
	if (out)
		*out = NULL;
	/* No idempotency key exists on the runner API either: only a 429, which
	 * did nothing, is sent again (the engine's retry_429_writes, set for v2
	 * in config.c and copied with the rest of the configuration). */
	if (rc == CF_OK) {
		cf_http_call call;
		cf_http_call_init(&call, method, 0, text, "%s", path);
		rc = cf_http_run(r->http, &call, 1, err);
		*status = call.status;
		if (rc == CF_OK && out) {
			*out = call.json;
			call.json = NULL;
		}
		*lost = rc != CF_OK && (call.status == 0 || call.status >= 500);
		cf_http_call_clear(&call);
	}
	free(text);
	return rc;
}

int cf_cci_runner_delete(cf_conn *c, const char *path, cf_error *err)
{
	cf_cci_runner *r = NULL;
	int rc = cf_cci_runner_of(&r, c, err);
	return rc == CF_OK ? cf_http_delete(r->http, path, err) : rc;
}

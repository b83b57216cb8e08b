/*
 * runner_class_apply: creating and deleting runner resource classes
 * (runner_class.c reads and compares them).
 *
 * Evidence (PUB = CircleCI-Public/terraform-provider-circleci, LABS =
 * CircleCI-Labs/terraform-provider-circleci):
 * - POST /api/v3/runner/resource {resource_class, description}; the owner
 *   comes from the namespace, an org_id in the body is ignored (LABS
 *   internal/circleci/runner.go ResourceClassInput); a class that exists is
 *   409 (LABS IsConflict; PUB fakecircle/runner.go createResourceClass).
 * - DELETE .../resource/{id} is 409 while tokens exist; .../{id}/force
 *   deletes them too; 404 is missing or not the caller's (LABS
 *   DeleteResourceClass; PUB runner/runner.go DeleteResourceClass).
 * - GET /api/v3/runner/tasks/running?resource-class= counts the tasks
 *   running on it (PUB GetRunningTaskCount; LABS RunningTaskCount).
 * No request carries an idempotency key: a create whose answer is lost is
 * looked up by name before it is sent again. A delete waits (--wait-timeout)
 * while tasks run, so no running job loses its runners' class, and never
 * uses /force unless the spec says forceDelete: true: the tokens it would
 * take along are named instead.
 */
#include "reconciler/providers/circleci/kinds/runner_class.h"
#include "reconciler/providers/circleci/runner.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CREATE_ATTEMPTS 3

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The live class of that name, re-read now: its id (caller frees) or NULL. */
static int find_class(char **id, cf_conn *c, const char *cls, cf_error *err)
{
	char *ns = cf_cci_runner_namespace(cls);
	cJSON *list = NULL;
	int rc = cf_cci_runner_classes(&list, c, ns, err);
	const cJSON *x;
	*id = NULL;
	cJSON_ArrayForEach(x, (rc == CF_OK ? list : NULL))
		if (!*id && !strcmp(str(x, "resource_class"), cls))
			*id = cf_xstrdup(str(x, "id"));
	cJSON_Delete(list);
	free(ns);
	return rc;
}

static int create(cf_apply_ctx *ctx, cf_conn *c, const cf_change *ch, cf_error *err)
{
	const char *cls = ch->res->name;
	const char *desc = cJSON_GetStringValue(cf_json_path(ch->res->doc, "spec.description"));
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "resource_class", cls);
	if (desc)
		cJSON_AddStringToObject(body, "description", desc);
	char *id = NULL;
	int rc = find_class(&id, c, cls, err); /* re-read before every create */
	for (int attempt = 1; rc == CF_OK && !id; attempt++) {
		cJSON *answer = NULL;
		long status = 0;
		bool lost = false;
		rc = cf_cci_runner_send(&answer, &status, &lost, c, "POST", "/api/v3/runner/resource", body, err);
		if (rc == CF_OK && str(answer, "id")) {
			id = cf_xstrdup(str(answer, "id"));
		} else if (rc == CF_OK) {
			rc = cf_error_set(err, CF_EAPI, "POST /api/v3/runner/resource: the answer has no id");
		} else if ((lost || status == 409) && attempt < MAX_CREATE_ATTEMPTS) {
			/* lost: it may have landed; 409: someone made it meanwhile */
			cf_error_clear(err);
			rc = find_class(&id, c, cls, err);
			if (rc == CF_OK && id)
				cf_apply_note(ctx, ch, "adopted: the class %s exists (id %s)", cls, id);
		}
		cJSON_Delete(answer);
	}
	if (rc == CF_OK)
		cf_apply_created(ctx, ch->address, id);
	free(id);
	cJSON_Delete(body);
	return rc;
}

typedef struct waiting {
	cf_conn *c;
	const char *cls;
} waiting;

static int no_running_tasks(void *ud, cf_error *err)
{
	waiting *w = ud;
	long n = 0;
	int rc = cf_cci_runner_running(&n, w->c, w->cls, err);
	if (rc == CF_ENOTFOUND) { /* the class is gone already */
		cf_error_clear(err);
		return 1;
	}
	return rc != CF_OK ? rc : n == 0;
}

/* The nicknames of the class's tokens, for a 409; caller frees. */
static char *token_names(cf_conn *c, const char *cls, cf_error *err)
{
	cJSON *tokens = NULL;
	char *out = NULL;
	if (cf_cci_runner_tokens(&tokens, c, cls, err) != CF_OK) {
		cf_error_clear(err);
		return cf_xstrdup("(the tokens could not be listed)");
	}
	const cJSON *t;
	cJSON_ArrayForEach(t, tokens) {
		char *next = cf_xasprintf("%s%s%s", out ? out : "", out ? ", " : "", str(t, "nickname"));
		free(out);
		out = next;
	}
	cJSON_Delete(tokens);
	return out ? out : cf_xstrdup("(none listed now)");
}

static int delete(cf_apply_ctx *ctx, cf_conn *c, const cf_change *ch, cf_error *err)
{
	const char *cls = ch->name;
	bool force = ch->res && cJSON_IsTrue(cf_json_path(ch->res->doc, "spec.forceDelete"));
	waiting w = {.c = c, .cls = cls};
	int rc = cf_apply_wait_for(ctx, "tasks running on the class", no_running_tasks, &w, err);
	if (rc == CF_ETIMEOUT)
		return cf_error_set(err, CF_ETIMEOUT, "%s: tasks still run on it after the wait timeout "
				    "(--wait-timeout); nothing was deleted", ch->address);
	char *e = cf_http_escape(cf_apply_id(ctx, ch));
	char *path = cf_xasprintf("/api/v3/runner/resource/%s%s", e, force ? "/force" : "");
	long status = 0;
	bool lost = false;
	for (int attempt = 1; rc == CF_OK; attempt++) {
		rc = cf_cci_runner_send(NULL, &status, &lost, c, "DELETE", path, NULL, err);
		if (rc != CF_OK && lost && attempt < MAX_CREATE_ATTEMPTS) { /* a DELETE may be sent again */
			cf_error_clear(err);
			rc = CF_OK;
			continue;
		}
		break;
	}
	if (rc != CF_OK && status == 404) { /* already gone */
		cf_error_clear(err);
		rc = CF_OK;
	} else if (rc != CF_OK && status == 409) {
		cf_error_clear(err);
		char *names = token_names(c, cls, err);
		rc = cf_error_set(err, CF_EAPI, "%s: CircleCI refuses to delete the class while tokens remain (409): "
				  "%s. Delete them (RunnerToken manifests with ensure: absent, or --prune beside a "
				  "RunnerToken manifest of the class), or set spec.forceDelete: true", ch->address, names);
		free(names);
	}
	free(path);
	free(e);
	return rc;
}

int cf_cci_runner_class_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	if (ch->action == CF_CREATE)
		return create(ctx, ctx->conn, ch, err);
	if (ch->action == CF_DELETE)
		return delete(ctx, ctx->conn, ch, err);
	return CF_OK; /* nothing else is ever planned: the description is create-only */
}

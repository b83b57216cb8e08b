/*
 * webhook_apply: carrying out a Webhook change (webhook.h).
 *
 * create: re-list the project's webhooks by name (a run killed after its
 * POST finds it and adopts it), then POST /webhook {name, url, events,
 * verify_tls, signing_secret, scope: {id, type: project}} (LABS ic/webhook.go
 * WebhookInput); a lost answer is re-read, adopted when there, posted again
 * when not (3 rounds). update: PUT /webhook/{id} with name, url, events,
 * verify_tls and signing_secret (the scope is immutable: LABS UpdateWebhook).
 * After either, GET /webhook/{id} must show a secret and the wanted
 * verify_tls: the service ignores keys it does not know (LABS DESIGN.md),
 * so a body it did not take would otherwise pass unnoticed. delete: DELETE,
 * a 404 being done.
 */
#include "reconciler/providers/circleci/kinds/webhook.h"
#include "reconciler/diff.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool want_tls(const cf_change *ch)
{
	const cJSON *v = cf_json_path(ch->res->doc, "spec.verifyTls");
	return !cJSON_IsBool(v) || cJSON_IsTrue(v); /* default true */
}

/* The write body; project_id set for a create (the scope). */
static cJSON *webhook_body(const cf_change *ch, const char *project_id)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ch->res->doc, "spec");
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "name", ch->name);
	cJSON_AddStringToObject(b, "url", str(spec, "url"));
	cJSON_AddItemToObject(b, "events", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(spec, "events"), 1));
	cJSON_AddBoolToObject(b, "verify_tls", want_tls(ch)); /* snake_case: LABS DESIGN.md */
	const char *secret = str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec, "signing"), 0), "value");
	cJSON_AddStringToObject(b, "signing_secret", secret ? secret : "");
	if (project_id) {
		cJSON *scope = cJSON_AddObjectToObject(b, "scope");
		cJSON_AddStringToObject(scope, "id", project_id);
		cJSON_AddStringToObject(scope, "type", "project"); /* the only scope type (LABS ic/webhook.go) */
	}
	return b;
}

static void wipe(cJSON *body)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(body, "signing_secret");
	if (cJSON_IsString(s))
		memset(s->valuestring, 0, strlen(s->valuestring));
	cJSON_Delete(body);
}

/* GET /webhook/{id}: the secret must be set and verify_tls as wanted. */
static int check_written(cf_conn *c, const cf_change *ch, const char *id, cf_error *err)
{
	char *e = cf_http_escape(id), *path = cf_xasprintf("/webhook/%s", e);
	cJSON *w = NULL;
	int rc = cf_http_request(&w, cf_cci_http(c), "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	if (rc == CF_OK && !cf_cci_webhook_has_secret(w))
		rc = cf_error_set(err, CF_EAPI, "%s: written, but GET %s shows no signing secret: the server did not "
				  "take it", ch->address, path);
	else if (rc == CF_OK && cf_cci_webhook_verify_tls(w) != want_tls(ch))
		rc = cf_error_set(err, CF_EAPI, "%s: written, but GET %s shows verify_tls %s: the server did not take "
				  "it", ch->address, path, cf_cci_webhook_verify_tls(w) ? "true" : "false");
	cJSON_Delete(w);
	free(path);
	free(e);
	return rc;
}

static int find_webhook(char **id, cf_conn *c, const char *project_id, const char *name, cf_error *err)
{
	cJSON *list = NULL;
	*id = NULL;
	int rc = cf_cci_webhook_list(&list, c, project_id, err);
	const cJSON *w;
	cJSON_ArrayForEach(w, (rc == CF_OK ? list : (cJSON *)NULL))
		if (!*id && str(w, "name") && !strcmp(str(w, "name"), name) && str(w, "id"))
			*id = cf_xstrdup(str(w, "id"));
	cJSON_Delete(list);
	return rc;
}

static int create_webhook(char **id, cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	const cJSON *p = NULL;
	int rc = cf_cci_project(&p, c, cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.project")), err);
	cJSON *body = rc == CF_OK ? webhook_body(ch, str(p, "id")) : NULL;
	bool lost = true;
	for (int round = 0; rc == CF_OK && lost && round < 3; round++) {
		rc = find_webhook(id, c, str(p, "id"), ch->name, err);
		if (rc != CF_OK || *id) {
			if (*id)
				cf_apply_note(ctx, ch, "found it already created (an earlier request's answer was lost): "
					      "adopted");
			break;
		}
		cJSON *answer = NULL;
		rc = cf_cci_post(&answer, c, "POST", "/webhook", body, &lost, err);
		if (rc == CF_OK && str(answer, "id"))
			*id = cf_xstrdup(str(answer, "id"));
		else if (rc == CF_OK)
			lost = true; /* no id in the answer: read it back */
		if (lost && round < 2) {
			cf_error_clear(err);
			rc = CF_OK;
		}
		cJSON_Delete(answer);
	}
	wipe(body);
	return rc;
}

static int delete_webhook(cf_conn *c, const char *id, cf_error *err)
{
	char *e = cf_http_escape(id), *path = cf_xasprintf("/webhook/%s", e);
	cf_http_call call;
	cf_http_call_init(&call, "DELETE", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	int rc = cf_http_run(cf_cci_http(c), &call, 1, err);
	if (rc != CF_OK && call.status == 404) { /* gone already: done */
		cf_error_clear(err);
		rc = CF_OK;
	}
	cf_http_call_clear(&call);
	free(path);
	free(e);
	return rc;
}

int cf_cci_webhook_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	if (ch->action == CF_DELETE)
		return delete_webhook(c, ch->id, err);
	char *id = NULL;
	int rc = CF_OK;
	if (ch->action == CF_CREATE) {
		rc = create_webhook(&id, ctx, ch, err);
		if (rc == CF_OK)
			cf_apply_created(ctx, ch->address, id);
	} else {
		/* a PUT of the same values again changes nothing: retried like a read */
		const char *have = cf_apply_id(ctx, ch);
		id = have ? cf_xstrdup(have) : NULL;
		cJSON *body = webhook_body(ch, NULL);
		char *text = cJSON_PrintUnformatted(body), *e = cf_http_escape(id ? id : "");
		char *path = cf_xasprintf("/webhook/%s", e);
		cJSON *answer = NULL;
		rc = cf_http_request(&answer, cf_cci_http(c), "PUT", CF_HTTP_IDEMPOTENT, text, path, err);
		cJSON_Delete(answer);
		memset(text, 0, strlen(text));
		free(text);
		free(path);
		free(e);
		wipe(body);
	}
	if (rc == CF_OK)
		rc = check_written(c, ch, id, err);
	free(id);
	return rc;
}

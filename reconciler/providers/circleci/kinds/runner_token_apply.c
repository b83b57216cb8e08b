/*
 * runner_token_apply: creating and deleting runner tokens (runner_token.c
 * reads them).
 *
 * Evidence (PUB = CircleCI-Public/terraform-provider-circleci, LABS =
 * CircleCI-Labs/terraform-provider-circleci):
 * - POST /api/v3/runner/token {resource_class, nickname} answers {id,
 *   token, nickname, resource_class, created_at}, the only answer that ever
 *   carries the value (LABS internal/circleci/runner.go CreateToken, Token;
 *   PUB runner/runner.go CreateToken); an org_id in the body is ignored
 *   (LABS TokenInput), so none is sent;
 * - DELETE /api/v3/runner/token/{id}; 404 is missing or not the caller's
 *   (LABS DeleteToken).
 * The value goes through token_file.h: the pending marker before the POST,
 * the value written 0600 and atomically before anything else, then the
 * marker removed. If the value cannot be written the token is deleted at
 * once, so no token lives whose value nobody has. A POST whose answer was
 * lost is looked up by nickname before anything else: one found is the
 * create's, its value gone; it fails naming it, the marker stays, and the
 * next plan deletes it and creates it again.
 */
#include "reconciler/providers/circleci/kinds/runner_token.h"
#include "reconciler/providers/circleci/runner.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/source.h"
#include "reconciler/token_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CREATE_ATTEMPTS 3

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int delete_token(cf_conn *c, const char *id, cf_error *err)
{
	char *e = cf_http_escape(id), *path = cf_xasprintf("/api/v3/runner/token/%s", e);
	int rc = cf_cci_runner_delete(c, path, err);
	free(path);
	free(e);
	return rc;
}

/* The ids of the class's live tokens with that nickname, as a JSON array. */
static int find_tokens(cJSON **ids, cf_conn *c, const char *cls, const char *nick, cf_error *err)
{
	cJSON *tokens = NULL;
	int rc = cf_cci_runner_tokens(&tokens, c, cls, err);
	*ids = cJSON_CreateArray();
	const cJSON *t;
	cJSON_ArrayForEach(t, (rc == CF_OK ? tokens : NULL))
		if (!strcmp(str(t, "nickname"), nick))
			cJSON_AddItemToArray(*ids, cJSON_CreateString(str(t, "id")));
	cJSON_Delete(tokens);
	return rc;
}

/* The value reaches its file, or the token is deleted again at once. */
static int keep_value(cf_apply_ctx *ctx, cf_conn *c, const cf_change *ch, const char *dir, const char *name,
		      cJSON *answer, cf_error *err)
{
	cJSON *tok = cJSON_GetObjectItemCaseSensitive(answer, "token");
	char *path = NULL;
	int rc = CF_OK;
	if (!cJSON_IsString(tok) || !*tok->valuestring) {
		rc = cf_error_set(err, CF_EAPI, "%s: created (id %s), but the answer carries no token value; the next "
				  "plan deletes it and creates it again", ch->address, str(answer, "id"));
	} else if (cf_token_write(&path, dir, name, tok->valuestring, err) != CF_OK) {
		char *why = cf_xstrdup(err->message);
		cf_error_clear(err);
		bool gone = delete_token(c, str(answer, "id"), err) == CF_OK;
		cf_error_clear(err);
		if (gone)
			cf_token_forget(dir, name);
		rc = cf_error_set(err, CF_EIO, "%s: the token could not be written (%s); %s", ch->address, why,
				  gone ? "it was deleted again, so the next apply creates it afresh"
				       : "and it could not be deleted: delete it in CircleCI");
		free(why);
	} else {
		cf_apply_note(ctx, ch, "runner token written to %s", path);
	}
	if (cJSON_IsString(tok)) /* the value leaves memory as soon as it is kept */
		memset(tok->valuestring, 0, strlen(tok->valuestring));
	free(path);
	return rc;
}

/* One POST. Its answer lost, the class is re-listed: a token found is
 * adopted (its value is lost: the marker stays, and the next plan deletes
 * and creates it again); none found, the POST did nothing and is sent once
 * more. */
static int post_token(cJSON **answer, cf_conn *c, const cf_change *ch, const char *cls, const char *nick,
		      cf_error *err)
{
	cJSON *body = cJSON_CreateObject(), *ids = NULL;
	cJSON_AddStringToObject(body, "resource_class", cls);
	cJSON_AddStringToObject(body, "nickname", nick);
	int rc = CF_OK;
	for (int attempt = 1; attempt <= MAX_CREATE_ATTEMPTS; attempt++) {
		long status = 0;
		bool lost = false;
		rc = cf_cci_runner_send(answer, &status, &lost, c, "POST", "/api/v3/runner/token", body, err);
		if (rc == CF_OK || !lost)
			break;
		char *why = cf_xstrdup(err->message);
		cf_error_clear(err);
		cJSON_Delete(ids);
		rc = find_tokens(&ids, c, cls, nick, err);
		if (rc == CF_OK && cJSON_GetArraySize(ids) > 0)
			rc = cf_error_set(err, CF_EAPI, "%s: created (id %s), but the answer with its value was lost (%s); "
					  "the next plan deletes it and creates it again", ch->address,
					  cJSON_GetArrayItem(ids, 0)->valuestring, why);
		else if (rc == CF_OK)
			rc = cf_error_set(err, CF_EAPI, "%s", why); /* nothing made: sent again */
		free(why);
		if (cJSON_GetArraySize(ids) > 0)
			break;
	}
	cJSON_Delete(ids);
	cJSON_Delete(body);
	return rc;
}

static int create(cf_apply_ctx *ctx, cf_conn *c, const cf_change *ch, cf_error *err)
{
	const char *cls = cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.resourceClass"));
	const char *nick = ch->res->name;
	char *dir = cf_token_dir(ctx->opts->token_dir), *name = cf_cci_runner_token_name(cls, nick);
	char *sub = cf_xasprintf("%s/%s", dir, name);
	*strrchr(sub, '/') = '\0';
	cJSON *ids = NULL, *answer = NULL;
	int rc = cf_mkdirs(sub, 0700, err); /* DIR/circleci/NS/NAME, each 0700 */
	if (rc == CF_OK)
		rc = find_tokens(&ids, c, cls, nick, err); /* re-read before every create */
	if (rc == CF_OK && cJSON_GetArraySize(ids) > 0)
		rc = cf_error_set(err, CF_EAPI, "%s: a token nicknamed '%s' appeared since the plan (id %s); plan "
				  "again", ch->address, nick, cJSON_GetArrayItem(ids, 0)->valuestring);
	if (rc == CF_OK)
		rc = cf_token_mark_pending(dir, name, err);
	if (rc == CF_OK)
		rc = post_token(&answer, c, ch, cls, nick, err);
	if (rc == CF_OK) {
		cf_apply_created(ctx, ch->address, str(answer, "id"));
		rc = keep_value(ctx, c, ch, dir, name, answer, err);
	}
	cJSON_Delete(answer);
	cJSON_Delete(ids);
	free(sub);
	free(name);
	free(dir);
	return rc;
}

/* The token's file names, from the live token (its manifest may be gone). */
static char *live_name(const cf_change *ch)
{
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	const char *cls = str(api, "resource_class"), *nick = str(api, "nickname");
	char *name = cls && nick && strchr(cls, '/') ? cf_cci_runner_token_name(cls, nick) : NULL;
	cJSON_Delete(api);
	return name;
}

/* Deleted: its file holds a dead value, and goes too. */
static int delete(cf_apply_ctx *ctx, cf_conn *c, const cf_change *ch, cf_error *err)
{
	int rc = delete_token(c, ch->id, err);
	char *name = rc == CF_OK ? live_name(ch) : NULL;
	if (name) {
		char *dir = cf_token_dir(ctx->opts->token_dir), *file = cf_xasprintf("%s/%s.token", dir, name);
		unlink(file);
		cf_token_forget(dir, name);
		free(file);
		free(dir);
	}
	free(name);
	return rc;
}

int cf_cci_runner_token_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_conn *c = ctx->conn;
	if (ch->action == CF_CREATE)
		return create(ctx, c, ch, err);
	if (ch->action == CF_DELETE)
		return delete(ctx, c, ch, err);
	if (ch->action == CF_UPDATE && ch->repair) { /* its value was lost: delete, then create afresh */
		int rc = delete_token(c, ch->id, err);
		return rc == CF_OK ? create(ctx, c, ch, err) : rc;
	}
	return CF_OK; /* nothing else is planned: a token has no field to change */
}

int cf_cci_runner_token_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	if (ch->action != CF_CREATE && !ch->repair)
		return CF_OK;
	char *dir = cf_token_dir(ctx->opts->token_dir);
	int rc = cf_token_dir_check(dir, err);
	free(dir);
	return rc;
}

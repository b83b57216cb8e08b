/*
 * kind_agent_type: plan and apply for self-hosted agent types.
 *
 * Every agent type is in scope once one is managed, so one list read covers
 * them all. The body always carries every setting, because PATCH resets what
 * it omits. A delete first disables the agents (idle ones, again on every
 * poll as busy ones finish), and gives up after the wait timeout rather than
 * kill running jobs. The registration token of a created agent type goes to a
 * 0600 file in a 0700 directory, and nowhere else, behind a pending marker
 * (token_file.h) so that no token is ever lost without the next plan saying so.
 */
#include "reconciler/apply.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/token_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SETTING(path, fallback_json)                                                      \
	{.name = "spec.agent_name_settings." path, .desired = "spec.agent_name_settings." path, \
	 .live = "spec.agent_name_settings." path, .fallback = fallback_json, .type = CF_D_VALUE}

/* Agent-origin types answer "aws": null: the path finds nothing, the fallback stands. */
const cf_diff_field cf_sem_agent_type_diff[] = {
	SETTING("assignment_origin", "\"assignment_origin_agent\""),
	SETTING("release_after", "0"),
	SETTING("aws.account_id", "\"\""),
	SETTING("aws.role_name_patterns", "\"\""),
	{.name = NULL},
};

int cf_sem_agent_type_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags,
			     cf_error *err)
{
	(void)diags;
	cf_http_client *c = cf_sem_of(conn);
	cJSON *list = NULL;
	int rc = cf_sem_agent_type_list(&list, c, err);
	const cJSON *a;
	cJSON_ArrayForEach(a, list) {
		const char *name = cJSON_GetStringValue(cf_json_path(a, "metadata.name"));
		if (!name)
			continue;
		char *addr = cf_xasprintf("SelfHostedAgentType/%s", name);
		cf_live_add(live, set, &cf_sem_agent_type_kind, addr, name, NULL, name, cJSON_Duplicate(a, 1));
		free(addr);
	}
	cJSON_Delete(list);
	return rc;
}

static cJSON *agent_type_body(const cf_resource *r)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "metadata"), "name", r->name);
	cJSON *ns = cJSON_AddObjectToObject(cJSON_AddObjectToObject(b, "spec"), "agent_name_settings");
	const cJSON *origin = cf_json_path(r->doc, "spec.agent_name_settings.assignment_origin");
	const cJSON *release = cf_json_path(r->doc, "spec.agent_name_settings.release_after");
	const cJSON *aws = cf_json_path(r->doc, "spec.agent_name_settings.aws");
	cJSON_AddStringToObject(ns, "assignment_origin",
				cJSON_IsString(origin) ? origin->valuestring : "assignment_origin_agent");
	cJSON_AddNumberToObject(ns, "release_after", cJSON_IsNumber(release) ? release->valuedouble : 0);
	if (aws)
		cJSON_AddItemToObject(ns, "aws", cJSON_Duplicate(aws, 1));
	return b;
}

/* A create whose token was lost (a pending marker, no token file) is
 * repaired by deleting and creating the agent type again: the API shows a
 * registration token only in the create's answer. */
char *cf_sem_agent_type_live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field,
				     const char **after)
{
	const char *name = cJSON_GetStringValue(cf_json_path(api, "metadata.name"));
	char *dir = cf_token_dir(opts ? opts->token_dir : NULL);
	bool lost = name && cf_token_lost(dir, name);
	char *why = lost ? cf_xasprintf("lost: an earlier apply created it, but its token never reached "
					"%s/%s.token", dir, name) : NULL;
	free(dir);
	*field = "registration_token";
	*after = "a new one (the agent type is deleted and created again)";
	return why;
}

int cf_sem_agent_type_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	if (ch->action != CF_CREATE && !ch->repair)
		return CF_OK;
	char *dir = cf_token_dir(ctx->opts->token_dir);
	int rc = cf_token_dir_check(dir, err);
	free(dir);
	return rc;
}

/* Create, with the pending marker written first; a token that cannot be
 * written is not dropped: the agent type is deleted again, so the next run
 * creates it afresh. */
static int create_agent_type(cf_apply_ctx *ctx, const cf_change *ch, const cJSON *body, cf_error *err)
{
	char *dir = cf_token_dir(ctx->opts->token_dir), *token = NULL, *path = NULL;
	cJSON *out = NULL;
	int rc = cf_token_mark_pending(dir, ch->name, err);
	if (rc == CF_OK)
		rc = cf_sem_agent_type_create(&out, &token, cf_sem_of(ctx->conn), body, err);
	if (rc == CF_OK && !token) {
		rc = cf_error_set(err, CF_EAPI, "%s: created, but the answer with its registration token was "
				  "lost; the next plan deletes and creates it again", ch->address);
	} else if (rc == CF_OK && cf_token_write(&path, dir, ch->name, token, err) != CF_OK) {
		char *why = cf_xstrdup(err->message);
		cf_error_clear(err);
		if (cf_sem_agent_type_delete(cf_sem_of(ctx->conn), ch->name, err) == CF_OK) {
			cf_token_forget(dir, ch->name);
			rc = cf_error_set(err, CF_EIO, "%s: the registration token could not be written (%s); the "
					  "agent type was deleted again, so the next apply creates it afresh",
					  ch->address, why);
		} else {
			rc = cf_error_set(err, CF_EIO, "%s: the registration token could not be written (%s), and "
					  "the agent type could not be deleted again: reset its registration "
					  "token in Semaphore, or delete it", ch->address, why);
		}
		free(why);
	} else if (rc == CF_OK) {
		cf_apply_note(ctx, ch, "registration token written to %s", path);
	}
	if (token)
		memset(token, 0, strlen(token));
	free(token);
	free(path);
	free(dir);
	cJSON_Delete(out);
	return rc;
}

typedef struct drain {
	cf_http_client *client;
	const char *name;
	int agents;
} drain;

static int poll_drained(void *ud, cf_error *err)
{
	drain *d = ud;
	int rc = cf_sem_agent_type_disable_all(d->client, d->name, true, err);
	cJSON *a = NULL;
	if (rc == CF_OK)
		rc = cf_sem_agent_type_get(&a, d->client, d->name, err);
	if (rc != CF_OK)
		return rc;
	const cJSON *n = cf_json_path(a, "status.total_agent_count");
	d->agents = cJSON_IsNumber(n) ? n->valueint : 0;
	cJSON_Delete(a);
	return d->agents == 0;
}

static int delete_agent_type(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	drain d = {.client = cf_sem_of(ctx->conn), .name = ch->name};
	int rc = cf_apply_wait_for(ctx, "waiting for busy agents", poll_drained, &d, err);
	if (rc == CF_ETIMEOUT)
		return cf_error_set(err, CF_ETIMEOUT, "%s: %d agent%s still busy after the wait timeout; "
				    "not deleted", ch->address, d.agents, d.agents == 1 ? " is" : "s are");
	return rc == CF_OK ? cf_sem_agent_type_delete(cf_sem_of(ctx->conn), ch->name, err) : rc;
}

int cf_sem_agent_type_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cJSON *body = ch->res ? agent_type_body(ch->res) : NULL, *out = NULL;
	int rc = CF_OK;
	if (ch->action == CF_CREATE) {
		rc = create_agent_type(ctx, ch, body, err);
	} else if (ch->action == CF_UPDATE && ch->repair) {
		rc = delete_agent_type(ctx, ch, err);
		if (rc == CF_OK)
			rc = create_agent_type(ctx, ch, body, err);
	} else if (ch->action == CF_UPDATE) {
		rc = cf_sem_agent_type_update(&out, cf_sem_of(ctx->conn), body, err);
	} else if (ch->action == CF_DELETE) {
		rc = delete_agent_type(ctx, ch, err);
		if (rc == CF_OK) {
			char *dir = cf_token_dir(ctx->opts->token_dir);
			cf_token_forget(dir, ch->name);
			free(dir);
		}
	}
	cJSON_Delete(out);
	cJSON_Delete(body);
	return rc;
}

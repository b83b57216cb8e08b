/*
 * kind_agent_type: plan and apply for self-hosted agent types.
 *
 * Every agent type is in scope once one is managed, so one list read covers
 * them all. The body always carries every setting, because PATCH resets what
 * it omits. A delete first disables the agents (idle ones, again on every
 * poll as busy ones finish), and gives up after the wait timeout rather than
 * kill running jobs. The registration token of a created agent type goes to a
 * 0600 file in a 0700 directory, and nowhere else.
 */
#include "reconciler/apply.h"
#include "reconciler/semaphore/api.h"
#include "reconciler/semaphore/kinds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const cf_diff_field cf_sem_agent_type_diff[] = {
	{"spec.agent_name_settings.assignment_origin", "spec.agent_name_settings.assignment_origin",
	 "spec.agent_name_settings.assignment_origin", "\"assignment_origin_agent\"", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.agent_name_settings.release_after", "spec.agent_name_settings.release_after",
	 "spec.agent_name_settings.release_after", "0", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.agent_name_settings.aws.account_id", "spec.agent_name_settings.aws.account_id",
	 "spec.agent_name_settings.aws.account_id", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.agent_name_settings.aws.role_name_patterns", "spec.agent_name_settings.aws.role_name_patterns",
	 "spec.agent_name_settings.aws.role_name_patterns", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

int cf_sem_agent_type_read_live(cf_live *live, const cf_resource_set *set, cf_sem_client *c, cf_error *err)
{
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

static int write_token(cf_apply_ctx *ctx, const cf_change *ch, const char *token, cf_error *err)
{
	const char *dir = ctx->opts->token_dir ? ctx->opts->token_dir : ".ciform/registration-tokens";
	int rc = cf_mkdirs(dir, 0700, err);
	if (rc != CF_OK)
		return rc;
	char *path = cf_xasprintf("%s/%s.token", dir, ch->name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t len = strlen(token);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, token, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		rc = cf_error_set(err, CF_EIO, "%s: the registration token could not be written: %s", path,
				  strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc == CF_OK)
		cf_apply_note(ctx, ch, "registration token written to %s", path);
	free(path);
	return rc;
}

typedef struct drain {
	cf_sem_client *client;
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
	drain d = {.client = ctx->client, .name = ch->name};
	int rc = cf_apply_wait(ctx, poll_drained, &d, err);
	if (rc == CF_ETIMEOUT)
		return cf_error_set(err, CF_ETIMEOUT, "%s: %d agent%s still busy after the wait timeout; "
				    "not deleted", ch->address, d.agents, d.agents == 1 ? " is" : "s are");
	return rc == CF_OK ? cf_sem_agent_type_delete(ctx->client, ch->name, err) : rc;
}

int cf_sem_agent_type_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cJSON *body = ch->res ? agent_type_body(ch->res) : NULL, *out = NULL;
	char *token = NULL;
	int rc = CF_OK;
	if (ch->action == CF_CREATE) {
		rc = cf_sem_agent_type_create(&out, &token, ctx->client, body, err);
		if (rc == CF_OK && token)
			rc = write_token(ctx, ch, token, err);
		else if (rc == CF_OK)
			cf_apply_note(ctx, ch, "created, but its answer was lost: reset the registration "
				      "token in Semaphore");
	} else if (ch->action == CF_UPDATE) {
		rc = cf_sem_agent_type_update(&out, ctx->client, body, err);
	} else if (ch->action == CF_DELETE) {
		rc = delete_agent_type(ctx, ch, err);
	}
	if (token)
		memset(token, 0, strlen(token));
	free(token);
	cJSON_Delete(out);
	cJSON_Delete(body);
	return rc;
}

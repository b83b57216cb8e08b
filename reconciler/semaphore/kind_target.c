/*
 * kind_target: what plan and apply need to know about deployment targets.
 *
 * Rules compare in order, after normalising: ROLE rules by role name (live
 * UUIDs are mapped through GET /roles), USER rules by git_login when there is
 * one, object rules with ALL's pattern dropped. Secrets compare by MD5.
 * Reads: one list per project, then one secrets read per managed target,
 * each batch in parallel. Writes carry unique_tokens; a write that changes
 * secrets waits until the target has left SYNCING.
 */
#include "reconciler/apply.h"
#include "reconciler/codec.h"
#include "reconciler/semaphore/api.h"
#include "reconciler/semaphore/kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *get_str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

static const cJSON *role_by(const cJSON *roles, const char *key, const char *value)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, roles)
		if (!strcmp(get_str(r, key), value))
			return r;
	return NULL;
}

static cJSON *rule(const char *type, const char *k, const char *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	if (k)
		cJSON_AddStringToObject(o, k, v);
	return o;
}

static cJSON *norm_subject_rules(const cJSON *rules, bool desired, cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	int index = 0;
	cJSON_ArrayForEach(r, rules) {
		const char *type = get_str(r, "type"), *id = get_str(r, "subject_id"), *login = get_str(r, "git_login");
		cJSON *n;
		if (!strcmp(type, "ROLE")) {
			const cJSON *role = role_by(ctx->roles, "id", id);
			if (!role && desired && !cf_is_uuid(id) && !role_by(ctx->roles, "name", id)) {
				free(ctx->error);
				free(ctx->error_path);
				ctx->error_path = cf_xasprintf("spec.subject_rules[%d].subject_id", index);
				ctx->error = cf_xasprintf("%s: role '%s' does not exist in the organisation",
							  ctx->error_path, id);
				cJSON_Delete(out);
				return NULL;
			}
			n = rule(type, "subject_id", role ? get_str(role, "name") : id);
		} else if (!strcmp(type, "USER")) {
			n = *login ? rule(type, "git_login", login) : rule(type, "subject_id", id);
		} else if (!strcmp(type, "GROUP")) {
			n = rule(type, "subject_id", id);
		} else {
			n = rule(type, NULL, NULL);
		}
		cJSON_AddItemToArray(out, n);
		index++;
	}
	if (cJSON_GetArraySize(out) == 0) /* the server's default */
		cJSON_AddItemToArray(out, rule("ANY", NULL, NULL));
	return out;
}

static cJSON *norm_object_rules(const cJSON *rules, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, rules) {
		const char *mode = get_str(r, "match_mode");
		if (!*mode)
			mode = "ALL";
		cJSON *n = rule(get_str(r, "type"), "match_mode", mode);
		cJSON_AddStringToObject(n, "pattern", strcmp(mode, "ALL") ? get_str(r, "pattern") : "");
		cJSON_AddItemToArray(out, n);
	}
	if (cJSON_GetArraySize(out) == 0) {
		static const char *const types[] = {"BRANCH", "TAG", "PR"};
		for (size_t i = 0; i < 3; i++) {
			cJSON *n = rule(types[i], "match_mode", "ALL");
			cJSON_AddStringToObject(n, "pattern", "");
			cJSON_AddItemToArray(out, n);
		}
	}
	return out;
}

const cf_diff_field cf_sem_target_diff[] = {
	{"metadata.description", "metadata.description", "description", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{"metadata.url", "metadata.url", "url", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.bookmark_parameter1", "spec.bookmark_parameter1", "bookmark_parameter1", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.bookmark_parameter2", "spec.bookmark_parameter2", "bookmark_parameter2", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.bookmark_parameter3", "spec.bookmark_parameter3", "bookmark_parameter3", "\"\"", CF_D_VALUE, NULL, NULL, NULL},
	{"spec.subject_rules", "spec.subject_rules", "subject_rules", "[]", CF_D_VALUE, NULL, NULL, norm_subject_rules},
	{"spec.object_rules", "spec.object_rules", "object_rules", "[]", CF_D_VALUE, NULL, NULL, norm_object_rules},
	{"spec.env_vars", "spec.env_vars", "env_vars", "[]", CF_D_SECRETS, "name", "value", NULL},
	{"spec.files", "spec.files", "files", "[]", CF_D_SECRETS, "path", "content", NULL},
	{NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

/* ---- reading ---- */

/* The projects the target manifests name, each once: UUID -> reference as written. */
static cJSON *projects_in_scope(const cf_live *live, const cf_resource_set *set)
{
	cJSON *scope = cJSON_CreateObject();
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *id = r->kind == &cf_sem_target_kind ? cf_live_project_id(live, r->project) : NULL;
		if (id && !cJSON_HasObjectItem(scope, id))
			cJSON_AddStringToObject(scope, id, r->project);
	}
	return scope;
}

int cf_sem_target_read_live(cf_live *live, const cf_resource_set *set, cf_sem_client *c, cf_error *err)
{
	cJSON *scope = projects_in_scope(live, set);
	size_t np = (size_t)cJSON_GetArraySize(scope);
	char **paths = cf_xcalloc(np + 1, sizeof(char *));
	cJSON **lists = cf_xcalloc(np + 1, sizeof(cJSON *));
	size_t i = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, scope)
		paths[i++] = cf_xasprintf("/deployment_targets?project_id=%s", p->string);
	int rc = cf_sem_get_many(lists, c, paths, np, err);
	i = 0;
	cJSON_ArrayForEach(p, scope) {
		const cJSON *t;
		cJSON_ArrayForEach(t, (rc == CF_OK ? lists[i] : NULL)) {
			char *addr = cf_xasprintf("DeploymentTarget/%s/%s", p->valuestring, get_str(t, "name"));
			cf_live_add(live, set, &cf_sem_target_kind, addr, get_str(t, "id"), p->string,
				    get_str(t, "name"), cJSON_Duplicate(t, 1));
			free(addr);
		}
		cJSON_Delete(lists[i]);
		free(paths[i]);
		i++;
	}
	free(paths);
	free(lists);
	cJSON_Delete(scope);
	if (rc != CF_OK)
		return rc;
	/* secrets, as MD5s, for the targets the specs keep */
	size_t n = 0;
	cf_live_item **want = cf_xcalloc(live->count + 1, sizeof(*want));
	for (size_t k = 0; k < live->count; k++)
		if (live->items[k].kind == &cf_sem_target_kind && live->items[k].res && !live->items[k].res->absent)
			want[n++] = &live->items[k];
	paths = cf_xcalloc(n + 1, sizeof(char *));
	cJSON **full = cf_xcalloc(n + 1, sizeof(cJSON *));
	for (size_t k = 0; k < n; k++)
		paths[k] = cf_xasprintf("/deployment_targets/%s?include_secrets=true", want[k]->id);
	rc = cf_sem_get_many(full, c, paths, n, err);
	for (size_t k = 0; k < n; k++) {
		if (full[k]) {
			cJSON_Delete(want[k]->api);
			want[k]->api = full[k];
		}
		free(paths[k]);
	}
	free(paths);
	free(full);
	free(want);
	return rc;
}

/* ---- writing ---- */

static cJSON *body_rules(const cf_resource *r, const cf_live *live)
{
	cJSON *rules = cJSON_Duplicate(cf_json_path(r->doc, "spec.subject_rules"), 1);
	cJSON *it;
	cJSON_ArrayForEach(it, rules) {
		const char *id = get_str(it, "subject_id");
		const cJSON *role = !strcmp(get_str(it, "type"), "ROLE") && !cf_is_uuid(id)
					    ? role_by(live->roles, "name", id) : NULL;
		if (role) {
			cJSON_DeleteItemFromObjectCaseSensitive(it, "subject_id");
			cJSON_AddStringToObject(it, "subject_id", get_str(role, "id"));
		}
	}
	return rules;
}

/* The flat body of a create or update: every field the specs set, the
 * server's defaults for the rest, and both secret lists when asked. */
static cJSON *target_body(const cf_change *ch, const cf_live *live, bool secrets)
{
	const cf_resource *r = ch->res;
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "name", r->name);
	static const char *const scalars[][2] = {
		{"description", "metadata.description"}, {"url", "metadata.url"},
		{"bookmark_parameter1", "spec.bookmark_parameter1"}, {"bookmark_parameter2", "spec.bookmark_parameter2"},
		{"bookmark_parameter3", "spec.bookmark_parameter3"}};
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		const char *v = cJSON_GetStringValue(cf_json_path(r->doc, scalars[i][1]));
		cJSON_AddStringToObject(b, scalars[i][0], v ? v : "");
	}
	cJSON *subject = body_rules(r, live);
	cJSON_AddItemToObject(b, "subject_rules", subject ? subject : cJSON_CreateArray());
	const cJSON *object = cf_json_path(r->doc, "spec.object_rules");
	cJSON_AddItemToObject(b, "object_rules", object ? cJSON_Duplicate(object, 1) : cJSON_CreateArray());
	if (secrets) {
		static const char *const lists[][2] = {{"env_vars", "spec.env_vars"}, {"files", "spec.files"}};
		for (size_t i = 0; i < 2; i++) {
			const cJSON *l = cf_json_path(r->doc, lists[i][1]);
			cJSON_AddItemToObject(b, lists[i][0], l ? cJSON_Duplicate(l, 1) : cJSON_CreateArray());
		}
	}
	cJSON_AddStringToObject(b, "unique_token", ch->token);
	return b;
}

typedef struct sync_poll {
	cf_sem_client *client;
	const char *id;
	char *message; /* UNUSABLE's state_message */
} sync_poll;

static int poll_sync(void *ud, cf_error *err)
{
	sync_poll *sp = ud;
	cJSON *t = NULL;
	int rc = cf_sem_target_describe(&t, sp->client, sp->id, false, err);
	if (rc != CF_OK)
		return rc;
	const char *state = get_str(t, "state");
	int done = strcmp(state, "SYNCING") != 0;
	if (!strcmp(state, "UNUSABLE"))
		sp->message = cf_xstrdup(get_str(t, "state_message"));
	cJSON_Delete(t);
	return done;
}

/* Waits until the target has left SYNCING; UNUSABLE is a failure. */
static int wait_synced(cf_apply_ctx *ctx, const cf_change *ch, const char *id, cf_error *err)
{
	sync_poll sp = {.client = ctx->client, .id = id};
	int rc = cf_apply_wait(ctx, poll_sync, &sp, err);
	if (rc == CF_ETIMEOUT)
		rc = cf_error_set(err, CF_ETIMEOUT, "%s: still SYNCING after the wait timeout", ch->address);
	else if (rc == CF_OK && sp.message)
		rc = cf_error_set(err, CF_EAPI, "%s: the target is UNUSABLE: %s", ch->address,
				  *sp.message ? sp.message : "(no state_message)");
	free(sp.message);
	return rc;
}

static bool live_syncing(const cf_change *ch)
{
	return ch->live && !strcmp(get_str(ch->live->api, "state"), "SYNCING");
}

int cf_sem_target_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_sem_client *c = ctx->client;
	int rc = CF_OK;
	if (live_syncing(ch))
		rc = wait_synced(ctx, ch, ch->id, err);
	if (rc != CF_OK)
		return rc;
	cJSON *out = NULL, *body = NULL;
	switch (ch->action) {
	case CF_CREATE:
		body = target_body(ch, ctx->live, true);
		rc = cf_sem_target_create(&out, c, ch->project_id, body, err);
		if (rc == CF_OK) {
			cf_apply_created(ctx, ch->address, get_str(out, "id"));
			rc = wait_synced(ctx, ch, get_str(out, "id"), err);
		}
		break;
	case CF_UPDATE:
		body = target_body(ch, ctx->live, ch->secrets);
		rc = cf_sem_target_update(&out, c, ch->id, body, err);
		if (rc == CF_OK && ch->secrets)
			rc = wait_synced(ctx, ch, ch->id, err);
		break;
	case CF_DELETE:
		rc = cf_sem_target_delete(c, ch->id, ch->token, err);
		break;
	case CF_ACTIVATE:
		rc = cf_sem_target_activate(c, cf_apply_id(ctx, ch), err);
		break;
	case CF_DEACTIVATE: /* also for a target this apply created inactive */
		rc = cf_sem_target_deactivate(c, cf_apply_id(ctx, ch), err);
		break;
	default:
		break;
	}
	cJSON_Delete(body);
	cJSON_Delete(out);
	return rc;
}

/*
 * h_targets: deployment targets, with the API's less obvious rules:
 * - list and describe never show env_vars/files; include_secrets=true shows
 *   each value as its MD5;
 * - PATCH merges scalars and rules, but env_vars or files replace both lists
 *   (a missing one becomes empty), and an entry whose value is the MD5 of the
 *   old value (optionally + " [md5]") keeps the old value;
 * - a unique_token a target already holds returns it unchanged;
 * - after secrets change the target is SYNCING for --sync-ms and refuses
 *   mutations; active changes only through activate/deactivate.
 * A target given an env var named SANDBOX_FAIL_SYNC ends its sync UNUSABLE,
 * so failures can be tried.
 */
#include "cmd/sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *sbx_validate_rules(sbx *s, const cJSON *rules, bool subject, sbx_resp *rs);
cJSON *sbx_default_object_rules(void);
cJSON *sbx_default_subject_rules(void);

static const char *const scalars[] = {"description", "url", "bookmark_parameter1",
				      "bookmark_parameter2", "bookmark_parameter3", NULL};

static bool syncing(const cJSON *t)
{
	const cJSON *until = cJSON_GetObjectItemCaseSensitive(t, "sync_until_ms");
	return cJSON_IsNumber(until) && (long long)until->valuedouble > sbx_now_ms();
}

static void set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, v);
}

static void set_item(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

static void touch(cJSON *t, bool created)
{
	char *now = sbx_iso_time();
	if (created) {
		set_str(t, "created_at", now);
		set_str(t, "created_by", "00000000-0000-4000-8000-000000000001");
	}
	set_str(t, "updated_at", now);
	set_str(t, "updated_by", "00000000-0000-4000-8000-000000000001");
	free(now);
}

/* Secrets changed: SYNCING now, then USABLE (or UNUSABLE, see above). */
static void start_sync(sbx *s, cJSON *t)
{
	set_item(t, "sync_until_ms", cJSON_CreateNumber((double)(sbx_now_ms() + s->sync_ms)));
	bool fail = sbx_find(cJSON_GetObjectItem(t, "env_vars"), "name", "SANDBOX_FAIL_SYNC") != NULL;
	set_str(t, "state", fail ? "UNUSABLE" : "USABLE");
	set_str(t, "state_message", fail ? "secrets could not be synced (SANDBOX_FAIL_SYNC is set)" : "");
}

void sbx_normalize_target(sbx *s, cJSON *t)
{
	(void)s;
	char id[37];
	sbx_uuid(id);
	if (!*sbx_str(t, "id"))
		set_str(t, "id", id);
	for (size_t i = 0; scalars[i]; i++)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, scalars[i])))
			set_str(t, scalars[i], "");
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, "subject_rules")))
		set_item(t, "subject_rules", sbx_default_subject_rules());
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, "object_rules")))
		set_item(t, "object_rules", sbx_default_object_rules());
	static const char *const arrays[] = {"env_vars", "files", "unique_tokens"};
	for (size_t i = 0; i < 3; i++)
		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, arrays[i])))
			set_item(t, arrays[i], cJSON_CreateArray());
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "active")))
		set_item(t, "active", cJSON_CreateTrue());
	if (!*sbx_str(t, "state"))
		set_str(t, "state", "USABLE");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "state_message")))
		set_str(t, "state_message", "");
	if (!*sbx_str(t, "created_at"))
		touch(t, true);
}

static cJSON *secrets_md5(const cJSON *list, const char *key, const char *valkey)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		const char *v = sbx_str(e, valkey);
		char md5[33];
		sbx_md5_hex(v, strlen(v), md5);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, sbx_str(e, key));
		cJSON_AddStringToObject(o, valkey, md5);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *target_json(sbx *s, const cJSON *t, bool secrets)
{
	static const char *const copied[] = {"id", "name", "project_id", "description", "url",
		"bookmark_parameter1", "bookmark_parameter2", "bookmark_parameter3", "subject_rules",
		"object_rules", "active", "created_at", "created_by", "updated_at", "updated_by", NULL};
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; copied[i]; i++)
		cJSON_AddItemToObject(o, copied[i], cJSON_Duplicate(cJSON_GetObjectItem(t, copied[i]), 1));
	cJSON_AddStringToObject(o, "organization_id", sbx_str(s->state, "org_id"));
	bool sync = syncing(t);
	cJSON_AddStringToObject(o, "state", sync ? "SYNCING" : sbx_str(t, "state"));
	cJSON_AddStringToObject(o, "state_message", sync ? "" : sbx_str(t, "state_message"));
	cJSON_AddNullToObject(o, "last_deployment");
	if (secrets) {
		cJSON_AddItemToObject(o, "env_vars", secrets_md5(cJSON_GetObjectItem(t, "env_vars"), "name", "value"));
		cJSON_AddItemToObject(o, "files", secrets_md5(cJSON_GetObjectItem(t, "files"), "path", "content"));
	}
	return o;
}

static cJSON *holder_of(sbx *s, const char *token)
{
	cJSON *t;
	cJSON_ArrayForEach(t, sbx_list(s, "deployment_targets")) {
		cJSON *tok;
		cJSON_ArrayForEach(tok, cJSON_GetObjectItem(t, "unique_tokens"))
			if (strcmp(cJSON_GetStringValue(tok), token) == 0)
				return t;
	}
	return NULL;
}

static bool valid_target_name(const char *n)
{
	size_t len = strlen(n);
	if (len < 1 || len > 255)
		return false;
	return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

static cJSON *target_by_name(sbx *s, const char *project_id, const char *name)
{
	cJSON *t;
	cJSON_ArrayForEach(t, sbx_list(s, "deployment_targets"))
		if (!strcmp(sbx_str(t, "project_id"), project_id) && !strcmp(sbx_str(t, "name"), name))
			return t;
	return NULL;
}

cJSON *sbx_secret_list(const cJSON *given, const cJSON *old, const char *key, const char *valkey,
		       sbx_resp *rs);

/* Everything a create or update body may set, checked before anything
 * changes; returns the changes as an object, or NULL with rs filled in. */
static cJSON *changes_from(sbx *s, sbx_req *rq, const cJSON *old, const char *project_id, sbx_resp *rs)
{
	const cJSON *b = rq->body;
	cJSON *ch = cJSON_CreateObject();
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "name");
	if (name || !old) {
		const char *n = cJSON_GetStringValue(name);
		const cJSON *other = n ? target_by_name(s, project_id, n) : NULL;
		if (!n || !valid_target_name(n))
			sbx_error(rs, 400, "invalid name");
		else if (other && other != old)
			sbx_error(rs, 400, "name is already taken in this project");
		else
			cJSON_AddStringToObject(ch, "name", n);
	}
	for (size_t i = 0; scalars[i] && rs->status < 300; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, scalars[i]);
		if (cJSON_IsString(v))
			cJSON_AddStringToObject(ch, scalars[i], v->valuestring);
	}
	static const char *const rules[] = {"subject_rules", "object_rules"};
	for (size_t i = 0; i < 2 && rs->status < 300; i++) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(b, rules[i]);
		cJSON *ok = r ? sbx_validate_rules(s, r, i == 0, rs) : NULL;
		if (ok)
			cJSON_AddItemToObject(ch, rules[i], ok);
	}
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(b, "env_vars");
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(b, "files");
	if ((env || files) && rs->status < 300) {
		cJSON *e = sbx_secret_list(env, cJSON_GetObjectItem(old, "env_vars"), "name", "value", rs);
		cJSON *f = e ? sbx_secret_list(files, cJSON_GetObjectItem(old, "files"), "path", "content", rs) : NULL;
		cJSON_AddItemToObject(ch, "env_vars", e ? e : cJSON_CreateNull());
		cJSON_AddItemToObject(ch, "files", f ? f : cJSON_CreateNull());
	}
	if (rs->status >= 300) {
		cJSON_Delete(ch);
		return NULL;
	}
	return ch;
}

static void apply_changes(sbx *s, cJSON *t, cJSON *ch)
{
	bool secrets = cJSON_HasObjectItem(ch, "env_vars");
	for (cJSON *c = ch->child, *next; c; c = next) {
		next = c->next;
		set_item(t, c->string, cJSON_DetachItemViaPointer(ch, c));
	}
	cJSON_Delete(ch);
	if (secrets)
		start_sync(s, t);
	touch(t, false);
}

static const char *token_of(sbx_req *rq, sbx_resp *rs, bool required)
{
	const char *tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq->body, "unique_token"));
	if (!tok)
		tok = sbx_query(rq, "unique_token");
	if ((tok || required) && !(tok && sbx_is_uuid(tok))) {
		sbx_error(rs, 400, "unique_token must be a UUID");
		return NULL;
	}
	return tok ? tok : "";
}

void h_targets_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = sbx_query(rq, "project_id"), *name = sbx_query(rq, "target_name");
	if (!pid) {
		sbx_error(rs, 400, "project_id is required");
		return;
	}
	if (!sbx_project_by_id(s, pid)) {
		sbx_error(rs, 404, "project not found");
		return;
	}
	rs->body = cJSON_CreateArray();
	cJSON *t;
	cJSON_ArrayForEach(t, sbx_list(s, "deployment_targets"))
		if (!strcmp(sbx_str(t, "project_id"), pid) && (!name || !strcmp(sbx_str(t, "name"), name)))
			cJSON_AddItemToArray(rs->body, target_json(s, t, false));
}

void h_target_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *t = sbx_find(sbx_list(s, "deployment_targets"), "id", rq->params[0]);
	if (!t) {
		sbx_error(rs, 404, "target not found");
		return;
	}
	const char *inc = sbx_query(rq, "include_secrets");
	rs->body = target_json(s, t, inc && !strcmp(inc, "true"));
}

void h_target_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *pid = sbx_query(rq, "project_id");
	if (!pid)
		pid = sbx_str(rq->body, "project_id");
	const char *tok = token_of(rq, rs, true);
	if (!tok)
		return;
	cJSON *held = holder_of(s, tok);
	if (held) {
		rs->body = target_json(s, held, false);
		return;
	}
	if (!sbx_project_by_id(s, pid)) {
		sbx_error(rs, 400, "project not found");
		return;
	}
	cJSON *ch = changes_from(s, rq, NULL, pid, rs);
	if (!ch)
		return;
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "project_id", pid);
	if (!cJSON_HasObjectItem(ch, "env_vars")) {
		cJSON_AddItemToObject(ch, "env_vars", cJSON_CreateArray());
		cJSON_AddItemToObject(ch, "files", cJSON_CreateArray());
	}
	apply_changes(s, t, ch);
	sbx_normalize_target(s, t);
	cJSON_AddItemToArray(cJSON_GetObjectItem(t, "unique_tokens"), cJSON_CreateString(tok));
	cJSON_AddItemToArray(sbx_list(s, "deployment_targets"), t);
	rs->body = target_json(s, t, false);
}

/* The target a mutation names, unless it is missing or busy syncing. */
static cJSON *mutable_target(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *t = sbx_find(sbx_list(s, "deployment_targets"), "id", rq->params[0]);
	if (!t)
		sbx_error(rs, 404, "target not found");
	else if (syncing(t))
		sbx_error(rs, 400, "Invalid state: SYNCING");
	else
		return t;
	return NULL;
}

void h_target_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *tok = token_of(rq, rs, false);
	cJSON *held = tok && *tok ? holder_of(s, tok) : NULL;
	if (held) {
		rs->body = target_json(s, held, false);
		return;
	}
	cJSON *t = tok ? mutable_target(s, rq, rs) : NULL;
	cJSON *ch = t ? changes_from(s, rq, t, sbx_str(t, "project_id"), rs) : NULL;
	if (!ch)
		return;
	apply_changes(s, t, ch);
	if (*tok)
		cJSON_AddItemToArray(cJSON_GetObjectItem(t, "unique_tokens"), cJSON_CreateString(tok));
	rs->body = target_json(s, t, false);
}

void h_target_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *tok = token_of(rq, rs, true);
	cJSON *t = tok ? mutable_target(s, rq, rs) : NULL;
	if (!t)
		return;
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "target_id", sbx_str(t, "id"));
	cJSON_Delete(cJSON_DetachItemViaPointer(sbx_list(s, "deployment_targets"), t));
}

static void set_active(sbx *s, sbx_req *rq, sbx_resp *rs, bool active)
{
	cJSON *t = mutable_target(s, rq, rs);
	if (!t)
		return;
	set_item(t, "active", cJSON_CreateBool(active));
	touch(t, false);
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "target_id", sbx_str(t, "id"));
	cJSON_AddBoolToObject(rs->body, "cordoned", !active);
}

void h_target_activate(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	set_active(s, rq, rs, true);
}

void h_target_deactivate(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	set_active(s, rq, rs, false);
}

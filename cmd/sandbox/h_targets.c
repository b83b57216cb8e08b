/*
 * h_targets: deployment targets as public-api and gofer handle them
 * (semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/,
 * deployments_client/, ee/gofer/lib/gofer/grpc/deployment_targets/server.ex,
 * ee/gofer/lib/gofer/deployment/model/deployment_queries.ex). Each route runs the
 * server's plugs in their order: shape checks (400 plain text), the plan feature
 * (403 text/plain), the project (404/401), then the request formatter and gofer
 * (400/404 JSON strings).
 *
 * A secret change is a pending "sync" on the target: SYNCING until --sync-ms
 * have passed, then the worker's outcome: the new secrets and USABLE, or
 * UNUSABLE with a state_message and the old secrets (secrethub refused them),
 * or, for a delete, the target gone. Pending syncs are settled lazily at the
 * start of every target request.
 */
#include "cmd/sandbox/sandbox.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQUESTER "00000000-0000-4000-8000-000000000001"
#define PRICING "https://semaphoreci.com/pricing"

static const char *const scalars[] = {"description", "url", "bookmark_parameter1",
				      "bookmark_parameter2", "bookmark_parameter3", NULL};

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

static cJSON *targets(sbx *s)
{
	return sbx_list(s, "deployment_targets");
}

static bool syncing(const cJSON *t)
{
	return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(t, "sync"));
}

/* gofer's timestamp_from keeps whole seconds; public-api prints microseconds */
static void touch(cJSON *t, bool created)
{
	char *now = sbx_iso_time();
	char *dot = strchr(now, '.');
	if (dot)
		strcpy(dot, ".000000Z");
	if (created) {
		set_str(t, "created_at", now);
		set_str(t, "created_by", REQUESTER);
	}
	set_str(t, "updated_at", now);
	set_str(t, "updated_by", REQUESTER);
	free(now);
}

/* deployment_queries.ex create/2, update/3, delete/2 (set_as_syncing) */
static void start_sync(sbx *s, cJSON *t, const char *op, cJSON *env, cJSON *files)
{
	cJSON *sync = cJSON_CreateObject();
	cJSON_AddStringToObject(sync, "op", op);
	cJSON_AddItemToObject(sync, "env_vars", env ? env : cJSON_CreateArray());
	cJSON_AddItemToObject(sync, "files", files ? files : cJSON_CreateArray());
	long long until = sbx_now_ms() + s->sync_ms;
	cJSON_AddNumberToObject(sync, "until_ms", (double)until);
	set_item(t, "sync", sync);
	if (until < s->settle_due_ms)
		s->settle_due_ms = until;
	set_str(t, "state_message", "");
}

/* semaphoreio/semaphore ee/gofer/lib/gofer/deployment/engine/worker.ex synchronize, resolve,
 * check_deadline: success stores the secret; failure (after the worker's TTL) leaves the old one
 * and keeps the error as state_message; a finished delete prunes the target. */
static void settle(sbx *s)
{
	long long now = sbx_now_ms();
	if (now < s->settle_due_ms) /* nothing due: no walk over every target per request */
		return;
	s->settle_due_ms = LLONG_MAX;
	cJSON *list = targets(s);
	for (cJSON *t = list ? list->child : NULL, *next; t; t = next) {
		next = t->next;
		cJSON *sync = cJSON_GetObjectItemCaseSensitive(t, "sync");
		if (!cJSON_IsObject(sync))
			continue;
		long long until = (long long)sbx_num(sync, "until_ms");
		if (until > now) {
			if (until < s->settle_due_ms)
				s->settle_due_ms = until;
			continue;
		}
		cJSON *env = cJSON_GetObjectItem(sync, "env_vars"), *files = cJSON_GetObjectItem(sync, "files");
		const char *problem = strcmp(sbx_str(sync, "op"), "delete") ? sbx_secret_problem(env, files) : NULL;
		if (!strcmp(sbx_str(sync, "op"), "delete")) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, t));
			sbx_targets_changed(s);
			continue;
		}
		if (problem) {
			set_str(t, "result", "FAILURE");
			set_str(t, "state_message", problem);
		} else {
			set_item(t, "env_vars", cJSON_DetachItemViaPointer(sync, env));
			set_item(t, "files", cJSON_DetachItemViaPointer(sync, files));
			set_str(t, "result", "SUCCESS");
			set_str(t, "state_message", "");
			set_item(t, "secret", cJSON_CreateTrue());
		}
		cJSON_DeleteItemFromObjectCaseSensitive(t, "sync");
	}
}

static bool seed_user_rule(sbx *s, cJSON *r, const char *project_id)
{
	if (strcmp(sbx_str(r, "type"), "USER") || *sbx_str(r, "subject_id"))
		return false;
	const cJSON *m = sbx_member(s, project_id, NULL, sbx_str(r, "git_login"));
	if (m)
		set_str(r, "subject_id", sbx_str(m, "id"));
	return true;
}

void sbx_normalize_target(sbx *s, cJSON *t)
{
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
	cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(t, "subject_rules")) {
		seed_user_rule(s, r, sbx_str(t, "project_id"));
		cJSON_DeleteItemFromObjectCaseSensitive(r, "git_login"); /* gofer stores type and subject_id */
		if (!cJSON_IsString(cJSON_GetObjectItem(r, "subject_id")))
			set_str(r, "subject_id", "");
	}
	static const char *const arrays[] = {"env_vars", "files"};
	for (size_t i = 0; i < 2; i++)
		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, arrays[i])))
			set_item(t, arrays[i], cJSON_CreateArray());
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "active")))
		set_item(t, "active", cJSON_CreateTrue());
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "secret")))
		set_item(t, "secret", cJSON_CreateTrue());
	if (!*sbx_str(t, "result"))
		set_str(t, "result", !strcmp(sbx_str(t, "state"), "UNUSABLE") ? "FAILURE" : "SUCCESS");
	cJSON_DeleteItemFromObjectCaseSensitive(t, "state");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "state_message")))
		set_str(t, "state_message", "");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "unique_token")))
		set_str(t, "unique_token", "");
	if (!*sbx_str(t, "created_at"))
		touch(t, true);
}

/* semaphoreio/semaphore ee/gofer/lib/gofer/grpc/deployment_targets/server.ex state_from_model */
static const char *state_of(const cJSON *t)
{
	if (syncing(t))
		return "SYNCING";
	if (cJSON_IsFalse(cJSON_GetObjectItem(t, "active")))
		return "CORDONED";
	return strcmp(sbx_str(t, "result"), "FAILURE") ? "USABLE" : "UNUSABLE";
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

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments_client/response_formatter.ex
 * process_target (@response_target_fields); secrets only for describe with include_secrets
 * (deployments/secrets.ex hash_env_vars, hash_files: each value as its MD5) */
static cJSON *target_json(sbx *s, const cJSON *t, bool secrets)
{
	static const char *const copied[] = {"id", "name", "project_id", "description", "url",
		"bookmark_parameter1", "bookmark_parameter2", "bookmark_parameter3", "active",
		"created_at", "created_by", "updated_at", "updated_by", "object_rules", NULL};
	const char *pid = sbx_str(t, "project_id");
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; copied[i]; i++)
		cJSON_AddItemToObject(o, copied[i], cJSON_Duplicate(cJSON_GetObjectItem(t, copied[i]), 1));
	cJSON_AddItemToObject(o, "subject_rules", sbx_rules_json(s, cJSON_GetObjectItem(t, "subject_rules"), pid));
	cJSON_AddStringToObject(o, "organization_id", sbx_str(s->state, "org_id"));
	cJSON_AddStringToObject(o, "state", state_of(t));
	cJSON_AddStringToObject(o, "state_message", sbx_str(t, "state_message"));
	cJSON_AddNullToObject(o, "last_deployment");
	if (secrets) {
		cJSON_AddItemToObject(o, "env_vars", secrets_md5(cJSON_GetObjectItem(t, "env_vars"), "name", "value"));
		cJSON_AddItemToObject(o, "files", secrets_md5(cJSON_GetObjectItem(t, "files"), "path", "content"));
	}
	return o;
}

/* deployment_queries.ex find_by_unique_token: gofer keeps the last token of each target */
static cJSON *holder_of(sbx *s, const char *token)
{
	cJSON *t;
	cJSON_ArrayForEach(t, targets(s))
		if (*token && !strcasecmp(sbx_str(t, "unique_token"), token))
			return t;
	return NULL;
}

static cJSON *target_by_name(sbx *s, const char *project_id, const char *name)
{
	size_t n = 0;
	cJSON **of = sbx_targets_of_project(s, project_id, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(sbx_str(of[i], "name"), name))
			return of[i];
	return NULL;
}

/* util/validate.ex is_valid_uuid?: absent (or null) passes, anything else must be a UUID */
static bool uuid_or_absent(const cJSON *v)
{
	return !v || cJSON_IsNull(v) || (cJSON_IsString(v) && sbx_is_uuid(v->valuestring));
}

static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The shape checks of deployments/create.ex and update.ex verify_params, in their order. */
static bool verify_params(sbx_req *rq, sbx_resp *rs, bool create)
{
	const cJSON *pid = sbx_param(rq, "project_id");
	if (!uuid_or_absent(sbx_param(rq, "unique_token")))
		sbx_fail_plain(rs, 400, "unique_token must be a valid UUID");
	else if (!create && !uuid_or_absent(sbx_param(rq, "target_id")))
		sbx_fail_plain(rs, 400, "target_id must be a valid UUID");
	else if (create && !(cJSON_IsString(pid) && *pid->valuestring))
		sbx_fail_plain(rs, 400, "project_id must be present");
	else if (!uuid_or_absent(pid))
		sbx_fail_plain(rs, 400, "project id must be a valid UUID");
	else if (!sbx_subject_rules_shaped(sbx_param(rq, "subject_rules")))
		sbx_fail_plain(rs, 400, "subject_rules must be a list of proper objects");
	else if (!sbx_object_rules_shaped(sbx_param(rq, "object_rules")))
		sbx_fail_plain(rs, 400, "object_rules must be a list of proper objects");
	else
		return true;
	return false;
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/common.ex
 * has_deployment_targets_enabled: absent rules or exactly one rule of type "ANY" need only
 * the basic feature; any other list, [] included, needs advanced deployment targets. */
static bool feature_allows(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const cJSON *rules = sbx_param(rq, "subject_rules");
	bool basic = !cJSON_IsArray(rules) ||
		     (cJSON_GetArraySize(rules) == 1 &&
		      !strcmp(sbx_str(cJSON_GetArrayItem(rules, 0), "type"), "ANY"));
	if (basic || sbx_feature(s, "advanced_deployment_targets"))
		return true;
	sbx_fail_text(rs, 403, "The advanced deployment targets feature is not enabled for your "
			       "organization. See more details here: " PRICING);
	return false;
}

/* deployments/common.ex get_project_id_from_target: the target first (gofer's
 * "Not found"), then its project (authorize_manage_project). */
static cJSON *target_of(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *t = sbx_target_by_id(s, sbx_param_str(rq, "target_id"));
	if (!t) {
		sbx_fail(rs, 404, "Not found");
		return NULL;
	}
	return sbx_authorize_project(s, sbx_str(t, "project_id"), rs) ? t : NULL;
}

/* Names, scalars and rules from the request merged over the old target
 * (request_formatter.ex do_form_update_request_: old_target |> Map.merge(target)),
 * checked as gofer's changeset checks them; NULL with rs filled when refused. */
static cJSON *fields_from(sbx *s, sbx_req *rq, const cJSON *old, const char *pid, sbx_resp *rs)
{
	cJSON *ch = cJSON_CreateObject();
	const cJSON *name = sbx_param(rq, "name");
	if (name && !cJSON_IsNull(name)) {
		const char *n = cJSON_GetStringValue(name);
		size_t len = n ? utf8_length(n) : 0;
		if (!n || len < 1 || len > 255) /* request_formatter.ex verify_create_request */
			sbx_fail(rs, 400, "name must be string with length between 1 and 255");
		else
			cJSON_AddStringToObject(ch, "name", n);
	}
	for (size_t i = 0; scalars[i] && rs->status < 300; i++) {
		const cJSON *v = sbx_param(rq, scalars[i]);
		if (v) /* a null merges in as nil: the proto's "" */
			cJSON_AddStringToObject(ch, scalars[i], cJSON_IsString(v) ? v->valuestring : "");
	}
	const cJSON *subj = sbx_param(rq, "subject_rules"), *obj = sbx_param(rq, "object_rules");
	/* present and not null: formatted; absent: defaults on create, the old list on update,
	 * and the old list goes through the same checks again (format_subject_rules) */
	const cJSON *subj_in = subj && !cJSON_IsNull(subj) ? subj : old ? cJSON_GetObjectItem(old, "subject_rules") : NULL;
	cJSON *sr = NULL, *orl = NULL;
	if (rs->status < 300) {
		cJSON *defaults = subj_in ? NULL : sbx_default_subject_rules();
		sr = sbx_format_subject_rules(s, subj_in ? subj_in : defaults, pid, rs);
		cJSON_Delete(defaults);
	}
	if (sr && obj && !cJSON_IsNull(obj))
		orl = sbx_format_object_rules(obj, rs);
	else if (sr && !old)
		orl = sbx_default_object_rules();
	if (sr)
		cJSON_AddItemToObject(ch, "subject_rules", sr);
	if (orl)
		cJSON_AddItemToObject(ch, "object_rules", orl);
	if (rs->status >= 300) {
		cJSON_Delete(ch);
		return NULL;
	}
	return ch;
}

/* gofer's changeset (semaphoreio/semaphore ee/gofer/lib/gofer/deployment/model/deployment.ex):
 * the name's format and its uniqueness in the project, checked after the unique_token */
static bool changeset_ok(sbx *s, const cJSON *t, const cJSON *ch, const char *pid, sbx_resp *rs)
{
	const char *n = sbx_str(ch, "name");
	const cJSON *other = *n ? target_by_name(s, pid, n) : NULL;
	if (!*n || (strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(n) &&
		    (!other || other == t)))
		return true;
	sbx_fail(rs, 400, "Changeset error");
	return false;
}

static void apply_fields(cJSON *t, cJSON *ch)
{
	for (cJSON *c = ch->child, *next; c; c = next) {
		next = c->next;
		set_item(t, c->string, cJSON_DetachItemViaPointer(ch, c));
	}
	cJSON_Delete(ch);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/list.ex */
void h_targets_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	settle(s);
	const cJSON *name = sbx_param(rq, "target_name");
	const char *pid = sbx_param_str(rq, "project_id");
	if (name && !(cJSON_IsString(name) && utf8_length(name->valuestring) >= 1 &&
		      utf8_length(name->valuestring) <= 255))
		return sbx_fail_plain(rs, 400, "target_name must be string with length between 1 and 255");
	if (!uuid_or_absent(sbx_param(rq, "project_id")))
		return sbx_fail_plain(rs, 400, "project id must be a valid UUID");
	if (!feature_allows(s, rq, rs))
		return;
	if (!pid || !*pid) /* deployments/authorize.ex authorize_operation */
		return sbx_fail_plain(rs, 404, "Project not found");
	if (!sbx_authorize_project(s, pid, rs))
		return;
	rs->body = cJSON_CreateArray();
	size_t n = 0;
	cJSON **of = sbx_targets_of_project(s, pid, &n);
	for (size_t i = 0; i < n; i++)
		if (!name || !strcmp(sbx_str(of[i], "name"), name->valuestring))
			cJSON_AddItemToArray(rs->body, target_json(s, of[i], false));
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/describe.ex */
void h_target_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	settle(s);
	if (!uuid_or_absent(sbx_param(rq, "target_id")))
		return sbx_fail_plain(rs, 400, "target_id must be a valid UUID");
	if (!feature_allows(s, rq, rs))
		return;
	cJSON *t = target_of(s, rq, rs);
	if (!t)
		return;
	const cJSON *inc = sbx_param(rq, "include_secrets"); /* secrets.ex is_true */
	bool secrets = cJSON_IsTrue(inc) || (cJSON_IsString(inc) && (!strcasecmp(inc->valuestring, "true") ||
								     !strcasecmp(inc->valuestring, "yes")));
	rs->body = target_json(s, t, secrets);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/create.ex, then
 * request_formatter.ex form_create_request and gofer server.ex create: every create sends a
 * secret (create_secret), so every new target starts SYNCING. */
void h_target_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	settle(s);
	if (!verify_params(rq, rs, true) || !feature_allows(s, rq, rs))
		return;
	const char *pid = sbx_param_str(rq, "project_id");
	if (!sbx_authorize_project(s, pid, rs))
		return;
	const char *tok = sbx_param_str(rq, "unique_token");
	if (!tok || !cJSON_IsString(sbx_param(rq, "name")))
		return sbx_fail(rs, 400, "unique_token, name and project_id are required to create a deployment target");
	cJSON *ch = fields_from(s, rq, NULL, pid, rs);
	if (!ch)
		return;
	cJSON *held = holder_of(s, tok);
	if (held) { /* deployment_queries.ex create/3: {:already_done, deployment} */
		cJSON_Delete(ch);
		rs->body = target_json(s, held, false);
		return;
	}
	if (!changeset_ok(s, NULL, ch, pid, rs)) {
		cJSON_Delete(ch);
		return;
	}
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "project_id", pid);
	apply_fields(t, ch);
	sbx_normalize_target(s, t);
	set_str(t, "unique_token", tok);
	set_item(t, "secret", cJSON_CreateFalse()); /* secrethub has none until the first sync */
	start_sync(s, t, "create", sbx_secret_create(sbx_param(rq, "env_vars"), "name", "value"),
		   sbx_secret_create(sbx_param(rq, "files"), "path", "content"));
	cJSON_AddItemToArray(targets(s), t);
	sbx_targets_changed(s);
	rs->body = target_json(s, t, false);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/update.ex,
 * request_formatter.ex form_update_request, gofer deployment_queries.ex update/4 */
void h_target_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	settle(s);
	if (!verify_params(rq, rs, false) || !feature_allows(s, rq, rs))
		return;
	cJSON *t = target_of(s, rq, rs);
	if (!t)
		return;
	const char *tok = sbx_param_str(rq, "unique_token");
	if (!tok)
		return sbx_fail(rs, 400, "target_id and unique_token are required to update a deployment target");
	cJSON *ch = fields_from(s, rq, t, sbx_str(t, "project_id"), rs);
	if (!ch)
		return;
	cJSON *held = holder_of(s, tok);
	if (held) { /* {:already_done, deployment}: that target, unchanged */
		cJSON_Delete(ch);
		rs->body = target_json(s, held, false);
		return;
	}
	if (syncing(t)) {
		cJSON_Delete(ch);
		return sbx_fail(rs, 400, "Invalid state: SYNCING");
	}
	if (!changeset_ok(s, t, ch, sbx_str(t, "project_id"), rs)) {
		cJSON_Delete(ch);
		return;
	}
	apply_fields(t, ch);
	set_str(t, "unique_token", tok); /* cast by gofer's changeset, secrets or not */
	const cJSON *env = sbx_param(rq, "env_vars"), *files = sbx_param(rq, "files");
	/* update_secret: either list present and not null replaces both */
	if ((env && !cJSON_IsNull(env)) || (files && !cJSON_IsNull(files)))
		start_sync(s, t, "update", sbx_secret_update(env, cJSON_GetObjectItem(t, "env_vars"), "name", "value"),
			   sbx_secret_update(files, cJSON_GetObjectItem(t, "files"), "path", "content"));
	touch(t, false);
	rs->body = target_json(s, t, false);
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/delete.ex, gofer
 * deployment_queries.ex delete/3: a target with a secret record goes SYNCING and the worker
 * prunes it; one without is pruned at once. */
void h_target_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	settle(s);
	if (!uuid_or_absent(sbx_param(rq, "unique_token")))
		return sbx_fail_plain(rs, 400, "unique_token must be a valid UUID");
	if (!uuid_or_absent(sbx_param(rq, "target_id")))
		return sbx_fail_plain(rs, 400, "target_id must be a valid UUID");
	if (!feature_allows(s, rq, rs))
		return;
	cJSON *t = target_of(s, rq, rs);
	if (!t)
		return;
	const char *tok = sbx_param_str(rq, "unique_token");
	if (!tok)
		return sbx_fail(rs, 400, "target_id and unique_token are required to delete a deployment target");
	cJSON *held = holder_of(s, tok);
	if (!held && syncing(t))
		return sbx_fail(rs, 400, "Invalid state: SYNCING");
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "target_id", sbx_str(held ? held : t, "id"));
	if (held)
		return;
	if (cJSON_IsTrue(cJSON_GetObjectItem(t, "secret"))) {
		set_str(t, "unique_token", tok);
		start_sync(s, t, "delete", NULL, NULL);
	} else {
		cJSON_Delete(cJSON_DetachItemViaPointer(targets(s), t));
		sbx_targets_changed(s);
	}
}

/* semaphoreio/semaphore public-api/v1alpha/lib/pipelines_api/deployments/cordon.ex and
 * uncordon.ex, gofer deployment_queries.ex cordon/2 */
static void set_active(sbx *s, sbx_req *rq, sbx_resp *rs, bool active)
{
	settle(s);
	if (!uuid_or_absent(sbx_param(rq, "target_id")))
		return sbx_fail_plain(rs, 400, "target_id must be a valid UUID");
	if (!feature_allows(s, rq, rs))
		return;
	cJSON *t = target_of(s, rq, rs);
	if (!t)
		return;
	if (syncing(t))
		return sbx_fail(rs, 400, "Invalid state: SYNCING");
	set_item(t, "active", cJSON_CreateBool(active));
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

/*
 * kind_target: what plan and apply need to know about deployment targets.
 *
 * Rules compare in order, after normalising: ROLE rules by role name (live
 * ids are named through GET /roles/:id), USER rules by subject_id or
 * git_login as the spec writes them, object rules complete. Rule lists and
 * secret lists a spec omits are left as live. Secrets compare by MD5.
 * Reads: one list per project, one secrets read per managed target, one
 * read per role id, each batch in parallel. Writes carry unique_tokens; a
 * create or a secret change waits until the target has left SYNCING, a
 * delete until the target is gone.
 */
#include "reconciler/apply.h"
#include "reconciler/codec.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *get_str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

static cJSON *rule(const char *type, const char *k, const char *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	if (k)
		cJSON_AddStringToObject(o, k, v);
	return o;
}

static void norm_error(cf_diff_ctx *ctx, int index, const char *fmt, const char *arg)
{
	free(ctx->error);
	free(ctx->error_path);
	ctx->error_path = cf_xasprintf("spec.subject_rules[%d].subject_id", index);
	char *what = cf_xasprintf(fmt, arg);
	ctx->error = cf_xasprintf("%s: %s", ctx->error_path, what);
	free(what);
}

/* A ROLE rule's role as a name. The server resolves names case-insensitively
 * against project-scope roles and stores the id (public-api/v1alpha/lib/
 * pipelines_api/deployments_client/request_formatter.ex normalize_roles);
 * live ids are named through GET /roles/:id (ctx->roles). A name written in
 * the spec takes the live spelling when they match case-insensitively, so
 * "contributor" and "Contributor" are the same role. */
static const char *role_name(const cf_diff_ctx *ctx, const char *id_or_name)
{
	const char *named = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx->roles, id_or_name));
	if (named)
		return named;
	const cJSON *r;
	cJSON_ArrayForEach(r, ctx->roles)
		if (cJSON_IsString(r) && !strcasecmp(r->valuestring, id_or_name))
			return r->valuestring;
	return id_or_name;
}

/* The subject_ids the spec's USER rules give: those live USER rules compare by id. */
static bool spec_names_user_id(const cf_diff_ctx *ctx, const char *id)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cf_json_path(ctx->desired_doc, "spec.subject_rules"))
		if (!strcmp(get_str(r, "type"), "USER") && *id && !strcmp(get_str(r, "subject_id"), id))
			return true;
	return false;
}

/* USER rules compare by subject_id when the spec gives one, else by
 * git_login. The server fills git_login only for project members who have
 * one, so a live rule without it cannot be checked against a login: the plan
 * says so once instead of showing a change for ever. */
static cJSON *norm_user(const cJSON *r, bool desired, int index, cf_diff_ctx *ctx)
{
	const char *id = get_str(r, "subject_id"), *login = get_str(r, "git_login");
	if (desired)
		return *id ? rule("USER", "subject_id", id) : rule("USER", "git_login", login);
	if (spec_names_user_id(ctx, id))
		return rule("USER", "subject_id", id);
	if (*login)
		return rule("USER", "git_login", login);
	const cJSON *want = cJSON_GetArrayItem(cf_json_path(ctx->desired_doc, "spec.subject_rules"), index);
	const char *want_login = get_str(want, "git_login");
	if (!strcmp(get_str(want, "type"), "USER") && !*get_str(want, "subject_id") && *want_login) {
		char *note = cf_xasprintf("spec.subject_rules[%d]: the live USER rule has no git_login (user %s "
					  "is not a project member, or has none): \"%s\" cannot be checked; give "
					  "subject_id to compare", index, id, want_login);
		if (ctx->notes)
			cJSON_AddItemToArray(ctx->notes, cJSON_CreateString(note));
		free(note);
		return rule("USER", "git_login", want_login);
	}
	return rule("USER", "subject_id", id);
}

static cJSON *norm_subject_rules(const cJSON *rules, bool desired, cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	int index = 0;
	cJSON_ArrayForEach(r, rules) {
		const char *type = get_str(r, "type"), *id = get_str(r, "subject_id");
		cJSON *n;
		if (!strcmp(type, "ROLE")) {
			const char *name = role_name(ctx, id);
			if (desired && cf_is_uuid(id) && name == id) {
				norm_error(ctx, index, "no role has the id '%s'", id);
				cJSON_Delete(out);
				return NULL;
			}
			n = rule(type, "subject_id", name);
		} else if (!strcmp(type, "USER")) {
			n = norm_user(r, desired, index, ctx);
		} else if (!strcmp(type, "GROUP")) {
			n = rule(type, "subject_id", id);
		} else {
			n = rule(type, NULL, NULL);
		}
		cJSON_AddItemToArray(out, n);
		index++;
	}
	return out;
}

/* Object rules complete, as the server keeps them: match_mode ALL when none,
 * pattern "" for ALL. PR rules too: the guard applies their mode and pattern
 * like any other (ee/gofer/lib/gofer/deployment/guardian.ex object_rule_applies?). */
static cJSON *complete_object_rule(const cJSON *r)
{
	const char *type = get_str(r, "type"), *mode = get_str(r, "match_mode");
	if (!*mode)
		mode = "ALL";
	cJSON *n = rule(type, "match_mode", mode);
	cJSON_AddStringToObject(n, "pattern", strcmp(mode, "ALL") ? get_str(r, "pattern") : "");
	return n;
}

static cJSON *norm_object_rules(const cJSON *rules, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, rules)
		cJSON_AddItemToArray(out, complete_object_rule(r));
	return out;
}

#define SCALAR(field, api) \
	{.name = field, .desired = field, .live = api, .fallback = "\"\"", .type = CF_D_VALUE}

const cf_diff_field cf_sem_target_diff[] = {
	SCALAR("metadata.description", "description"),
	SCALAR("metadata.url", "url"),
	SCALAR("spec.bookmark_parameter1", "bookmark_parameter1"),
	SCALAR("spec.bookmark_parameter2", "bookmark_parameter2"),
	SCALAR("spec.bookmark_parameter3", "bookmark_parameter3"),
	{
		.name = "spec.subject_rules", .desired = "spec.subject_rules", .live = "subject_rules",
		.fallback = "[{\"type\": \"ANY\"}]", .type = CF_D_VALUE, .normalize = norm_subject_rules,
		.omitted_keeps_live = true, .list_items = true,
		.omitted_note = "spec.subject_rules: not in the spec: the server's default, anyone may deploy",
		.empty_note = "spec.subject_rules is empty: nobody can deploy to this target",
	},
	{
		.name = "spec.object_rules", .desired = "spec.object_rules", .live = "object_rules",
		.fallback = "[{\"type\": \"BRANCH\"}, {\"type\": \"TAG\"}, {\"type\": \"PR\"}]",
		.type = CF_D_VALUE, .normalize = norm_object_rules,
		.omitted_keeps_live = true, .list_items = true,
		.omitted_note = "spec.object_rules: not in the spec: the server's default, every branch, tag and pull request",
		.empty_note = "spec.object_rules is empty: nothing can be deployed to this target",
	},
	{
		.name = "spec.env_vars", .desired = "spec.env_vars", .live = "env_vars", .fallback = "[]",
		.type = CF_D_SECRETS, .key = "name", .value = "value",
		.omitted_keeps_live = true, .show_plain = true,
	},
	{
		.name = "spec.files", .desired = "spec.files", .live = "files", .fallback = "[]",
		.type = CF_D_SECRETS, .key = "path", .value = "content",
		.omitted_keeps_live = true,
	},
	{.name = NULL},
};

/* An UNUSABLE target is drift: its secrets did not sync (gofer keeps the old
 * ones), so apply sends them again. */
char *cf_sem_target_live_problem(const cJSON *api, const cf_plan_opts *opts, const char **field,
				 const char **after)
{
	(void)opts;
	if (strcmp(get_str(api, "state"), "UNUSABLE") != 0)
		return NULL;
	*field = "state";
	*after = "USABLE (the secrets are sent again)";
	const char *msg = get_str(api, "state_message");
	return cf_xasprintf("UNUSABLE%s%s", *msg ? ": " : "", msg);
}

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

/* What a plan reads of a live target besides its diff table's fields. */
static const char *const live_keys[] = {"id", "name", "state", "state_message", "active", NULL};

static void trim_target(cJSON *json, void *ud)
{
	(void)ud;
	if (cJSON_IsArray(json)) {
		cJSON *t;
		cJSON_ArrayForEach(t, json)
			cf_live_trim(t, cf_sem_target_diff, live_keys);
	} else {
		cf_live_trim(json, cf_sem_target_diff, live_keys);
	}
}

/* Lists are bare arrays (public-api/v1alpha/lib/pipelines_api/deployments/list.ex). */
static int read_lists(cf_live *live, const cf_resource_set *set, cf_http_client *c, cf_error *err)
{
	cJSON *scope = projects_in_scope(live, set);
	size_t np = (size_t)cJSON_GetArraySize(scope);
	char **paths = cf_xcalloc(np + 1, sizeof(char *));
	cJSON **lists = cf_xcalloc(np + 1, sizeof(cJSON *));
	size_t i = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, scope)
		paths[i++] = cf_xasprintf("/deployment_targets?project_id=%s", p->string);
	int rc = cf_http_get_many_shaped(lists, c, paths, np, trim_target, NULL, err);
	for (i = 0; i < np && rc == CF_OK; i++)
		if (!cJSON_IsArray(lists[i]))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a list)", paths[i]);
	i = 0;
	cJSON_ArrayForEach(p, scope) {
		cJSON *t, *next;
		for (t = rc == CF_OK && lists[i] ? lists[i]->child : NULL; t; t = next) {
			next = t->next;
			const char *name = get_str(t, "name");
			const char *spec = cf_live_spec_address(live, set, &cf_sem_target_kind, p->string, name);
			if (!cJSON_IsObject(t) || !*name || !*get_str(t, "id")) {
				rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (a target "
						  "without a name or an id)", paths[i]);
				break;
			}
			const cf_live_item *twin = spec ? cf_live_find(live, spec) : NULL;
			if (twin) { /* the API keeps names unique; a server that does not is not guessed at */
				rc = cf_error_set(err, CF_EAPI, "project %s has two deployment targets named '%s' "
						  "(%s and %s): ciform cannot tell which %s means", p->valuestring, name,
						  twin->id, get_str(t, "id"), spec);
				break;
			}
			char *addr = spec ? cf_xstrdup(spec) : cf_xasprintf("DeploymentTarget/%s/%s", p->valuestring, name);
			cJSON *api = cJSON_DetachItemViaPointer(lists[i], t); /* taken over, not copied */
			cf_live_add(live, set, &cf_sem_target_kind, addr, get_str(api, "id"), p->string, name, api);
			free(addr);
		}
		cJSON_Delete(lists[i]);
		free(paths[i]);
		i++;
	}
	free(paths);
	free(lists);
	cJSON_Delete(scope);
	return rc;
}

/* Secrets, as MD5s, for the targets the specs keep. */
/* A target's answer with its secrets' MD5s, as it arrives: checked, trimmed
 * and stored as the live item's text at once, so a batch of 30,000 reads
 * never holds 30,000 parsed answers. A wrong shape stays in the call, which
 * read_secrets then reports. */
static void store_secrets(cJSON *json, void *ud)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(json, "env_vars");
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(json, "files");
	if (!cJSON_IsObject(json) || (env && !cJSON_IsArray(env)) || (files && !cJSON_IsArray(files)))
		return;
	trim_target(json, NULL);
	cJSON *taken = cJSON_CreateObject();
	for (cJSON *k = json->child, *next; k; k = next) { /* move, not copy, into the item */
		next = k->next;
		cJSON_AddItemToObject(taken, k->string, cJSON_DetachItemViaPointer(json, k));
	}
	cf_live_set_api(ud, taken);
	cJSON_AddTrueToObject(json, "stored");
}

static int read_secrets(cf_live *live, cf_http_client *c, cf_error *err)
{
	size_t n = 0;
	cf_live_item **want = cf_xcalloc(live->count + 1, sizeof(*want));
	for (size_t k = 0; k < live->count; k++)
		if (live->items[k].kind == &cf_sem_target_kind && live->items[k].res && !live->items[k].res->absent)
			want[n++] = &live->items[k];
	cf_http_call *calls = cf_xcalloc(n + 1, sizeof(*calls));
	for (size_t k = 0; k < n; k++) {
		char *id = cf_http_escape(want[k]->id);
		cf_http_call_init(&calls[k], "GET", CF_HTTP_IDEMPOTENT, NULL, "/deployment_targets/%s?include_secrets=true", id);
		calls[k].shape = store_secrets;
		calls[k].shape_ud = want[k];
		free(id);
	}
	int rc = cf_http_run(c, calls, n, err);
	for (size_t k = 0; k < n; k++) {
		if (rc == CF_OK && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(calls[k].json, "stored")))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a target)",
					  calls[k].path);
		cf_http_call_clear(&calls[k]);
	}
	free(calls);
	free(want);
	return rc;
}

static void add_role_ids(const char ***ids, size_t *n, const cJSON *rules, bool only_uuids)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, rules) {
		const char *id = get_str(r, "subject_id");
		if (strcmp(get_str(r, "type"), "ROLE") != 0 || !*id || (only_uuids && !cf_is_uuid(id)))
			continue;
		*ids = cf_xrealloc(*ids, (*n + 1) * sizeof(**ids));
		(*ids)[(*n)++] = id;
	}
}

/* The names of the roles the managed targets' rules hold (live ids, and ids
 * the specs write), one GET /roles/:id each. */
static int read_role_names(cf_live *live, const cf_resource_set *set, cf_http_client *c, cf_error *err)
{
	const char **ids = NULL;
	size_t n = 0;
	cJSON *rules = cJSON_CreateArray(); /* the live rule lists, parsed: ids point into them */
	for (size_t k = 0; k < live->count; k++) {
		if (live->items[k].kind != &cf_sem_target_kind || !live->items[k].res)
			continue;
		cJSON *api = cf_live_api(&live->items[k]);
		cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(api, "subject_rules");
		cJSON_Delete(api);
		if (list) {
			cJSON_AddItemToArray(rules, list);
			add_role_ids(&ids, &n, list, false);
		}
	}
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].kind == &cf_sem_target_kind)
			add_role_ids(&ids, &n, cf_json_path(set->items[i].doc, "spec.subject_rules"), true);
	cJSON *names = NULL;
	int rc = cf_sem_role_names(&names, c, ids, n, err);
	free(ids);
	cJSON_Delete(rules);
	cJSON_Delete(live->roles);
	live->roles = names;
	return rc;
}

int cf_sem_target_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags,
			     cf_error *err)
{
	(void)diags;
	cf_http_client *c = cf_sem_of(conn);
	int rc = read_lists(live, set, c, err);
	if (rc == CF_OK)
		rc = read_secrets(live, c, err);
	if (rc == CF_OK)
		rc = read_role_names(live, set, c, err);
	return rc;
}

/* ---- writing ---- */

/* A secret list for the body: the spec's entries, a "<md5> [md5]" placeholder
 * sent as the bare MD5 (the server keeps the old value only for that:
 * deployments_client/request_formatter.ex check_env_var, check_file; the
 * suffix would be stored as the secret). A list the spec omits is sent back
 * as the live MD5s, which keeps every live value: the server replaces both
 * lists when either is sent. */
static cJSON *secret_list(const cJSON *spec, const cJSON *live, const char *key, const char *valkey)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e, *from = spec ? spec : live;
	cJSON_ArrayForEach(e, from) {
		const char *v = get_str(e, valkey);
		char md5[33];
		if (spec && cf_is_md5_placeholder(v)) {
			cf_md5_placeholder_hash(v, md5);
			v = md5;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, key, get_str(e, key));
		cJSON_AddStringToObject(o, valkey, v);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

/* Every object rule with all three keys, or the server answers 400
 * (public-api/v1alpha/lib/pipelines_api/deployments/common.ex is_map_of_object_rule). */
static cJSON *object_rules_body(const cJSON *rules)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, rules)
		cJSON_AddItemToArray(out, complete_object_rule(r));
	return out;
}

/* The flat body of a create or update: the scalars, each rule list only when
 * the spec gives one (absent: defaults on create, left alone on update;
 * request_formatter.ex format_subject_rules), and both secret lists when asked. */
static cJSON *target_body(const cf_change *ch, bool secrets)
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
	const cJSON *subject = cf_json_path(r->doc, "spec.subject_rules");
	if (cJSON_IsArray(subject)) /* ROLE rules by name or id, as written: the server resolves them */
		cJSON_AddItemToObject(b, "subject_rules", cJSON_Duplicate(subject, 1));
	const cJSON *object = cf_json_path(r->doc, "spec.object_rules");
	if (cJSON_IsArray(object))
		cJSON_AddItemToObject(b, "object_rules", object_rules_body(object));
	if (secrets) {
		cJSON *live = ch->live ? cf_live_api(ch->live) : NULL;
		cJSON_AddItemToObject(b, "env_vars", secret_list(cf_json_path(r->doc, "spec.env_vars"),
								 cJSON_GetObjectItemCaseSensitive(live, "env_vars"), "name", "value"));
		cJSON_AddItemToObject(b, "files", secret_list(cf_json_path(r->doc, "spec.files"),
							      cJSON_GetObjectItemCaseSensitive(live, "files"), "path", "content"));
		cJSON_Delete(live);
	}
	cJSON_AddStringToObject(b, "unique_token", ch->token);
	return b;
}

typedef struct sync_poll {
	cf_http_client *client;
	const char *id;
	char *message; /* UNUSABLE's state_message */
} sync_poll;

/* Server text shown to a person: control characters (a terminal's escape
 * sequences among them) become '?'. */
static char *printable(const char *s)
{
	char *out = cf_xstrdup(s);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

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
		sp->message = printable(get_str(t, "state_message"));
	cJSON_Delete(t);
	return done;
}

/* Waits until the target has left SYNCING; UNUSABLE is a failure. */
static int wait_synced(cf_apply_ctx *ctx, const cf_change *ch, const char *id, cf_error *err)
{
	sync_poll sp = {.client = cf_sem_of(ctx->conn), .id = id};
	int rc = cf_apply_wait_for(ctx, "SYNCING", poll_sync, &sp, err);
	if (rc == CF_ETIMEOUT)
		rc = cf_error_set(err, CF_ETIMEOUT, "%s: still SYNCING after the wait timeout", ch->address);
	else if (rc == CF_OK && sp.message)
		rc = cf_error_set(err, CF_EAPI, "%s: the target is UNUSABLE: %s", ch->address,
				  *sp.message ? sp.message : "(no state_message)");
	free(sp.message);
	return rc;
}

/* A deleted target with secrets goes SYNCING and stays listed until a
 * worker removes it (ee/gofer/lib/gofer/deployment/model/deployment_queries.ex
 * delete/2): done when GET answers 404. */
static int poll_gone(void *ud, cf_error *err)
{
	sync_poll *sp = ud;
	cJSON *t = NULL;
	int rc = cf_sem_target_describe(&t, sp->client, sp->id, false, err);
	cJSON_Delete(t);
	if (rc == CF_ENOTFOUND) {
		cf_error_clear(err);
		return 1;
	}
	return rc == CF_OK ? 0 : rc;
}

static int wait_gone(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	sync_poll sp = {.client = cf_sem_of(ctx->conn), .id = ch->id};
	int rc = cf_apply_wait_for(ctx, "listed", poll_gone, &sp, err);
	if (rc == CF_ETIMEOUT)
		rc = cf_error_set(err, CF_ETIMEOUT, "%s: deleted, but still listed after the wait timeout",
				  ch->address);
	return rc;
}

static bool live_syncing(const cf_change *ch)
{
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	bool syncing = !strcmp(get_str(api, "state"), "SYNCING");
	cJSON_Delete(api);
	return syncing;
}

/* The server refuses an unknown role as `role "x" is not valid` (the name
 * lowercased: request_formatter.ex check_subject_rules_roles). It lists no
 * project roles, but the names ciform met in live rules are a fair guess. */
static void suggest_role(cf_apply_ctx *ctx, cf_error *err)
{
	const char *at = err->message ? strstr(err->message, "role \"") : NULL;
	const char *end = at ? strstr(at + 6, "\" is not valid") : NULL;
	if (!end || !ctx->live || !ctx->live->roles)
		return;
	char *wrong = cf_xstrndup(at + 6, (size_t)(end - at - 6));
	size_t n = (size_t)cJSON_GetArraySize(ctx->live->roles), k = 0;
	const char **names = cf_xcalloc(n + 1, sizeof(char *));
	const cJSON *r;
	cJSON_ArrayForEach(r, ctx->live->roles)
		if (cJSON_IsString(r))
			names[k++] = r->valuestring;
	const char *near = cf_suggest(wrong, names);
	if (near) {
		char *more = cf_xasprintf("%s (did you mean '%s'?)", err->message, near);
		cf_error_set(err, err->code, "%s", more);
		free(more);
	}
	free(names);
	free(wrong);
}

int cf_sem_target_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_http_client *c = cf_sem_of(ctx->conn);
	int rc = CF_OK;
	if (live_syncing(ch))
		rc = wait_synced(ctx, ch, ch->id, err);
	if (rc != CF_OK)
		return rc;
	cJSON *out = NULL, *body = NULL;
	switch (ch->action) {
	case CF_CREATE:
		body = target_body(ch, true);
		rc = cf_sem_target_create(&out, c, ch->project_id, body, err);
		if (rc == CF_OK) {
			cf_apply_created(ctx, ch->address, get_str(out, "id"));
			rc = wait_synced(ctx, ch, get_str(out, "id"), err);
		}
		break;
	case CF_UPDATE:
		body = target_body(ch, ch->secrets);
		rc = cf_sem_target_update(&out, c, ch->id, body, err);
		if (rc == CF_OK && ch->secrets)
			rc = wait_synced(ctx, ch, ch->id, err);
		break;
	case CF_DELETE:
		rc = cf_sem_target_delete(c, ch->id, ch->token, err);
		if (rc == CF_OK)
			rc = wait_gone(ctx, ch, err);
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
	if (rc == CF_EAPI && (ch->action == CF_CREATE || ch->action == CF_UPDATE))
		suggest_role(ctx, err);
	cJSON_Delete(body);
	cJSON_Delete(out);
	return rc;
}

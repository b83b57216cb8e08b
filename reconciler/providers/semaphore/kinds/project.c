/*
 * project: the Project manifest, the settings of a project that exists.
 *
 * ciform neither creates, renames nor deletes projects: a manifest names an
 * existing project by name and says the keys it wants; the others stay as
 * they are live. The API's PATCH replaces everything it is not sent
 * (projecthub-rest-api/lib/projecthub/http_api.ex update: description "",
 * run_on [], permissions off, whitelist empty, and every task not listed
 * deleted), so apply always sends the whole project: the live one with the
 * manifest laid over it, and every task (read with GET /tasks, all pages, not
 * the project's own listing, which stops at 500). That write re-attributes
 * every task of the project to the token's user (periodic_scheduler/
 * scheduler/lib/scheduler/actions/bulk_upsert_and_prune_impl.ex
 * build_update_params): the plan says so, naming them.
 */
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/providers/semaphore/kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* http_api.ex run_on_map / permissions_map: other words are dropped silently. */
static const char *const run_on_words[] = {"branches", "tags", "pull_requests", "forked_pull_requests",
					   "draft_pull_requests", NULL};
static const char *const debug_words[] = {"empty", "default_branch", "non_default_branch", "pull_request",
					  "forked_pull_request", "tag", NULL};
static const char *const visibility_words[] = {"private", "public", NULL};
static const char *const level_words[] = {"pipeline", "block", NULL};
static const char *const status_words[] = {"ACTIVE", "INACTIVE", NULL};

static const cf_field param_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "required", .type = CF_T_BOOL},
	{.key = "description", .type = CF_T_STR},
	{.key = "default_value", .type = CF_T_STR},
	{.key = "options", .type = CF_T_IGNORE, .note = "A list of strings."}, /* read by check */
	{.key = "regex_pattern", .type = CF_T_STR},
	{.key = "validate_input_format", .type = CF_T_BOOL},
	CF_FIELDS_END,
};

static const cf_field task_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "description", .type = CF_T_STR},
	{.key = "scheduled", .type = CF_T_BOOL},
	{.key = "branch", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "at", .type = CF_T_STR},
	{.key = "pipeline_file", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "status", .type = CF_T_STR, .one_of = status_words},
	{.key = "parameters", .type = CF_T_LIST, .fields = param_fields},
	{.key = "id", .type = CF_T_IGNORE},        /* output-only: ids are filled in by name */
	{.key = "reference", .type = CF_T_IGNORE}, /* output-only: GET adds it to tag tasks */
	CF_FIELDS_END,
};

static const cf_field pipeline_file_fields[] = {
	{.key = "path", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "level", .type = CF_T_STR, .flags = CF_F_REQUIRED, .one_of = level_words},
	CF_FIELDS_END,
};

static const cf_field status_fields[] = {
	{.key = "pipeline_files", .type = CF_T_LIST, .fields = pipeline_file_fields},
	CF_FIELDS_END,
};

static const cf_field string_pair_fields[] = {
	{.key = "allowed_secrets", .type = CF_T_IGNORE, .note = "A list of secret names."}, /* read by check */
	{.key = "allowed_contributors", .type = CF_T_IGNORE, .note = "A list of strings."},
	CF_FIELDS_END,
};

static const cf_field whitelist_fields[] = {
	{.key = "branches", .type = CF_T_IGNORE, .note = "A list of strings."},
	{.key = "tags", .type = CF_T_IGNORE, .note = "A list of strings."},
	CF_FIELDS_END,
};

static const cf_field repository_fields[] = {
	{.key = "url", .type = CF_T_STR},
	{.key = "run_on", .type = CF_T_IGNORE, .note = "A list of strings."},
	{.key = "forked_pull_requests", .type = CF_T_MAP, .fields = string_pair_fields},
	{.key = "pipeline_file", .type = CF_T_STR},
	{.key = "status", .type = CF_T_MAP, .fields = status_fields},
	{.key = "whitelist", .type = CF_T_MAP, .fields = whitelist_fields},
	{.key = "integration_type", .type = CF_T_IGNORE}, /* output-only */
	{.key = "name", .type = CF_T_IGNORE},
	{.key = "owner", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "visibility", .type = CF_T_STR, .one_of = visibility_words},
	{.key = "repository", .type = CF_T_MAP, .fields = repository_fields},
	{.key = "custom_permissions", .type = CF_T_BOOL},
	{.key = "debug_permissions", .type = CF_T_IGNORE},
	{.key = "attach_permissions", .type = CF_T_IGNORE},
	{.key = "tasks", .type = CF_T_LIST, .fields = task_fields},
	{.key = "schedulers", .type = CF_T_IGNORE}, /* legacy; only [] (check) */
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "description", .type = CF_T_STR},
	CF_ENSURE_FIELD,
	{.key = "org_id", .type = CF_T_IGNORE},
	{.key = "owner_id", .type = CF_T_IGNORE},
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str_of(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

static bool one_of(const char *w, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(*words, w))
			return true;
	return false;
}

/* A list of words the server would drop silently if unknown: an error here. */
static void word_list(cf_kctx *kc, cJSON *obj, const char *parent, const char *key, const char *const *words)
{
	cf_sem_str_list(kc, obj, parent, key);
	const cJSON *w;
	int i = 0;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(obj, key)) {
		if (!one_of(w->valuestring, words)) {
			char at[96];
			snprintf(at, sizeof(at), "%s.%s[%d]", parent, key, i);
			char *all = cf_schema_list_words(words);
			cf_kerr(kc, at, "%s: must be %s, not '%s'", at, all, w->valuestring);
			free(all);
		}
		i++;
	}
}

static void check_task(cf_kctx *kc, cJSON *t, int i, const cJSON *tasks)
{
	char at[96];
	const char *name = str_of(t, "name"), *branch = str_of(t, "branch"), *pf = str_of(t, "pipeline_file");
	snprintf(at, sizeof(at), "spec.tasks[%d].name", i);
	if (name && blank(name))
		cf_kerr(kc, at, "%s: must not be empty", at);
	for (int j = 0; name && j < i; j++)
		if (str_of(cJSON_GetArrayItem(tasks, j), "name") && !strcmp(name, str_of(cJSON_GetArrayItem(tasks, j), "name")))
			cf_kerr(kc, at, "%s: '%s' is a task already (spec.tasks[%d])", at, name, j);
	snprintf(at, sizeof(at), "spec.tasks[%d].branch", i);
	if (branch && blank(branch))
		cf_kerr(kc, at, "%s: must not be empty", at);
	else if (branch && !strncmp(branch, "refs/", 5) && strncmp(branch, "refs/heads/", 11) &&
		 strncmp(branch, "refs/tags/", 10) && strncmp(branch, "refs/pull/", 10))
		cf_kerr(kc, at, "%s: '%s' is no branch, refs/heads/, refs/tags/ or refs/pull/ ref", at, branch);
	snprintf(at, sizeof(at), "spec.tasks[%d].pipeline_file", i);
	if (pf && blank(pf))
		cf_kerr(kc, at, "%s: must not be empty", at);
	const char *cron = str_of(t, "at");
	char why[160];
	snprintf(at, sizeof(at), "spec.tasks[%d].at", i);
	if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, "scheduled")) && (!cron || blank(cron)))
		cf_kerr(kc, at, "%s: a scheduled task needs a cron expression (UTC), such as \"0 3 * * *\"", at);
	else if (cron && !blank(cron) && !cf_sem_cron_ok(cron, why, sizeof(why)))
		cf_kerr(kc, at, "%s: '%s' is no cron expression: %s", at, cron, why);
	cJSON *p;
	int j = 0;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "parameters")) {
		snprintf(at, sizeof(at), "spec.tasks[%d].parameters[%d]", i, j++);
		cf_sem_str_list(kc, p, at, "options");
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	if (absent)
		return; /* refused by absent_refusal */
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && blank(name))
		cf_kerr(kc, "metadata.name", "metadata.name: must not be empty");
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	cJSON *repo = cJSON_GetObjectItemCaseSensitive(spec, "repository");
	word_list(kc, repo, "spec.repository", "run_on", run_on_words);
	cJSON *fpr = cJSON_GetObjectItemCaseSensitive(repo, "forked_pull_requests");
	cf_sem_str_list(kc, fpr, "spec.repository.forked_pull_requests", "allowed_secrets");
	cf_sem_str_list(kc, fpr, "spec.repository.forked_pull_requests", "allowed_contributors");
	cJSON *wl = cJSON_GetObjectItemCaseSensitive(repo, "whitelist");
	cf_sem_str_list(kc, wl, "spec.repository.whitelist", "branches");
	cf_sem_str_list(kc, wl, "spec.repository.whitelist", "tags");
	word_list(kc, spec, "spec", "debug_permissions", debug_words);
	/* attach_settings (projecthub/lib/projecthub/api/grpc_server.ex) ignores :EMPTY */
	word_list(kc, spec, "spec", "attach_permissions", debug_words + 1);
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(spec, "custom_permissions")) &&
	    (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "debug_permissions")) > 0 ||
	     cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "attach_permissions")) > 0))
		cf_kwarn(kc, "spec.custom_permissions", "spec.custom_permissions: false, so the server clears "
			 "debug_permissions and attach_permissions: the lists here are not applied");
	yaml_node_t *sched = cf_ypath(kc->y, kc->root, "spec.schedulers");
	if (sched && !cf_yis_null(sched) && !(sched->type == YAML_SEQUENCE_NODE &&
					      sched->data.sequence.items.top == sched->data.sequence.items.start))
		cf_kerr(kc, "spec.schedulers", "spec.schedulers: the legacy form is not managed: write spec.tasks");
	cJSON *tasks = cJSON_GetObjectItemCaseSensitive(spec, "tasks"), *t;
	int i = 0;
	cJSON_ArrayForEach(t, tasks)
		check_task(kc, t, i++, tasks);
}

/* ---- plan ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* A set of strings: sorted, each once. */
static cJSON *sorted_strings(const cJSON *v)
{
	size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
	const char **all = cf_xcalloc(n + 1, sizeof(*all));
	const cJSON *w;
	cJSON_ArrayForEach(w, v)
		if (cJSON_IsString(w))
			all[k++] = w->valuestring;
	qsort(all, k, sizeof(*all), cmp_str);
	cJSON *out = cJSON_CreateArray();
	for (size_t i = 0; i < k; i++)
		if (i == 0 || strcmp(all[i], all[i - 1]))
			cJSON_AddItemToArray(out, cJSON_CreateString(all[i]));
	free(all);
	return out;
}

static cJSON *norm_set(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	return sorted_strings(v);
}

/* Permissions hold only while custom_permissions is on (grpc_server.ex
 * attach_settings clears them otherwise); a list the spec omits keeps live. */
static cJSON *norm_permissions(const cJSON *v, bool desired, cf_diff_ctx *ctx, const char *key)
{
	if (!desired)
		return sorted_strings(v);
	const cJSON *custom = cf_json_path(ctx->desired_doc, "spec.custom_permissions");
	if (!custom)
		custom = cJSON_GetObjectItemCaseSensitive(ctx->live_norm, "spec.custom_permissions");
	if (!cJSON_IsTrue(custom))
		return cJSON_CreateArray();
	char *path = cf_xasprintf("spec.%s", key);
	bool given = cf_json_path(ctx->desired_doc, path) != NULL;
	const cJSON *live = cJSON_GetObjectItemCaseSensitive(ctx->live_norm, path);
	free(path);
	return given || !live ? sorted_strings(v) : cJSON_Duplicate(live, 1);
}

static cJSON *norm_debug(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	return norm_permissions(v, desired, ctx, "debug_permissions");
}

static cJSON *norm_attach(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	return norm_permissions(v, desired, ctx, "attach_permissions");
}

static cJSON *norm_files(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	cJSON *out = cJSON_CreateArray();
	const cJSON *f;
	cJSON_ArrayForEach(f, v) {
		cJSON *e = cJSON_CreateObject();
		const char *path = str_of(f, "path"), *level = str_of(f, "level");
		cJSON_AddStringToObject(e, "path", path ? path : "");
		cJSON_AddStringToObject(e, "level", level && !strcasecmp(level, "block") ? "block" : "pipeline");
		cJSON_AddItemToArray(out, e);
	}
	return out;
}

/* The repository is the project's identity: ciform does not move it. */
static cJSON *norm_url(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	const char *url = cJSON_IsString(v) ? v->valuestring : "";
	const char *live = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ctx->live_norm, "spec.repository.url"));
	if (desired && live && strcmp(url, live)) {
		free(ctx->error);
		free(ctx->error_path);
		ctx->error_path = cf_xstrdup("spec.repository.url");
		ctx->error = cf_xasprintf("spec.repository.url: must be the project's repository, %s: ciform does not "
					  "move a project to another repository", live);
		return NULL;
	}
	return cJSON_CreateString(url);
}

/* One task as the plan compares it; live: a GET /tasks item; desired: a
 * spec.tasks entry, whose omitted status keeps the live one (http_api.ex
 * task_status: UNCHANGED). */
static cJSON *task_norm(const cJSON *t, bool desired, const cJSON *live_tasks)
{
	cJSON *o = cJSON_CreateObject();
	const char *name = str_of(t, "name");
	cJSON_AddStringToObject(o, "name", name ? name : "");
	char *ref = desired ? cf_sem_task_ref(cJSON_GetObjectItemCaseSensitive(t, "branch"), NULL)
			    : cf_xstrdup(str_of(t, "reference") ? str_of(t, "reference") : "");
	cJSON_AddStringToObject(o, "branch", ref);
	free(ref);
	const char *key = desired ? "scheduled" : "recurring";
	cJSON_AddBoolToObject(o, "scheduled", !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, key)));
	const char *at = str_of(t, "at"), *pf = str_of(t, "pipeline_file"), *desc = str_of(t, "description");
	cJSON_AddStringToObject(o, "at", at ? at : "");
	cJSON_AddStringToObject(o, "pipeline_file", pf ? pf : "");
	const char *status = desired ? str_of(t, "status") : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "paused"))
										      ? "INACTIVE" : "ACTIVE";
	const cJSON *l, *from = desired && !status ? live_tasks : NULL;
	cJSON_ArrayForEach(l, from)
		if (!strcmp(str_of(l, "name"), name ? name : ""))
			status = str_of(l, "status");
	cJSON_AddStringToObject(o, "status", status ? status : "ACTIVE");
	cJSON_AddStringToObject(o, "description", desc ? desc : "");
	cJSON_AddItemToObject(o, "parameters", cf_sem_task_params(cJSON_GetObjectItemCaseSensitive(t, "parameters")));
	return o;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(str_of(*(cJSON *const *)x, "name"), str_of(*(cJSON *const *)y, "name"));
}

/* Tasks in name order (names are unique per project). */
static cJSON *by_name(cJSON *list)
{
	size_t n = (size_t)cJSON_GetArraySize(list), k = 0;
	cJSON **all = cf_xcalloc(n + 1, sizeof(*all));
	while (list->child)
		all[k++] = cJSON_DetachItemViaPointer(list, list->child);
	qsort(all, k, sizeof(*all), cmp_name);
	for (size_t i = 0; i < k; i++)
		cJSON_AddItemToArray(list, all[i]);
	free(all);
	return list;
}

static bool listed(const cJSON *spec_tasks, const char *name)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, spec_tasks)
		if (str_of(t, "name") && !strcmp(str_of(t, "name"), name))
			return true;
	return false;
}

/* Live: the tasks the manifest lists (the others are Task resources,
 * unmanaged); every task the PATCH will carry is re-attributed: the note. */
static cJSON *norm_tasks(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *spec_tasks = cf_json_path(ctx->desired_doc, "spec.tasks");
	const cJSON *live_tasks = cJSON_GetObjectItemCaseSensitive(ctx->live_norm, "spec.tasks");
	const cJSON *t;
	cJSON_ArrayForEach(t, v)
		if (desired || !spec_tasks || listed(spec_tasks, str_of(t, "name") ? str_of(t, "name") : ""))
			cJSON_AddItemToArray(out, task_norm(t, desired, live_tasks));
	by_name(out);
	if (desired)
		return out;
	cJSON *names = cJSON_CreateArray();
	cJSON_ArrayForEach(t, v)
		cJSON_AddItemToArray(names, cJSON_CreateString(str_of(t, "name") ? str_of(t, "name") : ""));
	cJSON_ArrayForEach(t, spec_tasks)
		if (str_of(t, "name"))
			cJSON_AddItemToArray(names, cJSON_CreateString(str_of(t, "name")));
	cJSON *sorted = sorted_strings(names);
	if (sorted->child && ctx->notes) {
		size_t len = 1;
		cJSON_ArrayForEach(t, sorted)
			len += strlen(t->valuestring) + 2;
		char *list = cf_xcalloc(1, len);
		cJSON_ArrayForEach(t, sorted) {
			if (*list)
				strcat(list, ", ");
			strcat(list, t->valuestring);
		}
		char *note = cf_xasprintf("warning: the update rewrites every task of the project (%s): each is then "
					  "run as the API token's user (its requester)", list);
		cJSON_AddItemToArray(ctx->notes, cJSON_CreateString(note));
		free(note);
		free(list);
	}
	cJSON_Delete(sorted);
	cJSON_Delete(names);
	return out;
}

#define KEPT(n, d, l, fb, ...) \
	{.name = n, .desired = d, .live = l, .fallback = fb, .omitted_keeps_live = true, __VA_ARGS__}

static const cf_diff_field project_diff[] = {
	KEPT("metadata.description", "metadata.description", "metadata.description", "\"\""),
	KEPT("spec.visibility", "spec.visibility", "spec.visibility", "\"private\""),
	KEPT("spec.repository.url", "spec.repository.url", "spec.repository.url", "\"\"", .normalize = norm_url),
	KEPT("spec.repository.run_on", "spec.repository.run_on", "spec.repository.run_on", "[]",
	     .normalize = norm_set, .list_items = true),
	KEPT("spec.repository.forked_pull_requests.allowed_secrets", "spec.repository.forked_pull_requests.allowed_secrets",
	     "spec.repository.forked_pull_requests.allowed_secrets", "[]", .list_items = true),
	KEPT("spec.repository.forked_pull_requests.allowed_contributors",
	     "spec.repository.forked_pull_requests.allowed_contributors",
	     "spec.repository.forked_pull_requests.allowed_contributors", "[]", .list_items = true),
	KEPT("spec.repository.pipeline_file", "spec.repository.pipeline_file", "spec.repository.pipeline_file", "\"\""),
	KEPT("spec.repository.status.pipeline_files", "spec.repository.status.pipeline_files",
	     "spec.repository.status.pipeline_files", "[]", .normalize = norm_files, .list_items = true),
	KEPT("spec.repository.whitelist.branches", "spec.repository.whitelist.branches",
	     "spec.repository.whitelist.branches", "[]", .list_items = true),
	KEPT("spec.repository.whitelist.tags", "spec.repository.whitelist.tags", "spec.repository.whitelist.tags", "[]",
	     .list_items = true),
	KEPT("spec.custom_permissions", "spec.custom_permissions", "spec.custom_permissions", "false"),
	{.name = "spec.debug_permissions", .desired = "spec.debug_permissions", .live = "spec.debug_permissions",
	 .fallback = "[]", .normalize = norm_debug, .list_items = true},
	{.name = "spec.attach_permissions", .desired = "spec.attach_permissions", .live = "spec.attach_permissions",
	 .fallback = "[]", .normalize = norm_attach, .list_items = true},
	KEPT("spec.tasks", "spec.tasks", "ciform_tasks", "[]", .normalize = norm_tasks, .list_items = true),
	{.name = NULL},
};

/* ---- apply ---- */

/* The manifest's value at path, else the live one, else fallback. */
static cJSON *laid_over(const cJSON *doc, const cJSON *live, const char *path, const char *fallback)
{
	const cJSON *v = cf_json_path(doc, path);
	if (!v)
		v = cf_json_path(live, path);
	return v && !cJSON_IsNull(v) ? cJSON_Duplicate(v, 1) : cJSON_Parse(fallback);
}

/* projecthub's definition.ex prefixes refs/heads/ to whatever is not a tag
 * or pull ref: a branch goes bare, or it becomes refs/heads/refs/heads/X. */
static const char *patch_branch(const char *ref)
{
	return !strncmp(ref, "refs/heads/", 11) ? ref + 11 : ref;
}

/* One body task: from the manifest (id by name from live), or a live task
 * sent back as it is. */
static cJSON *body_task(const cJSON *t, const cJSON *live_task, bool from_spec)
{
	cJSON *o = cJSON_CreateObject();
	const char *id = str_of(live_task, "id");
	if (id)
		cJSON_AddStringToObject(o, "id", id);
	cJSON *n = task_norm(t, from_spec, NULL);
	cJSON_AddStringToObject(o, "name", str_of(n, "name"));
	cJSON_AddStringToObject(o, "description", str_of(n, "description"));
	cJSON_AddBoolToObject(o, "scheduled", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n, "scheduled")));
	cJSON_AddStringToObject(o, "branch", patch_branch(str_of(n, "branch")));
	cJSON_AddStringToObject(o, "at", str_of(n, "at"));
	cJSON_AddStringToObject(o, "pipeline_file", str_of(n, "pipeline_file"));
	if (!from_spec || str_of(t, "status")) /* absent keeps (http_api.ex task_status) */
		cJSON_AddStringToObject(o, "status", str_of(n, "status"));
	cJSON_AddItemToObject(o, "parameters", cJSON_DetachItemFromObject(n, "parameters"));
	cJSON_Delete(n);
	return o;
}

static const cJSON *task_named(const cJSON *tasks, const char *name)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, tasks)
		if (str_of(t, "name") && !strcmp(str_of(t, "name"), name))
			return t;
	return NULL;
}

/* spec.tasks (ids filled in by name), then every live task it does not list;
 * without spec.tasks, every live task. */
static cJSON *body_tasks(const cJSON *doc, const cJSON *live_tasks)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *spec_tasks = cf_json_path(doc, "spec.tasks"), *t;
	cJSON_ArrayForEach(t, spec_tasks)
		cJSON_AddItemToArray(out, body_task(t, task_named(live_tasks, str_of(t, "name")), true));
	cJSON_ArrayForEach(t, live_tasks)
		if (!listed(spec_tasks, str_of(t, "name") ? str_of(t, "name") : ""))
			cJSON_AddItemToArray(out, body_task(t, t, false));
	return out;
}

static cJSON *project_body(const cJSON *doc, const cJSON *live, const cJSON *live_tasks)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "apiVersion", "v1alpha");
	cJSON_AddStringToObject(b, "kind", "Project");
	cJSON *m = cJSON_AddObjectToObject(b, "metadata");
	cJSON_AddItemToObject(m, "name", laid_over(doc, live, "metadata.name", "\"\""));
	cJSON_AddItemToObject(m, "id", laid_over(NULL, live, "metadata.id", "\"\""));
	cJSON_AddItemToObject(m, "description", laid_over(doc, live, "metadata.description", "\"\""));
	cJSON *s = cJSON_AddObjectToObject(b, "spec");
	cJSON_AddItemToObject(s, "visibility", laid_over(doc, live, "spec.visibility", "\"private\""));
	cJSON *r = cJSON_AddObjectToObject(s, "repository");
	cJSON_AddItemToObject(r, "url", laid_over(doc, live, "spec.repository.url", "\"\""));
	cJSON_AddItemToObject(r, "run_on", laid_over(doc, live, "spec.repository.run_on", "[]"));
	cJSON *f = cJSON_AddObjectToObject(r, "forked_pull_requests");
	cJSON_AddItemToObject(f, "allowed_secrets",
			      laid_over(doc, live, "spec.repository.forked_pull_requests.allowed_secrets", "[]"));
	cJSON_AddItemToObject(f, "allowed_contributors",
			      laid_over(doc, live, "spec.repository.forked_pull_requests.allowed_contributors", "[]"));
	cJSON_AddItemToObject(r, "pipeline_file", laid_over(doc, live, "spec.repository.pipeline_file", "\"\""));
	cJSON *files = laid_over(doc, live, "spec.repository.status.pipeline_files", "[]");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(r, "status"), "pipeline_files", norm_files(files, true, NULL));
	cJSON_Delete(files);
	cJSON *w = cJSON_AddObjectToObject(r, "whitelist");
	cJSON_AddItemToObject(w, "branches", laid_over(doc, live, "spec.repository.whitelist.branches", "[]"));
	cJSON_AddItemToObject(w, "tags", laid_over(doc, live, "spec.repository.whitelist.tags", "[]"));
	cJSON *custom = laid_over(doc, live, "spec.custom_permissions", "false");
	bool on = cJSON_IsTrue(custom);
	cJSON_AddItemToObject(s, "custom_permissions", custom);
	cJSON_AddItemToObject(s, "debug_permissions", on ? laid_over(doc, live, "spec.debug_permissions", "[]")
							  : cJSON_CreateArray());
	cJSON_AddItemToObject(s, "attach_permissions", on ? laid_over(doc, live, "spec.attach_permissions", "[]")
							   : cJSON_CreateArray());
	cJSON_AddItemToObject(s, "tasks", body_tasks(doc, live_tasks));
	return b;
}

/* The tasks are read again: a task made since the plan must not be pruned
 * by a body that does not list it. */
static int project_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	if (ch->action != CF_UPDATE)
		return cf_error_set(err, CF_EUSAGE, "%s: a project can only be updated", ch->address);
	cf_http_client *c = cf_sem_of(ctx->conn);
	cJSON *tasks = NULL;
	int rc = cf_sem_task_list(&tasks, c, ch->id, err);
	if (rc != CF_OK)
		return rc;
	cJSON *live = cf_live_api(ch->live);
	cJSON *body = project_body(ch->res->doc, live, tasks);
	cJSON *out = NULL;
	rc = cf_sem_project_update(&out, c, ch->id, body, err);
	cJSON_Delete(out);
	cJSON_Delete(body);
	cJSON_Delete(live);
	cJSON_Delete(tasks);
	return rc;
}

const cf_kind cf_sem_project_kind = {
	.name = "Project",
	.api_version = "v1alpha",
	.noun = "project",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.absent_refusal = "absent is not possible for a project: ciform changes the settings of existing "
			  "projects and never deletes one",
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = project_diff,
	.has_active = false,
	.read_live = cf_sem_project_read_live,
	.apply = project_apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL,
	.export = cf_sem_project_export,
};

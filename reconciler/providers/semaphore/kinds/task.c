/*
 * task: the Task manifest, a project's scheduled (or run-on-demand) task.
 *
 * sem has no Task kind; the spec's keys are what `sem get task` prints. The
 * API upserts through POST /tasks with a YAML "Schedule" definition (v1.2:
 * no branch, a reference {type, name}) and merges what the definition
 * omits, so every write sends the whole task. Tasks are listed per project,
 * keyed by name (the server keeps names unique per project), deleted by id.
 * Every write makes the token's user the task's requester: scheduled runs
 * then act as that user (periodic_scheduler/scheduler/lib/scheduler/actions/
 * apply_impl.ex, schedule_wf_impl.ex).
 */
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/yamlout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ref_types[] = {"BRANCH", "TAG", "PR", NULL};

static const cf_field param_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "required", .type = CF_T_BOOL},
	{.key = "description", .type = CF_T_STR},
	{.key = "default_value", .type = CF_T_STR},
	{.key = "options", .type = CF_T_IGNORE}, /* a list of strings: read by check */
	{.key = "regex_pattern", .type = CF_T_STR},
	{.key = "validate_input_format", .type = CF_T_BOOL},
	CF_FIELDS_END,
};

static const cf_field reference_fields[] = {
	{.key = "type", .type = CF_T_STR, .flags = CF_F_REQUIRED, .one_of = ref_types},
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "description", .type = CF_T_STR},
	{.key = "branch", .type = CF_T_STR},
	{.key = "reference", .type = CF_T_MAP, .fields = reference_fields},
	{.key = "pipeline_file", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "recurring", .type = CF_T_BOOL},
	{.key = "at", .type = CF_T_STR},
	{.key = "paused", .type = CF_T_BOOL},
	{.key = "parameters", .type = CF_T_LIST, .fields = param_fields},
	/* output-only, as the list and `sem get task` print them */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "project_id", .type = CF_T_IGNORE},
	{.key = "project_name", .type = CF_T_IGNORE},
	{.key = "requester_id", .type = CF_T_IGNORE},
	{.key = "suspended", .type = CF_T_IGNORE},
	{.key = "pause_toggled_by", .type = CF_T_IGNORE},
	{.key = "pause_toggled_at", .type = CF_T_IGNORE},
	{.key = "inserted_at", .type = CF_T_IGNORE},
	{.key = "updated_at", .type = CF_T_IGNORE},
	{.key = "organization_id", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	CF_PROJECT_FIELDS,
	CF_ENSURE_FIELD,
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

/* Ecto trims a name of spaces only to nothing (periodics_queries.ex). */
static void check_params(cf_kctx *kc, cJSON *spec)
{
	cJSON *p;
	int i = 0;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(spec, "parameters")) {
		char at[64];
		snprintf(at, sizeof(at), "spec.parameters[%d]", i);
		cf_sem_str_list(kc, p, at, "options");
		const char *name = str_of(p, "name");
		snprintf(at, sizeof(at), "spec.parameters[%d].name", i);
		if (name && blank(name))
			cf_kerr(kc, at, "%s: must not be empty", at);
		cJSON *q;
		int j = 0;
		cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(spec, "parameters")) {
			if (j++ >= i)
				break;
			if (name && str_of(q, "name") && !strcmp(name, str_of(q, "name")))
				cf_kerr(kc, at, "%s: '%s' is a parameter already (spec.parameters[%d])", at, name, j - 1);
		}
		i++;
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	if (absent)
		return;
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	const char *name = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (name && blank(name))
		cf_kerr(kc, "metadata.name", "metadata.name: must not be empty");
	if (!spec) {
		cf_kerr(kc, "spec", "spec: a task needs at least branch (or reference) and pipeline_file");
		return;
	}
	const char *branch = str_of(spec, "branch");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(spec, "reference");
	if (branch && ref)
		cf_kerr(kc, "spec.reference", "spec: give branch or reference, not both");
	else if (!branch && !ref)
		cf_kerr(kc, "spec", "spec: missing branch (a branch name, or refs/tags/NAME) or reference {type, name}");
	if (branch && blank(branch))
		cf_kerr(kc, "spec.branch", "spec.branch: must not be empty");
	else if (branch && !strncmp(branch, "refs/", 5) && strncmp(branch, "refs/heads/", 11) &&
		 strncmp(branch, "refs/tags/", 10) && strncmp(branch, "refs/pull/", 10))
		cf_kerr(kc, "spec.branch", "spec.branch: '%s' is no branch, refs/heads/, refs/tags/ or refs/pull/ ref",
			branch);
	const char *pf = str_of(spec, "pipeline_file");
	if (pf && blank(pf))
		cf_kerr(kc, "spec.pipeline_file", "spec.pipeline_file: must not be empty");
	const char *at = str_of(spec, "at");
	bool recurring = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(spec, "recurring"));
	char why[160];
	if (recurring && (!at || blank(at)))
		cf_kerr(kc, cJSON_HasObjectItem(spec, "at") ? "spec.at" : "spec",
			"spec.at: a recurring task needs a cron expression (UTC), such as \"0 3 * * *\"");
	else if (at && !blank(at) && !cf_sem_cron_ok(at, why, sizeof(why)))
		cf_kerr(kc, "spec.at", "spec.at: '%s' is no cron expression: %s", at, why);
	check_params(kc, spec);
}

/* ---- plan ---- */

/* spec (branch or reference) on the desired side, the stored full ref on the live side. */
static cJSON *norm_ref(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)ctx;
	if (!desired)
		return cJSON_CreateString(cJSON_IsString(v) ? v->valuestring : "");
	char *ref = cf_sem_task_ref(cJSON_GetObjectItemCaseSensitive(v, "branch"),
				    cJSON_GetObjectItemCaseSensitive(v, "reference"));
	cJSON *out = cJSON_CreateString(ref);
	free(ref);
	return out;
}

static cJSON *norm_params(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	return cf_sem_task_params(v);
}

/* Every key goes out on every write, so an omitted one is its default. */
static const cf_diff_field task_diff[] = {
	{.name = "spec.description", .desired = "spec.description", .live = "description", .fallback = "\"\""},
	{.name = "spec.branch", .desired = "spec", .live = "reference", .fallback = "\"\"", .normalize = norm_ref},
	{.name = "spec.pipeline_file", .desired = "spec.pipeline_file", .live = "pipeline_file", .fallback = "\"\""},
	{.name = "spec.recurring", .desired = "spec.recurring", .live = "recurring", .fallback = "true"},
	{.name = "spec.at", .desired = "spec.at", .live = "at", .fallback = "\"\""},
	{.name = "spec.paused", .desired = "spec.paused", .live = "paused", .fallback = "false"},
	{.name = "spec.parameters", .desired = "spec.parameters", .live = "parameters", .fallback = "[]",
	 .normalize = norm_params, .list_items = true},
	{.name = NULL},
};

/* The Project manifest (with spec.tasks) of the project named ref, or NULL. */
static const cf_resource *listing_project(const cf_resource_set *set, const cf_live *live, const char *ref,
					  bool by_id)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *p = &set->items[i];
		if (p->kind != &cf_sem_project_kind || !cf_json_path(p->doc, "spec.tasks"))
			continue;
		const char *pid = live ? cf_live_project_id(live, p->name) : NULL;
		if (by_id ? pid && !strcmp(pid, ref) : !strcmp(p->name, ref))
			return p;
	}
	return NULL;
}

static void conflict(cf_diags *diags, const cf_resource *t, const cf_resource *p)
{
	cf_resource_diag(diags, t, t->project_is_id ? "metadata.project_id" : "metadata.project",
			 "%s: project '%s' lists its tasks in %s (%s:%d:%d, spec.tasks): write the task there, "
			 "or drop spec.tasks and manage tasks as Task manifests", t->address, p->name, p->address,
			 p->file, p->line, p->column);
}

static void check_set(const cf_resource_set *set, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *t = &set->items[i];
		const cf_resource *p = t->kind == &cf_sem_task_kind && !t->project_is_id
					       ? listing_project(set, NULL, t->project, false) : NULL;
		if (p)
			conflict(diags, t, p);
	}
}

/* Projects of Task manifests are in scope: each project's tasks are listed,
 * the ones no manifest names are unmanaged (pruned with --prune). The tasks
 * of a Project manifest with spec.tasks are read by the Project kind. */
static int task_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	cf_http_client *c = cf_sem_of(conn);
	cJSON *scope = cJSON_CreateObject(); /* UUID -> reference as written */
	size_t before = diags->count;
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *pid = r->kind == &cf_sem_task_kind ? cf_live_project_id(live, r->project) : NULL;
		if (!pid)
			continue;
		const cf_resource *p = r->project_is_id ? listing_project(set, live, pid, true) : NULL;
		if (p)
			conflict(diags, r, p); /* by UUID: only the live state tells */
		if (!cJSON_HasObjectItem(scope, pid))
			cJSON_AddStringToObject(scope, pid, r->project);
	}
	int rc = diags->count > before ? CF_EINVALID : CF_OK;
	size_t n = (size_t)cJSON_GetArraySize(scope), k = 0;
	const char **pids = cf_xcalloc(n + 1, sizeof(*pids));
	cJSON **lists = cf_xcalloc(n + 1, sizeof(*lists));
	const cJSON *p;
	cJSON_ArrayForEach(p, scope)
		pids[k++] = p->string;
	if (rc == CF_OK)
		rc = cf_sem_task_lists(lists, c, pids, n, err);
	k = 0;
	cJSON_ArrayForEach(p, scope) {
		cJSON *list = lists[k++];
		for (cJSON *t = list ? list->child : NULL, *next; t && rc == CF_OK; t = next) {
			next = t->next;
			const char *name = str_of(t, "name"), *id = str_of(t, "id");
			if (!name || !id) {
				rc = cf_error_set(err, CF_EAPI, "GET /tasks?project_id=%s: a task without a name or an id",
						  p->string);
				break;
			}
			const char *spec = cf_live_spec_address(live, set, &cf_sem_task_kind, p->string, name);
			char *addr = spec ? cf_xstrdup(spec) : cf_xasprintf("Task/%s/%s", p->valuestring, name);
			cJSON *api = cJSON_DetachItemViaPointer(list, t);
			cf_live_add(live, set, &cf_sem_task_kind, addr, id, p->string, name, api);
			free(addr);
		}
		cJSON_Delete(list);
	}
	free(lists);
	free(pids);
	cJSON_Delete(scope);
	return rc;
}

/* ---- apply ---- */

static void add_copy(cJSON *to, const char *key, const cJSON *v)
{
	cJSON_AddItemToObject(to, key, cJSON_Duplicate(v, 1));
}

/* The Schedule definition, v1.2 (periodic_scheduler/spec/priv/v1.2.yml:
 * additionalProperties false, so no branch: a reference {type, name}). The
 * update merges what is left out (periodics.ex changeset_update): at,
 * description, paused and parameters always go. */
static char *definition(const cf_change *ch, const char *project_name, const char *id, cf_error *err)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ch->res->doc, "spec");
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1.2");
	cJSON_AddStringToObject(d, "kind", "Schedule");
	cJSON *m = cJSON_AddObjectToObject(d, "metadata");
	cJSON_AddStringToObject(m, "name", ch->res->name);
	if (id)
		cJSON_AddStringToObject(m, "id", id);
	const char *desc = str_of(spec, "description");
	cJSON_AddStringToObject(m, "description", desc ? desc : "");
	cJSON *s = cJSON_AddObjectToObject(d, "spec");
	cJSON_AddStringToObject(s, "project", project_name);
	char *full = cf_sem_task_ref(cJSON_GetObjectItemCaseSensitive(spec, "branch"),
				     cJSON_GetObjectItemCaseSensitive(spec, "reference"));
	cJSON *ref = cJSON_AddObjectToObject(s, "reference");
	const cJSON *given = cJSON_GetObjectItemCaseSensitive(spec, "reference");
	if (given) {
		cJSON_AddStringToObject(ref, "type", str_of(given, "type"));
		cJSON_AddStringToObject(ref, "name", str_of(given, "name"));
	} else if (!strncmp(full, "refs/tags/", 10)) {
		cJSON_AddStringToObject(ref, "type", "TAG");
		cJSON_AddStringToObject(ref, "name", full + 10);
	} else if (!strncmp(full, "refs/pull/", 10)) {
		char *n = cf_xstrdup(full + 10), *slash = strchr(n, '/');
		if (slash)
			*slash = '\0';
		cJSON_AddStringToObject(ref, "type", "PR");
		cJSON_AddStringToObject(ref, "name", n);
		free(n);
	} else {
		cJSON_AddStringToObject(ref, "type", "BRANCH");
		cJSON_AddStringToObject(ref, "name", full + strlen("refs/heads/"));
	}
	free(full);
	const char *at = str_of(spec, "at");
	cJSON_AddStringToObject(s, "at", at ? at : "");
	cJSON_AddStringToObject(s, "pipeline_file", str_of(spec, "pipeline_file"));
	cJSON_AddBoolToObject(s, "recurring", !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(spec, "recurring")));
	cJSON_AddBoolToObject(s, "paused", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "paused")));
	cJSON *params = cf_sem_task_params(cJSON_GetObjectItemCaseSensitive(spec, "parameters"));
	add_copy(s, "parameters", params);
	cJSON_Delete(params);
	cJSON *docs = cJSON_CreateArray();
	cJSON_AddItemToArray(docs, d);
	char *yml = NULL;
	int rc = cf_yaml_emit(&yml, docs, err);
	cJSON_Delete(docs);
	return rc == CF_OK ? yml : NULL;
}

/* The live task of this name in the project, as the plan would compare it:
 * equal to the manifest, or not. */
static int adopt(cf_http_client *c, const cf_change *ch, char **id, cf_error *err)
{
	cJSON *list = NULL;
	int rc = cf_sem_task_list(&list, c, ch->project_id, err);
	if (rc != CF_OK)
		return rc;
	const cJSON *t, *found = NULL;
	cJSON_ArrayForEach(t, list)
		if (str_of(t, "name") && !strcmp(str_of(t, "name"), ch->res->name))
			found = t;
	cf_diff_ctx dc = {.roles = NULL, .desired_doc = ch->res->doc, .live_norm = NULL, .notes = NULL};
	cJSON *l = found ? cf_diff_normalize(task_diff, found, false, &dc) : NULL;
	cJSON *d = found ? cf_diff_normalize(task_diff, ch->res->doc, true, &dc) : NULL;
	if (found && l && d && cJSON_Compare(l, d, true))
		*id = cf_xstrdup(str_of(found, "id"));
	else
		rc = cf_error_set(err, CF_EAPI, "%s: the server says a task of that name exists already%s: "
				  "plan again to see it", ch->address,
				  found ? " and it differs from the manifest" : "");
	cJSON_Delete(l);
	cJSON_Delete(d);
	cJSON_Delete(list);
	return rc;
}

/* A create whose answer was lost may have been made: sent once more, an
 * "already exists" then means it was, and a task of that name that matches
 * the manifest is taken as the one created (periodics_queries.ex insert). */
static int create(cf_apply_ctx *ctx, const cf_change *ch, const char *yml, char **id, cf_error *err)
{
	cf_http_client *c = cf_sem_of(ctx->conn);
	int rc = cf_sem_task_apply(id, c, yml, err); /* retried by the client on a lost answer */
	if (rc == CF_EAPI && err->message && strstr(err->message, "already exists")) {
		cf_error_clear(err);
		rc = adopt(c, ch, id, err);
		if (rc == CF_OK)
			cf_apply_note(ctx, ch, "the task exists already as the manifest says: taken as created");
	}
	return rc;
}

static int task_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_http_client *c = cf_sem_of(ctx->conn);
	if (ch->action == CF_DELETE)
		return cf_sem_task_delete(c, ch->id, err);
	if (ch->action != CF_CREATE && ch->action != CF_UPDATE)
		return cf_error_set(err, CF_EUSAGE, "%s: a task is created, updated or deleted", ch->address);
	const char *project = cf_live_project_name(ctx->live, ch->res->project);
	if (!project)
		return cf_error_set(err, CF_EUSAGE, "%s: project '%s' is not known", ch->address, ch->res->project);
	char *yml = definition(ch, project, ch->action == CF_UPDATE ? ch->id : NULL, err);
	if (!yml)
		return err->code ? err->code : CF_EAPI;
	char *id = NULL;
	int rc = ch->action == CF_CREATE ? create(ctx, ch, yml, &id, err) : cf_sem_task_apply(&id, c, yml, err);
	if (rc == CF_OK && ch->action == CF_CREATE)
		cf_apply_created(ctx, ch->address, id);
	free(id);
	free(yml);
	return rc;
}

/* ---- export ---- */

/* The manifest a plan finds unchanged: defaults left out. */
static cJSON *task_doc(const cJSON *t, const char *ref)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1alpha");
	cJSON_AddStringToObject(d, "kind", "Task");
	cJSON *m = cJSON_AddObjectToObject(d, "metadata");
	cJSON_AddStringToObject(m, "name", str_of(t, "name"));
	cJSON_AddStringToObject(m, "project", ref);
	cJSON *s = cJSON_AddObjectToObject(d, "spec");
	const char *desc = str_of(t, "description"), *full = str_of(t, "reference");
	if (desc && *desc)
		cJSON_AddStringToObject(s, "description", desc);
	if (!full)
		full = "";
	if (!strncmp(full, "refs/heads/", 11)) {
		cJSON_AddStringToObject(s, "branch", full + 11);
	} else if (!strncmp(full, "refs/pull/", 10)) {
		char *n = cf_xstrdup(full + 10), *slash = strchr(n, '/');
		if (slash)
			*slash = '\0';
		cJSON *r = cJSON_AddObjectToObject(s, "reference");
		cJSON_AddStringToObject(r, "type", "PR");
		cJSON_AddStringToObject(r, "name", n);
		free(n);
	} else {
		cJSON_AddStringToObject(s, "branch", full);
	}
	cJSON_AddStringToObject(s, "pipeline_file", str_of(t, "pipeline_file") ? str_of(t, "pipeline_file") : "");
	cJSON_AddBoolToObject(s, "recurring", !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, "recurring")));
	const char *at = str_of(t, "at");
	if (at && *at)
		cJSON_AddStringToObject(s, "at", at);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "paused")))
		cJSON_AddTrueToObject(s, "paused");
	cJSON *params = cf_sem_task_params(cJSON_GetObjectItemCaseSensitive(t, "parameters"));
	if (cJSON_GetArraySize(params) > 0)
		cJSON_AddItemToObject(s, "parameters", params);
	else
		cJSON_Delete(params);
	return d;
}

static int task_export(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_sem_export_ctx *ctx = vctx;
	const char **pids = cf_xcalloc(ctx->nprojects + 1, sizeof(*pids));
	cJSON **lists = cf_xcalloc(ctx->nprojects + 1, sizeof(*lists));
	for (size_t k = 0; k < ctx->nprojects; k++)
		pids[k] = ctx->projects[k].id;
	int rc = cf_sem_task_lists(lists, ctx->c, pids, ctx->nprojects, err);
	for (size_t k = 0; k < ctx->nprojects && rc == CF_OK; k++) {
		const cJSON *t;
		cJSON_ArrayForEach(t, lists[k]) {
			const char *name = str_of(t, "name");
			if (!name || !cf_sem_export_segment(name))
				continue; /* no file name: a "/" in it */
			char *file = cf_xasprintf("task-%s.yaml", name);
			cf_export_add(out, ctx->projects[k].folder, file, task_doc(t, ctx->projects[k].ref));
			free(file);
		}
	}
	for (size_t k = 0; k < ctx->nprojects; k++)
		cJSON_Delete(lists[k]);
	free(lists);
	free(pids);
	return rc;
}

const cf_kind cf_sem_task_kind = {
	.name = "Task",
	.api_version = "v1alpha",
	.noun = "task",
	.fields = document_fields,
	.has_project = true,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = check_set,
	.schema_rules = NULL,
	.diff = task_diff,
	.has_active = false,
	.read_live = task_read_live,
	.apply = task_apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL,
	.export = task_export,
};

/*
 * project_tasks: what the Task kind and a Project's spec.tasks share.
 *
 * A task's schedule is checked offline the way the scheduler checks it (so a
 * bad cron is an error at FILE:LINE:COLUMN, not a 400 in the middle of an
 * apply), its branch becomes the full ref the API stores (so "main" and
 * "refs/heads/main" are one value), and its parameters take the complete
 * shape the API answers (so an omitted description equals ""). The Project
 * kind's reading (GET /projects/NAME, its tasks from GET /tasks) and export
 * live here too, to keep project.c a readable size.
 */
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/providers/semaphore/kinds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- cron: Crontab.CronExpression.Parser as the scheduler calls it
 * (periodic_scheduler/scheduler/lib/scheduler/actions/apply_impl.ex
 * validate_cron_expression): 5 fields (6 with a year), or an @ word ---- */

static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const days[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

static bool cron_value(const char *v, size_t len, int lo, int hi, const char *const *names)
{
	if (!len || len > 6)
		return false;
	if (names && len == 3)
		for (int i = 0; names[i]; i++)
			if (!strncasecmp(v, names[i], 3))
				return true;
	long n = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]))
			return false;
		n = n * 10 + (v[i] - '0');
	}
	return n >= lo && n <= hi;
}

/* One field: a comma list of *, N, N-M, each with an optional /STEP. */
static bool cron_field(const char *f, int lo, int hi, const char *const *names)
{
	size_t len = strlen(f);
	if (!len || f[len - 1] == ',' || f[0] == ',')
		return false;
	char *copy = cf_xstrdup(f), *save = NULL;
	bool ok = true;
	for (char *part = strtok_r(copy, ",", &save); ok && part; part = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(part, '/');
		if (slash) {
			*slash++ = '\0';
			ok = cron_value(slash, strlen(slash), 1, 100000, NULL);
		}
		if (!ok || !strcmp(part, "*"))
			continue;
		char *dash = strchr(part, '-');
		if (dash)
			ok = cron_value(part, (size_t)(dash - part), lo, hi, names) &&
			     cron_value(dash + 1, strlen(dash + 1), lo, hi, names);
		else
			ok = cron_value(part, strlen(part), lo, hi, names);
	}
	free(copy);
	return ok;
}

bool cf_sem_cron_ok(const char *expr, char *why, size_t n)
{
	static const char *const special[] = {"@yearly", "@annually", "@monthly", "@weekly", "@daily",
					      "@midnight", "@hourly", "@reboot", NULL};
	static const struct { const char *name; int lo, hi; const char *const *names; } iv[] = {
		{"minute", 0, 59, NULL}, {"hour", 0, 23, NULL}, {"day of month", 1, 31, NULL},
		{"month", 1, 12, months}, {"day of week", 0, 7, days}, {"year", 0, 9999, NULL}};
	char *copy = cf_xstrdup(expr ? expr : ""), *save = NULL, *fields[6];
	int nf = 0;
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (nf < 6)
			fields[nf] = t;
		nf++;
	}
	bool ok = false;
	if (nf == 1 && fields[0][0] == '@') {
		for (int i = 0; special[i]; i++)
			ok = ok || !strcasecmp(fields[0], special[i]);
		if (!ok)
			snprintf(why, n, "'%s' is no @ word (@hourly, @daily, @weekly, @monthly, @yearly)", fields[0]);
	} else if (nf < 5) {
		snprintf(why, n, "%d field%s, not 5 (minute hour day-of-month month day-of-week)", nf, nf == 1 ? "" : "s");
	} else if (nf > 6) {
		snprintf(why, n, "%d fields, not 5 (minute hour day-of-month month day-of-week)", nf);
	} else {
		ok = true;
		for (int i = 0; i < nf && ok; i++)
			if (!cron_field(fields[i], iv[i].lo, iv[i].hi, iv[i].names)) {
				ok = false;
				snprintf(why, n, "'%s' is no %s (%d-%d)", fields[i], iv[i].name, iv[i].lo, iv[i].hi);
			}
	}
	free(copy);
	return ok;
}

/* ---- refs ---- */

/* The full ref the scheduler stores: GitReference.build_full_reference for a
 * reference {type, name} (BRANCH refs/heads/, TAG refs/tags/, PR
 * refs/pull/N/head: public-api/v1alpha/lib/pipelines_api/schedules/...,
 * periodic_scheduler .../actions/apply_impl.ex), and for a bare branch what
 * projecthub's definition.ex does: anything not under refs/ is a branch. */
char *cf_sem_task_ref(const cJSON *branch, const cJSON *reference)
{
	const char *b = cJSON_GetStringValue(branch);
	if (b)
		return strncmp(b, "refs/", 5) ? cf_xasprintf("refs/heads/%s", b) : cf_xstrdup(b);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reference, "type"));
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reference, "name"));
	if (!name)
		name = "";
	if (type && !strcasecmp(type, "TAG"))
		return cf_xasprintf("refs/tags/%s", name);
	if (type && !strcasecmp(type, "PR"))
		return cf_xasprintf("refs/pull/%s/head", name);
	return cf_xasprintf("refs/heads/%s", name);
}

/* ---- parameters ---- */

static void add_str(cJSON *o, const cJSON *from, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(from, key));
	cJSON_AddStringToObject(o, key, v ? v : "");
}

/* As the list answers them (response_formatter.ex Proto.to_map: every key,
 * "" and false and [] for what was not given), in the order given. */
cJSON *cf_sem_task_params(const cJSON *params)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *p;
	cJSON_ArrayForEach(p, params) {
		cJSON *q = cJSON_CreateObject();
		add_str(q, p, "name");
		cJSON_AddBoolToObject(q, "required", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "required")));
		add_str(q, p, "description");
		add_str(q, p, "default_value");
		cJSON *opts = cJSON_AddArrayToObject(q, "options");
		const cJSON *o;
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(p, "options"))
			if (cJSON_IsString(o))
				cJSON_AddItemToArray(opts, cJSON_CreateString(o->valuestring));
		add_str(q, p, "regex_pattern");
		cJSON_AddBoolToObject(q, "validate_input_format",
				      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "validate_input_format")));
		cJSON_AddItemToArray(out, q);
	}
	return out;
}

/* ---- lists of strings: the schema (reconciler/schema.h) has no type for
 * them, so the table accepts them as CF_T_IGNORE and they are read here from
 * the YAML, with errors at their place ---- */

void cf_sem_str_list(cf_kctx *kc, cJSON *obj, const char *parent, const char *key)
{
	char *path = *parent ? cf_xasprintf("%s.%s", parent, key) : cf_xstrdup(key);
	yaml_node_t *n = cf_ypath(kc->y, kc->root, path);
	if (!n || cf_yis_null(n) || !cJSON_IsObject(obj)) {
		free(path);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cf_kerr(kc, path, "%s: must be a list of strings", path);
		free(path);
		return;
	}
	cJSON *list = cJSON_CreateArray();
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *s = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		if (s) {
			cJSON_AddItemToArray(list, cJSON_CreateString(s));
			continue;
		}
		char *at = cf_xasprintf("%s[%d]", path, i);
		cf_kerr(kc, at, "%s: must be a string", at);
		free(at);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, list);
	free(path);
}

/* ---- the Project kind's reading and export (its table: project.c) ---- */

static const char *str_of(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool listed(const cJSON *spec_tasks, const char *name)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, spec_tasks)
		if (str_of(t, "name") && !strcmp(str_of(t, "name"), name))
			return true;
	return false;
}

/* ---- reading ---- */

/* A project's tasks that its manifest's spec.tasks does not list are Task
 * resources in scope: unmanaged, deleted with --prune (after the PATCH,
 * which still carries them: the delete is the plan's, visible as such). */
static void add_unlisted(cf_live *live, const cf_resource_set *set, const cf_resource *r, const char *pid,
			 const cJSON *tasks)
{
	const cJSON *spec_tasks = cf_json_path(r->doc, "spec.tasks"), *t, *from = spec_tasks ? tasks : NULL;
	cJSON_ArrayForEach(t, from) {
		const char *name = str_of(t, "name"), *id = str_of(t, "id");
		if (!name || !id || listed(spec_tasks, name))
			continue;
		char *addr = cf_xasprintf("Task/%s/%s", r->name, name);
		cf_live_add(live, set, &cf_sem_task_kind, addr, id, pid, name, cJSON_Duplicate(t, 1));
		free(addr);
	}
}

/* GET /projects/NAME for each manifest at once; 404: no such project
 * (projecthub-rest-api/lib/projecthub/http_api.ex describe), a spec error. */
int cf_sem_project_read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags,
			     cf_error *err)
{
	cf_http_client *c = cf_sem_of(conn);
	const cf_resource **want = cf_xcalloc(set->count + 1, sizeof(*want));
	cf_http_call *calls = cf_xcalloc(set->count + 1, sizeof(*calls));
	size_t n = 0, before = diags->count;
	for (size_t i = 0; i < set->count; i++) {
		if (set->items[i].kind != &cf_sem_project_kind)
			continue;
		char *e = cf_http_escape(set->items[i].name);
		cf_http_call_init(&calls[n], "GET", CF_HTTP_IDEMPOTENT, NULL, "/projects/%s", e);
		free(e);
		want[n++] = &set->items[i];
	}
	int rc = cf_http_run(c, calls, n, err);
	if (rc == CF_ENOTFOUND) {
		rc = CF_OK;
		cf_error_clear(err);
	}
	const char **ids = cf_xcalloc(n + 1, sizeof(*ids));
	for (size_t k = 0; k < n && rc == CF_OK; k++) {
		const cf_resource *r = want[k];
		ids[k] = cJSON_GetStringValue(cf_json_path(calls[k].json, "metadata.id"));
		if (calls[k].rc == CF_ENOTFOUND) {
			cf_resource_diag(diags, r, "metadata.name", "metadata.name: project '%s' does not exist in the "
					 "organisation (a Project manifest changes an existing project: ciform does not "
					 "create, rename or delete projects)", r->name);
		} else if (calls[k].rc != CF_OK) {
			rc = cf_error_set(err, calls[k].rc, "%s", calls[k].error);
		} else if (!ids[k] || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(calls[k].json, "spec"))) {
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a project)",
					  calls[k].path);
		}
	}
	/* every project's tasks at once (not the project's own list: it stops at 500) */
	const char **found = cf_xcalloc(n + 1, sizeof(*found));
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (ids[k] && calls[k].rc == CF_OK)
			found[m++] = ids[k];
	cJSON **tasks = cf_xcalloc(n + 1, sizeof(*tasks));
	if (rc == CF_OK)
		rc = cf_sem_task_lists(tasks, c, found, m, err);
	for (size_t k = 0, j = 0; k < n && rc == CF_OK; k++) {
		if (!ids[k] || calls[k].rc != CF_OK)
			continue;
		const cf_resource *r = want[k];
		if (!cf_live_project_id(live, r->name)) /* for the Task kind, which reads after */
			cf_live_add_project(live, r->name, ids[k], r->name);
		add_unlisted(live, set, r, ids[k], tasks[j]);
		cJSON *api = calls[k].json; /* taken over */
		calls[k].json = NULL;
		cJSON_AddItemToObject(api, "ciform_tasks", tasks[j]);
		tasks[j++] = NULL;
		cf_live_add(live, set, &cf_sem_project_kind, r->address, ids[k], NULL, r->name, api);
	}
	for (size_t j = 0; j < m; j++)
		cJSON_Delete(tasks[j]);
	free(tasks);
	free(found);
	free(ids);
	for (size_t k = 0; k < n; k++)
		cf_http_call_clear(&calls[k]);
	free(calls);
	free(want);
	if (rc == CF_OK && diags->count > before)
		rc = CF_EINVALID;
	return rc;
}

/* ---- export ---- */

static void copy_at(cJSON *to, const char *key, const cJSON *from, const char *path)
{
	const cJSON *v = cf_json_path(from, path);
	if (v && !cJSON_IsNull(v))
		cJSON_AddItemToObject(to, key, cJSON_Duplicate(v, 1));
}

/* Every setting, written out (tasks are Task manifests of their own). */
static cJSON *project_doc(const cJSON *p)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "apiVersion", "v1alpha");
	cJSON_AddStringToObject(d, "kind", "Project");
	cJSON *m = cJSON_AddObjectToObject(d, "metadata");
	copy_at(m, "name", p, "metadata.name");
	const char *desc = cJSON_GetStringValue(cf_json_path(p, "metadata.description"));
	if (desc && *desc)
		cJSON_AddStringToObject(m, "description", desc);
	cJSON *s = cJSON_AddObjectToObject(d, "spec");
	copy_at(s, "visibility", p, "spec.visibility");
	cJSON *r = cJSON_AddObjectToObject(s, "repository");
	static const char *const repo_keys[] = {"url", "run_on", "forked_pull_requests", "pipeline_file", "status",
						"whitelist", NULL};
	for (size_t i = 0; repo_keys[i]; i++) {
		char *path = cf_xasprintf("spec.repository.%s", repo_keys[i]);
		copy_at(r, repo_keys[i], p, path);
		free(path);
	}
	bool on = cJSON_IsTrue(cf_json_path(p, "spec.custom_permissions"));
	cJSON_AddBoolToObject(s, "custom_permissions", on);
	if (on) {
		copy_at(s, "debug_permissions", p, "spec.debug_permissions");
		copy_at(s, "attach_permissions", p, "spec.attach_permissions");
	}
	return d;
}

int cf_sem_project_export(cf_export *out, const void *vctx, cf_error *err)
{
	(void)err;
	const cf_sem_export_ctx *ctx = vctx; /* the listing holds every setting: no request */
	for (size_t k = 0; k < ctx->nprojects; k++)
		cf_export_add(out, ctx->projects[k].folder, "project.yaml", project_doc(ctx->projects[k].api));
	return CF_OK;
}


/*
 * h_tasks: tasks (schedules, "periodics") as public-api answers them over the
 * periodic scheduler, and the bulk upsert and prune that a project PATCH
 * sends them through (h_projects.c).
 *
 * The state keeps one entry per task in "tasks" (see store.c): id, name,
 * description, project_id, project_name, reference (a full git ref),
 * at, pipeline_file, recurring, paused, suspended, pause_toggled_by,
 * pause_toggled_at, parameters, requester_id, inserted_at, updated_at.
 *
 * Only apiVersion v1.2 definitions are known here; v1.0 and v1.1 answer as a
 * version the validator has no schema for.
 */
#include "cmd/sandbox/sandbox.h"

#include <ctype.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- small helpers ---- */

static void set_item(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

static void set_str(cJSON *o, const char *key, const char *v)
{
	set_item(o, key, cJSON_CreateString(v ? v : ""));
}

static bool blank(const char *v)
{
	if (!v)
		return true;
	for (; *v; v++)
		if (!isspace((unsigned char)*v))
			return false;
	return true;
}

/* DateTime.to_string of a microsecond timestamp, as
 * public-api/v1alpha/lib/pipelines_api/periodic_scheduler_client/response_formatter.ex
 * timestamp_to_datetime_string writes it */
static char *ts_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char buf[48];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06ldZ", ts.tv_nsec / 1000);
	return strdup(buf);
}

static void set_now(cJSON *o, const char *key)
{
	char *t = ts_now();
	set_str(o, key, t);
	free(t);
}

/* The caller's user id (seed "caller_id"), made up once when the seed has none. */
static const char *caller(sbx *s)
{
	if (!*sbx_str(s->state, "caller_id")) {
		char id[37];
		sbx_uuid(id);
		set_str(s->state, "caller_id", id);
	}
	return sbx_str(s->state, "caller_id");
}

static cJSON *tasks_list(sbx *s)
{
	cJSON *l = sbx_list(s, "tasks");
	if (!cJSON_IsArray(l)) {
		l = cJSON_CreateArray();
		set_item(s->state, "tasks", l);
	}
	return l;
}

static cJSON *task_by_id(sbx *s, const char *id)
{
	cJSON *t;
	cJSON_ArrayForEach(t, tasks_list(s))
		if (!strcasecmp(sbx_str(t, "id"), id))
			return t;
	return NULL;
}

/* A seed's task: "project" (a name) was resolved to project_id by store.c;
 * "branch" is a convenience for reference refs/heads/<branch>. */
void sbx_normalize_task(sbx *s, cJSON *t)
{
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "id"))) {
		char id[37];
		sbx_uuid(id);
		set_str(t, "id", id);
	}
	const char *branch = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "branch"));
	if (branch && !cJSON_GetObjectItemCaseSensitive(t, "reference")) {
		char ref[512];
		snprintf(ref, sizeof(ref), "%s%s", strncmp(branch, "refs/", 5) ? "refs/heads/" : "", branch);
		set_str(t, "reference", ref);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(t, "branch");
	cJSON *p = sbx_project_by_id(s, sbx_str(t, "project_id"));
	if (p && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "project_name")))
		set_str(t, "project_name", sbx_str(p, "name"));
	static const char *const strs[] = {"name", "description", "project_id", "project_name", "reference", "at",
					   "pipeline_file", "pause_toggled_by", "pause_toggled_at", "requester_id", NULL};
	for (size_t i = 0; strs[i]; i++)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, strs[i])))
			set_str(t, strs[i], "");
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "recurring")))
		set_item(t, "recurring", cJSON_CreateTrue());
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "paused")))
		set_item(t, "paused", cJSON_CreateFalse());
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "suspended")))
		set_item(t, "suspended", cJSON_CreateFalse());
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, "parameters")))
		set_item(t, "parameters", cJSON_CreateArray());
	if (!*sbx_str(t, "inserted_at"))
		set_now(t, "inserted_at");
	if (!*sbx_str(t, "updated_at"))
		set_now(t, "updated_at");
}

/* ---- answers ---- */

/* the PeriodicScheduler.Periodic message as public-api maps it (Proto.to_map, then
 * rename_reference_to_branch: public-api/v1alpha/lib/pipelines_api/
 * periodic_scheduler_client/response_formatter.ex) */
static cJSON *periodic_json(sbx *s, const cJSON *t)
{
	cJSON *o = cJSON_CreateObject();
	static const char *const strs[] = {"id", "name", "project_id", "reference", "at", "pipeline_file",
					   "requester_id", "updated_at", NULL};
	for (size_t i = 0; strs[i]; i++)
		cJSON_AddStringToObject(o, strs[i], sbx_str(t, strs[i]));
	cJSON_AddBoolToObject(o, "suspended", cJSON_IsTrue(cJSON_GetObjectItem(t, "suspended")));
	cJSON_AddBoolToObject(o, "paused", cJSON_IsTrue(cJSON_GetObjectItem(t, "paused")));
	cJSON_AddStringToObject(o, "pause_toggled_by", sbx_str(t, "pause_toggled_by"));
	cJSON_AddStringToObject(o, "pause_toggled_at", sbx_str(t, "pause_toggled_at"));
	cJSON_AddStringToObject(o, "inserted_at", sbx_str(t, "inserted_at"));
	cJSON_AddBoolToObject(o, "recurring", !cJSON_IsFalse(cJSON_GetObjectItem(t, "recurring")));
	cJSON *params = cJSON_AddArrayToObject(o, "parameters");
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "parameters")) {
		cJSON *q = cJSON_CreateObject();
		cJSON_AddStringToObject(q, "name", sbx_str(p, "name"));
		cJSON_AddBoolToObject(q, "required", cJSON_IsTrue(cJSON_GetObjectItem(p, "required")));
		cJSON_AddStringToObject(q, "description", sbx_str(p, "description"));
		cJSON_AddStringToObject(q, "default_value", sbx_str(p, "default_value"));
		const cJSON *opts = cJSON_GetObjectItemCaseSensitive(p, "options");
		cJSON_AddItemToObject(q, "options", cJSON_IsArray(opts) ? cJSON_Duplicate(opts, 1) : cJSON_CreateArray());
		cJSON_AddStringToObject(q, "regex_pattern", sbx_str(p, "regex_pattern"));
		cJSON_AddBoolToObject(q, "validate_input_format", cJSON_IsTrue(cJSON_GetObjectItem(p, "validate_input_format")));
		cJSON_AddItemToArray(params, q);
	}
	cJSON_AddStringToObject(o, "description", sbx_str(t, "description"));
	cJSON_AddStringToObject(o, "organization_id", sbx_str(s->state, "org_id"));
	const char *ref = sbx_str(t, "reference");
	if (!strncmp(ref, "refs/heads/", 11))
		cJSON_AddStringToObject(o, "branch", ref + 11);
	return o;
}

/* public-api/v1alpha/lib/pipelines_api/schedules/authorize.ex authorization_failed(:user) */
static void not_found(sbx_resp *rs)
{
	sbx_fail_plain(rs, 404, "Not Found");
}

/* public-api/v1alpha/lib/pipelines_api/schedules/describe.ex and delete.ex
 * identify_path_param, then schedules/common.ex get_project_id
 * (periodic_scheduler .../actions/get_project_id_impl.ex), then authorize */
static cJSON *task_of_path(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *id = rq->params[0];
	if (!sbx_is_uuid(id)) {
		sbx_fail(rs, 400, "schedule identifier should be a UUID");
		return NULL;
	}
	cJSON *t = task_by_id(s, id);
	if (!t) { /* periodics_queries.ex get_by_id */
		sbx_fail(rs, 400, "Periodic with id: '%s' not found.", id);
		return NULL;
	}
	cJSON *p = sbx_project_by_id(s, sbx_str(t, "project_id"));
	if (!p || sbx_project_hidden(p)) {
		not_found(rs);
		return NULL;
	}
	return t;
}

/* GET /tasks/:id: {"schedule", "triggers"} (response_formatter.ex process_describe_response;
 * the sandbox never runs a task, so there are no triggers) */
void h_task_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *t = task_of_path(s, rq, rs);
	if (!t)
		return;
	rs->body = cJSON_CreateObject();
	cJSON_AddItemToObject(rs->body, "schedule", periodic_json(s, t));
	cJSON_AddItemToObject(rs->body, "triggers", cJSON_CreateArray());
}

/* DELETE /tasks/:id (response_formatter.ex process_delete_response) */
void h_task_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *t = task_of_path(s, rq, rs);
	if (!t)
		return;
	cJSON_DetachItemViaPointer(tasks_list(s), t);
	cJSON_Delete(t);
	rs->body = cJSON_CreateString("Schedule successfully deleted.");
}

/* request_fromatter.ex to_int */
static bool int_param(sbx_req *rq, sbx_resp *rs, const char *key, long def, long *out)
{
	const cJSON *v = sbx_param(rq, key);
	*out = def;
	if (!v)
		return true;
	if (cJSON_IsNumber(v)) {
		*out = (long)v->valuedouble;
	} else {
		const char *str = cJSON_GetStringValue(v);
		char *end = NULL;
		long n = str ? strtol(str, &end, 10) : 0;
		if (!str || !*str || *end || isspace((unsigned char)*str)) {
			char *shown = cJSON_PrintUnformatted(v);
			sbx_fail(rs, 400, "Invalid value of '%s' param: %s - needs to be integer.", key, shown);
			free(shown);
			return false;
		}
		*out = n;
	}
	if (*out <= 0) /* periodic_scheduler .../actions/common.ex non_empty_value_or_default */
		*out = def;
	return true;
}

static int by_name(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int c = strcmp(sbx_str(x, "name"), sbx_str(y, "name"));
	return c ? c : strcmp(sbx_str(x, "id"), sbx_str(y, "id"));
}

/* The project's tasks by name, then id (periodics_queries.ex apply_order :BY_NAME_ASC). */
static cJSON **sorted_tasks(sbx *s, const char *project_id, size_t *n)
{
	size_t cap = (size_t)cJSON_GetArraySize(tasks_list(s)) + 1, k = 0;
	cJSON **v = calloc(cap, sizeof(*v)), *t;
	cJSON_ArrayForEach(t, tasks_list(s))
		if (!strcmp(sbx_str(t, "project_id"), project_id))
			v[k++] = t;
	qsort(v, k, sizeof(*v), by_name);
	*n = k;
	return v;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (key)
		set_str(cls, key, value ? value : "");
	return MHD_YES;
}

static void ensure(char **buf, size_t len, size_t *cap, size_t more)
{
	while (len + more + 1 >= *cap)
		*buf = realloc(*buf, *cap *= 2);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	ensure(buf, *len, cap, n);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/* URI.encode_query: www-form encoding */
static void form_encode(char **buf, size_t *len, size_t *cap, const char *s)
{
	for (; *s; s++) {
		ensure(buf, *len, cap, 4);
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			(*buf)[(*len)++] = (char)c;
		else if (c == ' ')
			(*buf)[(*len)++] = '+';
		else
			*len += (size_t)sprintf(*buf + *len, "%%%02X", c);
	}
	(*buf)[*len] = '\0';
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* <http://HOST/api/v1alpha/tasks?QUERY with page=N>; rel="REL" (Scrivener.Headers link_str:
 * the request's query decoded into a map, page put in, encoded in key order) */
static void link_str(char **out, size_t *len, size_t *cap, const char *host, const char *path, cJSON *args,
		     long page, const char *rel)
{
	char pg[24];
	snprintf(pg, sizeof(pg), "%ld", page);
	set_str(args, "page", pg);
	int n = cJSON_GetArraySize(args), i = 0;
	cJSON **v = calloc((size_t)n + 1, sizeof(*v)), *it;
	cJSON_ArrayForEach(it, args)
		v[i++] = it;
	qsort(v, (size_t)n, sizeof(*v), by_key);
	if (*len)
		append(out, len, cap, ", ");
	append(out, len, cap, "<http://");
	append(out, len, cap, host);
	append(out, len, cap, "/api/v1alpha");
	append(out, len, cap, path);
	append(out, len, cap, "?");
	for (i = 0; i < n; i++) {
		if (i)
			append(out, len, cap, "&");
		form_encode(out, len, cap, v[i]->string);
		append(out, len, cap, "=");
		form_encode(out, len, cap, cJSON_GetStringValue(v[i]));
	}
	free(v);
	append(out, len, cap, ">; rel=\"");
	append(out, len, cap, rel);
	append(out, len, cap, "\"");
}

/* GET /tasks?project_id=&page=&page_size= (schedules/list.ex, request_fromatter.ex
 * form_list_request, pipelines/common.ex respond_paginated: Scrivener.Headers) */
void h_tasks_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *project_id = sbx_param_str(rq, "project_id");
	if (!project_id) /* authorize.ex authorize_list_by_project_id */
		return not_found(rs);
	cJSON *p = sbx_project_by_id(s, project_id);
	if (!p || sbx_project_hidden(p))
		return not_found(rs);
	long page, size;
	if (!int_param(rq, rs, "page", 1, &page) || !int_param(rq, rs, "page_size", 30, &size))
		return;
	size_t n;
	cJSON **v = sorted_tasks(s, project_id, &n);
	long total_pages = n ? (long)((n + (size_t)size - 1) / (size_t)size) : 1;
	rs->body = cJSON_CreateArray();
	for (size_t i = (size_t)(page - 1) * (size_t)size; i < n && i < (size_t)(page * size); i++)
		cJSON_AddItemToArray(rs->body, periodic_json(s, v[i]));
	free(v);
	cJSON *args = cJSON_CreateObject();
	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, collect_arg, args);
	const char *host = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Host");
	size_t len = 0, cap = 256;
	char *link = malloc(cap);
	link[0] = '\0';
	if (page < total_pages)
		link_str(&link, &len, &cap, host ? host : "localhost", rq->path, args, page + 1, "next");
	if (page > 1 && page <= total_pages)
		link_str(&link, &len, &cap, host ? host : "localhost", rq->path, args, page - 1, "prev");
	link_str(&link, &len, &cap, host ? host : "localhost", rq->path, args, 1, "first");
	link_str(&link, &len, &cap, host ? host : "localhost", rq->path, args, total_pages, "last");
	cJSON_Delete(args);
	if (asprintf(&rs->headers, "link: %s\ntotal: %zu\nper-page: %ld\ntotal-pages: %ld\npage-number: %ld\n", link,
		     n, size, total_pages, page) < 0)
		rs->headers = NULL;
	free(link);
}

/* ---- writes ---- */

static const char *const blank_messages[][2] = {
	{"name", "The 'name' parameter can not be empty string."},
	{"reference", "The 'reference' parameter can not be empty string."},
	{"pipeline_file", "The 'pipeline_file' parameter can not be empty string."},
	{"at", "The 'at' parameter can not be empty string."},
};

/* periodics_queries.ex process_response: one "can't be blank" error has its own words;
 * anything else is the changeset, inspected */
static void changeset_error(char *err, size_t n, const char *const *fields, const char *const *msgs, int k)
{
	if (k == 1 && strcmp(msgs[0], "can't be blank") == 0) {
		for (size_t i = 0; i < sizeof(blank_messages) / sizeof(blank_messages[0]); i++)
			if (!strcmp(blank_messages[i][0], fields[0])) {
				snprintf(err, n, "%s", blank_messages[i][1]);
				return;
			}
	}
	size_t len = (size_t)snprintf(err, n, "#Ecto.Changeset<action: :insert, errors: [");
	for (int i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(err + len, n - len, "%s%s: {\"%s\", []}", i ? ", " : "", fields[i], msgs[i]);
	if (len < n)
		snprintf(err + len, n - len, "], valid?: false>");
}

static cJSON *params_copy(const cJSON *params)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *p;
	cJSON_ArrayForEach(p, params) {
		cJSON *q = cJSON_CreateObject();
		static const char *const keys[] = {"name", "required", "description", "default_value", "options",
						   "regex_pattern", "validate_input_format", NULL};
		for (size_t i = 0; keys[i]; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, keys[i]);
			if (v && !cJSON_IsNull(v))
				cJSON_AddItemToObject(q, keys[i], cJSON_Duplicate(v, 1));
		}
		cJSON_AddItemToArray(out, q);
	}
	return out;
}

/* The fields of one write: a key is NULL when the write leaves it alone
 * (Periodics.changeset_update casts the given keys only). */
typedef struct twrite {
	const char *name, *description, *reference, *at, *pipeline_file, *project_name;
	int recurring, paused; /* -1: not given */
	const cJSON *parameters;
} twrite;

/* Periodics.changeset / changeset_update and PeriodicsQueries.insert / update;
 * t NULL: insert. Returns the task, or NULL with err set. */
static cJSON *write_task(sbx *s, cJSON *t, const char *project_id, const twrite *w, char *err, size_t errn)
{
	const char *fields[8], *msgs[8];
	int k = 0;
	bool insert = t == NULL;
	const char *name = w->name ? w->name : sbx_str(t, "name");
	const char *at = w->at ? w->at : sbx_str(t, "at");
	int recurring = w->recurring >= 0 ? w->recurring : !cJSON_IsFalse(cJSON_GetObjectItem(t, "recurring"));
	if (insert) {
		if (blank(w->name))
			fields[k] = "name", msgs[k++] = "can't be blank";
		if (blank(w->reference))
			fields[k] = "reference", msgs[k++] = "can't be blank";
		if (blank(w->pipeline_file))
			fields[k] = "pipeline_file", msgs[k++] = "can't be blank";
	}
	if (recurring && blank(at) && (insert || w->at))
		fields[k] = "at", msgs[k++] = "can't be blank";
	char detail[128];
	if (w->at && !blank(w->at) && !sbx_cron_ok(w->at, detail, sizeof(detail)))
		fields[k] = "at", msgs[k++] = "is not a valid cron expression";
	if (k) {
		changeset_error(err, errn, fields, msgs, k);
		return NULL;
	}
	cJSON *other;
	cJSON_ArrayForEach(other, tasks_list(s))
		if (other != t && !strcmp(sbx_str(other, "project_id"), project_id) && !strcmp(sbx_str(other, "name"), name)) {
			snprintf(err, errn, "Periodic with name '%s' already exists for project '%s'.", name,
				 w->project_name ? w->project_name : sbx_str(t, "project_name"));
			return NULL;
		}
	if (insert) {
		t = cJSON_CreateObject();
		char id[37];
		sbx_uuid(id);
		set_str(t, "id", id);
		set_str(t, "project_id", project_id);
		set_now(t, "inserted_at");
		cJSON_AddItemToArray(tasks_list(s), t);
	}
	if (w->name)
		set_str(t, "name", w->name);
	if (w->description)
		set_str(t, "description", w->description);
	if (w->project_name)
		set_str(t, "project_name", w->project_name);
	if (w->reference)
		set_str(t, "reference", w->reference);
	if (w->at)
		set_str(t, "at", w->at);
	if (w->pipeline_file)
		set_str(t, "pipeline_file", w->pipeline_file);
	if (w->recurring >= 0)
		set_item(t, "recurring", cJSON_CreateBool(w->recurring));
	/* apply_impl.ex consolidate_paused: a change of paused records who and when */
	if (w->paused >= 0) {
		bool was = cJSON_IsTrue(cJSON_GetObjectItem(t, "paused"));
		if ((insert && w->paused) || (!insert && was != (bool)w->paused)) {
			set_str(t, "pause_toggled_by", caller(s));
			set_now(t, "pause_toggled_at");
		}
		set_item(t, "paused", cJSON_CreateBool(w->paused));
	}
	if (w->parameters)
		set_item(t, "parameters", params_copy(w->parameters));
	set_str(t, "requester_id", caller(s));
	set_now(t, "updated_at");
	sbx_normalize_task(s, t);
	return t;
}

static const char *def_str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int def_bool(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/* GitReference.build_full_reference */
static char *full_reference(const cJSON *ref)
{
	const char *type = def_str(ref, "type"), *name = def_str(ref, "name");
	char *out = NULL;
	if (!name)
		name = "";
	if (type && !strcmp(type, "BRANCH"))
		(void)!asprintf(&out, "refs/heads/%s", name);
	else if (type && !strcmp(type, "TAG"))
		(void)!asprintf(&out, "refs/tags/%s", name);
	else if (type && !strcmp(type, "PR"))
		(void)!asprintf(&out, "refs/pull/%s/head", name);
	else
		out = strdup(name);
	return out;
}

/* front_db_queries.ex hook_exists?: the project has a branch of that name with a
 * workflow (seed: the project's "workflow_branches", the names of such branches) */
static bool has_workflow(const cJSON *project, const char *branch)
{
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(project, "workflow_branches"))
		if (cJSON_IsString(b) && !strcmp(b->valuestring, branch ? branch : ""))
			return true;
	return false;
}

/* POST /tasks {"yml_definition"} (schedules/apply.ex: schedules/common.ex get_project_id,
 * authorize_apply, then periodic_scheduler .../actions/apply_impl.ex apply) */
void h_task_apply(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *yml = sbx_param_str(rq, "yml_definition");
	cJSON *def = yml ? sbx_yaml_to_json(yml) : NULL;
	if (yml && !cJSON_IsObject(def)) {
		/* common.ex extract_project_identifiers: Map.get on what is not a map raises,
		 * answered by router.ex handle_errors */
		cJSON_Delete(def);
		return sbx_fail_plain(rs, 500, "Something went wrong");
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(def, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(def, "spec");
	const char *periodic_id = def_str(meta, "id"), *project_name = def_str(spec, "project");
	cJSON *project = NULL;
	/* get_project_id_impl.ex: by organization and project name, else by periodic id */
	if (project_name && *project_name) {
		project = sbx_find(sbx_list(s, "projects"), "name", project_name);
		if (!project) { /* front_db_queries.ex get_project_id */
			sbx_fail(rs, 400, "Project with name '%s' not found.", project_name);
			cJSON_Delete(def);
			return;
		}
	} else if (periodic_id && *periodic_id) {
		cJSON *t = task_by_id(s, periodic_id);
		if (!t) {
			sbx_fail(rs, 400, "Periodic with id: '%s' not found.", periodic_id);
			cJSON_Delete(def);
			return;
		}
		project = sbx_project_by_id(s, sbx_str(t, "project_id"));
	} else {
		cJSON_Delete(def);
		return sbx_fail(rs, 400, "One of these is required: periodic_id or organization_id + project_name.");
	}
	if (!project || sbx_project_hidden(project)) {
		cJSON_Delete(def);
		return not_found(rs);
	}
	/* definition_validator.ex: header-v1.0, then the spec against its apiVersion */
	sbx_errs e = {.len = 0, .n = 0};
	sbx_check_schedule_header(&e, def);
	const char *version = def_str(def, "apiVersion");
	if (!e.n && !version) {
		cJSON_Delete(def);
		return sbx_fail(rs, 400, "{:malformed, \"Required property 'version' missing or not string\"}");
	}
	if (!e.n && strcmp(version, "v1.2")) {
		sbx_fail(rs, 400, "{:malformed, \"Version: '%s' is not supported!\"}", version);
		cJSON_Delete(def);
		return;
	}
	if (!e.n)
		sbx_check_schedule_v12(&e, spec);
	if (e.n) {
		sbx_fail(rs, 400, "{:malformed, [%s]}", e.buf);
		cJSON_Delete(def);
		return;
	}
	/* apply_impl.ex validate_cron_expression: v1.2 recurring (default true) needs a cron "at" */
	const char *at = def_str(spec, "at");
	char detail[160];
	if (def_bool(spec, "recurring") != 0 && !sbx_cron_ok(at ? at : "", detail, sizeof(detail))) {
		sbx_fail(rs, 400, "Invalid cron expression in 'at' field: \"%s\"", detail);
		cJSON_Delete(def);
		return;
	}
	/* apply_impl.ex find_project_id: by spec.project in the organisation, whatever
	 * public-api looked the project up by (front_db_queries.ex get_project_id) */
	if (!project_name || !*project_name) {
		cJSON_Delete(def);
		return sbx_fail(rs, 400, "Project with name '' not found.");
	}
	/* apply_impl.ex hook_exists?: only when both scheduler_hook and just_run are off
	 * (seed switches, default on as helm-chart/templates/configmaps/features.yaml ships
	 * them) does a recurring task need a workflow on its branch (front_db_queries.ex
	 * hook_exists?: branches.name = reference.name, joined to workflows) */
	if (!sbx_feature(s, "scheduler_hook") && !sbx_feature(s, "just_run") && def_bool(spec, "recurring") != 0 &&
	    !has_workflow(project, def_str(cJSON_GetObjectItemCaseSensitive(spec, "reference"), "name"))) {
		cJSON_Delete(def);
		return sbx_fail(rs, 400,
				"At least one regular workflow run on targeted branch is needed before periodic can be created.");
	}
	/* apply_impl.ex find_periodic: periodics_queries.ex get_by_id rescues the CastError
	 * of an id Ecto.UUID cannot dump as {:error, %Ecto.Query.CastError{}}, which
	 * create_or_update has no clause for: the service raises, and public-api answers
	 * its gRPC error (periodic_scheduler_client/grpc_client.ex, util/log.ex
	 * internal_error, pipelines/common.ex respond) */
	if (periodic_id && *periodic_id && !sbx_is_uuid(periodic_id)) {
		cJSON_Delete(def);
		return sbx_fail(rs, 500, "Internal error");
	}
	char *ref = full_reference(cJSON_GetObjectItemCaseSensitive(spec, "reference"));
	twrite w = {.name = def_str(meta, "name"), .description = def_str(meta, "description"),
		    .reference = ref, .at = at, .pipeline_file = def_str(spec, "pipeline_file"),
		    .project_name = project_name, .recurring = def_bool(spec, "recurring"),
		    .paused = def_bool(spec, "paused"),
		    .parameters = cJSON_GetObjectItemCaseSensitive(spec, "parameters")};
	/* find_periodic: upsert by metadata.id only; the project id of a found task stays
	 * (changeset_update does not cast project_id) */
	cJSON *found = periodic_id && *periodic_id ? task_by_id(s, periodic_id) : NULL;
	char err[1024];
	cJSON *t = write_task(s, found, found ? sbx_str(found, "project_id") : sbx_str(project, "id"), &w, err, sizeof(err));
	free(ref);
	cJSON_Delete(def);
	if (!t)
		return sbx_fail(rs, 400, "%s", err);
	rs->body = cJSON_CreateString(sbx_str(t, "id"));
}

/* ---- for h_projects.c ---- */

/* projecthub/lib/projecthub/models/periodic_task.ex construct and
 * projecthub-rest-api/lib/projecthub/http_api.ex encode_tasks: the first 500 by name;
 * none when the feature just_run is off (projecthub/lib/projecthub/api/grpc_server.ex
 * serialize: serialize_detailed_with_schedulers, see sbx_project_schedulers_json) */
cJSON *sbx_project_tasks_json(sbx *s, const char *project_id)
{
	cJSON *out = cJSON_CreateArray();
	if (!sbx_feature(s, "just_run"))
		return out;
	size_t n;
	cJSON **v = sorted_tasks(s, project_id, &n);
	for (size_t i = 0; i < n && i < 500; i++) {
		const cJSON *t = v[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", sbx_str(t, "id"));
		cJSON_AddStringToObject(o, "name", sbx_str(t, "name"));
		const char *ref = sbx_str(t, "reference");
		cJSON_AddStringToObject(o, "branch", strncmp(ref, "refs/heads/", 11) ? ref : ref + 11);
		cJSON_AddStringToObject(o, "at", sbx_str(t, "at"));
		cJSON_AddStringToObject(o, "pipeline_file", sbx_str(t, "pipeline_file"));
		cJSON_AddStringToObject(o, "status", cJSON_IsTrue(cJSON_GetObjectItem(t, "paused")) ? "INACTIVE" : "ACTIVE");
		cJSON *params = periodic_json(s, t);
		cJSON_AddItemToObject(o, "parameters", cJSON_DetachItemFromObject(params, "parameters"));
		cJSON_Delete(params);
		cJSON_AddStringToObject(o, "description", sbx_str(t, "description"));
		if (!strncmp(ref, "refs/tags/", 10)) {
			cJSON *r = cJSON_AddObjectToObject(o, "reference");
			cJSON_AddStringToObject(r, "type", "tag");
			cJSON_AddStringToObject(r, "name", ref + 10);
		}
		cJSON_AddBoolToObject(o, "scheduled", !cJSON_IsFalse(cJSON_GetObjectItem(t, "recurring")));
		cJSON_AddItemToArray(out, o);
	}
	free(v);
	return out;
}

/* spec.schedulers while the feature just_run is off, else none
 * (projecthub/lib/projecthub/api/grpc_server.ex serialize and project_schedulers;
 * projecthub/lib/projecthub/models/scheduler.ex list, page 1 of 500, and construct:
 * a refs/heads/ reference bare, status from paused; projecthub-rest-api
 * lib/projecthub/http_api.ex encode_schedulers: status by name, and a tag also as
 * reference {type: tag, name}) */
cJSON *sbx_project_schedulers_json(sbx *s, const char *project_id)
{
	cJSON *out = cJSON_CreateArray();
	if (sbx_feature(s, "just_run"))
		return out;
	size_t n;
	cJSON **v = sorted_tasks(s, project_id, &n);
	for (size_t i = 0; i < n && i < 500; i++) {
		const cJSON *t = v[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", sbx_str(t, "id"));
		cJSON_AddStringToObject(o, "name", sbx_str(t, "name"));
		const char *ref = sbx_str(t, "reference");
		cJSON_AddStringToObject(o, "branch", strncmp(ref, "refs/heads/", 11) ? ref : ref + 11);
		cJSON_AddStringToObject(o, "at", sbx_str(t, "at"));
		cJSON_AddStringToObject(o, "pipeline_file", sbx_str(t, "pipeline_file"));
		cJSON_AddStringToObject(o, "status", cJSON_IsTrue(cJSON_GetObjectItem(t, "paused")) ? "INACTIVE" : "ACTIVE");
		if (!strncmp(ref, "refs/tags/", 10)) {
			cJSON *r = cJSON_AddObjectToObject(o, "reference");
			cJSON_AddStringToObject(r, "type", "tag");
			cJSON_AddStringToObject(r, "name", ref + 10);
		}
		cJSON_AddItemToArray(out, o);
	}
	free(v);
	return out;
}

/* A branch as projecthub sends it on: projecthub/lib/projecthub/models/periodic_task/
 * definition.ex format_branch_as_reference */
static char *branch_reference(const char *branch)
{
	char *out = NULL;
	if (!branch || !*branch)
		return strdup("refs/heads/master");
	if (!strncmp(branch, "refs/tags/", 10) || !strncmp(branch, "refs/pull/", 10))
		return strdup(branch);
	(void)!asprintf(&out, "refs/heads/%s", branch);
	return out;
}

/* Spec tasks from a project PATCH body through periodic_scheduler's
 * .../actions/bulk_upsert_and_prune_impl.ex: all or nothing; listed ids updated,
 * entries without id created, every other task of the project deleted. The
 * tasks as projecthub-rest-api's construct_tasks builds them from the body:
 * id || "", description || "", scheduled (nil: true), branch || reference_type/name,
 * at || "", pipeline_file || "", parameters, status. Returns 0, or -1 with err. */
int sbx_tasks_bulk_upsert(sbx *s, const cJSON *project, const cJSON *tasks, char *err, size_t errn)
{
	const char *project_id = sbx_str(project, "id");
	int n = cJSON_GetArraySize(tasks);
	/* pre_validate, in list order */
	for (int i = 0; i < n; i++) {
		const cJSON *d = cJSON_GetArrayItem(tasks, i);
		const char *name = def_str(d, "name"), *pf = def_str(d, "pipeline_file");
		if (!name || !*name) {
			snprintf(err, errn, "Periodic at index %d: 'name' must be a non-empty string.", i);
			return -1;
		}
		if (!pf || !*pf) {
			snprintf(err, errn, "Periodic at index %d: 'pipeline_file' must be a non-empty string.", i);
			return -1;
		}
		const cJSON *sched = cJSON_GetObjectItemCaseSensitive(d, "scheduled");
		const char *at = def_str(d, "at");
		char detail[160];
		if ((!sched || cJSON_IsNull(sched) || cJSON_IsTrue(sched)) && !sbx_cron_ok(at ? at : "", detail, sizeof(detail))) {
			snprintf(err, errn, "Invalid cron expression in 'at' field for periodic '%s': \"%s\"", name, detail);
			return -1;
		}
	}
	/* reconcile in a copy, so a failure leaves the tasks as they were (one transaction) */
	cJSON *saved = cJSON_Duplicate(tasks_list(s), 1);
	cJSON *all = tasks_list(s);
	for (cJSON *t = all->child, *next; t; t = next) {
		next = t->next;
		if (strcmp(sbx_str(t, "project_id"), project_id))
			continue;
		bool listed = false;
		for (int i = 0; i < n && !listed; i++) {
			const char *id = def_str(cJSON_GetArrayItem(tasks, i), "id");
			listed = id && *id && !strcasecmp(id, sbx_str(t, "id"));
		}
		if (!listed)
			cJSON_Delete(cJSON_DetachItemViaPointer(all, t));
	}
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const cJSON *d = cJSON_GetArrayItem(tasks, i);
		const char *id = def_str(d, "id");
		cJSON *t = NULL;
		if (id && *id) {
			t = task_by_id(s, id);
			if (!t || strcmp(sbx_str(t, "project_id"), project_id)) {
				snprintf(err, errn, "Periodic task with ID '%s' not found in project", id);
				rc = -1;
				break;
			}
		}
		const char *branch = def_str(d, "branch");
		char *built = NULL;
		if (!branch) { /* http_api.ex construct_reference */
			const char *rt = def_str(d, "reference_type"), *rn = def_str(d, "reference_name");
			if (rt && !strcmp(rt, "branch"))
				(void)!asprintf(&built, "refs/heads/%s", rn ? rn : "");
			else if (rt && !strcmp(rt, "tag"))
				(void)!asprintf(&built, "refs/tags/%s", rn ? rn : "");
			branch = built;
		}
		char *ref = branch_reference(branch);
		free(built);
		const cJSON *sched = cJSON_GetObjectItemCaseSensitive(d, "scheduled");
		const char *status = def_str(d, "status");
		const cJSON *params = cJSON_GetObjectItemCaseSensitive(d, "parameters");
		cJSON *no_params = cJSON_CreateArray();
		cJSON *fixed = cJSON_IsArray(params) ? params_copy(params) : NULL;
		cJSON *p;
		cJSON_ArrayForEach(p, fixed) /* the proto's bool: nil is false */
			if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(p, "required")))
				set_item(p, "required", cJSON_CreateFalse());
		const char *desc = def_str(d, "description"), *at = def_str(d, "at");
		/* build_create_params / build_update_params: the whole task, requester the caller */
		twrite w = {.name = def_str(d, "name"), .description = desc ? desc : "", .reference = ref,
			    .at = at ? at : "", .pipeline_file = def_str(d, "pipeline_file"),
			    .project_name = sbx_str(project, "name"),
			    .recurring = !sched || cJSON_IsNull(sched) ? 1 : cJSON_IsTrue(sched),
			    .paused = status && !strcmp(status, "ACTIVE") ? 0 : status && !strcmp(status, "INACTIVE") ? 1 : -1,
			    .parameters = fixed ? fixed : no_params};
		if (!write_task(s, t, project_id, &w, err, errn))
			rc = -1;
		free(ref);
		cJSON_Delete(fixed);
		cJSON_Delete(no_params);
	}
	if (rc != 0) {
		set_item(s->state, "tasks", saved);
		return -1;
	}
	cJSON_Delete(saved);
	return 0;
}

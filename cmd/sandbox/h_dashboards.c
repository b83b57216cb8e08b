/*
 * h_dashboards: /api/v1alpha/dashboards as public-api-gateway and dashboardhub
 * answer it (semaphoreio/semaphore dashboardhub/lib/dashboardhub/grpc/public_api_server.ex,
 * repo.ex, utils.ex, store.ex, public_grpc_api/list_dashboards.ex;
 * public-api-gateway/api/dashboards.v1alpha/dashboards.v1alpha.pb.gw.go).
 * Dashboardhub checks no permission (auth.ex authorizes everything). Errors
 * and JSON are the gateway's (h_notifications.c sbx_fail_gw).
 */
#include "cmd/sandbox/sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* repo.ex valid_name_format: ~r/\A(?!-)[a-z0-9\-]+\z/ */
static bool valid_name(const char *n)
{
	if (!*n || *n == '-')
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') || *n == '-'))
			return false;
	return true;
}

/* utils.ex titleize: dashes become spaces, each word String.capitalize'd */
static char *titleize(const char *name)
{
	char *out = malloc(strlen(name) + 1), *o = out;
	bool word = false;
	for (const char *c = name; *c; c++) {
		char ch = *c == '-' ? ' ' : *c;
		if (isspace((unsigned char)ch)) {
			word = false;
			continue;
		}
		if (!word && o > out)
			*o++ = ' ';
		*o++ = (char)(word ? tolower((unsigned char)ch) : toupper((unsigned char)ch));
		word = true;
	}
	*o = '\0';
	return out;
}

static cJSON *dashboard_json(const cJSON *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", sbx_str(d, "name"));
	cJSON_AddStringToObject(m, "id", sbx_str(d, "id"));
	cJSON_AddStringToObject(m, "title", sbx_str(d, "title"));
	sbx_gw_add_int64(m, "create_time", sbx_num(d, "create_time"));
	sbx_gw_add_int64(m, "update_time", sbx_num(d, "update_time"));
	cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "spec"), "widgets",
			      cJSON_Duplicate(cJSON_GetObjectItem(d, "widgets"), 1));
	return o;
}

static void answer(sbx_resp *rs, cJSON *body)
{
	rs->content_type = "application/json";
	rs->body = body;
}

static const cJSON *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNull(v) ? NULL : v;
}

/* Widgets as the gateway decodes them (name, type, filters map<string,string>),
 * or NULL with err set. */
static cJSON *decode_widgets(const cJSON *spec, char *err, size_t len)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *given = field(spec, "widgets"), *w;
	if (given && !cJSON_IsArray(given)) {
		snprintf(err, len, "proto: invalid value for repeated message field widgets");
		cJSON_Delete(out);
		return NULL;
	}
	cJSON_ArrayForEach(w, given) {
		const cJSON *name = field(w, "name"), *type = field(w, "type"), *filters = field(w, "filters"), *f;
		if (!cJSON_IsObject(w) || (name && !cJSON_IsString(name)) || (type && !cJSON_IsString(type)) ||
		    (filters && !cJSON_IsObject(filters))) {
			snprintf(err, len, "proto: invalid value for message field widgets");
			cJSON_Delete(out);
			return NULL;
		}
		cJSON *x = cJSON_CreateObject();
		cJSON_AddItemToArray(out, x);
		cJSON_AddStringToObject(x, "name", name ? name->valuestring : "");
		cJSON_AddStringToObject(x, "type", type ? type->valuestring : "");
		cJSON *fo = cJSON_AddObjectToObject(x, "filters");
		cJSON_ArrayForEach(f, filters) {
			if (!cJSON_IsString(f)) {
				snprintf(err, len, "proto: invalid value for string field filters");
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddStringToObject(fo, f->string, f->valuestring);
		}
	}
	return out;
}

static const char *const widget_types[] = {"list_pipelines", "list_workflows", "duration_pipelines", "ratio_pipelines"};
static const char *const widget_filters[][3] = {{"project_id", "branch", "pipeline_file"},
						{"project_id", "branch", "github_uid"},
						{"project_id", "branch", "pipeline_file"},
						{"project_id", "branch", "pipeline_file"}};

static int type_index(const char *t)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(t, widget_types[i]))
			return i;
	return -1;
}

/* utils.ex valid_widgets?: every type known, then every filter key allowed for
 * its type; one message per offending type, in order, without repeats */
static bool valid_widgets(const cJSON *widgets, char *msg, size_t len)
{
	const cJSON *w;
	cJSON_ArrayForEach(w, widgets)
		if (type_index(sbx_str(w, "type")) < 0) {
			snprintf(msg, len, "widget type should be one of list_pipelines, list_workflows, duration_pipelines, ratio_pipelines");
			return false;
		}
	bool reported[4] = {false};
	size_t used = 0;
	msg[0] = '\0';
	cJSON_ArrayForEach(w, widgets) {
		int t = type_index(sbx_str(w, "type"));
		const cJSON *f;
		bool ok = true;
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(w, "filters"))
			if (strcmp(f->string, widget_filters[t][0]) && strcmp(f->string, widget_filters[t][1]) &&
			    strcmp(f->string, widget_filters[t][2]))
				ok = false;
		if (ok || reported[t])
			continue;
		reported[t] = true;
		used += (size_t)snprintf(msg + used, used < len ? len - used : 0, "%swidget %s should have only these filters %s, %s, %s",
					 used ? ", " : "", widget_types[t], widget_filters[t][0], widget_filters[t][1],
					 widget_filters[t][2]);
	}
	return used == 0;
}

void sbx_normalize_dashboard(cJSON *d)
{
	char id[37];
	if (!cJSON_IsString(cJSON_GetObjectItem(d, "id"))) {
		sbx_uuid(id);
		cJSON_AddStringToObject(d, "id", id);
	}
	if (!cJSON_IsString(cJSON_GetObjectItem(d, "name")))
		cJSON_AddStringToObject(d, "name", "");
	if (!*sbx_str(d, "title")) {
		char *t = titleize(sbx_str(d, "name"));
		cJSON_DeleteItemFromObjectCaseSensitive(d, "title");
		cJSON_AddStringToObject(d, "title", t);
		free(t);
	}
	if (!cJSON_IsNumber(cJSON_GetObjectItem(d, "create_time")))
		cJSON_AddNumberToObject(d, "create_time", (double)time(NULL));
	if (!cJSON_IsNumber(cJSON_GetObjectItem(d, "update_time")))
		cJSON_AddNumberToObject(d, "update_time", sbx_num(d, "create_time"));
	cJSON *spec = cJSON_CreateObject();
	cJSON_AddItemToObject(spec, "widgets", cJSON_DetachItemFromObjectCaseSensitive(d, "widgets"));
	char err[128];
	cJSON *w = decode_widgets(spec, err, sizeof(err));
	cJSON_Delete(spec);
	cJSON_AddItemToObject(d, "widgets", w ? w : cJSON_CreateArray());
}

/* store.ex get: an id when the string holds a UUID (Ecto cannot cast one with
 * more around it and raises), the name otherwise. Returns false after answering. */
static bool lookup(sbx *s, const char *id_or_name, sbx_resp *rs, cJSON **out)
{
	*out = NULL;
	if (sbx_gw_has_uuid(id_or_name) && !sbx_is_uuid(id_or_name)) {
		sbx_fail_gw_crash(rs);
		return false;
	}
	*out = sbx_find(sbx_list(s, "dashboards"), sbx_gw_has_uuid(id_or_name) ? "id" : "name", id_or_name);
	if (!*out) {
		sbx_fail_gw(rs, 5, "Dashboard %s not found", id_or_name);
		return false;
	}
	return true;
}

static int by_time_then_id(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	double tx = sbx_num(x, "create_time"), ty = sbx_num(y, "create_time");
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(sbx_str(x, "id"), sbx_str(y, "id"));
}

/* public_grpc_api/list_dashboards.ex: at most 100, Paginator over (inserted_at, id);
 * total_size is never set */
void h_dashboards_list(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	int size = sbx_gw_page_size(rq, rs, 100, 100);
	if (size < 0)
		return;
	cJSON *list = sbx_list(s, "dashboards");
	int total = cJSON_GetArraySize(list), i = 0, start = 0;
	const cJSON **rows = calloc((size_t)total + 1, sizeof(*rows));
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
		rows[i++] = it;
	qsort(rows, (size_t)total, sizeof(*rows), by_time_then_id);
	const char *token = sbx_param_str(rq, "page_token");
	if (token && *token) {
		cJSON *keys = sbx_gw_untoken(token);
		const cJSON *kt = cJSON_GetArrayItem(keys, 0);
		const char *ki = cJSON_GetStringValue(cJSON_GetArrayItem(keys, 1));
		if (!cJSON_IsNumber(kt) || !ki) {
			cJSON_Delete(keys);
			free(rows);
			return sbx_fail_gw_crash(rs);
		}
		while (start < total) {
			double t = sbx_num(rows[start], "create_time");
			if (t > kt->valuedouble || (t == kt->valuedouble && strcmp(sbx_str(rows[start], "id"), ki) > 0))
				break;
			start++;
		}
		cJSON_Delete(keys);
	}
	cJSON *body = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(body, "dashboards");
	int end = start + size < total ? start + size : total;
	for (i = start; i < end; i++)
		cJSON_AddItemToArray(arr, dashboard_json(rows[i]));
	if (end < total) {
		cJSON *keys = cJSON_CreateArray();
		cJSON_AddItemToArray(keys, cJSON_CreateNumber(sbx_num(rows[end - 1], "create_time")));
		cJSON_AddItemToArray(keys, cJSON_CreateString(sbx_str(rows[end - 1], "id")));
		char *next = sbx_gw_token(keys);
		cJSON_Delete(keys);
		cJSON_AddStringToObject(body, "next_page_token", next);
		free(next);
	} else {
		cJSON_AddStringToObject(body, "next_page_token", "");
	}
	cJSON_AddNumberToObject(body, "total_size", 0);
	free(rows);
	answer(rs, body);
}

void h_dashboard_get(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *d;
	if (lookup(s, rq->params[0], rs, &d))
		answer(rs, dashboard_json(d));
}

/* The body's metadata name and title and its widgets, or false after
 * answering: a non-object is a gateway decode error, a missing metadata or
 * spec makes proto_to_record raise (500). */
static bool decode(sbx_req *rq, sbx_resp *rs, const char **name, const char **title, cJSON **widgets)
{
	const cJSON *b = rq->body;
	if (b && !cJSON_IsObject(b) && !cJSON_IsNull(b)) {
		sbx_fail_gw(rs, 3, "proto: syntax error: unexpected token, expected an object");
		return false;
	}
	const cJSON *m = field(b, "metadata"), *spec = field(b, "spec");
	const cJSON *n = field(m, "name"), *t = field(m, "title");
	if ((m && !cJSON_IsObject(m)) || (spec && !cJSON_IsObject(spec)) || (n && !cJSON_IsString(n)) ||
	    (t && !cJSON_IsString(t))) {
		sbx_fail_gw(rs, 3, "proto: invalid value for message field metadata or spec");
		return false;
	}
	char err[128];
	*widgets = spec ? decode_widgets(spec, err, sizeof(err)) : NULL;
	if (spec && !*widgets) {
		sbx_fail_gw(rs, 3, "%s", err);
		return false;
	}
	if (!m || !spec) {
		cJSON_Delete(*widgets);
		sbx_fail_gw_crash(rs);
		return false;
	}
	*name = n ? n->valuestring : "";
	*title = t ? t->valuestring : "";
	return true;
}

/* repo.ex changeset: format errors first, then the unique index; all INVALID_ARGUMENT */
static bool name_ok(sbx *s, sbx_resp *rs, const char *name, const cJSON *self)
{
	if (sbx_gw_has_uuid(name))
		return sbx_fail_gw(rs, 3, "name should not be in uuid format"), false;
	if (!valid_name(name))
		return sbx_fail_gw(rs, 3, "name should contain only lowercase letters a-z, numbers 0-9, and dashes, no spaces"),
		       false;
	cJSON *other = sbx_find(sbx_list(s, "dashboards"), "name", name);
	if (other && other != self)
		return sbx_fail_gw(rs, 3, "name has already been taken"), false;
	return true;
}

static void apply(cJSON *d, const char *name, const char *title, cJSON *widgets)
{
	char *t = *title ? strdup(title) : titleize(name); /* utils.ex titleize(name, title) */
	cJSON_DeleteItemFromObjectCaseSensitive(d, "name");
	cJSON_AddStringToObject(d, "name", name);
	cJSON_DeleteItemFromObjectCaseSensitive(d, "title");
	cJSON_AddStringToObject(d, "title", t);
	free(t);
	cJSON_DeleteItemFromObjectCaseSensitive(d, "widgets");
	cJSON_AddItemToObject(d, "widgets", widgets);
	cJSON_DeleteItemFromObjectCaseSensitive(d, "update_time");
	cJSON_AddNumberToObject(d, "update_time", (double)time(NULL));
}

/* public_api_server.ex create_dashboard: widgets, then the changeset */
void h_dashboard_create(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *name, *title;
	cJSON *widgets;
	char msg[1024];
	if (!decode(rq, rs, &name, &title, &widgets))
		return;
	if (!valid_widgets(widgets, msg, sizeof(msg))) {
		cJSON_Delete(widgets);
		return sbx_fail_gw(rs, 3, "%s", msg);
	}
	if (!name_ok(s, rs, name, NULL)) {
		cJSON_Delete(widgets);
		return;
	}
	cJSON *d = cJSON_CreateObject();
	char id[37];
	sbx_uuid(id);
	cJSON_AddStringToObject(d, "id", id);
	cJSON_AddNumberToObject(d, "create_time", (double)time(NULL));
	apply(d, name, title, widgets);
	cJSON_AddItemToArray(sbx_list(s, "dashboards"), d);
	answer(rs, dashboard_json(d));
}

/* public_api_server.ex update_dashboard: the body is read before the lookup;
 * name, title and widgets are all replaced */
void h_dashboard_update(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	const char *name, *title;
	cJSON *widgets, *d;
	char msg[1024];
	if (!decode(rq, rs, &name, &title, &widgets))
		return;
	if (!lookup(s, rq->params[0], rs, &d)) {
		cJSON_Delete(widgets);
		return;
	}
	if (!valid_widgets(widgets, msg, sizeof(msg))) {
		cJSON_Delete(widgets);
		return sbx_fail_gw(rs, 3, "%s", msg);
	}
	if (!name_ok(s, rs, name, d)) {
		cJSON_Delete(widgets);
		return;
	}
	apply(d, name, title, widgets);
	answer(rs, dashboard_json(d));
}

void h_dashboard_delete(sbx *s, sbx_req *rq, sbx_resp *rs)
{
	cJSON *d;
	if (!lookup(s, rq->params[0], rs, &d))
		return;
	cJSON_Delete(cJSON_DetachItemViaPointer(sbx_list(s, "dashboards"), d));
	answer(rs, cJSON_CreateObject());
}

/*
 * kind_dashboard: the Dashboard manifest, and its plan, apply and export.
 *
 * A dashboard is a name, a title and a list of widgets, kept whole by
 * dashboardhub (semaphoreio/semaphore dashboardhub/lib/dashboardhub/repo.ex,
 * utils.ex, store.ex): the name must match \A(?!-)[a-z0-9\-]+\z and hold no
 * UUID, an empty title becomes the name title-cased, and each widget type
 * allows its own filter keys. All of that is checked here, where the
 * manifest says it, rather than met as a 400. A PATCH replaces name, title
 * and widgets, so an update sends all three; the list is paged by 100
 * (public_grpc_api/list_dashboards.ex).
 */
#include "reconciler/kind.h"
#include "reconciler/apply.h"
#include "reconciler/providers/semaphore/api.h"
#include "reconciler/providers/semaphore/export.h"
#include "reconciler/providers/semaphore/kinds.h"
#include "reconciler/providers/semaphore/kinds/notification.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 100

static const char *const widget_types[] = {"list_pipelines", "list_workflows", "duration_pipelines",
					   "ratio_pipelines", NULL};

static const cf_field filter_fields[] = {
	{.key = "project_id", .type = CF_T_STR},
	{.key = "branch", .type = CF_T_STR},
	{.key = "pipeline_file", .type = CF_T_STR},
	{.key = "github_uid", .type = CF_T_STR},
	CF_FIELDS_END,
};

static const cf_field widget_fields[] = {
	{.key = "name", .type = CF_T_STR},
	{.key = "type", .type = CF_T_STR, .flags = CF_F_REQUIRED, .one_of = widget_types},
	{.key = "filters", .type = CF_T_MAP, .fields = filter_fields},
	CF_FIELDS_END,
};

static const cf_field spec_fields[] = {
	{.key = "widgets", .type = CF_T_LIST, .fields = widget_fields},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = "(?!-)[a-z0-9\\-]+",
	 .match_words = "lowercase letters a-z, digits and dashes, not starting with a dash"},
	{.key = "title", .type = CF_T_STR},
	CF_ENSURE_FIELD,
	CF_METADATA_OUTPUT_ONLY,
	CF_FIELDS_END,
};

static const cf_field document_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

/* utils.ex valid_widgets?: list_workflows filters by github_uid, the others
 * by pipeline_file; project_id and branch are for all. */
static const char *foreign_filter(const char *type)
{
	return !strcmp(type, "list_workflows") ? "pipeline_file" : "github_uid";
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	(void)absent;
	const char *name = str(cJSON_GetObjectItemCaseSensitive(doc, "metadata"), "name");
	if (cf_schema_matches(".*" CF_UUID_PATTERN ".*", name))
		cf_kerr(kc, "metadata.name", "metadata.name: must not hold a UUID (repo.ex valid_name_format)");
	int i = 0;
	const cJSON *w;
	cJSON_ArrayForEach(w, cf_json_path(doc, "spec.widgets")) {
		const char *type = str(w, "type"), *bad = foreign_filter(type);
		if (*type && cJSON_HasObjectItem(cJSON_GetObjectItemCaseSensitive(w, "filters"), bad)) {
			char path[80];
			snprintf(path, sizeof(path), "spec.widgets[%d].filters.%s", i, bad);
			cf_kerr(kc, path, "%s: a %s widget filters only by project_id, branch and %s", path, type,
				!strcmp(type, "list_workflows") ? "github_uid" : "pipeline_file");
		}
		i++;
	}
}

/* ---- comparing ---- */

/* utils.ex titleize: dashes become spaces, words String.capitalize'd. */
static char *titleize(const char *name)
{
	char *out = cf_xcalloc(strlen(name) + 1, 1), *o = out;
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
	return out;
}

/* A title left out (or "") is what the server makes of the name. */
static cJSON *norm_title(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	const char *t = cJSON_GetStringValue(v);
	if (desired && (!t || !*t)) {
		char *made = titleize(str(cJSON_GetObjectItemCaseSensitive(ctx->desired_doc, "metadata"), "name"));
		cJSON *out = cJSON_CreateString(made);
		free(made);
		return out;
	}
	return cJSON_CreateString(t ? t : "");
}

/* Widgets in order, each with its name, type and filters (a map: key order
 * does not matter to cJSON_Compare). */
static cJSON *norm_widgets(const cJSON *widgets, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	cJSON *out = cJSON_CreateArray();
	const cJSON *w;
	cJSON_ArrayForEach(w, widgets) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "name", str(w, "name"));
		cJSON_AddStringToObject(n, "type", str(w, "type"));
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(w, "filters");
		cJSON_AddItemToObject(n, "filters", cJSON_IsObject(f) ? cJSON_Duplicate(f, 1) : cJSON_CreateObject());
		cJSON_AddItemToArray(out, n);
	}
	return out;
}

static const cf_diff_field dashboard_diff[] = {
	{
		.name = "metadata.title", .desired = "metadata.title", .live = "metadata.title",
		.fallback = "\"\"", .type = CF_D_VALUE, .normalize = norm_title,
	},
	{
		.name = "spec.widgets", .desired = "spec.widgets", .live = "spec.widgets", .fallback = "[]",
		.type = CF_D_VALUE, .normalize = norm_widgets, .list_items = true,
	},
	{.name = NULL},
};

/* ---- reading and writing ---- */

static int read_live(cf_live *live, const cf_resource_set *set, cf_conn *conn, cf_diags *diags, cf_error *err)
{
	(void)diags;
	cJSON *all = NULL;
	int rc = cf_sem_list_pages(&all, cf_sem_of(conn), "/dashboards", "dashboards", PAGE_SIZE, err);
	for (cJSON *d = rc == CF_OK ? all->child : NULL, *next; d; d = next) {
		next = d->next;
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "metadata");
		if (!*str(m, "name") || !*str(m, "id")) {
			rc = cf_error_set(err, CF_EAPI, "GET /dashboards: the answer has an unexpected shape (a "
					  "dashboard without a name or an id)");
			break;
		}
		char *name = cf_xstrdup(str(m, "name")), *id = cf_xstrdup(str(m, "id"));
		char *addr = cf_xasprintf("Dashboard/%s", name);
		cf_live_add(live, set, &cf_sem_dashboard_kind, addr, id, NULL, name,
			    cJSON_DetachItemViaPointer(all, d));
		free(addr);
		free(name);
		free(id);
	}
	cJSON_Delete(all);
	return rc;
}

/* Name, title ("" lets the server title-case the name) and every widget,
 * each with its filters (a map of strings: dashboards.v1alpha Widget). */
static cJSON *dashboard_body(const cf_resource *r)
{
	cJSON *b = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(b, "metadata");
	cJSON_AddStringToObject(m, "name", r->name);
	cJSON_AddStringToObject(m, "title", str(cJSON_GetObjectItemCaseSensitive(r->doc, "metadata"), "title"));
	cJSON *widgets = cJSON_AddArrayToObject(cJSON_AddObjectToObject(b, "spec"), "widgets");
	const cJSON *w;
	cJSON_ArrayForEach(w, cf_json_path(r->doc, "spec.widgets")) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", str(w, "name"));
		cJSON_AddStringToObject(x, "type", str(w, "type"));
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(w, "filters");
		cJSON_AddItemToObject(x, "filters", cJSON_IsObject(f) ? cJSON_Duplicate(f, 1) : cJSON_CreateObject());
		cJSON_AddItemToArray(widgets, x);
	}
	return b;
}

static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_http_client *c = cf_sem_of(ctx->conn);
	char *id = ch->id ? cf_http_escape(ch->id) : NULL;
	char *path = id ? cf_xasprintf("/dashboards/%s", id) : NULL;
	cJSON *body = ch->res && ch->action != CF_DELETE ? dashboard_body(ch->res) : NULL, *answer = NULL;
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	int rc = CF_OK;
	if (ch->action == CF_CREATE) {
		/* no idempotency token: looked up by name before it is sent again */
		char *e = cf_http_escape(ch->name), *lookup = cf_xasprintf("/dashboards/%s", e);
		rc = cf_sem_create(&answer, c, "/dashboards", text, lookup, err);
		free(lookup);
		free(e);
		if (rc == CF_OK)
			cf_apply_created(ctx, ch->address, str(cJSON_GetObjectItemCaseSensitive(answer, "metadata"), "id"));
	} else if (ch->action == CF_UPDATE) {
		rc = cf_http_request(&answer, c, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	} else if (ch->action == CF_DELETE) {
		rc = cf_http_delete(c, path, err);
	}
	cJSON_Delete(answer);
	cJSON_Delete(body);
	free(text);
	free(path);
	free(id);
	return rc;
}

/* ---- export ---- */

static cJSON *dashboard_doc(const cJSON *d)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "metadata");
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "v1alpha");
	cJSON_AddStringToObject(doc, "kind", "Dashboard");
	cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(meta, "name", str(m, "name"));
	char *made = titleize(str(m, "name"));
	if (strcmp(made, str(m, "title")) != 0) /* the default title is left out */
		cJSON_AddStringToObject(meta, "title", str(m, "title"));
	free(made);
	cJSON *widgets = cJSON_AddArrayToObject(cJSON_AddObjectToObject(doc, "spec"), "widgets");
	const cJSON *w;
	cJSON_ArrayForEach(w, cf_json_path(d, "spec.widgets")) {
		cJSON *x = cJSON_CreateObject();
		if (*str(w, "name"))
			cJSON_AddStringToObject(x, "name", str(w, "name"));
		cJSON_AddStringToObject(x, "type", str(w, "type"));
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(w, "filters");
		if (cJSON_IsObject(f) && f->child)
			cJSON_AddItemToObject(x, "filters", cJSON_Duplicate(f, 1));
		cJSON_AddItemToArray(widgets, x);
	}
	return doc;
}

static int export_dashboards(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_sem_export_ctx *ctx = vctx;
	if (!cf_export_wants(ctx->scope, "Dashboard"))
		return CF_OK;
	cJSON *all = NULL;
	int rc = cf_sem_list_pages(&all, ctx->c, "/dashboards", "dashboards", PAGE_SIZE, err);
	const cJSON *d;
	const cJSON *list = rc == CF_OK ? all : NULL;
	cJSON_ArrayForEach(d, list) {
		const char *name = str(cJSON_GetObjectItemCaseSensitive(d, "metadata"), "name");
		if (!cf_sem_export_segment(name))
			continue; /* the server's names are [a-z0-9-]: always a file name */
		char *file = cf_xasprintf("dashboard-%s.yaml", name);
		cf_export_add(out, "dashboards", file, dashboard_doc(d));
		free(file);
	}
	cJSON_Delete(all);
	return rc;
}

const cf_kind cf_sem_dashboard_kind = {
	.name = "Dashboard",
	.api_version = "v1alpha",
	.noun = "dashboard",
	.fields = document_fields,
	.has_project = false,
	.has_name = true,
	.absent_refusal = NULL,
	.check = check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = dashboard_diff,
	.has_active = false,
	.read_live = read_live,
	.apply = apply,
	.live_problem = NULL,
	.preflight = NULL,
	.values_hidden = NULL,
	.export = export_dashboards,
};

/*
 * circleci: ciform-sandbox --api circleci, CircleCI's API v2 as ciform uses
 * it: the caller's organisations, projects, contexts with their variables
 * and restrictions. Every rule names its evidence (PUB =
 * CircleCI-Public/terraform-provider-circleci, LABS =
 * CircleCI-Labs/terraform-provider-circleci, as docs/circleci.md lists).
 *
 * State: the seed/state JSON's top-level key "circleci" (every key optional):
 *   "collaborations": [{"id": UUID, "name", "slug": "gh/acme", "vcs_type"}]
 *   "projects": [{"id": UUID, "slug": "gh/acme/web", "name", "organization_id",
 *                 "organization_slug",
 *                 "env": [{"name", "value", "created_at"}],      project.c
 *                 "settings": {"advanced": {KEY: VALUE}}}]      project.c
 *   "contexts": [{"id": UUID, "name", "owner_id": UUID, "created_at",
 *                 "env": [{"variable", "value", "created_at", "updated_at"}],
 *                 "restrictions": [{"id", "restriction_type", "restriction_value"}]}]
 *   "context_page_size": N     default 100: contexts per GET /context page
 *   "context_page_token_repeats": true   every GET /context page answers the
 *                              same next_page_token ("again"), as a broken
 *                              pager would (LABS ic/v3.go DrainV2 stops on it)
 *   "error_key": "error"       v2 errors say {"error": ...} instead of
 *                              {"message": ...}: v1/v2 bodies use either
 *                              (LABS internal/circleci/error.go serverMessage)
 *   "envvar_page_size": N      default 100: project variables per page (project.c)
 *   projects[].pipeline_definitions, projects[].triggers, "server", "actor_ids": triggers.c
 *   "webhooks": [...]          webhooks.c
 *   "runner_namespaces", "runner_classes", "runner_tokens", "runner_running": runner.c
 * Missing ids are made up at first use.
 */
#include "cmd/sandbox/circleci/cci.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V2 "/api/v2"
#define MAX_CONTEXT_VARS 100

/* v2 errors are {"message": ...} (LABS ic/error.go; PUB fakecircle/response.go msg) */
void cci_fail(sbx_resp *rs, int status, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	cJSON_Delete(rs->body);
	rs->status = status;
	rs->content_type = "application/json";
	rs->body = cJSON_CreateObject();
	cJSON_AddStringToObject(rs->body, "message", m);
}

void cci_ok(sbx_resp *rs, int status, cJSON *body)
{
	cJSON_Delete(rs->body);
	rs->status = status;
	rs->content_type = "application/json";
	rs->body = body;
}

cJSON *cci_list_of(cJSON *root, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, key);
		a = cJSON_AddArrayToObject(root, key);
	}
	return a;
}

const char *cci_id_of(cJSON *o)
{
	if (!*sbx_str(o, "id")) {
		char id[37];
		sbx_uuid(id);
		cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
		cJSON_AddStringToObject(o, "id", id);
	}
	return sbx_str(o, "id");
}

cJSON *cci_by_id(cJSON *list, const char *id)
{
	cJSON *x;
	cJSON_ArrayForEach(x, list)
		if (!strcasecmp(cci_id_of(x), id))
			return x;
	return NULL;
}

const char *cci_query(const cci_req *q, const char *key)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, key);
}

void cci_touch(cJSON *o, const char *key)
{
	char *t = sbx_iso_time();
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, t);
	free(t);
}

/* The last min(4, floor(len/2)) characters (LABS ic/environment_variable.go
 * truncated_value); values are ASCII here, as the open question on
 * characters or bytes is not settled (docs/circleci.md). */
char *cci_tail_of(const char *v)
{
	size_t n = strlen(v), t = n / 2 < 4 ? n / 2 : 4;
	return strdup(v + n - t);
}

static cJSON *var_json(const cJSON *ctx, const cJSON *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "variable", sbx_str(v, "variable"));
	cJSON_AddStringToObject(o, "context_id", sbx_str(ctx, "id"));
	char *t = cci_tail_of(sbx_str(v, "value"));
	cJSON_AddStringToObject(o, "truncated_value", t);
	free(t);
	cJSON_AddStringToObject(o, "created_at", sbx_str(v, "created_at"));
	cJSON_AddStringToObject(o, "updated_at", sbx_str(v, "updated_at"));
	return o;
}

static void me_collaborations(cci_req *q, sbx_resp *rs)
{
	/* a bare array (CircleCI-Public/circleci-cli internal/apiclient/me.go) */
	cci_ok(rs, 200, cJSON_Duplicate(cci_list_of(q->root, "collaborations"), 1));
}

cJSON *cci_project_at(cci_req *q)
{
	char slug[512];
	snprintf(slug, sizeof(slug), "%s/%s/%s", q->seg[1], q->seg[2], q->seg[3]);
	cJSON *p;
	cJSON_ArrayForEach(p, cci_list_of(q->root, "projects"))
		if (!strcasecmp(sbx_str(p, "slug"), slug)) {
			cci_id_of(p);
			return p;
		}
	return NULL;
}

static void project_get(cci_req *q, sbx_resp *rs)
{
	/* {id, slug, name, organization_id, ...}; unknown is 404 (PUB
	 * project/project.go; fakecircle/project.go getProject) */
	cJSON *p = cci_project_at(q);
	if (!p) {
		cci_fail(rs, 404, "Project not found");
		return;
	}
	cJSON *out = cJSON_Duplicate(p, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(out, "env"); /* the sandbox's own keys */
	cJSON_DeleteItemFromObjectCaseSensitive(out, "settings");
	cci_ok(rs, 200, out);
}

static cJSON *ctx_summary(cJSON *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", cci_id_of(c));
	cJSON_AddStringToObject(o, "name", sbx_str(c, "name"));
	cJSON_AddStringToObject(o, "created_at", sbx_str(c, "created_at"));
	return o;
}

static void contexts_list(cci_req *q, sbx_resp *rs)
{
	/* owner-id with owner-type organization (owner-slug is not supported on
	 * Server: circleci.com/docs/api/v2); {items, next_page_token}, the next
	 * page at ?page-token= (PUB common/models.go PaginatedResponse) */
	const char *owner = cci_query(q, "owner-id"), *tok = cci_query(q, "page-token");
	if (!owner || !*owner) {
		cci_fail(rs, 400, "owner-id or owner-slug is required");
		return;
	}
	double size = sbx_num(q->root, "context_page_size");
	int per = size >= 1 ? (int)size : 100, from = tok && *tok ? atoi(tok) : 0, i = 0, n = 0;
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items"), *c;
	bool more = false;
	cJSON_ArrayForEach(c, cci_list_of(q->root, "contexts")) {
		if (strcasecmp(sbx_str(c, "owner_id"), owner))
			continue;
		if (i++ < from)
			continue;
		if (n == per) {
			more = true;
			break;
		}
		cJSON_AddItemToArray(items, ctx_summary(c));
		n++;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q->root, "context_page_token_repeats"))) {
		/* the same token on every page: a client that follows it loops for
		 * ever unless it stops on a repeat (LABS ic/v3.go DrainV2) */
		cJSON_AddStringToObject(out, "next_page_token", "again");
	} else if (more) {
		char next[16];
		snprintf(next, sizeof(next), "%d", from + per);
		cJSON_AddStringToObject(out, "next_page_token", next);
	} else {
		cJSON_AddNullToObject(out, "next_page_token");
	}
	cci_ok(rs, 200, out);
}

static void context_create(cci_req *q, sbx_resp *rs)
{
	/* {name, owner: {id, type}}; type account is 400 (LABS ic/context.go);
	 * names are unique per organisation (circleci.com/docs/contexts) */
	const char *name = sbx_str(q->body, "name");
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(q->body, "owner");
	const char *type = sbx_str(owner, "type"), *oid = sbx_str(owner, "id");
	if (!*name || !*oid) {
		cci_fail(rs, 400, "name and owner.id are required");
		return;
	}
	if (strcmp(type, "organization") != 0) {
		cci_fail(rs, 400, "owner type must be organization");
		return;
	}
	if (!cci_by_id(cci_list_of(q->root, "collaborations"), oid)) {
		cci_fail(rs, 404, "Organization not found");
		return;
	}
	cJSON *c;
	cJSON_ArrayForEach(c, cci_list_of(q->root, "contexts"))
		if (!strcasecmp(sbx_str(c, "owner_id"), oid) && !strcmp(sbx_str(c, "name"), name)) {
			cci_fail(rs, 400, "A context named %s already exists", name);
			return;
		}
	c = cJSON_CreateObject();
	cci_id_of(c);
	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "owner_id", oid);
	cci_touch(c, "created_at");
	cJSON_AddArrayToObject(c, "env");
	cJSON_AddArrayToObject(c, "restrictions");
	cJSON_AddItemToArray(cci_list_of(q->root, "contexts"), c);
	cci_ok(rs, 200, ctx_summary(c)); /* {id, name, created_at} */
}

static cJSON *var_named(cJSON *ctx, const char *name)
{
	cJSON *v;
	cJSON_ArrayForEach(v, cci_list_of(ctx, "env"))
		if (!strcmp(sbx_str(v, "variable"), name))
			return v;
	return NULL;
}

static int by_variable(const void *a, const void *b)
{
	return strcmp(sbx_str(*(cJSON *const *)a, "variable"), sbx_str(*(cJSON *const *)b, "variable"));
}

static void vars_list(cJSON *ctx, sbx_resp *rs)
{
	/* at most 100, by name; a non-null next_page_token when more exist,
	 * which nothing fetches (LABS ic/environment_variable.go) */
	cJSON *env = cci_list_of(ctx, "env");
	int n = cJSON_GetArraySize(env);
	cJSON **v = calloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++)
		v[i] = cJSON_GetArrayItem(env, i);
	qsort(v, (size_t)n, sizeof(*v), by_variable);
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items");
	for (int i = 0; i < n && i < MAX_CONTEXT_VARS; i++)
		cJSON_AddItemToArray(items, var_json(ctx, v[i]));
	if (n > MAX_CONTEXT_VARS)
		cJSON_AddStringToObject(out, "next_page_token", "more");
	else
		cJSON_AddNullToObject(out, "next_page_token");
	free(v);
	cci_ok(rs, 200, out);
}

static void var_put(cci_req *q, cJSON *ctx, const char *name, sbx_resp *rs)
{
	/* an upsert (LABS ic/environment_variable.go; PUB envcontext/env.go);
	 * only "value" is read: {"val": ...} stores "" (LABS); a new name past
	 * 100 is 400 (LABS) */
	cJSON *v = var_named(ctx, name);
	if (!v && cJSON_GetArraySize(cci_list_of(ctx, "env")) >= MAX_CONTEXT_VARS) {
		/* the measured words (LABS internal/circleci/environment_variable.go
		 * UpsertContextEnvironmentVariable) */
		cci_fail(rs, 400, "Cannot create more than %d environment variables per context", MAX_CONTEXT_VARS);
		return;
	}
	if (!v) {
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "variable", name);
		cci_touch(v, "created_at");
		cJSON_AddItemToArray(cci_list_of(ctx, "env"), v);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(v, "value");
	cJSON_AddStringToObject(v, "value", sbx_str(q->body, "value"));
	cci_touch(v, "updated_at"); /* moves on every write (LABS) */
	cJSON *out = var_json(ctx, v);
	cJSON_DeleteItemFromObjectCaseSensitive(out, "truncated_value"); /* PUB EnvVariable */
	cci_ok(rs, 200, out);
}

static void restriction_add(cci_req *q, cJSON *ctx, sbx_resp *rs)
{
	/* {restriction_type, restriction_value}: project takes a project UUID,
	 * expression the expression; group restrictions are not in the API
	 * (circleci.com/changelog/context-restriction-apis-marked-ga); the answer
	 * has no name (LABS ic/context_restriction.go) */
	const char *type = sbx_str(q->body, "restriction_type"), *val = sbx_str(q->body, "restriction_value");
	if (strcmp(type, "project") && strcmp(type, "expression")) {
		cci_fail(rs, 400, "restriction_type must be project or expression");
		return;
	}
	if (!*val || (!strcmp(type, "project") && !cci_by_id(cci_list_of(q->root, "projects"), val))) {
		cci_fail(rs, 400, "invalid restriction_value");
		return;
	}
	cJSON *r = cJSON_CreateObject();
	cci_id_of(r);
	cJSON_AddStringToObject(r, "restriction_type", type);
	cJSON_AddStringToObject(r, "restriction_value", val);
	cJSON_AddItemToArray(cci_list_of(ctx, "restrictions"), r);
	cJSON *out = cJSON_Duplicate(r, 1);
	cJSON_AddStringToObject(out, "context_id", cci_id_of(ctx));
	if (!strcmp(type, "project"))
		cJSON_AddStringToObject(out, "project_id", val);
	cci_ok(rs, 201, out);
}

static void restrictions_list(cJSON *ctx, sbx_resp *rs)
{
	/* {items} and no page token (LABS ic/items.go) */
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items"), *r;
	cJSON_ArrayForEach(r, cci_list_of(ctx, "restrictions")) {
		cJSON *x = cJSON_Duplicate(r, 1);
		cJSON_AddStringToObject(x, "context_id", cci_id_of(ctx));
		cJSON_AddItemToArray(items, x);
	}
	cci_ok(rs, 200, out);
}

void cci_remove_item(cJSON *list, cJSON *item)
{
	cJSON_Delete(cJSON_DetachItemViaPointer(list, item));
}

/* /context/{id}/...: a context that is not there is 403, never 404 (LABS
 * ic/context.go, DESIGN.md). */
static void context_routes(cci_req *q, sbx_resp *rs)
{
	cJSON *all = cci_list_of(q->root, "contexts"), *ctx = cci_by_id(all, q->seg[1]);
	const char *m = q->method;
	if (!ctx) {
		cci_fail(rs, 403, "Permission denied");
	} else if (q->nseg == 2 && !strcmp(m, "GET")) {
		cci_ok(rs, 200, ctx_summary(ctx));
	} else if (q->nseg == 2 && !strcmp(m, "DELETE")) {
		cci_remove_item(all, ctx); /* its variables go with it (SEED delete_context) */
		cci_fail(rs, 200, "Context deleted.");
	} else if (q->nseg == 3 && !strcmp(q->seg[2], "environment-variable") && !strcmp(m, "GET")) {
		vars_list(ctx, rs);
	} else if (q->nseg == 4 && !strcmp(q->seg[2], "environment-variable") && !strcmp(m, "PUT")) {
		var_put(q, ctx, q->seg[3], rs);
	} else if (q->nseg == 4 && !strcmp(q->seg[2], "environment-variable") && !strcmp(m, "DELETE")) {
		cJSON *v = var_named(ctx, q->seg[3]);
		if (!v) {
			cci_fail(rs, 404, "Environment variable not found.");
			return;
		}
		cci_remove_item(cci_list_of(ctx, "env"), v);
		cci_fail(rs, 200, "Environment variable deleted.");
	} else if (q->nseg == 3 && !strcmp(q->seg[2], "restrictions") && !strcmp(m, "GET")) {
		restrictions_list(ctx, rs);
	} else if (q->nseg == 3 && !strcmp(q->seg[2], "restrictions") && !strcmp(m, "POST")) {
		restriction_add(q, ctx, rs);
	} else if (q->nseg == 4 && !strcmp(q->seg[2], "restrictions") && !strcmp(m, "DELETE")) {
		cJSON *r = cci_by_id(cci_list_of(ctx, "restrictions"), q->seg[3]);
		if (!r) {
			cci_fail(rs, 404, "Restriction not found.");
			return;
		}
		cci_remove_item(cci_list_of(ctx, "restrictions"), r);
		cci_fail(rs, 200, "Context restriction deleted.");
	} else {
		cci_fail(rs, 404, "Not found");
	}
}

static void route(cci_req *q, sbx_resp *rs)
{
	const char *m = q->method, *first = q->nseg ? q->seg[0] : "";
	if (q->nseg == 2 && !strcmp(first, "me") && !strcmp(q->seg[1], "collaborations") && !strcmp(m, "GET"))
		me_collaborations(q, rs);
	else if (q->nseg == 4 && !strcmp(first, "project") && !strcmp(m, "GET"))
		project_get(q, rs);
	else if (q->nseg >= 5 && !strcmp(first, "project"))
		cci_project_routes(q, rs);
	else if (q->nseg == 1 && !strcmp(first, "context") && !strcmp(m, "GET"))
		contexts_list(q, rs);
	else if (q->nseg == 1 && !strcmp(first, "context") && !strcmp(m, "POST"))
		context_create(q, rs);
	else if (q->nseg >= 2 && !strcmp(first, "context"))
		context_routes(q, rs);
	else if (q->nseg >= 3 && !strcmp(first, "projects"))
		cci_trigger_routes(q, rs);
	else if (!strcmp(first, "webhook"))
		cci_webhook_routes(q, rs);
	else
		cci_fail(rs, 404, "Not found");
}

static void split(cci_req *q, const char *path)
{
	char *copy = strdup(path);
	for (char *save = NULL, *p = strtok_r(copy, "/", &save); p && q->nseg < 8; p = strtok_r(NULL, "/", &save)) {
		q->seg[q->nseg] = strdup(p);
		MHD_http_unescape(q->seg[q->nseg]);
		q->nseg++;
	}
	free(copy);
}

static void answer(sbx *s, void *conn, const char *url, const char *method, const char *body, size_t len,
		   sbx_resp *rs)
{
	/* Circle-Token: none is 401 "You must log in first.", a wrong one 401
	 * "Invalid token provided." (PUB internal/circleci/testing/fakecircle/auth.go) */
	const char *tok = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Circle-Token");
	if (!tok || !*tok) {
		cci_fail(rs, 401, "You must log in first.");
		return;
	}
	if (strcmp(tok, s->token) != 0) {
		cci_fail(rs, 401, "Invalid token provided.");
		return;
	}
	if (!strncmp(url, "/api/v3/runner/", 15)) { /* the runner API (runner.c) */
		cci_runner_answer(s, conn, url, method, body, len, rs);
		return;
	}
	if (strncmp(url, V2 "/", strlen(V2) + 1) != 0) {
		cci_fail(rs, 404, "Not found");
		return;
	}
	cci_req q = {.s = s, .conn = conn, .method = method};
	q.root = cJSON_GetObjectItemCaseSensitive(s->state, "circleci");
	if (!cJSON_IsObject(q.root)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->state, "circleci");
		q.root = cJSON_AddObjectToObject(s->state, "circleci");
	}
	split(&q, url + strlen(V2));
	q.body = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	if (len && !q.body)
		cci_fail(rs, 400, "Invalid JSON body.");
	else
		route(&q, rs);
	cJSON *msg = cJSON_GetObjectItemCaseSensitive(rs->body, "message");
	if (rs->status >= 400 && cJSON_IsString(msg) && !strcmp(sbx_str(q.root, "error_key"), "error")) {
		/* v1/v2 bodies carry their words under "error" or "message" (LABS
		 * internal/circleci/error.go serverMessage reads both, "error" first) */
		cJSON *e = cJSON_CreateString(msg->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(rs->body, "message");
		cJSON_AddItemToObject(rs->body, "error", e);
	}
	if (strcmp(method, "GET") != 0 && rs->status < 300) {
		char *err = NULL;
		if (sbx_save(s, &err) != 0) {
			cci_fail(rs, 500, "state not saved: %s", err ? err : "?");
			free(err);
		}
	}
	cJSON_Delete(q.body);
	for (int i = 0; i < q.nseg; i++)
		free(q.seg[i]);
}

const sbx_vendor sbx_circleci_vendor = {.name = "circleci", .answer = answer};

/*
 * runner: ciform-sandbox --api circleci's runner API, /api/v3/runner/...
 * (the routes ciform uses), on the same origin as v2: on CircleCI Server the
 * installation serves it itself (LABS internal/circleci/runner.go
 * DefaultRunnerHost), and ciform sends runner requests to the host itself
 * unless it is circleci.com. Each rule names its evidence: PUB =
 * CircleCI-Public/terraform-provider-circleci internal/circleci/runner/
 * runner.go and testing/fakecircle/runner.go; LABS =
 * CircleCI-Labs/terraform-provider-circleci internal/circleci/runner.go.
 *
 * State: under the seed/state JSON's "circleci" object (every key optional):
 *   "runner_namespaces": [{"name": "acme", "org_id": UUID}]   the namespaces
 *                        the token's user administers; others answer 404
 *   "runner_classes": [{"id", "resource_class": "acme/linux", "description"}]
 *   "runner_tokens": [{"id", "resource_class", "nickname", "token", "created_at"}]
 *   "runner_running": {"acme/linux": N}   tasks running on a class; a
 *                        sandbox device: each GET of the count answers N,
 *                        then one task ends (N - 1), so a wait finishes
 * Missing ids are made up at first use.
 */
#include "cmd/sandbox/circleci/cci.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROOT "/api/v3/runner"

/* v3 errors: {"error": {"title", "detail", "id"}} (LABS
 * internal/circleci/error.go APIError, "the v3 error envelope") */
static void v3_fail(sbx_resp *rs, int status, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void v3_fail(sbx_resp *rs, int status, const char *title, const char *fmt, ...)
{
	char detail[512], id[37];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	sbx_uuid(id);
	cJSON *body = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(body, "error");
	cJSON_AddStringToObject(e, "title", title);
	cJSON_AddStringToObject(e, "detail", detail);
	cJSON_AddStringToObject(e, "id", id);
	cci_ok(rs, status, body);
}

/* Missing and not the caller's are one answer (LABS DeleteResourceClass,
 * DeleteToken: both call middleware.AccessDeniedMsg, 404). */
static void denied(sbx_resp *rs)
{
	v3_fail(rs, 404, "Not Found", "Access denied or resource not found.");
}

static bool owns_namespace(cci_req *q, const char *ns, size_t len)
{
	cJSON *n;
	cJSON_ArrayForEach(n, cci_list_of(q->root, "runner_namespaces"))
		if (strlen(sbx_str(n, "name")) == len && !strncmp(sbx_str(n, "name"), ns, len))
			return true;
	return false;
}

/* A class name whose namespace the caller administers. */
static bool owns_class_name(cci_req *q, const char *cls)
{
	const char *slash = strchr(cls, '/');
	return slash && slash != cls && slash[1] && owns_namespace(q, cls, (size_t)(slash - cls));
}

static cJSON *class_named(cci_req *q, const char *cls)
{
	cJSON *c;
	cJSON_ArrayForEach(c, cci_list_of(q->root, "runner_classes"))
		if (!strcmp(sbx_str(c, "resource_class"), cls)) {
			cci_id_of(c);
			return c;
		}
	return NULL;
}

static cJSON *class_json(cJSON *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", cci_id_of(c));
	cJSON_AddStringToObject(o, "resource_class", sbx_str(c, "resource_class"));
	cJSON_AddStringToObject(o, "description", sbx_str(c, "description"));
	return o;
}

static bool in_namespace(cJSON *c, const char *ns)
{
	size_t n = strlen(ns);
	return !strncmp(sbx_str(c, "resource_class"), ns, n) && sbx_str(c, "resource_class")[n] == '/';
}

static void classes_list(cci_req *q, sbx_resp *rs)
{
	/* namespace or org-id, one required (400 for neither); org-id wins
	 * when both are given (LABS ListResourceClasses); {items} (LABS
	 * resourceClassItems) */
	const char *ns = cci_query(q, "namespace"), *org = cci_query(q, "org-id");
	if ((!ns || !*ns) && (!org || !*org)) {
		v3_fail(rs, 400, "Bad Request", "one of namespace or org-id is required");
		return;
	}
	cJSON *names = cJSON_CreateArray(), *n, *c;
	cJSON_ArrayForEach(n, cci_list_of(q->root, "runner_namespaces"))
		if (org && *org ? !strcasecmp(sbx_str(n, "org_id"), org) : !strcmp(sbx_str(n, "name"), ns))
			cJSON_AddItemToArray(names, cJSON_CreateString(sbx_str(n, "name")));
	if (!cJSON_GetArraySize(names)) {
		cJSON_Delete(names);
		denied(rs);
		return;
	}
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items");
	cJSON_ArrayForEach(c, cci_list_of(q->root, "runner_classes"))
		cJSON_ArrayForEach(n, names)
			if (in_namespace(c, n->valuestring))
				cJSON_AddItemToArray(items, class_json(c));
	cJSON_Delete(names);
	cci_ok(rs, 200, out);
}

static void class_create(cci_req *q, sbx_resp *rs)
{
	/* {resource_class, description}; the owner is the namespace's, an
	 * org_id is not read (LABS ResourceClassInput); an existing name is 409
	 * (PUB fakecircle createResourceClass; LABS IsConflict) */
	const char *cls = sbx_str(q->body, "resource_class");
	if (!*cls || !strchr(cls, '/')) {
		v3_fail(rs, 400, "Bad Request", "resource_class must be namespace/name");
		return;
	}
	if (!owns_class_name(q, cls)) {
		denied(rs);
		return;
	}
	if (class_named(q, cls)) {
		v3_fail(rs, 409, "Conflict", "resource class already exists");
		return;
	}
	cJSON *c = cJSON_CreateObject();
	cci_id_of(c);
	cJSON_AddStringToObject(c, "resource_class", cls);
	cJSON_AddStringToObject(c, "description", sbx_str(q->body, "description"));
	cJSON_AddItemToArray(cci_list_of(q->root, "runner_classes"), c);
	cci_ok(rs, 200, class_json(c)); /* PUB fakecircle: 200 {id, resource_class, description} */
}

static int tokens_of(cci_req *q, const char *cls)
{
	int n = 0;
	cJSON *t;
	cJSON_ArrayForEach(t, cci_list_of(q->root, "runner_tokens"))
		n += !strcmp(sbx_str(t, "resource_class"), cls);
	return n;
}

static void class_delete(cci_req *q, const char *id, bool force, sbx_resp *rs)
{
	/* 409 while tokens exist; /force deletes them too (LABS
	 * DeleteResourceClass; PUB fakecircle deleteResourceClass[Force]) */
	cJSON *all = cci_list_of(q->root, "runner_classes"), *c = cci_by_id(all, id);
	if (!c || !owns_class_name(q, sbx_str(c, "resource_class"))) {
		denied(rs);
		return;
	}
	const char *cls = sbx_str(c, "resource_class");
	if (!force && tokens_of(q, cls) > 0) {
		v3_fail(rs, 409, "Conflict", "resource class has tokens");
		return;
	}
	cJSON *tokens = cci_list_of(q->root, "runner_tokens");
	for (cJSON *t = tokens->child, *next; t; t = next) {
		next = t->next;
		if (!strcmp(sbx_str(t, "resource_class"), cls))
			cci_remove_item(tokens, t);
	}
	cci_remove_item(all, c);
	cci_ok(rs, 200, cJSON_Parse("{\"message\":\"deleted\"}"));
}

static void tokens_list(cci_req *q, sbx_resp *rs)
{
	/* resource-class required (400: LABS ListTokens); {items} without the
	 * value ("omitempty": LABS Token) */
	const char *cls = cci_query(q, "resource-class");
	if (!cls || !*cls) {
		v3_fail(rs, 400, "Bad Request", "resource-class is required");
		return;
	}
	if (!owns_class_name(q, cls) || !class_named(q, cls)) {
		denied(rs);
		return;
	}
	cJSON *out = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(out, "items"), *t;
	cJSON_ArrayForEach(t, cci_list_of(q->root, "runner_tokens")) {
		if (strcmp(sbx_str(t, "resource_class"), cls) != 0)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", cci_id_of(t));
		cJSON_AddStringToObject(o, "nickname", sbx_str(t, "nickname"));
		cJSON_AddStringToObject(o, "resource_class", cls);
		cJSON_AddStringToObject(o, "created_at", sbx_str(t, "created_at"));
		cJSON_AddItemToArray(items, o);
	}
	cci_ok(rs, 200, out);
}

static void token_create(cci_req *q, sbx_resp *rs)
{
	/* {resource_class, nickname} -> {id, token, nickname, resource_class,
	 * created_at}, the only answer with the value (LABS CreateToken; PUB
	 * fakecircle createToken); an unknown class is 404 (PUB fakecircle).
	 * Nicknames are not made unique (none of the sources says they are). */
	const char *cls = sbx_str(q->body, "resource_class"), *nick = sbx_str(q->body, "nickname");
	if (!*cls || !*nick) {
		v3_fail(rs, 400, "Bad Request", "resource_class and nickname are required");
		return;
	}
	if (!owns_class_name(q, cls) || !class_named(q, cls)) {
		denied(rs);
		return;
	}
	char hex[41];
	sbx_random_hex(hex, 20);
	cJSON *t = cJSON_CreateObject();
	cci_id_of(t);
	cJSON_AddStringToObject(t, "resource_class", cls);
	cJSON_AddStringToObject(t, "nickname", nick);
	cJSON_AddStringToObject(t, "token", hex);
	cci_touch(t, "created_at");
	cJSON_AddItemToArray(cci_list_of(q->root, "runner_tokens"), t);
	cci_ok(rs, 200, cJSON_Duplicate(t, 1));
}

static void token_delete(cci_req *q, const char *id, sbx_resp *rs)
{
	cJSON *all = cci_list_of(q->root, "runner_tokens"), *t = cci_by_id(all, id);
	if (!t || !owns_class_name(q, sbx_str(t, "resource_class"))) {
		denied(rs); /* LABS DeleteToken: 404 */
		return;
	}
	cci_remove_item(all, t);
	cci_ok(rs, 200, cJSON_Parse("{\"message\":\"deleted\"}"));
}

static void running(cci_req *q, sbx_resp *rs)
{
	/* {"running_runner_tasks": N}; a class the caller cannot resolve is
	 * 404 (LABS RunningTaskCount; PUB GetRunningTaskCount) */
	const char *cls = cci_query(q, "resource-class");
	if (!cls || !*cls) {
		v3_fail(rs, 400, "Bad Request", "resource-class is required");
		return;
	}
	if (!owns_class_name(q, cls) || !class_named(q, cls)) {
		denied(rs);
		return;
	}
	cJSON *counts = cJSON_GetObjectItemCaseSensitive(q->root, "runner_running");
	cJSON *n = cJSON_GetObjectItemCaseSensitive(counts, cls);
	int now = cJSON_IsNumber(n) ? n->valueint : 0;
	if (now > 0)
		cJSON_SetNumberValue(n, now - 1); /* the sandbox's tasks end one per look */
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "running_runner_tasks", now);
	cci_ok(rs, 200, out);
}

static void route(cci_req *q, sbx_resp *rs)
{
	const char *m = q->method, *first = q->nseg ? q->seg[0] : "";
	bool get = !strcmp(m, "GET"), post = !strcmp(m, "POST"), del = !strcmp(m, "DELETE");
	if (q->nseg == 1 && !strcmp(first, "resource") && get)
		classes_list(q, rs);
	else if (q->nseg == 1 && !strcmp(first, "resource") && post)
		class_create(q, rs);
	else if (q->nseg == 2 && !strcmp(first, "resource") && del)
		class_delete(q, q->seg[1], false, rs);
	else if (q->nseg == 3 && !strcmp(first, "resource") && !strcmp(q->seg[2], "force") && del)
		class_delete(q, q->seg[1], true, rs);
	else if (q->nseg == 1 && !strcmp(first, "token") && get)
		tokens_list(q, rs);
	else if (q->nseg == 1 && !strcmp(first, "token") && post)
		token_create(q, rs);
	else if (q->nseg == 2 && !strcmp(first, "token") && del)
		token_delete(q, q->seg[1], rs);
	else if (q->nseg == 2 && !strcmp(first, "tasks") && !strcmp(q->seg[1], "running") && get)
		running(q, rs);
	else
		v3_fail(rs, 404, "Not Found", "no such route");
}

void cci_runner_answer(sbx *s, void *conn, const char *url, const char *method, const char *body, size_t len,
		       sbx_resp *rs)
{
	cci_req q = {.s = s, .conn = conn, .method = method};
	q.root = cJSON_GetObjectItemCaseSensitive(s->state, "circleci");
	if (!cJSON_IsObject(q.root)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->state, "circleci");
		q.root = cJSON_AddObjectToObject(s->state, "circleci");
	}
	char *copy = strdup(url + strlen(ROOT));
	for (char *save = NULL, *p = strtok_r(copy, "/", &save); p && q.nseg < 8; p = strtok_r(NULL, "/", &save)) {
		q.seg[q.nseg] = strdup(p);
		MHD_http_unescape(q.seg[q.nseg]);
		q.nseg++;
	}
	free(copy);
	q.body = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	if (len && !q.body)
		v3_fail(rs, 400, "Bad Request", "the body is not JSON");
	else
		route(&q, rs);
	if (strcmp(method, "GET") != 0 && rs->status < 300) {
		char *err = NULL;
		if (sbx_save(s, &err) != 0) {
			v3_fail(rs, 500, "Internal Server Error", "state not saved: %s", err ? err : "?");
			free(err);
		}
	}
	cJSON_Delete(q.body);
	for (int i = 0; i < q.nseg; i++)
		free(q.seg[i]);
}

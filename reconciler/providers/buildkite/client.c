/*
 * client: the REST v2 calls every Buildkite kind shares. Lists ask for
 * per_page=100, the documented maximum, and follow the Link header's
 * rel="next" until there is none (docs pages/apis/rest_api.md "Pagination";
 * gob buildkite.go populatePageValues); the engine hands the next page over
 * as a path without api_key, and it is never printed whole. Creates have
 * no idempotency key, so a create that failed in a way a retry might not is
 * looked up by its natural key before it is sent again. The token's scopes
 * come from GET /v2/access-token, which needs none (docs access_token.md).
 */
#include "reconciler/providers/buildkite/bk.h"
#include "reconciler/providers/buildkite/export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_PAGE 100
#define MAX_PAGES 1000
#define CREATE_ATTEMPTS 5

const char *cf_bk_str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return v ? v : "";
}

bool cf_bk_set(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v && !cJSON_IsNull(v);
}

char *cf_bk_path(const cf_bk_conn *c, const char *fmt, ...)
{
	char *org = cf_http_escape(c->cfg.org);
	va_list ap;
	va_start(ap, fmt);
	char rest[1024];
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	char *out = cf_xasprintf("/organizations/%s%s", org, rest);
	free(org);
	return out;
}

static char *first_page(const char *path)
{
	return cf_xasprintf("%s%sper_page=%d", path, strchr(path, '?') ? "&" : "?", PER_PAGE);
}

void cf_bk_prefetch(cf_bk_conn *c, char *const *paths, size_t n)
{
	if (!c->prefetched)
		c->prefetched = cJSON_CreateObject();
	cf_http_call *calls = cf_xcalloc(n + 1, sizeof(*calls));
	for (size_t i = 0; i < n; i++) {
		char *p = first_page(paths[i]);
		cf_http_call_init(&calls[i], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", p);
		free(p);
	}
	cf_error ignored = {0}; /* each failure is met again, and reported, by its own list */
	cf_http_run(c->base.impl, calls, n, &ignored);
	cf_error_clear(&ignored);
	for (size_t i = 0; i < n; i++) {
		bool listed = calls[i].rc == CF_OK && cJSON_IsArray(calls[i].json) && !calls[i].link_elsewhere;
		bool missing = calls[i].rc == CF_ENOTFOUND; /* 404: said again as it was, not asked again */
		if ((listed || missing) && !cJSON_HasObjectItem(c->prefetched, calls[i].path)) {
			cJSON *kept = cJSON_AddObjectToObject(c->prefetched, calls[i].path);
			if (missing) {
				cJSON_AddStringToObject(kept, "error", calls[i].error ? calls[i].error : "HTTP 404");
			} else {
				cJSON_AddItemToObject(kept, "json", calls[i].json);
				calls[i].json = NULL;
			}
			cJSON_AddItemToObject(kept, "next", calls[i].link_next && listed
								    ? cJSON_CreateString(calls[i].link_next) : cJSON_CreateNull());
		}
		cf_http_call_clear(&calls[i]);
	}
	free(calls);
}

void cf_bk_prefetch_clear(cf_bk_conn *c)
{
	cJSON_Delete(c->prefetched);
	c->prefetched = NULL;
}

/* One page: its items appended to out, *next the Link rel="next" path. */
static int list_page(cJSON *out, char **next, cf_bk_conn *c, const char *path, cf_error *err)
{
	cJSON *kept = c->prefetched ? cJSON_DetachItemFromObjectCaseSensitive(c->prefetched, path) : NULL;
	const char *missing = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kept, "error"));
	if (missing) {
		int rc = cf_error_set(err, CF_ENOTFOUND, "%s", missing);
		cJSON_Delete(kept);
		*next = NULL;
		return rc;
	}
	if (kept) { /* read ahead: the same page, already checked */
		cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(kept, "json");
		while (items->child)
			cJSON_AddItemToArray(out, cJSON_DetachItemViaPointer(items, items->child));
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kept, "next"));
		*next = n ? cf_xstrdup(n) : NULL;
		cJSON_Delete(items);
		cJSON_Delete(kept);
		return CF_OK;
	}
	cf_http_call call;
	cf_http_call_init(&call, "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", path);
	int rc = cf_http_run(c->base.impl, &call, 1, err);
	if (rc == CF_OK && !cJSON_IsArray(call.json))
		rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (not a list)", call.path);
	else if (rc == CF_OK && call.link_elsewhere) /* the token goes only where the user pointed it */
		rc = cf_error_set(err, CF_EAPI, "GET %s: the next page is not under the API URL; not followed", call.path);
	while (rc == CF_OK && call.json->child)
		cJSON_AddItemToArray(out, cJSON_DetachItemViaPointer(call.json, call.json->child));
	*next = rc == CF_OK ? call.link_next : NULL;
	call.link_next = rc == CF_OK ? NULL : call.link_next;
	cf_http_call_clear(&call);
	return rc;
}

int cf_bk_list(cJSON **out, cf_bk_conn *c, const char *path, cf_error *err)
{
	*out = cJSON_CreateArray();
	char *p = first_page(path);
	for (int page = 1; p && page <= MAX_PAGES; page++) {
		char *next = NULL;
		int rc = list_page(*out, &next, c, p, err);
		free(p);
		p = next;
		if (rc != CF_OK) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
	}
	if (!p)
		return CF_OK;
	free(p);
	cJSON_Delete(*out);
	*out = NULL;
	return cf_error_set(err, CF_EAPI, "GET %s: more than %d pages", path, MAX_PAGES);
}

int cf_bk_create(cJSON **out, cf_bk_conn *c, const char *path, const char *body,
		 int (*lookup)(cJSON **found, cf_bk_conn *c, const void *key, cf_error *err), const void *key,
		 cf_error *err)
{
	*out = NULL;
	for (int attempt = 1;; attempt++) {
		cf_http_call call;
		cf_http_call_init(&call, "POST", 0, body, "%s", path);
		int rc = cf_http_run(c->base.impl, &call, 1, err);
		bool retryable = call.retryable;
		if (rc == CF_OK) {
			*out = call.json;
			call.json = NULL;
		}
		cf_http_call_clear(&call);
		if (rc == CF_OK || !retryable || attempt >= CREATE_ATTEMPTS)
			return rc;
		cf_error miss = {0};
		cJSON *found = NULL;
		int lr = lookup(&found, c, key, &miss);
		cf_error_clear(&miss);
		if (lr != CF_OK)
			return rc; /* cannot tell whether it landed: do not risk a second one */
		if (found) { /* it landed; only the answer was lost */
			cf_error_clear(err);
			*out = found;
			return CF_OK;
		}
		cf_error_clear(err);
		nanosleep(&(struct timespec){0, 100000000L * attempt}, NULL);
	}
}

static int read_scopes(cf_bk_conn *c, cf_error *err)
{
	if (c->scopes)
		return CF_OK;
	cJSON *tok = NULL;
	int rc = cf_http_request(&tok, c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, "/access-token", err);
	if (rc != CF_OK)
		return rc;
	cJSON *s = cJSON_DetachItemFromObjectCaseSensitive(tok, "scopes");
	cJSON_Delete(tok);
	if (!cJSON_IsArray(s)) {
		cJSON_Delete(s);
		return cf_error_set(err, CF_EAPI, "GET /v2/access-token: the answer has no scopes list");
	}
	c->scopes = s;
	return CF_OK;
}

static bool has_scope(const cJSON *scopes, const char *want)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, scopes)
		if (cJSON_IsString(s) && !strcmp(s->valuestring, want))
			return true;
	return false;
}

int cf_bk_require_scopes(cf_bk_conn *c, const char *const *scopes, const char *why, cf_error *err)
{
	int rc = read_scopes(c, err);
	if (rc != CF_OK)
		return rc;
	char missing[512] = "";
	for (size_t i = 0; scopes[i]; i++)
		if (!has_scope(c->scopes, scopes[i]) && strlen(missing) + strlen(scopes[i]) + 3 < sizeof(missing))
			strcat(strcat(missing, *missing ? ", " : ""), scopes[i]);
	if (*missing)
		return cf_error_set(err, CF_EAUTH, "the Buildkite API token lacks the scope(s) %s, needed for %s; "
				    "add them to the token (Personal Settings > API Access Tokens)", missing, why);
	return CF_OK;
}

int cf_bk_clusters(const cJSON **out, cf_bk_conn *c, cf_error *err)
{
	*out = NULL;
	if (!c->clusters) {
		char *path = cf_bk_path(c, "/clusters");
		int rc = cf_bk_list(&c->clusters, c, path, err);
		free(path);
		if (rc != CF_OK)
			return rc;
	}
	*out = c->clusters;
	return CF_OK;
}

const char *cf_bk_cluster_id(const cJSON *clusters, const char *ref)
{
	const cJSON *cl;
	cJSON_ArrayForEach(cl, clusters)
		if (!strcmp(cf_bk_str(cl, "name"), ref) || !strcmp(cf_bk_str(cl, "id"), ref))
			return cf_bk_str(cl, "id");
	return NULL;
}

const char *cf_bk_cluster_name(const cJSON *clusters, const char *id)
{
	const cJSON *cl;
	cJSON_ArrayForEach(cl, clusters)
		if (!strcmp(cf_bk_str(cl, "id"), id))
			return cf_bk_str(cl, "name");
	return NULL;
}

void cf_bk_clusters_forget(cf_bk_conn *c)
{
	cJSON_Delete(c->clusters);
	c->clusters = NULL;
}

int cf_bk_clusters_named(const cJSON *clusters, const char *name)
{
	int n = 0;
	const cJSON *cl;
	cJSON_ArrayForEach(cl, clusters)
		n += !strcmp(cf_bk_str(cl, "name"), name);
	return n;
}

int cf_bk_export_each_cluster(cf_export *out, const void *vctx,
			      int (*one)(cf_export *out, cf_bk_conn *c, const cJSON *clusters, const cJSON *cl,
					 cf_error *err),
			      cf_error *err)
{
	const cf_bk_export_ctx *ctx = vctx;
	const cJSON *clusters = NULL, *cl;
	int rc = cf_bk_clusters(&clusters, ctx->c, err);
	cJSON_ArrayForEach(cl, (rc == CF_OK && ctx->scope->all ? clusters : NULL))
		if (rc == CF_OK && cf_bk_clusters_named(clusters, cf_bk_str(cl, "name")) == 1)
			rc = one(out, ctx->c, clusters, cl, err);
	for (size_t i = 0; rc == CF_OK && ctx->scope->extra && ctx->scope->extra[i]; i++) {
		const char *ref = ctx->scope->extra[i];
		if (strncmp(ref, "cluster=", 8) != 0)
			continue;
		cJSON_ArrayForEach(cl, clusters)
			if (rc == CF_OK && (!strcmp(cf_bk_str(cl, "id"), ref + 8) ||
					    (!strcmp(cf_bk_str(cl, "name"), ref + 8) &&
					     cf_bk_clusters_named(clusters, ref + 8) == 1)))
				rc = one(out, ctx->c, clusters, cl, err);
	}
	return rc;
}

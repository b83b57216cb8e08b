/*
 * client: the requests every CircleCI kind shares (client.h). Evidence for
 * each rule is named where it is used; docs/circleci.md lists them all.
 */
#include "reconciler/providers/circleci/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PAGES 1000

char *cf_cci_slug_normalize(const char *slug)
{
	/* the v2 API's slugs write the VCS short: gh/ and bb/ (PUB
	 * internal/circleci/project/project.go takes slugs as the API shows them) */
	static const char *const longs[][2] = {{"github/", "gh/"}, {"bitbucket/", "bb/"}};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(longs[i][0]);
		if (!strncasecmp(slug, longs[i][0], n))
			return cf_xasprintf("%s%s", longs[i][1], slug + n);
	}
	return cf_xstrdup(slug);
}

bool cf_cci_slug_shaped(const char *s, int want)
{
	int n = *s ? 1 : 0;
	for (const char *p = s; *p; p++)
		n += *p == '/';
	return n == want && s[0] != '/' && s[strlen(s) - 1] != '/' && !strstr(s, "//");
}

char *cf_cci_slug_path(const char *slug)
{
	/* segment by segment, never %2F (CircleCI-Labs/terraform-provider-circleci
	 * ic/checkout_key.go checkoutKeyProjectPath: the router does not decode it) */
	char *copy = cf_cci_slug_normalize(slug), *out = cf_xstrdup("");
	for (char *save = NULL, *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		char *e = cf_http_escape(seg);
		char *next = cf_xasprintf("%s%s%s", out, *out ? "/" : "", e);
		free(out);
		free(e);
		out = next;
	}
	free(copy);
	return out;
}

void cf_cci_prefetch(cf_conn *c, char *const *paths, size_t n)
{
	cf_cci_conn *k = cf_cci_of(c);
	if (!k->prefetched)
		k->prefetched = cJSON_CreateObject();
	cf_http_call *calls = cf_xcalloc(n + 1, sizeof(*calls));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool again = cJSON_HasObjectItem(k->prefetched, paths[i]);
		for (size_t j = 0; j < m && !again; j++)
			again = !strcmp(calls[j].path, paths[i]);
		if (!again)
			cf_http_call_init(&calls[m++], "GET", CF_HTTP_IDEMPOTENT, NULL, "%s", paths[i]);
	}
	cf_error ignored = {0}; /* each failure is met again, and reported, by its own reader */
	cf_http_run(cf_cci_http(c), calls, m, &ignored);
	cf_error_clear(&ignored);
	for (size_t i = 0; i < m; i++) {
		if (calls[i].rc == CF_OK && calls[i].json) {
			cJSON_AddItemToObject(k->prefetched, calls[i].path, calls[i].json);
			calls[i].json = NULL;
		}
		cf_http_call_clear(&calls[i]);
	}
	free(calls);
}

cJSON *cf_cci_prefetched(cf_conn *c, const char *path)
{
	cf_cci_conn *k = cf_cci_of(c);
	return k->prefetched ? cJSON_DetachItemFromObjectCaseSensitive(k->prefetched, path) : NULL;
}

/* GET path: the answer read ahead, else a request. */
static int get(cJSON **out, cf_conn *c, const char *path, cf_error *err)
{
	*out = cf_cci_prefetched(c, path);
	return *out ? CF_OK : cf_http_request(out, cf_cci_http(c), "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
}

int cf_cci_list(cJSON **out, cf_conn *c, const char *path, cf_error *err)
{
	/* {items, next_page_token}, the next page at ?page-token= (PUB
	 * internal/circleci/common/models.go PaginatedResponse, context.go List) */
	*out = cJSON_CreateArray();
	char *token = NULL;
	int rc = CF_OK;
	for (int page = 0; rc == CF_OK; page++) {
		if (page >= MAX_PAGES) {
			rc = cf_error_set(err, CF_EAPI, "GET %s: more than %d pages; giving up", path, MAX_PAGES);
			break;
		}
		char *e = token ? cf_http_escape(token) : NULL;
		char *p = e ? cf_xasprintf("%s%spage-token=%s", path, strchr(path, '?') ? "&" : "?", e) : cf_xstrdup(path);
		cJSON *answer = NULL;
		rc = get(&answer, c, p, err);
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(answer, "items");
		if (rc == CF_OK && !cJSON_IsArray(items))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has an unexpected shape (no items list)", p);
		while (rc == CF_OK && items->child)
			cJSON_AddItemToArray(*out, cJSON_DetachItemViaPointer((cJSON *)items, items->child));
		const char *next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "next_page_token"));
		/* a token that comes back again would loop for ever (LABS ic/v3.go DrainV2) */
		if (rc == CF_OK && next && *next && token && !strcmp(next, token))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the server repeated its page token", path);
		free(token);
		token = rc == CF_OK && next && *next ? cf_xstrdup(next) : NULL;
		cJSON_Delete(answer);
		free(p);
		free(e);
		if (!token)
			break;
	}
	free(token);
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int cf_cci_org_id(const char **id, cf_conn *c, const char *org, cf_error *err)
{
	cf_cci_conn *k = cf_cci_of(c);
	char *want = cf_cci_slug_normalize(org);
	*id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k->orgs, want));
	if (*id) {
		free(want);
		return CF_OK;
	}
	/* a bare array of {id, name, slug, vcs_type} (CircleCI-Public/circleci-cli
	 * internal/apiclient/me.go; PUB organization/org.go Organization) */
	cJSON *list = NULL;
	int rc = cf_http_request(&list, cf_cci_http(c), "GET", CF_HTTP_IDEMPOTENT, NULL, "/me/collaborations", err);
	const cJSON *o;
	cJSON_ArrayForEach(o, (rc == CF_OK ? list : (cJSON *)NULL)) {
		const char *oid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
		const char *slug = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "slug"));
		char *norm = slug ? cf_cci_slug_normalize(slug) : NULL;
		if (oid && ((norm && !strcasecmp(norm, want)) || !strcasecmp(oid, want))) {
			cJSON_DeleteItemFromObjectCaseSensitive(k->orgs, want);
			cJSON_AddStringToObject(k->orgs, want, oid);
		}
		free(norm);
	}
	*id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k->orgs, want));
	if (rc == CF_OK && !*id)
		rc = cf_error_set(err, CF_ENOTFOUND, "organization '%s' is not one the token's user belongs to "
				  "(GET /me/collaborations)", org);
	cJSON_Delete(list);
	free(want);
	return rc;
}

int cf_cci_project(const cJSON **project, cf_conn *c, const char *slug, cf_error *err)
{
	cf_cci_conn *k = cf_cci_of(c);
	char *norm = cf_cci_slug_normalize(slug);
	*project = cJSON_GetObjectItemCaseSensitive(k->projects, norm);
	int rc = CF_OK;
	if (!*project) {
		/* {id, slug, name, organization_id, ...} (PUB project/project.go Get) */
		char *p = cf_cci_slug_path(norm), *path = cf_xasprintf("/project/%s", p);
		cJSON *answer = NULL;
		rc = get(&answer, c, path, err);
		if (rc == CF_OK && !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "id")))
			rc = cf_error_set(err, CF_EAPI, "GET %s: the answer has no project id", path);
		if (rc == CF_OK)
			cJSON_AddItemToObject(k->projects, norm, answer);
		else
			cJSON_Delete(answer);
		*project = cJSON_GetObjectItemCaseSensitive(k->projects, norm);
		free(p);
		free(path);
	}
	free(norm);
	return rc;
}

int cf_cci_post(cJSON **out, cf_conn *c, const char *method, const char *path, const cJSON *body, bool *lost,
		cf_error *err)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	/* No idempotency key exists, so only a 429, which did nothing, is sent
	 * again (config.c retry_429_writes: 5 attempts, Retry-After honoured):
	 * PUB retries every method (client.go retryablehttp, RetryMax = 10),
	 * which can repeat a POST. */
	cf_http_call call;
	cf_http_call_init(&call, method, 0, text, "%s", path);
	int rc = cf_http_run(cf_cci_http(c), &call, 1, err);
	if (rc == CF_OK && out) {
		*out = call.json;
		call.json = NULL;
	}
	*lost = rc != CF_OK && (call.status == 0 || call.status >= 500);
	cf_http_call_clear(&call);
	free(text);
	return rc;
}

int cf_cci_put(cJSON **out, cf_conn *c, const char *path, const cJSON *body, cf_error *err)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	cJSON *answer = NULL;
	int rc = cf_http_request(&answer, cf_cci_http(c), "PUT", CF_HTTP_IDEMPOTENT, text, path, err);
	if (out)
		*out = answer;
	else
		cJSON_Delete(answer);
	free(text);
	return rc;
}

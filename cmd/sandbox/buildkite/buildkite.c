/*
 * buildkite: `ciform-sandbox --api buildkite`, a stand-in for Buildkite's
 * REST API v2 (https://api.buildkite.com/v2): the access token, clusters
 * (clusters.c), their queues (queues.c), agent tokens (tokens.c) and
 * secrets (secrets.c), pipelines (pipelines.c) with their schedules
 * (schedules.c), and the organisation's pipeline settings (settings.c).
 * Every rule names its evidence (docs = buildkite/docs
 * pages/apis/rest_api/, tf = terraform-provider-buildkite buildkite/,
 * gob = go-buildkite).
 *
 * State (seed and state file), under the top-level key "buildkite":
 *   "organization": slug              default "acme"; any other is 404
 *   "scopes": [string]                the token's scopes (GET /v2/access-token);
 *                                     default: every read_ and write_ scope ciform uses
 *   "clusters": [{"id": UUID, "name", "description", "emoji", "color",
 *                 "default_queue_id"}]
 *   "queues": [{"id": UUID, "cluster_id": UUID, "key", "description",
 *               "retry_agent_affinity", "dispatch_paused", "hosted", ...}]  (queues.c)
 *   "agent_tokens": [{"id": UUID, "cluster_id": UUID, "description", "allowed_ip_addresses",
 *                     "expires_at", "created_at"}]  (tokens.c; deleted with their cluster)
 *   "secrets": [{"id": UUID, "cluster_id": UUID, "key", "value", "description", "policy",
 *                "updated_at"}]  (secrets.c; the value is never answered)
 *   "schedules": [{"id": UUID, "pipeline_slug", "label", "cronline", "branch", "env": {},
 *                  "enabled"}]  (schedules.c)
 *   "pipeline_settings": {"default_branch", "default_cluster_id", ...}  (settings.c)
 *   "admin": false                    the token's user is no organisation administrator:
 *                                     the pipeline settings answer 403 (settings.c)
 *   "pipelines": [{"slug", "name", "repository", "cluster_id", "configuration",
 *                  ... the REST fields ..., "archived_at": null | time,
 *                  "running_builds_count": N}]  (pipelines.c: N deletes are refused first)
 *                                     missing fields take the API's defaults
 *   "teams", "team_pipelines": the teams and their pipelines (teams.c)
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const default_scopes[] = {
	"read_pipelines", "write_pipelines", "read_clusters", "write_clusters", "read_secret_details",
	"write_secrets", "read_teams", "write_teams", "read_organization_settings", "write_organization_settings",
	NULL,
};

cJSON *bkx_state(sbx *s)
{
	cJSON *bk = cJSON_GetObjectItemCaseSensitive(s->state, "buildkite");
	if (!cJSON_IsObject(bk)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->state, "buildkite");
		bk = cJSON_AddObjectToObject(s->state, "buildkite");
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(bk, "organization")))
		cJSON_AddStringToObject(bk, "organization", "acme");
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(bk, "scopes")))
		cJSON_AddItemToObject(bk, "scopes", cJSON_CreateStringArray(default_scopes, 10));
	static const char *const lists[] = {"clusters", "pipelines", "queues", "agent_tokens", "secrets", "schedules"};
	for (size_t i = 0; i < 6; i++)
		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(bk, lists[i])))
			cJSON_AddArrayToObject(bk, lists[i]);
	return bk;
}

void bkx_answer(bkx_call *c, int status, cJSON *body)
{
	c->rs->status = status;
	c->rs->body = body;
	c->rs->content_type = "application/json; charset=utf-8";
}

/* gob buildkite.go ErrorResponse: {"message": ...} */
void bkx_fail(bkx_call *c, int status, const char *msg)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "message", msg);
	bkx_answer(c, status, b);
}

void bkx_header(bkx_call *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	char *old = c->rs->headers;
	size_t n = old ? strlen(old) : 0;
	c->rs->headers = realloc(old, n + strlen(line) + 2);
	sprintf(c->rs->headers + n, "%s\n", line);
}

/* docs rate_limits.md: every answer carries the organization's and the
 * user's quota for the current window (RateLimit-Remaining/-Limit/-Reset,
 * the reset in seconds, and their RateLimit-User-* twins); past it, 429 with
 * {message, scope, limit, current, reset}. Buildkite's 200 and 50 a minute
 * would make every test wait, so the sandbox's default quota is 100,000 a
 * minute; the seed's "rate_limit": {"organization": N, "user": N,
 * "window_seconds": N} sets the real figures. False when over the quota. */
static bool rate_headers(bkx_call *c)
{
	static long long window_start = -1;
	static unsigned long used;
	const cJSON *rl = cJSON_GetObjectItemCaseSensitive(c->bk, "rate_limit");
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rl, "organization"),
		    *u = cJSON_GetObjectItemCaseSensitive(rl, "user"),
		    *w = cJSON_GetObjectItemCaseSensitive(rl, "window_seconds");
	long org = cJSON_IsNumber(o) ? (long)o->valuedouble : 100000, user = cJSON_IsNumber(u) ? (long)u->valuedouble : 100000;
	long window = cJSON_IsNumber(w) && w->valuedouble >= 1 ? (long)w->valuedouble : 60;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long now = ts.tv_sec;
	if (window_start < 0 || now >= window_start + window) {
		window_start = now;
		used = 0;
	}
	used++;
	long reset = (long)(window_start + window - now);
	bkx_header(c, "RateLimit-Scope: rest");
	bkx_header(c, "RateLimit-Limit: %ld", org);
	bkx_header(c, "RateLimit-Remaining: %ld", (long)used >= org ? 0 : org - (long)used);
	bkx_header(c, "RateLimit-Reset: %ld", reset);
	bkx_header(c, "RateLimit-User-Scope: rest_user");
	bkx_header(c, "RateLimit-User-Limit: %ld", user);
	bkx_header(c, "RateLimit-User-Remaining: %ld", (long)used >= user ? 0 : user - (long)used);
	bkx_header(c, "RateLimit-User-Reset: %ld", reset);
	bool over_user = (long)used > user, over = over_user || (long)used > org;
	if (over) {
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "message", "You have exceeded your API rate limit.");
		cJSON_AddStringToObject(b, "scope", over_user ? "rest_user" : "rest");
		cJSON_AddNumberToObject(b, "limit", (double)(over_user ? user : org));
		cJSON_AddNumberToObject(b, "current", (double)used);
		cJSON_AddNumberToObject(b, "reset", (double)reset);
		bkx_answer(c, 429, b);
	}
	return !over;
}

/* docs rest_api.md "Pagination": page (from 1) and per_page (default 30,
 * at most 100); a Link header with rel next/prev/first/last. Takes the
 * items out of all and answers with one page. */
void bkx_page(bkx_call *c, const cJSON *all, const char *path)
{
	const char *pp = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "per_page");
	const char *pg = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "page");
	int per = pp ? atoi(pp) : 30, page = pg ? atoi(pg) : 1;
	per = per < 1 ? 30 : per > 100 ? 100 : per;
	page = page < 1 ? 1 : page;
	int n = cJSON_GetArraySize(all), last = n ? (n + per - 1) / per : 1;
	cJSON *out = cJSON_CreateArray();
	for (int i = (page - 1) * per; i < n && i < page * per; i++)
		cJSON_AddItemToArray(out, cJSON_Duplicate(cJSON_GetArrayItem(all, i), 1));
	/* the docs' Link example: absolute URLs that carry an api_key= (which
	 * is why a client must never print them) */
	const char *host = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Host");
	char url[600], link[1400] = "";
	snprintf(url, sizeof(url), "http://%s%s?api_key=f8582f070276d764ce3dd4c6d57be92574dccf86", host ? host : "", path);
	if (page < last)
		snprintf(link, sizeof(link), "<%s&page=%d&per_page=%d>; rel=\"next\", <%s&page=%d&per_page=%d>; "
			 "rel=\"last\"", url, page + 1, per, url, last, per);
	if (*link)
		bkx_header(c, "Link: %s", link);
	bkx_answer(c, 200, out);
}

/* docs access_token.md: no scope needed. */
static void access_token(bkx_call *c)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "uuid", "b63254c0-3271-4a98-8270-7cfbd6c2f14e");
	cJSON_AddItemToObject(b, "scopes", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c->bk, "scopes"), 1));
	cJSON_AddStringToObject(b, "description", "ciform-sandbox");
	bkx_answer(c, 200, b);
}

bool bkx_scope(bkx_call *c, const char *scope)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c->bk, "scopes"))
		if (cJSON_IsString(s) && !strcmp(s->valuestring, scope))
			return true;
	/* docs: a token without the endpoint's "Required scope" is refused, 403 */
	bkx_fail(c, 403, "Your access token does not have the required scope for this endpoint");
	return false;
}

static void answer(sbx *s, void *conn, const char *url, const char *method, const char *body, size_t len,
		   sbx_resp *rs)
{
	char bearer[512];
	snprintf(bearer, sizeof(bearer), "Bearer %s", s->token);
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	bkx_call c = {.s = s, .conn = conn, .url = url, .method = method, .rs = rs, .bk = bkx_state(s)};
	if (!rate_headers(&c))
		return;
	/* docs rest_api.md "Authentication": Bearer only; anything else is 401 */
	if (!auth || strcmp(auth, bearer) != 0)
		return bkx_fail(&c, 401, "Authentication required. Please supply a valid API Access Token.");
	if (!strncmp(url, "/v2/access-token", 16) && !url[16] && !strcmp(method, "GET"))
		return access_token(&c);
	char org[128];
	int off = 0;
	if (sscanf(url, "/v2/organizations/%127[^/]%n", org, &off) != 1)
		return bkx_fail(&c, 404, "Not Found");
	if (strcmp(org, sbx_str(c.bk, "organization")) != 0)
		return bkx_fail(&c, 404, "No organization found");
	const char *rest = url + off;
	if (len && body && !(c.body = cJSON_ParseWithLength(body, len)))
		return bkx_fail(&c, 400, "Problems parsing JSON");
	if (!strncmp(rest, "/clusters", 9))
		bkx_clusters(&c, rest + 9);
	else if (!strncmp(rest, "/pipelines", 10))
		bkx_pipelines(&c, rest + 10);
	else if (!strncmp(rest, "/pipeline-settings", 18))
		bkx_settings(&c, rest + 18);
	else if (!strncmp(rest, "/teams", 6) && (!rest[6] || rest[6] == '/'))
		bkx_teams(&c, rest + 6); /* teams.c */
	else
		bkx_fail(&c, 404, "Not Found");
	cJSON_Delete(c.body);
	char *err = NULL;
	if (strcmp(method, "GET") && rs->status < 300 && sbx_save(s, &err) != 0)
		sbx_error(rs, 500, "state could not be saved");
	free(err);
}

const sbx_vendor sbx_buildkite_vendor = {
	.name = "buildkite",
	.answer = answer,
};

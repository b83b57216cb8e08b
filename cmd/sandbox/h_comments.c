/*
 * h_comments: the two code hosts' comment APIs that `ciform comment` uses,
 * on the sandbox's port, so a pull request comment can be tried and tested
 * offline: GitHub's issue comments (a pull request's conversation) and
 * GitLab's merge request notes. They live outside /api/v1alpha and check
 * their own token header, each the way its host does, against --token.
 *
 * Each rule names its source:
 * - GitHub, docs.github.com/en/rest/issues/comments: "List issue comments"
 *   GET /repos/{owner}/{repo}/issues/{issue_number}/comments, ordered by
 *   ascending ID, per_page default 30, max 100, page default 1; "Create an
 *   issue comment" POST, body {"body"} required, 201 Created; "Update an
 *   issue comment" PATCH /repos/{owner}/{repo}/issues/comments/{comment_id},
 *   200 OK. A comment carries id, html_url, body, user.login, created_at,
 *   updated_at.
 * - GitHub, docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api:
 *   a paged answer has a link header with rel="next" (and "last") while pages
 *   follow, none on the last page or when everything fits on one.
 * - GitHub, docs.github.com/en/rest/authentication/authenticating-to-the-rest-api:
 *   "Authorization: Bearer T" (or the older "token T"); a wrong token is 401
 *   {"message": "Bad credentials"}. A missing body is 422 "Validation Failed";
 *   an unknown comment 404 {"message": "Not Found"}.
 * - GitLab, docs.gitlab.com/ee/api/notes.html (Merge requests): GET
 *   /projects/:id/merge_requests/:merge_request_iid/notes (sort default desc,
 *   order_by created_at), POST with body (201), PUT .../notes/:note_id with
 *   body (200); :id is the project's id or its URL-encoded path. A note has
 *   id, body, author.username, system, noteable_iid, created_at, updated_at.
 * - GitLab, docs.gitlab.com/ee/api/rest/index.html (Pagination, offset-based):
 *   page default 1, per_page default 20, max 100; headers x-page, x-per-page,
 *   x-total, x-total-pages and x-next-page (empty on the last page), and Link.
 * - GitLab, docs.gitlab.com/ee/api/rest/authentication.html: "PRIVATE-TOKEN: T"
 *   (or "Authorization: Bearer T"); otherwise 401 {"message": "401 Unauthorized"};
 *   a missing body 400 {"error": "body is missing"}; unknown 404 {"message": "404 Not found"}.
 *
 * State: a top-level "comments" list of {"host": "github"|"gitlab", "repo":
 * "owner/repo" or the project as its URL named it, "number", "id", "body",
 * "user", "created_at", "updated_at"}; a seed may hold some (ids are given to
 * those without). GitLab answers are also served under /api/v4, where
 * CI_API_V4_URL points on a real instance.
 */
#include "cmd/sandbox/sandbox.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { GITHUB, GITLAB } vendor;

typedef struct loc {
	vendor host;
	char repo[512];
	long number;  /* 0 for GitHub's comment URL, which names no issue */
	long id;      /* 0: the collection */
} loc;

typedef struct call {
	sbx *s;
	void *conn;
	const loc *at;
	cJSON *body; /* the request's JSON, or NULL */
	sbx_resp *rs;
} call;

static long digits(const char *s)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 15)
		return -1;
	return strtol(s, NULL, 10);
}

/* MHD has already decoded the path, so a GitLab project named by its path
 * (group%2Fapp) arrives as several segments: the project is everything
 * between /projects/ and the last /merge_requests/. */
static bool locate(loc *l, const char *url)
{
	char copy[1024], *seg[64];
	int n = 0;
	if (strlen(url) >= sizeof(copy))
		return false;
	strcpy(copy, url);
	for (char *save = NULL, *p = strtok_r(copy, "/", &save); p && n < 64; p = strtok_r(NULL, "/", &save))
		seg[n++] = p;
	*l = (loc){0};
	int at = n >= 2 && !strcmp(seg[0], "api") && !strcmp(seg[1], "v4") ? 2 : 0;
	if (!at && n == 6 && !strcmp(seg[0], "repos") && !strcmp(seg[3], "issues")) {
		l->host = GITHUB;
		snprintf(l->repo, sizeof(l->repo), "%s/%s", seg[1], seg[2]);
		if (!strcmp(seg[4], "comments"))
			return (l->id = digits(seg[5])) > 0;
		return !strcmp(seg[5], "comments") && (l->number = digits(seg[4])) > 0;
	}
	if (n - at < 5 || strcmp(seg[at], "projects"))
		return false;
	int mr = -1;
	for (int i = at + 2; i < n; i++)
		if (!strcmp(seg[i], "merge_requests"))
			mr = i;
	int rest = n - mr;
	if (mr < 0 || (rest != 3 && rest != 4) || strcmp(seg[mr + 2], "notes"))
		return false;
	l->host = GITLAB;
	for (int i = at + 1; i < mr; i++)
		snprintf(l->repo + strlen(l->repo), sizeof(l->repo) - strlen(l->repo), "%s%s", i > at + 1 ? "/" : "", seg[i]);
	if ((l->number = digits(seg[mr + 1])) <= 0)
		return false;
	return rest == 3 || (l->id = digits(seg[mr + 3])) > 0;
}

static void answer(call *c, int status, cJSON *body)
{
	c->rs->status = status;
	c->rs->body = body;
	c->rs->content_type = "application/json; charset=utf-8";
}

static void fail(call *c, int status, const char *key, const char *msg)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, key, msg);
	if (c->at->host == GITHUB)
		cJSON_AddStringToObject(b, "documentation_url", "https://docs.github.com/rest");
	answer(c, status, b);
}

static void header(call *c, const char *fmt, ...)
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

/* The list, created on first use; seeded comments without an id get one. */
static cJSON *comments(sbx *s, double *next_id)
{
	cJSON *list = sbx_list(s, "comments"), *it;
	if (!cJSON_IsArray(list)) {
		cJSON_DeleteItemFromObjectCaseSensitive(s->state, "comments");
		list = cJSON_AddArrayToObject(s->state, "comments");
	}
	double max = 0;
	cJSON_ArrayForEach(it, list)
		max = sbx_num(it, "id") > max ? sbx_num(it, "id") : max;
	cJSON_ArrayForEach(it, list)
		if (sbx_num(it, "id") <= 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(it, "id");
			cJSON_AddNumberToObject(it, "id", ++max);
		}
	if (next_id)
		*next_id = max + 1;
	return list;
}

static bool mine(const cJSON *it, const loc *l, bool by_number)
{
	return !strcmp(sbx_str(it, "host"), l->host == GITHUB ? "github" : "gitlab") && !strcmp(sbx_str(it, "repo"), l->repo) &&
	       (!by_number || sbx_num(it, "number") == (double)l->number);
}

/* A stored comment as its host shows it. */
static cJSON *shown(const call *c, const cJSON *it)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", sbx_num(it, "id"));
	cJSON_AddStringToObject(o, "body", sbx_str(it, "body"));
	const char *user = *sbx_str(it, "user") ? sbx_str(it, "user") : "ciform-bot";
	if (c->at->host == GITHUB) {
		char url[700];
		snprintf(url, sizeof(url), "https://github.com/%s/pull/%.0f#issuecomment-%.0f", sbx_str(it, "repo"),
			 sbx_num(it, "number"), sbx_num(it, "id"));
		cJSON_AddStringToObject(o, "html_url", url);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "user"), "login", user);
	} else {
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "author"), "username", user);
		cJSON_AddBoolToObject(o, "system", false);
		cJSON_AddStringToObject(o, "noteable_type", "MergeRequest");
		cJSON_AddNumberToObject(o, "noteable_iid", sbx_num(it, "number"));
	}
	cJSON_AddStringToObject(o, "created_at", sbx_str(it, "created_at"));
	cJSON_AddStringToObject(o, "updated_at", sbx_str(it, "updated_at"));
	return o;
}

static long query_number(const call *c, const char *key, long dflt)
{
	const char *v = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, key);
	long n = v ? digits(v) : -1;
	return n > 0 ? n : dflt;
}

static void list(call *c)
{
	cJSON *all = comments(c->s, NULL), *it;
	bool desc = c->at->host == GITLAB; /* GitLab: sort desc by default; GitHub: ascending id */
	long per = query_number(c, "per_page", c->at->host == GITHUB ? 30 : 20), page = query_number(c, "page", 1);
	per = per > 100 ? 100 : per;
	size_t total = 0;
	cJSON_ArrayForEach(it, all)
		total += mine(it, c->at, true);
	cJSON **sorted = calloc(total + 1, sizeof(*sorted));
	size_t k = 0;
	cJSON_ArrayForEach(it, all)
		if (mine(it, c->at, true))
			sorted[k++] = it;
	for (size_t i = 1; i < total; i++) /* ids grow with creation: order by id */
		for (size_t j = i; j > 0 && (sbx_num(sorted[j - 1], "id") > sbx_num(sorted[j], "id")) != desc; j--) {
			cJSON *t = sorted[j - 1];
			sorted[j - 1] = sorted[j];
			sorted[j] = t;
		}
	cJSON *out = cJSON_CreateArray();
	size_t from = (size_t)((page - 1) * per);
	for (size_t i = from; i < total && i < from + (size_t)per; i++)
		cJSON_AddItemToArray(out, shown(c, sorted[i]));
	free(sorted);
	long pages = total ? (long)((total + (size_t)per - 1) / (size_t)per) : 1;
	const char *host = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Host");
	char base[700];
	if (c->at->host == GITHUB)
		snprintf(base, sizeof(base), "http://%s/repos/%s/issues/%ld/comments", host ? host : "127.0.0.1", c->at->repo,
			 c->at->number);
	else
		snprintf(base, sizeof(base), "http://%s/api/v4/projects/%s/merge_requests/%ld/notes", host ? host : "127.0.0.1",
			 c->at->repo, c->at->number);
	if (page < pages)
		header(c, "Link: <%s?per_page=%ld&page=%ld>; rel=\"next\", <%s?per_page=%ld&page=%ld>; rel=\"last\"", base, per,
		       page + 1, base, per, pages);
	if (c->at->host == GITLAB) {
		header(c, "x-page: %ld", page);
		header(c, "x-per-page: %ld", per);
		header(c, "x-total: %zu", total);
		header(c, "x-total-pages: %ld", pages);
		if (page < pages)
			header(c, "x-next-page: %ld", page + 1);
		else
			header(c, "x-next-page: ");
	}
	answer(c, 200, out);
}

static const char *new_body(call *c)
{
	const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "body"));
	if (b && *b)
		return b;
	if (c->at->host == GITHUB)
		fail(c, 422, "message", "Validation Failed");
	else
		fail(c, 400, "error", "body is missing");
	return NULL;
}

static void create(call *c)
{
	const char *b = new_body(c);
	if (!b)
		return;
	double id;
	cJSON *all = comments(c->s, &id);
	cJSON *it = cJSON_CreateObject();
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(it, "host", c->at->host == GITHUB ? "github" : "gitlab");
	cJSON_AddStringToObject(it, "repo", c->at->repo);
	cJSON_AddNumberToObject(it, "number", (double)c->at->number);
	cJSON_AddNumberToObject(it, "id", id);
	cJSON_AddStringToObject(it, "body", b);
	cJSON_AddStringToObject(it, "user", "ciform-bot");
	cJSON_AddStringToObject(it, "created_at", now);
	cJSON_AddStringToObject(it, "updated_at", now);
	free(now);
	cJSON_AddItemToArray(all, it);
	answer(c, 201, shown(c, it));
}

static void edit(call *c)
{
	cJSON *it, *found = NULL;
	cJSON_ArrayForEach(it, comments(c->s, NULL))
		if (sbx_num(it, "id") == (double)c->at->id && mine(it, c->at, c->at->host == GITLAB))
			found = it;
	if (!found) {
		fail(c, 404, "message", c->at->host == GITHUB ? "Not Found" : "404 Not found");
		return;
	}
	const char *b = new_body(c);
	if (!b)
		return;
	char *now = sbx_iso_time();
	/* a seeded comment may lack either key: replace, or add */
	cJSON_DeleteItemFromObjectCaseSensitive(found, "body");
	cJSON_DeleteItemFromObjectCaseSensitive(found, "updated_at");
	cJSON_AddStringToObject(found, "body", b);
	cJSON_AddStringToObject(found, "updated_at", now);
	free(now);
	answer(c, 200, shown(c, found));
}

typedef struct code_route {
	vendor host;
	const char *method;
	bool item;
	void (*run)(call *c);
	bool mutates;
} code_route;

static const code_route routes[] = {
	{GITHUB, "GET", false, list, false},
	{GITHUB, "POST", false, create, true},
	{GITHUB, "PATCH", true, edit, true},
	{GITLAB, "GET", false, list, false},
	{GITLAB, "POST", false, create, true},
	{GITLAB, "PUT", true, edit, true},
};

/* The token the way each host takes it. */
static bool authorized(const call *c)
{
	const char *auth = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Authorization");
	const char *priv = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "PRIVATE-TOKEN");
	char bearer[600], token[600];
	snprintf(bearer, sizeof(bearer), "Bearer %s", c->s->token);
	snprintf(token, sizeof(token), "token %s", c->s->token);
	if (auth && !strcmp(auth, bearer))
		return true;
	if (c->at->host == GITHUB)
		return auth && !strcmp(auth, token);
	return priv && !strcmp(priv, c->s->token);
}

bool sbx_code_host(sbx *s, void *conn, const char *url, const char *method, const char *data, size_t len, sbx_resp *rs)
{
	loc l;
	if (!locate(&l, url))
		return false;
	call c = {.s = s, .conn = conn, .at = &l, .rs = rs};
	if (!authorized(&c)) {
		fail(&c, 401, "message", l.host == GITHUB ? "Bad credentials" : "401 Unauthorized");
		return true;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const code_route *r = &routes[i];
		if (r->host != l.host || r->item != (l.id > 0) || strcmp(r->method, method))
			continue;
		c.body = data && len ? cJSON_ParseWithLength(data, len) : NULL;
		r->run(&c);
		cJSON_Delete(c.body);
		char *err = NULL;
		if (r->mutates && rs->status < 300 && sbx_save(s, &err) != 0) {
			fprintf(stderr, "ciform-sandbox: cannot save state: %s\n", err ? err : "?");
			sbx_error(rs, 500, "state could not be saved");
		}
		free(err);
		return true;
	}
	fail(&c, 404, "message", l.host == GITHUB ? "Not Found" : "404 Not found");
	return true;
}

/*
 * comment: ciform's comment on a pull or merge request, found by its marker
 * and edited in place, over libcurl. See comment.h for the promises.
 *
 * GitHub and GitLab differ here only in data (the hosts table): where the
 * comments of a request live, how one is addressed and edited, which header
 * carries the token. How a page says that more follow is read the same way
 * for both (a Link rel="next", or a non-empty X-Next-Page).
 */
#include "reconciler/comment.h"
#include "reconciler/urlpolicy.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PER_PAGE 100
#define MAX_PAGES 100            /* 10,000 comments: a request with more is not one to edit blindly */
#define MAX_ANSWER (32u << 20)
#define MAX_ERROR_TEXT 20000
#define ATTEMPTS 4

typedef struct host_api {
	const char *name;
	const char *url_env, *default_url, *token_env;
	const char *auth_fmt;      /* the header that carries the token */
	const char *accept;        /* the Accept header */
	const char *extra;         /* one more header, or NULL */
	char request_sign;         /* octo/app#7, group/app!7 */
	const char *coll_fmt;      /* base, escaped repo, number: list (GET) and create (POST) */
	const char *scope_fmt;     /* base, escaped repo: where an item lives when not under coll */
	bool item_under_coll;      /* item: coll/ID, else scope/comments/ID */
	const char *edit_method;
} host_api;

/* GitHub: docs.github.com/en/rest/issues/comments (List, Create and Update
 * an issue comment; a pull request is an issue, so its conversation comments
 * are issue comments); headers from docs.github.com/en/rest/authentication.
 * GitLab: docs.gitlab.com/ee/api/notes.html (Merge requests: list, create,
 * modify a note; :id is a project id or its URL-encoded path). */
static const host_api hosts[] = {
	[CF_HOST_GITHUB] = {.name = "GitHub", .url_env = "GITHUB_API_URL", .default_url = "https://api.github.com",
			    .token_env = "GITHUB_TOKEN", .auth_fmt = "Authorization: Bearer %s",
			    .accept = "Accept: application/vnd.github+json", .request_sign = '#',
			    .extra = "X-GitHub-Api-Version: 2022-11-28",
			    .coll_fmt = "%s/repos/%s/issues/%ld/comments", .scope_fmt = "%s/repos/%s/issues",
			    .item_under_coll = false, .edit_method = "PATCH"},
	[CF_HOST_GITLAB] = {.name = "GitLab", .url_env = "CI_API_V4_URL", .default_url = "https://gitlab.com/api/v4",
			    .token_env = "GITLAB_TOKEN", .auth_fmt = "PRIVATE-TOKEN: %s",
			    .accept = "Accept: application/json", .request_sign = '!',
			    .coll_fmt = "%s/projects/%s/merge_requests/%ld/notes", .scope_fmt = NULL,
			    .item_under_coll = true, .edit_method = "PUT"},
};

struct cf_code_host {
	const host_api *api;
	char *base;   /* without a trailing / */
	char *token;
	char *auth;   /* the header line */
	char *coll;   /* the request's comments */
	char *scope;
	char *what;   /* for messages */
};


static int check_base(char **out, const host_api *api, const char *url, cf_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	int rc = CF_OK;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		rc = cf_error_set(err, CF_EUSAGE, "%s '%s' is not a URL", api->url_env, url);
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		rc = cf_error_set(err, CF_EUSAGE, "%s must not carry credentials (the token comes from %s)",
				  api->url_env, api->token_env);
	else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && cf_host_is_loopback(host)))
		rc = cf_error_set(err, CF_EUSAGE, "%s '%s' must use https (plain http only for 127.0.0.1, ::1 or localhost)",
				  api->url_env, url);
	if (rc == CF_OK) {
		size_t n = strlen(url);
		while (n > 0 && url[n - 1] == '/')
			n--;
		*out = cf_xstrndup(url, n);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

static bool name_chars(const char *s, size_t n, const char *extra)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

/* OWNER/REPO for GitHub; an id, or group/sub/name, for GitLab. Returns the
 * URL-escaped form (a GitLab path's slashes become %2F), or NULL. */
static char *escaped_repo(cf_host_kind kind, const char *repo)
{
	const char *slash = strchr(repo, '/');
	if (kind == CF_HOST_GITHUB) {
		if (!slash || strchr(slash + 1, '/') || !name_chars(repo, (size_t)(slash - repo), "._-") ||
		    !name_chars(slash + 1, strlen(slash + 1), "._-"))
			return NULL;
		return cf_xstrdup(repo);
	}
	if (!name_chars(repo, strlen(repo), "._-/") || repo[0] == '/' || repo[strlen(repo) - 1] == '/' ||
	    strstr(repo, "//") || strstr(repo, ".."))
		return NULL;
	char *e = curl_easy_escape(NULL, repo, 0);
	char *out = cf_xstrdup(e);
	curl_free(e);
	return out;
}

int cf_code_host_open(cf_code_host **out, const cf_comment_target *t, cf_error *err)
{
	*out = NULL;
	const host_api *api = &hosts[t->kind];
	char *repo = t->repo ? escaped_repo(t->kind, t->repo) : NULL;
	if (!repo)
		return cf_error_set(err, CF_EUSAGE, "'%s' is not a %s %s", t->repo ? t->repo : "",
				    api->name, t->kind == CF_HOST_GITHUB ? "repository (OWNER/REPO)" : "project (an id or group/name)");
	if (t->number < 1) {
		free(repo);
		return cf_error_set(err, CF_EUSAGE, "the request number must be a positive number");
	}
	const char *token = getenv(api->token_env);
	if (!token || !*token || strpbrk(token, "\r\n")) {
		free(repo);
		return cf_error_set(err, CF_EUSAGE, "%s is %s: ciform comment needs a token to post on %s", api->token_env,
				    token && *token ? "not a single line" : "not set", api->name);
	}
	const char *url = getenv(api->url_env);
	char *base = NULL;
	int rc = check_base(&base, api, url && *url ? url : api->default_url, err);
	if (rc != CF_OK) {
		free(repo);
		return rc;
	}
	static bool global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
	}
	cf_code_host *h = cf_xcalloc(1, sizeof(*h));
	h->api = api;
	h->base = base;
	h->token = cf_xstrdup(token);
	h->auth = cf_xasprintf(api->auth_fmt, token);
	h->coll = cf_xasprintf(api->coll_fmt, base, repo, t->number);
	h->scope = api->scope_fmt ? cf_xasprintf(api->scope_fmt, base, repo) : NULL;
	h->what = cf_xasprintf("%s %s%c%ld", api->name, t->repo, api->request_sign, t->number);
	free(repo);
	*out = h;
	return CF_OK;
}

void cf_code_host_free(cf_code_host *h)
{
	if (!h)
		return;
	if (h->token) /* it was only ever needed in the header */
		memset(h->token, 0, strlen(h->token));
	if (h->auth)
		memset(h->auth, 0, strlen(h->auth));
	free(h->token);
	free(h->auth);
	free(h->base);
	free(h->coll);
	free(h->scope);
	free(h->what);
	free(h);
}

const char *cf_code_host_describe(const cf_code_host *h)
{
	return h->what;
}

void cf_comment_result_clear(cf_comment_result *r)
{
	free(r->id);
	free(r->url);
	memset(r, 0, sizeof(*r));
}

typedef struct answer {
	long status;
	char *body;
	size_t len;
	bool too_big;
	bool more;         /* the page says another follows */
	long retry_after;  /* seconds, 0 when not given */
} answer;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	answer *a = ud;
	n *= size;
	if (a->len + n > MAX_ANSWER) {
		a->too_big = true;
		return 0;
	}
	a->body = cf_xrealloc(a->body, a->len + n + 1);
	memcpy(a->body + a->len, p, n);
	a->len += n;
	a->body[a->len] = '\0';
	return n;
}

/* GitHub: docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 * (a link header with rel="next" while more pages follow, none on the last).
 * GitLab: docs.gitlab.com/ee/api/rest/index.html#pagination (X-Next-Page: the
 * next page's number, empty on the last page; a Link header as well). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	answer *a = ud;
	n *= size;
	char line[4096];
	size_t l = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
	memcpy(line, p, l);
	line[l] = '\0';
	char *colon = strchr(line, ':');
	if (!strncasecmp(line, "HTTP/", 5))
		*a = (answer){.body = a->body, .len = a->len}; /* a new answer: headers of an earlier one do not count */
	if (!colon)
		return n;
	*colon = '\0';
	char *v = colon + 1;
	v += strspn(v, " \t");
	v[strcspn(v, "\r\n")] = '\0';
	if (!strcasecmp(line, "link") && strstr(v, "rel=\"next\""))
		a->more = true;
	else if (!strcasecmp(line, "x-next-page") && *v)
		a->more = true;
	else if (!strcasecmp(line, "retry-after"))
		a->retry_after = strtol(v, NULL, 10);
	return n;
}

static void sleep_s(long s)
{
	struct timespec ts = {s, 0};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The host's own words for a failure ("Bad credentials", "404 Not found"),
 * short, with the token blotted out should a server ever echo it. */
static char *host_message(const cf_code_host *h, const answer *a)
{
	cJSON *j = a->body ? cJSON_Parse(a->body) : NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (!m)
		m = cJSON_GetObjectItemCaseSensitive(j, "error");
	char *text = cJSON_IsString(m) ? cf_xstrdup(m->valuestring) : m ? cJSON_PrintUnformatted(m) : cf_xstrdup("");
	cJSON_Delete(j);
	if (strlen(text) > 200)
		strcpy(text + 197, "...");
	for (char *t; *h->token && (t = strstr(text, h->token));)
		memset(t, '*', strlen(h->token));
	for (char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	return text;
}

/* One request, retried (with the host's Retry-After, else 1, 2, 4 s) when it
 * is safe to send again: everything but a POST, which would post twice. */
static int exchange(cf_code_host *h, const char *method, const char *url, const char *body, long want,
		answer *a, cf_error *err)
{
	bool again_ok = strcmp(method, "POST") != 0;
	const char *shown = url + strlen(h->base);
	for (int attempt = 1;; attempt++) {
		free(a->body);
		*a = (answer){0};
		CURL *e = curl_easy_init();
		struct curl_slist *hd = NULL;
		hd = curl_slist_append(hd, h->auth);
		hd = curl_slist_append(hd, h->api->accept);
		if (h->api->extra)
			hd = curl_slist_append(hd, h->api->extra);
		if (body)
			hd = curl_slist_append(hd, "Content-Type: application/json");
		char errbuf[CURL_ERROR_SIZE] = "";
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "ciform"); /* GitHub refuses a request without one */
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
		if (body)
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* the token must not follow a redirect */
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		CURLcode cc = curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &a->status);
		curl_slist_free_all(hd);
		curl_easy_cleanup(e);
		bool transient = cc != CURLE_OK || a->status == 429 || a->status == 502 || a->status == 503 ||
				 a->status == 504;
		if (cc == CURLE_OK && a->status == want)
			return CF_OK;
		if (transient && again_ok && !a->too_big && attempt < ATTEMPTS) {
			long wait = a->retry_after > 0 ? a->retry_after : 1L << (attempt - 1);
			sleep_s(wait > 60 ? 60 : wait);
			continue;
		}
		if (a->too_big)
			return cf_error_set(err, CF_EAPI, "%s: %s %s: the answer is larger than %u MiB", h->api->name, method,
					    shown, MAX_ANSWER >> 20);
		if (cc != CURLE_OK)
			return cf_error_set(err, CF_ENET, "%s: %s %s: %s", h->api->name, method, shown,
					    *errbuf ? errbuf : curl_easy_strerror(cc));
		char *m = host_message(h, a);
		int code = a->status == 401 ? CF_EAUTH : a->status == 404 ? CF_ENOTFOUND : CF_EAPI;
		char *hint = a->status == 401 ? cf_xasprintf(" (check %s)", h->api->token_env)
			     : a->status == 403 || a->status == 404 ? cf_xstrdup(" (does the token have write access to the request?)")
								    : cf_xstrdup("");
		cf_error_set(err, code, "%s: %s %s: %ld%s%s%s", h->api->name, method, shown, a->status, *m ? " " : "", m, hint);
		free(hint);
		free(m);
		return code;
	}
}

static char *id_text(const cJSON *id)
{
	if (cJSON_IsNumber(id) && id->valuedouble >= 0)
		return cf_xasprintf("%.0f", id->valuedouble);
	if (cJSON_IsString(id) && name_chars(id->valuestring, strlen(id->valuestring), "_-"))
		return cf_xstrdup(id->valuestring);
	return NULL;
}

static bool carries(const char *body, const char *marker)
{
	size_t n = strlen(marker);
	return body && !strncmp(body, marker, n) && (body[n] == '\0' || body[n] == '\n' || body[n] == '\r');
}

/* Pages through the request's comments for the first that carries marker;
 * *id is NULL when none does. */
static int find(char **id, unsigned *pages, cf_code_host *h, const char *marker, cf_error *err)
{
	*id = NULL;
	answer a = {0};
	int rc = CF_OK;
	for (unsigned page = 1; rc == CF_OK && !*id; page++) {
		if (page > MAX_PAGES) {
			rc = cf_error_set(err, CF_EAPI, "%s has more than %d comments: not looking further for ciform's",
					  h->what, MAX_PAGES * PER_PAGE);
			break;
		}
		char *url = cf_xasprintf("%s?per_page=%d&page=%u", h->coll, PER_PAGE, page);
		rc = exchange(h, "GET", url, NULL, 200, &a, err);
		free(url);
		if (rc != CF_OK)
			break;
		*pages = page;
		cJSON *list = cJSON_Parse(a.body ? a.body : ""), *c;
		if (!cJSON_IsArray(list))
			rc = cf_error_set(err, CF_EAPI, "%s: the list of comments is not a JSON array", h->api->name);
		cJSON_ArrayForEach(c, list) {
			if (carries(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "body")), marker)) {
				*id = id_text(cJSON_GetObjectItemCaseSensitive(c, "id"));
				if (*id)
					break;
			}
		}
		bool empty = cJSON_GetArraySize(list) == 0;
		cJSON_Delete(list);
		if (!a.more || empty)
			break;
	}
	free(a.body);
	return rc;
}

int cf_comment_upsert(cf_comment_result *out, cf_code_host *h, const char *marker, const char *body, cf_error *err)
{
	memset(out, 0, sizeof(*out));
	char *id = NULL;
	int rc = find(&id, &out->pages, h, marker, err);
	if (rc != CF_OK)
		return rc;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "body", body);
	char *json = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	char *url = !id ? cf_xstrdup(h->coll)
		    : h->api->item_under_coll ? cf_xasprintf("%s/%s", h->coll, id)
		    : cf_xasprintf("%s/comments/%s", h->scope, id);
	answer a = {0};
	out->created = !id;
	/* docs: a create answers 201 Created, an edit 200 OK */
	rc = exchange(h, id ? h->api->edit_method : "POST", url, json, id ? 200 : 201, &a, err);
	if (rc == CF_OK) {
		cJSON *c = cJSON_Parse(a.body ? a.body : "");
		out->id = id_text(cJSON_GetObjectItemCaseSensitive(c, "id"));
		if (!out->id)
			out->id = id ? cf_xstrdup(id) : cf_xstrdup("?");
		const char *web = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "html_url"));
		out->url = web && !strncmp(web, "http", 4) ? cf_xstrdup(web) : NULL;
		cJSON_Delete(c);
	}
	free(a.body);
	free(url);
	free(json);
	free(id);
	return rc;
}

/* ---- what the comment says ---- */

typedef struct sbuf {
	char *s;
	size_t len, cap;
} sbuf;

static void add(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = cf_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void adds(sbuf *b, const char *s)
{
	add(b, s, strlen(s));
}

char *cf_comment_marker(const char *const *paths, size_t npaths)
{
	sbuf b = {0};
	adds(&b, "<!-- ciform:plan path=");
	for (size_t i = 0; i < (npaths ? npaths : 1); i++) {
		const char *p = npaths ? paths[i] : ".";
		while (!strncmp(p, "./", 2) && p[2])
			p += 2;
		size_t n = strlen(p);
		while (n > 1 && p[n - 1] == '/')
			n--;
		if (i)
			adds(&b, ",");
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)p[k];
			/* "--" or ">" could end the comment early, "," joins paths, and
			 * space and % must read back alike */
			bool dash = c == '-' && (p[k + 1] == '-' || p[k + 1] == '>');
			if (c <= ' ' || dash || c == '>' || c == '<' || c == ',' || c == '%' || c >= 0x7f) {
				char esc[4];
				snprintf(esc, sizeof(esc), "%%%02X", c);
				adds(&b, esc);
			} else {
				add(&b, (const char *)&c, 1);
			}
		}
	}
	adds(&b, " -->");
	return b.s;
}

static bool is_sha(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 7 && n <= 64 && strspn(s, "0123456789abcdefABCDEF") == n;
}

void cf_comment_commit(char **out, const char *git_ref, const char *repo_dir, const char *path, const char *env_sha)
{
	*out = NULL;
	if (!git_ref && is_sha(env_sha)) {
		*out = cf_xstrdup(env_sha);
		return;
	}
	git_libgit2_init();
	git_repository *repo = NULL;
	git_object *obj = NULL;
	const char *start = repo_dir ? repo_dir : path ? path : ".";
	if (git_repository_open_ext(&repo, start, 0, NULL) == 0 &&
	    git_revparse_single(&obj, repo, git_ref ? git_ref : "HEAD") == 0) {
		git_object *commit = NULL;
		if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0)
			*out = cf_xstrdup(git_oid_tostr_s(git_object_id(commit)));
		git_object_free(commit);
	}
	git_object_free(obj);
	git_repository_free(repo);
	git_libgit2_shutdown();
}

/* A code span's text: a backtick would close it early. */
static void add_code(sbuf *b, const char *s)
{
	adds(b, "`");
	for (; *s; s++)
		add(b, *s == '`' ? "'" : *s == '\n' ? " " : s, 1);
	adds(b, "`");
}

static void add_header(sbuf *b, const char *marker, const char *title, const char *paths_text, const char *commit)
{
	adds(b, marker);
	adds(b, "\n");
	if (title)
		adds(b, title);
	adds(b, "Specs ");
	add_code(b, paths_text && *paths_text ? paths_text : ".");
	if (commit && is_sha(commit)) {
		adds(b, " at commit ");
		adds(b, commit); /* bare, so the host links it */
	} else {
		adds(b, " (commit unknown)");
	}
	adds(b, ". This comment is edited in place by `ciform comment` on every run.\n\n");
}

char *cf_comment_plan_body(const char *marker, const char *plan_markdown, const char *paths_text, const char *commit)
{
	sbuf b = {0};
	add_header(&b, marker, NULL, paths_text, commit);
	adds(&b, plan_markdown);
	return b.s;
}

char *cf_comment_error_body(const char *marker, const char *error_text, const char *paths_text, const char *commit)
{
	sbuf b = {0};
	add_header(&b, marker, "### ciform plan failed\n\n", paths_text, commit);
	size_t n = strlen(error_text);
	bool cut = n > MAX_ERROR_TEXT;
	if (cut) { /* not inside a UTF-8 sequence */
		n = MAX_ERROR_TEXT;
		while (n > 0 && ((unsigned char)error_text[n] & 0xC0) == 0x80)
			n--;
	}
	/* a fence longer than any run of backticks in the text, so none ends it */
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < n; i++) {
		run = error_text[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	size_t fence = longest < 3 ? 3 : longest + 1;
	adds(&b, "ciform could not make the plan:\n\n");
	for (size_t i = 0; i < fence; i++)
		adds(&b, "`");
	adds(&b, "text\n");
	add(&b, error_text, n);
	if (n && error_text[n - 1] != '\n')
		adds(&b, "\n");
	if (cut)
		adds(&b, "... (cut: the rest is in the job's log)\n");
	for (size_t i = 0; i < fence; i++)
		adds(&b, "`");
	adds(&b, "\n\nThe merge should wait until `ciform plan` succeeds for this commit.\n");
	return b.s;
}

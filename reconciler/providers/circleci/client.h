/*
 * client: the CircleCI connection and the requests every CircleCI kind
 * shares. The transfer engine is the core's (http.h), set up with the
 * Circle-Token header; what is CircleCI's own lives here: where the host and
 * token come from, the v2 list shape ({items, next_page_token}), slugs
 * escaped segment by segment, organisation and project slugs resolved once
 * per connection, and a POST that is never sent twice blindly.
 */
#ifndef CF_CCI_CLIENT_H
#define CF_CCI_CLIENT_H

#include <stdbool.h>
#include "reconciler/http.h"
#include "reconciler/provider.h"

/* The connection: first member a cf_conn, so a cf_conn * is a cf_cci_conn *. */
typedef struct cf_cci_conn {
	cf_conn base;
	cf_http_config cfg; /* base_url: HOST/api/v2 */
	char *host;         /* the origin, as messages show it */
	char *where;
	bool rewrite_write_only; /* --rewrite-write-only: values the API cannot show are written */
	cJSON *orgs;     /* organisation as written -> id, resolved once */
	cJSON *projects; /* project slug as written -> GET /project/{slug} answer */
	struct cf_cci_runner *runner; /* runner.h: the runner API's client, made at first use */
	char *token_dir;   /* --registration-token-dir, or NULL (token_file.h's default) */
	char *runner_host; /* --circleci-runner-host, or NULL (runner.c's rule) */
	cJSON *prefetched; /* path -> a 2xx answer read ahead (cf_cci_prefetch), taken once */
	/* what --debug asked of the connection, for the runner client too */
	void (*trace)(void *ud, const cf_trace *t);
	void *trace_ud;
} cf_cci_conn;

static inline cf_cci_conn *cf_cci_of(cf_conn *c)
{
	return (cf_cci_conn *)c;
}

static inline cf_http_client *cf_cci_http(cf_conn *c)
{
	return c->impl;
}

/* config.c: settings (docs/circleci.md "Connection"); cfg is cleared on failure. */
int cf_cci_config_resolve(cf_http_config *cfg, char **host, const cf_conn_settings *in, cf_error *err);
/* "https://circleci.com/api/v2/" -> "https://circleci.com": an origin, https
 * (http only for loopback hosts). */
int cf_cci_host_normalize(char **out, const char *host, cf_error *err);

/* client.c */
/* "github/acme" -> "gh/acme", "bitbucket/acme/web" -> "bb/acme/web"; caller frees. */
char *cf_cci_slug_normalize(const char *slug);
/* Whether s is want segments separated by single slashes ("gh/acme/web": 3). */
bool cf_cci_slug_shaped(const char *s, int want);
/* A slug as a path: each segment escaped on its own, never %2F; caller frees. */
char *cf_cci_slug_path(const char *slug);
/* Every item of a v2 list at path (query allowed), following
 * next_page_token; a repeated token is an error. */
int cf_cci_list(cJSON **out, cf_conn *c, const char *path, cf_error *err);
/* The organisation's id for a slug or UUID as written (GET /me/collaborations,
 * once per connection); CF_ENOTFOUND names what the token can see. */
int cf_cci_org_id(const char **id, cf_conn *c, const char *org, cf_error *err);
/* Sends the GETs of paths at once (the connection's parallelism in flight),
 * and keeps each 2xx answer for the first cf_cci_list (its first page),
 * cf_cci_project or cf_cci_prefetched of that path. A failed read is kept for
 * nobody: the caller's own request meets it again and reports it as usual.
 * Why: the kinds read project by project; ahead of them, a plan's reads take
 * one round trip per batch instead of one per request. */
void cf_cci_prefetch(cf_conn *c, char *const *paths, size_t n);
/* The answer read ahead for path (caller frees), or NULL. */
cJSON *cf_cci_prefetched(cf_conn *c, const char *path);
/* GET /project/{slug}, cached; *project is owned by the connection. */
int cf_cci_project(const cJSON **project, cf_conn *c, const char *slug, cf_error *err);
/* A write that must not be repeated blindly: sent once; only a 429 (the
 * server did nothing) is sent again, after Retry-After. *lost is set when
 * no answer came (transport failure, 5xx): the caller re-reads. */
int cf_cci_post(cJSON **out, cf_conn *c, const char *method, const char *path, const cJSON *body, bool *lost,
		cf_error *err);
/* An idempotent write (PUT upsert, DELETE): retried like a read. */
int cf_cci_put(cJSON **out, cf_conn *c, const char *path, const cJSON *body, cf_error *err);

#endif

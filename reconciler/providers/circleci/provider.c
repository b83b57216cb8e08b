/*
 * provider: CircleCI behind the core's provider table (provider.h): the
 * apiVersion circleci/v1, its kinds, the order their changes run in, and a
 * connection that is one API v2 client plus the slugs resolved so far.
 *
 * Order (docs/circleci.md): contexts are written before anything that could
 * use them; deletes run the other way round. Within a context, restrictions
 * go before variables (kinds/context.c), so no secret sits in a new context
 * that anyone may use.
 */
#include "reconciler/providers/circleci/client.h"
#include "reconciler/providers/circleci/kinds.h"
#include "reconciler/providers/circleci/runner.h"
#include "reconciler/diff.h"
#include "reconciler/live.h"

#include <stdlib.h>
#include <string.h>

extern const cf_provider cf_circleci_provider;

static const char *const api_versions[] = {CF_CCI_API_VERSION, NULL};

static const cf_kind *const kinds[] = {
	&cf_cci_context_kind,
	&cf_cci_project_settings_kind,
	&cf_cci_project_env_kind,
	&cf_cci_runner_class_kind,
	&cf_cci_runner_token_kind,
	&cf_cci_webhook_kind,
	&cf_cci_schedule_trigger_kind,
	NULL,
};

static const char *const write_phases[] = {"RunnerResourceClass", "RunnerToken", "Context", "ProjectSettings",
						   "ProjectEnvironment", "Webhook", "ScheduleTrigger",
						   CF_PHASE_ACTIVATIONS, NULL};
/* deletes: unmanaged variables, then contexts (docs/circleci.md "Order");
 * ProjectSettings are never deleted */
static const char *const delete_phases[] = {"ScheduleTrigger", "Webhook", "ProjectEnvironment", "Context",
						    "RunnerToken", "RunnerResourceClass", NULL};

static void cci_close(cf_conn *c)
{
	cf_cci_conn *k = cf_cci_of(c);
	cf_http_client_free(c->impl);
	cf_http_config_clear(&k->cfg);
	cJSON_Delete(k->orgs);
	cJSON_Delete(k->projects);
	cJSON_Delete(k->prefetched);
	cf_cci_runner_free(k->runner);
	free(k->token_dir);
	free(k->runner_host);
	free(k->host);
	free(k->where);
	free(k);
}

static int open_client(cf_conn **out, cf_cci_conn *k, cf_error *err)
{
	k->base.provider = &cf_circleci_provider;
	k->orgs = cJSON_CreateObject();
	k->projects = cJSON_CreateObject();
	int rc = cf_http_client_new((cf_http_client **)&k->base.impl, &k->cfg, err);
	if (rc != CF_OK) {
		cci_close(&k->base);
		return rc;
	}
	k->where = cf_xasprintf("CircleCI %s", k->host);
	*out = &k->base;
	return CF_OK;
}

static int cci_connect(cf_conn **out, const cf_conn_settings *in, const cf_limits *l, cf_error *err)
{
	*out = NULL;
	cf_cci_conn *k = cf_xcalloc(1, sizeof(*k));
	int rc = cf_cci_config_resolve(&k->cfg, &k->host, in, err);
	if (rc != CF_OK) {
		free(k);
		return rc;
	}
	k->rewrite_write_only = cf_conn_option(in, "rewrite-write-only") != NULL; /* --rewrite-write-only */
	const char *dir = cf_conn_option(in, "registration-token-dir"), *rh = cf_conn_option(in, "circleci-runner-host");
	k->token_dir = dir ? cf_xstrdup(dir) : NULL;
	k->runner_host = rh ? cf_xstrdup(rh) : NULL;
	if (l && l->parallelism > 0)
		k->cfg.parallelism = l->parallelism;
	if (l && l->timeout_ms > 0)
		k->cfg.timeout_ms = l->timeout_ms;
	if (l && l->max_answer_bytes > 0)
		k->cfg.max_answer_bytes = l->max_answer_bytes;
	if (l && l->max_requests > 0)
		k->cfg.max_requests = l->max_requests;
	return open_client(out, k, err);
}

static int cci_clone(cf_conn **out, const cf_conn *c, cf_error *err)
{
	const cf_cci_conn *from = (const cf_cci_conn *)c;
	cf_cci_conn *k = cf_xcalloc(1, sizeof(*k));
	k->cfg = from->cfg;
	k->cfg.base_url = cf_xstrdup(from->cfg.base_url);
	k->cfg.token = cf_xstrdup(from->cfg.token);
	k->cfg.context = NULL;
	k->host = cf_xstrdup(from->host);
	k->rewrite_write_only = from->rewrite_write_only;
	k->token_dir = from->token_dir ? cf_xstrdup(from->token_dir) : NULL;
	k->runner_host = from->runner_host ? cf_xstrdup(from->runner_host) : NULL;
	return open_client(out, k, err);
}

static const char *cci_where(const cf_conn *c)
{
	return ((const cf_cci_conn *)c)->where;
}

static const char *cci_org(const cf_conn *c)
{
	return ((const cf_cci_conn *)c)->cfg.base_url;
}

/* The v2 client's requests and the runner client's, when one was made. */
static unsigned long cci_requests(const cf_conn *c)
{
	const cf_cci_conn *k = (const cf_cci_conn *)c;
	return cf_http_client_requests(c->impl) + (k->runner ? cf_http_client_requests(k->runner->http) : 0);
}

static void cci_on_progress(cf_conn *c, void (*fn)(void *ud, unsigned long done), void *ud)
{
	cf_http_client_on_progress(c->impl, fn, ud);
}

static void cci_on_trace(cf_conn *c, void (*fn)(void *ud, const cf_trace *t), void *ud)
{
	cf_cci_conn *k = cf_cci_of(c);
	k->trace = fn; /* runner.c hands it to the runner client it makes */
	k->trace_ud = ud;
	cf_http_client_on_trace(c->impl, fn, ud);
	if (k->runner)
		cf_http_client_on_trace(k->runner->http, fn, ud);
}

typedef struct paths {
	char **v;
	size_t n;
} paths;

static void paths_add(paths *p, char *path)
{
	p->v = cf_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = path;
}

static void paths_send(paths *p, cf_conn *c)
{
	cf_cci_prefetch(c, p->v, p->n);
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* The first read of each project-scoped manifest, by kind: the path its
 * read_live asks for first, or NULL. */
static char *first_read(const cf_resource *r, const cJSON *project)
{
	const char *slug = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.project"));
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(project, "id"));
	char *s = cf_cci_slug_path(slug), *e = cf_http_escape(id ? id : ""), *out = NULL;
	if (r->kind == &cf_cci_project_env_kind)
		out = cf_xasprintf("/project/%s/envvar", s);
	else if (r->kind == &cf_cci_project_settings_kind)
		out = cf_xasprintf("/project/%s/settings", s);
	else if (r->kind == &cf_cci_webhook_kind && id)
		out = cf_xasprintf("/webhook?scope-id=%s&scope-type=project", e);
	else if (r->kind == &cf_cci_schedule_trigger_kind && id)
		out = cf_xasprintf("/projects/%s/pipeline-definitions", e);
	free(s);
	free(e);
	return out;
}

/* Third batch: the triggers of every pipeline definition read ahead. */
static void triggers_ahead(cf_conn *c)
{
	const cJSON *answer, *d, *pre = cf_cci_of(c)->prefetched;
	paths p = {0};
	cJSON_ArrayForEach(answer, pre) {
		const char *path = answer->string, *tail = "/pipeline-definitions";
		size_t n = strlen(path), t = strlen(tail);
		if (strncmp(path, "/projects/", 10) != 0 || n <= t || strcmp(path + n - t, tail) != 0)
			continue;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(answer, "items")) {
			const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "id"));
			char *e = id ? cf_http_escape(id) : NULL;
			if (e)
				paths_add(&p, cf_xasprintf("%s/%s/triggers", path, e));
			free(e);
		}
	}
	paths_send(&p, c);
}

/* Reads ahead, in three batches, what the kinds will read project by project:
 * every project the manifests name, then each manifest's first list, then
 * the triggers of the definitions found. A plan then waits for three round
 * trips, not three per project. */
static void read_ahead(const cf_resource_set *set, cf_conn *c)
{
	paths p = {0};
	for (size_t i = 0; set && i < set->count; i++) {
		const char *slug = cJSON_GetStringValue(cf_json_path(set->items[i].doc, "metadata.project"));
		if (cf_provider_of(set->items[i].kind) == &cf_circleci_provider && slug && cf_cci_slug_shaped(slug, 3)) {
			char *s = cf_cci_slug_path(slug);
			paths_add(&p, cf_xasprintf("/project/%s", s));
			free(s);
		}
	}
	paths_send(&p, c);
	for (size_t i = 0; set && i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const char *slug = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.project"));
		const cJSON *project = NULL;
		cf_error ignored = {0}; /* the kind's own read meets it again, and says so */
		if (cf_provider_of(r->kind) != &cf_circleci_provider || !slug || !cf_cci_slug_shaped(slug, 3) ||
		    cf_cci_project(&project, c, slug, &ignored) != CF_OK) {
			cf_error_clear(&ignored);
			continue;
		}
		char *path = first_read(r, project);
		if (path)
			paths_add(&p, path);
	}
	paths_send(&p, c);
	triggers_ahead(c);
}

/* Each kind reads what the set's manifests of that kind are about. */
static int cci_read_live(cf_live *live, const cf_resource_set *set, cf_conn *c, cf_diags *diags, cf_error *err)
{
	int rc = CF_OK;
	read_ahead(set, c);
	for (const cf_kind *const *k = kinds; *k && (rc == CF_OK || rc == CF_EINVALID); k++) {
		size_t before = cf_diags_count(diags, CF_SEV_ERROR);
		int r = (*k)->read_live(live, set, c, diags, err);
		/* CF_EINVALID means "see the diagnostics": one without any would
		 * end the run with "0 problems in the specs" and nothing to act
		 * on, so it is an error of ciform's own, named */
		if (r == CF_EINVALID && cf_diags_count(diags, CF_SEV_ERROR) == before)
			r = cf_error_set(err, CF_EAPI, "reading the live %s resources failed without saying why "
					 "(a bug in ciform's CircleCI provider: please report it)", (*k)->name);
		if (r != CF_OK)
			rc = r;
	}
	/* what no kind took must not answer apply's re-reads before a create */
	cf_cci_conn *cc = cf_cci_of(c);
	cJSON_Delete(cc->prefetched);
	cc->prefetched = NULL;
	return rc;
}

bool cf_cci_scope_is_org(const char *ref)
{
	size_t slashes = 0;
	for (const char *p = ref; *p; p++)
		slashes += *p == '/';
	return slashes < 2;
}

char *cf_cci_project_name_address(const cJSON *doc)
{
	const char *p = cJSON_GetStringValue(cf_json_path(doc, "metadata.project"));
	const char *n = cJSON_GetStringValue(cf_json_path(doc, "metadata.name"));
	if (!p || !n || !*n || !cf_cci_slug_shaped(p, 3))
		return NULL;
	char *norm = cf_cci_slug_normalize(p), *out = cf_xasprintf("%s/%s", norm, n);
	free(norm);
	return out;
}

int cf_cci_export_each(cf_export *out, const void *vctx, bool orgs,
		       int (*one)(cf_export *out, cf_conn *c, const char *ref, cf_error *err), cf_error *err)
{
	const cf_cci_export_ctx *ctx = vctx;
	int rc = CF_OK;
	for (size_t i = 0; i < ctx->scope->nprojects && rc == CF_OK; i++)
		if (cf_cci_scope_is_org(ctx->scope->projects[i]) == orgs)
			rc = one(out, ctx->conn, ctx->scope->projects[i], err);
	return rc;
}

static int cci_export(cf_export *out, cf_conn *c, const cf_export_scope *scope, cf_error *err)
{
	memset(out, 0, sizeof(*out));
	cf_cci_export_ctx ctx = {.conn = c, .scope = scope};
	int rc = CF_OK;
	for (const cf_kind *const *k = kinds; *k && rc == CF_OK; k++)
		if ((*k)->export)
			rc = (*k)->export(out, &ctx, err);
	if (rc != CF_OK)
		cf_export_clear(out);
	return rc;
}

const cf_provider cf_circleci_provider = {
	.name = "circleci",
	.api_versions = api_versions,
	.kinds = kinds,
	.write_phases = write_phases,
	.delete_phases = delete_phases,
	.connect = cci_connect,
	.clone = cci_clone,
	.close = cci_close,
	.where = cci_where,
	.org = cci_org,
	.requests = cci_requests,
	.on_progress = cci_on_progress,
	.on_trace = cci_on_trace,
	.read_live = cci_read_live,
	.export = cci_export,
};

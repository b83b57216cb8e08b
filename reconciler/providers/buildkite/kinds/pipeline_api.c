/*
 * pipeline_api: the Pipeline kind against the REST API: what a plan
 * compares, and how a change is carried out. Reading is pipeline_live.c,
 * team associations pipeline_teams.c, export pipeline_export.c.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/pipelines.md, tf =
 * terraform-provider-buildkite buildkite/resource_pipeline.go):
 * - create is POST /pipelines with name, repository, cluster_id,
 *   configuration, and the explicit slug, so the derived slug never applies;
 *   the manifest's teams go with it as {UUID: level} (docs Create);
 * - update is PATCH /pipelines/SLUG with the changed fields only, slug sent
 *   with every name change (docs Update: a name without slug regenerates
 *   it), visibility only when it changes (tf Update); a renamed_from rename
 *   PATCHes the old slug with the new one;
 * - an archived pipeline refuses updates, so an update unarchives first,
 *   then PATCHes, then changes the team associations, and archives again
 *   last when it should stay archived (tf Update);
 * - archive and unarchive are POST .../archive and .../unarchive, each after
 *   a fresh read (already in that state: done);
 * - DELETE answers 204, and 404 counts as done. While builds run the API
 *   refuses it, and tf retries the refusal (tf Delete, isActiveJobsError;
 *   util.go activeJobsRegex); so does ciform, until --wait-timeout.
 */
#include "reconciler/providers/buildkite/kinds/pipeline.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

/* ---- comparing ---- */

static cJSON *norm_config(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	const char *why;
	size_t line;
	cJSON *t = cJSON_IsString(v) ? cf_bk_yaml_tree(v->valuestring, &why, &line) : NULL;
	return t ? t : cJSON_IsString(v) ? cJSON_CreateString(v->valuestring) : cJSON_CreateNull();
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A set: sorted, duplicates dropped; null is the empty set. */
static cJSON *norm_tags(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	int n = cJSON_GetArraySize(v);
	const char **list = cf_xcalloc((size_t)n + 1, sizeof(*list));
	int m = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, v)
		if (cJSON_IsString(t))
			list[m++] = t->valuestring;
	qsort(list, (size_t)m, sizeof(*list), cmp_str);
	cJSON *out = cJSON_CreateArray();
	for (int i = 0; i < m; i++)
		if (!i || strcmp(list[i], list[i - 1]))
			cJSON_AddItemToArray(out, cJSON_CreateString(list[i]));
	free(list);
	return out;
}

/* Only the keys the spec gives are compared (docs/buildkite.md), against the
 * live provider.settings. */
static cJSON *norm_provider(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	if (desired)
		return cJSON_IsObject(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateObject();
	const cJSON *want = cf_json_path(ctx->desired_doc, "spec.provider_settings");
	cJSON *out = cJSON_CreateObject();
	const cJSON *k;
	cJSON_ArrayForEach(k, want) {
		const cJSON *have = cJSON_GetObjectItemCaseSensitive(v, k->string);
		cJSON_AddItemToObject(out, k->string, have ? cJSON_Duplicate(have, 1) : cJSON_CreateNull());
	}
	return out;
}

#define KEEP(field, fb) \
	{.name = "spec." field, .desired = "spec." field, .live = field, .fallback = fb, .type = CF_D_VALUE, \
	 .omitted_keeps_live = true}

static const cf_diff_field pipeline_diff[] = {
	/* differs only for a renamed_from rename (pipeline_live.c) */
	{.name = "metadata.slug", .desired = "metadata.slug", .live = "slug", .fallback = "\"\"", .type = CF_D_VALUE},
	{.name = "spec.name", .desired = "spec.name", .live = "name", .fallback = "\"\"", .type = CF_D_VALUE},
	{.name = "spec.repository", .desired = "spec.repository", .live = "repository", .fallback = "\"\"",
	 .type = CF_D_VALUE},
	KEEP("cluster", "null"), /* the live side: the name read_live put beside cluster_id */
	KEEP("cluster_id", "null"),
	{.name = "spec.configuration", .desired = "spec.configuration", .live = "configuration",
	 .fallback = "null", .type = CF_D_VALUE, .normalize = norm_config, .omitted_keeps_live = true,
	 .omitted_note = "the template's steps"},
	KEEP("pipeline_template_uuid", "null"),
	KEEP("description", "null"),
	KEEP("default_branch", "null"),
	KEEP("branch_configuration", "null"),
	KEEP("skip_queued_branch_builds", "false"),
	KEEP("skip_queued_branch_builds_filter", "null"),
	KEEP("cancel_running_branch_builds", "false"),
	KEEP("cancel_running_branch_builds_filter", "null"),
	KEEP("allow_rebuilds", "true"),
	KEEP("clone_mirror_url", "null"),
	KEEP("default_command_step_timeout", "null"),
	KEEP("maximum_command_step_timeout", "null"),
	KEEP("visibility", "\"private\""),
	{.name = "spec.tags", .desired = "spec.tags", .live = "tags", .fallback = "[]", .type = CF_D_VALUE,
	 .normalize = norm_tags, .omitted_keeps_live = true, .omitted_note = "none"},
	{.name = "spec.provider_settings", .desired = "spec.provider_settings", .live = "provider.settings",
	 .fallback = "{}", .type = CF_D_VALUE, .normalize = norm_provider, .omitted_keeps_live = true,
	 .omitted_note = "the API's defaults"},
	/* a map compared whole, keys sorted (pipeline_teams.c) */
	{.name = "spec.teams", .desired = "spec.teams", .live = "teams", .fallback = "{}", .type = CF_D_VALUE,
	 .normalize = cf_bk_pipeline_norm_teams, .omitted_keeps_live = true,
	 .omitted_note = "none (only administrators may create pipelines without teams)"}, /* docs pipelines.md */
	{.name = NULL},
};

static const char *cluster_ref(const cf_resource *r)
{
	return cJSON_GetStringValue(cf_json_path(r->doc, "spec.cluster"));
}

/* ---- writing ---- */

static int resolve_cluster(cf_bk_conn *c, const cf_resource *r, const char **id, cf_error *err)
{
	const cJSON *clusters = NULL;
	int rc = cf_bk_clusters(&clusters, c, err);
	if (rc == CF_OK && !cf_bk_cluster_id(clusters, cluster_ref(r))) {
		cf_bk_clusters_forget(c); /* created or renamed by this apply's Cluster phase */
		rc = cf_bk_clusters(&clusters, c, err);
	}
	if (rc == CF_OK && !(*id = cf_bk_cluster_id(clusters, cluster_ref(r))))
		rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no cluster '%s'", r->address, cluster_ref(r));
	return rc;
}

/* The body's value for a spec field: cluster becomes cluster_id. */
static int put_field(cJSON *b, cf_bk_conn *c, const cf_resource *r, const char *key, cf_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->doc, "spec"), key);
	if (!v || !strcmp(key, "teams")) /* teams: on create by UUID, later by the team endpoints */
		return CF_OK;
	if (!strcmp(key, "cluster")) {
		const char *id = NULL;
		int rc = resolve_cluster(c, r, &id, err);
		if (rc == CF_OK)
			cJSON_AddStringToObject(b, "cluster_id", id);
		return rc;
	}
	cJSON_AddItemToObject(b, key, cJSON_Duplicate(v, 1));
	return CF_OK;
}

static const char *const body_keys[] = {
	"name", "repository", "cluster", "cluster_id", "configuration", "pipeline_template_uuid", "description",
	"default_branch", "branch_configuration", "skip_queued_branch_builds", "skip_queued_branch_builds_filter",
	"cancel_running_branch_builds", "cancel_running_branch_builds_filter", "allow_rebuilds",
	"clone_mirror_url", "default_command_step_timeout", "maximum_command_step_timeout", "visibility", "tags",
	"provider_settings", NULL,
};

static int create_body(cJSON **out, cf_bk_conn *c, const cf_resource *r, cf_error *err)
{
	cJSON *b = cJSON_CreateObject();
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && body_keys[i]; i++)
		rc = put_field(b, c, r, body_keys[i], err);
	cJSON_AddStringToObject(b, "slug", r->name);
	if (rc == CF_OK)
		rc = cf_bk_pipeline_teams_body(b, c, r, err);
	*out = b;
	return rc;
}

static bool changes(const cf_change *ch, const char *path)
{
	for (size_t i = 0; i < ch->fields.count; i++)
		if (!strcmp(ch->fields.items[i].path, path))
			return true;
	return false;
}

/* The changed fields only; the slug with every name change and with a
 * renamed_from rename. */
static int update_body(cJSON **out, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *b = cJSON_CreateObject();
	int rc = CF_OK;
	for (size_t i = 0; rc == CF_OK && i < ch->fields.count; i++) {
		const char *path = ch->fields.items[i].path;
		if (!strncmp(path, "spec.", 5))
			rc = put_field(b, c, ch->res, path + 5, err);
	}
	if (cJSON_HasObjectItem(b, "name") || changes(ch, "metadata.slug"))
		cJSON_AddStringToObject(b, "slug", ch->res->name);
	*out = b;
	return rc;
}

int cf_bk_pipeline_get(cJSON **found, cf_bk_conn *c, const void *slug, cf_error *err)
{
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s", e);
	int rc = cf_http_request(found, c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	free(path);
	free(e);
	if (rc == CF_ENOTFOUND) {
		cf_error_clear(err);
		*found = NULL;
		return CF_OK;
	}
	return rc;
}

/* Whether the pipeline at slug is archived (or not) as wanted. */
static int archived_as(bool *there, cf_bk_conn *c, const char *slug, bool archived, cf_error *err)
{
	cJSON *now = NULL;
	int rc = cf_bk_pipeline_get(&now, c, slug, err);
	*there = now && cf_bk_set(now, "archived_at") == archived;
	cJSON_Delete(now);
	return rc;
}

/* archive or unarchive, after a fresh read: already there is done. The API
 * answers 422 "Pipeline could not be (un)archived." (docs pipelines.md) for
 * a pipeline already so, which a retry after a lost answer meets: a re-read
 * showing the wanted state makes it done. */
static int set_archived(cf_bk_conn *c, const char *slug, bool archived, cf_error *err)
{
	bool there = false;
	int rc = archived_as(&there, c, slug, archived, err);
	if (rc != CF_OK || there)
		return rc;
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s/%s", e, archived ? "archive" : "unarchive");
	cJSON *answer = NULL;
	rc = cf_http_request(&answer, c->base.impl, "POST", CF_HTTP_IDEMPOTENT, NULL, path, err);
	if (rc == CF_EAPI) {
		cf_error again = {0};
		if (archived_as(&there, c, slug, archived, &again) == CF_OK && there) {
			cf_error_clear(err);
			rc = CF_OK;
		}
		cf_error_clear(&again);
	}
	cJSON_Delete(answer);
	free(path);
	free(e);
	return rc;
}

/* The slug the pipeline has now: the manifest's once a rename planned in
 * this run has landed, else the live one the plan read. */
static const char *slug_now(cf_bk_conn *c, const cf_change *ch)
{
	if (!ch->res || !ch->name || !strcmp(ch->res->name, ch->name))
		return ch->res ? ch->res->name : ch->name;
	cJSON *p = NULL;
	cf_error miss = {0};
	int rc = cf_bk_pipeline_get(&p, c, ch->res->name, &miss);
	cf_error_clear(&miss);
	bool renamed = rc == CF_OK && p;
	cJSON_Delete(p);
	return renamed ? ch->res->name : ch->name;
}

/* docs Update; tf Update: unarchive, PATCH, team associations, archive
 * last; the PATCH goes to the live slug, which a rename changes. */
static int send_update(cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *body = NULL, *answer = NULL, *api = ch->live ? cf_live_api(ch->live) : NULL;
	int rc = update_body(&body, c, ch, err);
	bool frozen = cJSON_IsTrue(cf_json_path(ch->res->doc, "spec.archived"));
	bool was = api && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(api, "active"));
	const char *slug = ch->name;
	if (rc == CF_OK && was) /* tf Update: the API refuses updates to an archived pipeline */
		rc = set_archived(c, slug, false, err);
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s", e);
	char *text = cJSON_PrintUnformatted(body);
	if (rc == CF_OK && body->child)
		rc = cf_http_request(&answer, c->base.impl, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	if (rc == CF_OK && cJSON_HasObjectItem(body, "slug"))
		slug = ch->res->name;
	if (rc == CF_OK && changes(ch, "spec.teams"))
		rc = cf_bk_pipeline_teams_apply(c, ch, str(api, "id"), err);
	if (rc == CF_OK && was && frozen) /* it stays archived: no activation change is planned */
		rc = set_archived(c, slug, true, err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	cJSON_Delete(api);
	free(text);
	free(path);
	free(e);
	return rc;
}

/* tf util.go activeJobsRegex: how the API words a delete refused while
 * builds or jobs run (tf util_test.go: "Cannot delete pipeline with active
 * builds"). Only a 422 is read so: a proxy's page never is. */
static bool builds_running(const cf_http_call *call)
{
	regex_t re;
	if (call->status != 422 || !call->error || regcomp(&re, "(active|running)[[:space:]]+(builds|jobs)|"
			"(builds?|jobs?)[[:space:]]+are[[:space:]]+running", REG_EXTENDED | REG_ICASE | REG_NOSUB))
		return false;
	bool hit = regexec(&re, call->error, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

typedef struct deletion {
	cf_bk_conn *c;
	char *path;
	char *refusal; /* the API's last refusal, for the timeout's message */
} deletion;

static int poll_delete(void *ud, cf_error *err)
{
	deletion *d = ud;
	cf_http_call call;
	cf_http_call_init(&call, "DELETE", CF_HTTP_IDEMPOTENT, NULL, "%s", d->path);
	int rc = cf_http_run(d->c->base.impl, &call, 1, err);
	int out = rc == CF_OK || call.status == 404 ? 1 : builds_running(&call) ? 0 : rc;
	if (out >= 0)
		cf_error_clear(err);
	if (out == 0) {
		free(d->refusal);
		d->refusal = cf_xstrdup(call.error);
	}
	cf_http_call_clear(&call);
	return out;
}

static int delete_pipeline(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	char *e = cf_http_escape(ch->name);
	deletion d = {.c = cf_bk_of(ctx->conn), .path = cf_bk_path(d.c, "/pipelines/%s", e)};
	int rc = cf_apply_wait_for(ctx, "waiting for running builds", poll_delete, &d, err);
	if (rc == CF_ETIMEOUT)
		rc = cf_error_set(err, CF_ETIMEOUT, "%s: not deleted: builds were still running when the wait "
				  "timeout ran out (%s); let them finish or cancel them, then apply again, or raise "
				  "--wait-timeout", ch->address, d.refusal ? d.refusal : "refused");
	free(d.refusal);
	free(d.path);
	free(e);
	return rc;
}

static int create(cf_apply_ctx *ctx, cf_bk_conn *c, const cf_change *ch, cf_error *err)
{
	cJSON *body = NULL, *answer = NULL;
	int rc = create_body(&body, c, ch->res, err);
	char *text = cJSON_PrintUnformatted(body), *coll = cf_bk_path(c, "/pipelines");
	if (rc == CF_OK)
		rc = cf_bk_create(&answer, c, coll, text, cf_bk_pipeline_get, ch->res->name, err);
	if (rc == CF_OK)
		cf_apply_created(ctx, ch->address, str(answer, "slug"));
	cJSON_Delete(answer);
	cJSON_Delete(body);
	free(text);
	free(coll);
	return rc;
}

static int apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	if (ch->action == CF_ACTIVATE || ch->action == CF_DEACTIVATE)
		return set_archived(c, slug_now(c, ch), ch->action == CF_DEACTIVATE, err);
	if (ch->action == CF_UPDATE)
		return send_update(c, ch, err);
	if (ch->action == CF_DELETE && !ch->res) /* pruned pipelines are archived, never deleted */
		return set_archived(c, ch->name, true, err);
	if (ch->action == CF_DELETE)
		return delete_pipeline(ctx, ch, err);
	return create(ctx, c, ch, err);
}

/* write_pipelines always; write_teams when the change touches teams. */
static int preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	static const char *const need[] = {"write_pipelines", NULL};
	static const char *const teams[] = {"write_pipelines", "write_teams", NULL};
	bool with_teams = changes(ch, "spec.teams") ||
			  (ch->action == CF_CREATE && ch->res && cJSON_GetArraySize(cf_json_path(ch->res->doc, "spec.teams")));
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), with_teams ? teams : need,
				    with_teams ? "changing pipelines and their teams" : "changing pipelines", err);
}

const cf_kind cf_bk_pipeline_kind = {
	.name = "Pipeline",
	.api_version = "buildkite/v1",
	.noun = "pipeline",
	.fields = cf_bk_pipeline_fields,
	.has_project = false,
	.has_name = true,
	.name_key = "slug",
	.address = NULL,
	.absent_refusal = NULL,
	.check = cf_bk_pipeline_check,
	.check_set = NULL,
	.schema_rules = NULL,
	.diff = pipeline_diff,
	.has_active = true,
	.read_live = cf_bk_pipeline_read_live,
	.apply = apply,
	.live_problem = NULL,
	.preflight = preflight,
	.values_hidden = NULL,
	.unverified = NULL,
	.delete_note = NULL, /* ensure: absent deletes */
	.prune_note = "archived, not deleted: a pruned pipeline is archived (its builds kept), as the "
		      "Buildkite UI does",
	.activate_op = "unarchive", /* POST .../unarchive (docs pipelines.md) */
	.deactivate_op = "archive",  /* POST .../archive */
	.prune_op = "archive",
	/* "Cannot update an archived pipeline" (docs pipelines.md): while it is
	 * meant to stay archived, its field differences wait (docs/buildkite.md) */
	.frozen_while_inactive = "archived",
	.export = cf_bk_pipeline_export,
};

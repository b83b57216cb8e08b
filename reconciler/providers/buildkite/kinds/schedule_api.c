/*
 * schedule_api: the PipelineSchedule kind's writes and export (schedule.c
 * reads and compares).
 *
 * Evidence (gob = go-buildkite pipeline_schedules.go; docs = buildkite/docs
 * pages/apis/rest_api/pipeline_schedules.md):
 * - POST /pipelines/SLUG/schedules {cronline, label, message, commit,
 *   branch, env: {NAME: VALUE}, enabled} (gob CreatePipelineSchedule);
 * - PATCH /pipelines/SLUG/schedules/ID with the changed fields (gob
 *   Update); env is sent whole, as the manifest gives it;
 * - DELETE answers 204; 404 is done.
 * tf still creates schedules through GraphQL with env as K=V lines
 * (tf graphql/pipeline_schedule.graphql); REST takes the JSON object.
 */
#include "reconciler/providers/buildkite/kinds/schedule.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/apply.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static const char *slug_of(const cf_change *ch)
{
	return ch->res ? cJSON_GetStringValue(cf_json_path(ch->res->doc, "metadata.pipeline")) : NULL;
}

static int lookup(cJSON **found, cf_bk_conn *c, const void *vkey, cf_error *err)
{
	const cf_resource *r = vkey;
	const char *slug = cJSON_GetStringValue(cf_json_path(r->doc, "metadata.pipeline"));
	cJSON *all = NULL;
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s/schedules", e);
	int rc = cf_bk_list(&all, c, path, err);
	const cJSON *s, *hit = NULL;
	cJSON_ArrayForEach(s, all)
		if (!hit && !strcmp(str(s, "label"), r->name))
			hit = s;
	*found = hit ? cJSON_Duplicate(hit, 1) : NULL;
	cJSON_Delete(all);
	free(path);
	free(e);
	return rc;
}

static void put_field(cJSON *b, const cf_resource *r, const char *key)
{
	const cJSON *v = cf_json_path(cJSON_GetObjectItemCaseSensitive(r->doc, "spec"), key);
	if (!strcmp(key, "env") && v) {
		cJSON *env = cJSON_AddObjectToObject(b, "env");
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
			cJSON_AddStringToObject(env, str(e, "name"), str(e, "value"));
	} else if (cJSON_IsString(v) || cJSON_IsBool(v)) {
		cJSON_AddItemToObject(b, key, cJSON_Duplicate(v, 1));
	}
}

/* Sends body (env may hold secrets) and wipes its text after. */
static int send(cJSON **answer, cf_bk_conn *c, const char *method, const char *path, const cJSON *b,
		int (*create)(cJSON **, cf_bk_conn *, const char *, const char *,
			      int (*)(cJSON **, cf_bk_conn *, const void *, cf_error *), const void *, cf_error *),
		const cf_resource *r, cf_error *err)
{
	char *text = cJSON_PrintUnformatted(b);
	int rc = create ? create(answer, c, path, text, lookup, r, err)
			: cf_http_request(answer, c->base.impl, method, CF_HTTP_IDEMPOTENT, text, path, err);
	memset(text, 0, strlen(text));
	free(text);
	return rc;
}

int cf_bk_schedule_apply(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	cf_bk_conn *c = cf_bk_of(ctx->conn);
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	char *slug = cf_xstrdup(cf_bk_set(api, "pipeline_slug") ? str(api, "pipeline_slug") : slug_of(ch));
	cJSON_Delete(api);
	char *e = cf_http_escape(slug), *coll = cf_bk_path(c, "/pipelines/%s/schedules", e);
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	int rc = CF_OK;
	if (ch->action == CF_CREATE) {
		cJSON_AddStringToObject(b, "label", ch->res->name);
		static const char *const keys[] = {"cronline", "branch", "commit", "message", "enabled", "env", NULL};
		for (size_t i = 0; keys[i]; i++)
			put_field(b, ch->res, keys[i]);
		rc = send(&answer, c, "POST", coll, b, cf_bk_create, ch->res, err);
		if (rc == CF_OK)
			cf_apply_created(ctx, ch->address, str(answer, "id"));
	} else {
		char *ie = cf_http_escape(ch->id), *path = cf_xasprintf("%s/%s", coll, ie);
		for (size_t i = 0; ch->action == CF_UPDATE && i < ch->fields.count; i++) {
			const char *f = ch->fields.items[i].path + strlen("spec.");
			char key[32];
			snprintf(key, sizeof(key), "%.*s", (int)strcspn(f, "."), f);
			if (!cJSON_HasObjectItem(b, key))
				put_field(b, ch->res, key);
		}
		rc = ch->action == CF_UPDATE ? send(&answer, c, "PATCH", path, b, NULL, ch->res, err)
					     : cf_http_delete(c->base.impl, path, err);
		free(path);
		free(ie);
	}
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(coll);
	free(e);
	free(slug);
	return rc;
}

int cf_bk_schedule_preflight(cf_apply_ctx *ctx, const cf_change *ch, cf_error *err)
{
	(void)ch;
	static const char *const need[] = {"write_pipelines", NULL};
	return cf_bk_require_scopes(cf_bk_of(ctx->conn), need, "changing pipeline schedules", err);
}

/* ---- export ---- */

/* A pipeline's schedules; env is left out (it may hold secrets, and an
 * omitted env keeps the live one, so the manifest plans as unchanged). */
static int export_pipeline(cf_export *out, cf_bk_conn *c, const char *slug, cf_error *err)
{
	cJSON *all = NULL;
	char *e = cf_http_escape(slug), *path = cf_bk_path(c, "/pipelines/%s/schedules", e);
	int rc = cf_bk_list(&all, c, path, err);
	const cJSON *s;
	int n = 0;
	cJSON_ArrayForEach(s, (rc == CF_OK ? all : NULL)) {
		n++;
		if (strchr(str(s, "label"), '/') || !*str(s, "label"))
			continue;
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
		cJSON_AddStringToObject(doc, "kind", "PipelineSchedule");
		cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
		cJSON_AddStringToObject(meta, "pipeline", slug);
		cJSON_AddStringToObject(meta, "label", str(s, "label"));
		cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
		static const char *const keys[] = {"cronline", "branch", "commit", "message", NULL};
		for (size_t i = 0; keys[i]; i++)
			if (cf_bk_set(s, keys[i]))
				cJSON_AddStringToObject(spec, keys[i], str(s, keys[i]));
		cJSON_AddBoolToObject(spec, "enabled", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "enabled")));
		char *file = cf_xasprintf("schedule-%s-%d.yaml", slug, n);
		cf_export_add(out, "pipelines", file, doc);
		free(file);
	}
	cJSON_Delete(all);
	free(path);
	free(e);
	return rc;
}

/* export --pipeline SLUG exports its schedules too (scope.projects); the
 * Pipeline kind's export, first, refused unknown slugs. */
int cf_bk_schedule_export(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_bk_export_ctx *ctx = vctx;
	int rc = CF_OK;
	cJSON *pipelines = NULL;
	if (ctx->scope->all) {
		char *path = cf_bk_path(ctx->c, "/pipelines");
		rc = cf_bk_list(&pipelines, ctx->c, path, err);
		free(path);
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, pipelines)
		if (rc == CF_OK)
			rc = export_pipeline(out, ctx->c, str(p, "slug"), err);
	cJSON_Delete(pipelines);
	for (size_t i = 0; rc == CF_OK && !ctx->scope->all && i < ctx->scope->nprojects; i++)
		rc = export_pipeline(out, ctx->c, ctx->scope->projects[i], err);
	return rc;
}

/*
 * pipeline_export: `ciform export --pipeline SLUG` (and the whole list for
 * an export of everything) as Pipeline manifests that plan as unchanged:
 * defaults left out, the cluster by name, `archived: true` for an archived
 * pipeline, and `teams` when any team holds the pipeline.
 *
 * Teams are read as the plan reads them (pipeline_teams.c: GET /teams and
 * each team's pipelines) and only when the token has read_teams: without it
 * the manifest leaves `teams` out, which keeps the live associations, so
 * the round trip still plans as unchanged.
 */
#include "reconciler/providers/buildkite/kinds/pipeline.h"
#include "reconciler/providers/buildkite/export.h"
#include "reconciler/manifest.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

static void export_value(cJSON *spec, const cJSON *p, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);
	if (!v || cJSON_IsNull(v))
		return;
	char *text = cJSON_PrintUnformatted(v);
	bool is_default = dflt && !strcmp(text, dflt);
	free(text);
	if (!is_default)
		cJSON_AddItemToObject(spec, key, cJSON_Duplicate(v, 1));
}

static cJSON *pipeline_doc(const cJSON *p, const cJSON *clusters, const cJSON *team_map)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "apiVersion", "buildkite/v1");
	cJSON_AddStringToObject(doc, "kind", "Pipeline");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "metadata"), "slug", str(p, "slug"));
	cJSON *spec = cJSON_AddObjectToObject(doc, "spec");
	cJSON_AddStringToObject(spec, "name", str(p, "name"));
	cJSON_AddStringToObject(spec, "repository", str(p, "repository"));
	const char *cname = cf_bk_cluster_name(clusters, str(p, "cluster_id"));
	if (cname)
		cJSON_AddStringToObject(spec, "cluster", cname);
	else
		export_value(spec, p, "cluster_id", NULL);
	static const char *const keys[][2] = {
		{"configuration", NULL}, {"pipeline_template_uuid", NULL}, {"description", NULL},
		{"default_branch", NULL}, {"branch_configuration", NULL}, {"skip_queued_branch_builds", "false"},
		{"skip_queued_branch_builds_filter", NULL}, {"cancel_running_branch_builds", "false"},
		{"cancel_running_branch_builds_filter", NULL}, {"allow_rebuilds", "true"}, {"clone_mirror_url", NULL},
		{"default_command_step_timeout", NULL}, {"maximum_command_step_timeout", NULL},
		{"visibility", "\"private\""}, {"tags", "[]"},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		export_value(spec, p, keys[i][0], keys[i][1]);
	const cJSON *teams = cJSON_GetObjectItemCaseSensitive(team_map, str(p, "id"));
	if (cJSON_IsObject(teams) && teams->child)
		cJSON_AddItemToObject(spec, "teams", cf_bk_pipeline_norm_teams(teams, false, NULL));
	if (cf_bk_set(p, "archived_at"))
		cJSON_AddTrueToObject(spec, "archived");
	return doc;
}

/* The team associations, when the token may read them (NULL map: not). */
static int read_team_map(cJSON **map, cf_bk_conn *c, cf_error *err)
{
	static const char *const need[] = {"read_teams", NULL};
	*map = NULL;
	int rc = cf_bk_require_scopes(c, need, "exporting pipeline teams", err);
	if (rc == CF_EAUTH && c->scopes) { /* the scopes were read: read_teams is not among them */
		cf_error_clear(err);
		return CF_OK;
	}
	return rc == CF_OK ? cf_bk_pipeline_team_map(map, c, err) : rc;
}

/* export --pipeline SLUG (scope.projects; docs/buildkite.md): each read with
 * GET /pipelines/SLUG, a slug the organisation lacks is CF_ENOTFOUND; the
 * scope's "all" reads the whole list. */
int cf_bk_pipeline_export(cf_export *out, const void *vctx, cf_error *err)
{
	const cf_bk_export_ctx *ctx = vctx;
	if (!ctx->scope->all && !ctx->scope->nprojects)
		return CF_OK;
	const cJSON *clusters = NULL;
	cJSON *all = NULL, *team_map = NULL;
	int rc = cf_bk_clusters(&clusters, ctx->c, err);
	if (rc == CF_OK && ctx->scope->all) {
		char *path = cf_bk_path(ctx->c, "/pipelines");
		rc = cf_bk_list(&all, ctx->c, path, err);
		free(path);
	}
	for (size_t i = 0; rc == CF_OK && !ctx->scope->all && i < ctx->scope->nprojects; i++) {
		cJSON *one = NULL;
		const char *slug = ctx->scope->projects[i];
		rc = cf_bk_pipeline_get(&one, ctx->c, slug, err);
		if (rc == CF_OK && !one)
			rc = cf_error_set(err, CF_ENOTFOUND, "the organization has no pipeline '%s'", slug);
		if (!all)
			all = cJSON_CreateArray();
		if (one)
			cJSON_AddItemToArray(all, one);
	}
	if (rc == CF_OK && cJSON_GetArraySize(all))
		rc = read_team_map(&team_map, ctx->c, err);
	const cJSON *p;
	const cJSON *list = rc == CF_OK ? all : NULL;
	cJSON_ArrayForEach(p, list) {
		if (!cf_schema_matches(CF_BK_PIPELINE_SLUG, str(p, "slug")))
			continue; /* not a slug this API makes: no file name can hold it safely */
		char *file = cf_xasprintf("pipeline-%s.yaml", str(p, "slug"));
		cf_export_add(out, "pipelines", file, pipeline_doc(p, clusters, team_map));
		free(file);
	}
	cJSON_Delete(team_map);
	cJSON_Delete(all);
	return rc;
}

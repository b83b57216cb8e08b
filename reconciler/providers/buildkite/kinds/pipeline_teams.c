/*
 * pipeline_teams: a Pipeline's `teams`, the map of team slug to access
 * level, against the REST API. No endpoint lists a pipeline's teams, so the
 * plan reads GET /teams and each team's pipelines, once per run and only
 * when some manifest gives `teams`; the associations then change through
 * the team pipelines endpoints.
 *
 * Evidence (docs = buildkite/docs pages/apis/rest_api/, gob = go-buildkite):
 * - GET /teams lists the teams (id, slug, name), paged (docs teams.md "List
 *   teams", scope read_teams; gob teams.go);
 * - GET /teams/UUID/pipelines lists {pipeline_id, access_level}, paged;
 *   POST /teams/UUID/pipelines {pipeline_id, access_level} answers 201,
 *   PATCH /teams/UUID/pipelines/PIPELINE_UUID {access_level} 200, DELETE
 *   204 (docs teams/pipelines.md; gob team_pipelines.go). The docs name the
 *   reads' scope view_teams, a scope no token has (docs
 *   managing_api_tokens.md lists read_teams and write_teams), so ciform asks
 *   for read_teams;
 * - a team is addressed by its UUID, never its slug (docs teams/pipelines.md
 *   paths {team.uuid}), so a slug becomes the UUID GET /teams gives;
 * - the docs' create answer spells read_only "read" (teams/pipelines.md
 *   "Create a team pipeline"), so a live "read" compares as read_only;
 * - a pipeline create takes teams {UUID: level} (docs pipelines.md "Create a
 *   YAML pipeline"); an update does not ("To update a pipeline's teams,
 *   please use the GraphQL API": docs pipelines.md Update), hence the team
 *   pipelines endpoints after a create.
 */
#include "reconciler/providers/buildkite/kinds/pipeline.h"
#include "reconciler/live.h"
#include "reconciler/manifest.h"
#include "reconciler/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cf_bk_pipeline_wants_teams(const cf_resource_set *set)
{
	for (size_t i = 0; set && i < set->count; i++)
		if (set->items[i].kind == &cf_bk_pipeline_kind && !set->items[i].absent &&
		    cf_json_path(set->items[i].doc, "spec.teams"))
			return true;
	return false;
}

int cf_bk_teams(const cJSON **out, cf_bk_conn *c, cf_error *err)
{
	cJSON *cache = cf_http_cache(c->base.impl);
	cJSON *teams = cJSON_GetObjectItemCaseSensitive(cache, "bk_teams");
	if (!teams) {
		char *path = cf_bk_path(c, "/teams");
		int rc = cf_bk_list(&teams, c, path, err);
		free(path);
		if (rc != CF_OK)
			return rc;
		cJSON_AddItemToObject(cache, "bk_teams", teams);
	}
	*out = teams;
	return CF_OK;
}

static const cJSON *team_by(const cJSON *teams, const char *key, const char *value)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, teams)
		if (!strcmp(cf_bk_str(t, key), value))
			return t;
	return NULL;
}

int cf_bk_pipeline_team_map(cJSON **out, cf_bk_conn *c, cf_error *err)
{
	const cJSON *teams = NULL, *t;
	int rc = cf_bk_teams(&teams, c, err);
	*out = cJSON_CreateObject();
	const cJSON *walk = rc == CF_OK ? teams : NULL;
	cJSON_ArrayForEach(t, walk) {
		cJSON *list = NULL;
		char *e = cf_http_escape(cf_bk_str(t, "id")), *path = cf_bk_path(c, "/teams/%s/pipelines", e);
		rc = cf_bk_list(&list, c, path, err);
		free(path);
		free(e);
		if (rc != CF_OK)
			break;
		const cJSON *tp;
		cJSON_ArrayForEach(tp, list) {
			const char *pid = cf_bk_str(tp, "pipeline_id");
			cJSON *of = cJSON_GetObjectItemCaseSensitive(*out, pid);
			if (!*pid)
				continue;
			if (!of)
				of = cJSON_AddObjectToObject(*out, pid);
			cJSON_DeleteItemFromObjectCaseSensitive(of, cf_bk_str(t, "slug"));
			cJSON_AddStringToObject(of, cf_bk_str(t, "slug"), cf_bk_str(tp, "access_level"));
		}
		cJSON_Delete(list);
	}
	if (rc != CF_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

void cf_bk_pipeline_check_teams(const cf_resource_set *set, const cJSON *teams, cf_diags *diags)
{
	for (size_t i = 0; i < set->count; i++) {
		const cf_resource *r = &set->items[i];
		const cJSON *t;
		if (r->kind != &cf_bk_pipeline_kind || r->absent)
			continue;
		cJSON_ArrayForEach(t, cf_json_path(r->doc, "spec.teams"))
			if (!team_by(teams, "slug", t->string)) {
				char *path = cf_xasprintf("spec.teams.%s", t->string);
				cf_resource_diag(diags, r, path, "%s: the organization has no team '%s'", path, t->string);
				free(path);
			}
	}
}

static const char *level_of(const cJSON *v)
{
	const char *s = cJSON_GetStringValue(v);
	return s && !strcmp(s, "read") ? "read_only" : s ? s : "";
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

cJSON *cf_bk_pipeline_norm_teams(const cJSON *v, bool desired, cf_diff_ctx *ctx)
{
	(void)desired;
	(void)ctx;
	int n = cJSON_GetArraySize(v), m = 0;
	const cJSON **items = cf_xcalloc((size_t)n + 1, sizeof(*items)), *t;
	const cJSON *map = cJSON_IsObject(v) ? v : NULL;
	cJSON_ArrayForEach(t, map)
		items[m++] = t;
	qsort(items, (size_t)m, sizeof(*items), cmp_key);
	cJSON *out = cJSON_CreateObject();
	for (int i = 0; i < m; i++)
		cJSON_AddStringToObject(out, items[i]->string, level_of(items[i]));
	free(items);
	return out;
}

int cf_bk_pipeline_teams_body(cJSON *body, cf_bk_conn *c, const cf_resource *r, cf_error *err)
{
	const cJSON *want = cf_json_path(r->doc, "spec.teams"), *teams = NULL, *t;
	if (!cJSON_IsObject(want) || !want->child)
		return CF_OK;
	int rc = cf_bk_teams(&teams, c, err);
	cJSON *map = cJSON_AddObjectToObject(body, "teams");
	const cJSON *walk = rc == CF_OK ? want : NULL;
	cJSON_ArrayForEach(t, walk) {
		const cJSON *team = team_by(teams, "slug", t->string);
		if (!team)
			return cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no team '%s'", r->address,
					    t->string);
		cJSON_AddStringToObject(map, cf_bk_str(team, "id"), level_of(t));
	}
	return rc;
}

typedef struct assoc {
	const char *team_id, *pipeline_id;
} assoc;

static char *assoc_path(cf_bk_conn *c, const assoc *a)
{
	char *t = cf_http_escape(a->team_id), *p = cf_http_escape(a->pipeline_id);
	char *path = cf_bk_path(c, "/teams/%s/pipelines/%s", t, p);
	free(t);
	free(p);
	return path;
}

/* The association, for cf_bk_create: NULL when there is none (404). */
static int find_assoc(cJSON **found, cf_bk_conn *c, const void *key, cf_error *err)
{
	char *path = assoc_path(c, key);
	int rc = cf_http_request(found, c->base.impl, "GET", CF_HTTP_IDEMPOTENT, NULL, path, err);
	free(path);
	if (rc == CF_ENOTFOUND) {
		cf_error_clear(err);
		*found = NULL;
		return CF_OK;
	}
	return rc;
}

/* One association to its level: POST when new (looked up before a retry:
 * a POST carries no idempotency key), PATCH when it differs. */
static int set_level(cf_bk_conn *c, const assoc *a, const char *level, bool exists, cf_error *err)
{
	cJSON *b = cJSON_CreateObject(), *answer = NULL;
	if (!exists)
		cJSON_AddStringToObject(b, "pipeline_id", a->pipeline_id);
	cJSON_AddStringToObject(b, "access_level", level);
	char *text = cJSON_PrintUnformatted(b), *path = NULL;
	int rc;
	if (!exists) {
		char *t = cf_http_escape(a->team_id);
		path = cf_bk_path(c, "/teams/%s/pipelines", t);
		free(t);
		rc = cf_bk_create(&answer, c, path, text, find_assoc, a, err);
	} else {
		path = assoc_path(c, a);
		rc = cf_http_request(&answer, c->base.impl, "PATCH", CF_HTTP_IDEMPOTENT, text, path, err);
	}
	cJSON_Delete(answer);
	cJSON_Delete(b);
	free(text);
	free(path);
	return rc;
}

int cf_bk_pipeline_teams_apply(cf_bk_conn *c, const cf_change *ch, const char *pipeline_id, cf_error *err)
{
	const cJSON *want = cf_json_path(ch->res->doc, "spec.teams"), *teams = NULL, *t;
	cJSON *api = ch->live ? cf_live_api(ch->live) : NULL;
	cJSON *have = cf_bk_pipeline_norm_teams(cJSON_GetObjectItemCaseSensitive(api, "teams"), false, NULL);
	cJSON_Delete(api);
	int rc = cf_bk_teams(&teams, c, err);
	/* additions and level changes first, removals last: a token that is no
	 * administrator never drops the team it manages the pipeline through
	 * before the new one is there */
	const cJSON *adds = rc == CF_OK ? want : NULL;
	cJSON_ArrayForEach(t, adds) {
		const cJSON *team = team_by(teams, "slug", t->string), *now = cJSON_GetObjectItemCaseSensitive(have, t->string);
		if (!team) {
			rc = cf_error_set(err, CF_ENOTFOUND, "%s: the organization has no team '%s'", ch->address, t->string);
			break;
		}
		assoc a = {.team_id = cf_bk_str(team, "id"), .pipeline_id = pipeline_id};
		if (!now || strcmp(level_of(now), level_of(t)) != 0)
			rc = set_level(c, &a, level_of(t), now != NULL, err);
		if (rc != CF_OK)
			break;
	}
	const cJSON *drops = rc == CF_OK ? have : NULL;
	cJSON_ArrayForEach(t, drops) {
		const cJSON *team = team_by(teams, "slug", t->string);
		if (cJSON_HasObjectItem(want, t->string) || !team)
			continue; /* a team gone since the plan has no association left */
		assoc a = {.team_id = cf_bk_str(team, "id"), .pipeline_id = pipeline_id};
		char *path = assoc_path(c, &a);
		rc = cf_http_delete(c->base.impl, path, err); /* docs: 204; 404: gone already */
		free(path);
		if (rc != CF_OK)
			break;
	}
	cJSON_Delete(have);
	return rc;
}

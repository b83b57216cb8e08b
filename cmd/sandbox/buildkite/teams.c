/*
 * teams: the sandbox's /v2/organizations/ORG/teams routes that ciform uses:
 * the team list and each team's pipelines (docs = buildkite/docs
 * pages/apis/rest_api/teams.md and teams/pipelines.md; gob = go-buildkite
 * teams.go, team_pipelines.go).
 *
 * State (under "buildkite"):
 *   "teams": [{"id": UUID, "slug", "name", "privacy", "default"}]
 *   "team_pipelines": [{"team_id": UUID, "pipeline_id": UUID, "access_level",
 *                       "created_at"}]   (pipelines.c adds them on a create
 *                                         with teams, drops them on a delete)
 */
#include "cmd/sandbox/buildkite/bk_sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *bkx_list(bkx_call *c, const char *name)
{
	cJSON *l = cJSON_GetObjectItemCaseSensitive(c->bk, name);
	if (!cJSON_IsArray(l)) {
		cJSON_DeleteItemFromObjectCaseSensitive(c->bk, name);
		l = cJSON_AddArrayToObject(c->bk, name);
	}
	return l;
}

/* docs teams/pipelines.md "Team pipeline data model": the three levels */
bool bkx_team_level(const char *v)
{
	return v && (!strcmp(v, "read_only") || !strcmp(v, "build_and_read") || !strcmp(v, "manage_build_and_read"));
}

void bkx_team_pipeline_add(bkx_call *c, const char *team_id, const char *pipeline_id, const char *level)
{
	cJSON *tp = cJSON_CreateObject();
	cJSON_AddStringToObject(tp, "team_id", team_id);
	cJSON_AddStringToObject(tp, "pipeline_id", pipeline_id);
	cJSON_AddStringToObject(tp, "access_level", level);
	char *now = sbx_iso_time();
	cJSON_AddStringToObject(tp, "created_at", now);
	free(now);
	cJSON_AddItemToArray(bkx_list(c, "team_pipelines"), tp);
}

void bkx_team_pipelines_drop(bkx_call *c, const char *pipeline_id)
{
	cJSON *l = bkx_list(c, "team_pipelines"), *tp = l->child;
	while (tp) {
		cJSON *next = tp->next;
		if (!strcmp(sbx_str(tp, "pipeline_id"), pipeline_id))
			cJSON_Delete(cJSON_DetachItemViaPointer(l, tp));
		tp = next;
	}
}

static cJSON *find_assoc(bkx_call *c, const char *team_id, const char *pipeline_id)
{
	cJSON *tp;
	cJSON_ArrayForEach(tp, bkx_list(c, "team_pipelines"))
		if (!strcmp(sbx_str(tp, "team_id"), team_id) && !strcmp(sbx_str(tp, "pipeline_id"), pipeline_id))
			return tp;
	return NULL;
}

/* docs: {access_level, created_at, pipeline_id, pipeline_url} */
static cJSON *shown(bkx_call *c, const cJSON *tp)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_level", sbx_str(tp, "access_level"));
	cJSON_AddStringToObject(o, "created_at", sbx_str(tp, "created_at"));
	cJSON_AddStringToObject(o, "pipeline_id", sbx_str(tp, "pipeline_id"));
	const cJSON *p = sbx_find(cJSON_GetObjectItemCaseSensitive(c->bk, "pipelines"), "id", sbx_str(tp, "pipeline_id"));
	char url[512];
	snprintf(url, sizeof(url), "https://api.buildkite.com/v2/organizations/%s/pipelines/%s",
		 sbx_str(c->bk, "organization"), sbx_str(p, "slug"));
	cJSON_AddStringToObject(o, "pipeline_url", url);
	return o;
}

static void list_pipelines(bkx_call *c, const cJSON *team)
{
	cJSON *out = cJSON_CreateArray(), *tp;
	cJSON_ArrayForEach(tp, bkx_list(c, "team_pipelines"))
		if (!strcmp(sbx_str(tp, "team_id"), sbx_str(team, "id")))
			cJSON_AddItemToArray(out, shown(c, tp));
	bkx_page(c, out, c->url);
	cJSON_Delete(out);
}

/* docs "Create a team pipeline": pipeline_id and access_level required, 201;
 * 422 {"message": "Validation failed: ..."} otherwise */
static void create(bkx_call *c, const cJSON *team)
{
	const char *pid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "pipeline_id"));
	const char *level = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "access_level"));
	if (!pid || !sbx_find(cJSON_GetObjectItemCaseSensitive(c->bk, "pipelines"), "id", pid))
		return bkx_fail(c, 422, "Validation failed: Pipeline can't be blank");
	if (!bkx_team_level(level))
		return bkx_fail(c, 422, "Validation failed: Access level is not included in the list");
	if (find_assoc(c, sbx_str(team, "id"), pid))
		return bkx_fail(c, 422, "Validation failed: Pipeline has already been taken");
	bkx_team_pipeline_add(c, sbx_str(team, "id"), pid, level);
	cJSON *l = bkx_list(c, "team_pipelines");
	bkx_answer(c, 201, shown(c, cJSON_GetArrayItem(l, cJSON_GetArraySize(l) - 1)));
}

/* /teams/UUID/pipelines[/PIPELINE_UUID] */
static void team_pipelines(bkx_call *c, const cJSON *team, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	/* docs say view_teams for the reads, a scope no token has (docs
	 * managing_api_tokens.md lists read_teams, write_teams) */
	if (!bkx_scope(c, get ? "read_teams" : "write_teams"))
		return;
	if ((!*rest || !strcmp(rest, "/")) && get)
		return list_pipelines(c, team);
	if ((!*rest || !strcmp(rest, "/")) && !strcmp(c->method, "POST")) /* the docs' curl ends in "/" */
		return create(c, team);
	cJSON *tp = *rest == '/' ? find_assoc(c, sbx_str(team, "id"), rest + 1) : NULL;
	if (!tp)
		return bkx_fail(c, 404, "Not Found");
	if (get)
		return bkx_answer(c, 200, shown(c, tp));
	if (!strcmp(c->method, "PATCH")) { /* docs "Update a team pipeline": access_level required */
		const char *level = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->body, "access_level"));
		if (!bkx_team_level(level))
			return bkx_fail(c, 422, "Validation failed: Access level is not included in the list");
		cJSON_ReplaceItemInObjectCaseSensitive(tp, "access_level", cJSON_CreateString(level));
		return bkx_answer(c, 200, shown(c, tp));
	}
	if (!strcmp(c->method, "DELETE")) { /* docs "Delete a team pipeline": 204 */
		cJSON_Delete(cJSON_DetachItemViaPointer(bkx_list(c, "team_pipelines"), tp));
		c->rs->status = 204;
		c->rs->text = strdup("");
		return;
	}
	bkx_fail(c, 404, "Not Found");
}

void bkx_teams(bkx_call *c, const char *rest)
{
	bool get = !strcmp(c->method, "GET");
	if (!*rest) { /* docs "List teams": read_teams, paged */
		if (get && bkx_scope(c, "read_teams"))
			bkx_page(c, bkx_list(c, "teams"), c->url);
		else if (!get)
			bkx_fail(c, 404, "Not Found");
		return;
	}
	char id[64];
	int off = 0;
	if (sscanf(rest, "/%63[^/]%n", id, &off) != 1)
		return bkx_fail(c, 404, "Not Found");
	/* docs: teams are addressed by {team.uuid}; a slug is not found */
	const cJSON *team = sbx_find(bkx_list(c, "teams"), "id", id);
	if (!team)
		return bkx_fail(c, 404, "No team found");
	if (!strncmp(rest + off, "/pipelines", 10))
		return team_pipelines(c, team, rest + off + 10);
	if (rest[off] || !get)
		return bkx_fail(c, 404, "Not Found");
	if (bkx_scope(c, "read_teams")) /* docs "Get a team" */
		bkx_answer(c, 200, cJSON_Duplicate(team, 1));
}

/*
 * pipeline: the Pipeline manifest (apiVersion buildkite/v1): its fields,
 * the offline checks validate makes, and what a plan compares.
 *
 * Spec keys are the REST field names (docs pages/apis/rest_api/pipelines.md
 * "Create a YAML pipeline"). The schema walker cannot say a list of strings
 * (tags) or a map of documented keys holding booleans and strings
 * (provider_settings), nor keep an explicit null, so those are read from the
 * YAML here. The offline checks are the Terraform provider's
 * (tf buildkite/resource_pipeline.go branchFilterValidator,
 * filterConditionValidator) and `bk pipeline validate`'s fallback for the
 * steps YAML (cli cmd/pipeline/validate.go). `teams` is a map of team
 * slug to access level (docs pages/apis/rest_api/teams/pipelines.md: the
 * levels read_only, build_and_read, manage_build_and_read), and
 * metadata.renamed_from lists the slugs the pipeline had before, as on
 * Cluster. The API's apply side is pipeline_api.c.
 */
#include "reconciler/providers/buildkite/kinds/pipeline.h"
#include "reconciler/locs.h"
#include "reconciler/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const visibilities[] = {"private", "public", NULL};

/* docs pipelines.md "Provider settings properties" */
static const char *const provider_keys[] = {
	"build_branches", "build_check_run_completed", "build_create_event", "build_deployment_status_created",
	"build_issue_comment_created", "build_merge_group_checks_requested",
	"build_pull_request_base_branch_changed", "build_pull_request_converted_to_draft",
	"build_pull_request_dequeued", "build_pull_request_edited", "build_pull_request_forks",
	"build_pull_request_labels_changed", "build_pull_request_merge", "build_pull_request_merge_commits",
	"build_pull_request_ready_for_review", "build_pull_request_reopened",
	"build_pull_request_review_comment_created", "build_pull_request_review_dismissed",
	"build_pull_request_review_requested", "build_pull_request_review_submitted",
	"build_pull_request_stacks", "build_pull_requests", "build_release_created", "build_release_published",
	"build_release_released", "build_tags", "cancel_deleted_branch_builds",
	"cancel_when_merge_group_destroyed", "filter_condition", "filter_enabled",
	"github_workflow_access_tokens_enabled", "ignore_default_branch_pull_requests",
	"issue_comment_command_word", "issue_comment_match_mode", "prefix_pull_request_fork_branch_names",
	"prevent_custom_statuses_from_using_buildkite_prefix", "publish_blocked_as_pending",
	"publish_commit_status", "publish_commit_status_per_step", "pull_request_branch_filter_configuration",
	"pull_request_branch_filter_enabled", "review_comment_command_word", "review_comment_match_mode",
	"separate_pull_request_statuses", "skip_builds_for_closed_pull_requests",
	"skip_builds_for_existing_commits", "skip_pull_request_builds_for_existing_commits", "trigger_mode",
	"use_merge_group_base_commit_for_git_diff_base", "use_step_key_as_commit_status", NULL,
};

/* The keys whose explicit null clears the live value (docs pipelines.md:
 * "Set to null to remove the pipeline template"; the branch filters'
 * default is null). */
const char *const cf_bk_pipeline_nullable[] = {
	"cluster_id", "pipeline_template_uuid", "branch_configuration", "skip_queued_branch_builds_filter",
	"cancel_running_branch_builds_filter", NULL,
};

static const cf_field spec_fields[] = {
	{.key = "name", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "repository", .type = CF_T_STR, .flags = CF_F_REQUIRED},
	{.key = "cluster", .type = CF_T_STR},
	{.key = "cluster_id", .type = CF_T_STR, .match = CF_UUID_PATTERN, .match_words = "a UUID"},
	{.key = "description", .type = CF_T_STR},
	{.key = "default_branch", .type = CF_T_STR},
	{.key = "branch_configuration", .type = CF_T_STR},
	{.key = "skip_queued_branch_builds", .type = CF_T_BOOL},
	{.key = "skip_queued_branch_builds_filter", .type = CF_T_STR},
	{.key = "cancel_running_branch_builds", .type = CF_T_BOOL},
	{.key = "cancel_running_branch_builds_filter", .type = CF_T_STR},
	{.key = "allow_rebuilds", .type = CF_T_BOOL},
	{.key = "clone_mirror_url", .type = CF_T_STR},
	{.key = "default_command_step_timeout", .type = CF_T_INT},
	{.key = "maximum_command_step_timeout", .type = CF_T_INT},
	{.key = "visibility", .type = CF_T_STR, .one_of = visibilities},
	{.key = "archived", .type = CF_T_BOOL},
	{.key = "configuration", .type = CF_T_STR},
	{.key = "configuration_file", .type = CF_T_STR},
	{.key = "pipeline_template_uuid", .type = CF_T_STR, .match = CF_UUID_PATTERN, .match_words = "a UUID"},
	/* read by check(): the walker has no list of strings nor open maps */
	{.key = "tags", .type = CF_T_IGNORE, .note = "A set of strings."},
	{.key = "provider_settings", .type = CF_T_IGNORE,
	 .note = "The documented provider settings; only the keys given are compared."},
	{.key = "teams", .type = CF_T_IGNORE,
	 .note = "Team slug -> read_only, build_and_read or manage_build_and_read."},
	{.key = "env", .type = CF_T_IGNORE, .note = "Ignored with a warning: env belongs in configuration."},
	{.key = "emoji", .type = CF_T_IGNORE, .note = "Refused: the REST API never returns it."},
	{.key = "color", .type = CF_T_IGNORE, .note = "Refused: the REST API never returns it."},
	/* output-only fields of a GET answer, accepted and ignored (docs/buildkite.md) */
	{.key = "id", .type = CF_T_IGNORE},
	{.key = "graphql_id", .type = CF_T_IGNORE},
	{.key = "slug", .type = CF_T_IGNORE},
	{.key = "url", .type = CF_T_IGNORE},
	{.key = "web_url", .type = CF_T_IGNORE},
	{.key = "builds_url", .type = CF_T_IGNORE},
	{.key = "badge_url", .type = CF_T_IGNORE},
	{.key = "created_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "archived_at", .type = CF_T_IGNORE},
	{.key = "provider", .type = CF_T_IGNORE},
	{.key = "steps", .type = CF_T_IGNORE},
	{.key = "scheduled_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "running_", .type = CF_T_IGNORE, .flags = CF_F_PREFIX},
	{.key = "waiting_jobs_count", .type = CF_T_IGNORE},
	CF_FIELDS_END,
};

static const cf_field metadata_fields[] = {
	/* the slug (docs pipelines.md Update: alphanumerics and dashes, not
	 * starting with a dash; at most 100: _deriving_a_pipeline_slug...md) */
	{.key = "slug", .type = CF_T_STR, .flags = CF_F_REQUIRED, .match = CF_BK_PIPELINE_SLUG,
	 .match_words = "a slug: lowercase letters, digits and dashes, not starting with a dash, at most 100"},
	{.key = "organization", .type = CF_T_STR},
	{.key = "renamed_from", .type = CF_T_IGNORE, /* read by check() */
	 .note = "The slugs this resource had before: a list of strings."},
	CF_ENSURE_FIELD,
	CF_FIELDS_END,
};

const cf_field cf_bk_pipeline_fields[] = {CF_DOCUMENT_FIELDS(metadata_fields, spec_fields)};

static const char *str(const cJSON *o, const char *key)
{
	return cf_bk_str(o, key);
}

/* tf resource_pipeline.go branchFilterValidator: globs only. */
static void check_branch_filter(cf_kctx *kc, const char *path, const char *v)
{
	static const struct { const char *needle, *what; } bad[] = {
		{"build.", "variable references (build.)"}, {"pipeline.", "variable references (pipeline.)"},
		{"organization.", "variable references (organization.)"}, {"env(", "env() function calls"},
		{"==", "comparison operators"}, {"!=", "comparison operators"}, {"=~", "comparison operators"},
		{"!~", "comparison operators"}, {"&&", "logical operators"}, {"||", "logical operators"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(v, bad[i].needle)) {
			cf_kerr(kc, path, "%s: branch filters are glob patterns ('!main', 'feature/*'); this holds %s, "
				"which is conditional syntax (use provider_settings.filter_condition)", path, bad[i].what);
			return;
		}
}

/* tf filterConditionValidator: an =~ or !~ operand must be /.../. */
static void check_filter_condition(cf_kctx *kc, const char *path, const char *v)
{
	for (const char *op = v; (op = strstr(op, "~")); op++) {
		if (op == v || (op[-1] != '=' && op[-1] != '!'))
			continue;
		const char *rhs = op + 1;
		while (*rhs == ' ' || *rhs == '\t')
			rhs++;
		if (*rhs && *rhs != '/') {
			cf_kerr(kc, path, "%s: the operand of =~ or !~ must be a regex written /.../", path);
			return;
		}
	}
}

/* provider_settings from the YAML: documented keys, booleans or strings. */
static void read_provider_settings(cf_kctx *kc, cJSON *spec)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, "spec.provider_settings");
	if (!n || cf_yis_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE)
		return cf_kerr(kc, "spec.provider_settings", "spec.provider_settings: must be a mapping");
	cJSON *ps = cJSON_AddObjectToObject(spec, "provider_settings");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = cf_yscalar(yaml_document_get_node(kc->y->doc, p->key));
		yaml_node_t *vn = yaml_document_get_node(kc->y->doc, p->value);
		const char *v = cf_yscalar(vn);
		char path[160];
		snprintf(path, sizeof(path), "spec.provider_settings.%s", k ? k : "?");
		bool known = false;
		for (size_t i = 0; k && provider_keys[i] && !known; i++)
			known = !strcmp(provider_keys[i], k);
		if (!known) {
			cf_kerr(kc, path, "%s: not a documented provider setting", path);
			continue;
		}
		if (!v) {
			cf_kerr(kc, path, "%s: must be true, false or a string", path);
			continue;
		}
		bool plain = vn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (plain && (!strcmp(v, "true") || !strcmp(v, "false")))
			cJSON_AddBoolToObject(ps, k, !strcmp(v, "true"));
		else
			cJSON_AddStringToObject(ps, k, v);
		if (!strcmp(k, "trigger_mode") && !cf_schema_matches("code|deployment|fork|none", v))
			cf_kerr(kc, path, "%s: must be code, deployment, fork or none, not '%s'", path, v);
		if (!strcmp(k, "filter_condition"))
			check_filter_condition(kc, path, v);
		if (!strcmp(k, "pull_request_branch_filter_configuration"))
			check_branch_filter(kc, path, v);
	}
	/* tf validateFilterConditionWithTriggerMode: a non-empty filter_condition
	 * or filter_enabled: true is "only applicable when trigger_mode is set to
	 * code" (tf warns when it is none or unset; ciform for every other mode,
	 * as its words say) */
	if ((cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ps, "filter_enabled")) || *str(ps, "filter_condition")) &&
	    strcmp(str(ps, "trigger_mode"), "code") != 0)
		cf_kwarn(kc, "spec.provider_settings", "spec.provider_settings: filter_* apply only with "
			 "trigger_mode: code");
}

/* docs teams/pipelines.md "Team pipeline data model": access_level */
const char *const cf_bk_team_levels[] = {"read_only", "build_and_read", "manage_build_and_read", NULL};

/* teams from the YAML: {team-slug: level}; the slugs are checked against
 * the organisation's teams at plan time (pipeline_teams.c). */
static void read_teams(cf_kctx *kc, cJSON *spec)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, "spec.teams");
	if (!n || cf_yis_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE)
		return cf_kerr(kc, "spec.teams", "spec.teams: must be a mapping of team slug to access level "
			       "(read_only, build_and_read or manage_build_and_read)");
	cJSON *teams = cJSON_AddObjectToObject(spec, "teams");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = cf_yscalar(yaml_document_get_node(kc->y->doc, p->key));
		yaml_node_t *vn = yaml_document_get_node(kc->y->doc, p->value);
		const char *v = cf_yscalar(vn);
		char path[320];
		snprintf(path, sizeof(path), "spec.teams.%s", k ? k : "?");
		if (kc->y->locs) /* the walker skips this map: the plan's errors point at its values */
			cf_locs_add(kc->y->locs, path, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1);
		bool level = false;
		for (size_t i = 0; v && cf_bk_team_levels[i] && !level; i++)
			level = !strcmp(cf_bk_team_levels[i], v);
		if (!k || !cf_schema_matches(CF_BK_TEAM_SLUG, k))
			cf_kerr(kc, "spec.teams", "spec.teams: '%s' is not a team slug (letters, digits, '-' and '_')",
				k ? k : "?");
		else if (!level)
			cf_kerr(kc, path, "%s: must be read_only, build_and_read or manage_build_and_read, not '%s'", path,
				v ? v : "a mapping or list");
		else
			cJSON_AddStringToObject(teams, k, v);
	}
}

/* metadata.renamed_from: the slugs this pipeline had (pipeline_api.c finds
 * it under one of them when its slug is not live). */
static void read_renamed_from(cf_kctx *kc, cJSON *doc)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	yaml_node_t *n = cf_ypath(kc->y, kc->root, "metadata.renamed_from");
	if (n && kc->y->locs) /* the walker skips it: a plan error points here */
		cf_locs_add(kc->y->locs, "metadata.renamed_from", (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
	const cJSON *old = cf_bk_string_list(kc, "metadata.renamed_from", meta, "renamed_from");
	const cJSON *o;
	cJSON_ArrayForEach(o, old)
		if (!cf_schema_matches(CF_BK_PIPELINE_SLUG, o->valuestring) || !strcmp(o->valuestring, str(meta, "slug")))
			cf_kerr(kc, "metadata.renamed_from", "metadata.renamed_from: '%s' is not another pipeline slug",
				o->valuestring);
}

static void read_tags(cf_kctx *kc, cJSON *spec)
{
	yaml_node_t *n = cf_ypath(kc->y, kc->root, "spec.tags");
	if (!n || cf_yis_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE)
		return cf_kerr(kc, "spec.tags", "spec.tags: must be a list of strings");
	cJSON *tags = cJSON_AddArrayToObject(spec, "tags");
	int i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		const char *v = cf_yscalar(yaml_document_get_node(kc->y->doc, *it));
		char path[64];
		snprintf(path, sizeof(path), "spec.tags[%d]", i);
		if (!v)
			cf_kerr(kc, path, "%s: must be a string", path);
		else
			cJSON_AddItemToArray(tags, cJSON_CreateString(v));
	}
}

/* docs pipelines.md; cli cmd/pipeline/validate.go; pipeline-schema
 * test/valid-pipelines/{wait,block,input}.yml: a mapping with a non-empty
 * steps list, each step a mapping or one of the scalar steps. */
static void check_configuration(cf_kctx *kc, const char *path, const char *text)
{
	const char *why = NULL;
	size_t line = 0;
	cJSON *t = cf_bk_yaml_tree(text, &why, &line);
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(t, "steps");
	if (!t)
		cf_kerr(kc, path, "%s: not valid YAML (%s%s%zu)", path, why ? why : "?", line ? ", line " : "", line);
	else if (!cJSON_IsObject(t) || !cJSON_IsArray(steps) || !cJSON_GetArraySize(steps))
		cf_kerr(kc, path, "%s: must be a mapping with a non-empty steps list", path);
	else {
		int i = 0;
		const cJSON *s;
		cJSON_ArrayForEach(s, steps) {
			if (!cJSON_IsObject(s) && !cf_schema_matches("wait|waiter|block|input", cJSON_GetStringValue(s) ?
								     cJSON_GetStringValue(s) : "")) {
				cf_kerr(kc, path, "%s: steps[%d] must be a mapping or one of wait, waiter, block, input",
					path, i);
				break;
			}
			i++;
		}
	}
	cJSON_Delete(t);
}

static void check_sources(cf_kctx *kc, cJSON *spec)
{
	int n = cJSON_HasObjectItem(spec, "configuration") + cJSON_HasObjectItem(spec, "configuration_file") +
		cJSON_HasObjectItem(spec, "pipeline_template_uuid");
	if (n != 1)
		return cf_kerr(kc, "spec", "spec: exactly one of configuration, configuration_file and "
			       "pipeline_template_uuid is required");
	if (cJSON_HasObjectItem(spec, "configuration_file")) {
		size_t len = 0;
		char *text = cf_kread(kc, "spec.configuration_file", str(spec, "configuration_file"), 1 << 20, &len);
		if (!text)
			return;
		check_configuration(kc, "spec.configuration_file", text);
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "configuration_file");
		cJSON_AddStringToObject(spec, "configuration", text);
		free(text);
	} else if (cJSON_HasObjectItem(spec, "configuration")) {
		check_configuration(kc, "spec.configuration", str(spec, "configuration"));
	}
}

static void check(cf_kctx *kc, cJSON *doc, bool absent)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(doc, "spec");
	read_renamed_from(kc, doc);
	if (absent || !spec)
		return;
	if (cf_ypath(kc->y, kc->root, "spec.env")) /* docs pipelines.md: PATCH ignores env */
		cf_kwarn(kc, "spec.env", "spec.env: ignored, as an update would ignore it; put a YAML pipeline's "
			 "env in its configuration");
	static const char *const never_read[] = {"spec.emoji", "spec.color", NULL};
	for (size_t i = 0; never_read[i]; i++)
		if (cf_ypath(kc->y, kc->root, never_read[i]))
			/* gob pipelines.go Pipeline: the REST answer has neither */
			cf_kerr(kc, never_read[i], "%s: not supported on Pipeline: the REST API never returns it, so a "
				"plan could not compare it; remove it", never_read[i]);
	for (size_t i = 0; cf_bk_pipeline_nullable[i]; i++) {
		char path[80];
		snprintf(path, sizeof(path), "spec.%s", cf_bk_pipeline_nullable[i]);
		yaml_node_t *n = cf_ypath(kc->y, kc->root, path);
		if (n && cf_yis_null(n))
			cJSON_AddNullToObject(spec, cf_bk_pipeline_nullable[i]);
		else if (i >= 2 && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(spec, cf_bk_pipeline_nullable[i])))
			check_branch_filter(kc, path, str(spec, cf_bk_pipeline_nullable[i]));
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(spec, "cluster")) &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(spec, "cluster_id")))
		/* docs pipelines.md: a create needs cluster_id */
		cf_kerr(kc, "spec", "spec: give cluster (a cluster's name) or cluster_id: every pipeline "
			"belongs to a cluster");
	else if (cJSON_HasObjectItem(spec, "cluster") && cJSON_HasObjectItem(spec, "cluster_id"))
		cf_kerr(kc, "spec.cluster_id", "spec.cluster_id: give cluster or cluster_id, not both");
	check_sources(kc, spec);
	read_tags(kc, spec);
	read_teams(kc, spec);
	read_provider_settings(kc, spec);
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(spec, "default_command_step_timeout");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(spec, "maximum_command_step_timeout");
	if (cJSON_IsNumber(d) && cJSON_IsNumber(m) && d->valuedouble > m->valuedouble)
		cf_kerr(kc, "spec.default_command_step_timeout", "spec.default_command_step_timeout: must not exceed "
			"maximum_command_step_timeout");
	/* archived is the desired state: the core's activate/deactivate */
	cJSON_AddBoolToObject(spec, "active", !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "archived")));
}

void cf_bk_pipeline_check(cf_kctx *kc, cJSON *doc, bool absent)
{
	check(kc, doc, absent);
}

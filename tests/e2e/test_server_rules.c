/*
 * The real binary against ciform-sandbox on the rules where the Semaphore
 * server differs from its documents: roles by name, omitted and empty rule
 * lists, the bare MD5 that keeps a secret, complete object rules, UNUSABLE
 * targets, readable plans, ages in seconds, waits after a delete, one project
 * by name or UUID, and the server's own error texts.
 */
#include "tests/e2e/scene.h"

#include <string.h>

#define R_CONTRIB "0b000000-0000-4000-8000-00000000000c"
#define U_OCTO "0c000000-0000-4000-8000-000000000001"
#define U_GHOST "0c000000-0000-4000-8000-000000000002"

/* Like ORG, with a project-scope role and two users (one a project member
 * with a login, one with none). */
#define ORG2(targets, retention)                                                                     \
	"{\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}, {\"name\": \"api\", \"id\": \"" P_API "\"}]," \
	" \"roles\": [{\"name\": \"Admin\", \"id\": \"" R_ADMIN "\", \"scope\": \"org_scope\"},"             \
	"  {\"name\": \"Contributor\", \"id\": \"" R_CONTRIB "\", \"scope\": \"project_scope\"}],"          \
	" \"users\": [{\"id\": \"" U_OCTO "\", \"git_login\": \"octocat\", \"projects\": [\"" P_WEB "\"]},"  \
	"  {\"id\": \"" U_GHOST "\", \"git_login\": \"ghost\", \"projects\": []}],"                         \
	" \"deployment_targets\": [" targets "], \"agent_types\": [], \"retention_policies\": [" retention "]}"

#define PROD_WITH_RULES                                                                             \
	"{\"project\": \"web\", \"name\": \"prod\", \"description\": \"a\","                           \
	" \"subject_rules\": [{\"type\": \"ROLE\", \"subject_id\": \"" R_CONTRIB "\"}, {\"type\": \"AUTO\"}]," \
	" \"object_rules\": [{\"type\": \"BRANCH\", \"match_mode\": \"EXACT\", \"pattern\": \"main\"}],"   \
	" \"env_vars\": [{\"name\": \"KEPT\", \"value\": \"kept-secret-value\"}]}"

/* md5("kept-secret-value") */
#define KEPT_MD5 "c5762266fcbf4607a39b5c9693c29dd0"

static fx_result plan(e2e *e)
{
	return cf(e, ARGS("plan"));
}

static void expect_no_changes(e2e *e)
{
	fx_result r = plan(e);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
}

static void test_a_role_named_in_any_case_matches_the_live_role_id(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"subject_rules\": "
		    "[{\"type\": \"ROLE\", \"subject_id\": \"" R_CONTRIB "\"}]}", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: contributor}]\n");
	expect_no_changes(&e);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /roles/:id"), 1);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /roles"), 0);
	e2e_down(&e);
}

static void test_a_changed_rule_list_shows_the_rules_added_and_removed_by_name(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2(PROD_WITH_RULES, ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  description: a\nspec:\n"
		 "  subject_rules: [{type: AUTO}, {type: USER, git_login: octocat}]\n");
	fx_result r = plan(&e);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  ~ DeploymentTarget/web/prod (update)\n"
				       "      spec.subject_rules:\n"
				       "        - {type: ROLE, subject_id: Contributor}\n"
				       "        + {type: USER, git_login: octocat}\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_rules_and_secrets_the_spec_omits_are_left_as_live(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2(PROD_WITH_RULES, ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  description: b\n");
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "  ~ DeploymentTarget/web/prod (update)\n"
				       "      metadata.description: \"a\" -> \"b\"\n\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "prod");
	char *path = cf_xasprintf("/deployment_targets/%s?include_secrets=true", id);
	cJSON *t = e2e_get(&e, path);
	char *rules = cJSON_PrintUnformatted(cJSON_GetObjectItem(t, "object_rules"));
	assert_string_equal(rules, "[{\"type\":\"BRANCH\",\"match_mode\":\"EXACT\",\"pattern\":\"main\"}]");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(t, "subject_rules")), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(t, "env_vars")), 1);
	free(rules);
	cJSON_Delete(t);
	free(path);
	free(id);
	expect_no_changes(&e);
	e2e_down(&e);
}

static void test_a_create_without_rules_says_the_server_defaults_apply(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "new"));
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "  + DeploymentTarget/web/new (create)\n"
				       "      # spec.subject_rules: not in the spec: the server's default, anyone may deploy\n"
				       "      # spec.object_rules: not in the spec: the server's default, every branch, tag "
				       "and pull request\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	expect_no_changes(&e);
	e2e_down(&e);
}

static void test_an_explicit_empty_rule_list_is_marked_as_nobody_can_deploy(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "locked") "spec:\n  subject_rules: []\n");
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "      # spec.subject_rules is empty: nobody can deploy to this target\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	expect_no_changes(&e); /* stored empty, as sent */
	e2e_down(&e);
}

static void test_an_md5_placeholder_keeps_the_live_secret_through_an_apply(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2(PROD_WITH_RULES, ""), NULL);
	/* the placeholder notation for KEPT, and a new variable: both lists are sent */
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  description: a\nspec:\n"
		 "  env_vars:\n    - {name: KEPT, value: \"" KEPT_MD5 " [md5]\"}\n    - {name: NEW, value: fresh}\n");
	char *id = e2e_target_id(&e, P_WEB, "prod");
	char *path = cf_xasprintf("/deployment_targets/%s?include_secrets=true", id);
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	cJSON *after = e2e_get(&e, path);
	cJSON *kept = cJSON_GetArrayItem(cJSON_GetObjectItem(after, "env_vars"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(kept, "name")), "KEPT");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(kept, "value")), KEPT_MD5);
	cJSON_Delete(after);
	free(path);
	free(id);
	expect_no_changes(&e);
	e2e_down(&e);
}

static void test_object_rules_without_match_mode_or_pattern_are_sent_complete(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  object_rules: [{type: BRANCH}, {type: TAG, match_mode: ALL}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	expect_no_changes(&e);
	e2e_down(&e);
}

/* The server applies a PR rule's mode and pattern as for branches
 * (ee/gofer/lib/gofer/deployment/guardian.ex): they are compared. */
static void test_a_pr_rule_compares_its_match_mode_and_pattern(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"object_rules\": "
		    "[{\"type\": \"PR\", \"match_mode\": \"EXACT\", \"pattern\": \"x\"}]}", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  object_rules: [{type: PR, match_mode: EXACT, pattern: x}]\n");
	expect_no_changes(&e);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  object_rules: [{type: PR, match_mode: REGEX, pattern: y}]\n");
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "        - {type: PR, match_mode: EXACT, pattern: x}\n"
				       "        + {type: PR, match_mode: REGEX, pattern: y}\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unusable_target_is_drift_and_apply_sends_its_secrets_again(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"state\": \"UNUSABLE\","
		    " \"state_message\": \"secret sync failed\","
		    " \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"t-1\"}]}", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars: [{name: TOKEN, value: t-1}]\n");
	fx_result r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "  ~ DeploymentTarget/web/prod (update)\n"
				       "      state: \"UNUSABLE: secret sync failed\" -> "
				       "\"USABLE (the secrets are sent again)\"\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	expect_no_changes(&e);
	e2e_down(&e);
}

static void test_a_plain_value_is_shown_and_a_value_from_the_environment_is_not(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": ["
		    "{\"name\": \"REGION\", \"value\": \"eu-west-1\"}, {\"name\": \"TOKEN\", \"value\": \"old\"}]}", ""),
	   ARGS("PROD_TOKEN=new-token-value-77"));
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars:\n    - {name: REGION, value: eu-west-3}\n"
		 "    - {name: TOKEN, valueFrom: {env: PROD_TOKEN}}\n");
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "      spec.env_vars.REGION: (sensitive) changed -> \"eu-west-3\"\n"
				       "      spec.env_vars.TOKEN: (sensitive) changed\n"));
	assert_false(fx_contains(r.out, "new-token-value-77"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "--format", "json"));
	assert_true(fx_contains(r.out, "{\"path\":\"spec.env_vars.REGION\",\"change\":\"changed\",\"after\":\"eu-west-3\","
				       "\"sensitive\":true}"));
	assert_false(fx_contains(r.out, "new-token-value-77"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_twelve_months_is_not_one_year_and_seven_days_is_one_week(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("", "{\"project\": \"web\", \"project_level_retention_policies\": "
		    "[{\"selector\": \"/a\", \"age\": \"12 months\"}, {\"selector\": \"/b\", \"age\": \"1 week\"}]}"), NULL);
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: web}\nspec:\n"
		 "  project_level_retention_policies: [{selector: /a, age: 1 year}, {selector: /b, age: 7 days}]\n");
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "      spec.project_level_retention_policies:\n"
				       "        - {selector: /a, age: 12 months}\n"
				       "        + {selector: /a, age: 1 year}\n"));
	assert_false(fx_contains(r.out, "/b"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_deleted_target_is_waited_for_until_it_is_gone(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"old\", \"env_vars\": [{\"name\": \"A\", \"value\": \"b\"}]}", ""),
	   NULL);
	fx_write("t.yaml", TARGET_DOC("web", "old") "  ensure: absent\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "old");
	assert_string_equal(id, ""); /* gone from the list when apply returns */
	free(id);
	assert_true(fx_sandbox_route_count(&e.sb, "GET /deployment_targets/:id") >= 1);
	e2e_down(&e);
}

static void test_a_project_by_name_and_by_uuid_is_one_project(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\"}", ""), NULL);
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n"
		 "  project_id: " P_WEB "\n");
	expect_no_changes(&e);
	fx_write("u.yaml", TARGET_DOC("web", "prod"));
	fx_result r = plan(&e);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "u.yaml:1:1: DeploymentTarget/web/prod is the same resource as "
				       "DeploymentTarget/" P_WEB "/prod (t.yaml:1:1)"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_user_rules_compare_by_subject_id_when_the_spec_gives_one(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"subject_rules\": "
		    "[{\"type\": \"USER\", \"subject_id\": \"" U_OCTO "\"}]}", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: USER, subject_id: " U_OCTO "}]\n");
	expect_no_changes(&e);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: USER, git_login: octocat}]\n");
	expect_no_changes(&e);
	e2e_down(&e);
}

static void test_a_user_rule_whose_live_login_is_hidden_is_noted_not_changed(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"description\": \"a\", \"subject_rules\": "
		    "[{\"type\": \"USER\", \"subject_id\": \"" U_GHOST "\"}]}", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  description: b\nspec:\n"
		 "  subject_rules: [{type: USER, git_login: ghost}]\n");
	fx_result r = plan(&e);
	assert_true(fx_contains(r.out, "      metadata.description: \"a\" -> \"b\"\n"
				       "      # spec.subject_rules[0]: the live USER rule has no git_login (user " U_GHOST
				       " is not a project member, or has none): \"ghost\" cannot be checked; give "
				       "subject_id to compare\n"));
	assert_false(fx_contains(r.out, "spec.subject_rules:\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unknown_role_name_fails_with_the_servers_words(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: Nobody}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "HTTP 400: role \"nobody\" is not valid"));
	assert_false(fx_contains(r.err, "\\\""));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_misspelt_role_gets_a_did_you_mean_from_the_roles_in_use(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("{\"project\": \"web\", \"name\": \"prod\", \"subject_rules\": "
		    "[{\"type\": \"ROLE\", \"subject_id\": \"" R_CONTRIB "\"}]}", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: Contributor}]\n"
		 "---\n" TARGET_DOC("web", "staging") "spec:\n  subject_rules: [{type: ROLE, subject_id: Contributr}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "HTTP 400: role \"contributr\" is not valid (did you mean 'Contributor'?)"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_refused_token_names_both_causes(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG2("", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	e.env[1] = "SEMAPHORE_API_TOKEN=not-the-token";
	fx_result r = plan(&e);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "HTTP 401: Unauthorized: the API token was refused, or it lacks permission"));
	assert_false(fx_contains(r.err, "not-the-token"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_feature_the_plan_lacks_is_shown_as_the_server_says(void **state)
{
	(void)state;
	e2e e;
	up(&e, "{\"advanced_deployment_targets\": false, \"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}],"
	       " \"roles\": [{\"name\": \"Contributor\", \"id\": \"" R_CONTRIB "\", \"scope\": \"project_scope\"}]}", NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: Contributor}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "HTTP 403: "));
	assert_true(fx_contains(r.err, "(a feature of the organisation's plan that is not enabled)"));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_role_named_in_any_case_matches_the_live_role_id),
		cmocka_unit_test(test_a_changed_rule_list_shows_the_rules_added_and_removed_by_name),
		cmocka_unit_test(test_rules_and_secrets_the_spec_omits_are_left_as_live),
		cmocka_unit_test(test_a_create_without_rules_says_the_server_defaults_apply),
		cmocka_unit_test(test_an_explicit_empty_rule_list_is_marked_as_nobody_can_deploy),
		cmocka_unit_test(test_an_md5_placeholder_keeps_the_live_secret_through_an_apply),
		cmocka_unit_test(test_object_rules_without_match_mode_or_pattern_are_sent_complete),
		cmocka_unit_test(test_a_pr_rule_compares_its_match_mode_and_pattern),
		cmocka_unit_test(test_an_unusable_target_is_drift_and_apply_sends_its_secrets_again),
		cmocka_unit_test(test_a_plain_value_is_shown_and_a_value_from_the_environment_is_not),
		cmocka_unit_test(test_twelve_months_is_not_one_year_and_seven_days_is_one_week),
		cmocka_unit_test(test_a_deleted_target_is_waited_for_until_it_is_gone),
		cmocka_unit_test(test_a_project_by_name_and_by_uuid_is_one_project),
		cmocka_unit_test(test_user_rules_compare_by_subject_id_when_the_spec_gives_one),
		cmocka_unit_test(test_a_user_rule_whose_live_login_is_hidden_is_noted_not_changed),
		cmocka_unit_test(test_an_unknown_role_name_fails_with_the_servers_words),
		cmocka_unit_test(test_a_misspelt_role_gets_a_did_you_mean_from_the_roles_in_use),
		cmocka_unit_test(test_a_refused_token_names_both_causes),
		cmocka_unit_test(test_a_feature_the_plan_lacks_is_shown_as_the_server_says),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

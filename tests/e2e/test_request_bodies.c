/*
 * The exact requests ciform sends, read from the sandbox's --record log:
 * the server keeps what it is sent, so a wrong body is a wrong organisation
 * (a "<md5> [md5]" stored as a secret, an empty rule list that bans everyone,
 * an object rule the API refuses).
 */
#include "tests/e2e/scene.h"
#include "reconciler/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEPT_MD5 "c5762266fcbf4607a39b5c9693c29dd0" /* md5("kept-secret-value") */

static void up_recorded(e2e *e, const char *seed, const char *const *env)
{
	e2e_up(e, seed, ARGS("--record", "requests.jsonl"), env);
}

/* The body of the only request with this method whose path starts with prefix,
 * its unique_token checked for a UUID and taken out (it is derived, see plan.h). */
static char *body_of(const char *method, const char *prefix)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[1 << 16];
	cJSON *found = NULL;
	int hits = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *r = cJSON_Parse(line);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
		if (m && p && !strcmp(m, method) && !strncmp(p, prefix, strlen(prefix))) {
			cJSON_Delete(found);
			found = cJSON_DetachItemFromObject(r, "body");
			hits++;
		}
		cJSON_Delete(r);
	}
	fclose(f);
	assert_int_equal(hits, 1);
	cJSON *tok = cJSON_DetachItemFromObject(found, "unique_token");
	if (tok)
		assert_true(cf_is_uuid(cJSON_GetStringValue(tok)));
	cJSON_Delete(tok);
	char *text = cJSON_PrintUnformatted(found);
	cJSON_Delete(found);
	return text;
}

static void apply_ok(e2e *e)
{
	fx_result r = cf(e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
}

static void test_a_create_sends_complete_object_rules_and_no_subject_rules_it_was_not_given(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  url: https://p\nspec:\n"
		 "  object_rules: [{type: BRANCH}, {type: TAG, match_mode: EXACT, pattern: v1}]\n"
		 "  env_vars: [{name: A, value: a-value}]\n");
	apply_ok(&e);
	char *body = body_of("POST", "/deployment_targets");
	assert_string_equal(body, "{\"name\":\"prod\",\"description\":\"\",\"url\":\"https://p\","
				  "\"bookmark_parameter1\":\"\",\"bookmark_parameter2\":\"\",\"bookmark_parameter3\":\"\","
				  "\"object_rules\":[{\"type\":\"BRANCH\",\"match_mode\":\"ALL\",\"pattern\":\"\"},"
				  "{\"type\":\"TAG\",\"match_mode\":\"EXACT\",\"pattern\":\"v1\"}],"
				  "\"env_vars\":[{\"name\":\"A\",\"value\":\"a-value\"}],\"files\":[]}");
	free(body);
	e2e_down(&e);
}

static void test_an_explicit_empty_rule_list_is_sent_empty(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: []\n");
	apply_ok(&e);
	char *body = body_of("POST", "/deployment_targets");
	assert_true(fx_contains(body, "\"subject_rules\":[]"));
	assert_false(fx_contains(body, "object_rules"));
	free(body);
	e2e_down(&e);
}

static void test_an_update_sends_the_bare_md5_of_a_placeholder_and_no_rules_the_spec_omits(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"subject_rules\": [{\"type\": \"AUTO\"}],"
			    " \"env_vars\": [{\"name\": \"KEPT\", \"value\": \"kept-secret-value\"}]}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars:\n"
		 "    - {name: KEPT, value: \"" KEPT_MD5 " [md5]\"}\n    - {name: NEW, value: fresh}\n");
	apply_ok(&e);
	char *body = body_of("PATCH", "/deployment_targets/");
	assert_string_equal(body, "{\"name\":\"prod\",\"description\":\"\",\"url\":\"\","
				  "\"bookmark_parameter1\":\"\",\"bookmark_parameter2\":\"\",\"bookmark_parameter3\":\"\","
				  "\"env_vars\":[{\"name\":\"KEPT\",\"value\":\"" KEPT_MD5 "\"},"
				  "{\"name\":\"NEW\",\"value\":\"fresh\"}],\"files\":[]}");
	free(body);
	e2e_down(&e);
}

static void test_an_update_of_env_vars_sends_the_live_files_back_as_their_md5s(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": [{\"name\": \"A\", \"value\": \"old\"}],"
			    " \"files\": [{\"path\": \"/etc/x\", \"content\": \"bGl2ZS1maWxl\"}]}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars: [{name: A, value: new}]\n");
	apply_ok(&e);
	char *body = body_of("PATCH", "/deployment_targets/");
	assert_true(fx_contains(body, "\"env_vars\":[{\"name\":\"A\",\"value\":\"new\"}],"
				      "\"files\":[{\"path\":\"/etc/x\",\"content\":\"87b81966119cff5b21562b1357482a9d\"}]"));
	free(body);
	e2e_down(&e);
}

static void test_role_rules_are_sent_by_name_as_written(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: admin}, "
		 "{type: USER, git_login: octocat}]\n");
	apply_ok(&e);
	char *body = body_of("POST", "/deployment_targets");
	assert_true(fx_contains(body, "\"subject_rules\":[{\"type\":\"ROLE\",\"subject_id\":\"admin\"},"
				      "{\"type\":\"USER\",\"git_login\":\"octocat\"}]"));
	free(body);
	e2e_down(&e);
}

static void test_a_retention_update_sends_all_three_levels(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("", "", ""), NULL);
	fx_write("r.yaml", "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: web}\nspec:\n"
		 "  job_level_retention_policies: [{selector: /a, age: 2 weeks}]\n");
	apply_ok(&e);
	char *body = body_of("POST", "/artifacts_retention_policies");
	assert_string_equal(body, "{\"project_id\":\"" P_WEB "\",\"project_level_retention_policies\":[],"
				  "\"workflow_level_retention_policies\":[],"
				  "\"job_level_retention_policies\":[{\"selector\":\"/a\",\"age\":\"2 weeks\"}]}");
	free(body);
	e2e_down(&e);
}

static void test_an_agent_type_update_sends_every_setting(void **state)
{
	(void)state;
	e2e e;
	up_recorded(&e, ORG("", "{\"name\": \"s1-a\", \"release_after\": 120}", ""), NULL);
	fx_write("a.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n"
		 "spec:\n  agent_name_settings: {release_after: 0}\n");
	apply_ok(&e);
	char *body = body_of("PATCH", "/self_hosted_agent_types/s1-a");
	assert_string_equal(body, "{\"metadata\":{\"name\":\"s1-a\"},\"spec\":{\"agent_name_settings\":"
				  "{\"assignment_origin\":\"assignment_origin_agent\",\"release_after\":0}}}");
	free(body);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_create_sends_complete_object_rules_and_no_subject_rules_it_was_not_given),
		cmocka_unit_test(test_an_explicit_empty_rule_list_is_sent_empty),
		cmocka_unit_test(test_an_update_sends_the_bare_md5_of_a_placeholder_and_no_rules_the_spec_omits),
		cmocka_unit_test(test_an_update_of_env_vars_sends_the_live_files_back_as_their_md5s),
		cmocka_unit_test(test_role_rules_are_sent_by_name_as_written),
		cmocka_unit_test(test_a_retention_update_sends_all_three_levels),
		cmocka_unit_test(test_an_agent_type_update_sends_every_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

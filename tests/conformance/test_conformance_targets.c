/*
 * Deployment targets, request by request, as the real server answers them. Each
 * test names the upstream router test it re-expresses (semaphoreio/semaphore
 * public-api/v1alpha/test/router/deployments/...) or, where the router tests
 * stub the part that matters, the server file whose behaviour it pins.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/conformance/api.h"
#include "tests/conformance/seed.h"

#include <stdlib.h>
#include <string.h>

#define CREATE "/deployment_targets?project_id=" P_WEB
#define PROD "/deployment_targets/" T_PROD

static void up(cx_env *e)
{
	cx_up(e, SEED, "0", NULL);
}

/* create_test.exs "when params are valid then creates a new target" */
static void test_create_with_rules_and_secrets_answers_the_target_with_its_rules(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", CREATE,
			      "{\"name\": \"Staging\", \"description\": \"Staging environment\", " UT(1) ","
			      " \"subject_rules\": [{\"type\": \"USER\", \"subject_id\": \"" U_OCTO "\"},"
			      "                     {\"type\": \"ROLE\", \"subject_id\": \"admin\"}],"
			      " \"object_rules\": [{\"type\": 0, \"match_mode\": 0, \"pattern\": \"\"},"
			      "                    {\"type\": 1, \"match_mode\": 0, \"pattern\": \"\"}],"
			      " \"env_vars\": [{\"name\": \"VAR\", \"value\": \"VALUE\"}],"
			      " \"files\": [{\"path\": \"FILE\", \"content\": \"Q09OVEVOVA==\"}]}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "name"), "Staging");
	assert_string_equal(cx_str(a.json, "subject_rules.0.subject_id"), U_OCTO);
	assert_string_equal(cx_str(a.json, "subject_rules.0.git_login"), "octocat");
	assert_string_equal(cx_str(a.json, "subject_rules.1.subject_id"), R_PRJ_ADMIN);
	assert_string_equal(cx_str(a.json, "object_rules.1.type"), "TAG");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "object_rules")), 2);
	assert_null(cx_get(a.json, "env_vars"));
	cx_free(&a);
	cx_down(&e);
}

/* create_test.exs "when params are valid, but without subject and object rules, then creates a
 * new target with default rules" (request_formatter.ex format_subject_rules(_, true)) */
static void test_absent_rule_lists_get_the_defaults_on_create(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"d\", " UT(1) "}");
	assert_int_equal(a.status, 200);
	char *rules = cJSON_PrintUnformatted(cx_get(a.json, "subject_rules"));
	assert_string_equal(rules, "[{\"type\":\"ANY\",\"subject_id\":\"\"}]");
	free(rules);
	rules = cJSON_PrintUnformatted(cx_get(a.json, "object_rules"));
	assert_string_equal(rules, "[{\"type\":\"BRANCH\",\"match_mode\":\"ALL\",\"pattern\":\"\"},"
				   "{\"type\":\"TAG\",\"match_mode\":\"ALL\",\"pattern\":\"\"},"
				   "{\"type\":\"PR\",\"match_mode\":\"ALL\",\"pattern\":\"\"}]");
	free(rules);
	cx_free(&a);
	cx_down(&e);
}

/* request_formatter.ex format_subject_rules/format_object_rules: a present [] is kept */
static void test_empty_rule_lists_are_stored_empty(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"nobody\", " UT(1) ", \"subject_rules\": [], \"object_rules\": []}");
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "subject_rules")), 0);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "object_rules")), 0);
	cx_free(&a);
	cx_down(&e);
}

/* update.ex: absent lists are left alone, a present [] empties (request_formatter.ex format_*_rules(_, false)) */
static void test_update_leaves_absent_rule_lists_and_empties_present_empty_ones(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"object_rules\": []}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "subject_rules.0.type"), "ANY");
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "object_rules")), 0);
	cx_free(&a);
	cx_down(&e);
}

/* create_test.exs "...doesn't have advanced deployments targets feature enabled, it returns error" */
static void test_subject_rules_other_than_any_need_the_advanced_feature_403_text_plain(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED_BODY("\"advanced_deployment_targets\": false,"), "0", NULL);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"subject_rules\": [{\"type\": \"AUTO\"}]}");
	assert_int_equal(a.status, 403);
	assert_string_equal(a.content_type, "text/plain; charset=utf-8");
	cx_expect(a, 403, "The advanced deployment targets feature is not enabled for your organization. "
		       "See more details here: https://semaphoreci.com/pricing");
	cx_expect(cx_call(&e, "PATCH", PROD, "{" UT(2) ", \"subject_rules\": []}"), 403,
	       "The advanced deployment targets feature is not enabled for your organization. "
	       "See more details here: https://semaphoreci.com/pricing");
	cx_down(&e);
}

/* common_test.exs "when subject rules contain only rules with ANY type then allows org without advanced" */
static void test_only_an_any_subject_rule_needs_no_advanced_feature(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED_BODY("\"advanced_deployment_targets\": false,"), "0", NULL);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"subject_rules\": [{\"type\": \"ANY\"}]}");
	assert_int_equal(a.status, 200);
	cx_free(&a);
	a = cx_call(&e, "POST", CREATE, "{\"name\": \"y\", " UT(2) "}");
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_down(&e);
}

/* create_test.exs "when params are valid but subject rules have role not supported returns error" */
static void test_unknown_role_is_400_naming_it_lowercased(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"subject_rules\": "
					   "[{\"type\": \"ROLE\", \"subject_id\": \"Not-Supported\"}]}"),
	       400, "\"role \\\"not-supported\\\" is not valid\"");
	cx_down(&e);
}

/* request_formatter.ex role_name_to_role_map: project-scope roles only, by name or id */
static void test_role_rules_take_project_scope_names_case_insensitively_and_store_the_id(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"subject_rules\": [{\"type\": \"role\", \"subject_id\": \"CONTRIBUTOR\"},"
						 "{\"type\": \"ROLE\", \"subject_id\": \"" R_PRJ_ADMIN "\"}]}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "subject_rules.0.subject_id"), R_CONTRIB);
	assert_string_equal(cx_str(a.json, "subject_rules.1.subject_id"), R_PRJ_ADMIN);
	cx_free(&a);
	/* the organisation-scope Admin is not a project role, by id */
	cx_expect(cx_call(&e, "PATCH", PROD, "{" UT(2) ", \"subject_rules\": [{\"type\": \"ROLE\", \"subject_id\": \"" R_ORG_ADMIN "\"}]}"),
	       400, "\"role \\\"" R_ORG_ADMIN "\\\" is not valid\"");
	cx_down(&e);
}

/* create_test.exs "...subject rules has valid user's provider login then creates a new target" */
static void test_user_rule_by_git_login_stores_the_member_id_and_answers_the_login(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"subject_rules\": "
						  "[{\"type\": \"USER\", \"git_login\": \"octocat\"}]}");
	assert_int_equal(a.status, 200);
	char *rules = cJSON_PrintUnformatted(cx_get(a.json, "subject_rules"));
	assert_string_equal(rules, "[{\"type\":\"USER\",\"subject_id\":\"" U_OCTO "\",\"git_login\":\"octocat\"}]");
	free(rules);
	cx_free(&a);
	cx_down(&e);
}

/* response_formatter.ex populate_git_logins: only members with a login get one */
static void test_user_rule_of_a_member_without_login_answers_only_subject_id(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"subject_rules\": [{\"type\": \"USER\", \"subject_id\": \"" U_NOLOGIN "\"}]}");
	assert_int_equal(a.status, 200);
	char *rules = cJSON_PrintUnformatted(cx_get(a.json, "subject_rules"));
	assert_string_equal(rules, "[{\"type\":\"USER\",\"subject_id\":\"" U_NOLOGIN "\"}]");
	free(rules);
	cx_free(&a);
	cx_down(&e);
}

/* create_test.exs "...subject rules has invalid user's provider login..." */
static void test_user_rule_with_an_unknown_login_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"subject_rules\": "
					   "[{\"type\": \"USER\", \"git_login\": \"outsider\"}]}"),
	       400, "\"handle outsider can't be used as subject id\"");
	cx_down(&e);
}

/* create_test.exs "...subject rules have user with subject id not supported returns error" */
static void test_user_rule_naming_a_non_member_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"subject_rules\": "
					   "[{\"type\": \"USER\", \"subject_id\": \"" U_OUTSIDER "\"}]}"),
	       400, "\"user \\\"" U_OUTSIDER "\\\" can't be added to subject rules for project \\\"" P_WEB
		    "\\\" and organization \\\"" ORG "\\\"\"");
	cx_down(&e);
}

/* common_test.exs "when object rules is invalid then returns false" (common.ex is_map_of_object_rule) */
static void test_object_rule_without_all_three_keys_is_400_plain(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", CREATE, "{\"name\": \"x\", " UT(1) ", \"object_rules\": [{\"type\": \"BRANCH\", \"match_mode\": \"ALL\"}]}");
	assert_null(a.content_type);
	cx_expect(a, 400, "object_rules must be a list of proper objects");
	cx_expect(cx_call(&e, "PATCH", PROD, "{" UT(2) ", \"subject_rules\": [{\"subject_id\": \"x\"}]}"), 400,
	       "subject_rules must be a list of proper objects");
	cx_down(&e);
}

/* gofer object_rule.ex changeset: EXACT and REGEX need a pattern */
static void test_exact_rule_without_pattern_is_a_changeset_error(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"object_rules\": [{\"type\": \"BRANCH\", \"match_mode\": \"EXACT\", \"pattern\": \"\"}]}"),
	       400, "\"Changeset error\"");
	cx_down(&e);
}

/* create_test.exs "...project_id is not valid UUID" and "...project_id is missing" */
static void test_create_project_id_must_be_present_and_a_uuid(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", "/deployment_targets", "{\"name\": \"x\", " UT(1) "}"), 400, "project_id must be present");
	cx_expect(cx_call(&e, "POST", "/deployment_targets?project_id=abc", "{\"name\": \"x\", " UT(1) "}"), 400,
	       "project id must be a valid UUID");
	cx_expect(cx_call(&e, "POST", CREATE, "{\"name\": \"x\", \"unique_token\": \"abc\"}"), 400,
	       "unique_token must be a valid UUID");
	cx_expect(cx_call(&e, "POST", CREATE, "{\"name\": \"x\"}"), 400,
	       "\"unique_token, name and project_id are required to create a deployment target\"");
	cx_down(&e);
}

/* create_test.exs "when params are valid but project mismatches org then returns not found" */
static void test_project_outside_the_organisation_is_404_not_found(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", "/deployment_targets?project_id=aaaaaaaa-1111-4111-8111-111111111111",
		       "{\"name\": \"x\", " UT(1) "}"), 404, "Not found");
	cx_down(&e);
}

/* create_test.exs "when params are valid but user is not authorized then returns error" (401 "Permission denied") */
static void test_targets_of_a_project_the_caller_is_not_in_are_401_permission_denied(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", "/deployment_targets?project_id=" P_HIDDEN, NULL), 401, "Permission denied");
	cx_expect(cx_call(&e, "GET", "/deployment_targets/" T_HIDDEN, NULL), 401, "Permission denied");
	cx_down(&e);
}

/* gofer deployment_queries.ex create/3: a held unique_token returns that target unchanged */
static void test_a_held_unique_token_returns_that_target_unchanged(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer first = cx_call(&e, "POST", CREATE, "{\"name\": \"first\", " UT(1) "}");
	cx_answer again = cx_call(&e, "POST", CREATE, "{\"name\": \"second\", " UT(1) "}");
	assert_int_equal(again.status, 200);
	assert_string_equal(cx_str(again.json, "id"), cx_str(first.json, "id"));
	assert_string_equal(cx_str(again.json, "name"), "first");
	cx_answer list = cx_call(&e, "GET", "/deployment_targets?project_id=" P_WEB, NULL);
	assert_int_equal(cJSON_GetArraySize(list.json), 2); /* prod, first */
	cx_free(&first);
	cx_free(&again);
	cx_free(&list);
	cx_down(&e);
}

/* deployment_queries.ex update/4 and delete/3: the token's holder, unchanged */
static void test_a_held_unique_token_on_update_and_delete_changes_nothing(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"description\": \"one\"}");
	cx_free(&a);
	a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"description\": \"two\"}");
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "description"), "one");
	cx_free(&a);
	cx_expect(cx_call(&e, "DELETE", PROD "?unique_token=" TOKEN(1), NULL), 200, "{\"target_id\":\"" T_PROD "\"}");
	a = cx_call(&e, "GET", PROD, NULL);
	assert_string_equal(cx_str(a.json, "state"), "USABLE");
	cx_free(&a);
	cx_down(&e);
}

/* update.ex: "active" is not a field of the update (@enabled_fields) */
static void test_patch_ignores_active(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"active\": false}");
	assert_true(cJSON_IsTrue(cx_get(a.json, "active")));
	cx_free(&a);
	cx_down(&e);
}

/* cordon_test.exs "when params are valid and state is on then cordons a target" */
static void test_deactivate_cordons_and_activate_uncordons(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "PATCH", PROD "/deactivate", NULL), 200, "{\"target_id\":\"" T_PROD "\",\"cordoned\":true}");
	cx_answer a = cx_call(&e, "GET", PROD, NULL);
	assert_string_equal(cx_str(a.json, "state"), "CORDONED");
	assert_true(cJSON_IsFalse(cx_get(a.json, "active")));
	cx_free(&a);
	cx_expect(cx_call(&e, "PATCH", PROD "/activate", NULL), 200, "{\"target_id\":\"" T_PROD "\",\"cordoned\":false}");
	cx_down(&e);
}

/* delete_test.exs "when unique token is missing it doesn't delete the target" */
static void test_delete_without_unique_token_is_400_and_deletes_nothing(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "DELETE", PROD, NULL), 400,
	       "\"target_id and unique_token are required to delete a deployment target\"");
	cx_answer a = cx_call(&e, "GET", PROD, NULL);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_down(&e);
}

/* describe_test.exs "...target doesn't exist..." and "...target_id is not valid UUID..."
 * (gofer server.ex describe: "Not found") */
static void test_unknown_target_is_404_and_a_bad_id_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", "/deployment_targets/aaaaaaaa-0000-4000-8000-000000000009", NULL), 404, "\"Not found\"");
	cx_expect(cx_call(&e, "PATCH", "/deployment_targets/aaaaaaaa-0000-4000-8000-000000000009", "{" UT(1) "}"), 404,
	       "\"Not found\"");
	cx_expect(cx_call(&e, "GET", "/deployment_targets/not-a-uuid", NULL), 400, "target_id must be a valid UUID");
	cx_down(&e);
}

/* list_test.exs "when params are valid and target doesn't exist by name it returns an error" */
static void test_list_by_unknown_target_name_is_an_empty_array(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", "/deployment_targets?project_id=" P_WEB "&target_name=nope", NULL), 200, "[]");
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_with_rules_and_secrets_answers_the_target_with_its_rules),
		cmocka_unit_test(test_absent_rule_lists_get_the_defaults_on_create),
		cmocka_unit_test(test_empty_rule_lists_are_stored_empty),
		cmocka_unit_test(test_update_leaves_absent_rule_lists_and_empties_present_empty_ones),
		cmocka_unit_test(test_subject_rules_other_than_any_need_the_advanced_feature_403_text_plain),
		cmocka_unit_test(test_only_an_any_subject_rule_needs_no_advanced_feature),
		cmocka_unit_test(test_unknown_role_is_400_naming_it_lowercased),
		cmocka_unit_test(test_role_rules_take_project_scope_names_case_insensitively_and_store_the_id),
		cmocka_unit_test(test_user_rule_by_git_login_stores_the_member_id_and_answers_the_login),
		cmocka_unit_test(test_user_rule_of_a_member_without_login_answers_only_subject_id),
		cmocka_unit_test(test_user_rule_with_an_unknown_login_is_400),
		cmocka_unit_test(test_user_rule_naming_a_non_member_is_400),
		cmocka_unit_test(test_object_rule_without_all_three_keys_is_400_plain),
		cmocka_unit_test(test_exact_rule_without_pattern_is_a_changeset_error),
		cmocka_unit_test(test_create_project_id_must_be_present_and_a_uuid),
		cmocka_unit_test(test_project_outside_the_organisation_is_404_not_found),
		cmocka_unit_test(test_targets_of_a_project_the_caller_is_not_in_are_401_permission_denied),
		cmocka_unit_test(test_a_held_unique_token_returns_that_target_unchanged),
		cmocka_unit_test(test_a_held_unique_token_on_update_and_delete_changes_nothing),
		cmocka_unit_test(test_patch_ignores_active),
		cmocka_unit_test(test_deactivate_cordons_and_activate_uncordons),
		cmocka_unit_test(test_delete_without_unique_token_is_400_and_deletes_nothing),
		cmocka_unit_test(test_unknown_target_is_404_and_a_bad_id_is_400),
		cmocka_unit_test(test_list_by_unknown_target_name_is_an_empty_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Self-hosted agent types as the real server answers them. Each test names the
 * upstream router test it re-expresses (semaphoreio/semaphore
 * public-api/v1alpha/test/router/self_hosted_agent_types_test.exs) or the hub
 * file whose behaviour it pins.
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

#define TYPES "/self_hosted_agent_types"

static void up(cx_env *e)
{
	cx_up(e, SEED, "0", NULL);
}

static char *settings_of(const cx_answer *a)
{
	return cJSON_PrintUnformatted(cx_get(a->json, "spec.agent_name_settings"));
}

/* "POST /self_hosted_agent_types" "returns 200 with token" */
static void test_create_answers_the_registration_token_once_and_aws_null(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", TYPES, "{\"metadata\": {\"name\": \"s1-sh-router-test-create-1\"}}");
	assert_int_equal(a.status, 200);
	assert_true(strlen(cx_str(a.json, "status.registration_token")) > 0);
	assert_int_equal(cx_get(a.json, "status.total_agent_count")->valueint, 0);
	assert_true(cJSON_IsNumber(cx_get(a.json, "metadata.create_time")));
	char *ns = settings_of(&a);
	assert_string_equal(ns, "{\"assignment_origin\":\"assignment_origin_agent\",\"release_after\":0,\"aws\":null}");
	free(ns);
	cx_free(&a);
	a = cx_call(&e, "GET", TYPES "/s1-sh-router-test-create-1", NULL);
	assert_null(cx_get(a.json, "status.registration_token"));
	cx_free(&a);
	cx_down(&e);
}

/* self_hosted_service.go Create: agentTypeNameRegex, and models/agent_type.go's unique name */
static void test_name_must_match_s1_pattern_and_be_unique(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", TYPES, "{\"metadata\": {\"name\": \"linux\"}}"), 400,
	       "\"The agent type name 'linux' is invalid: must follow the pattern ^s1-[a-zA-Z0-9-_]+$\"");
	cx_expect(cx_call(&e, "POST", TYPES, "{\"metadata\": {\"name\": \"s1-busy\"}}"), 400,
	       "\"agent type name must by unique in the organization\"");
	cx_expect(cx_call(&e, "POST", TYPES, "{\"spec\": {}}"), 400, "\"Name must be provided\"");
	cx_down(&e);
}

/* models/agent_type.go validateReleaseAfter and NewAgentNameSettings */
static void test_release_after_is_0_or_at_least_60_and_sts_needs_aws(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", TYPES, "{\"metadata\": {\"name\": \"s1-a\"}, \"spec\": {\"agent_name_settings\": {\"release_after\": 30}}}"),
	       400, "\"name release hold must be greater than 60\"");
	cx_expect(cx_call(&e, "POST", TYPES, "{\"metadata\": {\"name\": \"s1-a\"}, \"spec\": {\"agent_name_settings\": "
					  "{\"assignment_origin\": \"assignment_origin_aws_sts\"}}}"),
	       400, "\"AWS information missing\"");
	cx_expect(cx_call(&e, "POST", TYPES, "{\"metadata\": {\"name\": \"s1-a\"}, \"spec\": {\"agent_name_settings\": "
					  "{\"assignment_origin\": \"nope\"}}}"),
	       400, "\"invalid assignment_origin 'nope'\"");
	cx_down(&e);
}

/* "PATCH /self_hosted_agent_types/:name" "returns 200" */
static void test_update_replaces_the_settings_and_counts_no_agents(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", TYPES "/s1-busy",
			      "{\"metadata\": {\"name\": \"s1-busy\"}, \"spec\": {\"agent_name_settings\": {"
			      "\"assignment_origin\": \"assignment_origin_aws_sts\", \"release_after\": 120,"
			      "\"aws\": {\"account_id\": \"1234567890\", \"role_name_patterns\": \"role1,role2\"}}}}");
	assert_int_equal(a.status, 200);
	char *ns = settings_of(&a);
	assert_string_equal(ns, "{\"assignment_origin\":\"assignment_origin_aws_sts\",\"release_after\":120,"
				"\"aws\":{\"account_id\":\"1234567890\",\"role_name_patterns\":\"role1,role2\"}}");
	free(ns);
	assert_int_equal(cx_get(a.json, "status.total_agent_count")->valueint, 0);
	assert_null(cx_get(a.json, "status.registration_token"));
	cx_free(&a);
	cx_down(&e);
}

/* self_hosted_hub_client/request_formatter.ex form_update_request: the body's name, settings reset */
static void test_update_takes_the_name_from_the_body_and_resets_omitted_settings(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "PATCH", TYPES "/s1-busy", "{\"metadata\": {\"name\": \"s1-busy\"}, \"spec\": "
							     "{\"agent_name_settings\": {\"release_after\": 600}}}");
	cx_free(&a);
	a = cx_call(&e, "PATCH", TYPES "/some-other-name", "{\"metadata\": {\"name\": \"s1-busy\"}}");
	assert_int_equal(a.status, 200);
	char *ns = settings_of(&a);
	assert_string_equal(ns, "{\"assignment_origin\":\"assignment_origin_agent\",\"release_after\":0,\"aws\":null}");
	free(ns);
	cx_free(&a);
	cx_expect(cx_call(&e, "PATCH", TYPES "/s1-busy", "{\"metadata\": {\"name\": \"s1-nope\"}}"), 404, "\"record not found\"");
	cx_down(&e);
}

/* "GET /self_hosted_agent_types/:name" "returns 404 for agent type that does not exist" */
static void test_describe_of_an_unknown_type_is_404(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", TYPES "/s1-sh-router-test-describe-2", NULL), 404, "\"agent type not found\"");
	cx_expect(cx_call(&e, "DELETE", TYPES "/s1-sh-router-test-delete-does-not-exist", NULL), 404, "\"agent type not found\"");
	cx_down(&e);
}

/* "GET /self_hosted_agent_types" "returns 200 with list of types": not paginated */
static void test_list_is_an_object_with_every_agent_type(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "GET", TYPES, NULL);
	assert_int_equal(cJSON_GetArraySize(cx_get(a.json, "agent_types")), 1);
	assert_string_equal(cx_str(a.json, "agent_types.0.metadata.name"), "s1-busy");
	assert_true(cJSON_IsNull(cx_get(a.json, "agent_types.0.spec.agent_name_settings.aws")));
	assert_int_equal(cx_get(a.json, "agent_types.0.status.total_agent_count")->valueint, 2);
	cx_free(&a);
	cx_down(&e);
}

/* models/agent_type.go Delete: ErrCantDeleteAgentTypeWithExistingAgents, then
 * "returns 200 and disables idle agents" and "...disables all agents" */
static void test_delete_is_400_while_agents_are_registered_and_disable_all_defaults_to_idle(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "DELETE", TYPES "/s1-busy", NULL), 400, "\"can't delete agent type with existing agents\"");
	cx_expect(cx_call(&e, "POST", TYPES "/s1-busy/disable_all", NULL), 200, "{}");
	cx_answer a = cx_call(&e, "GET", TYPES "/s1-busy", NULL);
	assert_int_equal(cx_get(a.json, "status.total_agent_count")->valueint, 1);
	cx_free(&a);
	a = cx_call_raw(&e, "POST", TYPES "/s1-busy/disable_all", "application/x-www-form-urlencoded",
			"only_idle=false", 15, NULL);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	cx_expect(cx_call(&e, "DELETE", TYPES "/s1-busy", NULL), 200, "{}");
	cx_expect(cx_call(&e, "GET", TYPES "/s1-busy", NULL), 404, "\"agent type not found\"");
	cx_down(&e);
}

/* "POST .../disable_all" "returns 400 on bad argument" */
static void test_disable_all_with_a_non_boolean_only_idle_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", TYPES "/s1-busy/disable_all", "{\"only_idle\": \"this-is-not-valid\"}"), 400,
	       "\"Invalid 'only_idle': 'this-is-not-valid' is not a boolean.\"");
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_answers_the_registration_token_once_and_aws_null),
		cmocka_unit_test(test_name_must_match_s1_pattern_and_be_unique),
		cmocka_unit_test(test_release_after_is_0_or_at_least_60_and_sts_needs_aws),
		cmocka_unit_test(test_update_replaces_the_settings_and_counts_no_agents),
		cmocka_unit_test(test_update_takes_the_name_from_the_body_and_resets_omitted_settings),
		cmocka_unit_test(test_describe_of_an_unknown_type_is_404),
		cmocka_unit_test(test_list_is_an_object_with_every_agent_type),
		cmocka_unit_test(test_delete_is_400_while_agents_are_registered_and_disable_all_defaults_to_idle),
		cmocka_unit_test(test_disable_all_with_a_non_boolean_only_idle_is_400),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The SelfHostedAgentType manifest's rules, one test each. */
#include "tests/unit/test_helpers.h"

static void test_agent_type_with_defaults_is_valid(void **state)
{
	(void)state;
	EXPECT_VALID("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  name: s1-linux\n");
}

static void test_agent_type_name_must_start_with_s1(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  name: linux-large\n",
			"t.yaml:4:9: metadata.name: must be s1- followed by letters, digits, _ or -, not 'linux-large'\n");
}

static void test_agent_type_name_with_a_dot_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n  name: s1-a.b\n",
			"t.yaml:4:9: metadata.name: must be s1- followed by letters, digits, _ or -, not 's1-a.b'\n");
}

static void test_assignment_origin_must_be_known(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    assignment_origin: origin_github\n",
			"t.yaml:7:24: spec.agent_name_settings.assignment_origin: must be assignment_origin_agent "
			"or assignment_origin_aws_sts, not 'origin_github'\n");
}

static void test_release_after_between_1_and_59_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    release_after: 30\n",
			"t.yaml:7:20: spec.agent_name_settings.release_after: must be 0 or at least 60 (seconds), not 30\n");
}

static void test_release_after_0_and_60_are_accepted(void **state)
{
	(void)state;
	EXPECT_VALID(AGENT_HEAD "  agent_name_settings:\n    release_after: 0\n");
	EXPECT_VALID(AGENT_HEAD "  agent_name_settings:\n    release_after: 60\n");
}

static void test_negative_release_after_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    release_after: -60\n",
			"t.yaml:7:20: spec.agent_name_settings.release_after: must be 0 or at least 60 (seconds), not -60\n");
}

static void test_release_after_must_be_an_integer(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    release_after: \"60\"\n",
			"t.yaml:7:20: spec.agent_name_settings.release_after: must be an integer\n");
}

static void test_aws_is_required_with_aws_sts(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n",
			"t.yaml:7:24: spec.agent_name_settings.aws: required with assignment_origin_aws_sts "
			"(account_id and role_name_patterns)\n");
}

static void test_aws_is_refused_without_aws_sts(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    aws: {account_id: \"1\", role_name_patterns: r}\n",
			"t.yaml:7:10: spec.agent_name_settings.aws: only allowed with assignment_origin: "
			"assignment_origin_aws_sts\n");
}

static void test_aws_needs_account_id_and_role_name_patterns(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
				   "    aws:\n      account_id: \"123456789012\"\n",
			"t.yaml:9:7: spec.agent_name_settings.aws: missing required key 'role_name_patterns'\n");
}

static void test_aws_sts_agent_type_is_valid(void **state)
{
	(void)state;
	EXPECT_VALID(AGENT_HEAD "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
				"    release_after: 120\n"
				"    aws: {account_id: \"123456789012\", role_name_patterns: \"role-a,role-b*\"}\n");
}

static void test_aws_null_is_no_aws_block(void **state)
{
	(void)state;
	EXPECT_VALID(AGENT_HEAD "  agent_name_settings:\n    assignment_origin: assignment_origin_agent\n"
				"    aws: null\n    release_after: 0\n");
}

static void test_aws_null_with_aws_sts_is_still_missing(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
				   "    aws: ~\n",
			"t.yaml:7:24: spec.agent_name_settings.aws: required with assignment_origin_aws_sts "
			"(account_id and role_name_patterns)\n");
}

static void test_numeric_account_id_is_kept_as_written(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("a.yaml", AGENT_HEAD "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
				      "    aws: {account_id: 012345678901, role_name_patterns: r}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	cJSON *aws = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(set->items[0].doc, "spec"),
							     "agent_name_settings"), "aws");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(aws, "account_id")), "012345678901");
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

static void test_agent_type_as_sem_prints_it_is_valid(void **state)
{
	(void)state;
	/* `sem get agent_type s1-aws -o yaml` (semaphoreci/cli api/models/agent_type_v1_alpha.go) */
	EXPECT_VALID("apiVersion: v1alpha\nkind: SelfHostedAgentType\n"
		     "metadata:\n  name: s1-aws\n  create_time: \"1632129338\"\n  update_time: \"1644963451\"\n"
		     "spec:\n  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
		     "    aws:\n      account_id: \"123456789012\"\n      role_name_patterns: role-a,role-b*\n"
		     "    release_after: 120\n"
		     "status:\n  total_agent_count: 3\n  registration_token: \"\"\n");
}

static void test_agent_type_address_is_kind_and_name(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("a.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-big}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_int_equal(set->count, 1);
	assert_string_equal(set->items[0].address, "SelfHostedAgentType/s1-big");
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_type_with_defaults_is_valid),
		cmocka_unit_test(test_agent_type_name_must_start_with_s1),
		cmocka_unit_test(test_agent_type_name_with_a_dot_is_rejected),
		cmocka_unit_test(test_assignment_origin_must_be_known),
		cmocka_unit_test(test_release_after_between_1_and_59_is_rejected),
		cmocka_unit_test(test_release_after_0_and_60_are_accepted),
		cmocka_unit_test(test_negative_release_after_is_rejected),
		cmocka_unit_test(test_release_after_must_be_an_integer),
		cmocka_unit_test(test_aws_is_required_with_aws_sts),
		cmocka_unit_test(test_aws_is_refused_without_aws_sts),
		cmocka_unit_test(test_aws_needs_account_id_and_role_name_patterns),
		cmocka_unit_test(test_aws_sts_agent_type_is_valid),
		cmocka_unit_test(test_aws_null_is_no_aws_block),
		cmocka_unit_test(test_aws_null_with_aws_sts_is_still_missing),
		cmocka_unit_test(test_numeric_account_id_is_kept_as_written),
		cmocka_unit_test(test_agent_type_as_sem_prints_it_is_valid),
		cmocka_unit_test(test_agent_type_address_is_kind_and_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Artifact retention policies as the real server answers them. Each test names
 * the upstream router test it re-expresses (semaphoreio/semaphore
 * public-api/v1alpha/test/router/artifacts_retention_policies/...) or the file
 * whose behaviour it pins.
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

#define POLICIES "/artifacts_retention_policies"
#define POLICY(pid, levels) "{\"project_id\": \"" pid "\"" levels "}"
#define AGE_EXAMPLES "valid examples: 5 days, 1 week, 2 weeks, 3 months, 4 years"

static void up(cx_env *e)
{
	cx_up(e, SEED, "0", NULL);
}

/* update_test.exs "returns 200 and updates the retention policies when given valid data" */
static void test_update_answers_the_three_levels_and_omitted_levels_are_empty(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"job_level_retention_policies\": [{\"selector\": \"/a\", \"age\": \"2 weeks\"}]")),
	       200, "{\"project_level_retention_policies\":[],\"workflow_level_retention_policies\":[],"
		    "\"job_level_retention_policies\":[{\"selector\":\"/a\",\"age\":\"2 weeks\"}]}");
	cx_down(&e);
}

/* artifacthub_client.ex age_string_to_seconds and age_field_to_string: seconds, largest exact unit */
static void test_ages_are_stored_in_seconds_and_shown_in_the_largest_exact_unit(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_answer a = cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"project_level_retention_policies\": ["
		"{\"selector\": \"/a\", \"age\": \"7 days\"}, {\"selector\": \"/b\", \"age\": \"12 months\"},"
		"{\"selector\": \"/c\", \"age\": \"1 year\"}, {\"selector\": \"/d\", \"age\": \"1 days\"},"
		"{\"selector\": \"/e\", \"age\": \"10 weeks\"}]"));
	assert_int_equal(a.status, 200);
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.0.age"), "1 week");
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.1.age"), "12 months"); /* 360 days */
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.2.age"), "1 year");
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.3.age"), "1 day");
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.4.age"), "10 weeks");
	cx_free(&a);
	cx_down(&e);
}

/* update_test.exs "return error if request paremeters are invalid" */
static void test_invalid_rules_are_400_plain_text(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"project_level_retention_policies\": [{\"selector\": 123, \"age\": \"2 weeks\"}]")),
	       400, "the 'selector' filed must be a non-empty string");
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"project_level_retention_policies\": [{\"selector\": \".*\", \"age\": 123}]")),
	       400, "the 'age' fields must be a string, " AGE_EXAMPLES);
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"project_level_retention_policies\": [{\"selector\": \".*\", \"age\": \"123\"}]")),
	       400, "invalid 'age' value: '123' - " AGE_EXAMPLES);
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"project_level_retention_policies\": [{\"selector\": \".*\", \"age\": \"13 days\"}]")),
	       400, "invalid 'age' value: '13 days' - " AGE_EXAMPLES);
	cx_down(&e);
}

/* update_test.exs "...invalid..." (the last two cases): at least one rule in all */
static void test_a_policy_needs_at_least_one_rule(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY(P_WEB, ", \"job_level_retention_policies\": []")), 400,
	       "at least one retention policy configuration must be defined");
	cx_down(&e);
}

/* artifacthub/pkg/models/retention_policy.go Validate: len(Selector) counts bytes */
static void test_a_selector_over_100_bytes_is_refused(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	/* 34 three-byte characters: 34 characters, 102 bytes */
	char sel[200] = "";
	for (int i = 0; i < 34; i++)
		strcat(sel, "\xe2\x82\xac");
	char *body = NULL;
	assert_true(asprintf(&body, POLICY(P_WEB, ", \"job_level_retention_policies\": [{\"selector\": \"%s\", \"age\": \"1 day\"}]"), sel) > 0);
	cx_expect(cx_call(&e, "POST", POLICIES, body), 400, "\"retention policy selector length must be less than 100 long\"");
	free(body);
	cx_down(&e);
}

/* retention_policy.go Validate: MaxRetentionPolicyRules */
static void test_more_than_10_rules_in_a_level_are_refused(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	char body[4096];
	int n = snprintf(body, sizeof(body), "{\"project_id\": \"" P_WEB "\", \"job_level_retention_policies\": [");
	for (int i = 0; i < 11; i++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "%s{\"selector\": \"/%d\", \"age\": \"1 day\"}", i ? "," : "", i);
	snprintf(body + n, sizeof(body) - (size_t)n, "]}");
	cx_expect(cx_call(&e, "POST", POLICIES, body), 400, "\"retention policy must have less than 10 rules\"");
	cx_down(&e);
}

/* describe_test.exs "returns error if project does not exist" and "...not a valid UUID";
 * update_test.exs "returns error if project does not exist" */
static void test_unknown_project_is_404_and_a_bad_id_is_400(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", POLICIES "/aaaaaaaa-1111-4111-8111-111111111111", NULL), 404, "Not found");
	cx_expect(cx_call(&e, "GET", POLICIES "/nope", NULL), 400, "project id must be a valid UUID");
	cx_expect(cx_call(&e, "POST", POLICIES, POLICY("aaaaaaaa-1111-4111-8111-111111111111",
						    ", \"job_level_retention_policies\": [{\"selector\": \"/a\", \"age\": \"1 day\"}]")),
	       404, "Not found");
	cx_expect(cx_call(&e, "GET", POLICIES "/" P_HIDDEN, NULL), 401, "Permission denied");
	cx_down(&e);
}

/* artifacthub models FindRetentionPolicyOrReturnEmpty; router.ex has no DELETE route */
static void test_a_project_without_policy_reads_empty_and_there_is_no_delete(void **state)
{
	(void)state;
	cx_env e;
	up(&e);
	cx_expect(cx_call(&e, "GET", POLICIES "/" P_API, NULL), 200,
	       "{\"project_level_retention_policies\":[],\"workflow_level_retention_policies\":[],"
	       "\"job_level_retention_policies\":[]}");
	cx_expect(cx_call(&e, "DELETE", POLICIES "/" P_API, NULL), 404, "oops");
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_answers_the_three_levels_and_omitted_levels_are_empty),
		cmocka_unit_test(test_ages_are_stored_in_seconds_and_shown_in_the_largest_exact_unit),
		cmocka_unit_test(test_invalid_rules_are_400_plain_text),
		cmocka_unit_test(test_a_policy_needs_at_least_one_rule),
		cmocka_unit_test(test_a_selector_over_100_bytes_is_refused),
		cmocka_unit_test(test_more_than_10_rules_in_a_level_are_refused),
		cmocka_unit_test(test_unknown_project_is_404_and_a_bad_id_is_400),
		cmocka_unit_test(test_a_project_without_policy_reads_empty_and_there_is_no_delete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

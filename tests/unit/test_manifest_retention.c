/* The ArtifactRetentionPolicy manifest's rules, one test each. */
#include "tests/unit/test_helpers.h"

#include <string.h>

#define JOB_RULE(sel, age) "    - selector: " sel "\n      age: " age "\n"
#define JOB_LEVEL "  job_level_retention_policies:\n"

static void test_policy_with_one_rule_is_valid(void **state)
{
	(void)state;
	EXPECT_VALID(RETENTION_HEAD JOB_LEVEL JOB_RULE("/**/*", "1 year"));
}

static void test_age_over_12_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(RETENTION_HEAD JOB_LEVEL JOB_RULE("/a", "13 weeks"),
			"t.yaml:8:12: spec.job_level_retention_policies[0].age: must be a number from 1 to 12 and "
			"day(s), week(s), month(s) or year(s), such as '2 weeks', not '13 weeks'\n");
}

static void test_age_of_0_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(RETENTION_HEAD JOB_LEVEL JOB_RULE("/a", "0 days"),
			"t.yaml:8:12: spec.job_level_retention_policies[0].age: must be a number from 1 to 12 and "
			"day(s), week(s), month(s) or year(s), such as '2 weeks', not '0 days'\n");
}

static void test_age_unit_must_be_known(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(RETENTION_HEAD JOB_LEVEL JOB_RULE("/a", "3 hours"),
			"t.yaml:8:12: spec.job_level_retention_policies[0].age: must be a number from 1 to 12 and "
			"day(s), week(s), month(s) or year(s), such as '2 weeks', not '3 hours'\n");
}

static void test_ages_in_days_weeks_months_and_years_are_accepted(void **state)
{
	(void)state;
	EXPECT_VALID(RETENTION_HEAD JOB_LEVEL JOB_RULE("/a", "7 days") JOB_RULE("/b", "1 week")
		     JOB_RULE("/c", "12 months") JOB_RULE("/d", "2 years"));
}

static void test_selector_over_100_bytes_is_rejected(void **state)
{
	(void)state;
	char sel[102];
	memset(sel, 'a', 101);
	sel[0] = '/';
	sel[101] = '\0';
	char *yaml = cf_xasprintf(RETENTION_HEAD JOB_LEVEL "    - selector: %s\n      age: 1 week\n", sel);
	EXPECT_PROBLEMS(yaml, "t.yaml:7:17: spec.job_level_retention_policies[0].selector: must be 1 to 100 "
			      "bytes long, not 101\n");
	free(yaml);
	sel[100] = '\0';
	yaml = cf_xasprintf(RETENTION_HEAD JOB_LEVEL "    - selector: %s\n      age: 1 week\n", sel);
	EXPECT_VALID(yaml);
	free(yaml);
}

static void test_selector_length_counts_bytes_not_characters(void **state)
{
	(void)state;
	/* 60 characters of two bytes each: artifacthub measures len() in Go, bytes */
	char sel[122] = "/";
	for (int i = 0; i < 60; i++)
		strcat(sel, "\xc3\xa9");
	char *yaml = cf_xasprintf(RETENTION_HEAD JOB_LEVEL "    - selector: %s\n      age: 1 week\n", sel);
	EXPECT_PROBLEMS(yaml, "t.yaml:7:17: spec.job_level_retention_policies[0].selector: must be 1 to 100 "
			      "bytes long, not 121\n");
	free(yaml);
}

static void test_empty_selector_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(RETENTION_HEAD JOB_LEVEL JOB_RULE("\"\"", "1 week"),
			"t.yaml:7:17: spec.job_level_retention_policies[0].selector: must be 1 to 100 "
			"bytes long, not 0\n");
}

static void test_rule_needs_selector_and_age(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(RETENTION_HEAD JOB_LEVEL "    - age: 1 week\n",
			"t.yaml:7:7: spec.job_level_retention_policies[0]: missing required key 'selector'\n");
}

static void test_more_than_10_rules_per_level_is_rejected(void **state)
{
	(void)state;
	char *yaml = cf_xstrdup(RETENTION_HEAD "  project_level_retention_policies:\n");
	for (int i = 0; i < 11; i++) {
		char *next = cf_xasprintf("%s    - {selector: /r%d, age: 1 week}\n", yaml, i);
		free(yaml);
		yaml = next;
	}
	EXPECT_PROBLEMS(yaml, "t.yaml:17:7: spec.project_level_retention_policies: at most 10 rules, not 11\n");
	free(yaml);
}

static void test_policy_without_rules_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(RETENTION_HEAD "  job_level_retention_policies: []\n",
			"t.yaml:6:3: spec: a retention policy needs at least one rule in "
			"project_level_retention_policies, workflow_level_retention_policies or "
			"job_level_retention_policies\n");
}

static void test_absent_retention_policy_is_rejected(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata:\n  project: web\n"
			"  ensure: absent\n",
			"t.yaml:5:11: metadata.ensure: absent is not possible for a retention policy: the API "
			"cannot delete one (write the rules you want instead)\n");
}

static void test_retention_address_is_kind_and_project(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("r.yaml", RETENTION_HEAD JOB_LEVEL JOB_RULE("/a", "1 week") "---\n"
		 "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\n"
		 "metadata: {project_id: 3796efe0-81a0-4157-8774-7ad72d41ac28}\n"
		 "spec: {job_level_retention_policies: [{selector: /a, age: 1 week}]}\n");
	cf_resource_set *set = NULL;
	char *p = fx_load(&set);
	assert_string_equal(p, "");
	assert_int_equal(set->count, 2);
	assert_string_equal(set->items[0].address, "ArtifactRetentionPolicy/web");
	assert_string_equal(set->items[1].address,
			    "ArtifactRetentionPolicy/3796efe0-81a0-4157-8774-7ad72d41ac28");
	assert_true(set->items[1].project_is_id);
	free(p);
	cf_resource_set_free(set);
	fx_leave_tmpdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_with_one_rule_is_valid),
		cmocka_unit_test(test_age_over_12_is_rejected),
		cmocka_unit_test(test_age_of_0_is_rejected),
		cmocka_unit_test(test_age_unit_must_be_known),
		cmocka_unit_test(test_ages_in_days_weeks_months_and_years_are_accepted),
		cmocka_unit_test(test_selector_over_100_bytes_is_rejected),
		cmocka_unit_test(test_selector_length_counts_bytes_not_characters),
		cmocka_unit_test(test_empty_selector_is_rejected),
		cmocka_unit_test(test_rule_needs_selector_and_age),
		cmocka_unit_test(test_more_than_10_rules_per_level_is_rejected),
		cmocka_unit_test(test_policy_without_rules_is_rejected),
		cmocka_unit_test(test_absent_retention_policy_is_rejected),
		cmocka_unit_test(test_retention_address_is_kind_and_project),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

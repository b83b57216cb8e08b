/* ciform validate, --help and --version, driven through the real binary. */
#include "tests/unit/test_helpers.h"

#include <string.h>

#define EXAMPLES CIFORM_SOURCE_DIR "/specs-examples/semaphore"
static const char *const example_env[] = {"WEB_APP_DEPLOY_TOKEN=web-token-value",
					  "PAYMENTS_API_KEY=payments-key-value", NULL};

typedef fx_result run;
#define ciform fx_ciform
#define run_free fx_result_free

static void test_validate_accepts_the_examples(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"validate", EXAMPLES, NULL}, example_env, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, "Valid: 19 resources in 14 files (3 SelfHostedAgentType, 5 DeploymentTarget, "
				   "3 ArtifactRetentionPolicy, 2 Secret, 1 ProjectSecret, 1 Project, 2 Task, "
				   "1 Notification, 1 Dashboard).\n");
	run_free(&r);
}

static void test_validate_warns_of_a_missing_environment_variable_and_exits_0(void **state)
{
	(void)state;
	const char *const env[] = {"WEB_APP_DEPLOY_TOKEN=x", "PAYMENTS_API_KEY", NULL};
	run r = ciform((const char *[]){"validate", ".", NULL}, env, EXAMPLES);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "payments-api/targets.yaml:17:49: warning: spec.env_vars[0].valueFrom.env: "
				   "environment variable PAYMENTS_API_KEY is not set\n");
	assert_string_equal(r.out, "Valid: 19 resources in 14 files (3 SelfHostedAgentType, 5 DeploymentTarget, "
				   "3 ArtifactRetentionPolicy, 2 Secret, 1 ProjectSecret, 1 Project, 2 Task, "
				   "1 Notification, 1 Dashboard); 1 warning.\n");
	run_free(&r);
}

static void test_validate_needs_no_secret_at_all(void **state)
{
	(void)state;
	const char *const env[] = {"WEB_APP_DEPLOY_TOKEN", "PAYMENTS_API_KEY", NULL};
	run r = ciform((const char *[]){"validate", ".", NULL}, env, EXAMPLES);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "; 4 warnings.\n")); /* WEB_APP_DEPLOY_TOKEN thrice, PAYMENTS_API_KEY */
	run_free(&r);
}

static void test_validate_strict_fails_on_a_missing_environment_variable(void **state)
{
	(void)state;
	const char *const env[] = {"WEB_APP_DEPLOY_TOKEN=x", "PAYMENTS_API_KEY", NULL};
	run r = ciform((const char *[]){"validate", "--strict", ".", NULL}, env, EXAMPLES);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "payments-api/targets.yaml:17:49: spec.env_vars[0].valueFrom.env: "
				   "environment variable PAYMENTS_API_KEY is not set\n"
				   "ciform: error: 1 problem in the specs\n");
	run_free(&r);
}

static void test_plan_still_refuses_a_missing_environment_variable(void **state)
{
	(void)state;
	/* the specs are loaded before any connection: no server is needed to see it */
	const char *const env[] = {"WEB_APP_DEPLOY_TOKEN=x", "PAYMENTS_API_KEY", NULL};
	run r = ciform((const char *[]){"plan", ".", NULL}, env, EXAMPLES);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "payments-api/targets.yaml:17:49: spec.env_vars[0].valueFrom.env: "
				       "environment variable PAYMENTS_API_KEY is not set\n"));
	assert_false(fx_contains(r.err, "warning"));
	run_free(&r);
}

#define EMPTY_RULES_TARGET "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w}\n" \
			   "spec:\n  subject_rules: []\n"
#define EMPTY_RULES_WARNING "t.yaml:5:18: warning: spec.subject_rules: empty, so nobody can deploy to this " \
			    "target (no subject is allowed)\n"

static void test_validate_warns_of_an_empty_rule_list_and_exits_0(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", EMPTY_RULES_TARGET);
	run r = ciform((const char *[]){"validate", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, EMPTY_RULES_WARNING);
	assert_string_equal(r.out, "Valid: 1 resource in 1 file (1 DeploymentTarget); 1 warning.\n");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_strict_fails_on_a_warning(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", EMPTY_RULES_TARGET);
	run r = ciform((const char *[]){"validate", "--strict", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, EMPTY_RULES_WARNING "ciform: error: 1 warning in the specs (--strict)\n");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_counts_problems_and_warnings_apart(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", EMPTY_RULES_TARGET "  colour: red\n");
	run r = ciform((const char *[]){"validate", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, EMPTY_RULES_WARNING "t.yaml:6:3: unknown key 'colour' in spec\n"
				   "ciform: error: 1 problem in the specs (and 1 warning)\n");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_json_marks_warnings(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", EMPTY_RULES_TARGET);
	run r = ciform((const char *[]){"validate", "--format", "json", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "[{\"file\":\"t.yaml\",\"line\":5,\"column\":18,\"severity\":\"warning\","
				   "\"message\":\"spec.subject_rules: empty, so nobody can deploy to this target "
				   "(no subject is allowed)\"}]\n");
	assert_string_equal(r.err, "");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_refuses_an_empty_secret_without_strict(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("empty.pem", "");
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w}\n"
			   "spec:\n  env_vars: [{name: A, value: \"\"}]\n  files: [{path: /p, source: empty.pem}]\n");
	run r = ciform((const char *[]){"validate", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "t.yaml:5:31: spec.env_vars[0].value: must not be empty (the API would take "
				   "it and leave the target unusable)\n"
				   "t.yaml:6:30: spec.files[0].source: 'empty.pem' is empty (the API would take it "
				   "and leave the target unusable)\n"
				   "ciform: error: 2 problems in the specs\n");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_rejects_a_broken_spec_with_its_position(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("specs/agents.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata:\n"
				      "  name: s1-x\nspec:\n  agent_name_settings:\n    release_after: 30\n");
	run r = ciform((const char *[]){"validate", "specs", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "specs/agents.yaml:7:20: spec.agent_name_settings.release_after: "
				   "must be 0 or at least 60 (seconds), not 30\n"
				   "ciform: error: 1 problem in the specs\n");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_json_lists_every_problem(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("a.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: x, y: 1}\n");
	run r = ciform((const char *[]){"validate", "--format", "json", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.out,
		"[{\"file\":\"a.yaml\",\"line\":3,\"column\":18,\"severity\":\"error\",\"message\":"
		"\"metadata.name: must be s1- followed by letters, digits, _ or -, not 'x'\"},"
		"{\"file\":\"a.yaml\",\"line\":3,\"column\":21,\"severity\":\"error\",\"message\":"
		"\"unknown key 'y' in metadata\"}]\n");
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_validate_json_of_valid_specs_is_an_empty_list(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"validate", "--format=json", EXAMPLES, NULL}, example_env, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "[]\n");
	run_free(&r);
}

static void test_validate_of_a_missing_path_exits_1(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"validate", "/nonexistent/specs", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: /nonexistent/specs: No such file or directory\n");
	run_free(&r);
}

static void test_validate_with_a_bad_format_exits_1(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"validate", "--format", "xml", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: --format must be text or json, not 'xml' "
				   "(see 'ciform validate --help')\n");
	run_free(&r);
}

static void test_validate_never_prints_secret_values(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: p, project: w}\n"
			   "spec:\n  env_vars:\n    - {name: 1A, value: s3cr3t-literal}\n"
			   "    - {name: B, valueFrom: {env: SECRET_FROM_ENV}}\n  colour: x\n");
	const char *const env[] = {"SECRET_FROM_ENV=s3cr3t-env", NULL};
	run r = ciform((const char *[]){"validate", NULL}, env, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "spec.env_vars[0].name"));
	assert_false(fx_contains(r.err, "s3cr3t"));
	assert_false(fx_contains(r.out, "s3cr3t"));
	run_free(&r);
	fx_leave_tmpdir();
}

static void test_help_lists_the_commands(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"--help", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "usage: ciform <command> [options]"));
	assert_true(fx_contains(r.out, "  validate "));
	run_free(&r);
	r = ciform((const char *[]){"validate", "--help", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "usage: ciform validate [PATH...] [--format text|json] [--strict]"));
	assert_true(fx_contains(r.out, "  --strict "));
	run_free(&r);
}

static void test_version_prints_the_version(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"--version", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "ciform " CIFORM_VERSION "\n");
	run_free(&r);
}

static void test_unknown_command_exits_1(void **state)
{
	(void)state;
	run r = ciform((const char *[]){"destroy", NULL}, NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: unknown command 'destroy' (see 'ciform --help')\n");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_accepts_the_examples),
		cmocka_unit_test(test_validate_warns_of_a_missing_environment_variable_and_exits_0),
		cmocka_unit_test(test_validate_needs_no_secret_at_all),
		cmocka_unit_test(test_validate_strict_fails_on_a_missing_environment_variable),
		cmocka_unit_test(test_plan_still_refuses_a_missing_environment_variable),
		cmocka_unit_test(test_validate_warns_of_an_empty_rule_list_and_exits_0),
		cmocka_unit_test(test_validate_strict_fails_on_a_warning),
		cmocka_unit_test(test_validate_counts_problems_and_warnings_apart),
		cmocka_unit_test(test_validate_json_marks_warnings),
		cmocka_unit_test(test_validate_refuses_an_empty_secret_without_strict),
		cmocka_unit_test(test_validate_rejects_a_broken_spec_with_its_position),
		cmocka_unit_test(test_validate_json_lists_every_problem),
		cmocka_unit_test(test_validate_json_of_valid_specs_is_an_empty_list),
		cmocka_unit_test(test_validate_of_a_missing_path_exits_1),
		cmocka_unit_test(test_validate_with_a_bad_format_exits_1),
		cmocka_unit_test(test_validate_never_prints_secret_values),
		cmocka_unit_test(test_help_lists_the_commands),
		cmocka_unit_test(test_version_prints_the_version),
		cmocka_unit_test(test_unknown_command_exits_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

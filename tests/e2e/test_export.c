/* ciform export against ciform-sandbox: adopting what already exists. */
#include "tests/e2e/scene.h"

#include <string.h>

#define LIVE ORG("{\"project\": \"web\", \"name\": \"prod\", \"url\": \"https://p\", \"bookmark_parameter1\": \"svc\"," \
		 " \"active\": false, \"subject_rules\": [{\"type\": \"ROLE\", \"subject_id\": \"" R_ADMIN "\"},"     \
		 " {\"type\": \"USER\", \"git_login\": \"octocat\"}],"                                              \
		 " \"object_rules\": [{\"type\": \"TAG\", \"match_mode\": \"REGEX\", \"pattern\": \"^v1\"}],"         \
		 " \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"live-secret-9\"}],"                             \
		 " \"files\": [{\"path\": \"/etc/x\", \"content\": \"bGl2ZS1maWxl\"}]}",                             \
		 "{\"name\": \"s1-a\", \"release_after\": 120},"                                                    \
		 " {\"name\": \"s1-b\", \"assignment_origin\": \"assignment_origin_aws_sts\","                       \
		 " \"aws\": {\"account_id\": \"000000000000\", \"role_name_patterns\": \"r*\"}}",                    \
		 "{\"project\": \"web\", \"job_level_retention_policies\": [{\"selector\": \"/**/*\", \"age\": \"2 weeks\"}]}")

static void test_an_exported_project_plans_as_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", "web", "--dir", "adopted"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "ciform: wrote 2 manifests to adopted\n");
	fx_result_free(&r);
	r = cf(&e, ARGS("validate", "adopted"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "adopted"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_exported_agent_types_plan_as_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--agent-types"));
	assert_int_equal(r.rc, 0);
	fx_write("agents.yaml", r.out);
	assert_true(fx_contains(r.out, "  agent_name_settings:\n    assignment_origin: assignment_origin_aws_sts\n"
				       "    release_after: 0\n    aws:\n      account_id: \"000000000000\"\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", "agents.yaml"));
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_export_writes_md5_placeholders_and_role_names(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", P_WEB));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "  project_id: " P_WEB "\n"));
	assert_true(fx_contains(r.out, "  - type: ROLE\n    subject_id: Admin\n"));
	assert_true(fx_contains(r.out, "  - name: TOKEN\n    value: c410fc51bbe30d7f8e1ba137c4399337 [md5]\n"));
	assert_false(fx_contains(r.out, "live-secret-9"));
	assert_false(fx_contains(r.out, "bGl2ZS1maWxl"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_export_needs_one_of_project_and_agent_types(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("export"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: give exactly one of --project NAME|UUID and --agent-types "
				   "(see 'ciform export --help')\n");
	fx_result_free(&r);
}

static void test_export_of_a_missing_project_is_an_error(void **state)
{
	(void)state;
	e2e e;
	up(&e, LIVE, NULL);
	fx_result r = cf(&e, ARGS("export", "--project", "nope"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects/nope: HTTP 404: Not found\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_exported_project_plans_as_unchanged),
		cmocka_unit_test(test_exported_agent_types_plan_as_unchanged),
		cmocka_unit_test(test_export_writes_md5_placeholders_and_role_names),
		cmocka_unit_test(test_export_needs_one_of_project_and_agent_types),
		cmocka_unit_test(test_export_of_a_missing_project_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

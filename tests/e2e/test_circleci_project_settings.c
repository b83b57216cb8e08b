/*
 * The CircleCI ProjectSettings kind end to end, against ciform-sandbox
 * --api circleci: validate's positions (oss read-only, ensure: absent, the
 * overrides set), one PATCH of the changed managed keys only, keys the spec
 * leaves out left alone, the overrides compared as a set and cleared by [],
 * drift, an unknown project, the fault modes, and export round-tripping
 * through `ciform export --project`.
 */
#include "tests/e2e/test_circleci.h"

#define SEED(adv)                                                                                             \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"," \
	" \"vcs_type\": \"github\"}], \"projects\": [{\"id\": \"" WEB_ID "\", \"slug\": \"gh/acme/web\", \"name\":" \
	" \"web\", \"organization_id\": \"" ORG_ID "\", \"settings\": {\"advanced\": " adv "}}]}}"

#define DOC "apiVersion: circleci/v1\nkind: ProjectSettings\nmetadata: {project: gh/acme/web}\n"
#define SETTINGS_PATH "/api/v2/project/gh/acme/web/settings"

static void test_oss_is_refused_at_its_position_as_read_only(void **state)
{
	(void)state;
	assert_problem(DOC "spec:\n  advanced:\n    oss: true\n",
		       "c.yaml:6:10: spec.advanced.oss: read-only: CircleCI answers a settings update holding it "
		       "with 400 \"Unexpected field 'advanced.oss'.\"");
}

static void test_an_unknown_setting_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC "spec:\n  advanced:\n    build_everything: true\n",
		       "c.yaml:6:5: unknown key 'build_everything' in spec.advanced");
}

static void test_a_branch_listed_twice_in_the_overrides_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC "spec:\n  advanced:\n    pr_only_branch_overrides: [main, main]\n",
		       "c.yaml:6:38: spec.advanced.pr_only_branch_overrides[1]: 'main' is listed twice (the list "
		       "is a set)");
}

static void test_ensure_absent_is_refused_for_project_settings(void **state)
{
	(void)state;
	assert_problem("apiVersion: circleci/v1\nkind: ProjectSettings\nmetadata: {project: gh/acme/web, "
		       "ensure: absent}\n",
		       "absent is not possible for project settings: CircleCI has no route that deletes them");
}

static void test_apply_patches_only_the_changed_managed_keys_and_converges(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"autocancel_builds\": false, \"build_prs_only\": true, \"disable_ssh\": true}"), NULL);
	fx_write("s.yaml", DOC "spec:\n  advanced:\n    autocancel_builds: true\n    build_prs_only: true\n"
		 "    pr_only_branch_overrides: [release, main]\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  ~ ProjectSettings/gh/acme/web (update)\n      spec.advanced.autocancel_builds: false -> true\n");
	expect_in(r.out, "spec.advanced.pr_only_branch_overrides:");
	assert_false(fx_contains(r.out, "disable_ssh"));
	assert_false(fx_contains(r.out, "build_prs_only"));
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *patches = requests("PATCH", SETTINGS_PATH);
	assert_string_equal(patches, "PATCH " SETTINGS_PATH " {\"advanced\":{\"autocancel_builds\":true,"
			    "\"pr_only_branch_overrides\":[\"release\",\"main\"]}}\n");
	free(patches);
	r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_the_overrides_compare_as_a_set_and_an_empty_list_clears_them(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"pr_only_branch_overrides\": [\"main\", \"dev\"]}"), NULL);
	fx_write("s.yaml", DOC "spec:\n  advanced: {pr_only_branch_overrides: [dev, main]}\n");
	fx_result r = run(ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	fx_write("s.yaml", DOC "spec:\n  advanced: {pr_only_branch_overrides: []}\n");
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *patches = requests("PATCH", SETTINGS_PATH);
	assert_string_equal(patches, "PATCH " SETTINGS_PATH " {\"advanced\":{\"pr_only_branch_overrides\":[]}}\n");
	free(patches);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_managed_key_changed_live_is_drift_and_an_unmanaged_one_is_not(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"set_github_status\": false, \"disable_ssh\": true}"), NULL);
	fx_write("s.yaml", DOC "spec:\n  advanced: {set_github_status: true}\n");
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 2);
	expect_in(r.out, "      spec.advanced.set_github_status: false -> true\n");
	assert_false(fx_contains(r.out, "disable_ssh"));
	fx_result_free(&r);
	fx_write("s.yaml", DOC "spec:\n  advanced: {disable_ssh: true}\n");
	r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_settings_of_an_unknown_project_are_a_plan_error_at_metadata_project(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{}"), NULL);
	fx_write("s.yaml", "apiVersion: circleci/v1\nkind: ProjectSettings\nmetadata: {project: gh/acme/nope}\n"
		 "spec: {advanced: {disable_ssh: true}}\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "s.yaml:3:21: metadata.project: no project gh/acme/nope (GET /project/gh/acme/nope answered 404)");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_under_failing_requests_apply_converges(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{}"), ARGS("--fail-every", "2"));
	fx_write("s.yaml", DOC "spec:\n  advanced: {autocancel_builds: true, setup_workflows: true}\n");
	fx_result r = {0};
	for (int i = 0; i < 6; i++) {
		fx_result_free(&r);
		r = run(ARGS("apply", "--yes"));
		if (r.rc == 0 && fx_contains(r.out, "No changes"))
			break;
	}
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = run(ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_exported_settings_leave_out_oss_and_plan_unchanged(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"autocancel_builds\": true, \"oss\": true, \"pr_only_branch_overrides\": [\"main\"]}"), NULL);
	fx_result r = run(ARGS("export", "--project", "gh/acme/web"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "kind: ProjectSettings\nmetadata:\n  project: gh/acme/web\nspec:\n  advanced:\n"
			 "    autocancel_builds: true\n");
	expect_in(r.out, "    pr_only_branch_overrides:\n    - main\n");
	assert_false(fx_contains(r.out, "oss"));
	fx_write("out.yaml", r.out);
	fx_result_free(&r);
	r = run(ARGS("plan", "out.yaml"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oss_is_refused_at_its_position_as_read_only),
		cmocka_unit_test(test_an_unknown_setting_is_refused_at_its_position),
		cmocka_unit_test(test_a_branch_listed_twice_in_the_overrides_is_refused),
		cmocka_unit_test(test_ensure_absent_is_refused_for_project_settings),
		cmocka_unit_test(test_apply_patches_only_the_changed_managed_keys_and_converges),
		cmocka_unit_test(test_the_overrides_compare_as_a_set_and_an_empty_list_clears_them),
		cmocka_unit_test(test_a_managed_key_changed_live_is_drift_and_an_unmanaged_one_is_not),
		cmocka_unit_test(test_settings_of_an_unknown_project_are_a_plan_error_at_metadata_project),
		cmocka_unit_test(test_under_failing_requests_apply_converges),
		cmocka_unit_test(test_exported_settings_leave_out_oss_and_plan_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

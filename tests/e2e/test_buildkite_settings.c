/*
 * The Buildkite OrganizationPipelineSettings kind end to end: the real
 * ciform binary against `ciform-sandbox --api buildkite`: validate's checks,
 * the exact PATCH (changed fields only, the default cluster by UUID, null
 * clearing it), convergence, plan errors, export round trips and the scope.
 */
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>




#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"
#define SETTINGS_SEED ", \"pipeline_settings\": {\"default_branch\": \"main\", \"default_timeout_in_minutes\": 60, " \
	"\"maximum_timeout_in_minutes\": 120}"
#define SETTINGS(spec) "apiVersion: buildkite/v1\nkind: OrganizationPipelineSettings\nmetadata: {}\nspec: " spec "\n"
#define PSPATH "/v2/organizations/acme/pipeline-settings"

static void test_a_default_above_the_maximum_and_ensure_absent_are_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("o.yaml", SETTINGS("{default_timeout_in_minutes: 200, maximum_timeout_in_minutes: 100}"));
	fx_result r = fx_ciform(ARGS("validate", "o.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "o.yaml:4:36: spec.default_timeout_in_minutes: must not exceed maximum_timeout_in_minutes"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("o.yaml", "apiVersion: buildkite/v1\nkind: OrganizationPipelineSettings\nmetadata: {ensure: absent}\n");
	r = fx_ciform(ARGS("validate", "o.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "the organization's pipeline settings cannot be deleted"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_an_update_patches_the_changed_fields_and_the_default_cluster_by_uuid(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SETTINGS_SEED), NULL);
	fx_write("o.yaml", SETTINGS("{default_branch: main, default_cluster: linux, default_timeout_in_minutes: 30}"));
	expect(&b, ARGS("plan", "o.yaml"), 0, "spec.default_cluster: null -> \"linux\"", NULL);
	expect(&b, ARGS("apply", "--yes", "o.yaml"), 0, NULL, NULL);
	expect_body("PATCH", PSPATH, "{\"default_cluster_id\":\"" CL1 "\",\"default_timeout_in_minutes\":30}");
	expect(&b, ARGS("drift", "o.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_explicit_null_clears_the_default_cluster(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"clusters\": [" LINUX "], \"pipeline_settings\": {\"default_cluster_id\": \"" CL1 "\"}}}", NULL);
	fx_write("o.yaml", SETTINGS("{default_cluster: linux}"));
	expect(&b, ARGS("drift", "o.yaml"), 0, "No changes.", NULL);
	fx_write("o.yaml", SETTINGS("{default_cluster: null}"));
	expect(&b, ARGS("apply", "--yes", "o.yaml"), 0, NULL, NULL);
	expect_body("PATCH", PSPATH, "{\"default_cluster_id\":null}");
	expect(&b, ARGS("drift", "o.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_unknown_default_cluster_is_a_plan_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SETTINGS_SEED), NULL);
	fx_write("o.yaml", SETTINGS("{default_cluster: windows}"));
	expect(&b, ARGS("plan", "o.yaml"), 1, NULL, "o.yaml:4:25: spec.default_cluster: the organization has no cluster 'windows'");
	bk_down(&b);
}

static void test_exported_settings_plan_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"clusters\": [" LINUX "], \"pipeline_settings\": {\"default_branch\": \"trunk\", "
		  "\"default_cluster_id\": \"" CL1 "\", \"maximum_timeout_in_minutes\": 90}}}", NULL);
	fx_result r = run(&b, ARGS("export", "--org-settings", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/organization/pipeline-settings.yaml");
	assert_true(fx_contains(text, "default_cluster: linux"));
	assert_true(fx_contains(text, "maximum_timeout_in_minutes: 90"));
	free(text);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_token_without_read_organization_settings_is_refused(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_clusters\"]}}", NULL);
	fx_write("o.yaml", SETTINGS("{default_branch: main}"));
	expect(&b, ARGS("plan", "o.yaml"), 1, NULL, "lacks the scope(s) read_organization_settings");
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_default_above_the_maximum_and_ensure_absent_are_refused),
		cmocka_unit_test(test_an_update_patches_the_changed_fields_and_the_default_cluster_by_uuid),
		cmocka_unit_test(test_an_explicit_null_clears_the_default_cluster),
		cmocka_unit_test(test_an_unknown_default_cluster_is_a_plan_error),
		cmocka_unit_test(test_exported_settings_plan_as_unchanged),
		cmocka_unit_test(test_a_token_without_read_organization_settings_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

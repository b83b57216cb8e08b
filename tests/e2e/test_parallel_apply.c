/*
 * apply with --parallelism: the changes of one phase run at once, a later
 * phase waits for the earlier one, the account stays in plan order, and a
 * failure lets what is in flight finish but starts nothing more.
 */
#include "tests/e2e/scene.h"

#include <string.h>

#define SYNCING_TARGET(name) TARGET_DOC("web", name) "spec: {env_vars: [{name: A, value: a}]}\n"

static void test_the_changes_of_one_phase_run_at_once(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--sync-ms", "300", "--latency-ms", "100"), NULL);
	fx_write("t.yaml", SYNCING_TARGET("a") "---\n" SYNCING_TARGET("b") "---\n" SYNCING_TARGET("c") "---\n"
		 SYNCING_TARGET("d"));
	fx_result r = cf(&e, ARGS("apply", "--yes", "--parallelism", "4"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "\nApply complete: 4 changes applied.\n"));
	fx_result_free(&r);
	cJSON *st = fx_sandbox_stats(&e.sb);
	assert_true(cJSON_GetObjectItem(st, "max_in_flight")->valueint >= 2); /* creates and syncs overlapped */
	cJSON_Delete(st);
	r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_deactivation_waits_for_the_create_of_its_target(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--sync-ms", "300"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "off") "spec: {active: false, env_vars: [{name: A, value: a}]}\n---\n"
		 SYNCING_TARGET("on"));
	fx_result r = cf(&e, ARGS("apply", "--yes", "--parallelism", "8"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_failure_finishes_what_is_in_flight_and_starts_no_later_phase(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b")
		 "spec: {env_vars: [{name: SANDBOX_FAIL_SYNC, value: \"1\"}]}\n---\n" TARGET_DOC("web", "c") "---\n"
		 "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: web}\n"
		 "spec: {job_level_retention_policies: [{selector: /a, age: 1 week}]}\n");
	fx_result r = cf(&e, ARGS("apply", "--yes", "--parallelism", "8"));
	assert_int_equal(r.rc, 1);
	/* a, b and c were in flight together; the policy's phase never began */
	assert_true(fx_contains(r.err, "Applied (2):\n  DeploymentTarget/web/a (create)\n  DeploymentTarget/web/c (create)\n"
				       "Failed (1):\n  DeploymentTarget/web/b (create)\n"
				       "Not applied (1):\n  ArtifactRetentionPolicy/web (create)\n"));
	fx_result_free(&r);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "POST /artifacts_retention_policies"), 0);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_changes_of_one_phase_run_at_once),
		cmocka_unit_test(test_a_deactivation_waits_for_the_create_of_its_target),
		cmocka_unit_test(test_a_failure_finishes_what_is_in_flight_and_starts_no_later_phase),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Faults: a flaky API, a killed apply, and servers that misbehave. ciform
 * must converge without duplicates, or fail with a clear error and exit 1,
 * never crash. */
#include "tests/e2e/scene.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define EXAMPLES CIFORM_SOURCE_DIR "/specs-examples/semaphore"
#define SECRETS "WEB_APP_DEPLOY_TOKEN=fault-web-token", "PAYMENTS_API_KEY=fault-pay-key"
#define P_WEBAPP "6a1d6f0e-4c8b-4a52-9d3e-0b7f2c1a9e01"
#define P_PAYMENTS "6a1d6f0e-4c8b-4a52-9d3e-0b7f2c1a9e02"

static char *example_seed(void)
{
	FILE *f = fopen(EXAMPLES "/sandbox-seed.json", "rb");
	char *buf = cf_xcalloc(1 << 16, 1);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Each target name once per project, and the number expected. */
static void assert_targets(e2e *e, const char *project_id, int want)
{
	char path[128];
	snprintf(path, sizeof(path), "/deployment_targets?project_id=%s", project_id);
	cJSON *list = e2e_get(e, path), *t, *u;
	assert_int_equal(cJSON_GetArraySize(list), want);
	cJSON_ArrayForEach(t, list) {
		int same = 0;
		cJSON_ArrayForEach(u, list)
			same += !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(t, "name")),
					cJSON_GetStringValue(cJSON_GetObjectItem(u, "name")));
		assert_int_equal(same, 1);
	}
	cJSON_Delete(list);
}

static void test_apply_against_a_flaky_slow_api_converges_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	char *seed = example_seed();
	e2e_up(&e, seed, ARGS("--fail-every", "4", "--latency-ms", "5"), ARGS(SECRETS));
	free(seed);
	fx_result r = cf(&e, ARGS("apply", EXAMPLES, "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Apply complete: 20 changes applied."));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", EXAMPLES));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	assert_targets(&e, P_WEBAPP, 4); /* production, staging, production-legacy, preview-pr-123 */
	assert_targets(&e, P_PAYMENTS, 2);
	e2e_down(&e);
}

static void test_a_second_apply_after_kill_9_converges_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	char *seed = example_seed();
	e2e_up(&e, seed, ARGS("--latency-ms", "60"), ARGS(SECRETS));
	free(seed);
	const char *const argv[] = {CIFORM_BIN, "apply", EXAMPLES, "--yes", NULL};
	int pid = fx_spawn(argv, e.env, "apply.log");
	nanosleep(&(struct timespec){1, 200000000L}, NULL); /* reads done, some changes under way */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fx_result r = cf(&e, ARGS("apply", EXAMPLES, "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("plan", EXAMPLES));
	assert_true(fx_contains(r.out, "No changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	assert_targets(&e, P_WEBAPP, 4);
	assert_targets(&e, P_PAYMENTS, 2);
	e2e_down(&e);
}

static fx_result plan_against_fault(e2e *e, const char *fault)
{
	e2e_up(e, ORG("", "", ""), ARGS("--fault", fault), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	return cf(e, ARGS("plan"));
}

static void test_a_server_that_closes_the_connection_is_a_clear_error(void **state)
{
	(void)state;
	e2e e;
	fx_result r = plan_against_fault(&e, "close");
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects?page=1: Empty reply from server (after 5 attempts)\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_truncated_body_is_a_clear_error(void **state)
{
	(void)state;
	e2e e;
	fx_result r = plan_against_fault(&e, "truncate");
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "ciform: error: GET /projects?page=1: transfer closed with "));
	assert_true(fx_contains(r.err, "(after 5 attempts)\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_body_that_is_not_json_is_a_clear_error(void **state)
{
	(void)state;
	e2e e;
	fx_result r = plan_against_fault(&e, "html");
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects?page=1: HTTP 200: the answer is not JSON: "
				   "<html><body>502 Bad Gateway</body></html>\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_200_of_an_unexpected_shape_is_a_clear_error(void **state)
{
	(void)state;
	e2e e;
	fx_result r = plan_against_fault(&e, "shape");
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects?page=1: the answer is not a list of projects\n");
	fx_result_free(&r);
	fx_write("t.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n");
	r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /self_hosted_agent_types: the answer has an unexpected shape "
				   "(no \"agent_types\" list)\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_unreachable_host_is_a_clear_error(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = fx_ciform(ARGS("plan"), ARGS("SEMAPHORE_ORG_URL=http://127.0.0.1:9", "SEMAPHORE_API_TOKEN=x"), NULL);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "ciform: error: GET /projects?page=1: Failed to connect to 127.0.0.1 port 9"));
	assert_true(fx_contains(r.err, "(after 5 attempts)\n"));
	fx_result_free(&r);
	fx_leave_tmpdir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_against_a_flaky_slow_api_converges_without_duplicates),
		cmocka_unit_test(test_a_second_apply_after_kill_9_converges_without_duplicates),
		cmocka_unit_test(test_a_server_that_closes_the_connection_is_a_clear_error),
		cmocka_unit_test(test_a_truncated_body_is_a_clear_error),
		cmocka_unit_test(test_a_body_that_is_not_json_is_a_clear_error),
		cmocka_unit_test(test_a_200_of_an_unexpected_shape_is_a_clear_error),
		cmocka_unit_test(test_an_unreachable_host_is_a_clear_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

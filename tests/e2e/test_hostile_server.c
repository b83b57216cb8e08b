/*
 * ciform against a server that misbehaves on purpose (ciform-sandbox
 * --fault): every bound the client keeps is driven here, and each failure is
 * a clear error with exit 1, never a hang, a crash or a change made on a
 * wrong reading.
 */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* How many requests in the sandbox's --record log hold needle. */
static int recorded(const char *needle)
{
	FILE *f = fopen("requests.jsonl", "r");
	assert_non_null(f);
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static fx_result plan_with(e2e *e, const char *const *extra)
{
	const char *args[12] = {"plan"};
	size_t n = 1;
	for (size_t i = 0; extra && extra[i] && n < 11; i++)
		args[n++] = extra[i];
	return cf(e, args);
}

static void test_an_endless_answer_is_cut_at_the_answer_bound(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--fault", "endless"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = plan_with(&e, ARGS("--max-answer-mb", "1"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects?page=1: the answer is larger than 1048576 bytes; "
				   "giving up\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_endless_paging_stops_after_100_pages(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--fault", "endless-pages", "--record", "requests.jsonl"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = plan_with(&e, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects: still x-has-more after 100 pages; giving up\n");
	fx_result_free(&r);
	assert_int_equal(recorded("\"path\":\"/projects\""), 100);
	e2e_down(&e);
}

static void test_a_stalled_answer_fails_after_two_attempts(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--fault", "slow"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = plan_with(&e, ARGS("--request-timeout", "1"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "GET /projects?page=1: Operation timed out after"));
	assert_true(fx_contains(r.err, "(after 2 attempts)"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_target_list_answered_null_is_an_error_and_nothing_is_created(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--fault", "null-lists"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /deployment_targets?project_id=" P_WEB ": the answer has an "
				   "unexpected shape (not a list)\n");
	fx_result_free(&r);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "POST /deployment_targets"), 0);
	e2e_down(&e);
}

static void test_the_request_bound_stops_a_run_that_would_make_more(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\"}, {\"project\": \"web\", \"name\": \"b\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b"));
	fx_result r = plan_with(&e, ARGS("--max-requests", "2"));
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "not sent: this run already made 2 requests, the most allowed (--max-requests)"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_the_wait_timeout_is_waited_in_full(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, ORG("", "", ""), ARGS("--sync-ms", "60000"), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	fx_result r = cf(&e, ARGS("apply", "--yes", "--wait-timeout", "2"));
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(r.rc, 1);
	assert_true(fx_contains(r.err, "DeploymentTarget/web/prod: still SYNCING after the wait timeout"));
	fx_result_free(&r);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 2000); /* not given up early */
	e2e_down(&e);
}

static void test_two_live_targets_with_one_name_are_an_error_not_a_guess(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"id\": \"0d000000-0000-4000-8000-000000000001\"},"
		   " {\"project\": \"web\", \"name\": \"prod\", \"id\": \"0d000000-0000-4000-8000-000000000002\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = plan_with(&e, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: project web has two deployment targets named 'prod' "
				   "(0d000000-0000-4000-8000-000000000001 and 0d000000-0000-4000-8000-000000000002): "
				   "ciform cannot tell which DeploymentTarget/web/prod means\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_control_characters_in_a_server_message_are_never_printed_raw(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"state\": \"UNUSABLE\","
		   " \"state_message\": \"\\u001b[2Jwiped\\u0007\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = plan_with(&e, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "state: \"UNUSABLE: \\u001b[2Jwiped\\u0007\""));
	assert_false(fx_contains(r.out, "\033"));
	assert_false(fx_contains(r.out, "\a"));
	fx_result_free(&r);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_endless_answer_is_cut_at_the_answer_bound),
		cmocka_unit_test(test_endless_paging_stops_after_100_pages),
		cmocka_unit_test(test_a_stalled_answer_fails_after_two_attempts),
		cmocka_unit_test(test_a_target_list_answered_null_is_an_error_and_nothing_is_created),
		cmocka_unit_test(test_the_request_bound_stops_a_run_that_would_make_more),
		cmocka_unit_test(test_the_wait_timeout_is_waited_in_full),
		cmocka_unit_test(test_two_live_targets_with_one_name_are_an_error_not_a_guess),
		cmocka_unit_test(test_control_characters_in_a_server_message_are_never_printed_raw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

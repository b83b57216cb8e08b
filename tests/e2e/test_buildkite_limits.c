/* Buildkite's rate limits (docs pages/apis/rest_api/rate_limits.md): ciform
 * paces its requests by the RateLimit-* headers so it never runs into the
 * quota, and a 429 it meets anyway (a POST included) is sent again after
 * the wait it names. */
#include "tests/e2e/test_buildkite.h"

#define CLUSTER(n) "{\"id\": \"01900000-0000-4000-8000-00000000000" n "\", \"name\": \"c" n "\"}"
#define QUEUE_DOC(n)                                                                                         \
	"apiVersion: buildkite/v1\nkind: ClusterQueue\nmetadata: {cluster: c" n ", key: default}\n"          \
	"spec: {description: General}\n---\n"
#define CLUSTER_DOC(name) "apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: " name "}\n---\n"

static void test_requests_are_paced_by_the_announced_quota_and_meet_no_429(void **state)
{
	(void)state;
	bk b;
	/* four requests per user and 2-second window: the plan below reads six
	 * clusters' queues, which eight parallel requests would send at once */
	bk_up(&b, "{\"buildkite\": {\"organization\": \"acme\", \"rate_limit\": {\"user\": 4, \"window_seconds\": 2},"
		  " \"clusters\": [" CLUSTER("1") "," CLUSTER("2") "," CLUSTER("3") "," CLUSTER("4") "," CLUSTER("5")
		  "," CLUSTER("6") "]}}", NULL);
	fx_write("q.yaml", QUEUE_DOC("1") QUEUE_DOC("2") QUEUE_DOC("3") QUEUE_DOC("4") QUEUE_DOC("5") QUEUE_DOC("6"));
	fx_result r = run(&b, ARGS("plan", "--debug", "q.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Plan: 6 to create"));
	assert_int_equal(fx_count(r.err, "/queues?"), 6);
	assert_int_equal(fx_count(r.err, " -> 429 "), 0);
	fx_result_free(&r);
	bk_down(&b);
}

static void test_a_quota_of_one_request_a_window_is_waited_for_not_exceeded(void **state)
{
	(void)state;
	bk b;
	/* every answer says nothing is left: each request waits for the next
	 * window (the sandbox answers 429 past the quota: test_conformance_buildkite_limits.c) */
	bk_up(&b, "{\"buildkite\": {\"organization\": \"acme\", \"rate_limit\": {\"user\": 1, \"window_seconds\": 1}}}",
	      NULL);
	fx_write("c.yaml", CLUSTER_DOC("one"));
	fx_result r = run(&b, ARGS("plan", "--debug", "c.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Plan: 1 to create"));
	assert_int_equal(fx_count(r.err, " -> 429 "), 0);
	fx_result_free(&r);
	bk_down(&b);
}

static void test_a_post_refused_with_429_is_sent_again_and_creates_once(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED("", ""), ARGS("--throttle-every", "2"));
	fx_write("c.yaml", CLUSTER_DOC("alpha") CLUSTER_DOC("beta"));
	fx_result r = run(&b, ARGS("apply", "--yes", "--debug", "--parallelism", "1", "c.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.err, "POST /organizations/acme/clusters -> 429 in "));
	assert_true(fx_contains(r.err, "POST /organizations/acme/clusters -> 201 in "));
	fx_result_free(&r);
	expect(&b, ARGS("plan", "c.yaml"), 0, "No changes", NULL);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_are_paced_by_the_announced_quota_and_meet_no_429),
		cmocka_unit_test(test_a_quota_of_one_request_a_window_is_waited_for_not_exceeded),
		cmocka_unit_test(test_a_post_refused_with_429_is_sent_again_and_creates_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

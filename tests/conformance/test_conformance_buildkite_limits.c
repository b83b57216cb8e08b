/* The Buildkite sandbox's rate limit, as docs pages/apis/rest_api/rate_limits.md
 * describes it: the quota of the current window in RateLimit-* and
 * RateLimit-User-* headers, and past it a 429 whose body says which quota,
 * its limit, the count and the seconds until the window resets. */
#define SEED                                                                                                 \
	"{\"buildkite\": {\"organization\": \"acme\", \"rate_limit\": {\"organization\": 200, \"user\": 2, "  \
	"\"window_seconds\": 60}}}"
#include "tests/conformance/test_conformance_buildkite.h"

static void test_each_answer_counts_down_the_windows_quota(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", "/v2/access-token", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_true(fx_contains(a.headers, "RateLimit-Limit: 200\r\n"));
	assert_true(fx_contains(a.headers, "RateLimit-Remaining: 199\r\n"));
	assert_true(fx_contains(a.headers, "RateLimit-User-Limit: 2\r\n"));
	assert_true(fx_contains(a.headers, "RateLimit-User-Remaining: 1\r\n"));
	done(&a);
	a = call(&sb, "GET", "/v2/access-token", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_true(fx_contains(a.headers, "RateLimit-User-Remaining: 0\r\n"));
	done(&a);
	down(&sb);
}

static void test_past_the_quota_a_429_names_the_scope_limit_and_reset(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	for (int i = 0; i < 2; i++) {
		ans ok = call(&sb, "GET", "/v2/access-token", NULL, NULL);
		assert_int_equal(ok.status, 200);
		done(&ok);
	}
	ans a = call(&sb, "POST", ORG "/clusters", "{\"name\": \"x\"}", NULL);
	assert_int_equal(a.status, 429);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "scope")), "rest_user");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(a.json, "limit")), 2);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(a.json, "current")), 3);
	double reset = cJSON_GetNumberValue(cJSON_GetObjectItem(a.json, "reset"));
	assert_true(reset > 0 && reset <= 60);
	assert_true(fx_contains(a.headers, "RateLimit-User-Remaining: 0\r\n"));
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_answer_counts_down_the_windows_quota),
		cmocka_unit_test(test_past_the_quota_a_429_names_the_scope_limit_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* What the engine reads from answer headers: the Link header's next page,
 * announced quotas and 429 waits (reconciler/http_headers.h). */
#include "tests/unit/test_helpers.h"
#include "reconciler/http_headers.h"

#include <string.h>

#define BASE "https://api.buildkite.com/v2"

static char *next_of(const char *link, bool *elsewhere)
{
	return cf_http_link_next(link, BASE, elsewhere);
}

static void test_the_next_page_is_the_path_after_the_api_url(void **state)
{
	(void)state;
	bool away;
	char *p = next_of("<https://api.buildkite.com/v2/organizations/acme/pipelines?page=2&per_page=100>; "
			  "rel=\"next\", <https://api.buildkite.com/v2/organizations/acme/pipelines?page=5&per_page=100>; "
			  "rel=\"last\"", &away);
	assert_string_equal(p, "/organizations/acme/pipelines?page=2&per_page=100");
	assert_false(away);
	free(p);
}

static void test_the_documented_api_key_never_reaches_the_path(void **state)
{
	(void)state;
	bool away;
	/* the example of docs pages/apis/rest_api.md "Pagination" */
	char *p = next_of("<https://api.buildkite.com/v2/organizations/my-great-org/pipelines/my-pipeline/builds?"
			  "api_key=f8582f070276d764ce3dd4c6d57be92574dccf86&page=3&per_page=2>; rel=\"next\"", &away);
	assert_string_equal(p, "/organizations/my-great-org/pipelines/my-pipeline/builds?page=3&per_page=2");
	free(p);
	p = next_of("<https://api.buildkite.com/v2/x?api_key=secret>; rel=\"next\"", &away);
	assert_string_equal(p, "/x");
	free(p);
}

static void test_the_last_page_has_no_next(void **state)
{
	(void)state;
	bool away;
	assert_null(next_of("<https://api.buildkite.com/v2/x?page=1>; rel=\"first\", "
			    "<https://api.buildkite.com/v2/x?page=4>; rel=\"prev\"", &away));
	assert_false(away);
	assert_null(next_of(NULL, &away));
	assert_null(next_of("", &away));
}

static void test_a_relation_list_and_an_unquoted_rel_are_read(void **state)
{
	(void)state;
	bool away;
	char *p = next_of("<https://api.buildkite.com/v2/x?page=2>; rel=\"next last\"", &away);
	assert_string_equal(p, "/x?page=2");
	free(p);
	p = next_of("<https://api.buildkite.com/v2/x?page=3>;rel=next", &away);
	assert_string_equal(p, "/x?page=3");
	free(p);
	assert_null(next_of("<https://api.buildkite.com/v2/x?page=3>; rel=\"nextish\"", &away));
}

static void test_an_absolute_path_is_taken_from_the_api_urls_origin(void **state)
{
	(void)state;
	bool away;
	char *p = next_of("</v2/organizations/acme/clusters?page=2>; rel=\"next\"", &away);
	assert_string_equal(p, "/organizations/acme/clusters?page=2");
	free(p);
}

static void test_a_next_page_on_another_host_is_not_followed(void **state)
{
	(void)state;
	bool away;
	assert_null(next_of("<https://evil.example/v2/x?page=2>; rel=\"next\"", &away));
	assert_true(away);
	assert_null(next_of("<https://api.buildkite.com/v2x/x?page=2>; rel=\"next\"", &away));
	assert_true(away);
	assert_null(next_of("<http://api.buildkite.com/v2/x?page=2>; rel=\"next\"", &away));
	assert_true(away);
}

static void test_no_request_starts_while_remaining_is_at_or_below_in_flight(void **state)
{
	(void)state;
	cf_http_quota q[2] = {{.remaining = -1}, {.remaining = -1}};
	cf_http_quota_note(&q[0], "180", "42", 1000);
	cf_http_quota_note(&q[1], "2", "10", 1000);
	assert_int_equal(cf_http_quota_next_start(q, 2, 1, 1000), 1000);
	assert_int_equal(cf_http_quota_next_start(q, 2, 2, 1000), 11000); /* the user window's end */
	cf_http_quota_note(&q[0], "0", "42", 2000);
	assert_int_equal(cf_http_quota_next_start(q, 2, 0, 2000), 44000);
}

static void test_a_new_window_forgets_the_spent_quota(void **state)
{
	(void)state;
	cf_http_quota q[1] = {{.remaining = -1}};
	cf_http_quota_note(&q[0], "0", "5", 0);
	assert_int_equal(cf_http_quota_next_start(q, 1, 3, 5000), 5000);
	assert_int_equal(q[0].remaining, -1);
}

static void test_quota_headers_a_server_mangles_are_ignored(void **state)
{
	(void)state;
	cf_http_quota q[1] = {{.remaining = -1}};
	cf_http_quota_note(&q[0], "lots", "5", 0);
	cf_http_quota_note(&q[0], NULL, "5", 0);
	cf_http_quota_note(&q[0], "-3", "5", 0);
	assert_int_equal(q[0].remaining, -1);
	cf_http_quota_note(&q[0], "0", "999999", 0); /* a window longer than the cap */
	assert_int_equal(cf_http_quota_next_start(q, 1, 0, 0), CF_HTTP_MAX_429_WAIT_MS);
	cf_http_quota_note(&q[0], "0", NULL, 0); /* no reset: a second */
	assert_int_equal(cf_http_quota_next_start(q, 1, 0, 0), 1000);
}

static void test_a_429_waits_the_longest_reset_at_most_120_s(void **state)
{
	(void)state;
	const char *a[] = {"12", "40", "1"};
	assert_int_equal(cf_http_429_wait_ms(a, 3), 40000);
	const char *b[] = {NULL, "x", "3"};
	assert_int_equal(cf_http_429_wait_ms(b, 3), 3000);
	const char *c[] = {"600", NULL, NULL};
	assert_int_equal(cf_http_429_wait_ms(c, 3), 120000);
	const char *d[] = {NULL, NULL, NULL};
	assert_int_equal(cf_http_429_wait_ms(d, 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_next_page_is_the_path_after_the_api_url),
		cmocka_unit_test(test_the_documented_api_key_never_reaches_the_path),
		cmocka_unit_test(test_the_last_page_has_no_next),
		cmocka_unit_test(test_a_relation_list_and_an_unquoted_rel_are_read),
		cmocka_unit_test(test_an_absolute_path_is_taken_from_the_api_urls_origin),
		cmocka_unit_test(test_a_next_page_on_another_host_is_not_followed),
		cmocka_unit_test(test_no_request_starts_while_remaining_is_at_or_below_in_flight),
		cmocka_unit_test(test_a_new_window_forgets_the_spent_quota),
		cmocka_unit_test(test_quota_headers_a_server_mangles_are_ignored),
		cmocka_unit_test(test_a_429_waits_the_longest_reset_at_most_120_s),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

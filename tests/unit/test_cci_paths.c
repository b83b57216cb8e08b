/*
 * The CircleCI client's project paths: each slug segment escaped on its own
 * and the separators kept literal, never %2F (LABS
 * internal/circleci/checkout_key.go checkoutKeyProjectPath: "encoded
 * separators are rejected by intermediate proxies and do not match the
 * route on CircleCI Server"). No server involved.
 */
#include "tests/unit/test_helpers.h"
#include "reconciler/providers/circleci/client.h"

#include <string.h>

#define EXPECT_PATH(slug, want)                   \
	do {                                      \
		char *p_ = cf_cci_slug_path(slug); \
		assert_string_equal(p_, want);    \
		free(p_);                         \
	} while (0)

static void test_a_segment_with_a_space_is_escaped_and_the_slashes_kept(void **state)
{
	(void)state;
	EXPECT_PATH("gh/acme/web app", "gh/acme/web%20app");
}

static void test_reserved_characters_in_a_segment_are_escaped_one_segment_at_a_time(void **state)
{
	(void)state;
	EXPECT_PATH("gh/ac me/a+b?c#d", "gh/ac%20me/a%2Bb%3Fc%23d");
	EXPECT_PATH("gh/acme/100%", "gh/acme/100%25");
}

static void test_a_plain_slug_is_unchanged_and_a_long_vcs_name_is_shortened(void **state)
{
	(void)state;
	EXPECT_PATH("gh/acme/web", "gh/acme/web");
	EXPECT_PATH("github/acme/web-app_2.0", "gh/acme/web-app_2.0");
	EXPECT_PATH("circleci/0a1b/c2d3", "circleci/0a1b/c2d3");
}

static void test_no_path_holds_an_escaped_separator(void **state)
{
	(void)state;
	const char *slugs[] = {"gh/acme/web", "bitbucket/acme/web app", "gh/a b/c d"};
	for (size_t i = 0; i < sizeof(slugs) / sizeof(*slugs); i++) {
		char *p = cf_cci_slug_path(slugs[i]);
		assert_null(strstr(p, "%2F"));
		assert_null(strstr(p, "%2f"));
		int slashes = 0;
		for (const char *c = p; *c; c++)
			slashes += *c == '/';
		assert_int_equal(slashes, 2);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_segment_with_a_space_is_escaped_and_the_slashes_kept),
		cmocka_unit_test(test_reserved_characters_in_a_segment_are_escaped_one_segment_at_a_time),
		cmocka_unit_test(test_a_plain_slug_is_unchanged_and_a_long_vcs_name_is_shortened),
		cmocka_unit_test(test_no_path_holds_an_escaped_separator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The "<md5> [md5]" placeholder a manifest may hold instead of a secret: what
 * is one, and the MD5 that goes to the API for it. One test each. */
#include "tests/unit/test_helpers.h"
#include "reconciler/codec.h"

static void test_md5_with_the_suffix_is_a_placeholder(void **state)
{
	(void)state;
	assert_true(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67a6 [md5]"));
	assert_true(cf_is_md5_placeholder("9DD4E461268C8034F5C8564E155C67A6 [md5]"));
}

static void test_bare_32_hex_digits_are_no_placeholder(void **state)
{
	(void)state;
	assert_false(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67a6"));
}

static void test_near_placeholders_are_ordinary_values(void **state)
{
	(void)state;
	assert_false(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67a6 [MD5]"));
	assert_false(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67a6  [md5]"));
	assert_false(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67a [md5]"));
	assert_false(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67ag [md5]"));
	assert_false(cf_is_md5_placeholder("9dd4e461268c8034f5c8564e155c67a6 [md5] "));
	assert_false(cf_is_md5_placeholder(" [md5]"));
	assert_false(cf_is_md5_placeholder(""));
}

static void test_placeholder_hash_is_the_bare_lowercase_md5(void **state)
{
	(void)state;
	char out[33];
	cf_md5_placeholder_hash("9DD4E461268c8034f5c8564e155c67a6 [md5]", out);
	assert_string_equal(out, "9dd4e461268c8034f5c8564e155c67a6");
}

static void test_placeholder_hash_matches_the_md5_of_the_value(void **state)
{
	(void)state;
	char want[33], got[33];
	cf_md5_hex("hello", 5, want);
	char *ph = cf_xasprintf("%s [md5]", want);
	cf_md5_placeholder_hash(ph, got);
	assert_string_equal(got, want);
	free(ph);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_with_the_suffix_is_a_placeholder),
		cmocka_unit_test(test_bare_32_hex_digits_are_no_placeholder),
		cmocka_unit_test(test_near_placeholders_are_ordinary_values),
		cmocka_unit_test(test_placeholder_hash_is_the_bare_lowercase_md5),
		cmocka_unit_test(test_placeholder_hash_matches_the_md5_of_the_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* What the YAML reader refuses before the loader reads anything: nesting too
 * deep (and in linear time), tags plain YAML does not imply, NUL characters,
 * a top-level list of manifests, and aliases without an anchor. */
#include "tests/unit/test_helpers.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define AGENT_TOP "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-x}\n"

/* An agent type whose ignored status: holds levels nested flow lists. */
static char *nested(size_t levels)
{
	size_t head = strlen(AGENT_TOP "status: ");
	char *y = cf_xmalloc(head + 2 * levels + 2);
	memcpy(y, AGENT_TOP "status: ", head);
	memset(y + head, '[', levels);
	memset(y + head + levels, ']', levels);
	strcpy(y + head + 2 * levels, "\n");
	return y;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_nesting_deeper_than_64_levels_is_an_error_at_the_level_that_crosses_it(void **state)
{
	(void)state;
	char *y = nested(65);
	/* the document's mapping is level 1, status's list level 2: the 64th '[' is level 65 */
	EXPECT_PROBLEMS(y, "t.yaml:4:72: nesting deeper than 64 levels\n");
	free(y);
}

static void test_nesting_of_64_levels_is_read(void **state)
{
	(void)state;
	char *y = nested(63);
	EXPECT_VALID(y);
	free(y);
}

static void test_100000_levels_of_nesting_are_refused_at_once(void **state)
{
	(void)state;
	/* 200 KB; libyaml's own loader took about 25 s over it */
	char *y = nested(100000);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_PROBLEMS(y, "t.yaml:4:72: nesting deeper than 64 levels\n");
	assert_true(seconds_since(&t0) < 1.0);
	free(y);
}

static void test_an_unknown_tag_is_an_error_at_its_position(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  env_vars: [{name: A, value: !vault secret/a}]\n",
			"t.yaml:7:31: unsupported YAML tag !vault\n");
}

static void test_a_core_tag_a_plain_document_does_not_imply_is_an_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  files: [{path: /a, content: !!binary aGVsbG8=}]\n",
			"t.yaml:7:31: unsupported YAML tag !!binary\n");
}

static void test_a_tag_on_a_list_is_an_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  env_vars: !!set [{name: A, value: a}]\n",
			"t.yaml:7:13: unsupported YAML tag !!set\n");
}

static void test_the_tags_plain_yaml_implies_are_accepted(void **state)
{
	(void)state;
	EXPECT_VALID(TARGET_HEAD "  env_vars: !!seq [!!map {name: !!str A, value: ! a}]\n");
}

static void test_an_explicit_str_tag_makes_a_string_as_quotes_do(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_HEAD "  agent_name_settings: {release_after: !!str 600}\n",
			"t.yaml:6:40: spec.agent_name_settings.release_after: must be an integer\n");
}

static void test_a_nul_escape_in_a_double_quoted_value_is_an_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  env_vars:\n    - {name: A, value: \"abc\\0def\"}\n"
			"    - {name: B, value: \"x\\u0000\"}\n",
			"t.yaml:8:24: a NUL character (\\0) in a value is not allowed\n"
			"t.yaml:9:24: a NUL character (\\0) in a value is not allowed\n");
}

static void test_other_problems_of_a_document_with_a_bad_tag_are_still_found(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(TARGET_HEAD "  env_vars: [{name: A, value: !vault x}]\n  colour: red\n",
			"t.yaml:7:31: unsupported YAML tag !vault\n"
			"t.yaml:8:3: unknown key 'colour' in spec\n");
}

static void test_a_top_level_list_of_manifests_is_refused(void **state)
{
	(void)state;
	EXPECT_PROBLEMS("- apiVersion: v1alpha\n  kind: SelfHostedAgentType\n  metadata: {name: s1-a}\n"
			"- apiVersion: v1alpha\n  kind: SelfHostedAgentType\n  metadata: {name: s1-b}\n",
			"t.yaml:1:3: a list of manifests: each manifest must be its own YAML document "
			"(start each one with ---, not -)\n");
}

static void test_a_top_level_list_of_other_things_is_still_skipped(void **state)
{
	(void)state;
	EXPECT_VALID("- name: build\n  run: make\n---\n" AGENT_TOP);
}

static void test_an_alias_to_no_anchor_is_an_error(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_TOP "spec: *nowhere\n", "t.yaml:4:7: invalid YAML: alias *nowhere names no anchor before it\n");
}

static void test_a_duplicate_anchor_is_an_error_naming_the_first(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_TOP "a: &x 1\nb: &x 2\n",
			"t.yaml:5:4: invalid YAML: duplicate anchor &x (first at line 4, column 4)\n");
}

static void test_a_syntax_error_keeps_its_message(void **state)
{
	(void)state;
	EXPECT_PROBLEMS(AGENT_TOP "spec: [\n",
			"t.yaml:5:1: invalid YAML: did not find expected node content while parsing a flow node "
			"that starts at line 5, column 1\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_deeper_than_64_levels_is_an_error_at_the_level_that_crosses_it),
		cmocka_unit_test(test_nesting_of_64_levels_is_read),
		cmocka_unit_test(test_100000_levels_of_nesting_are_refused_at_once),
		cmocka_unit_test(test_an_unknown_tag_is_an_error_at_its_position),
		cmocka_unit_test(test_a_core_tag_a_plain_document_does_not_imply_is_an_error),
		cmocka_unit_test(test_a_tag_on_a_list_is_an_error),
		cmocka_unit_test(test_the_tags_plain_yaml_implies_are_accepted),
		cmocka_unit_test(test_an_explicit_str_tag_makes_a_string_as_quotes_do),
		cmocka_unit_test(test_a_nul_escape_in_a_double_quoted_value_is_an_error),
		cmocka_unit_test(test_other_problems_of_a_document_with_a_bad_tag_are_still_found),
		cmocka_unit_test(test_a_top_level_list_of_manifests_is_refused),
		cmocka_unit_test(test_a_top_level_list_of_other_things_is_still_skipped),
		cmocka_unit_test(test_an_alias_to_no_anchor_is_an_error),
		cmocka_unit_test(test_a_duplicate_anchor_is_an_error_naming_the_first),
		cmocka_unit_test(test_a_syntax_error_keeps_its_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

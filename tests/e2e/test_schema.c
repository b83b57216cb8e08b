/* ciform schema: the JSON Schema editors use is the one ciform generates. */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void test_the_shipped_schema_is_what_ciform_schema_prints(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("schema"), NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "");
	char *shipped = slurp(CIFORM_SOURCE_DIR "/specs-examples/ciform.schema.json");
	/* on a difference: ./build/ciform schema > specs-examples/ciform.schema.json */
	assert_string_equal(r.out, shipped);
	free(shipped);
	fx_result_free(&r);
}

static void test_the_schema_names_every_kind_and_its_patterns(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("schema"), NULL, NULL);
	assert_true(fx_contains(r.out, "\"$schema\": \"http://json-schema.org/draft-07/schema#\""));
	assert_true(fx_contains(r.out, "\"apiVersion\": {\"enum\": [\"v1alpha\", \"v1beta\", \"v1\", \"buildkite/v1\", "
				       "\"circleci/v1\"]}"));
	static const char *const kinds[] = {"SelfHostedAgentType", "DeploymentTarget", "ArtifactRetentionPolicy",
					    "Secret", "ProjectSecret", "Project", "Task", "Notification", "Dashboard",
					    "Pipeline", "Cluster", "ClusterQueue", "ClusterAgentToken", "ClusterSecret", "PipelineSchedule", "OrganizationPipelineSettings", "Context", "ProjectEnvironment", "ProjectSettings", "RunnerResourceClass", "RunnerToken", "Webhook", "ScheduleTrigger"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *cond = cf_xasprintf("\"properties\": {\"kind\": {\"const\": \"%s\"}}", kinds[i]);
		assert_true(fx_contains(r.out, cond));
		free(cond);
	}
	assert_true(fx_contains(r.out, "\"pattern\": \"^(?:s1-[A-Za-z0-9_-]+)$\""));
	assert_true(fx_contains(r.out, "\"pattern\": \"^(?:([1-9]|1[0-2]) (day|days|week|weeks|month|months|year|years))$\""));
	fx_result_free(&r);
}

static void test_schema_takes_no_arguments(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("schema", "specs"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ciform: error: unexpected argument 'specs' (see 'ciform schema --help')\n");
	fx_result_free(&r);
}

static void test_schema_help_says_how_an_editor_uses_it(void **state)
{
	(void)state;
	fx_result r = fx_ciform(ARGS("schema", "--help"), NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "usage: ciform schema\n"));
	assert_true(fx_contains(r.out, "# yaml-language-server: $schema=./ciform.schema.json"));
	fx_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_shipped_schema_is_what_ciform_schema_prints),
		cmocka_unit_test(test_the_schema_names_every_kind_and_its_patterns),
		cmocka_unit_test(test_schema_takes_no_arguments),
		cmocka_unit_test(test_schema_help_says_how_an_editor_uses_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Conformance of `ciform-sandbox --api buildkite`'s pipeline settings
 * routes with Buildkite's REST API v2 (docs = buildkite/docs
 * pages/apis/rest_api/organizations/pipeline_settings.md). Raw libcurl,
 * none of ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"


#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [{\"id\": \"t1\", \"cluster_id\": \"" CLUSTER "\"}]}}"



#define PS ORG "/pipeline-settings"

/* docs "Update pipeline settings": only the fields in the body change */
static void test_a_patch_changes_only_the_fields_it_names(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", PS, "{\"default_branch\": \"main\", \"default_timeout_in_minutes\": 60}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", PS, "{\"default_cluster_id\": \"" CLUSTER "\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "default_branch")), "main");
	assert_int_equal(cJSON_GetObjectItem(a.json, "default_timeout_in_minutes")->valueint, 60);
	done(&a);
	a = call(&sb, "PATCH", PS, "{\"default_cluster_id\": null}", NULL); /* docs: null clears it */
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "default_cluster_id")));
	done(&a);
	down(&sb);
}

/* docs: 422 for a default_cluster_id that is no cluster of the organisation */
static void test_a_foreign_default_cluster_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", PS, "{\"default_cluster_id\": \"01900000-0000-4000-8000-00000000dead\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	down(&sb);
}

/* docs: read_organization_settings to read, write_organization_settings to change */
static void test_the_settings_need_their_own_scopes(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_organization_settings\"]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "GET", PS, NULL, NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", PS, "{\"default_branch\": \"x\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_patch_changes_only_the_fields_it_names),
		cmocka_unit_test(test_a_foreign_default_cluster_is_422),
		cmocka_unit_test(test_the_settings_need_their_own_scopes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

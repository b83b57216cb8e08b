/*
 * Conformance of `ciform-sandbox --api buildkite`'s pipeline schedule
 * routes with Buildkite's REST API v2 (gob = go-buildkite
 * pipeline_schedules.go; docs = buildkite/docs pages/apis/rest_api/
 * pipeline_schedules.md). Raw libcurl, none of ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"


#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [], \"pipelines\": [{\"slug\": \"web\", \"name\": \"web\", \"repository\": \"r\", " \
	"\"cluster_id\": \"" CLUSTER "\", \"configuration\": \"steps: [wait]\"}]}}"



#define WS ORG "/pipelines/web/schedules"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

/* gob CreatePipelineSchedule: cronline always sent, env a JSON object of
 * strings; the answer carries env in clear and enabled */
static void test_a_create_answers_with_env_as_an_object(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WS, "{\"label\": \"Nightly\", \"cronline\": \"@daily\", \"env\": {\"A\": \"1\"}}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(s_at(a.json, "env.A"), "1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "enabled")));
	done(&a);
	a = call(&sb, "POST", WS, "{\"label\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	a = call(&sb, "POST", WS, "{\"cronline\": \"@daily\", \"env\": [\"A=1\"]}", NULL);
	assert_int_equal(a.status, 422); /* REST takes an object; tf's K=V lines are GraphQL's */
	done(&a);
	down(&sb);
}

/* gob Update: PATCH with the given fields; the others stay */
static void test_an_update_patches_the_given_fields_only(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WS, "{\"label\": \"Nightly\", \"cronline\": \"@daily\", \"enabled\": false}", NULL);
	char *path = cf_xasprintf("%s/%s", WS, s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "PATCH", path, "{\"cronline\": \"@hourly\", \"enabled\": true}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "cronline"), "@hourly");
	assert_string_equal(s_at(a.json, "label"), "Nightly");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "enabled")));
	done(&a);
	free(path);
	down(&sb);
}

/* gob Delete: 204; a schedule of another pipeline is not found here */
static void test_delete_answers_204(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WS, "{\"label\": \"Nightly\", \"cronline\": \"@daily\"}", NULL);
	char *path = cf_xasprintf("%s/%s", WS, s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "DELETE", path, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", path, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "GET", ORG "/pipelines/none/schedules", NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	free(path);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_create_answers_with_env_as_an_object),
		cmocka_unit_test(test_an_update_patches_the_given_fields_only),
		cmocka_unit_test(test_delete_answers_204),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Conformance of `ciform-sandbox --api buildkite`'s cluster routes with
 * Buildkite's REST API v2 (docs = buildkite/docs pages/apis/rest_api/
 * clusters.md, gob = go-buildkite clusters.go). Raw libcurl, none of
 * ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"


#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [{\"id\": \"t1\", \"cluster_id\": \"" CLUSTER "\"}]}}"


/* docs "Create a cluster": 201 with the cluster; no default queue made */
static void test_create_answers_201_without_a_default_queue(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/clusters", "{\"name\": \"Open Source\", \"color\": \"#FFE0F1\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "name")), "Open Source");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "default_queue_id")));
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "id")));
	done(&a);
	down(&sb);
}

/* docs "Create a cluster": name is required; 422 {"message"} */
static void test_create_without_a_name_is_422_with_a_message(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", ORG "/clusters", "{\"description\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "message")));
	done(&a);
	down(&sb);
}

/* docs "Update a cluster": PUT; gob clusters.go Update: PATCH; both change it */
static void test_update_takes_put_and_patch(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PUT", ORG "/clusters/" CLUSTER, "{\"description\": \"by put\"}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", ORG "/clusters/" CLUSTER, "{\"emoji\": \":penguin:\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "description")), "by put");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "emoji")), ":penguin:");
	done(&a);
	down(&sb);
}

/* docs "Update a cluster": default_queue_id is a queue of this cluster */
static void test_the_default_queue_must_be_one_of_the_clusters_queues(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PUT", ORG "/clusters/" CLUSTER, "{\"default_queue_id\": \"" Q2 "\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	a = call(&sb, "PUT", ORG "/clusters/" CLUSTER, "{\"default_queue_id\": \"" Q1 "\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a.json, "default_queue_id")), Q1);
	done(&a);
	down(&sb);
}

/* docs "Delete a cluster": 204; its queues and tokens go with it */
static void test_delete_answers_204_and_takes_the_queues_along(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "DELETE", ORG "/clusters/" CLUSTER, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", ORG "/clusters/" CLUSTER, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "GET", ORG "/clusters/" OTHER "/queues", NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1); /* another cluster's queue stays */
	done(&a);
	down(&sb);
}

/* docs clusters/queues.md "List queues": the cluster's own queues only */
static void test_a_clusters_queue_list_holds_its_own_queues(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", ORG "/clusters/" CLUSTER "/queues", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(a.json, 0), "key")), "default");
	done(&a);
	down(&sb);
}

/* docs "Create a cluster": Required scope write_clusters; else 403 */
static void test_a_change_without_write_clusters_is_403(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_clusters\"]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "POST", ORG "/clusters", "{\"name\": \"x\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	a = call(&sb, "GET", ORG "/clusters", NULL, NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_answers_201_without_a_default_queue),
		cmocka_unit_test(test_create_without_a_name_is_422_with_a_message),
		cmocka_unit_test(test_update_takes_put_and_patch),
		cmocka_unit_test(test_the_default_queue_must_be_one_of_the_clusters_queues),
		cmocka_unit_test(test_delete_answers_204_and_takes_the_queues_along),
		cmocka_unit_test(test_a_clusters_queue_list_holds_its_own_queues),
		cmocka_unit_test(test_a_change_without_write_clusters_is_403),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

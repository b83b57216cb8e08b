/*
 * Conformance of `ciform-sandbox --api buildkite`'s cluster queue routes
 * with Buildkite's REST API v2 (docs = buildkite/docs pages/apis/rest_api/
 * clusters/queues.md, gob = go-buildkite cluster_queues.go). Raw libcurl,
 * none of ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"


#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [{\"id\": \"t1\", \"cluster_id\": \"" CLUSTER "\"}]}}"


#define QS ORG "/clusters/" CLUSTER "/queues"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

/* docs "Create a self-hosted queue": 201; retry_agent_affinity defaults to
 * prefer-warmest; not paused */
static void test_create_answers_201_with_the_documented_defaults(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS, "{\"key\": \"big\", \"description\": \"Big boxes\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_string_equal(s_at(a.json, "key"), "big");
	assert_string_equal(s_at(a.json, "retry_agent_affinity"), "prefer-warmest");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "dispatch_paused")));
	done(&a);
	down(&sb);
}

/* docs "Create a self-hosted queue": key is required; a taken key is a
 * validation failure: 422 {"message": "Validation failed: ..."} */
static void test_create_without_a_key_or_with_a_taken_key_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS, "{\"description\": \"x\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_non_null(s_at(a.json, "message"));
	done(&a);
	a = call(&sb, "POST", QS, "{\"key\": \"default\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	down(&sb);
}

/* docs "Create a Buildkite hosted queue": hostedAgents.instanceShape in,
 * hosted: true and hosted_agents.instance_shape.name out */
static void test_a_hosted_create_answers_with_its_instance_shape(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS, "{\"key\": \"h\", \"hostedAgents\": {\"instanceShape\": \"LINUX_AMD64_2X4\"}}", NULL);
	assert_int_equal(a.status, 201);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "hosted")));
	assert_string_equal(s_at(a.json, "hosted_agents.instance_shape.name"), "LINUX_AMD64_2X4");
	done(&a);
	down(&sb);
}

/* docs "Update a queue": PUT; gob Update and tf send PATCH; both change it;
 * a hosted shape changes only in size */
static void test_update_takes_put_and_patch_and_a_shape_changes_only_in_size(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PUT", QS "/" Q1, "{\"description\": \"by put\"}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", QS "/" Q1, "{\"retry_agent_affinity\": \"prefer-different\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "description"), "by put");
	assert_string_equal(s_at(a.json, "retry_agent_affinity"), "prefer-different");
	done(&a);
	a = call(&sb, "POST", QS, "{\"key\": \"h\", \"hostedAgents\": {\"instanceShape\": \"LINUX_AMD64_2X4\"}}", NULL);
	char *id = cf_xstrdup(s_at(a.json, "id"));
	done(&a);
	char *path = cf_xasprintf("%s/%s", QS, id);
	a = call(&sb, "PATCH", path, "{\"hostedAgents\": {\"instanceShape\": \"LINUX_AMD64_4X16\"}}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", path, "{\"hostedAgents\": {\"instanceShape\": \"LINUX_ARM64_4X16\"}}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	free(path);
	free(id);
	down(&sb);
}

/* docs "Pause a queue" / "Resume a paused queue": 200, then 422 "already
 * paused" / "not paused"; the note is dispatch_paused_note (gob) */
static void test_pause_and_resume_answer_422_when_already_so(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", QS "/" Q1 "/pause_dispatch", "{\"dispatch_paused_note\": \"incident\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "dispatch_paused")));
	assert_string_equal(s_at(a.json, "dispatch_paused_note"), "incident");
	done(&a);
	a = call(&sb, "POST", QS "/" Q1 "/pause_dispatch", "{}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Cluster queue is already paused");
	done(&a);
	a = call(&sb, "POST", QS "/" Q1 "/resume_dispatch", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a.json, "dispatch_paused")));
	done(&a);
	a = call(&sb, "POST", QS "/" Q1 "/resume_dispatch", NULL, NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Cluster queue is not paused");
	done(&a);
	down(&sb);
}

/* docs "Delete a queue": 204; a queue of another cluster is not found here */
static void test_delete_answers_204_and_another_clusters_queue_is_404(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "DELETE", QS "/" Q2, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "DELETE", QS "/" Q1, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", QS "/" Q1, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	down(&sb);
}

/* docs "Create a self-hosted queue": Required scope write_clusters */
static void test_a_queue_change_without_write_clusters_is_403(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_clusters\"], \"clusters\": [{\"id\": \"" CLUSTER
			      "\", \"name\": \"linux\"}]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "POST", QS, "{\"key\": \"x\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	a = call(&sb, "GET", QS, NULL, NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_answers_201_with_the_documented_defaults),
		cmocka_unit_test(test_create_without_a_key_or_with_a_taken_key_is_422),
		cmocka_unit_test(test_a_hosted_create_answers_with_its_instance_shape),
		cmocka_unit_test(test_update_takes_put_and_patch_and_a_shape_changes_only_in_size),
		cmocka_unit_test(test_pause_and_resume_answer_422_when_already_so),
		cmocka_unit_test(test_delete_answers_204_and_another_clusters_queue_is_404),
		cmocka_unit_test(test_a_queue_change_without_write_clusters_is_403),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

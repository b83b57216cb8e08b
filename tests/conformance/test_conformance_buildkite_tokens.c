/*
 * Conformance of `ciform-sandbox --api buildkite`'s agent token routes with
 * Buildkite's REST API v2 (docs = buildkite/docs pages/apis/rest_api/
 * clusters/agent_tokens.md, gob = go-buildkite cluster_tokens.go). Raw
 * libcurl, none of ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"


#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [{\"id\": \"t1\", \"cluster_id\": \"" CLUSTER "\"}]}}"



#define TS ORG "/clusters/" CLUSTER "/tokens"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

/* docs "Create a token": 201, and "Token visibility": the value is in the
 * create's answer only, never in a later GET or list */
static void test_the_value_is_answered_by_the_create_only(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", TS, "{\"description\": \"Windows agents\", \"allowed_ip_addresses\": \"202.144.0.0/24\", "
				    "\"expires_at\": \"2099-01-01T00:00:00Z\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_non_null(s_at(a.json, "token"));
	assert_string_equal(s_at(a.json, "allowed_ip_addresses"), "202.144.0.0/24");
	assert_string_equal(s_at(a.json, "expires_at"), "2099-01-01T00:00:00Z");
	char *path = cf_xasprintf("%s/%s", TS, s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "GET", path, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_null(cJSON_GetObjectItem(a.json, "token"));
	done(&a);
	a = call(&sb, "GET", TS, NULL, NULL);
	const cJSON *t;
	cJSON_ArrayForEach(t, a.json)
		assert_null(cJSON_GetObjectItem(t, "token"));
	done(&a);
	free(path);
	down(&sb);
}

/* docs "Create a token": description is required; 422 {"message"} */
static void test_a_create_without_a_description_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", TS, "{\"allowed_ip_addresses\": \"10.0.0.0/8\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_non_null(s_at(a.json, "message"));
	done(&a);
	down(&sb);
}

/* docs "Update a token": PUT; gob Update: PATCH with description and
 * allowed_ip_addresses; neither changes expires_at */
static void test_update_takes_put_and_patch_but_not_the_expiry(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", TS, "{\"description\": \"x\", \"expires_at\": \"2099-01-01T00:00:00Z\"}", NULL);
	char *path = cf_xasprintf("%s/%s", TS, s_at(a.json, "id"));
	done(&a);
	a = call(&sb, "PUT", path, "{\"description\": \"by put\"}", NULL);
	assert_int_equal(a.status, 200);
	done(&a);
	a = call(&sb, "PATCH", path, "{\"allowed_ip_addresses\": \"10.0.0.0/8 10.1.0.0/16\", \"expires_at\": "
				     "\"2098-01-01T00:00:00Z\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "description"), "by put");
	assert_string_equal(s_at(a.json, "allowed_ip_addresses"), "10.0.0.0/8 10.1.0.0/16");
	assert_string_equal(s_at(a.json, "expires_at"), "2099-01-01T00:00:00Z");
	done(&a);
	free(path);
	down(&sb);
}

/* docs "Revoke a token": 204; then it is gone; another cluster's token
 * is not found under this cluster */
static void test_revoke_answers_204_and_the_token_is_gone(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "DELETE", ORG "/clusters/" OTHER "/tokens/t1", NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	a = call(&sb, "DELETE", TS "/t1", NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", TS "/t1", NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_value_is_answered_by_the_create_only),
		cmocka_unit_test(test_a_create_without_a_description_is_422),
		cmocka_unit_test(test_update_takes_put_and_patch_but_not_the_expiry),
		cmocka_unit_test(test_revoke_answers_204_and_the_token_is_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

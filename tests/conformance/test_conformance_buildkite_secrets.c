/*
 * Conformance of `ciform-sandbox --api buildkite`'s cluster secret routes
 * with Buildkite's REST API v2 (docs = buildkite/docs pages/apis/rest_api/
 * clusters/secrets.md, tf = terraform-provider-buildkite
 * buildkite/resource_cluster_secret.go). Raw libcurl, none of ciform's
 * client.
 */
#include "tests/conformance/test_conformance_buildkite.h"


#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": \"linux\"}, " \
	"{\"id\": \"" OTHER "\", \"name\": \"macos\"}], \"queues\": [{\"id\": \"" Q1 "\", \"cluster_id\": \"" CLUSTER "\", \"key\": \"default\"}, " \
	"{\"id\": \"" Q2 "\", \"cluster_id\": \"" OTHER "\", \"key\": \"mac\"}], \"agent_tokens\": [{\"id\": \"t1\", \"cluster_id\": \"" CLUSTER "\"}]}}"



#define SS ORG "/clusters/" CLUSTER "/secrets"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

static char *created(fx_sandbox *sb, const char *body)
{
	ans a = call(sb, "POST", SS, body, NULL);
	assert_int_equal(a.status, 201);
	char *path = cf_xasprintf("%s/%s", SS, s_at(a.json, "id"));
	done(&a);
	return path;
}

/* docs "Create a secret": 201; "value ... is never returned by the API" */
static void test_a_create_answers_201_and_no_answer_carries_the_value(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", SS, "{\"key\": \"MY_SECRET\", \"value\": \"v1\", \"policy\": \"- pipeline_slug: p\"}", NULL);
	assert_int_equal(a.status, 201);
	assert_null(cJSON_GetObjectItem(a.json, "value"));
	assert_string_equal(s_at(a.json, "policy"), "- pipeline_slug: p");
	done(&a);
	a = call(&sb, "GET", SS, NULL, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(a.json, 0), "value"));
	done(&a);
	down(&sb);
}

/* docs "Create a secret": a key starts with a letter, holds letters, digits
 * and '_', never starts with buildkite or bk (any case), is unique in the
 * cluster; a value is under 8 KB and not blank */
static void test_reserved_or_taken_keys_and_blank_values_are_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	static const char *const bad[] = {"{\"key\": \"bkSECRET\"}", "{\"key\": \"BuildKite_X\"}", "{\"key\": \"1X\"}",
					  "{\"key\": \"A-B\"}", "{\"key\": \"OK\", \"value\": \"  \"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ans a = call(&sb, "POST", SS, bad[i], NULL);
		assert_int_equal(a.status, 422);
		done(&a);
	}
	free(created(&sb, "{\"key\": \"TAKEN\", \"value\": \"v\"}"));
	ans a = call(&sb, "POST", SS, "{\"key\": \"TAKEN\", \"value\": \"v\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	down(&sb);
}

/* docs "Update a secret's description and access policy": key and value
 * are refused there with their messages; "Update a secret's value" takes
 * the value; both move updated_at */
static void test_the_details_put_refuses_key_and_value_and_the_value_has_its_own_put(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	char *path = created(&sb, "{\"key\": \"S\", \"value\": \"v1\"}");
	ans a = call(&sb, "PUT", path, "{\"key\": \"T\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "The key parameter cannot be updated.");
	done(&a);
	a = call(&sb, "PUT", path, "{\"value\": \"v2\"}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "The value parameter cannot be updated on this endpoint.");
	done(&a);
	a = call(&sb, "PUT", path, "{\"description\": \"d\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "description"), "d");
	assert_non_null(s_at(a.json, "updated_at"));
	done(&a);
	char *vpath = cf_xasprintf("%s/value", path);
	a = call(&sb, "PUT", vpath, "{\"value\": \"v2\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_null(cJSON_GetObjectItem(a.json, "value"));
	done(&a);
	a = call(&sb, "PUT", vpath, "{\"value\": \"\"}", NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	free(vpath);
	free(path);
	down(&sb);
}

/* docs "Delete a secret": 204 */
static void test_delete_answers_204(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	char *path = created(&sb, "{\"key\": \"S\", \"value\": \"v1\"}");
	ans a = call(&sb, "DELETE", path, NULL, NULL);
	assert_int_equal(a.status, 204);
	done(&a);
	a = call(&sb, "GET", path, NULL, NULL);
	assert_int_equal(a.status, 404);
	done(&a);
	free(path);
	down(&sb);
}

/* docs: List secrets needs read_secret_details, Create needs write_secrets,
 * whatever the token's cluster scopes */
static void test_secrets_need_their_own_scopes(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", "{\"buildkite\": {\"scopes\": [\"read_clusters\", \"write_clusters\"], \"clusters\": [{\"id\": \""
			      CLUSTER "\", \"name\": \"linux\"}]}}");
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json"));
	ans a = call(&sb, "GET", SS, NULL, NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	a = call(&sb, "POST", SS, "{\"key\": \"S\", \"value\": \"v\"}", NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_create_answers_201_and_no_answer_carries_the_value),
		cmocka_unit_test(test_reserved_or_taken_keys_and_blank_values_are_422),
		cmocka_unit_test(test_the_details_put_refuses_key_and_value_and_the_value_has_its_own_put),
		cmocka_unit_test(test_delete_answers_204),
		cmocka_unit_test(test_secrets_need_their_own_scopes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

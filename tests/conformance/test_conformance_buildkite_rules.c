/*
 * Conformance of `ciform-sandbox --api buildkite` with the Buildkite API
 * rules docs/buildkite.md lists that no other conformance file covers:
 * archive and unarchive refusing a pipeline already so, a YAML pipeline's
 * PATCH ignoring env and refusing steps without configuration, the 8 KB
 * secret value limit, a re-enabled schedule losing its failure, and the
 * pipeline settings of a user who is no administrator. docs = buildkite/docs
 * pages/apis/rest_api/. Raw libcurl, none of ciform's client.
 */
#include "tests/conformance/test_conformance_buildkite.h"

#define LIVE "{\"slug\": \"web\", \"name\": \"web\", \"repository\": \"r\", \"cluster_id\": \"" CLUSTER "\", " \
	"\"configuration\": \"steps: [wait]\"}"
#define FAILED "{\"id\": \"01940000-0000-4000-8000-000000000001\", \"pipeline_slug\": \"web\", \"label\": \"Nightly\", " \
	"\"cronline\": \"@daily\", \"enabled\": false, \"failed_message\": \"Pipeline has been archived\", " \
	"\"failed_at\": \"2026-01-01T00:00:00Z\"}"
#define SEED "{\"buildkite\": {\"organization\": \"acme\", \"clusters\": [{\"id\": \"" CLUSTER "\", \"name\": " \
	"\"linux\"}], \"pipelines\": [" LIVE "], \"schedules\": [" FAILED "]}}"
#define WEB ORG "/pipelines/web"
#define SCHEDULE WEB "/schedules/01940000-0000-4000-8000-000000000001"
#define SECRETS ORG "/clusters/" CLUSTER "/secrets"

static const char *s_at(const cJSON *o, const char *path)
{
	return cJSON_GetStringValue(cf_json_path(o, path));
}

/* docs pipelines.md "Archive a pipeline": 422 { "message": "Pipeline could not be archived." } */
static void test_archiving_an_archived_pipeline_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WEB "/archive", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(s_at(a.json, "archived_at"));
	done(&a);
	a = call(&sb, "POST", WEB "/archive", NULL, NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Pipeline could not be archived.");
	done(&a);
	down(&sb);
}

/* docs pipelines.md "Unarchive a pipeline": 422 { "message": "Pipeline could not be unarchived." } */
static void test_unarchiving_an_unarchived_pipeline_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "POST", WEB "/unarchive", NULL, NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(a.json, "message"), "Pipeline could not be unarchived.");
	done(&a);
	a = call(&sb, "GET", WEB, NULL, NULL);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "archived_at")));
	done(&a);
	down(&sb);
}

/* docs pipelines.md "Update a pipeline": "This endpoint ignores `env`" for YAML pipelines */
static void test_a_patch_ignores_env_for_a_yaml_pipeline(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", WEB, "{\"description\": \"d\", \"env\": {\"A\": \"1\"}}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "description"), "d");
	done(&a);
	a = call(&sb, "GET", WEB, NULL, NULL);
	const cJSON *env = cJSON_GetObjectItem(a.json, "env");
	assert_true(!env || cJSON_IsNull(env) || !env->child);
	assert_string_equal(s_at(a.json, "configuration"), "steps: [wait]");
	done(&a);
	down(&sb);
}

/* docs pipelines.md "Update a pipeline": "rejects `steps` with a `422` error when `configuration` is absent" */
static void test_a_patch_refuses_steps_without_configuration(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", WEB, "{\"steps\": [{\"type\": \"script\", \"command\": \"make\"}]}", NULL);
	assert_int_equal(a.status, 422);
	assert_string_equal(s_at(cJSON_GetArrayItem(cJSON_GetObjectItem(a.json, "errors"), 0), "field"), "steps");
	done(&a);
	a = call(&sb, "GET", WEB, NULL, NULL);
	assert_string_equal(s_at(a.json, "configuration"), "steps: [wait]");
	done(&a);
	down(&sb);
}

/* docs pipelines.md "Update a pipeline": "If both are present, it ignores
 * `steps` and applies `configuration` instead." */
static void test_a_patch_with_steps_and_configuration_applies_the_configuration(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", WEB, "{\"steps\": [{\"type\": \"script\", \"command\": \"x\"}], "
			"\"configuration\": \"steps: [{command: make}]\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "configuration"), "steps: [{command: make}]");
	assert_null(cJSON_GetObjectItem(a.json, "steps"));
	done(&a);
	down(&sb);
}

/* A value of n bytes of 'v', as a JSON body {"key": key, "value": ...} (key NULL: value only). */
static char *value_body(const char *key, size_t n)
{
	char *v = cf_xcalloc(1, n + 1);
	memset(v, 'v', n);
	char *out = key ? cf_xasprintf("{\"key\": \"%s\", \"value\": \"%s\"}", key, v)
			: cf_xasprintf("{\"value\": \"%s\"}", v);
	free(v);
	return out;
}

/* docs clusters/secrets.md Create: the value "Must be less than 8 kilobytes" */
static void test_a_secret_created_with_a_value_of_8_kb_is_422(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	char *body = value_body("BIG", 8192);
	ans a = call(&sb, "POST", SECRETS, body, NULL);
	assert_int_equal(a.status, 422);
	done(&a);
	free(body);
	body = value_body("BIG", 8191);
	a = call(&sb, "POST", SECRETS, body, NULL);
	assert_int_equal(a.status, 201);
	done(&a);
	free(body);
	down(&sb);
}

/* docs clusters/secrets.md "Update a secret's value": "Must be less than 8
 * kilobytes. Cannot be blank." */
static void test_a_value_put_of_8_kb_or_blank_is_422_and_keeps_the_value(void **state)
{
	(void)state;
	fx_sandbox sb;
	fx_enter_tmpdir();
	fx_write("seed.json", SEED);
	fx_sandbox_start(&sb, ARGS("--api", "buildkite", "--seed", "seed.json", "--state", "state.json"));
	ans a = call(&sb, "POST", SECRETS, "{\"key\": \"NPM\", \"value\": \"first\"}", NULL);
	assert_int_equal(a.status, 201);
	char *path = cf_xasprintf("%s/%s/value", SECRETS, s_at(a.json, "id"));
	done(&a);
	char *big = value_body(NULL, 8192);
	const char *bodies[] = {big, "{\"value\": \"\"}", "{\"value\": \" \\n\"}"};
	for (size_t i = 0; i < 3; i++) {
		a = call(&sb, "PUT", path, bodies[i], NULL);
		assert_int_equal(a.status, 422);
		done(&a);
	}
	free(big);
	free(path);
	FILE *f = fopen("state.json", "r"); /* the value is never answered: the state shows it */
	assert_non_null(f);
	char st[1 << 16];
	st[fread(st, 1, sizeof(st) - 1, f)] = '\0';
	fclose(f);
	assert_true(fx_contains(st, "\"value\":\t\"first\"") || fx_contains(st, "\"value\":\"first\"") ||
		    fx_contains(st, "\"value\": \"first\""));
	down(&sb);
}

/* docs pipeline_schedules.md "Update a pipeline schedule", enabled:
 * "Re-enabling a previously failed schedule clears its failed_message and
 * failed_at values" */
static void test_re_enabling_a_failed_schedule_clears_its_failure(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "GET", SCHEDULE, NULL, NULL);
	assert_string_equal(s_at(a.json, "failed_message"), "Pipeline has been archived");
	done(&a);
	a = call(&sb, "PATCH", SCHEDULE, "{\"enabled\": true}", NULL);
	assert_int_equal(a.status, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a.json, "enabled")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "failed_message")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a.json, "failed_at")));
	done(&a);
	down(&sb);
}

/* A schedule's other updates keep its failure: only re-enabling clears it. */
static void test_a_label_change_keeps_a_schedules_failure(void **state)
{
	(void)state;
	fx_sandbox sb;
	up(&sb);
	ans a = call(&sb, "PATCH", SCHEDULE, "{\"label\": \"Nightly build\"}", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(s_at(a.json, "failed_message"), "Pipeline has been archived");
	done(&a);
	down(&sb);
}

/* docs organizations/pipeline_settings.md: "Both read and write operations
 * require organization administrator privileges"; 403 otherwise */
static void test_a_user_who_is_no_administrator_is_403_on_the_pipeline_settings(void **state)
{
	(void)state;
	fx_sandbox sb;
	bk_sandbox_up(&sb, "{\"buildkite\": {\"admin\": false}}");
	ans a = call(&sb, "GET", ORG "/pipeline-settings", NULL, NULL);
	assert_int_equal(a.status, 403);
	done(&a);
	a = call(&sb, "PATCH", ORG "/pipeline-settings", "{\"default_branch\": \"main\"}", NULL);
	assert_int_equal(a.status, 403);
	assert_string_equal(s_at(a.json, "message"), "Forbidden");
	done(&a);
	down(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archiving_an_archived_pipeline_is_422),
		cmocka_unit_test(test_unarchiving_an_unarchived_pipeline_is_422),
		cmocka_unit_test(test_a_patch_ignores_env_for_a_yaml_pipeline),
		cmocka_unit_test(test_a_patch_refuses_steps_without_configuration),
		cmocka_unit_test(test_a_patch_with_steps_and_configuration_applies_the_configuration),
		cmocka_unit_test(test_a_secret_created_with_a_value_of_8_kb_is_422),
		cmocka_unit_test(test_a_value_put_of_8_kb_or_blank_is_422_and_keeps_the_value),
		cmocka_unit_test(test_re_enabling_a_failed_schedule_clears_its_failure),
		cmocka_unit_test(test_a_label_change_keeps_a_schedules_failure),
		cmocka_unit_test(test_a_user_who_is_no_administrator_is_403_on_the_pipeline_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The Buildkite ClusterSecret kind end to end: the real ciform binary
 * against `ciform-sandbox --api buildkite`: validate's checks at
 * FILE:LINE:COLUMN, the exact create and update requests (the value PUT
 * before the description's), values never printed nor exported,
 * value_set_after's rules, the policy compared parsed, the prune scope,
 * the read_secret_details scope, and failing requests without duplicates.
 */
#define BK_EXTRA_ENV "NPM_TOKEN_SRC=s3cret-npm-value"
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>




#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"
#define MACOS "{\"id\": \"" CL2 "\", \"name\": \"macos\"}"
#define S1 "01930000-0000-4000-8000-000000000001"
#define SEC(id, cl, key, rest) "{\"id\": \"" id "\", \"cluster_id\": \"" cl "\", \"key\": \"" key "\", \"value\": \"old\", " \
	"\"updated_at\": \"2026-01-01T00:00:00Z\"" rest "}"
#define SECRETS(...) ", \"secrets\": [" __VA_ARGS__ "]"
#define SECRET(meta, spec) "apiVersion: buildkite/v1\nkind: ClusterSecret\nmetadata: " meta "\nspec: " spec "\n"
#define SPATH "/v2/organizations/acme/clusters/" CL1 "/secrets"

static void test_a_reserved_key_a_bad_policy_and_two_values_are_refused_at_their_positions(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("s.yaml", SECRET("{cluster: linux, key: BK_TOKEN}", "{value: x}"));
	fx_result r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "s.yaml:3:33: metadata.key: must not start with 'bk' or 'buildkite', in any case; "
			       "choose another key\n"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM}", "{value: x, policy: \"pipeline_slug: web\"}"));
	r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "s.yaml:4:26: spec.policy: must be a YAML list of mappings"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM}", "{value: x, valueFrom: {env: HOME}}"));
	r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "spec.valueFrom: give at most one of value and valueFrom\n"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_create_posts_the_value_from_the_environment_and_never_prints_it(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "\n  description: npm publish\n"
				  "  policy: |\n    - pipeline_slug: web-app\n      build_branch: main\n"
				  "  valueFrom: {env: NPM_TOKEN_SRC}"));
	fx_result r = run(&b, ARGS("apply", "--yes", "s.yaml"));
	assert_int_equal(r.rc, 0);
	assert_false(fx_contains(r.out, "s3cret") || fx_contains(r.err, "s3cret"));
	fx_result_free(&r);
	expect_body("POST", SPATH, "{\"key\":\"NPM_TOKEN\",\"value\":\"s3cret-npm-value\",\"description\":\"npm publish\","
		    "\"policy\":\"- pipeline_slug: web-app\\n  build_branch: main\\n\"}");
	r = run(&b, ARGS("plan", "--json", "s.yaml"));
	assert_false(fx_contains(r.out, "s3cret") || fx_contains(r.err, "s3cret"));
	fx_result_free(&r);
	expect(&b, ARGS("drift", "s.yaml"), 0, "value not compared: the API never returns it", NULL);
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_value_set_after_the_last_update_puts_the_value_before_the_description(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SECRETS(SEC(S1, CL1, "NPM_TOKEN", ", \"description\": \"npm\""))), NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "{description: npm publish, valueFrom: {env: NPM_TOKEN_SRC}, "
				  "value_set_after: \"2026-02-01T00:00:00Z\"}"));
	fx_result r = run(&b, ARGS("plan", "s.yaml"));
	assert_int_equal(r.rc, 0);
	if (!fx_contains(r.out, "spec.value: \"(sensitive) set before value_set_after 2026-02-01T00:00:00Z") ||
	    fx_contains(r.out, "s3cret"))
		fail_msg("%s", r.out);
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, NULL, NULL);
	expect_body("PUT", SPATH "/" S1 "/value", "{\"value\":\"s3cret-npm-value\"}");
	expect_body("PUT", SPATH "/" S1, "{\"description\":\"npm publish\"}");
	char *log = slurp("requests.jsonl");
	char *v = strstr(log, "/value\""), *d = strstr(log, "\"" SPATH "/" S1 "\"");
	assert_true(v && d && v < d);
	free(log);
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_far_future_value_set_after_and_a_new_secret_without_value_are_plan_errors(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SECRETS(SEC(S1, CL1, "NPM_TOKEN", ""))), NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "{value: x, value_set_after: \"2099-01-01T00:00:00Z\"}"));
	expect(&b, ARGS("plan", "s.yaml"), 1, NULL, "is more than 5 minutes in the future");
	fx_write("s.yaml", SECRET("{cluster: linux, key: OTHER}", "{description: no value}"));
	expect(&b, ARGS("plan", "s.yaml"), 1, NULL, "spec: a new secret needs a value (value or valueFrom)");
	bk_down(&b);
}

static void test_a_policy_written_otherwise_is_no_drift_and_a_changed_one_is_put(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SECRETS(SEC(S1, CL1, "NPM_TOKEN", ", \"policy\": \"- pipeline_slug: web\\n  build_branch: main\""))), NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "{policy: \"[{build_branch: main, pipeline_slug: web}]\"}"));
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "{policy: \"[{pipeline_slug: web}]\"}"));
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, "spec.policy", NULL);
	expect_body("PUT", SPATH "/" S1, "{\"policy\":\"[{pipeline_slug: web}]\"}");
	expect_body("PUT", SPATH "/" S1 "/value", "");
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_prune_deletes_the_other_secrets_of_a_cluster_with_a_secret_manifest_only(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", " MACOS, SECRETS(SEC(S1, CL1, "STRAY", "") ", " SEC("s2", CL2, "MAC_ONLY", ""))), NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "{value: x}"));
	fx_result r = run(&b, ARGS("plan", "--prune", "s.yaml"));
	assert_int_equal(r.rc, 0);
	if (!fx_contains(r.out, "ClusterSecret/linux/STRAY (delete)"))
		fail_msg("%s", r.out);
	assert_false(fx_contains(r.out, "MAC_ONLY"));
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "--prune", "s.yaml"), 0, NULL, NULL);
	expect_body("DELETE", SPATH "/" S1, "null");
	expect(&b, ARGS("plan", "--prune", "s.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_exported_secrets_carry_no_value_and_plan_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, SECRETS(SEC(S1, CL1, "NPM_TOKEN", ", \"description\": \"npm\", \"policy\": \"- pipeline_slug: web\""))), NULL);
	fx_result r = run(&b, ARGS("export", "--cluster", "linux", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/clusters/secret-linux-NPM_TOKEN.yaml");
	assert_true(fx_contains(text, "description: npm"));
	assert_false(fx_contains(text, "value") || fx_contains(text, "old"));
	free(text);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_token_without_read_secret_details_is_refused_before_reading(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, "{\"buildkite\": {\"scopes\": [\"read_clusters\", \"write_secrets\"], \"clusters\": [" LINUX "]}}", NULL);
	fx_write("s.yaml", SECRET("{cluster: linux, key: NPM_TOKEN}", "{value: x}"));
	expect(&b, ARGS("plan", "s.yaml"), 1, NULL, "lacks the scope(s) read_secret_details");
	bk_down(&b);
}

static void test_secret_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), ARGS("--fail-every", "3", "--state", "state.json"));
	fx_write("s.yaml", SECRET("{cluster: linux, key: A}", "{value: a}") "---\n" SECRET("{cluster: linux, key: B}", "{value: b}"));
	expect(&b, ARGS("apply", "--yes", "s.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("drift", "s.yaml"), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.secrets")), 2);
	cJSON_Delete(st);
	free(text);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_reserved_key_a_bad_policy_and_two_values_are_refused_at_their_positions),
		cmocka_unit_test(test_a_create_posts_the_value_from_the_environment_and_never_prints_it),
		cmocka_unit_test(test_value_set_after_the_last_update_puts_the_value_before_the_description),
		cmocka_unit_test(test_a_far_future_value_set_after_and_a_new_secret_without_value_are_plan_errors),
		cmocka_unit_test(test_a_policy_written_otherwise_is_no_drift_and_a_changed_one_is_put),
		cmocka_unit_test(test_prune_deletes_the_other_secrets_of_a_cluster_with_a_secret_manifest_only),
		cmocka_unit_test(test_exported_secrets_carry_no_value_and_plan_as_unchanged),
		cmocka_unit_test(test_a_token_without_read_secret_details_is_refused_before_reading),
		cmocka_unit_test(test_secret_creates_under_failing_requests_converge_without_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The Buildkite ClusterAgentToken kind end to end: the real ciform binary
 * against `ciform-sandbox --api buildkite`: validate's checks at
 * FILE:LINE:COLUMN, the exact create and update requests, the value kept in
 * a 0600 file and never printed, renames moving that file, adopted and lost
 * tokens, expiry rules, the prune scope, export round trips, and failing
 * requests without duplicates.
 */
#define BK_STATE_IN_CWD
#include "tests/e2e/test_buildkite.h"
#include "reconciler/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>





#define LINUX "{\"id\": \"" CL1 "\", \"name\": \"linux\"}"
#define MACOS "{\"id\": \"" CL2 "\", \"name\": \"macos\"}"
#define T1 "01920000-0000-4000-8000-000000000001"
#define TOK(id, cl, desc, rest) "{\"id\": \"" id "\", \"cluster_id\": \"" cl "\", \"description\": \"" desc "\", " \
	"\"created_at\": \"2026-01-01T00:00:00Z\"" rest "}"
#define TOKENS(...) ", \"agent_tokens\": [" __VA_ARGS__ "]"
#define TOKEN(meta, spec) "apiVersion: buildkite/v1\nkind: ClusterAgentToken\nmetadata: " meta "\nspec: " spec "\n"
#define TPATH "/v2/organizations/acme/clusters/" CL1 "/tokens"
#define DIR "state/ciform/registration-tokens"

static void test_a_bad_cidr_and_a_bad_expiry_are_refused_at_their_positions(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{allowed_ip_addresses: [10.0.0.0/33]}"));
	fx_result r = fx_ciform(ARGS("validate", "t.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "t.yaml:4:31: spec.allowed_ip_addresses[0]: must be an IPv4 CIDR"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{expires_at: next year}"));
	r = fx_ciform(ARGS("validate", "t.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "t.yaml:4:20: spec.expires_at: must be an RFC 3339 time"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_two_descriptions_sharing_one_token_file_are_refused(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s prod}", "{}") "---\n"
			   TOKEN("{cluster: linux, description: k8s_prod}", "{}"));
	fx_result r = fx_ciform(ARGS("validate", "t.yaml"), NULL, NULL);
	assert_int_equal(r.rc, 1);
	if (!fx_contains(r.err, "its token file linux/k8s_prod.token is also ClusterAgentToken/linux/k8s prod's"))
		fail_msg("%s", r.err);
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_a_create_posts_the_fields_and_keeps_the_value_in_a_private_file_only(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), NULL);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s prod agents}",
				 "{allowed_ip_addresses: [10.0.0.0/16, 192.168.0.0/24], expires_at: \"2099-01-01T00:00:00Z\"}"));
	fx_result r = run(&b, ARGS("apply", "--yes", "t.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "agent token written to"));
	expect_body("POST", TPATH, "{\"description\":\"k8s prod agents\",\"allowed_ip_addresses\":\"10.0.0.0/16 "
		    "192.168.0.0/24\",\"expires_at\":\"2099-01-01T00:00:00Z\"}");
	char *value = slurp(DIR "/linux/k8s_prod_agents.token");
	value[strcspn(value, "\n")] = '\0';
	assert_true(strlen(value) > 20);
	assert_false(fx_contains(r.out, value) || fx_contains(r.err, value));
	struct stat st;
	assert_int_equal(stat(DIR "/linux/k8s_prod_agents.token", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(stat(DIR "/linux/k8s_prod_agents.token.pending", &st), 0);
	free(value);
	fx_result_free(&r);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s prod agents}",
				 "{allowed_ip_addresses: [192.168.0.0/24, 10.0.0.0/16], expires_at: \"2099-01-01T01:00:00+01:00\"}"));
	expect(&b, ARGS("drift", "t.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_an_update_patches_the_cidrs_as_one_string(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "k8s", ", \"allowed_ip_addresses\": \"10.0.0.0/16\""))), NULL);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{allowed_ip_addresses: [10.0.0.0/16, 10.1.0.0/16]}"));
	expect(&b, ARGS("drift", "t.yaml"), 2, "spec.allowed_ip_addresses", NULL);
	expect(&b, ARGS("apply", "--yes", "t.yaml"), 0, NULL, NULL);
	expect_body("PATCH", TPATH "/" T1, "{\"allowed_ip_addresses\":\"10.0.0.0/16 10.1.0.0/16\"}");
	expect(&b, ARGS("drift", "t.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_renamed_from_redescribes_the_token_and_moves_its_file(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "old", ""))), NULL);
	assert_int_equal(system("mkdir -p " DIR "/linux && printf 'v\\n' > " DIR "/linux/old.token"), 0);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: new, renamed_from: [old]}", "{}"));
	expect(&b, ARGS("plan", "t.yaml"), 0, "metadata.description: \"old\" -> \"new\"", NULL);
	expect(&b, ARGS("apply", "--yes", "t.yaml"), 0, "agent token moved to", NULL);
	expect_body("PATCH", TPATH "/" T1, "{\"description\":\"new\"}");
	char *v = slurp(DIR "/linux/new.token");
	assert_string_equal(v, "v\n");
	free(v);
	expect(&b, ARGS("drift", "t.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_live_token_without_its_file_is_adopted_and_listed_unverifiable(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "k8s", ""))), NULL);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{}"));
	expect(&b, ARGS("plan", "t.yaml"), 0, "adopted: its value is not available here", NULL);
	expect(&b, ARGS("plan", "t.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_token_whose_file_is_in_the_given_directory_is_not_called_adopted(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "k8s", ""))), NULL);
	assert_int_equal(system("mkdir -p mine/linux && printf 'v\\n' > mine/linux/k8s.token"), 0);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{}"));
	fx_result r = run(&b, ARGS("plan", "--registration-token-dir", "mine", "t.yaml"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes."));
	assert_false(fx_contains(r.out, "adopted"));
	fx_result_free(&r);
	bk_down(&b);
}

static void test_a_lost_value_revokes_the_token_and_creates_it_again(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "k8s", ""))), NULL);
	/* a marker from before the live token's created_at (2026-01-01): the create landed, the value did not */
	assert_int_equal(system("mkdir -p " DIR "/linux && : > " DIR "/linux/k8s.token.pending && "
				"touch -d 2025-12-31T00:00:00Z " DIR "/linux/k8s.token.pending"), 0);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{}"));
	expect(&b, ARGS("plan", "t.yaml"), 0, "lost: an earlier apply created it", NULL);
	expect(&b, ARGS("apply", "--yes", "t.yaml"), 0, NULL, NULL);
	expect_body("DELETE", TPATH "/" T1, "null");
	expect_body("POST", TPATH, "{\"description\":\"k8s\"}");
	struct stat st;
	assert_int_equal(stat(DIR "/linux/k8s.token", &st), 0);
	expect(&b, ARGS("plan", "t.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_a_changed_or_past_expiry_is_a_plan_error(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "k8s", ", \"expires_at\": \"2099-01-01T00:00:00Z\""))), NULL);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{expires_at: \"2098-01-01T00:00:00Z\"}"));
	expect(&b, ARGS("plan", "t.yaml"), 1, NULL, "spec.expires_at: a live token's expiry cannot change; it expires ");
	fx_write("t.yaml", TOKEN("{cluster: linux, description: new}", "{expires_at: \"2001-01-01T00:00:00Z\"}"));
	expect(&b, ARGS("plan", "t.yaml"), 1, NULL, "t.yaml:4:20: spec.expires_at: '2001-01-01T00:00:00Z' is not in the future");
	bk_down(&b);
}

static void test_prune_revokes_the_other_tokens_of_a_cluster_with_a_token_manifest_only(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX ", " MACOS, TOKENS(TOK(T1, CL1, "stray", "") ", " TOK("t2", CL2, "mac", ""))), NULL);
	fx_write("t.yaml", TOKEN("{cluster: linux, description: k8s}", "{}"));
	fx_result r = run(&b, ARGS("plan", "--prune", "t.yaml"));
	assert_int_equal(r.rc, 0);
	if (!fx_contains(r.out, "ClusterAgentToken/linux/stray (delete)") ||
	    !fx_contains(r.out, "revoked: agents using it can no longer connect"))
		fail_msg("%s", r.out);
	assert_false(fx_contains(r.out, "mac"));
	fx_result_free(&r);
	expect(&b, ARGS("apply", "--yes", "--prune", "t.yaml"), 0, NULL, NULL);
	expect_body("DELETE", TPATH "/" T1, "null");
	expect(&b, ARGS("plan", "--prune", "t.yaml"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_exported_tokens_carry_no_value_and_plan_as_unchanged(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, TOKENS(TOK(T1, CL1, "k8s agents", ", \"allowed_ip_addresses\": \"10.0.0.0/16\""))), NULL);
	assert_int_equal(system("mkdir -p " DIR "/linux && printf 'v\\n' > " DIR "/linux/k8s_agents.token"), 0);
	fx_result r = run(&b, ARGS("export", "--cluster", "linux", "--dir", "out"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *text = slurp("out/clusters/token-" T1 ".yaml");
	assert_true(fx_contains(text, "description: k8s agents"));
	assert_true(fx_contains(text, "10.0.0.0/16"));
	assert_false(fx_contains(text, "token:"));
	free(text);
	expect(&b, ARGS("drift", "out"), 0, "No changes.", NULL);
	bk_down(&b);
}

static void test_token_creates_under_failing_requests_converge_without_duplicates(void **state)
{
	(void)state;
	bk b;
	bk_up(&b, SEED(LINUX, ""), ARGS("--fail-every", "3", "--state", "state.json"));
	fx_write("t.yaml", TOKEN("{cluster: linux, description: a}", "{}") "---\n" TOKEN("{cluster: linux, description: b}", "{}"));
	expect(&b, ARGS("apply", "--yes", "t.yaml"), 0, NULL, NULL);
	expect(&b, ARGS("plan", "t.yaml"), 0, "No changes.", NULL);
	fx_sandbox_stop(&b.sb);
	char *text = slurp("state.json");
	cJSON *st = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(cf_json_path(st, "buildkite.agent_tokens")), 2);
	cJSON_Delete(st);
	free(text);
	bk_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_bad_cidr_and_a_bad_expiry_are_refused_at_their_positions),
		cmocka_unit_test(test_two_descriptions_sharing_one_token_file_are_refused),
		cmocka_unit_test(test_a_create_posts_the_fields_and_keeps_the_value_in_a_private_file_only),
		cmocka_unit_test(test_an_update_patches_the_cidrs_as_one_string),
		cmocka_unit_test(test_renamed_from_redescribes_the_token_and_moves_its_file),
		cmocka_unit_test(test_a_live_token_without_its_file_is_adopted_and_listed_unverifiable),
		cmocka_unit_test(test_a_token_whose_file_is_in_the_given_directory_is_not_called_adopted),
		cmocka_unit_test(test_a_lost_value_revokes_the_token_and_creates_it_again),
		cmocka_unit_test(test_a_changed_or_past_expiry_is_a_plan_error),
		cmocka_unit_test(test_prune_revokes_the_other_tokens_of_a_cluster_with_a_token_manifest_only),
		cmocka_unit_test(test_exported_tokens_carry_no_value_and_plan_as_unchanged),
		cmocka_unit_test(test_token_creates_under_failing_requests_converge_without_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

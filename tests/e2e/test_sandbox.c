/*
 * ciform-sandbox's own features over HTTP: its options, its seed and state
 * files. How it answers the API itself is the conformance suite's subject
 * (tests/conformance/), checked against the server's behaviour.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/conformance/api.h"
#include "tests/conformance/seed.h"
#include "tests/support/fixture.h"

#include <stdlib.h>
#include <string.h>

#define PROD "/deployment_targets/" T_PROD

static void test_state_survives_kill_9(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--state", "state.json", NULL});
	cx_answer a = cx_call(&e, "POST", "/deployment_targets?project_id=" P_API, "{\"name\": \"kept\", " UT(1) "}");
	assert_int_equal(a.status, 200);
	cx_free(&a);
	fx_sandbox_kill9(&e.sb);
	fx_write("seed.json", "{}"); /* the state file, not the seed, must be what comes back */
	fx_sandbox_start(&e.sb, (const char *[]){"--seed", "seed.json", "--state", "state.json", NULL});
	a = cx_call(&e, "GET", "/deployment_targets?project_id=" P_API, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(cJSON_GetArraySize(a.json), 1);
	assert_string_equal(cx_str(a.json, "0.name"), "kept");
	cx_free(&a);
	cx_down(&e);
}

static void test_a_bad_seed_file_is_a_clear_error(void **state)
{
	(void)state;
	fx_enter_tmpdir();
	fx_write("seed.json", "{not json");
	char *out, *err;
	int rc = fx_run((const char *[]){CIFORM_SANDBOX_BIN, "--seed", "seed.json", NULL}, NULL, NULL, &out, &err);
	assert_int_equal(rc, 1);
	assert_string_equal(err, "ciform-sandbox: error: seed.json: not a JSON object\n");
	free(out);
	free(err);
	fx_leave_tmpdir();
}

static void test_sandbox_fail_sync_ends_unusable_with_a_message(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": [{\"name\": \"SANDBOX_FAIL_SYNC\", \"value\": \"1\"}]}");
	cx_free(&a);
	a = cx_call(&e, "GET", PROD, NULL);
	assert_string_equal(cx_str(a.json, "state"), "UNUSABLE");
	assert_string_equal(cx_str(a.json, "state_message"), "secrets could not be synced (SANDBOX_FAIL_SYNC is set)");
	cx_free(&a);
	cx_down(&e);
}

static void test_sync_ms_holds_a_target_syncing_that_long(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "300", NULL);
	cx_answer a = cx_call(&e, "PATCH", PROD, "{" UT(1) ", \"env_vars\": []}");
	cx_free(&a);
	a = cx_call(&e, "GET", PROD, NULL);
	assert_string_equal(cx_str(a.json, "state"), "SYNCING");
	cx_free(&a);
	char *st = cx_wait_settled(&e, PROD);
	assert_string_equal(st, "USABLE");
	free(st);
	cx_down(&e);
}

static void test_fail_every_answers_503(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--fail-every", "2", NULL});
	long seen[3];
	for (int i = 0; i < 3; i++) {
		cx_answer a = cx_call(&e, "GET", "/roles", NULL);
		seen[i] = a.status;
		cx_free(&a);
	}
	assert_int_equal(seen[0], 200);
	assert_int_equal(seen[1], 503);
	assert_int_equal(seen[2], 200);
	cx_down(&e);
}

static void test_throttle_every_answers_429(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--throttle-every", "1", NULL});
	cx_answer a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 429);
	cx_free(&a);
	cx_down(&e);
}

static void test_fault_html_answers_200_that_is_not_json(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--fault", "html", NULL});
	cx_answer a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 200);
	assert_null(a.json);
	assert_string_equal(a.content_type, "text/html");
	cx_free(&a);
	cx_down(&e);
}

static void test_seed_user_rule_with_a_git_login_is_resolved_through_users(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, "{\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}],"
		  " \"users\": [{\"id\": \"" U_OCTO "\", \"git_login\": \"octocat\", \"projects\": [\"web\"]}],"
		  " \"deployment_targets\": [{\"id\": \"" T_PROD "\", \"project\": \"web\", \"name\": \"prod\","
		  "   \"subject_rules\": [{\"type\": \"USER\", \"subject_id\": \"\", \"git_login\": \"octocat\"}]}]}",
	      "0", NULL);
	cx_answer a = cx_call(&e, "GET", PROD, NULL);
	char *rules = cJSON_PrintUnformatted(cx_get(a.json, "subject_rules"));
	assert_string_equal(rules, "[{\"type\":\"USER\",\"subject_id\":\"" U_OCTO "\",\"git_login\":\"octocat\"}]");
	free(rules);
	cx_free(&a);
	cx_down(&e);
}

static void test_seed_retention_ages_are_read_as_durations(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, "{\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}],"
		  " \"retention_policies\": [{\"project\": \"web\", \"project_level_retention_policies\":"
		  "   [{\"selector\": \"/**/*\", \"age\": \"14 days\"}, {\"selector\": \"/x\", \"age\": 31536000}]}]}",
	      "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/artifacts_retention_policies/" P_WEB, NULL);
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.0.age"), "2 weeks");
	assert_string_equal(cx_str(a.json, "project_level_retention_policies.1.age"), "1 year");
	cx_free(&a);
	cx_down(&e);
}

static void test_stats_need_no_token_and_count_routes(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", NULL);
	cx_answer a = cx_call(&e, "GET", "/roles/" R_PRJ_ADMIN, NULL);
	cx_free(&a);
	assert_int_equal(fx_sandbox_route_count(&e.sb, "GET /roles/:id"), 1);
	cx_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_survives_kill_9),
		cmocka_unit_test(test_a_bad_seed_file_is_a_clear_error),
		cmocka_unit_test(test_sandbox_fail_sync_ends_unusable_with_a_message),
		cmocka_unit_test(test_sync_ms_holds_a_target_syncing_that_long),
		cmocka_unit_test(test_fail_every_answers_503),
		cmocka_unit_test(test_throttle_every_answers_429),
		cmocka_unit_test(test_fault_html_answers_200_that_is_not_json),
		cmocka_unit_test(test_seed_user_rule_with_a_git_login_is_resolved_through_users),
		cmocka_unit_test(test_seed_retention_ages_are_read_as_durations),
		cmocka_unit_test(test_stats_need_no_token_and_count_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ciform-sandbox's own features over HTTP: its options, its seed and state
 * files, and the fault modes that act after the server (--lose-every,
 * --freeze-after-writes). How it answers the API itself is the conformance suite's subject
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

#include <curl/curl.h>

#define PROD "/deployment_targets/" T_PROD

static size_t collect(char *p, size_t s, size_t n, void *ud)
{
	char **buf = ud;
	size_t old = strlen(*buf);
	*buf = cf_xrealloc(*buf, old + s * n + 1);
	memcpy(*buf + old, p, s * n);
	(*buf)[old + s * n] = '\0';
	return s * n;
}

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

/* One raw request with its own header and a deadline: the status, or 0
 * when no answer came in time (a held request); *body the answer (may be NULL). */
static long call(const char *url, const char *method, const char *header, const char *body, long timeout_ms,
		 char **answer)
{
	struct curl_slist *hs = curl_slist_append(NULL, header);
	hs = curl_slist_append(hs, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	char *got = cf_xstrdup("");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hs);
	if (answer)
		*answer = got;
	else
		free(got);
	return status;
}

static int stat_count(const fx_sandbox *sb, const char *name)
{
	cJSON *st = fx_sandbox_stats(sb);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(st, name);
	int v = cJSON_IsNumber(n) ? n->valueint : -1;
	cJSON_Delete(st);
	return v;
}

static void test_lose_every_carries_out_the_write_and_saves_it_then_answers_503(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--lose-every", "2", "--state", "state.json", NULL});
	cx_answer a = cx_call(&e, "POST", "/deployment_targets?project_id=" P_API, "{\"name\": \"first\", " UT(1) "}");
	assert_int_equal(a.status, 200);
	cx_free(&a);
	a = cx_call(&e, "POST", "/deployment_targets?project_id=" P_API, "{\"name\": \"lost\", " UT(2) "}");
	assert_int_equal(a.status, 503);
	assert_string_equal(a.body, "{\"message\":\"Service Unavailable\"}");
	cx_free(&a);
	fx_sandbox_kill9(&e.sb); /* what was saved, not what is in memory */
	fx_sandbox_start(&e.sb, (const char *[]){"--state", "state.json", NULL});
	a = cx_call(&e, "GET", "/deployment_targets?project_id=" P_API, NULL);
	assert_int_equal(cJSON_GetArraySize(a.json), 2);
	assert_string_equal(cx_str(a.json, "1.name"), "lost");
	cx_free(&a);
	cx_down(&e);
}

static void test_lose_every_counts_writes_only_and_never_loses_a_read(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--lose-every", "1", NULL});
	cx_answer a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 200);
	cx_free(&a);
	a = cx_call(&e, "POST", "/deployment_targets?project_id=" P_API, "{\"name\": \"lost\", " UT(1) "}");
	assert_int_equal(a.status, 503);
	cx_free(&a);
	a = cx_call(&e, "POST", "/deployment_targets?project_id=nope", "{\"name\": \"x\", " UT(2) "}");
	assert_true(a.status >= 400 && a.status != 503); /* refused: nothing carried out, nothing lost */
	cx_free(&a);
	assert_int_equal(stat_count(&e.sb, "writes"), 1);
	assert_int_equal(stat_count(&e.sb, "lost"), 1);
	cx_down(&e);
}

static void test_lose_every_loses_another_vendors_write_after_carrying_it_out(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, "{\"circleci\": {\"collaborations\": [{\"id\": \"aaaaaaaa-0000-4000-8000-000000000001\","
		  " \"name\": \"acme\", \"slug\": \"gh/acme\", \"vcs_type\": \"github\"}]}}",
	      "0", (const char *[]){"--api", "circleci", "--lose-every", "1", NULL});
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v2/context", e.sb.url);
	char *got = NULL;
	long st = call(url, "POST", "Circle-Token: " TEST_TOKEN,
		       "{\"name\": \"ctx\", \"owner\": {\"id\": \"aaaaaaaa-0000-4000-8000-000000000001\","
		       " \"type\": \"organization\"}}", 5000, &got);
	assert_int_equal(st, 503);
	assert_false(fx_contains(got, "ctx")); /* the real answer (the new context) never arrives */
	free(got);
	snprintf(url, sizeof(url), "%s/api/v2/context?owner-id=aaaaaaaa-0000-4000-8000-000000000001", e.sb.url);
	assert_int_equal(call(url, "GET", "Circle-Token: " TEST_TOKEN, NULL, 5000, &got), 200);
	assert_true(fx_contains(got, "\"name\":\"ctx\""));
	free(got);
	assert_int_equal(stat_count(&e.sb, "lost"), 1);
	cx_down(&e);
}

/* --fault not-found-503: every DELETE, to any --api, is a 503 in a 404's
 * words (faults.c); other methods are answered as ever */
static void test_fault_not_found_503_answers_another_vendors_deletes_503_saying_not_found(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, "{\"buildkite\": {\"clusters\": [{\"id\": \"01900000-0000-4000-8000-000000000001\", \"name\": \"linux\"}]}}",
	      "0", (const char *[]){"--api", "buildkite", "--fault", "not-found-503", NULL});
	char url[256];
	snprintf(url, sizeof(url), "%s/v2/organizations/acme/clusters/01900000-0000-4000-8000-000000000001", e.sb.url);
	char *got = NULL;
	assert_int_equal(call(url, "DELETE", "Authorization: Bearer " TEST_TOKEN, NULL, 5000, &got), 503);
	assert_string_equal(got, "{\"message\": \"Not Found\"}");
	free(got);
	assert_int_equal(call(url, "GET", "Authorization: Bearer " TEST_TOKEN, NULL, 5000, &got), 200);
	assert_true(fx_contains(got, "\"name\":\"linux\"")); /* the cluster is still there */
	free(got);
	cx_down(&e);
}

static void test_freeze_after_writes_holds_later_requests_while_stats_answer(void **state)
{
	(void)state;
	cx_env e;
	cx_up(&e, SEED, "0", (const char *[]){"--freeze-after-writes", "1", NULL});
	cx_answer a = cx_call(&e, "GET", "/roles", NULL);
	assert_int_equal(a.status, 200); /* reads before the Nth write are answered */
	cx_free(&a);
	a = cx_call(&e, "POST", "/deployment_targets?project_id=" P_API, "{\"name\": \"one\", " UT(1) "}");
	assert_int_equal(a.status, 200);
	cx_free(&a);
	char url[256];
	snprintf(url, sizeof(url), "%s/roles", e.sb.api_url);
	assert_int_equal(call(url, "GET", "Authorization: Token " TEST_TOKEN, NULL, 700, NULL), 0);
	assert_int_equal(stat_count(&e.sb, "writes"), 1);
	assert_int_equal(stat_count(&e.sb, "frozen"), 1);
	cx_down(&e); /* stops cleanly with a request held */
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
		cmocka_unit_test(test_lose_every_carries_out_the_write_and_saves_it_then_answers_503),
		cmocka_unit_test(test_lose_every_counts_writes_only_and_never_loses_a_read),
		cmocka_unit_test(test_lose_every_loses_another_vendors_write_after_carrying_it_out),
		cmocka_unit_test(test_fault_not_found_503_answers_another_vendors_deletes_503_saying_not_found),
		cmocka_unit_test(test_freeze_after_writes_holds_later_requests_while_stats_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

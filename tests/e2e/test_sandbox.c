/* ciform-sandbox over HTTP: each API rule of CONTRACT section 7. */
#include "tests/unit/test_helpers.h"
#include "tests/support/sandbox.h"
#include "reconciler/semaphore/api.h"

#include <string.h>
#include <time.h>

typedef struct env {
	fx_sandbox sb;
	cf_sem_client *c;
	cf_error err;
} env;

static void up_with(env *e, const char *sync_ms, const char *const *extra)
{
	memset(e, 0, sizeof(*e));
	fx_enter_tmpdir();
	fx_write_seed("seed.json");
	const char *args[16] = {"--seed", "seed.json", "--sync-ms", sync_ms};
	size_t n = 4;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	fx_sandbox_start(&e->sb, args);
	e->c = fx_client(&e->sb, 1); /* no retries: every answer as the server gave it */
}

static void up(env *e)
{
	up_with(e, "0", NULL);
}

static void down(env *e)
{
	cf_sem_client_free(e->c);
	fx_sandbox_stop(&e->sb);
	cf_error_clear(&e->err);
	fx_leave_tmpdir();
}

/* One request; returns the HTTP status, the JSON answer in *out if wanted. */
static long http(env *e, const char *method, const char *body, const char *path, cJSON **out)
{
	cf_sem_call call;
	cf_sem_call_init(&call, method, 0, body, "%s", path);
	cf_error_clear(&e->err);
	cf_sem_run(e->c, &call, 1, &e->err);
	long status = call.status;
	if (out) {
		*out = call.json;
		call.json = NULL;
	}
	cf_sem_call_clear(&call);
	return status;
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static char *secret_of(env *e, const char *list, const char *key)
{
	cJSON *t = NULL;
	http(e, "GET", NULL, "/deployment_targets/" SEED_TARGET_PROD "?include_secrets=true", &t);
	cJSON *it;
	char *out = NULL;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(t, list))
		if (!strcmp(str(it, !strcmp(list, "files") ? "path" : "name"), key))
			out = cf_xstrdup(str(it, !strcmp(list, "files") ? "content" : "value"));
	cJSON_Delete(t);
	return out;
}

#define TOK(n) "\"unique_token\":\"aaaaaaaa-0000-4000-8000-00000000000" #n "\""
#define PROD "/deployment_targets/" SEED_TARGET_PROD

static void test_list_and_describe_never_show_secrets(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *list = NULL, *one = NULL;
	assert_int_equal(http(&e, "GET", NULL, "/deployment_targets?project_id=" SEED_PROJECT_WEB, &list), 200);
	assert_int_equal(http(&e, "GET", NULL, PROD, &one), 200);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "env_vars"));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "files"));
	assert_null(cJSON_GetObjectItem(one, "env_vars"));
	assert_null(cJSON_GetObjectItem(one, "files"));
	cJSON_Delete(list);
	cJSON_Delete(one);
	down(&e);
}

static void test_include_secrets_shows_each_value_as_its_md5(void **state)
{
	(void)state;
	env e;
	up(&e);
	char *v = secret_of(&e, "env_vars", "TOKEN"), *f = secret_of(&e, "files", "/etc/a.conf");
	assert_string_equal(v, "e1dc47353439fcf66c9f05c52d2970f6"); /* md5("prod-secret") */
	assert_string_equal(f, "6b70b3a2e20c0f3fe876d8a107b7753d"); /* md5("aGVsbG8K") */
	free(v);
	free(f);
	down(&e);
}

static void test_create_needs_a_uuid_unique_token(void **state)
{
	(void)state;
	env e;
	up(&e);
	const char *path = "/deployment_targets?project_id=" SEED_PROJECT_API;
	assert_int_equal(http(&e, "POST", "{\"name\":\"a\"}", path, NULL), 400);
	assert_int_equal(http(&e, "POST", "{\"name\":\"a\",\"unique_token\":\"abc\"}", path, NULL), 400);
	assert_true(fx_contains(e.err.message, "unique_token must be a UUID"));
	assert_int_equal(http(&e, "POST", "{\"name\":\"a\"," TOK(1) "}", path, NULL), 200);
	down(&e);
}

static void test_a_held_unique_token_returns_that_target_unchanged(void **state)
{
	(void)state;
	env e;
	up(&e);
	const char *path = "/deployment_targets?project_id=" SEED_PROJECT_API;
	cJSON *a = NULL, *b = NULL, *list = NULL;
	assert_int_equal(http(&e, "POST", "{\"name\":\"first\"," TOK(1) "}", path, &a), 200);
	assert_int_equal(http(&e, "POST", "{\"name\":\"second\"," TOK(1) "}", path, &b), 200);
	assert_string_equal(str(a, "id"), str(b, "id"));
	assert_string_equal(str(b, "name"), "first");
	http(&e, "GET", NULL, "/deployment_targets?project_id=" SEED_PROJECT_API, &list);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	char *p = cf_xasprintf("/deployment_targets/%s", str(a, "id"));
	assert_int_equal(http(&e, "PATCH", "{\"description\":\"x\"," TOK(1) "}", p, NULL), 200);
	cJSON *after = NULL;
	http(&e, "GET", NULL, p, &after);
	assert_string_equal(str(after, "description"), ""); /* the PATCH with a held token changed nothing */
	free(p);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(list);
	cJSON_Delete(after);
	down(&e);
}

static void test_patch_merges_scalars_and_keeps_what_it_omits(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *t = NULL;
	assert_int_equal(http(&e, "PATCH", "{\"description\":\"new\"," TOK(1) "}", PROD, &t), 200);
	assert_string_equal(str(t, "description"), "new");
	assert_string_equal(str(t, "url"), "https://prod.example.com");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(t, "object_rules")), 3);
	char *v = secret_of(&e, "env_vars", "TOKEN");
	assert_string_equal(v, "e1dc47353439fcf66c9f05c52d2970f6");
	free(v);
	cJSON_Delete(t);
	down(&e);
}

static void test_patch_with_env_vars_only_empties_files(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "PATCH", "{\"env_vars\":[{\"name\":\"TOKEN\",\"value\":\"x\"}]," TOK(1) "}",
			      PROD, NULL), 200);
	assert_null(secret_of(&e, "files", "/etc/a.conf"));
	char *v = secret_of(&e, "env_vars", "TOKEN");
	assert_string_equal(v, "9dd4e461268c8034f5c8564e155c67a6"); /* md5("x") */
	free(v);
	down(&e);
}

static void test_md5_of_the_old_value_keeps_the_old_value(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "PATCH",
			      "{\"env_vars\":[{\"name\":\"TOKEN\",\"value\":\"e1dc47353439fcf66c9f05c52d2970f6 [md5]\"}],"
			      "\"files\":[{\"path\":\"/etc/a.conf\",\"content\":\"6b70b3a2e20c0f3fe876d8a107b7753d\"}],"
			      TOK(1) "}", PROD, NULL), 200);
	char *v = secret_of(&e, "env_vars", "TOKEN"), *f = secret_of(&e, "files", "/etc/a.conf");
	assert_string_equal(v, "e1dc47353439fcf66c9f05c52d2970f6"); /* still md5("prod-secret") */
	assert_string_equal(f, "6b70b3a2e20c0f3fe876d8a107b7753d");
	free(v);
	free(f);
	down(&e);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

static void test_secret_change_makes_the_target_syncing_and_refuses_mutations(void **state)
{
	(void)state;
	env e;
	up_with(&e, "400", NULL);
	cJSON *t = NULL;
	assert_int_equal(http(&e, "PATCH", "{\"env_vars\":[]," TOK(1) "}", PROD, &t), 200);
	assert_string_equal(str(t, "state"), "SYNCING");
	cJSON_Delete(t);
	t = NULL;
	assert_int_equal(http(&e, "PATCH", "{\"url\":\"u\"," TOK(2) "}", PROD, NULL), 400);
	assert_string_equal(e.err.message, "PATCH " PROD ": HTTP 400: Invalid state: SYNCING");
	assert_int_equal(http(&e, "PATCH", NULL, PROD "/deactivate", NULL), 400);
	assert_int_equal(http(&e, "DELETE", NULL, PROD "?unique_token=aaaaaaaa-0000-4000-8000-000000000003", NULL), 400);
	const char *st = "SYNCING";
	for (int i = 0; i < 50 && !strcmp(st, "SYNCING"); i++) {
		sleep_ms(50);
		cJSON_Delete(t);
		http(&e, "GET", NULL, PROD, &t);
		st = str(t, "state");
	}
	assert_string_equal(st, "USABLE");
	cJSON_Delete(t);
	assert_int_equal(http(&e, "PATCH", NULL, PROD "/deactivate", NULL), 200);
	down(&e);
}

static void test_sandbox_fail_sync_ends_unusable_with_a_message(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *t = NULL;
	http(&e, "PATCH", "{\"env_vars\":[{\"name\":\"SANDBOX_FAIL_SYNC\",\"value\":\"1\"}]," TOK(1) "}", PROD, NULL);
	http(&e, "GET", NULL, PROD, &t);
	assert_string_equal(str(t, "state"), "UNUSABLE");
	assert_string_equal(str(t, "state_message"), "secrets could not be synced (SANDBOX_FAIL_SYNC is set)");
	cJSON_Delete(t);
	down(&e);
}

static void test_active_changes_only_through_activate_and_deactivate(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *t = NULL, *r = NULL;
	http(&e, "PATCH", "{\"active\":false," TOK(1) "}", PROD, &t);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(t, "active")));
	cJSON_Delete(t);
	assert_int_equal(http(&e, "PATCH", NULL, PROD "/deactivate", &r), 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "cordoned")));
	cJSON_Delete(r);
	http(&e, "GET", NULL, PROD, &t);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(t, "active")));
	cJSON_Delete(t);
	assert_int_equal(http(&e, "PATCH", NULL, PROD "/activate", &r), 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "cordoned")));
	cJSON_Delete(r);
	down(&e);
}

static void test_delete_needs_a_unique_token_and_a_missing_target_is_404(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "DELETE", NULL, PROD, NULL), 400);
	assert_int_equal(http(&e, "DELETE", NULL, PROD "?unique_token=aaaaaaaa-0000-4000-8000-000000000001", NULL), 200);
	assert_int_equal(http(&e, "DELETE", NULL, PROD "?unique_token=aaaaaaaa-0000-4000-8000-000000000002", NULL), 404);
	assert_int_equal(http(&e, "GET", NULL, PROD, NULL), 404);
	down(&e);
}

static void test_role_rules_take_role_uuids_only(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "PATCH", "{\"subject_rules\":[{\"type\":\"ROLE\",\"subject_id\":\"Admin\"}]," TOK(1) "}",
			      PROD, NULL), 400);
	cJSON *t = NULL;
	assert_int_equal(http(&e, "PATCH", "{\"subject_rules\":[{\"type\":\"ROLE\",\"subject_id\":\"" SEED_ROLE_ADMIN
			      "\"}]," TOK(2) "}", PROD, &t), 200);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "subject_rules"), 0), "subject_id"),
			    SEED_ROLE_ADMIN);
	cJSON_Delete(t);
	down(&e);
}

static void test_agent_type_name_must_start_with_s1(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "POST", "{\"metadata\":{\"name\":\"linux\"}}", "/self_hosted_agent_types", NULL), 400);
	assert_int_equal(http(&e, "POST", "{\"metadata\":{\"name\":\"s1-linux\"}}", "/self_hosted_agent_types", NULL), 200);
	assert_int_equal(http(&e, "POST", "{\"metadata\":{\"name\":\"s1-linux\"}}", "/self_hosted_agent_types", NULL), 400);
	down(&e);
}

static void test_registration_token_is_only_in_the_create_answer(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *a = NULL, *b = NULL;
	http(&e, "POST", "{\"metadata\":{\"name\":\"s1-t\"}}", "/self_hosted_agent_types", &a);
	assert_non_null(str(cJSON_GetObjectItem(a, "status"), "registration_token"));
	http(&e, "GET", NULL, "/self_hosted_agent_types/s1-t", &b);
	assert_null(str(cJSON_GetObjectItem(b, "status"), "registration_token"));
	cJSON_Delete(a);
	cJSON_Delete(b);
	down(&e);
}

static void test_agent_type_patch_takes_the_name_from_the_body_and_resets_omitted_settings(void **state)
{
	(void)state;
	env e;
	up(&e);
	http(&e, "POST", "{\"metadata\":{\"name\":\"s1-a\"},\"spec\":{\"agent_name_settings\":{"
			 "\"assignment_origin\":\"assignment_origin_aws_sts\",\"release_after\":60,"
			 "\"aws\":{\"account_id\":\"1\",\"role_name_patterns\":\"r\"}}}}",
	     "/self_hosted_agent_types", NULL);
	cJSON *a = NULL;
	assert_int_equal(http(&e, "PATCH", "{\"metadata\":{\"name\":\"s1-a\"}}",
			      "/self_hosted_agent_types/some-other-name", &a), 200);
	cJSON *ns = cJSON_GetObjectItem(cJSON_GetObjectItem(a, "spec"), "agent_name_settings");
	assert_string_equal(str(ns, "assignment_origin"), "assignment_origin_agent");
	assert_int_equal(cJSON_GetObjectItem(ns, "release_after")->valueint, 0);
	assert_null(cJSON_GetObjectItem(ns, "aws"));
	cJSON_Delete(a);
	down(&e);
}

static void test_disable_all_only_idle_keeps_busy_agents(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *a = NULL;
	http(&e, "POST", "only_idle=true", "/self_hosted_agent_types/s1-busy/disable_all", NULL);
	http(&e, "GET", NULL, "/self_hosted_agent_types/s1-busy", &a);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "status"), "total_agent_count")->valueint, 1);
	cJSON_Delete(a);
	assert_int_equal(http(&e, "DELETE", NULL, "/self_hosted_agent_types/s1-busy", NULL), 400);
	http(&e, "POST", "only_idle=false", "/self_hosted_agent_types/s1-busy/disable_all", NULL);
	assert_int_equal(http(&e, "DELETE", NULL, "/self_hosted_agent_types/s1-busy", NULL), 200);
	down(&e);
}

#define POLICY(levels) "{\"project_id\":\"" SEED_PROJECT_WEB "\"" levels "}"

static void test_retention_needs_at_least_one_rule(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "POST", POLICY(",\"job_level_retention_policies\":[]"),
			      "/artifacts_retention_policies", NULL), 400);
	assert_true(fx_contains(e.err.message, "at least one retention rule is required"));
	down(&e);
}

static void test_retention_ages_are_validated_and_normalised(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "POST", POLICY(",\"job_level_retention_policies\":[{\"selector\":\"/a\",\"age\":\"13 days\"}]"),
			      "/artifacts_retention_policies", NULL), 400);
	cJSON *p = NULL;
	assert_int_equal(http(&e, "POST",
			      POLICY(",\"job_level_retention_policies\":[{\"selector\":\"/a\",\"age\":\"7 days\"},"
				     "{\"selector\":\"/b\",\"age\":\"12 months\"},{\"selector\":\"/c\",\"age\":\"1 weeks\"}]"),
			      "/artifacts_retention_policies", &p), 200);
	cJSON *rules = cJSON_GetObjectItem(p, "job_level_retention_policies");
	assert_string_equal(str(cJSON_GetArrayItem(rules, 0), "age"), "1 week");
	assert_string_equal(str(cJSON_GetArrayItem(rules, 1), "age"), "1 year");
	assert_string_equal(str(cJSON_GetArrayItem(rules, 2), "age"), "1 week");
	cJSON_Delete(p);
	down(&e);
}

static void test_retention_post_replaces_the_whole_policy(void **state)
{
	(void)state;
	env e;
	up(&e);
	http(&e, "POST", POLICY(",\"project_level_retention_policies\":[{\"selector\":\"/a\",\"age\":\"1 year\"}]"),
	     "/artifacts_retention_policies", NULL);
	cJSON *p = NULL;
	http(&e, "POST", POLICY(",\"job_level_retention_policies\":[{\"selector\":\"/b\",\"age\":\"2 weeks\"}]"),
	     "/artifacts_retention_policies", NULL);
	http(&e, "GET", NULL, "/artifacts_retention_policies/" SEED_PROJECT_WEB, &p);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "project_level_retention_policies")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "job_level_retention_policies")), 1);
	cJSON_Delete(p);
	down(&e);
}

static void test_project_without_a_policy_reads_as_three_empty_lists(void **state)
{
	(void)state;
	env e;
	up(&e);
	cJSON *p = NULL;
	assert_int_equal(http(&e, "GET", NULL, "/artifacts_retention_policies/" SEED_PROJECT_API, &p), 200);
	char *text = cJSON_PrintUnformatted(p);
	assert_string_equal(text, "{\"project_level_retention_policies\":[],\"workflow_level_retention_policies\":[],"
				  "\"job_level_retention_policies\":[]}");
	free(text);
	cJSON_Delete(p);
	assert_int_equal(http(&e, "DELETE", NULL, "/artifacts_retention_policies/" SEED_PROJECT_API, NULL), 404);
	down(&e);
}

static void test_wrong_token_is_401_and_unknown_resources_are_404(void **state)
{
	(void)state;
	env e;
	up(&e);
	assert_int_equal(http(&e, "GET", NULL, "/nothing-here", NULL), 404);
	assert_int_equal(http(&e, "GET", NULL, "/deployment_targets/aaaaaaaa-0000-4000-8000-000000000009", NULL), 404);
	assert_int_equal(http(&e, "GET", NULL, "/self_hosted_agent_types/s1-nope", NULL), 404);
	cf_sem_config cfg = {.base_url = e.sb.api_url, .token = "wrong", .connect_timeout_ms = 1000,
			     .timeout_ms = 2000, .parallelism = 1, .max_attempts = 1};
	cf_sem_client *bad = NULL;
	cf_sem_client_new(&bad, &cfg, &e.err);
	cJSON *x = NULL;
	assert_int_equal(cf_sem_roles_list(&x, bad, &e.err), CF_EAUTH);
	cf_sem_client_free(bad);
	down(&e);
}

static void test_fail_every_answers_503(void **state)
{
	(void)state;
	env e;
	up_with(&e, "0", (const char *[]){"--fail-every", "2", NULL});
	assert_int_equal(http(&e, "GET", NULL, "/roles", NULL), 200);
	assert_int_equal(http(&e, "GET", NULL, "/roles", NULL), 503);
	assert_int_equal(http(&e, "GET", NULL, "/roles", NULL), 200);
	down(&e);
}

static void test_state_survives_kill_9(void **state)
{
	(void)state;
	env e;
	up_with(&e, "0", (const char *[]){"--state", "state.json", NULL});
	assert_int_equal(http(&e, "POST", "{\"name\":\"kept\"," TOK(1) "}",
			      "/deployment_targets?project_id=" SEED_PROJECT_API, NULL), 200);
	fx_sandbox_kill9(&e.sb);
	cf_sem_client_free(e.c);
	fx_write("seed.json", "{}"); /* the state file, not the seed, must be what comes back */
	fx_sandbox_start(&e.sb, (const char *[]){"--seed", "seed.json", "--state", "state.json", NULL});
	e.c = fx_client(&e.sb, 1);
	cJSON *list = NULL;
	assert_int_equal(http(&e, "GET", NULL, "/deployment_targets?project_id=" SEED_PROJECT_API, &list), 200);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(str(cJSON_GetArrayItem(list, 0), "name"), "kept");
	cJSON_Delete(list);
	down(&e);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_describe_never_show_secrets),
		cmocka_unit_test(test_include_secrets_shows_each_value_as_its_md5),
		cmocka_unit_test(test_create_needs_a_uuid_unique_token),
		cmocka_unit_test(test_a_held_unique_token_returns_that_target_unchanged),
		cmocka_unit_test(test_patch_merges_scalars_and_keeps_what_it_omits),
		cmocka_unit_test(test_patch_with_env_vars_only_empties_files),
		cmocka_unit_test(test_md5_of_the_old_value_keeps_the_old_value),
		cmocka_unit_test(test_secret_change_makes_the_target_syncing_and_refuses_mutations),
		cmocka_unit_test(test_sandbox_fail_sync_ends_unusable_with_a_message),
		cmocka_unit_test(test_active_changes_only_through_activate_and_deactivate),
		cmocka_unit_test(test_delete_needs_a_unique_token_and_a_missing_target_is_404),
		cmocka_unit_test(test_role_rules_take_role_uuids_only),
		cmocka_unit_test(test_agent_type_name_must_start_with_s1),
		cmocka_unit_test(test_registration_token_is_only_in_the_create_answer),
		cmocka_unit_test(test_agent_type_patch_takes_the_name_from_the_body_and_resets_omitted_settings),
		cmocka_unit_test(test_disable_all_only_idle_keeps_busy_agents),
		cmocka_unit_test(test_retention_needs_at_least_one_rule),
		cmocka_unit_test(test_retention_ages_are_validated_and_normalised),
		cmocka_unit_test(test_retention_post_replaces_the_whole_policy),
		cmocka_unit_test(test_project_without_a_policy_reads_as_three_empty_lists),
		cmocka_unit_test(test_wrong_token_is_401_and_unknown_resources_are_404),
		cmocka_unit_test(test_fail_every_answers_503),
		cmocka_unit_test(test_state_survives_kill_9),
		cmocka_unit_test(test_a_bad_seed_file_is_a_clear_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

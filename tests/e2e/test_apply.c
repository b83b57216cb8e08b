/* ciform apply against ciform-sandbox: what apply does, and what it says. */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define EXAMPLES CIFORM_SOURCE_DIR "/specs-examples/semaphore"
#define EXAMPLE_SECRETS "WEB_APP_DEPLOY_TOKEN=example-web-token-1f2e", "PAYMENTS_API_KEY=example-pay-key-3d4c"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = cf_xcalloc(1 << 20, 1);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void up_examples(e2e *e)
{
	char *seed = read_file(EXAMPLES "/sandbox-seed.json");
	e2e_up(e, seed, NULL, ARGS(EXAMPLE_SECRETS));
	free(seed);
}

static void test_examples_apply_and_the_second_plan_is_empty(void **state)
{
	(void)state;
	e2e e;
	up_examples(&e);
	char *sandbox_id = e2e_target_id(&e, "6a1d6f0e-4c8b-4a52-9d3e-0b7f2c1a9e02", "sandbox");
	char *sandbox_path = cf_xasprintf("/deployment_targets/%s", sandbox_id);
	cJSON *before = e2e_get(&e, sandbox_path);
	fx_result r = cf(&e, ARGS("apply", EXAMPLES, "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Plan: 10 to create, 9 to update, 0 to delete, 0 to activate, 1 to deactivate.\n"));
	assert_true(fx_contains(r.out, "\nApply complete: 20 changes applied.\n"));
	fx_result_free(&r);
	/* the rules the spec of payments-api/sandbox leaves out are as they were */
	cJSON *after = e2e_get(&e, sandbox_path);
	assert_true(cJSON_Compare(cJSON_GetObjectItem(before, "subject_rules"), cJSON_GetObjectItem(after, "subject_rules"), 1));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(after, "description")), "Payments sandbox for partners");
	cJSON_Delete(before);
	cJSON_Delete(after);
	free(sandbox_path);
	free(sandbox_id);
	/* the file kept with an [md5] placeholder still holds its old content */
	char *prod_id = e2e_target_id(&e, "6a1d6f0e-4c8b-4a52-9d3e-0b7f2c1a9e01", "production");
	char *prod_path = cf_xasprintf("/deployment_targets/%s?include_secrets=true", prod_id);
	cJSON *prod = e2e_get(&e, prod_path);
	const cJSON *f, *kept = NULL;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(prod, "files"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(f, "path")), "/etc/app/feature-flags.conf"))
			kept = f;
	assert_non_null(kept);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(kept, "content")), "fd608653571bbe86f8a27d1bb4334794");
	cJSON_Delete(prod);
	free(prod_path);
	free(prod_id);
	r = cf(&e, ARGS("plan", EXAMPLES));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Unchanged: 19 resources.\nNo changes. Live state matches the specs.\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("drift", EXAMPLES));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_apply_without_yes_off_a_terminal_is_refused_and_changes_nothing(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("apply"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: refusing to apply without --yes: standard input is not a terminal\n");
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "prod");
	assert_string_equal(id, "");
	free(id);
	e2e_down(&e);
}

static void test_an_update_of_env_vars_keeps_the_files(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": [{\"name\": \"A\", \"value\": \"a\"}],"
		       "\"files\": [{\"path\": \"/f\", \"content\": \"aGVsbG8K\"}]}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars: [{name: A, value: changed}]\n"
		 "  files: [{path: /f, content: aGVsbG8K}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_target_created_inactive_is_deactivated_after_its_sync(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "cold") "spec:\n  active: false\n  env_vars: [{name: A, value: a}]\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "DeploymentTarget/web/cold: create done\n"
				       "DeploymentTarget/web/cold: deactivate...\n"
				       "DeploymentTarget/web/cold: deactivate done\n"));
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "cold");
	char path[128];
	snprintf(path, sizeof(path), "/deployment_targets/%s", id);
	cJSON *t = e2e_get(&e, path);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(t, "active")));
	cJSON_Delete(t);
	free(id);
	e2e_down(&e);
}

static void test_delete_activate_and_retention_are_applied(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"old\"}, {\"project\": \"web\", \"name\": \"off\", \"active\": false}",
		       "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "old") "  ensure: absent\n---\n" TARGET_DOC("web", "off") "spec: {active: true}\n"
		 "---\napiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: api}\n"
		 "spec: {job_level_retention_policies: [{selector: /a, age: 7 days}]}\n");
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Apply complete: 3 changes applied."));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "Unchanged: 3 resources.\nNo changes."));
	fx_result_free(&r);
	cJSON *p = e2e_get(&e, "/artifacts_retention_policies/" P_API);
	char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(p, "job_level_retention_policies"));
	assert_string_equal(text, "[{\"selector\":\"/a\",\"age\":\"1 week\"}]");
	free(text);
	cJSON_Delete(p);
	e2e_down(&e);
}

#define AGENTS(busy) "{\"name\": \"s1-old\", \"agents\": [{\"name\": \"x\", \"busy\": " busy "}]}"
#define ABSENT_AGENT "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-old, ensure: absent}\n"

static void test_an_agent_type_is_deleted_once_its_idle_agents_are_disabled(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", AGENTS("false"), ""), NULL);
	fx_write("a.yaml", ABSENT_AGENT);
	fx_result r = cf(&e, ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	cJSON *a = e2e_get(&e, "/self_hosted_agent_types/s1-old");
	assert_null(a);
	e2e_down(&e);
}

static void test_an_agent_type_with_busy_agents_fails_clearly_after_the_wait(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", AGENTS("true"), ""), NULL);
	fx_write("a.yaml", ABSENT_AGENT);
	fx_result r = cf(&e, ARGS("apply", "--yes", "--wait-timeout", "1"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: SelfHostedAgentType/s1-old: 1 agent is still busy after the wait "
				   "timeout; not deleted\nFailed (1):\n  SelfHostedAgentType/s1-old (delete)\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_registration_tokens_go_to_private_files_and_nowhere_else(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("specs/a.yaml", "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-new}\n");
	fx_result r = cf(&e, ARGS("apply", "specs", "--yes", "--registration-token-dir", "tokens/dir"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "SelfHostedAgentType/s1-new: registration token written to tokens/dir/s1-new.token\n"));
	struct stat d, f;
	assert_int_equal(stat("tokens/dir", &d), 0);
	assert_int_equal(stat("tokens/dir/s1-new.token", &f), 0);
	assert_int_equal(d.st_mode & 0777, 0700);
	assert_int_equal(f.st_mode & 0777, 0600);
	char *token = read_file("tokens/dir/s1-new.token");
	token[strcspn(token, "\n")] = '\0';
	assert_int_equal(strlen(token), 128);
	assert_false(fx_contains(r.out, token));
	assert_false(fx_contains(r.err, token));
	free(token);
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_failure_stops_the_apply_and_says_what_was_and_was_not_applied(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b")
		 "spec: {env_vars: [{name: SANDBOX_FAIL_SYNC, value: \"1\"}]}\n---\n" TARGET_DOC("web", "c"));
	fx_result r = cf(&e, ARGS("apply", "--yes", "--parallelism", "1")); /* one at a time */
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: DeploymentTarget/web/b: the target is UNUSABLE: secrets could not "
				   "be synced (SANDBOX_FAIL_SYNC is set)\n"
				   "Applied (1):\n  DeploymentTarget/web/a (create)\n"
				   "Failed (1):\n  DeploymentTarget/web/b (create)\n"
				   "Not applied (1):\n  DeploymentTarget/web/c (create)\n");
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "c");
	assert_string_equal(id, ""); /* nothing was started after the failure */
	free(id);
	e2e_down(&e);
}

static void test_a_saved_plan_applies_while_nothing_changed(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("plan", "--out", "plan.json"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("apply", "--plan", "plan.json", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "Apply complete: 1 change applied."));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_saved_plan_is_refused_once_the_specs_changed(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = cf(&e, ARGS("plan", "--out", "plan.json"));
	fx_result_free(&r);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  url: https://changed\n");
	r = cf(&e, ARGS("apply", "--plan", "plan.json", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: the saved plan is stale: the specs changed since it was made "
				   "(run ciform plan --out again)\n");
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "prod");
	assert_string_equal(id, "");
	free(id);
	e2e_down(&e);
}

static void test_a_saved_plan_is_refused_once_the_live_state_changed(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"url\": \"a\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  url: b\n");
	fx_result r = cf(&e, ARGS("plan", "--out", "plan.json"));
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "prod");
	char *path = cf_xasprintf("/deployment_targets/%s", id);
	cf_error err = {0};
	cJSON *out = NULL;
	assert_int_equal(cf_http_request(&out, e.api, "PATCH", 0, "{\"url\":\"someone else\","
				    "\"unique_token\":\"0d000000-0000-4000-8000-000000000001\"}", path, &err), 0);
	cJSON_Delete(out);
	r = cf(&e, ARGS("apply", "--plan", "plan.json", "--yes"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: the saved plan is stale: the live state changed since it was made "
				   "(run ciform plan --out again)\n");
	fx_result_free(&r);
	free(path);
	free(id);
	e2e_down(&e);
}

/* Every secret the examples hold, and the token: none may show anywhere. */
static void assert_no_secret(const char *text)
{
	static const char *const secrets[] = {"example-web-token-1f2e", "example-pay-key-3d4c",
		"not-a-real-signing-key-web-app", "example-db-password", "example-placeholder",
		"ZmxhZ3M9ZGFyay1tb2RlLG5ldy1jaGVja291dAo=", "an-old-token", TEST_TOKEN, NULL};
	for (const char *const *s = secrets; *s; s++)
		if (text && strstr(text, *s)) {
			fprintf(stderr, "secret %s found in output\n", *s);
			fail();
		}
}

static void test_no_secret_value_or_token_appears_in_any_output_or_plan_file(void **state)
{
	(void)state;
	e2e e;
	up_examples(&e);
	const char *const *const runs[] = {
		ARGS("plan", EXAMPLES), ARGS("plan", EXAMPLES, "--format", "json"),
		ARGS("plan", EXAMPLES, "--format", "markdown"), ARGS("plan", EXAMPLES, "--out", "saved.json"),
		ARGS("apply", "--plan", "saved.json", "--yes", "--registration-token-dir", "tok"),
		ARGS("drift", EXAMPLES, "--format", "json"), ARGS("export", "--project", "web-app"),
		ARGS("export", "--agent-types"), ARGS("validate", EXAMPLES),
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		fx_result r = cf(&e, runs[i]);
		assert_int_equal(r.rc, 0);
		assert_no_secret(r.out);
		assert_no_secret(r.err);
		fx_result_free(&r);
	}
	char *saved = read_file("saved.json");
	assert_non_null(saved);
	assert_no_secret(saved);
	free(saved);
	char *tok = read_file("tok/s1-aws-autoscaler.token");
	assert_non_null(tok);
	free(tok);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_apply_and_the_second_plan_is_empty),
		cmocka_unit_test(test_apply_without_yes_off_a_terminal_is_refused_and_changes_nothing),
		cmocka_unit_test(test_an_update_of_env_vars_keeps_the_files),
		cmocka_unit_test(test_a_target_created_inactive_is_deactivated_after_its_sync),
		cmocka_unit_test(test_delete_activate_and_retention_are_applied),
		cmocka_unit_test(test_an_agent_type_is_deleted_once_its_idle_agents_are_disabled),
		cmocka_unit_test(test_an_agent_type_with_busy_agents_fails_clearly_after_the_wait),
		cmocka_unit_test(test_registration_tokens_go_to_private_files_and_nowhere_else),
		cmocka_unit_test(test_a_failure_stops_the_apply_and_says_what_was_and_was_not_applied),
		cmocka_unit_test(test_a_saved_plan_applies_while_nothing_changed),
		cmocka_unit_test(test_a_saved_plan_is_refused_once_the_specs_changed),
		cmocka_unit_test(test_a_saved_plan_is_refused_once_the_live_state_changed),
		cmocka_unit_test(test_no_secret_value_or_token_appears_in_any_output_or_plan_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

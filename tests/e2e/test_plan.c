/* ciform plan and drift against ciform-sandbox: what a plan shows. */
#include "tests/e2e/scene.h"

#include <string.h>

static void test_a_new_target_is_a_create_listing_its_fields(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  url: https://prod.example.com\nspec:\n"
		 "  env_vars: [{name: TOKEN, value: literal-secret-1}]\n"
		 "  files: [{path: /etc/a.conf, content: c2VjcmV0LWZpbGU=}]\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "ciform will make these changes:\n\n"
				   "  + DeploymentTarget/web/prod (create)\n"
				   "      metadata.url: \"https://prod.example.com\"\n"
				   "      spec.env_vars.TOKEN: (sensitive) added -> \"literal-secret-1\"\n"
				   "      spec.files./etc/a.conf: (sensitive) added\n"
				   "      # spec.subject_rules: not in the spec: the server's default, anyone may deploy\n"
				   "      # spec.object_rules: not in the spec: the server's default, every branch, tag and "
				   "pull request\n\n"
				   "Unchanged: 0 resources.\n"
				   "Plan: 1 to create, 0 to update, 0 to delete, 0 to activate, 0 to deactivate.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_changed_url_shows_before_and_after(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"url\": \"https://a\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  url: https://b\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ~ DeploymentTarget/web/prod (update)\n"
				       "      metadata.url: \"https://a\" -> \"https://b\"\n"));
	assert_true(fx_contains(r.out, "Plan: 0 to create, 1 to update, 0 to delete, 0 to activate, 0 to deactivate.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_rules_compare_in_order(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"object_rules\": ["
		       "{\"type\": \"BRANCH\", \"match_mode\": \"EXACT\", \"pattern\": \"main\"},"
		       "{\"type\": \"TAG\", \"match_mode\": \"ALL\"}]}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  object_rules:\n    - {type: TAG, match_mode: ALL}\n"
		 "    - {type: BRANCH, match_mode: EXACT, pattern: main}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "      spec.object_rules:\n"
				       "        (the same rules in a new order:)\n"
				       "          {type: TAG, match_mode: ALL, pattern: \"\"}\n"
				       "          {type: BRANCH, match_mode: EXACT, pattern: main}\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_server_defaults_and_role_names_are_no_drift(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"subject_rules\": "
		       "[{\"type\": \"ROLE\", \"subject_id\": \"" R_ADMIN "\"}]}, {\"project\": \"web\", \"name\": \"dev\"}",
		       "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: Admin}]\n"
		 "---\n" TARGET_DOC("web", "dev") "spec:\n  active: true\n  bookmark_parameter1: \"\"\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_retention_ages_compare_as_durations(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", "{\"project\": \"web\", \"job_level_retention_policies\": "
		       "[{\"selector\": \"/**/*\", \"age\": \"1 week\"}, {\"selector\": \"/a\", \"age\": \"8 weeks\"}]}"), NULL);
	fx_write("r.yaml", "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: web}\n"
		 "spec:\n  job_level_retention_policies:\n    - {selector: \"/**/*\", age: 7 days}\n"
		 "    - {selector: /a, age: 8 weeks}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_changed_secrets_are_sensitive_and_never_shown(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": [{\"name\": \"A\", \"value\": \"old-secret-a\"},"
		       "{\"name\": \"GONE\", \"value\": \"old-secret-gone\"}]}", "", ""),
		   ARGS("NEW_SECRET_ENV=new-secret-from-env"));
	fx_write("secrets/b", "new-secret-from-file");
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars:\n    - {name: A, valueFrom: {env: NEW_SECRET_ENV}}\n"
		 "    - {name: B, valueFrom: {file: secrets/b}}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "      spec.env_vars.A: (sensitive) changed\n"
				       "      spec.env_vars.B: (sensitive) added\n"
				       "      spec.env_vars.GONE: (sensitive) removed\n"));
	assert_false(fx_contains(r.out, "secret-"));
	assert_false(fx_contains(r.err, "secret-"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_secrets_from_env_file_and_source_equal_to_live_are_unchanged(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": [{\"name\": \"A\", \"value\": \"va\"},"
		       "{\"name\": \"B\", \"value\": \"vb\"}, {\"name\": \"C\", \"value\": \"vc\"}],"
		       "\"files\": [{\"path\": \"/f\", \"content\": \"aGVsbG8K\"}, {\"path\": \"/g\", \"content\": \"aGVsbG8K\"}]}",
		       "", ""), ARGS("VA=va"));
	fx_write("b.txt", "vb");
	fx_write("hello.txt", "hello\n");
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars:\n    - {name: A, valueFrom: {env: VA}}\n"
		 "    - {name: B, valueFrom: {file: b.txt}}\n    - {name: C, value: vc}\n"
		 "  files:\n    - {path: /f, source: hello.txt}\n    - {path: /g, content: aGVsbG8K}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_md5_placeholder_keeps_the_live_value(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"env_vars\": [{\"name\": \"L\", \"value\": \"x\"}]}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars: [{name: L, value: \"9dd4e461268c8034f5c8564e155c67a6 [md5]\"}]\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 0);
	assert_true(fx_contains(r.out, "No changes."));
	fx_result_free(&r);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  env_vars: [{name: L, value: \"00000000000000000000000000000000 [md5]\"}]\n");
	r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "t.yaml:7:31: spec.env_vars.L: the [md5] placeholder keeps a live value, but "
				   "the live target has a value with a different MD5\n"
				   "ciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_activation_follows_spec_active(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"on\"}, {\"project\": \"web\", \"name\": \"off\", \"active\": false}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "on") "spec: {active: false}\n---\n" TARGET_DOC("web", "off") "spec: {active: true}\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  ~ DeploymentTarget/web/off (activate)\n  ~ DeploymentTarget/web/on (deactivate)\n"));
	assert_true(fx_contains(r.out, "Plan: 0 to create, 0 to update, 0 to delete, 1 to activate, 1 to deactivate.\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_ensure_absent_deletes_what_is_live_and_ignores_what_is_not(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"old\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "old") "  ensure: absent\n---\n" TARGET_DOC("web", "never") "  ensure: absent\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_true(fx_contains(r.out, "  - DeploymentTarget/web/old (delete)\n"));
	assert_true(fx_contains(r.out, "Unchanged: 1 resource.\nPlan: 0 to create, 0 to update, 1 to delete"));
	fx_result_free(&r);
	e2e_down(&e);
}

#define SCOPE_ORG ORG("{\"project\": \"web\", \"name\": \"kept\"}, {\"project\": \"web\", \"name\": \"stray\"}," \
		      "{\"project\": \"other\", \"name\": \"elsewhere\"}",                                        \
		      "{\"name\": \"s1-kept\"}, {\"name\": \"s1-stray\"}", "")
#define SCOPE_SPECS TARGET_DOC("web", "kept") "---\napiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-kept}\n"

static void test_unmanaged_resources_in_scope_are_listed_not_deleted(void **state)
{
	(void)state;
	e2e e;
	up(&e, SCOPE_ORG, NULL);
	fx_write("t.yaml", SCOPE_SPECS);
	fx_result r = cf(&e, ARGS("plan"));
	assert_string_equal(r.out, "Unmanaged: live, in scope, and in no spec (--prune deletes them):\n"
				   "  ? SelfHostedAgentType/s1-stray\n  ? DeploymentTarget/web/stray\n\n"
				   "Unchanged: 2 resources.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_prune_deletes_unmanaged_in_scope_and_never_other_projects(void **state)
{
	(void)state;
	e2e e;
	up(&e, SCOPE_ORG, NULL);
	fx_write("t.yaml", SCOPE_SPECS);
	fx_result r = cf(&e, ARGS("plan", "--prune"));
	assert_string_equal(r.out, "ciform will make these changes:\n\n"
				   "  - DeploymentTarget/web/stray (delete)\n"
				   "  - SelfHostedAgentType/s1-stray (delete)\n\n"
				   "Unchanged: 2 resources.\n"
				   "Plan: 0 to create, 0 to update, 2 to delete, 0 to activate, 0 to deactivate.\n");
	assert_false(fx_contains(r.out, "elsewhere"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_target_option_limits_the_plan_to_that_address(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b"));
	fx_result r = cf(&e, ARGS("plan", "--target", "DeploymentTarget/web/b"));
	assert_true(fx_contains(r.out, "  + DeploymentTarget/web/b (create)\n"));
	assert_false(fx_contains(r.out, "DeploymentTarget/web/a"));
	assert_true(fx_contains(r.out, "Plan: 1 to create,"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_detailed_exitcode_and_drift_exit_2_only_on_changes(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a"));
	fx_result r = cf(&e, ARGS("plan", "--detailed-exitcode"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	r = cf(&e, ARGS("drift"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	fx_write("t.yaml", TARGET_DOC("web", "a") "  url: https://changed\n");
	r = cf(&e, ARGS("plan", "--detailed-exitcode"));
	assert_int_equal(r.rc, 2);
	fx_result_free(&r);
	r = cf(&e, ARGS("drift", "--format", "json"));
	assert_int_equal(r.rc, 2);
	assert_true(fx_contains(r.out, "\"summary\":{\"create\":0,\"update\":1,\"delete\":0,\"activate\":0,"
				       "\"deactivate\":0,\"unchanged\":0}"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 0); /* plain plan: changes are not an error */
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_json_plan_is_the_contract_shape(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"prod\", \"id\": \"0c000000-0000-4000-8000-000000000001\","
		       " \"url\": \"a\", \"env_vars\": [{\"name\": \"T\", \"value\": \"old\"}]},"
		       "{\"project\": \"web\", \"name\": \"old\", \"id\": \"0c000000-0000-4000-8000-000000000002\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "  url: b\nspec:\n  env_vars: [{name: T, value: new}]\n");
	fx_result r = cf(&e, ARGS("plan", "--format", "json", "."));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out,
		"{\"format_version\":\"1\",\"source\":{\"paths\":[\".\"],\"git_commit\":null},"
		"\"changes\":[{\"action\":\"update\",\"kind\":\"DeploymentTarget\",\"address\":\"DeploymentTarget/web/prod\","
		"\"id\":\"0c000000-0000-4000-8000-000000000001\",\"project_id\":\"" P_WEB "\",\"name\":\"prod\","
		"\"fields\":[{\"path\":\"metadata.url\",\"before\":\"a\",\"after\":\"b\",\"sensitive\":false},"
		"{\"path\":\"spec.env_vars.T\",\"change\":\"changed\",\"after\":\"new\",\"sensitive\":true}]}],"
		"\"unmanaged\":[{\"kind\":\"DeploymentTarget\",\"address\":\"DeploymentTarget/web/old\","
		"\"id\":\"0c000000-0000-4000-8000-000000000002\"}],\"unverifiable\":[],"
		"\"summary\":{\"create\":0,\"update\":1,\"delete\":0,\"activate\":0,\"deactivate\":0,\"unchanged\":0}}\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_markdown_plan_is_capped_at_60000_characters(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	char *specs = cf_xstrdup("");
	for (int i = 0; i < 400; i++) {
		char *next = cf_xasprintf("%s---\n" TARGET_DOC("web", "t%03d") "  description: a target with a long "
					  "description so that the plan grows quickly %d\n", specs, i, i);
		free(specs);
		specs = next;
	}
	fx_write("t.yaml", specs);
	free(specs);
	fx_result r = cf(&e, ARGS("plan", "--format", "markdown"));
	assert_int_equal(r.rc, 0);
	assert_true(strlen(r.out) <= 60000);
	assert_true(fx_contains(r.out, "| create | 400 |"));
	assert_true(fx_contains(r.out, "more changes are not shown: the plan is longer than a comment can hold."));
	assert_true(fx_contains(r.out, "**Plan: 400 to create, 0 to update, 0 to delete, 0 to activate, 0 to deactivate.**\n"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_project_that_does_not_exist_is_an_error_at_the_manifest(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("nope", "prod"));
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "t.yaml:5:12: metadata.project: project 'nope' does not exist in the organisation\n"
				   "ciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_role_id_that_does_not_exist_is_an_error_at_the_manifest(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod") "spec:\n  subject_rules: [{type: ROLE, subject_id: "
		 "0b000000-0000-4000-8000-0000000000ff}]\n");
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "t.yaml:7:44: spec.subject_rules[0].subject_id: no role has the id "
				   "'0b000000-0000-4000-8000-0000000000ff'\n"
				   "ciform: error: 1 problem in the specs\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_refused_token_exits_1_without_showing_it(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	e.env[1] = "SEMAPHORE_API_TOKEN=wrong-token-77";
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: GET /projects?page=1: HTTP 401: Unauthorized: the API token was "
				   "refused, or it lacks permission for this (check SEMAPHORE_API_TOKEN, --token-file or "
				   "~/.sem.yaml, and the token owner's role)\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_plain_http_to_a_remote_host_is_refused(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	e.env[0] = "SEMAPHORE_ORG_URL=http://acme.semaphoreci.com";
	fx_result r = cf(&e, ARGS("plan"));
	assert_int_equal(r.rc, 1);
	assert_string_equal(r.err, "ciform: error: 'http://acme.semaphoreci.com': the organisation URL must use "
				   "https (plain http only for 127.0.0.1, ::1 or localhost)\n");
	fx_result_free(&r);
	e2e_down(&e);
}

/* Runs ciform on a pseudo-terminal through script(1), as a person would. */
static fx_result on_terminal(e2e *e, const char *input, const char *command)
{
	char *cmd = cf_xasprintf("%s%s%s script -qec '%s %s' /dev/null", input ? "printf '" : "",
				 input ? input : "", input ? "' |" : "", CIFORM_BIN, command);
	fx_result r;
	r.rc = fx_run(ARGS("/bin/sh", "-c", cmd), e->env, NULL, &r.out, &r.err);
	free(cmd);
	return r;
}

static void test_colour_only_on_a_terminal_and_never_when_asked_not_to(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = on_terminal(&e, NULL, "plan");
	assert_true(fx_contains(r.out, "\033[32m+ DeploymentTarget/web/prod\033[0m (create)"));
	fx_result_free(&r);
	r = on_terminal(&e, NULL, "plan --no-color");
	assert_true(fx_contains(r.out, "  + DeploymentTarget/web/prod (create)"));
	assert_false(fx_contains(r.out, "\033["));
	fx_result_free(&r);
	e.env[3] = "NO_COLOR=1"; /* after the connection and state entries */
	e.env[4] = NULL;
	r = on_terminal(&e, NULL, "plan");
	assert_false(fx_contains(r.out, "\033["));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan")); /* a pipe is no terminal */
	assert_false(fx_contains(r.out, "\033["));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_reading_on_a_terminal_counts_the_answers_on_stderr(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("{\"project\": \"web\", \"name\": \"a\"}, {\"project\": \"web\", \"name\": \"b\"}", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "a") "---\n" TARGET_DOC("web", "b"));
	/* project page, the target list, two secret reads (no role rule: no role read) */
	fx_result r = on_terminal(&e, NULL, "plan --no-color");
	assert_true(fx_contains(r.out, "\rciform: reading the live state: 4 answers\r\n"));
	fx_result_free(&r);
	r = cf(&e, ARGS("plan")); /* not a terminal: nothing */
	assert_false(fx_contains(r.err, "reading"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_apply_on_a_terminal_asks_and_only_yes_goes_ahead(void **state)
{
	(void)state;
	e2e e;
	up(&e, ORG("", "", ""), NULL);
	fx_write("t.yaml", TARGET_DOC("web", "prod"));
	fx_result r = on_terminal(&e, "no\\n", "apply --no-color");
	assert_true(fx_contains(r.out, "Apply 1 change (1 create) to "));
	assert_true(fx_contains(r.out, "? Only 'yes' goes ahead: "));
	assert_true(fx_contains(r.out, "ciform: error: apply cancelled: nothing was changed"));
	fx_result_free(&r);
	char *id = e2e_target_id(&e, P_WEB, "prod");
	assert_string_equal(id, "");
	free(id);
	r = on_terminal(&e, "yes\\n", "apply --no-color");
	assert_true(fx_contains(r.out, "Apply complete: 1 change applied."));
	fx_result_free(&r);
	id = e2e_target_id(&e, P_WEB, "prod");
	assert_int_equal(strlen(id), 36);
	free(id);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_new_target_is_a_create_listing_its_fields),
		cmocka_unit_test(test_a_changed_url_shows_before_and_after),
		cmocka_unit_test(test_rules_compare_in_order),
		cmocka_unit_test(test_server_defaults_and_role_names_are_no_drift),
		cmocka_unit_test(test_retention_ages_compare_as_durations),
		cmocka_unit_test(test_changed_secrets_are_sensitive_and_never_shown),
		cmocka_unit_test(test_secrets_from_env_file_and_source_equal_to_live_are_unchanged),
		cmocka_unit_test(test_md5_placeholder_keeps_the_live_value),
		cmocka_unit_test(test_activation_follows_spec_active),
		cmocka_unit_test(test_ensure_absent_deletes_what_is_live_and_ignores_what_is_not),
		cmocka_unit_test(test_unmanaged_resources_in_scope_are_listed_not_deleted),
		cmocka_unit_test(test_prune_deletes_unmanaged_in_scope_and_never_other_projects),
		cmocka_unit_test(test_target_option_limits_the_plan_to_that_address),
		cmocka_unit_test(test_detailed_exitcode_and_drift_exit_2_only_on_changes),
		cmocka_unit_test(test_json_plan_is_the_contract_shape),
		cmocka_unit_test(test_markdown_plan_is_capped_at_60000_characters),
		cmocka_unit_test(test_a_project_that_does_not_exist_is_an_error_at_the_manifest),
		cmocka_unit_test(test_a_role_id_that_does_not_exist_is_an_error_at_the_manifest),
		cmocka_unit_test(test_a_refused_token_exits_1_without_showing_it),
		cmocka_unit_test(test_plain_http_to_a_remote_host_is_refused),
		cmocka_unit_test(test_colour_only_on_a_terminal_and_never_when_asked_not_to),
		cmocka_unit_test(test_apply_on_a_terminal_asks_and_only_yes_goes_ahead),
		cmocka_unit_test(test_reading_on_a_terminal_counts_the_answers_on_stderr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

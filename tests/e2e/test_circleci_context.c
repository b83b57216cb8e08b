/*
 * The CircleCI Context kind end to end, against ciform-sandbox --api
 * circleci: validate's positions, plan with secrets masked, the exact
 * requests apply sends, convergence, drift by value tails, unmanaged
 * contexts and variables pruned, restrictions kept exact, a create whose
 * context already exists (a run killed after its POST), the fault modes, a
 * mixed Semaphore and CircleCI repository, and export round-tripping.
 */
#include "tests/e2e/test_circleci.h"
#include "reconciler/export.h"
#include "reconciler/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTX_ID "cccccccc-0000-4000-8000-000000000001"

#define SEED(contexts)                                                                                        \
	"{\"circleci\": {\"collaborations\": [{\"id\": \"" ORG_ID "\", \"name\": \"acme\", \"slug\": \"gh/acme\"," \
	" \"vcs_type\": \"github\"}], \"projects\": [{\"id\": \"" WEB_ID "\", \"slug\": \"gh/acme/web\", \"name\":" \
	" \"web\", \"organization_id\": \"" ORG_ID "\"}], \"contexts\": [" contexts "]}}"

#define LIVE_CTX(name, env, restrictions)                                                               \
	"{\"id\": \"" CTX_ID "\", \"name\": \"" name "\", \"owner_id\": \"" ORG_ID "\", \"env\": [" env "], " \
	"\"restrictions\": [" restrictions "]}"

#define DOC(name) "apiVersion: circleci/v1\nkind: Context\nmetadata: {organization: gh/acme, name: " name "}\n"

static void test_a_restriction_with_two_kinds_is_refused_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("deploy") "spec:\n  restrictions:\n    - {project: gh/acme/web, expression: x}\n",
		       "c.yaml:6:7: spec.restrictions[0]: give exactly one of project, projectId and expression");
}

static void test_a_variable_with_a_value_and_keep_live_is_refused(void **state)
{
	(void)state;
	assert_problem(DOC("deploy") "spec:\n  envVars:\n    - {name: A, value: x, keepLive: true}\n",
		       "c.yaml:6:7: spec.envVars[0]: give exactly one of value, valueFrom and keepLive: true");
}

static void test_a_bad_variable_name_a_duplicate_and_an_empty_value_are_refused(void **state)
{
	(void)state;
	assert_problem(DOC("deploy") "spec:\n  envVars:\n    - {name: 1A, value: x}\n",
		       "c.yaml:6:14: spec.envVars[0].name: must be a letter, then letters, digits and underscores");
	assert_problem(DOC("deploy") "spec:\n  envVars:\n    - {name: A, value: x}\n    - {name: A, value: y}\n",
		       "c.yaml:7:14: spec.envVars[1].name: A is listed twice");
	assert_problem(DOC("deploy") "spec:\n  envVars:\n    - {name: A, value: ''}\n",
		       "c.yaml:6:24: spec.envVars[0].value: the value is empty");
}

static void test_an_organization_that_is_no_slug_is_refused(void **state)
{
	(void)state;
	assert_problem("apiVersion: circleci/v1\nkind: Context\nmetadata: {organization: acme, name: d}\n",
		       "c.yaml:3:26: metadata.organization: 'acme' is neither an organization slug");
}

/* github/acme is gh/acme: one organisation, so one address. */
static void test_a_second_context_written_with_the_github_alias_is_a_duplicate_at_its_position(void **state)
{
	(void)state;
	assert_problem(DOC("dup") "spec: {}\n---\napiVersion: circleci/v1\nkind: Context\n"
				  "metadata: {organization: github/acme, name: dup}\nspec: {}\n",
		       "c.yaml:6:1: duplicate address Context/gh/acme/dup: also defined at c.yaml:1:1\n");
}

/* Manifests writing the organisation both ways share the normalised
 * addresses, live ones included: each context is listed once. */
static void test_contexts_written_with_the_github_alias_converge_and_prune_lists_each_once(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED("{\"id\": \"dddddddd-0000-4000-8000-000000000001\", \"name\": \"stale\", \"owner_id\": \""
			ORG_ID "\"}"), NULL);
	fx_write("c.yaml", "apiVersion: circleci/v1\nkind: Context\nmetadata: {organization: github/acme, name: dup}\n"
		 "spec:\n  envVars:\n    - {name: REGION, value: eu-west-1}\n---\n" DOC("keep") "spec: {}\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + Context/gh/acme/dup (create)\n");
	fx_result_free(&r);
	r = run(ARGS("plan", "--prune"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  - Context/gh/acme/stale (delete)\n");
	expect_in(r.out, "Plan: 0 to create, 0 to update, 1 to delete");
	assert_int_equal(fx_count(r.out, "stale"), 1);
	assert_false(fx_contains(r.out, "github/"));
	fx_result_free(&r);
	r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_create_masks_secrets_sends_restrictions_before_variables_and_converges(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), NULL);
	fx_write("c.yaml", DOC("deploy-prod") "spec:\n  restrictions:\n    - {project: gh/acme/web}\n"
		 "  envVars:\n    - {name: REGION, value: eu-west-1}\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + Context/gh/acme/deploy-prod (create)\n      spec.restrictions:\n"
				       "        + \"project:gh/acme/web\"\n"
				       "      spec.envVars.REGION: (sensitive) added -> \"eu-west-1\"\n" /* plain in git */
				       "      spec.envVars.SECRET: (sensitive) added\n");
	assert_false(fx_contains(r.out, "s3cr3t"));
	assert_false(fx_contains(r.err, "s3cr3t"));
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	assert_false(fx_contains(r.out, "s3cr3t"));
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/context"), *puts_ = requests("PUT", "/api/v2/context/");
	expect_in(posts, "POST /api/v2/context {\"name\":\"deploy-prod\",\"owner\":{\"id\":\"" ORG_ID
				"\",\"type\":\"organization\"}}\n");
	expect_in(posts, "/restrictions {\"restriction_type\":\"project\",\"restriction_value\":\""
				WEB_ID "\"}\n");
	expect_in(puts_, "/environment-variable/REGION {\"value\":\"eu-west-1\"}\n");
	expect_in(puts_, "/environment-variable/SECRET {\"value\":\"s3cr3t-value\"}\n");
	free(posts);
	free(puts_);
	r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "No changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_value_whose_tail_differs_is_drift_and_is_rewritten(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "{\"variable\": \"SECRET\", \"value\": \"old-value-9999\"}", "")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 2);
	expect_in(r.out, "  ~ Context/gh/acme/deploy (update)\n      spec.envVars.SECRET: (sensitive) changed\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *puts_ = requests("PUT", "/api/v2/context/");
	assert_string_equal(puts_, "PUT /api/v2/context/" CTX_ID "/environment-variable/SECRET {\"value\":\"s3cr3t-value\"}\n");
	free(puts_);
	e2e_down(&e);
}

static void test_the_json_plan_says_a_variable_was_compared_by_its_tail(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "{\"variable\": \"SECRET\", \"value\": \"old-value-9999\"}", "")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("plan", "--format", "json"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "{\"path\":\"spec.envVars.SECRET\",\"change\":\"changed\",\"comparison\":\"tail\","
			 "\"sensitive\":true}");
	assert_false(fx_contains(r.out, "s3cr3t"));
	assert_false(fx_contains(r.out, "9999"));
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_value_with_the_same_tail_is_not_drift_but_listed_unverified(void **state)
{
	(void)state;
	e2e e;
	/* "other-value" and "s3cr3t-value" both end in "alue": the API cannot tell them apart */
	cci_up(&e, SEED(LIVE_CTX("deploy", "{\"variable\": \"SECRET\", \"value\": \"other-value\"}", "")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  ~ Context/gh/acme/deploy: 1 write-only value could not be compared (the API shows only "
			 "the last characters): SECRET\n");
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_rewrite_write_only_and_circleci_host_rewrite_a_value_whose_tail_matches(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "{\"variable\": \"SECRET\", \"value\": \"other-value\"}", "")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  envVars:\n    - {name: SECRET, valueFrom: {env: PROD_SECRET}}\n");
	/* the host from --circleci-host this time, not CIRCLECI_HOST */
	const char *env[] = {"CIRCLECI_TOKEN=" TEST_TOKEN, "PROD_SECRET=s3cr3t-value", "CIRCLECI_HOST", NULL};
	fx_result r = fx_ciform(ARGS("apply", "--yes", "--rewrite-write-only", "--circleci-host",
				     host_env + strlen("CIRCLECI_HOST=")), env, NULL);
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "spec.envVars.SECRET: (sensitive) changed");
	fx_result_free(&r);
	char *puts_ = requests("PUT", "/api/v2/context/");
	assert_string_equal(puts_, "PUT /api/v2/context/" CTX_ID "/environment-variable/SECRET {\"value\":\"s3cr3t-value\"}\n");
	free(puts_);
	e2e_down(&e);
}

static void test_unlisted_variables_and_contexts_are_unmanaged_and_pruned_only_with_prune(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "{\"variable\": \"OLD\", \"value\": \"x1\"}", "") ", {\"id\": "
			"\"dddddddd-0000-4000-8000-000000000001\", \"name\": \"stale\", \"owner_id\": \"" ORG_ID "\"}"),
	       NULL);
	fx_write("c.yaml", DOC("deploy") "spec: {}\n");
	fx_result r = run(ARGS("plan"));
	expect_in(r.out, "  ? Context/gh/acme/deploy#OLD\n");
	expect_in(r.out, "  ? Context/gh/acme/stale\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes", "--prune"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *dels = requests("DELETE", "/api/v2/context/");
	expect_in(dels, "DELETE /api/v2/context/" CTX_ID "/environment-variable/OLD null\n");
	expect_in(dels, "DELETE /api/v2/context/dddddddd-0000-4000-8000-000000000001 null\n");
	free(dels);
	r = run(ARGS("plan"));
	expect_in(r.out, "No changes.");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_restriction_the_spec_drops_is_deleted_without_prune(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "", "{\"id\": \"eeeeeeee-0000-4000-8000-000000000001\", \"restriction_type\":"
			" \"expression\", \"restriction_value\": \"true\"}")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  restrictions: [{project: gh/acme/web}]\n");
	fx_result r = run(ARGS("drift"));
	assert_int_equal(r.rc, 2);
	expect_in(r.out, "        - \"expression:true\"\n        + \"project:gh/acme/web\"\n");
	fx_result_free(&r);
	r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *dels = requests("DELETE", "/api/v2/context/");
	assert_string_equal(dels, "DELETE /api/v2/context/" CTX_ID "/restrictions/eeeeeeee-0000-4000-8000-000000000001 null\n");
	free(dels);
	e2e_down(&e);
}

static void test_a_context_left_by_a_killed_run_is_found_by_name_and_completed(void **state)
{
	(void)state;
	e2e e;
	/* a run killed after POST /context: the context exists, nothing else */
	cci_up(&e, SEED(LIVE_CTX("deploy", "", "")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  restrictions: [{project: gh/acme/web}]\n"
		 "  envVars: [{name: REGION, value: eu-west-1}]\n");
	fx_result r = run(ARGS("apply", "--yes"));
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	char *posts = requests("POST", "/api/v2/context");
	assert_string_equal(posts, "POST /api/v2/context/" CTX_ID "/restrictions {\"restriction_type\":\"project\","
			    "\"restriction_value\":\"" WEB_ID "\"}\n");
	free(posts);
	e2e_down(&e);
}

static void test_under_failing_requests_apply_converges_without_duplicates(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(""), ARGS("--fail-every", "3"));
	fx_write("c.yaml", DOC("deploy") "spec:\n  restrictions: [{expression: 'true'}, {project: gh/acme/web}]\n"
		 "  envVars: [{name: A, value: aaaa1}, {name: B, value: bbbb2}]\n");
	fx_result r = {0};
	for (int i = 0; i < 6; i++) {
		fx_result_free(&r);
		r = run(ARGS("apply", "--yes"));
		if (r.rc == 0 && fx_contains(r.out, "No changes"))
			break;
	}
	assert_int_equal(r.rc, 0);
	fx_result_free(&r);
	/* every 503 POST was re-read, not resent: no second context, no doubled
	 * restriction (the plan would show it), no unmanaged leftovers */
	r = run(ARGS("plan"));
	expect_in(r.out, "  ~ Context/gh/acme/deploy: 2 write-only values could not be compared (the API shows only "
			 "the last characters): A, B\n\nUnchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_keep_live_variable_that_is_not_live_is_a_plan_error(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "", "")), NULL);
	fx_write("c.yaml", DOC("deploy") "spec:\n  envVars: [{name: LEGACY, keepLive: true}]\n");
	fx_result r = run(ARGS("plan"));
	assert_int_equal(r.rc, 1);
	expect_in(r.err, "c.yaml:5:13: spec.envVars.LEGACY: the entry keeps the live value, but "
			 "Context/gh/acme/deploy has no such entry live\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_an_exported_context_plans_unchanged(void **state)
{
	(void)state;
	e2e e;
	cci_up(&e, SEED(LIVE_CTX("deploy", "{\"variable\": \"SECRET\", \"value\": \"abc12345\"}",
				 "{\"id\": \"eeeeeeee-0000-4000-8000-000000000001\", \"restriction_type\": \"project\","
				 " \"restriction_value\": \"" WEB_ID "\"}")), NULL);
	setenv("CIRCLECI_HOST", e.sb.url, 1);
	setenv("CIRCLECI_TOKEN", TEST_TOKEN, 1);
	const cf_provider *p = cf_provider_named("circleci");
	assert_non_null(p);
	cf_conn *conn = NULL;
	cf_error err = {0};
	cf_conn_settings s = {0};
	assert_int_equal(p->connect(&conn, &s, NULL, &err), CF_OK);
	const char *const refs[] = {"gh/acme"};
	cf_export_scope scope = {.projects = refs, .nprojects = 1};
	cf_export ex = {0};
	assert_int_equal(p->export(&ex, conn, &scope, &err), CF_OK);
	char *stream = NULL;
	assert_int_equal(cf_export_write(&stream, &ex, "org", false, &err), CF_OK);
	assert_int_equal(cf_export_write(&stream, &ex, NULL, false, &err), CF_OK);
	expect_in(stream, "  envVars:\n  - name: SECRET\n    keepLive: true\n");
	expect_in(stream, "  restrictions:\n  - projectId: " WEB_ID "\n");
	free(stream);
	cf_export_clear(&ex);
	cf_conn_close(conn);
	unsetenv("CIRCLECI_HOST");
	unsetenv("CIRCLECI_TOKEN");
	fx_result r = run(ARGS("plan", "org"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "Unchanged: 1 resource.\nNo changes. Live state matches the specs.\n");
	fx_result_free(&r);
	e2e_down(&e);
}

static void test_a_mixed_repository_plans_both_and_a_semaphore_only_run_needs_no_circleci_token(void **state)
{
	(void)state;
	e2e e;
	e2e_up(&e, "{\"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"}]}", NULL, NULL);
	fx_write("cci-seed.json", SEED(""));
	fx_sandbox cci;
	fx_sandbox_start(&cci, ARGS("--api", "circleci", "--seed", "cci-seed.json"));
	snprintf(host_env, sizeof(host_env), "CIRCLECI_HOST=%s", cci.url);
	fx_write("sem/d.yaml", "apiVersion: v1alpha\nkind: Dashboard\nmetadata:\n  name: team\nspec: {widgets: []}\n");
	fx_result r = fx_ciform(ARGS("plan", "sem"), (const char *const[]){e.env[0], e.env[1], e.env[2], "CIRCLECI_TOKEN",
						      "CIRCLE_TOKEN", "CIRCLECI_HOST", NULL}, NULL);
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + Dashboard/team (create)\n");
	fx_result_free(&r);
	fx_write("cci/c.yaml", DOC("deploy") "spec: {}\n");
	r = fx_ciform(ARGS("plan", "sem", "cci"), (const char *const[]){e.env[0], e.env[1], e.env[2], host_env,
						      "CIRCLECI_TOKEN=" TEST_TOKEN, NULL}, NULL);
	assert_int_equal(r.rc, 0);
	expect_in(r.out, "  + Dashboard/team (create)\n");
	expect_in(r.out, "  + Context/gh/acme/deploy (create)\n");
	expect_in(r.out, "Plan: 2 to create");
	fx_result_free(&r);
	fx_sandbox_stop(&cci);
	e2e_down(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_restriction_with_two_kinds_is_refused_at_its_position),
		cmocka_unit_test(test_a_variable_with_a_value_and_keep_live_is_refused),
		cmocka_unit_test(test_a_bad_variable_name_a_duplicate_and_an_empty_value_are_refused),
		cmocka_unit_test(test_an_organization_that_is_no_slug_is_refused),
		cmocka_unit_test(test_a_second_context_written_with_the_github_alias_is_a_duplicate_at_its_position),
		cmocka_unit_test(test_contexts_written_with_the_github_alias_converge_and_prune_lists_each_once),
		cmocka_unit_test(test_a_create_masks_secrets_sends_restrictions_before_variables_and_converges),
		cmocka_unit_test(test_a_value_whose_tail_differs_is_drift_and_is_rewritten),
		cmocka_unit_test(test_the_json_plan_says_a_variable_was_compared_by_its_tail),
		cmocka_unit_test(test_a_value_with_the_same_tail_is_not_drift_but_listed_unverified),
		cmocka_unit_test(test_rewrite_write_only_and_circleci_host_rewrite_a_value_whose_tail_matches),
		cmocka_unit_test(test_unlisted_variables_and_contexts_are_unmanaged_and_pruned_only_with_prune),
		cmocka_unit_test(test_a_restriction_the_spec_drops_is_deleted_without_prune),
		cmocka_unit_test(test_a_context_left_by_a_killed_run_is_found_by_name_and_completed),
		cmocka_unit_test(test_under_failing_requests_apply_converges_without_duplicates),
		cmocka_unit_test(test_a_keep_live_variable_that_is_not_live_is_a_plan_error),
		cmocka_unit_test(test_an_exported_context_plans_unchanged),
		cmocka_unit_test(test_a_mixed_repository_plans_both_and_a_semaphore_only_run_needs_no_circleci_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
